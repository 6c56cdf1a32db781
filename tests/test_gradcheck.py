"""Tests of dlsip.gradcheck: finite differences on functions with known derivatives, the
relative error's definition, and check_gradients catching a wrong backward pass."""

import numpy as np
import pytest

from dlsip import layers as L
from dlsip.gradcheck import check_gradients, numerical_gradient, relative_error


@pytest.mark.parametrize(
    "f, df",
    [
        (np.sin, np.cos),
        (lambda x: x**3, lambda x: 3 * x**2),
        (np.exp, np.exp),
        (lambda x: np.log1p(x**2), lambda x: 2 * x / (1 + x**2)),
    ],
)
def test_numerical_gradient_of_elementwise_functions(f, df):
    x = np.random.default_rng(0).standard_normal((3, 4))
    dout = np.random.default_rng(1).standard_normal((3, 4))
    g = numerical_gradient(f, x, dout)
    np.testing.assert_allclose(g, df(x) * dout, rtol=1e-8, atol=1e-9)


def test_numerical_gradient_of_a_quadratic_form_and_restores_x():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((5, 5))
    x = rng.standard_normal(5)
    x0 = x.copy()
    g = numerical_gradient(lambda v: v @ a @ v, x)  # scalar output, dout defaults to 1
    np.testing.assert_allclose(g, (a + a.T) @ x, rtol=1e-8)
    np.testing.assert_array_equal(x, x0)


@pytest.mark.parametrize("h", [1e-3, 1e-5])
def test_centred_difference_error_is_second_order(h):
    x = np.array([1.0])
    err = abs(numerical_gradient(lambda v: v**3, x)[0] - 3.0)
    assert (
        err <= 1.01 * h**2 + 1e-9
    )  # exactly h^2 for x^3: (x+h)^3-(x-h)^3 = 6x^2 h + 2h^3


def test_relative_error_properties():
    a = np.array([1.0, -2.0, 3.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(a, 1000 * a) == relative_error(
        a / 7, 1000 * a / 7
    )  # scale invariant
    assert relative_error(a, -a) == pytest.approx(2.0)
    assert relative_error([0.0, 1.0], [1e-12, 1.0]) == pytest.approx(
        1e-12
    )  # no blow-up at zeros


def test_check_gradients_catches_a_wrong_backward():
    def wrong_relu_backward(dout, cache):
        return dout  # forgot the mask

    x = np.random.default_rng(3).standard_normal(20)
    good = check_gradients(L.relu_forward, L.relu_backward, {"x": x})
    bad = check_gradients(L.relu_forward, wrong_relu_backward, {"x": x})
    assert good["x"] < 1e-8 and bad["x"] > 0.1


def test_check_gradients_catches_a_transposed_conv_weight_gradient():
    def flipped_dw(dout, cache):
        dx, dw, db = L.conv2d_backward(dout, cache)
        return (
            dx,
            dw[:, :, ::-1, ::-1],
            db,
        )  # a classic: convolution instead of correlation

    rng = np.random.default_rng(4)
    inputs = {
        "x": rng.standard_normal((1, 2, 5, 5)),
        "w": rng.standard_normal((2, 2, 3, 3)),
    }
    errors = check_gradients(L.conv2d_forward, flipped_dw, inputs, rng=rng)
    assert errors["x"] < 1e-6 and errors["w"] > 0.1


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: numerical_gradient(np.sin, np.arange(3)),
            TypeError,
            r"x must be a float array, got x.dtype=int",
        ),
        (
            lambda: numerical_gradient(np.sin, np.zeros(3), h=0.0),
            ValueError,
            r"h must be > 0.0, got h=0.0",
        ),
        (
            lambda: numerical_gradient(np.sin, np.zeros(3), np.ones(4)),
            ValueError,
            r"dout must have the shape of f\(x\) \(3,\)",
        ),
        (
            lambda: relative_error(np.zeros(2), np.zeros(3)),
            ValueError,
            r"a and b must have the same shape",
        ),
        (
            lambda: check_gradients(L.relu_forward, L.relu_backward, {}),
            ValueError,
            r"inputs must name at least one array",
        ),
    ],
)
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
