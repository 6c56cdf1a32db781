"""Self-checks for the exercises: run a student's function on random and edge cases and
say which case failed, and how.

Each checker takes the student's function, compares it with the package's reference on a
list of :class:`Case` objects, and returns a :class:`CheckReport`, which prints as a short
verdict. ``report.passed`` is a bool, so a notebook can ``assert`` it.

>>> import numpy as np
>>> report = run_cases(np.add, np.add, [Case("two ones", (1, 1))], name="add")
>>> report.passed
True
>>> print(report)
add: all 1 cases passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np


@dataclass
class Case:
    """One test case: a description, positional arguments and keyword arguments."""

    description: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


@dataclass
class CheckReport:
    """The outcome of a self-check: the cases that passed and those that failed, with why."""

    name: str
    n_cases: int
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        if self.passed:
            return f"{self.name}: all {self.n_cases} cases passed."
        lines = [f"{self.name}: {len(self.failures)} of {self.n_cases} cases failed."]
        for description, why in self.failures:
            lines.append(f"  - {description}: {why}")
        return "\n".join(lines)

    def _repr_pretty_(self, p, cycle):  # IPython shows the verdict, not the dataclass
        p.text(str(self))


def _describe_difference(got: Any, expected: Any, rtol: float, atol: float) -> str | None:
    """None when ``got`` matches ``expected``; otherwise a sentence saying how it differs."""
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return f"expected a tuple of {len(expected)} results, got {type(got).__name__}"
        for k, (g, e) in enumerate(zip(got, expected)):
            why = _describe_difference(g, e, rtol, atol)
            if why:
                return f"result {k}: {why}"
        return None
    try:
        got_arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"expected an array, got {type(got).__name__}"
    expected_arr = np.asarray(expected, dtype=float)
    if got_arr.shape != expected_arr.shape:
        return f"shape {got_arr.shape}, expected {expected_arr.shape}"
    if not np.allclose(got_arr, expected_arr, rtol=rtol, atol=atol, equal_nan=True):
        diff = np.abs(got_arr - expected_arr)
        where = np.unravel_index(np.nanargmax(diff), diff.shape) if diff.ndim else ()
        return (f"values differ; largest difference {np.nanmax(diff):.3g} at index {tuple(int(i) for i in where)} "
                f"(got {got_arr[where]:.6g}, expected {expected_arr[where]:.6g})")
    return None


def run_cases(student: Callable, reference: Callable, cases: list[Case], *, name: str,
              rtol: float = 1e-6, atol: float = 1e-8) -> CheckReport:
    """Run ``student`` and ``reference`` on every case and compare their results.

    An exception raised by the student's function counts as a failure, with its message;
    the check goes on with the next case.
    """
    if not callable(student):
        raise TypeError(f"student must be a function, got student={student!r}")
    report = CheckReport(name=name, n_cases=len(cases))
    for case in cases:
        expected = reference(*case.args, **case.kwargs)
        try:
            got = student(*_copy_args(case.args), **case.kwargs)
        except Exception as exc:  # a student's bug is a result to report, not a crash
            report.failures.append((case.description, f"raised {type(exc).__name__}: {exc}"))
            continue
        why = _describe_difference(got, expected, rtol, atol)
        if why:
            report.failures.append((case.description, why))
    return report


def _copy_args(args: tuple) -> tuple:
    # A student's function that modifies its input in place must not corrupt the next case.
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


# Chapter self-checks follow, one section per chapter.


# ---- Chapter 6: convolution variants ----

def check_pixel_shuffle(student: Callable) -> CheckReport:
    """Check ``student(x, r)`` against :func:`dlsip.variants.pixel_shuffle` (itself equal to torch's).

    Examples
    --------
    >>> from dlsip.variants import pixel_shuffle
    >>> check_pixel_shuffle(pixel_shuffle).passed
    True
    >>> print(check_pixel_shuffle(lambda x, r: x.reshape(x.shape[0], -1, x.shape[2] * r, x.shape[3] * r)))
    pixel_shuffle: 3 of 5 cases failed.
      - 4 channels, r = 2: values differ; largest difference 7 at index (0, 0, 1, 1) (got 5, expected 12)
      - 9 channels, r = 3, batch of 2: values differ; largest difference 2 at index (0, 0, 0, 2) (got 2, expected 4)
      - 8 channels (2 outputs), r = 2, 2 x 3 pixels: values differ; largest difference 11 at index (0, 0, 1, 1) (got 7, expected 18)
    """
    from .variants import pixel_shuffle

    cases = [
        Case("4 channels, r = 2", (np.arange(16.0).reshape(1, 4, 2, 2), 2)),
        Case("9 channels, r = 3, batch of 2", (np.arange(2 * 9 * 2.0).reshape(2, 9, 1, 2), 3)),
        Case("8 channels (2 outputs), r = 2, 2 x 3 pixels", (np.arange(48.0).reshape(1, 8, 2, 3), 2)),
        Case("r = 1 changes nothing", (np.arange(12.0).reshape(1, 3, 2, 2), 1)),
        Case("one pixel, r = 2", (np.arange(4.0).reshape(1, 4, 1, 1), 2)),
    ]
    return run_cases(student, pixel_shuffle, cases, name="pixel_shuffle", rtol=0, atol=0)


def check_conv_transpose(student: Callable) -> CheckReport:
    """Check ``student(x, kernel, stride)``, a single-channel 2D transposed convolution
    (no padding), against :func:`dlsip.layers.conv_transpose2d_forward`.

    Examples
    --------
    >>> import numpy as np
    >>> from dlsip.layers import conv_transpose2d_forward
    >>> def mine(x, kernel, stride):
    ...     return conv_transpose2d_forward(np.asarray(x, float)[None, None], np.asarray(kernel, float)[None, None],
    ...                                     stride=stride)[0][0, 0]
    >>> check_conv_transpose(mine).passed
    True
    """
    from .layers import conv_transpose2d_forward

    def reference(x, kernel, stride):
        x = np.asarray(x, dtype=float)[None, None]
        k = np.asarray(kernel, dtype=float)[None, None]
        return conv_transpose2d_forward(x, k, stride=stride)[0][0, 0]

    rng = np.random.default_rng(6)
    syllabus = np.array([[0.0, 1.0], [2.0, 3.0]])
    cases = [
        Case("the syllabus's example, stride 1", (syllabus, syllabus, 1)),
        Case("the syllabus's example, stride 2", (syllabus, syllabus, 2)),
        Case("3x3 kernel, stride 2 (uneven overlap)", (rng.standard_normal((3, 4)), rng.standard_normal((3, 3)), 2)),
        Case("stride larger than the kernel", (rng.standard_normal((2, 2)), rng.standard_normal((2, 2)), 3)),
        Case("non-square kernel, stride 1", (rng.standard_normal((3, 2)), rng.standard_normal((2, 3)), 1)),
        Case("one input pixel", (np.array([[2.0]]), rng.standard_normal((3, 3)), 2)),
    ]
    return run_cases(student, reference, cases, name="conv_transpose")


def check_depthwise_separable_macs(student: Callable) -> CheckReport:
    """Check ``student(in_channels, out_channels, kernel_size, output_size)``, the MACs of a
    depthwise separable convolution with square sizes, against
    :func:`dlsip.variants.depthwise_separable_cost`.

    Examples
    --------
    >>> check_depthwise_separable_macs(lambda c, o, k, n: n * n * k * k * c * o).passed   # a standard conv's
    False
    """
    from .variants import depthwise_separable_cost

    def reference(c, o, k, n):
        return depthwise_separable_cost(c, o, k, n, bias=False).macs

    cases = [
        Case("MobileNet's second layer: 32 -> 64 channels, 3x3, 112x112", (32, 64, 3, 112)),
        Case("one channel in, one out", (1, 1, 3, 5)),
        Case("5x5 kernel, 16 -> 8 channels", (16, 8, 5, 28)),
        Case("1x1 'kernel'", (4, 6, 1, 7)),
    ]
    return run_cases(student, reference, cases, name="depthwise_separable_macs", rtol=0, atol=0)
