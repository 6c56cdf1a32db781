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


def test_check_gradients_takes_an_integer_seed_and_any_callable():
    x = np.random.default_rng(5).standard_normal(4)
    assert check_gradients(L.relu_forward, L.relu_backward, {"x": x}, rng=0) == (
        check_gradients(L.relu_forward, L.relu_backward, {"x": x}, rng=0)
    )
    errors = check_gradients(
        lambda v: (np.sin(v), v), lambda d, v: d * np.cos(v), {"x": x}
    )
    assert errors["x"] < 1e-8


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
        (
            lambda: numerical_gradient(0, np.zeros(3)),
            TypeError,
            r"f must be callable \(a function\), got f=0",
        ),
        (
            lambda: numerical_gradient(np.sin, np.zeros(3), np.full(3, "a")),
            TypeError,
            r"dout must have a real numeric dtype, got dout.dtype=<U1",
        ),
        (
            lambda: numerical_gradient(np.sin, np.zeros(3), [[1.0, 2.0], [3.0]]),
            TypeError,
            r"dout must be an array of numbers",
        ),
        (
            lambda: relative_error("not an array", np.zeros(3)),
            TypeError,
            r"a must be an array of numbers, got a='not an array'",
        ),
        (
            lambda: relative_error(np.zeros(3), np.full(3, "a")),
            TypeError,
            r"b must have a real numeric dtype, got b.dtype=<U1",
        ),
        (
            lambda: relative_error(np.full(3, None, object), np.zeros(3)),
            TypeError,
            r"a must have a real numeric dtype, got a.dtype=object",
        ),
        (
            lambda: relative_error(np.zeros(3) + 1j, np.zeros(3)),
            TypeError,
            r"a must have a real numeric dtype, got a.dtype=complex128",
        ),
        (
            lambda: relative_error(np.zeros(0), np.zeros(0)),
            ValueError,
            r"a must not be empty",
        ),
        (
            lambda: check_gradients(0, L.relu_backward, {"x": np.ones(3)}),
            TypeError,
            r"forward must be callable \(a function\), got forward=0",
        ),
        (
            lambda: check_gradients(L.relu_forward, 0, {"x": np.ones(3)}),
            TypeError,
            r"backward must be callable \(a function\), got backward=0",
        ),
        (
            lambda: check_gradients(L.relu_forward, L.relu_backward, "x"),
            TypeError,
            r"inputs must be a dict of str to arrays, got inputs='x'",
        ),
        (
            lambda: check_gradients(L.relu_forward, L.relu_backward, [np.ones(3)]),
            TypeError,
            r"inputs must be a dict of str to arrays",
        ),
        (
            lambda: check_gradients(L.relu_forward, L.relu_backward, {"x": "abc"}),
            TypeError,
            r"inputs\['x'\] must be an array of numbers, got inputs\['x'\]='abc'",
        ),
        (
            lambda: check_gradients(
                L.linear_forward, L.linear_backward, {"x": np.ones((3, 4))}
            ),
            TypeError,
            r"inputs must hold one array per argument of forward \(missing a required "
            r"argument: 'w'\), got inputs with keys \['x'\]",
        ),
        (
            lambda: check_gradients(
                L.relu_forward, L.relu_backward, {"x": np.ones(3), "z": np.ones(2)}
            ),
            TypeError,
            r"inputs must hold one array per argument of forward \(too many",
        ),
        (
            lambda: check_gradients(
                L.relu_forward, L.relu_backward, {"x": np.ones(3)}, rng="seed"
            ),
            TypeError,
            r"rng must be a numpy.random.Generator, an integer seed or None",
        ),
        (
            lambda: check_gradients(
                L.relu_forward, L.relu_backward, {"x": np.ones(3)}, dout=np.full(3, "a")
            ),
            TypeError,
            r"dout must have a real numeric dtype",
        ),
    ],
)
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
