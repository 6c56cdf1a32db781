"""dlsip.signals: the synthetic signals and their statistics."""

from __future__ import annotations

import numpy as np
import pytest

from dlsip import signals


def test_salt_and_pepper_counts_and_reproducibility():
    image = np.full((50, 40), 100, np.uint8)
    a = signals.salt_and_pepper(image, 0.2, rng=np.random.default_rng(3))
    b = signals.salt_and_pepper(image, 0.2, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
    assert np.count_nonzero(a == 0) == 200 and np.count_nonzero(a == 255) == 200
    assert np.all(image == 100)  # the input is not modified
    with pytest.raises(ValueError, match=r"amount must be in \[0, 1\], got amount=1.5"):
        signals.salt_and_pepper(image, 1.5)


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (dict(low=np.nan), ValueError, r"low must be finite, got low=nan"),
        (dict(high=np.inf), ValueError, r"high must be finite, got high=inf"),
        (dict(low=""), TypeError, r"low must be a real number, got low=''"),
        (dict(high="1"), TypeError, r"high must be a real number, got high='1'"),
        (
            dict(low=2.0, high=1.0),
            ValueError,
            r"low must be <= high, got low=2.0 and high=1.0",
        ),
        (  # high defaults to the image's maximum, 1
            dict(low=2.0),
            ValueError,
            r"low must be <= high, got low=2.0 and high=1.0",
        ),
    ],
)
def test_salt_and_pepper_low_high_errors(kwargs, error, match):
    image = np.linspace(0.0, 1.0, 12).reshape(3, 4)
    with pytest.raises(error, match=match):
        signals.salt_and_pepper(image, 0.5, rng=0, **kwargs)


def test_salt_and_pepper_low_equal_to_high_is_valid():
    out = signals.salt_and_pepper(np.zeros((4, 4)), 0.5, rng=0, low=3.0, high=3.0)
    assert np.count_nonzero(out == 3.0) == 8


# --------------------------------------------------------------------------------------
# vertical_line_images
# --------------------------------------------------------------------------------------


def test_vertical_line_images_have_one_line_each_away_from_the_border():
    images = signals.vertical_line_images(50, 7, noise=0.0, rng=1)
    assert images.shape == (50, 7, 7) and images.dtype == np.float64
    columns = images.sum(axis=1)  # a line is 7 ones in one column
    assert np.all(np.sort(columns, axis=1)[:, -1] == 7) and np.all(
        columns.sum(axis=1) == 7
    )
    lit = columns.argmax(axis=1)
    assert lit.min() >= 1 and lit.max() <= 5
    np.testing.assert_array_equal(
        images, signals.vertical_line_images(50, 7, noise=0.0, rng=1)
    )
    noisy = signals.vertical_line_images(
        200, 12, noise=0.2, rng=np.random.default_rng(2)
    )
    assert abs(np.std(noisy - np.round(noisy)) - 0.2) < 0.01


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (dict(n=0), ValueError, r"n must be a positive integer, got n=0"),
        (dict(size=2), ValueError, r"size must be an integer >= 3, got size=2"),
        (dict(noise=-0.1), ValueError, r"noise must be >= 0.0"),
        (
            dict(rng="seed"),
            TypeError,
            r"rng must be a numpy.random.Generator, an integer seed or None",
        ),
        (dict(rng=-1), ValueError, r"rng must be a non-negative integer, got rng=-1"),
        (dict(n=10**9, size=100), ValueError, r"n=1000000000 and size=100 would make"),
    ],
)
def test_vertical_line_images_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        signals.vertical_line_images(**kwargs)


# --------------------------------------------------------------------------------------
# ar1_process
# --------------------------------------------------------------------------------------


def test_ar1_is_reproducible_from_a_seed_or_a_generator():
    a = signals.ar1_process(500, 0.8, rng=7)
    b = signals.ar1_process(500, 0.8, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, signals.ar1_process(500, 0.8, rng=8))
    assert a.shape == (500,) and a.dtype == np.float64


def test_ar1_follows_its_recursion_exactly():
    # The oracle: scipy's IIR filter y[t] = e[t] + a y[t-1], from the same innovations.
    from scipy.signal import lfilter

    a, sigma = 0.7, 2.0
    e = sigma * np.random.default_rng(5).standard_normal(300)
    s = signals.ar1_process(300, a, noise_std=sigma, stationary=False, rng=5)
    assert s[0] == 0.0
    np.testing.assert_allclose(
        s,
        lfilter([1.0], [1.0, -a], np.concatenate([[0.0], e[1:]])),
        rtol=1e-12,
        atol=1e-12,
    )
    s = signals.ar1_process(300, a, noise_std=sigma, rng=5)
    assert s[0] == pytest.approx(e[0] / np.sqrt(1 - a * a), rel=1e-15)
    np.testing.assert_allclose(s[1:], a * s[:-1] + e[1:], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("a", [-0.6, 0.0, 0.5, 0.95])
def test_ar1_lag_one_autocorrelation_and_variance_over_a_long_series(a):
    s = signals.ar1_process(200_000, a, noise_std=0.5, rng=11)
    lag1 = np.corrcoef(s[:-1], s[1:])[0, 1]
    assert abs(lag1 - a) < 0.01
    assert s.var() == pytest.approx(0.25 / (1 - a * a), rel=0.05 if a < 0.9 else 0.15)
    lag2 = np.corrcoef(s[:-2], s[2:])[0, 1]
    assert abs(lag2 - a * a) < 0.015


def test_ar1_stationary_start_has_the_stationary_variance():
    # Across many independent paths, s[0] has variance sigma^2 / (1 - a^2); from zero it
    # is 0.
    rng = np.random.default_rng(0)
    firsts = np.array([signals.ar1_process(2, 0.9, rng=rng)[0] for _ in range(4000)])
    assert firsts.var() == pytest.approx(1 / (1 - 0.81), rel=0.1)


@pytest.mark.parametrize(
    "args,kwargs,error,match",
    [
        ((0, 0.5), {}, ValueError, r"n must be a positive integer, got n=0"),
        ((2.5, 0.5), {}, TypeError, r"n must be an integer"),
        (
            (10, 1.0),
            {},
            ValueError,
            r"coefficient must be in \(-1, 1\).*got coefficient=1.0",
        ),
        ((10, -1.5), {}, ValueError, r"coefficient must be in \(-1, 1\)"),
        ((10, "a"), {}, TypeError, r"coefficient must be a real number"),
        ((10, 0.5), dict(noise_std=-1.0), ValueError, r"noise_std must be >= 0.0"),
        ((10, 0.5), dict(stationary=1), TypeError, r"stationary must be True or False"),
        ((10, 0.5), dict(rng=1.5), TypeError, r"rng must be a numpy.random.Generator"),
        ((10**12, 0.5), {}, ValueError, r"n=1000000000000 would make"),
    ],
)
def test_ar1_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        signals.ar1_process(*args, **kwargs)
