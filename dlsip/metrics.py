r"""Metrics: how close one image or filter is to another (PSNR, correlation), and how a
result varies over the seeds of an experiment.

The peak signal-to-noise ratio compares the mean squared error with the square of the
range of possible values, in decibels: :math:`10 \log_{10}(R^2 / \mathrm{MSE})`. Higher
is better; a perfect restoration scores infinity. The correlation coefficient compares
shapes regardless of offset and scale: how much a learned filter looks like a Gabor
kernel, say. A result of training is one draw from a distribution over seeds:
:func:`seed_summary` reports its mean and spread, the form every claim of an experiment
takes in the book.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from ._validation import check_array, check_float

__all__ = ["psnr", "correlations", "SeedSummary", "seed_summary"]


def psnr(
    reference: ArrayLike, image: ArrayLike, *, data_range: float | None = None
) -> float:
    r"""Peak signal-to-noise ratio in dB, :math:`10 \log_{10}(R^2 / \mathrm{MSE})`.

    Parameters
    ----------
    reference : array_like
        The clean image.
    image : array_like, same shape
        The noisy or restored image.
    data_range : float, optional
        :math:`R`, the range of possible values: 255 for uint8 references when omitted;
        required for other dtypes.

    Returns
    -------
    float
        ``inf`` when the images are equal.

    Raises
    ------
    ValueError
        For different shapes, a missing data_range, or data_range <= 0.

    Notes
    -----
    Higher is better; each halving of the RMS error adds about 6.02 dB. Equals
    ``skimage.metrics.peak_signal_noise_ratio``.

    Examples
    --------
    >>> import numpy as np
    >>> round(psnr(np.zeros((2, 2), np.uint8), np.full((2, 2), 255, np.uint8)), 6)
    0.0
    """
    ref = check_array(reference, "reference")
    img = check_array(image, "image")
    if ref.shape != img.shape:
        raise ValueError(
            f"image must have the reference's shape {ref.shape}, "
            f"got image with shape {img.shape}"
        )
    if data_range is None:
        if ref.dtype != np.uint8:
            raise ValueError(
                f"data_range is required for a reference of dtype {ref.dtype} "
                "(255 is assumed only for uint8), got data_range=None"
            )
        data_range = 255.0
    data_range = check_float(data_range, "data_range", minimum=0.0, strict=True)
    mse = np.mean((ref.astype(np.float64) - img.astype(np.float64)) ** 2)
    with np.errstate(divide="ignore"):
        return float(10 * np.log10(data_range**2 / mse))


def correlations(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    r"""Pearson correlation of every item of ``a`` with every item of ``b``.

    Parameters
    ----------
    a : array_like, shape (n, ...)
        ``n`` items (filters, images), each flattened to a vector.
    b : array_like, shape (m, ...)
        ``m`` items with as many values each as the items of ``a``.

    Returns
    -------
    ndarray, shape (n, m)
        Entry ``[i, j]`` is the correlation coefficient of ``a[i]`` and ``b[j]``, in
        :math:`[-1, 1]`.

    Raises
    ------
    ValueError
        If the items of ``a`` and ``b`` have different sizes, or an item is constant
        (its correlation is undefined).

    Notes
    -----
    Each item is centred and scaled to unit norm, :math:`\hat u = (u - \bar u) /
    \lVert u - \bar u \rVert`; the coefficient is the dot product
    :math:`\hat a_i \cdot \hat b_j`. It ignores brightness offsets and contrast, and
    its sign says whether the pattern is the same or inverted.

    Examples
    --------
    >>> import numpy as np
    >>> edge = np.array([[1.0, 0.0, -1.0]] * 3)
    >>> correlations([edge, 2 * edge + 5, -edge], [edge]).ravel()
    array([ 1.,  1., -1.])
    """
    a = check_array(a, "a", ndim=tuple(range(1, 33)))
    b = check_array(b, "b", ndim=tuple(range(1, 33)))
    a = a.reshape(len(a), -1).astype(np.float64)
    b = b.reshape(len(b), -1).astype(np.float64)
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"b's items must have as many values as a's ({a.shape[1]}), "
            f"got b with {b.shape[1]} values per item"
        )
    units = []
    for name, items in (("a", a), ("b", b)):
        centred = items - items.mean(axis=1, keepdims=True)
        norms = np.linalg.norm(centred, axis=1, keepdims=True)
        if np.any(norms == 0):
            raise ValueError(
                f"{name} must not hold a constant item (its correlation is undefined), "
                f"got {name}[{int(np.argmin(norms))}] constant"
            )
        units.append(centred / norms)
    return units[0] @ units[1].T


class SeedSummary(NamedTuple):
    """One result over several seeds: their mean, sample standard deviation, range."""

    mean: float
    std: float
    low: float
    high: float
    n: int

    def format(self, spec: str = ".3f") -> str:
        """``mean ± std (n seeds, low to high)``, each number formatted by ``spec``
        (a sign asked for by ``+`` is given to the values, not to the spread)."""
        m, lo, hi = (format(v, spec) for v in (self.mean, self.low, self.high))
        s = format(self.std, spec.replace("+", ""))
        return f"{m} ± {s} ({self.n} seeds, {lo} to {hi})"

    def __str__(self) -> str:
        return self.format()


def seed_summary(values: ArrayLike) -> SeedSummary:
    r"""The mean and spread of one result measured with several seeds.

    Parameters
    ----------
    values : array_like, shape (n,)
        The result of each seed (an accuracy, a PSNR), ``n >= 2``: one seed has no
        spread, and a claim resting on it cannot be told from luck.

    Returns
    -------
    SeedSummary
        ``mean``, ``std`` (the sample standard deviation, :math:`n - 1` in the
        denominator), ``low`` and ``high`` (the extremes) and ``n``.
        ``str(summary)`` reads ``0.912 ± 0.004 (3 seeds, 0.908 to 0.916)``.

    Raises
    ------
    TypeError
        If ``values`` is not numeric.
    ValueError
        If there are fewer than two values, or a value is not finite.

    Examples
    --------
    >>> summary = seed_summary([0.91, 0.92, 0.93])
    >>> print(summary)
    0.920 ± 0.010 (3 seeds, 0.910 to 0.930)
    >>> summary.format(".1%")
    '92.0% ± 1.0% (3 seeds, 91.0% to 93.0%)'
    """
    values = check_array(values, "values", ndim=1, allow_bool=False).astype(np.float64)
    if values.size < 2:
        raise ValueError(
            f"values must hold the results of at least 2 seeds, got {values.size}"
        )
    if not np.all(np.isfinite(values)):
        raise ValueError(f"values must be finite, got {values.tolist()}")
    return SeedSummary(
        mean=float(values.mean()),
        std=float(values.std(ddof=1)),
        low=float(values.min()),
        high=float(values.max()),
        n=int(values.size),
    )
