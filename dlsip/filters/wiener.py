r"""The Wiener filter: the FIR filter that best recovers a clean signal from noise.

Given a noisy signal :math:`x` and the clean signal :math:`s` it came from, the Wiener
filter is the kernel :math:`w` of :math:`M` taps whose correlation with :math:`x` is
closest to :math:`s` in mean square,

.. math::

    \hat s[n] = \sum_{k=0}^{M-1} w_k\, x[n + k - \lfloor M/2 \rfloor], \qquad
    w = \arg\min_w \sum_n \big(s[n] - \hat s[n]\big)^2 .

This is ordinary least squares on the matrix whose rows are the windows of :math:`x`;
its normal equations :math:`R w = p` (the windows' Gram matrix and their correlation
with :math:`s`) are the Wiener-Hopf equations with sample statistics. A one-channel
``torch.nn.Conv1d`` trained on the mean squared error converges to the same taps
(chapter 7).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .. import _geometry
from .._validation import check_allocation, check_array, check_positive_int

__all__ = ["wiener_taps"]


def wiener_taps(noisy: ArrayLike, clean: ArrayLike, *, num_taps: int) -> np.ndarray:
    r"""The least-squares ("Wiener") FIR filter from a noisy signal to its clean one.

    Parameters
    ----------
    noisy : array_like, shape (L,)
        The observed signal :math:`x`.
    clean : array_like, shape (L,)
        The signal :math:`s` to recover, sample for sample.
    num_taps : int
        :math:`M`, the filter length, ``1 <= M <= L``. The window of output :math:`n` is
        centred on :math:`n` (exactly for odd :math:`M`).

    Returns
    -------
    ndarray, shape (num_taps,), float64
        The taps :math:`w`; ``dlsip.filters.correlate1d(noisy, w)`` is the estimate of
        ``clean[M // 2 : M // 2 + L - M + 1]``.

    Raises
    ------
    TypeError
        If a signal is not numeric or num_taps not an integer.
    ValueError
        If a signal is not 1D, is empty or holds NaN or infinity, the two lengths
        differ, or num_taps is below 1 or longer than the signals.

    Notes
    -----
    The positions :math:`n` used are those where the whole window lies inside the
    signal, :math:`n = \lfloor M/2 \rfloor, \dots, \lfloor M/2 \rfloor + L - M`. With
    the window matrix :math:`X` (row :math:`i` is :math:`x[i : i + M]`) and the targets
    :math:`y`, the taps minimise :math:`\|X w - y\|^2`; ``numpy.linalg.lstsq`` solves
    this through the SVD of :math:`X`, which stays accurate when :math:`X^T X` is
    ill-conditioned (and returns the minimum-norm solution when it is singular).

    For a stationary signal in white noise of variance :math:`\sigma^2`, the taps tend,
    as :math:`L` grows, to the solution of the Wiener-Hopf equations
    :math:`(R_s + \sigma^2 I) w = p` with the true autocorrelation :math:`R_s` of the
    signal.

    Examples
    --------
    A 5-tap filter for an AR(1) signal in white noise removes about half of the noise:

    >>> import numpy as np
    >>> from dlsip.signals import ar1_process
    >>> rng = np.random.default_rng(0)
    >>> clean = ar1_process(5000, 0.9, rng=rng)
    >>> noisy = clean + rng.standard_normal(5000)
    >>> w = wiener_taps(noisy, clean, num_taps=5)
    >>> w.shape
    (5,)
    >>> estimate = np.correlate(noisy, w, "valid")
    >>> error = np.mean((estimate - clean[2:-2]) ** 2)
    >>> bool(error < 0.5 * np.mean((noisy - clean) ** 2))
    True
    """
    noisy = check_array(noisy, "noisy", ndim=1).astype(np.float64)
    clean = check_array(clean, "clean", ndim=1).astype(np.float64)
    if clean.shape != noisy.shape:
        raise ValueError(
            f"clean must have the length of noisy ({noisy.size}), got clean with shape "
            f"{clean.shape}"
        )
    for name, signal in (("noisy", noisy), ("clean", clean)):
        if not np.isfinite(signal).all():
            raise ValueError(
                f"{name} must contain only finite values, got NaN or infinity"
            )
    num_taps = check_positive_int(num_taps, "num_taps")
    if num_taps > noisy.size:
        raise ValueError(
            f"num_taps must be at most the signal length {noisy.size}, "
            f"got num_taps={num_taps}"
        )
    check_allocation((noisy.size - num_taps + 1, num_taps), f"num_taps={num_taps!r}")
    half = num_taps // 2
    windows = _geometry.windows(noisy[None, :], (1, num_taps))[
        0, :, 0, :
    ]  # (L - M + 1, M)
    target = clean[half : half + len(windows)]
    return np.linalg.lstsq(windows, target, rcond=None)[0]
