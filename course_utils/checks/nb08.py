"""Checks for notebook 08, overfitting and regularisation."""

import numpy as np
import torch

from course_utils.selfcheck import check_function


def reference_apply_dropout(x, keep, p):
    return x * keep / (1 - p)


def reference_early_stopping_epochs(val_losses, patience):
    best_epoch, best_loss = 0, float("inf")
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best_loss:
            best_loss, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(val_losses)


def reference_sgd_step_with_weight_decay(w, grad, lr, weight_decay):
    return w - lr * (grad + weight_decay * w)


def check_apply_dropout(apply_dropout):
    """Exercise 1: inverted dropout with a given mask of kept units."""
    g = torch.Generator().manual_seed(int(np.random.default_rng().integers(2**31)))
    cases = []
    for shape, p in [((8,), 0.5), ((4, 6), 0.2), ((2, 3, 5), 0.8), ((16,), 0.5), ((3, 4), 0.3)]:
        x = torch.randn(shape, generator=g)
        keep = (torch.rand(shape, generator=g) >= p).float()
        cases.append((x, keep, p))
    cases.append((torch.randn(5, generator=g), torch.ones(5), 0.0))  # p = 0: nothing is dropped

    def diagnose(args, got, expected):
        x, keep, p = args
        got = torch.as_tensor(got, dtype=x.dtype)
        if got.shape != x.shape:
            return "return a tensor of the same shape as x."
        if p > 0 and torch.allclose(got, x * keep):
            return "the survivors must be scaled by 1 / (1 - p) so that the expected value stays x."
        if p > 0 and torch.allclose(got, x * keep * (1 - p)):
            return "divide by (1 - p), the probability of keeping a unit; don't multiply by it."
        if p > 0 and torch.allclose(got, x * keep / p):
            return "divide by the probability of *keeping* a unit, 1 - p, not by the drop probability p."
        if torch.allclose(got, x * (1 - keep) / (1 - p)):
            return "`keep` is 1 for the units that survive: multiply by keep, not by 1 - keep."
        return None

    check_function(apply_dropout, reference_apply_dropout, cases, name="apply_dropout", diagnose=diagnose)


def _loss_curves():
    cases = [
        ([1.0, 0.8, 0.6, 0.5, 0.4], 2),             # always improving: never stops early
        ([1.0, 0.5, 0.5, 0.5, 0.6, 0.7], 2),        # a tie is not an improvement
        ([0.9, 1.0, 1.1, 1.2, 0.1], 3),             # stops before the late improvement
        ([0.5, 0.6, 0.4, 0.7, 0.8, 0.9, 0.3], 1),   # patience 1
        ([0.7], 3),                                 # a single epoch
    ]
    rng = np.random.default_rng()
    for _ in range(6):  # noisy U shapes: falls, then rises
        n = int(rng.integers(10, 40))
        t = np.arange(n)
        low = rng.integers(2, n - 2)
        losses = 0.3 + 0.002 * (t - low) ** 2 + rng.normal(0, 0.01, n)
        cases.append(([round(float(v), 4) for v in losses], int(rng.integers(1, 8))))
    return cases


def _early_stopping_variant(val_losses, patience, improves):
    best_epoch, best_loss = 0, float("inf")
    for epoch, loss in enumerate(val_losses, start=1):
        if improves(loss, best_loss):
            best_loss, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(val_losses)


def check_early_stopping_epochs(early_stopping_epochs):
    """Exercise 2: the best epoch and the epoch where training stops, from the validation losses."""

    def diagnose(args, got, expected):
        val_losses, patience = args
        if not isinstance(got, tuple) or len(got) != 2:
            return "return a tuple of two whole numbers: (best_epoch, stop_epoch)."
        got = tuple(int(v) for v in got)
        if got == (expected[0] - 1, expected[1] - 1):
            return "epochs are counted from 1: the first loss in the list is epoch 1."
        if got == _early_stopping_variant(val_losses, patience, lambda a, b: a <= b):
            return "an equal loss is not an improvement: compare with `<`, not `<=`."
        if got[0] == int(np.argmin(val_losses)) + 1 and got[0] > expected[1]:
            return (f"training stops at epoch {expected[1]}: the losses after it are never seen, "
                    "so the best epoch must come from the epochs up to the stop.")
        if got[0] == expected[0] and abs(got[1] - expected[1]) == 1:
            return ("stop at the first epoch where `patience` epochs in a row have brought no improvement, "
                    "that is when epoch - best_epoch reaches patience.")
        return None

    check_function(early_stopping_epochs, reference_early_stopping_epochs, _loss_curves(),
                   name="early_stopping_epochs", diagnose=diagnose)


def check_sgd_step_with_weight_decay(sgd_step_with_weight_decay):
    """Exercise 3: one SGD step with weight decay (an L2 penalty), as ``torch.optim.SGD(weight_decay=...)``."""
    g = torch.Generator().manual_seed(int(np.random.default_rng().integers(2**31)))
    cases = []
    for shape, lr, wd in [((5,), 0.1, 0.01), ((3, 4), 0.05, 0.1), ((10,), 0.5, 0.3), ((2, 2), 0.1, 0.0),
                          ((6,), 1.0, 0.5)]:
        cases.append((torch.randn(shape, generator=g), torch.randn(shape, generator=g), lr, wd))

    def diagnose(args, got, expected):
        w, grad, lr, wd = args
        got = torch.as_tensor(got, dtype=w.dtype)
        if got.shape != w.shape:
            return "return the new weights, a tensor of the same shape as w."
        if wd > 0 and torch.allclose(got, w - lr * grad):
            return "the weight decay is missing: add weight_decay * w to the gradient."
        if wd > 0 and torch.allclose(got, w - lr * grad - wd * w):
            return "the decay term is part of the gradient, so it is multiplied by the learning rate too."
        if wd > 0 and torch.allclose(got, w - lr * (grad - wd * w)):
            return "weight decay pulls the weights towards zero: *add* weight_decay * w to the gradient."
        if wd > 0 and torch.allclose(got, w - lr * (grad + 2 * wd * w)):
            return ("PyTorch's weight_decay adds exactly weight_decay * w to the gradient "
                    "(the gradient of weight_decay / 2 * w²): no factor 2.")
        return None

    check_function(sgd_step_with_weight_decay, reference_sgd_step_with_weight_decay, cases,
                   name="sgd_step_with_weight_decay", diagnose=diagnose)
