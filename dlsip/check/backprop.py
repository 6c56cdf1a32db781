"""Self-checks of chapter 3, backpropagation: convolution and max-pooling backward."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..arithmetic import conv_output_size, pool_output_size
from .cases import Case, CheckReport, run_cases


def _conv_backward_reference(dout, x, w, *, stride=1, padding=0):
    from ..layers import conv2d_backward, conv2d_forward

    _, cache = conv2d_forward(
        x, w, np.zeros(w.shape[0]), stride=stride, padding=padding
    )
    return conv2d_backward(dout, cache)


def check_conv2d_backward(student: Callable) -> CheckReport:
    """Check ``student(dout, x, w, *, stride=1, padding=0) -> (dx, dw, db)``, the
    backward pass of a 2D convolution (cross-correlation, NCHW, weights ``(C_out, C_in,
    kH, kW)``), against :func:`dlsip.layers.conv2d_backward`.

    Examples
    --------
    >>> from dlsip.layers import conv2d_forward, conv2d_backward
    >>> def mine(dout, x, w, *, stride=1, padding=0):
    ...     b = np.zeros(w.shape[0])
    ...     _, cache = conv2d_forward(x, w, b, stride=stride, padding=padding)
    ...     return conv2d_backward(dout, cache)
    >>> check_conv2d_backward(mine).passed
    True
    >>> def flipped(dout, x, w, *, stride=1, padding=0):  # dw as a convolution: flipped
    ...     dx, dw, db = mine(dout, x, w, stride=stride, padding=padding)
    ...     return dx, dw[:, :, ::-1, ::-1], db
    >>> print(check_conv2d_backward(flipped))  # doctest: +ELLIPSIS
    conv2d_backward: 5 of 6 cases failed.
      - the small case: 3x3 input, 2x2 kernel: result 1: values differ; ...
    ...
    """
    rng = np.random.default_rng(3)

    def case(description, n, c, h, w_, f, k, stride=1, padding=0):
        kh, kw = (k, k) if isinstance(k, int) else k
        ho, wo = conv_output_size((h, w_), (kh, kw), stride=stride, padding=padding)
        args = (
            rng.standard_normal((n, f, ho, wo)),
            rng.standard_normal((n, c, h, w_)),
            rng.standard_normal((f, c, kh, kw)),
        )
        return Case(description, args, {"stride": stride, "padding": padding})

    cases = [
        case("the small case: 3x3 input, 2x2 kernel", 1, 1, 3, 3, 1, 2),
        case("several channels and filters", 2, 3, 6, 6, 4, 3),
        case("padding 1", 2, 2, 5, 5, 3, 3, padding=1),
        case("stride 2 with padding", 2, 2, 7, 7, 3, 3, stride=2, padding=1),
        case("non-square kernel, odd sizes", 1, 2, 7, 5, 2, (3, 2)),
        case("1x1 kernel", 3, 4, 4, 4, 2, 1),
    ]
    return run_cases(
        student,
        _conv_backward_reference,
        cases,
        name="conv2d_backward",
        rtol=1e-6,
        atol=1e-8,
    )


def _maxpool_backward_reference(dout, x, *, kernel_size, stride=None):
    from ..layers import maxpool2d_backward, maxpool2d_forward

    _, cache = maxpool2d_forward(x, kernel_size=kernel_size, stride=stride)
    return maxpool2d_backward(dout, cache)


def check_maxpool2d_backward(student: Callable) -> CheckReport:
    """Check ``student(dout, x, *, kernel_size, stride=None) -> dx``, the backward pass
    of 2D max pooling (NCHW), against :func:`dlsip.layers.maxpool2d_backward`.

    The cases include ties (the whole gradient goes to the first maximum in row-major
    order, as in torch) and overlapping windows (an input that is the maximum of two
    windows receives both gradients).

    Examples
    --------
    >>> from dlsip.layers import maxpool2d_forward, maxpool2d_backward
    >>> def mine(dout, x, *, kernel_size, stride=None):
    ...     _, cache = maxpool2d_forward(x, kernel_size=kernel_size, stride=stride)
    ...     return maxpool2d_backward(dout, cache)
    >>> check_maxpool2d_backward(mine).passed
    True
    >>> def spread(dout, x, *, kernel_size, stride=None):  # average pooling's gradient
    ...     return np.repeat(np.repeat(dout, 2, axis=2), 2, axis=3) / 4
    >>> check_maxpool2d_backward(spread).passed
    False
    """
    rng = np.random.default_rng(4)
    lecture = np.array(
        [[12, 20, 30, 0], [8, 12, 2, 0], [34, 70, 37, 4], [112, 100, 25, 12]], float
    )[None, None]

    def case(description, x, k, stride=None):
        ho, wo = pool_output_size(x.shape[2:], k, stride=stride)
        dout = rng.standard_normal((x.shape[0], x.shape[1], ho, wo))
        return Case(description, (dout, x), {"kernel_size": k, "stride": stride})

    cases = [
        case("the lecture's 4x4 example (Kar, deck 000), 2x2 windows", lecture, 2),
        case("random batch, several channels", rng.standard_normal((2, 3, 6, 6)), 2),
        case(
            "odd size: the last row and column are in no window",
            rng.standard_normal((1, 2, 5, 7)),
            2,
        ),
        case(
            "ties: the first maximum takes the gradient",
            rng.integers(0, 2, (2, 2, 4, 4)).astype(float),
            2,
        ),
        case(
            "overlapping 3x3 windows, stride 1", rng.standard_normal((1, 1, 5, 5)), 3, 1
        ),
        case(
            "overlapping windows with ties",
            rng.integers(0, 3, (1, 2, 6, 6)).astype(float),
            3,
            2,
        ),
    ]
    return run_cases(
        student,
        _maxpool_backward_reference,
        cases,
        name="maxpool2d_backward",
        rtol=1e-6,
        atol=1e-8,
    )
