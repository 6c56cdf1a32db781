"""Tests of dlsip.variants: every function against torch, scipy or a direct computation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal.windows import gaussian
from torch import nn

from dlsip import variants as V


# ---------------------------------------------------------------- pixel shuffle

@pytest.mark.parametrize("r", [1, 2, 3, 4])
@pytest.mark.parametrize("lead", [(), (2,), (2, 3)])
@pytest.mark.parametrize("chw", [(1, 1, 1), (2, 3, 5), (3, 4, 2)])
def test_pixel_shuffle_equals_torch(r, lead, chw):
    c, h, w = chw
    rng = np.random.default_rng(r * 100 + len(lead))
    x = rng.standard_normal((*lead, c * r * r, h, w))
    expected = F.pixel_shuffle(torch.from_numpy(x), r).numpy()
    got = V.pixel_shuffle(x, r)
    assert got.shape == expected.shape
    assert np.array_equal(got, expected)  # a permutation: bit-for-bit equal


@pytest.mark.parametrize("r", [1, 2, 3])
@pytest.mark.parametrize("lead", [(), (2,), (1, 2)])
def test_pixel_unshuffle_equals_torch_and_inverts(r, lead):
    rng = np.random.default_rng(7 + r)
    x = rng.integers(0, 1000, size=(*lead, 2, 3 * r, 2 * r))
    expected = F.pixel_unshuffle(torch.from_numpy(x), r).numpy()
    got = V.pixel_unshuffle(x, r)
    assert np.array_equal(got, expected)
    assert got.dtype == x.dtype
    assert np.array_equal(V.pixel_shuffle(got, r), x)


def test_pixel_shuffle_matches_its_formula():
    # y[c, h, w] = x[c r^2 + r (h mod r) + (w mod r), h // r, w // r], checked entry by entry.
    r, c, h, w = 3, 2, 2, 3
    x = np.random.default_rng(0).standard_normal((1, c * r * r, h, w))
    y = V.pixel_shuffle(x, r)[0]
    for cc in range(c):
        for hh in range(h * r):
            for ww in range(w * r):
                assert y[cc, hh, ww] == x[0, cc * r * r + r * (hh % r) + ww % r, hh // r, ww // r]


@pytest.mark.parametrize(
    ("func", "x", "r", "error", "match"),
    [
        (V.pixel_shuffle, np.zeros((1, 3, 2, 2)), 2, ValueError, r"divisible by r\*\*2=4, got 3 channels"),
        (V.pixel_shuffle, np.zeros((4, 2)), 2, ValueError, "at least 3 dimensions"),
        (V.pixel_shuffle, np.zeros((1, 4, 2, 2)), 0, ValueError, "r must be a positive integer, got r=0"),
        (V.pixel_shuffle, np.zeros((1, 4, 2, 2)), 2.0, TypeError, "r must be an integer"),
        (V.pixel_unshuffle, np.zeros((1, 1, 4, 5)), 2, ValueError, "divisible by r=2"),
        (V.pixel_unshuffle, np.zeros((4, 4)), 2, ValueError, "at least 3 dimensions"),
        (V.pixel_unshuffle, "image", 2, TypeError, "x must be an array of numbers"),
    ],
)
def test_pixel_shuffle_errors(func, x, r, error, match):
    with pytest.raises(error, match=match):
        func(x, r)


# ---------------------------------------------------------------- costs

def _torch_params(*modules):
    return sum(p.numel() for m in modules for p in m.parameters())


def _unfold_macs(conv: nn.Conv2d, x: torch.Tensor) -> int:
    # im2col: each output position is one dot product of length C_in/groups * kH * kW per
    # output channel; count them from the unfolded input, not from a formula.
    cols = F.unfold(x, conv.kernel_size, padding=conv.padding, stride=conv.stride)
    length_per_group = cols.shape[1] // conv.groups
    return cols.shape[2] * length_per_group * conv.out_channels


@pytest.mark.parametrize("c, o, k, size, stride", [(3, 10, 5, 32, 1), (32, 64, 3, 28, 1), (16, 8, 3, 15, 2),
                                                   (1, 1, 1, 7, 1), (4, 6, (3, 5), (12, 9), 1)])
@pytest.mark.parametrize("bias", [True, False])
def test_costs_equal_torch_modules(c, o, k, size, stride, bias):
    kh, kw = (k, k) if isinstance(k, int) else k
    hh, ww = (size, size) if isinstance(size, int) else size
    x = torch.zeros(1, c, hh, ww)
    std = nn.Conv2d(c, o, k, stride=stride, padding=(kh // 2, kw // 2), bias=bias)
    depth = nn.Conv2d(c, c, k, stride=stride, padding=(kh // 2, kw // 2), groups=c, bias=bias)
    point = nn.Conv2d(c, o, 1, bias=bias)
    out = std(x)
    out_hw = tuple(out.shape[-2:])
    assert tuple(point(depth(x)).shape) == tuple(out.shape)

    got_std = V.standard_conv_cost(c, o, k, out_hw, bias=bias)
    assert got_std.params == _torch_params(std)
    assert got_std.macs == _unfold_macs(std, x)

    got_sep = V.depthwise_separable_cost(c, o, k, out_hw, bias=bias)
    assert got_sep.params == _torch_params(depth, point)
    assert got_sep.macs == _unfold_macs(depth, x) + _unfold_macs(point, depth(x))


@pytest.mark.parametrize("c, o, k, size, stride, bias", [(3, 10, 5, 32, 1, True), (32, 64, 3, 28, 1, False),
                                                         (16, 8, 3, 15, 2, True)])
def test_costs_equal_what_summary_measures(c, o, k, size, stride, bias):
    from dlsip.arithmetic import summary

    std = nn.Conv2d(c, o, k, stride=stride, padding=k // 2, bias=bias)
    sep = nn.Sequential(nn.Conv2d(c, c, k, stride=stride, padding=k // 2, groups=c, bias=bias),
                        nn.Conv2d(c, o, 1, bias=bias))
    s_std, s_sep = summary(std, (1, c, size, size)), summary(sep, (1, c, size, size))
    out_hw = tuple(s_std.rows[-1].output_shape[-2:])
    assert V.standard_conv_cost(c, o, k, out_hw, bias=bias) == (s_std.total_params, s_std.total_macs)
    assert V.depthwise_separable_cost(c, o, k, out_hw, bias=bias) == (s_sep.total_params, s_sep.total_macs)


def test_separable_ratio_is_one_over_o_plus_one_over_k2():
    c, o, k, n = 32, 64, 3, 56
    ratio = V.depthwise_separable_cost(c, o, k, n, bias=False).macs / V.standard_conv_cost(c, o, k, n, bias=False).macs
    assert ratio == pytest.approx(1 / o + 1 / k ** 2, rel=1e-12)


def test_depth_multiplier_equals_torch():
    c, o, m = 4, 10, 3
    depth = nn.Conv2d(c, c * m, 3, padding=1, groups=c)
    point = nn.Conv2d(c * m, o, 1)
    x = torch.zeros(1, c, 9, 9)
    got = V.depthwise_separable_cost(c, o, 3, 9, depth_multiplier=m)
    assert got.params == _torch_params(depth, point)
    assert got.macs == _unfold_macs(depth, x) + _unfold_macs(point, depth(x))


def test_syllabus_parameter_example():
    # Ten 5 x 5 x 3 filters: (5 * 5 * 3 + 1) * 10 = 760 parameters.
    assert V.standard_conv_cost(3, 10, 5, 1).params == 760


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(in_channels=0, out_channels=1, kernel_size=3, output_size=4), ValueError, "in_channels must be a positive integer"),
        (dict(in_channels=1, out_channels=1.5, kernel_size=3, output_size=4), TypeError, "out_channels must be an integer"),
        (dict(in_channels=1, out_channels=1, kernel_size=(3, 0), output_size=4), ValueError, "kernel_size must be positive"),
        (dict(in_channels=1, out_channels=1, kernel_size=3, output_size="4"), TypeError, "output_size must be an integer or a pair"),
    ],
)
@pytest.mark.parametrize("func", [V.standard_conv_cost, V.depthwise_separable_cost])
def test_cost_errors(func, kwargs, error, match):
    with pytest.raises(error, match=match):
        func(**kwargs)


def test_depth_multiplier_error():
    with pytest.raises(ValueError, match="depth_multiplier must be a positive integer, got depth_multiplier=0"):
        V.depthwise_separable_cost(1, 1, 3, 4, depth_multiplier=0)


# ---------------------------------------------------------------- separable kernels

SOBEL_X = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])


@pytest.mark.parametrize("kernel, column, row", [
    (SOBEL_X, [1, 2, 1], [1, 0, -1]),                 # smoothing times difference
    (SOBEL_X.T, [1, 0, -1], [1, 2, 1]),
    (np.ones((3, 5)) / 15, [1, 1, 1], np.ones(5) / 15),
    (-SOBEL_X, [1, 2, 1], [-1, 0, 1]),
])
def test_separate_known_kernels(kernel, column, row):
    col, r = V.separate_kernel(kernel)
    # The convention: the column's largest-magnitude entry is 1 (the first one on ties).
    scale = np.max(np.abs(column))
    np.testing.assert_allclose(col, np.asarray(column) / scale, rtol=0, atol=1e-14)
    np.testing.assert_allclose(r, np.asarray(row) * scale, rtol=0, atol=1e-14)
    np.testing.assert_allclose(np.outer(col, r), kernel, rtol=0, atol=1e-14)


@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.5])
@pytest.mark.parametrize("size", [3, 7, 11])
def test_gaussian_is_separable_into_its_1d_profile(size, sigma):
    g = gaussian(size, sigma)
    g = g / g.sum()
    kernel = np.outer(g, g)
    col, row = V.separate_kernel(kernel)
    np.testing.assert_allclose(col, g / g.max(), rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(np.outer(col, row), kernel, rtol=0, atol=1e-15)
    # Filtering with the two 1D passes equals the 2D filter (scipy as the referee).
    from scipy import ndimage

    image = np.random.default_rng(size).standard_normal((20, 23))
    two_d = ndimage.correlate(image, kernel, mode="constant")
    passes = ndimage.correlate1d(ndimage.correlate1d(image, col, axis=0, mode="constant"), row, axis=1, mode="constant")
    np.testing.assert_allclose(passes, two_d, rtol=0, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 7), st.integers(1, 7), st.integers(0, 2 ** 31 - 1))
def test_random_rank_one_kernels_are_recovered(h, w, seed):
    rng = np.random.default_rng(seed)
    u, v = rng.standard_normal(h), rng.standard_normal(w)
    kernel = np.outer(u, v)
    col, row = V.separate_kernel(kernel)
    assert np.max(np.abs(col)) == 1.0
    np.testing.assert_allclose(np.outer(col, row), kernel, rtol=0, atol=1e-12 * np.abs(kernel).max())


def test_random_kernel_is_not_separable():
    kernel = np.random.default_rng(0).standard_normal((5, 5))
    s = np.linalg.svd(kernel, compute_uv=False)
    rel = np.sqrt(np.sum(s[1:] ** 2) / np.sum(s ** 2))
    with pytest.raises(V.NotSeparableError, match=rf"not separable within tol=1e-08: .* relative error {rel:.3g}"):
        V.separate_kernel(kernel)
    assert issubclass(V.NotSeparableError, ValueError)


def test_tolerance_is_relative_frobenius_error():
    rng = np.random.default_rng(1)
    base = np.outer(rng.standard_normal(4), rng.standard_normal(4))
    noise = rng.standard_normal((4, 4))
    noisy = base + 1e-4 * np.linalg.norm(base) * noise / np.linalg.norm(noise)
    s = np.linalg.svd(noisy, compute_uv=False)
    rel = np.sqrt(np.sum(s[1:] ** 2) / np.sum(s ** 2))
    assert 0 < rel <= 1e-4
    with pytest.raises(ValueError, match="not separable"):
        V.separate_kernel(noisy, tol=rel * 0.99)
    col, row = V.separate_kernel(noisy, tol=rel * 1.01)
    # The returned factorisation is the best rank-1 one: its error is exactly `rel`.
    err = np.linalg.norm(noisy - np.outer(col, row)) / np.linalg.norm(noisy)
    assert err == pytest.approx(rel, rel=1e-8)


def test_zero_kernel_separates_into_zeros():
    col, row = V.separate_kernel(np.zeros((3, 2)))
    assert np.array_equal(col, np.zeros(3)) and np.array_equal(row, np.zeros(2))


@pytest.mark.parametrize(("kernel", "kwargs", "error", "match"), [
    (np.ones(3), {}, ValueError, r"kernel must be 2D, got kernel with shape \(3,\)"),
    ([["a"]], {}, TypeError, "kernel must have a real numeric dtype"),
    (np.ones((2, 2)), {"tol": -1.0}, ValueError, "tol must be >= 0.0, got tol=-1.0"),
    (np.array([[1.0, np.nan]]), {}, ValueError, "finite"),
])
def test_separate_kernel_input_errors(kernel, kwargs, error, match):
    with pytest.raises(error, match=match):
        V.separate_kernel(kernel, **kwargs)


# ---------------------------------------------------------------- locally connected and tiled

CONV_CASES = [
    # (N, C_in, H, W, C_out, k, stride, padding)
    (2, 3, 7, 6, 4, 3, 1, 0),
    (1, 2, 8, 9, 3, (3, 2), 2, 1),
    (3, 1, 5, 5, 2, 1, 1, 0),
    (1, 2, 6, 7, 1, 5, (2, 1), (2, 0)),
]


def _out_hw(h, w, k, stride, padding):
    kh, kw = (k, k) if isinstance(k, int) else k
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    return (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1


@pytest.mark.parametrize("n, c, h, w, o, k, stride, padding", CONV_CASES)
def test_shared_locally_connected_is_conv2d(n, c, h, w, o, k, stride, padding):
    rng = np.random.default_rng(0)
    kh, kw = (k, k) if isinstance(k, int) else k
    x = rng.standard_normal((n, c, h, w))
    weight, bias = rng.standard_normal((o, c, kh, kw)), rng.standard_normal(o)
    ho, wo = _out_hw(h, w, k, stride, padding)
    w_lc = np.broadcast_to(weight, (ho, wo, o, c, kh, kw))
    b_lc = np.broadcast_to(bias, (ho, wo, o))
    expected = F.conv2d(torch.from_numpy(x), torch.from_numpy(weight), torch.from_numpy(bias),
                        stride=stride, padding=padding).numpy()
    got, _ = V.locally_connected2d_forward(x, w_lc, b_lc, stride=stride, padding=padding)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n, c, h, w, o, k, stride, padding", CONV_CASES)
@pytest.mark.parametrize("with_bias", [True, False])
def test_unshared_locally_connected_against_loops_and_unfold(n, c, h, w, o, k, stride, padding, with_bias):
    rng = np.random.default_rng(1)
    kh, kw = (k, k) if isinstance(k, int) else k
    ho, wo = _out_hw(h, w, k, stride, padding)
    x = rng.standard_normal((n, c, h, w))
    wt = rng.standard_normal((ho, wo, o, c, kh, kw))
    b = rng.standard_normal((ho, wo, o)) if with_bias else None
    got, _ = V.locally_connected2d_forward(x, wt, b, stride=stride, padding=padding)
    naive = V._locally_connected2d_naive(x, wt, b, stride=stride, padding=padding)
    np.testing.assert_allclose(got, naive, rtol=1e-12, atol=1e-12)
    # torch's unfold gives each position's receptive field (channels, then kernel rows, cols).
    cols = F.unfold(torch.from_numpy(x), (kh, kw), stride=stride, padding=padding)  # (N, C kh kw, L)
    w_flat = torch.from_numpy(wt.reshape(ho * wo, o, c * kh * kw))                  # (L, O, C kh kw)
    ref = torch.einsum("nkl,lok->nol", cols, w_flat).reshape(n, o, ho, wo)
    if with_bias:
        ref = ref + torch.from_numpy(b).permute(2, 0, 1)
    np.testing.assert_allclose(got, ref.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n, c, h, w, o, k, stride, padding", CONV_CASES)
def test_tiled_conv_with_tile_one_is_conv2d(n, c, h, w, o, k, stride, padding):
    rng = np.random.default_rng(2)
    kh, kw = (k, k) if isinstance(k, int) else k
    x = rng.standard_normal((n, c, h, w))
    weight, bias = rng.standard_normal((1, 1, o, c, kh, kw)), rng.standard_normal((1, 1, o))
    expected = F.conv2d(torch.from_numpy(x), torch.from_numpy(weight[0, 0]), torch.from_numpy(bias[0, 0]),
                        stride=stride, padding=padding).numpy()
    got, _ = V.tiled_conv2d_forward(x, weight, bias, stride=stride, padding=padding)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("tile", [(2, 2), (2, 3), (3, 1), (1, 4)])
@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1)])
def test_tiled_conv_uses_bank_i_mod_t(tile, stride, padding):
    # Each output position equals a torch convolution with that position's filter bank.
    rng = np.random.default_rng(3)
    th, tw = tile
    x = rng.standard_normal((2, 2, 9, 10))
    wt = rng.standard_normal((th, tw, 3, 2, 3, 3))
    b = rng.standard_normal((th, tw, 3))
    got, _ = V.tiled_conv2d_forward(x, wt, b, stride=stride, padding=padding)
    ho, wo = _out_hw(9, 10, 3, stride, padding)
    assert got.shape == (2, 3, ho, wo)
    xt = torch.from_numpy(x)
    for a in range(th):
        for c in range(tw):
            full = F.conv2d(xt, torch.from_numpy(wt[a, c]), torch.from_numpy(b[a, c]), stride=stride,
                            padding=padding).numpy()
            np.testing.assert_allclose(got[:, :, a::th, c::tw], full[:, :, a::th, c::tw], rtol=1e-12, atol=1e-12)


def test_tiled_with_tile_of_output_size_is_locally_connected():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((1, 2, 6, 5))
    wt = rng.standard_normal((4, 3, 2, 2, 3, 3))
    b = rng.standard_normal((4, 3, 2))
    np.testing.assert_array_equal(V.tiled_conv2d_forward(x, wt, b)[0], V.locally_connected2d_forward(x, wt, b)[0])


def _torch_locally_connected(x, w, b, stride, padding):
    # An independent implementation through torch's unfold, differentiable by autograd.
    ho, wo, o, c, kh, kw = w.shape
    cols = F.unfold(x, (kh, kw), stride=stride, padding=padding)               # (N, C kh kw, L)
    out = torch.einsum("nkl,lok->nol", cols, w.reshape(ho * wo, o, c * kh * kw)).reshape(x.shape[0], o, ho, wo)
    return out if b is None else out + b.permute(2, 0, 1)


@pytest.mark.parametrize("n, c, h, w, o, k, stride, padding", CONV_CASES)
@pytest.mark.parametrize("with_bias", [True, False])
def test_locally_connected_backward_equals_torch_autograd(n, c, h, w, o, k, stride, padding, with_bias):
    rng = np.random.default_rng(8)
    kh, kw = (k, k) if isinstance(k, int) else k
    ho, wo = _out_hw(h, w, k, stride, padding)
    x = rng.standard_normal((n, c, h, w))
    wt = rng.standard_normal((ho, wo, o, c, kh, kw))
    b = rng.standard_normal((ho, wo, o)) if with_bias else None
    dout = rng.standard_normal((n, o, ho, wo))
    out, cache = V.locally_connected2d_forward(x, wt, b, stride=stride, padding=padding)
    dx, dw, db = V.locally_connected2d_backward(dout, cache)
    xt, wtt = torch.tensor(x, requires_grad=True), torch.tensor(wt, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True) if with_bias else None
    ref = _torch_locally_connected(xt, wtt, bt, stride, padding)
    ref.backward(torch.from_numpy(dout))
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dw, wtt.grad.numpy(), rtol=1e-12, atol=1e-12)
    if with_bias:
        np.testing.assert_allclose(db, bt.grad.numpy(), rtol=1e-12, atol=1e-12)
    else:
        assert db is None


@pytest.mark.parametrize("tile", [(1, 1), (2, 3), (3, 2)])
@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1)])
def test_tiled_backward_equals_torch_autograd(tile, stride, padding):
    # torch reference: expand the tile to every position by indexing (autograd sums the
    # gradients of the shared weights), then the unfold implementation.
    rng = np.random.default_rng(9)
    th, tw = tile
    x = rng.standard_normal((2, 2, 8, 9))
    wt, b = rng.standard_normal((th, tw, 3, 2, 3, 3)), rng.standard_normal((th, tw, 3))
    out, cache = V.tiled_conv2d_forward(x, wt, b, stride=stride, padding=padding)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = V.tiled_conv2d_backward(dout, cache)
    ho, wo = out.shape[-2:]
    rows, cols = torch.arange(ho) % th, torch.arange(wo) % tw
    xt, wtt, bt = (torch.tensor(a, requires_grad=True) for a in (x, wt, b))
    ref = _torch_locally_connected(xt, wtt[rows[:, None], cols[None, :]], bt[rows[:, None], cols[None, :]], stride, padding)
    ref.backward(torch.from_numpy(dout))
    for got, expected in [(out, ref.detach()), (dx, xt.grad), (dw, wtt.grad), (db, bt.grad)]:
        np.testing.assert_allclose(got, expected.numpy(), rtol=1e-12, atol=1e-12)


def test_local_backward_checks_dout_shape():
    _, cache = V.locally_connected2d_forward(np.ones((1, 1, 4, 4)), np.ones((2, 2, 1, 1, 3, 3)))
    with pytest.raises(ValueError, match=r"dout must have the output's shape \(1, 1, 2, 2\), got dout with shape \(1, 1, 3, 3\)"):
        V.locally_connected2d_backward(np.ones((1, 1, 3, 3)), cache)


@pytest.mark.parametrize(("func", "x", "w", "b", "kwargs", "error", "match"), [
    (V.locally_connected2d_forward, np.ones((1, 2, 5, 5)), np.ones((3, 3, 1, 3, 3, 3)), None, {},
     ValueError, r"w expects C_in=3 input channels .* got x with 2 channels"),
    (V.locally_connected2d_forward, np.ones((1, 1, 5, 5)), np.ones((2, 3, 1, 1, 3, 3)), None, {},
     ValueError, r"one filter bank per output position: \(H_out, W_out\)=\(3, 3\) .* got \(2, 3\)"),
    (V.locally_connected2d_forward, np.ones((1, 1, 5, 5)), np.ones((3, 3, 1, 1, 3, 3)), np.ones((3, 3)), {},
     ValueError, "b must be 3D"),
    (V.locally_connected2d_forward, np.ones((1, 1, 5, 5)), np.ones((3, 3, 2, 1, 3, 3)), np.ones((3, 3, 1)), {},
     ValueError, r"b must have shape \(H_out, W_out, C_out\)=\(3, 3, 2\)"),
    (V.locally_connected2d_forward, np.ones((1, 5, 5)), np.ones((3, 3, 1, 1, 3, 3)), None, {},
     ValueError, "x must be 4D"),
    (V.locally_connected2d_forward, np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), None, {},
     ValueError, "w must be 6D"),
    (V.locally_connected2d_forward, np.ones((1, 1, 5, 5)), np.ones((3, 3, 1, 1, 3, 3)), None, {"stride": 0},
     ValueError, "stride must be a positive integer"),
    (V.tiled_conv2d_forward, np.ones((1, 1, 2, 2)), np.ones((1, 1, 1, 1, 3, 3)), None, {},
     ValueError, r"kernel of size \(3, 3\) is larger than the padded input \(2, 2\)"),
    (V.tiled_conv2d_forward, np.ones((1, 1, 5, 5)), np.ones((2, 2, 1, 1, 3, 3)), np.ones((2, 2, 2)), {},
     ValueError, r"b must have shape \(tH, tW, C_out\)=\(2, 2, 1\)"),
    (V.tiled_conv2d_forward, np.ones((1, 1, 5, 5)), np.ones((2, 2, 1, 1, 3, 3)), None, {"padding": -1},
     ValueError, "padding must be integers >= 0"),
])
def test_local_layer_errors(func, x, w, b, kwargs, error, match):
    with pytest.raises(error, match=match):
        func(x, w, b, **kwargs)


@pytest.mark.parametrize("shape, o, k, stride, padding, tile", [
    ((1, 6, 6), 1, 3, 1, 0, 2), ((3, 32, 32), 8, 5, 1, 2, (2, 3)), ((2, 9, 7), 4, 3, 2, 1, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_connectivity_counts_match_real_layers(shape, o, k, stride, padding, tile, bias):
    c, h, w = shape
    ho, wo = _out_hw(h, w, k, stride, padding)
    th, tw = (tile, tile) if isinstance(tile, int) else tile
    counts = V.connectivity_parameter_counts(shape, o, k, stride=stride, padding=padding, tile=tile, bias=bias)
    conv = nn.Conv2d(c, o, k, stride=stride, padding=padding, bias=bias)
    fc = nn.Linear(c * h * w, o * ho * wo, bias=bias)
    assert counts["convolution"] == _torch_params(conv)
    assert counts["fully connected"] == _torch_params(fc)
    # The locally connected and tiled layers: the sizes of the arrays their forward accepts.
    w_lc = np.zeros((ho, wo, o, c, k, k))
    b_lc = np.zeros((ho, wo, o))
    w_t, b_t = np.zeros((th, tw, o, c, k, k)), np.zeros((th, tw, o))
    x = np.zeros((1, *shape))
    V.locally_connected2d_forward(x, w_lc, b_lc, stride=stride, padding=padding)
    V.tiled_conv2d_forward(x, w_t, b_t, stride=stride, padding=padding)
    assert counts["locally connected"] == w_lc.size + (b_lc.size if bias else 0)
    assert counts["tiled"] == w_t.size + (b_t.size if bias else 0)
    assert list(counts) == ["fully connected", "locally connected", "tiled", "convolution"]


@pytest.mark.parametrize(("args", "kwargs", "error", "match"), [
    (((1, 6), 1, 3), {}, TypeError, r"input_shape must be a tuple \(C_in, H, W\)"),
    (((1, 6, 6), 1, 9), {}, ValueError, r"kernel_size=\(9, 9\) is larger than the padded input"),
    (((1, 6, 6), 0, 3), {}, ValueError, "out_channels must be a positive integer"),
    (((1, 6, 6), 1, 3), {"tile": 0}, ValueError, "tile must be a positive integer"),
])
def test_connectivity_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        V.connectivity_parameter_counts(*args, **kwargs)


# ---------------------------------------------------------------- overlap counts

@pytest.mark.parametrize("n, k, s", [(5, 3, 2), (5, 4, 2), (4, 3, 3), (6, 5, 3), (3, 1, 2), (1, 3, 2), (7, 6, 2)])
def test_overlap_counts_equal_torch_conv_transpose(n, k, s):
    expected = F.conv_transpose1d(torch.ones(1, 1, n, dtype=torch.float64), torch.ones(1, 1, k, dtype=torch.float64),
                                  stride=s).numpy()[0, 0]
    got = V.overlap_counts(n, k, s)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("size, k, s", [((4, 5), 3, 2), ((3, 3), (4, 3), (2, 3)), ((2, 4), 4, 2)])
def test_overlap_counts_2d_equal_torch(size, k, s):
    kh, kw = (k, k) if isinstance(k, int) else k
    expected = F.conv_transpose2d(torch.ones(1, 1, *size), torch.ones(1, 1, kh, kw), stride=s).numpy()[0, 0]
    np.testing.assert_array_equal(V.overlap_counts(size, k, s), expected)


@settings(max_examples=60, deadline=None)
@given(st.integers(3, 12), st.integers(1, 8), st.integers(1, 4))
def test_interior_overlap_is_uniform_iff_stride_divides_kernel(n, k, s):
    counts = V.overlap_counts(n, k, s)
    interior = counts[k:-k] if len(counts) > 2 * k else counts[0:0]
    if interior.size >= s:  # at least one full period inside
        assert (np.ptp(interior) == 0) == (k % s == 0)
        assert interior.mean() == pytest.approx(k / s, rel=0.5)  # on average k / s copies


def test_overlap_counts_errors():
    with pytest.raises(ValueError, match="stride must be a positive integer, got stride=0"):
        V.overlap_counts(4, 3, 0)
    with pytest.raises(TypeError, match="input_size must be an integer or a pair"):
        V.overlap_counts("4", 3, 2)


# ---------------------------------------------------------------- super-resolution

def test_make_sr_pairs_is_seeded_and_uses_antialiased_bicubic():
    rng = np.random.default_rng(6)
    images = [rng.random((40, 50)), rng.random((30, 30))]
    low, high = V.make_sr_pairs(images, 3, patch_size=12, n_patches=5, seed=1)
    low2, high2 = V.make_sr_pairs(images, 3, patch_size=12, n_patches=5, seed=1)
    assert torch.equal(low, low2) and torch.equal(high, high2)
    assert low.dtype == torch.float32 and tuple(low.shape) == (5, 1, 4, 4) and tuple(high.shape) == (5, 1, 12, 12)
    expected = F.interpolate(high, size=(4, 4), mode="bicubic", align_corners=False, antialias=True)
    torch.testing.assert_close(low, expected, rtol=0, atol=0)
    # Every patch is a crop of one of the images.
    for patch in high[:, 0].numpy():
        found = any(
            np.array_equal(im[i:i + 12, j:j + 12].astype(np.float32), patch)
            for im in images for i in range(im.shape[0] - 11) for j in range(im.shape[1] - 11)
        )
        assert found


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    (dict(images=[np.zeros((20, 20))], scale=3, patch_size=10, n_patches=1), ValueError, "multiple of scale=3"),
    (dict(images=[np.zeros((8, 20))], scale=3, patch_size=9, n_patches=1), ValueError, r"larger than images\[0\]"),
    (dict(images=[], scale=3, patch_size=9, n_patches=1), ValueError, "at least one image"),
    (dict(images=[np.zeros((20, 20))], scale=0, patch_size=9, n_patches=1), ValueError, "scale must be a positive"),
])
def test_make_sr_pairs_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        V.make_sr_pairs(**kwargs)


def test_downscale_and_upscale():
    x = torch.rand(2, 1, 12, 9)
    assert tuple(V.downscale(x, 3).shape) == (2, 1, 4, 3)
    assert tuple(V.bicubic_upscale(x, 3).shape) == (2, 1, 36, 27)
    const = torch.full((1, 1, 4, 4), 0.3)
    torch.testing.assert_close(V.bicubic_upscale(const, 3), torch.full((1, 1, 12, 12), 0.3))
    with pytest.raises(ValueError, match="divisible by scale=3"):
        V.downscale(torch.zeros(1, 1, 10, 9), 3)


def test_sub_pixel_sr_shapes_and_residual():
    torch.manual_seed(0)
    model = V.SubPixelSR(3)
    x = torch.rand(2, 1, 8, 7)
    y = model(x)
    assert tuple(y.shape) == (2, 1, 24, 21)
    # Its last step is torch's PixelShuffle; with the last convolution zeroed the residual
    # model is exactly bicubic upscaling.
    last = model.body[-1]
    assert last.out_channels == 9 and isinstance(model.shuffle, nn.PixelShuffle)
    with torch.no_grad():
        last.weight.zero_()
        last.bias.zero_()
    torch.testing.assert_close(model(x), V.bicubic_upscale(x, 3))
    plain = V.SubPixelSR(2, residual=False, features=(8, 4))
    with torch.no_grad():
        body = plain.body(x)
        np.testing.assert_array_equal(plain(x).numpy(), V.pixel_shuffle(body.numpy(), 2))
    with pytest.raises(ValueError, match="scale must be a positive integer"):
        V.SubPixelSR(0)
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        V.nope  # noqa: B018


# ---------------------------------------------------------------- chapter 6 self-checks and figure

def test_self_checks_pass_the_reference_and_catch_bugs():
    from dlsip import check

    assert check.check_pixel_shuffle(V.pixel_shuffle).passed
    # A shuffle that swaps the roles of rows and columns inside each block is wrong.
    swapped = lambda x, r: np.swapaxes(V.pixel_shuffle(np.swapaxes(x, -1, -2), r), -1, -2)  # noqa: E731
    report = check.check_pixel_shuffle(swapped)
    assert not report.passed and "4 channels, r = 2" in str(report)

    def scatter(x, kernel, stride):
        x, kernel = np.asarray(x, float), np.asarray(kernel, float)
        out = np.zeros(((x.shape[0] - 1) * stride + kernel.shape[0], (x.shape[1] - 1) * stride + kernel.shape[1]))
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                out[i * stride:i * stride + kernel.shape[0], j * stride:j * stride + kernel.shape[1]] += x[i, j] * kernel
        return out

    assert check.check_conv_transpose(scatter).passed
    flipped = lambda x, k, s: scatter(x, np.asarray(k)[::-1, ::-1], s)  # noqa: E731
    assert "syllabus's example, stride 1" in str(check.check_conv_transpose(flipped))

    def macs(c, o, k, n):
        return c * n * n * k * k + n * n * c * o

    assert check.check_depthwise_separable_macs(macs).passed
    assert not check.check_depthwise_separable_macs(lambda c, o, k, n: macs(c, o, k, n) + 1).passed


@pytest.mark.parametrize("dilations, kernel_size", [([1, 2, 4, 8], 2), ([1, 1, 1, 1], 2), ([1, 3], 3)])
def test_dilated_stack_figure_marks_the_receptive_field(dilations, kernel_size):
    import matplotlib.pyplot as plt

    from dlsip.arithmetic import receptive_field
    from dlsip.plotting import plot_dilated_stack

    ax = plot_dilated_stack(dilations, kernel_size=kernel_size)
    seen = ax.collections[-1].get_offsets()
    r = receptive_field([(kernel_size, 1, 0, d) for d in dilations], 64)[-1].r
    assert len(seen) == r
    # Contiguous: a stack of dilations 1, 2, 4, ... (or undilated) leaves no holes.
    xs = np.sort(np.asarray(seen)[:, 0])
    assert np.array_equal(np.diff(xs), np.ones(len(xs) - 1))
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="dilations must contain at least one layer"):
        plot_dilated_stack([])


def test_wiener_self_check_passes_least_squares_and_catches_misalignment():
    from dlsip import check

    def normal_equations(noisy, clean, num_taps):
        X = np.lib.stride_tricks.sliding_window_view(np.asarray(noisy, float), num_taps)
        s = np.asarray(clean, float)[num_taps // 2:num_taps // 2 + len(X)]
        return np.linalg.solve(X.T @ X, X.T @ s)

    assert check.check_wiener_taps(normal_equations).passed

    def misaligned(noisy, clean, num_taps):  # causal alignment: estimates clean[t + M - 1]
        X = np.lib.stride_tricks.sliding_window_view(np.asarray(noisy, float), num_taps)
        return np.linalg.lstsq(X, np.asarray(clean, float)[num_taps - 1:], rcond=None)[0]

    report = check.check_wiener_taps(misaligned)
    assert not report.passed and "5 taps" in str(report) and "1 taps" not in str(report)
