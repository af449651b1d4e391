"""The exercise checks of notebook 08 accept correct answers and reject the typical wrong ones."""

import pytest
import torch

from course_utils.checks import nb08
from course_utils.selfcheck import SelfCheckError


def not_written(*args):
    raise NotImplementedError("Exercise: write this part, then run the check below.")


# ----------------------------------------------------------------------------------------- apply_dropout


def test_apply_dropout_reference_keeps_the_expectation():
    g = torch.Generator().manual_seed(0)
    x = torch.full((200_000,), 3.0)
    for p in (0.2, 0.5, 0.8):
        keep = (torch.rand(x.shape, generator=g) >= p).float()
        assert abs(nb08.reference_apply_dropout(x, keep, p).mean().item() - 3.0) < 0.05


def test_apply_dropout_accepts_reference(capsys):
    nb08.check_apply_dropout(nb08.reference_apply_dropout)
    assert "checks passed" in capsys.readouterr().out


@pytest.mark.parametrize("wrong,hint", [
    (lambda x, keep, p: x * keep, "scaled by 1 / \\(1 - p\\)"),
    (lambda x, keep, p: x * keep * (1 - p), "don't multiply"),
    (lambda x, keep, p: x * keep / p, "not by the drop probability"),
    (lambda x, keep, p: x * (1 - keep) / (1 - p), "not by 1 - keep"),
])
def test_apply_dropout_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb08.check_apply_dropout(wrong)


def test_apply_dropout_stub_is_not_written_yet():
    with pytest.raises(SelfCheckError, match="not written yet"):
        nb08.check_apply_dropout(not_written)


# ----------------------------------------------------------------------------------------- early_stopping_epochs


def test_early_stopping_reference_on_known_curves():
    assert nb08.reference_early_stopping_epochs([1.0, 0.8, 0.6], 2) == (3, 3)
    assert nb08.reference_early_stopping_epochs([1.0, 0.5, 0.5, 0.5, 0.6], 2) == (2, 4)
    assert nb08.reference_early_stopping_epochs([0.9, 1.0, 1.1, 1.2, 0.1], 3) == (1, 4)


def test_early_stopping_accepts_reference(capsys):
    nb08.check_early_stopping_epochs(nb08.reference_early_stopping_epochs)
    assert "checks passed" in capsys.readouterr().out


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
    (lambda losses, patience: [1, len(losses)], "return a tuple"),
])
def test_early_stopping_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb08.check_early_stopping_epochs(wrong)


def test_early_stopping_stub_is_not_written_yet():
    with pytest.raises(SelfCheckError, match="not written yet"):
        nb08.check_early_stopping_epochs(not_written)


# ----------------------------------------------------------------------------------------- weight decay


def test_weight_decay_reference_matches_torch_sgd():
    w = torch.randn(7, generator=torch.Generator().manual_seed(0))
    grad = torch.randn(7, generator=torch.Generator().manual_seed(1))
    param = torch.nn.Parameter(w.clone())
    optimizer = torch.optim.SGD([param], lr=0.1, weight_decay=0.05)
    param.grad = grad.clone()
    optimizer.step()
    assert torch.allclose(param.detach(), nb08.reference_sgd_step_with_weight_decay(w, grad, 0.1, 0.05))


def test_weight_decay_accepts_reference(capsys):
    nb08.check_sgd_step_with_weight_decay(nb08.reference_sgd_step_with_weight_decay)
    assert "checks passed" in capsys.readouterr().out


@pytest.mark.parametrize("wrong,hint", [
    (lambda w, g, lr, wd: w - lr * g, "weight decay is missing"),
    (lambda w, g, lr, wd: w - lr * g - wd * w, "multiplied by the learning rate"),
    (lambda w, g, lr, wd: w - lr * (g - wd * w), "towards zero"),
    (lambda w, g, lr, wd: w - lr * (g + 2 * wd * w), "no factor 2"),
])
def test_weight_decay_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb08.check_sgd_step_with_weight_decay(wrong)


def test_weight_decay_stub_is_not_written_yet():
    with pytest.raises(SelfCheckError, match="not written yet"):
        nb08.check_sgd_step_with_weight_decay(not_written)
