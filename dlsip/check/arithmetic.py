"""Self-checks of chapter 2, convolution arithmetic: output sizes, Toeplitz matrices,
stacks of convolutions."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .cases import Case, CheckReport, run_cases


def check_conv_output_size(student: Callable) -> CheckReport:
    """Check ``student(size, kernel_size, stride=1, padding=0, dilation=1)``, the output
    length of a convolution, against :func:`dlsip.arithmetic.conv_output_size` (which
    agrees with torch).

    The cases catch the usual slips: forgetting the floor (a fractional or rounded-up
    result), forgetting the dilation or using ``d k`` instead of ``d (k - 1) + 1``,
    padding one side only, and dividing before subtracting the kernel.

    Examples
    --------
    >>> check_conv_output_size(lambda i, k, stride=1, padding=0, dilation=1:
    ...     (i + 2 * padding - dilation * (k - 1) - 1) // stride + 1).passed
    True
    >>> report = check_conv_output_size(lambda i, k, stride=1, padding=0, dilation=1:
    ...     (i + 2 * padding - k) // stride + 1)    # forgets the dilation
    >>> report.passed
    False
    """
    from ..arithmetic import conv_output_size

    def reference(size, kernel_size, **kwargs):
        return conv_output_size(size, kernel_size, **kwargs)

    cases = [
        Case("valid: 5 pixels, 3-tap kernel", (5, 3)),
        Case("same padding", (5, 3), {"padding": 1}),
        Case("full padding", (5, 3), {"padding": 2}),
        Case("stride 2, exact division", (7, 3), {"stride": 2}),
        Case("stride 2, the floor matters", (6, 3), {"stride": 2}),
        Case(
            "stride 3 with padding, the floor matters",
            (10, 4),
            {"stride": 3, "padding": 1},
        ),
        Case("dilation 2", (7, 3), {"dilation": 2}),
        Case(
            "dilation 3 with padding and stride",
            (20, 3),
            {"stride": 2, "padding": 3, "dilation": 3},
        ),
        Case("AlexNet's first layer: 227, 11x11, stride 4", (227, 11), {"stride": 4}),
        Case(
            "ResNet's stem: 224, 7x7, stride 2, padding 3",
            (224, 7),
            {"stride": 2, "padding": 3},
        ),
        Case("1x1 kernel", (13, 1)),
        Case("kernel as large as the input", (5, 5)),
    ]
    return run_cases(student, reference, cases, name="conv_output_size", rtol=0, atol=0)


def check_toeplitz_matrix(student: Callable) -> CheckReport:
    """Check ``student(kernel, n)``, the ``(n - k + 1, n)`` matrix of a 1D valid
    cross-correlation, against :func:`dlsip.arithmetic.conv_matrix`.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.linalg import toeplitz
    >>> def banded(kernel, n):
    ...     k = len(kernel)
    ...     zeros = np.zeros(n - k)
    ...     return toeplitz(np.r_[kernel[0], zeros], np.r_[kernel, zeros])
    >>> check_toeplitz_matrix(banded).passed
    True
    >>> check_toeplitz_matrix(lambda kernel, n: banded(kernel[::-1], n)).passed
    False
    """
    from ..arithmetic import conv_matrix

    rng = np.random.default_rng(2)
    cases = [
        Case("kernel [1, 2, 3] on 5 samples", (np.array([1.0, 2.0, 3.0]), 5)),
        Case("asymmetric random kernel on 8 samples", (rng.standard_normal(3), 8)),
        Case("even kernel", (rng.standard_normal(4), 9)),
        Case("kernel as long as the signal", (rng.standard_normal(4), 4)),
        Case("one-tap kernel: a scaled identity", (np.array([2.5]), 3)),
    ]
    return run_cases(
        student, lambda kernel, n: conv_matrix(kernel, n), cases, name="toeplitz_matrix"
    )


def check_conv_stack(student: Callable) -> CheckReport:
    """Check ``student(num_layers, kernel_size, channels)``, which returns the
    ``(receptive_field, weights)`` of a stack of ``num_layers`` stride-1 convolutions
    of ``kernel_size x kernel_size``, each with ``channels`` input and output channels
    and no bias.

    The reference takes the receptive field from
    :func:`dlsip.arithmetic.receptive_field` and counts the weights of the torch
    layers. The cases catch the usual slips: adding ``k`` instead of ``k - 1`` per
    layer, forgetting the input channels (``k^2 C`` per layer) and counting one layer
    only.

    Examples
    --------
    >>> check_conv_stack(lambda n, k, c: (1 + n * (k - 1), n * k * k * c * c)).passed
    True
    >>> check_conv_stack(lambda n, k, c: (n * k, n * k * k * c * c)).passed
    False
    """
    from torch import nn

    from ..arithmetic import receptive_field

    def reference(num_layers, kernel_size, channels):
        r = receptive_field([(kernel_size, 1, 0)] * num_layers, 64)[-1].r
        stack = [
            nn.Conv2d(channels, channels, kernel_size, bias=False, device="meta")
            for _ in range(num_layers)
        ]
        return (r, sum(m.weight.numel() for m in stack))

    cases = [
        Case("three 3x3 layers, 64 channels (VGG)", (3, 3, 64)),
        Case("one 7x7 layer, 64 channels", (1, 7, 64)),
        Case("two 5x5 layers, 16 channels", (2, 5, 16)),
        Case("five 3x3 layers, one channel", (5, 3, 1)),
        Case("four 1x1 layers see one pixel", (4, 1, 8)),
    ]
    return run_cases(student, reference, cases, name="conv_stack", rtol=0, atol=0)
