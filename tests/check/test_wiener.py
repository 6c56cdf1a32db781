"""dlsip.check.wiener: the chapter 7 self-check passes the normal equations and catches
a misaligned (causal) estimate."""

from __future__ import annotations

import numpy as np

from dlsip import check


def test_wiener_self_check_passes_least_squares_and_catches_misalignment():
    def normal_equations(noisy, clean, num_taps):
        X = np.lib.stride_tricks.sliding_window_view(np.asarray(noisy, float), num_taps)
        s = np.asarray(clean, float)[num_taps // 2 : num_taps // 2 + len(X)]
        return np.linalg.solve(X.T @ X, X.T @ s)

    assert check.check_wiener_taps(normal_equations).passed

    def misaligned(
        noisy, clean, num_taps
    ):  # causal alignment: estimates clean[t + M - 1]
        X = np.lib.stride_tricks.sliding_window_view(np.asarray(noisy, float), num_taps)
        return np.linalg.lstsq(X, np.asarray(clean, float)[num_taps - 1 :], rcond=None)[
            0
        ]

    report = check.check_wiener_taps(misaligned)
    assert not report.passed and "5 taps" in str(report) and "1 taps" not in str(report)
