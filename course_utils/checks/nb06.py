"""Checks for notebook 06, depth and vanishing gradients."""

import collections.abc

import numpy as np
import torch
import torch.nn as nn

from course_utils.selfcheck import SelfCheckError, _kind, check_function


def _seed():
    return int(np.random.default_rng().integers(2**31))  # fresh inputs every run: a check must not depend on one seed


def _as_tensor(value):
    if isinstance(value, torch.Tensor):
        return value.detach().double()
    return torch.as_tensor(np.asarray(value, dtype=np.float64))


# --------------------------------------------------------------------------------------------- exercise 1


def reference_collapse_linear(weights, biases):
    A, b = weights[0], biases[0]
    for W, c in zip(weights[1:], biases[1:]):
        A, b = W @ A, W @ b + c
    return A, b


def _random_stack(sizes, generator):
    """Weights and biases like nn.Linear's (float32, uniform in +-1/sqrt(fan_in)), first layer first."""
    weights, biases = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / np.sqrt(n_in)
        weights.append((2 * torch.rand(n_out, n_in, generator=generator) - 1) * bound)
        biases.append((2 * torch.rand(n_out, generator=generator) - 1) * bound)
    return weights, biases


def check_collapse_linear(collapse_linear):
    """Exercise 1: the one layer ``(A, b)`` that computes what a stack of linear layers computes.

    The layers are float32, as the notebook's ``nn.Linear`` layers are.
    """
    generator = torch.Generator().manual_seed(_seed())
    cases = [
        _random_stack([5, 5, 5, 5], generator),       # square layers: a wrong order still has the right shape
        _random_stack([2, 16, 16, 1], generator),     # section 1's stack
        _random_stack([4, 3, 6, 2, 3], generator),    # four layers of different sizes
        _random_stack([3, 7], generator),             # a single layer: nothing to collapse
    ]

    def diagnose(args, got, expected):
        weights, biases = args
        A_got, b_got = (_as_tensor(t) for t in got)
        A, b = (t.double() for t in expected)
        if A_got.shape == A.T.shape and A.shape != A.T.shape:
            return "A has the shape of A transposed: like nn.Linear's weight it is (outputs, inputs)."
        if A_got.shape == A.shape and A.shape[0] == A.shape[1] and torch.allclose(A_got, A.T, atol=1e-5, rtol=1e-4) \
                and not torch.allclose(A, A.T, atol=1e-5, rtol=1e-4):
            return "A is transposed: like nn.Linear's weight it is (outputs, inputs), so A = A_k @ ... @ A_1."
        if A_got.shape == A.shape and not torch.allclose(A_got, A, atol=1e-5, rtol=1e-4):
            return "the first layer acts first, so its matrix stands on the right: A = A_k @ ... @ A_2 @ A_1."
        if A_got.shape == A.shape and b_got.shape == b.shape and not torch.allclose(b_got, b, atol=1e-5, rtol=1e-4):
            if torch.allclose(b_got, sum(c.double() for c in biases), atol=1e-5, rtol=1e-4):  # float32 sums
                return ("adding the biases is not enough: each earlier bias passes through the later layers' "
                        "matrices, b = A_3 @ (A_2 @ b_1 + b_2) + b_3 for three layers.")
            return ("each earlier bias passes through the later layers' matrices: "
                    "b = A_3 @ (A_2 @ b_1 + b_2) + b_3 for three layers.")
        return None

    check_function(collapse_linear, reference_collapse_linear, cases, name="collapse_linear", diagnose=diagnose,
                   atol=1e-5, rtol=1e-4, output_names=("A", "b"))


# --------------------------------------------------------------------------------------------- exercise 2


def reference_leaky_relu_std(fan_in, negative_slope):
    return float(np.sqrt(2.0 / ((1.0 + negative_slope**2) * fan_in)))


def check_leaky_relu_std(leaky_relu_std):
    """Exercise 2: He's initialisation, derived again for a leaky ReLU with slope ``negative_slope`` below 0."""
    rng = np.random.default_rng()
    cases = [(64, 0.2), (64, 0.0), (64, 1.0), (784, 0.01), (1, 0.5),
             (int(rng.integers(2, 2000)), round(float(rng.uniform(0.05, 0.9)), 3))]

    def diagnose(args, got, expected):
        fan_in, a = args
        got = float(np.asarray(got, dtype=np.float64))
        if np.isclose(got, expected**2):
            return "that is the variance; the standard deviation is its square root."
        if a > 0 and np.isclose(got, np.sqrt(2.0 / fan_in)):
            return ("that is He's formula for the plain ReLU: the negative side now keeps a^2 of its square, so "
                    "the activation keeps (1 + a^2) / 2 of the signal's mean square, not 1 / 2.")
        if a > 0 and np.isclose(got, np.sqrt(2.0 / ((1.0 + a) * fan_in))):
            return "the negative side scales z by a, so its square by a^2: use 1 + a^2, not 1 + a."
        if np.isclose(got, np.sqrt(1.0 / ((1.0 + a**2) * fan_in))):
            return ("the 2 is missing: only about half of the inputs are negative, so the activation keeps "
                    "(1 + a^2) / 2 of the mean square, and std^2 = 2 / ((1 + a^2) fan_in).")
        if np.isclose(got, np.sqrt((1.0 + a**2) / (2.0 * fan_in))):
            return "the fraction is upside down: the weights must make up for the signal lost, std^2 = 2 / ((1 + a^2) fan_in)."
        return None

    check_function(leaky_relu_std, reference_leaky_relu_std, cases, name="leaky_relu_std", diagnose=diagnose,
                   returns="number")


# --------------------------------------------------------------------------------------------- exercise 3


def reference_clip_by_total_norm(grads, max_norm):
    total = torch.sqrt(sum((g.double() ** 2).sum() for g in grads))
    if total <= max_norm:
        return list(grads)
    return [g * (max_norm / total).to(g.dtype) for g in grads]


def check_clip_by_total_norm(clip_by_total_norm):
    """Exercise 3: scale a list of gradients so that their total norm is at most ``max_norm``."""
    generator = torch.Generator().manual_seed(_seed())

    def grads(scale, shapes=((32, 196), (32,), (10, 32), (10,))):  # a small MLP's weights and biases
        return [scale * torch.randn(*s, generator=generator) for s in shapes]

    cases = [
        (grads(100.0), 5.0),                         # far above: scaled down to norm 5 (not 1: a missing square
                                                     # root and a squared factor would give the same norm)
        (grads(1.0), 1.0),                           # max_norm 1, as in the cell after the check
        (grads(1e-3), 1.0),                          # already below: unchanged, not scaled up
        (grads(10.0, shapes=((3, 3),)), 2.0),        # a single tensor
        (grads(10.0, shapes=((1,), (4, 2))), 0.5),   # two tensors of very different sizes
        ([torch.zeros(3, 2) for _ in range(2)], 1.0),  # all zero: no division by 0
    ]

    def diagnose(args, got, expected):
        grad_list, max_norm = args
        if not isinstance(got, (list, tuple)) or len(got) != len(expected):
            return None
        got = [_as_tensor(g) for g in got]
        total = float(torch.sqrt(sum((g.double() ** 2).sum() for g in grad_list)))
        got_total = float(torch.sqrt(sum((g**2).sum() for g in got)))
        if any(g.isnan().any() for g in got) and total == 0:
            return ("all the gradients are zero, so their total norm is 0 and max_norm / 0 is inf (and 0 * inf is "
                    "nan): when the total is at most max_norm, return the gradients unchanged.")
        if 0 < total <= max_norm and np.isclose(got_total, max_norm):
            return "the gradients were already small enough: leave them unchanged instead of scaling them up."
        per_tensor = [g.double() * min(1.0, max_norm / max(g.double().norm().item(), 1e-300)) for g in grad_list]
        if all(g.shape == p.shape and torch.allclose(g, p) for g, p in zip(got, per_tensor)):
            return ("you clipped each tensor on its own; clip by the total norm of all of them together, "
                    "with one factor for every tensor, so the direction of the step is kept.")
        clamped = [g.double().clamp(-max_norm, max_norm) for g in grad_list]
        if all(g.shape == c.shape and torch.allclose(g, c) for g, c in zip(got, clamped)):
            return ("clamping each entry to [-max_norm, max_norm] changes the direction of the step; scale every "
                    "tensor by one common factor, max_norm / total_norm.")
        if total > max_norm and np.isclose(got_total, max_norm / total, rtol=1e-3):
            return ("the total norm is the square root of the sum of the squares: you divided by the sum of "
                    "squares itself (take torch.sqrt of it).")
        if total > max_norm and np.isclose(got_total, max_norm**2 / total, rtol=1e-3):
            return "the factor is max_norm / total_norm; you multiplied by it twice (or by its square)."
        return None

    def call(learner, grad_list, max_norm):
        got = learner(grad_list, max_norm)
        if isinstance(got, collections.abc.Iterator):
            got = list(got)
        if isinstance(got, (list, tuple)):
            for i, g in enumerate(got):
                if not isinstance(g, torch.Tensor):
                    raise SelfCheckError(
                        f"`clip_by_total_norm` returned {_kind(g)} as item {i} of the list: return torch tensors "
                        "(e.g. `g * factor` for each tensor g), because the cell after this one computes "
                        "`(g - p.grad).abs()` with each, which needs a tensor.")
        return got

    check_function(clip_by_total_norm, reference_clip_by_total_norm, cases, name="clip_by_total_norm",
                   diagnose=diagnose, arg_names=("grads", "max_norm"), call=call)


# --------------------------------------------------------------------------------------------- exercise 4


def reference_fold_batch_norm(linear, bn):
    scale = bn.weight.detach() / torch.sqrt(bn.running_var + bn.eps)
    weight = scale[:, None] * linear.weight.detach()
    bias = scale * (linear.bias.detach() - bn.running_mean) + bn.bias.detach()
    return weight, bias


def _linear_and_bn(n_in, n_out, eps, generator):
    linear = nn.Linear(n_in, n_out)
    bn = nn.BatchNorm1d(n_out, eps=eps)
    with torch.no_grad():
        for tensor, low, high in ((linear.weight, -1, 1), (linear.bias, -1, 1), (bn.weight, 0.5, 2.0),
                                  (bn.bias, -1, 1), (bn.running_mean, -2, 2), (bn.running_var, 0.2, 4.0)):
            tensor.copy_(low + (high - low) * torch.rand(tensor.shape, generator=generator))
    return linear.eval(), bn.eval()


def check_fold_batch_norm(fold_batch_norm):
    """Exercise 4: the (weight, bias) of one linear layer that computes bn(linear(x)) in eval mode."""
    generator = torch.Generator().manual_seed(_seed())
    cases = [
        _linear_and_bn(5, 5, 1e-5, generator),     # square: scaling the columns instead of the rows fits the shape
        _linear_and_bn(6, 4, 1e-5, generator),     # more inputs than outputs
        _linear_and_bn(3, 8, 0.5, generator),      # a large eps: forgetting it shows
        _linear_and_bn(64, 64, 1e-5, generator),   # the size of the notebook's layers
    ]

    def diagnose(args, got, expected):
        linear, bn = args
        if not isinstance(got, (list, tuple)) or len(got) != 2:
            return None
        weight, bias = (_as_tensor(t) for t in got)
        W, b = linear.weight.detach().double(), linear.bias.detach().double()
        gamma, beta = bn.weight.detach().double(), bn.bias.detach().double()
        mean, var, eps = bn.running_mean.double(), bn.running_var.double(), bn.eps
        if weight.shape != W.shape:
            return "the folded weight has the shape of the linear layer's weight, (outputs, inputs)."

        def close(x, y):
            return x.shape == y.shape and torch.allclose(x, y, rtol=1e-4, atol=1e-5)

        scale = gamma / torch.sqrt(var + eps)
        if close(weight, scale[:, None] * W):
            no_eps = gamma / torch.sqrt(var)
            if close(bias, no_eps * (b - mean) + beta):
                return "eps is missing: divide by sqrt(running_var + eps), as batch norm does."
            if close(bias, scale * b + beta):
                return "the bias must be shifted by the running mean too: scale * (b - running_mean) + beta."
            if close(bias, scale * (b - mean)):
                return "beta (bn.bias) is missing from the folded bias: scale * (b - running_mean) + beta."
            if close(bias, scale * b - mean + beta) or close(bias, scale * (b - mean) + beta * scale):
                return "scale the difference b - running_mean as a whole, then add beta: scale * (b - running_mean) + beta."
            return "the weight is right; the bias is scale * (linear.bias - running_mean) + bn.bias."
        if W.shape[0] == W.shape[1] and close(weight, W * scale[None, :]):
            return ("you scaled the columns (inputs); batch norm scales each output unit, so scale the rows: "
                    "scale[:, None] * weight.")
        for wrong_scale, message in (
            (gamma / torch.sqrt(var), "eps is missing: divide by sqrt(running_var + eps), as batch norm does."),
            (gamma / (var + eps), "divide by the standard deviation, sqrt(running_var + eps), not by the variance."),
            (beta / torch.sqrt(var + eps), "gamma (bn.weight) is the scale and beta (bn.bias) the shift; they are swapped."),
            (1 / torch.sqrt(var + eps), "the scale gamma (bn.weight) is missing: it multiplies each normalised unit."),
        ):
            if close(weight, wrong_scale[:, None] * W):
                return message
        return None

    check_function(fold_batch_norm, reference_fold_batch_norm, cases, name="fold_batch_norm", diagnose=diagnose,
                   atol=1e-5, rtol=1e-4, output_names=("weight", "bias"))
