"""Plotting helpers shared by the chapters.

Every helper takes ``ax=None`` (or makes its own figure), returns the Axes or Figure it
drew on, never calls ``plt.show()`` and never changes global rcParams. Worked examples are
drawn the way the slides draw them: as a grid of numbers (:func:`annotated_grid`).

Chapter-specific plots (animations of sliding windows, convolution arithmetic figures, ...)
live further down, each section headed by its chapter.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_array


def _plt():
    # Imported on first use: `import dlsip.plotting` stays cheap in scripts and tests.
    import matplotlib.pyplot as plt

    return plt


def _get_ax(ax, figsize=None):
    if ax is None:
        _, ax = _plt().subplots(figsize=figsize)
    return ax


def show_image(image, ax=None, *, title=None, cmap="gray", vmin=None, vmax=None, colorbar=False, axis_off=True):
    """Show a greyscale (H, W) or colour (H, W, 3) image with square pixels.

    Greyscale images use ``cmap`` (grey by default, so 0 is black). For uint8 images the
    colour range is fixed to [0, 255] unless ``vmin``/``vmax`` say otherwise, so that a dark
    image looks dark instead of being stretched.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> ax = show_image(np.eye(4), title="identity")
    >>> ax.get_title()
    'identity'
    """
    image = check_array(image, "image", ndim=(2, 3))
    if image.ndim == 3 and image.shape[2] not in (3, 4):
        raise ValueError(f"image must be (H, W), (H, W, 3) or (H, W, 4), got shape {image.shape}")
    ax = _get_ax(ax)
    if image.ndim == 2 and image.dtype == np.uint8:
        vmin = 0 if vmin is None else vmin
        vmax = 255 if vmax is None else vmax
    im = ax.imshow(image, cmap=cmap if image.ndim == 2 else None, vmin=vmin, vmax=vmax, interpolation="nearest")
    if title is not None:
        ax.set_title(title)
    if axis_off:
        ax.set_axis_off()
    if colorbar:
        ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    return ax


def show_images(images, titles=None, *, ncols=None, size=3.0, cmap="gray", suptitle=None, **kwargs):
    """Show several images side by side in a grid; returns the Figure.

    ``kwargs`` go to :func:`show_image` (``vmin``, ``vmax``, ``colorbar``).

    Examples
    --------
    >>> import numpy as np
    >>> fig = show_images([np.zeros((3, 3)), np.ones((3, 3))], ["zeros", "ones"])
    >>> len(fig.axes)
    2
    """
    images = list(images)
    if not images:
        raise ValueError("images must contain at least one image, got an empty sequence")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"titles must have one entry per image ({len(images)}), got {len(titles)}")
    n = len(images)
    ncols = min(n, 4) if ncols is None else ncols
    nrows = -(-n // ncols)
    plt = _plt()
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i < n:
            show_image(images[i], ax, title=None if titles is None else titles[i], cmap=cmap, **kwargs)
        else:
            ax.set_axis_off()
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def annotated_grid(values, ax=None, *, fmt="{:g}", cmap="Greys", title=None, highlight=None,
                   highlight_color="tab:red", fontsize=None, vmin=None, vmax=None, colors=True):
    """Draw a small matrix as a grid of cells with its numbers written in them.

    This is how the slides show worked examples. ``highlight`` is ``(row, col, height,
    width)``: a rectangle drawn around those cells (a sliding window, say).

    Examples
    --------
    >>> ax = annotated_grid([[1, 2], [3, 4]], title="x")
    >>> [t.get_text() for t in ax.texts]
    ['1', '2', '3', '4']
    """
    values = check_array(values, "values", ndim=(1, 2))
    if values.ndim == 1:
        values = values[None, :]
    ax = _get_ax(ax, figsize=(0.5 * values.shape[1] + 0.6, 0.5 * values.shape[0] + 0.6))
    h, w = values.shape
    shown = values.astype(float)
    if colors:
        ax.imshow(shown, cmap=cmap, vmin=vmin, vmax=vmax, alpha=0.35, interpolation="nearest")
    else:
        ax.imshow(np.zeros_like(shown), cmap="Greys", vmin=0, vmax=1, interpolation="nearest")
    for i in range(h):
        for j in range(w):
            ax.text(j, i, fmt.format(values[i, j]), ha="center", va="center", fontsize=fontsize)
    ax.set_xticks(np.arange(-0.5, w, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, h, 1), minor=True)
    ax.grid(which="minor", color="black", linewidth=0.8)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    ax.set_xticks([])
    ax.set_yticks([])
    if highlight is not None:
        r, c, hh, ww = highlight
        from matplotlib.patches import Rectangle

        ax.add_patch(Rectangle((c - 0.5, r - 0.5), ww, hh, fill=False, edgecolor=highlight_color, linewidth=3))
    if title is not None:
        ax.set_title(title)
    return ax


def plot_signal(signal, ax=None, *, t=None, label=None, title=None, xlabel="sample", ylabel=None, **kwargs):
    """Plot a 1D signal against its sample index (or against ``t``); returns the Axes.

    Examples
    --------
    >>> ax = plot_signal([0.0, 1.0, 0.0], label="spike")
    >>> ax.get_lines()[0].get_ydata().tolist()
    [0.0, 1.0, 0.0]
    """
    signal = check_array(signal, "signal", ndim=1)
    ax = _get_ax(ax, figsize=(8, 2.5))
    x = np.arange(signal.size) if t is None else check_array(t, "t", ndim=1)
    if x.shape != signal.shape:
        raise ValueError(f"t must have the signal's shape {signal.shape}, got shape {x.shape}")
    ax.plot(x, signal, label=label, **kwargs)
    ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if label is not None:
        ax.legend(loc="best")
    return ax


def animation_html(anim):
    """Render a matplotlib animation as self-contained HTML/JS that plays in the static book.

    Closes the animation's figure so that the notebook does not also show its last frame.
    Returns an ``IPython.display.HTML`` object: make it the last expression of a cell.
    """
    from IPython.display import HTML

    html = anim.to_jshtml(default_mode="loop")
    _plt().close(anim._fig)
    return HTML(html)


# ---- Chapter 6: convolution variants ----

def plot_dilated_stack(dilations, ax=None, *, kernel_size=2, length=None, title=None):
    """Draw a causal 1D stack of dilated convolutions and the inputs its last output sees.

    Row 0 is the input, row ``l`` the output of layer ``l`` (dilation ``dilations[l-1]``).
    The connections that reach the last output unit are drawn; the input samples it sees
    (its receptive field) are filled. Undilated stacks are ``dilations=[1, 1, ...]``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = plot_dilated_stack([1, 2, 4, 8])          # WaveNet: sees 16 samples
    >>> int(ax.collections[-1].get_offsets().shape[0])
    16
    """
    from ._validation import check_positive_int

    dilations = [check_positive_int(d, "dilations") for d in dilations]
    if not dilations:
        raise ValueError("dilations must contain at least one layer, got an empty sequence")
    k = check_positive_int(kernel_size, "kernel_size")
    reach = 1 + (k - 1) * sum(dilations)
    length = max(reach + 2, 8) if length is None else check_positive_int(length, "length")
    ax = _get_ax(ax, figsize=(0.32 * length + 1, 0.55 * len(dilations) + 1))
    n_rows = len(dilations) + 1
    for row in range(n_rows):
        ax.scatter(np.arange(length), np.full(length, row), s=30, facecolors="white", edgecolors="0.6", zorder=2)
    active = {length - 1}
    for row in range(n_rows - 1, 0, -1):
        d = dilations[row - 1]
        below = set()
        for t in active:
            for j in range(k):
                src = t - j * d
                if src >= 0:
                    ax.plot([t, src], [row, row - 1], color="tab:blue", linewidth=1.2, zorder=1)
                    below.add(src)
        ax.scatter(sorted(active), [row] * len(active), s=36, color="tab:blue", zorder=3)
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


# ---- Chapter 2: convolution arithmetic ----

def _conv_geometry_args(size, kernel_size, stride, padding, dilation):
    from ._validation import check_nonneg_int, check_positive_int
    from .arithmetic import conv_output_size

    size = check_positive_int(size, "size")
    kernel_size = check_positive_int(kernel_size, "kernel_size")
    stride = check_positive_int(stride, "stride")
    padding = check_nonneg_int(padding, "padding")
    dilation = check_positive_int(dilation, "dilation")
    out = conv_output_size(size, kernel_size, stride=stride, padding=padding, dilation=dilation)
    return size, kernel_size, stride, padding, dilation, out


def conv_arithmetic_frame(size, kernel_size, *, stride=1, padding=0, dilation=1, position=(0, 0), ax=None,
                          title=None):
    """Draw one step of a 2D convolution in the style of Dumoulin & Visin's figures.

    Left: the padded input (blue cells, padding as dashed white cells) with the kernel's
    taps shaded where the kernel sits for output ``position``. Right: the output grid, with
    the cell being computed filled. Square inputs and kernels.

    Parameters
    ----------
    size, kernel_size, stride, padding, dilation : int
        As for :func:`dlsip.arithmetic.conv_output_size`.
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
        If the kernel does not fit, or ``position`` lies outside the output.

    Examples
    --------
    >>> ax = conv_arithmetic_frame(5, 3, padding=1, position=(0, 0))
    >>> len(ax.patches)       # 7x7 padded input + 3x3 taps + 5x5 output + 1 current output
    84
    """
    from matplotlib.patches import Rectangle

    size, k, s, p, d, out = _conv_geometry_args(size, kernel_size, stride, padding, dilation)
    if (not isinstance(position, (tuple, list)) or len(position) != 2
            or any(not isinstance(v, (int, np.integer)) or not 0 <= v < out for v in position)):
        raise ValueError(f"position must be a (row, column) pair inside the {out}x{out} output, got position={position!r}")
    full = size + 2 * p
    gap = 1.5
    ax = _get_ax(ax, figsize=(0.32 * (full + gap + out) + 0.4, 0.32 * max(full, out) + 0.6))
    # matplotlib's y axis points up; row 0 is drawn at the top
    for r in range(full):
        for c in range(full):
            pad = not (p <= r < p + size and p <= c < p + size)
            ax.add_patch(Rectangle((c, full - 1 - r), 1, 1, facecolor="white" if pad else "#9ecae1",
                                   edgecolor="#6b6b6b", linestyle="--" if pad else "-", linewidth=0.8))
    row0, col0 = position[0] * s, position[1] * s
    for a in range(k):
        for b in range(k):
            r, c = row0 + a * d, col0 + b * d
            ax.add_patch(Rectangle((c, full - 1 - r), 1, 1, facecolor="#08306b", alpha=0.55, edgecolor="black",
                                   linewidth=1.2))
    x0 = full + gap
    y0 = (full - out) / 2
    for r in range(out):
        for c in range(out):
            ax.add_patch(Rectangle((x0 + c, y0 + out - 1 - r), 1, 1, facecolor="#a1d99b", edgecolor="#444444",
                                   linewidth=0.8))
    ax.add_patch(Rectangle((x0 + position[1], y0 + out - 1 - position[0]), 1, 1, facecolor="#006d2c",
                           edgecolor="black", linewidth=1.2))
    ax.set_xlim(-0.2, x0 + out + 0.2)
    ax.set_ylim(-0.2, max(full, out) + 0.2)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title is None:
        title = f"i={size}, k={k}, s={s}, p={p}, d={d}  ->  o={out}"
    ax.set_title(title, fontsize=9)
    return ax


def conv_arithmetic_animation(size, kernel_size, *, stride=1, padding=0, dilation=1, title=None, interval=500,
                              dpi=60):
    """Animate a 2D convolution position by position (Dumoulin & Visin style).

    One frame per output cell, in row-major order, drawn by :func:`conv_arithmetic_frame`.
    Show it in a notebook with :func:`animation_html`.

    Parameters
    ----------
    size, kernel_size, stride, padding, dilation : int
    title : str, optional
        Defaults to the sizes and the output size ``o``.
    interval : int
        Milliseconds per frame.
    dpi : int
        Resolution of the frames (low keeps the notebook small).

    Returns
    -------
    matplotlib.animation.FuncAnimation

    Raises
    ------
    ValueError
        If the kernel does not fit (see :func:`dlsip.arithmetic.conv_output_size`).

    Examples
    --------
    >>> anim = conv_arithmetic_animation(4, 3)
    >>> anim.positions                  # a 2x2 output: 4 frames
    [(0, 0), (0, 1), (1, 0), (1, 1)]
    >>> animation_html(anim).data.count("data:image/png")
    4
    """
    from matplotlib.animation import FuncAnimation

    size, k, s, p, d, out = _conv_geometry_args(size, kernel_size, stride, padding, dilation)
    plt = _plt()
    full = size + 2 * p
    fig, ax = plt.subplots(figsize=(0.32 * (full + 1.5 + out) + 0.4, 0.32 * max(full, out) + 0.6), dpi=dpi)
    frames = [(r, c) for r in range(out) for c in range(out)]

    def draw(position):
        ax.clear()
        conv_arithmetic_frame(size, k, stride=s, padding=p, dilation=d, position=position, ax=ax, title=title)
        return ax.patches

    anim = FuncAnimation(fig, draw, frames=frames, interval=interval, blit=False)
    anim.positions = frames
    return anim


def show_conv_matrix(matrix, ax=None, *, title=None, kernel=None):
    """Show a convolution matrix as an image: zeros white, each tied weight its own colour.

    Parameters
    ----------
    matrix : array_like, shape (M, N)
        From :func:`dlsip.arithmetic.conv_matrix`.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    kernel : array_like, optional
        The kernel, whose distinct values give the colours (a legend of them is drawn); by
        default the matrix's distinct nonzero values.

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
    values = np.unique(matrix[matrix != 0]) if kernel is None else np.unique(np.asarray(kernel, float))
    values = values[values != 0]
    index = np.full(matrix.shape, np.nan)
    for n, v in enumerate(values):
        index[matrix == v] = n
    base = _plt().get_cmap("tab20" if len(values) > 10 else "tab10")
    cmap = ListedColormap([base(n % base.N) for n in range(max(len(values), 1))]).with_extremes(bad="white")
    ax = _get_ax(ax, figsize=(min(12, 0.12 * matrix.shape[1] + 2), min(12, 0.12 * matrix.shape[0] + 1.5)))
    ax.imshow(np.ma.masked_invalid(index), cmap=cmap, vmin=-0.5, vmax=max(len(values), 1) - 0.5,
              interpolation="nearest", aspect="equal")
    ax.set_xlabel("input pixel (row-major)")
    ax.set_ylabel("output pixel (row-major)")
    if title is not None:
        ax.set_title(title)
    return ax


# ---- Chapter 1: image filtering ----

def animate_window(image, lens, *, size=3, interval=700, dpi=60, fmt="{:g}", title=None):
    """Animate a lens sliding over a small image, one frame per output pixel ("valid").

    Left: the image as a grid of numbers with the window outlined; for a weighted sum the
    kernel is drawn beside it; right: the output, filled in as the window moves. Show it in
    a notebook with :func:`animation_html`; keep the image small (6x6 to 8x8).

    Parameters
    ----------
    image : array_like, shape (H, W)
    lens : array_like, shape (kH, kW), or str, or callable
        A kernel (the weighted sum, :func:`dlsip.filters.correlate2d`), or a statistic of
        :func:`dlsip.filters.window_filter` ("sum", "mean", "max", "min", "median", a
        function).
    size : int or (int, int)
        Window size for a statistic (ignored for a kernel).
    interval : int
        Milliseconds per frame.
    dpi : int
        Resolution of the frames (low keeps the notebook small).
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
        If the window does not fit the image, and as the filters do.

    Examples
    --------
    >>> import numpy as np
    >>> anim = animate_window(np.arange(16).reshape(4, 4), "max")
    >>> anim.positions
    [(0, 0), (0, 1), (1, 0), (1, 1)]
    >>> anim.output
    array([[10, 11],
           [14, 15]])
    >>> animation_html(anim).data.count("data:image/png")
    4
    """
    from matplotlib.animation import FuncAnimation

    from . import filters

    image = check_array(image, "image", ndim=2)
    is_kernel = not (isinstance(lens, str) or callable(lens))
    if is_kernel:
        kernel = check_array(lens, "lens", ndim=2)
        kh, kw = kernel.shape
        output = filters.correlate2d(image, kernel)
        name = "weighted sum"
    else:
        kh, kw = filters._positive_pair(size, "size")
        if kh > image.shape[0] or kw > image.shape[1]:
            raise ValueError(f"size {(kh, kw)} does not fit the image of shape {image.shape}")
        full = filters.window_filter(image, lens, size=(kh, kw))
        output = full[kh // 2: kh // 2 + image.shape[0] - kh + 1, kw // 2: kw // 2 + image.shape[1] - kw + 1]
        name = lens if isinstance(lens, str) else getattr(lens, "__name__", "statistic")
    oh, ow = output.shape
    positions = [(i, j) for i in range(oh) for j in range(ow)]
    plt = _plt()
    ncols = 3 if is_kernel else 2
    widths = [image.shape[1], kw, ow] if is_kernel else [image.shape[1], ow]
    fig, axes = plt.subplots(1, ncols, dpi=dpi, gridspec_kw={"width_ratios": widths},
                             figsize=(0.5 * sum(widths) + 1.2 * ncols, 0.5 * image.shape[0] + 1.2))
    lo, hi = float(np.min(image)), float(np.max(image))
    # Draw everything once; each frame then only moves the two outlines and reveals one
    # output value, which keeps rendering fast.
    annotated_grid(image, axes[0], fmt=fmt, highlight=(0, 0, kh, kw), vmin=lo, vmax=hi, title="input")
    if is_kernel:
        annotated_grid(kernel, axes[1], fmt=fmt, cmap="coolwarm", title="kernel")
    out_lo, out_hi = float(np.min(output)), float(np.max(output))
    annotated_grid(output, axes[-1], fmt=fmt, highlight=(0, 0, 1, 1), vmin=out_lo, vmax=out_hi)
    window, cell = axes[0].patches[-1], axes[-1].patches[-1]
    shown = np.full(output.shape, np.nan)
    prefix = f"{title}: " if title else ""

    def draw(frame):
        i, j = positions[frame]
        window.set_xy((j - 0.5, i - 0.5))
        cell.set_xy((j - 0.5, i - 0.5))
        shown.fill(np.nan)
        shown.flat[: frame + 1] = output.flat[: frame + 1]
        axes[-1].images[0].set_data(np.ma.masked_invalid(shown))  # not yet computed: blank
        for n, text in enumerate(axes[-1].texts):
            text.set_text(fmt.format(output.flat[n]) if n <= frame else "")
        axes[-1].set_title(f"{prefix}{name} at ({i}, {j}) = {fmt.format(output[i, j])}")
        return []

    anim = FuncAnimation(fig, draw, frames=len(positions), interval=interval, blit=False)
    anim.positions = positions
    anim.output = output
    return anim


def show_padding(image, pad_width, modes, *, cval=0.0, fmt="{:g}", size=2.6):
    """Show how each border mode fills the padding around a small image; returns the Figure.

    The original pixels are outlined, so the filled border stands out.

    Parameters
    ----------
    image : array_like, shape (H, W)
    pad_width : int
        Pixels added on every side.
    modes : sequence of str
        Border modes of :func:`dlsip.filters.pad`.
    cval : float
        Fill value of ``"constant"``.
    fmt : str
    size : float
        Inches per panel.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = show_padding([[1, 2], [3, 4]], 2, ["constant", "wrap"])
    >>> [ax.get_title() for ax in fig.axes]
    ['constant', 'wrap']
    """
    from .filters import pad

    image = check_array(image, "image", ndim=2)
    modes = list(modes)
    plt = _plt()
    fig, axes = plt.subplots(1, len(modes), figsize=(size * len(modes), size), squeeze=False)
    h, w = image.shape
    for ax, mode in zip(axes[0], modes):
        padded = pad(image, ((pad_width, pad_width), (pad_width, pad_width)), mode=mode, cval=cval)
        annotated_grid(padded, ax, fmt=fmt, title=mode, highlight=(pad_width, pad_width, h, w),
                       vmin=float(np.min(image)), vmax=float(np.max(image)))
    fig.tight_layout()
    return fig


# ---- Chapter 3: backpropagation through convolution and pooling ----

def plot_loss_curves(curves, ax=None, *, window=1, x_scale=1.0, xlabel="step", ylabel="loss", title=None,
                     logy=False):
    """Overlay several training curves, each smoothed by a running mean of ``window`` steps.

    Parameters
    ----------
    curves : dict of str to array_like
        Label to the values of one curve (one per step).
    window : int
        Width of the running mean (1: no smoothing). The smoothed curve starts at step
        ``window - 1``, so that no point averages fewer steps than the others.
    x_scale : float
        Multiplies the step index (the batch size turns steps into images seen).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``curves`` is empty or a curve is shorter than ``window``.

    Examples
    --------
    >>> ax = plot_loss_curves({"a": [3.0, 2.0, 1.0, 0.5], "b": [3.0, 1.0, 1.0, 1.0]}, window=2)
    >>> [line.get_label() for line in ax.get_lines()]
    ['a', 'b']
    >>> ax.get_lines()[0].get_ydata().tolist()
    [2.5, 1.5, 0.75]
    """
    from ._validation import check_positive_int

    if not curves:
        raise ValueError("curves must contain at least one curve, got an empty mapping")
    window = check_positive_int(window, "window")
    ax = _get_ax(ax, figsize=(6, 3.5))
    for label, values in curves.items():
        values = check_array(values, f"curves[{label!r}]", ndim=1).astype(float)
        if values.size < window:
            raise ValueError(f"curves[{label!r}] must have at least window={window} values, got {values.size}")
        smooth = np.convolve(values, np.ones(window) / window, mode="valid")
        steps = (np.arange(smooth.size) + window - 1) * x_scale
        ax.plot(steps, smooth, label=label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3)
    return ax


# ---- Chapter 5: MNIST digit classification ----


def plot_confusion_matrix(cm, ax=None, *, class_names=None, title=None, cmap="Blues"):
    """Draw a confusion matrix (rows: true class, columns: predicted class) with its counts.

    The colour of the off-diagonal cells is scaled to the largest error, not to the
    diagonal, so that the mistakes stand out instead of fading next to thousands of correct
    predictions; the diagonal is drawn in grey.

    Parameters
    ----------
    cm : array-like of int, shape (K, K)
        ``cm[i, j]`` counts the examples of true class ``i`` predicted as ``j``, as
        :func:`dlsip.train.confusion_matrix` returns it.
    ax : matplotlib.axes.Axes, optional
    class_names : sequence of str, optional
        Tick labels; ``0, ..., K - 1`` by default.
    title : str, optional
    cmap : str
        Colour map of the errors.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``cm`` is not square or ``class_names`` does not have ``K`` names.

    Examples
    --------
    >>> ax = plot_confusion_matrix([[5, 1], [0, 7]])
    >>> [t.get_text() for t in ax.texts]
    ['5', '1', '0', '7']
    """
    cm = check_array(cm, "cm", ndim=2)
    k = cm.shape[0]
    if cm.shape != (k, k):
        raise ValueError(f"cm must be a square matrix, got cm with shape {cm.shape}")
    names = [str(i) for i in range(k)] if class_names is None else [str(n) for n in class_names]
    if len(names) != k:
        raise ValueError(f"class_names must have {k} names, got {len(names)}")
    ax = _get_ax(ax, figsize=(0.5 * k + 1.5, 0.5 * k + 1.2))
    errors = np.where(np.eye(k, dtype=bool), np.nan, cm.astype(float))
    top = np.nanmax(errors) if k > 1 and np.nanmax(errors) > 0 else 1.0
    ax.imshow(np.where(np.eye(k, dtype=bool), 0.15, np.nan), cmap="Greys", vmin=0, vmax=1)
    ax.imshow(errors, cmap=cmap, vmin=0, vmax=top)
    for i in range(k):
        for j in range(k):
            value = cm[i, j]
            dark = i != j and value > 0.6 * top
            ax.text(j, i, f"{value:g}", ha="center", va="center", fontsize=8,
                    color="white" if dark else "black")
    ax.set_xticks(range(k), names)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    if title is not None:
        ax.set_title(title)
    return ax


def plot_history(history, ax=None, *, metric="accuracy", title=None):
    """Plot a training history from :func:`dlsip.train.fit`: one curve per split and epoch.

    Parameters
    ----------
    history : dict of lists
        With ``"train_<metric>"`` and optionally ``"val_<metric>"``.
    ax : matplotlib.axes.Axes, optional
    metric : {"accuracy", "loss"}
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        For an unknown ``metric`` or a history without ``"train_<metric>"``.

    Examples
    --------
    >>> ax = plot_history({"train_loss": [0.5, 0.2], "val_loss": [0.4, 0.3]}, metric="loss")
    >>> [line.get_label() for line in ax.get_lines()]
    ['training', 'validation']
    """
    from ._validation import check_choice

    check_choice(metric, "metric", ("accuracy", "loss"))
    if f"train_{metric}" not in history:
        raise ValueError(f"history must have a 'train_{metric}' entry, got keys {sorted(history)}")
    ax = _get_ax(ax, figsize=(5, 3))
    for split, label in (("train", "training"), ("val", "validation")):
        values = history.get(f"{split}_{metric}")
        if values:
            ax.plot(range(1, len(values) + 1), values, marker="o", label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.legend(loc="best")
    if title is not None:
        ax.set_title(title)
    return ax
