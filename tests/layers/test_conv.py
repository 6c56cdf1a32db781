"""Tests of dlsip.layers.conv: against torch autograd in float64, finite differences,
the
loop versions and the syllabus's small case; caches and errors."""

from functools import partial

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlsip import layers as L
from dlsip.gradcheck import check_gradients, relative_error
from tests.layers._oracle import TOL, assert_close, torch_grads

CONV_CASES = [
    # (N, C, H, W, F, kH, kW, stride, padding, dilation, bias)
    (2, 3, 7, 7, 4, 3, 3, 1, 0, 1, True),
    (1, 1, 5, 5, 1, 2, 2, 1, 0, 1, True),  # batch 1, the small case
    (2, 3, 9, 8, 5, 3, 3, 2, 1, 1, True),  # stride 2, padding, odd/non-square
    (3, 2, 11, 10, 3, 3, 2, (2, 1), (1, 2), 2, False),  # non-square kernel, dilation
    (2, 4, 8, 9, 2, 1, 1, 1, 0, 1, True),  # 1x1
    (1, 2, 6, 7, 3, 5, 3, (1, 3), 2, (1, 2), True),
    (2, 1, 4, 4, 2, 4, 4, 1, 0, 1, True),  # kernel = input
]


def _inputs(case, seed):
    n, c, h, w_, f, kh, kw, s, p, d, bias = case
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal((n, c, h, w_)), rng.standard_normal((f, c, kh, kw))
    b = rng.standard_normal(f) if bias else None
    return rng, x, w, b, {"stride": s, "padding": p, "dilation": d}


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_matches_torch_forward_and_gradients(case):
    rng, x, w, b, hyper = _inputs(case, hash(case) % 2**32)
    out, cache = L.conv2d_forward(x, w, b, **hyper)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = L.conv2d_backward(dout, cache)
    t_out, t_grads = torch_grads(
        lambda x, w, b=None: F.conv2d(x, w, b, **hyper), [x, w, b], dout
    )
    assert_close(out, t_out)
    assert_close(dx, t_grads[0])
    assert_close(dw, t_grads[1])
    if b is not None:
        assert_close(db, t_grads[2])
    else:
        assert db is None


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_naive_equals_fast_with_either_cache(case):
    rng, x, w, _, hyper = _inputs(case, 1)
    b = rng.standard_normal(w.shape[0])
    fast, fcache = L.conv2d_forward(x, w, b, **hyper)
    slow, scache = L.conv2d_forward_naive(x, w, b, **hyper)
    assert type(fcache) is type(scache) is L.Conv2dCache
    assert_close(fast, slow)
    dout = rng.standard_normal(fast.shape)
    reference = L.conv2d_backward(dout, fcache)
    for grads in (
        L.conv2d_backward_naive(dout, scache),
        L.conv2d_backward_naive(dout, fcache),  # a naive backward takes a fast cache
        L.conv2d_backward(dout, scache),  # and the other way round
    ):
        for a, b_ in zip(reference, grads):
            assert_close(a, b_)


@pytest.mark.parametrize("case", CONV_CASES[:4])
def test_conv2d_finite_differences(case):
    rng, x, w, _, hyper = _inputs(case, 2)
    inputs = {"x": x, "w": w, "b": rng.standard_normal(w.shape[0])}
    errors = check_gradients(
        partial(L.conv2d_forward, **hyper), L.conv2d_backward, inputs, rng=rng
    )
    assert max(errors.values()) < 1e-6, errors


def test_conv2d_small_case_formulas():
    """The syllabus's small case: dL/dw is the correlation of the input with delta,
    dL/dx
    the full convolution of delta with the kernel (correlation with the rotated
    kernel)."""
    rng = np.random.default_rng(3)
    a, w = rng.standard_normal((3, 3)), rng.standard_normal((2, 2))
    delta = rng.standard_normal((2, 2))
    _, cache = L.conv2d_forward(a[None, None], w[None, None])
    dx, dw, _ = L.conv2d_backward(delta[None, None], cache)
    expected_dw = np.array(
        [[np.sum(a[m : m + 2, n : n + 2] * delta) for n in range(2)] for m in range(2)]
    )
    padded = np.pad(delta, 1)
    rot = w[::-1, ::-1]
    expected_dx = np.array(
        [
            [np.sum(padded[i : i + 2, j : j + 2] * rot) for j in range(3)]
            for i in range(3)
        ]
    )
    assert_close(dw[0, 0], expected_dw)
    assert_close(dx[0, 0], expected_dx)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv2d_keeps_dtype(dtype):
    rng = np.random.default_rng(4)
    x, w, b = (
        rng.standard_normal(s).astype(dtype) for s in [(2, 3, 6, 6), (4, 3, 3, 3), (4,)]
    )
    out, cache = L.conv2d_forward(x, w, b, padding=1)
    grads = L.conv2d_backward(np.ones_like(out), cache)
    assert out.dtype == dtype and all(g.dtype == dtype for g in grads)
    ref = F.conv2d(
        torch.from_numpy(x.astype(np.float64)),
        torch.from_numpy(w.astype(np.float64)),
        torch.from_numpy(b.astype(np.float64)),
        padding=1,
    ).numpy()
    assert relative_error(out, ref) < (1e-6 if dtype == np.float32 else TOL)


def test_conv2d_integer_input_is_computed_in_float64():
    x = np.arange(16).reshape(1, 1, 4, 4)
    out, cache = L.conv2d_forward(x, np.ones((1, 1, 2, 2), dtype=int))
    assert out.dtype == np.float64 and out[0, 0, 0, 0] == 0 + 1 + 4 + 5


@pytest.mark.parametrize(
    "x_shape, w_shape, kwargs, match",
    [
        (
            (2, 3, 5, 5),
            (4, 2, 3, 3),
            {},
            r"w must have as many input channels as x \(x.shape\[1\]=3\)",
        ),
        ((3, 5, 5), (4, 3, 3, 3), {}, r"x must be 4D, got x with shape \(3, 5, 5\)"),
        ((2, 3, 5, 5), (4, 3, 3), {}, r"w must be 4D"),
        (
            (1, 1, 4, 4),
            (1, 1, 6, 6),
            {"padding": 0},
            r"w.shape\[2:\]=\(6, 6\) .* larger than the padded input x "
            r"of size \(4, 4\)",
        ),
        (
            (1, 1, 5, 5),
            (1, 1, 3, 3),
            {"dilation": 3},
            r"spans \(7, 7\) pixels, larger than the padded input x",
        ),
        (
            (1, 1, 5, 5),
            (1, 1, 3, 3),
            {"stride": 0},
            r"stride must be a positive integer, got stride=0",
        ),
        (
            (1, 1, 5, 5),
            (1, 1, 3, 3),
            {"padding": -1},
            r"padding must be a non-negative integer, got padding=-1",
        ),
    ],
)
@pytest.mark.parametrize("forward", [L.conv2d_forward, L.conv2d_forward_naive])
def test_conv2d_bad_input_raises_naming_the_argument(
    forward, x_shape, w_shape, kwargs, match
):
    with pytest.raises(ValueError, match=match):
        forward(np.zeros(x_shape), np.zeros(w_shape), **kwargs)


def test_conv2d_bias_dout_and_cache_are_checked():
    x, w = np.zeros((1, 2, 4, 4)), np.zeros((3, 2, 3, 3))
    with pytest.raises(
        ValueError, match=r"b must have one entry per output channel of w \(3\)"
    ):
        L.conv2d_forward(x, w, np.zeros(2))
    with pytest.raises(TypeError, match=r"x must have a real numeric dtype"):
        L.conv2d_forward(x.astype(complex), w)
    _, cache = L.conv2d_forward(x, w)
    for backward in (L.conv2d_backward, L.conv2d_backward_naive):
        with pytest.raises(
            ValueError, match=r"dout must have the output's shape \(1, 3, 2, 2\)"
        ):
            backward(np.zeros((1, 3, 3, 3)), cache)
        with pytest.raises(TypeError, match=r"dout must be an array of numbers"):
            backward(None, cache)
        with pytest.raises(
            TypeError, match=r"cache must be the Conv2dCache returned by conv2d_forward"
        ):
            backward(np.zeros((1, 3, 2, 2)), tuple(cache))


@pytest.mark.parametrize("forward", [L.conv2d_forward, L.conv2d_forward_naive])
def test_conv2d_rejects_absurd_padding_before_allocating(forward):
    with pytest.raises(
        ValueError, match=r"padding=\(1000000000, 1000000000\) would make"
    ):
        forward(np.ones((1, 1, 3, 3)), np.ones((1, 1, 3, 3)), padding=10**9)
