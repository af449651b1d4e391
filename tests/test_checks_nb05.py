import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_utils.checks import nb05
from course_utils.selfcheck import SelfCheckError


def stub(*args):
    raise NotImplementedError("Exercise: write this part, then run the check below.")


# --------------------------------------------------------------------------------------------- exercise 1


def naive_softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def global_max_softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum(axis=-1, keepdims=True)


def column_softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def unnormalised_softmax(z):
    return np.exp(z - z.max(axis=-1, keepdims=True))


def test_stable_softmax_accepts_the_reference_and_torch():
    nb05.check_stable_softmax(nb05.reference_stable_softmax)
    nb05.check_stable_softmax(lambda z: torch.softmax(torch.from_numpy(z), dim=-1))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(
    "wrong, hint",
    [
        (naive_softmax, "overflowed: subtract each row's maximum"),
        (global_max_softmax, "not of the whole array"),
        (column_softmax, "each column sums to 1"),
        (unnormalised_softmax, "divide each by the sum of its row"),
        (stub, "not written yet"),
    ],
)
def test_stable_softmax_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb05.check_stable_softmax(wrong)


# --------------------------------------------------------------------------------------------- exercise 2


def eps_cross_entropy(logits, labels):
    p = nb05.reference_stable_softmax(logits)
    return -np.log(p[np.arange(len(labels)), labels] + 1e-10).mean()


def naive_cross_entropy(logits, labels):
    e = np.exp(logits)
    return -np.log(e[np.arange(len(labels)), labels] / e.sum(axis=1)).mean()


def summed_cross_entropy(logits, labels):
    return nb05.reference_cross_entropy_loss(logits, labels) * len(labels)


def test_cross_entropy_accepts_the_reference_and_torch():
    nb05.check_cross_entropy_loss(nb05.reference_cross_entropy_loss)
    nb05.check_cross_entropy_loss(lambda z, y: F.cross_entropy(torch.from_numpy(z), torch.from_numpy(y)))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(
    "wrong, hint",
    [
        (eps_cross_entropy, "log\\(p \\+ 1e-10\\) version"),
        (naive_cross_entropy, "exp overflowed"),
        (summed_cross_entropy, "sum over the batch"),
        (lambda z, y: -nb05.reference_cross_entropy_loss(z, y), "sign is flipped"),
        (lambda z, y: -nb05._log_softmax(z).mean(), "true class"),
        (lambda z, y: -nb05._log_softmax(z)[np.arange(len(y)), y], "one number"),
        (stub, "not written yet"),
    ],
)
def test_cross_entropy_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb05.check_cross_entropy_loss(wrong)


# --------------------------------------------------------------------------------------------- exercise 3


def test_softmax_regression_grads_accepts_the_reference_and_autograd():
    nb05.check_softmax_regression_grads(nb05.reference_softmax_regression_grads)

    def by_autograd(x, labels, W, b):
        W, b = torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)
        F.cross_entropy(torch.from_numpy(x) @ W + b, torch.from_numpy(labels)).backward()
        return W.grad, b.grad

    nb05.check_softmax_regression_grads(by_autograd)


def scaled(factor, transpose=False):
    def grads(x, labels, W, b):
        dW, db = nb05.reference_softmax_regression_grads(x, labels, W, b)
        return (factor * dW).T if transpose else factor * dW, factor * db
    return grads


def wrong_db(x, labels, W, b):
    dW, db = nb05.reference_softmax_regression_grads(x, labels, W, b)
    return dW, db * len(labels)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (scaled(-1.0), "sign is flipped"),
        (lambda x, y, W, b: tuple(len(y) * g for g in nb05.reference_softmax_regression_grads(x, y, W, b)),
         "divide \\(p - y\\) by the number of examples"),
        (scaled(1.0, transpose=True), "shape of W transposed"),
        (wrong_db, "db is the sum over the batch"),
        (stub, "not written yet"),
    ],
)
def test_softmax_regression_grads_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb05.check_softmax_regression_grads(wrong)
