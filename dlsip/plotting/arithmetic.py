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
    check_instance,
    check_nonneg_int,
    check_pair,
    check_positive_int,
)
from ..arithmetic import conv_output_size
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

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> ax = show_conv_matrix(np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 2.0]]))
    >>> ax.images[0].get_array().shape
    (2, 3)
    """
    from matplotlib.colors import ListedColormap

    matrix = check_array(matrix, "matrix", ndim=2)
    if kernel is not None:
        kernel = check_array(kernel, "kernel", ndim=(1, 2))
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
