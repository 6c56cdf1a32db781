r"""Learning a kernel: gradient descent finds the kernel that maps inputs to targets.

The loss :math:`L(w) = \frac{1}{M} \sum_n \| \text{correlate}(x_n, w) - y_n \|^2` is
quadratic in the kernel :math:`w`, and its gradient is itself a correlation, of the
inputs with the errors: the rule chapter 3 derives for a convolutional layer
(:func:`fit_kernel`). That needs the wanted feature map as the target. From labels alone
(an image holds the pattern or not), :func:`fit_detector` learns a kernel whose largest
response, through a sigmoid, says whether the pattern is there: logistic regression on
the maximum of the feature map.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from .. import _geometry
from .._validation import (
    check_allocation,
    check_array,
    check_float,
    check_nonneg_int,
    check_pair,
    check_positive_int,
    check_rng,
)
from ..signals import vertical_line_images
from .linear import correlate2d

__all__ = [
    "VERTICAL_LINE",
    "fit_kernel",
    "learn_kernel_demo",
    "DetectorFit",
    "detector_scores",
    "fit_detector",
]

#: The ideal detector of a one-pixel-wide bright vertical line: [[-1, 2, -1]] * 3 (a
#: negative second difference across x, summed down three rows).
VERTICAL_LINE = np.array([[-1, 2, -1]] * 3, dtype=float)


def fit_kernel(
    images: ArrayLike,
    targets: ArrayLike,
    *,
    size: int | tuple[int, int] = 3,
    lr: float = 0.5,
    steps: int = 300,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Learn a correlation kernel by gradient descent on the mean squared error.

    Parameters
    ----------
    images : array_like, shape (N, H, W)
    targets : array_like, shape (N, H - kH + 1, W - kW + 1)
        The wanted ``correlate2d(image, kernel)`` ("valid") of each image.
    size : int or (int, int)
        Kernel size (kH, kW).
    lr : float
        Learning rate (> 0).
    steps : int
        Number of full-batch gradient steps (>= 1).
    rng : numpy.random.Generator, optional
        For the random initial kernel (standard normal).

    Returns
    -------
    kernel : ndarray, shape (kH, kW)
    losses : ndarray, shape (steps + 1,)
        The loss before each step and after the last.

    Raises
    ------
    ValueError
        For shapes that do not match, or a bad size, lr or steps.

    Notes
    -----
    With :math:`e_n = \text{correlate}(x_n, w) - y_n` and
    :math:`L = \frac{1}{M} \sum_n \|e_n\|^2` (:math:`M` the number of output pixels),

    .. math::

        \frac{\partial L}{\partial w} = \frac{2}{M} \sum_n \text{correlate}(x_n, e_n),


    itself a cross-correlation of the input with the error: the rule that chapter 3
    derives for a convolutional layer. The loss is quadratic in :math:`w`, so for a
    small enough rate the kernel converges to the least-squares solution.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = vertical_line_images(16, 10, rng=rng)
    >>> y = np.stack([correlate2d(im, VERTICAL_LINE) for im in x])
    >>> w, losses = fit_kernel(x, y, rng=rng)
    >>> bool(np.allclose(w, VERTICAL_LINE, atol=1e-3))
    True
    >>> bool(losses[-1] < 1e-8 * losses[0])
    True
    """
    images = check_array(images, "images", ndim=3).astype(float)
    targets = check_array(targets, "targets", ndim=3).astype(float)
    kh, kw = check_pair(size, "size")
    lr = check_float(lr, "lr", minimum=0.0, strict=True)
    steps = check_positive_int(steps, "steps")
    check_allocation((steps + 1,), f"steps={steps!r}")
    n, h, w = images.shape
    if kh > h or kw > w:
        raise ValueError(f"size {(kh, kw)} does not fit images of shape {(h, w)}")
    expected = (n, h - kh + 1, w - kw + 1)
    if targets.shape != expected:
        raise ValueError(
            f"targets must have shape {expected} (one 'valid' output per image), "
            f"got targets with shape {targets.shape}"
        )
    rng = check_rng(rng)
    kernel = rng.standard_normal((kh, kw))
    m = targets.size
    # All windows of all images at once, (N, H_out, W_out, kH, kW): a view, no copy.
    windows = _geometry.windows(images, (kh, kw))
    losses = np.empty(steps + 1)
    for step in range(steps + 1):
        errors = (
            np.einsum("nijab,ab->nij", windows, kernel) - targets
        )  # correlate2d of each image
        losses[step] = float(np.sum(errors * errors)) / m
        if step == steps:
            break
        grad = np.einsum("nijab,nij->ab", windows, errors) * (
            2.0 / m
        )  # = sum_n correlate2d(x_n, e_n)
        kernel = kernel - lr * grad
    return kernel, losses


def learn_kernel_demo(
    seed: int = 0, *, n: int = 32, size: int = 12, steps: int = 300, lr: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """The slides' example: a random 3x3 kernel learns to detect a vertical line.

    Trains :func:`fit_kernel` on :func:`vertical_line_images` with the responses of
    :data:`VERTICAL_LINE` as targets, from a random start.

    Parameters
    ----------
    seed : int
        Seeds the images and the initial kernel.
    n, size, steps, lr
        Number and size of the images, gradient steps, learning rate.

    Returns
    -------
    learned : ndarray, shape (3, 3)
    target : ndarray, shape (3, 3)
        :data:`VERTICAL_LINE`.

    Raises
    ------
    ValueError
        For a bad n, size, steps or lr (see :func:`fit_kernel`).

    Notes
    -----
    The lecture slides show a random kernel ending near ``[[-1, 2, -1]] * 3``; with
    noisy images the least-squares problem has a unique solution, that kernel, and 300
    steps reach it to about 1e-5.

    Examples
    --------
    >>> learned, target = learn_kernel_demo(0)
    >>> np.round(learned, 2)
    array([[-1.,  2., -1.],
           [-1.,  2., -1.],
           [-1.,  2., -1.]])
    """
    rng = np.random.default_rng(check_nonneg_int(seed, "seed"))
    images = vertical_line_images(n, size, rng=rng)
    targets = np.stack([correlate2d(x, VERTICAL_LINE) for x in images])
    learned, _ = fit_kernel(images, targets, size=3, lr=lr, steps=steps, rng=rng)
    return learned, VERTICAL_LINE.copy()


class DetectorFit(NamedTuple):
    """What :func:`fit_detector` learned, and its loss before each step."""

    kernel: np.ndarray
    bias: float
    losses: np.ndarray


def _feature_map_max(images: np.ndarray, kernel: np.ndarray):
    """The largest "valid" correlation of each image with the kernel, and the window
    where it is reached, (N,) and (N, kH, kW)."""
    n = images.shape[0]
    windows = _geometry.windows(images, kernel.shape)  # (N, H_out, W_out, kH, kW)
    maps = np.einsum("nijab,ab->nij", windows, kernel).reshape(n, -1)
    where = np.argmax(maps, axis=1)  # the first maximum, as torch's max
    best = windows.reshape(n, -1, *kernel.shape)[np.arange(n), where]
    return maps[np.arange(n), where], best


def _check_images_and_kernel(images, kernel) -> tuple[np.ndarray, np.ndarray]:
    images = check_array(images, "images", ndim=3).astype(float)
    kernel = check_array(kernel, "kernel", ndim=2).astype(float)
    if kernel.shape[0] > images.shape[1] or kernel.shape[1] > images.shape[2]:
        raise ValueError(
            f"kernel of shape {kernel.shape} does not fit images of shape "
            f"{images.shape[1:]}"
        )
    return images, kernel


def detector_scores(
    images: ArrayLike, kernel: ArrayLike, *, bias: float = 0.0
) -> np.ndarray:
    r"""The detector's score of each image: the largest value of its feature map, plus
    a bias.

    Parameters
    ----------
    images : array_like, shape (N, H, W)
    kernel : array_like, shape (kH, kW)
    bias : float

    Returns
    -------
    ndarray, shape (N,)
        :math:`z_n = \max_{i, j} \text{correlate}(x_n, w)[i, j] + b`, a logit: the
        detector says "present" where it is positive.

    Raises
    ------
    TypeError
        For non-numeric input.
    ValueError
        For images that are not 3D, a kernel that is not 2D or does not fit, a bias
        that is not finite.

    Examples
    --------
    >>> x = np.zeros((2, 5, 5))
    >>> x[0, :, 2] = 1.0                  # a vertical line in the first image only
    >>> detector_scores(x, VERTICAL_LINE, bias=-3.0)
    array([ 3., -3.])
    """
    images, kernel = _check_images_and_kernel(images, kernel)
    bias = check_float(bias, "bias")
    return _feature_map_max(images, kernel)[0] + bias


def fit_detector(
    images: ArrayLike,
    labels: ArrayLike,
    *,
    kernel: ArrayLike,
    bias: float = 0.0,
    lr: float = 0.5,
    steps: int = 300,
) -> DetectorFit:
    r"""Learn a pattern detector from labelled images: logistic regression on the
    maximum of the feature map.

    The score of image :math:`x_n` is :math:`z_n = \max_{i, j} (x_n \star w)[i, j] + b`
    (:func:`detector_scores`); the loss is the mean binary cross-entropy of
    :math:`\sigma(z_n)` against the label :math:`y_n \in \{0, 1\}`. Full-batch
    gradient descent from the given kernel.

    Parameters
    ----------
    images : array_like, shape (N, H, W)
    labels : array_like of 0 and 1, shape (N,)
        1 where the image holds the pattern.
    kernel : array_like, shape (kH, kW)
        The initial kernel.
    bias : float
        The initial bias.
    lr : float
        Learning rate (> 0).
    steps : int
        Number of gradient steps (>= 1).

    Returns
    -------
    DetectorFit
        ``kernel``, ``bias`` and ``losses`` (shape (steps + 1,): the loss before each
        step and after the last).

    Raises
    ------
    TypeError
        For non-numeric input.
    ValueError
        For shapes that do not match, labels other than 0 and 1, or a bad bias, lr or
        steps.

    Notes
    -----
    With :math:`p_n = \sigma(z_n)`, :math:`\partial L / \partial z_n = (p_n - y_n) / N`.
    The maximum passes the gradient to the one window where it is reached (the first,
    on a tie, as torch does), :math:`W_n`, so

    .. math::

        \frac{\partial L}{\partial w} = \frac{1}{N} \sum_n (p_n - y_n)\, W_n,
        \qquad
        \frac{\partial L}{\partial b} = \frac{1}{N} \sum_n (p_n - y_n).

    The loss is not convex in :math:`w` (the maximum picks another window as
    :math:`w` changes), so the kernel found depends on the start.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> lines = vertical_line_images(20, 8, rng=rng)
    >>> x = np.concatenate([lines, lines.transpose(0, 2, 1)])  # vertical, horizontal
    >>> y = np.r_[np.ones(20), np.zeros(20)]
    >>> fit = fit_detector(x, y, kernel=rng.standard_normal((3, 3)), steps=200)
    >>> bool(fit.losses[-1] < 0.2 * fit.losses[0])
    True
    >>> float(np.mean((detector_scores(x, fit.kernel, bias=fit.bias) > 0) == y))
    1.0
    """
    images, kernel = _check_images_and_kernel(images, kernel)
    labels = check_array(labels, "labels", ndim=1).astype(float)
    if labels.shape[0] != images.shape[0]:
        raise ValueError(
            f"labels must hold one label per image ({images.shape[0]}), got labels "
            f"with shape {labels.shape}"
        )
    if not np.all((labels == 0) | (labels == 1)):
        raise ValueError("labels must be 0 or 1, got other values in labels")
    bias = check_float(bias, "bias")
    lr = check_float(lr, "lr", minimum=0.0, strict=True)
    steps = check_positive_int(steps, "steps")
    check_allocation((steps + 1,), f"steps={steps!r}")
    n = images.shape[0]
    losses = np.empty(steps + 1)
    for step in range(steps + 1):
        scores, windows = _feature_map_max(images, kernel)
        z = scores + bias
        # log(1 + e^z) - y z, the cross-entropy of sigmoid(z), without overflow
        losses[step] = float(np.mean(np.logaddexp(0.0, z) - labels * z))
        if step == steps:
            break
        dz = (0.5 * (1.0 + np.tanh(0.5 * z)) - labels) / n  # sigmoid(z) - y, over N
        kernel = kernel - lr * np.einsum("n,nab->ab", dz, windows)
        bias = bias - lr * float(dz.sum())
    return DetectorFit(kernel, bias, losses)
