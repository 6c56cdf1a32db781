"""Image filtering as a sliding-window lens (chapter 1), one concept per module.

A lens (a window, a kernel) slides over an image; at each position it computes one
number from the pixels it sees: a weighted sum (linear filtering), or a statistic (a
mean, a maximum, a median). Smoothing, derivatives, edges and morphology are such lenses
with a particular kernel or statistic.

Modules
-------
- :mod:`~dlsip.filters.linear`: correlation and convolution, 1D and 2D, padding and the
  border modes (``MODES``, ``PADDINGS``).
- :mod:`~dlsip.filters.window`: window statistics (sum, mean, max, min, median).
- :mod:`~dlsip.filters.gaussian`: the Gaussian kernel and filter.
- :mod:`~dlsip.filters.edges`: derivatives, edges, sharpening and their kernels.
- :mod:`~dlsip.filters.morphology`: dilation and erosion.
- :mod:`~dlsip.filters.gabor`: Gabor kernels.
- :mod:`~dlsip.filters.separable`: separable kernels and two-pass filtering.
- :mod:`~dlsip.filters.frequency`: the frequency response of a 1D kernel.
- :mod:`~dlsip.filters.learning`: learning a kernel by gradient descent, from targets
  or from labels.
- :mod:`~dlsip.filters.wiener`: the least-squares (Wiener) FIR filter.

Every name is re-exported here, so ``from dlsip import filters; filters.mean_filter``
works. The loop versions (``correlate2d_naive``, ``window_filter_naive``) are what the
fast versions are tested against, with ``scipy.ndimage`` and torch.

>>> from dlsip import filters
>>> filters.correlate2d([[1, 2, 3], [4, 5, 6]], [[1, -1]])
array([[-1., -1.],
       [-1., -1.]])
"""

from __future__ import annotations

from .edges import (
    HORIZONTAL_EDGE,
    LAPLACIAN,
    PREWITT_X,
    PREWITT_Y,
    SOBEL_X,
    SOBEL_Y,
    VERTICAL_EDGE,
    gradient_magnitude,
    laplacian,
    prewitt,
    sharpen,
    sobel,
)
from .frequency import frequency_response, peak_side_lobe_db
from .gabor import gabor_kernel
from .gaussian import gaussian_filter, gaussian_kernel
from .learning import (
    VERTICAL_LINE,
    DetectorFit,
    detector_scores,
    fit_detector,
    fit_kernel,
    learn_kernel_demo,
)
from .linear import (
    MODES,
    PADDINGS,
    convolve1d,
    convolve2d,
    convolve2d_naive,
    correlate1d,
    correlate2d,
    correlate2d_naive,
    pad,
)
from .morphology import dilate, erode
from .separable import NotSeparableError, separable_correlate2d, separate_kernel
from .wiener import wiener_taps
from .window import (
    STATISTICS,
    max_filter,
    mean_filter,
    median_filter,
    min_filter,
    window_filter,
    window_filter_naive,
)

__all__ = [
    # linear
    "MODES",
    "PADDINGS",
    "pad",
    "correlate2d",
    "convolve2d",
    "correlate2d_naive",
    "convolve2d_naive",
    "correlate1d",
    "convolve1d",
    # window
    "STATISTICS",
    "window_filter",
    "window_filter_naive",
    "mean_filter",
    "median_filter",
    "max_filter",
    "min_filter",
    # gaussian
    "gaussian_kernel",
    "gaussian_filter",
    # edges
    "LAPLACIAN",
    "SOBEL_X",
    "SOBEL_Y",
    "PREWITT_X",
    "PREWITT_Y",
    "VERTICAL_EDGE",
    "HORIZONTAL_EDGE",
    "laplacian",
    "sobel",
    "prewitt",
    "gradient_magnitude",
    "sharpen",
    # morphology
    "dilate",
    "erode",
    # frequency
    "frequency_response",
    "peak_side_lobe_db",
    # gabor
    "gabor_kernel",
    # separable
    "NotSeparableError",
    "separate_kernel",
    "separable_correlate2d",
    # learning
    "VERTICAL_LINE",
    "fit_kernel",
    "learn_kernel_demo",
    "DetectorFit",
    "detector_scores",
    "fit_detector",
    # wiener
    "wiener_taps",
]
