"""Checks for notebook 08, overfitting and regularisation."""

import math

import numpy as np
import torch

from course_utils.checks import reordered_parameters_hint
from course_utils.selfcheck import check_function


def reference_early_stopping_epochs(val_losses, patience):
    best_epoch, best_loss = 0, float("inf")
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best_loss:
            best_loss, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(val_losses)


def reference_memorisation_rate(predicted, noisy_labels, true_labels):
    wrong = noisy_labels != true_labels
    return (predicted[wrong] == noisy_labels[wrong]).float().mean().item()


def reference_dropconnect_linear(x, weight, bias, keep, p):
    return x @ (weight * keep / (1 - p)).T + bias


def reference_steps_to_shrink(lr, weight_decay, fraction):
    return math.ceil(math.log(fraction) / math.log(1 - lr * weight_decay))


# --------------------------------------------------------------------------------------------- Exercise 1


def _loss_curves():
    cases = [
        ([1.0, 0.8, 0.6, 0.5, 0.4], 2),             # always improving: never stops early
        ([1.0, 0.5, 0.5, 0.5, 0.6, 0.7], 2),        # a tie is not an improvement
        ([0.9, 1.0, 1.1, 1.2, 0.1], 3),             # stops before the late improvement
        ([0.5, 0.6, 0.4, 0.7, 0.8, 0.9, 0.3], 1),   # patience 1
        ([0.7], 3),                                 # a single epoch
        ([0.5, 0.9, 0.8, 0.7, 0.6], 2),             # recovering, yet never below epoch 1: stops at epoch 3
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


def _patience_from_previous_epoch(val_losses, patience):
    """The wrong rule: the patience counter restarts whenever a loss beats the epoch before, not the best."""
    best_epoch, best_loss, waited, previous = 0, float("inf"), 0, float("inf")
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best_loss:
            best_loss, best_epoch = loss, epoch
        waited = 0 if loss < previous else waited + 1
        previous = loss
        if waited >= patience:
            return best_epoch, epoch
    return best_epoch, len(val_losses)


def check_early_stopping_epochs(early_stopping_epochs):
    """Exercise 1: the best epoch and the epoch where training stops, from the validation losses."""

    def diagnose(args, got, expected):
        val_losses, patience = args
        if not isinstance(got, tuple) or len(got) != 2:
            return "return a tuple of two whole numbers: (best_epoch, stop_epoch)."
        got = tuple(int(v) for v in got)
        if got == (expected[0] - 1, expected[1] - 1):
            return "epochs are counted from 1: the first loss in the list is epoch 1."
        if got == _early_stopping_variant(val_losses, patience, lambda a, b: a <= b):
            return "an equal loss is not an improvement: compare with `<`, not `<=`."
        if got == _patience_from_previous_epoch(val_losses, patience) and got[1] > expected[1]:
            return ("patience counts the epochs since the *best* loss, not since a loss beat the epoch before: "
                    "falling back towards the best (0.9, 0.8, 0.7 after 0.5) is not an improvement.")
        if got[0] == int(np.argmin(val_losses)) + 1 and got[0] > expected[1]:
            return (f"training stops at epoch {expected[1]}: the losses after it are never seen, "
                    "so the best epoch must come from the epochs up to the stop.")
        if got[0] == expected[0] and abs(got[1] - expected[1]) == 1:
            return ("stop at the first epoch where `patience` epochs in a row have brought no improvement, "
                    "that is when epoch - best_epoch reaches patience.")
        return None

    check_function(early_stopping_epochs, reference_early_stopping_epochs, _loss_curves(),
                   name="early_stopping_epochs", diagnose=diagnose)




# --------------------------------------------------------------------------------------------- Exercise 2


def _seeded():
    return torch.Generator().manual_seed(int(np.random.default_rng().integers(2**31)))


def _label_cases():
    g = _seeded()
    # First a case on which every typical mistake gives a different number: 6 wrong labels (3 memorised, 1
    # predicted as the true digit, 2 as another digit) and 4 right ones (3 predicted right).
    true = torch.tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    noisy = torch.tensor([5, 6, 7, 8, 9, 0, 6, 7, 8, 9])
    predicted = torch.tensor([5, 6, 7, 3, 1, 2, 6, 7, 8, 0])
    cases = [(predicted, noisy, true)]
    for n, noise, agree in [(20, 0.3, 0.5), (50, 0.2, 0.3), (200, 0.2, 0.6), (400, 0.5, 0.2)]:
        true = torch.randint(0, 10, (n,), generator=g)
        noisy = true.clone()
        flip = torch.rand(n, generator=g) < noise
        flip[0] = True  # at least one wrong label
        noisy[flip] = (true[flip] + torch.randint(1, 10, (int(flip.sum()),), generator=g)) % 10
        replaced_by_itself = torch.rand(n, generator=g) < 0.05  # a random digit that happened to be right
        noisy[replaced_by_itself] = true[replaced_by_itself]
        noisy[0] = (true[0] + 1) % 10
        # predictions: some memorised (= noisy), some the true digit, some another digit
        predicted = torch.randint(0, 10, (n,), generator=g)
        pick = torch.rand(n, generator=g)
        predicted[pick < agree] = noisy[pick < agree]
        predicted[(pick >= agree) & (pick < agree + 0.3)] = true[(pick >= agree) & (pick < agree + 0.3)]
        cases.append((predicted, noisy, true))
    true = torch.tensor([1, 2, 3, 4, 5, 6])
    noisy = torch.tensor([1, 7, 3, 8, 5, 6])
    cases.append((noisy.clone(), noisy, true))   # everything memorised: 1.0
    cases.append((true.clone(), noisy, true))    # every true digit found: 0.0
    return cases


MEMORISATION_RATE_PARAMETERS = ("predicted", "noisy_labels", "true_labels")  # the exercise text's order


def check_memorisation_rate(memorisation_rate):
    """Exercise 2: the share of the wrongly labelled images that a model predicts as their wrong label."""
    reordered = reordered_parameters_hint(memorisation_rate, MEMORISATION_RATE_PARAMETERS)

    def diagnose(args, got, expected):
        if reordered:
            return reordered
        predicted, noisy, true = args
        got = float(np.asarray(torch.as_tensor(got, dtype=torch.float64)))
        wrong = noisy != true
        memorised = int((predicted[wrong] == noisy[wrong]).sum())
        if math.isclose(got, (predicted == noisy).float().mean().item(), rel_tol=1e-5, abs_tol=1e-7):
            return ("that counts every image: only the images whose label is wrong (noisy_labels != true_labels) "
                    "count, since learning a right label is not memorisation.")
        if math.isclose(got, (predicted[wrong] == true[wrong]).float().mean().item(), rel_tol=1e-5, abs_tol=1e-7):
            return ("that is the share predicted as the *true* digit; memorised means predicted as the wrong "
                    "training label.")
        if math.isclose(got, (predicted[wrong] != true[wrong]).float().mean().item(), rel_tol=1e-5, abs_tol=1e-7):
            return "a wrong prediction is memorisation only when it is the wrong training label itself."
        if math.isclose(got, memorised):
            return "that is a count: divide by the number of images with a wrong label to get a share."
        if math.isclose(got, memorised / len(noisy), rel_tol=1e-5, abs_tol=1e-7):
            return "divide by the number of images with a wrong label, not by all the images."
        return None

    check_function(memorisation_rate, reference_memorisation_rate, _label_cases(), name="memorisation_rate",
                   diagnose=diagnose, arg_names=MEMORISATION_RATE_PARAMETERS)


# --------------------------------------------------------------------------------------------- Exercise 3


def _layer_cases():
    g = _seeded()
    cases = []
    for n, n_in, n_out, p in [(4, 3, 2, 0.5), (8, 6, 5, 0.2), (16, 10, 7, 0.8), (1, 5, 3, 0.3), (5, 4, 4, 0.5)]:
        weight = torch.randn(n_out, n_in, generator=g)
        keep = (torch.rand(n_out, n_in, generator=g) >= p).float()
        cases.append((torch.randn(n, n_in, generator=g), weight, torch.randn(n_out, generator=g), keep, p))
    cases.append((torch.randn(3, 4, generator=g), torch.randn(2, 4, generator=g), torch.randn(2, generator=g),
                  torch.ones(2, 4), 0.0))  # p = 0, nothing dropped: an ordinary linear layer
    return cases


def check_dropconnect_linear(dropconnect_linear):
    """Exercise 3: a linear layer with DropConnect (inverted, like dropout) on its weights."""

    def diagnose(args, got, expected):
        x, weight, bias, keep, p = args
        got = torch.as_tensor(np.asarray(got), dtype=x.dtype)
        if got.shape != expected.shape:
            return "the output has one row per row of x and one column per output: shape (N, out)."
        variants = [
            (x @ (weight * keep).T + bias, "scale the kept weights by 1 / (1 - p), so each output keeps its "
                                           "expected value (as in inverted dropout)."),
            ((x @ (weight * keep).T + bias) / (1 - p), "the bias is never dropped, so it is not scaled either: "
                                                       "scale only the masked weights."),
            (x @ (weight * keep * (1 - p)).T + bias, "divide by (1 - p), the probability of keeping a weight; "
                                                     "don't multiply by it."),
            (x @ (weight * keep / p).T + bias, "divide by the probability of *keeping* a weight, 1 - p, not by "
                                               "the drop probability p."),
            (x @ (weight * (1 - keep) / (1 - p)).T + bias, "`keep` is 1 for the weights that stay: multiply by "
                                                           "keep, not by 1 - keep."),
        ]
        if p == 0:
            variants = []  # nothing is dropped: the variants above all give the right answer or divide by 0
        variants.append((x @ (weight * keep / (1 - p)).T, "add the bias (it is never dropped)."))
        for value, hint in variants:
            if torch.allclose(got, value, rtol=1e-4, atol=1e-5):
                return hint
        return None

    check_function(dropconnect_linear, reference_dropconnect_linear, _layer_cases(), name="dropconnect_linear",
                   diagnose=diagnose)


# --------------------------------------------------------------------------------------------- Exercise 4


def _shrink_cases():
    rng = np.random.default_rng()
    # first a case on which every typical mistake below gives a different number (the answer is 11)
    cases = [(0.8, 0.625, 0.00075), (0.5, 0.4, 0.1), (0.1, 0.01, 0.5), (0.1, 1.0, 0.5), (1.0, 0.5, 0.01), (0.05, 0.1, 0.9), (0.5, 1.0, 0.6)]
    while len(cases) < 14:
        lr, wd, fraction = float(rng.uniform(0.01, 1.0)), float(rng.uniform(0.01, 0.9)), float(rng.uniform(0.01, 0.95))
        ratio = math.log(fraction) / math.log(1 - lr * wd)
        if lr * wd < 0.9 and abs(ratio - round(ratio)) > 1e-3 and ratio < 500:
            cases.append((round(lr, 3), round(wd, 3), round(fraction, 3)))
    cases = [c for c in cases if abs((r := math.log(c[2]) / math.log(1 - c[0] * c[1])) - round(r)) > 1e-6]
    # Exact powers, where the weight lands on the fraction itself (exactly, in floating point too: powers of 1/2):
    # 2, 3 and 4 steps. There floor(r) + 1, int(r) + 1 and a `while w >= fraction` loop take one step too many.
    exact_powers = [(0.5, 1.0, 0.25), (0.5, 1.0, 0.125), (1.0, 0.5, 0.0625)]
    return cases[:7] + exact_powers + cases[7:]


def check_steps_to_shrink(steps_to_shrink):
    """Exercise 4: how many SGD steps with weight decay shrink a weight with no loss gradient to a fraction."""

    def diagnose(args, got, expected):
        lr, wd, fraction = args
        got = float(np.asarray(got))
        ratio = math.log(fraction) / math.log(1 - lr * wd)
        if got < 0:
            return "a number of steps cannot be negative: both logarithms are negative, so their ratio is positive."
        if got == expected + 1 and ratio == expected:  # an exact power: first, other formulas can coincide
            return (f"after {expected} steps the weight is exactly the fraction, which is already *at most* the "
                    "fraction: stop there. floor(...) + 1 or a `while w >= fraction` loop takes one step too "
                    "many when the ratio of the logarithms is a whole number; round up with math.ceil instead.")
        if wd < 1 and got == math.ceil(math.log(fraction) / math.log(1 - wd)):  # log(0) when wd is 1
            return "the decay of one step is lr * weight_decay * w: the learning rate multiplies it too."
        if got == math.ceil(-math.log(fraction) / (lr * wd)):
            return ("-log(fraction) / (lr * weight_decay) is only close for tiny steps: one step multiplies the "
                    "weight by exactly (1 - lr * weight_decay), so use log(1 - lr * weight_decay).")
        if got == math.ceil((1 - fraction) / (lr * wd)):
            return ("each step takes away a share of what is *left*, not a fixed amount: the factors multiply, "
                    "so solve a power (with logarithms).")
        if got == math.floor(ratio) or got == round(ratio) and round(ratio) != expected:
            return ("round up (math.ceil): after fewer steps the weight is still a little above the fraction, "
                    "and the answer is a whole number of steps.")
        if got == ratio:
            return "a number of steps is a whole number: round up with math.ceil."
        if got == expected + 1:
            return "one step too many: stop at the first step where the weight is at most the fraction."
        if got == math.ceil(math.log(1 - lr * wd) / math.log(fraction)):
            return "divide log(fraction) by log(1 - lr * weight_decay), not the other way round."
        return None

    check_function(steps_to_shrink, reference_steps_to_shrink, _shrink_cases(), name="steps_to_shrink",
                   diagnose=diagnose, returns="number")
