"""The fuzz engine: find dlsip's public callables, call them safely, judge the error.

A call runs under a time limit and a memory cap, so that an absurd size that slips
through is a finding (a Hang or a MemoryError), not a stuck or swapping machine.
``kinds`` derives the invalid calls.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import importlib.util
import inspect
import re
import signal
import sys
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

import dlsip

#: Public modules that the lead adds to ``dlsip._SUBMODULES`` once they exist.
EXTRA_MODULES = ("metrics", "signals", "timing")

#: How long one call may take before it counts as a hang (a finding). Valid calls take
#: well under a second (matplotlib's animation player, the slowest, about 0.9 s when
#: nothing is loaded yet), so 5 s leaves room for a busy machine.
CALL_TIMEOUT = 5.0

#: How much more memory (address space) one call may take: an absurd size that slips
#: through gets a MemoryError (a finding) instead of the machine's memory.
CALL_MEMORY = 2 << 30


# ---- discovery ----


def public_module_names() -> list[str]:
    """``dlsip._SUBMODULES``, plus the extra modules that exist already."""
    names = list(dlsip._SUBMODULES)
    for name in EXTRA_MODULES:
        if name not in names and importlib.util.find_spec(f"dlsip.{name}") is not None:
            names.append(name)
    return names


def is_record(obj) -> bool:
    """Exception classes and plain data records, which the fuzz does not call.

    A record is a NamedTuple, a dataclass, or a subclass of a built-in container (a
    table of rows): it stores what it is given and validates nothing by design.
    """
    if not inspect.isclass(obj):
        return False
    return (
        issubclass(obj, BaseException)
        or dataclasses.is_dataclass(obj)
        or issubclass(obj, (tuple, list, dict))
    )


def _defined_in_dlsip(obj) -> bool:
    module = getattr(obj, "__module__", "") or ""
    parts = module.split(".")
    # dlsip.<public module>[...]; private modules (dlsip._validation) are not API
    return parts[0] == "dlsip" and len(parts) > 1 and not parts[1].startswith("_")


#: Public modules that failed to import during discovery (a test says so).
IMPORT_ERRORS: dict[str, str] = {}


def public_callables() -> dict[str, Callable]:
    """``"module.name" -> callable`` for every public function and class of dlsip.

    The names come from each public module's ``__all__`` (its public names when it has
    none); a callable exported by two modules is listed once, under the first.
    """
    found: dict[str, Callable] = {}
    seen: set[int] = set()
    for module_name in public_module_names():
        try:
            module = importlib.import_module(f"dlsip.{module_name}")
        except Exception as exc:  # reported by a test, not as a collection error
            IMPORT_ERRORS[module_name] = f"{type(exc).__name__}: {exc}"
            continue
        names = getattr(module, "__all__", None)
        if names is None:
            names = [n for n in vars(module) if not n.startswith("_")]
        for name in names:
            obj = getattr(module, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if not _defined_in_dlsip(obj) or is_record(obj) or id(obj) in seen:
                continue
            seen.add(id(obj))
            found[f"{module_name}.{name}"] = obj
    return found


# ---- calling ----


def is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def is_torch(v) -> bool:
    return type(v).__module__.startswith("torch") and hasattr(v, "dim")


def is_module(v) -> bool:
    if type(v).__module__.startswith("torch"):
        import torch

        return isinstance(v, torch.nn.Module)
    from dlsip import layers

    return isinstance(v, getattr(layers, "Module", ()))


class Hang(BaseException):
    """A call ran past CALL_TIMEOUT.

    A BaseException, so that the ``except Exception`` of the code under test misses it.
    """


@contextlib.contextmanager
def time_limit(seconds: float = CALL_TIMEOUT):
    """Raise :class:`Hang` in the code run inside after ``seconds`` (where the platform
    has SIGALRM: not on Windows, where a hang then stays a hang)."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return
    armed = [True]

    def on_alarm(signum, frame):
        if armed[0]:
            raise Hang(f"no answer after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    # then again every 0.05 s: a Hang raised inside a __del__ or a weakref callback is
    # ignored by Python (see call), and the call would go on
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _address_space() -> int | None:
    """The process's virtual memory size in bytes (Linux), or None."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


@contextlib.contextmanager
def memory_limit(extra: int = CALL_MEMORY):
    """Cap the process's address space at its current size plus ``extra`` bytes (on
    Linux; elsewhere no cap: the absurd sizes then meet the machine's own limits)."""
    size = _address_space()
    try:
        import resource
    except ImportError:
        size = None
    if size is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = size + extra
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def invoke(func: Callable, kwargs: Mapping[str, Any]):
    """Call ``func`` with ``kwargs``, by position where the signature needs it."""
    params = list(inspect.signature(func).parameters.values())
    var_pos = [i for i, p in enumerate(params) if p.kind is p.VAR_POSITIONAL]
    args, kw = [], {}
    for i, p in enumerate(params):
        if p.name not in kwargs:
            continue
        value = kwargs[p.name]
        if p.kind is p.VAR_POSITIONAL:
            args.extend(value)
        elif p.kind is p.VAR_KEYWORD:
            kw.update(value)
        elif p.kind is p.POSITIONAL_ONLY or (var_pos and i < var_pos[0]):
            args.append(value)
        else:
            kw[p.name] = value
    unknown = set(kwargs) - {p.name for p in params}
    if unknown:
        raise AssertionError(f"the registry passes unknown arguments {sorted(unknown)}")
    return func(*args, **kw)


def call(func: Callable, kwargs: Mapping[str, Any]):
    """``(result, None)`` when the call returns, ``(None, exception)`` if it raises."""
    import matplotlib.pyplot as plt

    hook = sys.unraisablehook
    # exceptions that Python ignores (a Hang inside a weakref callback) are dropped, not
    # kept with their frames for pytest to report
    sys.unraisablehook = lambda unraisable: None
    try:
        with memory_limit(), time_limit():
            return invoke(func, kwargs), None
    except (Exception, Hang) as exc:  # MemoryError is an Exception too
        return None, exc.with_traceback(None)  # the frames may hold huge objects
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)  # whatever interrupted the cleanup
        sys.unraisablehook = hook
        plt.close("all")


def short_repr(value) -> str:
    """Arrays and tensors by type, shape and dtype; anything else by a short repr."""
    if isinstance(value, np.ndarray) or is_torch(value):
        return f"{type(value).__name__}{tuple(value.shape)} {value.dtype}"
    if isinstance(value, tuple):
        return "(" + ", ".join(short_repr(v) for v in value) + ")"
    if is_module(value):
        return f"{type(value).__name__}(...)"
    text = " ".join(repr(value).split())
    return text if len(text) <= 60 else text[:57] + "..."


def names_argument(message: str, name: str) -> bool:
    """Whether an error message names the argument ``name`` (as a word, not "3 x 3")."""
    for m in re.finditer(rf"(?<![\w.]){re.escape(name)}(?!\w)", message):
        before, after = message[: m.start()], message[m.end() :]
        if (
            len(name) == 1
            and re.search(r"\d\s*$", before)
            and re.match(r"\s*\d", after)
        ):
            continue  # "3 x 3" is a size, not the argument x
        return True
    return False


def verdict(exc: BaseException | None, names: tuple[str, ...]) -> str | None:
    """None when ``exc`` is the wanted rejection, else what happened instead."""
    if exc is None:
        return "no error at all"
    what = f"{type(exc).__name__}: {str(exc)[:300]}"
    if not isinstance(exc, (ValueError, TypeError)):
        return what
    if not any(names_argument(str(exc), n) for n in names):
        return f"{what}  (does not name {' or '.join(names)})"
    return None
