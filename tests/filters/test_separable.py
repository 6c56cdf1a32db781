"""dlsip.filters.separable: kernel factorisation by SVD against known factors, scipy's
Gaussian window and random rank-one kernels, and two-pass filtering against 2D."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal.windows import gaussian

from dlsip import filters as F

SOBEL_X = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])


@pytest.mark.parametrize(
    "kernel, column, row",
    [
        (SOBEL_X, [1, 2, 1], [1, 0, -1]),  # smoothing times difference
        (SOBEL_X.T, [1, 0, -1], [1, 2, 1]),
        (np.ones((3, 5)) / 15, [1, 1, 1], np.ones(5) / 15),
        (-SOBEL_X, [1, 2, 1], [-1, 0, 1]),
    ],
)
def test_separate_known_kernels(kernel, column, row):
    col, r = F.separate_kernel(kernel)
    # The convention: the column's largest-magnitude entry is 1 (the first one on ties).
    scale = np.max(np.abs(column))
    np.testing.assert_allclose(col, np.asarray(column) / scale, rtol=0, atol=1e-14)
    np.testing.assert_allclose(r, np.asarray(row) * scale, rtol=0, atol=1e-14)
    np.testing.assert_allclose(np.outer(col, r), kernel, rtol=0, atol=1e-14)


@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.5])
@pytest.mark.parametrize("size", [3, 7, 11])
def test_gaussian_is_separable_into_its_1d_profile(size, sigma):
    g = gaussian(size, sigma)
    g = g / g.sum()
    kernel = np.outer(g, g)
    col, row = F.separate_kernel(kernel)
    np.testing.assert_allclose(col, g / g.max(), rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(np.outer(col, row), kernel, rtol=0, atol=1e-15)
    # Filtering with the two 1D passes equals the 2D filter (scipy as the referee).
    from scipy import ndimage

    image = np.random.default_rng(size).standard_normal((20, 23))
    two_d = ndimage.correlate(image, kernel, mode="constant")
    passes = ndimage.correlate1d(
        ndimage.correlate1d(image, col, axis=0, mode="constant"),
        row,
        axis=1,
        mode="constant",
    )
    np.testing.assert_allclose(passes, two_d, rtol=0, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 7), st.integers(1, 7), st.integers(0, 2**31 - 1))
def test_random_rank_one_kernels_are_recovered(h, w, seed):
    rng = np.random.default_rng(seed)
    u, v = rng.standard_normal(h), rng.standard_normal(w)
    kernel = np.outer(u, v)
    col, row = F.separate_kernel(kernel)
    assert np.max(np.abs(col)) == 1.0
    np.testing.assert_allclose(
        np.outer(col, row), kernel, rtol=0, atol=1e-12 * np.abs(kernel).max()
    )


def test_random_kernel_is_not_separable():
    kernel = np.random.default_rng(0).standard_normal((5, 5))
    s = np.linalg.svd(kernel, compute_uv=False)
    rel = np.sqrt(np.sum(s[1:] ** 2) / np.sum(s**2))
    with pytest.raises(
        F.NotSeparableError,
        match=rf"not separable within tol=1e-08: .* relative error {rel:.3g}",
    ):
        F.separate_kernel(kernel)
    assert issubclass(F.NotSeparableError, ValueError)


def test_tolerance_is_relative_frobenius_error():
    rng = np.random.default_rng(1)
    base = np.outer(rng.standard_normal(4), rng.standard_normal(4))
    noise = rng.standard_normal((4, 4))
    noisy = base + 1e-4 * np.linalg.norm(base) * noise / np.linalg.norm(noise)
    s = np.linalg.svd(noisy, compute_uv=False)
    rel = np.sqrt(np.sum(s[1:] ** 2) / np.sum(s**2))
    assert 0 < rel <= 1e-4
    with pytest.raises(ValueError, match="not separable"):
        F.separate_kernel(noisy, tol=rel * 0.99)
    col, row = F.separate_kernel(noisy, tol=rel * 1.01)
    # The returned factorisation is the best rank-1 one: its error is exactly `rel`.
    err = np.linalg.norm(noisy - np.outer(col, row)) / np.linalg.norm(noisy)
    assert err == pytest.approx(rel, rel=1e-8)


def test_zero_kernel_separates_into_zeros():
    col, row = F.separate_kernel(np.zeros((3, 2)))
    assert np.array_equal(col, np.zeros(3)) and np.array_equal(row, np.zeros(2))


@pytest.mark.parametrize(
    ("kernel", "kwargs", "error", "match"),
    [
        (
            np.ones(3),
            {},
            ValueError,
            r"kernel must be 2D, got kernel with shape \(3,\)",
        ),
        ([["a"]], {}, TypeError, "kernel must have a real numeric dtype"),
        (
            np.ones((2, 2)),
            {"tol": -1.0},
            ValueError,
            "tol must be >= 0.0, got tol=-1.0",
        ),
        (np.array([[1.0, np.nan]]), {}, ValueError, "finite"),
    ],
)
def test_separate_kernel_input_errors(kernel, kwargs, error, match):
    with pytest.raises(error, match=match):
        F.separate_kernel(kernel, **kwargs)


# ---------------------------------------------------------------- two-pass filtering


@pytest.mark.parametrize("padding", ["valid", "same", "full", 1, (2, 0)])
@pytest.mark.parametrize("mode", F.MODES)
@pytest.mark.parametrize("shape", [(3, 3), (2, 5), (4, 1)])
def test_separable_correlate2d_equals_the_2d_correlation(padding, mode, shape):
    rng = np.random.default_rng(sum(shape))
    image = rng.normal(size=(9, 12))
    column, row = rng.normal(size=shape[0]), rng.normal(size=shape[1])
    expected = F.correlate2d(
        image, np.outer(column, row), padding=padding, mode=mode, cval=0.3
    )
    got = F.separable_correlate2d(
        image, column, row, padding=padding, mode=mode, cval=0.3
    )
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    if padding == "same":  # and scipy as the independent referee
        np.testing.assert_allclose(
            got,
            ndi.correlate(image, np.outer(column, row), mode=mode, cval=0.3),
            rtol=0,
            atol=1e-12,
        )


def test_separable_correlate2d_with_the_factors_of_separate_kernel():
    image = np.random.default_rng(3).random((20, 20)).astype(np.float32)
    column, row = F.separate_kernel(F.gaussian_kernel(1.5))
    got = F.separable_correlate2d(image, column, row, padding="same", mode="reflect")
    assert got.dtype == np.float64  # the factors are float64
    np.testing.assert_allclose(
        got, ndi.gaussian_filter(image.astype(float), 1.5), atol=1e-7
    )


def test_separable_correlate2d_errors():
    with pytest.raises(ValueError, match=r"column must be 1D"):
        F.separable_correlate2d(np.ones((4, 4)), np.ones((2, 2)), np.ones(2))
    with pytest.raises(ValueError, match=r"row must not be empty"):
        F.separable_correlate2d(np.ones((4, 4)), np.ones(2), np.ones(0))
    with pytest.raises(
        ValueError,
        match=r"np.outer\(column, row\) of shape \(5, 2\) does not fit the image",
    ):
        F.separable_correlate2d(np.ones((4, 4)), np.ones(5), np.ones(2))
    with pytest.raises(ValueError, match=r"mode must be one of"):
        F.separable_correlate2d(np.ones((4, 4)), np.ones(2), np.ones(2), mode="edge")
