"""dlsip.arithmetic.sizes: output sizes against torch on thousands of configurations."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dlsip import arithmetic as A

# ------------------------------------------------------------------ sizes against torch


def _torch_or_error(fn):
    try:
        return tuple(fn().shape[2:]), None
    except RuntimeError as exc:
        return None, str(exc)


def _ours_or_error(fn):
    try:
        out = fn()
    except ValueError as exc:
        return None, str(exc)
    return (out if isinstance(out, tuple) else (out,)), None


def _random_1d(rng):
    return dict(
        i=int(rng.integers(1, 17)),
        k=int(rng.integers(1, 8)),
        s=int(rng.integers(1, 5)),
        p=int(rng.integers(0, 5)),
        d=int(rng.integers(1, 4)),
        op=int(rng.integers(0, 4)),
        ceil=bool(rng.integers(0, 2)),
    )


def _cases_1d(c):
    x = torch.zeros(1, 1, c["i"])
    w = torch.zeros(1, 1, c["k"])
    kw = dict(stride=c["s"], padding=c["p"], dilation=c["d"])
    return {
        "conv": (
            lambda: F.conv1d(x, w, **kw),
            lambda: A.conv_output_size(c["i"], c["k"], **kw),
        ),
        "max_pool": (
            lambda: F.max_pool1d(x, c["k"], ceil_mode=c["ceil"], **kw),
            lambda: A.pool_output_size(c["i"], c["k"], ceil_mode=c["ceil"], **kw),
        ),
        "avg_pool": (
            lambda: F.avg_pool1d(
                x, c["k"], stride=c["s"], padding=c["p"], ceil_mode=c["ceil"]
            ),
            lambda: A.pool_output_size(
                c["i"], c["k"], stride=c["s"], padding=c["p"], ceil_mode=c["ceil"]
            ),
        ),
        "conv_transpose": (
            lambda: F.conv_transpose1d(x, w, output_padding=c["op"], **kw),
            lambda: A.conv_transpose_output_size(
                c["i"], c["k"], output_padding=c["op"], **kw
            ),
        ),
    }


N_RANDOM_1D = (
    2500  # configurations; each is checked for 4 operations: 10,000 comparisons
)


@pytest.mark.parametrize("chunk", range(5))
def test_sizes_agree_with_torch_1d_random(chunk):
    """Either torch and dlsip give the same size, or both reject the configuration."""
    rng = np.random.default_rng(1000 + chunk)
    counts = {"valid": 0, "rejected": 0}
    for _ in range(N_RANDOM_1D // 5):
        config = _random_1d(rng)
        for op, (torch_fn, ours_fn) in _cases_1d(config).items():
            expected, torch_error = _torch_or_error(torch_fn)
            got, our_error = _ours_or_error(ours_fn)
            assert got == expected, (op, config, torch_error, our_error)
            counts["valid" if expected else "rejected"] += 1
    # The sweep must exercise both outcomes, or it proves little.
    assert counts["valid"] > 500 and counts["rejected"] > 100, counts


def test_sizes_agree_with_torch_2d_tuples():
    rng = np.random.default_rng(7)
    checked = 0
    for _ in range(400):
        i = tuple(int(v) for v in rng.integers(1, 14, size=2))
        k = tuple(int(v) for v in rng.integers(1, 6, size=2))
        s = tuple(int(v) for v in rng.integers(1, 4, size=2))
        p = tuple(int(v) for v in rng.integers(0, 3, size=2))
        d = tuple(int(v) for v in rng.integers(1, 3, size=2))
        op = tuple(int(v) for v in rng.integers(0, 3, size=2))
        ceil = bool(rng.integers(0, 2))
        x = torch.zeros(1, 1, *i)
        w = torch.zeros(1, 1, *k)
        pairs = [
            (
                partial(F.conv2d, x, w, stride=s, padding=p, dilation=d),
                partial(A.conv_output_size, i, k, stride=s, padding=p, dilation=d),
            ),
            (
                partial(
                    F.max_pool2d, x, k, stride=s, padding=p, dilation=d, ceil_mode=ceil
                ),
                partial(
                    A.pool_output_size,
                    i,
                    k,
                    stride=s,
                    padding=p,
                    dilation=d,
                    ceil_mode=ceil,
                ),
            ),
            (
                partial(
                    F.conv_transpose2d,
                    x,
                    w,
                    stride=s,
                    padding=p,
                    output_padding=op,
                    dilation=d,
                ),
                partial(
                    A.conv_transpose_output_size,
                    i,
                    k,
                    stride=s,
                    padding=p,
                    output_padding=op,
                    dilation=d,
                ),
            ),
        ]
        for torch_fn, ours_fn in pairs:
            expected, _ = _torch_or_error(torch_fn)
            got, _ = _ours_or_error(ours_fn)
            assert got == expected, (i, k, s, p, d, op, ceil)
            checked += expected is not None
    assert checked > 400


@pytest.mark.parametrize("ceil_mode", [False, True])
def test_pool_default_stride_is_kernel_size(ceil_mode):
    for i in range(2, 12):
        for k in range(1, 5):
            expected = (
                F.max_pool1d(torch.zeros(1, 1, i), k, ceil_mode=ceil_mode).shape[-1]
                if k <= i
                else None
            )
            if expected is not None:
                assert A.pool_output_size(i, k, ceil_mode=ceil_mode) == expected


def test_ceil_mode_drops_a_window_that_starts_in_the_right_padding():
    # i=4, k=2, s=2, p=1: ceil((4 + 2 - 2) / 2) + 1 = 3 windows; the third starts at
    # padded
    # index 4 = i + p... no: it starts at 4, which is inside [0, i + p) = [0, 5), so it
    # stays.
    assert A.pool_output_size(4, 2, stride=2, padding=1, ceil_mode=True) == 3
    # i=5, k=3, s=3, p=1: ceil((5 + 2 - 3) / 3) + 1 = 3, but window 2 would start at 6
    # >= 5 + 1.
    assert A.pool_output_size(5, 3, stride=3, padding=1, ceil_mode=True) == 2
    assert (
        F.max_pool1d(
            torch.zeros(1, 1, 5), 3, stride=3, padding=1, ceil_mode=True
        ).shape[-1]
        == 2
    )


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("d", [1, 2, 3])
def test_string_padding_agrees_with_torch(padding, k, d):
    x = torch.zeros(1, 1, 20)
    expected = F.conv1d(x, torch.zeros(1, 1, k), padding=padding, dilation=d).shape[-1]
    assert A.conv_output_size(20, k, padding=padding, dilation=d) == expected


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("d", [1, 2, 3])
def test_same_padding_reproduces_torch_same(k, d):
    rng = np.random.default_rng(k * 10 + d)
    x = torch.from_numpy(rng.standard_normal((1, 1, 9, 11)))
    w = torch.from_numpy(rng.standard_normal((1, 1, k, k)))
    expected = F.conv2d(x, w, padding="same", dilation=d)
    left, right = A.same_padding(k, dilation=d, asymmetric=True)
    got = F.conv2d(F.pad(x, (left, right, left, right)), w, dilation=d)
    torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-12)
    if (d * (k - 1)) % 2 == 0:
        p = A.same_padding(k, dilation=d)
        assert p == left == right
        assert A.conv_output_size(9, k, padding=p, dilation=d) == 9
    else:
        with pytest.raises(ValueError, match="even effective size"):
            A.same_padding(k, dilation=d)


def test_output_size_formula_inverts_transposed_size():
    rng = np.random.default_rng(3)
    for _ in range(500):
        i, k, s, p, d = (
            int(v)
            for v in (
                rng.integers(1, 20),
                rng.integers(1, 6),
                rng.integers(1, 4),
                rng.integers(0, 3),
                rng.integers(1, 3),
            )
        )
        try:
            o = A.conv_output_size(i, k, stride=s, padding=p, dilation=d)
        except ValueError:
            continue
        # the transposed convolution maps o back to i, for the right output_padding
        op = (i + 2 * p - d * (k - 1) - 1) % s
        if op < s or op < d:
            assert (
                A.conv_transpose_output_size(
                    o, k, stride=s, padding=p, output_padding=op, dilation=d
                )
                == i
            )


def test_tuple_and_int_forms():
    assert A.conv_output_size((32, 28), (5, 3), padding=(0, 1)) == (28, 28)
    assert A.conv_output_size(32, 5) == 28
    assert isinstance(A.conv_output_size(32, 5), int)
    assert A.effective_kernel_size((3, 3), dilation=(1, 2)) == (3, 5)
    assert A.same_padding((3, 5), dilation=(2, 1)) == (2, 2)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: A.conv_output_size(3, 5),
            ValueError,
            r"kernel_size=5 .* does not fit into size=3 .* would be -1",
        ),
        (lambda: A.conv_output_size(5, 3, dilation=3), ValueError, r"effective size 7"),
        (
            lambda: A.conv_output_size(5, 3, stride=0),
            ValueError,
            r"stride must be a positive integer, got stride=0",
        ),
        (
            lambda: A.conv_output_size(5, 3, padding=-1),
            ValueError,
            r"padding must be a non-negative integer, got padding=-1",
        ),
        (
            lambda: A.conv_output_size(0, 3),
            ValueError,
            r"size must be a positive integer, got size=0",
        ),
        (
            lambda: A.conv_output_size(5, 0),
            ValueError,
            r"kernel_size must be a positive integer, got kernel_size=0",
        ),
        (
            lambda: A.conv_output_size(5, 3, dilation=0),
            ValueError,
            r"dilation must be a positive integer",
        ),
        (
            lambda: A.conv_output_size(5.0, 3),
            TypeError,
            r"size must be an integer or a tuple of integers, got size=5.0",
        ),
        (
            lambda: A.conv_output_size(5, 2.5),
            TypeError,
            r"kernel_size must be an integer",
        ),
        (
            lambda: A.conv_output_size(5, True),
            TypeError,
            r"kernel_size must be an integer",
        ),
        (
            lambda: A.conv_output_size(5, 3, padding="half"),
            ValueError,
            r"padding must be .* 'valid' or 'same', got padding='half'",
        ),
        (
            lambda: A.conv_output_size(5, 3, stride=2, padding="same"),
            ValueError,
            r"padding='same' needs stride=1",
        ),
        (
            lambda: A.conv_output_size((5, 5), (3, 3, 3)),
            ValueError,
            r"one entry per axis, but size has 2, kernel_size has 3",
        ),
        (
            lambda: A.pool_output_size(4, 2, padding=2),
            ValueError,
            r"padding must be at most half of kernel_size, got padding=2",
        ),
        (lambda: A.pool_output_size(2, 3), ValueError, r"does not fit into size=2"),
        (
            lambda: A.pool_output_size(4, 2, ceil_mode=1),
            TypeError,
            r"ceil_mode must be True or False",
        ),
        (
            lambda: A.conv_transpose_output_size(3, 3, stride=2, output_padding=2),
            ValueError,
            r"output_padding must be smaller than either stride or dilation, got "
            r"output_padding=2",
        ),
        (
            lambda: A.conv_transpose_output_size(3, 3, output_padding=-1),
            ValueError,
            r"output_padding must be a non-negative",
        ),
        (
            lambda: A.conv_transpose_output_size(1, 1, padding=1),
            ValueError,
            r"padding=1 crops more than the full output",
        ),
        (
            lambda: A.same_padding(2),
            ValueError,
            r"kernel_size=2 with dilation=1 has an even effective size 2",
        ),
        (
            lambda: A.same_padding(3, asymmetric="yes"),
            TypeError,
            r"asymmetric must be True or False",
        ),
    ],
)
def test_size_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_syllabus_pooling_example():
    # 4x4x3 map, 2x2 max pool, stride 2 -> 2x2x3, and no parameters
    assert A.pool_output_size((4, 4), 2, stride=2) == (2, 2)
    pool = nn.MaxPool2d(2, 2)
    assert pool(torch.zeros(1, 3, 4, 4)).shape == (1, 3, 2, 2)
    assert A.summary(pool, (1, 3, 4, 4)).total_params == 0
