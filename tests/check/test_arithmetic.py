"""dlsip.check.arithmetic: the chapter 2 self-checks pass the formula, catch slips."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg

from dlsip.check import check_conv_output_size, check_toeplitz_matrix


def _reference_size(i, k, stride=1, padding=0, dilation=1):
    return (i + 2 * padding - dilation * (k - 1) - 1) // stride + 1


BUGGY_SIZES = {
    "no floor": lambda i, k, stride=1, padding=0, dilation=1: (
        (i + 2 * padding - dilation * (k - 1) - 1) / stride + 1
    ),
    "ceiling": lambda i, k, stride=1, padding=0, dilation=1: (
        -(-(i + 2 * padding - dilation * (k - 1) - 1) // stride) + 1
    ),
    "forgets dilation": lambda i, k, stride=1, padding=0, dilation=1: (
        (i + 2 * padding - k) // stride + 1
    ),
    "d times k": lambda i, k, stride=1, padding=0, dilation=1: (
        (i + 2 * padding - dilation * k) // stride + 1
    ),
    "pads one side": lambda i, k, stride=1, padding=0, dilation=1: (
        (i + padding - dilation * (k - 1) - 1) // stride + 1
    ),
    "divides first": lambda i, k, stride=1, padding=0, dilation=1: (
        i // stride + 2 * padding - dilation * (k - 1)
    ),
}


def test_check_conv_output_size_passes_the_reference():
    report = check_conv_output_size(_reference_size)
    assert report.passed, str(report)


@pytest.mark.parametrize("bug", BUGGY_SIZES)
def test_check_conv_output_size_catches_typical_bugs(bug):
    report = check_conv_output_size(BUGGY_SIZES[bug])
    assert not report.passed
    assert "cases failed" in str(report)


def test_check_toeplitz_matrix():
    def banded(kernel, n):
        k = len(kernel)
        return scipy.linalg.toeplitz(
            np.r_[kernel[0], np.zeros(n - k)], np.r_[kernel, np.zeros(n - k)]
        )

    assert check_toeplitz_matrix(banded).passed
    assert not check_toeplitz_matrix(
        lambda kernel, n: banded(kernel[::-1], n)
    ).passed  # flipped
    assert not check_toeplitz_matrix(
        lambda kernel, n: banded(kernel, n).T
    ).passed  # transposed
    report = check_toeplitz_matrix(lambda kernel, n: np.zeros((n, n)))
    assert "shape" in str(report)


def test_check_conv_stack_passes_the_formula_and_catches_slips():
    from dlsip.check import check_conv_stack

    assert check_conv_stack(lambda n, k, c: (1 + n * (k - 1), n * k * k * c * c)).passed
    slips = {
        "k per layer": lambda n, k, c: (1 + n * k, n * k * k * c * c),
        "no input channels": lambda n, k, c: (1 + n * (k - 1), n * k * k * c),
        "one layer": lambda n, k, c: (k, k * k * c * c),
    }
    for slip in slips.values():
        report = check_conv_stack(slip)
        assert not report.passed and report.failures
    report = check_conv_stack(lambda n, k, c: (1 + n * (k - 1), n * k * k * c))
    assert "expected 110592" in str(report)  # 3 * 9 * 64**2, VGG's stack
