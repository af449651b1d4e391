import pytest
import torch
from torch import nn

from course_utils.training import count_parameters, evaluate, fit, minibatches


def test_minibatches_cover_every_row_once_with_a_partial_last_batch():
    x, y = torch.arange(10.0).unsqueeze(1), torch.arange(10)
    batches = list(minibatches(x, y, batch_size=4, generator=torch.Generator().manual_seed(0)))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    seen = torch.cat([b[1] for b in batches])
    assert sorted(seen.tolist()) == list(range(10))
    assert seen.tolist() != list(range(10))  # shuffled
    for xb, yb in batches:
        assert torch.equal(xb.squeeze(1).long(), yb)  # rows stay paired with their labels


def test_minibatches_without_shuffle_keep_order():
    x, y = torch.arange(5.0), torch.arange(5)
    assert [b[1].tolist() for b in minibatches(x, y, 2, shuffle=False)] == [[0, 1], [2, 3], [4]]


def test_minibatches_bad_input():
    with pytest.raises(ValueError, match="x has 3 rows but y has 2"):
        list(minibatches(torch.zeros(3), torch.zeros(2), 2))
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        list(minibatches(torch.zeros(3), torch.zeros(3), 0))
    with pytest.raises(TypeError, match="must be torch tensors"):
        list(minibatches([1, 2], torch.zeros(2), 1))


def test_fit_learns_a_separable_problem_and_reports_history():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(256, 2, generator=g)
    y = (x[:, 0] + x[:, 1] > 0).long()
    torch.manual_seed(0)
    model = nn.Linear(2, 2)
    history = fit(model, torch.optim.SGD(model.parameters(), lr=0.5), (x, y), (x, y), epochs=5, batch_size=32)
    assert set(history) == {"train_loss", "val_loss", "val_acc", "seconds"}
    assert all(len(v) == 5 for v in history.values())
    assert history["train_loss"][-1] < history["train_loss"][0]
    assert history["val_acc"][-1] > 0.95
    assert count_parameters(model) == 6


def test_fit_is_repeatable_with_the_same_seed():
    x, y = torch.randn(64, 3, generator=torch.Generator().manual_seed(1)), torch.randint(0, 2, (64,))
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = nn.Linear(3, 2)
        runs.append(fit(model, torch.optim.SGD(model.parameters(), lr=0.1), (x, y), epochs=2, seed=5)["train_loss"])
    assert runs[0] == runs[1]


def test_evaluate_binary_single_output():
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.fill_(1.0), model.bias.fill_(0.0)
    x = torch.tensor([[-2.0], [-1.0], [1.0], [3.0]])
    y = torch.tensor([0.0, 0.0, 1.0, 0.0])
    loss, acc = evaluate(model, x, y, loss_fn=lambda out, t: nn.functional.binary_cross_entropy_with_logits(out.squeeze(1), t))
    assert acc == 0.75 and loss > 0


def test_fit_rejects_bad_epochs():
    model = nn.Linear(1, 2)
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        fit(model, torch.optim.SGD(model.parameters(), lr=0.1), (torch.zeros(2, 1), torch.zeros(2).long()), epochs=0)


# ------------------------------------------------------------------ issue 19: evaluate's contract, checked


class Constant(nn.Module):
    """A 'model' that returns fixed outputs, whatever its input."""

    def __init__(self, outputs):
        super().__init__()
        self.outputs = outputs

    def forward(self, x):
        return self.outputs[: len(x)]


def test_a_probability_model_is_thresholded_at_one_half():
    y = torch.tensor([0.0, 1.0, 0.0, 1.0] * 50)
    probabilities = torch.where(y == 1, 0.9, 0.1)  # 100% right, every output positive
    model = Constant(probabilities)
    assert evaluate(model, torch.zeros(200, 1), y, loss_fn=nn.functional.binary_cross_entropy)[1] == 1.0
    assert evaluate(model, torch.zeros(200, 1), y, loss_fn=nn.BCELoss())[1] == 1.0
    mse = nn.functional.mse_loss
    assert evaluate(model, torch.zeros(200, 1), y, loss_fn=mse, outputs="probabilities")[1] == 1.0
    with pytest.raises(ValueError, match="every output lies in \\[0, 1\\].*pass outputs='probabilities'"):
        evaluate(model, torch.zeros(200, 1), y, loss_fn=mse)  # cannot be told: refused, not guessed


def test_logits_declared_as_probabilities_are_refused():
    model = Constant(torch.tensor([-2.0, 3.0]))
    with pytest.raises(ValueError, match="outputs='probabilities'.*values from -2 to 3"):
        evaluate(model, torch.zeros(2, 1), torch.tensor([0.0, 1.0]), loss_fn=nn.functional.mse_loss,
                 outputs="probabilities")


def test_logits_are_thresholded_at_zero():
    y = torch.tensor([0.0, 1.0, 1.0])
    model = Constant(torch.tensor([-0.2, 0.3, 0.1]))  # all in [0, 1] but one, and all right as logits
    loss = nn.functional.binary_cross_entropy_with_logits
    assert evaluate(model, torch.zeros(3, 1), y, loss_fn=loss)[1] == 1.0
    assert evaluate(Constant(torch.tensor([0.2, 0.3, 0.1])), torch.zeros(3, 1), y, loss_fn=loss)[1] == pytest.approx(2 / 3)


def test_labels_of_shape_n_by_1_are_refused_for_a_multi_class_model():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(300, 2, generator=g)
    y = torch.randint(0, 3, (300,), generator=g)
    model = nn.Linear(2, 3)
    _, acc = evaluate(model, x, y)
    assert 0 <= acc <= 1
    with pytest.raises(ValueError, match=r"labels of shape \(300, 1\).*expected class indices of shape \(300,\) "
                                         r"\(use y.squeeze\(1\)\)"):
        evaluate(model, x, y.unsqueeze(1), loss_fn=lambda out, t: nn.functional.cross_entropy(out, t.squeeze(1)))


def test_single_output_labels_of_shape_n_by_1_are_compared_row_by_row():
    model = Constant(torch.tensor([[2.0], [-1.0], [3.0]]))
    y = torch.tensor([[1.0], [0.0], [0.0]])
    assert evaluate(model, torch.zeros(3, 1), y, loss_fn=nn.functional.binary_cross_entropy_with_logits)[1] == \
        pytest.approx(2 / 3)


def test_empty_data_is_a_clear_error():
    model = nn.Linear(2, 2)
    empty = (torch.zeros(0, 2), torch.zeros(0, dtype=torch.long))
    with pytest.raises(ValueError, match="empty"):
        evaluate(model, *empty)
    with pytest.raises(ValueError, match="empty"):
        fit(model, torch.optim.SGD(model.parameters(), lr=0.1), empty)
    with pytest.raises(ValueError, match="empty"):
        fit(model, torch.optim.SGD(model.parameters(), lr=0.1), (torch.zeros(4, 2), torch.zeros(4).long()), empty)


def test_fit_needs_pairs():
    model = nn.Linear(2, 2)
    x, y = torch.zeros(4, 2), torch.zeros(4).long()
    with pytest.raises(TypeError, match=r"train must be a pair \(x, y\) of tensors, e.g. train=\(x_train, y_train\); "
                                        "got a Tensor"):
        fit(model, torch.optim.SGD(model.parameters(), lr=0.1), train=x)
    with pytest.raises(TypeError, match="val must be a pair"):
        fit(model, torch.optim.SGD(model.parameters(), lr=0.1), (x, y), val=(x, y, y))


def test_numpy_integers_are_sizes_and_bools_are_not():
    import numpy as np

    model = nn.Linear(2, 2)
    x, y = torch.zeros(8, 2), torch.zeros(8).long()
    history = fit(model, torch.optim.SGD(model.parameters(), lr=0.1), (x, y), epochs=np.int64(2),
                  batch_size=np.int32(4), seed=np.int64(1))
    assert len(history["train_loss"]) == 2
    assert [len(b[0]) for b in minibatches(x, y, np.int64(3), shuffle=False)] == [3, 3, 2]
    for bad in (True, False):
        with pytest.raises(ValueError, match="batch_size must be a positive int"):
            list(minibatches(x, y, bad))
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        fit(model, torch.optim.SGD(model.parameters(), lr=0.1), (x, y), epochs=True)


# ------------------------------------------------------------------ progress while a long cell runs (issue 16)


def _tiny_task():
    torch.manual_seed(0)
    x, y = torch.randn(64, 3), torch.randint(0, 2, (64,))
    model = torch.nn.Linear(3, 2)
    return model, torch.optim.SGD(model.parameters(), lr=0.1), (x, y)


def test_fit_prints_nothing_in_the_quick_profile(capsys):
    model, opt, data = _tiny_task()
    fit(model, opt, data, val=data, epochs=2, batch_size=16)
    assert capsys.readouterr().out == ""  # stored quick-profile outputs stay stable


def test_fit_shows_progress_in_the_full_profile(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_PROFILE", "full")
    model, opt, data = _tiny_task()
    fit(model, opt, data, val=data, epochs=3, batch_size=16, label="MLP")
    lines = capsys.readouterr().out.splitlines()
    first_epoch = next(line for line in lines if line.startswith("MLP: 1/3 epochs"))
    assert " · loss " in first_epoch and "val acc" in first_epoch and "left" in first_epoch
    assert lines[-1].startswith("MLP: 3 epochs in ") and "val acc" in lines[-1]


def test_progress_updates_one_display_in_a_kernel(monkeypatch):
    from course_utils import progress as progress_module

    shown = []

    class Handle:
        def update(self, obj):
            shown.append(("update", obj.data))

    def display(obj, display_id=False):
        shown.append(("display", obj.data))
        return Handle()

    monkeypatch.setattr(progress_module, "_ipython_display", lambda: display)
    bar = progress_module.Progress(4, "epochs", "CNN", enabled=True, every=0.0)
    bar.update(1, loss=0.5)
    bar.update(2.5, loss=0.25, val_acc=0.9)
    bar.close(loss=0.1, val_acc=0.95)
    assert [kind for kind, _ in shown] == ["display", "update", "update"]  # one output, replaced in place
    assert "2.5/4 epochs · loss 0.25 · val acc 90.0%" in shown[1][1] and "about" in shown[1][1]
    assert shown[2][1].startswith("CNN: 4 epochs in ") and shown[2][1].endswith("· loss 0.1 · val acc 95.0%")
