r"""Derivatives and edges: the Laplacian, Sobel and Prewitt derivatives, sharpening.

Each is a correlation with a small kernel that differentiates: the second difference
``[1, -2, 1]`` summed over both axes (the Laplacian), or the central difference
``[-1, 0, 1]`` along one axis, smoothed across it by ``[1, 2, 1]`` (Sobel) or
``[1, 1, 1]`` (Prewitt). Signs follow the derivative: the response is positive where the
intensity grows along +x (to the right) or +y (downwards), as in ``scipy.ndimage``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import _show, check_choice, check_float, check_image, check_int
from .linear import correlate2d

__all__ = [
    "LAPLACIAN",
    "SOBEL_X",
    "SOBEL_Y",
    "PREWITT_X",
    "PREWITT_Y",
    "VERTICAL_EDGE",
    "HORIZONTAL_EDGE",
    "laplacian",
    "sobel",
    "prewitt",
    "gradient_magnitude",
    "sharpen",
]

#: Discrete Laplacian, 4-neighbour: the sum of the second differences [1, -2, 1] along
#: rows and columns (what ``scipy.ndimage.laplace`` computes).
LAPLACIAN = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float)

# Sobel: smoothing [1, 2, 1] across the derivative, times the central difference [-1, 0,
# 1] along it. Signs follow the derivative: the response is positive where the intensity
# grows along +x (to the right) or +y (downwards), as in scipy.ndimage.sobel.
#: Sobel kernel for d/dx (along columns); ``correlate2d(f, SOBEL_X)`` equals
#: ``scipy.ndimage.sobel(f, axis=1)``.
SOBEL_X = np.outer([1, 2, 1], [-1, 0, 1]).astype(float)
#: Sobel kernel for d/dy (along rows, downwards).
SOBEL_Y = SOBEL_X.T.copy()
# Prewitt: the same with uniform smoothing [1, 1, 1].
#: Prewitt kernel for d/dx.
PREWITT_X = np.outer([1, 1, 1], [-1, 0, 1]).astype(float)
#: Prewitt kernel for d/dy.
PREWITT_Y = PREWITT_X.T.copy()
#: The lecture slides' "vertical edge" filter [[1, 0, -1]] * 3: positive on a
#: light-to-dark edge, i.e. ``-PREWITT_X``.
VERTICAL_EDGE = np.array([[1, 0, -1]] * 3, dtype=float)
#: The slides' "horizontal edge" filter [[1, 1, 1], [0, 0, 0], [-1, -1, -1]] =
#: ``-PREWITT_Y``.
HORIZONTAL_EDGE = VERTICAL_EDGE.T.copy()


def _check_axis(axis) -> int:
    axis = check_int(axis, "axis")
    if axis not in (0, 1, -1, -2):
        raise ValueError(
            "axis must be 0 (rows, d/dy) or 1 (columns, d/dx), or -1, -2, "
            f"got axis={_show(axis)}"
        )
    return axis % 2


def laplacian(
    image: ArrayLike, *, mode: str = "reflect", cval: float = 0.0
) -> np.ndarray:
    r"""The discrete Laplacian: correlation with :data:`LAPLACIAN`.

    Parameters
    ----------
    image : array_like, shape (H, W)
    mode : {"reflect", "constant", "mirror", "nearest", "wrap"}
    cval : float

    Returns
    -------
    ndarray, shape (H, W), float

    Raises
    ------
    TypeError, ValueError
        As :func:`correlate2d`.

    Notes
    -----
    The second difference :math:`f(x+1) + f(x-1) - 2 f(x)` along each axis, summed:

    .. math:: \nabla^2 f \approx f(x+1,y) + f(x-1,y) + f(x,y+1) + f(x,y-1) - 4 f(x,y).

    Equals ``scipy.ndimage.laplace``.

    Examples
    --------
    >>> laplacian([[0, 0, 0], [0, 1, 0], [0, 0, 0]], mode="constant")
    array([[ 0.,  1.,  0.],
           [ 1., -4.,  1.],
           [ 0.,  1.,  0.]])
    """
    return correlate2d(image, LAPLACIAN, padding="same", mode=mode, cval=cval)


def _separable_derivative(image, smooth, axis, mode, cval):
    """Central difference [-1, 0, 1] along ``axis``, then ``smooth`` across it, each a
    1D
    correlation with its own padding, as scipy.ndimage.sobel/prewitt compute it."""
    axis = _check_axis(axis)
    derivative = np.array([-1.0, 0.0, 1.0])
    along = derivative[:, None] if axis == 0 else derivative[None, :]
    across = smooth[None, :] if axis == 0 else smooth[:, None]
    out = correlate2d(image, along, padding="same", mode=mode, cval=cval)
    return correlate2d(out, across, padding="same", mode=mode, cval=cval)


def sobel(
    image: ArrayLike, axis: int = -1, *, mode: str = "reflect", cval: float = 0.0
) -> np.ndarray:
    r"""Sobel derivative along ``axis``: 1 is d/dx, 0 is d/dy.

    Parameters
    ----------
    image : array_like, shape (H, W)
    axis : {0, 1, -1, -2}
        Default -1 (d/dx), as ``scipy.ndimage.sobel``.
    mode : {"reflect", "constant", "mirror", "nearest", "wrap"}
    cval : float

    Returns
    -------
    ndarray, shape (H, W), float

    Raises
    ------
    ValueError
        For an unknown axis, and as :func:`correlate2d`.

    Notes
    -----
    Correlation with :data:`SOBEL_X` (axis 1) or :data:`SOBEL_Y` (axis 0): the central
    difference [-1, 0, 1] along the axis, smoothed by [1, 2, 1] across it. It is
    computed as these two 1D passes, each padding its own input, exactly as
    ``scipy.ndimage.sobel(image, axis, mode=mode, cval=cval)`` does; this equals
    ``correlate2d(image, SOBEL_X, padding="same", mode=mode)`` for every mode except
    ``"constant"`` with ``cval != 0``, where the second pass sees ``cval`` (not the
    difference of ``cval`` columns, 0) beyond the border. The lecture's Sobel filter
    [[1, 0, -1], [2, 0, -2], [1, 0, -1]] is ``-SOBEL_X``: positive on light-to-dark
    edges.

    Examples
    --------
    >>> sobel([[0, 0, 1, 1]] * 3, axis=1, mode="nearest")
    array([[0., 4., 4., 0.],
           [0., 4., 4., 0.],
           [0., 4., 4., 0.]])
    """
    return _separable_derivative(image, np.array([1.0, 2.0, 1.0]), axis, mode, cval)


def prewitt(
    image: ArrayLike, axis: int = -1, *, mode: str = "reflect", cval: float = 0.0
) -> np.ndarray:
    """Prewitt derivative along ``axis`` (uniform smoothing [1, 1, 1] across it).

    Parameters, Returns and Raises as :func:`sobel`.

    Notes
    -----
    The central difference [-1, 0, 1] along the axis, averaged by [1, 1, 1] across it
    (:data:`PREWITT_X`, :data:`PREWITT_Y`), in two padded 1D passes; equals
    ``scipy.ndimage.prewitt``.

    Examples
    --------
    >>> prewitt([[0, 0, 1, 1]] * 3, axis=1, mode="nearest")
    array([[0., 3., 3., 0.],
           [0., 3., 3., 0.],
           [0., 3., 3., 0.]])
    """
    return _separable_derivative(image, np.array([1.0, 1.0, 1.0]), axis, mode, cval)


def gradient_magnitude(
    image: ArrayLike,
    *,
    operator: str = "sobel",
    mode: str = "reflect",
    cval: float = 0.0,
) -> np.ndarray:
    r"""Length of the gradient, :math:`\sqrt{g_x^2 + g_y^2}`, from Sobel or Prewitt.

    Parameters
    ----------
    image : array_like, shape (H, W)
    operator : {"sobel", "prewitt"}
    mode : {"reflect", "constant", "mirror", "nearest", "wrap"}
    cval : float

    Returns
    -------
    ndarray, shape (H, W), float, non-negative

    Raises
    ------
    ValueError
        For an unknown operator, and as :func:`correlate2d`.

    Notes
    -----
    Equals ``scipy.ndimage.generic_gradient_magnitude(image, scipy.ndimage.sobel)``. It
    responds to edges at every angle, where one derivative responds only across its
    axis.

    Examples
    --------
    >>> gradient_magnitude([[0, 0, 1, 1]] * 3, mode="nearest")[0]
    array([0., 4., 4., 0.])
    """
    operator = check_choice(operator, "operator", ("sobel", "prewitt"))
    derivative = sobel if operator == "sobel" else prewitt
    gx = derivative(image, 1, mode=mode, cval=cval)
    gy = derivative(image, 0, mode=mode, cval=cval)
    return np.sqrt(gx * gx + gy * gy)


def sharpen(
    image: ArrayLike, amount: float = 1.0, *, mode: str = "reflect", cval: float = 0.0
) -> np.ndarray:
    r"""Sharpen by subtracting the Laplacian: :math:`f - \alpha \nabla^2 f`.

    Parameters
    ----------
    image : array_like, shape (H, W)
    amount : float
        :math:`\alpha \ge 0`; 0 returns the image (as float).
    mode : {"reflect", "constant", "mirror", "nearest", "wrap"}
    cval : float

    Returns
    -------
    ndarray, shape (H, W), float (not clipped: values may leave the input's range)

    Raises
    ------
    ValueError
        If amount < 0, and as :func:`correlate2d`.

    Notes
    -----
    Equivalent to one correlation with :math:`\delta - \alpha L`, i.e. the kernel
    ``[[0, -a, 0], [-a, 1 + 4a, -a], [0, -a, 0]]``. On each side of an edge the
    Laplacian has the opposite sign, so subtracting it overshoots both sides and the
    edge looks steeper.

    Examples
    --------
    >>> sharpen([[0, 0, 1, 1]], mode="nearest")
    array([[ 0., -1.,  2.,  1.]])
    """
    amount = check_float(amount, "amount", minimum=0.0)
    image = check_image(image)
    lap = laplacian(image, mode=mode, cval=cval)
    return image.astype(lap.dtype) - lap.dtype.type(amount) * lap
