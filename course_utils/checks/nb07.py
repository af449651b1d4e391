"""Checks for notebook 07, CNN vs MLP on MNIST."""

import numpy as np

from course_utils.selfcheck import check_function


def reference_conv_output_size(size, kernel, padding=0, stride=1):
    return (size + 2 * padding - kernel) // stride + 1


def reference_conv_parameter_count(in_channels, out_channels, kernel):
    return out_channels * (in_channels * kernel * kernel + 1)


def reference_per_class_recall(confusion):
    confusion = np.asarray(confusion, dtype=np.float64)
    return np.diag(confusion) / confusion.sum(axis=1)


def check_conv_output_size(conv_output_size):
    """Exercise 1: the height (or width) of a convolution's or pooling's output."""
    rng = np.random.default_rng()
    cases = [(28, 5, 2, 1), (28, 3, 0, 1), (28, 2, 0, 2), (7, 2, 0, 2), (28, 3, 1, 2), (5, 5, 0, 1)]
    while len(cases) < 16:
        size, kernel, padding, stride = (int(v) for v in (rng.integers(4, 65), rng.integers(1, 8),
                                                          rng.integers(0, 4), rng.integers(1, 4)))
        if kernel <= size + 2 * padding:
            cases.append((size, kernel, padding, stride))

    def diagnose(args, got, expected):
        size, kernel, padding, stride = args
        got = float(np.asarray(got))
        if got == (size - kernel) // stride + 1:
            return "the padding is missing: it adds `padding` pixels on both sides, 2 * padding in all."
        if got == (size + padding - kernel) // stride + 1:
            return "padding is added on both sides of the image: use 2 * padding."
        if got == (size + 2 * padding - kernel) // stride:
            return "count the positions: the first one is at 0, so add 1 after dividing by the stride."
        if got == size + 2 * padding - kernel + 1:
            return "with a stride the filter jumps `stride` pixels at a time: divide by the stride."
        if got == (size + 2 * padding - kernel) / stride + 1:
            return "a filter only fits at whole positions: use floor division `//`, not `/`."
        return None

    check_function(conv_output_size, reference_conv_output_size, cases, name="conv_output_size",
                   diagnose=diagnose)


def check_conv_parameter_count(conv_parameter_count):
    """Exercise 2: the number of weights and biases of an ``nn.Conv2d`` layer."""
    rng = np.random.default_rng()
    cases = [(1, 16, 5), (16, 32, 3), (32, 64, 3), (3, 8, 1), (1, 1, 3)]
    cases += [tuple(int(v) for v in (rng.integers(1, 65), rng.integers(1, 129), rng.integers(1, 8)))
              for _ in range(10)]

    def diagnose(args, got, expected):
        c_in, c_out, k = args
        got = float(np.asarray(got))
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
                   name="conv_parameter_count", diagnose=diagnose)


def _confusion_cases():
    rng = np.random.default_rng()
    cases = [np.array([[5, 1], [2, 2]]), np.diag([3, 4, 5]), np.ones((4, 4), dtype=np.int64)]
    for classes in (3, 10, 10):
        confusion = rng.integers(0, 6, size=(classes, classes)) + np.diag(rng.integers(10, 100, size=classes))
        cases.append(confusion)
    return [(c,) for c in cases]


def check_per_class_recall(per_class_recall):
    """Exercise 3: the fraction of each true class that the model got right, from a confusion matrix."""

    def diagnose(args, got, expected):
        confusion = np.asarray(args[0], dtype=np.float64)
        got = np.asarray(got, dtype=np.float64)
        if got.shape != expected.shape:
            return "return one number per class: a 1-D array of length C."
        diagonal = np.diag(confusion)
        if np.allclose(got, diagonal / confusion.sum(axis=0)):
            return ("you divided by the column sums (how often each class was *predicted*): that is precision. "
                    "Rows are the true classes: divide by the row sums.")
        if np.allclose(got, diagonal):
            return "those are counts: divide each by the number of images of that class (its row sum)."
        if np.allclose(got, diagonal / confusion.sum()):
            return "divide by the row sum of each class, not by the total number of images."
        return None

    check_function(per_class_recall, reference_per_class_recall, _confusion_cases(), name="per_class_recall",
                   diagnose=diagnose)
