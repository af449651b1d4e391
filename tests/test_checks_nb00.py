import numpy as np
import pytest

from course_utils.checks import nb00
from course_utils.selfcheck import SelfCheckError


def stub(*args):
    raise NotImplementedError("Exercise: write this part, then run the check below.")


def test_mse_loss_accepts_the_reference_and_an_equivalent():
    nb00.check_mse_loss(nb00.reference_mse_loss)
    nb00.check_mse_loss(lambda w, x, y: np.sum((y - w * x) ** 2) / len(x))


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda w, x, y: np.sum((w * x - y) ** 2), "sum of the squared errors"),
        (lambda w, x, y: np.mean(np.abs(w * x - y)), "mean absolute error"),
        (lambda w, x, y: np.mean(w * x - y), "cancel out"),
        (lambda w, x, y: (w * x - y) ** 2, "expected shape"),
        (stub, "not written yet"),
    ],
)
def test_mse_loss_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb00.check_mse_loss(wrong)


def test_loss_slope():
    nb00.check_loss_slope(nb00.reference_loss_slope)
    with pytest.raises(SelfCheckError, match="sign is flipped"):
        nb00.check_loss_slope(lambda w, x, y: np.mean(2 * x * (y - w * x)))
    with pytest.raises(SelfCheckError, match="factor 2"):
        nb00.check_loss_slope(lambda w, x, y: np.mean(x * (w * x - y)))
    with pytest.raises(SelfCheckError, match="not written yet"):
        nb00.check_loss_slope(stub)


def test_gradient_step():
    nb00.check_gradient_step(nb00.reference_gradient_step)
    with pytest.raises(SelfCheckError, match="stepped uphill"):
        nb00.check_gradient_step(lambda w, s, lr: w + lr * s)
    with pytest.raises(SelfCheckError, match="scaled by the learning rate"):
        nb00.check_gradient_step(lambda w, s, lr: w - s)
    with pytest.raises(SelfCheckError, match="not written yet"):
        nb00.check_gradient_step(stub)
