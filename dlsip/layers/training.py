"""Training a NumPy network: one epoch of mini-batch gradient descent on the softmax
cross-entropy, and the logits of a trained network.

>>> from dlsip.layers import Linear, SGD, Sequential
>>> rng = np.random.default_rng(0)
>>> x = rng.standard_normal((64, 2)).astype(np.float32)
>>> y = (x[:, 0] > 0).astype(np.int64)
>>> net = Sequential(Linear(2, 2, rng=rng))
>>> losses, accuracy = train_epoch(net, SGD(net, lr=0.5), x, y, batch_size=16, rng=rng)
>>> predict_logits(net, x).shape
(64, 2)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from .._validation import (
    check_array,
    check_bool,
    check_callable,
    check_instance,
    check_positive_int,
    check_rng,
)
from .losses import softmax_cross_entropy
from .modules import Module
from .optim import SGD, Adam

__all__ = ["train_epoch", "predict_logits"]


def _forward(model: Module, batch: np.ndarray, images: np.ndarray) -> np.ndarray:
    """``model.forward(batch)``; a batch that does not fit the model is reported as
    the argument ``images`` (the layer's own message names its input, ``x``)."""
    try:
        return model.forward(batch)
    except ValueError as err:
        raise ValueError(
            f"images with shape {images.shape} do not fit model: {err}"
        ) from err


def train_epoch(
    model: Module,
    optimizer: SGD | Adam,
    images: ArrayLike,
    labels: ArrayLike,
    *,
    batch_size: int = 64,
    rng: np.random.Generator | None = None,
    progress: bool = False,
    callback: Callable[[int, float], object] | None = None,
) -> tuple[np.ndarray, float]:
    """One epoch of mini-batch training with :func:`dlsip.layers.softmax_cross_entropy`.

    Parameters
    ----------
    model : Module
        Maps a batch of ``images`` to logits (N, K); put in training mode.
    optimizer : SGD or Adam
        Built on ``model``.
    images : ndarray, shape (N, ...)
        Already normalised, in the model's dtype.
    labels : ndarray of int, shape (N,)
    batch_size : int
        The last, smaller batch is kept (as torch's DataLoader with
        ``drop_last=False``).
    rng : numpy.random.Generator or None
        Shuffles the order; None keeps the order of ``images``.
    progress : bool
        Show a tqdm progress bar.
    callback : callable, optional
        Called as ``callback(step, loss)`` after every step.

    Returns
    -------
    losses : ndarray, shape (n_batches,)
        The loss of every mini-batch.
    accuracy : float
        Training accuracy over the epoch (on the fly, as the weights change).

    Raises
    ------
    ValueError
        If ``images`` and ``labels`` have different lengths, or ``images`` does not
        fit the model.
    TypeError
        If ``model`` is not a :class:`Module`.

    Examples
    --------
    >>> from dlsip.layers import Linear, SGD, Sequential
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((64, 2)).astype(np.float32)
    >>> y = (x[:, 0] > 0).astype(np.int64)
    >>> net = Sequential(Linear(2, 2, rng=rng))
    >>> opt = SGD(net, lr=0.5)
    >>> losses = [train_epoch(net, opt, x, y, batch_size=16, rng=rng)[0].mean()
    ...           for _ in range(10)]
    >>> bool(losses[-1] < losses[0])
    True
    """
    check_instance(model, "model", Module, "a dlsip.layers.Module")
    check_instance(optimizer, "optimizer", (SGD, Adam), "a dlsip.layers.SGD or Adam")
    images = check_array(images, "images")
    labels = check_array(labels, "labels", ndim=1)
    if images.shape[0] != labels.shape[0]:
        raise ValueError(
            "images and labels must have the same length (one label per image), got "
            f"images with shape {images.shape} and labels with shape {labels.shape}"
        )
    batch_size = check_positive_int(batch_size, "batch_size")
    rng = None if rng is None else check_rng(rng)
    progress = check_bool(progress, "progress")
    if callback is not None:
        check_callable(callback, "callback")
    n = images.shape[0]
    order = np.arange(n) if rng is None else rng.permutation(n)
    starts = range(0, n, batch_size)
    if progress:
        from tqdm import (
            tqdm,
        )  # the text bar: works in a terminal, a notebook and a book

        starts = tqdm(starts, desc="batches", mininterval=2.0)
    model.train()
    losses, correct = [], 0
    for step, start in enumerate(starts):
        idx = order[start : start + batch_size]
        logits = _forward(model, images[idx], images)
        loss, dlogits = softmax_cross_entropy(logits, labels[idx])
        model.backward(dlogits)
        optimizer.step()
        losses.append(loss)
        correct += int((logits.argmax(axis=1) == labels[idx]).sum())
        if callback is not None:
            callback(step, loss)
    return np.array(losses), correct / n


def predict_logits(
    model: Module, images: ArrayLike, *, batch_size: int = 1000
) -> np.ndarray:
    """Logits of ``model`` in eval mode, computed in batches; the model is left in eval
    mode.

    (:func:`dlsip.train.predict` is the torch counterpart; it returns labels by
    default.)

    Parameters
    ----------
    model : Module
    images : ndarray, shape (N, ...)
    batch_size : int

    Returns
    -------
    ndarray, shape (N, K)

    Raises
    ------
    TypeError
        If ``model`` is not a :class:`Module`.
    ValueError
        If ``images`` does not fit the model.

    Examples
    --------
    >>> from dlsip.layers import Linear, Sequential
    >>> net = Sequential(Linear(3, 2, rng=np.random.default_rng(0)))
    >>> predict_logits(net, np.zeros((5, 3), np.float32)).shape
    (5, 2)
    """
    check_instance(model, "model", Module, "a dlsip.layers.Module")
    images = check_array(images, "images")
    batch_size = check_positive_int(batch_size, "batch_size")
    model.eval()
    batches = range(0, images.shape[0], batch_size)
    return np.concatenate(
        [_forward(model, images[s : s + batch_size], images) for s in batches]
    )
