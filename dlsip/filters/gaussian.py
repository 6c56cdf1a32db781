r"""Gaussian smoothing: the sampled Gaussian kernel and the separable Gaussian filter.

The kernel is :math:`w[x] \propto \exp(-x^2 / (2 \sigma^2))` for :math:`|x| \le r`,
normalised to sum 1, with the radius :math:`r = \lfloor \text{truncate} \cdot \sigma +
0.5 \rfloor` of ``scipy.ndimage``. The 2D kernel :math:`w[x]\, w[y]` is an outer
product, so the filter is a pass down the columns followed by a pass along the rows.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .. import _geometry
from .._validation import (
    _show,
    check_allocation,
    check_choice,
    check_float,
    check_image,
    check_int,
)
from . import _fast
from .linear import MODES, _float_dtype

__all__ = ["gaussian_kernel", "gaussian_filter"]


def _gaussian_1d(sigma: float, truncate: float) -> np.ndarray:
    # Same formula and radius as scipy.ndimage's _gaussian_kernel1d, so results agree
    # exactly.
    radius = int(truncate * sigma + 0.5)
    check_allocation((2 * radius + 1,), f"sigma={sigma!r} and truncate={truncate!r}")
    if sigma == 0:
        return np.ones(1)
    x = np.arange(-radius, radius + 1)
    phi = np.exp(-0.5 / (sigma * sigma) * x**2)
    return phi / phi.sum()


def gaussian_kernel(
    sigma: float, *, truncate: float = 4.0, ndim: int = 2
) -> np.ndarray:
    r"""A normalised, sampled Gaussian kernel.

    Parameters
    ----------
    sigma : float
        Standard deviation in pixels, >= 0 (0 gives the identity kernel ``[1]``).
    truncate : float
        The kernel stops at ``radius = int(truncate * sigma + 0.5)`` pixels from the
        centre, as in ``scipy.ndimage.gaussian_filter``.
    ndim : {1, 2}
        A 1D kernel of length ``2 radius + 1``, or the 2D kernel, its outer product with
        itself.

    Returns
    -------
    ndarray, shape (2r + 1,) or (2r + 1, 2r + 1)
        Non-negative weights that sum to 1.

    Raises
    ------
    TypeError
        If sigma or truncate is not a number, or ndim not an int.
    ValueError
        If sigma < 0, truncate <= 0, ndim is not 1 or 2, or the kernel would be absurdly
        large.

    Notes
    -----
    :math:`w[x] \propto \exp(-x^2 / (2 \sigma^2))` for :math:`|x| \le r`, normalised to
    sum 1; the 2D kernel :math:`w[x] w[y]` is separable, which :func:`gaussian_filter`
    exploits.

    Examples
    --------
    >>> gaussian_kernel(1.0, truncate=1.0, ndim=1).round(4)
    array([0.2741, 0.4519, 0.2741])
    >>> gaussian_kernel(2.0).shape, round(float(gaussian_kernel(2.0).sum()), 12)
    ((17, 17), 1.0)
    """
    sigma = check_float(sigma, "sigma", minimum=0.0)
    truncate = check_float(truncate, "truncate", minimum=0.0, strict=True)
    ndim = check_int(ndim, "ndim")
    if ndim not in (1, 2):
        raise ValueError(f"ndim must be 1 or 2, got ndim={_show(ndim)}")
    k = _gaussian_1d(sigma, truncate)
    if ndim == 1:
        return k
    check_allocation((len(k), len(k)), f"sigma={sigma!r} and truncate={truncate!r}")
    return np.outer(k, k)


def _correlate_along(x: np.ndarray, weights: np.ndarray, axis: int) -> np.ndarray:
    """The "valid" 1D correlation along ``axis``: a weighted sum of shifted views."""
    n = x.shape[axis] - len(weights) + 1
    out = np.zeros((n, x.shape[1]) if axis == 0 else (x.shape[0], n), dtype=x.dtype)
    for a, weight in enumerate(weights):
        out += weight * (x[a : a + n] if axis == 0 else x[:, a : a + n])
    return out


def gaussian_filter(
    image: ArrayLike,
    sigma: float | tuple[float, float],
    *,
    mode: str = "reflect",
    cval: float = 0.0,
    truncate: float = 4.0,
) -> np.ndarray:
    r"""Gaussian smoothing, separably: a 1D Gaussian down the columns, then the rows.

    Parameters
    ----------
    image : array_like, shape (H, W)
    sigma : float or (float, float)
        Standard deviation in pixels, per axis or for both; 0 leaves an axis unchanged.
    mode : {"reflect", "constant", "mirror", "nearest", "wrap"}
    cval : float
    truncate : float
        Radius of the kernel in standard deviations (see :func:`gaussian_kernel`).

    Returns
    -------
    ndarray, shape (H, W), float (float32 for float32 and small-integer images)

    Raises
    ------
    TypeError, ValueError
        For a bad image, sigma, mode, cval or truncate.

    Notes
    -----
    Correlating with the 2D kernel :math:`w[x] w[y]` equals correlating the columns with
    :math:`w` and then the rows with :math:`w`, at :math:`2(2r+1)` instead of
    :math:`(2r+1)^2` multiply-adds per pixel. Equals ``scipy.ndimage.gaussian_filter``
    with the same arguments. A NaN or infinite pixel spreads over the :math:`(2r+1)^2`
    pixels around it, and no further, as in scipy.

    Examples
    --------
    >>> import numpy as np
    >>> impulse = np.zeros((5, 5)); impulse[2, 2] = 1
    >>> kernel = gaussian_kernel(1.0, truncate=2.0)
    >>> np.allclose(gaussian_filter(impulse, 1.0, truncate=2.0), kernel)
    True
    """
    image = check_image(image)
    if isinstance(sigma, (tuple, list)):
        if len(sigma) != 2:
            raise ValueError(
                f"sigma must be a number or a pair of numbers, got sigma={_show(sigma)}"
            )
        sigmas = tuple(check_float(s, "sigma", minimum=0.0) for s in sigma)
    else:
        sigmas = (check_float(sigma, "sigma", minimum=0.0),) * 2
    truncate = check_float(truncate, "truncate", minimum=0.0, strict=True)
    mode = check_choice(mode, "mode", MODES)
    cval = check_float(cval, "cval")
    dtype = _float_dtype(image.dtype)
    k0, k1 = (_gaussian_1d(s, truncate).astype(dtype) for s in sigmas)
    r0, r1 = len(k0) // 2, len(k1) // 2
    check_allocation(
        (image.shape[0] + 2 * r0, image.shape[1] + 2 * r1),
        f"sigma={sigma!r} and truncate={truncate!r}",
    )
    # Padding both axes first and filtering the padded columns equals scipy's
    # axis-by-axis padding: a column filter commutes with re-indexing the columns (and
    # maps a constant column of cval to cval, since the weights sum to 1).
    padded = _geometry.pad(
        image.astype(dtype, copy=False), ((r0, r0), (r1, r1)), mode=mode, cval=cval
    )
    if _fast.ENABLED:
        # Speed: the kernel is symmetric; mirror views are added, then multiplied once.
        columns = _fast.symmetric_correlate(padded, k0, axis=0)
        return _fast.symmetric_correlate(columns, k1, axis=1)
    columns = _correlate_along(padded, k0, axis=0)  # the column pass
    return _correlate_along(columns, k1, axis=1)  # then the row pass
