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
VERTICAL_EDGE = -PREWITT_X
#: The slides' "horizontal edge" filter [[1, 1, 1], [0, 0, 0], [-1, -1, -1]] = ``-PREWITT_Y``.
HORIZONTAL_EDGE = -PREWITT_Y


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

def _correlate_padded(padded, kernel, stride, dilation, out_shape):
    """Shift-and-add: one vectorised multiply-add of a shifted view per kernel entry."""
    (sh, sw), (dh, dw), (oh, ow) = stride, dilation, out_shape
    out = np.zeros(out_shape, dtype=padded.dtype)
    for a in range(kernel.shape[0]):
        for b in range(kernel.shape[1]):
            view = padded[a * dh: a * dh + sh * (oh - 1) + 1: sh, b * dw: b * dw + sw * (ow - 1) + 1: sw]
            out += kernel[a, b] * view
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

    Same parameters, result and errors as :func:`correlate2d` (the tests check that they
    agree); it is slow, and meant to be read.

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
