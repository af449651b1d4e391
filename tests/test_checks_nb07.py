"""The exercise checks of notebook 07 accept correct answers and reject the typical wrong ones, every run."""

import math

import numpy as np
import pytest
import torch
import torch.nn as nn

from checkkit import assert_accepted, assert_rejected
from course_utils.checks import nb07


def not_written(*args):
    raise NotImplementedError("Exercise: write this part, then run the check below.")


# ----------------------------------------------------------------------------------------- conv_output_size


@pytest.mark.parametrize("size,kernel,padding,stride", [(28, 5, 2, 1), (28, 3, 0, 1), (28, 3, 1, 2), (13, 4, 1, 3)])
def test_conv_output_size_reference_matches_pytorch(size, kernel, padding, stride):
    layer = nn.Conv2d(1, 1, kernel, padding=padding, stride=stride)
    out = layer(torch.zeros(1, 1, size, size))
    assert out.shape[-1] == nb07.reference_conv_output_size(size, kernel, padding, stride)


def output_size_by_counting(size, kernel, padding=0, stride=1):
    positions, start = 0, 0
    while start + kernel <= size + 2 * padding:
        positions += 1
        start += stride
    return positions


@pytest.mark.parametrize("answer", [
    nb07.reference_conv_output_size,
    lambda size, kernel, padding=0, stride=1: math.floor((size + 2 * padding - kernel) / stride) + 1,
    lambda size, kernel, padding=0, stride=1: len(range(0, size + 2 * padding - kernel + 1, stride)),
    output_size_by_counting,
    lambda size, kernel, padding=0, stride=1: np.int64((size + 2 * padding - kernel) // stride + 1),
], ids=["reference", "floor", "range", "loop", "numpy-int"])
def test_conv_output_size_accepts_right_answers(answer):
    assert_accepted(nb07.check_conv_output_size, answer)


@pytest.mark.parametrize("wrong,hint", [
    (lambda s, k, p=0, st=1: (s - k) // st + 1, "padding is missing"),
    (lambda s, k, p=0, st=1: (s + p - k) // st + 1, "both sides"),
    (lambda s, k, p=0, st=1: (s + 2 * p - k) // st, "add 1"),
    (lambda s, k, p=0, st=1: s + 2 * p - k + 1, "divide by the stride"),
    (lambda s, k, p=0, st=1: (s + 2 * p - k) / st + 1, "floor division"),
    (lambda s, k, p=0, st=1: math.ceil((s + 2 * p - k) / st) + 1, "round down"),
], ids=["no-padding", "one-side", "no-plus-one", "no-stride", "true-division", "ceil"])
def test_conv_output_size_rejects_typical_mistakes(wrong, hint):
    assert_rejected(nb07.check_conv_output_size, wrong, hint)


def output_size_stride_before_padding(size, kernel, stride=1, padding=0):  # right formula, parameters reordered
    return (size + 2 * padding - kernel) // stride + 1


def test_conv_output_size_names_the_exercises_order_when_the_parameters_are_reordered():
    message = assert_rejected(nb07.check_conv_output_size, output_size_stride_before_padding,
                              "your parameters are in the order \\(size, kernel, stride, padding\\)")
    # the input is shown with the exercise's names, so the learner reads the intended meaning of each value
    assert "size=28, kernel=5, padding=2, stride=1" in message, message


def test_conv_output_size_shows_the_exercises_names_for_other_names():
    message = assert_rejected(nb07.check_conv_output_size, lambda s, k, st=1, p=0: (s + 2 * p - k) // st + 1,
                              "expected 28, got 13")
    assert "size=28, kernel=5, padding=2, stride=1" in message, message


@pytest.mark.parametrize("wrong,hint", [
    (lambda size, kernel, padding, stride: (size + 2 * padding - kernel) // stride + 1,
     "could not be called with only size and kernel.*padding=0, stride=1"),
    (lambda size, kernel, padding=1, stride=1: (size + 2 * padding - kernel) // stride + 1, "default to 0"),
    (lambda size, kernel, padding=0, stride=2: (size + 2 * padding - kernel) // stride + 1, "default to 0"),
], ids=["no-defaults", "padding-defaults-to-1", "stride-defaults-to-2"])
def test_conv_output_size_tests_the_defaults_the_text_promises(wrong, hint):
    assert_rejected(nb07.check_conv_output_size, wrong, hint)


def test_conv_output_size_stub_is_not_written_yet():
    assert_rejected(nb07.check_conv_output_size, not_written, "not written yet", runs=1)


# ----------------------------------------------------------------------------------------- conv_parameter_count


@pytest.mark.parametrize("c_in,c_out,k", [(1, 16, 5), (16, 32, 3), (3, 7, 2)])
def test_conv_parameter_count_reference_matches_pytorch(c_in, c_out, k):
    layer = nn.Conv2d(c_in, c_out, k)
    assert sum(p.numel() for p in layer.parameters()) == nb07.reference_conv_parameter_count(c_in, c_out, k)


def test_the_notebooks_block_2_answer_is_4640():
    assert nb07.reference_conv_parameter_count(16, 32, 3) == 4640  # the table prints 4,608 weights + 32 biases


@pytest.mark.parametrize("answer", [
    nb07.reference_conv_parameter_count,
    lambda c_in, c_out, k: c_out * c_in * k ** 2 + c_out,
    lambda c_in, c_out, k: sum(p.numel() for p in nn.Conv2d(c_in, c_out, k).parameters()),
    lambda c_in, c_out, k: np.prod([c_out, c_in, k, k]) + c_out,
], ids=["reference", "expanded", "build-the-layer", "numpy"])
def test_conv_parameter_count_accepts_right_answers(answer):
    assert_accepted(nb07.check_conv_parameter_count, answer)


@pytest.mark.parametrize("wrong,hint", [
    (lambda c_in, c_out, k: c_out * c_in * k * k, "biases are missing"),
    (lambda c_in, c_out, k: c_out * (k * k + 1), "every input channel"),
    (lambda c_in, c_out, k: c_out * (c_in * k + 1), "k × k square"),
    (lambda c_in, c_out, k: c_in * c_out * k * k + c_in, "per output channel"),
    (lambda c_in, c_out, k: c_out * (c_in * k * k + 1) + 2 * c_out, "batch norm"),
], ids=["no-bias", "one-channel-filters", "k-not-squared", "bias-per-input", "with-batch-norm"])
def test_conv_parameter_count_rejects_typical_mistakes(wrong, hint):
    assert_rejected(nb07.check_conv_parameter_count, wrong, hint)


def test_conv_parameter_count_stub_is_not_written_yet():
    assert_rejected(nb07.check_conv_parameter_count, not_written, "not written yet", runs=1)


# ----------------------------------------------------------------------------------------- per_class_recall


def recall_with_torch(confusion):
    confusion = torch.as_tensor(confusion, dtype=torch.float64)
    return confusion.diagonal() / confusion.sum(dim=1)


def recall_by_loop(confusion):
    return [row[i] / sum(row) for i, row in enumerate(np.asarray(confusion).tolist())]


@pytest.mark.parametrize("answer", [
    nb07.reference_per_class_recall,
    recall_with_torch,
    lambda c: np.array(recall_by_loop(c)),
    lambda c: (np.diag(c) / np.sum(c, axis=1)).astype(np.float32),
    lambda c: torch.as_tensor(np.diag(c) / np.sum(c, axis=1), dtype=torch.float32),
], ids=["reference", "torch", "loop-then-array", "float32", "torch-float32"])
def test_per_class_recall_accepts_right_answers(answer):
    assert_accepted(nb07.check_per_class_recall, answer)


@pytest.mark.parametrize("wrong,hint", [
    (lambda c: np.diag(c) / np.asarray(c).sum(axis=0), "precision"),
    (lambda c: np.diag(c).astype(float), "those are counts"),
    (lambda c: np.diag(c) / np.asarray(c).sum(), "not by the total"),
    (lambda c: 100 * np.diag(c) / np.asarray(c).sum(axis=1), "not percentages"),
    (lambda c: np.diag(c) // np.asarray(c).sum(axis=1), "rounds down"),
    (lambda c: np.asarray(c) / np.asarray(c).sum(axis=1, keepdims=True), "not the whole matrix"),
], ids=["precision", "counts", "total", "percent", "floor-division", "whole-matrix"])
def test_per_class_recall_rejects_typical_mistakes(wrong, hint):
    assert_rejected(nb07.check_per_class_recall, wrong, hint)


def test_a_tensor_works_in_the_cell_after_the_check():
    """The check accepts a tensor because the notebook's next cell works with one (it calls these two)."""
    recall = recall_with_torch(np.array([[5, 1], [2, 2]]))
    assert int(np.argmin(recall)) == 1 and f"{recall.min():.1%}" == "50.0%"


@pytest.mark.parametrize("wrong", [recall_by_loop, lambda c: tuple(recall_by_loop(c))], ids=["loop-list", "tuple"])
def test_per_class_recall_rejects_a_list_the_next_cell_cannot_use(wrong):
    with pytest.raises(AttributeError):
        wrong(np.array([[5, 1], [2, 2]])).min()  # what the notebook's next cell would do with it
    assert_rejected(nb07.check_per_class_recall, wrong, "return a 1-D float NumPy array.*calls `recall.min\\(\\)`")


def test_per_class_recall_stub_is_not_written_yet():
    assert_rejected(nb07.check_per_class_recall, not_written, "not written yet", runs=1)


# ----------------------------------------------------------------------------------------- receptive_field


def test_receptive_field_reference_on_known_stacks():
    assert nb07.reference_receptive_field([]) == 1
    assert nb07.reference_receptive_field([(3, 1), (3, 1)]) == 5
    assert nb07.reference_receptive_field([(5, 1), (2, 2), (3, 1), (2, 2), (3, 1), (2, 2)]) == 24


def test_receptive_field_reference_matches_autograd():
    """Which input pixels reach one output value: the gradient of a linear stack (positive weights, average
    pooling, no padding) is non-zero exactly on the receptive field."""
    layers = [(5, 1), (2, 2), (3, 1), (2, 2), (3, 1)]
    modules = [nn.Conv2d(1, 1, k, stride=s, bias=False) if s == 1 else nn.AvgPool2d(k, s) for k, s in layers]
    for m in modules:
        if isinstance(m, nn.Conv2d):
            nn.init.constant_(m.weight, 1.0)
    image = torch.zeros(1, 1, 40, 40, requires_grad=True)
    out = nn.Sequential(*modules)(image)
    out[0, 0, 0, 0].backward()
    rows = torch.nonzero(image.grad[0, 0].sum(dim=1)).ravel()
    assert len(rows) == nb07.reference_receptive_field(layers)


def field_top_down(layers):
    field = 1
    for kernel, stride in reversed(layers):
        field = (field - 1) * stride + kernel
    return field


def field_vectorised(layers):
    if not layers:
        return 1
    kernels, strides = np.array(layers).T
    jumps = np.concatenate([[1], np.cumprod(strides)[:-1]])
    return int(1 + np.sum((kernels - 1) * jumps))


def field_closed_form(layers):  # the notebook's solution
    strides = [stride for _, stride in layers]
    return 1 + sum((kernel - 1) * math.prod(strides[:i]) for i, (kernel, _) in enumerate(layers))


@pytest.mark.parametrize("answer", [nb07.reference_receptive_field, field_top_down, field_vectorised,
                                    field_closed_form], ids=["reference", "top-down", "vectorised", "closed-form"])
def test_receptive_field_accepts_right_answers(answer):
    assert_accepted(nb07.check_receptive_field, answer)


def field_stride_first(layers):
    field, jump = 1, 1
    for kernel, stride in layers:
        jump *= stride
        field += (kernel - 1) * jump
    return field


def field_whole_kernel(layers):
    field, jump = 1, 1
    for kernel, stride in layers:
        field += kernel * jump
        jump *= stride
    return field


def field_starts_at_zero(layers):
    return nb07.reference_receptive_field(layers) - 1 if layers else 0


@pytest.mark.parametrize("wrong,hint", [
    (lambda layers: 1 + sum(k - 1 for k, _ in layers), "keep a running jump"),
    (field_stride_first, "add \\(kernel - 1\\) \\* jump first"),
    (field_whole_kernel, "not k"),
    (lambda layers: sum(k for k, _ in layers), "do not add or multiply"),
    (lambda layers: int(np.prod([s for _, s in layers])), "that is the jump"),
    (field_starts_at_zero, "start the field at 1"),
], ids=["no-strides", "stride-first", "whole-kernel", "sum", "jump", "zero-start"])
def test_receptive_field_rejects_typical_mistakes(wrong, hint):
    assert_rejected(nb07.check_receptive_field, wrong, hint)


def field_walked_in_reverse(layers):
    field, jump = 1, 1
    for kernel, stride in reversed(layers):
        field += (kernel - 1) * jump
        jump *= stride
    return field


def test_receptive_field_without_a_matching_diagnosis_still_gives_a_hint():
    message = assert_rejected(nb07.check_receptive_field, field_walked_in_reverse, "Hint: work this stack out by hand")
    assert "Hint: The layers" not in message, message


def test_receptive_field_stub_is_not_written_yet():
    assert_rejected(nb07.check_receptive_field, not_written, "not written yet", runs=1)
