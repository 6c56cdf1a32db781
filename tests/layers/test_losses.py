"""Tests of dlsip.layers.losses: the softmax cross-entropy against torch in float64."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlsip import layers as L
from tests.layers._oracle import TOL, assert_close, t64


@pytest.mark.parametrize("scale", [1.0, 1000.0])
@pytest.mark.parametrize("n, k", [(1, 2), (8, 10)])
def test_softmax_cross_entropy_matches_torch(scale, n, k):
    rng = np.random.default_rng(16)
    logits = rng.standard_normal((n, k)) * scale
    labels = rng.integers(0, k, n)
    loss, dlogits = L.softmax_cross_entropy(logits, labels)
    t = t64(logits, grad=True)
    t_loss = F.cross_entropy(t, torch.from_numpy(labels))
    t_loss.backward()
    assert np.isfinite(loss)
    assert abs(loss - t_loss.item()) <= TOL * max(1.0, abs(loss))
    assert_close(dlogits, t.grad.numpy())


@pytest.mark.parametrize(
    "logits, labels, error, match",
    [
        (np.zeros((2, 3)), np.array([0, 3]), ValueError, r"labels must be in \[0, 3\)"),
        (
            np.zeros((2, 3)),
            np.array([0, -1]),
            ValueError,
            r"labels must be in \[0, 3\)",
        ),
        (np.zeros((2, 3)), np.array([0.0, 1.0]), TypeError, r"labels must be integers"),
        (
            np.zeros((2, 3)),
            np.array([0, 1, 2]),
            ValueError,
            r"one entry per row of logits \(2\)",
        ),
        (np.zeros(3), np.array([0]), ValueError, r"logits must be 2D"),
    ],
)
def test_softmax_cross_entropy_errors(logits, labels, error, match):
    with pytest.raises(error, match=match):
        L.softmax_cross_entropy(logits, labels)
