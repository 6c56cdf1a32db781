"""dlsip.plotting.images: the chapter 0 helpers draw what they are given, return their
Axes or Figure, and reject bad input with a message naming the argument."""

from __future__ import annotations

import re
from html.parser import HTMLParser

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


def test_show_images_wraps_long_titles_and_keeps_line_breaks():
    fig = plotting.show_images(
        [np.zeros((2, 2))] * 2, ["a title far too long for its panel", "true 4\nsaid 9"]
    )
    long, broken = (ax.get_title() for ax in fig.axes)
    assert long.replace("\n", " ") == "a title far too long for its panel"
    assert long.count("\n") >= 1 and broken == "true 4\nsaid 9"


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


class _Tags(HTMLParser):
    """Every start tag of an HTML text as ``(tag, attributes)``, with the text inside
    each button."""

    def __init__(self, text: str):
        super().__init__()
        self.tags, self.button_text, self._in_button = [], [], False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "button":
            self._in_button = True
            self.button_text.append("")

    def handle_endtag(self, tag):
        if tag == "button":
            self._in_button = False

    def handle_data(self, data):
        if self._in_button:
            self.button_text[-1] += data.strip()

    def find(self, tag, **attrs):
        return [
            a
            for t, a in self.tags
            if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


def _animation(frames=3):
    from matplotlib.animation import FuncAnimation

    fig, ax = plt.subplots(figsize=(2, 1), dpi=50)
    (line,) = ax.plot([0, 1], [0, 1])
    return FuncAnimation(fig, lambda i: line.set_ydata([0, i]), frames=frames)


def test_animation_html_is_self_contained_and_closes_figure():
    anim = _animation()
    html = plotting.animation_html(anim, alt="a line rising").data
    assert "<script" in html and html.count("data:image/png;base64") == 3
    assert not plt.fignum_exists(anim._fig.number)


def test_animation_html_loads_nothing_from_outside_the_page():
    html = plotting.animation_html(_animation(), alt="a line rising").data
    tags = _Tags(html)
    assert not tags.find("link"), "a stylesheet link (matplotlib's font-awesome CDN)"
    urls = [a[k] for _, a in tags.tags for k in ("src", "href", "action") if a.get(k)]
    assert urls == [], urls
    assert "font-awesome" not in html and "fa fa-" not in html
    assert not re.search(r"https?://", html), "a URL left in the player"


def test_animation_html_buttons_show_glyphs_and_keep_their_labels():
    tags = _Tags(plotting.animation_html(_animation(), alt="a line rising").data)
    buttons = tags.find("button")
    labels = [b.get("aria-label") for b in buttons]
    assert labels == [
        "Decrease speed",
        "First frame",
        "Previous frame",
        "Play backwards",
        "Pause",
        "Play",
        "Next frame",
        "Last frame",
        "Increase speed",
    ]
    assert len(tags.button_text) == 9 and all(tags.button_text), tags.button_text
    assert len(set(tags.button_text)) == 9, "two buttons look the same"
    # the glyphs are decoration: the label is what a screen reader says
    assert len(tags.find("span", **{"aria-hidden": "true"})) == 9


def test_animation_html_frame_image_has_the_alt_text_given():
    alt = 'a 3 x 3 window sliding "left to right" & <down>'
    tags = _Tags(plotting.animation_html(_animation(), alt=alt).data)
    (img,) = tags.find("img")
    assert img["alt"] == alt  # escaped in the HTML, read back unchanged
    assert img["id"].startswith("_anim_img")


def test_animation_html_default_alt_counts_the_frames():
    tags = _Tags(plotting.animation_html(_animation(frames=4)).data)
    assert tags.find("img")[0]["alt"] == "An animation of 4 frames"


def test_animation_html_slider_is_labelled_and_form_has_no_action():
    html = plotting.animation_html(_animation(), alt="a line rising").data
    tags = _Tags(html)
    (slider,) = tags.find("input", type="range")
    assert slider.get("aria-label", "").strip()
    (form,) = tags.find("form")
    assert "action" not in form, form  # action="#n" was a link to a missing anchor
    # the player finds its repetition mode through the form's name: kept
    assert (
        form["name"].startswith("_anim_loop_select")
        and form["name"] in html.split("<script", 2)[-1]
    )
    radios = tags.find("input", type="radio")
    labelled = {a["for"] for a in tags.find("label")}
    assert [r["id"] in labelled for r in radios] == [True] * 3


@pytest.mark.filterwarnings("ignore:Animation was deleted without rendering")
@pytest.mark.parametrize(
    "alt, error, match",
    [
        (0, TypeError, "alt must be a text saying what the animation shows, got alt=0"),
        (["a"], TypeError, "alt must be a text"),
        ("", ValueError, "alt must say what the animation shows, got alt=''"),
        ("  ", ValueError, "alt must say what the animation shows"),
    ],
)
def test_animation_html_rejects_a_bad_alt(alt, error, match):
    anim = _animation()
    with pytest.raises(error, match=match):
        plotting.animation_html(anim, alt=alt)


# ---- invalid arguments are refused before drawing, naming the argument ----


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"colorbar": 0}, TypeError, "colorbar must be True or False, got colorbar=0"),
        ({"colorbar": "yes"}, TypeError, "colorbar must be True or False"),
        ({"axis_off": 1}, TypeError, "axis_off must be True or False, got axis_off=1"),
        ({"vmin": float("nan")}, ValueError, "vmin must be finite, got vmin=nan"),
        ({"vmax": float("inf")}, ValueError, "vmax must be finite, got vmax=inf"),
        ({"vmin": ""}, TypeError, "vmin must be a real number, got vmin=''"),
        ({"vmax": "1"}, TypeError, "vmax must be a real number, got vmax='1'"),
        (
            {"vmin": 2.0, "vmax": 1.0},
            ValueError,
            "vmin must be <= vmax, got vmin=2.0 and vmax=1.0",
        ),
        (
            {"image": np.zeros((2, 2, 5))},
            ValueError,
            r"image must be \(H, W\), \(H, W, 3\) or \(H, W, 4\), got image with shape",
        ),
    ],
)
def test_show_image_rejects_bad_arguments(kwargs, error, match):
    kwargs = {"image": np.eye(3), **kwargs}
    with pytest.raises(error, match=match):
        plotting.show_image(**kwargs)


def test_show_image_takes_an_equal_vmin_and_vmax():
    ax = plotting.show_image(np.eye(3), vmin=1, vmax=1)
    assert ax.images[0].get_clim() == (1.0, 1.0)
    plt.close(ax.figure)


@pytest.mark.parametrize(
    "images, kwargs, error, match",
    [
        (None, {}, TypeError, "images must be a sequence of images, got images=None"),
        (3, {}, TypeError, "images must be a sequence of images, got images=3"),
        (
            [np.eye(3), np.full((3, 3), "a")],
            {},
            TypeError,
            r"images\[1\] must have a real numeric dtype",
        ),
        (
            [np.eye(3), np.zeros((0, 3))],
            {},
            ValueError,
            r"images\[1\] must not be empty",
        ),
        (np.zeros((2, 3)), {}, ValueError, r"images\[0\] must be 2D or 3D"),
        (
            np.zeros((2, 3, 3, 1)),
            {},
            ValueError,
            r"images\[0\] must be \(H, W\), \(H, W, 3\) or \(H, W, 4\)",
        ),
        ([np.eye(3)] * 2, {"ncols": 0}, ValueError, "ncols must be a positive integer"),
        ([np.eye(3)] * 2, {"ncols": False}, TypeError, "ncols must be an integer"),
        ([np.eye(3)] * 2, {"ncols": 0.5}, TypeError, "ncols must be an integer"),
        (
            [np.eye(3)] * 2,
            {"ncols": 10**12},
            ValueError,
            r"ncols must be at most the number of images \(2\), got ncols=",
        ),
        ([np.eye(3)] * 2, {"size": 0.0}, ValueError, "size must be > 0.0, got size=0"),
        ([np.eye(3)] * 2, {"size": ""}, TypeError, "size must be a real number"),
        (
            [np.eye(3)] * 2,
            {"size": float("nan")},
            ValueError,
            "size must be finite, got size=nan",
        ),
    ],
)
def test_show_images_rejects_bad_arguments(images, kwargs, error, match):
    with pytest.raises(error, match=match):
        plotting.show_images(images, **kwargs)
    assert not plt.get_fignums()  # refused before any figure was made


def test_show_images_takes_an_array_of_colour_images():
    fig = plotting.show_images(np.zeros((3, 4, 5, 3)))
    assert [ax.images[0].get_array().shape for ax in fig.axes] == [(4, 5, 3)] * 3
    plt.close(fig)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            {"highlight": (0, 1)},
            TypeError,
            r"highlight must be four integers .*\(0, 1\)",
        ),
        ({"highlight": "abc"}, TypeError, "highlight must be four integers"),
        ({"highlight": (0.5, 1, 1, 1)}, TypeError, "highlight must be four integers"),
        ({"highlight": (True, 0, 1, 1)}, TypeError, "highlight must be four integers"),
        (
            {"highlight": (0, 1, 0, 1)},
            ValueError,
            r"highlight must be a rectangle of at least one cell inside values "
            r"\(a 2x2 grid\), got highlight=\(0, 1, 0, 1\)",
        ),
        ({"highlight": (0, 1, -1, 1)}, ValueError, "at least one cell inside values"),
        ({"highlight": (-1, 0, 1, 1)}, ValueError, "at least one cell inside values"),
        ({"highlight": (5, 5, 1, 1)}, ValueError, "at least one cell inside values"),
        ({"highlight": (1, 0, 2, 1)}, ValueError, "at least one cell inside values"),
        ({"fontsize": 0}, ValueError, "fontsize must be >= 1, got fontsize=0"),
        ({"fontsize": 0.5}, ValueError, "fontsize must be >= 1, got fontsize=0.5"),
        ({"fontsize": False}, TypeError, "fontsize must be a real number"),
        ({"vmin": float("nan")}, ValueError, "vmin must be finite"),
        ({"vmax": ""}, TypeError, "vmax must be a real number"),
        ({"vmin": 5.0, "vmax": 0.0}, ValueError, "vmin must be <= vmax"),
        ({"colors": 0}, TypeError, "colors must be True or False, got colors=0"),
        ({"colors": "yes"}, TypeError, "colors must be True or False"),
    ],
)
def test_annotated_grid_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        plotting.annotated_grid([[1, 2], [3, 4]], **kwargs)
    assert not plt.get_fignums()


def test_annotated_grid_highlight_may_cover_the_whole_grid():
    ax = plotting.annotated_grid([[1, 2], [3, 4]], highlight=[0, 0, 2, 2], fontsize=7.5)
    assert (ax.patches[0].get_width(), ax.patches[0].get_height()) == (2, 2)
    assert ax.texts[0].get_fontsize() == 7.5
    plt.close(ax.figure)


@pytest.mark.parametrize("anim", [0, "abc", None])
def test_animation_html_rejects_what_is_not_an_animation(anim):
    with pytest.raises(
        TypeError, match="anim must be a matplotlib animation, got anim="
    ):
        plotting.animation_html(anim)


def test_animation_html_says_when_matplotlib_changed_its_player(monkeypatch):
    anim = _animation()
    monkeypatch.setattr(anim, "to_jshtml", lambda **kwargs: "<div>a new player</div>")
    with pytest.raises(RuntimeError, match="no longer has the font-awesome stylesheet"):
        plotting.animation_html(anim, alt="a line rising")


def _frames(html: str) -> list:
    """The embedded frames of an animation's HTML, as PIL images."""
    import base64
    import io

    from PIL import Image

    found = re.findall(r'"data:image/png;base64,([A-Za-z0-9+/=\\\n]+)"', html)
    return [
        Image.open(io.BytesIO(base64.b64decode(f.replace("\\\n", "")))) for f in found
    ]


def test_animation_html_stores_frames_as_small_palette_pngs():
    from dlsip.plotting.images import FRAME_COLOURS

    anim = plotting.conv_arithmetic_animation(5, 3, padding=1)
    before = _frames(anim.to_jshtml())
    after = _frames(plotting.animation_html(anim, alt="a convolution").data)
    assert len(after) == len(before) == 25
    assert {f.size for f in after} == {f.size for f in before}
    assert {f.mode for f in after} == {"P"}
    assert max(len(f.getcolors(256)) for f in after) <= FRAME_COLOURS
    # the same picture: 99% of pixels within 8 levels of matplotlib's frame, the rest
    # (antialiased edges of lines and glyphs) within 48
    first = np.asarray(before[0].convert("RGB"), dtype=int)
    diff = np.abs(np.asarray(after[0].convert("RGB"), dtype=int) - first).max(axis=2)
    assert np.mean(diff <= 8) >= 0.99 and diff.max() <= 48


@pytest.mark.parametrize("n", [1, 2, 4, 6, 9])
def test_show_images_fits_the_book_column_by_default(n):
    from dlsip.plotting._base import BOOK_WIDTH

    fig = plotting.show_images([np.eye(3)] * n, [f"panel {i}" for i in range(n)])
    width, _ = fig.get_size_inches()
    assert width <= BOOK_WIDTH + 1e-9
    assert width == pytest.approx(min(3.0 * min(n, 4), BOOK_WIDTH))
    assert {ax.title.get_fontsize() for ax in fig.axes if ax.images} == {10}


def test_show_images_wraps_long_titles_to_the_panel():
    title = "channels reversed (BGR shown as RGB)"
    fig = plotting.show_images([np.eye(3)] * 4, [title] * 4)
    shown = fig.axes[0].get_title()
    assert "\n" in shown and shown.replace("\n", " ") == title
    assert max(len(line) for line in shown.splitlines()) <= 6 * 7.8 / 4


def test_show_images_keeps_an_explicit_size():
    fig = plotting.show_images([np.eye(3)] * 4, size=1.0)
    assert tuple(fig.get_size_inches()) == (4.0, 1.0)


def test_plot_signal_fits_the_book_column():
    from dlsip.plotting._base import BOOK_WIDTH

    ax = plotting.plot_signal(np.zeros(5))
    assert ax.figure.get_size_inches()[0] <= BOOK_WIDTH


def _photo_figure():
    # Two photographs: the kind of figure stored as JPEG.
    from skimage import data

    return plotting.show_images([data.camera(), data.coins()], ["a", "b"], size=3.0)


def _drawing_figure():
    # Grids of numbers in colour, text and a plot: the kind of figure stored as PNG.
    fig, axes = plt.subplots(1, 3, figsize=(7.8, 2.6))
    plotting.annotated_grid(np.arange(36).reshape(6, 6), axes[0], title="grid")
    plotting.annotated_grid(np.eye(4), axes[1], cmap="coolwarm", highlight=(0, 0, 2, 2))
    axes[2].plot(np.sin(np.linspace(0, 10, 200)), label="sine")
    axes[2].legend()
    return fig


def _png_of(fig):
    import io

    from PIL import Image

    out = io.BytesIO()
    fig.savefig(out, format="png", bbox_inches="tight")
    return out.getvalue(), np.asarray(Image.open(out).convert("RGB"), float)


def _pixels(image):
    import io

    from PIL import Image

    decoded = Image.open(io.BytesIO(image.data))
    return decoded, np.asarray(decoded.convert("RGB"), float)


@pytest.mark.parametrize("photo", [False, True])
def test_as_image_is_the_figure_lighter_and_closes_it(photo):
    fig = _photo_figure() if photo else _drawing_figure()
    png, reference = _png_of(fig)
    image = plotting.as_image(fig, photo=photo)
    assert not plt.fignum_exists(fig.number)  # not shown a second time
    kind = "jpeg" if photo else "png"
    assert image.format == kind
    assert image._repr_mimebundle_()[0].keys() == {f"image/{kind}"}
    decoded, pixels = _pixels(image)
    # The same picture, trimmed as the notebook trims it, at the figure's dpi ...
    assert decoded.format == kind.upper() and pixels.shape == reference.shape
    diff = np.abs(pixels - reference).max(axis=-1)
    if photo:
        assert decoded.mode == "RGB"
        assert np.percentile(diff, 99) < 24 and diff.mean() < 3
    else:  # a palette PNG: flat colours, edges and text within a few levels
        assert decoded.mode == "P" and len(decoded.getcolors()) <= 256
        assert np.mean(diff <= 8) > 0.99 and diff.mean() < 1
    # ... in a fraction of the bytes of matplotlib's PNG.
    assert len(image.data) < len(png) / 2


def test_as_image_jpeg_quality_trades_bytes_for_detail():
    low = plotting.as_image(_photo_figure(), photo=True, quality=30)
    high = plotting.as_image(_photo_figure(), photo=True, quality=95)
    assert len(low.data) < len(high.data) / 2


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"fig": "figure"}, TypeError, "fig must be a matplotlib figure"),
        ({"photo": "yes"}, TypeError, "photo must be"),
        ({"quality": 0}, ValueError, "quality must be a positive integer"),
        ({"quality": 96}, ValueError, "quality must be between 1 and 95"),
        ({"quality": 85.0}, TypeError, "quality must be an integer"),
    ],
)
def test_as_image_rejects_bad_input(kwargs, error, message):
    args = {"fig": plt.figure(), **kwargs}
    with pytest.raises(error, match=message):
        plotting.as_image(**args)
