"""dlsip.timing: best_time under a fake clock: no dependence on the machine."""

from __future__ import annotations

import pytest

from dlsip import timing
from dlsip.timing import best_time


class FakeClock:
    """perf_counter that advances only when the timed function says how long it took."""

    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_best_time_is_the_minimum_of_the_runs(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(timing.time, "perf_counter", clock)
    durations = iter([0.5, 0.2, 0.9, 0.3])
    calls = []

    def fn():
        calls.append(1)
        clock.now += next(durations)

    assert best_time(fn, repeat=4) == pytest.approx(0.2)
    assert len(calls) == 4


def test_default_repeat_is_five(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(timing.time, "perf_counter", clock)
    durations = iter(
        [5.0, 4.0, 3.0, 2.0, 1.0, 0.01]
    )  # a sixth run would be the fastest

    def fn():
        clock.now += next(durations)

    assert best_time(fn) == pytest.approx(1.0)


def test_one_run_returns_its_time(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(timing.time, "perf_counter", clock)

    def fn():
        clock.now += 0.25

    assert best_time(fn, repeat=1) == pytest.approx(0.25)


def test_the_function_is_timed_not_its_result():
    assert isinstance(best_time(lambda: "a result", repeat=2), float)


@pytest.mark.parametrize(
    ("fn", "kwargs", "error", "match"),
    [
        ("not callable", {}, TypeError, "fn must be a function"),
        (lambda: None, {"repeat": 0}, ValueError, "repeat must be a positive integer"),
        (lambda: None, {"repeat": 2.0}, TypeError, "repeat must be an integer"),
        (lambda: None, {"repeat": True}, TypeError, "repeat must be an integer"),
    ],
)
def test_errors(fn, kwargs, error, match):
    with pytest.raises(error, match=match):
        best_time(fn, **kwargs)


def test_repeat_is_keyword_only():
    with pytest.raises(TypeError):
        best_time(lambda: None, 3)
