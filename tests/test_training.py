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
