"""dlsip.filters.gaussian: the kernel and the filter against scipy.ndimage."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi

from dlsip import filters as F

MODES = F.MODES
TOL = 1e-10


@pytest.mark.parametrize("sigma", [0.3, 0.5, 1.0, 2.0, 3.7])
@pytest.mark.parametrize("truncate", [1.0, 2.5, 4.0])
def test_gaussian_kernel_is_normalised_with_scipy_radius(sigma, truncate):
    k1 = F.gaussian_kernel(sigma, truncate=truncate, ndim=1)
    radius = int(truncate * sigma + 0.5)
    assert k1.shape == (2 * radius + 1,)
    assert k1.sum() == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_array_equal(k1, k1[::-1])
    x = np.arange(-radius, radius + 1)
    np.testing.assert_allclose(
        k1,
        np.exp(-(x**2) / (2 * sigma**2)) / np.exp(-(x**2) / (2 * sigma**2)).sum(),
        rtol=1e-14,
    )
    # The impulse response of scipy's filter is the (2D) kernel.
    impulse = np.zeros((2 * radius + 1,) * 2)
    impulse[radius, radius] = 1
    k2 = F.gaussian_kernel(sigma, truncate=truncate)
    np.testing.assert_allclose(
        k2,
        ndi.gaussian_filter(impulse, sigma, truncate=truncate, mode="constant"),
        rtol=0,
        atol=1e-15,
    )


def test_gaussian_kernel_sigma_zero_is_identity():
    np.testing.assert_array_equal(F.gaussian_kernel(0.0), [[1.0]])


@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.0, 8.0, (1.0, 3.0), (0.0, 2.0)])
@pytest.mark.parametrize("mode", MODES)
def test_gaussian_filter_equals_scipy(rng, sigma, mode):
    image = rng.normal(size=(40, 37))
    expected = ndi.gaussian_filter(image, sigma, mode=mode, cval=1.5)
    np.testing.assert_allclose(
        F.gaussian_filter(image, sigma, mode=mode, cval=1.5), expected, rtol=0, atol=TOL
    )


def test_gaussian_filter_is_the_2d_kernel_correlation_and_preserves_the_mean(rng):
    image = rng.random((30, 30))
    np.testing.assert_allclose(
        F.gaussian_filter(image, 1.5),
        F.correlate2d(image, F.gaussian_kernel(1.5), padding="same", mode="reflect"),
        atol=TOL,
    )
    assert F.gaussian_filter(image, 2.0, mode="wrap").mean() == pytest.approx(
        image.mean(), abs=1e-12
    )


def test_gaussian_float32_and_uint8(rng):
    image = rng.integers(0, 256, size=(20, 20)).astype(np.uint8)
    got = F.gaussian_filter(image, 1.0)
    assert got.dtype == np.float32
    np.testing.assert_allclose(
        got, ndi.gaussian_filter(image.astype(float), 1.0), rtol=1e-5, atol=1e-3
    )


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        (dict(sigma=-1.0), ValueError, r"sigma must be >= 0.0, got sigma=-1.0"),
        (dict(sigma="2"), TypeError, r"sigma must be a real number, got sigma='2'"),
        (
            dict(sigma=(1.0, 2.0, 3.0)),
            ValueError,
            r"sigma must be a number or a pair of numbers",
        ),
        (dict(truncate=0.0), ValueError, r"truncate must be > 0.0, got truncate=0.0"),
        (dict(mode="ignore"), ValueError, r"got mode='ignore'"),
        (
            dict(truncate=1e12),
            ValueError,
            r"sigma=1.0 and truncate=1000000000000.0 would make an array",
        ),
    ],
)
def test_gaussian_errors(kwargs, exc, match):
    args = dict(sigma=1.0)
    args.update(kwargs)
    sigma = args.pop("sigma")
    with pytest.raises(exc, match=match):
        F.gaussian_filter(np.ones((5, 5)), sigma, **args)


def test_gaussian_kernel_errors():
    with pytest.raises(ValueError, match=r"ndim must be 1 or 2, got ndim=3"):
        F.gaussian_kernel(1.0, ndim=3)
    with pytest.raises(ValueError, match=r"sigma must be >= 0.0, got sigma=-0.5"):
        F.gaussian_kernel(-0.5)
    with pytest.raises(ValueError, match=r"truncate=1000000000000.0 would make"):
        F.gaussian_kernel(1.0, truncate=1e12)
    with pytest.raises(ValueError, match=r"truncate=10000.0 would make"):  # 2D only
        F.gaussian_kernel(1.0, truncate=1e4)


def test_non_finite_pixels_stay_local(rng):
    image = rng.random((120, 90))
    image[60, 45] = np.nan
    image[10, 80] = np.inf
    got = F.gaussian_filter(image, 1.0, truncate=2.0)
    expected = ndi.gaussian_filter(image, 1.0, truncate=2.0)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    # Radius 2: a 5x5 patch of nan around the nan, of +inf around the inf (positive
    # weights).
    assert (
        np.count_nonzero(np.isnan(got)) == 25
        and np.count_nonzero(np.isposinf(got)) == 25
    )
    finite = np.isfinite(expected)
    np.testing.assert_allclose(got[finite], expected[finite], atol=TOL)
    box = F.mean_filter(image, 3)
    assert np.count_nonzero(np.isnan(box)) == 9 and np.isinf(box[10, 80])
