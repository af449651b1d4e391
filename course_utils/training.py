"""The mini-batch training loop that notebook 04 writes by hand, for the notebooks after it.

The whole data set stays as one tensor on the device; each epoch shuffles the indices and slices batches.
No per-sample transforms, no DataLoader workers: for data that fits in memory this is the fast path.
"""

import time

import torch
import torch.nn.functional as F


def minibatches(x: torch.Tensor, y: torch.Tensor, batch_size: int, shuffle: bool = True, generator=None):
    """Yield ``(x_batch, y_batch)`` slices; the last batch is smaller when ``batch_size`` does not divide N.

    With ``shuffle`` the order is a fresh permutation each call (drawn on the CPU from ``generator`` so that the
    same seed gives the same batches on every device).
    """
    _check_pair(x, y)
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    n = len(x)
    if shuffle:
        order = torch.randperm(n, generator=generator).to(x.device)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            yield x[idx], y[idx]
    else:
        for start in range(0, n, batch_size):
            yield x[start:start + batch_size], y[start:start + batch_size]


def train_epoch(model, optimizer, x, y, batch_size: int = 64, loss_fn=F.cross_entropy, generator=None) -> float:
    """One pass over ``(x, y)`` in shuffled mini-batches; returns the mean training loss over the epoch."""
    model.train()
    total, count = 0.0, 0
    for xb, yb in minibatches(x, y, batch_size, shuffle=True, generator=generator):
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += loss.detach() * len(xb)  # stays on the device: no sync per batch
        count += len(xb)
    return (total / count).item()


@torch.no_grad()
def evaluate(model, x, y, batch_size: int = 1000, loss_fn=F.cross_entropy) -> tuple[float, float]:
    """``(mean loss, accuracy)`` of ``model`` on ``(x, y)``, in eval mode and without gradients.

    Accuracy takes the arg-max of the outputs for multi-class models and a 0.5 threshold on the sigmoid for a
    single output.
    """
    model.eval()
    total_loss, correct = 0.0, 0
    for xb, yb in minibatches(x, y, batch_size, shuffle=False):
        out = model(xb)
        total_loss += loss_fn(out, yb).item() * len(xb)
        if out.ndim == 1 or out.shape[-1] == 1:
            pred = (out.reshape(-1) > 0).to(yb.dtype)
            correct += (pred == yb.reshape(-1)).sum().item()
        else:
            correct += (out.argmax(dim=1) == yb).sum().item()
    return total_loss / len(x), correct / len(x)


def fit(model, optimizer, train, val=None, epochs: int = 1, batch_size: int = 64, loss_fn=F.cross_entropy,
        seed: int = 0, verbose: bool = False) -> dict:
    """Train for ``epochs``; ``train`` and ``val`` are ``(x, y)`` pairs already on the model's device.

    Returns a history dict of lists, one entry per epoch: ``train_loss``, ``val_loss``, ``val_acc`` (when
    ``val`` is given) and ``seconds`` (cumulative wall time). With ``verbose`` prints one line per epoch.
    """
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    generator = torch.Generator().manual_seed(seed)
    history = {"train_loss": [], "seconds": []}
    if val is not None:
        history.update(val_loss=[], val_acc=[])
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        history["train_loss"].append(train_epoch(model, optimizer, *train, batch_size, loss_fn, generator))
        if val is not None:
            val_loss, val_acc = evaluate(model, *val, loss_fn=loss_fn)
            history["val_loss"].append(val_loss)
            history["val_acc"].append(val_acc)
        history["seconds"].append(time.perf_counter() - start)
        if verbose:
            line = f"epoch {epoch:2d}  train loss {history['train_loss'][-1]:.4f}"
            if val is not None:
                line += f"  val loss {history['val_loss'][-1]:.4f}  val acc {history['val_acc'][-1]:.2%}"
            print(line)
    return history


def count_parameters(model) -> int:
    """Number of trainable parameters in ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def _check_pair(x, y) -> None:
    if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError(f"x and y must be torch tensors, got {type(x).__name__} and {type(y).__name__}")
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} rows but y has {len(y)}: they must match")
    if x.device != y.device:
        raise ValueError(f"x is on {x.device} but y is on {y.device}: move both to one device first")
