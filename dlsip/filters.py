"""Image filtering as a sliding-window lens (chapter 1).

A *lens* (a window, a kernel) slides over an image; at each position it computes one number
from the pixels it sees: their sum, maximum, mean, median, or a weighted sum. The weighted
sum is linear filtering, i.e. cross-correlation,

.. math::

    g(x, y) = \\sum_{s} \\sum_{t} w(s, t)\\, f(x + s, y + t),

and convolution is the same sum with the kernel flipped. Everything else in this module
(smoothing, derivatives, edges, morphology) is one of these lenses with a particular kernel
or statistic.

Conventions (all chosen to agree with :mod:`scipy.ndimage` to the last bit of float64)
------------------------------------------------------------------------------------
Centre of a kernel
    A kernel of size ``k`` along an axis has its centre at index ``k // 2``. For odd ``k``
    that is the middle; for even ``k`` it is the right one of the two middle cells, as
    ``scipy.ndimage`` places it with ``origin=0``.
Padding words (``correlate2d`` and friends)
    ``"valid"``: no padding, the output shrinks by ``k - 1``. ``"same"``: the output has the
    input's shape (for stride 1); the padding is ``k // 2`` before and ``k - 1 - k // 2``
    after, so that output pixel ``i`` is centred on input pixel ``i``. ``"full"``: ``k - 1``
    on both sides, every partial overlap. An int ``p`` or a pair ``(p_h, p_w)`` pads ``p``
    on both sides of the axis, as ``torch.nn.functional.conv2d`` does. With dilation ``d``
    the kernel's effective size ``d (k - 1) + 1`` replaces ``k``; with stride ``s`` the
    output is the stride-1 output sampled every ``s`` pixels.
Convolution
    ``convolve2d(f, w)`` is the *full* convolution :math:`\\sum_m w[m] f[n - m]` cropped by
    the padding. With ``"same"`` the crop starts at ``k // 2``, which is what
    ``scipy.ndimage.convolve`` computes; for odd kernels this is the same as correlating with
    the flipped kernel, for even kernels it is shifted by one pixel from that (and from
    ``numpy.convolve(..., "same")``, which starts the crop at ``(k - 1) // 2``).
Border modes (how the padding is filled), as in ``scipy.ndimage``
    ``"constant"`` (``k k k | a b c d | k k k`` with ``k = cval``), ``"reflect"``
    (``c b a | a b c d | d c b``, half-sample symmetric), ``"mirror"``
    (``d c b | a b c d | c b a``, whole-sample symmetric), ``"nearest"``
    (``a a a | a b c d | d d d``) and ``"wrap"`` (``b c d | a b c d | a b c``, periodic).
    Window statistics also accept ``"ignore"``: pixels outside the image are left out.
Output dtype
    Floating point: ``float32`` when the image and the kernel fit in float32 (a float32 or
    uint8 image with a float32 kernel, say), ``float64`` otherwise. Order statistics (max,
    min, median) keep the image's dtype; binary morphology returns booleans.

Every fast function here has a readable loop version beside it (``correlate2d_loop``,
``window_filter_loop``); the tests check that the two agree, and that both agree with
``scipy.ndimage``.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ._validation import (
    _show,
    check_array,
    check_choice,
    check_float,
    check_image,
    check_int,
    check_nonneg_int,
    check_pair,
    check_positive_int,
)

__all__ = [
    "MODES",
    "PADDINGS",
    "STATISTICS",
    "LAPLACIAN",
    "SOBEL_X",
    "SOBEL_Y",
    "PREWITT_X",
    "PREWITT_Y",
    "VERTICAL_EDGE",
    "HORIZONTAL_EDGE",
    "correlate2d",
    "convolve2d",
    "correlate2d_loop",
    "convolve2d_loop",
    "correlate1d",
    "convolve1d",
    "window_filter",
    "window_filter_loop",
    "mean_filter",
    "median_filter",
    "max_filter",
    "min_filter",
    "gaussian_kernel",
    "gaussian_filter",
    "laplacian",
    "sobel",
    "prewitt",
    "gradient_magnitude",
    "sharpen",
    "dilate",
    "erode",
    "gabor_kernel",
    "pad",
    "psnr",
    "salt_and_pepper",
    "VERTICAL_LINE",
    "vertical_line_images",
    "fit_kernel",
    "learn_kernel_demo",
]

#: Border modes, with scipy.ndimage's meaning of each word.
MODES = ("constant", "reflect", "mirror", "nearest", "wrap")
#: Padding words of correlate2d / convolve2d (an int or a pair of ints also works).
PADDINGS = ("valid", "same", "full")
#: Named statistics of window_filter (a callable also works).
STATISTICS = ("sum", "mean", "max", "min", "median")

# np.pad's names for scipy.ndimage's modes (the two libraries use "reflect" differently).
_NP_PAD_MODE = {"reflect": "symmetric", "mirror": "reflect", "nearest": "edge", "wrap": "wrap"}

#: Discrete Laplacian, 4-neighbour: the sum of the second differences [1, -2, 1] along rows
#: and columns (what ``scipy.ndimage.laplace`` computes).
LAPLACIAN = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float)

# Sobel: smoothing [1, 2, 1] across the derivative, times the central difference [-1, 0, 1]
# along it. Signs follow the derivative: the response is positive where the intensity grows
# along +x (to the right) or +y (downwards), as in scipy.ndimage.sobel.
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
#: The lecture slides' "vertical edge" filter [[1, 0, -1]] * 3: positive on a light-to-dark
#: edge, i.e. ``-PREWITT_X``.
VERTICAL_EDGE = np.array([[1, 0, -1]] * 3, dtype=float)
#: The slides' "horizontal edge" filter [[1, 1, 1], [0, 0, 0], [-1, -1, -1]] = ``-PREWITT_Y``.
HORIZONTAL_EDGE = VERTICAL_EDGE.T.copy()


# --------------------------------------------------------------------------------------
# Validation and padding helpers
# --------------------------------------------------------------------------------------

def _float_dtype(*dtypes) -> np.dtype:
    """float32 when every input fits in float32 without loss, float64 otherwise."""
    dtype = np.result_type(*dtypes, np.float32)
    return dtype if dtype in (np.float32, np.float64) else np.dtype(np.float64)


def _positive_pair(value, name: str) -> tuple[int, int]:
    # A single int gets the singular message ("stride must be a positive integer, got stride=0").
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        v = check_positive_int(value, name)
        return v, v
    return check_pair(value, name)


def _check_kernel(kernel, name: str = "kernel", ndim: int = 2) -> np.ndarray:
    return check_array(kernel, name, ndim=ndim)


def _check_mode(mode, *, allow_ignore: bool = False) -> str:
    return check_choice(mode, "mode", MODES + (("ignore",) if allow_ignore else ()))


def pad(image, pad_width, *, mode: str = "constant", cval: float = 0.0) -> np.ndarray:
    """Pad a 2D array with one of ``scipy.ndimage``'s border modes.

    Parameters
    ----------
    image : array_like, shape (H, W)
    pad_width : ((top, bottom), (left, right))
        Non-negative numbers of pixels added on each side.
    mode : {"constant", "reflect", "mirror", "nearest", "wrap"}
        How the border is filled (see the module docstring).
    cval : float
        The fill value of ``mode="constant"``.

    Returns
    -------
    ndarray, shape (H + top + bottom, W + left + right)

    Raises
    ------
    ValueError
        For an unknown mode, or a negative pad width.

    Notes
    -----
    ``scipy.ndimage`` and ``numpy.pad`` name the two symmetric extensions oppositely:
    ndimage's ``"reflect"`` (``c b a | a b c``) is numpy's ``"symmetric"``, ndimage's
    ``"mirror"`` (``c b | a b c``) is numpy's ``"reflect"``. Widths larger than the image
    repeat the extension, as both libraries do.

    Examples
    --------
    >>> pad([[1, 2, 3]], ((0, 0), (2, 2)), mode="reflect")
    array([[2, 1, 1, 2, 3, 3, 2]])
    >>> pad([[1, 2, 3]], ((0, 0), (2, 2)), mode="mirror")
    array([[3, 2, 1, 2, 3, 2, 1]])
    >>> pad([[1, 2, 3]], ((0, 0), (1, 1)), mode="constant", cval=9)
    array([[9, 1, 2, 3, 9]])
    """
    image = check_array(image, "image", ndim=2, allow_empty=True)
    mode = _check_mode(mode)
    widths = np.asarray(pad_width)
    if widths.shape != (2, 2) or np.any(widths < 0):
        raise ValueError(f"pad_width must be ((top, bottom), (left, right)) of non-negative integers, "
                         f"got pad_width={_show(pad_width)}")
    widths = tuple((int(a), int(b)) for a, b in widths)
    if mode == "constant":
        return np.pad(image, widths, mode="constant", constant_values=cval)
    return np.pad(image, widths, mode=_NP_PAD_MODE[mode])


def _padding_amounts(padding, effective: tuple[int, int], *, flipped: bool = False):
    """((top, bottom), (left, right)) for a padding word, int or pair.

    ``flipped`` is for convolution with "same": the crop of the full convolution starts at
    ``k // 2``, i.e. correlation with the flipped kernel padded ``k - 1 - k // 2`` before.
    """
    if isinstance(padding, str):
        word = check_choice(padding, "padding", PADDINGS)
        if word == "valid":
            return ((0, 0), (0, 0))
        if word == "full":
            return tuple((e - 1, e - 1) for e in effective)
        before_after = [(e // 2, e - 1 - e // 2) for e in effective]
        if flipped:
            before_after = [(b, a) for a, b in before_after]
        return tuple(before_after)
    try:
        ph, pw = check_pair(padding, "padding", minimum=0)
    except TypeError:
        raise TypeError(f"padding must be 'valid', 'same', 'full', a non-negative integer or a pair of them, "
                        f"got padding={_show(padding)}") from None
    return ((ph, ph), (pw, pw))


def _prepare_linear(image, kernel, padding, mode, cval, stride, dilation, *, flipped=False, kernel_ndim=2):
    """Validate the arguments of correlate2d/convolve2d and pad the image.

    Returns the padded image (in the output dtype), the kernel (flipped for convolution,
    output dtype), the stride, the dilation and the output shape.
    """
    image = check_image(image)
    kernel = _check_kernel(kernel, ndim=kernel_ndim)
    mode = _check_mode(mode)
    cval = check_float(cval, "cval")
    sh, sw = _positive_pair(stride, "stride")
    dh, dw = _positive_pair(dilation, "dilation")
    kh, kw = kernel.shape
    effective = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    pads = _padding_amounts(padding, effective, flipped=flipped)
    padded_shape = (image.shape[0] + sum(pads[0]), image.shape[1] + sum(pads[1]))
    if padded_shape[0] < effective[0] or padded_shape[1] < effective[1]:
        what = "kernel" if effective == kernel.shape else f"dilated kernel (effective size {effective})"
        raise ValueError(f"kernel of shape {kernel.shape} does not fit the image: the {what} is larger than "
                         f"the padded image of shape {padded_shape} (image shape {image.shape}, "
                         f"padding={padding!r}); use padding='same' or 'full', or a smaller kernel")
    out_shape = tuple((p - e) // s + 1 for p, e, s in zip(padded_shape, effective, (sh, sw)))
    dtype = _float_dtype(image.dtype, kernel.dtype)
    padded = pad(image.astype(dtype, copy=False), pads, mode=mode, cval=cval)
    kernel = kernel.astype(dtype, copy=False)
    if flipped:
        kernel = kernel[::-1, ::-1]
    return padded, kernel, (sh, sw), (dh, dw), out_shape


# --------------------------------------------------------------------------------------
# Linear filtering
# --------------------------------------------------------------------------------------

# Rows of output computed per block: the block's inputs stay in the CPU cache while all the
# kernel's taps are added, instead of streaming the whole image through memory once per tap.
_BLOCK_VALUES = 1 << 14


def _row_blocks(n_rows: int, row_length: int, values: int = _BLOCK_VALUES):
    block = max(1, values // max(1, row_length))
    return ((r0, min(n_rows, r0 + block)) for r0 in range(0, n_rows, block))


def _correlate_padded(padded, kernel, stride, dilation, out_shape):
    """Shift-and-add: one vectorised multiply-add of a shifted view per kernel entry."""
    (sh, sw), (dh, dw), (oh, ow) = stride, dilation, out_shape
    out = np.empty(out_shape, dtype=padded.dtype)
    for r0, r1 in _row_blocks(oh, padded.shape[1]):
        acc = np.zeros((r1 - r0, ow), dtype=padded.dtype)
        tmp = np.empty_like(acc)
        for a in range(kernel.shape[0]):
            top = r0 * sh + a * dh
            for b in range(kernel.shape[1]):
                view = padded[top: top + sh * (r1 - r0 - 1) + 1: sh, b * dw: b * dw + sw * (ow - 1) + 1: sw]
                np.multiply(view, kernel[a, b], out=tmp)
                acc += tmp
        out[r0:r1] = acc
    return out


def _reduce_lines(views, weights=None, ufunc=None, out=None):
    """Combine equally shaped views: a weighted sum (folding symmetric weights) or a ufunc."""
    if ufunc is not None:
        if out is None:
            out = views[0].copy()
        else:
            out[...] = views[0]
        for v in views[1:]:
            ufunc(out, v, out=out)
        return out
    n = len(views)
    if out is None:
        out = np.empty_like(views[0])
    tmp = np.empty_like(out)
    if n % 2 == 1 and np.array_equal(weights, weights[::-1]):
        r = n // 2
        np.multiply(views[r], weights[r], out=out)
        for a in range(r):  # symmetric kernel: add the mirror pair first, one multiply for both
            np.add(views[a], views[n - 1 - a], out=tmp)
            tmp *= weights[a]
            out += tmp
        return out
    np.multiply(views[0], weights[0], out=out)
    for v, wt in zip(views[1:], weights[1:]):
        np.multiply(v, wt, out=tmp)
        out += tmp
    return out


class _RowPadder:
    """The padded image, produced a block of rows at a time instead of all at once.

    ``rows(r0, r1)`` returns rows ``r0:r1`` of ``pad(image, widths, mode, cval)``. Filters
    that work on blocks of rows then never write or read a whole padded copy of the image,
    which keeps their data in cache. Rows outside the image come from an index map, the
    padding of ``arange(H)`` with the same mode (or ``cval`` rows for "constant").
    """

    def __init__(self, image, widths, mode, cval):
        self.image, self.widths, self.mode, self.cval = image, widths, mode, cval
        (top, bottom), (left, right) = widths
        h, w = image.shape
        self.shape = (h + top + bottom, w + left + right)
        if mode == "constant":
            self.index = np.concatenate([np.full(top, -1), np.arange(h), np.full(bottom, -1)])
        else:
            self.index = np.pad(np.arange(h), (top, bottom), mode=_NP_PAD_MODE[mode])

    def rows(self, r0, r1):
        index = self.index[r0:r1]
        if self.mode == "constant" and (index[0] < 0 or index[-1] < 0):
            block = np.full((r1 - r0, self.image.shape[1]), self.cval, dtype=self.image.dtype)
            inside = index >= 0
            block[inside] = self.image[index[inside]]
        else:
            lo = index[0]
            contiguous = index[-1] - lo == r1 - r0 - 1 and lo >= 0
            block = self.image[lo: lo + r1 - r0] if contiguous else self.image[index]
        return pad(block, ((0, 0), self.widths[1]), mode=self.mode, cval=self.cval)


def _sliding_reduce(a, k: int, axis: int, ufunc):
    """``ufunc.reduce`` over every window of ``k`` consecutive entries along ``axis``.

    By doubling: windows of 1, 2, 4, ... entries are built from pairs of the previous ones,
    and a window of ``k`` is assembled from the powers of two in ``k``, so it takes about
    ``log2(k) + popcount(k)`` passes instead of ``k - 1``. Works for any associative ufunc
    (add, maximum, minimum).
    """
    n = a.shape[axis]
    out_len = n - k + 1

    def part(x, start, length):
        return x[start: start + length] if axis == 0 else x[:, start: start + length]

    result, power, width, offset, remaining = None, a, 1, 0, k
    while remaining:
        if remaining & 1:  # append a window of `width` entries to the right of the result
            piece = part(power, offset, out_len)
            if result is None:
                result = piece.copy()
            else:
                ufunc(result, piece, out=result)
            offset += width
        remaining >>= 1
        if remaining:
            m = power.shape[axis] - width
            power = ufunc(part(power, 0, m), part(power, width, m))
            width *= 2
    return result


def _separable(padded, shape, col_weights=None, row_weights=None, *, size=None, ufunc=None):
    """A separable filter on a padded image: along the columns (axis 0), then along the rows,
    one block of rows at a time. Either two 1D weight vectors, or a ``size`` and a ufunc
    (np.add for sums, np.maximum / np.minimum for max and min)."""
    h, w = shape
    lazy = isinstance(padded, _RowPadder)
    dtype = padded.image.dtype if lazy else padded.dtype

    def rows(r0, r1):
        return padded.rows(r0, r1) if lazy else padded[r0:r1]

    out = np.empty(shape, dtype=dtype)
    if ufunc is not None:
        kh, kw = size
        for r0, r1 in _row_blocks(h, padded.shape[1], 1 << 15):
            cols = _sliding_reduce(rows(r0, r1 + kh - 1), kh, 0, ufunc)
            out[r0:r1] = _sliding_reduce(cols, kw, 1, ufunc)
        return out
    kh, kw = len(col_weights), len(row_weights)
    # The column pass as one matrix product per block, band @ rows, with a banded (Toeplitz)
    # matrix holding the weights: BLAS does it far faster than kh shifted multiply-adds. A
    # 0 * inf or 0 * nan in the product would spread over the whole block, so non-finite
    # images take the shift-and-add path, where they stay local as in scipy.
    use_band = bool(np.isfinite(padded.image if lazy else padded).all())
    blocks = list(_row_blocks(h, padded.shape[1]))
    if use_band:
        n_rows = blocks[0][1] - blocks[0][0]
        band = np.zeros((n_rows, n_rows + kh - 1), dtype=dtype)
        for i in range(n_rows):
            band[i, i: i + kh] = col_weights
    for r0, r1 in blocks:
        n = r1 - r0
        block = rows(r0, r1 + kh - 1)
        if use_band:
            cols = band[:n, : n + kh - 1] @ block
        else:
            cols = _reduce_lines([block[a: a + n] for a in range(kh)], col_weights)
        _reduce_lines([cols[:, b: b + w] for b in range(kw)], row_weights, out=out[r0:r1])
    return out


def correlate2d(image, kernel, *, padding="valid", mode: str = "constant", cval: float = 0.0,
                stride=1, dilation=1) -> np.ndarray:
    """Cross-correlate a 2D image with a 2D kernel: the weighted-sum lens.

    Parameters
    ----------
    image : array_like, shape (H, W)
        A real-valued image (integers and booleans are converted to float).
    kernel : array_like, shape (kH, kW)
        The weights, any size including even sizes, centred at ``(kH // 2, kW // 2)``.
    padding : {"valid", "same", "full"}, int or (int, int)
        How much border to add before sliding (see the module docstring).
    mode : {"constant", "reflect", "mirror", "nearest", "wrap"}
        How the border is filled, with ``scipy.ndimage``'s meaning of each word.
    cval : float
        The fill value of ``mode="constant"``.
    stride : int or (int, int)
        Step of the window, >= 1.
    dilation : int or (int, int)
        Spacing between kernel taps, >= 1 (1 means no dilation, as in torch).

    Returns
    -------
    ndarray, shape (H_out, W_out)
        With, per axis, :math:`o = \\lfloor (i + p_{before} + p_{after} - d(k-1) - 1) / s
        \\rfloor + 1`.

    Raises
    ------
    TypeError
        If the image or kernel is not numeric, or stride, dilation or padding is not an int.
    ValueError
        If the image or kernel is not 2D or is empty, stride or dilation is below 1, the mode
        or padding word is unknown, or the kernel is larger than the padded image.

    Notes
    -----
    With :math:`\\tilde f` the padded image,

    .. math::

        g[i, j] = \\sum_{a=0}^{k_H - 1} \\sum_{b=0}^{k_W - 1} w[a, b]\\,
                  \\tilde f[s_H i + d_H a,\\; s_W j + d_W b].

    This is what deep-learning libraries call "convolution" (``torch.nn.functional.conv2d``
    with one channel). With ``padding="same"`` and stride 1 it equals
    ``scipy.ndimage.correlate(image, kernel, mode=mode, cval=cval)``.

    The computation is shift-and-add: for each of the ``kH * kW`` weights, one multiply-add
    of a shifted view of the whole padded image. :func:`correlate2d_loop` computes the same
    thing one output pixel at a time.

    Examples
    --------
    An impulse returns the kernel rotated by 180 degrees (correlation does not flip):

    >>> import numpy as np
    >>> impulse = np.zeros((3, 3)); impulse[1, 1] = 1
    >>> correlate2d(impulse, [[1, 2, 3], [4, 5, 6], [7, 8, 9]], padding="same")
    array([[9., 8., 7.],
           [6., 5., 4.],
           [3., 2., 1.]])

    The lecture's vertical edge filter on a light-to-dark step:

    >>> step = np.tile([10, 10, 10, 0, 0, 0], (6, 1))
    >>> correlate2d(step, VERTICAL_EDGE)
    array([[ 0., 30., 30.,  0.],
           [ 0., 30., 30.,  0.],
           [ 0., 30., 30.,  0.],
           [ 0., 30., 30.,  0.]])
    """
    padded, kernel, stride, dilation, out_shape = _prepare_linear(image, kernel, padding, mode, cval, stride,
                                                                  dilation)
    return _correlate_padded(padded, kernel, stride, dilation, out_shape)


def convolve2d(image, kernel, *, padding="valid", mode: str = "constant", cval: float = 0.0,
               stride=1, dilation=1) -> np.ndarray:
    """Convolve a 2D image with a 2D kernel: correlation with the kernel flipped.

    Parameters and Raises are those of :func:`correlate2d`.

    Returns
    -------
    ndarray, shape (H_out, W_out)

    Notes
    -----
    The full convolution is :math:`(f * w)[n] = \\sum_m w[m]\\, f[n - m]` (per axis), of
    size ``i + k - 1``; the padding crops it. With ``"valid"``, ``"full"`` or a number it is
    exactly ``correlate2d(image, kernel[::-1, ::-1], ...)``. With ``"same"`` the crop starts
    at ``k // 2``, which equals ``scipy.ndimage.convolve(image, kernel, mode=mode,
    cval=cval)`` for every kernel size; for an even size this is one pixel away from
    correlating with the flipped kernel with ``"same"`` padding (scipy shifts its origin
    for the same reason).

    Convolution is commutative and associative (with ``"full"`` padding and zeros outside):
    ``convolve2d(convolve2d(f, u, padding="full"), v, padding="full")`` equals
    ``convolve2d(f, convolve2d(u, v, padding="full"), padding="full")``.

    Examples
    --------
    An impulse returns the kernel itself:

    >>> import numpy as np
    >>> impulse = np.zeros((3, 3)); impulse[1, 1] = 1
    >>> convolve2d(impulse, [[1, 2, 3], [4, 5, 6], [7, 8, 9]], padding="same")
    array([[1., 2., 3.],
           [4., 5., 6.],
           [7., 8., 9.]])
    """
    padded, kernel, stride, dilation, out_shape = _prepare_linear(image, kernel, padding, mode, cval, stride,
                                                                  dilation, flipped=True)
    return _correlate_padded(padded, kernel, stride, dilation, out_shape)


def correlate2d_loop(image, kernel, *, padding="valid", mode: str = "constant", cval: float = 0.0,
                     stride=1, dilation=1) -> np.ndarray:
    """The readable version of :func:`correlate2d`: one output pixel at a time.

    Parameters
    ----------
    image, kernel, padding, mode, cval, stride, dilation
        As :func:`correlate2d`.

    Returns
    -------
    ndarray, shape (H_out, W_out)
        The same values as :func:`correlate2d` (the tests check that they agree).

    Raises
    ------
    TypeError, ValueError
        As :func:`correlate2d` (the same validation).

    Notes
    -----
    For every output pixel, take the window of the padded image under the kernel and sum
    its element-wise product with the kernel. Slow (a Python loop per pixel); meant to be
    read next to the formula.

    Examples
    --------
    >>> correlate2d_loop([[1, 2, 3], [4, 5, 6]], [[1, 1]])
    array([[ 3.,  5.],
           [ 9., 11.]])
    """
    padded, kernel, (sh, sw), (dh, dw), (oh, ow) = _prepare_linear(image, kernel, padding, mode, cval, stride,
                                                                   dilation)
    kh, kw = kernel.shape
    out = np.zeros((oh, ow), dtype=padded.dtype)
    for i in range(oh):
        for j in range(ow):
            # The window under the kernel: rows i*s, i*s + d, ..., and the same for columns.
            window = padded[i * sh: i * sh + dh * (kh - 1) + 1: dh, j * sw: j * sw + dw * (kw - 1) + 1: dw]
            out[i, j] = np.sum(window * kernel)
    return out


def convolve2d_loop(image, kernel, *, padding="valid", mode: str = "constant", cval: float = 0.0,
                    stride=1, dilation=1) -> np.ndarray:
    """The readable version of :func:`convolve2d`: flip the kernel, then slide it.

    Parameters
    ----------
    image, kernel, padding, mode, cval, stride, dilation
        As :func:`convolve2d`.

    Returns
    -------
    ndarray, shape (H_out, W_out)
        The same values as :func:`convolve2d`.

    Raises
    ------
    TypeError, ValueError
        As :func:`correlate2d`.

    Notes
    -----
    The loop of :func:`correlate2d_loop` with ``kernel[::-1, ::-1]`` and, for ``"same"``,
    the padding of the flipped kernel (see :func:`convolve2d`).

    Examples
    --------
    >>> convolve2d_loop([[1, 2, 3], [4, 5, 6]], [[1, -1]])
    array([[1., 1.],
           [1., 1.]])
    """
    padded, kernel, (sh, sw), (dh, dw), (oh, ow) = _prepare_linear(image, kernel, padding, mode, cval, stride,
                                                                   dilation, flipped=True)
    kh, kw = kernel.shape
    out = np.zeros((oh, ow), dtype=padded.dtype)
    for i in range(oh):
        for j in range(ow):
            window = padded[i * sh: i * sh + dh * (kh - 1) + 1: dh, j * sw: j * sw + dw * (kw - 1) + 1: dw]
            out[i, j] = np.sum(window * kernel)
    return out


def _as_row(signal, kernel, padding, stride, dilation):
    """A 1D problem as a 2D problem with one row (no padding along the row axis)."""
    signal = check_array(signal, "signal", ndim=1)
    kernel = _check_kernel(kernel, ndim=1)
    if isinstance(padding, str):
        check_choice(padding, "padding", PADDINGS)
    else:
        try:
            padding = (0, check_nonneg_int(padding, "padding"))
        except TypeError:
            raise TypeError(f"padding must be 'valid', 'same', 'full' or a non-negative integer, "
                            f"got padding={_show(padding)}") from None
    stride = (1, check_positive_int(stride, "stride"))
    dilation = (1, check_positive_int(dilation, "dilation"))
    return signal[None, :], kernel[None, :], padding, stride, dilation


def _shape_error_1d(exc: ValueError, signal, kernel):
    msg = str(exc)
    if "does not fit" in msg:
        raise ValueError(f"kernel of length {np.shape(kernel)[0]} does not fit the signal of length "
                         f"{np.shape(signal)[0]} with this padding: {msg.split(': ', 1)[1]}") from None
    raise exc


def correlate1d(signal, kernel, *, padding="valid", mode: str = "constant", cval: float = 0.0,
                stride: int = 1, dilation: int = 1) -> np.ndarray:
    """Cross-correlate a 1D signal with a 1D kernel.

    Parameters
    ----------
    signal : array_like, shape (L,)
    kernel : array_like, shape (K,)
    padding : {"valid", "same", "full"} or int
    mode : {"constant", "reflect", "mirror", "nearest", "wrap"}
    cval : float
    stride, dilation : int, >= 1

    Returns
    -------
    ndarray, shape (L_out,)
        :math:`L_{out} = \\lfloor (L + 2P - d(K - 1) - 1) / S \\rfloor + 1`.

    Raises
    ------
    TypeError, ValueError
        As :func:`correlate2d`, for 1D inputs.

    Notes
    -----
    :math:`g[n] = \\sum_k w[k]\\, \\tilde f[S n + d k]` on the padded signal
    :math:`\\tilde f`. ``"valid"`` and ``"full"`` equal ``numpy.correlate``; ``"same"``
    equals ``scipy.ndimage.correlate1d``.

    Examples
    --------
    A moving sum of three samples:

    >>> correlate1d([1, 2, 3, 4, 5], [1, 1, 1])
    array([ 6.,  9., 12.])
    >>> correlate1d([1, 2, 3, 4, 5], [1, 1, 1], padding="same", mode="nearest")
    array([ 4.,  6.,  9., 12., 14.])
    """
    row, k, padding2, stride2, dilation2 = _as_row(signal, kernel, padding, stride, dilation)
    try:
        return correlate2d(row, k, padding=padding2, mode=mode, cval=cval, stride=stride2,
                           dilation=dilation2)[0]
    except ValueError as exc:
        _shape_error_1d(exc, signal, kernel)


def convolve1d(signal, kernel, *, padding="valid", mode: str = "constant", cval: float = 0.0,
               stride: int = 1, dilation: int = 1) -> np.ndarray:
    """Convolve a 1D signal with a 1D kernel (the kernel flipped).

    Parameters, Returns and Raises as :func:`correlate1d`.

    Notes
    -----
    ``"valid"`` and ``"full"`` equal ``numpy.convolve``; ``"same"`` equals
    ``scipy.ndimage.convolve1d`` (for even kernels ``numpy.convolve(..., "same")`` is
    shifted by one sample from it; see :func:`convolve2d`).

    Examples
    --------
    >>> convolve1d([1, 2, 3], [1, 10], padding="full")
    array([ 1., 12., 23., 30.])
    """
    row, k, padding2, stride2, dilation2 = _as_row(signal, kernel, padding, stride, dilation)
    try:
        return convolve2d(row, k, padding=padding2, mode=mode, cval=cval, stride=stride2,
                          dilation=dilation2)[0]
    except ValueError as exc:
        _shape_error_1d(exc, signal, kernel)


# --------------------------------------------------------------------------------------
# Window statistics: the lens
# --------------------------------------------------------------------------------------

def _check_footprint(size, footprint) -> np.ndarray:
    """A boolean footprint from ``footprint`` (a mask) or ``size`` (an int or a pair)."""
    if footprint is None:
        kh, kw = _positive_pair(size, "size")
        return np.ones((kh, kw), dtype=bool)
    fp = check_array(footprint, "footprint", ndim=2)
    if not np.any(fp):
        raise ValueError(f"footprint must select at least one pixel, got an all-False footprint of shape {fp.shape}")
    return fp.astype(bool)


def _check_statistic(statistic):
    if callable(statistic):
        return statistic
    if not isinstance(statistic, str):
        raise TypeError(f"statistic must be one of {', '.join(map(repr, STATISTICS))} or a function, "
                        f"got statistic={_show(statistic)}")
    return check_choice(statistic, "statistic", STATISTICS)


def _fill_for(statistic, dtype):
    """The value that a pixel outside the image takes in mode "ignore": one that the
    statistic ignores (the identity of max/min), or NaN where it is counted explicitly."""
    if statistic == "max":
        return -np.inf if dtype.kind == "f" else (False if dtype == bool else np.iinfo(dtype).min)
    if statistic == "min":
        return np.inf if dtype.kind == "f" else (True if dtype == bool else np.iinfo(dtype).max)
    return np.nan


def _work_dtype(statistic, dtype):
    """Order statistics keep the image's dtype; sums, means and callables are floats."""
    return dtype if statistic in ("max", "min", "median") else _float_dtype(dtype)


def _padded_for_window(image, fp, mode, cval, statistic, *, reflected=False):
    """Pad ``image`` so that window (i, j) starts at padded[i, j]; returns it and its dtype."""
    kh, kw = fp.shape
    before = [kh // 2, kw // 2]
    if reflected:  # windows of the reflected footprint, centred at k - 1 - k // 2
        before = [kh - 1 - kh // 2, kw - 1 - kw // 2]
    widths = ((before[0], kh - 1 - before[0]), (before[1], kw - 1 - before[1]))
    dtype = _work_dtype(statistic, image.dtype)
    if mode == "ignore":
        fill = _fill_for(statistic, np.dtype(dtype))
        if isinstance(fill, float) and np.isnan(fill):
            dtype = np.result_type(dtype, np.float64) if dtype.kind != "f" else dtype
        return pad(image.astype(dtype, copy=False), widths, mode="constant", cval=fill), dtype
    dtype = _padded_dtype(statistic, image.dtype, mode, cval)
    return pad(image.astype(dtype, copy=False), widths, mode=mode, cval=cval), dtype


def _padded_dtype(statistic, dtype, mode, cval):
    """The working dtype; for "constant" on an integer image, float when cval does not fit."""
    dtype = np.dtype(_work_dtype(statistic, np.dtype(dtype)))
    if mode == "constant" and dtype.kind in "iub":
        if dtype == bool or not float(cval).is_integer() or not (
                np.iinfo(dtype).min <= cval <= np.iinfo(dtype).max):
            dtype = np.dtype(np.float64)
    return dtype


def _views(padded, fp, shape):
    """The shifted views padded[a: a + H, b: b + W], one per selected footprint cell."""
    h, w = shape
    return [padded[a: a + h, b: b + w] for a, b in np.argwhere(fp)]


def _separable_reduce(padded, k, shape, ufunc):
    """Reduce a full (kh, kw) rectangle with a ufunc, along columns then rows, by blocks."""
    return _separable(padded, shape, size=k, ufunc=ufunc)


def _median_rank(padded, fp, shape, dtype):
    """Upper median (rank n // 2 of the n window values), as scipy.ndimage.median_filter.

    np.partition on blocks of rows: each block's windows are gathered into an (rows, W, n)
    array small enough to stay in cache (about 256k values), which is what makes this
    faster than scipy's per-pixel selection.
    """
    from numpy.lib.stride_tricks import sliding_window_view

    h, w = shape
    kh, kw = fp.shape
    full = bool(np.all(fp))
    n = int(np.count_nonzero(fp))
    out = np.empty(shape, dtype=dtype)
    block = max(1, (1 << 18) // max(1, w * kh * kw))
    for r0 in range(0, h, block):
        r1 = min(h, r0 + block)
        windows = sliding_window_view(padded[r0: r1 + kh - 1], (kh, kw))  # (rows, W, kh, kw), a view
        values = windows.reshape(r1 - r0, w, kh * kw) if full else windows[:, :, fp]
        out[r0:r1] = np.partition(values, n // 2, axis=-1)[:, :, n // 2]
    return out


def _window_values_ignore(padded, fp, shape):
    """(H, W, n) window values with NaN outside the image, and the count inside."""
    values = np.stack(_views(padded, fp, shape), axis=-1)
    return values, np.sum(~np.isnan(values), axis=-1)


def window_filter(image, statistic, *, size=3, footprint=None, mode: str = "constant",
                  cval: float = 0.0) -> np.ndarray:
    """Slide a window over the image and compute a statistic of the pixels it sees.

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
        How pixels outside the image are filled; ``"ignore"`` leaves them out, so a mean at
        a corner divides by the number of pixels inside the image.
    cval : float
        The fill value of ``mode="constant"``.

    Returns
    -------
    ndarray, shape (H, W)
        Same dtype as the image for max, min and median (float when ``cval`` does not fit an
        integer image's dtype or when ``"ignore"`` needs NaN); float otherwise.

    Raises
    ------
    TypeError
        For a non-numeric image or footprint, or a statistic that is neither a word nor
        callable.
    ValueError
        For an image that is not 2D or is empty, an unknown statistic or mode, a size below
        1, or a footprint that is not 2D, is empty or selects no pixel.

    Notes
    -----
    For a footprint :math:`B` with centre :math:`c = (k_H // 2, k_W // 2)`,

    .. math:: g[i, j] = \\operatorname{stat}\\{ \\tilde f[i + a - c_0, j + b - c_1] : (a, b) \\in B \\}.

    The median of an even number of values is the upper one (rank :math:`n // 2` of
    :math:`0, \\dots, n - 1`), as ``scipy.ndimage.median_filter`` takes it; no averaging.
    Sums, means, max and min of full rectangles are separable (rows, then columns); the
    median uses ``np.partition``; a callable is applied pixel by pixel (slow, for
    teaching). Counterparts: ``scipy.ndimage.uniform_filter`` (mean), ``maximum_filter``,
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
    fp = _check_footprint(size, footprint)
    mode = _check_mode(mode, allow_ignore=True)
    cval = check_float(cval, "cval")
    shape = image.shape
    full = bool(np.all(fp))
    if full and mode != "ignore" and statistic in ("sum", "mean", "max", "min"):
        # The fast path: separable passes over blocks of rows, padded block by block.
        dtype = _padded_dtype(statistic, image.dtype, mode, cval)
        kh, kw = fp.shape
        widths = ((kh // 2, kh - 1 - kh // 2), (kw // 2, kw - 1 - kw // 2))
        lazy = _RowPadder(image.astype(dtype, copy=False), widths, mode, cval)
        ufunc = {"max": np.maximum, "min": np.minimum}.get(statistic, np.add)
        out = _separable(lazy, shape, size=fp.shape, ufunc=ufunc)
        if statistic == "mean":
            out /= np.asarray(fp.size, dtype=out.dtype)
        return out
    padded, dtype = _padded_for_window(image, fp, mode, cval, statistic if isinstance(statistic, str) else "call")

    if callable(statistic):
        values = np.stack(_views(padded, fp, shape), axis=-1)
        out = np.empty(shape, dtype=_float_dtype(image.dtype))
        for i in range(shape[0]):
            for j in range(shape[1]):
                v = values[i, j]
                out[i, j] = statistic(v[~np.isnan(v)] if mode == "ignore" else v)
        return out
    if statistic in ("max", "min"):
        ufunc = np.maximum if statistic == "max" else np.minimum
        if full:
            return _separable_reduce(padded, fp.shape, shape, ufunc)
        views = _views(padded, fp, shape)
        out = views[0].copy()
        for v in views[1:]:
            ufunc(out, v, out=out)
        return out
    if statistic == "median":
        if mode == "ignore":
            values, count = _window_values_ignore(padded, fp, shape)
            values.sort(axis=-1)  # NaN sorts last
            out = np.take_along_axis(values, (count // 2)[..., None], axis=-1)[..., 0]
            return out.astype(image.dtype) if image.dtype.kind in "iub" else out
        return _median_rank(padded, fp, shape, dtype)
    # sum and mean
    if mode == "ignore":
        inside = ~np.isnan(padded)
        padded = np.where(inside, padded, 0)
        count = (_separable_reduce(inside.astype(dtype), fp.shape, shape, np.add) if full
                 else sum(_views(inside.astype(dtype), fp, shape)))
    else:
        count = np.count_nonzero(fp)
    if full:
        total = _separable_reduce(padded, fp.shape, shape, np.add)
    else:
        views = _views(padded, fp, shape)
        total = views[0].copy()
        for v in views[1:]:
            total += v
    if statistic == "mean":
        total /= np.asarray(count, dtype=total.dtype)  # in place: no second image-sized allocation
    return total


def window_filter_loop(image, statistic, *, size=3, footprint=None, mode: str = "constant",
                       cval: float = 0.0) -> np.ndarray:
    """The readable version of :func:`window_filter`: one pixel at a time.

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
    Pads the image (with NaN for ``"ignore"``, which are then dropped), and for every pixel
    applies the statistic to the footprint's pixels of the window centred on it.

    Examples
    --------
    >>> window_filter_loop([[1, 5, 2], [8, 3, 7]], "median", size=(1, 3), mode="nearest")
    array([[1., 2., 2.],
           [8., 7., 7.]])
    """
    image = check_image(image)
    statistic = _check_statistic(statistic)
    fp = _check_footprint(size, footprint)
    mode = _check_mode(mode, allow_ignore=True)
    cval = check_float(cval, "cval")
    kh, kw = fp.shape
    h, w = image.shape
    padded = pad(image.astype(float), ((kh // 2, kh - 1 - kh // 2), (kw // 2, kw - 1 - kw // 2)),
                 mode="constant" if mode == "ignore" else mode, cval=np.nan if mode == "ignore" else cval)
    functions = {"sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min,
                 "median": lambda v: np.sort(v)[len(v) // 2]}  # the upper median, as scipy
    func = statistic if callable(statistic) else functions[statistic]
    out = np.empty((h, w))
    for i in range(h):
        for j in range(w):
            values = padded[i: i + kh, j: j + kw][fp]  # the pixels the lens sees
            if mode == "ignore":
                values = values[~np.isnan(values)]
            out[i, j] = func(values)
    return out


def _named_window(statistic, image, size, footprint, mode, cval):
    return window_filter(image, statistic, size=size, footprint=footprint, mode=mode, cval=cval)


def mean_filter(image, size=3, *, footprint=None, mode: str = "reflect", cval: float = 0.0) -> np.ndarray:
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
    ``scipy.ndimage.uniform_filter(image, size, mode=mode)``; computed separably (a sum
    along rows, then along columns), 2k additions per pixel instead of k^2.

    Examples
    --------
    >>> import numpy as np
    >>> mean_filter(np.array([[0, 0, 0], [0, 9, 0], [0, 0, 0]]), 3, mode="constant")
    array([[1., 1., 1.],
           [1., 1., 1.],
           [1., 1., 1.]])
    """
    return _named_window("mean", image, size, footprint, mode, cval)


def median_filter(image, size=3, *, footprint=None, mode: str = "reflect", cval: float = 0.0) -> np.ndarray:
    """Median filter: the median of each window (the upper median for an even count).

    Parameters and Raises as :func:`mean_filter`. Equals ``scipy.ndimage.median_filter``.

    Returns
    -------
    ndarray, shape (H, W), the image's dtype

    Notes
    -----
    Unlike the mean, the median ignores a minority of outliers in the window, so it removes
    salt-and-pepper noise and keeps step edges sharp.

    Examples
    --------
    >>> median_filter([[0, 0, 0], [0, 255, 0], [0, 0, 0]], 3)
    array([[0, 0, 0],
           [0, 0, 0],
           [0, 0, 0]])
    """
    return _named_window("median", image, size, footprint, mode, cval)


def max_filter(image, size=3, *, footprint=None, mode: str = "reflect", cval: float = 0.0) -> np.ndarray:
    """Maximum filter (``scipy.ndimage.maximum_filter``): the largest value in each window.

    Parameters and Raises as :func:`mean_filter`.

    Returns
    -------
    ndarray, shape (H, W), the image's dtype

    Notes
    -----
    :math:`g[i, j] = \\max_{(a, b) \\in B} f[i + a - c_0, j + b - c_1]`; for a full
    rectangle computed separably, and along each axis by doubling (windows of 2, 4, ...
    pixels built from pairs), so about :math:`\\log_2 k` passes per axis.

    Examples
    --------
    >>> max_filter([[1, 0, 0, 0, 2]], (1, 3))
    array([[1, 1, 0, 2, 2]])
    """
    return _named_window("max", image, size, footprint, mode, cval)


def min_filter(image, size=3, *, footprint=None, mode: str = "reflect", cval: float = 0.0) -> np.ndarray:
    """Minimum filter (``scipy.ndimage.minimum_filter``): the smallest value in each window.

    Parameters and Raises as :func:`mean_filter`.

    Returns
    -------
    ndarray, shape (H, W), the image's dtype

    Notes
    -----
    :math:`g[i, j] = \\min_{(a, b) \\in B} f[i + a - c_0, j + b - c_1]`, computed as
    :func:`max_filter`. With a boolean footprint it is the grey-level erosion.

    Examples
    --------
    >>> min_filter([[1, 0, 3, 4, 2]], (1, 3))
    array([[0, 0, 0, 2, 2]])
    """
    return _named_window("min", image, size, footprint, mode, cval)


# --------------------------------------------------------------------------------------
# Gaussian smoothing
# --------------------------------------------------------------------------------------

def _gaussian_1d(sigma: float, truncate: float) -> np.ndarray:
    # Same formula and radius as scipy.ndimage's _gaussian_kernel1d, so results agree exactly.
    radius = int(truncate * sigma + 0.5)
    if sigma == 0:
        return np.ones(1)
    x = np.arange(-radius, radius + 1)
    phi = np.exp(-0.5 / (sigma * sigma) * x ** 2)
    return phi / phi.sum()


def gaussian_kernel(sigma: float, *, truncate: float = 4.0, ndim: int = 2) -> np.ndarray:
    """A normalised, sampled Gaussian kernel.

    Parameters
    ----------
    sigma : float
        Standard deviation in pixels, >= 0 (0 gives the identity kernel ``[1]``).
    truncate : float
        The kernel stops at ``radius = int(truncate * sigma + 0.5)`` pixels from the centre,
        as in ``scipy.ndimage.gaussian_filter``.
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
        If sigma < 0, truncate <= 0 or ndim is not 1 or 2.

    Notes
    -----
    :math:`w[x] \\propto \\exp(-x^2 / (2 \\sigma^2))` for :math:`|x| \\le r`, normalised to
    sum 1; the 2D kernel :math:`w[x] w[y]` is separable, which :func:`gaussian_filter`
    exploits.

    Examples
    --------
    >>> gaussian_kernel(1.0, truncate=1.0, ndim=1).round(4)
    array([0.2741, 0.4519, 0.2741])
    >>> gaussian_kernel(2.0).shape, float(gaussian_kernel(2.0).sum())
    ((17, 17), 1.0)
    """
    sigma = check_float(sigma, "sigma", minimum=0.0)
    truncate = check_float(truncate, "truncate", minimum=0.0, strict=True)
    if ndim not in (1, 2) or isinstance(ndim, bool):
        raise ValueError(f"ndim must be 1 or 2, got ndim={_show(ndim)}")
    k = _gaussian_1d(sigma, truncate)
    return k if ndim == 1 else np.outer(k, k)


def gaussian_filter(image, sigma, *, mode: str = "reflect", cval: float = 0.0, truncate: float = 4.0) -> np.ndarray:
    """Gaussian smoothing, separably: a 1D Gaussian along the rows, then along the columns.

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
    :math:`(2r+1)^2` multiply-adds per pixel. Equals ``scipy.ndimage.gaussian_filter`` with
    the same arguments.

    Examples
    --------
    >>> import numpy as np
    >>> impulse = np.zeros((5, 5)); impulse[2, 2] = 1
    >>> np.allclose(gaussian_filter(impulse, 1.0, truncate=2.0), gaussian_kernel(1.0, truncate=2.0))
    True
    """
    image = check_image(image)
    if isinstance(sigma, (tuple, list)):
        if len(sigma) != 2:
            raise ValueError(f"sigma must be a number or a pair of numbers, got sigma={_show(sigma)}")
        sigmas = tuple(check_float(s, "sigma", minimum=0.0) for s in sigma)
    else:
        sigmas = (check_float(sigma, "sigma", minimum=0.0),) * 2
    truncate = check_float(truncate, "truncate", minimum=0.0, strict=True)
    mode = _check_mode(mode)
    cval = check_float(cval, "cval")
    dtype = _float_dtype(image.dtype)
    k0, k1 = (_gaussian_1d(s, truncate).astype(dtype) for s in sigmas)
    r0, r1 = len(k0) // 2, len(k1) // 2
    # Padding both axes first and filtering the padded columns equals scipy's axis-by-axis
    # padding: a column filter commutes with re-indexing the columns (and maps a constant
    # column of cval to cval, since the weights sum to 1).
    padded = _RowPadder(image.astype(dtype, copy=False), ((r0, r0), (r1, r1)), mode, cval)
    return _separable(padded, image.shape, k0, k1)


# --------------------------------------------------------------------------------------
# Derivatives, edges and sharpening
# --------------------------------------------------------------------------------------

def _check_axis(axis) -> int:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or axis not in (0, 1, -1, -2):
        raise ValueError(f"axis must be 0 (rows, d/dy) or 1 (columns, d/dx), or -1, -2, got axis={_show(axis)}")
    return int(axis) % 2


def laplacian(image, *, mode: str = "reflect", cval: float = 0.0) -> np.ndarray:
    """The discrete Laplacian: correlation with :data:`LAPLACIAN`.

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

    .. math:: \\nabla^2 f \\approx f(x+1,y) + f(x-1,y) + f(x,y+1) + f(x,y-1) - 4 f(x,y).

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
    """Central difference [-1, 0, 1] along ``axis``, then ``smooth`` across it, each a 1D
    correlation with its own padding, as scipy.ndimage.sobel/prewitt compute it."""
    axis = _check_axis(axis)
    derivative = np.array([-1.0, 0.0, 1.0])
    along = derivative[:, None] if axis == 0 else derivative[None, :]
    across = smooth[None, :] if axis == 0 else smooth[:, None]
    out = correlate2d(image, along, padding="same", mode=mode, cval=cval)
    return correlate2d(out, across, padding="same", mode=mode, cval=cval)


def sobel(image, axis: int = -1, *, mode: str = "reflect", cval: float = 0.0) -> np.ndarray:
    """Sobel derivative along ``axis``: 1 is d/dx (along a row), 0 is d/dy (down a column).

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
    difference [-1, 0, 1] along the axis, smoothed by [1, 2, 1] across it. It is computed
    as these two 1D passes, each padding its own input, exactly as
    ``scipy.ndimage.sobel(image, axis, mode=mode, cval=cval)`` does; this equals
    ``correlate2d(image, SOBEL_X, padding="same", mode=mode)`` for every mode except
    ``"constant"`` with ``cval != 0``, where the second pass sees ``cval`` (not the
    difference of ``cval`` columns, 0) beyond the border. The lecture's Sobel filter
    [[1, 0, -1], [2, 0, -2], [1, 0, -1]] is ``-SOBEL_X``: positive on light-to-dark edges.

    Examples
    --------
    >>> sobel([[0, 0, 1, 1]] * 3, axis=1, mode="nearest")
    array([[0., 4., 4., 0.],
           [0., 4., 4., 0.],
           [0., 4., 4., 0.]])
    """
    return _separable_derivative(image, np.array([1.0, 2.0, 1.0]), axis, mode, cval)


def prewitt(image, axis: int = -1, *, mode: str = "reflect", cval: float = 0.0) -> np.ndarray:
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


def gradient_magnitude(image, *, operator: str = "sobel", mode: str = "reflect", cval: float = 0.0) -> np.ndarray:
    """Length of the gradient, :math:`\\sqrt{g_x^2 + g_y^2}`, from Sobel or Prewitt derivatives.

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
    responds to edges at every angle, where one derivative responds only across its axis.

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


def sharpen(image, amount: float = 1.0, *, mode: str = "reflect", cval: float = 0.0) -> np.ndarray:
    """Sharpen by subtracting the Laplacian: :math:`f - \\alpha \\nabla^2 f`.

    Parameters
    ----------
    image : array_like, shape (H, W)
    amount : float
        :math:`\\alpha \\ge 0`; 0 returns the image (as float).
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
    Equivalent to one correlation with :math:`\\delta - \\alpha L`, i.e. the kernel
    ``[[0, -a, 0], [-a, 1 + 4a, -a], [0, -a, 0]]``. On each side of an edge the Laplacian
    has the opposite sign, so subtracting it overshoots both sides and the edge looks
    steeper.

    Examples
    --------
    >>> sharpen([[0, 0, 1, 1]], mode="nearest")
    array([[ 0., -1.,  2.,  1.]])
    """
    amount = check_float(amount, "amount", minimum=0.0)
    image = check_image(image)
    lap = laplacian(image, mode=mode, cval=cval)
    return image.astype(lap.dtype) - lap.dtype.type(amount) * lap


# --------------------------------------------------------------------------------------
# Morphology
# --------------------------------------------------------------------------------------

def _morphology(image, footprint, mode, cval, dilation: bool):
    image = check_image(image)
    if isinstance(footprint, (int, np.integer)) and not isinstance(footprint, bool):
        fp = _check_footprint(footprint, None)
    else:
        fp = _check_footprint(3, footprint)
    binary = image.dtype == bool
    if mode is None:
        mode, cval = ("constant", 0.0) if binary else ("reflect", cval)
    mode = _check_mode(mode)
    cval = check_float(cval, "cval")
    statistic = "max" if dilation else "min"
    # Dilation uses the reflected footprint (Minkowski sum), erosion the footprint itself;
    # both exactly as scipy.ndimage's binary_/grey_ dilation and erosion.
    used = fp[::-1, ::-1] if dilation else fp
    padded, dtype = _padded_for_window(image, used, mode, cval, statistic, reflected=dilation)
    views = _views(padded, used, image.shape)
    out = views[0].copy()
    ufunc = np.maximum if dilation else np.minimum
    for v in views[1:]:
        ufunc(out, v, out=out)
    return out.astype(bool) if binary else out


def dilate(image, footprint, *, mode: str | None = None, cval: float = 0.0) -> np.ndarray:
    """Morphological dilation: a max lens over the reflected structuring element.

    Parameters
    ----------
    image : array_like, shape (H, W)
        Boolean for binary morphology, numbers for grey-level morphology.
    footprint : array_like of bool, shape (kH, kW), or int
        The structuring element (an int ``k`` means a ``k`` x ``k`` square).
    mode : {"constant", "reflect", "mirror", "nearest", "wrap"}, optional
        Border handling. Default: ``"constant"`` with False outside for a binary image
        (``scipy.ndimage.binary_dilation``'s ``border_value=0``), ``"reflect"`` for a grey
        image (``scipy.ndimage.grey_dilation``'s default).
    cval : float

    Returns
    -------
    ndarray, shape (H, W)
        Boolean for a boolean image, the image's dtype otherwise.

    Raises
    ------
    TypeError, ValueError
        For a bad image, footprint or mode.

    Notes
    -----
    :math:`(f \\oplus B)[x] = \\max_{b \\in B} f[x - b]` with offsets :math:`b` measured
    from the centre ``k // 2``: the window is the footprint reflected through its centre.
    For a symmetric footprint this is simply ``max_filter``. Binary dilation grows the
    shape: a pixel turns on when the (reflected) element placed on it touches the shape.
    Equals ``scipy.ndimage.binary_dilation(image, structure=footprint)`` for boolean images
    and ``scipy.ndimage.grey_dilation(image, footprint=footprint, mode=mode)`` otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.zeros((3, 5), bool); x[1, 2] = True
    >>> dilate(x, [[1, 1, 1]]).astype(int)
    array([[0, 0, 0, 0, 0],
           [0, 1, 1, 1, 0],
           [0, 0, 0, 0, 0]])
    """
    return _morphology(image, footprint, mode, cval, dilation=True)


def erode(image, footprint, *, mode: str | None = None, cval: float = 0.0) -> np.ndarray:
    """Morphological erosion: a min lens over the structuring element.

    Parameters, Returns and Raises as :func:`dilate`.

    Notes
    -----
    :math:`(f \\ominus B)[x] = \\min_{b \\in B} f[x + b]`. A binary pixel stays on only when
    the whole element placed on it lies inside the shape; by default (as
    ``scipy.ndimage.binary_erosion``) pixels outside the image count as background, so the
    shape also shrinks away from the image border. Equals ``binary_erosion`` /
    ``grey_erosion`` of ``scipy.ndimage``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.zeros((3, 5), bool); x[1, 1:4] = True
    >>> erode(x, [[1, 1, 1]]).astype(int)
    array([[0, 0, 0, 0, 0],
           [0, 0, 1, 0, 0],
           [0, 0, 0, 0, 0]])
    """
    return _morphology(image, footprint, mode, cval, dilation=False)


# --------------------------------------------------------------------------------------
# Gabor kernels and image quality
# --------------------------------------------------------------------------------------

def gabor_kernel(frequency: float, theta: float = 0.0, *, bandwidth: float = 1.0, sigma_x: float | None = None,
                 sigma_y: float | None = None, n_stds: float = 3, offset: float = 0.0) -> np.ndarray:
    """A complex Gabor kernel: a plane wave under a Gaussian envelope.

    Parameters
    ----------
    frequency : float
        Spatial frequency of the wave, in cycles per pixel (> 0).
    theta : float
        Orientation in radians (0: the wave varies along x, so it detects vertical edges and
        bars).
    bandwidth : float
        Sets the envelope's width when sigma_x / sigma_y are not given.
    sigma_x, sigma_y : float, optional
        Standard deviations of the envelope along and across the wave.
    n_stds : float
        The kernel extends ``n_stds`` standard deviations.
    offset : float
        Phase offset in radians.

    Returns
    -------
    ndarray of complex128, shape (2 y0 + 1, 2 x0 + 1)
        ``.real`` is the even (cosine, bar-detecting) kernel, ``.imag`` the odd (sine,
        edge-detecting) one.

    Raises
    ------
    TypeError, ValueError
        For non-numbers, a frequency <= 0, or sigmas <= 0.

    Notes
    -----
    .. math::

        g(x, y) = \\frac{1}{2\\pi\\sigma_x\\sigma_y}
        \\exp\\Big(-\\frac{x'^2}{2\\sigma_x^2} - \\frac{y'^2}{2\\sigma_y^2}\\Big)
        \\exp\\big(i (2\\pi f x' + \\text{offset})\\big),

    with :math:`x' = x\\cos\\theta + y\\sin\\theta`, :math:`y' = -x\\sin\\theta + y\\cos\\theta`.
    Same definition and size as ``skimage.filters.gabor_kernel`` (Daugman, 1985). The
    receptive fields of simple cells in V1, and the first-layer filters of trained CNNs,
    look like the real or imaginary part of such kernels.

    Examples
    --------
    >>> g = gabor_kernel(0.25, sigma_x=2.0, sigma_y=2.0)
    >>> g.shape, g.dtype
    ((13, 13), dtype('complex128'))
    >>> bool(np.allclose(g.real, g.real[::-1, ::-1]))   # the cosine part is even
    True
    """
    frequency = check_float(frequency, "frequency", minimum=0.0, strict=True)
    theta = check_float(theta, "theta")
    bandwidth = check_float(bandwidth, "bandwidth", minimum=0.0, strict=True)
    n_stds = check_float(n_stds, "n_stds", minimum=0.0, strict=True)
    offset = check_float(offset, "offset")
    prefactor = 1.0 / np.pi * np.sqrt(np.log(2) / 2.0) * (2.0 ** bandwidth + 1) / (2.0 ** bandwidth - 1)
    sigma_x = prefactor / frequency if sigma_x is None else check_float(sigma_x, "sigma_x", minimum=0.0, strict=True)
    sigma_y = prefactor / frequency if sigma_y is None else check_float(sigma_y, "sigma_y", minimum=0.0, strict=True)
    ct, st = np.cos(theta), np.sin(theta)
    x0 = int(np.ceil(max(abs(n_stds * sigma_x * ct), abs(n_stds * sigma_y * st), 1)))
    y0 = int(np.ceil(max(abs(n_stds * sigma_y * ct), abs(n_stds * sigma_x * st), 1)))
    y, x = np.meshgrid(np.arange(-y0, y0 + 1), np.arange(-x0, x0 + 1), indexing="ij", sparse=True)
    rotx = x * ct + y * st
    roty = -x * st + y * ct
    g = np.exp(-0.5 * (rotx ** 2 / sigma_x ** 2 + roty ** 2 / sigma_y ** 2) + 1j * (2 * np.pi * frequency * rotx + offset))
    return g / (2 * np.pi * sigma_x * sigma_y)


def psnr(reference, image, *, data_range: float | None = None) -> float:
    """Peak signal-to-noise ratio in decibels, :math:`10 \\log_{10}(R^2 / \\mathrm{MSE})`.

    Parameters
    ----------
    reference : array_like
        The clean image.
    image : array_like, same shape
        The noisy or restored image.
    data_range : float, optional
        :math:`R`, the range of possible values: 255 for uint8 references when omitted;
        required for other dtypes.

    Returns
    -------
    float
        ``inf`` when the images are equal.

    Raises
    ------
    ValueError
        For different shapes, a missing data_range, or data_range <= 0.

    Notes
    -----
    Higher is better; each halving of the RMS error adds about 6.02 dB. Equals
    ``skimage.metrics.peak_signal_noise_ratio``.

    Examples
    --------
    >>> import numpy as np
    >>> round(psnr(np.zeros((2, 2), np.uint8), np.full((2, 2), 255, np.uint8)), 6)
    0.0
    """
    ref = check_array(reference, "reference")
    img = check_array(image, "image")
    if ref.shape != img.shape:
        raise ValueError(f"image must have the reference's shape {ref.shape}, got image with shape {img.shape}")
    if data_range is None:
        if ref.dtype != np.uint8:
            raise ValueError(f"data_range is required for a reference of dtype {ref.dtype} (255 is assumed only "
                             "for uint8), got data_range=None")
        data_range = 255.0
    data_range = check_float(data_range, "data_range", minimum=0.0, strict=True)
    mse = np.mean((ref.astype(np.float64) - img.astype(np.float64)) ** 2)
    with np.errstate(divide="ignore"):
        return float(10 * np.log10(data_range ** 2 / mse))


def salt_and_pepper(image, amount: float = 0.05, *, rng: np.random.Generator | None = None,
                    low: float | None = None, high: float | None = None) -> np.ndarray:
    """A copy of ``image`` where a fraction ``amount`` of the pixels is set to black or white.

    Parameters
    ----------
    image : array_like, shape (H, W)
    amount : float in [0, 1]
        Fraction of pixels replaced; half become ``low`` (pepper), half ``high`` (salt).
    rng : numpy.random.Generator, optional
        Source of randomness (a fresh unseeded one when omitted).
    low, high : float, optional
        Pepper and salt values; default the dtype's range for integers, else the image's
        minimum and maximum.

    Returns
    -------
    ndarray, shape (H, W), the image's dtype

    Raises
    ------
    ValueError
        If amount is outside [0, 1].

    Notes
    -----
    Exactly ``round(amount * H * W)`` distinct pixels are replaced, chosen without
    replacement; the first half become pepper, the rest salt.

    Examples
    --------
    >>> import numpy as np
    >>> noisy = salt_and_pepper(np.full((100, 100), 128, np.uint8), 0.1, rng=np.random.default_rng(0))
    >>> sorted(np.unique(noisy).tolist())
    [0, 128, 255]
    >>> int(np.count_nonzero(noisy != 128))
    1000
    """
    image = check_image(image)
    amount = check_float(amount, "amount", minimum=0.0)
    if amount > 1:
        raise ValueError(f"amount must be in [0, 1], got amount={amount}")
    rng = np.random.default_rng() if rng is None else rng
    if image.dtype.kind in "iu":
        info = np.iinfo(image.dtype)
        low = info.min if low is None else low
        high = info.max if high is None else high
    else:
        low = image.min() if low is None else low
        high = image.max() if high is None else high
    out = image.copy()
    n = int(round(amount * image.size))
    idx = rng.choice(image.size, size=n, replace=False)
    flat = out.reshape(-1)
    flat[idx[: n // 2]] = low
    flat[idx[n // 2:]] = high
    return out


# --------------------------------------------------------------------------------------
# Learning a kernel by gradient descent
# --------------------------------------------------------------------------------------

#: The ideal detector of a one-pixel-wide bright vertical line: [[-1, 2, -1]] * 3 (a
#: negative second difference across x, summed down three rows).
VERTICAL_LINE = np.array([[-1, 2, -1]] * 3, dtype=float)


def vertical_line_images(n: int = 32, size: int = 12, *, noise: float = 0.2,
                         rng: np.random.Generator | None = None) -> np.ndarray:
    """Images of one bright vertical line at a random column, plus Gaussian noise.

    Parameters
    ----------
    n : int
        Number of images.
    size : int
        Their height and width (>= 3).
    noise : float
        Standard deviation of the added noise (>= 0). Some noise is needed for a kernel to
        be identifiable: on clean vertical lines only the column sums of a kernel matter.
    rng : numpy.random.Generator, optional

    Returns
    -------
    ndarray, shape (n, size, size), float64

    Raises
    ------
    ValueError
        If n < 1, size < 3 or noise < 0.

    Notes
    -----
    The line is one pixel wide, of height 1, in a column away from the border (so the
    "valid" response of a 3x3 detector sees it whole).

    Examples
    --------
    >>> x = vertical_line_images(2, 5, noise=0.0, rng=np.random.default_rng(0))
    >>> x.shape, sorted(np.unique(x).tolist())
    ((2, 5, 5), [0.0, 1.0])
    """
    n = check_positive_int(n, "n")
    size = check_int(size, "size", minimum=3)
    noise = check_float(noise, "noise", minimum=0.0)
    rng = np.random.default_rng() if rng is None else rng
    images = noise * rng.standard_normal((n, size, size))
    columns = rng.integers(1, size - 1, size=n)
    images[np.arange(n), :, columns] += 1.0
    return images


def fit_kernel(images, targets, *, size=3, lr: float = 0.5, steps: int = 300,
               rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Learn a correlation kernel by gradient descent on the mean squared error.

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
    With :math:`e_n = \\text{correlate}(x_n, w) - y_n` and
    :math:`L = \\frac{1}{M} \\sum_n \\|e_n\\|^2` (:math:`M` the number of output pixels),

    .. math:: \\frac{\\partial L}{\\partial w} = \\frac{2}{M} \\sum_n \\text{correlate}(x_n, e_n),

    itself a cross-correlation of the input with the error: the rule that chapter 3 derives
    for a convolutional layer. The loss is quadratic in :math:`w`, so for a small enough
    rate the kernel converges to the least-squares solution.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = vertical_line_images(16, 10, rng=rng)
    >>> y = np.stack([correlate2d(im, VERTICAL_LINE) for im in x])
    >>> w, losses = fit_kernel(x, y, rng=rng)
    >>> bool(np.allclose(w, VERTICAL_LINE, atol=1e-3)), bool(losses[-1] < 1e-8 * losses[0])
    (True, True)
    """
    images = check_array(images, "images", ndim=3).astype(float)
    targets = check_array(targets, "targets", ndim=3).astype(float)
    kh, kw = _positive_pair(size, "size")
    lr = check_float(lr, "lr", minimum=0.0, strict=True)
    steps = check_positive_int(steps, "steps")
    n, h, w = images.shape
    if kh > h or kw > w:
        raise ValueError(f"size {(kh, kw)} does not fit images of shape {(h, w)}")
    expected = (n, h - kh + 1, w - kw + 1)
    if targets.shape != expected:
        raise ValueError(f"targets must have shape {expected} (one 'valid' output per image), "
                         f"got targets with shape {targets.shape}")
    from numpy.lib.stride_tricks import sliding_window_view

    rng = np.random.default_rng() if rng is None else rng
    kernel = rng.standard_normal((kh, kw))
    m = targets.size
    # All windows of all images at once, (N, H_out, W_out, kH, kW): a view, no copy.
    windows = sliding_window_view(images, (kh, kw), axis=(1, 2))
    losses = np.empty(steps + 1)
    for step in range(steps + 1):
        errors = np.einsum("nijab,ab->nij", windows, kernel) - targets  # correlate2d of each image
        losses[step] = float(np.sum(errors * errors)) / m
        if step == steps:
            break
        grad = np.einsum("nijab,nij->ab", windows, errors) * (2.0 / m)  # = sum_n correlate2d(x_n, e_n)
        kernel = kernel - lr * grad
    return kernel, losses


def learn_kernel_demo(seed: int = 0, *, n: int = 32, size: int = 12, steps: int = 300,
                      lr: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
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
    The lecture slides show a random kernel ending near ``[[-1, 2, -1]] * 3``; with noisy
    images the least-squares problem has a unique solution, that kernel, and 300 steps
    reach it to about 1e-5.

    Examples
    --------
    >>> learned, target = learn_kernel_demo(0)
    >>> np.round(learned, 2)
    array([[-1.,  2., -1.],
           [-1.,  2., -1.],
           [-1.,  2., -1.]])
    """
    rng = np.random.default_rng(seed)
    images = vertical_line_images(n, size, rng=rng)
    targets = np.stack([correlate2d(x, VERTICAL_LINE) for x in images])
    learned, _ = fit_kernel(images, targets, size=3, lr=lr, steps=steps, rng=rng)
    return learned, VERTICAL_LINE.copy()
