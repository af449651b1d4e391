"""The exercise checks of notebook 08 accept correct answers and reject the typical wrong ones, every run."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from checkkit import assert_accepted, assert_rejected
from course_utils.checks import nb08


def not_written(*args):
    raise NotImplementedError("Exercise: write this part, then run the check below.")


# ----------------------------------------------------------------------------------------- early_stopping_epochs


def test_early_stopping_reference_on_known_curves():
    assert nb08.reference_early_stopping_epochs([1.0, 0.8, 0.6], 2) == (3, 3)
    assert nb08.reference_early_stopping_epochs([1.0, 0.5, 0.5, 0.5, 0.6], 2) == (2, 4)
    assert nb08.reference_early_stopping_epochs([0.9, 1.0, 1.1, 1.2, 0.1], 3) == (1, 4)


def stopping_with_while(val_losses, patience):
    best, epoch = 0, 0
    while epoch < len(val_losses):
        epoch += 1
        if best == 0 or val_losses[epoch - 1] < val_losses[best - 1]:
            best = epoch
        elif epoch - best >= patience:
            break
    return best, epoch


def stopping_by_prefix_minimum(val_losses, patience):
    for stop in range(1, len(val_losses) + 1):
        seen = val_losses[:stop]
        best = seen.index(min(seen)) + 1
        if stop - best >= patience:
            return [best, stop]  # a list is accepted as well as a tuple
    seen = list(val_losses)
    return seen.index(min(seen)) + 1, len(seen)


@pytest.mark.parametrize("answer", [nb08.reference_early_stopping_epochs, stopping_with_while,
                                    stopping_by_prefix_minimum], ids=["reference", "while", "prefix-minimum"])
def test_early_stopping_accepts_right_answers(answer):
    assert_accepted(nb08.check_early_stopping_epochs, answer)


def zero_based(val_losses, patience):
    best, stop = nb08.reference_early_stopping_epochs(val_losses, patience)
    return best - 1, stop - 1


def ties_improve(val_losses, patience):
    best_epoch, best_loss = 0, float("inf")
    for epoch, loss in enumerate(val_losses, start=1):
        if loss <= best_loss:
            best_loss, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(val_losses)


def looks_ahead(val_losses, patience):
    _, stop = nb08.reference_early_stopping_epochs(val_losses, patience)
    return min(range(len(val_losses)), key=lambda i: val_losses[i]) + 1, stop


def stops_late(val_losses, patience):
    best_epoch, best_loss = 0, float("inf")
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best_loss:
            best_loss, best_epoch = loss, epoch
        elif epoch - best_epoch > patience:
            return best_epoch, epoch
    return best_epoch, len(val_losses)


@pytest.mark.parametrize("wrong,hint", [
    (zero_based, "counted from 1"),
    (ties_improve, "equal loss is not an improvement"),
    (looks_ahead, "never seen"),
    (stops_late, "first epoch where `patience` epochs"),
    (lambda losses, patience: 1, "return a tuple"),
], ids=["zero-based", "ties-improve", "looks-ahead", "stops-late", "one-number"])
def test_early_stopping_rejects_typical_mistakes(wrong, hint):
    assert_rejected(nb08.check_early_stopping_epochs, wrong, hint)


def patience_from_previous_epoch(val_losses, patience):  # the attacker's answer: counts since the last epoch's loss
    best_epoch, best_loss, since, previous = 1, val_losses[0], 0, val_losses[0]
    for epoch, loss in enumerate(val_losses[1:], start=2):
        if loss < best_loss:
            best_loss, best_epoch = loss, epoch
        since = 0 if loss < previous else since + 1
        previous = loss
        if since >= patience:
            return best_epoch, epoch
    return best_epoch, len(val_losses)


def test_early_stopping_rejects_patience_counted_from_the_previous_epoch():
    assert nb08.reference_early_stopping_epochs([0.5, 0.9, 0.8, 0.7, 0.6], 2) == (1, 3)
    assert patience_from_previous_epoch([0.5, 0.9, 0.8, 0.7, 0.6], 2) == (1, 5)
    assert_rejected(nb08.check_early_stopping_epochs, patience_from_previous_epoch,
                    "patience counts the epochs since the \\*best\\* loss")


def test_early_stopping_stub_is_not_written_yet():
    assert_rejected(nb08.check_early_stopping_epochs, not_written, "not written yet", runs=1)


# ----------------------------------------------------------------------------------------- memorisation_rate


def test_memorisation_rate_reference_on_a_small_case():
    true = torch.tensor([1, 2, 3, 4])
    noisy = torch.tensor([1, 7, 3, 8])       # images 1 and 3 have wrong labels
    predicted = torch.tensor([1, 7, 3, 4])   # image 1 memorised, image 3 predicted as its true digit
    assert nb08.reference_memorisation_rate(predicted, noisy, true) == 0.5


def rate_with_numpy(predicted, noisy_labels, true_labels):
    p, n, t = (np.asarray(v) for v in (predicted, noisy_labels, true_labels))
    return np.mean(p[n != t] == n[n != t])


def rate_by_loop(predicted, noisy_labels, true_labels):
    wrong = memorised = 0
    for p, n, t in zip(predicted.tolist(), noisy_labels.tolist(), true_labels.tolist()):
        if n != t:
            wrong += 1
            memorised += p == n
    return memorised / wrong


def rate_as_tensor(predicted, noisy_labels, true_labels):
    wrong = noisy_labels != true_labels
    return ((predicted == noisy_labels) & wrong).sum() / wrong.sum()


@pytest.mark.parametrize("answer", [nb08.reference_memorisation_rate, rate_with_numpy, rate_by_loop, rate_as_tensor],
                         ids=["reference", "numpy", "loop", "tensor"])
def test_memorisation_rate_accepts_right_answers(answer):
    assert_accepted(nb08.check_memorisation_rate, answer)


@pytest.mark.parametrize("wrong,hint", [
    (lambda p, n, t: (p == n).float().mean().item(), "counts every image"),
    (lambda p, n, t: (p[n != t] == t[n != t]).float().mean().item(), "\\*true\\* digit"),
    (lambda p, n, t: (p[n != t] != t[n != t]).float().mean().item(), "only when it is the wrong training label"),
    (lambda p, n, t: int((p[n != t] == n[n != t]).sum()), "that is a count"),
    (lambda p, n, t: (p[n != t] == n[n != t]).sum().item() / len(n), "not by all the images"),
], ids=["all-images", "true-digit", "any-mistake", "count", "over-all"])
def test_memorisation_rate_rejects_typical_mistakes(wrong, hint):
    assert_rejected(nb08.check_memorisation_rate, wrong, hint)


def rate_true_labels_first(true_labels, noisy_labels, predicted):  # the right formula, parameters reordered
    wrong = noisy_labels != true_labels
    return (predicted[wrong] == noisy_labels[wrong]).float().mean().item()


def test_memorisation_rate_names_the_exercises_order_when_the_parameters_are_reordered():
    message = assert_rejected(nb08.check_memorisation_rate, rate_true_labels_first,
                              "your parameters are in the order \\(true_labels, noisy_labels, predicted\\)")
    assert "(predicted=tensor" in message, message  # the input is shown with the exercise's names


def test_memorisation_rate_shows_the_exercises_names_for_other_names():
    message = assert_rejected(nb08.check_memorisation_rate, lambda noisy, p, t: rate_with_numpy(p, noisy, t),
                              "is not right yet")
    assert "(predicted=tensor" in message and "noisy=" not in message, message


def test_memorisation_rate_stub_is_not_written_yet():
    assert_rejected(nb08.check_memorisation_rate, not_written, "not written yet", runs=1)


# ----------------------------------------------------------------------------------------- dropconnect_linear


def test_dropconnect_reference_keeps_the_expectation():
    g = torch.Generator().manual_seed(0)
    x, weight, bias = torch.randn(4, 6, generator=g), torch.randn(3, 6, generator=g), torch.randn(3, generator=g)
    p, outputs = 0.5, []
    for _ in range(4000):
        keep = (torch.rand(weight.shape, generator=g) >= p).float()
        outputs.append(nb08.reference_dropconnect_linear(x, weight, bias, keep, p))
    assert torch.allclose(torch.stack(outputs).mean(dim=0), x @ weight.T + bias, atol=0.15)


def dropconnect_in_place(x, weight, bias, keep, p):
    weight *= keep / (1 - p)
    return x @ weight.T + bias


@pytest.mark.parametrize("answer", [
    nb08.reference_dropconnect_linear,
    lambda x, w, b, keep, p: F.linear(x, w * keep / (1 - p), b),
    lambda x, w, b, keep, p: torch.einsum("ni,oi->no", x, w * keep) / (1 - p) + b,
    lambda x, w, b, keep, p: torch.addmm(b, x, (w * keep).T, alpha=1 / (1 - p)),
], ids=["reference", "F.linear", "einsum", "addmm"])
def test_dropconnect_accepts_right_answers(answer):
    assert_accepted(nb08.check_dropconnect_linear, answer)


@pytest.mark.parametrize("wrong,hint", [
    (lambda x, w, b, keep, p: x @ (w * keep).T + b, "scale the kept weights"),
    (lambda x, w, b, keep, p: (x @ (w * keep).T + b) / (1 - p), "bias is never dropped"),
    (lambda x, w, b, keep, p: x @ (w * keep * (1 - p)).T + b, "don't multiply"),
    (lambda x, w, b, keep, p: x @ (w * keep / p).T + b, "not by the drop probability"),
    (lambda x, w, b, keep, p: x @ (w * (1 - keep) / (1 - p)).T + b, "not by 1 - keep"),
    (lambda x, w, b, keep, p: x @ (w * keep / (1 - p)).T, "add the bias"),
    (dropconnect_in_place, "changed its input `weight` in place"),
], ids=["no-scaling", "bias-scaled", "times-keep-probability", "divided-by-p", "inverted-mask", "no-bias",
        "in-place"])
def test_dropconnect_rejects_typical_mistakes(wrong, hint):
    assert_rejected(nb08.check_dropconnect_linear, wrong, hint)


def test_dropconnect_stub_is_not_written_yet():
    assert_rejected(nb08.check_dropconnect_linear, not_written, "not written yet", runs=1)


# ----------------------------------------------------------------------------------------- steps_to_shrink


def test_steps_to_shrink_reference_matches_torch_sgd():
    param = torch.nn.Parameter(torch.tensor([1.0], dtype=torch.float64))
    optimizer = torch.optim.SGD([param], lr=0.5, weight_decay=0.4)
    steps = 0
    while param.item() > 0.1:
        param.grad = torch.zeros_like(param)
        optimizer.step()
        steps += 1
    assert steps == nb08.reference_steps_to_shrink(0.5, 0.4, 0.1) == 11


def shrink_by_loop(lr, weight_decay, fraction):
    w, steps = 1.0, 0
    while w > fraction:
        w *= 1 - lr * weight_decay
        steps += 1
    return steps


@pytest.mark.parametrize("answer", [
    nb08.reference_steps_to_shrink,
    shrink_by_loop,
    lambda lr, wd, fraction: np.ceil(np.log(fraction) / np.log1p(-lr * wd)),
    lambda lr, wd, fraction: int(-(-math.log(fraction) // math.log(1 - lr * wd))),
], ids=["reference", "loop", "numpy", "floor-division"])
def test_steps_to_shrink_accepts_right_answers(answer):
    assert_accepted(nb08.check_steps_to_shrink, answer)


@pytest.mark.parametrize("wrong,hint", [
    (lambda lr, wd, f: math.ceil(math.log(f) / math.log(1 - wd)), "the learning rate multiplies it too"),
    (lambda lr, wd, f: math.ceil(-math.log(f) / (lr * wd)), "only close for tiny steps"),
    (lambda lr, wd, f: math.ceil((1 - f) / (lr * wd)), "share of what is \\*left\\*"),
    (lambda lr, wd, f: math.floor(math.log(f) / math.log(1 - lr * wd)), "round up"),
    (lambda lr, wd, f: round(math.log(f) / math.log(1 - lr * wd)), "round up"),
    (lambda lr, wd, f: math.log(f) / math.log(1 - lr * wd), "whole number"),
    (lambda lr, wd, f: math.ceil(math.log(f) / math.log(1 - lr * wd)) + 1, "one step too many"),
    (lambda lr, wd, f: math.ceil(math.log(f) / -math.log(1 - lr * wd)), "cannot be negative"),
], ids=["no-lr", "exp", "linear", "floor", "round", "no-rounding", "one-too-many", "negative"])
def test_steps_to_shrink_rejects_typical_mistakes(wrong, hint):
    assert_rejected(nb08.check_steps_to_shrink, wrong, hint)


def test_steps_to_shrink_exact_powers_are_exact_in_float64():
    """The exact-power cases: the reference and a float64 loop both give 2, 3 and 4 steps."""
    cases = [(0.5, 1.0, 0.25), (0.5, 1.0, 0.125), (1.0, 0.5, 0.0625)]
    assert [nb08.reference_steps_to_shrink(*c) for c in cases] == [shrink_by_loop(*c) for c in cases] == [2, 3, 4]
    assert all(c in nb08._shrink_cases() for c in cases)


def shrink_by_loop_with_ge(lr, weight_decay, fraction):
    w, steps = 1.0, 0
    while w >= fraction:
        w *= 1 - lr * weight_decay
        steps += 1
    return steps


@pytest.mark.parametrize("answer", [
    lambda lr, wd, f: math.ceil(math.log(f, 1 - lr * wd)),
    lambda lr, wd, f: int(np.ceil(np.log(f) / np.log(1 - lr * wd))),
    lambda lr, wd, f: math.ceil(math.log2(f) / math.log2(1 - lr * wd)),
    lambda lr, wd, f: int(torch.ceil(torch.log(torch.tensor(f, dtype=torch.float64))
                                     / torch.log1p(torch.tensor(-lr * wd, dtype=torch.float64)))),
], ids=["log-base", "numpy-int", "log2", "torch"])
def test_steps_to_shrink_accepts_other_right_answers_at_exact_powers(answer):
    assert_accepted(nb08.check_steps_to_shrink, answer)


@pytest.mark.parametrize("wrong", [
    lambda lr, wd, f: math.floor(math.log(f) / math.log(1 - lr * wd)) + 1,
    lambda lr, wd, f: int(math.log(f) / math.log(1 - lr * wd)) + 1,
    shrink_by_loop_with_ge,
], ids=["floor-plus-one", "int-plus-one", "loop-with-ge"])
def test_steps_to_shrink_rejects_one_step_too_many_at_exact_powers(wrong):
    assert_rejected(nb08.check_steps_to_shrink, wrong, "after 2 steps the weight is exactly the fraction")


def test_steps_to_shrink_stub_is_not_written_yet():
    assert_rejected(nb08.check_steps_to_shrink, not_written, "not written yet", runs=1)
