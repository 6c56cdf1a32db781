"""dlsip.filters._fast: each speed path equals the plain algorithm it replaces, and the
public filters give scipy.ndimage's results with the speed paths switched off too."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi

from dlsip import filters as F
from dlsip.filters import _fast
from dlsip.filters.gaussian import _correlate_along
from dlsip.filters.window import _reduce_views

TOL = 1e-10


@pytest.fixture
def plain(monkeypatch):
    """Run the test with the speed paths switched off."""
    monkeypatch.setattr(_fast, "ENABLED", False)


@pytest.mark.parametrize("size", [(1, 1), (3, 3), (7, 2), (1, 8), (13, 16)])
@pytest.mark.parametrize("ufunc", [np.add, np.maximum, np.minimum])
def test_separable_reduce_equals_the_shifted_views_reduced(rng, size, ufunc):
    padded = rng.normal(size=(40, 33))
    fast = _fast.separable_reduce(padded, size, ufunc)
    slow = _reduce_views(padded, np.ones(size, bool), ufunc)
    assert fast.shape == (40 - size[0] + 1, 33 - size[1] + 1)
    np.testing.assert_allclose(fast, slow, rtol=0, atol=TOL)


@pytest.mark.parametrize("taps", [1, 3, 5, 17])
@pytest.mark.parametrize("axis", [0, 1])
def test_symmetric_correlate_equals_the_weighted_sum_of_shifted_views(rng, taps, axis):
    half = rng.random(taps // 2 + 1)
    weights = np.concatenate([half, half[-2::-1]])  # symmetric, length taps
    x = rng.normal(size=(30, 41))
    np.testing.assert_allclose(
        _fast.symmetric_correlate(x, weights, axis),
        _correlate_along(x, weights, axis),
        rtol=0,
        atol=TOL,
    )


def test_symmetric_correlate_keeps_non_finite_pixels_local(rng):
    x = rng.random((20, 20))
    x[10, 10] = np.inf
    x[3, 15] = np.nan
    out = _fast.symmetric_correlate(x, np.array([0.25, 0.5, 0.25]), axis=0)
    assert (
        np.count_nonzero(np.isposinf(out)) == 3 and np.count_nonzero(np.isnan(out)) == 3
    )


@pytest.mark.usefixtures("plain")
@pytest.mark.parametrize("mode", F.MODES)
def test_plain_window_statistics_equal_scipy(rng, mode):
    image = rng.normal(size=(25, 31))
    kw = dict(mode=mode, cval=0.75)
    np.testing.assert_allclose(
        F.mean_filter(image, (7, 4), **kw),
        ndi.uniform_filter(image, (7, 4), **kw),
        rtol=0,
        atol=TOL,
    )
    np.testing.assert_array_equal(
        F.max_filter(image, (3, 6), **kw), ndi.maximum_filter(image, (3, 6), **kw)
    )
    np.testing.assert_array_equal(
        F.min_filter(image, 5, **kw), ndi.minimum_filter(image, 5, **kw)
    )


@pytest.mark.usefixtures("plain")
@pytest.mark.parametrize("sigma", [0.5, 2.0, (1.0, 3.0), (0.0, 2.0)])
@pytest.mark.parametrize("mode", F.MODES)
def test_plain_gaussian_equals_scipy(rng, sigma, mode):
    image = rng.normal(size=(40, 37))
    np.testing.assert_allclose(
        F.gaussian_filter(image, sigma, mode=mode, cval=1.5),
        ndi.gaussian_filter(image, sigma, mode=mode, cval=1.5),
        rtol=0,
        atol=TOL,
    )


@pytest.mark.usefixtures("plain")
def test_plain_paths_keep_non_finite_pixels_local(rng):
    image = rng.random((60, 50))
    image[30, 25] = np.nan
    got = F.gaussian_filter(image, 1.0, truncate=2.0)
    assert np.count_nonzero(np.isnan(got)) == 25
    assert np.count_nonzero(np.isnan(F.mean_filter(image, 3))) == 9


def test_float32_results_of_both_paths_agree_with_scipy(rng, monkeypatch):
    image = rng.random((64, 64)).astype(np.float32)
    for enabled in (True, False):
        monkeypatch.setattr(_fast, "ENABLED", enabled)
        got = F.gaussian_filter(image, 2.0)
        assert got.dtype == np.float32
        np.testing.assert_allclose(
            got, ndi.gaussian_filter(image, 2.0), rtol=0, atol=1e-6
        )
        np.testing.assert_allclose(
            F.mean_filter(image, 7), ndi.uniform_filter(image, 7), rtol=0, atol=1e-6
        )
