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
