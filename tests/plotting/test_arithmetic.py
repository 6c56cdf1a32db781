"""dlsip.plotting.arithmetic: the convolution arithmetic figures draw the geometry that
dlsip.arithmetic computes (chapters 2 and 6)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlsip import arithmetic as A
from dlsip.arithmetic import receptive_field
from dlsip.plotting import (
    conv_arithmetic_animation,
    conv_arithmetic_frame,
    plot_dilated_stack,
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
