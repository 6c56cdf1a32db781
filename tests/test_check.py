"""The self-check machinery of dlsip/check.py (chapter checkers have their own tests)."""

from __future__ import annotations

import numpy as np
import pytest

from dlsip.check import Case, run_cases


def reference(x, k=1):
    return np.cumsum(x) * k


CASES = [Case("short", (np.array([1.0, 2.0, 3.0]),)), Case("scaled", (np.array([1.0, -1.0]),), {"k": 3})]


def test_reference_passes():
    report = run_cases(reference, reference, CASES, name="cumsum")
    assert report.passed and bool(report)
    assert str(report) == "cumsum: all 2 cases passed."


def test_wrong_values_are_located():
    def buggy(x, k=1):
        out = np.cumsum(x) * k
        out[-1] += 0.5
        return out

    report = run_cases(buggy, reference, CASES, name="cumsum")
    assert not report.passed and len(report.failures) == 2
    text = str(report)
    assert "2 of 2 cases failed" in text and "short: values differ" in text and "index (2,)" in text


def test_wrong_shape_and_exceptions_are_reported():
    report = run_cases(lambda x, k=1: np.zeros(1), reference, CASES[:1], name="f")
    assert "shape (1,), expected (3,)" in str(report)

    def crashes(x, k=1):
        raise IndexError("index 3 is out of bounds")

    report = run_cases(crashes, reference, CASES, name="f")
    assert report.failures[0] == ("short", "raised IndexError: index 3 is out of bounds")


def test_student_cannot_corrupt_later_cases():
    x = np.array([1.0, 2.0])
    cases = [Case("first", (x,)), Case("second", (x,))]

    def mutating(arr, k=1):
        result = np.cumsum(arr)
        arr[:] = 100
        return result

    assert run_cases(mutating, reference, cases, name="f").passed
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_tuple_results_are_compared_elementwise():
    ref = lambda x: (x, 2 * x)  # noqa: E731
    report = run_cases(lambda x: (x, 3 * x), ref, [Case("t", (np.ones(2),))], name="pair")
    assert "result 1: values differ" in str(report)


def test_student_must_be_callable():
    with pytest.raises(TypeError, match="student must be a function"):
        run_cases(42, reference, CASES, name="f")
