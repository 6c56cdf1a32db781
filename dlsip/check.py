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
