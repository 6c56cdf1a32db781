"""Tests of dlsip.layers.shuffle: pixel (un)shuffle against torch, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlsip import layers as L


@pytest.mark.parametrize("r", [1, 2, 3, 4])
@pytest.mark.parametrize("lead", [(), (2,), (2, 3)])
@pytest.mark.parametrize("chw", [(1, 1, 1), (2, 3, 5), (3, 4, 2)])
def test_pixel_shuffle_equals_torch(r, lead, chw):
    c, h, w = chw
    rng = np.random.default_rng(r * 100 + len(lead))
    x = rng.standard_normal((*lead, c * r * r, h, w))
    expected = F.pixel_shuffle(torch.from_numpy(x), r).numpy()
    got = L.pixel_shuffle(x, r)
    assert got.shape == expected.shape
    assert np.array_equal(got, expected)  # a permutation: bit-for-bit equal


@pytest.mark.parametrize("r", [1, 2, 3])
@pytest.mark.parametrize("lead", [(), (2,), (1, 2)])
def test_pixel_unshuffle_equals_torch_and_inverts(r, lead):
    rng = np.random.default_rng(7 + r)
    x = rng.integers(0, 1000, size=(*lead, 2, 3 * r, 2 * r))
    expected = F.pixel_unshuffle(torch.from_numpy(x), r).numpy()
    got = L.pixel_unshuffle(x, r)
    assert np.array_equal(got, expected)
    assert got.dtype == x.dtype
    assert np.array_equal(L.pixel_shuffle(got, r), x)


def test_pixel_shuffle_matches_its_formula():
    # y[c, h, w] = x[c r^2 + r (h mod r) + (w mod r), h // r, w // r], entry by entry.
    r, c, h, w = 3, 2, 2, 3
    x = np.random.default_rng(0).standard_normal((1, c * r * r, h, w))
    y = L.pixel_shuffle(x, r)[0]
    for cc in range(c):
        for hh in range(h * r):
            for ww in range(w * r):
                assert (
                    y[cc, hh, ww]
                    == x[0, cc * r * r + r * (hh % r) + ww % r, hh // r, ww // r]
                )


@pytest.mark.parametrize(
    ("func", "x", "r", "error", "match"),
    [
        (
            L.pixel_shuffle,
            np.zeros((1, 3, 2, 2)),
            2,
            ValueError,
            r"divisible by r\*\*2=4, got 3 channels",
        ),
        (L.pixel_shuffle, np.zeros((4, 2)), 2, ValueError, "at least 3 dimensions"),
        (
            L.pixel_shuffle,
            np.zeros((1, 4, 2, 2)),
            0,
            ValueError,
            "r must be a positive integer, got r=0",
        ),
        (
            L.pixel_shuffle,
            np.zeros((1, 4, 2, 2)),
            2.0,
            TypeError,
            "r must be an integer",
        ),
        (L.pixel_unshuffle, np.zeros((1, 1, 4, 5)), 2, ValueError, "divisible by r=2"),
        (L.pixel_unshuffle, np.zeros((4, 4)), 2, ValueError, "at least 3 dimensions"),
        (L.pixel_unshuffle, "image", 2, TypeError, "x must be an array of numbers"),
    ],
)
def test_pixel_shuffle_errors(func, x, r, error, match):
    with pytest.raises(error, match=match):
        func(x, r)
