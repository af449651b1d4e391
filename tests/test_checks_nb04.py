"""Notebook 04's self-checks accept right answers written in different ways and reject typical wrong ones.

Every answer runs through the check 100 times (tests/checkkit.py): the checks draw fresh random inputs.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from checkkit import assert_accepted, assert_rejected

from course_utils.checks import nb04


def stub(*args):
    raise NotImplementedError("Exercise: write this part, then run the check below.")


@pytest.fixture(autouse=True, scope="module")
def _autograd_warmed_up():
    """torch's first backward pass starts its engine; in the notebook that has happened long before the
    exercises, so the timed runs start after it here too."""
    model = nb04._SmallNet(4, 3, seed=0)
    F.binary_cross_entropy_with_logits(model(torch.randn(3, 4)), torch.ones(3)).backward()


# ------------------------------------------------------------------------------------ exercise 1


def with_a_while_loop(n, batch_size):
    bounds, start = [], 0
    while start < n:
        bounds.append((start, min(n, start + batch_size)))
        start += batch_size
    return bounds


def as_a_generator(n, batch_size):
    for start in range(0, n, batch_size):
        yield start, min(start + batch_size, n)


def with_zip(n, batch_size):
    starts = range(0, n, batch_size)
    return zip(starts, [min(s + batch_size, n) for s in starts])


def as_lists_of_numpy_ints(n, batch_size):
    starts = np.arange(0, n, batch_size)
    return [[s, e] for s, e in zip(starts, np.minimum(starts + batch_size, n))]


@pytest.mark.parametrize("answer", [nb04.reference_batch_bounds, with_a_while_loop, as_a_generator, with_zip,
                                    as_lists_of_numpy_ints])
def test_batch_bounds_accepts_right_answers(answer):
    assert_accepted(nb04.check_batch_bounds, answer)


@pytest.mark.parametrize(
    "wrong, said",
    [
        (lambda n, b: [(i * b, (i + 1) * b) for i in range(n // b)], "last, smaller batch is missing"),
        (lambda n, b: [(s, s + b) for s in range(0, n, b)], "must stop at n"),
        (lambda n, b: [(s + 1, min(s + b, n) + 1) for s in range(0, n, b)], "counts from 0"),
        (lambda n, b: list(range(0, n, b)), "expected a pair of values"),
        (lambda n, b: [(s, min(s + b, n) - 1) for s in range(0, n, b)], r"item 0 of the list: its second value"),
        (lambda n, b: None, "Did you forget `return`"),
        (stub, "not written yet"),
    ],
)
def test_batch_bounds_rejects_typical_mistakes(wrong, said):
    assert_rejected(nb04.check_batch_bounds, wrong, said)


# ------------------------------------------------------------------------------------ exercise 2


def loss_fn(logits, y):
    return F.binary_cross_entropy_with_logits(logits, y)


def with_reduction_sum(model, x, y, piece_size):
    model.zero_grad()
    for xb, yb in zip(torch.split(x, piece_size), torch.split(y, piece_size)):
        (F.binary_cross_entropy_with_logits(model(xb), yb, reduction="sum") / len(x)).backward()
    return torch.cat([p.grad.flatten() for p in model.parameters()])


def with_autograd_grad(model, x, y, piece_size):
    """torch.autograd.grad per piece, summed by hand: no .grad at all."""
    params = list(model.parameters())
    total = [torch.zeros_like(p) for p in params]
    for start in range(0, len(x), piece_size):
        xb, yb = x[start:start + piece_size], y[start:start + piece_size]
        grads = torch.autograd.grad(loss_fn(model(xb), yb) * len(xb) / len(x), params)
        total = [t + g for t, g in zip(total, grads)]
    return torch.cat([t.reshape(-1) for t in total])


def with_set_to_none(model, x, y, piece_size):
    for p in model.parameters():
        p.grad = None
    n_pieces = -(-len(x) // piece_size)
    for k in range(n_pieces):
        xb, yb = x[k * piece_size:(k + 1) * piece_size], y[k * piece_size:(k + 1) * piece_size]
        loss = loss_fn(model(xb), yb) * (len(xb) / len(x))
        loss.backward()
    return torch.cat([p.grad.view(-1) for p in model.parameters()]).detach().numpy()  # NumPy is fine too


@pytest.mark.parametrize("answer", [nb04.reference_accumulated_gradient, with_reduction_sum, with_autograd_grad,
                                    with_set_to_none])
def test_accumulated_gradient_accepts_right_answers(answer):
    assert_accepted(nb04.check_accumulated_gradient, answer)


def _accumulate(weight, zero_first=True, zero_each=False):
    def answer(model, x, y, piece_size):
        if zero_first:
            model.zero_grad()
        pieces = [(x[s:s + piece_size], y[s:s + piece_size]) for s in range(0, len(x), piece_size)]
        for xb, yb in pieces:
            if zero_each:
                model.zero_grad()
            (loss_fn(model(xb), yb) * weight(len(xb), len(x), len(pieces))).backward()
        return torch.cat([p.grad.reshape(-1) for p in model.parameters()])
    return answer


def whole_batch_at_once(model, x, y, piece_size):
    model.zero_grad()
    loss_fn(model(x), y).backward()
    return torch.cat([p.grad.reshape(-1) for p in model.parameters()])


def takes_a_step(model, x, y, piece_size):
    grad = nb04.reference_accumulated_gradient(model, x, y, piece_size)
    torch.optim.SGD(model.parameters(), lr=0.1).step()
    return grad


def returns_the_list(model, x, y, piece_size):
    nb04.reference_accumulated_gradient(model, x, y, piece_size)
    return [p.grad for p in model.parameters()]


@pytest.mark.parametrize(
    "wrong, said",
    [
        (_accumulate(lambda k, n, m: 1 / m), "smaller last piece counts as much"),
        (_accumulate(lambda k, n, m: 1.0), "mean over its own rows"),
        (_accumulate(lambda k, n, m: k / n, zero_each=True), "only the last piece's gradient"),
        (_accumulate(lambda k, n, m: k / n, zero_first=False), "call model.zero_grad\\(\\) before"),
        (_accumulate(lambda k, n, m: k), "the share of the batch it holds"),
        (whole_batch_at_once, "rows through the model at once"),
        (takes_a_step, "changed the model's weights"),
        (returns_the_list, "expected a tensor of shape"),
        (lambda model, x, y, piece_size: None, "Did you forget `return`"),
        (stub, "not written yet"),
    ],
)
def test_accumulated_gradient_rejects_typical_mistakes(wrong, said):
    assert_rejected(nb04.check_accumulated_gradient, wrong, said)


# ------------------------------------------------------------------------------------ exercise 3


def zero_for_the_full_batch(s, b, n):
    if b == n:
        return 0  # the integer 0: the full batch is the full gradient
    return s / np.sqrt(b) * np.sqrt((n - b) / (n - 1))


def with_torch(s, b, n):
    return (torch.tensor(float(s)) * torch.sqrt(torch.tensor((n - b) / (b * (n - 1))))).item()


@pytest.mark.parametrize("answer", [nb04.reference_predicted_spread, zero_for_the_full_batch, with_torch,
                                    lambda s, b, n: s * ((n - b) / (b * (n - 1))) ** 0.5,
                                    lambda s, b, n: np.float32(s / np.sqrt(b) * np.sqrt((n - b) / (n - 1)))])
def test_predicted_spread_accepts_right_answers(answer):
    assert_accepted(nb04.check_predicted_spread, answer)


@pytest.mark.parametrize(
    "wrong, said",
    [
        (lambda s, b, n: s / np.sqrt(b), "factor sqrt\\(\\(N - B\\) / \\(N - 1\\)\\) is missing"),
        (lambda s, b, n: s / b * np.sqrt((n - b) / (n - 1)), "square root of B"),
        (lambda s, b, n: s / np.sqrt(b) * np.sqrt((n - b) / n), "N - 1 in the denominator"),
        (lambda s, b, n: s / np.sqrt(b) * (n - b) / (n - 1), "square root of the whole factor"),
        (lambda s, b, n: str(s / np.sqrt(b) * np.sqrt((n - b) / (n - 1))), "got the string .* not text"),
        (lambda s, b, n: None, "Did you forget `return`"),
        (stub, "not written yet"),
    ],
)
def test_predicted_spread_rejects_typical_mistakes(wrong, said):
    assert_rejected(nb04.check_predicted_spread, wrong, said)
