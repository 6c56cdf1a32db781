"""dlsip.filters.window: window statistics against scipy.ndimage and the loops."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi

from dlsip import filters as F

MODES = F.MODES
TOL = 1e-10

SCIPY_WINDOW = {
    "mean": lambda x, **k: ndi.uniform_filter(x, **k),
    "max": ndi.maximum_filter,
    "min": ndi.minimum_filter,
    "median": ndi.median_filter,
}
NAMED = {
    "mean": F.mean_filter,
    "max": F.max_filter,
    "min": F.min_filter,
    "median": F.median_filter,
}
FOOTPRINTS = {
    "plus": np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], bool),
    "ring4x5": np.array(
        [[0, 1, 1, 1, 0], [1, 0, 0, 0, 1], [1, 0, 0, 0, 1], [0, 1, 1, 1, 0]], bool
    ),
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
    np.testing.assert_allclose(
        NAMED[statistic](image, size, mode=mode, cval=0.25), expected, rtol=0, atol=TOL
    )


@pytest.mark.parametrize("statistic", ["max", "min", "median"])
@pytest.mark.parametrize("fp_name", list(FOOTPRINTS))
@pytest.mark.parametrize("mode", MODES)
def test_window_statistics_with_footprint_equal_scipy(rng, statistic, fp_name, mode):
    image = rng.normal(size=(8, 10))
    fp = FOOTPRINTS[fp_name]
    expected = SCIPY_WINDOW[statistic](image, footprint=fp, mode=mode)
    np.testing.assert_allclose(
        F.window_filter(image, statistic, footprint=fp, mode=mode),
        expected,
        rtol=0,
        atol=TOL,
    )


@pytest.mark.parametrize("fp_name", list(FOOTPRINTS))
@pytest.mark.parametrize("mode", MODES)
def test_sum_and_mean_with_footprint_equal_correlation(rng, fp_name, mode):
    image, fp = rng.normal(size=(8, 10)), FOOTPRINTS[fp_name]
    expected = ndi.correlate(image, fp.astype(float), mode=mode, cval=-0.5)
    np.testing.assert_allclose(
        F.window_filter(image, "sum", footprint=fp, mode=mode, cval=-0.5),
        expected,
        atol=TOL,
    )
    np.testing.assert_allclose(
        F.window_filter(image, "mean", footprint=fp, mode=mode, cval=-0.5),
        expected / fp.sum(),
        atol=TOL,
    )


@pytest.mark.parametrize("statistic", ["sum", "mean", "max", "min", "median", np.ptp])
@pytest.mark.parametrize("mode", MODES + ("ignore",))
@pytest.mark.parametrize(
    "kwargs", [dict(size=3), dict(size=(2, 4)), dict(footprint=FOOTPRINTS["plus"])]
)
def test_window_filter_naive_agrees_with_fast_version(rng, statistic, mode, kwargs):
    image = rng.integers(-50, 50, size=(7, 8)).astype(float)
    fast = F.window_filter(image, statistic, mode=mode, cval=3.0, **kwargs)
    loop = F.window_filter_naive(image, statistic, mode=mode, cval=3.0, **kwargs)
    np.testing.assert_allclose(fast, loop, rtol=0, atol=TOL)


@pytest.mark.parametrize("size", [3, (3, 5), 4])
def test_ignore_mode_divides_by_pixels_inside_the_image(rng, size):
    image = rng.random((6, 7))
    # Mean over the pixels inside = (sum with zeros outside) / (number of pixels
    # inside).
    sums = ndi.uniform_filter(image, size, mode="constant")
    counts = ndi.uniform_filter(np.ones_like(image), size, mode="constant")
    np.testing.assert_allclose(
        F.window_filter(image, "mean", size=size, mode="ignore"),
        sums / counts,
        atol=TOL,
    )
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
    assert (
        F.window_filter(image.astype(np.int16), "max", mode="ignore").dtype == np.int16
    )


def test_callable_statistic_equals_generic_filter(rng):
    image = rng.normal(size=(6, 7))
    for mode in MODES:
        expected = ndi.generic_filter(image, np.std, size=3, mode=mode)
        np.testing.assert_allclose(
            F.window_filter(image, np.std, mode=mode), expected, atol=TOL
        )


def test_median_is_the_upper_median_for_even_windows():
    x = np.array([[4.0, 1.0, 3.0, 2.0]])
    # A (1, 2) window is centred on its second cell, so column j sees x[j - 1], x[j]; of
    # two values the median is the larger (no averaging): [4, 4] -> 4, [4, 1] -> 4, [1,
    # 3] -> 3, [3, 2] -> 3.
    np.testing.assert_array_equal(
        F.median_filter(x, (1, 2), mode="nearest"), [[4.0, 4.0, 3.0, 3.0]]
    )
    np.testing.assert_array_equal(
        ndi.median_filter(x, (1, 2), mode="nearest"), [[4.0, 4.0, 3.0, 3.0]]
    )


@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.float32])
def test_order_statistics_keep_dtype_and_match_scipy(rng, dtype):
    image = rng.integers(0, 200, size=(9, 9)).astype(dtype)
    for name in ("max", "min", "median"):
        got = NAMED[name](image, 3)
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, SCIPY_WINDOW[name](image, size=3))
    got = F.mean_filter(image, 3)
    np.testing.assert_allclose(
        got, ndi.uniform_filter(image.astype(float), 3), rtol=1e-6, atol=1e-4
    )


def test_constant_mode_on_integer_image_with_non_integer_cval_is_not_truncated():
    image = np.zeros((3, 3), np.uint8)
    out = F.max_filter(image, 3, mode="constant", cval=0.5)
    assert out[0, 0] == 0.5


def test_large_median_matches_scipy_across_row_blocks(rng):
    # Tall enough that the blocked implementation uses several blocks.
    image = rng.normal(size=(700, 40)).astype(np.float32)
    np.testing.assert_array_equal(
        F.median_filter(image, 5), ndi.median_filter(image, 5)
    )


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        (dict(image=np.ones(4)), ValueError, r"image must be 2D"),
        (dict(image=np.ones((2, 2, 2))), ValueError, r"image must be 2D"),
        (dict(image=np.ones((3, 0))), ValueError, r"image must not be empty"),
        (
            dict(image=np.array([[None, 1]])),
            TypeError,
            r"image must have a real numeric dtype",
        ),
        (
            dict(statistic="mode"),
            ValueError,
            r"statistic must be one of 'sum', 'mean', 'max', 'min', 'median', "
            r"got statistic='mode'",
        ),
        (
            dict(statistic=3),
            TypeError,
            r"statistic must be one of .* or a function, got statistic=3",
        ),
        (dict(size=0), ValueError, r"size must be a positive integer, got size=0"),
        (
            dict(size=(3, 0)),
            ValueError,
            r"size must be positive integers, got size=\(3, 0\)",
        ),
        (
            dict(footprint=np.ones(3, bool)),
            ValueError,
            r"footprint must be 2D, got footprint with shape \(3,\)",
        ),
        (
            dict(footprint=np.ones((3, 3, 3), bool)),
            ValueError,
            r"footprint must be 2D, got footprint with shape \(3, 3, 3\)",
        ),
        (
            dict(footprint=np.zeros((3, 3), bool)),
            ValueError,
            r"footprint must select at least one pixel",
        ),
        (
            dict(footprint=np.ones((0, 3), bool)),
            ValueError,
            r"footprint must not be empty",
        ),
        (
            dict(mode="zero"),
            ValueError,
            r"mode must be one of .*'ignore', got mode='zero'",
        ),
    ],
)
def test_window_filter_errors(kwargs, exc, match):
    args = dict(image=np.ones((4, 4)), statistic="mean")
    args.update(kwargs)
    image, statistic = args.pop("image"), args.pop("statistic")
    for func in (F.window_filter, F.window_filter_naive):
        with pytest.raises(exc, match=match):
            func(image, statistic, **args)


@pytest.mark.parametrize("mode", MODES)
def test_blocked_filters_equal_scipy_on_multi_block_images(rng, mode):
    image = rng.normal(
        size=(250, 300)
    )  # ~100 rows per block for sums, ~50 for the Gaussian
    kw = dict(mode=mode, cval=0.75)
    np.testing.assert_allclose(
        F.mean_filter(image, (7, 4), **kw),
        ndi.uniform_filter(image, (7, 4), **kw),
        atol=TOL,
    )
    np.testing.assert_allclose(
        F.window_filter(image, "sum", size=5, **kw),
        25 * ndi.uniform_filter(image, 5, **kw),
        atol=1e-9,
    )
    np.testing.assert_array_equal(
        F.max_filter(image, (3, 6), **kw), ndi.maximum_filter(image, (3, 6), **kw)
    )
    np.testing.assert_array_equal(
        F.min_filter(image, 8, **kw), ndi.minimum_filter(image, 8, **kw)
    )
    np.testing.assert_allclose(
        F.gaussian_filter(image, (1.5, 3.0), **kw),
        ndi.gaussian_filter(image, (1.5, 3.0), **kw),
        atol=TOL,
    )
    np.testing.assert_array_equal(
        F.median_filter(image, 4, **kw), ndi.median_filter(image, 4, **kw)
    )


@pytest.mark.parametrize("k", [1, 2, 3, 5, 7, 8, 13, 16])
def test_window_doubling_matches_direct_sums_for_every_size(rng, k):
    image = rng.normal(size=(40, 33))
    np.testing.assert_allclose(
        F.window_filter(image, "sum", size=(k, 1), mode="wrap"),
        ndi.correlate(image, np.ones((k, 1)), mode="wrap"),
        atol=TOL,
    )
    np.testing.assert_array_equal(
        F.max_filter(image, (1, k), mode="mirror"),
        ndi.maximum_filter(image, (1, k), mode="mirror"),
    )


@pytest.mark.parametrize("mode", MODES + ("ignore",))
@pytest.mark.parametrize(
    "kwargs", [dict(size=(3, 4)), dict(footprint=FOOTPRINTS["ring4x5"])]
)
def test_median_in_blocks_of_rows_equals_one_block(rng, monkeypatch, mode, kwargs):
    from dlsip.filters import window

    image = rng.integers(0, 50, size=(23, 17)).astype(np.int16)
    whole = F.median_filter(image, mode=mode, **kwargs)
    monkeypatch.setattr(window, "_VALUES_PER_BLOCK", 40)  # a few rows per block
    np.testing.assert_array_equal(F.median_filter(image, mode=mode, **kwargs), whole)
    assert whole.dtype == np.int16
    if mode != "ignore":
        np.testing.assert_array_equal(
            whole, ndi.median_filter(image, mode=mode, **kwargs)
        )
