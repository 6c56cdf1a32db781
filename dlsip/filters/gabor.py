r"""Gabor kernels: a plane wave under a Gaussian envelope, an edge or bar detector.

The real (cosine) part of a Gabor kernel responds to bars, the imaginary (sine) part to
edges, at one orientation and one spatial frequency. Simple cells of the primary visual
cortex, and the first-layer filters of trained CNNs, look like them.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_allocation, check_float

__all__ = ["gabor_kernel"]


def gabor_kernel(
    frequency: float,
    theta: float = 0.0,
    *,
    bandwidth: float = 1.0,
    sigma_x: float | None = None,
    sigma_y: float | None = None,
    n_stds: float = 3,
    offset: float = 0.0,
) -> np.ndarray:
    r"""A complex Gabor kernel: a plane wave under a Gaussian envelope.

    Parameters
    ----------
    frequency : float
        Spatial frequency of the wave, in cycles per pixel (> 0).
    theta : float
        Orientation in radians (0: the wave varies along x, so it detects vertical edges
        and bars).
    bandwidth : float
        Sets the envelope's width when sigma_x / sigma_y are not given.
    sigma_x, sigma_y : float, optional
        Standard deviations of the envelope along and across the wave.
    n_stds : float
        The kernel extends ``n_stds`` standard deviations.
    offset : float
        Phase offset in radians.

    Returns
    -------
    ndarray of complex128, shape (2 y0 + 1, 2 x0 + 1)
        ``.real`` is the even (cosine, bar-detecting) kernel, ``.imag`` the odd (sine,
        edge-detecting) one.

    Raises
    ------
    TypeError, ValueError
        For non-numbers, a frequency <= 0, or sigmas <= 0.

    Notes
    -----
    .. math::

        g(x, y) = \frac{1}{2\pi\sigma_x\sigma_y}
        \exp\Big(-\frac{x'^2}{2\sigma_x^2} - \frac{y'^2}{2\sigma_y^2}\Big)
        \exp\big(i (2\pi f x' + \text{offset})\big),

    with :math:`x' = x\cos\theta + y\sin\theta`, :math:`y' = -x\sin\theta +
    y\cos\theta`. Same definition and size as ``skimage.filters.gabor_kernel`` (Daugman,
    1985). The receptive fields of simple cells in V1, and the first-layer filters of
    trained CNNs, look like the real or imaginary part of such kernels.

    Examples
    --------
    >>> g = gabor_kernel(0.25, sigma_x=2.0, sigma_y=2.0)
    >>> g.shape, g.dtype
    ((13, 13), dtype('complex128'))
    >>> bool(np.allclose(g.real, g.real[::-1, ::-1]))   # the cosine part is even
    True
    """
    frequency = check_float(frequency, "frequency", minimum=0.0, strict=True)
    theta = check_float(theta, "theta")
    bandwidth = check_float(bandwidth, "bandwidth", minimum=0.0, strict=True)
    n_stds = check_float(n_stds, "n_stds", minimum=0.0, strict=True)
    offset = check_float(offset, "offset")
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        octaves = np.float64(2.0) ** bandwidth
        prefactor = (
            1.0 / np.pi * np.sqrt(np.log(2) / 2.0) * (octaves + 1) / (octaves - 1)
        )
    if not np.isfinite(prefactor) or prefactor <= 0:
        raise ValueError(
            "bandwidth must give a finite envelope (between about 1e-15 and 1000 "
            "octaves), "
            f"got bandwidth={bandwidth}"
        )
    # the arguments that set the kernel's size, for the message of an absurd one
    sizes = f"n_stds={n_stds}"
    if sigma_x is None or sigma_y is None:
        sizes += f", frequency={frequency} and bandwidth={bandwidth}"
    sigma_x = (
        prefactor / frequency
        if sigma_x is None
        else check_float(sigma_x, "sigma_x", minimum=0.0, strict=True)
    )
    sigma_y = (
        prefactor / frequency
        if sigma_y is None
        else check_float(sigma_y, "sigma_y", minimum=0.0, strict=True)
    )
    sizes += f" (sigma_x={sigma_x:g}, sigma_y={sigma_y:g})"
    extent = n_stds * max(sigma_x, sigma_y)  # the envelope's reach, in pixels
    if not np.isfinite(extent) or extent > 1 << 20:
        check_allocation((1 << 21, 1 << 21), sizes)
    ct, st = np.cos(theta), np.sin(theta)
    x0 = int(np.ceil(max(abs(n_stds * sigma_x * ct), abs(n_stds * sigma_y * st), 1)))
    y0 = int(np.ceil(max(abs(n_stds * sigma_y * ct), abs(n_stds * sigma_x * st), 1)))
    check_allocation((2 * y0 + 1, 2 * x0 + 1), sizes)
    y, x = np.meshgrid(
        np.arange(-y0, y0 + 1), np.arange(-x0, x0 + 1), indexing="ij", sparse=True
    )
    rotx = x * ct + y * st
    roty = -x * st + y * ct
    g = np.exp(
        -0.5 * (rotx**2 / sigma_x**2 + roty**2 / sigma_y**2)
        + 1j * (2 * np.pi * frequency * rotx + offset)
    )
    return g / (2 * np.pi * sigma_x * sigma_y)
