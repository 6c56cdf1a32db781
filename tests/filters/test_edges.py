"""dlsip.filters.edges: derivatives, edges and sharpening against scipy.ndimage."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi

from dlsip import filters as F

MODES = F.MODES
TOL = 1e-10


@pytest.mark.parametrize("mode", MODES)
def test_derivative_filters_equal_scipy(rng, mode):
    image = rng.normal(size=(12, 14))
    kw = dict(mode=mode, cval=0.5)
    np.testing.assert_allclose(
        F.laplacian(image, **kw), ndi.laplace(image, **kw), atol=TOL
    )
    for axis in (0, 1, -1, -2):
        np.testing.assert_allclose(
            F.sobel(image, axis, **kw), ndi.sobel(image, axis, **kw), atol=TOL
        )
        np.testing.assert_allclose(
            F.prewitt(image, axis, **kw), ndi.prewitt(image, axis, **kw), atol=TOL
        )
    np.testing.assert_allclose(
        F.gradient_magnitude(image, **kw),
        ndi.generic_gradient_magnitude(image, ndi.sobel, **kw),
        atol=TOL,
    )
    np.testing.assert_allclose(
        F.gradient_magnitude(image, operator="prewitt", **kw),
        ndi.generic_gradient_magnitude(image, ndi.prewitt, **kw),
        atol=TOL,
    )


def test_kernel_constants_are_the_textbook_kernels():
    # Sobel = smoothing [1, 2, 1] (outer) derivative [-1, 0, 1]; the impulse response of
    # scipy's sobel.
    impulse = np.zeros((3, 3))
    impulse[1, 1] = 1
    np.testing.assert_array_equal(
        F.SOBEL_X, ndi.sobel(impulse, 1, mode="constant")[::-1, ::-1]
    )
    np.testing.assert_array_equal(
        F.SOBEL_Y, ndi.sobel(impulse, 0, mode="constant")[::-1, ::-1]
    )
    np.testing.assert_array_equal(
        F.PREWITT_X, ndi.prewitt(impulse, 1, mode="constant")[::-1, ::-1]
    )
    np.testing.assert_array_equal(
        F.PREWITT_Y, ndi.prewitt(impulse, 0, mode="constant")[::-1, ::-1]
    )
    np.testing.assert_array_equal(F.LAPLACIAN, ndi.laplace(impulse, mode="constant"))
    np.testing.assert_array_equal(F.VERTICAL_EDGE, [[1, 0, -1]] * 3)
    np.testing.assert_array_equal(
        F.HORIZONTAL_EDGE, [[1, 1, 1], [0, 0, 0], [-1, -1, -1]]
    )
    np.testing.assert_array_equal(F.VERTICAL_EDGE, -F.PREWITT_X)
    assert not np.signbit(F.VERTICAL_EDGE[:, 1]).any()  # +0, not -0, so grids print "0"


def test_sobel_equals_2d_kernel_correlation_except_constant_mode_with_cval(rng):
    image = rng.normal(size=(7, 8))
    for mode in MODES:
        np.testing.assert_allclose(
            F.sobel(image, 1, mode=mode),
            F.correlate2d(image, F.SOBEL_X, padding="same", mode=mode),
            atol=TOL,
        )
    two_d = F.correlate2d(image, F.SOBEL_Y, padding="same", mode="constant", cval=1.0)
    separable = F.sobel(image, 0, mode="constant", cval=1.0)
    np.testing.assert_allclose(separable[:, 1:-1], two_d[:, 1:-1], atol=TOL)
    # At the left and right borders the smoothing pass sees cval itself: 1 * cval more.
    np.testing.assert_allclose(separable[:, [0, -1]] - two_d[:, [0, -1]], 1.0, atol=TOL)


def test_constant_image_has_zero_derivatives():
    image = np.full((6, 7), 3.25)
    for mode in ("reflect", "mirror", "nearest", "wrap"):
        assert np.all(F.laplacian(image, mode=mode) == 0)
        assert np.all(F.gradient_magnitude(image, mode=mode) == 0)
        np.testing.assert_array_equal(F.sharpen(image, 2.0, mode=mode), image)


def test_linear_ramp_has_constant_gradient_and_zero_laplacian():
    image = np.add.outer(2.0 * np.arange(8), 3.0 * np.arange(9))  # f = 2y + 3x
    inner = (slice(1, -1), slice(1, -1))
    np.testing.assert_allclose(
        F.sobel(image, 1)[inner], 8 * 3.0
    )  # Sobel weights sum to 4, step 2
    np.testing.assert_allclose(F.sobel(image, 0)[inner], 8 * 2.0)
    np.testing.assert_allclose(F.laplacian(image)[inner], 0.0, atol=1e-12)


def test_step_edge_gives_a_line():
    image = np.zeros((8, 10))
    image[:, 5:] = 1.0
    g = F.gradient_magnitude(image)
    assert np.all(g[:, [4, 5]] == 4) and np.all(np.delete(g, [4, 5], axis=1) == 0)


@pytest.mark.parametrize("amount", [0.0, 0.5, 1.0, 3.0])
def test_sharpen_is_identity_minus_laplacian_kernel(rng, amount):
    image = rng.random((9, 9))
    kernel = np.zeros((3, 3))
    kernel[1, 1] = 1
    kernel -= amount * F.LAPLACIAN
    np.testing.assert_allclose(
        F.sharpen(image, amount), ndi.correlate(image, kernel, mode="reflect"), atol=TOL
    )


def test_derivative_errors():
    with pytest.raises(ValueError, match=r"axis must be 0 .* got axis=2"):
        F.sobel(np.ones((3, 3)), 2)
    with pytest.raises(
        ValueError,
        match=r"operator must be one of 'sobel', 'prewitt', got operator='canny'",
    ):
        F.gradient_magnitude(np.ones((3, 3)), operator="canny")
    with pytest.raises(ValueError, match=r"amount must be >= 0.0, got amount=-1.0"):
        F.sharpen(np.ones((3, 3)), -1.0)
