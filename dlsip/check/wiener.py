"""Self-checks of chapter 7, why convolutions work: the least-squares Wiener filter."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .cases import Case, CheckReport, run_cases


def check_wiener_taps(student: Callable) -> CheckReport:
    r"""Check ``student(noisy, clean, num_taps)``, the least-squares (Wiener) FIR
    denoiser, against :func:`dlsip.filters.wiener_taps` (least squares on the matrix
    of windows).

    The estimate is :math:`\hat s[n] = \sum_{k=0}^{M-1} w_k\, x[n + k - \lfloor M/2
    \rfloor]` (a cross-correlation, as ``torch.nn.Conv1d`` computes it), for the
    positions ``n`` where the whole window lies inside the signal.

    Examples
    --------
    >>> def normal_equations(noisy, clean, num_taps):
    ...     windows = np.lib.stride_tricks.sliding_window_view
    ...     X = windows(np.asarray(noisy, float), num_taps)
    ...     y = np.asarray(clean, float)[num_taps // 2:num_taps // 2 + len(X)]
    ...     return np.linalg.solve(X.T @ X, X.T @ y)
    >>> check_wiener_taps(normal_equations).passed
    True
    """
    from ..filters import wiener_taps
    from ..signals import ar1_process

    def reference(noisy, clean, num_taps):
        return wiener_taps(noisy, clean, num_taps=num_taps)

    rng = np.random.default_rng(7)
    cases = []
    for n, m, a, sigma in [
        (400, 5, 0.9, 0.5),
        (1000, 9, 0.95, 1.0),
        (300, 3, 0.5, 0.2),
        (500, 1, 0.8, 0.7),
    ]:
        clean = ar1_process(n, a, stationary=False, rng=rng)  # s[t] = a s[t-1] + e[t]
        noisy = clean + sigma * rng.standard_normal(n)
        cases.append(
            Case(
                f"{n} samples, {m} taps, AR(1) a={a}, noise std {sigma}",
                (noisy, clean, m),
            )
        )
    return run_cases(
        student, reference, cases, name="wiener_taps", rtol=1e-6, atol=1e-9
    )
