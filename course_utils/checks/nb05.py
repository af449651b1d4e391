"""Checks for notebook 05, softmax and cross-entropy."""

import numpy as np

from course_utils.selfcheck import SelfCheckError, check_function, describe


def _softmax(z):
    exp_z = np.exp(z - z.max(axis=-1, keepdims=True))
    return exp_z / exp_z.sum(axis=-1, keepdims=True)


def _log_softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _as_float_array(value):
    value = value.detach().cpu().numpy() if hasattr(value, "detach") else value
    return np.asarray(value, dtype=np.float64)


def _same_nans(got, other):
    return got.shape == other.shape and np.array_equal(np.isnan(got), np.isnan(other))


def _confidently_wrong(n, classes, margin, rng):
    """Logits where a wrong class is ahead of the true one by ``margin``, and the labels."""
    labels = rng.integers(0, classes, size=n)
    logits = rng.normal(size=(n, classes))
    wrong = (labels + 1 + rng.integers(0, classes - 1, size=n)) % classes
    logits[np.arange(n), wrong] += margin
    return logits, labels


def _keepdims_hint(name):
    """Call the learner's function; a NumPy broadcasting error gets a hint about keepdims."""

    def call(learner, *args):
        try:
            return learner(*args)
        except ValueError as exc:
            if "broadcast" not in str(exc):
                raise
            raise SelfCheckError(
                f"`{name}` raised ValueError: {exc} (for input {describe(args, ('z',))}). Hint: a sum or maximum "
                "over axis=-1 loses that axis, so it no longer lines up with the rows; keep it with keepdims=True."
            ) from None

    return call


# --------------------------------------------------------------------------------------------- exercise 1


def reference_stable_softmax(z):
    return _softmax(z)


def check_stable_softmax(stable_softmax):
    """Exercise 1: softmax of each row (last axis) that never overflows."""
    rng = np.random.default_rng()  # fresh inputs every run: a check must not depend on one seed
    far = round(float(rng.uniform(800.0, 1200.0)), 1)
    cases = [
        (rng.normal(size=(4, 10)),),                                       # a batch of ordinary scores
        (rng.normal(size=6),),                                             # a single 1-D row
        (1000.0 + rng.normal(size=(3, 5)),),                               # huge scores: exp overflows
        (np.array([[1000.0, 999.0, 998.0], [-1000.0, -1001.0, -1002.0]]),),  # rows of very different sizes
        (np.zeros((2, 4)),),                                               # all equal: uniform
        (rng.permuted(np.array([[far, -far, 0.0], [1000.0, 999.0, 998.0]]), axis=1),),  # +far and -far in one row
        (rng.normal(scale=300.0, size=(5, 3)),),                           # three columns, five rows
    ]

    def diagnose(args, got, expected):
        (z,) = args
        got = _as_float_array(got)
        if got.shape != expected.shape:
            return "keep the shape: one probability per score (use keepdims=True when you reduce)."
        if np.isnan(got).any():
            with np.errstate(all="ignore"):
                global_max = np.exp(z - z.max())  # the maximum of the whole array, not of each row
                global_max = global_max / global_max.sum(axis=-1, keepdims=True)
                row_mean = np.exp(z - z.mean(axis=-1, keepdims=True))
                row_mean = row_mean / row_mean.sum(axis=-1, keepdims=True)
                naive = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
            if _same_nans(got, row_mean) and not _same_nans(got, naive):
                return ("you subtracted each row's mean: a row like [1000, -1000, 0] has mean 0, so exp(1000) "
                        "still overflows. Subtract each row's maximum: then the largest exponent is e^0 = 1.")
            if _same_nans(got, global_max) and not _same_nans(got, naive):
                return ("subtract the maximum of each row (axis=-1, keepdims=True), not of the whole array: a row "
                        "far below the overall maximum underflows to 0 / 0.")
            return "exp() overflowed: subtract each row's maximum from the scores before taking np.exp."
        if z.ndim == 2 and np.allclose(got.sum(axis=0), 1.0) and not np.allclose(got.sum(axis=-1), 1.0):
            return "each column sums to 1, not each row: normalise along the last axis (axis=-1)."
        if np.allclose(got, np.exp(z - z.max(axis=-1, keepdims=True))):
            return "the exponentials are right; now divide each by the sum of its row so they add up to 1."
        if np.allclose(got, z / z.sum(axis=-1, keepdims=True)):
            return "exponentiate the scores first (np.exp): softmax divides e^z by the sum of e^z, not z by sum(z)."
        return None

    check_function(stable_softmax, reference_stable_softmax, cases, name="stable_softmax", diagnose=diagnose,
                   call=_keepdims_hint("stable_softmax"), arg_names=("z",))


# --------------------------------------------------------------------------------------------- exercise 2


def reference_bce_with_logits(z, y):
    return (np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z)))).mean()


def check_bce_with_logits(bce_with_logits):
    """Exercise 2: mean binary cross-entropy from one score per example, exact for scores of +-1000."""
    rng = np.random.default_rng()

    def labels(n):
        return rng.integers(0, 2, size=n)

    far = round(float(rng.uniform(800.0, 1200.0)), 1)
    cases = [
        (rng.normal(scale=2.0, size=8), labels(8)),                                # ordinary scores
        (rng.normal(size=1), labels(1)),                                           # a batch of one
        (rng.normal(scale=3.0, size=12), np.ones(12, dtype=np.int64)),             # every label 1
        (rng.normal(scale=3.0, size=5), np.zeros(5, dtype=np.int64)),              # every label 0
        (np.array([-far, far, 30.0, -30.0]), np.array([1, 0, 0, 1])),              # sure and wrong: loss = |z|
        (np.array([far, -far, 2.0]), np.array([1, 0, 1])),                         # sure and right: loss near 0
        (rng.normal(scale=500.0, size=6), labels(6)),                              # wild scores
    ]

    def diagnose(args, got, expected):
        z, y = args
        got = _as_float_array(got)
        if got.shape != ():
            return "return one number, the mean over the batch (not one loss per example)."
        if not np.isfinite(got):
            if np.abs(z).max() > 700:
                return ("a score of +-1000 made exp() overflow or log() see 0: write the loss as "
                        "max(z, 0) - y * z + log1p(exp(-|z|)), which never exponentiates a positive number.")
            return "the loss came out as nan or inf: check for log(0) and exp() of a large number."
        if len(y) > 1 and np.isclose(got, expected * len(y)):
            return "that is the sum over the batch; take the mean."
        if np.isclose(got, -expected) and expected != 0:
            return "the sign is flipped: the loss is MINUS the log-probability of the true label."
        if np.isclose(got, reference_bce_with_logits(z, 1 - y)):
            return ("the labels are swapped: y = 1 should use log(sigmoid(z)), y = 0 should use "
                    "log(1 - sigmoid(z)).")
        with np.errstate(all="ignore"):
            p = 1.0 / (1.0 + np.exp(-z))
            capped = -(y * np.log(p + 1e-10) + (1 - y) * np.log(1 - p + 1e-10)).mean()
        if np.isclose(got, capped, rtol=1e-3) and not np.isclose(got, expected):
            return ("that is the log(p + 1e-10) version: it caps each example's loss at 23.03. Work from the "
                    "score itself: -log(sigmoid(z)) = log(1 + e^(-z)), computed as max(-z, 0) + log1p(exp(-|z|)).")
        return None

    check_function(bce_with_logits, reference_bce_with_logits, cases, name="bce_with_logits", diagnose=diagnose)


# --------------------------------------------------------------------------------------------- exercise 3


def reference_smoothed_cross_entropy(logits, labels, smoothing):
    num_classes = logits.shape[1]
    q = (1 - smoothing) * np.eye(num_classes)[labels] + smoothing / num_classes
    return -(q * _log_softmax(logits)).sum(axis=1).mean()


def check_smoothed_cross_entropy(smoothed_cross_entropy):
    """Exercise 3: cross-entropy against the targets (1 - eps) * one_hot + eps / C, exact for huge scores."""
    rng = np.random.default_rng()
    eps = round(float(rng.uniform(0.05, 0.3)), 3)
    cases = [
        (rng.normal(scale=2.0, size=(8, 10)), rng.integers(0, 10, size=8), eps),   # ordinary
        (rng.normal(size=(5, 4)), rng.integers(0, 4, size=5), 0.1),                # four classes
        (rng.normal(size=(6, 3)), rng.integers(0, 3, size=6), 0.0),                # no smoothing: plain CE
        (rng.normal(size=(1, 5)), np.array([2]), 0.2),                             # a batch of one
        (*_confidently_wrong(4, 10, 1000.0, rng), eps),                            # margin 1000: exp overflows
        (np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]]), np.array([0, 1]), eps),  # sure and right; uniform
    ]

    def diagnose(args, got, expected):
        logits, labels, smoothing = args
        got = _as_float_array(got)
        n, num_classes = logits.shape
        if got.shape != ():
            return "return one number, the mean over the batch (not one loss per example or per class)."
        if not np.isfinite(got):
            return ("exp() overflowed or log() saw 0: take log-probabilities with log_softmax "
                    "(z - max - log(sum(exp(z - max)))), never log(softmax(z)).")
        log_p = _log_softmax(logits)
        one_hot = np.eye(num_classes)[labels]

        def with_targets(q):
            return -(q * log_p).sum(axis=1).mean()

        if n > 1 and np.isclose(got, expected * n):
            return "that is the sum over the batch; take the mean."
        if np.isclose(got, -expected):
            return "the sign is flipped: the loss is MINUS the sum of q times log p."
        if smoothing > 0 and num_classes > 1 and np.isclose(
                got, with_targets((1 - smoothing) * one_hot + smoothing / (num_classes - 1) * (1 - one_hot))):
            return ("that spreads smoothing / (C - 1) over the wrong classes only; here every class, the true one "
                    "included, gets smoothing / C, and the true class also keeps 1 - smoothing.")
        if smoothing > 0 and np.isclose(got, with_targets(one_hot + smoothing / num_classes)):
            return "the true class's target is (1 - smoothing) + smoothing / C: multiply the one-hot part by (1 - smoothing)."
        if smoothing > 0 and np.isclose(got, with_targets(one_hot)):
            return "that is plain cross-entropy: the smoothing / C part of the target is missing."
        if np.isclose(got, expected / num_classes):
            return "sum q * log p over the classes (axis=1); only the mean is over the batch."
        with np.errstate(all="ignore"):
            capped = -(((1 - smoothing) * one_hot + smoothing / num_classes) * np.log(_softmax(logits) + 1e-10)
                       ).sum(axis=1).mean()
        if np.isclose(got, capped, rtol=1e-3):
            return ("that is the log(p + 1e-10) version: every class whose probability underflows costs at most "
                    "23.03. Use log_softmax instead of log(softmax).")
        return None

    check_function(smoothed_cross_entropy, reference_smoothed_cross_entropy, cases, name="smoothed_cross_entropy",
                   diagnose=diagnose)


# --------------------------------------------------------------------------------------------- exercise 4


def reference_temperature_grad(logits, labels, temperature):
    p = _softmax(logits / temperature)
    return (p - np.eye(logits.shape[1])[labels]) / (len(labels) * temperature)


def check_temperature_grad(temperature_grad):
    """Exercise 4: the gradient on the scores of the mean cross-entropy of softmax(z / T)."""
    rng = np.random.default_rng()
    cases = [
        (rng.normal(scale=2.0, size=(8, 10)), rng.integers(0, 10, size=8), round(float(rng.uniform(1.5, 5.0)), 2)),
        (rng.normal(size=(5, 4)), rng.integers(0, 4, size=5), 0.5),                    # sharpened
        (rng.normal(size=(6, 3)), rng.integers(0, 3, size=6), 1.0),                    # T = 1: (p - y) / N
        (rng.normal(size=(1, 5)), np.array([4]), 2.0),                                 # a batch of one
        (1000.0 * rng.normal(size=(4, 6)), rng.integers(0, 6, size=4), 0.5),           # huge: z / T ~ 2000
        # one row near +1000 and one near -1000: the maximum of the whole array leaves the second row 0 / 0
        (np.array([[1000.0, 999.0, 998.0, 997.0], [-1000.0, -1001.0, -999.0, -1002.0]]), np.array([1, 3]), 2.0),
    ]

    def diagnose(args, got, expected):
        logits, labels, temperature = args
        got = _as_float_array(got)
        n, num_classes = logits.shape
        if got.shape != expected.shape:
            return "return one gradient per score: an array of the same shape as the logits, (N, C)."
        if not np.isfinite(got).all():
            scaled = logits / temperature
            with np.errstate(all="ignore"):
                global_max = np.exp(scaled - scaled.max())  # the maximum of the whole array, not of each row
                global_max = global_max / global_max.sum(axis=-1, keepdims=True)
                naive = np.exp(scaled) / np.exp(scaled).sum(axis=-1, keepdims=True)
            if np.isnan(global_max).any() and _same_nans(got, global_max) and not _same_nans(got, naive):
                return ("subtract the maximum of each row (axis=1, keepdims=True), not of the whole array: a row far "
                        "below the overall maximum underflows to 0 / 0.")
            return ("exp() overflowed: subtract each row's maximum from logits / temperature before "
                    "exponentiating (section 2's softmax).")
        y = np.eye(num_classes)[labels]
        p_t = _softmax(logits / temperature)
        candidates = [
            ((p_t - y) / n, "the chain rule through u = z / T adds a factor 1 / T: divide by the temperature."),
            ((p_t - y) * temperature / n, "dividing the scores by T divides the gradient by T: you multiplied."),
            ((p_t - y) / temperature, "the loss is the mean over the batch: divide by the number of examples N too."),
            ((_softmax(logits) - y) / (n * temperature),
             "take the softmax of logits / temperature, not of the logits."),
            (-expected, "the sign is flipped: the gradient on the scores is (p - y) / (N T), not (y - p) / (N T)."),
        ]
        if temperature == 1.0:
            candidates = candidates[2:3] + candidates[4:]
        for wrong, message in candidates:
            if np.allclose(got, wrong, rtol=1e-4, atol=1e-9):
                return message
        return None

    # rtol 2e-3: a float32 answer computes z / T ~ 6000 in the huge case, where float32's spacing (5e-4) puts
    # that much relative error into every probability; every mistake the hints name is off by far more.
    check_function(temperature_grad, reference_temperature_grad, cases, name="temperature_grad",
                   diagnose=diagnose, rtol=2e-3)
