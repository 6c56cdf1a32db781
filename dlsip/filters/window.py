r"""Window statistics: a lens slides over the image and reports one number per position.

At each pixel the lens sees the pixels of a window (a ``size`` rectangle, or the cells
of a boolean ``footprint``) centred on it, and computes a statistic of them: their sum,
mean, maximum, minimum or median. For a footprint :math:`B` with centre
:math:`c = (k_H // 2, k_W // 2)`,

.. math::

    g[i, j] = \operatorname{stat}\{ \tilde f[i + a - c_0, j + b - c_1] :
              (a, b) \in B \}.


The computation is the one of :func:`dlsip.filters.correlate2d` without weights: pad the
image, take the shifted views ``padded[a : a + H, b : b + W]`` (one per footprint cell,
no copies), and reduce them element-wise (add them, take their maximum, or the median of
the stack).

Border modes are those of :data:`dlsip.filters.MODES`, and also ``"ignore"``: pixels
outside the image are left out, so a mean at a corner divides by the number of pixels
inside the image. Order statistics (max, min, median) keep the image's dtype; sums and
means are floats (float32 for images that fit in it).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from .. import _geometry
from .._validation import (
    _show,
    check_allocation,
    check_array,
    check_choice,
    check_float,
    check_image,
    check_pair,
)
from . import _fast
from .linear import MODES, _float_dtype

__all__ = [
    "STATISTICS",
    "window_filter",
    "window_filter_naive",
    "mean_filter",
    "median_filter",
    "max_filter",
    "min_filter",
]

#: Named statistics of window_filter (a callable also works).
STATISTICS = ("sum", "mean", "max", "min", "median")

Pair = tuple[int, int]
Statistic = str | Callable[[np.ndarray], float]

#: Window values the median holds in memory at once (16 M values: 64 MB in float32).
_VALUES_PER_BLOCK = 1 << 24


def _check_footprint(size, footprint, image_shape, *, size_name="size") -> np.ndarray:
    """A boolean footprint from ``footprint`` (a mask) or ``size`` (an int or pair),
    which the caller's signature calls ``size_name``."""
    if footprint is None:
        kh, kw = check_pair(size, size_name)
        sizes = f"{size_name}={size!r}"
        check_allocation((kh, kw), sizes)
        check_allocation((image_shape[0] + kh, image_shape[1] + kw), sizes)
        return np.ones((kh, kw), dtype=bool)
    fp = check_array(footprint, "footprint", ndim=2)
    if not np.any(fp):
        raise ValueError(
            "footprint must select at least one pixel, got an all-False footprint of "
            "shape "
            f"{fp.shape}"
        )
    return fp.astype(bool)


def _check_statistic(statistic) -> Statistic:
    if callable(statistic):
        return statistic
    if not isinstance(statistic, str):
        raise TypeError(
            f"statistic must be one of {', '.join(map(repr, STATISTICS))} or a "
            "function, "
            f"got statistic={_show(statistic)}"
        )
    return check_choice(statistic, "statistic", STATISTICS)


def _ignore_fill(statistic, dtype: np.dtype):
    """The value of a pixel outside the image in mode "ignore": one that the statistic
    ignores (the identity of max and min), or NaN where the pixels are counted."""
    if statistic in ("max", "min"):
        if dtype.kind == "f":
            return -np.inf if statistic == "max" else np.inf
        if dtype.kind == "b":
            return statistic == "min"
        info = np.iinfo(dtype)
        return info.min if statistic == "max" else info.max
    return np.nan


def _pad_for_window(
    image, shape: Pair, statistic, mode: str, cval: float, *, reflected=False
):
    """Pad ``image`` so that output pixel (i, j)'s window starts at ``padded[i, j]``.

    The dtype: the image's for order statistics, a float for sums, means and callables;
    a float also when "constant" fills an integer image with a ``cval`` it cannot hold,
    or "ignore" needs NaN. ``reflected`` centres the window at ``k - 1 - k // 2``
    instead of ``k // 2`` (the footprint reflected through its centre, for morphology).
    """
    kh, kw = shape
    before = (kh - 1 - kh // 2, kw - 1 - kw // 2) if reflected else (kh // 2, kw // 2)
    widths = ((before[0], kh - 1 - before[0]), (before[1], kw - 1 - before[1]))
    order = statistic in ("max", "min", "median")
    dtype = image.dtype if order else _float_dtype(image.dtype)
    if mode == "ignore":
        fill = _ignore_fill(statistic, dtype)
        if isinstance(fill, float) and np.isnan(fill) and dtype.kind != "f":
            dtype = np.dtype(np.float64)
        return _geometry.pad(
            image.astype(dtype, copy=False), widths, mode="constant", cval=fill
        )
    if mode == "constant" and dtype.kind in "iub":
        fits = (
            dtype.kind != "b"
            and float(cval).is_integer()
            and np.iinfo(dtype).min <= cval <= np.iinfo(dtype).max
        )
        if not fits:
            dtype = np.dtype(np.float64)
    return _geometry.pad(image.astype(dtype, copy=False), widths, mode=mode, cval=cval)


def _views(padded: np.ndarray, fp: np.ndarray) -> list[np.ndarray]:
    """The shifted views ``padded[a : a + H, b : b + W]``, one per footprint cell."""
    win = _geometry.windows(padded, fp.shape)  # (H, W, kH, kW), a view
    return [win[:, :, a, b] for a, b in np.argwhere(fp)]


def _reduce_views(padded: np.ndarray, fp: np.ndarray, ufunc: np.ufunc) -> np.ndarray:
    """Combine the shifted views under the footprint element-wise with ``ufunc``."""
    views = _views(padded, fp)
    out = views[0].copy()
    for view in views[1:]:
        ufunc(out, view, out=out)
    return out


def _window_values(padded: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """Every window's values under the footprint as an (H, W, n) array (a copy)."""
    win = _geometry.windows(padded, fp.shape)  # (H, W, kH, kW), a view
    if fp.all():  # a full window: a reshape copies 2x faster than boolean indexing
        return win.reshape(*win.shape[:2], fp.size)
    return win[:, :, fp]


def _upper_median(values: np.ndarray, *, ignore: bool) -> np.ndarray:
    """Rank ``n // 2`` of the ``n`` values along the last axis (the upper median).

    With ``ignore``, NaN marks pixels outside the image: they sort last and are not
    counted.
    """
    if ignore:
        values.sort(axis=-1)
        rank = np.sum(~np.isnan(values), axis=-1, keepdims=True) // 2
        return np.take_along_axis(values, rank, axis=-1)[..., 0]
    n = values.shape[-1]
    return np.partition(values, n // 2, axis=-1)[..., n // 2]


def window_filter(
    image: ArrayLike,
    statistic: Statistic,
    *,
    size: int | Pair = 3,
    footprint: ArrayLike | None = None,
    mode: str = "constant",
    cval: float = 0.0,
) -> np.ndarray:
    r"""Slide a window over the image and compute a statistic of the pixels it sees.

    Parameters
    ----------
    image : array_like, shape (H, W)
    statistic : {"sum", "mean", "max", "min", "median"} or callable
        What the lens computes. A callable receives the window's values as a 1D array
        (in row-major order of the footprint) and returns a number.
    size : int or (int, int)
        Window size, used when ``footprint`` is None. Even sizes are centred at
        ``size // 2``, as in ``scipy.ndimage``.
    footprint : array_like of bool, shape (kH, kW), optional
        Which pixels of the window count (a plus shape, a disc); replaces ``size``.
    mode : {"constant", "reflect", "mirror", "nearest", "wrap", "ignore"}
        How pixels outside the image are filled; ``"ignore"`` leaves them out, so a mean
        at a corner divides by the number of pixels inside the image.
    cval : float
        The fill value of ``mode="constant"``.

    Returns
    -------
    ndarray, shape (H, W)
        Same dtype as the image for max, min and median (float when ``cval`` does not
        fit an integer image's dtype or when ``"ignore"`` needs NaN); float otherwise.

    Raises
    ------
    TypeError
        For a non-numeric image or footprint, or a statistic that is neither a word nor
        callable.
    ValueError
        For an image that is not 2D or is empty, an unknown statistic or mode, a size
        below 1, or a footprint that is not 2D, is empty or selects no pixel.

    Notes
    -----
    For a footprint :math:`B` with centre :math:`c = (k_H // 2, k_W // 2)`,

    .. math:: g[i, j] = \operatorname{stat}\{ \tilde f[i + a - c_0, j + b - c_1] :
              (a, b) \in B \}.

    Sums, means, maxima and minima add (or compare) the shifted views of the padded
    image one footprint cell at a time; the median stacks the windows' values into an
    ``(H, W, n)`` array and takes rank :math:`n // 2` with ``np.partition`` (for an even
    :math:`n`, the upper of the two middle values, as ``scipy.ndimage.median_filter``;
    no averaging). A callable is applied pixel by pixel (slow, for teaching).
    Counterparts: ``scipy.ndimage.uniform_filter`` (mean), ``maximum_filter``,
    ``minimum_filter``, ``median_filter``, ``generic_filter`` (callable).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    >>> window_filter(x, "sum")            # zeros outside
    array([[12., 21., 16.],
           [27., 45., 33.],
           [24., 39., 28.]])
    >>> window_filter(x, "mean", mode="ignore")[0, 0]   # (1 + 2 + 4 + 5) / 4
    np.float64(3.0)
    >>> window_filter(x, "max", footprint=[[0, 1, 0], [1, 1, 1], [0, 1, 0]])
    array([[4, 5, 6],
           [7, 8, 9],
           [8, 9, 9]])
    """
    image = check_image(image)
    statistic = _check_statistic(statistic)
    fp = _check_footprint(size, footprint, image.shape)
    mode = check_choice(mode, "mode", MODES + ("ignore",))
    cval = check_float(cval, "cval")
    padded = _pad_for_window(image, fp.shape, statistic, mode, cval)
    ignore = mode == "ignore"

    if callable(statistic):
        values = _window_values(padded, fp)
        out = np.empty(image.shape, dtype=_float_dtype(image.dtype))
        for i, j in np.ndindex(image.shape):
            v = values[i, j]
            out[i, j] = statistic(v[~np.isnan(v)] if ignore else v)
        return out

    if statistic == "median":
        out = np.empty(image.shape, dtype=padded.dtype)
        # Blocks of rows bound the memory: all (H, W, n) values could take gigabytes.
        rows = max(1, _VALUES_PER_BLOCK // (image.shape[1] * np.count_nonzero(fp)))
        for r0 in range(0, image.shape[0], rows):
            values = _window_values(padded[r0 : r0 + rows + fp.shape[0] - 1], fp)
            out[r0 : r0 + rows] = _upper_median(values, ignore=ignore)
        return out.astype(image.dtype) if ignore and image.dtype.kind in "iub" else out

    count = np.count_nonzero(fp)
    if ignore and statistic in ("sum", "mean"):  # NaN marks the pixels outside
        inside = ~np.isnan(padded)
        count = _reduce_views(inside.astype(padded.dtype), fp, np.add)
        padded = np.where(inside, padded, 0)
    ufunc = {"max": np.maximum, "min": np.minimum}.get(statistic, np.add)
    if _fast.ENABLED and np.all(fp):
        # Speed: a full rectangle is reduced down the columns, then along the rows.
        out = _fast.separable_reduce(padded, fp.shape, ufunc)
    else:
        out = _reduce_views(padded, fp, ufunc)
    if statistic == "mean":
        # In place: no second image-sized array.
        out /= np.asarray(count, dtype=out.dtype)
    return out


def window_filter_naive(
    image: ArrayLike,
    statistic: Statistic,
    *,
    size: int | Pair = 3,
    footprint: ArrayLike | None = None,
    mode: str = "constant",
    cval: float = 0.0,
) -> np.ndarray:
    """The loop version of :func:`window_filter`: one pixel at a time.

    Parameters
    ----------
    image, statistic, size, footprint, mode, cval
        As :func:`window_filter`.

    Returns
    -------
    ndarray, shape (H, W), float64
        The same values as :func:`window_filter` (the tests check that they agree).

    Raises
    ------
    TypeError, ValueError
        As :func:`window_filter`.

    Notes
    -----
    Pads the image (with NaN for ``"ignore"``, which are then dropped), and for every
    pixel applies the statistic to the footprint's pixels of the window centred on it.

    Examples
    --------
    >>> window_filter_naive([[1, 5, 2], [8, 3, 7]], "median", size=(1, 3),
    ...                     mode="nearest")
    array([[1., 2., 2.],
           [8., 7., 7.]])
    """
    image = check_image(image)
    statistic = _check_statistic(statistic)
    fp = _check_footprint(size, footprint, image.shape)
    mode = check_choice(mode, "mode", MODES + ("ignore",))
    cval = check_float(cval, "cval")
    kh, kw = fp.shape
    h, w = image.shape
    widths = ((kh // 2, kh - 1 - kh // 2), (kw // 2, kw - 1 - kw // 2))
    if mode == "ignore":
        padded = _geometry.pad(
            image.astype(float), widths, mode="constant", cval=np.nan
        )
    else:
        padded = _geometry.pad(image.astype(float), widths, mode=mode, cval=cval)
    functions = {
        "sum": np.sum,
        "mean": np.mean,
        "max": np.max,
        "min": np.min,
        "median": lambda v: np.sort(v)[len(v) // 2],  # the upper median, as scipy
    }
    func = statistic if callable(statistic) else functions[statistic]
    out = np.empty((h, w))
    for i in range(h):
        for j in range(w):
            values = padded[i : i + kh, j : j + kw][fp]  # the pixels the lens sees
            if mode == "ignore":
                values = values[~np.isnan(values)]
            out[i, j] = func(values)
    return out


def mean_filter(
    image: ArrayLike,
    size: int | Pair = 3,
    *,
    footprint: ArrayLike | None = None,
    mode: str = "reflect",
    cval: float = 0.0,
) -> np.ndarray:
    """Box (mean) filter: the mean of the ``size`` x ``size`` window around each pixel.

    Parameters
    ----------
    image : array_like, shape (H, W)
    size : int or (int, int)
    footprint : array_like of bool, optional
        Replaces ``size``.
    mode : {"reflect", "constant", "mirror", "nearest", "wrap", "ignore"}
        Default ``"reflect"``, as ``scipy.ndimage.uniform_filter``.
    cval : float

    Returns
    -------
    ndarray, shape (H, W), float

    Raises
    ------
    TypeError, ValueError
        As :func:`window_filter`.

    Notes
    -----
    Equal to correlation with ``np.ones((k, k)) / k**2`` and to
    ``scipy.ndimage.uniform_filter(image, size, mode=mode)``.

    Examples
    --------
    >>> import numpy as np
    >>> mean_filter(np.array([[0, 0, 0], [0, 9, 0], [0, 0, 0]]), 3, mode="constant")
    array([[1., 1., 1.],
           [1., 1., 1.],
           [1., 1., 1.]])
    """
    return window_filter(
        image, "mean", size=size, footprint=footprint, mode=mode, cval=cval
    )


def median_filter(
    image: ArrayLike,
    size: int | Pair = 3,
    *,
    footprint: ArrayLike | None = None,
    mode: str = "reflect",
    cval: float = 0.0,
) -> np.ndarray:
    """Median filter: the median of each window (the upper median for an even count).

    Parameters and Raises as :func:`mean_filter`. Equals
    ``scipy.ndimage.median_filter``.

    Returns
    -------
    ndarray, shape (H, W), the image's dtype

    Notes
    -----
    Unlike the mean, the median ignores a minority of outliers in the window, so it
    removes salt-and-pepper noise and keeps step edges sharp.

    Examples
    --------
    >>> median_filter([[0, 0, 0], [0, 255, 0], [0, 0, 0]], 3)
    array([[0, 0, 0],
           [0, 0, 0],
           [0, 0, 0]])
    """
    return window_filter(
        image, "median", size=size, footprint=footprint, mode=mode, cval=cval
    )


def max_filter(
    image: ArrayLike,
    size: int | Pair = 3,
    *,
    footprint: ArrayLike | None = None,
    mode: str = "reflect",
    cval: float = 0.0,
) -> np.ndarray:
    r"""Maximum filter (``scipy.ndimage.maximum_filter``): each window's largest value.

    Parameters and Raises as :func:`mean_filter`.

    Returns
    -------
    ndarray, shape (H, W), the image's dtype

    Notes
    -----
    :math:`g[i, j] = \max_{(a, b) \in B} f[i + a - c_0, j + b - c_1]`.

    Examples
    --------
    >>> max_filter([[1, 0, 0, 0, 2]], (1, 3))
    array([[1, 1, 0, 2, 2]])
    """
    return window_filter(
        image, "max", size=size, footprint=footprint, mode=mode, cval=cval
    )


def min_filter(
    image: ArrayLike,
    size: int | Pair = 3,
    *,
    footprint: ArrayLike | None = None,
    mode: str = "reflect",
    cval: float = 0.0,
) -> np.ndarray:
    r"""Minimum filter (``scipy.ndimage.minimum_filter``): each window's smallest value.

    Parameters and Raises as :func:`mean_filter`.

    Returns
    -------
    ndarray, shape (H, W), the image's dtype

    Notes
    -----
    :math:`g[i, j] = \min_{(a, b) \in B} f[i + a - c_0, j + b - c_1]`. With a boolean
    footprint it is the grey-level erosion.

    Examples
    --------
    >>> min_filter([[1, 0, 3, 4, 2]], (1, 3))
    array([[0, 0, 0, 2, 2]])
    """
    return window_filter(
        image, "min", size=size, footprint=footprint, mode=mode, cval=cval
    )
