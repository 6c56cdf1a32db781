"""dlsip.check.variants: the chapter 6 self-checks pass references written with loops
and catch swapped, flipped and miscounted answers."""

from __future__ import annotations

import numpy as np

from dlsip import check
from dlsip import layers as L


def test_self_checks_pass_the_reference_and_catch_bugs():
    assert check.check_pixel_shuffle(L.pixel_shuffle).passed

    # A shuffle that swaps the roles of rows and columns inside each block is wrong.
    def swapped(x, r):
        return np.swapaxes(L.pixel_shuffle(np.swapaxes(x, -1, -2), r), -1, -2)

    report = check.check_pixel_shuffle(swapped)
    assert not report.passed and "4 channels, r = 2" in str(report)

    def scatter(x, kernel, stride):
        x, kernel = np.asarray(x, float), np.asarray(kernel, float)
        out = np.zeros(
            (
                (x.shape[0] - 1) * stride + kernel.shape[0],
                (x.shape[1] - 1) * stride + kernel.shape[1],
            )
        )
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                out[
                    i * stride : i * stride + kernel.shape[0],
                    j * stride : j * stride + kernel.shape[1],
                ] += x[i, j] * kernel
        return out

    assert check.check_conv_transpose(scatter).passed
    flipped = lambda x, k, s: scatter(x, np.asarray(k)[::-1, ::-1], s)  # noqa: E731
    assert "lecture's example, stride 1" in str(check.check_conv_transpose(flipped))

    def macs(c, o, k, n):
        return c * n * n * k * k + n * n * c * o

    assert check.check_depthwise_separable_macs(macs).passed
    assert not check.check_depthwise_separable_macs(
        lambda c, o, k, n: macs(c, o, k, n) + 1
    ).passed


def test_an_all_nan_answer_fails_instead_of_crashing():
    report = check.check_pixel_shuffle(
        lambda x, r: np.full(
            (x.shape[0], x.shape[1] // r**2, x.shape[2] * r, x.shape[3] * r), np.nan
        )
    )
    assert not report.passed and len(report.failures) == report.n_cases
    assert all("values are not finite" in why for _, why in report.failures)
