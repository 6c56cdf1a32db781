"""dlsip.plotting.filtering: the chapter 1 animation of a sliding window and the
figure of border modes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import scipy.ndimage as ndi

from dlsip import filters as F
from dlsip.plotting import (
    animate_window,
    animation_html,
    plot_frequency_response,
    show_padding,
)
from tests.plotting.frames import record_frames

SLIDE_IMAGE = np.array(
    [
        [3, 0, 1, 2, 7, 4],
        [1, 5, 8, 9, 3, 1],
        [2, 7, 2, 5, 1, 3],
        [0, 1, 3, 1, 7, 8],
        [4, 2, 1, 6, 2, 8],
        [2, 4, 5, 2, 3, 9],
    ]
)


def test_animate_window_frames_and_output():
    anim = animate_window(SLIDE_IMAGE, F.VERTICAL_EDGE)
    assert len(anim.positions) == 16 and anim.positions[5] == (1, 1)
    np.testing.assert_array_equal(
        anim.output, F.correlate2d(SLIDE_IMAGE, F.VERTICAL_EDGE)
    )
    frames = record_frames(
        anim,
        lambda fig: (
            [t.get_text() for t in fig.axes[-1].texts],
            fig.axes[-1].get_title(),
        ),
    )
    assert len(frames) == 16
    texts, title = frames[5]
    assert texts[:6] == ["-5", "-4", "0", "8", "-10", "-2"] and set(texts[6:]) == {""}
    assert title == "weighted sum at (1, 1) = -2"
    anim = animate_window(SLIDE_IMAGE, "median", size=(2, 3))
    assert anim.output.shape == (5, 4)
    np.testing.assert_array_equal(
        anim.output, ndi.median_filter(SLIDE_IMAGE, (2, 3))[1:6, 1:5]
    )
    html = animation_html(anim).data
    assert html.count("data:image/png") == 20
    with pytest.raises(
        ValueError, match=r"size \(7, 7\) does not fit the image of shape \(6, 6\)"
    ):
        animate_window(SLIDE_IMAGE, "max", size=7)


def test_show_padding_outlines_the_image():
    fig = show_padding([[1, 2, 3]], 2, F.MODES)
    assert [ax.get_title() for ax in fig.axes] == list(F.MODES)
    texts = [t.get_text() for t in fig.axes[1].texts]  # reflect, 5 x 7 grid
    assert texts[14:21] == ["2", "1", "1", "2", "3", "3", "2"]


# ---- invalid arguments are refused before drawing, naming the argument ----


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"lens": "no_such"}, ValueError, "lens must be one of 'sum', 'mean', 'max'"),
        ({"lens": np.ones(3)}, ValueError, "lens must be 2D"),
        (
            {"lens": np.ones((7, 2))},
            ValueError,
            r"lens of shape \(7, 2\) does not fit the image of shape \(6, 6\)",
        ),
        ({"interval": 0}, ValueError, "interval must be a positive integer"),
        ({"interval": 0.5}, TypeError, "interval must be an integer, got interval=0.5"),
        ({"interval": False}, TypeError, "interval must be an integer"),
        ({"dpi": 0}, ValueError, "dpi must be a positive integer, got dpi=0"),
        ({"dpi": 72.5}, TypeError, "dpi must be an integer, got dpi=72.5"),
        ({"dpi": True}, TypeError, "dpi must be an integer"),
    ],
)
def test_animate_window_rejects_bad_arguments(kwargs, error, match):
    kwargs = {"image": SLIDE_IMAGE, "lens": "max", **kwargs}
    with pytest.raises(error, match=match):
        animate_window(**kwargs)
    assert not plt.get_fignums()  # refused before any figure was made


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"modes": []}, ValueError, "modes must name at least one border mode"),
        ({"modes": 0}, TypeError, "modes must be a list of border modes, got modes=0"),
        ({"modes": None}, TypeError, "modes must be a list of border modes"),
        ({"modes": "wrap"}, TypeError, "modes must be a list of border modes"),
        (
            {"modes": ["wrap", "no_such"]},
            ValueError,
            r"modes\[1\] must be one of 'constant', .*, got modes\[1\]='no_such'",
        ),
        ({"pad_width": -1}, ValueError, "pad_width must be a non-negative integer"),
        ({"pad_width": 1.5}, TypeError, "pad_width must be an integer"),
        (
            {"pad_width": 10**12},
            ValueError,
            r"image of shape \(1, 3\) and pad_width=1000000000000 would make a padded "
            "grid to draw",
        ),
        ({"size": 0.0}, ValueError, "size must be > 0.0, got size=0.0"),
        ({"size": ""}, TypeError, "size must be a real number, got size=''"),
        ({"size": float("inf")}, ValueError, "size must be finite"),
    ],
)
def test_show_padding_rejects_bad_arguments(kwargs, error, match):
    kwargs = {"image": [[1, 2, 3]], "pad_width": 2, "modes": F.MODES, **kwargs}
    with pytest.raises(error, match=match):
        show_padding(**kwargs)
    assert not plt.get_fignums()


@pytest.mark.parametrize("lens", ["max", np.ones((3, 3))])
def test_animate_window_frames_are_legible_by_default(lens):
    # at least 400 px wide, at most the book's 790 px column, at 100 dpi so that the
    # grid's 10 pt numbers are 14 px high
    anim = animate_window(SLIDE_IMAGE, lens)
    width, height = anim._fig.get_size_inches() * anim._fig.dpi
    assert anim._fig.dpi == 100 and 400 <= width <= 790, width
    assert min(t.get_fontsize() for t in anim._fig.axes[0].texts) >= 10


@pytest.mark.parametrize("modes", [["constant"], ["constant", "wrap", "reflect"] * 2])
def test_show_padding_fits_the_book_column(modes):
    fig = show_padding(np.eye(2), 1, modes)
    assert fig.get_size_inches()[0] <= 7.8 + 1e-9


def test_plot_frequency_response_draws_the_level_in_db():
    fig, ax = plt.subplots()
    box = np.ones(11) / 11
    assert plot_frequency_response(box, label="box", ax=ax, floor_db=-80) is ax
    plot_frequency_response(F.gaussian_kernel(3.0, ndim=1), label="Gaussian", ax=ax)
    f, level = ax.get_lines()[0].get_data()
    # The box's closed form, sin(pi f k) / (k sin(pi f)), in dB, clipped at -80.
    inner = f > 0
    closed = np.abs(np.sin(np.pi * f[inner] * 11) / (11 * np.sin(np.pi * f[inner])))
    np.testing.assert_allclose(
        level[inner], np.maximum(20 * np.log10(closed), -80), atol=1e-9
    )
    assert level[0] == 0 and level.min() == -80
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["box", "Gaussian"]
    plt.close(fig)


def test_plot_frequency_response_errors():
    with pytest.raises(ValueError, match=r"floor_db must be negative"):
        plot_frequency_response(np.ones(3), floor_db=0.0)
    with pytest.raises(TypeError, match=r"label must be a string"):
        plot_frequency_response(np.ones(3), label=3)
    with pytest.raises(ValueError, match=r"kernel must be a low-pass kernel"):
        plot_frequency_response([1.0, -1.0])
