"""dlsip.check.cases: the self-check machinery, and its robustness to bad answers."""

from __future__ import annotations

import numpy as np
import pytest

from dlsip.check import Case, run_cases


def reference(x, k=1):
    return np.cumsum(x) * k


CASES = [
    Case("short", (np.array([1.0, 2.0, 3.0]),)),
    Case("scaled", (np.array([1.0, -1.0]),), {"k": 3}),
]


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
    assert (
        "2 of 2 cases failed" in text
        and "short: values differ" in text
        and "index (2,)" in text
    )


def test_wrong_shape_and_exceptions_are_reported():
    report = run_cases(lambda x, k=1: np.zeros(1), reference, CASES[:1], name="f")
    assert "shape (1,), expected (3,)" in str(report)

    def crashes(x, k=1):
        raise IndexError("index 3 is out of bounds")

    report = run_cases(crashes, reference, CASES, name="f")
    assert report.failures[0] == (
        "short",
        "raised IndexError: index 3 is out of bounds",
    )


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
    report = run_cases(
        lambda x: (x, 3 * x), ref, [Case("t", (np.ones(2),))], name="pair"
    )
    assert "result 1: values differ" in str(report)


def test_student_must_be_callable():
    with pytest.raises(TypeError, match=r"student must be callable \(a function\)"):
        run_cases(42, reference, CASES, name="f")


@pytest.mark.parametrize(
    ("cases", "match"),
    [
        ("abc", r"cases must be a list of Case, got cases='abc'"),
        (3, r"cases must be a list of Case, got cases=3"),
        ([(1, 1)], r"cases\[0\] must be a Case, got cases\[0\]=\(1, 1\)"),
        ([*CASES, "abc"], rf"cases\[{len(CASES)}\] must be a Case"),
    ],
)
def test_cases_must_be_a_list_of_case(cases, match):
    with pytest.raises(TypeError, match=match):
        run_cases(reference, reference, cases, name="f")


# ---------------------------------------------------------------- robustness
# A bad answer fails its case with a sentence; it never crashes the check.


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (lambda x, k=1: None, "returned None"),
        (lambda x, k=1: "1, 3, 6", "expected an array of numbers, got str"),
        (lambda x, k=1: {"a": 1}, "expected an array of numbers, got dict"),
        (lambda x, k=1: [[1.0], [2.0, 3.0]], "expected an array of numbers, got list"),
        (lambda x, k=1: np.cumsum(x) * k + 0j, "expected real numbers"),
        (lambda x, k=1: np.full(len(x), np.nan), "values are not finite at index (0,)"),
        (lambda x, k=1: np.nan, "shape (), expected"),
        (lambda x, k=1: np.cumsum(x)[:, None] * k, "shape ("),
    ],
)
def test_bad_answers_fail_with_a_message(answer, why):
    report = run_cases(answer, reference, CASES, name="f")
    assert not report.passed and len(report.failures) == 2
    assert why in report.failures[0][1], report.failures[0][1]


def test_a_single_nan_among_right_values_is_located():
    def one_nan(x, k=1):
        out = np.cumsum(x) * k
        out[1] = np.nan
        return out

    report = run_cases(one_nan, reference, CASES[:1], name="f")
    assert report.failures == [
        ("short", "1 values are not finite at index (1,) (got nan, expected 3)")
    ]


def test_nan_and_a_wrong_value_report_the_wrong_value():
    def both(x, k=1):
        out = np.cumsum(x) * k
        out[0], out[2] = np.inf, 7.0
        return out

    (why,) = dict(run_cases(both, reference, CASES[:1], name="f").failures).values()
    assert (
        why == "values differ; largest difference 1 at index (2,) (got 7, expected 6)"
    )


def test_nan_where_the_reference_has_nan_passes():
    def ref(x):
        return np.log(x)

    with np.errstate(invalid="ignore"):
        report = run_cases(
            ref, ref, [Case("negative", (np.array([-1.0, 1.0]),))], name="f"
        )
    assert report.passed


def test_scalar_results_are_compared_exactly_when_asked():
    ref = lambda n: n // 2  # noqa: E731
    report = run_cases(
        lambda n: n / 2, ref, [Case("odd", (5,))], name="half", rtol=0, atol=0
    )
    assert report.failures == [("odd", "got 2.5, expected 2")]


def test_keyword_arrays_are_copied_too():
    x = np.array([1.0, 2.0])

    def mutating(arr, *, weights):
        weights[:] = 0
        return arr * 2

    cases = [Case("first", (x,), {"weights": x}), Case("again", (x,), {"weights": x})]
    assert run_cases(mutating, lambda arr, *, weights: 2 * arr, cases, name="f").passed
    np.testing.assert_array_equal(x, [1.0, 2.0])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"rtol": -1.0}, "rtol must be >= 0"), ({"atol": "small"}, "atol must be a real")],
)
def test_tolerances_are_validated(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        run_cases(reference, reference, CASES, name="f", **kwargs)


def test_reference_must_be_callable():
    with pytest.raises(TypeError, match=r"reference must be callable \(a function\)"):
        run_cases(reference, None, CASES, name="f")


def test_every_public_checker_is_named_check_something():
    from dlsip import check

    checkers = [
        n for n in check.__all__ if n not in ("Case", "CheckReport", "run_cases")
    ]
    assert checkers and all(n.startswith("check_") for n in checkers)
    assert not hasattr(check, "correlate2d")  # no lone alias
