"""The geometry core, dlsip/_geometry.py: every sliding-window operation of the package
rests on it, so each function is checked against an independent oracle (loops, torch's
unfold/fold in float64, numpy.pad, and the adjoint identity)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from dlsip import _geometry as G

pairs = st.tuples(st.integers(1, 3), st.integers(1, 3))


@st.composite
def geometries(draw):
    """A batch shape and hyperparameters for which at least one window fits."""
    kernel, stride, dilation = draw(pairs), draw(pairs), draw(pairs)
    padding = draw(st.tuples(st.integers(0, 2), st.integers(0, 2)))
    span = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    hw = [draw(st.integers(max(1, s - 2 * p), s + 6)) for s, p in zip(span, padding)]
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    return (n, c, *hw), kernel, stride, padding, dilation


def test_windows_are_the_entries_read_by_a_loop():
    rng = np.random.default_rng(0)
    xp = rng.standard_normal((2, 3, 9, 11))
    win = G.windows(xp, (2, 3), stride=(2, 1), dilation=(3, 2))
    ho, wo = (9 - 3 - 1) // 2 + 1, (11 - 4 - 1) // 1 + 1
    assert win.shape == (2, 3, ho, wo, 2, 3)
    for i in range(ho):
        for j in range(wo):
            for a in range(2):
                for b in range(3):
                    assert np.array_equal(
                        win[:, :, i, j, a, b], xp[:, :, 2 * i + 3 * a, j + 2 * b]
                    )
    assert not win.flags.writeable  # a view: writing into it would alias pixels


@settings(max_examples=60, deadline=None)
@given(geometries())
def test_scatter_add_windows_is_the_adjoint_of_windows(geometry):
    # <windows(x), y> == <x, scatter(y)> for all x, y: the identity backprop relies on.
    shape, kernel, stride, padding, dilation = geometry
    rng = np.random.default_rng(1)
    x = G.pad(rng.standard_normal(shape), G.symmetric(padding))
    win = G.windows(x, kernel, stride=stride, dilation=dilation)
    y = rng.standard_normal(win.shape)
    back = G.scatter_add_windows(np.zeros(x.shape), y, stride=stride, dilation=dilation)
    assert np.isclose(np.sum(win * y), np.sum(x * back), rtol=1e-12, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(geometries())
def test_im2col_and_col2im_match_torch_unfold_and_fold(geometry):
    shape, kernel, stride, padding, dilation = geometry
    x = np.random.default_rng(2).standard_normal(shape)
    cols = G.im2col(x, kernel, stride=stride, padding=padding, dilation=dilation)
    kw = dict(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation)
    unfolded = F.unfold(torch.from_numpy(x), **kw).numpy()  # (N, C kH kW, L)
    n, rows, length = unfolded.shape
    expected = unfolded.transpose(1, 0, 2).reshape(rows, n * length)
    np.testing.assert_array_equal(cols, expected)
    y = np.random.default_rng(3).standard_normal(cols.shape)
    folded = F.fold(
        torch.from_numpy(y.reshape(rows, n, length).transpose(1, 0, 2).copy()),
        output_size=shape[2:],
        **kw,
    ).numpy()
    got = G.col2im(y, shape, kernel, stride=stride, padding=padding, dilation=dilation)
    np.testing.assert_allclose(got, folded, rtol=1e-12, atol=1e-12)


def test_im2col_always_copies():
    x = np.arange(8.0).reshape(1, 2, 2, 2)
    cols = G.im2col(x, (1, 1))  # a 1x1 kernel could have been a view of x
    cols[0, 0] = 99.0
    assert x[0, 0, 0, 0] == 0.0 and cols.flags.writeable


@pytest.mark.parametrize("mode", ["constant", "reflect", "mirror", "nearest", "wrap"])
def test_pad_fills_the_border_as_scipy_ndimage_reads_it(mode):
    # scipy's correlate with a one-hot kernel reads the pixel at an offset, with its
    # border mode: the padded image at that offset must hold the same value.
    rng = np.random.default_rng(4)
    image = rng.standard_normal((4, 5))
    padded = G.pad(image, ((3, 2), (1, 4)), mode=mode, cval=7.0)
    assert padded.shape == (9, 10)
    for di in range(-3, 3):
        for dj in range(-1, 5):
            one_hot = np.zeros((7, 9))
            one_hot[3 + di, 4 + dj] = 1.0
            read = ndi.correlate(image, one_hot, mode=mode, cval=7.0)
            np.testing.assert_allclose(
                read, padded[3 + di : 3 + di + 4, 1 + dj : 1 + dj + 5], atol=1e-12
            )


def test_pad_pads_only_the_last_two_axes_and_crop_undoes_it():
    x = np.random.default_rng(5).standard_normal((2, 3, 4, 5))
    widths = ((1, 2), (3, 0))
    xp = G.pad(x, widths)
    assert xp.shape == (2, 3, 7, 8)
    assert np.array_equal(G.crop(xp, widths), x)
    assert G.pad(x, ((0, 0), (0, 0))) is x  # nothing to add: no copy


def test_output_hw_comes_from_conv_output_size_and_rejects_a_kernel_that_does_not_fit():
    assert G.output_hw((28, 28), (5, 5), padding=(2, 2), stride=(2, 2)) == (14, 14)
    with pytest.raises(ValueError, match="does not fit"):
        G.output_hw((2, 2), (3, 3))
