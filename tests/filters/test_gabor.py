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
