r"""2D max, average, weighted-average and L2-norm pooling, forward and backward
(torch's ``max_pool2d``, ``avg_pool2d`` and ``lp_pool2d`` with ``norm_type=2``; a
weighted average is a depthwise ``conv2d`` with one fixed kernel).

Both look at the windows of the padded input through :func:`dlsip._geometry.windows` (a
strided view, no copy). Max pooling keeps the arg-max of each window, and its backward
pass sends each output's gradient there; average pooling spreads it evenly over the
window. Both backward passes put one small patch of gradients per window and add the
patches back into the input with :func:`dlsip._geometry.scatter_add_windows`, so that
overlapping windows add up. The loop versions (``*_naive``) visit one window at a time.

>>> x = np.arange(16.0).reshape(1, 1, 4, 4)
>>> maxpool2d_forward(x, kernel_size=2)[0][0, 0]
array([[ 5.,  7.],
       [13., 15.]])
>>> avgpool2d_forward(x, kernel_size=2)[0][0, 0]
array([[ 2.5,  4.5],
       [10.5, 12.5]])
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from .. import _geometry as G
from .._validation import check_array
from ..arithmetic import pool_output_size
from ._checks import (
    check_cache,
    check_dout,
    check_kernel_fits,
    check_pool_hyperparameters,
    float_dtype,
)

__all__ = [
    "MaxPool2dCache",
    "AvgPool2dCache",
    "maxpool2d_forward",
    "maxpool2d_backward",
    "maxpool2d_forward_naive",
    "maxpool2d_backward_naive",
    "avgpool2d_forward",
    "avgpool2d_backward",
    "avgpool2d_forward_naive",
    "avgpool2d_backward_naive",
    "WeightedAvgPool2dCache",
    "weighted_avgpool2d_forward",
    "weighted_avgpool2d_backward",
    "L2Pool2dCache",
    "l2pool2d_forward",
    "l2pool2d_backward",
]

Pair = tuple[int, int]


class MaxPool2dCache(NamedTuple):
    """What max pooling's forward pass keeps: the geometry, where each maximum was."""

    x_shape: tuple[int, int, int, int]
    dtype: np.dtype
    kernel_size: Pair
    stride: Pair
    padding: Pair
    argmax: np.ndarray  #: (N, C, Ho, Wo): row-major index of the maximum in its window


class AvgPool2dCache(NamedTuple):
    """What average pooling's forward pass keeps: the geometry only."""

    x_shape: tuple[int, int, int, int]
    dtype: np.dtype
    kernel_size: Pair
    stride: Pair
    padding: Pair


class WeightedAvgPool2dCache(NamedTuple):
    """What weighted-average pooling's forward pass keeps: the geometry, the weights."""

    x_shape: tuple[int, int, int, int]
    dtype: np.dtype
    kernel_size: Pair
    stride: Pair
    padding: Pair
    weights: np.ndarray  #: (kH, kW), nonnegative, summing to 1


class L2Pool2dCache(NamedTuple):
    """What L2-norm pooling's forward pass keeps: geometry, input and output."""

    x_shape: tuple[int, int, int, int]
    dtype: np.dtype
    kernel_size: Pair
    stride: Pair
    padding: Pair
    x: np.ndarray
    out: np.ndarray


AnyPoolCache = MaxPool2dCache | AvgPool2dCache | WeightedAvgPool2dCache | L2Pool2dCache


def _prepare(x, kernel_size, stride, padding):
    """The validated float input, hyperparameter pairs and output size."""
    x = check_array(x, "x", ndim=4)
    kernel, stride, padding = check_pool_hyperparameters(kernel_size, stride, padding)
    check_kernel_fits(x, kernel, padding=padding)
    out_hw = pool_output_size(x.shape[2:], kernel, stride=stride, padding=padding)
    return x.astype(float_dtype(x), copy=False), kernel, stride, padding, out_hw


def _output_shape(cache: AnyPoolCache) -> tuple[int, int, int, int]:
    ho, wo = pool_output_size(
        cache.x_shape[2:], cache.kernel_size, stride=cache.stride, padding=cache.padding
    )
    return (*cache.x_shape[:2], ho, wo)


def _add_back(patches: np.ndarray, cache: AnyPoolCache) -> np.ndarray:
    """Add per-window patches (N, C, Ho, Wo, kH, kW) back into a zero input: col2im."""
    widths = G.symmetric(cache.padding)
    n, c, h, w = cache.x_shape
    dxp = np.zeros((n, c, h + sum(widths[0]), w + sum(widths[1])), dtype=cache.dtype)
    G.scatter_add_windows(dxp, patches, stride=cache.stride)
    return np.ascontiguousarray(G.crop(dxp, widths))


def maxpool2d_forward(
    x: ArrayLike,
    *,
    kernel_size: int | Pair,
    stride: int | Pair | None = None,
    padding: int | Pair = 0,
) -> tuple[np.ndarray, MaxPool2dCache]:
    r"""2D max pooling, as torch's ``max_pool2d`` (``ceil_mode=False``, no dilation).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    kernel_size : int or pair of ints
    stride : int or pair of ints, optional
        Defaults to ``kernel_size`` (non-overlapping windows), as in torch.
    padding : int or pair of ints
        Implicit padding with -inf (so padding never wins); at most half the kernel.

    Returns
    -------
    out : ndarray, shape (N, C, Ho, Wo)
        ``Ho = floor((H + 2p - k) / s) + 1``
        (:func:`dlsip.arithmetic.pool_output_size`).
    cache : MaxPool2dCache

    Raises
    ------
    ValueError
        Wrong ndim, padding above half the kernel, or a kernel larger than the padded
        input.

    Notes
    -----
    .. math:: \text{out}[n, c, i, j] = \max_{u, v}\, x_p[n, c, s i + u, s j + v]

    The cache keeps, for each output, the position of its arg-max within its window. On
    ties the *first* maximum in row-major order wins, as in torch's CPU kernel, so the
    whole gradient of that output goes to that one element.

    Examples
    --------
    The max-pooling example of the deep-learning deck (000):

    >>> x = np.array([[12, 20, 30, 0], [8, 12, 2, 0], [34, 70, 37, 4],
    ...               [112, 100, 25, 12]], float)
    >>> out, _ = maxpool2d_forward(x[None, None], kernel_size=2, stride=2)
    >>> out[0, 0]
    array([[ 20.,  30.],
           [112.,  37.]])
    """
    x, kernel, stride, padding, (ho, wo) = _prepare(x, kernel_size, stride, padding)
    xp = G.pad(x, G.symmetric(padding), cval=-np.inf)
    flat = G.windows(xp, kernel, stride=stride).reshape(*x.shape[:2], ho, wo, -1)
    argmax = flat.argmax(axis=-1)  # the first maximum of each window
    out = np.take_along_axis(flat, argmax[..., None], axis=-1)[..., 0]
    return out, MaxPool2dCache(x.shape, x.dtype, kernel, stride, padding, argmax)


def maxpool2d_backward(dout: ArrayLike, cache: MaxPool2dCache) -> np.ndarray:
    """Backward pass of :func:`maxpool2d_forward`: each output's gradient goes to its
    arg-max; every other input gets zero.

    Parameters
    ----------
    dout : ndarray, shape (N, C, Ho, Wo)
        Gradient of the loss with respect to the output.
    cache : MaxPool2dCache
        From either forward pass.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)

    Raises
    ------
    TypeError
        If ``cache`` is not a :class:`MaxPool2dCache`.
    ValueError
        If ``dout`` does not have the output's shape.

    Notes
    -----
    Each window gets a patch of zeros with its output's gradient at the arg-max; the
    patches are added back into the input, so an input that is the arg-max of several
    overlapping windows receives the sum of their gradients.

    Examples
    --------
    >>> x = np.array([[[[1.0, 2.0], [4.0, 3.0]]]])
    >>> out, cache = maxpool2d_forward(x, kernel_size=2)
    >>> maxpool2d_backward(np.array([[[[5.0]]]]), cache)[0, 0]
    array([[0., 0.],
           [5., 0.]])
    """
    check_cache(cache, MaxPool2dCache, "maxpool2d_forward")
    dout = check_dout(dout, _output_shape(cache)).astype(cache.dtype, copy=False)
    kh, kw = cache.kernel_size
    patches = np.zeros((*dout.shape, kh * kw), dtype=cache.dtype)
    np.put_along_axis(patches, cache.argmax[..., None], dout[..., None], axis=-1)
    return _add_back(patches.reshape(*dout.shape, kh, kw), cache)


def maxpool2d_forward_naive(
    x: ArrayLike,
    *,
    kernel_size: int | Pair,
    stride: int | Pair | None = None,
    padding: int | Pair = 0,
) -> tuple[np.ndarray, MaxPool2dCache]:
    """Loop version of :func:`maxpool2d_forward` (same arguments, results and errors).

    Examples
    --------
    >>> x = np.random.default_rng(0).standard_normal((2, 3, 7, 6))
    >>> a, _ = maxpool2d_forward_naive(x, kernel_size=3, stride=2, padding=1)
    >>> b, _ = maxpool2d_forward(x, kernel_size=3, stride=2, padding=1)
    >>> bool(np.array_equal(a, b))
    True
    """
    x, kernel, stride, padding, (ho, wo) = _prepare(x, kernel_size, stride, padding)
    xp = G.pad(x, G.symmetric(padding), cval=-np.inf)
    (kh, kw), (sh, sw) = kernel, stride
    n, c = x.shape[:2]
    out = np.zeros((n, c, ho, wo), dtype=x.dtype)
    argmax = np.zeros((n, c, ho, wo), dtype=np.intp)
    for a, ch, i, j in np.ndindex(n, c, ho, wo):
        window = xp[a, ch, i * sh : i * sh + kh, j * sw : j * sw + kw]
        argmax[a, ch, i, j] = np.argmax(window)  # row-major, the first maximum
        out[a, ch, i, j] = window.flat[argmax[a, ch, i, j]]
    return out, MaxPool2dCache(x.shape, x.dtype, kernel, stride, padding, argmax)


def maxpool2d_backward_naive(dout: ArrayLike, cache: MaxPool2dCache) -> np.ndarray:
    """Loop version of :func:`maxpool2d_backward` (either forward pass's cache).

    Examples
    --------
    >>> x = np.random.default_rng(0).standard_normal((1, 2, 5, 5))
    >>> out, cache = maxpool2d_forward_naive(x, kernel_size=3, stride=1)
    >>> dx = maxpool2d_backward_naive(np.ones_like(out), cache)
    >>> float(dx.sum()) == out.size
    True
    """
    check_cache(cache, MaxPool2dCache, "maxpool2d_forward")
    dout = check_dout(dout, _output_shape(cache)).astype(cache.dtype, copy=False)
    n, c, h, w = cache.x_shape
    (ph, pw), (sh, sw), kw = cache.padding, cache.stride, cache.kernel_size[1]
    dxp = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cache.dtype)
    for a, ch, i, j in np.ndindex(*dout.shape):
        u, v = divmod(int(cache.argmax[a, ch, i, j]), kw)  # the arg-max in its window
        dxp[a, ch, i * sh + u, j * sw + v] += dout[a, ch, i, j]
    return dxp[:, :, ph : ph + h, pw : pw + w]


def avgpool2d_forward(
    x: ArrayLike,
    *,
    kernel_size: int | Pair,
    stride: int | Pair | None = None,
    padding: int | Pair = 0,
) -> tuple[np.ndarray, AvgPool2dCache]:
    r"""2D average pooling, as torch's ``avg_pool2d`` with its defaults
    (``count_include_pad=True``, ``ceil_mode=False``).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    kernel_size : int or pair of ints
    stride : int or pair of ints, optional
        Defaults to ``kernel_size``.
    padding : int or pair of ints
        Zero padding, counted in the average (torch's default); at most half the kernel.

    Returns
    -------
    out : ndarray, shape (N, C, Ho, Wo)
    cache : AvgPool2dCache

    Raises
    ------
    ValueError
        Wrong ndim, padding above half the kernel, or a kernel larger than the padded
        input.

    Notes
    -----
    .. math:: \text{out}[n, c, i, j] = \frac{1}{k_H k_W} \sum_{u, v}
              x_p[n, c, s i + u, s j + v]

    Examples
    --------
    The average-pooling example of the deep-learning deck (000):

    >>> x = np.array([[1, 3, 2, 1], [5, 4, 9, 7], [11, 12, 15, 7], [1, 9, 6, 8]], float)
    >>> out, _ = avgpool2d_forward(x[None, None], kernel_size=2, stride=2)
    >>> out[0, 0]
    array([[3.25, 4.75],
           [8.25, 9.  ]])
    """
    x, kernel, stride, padding, _ = _prepare(x, kernel_size, stride, padding)
    xp = G.pad(x, G.symmetric(padding))
    out = G.windows(xp, kernel, stride=stride).mean(axis=(-2, -1))
    return out, AvgPool2dCache(x.shape, x.dtype, kernel, stride, padding)


def avgpool2d_backward(dout: ArrayLike, cache: AvgPool2dCache) -> np.ndarray:
    """Backward pass of :func:`avgpool2d_forward`: each output spreads its gradient
    evenly, ``1 / (kH kW)`` to every element of its window.

    Parameters
    ----------
    dout : ndarray, shape (N, C, Ho, Wo)
        Gradient of the loss with respect to the output.
    cache : AvgPool2dCache
        From either forward pass.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)

    Raises
    ------
    TypeError
        If ``cache`` is not an :class:`AvgPool2dCache`.
    ValueError
        If ``dout`` does not have the output's shape.

    Examples
    --------
    >>> out, cache = avgpool2d_forward(np.zeros((1, 1, 4, 4)), kernel_size=2)
    >>> avgpool2d_backward(np.array([[[[4.0, 8.0], [0.0, 2.0]]]]), cache)[0, 0]
    array([[1. , 1. , 2. , 2. ],
           [1. , 1. , 2. , 2. ],
           [0. , 0. , 0.5, 0.5],
           [0. , 0. , 0.5, 0.5]])
    """
    check_cache(cache, AvgPool2dCache, "avgpool2d_forward")
    dout = check_dout(dout, _output_shape(cache)).astype(cache.dtype, copy=False)
    kh, kw = cache.kernel_size
    share = dout[..., None, None] / (
        kh * kw
    )  # one window's share per input, (.., 1, 1)
    return _add_back(np.broadcast_to(share, (*dout.shape, kh, kw)), cache)


def avgpool2d_forward_naive(
    x: ArrayLike,
    *,
    kernel_size: int | Pair,
    stride: int | Pair | None = None,
    padding: int | Pair = 0,
) -> tuple[np.ndarray, AvgPool2dCache]:
    """Loop version of :func:`avgpool2d_forward` (same arguments, results and errors).

    Examples
    --------
    >>> x = np.random.default_rng(0).standard_normal((1, 2, 6, 5))
    >>> a, _ = avgpool2d_forward_naive(x, kernel_size=3, stride=2, padding=1)
    >>> b, _ = avgpool2d_forward(x, kernel_size=3, stride=2, padding=1)
    >>> bool(np.allclose(a, b))
    True
    """
    x, kernel, stride, padding, (ho, wo) = _prepare(x, kernel_size, stride, padding)
    xp = G.pad(x, G.symmetric(padding))
    (kh, kw), (sh, sw) = kernel, stride
    out = np.zeros((*x.shape[:2], ho, wo), dtype=x.dtype)
    for i in range(ho):
        for j in range(wo):
            window = xp[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw]
            out[:, :, i, j] = window.mean(axis=(2, 3))
    return out, AvgPool2dCache(x.shape, x.dtype, kernel, stride, padding)


def avgpool2d_backward_naive(dout: ArrayLike, cache: AvgPool2dCache) -> np.ndarray:
    """Loop version of :func:`avgpool2d_backward` (either forward pass's cache).

    Examples
    --------
    >>> out, cache = avgpool2d_forward_naive(np.zeros((1, 1, 4, 4)), kernel_size=2)
    >>> float(avgpool2d_backward_naive(np.ones_like(out), cache).sum())
    4.0
    """
    check_cache(cache, AvgPool2dCache, "avgpool2d_forward")
    dout = check_dout(dout, _output_shape(cache)).astype(cache.dtype, copy=False)
    n, c, h, w = cache.x_shape
    (kh, kw), (sh, sw), (ph, pw) = cache.kernel_size, cache.stride, cache.padding
    dxp = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cache.dtype)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            share = dout[:, :, i, j, None, None] / (kh * kw)
            dxp[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw] += share
    return dxp[:, :, ph : ph + h, pw : pw + w]


def weighted_avgpool2d_forward(
    x: ArrayLike,
    weights: ArrayLike,
    *,
    stride: int | Pair | None = None,
    padding: int | Pair = 0,
) -> tuple[np.ndarray, WeightedAvgPool2dCache]:
    r"""2D weighted-average pooling: every window's values averaged with fixed weights.

    The same as torch's ``conv2d`` of each channel on its own (``groups=C``) with the
    kernel ``weights``; uniform weights give :func:`avgpool2d_forward`. Weights that
    fall off with the distance from the window's centre (a Gaussian) make the summary
    depend less on the pixels at the window's edge.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    weights : ndarray, shape (kH, kW)
        Nonnegative, summing to 1 (within 1e-6); the window's size is their shape.
    stride : int or pair of ints, optional
        Defaults to the window's size (non-overlapping windows).
    padding : int or pair of ints
        Zero padding, counted in the average; at most half the window.

    Returns
    -------
    out : ndarray, shape (N, C, Ho, Wo)
    cache : WeightedAvgPool2dCache

    Raises
    ------
    ValueError
        Wrong ndim, negative weights or weights that do not sum to 1, padding above half
        the window, or a window larger than the padded input.

    Notes
    -----
    .. math:: \text{out}[n, c, i, j] = \sum_{u, v} a_{uv}\, x_p[n, c, s i + u, s j + v],
              \qquad a_{uv} \ge 0,\ \sum_{u, v} a_{uv} = 1

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> a = np.array([[0.5, 0.0], [0.0, 0.5]])  # the mean of a window's diagonal
    >>> weighted_avgpool2d_forward(x, a)[0][0, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    weights = check_array(weights, "weights", ndim=2)
    if np.any(weights < 0) or abs(float(weights.sum()) - 1) > 1e-6:
        low, total = float(weights.min()), float(weights.sum())
        raise ValueError(
            "weights must be nonnegative and sum to 1 (a weighted average), got "
            f"weights with minimum {low} and sum {total}"
        )
    x, kernel, stride, padding, _ = _prepare(x, weights.shape, stride, padding)
    weights = weights.astype(x.dtype)
    xp = G.pad(x, G.symmetric(padding))
    out = np.einsum("nchwuv,uv->nchw", G.windows(xp, kernel, stride=stride), weights)
    cache = WeightedAvgPool2dCache(x.shape, x.dtype, kernel, stride, padding, weights)
    return out, cache


def weighted_avgpool2d_backward(
    dout: ArrayLike, cache: WeightedAvgPool2dCache
) -> np.ndarray:
    """Backward pass of :func:`weighted_avgpool2d_forward`: each output gives its
    gradient to its window in proportion to the weights, ``a_uv * dout``.

    Parameters
    ----------
    dout : ndarray, shape (N, C, Ho, Wo)
    cache : WeightedAvgPool2dCache

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)

    Raises
    ------
    TypeError
        If ``cache`` is not a :class:`WeightedAvgPool2dCache`.
    ValueError
        If ``dout`` does not have the output's shape.

    Examples
    --------
    >>> a = np.array([[0.75, 0.25]])
    >>> out, cache = weighted_avgpool2d_forward(np.zeros((1, 1, 1, 4)), a)
    >>> weighted_avgpool2d_backward(np.array([[[[4.0, 8.0]]]]), cache)[0, 0]
    array([[3., 1., 6., 2.]])
    """
    check_cache(cache, WeightedAvgPool2dCache, "weighted_avgpool2d_forward")
    dout = check_dout(dout, _output_shape(cache)).astype(cache.dtype, copy=False)
    return _add_back(dout[..., None, None] * cache.weights, cache)


def l2pool2d_forward(
    x: ArrayLike,
    *,
    kernel_size: int | Pair,
    stride: int | Pair | None = None,
) -> tuple[np.ndarray, L2Pool2dCache]:
    r"""2D L2-norm pooling: the Euclidean norm of every window, as torch's
    ``lp_pool2d(x, norm_type=2, ...)`` (which has no padding).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    kernel_size : int or pair of ints
    stride : int or pair of ints, optional
        Defaults to ``kernel_size``.

    Returns
    -------
    out : ndarray, shape (N, C, Ho, Wo)
    cache : L2Pool2dCache

    Raises
    ------
    ValueError
        Wrong ndim, or a kernel larger than the input.

    Notes
    -----
    .. math:: \text{out}[n, c, i, j] = \Big(\sum_{u, v} x[n, c, s i + u, s j + v]^2
              \Big)^{1/2}

    Between the average (all values count alike) and the maximum (only the largest
    counts): the norm is dominated by the largest magnitudes, and it ignores signs.

    Examples
    --------
    >>> x = np.array([[[[3.0, 0.0, 1.0, 1.0], [0.0, -4.0, 1.0, 1.0]]]])
    >>> l2pool2d_forward(x, kernel_size=2)[0][0, 0]
    array([[5., 2.]])
    """
    x, kernel, stride, padding, _ = _prepare(x, kernel_size, stride, 0)
    out = np.sqrt((G.windows(x, kernel, stride=stride) ** 2).sum(axis=(-2, -1)))
    return out, L2Pool2dCache(x.shape, x.dtype, kernel, stride, padding, x, out)


def l2pool2d_backward(dout: ArrayLike, cache: L2Pool2dCache) -> np.ndarray:
    """Backward pass of :func:`l2pool2d_forward`: ``dx = x / out * dout`` in every
    window, summed over overlapping windows.

    Parameters
    ----------
    dout : ndarray, shape (N, C, Ho, Wo)
    cache : L2Pool2dCache

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)

    Raises
    ------
    TypeError
        If ``cache`` is not an :class:`L2Pool2dCache`.
    ValueError
        If ``dout`` does not have the output's shape.

    Notes
    -----
    The norm has no derivative at a window of zeros; like a ReLU at 0 it gets the
    subgradient 0 there (torch gives ``nan``).

    Examples
    --------
    >>> x = np.array([[[[3.0, 4.0]]]])
    >>> out, cache = l2pool2d_forward(x, kernel_size=(1, 2))
    >>> l2pool2d_backward(np.ones_like(out), cache)[0, 0]
    array([[0.6, 0.8]])
    """
    check_cache(cache, L2Pool2dCache, "l2pool2d_forward")
    dout = check_dout(dout, _output_shape(cache)).astype(cache.dtype, copy=False)
    safe = np.where(cache.out > 0, cache.out, 1)
    scale = np.where(cache.out > 0, dout / safe, 0)
    patches = G.windows(cache.x, cache.kernel_size, stride=cache.stride)
    return _add_back(patches * scale[..., None, None], cache)
