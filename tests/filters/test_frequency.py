"""dlsip.filters.frequency: a kernel's frequency response, against scipy.signal.freqz,
the box's closed form and a direct sum."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal

from dlsip import filters as F


@pytest.mark.parametrize("k", [1, 2, 3, 8, 11])
def test_response_is_the_dtft_about_the_centre(rng, k):
    kernel = rng.normal(size=k)
    f, h = F.frequency_response(kernel, n_fft=64)
    assert f.shape == h.shape == (33,) and f[0] == 0 and f[-1] == 0.5
    # A direct sum over the taps, at offsets n - k // 2 from the centre.
    offsets = np.arange(k) - k // 2
    direct = np.exp(-2j * np.pi * np.outer(f, offsets)) @ kernel
    np.testing.assert_allclose(h, direct, atol=1e-12)
    # scipy.signal.freqz takes the first tap as the origin: the same magnitude.
    _, h_scipy = scipy.signal.freqz(kernel, worN=2 * np.pi * f)
    np.testing.assert_allclose(np.abs(h), np.abs(h_scipy), atol=1e-12)


def test_a_symmetric_kernel_has_a_real_response(rng):
    half = rng.normal(size=4)
    kernel = np.r_[half, rng.normal(), half[::-1]]
    _, h = F.frequency_response(kernel)
    np.testing.assert_allclose(h.imag, 0, atol=1e-12)


@pytest.mark.parametrize("k", [3, 5, 11, 101])
def test_box_response_and_side_lobe_match_the_closed_form(k):
    f, h = F.frequency_response(np.ones(k) / k, n_fft=8192)
    inner = f > 0
    closed = np.sin(np.pi * f[inner] * k) / (k * np.sin(np.pi * f[inner]))
    np.testing.assert_allclose(h.real[inner], closed, atol=1e-12)
    # The highest |closed form| beyond its first zero f = 1/k, on a fine grid.
    fine = np.linspace(1 / k, 0.5, 200_001)
    lobe = np.abs(np.sin(np.pi * fine * k) / (k * np.sin(np.pi * fine))).max()
    assert F.peak_side_lobe_db(np.ones(k) / k, n_fft=8192) == pytest.approx(
        20 * np.log10(lobe), abs=0.01
    )


def test_side_lobe_of_the_sinc_tends_to_minus_13_26_db():
    # The first side lobe of sin(x)/x is at the root of tan x = x, x = 4.4934.
    x = 4.493409457909064
    assert np.tan(x) == pytest.approx(x, rel=1e-9)
    sinc_lobe = 20 * np.log10(abs(np.sin(x) / x))
    assert F.peak_side_lobe_db(np.ones(501) / 501, n_fft=1 << 16) == pytest.approx(
        sinc_lobe, abs=0.01
    )


def test_gaussian_has_no_side_lobe_but_its_truncation():
    level = F.peak_side_lobe_db(F.gaussian_kernel(np.sqrt(10), ndim=1))
    assert -130 < level < -80
    # A response that never rises again has no side lobe at all.
    assert F.peak_side_lobe_db([1.0]) == -np.inf
    assert F.peak_side_lobe_db([0.25, 0.5, 0.25]) == -np.inf


def test_errors():
    with pytest.raises(ValueError, match=r"n_fft must be at least the kernel's length"):
        F.frequency_response(np.ones(5), n_fft=4)
    with pytest.raises(ValueError, match=r"kernel must be 1D"):
        F.frequency_response(np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"kernel must be a low-pass kernel"):
        F.peak_side_lobe_db([1.0, 0.0, -1.0])
