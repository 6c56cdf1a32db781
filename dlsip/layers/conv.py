r"""2D convolution (cross-correlation, as torch's ``conv2d``): forward and backward
passes.

The fast version is im2col: every window of the zero-padded input, in the whole batch,
becomes a column of one matrix (cs231n's layout, ``(C kH kW, N Ho Wo)``), and one
matrix product with the filters, reshaped to rows, does all the multiply-adds. The
backward pass is two more matrix products and col2im, which adds every column back into
the pixels it was read from (:func:`dlsip._geometry.scatter_add_windows`). The loop
versions (``*_naive``) compute one output pixel at a time; they are slow and obviously
right, and the tests check that both agree.

>>> rng = np.random.default_rng(0)
>>> x = rng.standard_normal((2, 3, 8, 8))
>>> w = rng.standard_normal((4, 3, 3, 3))
>>> out, cache = conv2d_forward(x, w, np.zeros(4), padding=1)
>>> out.shape
(2, 4, 8, 8)
>>> dx, dw, db = conv2d_backward(np.ones_like(out), cache)
>>> dx.shape, dw.shape, db.shape
((2, 3, 8, 8), (4, 3, 3, 3), (4,))
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from .. import _geometry as G
from .._validation import check_allocation, check_array, check_pair
from ._checks import check_bias, check_cache, check_dout, check_kernel_fits, float_dtype
from ._fast import matmul

__all__ = [
    "Conv2dCache",
    "conv2d_forward",
    "conv2d_backward",
    "conv2d_forward_naive",
    "conv2d_backward_naive",
]

Pair = tuple[int, int]


class Conv2dCache(NamedTuple):
    """What a convolution's forward pass keeps for the backward pass."""

    x: np.ndarray  #: the input, (N, C_in, H, W), in the computation's dtype
    w: np.ndarray  #: the filters, (C_out, C_in, kH, kW)
    has_bias: bool
    stride: Pair
    padding: Pair
    dilation: Pair
    #: im2col of x, (C_in kH kW, N Ho Wo); None from the naive forward pass
    cols: np.ndarray | None


def _prepare(x, w, b, stride, padding, dilation):
    """Validated float arrays and hyperparameter pairs, and the output size."""
    x = check_array(x, "x", ndim=4)
    w = check_array(w, "w", ndim=4)
    if w.shape[1] != x.shape[1]:
        raise ValueError(
            f"w must have as many input channels as x (x.shape[1]={x.shape[1]}), "
            f"got w with shape {w.shape}"
        )
    b = check_bias(b, w.shape[0])
    stride = check_pair(stride, "stride")
    padding = check_pair(padding, "padding", minimum=0)
    dilation = check_pair(dilation, "dilation")
    kernel = w.shape[2:]
    check_kernel_fits(
        x, kernel, padding=padding, dilation=dilation, kernel_name="w.shape[2:]"
    )
    out_hw = G.output_hw(
        x.shape[2:], kernel, stride=stride, padding=padding, dilation=dilation
    )
    n, c, h, wd = x.shape  # no absurd padding: the padded x and im2col must fit memory
    sizes = f"x with shape {x.shape}, w with shape {w.shape}, padding={padding}"
    check_allocation(
        (n, c, h + 2 * padding[0], wd + 2 * padding[1]),
        what="x padded",
        arguments=sizes,
    )
    check_allocation(
        (c * kernel[0] * kernel[1], n, *out_hw), what="im2col", arguments=sizes
    )
    dtype = float_dtype(x, w, b)
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    b = None if b is None else b.astype(dtype, copy=False)
    return x, w, b, stride, padding, dilation, out_hw


def _output_shape(cache: Conv2dCache) -> tuple[int, int, int, int]:
    ho, wo = G.output_hw(
        cache.x.shape[2:],
        cache.w.shape[2:],
        stride=cache.stride,
        padding=cache.padding,
        dilation=cache.dilation,
    )
    return cache.x.shape[0], cache.w.shape[0], ho, wo


def conv2d_forward(
    x: ArrayLike,
    w: ArrayLike,
    b: ArrayLike | None = None,
    *,
    stride: int | Pair = 1,
    padding: int | Pair = 0,
    dilation: int | Pair = 1,
) -> tuple[np.ndarray, Conv2dCache]:
    r"""2D convolution (cross-correlation, as in torch's ``conv2d``), by im2col.

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
        Input batch.
    w : ndarray, shape (C_out, C_in, kH, kW)
        Filters.
    b : ndarray, shape (C_out,), or None
        Biases (None for no bias).
    stride, padding, dilation : int or pair of ints
        As in torch; ``dilation=1`` means no dilation, padding is with zeros.

    Returns
    -------
    out : ndarray, shape (N, C_out, Ho, Wo)
        ``Ho = floor((H + 2p - d(kH - 1) - 1) / s) + 1`` and the same for ``Wo``
        (:func:`dlsip.arithmetic.conv_output_size`).
    cache : Conv2dCache
        What :func:`conv2d_backward` needs (the im2col matrix among it).

    Raises
    ------
    ValueError
        If ``x`` or ``w`` is not 4D, if their channels disagree, if ``b`` has the wrong
        length, if the (dilated) kernel is larger than the padded input, or if the
        padding is so large that the padded input would not fit in memory.

    Notes
    -----
    .. math:: \text{out}[n, f, i, j] = b_f + \sum_{c, u, v} w[f, c, u, v]\,
              x_p[n, c, s i + d u, s j + d v]

    where :math:`x_p` is the zero-padded input. im2col copies the windows of :math:`x_p`
    into a matrix of shape (C kH kW, N Ho Wo), one column per output pixel of the batch,
    rows ordered as ``w.reshape(C_out, -1)`` orders its columns; the output is then the
    one matrix product ``W @ cols``.

    One product for the whole batch, rather than one per sample with torch's ``unfold``
    layout (N, C kH kW, Ho Wo): at the size of ``benchmarks/numpy_conv.py`` the two take
    the same time on an idle machine, but on a busy one each of the 3 N small products
    makes the BLAS threads wait for a core, and they were 1.3 to 9 times slower.

    Examples
    --------
    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> w = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])
    >>> out, _ = conv2d_forward(x, w)
    >>> out[0, 0]
    array([[-4., -4.],
           [-4., -4.]])
    """
    x, w, b, stride, padding, dilation, (ho, wo) = _prepare(
        x, w, b, stride, padding, dilation
    )
    n, f = x.shape[0], w.shape[0]
    cols = G.im2col(x, w.shape[2:], stride=stride, padding=padding, dilation=dilation)
    out = matmul(w.reshape(f, -1), cols)  # W @ cols (see _fast for why not "@")
    out = out.reshape(f, n, ho, wo).transpose(1, 0, 2, 3)
    out = np.ascontiguousarray(out)
    if b is not None:
        out += b.reshape(1, f, 1, 1)
    return out, Conv2dCache(x, w, b is not None, stride, padding, dilation, cols)


def conv2d_backward(
    dout: ArrayLike, cache: Conv2dCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    r"""Backward pass of :func:`conv2d_forward`.

    Parameters
    ----------
    dout : ndarray, shape (N, C_out, Ho, Wo)
        Gradient of the loss with respect to the output.
    cache : Conv2dCache
        From :func:`conv2d_forward` (or :func:`conv2d_forward_naive`).

    Returns
    -------
    dx : ndarray, shape (N, C_in, H, W)
    dw : ndarray, shape (C_out, C_in, kH, kW)
    db : ndarray, shape (C_out,), or None when the forward pass had no bias.

    Raises
    ------
    TypeError
        If ``cache`` is not a :class:`Conv2dCache`.
    ValueError
        If ``dout`` does not have the output's shape.

    Notes
    -----
    With :math:`\delta = \partial L / \partial \text{out}`, laid out as the forward
    pass's output before its transpose, (C_out, N Ho Wo):

    - :math:`\partial L/\partial w` is the cross-correlation of the padded input with
      :math:`\delta`: ``dW = delta @ cols.T``;
    - :math:`\partial L/\partial x` is the full convolution of :math:`\delta` with the
      kernel, i.e. a transposed convolution: ``dcols = W.T @ delta``, added back into
      the input by col2im, which drops what falls into the padding;
    - :math:`\partial L/\partial b_f = \sum_{n,i,j} \delta[n, f, i, j]`.

    Examples
    --------
    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> w = np.ones((1, 1, 2, 2))
    >>> out, cache = conv2d_forward(x, w, np.zeros(1))
    >>> dx, dw, db = conv2d_backward(np.ones_like(out), cache)
    >>> dx[0, 0]   # how many windows cover each pixel
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    >>> dw[0, 0]   # sums of the 2x2 corner blocks of x
    array([[ 8., 12.],
           [20., 24.]])
    """
    check_cache(cache, Conv2dCache, "conv2d_forward")
    x, w, has_bias, stride, padding, dilation, cols = cache
    dout = check_dout(dout, _output_shape(cache)).astype(w.dtype, copy=False)
    n, f = dout.shape[:2]
    if cols is None:  # a cache from the naive forward pass
        cols = G.im2col(
            x, w.shape[2:], stride=stride, padding=padding, dilation=dilation
        )
    delta = dout.transpose(1, 0, 2, 3).reshape(f, -1)  # (C_out, N Ho Wo)
    dw = matmul(delta, cols.T).reshape(w.shape)  # delta @ cols.T
    dcols = matmul(w.reshape(f, -1).T, delta)  # W.T @ delta: (C kH kW, N Ho Wo)
    # col2im: every entry of dcols goes back to the input pixel its column read
    dx = G.col2im(
        dcols, x.shape, w.shape[2:], stride=stride, padding=padding, dilation=dilation
    )
    db = dout.sum(axis=(0, 2, 3)) if has_bias else None
    return dx, dw, db


def conv2d_forward_naive(
    x: ArrayLike,
    w: ArrayLike,
    b: ArrayLike | None = None,
    *,
    stride: int | Pair = 1,
    padding: int | Pair = 0,
    dilation: int | Pair = 1,
) -> tuple[np.ndarray, Conv2dCache]:
    """Loop version of :func:`conv2d_forward`: one dot product per output pixel.

    Slow and obviously right; the tests check that it equals the im2col version. Same
    parameters, returns (a :class:`Conv2dCache` without the im2col matrix) and errors as
    :func:`conv2d_forward`.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> x, w = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3))
    >>> out, _ = conv2d_forward_naive(x, w, stride=2, padding=1)
    >>> bool(np.allclose(out, conv2d_forward(x, w, stride=2, padding=1)[0]))
    True
    """
    x, w, b, stride, padding, dilation, (ho, wo) = _prepare(
        x, w, b, stride, padding, dilation
    )
    xp = G.pad(x, G.symmetric(padding))
    f, _, kh, kw = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    out = np.zeros((x.shape[0], f, ho, wo), dtype=x.dtype)
    for i in range(ho):
        for j in range(wo):
            rows = slice(i * sh, i * sh + dh * (kh - 1) + 1, dh)  # the window of (i, j)
            cols = slice(j * sw, j * sw + dw * (kw - 1) + 1, dw)
            window = xp[:, :, rows, cols]  # (N, C_in, kH, kW)
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3]))
    if b is not None:
        out += b.reshape(1, f, 1, 1)
    return out, Conv2dCache(x, w, b is not None, stride, padding, dilation, None)


def conv2d_backward_naive(
    dout: ArrayLike, cache: Conv2dCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Loop version of :func:`conv2d_backward`: every output pixel sends its gradient
    back through the window it came from.

    Takes the cache of either forward pass; same returns and errors as
    :func:`conv2d_backward`.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> x, w = rng.standard_normal((2, 2, 5, 6)), rng.standard_normal((3, 2, 2, 3))
    >>> kw = dict(stride=(2, 1), dilation=(1, 2))
    >>> out, cache = conv2d_forward(x, w, np.zeros(3), **kw)
    >>> dout = rng.standard_normal(out.shape)
    >>> pairs = zip(conv2d_backward_naive(dout, cache), conv2d_backward(dout, cache))
    >>> all(np.allclose(a, b) for a, b in pairs)
    True
    """
    check_cache(cache, Conv2dCache, "conv2d_forward")
    x, w, has_bias, stride, padding, dilation, _ = cache
    dout = check_dout(dout, _output_shape(cache)).astype(w.dtype, copy=False)
    xp = G.pad(x, G.symmetric(padding))
    dxp = np.zeros_like(xp)
    dw_ = np.zeros_like(w)
    kh, kw = w.shape[2:]
    (sh, sw), (dh, dw) = stride, dilation
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows = slice(i * sh, i * sh + dh * (kh - 1) + 1, dh)
            cols = slice(j * sw, j * sw + dw * (kw - 1) + 1, dw)
            g = dout[:, :, i, j]  # (N, C_out): this pixel's gradient, every sample
            dw_ += np.tensordot(g, xp[:, :, rows, cols], axes=([0], [0]))
            dxp[:, :, rows, cols] += np.tensordot(g, w, axes=([1], [0]))
    db = dout.sum(axis=(0, 2, 3)) if has_bias else None
    return G.crop(dxp, G.symmetric(padding)), dw_, db
