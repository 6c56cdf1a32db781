"""Self-checks of chapter 1, image filtering: a cross-correlation written by hand."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .cases import Case, CheckReport, run_cases


def _correlate2d_reference(image, kernel):
    from ..filters import correlate2d

    return correlate2d(image, kernel)


def check_correlate2d(student: Callable) -> CheckReport:
    r"""Check a student's ``correlate2d(image, kernel)`` ("valid" cross-correlation).

    The function must return, for an (H, W) image and a (kH, kW) kernel, the (H - kH +
    1, W - kW + 1) array :math:`g[i, j] = \sum_{a, b} w[a, b]\, f[i + a, j + b]`. It is
    run on random cases and on edge cases (a 1x1 kernel, a kernel as large as the image,
    a single-row image, non-square and even-sized kernels, negative values, uint8 and
    integer input whose result is negative or larger than 255, an image with an
    outlier); the report names each failed case and says how it failed (wrong shape,
    which value differs, or the exception raised).

    Parameters
    ----------
    student : callable
        ``student(image, kernel) -> ndarray``.

    Returns
    -------
    CheckReport

    Raises
    ------
    TypeError
        If ``student`` is not callable.

    Examples
    --------
    >>> from dlsip.filters import correlate2d as reference
    >>> check_correlate2d(reference).passed
    True
    >>> def flipped(image, kernel):                  # a convolution, not a correlation
    ...     return reference(image, np.asarray(kernel)[::-1, ::-1])
    >>> report = check_correlate2d(flipped)
    >>> report.passed
    False
    >>> print(str(report).splitlines()[1])
      - random 5x5 image, 3x3 kernel: values differ; ...
    """
    rng = np.random.default_rng(11)

    def normal(*shape):
        return rng.standard_normal(shape)

    slide_image = np.array(
        [
            [3, 0, 1, 2, 7, 4],
            [1, 5, 8, 9, 3, 1],
            [2, 7, 2, 5, 1, 3],
            [0, 1, 3, 1, 7, 8],
            [4, 2, 1, 6, 2, 8],
            [2, 4, 5, 2, 3, 9],
        ]
    )
    outlier = normal(6, 6)
    outlier[2, 3] = 1e6
    cases = [
        Case("random 5x5 image, 3x3 kernel", (normal(5, 5), normal(3, 3))),
        Case(
            "the slides' 6x6 image with the vertical edge filter [[1, 0, -1]] * 3",
            (slide_image, np.array([[1, 0, -1]] * 3)),
        ),
        Case(
            "1x1 kernel (output = image times the weight)",
            (normal(4, 6), np.array([[-2.5]])),
        ),
        Case(
            "kernel as large as the image (a single output pixel)",
            (normal(4, 5), normal(4, 5)),
        ),
        Case(
            "non-square image 7x4, non-square kernel 2x3", (normal(7, 4), normal(2, 3))
        ),
        Case("even-sized 2x2 kernel", (normal(6, 6), normal(2, 2))),
        Case("even-sized 4x2 kernel on a 5x9 image", (normal(5, 9), normal(4, 2))),
        Case("single-row image with a 1x3 kernel", (normal(1, 8), normal(1, 3))),
        Case(
            "asymmetric kernel (catches a flipped kernel)",
            (normal(5, 6), np.arange(9.0).reshape(3, 3)),
        ),
        Case("negative values only", (-np.abs(normal(5, 5)), -np.abs(normal(3, 3)))),
        Case(
            "uint8 image, result negative and above 255 (no wrap-around)",
            (
                rng.integers(0, 256, size=(6, 6)).astype(np.uint8),
                np.array([[2, -1], [3, -2]]),
            ),
        ),
        Case(
            "integer image and integer kernel",
            (rng.integers(-9, 10, size=(5, 7)), rng.integers(-3, 4, size=(3, 3))),
        ),
        Case("image with a large outlier", (outlier, normal(3, 3))),
        Case("kernel given as nested lists", (normal(4, 4), [[0.0, 1.0], [2.0, 3.0]])),
    ]
    return run_cases(
        student, _correlate2d_reference, cases, name="correlate2d", rtol=1e-9, atol=1e-9
    )
