"""The checks of notebook 02 accept every right answer and reject the typical wrong ones, each with its reason.

Each check draws fresh inputs, so ``tests/checkkit.py`` runs it 100 times per answer.
"""

import numpy as np
import pytest
import torch

from course_utils.checks import nb02
from tests.checkkit import assert_accepted, assert_rejected


def _stub(*args, **kwargs):
    raise NotImplementedError("Exercise: write this part, then run the check below.")


# --------------------------------------------------------------------------------------------- exercise 1


def _in_place_and_restored(f, w, h=1e-5):
    grad = np.zeros(len(w))
    for j in range(len(w)):
        keep = w[j]
        w[j] = keep + h
        up = f(w)
        w[j] = keep - h
        down = f(w)
        w[j] = keep  # put it back: correct
        grad[j] = (up - down) / (2 * h)
    return grad


def _rows_of_identity(f, w, h=1e-5):
    return [(f(w + h * e) - f(w - h * e)) / (2 * h) for e in np.eye(len(w))]  # a list is fine


def _on_a_copy(f, w, h=1e-5):
    w = w.copy()
    grad = np.empty_like(w)
    for j in range(w.size):
        w[j] += h
        up = f(w)
        w[j] -= 2 * h
        down = f(w)
        w[j] += h
        grad[j] = (up - down) / (2 * h)
    return grad


@pytest.mark.parametrize("answer", [nb02.reference_numerical_gradient, _in_place_and_restored, _rows_of_identity,
                                    _on_a_copy],
                         ids=["reference", "in place, restored", "identity rows, list", "on a copy"])
def test_numerical_gradient_accepts_right_answers(answer):
    assert_accepted(nb02.check_numerical_gradient, answer)


def _forward(f, w, h=1e-5):
    return np.array([(f(w + h * e) - f(w)) / h for e in np.eye(len(w))])


def _over_h(f, w, h=1e-5):
    return np.array([(f(w + h * e) - f(w - h * e)) / h for e in np.eye(len(w))])


def _all_at_once(f, w, h=1e-5):
    return np.full(len(w), (f(w + h) - f(w - h)) / (2 * h))


def _forward_into_torch_zeros(f, w, h=1e-5):
    grad = torch.zeros(len(w))  # float32 by default
    for j in range(len(w)):
        step = np.zeros(len(w))
        step[j] = h
        grad[j] = float((f(w + step) - f(w)) / h)
    return grad


def _in_place_restored_by_arithmetic(f, w, h=1e-5):
    grad = np.zeros(len(w))
    for j in range(len(w)):
        w[j] += h
        up = f(w)
        w[j] -= 2 * h
        down = f(w)
        w[j] += h  # back, up to rounding: the last digits may differ
        grad[j] = (up - down) / (2 * h)
    return grad


def _in_place_not_restored(f, w, h=1e-5):
    grad = np.zeros(len(w))
    for j in range(len(w)):
        w[j] += h
        up = f(w)
        w[j] -= 2 * h
        down = f(w)  # forgot to add h back: w is left changed
        grad[j] = (up - down) / (2 * h)
    return grad


@pytest.mark.parametrize("wrong, said", [
    (_forward, "one-sided difference"),
    (_over_h, "divide by 2 h"),
    (_all_at_once, "every weight at once"),
    (_in_place_not_restored, "changed its input `w` in place"),
    (lambda f, w, h=1e-2: nb02.reference_numerical_gradient(f, w, h), "keep the default h"),
    (lambda f, w, h=1e-5: (f(w + h) - f(w - h)) / (2 * h), "expected shape"),
    (_stub, "not written yet"),
    (lambda f, w, h=1e-5: ((f(w + h * e) - f(w - h * e)) / (2 * h) for e in np.eye(len(w))), "not a generator"),
    (lambda f, w, h=1e-5: _forward(f, w, h).astype(np.float32), "keep the gradient in float64"),
    (lambda f, w, h=1e-5: nb02.reference_numerical_gradient(f, w, 1e-3).astype(np.float32), "float64"),
    (_forward_into_torch_zeros, "float64"),
    (lambda f, w, h=1e-5: nb02.reference_numerical_gradient(f, w), "use the parameter h"),   # h ignored
    (lambda f, w: nb02.reference_numerical_gradient(f, w), "needs a third parameter `h`"),
    (lambda f, w, h=1e-4: nb02.reference_numerical_gradient(f, w, h), "keep the default h = 1e-5"),
    (_in_place_restored_by_arithmetic, "last digits: \\+= h, -= 2h, \\+= h does not give back the exact number"),
])
def test_numerical_gradient_rejects_typical_mistakes(wrong, said):
    assert_rejected(nb02.check_numerical_gradient, wrong, said)


# --------------------------------------------------------------------------------------------- exercise 2


def _fastest_from_svd(X):
    singular = np.linalg.svd(X, compute_uv=False)  # curvatures are 2 / n * singular**2
    curvatures = 2.0 / len(X) * singular**2
    return 2.0 / (curvatures.min() + curvatures.max())


@pytest.mark.parametrize("answer", [
    nb02.reference_fastest_rate,
    _fastest_from_svd,
    lambda X: 2.0 / (lambda c: c.min() + c.max())(np.linalg.eigvals(2 * X.T @ X / len(X)).real),
    lambda X: float(2 / (lambda c: c[0] + c[-1])(torch.linalg.eigvalsh(torch.as_tensor(2 * X.T @ X / len(X))))),
], ids=["reference", "singular values", "eigvals", "torch"])
def test_fastest_rate_accepts_right_answers(answer):
    assert_accepted(nb02.check_fastest_rate, answer)


def _curv(X):
    return np.linalg.eigvalsh(2.0 / len(X) * X.T @ X)


@pytest.mark.parametrize("wrong, said", [
    (lambda X: 2.0 / _curv(X).max(), "largest rate that does not diverge"),
    (lambda X: 1.0 / _curv(X).max(), "balance the factors"),
    (lambda X: 2.0 / (np.linalg.eigvalsh(X.T @ X).min() + np.linalg.eigvalsh(X.T @ X).max()), "2 / n \\* X.T @ X"),
    (lambda X: 1.0 / (_curv(X).min() + _curv(X).max()), "factor 2 is missing"),
    (lambda X: 2.0 / _curv(X).sum(), "only for two weights"),
    (lambda X: 2.0 / _curv(X).min(), "flattest and the steepest curvature added"),
    (lambda X: 2.0 / _curv(X), "one number"),
    (_stub, "not written yet"),
    (lambda X: 2.0 / (lambda c: c[0] + c[-1])(np.linalg.eigvals(2 * X.T @ X / len(X)).real), "does not sort"),
])
def test_fastest_rate_rejects_typical_mistakes(wrong, said):
    assert_rejected(nb02.check_fastest_rate, wrong, said)


# --------------------------------------------------------------------------------------------- exercise 3


def _nesterov_expanded(w, v, g, lr, beta):
    return [w - lr * ((1 + beta) * g + beta**2 * v), beta * v + g]  # the same step, multiplied out; a list


def _nesterov_torch(w, v, g, lr, beta):
    w, v, g = (torch.as_tensor(a) for a in (w, v, g))
    v = v.mul(beta).add(g)
    return w - lr * g.add(v, alpha=beta), v


@pytest.mark.parametrize("answer", [nb02.reference_nesterov_step, _nesterov_expanded],
                         ids=["reference", "expanded, list"])
def test_nesterov_step_accepts_right_answers(answer):
    assert_accepted(nb02.check_nesterov_step, answer)


def test_nesterov_step_matches_torch_optim():
    """The reference is what torch.optim.SGD(nesterov=True) does, step for step."""
    w = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    optimiser = torch.optim.SGD([w], lr=0.1, momentum=0.9, nesterov=True)
    ours, velocity = w.detach().numpy().copy(), np.zeros(2)
    for _ in range(5):
        optimiser.zero_grad()
        (w**2 * torch.tensor([1.0, 10.0], dtype=torch.float64)).sum().backward()
        grad = w.grad.numpy().copy()
        optimiser.step()
        ours, velocity = nb02.reference_nesterov_step(ours, velocity, grad, 0.1, 0.9)
        assert np.allclose(ours, w.detach().numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("wrong, said", [
    (lambda w, v, g, lr, beta: (w - lr * (beta * v + g), beta * v + g), "plain momentum"),
    (lambda w, v, g, lr, beta: (w - lr * (g + (beta * v + g)), beta * v + g), "beta times the new velocity"),
    (lambda w, v, g, lr, beta: (w + lr * (g + beta * (beta * v + g)), beta * v + g), "step against the gradient"),
    (lambda w, v, g, lr, beta: (w - lr * (g + beta * (beta * v + (1 - beta) * g)), beta * v + (1 - beta) * g),
     "PyTorch's convention"),
    (lambda w, v, g, lr, beta: (w - lr * (g + beta * (beta * v + g)), v), "the old one"),
    (lambda w, v, g, lr, beta: w - lr * (g + beta * (beta * v + g)), "return two things"),
    (_stub, "not written yet"),
    (_nesterov_torch, "return a NumPy array.*`H @ w` with a NumPy matrix"),  # right values, but cell 53 fails
])
def test_nesterov_step_rejects_typical_mistakes(wrong, said):
    assert_rejected(nb02.check_nesterov_step, wrong, said)


# --------------------------------------------------------------------------------------------- exercise 4


def _adam_formulas_at_t1(grad, learning_rate, eps=1e-8, beta1=0.9, beta2=0.999):
    m, s = (1 - beta1) * grad, (1 - beta2) * grad**2  # from m = s = 0
    m_hat, s_hat = m / (1 - beta1), s / (1 - beta2)
    return -learning_rate * m_hat / (np.sqrt(s_hat) + eps)


def _adam_torch(grad, learning_rate, eps=1e-8):
    w = torch.zeros(len(grad), dtype=torch.float64, requires_grad=True)
    optimiser = torch.optim.Adam([w], lr=learning_rate, eps=eps)
    w.grad = torch.as_tensor(grad, dtype=torch.float64).clone()
    optimiser.step()
    return w.detach()


@pytest.mark.parametrize("answer", [nb02.reference_adam_first_step, _adam_formulas_at_t1, _adam_torch],
                         ids=["closed form", "Adam's formulas at t = 1", "torch.optim.Adam"])
def test_adam_first_step_accepts_right_answers(answer):
    assert_accepted(nb02.check_adam_first_step, answer)


@pytest.mark.parametrize("wrong, said", [
    (lambda g, lr, eps=1e-8: -lr * g, "plain gradient descent"),
    (lambda g, lr, eps=1e-8: lr * g / (np.abs(g) + eps), "step against the gradient"),
    (lambda g, lr, eps=1e-8: -lr * 0.1 * g / (np.sqrt(0.001 * g**2) + eps), "without bias correction"),
    (lambda g, lr, eps=1e-8: -lr * np.sign(g), "keep eps"),
    (lambda g, lr, eps=1e-8: -lr * g / (g**2 + eps), "square root"),
    (_stub, "not written yet"),
    (lambda g, lr, eps=1e-8: (-lr * x / (abs(x) + eps) for x in g), "not a generator"),
    (lambda g, lr, eps=1e-8: -lr * g / (np.abs(g) + 1e-8), "use the parameter eps"),               # eps ignored
    (lambda g, lr: -lr * g / (np.abs(g) + 1e-8), "needs a third parameter `eps`"),
    (lambda g, lr, eps=1e-7: -lr * g / (np.abs(g) + eps), "keep the default eps = 1e-8"),
])
def test_adam_first_step_rejects_typical_mistakes(wrong, said):
    with np.errstate(all="ignore"):
        assert_rejected(nb02.check_adam_first_step, wrong, said)
