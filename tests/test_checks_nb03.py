import numpy as np
import pytest

from course_utils.checks import nb03
from course_utils.selfcheck import SelfCheckError


def stub(*args):
    raise NotImplementedError("Exercise: write this part, then run the check below.")


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# ------------------------------------------------------------------------------------ exercise 1


def test_tanh_neuron_gradients_accepts_the_reference_and_an_equivalent():
    nb03.check_tanh_neuron_gradients(nb03.reference_tanh_neuron_gradients)

    def via_cosh(x, y, w, b):
        z = w * x + b
        dL_dz = 2 * (np.tanh(z) - y) / np.cosh(z) ** 2
        return dL_dz * x, dL_dz

    nb03.check_tanh_neuron_gradients(via_cosh)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda x, y, w, b: (2 * (np.tanh(w * x + b) - y) * x, 2 * (np.tanh(w * x + b) - y)), "slope"),
        (lambda x, y, w, b: (2 * (np.tanh(w * x + b) - y) * (1 - np.tanh(w * x + b)) * x,
                             2 * (np.tanh(w * x + b) - y) * (1 - np.tanh(w * x + b))), "squared"),
        (lambda x, y, w, b: ((np.tanh(w * x + b) - y) * (1 - np.tanh(w * x + b) ** 2) * x,
                             (np.tanh(w * x + b) - y) * (1 - np.tanh(w * x + b) ** 2)), "factor 2"),
        (lambda x, y, w, b: (2 * (np.tanh(w * x + b) - y) * (1 - np.tanh(w * x + b) ** 2),
                             2 * (np.tanh(w * x + b) - y) * (1 - np.tanh(w * x + b) ** 2) * x), "swapped"),
        (lambda x, y, w, b: 2 * (np.tanh(w * x + b) - y) * (1 - np.tanh(w * x + b) ** 2) * x, "return a pair"),
        (stub, "not written yet"),
    ],
)
def test_tanh_neuron_gradients_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb03.check_tanh_neuron_gradients(wrong)


# ------------------------------------------------------------------------------------ exercise 2


def test_bce_logit_gradient_accepts_the_reference_and_the_plain_sigmoid():
    nb03.check_bce_logit_gradient(nb03.reference_bce_logit_gradient)
    nb03.check_bce_logit_gradient(lambda z, y: (sigmoid(z) - y) / len(y))


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda z, y: sigmoid(z) - y, "divide by len"),
        (lambda z, y: (y - sigmoid(z)) / len(y), "sign is flipped"),
        (lambda z, y: (sigmoid(z) - y) * sigmoid(z) * (1 - sigmoid(z)) / len(y), "cancels"),
        (lambda z, y: (z - y) / len(y), "probabilities first"),
        (lambda z, y: np.mean(sigmoid(z) - y), "expected shape"),
        (stub, "not written yet"),
    ],
)
def test_bce_logit_gradient_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb03.check_bce_logit_gradient(wrong)


# ------------------------------------------------------------------------------------ exercise 3


def test_dense_relu_backward_accepts_the_reference_and_an_equivalent():
    nb03.check_dense_relu_backward(nb03.reference_dense_relu_backward)

    def with_where(X, W, b, grad_out):
        d = np.where(X @ W + b > 0, grad_out, 0.0)
        return np.einsum("nm,nk->mk", X, d), np.sum(d, axis=0), np.einsum("nk,mk->nm", d, W)

    nb03.check_dense_relu_backward(with_where)


def _backward_with(mask_fn):
    def backward(X, W, b, grad_out):
        d = grad_out * mask_fn(X, W, b, grad_out)
        return X.T @ d, d.sum(axis=0), d @ W.T
    return backward


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (_backward_with(lambda X, W, b, g: 1.0), "slope is missing"),
        (_backward_with(lambda X, W, b, g: g > 0), "not from grad_out"),
        (_backward_with(lambda X, W, b, g: np.maximum(0, X @ W + b)), "not by its output"),
        (lambda X, W, b, g: (X.T @ (g * (X @ W + b > 0)), g * (X @ W + b > 0), (g * (X @ W + b > 0)) @ W.T),
         "sum the masked gradient over the batch"),
        (lambda X, W, b, g: ((g * (X @ W + b > 0)).T @ X, (g * (X @ W + b > 0)).sum(0), (g * (X @ W + b > 0)) @ W.T),
         "shape of W"),
        (lambda X, W, b, g: (X.T @ g, g.sum(0)), "three arrays"),
        (stub, "not written yet"),
    ],
)
def test_dense_relu_backward_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb03.check_dense_relu_backward(wrong)
