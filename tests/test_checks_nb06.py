"""Notebook 06's self-checks accept right answers written in several ways and reject the typical wrong ones.

Each answer runs through its check 100 times (tests/checkkit.py): the checks draw fresh inputs every run.
"""

import functools

import numpy as np
import pytest
import torch
import torch.nn as nn

from checkkit import assert_accepted, assert_rejected
from course_utils.checks import nb06, one_thread


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Time the checks as notebooks 05 and 06 run them on a CPU: with one thread (their import cell sets it)."""
    with one_thread():
        yield


def stub(*args):
    raise NotImplementedError("Exercise: write this part, then run the check below.")


# --------------------------------------------------------------------------------------------- exercise 1


def by_probing(weights, biases):  # read A and b off the stack's outputs: b = f(0), A e_i = f(e_i) - f(0)
    def f(x):
        for W, c in zip(weights, biases):
            x = x @ W.T + c
        return x
    n_in = weights[0].shape[1]
    b = f(torch.zeros(1, n_in))[0]      # float32, like the notebook's layers: no dtype argument needed
    return (f(torch.eye(n_in)) - b).T, b


def by_reduce(weights, biases):
    A = functools.reduce(lambda acc, W: W @ acc, weights)
    b = functools.reduce(lambda acc, layer: layer[0] @ acc + layer[1], zip(weights[1:], biases[1:]), biases[0])
    return [A, b]  # a list is fine too


def in_numpy(weights, biases):
    Ws, bs = [W.numpy().astype(np.float64) for W in weights], [c.numpy().astype(np.float64) for c in biases]
    A = np.linalg.multi_dot(Ws[::-1]) if len(Ws) > 1 else Ws[0]
    b = bs[0]
    for W, c in zip(Ws[1:], bs[1:]):
        b = W @ b + c
    return A, b


@pytest.mark.parametrize("answer", [nb06.reference_collapse_linear, by_probing, by_reduce, in_numpy])
def test_collapse_linear_accepts_right_answers(answer):
    assert_accepted(nb06.check_collapse_linear, answer)


def test_collapse_linear_accepts_the_notebook_layers_dtype():
    """The identity-probing answer builds float32 tensors; the check's layers are float32 like nn.Linear's."""
    layer = nn.Linear(3, 2)
    assert layer.weight.dtype == torch.float32
    assert_accepted(nb06.check_collapse_linear, by_probing, runs=5)


def reversed_order(weights, biases):
    A, b = weights[0], biases[0]
    for W, c in zip(weights[1:], biases[1:]):
        A, b = A @ W if A.shape[0] == W.shape[1] and A.shape[1] == W.shape[0] else W @ A, W @ b + c
    return A, b


def reversed_square_only(weights, biases):  # A_1 @ A_2 @ ... : wrong order, right shape for square layers
    A = weights[0]
    for W in weights[1:]:
        A = A @ W if A.shape[1] == W.shape[0] else W @ A
    return A, nb06.reference_collapse_linear(weights, biases)[1]


def biases_added(weights, biases):
    A = weights[0]
    for W in weights[1:]:
        A = W @ A
    return A, sum(biases)


def last_bias_only(weights, biases):
    return nb06.reference_collapse_linear(weights, biases)[0], biases[-1]


def transposed_A(weights, biases):
    A, b = nb06.reference_collapse_linear(weights, biases)
    return A.T, b


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (reversed_square_only, "first layer acts first"),
        (reversed_order, "first layer acts first"),
        (biases_added, "adding the biases is not enough"),
        (last_bias_only, "each earlier bias passes through"),
        (transposed_A, "A is transposed"),
        (lambda weights, biases: (weights[-1], biases[-1]), "expected shape|first layer acts first"),
        (lambda weights, biases: nb06.reference_collapse_linear(weights, biases)[0], "expected 2 values"),
        (stub, "not written yet"),
    ],
)
def test_collapse_linear_rejects_typical_mistakes(wrong, hint):
    assert_rejected(nb06.check_collapse_linear, wrong, hint)


# --------------------------------------------------------------------------------------------- exercise 2


def test_leaky_relu_std_reference_matches_what_pytorch_draws():
    torch.manual_seed(0)
    weight = torch.empty(400, 500)  # fan-in 500
    for a in (0.0, 0.2, 0.7):
        nn.init.kaiming_normal_(weight, a=a, nonlinearity="leaky_relu")
        assert np.isclose(weight.std().item(), nb06.reference_leaky_relu_std(500, a), rtol=0.02)


@pytest.mark.parametrize("answer", [
    nb06.reference_leaky_relu_std,
    lambda fan_in, a: (2 / (fan_in * (1 + a * a))) ** 0.5,
    lambda fan_in, a: nn.init.calculate_gain("leaky_relu", a) / np.sqrt(fan_in),
    lambda fan_in, a: np.float32(np.sqrt(2 / (1 + a**2) / fan_in)),
    lambda fan_in, a: torch.sqrt(torch.tensor(2.0 / ((1 + a**2) * fan_in))).item(),
])
def test_leaky_relu_std_accepts_right_answers(answer):
    assert_accepted(nb06.check_leaky_relu_std, answer)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda fan_in, a: np.sqrt(2 / fan_in), "plain ReLU"),
        (lambda fan_in, a: np.sqrt(2 / ((1 + a) * fan_in)), "use 1 \\+ a\\^2, not 1 \\+ a"),
        (lambda fan_in, a: 2 / ((1 + a**2) * fan_in), "that is the variance"),
        (lambda fan_in, a: np.sqrt(1 / ((1 + a**2) * fan_in)), "the 2 is missing"),
        (lambda fan_in, a: np.sqrt((1 + a**2) / (2 * fan_in)), "upside down"),
        (lambda fan_in, a: torch.tensor(np.sqrt(2 / ((1 + a**2) * fan_in))), "return a plain number"),
        (stub, "not written yet"),
    ],
)
def test_leaky_relu_std_rejects_typical_mistakes(wrong, hint):
    assert_rejected(nb06.check_leaky_relu_std, wrong, hint)


# --------------------------------------------------------------------------------------------- exercise 3


def with_torch(grads, max_norm):
    params = [torch.nn.Parameter(torch.zeros_like(g)) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    torch.nn.utils.clip_grad_norm_(params, max_norm)
    return [p.grad for p in params]


def with_flattening(grads, max_norm):
    total = torch.cat([g.flatten() for g in grads]).norm()
    factor = min(1.0, max_norm / total.item()) if total > 0 else 1.0
    return tuple(g * factor for g in grads)  # a tuple is fine too


def in_numpy(grads, max_norm):
    arrays = [g.numpy() for g in grads]
    total = np.sqrt(sum(float((a.astype(np.float64) ** 2).sum()) for a in arrays))
    return [a * (max_norm / total) if total > max_norm else a.copy() for a in arrays]


def as_generator(grads, max_norm):
    total = torch.sqrt(sum((g**2).sum() for g in grads))
    factor = max_norm / total if total > max_norm else 1.0
    return (g * factor for g in grads)


@pytest.mark.parametrize("answer", [nb06.reference_clip_by_total_norm, with_torch, with_flattening, as_generator])
def test_clip_by_total_norm_accepts_right_answers(answer):
    assert_accepted(nb06.check_clip_by_total_norm, answer)


def per_tensor(grads, max_norm):
    return [g * min(1.0, max_norm / g.norm().item()) if g.norm() > 0 else g for g in grads]


def always_scaled(grads, max_norm):
    total = torch.sqrt(sum((g**2).sum() for g in grads))
    return [g * max_norm / total for g in grads]


def no_zero_guard(grads, max_norm):  # the direction times the clipped length: 0 / 0 = nan when every g is zero
    total = torch.sqrt(sum((g**2).sum() for g in grads))
    return [g / total * min(total, max_norm) for g in grads]


def in_place_mul(grads, max_norm):
    """The answer of the issue: clips in place (g.mul_), which also turns all-zero gradients into nan."""
    total = torch.sqrt(sum((g**2).sum() for g in grads))
    for g in grads:
        g.mul_(min(total, max_norm) / total)
    return grads


def no_square_root(grads, max_norm):
    total = sum((g**2).sum() for g in grads)  # the sum of squares, not its root
    return [g * (max_norm / total) if total > max_norm else g for g in grads]


def test_the_cell_after_the_check_cannot_use_numpy_arrays():
    grads = [torch.ones(2, 2)]
    with pytest.raises(TypeError):
        (in_numpy(grads, 1.0)[0] - grads[0]).abs()  # what the notebook's next cell does with each item


@pytest.mark.parametrize("wrong", [in_numpy, lambda grads, max_norm: [float(g.sum()) for g in grads]],
                         ids=["numpy", "numbers"])
def test_clip_by_total_norm_asks_for_tensors(wrong):
    assert_rejected(nb06.check_clip_by_total_norm, wrong, "return torch tensors.*`\\(g - p.grad\\).abs\\(\\)`")


def factor_squared(grads, max_norm):
    total = torch.sqrt(sum((g**2).sum() for g in grads))
    return [g * (max_norm / total) ** 2 if total > max_norm else g for g in grads]


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (per_tensor, "clipped each tensor on its own"),
        (always_scaled, "leave them unchanged"),
        (lambda grads, max_norm: [g.clamp(-max_norm, max_norm) for g in grads], "clamping each entry"),
        (no_zero_guard, "all the gradients are zero"),
        (in_place_mul, "changed its input `grads` in place"),
        (factor_squared, "multiplied by it twice"),
        (no_square_root, "square root of the sum of the squares"),
        (lambda grads, max_norm: None, "returned None"),
        (stub, "not written yet"),
    ],
)
def test_clip_by_total_norm_rejects_typical_mistakes(wrong, hint):
    assert_rejected(nb06.check_clip_by_total_norm, wrong, hint)


def test_clip_by_total_norm_in_place_answer_cannot_reach_the_expected_answer():
    """Issue 11: the in-place answer once changed the reference's inputs too, and nan == nan passed."""
    zeros = [torch.zeros(3, 2) for _ in range(2)]
    assert all(torch.isnan(g).all() for g in in_place_mul([z.clone() for z in zeros], 1.0))
    message = assert_rejected(nb06.check_clip_by_total_norm, in_place_mul, "in place", runs=5)
    assert "grads" in message


# --------------------------------------------------------------------------------------------- exercise 4


def folded_by_probing(linear, bn):  # read the folded layer off the eval-mode outputs, as exercise 1's probing does
    with torch.no_grad():
        n_in = linear.in_features
        bias = bn(linear(torch.zeros(1, n_in)))[0]
        weight = (bn(linear(torch.eye(n_in))) - bias).T
    return weight, bias


def folded_with_rsqrt(linear, bn):
    with torch.no_grad():
        inv_std = torch.rsqrt(bn.running_var + bn.eps)
        weight = torch.diag(bn.weight * inv_std) @ linear.weight
        bias = bn.bias + (linear.bias - bn.running_mean) * bn.weight * inv_std
    return [weight, bias]


def folded_without_no_grad(linear, bn):  # tensors that still require grad are fine
    scale = bn.weight / (bn.running_var + bn.eps).sqrt()
    return linear.weight * scale.unsqueeze(1), (linear.bias - bn.running_mean) * scale + bn.bias


@pytest.mark.parametrize("answer", [nb06.reference_fold_batch_norm, folded_by_probing, folded_with_rsqrt,
                                    folded_without_no_grad])
def test_fold_batch_norm_accepts_right_answers(answer):
    assert_accepted(nb06.check_fold_batch_norm, answer)


def fold_variant(scale_of, bias_of, rows=True):
    def fold(linear, bn):
        W, b = linear.weight.detach(), linear.bias.detach()
        scale = scale_of(bn)
        weight = scale[:, None] * W if rows else W * scale  # broadcasting multiplies the columns
        return weight, bias_of(bn, b, scale)
    return fold


right_scale = lambda bn: bn.weight.detach() / torch.sqrt(bn.running_var + bn.eps)  # noqa: E731
right_bias = lambda bn, b, s: s * (b - bn.running_mean) + bn.bias.detach()  # noqa: E731


def in_place_fold(linear, bn):
    with torch.no_grad():
        scale = right_scale(bn)
        linear.weight.mul_(scale[:, None])
        return linear.weight, right_bias(bn, linear.bias, scale)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (fold_variant(lambda bn: bn.weight.detach() / torch.sqrt(bn.running_var), right_bias), "eps is missing"),
        (fold_variant(lambda bn: bn.weight.detach() / (bn.running_var + bn.eps), right_bias),
         "not by the variance"),
        (fold_variant(right_scale, lambda bn, b, s: s * b + bn.bias.detach()), "shifted by the running mean"),
        (fold_variant(right_scale, lambda bn, b, s: s * (b - bn.running_mean)), "beta \\(bn.bias\\) is missing"),
        (fold_variant(lambda bn: bn.bias.detach() / torch.sqrt(bn.running_var + bn.eps), right_bias), "swapped"),
        (fold_variant(right_scale, right_bias, rows=False), "scaled the columns"),
        (in_place_fold, "changed its input `linear` in place"),
        (stub, "not written yet"),
    ],
)
def test_fold_batch_norm_rejects_typical_mistakes(wrong, hint):
    assert_rejected(nb06.check_fold_batch_norm, wrong, hint)


def test_fold_batch_norm_reference_matches_the_eval_mode_layers():
    torch.manual_seed(0)
    linear, bn = nb06._linear_and_bn(7, 5, 1e-3, torch.Generator().manual_seed(1))
    weight, bias = nb06.reference_fold_batch_norm(linear, bn)
    x = torch.randn(10, 7)
    with torch.no_grad():
        assert torch.allclose(bn(linear(x)), x @ weight.T + bias, atol=1e-5)
