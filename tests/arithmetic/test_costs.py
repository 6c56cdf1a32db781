"""dlsip.arithmetic.costs: parameter and MAC counts against torch modules, im2col and
dlsip's own layers; transposed-convolution overlaps against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from dlsip import arithmetic as A
from dlsip import layers

# ---------------------------------------------------------------- costs


def _torch_params(*modules):
    return sum(p.numel() for m in modules for p in m.parameters())


def _unfold_macs(conv: nn.Conv2d, x: torch.Tensor) -> int:
    # im2col: each output position is one dot product of length C_in/groups * kH * kW
    # per
    # output channel; count them from the unfolded input, not from a formula.
    cols = F.unfold(x, conv.kernel_size, padding=conv.padding, stride=conv.stride)
    length_per_group = cols.shape[1] // conv.groups
    return cols.shape[2] * length_per_group * conv.out_channels


@pytest.mark.parametrize(
    "c, o, k, size, stride",
    [
        (3, 10, 5, 32, 1),
        (32, 64, 3, 28, 1),
        (16, 8, 3, 15, 2),
        (1, 1, 1, 7, 1),
        (4, 6, (3, 5), (12, 9), 1),
    ],
)
@pytest.mark.parametrize("bias", [True, False])
def test_costs_equal_torch_modules(c, o, k, size, stride, bias):
    kh, kw = (k, k) if isinstance(k, int) else k
    hh, ww = (size, size) if isinstance(size, int) else size
    x = torch.zeros(1, c, hh, ww)
    std = nn.Conv2d(c, o, k, stride=stride, padding=(kh // 2, kw // 2), bias=bias)
    depth = nn.Conv2d(
        c, c, k, stride=stride, padding=(kh // 2, kw // 2), groups=c, bias=bias
    )
    point = nn.Conv2d(c, o, 1, bias=bias)
    out = std(x)
    out_hw = tuple(out.shape[-2:])
    assert tuple(point(depth(x)).shape) == tuple(out.shape)

    got_std = A.standard_conv_cost(c, o, k, output_size=out_hw, bias=bias)
    assert got_std.params == _torch_params(std)
    assert got_std.macs == _unfold_macs(std, x)

    got_sep = A.depthwise_separable_cost(c, o, k, output_size=out_hw, bias=bias)
    assert got_sep.params == _torch_params(depth, point)
    assert got_sep.macs == _unfold_macs(depth, x) + _unfold_macs(point, depth(x))


@pytest.mark.parametrize(
    "c, o, k, size, stride, bias",
    [(3, 10, 5, 32, 1, True), (32, 64, 3, 28, 1, False), (16, 8, 3, 15, 2, True)],
)
def test_costs_equal_what_summary_measures(c, o, k, size, stride, bias):
    from dlsip.arithmetic import summary

    std = nn.Conv2d(c, o, k, stride=stride, padding=k // 2, bias=bias)
    sep = nn.Sequential(
        nn.Conv2d(c, c, k, stride=stride, padding=k // 2, groups=c, bias=bias),
        nn.Conv2d(c, o, 1, bias=bias),
    )
    s_std, s_sep = summary(std, (1, c, size, size)), summary(sep, (1, c, size, size))
    out_hw = tuple(s_std.rows[-1].output_shape[-2:])
    assert A.standard_conv_cost(c, o, k, output_size=out_hw, bias=bias) == (
        s_std.total_params,
        s_std.total_macs,
    )
    assert A.depthwise_separable_cost(c, o, k, output_size=out_hw, bias=bias) == (
        s_sep.total_params,
        s_sep.total_macs,
    )


def test_separable_ratio_is_one_over_o_plus_one_over_k2():
    c, o, k, n = 32, 64, 3, 56
    ratio = A.depthwise_separable_cost(c, o, k, output_size=n, bias=False).macs
    ratio /= A.standard_conv_cost(c, o, k, output_size=n, bias=False).macs
    assert ratio == pytest.approx(1 / o + 1 / k**2, rel=1e-12)


def test_depth_multiplier_equals_torch():
    c, o, m = 4, 10, 3
    depth = nn.Conv2d(c, c * m, 3, padding=1, groups=c)
    point = nn.Conv2d(c * m, o, 1)
    x = torch.zeros(1, c, 9, 9)
    got = A.depthwise_separable_cost(c, o, 3, output_size=9, depth_multiplier=m)
    assert got.params == _torch_params(depth, point)
    assert got.macs == _unfold_macs(depth, x) + _unfold_macs(point, depth(x))


def test_syllabus_parameter_example():
    # Ten 5 x 5 x 3 filters: (5 * 5 * 3 + 1) * 10 = 760 parameters.
    assert A.standard_conv_cost(3, 10, 5, output_size=1).params == 760


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            dict(in_channels=0, out_channels=1, kernel_size=3, output_size=4),
            ValueError,
            "in_channels must be a positive integer",
        ),
        (
            dict(in_channels=1, out_channels=1.5, kernel_size=3, output_size=4),
            TypeError,
            "out_channels must be an integer",
        ),
        (
            dict(in_channels=1, out_channels=1, kernel_size=(3, 0), output_size=4),
            ValueError,
            "kernel_size must be positive",
        ),
        (
            dict(in_channels=1, out_channels=1, kernel_size=3, output_size="4"),
            TypeError,
            "output_size must be an integer or a pair",
        ),
    ],
)
@pytest.mark.parametrize("func", [A.standard_conv_cost, A.depthwise_separable_cost])
def test_cost_errors(func, kwargs, error, match):
    with pytest.raises(error, match=match):
        kwargs = dict(kwargs)
        func(
            kwargs.pop("in_channels"),
            kwargs.pop("out_channels"),
            kwargs.pop("kernel_size"),
            **kwargs,
        )


@pytest.mark.parametrize("bias", [0, "yes", None])
@pytest.mark.parametrize(
    "call",
    [
        lambda bias: A.standard_conv_cost(1, 1, 3, output_size=4, bias=bias),
        lambda bias: A.depthwise_separable_cost(1, 1, 3, output_size=4, bias=bias),
        lambda bias: A.connectivity_parameter_counts((1, 6, 6), 1, 3, bias=bias),
    ],
)
def test_bias_must_be_a_bool(call, bias):
    match = f"bias must be True or False, got bias={bias!r}"
    with pytest.raises(TypeError, match=match):
        call(bias)


def test_depth_multiplier_error():
    with pytest.raises(
        ValueError,
        match="depth_multiplier must be a positive integer, got depth_multiplier=0",
    ):
        A.depthwise_separable_cost(1, 1, 3, output_size=4, depth_multiplier=0)


def test_syllabus_fully_connected_explosion():
    # A fully connected layer from a 1000x1000x3 image to 1000 units has 3 * 10**9
    # weights: the layer whose kernel covers the whole image. A convolution of the same
    # size is that layer, and 1000 3x3 filters need only 27,000 weights.
    counts = A.connectivity_parameter_counts((3, 1000, 1000), 1000, 1000)
    assert counts["fully connected"] == counts["convolution"] == 3 * 10**9 + 1000
    small = A.connectivity_parameter_counts((3, 1000, 1000), 1000, 3, bias=False)
    assert small["convolution"] == 3 * 3 * 3 * 1000
    assert small["fully connected"] == 3 * 10**6 * 1000 * 998 * 998


# ---------------------------------------------------------------- connectivity


@pytest.mark.parametrize(
    "shape, o, k, stride, padding, tile",
    [
        ((1, 6, 6), 1, 3, 1, 0, 2),
        ((3, 32, 32), 8, 5, 1, 2, (2, 3)),
        ((2, 9, 7), 4, 3, 2, 1, 3),
    ],
)
@pytest.mark.parametrize("bias", [True, False])
def test_connectivity_counts_match_real_layers(
    shape, o, k, stride, padding, tile, bias
):
    c, h, w = shape
    ho, wo = nn.Conv2d(c, o, k, stride=stride, padding=padding)(
        torch.zeros(1, *shape)
    ).shape[-2:]
    th, tw = (tile, tile) if isinstance(tile, int) else tile
    counts = A.connectivity_parameter_counts(
        shape, o, k, stride=stride, padding=padding, tile=tile, bias=bias
    )
    conv = nn.Conv2d(c, o, k, stride=stride, padding=padding, bias=bias)
    fc = nn.Linear(c * h * w, o * ho * wo, bias=bias)
    assert counts["convolution"] == _torch_params(conv)
    assert counts["fully connected"] == _torch_params(fc)
    # The locally connected and tiled layers: the sizes of the arrays their forward
    # accepts.
    w_lc = np.zeros((ho, wo, o, c, k, k))
    b_lc = np.zeros((ho, wo, o))
    w_t, b_t = np.zeros((th, tw, o, c, k, k)), np.zeros((th, tw, o))
    x = np.zeros((1, *shape))
    layers.locally_connected2d_forward(x, w_lc, b_lc, stride=stride, padding=padding)
    layers.tiled_conv2d_forward(x, w_t, b_t, stride=stride, padding=padding)
    assert counts["locally connected"] == w_lc.size + (b_lc.size if bias else 0)
    assert counts["tiled"] == w_t.size + (b_t.size if bias else 0)
    assert list(counts) == [
        "fully connected",
        "locally connected",
        "tiled",
        "convolution",
    ]


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (((1, 6), 1, 3), {}, TypeError, r"input_shape must be a tuple \(C_in, H, W\)"),
        (
            ((1, 6, 6), 1, 9),
            {},
            ValueError,
            r"kernel_size=\(9, 9\) is larger than the padded input",
        ),
        (((1, 6, 6), 0, 3), {}, ValueError, "out_channels must be a positive integer"),
        (((1, 6, 6), 1, 3), {"tile": 0}, ValueError, "tile must be a positive integer"),
    ],
)
def test_connectivity_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        A.connectivity_parameter_counts(*args, **kwargs)


# ---------------------------------------------------------------- overlap counts


@pytest.mark.parametrize(
    "n, k, s",
    [(5, 3, 2), (5, 4, 2), (4, 3, 3), (6, 5, 3), (3, 1, 2), (1, 3, 2), (7, 6, 2)],
)
def test_overlap_counts_equal_torch_conv_transpose(n, k, s):
    expected = F.conv_transpose1d(
        torch.ones(1, 1, n, dtype=torch.float64),
        torch.ones(1, 1, k, dtype=torch.float64),
        stride=s,
    ).numpy()[0, 0]
    got = A.overlap_counts(n, k, stride=s)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize(
    "size, k, s", [((4, 5), 3, 2), ((3, 3), (4, 3), (2, 3)), ((2, 4), 4, 2)]
)
def test_overlap_counts_2d_equal_torch(size, k, s):
    kh, kw = (k, k) if isinstance(k, int) else k
    expected = F.conv_transpose2d(
        torch.ones(1, 1, *size), torch.ones(1, 1, kh, kw), stride=s
    ).numpy()[0, 0]
    np.testing.assert_array_equal(A.overlap_counts(size, k, stride=s), expected)


@settings(max_examples=60, deadline=None)
@given(st.integers(3, 12), st.integers(1, 8), st.integers(1, 4))
def test_interior_overlap_is_uniform_iff_stride_divides_kernel(n, k, s):
    counts = A.overlap_counts(n, k, stride=s)
    interior = counts[k:-k] if len(counts) > 2 * k else counts[0:0]
    if interior.size >= s:  # at least one full period inside
        assert (np.ptp(interior) == 0) == (k % s == 0)
        assert interior.mean() == pytest.approx(
            k / s, rel=0.5
        )  # on average k / s copies


def test_overlap_counts_errors():
    with pytest.raises(
        ValueError, match="stride must be a positive integer, got stride=0"
    ):
        A.overlap_counts(4, 3, stride=0)
    with pytest.raises(TypeError, match="input_size must be an integer or a pair"):
        A.overlap_counts("4", 3, stride=2)


@pytest.mark.parametrize(
    ("input_size", "kernel_size", "named"),
    [
        (10**12, 3, "input_size=1000000000000"),
        ((5, 10**12), 3, r"input_size=\(5, 1000000000000\)"),
        (5, 10**12, "kernel_size=1000000000000"),
        ((5, 5), (3, 10**12), r"kernel_size=\(3, 1000000000000\)"),
    ],
)
def test_overlap_counts_refuses_absurd_sizes_before_allocating(
    input_size, kernel_size, named
):
    with pytest.raises(ValueError, match=f"{named}.* would make the counts of shape"):
        A.overlap_counts(input_size, kernel_size)


def test_overlap_counts_hyperparameters_are_keyword_only():
    with pytest.raises(TypeError):
        A.overlap_counts(5, 3, 2)
