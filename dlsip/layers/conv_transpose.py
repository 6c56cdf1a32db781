r"""2D transposed convolution (torch's ``conv_transpose2d``): forward and backward
passes.

Each input pixel scales the kernel, and the scaled copies are added into the output,
``stride`` apart: the input gradient of a convolution, run forwards. The fast version
builds every scaled copy at once with one matrix product for the batch, ``W.T @ X``, and
adds them into place with the geometry core's scatter-add (col2im); the loop versions
(``*_naive``) place one copy at a time, as one would by hand.

>>> x = np.array([[[[0.0, 1.0], [2.0, 3.0]]]])   # the lecture's input, and its kernel
>>> conv_transpose2d_forward(x, x)[0][0, 0]
array([[ 0.,  0.,  1.],
       [ 0.,  4.,  6.],
       [ 4., 12.,  9.]])
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from .. import _geometry as G
from .._validation import check_allocation, check_array, check_pair
from ..arithmetic import conv_transpose_output_size
from ._checks import check_bias, check_cache, check_dout, float_dtype
from ._fast import matmul

__all__ = [
    "ConvTranspose2dCache",
    "conv_transpose2d_forward",
    "conv_transpose2d_backward",
    "conv_transpose2d_forward_naive",
    "conv_transpose2d_backward_naive",
]

Pair = tuple[int, int]


class ConvTranspose2dCache(NamedTuple):
    """What a transposed convolution's forward pass keeps for the backward pass."""

    x: np.ndarray  #: the input, (N, C_in, H, W), in the computation's dtype
    w: np.ndarray  #: the kernels, (C_in, C_out, kH, kW)
    has_bias: bool
    stride: Pair
    padding: Pair
    output_padding: Pair
    dilation: Pair


def _prepare(x, w, b, stride, padding, output_padding, dilation):
    """Validated float arrays, hyperparameter pairs and the output size."""
    x = check_array(x, "x", ndim=4)
    w = check_array(w, "w", ndim=4)
    if w.shape[0] != x.shape[1]:
        raise ValueError(
            f"w must have shape (C_in, C_out, kH, kW) with C_in = x.shape[1] = "
            f"{x.shape[1]}, got w with shape {w.shape}"
        )
    b = check_bias(b, w.shape[1])
    hyper = (
        check_pair(stride, "stride"),
        check_pair(padding, "padding", minimum=0),
        check_pair(output_padding, "output_padding", minimum=0),
        check_pair(dilation, "dilation"),
    )
    out_hw = _output_hw(x.shape[2:], w.shape[2:], *hyper)
    stride, padding, _, dilation = hyper  # no absurd sizes: the output must fit memory
    sizes = (
        f"x with shape {x.shape}, w with shape {w.shape}, stride={stride}, "
        f"dilation={dilation}"
    )
    (ph, pw) = padding
    full = (x.shape[0], w.shape[1], out_hw[0] + 2 * ph, out_hw[1] + 2 * pw)
    check_allocation(full, what="the output before cropping", arguments=sizes)
    dtype = float_dtype(x, w, b)
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    b = None if b is None else b.astype(dtype, copy=False)
    return x, w, b, hyper, out_hw


def _output_hw(hw, kernel, stride, padding, output_padding, dilation) -> Pair:
    return conv_transpose_output_size(
        tuple(hw),
        tuple(kernel),
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
    )


def _output_shape(cache: ConvTranspose2dCache) -> tuple[int, int, int, int]:
    x, w, _, *hyper = cache
    return (x.shape[0], w.shape[1], *_output_hw(x.shape[2:], w.shape[2:], *hyper))


def conv_transpose2d_forward(
    x: ArrayLike,
    w: ArrayLike,
    b: ArrayLike | None = None,
    *,
    stride: int | Pair = 1,
    padding: int | Pair = 0,
    output_padding: int | Pair = 0,
    dilation: int | Pair = 1,
) -> tuple[np.ndarray, ConvTranspose2dCache]:
    r"""2D transposed convolution, as torch's ``conv_transpose2d`` (groups=1).

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
    w : ndarray, shape (C_in, C_out, kH, kW)
        Laid out as in torch's ``conv_transpose2d`` (input channels first).
    b : ndarray, shape (C_out,), or None
    stride, padding, output_padding, dilation : int or pair of ints
        ``padding`` removes ``p`` rows and columns from each border of the full output;
        ``output_padding`` adds rows and columns at the bottom and right, and must be
        smaller than the stride or the dilation (as in torch).

    Returns
    -------
    out : ndarray, shape (N, C_out, Ho, Wo)
        ``Ho = (H - 1) s - 2p + d(kH - 1) + output_padding + 1``
        (:func:`dlsip.arithmetic.conv_transpose_output_size`).
    cache : ConvTranspose2dCache

    Raises
    ------
    ValueError
        Wrong ndim, channel mismatch, bad ``output_padding``, an empty output, or one
        too large to fit in memory (an absurd stride or kernel).

    Notes
    -----
    .. math:: \text{out}_p[n, o, s i + d u, s j + d v] \mathrel{+}= x[n, c, i, j]\,
              w[c, o, u, v]

    summed over :math:`c` for every input pixel :math:`(i, j)` and kernel tap :math:`(u,
    v)`, where :math:`\text{out}_p` is the output before ``padding`` is cropped. This is
    the input gradient of :func:`dlsip.layers.conv2d_forward` with the same
    hyperparameters: multiplication by the transpose of the convolution's matrix. It is
    computed as one matrix product ``W.T @ X`` for the batch, whose columns are the
    scaled kernel copies, followed by col2im
    (:func:`dlsip._geometry.scatter_add_windows`).

    Examples
    --------
    The lecture's example (the CNN deck, 002): input and kernel both [[0, 1], [2, 3]].

    >>> x = np.array([[[[0.0, 1.0], [2.0, 3.0]]]])
    >>> out, _ = conv_transpose2d_forward(x, x, stride=2)
    >>> out[0, 0]
    array([[0., 0., 0., 1.],
           [0., 0., 2., 3.],
           [0., 2., 0., 3.],
           [4., 6., 6., 9.]])
    """
    x, w, b, hyper, (ho, wo) = _prepare(
        x, w, b, stride, padding, output_padding, dilation
    )
    stride, padding, _, dilation = hyper
    n, c_in, h, wd = x.shape
    c_out, kh, kw = w.shape[1:]
    # Column (n, i, j) is the kernel scaled by x[n, :, i, j], summed over C_in: one
    # matrix product for the whole batch, (C_out kH kW, C_in) @ (C_in, N H W).
    x_mat = x.transpose(1, 0, 2, 3).reshape(c_in, n * h * wd)
    copies = matmul(w.reshape(c_in, -1).T, x_mat)  # W.T @ X
    # (N, C_out, H, W, kH, kW): the layout of the windows the copies are added into
    patches = copies.reshape(c_out, kh, kw, n, h, wd).transpose(3, 0, 4, 5, 1, 2)
    full = np.zeros((n, c_out, ho + 2 * padding[0], wo + 2 * padding[1]), dtype=x.dtype)
    G.scatter_add_windows(full, patches, stride=stride, dilation=dilation)
    out = np.ascontiguousarray(G.crop(full, G.symmetric(padding)))
    if b is not None:
        out += b.reshape(1, c_out, 1, 1)
    return out, ConvTranspose2dCache(x, w, b is not None, *hyper)


def _full_dout(dout: np.ndarray, cache: ConvTranspose2dCache) -> np.ndarray:
    """``dout`` padded back to the full output, without the output_padding that no
    kernel copy reached: window ``(i, j)`` of it is what input pixel ``(i, j)`` touched.
    """
    x, w, _, stride, padding, _, dilation = cache
    fh, fw = conv_transpose_output_size(
        x.shape[2:], w.shape[2:], stride=stride, dilation=dilation
    )
    return G.pad(dout, G.symmetric(padding))[..., :fh, :fw]


def conv_transpose2d_backward(
    dout: ArrayLike, cache: ConvTranspose2dCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Backward pass of :func:`conv_transpose2d_forward`.

    Parameters
    ----------
    dout : ndarray
        Gradient of the loss with respect to the forward pass's output, of its shape.
    cache : ConvTranspose2dCache
        From either forward pass.

    Returns
    -------
    dx : ndarray, shape (N, C_in, H, W)
    dw : ndarray, shape (C_in, C_out, kH, kW)
    db : ndarray, shape (C_out,), or None

    Raises
    ------
    TypeError
        If ``cache`` is not a :class:`ConvTranspose2dCache`.
    ValueError
        If ``dout`` does not have the output's shape.

    Notes
    -----
    The transpose of a transpose is the original: ``dx`` is the ordinary convolution
    (:func:`dlsip.layers.conv2d_forward`) of ``dout`` with ``w``, same stride, padding
    and dilation, computed by im2col of the padded ``dout``; ``dw[c, o]`` correlates
    ``x[:, c]`` with the same windows.

    Examples
    --------
    >>> x = np.ones((1, 1, 2, 2))
    >>> out, cache = conv_transpose2d_forward(x, np.ones((1, 1, 2, 2)))
    >>> dx, dw, db = conv_transpose2d_backward(np.ones_like(out), cache)
    >>> dx[0, 0], db
    (array([[4., 4.],
           [4., 4.]]), None)
    """
    check_cache(cache, ConvTranspose2dCache, "conv_transpose2d_forward")
    x, w, has_bias, stride, _, _, dilation = cache
    dout = check_dout(dout, _output_shape(cache)).astype(w.dtype, copy=False)
    n, c_in = x.shape[:2]
    # Window (i, j) of the full dout is what the kernel copy of pixel (i, j) touched.
    cols = G.im2col(
        _full_dout(dout, cache), w.shape[2:], stride=stride, dilation=dilation
    )
    h, wd = x.shape[2:]
    dx = matmul(w.reshape(c_in, -1), cols)  # W @ cols
    dx = dx.reshape(c_in, n, h, wd).transpose(1, 0, 2, 3)
    dx = np.ascontiguousarray(dx)
    x_mat = x.transpose(1, 0, 2, 3).reshape(c_in, n * h * wd)
    dw = matmul(x_mat, cols.T).reshape(w.shape)  # X @ cols.T
    db = dout.sum(axis=(0, 2, 3)) if has_bias else None
    return dx, dw, db


def conv_transpose2d_forward_naive(
    x: ArrayLike,
    w: ArrayLike,
    b: ArrayLike | None = None,
    *,
    stride: int | Pair = 1,
    padding: int | Pair = 0,
    output_padding: int | Pair = 0,
    dilation: int | Pair = 1,
) -> tuple[np.ndarray, ConvTranspose2dCache]:
    """Loop version of :func:`conv_transpose2d_forward`: each input pixel scales the
    kernel, and the copies, placed ``stride`` apart, add up.

    Same parameters, returns and errors as :func:`conv_transpose2d_forward`.

    Examples
    --------
    One input pixel of value 2 leaves twice the kernel; two pixels leave two copies that
    overlap where the stride is smaller than the kernel:

    >>> kernel = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    >>> conv_transpose2d_forward_naive(np.full((1, 1, 1, 1), 2.0), kernel)[0][0, 0]
    array([[2., 4.],
           [6., 8.]])
    >>> conv_transpose2d_forward_naive(np.ones((1, 1, 1, 2)), kernel)[0][0, 0]
    array([[1., 3., 2.],
           [3., 7., 4.]])
    """
    x, w, b, hyper, (ho, wo) = _prepare(
        x, w, b, stride, padding, output_padding, dilation
    )
    (sh, sw), padding, _, (dh, dw) = hyper
    kh, kw = w.shape[2:]
    full = np.zeros(
        (x.shape[0], w.shape[1], ho + 2 * padding[0], wo + 2 * padding[1]),
        dtype=x.dtype,
    )
    for i in range(x.shape[2]):
        for j in range(x.shape[3]):
            rows = slice(i * sh, i * sh + dh * (kh - 1) + 1, dh)  # where the copy lands
            cols = slice(j * sw, j * sw + dw * (kw - 1) + 1, dw)
            # x[:, :, i, j] (N, C_in) scales the kernels (C_in, C_out, kH, kW)
            full[:, :, rows, cols] += np.tensordot(x[:, :, i, j], w, axes=([1], [0]))
    out = np.ascontiguousarray(G.crop(full, G.symmetric(padding)))
    if b is not None:
        out += b.reshape(1, -1, 1, 1)
    return out, ConvTranspose2dCache(x, w, b is not None, *hyper)


def conv_transpose2d_backward_naive(
    dout: ArrayLike, cache: ConvTranspose2dCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Loop version of :func:`conv_transpose2d_backward`: each input pixel collects the
    gradient of the kernel copy it placed.

    Takes the cache of either forward pass; same returns and errors as
    :func:`conv_transpose2d_backward`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x, w = rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((3, 2, 3, 3))
    >>> out, cache = conv_transpose2d_forward(x, w, np.zeros(2), stride=2, padding=1)
    >>> dout = rng.standard_normal(out.shape)
    >>> pairs = zip(conv_transpose2d_backward_naive(dout, cache),
    ...             conv_transpose2d_backward(dout, cache))
    >>> all(np.allclose(a, b) for a, b in pairs)
    True
    """
    check_cache(cache, ConvTranspose2dCache, "conv_transpose2d_forward")
    x, w, has_bias, (sh, sw), _, _, (dh, dw) = cache
    dout = check_dout(dout, _output_shape(cache)).astype(w.dtype, copy=False)
    dfull = _full_dout(dout, cache)
    kh, kw = w.shape[2:]
    dx, dw_ = np.zeros_like(x), np.zeros_like(w)
    for i in range(x.shape[2]):
        for j in range(x.shape[3]):
            rows = slice(i * sh, i * sh + dh * (kh - 1) + 1, dh)
            cols = slice(j * sw, j * sw + dw * (kw - 1) + 1, dw)
            window = dfull[:, :, rows, cols]  # (N, C_out, kH, kW)
            dx[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3]))
            dw_ += np.tensordot(x[:, :, i, j], window, axes=([0], [0]))
    db = dout.sum(axis=(0, 2, 3)) if has_bias else None
    return dx, dw_, db
