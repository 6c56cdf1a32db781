"""dlsip.plotting.images: the chapter 0 helpers draw what they are given, return their
Axes or Figure, and reject bad input with a message naming the argument."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlsip import plotting


def test_show_image_uint8_range_is_fixed():
    img = np.full((4, 4), 10, dtype=np.uint8)
    ax = plotting.show_image(img)
    assert ax.images[0].get_clim() == (0, 255)  # a dark image stays dark


def test_show_image_colour_and_float():
    rgb = np.zeros((5, 6, 3))
    ax = plotting.show_image(rgb, title="rgb")
    assert ax.images[0].get_array().shape == (5, 6, 3) and ax.get_title() == "rgb"


@pytest.mark.parametrize("shape", [(3,), (2, 2, 5), (1, 2, 2, 3)])
def test_show_image_rejects_bad_shapes(shape):
    with pytest.raises(ValueError, match="image must be"):
        plotting.show_image(np.zeros(shape))


def test_show_images_grid():
    fig = plotting.show_images([np.zeros((2, 2))] * 5, ncols=2)
    assert len(fig.axes) == 6 and sum(len(ax.images) > 0 for ax in fig.axes) == 5


def test_show_images_checks_titles():
    with pytest.raises(ValueError, match="titles must have one entry per image"):
        plotting.show_images([np.zeros((2, 2))] * 2, ["one"])
    with pytest.raises(ValueError, match="images must contain at least one image"):
        plotting.show_images([])


def test_annotated_grid_writes_every_number_and_highlight():
    values = np.arange(12).reshape(3, 4)
    ax = plotting.annotated_grid(values, fmt="{:d}", highlight=(0, 1, 2, 2))
    assert [t.get_text() for t in ax.texts] == [str(v) for v in values.ravel()]
    assert len(ax.patches) == 1
    rect = ax.patches[0]
    assert (rect.get_x(), rect.get_y(), rect.get_width(), rect.get_height()) == (
        0.5,
        -0.5,
        2,
        2,
    )


def test_plot_signal_uses_time_axis():
    ax = plotting.plot_signal(np.array([1.0, 2.0, 3.0]), t=np.array([0.0, 0.5, 1.0]))
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [0.0, 0.5, 1.0])
    with pytest.raises(ValueError, match="t must have the signal's shape"):
        plotting.plot_signal(np.zeros(3), t=np.zeros(4))


def test_helpers_leave_rcparams_alone():
    before = dict(matplotlib.rcParams)
    plotting.show_images([np.zeros((3, 3))])
    plotting.annotated_grid(np.eye(2))
    assert dict(matplotlib.rcParams) == before


def test_animation_html_is_self_contained_and_closes_figure():
    from matplotlib.animation import FuncAnimation

    fig, ax = plt.subplots()
    (line,) = ax.plot([0, 1], [0, 1])
    anim = FuncAnimation(fig, lambda i: line.set_ydata([0, i]), frames=3)
    html = plotting.animation_html(anim)
    assert "<script" in html.data and "data:image/png;base64" in html.data
    assert not plt.fignum_exists(fig.number)
