r"""Gradient checking: a hand-written backward pass against centred finite differences.

The recipe a student follows (and the tests of :mod:`dlsip.layers` follow too): pick a
random ``dout``, so that the scalar :math:`L = \sum \text{out} \cdot \text{dout}`
has gradient ``backward(dout)``; perturb each input entry by :math:`\pm h` and measure
:math:`(L(x + h) - L(x - h)) / 2h`, whose error is :math:`O(h^2)`; compare the two
with a relative error. In float64 with :math:`h = 10^{-5}` a correct backward pass
agrees to about :math:`10^{-8}` or better; a wrong one is off by something of order 1.

>>> from dlsip.layers import relu_forward, relu_backward
>>> x = np.array([-1.0, 2.0, 3.0])
>>> numerical_gradient(lambda x: relu_forward(x)[0], x)
array([0., 1., 1.])
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    check_array,
    check_callable,
    check_float,
    check_instance,
    check_rng,
    check_same_shape,
)

__all__ = ["numerical_gradient", "relative_error", "check_gradients"]


def numerical_gradient(
    f: Callable, x: np.ndarray, dout: ArrayLike | None = None, *, h: float = 1e-5
) -> np.ndarray:
    r"""Gradient of ``sum(f(x) * dout)`` with respect to ``x`` by centred differences.

    Parameters
    ----------
    f : callable
        Maps an array shaped like ``x`` to an array (or a scalar). It is called twice
        per entry of ``x``, with ``x`` modified in place, so it must read ``x`` afresh
        each time.
    x : ndarray of float
        The point; modified during the computation and restored on return.
    dout : ndarray, optional
        The upstream gradient, shaped like ``f(x)``. Defaults to ones (the gradient of
        ``sum(f(x))``).
    h : float
        The step, > 0.

    Returns
    -------
    ndarray, shape of ``x``
        :math:`g_i = \sum (f(x + h e_i) - f(x - h e_i)) \cdot \text{dout} / (2h)`.

    Raises
    ------
    TypeError
        If ``f`` is not callable, ``x`` is not a float array (an integer array cannot
        take the step) or ``dout`` is not numeric.
    ValueError
        If ``h`` is not positive or ``dout`` has the wrong shape.

    Notes
    -----
    The Taylor expansions of :math:`f(x \pm h)` cancel their even terms, so the error
    is :math:`h^2 f'''/6`; round-off adds about
    :math:`\epsilon_{\text{mach}} |f| / h`. The two balance near :math:`h = 10^{-5}` in
    float64. Do not check in float32.

    Examples
    --------
    >>> x = np.array([1.0, 2.0])
    >>> numerical_gradient(lambda x: x ** 3, x, np.array([1.0, 10.0])).round(6)
    array([  3., 120.])
    """
    f = check_callable(f, "f")
    x = check_array(x, "x")  # an ndarray is used as is: it is modified in place
    if x.dtype.kind != "f":
        raise TypeError(f"x must be a float array, got x.dtype={x.dtype}")
    if dout is not None:
        dout = check_array(dout, "dout")
    h = check_float(h, "h", minimum=0.0, strict=True)
    out0 = np.asarray(f(x))
    if dout is None:
        dout = np.ones_like(out0, dtype=np.float64)
    if dout.shape != out0.shape:
        raise ValueError(
            f"dout must have the shape of f(x) {out0.shape}, got dout with shape "
            f"{dout.shape}"
        )
    grad = np.zeros(x.shape, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        plus = float(np.sum(np.asarray(f(x)) * dout))
        x[i] = old - h
        minus = float(np.sum(np.asarray(f(x)) * dout))
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def relative_error(a: ArrayLike, b: ArrayLike) -> float:
    r"""Largest absolute difference, relative to the largest magnitude of ``a``, ``b``.

    Parameters
    ----------
    a, b : array_like, same shape

    Returns
    -------
    float
        :math:`\max|a - b| / \max(\max|a|, \max|b|)`, and 0 when both are zero.

    Raises
    ------
    TypeError
        If ``a`` or ``b`` is not an array of real numbers.
    ValueError
        If the shapes differ or the arrays are empty.

    Notes
    -----
    An elementwise ratio :math:`|a_i - b_i| / (|a_i| + |b_i|)` blows up on entries that
    are zero up to round-off (a ReLU's dead units, a symmetric input); scaling by the
    whole array's magnitude does not, and it is still invariant to the units of the
    gradient.

    Examples
    --------
    >>> relative_error([1.0, 2.0], [1.0, 2.5])
    0.2
    >>> relative_error(np.zeros(3), np.zeros(3))
    0.0
    """
    a = check_array(a, "a").astype(np.float64)
    b = check_array(b, "b").astype(np.float64)
    check_same_shape(a, "a", b, "b")
    scale = max(np.max(np.abs(a), initial=0.0), np.max(np.abs(b), initial=0.0))
    if scale == 0:
        return 0.0
    return float(np.max(np.abs(a - b)) / scale)


def _check_arguments_of(forward: Callable, values: list, names: list) -> None:
    """Raise a TypeError naming ``inputs`` if ``forward`` cannot take one value per
    input (before calling it, so that an error inside ``forward`` is left alone)."""
    try:
        signature = inspect.signature(forward)
    except (TypeError, ValueError):  # no signature to compare with (some builtins)
        return
    try:
        signature.bind(*values)
    except TypeError as err:
        raise TypeError(
            f"inputs must hold one array per argument of forward ({err}), got inputs "
            f"with keys {names}"
        ) from None


def check_gradients(
    forward: Callable,
    backward: Callable,
    inputs: Mapping[str, np.ndarray],
    *,
    dout: ArrayLike | None = None,
    h: float = 1e-5,
    rng: np.random.Generator | None = None,
) -> dict[str, float]:
    """Compare ``backward`` with finite differences for every input of a layer.

    Parameters
    ----------
    forward : callable
        ``forward(*inputs.values()) -> (out, cache)`` (fix hyperparameters with
        ``functools.partial`` or a lambda).
    backward : callable
        ``backward(dout, cache)`` returning one gradient per input, in the order of
        ``inputs`` (a bare array when there is one input; extra trailing outputs, such
        as ``db=None`` for a layer without bias, must not be among ``inputs``).
    inputs : dict of str to float64 ndarray
        The point at which to check.
    dout : ndarray, optional
        Upstream gradient; random normal by default (a random projection catches more
        bugs than ones, which a wrong sum could still match).
    h : float
        Finite-difference step.
    rng : numpy.random.Generator, optional
        For the random ``dout``.

    Returns
    -------
    dict of str to float
        The :func:`relative_error` of the analytic gradient of each input.

    Raises
    ------
    TypeError
        If ``forward`` or ``backward`` is not callable, or ``inputs`` is not a mapping
        of arrays with one entry per argument of ``forward``.
    ValueError
        If ``inputs`` is empty or ``backward`` returns fewer gradients than inputs.

    Examples
    --------
    >>> from dlsip.layers import linear_forward, linear_backward
    >>> rng = np.random.default_rng(0)
    >>> inputs = {"x": rng.standard_normal((3, 4)), "w": rng.standard_normal((2, 4)),
    ...           "b": np.zeros(2)}
    >>> errors = check_gradients(linear_forward, linear_backward, inputs, rng=rng)
    >>> sorted(errors), all(e < 1e-8 for e in errors.values())
    (['b', 'w', 'x'], True)
    """
    forward = check_callable(forward, "forward")
    backward = check_callable(backward, "backward")
    check_instance(inputs, "inputs", Mapping, "a dict of str to arrays")
    if not inputs:
        raise ValueError("inputs must name at least one array, got an empty mapping")
    names = list(inputs)
    values = [
        check_array(inputs[k], f"inputs[{k!r}]").astype(np.float64) for k in names
    ]
    if dout is not None:
        dout = check_array(dout, "dout")
    h = check_float(h, "h", minimum=0.0, strict=True)
    rng = check_rng(rng)
    _check_arguments_of(forward, values, names)
    out, cache = forward(*values)
    if dout is None:
        dout = rng.standard_normal(np.shape(out))
    grads = backward(dout, cache)
    if isinstance(grads, np.ndarray):
        grads = (grads,)
    if len(grads) < len(names):
        raise ValueError(
            f"backward must return one gradient per input ({len(names)}), got "
            f"{len(grads)}"
        )
    errors = {}
    for k, name in enumerate(names):

        def f(v, k=k):
            args = list(values)
            args[k] = v
            return forward(*args)[0]

        numeric = numerical_gradient(f, values[k], dout, h=h)
        errors[name] = relative_error(grads[k], numeric)
    return errors
