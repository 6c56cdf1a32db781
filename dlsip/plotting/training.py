"""Chapters 3 to 5, training: loss curves, training histories and confusion matrices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from .._validation import (
    check_array,
    check_bool,
    check_choice,
    check_float,
    check_instance,
    check_positive_int,
)
from ._base import _get_ax

if TYPE_CHECKING:  # annotations only: matplotlib is imported on first use
    from matplotlib.axes import Axes


def _check_curve(values, name: str, window: int = 1) -> np.ndarray:
    """One curve: at least ``window`` finite numbers, as floats."""
    values = check_array(values, name, ndim=1).astype(float)
    if values.size < window:
        raise ValueError(
            f"{name} must have at least window={window} values, got {values.size}"
        )
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise ValueError(
            f"{name} must hold finite numbers, got {values[bad[0]]} at index {bad[0]}"
        )
    return values


def plot_loss_curves(
    curves: Mapping[str, ArrayLike],
    ax: Axes | None = None,
    *,
    window: int = 1,
    x_scale: float = 1.0,
    xlabel: str = "step",
    ylabel: str = "loss",
    title: str | None = None,
    logy: bool = False,
) -> Axes:
    """Overlay training curves, each smoothed by a running mean of ``window`` steps.

    Parameters
    ----------
    curves : dict of str to array_like
        Label to the values of one curve (one finite number per step).
    window : int
        Width of the running mean (1: no smoothing). The smoothed curve starts at step
        ``window - 1``, so that no point averages fewer steps than the others.
    x_scale : float
        Multiplies the step index (the batch size turns steps into images seen); a
        positive number.
    logy : bool
        A logarithmic y axis.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``curves`` is empty, a curve is shorter than ``window`` or holds a value that
        is not finite.

    Examples
    --------
    >>> curves = {"a": [3.0, 2.0, 1.0, 0.5], "b": [3.0, 1.0, 1.0, 1.0]}
    >>> ax = plot_loss_curves(curves, window=2)
    >>> [line.get_label() for line in ax.get_lines()]
    ['a', 'b']
    >>> ax.get_lines()[0].get_ydata().tolist()
    [2.5, 1.5, 0.75]
    """
    check_instance(curves, "curves", Mapping, "a mapping of label -> values")
    if not curves:
        raise ValueError("curves must contain at least one curve, got an empty mapping")
    window = check_positive_int(window, "window")
    curves = {
        label: _check_curve(values, f"curves[{label!r}]", window)
        for label, values in curves.items()
    }
    x_scale = check_float(x_scale, "x_scale", minimum=0.0, strict=True)
    logy = check_bool(logy, "logy")
    ax = _get_ax(ax, figsize=(6, 3.5))
    for label, values in curves.items():
        smooth = np.convolve(values, np.ones(window) / window, mode="valid")
        steps = (np.arange(smooth.size) + window - 1) * x_scale
        ax.plot(steps, smooth, label=label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3)
    return ax


def plot_confusion_matrix(
    cm: ArrayLike,
    ax: Axes | None = None,
    *,
    class_names: Sequence[str] | None = None,
    title: str | None = None,
    cmap: str = "Blues",
) -> Axes:
    """Draw a confusion matrix (rows: true, columns: predicted class) with its counts.

    The colour of the off-diagonal cells is scaled to the largest error, not to the
    diagonal, so that the mistakes stand out instead of fading next to thousands of
    correct predictions; the diagonal is drawn in grey.

    Parameters
    ----------
    cm : array-like of int, shape (K, K)
        ``cm[i, j]`` counts the examples of true class ``i`` predicted as ``j``, as
        :func:`dlsip.train.confusion_matrix` returns it.
    ax : matplotlib.axes.Axes, optional
    class_names : sequence of str, optional
        Tick labels; ``0, ..., K - 1`` by default.
    title : str, optional
    cmap : str
        Colour map of the errors.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``cm`` is not square or ``class_names`` does not have ``K`` names.

    Examples
    --------
    >>> ax = plot_confusion_matrix([[5, 1], [0, 7]])
    >>> [t.get_text() for t in ax.texts]
    ['5', '1', '0', '7']
    """
    cm = check_array(cm, "cm", ndim=2)
    k = cm.shape[0]
    if cm.shape != (k, k):
        raise ValueError(f"cm must be a square matrix, got cm with shape {cm.shape}")
    names = (
        [str(i) for i in range(k)]
        if class_names is None
        else [str(n) for n in class_names]
    )
    if len(names) != k:
        raise ValueError(f"class_names must have {k} names, got {len(names)}")
    ax = _get_ax(ax, figsize=(0.5 * k + 1.5, 0.5 * k + 1.2))
    errors = np.where(np.eye(k, dtype=bool), np.nan, cm.astype(float))
    top = np.nanmax(errors) if k > 1 and np.nanmax(errors) > 0 else 1.0
    ax.imshow(
        np.where(np.eye(k, dtype=bool), 0.15, np.nan), cmap="Greys", vmin=0, vmax=1
    )
    ax.imshow(errors, cmap=cmap, vmin=0, vmax=top)
    for i in range(k):
        for j in range(k):
            value = cm[i, j]
            dark = i != j and value > 0.6 * top
            ax.text(
                j,
                i,
                f"{value:g}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if dark else "black",
            )
    ax.set_xticks(range(k), names)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    if title is not None:
        ax.set_title(title)
    return ax


def plot_history(
    history: Mapping[str, Sequence[float]],
    ax: Axes | None = None,
    *,
    metric: str = "accuracy",
    title: str | None = None,
) -> Axes:
    """Plot a training history from :func:`dlsip.train.fit`: one curve per split.

    Parameters
    ----------
    history : dict of lists
        With ``"train_<metric>"`` and optionally ``"val_<metric>"``, each a non-empty
        list of finite numbers, one per epoch.
    ax : matplotlib.axes.Axes, optional
    metric : {"accuracy", "loss"}
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        For an unknown ``metric``, a history without ``"train_<metric>"``, or an empty
        curve or one with a value that is not finite.

    Examples
    --------
    >>> history = {"train_loss": [0.5, 0.2], "val_loss": [0.4, 0.3]}
    >>> ax = plot_history(history, metric="loss")
    >>> [line.get_label() for line in ax.get_lines()]
    ['training', 'validation']
    """
    check_instance(history, "history", Mapping, "a mapping as fit returns it")
    check_choice(metric, "metric", ("accuracy", "loss"))
    if f"train_{metric}" not in history:
        raise ValueError(
            f"history must have a 'train_{metric}' entry, got keys {sorted(history)}"
        )
    curves = {
        label: _check_curve(history[key], f"history[{key!r}]")
        for key, label in (
            (f"train_{metric}", "training"),
            (f"val_{metric}", "validation"),
        )
        if key in history
    }
    ax = _get_ax(ax, figsize=(5, 3))
    for label, values in curves.items():
        ax.plot(range(1, len(values) + 1), values, marker="o", label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.legend(loc="best")
    if title is not None:
        ax.set_title(title)
    return ax
