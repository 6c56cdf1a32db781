"""Chapter 0, images and signals: show images, grids of numbers, signals, animations.

Worked examples are drawn the way the slides draw them: as a grid of numbers
(:func:`annotated_grid`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from html import escape
from textwrap import fill
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from .._validation import (
    _is_int,
    _show,
    check_array,
    check_bool,
    check_float,
    check_instance,
    check_positive_int,
    check_range,
)
from ._base import BOOK_WIDTH, _get_ax, _plt

if TYPE_CHECKING:  # annotations only: matplotlib is imported on first use
    import IPython.display
    from matplotlib.animation import FuncAnimation
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _check_image(image, name: str) -> np.ndarray:
    """A greyscale (H, W) or colour (H, W, 3) / (H, W, 4) image named ``name``."""
    image = check_array(image, name, ndim=(2, 3))
    if image.ndim == 3 and image.shape[2] not in (3, 4):
        raise ValueError(
            f"{name} must be (H, W), (H, W, 3) or (H, W, 4), got {name} with shape "
            f"{image.shape}"
        )
    return image


def show_image(
    image: ArrayLike,
    ax: Axes | None = None,
    *,
    title: str | None = None,
    cmap: str = "gray",
    vmin: float | None = None,
    vmax: float | None = None,
    colorbar: bool = False,
    axis_off: bool = True,
) -> Axes:
    """Show a greyscale (H, W) or colour (H, W, 3) image with square pixels.

    Greyscale images use ``cmap`` (grey by default, so 0 is black). For uint8 images the
    colour range is fixed to [0, 255] unless ``vmin``/``vmax`` say otherwise, so that a
    dark image looks dark instead of being stretched.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        For an image that is not (H, W), (H, W, 3) or (H, W, 4), a ``vmin`` or ``vmax``
        that is not finite, or ``vmin > vmax``.

    Examples
    --------
    >>> import numpy as np
    >>> ax = show_image(np.eye(4), title="identity")
    >>> ax.get_title()
    'identity'
    """
    image = _check_image(image, "image")
    vmin, vmax = check_range(vmin, vmax, ("vmin", "vmax"))
    colorbar = check_bool(colorbar, "colorbar")
    axis_off = check_bool(axis_off, "axis_off")
    ax = _get_ax(ax)
    if image.ndim == 2 and image.dtype == np.uint8:
        vmin = 0 if vmin is None else vmin
        vmax = 255 if vmax is None else vmax
    im = ax.imshow(
        image,
        cmap=cmap if image.ndim == 2 else None,
        vmin=vmin,
        vmax=vmax,
        interpolation="nearest",
    )
    if title is not None:
        ax.set_title(title)
    if axis_off:
        ax.set_axis_off()
    if colorbar:
        ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    return ax


def show_images(
    images: Sequence[ArrayLike],
    titles: Sequence[str] | None = None,
    *,
    ncols: int | None = None,
    size: float | None = None,
    cmap: str = "gray",
    suptitle: str | None = None,
    **kwargs,
) -> Figure:
    """Show several images side by side in a grid; returns the Figure.

    ``images`` is a sequence of images (or an array of them, the first axis indexing
    the images); ``ncols`` is the number of columns (at most one per image; by default
    up to 4) and ``size`` the inches per panel: by default 3, or less so that the
    figure fits the book's column (7.8 inches, 780 px at 100 dpi). Titles are set at
    10 pt and wrapped to the panel's width. ``kwargs`` go to :func:`show_image`
    (``vmin``, ``vmax``, ``colorbar``).

    Raises
    ------
    ValueError
        For no image, an image that :func:`show_image` rejects (named ``images[i]``),
        ``titles`` without one entry per image, ``ncols`` not in 1 to the number of
        images, or a ``size`` that is not positive.

    Examples
    --------
    >>> import numpy as np
    >>> fig = show_images([np.zeros((3, 3)), np.ones((3, 3))], ["zeros", "ones"])
    >>> len(fig.axes)
    2
    """
    check_instance(images, "images", Iterable, "a sequence of images")
    images = [_check_image(image, f"images[{i}]") for i, image in enumerate(images)]
    if not images:
        raise ValueError(
            "images must contain at least one image, got an empty sequence"
        )
    if titles is not None and len(titles) != len(images):
        raise ValueError(
            f"titles must have one entry per image ({len(images)}), got {len(titles)}"
        )
    n = len(images)
    ncols = min(n, 4) if ncols is None else check_positive_int(ncols, "ncols")
    if ncols > n:
        raise ValueError(
            f"ncols must be at most the number of images ({n}), got ncols={ncols}"
        )
    if size is None:
        size = min(3.0, BOOK_WIDTH / ncols)
    size = check_float(size, "size", minimum=0.0, strict=True)
    nrows = -(-n // ncols)
    plt = _plt()
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False
    )
    for i, ax in enumerate(axes.flat):
        if i < n:
            show_image(images[i], ax, cmap=cmap, **kwargs)
            if titles is not None:
                # about 6 characters per inch at 10 pt; a line break in a title stays
                width = max(8, int(6 * size))
                lines = str(titles[i]).split("\n")
                ax.set_title(
                    "\n".join(fill(line, width) for line in lines), fontsize=10
                )
        else:
            ax.set_axis_off()
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def _check_highlight(highlight, shape: tuple[int, int]) -> tuple[int, int, int, int]:
    """``(row, col, height, width)``: four integers, a rectangle of at least one cell
    inside the grid of values, of ``shape``."""
    if (
        not isinstance(highlight, (tuple, list))
        or len(highlight) != 4
        or not all(_is_int(v) for v in highlight)
    ):
        raise TypeError(
            "highlight must be four integers (row, col, height, width), "
            f"got highlight={_show(highlight)}"
        )
    r, c, hh, ww = (int(v) for v in highlight)
    if r < 0 or c < 0 or hh < 1 or ww < 1 or r + hh > shape[0] or c + ww > shape[1]:
        raise ValueError(
            f"highlight must be a rectangle of at least one cell inside values (a "
            f"{shape[0]}x{shape[1]} grid), got highlight={_show(highlight)}"
        )
    return r, c, hh, ww


def annotated_grid(
    values: ArrayLike,
    ax: Axes | None = None,
    *,
    fmt: str = "{:g}",
    cmap: str = "Greys",
    title: str | None = None,
    highlight: tuple[int, int, int, int] | None = None,
    highlight_color: str = "tab:red",
    fontsize: float | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    colors: bool = True,
) -> Axes:
    """Draw a small matrix as a grid of cells with its numbers written in them.

    This is how the slides show worked examples. ``highlight`` is ``(row, col, height,
    width)``: a rectangle drawn around those cells (a sliding window, say), inside the
    grid. ``fontsize`` is in points (at least 1); ``vmin``/``vmax`` set the colour
    range (``vmin <= vmax``); ``colors=False`` leaves the cells white.

    Raises
    ------
    ValueError
        For a ``highlight`` outside the grid or of no cell, a ``fontsize`` below 1, a
        ``vmin`` or ``vmax`` that is not finite, or ``vmin > vmax``.

    Examples
    --------
    >>> ax = annotated_grid([[1, 2], [3, 4]], title="x")
    >>> [t.get_text() for t in ax.texts]
    ['1', '2', '3', '4']
    """
    values = check_array(values, "values", ndim=(1, 2))
    if values.ndim == 1:
        values = values[None, :]
    if highlight is not None:
        highlight = _check_highlight(highlight, values.shape)
    fontsize = (
        None if fontsize is None else check_float(fontsize, "fontsize", minimum=1)
    )
    vmin, vmax = check_range(vmin, vmax, ("vmin", "vmax"))
    colors = check_bool(colors, "colors")
    ax = _get_ax(ax, figsize=(0.5 * values.shape[1] + 0.6, 0.5 * values.shape[0] + 0.6))
    h, w = values.shape
    shown = values.astype(float)
    if colors:
        ax.imshow(
            shown, cmap=cmap, vmin=vmin, vmax=vmax, alpha=0.35, interpolation="nearest"
        )
    else:
        ax.imshow(
            np.zeros_like(shown), cmap="Greys", vmin=0, vmax=1, interpolation="nearest"
        )
    for i in range(h):
        for j in range(w):
            ax.text(
                j,
                i,
                fmt.format(values[i, j]),
                ha="center",
                va="center",
                fontsize=fontsize,
            )
    ax.set_xticks(np.arange(-0.5, w, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, h, 1), minor=True)
    ax.grid(which="minor", color="black", linewidth=0.8)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    ax.set_xticks([])
    ax.set_yticks([])
    if highlight is not None:
        r, c, hh, ww = highlight
        from matplotlib.patches import Rectangle

        ax.add_patch(
            Rectangle(
                (c - 0.5, r - 0.5),
                ww,
                hh,
                fill=False,
                edgecolor=highlight_color,
                linewidth=3,
            )
        )
    if title is not None:
        ax.set_title(title)
    return ax


def plot_signal(
    signal: ArrayLike,
    ax: Axes | None = None,
    *,
    t: ArrayLike | None = None,
    label: str | None = None,
    title: str | None = None,
    xlabel: str = "sample",
    ylabel: str | None = None,
    **kwargs,
) -> Axes:
    """Plot a 1D signal against its sample index (or against ``t``); returns the Axes.

    Examples
    --------
    >>> ax = plot_signal([0.0, 1.0, 0.0], label="spike")
    >>> ax.get_lines()[0].get_ydata().tolist()
    [0.0, 1.0, 0.0]
    """
    signal = check_array(signal, "signal", ndim=1)
    ax = _get_ax(ax, figsize=(BOOK_WIDTH, 2.5))
    x = np.arange(signal.size) if t is None else check_array(t, "t", ndim=1)
    if x.shape != signal.shape:
        raise ValueError(
            f"t must have the signal's shape {signal.shape}, got shape {x.shape}"
        )
    ax.plot(x, signal, label=label, **kwargs)
    ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if label is not None:
        ax.legend(loc="best")
    return ax


#: matplotlib's player draws its buttons with font-awesome icons, a stylesheet from a
#: CDN: these glyphs replace them (the buttons keep their aria-labels), so that the page
#: loads nothing from outside the site. U+FE0E asks for the text form of a triangle,
#: not an emoji.
_BUTTON_GLYPHS = {
    "fa fa-minus": "\u2212",
    "fa fa-fast-backward": "|\u25c0\ufe0e\u25c0\ufe0e",
    "fa fa-step-backward": "|\u25c0\ufe0e",
    "fa fa-play fa-flip-horizontal": "\u25c0\ufe0e",
    "fa fa-pause": "\u275a\u275a",
    "fa fa-play": "\u25b6\ufe0e",
    "fa fa-step-forward": "\u25b6\ufe0e|",
    "fa fa-fast-forward": "\u25b6\ufe0e\u25b6\ufe0e|",
    "fa fa-plus": "+",
}


#: Colours of an animation frame stored as a palette PNG: the frames are diagrams
#: (grids, outlines, a few colour ramps), which 32 colours keep legible (no dithering:
#: flat cells stay flat) in a third of the bytes of matplotlib's RGBA PNG (ch. 1's
#: sliding window with a kernel, 16 frames at 100 dpi: 506 KB -> 126 KB; 128 colours
#: would give 159 KB).
FRAME_COLOURS = 32

_FRAME = re.compile(r'"data:image/png;base64,([A-Za-z0-9+/=\\\n]+)"')


def _palette_png(match: re.Match) -> str:
    """One embedded frame (base64 PNG, in matplotlib's continued lines) as an optimized
    palette PNG."""
    import base64
    import io

    from PIL import Image

    raw = base64.b64decode(match[1].replace("\\\n", ""))
    frame = Image.open(io.BytesIO(raw)).convert("RGB")
    frame = frame.quantize(
        FRAME_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    out = io.BytesIO()
    frame.save(out, format="PNG", optimize=True)
    return f'"data:image/png;base64,{base64.b64encode(out.getvalue()).decode()}"'


def _sub_once(pattern: str, repl, html: str, what: str) -> str:
    """``re.sub`` that must match: a matplotlib whose player changed is reported
    instead of giving a page that silently loads a CDN or lacks its labels."""
    new, n = re.subn(pattern, repl, html)
    if n == 0:
        raise RuntimeError(
            f"animation_html: matplotlib's to_jshtml no longer has {what}; "
            "update dlsip.plotting.images.animation_html"
        )
    return new


def animation_html(
    anim: FuncAnimation, *, alt: str | None = None
) -> IPython.display.HTML:
    """A matplotlib animation as self-contained, accessible HTML that plays in the book.

    matplotlib's ``to_jshtml`` player, with the frames embedded, made to load nothing
    from outside the page and to be usable with a screen reader: its buttons show
    plain glyphs instead of font-awesome icons from a CDN, the frame image has the alt
    text ``alt``, the frame slider is labelled, and the repetition-mode form has no
    ``action`` (a link to a missing anchor). Closes the animation's figure so that the
    notebook does not also show its last frame. The frames are stored as palette PNGs
    of at most :data:`FRAME_COLOURS` colours, which keeps the page light.

    Parameters
    ----------
    anim : matplotlib.animation.Animation
    alt : str, optional
        What the animation shows, for readers who cannot see it (the frame image's alt
        text), e.g. ``"a 3 x 3 window sliding over a 6 x 6 image, writing the maximum
        of each position into the output"``. By default only the number of frames is
        said: pass a description.

    Returns
    -------
    IPython.display.HTML
        Make it the last expression of a cell.

    Raises
    ------
    TypeError
        If ``anim`` is not a matplotlib animation or ``alt`` is not a string.
    ValueError
        If ``alt`` is blank.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from matplotlib.animation import FuncAnimation
    >>> fig, ax = plt.subplots()
    >>> anim = FuncAnimation(fig, lambda i: [], frames=2)
    >>> html = animation_html(anim, alt="nothing moves").data
    >>> 'alt="nothing moves"' in html, "font-awesome" in html
    (True, False)
    """
    from IPython.display import HTML
    from matplotlib.animation import Animation

    check_instance(anim, "anim", Animation, "a matplotlib animation")
    if alt is not None:
        check_instance(alt, "alt", str, "a text saying what the animation shows")
        if not alt.strip():
            raise ValueError(
                f"alt must say what the animation shows, got alt={_show(alt)}"
            )
    html = anim.to_jshtml(default_mode="loop")
    _plt().close(anim._fig)
    if alt is None:
        frames = len(re.findall(r"frames\[\d+\] = ", html))
        alt = f"An animation of {frames} frames"
    html = _sub_once(
        r'<link rel="stylesheet"\s+href="[^"]*font-awesome[^"]*">',
        "",
        html,
        "the font-awesome stylesheet",
    )
    for icon, glyph in _BUTTON_GLYPHS.items():
        html = _sub_once(
            rf'<i class="{icon}"></i>',
            f'<span aria-hidden="true">{glyph}</span>',
            html,
            f"the {icon!r} icon",
        )
    html = _sub_once(
        r'<img id="(_anim_img\w+)">',
        lambda m: f'<img id="{m[1]}" alt="{escape(alt, quote=True)}">',
        html,
        "the frame image",
    )
    html = _sub_once(
        r'<input id="(_anim_slider\w+)" type="range"',
        r'<input id="\1" type="range" aria-label="Frame shown"',
        html,
        "the frame slider",
    )
    html = _sub_once(r'\s+action="#n"', "", html, 'the form action="#n"')
    html = _sub_once(_FRAME, _palette_png, html, "frames embedded as PNG")
    return HTML(html)


#: JPEG quality of :func:`as_image` for photographs: at 85 they look like the PNG at a
#: quarter of its bytes or less (ch. 6's astronaut and its grey version: 270 KB as
#: matplotlib's RGBA PNG, 42 KB).
JPEG_QUALITY = 85

#: Colours of a drawing stored by :func:`as_image`: line art and grids of numbers keep
#: their flat colours and sharp edges in a palette PNG of 256 colours (no dithering),
#: at about 40% of the bytes of matplotlib's RGBA PNG (ch. 1's eleven drawings: 287 KB
#: -> 114 KB).
DRAWING_COLOURS = 256


def as_image(
    fig: Figure, *, photo: bool = False, quality: int = JPEG_QUALITY
) -> IPython.display.Image:
    """A figure as a light image to show in a notebook: PNG for a drawing, JPEG for a
    photograph.

    Line art, plots and grids of numbers are stored as a PNG of at most
    :data:`DRAWING_COLOURS` colours: lossless where it matters (edges, text, flat
    cells). Photographs (``photo=True``) are stored as JPEG, which looks the same at a
    fraction of a PNG's bytes, where it would blur a drawing's edges. Make
    ``as_image(fig)`` the last expression of a cell instead of ``plt.show()``. The
    figure is saved as the notebook saves figures (its dpi, trimmed to what is drawn)
    on white, and closed, so that it is not shown a second time.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    photo : bool
        True for a figure of photographs: JPEG instead of PNG.
    quality : int
        JPEG quality of a photograph, from 1 (smallest) to 95 (best), Pillow's scale.

    Returns
    -------
    IPython.display.Image
        Make it the last expression of a cell.

    Raises
    ------
    TypeError
        If ``fig`` is not a matplotlib figure, ``photo`` not a bool or ``quality`` not
        an integer.
    ValueError
        If ``quality`` is not between 1 and 95.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig = show_images([np.eye(8), np.ones((8, 8))], ["identity", "ones"])
    >>> as_image(fig).format, plt.fignum_exists(fig.number)
    ('png', False)
    >>> as_image(show_images([np.eye(8)]), photo=True).format
    'jpeg'
    """
    import io

    from IPython.display import Image
    from matplotlib.figure import Figure
    from PIL import Image as PILImage

    check_instance(fig, "fig", Figure, "a matplotlib figure")
    photo = check_bool(photo, "photo")
    quality = check_positive_int(quality, "quality")
    if quality > 95:
        raise ValueError(
            f"quality must be between 1 and 95 (Pillow's scale), got quality={quality}"
        )
    rendered = io.BytesIO()
    fig.savefig(rendered, format="png", bbox_inches="tight", facecolor="white")
    _plt().close(fig)
    picture = PILImage.open(rendered).convert("RGB")
    out = io.BytesIO()
    if photo:
        # optimize and progressive: 7% fewer bytes for the same picture
        picture.save(
            out, format="JPEG", quality=quality, optimize=True, progressive=True
        )
    else:
        picture = picture.quantize(
            DRAWING_COLOURS,
            method=PILImage.Quantize.MEDIANCUT,
            dither=PILImage.Dither.NONE,
        )
        picture.save(out, format="PNG", optimize=True)
    return Image(data=out.getvalue(), format="jpeg" if photo else "png")
