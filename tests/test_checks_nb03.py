"""Notebook 03's self-checks accept right answers written in different ways and reject typical wrong ones.

Every answer runs through the check 100 times (tests/checkkit.py): the checks draw fresh random inputs.
"""

import numpy as np
import pytest
import torch
from checkkit import assert_accepted, assert_rejected

from course_utils.checks import nb03


def stub(*args):
    raise NotImplementedError("Exercise: write this part, then run the check below.")


@pytest.fixture(autouse=True, scope="module")
def _autograd_warmed_up():
    """torch's first backward pass starts its engine (about a second under load); in the notebook that has
    happened long before the exercises, so the timed runs start after it here too."""
    x = torch.ones(3, 2, dtype=torch.float64, requires_grad=True)
    w = torch.ones(2, 2, dtype=torch.float64, requires_grad=True)
    torch.relu(x @ w).backward(torch.ones(3, 2, dtype=torch.float64))
    torch.mean(torch.tanh(x @ w) ** 2).backward()


# ------------------------------------------------------------------------------------ exercise 1


def with_where_and_einsum(X, W, b, grad_out):
    d = np.where(X @ W + b > 0, grad_out, 0.0)
    return np.einsum("nm,nk->mk", X, d), np.sum(d, axis=0), np.einsum("nk,mk->nm", d, W)


def with_autograd(X, W, b, grad_out):
    """torch.autograd does the backward pass; the results go back to NumPy, as the lesson needs."""
    Xt, Wt, bt = (torch.tensor(v, requires_grad=True) for v in (X, W, b))
    torch.relu(Xt @ Wt + bt).backward(torch.from_numpy(grad_out))
    return Wt.grad.numpy(), bt.grad.numpy(), Xt.grad.numpy()


def in_float32(X, W, b, grad_out):
    X, W, b, grad_out = (v.astype(np.float32) for v in (X, W, b, grad_out))
    d = grad_out * (X @ W + b > 0)
    return [X.T @ d, d.sum(axis=0), d @ W.T]  # a list instead of a tuple, in float32


@pytest.mark.parametrize("answer", [nb03.reference_dense_relu_backward, with_where_and_einsum, with_autograd,
                                    in_float32])
def test_dense_relu_backward_accepts_right_answers(answer):
    assert_accepted(nb03.check_dense_relu_backward, answer)


def _backward_with(mask_fn):
    def backward(X, W, b, grad_out):
        d = grad_out * mask_fn(X, W, b, grad_out)
        return X.T @ d, d.sum(axis=0), d @ W.T
    return backward


def autograd_returning_tensors(X, W, b, grad_out):
    Xt, Wt, bt = (torch.tensor(v, requires_grad=True) for v in (X, W, b))
    torch.relu(Xt @ Wt + bt).backward(torch.from_numpy(grad_out))
    return Wt.grad, bt.grad, Xt.grad  # the finite-difference cell after the check cannot subtract these


@pytest.mark.parametrize(
    "wrong, said",
    [
        (_backward_with(lambda X, W, b, g: 1.0), "slope is missing"),
        (_backward_with(lambda X, W, b, g: g > 0), "not from grad_out"),
        (_backward_with(lambda X, W, b, g: np.maximum(0, X @ W + b)), "not by its output"),
        (lambda X, W, b, g: (X.T @ (g * (X @ W + b > 0)), g * (X @ W + b > 0), (g * (X @ W + b > 0)) @ W.T),
         "sum the masked gradient over the batch"),
        (lambda X, W, b, g: ((g * (X @ W + b > 0)).T @ X, (g * (X @ W + b > 0)).sum(0), (g * (X @ W + b > 0)) @ W.T),
         "shape of W"),
        (lambda X, W, b, g: (X.T @ g, g.sum(0)), "three arrays"),
        (autograd_returning_tensors, r"`dW`: return a NumPy array .* not a tensor"),
        (stub, "not written yet"),
    ],
)
def test_dense_relu_backward_rejects_typical_mistakes(wrong, said):
    assert_rejected(nb03.check_dense_relu_backward, wrong, said)


# ------------------------------------------------------------------------------------ exercise 2


def by_paths_named(x, y, w):
    """The hint's way: two names for the two uses of w, one gradient each, then their sum."""
    inner = np.tanh(w * x)
    out = w * inner
    dL_dout = 2 * (out - y)
    via_outer = dL_dout * inner
    via_inner = dL_dout * w * (1 - inner**2) * x
    return via_outer + via_inner


def with_autograd_number(x, y, w):
    w_t = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    ((w_t * torch.tanh(w_t * x) - y) ** 2).backward()
    return w_t.grad.item()


def with_cosh(x, y, w):
    return 2 * (w * np.tanh(w * x) - y) * (np.tanh(w * x) + w * x / np.cosh(w * x) ** 2)


@pytest.mark.parametrize("answer", [nb03.reference_shared_weight_gradient, by_paths_named, with_autograd_number,
                                    with_cosh, lambda x, y, w: np.float32(with_cosh(x, y, w))])
def test_shared_weight_gradient_accepts_right_answers(answer):
    assert_accepted(nb03.check_shared_weight_gradient, answer)


def _error(x, y, w):
    return 2 * (w * np.tanh(w * x) - y)


@pytest.mark.parametrize(
    "wrong, said",
    [
        (lambda x, y, w: _error(x, y, w) * np.tanh(w * x), "only the outer use of w"),
        (lambda x, y, w: _error(x, y, w) * w * (1 - np.tanh(w * x) ** 2) * x, "only the path through the tanh"),
        (lambda x, y, w: _error(x, y, w) * np.tanh(w * x) * w * (1 - np.tanh(w * x) ** 2) * x, "not multiplied"),
        (lambda x, y, w: _error(x, y, w) / 2 * (np.tanh(w * x) + w * (1 - np.tanh(w * x) ** 2) * x), "factor 2"),
        (lambda x, y, w: -_error(x, y, w) * (np.tanh(w * x) + w * (1 - np.tanh(w * x) ** 2) * x), "sign is flipped"),
        (lambda x, y, w: _error(x, y, w) * (np.tanh(w * x) + w * (1 - np.tanh(w * x)) * x), r"\(squared\)"),
        (lambda x, y, w: _error(x, y, w) * (np.tanh(w * x) + w * (1 - np.tanh(w * x) ** 2)), "factor x"),
        (lambda x, y, w: _error(x, y, w) * (np.tanh(w * x) + (1 - np.tanh(w * x) ** 2) * x), "multiply it by w"),
        (lambda x, y, w: None, "Did you forget `return`"),
        (stub, "not written yet"),
    ],
)
def test_shared_weight_gradient_rejects_typical_mistakes(wrong, said):
    assert_rejected(nb03.check_shared_weight_gradient, wrong, said)


def test_shared_weight_gradient_passed_its_result_is_told_to_pass_the_function():
    assert_rejected(nb03.check_shared_weight_gradient, 0.5, "pass `shared_weight_gradient`, not")


# ------------------------------------------------------------------------------------ exercise 3


def mask_from_H(params, X, y):
    H = np.maximum(0.0, X @ params["W1"] + params["b1"])
    z = H @ params["W2"] + params["b2"]  # kept as a column
    dz = 2 * (z - y[:, None]) / len(y)
    dA = dz @ params["W2"].T * (H > 0)  # H > 0 exactly where A > 0
    return {"b2": dz.sum(axis=0), "W2": H.T @ dz, "b1": dA.sum(axis=0), "W1": X.T @ dA}


def relu_mse_with_autograd(params, X, y):
    t = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    z = (torch.relu(torch.from_numpy(X) @ t["W1"] + t["b1"]) @ t["W2"] + t["b2"])[:, 0]
    torch.mean((z - torch.from_numpy(y)) ** 2).backward()
    return {k: v.grad.numpy() for k, v in t.items()}


def relu_mse_per_example(params, X, y):
    """One example at a time, the gradients summed over the batch (the n paths of section 2)."""
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    for x_k, y_k in zip(X, y):
        a = x_k @ params["W1"] + params["b1"]
        h = np.maximum(0.0, a)
        dz = 2 * (h @ params["W2"][:, 0] + params["b2"][0] - y_k) / len(y)
        da = dz * params["W2"][:, 0] * (a > 0)
        grads["W1"] += np.outer(x_k, da)
        grads["b1"] += da
        grads["W2"] += dz * h[:, None]
        grads["b2"] += dz
    return grads


@pytest.mark.parametrize("answer", [nb03.reference_backward_relu_mse, mask_from_H, relu_mse_with_autograd,
                                    relu_mse_per_example])
def test_backward_relu_mse_accepts_right_answers(answer):
    assert_accepted(nb03.check_backward_relu_mse, answer)


def _wrong(**change):
    def backward(params, X, y):
        return dict(zip(("W1", "b1", "W2", "b2"), nb03._variant(params, X, y, **change)))
    return backward


def changes_params_in_place(params, X, y):
    grads = nb03.reference_backward_relu_mse(params, X, y)
    for name in params:
        params[name] -= 0.1 * grads[name]  # a training step: not what was asked
    return grads


def bias_not_summed(params, X, y):
    grads = nb03.reference_backward_relu_mse(params, X, y)
    A = X @ params["W1"] + params["b1"]
    z = (np.maximum(0, A) @ params["W2"] + params["b2"])[:, 0]
    grads["b2"] = 2 * (z - y) / len(y)  # one entry per example
    return grads


def returns_a_tuple(params, X, y):
    grads = nb03.reference_backward_relu_mse(params, X, y)
    return grads["W1"], grads["b1"], grads["W2"], grads["b2"]


def forgets_b2(params, X, y):
    grads = nb03.reference_backward_relu_mse(params, X, y)
    del grads["b2"]
    return grads


def returns_tensors(params, X, y):
    return {k: torch.from_numpy(v) for k, v in nb03.reference_backward_relu_mse(params, X, y).items()}


@pytest.mark.parametrize(
    "wrong, said",
    [
        (_wrong(factor=1.0), "factor 2 is missing"),
        (_wrong(mean=False), "divide the output gradient by len"),
        (_wrong(sign=-1.0), "sign is flipped"),
        (_wrong(output="sigmoid"), "no sigmoid at the output"),
        (_wrong(slope="none"), "ReLU's slope is missing"),
        (_wrong(slope="tanh"), "not a tanh"),
        (_wrong(slope="output"), "not by its output H"),
        (changes_params_in_place, "changed its input `params` in place"),
        (bias_not_summed, r'`grads\["b2"\]`: expected shape \(1,\)'),
        (returns_a_tuple, "must return a dict of gradients"),
        (forgets_b2, "no entry 'b2'"),
        (returns_tensors, "return a NumPy array"),
        (lambda params, X, y: None, "Did you forget `return`"),
        (stub, "not written yet"),
    ],
)
def test_backward_relu_mse_rejects_typical_mistakes(wrong, said):
    assert_rejected(nb03.check_backward_relu_mse, wrong, said)
