r"""Locally connected and tiled convolution layers: convolutions whose weights are not
(or only partly) shared between output positions (Goodfellow et al., *Deep Learning*,
9.5).

A locally connected layer (*unshared convolution*) has a separate filter bank at every
output position; a tiled convolution cycles through a ``tH x tW`` tile of banks. Tile
``(1, 1)`` is an ordinary convolution and a tile as large as the output is a locally
connected layer. Both read the windows of the padded input through
:func:`dlsip._geometry.windows` and add gradients back with
:func:`dlsip._geometry.scatter_add_windows`.

>>> x = np.ones((1, 1, 3, 4))
>>> w = np.ones((2, 2, 1, 1, 2, 3))   # 2 x 2 output positions, a 2 x 3 filter each
>>> w[0, 0] *= 10                     # the top-left position's filter differs
>>> locally_connected2d_forward(x, w)[0][0, 0]
array([[60.,  6.],
       [ 6.,  6.]])
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from .. import _geometry as G
from .._validation import check_allocation, check_array, check_pair
from ._checks import check_cache, check_dout, check_kernel_fits, float_dtype

__all__ = [
    "LocallyConnected2dCache",
    "TiledConv2dCache",
    "locally_connected2d_forward",
    "locally_connected2d_backward",
    "locally_connected2d_forward_naive",
    "locally_connected2d_backward_naive",
    "tiled_conv2d_forward",
    "tiled_conv2d_backward",
]

Pair = tuple[int, int]


class LocallyConnected2dCache(NamedTuple):
    """What a locally connected layer's forward pass keeps for the backward pass."""

    x: np.ndarray  #: the input, (N, C_in, H, W), in the computation's dtype
    w: np.ndarray  #: the filter banks, (H_out, W_out, C_out, C_in, kH, kW)
    has_bias: bool
    stride: Pair
    padding: Pair


class TiledConv2dCache(NamedTuple):
    """The locally connected cache of the expanded banks, and the tile."""

    local: LocallyConnected2dCache
    tile: Pair


def _check_input(x, w, b, stride, padding, *, tiled: bool):
    """Validated float x, w, b (b shaped w.shape[:3]), stride, padding, output size."""
    w_layout = (
        "(tH, tW, C_out, C_in, kH, kW)"
        if tiled
        else "(H_out, W_out, C_out, C_in, kH, kW)"
    )
    b_layout = "(tH, tW, C_out)" if tiled else "(H_out, W_out, C_out)"
    x = check_array(x, "x", ndim=4)
    w = check_array(w, "w", ndim=6)
    stride = check_pair(stride, "stride")
    padding = check_pair(padding, "padding", minimum=0)
    c_in, kh, kw = w.shape[3:]
    if x.shape[1] != c_in:
        raise ValueError(
            f"w expects C_in={c_in} input channels (w layout {w_layout}), "
            f"got x with {x.shape[1]} channels (shape {x.shape})"
        )
    check_kernel_fits(x, (kh, kw), padding=padding, kernel_name="w.shape[4:]")
    out_hw = G.output_hw(x.shape[2:], (kh, kw), stride=stride, padding=padding)
    if not tiled and w.shape[:2] != out_hw:
        raise ValueError(
            f"w must have one filter bank per output position: (H_out, W_out)={out_hw} "
            f"for x with shape {x.shape}, stride and padding, got {w.shape[:2]}"
        )
    if b is not None:
        b = check_array(b, "b", ndim=3)
        if b.shape != w.shape[:3]:
            raise ValueError(
                f"b must have shape {b_layout}={w.shape[:3]}, "
                f"got b with shape {b.shape}"
            )
    n, _, h, wd = x.shape
    padded = (n, c_in, h + 2 * padding[0], wd + 2 * padding[1])
    check_allocation(
        padded, what="x padded", arguments=f"x with shape {x.shape}, padding={padding}"
    )
    dtype = float_dtype(x, w, b)
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    b = None if b is None else b.astype(dtype, copy=False)
    return x, w, b, stride, padding, out_hw


def _output_shape(cache: LocallyConnected2dCache) -> tuple[int, int, int, int]:
    h_out, w_out, c_out = cache.w.shape[:3]
    return cache.x.shape[0], c_out, h_out, w_out


def locally_connected2d_forward(
    x: ArrayLike,
    w: ArrayLike,
    b: ArrayLike | None = None,
    *,
    stride: int | Pair = 1,
    padding: int | Pair = 0,
) -> tuple[np.ndarray, LocallyConnected2dCache]:
    r"""A locally connected layer: a convolution whose weights differ at every output
    position.

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
    w : ndarray, shape (H_out, W_out, C_out, C_in, kH, kW)
        ``w[i, j]`` is the (torch-shaped) filter bank used at output position
        ``(i, j)``.
    b : ndarray, shape (H_out, W_out, C_out), optional
        One bias per output unit; ``None`` for no bias.
    stride, padding : int or (int, int)
        As in ``torch.nn.Conv2d`` (zero padding).

    Returns
    -------
    out : ndarray, shape (N, C_out, H_out, W_out)
        ``H_out = (H + 2 padding - kH) // stride + 1``, likewise ``W_out``.
    cache : LocallyConnected2dCache
        What :func:`locally_connected2d_backward` needs.

    Raises
    ------
    TypeError, ValueError
        If an array has the wrong number of dimensions, the weights do not fit the input
        (channels, output size) or a hyperparameter is not valid.

    Notes
    -----
    Also called *unshared convolution*:

    .. math:: y_{n,o,i,j} = b_{i,j,o} + \sum_{c,p,q} w_{i,j,o,c,p,q}\,
              x_{n,c,\,s i + p - P,\, s j + q - P}.

    Connections are as sparse as a convolution's, but nothing is shared: the layer has
    :math:`H_{out} W_{out}` times a convolution's parameters. When every ``w[i, j]`` is
    the same filter bank, it *is* that convolution.

    Examples
    --------
    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> w = np.ones((2, 2, 1, 1, 2, 2))     # 2 x 2 outputs, each sums its 2 x 2 window
    >>> w[1, 1] = 0                            # ... except the bottom-right one
    >>> out, _ = locally_connected2d_forward(x, w)
    >>> out[0, 0]
    array([[ 8., 12.],
           [20.,  0.]])
    """
    x, w, b, stride, padding, _ = _check_input(x, w, b, stride, padding, tiled=False)
    win = G.windows(G.pad(x, G.symmetric(padding)), w.shape[4:], stride=stride)
    # One dot product per output unit: window (i, j) with the bank w[i, j].
    out = np.einsum("ncijpq,ijocpq->noij", win, w, optimize=True)
    if b is not None:
        out += b.transpose(2, 0, 1)[None]
    return out, LocallyConnected2dCache(x, w, b is not None, stride, padding)


def locally_connected2d_backward(
    dout: ArrayLike, cache: LocallyConnected2dCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    r"""Gradients of :func:`locally_connected2d_forward` with respect to ``x``, ``w``,
    ``b``.

    Parameters
    ----------
    dout : ndarray, shape (N, C_out, H_out, W_out)
        Upstream gradient.
    cache : LocallyConnected2dCache
        From either forward pass.

    Returns
    -------
    dx : ndarray, shape (N, C_in, H, W)
    dw : ndarray, shape (H_out, W_out, C_out, C_in, kH, kW)
    db : ndarray, shape (H_out, W_out, C_out), or None when the layer has no bias

    Raises
    ------
    TypeError
        If ``cache`` is not a :class:`LocallyConnected2dCache`.
    ValueError
        If ``dout`` does not have the output's shape.

    Notes
    -----
    The forward pass is a separate dot product per output unit, so

    .. math:: \frac{\partial L}{\partial w_{i,j,o,c,p,q}} = \sum_n \delta_{n,o,i,j}\,
              x_{n,c,si+p-P,sj+q-P},

    and each :math:`\delta_{n,o,i,j} w_{i,j,o}` is added back onto the window it came
    from (:func:`dlsip._geometry.scatter_add_windows`).

    Examples
    --------
    >>> x = np.arange(4.0).reshape(1, 1, 2, 2)
    >>> out, cache = locally_connected2d_forward(x, np.ones((1, 1, 1, 1, 2, 2)))
    >>> dx, dw, db = locally_connected2d_backward(np.ones_like(out), cache)
    >>> dx[0, 0], dw[0, 0, 0, 0], db
    (array([[1., 1.],
           [1., 1.]]), array([[0., 1.],
           [2., 3.]]), None)
    """
    check_cache(cache, LocallyConnected2dCache, "locally_connected2d_forward")
    x, w, has_bias, stride, padding = cache
    dout = check_dout(dout, _output_shape(cache)).astype(w.dtype, copy=False)
    widths = G.symmetric(padding)
    xp = G.pad(x, widths)
    win = G.windows(xp, w.shape[4:], stride=stride)
    dw = np.einsum("ncijpq,noij->ijocpq", win, dout, optimize=True)
    db = dout.sum(axis=0).transpose(1, 2, 0) if has_bias else None
    dwin = np.einsum("noij,ijocpq->ncijpq", dout, w, optimize=True)
    dxp = G.scatter_add_windows(np.zeros(xp.shape, dtype=w.dtype), dwin, stride=stride)
    return np.ascontiguousarray(G.crop(dxp, widths)), dw, db


def locally_connected2d_forward_naive(
    x: ArrayLike,
    w: ArrayLike,
    b: ArrayLike | None = None,
    *,
    stride: int | Pair = 1,
    padding: int | Pair = 0,
) -> tuple[np.ndarray, LocallyConnected2dCache]:
    """Loop version of :func:`locally_connected2d_forward`: one dot product per output
    unit, each with its own filter.

    Same parameters, returns and errors as :func:`locally_connected2d_forward`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((2, 2, 5, 5))
    >>> w = rng.standard_normal((2, 2, 3, 2, 3, 3))
    >>> a, _ = locally_connected2d_forward_naive(x, w, stride=2)
    >>> bool(np.allclose(a, locally_connected2d_forward(x, w, stride=2)[0]))
    True
    """
    x, w, b, stride, padding, _ = _check_input(x, w, b, stride, padding, tiled=False)
    xp = G.pad(x, G.symmetric(padding))
    h_out, w_out, c_out, _, kh, kw = w.shape
    (sh, sw) = stride
    out = np.zeros((x.shape[0], c_out, h_out, w_out), dtype=x.dtype)
    for n, o, i, j in np.ndindex(*out.shape):
        patch = xp[n, :, i * sh : i * sh + kh, j * sw : j * sw + kw]
        out[n, o, i, j] = np.sum(patch * w[i, j, o]) + (
            0.0 if b is None else b[i, j, o]
        )
    return out, LocallyConnected2dCache(x, w, b is not None, stride, padding)


def locally_connected2d_backward_naive(
    dout: ArrayLike, cache: LocallyConnected2dCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Loop version of :func:`locally_connected2d_backward`: each output position sends
    its gradient back through its window and its own filter bank.

    Takes the cache of either forward pass; same returns and errors as
    :func:`locally_connected2d_backward`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((2, 2, 5, 5))
    >>> w = rng.standard_normal((3, 3, 2, 2, 3, 3))
    >>> out, cache = locally_connected2d_forward(x, w, padding=0)
    >>> dout = rng.standard_normal(out.shape)
    >>> pairs = zip(locally_connected2d_backward_naive(dout, cache)[:2],
    ...             locally_connected2d_backward(dout, cache)[:2])
    >>> all(np.allclose(a, b) for a, b in pairs)
    True
    """
    check_cache(cache, LocallyConnected2dCache, "locally_connected2d_forward")
    x, w, has_bias, (sh, sw), padding = cache
    dout = check_dout(dout, _output_shape(cache)).astype(w.dtype, copy=False)
    xp = G.pad(x, G.symmetric(padding))
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    kh, kw = w.shape[4:]
    for i in range(w.shape[0]):
        for j in range(w.shape[1]):
            rows, cols = slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)
            g = dout[:, :, i, j]  # (N, C_out)
            dw[i, j] = np.tensordot(g, xp[:, :, rows, cols], axes=([0], [0]))
            dxp[:, :, rows, cols] += np.tensordot(g, w[i, j], axes=([1], [0]))
    db = dout.sum(axis=0).transpose(1, 2, 0) if has_bias else None
    return G.crop(dxp, G.symmetric(padding)), dw, db


def tiled_conv2d_forward(
    x: ArrayLike,
    w: ArrayLike,
    b: ArrayLike | None = None,
    *,
    stride: int | Pair = 1,
    padding: int | Pair = 0,
) -> tuple[np.ndarray, TiledConv2dCache]:
    r"""Tiled convolution: ``tH x tW`` filter banks used in turn across output
    positions.

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
    w : ndarray, shape (tH, tW, C_out, C_in, kH, kW)
        Output position ``(i, j)`` uses ``w[i % tH, j % tW]``.
    b : ndarray, shape (tH, tW, C_out), optional
        The bias of each filter bank; ``None`` for no bias.
    stride, padding : int or (int, int)
        As in ``torch.nn.Conv2d``.

    Returns
    -------
    out : ndarray, shape (N, C_out, H_out, W_out)
    cache : TiledConv2dCache
        What :func:`tiled_conv2d_backward` needs.

    Raises
    ------
    TypeError, ValueError
        If an array has the wrong number of dimensions, the channels do not match, or a
        hyperparameter is not valid.

    Notes
    -----
    .. math:: y_{n,o,i,j} = b_{i \bmod t_H,\, j \bmod t_W,\, o} + \sum_{c,p,q}
              w_{i \bmod t_H,\, j \bmod t_W,\, o,c,p,q}\;
              x_{n,c,\,s i + p - P,\, s j + q - P}

    Tile ``(1, 1)`` is an ordinary convolution; a tile as large as the output is a
    locally connected layer. In between, the layer has :math:`t_H t_W` times a
    convolution's parameters, whatever the image size.

    Examples
    --------
    >>> x = np.ones((1, 1, 3, 4))
    >>> w = np.array([1.0, 2.0]).reshape(1, 2, 1, 1, 1, 1)  # tile (1, 2), 1x1 kernels
    >>> tiled_conv2d_forward(x, w)[0][0, 0]
    array([[1., 2., 1., 2.],
           [1., 2., 1., 2.],
           [1., 2., 1., 2.]])
    """
    x, w, b, stride, padding, (h_out, w_out) = _check_input(
        x, w, b, stride, padding, tiled=True
    )
    th, tw = w.shape[:2]
    rows, cols = np.arange(h_out) % th, np.arange(w_out) % tw
    # Expanding the tile to every position is a gather; the arithmetic is then the
    # locally connected layer's.
    w_full = w[rows[:, None], cols[None, :]]
    b_full = None if b is None else b[rows[:, None], cols[None, :]]
    out, cache = locally_connected2d_forward(
        x, w_full, b_full, stride=stride, padding=padding
    )
    return out, TiledConv2dCache(cache, (th, tw))


def tiled_conv2d_backward(
    dout: ArrayLike, cache: TiledConv2dCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    r"""Gradients of :func:`tiled_conv2d_forward` with respect to ``x``, ``w`` and
    ``b``.

    Parameters
    ----------
    dout : ndarray, shape (N, C_out, H_out, W_out)
    cache : TiledConv2dCache
        From :func:`tiled_conv2d_forward`.

    Returns
    -------
    dx : ndarray, shape (N, C_in, H, W)
    dw : ndarray, shape (tH, tW, C_out, C_in, kH, kW)
    db : ndarray, shape (tH, tW, C_out), or None

    Raises
    ------
    TypeError
        If ``cache`` is not a :class:`TiledConv2dCache`.
    ValueError
        If ``dout`` does not have the output's shape.

    Notes
    -----
    A shared weight's gradient is the sum of the gradients of all its uses: filter bank
    ``(a, c)`` collects the locally connected gradients of the positions
    :math:`(a + t_H u, c + t_W v)`.

    Examples
    --------
    >>> x = np.ones((1, 1, 2, 3))
    >>> out, cache = tiled_conv2d_forward(x, np.ones((1, 2, 1, 1, 1, 1)))
    >>> tiled_conv2d_backward(np.ones_like(out), cache)[1].ravel()   # 4 and 2 positions
    array([4., 2.])
    """
    check_cache(cache, TiledConv2dCache, "tiled_conv2d_forward")
    dx, dw_full, db_full = locally_connected2d_backward(dout, cache.local)
    th, tw = cache.tile
    dw = np.zeros((th, tw, *dw_full.shape[2:]), dtype=dw_full.dtype)
    db = (
        None if db_full is None else np.zeros((th, tw, db_full.shape[2]), dw_full.dtype)
    )
    for a in range(th):
        for c in range(tw):
            dw[a, c] = dw_full[a::th, c::tw].sum(axis=(0, 1))
            if db is not None:
                db[a, c] = db_full[a::th, c::tw].sum(axis=(0, 1))
    return dx, dw, db
