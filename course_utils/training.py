"""The mini-batch training loop that notebook 04 writes by hand, for the notebooks after it.

The whole data set stays as one tensor on the device; each epoch shuffles the indices and slices batches.
No per-sample transforms, no DataLoader workers: for data that fits in memory this is the fast path.
"""

import numbers
import time

import torch
import torch.nn.functional as F
from torch import nn

# Losses whose input is a probability (already through a sigmoid); every other loss in the course takes logits.
PROBABILITY_LOSSES = (F.binary_cross_entropy, nn.BCELoss)
LOGIT_LOSSES = (F.binary_cross_entropy_with_logits, nn.BCEWithLogitsLoss, F.cross_entropy, nn.CrossEntropyLoss)


def minibatches(x: torch.Tensor, y: torch.Tensor, batch_size: int, shuffle: bool = True, generator=None):
    """Yield ``(x_batch, y_batch)`` slices; the last batch is smaller when ``batch_size`` does not divide N.

    With ``shuffle`` the order is a fresh permutation each call (drawn on the CPU from ``generator`` so that the
    same seed gives the same batches on every device).
    """
    _check_pair(x, y)
    batch_size = _positive_int(batch_size, "batch_size")
    n = len(x)
    if shuffle:
        order = torch.randperm(n, generator=generator).to(x.device)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            yield x[idx], y[idx]
    else:
        for start in range(0, n, batch_size):
            yield x[start:start + batch_size], y[start:start + batch_size]


def train_epoch(model, optimizer, x, y, batch_size: int = 64, loss_fn=F.cross_entropy, generator=None,
                on_batch=None) -> float:
    """One pass over ``(x, y)`` in shuffled mini-batches; returns the mean training loss over the epoch.

    ``on_batch(fraction_of_the_epoch_done)``, if given, is called after each batch (e.g. a ``Progress``).
    """
    _check_pair(x, y, nonempty=True)
    model.train()
    total, count = 0.0, 0
    for xb, yb in minibatches(x, y, batch_size, shuffle=True, generator=generator):
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += loss.detach() * len(xb)  # stays on the device: no sync per batch
        count += len(xb)
        if on_batch is not None:
            on_batch(count / len(x))
    return (total / count).item()


@torch.no_grad()
def evaluate(model, x, y, batch_size: int = 1000, loss_fn=F.cross_entropy, *, outputs: str | None = None
             ) -> tuple[float, float]:
    """``(mean loss, accuracy)`` of ``model`` on ``(x, y)``, in eval mode and without gradients.

    The contract, checked on every batch:

    - a multi-class model gives scores of shape ``(N, C)``, ``C >= 2``, and ``y`` holds class indices of shape
      ``(N,)``; accuracy takes the arg-max of the scores;
    - a single-output model gives shape ``(N,)`` or ``(N, 1)``, and ``y`` holds 0/1 labels of shape ``(N,)`` or
      ``(N, 1)``; accuracy thresholds the output at 0 for ``outputs="logits"`` (a sigmoid of 0.5) and at 0.5 for
      ``outputs="probabilities"``. ``outputs=None`` (default) reads it from ``loss_fn``: probabilities for
      ``F.binary_cross_entropy`` / ``nn.BCELoss``, logits for the ``..._with_logits`` and cross-entropy losses;
      for any other loss ``outputs`` must be given when every output lies in ``[0, 1]`` (it cannot be told).

    Raises ``ValueError`` when the shapes or the outputs break the contract, instead of returning a wrong number.
    """
    if outputs not in (None, "logits", "probabilities"):
        raise ValueError(f"outputs must be 'logits', 'probabilities' or None (read from loss_fn), got {outputs!r}")
    _check_pair(x, y, nonempty=True)
    kind = outputs or _outputs_of(loss_fn)
    model.eval()
    total_loss, correct = 0.0, 0
    for xb, yb in minibatches(x, y, batch_size, shuffle=False):
        out = model(xb)
        total_loss += loss_fn(out, yb).item() * len(xb)
        correct += _correct(out, yb, kind)
    return total_loss / len(x), correct / len(x)


def _outputs_of(loss_fn) -> str | None:
    if loss_fn in PROBABILITY_LOSSES or isinstance(loss_fn, nn.BCELoss):
        return "probabilities"
    if loss_fn in LOGIT_LOSSES or isinstance(loss_fn, (nn.BCEWithLogitsLoss, nn.CrossEntropyLoss)):
        return "logits"
    return None


def _correct(out: torch.Tensor, y: torch.Tensor, kind: str | None) -> int:
    """How many rows of ``out`` are right about ``y``, under evaluate's contract."""
    n = len(y)
    if out.ndim == 0 or out.shape[0] != n:
        raise ValueError(f"the model gave outputs of shape {tuple(out.shape)} for {n} inputs: expected one row "
                         "per input")
    if out.ndim == 1 or (out.ndim == 2 and out.shape[1] == 1):
        if y.shape not in ((n,), (n, 1)):
            raise ValueError(f"labels of shape {tuple(y.shape)} for a single-output model: expected ({n},) or "
                             f"({n}, 1)")
        flat = out.reshape(-1).float()
        in_unit = bool(((flat >= 0) & (flat <= 1)).all())
        if kind is None:
            if in_unit:
                raise ValueError("every output lies in [0, 1], so they may be probabilities or logits and the "
                                 "threshold (0.5 or 0) cannot be told from this loss_fn: pass outputs='probabilities' "
                                 "or outputs='logits'")
            kind = "logits"
        if kind == "probabilities" and not in_unit:
            raise ValueError(f"outputs='probabilities' (from loss_fn or given), but the model gave values from "
                             f"{flat.min().item():.3g} to {flat.max().item():.3g}: if they are logits, use a "
                             "..._with_logits loss or pass outputs='logits'")
        pred = flat > (0.5 if kind == "probabilities" else 0.0)
        return (pred == (y.reshape(-1) > 0.5)).sum().item()
    if out.ndim != 2:
        raise ValueError(f"the model gave outputs of shape {tuple(out.shape)}: expected (N, classes) or (N,)")
    if y.shape != (n,):
        hint = " (use y.squeeze(1))" if y.shape == (n, 1) else ""
        raise ValueError(f"labels of shape {tuple(y.shape)} for a model with {out.shape[1]} classes: expected "
                         f"class indices of shape ({n},){hint}")
    if y.is_floating_point() or y.dtype == torch.bool:
        raise ValueError(f"labels of dtype {y.dtype} for a model with {out.shape[1]} classes: expected class "
                         "indices (an integer tensor)")
    return (out.argmax(dim=1) == y).sum().item()


def fit(model, optimizer, train, val=None, epochs: int = 1, batch_size: int = 64, loss_fn=F.cross_entropy,
        seed: int = 0, verbose: bool = False, *, outputs: str | None = None, progress: bool | None = None,
        label: str = "training") -> dict:
    """Train for ``epochs``; ``train`` and ``val`` are ``(x, y)`` pairs already on the model's device.

    Returns a history dict of lists, one entry per epoch: ``train_loss``, ``val_loss``, ``val_acc`` (when
    ``val`` is given) and ``seconds`` (cumulative wall time). With ``verbose`` prints one line per epoch.
    ``outputs`` is passed to ``evaluate`` for the validation accuracy. ``progress``: one line, updated in place
    while it trains (epochs done, the latest loss and accuracy, the time left), named ``label``; by default on
    in the full profile only (``course_utils.progress``).
    """
    from course_utils.progress import Progress

    epochs = _positive_int(epochs, "epochs")
    batch_size = _positive_int(batch_size, "batch_size")
    _check_split(train, "train", required=True)
    _check_split(val, "val", required=False)
    generator = torch.Generator().manual_seed(_positive_int(seed, "seed", allow_zero=True))
    history = {"train_loss": [], "seconds": []}
    if val is not None:
        history.update(val_loss=[], val_acc=[])
    start = time.perf_counter()
    shown = Progress(epochs, "epochs", label, enabled=progress)
    latest = {}
    for epoch in range(1, epochs + 1):
        on_batch = (lambda f, e=epoch: shown.update(e - 1 + f, **latest)) if shown.enabled else None
        history["train_loss"].append(train_epoch(model, optimizer, *train, batch_size, loss_fn, generator,
                                                 on_batch=on_batch))
        if val is not None:
            val_loss, val_acc = evaluate(model, *val, loss_fn=loss_fn, outputs=outputs)
            history["val_loss"].append(val_loss)
            history["val_acc"].append(val_acc)
        history["seconds"].append(time.perf_counter() - start)
        latest = {"loss": history["train_loss"][-1], "val_acc": history["val_acc"][-1] if val is not None else None}
        shown.update(epoch, force=True, **latest)
        if verbose:
            line = f"epoch {epoch:2d}  train loss {history['train_loss'][-1]:.4f}"
            if val is not None:
                line += f"  val loss {history['val_loss'][-1]:.4f}  val acc {history['val_acc'][-1]:.2%}"
            print(line)
    shown.close(**latest)
    return history


def count_parameters(model) -> int:
    """Number of trainable parameters in ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def _check_pair(x, y, nonempty: bool = False) -> None:
    if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError(f"x and y must be torch tensors, got {type(x).__name__} and {type(y).__name__}")
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(f"x and y need one row per example, got shapes {tuple(x.shape)} and {tuple(y.shape)}")
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} rows but y has {len(y)}: they must match")
    if x.device != y.device:
        raise ValueError(f"x is on {x.device} but y is on {y.device}: move both to one device first")
    if nonempty and len(x) == 0:
        raise ValueError("x and y are empty (0 rows): there is nothing to train on or evaluate")


def _check_split(split, name: str, required: bool) -> None:
    """``split`` must be a pair ``(x, y)`` of tensors (None allowed when not ``required``)."""
    if split is None and not required:
        return
    if not isinstance(split, (tuple, list)) or len(split) != 2:
        got = type(split).__name__ + (f" of length {len(split)}" if isinstance(split, (tuple, list)) else "")
        raise TypeError(f"{name} must be a pair (x, y) of tensors, e.g. {name}=(x_{name}, y_{name}); got a {got}")
    _check_pair(*split, nonempty=True)


def _positive_int(value, name: str, allow_zero: bool = False) -> int:
    """``value`` as an int (Python or NumPy integer, never a bool) of at least 1 (0 with ``allow_zero``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < (0 if allow_zero else 1):
        what = "a non-negative int" if allow_zero else "a positive int"
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return int(value)
