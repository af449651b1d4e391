"""Benchmark the course's fast path against the pipeline most tutorials use, in one run on one machine.

1. Throughput: the course loop (data as one tensor on the device, shuffled index slicing, normalised once)
   against torchvision's MNIST dataset with ToTensor + Normalize and a DataLoader (batch 64, num_workers=0),
   same model, same optimizer, same device. Target: ratio >= 10.
2. Time to accuracy: notebook 07's CNN trained with the course loop against the classic reference CNN of the
   PyTorch MNIST example (Adadelta lr 1.0, StepLR gamma 0.7, batch 64). Target: the course CNN reaches the
   reference's final test accuracy in at most a fifth of the reference's time to reach it.
3. The whole course in the quick profile: seconds per notebook and in total. Target: <= 5 minutes.

The offline sample (4,000 train / 1,000 test) stands in for MNIST: the reference reads it through
torchvision's MNIST class from IDX files written to a temporary folder.

    python benchmarks/benchmark.py [--quick] [--skip-course] [--device cpu|cuda|mps]
"""

import argparse
import importlib.util
import itertools
import math
import os
import re
import struct
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from course_utils import describe_device, get_device
from course_utils.data import MnistData, load_mnist, load_sample_arrays
from course_utils.training import evaluate, minibatches, train_epoch

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_MEAN_STD = ((0.1307,), (0.3081,))  # the published recipe's Normalize constants
SEED = 0
COURSE_BATCH_SIZE = 64  # notebook 07's BATCH_SIZE
COURSE_EPOCHS = 6  # notebook 07's EPOCHS on the sample; its learning rate falls linearly to 0 over them
SYLLABUS_NOTEBOOKS = 9  # 00 to 08 (COURSE_GUIDE.md); part 3 judges the total only when all of them ran


@dataclass(frozen=True)
class Budget:
    """How much work each part does. ``n_train``/``n_test`` cut the sample (the unit test uses a few batches)."""

    n_train: int = 4000
    n_test: int = 1000
    warmup_batches: int = 5
    throughput_epochs: int = 3  # timed passes over the training images, per side (the fastest counts)
    reference_epochs: int = 14  # the PyTorch MNIST example's default
    course_epochs: int = COURSE_EPOCHS
    notebooks: int | None = None  # None: every notebook


FULL = Budget()
QUICK = Budget(throughput_epochs=2, reference_epochs=2, course_epochs=2, notebooks=1)


# --------------------------------------------------------------------------------------------- the models


class ReferenceCNN(nn.Module):
    """The CNN of the PyTorch MNIST example (github.com/pytorch/examples, mnist/main.py), unchanged."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv2(F.relu(self.conv1(x)))), 2)
        x = self.dropout2(F.relu(self.fc1(torch.flatten(self.dropout1(x), 1))))
        return F.log_softmax(self.fc2(x), dim=1)


# The course's models and recipe below mirror notebooks/07_cnn_vs_mlp_mnist.ipynb (sections 3 and 4: make_mlp,
# conv_block, make_cnn, RandomShift, make_optimizer, EPOCHS, BATCH_SIZE). Keep them in step with the notebook.


def course_mlp(hidden: int = 800) -> nn.Module:
    """Notebook 07's MLP: one hidden layer of 800 ReLU units. Part 1 trains it on both sides."""
    return nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def conv_block(c_in: int, c_out: int, kernel: int) -> nn.Module:
    """Notebook 07's block: convolution (size kept), batch norm, ReLU, 2x2 max-pooling."""
    return nn.Sequential(nn.Conv2d(c_in, c_out, kernel, padding=kernel // 2), nn.BatchNorm2d(c_out),
                         nn.ReLU(), nn.MaxPool2d(2))


class RandomShift(nn.Module):
    """Notebook 07's augmentation: in training mode, move each batch by one random (dx, dy) in [-2, 2]."""

    def __init__(self, max_shift: int = 2, fill: float = 0.0, seed: int = SEED):
        super().__init__()
        self.max_shift, self.fill = max_shift, fill
        self.generator = torch.Generator().manual_seed(seed)  # on the CPU: the same shifts on every device

    def forward(self, images):
        if not self.training:
            return images
        dx, dy = torch.randint(-self.max_shift, self.max_shift + 1, (2,), generator=self.generator).tolist()
        m, (h, w) = max(abs(dx), abs(dy)), images.shape[-2:]
        padded = F.pad(images, (m, m, m, m), value=self.fill)
        return padded[..., m - dy:m - dy + h, m - dx:m - dx + w]


def course_cnn(background: float = 0.0) -> nn.Module:
    """Notebook 07's CNN behind its RandomShift; ``background`` is a blank pixel after standardising."""
    net = nn.Sequential(conv_block(1, 16, 5), conv_block(16, 32, 3), conv_block(32, 64, 3),
                        nn.Flatten(), nn.Linear(64 * 3 * 3, 10))
    return nn.Sequential(RandomShift(fill=background), net)


def course_cnn_optimizer(model: nn.Module, steps: int) -> torch.optim.Optimizer:
    """Notebook 07's optimizer: Adam lr 3e-3, falling linearly to 0 over ``steps`` optimizer steps."""
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1 - step / steps)
    optimizer.register_step_post_hook(lambda *args: schedule.step())
    return optimizer


def seeded(factory):
    """``factory()`` after ``torch.manual_seed``: both sides start from the same weights."""
    torch.manual_seed(SEED)
    return factory()


# --------------------------------------------------------------------------------------------- the data, both ways


def course_data(budget: Budget, device) -> MnistData:
    """The course's way: the sample as tensors, cut to the budget, normalised once, moved to the device once."""
    data = load_mnist("sample", verbose=False)
    data = MnistData(data.x_train[:budget.n_train], data.y_train[:budget.n_train], data.x_test[:budget.n_test],
                     data.y_test[:budget.n_test], data.mean, data.std, data.source)
    return data.normalized().to(device)


def write_idx_files(root: Path, budget: Budget) -> Path:
    """Write the sample as the four uncompressed IDX files that torchvision's MNIST class reads from root/MNIST/raw."""
    arrays = load_sample_arrays()
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for split, prefix, n in (("train", "train", budget.n_train), ("test", "t10k", budget.n_test)):
        images, labels = arrays[f"x_{split}"][:n], arrays[f"y_{split}"][:n]
        header = struct.pack(">IIII", 0x0803, len(images), 28, 28)
        (raw / f"{prefix}-images-idx3-ubyte").write_bytes(header + images.astype("uint8").tobytes())
        (raw / f"{prefix}-labels-idx1-ubyte").write_bytes(struct.pack(">II", 0x0801, len(labels))
                                                          + labels.astype("uint8").tobytes())
    return root


def reference_loaders(root: Path):
    """The tutorials' way: torchvision's MNIST with ToTensor + Normalize, DataLoader batch 64, num_workers=0."""
    from torchvision import datasets, transforms

    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize(*REFERENCE_MEAN_STD)])
    train = datasets.MNIST(root, train=True, download=False, transform=transform)
    test = datasets.MNIST(root, train=False, download=False, transform=transform)
    shuffle = torch.Generator().manual_seed(SEED)
    return (torch.utils.data.DataLoader(train, batch_size=64, shuffle=True, num_workers=0, generator=shuffle),
            torch.utils.data.DataLoader(test, batch_size=1000, num_workers=0))


def reference_train_epoch(model, optimizer, loader, device, loss_fn=F.nll_loss, max_batches=None) -> None:
    """The example's training loop: each batch comes from the DataLoader and is moved to the device."""
    model.train()
    for data, target in itertools.islice(loader, max_batches):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(data), target)
        loss.backward()
        optimizer.step()


@torch.no_grad()
def reference_accuracy(model, loader, device) -> float:
    """The example's test loop: the share of test images whose arg-max is right."""
    model.eval()
    correct = sum((model(x.to(device)).argmax(1) == y.to(device)).sum().item() for x, y in loader)
    return correct / len(loader.dataset)


# --------------------------------------------------------------------------------------------- the three parts


def timed(device, work) -> float:
    """Seconds that ``work()`` takes, including the GPU work it queued (waited for on CUDA and MPS)."""
    kind = torch.device(device).type
    sync = torch.cuda.synchronize if kind == "cuda" else torch.mps.synchronize if kind == "mps" else lambda: None
    sync()
    start = time.perf_counter()
    work()
    sync()
    return time.perf_counter() - start


def part_throughput(budget: Budget, device, root: Path) -> dict:
    """Images per second of both pipelines training notebook 07's MLP (Adam lr 1e-3, cross-entropy, batch 64).

    After a warm-up, the two sides take turns, one epoch each, ``throughput_epochs`` times; each side's fastest
    epoch counts, so that a burst of load from another process on the machine spoils neither side's figure.
    """
    data = course_data(budget, device)
    loader, _ = reference_loaders(root)
    gen = torch.Generator().manual_seed(SEED)
    course_model, reference_model = seeded(course_mlp).to(device), seeded(course_mlp).to(device)
    course_opt = torch.optim.Adam(course_model.parameters(), lr=1e-3)
    reference_opt = torch.optim.Adam(reference_model.parameters(), lr=1e-3)

    def course_epoch(n=None):
        train_epoch(course_model, course_opt, data.x_train[:n], data.y_train[:n], 64, generator=gen)

    def reference_epoch(batches=None):
        reference_train_epoch(reference_model, reference_opt, loader, device, F.cross_entropy, max_batches=batches)

    def course_batches_only():  # the same epochs without the model: what the data path alone costs
        for xb, yb in minibatches(data.x_train, data.y_train, 64, generator=gen):
            pass

    def reference_batches_only():
        for xb, yb in loader:
            xb.to(device), yb.to(device)

    course_epoch(64 * budget.warmup_batches)  # warm-up: the same number of batches on each side
    reference_epoch(budget.warmup_batches)
    times = {"course_s": [], "reference_s": [], "course_data_s": [], "reference_data_s": []}
    for _ in range(budget.throughput_epochs):
        times["course_s"].append(timed(device, course_epoch))
        times["reference_s"].append(timed(device, reference_epoch))
        times["course_data_s"].append(timed(device, course_batches_only))
        times["reference_data_s"].append(timed(device, reference_batches_only))
    return {"images": budget.n_train, "epochs": budget.throughput_epochs,
            **{key: min(seconds) for key, seconds in times.items()}}


def part_accuracy(budget: Budget, device, root: Path) -> dict:
    """Both CNNs for their recipes' epochs (reference: 14; course: notebook 07's 6), one epoch each in turn, so
    that load from other processes falls on both alike. After each epoch: test accuracy and cumulative training
    seconds (the evaluation is not counted on either side).
    """
    data = course_data(budget, device)
    course_model = seeded(lambda: course_cnn(background=(0.0 - data.mean) / data.std)).to(device)
    steps = budget.course_epochs * math.ceil(len(data.y_train) / COURSE_BATCH_SIZE)
    course_opt, gen = course_cnn_optimizer(course_model, steps), torch.Generator().manual_seed(SEED)
    # The reference last: its dropout draws from the global generator, which the course side does not touch.
    train_loader, test_loader = reference_loaders(root)
    reference_model = seeded(ReferenceCNN).to(device)
    reference_opt = torch.optim.Adadelta(reference_model.parameters(), lr=1.0)
    schedule = torch.optim.lr_scheduler.StepLR(reference_opt, step_size=1, gamma=0.7)

    def reference_epoch():
        reference_train_epoch(reference_model, reference_opt, train_loader, device)
        schedule.step()

    def course_epoch():
        train_epoch(course_model, course_opt, data.x_train, data.y_train, COURSE_BATCH_SIZE, generator=gen)

    r = {"n_train": len(data.y_train), "n_test": len(data.y_test),
         "reference_acc": [], "reference_s": [], "course_acc": [], "course_s": []}
    for epoch in range(max(budget.reference_epochs, budget.course_epochs)):
        if epoch < budget.reference_epochs:
            r["reference_s"].append(sum(r["reference_s"][-1:]) + timed(device, reference_epoch))
            r["reference_acc"].append(reference_accuracy(reference_model, test_loader, device))
        if epoch < budget.course_epochs:
            r["course_s"].append(sum(r["course_s"][-1:]) + timed(device, course_epoch))
            r["course_acc"].append(evaluate(course_model, data.x_test, data.y_test)[1])
    r["target"] = r["reference_acc"][-1]
    for side in ("reference", "course"):  # (epoch, seconds) when the side first reached the target, or None
        r[f"{side}_reach"] = next(((k + 1, s) for k, (a, s) in enumerate(zip(r[f"{side}_acc"], r[f"{side}_s"]))
                                   if a >= r["target"]), None)
    return r


def part_course(paths: list[Path], timeout: int = 600) -> list[tuple[str, bool, float, str]]:
    """Execute each notebook with tools/run_notebooks.py's runner (files untouched): (name, ok, seconds, error)."""
    spec = importlib.util.spec_from_file_location("run_notebooks", ROOT / "tools" / "run_notebooks.py")
    runner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runner)
    return [(p.name, *runner.run_one(p.resolve(), False, timeout)) for p in paths]


# --------------------------------------------------------------------------------------------- the report


def table(title: str, headers: list[str], rows: list[list], notes: list[str]) -> str:
    """A plain-text table under a title, with notes below it."""
    cells = [headers] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    line = lambda row: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
    rule = "-" * len(line(headers))
    return "\n".join([title, rule, line(headers), rule, *map(line, cells[1:]), rule, *notes, ""])


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report_throughput(r: dict) -> str:
    ratio = r["reference_s"] / r["course_s"]  # same images on both sides: the ratio of images per second
    rows = [[name, f"{r['images']:,}", f"{r[key]:.2f}", f"{r['images'] / r[key]:,.0f}"]
            for name, key in [("course loop (tensor slicing)", "course_s"),
                              ("reference (DataLoader, ToTensor+Normalize)", "reference_s")]]
    model_s = max(r["course_s"] - r["course_data_s"], 1e-9)  # forward, backward and Adam: the same on both sides
    return table("Part 1: training throughput (notebook 07's MLP on both sides, Adam, batch 64, no augmentation)",
                 ["pipeline", "images", "seconds", "images/s"], rows,
                 ["reference DataLoader: num_workers=0 (the tutorial default on most laptops)",
                  f"seconds: the fastest of {r['epochs']} epochs per side, taken in turns after a warm-up",
                  f"where the time goes: the batches alone (no model) take {r['course_data_s']:.3f} s (course) and "
                  f"{r['reference_data_s']:.2f} s (reference);",
                  f"  the model's own steps about {model_s:.2f} s, so even a free data path would give at most "
                  f"{r['reference_s'] / model_s:.1f}x with this model here",
                  f"ratio: {ratio:.1f}x   target >= 10: {verdict(ratio >= 10)}"])


def reached(reach: tuple[int, float] | None) -> str:
    return "not reached" if reach is None else f"{reach[1]:.1f} (epoch {reach[0]})"


def report_accuracy(r: dict) -> str:
    rows = [["reference CNN (Adadelta 1.0, StepLR 0.7)", len(r["reference_acc"]), f"{r['reference_acc'][-1]:.1%}",
             reached(r["reference_reach"]), f"{r['reference_s'][-1]:.1f}"],
            ["course CNN (nb 07: Adam 3e-3 to 0, shifts)", len(r["course_acc"]), f"{r['course_acc'][-1]:.1%}",
             reached(r["course_reach"]), f"{r['course_s'][-1]:.1f}"]]
    notes = [f"accuracy to reach: {r['target']:.1%} (the reference's final test accuracy); seconds: training only, "
             "the two sides' epochs taken in turns",
             "reference test accuracy per epoch: " + " ".join(f"{a:.1%}" for a in r["reference_acc"]),
             "course test accuracy per epoch:    " + " ".join(f"{a:.1%}" for a in r["course_acc"])]
    if r["course_reach"] is None:
        notes.append("ratio: -   target >= 5x faster: MISSED (the course CNN did not reach the reference's accuracy)")
    else:
        ratio = r["reference_reach"][1] / r["course_reach"][1]
        notes.append(f"ratio: {ratio:.1f}x faster   target >= 5: {verdict(ratio >= 5)}")
        notes.append(f"(for information: against the reference's whole {len(r['reference_s'])}-epoch run, "
                     f"{r['reference_s'][-1] / r['course_reach'][1]:.1f}x)")
    title = f"Part 2: time to the reference's test accuracy (sample: {r['n_train']:,} train / {r['n_test']:,} test)"
    return table(title, ["model", "epochs", "last acc", "s to reach", "s total"], rows, notes)


def report_course(results: list, expected: int, limit_s: float = 300.0) -> str:
    rows = [[name, "pass" if ok else "FAIL", f"{s:.1f}", re.sub(r"\x1b\[[0-9;]*m", "", msg)[:60]]
            for name, ok, s, msg in results]  # the error without its terminal colour codes
    total = sum(r[2] for r in results)
    passed = sum(r[1] for r in results)
    notes = [f"total: {total:.1f} s for {len(results)} notebook(s), {passed} passed"]
    if len(results) < expected:
        notes.append(f"target <= {limit_s:.0f} s: not judged "
                     f"(ran {len(results)} of the course's {expected} notebooks)")
    else:
        notes.append(f"target <= {limit_s:.0f} s: {verdict(total <= limit_s and passed == len(results))}")
    return table("Part 3: the whole course, quick profile (tools/run_notebooks.py)",
                 ["notebook", "result", "seconds", "error"], rows, notes)


def run_benchmark(budget: Budget, device, notebooks: list[Path] | None, out=print) -> None:
    """Run the parts in order and print each table as soon as it is ready (``notebooks=None`` skips part 3)."""
    with tempfile.TemporaryDirectory(prefix="mnist-idx-") as tmp:
        root = write_idx_files(Path(tmp), budget)
        out(report_throughput(part_throughput(budget, device, root)))
        out(report_accuracy(part_accuracy(budget, device, root)))
    if notebooks is not None:
        chosen = notebooks[:budget.notebooks] if budget.notebooks else notebooks
        out(report_course(part_course(chosen), expected=max(len(notebooks), SYLLABUS_NOTEBOOKS)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small budgets for a smoke run (not for the targets)")
    parser.add_argument("--skip-course", action="store_true", help="skip part 3 (running the notebooks)")
    parser.add_argument("--device", choices=["cpu", "cuda", "mps"], help="default: course_utils.get_device()")
    args = parser.parse_args(argv)
    os.environ["COURSE_PROFILE"] = "quick"  # part 3 runs the quick profile; the kernels inherit this
    if args.device:
        os.environ["COURSE_DEVICE"] = args.device  # get_device honours it, and so do the notebooks in part 3
    device = get_device(verbose=False)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(f"Benchmark{' (--quick: smoke run, budgets too small to judge the targets)' if args.quick else ''}\n"
          f"device: {describe_device(device)}; torch {torch.__version__}; {torch.get_num_threads()} threads, "
          f"{os.cpu_count()} CPUs; load average before start: {load:.1f}")
    if load >= 0.5 * (os.cpu_count() or 1):
        print("WARNING: other processes are using the CPUs; every timing below is slower than this machine's own.")
    print()
    notebooks = None if args.skip_course else sorted((ROOT / "notebooks").glob("*.ipynb"))
    run_benchmark(QUICK if args.quick else FULL, device, notebooks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
