r"""Activation functions with their backward passes: linear (identity), ReLU, leaky
ReLU, sigmoid, tanh (elementwise) and softmax (along one axis).

Each ``*_forward(x)`` returns ``(out, cache)`` and each ``*_backward(dout, cache)``
returns ``dx = dout * f'(x)``; the cache keeps just what ``f'`` needs (a mask, a slope,
or the output itself, since :math:`\sigma' = \sigma (1 - \sigma)` and
:math:`\tanh' = 1 - \tanh^2`). Softmax is not elementwise: each output depends on every
input of its row, and its backward pass is a Jacobian-vector product.

>>> out, cache = relu_forward(np.array([-1.0, 2.0]))
>>> relu_backward(np.array([10.0, 10.0]), cache)
array([ 0., 10.])
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from .._validation import check_array, check_float, check_int
from ._checks import check_cache, check_dout, float_dtype

__all__ = [
    "IdentityCache",
    "SoftmaxCache",
    "ReLUCache",
    "LeakyReLUCache",
    "SigmoidCache",
    "TanhCache",
    "relu_forward",
    "relu_backward",
    "leaky_relu_forward",
    "leaky_relu_backward",
    "sigmoid_forward",
    "sigmoid_backward",
    "tanh_forward",
    "tanh_backward",
    "identity_forward",
    "identity_backward",
    "softmax_forward",
    "softmax_backward",
]


class IdentityCache(NamedTuple):
    """The input's shape: the linear activation's derivative is 1 everywhere."""

    shape: tuple[int, ...]


class SoftmaxCache(NamedTuple):
    r"""The output :math:`p = \mathrm{softmax}(x)` and the axis it was taken along."""

    out: np.ndarray
    axis: int


class ReLUCache(NamedTuple):
    """Where the input was positive (the derivative is 1 there, 0 elsewhere)."""

    mask: np.ndarray


class LeakyReLUCache(NamedTuple):
    """The local slope, 1 or ``negative_slope``, of every entry."""

    slope: np.ndarray


class SigmoidCache(NamedTuple):
    r"""The output :math:`\sigma(x)`, from which :math:`\sigma'(x)` follows."""

    out: np.ndarray


class TanhCache(NamedTuple):
    r"""The output :math:`\tanh(x)`, from which :math:`\tanh'(x)` follows."""

    out: np.ndarray


def _float(x) -> np.ndarray:
    x = check_array(x, "x")
    return x.astype(float_dtype(x), copy=False)


def relu_forward(x: ArrayLike) -> tuple[np.ndarray, ReLUCache]:
    """ReLU, ``max(x, 0)``, elementwise.

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    out : ndarray, same shape as ``x``
    cache : ReLUCache
        The mask ``x > 0``.

    Raises
    ------
    TypeError
        If ``x`` is not numeric.

    Notes
    -----
    The derivative is 1 for ``x > 0`` and 0 otherwise; at ``x = 0`` torch takes 0, and
    so do we.

    Examples
    --------
    >>> relu_forward(np.array([-1.0, 0.0, 2.0]))[0]
    array([0., 0., 2.])
    """
    x = _float(x)
    mask = x > 0
    return np.where(mask, x, x.dtype.type(0)), ReLUCache(mask)


def relu_backward(dout: ArrayLike, cache: ReLUCache) -> np.ndarray:
    """Backward pass of :func:`relu_forward`: the gradient passes where ``x > 0``.

    Parameters
    ----------
    dout : ndarray
        Gradient of the loss with respect to the output, shaped like the input.
    cache : ReLUCache
        From the forward pass.

    Returns
    -------
    dx : ndarray, shaped like the input

    Raises
    ------
    TypeError
        If ``cache`` is not a :class:`ReLUCache`.
    ValueError
        If ``dout`` does not have the input's shape.

    Examples
    --------
    >>> _, cache = relu_forward(np.array([-1.0, 0.0, 2.0]))
    >>> relu_backward(np.array([5.0, 5.0, 5.0]), cache)
    array([0., 0., 5.])
    """
    check_cache(cache, ReLUCache, "relu_forward")
    return check_dout(dout, cache.mask.shape) * cache.mask


def leaky_relu_forward(
    x: ArrayLike, *, negative_slope: float = 0.01
) -> tuple[np.ndarray, LeakyReLUCache]:
    """Leaky ReLU: ``x`` for ``x > 0``, ``negative_slope * x`` otherwise (torch's 0.01).

    Parameters
    ----------
    x : ndarray, any shape
    negative_slope : float
        The slope for ``x <= 0``.

    Returns
    -------
    out : ndarray, shaped like ``x``
    cache : LeakyReLUCache
        The local slope (1 or ``negative_slope``) at each entry.

    Raises
    ------
    TypeError
        If ``x`` or ``negative_slope`` is not numeric.

    Examples
    --------
    >>> leaky_relu_forward(np.array([-2.0, 3.0]), negative_slope=0.1)[0]
    array([-0.2,  3. ])
    """
    x = _float(x)
    negative_slope = check_float(negative_slope, "negative_slope")
    slope = np.where(x > 0, 1.0, negative_slope).astype(x.dtype)
    return x * slope, LeakyReLUCache(slope)


def leaky_relu_backward(dout: ArrayLike, cache: LeakyReLUCache) -> np.ndarray:
    """Backward pass of :func:`leaky_relu_forward`: ``dout`` times the local slope.

    Parameters
    ----------
    dout : ndarray
        Gradient of the loss with respect to the output, shaped like the input.
    cache : LeakyReLUCache
        From the forward pass.

    Returns
    -------
    dx : ndarray, shaped like the input

    Raises
    ------
    TypeError
        If ``cache`` is not a :class:`LeakyReLUCache`.
    ValueError
        If ``dout`` does not have the input's shape.

    Examples
    --------
    >>> _, cache = leaky_relu_forward(np.array([-2.0, 3.0]), negative_slope=0.1)
    >>> leaky_relu_backward(np.array([1.0, 1.0]), cache)
    array([0.1, 1. ])
    """
    check_cache(cache, LeakyReLUCache, "leaky_relu_forward")
    return check_dout(dout, cache.slope.shape) * cache.slope


def sigmoid_forward(x: ArrayLike) -> tuple[np.ndarray, SigmoidCache]:
    r"""Logistic sigmoid ``1 / (1 + exp(-x))``, computed without overflow.

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    out : ndarray, shaped like ``x``
    cache : SigmoidCache
        The output.

    Raises
    ------
    TypeError
        If ``x`` is not numeric.

    Notes
    -----
    :math:`\sigma'(x) = \sigma(x) (1 - \sigma(x))`, so the cache is the output. For
    :math:`x < 0` the equal form :math:`e^x / (1 + e^x)` is used, so that ``exp`` only
    ever sees :math:`-|x|` and cannot overflow.

    Examples
    --------
    >>> sigmoid_forward(np.array([0.0, -1000.0]))[0]
    array([0.5, 0. ])
    """
    x = _float(x)
    e = np.exp(-np.abs(x))  # never overflows
    out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype)
    return out, SigmoidCache(out)


def sigmoid_backward(dout: ArrayLike, cache: SigmoidCache) -> np.ndarray:
    """Backward pass of :func:`sigmoid_forward`: ``dout * s * (1 - s)``.

    Parameters
    ----------
    dout : ndarray
        Gradient of the loss with respect to the output, shaped like the input.
    cache : SigmoidCache
        From the forward pass.

    Returns
    -------
    dx : ndarray, shaped like the input

    Raises
    ------
    TypeError
        If ``cache`` is not a :class:`SigmoidCache`.
    ValueError
        If ``dout`` does not have the input's shape.

    Examples
    --------
    >>> _, cache = sigmoid_forward(np.array([0.0]))
    >>> sigmoid_backward(np.array([1.0]), cache)
    array([0.25])
    """
    check_cache(cache, SigmoidCache, "sigmoid_forward")
    s = cache.out
    return check_dout(dout, s.shape) * s * (1 - s)


def tanh_forward(x: ArrayLike) -> tuple[np.ndarray, TanhCache]:
    r"""Hyperbolic tangent; :math:`\tanh'(x) = 1 - \tanh^2(x)`, so the cache is the
    output.

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    out : ndarray, shaped like ``x``
    cache : TanhCache
        The output.

    Raises
    ------
    TypeError
        If ``x`` is not numeric.

    Examples
    --------
    >>> tanh_forward(np.array([0.0]))[0]
    array([0.])
    """
    out = np.tanh(_float(x))
    return out, TanhCache(out)


def tanh_backward(dout: ArrayLike, cache: TanhCache) -> np.ndarray:
    """Backward pass of :func:`tanh_forward`: ``dout * (1 - tanh(x)^2)``.

    Parameters
    ----------
    dout : ndarray
        Gradient of the loss with respect to the output, shaped like the input.
    cache : TanhCache
        From the forward pass.

    Returns
    -------
    dx : ndarray, shaped like the input

    Raises
    ------
    TypeError
        If ``cache`` is not a :class:`TanhCache`.
    ValueError
        If ``dout`` does not have the input's shape.

    Examples
    --------
    >>> _, cache = tanh_forward(np.array([0.0]))
    >>> tanh_backward(np.array([2.0]), cache)
    array([2.])
    """
    check_cache(cache, TanhCache, "tanh_forward")
    t = cache.out
    return check_dout(dout, t.shape) * (1 - t * t)


def identity_forward(x: ArrayLike) -> tuple[np.ndarray, IdentityCache]:
    """The linear activation, ``f(x) = x``: a layer without a nonlinearity.

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    out : ndarray, a float copy of ``x``
    cache : IdentityCache
        The shape of ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not numeric.

    Notes
    -----
    :math:`f'(x) = 1`: the gradient passes unchanged. Two linear layers with a linear
    activation between them are one linear layer, which is why a network needs a
    nonlinear activation somewhere.

    Examples
    --------
    >>> identity_forward(np.array([-1.0, 2.0]))[0]
    array([-1.,  2.])
    """
    x = _float(x)
    return x.copy(), IdentityCache(x.shape)


def identity_backward(dout: ArrayLike, cache: IdentityCache) -> np.ndarray:
    """Backward pass of :func:`identity_forward`: ``dout`` itself.

    Parameters
    ----------
    dout : ndarray
        Gradient of the loss with respect to the output, shaped like the input.
    cache : IdentityCache
        From the forward pass.

    Returns
    -------
    dx : ndarray, shaped like the input

    Raises
    ------
    TypeError
        If ``cache`` is not an :class:`IdentityCache`.
    ValueError
        If ``dout`` does not have the input's shape.

    Examples
    --------
    >>> _, cache = identity_forward(np.zeros(2))
    >>> identity_backward(np.array([3.0, -1.0]), cache)
    array([ 3., -1.])
    """
    check_cache(cache, IdentityCache, "identity_forward")
    dout = check_dout(dout, cache.shape)
    return dout.astype(float_dtype(dout), copy=True)


def softmax_forward(x: ArrayLike, *, axis: int = -1) -> tuple[np.ndarray, SoftmaxCache]:
    r"""Softmax along ``axis``: :math:`p_k = e^{x_k} / \sum_j e^{x_j}`.

    Parameters
    ----------
    x : ndarray, any shape
    axis : int
        The axis of the classes (the last by default; 1 for torch's ``(N, K)``
        logits, the same thing).

    Returns
    -------
    out : ndarray, shaped like ``x``
        Non-negative, summing to 1 along ``axis``.
    cache : SoftmaxCache
        The output and the axis.

    Raises
    ------
    TypeError
        If ``x`` is not numeric or ``axis`` not an integer.
    ValueError
        If ``axis`` is not an axis of ``x``.

    Notes
    -----
    The maximum along ``axis`` is subtracted first (softmax does not change when a
    constant is added to every input), so ``exp`` never overflows. The Jacobian is

    .. math:: \frac{\partial p_k}{\partial x_j} = p_k (\delta_{kj} - p_j),

    so the backward pass needs only :math:`p`.

    Examples
    --------
    >>> p, _ = softmax_forward(np.array([[0.0, np.log(3.0)], [1000.0, 1000.0]]))
    >>> p.round(6)
    array([[0.25, 0.75],
           [0.5 , 0.5 ]])
    """
    x = _float(x)
    axis = check_int(axis, "axis")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(
            f"axis must be an axis of x (from {-x.ndim} to {x.ndim - 1}), "
            f"got axis={axis}"
        )
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    out = e / e.sum(axis=axis, keepdims=True)
    return out, SoftmaxCache(out, axis % x.ndim)


def softmax_backward(dout: ArrayLike, cache: SoftmaxCache) -> np.ndarray:
    r"""Backward pass of :func:`softmax_forward`: the Jacobian-vector product.

    Parameters
    ----------
    dout : ndarray
        Gradient of the loss with respect to the output, shaped like the input.
    cache : SoftmaxCache
        From the forward pass.

    Returns
    -------
    dx : ndarray, shaped like the input
        :math:`\frac{\partial L}{\partial x_j} = \sum_k g_k\, p_k (\delta_{kj} - p_j)
        = p_j \big(g_j - \sum_k g_k p_k\big)`, with :math:`g` = ``dout``.

    Raises
    ------
    TypeError
        If ``cache`` is not a :class:`SoftmaxCache`.
    ValueError
        If ``dout`` does not have the input's shape.

    Notes
    -----
    Followed by the cross-entropy :math:`-\log p_y`, whose gradient is
    :math:`g = -e_y / p_y`, this gives :math:`p - e_y`: the gradient that
    :func:`dlsip.layers.softmax_cross_entropy` returns in one step.

    Examples
    --------
    >>> _, cache = softmax_forward(np.zeros(4))
    >>> softmax_backward(np.ones(4), cache)  # a constant shift changes nothing
    array([0., 0., 0., 0.])
    """
    check_cache(cache, SoftmaxCache, "softmax_forward")
    p = cache.out
    g = check_dout(dout, p.shape)
    return p * (g - (g * p).sum(axis=cache.axis, keepdims=True))
