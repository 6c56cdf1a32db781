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
