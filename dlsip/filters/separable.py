r"""Separable kernels: a 2D kernel as an outer product, and filtering with its factors.

A kernel :math:`K = c\, r^T` (a column times a row) correlates an image in two 1D
passes, down the columns with :math:`c` and then along the rows with :math:`r`:
:math:`2K` instead of :math:`K^2` multiplications per pixel for a :math:`K \times K`
kernel. Box, Gaussian, Sobel and Prewitt kernels are separable; :func:`separate_kernel`
finds the factors of any kernel that is (by SVD) or says how far it is from being one,
and :func:`separable_correlate2d` filters with them.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import check_array, check_float
from .linear import _prepare, correlate2d

__all__ = ["NotSeparableError", "separate_kernel", "separable_correlate2d"]


class NotSeparableError(ValueError):
    """A kernel is not a rank-1 outer product within the requested tolerance."""


def separate_kernel(
    kernel: ArrayLike, *, tol: float = 1e-8
) -> tuple[np.ndarray, np.ndarray]:
    r"""Factor a 2D kernel as ``np.outer(column, row)`` by SVD, or say why it cannot be.

    Parameters
    ----------
    kernel : array_like, shape (kH, kW)
    tol : float
        Largest relative error accepted: the kernel is separable when
        ``||kernel - outer(column, row)||_F <= tol * ||kernel||_F``.

    Returns
    -------
    column : ndarray, shape (kH,)
    row : ndarray, shape (kW,)
        Float64 vectors with ``np.outer(column, row) ≈ kernel``. The scale is split so
        that the column's entry of largest magnitude (the first, on a tie) is 1 (for
        Sobel the column is the smoothing ``[1, 2, 1]`` and the row the difference
        ``[1, 0, -1]``); a zero kernel gives zeros.

    Raises
    ------
    NotSeparableError
        (a ``ValueError``) if the best rank-1 approximation misses by more than ``tol``;
        the message gives the relative error and the singular values.
    TypeError, ValueError
        If ``kernel`` is not a non-empty 2D numeric array or ``tol`` is negative.

    Notes
    -----
    With the SVD :math:`K = \sum_i \sigma_i u_i v_i^T`, the best rank-1 approximation
    (Eckart-Young) is :math:`\sigma_1 u_1 v_1^T`, and its relative Frobenius error is

    .. math:: \frac{\|K - \sigma_1 u_1 v_1^T\|_F}{\|K\|_F}
              = \sqrt{\frac{\sum_{i \ge 2} \sigma_i^2}{\sum_i \sigma_i^2}}.

    A separable :math:`K \times K` kernel costs :math:`2K` multiplications per pixel
    (a column pass, then a row pass) instead of :math:`K^2`.

    Examples
    --------
    >>> col, row = separate_kernel([[1, 0, -1], [2, 0, -2], [1, 0, -1]])   # Sobel
    >>> col, row
    (array([0.5, 1. , 0.5]), array([ 2.,  0., -2.]))
    >>> separate_kernel(np.eye(3))
    Traceback (most recent call last):
    ...
    dlsip.filters.separable.NotSeparableError: kernel is not separable within tol=1e-08:
    the best rank-1 approximation has relative error 0.816 (singular values 1, 1, 1)
    """
    k = check_array(kernel, "kernel", ndim=2).astype(np.float64)
    tol = check_float(tol, "tol", minimum=0.0)
    if not np.all(np.isfinite(k)):
        raise ValueError("kernel must contain only finite values, got NaN or infinity")
    u, s, vt = np.linalg.svd(k)
    total = float(np.sqrt(np.sum(s**2)))
    if total == 0.0:
        return np.zeros(k.shape[0]), np.zeros(k.shape[1])
    rel_error = float(np.sqrt(np.sum(s[1:] ** 2))) / total
    if rel_error > tol:
        shown = ", ".join(f"{v:.3g}" for v in s)
        raise NotSeparableError(
            f"kernel is not separable within tol={tol:g}: the best rank-1 "
            "approximation has "
            f"relative error {rel_error:.3g} (singular values {shown})"
        )
    column, row = u[:, 0] * s[0], vt[0]
    # Fix SVD's free scale and sign: the column's largest-magnitude entry becomes
    # exactly 1 (the first one on a tie, up to round-off, so that the result does not
    # depend on it).
    mags = np.abs(column)
    top = int(np.argmax(mags >= mags.max() * (1 - 1e-9)))
    peak = column[top]
    column, row = column / peak, row * peak
    column[top] = 1.0
    # Adding 0.0 turns SVD's signed zeros (-0.0) into plain zeros.
    return column + 0.0, row + 0.0


def separable_correlate2d(
    image: ArrayLike,
    column: ArrayLike,
    row: ArrayLike,
    *,
    padding: str | int | tuple[int, int] = "valid",
    mode: str = "constant",
    cval: float = 0.0,
) -> np.ndarray:
    r"""Correlate with the kernel ``np.outer(column, row)`` in two 1D passes.

    Parameters
    ----------
    image : array_like, shape (H, W)
    column : array_like, shape (kH,)
    row : array_like, shape (kW,)
        The factors of the kernel, for example from :func:`separate_kernel`.
    padding, mode, cval
        As :func:`dlsip.filters.correlate2d` (stride and dilation 1).

    Returns
    -------
    ndarray
        ``correlate2d(image, np.outer(column, row), padding=padding, mode=mode,
        cval=cval)``, up to round-off.

    Raises
    ------
    TypeError, ValueError
        As :func:`dlsip.filters.correlate2d`, and if ``column`` or ``row`` is not a
        non-empty 1D numeric array.

    Notes
    -----
    .. math::

        \sum_a \sum_b c[a]\, r[b]\, 	ilde f[i + a, j + b]
        = \sum_b r[b] \Big( \sum_a c[a]\, 	ilde f[i + a, j + b] \Big):

    the inner sum is a correlation of every column of the padded image :math:`	ilde f`
    with :math:`c`, the outer one a correlation of every row of that with :math:`r`. The
    image is padded once, for the whole 2D kernel, so the border is the 2D filter's in
    every mode. (``scipy.ndimage.sobel`` instead pads before each pass, which differs at
    the border for ``mode="constant"`` with ``cval != 0``.)

    Examples
    --------
    >>> import numpy as np
    >>> from dlsip.filters import SOBEL_X, correlate2d
    >>> image = np.arange(30.0).reshape(5, 6) ** 2
    >>> column, row = separate_kernel(SOBEL_X)
    >>> options = dict(padding="same", mode="reflect")
    >>> two_passes = separable_correlate2d(image, column, row, **options)
    >>> bool(np.allclose(two_passes, correlate2d(image, SOBEL_X, **options)))
    True
    """
    column = check_array(column, "column", ndim=1)
    row = check_array(row, "row", ndim=1)
    padded, kernel, _, _ = _prepare(
        image,
        np.outer(column, row),
        padding,
        mode,
        cval,
        1,
        1,
        kernel_name="np.outer(column, row)",
    )
    columns = correlate2d(
        padded, column[:, None].astype(kernel.dtype)
    )  # down each column
    return correlate2d(
        columns, row[None, :].astype(kernel.dtype)
    )  # then along each row
