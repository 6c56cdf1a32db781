"""Shared input checks. Every public function validates its input through these helpers,
so that error messages have one form: the argument's name, its value, what was expected.

>>> check_positive_int(0, "stride")
Traceback (most recent call last):
...
ValueError: stride must be a positive integer, got stride=0
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # annotations only: importing dlsip does not import torch
    import torch

#: The most values an array that a public function allocates may hold: 2**28, that is
#: 2 GiB of float64, beyond anything the course needs and far below an absurd size.
MAX_VALUES = 1 << 28


def _show(value) -> str:
    """A short repr for error messages (arrays by shape and dtype, not by content)."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_int(value, name: str, *, minimum: int | None = None) -> int:
    """Return ``value`` as an int, or raise ``TypeError``/``ValueError`` naming
    ``name``."""
    if not _is_int(value):
        raise TypeError(f"{name} must be an integer, got {name}={_show(value)}")
    if minimum is not None and value < minimum:
        if minimum == 1:
            what = "a positive integer"
        elif minimum == 0:
            what = "a non-negative integer"
        else:
            what = f"an integer >= {minimum}"
        raise ValueError(f"{name} must be {what}, got {name}={_show(value)}")
    return int(value)


def check_positive_int(value, name: str) -> int:
    """An integer >= 1 (strides, dilations, kernel sizes)."""
    if _is_int(value) and value < 1:
        raise ValueError(f"{name} must be a positive integer, got {name}={value}")
    return check_int(value, name, minimum=1)


def check_nonneg_int(value, name: str) -> int:
    """An integer >= 0 (paddings)."""
    return check_int(value, name, minimum=0)


def check_pair(value, name: str, *, minimum: int = 1) -> tuple[int, int]:
    """An int or a pair of ints, returned as a pair (torch's ``_pair`` with checks)."""
    if _is_int(value):  # one number: the singular message ("a positive integer")
        value = check_int(value, name, minimum=minimum)
        return value, value
    if isinstance(value, (tuple, list)) and len(value) == 2:
        values = tuple(value)
    else:
        raise TypeError(
            f"{name} must be an integer or a pair of integers, "
            f"got {name}={_show(value)}"
        )
    for v in values:
        if not _is_int(v):
            raise TypeError(
                f"{name} must be an integer or a pair of integers, "
                f"got {name}={_show(value)}"
            )
        if v < minimum:
            bound = "positive integers" if minimum == 1 else f"integers >= {minimum}"
            raise ValueError(f"{name} must be {bound}, got {name}={_show(value)}")
    return int(values[0]), int(values[1])


def check_choice(value, name: str, choices: Iterable[str]) -> str:
    """One of a fixed set of words (modes, paddings, statistics)."""
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        raise ValueError(
            f"{name} must be one of {', '.join(map(repr, choices))}, "
            f"got {name}={_show(value)}"
        )
    return value


def check_float(
    value, name: str, *, minimum: float | None = None, strict: bool = False
) -> float:
    """A real number, optionally bounded below (``strict`` makes the bound
    exclusive)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a real number, got {name}={_show(value)}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {name}={value}")
    if minimum is not None and (value <= minimum if strict else value < minimum):
        bound = f"> {minimum}" if strict else f">= {minimum}"
        raise ValueError(f"{name} must be {bound}, got {name}={value}")
    return value


def check_range(low, high, names: tuple[str, str]) -> tuple[float | None, float | None]:
    """The two ends of an interval (a colour range, the values of noise): each None
    (the caller's default) or a finite number, and ``low <= high`` when both are
    given. ``names`` are the two arguments' names, for the messages."""
    low_name, high_name = names
    low = None if low is None else check_float(low, low_name)
    high = None if high is None else check_float(high, high_name)
    if low is not None and high is not None and low > high:
        raise ValueError(
            f"{low_name} must be <= {high_name}, got {low_name}={low} and "
            f"{high_name}={high}"
        )
    return low, high


def check_array(
    x,
    name: str,
    *,
    ndim: int | tuple[int, ...] | None = None,
    numeric: bool = True,
    allow_empty: bool = False,
    allow_bool: bool = True,
) -> np.ndarray:
    """Convert ``x`` to an ndarray and check its dimensionality and dtype.

    Raises ``TypeError`` for non-numeric data and ``ValueError`` for a wrong number of
    dimensions or an empty array, each naming ``name``.
    """
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be an array of numbers, got {name}={_show(x)}")
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(
            f"{name} must be an array of numbers, got {name}={_show(x)}"
        ) from exc
    if numeric:
        kind = arr.dtype.kind
        if kind not in "biuf" or (kind == "b" and not allow_bool):
            raise TypeError(
                f"{name} must have a real numeric dtype, got {name}.dtype={arr.dtype}"
            )
    if ndim is not None:
        wanted = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in wanted:
            expected = " or ".join(f"{d}D" for d in wanted)
            raise ValueError(
                f"{name} must be {expected}, "
                f"got {name} with shape {arr.shape} ({arr.ndim}D)"
            )
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} must not be empty, got {name} with shape {arr.shape}")
    return arr


def check_image(image, name: str = "image") -> np.ndarray:
    """A non-empty 2D numeric array (one greyscale image)."""
    return check_array(image, name, ndim=2)


def check_bool(value, name: str) -> bool:
    """``True`` or ``False`` (NumPy's ``np.bool_`` too); not 0, 1 or a string."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {name}={_show(value)}")
    return bool(value)


def check_callable(value, name: str):
    """A function (anything callable), returned unchanged."""
    if not callable(value):
        raise TypeError(
            f"{name} must be callable (a function), got {name}={_show(value)}"
        )
    return value


def check_instance(value, name: str, types: type | tuple[type, ...], what: str):
    """An instance of ``types``, returned unchanged; ``what`` says what was expected."""
    if not isinstance(value, types):
        raise TypeError(f"{name} must be {what}, got {name}={_show(value)}")
    return value


def check_module(value, name: str):
    """A ``torch.nn.Module``, returned unchanged (without importing torch when it is not
    loaded: then ``value`` cannot be a module)."""
    torch = sys.modules.get("torch")
    if torch is None or not isinstance(value, torch.nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module, got {name}={_show(value)}")
    return value


def check_tensor(
    x, name: str, *, layout: str | None = None, floating: bool = False
) -> torch.Tensor:
    """A non-empty torch.Tensor (floating-point with ``floating``) whose axes are
    ``layout`` when given: ``"(N, C, H, W)"`` (exactly these) or ``"(N, ...)"`` (at
    least a batch axis). The twin of ``check_array`` for tensors, which it does not
    convert (without importing torch when it is not loaded: then ``x`` cannot be a
    tensor)."""
    torch = sys.modules.get("torch")
    if (
        torch is None
        or not isinstance(x, torch.Tensor)
        or (floating and not x.is_floating_point())
    ):
        what = "a floating-point torch.Tensor" if floating else "a torch.Tensor"
        raise TypeError(f"{name} must be {what}, got {name}={_show(x)}")
    if layout is not None:
        axes = layout.strip("()").split(", ")
        exact = axes[-1] != "..."
        fits = x.ndim == len(axes) if exact else x.ndim >= len(axes) - 1
        if not fits:
            wanted = f"{len(axes)}D" if exact else f"at least {len(axes) - 1}D"
            raise ValueError(
                f"{name} must be {wanted} {layout}, got {name} with shape "
                f"{tuple(x.shape)}"
            )
    if x.numel() == 0:
        raise ValueError(
            f"{name} must not be empty, got {name} with shape {tuple(x.shape)}"
        )
    return x


def check_rng(rng, name: str = "rng") -> np.random.Generator:
    """A NumPy random Generator from ``rng``: a Generator (used as is), a non-negative
    integer seed, or None (fresh entropy)."""
    if rng is None or isinstance(rng, np.random.Generator):
        return np.random.default_rng(rng)
    if _is_int(rng):
        return np.random.default_rng(check_nonneg_int(rng, name))
    raise TypeError(
        f"{name} must be a numpy.random.Generator, an integer seed or None, "
        f"got {name}={_show(rng)}"
    )


def check_allocation(
    shape: Iterable[int],
    arguments: str,
    *,
    what: str = "an array",
    limit: int = MAX_VALUES,
) -> None:
    """Refuse, before allocating, an array of ``shape`` with more than ``limit`` values.

    ``arguments`` names the arguments that set the shape, with their values (e.g.
    ``"n=10 and size=100000"``); ``what`` says what the array is. The product is taken
    over Python integers, so an absurd size cannot overflow into a small one.
    """
    shape = tuple(int(s) for s in shape)
    total = math.prod(shape)
    if total > limit:
        raise ValueError(
            f"{arguments} would make {what} of shape {shape}, with {total:,} values: "
            f"more than the {limit:,} that dlsip allocates"
        )


def check_same_shape(a: np.ndarray, name_a: str, b: np.ndarray, name_b: str) -> None:
    """Two arrays that must have the same shape (a reference and its estimate)."""
    if np.shape(a) != np.shape(b):
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, got {name_a} with shape "
            f"{np.shape(a)} and {name_b} with shape {np.shape(b)}"
        )
