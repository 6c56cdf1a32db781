"""Self-checks of chapter 4, batch normalization: its backward pass."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .cases import Case, CheckReport, run_cases


def _batchnorm_backward_reference(dout, x, gamma, *, eps=1e-5):
    from ..layers import batchnorm_backward, batchnorm_forward

    _, cache = batchnorm_forward(x, gamma, np.zeros_like(gamma), training=True, eps=eps)
    return batchnorm_backward(dout, cache)


def check_batchnorm_backward(student: Callable) -> CheckReport:
    """Check ``student(dout, x, gamma, *, eps=1e-5) -> (dx, dgamma, dbeta)``, the
    backward pass of batch normalization in training mode on (N, D) input, against
    :func:`dlsip.layers.batchnorm_backward`.

    Examples
    --------
    >>> from dlsip.layers import batchnorm_forward, batchnorm_backward
    >>> def mine(dout, x, gamma, *, eps=1e-5):
    ...     _, cache = batchnorm_forward(x, gamma, np.zeros_like(gamma), eps=eps)
    ...     return batchnorm_backward(dout, cache)
    >>> check_batchnorm_backward(mine).passed
    True
    >>> def constant_stats(dout, x, gamma, *, eps=1e-5):  # forgets mu(x), var(x)
    ...     var = x.var(axis=0)
    ...     xhat = (x - x.mean(axis=0)) / np.sqrt(var + eps)
    ...     return dout * gamma / np.sqrt(var + eps), (dout * xhat).sum(0), dout.sum(0)
    >>> check_batchnorm_backward(constant_stats).passed
    False
    """
    rng = np.random.default_rng(5)

    def case(description, n, d, eps=1e-5, scale=1.0):
        x = rng.standard_normal((n, d)) * scale + rng.standard_normal(d)
        return Case(
            description,
            (rng.standard_normal((n, d)), x, rng.standard_normal(d)),
            {"eps": eps},
        )

    cases = [
        case("batch of 2 (the smallest)", 2, 3),
        case("batch of 8, 4 features", 8, 4),
        case("one feature", 5, 1),
        case("large eps", 6, 3, eps=0.5),
        case("features with large spread", 16, 5, scale=100.0),
    ]
    return run_cases(
        student,
        _batchnorm_backward_reference,
        cases,
        name="batchnorm_backward",
        rtol=1e-6,
        atol=1e-8,
    )
