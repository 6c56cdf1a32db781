"""Tests of dlsip.layers.local: locally connected and tiled convolution against torch's
conv2d and unfold (autograd in float64), and the loop versions; caches and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlsip import layers as L
from dlsip.gradcheck import check_gradients

CONV_CASES = [
    # (N, C_in, H, W, C_out, k, stride, padding)
    (2, 3, 7, 6, 4, 3, 1, 0),
    (1, 2, 8, 9, 3, (3, 2), 2, 1),
    (3, 1, 5, 5, 2, 1, 1, 0),
    (1, 2, 6, 7, 1, 5, (2, 1), (2, 0)),
]


def _pair(v):
    return (v, v) if isinstance(v, int) else v


def _out_hw(h, w, k, stride, padding):
    (kh, kw), (sh, sw), (ph, pw) = _pair(k), _pair(stride), _pair(padding)
    return (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1


def _torch_locally_connected(x, w, b, stride, padding):
    # An independent implementation through torch's unfold, differentiable by autograd.
    ho, wo, o, c, kh, kw = w.shape
    cols = F.unfold(x, (kh, kw), stride=stride, padding=padding)  # (N, C kh kw, L)
    weights = w.reshape(ho * wo, o, c * kh * kw)
    out = torch.einsum("nkl,lok->nol", cols, weights).reshape(x.shape[0], o, ho, wo)
    return out if b is None else out + b.permute(2, 0, 1)


@pytest.mark.parametrize("n, c, h, w, o, k, stride, padding", CONV_CASES)
def test_shared_locally_connected_is_conv2d(n, c, h, w, o, k, stride, padding):
    rng = np.random.default_rng(0)
    kh, kw = _pair(k)
    x = rng.standard_normal((n, c, h, w))
    weight, bias = rng.standard_normal((o, c, kh, kw)), rng.standard_normal(o)
    ho, wo = _out_hw(h, w, k, stride, padding)
    w_lc = np.broadcast_to(weight, (ho, wo, o, c, kh, kw))
    b_lc = np.broadcast_to(bias, (ho, wo, o))
    expected = F.conv2d(
        torch.from_numpy(x),
        torch.from_numpy(weight),
        torch.from_numpy(bias),
        stride=stride,
        padding=padding,
    ).numpy()
    got, _ = L.locally_connected2d_forward(
        x, w_lc, b_lc, stride=stride, padding=padding
    )
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n, c, h, w, o, k, stride, padding", CONV_CASES)
@pytest.mark.parametrize("with_bias", [True, False])
def test_unshared_locally_connected_against_loops_and_unfold(
    n, c, h, w, o, k, stride, padding, with_bias
):
    rng = np.random.default_rng(1)
    kh, kw = _pair(k)
    ho, wo = _out_hw(h, w, k, stride, padding)
    x = rng.standard_normal((n, c, h, w))
    wt = rng.standard_normal((ho, wo, o, c, kh, kw))
    b = rng.standard_normal((ho, wo, o)) if with_bias else None
    got, cache = L.locally_connected2d_forward(x, wt, b, stride=stride, padding=padding)
    naive, ncache = L.locally_connected2d_forward_naive(
        x, wt, b, stride=stride, padding=padding
    )
    assert type(cache) is type(ncache) is L.LocallyConnected2dCache
    np.testing.assert_allclose(got, naive, rtol=1e-12, atol=1e-12)
    xt, wtt = torch.from_numpy(x), torch.from_numpy(wt)
    bt = torch.from_numpy(b) if with_bias else None
    ref = _torch_locally_connected(xt, wtt, bt, stride, padding)
    np.testing.assert_allclose(got, ref.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n, c, h, w, o, k, stride, padding", CONV_CASES)
def test_tiled_conv_with_tile_one_is_conv2d(n, c, h, w, o, k, stride, padding):
    rng = np.random.default_rng(2)
    kh, kw = _pair(k)
    x = rng.standard_normal((n, c, h, w))
    weight, bias = (
        rng.standard_normal((1, 1, o, c, kh, kw)),
        rng.standard_normal((1, 1, o)),
    )
    expected = F.conv2d(
        torch.from_numpy(x),
        torch.from_numpy(weight[0, 0]),
        torch.from_numpy(bias[0, 0]),
        stride=stride,
        padding=padding,
    ).numpy()
    got, _ = L.tiled_conv2d_forward(x, weight, bias, stride=stride, padding=padding)
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
    got, _ = L.tiled_conv2d_forward(x, wt, b, stride=stride, padding=padding)
    ho, wo = _out_hw(9, 10, 3, stride, padding)
    assert got.shape == (2, 3, ho, wo)
    xt = torch.from_numpy(x)
    for a in range(th):
        for c in range(tw):
            full = F.conv2d(
                xt,
                torch.from_numpy(wt[a, c]),
                torch.from_numpy(b[a, c]),
                stride=stride,
                padding=padding,
            ).numpy()
            np.testing.assert_allclose(
                got[:, :, a::th, c::tw],
                full[:, :, a::th, c::tw],
                rtol=1e-12,
                atol=1e-12,
            )


def test_tiled_with_tile_of_output_size_is_locally_connected():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((1, 2, 6, 5))
    wt = rng.standard_normal((4, 3, 2, 2, 3, 3))
    b = rng.standard_normal((4, 3, 2))
    np.testing.assert_array_equal(
        L.tiled_conv2d_forward(x, wt, b)[0], L.locally_connected2d_forward(x, wt, b)[0]
    )


@pytest.mark.parametrize("n, c, h, w, o, k, stride, padding", CONV_CASES)
@pytest.mark.parametrize("with_bias", [True, False])
@pytest.mark.parametrize("naive", [False, True])
def test_locally_connected_backward_equals_torch_autograd(
    n, c, h, w, o, k, stride, padding, with_bias, naive
):
    rng = np.random.default_rng(8)
    kh, kw = _pair(k)
    ho, wo = _out_hw(h, w, k, stride, padding)
    x = rng.standard_normal((n, c, h, w))
    wt = rng.standard_normal((ho, wo, o, c, kh, kw))
    b = rng.standard_normal((ho, wo, o)) if with_bias else None
    dout = rng.standard_normal((n, o, ho, wo))
    forward = (
        L.locally_connected2d_forward_naive if naive else L.locally_connected2d_forward
    )
    backward = (
        L.locally_connected2d_backward_naive
        if naive
        else L.locally_connected2d_backward
    )
    out, cache = forward(x, wt, b, stride=stride, padding=padding)
    dx, dw, db = backward(dout, cache)
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


def test_locally_connected_finite_differences_and_naive_backward_with_fast_cache():
    rng = np.random.default_rng(10)
    inputs = {
        "x": rng.standard_normal((2, 2, 5, 4)),
        "w": rng.standard_normal((3, 3, 3, 2, 3, 2)),
        "b": rng.standard_normal((3, 3, 3)),
    }

    def forward(x, w, b):
        return L.locally_connected2d_forward(x, w, b, stride=(2, 1), padding=(1, 0))

    errors = check_gradients(forward, L.locally_connected2d_backward, inputs, rng=rng)
    assert max(errors.values()) < 1e-6, errors
    out, cache = forward(*inputs.values())
    dout = rng.standard_normal(out.shape)
    for a, b in zip(
        L.locally_connected2d_backward(dout, cache),
        L.locally_connected2d_backward_naive(dout, cache),
    ):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("tile", [(1, 1), (2, 3), (3, 2)])
@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1)])
def test_tiled_backward_equals_torch_autograd(tile, stride, padding):
    # torch reference: expand the tile to every position by indexing (autograd sums the
    # gradients of the shared weights), then the unfold implementation.
    rng = np.random.default_rng(9)
    th, tw = tile
    x = rng.standard_normal((2, 2, 8, 9))
    wt, b = rng.standard_normal((th, tw, 3, 2, 3, 3)), rng.standard_normal((th, tw, 3))
    out, cache = L.tiled_conv2d_forward(x, wt, b, stride=stride, padding=padding)
    assert isinstance(cache, L.TiledConv2dCache)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = L.tiled_conv2d_backward(dout, cache)
    ho, wo = out.shape[-2:]
    rows, cols = torch.arange(ho) % th, torch.arange(wo) % tw
    xt, wtt, bt = (torch.tensor(a, requires_grad=True) for a in (x, wt, b))
    index = rows[:, None], cols[None, :]
    ref = _torch_locally_connected(xt, wtt[index], bt[index], stride, padding)
    ref.backward(torch.from_numpy(dout))
    for got, expected in [
        (out, ref.detach()),
        (dx, xt.grad),
        (dw, wtt.grad),
        (db, bt.grad),
    ]:
        np.testing.assert_allclose(got, expected.numpy(), rtol=1e-12, atol=1e-12)


def test_local_backward_checks_dout_and_cache():
    _, cache = L.locally_connected2d_forward(
        np.ones((1, 1, 4, 4)), np.ones((2, 2, 1, 1, 3, 3))
    )
    message = (
        r"dout must have the output's shape \(1, 1, 2, 2\) \(from cache\), "
        r"got dout with shape \(1, 1, 3, 3\)"
    )
    for backward in (
        L.locally_connected2d_backward,
        L.locally_connected2d_backward_naive,
    ):
        with pytest.raises(ValueError, match=message):
            backward(np.ones((1, 1, 3, 3)), cache)
    _, tiled = L.tiled_conv2d_forward(
        np.ones((1, 1, 4, 4)), np.ones((1, 1, 1, 1, 3, 3))
    )
    with pytest.raises(ValueError, match=message):
        L.tiled_conv2d_backward(np.ones((1, 1, 3, 3)), tiled)
    with pytest.raises(TypeError, match="cache must be the TiledConv2dCache"):
        L.tiled_conv2d_backward(np.ones((1, 1, 2, 2)), cache)
    with pytest.raises(TypeError, match="cache must be the LocallyConnected2dCache"):
        L.locally_connected2d_backward(np.ones((1, 1, 2, 2)), tiled)


@pytest.mark.parametrize(
    ("func", "x", "w", "b", "kwargs", "error", "match"),
    [
        (
            L.locally_connected2d_forward,
            np.ones((1, 2, 5, 5)),
            np.ones((3, 3, 1, 3, 3, 3)),
            None,
            {},
            ValueError,
            r"w expects C_in=3 input channels .* got x with 2 channels",
        ),
        (
            L.locally_connected2d_forward,
            np.ones((1, 1, 5, 5)),
            np.ones((2, 3, 1, 1, 3, 3)),
            None,
            {},
            ValueError,
            r"one filter bank per output position: "
            r"\(H_out, W_out\)=\(3, 3\) .* got \(2, 3\)",
        ),
        (
            L.locally_connected2d_forward,
            np.ones((1, 1, 5, 5)),
            np.ones((3, 3, 1, 1, 3, 3)),
            np.ones((3, 3)),
            {},
            ValueError,
            "b must be 3D",
        ),
        (
            L.locally_connected2d_forward,
            np.ones((1, 1, 5, 5)),
            np.ones((3, 3, 2, 1, 3, 3)),
            np.ones((3, 3, 1)),
            {},
            ValueError,
            r"b must have shape \(H_out, W_out, C_out\)=\(3, 3, 2\)",
        ),
        (
            L.locally_connected2d_forward,
            np.ones((1, 5, 5)),
            np.ones((3, 3, 1, 1, 3, 3)),
            None,
            {},
            ValueError,
            "x must be 4D",
        ),
        (
            L.locally_connected2d_forward,
            np.ones((1, 1, 5, 5)),
            np.ones((1, 1, 3, 3)),
            None,
            {},
            ValueError,
            "w must be 6D",
        ),
        (
            L.locally_connected2d_forward,
            np.ones((1, 1, 5, 5)),
            np.ones((3, 3, 1, 1, 3, 3)),
            None,
            {"stride": 0},
            ValueError,
            "stride must be a positive integer",
        ),
        (
            L.locally_connected2d_forward_naive,
            np.ones((1, 1, 5, 5)),
            np.ones((2, 3, 1, 1, 3, 3)),
            None,
            {},
            ValueError,
            r"one filter bank per output position",
        ),
        (
            L.tiled_conv2d_forward,
            np.ones((1, 1, 2, 2)),
            np.ones((1, 1, 1, 1, 3, 3)),
            None,
            {},
            ValueError,
            r"w.shape\[4:\]=\(3, 3\) .* larger than the padded input x "
            r"of size \(2, 2\)",
        ),
        (
            L.tiled_conv2d_forward,
            np.ones((1, 1, 5, 5)),
            np.ones((2, 2, 1, 1, 3, 3)),
            np.ones((2, 2, 2)),
            {},
            ValueError,
            r"b must have shape \(tH, tW, C_out\)=\(2, 2, 1\)",
        ),
        (
            L.tiled_conv2d_forward,
            np.ones((1, 1, 5, 5)),
            np.ones((2, 2, 1, 1, 3, 3)),
            None,
            {"padding": -1},
            ValueError,
            "padding must be a non-negative integer",
        ),
    ],
)
def test_local_layer_errors(func, x, w, b, kwargs, error, match):
    with pytest.raises(error, match=match):
        func(x, w, b, **kwargs)


def test_local_layers_reject_absurd_padding_before_allocating():
    with pytest.raises(
        ValueError, match=r"padding=\(1000000000, 0\) would make x padded"
    ):
        L.tiled_conv2d_forward(
            np.ones((1, 1, 3, 3)), np.ones((1, 1, 1, 1, 3, 3)), padding=(10**9, 0)
        )
