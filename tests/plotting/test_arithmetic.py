"""dlsip.plotting.arithmetic: the convolution arithmetic figures draw the geometry that
dlsip.arithmetic computes (chapters 2 and 6)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from dlsip import arithmetic as A
from dlsip.arithmetic import receptive_field
from dlsip.plotting import (
    conv_arithmetic_animation,
    conv_arithmetic_frame,
    plot_dilated_stack,
    plot_filter_volume,
    plot_receptive_field_growth,
    show_conv_matrix,
)
from tests.plotting.frames import record_frames


@pytest.mark.parametrize(
    ("size", "k", "s", "p", "d"),
    [(4, 3, 1, 0, 1), (5, 3, 1, 1, 1), (5, 3, 2, 1, 1), (7, 3, 1, 0, 2)],
)
def test_conv_arithmetic_frame_draws_the_taps(size, k, s, p, d):
    out = A.conv_output_size(size, k, stride=s, padding=p, dilation=d)
    ax = conv_arithmetic_frame(
        size, k, stride=s, padding=p, dilation=d, position=(out - 1, 0)
    )
    full = size + 2 * p
    assert len(ax.patches) == full * full + k * k + out * out + 1
    # the last tap of the bottom-left output lands inside the padded input
    taps = ax.patches[full * full : full * full + k * k]
    bottom = min(t.get_y() for t in taps)
    assert bottom == full - 1 - ((out - 1) * s + (k - 1) * d) >= 0
    assert f"o={out}" in ax.get_title()


def test_conv_arithmetic_figures_errors_and_frames():
    with pytest.raises(
        ValueError,
        match=r"position must be a \(row, column\) pair inside the 3x3 output",
    ):
        conv_arithmetic_frame(5, 3, position=(3, 0))
    with pytest.raises(ValueError, match="does not fit"):
        conv_arithmetic_animation(2, 3)
    anim = conv_arithmetic_animation(5, 3, stride=2, padding=1)
    assert anim.positions == [(r, c) for r in range(3) for c in range(3)]
    frames = record_frames(anim, lambda fig: fig.axes[0].get_title())
    assert frames == ["i=5, k=3, s=2, p=1, d=1  ->  o=3"] * 9
    ax = show_conv_matrix(A.conv_matrix(np.arange(1.0, 10.0).reshape(3, 3), (4, 4)))
    shown = ax.images[0].get_array()
    assert (
        shown.shape == (4, 16) and shown.count() == 4 * 9
    )  # 9 taps per row, zeros masked
    assert len(np.unique(shown.compressed())) == 9  # one colour per tied weight


@pytest.mark.parametrize(
    "dilations, kernel_size", [([1, 2, 4, 8], 2), ([1, 1, 1, 1], 2), ([1, 3], 3)]
)
def test_dilated_stack_figure_marks_the_receptive_field(dilations, kernel_size):
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


# ---- invalid arguments are refused before drawing, naming the argument ----


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            {"size": 10**12},
            ValueError,
            "size=1000000000000 and padding=0 would make a padded input grid to draw",
        ),
        (
            {"padding": 10**12},
            ValueError,
            "size=5 and padding=1000000000000 would make a padded input grid to draw",
        ),
        ({"size": 31, "padding": 1}, ValueError, r"of shape \(33, 33\), with 1,089"),
        ({"position": (0.5, 0)}, TypeError, "position must be an integer or a pair"),
        ({"position": (0, -1)}, ValueError, "position must be integers >= 0"),
        ({"position": (0, 3)}, ValueError, r"position must be a \(row, column\) pair"),
    ],
)
def test_conv_arithmetic_frame_rejects_bad_arguments(kwargs, error, match):
    kwargs = {"size": 5, "kernel_size": 3, **kwargs}
    with pytest.raises(error, match=match):
        conv_arithmetic_frame(**kwargs)
    assert not plt.get_fignums()  # refused before any figure was made


def test_conv_arithmetic_frame_draws_the_largest_grid():
    ax = conv_arithmetic_frame(30, 3, stride=29, padding=1)  # 32 x 32 input cells
    assert len(ax.patches) == 32 * 32 + 9 + 2 * 2 + 1
    plt.close(ax.figure)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"size": 10**12}, ValueError, "size=1000000000000 and padding=0 would make"),
        ({"padding": 10**12}, ValueError, "padding=1000000000000 would make"),
        ({"interval": 0}, ValueError, "interval must be a positive integer"),
        ({"interval": 0.5}, TypeError, "interval must be an integer, got interval=0.5"),
        ({"interval": False}, TypeError, "interval must be an integer"),
        ({"dpi": 0}, ValueError, "dpi must be a positive integer, got dpi=0"),
        ({"dpi": 0.5}, TypeError, "dpi must be an integer, got dpi=0.5"),
        ({"dpi": False}, TypeError, "dpi must be an integer"),
    ],
)
def test_conv_arithmetic_animation_rejects_bad_arguments(kwargs, error, match):
    kwargs = {"size": 3, "kernel_size": 2, **kwargs}
    with pytest.raises(error, match=match):
        conv_arithmetic_animation(**kwargs)
    assert not plt.get_fignums()


@pytest.mark.parametrize(
    "kernel, error, match",
    [
        ("not an array", TypeError, "kernel must be an array of numbers"),
        (np.array(["a", "b"]), TypeError, "kernel must have a real numeric dtype"),
        (np.zeros(0), ValueError, "kernel must not be empty"),
        (
            np.float64(1.0),
            ValueError,
            r"kernel must be 1D or 2D, got kernel with shape",
        ),
        (np.ones((1, 2, 2)), ValueError, "kernel must be 1D or 2D"),
    ],
)
def test_show_conv_matrix_rejects_a_bad_kernel(kernel, error, match):
    matrix = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 2.0]])
    with pytest.raises(error, match=match):
        show_conv_matrix(matrix, kernel=kernel)
    assert not plt.get_fignums()


def test_show_conv_matrix_colours_by_the_kernel_values():
    matrix = A.conv_matrix(np.array([[1.0, 2.0], [0.0, 3.0]]), (3, 3))
    ax = show_conv_matrix(matrix, kernel=np.array([[1, 2], [0, 3]]))  # ints work too
    shown = ax.images[0].get_array()
    assert shown.count() == np.count_nonzero(matrix)  # zeros masked
    assert sorted(np.unique(shown.compressed())) == [0, 1, 2]  # 1, 2, 3: one each
    plt.close(ax.figure)


@pytest.mark.parametrize(
    "dilations, kwargs, error, match",
    [
        (None, {}, TypeError, "dilations must be a sequence of dilations"),
        (
            3,
            {},
            TypeError,
            "dilations must be a sequence of dilations, got dilations=3",
        ),
        ([1, 0], {}, ValueError, r"dilations\[1\] must be a positive integer"),
        ([1, 2.5], {}, TypeError, r"dilations\[1\] must be an integer"),
        (
            [1, 2],
            {"kernel_size": 10**12},
            ValueError,
            r"dilations=\[1, 2\], kernel_size=1000000000000 and length=\d+ would make "
            "a stack of connections to draw",
        ),
        (
            [1, 2],
            {"kernel_size": 10**12, "length": 8},
            ValueError,
            "kernel_size=1000000000000 and length=8 would make",
        ),
        (
            [1, 2],
            {"length": 10**12},
            ValueError,
            "kernel_size=2 and length=1000000000000 would make",
        ),
        ([1, 2], {"length": 0}, ValueError, "length must be a positive integer"),
        ([1, 2], {"kernel_size": 0}, ValueError, "kernel_size must be a positive"),
    ],
)
def test_plot_dilated_stack_rejects_bad_arguments(dilations, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_dilated_stack(dilations, **kwargs)
    assert not plt.get_fignums()


@pytest.mark.parametrize(
    "size, kwargs",
    [(4, {}), (5, {"padding": 1}), (3, {"padding": 2}), (7, {"dilation": 2})],
)
def test_conv_arithmetic_animation_frames_are_legible_by_default(size, kwargs):
    anim = conv_arithmetic_animation(size, 3, **kwargs)
    width = anim._fig.get_size_inches()[0] * anim._fig.dpi
    assert anim._fig.dpi == 100 and 400 <= width <= 790, width


# ------------------------------------------- receptive-field growth, volumes, blocks


@pytest.mark.parametrize(
    ("layers", "size", "unit"),
    [
        ([(3, 2, 1), (3, 2, 1)], 5, 0),  # the lecture's example: r = 7
        ([(3, 2, 1), (3, 2, 1)], 5, 1),
        ([(3, 1, 0), (3, 1, 0), (3, 1, 0)], 9, 1),
        ([(2, 2, 0), (3, 1, 1, 2)], 8, 1),  # a dilated layer: holes
    ],
)
def test_receptive_field_growth_shades_the_field_and_the_inputs_it_reaches(
    layers, size, unit
):
    ax = plot_receptive_field_growth(layers, size, unit=unit)
    rec = receptive_field(layers, size)[-1]
    band = ax.patches[0]
    centre = rec.start + unit * rec.j
    assert (band.get_x(), band.get_width()) == (centre - rec.r / 2, rec.r)
    # the highlighted input pixels (orange) are exactly the real pixels inside the band,
    # minus the holes a dilated or strided stack leaves: compare with the gradient
    model_layers = []
    for spec in layers:
        k, s, p, *d = spec
        model_layers.append(
            torch.nn.Conv1d(1, 1, k, stride=s, padding=p, dilation=d[0] if d else 1)
        )
    model = torch.nn.Sequential(*model_layers).double()
    with torch.no_grad():
        for m in model:
            m.weight.fill_(1.0)
            m.bias.zero_()
    x = torch.ones(1, 1, size, dtype=torch.float64, requires_grad=True)
    y = model(x)
    y[0, 0, unit].backward()
    reached = set(np.flatnonzero(x.grad[0, 0].numpy()).tolist())
    pixels = ax.collections[0]  # the input row's real pixels
    colours = pixels.get_facecolors()
    orange = np.array(plt.matplotlib.colors.to_rgba("#e6550d"))
    lit = {i for i in range(size) if np.allclose(colours[i], orange)}
    assert lit == reached
    assert ax.get_yticklabels()[-1].get_text().endswith(f"r={rec.r}")


def test_receptive_field_growth_draws_the_padding_each_layer_reads():
    ax = plot_receptive_field_growth([(3, 2, 1), (3, 2, 1)], 5)
    hollow = [
        c for c in ax.collections if np.allclose(c.get_facecolors()[0], (1, 1, 1, 1))
    ]
    # input padding at -0.5 and 5.5; layer 1's padding at -1.5 and 6.5
    xs = sorted(float(x) for c in hollow for x in c.get_offsets()[:, 0])
    assert xs == [-1.5, -0.5, 5.5, 6.5]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"unit": 2}, ValueError, "unit must index one of the 2 units"),
        ({"unit": -1}, ValueError, "unit must be a non-negative integer"),
        ({"size": 0}, ValueError, "size must be a positive integer"),
        ({"layers": []}, ValueError, "layers must hold a layer"),
        ({"layers": 3}, TypeError, "layers must be a sequence"),
        ({"layers": [(3, 1, 0)] * 40, "size": 200}, ValueError, "connections"),
    ],
)
def test_receptive_field_growth_rejects_bad_arguments(kwargs, error, match):
    args = {"layers": [(3, 2, 1), (3, 2, 1)], "size": 5}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        plot_receptive_field_growth(**args)


@pytest.mark.parametrize(
    ("c", "k", "size", "filters", "stride", "padding"),
    [(3, 3, 6, 1, 1, 0), (3, 3, 6, 4, 1, 0), (1, 5, 8, 2, 2, 2), (8, 1, 4, 3, 1, 0)],
)
def test_filter_volume_draws_one_map_per_filter_as_deep_as_the_input(
    c, k, size, filters, stride, padding
):
    ax = plot_filter_volume(
        c, k, size=size, filters=filters, stride=stride, padding=padding
    )
    o = A.conv_output_size(size, k, stride=stride, padding=padding)
    texts = [t.get_text() for t in ax.texts]
    assert f"input: {size} x {size} x {c}" in texts
    noun = "filter" if filters == 1 else "filters"
    assert f"{filters} {noun}: {k} x {k} x {c}" in texts
    assert texts[-1] == f"output: {o} x {o} x {filters}"
    # input: c maps + c windows; filters: c faces each; output: a map + a cell each
    assert len(ax.patches) == 2 * c + filters * c + 2 * filters
    squares = [p.get_width() for p in ax.patches]
    assert squares.count(k) >= c * (1 + filters)
    assert squares.count(o) >= filters


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"in_channels": 17}, "in_channels must be at most 16"),
        ({"filters": 0}, "filters must be a positive integer"),
        ({"kernel_size": 9}, "does not fit"),
        ({"padding": 3}, "padding must be at most kernel_size - 1 = 2"),
        ({"size": 33}, "size must be at most 32"),
    ],
)
def test_filter_volume_rejects_bad_arguments(kwargs, match):
    args = {"in_channels": 3, "kernel_size": 3}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        plot_filter_volume(**args)


def test_show_conv_matrix_block_lines_and_legend_name_the_tied_taps():
    kernel = np.array([[1.0, 2.0, 1.0], [0.0, 3.0, 0.0], [4.0, 5.0, 6.0]])
    C = A.conv_matrix(kernel, (4, 5))  # 2 x 3 outputs from 4 x 5 pixels
    ax = show_conv_matrix(C, kernel=kernel, legend=True, block_shape=(3, 5))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [
        "w[0,0], w[0,2] = 1",
        "w[0,1] = 2",
        "w[1,1] = 3",
        "w[2,0] = 4",
        "w[2,1] = 5",
        "w[2,2] = 6",
    ]
    # block (a, b) of the matrix maps input row b to output row a: 1 horizontal line
    # between the 2 output rows, 3 vertical lines between the 4 input rows
    ys = sorted(line.get_ydata()[0] for line in ax.lines if line.get_xdata()[0] == 0)
    xs = sorted(line.get_xdata()[0] for line in ax.lines if line.get_ydata()[0] == 0)
    assert ys == [2.5] and xs == [4.5, 9.5, 14.5]
    # the legend's colours are the colours the matrix shows
    shown = ax.images[0]
    for handle, value in zip(ax.get_legend().legend_handles, [1, 2, 3, 4, 5, 6]):
        r, c = np.argwhere(C == value)[0]
        assert np.allclose(
            handle.get_facecolor(), shown.cmap(shown.norm(shown.get_array()[r, c]))
        )


def test_show_conv_matrix_default_has_no_legend_or_lines():
    ax = show_conv_matrix(A.conv_matrix(np.arange(1.0, 10.0).reshape(3, 3), (4, 4)))
    assert ax.get_legend() is None and not ax.lines
    with pytest.raises(ValueError, match="block_shape must divide"):
        show_conv_matrix(np.ones((4, 16)), block_shape=(3, 4))
    with pytest.raises(TypeError, match="legend must be"):
        show_conv_matrix(np.ones((4, 16)), legend="yes")
