"""Checks for notebook 04, mini-batches."""

import copy

import numpy as np
import torch

from course_utils.checks import one_thread
from course_utils.selfcheck import SelfCheckError, check_function

# --------------------------------------------------------------------------------------------- exercise 1


def reference_batch_bounds(n, batch_size):
    return [(start, min(start + batch_size, n)) for start in range(0, n, batch_size)]


def check_batch_bounds(batch_bounds):
    """Exercise 1: the ``(start, stop)`` pairs of consecutive batches, the last one smaller if needed."""
    rng = np.random.default_rng()  # fresh inputs every run: a check must not depend on one seed
    cases = [(10, 4), (800, 50), (60_000, 64), (7, 7), (5, 10), (1, 1), (9, 1)]
    cases += [(int(rng.integers(2, 500)), int(rng.integers(2, 60))) for _ in range(3)]

    def diagnose(args, got, expected):
        n, batch_size = args
        try:
            got = [tuple(int(v) for v in pair) for pair in got]
        except (TypeError, ValueError):
            return "return a list of (start, stop) pairs of whole numbers, e.g. [(0, 4), (4, 8), (8, 10)]."
        if got == expected[: n // batch_size] and len(expected) > n // batch_size:
            return "the last, smaller batch is missing: range(0, n, batch_size) gives every start, including it."
        if len(got) == len(expected) and got[:-1] == expected[:-1] and got[-1][1] > n:
            return "the last batch must stop at n, not at start + batch_size: use min(start + batch_size, n)."
        if got and got[0][0] == 1:
            return "Python counts from 0: the first batch starts at index 0."
        return None

    check_function(batch_bounds, reference_batch_bounds, cases, name="batch_bounds", diagnose=diagnose)


# --------------------------------------------------------------------------------------------- exercise 2


class _SmallNet(torch.nn.Module):
    """A network shaped like the notebook's (tanh hidden layer, one logit per row), small enough to check fast."""

    def __init__(self, n_inputs, n_hidden, seed):
        super().__init__()
        with torch.random.fork_rng(devices=[]):  # nn.Linear draws from the global generator: leave the learner's alone
            self.hidden = torch.nn.Linear(n_inputs, n_hidden)
            self.output = torch.nn.Linear(n_hidden, 1)
        generator = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(torch.randn(p.shape, generator=generator))
        self.largest_batch = 0  # the most rows one forward pass has seen

    def forward(self, x):
        self.largest_batch = max(self.largest_batch, len(x))
        return self.output(torch.tanh(self.hidden(x))).squeeze(-1)


def _loss(model, x, y):
    return torch.nn.functional.binary_cross_entropy_with_logits(model(x), y)


def _flat_grad(model):
    return torch.cat([torch.zeros_like(p).reshape(-1) if p.grad is None else p.grad.reshape(-1)
                      for p in model.parameters()])


def _leave_old_gradients(model):
    """Gradients left over from an earlier backward(), as in a notebook: a right answer must not count them."""
    for p in model.parameters():
        p.grad = torch.full_like(p, 0.5)


def reference_accumulated_gradient(model, x, y, piece_size):
    model.zero_grad()
    for start in range(0, len(x), piece_size):
        xb, yb = x[start:start + piece_size], y[start:start + piece_size]
        (_loss(model, xb, yb) * len(xb) / len(x)).backward()
    return _flat_grad(model)


def _accumulation(accumulated_gradient, name):
    """Run the learner's function; refuse a whole-batch forward pass or changed weights, with the reason."""

    def run(model, x, y, piece_size):
        weights = [p.detach().clone() for p in model.parameters()]
        model.largest_batch = 0
        _leave_old_gradients(model)
        got = accumulated_gradient(model, x, y, piece_size)
        if any(not torch.equal(w, p.detach()) for w, p in zip(weights, model.parameters())):
            raise SelfCheckError(
                f"`{name}` changed the model's weights (for a batch of {len(x)} in pieces of {piece_size}): it "
                "should only compute the gradient. No optimizer.step() and no update of the parameters.")
        if model.largest_batch > piece_size:
            raise SelfCheckError(
                f"`{name}` ran {model.largest_batch} rows through the model at once, more than piece_size = "
                f"{piece_size}: feed the batch in pieces of at most piece_size rows, so that a large batch "
                "never has to fit in memory whole.")
        return got

    return run


def check_accumulated_gradient(accumulated_gradient):
    """Exercise 2: the gradient of a batch's mean loss, accumulated over pieces of at most ``piece_size`` rows."""
    rng = np.random.default_rng()
    seed = int(rng.integers(2**31))
    cases = []
    # equal pieces, a smaller last piece, pieces of 2 with a last of 1, one piece larger than the batch
    for n, piece in ((12, 3), (10, 4), (9, 2), (6, 20)):
        model = _SmallNet(4, 3, seed + n)
        generator = torch.Generator().manual_seed(seed + 100 + n)
        x = torch.randn(n, 4, generator=generator)
        y = (torch.rand(n, generator=generator) < 0.5).float()
        cases.append((model, x, y, piece))

    def diagnose(args, got, expected):
        model, x, y, piece = args
        pieces = [(x[s:s + piece], y[s:s + piece]) for s in range(0, len(x), piece)]

        def variant(weight, zero_first=True, zero_each=False):
            m = copy.deepcopy(model)
            _leave_old_gradients(m)
            if zero_first:
                m.zero_grad()
            for xb, yb in pieces:
                if zero_each:
                    m.zero_grad()
                (_loss(m, xb, yb) * weight(len(xb))).backward()
            return _flat_grad(m)

        try:
            got = torch.as_tensor(got).reshape(-1).double()
        except (TypeError, ValueError, RuntimeError):
            return ("return one long vector: `torch.cat([p.grad.reshape(-1) for p in model.parameters()])`.")
        if got.shape != expected.shape:
            return None

        def same(value):
            return torch.allclose(got, value.double(), rtol=1e-4, atol=1e-7)

        if same(variant(lambda k: 1.0 / len(pieces))):
            return ("a smaller last piece counts as much as a full one: weight each piece's loss by "
                    "len(piece) / len(x), not by 1 / number of pieces.")
        if same(variant(lambda k: 1.0)):
            return ("each piece's loss is a mean over its own rows: scale it by len(piece) / len(x), or the "
                    "pieces add up to more than the mean over the batch.")
        if same(variant(lambda k: k / len(x), zero_each=True)):
            return ("only the last piece's gradient is left: zero the gradients once, before the first piece, not "
                    "in the loop; backward() adds each piece to what is there.")
        if same(variant(lambda k: k / len(x), zero_first=False)):
            return ("gradients left from an earlier backward() were added in: call model.zero_grad() before the "
                    "first piece.")
        if same(variant(lambda k: k)):
            return "scale each piece's loss by len(piece) / len(x), the share of the batch it holds."
        return None

    name = getattr(accumulated_gradient, "__name__", "accumulated_gradient")
    with one_thread():
        check_function(_accumulation(accumulated_gradient, name), reference_accumulated_gradient, cases, name=name,
                       diagnose=diagnose, arg_names=("model", "x", "y", "piece_size"))


# --------------------------------------------------------------------------------------------- exercise 3


def reference_predicted_spread(spread_1, batch_size, n):
    return spread_1 / np.sqrt(batch_size) * np.sqrt((n - batch_size) / (n - 1))


def check_predicted_spread(predicted_spread):
    """Exercise 3: the spread of a mini-batch gradient, ``spread_1 / sqrt(B) * sqrt((N - B) / (N - 1))``."""
    rng = np.random.default_rng()
    n = int(rng.integers(100, 5000))
    cases = [(float(rng.uniform(0.5, 8.0)), int(b), n) for b in (1, 2, 50, n // 2, n - 1, n)]
    cases += [(5.0, 50, 800), (5.0, 800, 800), (1.0, 1, 2)]

    def diagnose(args, got, expected):
        spread_1, b, n = args
        if isinstance(got, (str, bytes)):
            return "return the number itself, not text: no str(...) or f-string around it."
        try:
            got = float(got)
        except (TypeError, ValueError):
            return "return one number."
        def same(value):
            return np.isclose(got, value, rtol=1e-9, atol=0.0)

        if same(spread_1 / np.sqrt(b)) and b > 1:
            return "the factor sqrt((N - B) / (N - 1)) is missing: without it the full batch (B = N) is not exact."
        if same(spread_1 / b * np.sqrt((n - b) / (n - 1))) and b > 1:
            return "the spread shrinks with the square root of B: divide by np.sqrt(batch_size), not batch_size."
        if same(spread_1 / np.sqrt(b) * (n - b) / (n - 1)):
            return "take the square root of the whole factor (N - B) / (N - 1)."
        if same(spread_1 / np.sqrt(b) * np.sqrt((n - b) / n)):
            return "use N - 1 in the denominator: with B = 1 the formula must give spread_1 back."
        return None

    check_function(predicted_spread, reference_predicted_spread, cases, name="predicted_spread", diagnose=diagnose)
