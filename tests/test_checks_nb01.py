"""The checks of notebook 01 accept correct answers and reject the typical wrong ones with a useful hint."""

import numpy as np
import pytest

from course_utils.checks import nb01
from course_utils.selfcheck import SelfCheckError


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _stub(*args):
    raise NotImplementedError("Exercise: write this part, then run the check below.")


# --------------------------------------------------------------------------------------------- exercise 1


def test_perceptron_output_accepts_reference_and_torch_style_answer(capsys):
    nb01.check_perceptron_output(nb01.reference_perceptron_output)
    nb01.check_perceptron_output(lambda X, w, b: 0.5 * (1.0 + np.tanh(0.5 * (X @ w + b))))  # same function
    assert "all 5 checks passed" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (lambda X, w, b: X @ w + b, "pass it through the sigmoid"),
    (lambda X, w, b: _sigmoid(X @ w), "bias is missing"),
    (lambda X, w, b: _sigmoid(X @ w) + b, "inside the activation"),
    (lambda X, w, b: np.tanh(X @ w + b), "that is tanh"),
    (lambda X, w, b: 1.0 / (1.0 + np.exp(X @ w + b)), "sign in the exponent"),
])
def test_perceptron_output_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb01.check_perceptron_output(wrong)


def test_perceptron_output_rejects_wrong_shape():
    with pytest.raises(SelfCheckError, match="shape"):
        nb01.check_perceptron_output(lambda X, w, b: _sigmoid(X @ w + b)[:, None])


def test_perceptron_output_stub_says_not_written_yet():
    with pytest.raises(SelfCheckError, match="not written yet"):
        nb01.check_perceptron_output(_stub)


# --------------------------------------------------------------------------------------------- exercise 2


def test_sigmoid_slope_accepts_reference_and_equivalent_form(capsys):
    nb01.check_sigmoid_slope(nb01.reference_sigmoid_slope)
    nb01.check_sigmoid_slope(lambda z: np.exp(-z) / (1.0 + np.exp(-z)) ** 2)
    assert "all 5 checks passed" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (lambda z: z * (1.0 - z), "applied the formula to z itself"),
    (_sigmoid, "sigmoid itself"),
    (lambda z: -_sigmoid(z) * (1.0 - _sigmoid(z)), "sign is flipped"),
    (lambda z: 1.0 - np.tanh(z) ** 2, "slope of tanh"),
])
def test_sigmoid_slope_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb01.check_sigmoid_slope(wrong)


def test_sigmoid_slope_stub_says_not_written_yet():
    with pytest.raises(SelfCheckError, match="not written yet"):
        nb01.check_sigmoid_slope(_stub)


# --------------------------------------------------------------------------------------------- exercise 3


def test_to_polar_accepts_reference_and_complex_number_version(capsys):
    nb01.check_to_polar(nb01.reference_to_polar)
    nb01.check_to_polar(lambda X: np.stack([np.abs(X[:, 0] + 1j * X[:, 1]), np.angle(X[:, 0] + 1j * X[:, 1])], 1))
    assert "all 4 checks passed" in capsys.readouterr().out


def _polar_with(theta_fn, r_fn=lambda X: np.hypot(X[:, 0], X[:, 1])):
    return lambda X: np.stack([r_fn(X), theta_fn(X)], axis=1)


@pytest.mark.parametrize("wrong, hint", [
    (_polar_with(lambda X: np.arctan(X[:, 1] / X[:, 0])), "loses the quadrant"),
    (_polar_with(lambda X: np.arctan2(X[:, 0], X[:, 1])), "arguments of arctan2 are swapped"),
    (_polar_with(lambda X: np.degrees(np.arctan2(X[:, 1], X[:, 0]))), "degrees"),
    (_polar_with(lambda X: np.arctan2(X[:, 1], X[:, 0]), r_fn=lambda X: X[:, 0] ** 2 + X[:, 1] ** 2), "r squared"),
    (lambda X: nb01.reference_to_polar(X)[:, ::-1], "columns are swapped"),
    (lambda X: nb01.reference_to_polar(X).T, "one row per point"),
])
def test_to_polar_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb01.check_to_polar(wrong)


def test_to_polar_stub_says_not_written_yet():
    with pytest.raises(SelfCheckError, match="not written yet"):
        nb01.check_to_polar(_stub)


# --------------------------------------------------------------------------------------------- exercise 4


def _layer(X, w, b):
    return _sigmoid(X @ np.asarray(w, dtype=float) + b)


def _xnor(X):
    both_on, both_off = _layer(X, [10.0, 10.0], -15.0), _layer(X, [-10.0, -10.0], 5.0)
    return _layer(np.stack([both_on, both_off], axis=1), [10.0, 10.0], -5.0)


def test_xnor_accepts_hand_set_networks(capsys):
    nb01.check_xnor_network(_xnor)
    nb01.check_xnor_network(lambda X: _xnor(X)[:, None])  # a column of outputs is fine too
    assert "all 3 checks passed" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (lambda X: 1.0 - _xnor(X), "that is XOR"),
    (lambda X: _layer(X, [10.0, 10.0], -15.0), "that is AND"),
    (lambda X: _layer(X, [-10.0, -10.0], 5.0), "that is NOR"),
    (lambda X: np.full(len(X), 0.9), "same class"),
    (lambda X: _xnor(X)[:2], "one number per row"),
])
def test_xnor_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(SelfCheckError, match=hint):
        nb01.check_xnor_network(wrong)


def test_xnor_rejects_missing_return():
    with pytest.raises(SelfCheckError, match="returned None"):
        nb01.check_xnor_network(lambda X: None)


def test_xnor_stub_says_not_written_yet():
    with pytest.raises(SelfCheckError, match="not written yet"):
        nb01.check_xnor_network(_stub)
