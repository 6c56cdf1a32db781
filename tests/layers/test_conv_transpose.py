"""Tests of dlsip.layers.conv_transpose: against torch autograd in float64, finite
differences, the scatter loop, the syllabus's example and the adjoint of convolution."""

from functools import partial

import numpy as np
import pytest
import torch.nn.functional as F

from dlsip import layers as L
from dlsip.gradcheck import check_gradients
from tests.layers._oracle import assert_close, torch_grads

CONVT_CASES = [
    # (N, Cin, H, W, Cout, kH, kW, stride, padding, output_padding, dilation, bias)
    (2, 3, 4, 5, 2, 3, 3, 1, 0, 0, 1, True),
    (1, 1, 2, 2, 1, 2, 2, 2, 0, 0, 1, False),
    (2, 2, 5, 4, 3, 3, 2, 2, 1, 1, 1, True),
    (1, 3, 3, 6, 2, 4, 3, (3, 2), (1, 2), (2, 1), 1, True),
    (2, 2, 4, 4, 2, 3, 3, 1, 1, 1, 2, True),  # output_padding < dilation, >= stride
    (1, 2, 3, 3, 2, 2, 2, 3, 0, 2, 1, True),  # stride > kernel: gaps between copies
]


def _inputs(case, seed):
    n, ci, h, w_, co, kh, kw, s, p, op, d, bias = case
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal((n, ci, h, w_)), rng.standard_normal((ci, co, kh, kw))
    b = rng.standard_normal(co) if bias else None
    hyper = {"stride": s, "padding": p, "output_padding": op, "dilation": d}
    return rng, x, w, b, hyper


@pytest.mark.parametrize("case", CONVT_CASES)
@pytest.mark.parametrize("naive", [False, True])
def test_conv_transpose2d_matches_torch(case, naive):
    rng, x, w, b, hyper = _inputs(case, 5)
    forward = L.conv_transpose2d_forward_naive if naive else L.conv_transpose2d_forward
    backward = (
        L.conv_transpose2d_backward_naive if naive else L.conv_transpose2d_backward
    )
    out, cache = forward(x, w, b, **hyper)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = backward(dout, cache)
    t_out, t_grads = torch_grads(
        lambda x, w, b=None: F.conv_transpose2d(x, w, b, **hyper), [x, w, b], dout
    )
    assert_close(out, t_out)
    assert_close(dx, t_grads[0])
    assert_close(dw, t_grads[1])
    if b is not None:
        assert_close(db, t_grads[2])
    else:
        assert db is None


@pytest.mark.parametrize("case", CONVT_CASES)
def test_conv_transpose2d_naive_equals_fast_with_either_cache(case):
    rng, x, w, b, hyper = _inputs(case, 8)
    fast, fcache = L.conv_transpose2d_forward(x, w, b, **hyper)
    slow, scache = L.conv_transpose2d_forward_naive(x, w, b, **hyper)
    assert type(fcache) is type(scache) is L.ConvTranspose2dCache
    assert_close(fast, slow)
    dout = rng.standard_normal(fast.shape)
    reference = L.conv_transpose2d_backward(dout, fcache)
    for grads in (
        L.conv_transpose2d_backward(dout, scache),
        L.conv_transpose2d_backward_naive(dout, fcache),
    ):
        for a, b_ in zip(reference, grads):
            if a is None:
                assert b_ is None
            else:
                assert_close(a, b_)


@pytest.mark.parametrize("case", CONVT_CASES[:3])
def test_conv_transpose2d_finite_differences(case):
    rng, x, w, _, hyper = _inputs(case, 6)
    inputs = {"x": x, "w": w, "b": rng.standard_normal(w.shape[1])}
    fwd = partial(L.conv_transpose2d_forward, **hyper)
    errors = check_gradients(fwd, L.conv_transpose2d_backward, inputs, rng=rng)
    assert max(errors.values()) < 1e-6, errors


def _scatter_loop(x, kernel, stride):
    """The single-channel scatter a student writes: each pixel adds a scaled kernel."""
    (h, w), (kh, kw) = x.shape, kernel.shape
    out = np.zeros(((h - 1) * stride + kh, (w - 1) * stride + kw))
    for i in range(h):
        for j in range(w):
            out[i * stride : i * stride + kh, j * stride : j * stride + kw] += (
                x[i, j] * kernel
            )
    return out


@pytest.mark.parametrize(
    "stride, expected",
    [
        (1, [[0, 0, 1], [0, 4, 6], [4, 12, 9]]),
        (2, [[0, 0, 0, 1], [0, 0, 2, 3], [0, 2, 0, 3], [4, 6, 6, 9]]),
    ],
)
@pytest.mark.parametrize(
    "forward", [L.conv_transpose2d_forward, L.conv_transpose2d_forward_naive]
)
def test_conv_transpose2d_syllabus_example(forward, stride, expected):
    x = np.array([[0.0, 1.0], [2.0, 3.0]])
    out, _ = forward(x[None, None], x[None, None], stride=stride)
    np.testing.assert_array_equal(out[0, 0], expected)
    np.testing.assert_array_equal(_scatter_loop(x, x, stride), expected)


@pytest.mark.parametrize(
    "shape, k, stride", [((3, 4), (3, 3), 2), ((2, 2), (2, 2), 3), ((3, 2), (2, 3), 1)]
)
def test_naive_conv_transpose_is_the_single_channel_scatter(shape, k, stride):
    rng = np.random.default_rng(9)
    x, kernel = rng.standard_normal(shape), rng.standard_normal(k)
    out, _ = L.conv_transpose2d_forward_naive(
        x[None, None], kernel[None, None], stride=stride
    )
    assert_close(out[0, 0], _scatter_loop(x, kernel, stride))


@pytest.mark.parametrize("s, p, d", [(1, 0, 1), (2, 1, 1), (2, 0, 2)])
def test_conv_transpose_is_the_adjoint_of_conv(s, p, d):
    """<conv(x), y> = <x, conv_transpose(y)>: the transposed convolution multiplies by
    the
    transpose of the convolution's matrix."""
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal((2, 3, 9, 9)), rng.standard_normal((4, 3, 3, 3))
    y_shape = L.conv2d_forward(x, w, stride=s, padding=p, dilation=d)[0].shape
    y = rng.standard_normal(y_shape)
    op = (9 + 2 * p - d * 2 - 1) % s  # recovers the input size exactly
    ct, _ = L.conv_transpose2d_forward(
        y, w, stride=s, padding=p, dilation=d, output_padding=op
    )
    assert ct.shape == x.shape
    lhs = np.sum(L.conv2d_forward(x, w, stride=s, padding=p, dilation=d)[0] * y)
    assert abs(lhs - np.sum(x * ct)) < 1e-10 * abs(lhs) + 1e-12
    # and it is the input gradient of the convolution
    _, cache = L.conv2d_forward(x, w, stride=s, padding=p, dilation=d)
    assert_close(L.conv2d_backward(y, cache)[0], ct)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv_transpose2d_keeps_dtype(dtype):
    x, w = np.ones((1, 2, 3, 3), dtype), np.ones((2, 1, 2, 2), dtype)
    out, cache = L.conv_transpose2d_forward(x, w, np.zeros(1, dtype), stride=2)
    assert out.dtype == dtype
    assert all(g.dtype == dtype for g in L.conv_transpose2d_backward(out, cache))


@pytest.mark.parametrize(
    "x_shape, w_shape, kwargs, error, match",
    [
        (
            (1, 2, 3, 3),
            (3, 2, 3, 3),
            {},
            ValueError,
            r"w must have shape \(C_in, C_out, kH, kW\) with C_in = x.shape\[1\] = 2",
        ),
        (
            (1, 1, 3, 3),
            (1, 1, 3, 3),
            {"stride": 2, "output_padding": 2},
            ValueError,
            r"output_padding must be smaller than",
        ),
        ((1, 1, 3, 3), (1, 1, 3), {}, ValueError, r"w must be 4D"),
        (
            (1, 1, 3, 3),
            (1, 1, 3, 3),
            {"stride": 1.5},
            TypeError,
            r"stride must be an integer",
        ),
        (
            (1, 1, 3, 3),
            (1, 1, 3, 3),
            {"padding": -1},
            ValueError,
            r"padding must be a non-negative",
        ),
    ],
)
@pytest.mark.parametrize(
    "forward", [L.conv_transpose2d_forward, L.conv_transpose2d_forward_naive]
)
def test_conv_transpose2d_errors(forward, x_shape, w_shape, kwargs, error, match):
    with pytest.raises(error, match=match):
        forward(np.zeros(x_shape), np.zeros(w_shape), **kwargs)


def test_conv_transpose2d_dout_and_cache_are_checked():
    out, cache = L.conv_transpose2d_forward(
        np.ones((1, 1, 2, 2)), np.ones((1, 3, 2, 2))
    )
    for backward in (L.conv_transpose2d_backward, L.conv_transpose2d_backward_naive):
        with pytest.raises(
            ValueError, match=r"dout must have the output's shape \(1, 3, 3, 3\)"
        ):
            backward(np.ones((1, 3, 2, 2)), cache)
        with pytest.raises(TypeError, match="cache must be the ConvTranspose2dCache"):
            backward(
                out, L.conv2d_forward(np.ones((1, 1, 2, 2)), np.ones((1, 1, 1, 1)))[1]
            )


@pytest.mark.parametrize(
    "forward", [L.conv_transpose2d_forward, L.conv_transpose2d_forward_naive]
)
def test_conv_transpose2d_rejects_absurd_stride_before_allocating(forward):
    with pytest.raises(
        ValueError, match=r"stride=\(1000000000, 1000000000\), .* would"
    ):
        forward(np.ones((1, 1, 3, 3)), np.ones((1, 1, 3, 3)), stride=10**9)
