"""Self-checks of chapter 6, convolution variants: pixel shuffle, transposed and
depthwise separable convolution."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .cases import Case, CheckReport, run_cases


def check_pixel_shuffle(student: Callable) -> CheckReport:
    """Check ``student(x, r)`` against :func:`dlsip.layers.pixel_shuffle` (torch's).

    Examples
    --------
    >>> from dlsip.layers import pixel_shuffle
    >>> check_pixel_shuffle(pixel_shuffle).passed
    True
    >>> def reshaped(x, r):
    ...     return x.reshape(x.shape[0], -1, x.shape[2] * r, x.shape[3] * r)
    >>> print(check_pixel_shuffle(reshaped))
    pixel_shuffle: 3 of 5 cases failed.
      - 4 channels, r = 2: values differ; largest difference 7 at index (0, 0, 1, 1) ...
      - 9 channels, r = 3, batch of 2: values differ; largest difference 2 at index ...
      - 8 channels (2 outputs), r = 2, 2 x 3 pixels: values differ; largest ...
    """
    from ..layers import pixel_shuffle

    cases = [
        Case("4 channels, r = 2", (np.arange(16.0).reshape(1, 4, 2, 2), 2)),
        Case(
            "9 channels, r = 3, batch of 2",
            (np.arange(2 * 9 * 2.0).reshape(2, 9, 1, 2), 3),
        ),
        Case(
            "8 channels (2 outputs), r = 2, 2 x 3 pixels",
            (np.arange(48.0).reshape(1, 8, 2, 3), 2),
        ),
        Case("r = 1 changes nothing", (np.arange(12.0).reshape(1, 3, 2, 2), 1)),
        Case("one pixel, r = 2", (np.arange(4.0).reshape(1, 4, 1, 1), 2)),
    ]
    return run_cases(
        student, pixel_shuffle, cases, name="pixel_shuffle", rtol=0, atol=0
    )


def check_conv_transpose(student: Callable) -> CheckReport:
    """Check ``student(x, kernel, stride)``, a single-channel 2D transposed convolution
    (no padding), against :func:`dlsip.layers.conv_transpose2d_forward`.

    Examples
    --------
    >>> import numpy as np
    >>> from dlsip.layers import conv_transpose2d_forward
    >>> def mine(x, kernel, stride):
    ...     x = np.asarray(x, float)[None, None]
    ...     kernel = np.asarray(kernel, float)[None, None]
    ...     return conv_transpose2d_forward(x, kernel, stride=stride)[0][0, 0]
    >>> check_conv_transpose(mine).passed
    True
    """
    from ..layers import conv_transpose2d_forward

    def reference(x, kernel, stride):
        x = np.asarray(x, dtype=float)[None, None]
        k = np.asarray(kernel, dtype=float)[None, None]
        return conv_transpose2d_forward(x, k, stride=stride)[0][0, 0]

    rng = np.random.default_rng(6)
    # The lecture's example (the transposed-convolution slide of deck 002, after d2l.ai)
    lecture = np.array([[0.0, 1.0], [2.0, 3.0]])
    cases = [
        Case("the lecture's example, stride 1", (lecture, lecture, 1)),
        Case("the lecture's example, stride 2", (lecture, lecture, 2)),
        Case(
            "3x3 kernel, stride 2 (uneven overlap)",
            (rng.standard_normal((3, 4)), rng.standard_normal((3, 3)), 2),
        ),
        Case(
            "stride larger than the kernel",
            (rng.standard_normal((2, 2)), rng.standard_normal((2, 2)), 3),
        ),
        Case(
            "non-square kernel, stride 1",
            (rng.standard_normal((3, 2)), rng.standard_normal((2, 3)), 1),
        ),
        Case("one input pixel", (np.array([[2.0]]), rng.standard_normal((3, 3)), 2)),
    ]
    return run_cases(student, reference, cases, name="conv_transpose")


def check_depthwise_separable_macs(student: Callable) -> CheckReport:
    """Check ``student(in_channels, out_channels, kernel_size, output_size)``, the
    MACs of a depthwise separable convolution with square sizes, against
    :func:`dlsip.arithmetic.depthwise_separable_cost`.

    Examples
    --------
    >>> standard = lambda c, o, k, n: n * n * k * k * c * o  # a standard convolution's
    >>> check_depthwise_separable_macs(standard).passed
    False
    """
    from ..arithmetic import depthwise_separable_cost

    def reference(c, o, k, n):
        return depthwise_separable_cost(c, o, k, output_size=n, bias=False).macs

    cases = [
        Case(
            "MobileNet's second layer: 32 -> 64 channels, 3x3, 112x112",
            (32, 64, 3, 112),
        ),
        Case("one channel in, one out", (1, 1, 3, 5)),
        Case("5x5 kernel, 16 -> 8 channels", (16, 8, 5, 28)),
        Case("1x1 'kernel'", (4, 6, 1, 7)),
    ]
    return run_cases(
        student, reference, cases, name="depthwise_separable_macs", rtol=0, atol=0
    )
