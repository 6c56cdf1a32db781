"""Chapters 2 and 6, convolution arithmetic: sliding kernels, convolution matrices and
stacks of dilated convolutions, drawn in the style of Dumoulin & Visin's figures."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from .._validation import (
    _show,
    check_allocation,
    check_array,
    check_bool,
    check_instance,
    check_nonneg_int,
    check_pair,
    check_positive_int,
)
from ..arithmetic import conv_output_size, receptive_field
from ._base import ANIMATION_DPI, MAX_CONNECTIONS, MAX_GRID_CELLS, _get_ax, _plt

if TYPE_CHECKING:  # annotations only: matplotlib is imported on first use
    from matplotlib.animation import FuncAnimation
    from matplotlib.axes import Axes


def _conv_geometry_args(size, kernel_size, stride, padding, dilation):
    size = check_positive_int(size, "size")
    kernel_size = check_positive_int(kernel_size, "kernel_size")
    stride = check_positive_int(stride, "stride")
    padding = check_nonneg_int(padding, "padding")
    dilation = check_positive_int(dilation, "dilation")
    full = size + 2 * padding
    check_allocation(
        (full, full),
        f"size={size} and padding={padding}",
        what="a padded input grid to draw",
        limit=MAX_GRID_CELLS,
    )
    out = conv_output_size(
        size, kernel_size, stride=stride, padding=padding, dilation=dilation
    )
    return size, kernel_size, stride, padding, dilation, out


def _frame_figsize(full: int, out: int) -> tuple[float, float]:
    """Inches of a convolution frame: 0.32 inch a cell (32 px at 100 dpi), the padded
    input of side ``full``, a gap of 1.5 cells and the output of side ``out``; at
    least 4.2 inches wide, so that a small example is not a thumbnail."""
    width = 0.32 * (full + 1.5 + out) + 0.4
    return max(width, 4.2), 0.32 * max(full, out) + 0.6


def conv_arithmetic_frame(
    size: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    position: tuple[int, int] = (0, 0),
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Draw one step of a 2D convolution in the style of Dumoulin & Visin's figures.

    Left: the padded input (blue cells, padding as dashed white cells) with the kernel's
    taps shaded where the kernel sits for output ``position``. Right: the output grid,
    with the cell being computed filled. Square inputs and kernels.

    Parameters
    ----------
    size, kernel_size, stride, padding, dilation : int
        As for :func:`dlsip.arithmetic.conv_output_size`. The padded input, of side
        ``size + 2 * padding``, may have at most 32 x 32 cells (a larger grid cannot be
        read).
    position : (int, int)
        The output cell (row, column) being computed.
    ax : matplotlib.axes.Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If the kernel does not fit, the padded input has more than 32 x 32 cells, or
        ``position`` lies outside the output.

    Examples
    --------
    >>> ax = conv_arithmetic_frame(5, 3, padding=1, position=(0, 0))
    >>> len(ax.patches)  # 7x7 padded input + 3x3 taps + 5x5 output + 1 current output
    84
    """
    from matplotlib.patches import Rectangle

    size, k, s, p, d, out = _conv_geometry_args(
        size, kernel_size, stride, padding, dilation
    )
    row, col = check_pair(position, "position", minimum=0)
    if row >= out or col >= out:
        raise ValueError(
            f"position must be a (row, column) pair inside the {out}x{out} output, "
            f"got position={position!r}"
        )
    full = size + 2 * p
    gap = 1.5
    ax = _get_ax(ax, figsize=_frame_figsize(full, out))
    # matplotlib's y axis points up; row 0 is drawn at the top
    for r in range(full):
        for c in range(full):
            pad = not (p <= r < p + size and p <= c < p + size)
            ax.add_patch(
                Rectangle(
                    (c, full - 1 - r),
                    1,
                    1,
                    facecolor="white" if pad else "#9ecae1",
                    edgecolor="#6b6b6b",
                    linestyle="--" if pad else "-",
                    linewidth=0.8,
                )
            )
    row0, col0 = row * s, col * s
    for a in range(k):
        for b in range(k):
            r, c = row0 + a * d, col0 + b * d
            ax.add_patch(
                Rectangle(
                    (c, full - 1 - r),
                    1,
                    1,
                    facecolor="#08306b",
                    alpha=0.55,
                    edgecolor="black",
                    linewidth=1.2,
                )
            )
    x0 = full + gap
    y0 = (full - out) / 2
    for r in range(out):
        for c in range(out):
            ax.add_patch(
                Rectangle(
                    (x0 + c, y0 + out - 1 - r),
                    1,
                    1,
                    facecolor="#a1d99b",
                    edgecolor="#444444",
                    linewidth=0.8,
                )
            )
    ax.add_patch(
        Rectangle(
            (x0 + col, y0 + out - 1 - row),
            1,
            1,
            facecolor="#006d2c",
            edgecolor="black",
            linewidth=1.2,
        )
    )
    ax.set_xlim(-0.2, x0 + out + 0.2)
    ax.set_ylim(-0.2, max(full, out) + 0.2)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title is None:
        title = f"i={size}, k={k}, s={s}, p={p}, d={d}  ->  o={out}"
    ax.set_title(title, fontsize=9)
    return ax


def conv_arithmetic_animation(
    size: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    title: str | None = None,
    interval: int = 500,
    dpi: int = ANIMATION_DPI,
) -> FuncAnimation:
    """Animate a 2D convolution position by position (Dumoulin & Visin style).

    One frame per output cell, in row-major order, drawn by
    :func:`conv_arithmetic_frame`. Show it in a notebook with :func:`animation_html`.

    Parameters
    ----------
    size, kernel_size, stride, padding, dilation : int
        As for :func:`conv_arithmetic_frame` (at most 32 x 32 padded input cells).
    title : str, optional
        Defaults to the sizes and the output size ``o``.
    interval : int
        Milliseconds per frame (a positive integer).
    dpi : int
        Resolution of the frames (a positive integer). At the default 100 dpi, the
        resolution the book shows figures at, a cell is 32 px, the title 12 px high
        and a frame at least 420 px wide.

    Returns
    -------
    matplotlib.animation.FuncAnimation

    Raises
    ------
    ValueError
        If the kernel does not fit (see :func:`dlsip.arithmetic.conv_output_size`) or
        the padded input has more than 32 x 32 cells.

    Examples
    --------
    >>> anim = conv_arithmetic_animation(4, 3)
    >>> anim.positions                  # a 2x2 output: 4 frames
    [(0, 0), (0, 1), (1, 0), (1, 1)]
    >>> from dlsip.plotting import animation_html
    >>> animation_html(anim).data.count("data:image/png")
    4
    """
    from matplotlib.animation import FuncAnimation

    size, k, s, p, d, out = _conv_geometry_args(
        size, kernel_size, stride, padding, dilation
    )
    interval = check_positive_int(interval, "interval")
    dpi = check_positive_int(dpi, "dpi")
    plt = _plt()
    full = size + 2 * p
    fig, ax = plt.subplots(figsize=_frame_figsize(full, out), dpi=dpi)
    frames = [(r, c) for r in range(out) for c in range(out)]

    def draw(position):
        ax.clear()
        conv_arithmetic_frame(
            size,
            k,
            stride=s,
            padding=p,
            dilation=d,
            position=position,
            ax=ax,
            title=title,
        )
        return ax.patches

    anim = FuncAnimation(fig, draw, frames=frames, interval=interval, blit=False)
    anim.positions = frames
    return anim


def show_conv_matrix(
    matrix: ArrayLike,
    ax: Axes | None = None,
    *,
    title: str | None = None,
    kernel: ArrayLike | None = None,
    legend: bool = False,
    block_shape: tuple[int, int] | None = None,
) -> Axes:
    """Show a convolution matrix: zeros white, each tied weight in its own colour.

    Parameters
    ----------
    matrix : array_like, shape (M, N)
        From :func:`dlsip.arithmetic.conv_matrix`.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    kernel : array_like, shape (K,) or (kH, kW), optional
        The kernel, whose distinct nonzero values get one colour each; by default the
        matrix's distinct nonzero values.
    legend : bool
        Add a legend that names each colour: the kernel taps that hold its value
        (``w[a,b] = v``) when ``kernel`` is given, else the value.
    block_shape : (int, int), optional
        Draw the block structure of a 2D convolution's matrix: a line every
        ``block_shape[0]`` rows (one output row of the image) and every
        ``block_shape[1]`` columns (one input row), so that each block maps one input
        row to one output row.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``block_shape`` does not divide the matrix's shape.

    Examples
    --------
    >>> import numpy as np
    >>> ax = show_conv_matrix(np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 2.0]]))
    >>> ax.images[0].get_array().shape
    (2, 3)
    >>> from dlsip.arithmetic import conv_matrix
    >>> kernel = np.arange(1.0, 5.0).reshape(2, 2)
    >>> ax = show_conv_matrix(conv_matrix(kernel, (3, 3)), kernel=kernel, legend=True,
    ...                       block_shape=(2, 3))
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['w[0,0] = 1', 'w[0,1] = 2', 'w[1,0] = 3', 'w[1,1] = 4']
    >>> len(ax.lines)      # 1 line between the 2 block rows, 2 between 3 block columns
    3
    """
    from matplotlib.colors import ListedColormap

    matrix = check_array(matrix, "matrix", ndim=2)
    if kernel is not None:
        kernel = check_array(kernel, "kernel", ndim=(1, 2))
    legend = check_bool(legend, "legend")
    if block_shape is not None:
        block_shape = check_pair(block_shape, "block_shape")
        if matrix.shape[0] % block_shape[0] or matrix.shape[1] % block_shape[1]:
            raise ValueError(
                f"block_shape must divide the matrix's shape {matrix.shape}, got "
                f"block_shape={block_shape}"
            )
    values = np.unique(matrix[matrix != 0] if kernel is None else kernel)
    values = values[values != 0]
    index = np.full(matrix.shape, np.nan)
    for n, v in enumerate(values):
        index[matrix == v] = n
    base = _plt().get_cmap("tab20" if len(values) > 10 else "tab10")
    cmap = ListedColormap(
        [base(n % base.N) for n in range(max(len(values), 1))]
    ).with_extremes(bad="white")
    ax = _get_ax(
        ax,
        figsize=(
            min(12, 0.12 * matrix.shape[1] + 2),
            min(12, 0.12 * matrix.shape[0] + 1.5),
        ),
    )
    ax.imshow(
        np.ma.masked_invalid(index),
        cmap=cmap,
        vmin=-0.5,
        vmax=max(len(values), 1) - 0.5,
        interpolation="nearest",
        aspect="equal",
    )
    ax.set_xlabel("input pixel (row-major)")
    ax.set_ylabel("output pixel (row-major)")
    if block_shape is not None:
        rows, cols = block_shape
        for r in range(rows, matrix.shape[0], rows):
            ax.axhline(r - 0.5, color="0.3", linewidth=0.8)
        for c in range(cols, matrix.shape[1], cols):
            ax.axvline(c - 0.5, color="0.3", linewidth=0.8)
    if legend:
        from matplotlib.patches import Patch

        handles = []
        for n, v in enumerate(values):
            if kernel is not None:
                taps = np.argwhere(kernel == v)
                names = ", ".join(f"w[{','.join(map(str, t))}]" for t in taps)
            else:
                names = "weight"
            handles.append(Patch(color=cmap(n), label=f"{names} = {v:g}"))
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            fontsize=8,
            frameon=False,
            title="tied values",
            title_fontsize=8,
        )
    if title is not None:
        ax.set_title(title)
    return ax


def plot_dilated_stack(
    dilations: Sequence[int],
    ax: Axes | None = None,
    *,
    kernel_size: int = 2,
    length: int | None = None,
    title: str | None = None,
) -> Axes:
    """Draw a causal 1D stack of dilated convolutions and what its last output sees.

    Row 0 is the input, row ``l`` the output of layer ``l`` (dilation
    ``dilations[l-1]``). The connections that reach the last output unit are drawn; the
    input samples it sees (its receptive field) are filled. Undilated stacks are
    ``dilations=[1, 1, ...]``.

    Parameters
    ----------
    dilations : sequence of int
        The dilation of each layer, bottom to top (at least one layer).
    ax : matplotlib.axes.Axes, optional
    kernel_size : int
        The taps of every layer's kernel.
    length : int, optional
        The samples drawn per row; by default the receptive field plus 2 (at least 8).
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        For no layer, a size that is not a positive integer, or a stack of more than
        4096 connections to draw (layers x length x kernel_size): a larger figure cannot
        be read.

    Examples
    --------
    >>> ax = plot_dilated_stack([1, 2, 4, 8])          # WaveNet: sees 16 samples
    >>> int(ax.collections[-1].get_offsets().shape[0])
    16
    """
    check_instance(dilations, "dilations", Iterable, "a sequence of dilations")
    dilations = [
        check_positive_int(d, f"dilations[{i}]") for i, d in enumerate(dilations)
    ]
    if not dilations:
        raise ValueError(
            "dilations must contain at least one layer, got an empty sequence"
        )
    k = check_positive_int(kernel_size, "kernel_size")
    reach = 1 + (k - 1) * sum(dilations)
    length = (
        max(reach + 2, 8) if length is None else check_positive_int(length, "length")
    )
    # each layer draws up to kernel_size connections from each of its length units
    check_allocation(
        (len(dilations), length, k),
        f"dilations={_show(dilations)}, kernel_size={k} and length={length}",
        what="a stack of connections to draw",
        limit=MAX_CONNECTIONS,
    )
    ax = _get_ax(ax, figsize=(0.32 * length + 1, 0.55 * len(dilations) + 1))
    n_rows = len(dilations) + 1
    for row in range(n_rows):
        ax.scatter(
            np.arange(length),
            np.full(length, row),
            s=30,
            facecolors="white",
            edgecolors="0.6",
            zorder=2,
        )
    active = {length - 1}
    for row in range(n_rows - 1, 0, -1):
        d = dilations[row - 1]
        below = set()
        for t in active:
            for j in range(k):
                src = t - j * d
                if src >= 0:
                    ax.plot(
                        [t, src],
                        [row, row - 1],
                        color="tab:blue",
                        linewidth=1.2,
                        zorder=1,
                    )
                    below.add(src)
        ax.scatter(
            sorted(active), [row] * len(active), s=36, color="tab:blue", zorder=3
        )
        active = below
    ax.scatter(sorted(active), [0] * len(active), s=36, color="tab:orange", zorder=3)
    ax.set_yticks(range(n_rows))
    ax.set_yticklabels(["input"] + [f"d = {d}" for d in dilations])
    ax.set_xticks([])
    ax.set_xlim(-0.7, length - 0.3)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    if title is not None:
        ax.set_title(title)
    return ax


def plot_receptive_field_growth(
    layers: Sequence[tuple[int, ...]],
    size: int,
    ax: Axes | None = None,
    *,
    unit: int = 0,
    title: str | None = None,
) -> Axes:
    """Draw how the receptive field grows through a 1D stack of convolutions.

    Row 0 is the input (pixel ``m`` centred at ``m + 0.5``), row ``l`` the units of
    layer ``l``, each drawn at the centre of its receptive field, ``start + u j``, in
    the coordinates of :func:`dlsip.arithmetic.receptive_field`. The zero padding each
    layer reads is drawn as dashed circles. Thin lines join every unit to the positions
    it reads in the row below; thick lines follow the paths that reach unit ``unit`` of
    the last layer, and its receptive field, ``[centre - r/2, centre + r/2)``, is shaded
    over the input row.

    Parameters
    ----------
    layers : sequence of (k, s, p) or (k, s, p, d) tuples
        The layers, as for :func:`dlsip.arithmetic.receptive_field`.
    size : int
        The input length.
    ax : matplotlib.axes.Axes, optional
    unit : int
        The unit of the last layer whose receptive field is shaded.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If a layer does not fit, ``unit`` lies outside the last layer, or the stack
        has more than 4096 connections to draw.

    Examples
    --------
    >>> ax = plot_receptive_field_growth([(3, 2, 1), (3, 2, 1)], 5)  # r = 7
    >>> band = ax.patches[0]
    >>> float(band.get_x()), float(band.get_width())  # [start - r/2, start + r/2)
    (-3.0, 7.0)
    """
    from matplotlib.patches import Rectangle

    check_instance(layers, "layers", Iterable, "a sequence of (k, s, p) tuples")
    size = check_positive_int(size, "size")
    layers = list(layers)
    table = receptive_field(layers, size)  # arithmetic only: cheap for any size
    check_allocation(
        (sum(rec.n * rec.kernel_size for rec in table[1:]), 1),
        f"layers={_show(layers)} and size={size}",
        what="a stack of connections to draw",
        limit=MAX_CONNECTIONS,
    )
    unit = check_nonneg_int(unit, "unit")
    last = table[-1]
    if unit >= last.n:
        raise ValueError(
            f"unit must index one of the {last.n} units of the last layer, got "
            f"unit={unit}"
        )

    def x_of(row, idx):
        return table[row].start + idx * table[row].j

    # active[row]: the indices (padding included) on the paths to the chosen unit
    active = [set() for _ in table]
    active[-1] = {unit}
    for row in range(len(table) - 1, 0, -1):
        rec = table[row]
        for u in active[row]:
            for t in range(rec.kernel_size):
                active[row - 1].add(u * rec.stride - rec.padding + t * rec.dilation)

    def pad_of(row):  # the padding that the next layer reads around this row
        return table[row + 1].padding if row + 1 < len(table) else 0

    centre = x_of(len(table) - 1, unit)
    rows = range(len(table))
    lo = min([x_of(r, -pad_of(r)) for r in rows] + [centre - last.r / 2])
    hi = max(
        [x_of(r, table[r].n - 1 + pad_of(r)) for r in rows] + [centre + last.r / 2]
    )
    ax = _get_ax(ax, figsize=(min(7.8, 0.5 * (hi - lo) + 2.4), 0.8 * len(table) + 1))
    ax.add_patch(
        Rectangle(
            (centre - last.r / 2, -0.3),
            last.r,
            0.6,
            facecolor="#fdd0a2",
            edgecolor="#e6550d",
            linewidth=1.2,
            zorder=0,
        )
    )
    ax.text(
        centre,
        -0.42,
        f"receptive field of unit {unit}: r = {last.r:g}",
        ha="center",
        va="top",
        fontsize=9,
        color="#a63603",
    )
    for row in range(1, len(table)):
        rec = table[row]
        for u in range(rec.n):
            for t in range(rec.kernel_size):
                src = u * rec.stride - rec.padding + t * rec.dilation
                on_path = u in active[row] and src in active[row - 1]
                ax.plot(
                    [x_of(row, u), x_of(row - 1, src)],
                    [row, row - 1],
                    color="#e6550d" if on_path else "0.75",
                    linewidth=2.0 if on_path else 0.8,
                    zorder=3 if on_path else 1,
                )
    for row, rec in enumerate(table):
        pad = pad_of(row)
        idx = np.arange(-pad, rec.n + pad)
        real = (idx >= 0) & (idx < rec.n)
        xs = rec.start + idx * rec.j
        ax.scatter(
            xs[real],
            np.full(real.sum(), row),
            s=70,
            color=["#e6550d" if i in active[row] else "#6baed6" for i in idx[real]],
            edgecolors="black",
            linewidths=0.6,
            zorder=4,
        )
        if (~real).any():
            ax.scatter(
                xs[~real],
                np.full((~real).sum(), row),
                s=70,
                facecolors="white",
                edgecolors="0.4",
                linestyles="--",
                zorder=4,
            )
    ax.set_yticks(range(len(table)))
    ax.set_yticklabels(
        [f"input: n={size}"]
        + [f"layer {r}: n={t.n}, j={t.j}, r={t.r}" for r, t in enumerate(table) if r]
    )
    ax.tick_params(axis="y", labelsize=9, length=0)
    ax.set_xticks(np.arange(np.floor(lo), np.ceil(hi) + 1))
    ax.tick_params(axis="x", labelsize=8)
    ax.set_xlabel("position in input pixels (pixel m covers [m, m+1))", fontsize=9)
    ax.set_xlim(lo - 0.8, hi + 0.8)
    ax.set_ylim(-1.0, len(table) - 0.6)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    if title is not None:
        ax.set_title(title, fontsize=10)
    return ax


#: Face colours of the channels of :func:`plot_filter_volume` (R, G, B, then cycling).
_CHANNEL_COLOURS = ("#fcbba1", "#c7e9c0", "#c6dbef", "#dadaeb", "#fdd0a2", "#d9d9d9")
#: Colours of the filters and of the output maps they make.
_FILTER_COLOURS = ("#08519c", "#a50f15", "#006d2c", "#54278f", "#8c2d04", "#252525")


def plot_filter_volume(
    in_channels: int,
    kernel_size: int,
    ax: Axes | None = None,
    *,
    size: int = 6,
    filters: int = 1,
    stride: int = 1,
    padding: int = 0,
    title: str | None = None,
) -> Axes:
    """Draw a convolution on a multi-channel input as volumes.

    Left, the input: ``in_channels`` maps of ``size x size``, drawn one behind the
    other, with the window of the first output cell shaded through every channel.
    Middle, the filters: each ``in_channels x kernel_size x kernel_size``, as deep as
    the input. Right, the output: one ``o x o`` map per filter, in its filter's colour,
    with the first cell filled. A filter sums over all the channels, so it makes one
    map, however many channels the input has.

    Parameters
    ----------
    in_channels : int
        Channels of the input, at most 16.
    kernel_size : int
    ax : matplotlib.axes.Axes, optional
    size : int
        Height and width of the input, at most 32.
    filters : int
        Number of filters (output channels), at most 16.
    stride, padding : int
        Of the convolution (they set the output size ``o``); ``padding`` at most
        ``kernel_size - 1``.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If the kernel does not fit, or a count is above its limit.

    Examples
    --------
    >>> ax = plot_filter_volume(3, 3, size=6, filters=2)
    >>> [t.get_text() for t in ax.texts][-1]
    'output: 4 x 4 x 2'
    """
    from matplotlib.patches import Rectangle

    c = check_positive_int(in_channels, "in_channels")
    k = check_positive_int(kernel_size, "kernel_size")
    size = check_positive_int(size, "size")
    f = check_positive_int(filters, "filters")
    stride = check_positive_int(stride, "stride")
    padding = check_nonneg_int(padding, "padding")
    if padding > k - 1:
        raise ValueError(
            f"padding must be at most kernel_size - 1 = {k - 1} (full padding) to be "
            f"drawn, got padding={padding}"
        )
    for name, value, limit in (
        ("in_channels", c, 16),
        ("filters", f, 16),
        ("size", size, 32),
    ):
        if value > limit:
            raise ValueError(
                f"{name} must be at most {limit} to be drawn legibly, got "
                f"{name}={value}"
            )
    o = conv_output_size(size, k, stride=stride, padding=padding)
    depth = 0.45  # the offset between channels, in cells

    def stack(x0, y0, side, n, faces, edge, window=None):
        # the last channel first, so that channel 0 is drawn in front
        for i in reversed(range(n)):
            x, y = x0 + i * depth, y0 + i * depth
            ax.add_patch(
                Rectangle(
                    (x, y),
                    side,
                    side,
                    facecolor=faces[i % len(faces)],
                    edgecolor=edge,
                    linewidth=0.9,
                )
            )
            if window is not None:
                ax.add_patch(
                    Rectangle(
                        (x, y + side - window),
                        window,
                        window,
                        facecolor=edge,
                        alpha=0.45,
                        edgecolor=edge,
                        linewidth=1.0,
                    )
                )

    ax = _get_ax(ax, figsize=(7.8, 2.4))
    gap = 2.8
    stack(0, 0, size, c, _CHANNEL_COLOURS, _FILTER_COLOURS[0], window=k)
    x_in = size + (c - 1) * depth
    ax.text(x_in / 2, -0.9, f"input: {size} x {size} x {c}", ha="center", fontsize=9)
    x = x_in + gap
    ax.text(x - gap / 2, size / 2, "*", ha="center", va="center", fontsize=16)
    x_f = k + (c - 1) * depth  # the width of one filter's stack
    for n in range(f):
        colour = _FILTER_COLOURS[n % len(_FILTER_COLOURS)]
        stack(x + n * (x_f + 0.6), (size - k) / 2, k, c, [colour], "black")
        for patch in ax.patches[-c:]:
            patch.set_alpha(0.75)
    width = f * x_f + (f - 1) * 0.6
    noun = "filter" if f == 1 else "filters"
    ax.text(
        x + width / 2, -0.9, f"{f} {noun}: {k} x {k} x {c}", ha="center", fontsize=9
    )
    x += width + gap
    ax.text(x - gap / 2, size / 2, "=", ha="center", va="center", fontsize=16)
    y0 = (size - o) / 2
    out_faces = [_FILTER_COLOURS[n % len(_FILTER_COLOURS)] for n in range(f)]
    for n in reversed(range(f)):
        xo, yo = x + n * depth, y0 + n * depth
        ax.add_patch(
            Rectangle(
                (xo, yo),
                o,
                o,
                facecolor=out_faces[n],
                alpha=0.35,
                edgecolor="black",
                linewidth=0.9,
            )
        )
        ax.add_patch(
            Rectangle((xo, yo + o - 1), 1, 1, facecolor=out_faces[n], alpha=0.9)
        )
    x_out = o + (f - 1) * depth
    ax.text(x + x_out / 2, -0.9, f"output: {o} x {o} x {f}", ha="center", fontsize=9)
    ax.set_xlim(-0.5, x + x_out + 0.5)
    top = max(size + (c - 1) * depth, y0 + o + (f - 1) * depth)
    ax.set_ylim(-1.4, top + 0.4)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title, fontsize=10)
    return ax
