"""The shared input checks of dlsip/_validation.py: messages name the argument, its
value."""

from __future__ import annotations

import re

import numpy as np
import pytest

from dlsip import _validation as v


@pytest.mark.parametrize("value", [1, 7, np.int64(3)])
def test_positive_int_accepts(value):
    assert v.check_positive_int(value, "stride") == int(value)


@pytest.mark.parametrize(
    "value,exc,message",
    [
        (0, ValueError, "stride must be a positive integer, got stride=0"),
        (-2, ValueError, "stride must be a positive integer, got stride=-2"),
        (1.5, TypeError, "stride must be an integer, got stride=1.5"),
        (True, TypeError, "stride must be an integer, got stride=True"),
        ("2", TypeError, "stride must be an integer, got stride='2'"),
    ],
)
def test_positive_int_rejects(value, exc, message):
    with pytest.raises(exc, match=message):
        v.check_positive_int(value, "stride")


def test_nonneg_int():
    assert v.check_nonneg_int(0, "padding") == 0
    with pytest.raises(
        ValueError, match="padding must be a non-negative integer, got padding=-1"
    ):
        v.check_nonneg_int(-1, "padding")


@pytest.mark.parametrize(
    "value,expected", [(3, (3, 3)), ((2, 5), (2, 5)), ([1, 4], (1, 4))]
)
def test_pair(value, expected):
    assert v.check_pair(value, "kernel_size") == expected


@pytest.mark.parametrize(
    "value,exc,message",
    [
        (
            (3, 0),
            ValueError,
            r"kernel_size must be positive integers, got kernel_size=\(3, 0\)",
        ),
        ((1, 2, 3), TypeError, "kernel_size must be an integer or a pair of integers"),
        ((1.0, 2), TypeError, "kernel_size must be an integer or a pair of integers"),
    ],
)
def test_pair_rejects(value, exc, message):
    with pytest.raises(exc, match=message):
        v.check_pair(value, "kernel_size")


@pytest.mark.parametrize(
    "value,minimum,message",
    [
        (0, 1, "stride must be a positive integer, got stride=0"),
        (-1, 0, "stride must be a non-negative integer, got stride=-1"),
    ],
)
def test_pair_of_one_number_says_so_in_the_singular(value, minimum, message):
    with pytest.raises(ValueError, match=message):
        v.check_pair(value, "stride", minimum=minimum)


def test_pair_minimum_zero():
    assert v.check_pair((0, 2), "padding", minimum=0) == (0, 2)
    with pytest.raises(ValueError, match="padding must be integers >= 0"):
        v.check_pair((0, -2), "padding", minimum=0)


def test_choice():
    assert v.check_choice("reflect", "mode", ["reflect", "wrap"]) == "reflect"
    with pytest.raises(
        ValueError, match="mode must be one of 'reflect', 'wrap', got mode='reflekt'"
    ):
        v.check_choice("reflekt", "mode", ["reflect", "wrap"])


def test_float():
    assert v.check_float(2, "sigma", minimum=0, strict=True) == 2.0
    with pytest.raises(ValueError, match="sigma must be > 0, got sigma=0.0"):
        v.check_float(0, "sigma", minimum=0, strict=True)
    with pytest.raises(ValueError, match="eps must be >= 0, got eps=-1.0"):
        v.check_float(-1, "eps", minimum=0)
    with pytest.raises(ValueError, match="sigma must be finite"):
        v.check_float(float("nan"), "sigma")
    with pytest.raises(TypeError, match="sigma must be a real number, got sigma='1'"):
        v.check_float("1", "sigma")


def test_array_checks():
    assert v.check_image([[1, 2], [3, 4]]).shape == (2, 2)
    with pytest.raises(
        ValueError, match=r"image must be 2D, got image with shape \(3,\) \(1D\)"
    ):
        v.check_image([1, 2, 3])
    with pytest.raises(
        ValueError, match=r"image must be 2D, got image with shape \(2, 2, 2\) \(3D\)"
    ):
        v.check_image(np.zeros((2, 2, 2)))
    with pytest.raises(
        ValueError, match=r"image must not be empty, got image with shape \(0, 3\)"
    ):
        v.check_image(np.zeros((0, 3)))
    with pytest.raises(
        TypeError, match="image must have a real numeric dtype, got image.dtype=<U1"
    ):
        v.check_image([["a", "b"]])
    with pytest.raises(
        TypeError,
        match="image must have a real numeric dtype, got image.dtype=complex128",
    ):
        v.check_image(np.ones((2, 2), dtype=complex))
    with pytest.raises(
        TypeError, match="image must be an array of numbers, got image=None"
    ):
        v.check_image(None)
    with pytest.raises(ValueError, match="x must be 2D or 4D"):
        v.check_array(np.zeros(3), "x", ndim=(2, 4))
    with pytest.raises(
        TypeError, match="mask must have a real numeric dtype, got mask.dtype=bool"
    ):
        v.check_array(np.ones(3, bool), "mask", allow_bool=False)


def test_allocation_is_refused_before_allocating_with_the_arguments_named():
    v.check_allocation((1000, 1000), "n=1000")  # a million values: fine
    with pytest.raises(ValueError, match=r"n=10\*\*12 would make the signal of shape"):
        v.check_allocation((10**12,), "n=10**12", what="the signal")
    # the product of Python ints cannot overflow into a small number, as int64 could
    with pytest.raises(ValueError, match="more than the"):
        v.check_allocation((2**40, 2**40, 2**40), "size")


@pytest.mark.parametrize("rng", [None, 0, 7, np.random.default_rng(1)])
def test_rng_accepts_a_generator_a_seed_or_none(rng):
    assert isinstance(v.check_rng(rng), np.random.Generator)
    if isinstance(rng, np.random.Generator):
        assert v.check_rng(rng) is rng  # used as is, not reseeded


@pytest.mark.parametrize(
    "rng, error, match",
    [
        (-1, ValueError, "rng must be a non-negative integer"),
        (
            1.5,
            TypeError,
            "rng must be a numpy.random.Generator, an integer seed or None",
        ),
        (True, TypeError, "rng must be a numpy.random.Generator"),
    ],
)
def test_rng_rejects_what_is_not_a_source_of_randomness(rng, error, match):
    with pytest.raises(error, match=match):
        v.check_rng(rng)


@pytest.mark.parametrize("value", [True, False, np.bool_(True)])
def test_bool_accepts(value):
    assert v.check_bool(value, "training") is bool(value)


@pytest.mark.parametrize("value", [0, 1, "yes", None, 0.0])
def test_bool_rejects_what_is_only_truthy(value):
    with pytest.raises(
        TypeError, match=r"training must be True or False, got training="
    ):
        v.check_bool(value, "training")


def test_callable():
    assert v.check_callable(len, "fn") is len
    with pytest.raises(
        TypeError, match="fn must be callable \\(a function\\), got fn=3"
    ):
        v.check_callable(3, "fn")


def test_instance_says_what_was_expected():
    assert v.check_instance(2.5, "x", float, "a float") == 2.5
    with pytest.raises(TypeError, match="cache must be a ConvCache, got cache=None"):
        v.check_instance(None, "cache", tuple, "a ConvCache")


def test_module():
    import torch

    linear = torch.nn.Linear(2, 2)
    assert v.check_module(linear, "model") is linear
    for value in (3, "net", torch.zeros(2)):
        with pytest.raises(
            TypeError, match="model must be a torch.nn.Module, got model="
        ):
            v.check_module(value, "model")


def test_same_shape():
    v.check_same_shape(np.zeros((2, 3)), "reference", np.ones((2, 3)), "image")
    with pytest.raises(
        ValueError,
        match=r"reference and image must have the same shape, got reference with shape "
        r"\(2, 3\) and image with shape \(3, 2\)",
    ):
        v.check_same_shape(np.zeros((2, 3)), "reference", np.ones((3, 2)), "image")


def test_tensor():
    import torch

    x = torch.zeros(2, 1, 3, 3)
    assert v.check_tensor(x, "x", layout="(N, C, H, W)", floating=True) is x
    assert v.check_tensor(torch.zeros(2, 5), "x", layout="(N, ...)") is not None
    with pytest.raises(TypeError, match=r"x must be a torch.Tensor, got x=array"):
        v.check_tensor(np.zeros(3), "x")
    with pytest.raises(TypeError, match="x must be a floating-point torch.Tensor"):
        v.check_tensor(torch.zeros(3, dtype=torch.int64), "x", floating=True)
    with pytest.raises(ValueError, match=r"x must be 4D \(N, C, H, W\), got x with"):
        v.check_tensor(torch.zeros(2, 3), "x", layout="(N, C, H, W)")
    with pytest.raises(ValueError, match=r"x must be at least 1D \(N, \.\.\.\)"):
        v.check_tensor(torch.tensor(1.0), "x", layout="(N, ...)")
    with pytest.raises(
        ValueError, match=r"x must not be empty, got x with shape \(0, 3\)"
    ):
        v.check_tensor(torch.zeros(0, 3), "x")


@pytest.mark.parametrize(
    "low,high,expected",
    [
        (None, None, (None, None)),
        (0, None, (0.0, None)),
        (None, 1, (None, 1.0)),
        (1, 1, (1.0, 1.0)),
        (np.float32(-1), 2, (-1.0, 2.0)),
    ],
)
def test_range_accepts_open_or_ordered_ends(low, high, expected):
    assert v.check_range(low, high, ("vmin", "vmax")) == expected


@pytest.mark.parametrize(
    "low,high,error,message",
    [
        (2, 1, ValueError, "vmin must be <= vmax, got vmin=2.0 and vmax=1.0"),
        (np.nan, None, ValueError, "vmin must be finite, got vmin=nan"),
        (None, np.inf, ValueError, "vmax must be finite, got vmax=inf"),
        ("0", 1, TypeError, "vmin must be a real number, got vmin='0'"),
        (0, True, TypeError, "vmax must be a real number, got vmax=True"),
    ],
)
def test_range_rejects_a_reversed_or_bad_end(low, high, error, message):
    with pytest.raises(error, match=re.escape(message)):
        v.check_range(low, high, ("vmin", "vmax"))
