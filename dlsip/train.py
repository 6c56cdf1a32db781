"""Training and evaluating a classifier: the loop of the MNIST chapter, written once.

The steps of every supervised training script are the same: draw a mini-batch, compute
the loss, back-propagate, update the weights, and now and then measure the loss and
accuracy on data the model has not trained on. :func:`fit` does the first four,
:func:`evaluate` the last; :func:`predict` and :func:`confusion_matrix` look at what the
model gets wrong.

Data come in one of two forms:

- a pair of tensors ``(x, y)`` held in memory, which :class:`TensorBatches` cuts into
  shuffled mini-batches by indexing. MNIST is 47 MB as float32, so it fits, and indexing
  a tensor is many times faster than a ``DataLoader`` that converts one PIL image at a
  time;
- any iterable of ``(x, y)`` batches with a length, such as a
  ``torch.utils.data.DataLoader``, for data that does not fit in memory.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterable

import numpy as np
import torch
from numpy.typing import ArrayLike
from torch import nn

from ._validation import (
    check_allocation,
    check_array,
    check_bool,
    check_callable,
    check_choice,
    check_float,
    check_int,
    check_module,
    check_nonneg_int,
    check_positive_int,
    check_same_shape,
    check_tensor,
)

#: Training or test data: a pair ``(x, y)`` of tensors, or an iterable of such batches.
Data = tuple[torch.Tensor, torch.Tensor] | Iterable[tuple[torch.Tensor, torch.Tensor]]

__all__ = [
    "set_seed",
    "get_device",
    "TensorBatches",
    "fit",
    "evaluate",
    "predict",
    "confusion_matrix",
    "shift_images",
]


def set_seed(seed: int) -> None:
    """Seed Python's, NumPy's and torch's global random generators.

    Call it once at the top of a script or notebook, before building a model, so that
    the initial weights and everything else drawn from the global generators repeat.
    (Library functions never call it: they take a ``seed`` of their own.)

    Parameters
    ----------
    seed : int
        A non-negative integer.

    Raises
    ------
    TypeError, ValueError
        If ``seed`` is not a non-negative integer.

    Examples
    --------
    >>> set_seed(0); a = torch.rand(2)
    >>> set_seed(0); b = torch.rand(2)
    >>> bool(torch.equal(a, b))
    True
    """
    seed = check_nonneg_int(seed, "seed")
    random.seed(seed)
    # seeding the legacy global generator is the point here
    np.random.seed(seed % 2**32)  # noqa: NPY002
    torch.manual_seed(seed)


def get_device() -> torch.device:
    """The fastest available device: CUDA, then Apple's MPS, then the CPU.

    Returns
    -------
    torch.device

    Examples
    --------
    >>> get_device().type in ("cuda", "mps", "cpu")
    True
    """
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def _check_device(device) -> torch.device:
    """``device`` as a ``torch.device``; one that torch does not know, or that this
    machine does not have, is refused naming ``device``."""
    expected = "a torch.device, a name such as 'cpu' or 'cuda:0', or a GPU index"
    try:
        checked = torch.device(device)
    except TypeError as err:
        raise TypeError(f"device must be {expected}, got device={device!r}") from err
    except RuntimeError as err:  # an unknown name or a negative index
        raise ValueError(
            f"device must be {expected}, got device={device!r} ({err})"
        ) from err
    if checked.type == "cuda" and (checked.index or 0) >= torch.cuda.device_count():
        raise ValueError(
            f"device={device!r} is not available: this machine has "
            f"{torch.cuda.device_count()} CUDA GPUs (get_device() picks the fastest "
            "device there is)"
        )
    if checked.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(
            f"device={device!r} is not available: this machine has no Apple GPU (MPS)"
        )
    return checked


def _check_examples(x, y, x_name: str, y_name: str):
    """Inputs and labels: non-empty tensors with a batch axis, one label per input."""
    x = check_tensor(x, x_name, layout="(N, ...)")
    y = check_tensor(y, y_name, layout="(N, ...)")
    if x.shape[0] != y.shape[0]:
        raise ValueError(
            f"{x_name} and {y_name} must have as many examples (one label per input), "
            f"got {x.shape[0]} and {y.shape[0]}"
        )
    return x, y


def _check_data(data, name: str) -> None:
    """A pair of tensors ``(x, y)``, or an iterable of ``(x, y)`` batches."""
    if isinstance(data, (tuple, list)) and len(data) == 2:
        _check_examples(*data, f"{name}[0]", f"{name}[1]")
    elif isinstance(data, (tuple, list, str, bytes)) or not hasattr(data, "__iter__"):
        raise TypeError(
            f"{name} must be a pair of tensors (x, y) or an iterable of (x, y) "
            f"batches, got {name}={type(data).__name__}"
        )


class TensorBatches:
    """Mini-batches of in-memory tensors, reshuffled at every pass.

    Parameters
    ----------
    x : torch.Tensor, shape (N, ...)
        The inputs.
    y : torch.Tensor, shape (N,)
        The labels.
    batch_size : int
        The size of every batch but possibly the last.
    shuffle : bool
        Draw a new random order at each pass (for training); keep the order otherwise.
    seed : int, optional
        Seed of the generator of the shuffling order; None draws it from torch's global
        generator.
    transform : callable, optional
        Applied to each input batch (data augmentation on the whole batch at once).

    Raises
    ------
    TypeError, ValueError
        For inputs or labels that are not non-empty tensors of the same length, a batch
        size that is not a positive integer, a ``shuffle`` that is not a bool, or a
        ``transform`` that is not callable.

    Examples
    --------
    >>> x, y = torch.arange(10.0).reshape(5, 2), torch.arange(5)
    >>> batches = TensorBatches(x, y, batch_size=2)
    >>> len(batches), [yb.tolist() for _, yb in batches]
    (3, [[0, 1], [2, 3], [4]])
    """

    def __init__(
        self,
        x: torch.Tensor,
        y: torch.Tensor,
        *,
        batch_size: int,
        shuffle: bool = False,
        seed: int | None = None,
        transform: Callable[[torch.Tensor], torch.Tensor] | None = None,
    ):
        self.x, self.y = _check_examples(x, y, "x", "y")
        self.batch_size = check_positive_int(batch_size, "batch_size")
        self.shuffle = check_bool(shuffle, "shuffle")
        if transform is not None:
            check_callable(transform, "transform")
        self.transform = transform
        self.generator = torch.Generator()
        if seed is None:
            self.generator.manual_seed(int(torch.randint(0, 2**62, (1,)).item()))
        else:
            self.generator.manual_seed(check_nonneg_int(seed, "seed"))

    def __len__(self) -> int:
        return math.ceil(self.x.shape[0] / self.batch_size)

    def __iter__(self):
        n = self.x.shape[0]
        order = (
            torch.randperm(n, generator=self.generator).to(self.x.device)
            if self.shuffle
            else None
        )
        for start in range(0, n, self.batch_size):
            if order is None:
                xb, yb = (
                    self.x[start : start + self.batch_size],
                    self.y[start : start + self.batch_size],
                )
            else:
                idx = order[start : start + self.batch_size]
                xb, yb = self.x[idx], self.y[idx]
            if self.transform is not None:
                xb = self.transform(xb)
            yield xb, yb


def _as_batches(data, name: str, *, batch_size: int, shuffle: bool, seed=None):
    """A pair of tensors becomes TensorBatches; an iterable of batches is used as is."""
    _check_data(data, name)
    if isinstance(data, (tuple, list)):
        x, y = data
        return TensorBatches(x, y, batch_size=batch_size, shuffle=shuffle, seed=seed)
    return data


def _first_forward(model: nn.Module, xb: torch.Tensor, name: str) -> torch.Tensor:
    """``model(xb)`` on the first batch of ``name``: a torch error there is an input
    shape or dtype that does not fit the model, re-raised naming both."""
    try:
        return model(xb)
    except torch.OutOfMemoryError:
        raise
    except RuntimeError as err:
        raise ValueError(
            f"{name} does not fit model: a batch of shape {tuple(xb.shape)} and dtype "
            f"{xb.dtype} raised {type(err).__name__}: {err}"
        ) from err


def _to(x: torch.Tensor, device, channels_last: bool) -> torch.Tensor:
    x = x.to(device, non_blocking=True)
    if channels_last and x.ndim == 4:
        x = x.contiguous(memory_format=torch.channels_last)
    return x


def fit(
    model: nn.Module,
    train_data: Data,
    *,
    epochs: int,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    device: torch.device | str | None = None,
    progress: bool = True,
    verbose: bool | None = None,
    val_data: Data | None = None,
    loss_fn: Callable | None = None,
    batch_size: int = 128,
    seed: int | None = None,
    scheduler_step: str = "batch",
    channels_last: bool = False,
) -> dict:
    r"""Train ``model`` for a number of epochs and return its history.

    Parameters
    ----------
    model : torch.nn.Module
        A classifier that returns logits of shape (N, C).
    train_data : (x, y) pair of tensors, or iterable of (x, y) batches
        A pair is cut into shuffled batches of ``batch_size`` (:class:`TensorBatches`);
        a ``DataLoader`` (or any iterable of batches with a length) is used as it is.
    epochs : int
        The number of passes over ``train_data``.
    optimizer : torch.optim.Optimizer
        Built on ``model.parameters()``.
    scheduler : torch.optim.lr_scheduler.LRScheduler, optional
        Stepped after every batch (``scheduler_step="batch"``, as ``OneCycleLR``
        expects) or after every epoch (``"epoch"``, as ``StepLR`` expects).
    device : torch.device or str, optional
        Where to train; :func:`get_device` when None. The model is moved there.
    progress : bool
        Show a tqdm progress bar per epoch, with the running loss and accuracy.
    verbose : bool, optional
        Print one line per epoch with its loss and accuracy; the value of ``progress``
        when None. ``progress=False, verbose=True`` gives a short log without bars (for
        notebooks that are stored with their outputs).
    val_data : same forms as ``train_data``, optional
        Evaluated with :func:`evaluate` after every epoch.
    loss_fn : callable, optional
        ``loss_fn(logits, y)``, a mean over the batch; ``nn.CrossEntropyLoss()`` when
        None.
    batch_size : int
        The batch size when ``train_data`` is a pair of tensors.
    seed : int, optional
        Seed of the shuffling order when ``train_data`` is a pair of tensors.
    scheduler_step : {"batch", "epoch"}
        When to step the scheduler.
    channels_last : bool
        Store 4D batches (and the model's weights) in the channels-last (NHWC) memory
        layout, which makes pooling and batch norm faster on CPUs.

    Returns
    -------
    dict of lists, one entry per epoch
        ``"train_loss"``, ``"train_accuracy"`` (running averages over the epoch, in
        training mode), ``"lr"`` (at the end of the epoch), ``"time"`` (seconds of
        training in the epoch, evaluation excluded), and with ``val_data``
        ``"val_loss"`` and ``"val_accuracy"``.

    Raises
    ------
    TypeError, ValueError
        For a model that is not a module, a non-positive ``epochs`` or ``batch_size``,
        an unknown ``scheduler_step`` or ``device``, a flag that is not a bool, a
        ``loss_fn`` that is not callable, data that are neither a pair of tensors nor
        batches, or a first batch that the model cannot take (its message names the
        data and the model).

    Notes
    -----
    One step on a batch :math:`B` computes :math:`L = \frac{1}{|B|}\sum_{i \in B}
    \ell(f_\theta(x_i), y_i)`, its gradient :math:`\nabla_\theta L` by
    back-propagation, and lets the optimizer update :math:`\theta`. The gradients are
    reset before each backward pass (``zero_grad``), since torch adds new gradients to
    the old ones.

    Examples
    --------
    >>> set_seed(0)
    >>> x = torch.randn(64, 2); y = (x[:, 0] > 0).long()
    >>> model = nn.Linear(2, 2)
    >>> history = fit(model, (x, y), epochs=20, batch_size=16, seed=0, progress=False,
    ...               optimizer=torch.optim.SGD(model.parameters(), lr=0.5),
    ...               device="cpu")
    >>> len(history["train_loss"]), history["train_accuracy"][-1] > 0.9
    (20, True)
    """
    check_module(model, "model")
    _check_data(train_data, "train_data")
    epochs = check_positive_int(epochs, "epochs")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            "optimizer must be a torch.optim.Optimizer, got "
            f"optimizer={type(optimizer).__name__}"
        )
    device = get_device() if device is None else _check_device(device)
    progress = check_bool(progress, "progress")
    verbose = progress if verbose is None else check_bool(verbose, "verbose")
    if val_data is not None:  # checked now, not after the first epoch of training
        _check_data(val_data, "val_data")
    loss_fn = nn.CrossEntropyLoss() if loss_fn is None else loss_fn
    check_callable(loss_fn, "loss_fn")
    batch_size = check_positive_int(batch_size, "batch_size")
    check_choice(scheduler_step, "scheduler_step", ("batch", "epoch"))
    channels_last = check_bool(channels_last, "channels_last")
    batches = _as_batches(
        train_data, "train_data", batch_size=batch_size, shuffle=True, seed=seed
    )
    model.to(device)
    if channels_last:
        model.to(memory_format=torch.channels_last)
    if progress:
        from tqdm import (
            tqdm,
        )  # the plain (text) bar: tqdm.auto needs ipywidgets in Jupyter

    history = {"train_loss": [], "train_accuracy": [], "lr": [], "time": []}
    if val_data is not None:
        history.update(val_loss=[], val_accuracy=[])
    for epoch in range(1, epochs + 1):
        model.train()
        total_loss = torch.zeros((), device=device)
        correct = torch.zeros((), dtype=torch.long, device=device)
        seen = 0
        bar = (
            tqdm(batches, desc=f"epoch {epoch}/{epochs}", unit="batch", mininterval=1.0)
            if progress
            else batches
        )
        start = time.perf_counter()
        for xb, yb in bar:
            xb, yb = _to(xb, device, channels_last), yb.to(device, non_blocking=True)
            # the first batch of an epoch: an input that does not fit names train_data
            logits = model(xb) if seen else _first_forward(model, xb, "train_data")
            loss = loss_fn(logits, yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if scheduler is not None and scheduler_step == "batch":
                scheduler.step()
            # Accumulated on the device: no .item() per batch, which would synchronise a
            # GPU.
            n = yb.shape[0]
            total_loss += loss.detach() * n
            correct += (logits.detach().argmax(dim=1) == yb).sum()
            seen += n
            if progress and bar.n % 50 == 0:
                bar.set_postfix(
                    loss=f"{total_loss.item() / seen:.4f}",
                    acc=f"{correct.item() / seen:.4f}",
                    refresh=False,
                )
        if scheduler is not None and scheduler_step == "epoch":
            scheduler.step()
        elapsed = time.perf_counter() - start
        if seen == 0:
            raise ValueError("train_data must yield at least one batch, got none")
        history["train_loss"].append(total_loss.item() / seen)
        history["train_accuracy"].append(correct.item() / seen)
        history["lr"].append(optimizer.param_groups[0]["lr"])
        history["time"].append(elapsed)
        line = (
            f"epoch {epoch}/{epochs}: train loss {history['train_loss'][-1]:.4f}, "
            f"accuracy {history['train_accuracy'][-1]:.4f}"
        )
        if val_data is not None:
            val_loss, val_acc = evaluate(
                model,
                val_data,
                loss_fn=loss_fn,
                device=device,
                channels_last=channels_last,
            )
            history["val_loss"].append(val_loss)
            history["val_accuracy"].append(val_acc)
            line += f"; validation loss {val_loss:.4f}, accuracy {val_acc:.4f}"
        if progress:
            bar.close()
        if verbose:
            print(line, flush=True)
    return history


@torch.no_grad()
def evaluate(
    model: nn.Module,
    data: Data,
    *,
    loss_fn: Callable | None = None,
    batch_size: int = 1000,
    device: torch.device | str | None = None,
    channels_last: bool = False,
) -> tuple[float, float]:
    """The mean loss and the accuracy of ``model`` on ``data``, in batches.

    The model is switched to evaluation mode (batch norm uses its running statistics,
    dropout is off) and gradients are not recorded; its previous mode is restored after.

    Parameters
    ----------
    model : torch.nn.Module
        A classifier that returns logits of shape (N, C).
    data : (x, y) pair of tensors, or iterable of (x, y) batches
        A pair is cut into batches of ``batch_size`` in order.
    loss_fn : callable, optional
        ``loss_fn(logits, y)``, a mean over the batch; ``nn.CrossEntropyLoss()`` when
        None.
    batch_size : int
        Batch size for a pair of tensors; large batches are fast, since no activations
        are kept for a backward pass.
    device : torch.device or str, optional
        The device of the model's parameters when None.
    channels_last : bool
        Pass 4D batches in the channels-last memory layout.

    Returns
    -------
    loss : float
        The mean of the per-example losses over all of ``data``.
    accuracy : float
        The fraction of examples whose largest logit is the true class.

    Raises
    ------
    TypeError, ValueError
        For a model that is not a module, data in neither form, empty data, a
        ``loss_fn`` that is not callable, an unknown ``device``, a ``channels_last``
        that is not a bool, or a first batch that the model cannot take.

    Examples
    --------
    >>> model = nn.Linear(2, 2)
    >>> with torch.no_grad():
    ...     _ = model.weight.copy_(torch.eye(2)); _ = model.bias.zero_()
    >>> x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 0.0]])
    >>> y = torch.tensor([0, 1, 1])
    >>> loss, acc = evaluate(model, (x, y))
    >>> round(acc, 4)
    0.6667
    """
    check_module(model, "model")
    _check_data(data, "data")
    loss_fn = nn.CrossEntropyLoss() if loss_fn is None else loss_fn
    check_callable(loss_fn, "loss_fn")
    batch_size = check_positive_int(batch_size, "batch_size")
    device = _model_device(model) if device is None else _check_device(device)
    channels_last = check_bool(channels_last, "channels_last")
    batches = _as_batches(data, "data", batch_size=batch_size, shuffle=False)
    was_training = model.training
    model.eval()
    try:
        total_loss, correct, seen = 0.0, 0, 0
        for xb, yb in batches:
            xb, yb = _to(xb, device, channels_last), yb.to(device)
            logits = model(xb) if seen else _first_forward(model, xb, "data")
            n = yb.shape[0]
            total_loss += float(loss_fn(logits, yb)) * n
            correct += int((logits.argmax(dim=1) == yb).sum())
            seen += n
    finally:
        model.train(was_training)
    if seen == 0:
        raise ValueError("data must contain at least one example, got none")
    return total_loss / seen, correct / seen


def _model_device(model: nn.Module) -> torch.device:
    param = next(model.parameters(), None)
    return torch.device("cpu") if param is None else param.device


@torch.no_grad()
def predict(
    model: nn.Module,
    x: torch.Tensor | tuple[torch.Tensor, torch.Tensor],
    *,
    output: str = "label",
    batch_size: int = 1000,
    device: torch.device | str | None = None,
    channels_last: bool = False,
) -> torch.Tensor:
    r"""The model's predictions for the inputs ``x``, in batches, in evaluation mode.

    Parameters
    ----------
    model : torch.nn.Module
        A classifier that returns logits of shape (N, C).
    x : torch.Tensor, shape (N, ...)
        The inputs (or a pair ``(x, y)``, whose labels are ignored).
    output : {"label", "proba", "logits"}
        What to return: the predicted class of each input (the index of the largest
        logit), the softmax probabilities, or the raw logits.
    batch_size : int
        The number of inputs per forward pass.
    device : torch.device or str, optional
        The device of the model's parameters when None.
    channels_last : bool
        Pass 4D batches in the channels-last memory layout.

    Returns
    -------
    torch.Tensor, on the CPU
        int64 shape (N,) for ``"label"``; float shape (N, C) otherwise.

    Raises
    ------
    TypeError, ValueError
        For a model that is not a module, an input that is not a non-empty tensor or
        that the model cannot take, an unknown ``output`` or ``device``, or a
        ``channels_last`` that is not a bool.

    Notes
    -----
    The softmax turns logits :math:`z` into probabilities
    :math:`p_k = e^{z_k} / \sum_j e^{z_j}`. Exponentiating the logits alone,
    :math:`e^{z_k}`, gives numbers that do not sum to one: logits are not
    log-probabilities until ``log_softmax`` has subtracted :math:`\log \sum_j e^{z_j}`.

    Examples
    --------
    >>> model = nn.Linear(2, 3)
    >>> x = torch.randn(5, 2)
    >>> proba = predict(model, x, output="proba")
    >>> predict(model, x).shape, proba.sum(dim=1).allclose(torch.ones(5))
    (torch.Size([5]), True)
    """
    check_module(model, "model")
    if isinstance(x, (tuple, list)) and len(x) == 2:
        x = x[0]
    x = check_tensor(x, "x", layout="(N, ...)")
    check_choice(output, "output", ("label", "proba", "logits"))
    batch_size = check_positive_int(batch_size, "batch_size")
    device = _model_device(model) if device is None else _check_device(device)
    channels_last = check_bool(channels_last, "channels_last")
    was_training = model.training
    model.eval()
    try:
        outputs = []
        for i in range(0, x.shape[0], batch_size):
            xb = _to(x[i : i + batch_size], device, channels_last)
            out = model(xb) if outputs else _first_forward(model, xb, "x")
            outputs.append(out.float().cpu())
    finally:
        model.train(was_training)
    logits = torch.cat(outputs)
    if output == "label":
        return logits.argmax(dim=1)
    return logits.softmax(dim=1) if output == "proba" else logits


def _check_labels(labels, name: str) -> np.ndarray:
    """Class labels: a 1D array (or tensor) of non-negative integers, as int64."""
    if isinstance(labels, torch.Tensor):
        labels = labels.detach().cpu().numpy()
    labels = check_array(labels, name, numeric=False, allow_empty=True)
    if labels.ndim != 1 or (labels.size and labels.dtype.kind not in "iu"):
        raise TypeError(
            f"{name} must be a 1D array of integer labels, got {name} with dtype "
            f"{labels.dtype} and shape {labels.shape}"
        )
    if labels.size and labels.min() < 0:
        raise ValueError(
            f"{name} must hold non-negative labels, got {name}.min()={labels.min()}"
        )
    return labels.astype(np.int64)


def confusion_matrix(
    y_true: ArrayLike, y_pred: ArrayLike, *, num_classes: int | None = None
) -> np.ndarray:
    """Count how often each true class is predicted as each class.

    Parameters
    ----------
    y_true, y_pred : array-like or torch.Tensor of int, shape (N,)
        True and predicted class labels in ``0, ..., num_classes - 1``.
    num_classes : int, optional
        The number of classes; the largest label plus one when None.

    Returns
    -------
    ndarray of int64, shape (num_classes, num_classes)
        ``cm[i, j]`` is the number of examples of true class ``i`` predicted as ``j``:
        rows are true classes (the convention of scikit-learn), the diagonal holds the
        correct predictions, and ``cm.sum() == N``.

    Raises
    ------
    TypeError, ValueError
        For labels that are not 1D integers of the same length, negative labels,
        labels not below ``num_classes``, or an absurd ``num_classes``.

    Examples
    --------
    >>> confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2])
    array([[1, 0, 0],
           [0, 1, 1],
           [0, 0, 1]])
    """
    y_true, y_pred = _check_labels(y_true, "y_true"), _check_labels(y_pred, "y_pred")
    check_same_shape(y_true, "y_true", y_pred, "y_pred")
    if num_classes is None:  # the largest label plus one
        num_classes = int(max(y_true.max(initial=-1), y_pred.max(initial=-1))) + 1
    else:
        num_classes = check_positive_int(num_classes, "num_classes")
        for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
            if labels.max(initial=-1) >= num_classes:
                raise ValueError(
                    f"{name} must hold labels below num_classes={num_classes}, got "
                    f"{name}.max()={labels.max()}"
                )
    check_allocation(
        (num_classes, num_classes), f"num_classes={num_classes}", what="a matrix"
    )
    counts = np.bincount(
        y_true * num_classes + y_pred, minlength=num_classes * num_classes
    )
    return counts.reshape(num_classes, num_classes).astype(np.int64)


def shift_images(
    x: torch.Tensor, dy: int, dx: int, *, fill: float | None = None
) -> torch.Tensor:
    """Translate a batch of images by whole pixels, filling the uncovered border.

    Parameters
    ----------
    x : torch.Tensor, shape (N, C, H, W)
    dy, dx : int
        The shift down and to the right, in pixels; negative values shift up and left.
    fill : float, optional
        The value of the uncovered pixels; the value of ``x``'s top-left pixel of the
        first image when None, which is the background of MNIST digits whatever their
        normalisation (the background of a normalised digit is not zero).

    Returns
    -------
    torch.Tensor, same shape as ``x``

    Raises
    ------
    TypeError, ValueError
        If ``x`` is not a non-empty 4D tensor, a shift is not an integer, or ``fill``
        is not a finite real number.

    Notes
    -----
    ``out[..., i, j] = x[..., i - dy, j - dx]`` where that pixel exists, ``fill``
    elsewhere: no wrap-around, unlike ``torch.roll``.

    Examples
    --------
    >>> x = torch.arange(9.0).reshape(1, 1, 3, 3)
    >>> shift_images(x, 1, 0, fill=-1.0)[0, 0]
    tensor([[-1., -1., -1.],
            [ 0.,  1.,  2.],
            [ 3.,  4.,  5.]])
    """
    x = check_tensor(x, "x", layout="(N, C, H, W)")
    dy, dx = check_int(dy, "dy"), check_int(dx, "dx")
    fill = float(x[0, 0, 0, 0]) if fill is None else check_float(fill, "fill")
    h, w = x.shape[-2:]
    out = torch.full_like(x, fill)
    if abs(dy) >= h or abs(dx) >= w:
        return out
    out[..., max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = x[
        ..., max(-dy, 0) : h - max(dy, 0), max(-dx, 0) : w - max(dx, 0)
    ]
    return out
