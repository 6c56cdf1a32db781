"""dlsip.plotting.backprop: the gradient figures and the activation plot (ch. 3).

The numbers a figure writes are checked against independent oracles: torch autograd
in float64 for the gradients, torch's max_pool2d indices for the arg-max cells."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlsip.plotting import (
    plot_activations,
    show_argmax_cells,
    show_input_gradient,
    show_weight_gradient,
)

RNG = np.random.default_rng(0)
A = RNG.integers(-3, 4, (4, 5)).astype(float)
W = RNG.integers(-2, 3, (2, 3)).astype(float)


def torch_conv_grads(a, w, delta):
    at = torch.tensor(a[None, None], requires_grad=True)
    wt = torch.tensor(w[None, None], requires_grad=True)
    out = F.conv2d(at, wt)  # torch's conv2d is the cross-correlation
    out.backward(torch.tensor(delta[None, None]))
    return at.grad[0, 0].numpy(), wt.grad[0, 0].numpy()


DELTA = RNG.integers(-2, 3, (3, 3)).astype(float)
DX, DW = torch_conv_grads(A, W, DELTA)


def factors(ax):
    """The small second lines of the cells: {(row, col): text}."""
    return {
        (round(t.get_position()[1] - 0.3), round(t.get_position()[0])): t.get_text()
        for t in ax.texts
        if t.get_fontsize() == 8
    }


@pytest.mark.parametrize("m, n", [(0, 0), (1, 2), (0, 1)])
def test_weight_gradient_title_and_cells_match_torch(m, n):
    ax = show_weight_gradient(A, DELTA, weight=(m, n))
    assert ax.get_title() == f"dL/dw[{m},{n}] = {DW[m, n]:g}"
    # delta[i, j] is written into a[i + m, j + n], and nowhere else
    assert factors(ax) == {
        (i + m, j + n): f"×{DELTA[i, j]:g}" for i in range(3) for j in range(3)
    }


@pytest.mark.parametrize("k, l_", [(0, 0), (2, 3), (3, 4), (1, 2)])
def test_input_gradient_title_matches_torch_and_the_kernel_is_rotated(k, l_):
    ax = show_input_gradient(DELTA, W, position=(k, l_))
    assert ax.get_title() == f"dL/da[{k},{l_}] = {DX[k, l_]:g}"
    rotated = W[::-1, ::-1]
    assert factors(ax) == {
        (k + u, l_ + v): f"×{rotated[u, v]:g}" for u in range(2) for v in range(3)
    }


@pytest.mark.parametrize(
    "shape, k, s", [((4, 4), 2, 2), ((5, 5), 3, 1), ((6, 7), 3, 2), ((5, 5), 2, None)]
)
def test_argmax_cells_are_torchs_indices(shape, k, s):
    rng = np.random.default_rng(sum(shape))
    x = rng.integers(0, 4, shape).astype(float)  # many ties
    ax = show_argmax_cells(x, kernel_size=k, stride=s)
    _, idx = F.max_pool2d(torch.tensor(x[None, None]), k, stride=s, return_indices=True)
    expected: dict = {}
    wo = idx.shape[3]
    for flat, pos in enumerate(idx[0, 0].flatten().tolist()):
        expected.setdefault(divmod(pos, shape[1]), []).append(divmod(flat, wo))
    labels = {
        cell: "→" + ",".join(f"{i}{j}" for i, j in outs)
        for cell, outs in expected.items()
    }
    assert factors(ax) == labels


def test_argmax_cells_of_the_lecture_example():
    x = np.array([[12, 20, 30, 0], [8, 12, 2, 0], [34, 70, 37, 4], [112, 100, 25, 12]])
    ax = show_argmax_cells(x, kernel_size=2)
    assert factors(ax) == {(0, 1): "→00", (0, 2): "→01", (3, 0): "→10", (2, 2): "→11"}
    assert len(ax.patches) == 4 + 4  # four shaded cells, four window outlines


def test_plot_activations_draws_f_and_its_derivative():
    fig = plot_activations(limit=2.0, samples=5)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == [
        "linear",
        "ReLU",
        "leaky ReLU (0.1)",
        "sigmoid",
        "tanh",
        "softmax: p₁ of (x, 0, 0)",
    ]
    x = np.linspace(-2, 2, 5)
    sig = 1 / (1 + np.exp(-x))
    expected = {
        "linear": (x, np.ones(5)),
        "ReLU": (np.maximum(x, 0), (x > 0).astype(float)),
        "leaky ReLU (0.1)": (np.where(x > 0, x, 0.1 * x), np.where(x > 0, 1, 0.1)),
        "sigmoid": (sig, sig * (1 - sig)),
        "tanh": (np.tanh(x), 1 - np.tanh(x) ** 2),
    }
    p = np.exp(x) / (np.exp(x) + 2)
    expected["softmax: p₁ of (x, 0, 0)"] = (p, p * (1 - p))
    for ax in fig.axes:
        f, df = (line.get_ydata() for line in ax.get_lines()[2:])  # after the axes
        np.testing.assert_allclose(f, expected[ax.get_title()][0], atol=1e-12)
        np.testing.assert_allclose(df, expected[ax.get_title()][1], atol=1e-12)


def test_errors():
    with pytest.raises(ValueError, match=r"delta must not be larger than a \(3, 3\)"):
        show_weight_gradient(np.zeros((3, 3)), np.zeros((4, 2)), weight=(0, 0))
    with pytest.raises(ValueError, match=r"weight must be an entry of the 2x2 kernel"):
        show_weight_gradient(np.zeros((3, 3)), np.zeros((2, 2)), weight=(2, 0))
    with pytest.raises(ValueError, match=r"position must be an entry of the 3x3 input"):
        show_input_gradient(np.zeros((2, 2)), np.zeros((2, 2)), position=(0, 3))
    with pytest.raises(ValueError, match="kernel_size must fit in x"):
        show_argmax_cells(np.zeros((2, 2)), kernel_size=3)
    with pytest.raises(ValueError, match="a must be a small grid"):
        show_weight_gradient(np.zeros((17, 17)), np.zeros((2, 2)), weight=(0, 0))
    with pytest.raises(ValueError, match="limit must be positive"):
        plot_activations(limit=0.0)
    with pytest.raises(ValueError, match="samples must be at least 2"):
        plot_activations(samples=1)
