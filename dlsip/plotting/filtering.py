"""Chapter 1, image filtering: a window sliding over an image, border modes, and a
kernel's frequency response."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from .._validation import (
    check_allocation,
    check_array,
    check_choice,
    check_float,
    check_instance,
    check_nonneg_int,
    check_pair,
    check_positive_int,
)
from ..arithmetic import conv_output_size
from ._base import ANIMATION_DPI, BOOK_WIDTH, MAX_GRID_CELLS, _get_ax, _plt
from .images import annotated_grid

if TYPE_CHECKING:  # annotations only: matplotlib is imported on first use
    from matplotlib.animation import FuncAnimation
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def animate_window(
    image: ArrayLike,
    lens: ArrayLike | str | Callable,
    *,
    size: int | tuple[int, int] = 3,
    interval: int = 700,
    dpi: int = ANIMATION_DPI,
    fmt: str = "{:g}",
    title: str | None = None,
) -> FuncAnimation:
    """Animate a lens sliding over a small image, one frame per output pixel ("valid").

    Left: the image as a grid of numbers with the window outlined; for a weighted sum
    the kernel is drawn beside it; right: the output, filled in as the window moves.
    Show it in a notebook with :func:`animation_html`; keep the image small (6x6 to
    8x8).

    Parameters
    ----------
    image : array_like, shape (H, W)
    lens : array_like, shape (kH, kW), or str, or callable
        A kernel (the weighted sum, :func:`dlsip.filters.correlate2d`), or a statistic
        of
        :func:`dlsip.filters.window_filter` ("sum", "mean", "max", "min", "median", a
        function).
    size : int or (int, int)
        Window size for a statistic (ignored for a kernel).
    interval : int
        Milliseconds per frame (a positive integer).
    dpi : int
        Resolution of the frames (a positive integer). At the default 100 dpi, the
        resolution the book shows figures at, a cell is 36 px and its number 14 px
        high; a 6x6 image gives frames 460 px wide (620 px with a kernel).
    fmt : str
        Format of the numbers in the grids.
    title : str, optional
        A prefix of each frame's title.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        With attributes ``positions`` (the window's top-left corners, row-major) and
        ``output`` (the filtered image).

    Raises
    ------
    ValueError
        If the window does not fit the image, for an unknown statistic, and as the
        filters do.

    Examples
    --------
    >>> import numpy as np
    >>> anim = animate_window(np.arange(16).reshape(4, 4), "max")
    >>> anim.positions
    [(0, 0), (0, 1), (1, 0), (1, 1)]
    >>> anim.output
    array([[10, 11],
           [14, 15]])
    >>> from dlsip.plotting import animation_html
    >>> animation_html(anim).data.count("data:image/png")
    4
    """
    from matplotlib.animation import FuncAnimation

    from .. import filters

    image = check_array(image, "image", ndim=2)
    is_kernel = not (isinstance(lens, str) or callable(lens))
    if isinstance(lens, str):
        check_choice(lens, "lens", filters.STATISTICS)
    elif is_kernel:
        kernel = check_array(lens, "lens", ndim=2)
    kh, kw = kernel.shape if is_kernel else check_pair(size, "size")
    interval = check_positive_int(interval, "interval")
    dpi = check_positive_int(dpi, "dpi")
    if kh > image.shape[0] or kw > image.shape[1]:
        what = f"lens of shape {(kh, kw)}" if is_kernel else f"size {(kh, kw)}"
        raise ValueError(f"{what} does not fit the image of shape {image.shape}")
    if is_kernel:
        output = filters.correlate2d(image, kernel)
        name = "weighted sum"
    else:
        full = filters.window_filter(image, lens, size=(kh, kw))  # "same" size: crop it
        oh, ow = conv_output_size(image.shape, (kh, kw))
        output = full[kh // 2 : kh // 2 + oh, kw // 2 : kw // 2 + ow]
        name = lens if isinstance(lens, str) else getattr(lens, "__name__", "statistic")
    oh, ow = output.shape
    positions = [(i, j) for i in range(oh) for j in range(ow)]
    plt = _plt()
    ncols = 3 if is_kernel else 2
    widths = [image.shape[1], kw, ow] if is_kernel else [image.shape[1], ow]
    fig, axes = plt.subplots(
        1,
        ncols,
        dpi=dpi,
        gridspec_kw={"width_ratios": widths},
        figsize=(0.36 * sum(widths) + 0.5 * ncols, 0.36 * image.shape[0] + 0.9),
    )
    lo, hi = float(np.min(image)), float(np.max(image))
    # Draw everything once; each frame then only moves the two outlines and reveals one
    # output value, which keeps rendering fast.
    annotated_grid(
        image,
        axes[0],
        fmt=fmt,
        highlight=(0, 0, kh, kw),
        vmin=lo,
        vmax=hi,
        title="input",
    )
    if is_kernel:
        annotated_grid(kernel, axes[1], fmt=fmt, cmap="coolwarm", title="kernel")
    out_lo, out_hi = float(np.min(output)), float(np.max(output))
    annotated_grid(
        output, axes[-1], fmt=fmt, highlight=(0, 0, 1, 1), vmin=out_lo, vmax=out_hi
    )
    window, cell = axes[0].patches[-1], axes[-1].patches[-1]
    shown = np.full(output.shape, np.nan)
    prefix = f"{title}: " if title else ""

    def draw(frame):
        i, j = positions[frame]
        window.set_xy((j - 0.5, i - 0.5))
        cell.set_xy((j - 0.5, i - 0.5))
        shown.fill(np.nan)
        shown.flat[: frame + 1] = output.flat[: frame + 1]
        axes[-1].images[0].set_data(
            np.ma.masked_invalid(shown)
        )  # not yet computed: blank
        for n, text in enumerate(axes[-1].texts):
            text.set_text(fmt.format(output.flat[n]) if n <= frame else "")
        axes[-1].set_title(
            f"{prefix}{name} at ({i}, {j}) = {fmt.format(output[i, j])}", fontsize=10
        )
        return []

    anim = FuncAnimation(
        fig, draw, frames=len(positions), interval=interval, blit=False
    )
    anim.positions = positions
    anim.output = output
    return anim


def show_padding(
    image: ArrayLike,
    pad_width: int,
    modes: Sequence[str],
    *,
    cval: float = 0.0,
    fmt: str = "{:g}",
    size: float | None = None,
) -> Figure:
    """Show how each border mode fills the padding around a small image.

    The original pixels are outlined, so the filled border stands out.

    Parameters
    ----------
    image : array_like, shape (H, W)
    pad_width : int
        Pixels added on every side (the padded image may have at most 1024 cells).
    modes : list or tuple of str
        Border modes of :func:`dlsip.filters.pad` (at least one).
    cval : float
        Fill value of ``"constant"``.
    fmt : str
    size : float, optional
        Inches per panel (positive); by default 2.6, or less so that the figure fits
        the book's column (7.8 inches).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = show_padding([[1, 2], [3, 4]], 2, ["constant", "wrap"])
    >>> [ax.get_title() for ax in fig.axes]
    ['constant', 'wrap']
    """
    from ..filters import MODES, pad

    image = check_array(image, "image", ndim=2)
    pad_width = check_nonneg_int(pad_width, "pad_width")
    check_allocation(
        (image.shape[0] + 2 * pad_width, image.shape[1] + 2 * pad_width),
        f"image of shape {image.shape} and pad_width={pad_width}",
        what="a padded grid to draw",
        limit=MAX_GRID_CELLS,
    )
    check_instance(modes, "modes", (list, tuple), "a list of border modes")
    if not modes:
        raise ValueError(f"modes must name at least one border mode, got {modes=}")
    modes = [check_choice(m, f"modes[{i}]", MODES) for i, m in enumerate(modes)]
    if size is None:
        size = min(2.6, BOOK_WIDTH / len(modes))
    size = check_float(size, "size", minimum=0.0, strict=True)
    # pad first: a bad pad_width or cval is refused before anything is drawn
    width = ((pad_width, pad_width), (pad_width, pad_width))
    grids = [pad(image, width, mode=mode, cval=cval) for mode in modes]
    plt = _plt()
    fig, axes = plt.subplots(
        1, len(modes), figsize=(size * len(modes), size), squeeze=False
    )
    h, w = image.shape
    for ax, mode, padded in zip(axes[0], modes, grids):
        annotated_grid(
            padded,
            ax,
            fmt=fmt,
            title=mode,
            highlight=(pad_width, pad_width, h, w),
            vmin=float(np.min(image)),
            vmax=float(np.max(image)),
        )
    fig.tight_layout()
    return fig


def plot_frequency_response(
    kernel: ArrayLike,
    *,
    label: str | None = None,
    ax: Axes | None = None,
    n_fft: int = 4096,
    floor_db: float = -120.0,
) -> Axes:
    r"""Plot a 1D kernel's magnitude response in dB against frequency.

    Draws :math:`20 \log_{10} |H(f)| / |H(0)|` from
    :func:`dlsip.filters.frequency_response`, for f from 0 to 0.5 cycles per sample,
    clipped below at ``floor_db`` (a zero of H would be minus infinity). Call it once
    per kernel on the same Axes to compare kernels.

    Parameters
    ----------
    kernel : array_like, shape (k,)
        A low-pass kernel (its response at frequency 0 is the reference, 0 dB).
    label : str, optional
        Legend entry of the curve.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure by default.
    n_fft : int
        FFT length (at least k).
    floor_db : float
        Lowest level drawn (negative).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    TypeError
        For a non-numeric kernel or a label that is not a string.
    ValueError
        For a kernel that is not 1D, is empty or sums to 0, a bad n_fft, or floor_db
        not negative.

    Examples
    --------
    >>> ax = plot_frequency_response(np.ones(5) / 5, label="box, 5 taps")
    >>> ax.get_lines()[0].get_label(), bool(ax.get_ylim()[0] >= -125)
    ('box, 5 taps', True)
    """
    from ..filters import frequency_response

    if label is not None:
        check_instance(label, "label", str, "a string")
    floor_db = check_float(floor_db, "floor_db")
    if floor_db >= 0:
        raise ValueError(f"floor_db must be negative, got floor_db={floor_db}")
    frequencies, response = frequency_response(kernel, n_fft=n_fft)
    magnitude = np.abs(response)
    if magnitude[0] <= 1e-12 * np.abs(np.asarray(kernel, dtype=float)).sum():
        raise ValueError(
            "kernel must be a low-pass kernel with a response at frequency 0, got a "
            "kernel whose response at 0 vanishes"
        )
    with np.errstate(divide="ignore"):
        level = 20 * np.log10(magnitude / magnitude[0])
    ax = _get_ax(ax, figsize=(6, 3))
    ax.plot(frequencies, np.maximum(level, floor_db), lw=1.2, label=label)
    ax.set_xlim(0, 0.5)
    ax.set_ylim(floor_db - 5, 5)
    ax.set_xlabel("frequency (cycles per sample)")
    ax.set_ylabel("|H| (dB)")
    if label is not None:
        ax.legend(fontsize=8)
    return ax
