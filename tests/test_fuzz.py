"""A property-based fuzz of dlsip's public API, tried as a careful user would.

The public callables come from the package (``dlsip._SUBMODULES`` and each module's
``__all__``), so a new function fails ``test_every_public_callable_has_a_valid_call``
until ``tests/fuzz/valid*.py`` holds a valid call for it. From each valid call
``tests/fuzz/kinds.py`` derives invalid calls, one argument at a time, by the kind of
the argument's valid value; hypothesis draws the bad value within each kind. Every
invalid call must raise ``ValueError`` or ``TypeError`` naming the argument; the few
that are genuinely valid input are in ``ALLOWED`` (``tests/fuzz/valid.py``), each with
its reason.
The self-checks (``dlsip.check.check_*``) get bad *student answers* instead: each must
make the report fail with a message, never crash.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fnmatch
import typing
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tests.fuzz import engine, kinds
from tests.fuzz.valid import ALLOWED, VALID, specs
from tests.fuzz.valid_numpy import student_for

CALLABLES = engine.public_callables()
VARIANTS = [
    (key, i)
    for key in sorted(set(CALLABLES) & set(VALID))
    for i in range(len(specs(key)))
]
CASES = [
    case
    for key, i in VARIANTS
    for case in kinds.derive_cases(key, CALLABLES[key], specs(key)[i], i)
]


def allowed(case) -> str | None:
    """Why ``case`` is genuinely valid input, or None."""
    for pattern, why in ALLOWED.items():
        if fnmatch.fnmatchcase(str(case), pattern):
            return why
    return None


REJECTED = [c for c in CASES if allowed(c) is None]
ACCEPTED = [c for c in CASES if allowed(c) is not None]
SELF_CHECKS = sorted(k for k in CALLABLES if k.startswith("check.check_"))

FUZZ = settings(
    max_examples=3,
    deadline=None,
    database=None,
    phases=(Phase.generate,),  # no shrinking or explaining: the bad values are small
    report_multiple_bugs=False,
    suppress_health_check=list(HealthCheck),
)


def fuzz(case, check):
    """Run ``check(kwargs, exc)`` on calls with invalid kwargs drawn for ``case``.

    The hypothesis test is made afresh for each case: one ``@given`` function shared
    by thousands of parametrized cases grows hypothesis's chain of settings by one per
    failure, until the chain overflows the stack (hypothesis 6.170).
    """

    @seed(zlib.crc32(str(case).encode()))  # the same draws on every run
    @settings(FUZZ, max_examples=max(FUZZ.max_examples, case.examples))
    @given(data=st.data())
    def run(data):
        with _context(case.spec):
            kwargs = data.draw(case.strategy(case.spec.make()), label="kwargs")
            _, exc = engine.call(CALLABLES[case.key], kwargs)
        check(kwargs, exc)

    run()


def _context(spec):
    return spec.context() if spec.context else contextlib.nullcontext()


def _short(kwargs: dict, names) -> str:
    return ", ".join(f"{n}={engine.short_repr(kwargs.get(n))}" for n in names)


# ---- the registry covers the package ----


def test_every_public_module_imports():
    assert not engine.IMPORT_ERRORS


def test_every_public_callable_has_a_valid_call():
    missing = sorted(set(CALLABLES) - set(VALID))
    assert not missing, (
        f"public callables without a valid call in tests/fuzz: {missing}"
    )


def test_the_registry_names_only_public_callables():
    stale = sorted(set(VALID) - set(CALLABLES))
    assert not stale, f"registry entries that are not public callables: {stale}"


def test_records_and_exceptions_are_left_out_by_rule():
    class Point(typing.NamedTuple):
        x: int

    @dataclasses.dataclass
    class Record:
        x: int

    class Table(list):
        pass

    for cls in (Point, Record, Table, ValueError):
        assert engine.is_record(cls)
    assert not engine.is_record(np.add) and not engine.is_record(contextlib.ExitStack)
    assert all(not engine.is_record(obj) for obj in CALLABLES.values())


def test_the_allow_list_names_existing_cases():
    names = [str(c) for c in CASES]
    stale = sorted(p for p in ALLOWED if not fnmatch.filter(names, p))
    assert not stale, f"allow-list entries that match no case: {stale}"


@pytest.mark.parametrize("key,variant", VARIANTS, ids=[f"{k}#{i}" for k, i in VARIANTS])
def test_valid_call_succeeds(key, variant):
    spec = specs(key)[variant]
    with _context(spec):
        kwargs = spec.make()
        result, exc = engine.call(CALLABLES[key], kwargs)
    assert exc is None, f"the valid call of {key} failed: {type(exc).__name__}: {exc}"


# ---- invalid calls ----


# The 2,434 invalid calls take about 35 s: they run in `make test`, not in the quick
# loop of `make test-fast` (the registry checks and the valid calls above do).
@pytest.mark.slow
@pytest.mark.parametrize("case", REJECTED, ids=str)
def test_invalid_call_is_rejected_naming_the_argument(case):
    def check(kwargs, exc):
        why = engine.verdict(exc, case.names + case.spec.also_names)
        assert why is None, f"FINDING {case}: {_short(kwargs, case.names)} -> {why}"

    fuzz(case, check)


@pytest.mark.slow
@pytest.mark.parametrize("case", ACCEPTED, ids=str)
def test_allowed_perturbation_succeeds_or_is_rejected_naming_the_argument(case):
    # Allowed: the call may succeed. When the drawn value is invalid after all (an axis
    # added in the middle rather than in front), the usual rejection is still required.
    def check(kwargs, exc):
        if exc is not None:
            why = engine.verdict(exc, case.names + case.spec.also_names)
            assert why is None, f"FINDING {case}: {_short(kwargs, case.names)} -> {why}"

    fuzz(case, check)


# ---- the self-checks: a bad student answer fails the report, never crashes it ----


def _map_results(result, f):
    if isinstance(result, tuple):
        return tuple(_map_results(r, f) for r in result)
    return f(result)


def _all_nan(r):
    return np.full(np.shape(r), np.nan)


def _one_nan(r):
    a = np.array(r, dtype=float)
    a.flat[0] = np.nan
    return a


def _inf(r):
    return np.full(np.shape(r), np.inf)


def _extra_axis(r):
    return np.asarray(r)[None].repeat(2, axis=0)


def _shorter(r):
    return r[:-1] if isinstance(r, tuple) else [r, r]


def _raise(*args, **kwargs):
    raise RuntimeError("the student's bug")


BAD_STUDENTS = {
    "raises": lambda good: _raise,
    "returns_none": lambda good: lambda *a, **k: None,
    "returns_a_string": lambda good: lambda *a, **k: "answer",
    "returns_nan": lambda good: lambda *a, **k: float("nan"),
    "returns_all_nan": lambda good: (
        lambda *a, **k: _map_results(good(*a, **k), _all_nan)
    ),
    "returns_one_nan": lambda good: (
        lambda *a, **k: _map_results(good(*a, **k), _one_nan)
    ),
    "returns_inf": lambda good: lambda *a, **k: _map_results(good(*a, **k), _inf),
    "returns_wrong_shape": lambda good: (
        lambda *a, **k: _map_results(good(*a, **k), _extra_axis)
    ),
    "returns_too_few_results": lambda good: lambda *a, **k: _shorter(good(*a, **k)),
}


@pytest.mark.parametrize("key", SELF_CHECKS)
def test_self_check_passes_the_correct_answer(key):
    report = CALLABLES[key](student_for(key))
    assert report.passed, str(report)


@pytest.mark.parametrize("how", sorted(BAD_STUDENTS))
@pytest.mark.parametrize("key", SELF_CHECKS)
def test_self_check_fails_a_bad_answer_without_crashing(key, how):
    student = BAD_STUDENTS[how](student_for(key))
    try:
        with engine.time_limit():
            report = CALLABLES[key](student)
            text = str(report)
    except (Exception, engine.Hang) as exc:
        pytest.fail(f"FINDING {key}-student-{how}: the self-check crashed: {exc!r}")
    assert report.passed is False, f"FINDING {key}-student-{how}: the report passed"
    assert report.failures and all(
        isinstance(why, str) and why for _, why in report.failures
    ), f"FINDING {key}-student-{how}: failures without a message: {report.failures}"
    assert "failed" in text
