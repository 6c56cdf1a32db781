r"""Linear filtering: cross-correlation and convolution of an image with a kernel.

A kernel slides over the image; at each position the output is the weighted sum of the
pixels under it. That weighted sum is cross-correlation,

.. math::

    g[i, j] = \sum_{a} \sum_{b} w[a, b]\, \tilde f[i + a, j + b],

on the padded image :math:`\tilde f`, and convolution is the same sum with the kernel
rotated by 180 degrees.

Conventions (all chosen to agree with :mod:`scipy.ndimage` to the last bit of float64)
------------------------------------------------------------------------------------
Centre of a kernel
    A kernel of size ``k`` along an axis has its centre at index ``k // 2``. For odd
    ``k`` that is the middle; for even ``k`` it is the right one of the two middle
    cells, as ``scipy.ndimage`` places it with ``origin=0``.
Padding words
    ``"valid"``: no padding, the output shrinks by ``k - 1``. ``"same"``: the output has
    the input's shape (for stride 1); the padding is ``k // 2`` before and
    ``k - 1 - k // 2`` after, so that output pixel ``i`` is centred on input pixel
    ``i``.
    ``"full"``: ``k - 1`` on both sides, every partial overlap. An int ``p`` or a pair
    ``(p_h, p_w)`` pads ``p`` on both sides of the axis, as
    ``torch.nn.functional.conv2d`` does. With dilation ``d`` the kernel's effective size
    ``d (k - 1) + 1`` replaces ``k``; with stride ``s`` the output is the stride-1
    output sampled every ``s`` pixels.
Convolution
    ``convolve2d(f, w)`` is the *full* convolution :math:`\sum_m w[m] f[n - m]` cropped
    by the padding. With ``"same"`` the crop starts at ``k // 2``, which is what
    ``scipy.ndimage.convolve`` computes; for odd kernels this is the same as correlating
    with the flipped kernel, for even kernels it is shifted by one pixel from that (and
    from ``numpy.convolve(..., "same")``, which starts the crop at ``(k - 1) // 2``).
Border modes (how the padding is filled), as in ``scipy.ndimage``
    ``"constant"`` (``k k k | a b c d | k k k`` with ``k = cval``), ``"reflect"``
    (``c b a | a b c d | d c b``, half-sample symmetric), ``"mirror"``
    (``d c b | a b c d | c b a``, whole-sample symmetric), ``"nearest"``
    (``a a a | a b c d | d d d``) and ``"wrap"`` (``b c d | a b c d | a b c``,
    periodic).
Output dtype
    Floating point: ``float32`` when the image and the kernel fit in float32 (a float32
    or uint8 image with a float32 kernel, say), ``float64`` otherwise.

Each function has a loop version beside it (``correlate2d_naive``,
``convolve2d_naive``); the tests check that the two agree, and that both agree with
``scipy.ndimage`` and torch.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .. import _geometry
from .._validation import (
    _is_int,
    _show,
    check_allocation,
    check_array,
    check_choice,
    check_float,
    check_image,
    check_nonneg_int,
    check_pair,
    check_positive_int,
)
from ..arithmetic import effective_kernel_size

__all__ = [
    "MODES",
    "PADDINGS",
    "pad",
    "correlate2d",
    "convolve2d",
    "correlate2d_naive",
    "convolve2d_naive",
    "correlate1d",
    "convolve1d",
]

#: Border modes, with scipy.ndimage's meaning of each word.
MODES = ("constant", "reflect", "mirror", "nearest", "wrap")
#: Padding words of correlate2d / convolve2d (an int or a pair of ints also works).
PADDINGS = ("valid", "same", "full")

Pair = tuple[int, int]
Widths = tuple[Pair, Pair]

#: The largest padded image (in pixels) the filters agree to allocate: a typo such as
#: ``size=10**9`` is answered with a ValueError naming the argument, not a MemoryError
#: from deep inside numpy.


def _float_dtype(*dtypes) -> np.dtype:
    """float32 when every input fits in float32 without loss, float64 otherwise."""
    dtype = np.result_type(*dtypes, np.float32)
    return dtype if dtype in (np.float32, np.float64) else np.dtype(np.float64)


def pad(
    image: ArrayLike,
    pad_width: tuple[Pair, Pair],
    *,
    mode: str = "constant",
    cval: float = 0.0,
) -> np.ndarray:
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
        A new array (never the input itself).

    Raises
    ------
    ValueError
        For an unknown mode, or pad widths that are not four non-negative integers.

    Notes
    -----
    ``scipy.ndimage`` and ``numpy.pad`` name the two symmetric extensions oppositely:
    ndimage's ``"reflect"`` (``c b a | a b c``) is numpy's ``"symmetric"``, ndimage's
    ``"mirror"`` (``c b | a b c``) is numpy's ``"reflect"``. Widths larger than the
    image repeat the extension, as both libraries do.

    Examples
    --------
    >>> pad([[1, 2, 3]], ((0, 0), (2, 2)), mode="reflect")
    array([[2, 1, 1, 2, 3, 3, 2]])
    >>> pad([[1, 2, 3]], ((0, 0), (2, 2)), mode="mirror")
    array([[3, 2, 1, 2, 3, 2, 1]])
    >>> pad([[1, 2, 3]], ((0, 0), (1, 1)), mode="constant", cval=9)
    array([[9, 1, 2, 3, 9]])
    """
    image = check_image(image)
    mode = check_choice(mode, "mode", MODES)
    cval = check_float(cval, "cval")
    expected = "((top, bottom), (left, right)) of non-negative integers"
    try:
        widths = np.asarray(pad_width)
    except ValueError:  # ragged
        widths = np.zeros(0)
    if (
        widths.shape != (2, 2)
        or not all(_is_int(w) for side in pad_width for w in side)  # not True, 1.0
        or np.any(widths < 0)
    ):
        raise ValueError(
            f"pad_width must be {expected}, got pad_width={_show(pad_width)}"
        )
    widths = tuple((int(a), int(b)) for a, b in widths)
    padded_shape = [n + sum(w) for n, w in zip(image.shape, widths)]
    check_allocation(padded_shape, f"pad_width={pad_width!r}")
    out = _geometry.pad(image, widths, mode=mode, cval=cval)
    return out.copy() if out is image else out


def _padding_widths(padding, effective: Pair, *, flipped: bool = False) -> Widths:
    """``((top, bottom), (left, right))`` for a padding word, an int or a pair.

    ``effective`` is the (dilated) kernel's extent. ``flipped`` is for convolution with
    "same": the crop of the full convolution starts at ``k // 2``, i.e. correlation with
    the flipped kernel padded ``k - 1 - k // 2`` before.
    """
    if isinstance(padding, str):
        word = check_choice(padding, "padding", PADDINGS)
        if word == "valid":
            return ((0, 0), (0, 0))
        if word == "full":
            return tuple((e - 1, e - 1) for e in effective)
        widths = [(e // 2, e - 1 - e // 2) for e in effective]
        return tuple(
            (after, before) if flipped else (before, after) for before, after in widths
        )
    try:
        ph, pw = check_pair(padding, "padding", minimum=0)
    except TypeError:
        raise TypeError(
            "padding must be 'valid', 'same', 'full', a non-negative integer or a pair "
            "of "
            f"them, got padding={_show(padding)}"
        ) from None
    return _geometry.symmetric((ph, pw))


def _prepare(
    image,
    kernel,
    padding,
    mode,
    cval,
    stride,
    dilation,
    *,
    flipped=False,
    kernel_name="kernel",
):
    """Validate the arguments of the 2D linear filters and pad the image.

    Returns the padded image and the kernel (rotated by 180 degrees when ``flipped``),
    both in the output dtype, and the stride and dilation as pairs. ``kernel_name`` is
    what the caller's argument is called, for the message of a kernel that does not
    fit.
    """
    image = check_image(image)
    kernel = check_array(kernel, "kernel", ndim=2)
    mode = check_choice(mode, "mode", MODES)
    cval = check_float(cval, "cval")
    stride = check_pair(stride, "stride")
    dilation = check_pair(dilation, "dilation")
    effective = effective_kernel_size(kernel.shape, dilation=dilation)
    widths = _padding_widths(padding, effective, flipped=flipped)
    padded_shape = tuple(n + sum(w) for n, w in zip(image.shape, widths))
    sizes = f"padding={padding!r}"
    if effective != kernel.shape:  # "same" and "full" grow with the dilation
        sizes += f" with dilation={dilation}"
    check_allocation(padded_shape, sizes)
    if padded_shape[0] < effective[0] or padded_shape[1] < effective[1]:
        if effective == kernel.shape:
            what = "kernel"
        else:
            what = f"kernel dilated by dilation={dilation} (effective size {effective})"
        raise ValueError(
            f"{kernel_name} of shape {kernel.shape} does not fit the image: the {what} "
            f"is larger than the padded image of shape {padded_shape} "
            f"(image shape {image.shape}, "
            f"padding={padding!r}); use padding='same' or 'full', or a smaller kernel"
        )
    dtype = _float_dtype(image.dtype, kernel.dtype)
    padded = _geometry.pad(
        image.astype(dtype, copy=False), widths, mode=mode, cval=cval
    )
    kernel = kernel.astype(dtype, copy=False)
    return padded, (kernel[::-1, ::-1] if flipped else kernel), stride, dilation


def _weighted_sum_of_windows(padded, kernel, stride, dilation) -> np.ndarray:
    """The sliding weighted sum: ``sum_ab w[a, b] * windows[:, :, a, b]``.

    ``windows[:, :, a, b]`` is the padded image shifted by tap ``(a, b)`` (and sampled
    every ``stride`` pixels): a view, no copy. So the whole filter is ``kH * kW``
    vectorised multiply-adds, one per kernel tap, each over all the output pixels at
    once.
    """
    win = _geometry.windows(padded, kernel.shape, stride=stride, dilation=dilation)
    out = np.zeros(win.shape[:2], dtype=padded.dtype)
    for (a, b), weight in np.ndenumerate(kernel):
        out += weight * win[:, :, a, b]
    return out


def correlate2d(
    image: ArrayLike,
    kernel: ArrayLike,
    *,
    padding: str | int | Pair = "valid",
    mode: str = "constant",
    cval: float = 0.0,
    stride: int | Pair = 1,
    dilation: int | Pair = 1,
) -> np.ndarray:
    r"""Cross-correlate a 2D image with a 2D kernel: the weighted-sum lens.

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
        With, per axis, :math:`o = \lfloor (i + p_{before} + p_{after} - d(k-1) - 1) / s
        \rfloor + 1`.

    Raises
    ------
    TypeError
        If the image or kernel is not numeric, or stride, dilation or padding is not an
        int.
    ValueError
        If the image or kernel is not 2D or is empty, stride or dilation is below 1, the
        mode or padding word is unknown, or the kernel is larger than the padded image.

    Notes
    -----
    With :math:`\tilde f` the padded image,

    .. math::

        g[i, j] = \sum_{a=0}^{k_H - 1} \sum_{b=0}^{k_W - 1} w[a, b]\,
                  \tilde f[s_H i + d_H a,\; s_W j + d_W b].

    This is what deep-learning libraries call "convolution"
    (``torch.nn.functional.conv2d`` with one channel). With ``padding="same"`` and
    stride 1 it equals ``scipy.ndimage.correlate(image, kernel, mode=mode, cval=cval)``.

    The code runs the double sum the other way round: the image is padded, and for each
    of the ``kH * kW`` taps :math:`(a, b)` the whole image shifted by that tap,
    :math:`\tilde f[s_H i + d_H a, s_W j + d_W b]` for all :math:`(i, j)` at once (one
    view of the padded image, no copy), is multiplied by :math:`w[a, b]` and added to
    the output. :func:`correlate2d_naive` computes the same sum one output pixel at a
    time.

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
    >>> correlate2d(step, [[1, 0, -1]] * 3)
    array([[ 0., 30., 30.,  0.],
           [ 0., 30., 30.,  0.],
           [ 0., 30., 30.,  0.],
           [ 0., 30., 30.,  0.]])
    """
    padded, kernel, stride, dilation = _prepare(
        image, kernel, padding, mode, cval, stride, dilation
    )
    return _weighted_sum_of_windows(padded, kernel, stride, dilation)


def convolve2d(
    image: ArrayLike,
    kernel: ArrayLike,
    *,
    padding: str | int | Pair = "valid",
    mode: str = "constant",
    cval: float = 0.0,
    stride: int | Pair = 1,
    dilation: int | Pair = 1,
) -> np.ndarray:
    r"""Convolve a 2D image with a 2D kernel: correlation with the kernel flipped.

    Parameters and Raises are those of :func:`correlate2d`.

    Returns
    -------
    ndarray, shape (H_out, W_out)

    Notes
    -----
    The full convolution is :math:`(f * w)[n] = \sum_m w[m]\, f[n - m]` (per axis), of
    size ``i + k - 1``; the padding crops it. With ``"valid"``, ``"full"`` or a number
    it is exactly ``correlate2d(image, kernel[::-1, ::-1], ...)``. With ``"same"`` the
    crop starts at ``k // 2``, which equals ``scipy.ndimage.convolve(image, kernel,
    mode=mode, cval=cval)`` for every kernel size; for an even size this is one pixel
    away from correlating with the flipped kernel with ``"same"`` padding (scipy shifts
    its origin for the same reason), so the "same" padding is mirrored along with the
    kernel.

    Convolution is commutative and associative (with ``"full"`` padding and zeros
    outside): ``convolve2d(convolve2d(f, u, padding="full"), v, padding="full")`` equals
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
    padded, flipped, stride, dilation = _prepare(
        image, kernel, padding, mode, cval, stride, dilation, flipped=True
    )
    return _weighted_sum_of_windows(padded, flipped, stride, dilation)


def correlate2d_naive(
    image: ArrayLike,
    kernel: ArrayLike,
    *,
    padding: str | int | Pair = "valid",
    mode: str = "constant",
    cval: float = 0.0,
    stride: int | Pair = 1,
    dilation: int | Pair = 1,
) -> np.ndarray:
    """The loop version of :func:`correlate2d`: one output pixel at a time.

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
    its element-wise product with the kernel. Slow (a Python loop per pixel); meant to
    be read next to the formula.

    Examples
    --------
    >>> correlate2d_naive([[1, 2, 3], [4, 5, 6]], [[1, 1]])
    array([[ 3.,  5.],
           [ 9., 11.]])
    """
    padded, kernel, stride, dilation = _prepare(
        image, kernel, padding, mode, cval, stride, dilation
    )
    return _correlate_loop(padded, kernel, stride, dilation)


def convolve2d_naive(
    image: ArrayLike,
    kernel: ArrayLike,
    *,
    padding: str | int | Pair = "valid",
    mode: str = "constant",
    cval: float = 0.0,
    stride: int | Pair = 1,
    dilation: int | Pair = 1,
) -> np.ndarray:
    """The loop version of :func:`convolve2d`: flip the kernel, then slide it.

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
    The loop of :func:`correlate2d_naive` with ``kernel[::-1, ::-1]`` and, for
    ``"same"``, the padding of the flipped kernel (see :func:`convolve2d`).

    Examples
    --------
    >>> convolve2d_naive([[1, 2, 3], [4, 5, 6]], [[1, -1]])
    array([[1., 1.],
           [1., 1.]])
    """
    padded, flipped, stride, dilation = _prepare(
        image, kernel, padding, mode, cval, stride, dilation, flipped=True
    )
    return _correlate_loop(padded, flipped, stride, dilation)


def _correlate_loop(padded, kernel, stride, dilation) -> np.ndarray:
    (kh, kw), (sh, sw), (dh, dw) = kernel.shape, stride, dilation
    oh, ow = _geometry.output_hw(
        padded.shape, kernel.shape, stride=stride, dilation=dilation
    )
    out = np.zeros((oh, ow), dtype=padded.dtype)
    for i in range(oh):
        for j in range(ow):
            # The window under the kernel: rows i*s, i*s + d, ..., and the same for
            # columns.
            rows = slice(i * sh, i * sh + dh * (kh - 1) + 1, dh)
            cols = slice(j * sw, j * sw + dw * (kw - 1) + 1, dw)
            out[i, j] = np.sum(padded[rows, cols] * kernel)
    return out


def _as_row(signal, kernel, padding, stride, dilation):
    """A 1D problem as a 2D problem with one row (no padding along the row axis)."""
    signal = check_array(signal, "signal", ndim=1)
    kernel = check_array(kernel, "kernel", ndim=1)
    if isinstance(padding, str):
        check_choice(padding, "padding", PADDINGS)
    else:
        try:
            padding = (0, check_nonneg_int(padding, "padding"))
        except TypeError:
            raise TypeError(
                "padding must be 'valid', 'same', 'full' or a non-negative integer, "
                f"got padding={_show(padding)}"
            ) from None
    stride = (1, check_positive_int(stride, "stride"))
    dilation = (1, check_positive_int(dilation, "dilation"))
    return signal[None, :], kernel[None, :], padding, stride, dilation


def _linear_1d(func, signal, kernel, padding, mode, cval, stride, dilation):
    row, k, padding2, stride2, dilation2 = _as_row(
        signal, kernel, padding, stride, dilation
    )
    try:
        return func(
            row,
            k,
            padding=padding2,
            mode=mode,
            cval=cval,
            stride=stride2,
            dilation=dilation2,
        )[0]
    except ValueError as exc:
        if "does not fit" not in str(exc):
            raise
        raise ValueError(
            f"kernel of length {k.shape[1]} does not fit the signal of length "
            f"{row.shape[1]} with padding={padding!r} and dilation={dilation!r}: "
            f"{str(exc).split(': ', 1)[1]}"
        ) from None


def correlate1d(
    signal: ArrayLike,
    kernel: ArrayLike,
    *,
    padding: str | int = "valid",
    mode: str = "constant",
    cval: float = 0.0,
    stride: int = 1,
    dilation: int = 1,
) -> np.ndarray:
    r"""Cross-correlate a 1D signal with a 1D kernel.

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
        :math:`L_{out} = \lfloor (L + 2P - d(K - 1) - 1) / S \rfloor + 1`.

    Raises
    ------
    TypeError, ValueError
        As :func:`correlate2d`, for 1D inputs.

    Notes
    -----
    :math:`g[n] = \sum_k w[k]\, \tilde f[S n + d k]` on the padded signal
    :math:`\tilde f`: :func:`correlate2d` on an image of one row. ``"valid"`` and
    ``"full"`` equal ``numpy.correlate``; ``"same"`` equals
    ``scipy.ndimage.correlate1d``.

    Examples
    --------
    A moving sum of three samples:

    >>> correlate1d([1, 2, 3, 4, 5], [1, 1, 1])
    array([ 6.,  9., 12.])
    >>> correlate1d([1, 2, 3, 4, 5], [1, 1, 1], padding="same", mode="nearest")
    array([ 4.,  6.,  9., 12., 14.])
    """
    return _linear_1d(
        correlate2d, signal, kernel, padding, mode, cval, stride, dilation
    )


def convolve1d(
    signal: ArrayLike,
    kernel: ArrayLike,
    *,
    padding: str | int = "valid",
    mode: str = "constant",
    cval: float = 0.0,
    stride: int = 1,
    dilation: int = 1,
) -> np.ndarray:
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
    return _linear_1d(convolve2d, signal, kernel, padding, mode, cval, stride, dilation)
