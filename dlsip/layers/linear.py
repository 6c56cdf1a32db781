"""The fully connected (linear) layer ``x @ w.T + b``: forward and backward passes.

Weights are laid out as in torch, ``(out_features, in_features)``.

>>> out, cache = linear_forward(np.ones((2, 3)), np.ones((4, 3)))
>>> dx, dw, db = linear_backward(np.ones_like(out), cache)
>>> out.shape, dx.shape, dw.shape, db
((2, 4), (2, 3), (4, 3), None)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from .._validation import check_array
from ._checks import check_bias, check_cache, check_dout, float_dtype
from ._fast import matmul

__all__ = ["LinearCache", "linear_forward", "linear_backward"]


class LinearCache(NamedTuple):
    """What a linear layer's forward pass keeps for the backward pass."""

    x: np.ndarray  #: (N, in_features), in the computation's dtype
    w: np.ndarray  #: (out_features, in_features)
    has_bias: bool


def linear_forward(
    x: ArrayLike, w: ArrayLike, b: ArrayLike | None = None
) -> tuple[np.ndarray, LinearCache]:
    """Fully connected layer ``x @ w.T + b``, with torch's weight layout.

    Parameters
    ----------
    x : ndarray, shape (N, in_features)
    w : ndarray, shape (out_features, in_features)
    b : ndarray, shape (out_features,), or None

    Returns
    -------
    out : ndarray, shape (N, out_features)
    cache : LinearCache

    Raises
    ------
    ValueError
        If ``x`` or ``w`` is not 2D or their feature counts disagree.

    Examples
    --------
    >>> w = np.array([[1.0, 1.0], [0.0, 1.0]])
    >>> linear_forward(np.array([[1.0, 2.0]]), w, np.array([0.0, 10.0]))[0]
    array([[ 3., 12.]])
    """
    x = check_array(x, "x", ndim=2)
    w = check_array(w, "w", ndim=2)
    if w.shape[1] != x.shape[1]:
        raise ValueError(
            f"w must have shape (out_features, {x.shape[1]}) to match x, "
            f"got w with shape {w.shape}"
        )
    b = check_bias(b, w.shape[0])
    dtype = float_dtype(x, w, b)
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    out = matmul(x, w.T)  # x @ w.T (see _fast for why not "@")
    if b is not None:
        out += b.astype(dtype, copy=False)
    return out, LinearCache(x, w, b is not None)


def linear_backward(
    dout: ArrayLike, cache: LinearCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Backward pass of :func:`linear_forward`.

    Parameters
    ----------
    dout : ndarray, shape (N, out_features)
        Gradient of the loss with respect to the output.
    cache : LinearCache
        From the forward pass.

    Returns
    -------
    dx : ndarray, shape (N, in_features)
        ``dout @ w``
    dw : ndarray, shape (out_features, in_features)
        ``dout.T @ x``
    db : ndarray, shape (out_features,), or None
        ``dout.sum(0)``

    Raises
    ------
    TypeError
        If ``cache`` is not a :class:`LinearCache`.
    ValueError
        If ``dout`` does not have the output's shape.

    Examples
    --------
    >>> x, w = np.array([[1.0, 2.0]]), np.array([[3.0, 4.0]])
    >>> _, cache = linear_forward(x, w, np.zeros(1))
    >>> linear_backward(np.array([[1.0]]), cache)
    (array([[3., 4.]]), array([[1., 2.]]), array([1.]))
    """
    check_cache(cache, LinearCache, "linear_forward")
    x, w, has_bias = cache
    dout = check_dout(dout, (x.shape[0], w.shape[0])).astype(w.dtype, copy=False)
    dx, dw = matmul(dout, w), matmul(dout.T, x)  # dout @ w, dout.T @ x
    return dx, dw, (dout.sum(axis=0) if has_bias else None)
