r"""Learning a kernel: gradient descent finds the kernel that maps inputs to targets.

The loss :math:`L(w) = \frac{1}{M} \sum_n \| \text{correlate}(x_n, w) - y_n \|^2` is
quadratic in the kernel :math:`w`, and its gradient is itself a correlation, of the
inputs with the errors: the rule chapter 3 derives for a convolutional layer. The
lecture's demo starts from a random 3 x 3 kernel and ends at the detector of vertical
lines.
"""

from __future__ import annotations

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

__all__ = ["VERTICAL_LINE", "fit_kernel", "learn_kernel_demo"]

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
