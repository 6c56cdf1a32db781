r"""The frequency response of a kernel: which frequencies a 1D filter passes.

Filtering a sampled sine of frequency :math:`f` (cycles per sample) with a kernel
:math:`w` gives the same sine, scaled and shifted by the kernel's frequency response

.. math::

    H(f) = \sum_{n} w[n]\, e^{-2 \pi i f (n - c)}, \qquad c = k // 2,

the discrete-time Fourier transform of the kernel, taken about its centre :math:`c`
(the centre that :func:`dlsip.filters.correlate1d` uses with ``padding="same"``). A
kernel that is symmetric about its centre has a real response. The box (moving
average) of :math:`k` taps has :math:`H(f) = \sin(\pi f k) / (k \sin(\pi f))`: a
main lobe up to its first zero at :math:`f = 1/k`, then side lobes of alternating
sign, the first about 13 dB below the peak; a Gaussian's response is a Gaussian, with
no side lobe but the small ones that cutting the kernel off adds.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import check_allocation, check_array, check_positive_int

__all__ = ["frequency_response", "peak_side_lobe_db"]


def _check_kernel_and_n_fft(kernel, n_fft) -> tuple[np.ndarray, int]:
    kernel = check_array(kernel, "kernel", ndim=1).astype(float)
    n_fft = check_positive_int(n_fft, "n_fft")
    check_allocation((n_fft,), f"n_fft={n_fft}")
    if n_fft < kernel.size:
        raise ValueError(
            f"n_fft must be at least the kernel's length {kernel.size}, got "
            f"n_fft={n_fft}"
        )
    return kernel, n_fft


def frequency_response(
    kernel: ArrayLike, *, n_fft: int = 4096
) -> tuple[np.ndarray, np.ndarray]:
    r"""The frequency response of a 1D kernel, from 0 to half the sampling rate.

    Parameters
    ----------
    kernel : array_like, shape (k,)
    n_fft : int
        Length of the zero-padded FFT (at least k): the response is sampled at
        ``n_fft // 2 + 1`` frequencies.

    Returns
    -------
    frequencies : ndarray, shape (n_fft // 2 + 1,)
        In cycles per sample, from 0 to 0.5.
    response : ndarray of complex, shape (n_fft // 2 + 1,)
        :math:`H(f)`, taken about the kernel's centre ``k // 2``: real (up to
        round-off) for a kernel symmetric about its centre.

    Raises
    ------
    TypeError
        For a non-numeric kernel or n_fft.
    ValueError
        For a kernel that is not 1D or is empty, or n_fft below 1 or below k.

    Notes
    -----
    .. math::

        H(f) = \sum_{n=0}^{k-1} w[n]\, e^{-2 \pi i f (n - k // 2)},

    computed as ``np.fft.rfft(kernel, n_fft)`` times :math:`e^{2 \pi i f (k // 2)}`.

    Examples
    --------
    >>> f, h = frequency_response(np.ones(3) / 3, n_fft=6)
    >>> f
    array([0.        , 0.16666667, 0.33333333, 0.5       ])
    >>> np.round(h.real, 4) + 0.0     # (1 + 2 cos(2 pi f)) / 3: negative at 0.5
    array([ 1.    ,  0.6667,  0.    , -0.3333])
    """
    kernel, n_fft = _check_kernel_and_n_fft(kernel, n_fft)
    frequencies = np.fft.rfftfreq(n_fft)
    centre = kernel.size // 2
    response = np.fft.rfft(kernel, n_fft) * np.exp(2j * np.pi * frequencies * centre)
    return frequencies, response


def peak_side_lobe_db(kernel: ArrayLike, *, n_fft: int = 8192) -> float:
    r"""The highest side lobe of a low-pass kernel, in dB below its response at 0.

    The main lobe ends at the first local minimum of :math:`|H(f)|`; the peak side lobe
    is the largest :math:`|H(f)|` beyond it, as :math:`20 \log_{10} (|H| / |H(0)|)`.

    Parameters
    ----------
    kernel : array_like, shape (k,)
        A low-pass kernel (its response at 0 must not vanish).
    n_fft : int
        FFT length (at least k); more samples locate the lobes more finely.

    Returns
    -------
    float
        Negative for a side lobe below the peak; ``-inf`` if :math:`|H|` never rises
        again (no side lobe).

    Raises
    ------
    TypeError
        For a non-numeric kernel or n_fft.
    ValueError
        For a kernel that is not 1D, is empty or sums to 0, or a bad n_fft.

    Examples
    --------
    >>> round(peak_side_lobe_db(np.ones(11) / 11), 1)    # the box: about -13 dB
    -13.0
    >>> from dlsip.filters import gaussian_kernel
    >>> bool(peak_side_lobe_db(gaussian_kernel(3.0, ndim=1)) < -80)
    True
    """
    kernel, n_fft = _check_kernel_and_n_fft(kernel, n_fft)
    magnitude = np.abs(frequency_response(kernel, n_fft=n_fft)[1])
    if magnitude[0] <= 1e-12 * np.abs(kernel).sum():
        raise ValueError(
            "kernel must be a low-pass kernel with a response at frequency 0, got a "
            f"kernel that sums to {kernel.sum():g}"
        )
    rising = np.flatnonzero(np.diff(magnitude) > 0)
    if rising.size == 0:
        return -np.inf
    first_minimum = rising[0]
    return float(20 * np.log10(magnitude[first_minimum:].max() / magnitude[0]))
