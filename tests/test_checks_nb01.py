"""The checks of notebook 01 accept every right answer and reject the typical wrong ones, each with its reason.

Each check draws fresh inputs, so ``tests/checkkit.py`` runs it 100 times per answer.
"""

import numpy as np
import pytest
import torch

from course_utils.checks import nb01
from tests.checkkit import assert_accepted, assert_rejected


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _stub(*args):
    raise NotImplementedError("Exercise: write this part, then run the check below.")


# --------------------------------------------------------------------------------------------- exercise 1


@pytest.mark.parametrize("answer", [
    nb01.reference_boundary_x2,
    lambda x1, w, b: -w[0] / w[1] * np.asarray(x1) - b / w[1],
    lambda x1, w, b: (-b - w[0] * np.asarray(x1)) / w[1],
    lambda x1, w, b: -(float(w[0]) * torch.as_tensor(x1) + b) / float(w[1]),
    lambda x1, w, b: np.array([-(w[0] * v + b) / w[1] for v in np.atleast_1d(x1)]).reshape(np.shape(x1)),
], ids=["reference", "slope and intercept", "rearranged", "torch", "loop"])
def test_boundary_x2_accepts_right_answers(answer):
    assert_accepted(nb01.check_boundary_x2, answer)


@pytest.mark.parametrize("wrong, said", [
    (lambda x1, w, b: (w[0] * np.asarray(x1) + b) / w[1], "sign is flipped"),
    (lambda x1, w, b: -(w[1] * np.asarray(x1) + b) / w[0], "divide by the weight of x2"),
    (lambda x1, w, b: -w[0] * np.asarray(x1) / w[1] - b, "divide the bias by w\\[1\\] too"),
    (lambda x1, w, b: -w[0] * np.asarray(x1) / w[1], "bias is missing"),
    (lambda x1, w, b: -(w[0] * np.asarray(x1) - b) / w[1], "sign of the bias"),
    (_stub, "not written yet"),
])
def test_boundary_x2_rejects_typical_mistakes(wrong, said):
    assert_rejected(nb01.check_boundary_x2, wrong, said)


# --------------------------------------------------------------------------------------------- exercise 2


def _collapse_loop(W1, b1, w2, b2):
    w = np.zeros(W1.shape[0])
    b = b2
    for j in range(len(w2)):  # hidden neuron j: column j of W1
        w = w + W1[:, j] * w2[j]
        b = b + b1[j] * w2[j]
    return [w, b]


@pytest.mark.parametrize("answer", [
    nb01.reference_collapse,
    _collapse_loop,
    lambda W1, b1, w2, b2: (np.einsum("ij,j->i", W1, w2), np.dot(b1, w2) + b2),
    lambda W1, b1, w2, b2: (torch.as_tensor(W1) @ torch.as_tensor(w2), torch.as_tensor(b1) @ torch.as_tensor(w2) + b2),
    lambda W1, b1, w2, b2: ((W1 @ w2).astype(np.float32), np.float32(b1 @ w2 + b2)),
], ids=["reference", "loop returning a list", "einsum", "torch", "float32"])
def test_collapse_accepts_right_answers(answer):
    assert_accepted(nb01.check_collapse_linear_layers, answer)


@pytest.mark.parametrize("wrong, said", [
    (lambda W1, b1, w2, b2: (W1.T @ w2, b1 @ w2 + b2), "columns\\* of W1 are the hidden neurons|one weight per input"),
    (lambda W1, b1, w2, b2: (W1 @ w2, b2), "first layer's bias also passes through w2"),
    (lambda W1, b1, w2, b2: (W1 @ w2, np.sum(b1) + b2), "weighted by w2 on their way out"),
    (lambda W1, b1, w2, b2: (W1 @ w2, b1 * w2 + b2), "one number"),
    (lambda W1, b1, w2, b2: W1 @ w2, "return the pair"),
    (_stub, "not written yet"),
])
def test_collapse_rejects_typical_mistakes(wrong, said):
    assert_rejected(nb01.check_collapse_linear_layers, wrong, said)


def test_collapse_names_the_transposed_product_on_square_layers():
    """W1.T @ w2 has the right shape when W1 is square; the message still names the mix-up."""
    message = assert_rejected(nb01.check_collapse_linear_layers, lambda W1, b1, w2, b2: (W1.T @ w2, b1 @ w2 + b2),
                              "W1")
    assert "columns" in message or "one weight per input" in message


# --------------------------------------------------------------------------------------------- exercise 3


@pytest.mark.parametrize("answer", [
    lambda X: np.stack([X[:, 0] ** 2, X[:, 1]], axis=1),
    lambda X: X[:, 1] - X[:, 0] ** 2,                                        # one feature is enough
    lambda X: np.column_stack([X[:, 0], X[:, 0] ** 2, X[:, 1]]),             # an extra feature does no harm
    lambda X: torch.stack([torch.as_tensor(X[:, 0]) ** 2, torch.as_tensor(X[:, 1])], dim=1),
    lambda X: np.array([[a * a, b] for a, b in X], dtype=np.float32),         # a loop, float32
    lambda X: np.exp(X[:, 1] - X[:, 0] ** 2),                                # monotone in the right one: skewed
    lambda X: np.tanh(X[:, 1] - X[:, 0] ** 2 + 1.0),
    lambda X: np.column_stack([X[:, 0], X[:, 1], X[:, 0] ** 2, X[:, 0] * X[:, 1], X[:, 1] ** 2]),  # all quadratics
    lambda X: np.column_stack([X[:, 0] ** 2, X[:, 1], np.cos(X[:, 0])]),     # an extra feature that does not help
    lambda X: 1000.0 * np.column_stack([X[:, 0] ** 2, X[:, 1]]),               # scaled
    lambda X: np.column_stack([X[:, 0] ** 2, X[:, 1], np.ones(len(X))]),      # a constant column
], ids=["x1 squared and x2", "one feature", "three features", "torch", "loop float32", "exp of the right one",
        "tanh of the right one", "full quadratic", "extra cos", "scaled 1000x", "constant column"])
def test_parabola_features_accept_right_answers(answer):
    assert_accepted(nb01.check_parabola_features, answer)


@pytest.mark.parametrize("wrong, said", [
    (lambda X: X, "raw inputs"),
    (lambda X: np.stack([np.hypot(X[:, 0], X[:, 1]), np.arctan2(X[:, 1], X[:, 0])], axis=1), "polar coordinates"),
    (lambda X: X ** 2, "squaring x2 loses"),
    (lambda X: X[:, 0] * X[:, 1], "gets \\d+\\.\\d% of fresh points"),
    (lambda X: X[:, 1], "gets \\d+\\.\\d% of fresh points"),
    (lambda X: np.stack([np.abs(X[:, 0]), X[:, 1]], axis=1), "a V in the plane"),
    (lambda X: np.stack([X[:, 0] ** 4, X[:, 1]], axis=1), "flatter curve"),
    (lambda X: np.stack([X[:, 0] ** 2, X[:, 1] ** 3], axis=1), "x2\\*\\*3"),
    (lambda X: np.stack([X[:, 0] ** 2, X[:, 1]]), "transposed"),
    (lambda X: np.stack([X[:, 0] ** 2, X[:, 1] / X[:, 0] * 0.0 / 0.0], axis=1), "nan or inf"),
    (lambda X: None, "forget `return`"),
    (_stub, "not written yet"),
])
def test_parabola_features_reject_typical_mistakes(wrong, said):
    with np.errstate(all="ignore"):
        assert_rejected(nb01.check_parabola_features, wrong, said)


def test_parabola_features_message_never_rounds_up_to_the_bar():
    """94.7% once showed as "95%", the bar itself: one decimal, rounded down."""
    assert nb01._floor_percent(0.96975) == "96.9%"
    assert nb01._floor_percent(0.947) == "94.7%"
    assert nb01._floor_percent(0.97) == "97.0%"


def test_parabola_features_may_not_change_X_in_place():
    def squares_in_place(X):
        X[:, 0] = X[:, 0] ** 2
        return X

    assert_rejected(nb01.check_parabola_features, squares_in_place, "changed its input `X` in place")


# --------------------------------------------------------------------------------------------- exercise 4


def _xnor_weights():
    W_hidden = 10.0 * np.array([[1.0, -1.0], [1.0, -1.0]])  # columns: 'both on', 'both off'
    return W_hidden, 10.0 * np.array([-1.5, 0.5]), 10.0 * np.array([1.0, 1.0]), -5.0


def _xnor_three_hidden():
    # 'both on', 'both off', and a neuron that does nothing useful (weight 0 on the way out)
    W = np.array([[10.0, -10.0, 1.0], [10.0, -10.0, 1.0]])
    return [W, np.array([-15.0, 5.0, 0.0]), np.array([10.0, 10.0, 0.0]), np.array(-5.0)]


def _xnor_nor_or():
    """Another right design: output = NOR or AND written as 'not XOR' = not (OR and not AND)."""
    W = np.array([[10.0, 10.0], [10.0, 10.0]])  # columns: OR, AND
    return torch.tensor(W), torch.tensor([-5.0, -15.0]), torch.tensor([-10.0, 10.0]), 5.0


@pytest.mark.parametrize("answer", [_xnor_weights, _xnor_three_hidden, _xnor_nor_or],
                         ids=["both on / both off", "three hidden, list", "not (OR and not AND), torch"])
def test_xnor_weights_accept_right_answers(answer):
    assert_accepted(nb01.check_xnor_weights, answer)


def _transposed():
    W, b, w, c = _xnor_weights()
    W = np.array([[10.0, 10.0], [-10.0, -10.0]])  # rows are the neurons: a mix-up of rows and columns
    return W, b, w, c


@pytest.mark.parametrize("wrong, said", [
    (_transposed, "rows are the neurons"),
    (lambda: (np.array([[10.0, -10.0], [10.0, -10.0]]), np.array([-15.0, 5.0]), np.array([-10.0, -10.0]), 5.0),
     "that is XOR"),
    (lambda: (np.array([[10.0, 0.0], [10.0, 0.0]]), np.array([-15.0, 0.0]), np.array([10.0, 0.0]), -5.0), "that is AND"),
    (lambda: (np.array([[-10.0, 0.0], [-10.0, 0.0]]), np.array([5.0, 0.0]), np.array([10.0, 0.0]), -5.0), "that is NOR"),
    (lambda: (np.zeros((2, 2)), np.zeros(2), np.zeros(2), 3.0), "same class"),
    (lambda: (np.array([[-10.0], [10.0]]), np.array([-5.0]), np.array([10.0]), -5.0), "weighted sum at the four corners"),
    (lambda: (np.array([[10.0, -10.0], [10.0, -10.0]]), np.array([-10.0, -10.0]), np.array([10.0, 10.0]), -5.0),
     "right for inputs -1 and \\+1"),                                           # section 7's design, for +-1
    (lambda: (np.array([[10.0, -10.0], [10.0, -10.0]]), np.array([-19.5, 0.5]), np.array([10.0, 10.0]), -5.0),
     "too close to a corner"),                                                    # right at the corners only
    (lambda: (np.array([[10.0, -10.0], [10.0, -10.0]]), np.array([5.0, -15.0]), np.array([10.0, 10.0]), -5.0),
     "hidden neuron 1 .* is on at all four corners"),                             # the hidden biases swapped
    (lambda: (np.array([[1.0, -1.0], [1.0, -1.0]]), np.array([-1.5, 0.5]), np.array([1.0, 1.0]), -0.5), "steeper"),
    (lambda: (np.array([[10.0, -10.0], [10.0, -10.0]]), np.array([-15.0, 5.0]), np.array([10.0, 10.0]), 5.0),
     "same class; check the output neuron's bias"),                               # output bias sign
    (lambda: (np.ones((3, 2)), np.zeros(2), np.zeros(2), 0.0), "one row per input"),
    (lambda: (np.ones((2, 2)), np.zeros(3), np.zeros(2), 0.0), "need shape \\(2,\\)"),
    (lambda: (np.ones((2, 2)), np.zeros(2)), "four things"),
    (lambda: None, "forget `return`"),
    (_stub, "not written yet"),
])
def test_xnor_weights_reject_typical_mistakes(wrong, said):
    assert_rejected(nb01.check_xnor_weights, wrong, said)


def test_xnor_weights_advice_fits_a_function_without_arguments():
    """The machinery's "call your function with `*args`" cannot be followed for `xnor_weights()`."""
    too_tight = lambda: (np.array([[10.0, -10.0], [10.0, -10.0]]), np.array([-19.5, 0.5]),  # noqa: E731
                         np.array([10.0, 10.0]), -5.0)
    message = assert_rejected(nb01.check_xnor_weights, too_tight, "xnor_forward\\(X, \\*xnor_weights\\(\\)\\)")
    assert "with `*args`" not in message
    from course_utils.selfcheck import failing_input
    (X,) = failing_input()
    assert not np.array_equal(nb01.xnor_forward(X, *too_tight()) > 0.5, nb01.reference_xnor_labels(X) > 0.5)


def test_xnor_weights_reject_a_rule_that_is_not_a_network():
    """The old check compared labels only, so `round(x1) == round(x2)` passed: now the learner gives weights."""
    def rule():
        return lambda X: (np.round(X[:, 0]) == np.round(X[:, 1])).astype(float)

    assert_rejected(nb01.check_xnor_weights, rule, "four things")
