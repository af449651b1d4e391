"""The exercise checks of notebook 07 accept correct answers and reject the typical wrong ones."""

import numpy as np
import pytest
import torch
import torch.nn as nn

from course_utils.checks import nb07
from course_utils.selfcheck import SelfCheckError


def not_written(*args):
    raise NotImplementedError("Exercise: write this part, then run the check below.")


# ----------------------------------------------------------------------------------------- conv_output_size


@pytest.mark.parametrize("size,kernel,padding,stride", [(28, 5, 2, 1), (28, 3, 0, 1), (28, 3, 1, 2), (13, 4, 1, 3)])
def test_conv_output_size_reference_matches_pytorch(size, kernel, padding, stride):
    layer = nn.Conv2d(1, 1, kernel, padding=padding, stride=stride)
    out = layer(torch.zeros(1, 1, size, size))
    assert out.shape[-1] == nb07.reference_conv_output_size(size, kernel, padding, stride)


def test_conv_output_size_accepts_reference(capsys):
    nb07.check_conv_output_size(nb07.reference_conv_output_size)
    assert "all 16 checks passed" in capsys.readouterr().out


@pytest.mark.parametrize("wrong,hint", [
    (lambda s, k, p=0, st=1: (s - k) // st + 1, "padding is missing"),
    (lambda s, k, p=0, st=1: (s + p - k) // st + 1, "both sides"),
    (lambda s, k, p=0, st=1: (s + 2 * p - k) // st, "add 1"),
    (lambda s, k, p=0, st=1: s + 2 * p - k + 1, "divide by the stride"),
])
def test_conv_output_size_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb07.check_conv_output_size(wrong)


def test_conv_output_size_stub_is_not_written_yet():
    with pytest.raises(SelfCheckError, match="not written yet"):
        nb07.check_conv_output_size(not_written)


# ----------------------------------------------------------------------------------------- conv_parameter_count


@pytest.mark.parametrize("c_in,c_out,k", [(1, 16, 5), (16, 32, 3), (3, 7, 2)])
def test_conv_parameter_count_reference_matches_pytorch(c_in, c_out, k):
    layer = nn.Conv2d(c_in, c_out, k)
    assert sum(p.numel() for p in layer.parameters()) == nb07.reference_conv_parameter_count(c_in, c_out, k)


def test_conv_parameter_count_accepts_reference(capsys):
    nb07.check_conv_parameter_count(nb07.reference_conv_parameter_count)
    assert "checks passed" in capsys.readouterr().out


@pytest.mark.parametrize("wrong,hint", [
    (lambda c_in, c_out, k: c_out * c_in * k * k, "biases are missing"),
    (lambda c_in, c_out, k: c_out * (k * k + 1), "every input channel"),
    (lambda c_in, c_out, k: c_out * (c_in * k + 1), "k × k square"),
])
def test_conv_parameter_count_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb07.check_conv_parameter_count(wrong)


def test_conv_parameter_count_stub_is_not_written_yet():
    with pytest.raises(SelfCheckError, match="not written yet"):
        nb07.check_conv_parameter_count(not_written)


# ----------------------------------------------------------------------------------------- per_class_recall


def test_per_class_recall_accepts_reference(capsys):
    nb07.check_per_class_recall(nb07.reference_per_class_recall)
    assert "checks passed" in capsys.readouterr().out


def test_per_class_recall_accepts_a_torch_answer(capsys):
    def with_torch(confusion):
        confusion = torch.as_tensor(confusion, dtype=torch.float64)
        return confusion.diagonal() / confusion.sum(dim=1)

    nb07.check_per_class_recall(with_torch)
    assert "checks passed" in capsys.readouterr().out


@pytest.mark.parametrize("wrong,hint", [
    (lambda c: np.diag(c) / np.asarray(c).sum(axis=0), "precision"),
    (lambda c: np.diag(c).astype(float), "those are counts"),
    (lambda c: np.diag(c) / np.asarray(c).sum(), "not by the total"),
])
def test_per_class_recall_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb07.check_per_class_recall(wrong)


def test_per_class_recall_stub_is_not_written_yet():
    with pytest.raises(SelfCheckError, match="not written yet"):
        nb07.check_per_class_recall(not_written)
