"""dlsip.filters.gabor: Gabor kernels against scikit-image."""

from __future__ import annotations

import numpy as np
import pytest

from dlsip import filters as F


@pytest.mark.parametrize(
    "frequency,theta,kwargs",
    [
        (0.1, 0.0, {}),
        (0.2, np.pi / 3, {}),
        (0.3, 1.0, dict(bandwidth=0.5)),
        (0.25, 0.4, dict(sigma_x=2.0, sigma_y=4.0, offset=0.7, n_stds=2)),
    ],
)
def test_gabor_kernel_equals_skimage(frequency, theta, kwargs):
    from skimage.filters import gabor_kernel

    np.testing.assert_allclose(
        F.gabor_kernel(frequency, theta, **kwargs),
        gabor_kernel(frequency, theta, **kwargs),
        rtol=1e-12,
        atol=1e-15,
    )


def test_gabor_errors():
    with pytest.raises(ValueError, match=r"frequency must be > 0.0, got frequency=0.0"):
        F.gabor_kernel(0.0)
    with pytest.raises(ValueError, match=r"sigma_x must be > 0.0, got sigma_x=-1.0"):
        F.gabor_kernel(0.2, sigma_x=-1.0)


@pytest.mark.parametrize(
    "frequency,kwargs,named",
    [
        (1e-12, {}, "frequency=1e-12"),
        (0.1, dict(bandwidth=1e-12), "bandwidth=1e-12"),
        (0.1, dict(sigma_x=1e12, sigma_y=1.0), "sigma_x=1e"),
        (0.1, dict(sigma_x=1.0, sigma_y=1e12), "sigma_y=1e"),
        (0.1, dict(sigma_x=1.0, sigma_y=1.0, n_stds=1e12), "n_stds=1000000000000.0"),
    ],
)
def test_gabor_refuses_an_absurd_size_naming_the_argument(frequency, kwargs, named):
    with pytest.raises(ValueError, match=rf"{named}.* would make an array of shape"):
        F.gabor_kernel(frequency, **kwargs)


def test_gabor_frequency_sets_only_the_wave_when_both_sigmas_are_given():
    assert F.gabor_kernel(1e-12, sigma_x=2.0, sigma_y=2.0).shape == (13, 13)
