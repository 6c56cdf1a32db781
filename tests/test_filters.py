"""Tests of dlsip.filters: known answers, scipy.ndimage and torch as references, the loop
versions against the fast ones, the worked examples of the syllabus, and the errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi
import torch

from dlsip import filters as F

MODES = F.MODES
KERNEL_SHAPES = [(1, 1), (2, 2), (3, 3), (2, 5), (4, 3), (5, 5), (7, 7), (6, 4)]
IMAGE_SHAPES = [(12, 15), (7, 7), (1, 6), (3, 2)]
TOL = 1e-10


@pytest.fixture
def rng():
    return np.random.default_rng(20240601)


def _torch_conv(image, kernel, *, stride=1, padding=0, dilation=1):
    """torch's conv2d (a cross-correlation) on one channel, float64, with zero padding."""
    x = torch.as_tensor(np.asarray(image, dtype=np.float64))[None, None]
    w = torch.as_tensor(np.asarray(kernel, dtype=np.float64))[None, None]
    return torch.nn.functional.conv2d(x, w, stride=stride, padding=padding, dilation=dilation)[0, 0].numpy()


# --------------------------------------------------------------------------------------
# Linear filtering: correlate2d / convolve2d
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kshape", KERNEL_SHAPES)
@pytest.mark.parametrize("ishape", IMAGE_SHAPES)
def test_correlate_and_convolve_same_equal_scipy(rng, ishape, kshape, mode):
    image = rng.normal(size=ishape)
    kernel = rng.normal(size=kshape)
    got = F.correlate2d(image, kernel, padding="same", mode=mode, cval=0.7)
    np.testing.assert_allclose(got, ndi.correlate(image, kernel, mode=mode, cval=0.7), rtol=0, atol=TOL)
    got = F.convolve2d(image, kernel, padding="same", mode=mode, cval=0.7)
    np.testing.assert_allclose(got, ndi.convolve(image, kernel, mode=mode, cval=0.7), rtol=0, atol=TOL)


@pytest.mark.parametrize("stride", [1, 2, 3, (1, 2)])
@pytest.mark.parametrize("dilation", [1, 2, (3, 1)])
@pytest.mark.parametrize("padding", [0, 1, 2, (0, 3)])
@pytest.mark.parametrize("kshape", [(3, 3), (2, 4), (1, 1)])
def test_correlate_equals_torch_conv2d(rng, kshape, padding, dilation, stride):
    image = rng.normal(size=(11, 13))
    kernel = rng.normal(size=kshape)
    got = F.correlate2d(image, kernel, padding=padding, stride=stride, dilation=dilation)
    expected = _torch_conv(image, kernel, stride=stride, padding=padding, dilation=dilation)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOL)


@pytest.mark.parametrize("padding", ["valid", "same", "full", 1, (2, 0)])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("stride,dilation", [(1, 1), (2, 1), (1, 2), ((2, 3), (2, 1))])
def test_loop_version_agrees_with_fast_version(rng, padding, mode, stride, dilation):
    image = rng.normal(size=(9, 10))
    kernel = rng.normal(size=(3, 2))
    kwargs = dict(padding=padding, mode=mode, cval=-1.0, stride=stride, dilation=dilation)
    np.testing.assert_allclose(F.correlate2d_loop(image, kernel, **kwargs), F.correlate2d(image, kernel, **kwargs),
                               rtol=0, atol=TOL)
    np.testing.assert_allclose(F.convolve2d_loop(image, kernel, **kwargs), F.convolve2d(image, kernel, **kwargs),
                               rtol=0, atol=TOL)


@pytest.mark.parametrize("kshape", KERNEL_SHAPES)
def test_valid_and_full_equal_cropped_scipy(rng, kshape):
    # valid = the part of the "same" output where the kernel lies inside the image;
    # full = "same" on an image zero-padded by k - 1.
    image = rng.normal(size=(10, 11))
    kernel = rng.normal(size=kshape)
    kh, kw = kshape
    same = ndi.correlate(image, kernel, mode="constant")
    valid = same[kh // 2: kh // 2 + 10 - kh + 1, kw // 2: kw // 2 + 11 - kw + 1]
    np.testing.assert_allclose(F.correlate2d(image, kernel), valid, rtol=0, atol=TOL)
    big = np.pad(image, ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    full = ndi.correlate(big, kernel, mode="constant")[kh // 2: kh // 2 + 10 + kh - 1, kw // 2: kw // 2 + 11 + kw - 1]
    np.testing.assert_allclose(F.correlate2d(image, kernel, padding="full"), full, rtol=0, atol=TOL)


def test_valid_and_full_convolution_is_correlation_with_flipped_kernel(rng):
    image, kernel = rng.normal(size=(8, 9)), rng.normal(size=(4, 3))
    for padding in ("valid", "full", 2):
        np.testing.assert_allclose(F.convolve2d(image, kernel, padding=padding),
                                   F.correlate2d(image, kernel[::-1, ::-1], padding=padding), rtol=0, atol=TOL)


@pytest.mark.parametrize("kshape", [(3, 3), (2, 2), (4, 5)])
def test_impulse_gives_flipped_kernel_for_correlation_and_kernel_for_convolution(rng, kshape):
    kernel = rng.normal(size=kshape)
    impulse = np.zeros((9, 9))
    impulse[4, 4] = 1.0
    full_corr = F.correlate2d(impulse, kernel, padding="full")
    full_conv = F.convolve2d(impulse, kernel, padding="full")
    kh, kw = kshape
    # The impulse sits at (4 + k - 1) in full coordinates minus the kernel extent.
    np.testing.assert_array_equal(full_corr[4: 4 + kh, 4: 4 + kw], kernel[::-1, ::-1])
    np.testing.assert_array_equal(full_conv[4: 4 + kh, 4: 4 + kw], kernel)
    assert np.count_nonzero(full_conv) == np.count_nonzero(kernel)


def test_convolution_is_commutative_and_associative(rng):
    f, u, v = rng.normal(size=(6, 7)), rng.normal(size=(3, 3)), rng.normal(size=(2, 4))
    np.testing.assert_allclose(F.convolve2d(f, u, padding="full"), F.convolve2d(u, f, padding="full"), atol=TOL)
    left = F.convolve2d(F.convolve2d(f, u, padding="full"), v, padding="full")
    right = F.convolve2d(f, F.convolve2d(u, v, padding="full"), padding="full")
    np.testing.assert_allclose(left, right, rtol=0, atol=TOL)


def test_correlation_is_not_commutative_but_equals_convolution_for_symmetric_kernels(rng):
    f, u = rng.normal(size=(5, 5)), rng.normal(size=(3, 3))
    assert not np.allclose(F.correlate2d(f, u, padding="full"), F.correlate2d(u, f, padding="full"))
    sym = u + u[::-1, ::-1]
    np.testing.assert_allclose(F.correlate2d(f, sym, padding="same"), F.convolve2d(f, sym, padding="same"), atol=TOL)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int64, np.float32, np.float64, bool])
def test_dtypes(rng, dtype):
    image = (rng.integers(0, 5, size=(6, 7)) > 2) if dtype is bool else rng.integers(0, 100, size=(6, 7)).astype(dtype)
    kernel = np.array([[1.0, -2.0], [0.5, 3.0]], dtype=np.float32)
    got = F.correlate2d(image, kernel, padding="same", mode="reflect")
    expected = ndi.correlate(image.astype(np.float64), kernel.astype(np.float64), mode="reflect")
    # float32 when the image fits in float32 exactly (8- and 16-bit integers, booleans).
    assert got.dtype == (np.float64 if dtype in (np.int64, np.float64) else np.float32)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-4)


def test_float32_stays_float32_and_integers_give_float64(rng):
    x32 = rng.normal(size=(5, 5)).astype(np.float32)
    assert F.correlate2d(x32, np.ones((3, 3), np.float32)).dtype == np.float32
    assert F.correlate2d(np.arange(25).reshape(5, 5), [[1, 0, -1]]).dtype == np.float64
    # uint8 never wraps around: negative responses survive.
    out = F.correlate2d(np.array([[0, 255]], dtype=np.uint8), [[1, -1]])
    assert out[0, 0] == -255


# --------------------------------------------------------------------------------------
# 1D
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("klen", [1, 2, 3, 4, 7])
@pytest.mark.parametrize("mode", MODES)
def test_1d_equals_numpy_and_scipy(rng, klen, mode):
    signal, kernel = rng.normal(size=17), rng.normal(size=klen)
    np.testing.assert_allclose(F.correlate1d(signal, kernel), np.correlate(signal, kernel, "valid"), atol=TOL)
    np.testing.assert_allclose(F.correlate1d(signal, kernel, padding="full"), np.correlate(signal, kernel, "full"),
                               atol=TOL)
    np.testing.assert_allclose(F.convolve1d(signal, kernel), np.convolve(signal, kernel, "valid"), atol=TOL)
    np.testing.assert_allclose(F.convolve1d(signal, kernel, padding="full"), np.convolve(signal, kernel, "full"),
                               atol=TOL)
    np.testing.assert_allclose(F.correlate1d(signal, kernel, padding="same", mode=mode, cval=2.0),
                               ndi.correlate1d(signal, kernel, mode=mode, cval=2.0), rtol=0, atol=TOL)
    np.testing.assert_allclose(F.convolve1d(signal, kernel, padding="same", mode=mode, cval=2.0),
                               ndi.convolve1d(signal, kernel, mode=mode, cval=2.0), rtol=0, atol=TOL)


@pytest.mark.parametrize("stride,dilation,padding", [(2, 1, 0), (1, 3, 2), (3, 2, 4)])
def test_1d_stride_dilation_equal_torch(rng, stride, dilation, padding):
    signal, kernel = rng.normal(size=23), rng.normal(size=3)
    expected = torch.nn.functional.conv1d(torch.as_tensor(signal)[None, None], torch.as_tensor(kernel)[None, None],
                                          stride=stride, dilation=dilation, padding=padding)[0, 0].numpy()
    got = F.correlate1d(signal, kernel, stride=stride, dilation=dilation, padding=padding)
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOL)


# --------------------------------------------------------------------------------------
# Errors of the linear filters
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("func", [F.correlate2d, F.convolve2d, F.correlate2d_loop])
@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(image=np.ones(5)), ValueError, r"image must be 2D, got image with shape \(5,\)"),
    (dict(image=np.ones((2, 3, 4))), ValueError, r"image must be 2D, got image with shape \(2, 3, 4\)"),
    (dict(image=np.ones((0, 4))), ValueError, r"image must not be empty"),
    (dict(image=np.array([["a", "b"]])), TypeError, r"image must have a real numeric dtype"),
    (dict(image=np.ones((3, 3), complex)), TypeError, r"image must have a real numeric dtype, got image.dtype=complex"),
    (dict(kernel=np.ones((5, 5))), ValueError, r"kernel of shape \(5, 5\) does not fit the image.*image shape \(4, 4\)"),
    (dict(kernel=np.ones(3)), ValueError, r"kernel must be 2D"),
    (dict(kernel=np.ones((0, 3))), ValueError, r"kernel must not be empty"),
    (dict(stride=0), ValueError, r"stride must be a positive integer, got stride=0"),
    (dict(stride=(1, -2)), ValueError, r"stride must be positive integers, got stride=\(1, -2\)"),
    (dict(stride=1.5), TypeError, r"stride must be an integer or a pair of integers, got stride=1.5"),
    (dict(dilation=0), ValueError, r"dilation must be a positive integer, got dilation=0"),
    (dict(dilation=2), ValueError, r"dilated kernel \(effective size \(5, 5\)\)"),
    (dict(mode="zeros"), ValueError, r"mode must be one of 'constant', 'reflect', 'mirror', 'nearest', 'wrap', got mode='zeros'"),
    (dict(padding="circular"), ValueError, r"padding must be one of 'valid', 'same', 'full', got padding='circular'"),
    (dict(padding=-1), ValueError, r"padding must be a non-negative integer, got padding=-1"),
    (dict(padding=1.5), TypeError, r"padding must be 'valid', 'same', 'full', a non-negative integer or a pair"),
    (dict(cval="zero"), TypeError, r"cval must be a real number, got cval='zero'"),
])
def test_errors_name_argument_and_value(func, kwargs, exc, match):
    args = dict(image=np.ones((4, 4)), kernel=np.ones((3, 3)))
    args.update(kwargs)
    image, kernel = args.pop("image"), args.pop("kernel")
    with pytest.raises(exc, match=match):
        func(image, kernel, **args)


def test_kernel_as_large_as_the_image_is_valid_and_gives_one_pixel(rng):
    image, kernel = rng.normal(size=(4, 6)), rng.normal(size=(4, 6))
    out = F.correlate2d(image, kernel)
    assert out.shape == (1, 1)
    assert out[0, 0] == pytest.approx(np.sum(image * kernel), abs=TOL)


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(signal=np.ones((3, 3))), ValueError, r"signal must be 1D"),
    (dict(kernel=np.ones((1, 3))), ValueError, r"kernel must be 1D"),
    (dict(kernel=np.ones(9)), ValueError, r"kernel of length 9 does not fit the signal of length 5"),
    (dict(stride=0), ValueError, r"stride must be a positive integer, got stride=0"),
    (dict(dilation=-1), ValueError, r"dilation must be a positive integer, got dilation=-1"),
    (dict(padding=(1, 1)), TypeError, r"padding must be 'valid', 'same', 'full' or a non-negative integer"),
    (dict(padding="half"), ValueError, r"padding must be one of 'valid', 'same', 'full', got padding='half'"),
    (dict(mode="symmetric"), ValueError, r"got mode='symmetric'"),
])
def test_1d_errors(kwargs, exc, match):
    args = dict(signal=np.ones(5), kernel=np.ones(3))
    args.update(kwargs)
    signal, kernel = args.pop("signal"), args.pop("kernel")
    for func in (F.correlate1d, F.convolve1d):
        with pytest.raises(exc, match=match):
            func(signal, kernel, **args)


# --------------------------------------------------------------------------------------
# Window statistics
# --------------------------------------------------------------------------------------

SCIPY_WINDOW = {
    "mean": lambda x, **k: ndi.uniform_filter(x, **k),
    "max": ndi.maximum_filter,
    "min": ndi.minimum_filter,
    "median": ndi.median_filter,
}
NAMED = {"mean": F.mean_filter, "max": F.max_filter, "min": F.min_filter, "median": F.median_filter}
FOOTPRINTS = {
    "plus": np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], bool),
    "ring4x5": np.array([[0, 1, 1, 1, 0], [1, 0, 0, 0, 1], [1, 0, 0, 0, 1], [0, 1, 1, 1, 0]], bool),
    "diagonal2x2": np.eye(2, dtype=bool),
}


@pytest.mark.parametrize("statistic", list(SCIPY_WINDOW))
@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, (2, 5), (7, 3)])
@pytest.mark.parametrize("mode", MODES)
def test_window_statistics_equal_scipy(rng, statistic, size, mode):
    image = rng.normal(size=(11, 9))
    expected = SCIPY_WINDOW[statistic](image, size=size, mode=mode, cval=0.25)
    got = F.window_filter(image, statistic, size=size, mode=mode, cval=0.25)
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOL)
    np.testing.assert_allclose(NAMED[statistic](image, size, mode=mode, cval=0.25), expected, rtol=0, atol=TOL)


@pytest.mark.parametrize("statistic", ["max", "min", "median"])
@pytest.mark.parametrize("fp_name", list(FOOTPRINTS))
@pytest.mark.parametrize("mode", MODES)
def test_window_statistics_with_footprint_equal_scipy(rng, statistic, fp_name, mode):
    image = rng.normal(size=(8, 10))
    fp = FOOTPRINTS[fp_name]
    expected = SCIPY_WINDOW[statistic](image, footprint=fp, mode=mode)
    np.testing.assert_allclose(F.window_filter(image, statistic, footprint=fp, mode=mode), expected, rtol=0, atol=TOL)


@pytest.mark.parametrize("fp_name", list(FOOTPRINTS))
@pytest.mark.parametrize("mode", MODES)
def test_sum_and_mean_with_footprint_equal_correlation(rng, fp_name, mode):
    image, fp = rng.normal(size=(8, 10)), FOOTPRINTS[fp_name]
    expected = ndi.correlate(image, fp.astype(float), mode=mode, cval=-0.5)
    np.testing.assert_allclose(F.window_filter(image, "sum", footprint=fp, mode=mode, cval=-0.5), expected, atol=TOL)
    np.testing.assert_allclose(F.window_filter(image, "mean", footprint=fp, mode=mode, cval=-0.5),
                               expected / fp.sum(), atol=TOL)


@pytest.mark.parametrize("statistic", ["sum", "mean", "max", "min", "median", np.ptp])
@pytest.mark.parametrize("mode", MODES + ("ignore",))
@pytest.mark.parametrize("kwargs", [dict(size=3), dict(size=(2, 4)), dict(footprint=FOOTPRINTS["plus"])])
def test_window_filter_loop_agrees_with_fast_version(rng, statistic, mode, kwargs):
    image = rng.integers(-50, 50, size=(7, 8)).astype(float)
    fast = F.window_filter(image, statistic, mode=mode, cval=3.0, **kwargs)
    loop = F.window_filter_loop(image, statistic, mode=mode, cval=3.0, **kwargs)
    np.testing.assert_allclose(fast, loop, rtol=0, atol=TOL)


@pytest.mark.parametrize("size", [3, (3, 5), 4])
def test_ignore_mode_divides_by_pixels_inside_the_image(rng, size):
    image = rng.random((6, 7))
    # Mean over the pixels inside = (sum with zeros outside) / (number of pixels inside).
    sums = ndi.uniform_filter(image, size, mode="constant") 
    counts = ndi.uniform_filter(np.ones_like(image), size, mode="constant")
    np.testing.assert_allclose(F.window_filter(image, "mean", size=size, mode="ignore"), sums / counts, atol=TOL)
    # A corner pixel of a 3x3 mean sees 4 pixels: the mean of those four.
    got = F.mean_filter(image, 3, mode="ignore")
    assert got[0, 0] == pytest.approx(image[:2, :2].mean(), abs=TOL)
    assert got[-1, 3] == pytest.approx(image[-2:, 2:5].mean(), abs=TOL)


def test_ignore_mode_order_statistics_use_only_inside_pixels():
    image = np.array([[5.0, 1.0, 2.0], [3.0, 9.0, 4.0], [8.0, 6.0, 7.0]])
    # Corner (0, 0) sees 5, 1, 3, 9: max 9, min 1, upper median of 4 values = 5.
    assert F.window_filter(image, "max", mode="ignore")[0, 0] == 9
    assert F.window_filter(image, "min", mode="ignore")[0, 0] == 1
    assert F.window_filter(image, "median", mode="ignore")[0, 0] == 5
    assert F.window_filter(image, len, mode="ignore")[0, 0] == 4
    assert F.window_filter(image, len, mode="ignore")[1, 1] == 9
    # Integer images keep their dtype in "ignore" mode for max and min.
    assert F.window_filter(image.astype(np.int16), "max", mode="ignore").dtype == np.int16


def test_callable_statistic_equals_generic_filter(rng):
    image = rng.normal(size=(6, 7))
    for mode in MODES:
        expected = ndi.generic_filter(image, np.std, size=3, mode=mode)
        np.testing.assert_allclose(F.window_filter(image, np.std, mode=mode), expected, atol=TOL)


def test_median_is_the_upper_median_for_even_windows():
    x = np.array([[4.0, 1.0, 3.0, 2.0]])
    # A (1, 2) window is centred on its second cell, so column j sees x[j - 1], x[j]; of two
    # values the median is the larger (no averaging): [4, 4] -> 4, [4, 1] -> 4, [1, 3] -> 3, [3, 2] -> 3.
    np.testing.assert_array_equal(F.median_filter(x, (1, 2), mode="nearest"), [[4.0, 4.0, 3.0, 3.0]])
    np.testing.assert_array_equal(ndi.median_filter(x, (1, 2), mode="nearest"), [[4.0, 4.0, 3.0, 3.0]])


@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.float32])
def test_order_statistics_keep_dtype_and_match_scipy(rng, dtype):
    image = rng.integers(0, 200, size=(9, 9)).astype(dtype)
    for name in ("max", "min", "median"):
        got = NAMED[name](image, 3)
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, SCIPY_WINDOW[name](image, size=3))
    got = F.mean_filter(image, 3)
    np.testing.assert_allclose(got, ndi.uniform_filter(image.astype(float), 3), rtol=1e-6, atol=1e-4)


def test_constant_mode_on_integer_image_with_non_integer_cval_is_not_truncated():
    image = np.zeros((3, 3), np.uint8)
    out = F.max_filter(image, 3, mode="constant", cval=0.5)
    assert out[0, 0] == 0.5


def test_large_median_matches_scipy_across_row_blocks(rng):
    # Tall enough that the blocked implementation uses several blocks.
    image = rng.normal(size=(700, 40)).astype(np.float32)
    np.testing.assert_array_equal(F.median_filter(image, 5), ndi.median_filter(image, 5))


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(image=np.ones(4)), ValueError, r"image must be 2D"),
    (dict(image=np.ones((2, 2, 2))), ValueError, r"image must be 2D"),
    (dict(image=np.ones((3, 0))), ValueError, r"image must not be empty"),
    (dict(image=np.array([[None, 1]])), TypeError, r"image must have a real numeric dtype"),
    (dict(statistic="mode"), ValueError, r"statistic must be one of 'sum', 'mean', 'max', 'min', 'median', got statistic='mode'"),
    (dict(statistic=3), TypeError, r"statistic must be one of .* or a function, got statistic=3"),
    (dict(size=0), ValueError, r"size must be a positive integer, got size=0"),
    (dict(size=(3, 0)), ValueError, r"size must be positive integers, got size=\(3, 0\)"),
    (dict(footprint=np.ones(3, bool)), ValueError, r"footprint must be 2D, got footprint with shape \(3,\)"),
    (dict(footprint=np.ones((3, 3, 3), bool)), ValueError, r"footprint must be 2D, got footprint with shape \(3, 3, 3\)"),
    (dict(footprint=np.zeros((3, 3), bool)), ValueError, r"footprint must select at least one pixel"),
    (dict(footprint=np.ones((0, 3), bool)), ValueError, r"footprint must not be empty"),
    (dict(mode="zero"), ValueError, r"mode must be one of .*'ignore', got mode='zero'"),
])
def test_window_filter_errors(kwargs, exc, match):
    args = dict(image=np.ones((4, 4)), statistic="mean")
    args.update(kwargs)
    image, statistic = args.pop("image"), args.pop("statistic")
    for func in (F.window_filter, F.window_filter_loop):
        with pytest.raises(exc, match=match):
            func(image, statistic, **args)


# --------------------------------------------------------------------------------------
# Gaussian
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("sigma", [0.3, 0.5, 1.0, 2.0, 3.7])
@pytest.mark.parametrize("truncate", [1.0, 2.5, 4.0])
def test_gaussian_kernel_is_normalised_with_scipy_radius(sigma, truncate):
    k1 = F.gaussian_kernel(sigma, truncate=truncate, ndim=1)
    radius = int(truncate * sigma + 0.5)
    assert k1.shape == (2 * radius + 1,)
    assert k1.sum() == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_array_equal(k1, k1[::-1])
    x = np.arange(-radius, radius + 1)
    np.testing.assert_allclose(k1, np.exp(-x ** 2 / (2 * sigma ** 2)) / np.exp(-x ** 2 / (2 * sigma ** 2)).sum(),
                               rtol=1e-14)
    # The impulse response of scipy's filter is the (2D) kernel.
    impulse = np.zeros((2 * radius + 1,) * 2)
    impulse[radius, radius] = 1
    k2 = F.gaussian_kernel(sigma, truncate=truncate)
    np.testing.assert_allclose(k2, ndi.gaussian_filter(impulse, sigma, truncate=truncate, mode="constant"),
                               rtol=0, atol=1e-15)


def test_gaussian_kernel_sigma_zero_is_identity():
    np.testing.assert_array_equal(F.gaussian_kernel(0.0), [[1.0]])


@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.0, 8.0, (1.0, 3.0), (0.0, 2.0)])
@pytest.mark.parametrize("mode", MODES)
def test_gaussian_filter_equals_scipy(rng, sigma, mode):
    image = rng.normal(size=(40, 37))
    expected = ndi.gaussian_filter(image, sigma, mode=mode, cval=1.5)
    np.testing.assert_allclose(F.gaussian_filter(image, sigma, mode=mode, cval=1.5), expected, rtol=0, atol=TOL)


def test_gaussian_filter_is_the_2d_kernel_correlation_and_preserves_the_mean(rng):
    image = rng.random((30, 30))
    np.testing.assert_allclose(F.gaussian_filter(image, 1.5),
                               F.correlate2d(image, F.gaussian_kernel(1.5), padding="same", mode="reflect"), atol=TOL)
    assert F.gaussian_filter(image, 2.0, mode="wrap").mean() == pytest.approx(image.mean(), abs=1e-12)


def test_gaussian_float32_and_uint8(rng):
    image = rng.integers(0, 256, size=(20, 20)).astype(np.uint8)
    got = F.gaussian_filter(image, 1.0)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, ndi.gaussian_filter(image.astype(float), 1.0), rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(sigma=-1.0), ValueError, r"sigma must be >= 0.0, got sigma=-1.0"),
    (dict(sigma="2"), TypeError, r"sigma must be a real number, got sigma='2'"),
    (dict(sigma=(1.0, 2.0, 3.0)), ValueError, r"sigma must be a number or a pair of numbers"),
    (dict(truncate=0.0), ValueError, r"truncate must be > 0.0, got truncate=0.0"),
    (dict(mode="ignore"), ValueError, r"got mode='ignore'"),
])
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


# --------------------------------------------------------------------------------------
# Derivatives, edges, sharpening
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_derivative_filters_equal_scipy(rng, mode):
    image = rng.normal(size=(12, 14))
    kw = dict(mode=mode, cval=0.5)
    np.testing.assert_allclose(F.laplacian(image, **kw), ndi.laplace(image, **kw), atol=TOL)
    for axis in (0, 1, -1, -2):
        np.testing.assert_allclose(F.sobel(image, axis, **kw), ndi.sobel(image, axis, **kw), atol=TOL)
        np.testing.assert_allclose(F.prewitt(image, axis, **kw), ndi.prewitt(image, axis, **kw), atol=TOL)
    np.testing.assert_allclose(F.gradient_magnitude(image, **kw),
                               ndi.generic_gradient_magnitude(image, ndi.sobel, **kw), atol=TOL)
    np.testing.assert_allclose(F.gradient_magnitude(image, operator="prewitt", **kw),
                               ndi.generic_gradient_magnitude(image, ndi.prewitt, **kw), atol=TOL)


def test_kernel_constants_are_the_textbook_kernels():
    # Sobel = smoothing [1, 2, 1] (outer) derivative [-1, 0, 1]; the impulse response of scipy's sobel.
    impulse = np.zeros((3, 3))
    impulse[1, 1] = 1
    np.testing.assert_array_equal(F.SOBEL_X, ndi.sobel(impulse, 1, mode="constant")[::-1, ::-1])
    np.testing.assert_array_equal(F.SOBEL_Y, ndi.sobel(impulse, 0, mode="constant")[::-1, ::-1])
    np.testing.assert_array_equal(F.PREWITT_X, ndi.prewitt(impulse, 1, mode="constant")[::-1, ::-1])
    np.testing.assert_array_equal(F.PREWITT_Y, ndi.prewitt(impulse, 0, mode="constant")[::-1, ::-1])
    np.testing.assert_array_equal(F.LAPLACIAN, ndi.laplace(impulse, mode="constant"))
    np.testing.assert_array_equal(F.VERTICAL_EDGE, [[1, 0, -1]] * 3)
    np.testing.assert_array_equal(F.HORIZONTAL_EDGE, [[1, 1, 1], [0, 0, 0], [-1, -1, -1]])
    np.testing.assert_array_equal(F.VERTICAL_EDGE, -F.PREWITT_X)
    assert not np.signbit(F.VERTICAL_EDGE[:, 1]).any()  # +0, not -0, so grids print "0"


def test_sobel_equals_2d_kernel_correlation_except_constant_mode_with_cval(rng):
    image = rng.normal(size=(7, 8))
    for mode in MODES:
        np.testing.assert_allclose(F.sobel(image, 1, mode=mode), F.correlate2d(image, F.SOBEL_X, padding="same", mode=mode),
                                   atol=TOL)
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
    np.testing.assert_allclose(F.sobel(image, 1)[inner], 8 * 3.0)  # Sobel weights sum to 4, step 2
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
    np.testing.assert_allclose(F.sharpen(image, amount), ndi.correlate(image, kernel, mode="reflect"), atol=TOL)


def test_derivative_errors():
    with pytest.raises(ValueError, match=r"axis must be 0 .* got axis=2"):
        F.sobel(np.ones((3, 3)), 2)
    with pytest.raises(ValueError, match=r"operator must be one of 'sobel', 'prewitt', got operator='canny'"):
        F.gradient_magnitude(np.ones((3, 3)), operator="canny")
    with pytest.raises(ValueError, match=r"amount must be >= 0.0, got amount=-1.0"):
        F.sharpen(np.ones((3, 3)), -1.0)


# --------------------------------------------------------------------------------------
# Morphology
# --------------------------------------------------------------------------------------

MORPH_FOOTPRINTS = [np.ones((3, 3), bool), FOOTPRINTS["plus"], FOOTPRINTS["ring4x5"],
                    np.array([[1, 1, 0, 0]], bool), np.array([[1, 0], [1, 1]], bool)]


@pytest.mark.parametrize("k", range(len(MORPH_FOOTPRINTS)))
def test_binary_morphology_equals_scipy(rng, k):
    fp = MORPH_FOOTPRINTS[k]
    image = rng.random((15, 16)) > 0.4
    np.testing.assert_array_equal(F.dilate(image, fp), ndi.binary_dilation(image, structure=fp))
    np.testing.assert_array_equal(F.erode(image, fp), ndi.binary_erosion(image, structure=fp))
    assert F.dilate(image, fp).dtype == bool


@pytest.mark.parametrize("k", range(len(MORPH_FOOTPRINTS)))
@pytest.mark.parametrize("mode", MODES)
def test_grey_morphology_equals_scipy(rng, k, mode):
    fp = MORPH_FOOTPRINTS[k]
    image = rng.integers(0, 255, size=(12, 13)).astype(np.uint8)
    np.testing.assert_array_equal(F.dilate(image, fp, mode=mode, cval=7),
                                  ndi.grey_dilation(image, footprint=fp, mode=mode, cval=7))
    np.testing.assert_array_equal(F.erode(image, fp, mode=mode, cval=7),
                                  ndi.grey_erosion(image, footprint=fp, mode=mode, cval=7))
    if mode == "reflect":  # the default for grey images
        np.testing.assert_array_equal(F.dilate(image, fp), ndi.grey_dilation(image, footprint=fp))


def test_dilation_is_max_filter_for_symmetric_footprint_and_duality(rng):
    image = rng.random((10, 10))
    np.testing.assert_array_equal(F.dilate(image, 3), F.max_filter(image, 3))
    # Duality: eroding f equals minus the dilation of -f by the reflected element.
    fp = np.array([[1, 1, 0], [0, 1, 0], [0, 0, 0]], bool)
    np.testing.assert_array_equal(F.erode(image, fp), -F.dilate(-image, fp[::-1, ::-1]))


def test_binary_dilation_of_a_point_is_the_element():
    image = np.zeros((5, 5), bool)
    image[2, 2] = True
    fp = np.array([[1, 1, 0], [0, 1, 0], [0, 0, 1]], bool)
    # Dilation places the element (Minkowski sum); a max filter places its reflection.
    np.testing.assert_array_equal(F.dilate(image, fp)[1:4, 1:4], fp)
    np.testing.assert_array_equal(F.max_filter(image, footprint=fp)[1:4, 1:4], fp[::-1, ::-1])


def test_morphology_errors():
    with pytest.raises(ValueError, match=r"footprint must be 2D"):
        F.dilate(np.ones((4, 4), bool), np.ones(3, bool))
    with pytest.raises(ValueError, match=r"footprint must select at least one pixel"):
        F.erode(np.ones((4, 4)), np.zeros((2, 2), bool))
    with pytest.raises(ValueError, match=r"mode must be one of .*got mode='ignore'"):
        F.erode(np.ones((4, 4)), 3, mode="ignore")
    with pytest.raises(ValueError, match=r"image must be 2D"):
        F.dilate(np.ones((2, 4, 4)), 3)


# --------------------------------------------------------------------------------------
# Gabor, PSNR, noise
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("frequency,theta,kwargs", [
    (0.1, 0.0, {}), (0.2, np.pi / 3, {}), (0.3, 1.0, dict(bandwidth=0.5)),
    (0.25, 0.4, dict(sigma_x=2.0, sigma_y=4.0, offset=0.7, n_stds=2)),
])
def test_gabor_kernel_equals_skimage(frequency, theta, kwargs):
    from skimage.filters import gabor_kernel

    np.testing.assert_allclose(F.gabor_kernel(frequency, theta, **kwargs), gabor_kernel(frequency, theta, **kwargs),
                               rtol=1e-12, atol=1e-15)


def test_gabor_errors():
    with pytest.raises(ValueError, match=r"frequency must be > 0.0, got frequency=0.0"):
        F.gabor_kernel(0.0)
    with pytest.raises(ValueError, match=r"sigma_x must be > 0.0, got sigma_x=-1.0"):
        F.gabor_kernel(0.2, sigma_x=-1.0)


def test_psnr_equals_skimage(rng):
    from skimage.metrics import peak_signal_noise_ratio

    ref = rng.integers(0, 256, size=(20, 20)).astype(np.uint8)
    noisy = F.salt_and_pepper(ref, 0.1, rng=rng)
    assert F.psnr(ref, noisy) == pytest.approx(peak_signal_noise_ratio(ref, noisy), rel=1e-12)
    x = rng.random((8, 8))
    assert F.psnr(x, x + 0.01, data_range=1.0) == pytest.approx(40.0, abs=1e-9)  # MSE 1e-4
    assert F.psnr(x, x, data_range=1.0) == np.inf
    with pytest.raises(ValueError, match=r"data_range is required for a reference of dtype float64"):
        F.psnr(x, x)
    with pytest.raises(ValueError, match=r"image must have the reference's shape \(8, 8\), got image with shape \(8, 7\)"):
        F.psnr(x, x[:, :7], data_range=1.0)


def test_salt_and_pepper_counts_and_reproducibility():
    image = np.full((50, 40), 100, np.uint8)
    a = F.salt_and_pepper(image, 0.2, rng=np.random.default_rng(3))
    b = F.salt_and_pepper(image, 0.2, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
    assert np.count_nonzero(a == 0) == 200 and np.count_nonzero(a == 255) == 200
    assert np.all(image == 100)  # the input is not modified
    with pytest.raises(ValueError, match=r"amount must be in \[0, 1\], got amount=1.5"):
        F.salt_and_pepper(image, 1.5)


# --------------------------------------------------------------------------------------
# Worked examples of the syllabus (chapter "images, signals and filters")
# --------------------------------------------------------------------------------------

SLIDE_IMAGE = np.array([[3, 0, 1, 2, 7, 4], [1, 5, 8, 9, 3, 1], [2, 7, 2, 5, 1, 3],
                        [0, 1, 3, 1, 7, 8], [4, 2, 1, 6, 2, 8], [2, 4, 5, 2, 3, 9]])


def test_worked_example_vertical_edge_filter_on_6x6_image():
    expected = np.array([[-5, -4, 0, 8], [-10, -2, 2, 3], [0, -2, -4, -7], [-3, -2, -3, -16]])
    np.testing.assert_array_equal(F.correlate2d(SLIDE_IMAGE, F.VERTICAL_EDGE), expected)
    np.testing.assert_array_equal(F.correlate2d_loop(SLIDE_IMAGE, [[1, 0, -1]] * 3), expected)
    # Independent check: torch's conv2d (a cross-correlation).
    np.testing.assert_array_equal(_torch_conv(SLIDE_IMAGE, F.VERTICAL_EDGE), expected)
    # The true convolution with the same kernel flips its sign here (the kernel is antisymmetric in x).
    np.testing.assert_array_equal(F.convolve2d(SLIDE_IMAGE, F.VERTICAL_EDGE), -expected)


def test_worked_example_light_to_dark_and_dark_to_light():
    light_to_dark = np.tile([10, 10, 10, 0, 0, 0], (6, 1))
    out = F.correlate2d(light_to_dark, F.VERTICAL_EDGE)
    np.testing.assert_array_equal(out, np.tile([0, 30, 30, 0], (4, 1)))
    out = F.correlate2d(light_to_dark[:, ::-1], F.VERTICAL_EDGE)
    np.testing.assert_array_equal(out, np.tile([0, -30, -30, 0], (4, 1)))
    # The horizontal filter sees neither; rotated images swap the roles.
    assert not F.correlate2d(light_to_dark, F.HORIZONTAL_EDGE).any()
    np.testing.assert_array_equal(F.correlate2d(light_to_dark.T, F.HORIZONTAL_EDGE), np.tile([0, 30, 30, 0], (4, 1)).T)


def test_worked_example_box_3x3_vs_7x7_bigger_blurs_more():
    from skimage.data import camera

    image = camera().astype(float)
    box3 = F.correlate2d(image, np.ones((3, 3)) / 9, padding="same", mode="reflect")
    box7 = F.correlate2d(image, np.ones((7, 7)) / 49, padding="same", mode="reflect")
    np.testing.assert_allclose(box3, ndi.uniform_filter(image, 3), atol=1e-9)
    np.testing.assert_allclose(box7, ndi.uniform_filter(image, 7), atol=1e-9)
    # The sum of ones is the mean times the window size.
    np.testing.assert_allclose(F.correlate2d(image, np.ones((7, 7)), padding="same", mode="reflect"), 49 * box7,
                               atol=1e-8)
    # Blurring removes detail: the gradient energy falls, and falls more for the bigger box.
    energy = [np.mean(F.gradient_magnitude(x) ** 2) for x in (image, box3, box7)]
    assert energy[0] > 1.5 * energy[1] and energy[1] > 1.5 * energy[2] > 0
    # Repeated 3x3 means approach a bigger blur: three passes give a 7x7 support.
    impulse = np.zeros((11, 11))
    impulse[5, 5] = 1
    three = impulse
    for _ in range(3):
        three = F.mean_filter(three, 3, mode="constant")
    assert np.count_nonzero(three) == 49 and three[2:9, 2:9].all()


def test_worked_example_learned_vertical_line_detector():
    # A random 3x3 kernel, trained by gradient descent (torch autograd) to map images of a
    # vertical line to the response of the ideal line detector [[-1, 2, -1]] * 3, ends near it.
    from dlsip.filters import learn_kernel_demo

    learned, target = learn_kernel_demo(seed=0)
    np.testing.assert_array_equal(target, [[-1, 2, -1]] * 3)
    np.testing.assert_allclose(learned, target, atol=1e-3)


def test_fit_kernel_gradient_step_is_a_correlation_of_input_and_error(rng):
    # One step from a known start, computed by hand with correlate2d, and the least-squares optimum.
    images = rng.normal(size=(5, 7, 8))
    targets = rng.normal(size=(5, 5, 7))
    start = np.random.default_rng(9).standard_normal((3, 2))
    errors = [F.correlate2d(x, start) - y for x, y in zip(images, targets)]
    grad = sum(F.correlate2d(x, e) for x, e in zip(images, errors)) * 2 / targets.size
    kernel, losses = F.fit_kernel(images, targets, size=(3, 2), lr=0.1, steps=1, rng=np.random.default_rng(9))
    np.testing.assert_allclose(kernel, start - 0.1 * grad, rtol=1e-12)
    assert losses[0] == pytest.approx(sum(np.sum(e ** 2) for e in errors) / targets.size, rel=1e-12)
    # Many steps reach the least-squares solution (im2col + lstsq, computed independently).
    cols = np.stack([images[:, a: a + 5, b: b + 7].ravel() for a in range(3) for b in range(2)], axis=1)
    optimum = np.linalg.lstsq(cols, targets.ravel(), rcond=None)[0].reshape(3, 2)
    kernel, losses = F.fit_kernel(images, targets, size=(3, 2), lr=0.2, steps=500, rng=rng)
    np.testing.assert_allclose(kernel, optimum, atol=1e-8)
    assert np.all(np.diff(losses) <= 1e-12)


def test_fit_kernel_errors(rng):
    with pytest.raises(ValueError, match=r"targets must have shape \(2, 3, 3\) .* got targets with shape \(2, 4, 4\)"):
        F.fit_kernel(np.ones((2, 5, 5)), np.ones((2, 4, 4)), size=3)
    with pytest.raises(ValueError, match=r"images must be 3D"):
        F.fit_kernel(np.ones((5, 5)), np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"lr must be > 0.0, got lr=0.0"):
        F.fit_kernel(np.ones((2, 5, 5)), np.ones((2, 3, 3)), lr=0.0)


# --------------------------------------------------------------------------------------
# The self-check dlsip.check.correlate2d
# --------------------------------------------------------------------------------------

def _student_loop(image, kernel):
    """A correct student solution written independently of dlsip: four nested loops."""
    image, kernel = np.asarray(image, float), np.asarray(kernel, float)
    (h, w), (kh, kw) = image.shape, kernel.shape
    out = np.zeros((h - kh + 1, w - kw + 1))
    for i in range(h - kh + 1):
        for j in range(w - kw + 1):
            for a in range(kh):
                for b in range(kw):
                    out[i, j] += kernel[a, b] * image[i + a, j + b]
    return out


def _convolution(image, kernel):
    return _student_loop(image, np.asarray(kernel)[::-1, ::-1])


def _off_by_one(image, kernel):  # range(h - kh) instead of range(h - kh + 1)
    return _student_loop(image, kernel)[:-1, :-1]


def _uint8_arithmetic(image, kernel):  # keeps the uint8 dtype: negative results wrap around
    image = np.asarray(image)
    out = _student_loop(image, kernel)
    return out.astype(image.dtype) if image.dtype == np.uint8 else out


def _square_only(image, kernel):  # uses kh for both axes
    image, kernel = np.asarray(image, float), np.asarray(kernel, float)
    k = kernel.shape[0]
    return _student_loop(image, kernel[:k, :k]) if kernel.shape[1] >= k else _student_loop(image, kernel)


def _odd_only(image, kernel):  # centres the kernel: breaks for even sizes
    kernel = np.asarray(kernel, float)
    if kernel.shape[0] % 2 == 0 or kernel.shape[1] % 2 == 0:
        raise ValueError("kernel size must be odd")
    return _student_loop(image, kernel)


@pytest.mark.parametrize("student", [F.correlate2d, F.correlate2d_loop, _student_loop])
def test_self_check_passes_correct_solutions(student):
    from dlsip import check

    report = check.correlate2d(student)
    assert report.passed, str(report)
    assert report.n_cases >= 12
    assert str(report) == f"correlate2d: all {report.n_cases} cases passed."


@pytest.mark.parametrize("student,failed_case,why", [
    (_convolution, "asymmetric kernel (catches a flipped kernel)", "values differ"),
    (_convolution, "the slides' 6x6 image with the vertical edge filter", "values differ"),
    (_off_by_one, "random 5x5 image, 3x3 kernel", "shape (2, 2), expected (3, 3)"),
    (_off_by_one, "kernel as large as the image (a single output pixel)", "shape (0, 0), expected (1, 1)"),
    (_uint8_arithmetic, "uint8 image, result negative and above 255 (no wrap-around)", "values differ"),
    (_square_only, "non-square image 7x4, non-square kernel 2x3", "shape"),
    (_odd_only, "even-sized 2x2 kernel", "raised ValueError: kernel size must be odd"),
])
def test_self_check_catches_typical_bugs_and_names_the_case(student, failed_case, why):
    from dlsip import check

    report = check.correlate2d(student)
    assert not report.passed
    failures = dict(report.failures)
    matching = [d for d in failures if d.startswith(failed_case)]
    assert matching, f"expected {failed_case!r} among the failures, got {list(failures)}"
    assert why in failures[matching[0]]
    assert failed_case in str(report)


def test_self_check_cases_include_the_promised_edge_cases():
    from dlsip import check

    seen = []
    check.correlate2d(lambda image, kernel: seen.append((np.asarray(image), np.asarray(kernel))) or
                      F.correlate2d(image, kernel))
    shapes = {(x.shape, k.shape) for x, k in seen}
    assert any(k == (1, 1) for _, k in shapes)
    assert any(x == k for x, k in shapes)
    assert any(k[0] % 2 == 0 or k[1] % 2 == 0 for _, k in shapes)
    assert any(x[0] != x[1] and k[0] != k[1] for x, k in shapes)
    assert any(x.dtype == np.uint8 for x, _ in seen)
    assert any(x.dtype.kind == "i" and k.dtype.kind == "i" for x, k in seen)
    assert any(np.all(x < 0) and np.all(k < 0) for x, k in seen)


def test_self_check_rejects_non_callable():
    from dlsip import check

    with pytest.raises(TypeError, match=r"student must be a function"):
        check.correlate2d("my_function")


# --------------------------------------------------------------------------------------
# Chapter 1 plotting helpers
# --------------------------------------------------------------------------------------

def test_animate_window_frames_and_output():
    from dlsip.plotting import animate_window, animation_html

    anim = animate_window(SLIDE_IMAGE, F.VERTICAL_EDGE)
    assert len(anim.positions) == 16 and anim.positions[5] == (1, 1)
    np.testing.assert_array_equal(anim.output, F.correlate2d(SLIDE_IMAGE, F.VERTICAL_EDGE))
    anim._draw_frame(5)
    out_ax = anim._fig.axes[-1]
    texts = [t.get_text() for t in out_ax.texts]
    assert texts[:6] == ["-5", "-4", "0", "8", "-10", "-2"] and set(texts[6:]) == {""}
    assert out_ax.get_title() == "weighted sum at (1, 1) = -2"
    anim._draw_was_started = True  # drawn by hand above; tells matplotlib not to warn when it is freed
    anim = animate_window(SLIDE_IMAGE, "median", size=(2, 3))
    assert anim.output.shape == (5, 4)
    np.testing.assert_array_equal(anim.output, ndi.median_filter(SLIDE_IMAGE, (2, 3))[1:6, 1:5])
    html = animation_html(anim).data
    assert html.count("data:image/png") == 20
    with pytest.raises(ValueError, match=r"size \(7, 7\) does not fit the image of shape \(6, 6\)"):
        animate_window(SLIDE_IMAGE, "max", size=7)


def test_show_padding_outlines_the_image():
    from dlsip.plotting import show_padding

    fig = show_padding([[1, 2, 3]], 2, F.MODES)
    assert [ax.get_title() for ax in fig.axes] == list(F.MODES)
    texts = [t.get_text() for t in fig.axes[1].texts]  # reflect, 5 x 7 grid
    assert texts[14:21] == ["2", "1", "1", "2", "3", "3", "2"]


# --------------------------------------------------------------------------------------
# Blocked implementation: images large enough to span several row blocks
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_blocked_filters_equal_scipy_on_multi_block_images(rng, mode):
    image = rng.normal(size=(250, 300))  # ~100 rows per block for sums, ~50 for the Gaussian
    kw = dict(mode=mode, cval=0.75)
    np.testing.assert_allclose(F.mean_filter(image, (7, 4), **kw), ndi.uniform_filter(image, (7, 4), **kw), atol=TOL)
    np.testing.assert_allclose(F.window_filter(image, "sum", size=5, **kw), 25 * ndi.uniform_filter(image, 5, **kw),
                               atol=1e-9)
    np.testing.assert_array_equal(F.max_filter(image, (3, 6), **kw), ndi.maximum_filter(image, (3, 6), **kw))
    np.testing.assert_array_equal(F.min_filter(image, 8, **kw), ndi.minimum_filter(image, 8, **kw))
    np.testing.assert_allclose(F.gaussian_filter(image, (1.5, 3.0), **kw), ndi.gaussian_filter(image, (1.5, 3.0), **kw),
                               atol=TOL)
    np.testing.assert_array_equal(F.median_filter(image, 4, **kw), ndi.median_filter(image, 4, **kw))


@pytest.mark.parametrize("k", [1, 2, 3, 5, 7, 8, 13, 16])
def test_window_doubling_matches_direct_sums_for_every_size(rng, k):
    image = rng.normal(size=(40, 33))
    np.testing.assert_allclose(F.window_filter(image, "sum", size=(k, 1), mode="wrap"),
                               ndi.correlate(image, np.ones((k, 1)), mode="wrap"), atol=TOL)
    np.testing.assert_array_equal(F.max_filter(image, (1, k), mode="mirror"), ndi.maximum_filter(image, (1, k), mode="mirror"))


def test_non_finite_pixels_stay_local(rng):
    image = rng.random((120, 90))
    image[60, 45] = np.nan
    image[10, 80] = np.inf
    got = F.gaussian_filter(image, 1.0, truncate=2.0)
    expected = ndi.gaussian_filter(image, 1.0, truncate=2.0)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    # Radius 2: a 5x5 patch of nan around the nan, of +inf around the inf (positive weights).
    assert np.count_nonzero(np.isnan(got)) == 25 and np.count_nonzero(np.isposinf(got)) == 25
    finite = np.isfinite(expected)
    np.testing.assert_allclose(got[finite], expected[finite], atol=TOL)
    box = F.mean_filter(image, 3)
    assert np.count_nonzero(np.isnan(box)) == 9 and np.isinf(box[10, 80])
