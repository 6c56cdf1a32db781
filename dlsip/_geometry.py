"""The geometry of a sliding window, written once: padding, views, im2col, col2im.

Every sliding-window operation of the package (filters, convolution and pooling layers,
their backward passes, the self-checks) is built from these few functions, so that the
indexing is written and tested in one place. They are private: they trust their callers
to have validated the arguments, and take hyperparameters as ``(rows, columns)`` pairs.

The output size of a window placement is never computed here by hand: it comes from
:func:`dlsip.arithmetic.conv_output_size`, which also says clearly when a kernel does
not fit.

Layouts
-------
- ``windows(xp, ...)`` is a read-only *view* of shape ``(..., Ho, Wo, kH, kW)``:
  ``windows[..., i, j, a, b] = xp[..., i * sH + a * dH, j * sW + b * dW]``. No copy.
- ``scatter_add_windows(target, patches, ...)`` is its adjoint: it adds every entry of
  ``patches`` (same layout) back into the pixel of ``target`` it would have been read
  from.
- ``im2col(x, ...)`` copies the windows of a zero-padded NCHW batch into the columns of
  one matrix of shape ``(C * kH * kW, N * Ho * Wo)`` (rows ordered channel, kernel row,
  kernel column); ``col2im`` is its adjoint.

>>> import numpy as np
>>> x = np.arange(16.0).reshape(1, 1, 4, 4)
>>> windows(x, (2, 2), stride=(2, 2)).shape
(1, 1, 2, 2, 2, 2)
>>> im2col(x, (3, 3)).shape
(9, 4)
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .arithmetic.sizes import conv_output_size

Pair = tuple[int, int]
Widths = tuple[Pair, Pair]

#: scipy.ndimage's border modes and the numpy.pad modes that produce them. The two
# libraries name the symmetric extensions oppositely: ndimage's "reflect" (``c b a | a b
# c``)
#: is numpy's "symmetric", ndimage's "mirror" (``c b | a b c``) is numpy's "reflect".
NP_PAD_MODE = {
    "reflect": "symmetric",
    "mirror": "reflect",
    "nearest": "edge",
    "wrap": "wrap",
}


def symmetric(padding: Pair) -> Widths:
    """``(pH, pW)`` as pad widths ``((pH, pH), (pW, pW))``."""
    return ((padding[0], padding[0]), (padding[1], padding[1]))


def pad(
    x: np.ndarray, widths: Widths, *, mode: str = "constant", cval: float = 0.0
) -> np.ndarray:
    """Pad the last two axes of ``x`` by ``((top, bottom), (left, right))``.

    ``mode`` is one of scipy.ndimage's names ("constant", "reflect", "mirror",
    "nearest", "wrap"); "constant" fills with ``cval``. Returns ``x`` itself when
    nothing is added.
    """
    if not any(widths[0]) and not any(widths[1]):
        return x
    full = ((0, 0),) * (x.ndim - 2) + tuple(widths)
    if mode == "constant":
        return np.pad(x, full, mode="constant", constant_values=cval)
    return np.pad(x, full, mode=NP_PAD_MODE[mode])


def crop(xp: np.ndarray, widths: Widths) -> np.ndarray:
    """Undo :func:`pad`'s geometry: the part of ``xp`` that held the unpadded array."""
    (top, bottom), (left, right) = widths
    return xp[..., top : xp.shape[-2] - bottom, left : xp.shape[-1] - right]


def output_hw(
    hw: Pair,
    kernel_size: Pair,
    *,
    stride: Pair = (1, 1),
    padding: Pair = (0, 0),
    dilation: Pair = (1, 1),
) -> Pair:
    """The number of window positions along each of the two axes
    (``conv_output_size``)."""
    return tuple(
        conv_output_size(
            hw[a],
            kernel_size[a],
            stride=stride[a],
            padding=padding[a],
            dilation=dilation[a],
        )
        for a in range(2)
    )


def windows(
    xp: np.ndarray, kernel_size: Pair, *, stride: Pair = (1, 1), dilation: Pair = (1, 1)
) -> np.ndarray:
    """Every window of the (already padded) last two axes of ``xp``, as a read-only
    view.

    Returns an array of shape ``(..., Ho, Wo, kH, kW)`` whose entry
    ``[..., i, j, a, b]`` is ``xp[..., i * sH + a * dH, j * sW + b * dW]``.
    """
    (kh, kw), (sh, sw), (dh, dw) = kernel_size, stride, dilation
    ho, wo = output_hw(xp.shape[-2:], kernel_size, stride=stride, dilation=dilation)
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)  # the dilated kernel's extent
    view = sliding_window_view(xp, span, axis=(-2, -1))
    return view[..., : sh * (ho - 1) + 1 : sh, : sw * (wo - 1) + 1 : sw, ::dh, ::dw]


def scatter_add_windows(
    target: np.ndarray,
    patches: np.ndarray,
    *,
    stride: Pair = (1, 1),
    dilation: Pair = (1, 1),
) -> np.ndarray:
    """Add each window's values back where :func:`windows` read them (its adjoint), in
    place.

    ``target`` has shape ``(..., Hp, Wp)`` and ``patches`` ``(..., Ho, Wo, kH, kW)``.
    Windows overlap, so this cannot be one assignment: it is ``kH * kW`` strided
    additions, one per kernel tap, each covering all the windows at once. Returns
    ``target``.
    """
    ho, wo, kh, kw = patches.shape[-4:]
    (sh, sw), (dh, dw) = stride, dilation
    for a in range(kh):
        for b in range(kw):
            target[
                ...,
                a * dh : a * dh + sh * (ho - 1) + 1 : sh,
                b * dw : b * dw + sw * (wo - 1) + 1 : sw,
            ] += patches[..., a, b]
    return target


def im2col(
    x: np.ndarray,
    kernel_size: Pair,
    *,
    stride: Pair = (1, 1),
    padding: Pair = (0, 0),
    dilation: Pair = (1, 1),
) -> np.ndarray:
    """The windows of a zero-padded ``(N, C, H, W)`` batch as the columns of one matrix.

    Returns ``(C * kH * kW, N * Ho * Wo)``: column ``(n, i, j)`` is the patch that
    output pixel ``(i, j)`` of sample ``n`` sees, its rows in the order (channel, kernel
    row, kernel column), as ``w.reshape(C_out, -1)`` orders its columns. A convolution
    of the whole batch is then one matrix product, ``w.reshape(C_out, -1) @ cols``
    (cs231n's layout; torch's ``unfold`` is the same matrix cut into one block per
    sample).
    """
    win = windows(
        pad(x, symmetric(padding)), kernel_size, stride=stride, dilation=dilation
    )
    n, c, ho, wo, kh, kw = win.shape
    # .copy() is the one copy (always, so the result never aliases the input)
    return win.transpose(1, 4, 5, 0, 2, 3).copy().reshape(c * kh * kw, n * ho * wo)


def col2im(
    cols: np.ndarray,
    input_shape: tuple[int, int, int, int],
    kernel_size: Pair,
    *,
    stride: Pair = (1, 1),
    padding: Pair = (0, 0),
    dilation: Pair = (1, 1),
) -> np.ndarray:
    """The adjoint of :func:`im2col`: sum every column entry back into its input pixel.

    ``cols`` has :func:`im2col`'s shape ``(C * kH * kW, N * Ho * Wo)``; returns an
    array of ``input_shape = (N, C, H, W)``. Entries that came from the padding are
    dropped. It is how the gradient of a convolution reaches its input.
    """
    n, c, h, w = input_shape
    kh, kw = kernel_size
    ho, wo = output_hw(
        (h, w), kernel_size, stride=stride, padding=padding, dilation=dilation
    )
    # (C, N, Ho, Wo, kH, kW): the layout of windows(), channel first like cols
    patches = cols.reshape(c, kh, kw, n, ho, wo).transpose(0, 3, 4, 5, 1, 2)
    target = np.zeros((c, n, h + 2 * padding[0], w + 2 * padding[1]), dtype=cols.dtype)
    scatter_add_windows(target, patches, stride=stride, dilation=dilation)
    return np.ascontiguousarray(crop(target, symmetric(padding)).transpose(1, 0, 2, 3))
