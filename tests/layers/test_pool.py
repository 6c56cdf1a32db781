"""Tests of dlsip.layers.pool: max and average pooling against torch autograd in
float64, ties, the loop versions, finite differences, the syllabus's examples; caches
and errors."""

from functools import partial

import numpy as np
import pytest
import torch.nn.functional as F

from dlsip import layers as L
from dlsip.gradcheck import check_gradients
from tests.layers._oracle import assert_close, torch_grads

POOL_CASES = [
    # (shape, kernel_size, stride, padding)
    ((2, 3, 8, 8), 2, None, 0),
    ((1, 2, 7, 9), 3, 2, 1),  # overlapping windows, padding, odd sizes
    ((2, 1, 6, 5), (3, 2), (1, 2), (1, 0)),
    ((1, 1, 5, 5), 3, 1, 0),  # stride 1: heavy overlap
    ((3, 2, 9, 7), 2, 2, 0),  # odd size: last row/column dropped
]

KINDS = {
    "max": (L.maxpool2d_forward, L.maxpool2d_backward, F.max_pool2d),
    "avg": (L.avgpool2d_forward, L.avgpool2d_backward, F.avg_pool2d),
}
NAIVE = {
    "max": (L.maxpool2d_forward_naive, L.maxpool2d_backward_naive),
    "avg": (L.avgpool2d_forward_naive, L.avgpool2d_backward_naive),
}


@pytest.mark.parametrize("shape, k, s, p", POOL_CASES)
@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("naive", [False, True])
def test_pooling_matches_torch(shape, k, s, p, kind, naive):
    rng = np.random.default_rng(8)
    x = rng.standard_normal(shape)
    fwd, bwd = NAIVE[kind] if naive else KINDS[kind][:2]
    out, cache = fwd(x, kernel_size=k, stride=s, padding=p)
    dout = rng.standard_normal(out.shape)
    t_out, (t_dx,) = torch_grads(lambda x: KINDS[kind][2](x, k, s, p), [x], dout)
    assert_close(out, t_out)
    assert_close(bwd(dout, cache), t_dx)


@pytest.mark.parametrize("shape, k, s, p", POOL_CASES)
@pytest.mark.parametrize("naive", [False, True])
def test_maxpool_ties_follow_torch(shape, k, s, p, naive):
    """With many ties (values in {0, 1, 2}), the whole gradient of a window goes to one
    arg-max, the same one as in torch: the first in row-major order."""
    rng = np.random.default_rng(9)
    x = rng.integers(0, 3, size=shape).astype(np.float64)
    fwd, bwd = NAIVE["max"] if naive else KINDS["max"][:2]
    out, cache = fwd(x, kernel_size=k, stride=s, padding=p)
    # Integer gradients: sums over overlapping windows are exact in any order, so the
    # comparison can be exact.
    dout = rng.integers(-9, 10, size=out.shape).astype(np.float64)
    _, (t_dx,) = torch_grads(lambda x: F.max_pool2d(x, k, s, p), [x], dout)
    np.testing.assert_array_equal(bwd(dout, cache), t_dx)


@pytest.mark.parametrize("shape, k, s, p", POOL_CASES)
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling_naive_equals_fast_with_either_cache(shape, k, s, p, kind):
    rng = np.random.default_rng(10)
    x = rng.standard_normal(shape)
    (fwd, bwd), (nfwd, nbwd) = KINDS[kind][:2], NAIVE[kind]
    fast, fcache = fwd(x, kernel_size=k, stride=s, padding=p)
    slow, scache = nfwd(x, kernel_size=k, stride=s, padding=p)
    assert type(fcache) is type(scache)
    assert_close(fast, slow)
    dout = rng.standard_normal(fast.shape)
    reference = bwd(dout, fcache)
    for dx in (nbwd(dout, scache), nbwd(dout, fcache), bwd(dout, scache)):
        assert_close(reference, dx)


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling_finite_differences(kind):
    rng = np.random.default_rng(11)
    x = rng.standard_normal((2, 2, 7, 6))  # distinct values: max is differentiable here
    fwd, bwd = KINDS[kind][:2]
    fwd = partial(fwd, kernel_size=3, stride=2, padding=1)
    errors = check_gradients(fwd, bwd, {"x": x}, rng=rng)
    assert errors["x"] < 1e-6


def test_syllabus_average_pooling_example():
    x = np.array([[1, 3, 2, 1], [5, 4, 9, 7], [11, 12, 15, 7], [1, 9, 6, 8]], float)
    out, cache = L.avgpool2d_forward(x[None, None], kernel_size=2, stride=2)
    np.testing.assert_allclose(
        out[0, 0], [[3.25, 4.75], [8.25, 9.0]], rtol=0, atol=1e-15
    )
    # backward spreads each output's gradient evenly: 1/4 to each of its four inputs
    dx = L.avgpool2d_backward(np.ones_like(out), cache)
    np.testing.assert_array_equal(dx, np.full((1, 1, 4, 4), 0.25))


def test_syllabus_max_pooling_example():
    x = np.array(
        [[12, 20, 30, 0], [8, 12, 2, 0], [34, 70, 37, 4], [112, 100, 25, 12]], float
    )
    out, cache = L.maxpool2d_forward(x[None, None], kernel_size=2, stride=2)
    np.testing.assert_array_equal(out[0, 0], [[20, 30], [112, 37]])
    dout = np.array([[1.0, 2.0], [3.0, 4.0]])[None, None]
    dx = L.maxpool2d_backward(dout, cache)
    expected = np.zeros((4, 4))
    expected[0, 1], expected[0, 2], expected[3, 0], expected[2, 2] = (
        1,
        2,
        3,
        4,
    )  # arg-maxes
    np.testing.assert_array_equal(dx[0, 0], expected)


def test_maxpool_padding_never_wins():
    x = -np.ones((1, 1, 2, 2))  # every value below the zero a zero padding would give
    out, cache = L.maxpool2d_forward(x, kernel_size=2, stride=1, padding=1)
    np.testing.assert_array_equal(out, -np.ones((1, 1, 3, 3)))


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pooling_keeps_dtype(kind, dtype):
    x = np.random.default_rng(12).standard_normal((2, 3, 8, 8)).astype(dtype)
    for fwd, bwd in (KINDS[kind][:2], NAIVE[kind]):
        out, cache = fwd(x, kernel_size=2)
        assert out.dtype == dtype and bwd(np.ones_like(out), cache).dtype == dtype


@pytest.mark.parametrize(
    "shape, kwargs, match",
    [
        (
            (1, 1, 3, 3),
            {"kernel_size": 4},
            r"kernel_size=\(4, 4\) .* larger than the padded input x",
        ),
        (
            (1, 1, 6, 6),
            {"kernel_size": 2, "padding": 2},
            r"padding must be at most half of kernel_size",
        ),
        ((6, 6), {"kernel_size": 2}, r"x must be 4D"),
        ((1, 1, 6, 6), {"kernel_size": 0}, r"kernel_size must be a positive integer"),
        (
            (1, 1, 6, 6),
            {"kernel_size": 2, "stride": 0},
            r"stride must be a positive integer",
        ),
    ],
)
@pytest.mark.parametrize(
    "forward",
    [
        L.maxpool2d_forward,
        L.avgpool2d_forward,
        L.maxpool2d_forward_naive,
        L.avgpool2d_forward_naive,
    ],
)
def test_pooling_errors(forward, shape, kwargs, match):
    with pytest.raises(ValueError, match=match):
        forward(np.zeros(shape), **kwargs)


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling_dout_and_cache_are_checked(kind):
    x = np.zeros((1, 2, 4, 4))
    _, cache = KINDS[kind][0](x, kernel_size=2)
    for bwd in (KINDS[kind][1], NAIVE[kind][1]):
        with pytest.raises(
            ValueError, match=r"dout must have the output's shape \(1, 2, 2, 2\)"
        ):
            bwd(np.zeros((1, 2, 3, 3)), cache)
        with pytest.raises(TypeError, match="cache must be the"):
            bwd(np.zeros((1, 2, 2, 2)), L.relu_forward(x)[1])
    other = "avg" if kind == "max" else "max"
    _, wrong = KINDS[other][0](x, kernel_size=2)
    with pytest.raises(TypeError, match=f"cache must be the {type(cache).__name__}"):
        KINDS[kind][1](np.zeros((1, 2, 2, 2)), wrong)


def _depthwise(x, a, s, p):
    """torch's oracle for weighted-average pooling: a depthwise conv2d with kernel a."""
    import torch

    c = x.shape[1]
    kernel = torch.as_tensor(a).expand(c, 1, *a.shape)
    return F.conv2d(x, kernel, stride=s, padding=p, groups=c)


WEIGHTED_CASES = [
    # (shape, weights' shape, stride, padding)
    ((2, 3, 8, 8), (2, 2), None, 0),
    ((1, 2, 7, 9), (3, 3), 2, 1),
    ((2, 1, 6, 5), (3, 2), (1, 2), (1, 0)),
]


@pytest.mark.parametrize("shape, wshape, s, p", WEIGHTED_CASES)
def test_weighted_avgpool_matches_torch_depthwise_conv(shape, wshape, s, p):
    rng = np.random.default_rng(13)
    x = rng.standard_normal(shape)
    a = rng.random(wshape)
    a /= a.sum()
    out, cache = L.weighted_avgpool2d_forward(x, a, stride=s, padding=p)
    dout = rng.standard_normal(out.shape)
    stride = wshape if s is None else s
    t_out, (t_dx,) = torch_grads(lambda x: _depthwise(x, a, stride, p), [x], dout)
    assert_close(out, t_out)
    assert_close(L.weighted_avgpool2d_backward(dout, cache), t_dx)


def test_weighted_avgpool_with_uniform_weights_is_avgpool():
    x = np.random.default_rng(14).standard_normal((2, 2, 7, 7))
    a = np.full((3, 3), 1 / 9)
    out, cache = L.weighted_avgpool2d_forward(x, a, stride=2, padding=1)
    ref, ref_cache = L.avgpool2d_forward(x, kernel_size=3, stride=2, padding=1)
    assert_close(out, ref)
    dout = np.ones_like(out)
    assert_close(
        L.weighted_avgpool2d_backward(dout, cache),
        L.avgpool2d_backward(dout, ref_cache),
    )


@pytest.mark.parametrize("shape, k, s", [((2, 3, 8, 8), 2, None), ((1, 2, 7, 9), 3, 2)])
def test_l2pool_matches_torch_lp_pool2d(shape, k, s):
    rng = np.random.default_rng(15)
    x = rng.standard_normal(shape)
    out, cache = L.l2pool2d_forward(x, kernel_size=k, stride=s)
    dout = rng.standard_normal(out.shape)
    t_out, (t_dx,) = torch_grads(lambda x: F.lp_pool2d(x, 2, k, s), [x], dout)
    assert_close(out, t_out)
    assert_close(L.l2pool2d_backward(dout, cache), t_dx)


def test_l2pool_is_a_loop_of_norms_and_zero_windows_get_zero_gradient():
    x = np.random.default_rng(16).standard_normal((1, 1, 4, 6))
    x[0, 0, :2, :2] = 0  # one window of zeros
    out, cache = L.l2pool2d_forward(x, kernel_size=2)
    for i, j in np.ndindex(2, 3):
        window = x[0, 0, 2 * i : 2 * i + 2, 2 * j : 2 * j + 2]
        assert out[0, 0, i, j] == pytest.approx(np.linalg.norm(window), rel=1e-15)
    dx = L.l2pool2d_backward(np.ones_like(out), cache)
    np.testing.assert_array_equal(dx[0, 0, :2, :2], 0)
    assert np.all(np.isfinite(dx))


def test_weighted_and_l2_pooling_finite_differences():
    rng = np.random.default_rng(17)
    x = rng.standard_normal((2, 2, 7, 6))
    a = rng.random((3, 3))
    a /= a.sum()
    fwd = partial(L.weighted_avgpool2d_forward, weights=a, stride=2, padding=1)
    errors = check_gradients(fwd, L.weighted_avgpool2d_backward, {"x": x}, rng=rng)
    assert errors["x"] < 1e-6
    fwd = partial(L.l2pool2d_forward, kernel_size=3, stride=2)
    errors = check_gradients(fwd, L.l2pool2d_backward, {"x": x}, rng=rng)
    assert errors["x"] < 1e-6


def test_l2pool_lies_between_average_and_max_of_magnitudes():
    x = np.random.default_rng(18).standard_normal((2, 3, 8, 8))
    l2 = L.l2pool2d_forward(x, kernel_size=2)[0]
    rms = np.sqrt(L.avgpool2d_forward(x**2, kernel_size=2)[0])
    big = L.maxpool2d_forward(np.abs(x), kernel_size=2)[0]
    assert_close(l2, 2 * rms)  # the norm of 4 values is twice their RMS
    assert np.all(big <= l2 + 1e-15) and np.all(l2 <= 2 * big + 1e-15)


@pytest.mark.parametrize(
    "weights, match",
    [
        (np.full((2, 2), 0.3), r"weights must be nonnegative and sum to 1"),
        (np.array([[1.5, -0.5]]), r"weights must be nonnegative and sum to 1"),
        (np.ones(4) / 4, r"weights must be 2D"),
    ],
)
def test_weighted_avgpool_errors(weights, match):
    with pytest.raises(ValueError, match=match):
        L.weighted_avgpool2d_forward(np.zeros((1, 1, 4, 4)), weights)


def test_new_pooling_caches_are_checked():
    x = np.zeros((1, 2, 4, 4))
    _, avg_cache = L.avgpool2d_forward(x, kernel_size=2)
    with pytest.raises(TypeError, match="cache must be the WeightedAvgPool2dCache"):
        L.weighted_avgpool2d_backward(np.zeros((1, 2, 2, 2)), avg_cache)
    with pytest.raises(TypeError, match="cache must be the L2Pool2dCache"):
        L.l2pool2d_backward(np.zeros((1, 2, 2, 2)), avg_cache)
    _, cache = L.l2pool2d_forward(x, kernel_size=2)
    with pytest.raises(ValueError, match=r"dout must have the output's shape"):
        L.l2pool2d_backward(np.zeros((1, 2, 3, 3)), cache)
    with pytest.raises(ValueError, match=r"kernel_size=\(5, 5\)"):
        L.l2pool2d_forward(x, kernel_size=5)
