"""dlsip.filters.wiener: the least-squares FIR filter against an independently built
Toeplitz system (scipy.linalg), the normal equations, and the Wiener-Hopf solution with
the
true statistics of an AR(1) signal."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import hankel, lstsq, solve_toeplitz

from dlsip import filters as F
from dlsip.signals import ar1_process


def _oracle(noisy, clean, m):
    """Least squares on the data matrix of scipy.linalg.hankel (row i: x[i : i + m])."""
    n = len(noisy)
    matrix = hankel(noisy[: n - m + 1], noisy[n - m :])
    return lstsq(matrix, clean[m // 2 : m // 2 + n - m + 1])[0]


@pytest.mark.parametrize(
    "n,m,a,sigma",
    [
        (400, 5, 0.9, 0.5),
        (1000, 9, 0.95, 1.0),
        (300, 3, 0.5, 0.2),
        (500, 1, 0.8, 0.7),
        (200, 4, 0.6, 1.0),
    ],
)
def test_taps_equal_scipy_least_squares_on_the_hankel_matrix(n, m, a, sigma):
    rng = np.random.default_rng(n + m)
    clean = ar1_process(n, a, rng=rng)
    noisy = clean + sigma * rng.standard_normal(n)
    w = F.wiener_taps(noisy, clean, num_taps=m)
    assert w.shape == (m,) and w.dtype == np.float64
    np.testing.assert_allclose(w, _oracle(noisy, clean, m), rtol=1e-9, atol=1e-12)


def test_taps_solve_the_normal_equations_and_the_residual_is_orthogonal_to_the_data():
    rng = np.random.default_rng(1)
    clean = ar1_process(2000, 0.9, rng=rng)
    noisy = clean + rng.standard_normal(2000)
    m = 7
    w = F.wiener_taps(noisy, clean, num_taps=m)
    estimate = F.correlate1d(noisy, w)  # the filter applied: "valid" correlation
    residual = clean[m // 2 : m // 2 + len(estimate)] - estimate
    windows = np.stack([noisy[i : i + len(estimate)] for i in range(m)])
    np.testing.assert_allclose(windows @ residual, 0, atol=1e-8 * np.abs(windows).sum())


def test_long_series_approach_the_wiener_hopf_solution_with_true_statistics():
    a, sigma, n, m = 0.95, 1.0, 200_000, 9
    rng = np.random.default_rng(3)
    clean = ar1_process(n, a, rng=rng)
    noisy = clean + sigma * rng.standard_normal(n)
    lags = np.arange(m)
    r_s = a**lags / (1 - a**2)
    p = a ** np.abs(lags - m // 2) / (1 - a**2)
    exact = solve_toeplitz(r_s + sigma**2 * (lags == 0), p)
    w = F.wiener_taps(noisy, clean, num_taps=m)
    assert np.linalg.norm(w - exact) < 0.03 * np.linalg.norm(exact)


def test_clean_input_gives_the_identity_filter():
    x = np.random.default_rng(0).standard_normal(50)
    np.testing.assert_allclose(
        F.wiener_taps(x, x, num_taps=5), [0, 0, 1, 0, 0], atol=1e-12
    )


@pytest.mark.parametrize(
    "noisy,clean,num_taps,error,match",
    [
        (np.ones((3, 3)), np.ones((3, 3)), 1, ValueError, r"noisy must be 1D"),
        (
            np.ones(5),
            np.ones(4),
            1,
            ValueError,
            r"clean must have the length of noisy \(5\)",
        ),
        (
            np.ones(5),
            np.ones(5),
            0,
            ValueError,
            r"num_taps must be a positive integer, got num_taps=0",
        ),
        (np.ones(5), np.ones(5), 2.0, TypeError, r"num_taps must be an integer"),
        (
            np.ones(5),
            np.ones(5),
            6,
            ValueError,
            r"num_taps must be at most the signal length 5",
        ),
        (
            np.array([1.0, np.nan]),
            np.ones(2),
            1,
            ValueError,
            r"noisy must contain only finite",
        ),
        (
            np.ones(2),
            np.array([np.inf, 1.0]),
            1,
            ValueError,
            r"clean must contain only finite",
        ),
        (["a", "b"], np.ones(2), 1, TypeError, r"noisy must have a real numeric dtype"),
        (np.ones(0), np.ones(0), 1, ValueError, r"noisy must not be empty"),
    ],
)
def test_errors_name_the_argument(noisy, clean, num_taps, error, match):
    with pytest.raises(error, match=match):
        F.wiener_taps(noisy, clean, num_taps=num_taps)


def test_num_taps_is_keyword_only():
    with pytest.raises(TypeError):
        F.wiener_taps(np.ones(5), np.ones(5), 3)
