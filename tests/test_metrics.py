"""dlsip.metrics: PSNR against scikit-image and known values."""

from __future__ import annotations

import numpy as np
import pytest

from dlsip import metrics, signals


@pytest.fixture
def rng():
    return np.random.default_rng(20240601)


def test_psnr_equals_skimage(rng):
    from skimage.metrics import peak_signal_noise_ratio

    ref = rng.integers(0, 256, size=(20, 20)).astype(np.uint8)
    noisy = signals.salt_and_pepper(ref, 0.1, rng=rng)
    assert metrics.psnr(ref, noisy) == pytest.approx(
        peak_signal_noise_ratio(ref, noisy), rel=1e-12
    )
    x = rng.random((8, 8))
    assert metrics.psnr(x, x + 0.01, data_range=1.0) == pytest.approx(
        40.0, abs=1e-9
    )  # MSE 1e-4
    assert metrics.psnr(x, x, data_range=1.0) == np.inf
    with pytest.raises(
        ValueError, match=r"data_range is required for a reference of dtype float64"
    ):
        metrics.psnr(x, x)
    with pytest.raises(
        ValueError,
        match=r"image must have the reference's shape \(8, 8\), "
        r"got image with shape \(8, 7\)",
    ):
        metrics.psnr(x, x[:, :7], data_range=1.0)


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (
            dict(data_range=0.0),
            ValueError,
            r"data_range must be > 0.0, got data_range=0.0",
        ),
        (dict(data_range="255"), TypeError, r"data_range must be a real number"),
        (
            dict(image=np.ones((2, 2, 2))),
            ValueError,
            r"image must have the reference's shape",
        ),
        (
            dict(reference=np.array([["a"]])),
            TypeError,
            r"reference must have a real numeric dtype",
        ),
    ],
)
def test_psnr_errors(kwargs, error, match):
    args = dict(reference=np.zeros((2, 2)), image=np.ones((2, 2)), data_range=1.0)
    args.update(kwargs)
    with pytest.raises(error, match=match):
        metrics.psnr(args.pop("reference"), args.pop("image"), **args)


def test_psnr_is_6_db_better_for_half_the_error():
    ref = np.zeros((10, 10))
    assert metrics.psnr(ref, ref + 0.1, data_range=1.0) - metrics.psnr(
        ref, ref + 0.2, data_range=1.0
    ) == pytest.approx(20 * np.log10(2), abs=1e-12)


def test_correlations_against_numpy_corrcoef():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((4, 5, 5)), rng.standard_normal((3, 5, 5))
    got = metrics.correlations(a, b)
    full = np.corrcoef(np.concatenate([a.reshape(4, -1), b.reshape(3, -1)]))
    np.testing.assert_allclose(got, full[:4, 4:], rtol=0, atol=1e-12)


def test_correlations_ignore_offset_and_scale_and_see_inversion():
    rng = np.random.default_rng(1)
    f = rng.standard_normal((3, 3))
    got = metrics.correlations([f], [3 * f - 2, -f])
    np.testing.assert_allclose(got, [[1.0, -1.0]], atol=1e-12)


@pytest.mark.parametrize(
    "a, b, match",
    [
        (np.ones((2, 9)), np.ones((1, 8)), "b's items must have as many values as a's"),
        (np.ones((2, 9)), np.arange(9.0)[None], r"a must not hold a constant item"),
        (np.arange(9.0)[None], [[1.0] * 9], r"b must not hold a constant item"),
    ],
)
def test_correlations_errors(a, b, match):
    with pytest.raises(ValueError, match=match):
        metrics.correlations(a, b)


def test_seed_summary_against_numpy():
    values = [0.981, 0.975, 0.990, 0.986]
    summary = metrics.seed_summary(values)
    assert summary.mean == pytest.approx(np.mean(values), abs=1e-15)
    assert summary.std == pytest.approx(np.std(values, ddof=1), abs=1e-15)
    assert (summary.low, summary.high, summary.n) == (0.975, 0.990, 4)
    assert str(summary) == "0.983 ± 0.006 (4 seeds, 0.975 to 0.990)"
    assert summary.format(".1f") == "1.0 ± 0.0 (4 seeds, 1.0 to 1.0)"
    gains = metrics.seed_summary([-0.2, 0.1, 0.4])  # a spread has no sign
    assert gains.format("+.1f") == "+0.1 ± 0.3 (3 seeds, -0.2 to +0.4)"


@pytest.mark.parametrize(
    "values,error,match",
    [
        ([0.9], ValueError, "at least 2 seeds, got 1"),
        ([], ValueError, "values"),
        ([0.9, np.nan], ValueError, "values must be finite"),
        (["a", "b"], TypeError, "values"),
        ([[0.9, 0.8]], ValueError, "values"),
        ([True, False], TypeError, "values"),
    ],
)
def test_seed_summary_refuses_what_has_no_spread_or_is_not_a_result(
    values, error, match
):
    with pytest.raises(error, match=match):
        metrics.seed_summary(values)
