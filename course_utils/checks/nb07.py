"""Checks for notebook 07, CNN vs MLP on MNIST."""

import numpy as np
import torch

from course_utils.checks import reordered_parameters_hint
from course_utils.selfcheck import SelfCheckError, _kind, check_function, describe


def reference_conv_output_size(size, kernel, padding=0, stride=1):
    return (size + 2 * padding - kernel) // stride + 1


def reference_conv_parameter_count(in_channels, out_channels, kernel):
    return out_channels * (in_channels * kernel * kernel + 1)


def reference_per_class_recall(confusion):
    confusion = np.asarray(confusion, dtype=np.float64)
    return np.diag(confusion) / confusion.sum(axis=1)


def reference_receptive_field(layers):
    field, jump = 1, 1
    for kernel, stride in layers:
        field += (kernel - 1) * jump
        jump *= stride
    return field


# --------------------------------------------------------------------------------------------- Exercise 2


CONV_OUTPUT_SIZE_PARAMETERS = ("size", "kernel", "padding", "stride")  # the order the exercise text gives


def _call_with_defaults(learner, *args):
    """Call the learner's function; a case of two arguments tests the defaults padding=0, stride=1."""
    if len(args) == 2:
        try:
            return learner(*args)
        except TypeError as exc:
            if "argument" not in str(exc):
                raise
            raise SelfCheckError(
                f"`conv_output_size` could not be called with only size and kernel (for input "
                f"{describe(args, CONV_OUTPUT_SIZE_PARAMETERS)}): {exc}. The exercise gives padding and stride "
                "defaults, as nn.Conv2d does: write `def conv_output_size(size, kernel, padding=0, stride=1):`."
            ) from None
    return learner(*args)


def check_conv_output_size(conv_output_size):
    """Exercise 2: the height (or width) of a convolution's or pooling's output.

    Two cases give only ``size`` and ``kernel``: the text promises the defaults ``padding=0, stride=1``.
    """
    rng = np.random.default_rng()
    cases = [(28, 5, 2, 1), (28, 3, 0, 1), (28, 2, 0, 2), (7, 2, 0, 2), (28, 3, 1, 2), (5, 5, 0, 1), (9, 4, 1, 3),
             (28, 5), (9, 3)]
    while len(cases) < 18:
        size, kernel, padding, stride = (int(v) for v in (rng.integers(4, 65), rng.integers(1, 8),
                                                          rng.integers(0, 4), rng.integers(1, 4)))
        if kernel <= size + 2 * padding:
            cases.append((size, kernel, padding, stride))
    reordered = reordered_parameters_hint(conv_output_size, CONV_OUTPUT_SIZE_PARAMETERS)

    def diagnose(args, got, expected):
        if reordered:
            return reordered + " (nn.Conv2d puts stride before padding; this exercise does not.)"
        if len(args) == 2:
            return ("with only size and kernel given, padding must default to 0 and stride to 1: "
                    "`def conv_output_size(size, kernel, padding=0, stride=1):`.")
        size, kernel, padding, stride = args
        got = float(np.asarray(got))
        span = size + 2 * padding - kernel
        if got == (size - kernel) // stride + 1:
            return "the padding is missing: it adds `padding` pixels on both sides, 2 * padding in all."
        if got == (size + padding - kernel) // stride + 1:
            return "padding is added on both sides of the image: use 2 * padding."
        if got == span // stride:
            return "count the positions: the first one is at 0, so add 1 after dividing by the stride."
        if got == span + 1:
            return "with a stride the filter jumps `stride` pixels at a time: divide by the stride."
        if got == span / stride + 1:
            return "a filter only fits at whole positions: use floor division `//`, not `/`."
        if got == -(-span // stride) + 1:
            return "the last window must fit entirely inside the padded input: round down (`//`), not up."
        return None

    check_function(conv_output_size, reference_conv_output_size, cases, name="conv_output_size",
                   diagnose=diagnose, returns="number", call=_call_with_defaults,
                   arg_names=CONV_OUTPUT_SIZE_PARAMETERS)


# --------------------------------------------------------------------------------------------- Exercise 1


def check_conv_parameter_count(conv_parameter_count):
    """Exercise 1: the number of weights and biases of an ``nn.Conv2d`` layer."""
    rng = np.random.default_rng()
    cases = [(1, 16, 5), (16, 32, 3), (32, 64, 3), (3, 8, 1), (1, 1, 3), (4, 2, 2)]
    cases += [tuple(int(v) for v in (rng.integers(2, 33), rng.integers(2, 65), rng.integers(2, 6)))
              for _ in range(10)]

    def diagnose(args, got, expected):
        c_in, c_out, k = args
        got = float(np.asarray(got))
        if got == c_out * (c_in * k * k + 1) + 2 * c_out:
            return ("that also counts batch norm's two parameters per channel (γ and β): batch norm is a layer of "
                    "its own. `nn.Conv2d` alone has its filters and one bias per filter.")
        if got == c_out * c_in * k * k:
            return "the biases are missing: each output channel (each filter) has one bias."
        if got == c_out * (k * k + 1) and c_in > 1:
            return "each filter spans every input channel: it has in_channels * kernel * kernel weights."
        if got == c_in * c_out * k * k + c_in and c_in != c_out:
            return "there is one bias per output channel (per filter), not per input channel."
        if got == c_out * (c_in * k + 1) and k > 1:
            return "a kernel of size k is a k × k square: kernel * kernel weights per input channel."
        return None

    check_function(conv_parameter_count, reference_conv_parameter_count, cases,
                   name="conv_parameter_count", diagnose=diagnose, returns="number")


# --------------------------------------------------------------------------------------------- Exercise 3


def _confusion_cases():
    rng = np.random.default_rng()
    cases = [np.array([[5, 1], [2, 2]]), np.diag([3, 4, 5]), np.ones((4, 4), dtype=np.int64),
             np.array([[7, 3, 0], [0, 4, 6], [2, 0, 8]])]
    for classes in (3, 10, 10):
        confusion = rng.integers(0, 6, size=(classes, classes)) + np.diag(rng.integers(10, 100, size=classes))
        cases.append(confusion)
    return [(c,) for c in cases]


def check_per_class_recall(per_class_recall):
    """Exercise 3: the fraction of each true class that the model got right, from a confusion matrix."""

    def diagnose(args, got, expected):
        confusion = np.asarray(args[0], dtype=np.float64)
        got = np.asarray(got, dtype=np.float64)
        diagonal = np.diag(confusion)
        if got.shape == confusion.shape:
            return ("return one number per class (a 1-D array of length C), the diagonal of the row-normalised "
                    "matrix, not the whole matrix.")
        if got.shape != expected.shape:
            return "return one number per class: a 1-D array of length C."
        if np.allclose(got, 100 * expected):
            return "return fractions between 0 and 1, not percentages."
        if np.allclose(got, diagonal / confusion.sum(axis=0)):
            return ("you divided by the column sums (how often each class was *predicted*): that is precision. "
                    "Rows are the true classes: divide by the row sums.")
        if np.allclose(got, diagonal // confusion.sum(axis=1)):
            return "`//` rounds down to a whole number: use `/` for the fraction."
        if np.allclose(got, diagonal):
            return "those are counts: divide each by the number of images of that class (its row sum)."
        if np.allclose(got, diagonal / confusion.sum()):
            return "divide by the row sum of each class, not by the total number of images."
        return None

    def call(learner, confusion):
        got = learner(confusion)
        if got is not None and not isinstance(got, (np.ndarray, torch.Tensor)):
            raise SelfCheckError(
                f"`per_class_recall` returned {_kind(got)} (for input {describe((confusion,), ('confusion',))}): "
                "return a 1-D float NumPy array (e.g. `np.diag(confusion) / confusion.sum(axis=1)`, or "
                "`np.array(...)` around a list), because the cell after this one calls `recall.min()` on it, "
                "which a list or tuple does not have.")
        return got

    check_function(per_class_recall, reference_per_class_recall, _confusion_cases(), name="per_class_recall",
                   diagnose=diagnose, call=call, arg_names=("confusion",))


# --------------------------------------------------------------------------------------------- Exercise 4


def _field_variants(layers):
    """What the typical wrong ways of stacking fields give for ``layers``."""
    no_strides = 1 + sum(k - 1 for k, _ in layers)
    stride_first, jump = 1, 1
    for k, s in layers:
        jump *= s
        stride_first += (k - 1) * jump
    whole_kernel, jump = 1, 1
    for k, s in layers:
        whole_kernel += k * jump
        jump *= s
    product = int(np.prod([k for k, _ in layers])) if layers else 1
    return {"no strides": no_strides, "stride first": stride_first, "whole kernel": whole_kernel,
            "sum": sum(k for k, _ in layers), "product": product, "jump": jump}


def _layer_stacks():
    rng = np.random.default_rng()
    cases = [[(3, 1), (3, 1)], [(5, 1), (2, 2), (3, 1), (2, 2), (3, 1), (2, 2)], [(2, 2), (2, 2), (2, 2)],
             [(7, 2), (3, 2), (1, 1), (3, 1)], [(3, 2), (3, 1)], [(4, 1)], []]
    while len(cases) < 14:
        n = int(rng.integers(2, 7))
        cases.append([(int(rng.integers(1, 8)), int(rng.integers(1, 4))) for _ in range(n)])
    return [(c,) for c in cases]


def _field_hint(layers, got, expected):
    if not layers and got != 1:
        return "with no layers each value is one pixel of the image itself: start the field at 1."
    if got == expected - 1:
        return "start the field at 1 (one pixel sees itself), then widen it layer by layer."
    variants = _field_variants(layers)
    if got == variants["stride first"]:
        return ("a layer's own stride only spreads out the layers *above* it: add (kernel - 1) * jump first, "
                "then multiply the jump by the stride.")
    if got == variants["no strides"]:
        return ("a stride s below a layer makes each step of that layer span s times as many input pixels: "
                "keep a running jump and multiply it by each stride.")
    if got == variants["whole kernel"]:
        return ("stacking a k-wide window widens the field by k - 1 steps, not k: two 3×3 convolutions see "
                "5 pixels, not 7.")
    if got == variants["sum"] or got == variants["product"]:
        return ("fields do not add or multiply like that: two 3×3 convolutions see 5 pixels "
                "(3, plus 1 more on each side).")
    if got == variants["jump"]:
        return "that is the jump (the product of the strides); the field is the other running number."
    return None


def check_receptive_field(receptive_field):
    """Exercise 4: the side of the input window that one output value of a stack of layers depends on."""

    def diagnose(args, got, expected):
        (layers,) = args
        hint = _field_hint(layers, float(np.asarray(got)), expected)
        shown = "[" + ", ".join(f"({k}, {s})" for k, s in layers) + "]"
        if hint:
            return f"{hint} (The layers were {shown}.)"
        return (f"work this stack out by hand, from the input up: {shown}. Keep the field (start 1) and the "
                "jump (start 1) as you go, and compare each step with what your code computes.")

    check_function(receptive_field, reference_receptive_field, _layer_stacks(), name="receptive_field",
                   diagnose=diagnose, returns="number")
