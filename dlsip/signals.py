r"""Synthetic signals: noise, test images and random processes with known statistics.

Each generator takes ``rng``, a :class:`numpy.random.Generator` or an integer seed, so
that an experiment can be repeated exactly.

- :func:`salt_and_pepper`: impulse noise, the case for a median filter.
- :func:`vertical_line_images`: images of one bright vertical line, for learning a
  kernel (chapter 1).
- :func:`ar1_process`: a first-order autoregressive process, the signal of the Wiener
  filter (chapter 7).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    check_allocation,
    check_bool,
    check_float,
    check_image,
    check_int,
    check_positive_int,
    check_range,
    check_rng,
)

__all__ = ["salt_and_pepper", "vertical_line_images", "ar1_process"]

#: The largest array (in values) a generator agrees to allocate.


def salt_and_pepper(
    image: ArrayLike,
    amount: float = 0.05,
    *,
    rng: np.random.Generator | int | None = None,
    low: float | None = None,
    high: float | None = None,
) -> np.ndarray:
    """A copy of ``image`` with a fraction ``amount`` of its pixels black or white.

    Parameters
    ----------
    image : array_like, shape (H, W)
    amount : float in [0, 1]
        Fraction of pixels replaced; half become ``low`` (pepper), half ``high`` (salt).
    rng : numpy.random.Generator or int, optional
        Source of randomness, or the seed of a new one (a fresh unseeded one when
        omitted).
    low, high : float, optional
        Pepper and salt values; default the dtype's range for integers, else the image's
        minimum and maximum.

    Returns
    -------
    ndarray, shape (H, W), the image's dtype

    Raises
    ------
    TypeError
        If ``low`` or ``high`` is not a number.
    ValueError
        If amount is outside [0, 1], ``low`` or ``high`` is not finite, or ``low`` is
        above ``high``.

    Notes
    -----
    Exactly ``round(amount * H * W)`` distinct pixels are replaced, chosen without
    replacement; the first half become pepper, the rest salt.

    Examples
    --------
    >>> import numpy as np
    >>> grey = np.full((100, 100), 128, np.uint8)
    >>> noisy = salt_and_pepper(grey, 0.1, rng=np.random.default_rng(0))
    >>> sorted(np.unique(noisy).tolist())
    [0, 128, 255]
    >>> int(np.count_nonzero(noisy != 128))
    1000
    """
    image = check_image(image)
    amount = check_float(amount, "amount", minimum=0.0)
    if amount > 1:
        raise ValueError(f"amount must be in [0, 1], got amount={amount}")
    rng = check_rng(rng)
    # The defaults: the dtype's range for integers, the image's own for floats.
    if image.dtype.kind in "iu":
        info = np.iinfo(image.dtype)
        default_low, default_high = info.min, info.max
    else:
        default_low, default_high = image.min(), image.max()
    low, high = check_range(
        default_low if low is None else low,
        default_high if high is None else high,
        ("low", "high"),
    )
    out = image.copy()
    n = int(round(amount * image.size))
    idx = rng.choice(image.size, size=n, replace=False)
    flat = out.reshape(-1)
    flat[idx[: n // 2]] = low
    flat[idx[n // 2 :]] = high
    return out


def vertical_line_images(
    n: int = 32,
    size: int = 12,
    *,
    noise: float = 0.2,
    rng: np.random.Generator | int | None = None,
) -> np.ndarray:
    """Images of one bright vertical line at a random column, plus Gaussian noise.

    Parameters
    ----------
    n : int
        Number of images.
    size : int
        Their height and width (>= 3).
    noise : float
        Standard deviation of the added noise (>= 0). Some noise is needed for a kernel
        to be identifiable: on clean vertical lines only the column sums of a kernel
        matter.
    rng : numpy.random.Generator or int, optional
        Source of randomness, or the seed of a new one.

    Returns
    -------
    ndarray, shape (n, size, size), float64

    Raises
    ------
    ValueError
        If n < 1, size < 3 or noise < 0.

    Notes
    -----
    The line is one pixel wide, of height 1, in a column away from the border (so the
    "valid" response of a 3x3 detector sees it whole).

    Examples
    --------
    >>> import numpy as np
    >>> x = vertical_line_images(2, 5, noise=0.0, rng=np.random.default_rng(0))
    >>> x.shape, sorted(np.unique(x).tolist())
    ((2, 5, 5), [0.0, 1.0])
    """
    n = check_positive_int(n, "n")
    size = check_int(size, "size", minimum=3)
    noise = check_float(noise, "noise", minimum=0.0)
    check_allocation((n, size, size), f"n={n} and size={size}", what="the images")
    rng = check_rng(rng)
    images = noise * rng.standard_normal((n, size, size))
    columns = rng.integers(1, size - 1, size=n)
    images[np.arange(n), :, columns] += 1.0
    return images


def ar1_process(
    n: int,
    coefficient: float,
    *,
    noise_std: float = 1.0,
    stationary: bool = True,
    rng: np.random.Generator | int | None = None,
) -> np.ndarray:
    r"""A sample path of the AR(1) process :math:`s[t] = a\, s[t - 1] + e[t]`.

    Parameters
    ----------
    n : int
        Number of samples (>= 1).
    coefficient : float
        :math:`a`, with :math:`|a| < 1` (the process is then stationary).
    noise_std : float
        Standard deviation :math:`\sigma_e \ge 0` of the white Gaussian innovations
        :math:`e[t]`.
    stationary : bool
        Start from the stationary distribution, :math:`s[0] = e[0] / \sqrt{1 - a^2}`, so
        that every sample has the same variance; ``False`` starts from :math:`s[0] = 0`
        (``e[0]`` is drawn and not used, so both starts consume the same random
        numbers).
    rng : numpy.random.Generator or int, optional
        Source of randomness, or the seed of a new one.

    Returns
    -------
    ndarray, shape (n,), float64

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If n < 1 (or absurdly large), :math:`|a| \ge 1`, or noise_std < 0.

    Notes
    -----
    The stationary process has variance :math:`\sigma_e^2 / (1 - a^2)` and
    autocorrelation :math:`\rho[k] = a^{|k|}`: neighbouring samples are alike, which a
    filter can exploit to remove white noise (the Wiener filter,
    :func:`dlsip.filters.wiener_taps`). The recursion is the loop below, one sample at a
    time, as it is written.

    Examples
    --------
    >>> s = ar1_process(100_000, 0.9, rng=0)
    >>> round(float(np.corrcoef(s[:-1], s[1:])[0, 1]), 2)
    0.9
    >>> round(float(s.var()), 1)        # 1 / (1 - 0.81)
    5.3
    """
    n = check_positive_int(n, "n")
    check_allocation((n,), f"n={n}", what="the signal")
    a = check_float(coefficient, "coefficient")
    if not -1.0 < a < 1.0:
        raise ValueError(
            "coefficient must be in (-1, 1) (a stationary process), "
            f"got coefficient={a}"
        )
    noise_std = check_float(noise_std, "noise_std", minimum=0.0)
    stationary = check_bool(stationary, "stationary")
    rng = check_rng(rng)
    e = (
        noise_std * rng.standard_normal(n)
    ).tolist()  # the innovations e[0], ..., e[n-1]
    s = [e[0] / math.sqrt(1.0 - a * a) if stationary else 0.0]
    for t in range(1, n):
        s.append(a * s[t - 1] + e[t])
    return np.array(s)
