"""Tests of dlsip.layers.activations: against torch autograd in float64 and finite
differences; caches and dout checks."""

from functools import partial

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlsip import layers as L
from dlsip.gradcheck import check_gradients
from tests.layers._oracle import assert_close, torch_grads

ACTIVATIONS = [
    ("relu", torch.relu, {}, L.ReLUCache),
    (
        "leaky_relu",
        lambda x: F.leaky_relu(x, 0.2),
        {"negative_slope": 0.2},
        L.LeakyReLUCache,
    ),
    ("sigmoid", torch.sigmoid, {}, L.SigmoidCache),
    ("tanh", torch.tanh, {}, L.TanhCache),
    ("identity", lambda x: x.clone(), {}, L.IdentityCache),
    ("softmax", lambda x: torch.softmax(x, -1), {}, L.SoftmaxCache),
]


@pytest.mark.parametrize("name, tfn, kwargs, cache_type", ACTIVATIONS)
@pytest.mark.parametrize("shape", [(5,), (2, 3, 4, 5)])
def test_activations_match_torch(name, tfn, kwargs, cache_type, shape):
    rng = np.random.default_rng(13)
    x = rng.standard_normal(shape) * 3
    out, cache = getattr(L, f"{name}_forward")(x, **kwargs)
    assert isinstance(cache, cache_type)
    dout = rng.standard_normal(shape)
    t_out, (t_dx,) = torch_grads(tfn, [x], dout)
    assert_close(out, t_out)
    assert_close(getattr(L, f"{name}_backward")(dout, cache), t_dx)


@pytest.mark.parametrize("name, tfn, kwargs, cache_type", ACTIVATIONS)
def test_activations_finite_differences(name, tfn, kwargs, cache_type):
    rng = np.random.default_rng(14)
    x = rng.standard_normal((3, 4)) + 0.05  # keep away from the kink at 0 by chance
    x[np.abs(x) < 1e-3] = 0.5
    fwd = partial(getattr(L, f"{name}_forward"), **kwargs)
    errors = check_gradients(fwd, getattr(L, f"{name}_backward"), {"x": x}, rng=rng)
    assert errors["x"] < 1e-6


def test_relu_derivative_at_zero_is_zero_as_in_torch():
    out, cache = L.relu_forward(np.array([0.0]))
    assert L.relu_backward(np.array([1.0]), cache)[0] == 0.0


def test_sigmoid_does_not_overflow():
    with np.errstate(over="raise"):
        out, _ = L.sigmoid_forward(np.array([-1000.0, 1000.0]))
    np.testing.assert_array_equal(out, [0.0, 1.0])


@pytest.mark.parametrize("name, tfn, kwargs, cache_type", ACTIVATIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activations_keep_float_dtype_and_promote_integers(
    name, tfn, kwargs, cache_type, dtype
):
    out, _ = getattr(L, f"{name}_forward")(np.array([-1.0, 2.0], dtype), **kwargs)
    assert out.dtype == dtype
    out, _ = getattr(L, f"{name}_forward")(np.array([-1, 2]), **kwargs)
    assert out.dtype == np.float64


@pytest.mark.parametrize("name, tfn, kwargs, cache_type", ACTIVATIONS)
def test_activation_backward_checks_dout_and_cache(name, tfn, kwargs, cache_type):
    _, cache = getattr(L, f"{name}_forward")(np.zeros((2, 3)), **kwargs)
    backward = getattr(L, f"{name}_backward")
    with pytest.raises(ValueError, match=r"dout must have the output's shape \(2, 3\)"):
        backward(np.zeros((3, 2)), cache)
    with pytest.raises(TypeError, match="dout must be an array of numbers"):
        backward("dout", cache)
    with pytest.raises(TypeError, match=f"cache must be the {cache_type.__name__}"):
        backward(np.zeros((2, 3)), np.zeros((2, 3)))


def test_activation_input_errors():
    with pytest.raises(TypeError, match="x must have a real numeric dtype"):
        L.relu_forward(np.array(["a"]))
    with pytest.raises(TypeError, match="negative_slope must be a real number"):
        L.leaky_relu_forward(np.zeros(2), negative_slope="0.1")


@pytest.mark.parametrize("axis", [0, 1, -1, 3])
def test_softmax_along_any_axis_matches_torch(axis):
    rng = np.random.default_rng(15)
    x = rng.standard_normal((2, 3, 4, 5)) * 4
    dout = rng.standard_normal(x.shape)
    out, cache = L.softmax_forward(x, axis=axis)
    t_out, (t_dx,) = torch_grads(lambda t: torch.softmax(t, axis), [x], dout)
    assert_close(out, t_out)
    assert_close(L.softmax_backward(dout, cache), t_dx)
    np.testing.assert_allclose(out.sum(axis=axis), 1.0, rtol=1e-12)


def test_softmax_does_not_overflow_and_ignores_a_shift():
    with np.errstate(over="raise"):
        out, _ = L.softmax_forward(np.array([1000.0, 1000.0, -1000.0]))
    np.testing.assert_array_equal(out, [0.5, 0.5, 0.0])
    x = np.array([[0.3, -1.2, 2.0]])
    np.testing.assert_allclose(
        L.softmax_forward(x + 50.0)[0], L.softmax_forward(x)[0], rtol=1e-12
    )


def test_softmax_then_cross_entropy_gives_p_minus_onehot():
    # chain rule by hand: dL/dp = -onehot / p for L = -log p_y, then softmax_backward
    rng = np.random.default_rng(16)
    logits = rng.standard_normal((6, 4)) * 2
    labels = np.array([0, 3, 1, 1, 2, 0])
    p, cache = L.softmax_forward(logits, axis=1)
    onehot = np.eye(4)[labels]
    dlogits = L.softmax_backward(-onehot / p, cache)
    assert_close(dlogits, p - onehot)
    _, d_fused = L.softmax_cross_entropy(logits, labels)  # mean over 6 rows
    assert_close(dlogits / 6, d_fused)


def test_identity_passes_the_gradient_unchanged_and_copies():
    x = np.array([[1.0, -2.0]], dtype=np.float32)
    out, cache = L.identity_forward(x)
    out[0, 0] = 7.0
    assert x[0, 0] == 1.0  # the output is not a view of the input
    dout = np.array([[0.5, 3.0]], dtype=np.float32)
    dx = L.identity_backward(dout, cache)
    assert dx.dtype == np.float32 and np.array_equal(dx, dout) and dx is not dout


def test_softmax_axis_errors():
    with pytest.raises(ValueError, match=r"axis must be an axis of x \(from -2 to 1\)"):
        L.softmax_forward(np.zeros((2, 3)), axis=2)
    with pytest.raises(TypeError, match="axis must be an integer"):
        L.softmax_forward(np.zeros((2, 3)), axis=1.0)
