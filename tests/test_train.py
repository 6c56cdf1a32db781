"""Tests of dlsip/train.py on tiny synthetic data: fit, evaluate, predict,
confusion_matrix, TensorBatches and shift_images, each compared with a direct
computation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from dlsip.models import LectureCNN
from dlsip.train import (
    TensorBatches,
    confusion_matrix,
    evaluate,
    fit,
    get_device,
    predict,
    set_seed,
    shift_images,
)


def blobs(n=200, seed=0):
    """Two well separated Gaussian blobs in 2D: a linear model separates them."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=g)
    x = torch.randn(n, 2, generator=g) * 0.5 + (2.0 * y[:, None] - 1.0) * torch.tensor(
        [2.0, 0.0]
    )
    return x, y


def tiny_digits(n=96, seed=0):
    """28x28 images whose class is the quadrant with a bright square: CNNs learn it."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 4, (n,), generator=g)
    x = torch.randn(n, 1, 28, 28, generator=g) * 0.1
    for i, c in enumerate(y.tolist()):
        r, s = divmod(c, 2)
        x[i, 0, 14 * r + 3 : 14 * r + 11, 14 * s + 3 : 14 * s + 11] += 2.0
    return x, y


# ---- set_seed and get_device ----


def test_set_seed_repeats_torch_numpy_and_python():
    import random

    set_seed(3)
    a = (torch.rand(3), np.random.rand(3), random.random())  # noqa: NPY002
    set_seed(3)
    b = (torch.rand(3), np.random.rand(3), random.random())  # noqa: NPY002
    assert torch.equal(a[0], b[0]) and np.array_equal(a[1], b[1]) and a[2] == b[2]
    with pytest.raises(
        ValueError, match="seed must be a non-negative integer, got seed=-1"
    ):
        set_seed(-1)


def test_get_device_prefers_cuda_then_mps(monkeypatch):
    # the real machine: the first available of cuda, mps, cpu
    if torch.cuda.is_available():
        expected = "cuda"
    elif torch.backends.mps.is_available():
        expected = "mps"
    else:
        expected = "cpu"
    assert get_device() == torch.device(expected)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert get_device() == torch.device("mps")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert get_device() == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert get_device() == torch.device("cuda")


# ---- TensorBatches ----


@pytest.mark.parametrize("n, batch_size", [(10, 3), (9, 3), (1, 4), (7, 7)])
@pytest.mark.parametrize("shuffle", [False, True])
def test_tensor_batches_cover_every_example_once(n, batch_size, shuffle):
    x, y = torch.arange(n * 2.0).reshape(n, 2), torch.arange(n)
    batches = TensorBatches(x, y, batch_size=batch_size, shuffle=shuffle, seed=0)
    seen = [yb for _, yb in batches]
    assert len(seen) == len(batches) == -(-n // batch_size)
    assert [len(b) for b in seen[:-1]] == [batch_size] * (len(seen) - 1)
    labels = torch.cat(seen)
    assert sorted(labels.tolist()) == list(range(n))
    for xb, yb in batches:  # inputs stay paired with their labels
        torch.testing.assert_close(xb, x[yb])
    if not shuffle:
        assert labels.tolist() == list(range(n))


def test_tensor_batches_reshuffle_each_pass_and_repeat_with_the_seed():
    x, y = torch.zeros(50, 1), torch.arange(50)
    a = TensorBatches(x, y, batch_size=50, shuffle=True, seed=1)
    b = TensorBatches(x, y, batch_size=50, shuffle=True, seed=1)
    first, second = [next(iter(a))[1] for _ in range(2)]
    assert not torch.equal(first, second)
    assert torch.equal(first, next(iter(b))[1])


def test_tensor_batches_apply_the_transform_to_inputs_only():
    x, y = torch.ones(6, 2), torch.arange(6)
    out = list(TensorBatches(x, y, batch_size=4, transform=lambda t: 2 * t))
    assert all(torch.equal(xb, 2 * torch.ones_like(xb)) for xb, _ in out)
    assert torch.equal(torch.cat([yb for _, yb in out]), y)


@pytest.mark.parametrize(
    "x, y, kwargs, error, match",
    [
        (
            torch.zeros(3, 2),
            torch.zeros(4),
            {"batch_size": 2},
            ValueError,
            r"x and y must have as many examples \(one label per input\), got 3 and 4",
        ),
        (
            torch.zeros(3, 2),
            torch.zeros(3),
            {"batch_size": 0},
            ValueError,
            "batch_size must be a positive integer, got batch_size=0",
        ),
        (
            torch.zeros(0, 2),
            torch.zeros(0),
            {"batch_size": 2},
            ValueError,
            r"x must not be empty, got x with shape \(0, 2\)",
        ),
        (
            np.zeros((3, 2)),
            torch.zeros(3),
            {"batch_size": 2},
            TypeError,
            "x must be a torch.Tensor, got x=array of shape",
        ),
    ],
)
def test_tensor_batches_errors(x, y, kwargs, error, match):
    with pytest.raises(error, match=match):
        TensorBatches(x, y, **kwargs)


# ---- fit ----


def test_fit_learns_a_separable_problem_and_records_every_epoch():
    set_seed(0)
    x, y = blobs()
    model = nn.Linear(2, 2)
    history = fit(
        model,
        (x, y),
        epochs=5,
        batch_size=32,
        seed=0,
        progress=False,
        device="cpu",
        optimizer=torch.optim.SGD(model.parameters(), lr=0.5),
        val_data=blobs(seed=1),
    )
    assert set(history) == {
        "train_loss",
        "train_accuracy",
        "lr",
        "time",
        "val_loss",
        "val_accuracy",
    }
    assert all(len(v) == 5 for v in history.values())
    assert history["train_loss"][-1] < history["train_loss"][0]
    assert history["val_accuracy"][-1] >= 0.99
    # The recorded validation numbers are what evaluate says about the final model.
    assert history["val_loss"][-1] == pytest.approx(
        evaluate(model, blobs(seed=1))[0], rel=1e-6
    )


def test_fit_train_loss_is_the_running_mean_of_the_batch_losses():
    # With lr = 0 the model does not change, so the epoch's running mean must equal the
    # loss of
    # the fixed model on the whole set (weighted by batch sizes, the last batch being
    # smaller).
    set_seed(0)
    x, y = blobs(n=70)
    model = nn.Linear(2, 2)
    history = fit(
        model,
        (x, y),
        epochs=1,
        batch_size=32,
        progress=False,
        device="cpu",
        optimizer=torch.optim.SGD(model.parameters(), lr=0.0),
    )
    direct = nn.functional.cross_entropy(model(x), y).item()
    accuracy = (model(x).argmax(1) == y).sum().item() / len(y)
    assert history["train_loss"][0] == pytest.approx(direct, rel=1e-5)
    assert history["train_accuracy"][0] == pytest.approx(accuracy, abs=1e-12)


def test_fit_with_a_dataloader_equals_fit_with_tensors():
    x, y = tiny_digits(n=64)
    results = []
    for data in ((x, y), DataLoader(TensorDataset(x, y), batch_size=16, shuffle=False)):
        set_seed(0)
        model = LectureCNN()
        # Shuffling differs between the two, so compare one full-batch epoch with lr 0.
        hist = fit(
            model,
            data,
            epochs=1,
            batch_size=64,
            progress=False,
            device="cpu",
            optimizer=torch.optim.SGD(model.parameters(), lr=0.0),
        )
        results.append(hist["train_accuracy"][0])
    assert results[0] == pytest.approx(results[1])


@pytest.mark.parametrize("channels_last", [False, True])
def test_fit_trains_a_cnn_with_a_one_cycle_schedule(channels_last):
    set_seed(0)
    x, y = tiny_digits()
    model = LectureCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    steps = 8 * 3  # 8 epochs of 3 batches of 32
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=0.02, total_steps=steps
    )
    history = fit(
        model,
        (x, y),
        epochs=8,
        batch_size=32,
        seed=0,
        progress=False,
        device="cpu",
        optimizer=optimizer,
        scheduler=scheduler,
        channels_last=channels_last,
    )
    assert scheduler.last_epoch == steps  # stepped once per batch
    assert history["lr"][-1] < history["lr"][2]  # annealed at the end of the cycle
    assert history["train_accuracy"][-1] >= 0.95
    loss, acc = evaluate(model, tiny_digits(seed=5), channels_last=channels_last)
    assert acc >= 0.95


def test_fit_steps_an_epoch_scheduler_once_per_epoch():
    model = nn.Linear(2, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    history = fit(
        model,
        blobs(),
        epochs=3,
        batch_size=50,
        progress=False,
        device="cpu",
        optimizer=optimizer,
        scheduler=scheduler,
        scheduler_step="epoch",
    )
    assert history["lr"] == [0.5, 0.25, 0.125]


@pytest.mark.parametrize(
    "progress, verbose, bars, lines",
    [
        (True, None, True, 2),
        (False, None, False, 0),
        (False, True, False, 2),
        (True, False, True, 0),
    ],
)
def test_fit_progress_bars_and_epoch_lines(capsys, progress, verbose, bars, lines):
    model = nn.Linear(2, 2)
    fit(
        model,
        blobs(),
        epochs=2,
        batch_size=50,
        progress=progress,
        verbose=verbose,
        device="cpu",
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
    )
    out, err = capsys.readouterr()
    printed = [
        line.split(":")[0] for line in out.splitlines() if line.startswith("epoch")
    ]
    assert printed == ["epoch 1/2", "epoch 2/2"][:lines]
    assert ("batch/s" in err or "s/batch" in err or "4/4" in err) == bars


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"epochs": 0}, ValueError, "epochs must be a positive integer, got epochs=0"),
        (
            {"epochs": 1, "batch_size": -2},
            ValueError,
            "batch_size must be a positive integer, got batch_size=-2",
        ),
        (
            {"epochs": 1, "scheduler_step": "step"},
            ValueError,
            "scheduler_step must be one of 'batch', 'epoch'",
        ),
        (
            {"epochs": 1, "optimizer": "adam"},
            TypeError,
            "optimizer must be a torch.optim.Optimizer, got optimizer=str",
        ),
        (
            {"epochs": 1, "train_data": 3},
            TypeError,
            "train_data must be a pair of tensors .* got train_data=int",
        ),
        (
            {"epochs": 1, "model": "cnn"},
            TypeError,
            "model must be a torch.nn.Module, got model='cnn'",
        ),
    ],
)
def test_fit_errors(kwargs, error, match):
    model = nn.Linear(2, 2)
    args = {
        "model": model,
        "train_data": blobs(),
        "optimizer": torch.optim.SGD(model.parameters(), lr=0.1),
        "progress": False,
        "device": "cpu",
    }
    args.update(kwargs)
    with pytest.raises(error, match=match):
        fit(args.pop("model"), args.pop("train_data"), **args)


# ---- evaluate and predict ----


@pytest.mark.parametrize("batch_size", [1, 7, 1000])
def test_evaluate_matches_a_direct_computation(batch_size):
    torch.manual_seed(0)
    model = LectureCNN().train()
    x, y = tiny_digits(n=30)
    loss, acc = evaluate(model, (x, y), batch_size=batch_size)
    assert model.training  # mode restored
    model.eval()
    with torch.no_grad():
        logits = model(x)
    assert loss == pytest.approx(
        nn.functional.cross_entropy(logits, y).item(), rel=1e-5
    )
    assert acc == pytest.approx(
        (logits.argmax(1) == y).double().mean().item(), abs=1e-12
    )


def test_evaluate_uses_eval_mode_and_records_no_gradient():
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10), nn.Dropout(p=0.9))
    x, y = tiny_digits(n=40)
    a, b = evaluate(model, (x, y)), evaluate(model, (x, y))
    assert a == b  # dropout is off: deterministic
    assert all(p.grad is None for p in model.parameters())


def test_evaluate_with_a_dataloader_and_a_custom_loss():
    model = nn.Linear(2, 2)
    x, y = blobs(n=50)
    loader = DataLoader(TensorDataset(x, y), batch_size=8)
    loss_sum = nn.CrossEntropyLoss(reduction="sum")
    mean_loss, _ = evaluate(model, loader, loss_fn=lambda z, t: loss_sum(z, t) / len(t))
    assert mean_loss == pytest.approx(evaluate(model, (x, y))[0], rel=1e-6)


@pytest.mark.parametrize(
    "data, error, match",
    [
        ("images", TypeError, "data must be a pair of tensors .* got data=str"),
        (iter([]), ValueError, "data must contain at least one example, got none"),
    ],
)
def test_evaluate_errors(data, error, match):
    with pytest.raises(error, match=match):
        evaluate(nn.Linear(2, 2), data)


@pytest.mark.parametrize("batch_size", [1, 4, 100])
def test_predict_outputs_agree_with_the_logits(batch_size):
    torch.manual_seed(0)
    model = LectureCNN().eval()
    x, _ = tiny_digits(n=10)
    with torch.no_grad():
        logits = model(x)
    torch.testing.assert_close(
        predict(model, x, output="logits", batch_size=batch_size), logits
    )
    torch.testing.assert_close(
        predict(model, x, output="proba", batch_size=batch_size), logits.softmax(1)
    )
    assert torch.equal(predict(model, x, batch_size=batch_size), logits.argmax(1))


def test_predict_errors():
    with pytest.raises(
        ValueError,
        match="output must be one of 'label', 'proba', 'logits', got output='probs'",
    ):
        predict(nn.Linear(2, 2), torch.zeros(1, 2), output="probs")
    with pytest.raises(
        TypeError, match="x must be a torch.Tensor, got x=array of shape"
    ):
        predict(nn.Linear(2, 2), np.zeros((1, 2)))


# ---- confusion_matrix ----


@pytest.mark.parametrize("n, k, seed", [(1, 1, 0), (50, 3, 1), (1000, 10, 2)])
def test_confusion_matrix_equals_a_double_loop(n, k, seed):
    rng = np.random.default_rng(seed)
    t, p = rng.integers(0, k, n), rng.integers(0, k, n)
    cm = confusion_matrix(torch.from_numpy(t), p, num_classes=k)
    naive = np.zeros((k, k), dtype=np.int64)
    for i, j in zip(t, p):
        naive[i, j] += 1
    assert cm.dtype == np.int64 and np.array_equal(cm, naive)
    assert cm.sum() == n and np.trace(cm) == np.sum(t == p)


def test_confusion_matrix_rows_are_true_classes():
    cm = confusion_matrix([3, 3, 3], [1, 1, 3], num_classes=4)
    assert cm[3, 1] == 2 and cm[3, 3] == 1 and cm[1, 3] == 0


@pytest.mark.parametrize(
    "t, p, kwargs, error, match",
    [
        (
            [0, 1],
            [0],
            {},
            ValueError,
            r"y_true and y_pred must have the same shape, got y_true with shape \(2,\) "
            r"and y_pred with shape \(1,\)",
        ),
        (
            [0, 5],
            [0, 1],
            {"num_classes": 3},
            ValueError,
            r"y_true must hold labels below num_classes=3, got y_true.max\(\)=5",
        ),
        ([0.5], [0], {}, TypeError, "y_true must be a 1D array of integer labels"),
        ([[0]], [0], {}, TypeError, "y_true must be a 1D array of integer labels"),
        ([0], [-1], {}, ValueError, "y_pred must hold non-negative labels"),
    ],
)
def test_confusion_matrix_errors(t, p, kwargs, error, match):
    with pytest.raises(error, match=match):
        confusion_matrix(t, p, **kwargs)


# ---- shift_images ----


@pytest.mark.parametrize(
    "dy, dx", list(itertools.product([-3, -1, 0, 2], [-2, 0, 1, 5]))
)
def test_shift_images_equals_a_pixel_loop(dy, dx):
    x = torch.randn(2, 1, 6, 7)
    out = shift_images(x, dy, dx, fill=9.0)
    for i in range(6):
        for j in range(7):
            src_i, src_j = i - dy, j - dx
            expected = (
                x[..., src_i, src_j]
                if 0 <= src_i < 6 and 0 <= src_j < 7
                else torch.full((2, 1), 9.0)
            )
            torch.testing.assert_close(out[..., i, j], expected)


def test_shift_images_fills_with_the_background_and_can_shift_everything_out():
    x = torch.full((1, 1, 4, 4), -0.42)
    x[0, 0, 1:3, 1:3] = 2.0
    out = shift_images(x, 0, 2)
    assert out[0, 0, :, :2].eq(-0.42).all()  # the normalised background, not zero
    assert shift_images(x, 4, 0).eq(-0.42).all()


@pytest.mark.parametrize(
    "x, dy, error, match",
    [
        (
            torch.zeros(4, 4),
            1,
            ValueError,
            r"x must be 4D \(N, C, H, W\), got x with shape \(4, 4\)",
        ),
        (torch.zeros(1, 1, 4, 4), 1.5, TypeError, "dy must be an integer, got dy=1.5"),
    ],
)
def test_shift_images_errors(x, dy, error, match):
    with pytest.raises(error, match=match):
        shift_images(x, dy, 0)


# ---- arguments checked before training, and torch's errors said plainly ----


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"shuffle": 0}, TypeError, "shuffle must be True or False, got shuffle=0"),
        ({"shuffle": "yes"}, TypeError, "shuffle must be True or False"),
        ({"transform": 0}, TypeError, "transform must be callable"),
        (
            {"x": torch.zeros(3, 0)},
            ValueError,
            r"x must not be empty, got x with shape \(3, 0\)",
        ),
        (
            {"y": torch.tensor(1)},
            ValueError,
            r"y must be at least 1D \(N, \.\.\.\), got y with shape \(\)",
        ),
    ],
)
def test_tensor_batches_rejects_bad_arguments(kwargs, error, match):
    args = {"x": torch.zeros(3, 2), "y": torch.zeros(3), "batch_size": 2, **kwargs}
    with pytest.raises(error, match=match):
        TensorBatches(**args)


def _call(func, n_features=2, **kwargs):
    """fit, evaluate or predict of nn.Linear(2, 2) on 8 examples of n_features."""
    model = nn.Linear(2, 2)
    x, y = torch.randn(8, n_features), torch.arange(8) % 2
    if func == "fit":
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        return fit(model, (x, y), epochs=1, optimizer=opt, progress=False, **kwargs)
    if func == "evaluate":
        return evaluate(model, (x, y), **kwargs)
    return predict(model, x, **kwargs)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"device": "no_such"}, ValueError, "device must be a torch.device, a name"),
        ({"device": 1.5}, TypeError, "device must be a torch.device, a name"),
        ({"device": 99}, ValueError, "device=99 is not available: this machine has"),
        ({"device": "cuda:99"}, ValueError, "device='cuda:99' is not available"),
        ({"channels_last": 0}, TypeError, "channels_last must be True or False"),
    ],
)
@pytest.mark.parametrize("func", ["fit", "evaluate", "predict"])
def test_fit_evaluate_predict_check_device_and_layout(func, kwargs, error, match):
    with pytest.raises(error, match=match):
        _call(func, **kwargs)


@pytest.mark.parametrize("func", ["fit", "evaluate"])
def test_fit_and_evaluate_take_a_callable_loss(func):
    with pytest.raises(TypeError, match=r"loss_fn must be callable .*, got loss_fn=0"):
        _call(func, loss_fn=0)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"progress": 0}, TypeError, "progress must be True or False, got progress=0"),
        ({"verbose": "yes"}, TypeError, "verbose must be True or False"),
        ({"val_data": "abc"}, TypeError, "val_data must be a pair of tensors"),
        (
            {"val_data": (torch.zeros(3, 2), torch.zeros(2))},
            ValueError,
            r"val_data\[0\] and val_data\[1\] must have as many examples",
        ),
    ],
)
def test_fit_checks_every_argument_before_training(kwargs, error, match):
    model = nn.Linear(2, 2)
    before = [p.detach().clone() for p in model.parameters()]
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    data = (torch.randn(8, 2), torch.arange(8) % 2)
    with pytest.raises(error, match=match):
        fit(model, data, epochs=1, optimizer=opt, **{"progress": False, **kwargs})
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_fit_and_evaluate_name_data_that_does_not_fit_the_model():
    # nn.Linear(2, 2) takes 2 features, not 5
    with pytest.raises(ValueError, match=r"train_data does not fit model: a batch of"):
        _call("fit", n_features=5)
    with pytest.raises(ValueError, match=r"data does not fit model: .* shape \(8, 5\)"):
        _call("evaluate", n_features=5)


@pytest.mark.parametrize(
    "model, x, error, match",
    [
        (
            0,
            torch.zeros(4, 2),
            TypeError,
            "model must be a torch.nn.Module, got model=0",
        ),
        (nn.Linear(2, 2), torch.zeros(4, 3), ValueError, "x does not fit model"),
        (nn.Linear(2, 2), torch.zeros(4, 2, 1), ValueError, "x does not fit model"),
        (
            nn.Linear(2, 2),
            torch.zeros(4, 2, dtype=torch.complex64),
            ValueError,
            r"x does not fit model: .* dtype torch.complex64",
        ),
        (
            nn.Linear(2, 2),
            torch.zeros(0, 2),
            ValueError,
            r"x must not be empty, got x with shape \(0, 2\)",
        ),
        (
            nn.Linear(2, 2),
            torch.tensor(1.0),
            ValueError,
            r"x must be at least 1D \(N, \.\.\.\)",
        ),
    ],
)
def test_predict_rejects_what_the_model_cannot_take(model, x, error, match):
    with pytest.raises(error, match=match):
        predict(model, x)


@pytest.mark.parametrize(
    "t, p, kwargs, error, match",
    [
        ([[1, 2], [3]], [0, 1], {}, TypeError, "y_true must be an array of numbers"),
        ([0, 1], [[1, 2], [3]], {}, TypeError, "y_pred must be an array of numbers"),
        (
            [0, 1],
            [0, 9],
            {"num_classes": 4},
            ValueError,
            r"y_pred must hold labels below num_classes=4, got y_pred.max\(\)=9",
        ),
        (
            [0, 1],
            [0, 1],
            {"num_classes": 10**12},
            ValueError,
            "num_classes=1000000000000 would make a matrix of shape",
        ),
    ],
)
def test_confusion_matrix_names_the_bad_argument(t, p, kwargs, error, match):
    with pytest.raises(error, match=match):
        confusion_matrix(t, p, **kwargs)


def test_confusion_matrix_of_no_labels_is_empty():
    assert confusion_matrix([], []).shape == (0, 0)


@pytest.mark.parametrize(
    "x, fill, error, match",
    [
        (torch.zeros(1, 1, 4, 4), float("nan"), ValueError, "fill must be finite"),
        (torch.zeros(1, 1, 4, 4), "", TypeError, "fill must be a real number"),
        (torch.zeros(0, 1, 4, 4), 0.0, ValueError, "x must not be empty"),
    ],
)
def test_shift_images_rejects_a_bad_fill_or_an_empty_batch(x, fill, error, match):
    with pytest.raises(error, match=match):
        shift_images(x, 1, 0, fill=fill)
