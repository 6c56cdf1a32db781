r"""Chapter 3, backpropagation: which input each gradient entry collects, the rotated
kernel of the input gradient, the arg-max cells of max pooling, activation functions.

The three grid figures draw worked examples the way the slides do, as annotated grids,
with the gradient's ingredients written into the cells:

- :func:`show_weight_gradient`: the inputs that :math:`\delta_{ij}` multiplies in
  :math:`\partial L/\partial w_{mn} = \sum_{i,j} \delta_{ij}\, a_{i+m,\,j+n}`;
- :func:`show_input_gradient`: the window of the zero-padded :math:`\delta` that the
  kernel, rotated by 180 degrees, meets to give one entry of
  :math:`\partial L/\partial a`;
- :func:`show_argmax_cells`: the input cell each max-pooling output came from, where
  the backward pass sends its gradient.

:func:`plot_activations` draws the activation functions of :mod:`dlsip.layers` and their
derivatives, both computed by the package's forward and backward passes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from .._validation import check_array, check_float, check_pair, check_positive_int
from ._base import BOOK_WIDTH, _plt
from .images import annotated_grid

if TYPE_CHECKING:  # annotations only: matplotlib is imported on first use
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "show_weight_gradient",
    "show_input_gradient",
    "show_argmax_cells",
    "plot_activations",
]

#: Points of the small second line written into a cell (the factor it is multiplied
#: by): the smallest size the book allows at 100 dpi.
SMALL_FONT = 8

#: Colours of the arg-max cells, one per pooling window (matplotlib's tab10, light).
_WINDOW_COLOURS = ("#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94")


def _check_grid(values, name: str) -> np.ndarray:
    values = check_array(values, name, ndim=2).astype(float)
    if values.shape[0] * values.shape[1] > 16 * 16:
        raise ValueError(
            f"{name} must be a small grid (at most 16 x 16 cells, to be read), got "
            f"{name} with shape {values.shape}"
        )
    return values


def _shade(ax, row: int, col: int, colour: str) -> None:
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, color=colour, zorder=0.5))


def _small(ax, row: int, col: int, text: str, colour: str = "black") -> None:
    ax.text(
        col,
        row + 0.3,
        text,
        ha="center",
        va="center",
        fontsize=SMALL_FONT,
        color=colour,
    )


def show_weight_gradient(
    a: ArrayLike,
    delta: ArrayLike,
    ax: Axes | None = None,
    *,
    weight: tuple[int, int],
) -> Axes:
    r"""Draw which input each :math:`\delta_{ij}` meets in the gradient of one weight.

    For a stride-1 cross-correlation :math:`s_{ij} = \sum_{m,n} w_{mn}\, a_{i+m,\,j+n}`,

    .. math::
        \frac{\partial L}{\partial w_{mn}} = \sum_{i,j} \delta_{ij}\, a_{i+m,\,j+n}:

    the weight :math:`w_{mn}` met input :math:`a_{i+m,\,j+n}` at output :math:`(i, j)`.
    The input grid is drawn with those cells shaded, each with ``×δ_ij`` (the value of
    :math:`\delta_{ij}`) written under its own value; the title gives the sum.

    Parameters
    ----------
    a : ndarray, shape (H, W)
        The layer's input (at most 16 x 16).
    delta : ndarray, shape (Ho, Wo)
        The gradient of the loss with respect to the layer's output; the kernel is
        ``(H - Ho + 1) x (W - Wo + 1)``.
    weight : pair of ints
        ``(m, n)``, the kernel entry whose gradient is drawn.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``delta`` is larger than ``a`` or ``weight`` is outside the kernel.

    Examples
    --------
    >>> a = np.arange(9.0).reshape(3, 3)
    >>> ax = show_weight_gradient(a, np.array([[1.0, 0.0], [0.0, 2.0]]), weight=(0, 1))
    >>> ax.get_title()            # 1 * a[0, 1] + 2 * a[1, 2]
    'dL/dw[0,1] = 11'
    """
    a = _check_grid(a, "a")
    delta = _check_grid(delta, "delta")
    (h, w), (ho, wo) = a.shape, delta.shape
    if ho > h or wo > w:
        raise ValueError(
            f"delta must not be larger than a {a.shape}, got delta with shape "
            f"{delta.shape}"
        )
    kh, kw = h - ho + 1, w - wo + 1
    m, n = check_pair(weight, "weight", minimum=0)
    if m >= kh or n >= kw:
        raise ValueError(
            f"weight must be an entry of the {kh}x{kw} kernel, got weight={(m, n)}"
        )
    ax = annotated_grid(a, ax=ax, colors=False)
    for text in ax.texts:  # the value moves up to make room for the factor
        text.set_y(text.get_position()[1] - 0.15)
    for i in range(ho):
        for j in range(wo):
            _shade(ax, i + m, j + n, _WINDOW_COLOURS[0])
            _small(ax, i + m, j + n, f"×{delta[i, j]:g}")
    value = float(np.sum(delta * a[m : m + ho, n : n + wo]))
    ax.set_title(f"dL/dw[{m},{n}] = {value:g}")
    return ax


def show_input_gradient(
    delta: ArrayLike,
    w: ArrayLike,
    ax: Axes | None = None,
    *,
    position: tuple[int, int],
) -> Axes:
    r"""Draw one entry of the input gradient as the rotated kernel over the padded
    :math:`\delta`.

    .. math::
        \frac{\partial L}{\partial a_{kl}}
        = \sum_{u,v} \delta^{\text{pad}}_{k+u,\,l+v}\, w_{K-1-u,\,L-1-v},

    with :math:`\delta^{\text{pad}}` the gradient :math:`\delta` padded with
    ``K - 1`` and ``L - 1`` zeros (for a ``K x L`` kernel): the *full* cross-correlation
    of :math:`\delta` with the kernel rotated by 180 degrees, that is the full
    convolution of :math:`\delta` with the kernel itself. The padded :math:`\delta` is
    drawn with the window of entry ``position`` outlined, and ``×w`` (the rotated
    kernel's value) written in each cell of the window; the title gives the sum.

    Parameters
    ----------
    delta : ndarray, shape (Ho, Wo)
        The gradient with respect to the layer's output (stride 1, no padding).
    w : ndarray, shape (K, L)
        The kernel of the cross-correlation.
    position : pair of ints
        ``(k, l)``, the input entry whose gradient is drawn, in ``[0, Ho + K - 1)`` x
        ``[0, Wo + L - 1)``.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``position`` is outside the input.

    Examples
    --------
    >>> delta = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> w = np.array([[1.0, 0.0], [0.0, -1.0]])
    >>> show_input_gradient(delta, w, position=(1, 1)).get_title()  # 4*1 + 1*(-1)
    'dL/da[1,1] = 3'
    """
    delta = _check_grid(delta, "delta")
    w = _check_grid(w, "w")
    kh, kw = w.shape
    padded = np.pad(delta, ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    h, wd = delta.shape[0] + kh - 1, delta.shape[1] + kw - 1
    k, l_ = check_pair(position, "position", minimum=0)
    if k >= h or l_ >= wd:
        raise ValueError(
            f"position must be an entry of the {h}x{wd} input, got position={(k, l_)}"
        )
    rotated = w[::-1, ::-1]
    ax = annotated_grid(padded, ax=ax, colors=False, highlight=(k, l_, kh, kw))
    for text in ax.texts:
        text.set_y(text.get_position()[1] - 0.15)
    for u in range(kh):
        for v in range(kw):
            _shade(ax, k + u, l_ + v, _WINDOW_COLOURS[1])
            _small(ax, k + u, l_ + v, f"×{rotated[u, v]:g}")
    value = float(np.sum(padded[k : k + kh, l_ : l_ + kw] * rotated))
    ax.set_title(f"dL/da[{k},{l_}] = {value:g}")
    return ax


def show_argmax_cells(
    x: ArrayLike,
    ax: Axes | None = None,
    *,
    kernel_size: int,
    stride: int | None = None,
) -> Axes:
    """Draw the input of a max pooling with the cell each output came from.

    The arg-maxes are those of :func:`dlsip.layers.maxpool2d_forward` (the first
    maximum in row-major order on ties, as in torch): exactly the cells to which
    :func:`dlsip.layers.maxpool2d_backward` sends the gradient. Each arg-max cell is
    shaded and labelled with the output(s) it feeds, ``→ij``; with non-overlapping
    windows each window gets its own colour and outline.

    Parameters
    ----------
    x : ndarray, shape (H, W)
        At most 16 x 16.
    kernel_size : int
        Square windows.
    stride : int, optional
        Defaults to ``kernel_size``.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If the window is larger than ``x``.

    Examples
    --------
    >>> x = np.array([[1.0, 5.0], [2.0, 0.0]])
    >>> ax = show_argmax_cells(x, kernel_size=2)
    >>> [t.get_text() for t in ax.texts if t.get_text().startswith("→")]
    ['→00']
    """
    from ..layers import maxpool2d_forward

    x = _check_grid(x, "x")
    k = check_positive_int(kernel_size, "kernel_size")
    s = k if stride is None else check_positive_int(stride, "stride")
    if k > min(x.shape):
        raise ValueError(
            f"kernel_size must fit in x {x.shape}, got kernel_size={kernel_size}"
        )
    out, cache = maxpool2d_forward(x[None, None], kernel_size=k, stride=s)
    ho, wo = out.shape[2:]
    sources: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for i in range(ho):
        for j in range(wo):
            u, v = divmod(int(cache.argmax[0, 0, i, j]), k)
            sources.setdefault((s * i + u, s * j + v), []).append((i, j))
    ax = annotated_grid(x, ax=ax, colors=False)
    for text in ax.texts:
        text.set_y(text.get_position()[1] - 0.15)
    from matplotlib.patches import Rectangle

    tiles = s >= k  # non-overlapping windows: one colour and one outline each
    for (r, c), outputs in sources.items():
        i, j = outputs[0]
        colour = _WINDOW_COLOURS[(i * wo + j if tiles else 0) % len(_WINDOW_COLOURS)]
        _shade(ax, r, c, colour)
        _small(ax, r, c, "→" + ",".join(f"{i}{j}" for i, j in outputs))
    if tiles:
        for i in range(ho):
            for j in range(wo):
                ax.add_patch(
                    Rectangle(
                        (s * j - 0.5, s * i - 0.5),
                        k,
                        k,
                        fill=False,
                        edgecolor="black",
                        linewidth=2.5,
                    )
                )
    ax.set_title(f"arg-max cells ({k}×{k}, stride {s})")
    return ax


def plot_activations(
    *,
    limit: float = 4.0,
    negative_slope: float = 0.1,
    samples: int = 401,
) -> Figure:
    r"""Plot the six activation functions of the lecture and their derivatives.

    Linear, ReLU, leaky ReLU, sigmoid, tanh and softmax, each in its own panel: the
    function :math:`f` (solid) and its derivative :math:`f'` (dashed), both computed by
    :mod:`dlsip.layers` (the forward pass, and the backward pass of a gradient of
    ones). Softmax maps a vector to a vector: its panel shows the first output
    :math:`p_1` of three logits :math:`(x, 0, 0)` and
    :math:`\partial p_1/\partial x = p_1 (1 - p_1)`.

    Parameters
    ----------
    limit : float
        The x axis runs from ``-limit`` to ``limit`` (positive).
    negative_slope : float
        Leaky ReLU's slope for negative inputs (0.1 shows better than torch's 0.01).
    samples : int
        Points per curve (at least 2).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``limit`` is not positive or ``samples`` is below 2.

    Examples
    --------
    >>> fig = plot_activations()
    >>> [ax.get_title() for ax in fig.axes][:3]
    ['linear', 'ReLU', 'leaky ReLU (0.1)']
    """
    from .. import layers

    limit = check_float(limit, "limit")
    if limit <= 0:
        raise ValueError(f"limit must be positive, got limit={limit}")
    negative_slope = check_float(negative_slope, "negative_slope")
    samples = check_positive_int(samples, "samples")
    if samples < 2:
        raise ValueError(f"samples must be at least 2, got samples={samples}")
    x = np.linspace(-limit, limit, samples)
    ones = np.ones_like(x)

    def elementwise(forward, backward, **kw):
        out, cache = forward(x, **kw)
        return out, backward(ones, cache)

    def softmax_first():
        logits = np.stack([x, np.zeros_like(x), np.zeros_like(x)], axis=1)
        p, cache = layers.softmax_forward(logits, axis=1)
        first = np.zeros_like(logits)
        first[:, 0] = 1.0  # the gradient of p_1: row j of the result is dp_1/dx_j
        return p[:, 0], layers.softmax_backward(first, cache)[:, 0]

    panels = {
        "linear": elementwise(layers.identity_forward, layers.identity_backward),
        "ReLU": elementwise(layers.relu_forward, layers.relu_backward),
        f"leaky ReLU ({negative_slope:g})": elementwise(
            layers.leaky_relu_forward,
            layers.leaky_relu_backward,
            negative_slope=negative_slope,
        ),
        "sigmoid": elementwise(layers.sigmoid_forward, layers.sigmoid_backward),
        "tanh": elementwise(layers.tanh_forward, layers.tanh_backward),
        "softmax: p₁ of (x, 0, 0)": softmax_first(),
    }
    fig, axes = _plt().subplots(
        2, 3, figsize=(BOOK_WIDTH - 0.2, 4.2), sharex=True, constrained_layout=True
    )
    for ax, (title, (f, df)) in zip(axes.flat, panels.items()):
        ax.axhline(0, color="0.7", linewidth=0.8)
        ax.axvline(0, color="0.7", linewidth=0.8)
        ax.plot(x, f, label="f(x)")
        ax.plot(x, df, "--", label="f′(x)")
        ax.set_title(title)
        ax.set_ylim(-1.6, 2.1)
    axes[0, 0].legend(loc="upper left")
    for ax in axes[1]:
        ax.set_xlabel("x")
    return fig
