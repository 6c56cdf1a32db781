"""Invalid calls derived from a valid one, by the kind of each argument's value.

An invalid call changes ONE argument of a valid call. What it changes depends on the
*kind* of the argument's valid value (an array, a size, a pair, a real number, a mode,
a flag, a function, a model, a random generator, a cache), and hypothesis draws the bad
value within each kind. Arguments that must agree (a convolution's input and weight
channels, a backward pass's ``dout`` and the forward output) are declared per function
as :class:`Mismatch` es.
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import string
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from hypothesis import strategies as st

from tests.fuzz.engine import is_int, is_module, is_torch

# ---- the registry's entries ----


@dataclasses.dataclass(frozen=True)
class Mismatch:
    """Arguments that must agree, and how to make them disagree (a list of new kwargs).

    Also used, with another ``label``, for invalid values that no kind covers (a label
    out of range, a layer list with a bad entry); the error must name one of ``names``.
    """

    names: tuple[str, ...]
    variants: Callable[[dict], list[dict]]
    label: str = "mismatch"


@dataclasses.dataclass(frozen=True)
class Spec:
    """One valid call of a public callable and what the fuzz must know about it.

    make : returns fresh keyword arguments of a successful call.
    kinds : per-argument override of the kinds inferred from the valid value
        (``()``: not fuzzed, e.g. a title).
    mismatch : arguments that must agree.
    bounds : per-argument override of the bound tables below.
    pure : computes numbers and allocates nothing, so absurd sizes are valid input.
    context : a context manager factory the calls run in (e.g. fake MNIST files).
    also_names : arguments that every other argument must agree with, so that an error
        naming them is fine for any perturbation (col2im's ``cols`` and its geometry).
    """

    make: Callable[[], dict]
    kinds: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    mismatch: tuple[Mismatch, ...] = ()
    bounds: Mapping[str, tuple] = dataclasses.field(default_factory=dict)
    pure: bool = False
    context: Callable[[], contextlib.AbstractContextManager] | None = None
    also_names: tuple[str, ...] = ()


# ---- array helpers for mismatches ----


def resized(a, axis: int, delta: int):
    """``a`` with ``delta`` more (or fewer) entries along ``axis``."""
    is_torch = type(a).__module__.startswith("torch")
    arr = a.detach().numpy() if is_torch else np.asarray(a)
    n = arr.shape[axis]
    if delta > 0:
        extra = np.take(arr, [n - 1] * delta, axis=axis)
        out = np.concatenate([arr, extra], axis=axis)
    else:
        out = np.take(arr, range(n + delta), axis=axis)
    if is_torch:
        import torch

        return torch.from_numpy(np.ascontiguousarray(out))
    return out


def axis_variants(kw: dict, name: str, axes=None) -> list[dict]:
    """kwargs with ``kw[name]`` one longer, and one shorter, along each axis."""
    a = kw[name]
    out = []
    for axis in range(np.ndim(a)) if axes is None else axes:
        out.append({**kw, name: resized(a, axis, +1)})
        if np.shape(a)[axis] >= 2:
            out.append({**kw, name: resized(a, axis, -1)})
    return out


def bad(name: str, *values, label: str = "bad_value") -> Mismatch:
    """Invalid values of one argument that no kind covers."""
    return Mismatch((name,), lambda kw: [{**kw, name: v} for v in values], label)


def mismatch(*names: str, axes=None, change: str | None = None) -> Mismatch:
    """The common mismatch: ``change`` (default: the last name) one longer or shorter
    along ``axes`` (default: every axis)."""
    target = change or names[-1]
    return Mismatch(names, lambda kw: axis_variants(kw, target, axes))


# ---- bound tables ----

#: The smallest valid integer by argument name; the default is 1 (a size, a count, a
#: stride: zero or a negative number means nothing). None: any integer is valid.
INT_MINIMUM: dict[str, int | None] = {
    "padding": 0,  # no padding is the 'valid' convolution
    "output_padding": 0,  # the usual transposed convolution
    "seed": 0,  # numpy's seeds are non-negative
    "pad_width": 0,  # no padding
    "dx": None,  # a shift in either direction
    "dy": None,
}

#: Arguments whose size drives an allocation: 10**12 must be rejected before allocating.
ALLOCATING = {
    "size",
    "n",
    "num_taps",
    "channels",
    "in_channels",
    "out_channels",
    "in_features",
    "out_features",
    "num_features",
    "kernel_size",
    "padding",
    "output_padding",
    "dilation",
    "steps",
    "n_patches",
    "patch_size",
    "length",
    "r",
    "scale",
    "num_classes",
    "input_size",
    "input_shape",
    "output_size",
    "ndim",
    "pad_width",
}

#: Integer arguments that may also be a pair (height, width).
PAIR_NAMES = {
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "output_padding",
    "size",
    "pad_width",
}

#: Real arguments: (minimum, strict, maximum). Absent names: any finite real.
FLOAT_BOUNDS: dict[str, tuple[float | None, bool, float | None]] = {
    "sigma": (0.0, False, None),  # a width; 0 is the identity, as in scipy
    "truncate": (0.0, True, None),
    "lr": (0.0, True, None),  # a step size
    "eps": (0.0, False, None),  # eps = 0 is the textbook formula
    "momentum": (0.0, False, 1.0),
    "weight_decay": (0.0, False, None),
    "std": (0.0, True, None),
    "noise": (0.0, False, None),
    "frequency": (0.0, True, None),
    "bandwidth": (0.0, True, None),
    "n_stds": (0.0, True, None),
    "data_range": (0.0, True, None),
    "h": (0.0, True, None),
    "rtol": (0.0, False, None),
    "atol": (0.0, False, None),
    "tol": (0.0, False, None),
}

#: Real arguments whose extreme values drive an allocation (4 sigma + 1 taps).
FLOAT_ABSURD = {
    "sigma": 1e12,
    "sigma_x": 1e12,
    "sigma_y": 1e12,
    "truncate": 1e12,
    "n_stds": 1e12,
    "frequency": 1e-12,
    "bandwidth": 1e-12,
}

#: Arguments that are free text (titles, labels, formats): not fuzzed.
TEXT_NAMES = {
    "title",
    "suptitle",
    "xlabel",
    "ylabel",
    "label",
    "fmt",
    "name",
    "description",
    "highlight_color",
    "expected",
}

#: Arguments that are file system paths.
PATH_NAMES = {"root", "path"}


# ---- kinds: what a valid value is, and the invalid values of its kind ----


def infer_kinds(name: str, value, spec: Spec) -> tuple[str, ...]:
    """The kinds of argument ``name``, from its valid value or ``spec.kinds``."""
    if name in spec.kinds:
        return spec.kinds[name]
    if name in TEXT_NAMES or value is None:
        return ()
    if name == "cache":
        return ("cache",)
    if name == "dtype":
        return ("dtype",)
    if name == "axis":
        return ("axis",)
    if name in PATH_NAMES:
        return ("path",)
    if isinstance(value, (bool, np.bool_)):
        return ("bool",)
    if is_int(value):
        return ("int", "pair") if name in PAIR_NAMES else ("int",)
    if isinstance(value, float):
        return ("float",)
    if isinstance(value, str):
        return ("choice",)
    if isinstance(value, tuple) and len(value) == 2 and all(map(is_int, value)):
        return ("pair",)
    if isinstance(value, np.ndarray) or is_torch(value):
        return ("array",)
    if isinstance(value, np.random.Generator):
        return ("rng",)
    if is_module(value):
        return ("module",)
    if callable(value):
        return ("callable",)
    if isinstance(value, list):
        try:
            if np.asarray(value).dtype.kind in "biuf":
                return ("array",)
        except ValueError:
            pass
    return ()


def _int_minimum(spec: Spec, name: str):
    if name in spec.bounds:
        return spec.bounds[name][0]
    return INT_MINIMUM.get(name, 1)


def _float_bounds(spec: Spec, name: str):
    if name in spec.bounds:
        return spec.bounds[name]
    return FLOAT_BOUNDS.get(name, (None, False, None))


def _non_numeric(value):
    shape = np.shape(value)
    if is_torch(value):
        import torch

        return st.sampled_from(
            [value.to(torch.complex64), np.full(shape, "a"), np.full(shape, None)]
        )
    arr = np.asarray(value)
    return st.sampled_from(
        [np.full(shape, "a"), arr.astype(complex) + 1j, np.full(shape, None, object)]
    )


def _one_more_axis(value):
    ndim = np.ndim(value)

    def add(position):
        if is_torch(value):
            return value.unsqueeze(position)
        return np.expand_dims(np.asarray(value), position)

    return st.integers(0, ndim).map(add)


def _one_fewer_axis(value):
    ndim = np.ndim(value)

    def drop(axis):
        if is_torch(value):
            return value.select(axis, 0)
        return np.take(np.asarray(value), 0, axis=axis)

    return st.integers(0, ndim - 1).map(drop)


def _empty(value):
    def empty(axis):
        if is_torch(value):
            return value.narrow(axis, 0, 0)
        return np.take(np.asarray(value), [], axis=axis)

    return st.integers(0, np.ndim(value) - 1).map(empty)


_RAGGED = [[1.0, 2.0], [3.0]]
_WORDS = st.text(string.ascii_lowercase, min_size=1, max_size=6).map(
    lambda s: f"no_{s}"
)


def perturbations(name: str, kind: str, value, default, spec: Spec) -> dict:
    """``label -> (strategy of bad values, examples)`` for argument ``name`` of kind
    ``kind``; ``examples`` is how many draws it takes to see every fixed bad value."""
    out, examples = {}, {}
    if kind == "array":
        fixed = ["not an array", "", _RAGGED]
        if default is not None:  # None is valid where it is the default
            fixed.append(None)
        out["type"] = st.sampled_from(fixed)
        examples["type"] = len(fixed)
        out["ndim+1"] = _one_more_axis(value)
        examples["ndim+1"] = np.ndim(value) + 1
        if np.ndim(value) >= 1:
            out["ndim-1"] = _one_fewer_axis(value)
            out["empty"] = _empty(value)
            examples["ndim-1"] = examples["empty"] = np.ndim(value)
        out["dtype"] = _non_numeric(value)
    elif kind == "int":
        out["bool"] = st.booleans()
        out["float"] = st.floats(0.5, 64.0)
        minimum = _int_minimum(spec, name)
        if minimum is not None:
            out["too_small"] = st.integers(max_value=minimum - 1)
        if name in ALLOCATING and not spec.pure:
            out["absurd"] = st.integers(10**12, 10**15)
    elif kind == "pair":
        minimum = _int_minimum(spec, name)
        a, b = (value, value) if is_int(value) else tuple(value)
        out["pair_length"] = st.sampled_from([(a,), (a, b, b), ()])
        if minimum is not None:
            low = st.integers(max_value=minimum - 1)
            out["pair_too_small"] = st.one_of(
                low.map(lambda v: (v, b)), low.map(lambda v: (a, v))
            )
        out["pair_float"] = st.floats(0.5, 8.0).map(lambda f: (a, f))
        if name in ALLOCATING and not spec.pure:
            out["pair_absurd"] = st.integers(10**12, 10**15).map(lambda v: (a, v))
    elif kind == "float":
        out["nonfinite"] = st.sampled_from([float("nan"), float("inf"), -float("inf")])
        out["string"] = st.text(max_size=4)
        low, strict, high = _float_bounds(spec, name)
        if low is not None:
            out["too_small"] = st.floats(
                max_value=low,
                exclude_max=not strict,
                allow_nan=False,
                allow_infinity=False,
            )
        if name in FLOAT_ABSURD and not spec.pure:
            out["absurd"] = st.just(FLOAT_ABSURD[name])
        if high is not None:
            out["too_large"] = st.floats(
                min_value=high, exclude_min=True, allow_nan=False, allow_infinity=False
            )
    elif kind == "choice":
        out["unknown"] = _WORDS
        out["number"] = st.integers(-3, 3)
    elif kind == "word":  # a word among other valid forms (padding="same" or 1)
        out["unknown"] = _WORDS
    elif kind == "bool":
        out["string"] = st.sampled_from(["yes", "no", "False", ""])
        examples["string"] = 4
        out["int"] = st.integers(-2, 3)
    elif kind == "rng":
        out["string"] = st.sampled_from(["seed", 1.5, [1.5]])
    elif kind == "path":
        # not a small non-negative integer: open() takes it for a file descriptor and
        # would read, then close, one of the test run's own (see the findings)
        out["number"] = st.one_of(
            st.integers(max_value=-1), st.integers(min_value=10**6), st.floats()
        )
    elif kind == "cache":
        out["cache"] = st.one_of(
            st.sampled_from([None, 3, "cache", ()]), st.builds(foreign_cache)
        )
        examples["cache"] = 6
    elif kind in ("object", "module", "callable"):
        out["number"] = st.one_of(st.integers(), st.text(max_size=3))
    elif kind == "dtype":
        out["unknown"] = st.sampled_from(["no_such_type", np.complex128, str, 3])
        examples["unknown"] = 4
    elif kind == "axis":
        out["out_of_range"] = st.one_of(st.integers(2, 40), st.integers(-40, -3))
        out["bool"] = st.booleans()
        out["float"] = st.floats(0.0, 1.0)
    elif kind == "choice_seq":
        out["seq_unknown"] = _WORDS.map(lambda w: [w])
        out["seq_empty"] = st.just([])
        out["seq_type"] = st.one_of(st.integers(), st.none())
    elif kind == "int_seq":
        out["seq_empty"] = st.sampled_from([(), []])
        out["seq_too_small"] = st.integers(max_value=0).map(lambda b: (4, b))
        out["seq_float"] = st.floats(0.5, 8.0).map(lambda f: (4, f))
        out["seq_type"] = st.one_of(st.text(max_size=3), st.none())
    else:
        raise AssertionError(f"unknown kind {kind!r} for {name}")
    return {
        f"{kind}:{label}" if kind not in label else label: (s, examples.get(label, 3))
        for label, s in out.items()
    }


def foreign_cache():
    """A cache of another layer (a linear layer's), for the other backward passes."""
    from dlsip import layers

    return layers.linear_forward(np.ones((2, 3)), np.ones((4, 3)))[1]


def default_of(func: Callable, name: str):
    try:
        p = inspect.signature(func).parameters.get(name)
    except (TypeError, ValueError):
        return inspect.Parameter.empty
    return inspect.Parameter.empty if p is None else p.default


@dataclasses.dataclass(frozen=True)
class Case:
    """One family of invalid calls: ``key``'s ``names`` perturbed by ``label``."""

    key: str
    names: tuple[str, ...]
    label: str
    strategy: Callable[[dict], Any]  # valid kwargs -> strategy of invalid kwargs
    spec: Spec
    variant: int = 0  # which of the key's valid calls
    examples: int = 3  # enough draws to see every fixed bad value

    def __str__(self) -> str:
        key = self.key if not self.variant else f"{self.key}#{self.variant}"
        return f"{key}-{'/'.join(self.names)}-{self.label}"


def _replace(name, strategy):
    return lambda kw: strategy.map(lambda bad: {**kw, name: bad})


def derive_cases(key: str, func: Callable, spec: Spec, variant: int = 0) -> list[Case]:
    """Every invalid-call family of one callable, from one valid call."""
    try:
        with spec.context() if spec.context else contextlib.nullcontext():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # e.g. an animation never drawn
                kw = spec.make()
    except Exception:  # test_valid_call_succeeds reports it
        return []
    cases = []
    for name, value in kw.items():
        default = default_of(func, name)
        for kind in infer_kinds(name, value, spec):
            bad_values = perturbations(name, kind, value, default, spec)
            for label, (strategy, n) in bad_values.items():
                # built from the valid value once; each call gets fresh kwargs
                replace = _replace(name, strategy)
                cases.append(Case(key, (name,), label, replace, spec, variant, n))
    mismatches = list(spec.mismatch)
    if isinstance(kw.get("dout"), np.ndarray) and "cache" in kw:
        mismatches.append(mismatch("dout", "cache", change="dout"))
    for m in mismatches:
        variants = m.variants

        def strategy(kw, variants=variants):
            return st.sampled_from(variants(kw))

        n = len(m.variants(kw))
        cases.append(Case(key, m.names, m.label, strategy, spec, variant, n))
    return cases
