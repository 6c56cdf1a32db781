"""The layers' speed path (dlsip/layers/_fast.py) gives the plain product's results."""

from __future__ import annotations

import numpy as np
import pytest

from dlsip import layers
from dlsip.layers import _fast


@pytest.mark.parametrize("shape", [(3, 4, 5), (64, 144, 1000)])
def test_matmul_is_the_matrix_product(shape):
    m, k, n = shape
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((m, k)), rng.standard_normal((k, n))
    np.testing.assert_allclose(_fast.matmul(a, b), a @ b, rtol=1e-12, atol=1e-12)


def test_conv_layer_is_the_same_with_the_speed_path_off(monkeypatch):
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((2, 3, 9, 9)), rng.standard_normal((4, 3, 3, 3))
    out, cache = layers.conv2d_forward(x, w, np.zeros(4), padding=1, stride=2)
    grads = layers.conv2d_backward(np.ones_like(out), cache)
    monkeypatch.setattr(_fast, "ENABLED", False)
    out_plain, cache_plain = layers.conv2d_forward(
        x, w, np.zeros(4), padding=1, stride=2
    )
    np.testing.assert_allclose(out, out_plain, rtol=1e-12, atol=1e-12)
    for g, g_plain in zip(
        grads, layers.conv2d_backward(np.ones_like(out), cache_plain)
    ):
        np.testing.assert_allclose(g, g_plain, rtol=1e-12, atol=1e-12)
