"""The self-check machinery: run a student's function on cases and report what failed.

Each chapter's checker (``dlsip.check.check_<what>``) takes the student's function,
compares it with the package's reference on a list of :class:`Case` objects through
:func:`run_cases`, and returns a :class:`CheckReport`, which prints as a short verdict.
``report.passed`` is a bool, so a notebook can ``assert`` it.

A student's answer never crashes a check: an exception, ``None``, a result of the wrong
type or shape, and NaN or infinite values each fail their case with a sentence saying
what went wrong.

>>> import numpy as np
>>> report = run_cases(np.add, np.add, [Case("two ones", (1, 1))], name="add")
>>> report.passed
True
>>> print(report)
add: all 1 cases passed.
>>> print(run_cases(lambda a, b: np.nan, np.add, [Case("two ones", (1, 1))], name="f"))
f: 1 of 1 cases failed.
  - two ones: got nan, expected 2
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._validation import check_callable, check_float, check_instance


@dataclass
class Case:
    """One test case: a description, positional arguments and keyword arguments."""

    description: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


@dataclass
class CheckReport:
    """The outcome of a self-check: how many cases ran, and the failures with why."""

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


def _as_real_array(value: Any) -> np.ndarray | str:
    """``value`` as a float array, or a sentence saying why it is not one."""
    if value is None:
        return "returned None (is a `return` statement missing?)"
    if isinstance(value, (str, bytes, dict, set)):
        return f"expected an array of numbers, got {type(value).__name__}"
    try:
        arr = np.asarray(value)
    except Exception:  # ragged lists and the like
        return f"expected an array of numbers, got {type(value).__name__}"
    if arr.dtype.kind not in "biuf":
        return f"expected real numbers, got {type(value).__name__} of dtype {arr.dtype}"
    return arr.astype(float)


def _fmt(v: float) -> str:
    return f"{v:.6g}"


def _describe_difference(
    got: Any, expected: Any, rtol: float, atol: float
) -> str | None:
    """None when ``got`` matches ``expected``, otherwise a sentence saying how not."""
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return (
                f"expected a tuple of {len(expected)} results, got {type(got).__name__}"
            )
        for k, (g, e) in enumerate(zip(got, expected, strict=True)):
            why = _describe_difference(g, e, rtol, atol)
            if why:
                return f"result {k}: {why}"
        return None
    got_arr = _as_real_array(got)
    if isinstance(got_arr, str):
        return got_arr
    expected_arr = np.asarray(expected, dtype=float)
    if got_arr.shape != expected_arr.shape:
        return f"shape {got_arr.shape}, expected {expected_arr.shape}"
    close = np.isclose(got_arr, expected_arr, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return None
    if got_arr.ndim == 0:
        return f"got {_fmt(got_arr)}, expected {_fmt(expected_arr)}"
    bad_finite = ~close & np.isfinite(got_arr) & np.isfinite(expected_arr)
    if bad_finite.any():  # locate the largest difference among the finite values
        diff = np.where(bad_finite, np.abs(got_arr - expected_arr), -1.0)
        where = np.unravel_index(np.argmax(diff), diff.shape)
        what = f"values differ; largest difference {_fmt(diff[where])}"
    else:  # every wrong value is NaN or infinite (in got, or in expected)
        where = tuple(np.argwhere(~close)[0])
        what = f"{np.count_nonzero(~close)} values are not finite"
    index = tuple(int(i) for i in where)
    got_v, expected_v = _fmt(got_arr[where]), _fmt(expected_arr[where])
    return f"{what} at index {index} (got {got_v}, expected {expected_v})"


def _copy(value: Any) -> Any:
    # A student's function that modifies its input in place must not corrupt the next
    # case (nor the reference's input).
    return value.copy() if isinstance(value, np.ndarray) else value


def run_cases(
    student: Callable,
    reference: Callable,
    cases: list[Case],
    *,
    name: str,
    rtol: float = 1e-6,
    atol: float = 1e-8,
) -> CheckReport:
    """Run ``student`` and ``reference`` on every case and compare their results.

    Parameters
    ----------
    student : callable
        The function to check.
    reference : callable
        A correct function with the same signature.
    cases : list of Case
    name : str
        What the report is called.
    rtol, atol : float
        The tolerances of ``numpy.isclose``; NaN matches only NaN.

    Returns
    -------
    CheckReport

    Raises
    ------
    TypeError
        If ``student`` or ``reference`` is not callable, or ``cases`` is not a list of
        :class:`Case`.

    Notes
    -----
    An exception raised by the student's function counts as a failure, with its
    message, as does a result that is not an array of real numbers (``None``, a string,
    complex numbers), that has the wrong shape, or that holds NaN or infinite values
    where the reference does not; the check goes on with the next case.

    Examples
    --------
    >>> print(run_cases(lambda x: x[3], lambda x: x[0], [Case("short", ([1, 2],))],
    ...                 name="first"))
    first: 1 of 1 cases failed.
      - short: raised IndexError: list index out of range
    """
    check_callable(student, "student")
    check_callable(reference, "reference")
    check_instance(cases, "cases", (list, tuple), "a list of Case")
    for i, case in enumerate(cases):
        check_instance(case, f"cases[{i}]", Case, "a Case")
    rtol, atol = (
        check_float(rtol, "rtol", minimum=0),
        check_float(atol, "atol", minimum=0),
    )
    report = CheckReport(name=name, n_cases=len(cases))
    for case in cases:
        expected = reference(*map(_copy, case.args), **case.kwargs)
        args = tuple(map(_copy, case.args))
        kwargs = {key: _copy(v) for key, v in case.kwargs.items()}
        try:
            got = student(*args, **kwargs)
        except Exception as exc:  # a student's bug is a result to report, not a crash
            report.failures.append(
                (case.description, f"raised {type(exc).__name__}: {exc}")
            )
            continue
        why = _describe_difference(got, expected, rtol, atol)
        if why:
            report.failures.append((case.description, why))
    return report
