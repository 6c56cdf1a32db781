"""Tests of dlsip.layers.linear: against torch autograd in float64 and finite
differences; caches and errors."""

import numpy as np
import pytest
import torch.nn.functional as F

from dlsip import layers as L
from dlsip.gradcheck import check_gradients
from tests.layers._oracle import assert_close, torch_grads


@pytest.mark.parametrize(
    "n, d_in, d_out, bias", [(4, 5, 3, True), (1, 7, 2, False), (3, 1, 1, True)]
)
def test_linear_matches_torch(n, d_in, d_out, bias):
    rng = np.random.default_rng(15)
    x, w = rng.standard_normal((n, d_in)), rng.standard_normal((d_out, d_in))
    b = rng.standard_normal(d_out) if bias else None
    out, cache = L.linear_forward(x, w, b)
    assert isinstance(cache, L.LinearCache)
    dout = rng.standard_normal(out.shape)
    grads = L.linear_backward(dout, cache)
    t_out, t_grads = torch_grads(
        lambda x, w, b=None: F.linear(x, w, b), [x, w, b], dout
    )
    assert_close(out, t_out)
    for g, tg in zip(grads, t_grads):
        assert_close(g, tg)
    assert (grads[2] is None) == (not bias)
    errors = check_gradients(
        L.linear_forward, L.linear_backward, {"x": x, "w": w}, rng=rng
    )
    assert max(errors.values()) < 1e-6


def test_linear_errors():
    with pytest.raises(
        ValueError, match=r"w must have shape \(out_features, 3\) to match x"
    ):
        L.linear_forward(np.zeros((2, 3)), np.zeros((4, 5)))
    with pytest.raises(ValueError, match=r"x must be 2D"):
        L.linear_forward(np.zeros((2, 3, 1)), np.zeros((4, 3)))
    with pytest.raises(
        ValueError, match=r"b must have one entry per output channel of w \(4\)"
    ):
        L.linear_forward(np.zeros((2, 3)), np.zeros((4, 3)), np.zeros(3))
    out, cache = L.linear_forward(np.zeros((2, 3)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"dout must have the output's shape \(2, 4\)"):
        L.linear_backward(np.zeros((4, 2)), cache)
    with pytest.raises(
        TypeError, match="cache must be the LinearCache returned by linear_forward"
    ):
        L.linear_backward(out, (np.zeros((2, 3)), np.zeros((4, 3)), False))
