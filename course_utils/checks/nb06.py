"""Checks for notebook 06, depth and vanishing gradients."""

import numpy as np
import torch

from course_utils.selfcheck import check_function


def _seed():
    return int(np.random.default_rng().integers(2**31))  # fresh inputs every run: a check must not depend on one seed


# --------------------------------------------------------------------------------------------- exercise 1


def reference_collapse_linear(weights, biases):
    A, b = weights[0], biases[0]
    for W, c in zip(weights[1:], biases[1:]):
        A, b = W @ A, W @ b + c
    return A, b


def _random_stack(sizes, generator):
    weights = [torch.randn(n_out, n_in, dtype=torch.float64, generator=generator)
               for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    biases = [torch.randn(n_out, dtype=torch.float64, generator=generator) for n_out in sizes[1:]]
    return weights, biases


def check_collapse_linear(collapse_linear):
    """Exercise 1: the one layer ``(A, b)`` that computes what a stack of linear layers computes."""
    generator = torch.Generator().manual_seed(_seed())
    cases = [
        _random_stack([5, 5, 5, 5], generator),       # square layers: a wrong order still has the right shape
        _random_stack([2, 16, 16, 1], generator),     # section 1's stack
        _random_stack([4, 3, 6, 2, 3], generator),    # four layers of different sizes
        _random_stack([3, 7], generator),             # a single layer: nothing to collapse
    ]

    def call(weights, biases):
        return tuple(collapse_linear(list(weights), list(biases)))

    def diagnose(args, got, expected):
        weights, biases = args
        A_got, b_got = (torch.as_tensor(np.asarray(t.detach() if isinstance(t, torch.Tensor) else t)) for t in got)
        A, b = expected
        if A_got.shape == A.shape and not torch.allclose(A_got.to(A.dtype), A):
            return ("the first layer acts first, so its matrix stands on the right: A = A_k @ ... @ A_2 @ A_1.")
        if A_got.shape == A.shape and b_got.shape == b.shape and not torch.allclose(b_got.to(b.dtype), b):
            return ("each earlier bias passes through the later layers' matrices: "
                    "b = A_3 @ (A_2 @ b_1 + b_2) + b_3 for three layers.")
        return None

    check_function(call, reference_collapse_linear, cases, name="collapse_linear", diagnose=diagnose)


# --------------------------------------------------------------------------------------------- exercise 2


def reference_init_std(fan_in, fan_out, scheme):
    if scheme == "he":
        return float(np.sqrt(2.0 / fan_in))
    if scheme == "xavier":
        return float(np.sqrt(2.0 / (fan_in + fan_out)))
    raise ValueError(f"scheme must be 'he' or 'xavier', got {scheme!r}")


def check_init_std(init_std):
    """Exercise 2: the standard deviation of He (ReLU) and Xavier (tanh) initial weights."""
    rng = np.random.default_rng()
    fans = [(784, 64), (64, 64), (64, 10), (int(rng.integers(2, 2000)), int(rng.integers(2, 2000))), (1, 1)]
    cases = [(fan_in, fan_out, scheme) for scheme in ("he", "xavier") for fan_in, fan_out in fans]

    def diagnose(args, got, expected):
        fan_in, fan_out, scheme = args
        got = float(np.asarray(got))
        if np.isclose(got, expected**2):
            return "that is the variance; the standard deviation is its square root."
        if scheme == "he" and np.isclose(got, np.sqrt(2.0 / fan_out)):
            return "He's formula divides by the fan-in (the number of inputs of the layer), not the fan-out."
        if scheme == "he" and np.isclose(got, np.sqrt(1.0 / fan_in)):
            return "He's variance is 2 / fan_in: the 2 makes up for the half of the units that ReLU switches off."
        if scheme == "xavier" and np.isclose(got, np.sqrt(1.0 / (fan_in + fan_out))):
            return "Xavier's variance is 2 / (fan_in + fan_out): the 2 is missing."
        if scheme == "xavier" and np.isclose(got, np.sqrt(2.0 / fan_in)):
            return "Xavier's formula averages both sides of the layer: divide by fan_in + fan_out."
        return None

    check_function(init_std, reference_init_std, cases, name="init_std", diagnose=diagnose)


# --------------------------------------------------------------------------------------------- exercise 3


def reference_clip_by_total_norm(grads, max_norm):
    total = torch.sqrt(sum((g.double() ** 2).sum() for g in grads))
    if total <= max_norm:
        return list(grads)
    return [g * (max_norm / total).to(g.dtype) for g in grads]


def check_clip_by_total_norm(clip_by_total_norm):
    """Exercise 3: scale a list of gradients so that their total norm is at most ``max_norm``."""
    generator = torch.Generator().manual_seed(_seed())

    def grads(scale, shapes=((64, 784), (64,), (10, 64), (10,))):
        return tuple(scale * torch.randn(*s, dtype=torch.float64, generator=generator) for s in shapes)

    cases = [
        (grads(100.0), 1.0),                         # far above: scaled down to norm 1
        (grads(1.0), 5.0),                           # a different max_norm
        (grads(1e-3), 1.0),                          # already below: unchanged, not scaled up
        (grads(10.0, shapes=((3, 3),)), 2.0),        # a single tensor
        (grads(10.0, shapes=((1,), (4, 2))), 0.5),   # two tensors of very different sizes
        (tuple(torch.zeros(3, 2, dtype=torch.float64) for _ in range(2)), 1.0),  # all zero: no division by 0
    ]

    def call(grad_tuple, max_norm):
        return tuple(clip_by_total_norm(list(grad_tuple), max_norm))

    def reference(grad_tuple, max_norm):
        return tuple(reference_clip_by_total_norm(list(grad_tuple), max_norm))

    def diagnose(args, got, expected):
        grad_tuple, max_norm = args
        total = torch.sqrt(sum((g**2).sum() for g in grad_tuple)).item()
        if len(got) != len(expected):
            return None
        got = [torch.as_tensor(np.asarray(g.detach() if isinstance(g, torch.Tensor) else g)) for g in got]
        got_total = np.sqrt(sum(float((g.double() ** 2).sum()) for g in got))
        if total <= max_norm and total > 0 and np.isclose(got_total, max_norm):
            return "the gradients were already small enough: leave them unchanged instead of scaling them up."
        per_tensor = [g * min(1.0, max_norm / max(g.norm().item(), 1e-300)) for g in grad_tuple]
        if all(g.shape == p.shape and torch.allclose(g.double(), p.double()) for g, p in zip(got, per_tensor)):
            return ("you clipped each tensor on its own; clip by the total norm of all of them together, "
                    "with one factor for every tensor, so the direction of the step is kept.")
        return None

    check_function(call, reference, cases, name="clip_by_total_norm", diagnose=diagnose)
