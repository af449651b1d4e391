import numpy as np
import pytest
import torch
import torch.nn as nn

from course_utils.checks import nb06
from course_utils.selfcheck import SelfCheckError


def stub(*args):
    raise NotImplementedError("Exercise: write this part, then run the check below.")


# --------------------------------------------------------------------------------------------- exercise 1


def test_collapse_linear_accepts_the_reference_and_an_equivalent():
    nb06.check_collapse_linear(nb06.reference_collapse_linear)

    def by_probing(weights, biases):  # read A and b off the stack's outputs: b = f(0), A e_i = f(e_i) - f(0)
        def f(x):
            for W, c in zip(weights, biases):
                x = x @ W.T + c
            return x
        eye = torch.eye(weights[0].shape[1], dtype=weights[0].dtype)
        b = f(torch.zeros(1, weights[0].shape[1], dtype=weights[0].dtype))[0]
        return (f(eye) - b).T, b

    nb06.check_collapse_linear(by_probing)


def reversed_order(weights, biases):
    A, b = weights[0], biases[0]
    for W, c in zip(weights[1:], biases[1:]):
        A, b = A @ W, W @ b + c
    return A, b


def biases_added(weights, biases):
    A = weights[0]
    for W in weights[1:]:
        A = W @ A
    return A, sum(biases)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (reversed_order, "first layer acts first"),
        (biases_added, "each earlier bias passes through"),
        (lambda weights, biases: (weights[-1], biases[-1]), "expected shape|first layer acts first"),
        (stub, "not written yet"),
    ],
)
def test_collapse_linear_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb06.check_collapse_linear(wrong)


# --------------------------------------------------------------------------------------------- exercise 2


def test_init_std_reference_matches_what_pytorch_draws():
    torch.manual_seed(0)
    layer = nn.Linear(400, 300)  # fan-in 400, fan-out 300
    nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
    assert np.isclose(layer.weight.std().item(), nb06.reference_init_std(400, 300, "he"), rtol=0.02)
    nn.init.xavier_normal_(layer.weight)
    assert np.isclose(layer.weight.std().item(), nb06.reference_init_std(400, 300, "xavier"), rtol=0.02)


def test_init_std_accepts_the_reference():
    nb06.check_init_std(nb06.reference_init_std)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda fi, fo, s: 2.0 / fi if s == "he" else 2.0 / (fi + fo), "that is the variance"),
        (lambda fi, fo, s: np.sqrt(2.0 / fo) if s == "he" else nb06.reference_init_std(fi, fo, s), "not the fan-out"),
        (lambda fi, fo, s: np.sqrt(1.0 / fi) if s == "he" else nb06.reference_init_std(fi, fo, s), "ReLU switches off"),
        (lambda fi, fo, s: np.sqrt(1.0 / (fi + fo)) if s == "xavier" else nb06.reference_init_std(fi, fo, s),
         "the 2 is missing"),
        (lambda fi, fo, s: np.sqrt(2.0 / fi), "divide by fan_in \\+ fan_out"),
        (stub, "not written yet"),
    ],
)
def test_init_std_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb06.check_init_std(wrong)


# --------------------------------------------------------------------------------------------- exercise 3


def with_torch(grads, max_norm):
    params = [torch.nn.Parameter(torch.zeros_like(g)) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    torch.nn.utils.clip_grad_norm_(params, max_norm)
    return [p.grad for p in params]


def test_clip_by_total_norm_accepts_the_reference_and_pytorch():
    nb06.check_clip_by_total_norm(nb06.reference_clip_by_total_norm)
    nb06.check_clip_by_total_norm(with_torch)


def per_tensor(grads, max_norm):
    return [g * min(1.0, max_norm / g.norm().item()) if g.norm() > 0 else g for g in grads]


def always_scaled(grads, max_norm):
    total = torch.sqrt(sum((g**2).sum() for g in grads))
    return [g * max_norm / total for g in grads]


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (per_tensor, "clipped each tensor on its own"),
        (always_scaled, "leave them unchanged"),
        (lambda grads, max_norm: [g.clamp(-max_norm, max_norm) for g in grads], "values differ"),
        (stub, "not written yet"),
    ],
)
def test_clip_by_total_norm_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb06.check_clip_by_total_norm(wrong)


def test_clip_by_total_norm_flags_division_by_zero():
    def no_zero_guard(grads, max_norm):
        total = torch.sqrt(sum((g**2).sum() for g in grads))
        return [g * min(1.0, max_norm / total) if total > max_norm else g / total * total for g in grads]

    with pytest.raises(SelfCheckError, match="nan or inf"):
        nb06.check_clip_by_total_norm(no_zero_guard)
