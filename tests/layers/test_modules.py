"""Tests of dlsip.layers.modules: layer objects against their functions and torch's
modules, initialisation, train/eval switching, Sequential; errors."""

import numpy as np
import pytest
import torch

from dlsip import layers as L
from tests.layers._oracle import assert_close


def test_init_follows_torch_bounds():
    """torch's default init draws U(-1/sqrt(fan_in), 1/sqrt(fan_in)); check the bounds
    are respected and nearly reached."""
    conv = L.Conv2d(8, 64, 3, rng=np.random.default_rng(0))
    bound = 1 / np.sqrt(8 * 9)
    assert (
        np.abs(conv.weight).max() <= bound and np.abs(conv.weight).max() > 0.99 * bound
    )
    assert np.abs(conv.bias).max() <= bound
    fc = L.Linear(50, 200, rng=np.random.default_rng(1))
    assert 0.99 / np.sqrt(50) < np.abs(fc.weight).max() <= 1 / np.sqrt(50)


def test_conv2d_module_is_the_function_and_stores_gradients():
    rng = np.random.default_rng(2)
    conv = L.Conv2d(2, 3, (3, 2), stride=2, padding=1, rng=rng, dtype=np.float64)
    x = rng.standard_normal((2, 2, 6, 5))
    out = conv(x)
    expected, cache = L.conv2d_forward(x, conv.weight, conv.bias, stride=2, padding=1)
    np.testing.assert_array_equal(out, expected)
    dout = rng.standard_normal(out.shape)
    dx = conv.backward(dout)
    dx_, dw, db = L.conv2d_backward(dout, cache)
    np.testing.assert_array_equal(dx, dx_)
    np.testing.assert_array_equal(conv.dweight, dw)
    np.testing.assert_array_equal(conv.dbias, db)
    assert conv.grads()[0] is conv.dweight  # the optimisers read these arrays


def test_modules_without_bias_have_one_parameter():
    conv = L.Conv2d(1, 2, 3, bias=False, rng=np.random.default_rng(0))
    fc = L.Linear(4, 2, bias=False, rng=np.random.default_rng(0))
    for layer, x in (
        (conv, np.ones((1, 1, 4, 4), np.float32)),
        (fc, np.ones((3, 4), np.float32)),
    ):
        out = layer(x)
        layer.backward(np.ones_like(out))
        assert len(layer.parameters()) == len(layer.grads()) == 1


def test_batchnorm_module_matches_torch_module():
    rng = np.random.default_rng(20)
    bn = L.BatchNorm2d(3, dtype=np.float64, momentum=0.2)
    tbn = torch.nn.BatchNorm2d(3, momentum=0.2).double()
    for _ in range(3):
        x = rng.standard_normal((4, 3, 5, 5)) * 2 + 1
        assert_close(bn(x), tbn(torch.from_numpy(x)).detach().numpy())
    assert_close(bn.running_mean, tbn.running_mean.numpy())
    assert_close(bn.running_var, tbn.running_var.numpy())
    bn.eval(), tbn.eval()
    x = rng.standard_normal((1, 3, 4, 4))  # batch 1 is fine in eval mode
    assert_close(bn(x), tbn(torch.from_numpy(x)).detach().numpy())


def test_train_and_eval_switch_batchnorm():
    net = L.Sequential(
        L.Conv2d(1, 2, 3, rng=np.random.default_rng(0), dtype=np.float64),
        L.BatchNorm2d(2, dtype=np.float64),
    )
    x = np.random.default_rng(1).standard_normal((4, 1, 5, 5))
    net.train()
    out = net(x)
    np.testing.assert_allclose(
        out.mean(axis=(0, 2, 3)), 0, atol=1e-12
    )  # batch statistics
    net.eval()
    assert net[1].training is False
    assert np.abs(net(x).mean(axis=(0, 2, 3))).max() > 1e-3  # running statistics


@pytest.mark.parametrize(
    "layer, function, kwargs",
    [
        (
            L.MaxPool2d(3, stride=2, padding=1),
            L.maxpool2d_forward,
            {"kernel_size": 3, "stride": 2, "padding": 1},
        ),
        (L.AvgPool2d(2), L.avgpool2d_forward, {"kernel_size": 2}),
        (L.ReLU(), L.relu_forward, {}),
        (
            L.LeakyReLU(negative_slope=0.3),
            L.leaky_relu_forward,
            {"negative_slope": 0.3},
        ),
        (L.Sigmoid(), L.sigmoid_forward, {}),
        (L.Tanh(), L.tanh_forward, {}),
    ],
)
def test_stateless_layers_are_their_functions(layer, function, kwargs):
    x = np.random.default_rng(3).standard_normal((2, 2, 6, 6))
    np.testing.assert_array_equal(layer(x), function(x, **kwargs)[0])
    assert layer.backward(np.ones_like(layer(x))).shape == x.shape


def test_hyperparameters_are_keyword_only():
    with pytest.raises(TypeError):
        L.MaxPool2d(2, 2)
    with pytest.raises(TypeError):
        L.Conv2d(1, 1, 3, 1)
    with pytest.raises(TypeError):
        L.LeakyReLU(0.1)


def test_flatten_and_sequential():
    f = L.Flatten()
    assert f(np.zeros((2, 3, 4, 4))).shape == (2, 48)
    assert f.backward(np.zeros((2, 48))).shape == (2, 3, 4, 4)
    with pytest.raises(
        ValueError, match=r"dout must have the output's shape \(2, 48\)"
    ):
        f.backward(np.zeros((2, 47)))
    with pytest.raises(ValueError, match="x must have a batch axis"):
        f(np.zeros(3))
    net = L.Sequential(L.Linear(2, 2, rng=np.random.default_rng(0)), L.ReLU())
    assert len(net) == 2 and isinstance(net[1], L.ReLU)
    assert "Linear(2, 2)" in repr(net)


def test_module_errors():
    with pytest.raises(
        TypeError, match=r"layers must be dlsip.layers.Module instances, got layer 1"
    ):
        L.Sequential(L.ReLU(), torch.nn.ReLU())
    with pytest.raises(RuntimeError, match="ReLU.backward was called before forward"):
        L.ReLU().backward(np.zeros(3))
    with pytest.raises(RuntimeError, match="Conv2d.backward was called before forward"):
        L.Conv2d(1, 1, 1).backward(np.zeros((1, 1, 1, 1)))
    with pytest.raises(ValueError, match="in_channels must be a positive integer"):
        L.Conv2d(0, 1, 3)
    with pytest.raises(ValueError, match="stride must be a positive integer"):
        L.Conv2d(1, 1, 3, stride=0)
    with pytest.raises(ValueError, match="x must be 4D"):
        L.BatchNorm2d(3)(np.zeros((2, 3)))


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: L.Conv2d(1, 1, 3, rng=1.5), "rng must be a numpy.random.Generator"),
        (lambda: L.Linear(1, 1, dtype="abc"), "dtype must be a NumPy float dtype"),
        (lambda: L.Linear(1, 1, dtype=np.int64), "dtype must be float32 or float64"),
        (lambda: L.BatchNorm1d(2, dtype=np.int32), "dtype must be float32 or float64"),
        (
            lambda: L.lecture_cnn_numpy(rng="seed"),
            "rng must be a numpy.random.Generator",
        ),
    ],
)
def test_module_construction_type_errors(make, match):
    with pytest.raises(TypeError, match=match):
        make()


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: L.MaxPool2d(2, padding=2), ValueError, "padding must be at most half"),
        (lambda: L.AvgPool2d(0), ValueError, "kernel_size must be a positive integer"),
        (lambda: L.MaxPool2d(2, stride=1.5), TypeError, "stride must be an integer"),
        (
            lambda: L.LeakyReLU(negative_slope=float("nan")),
            ValueError,
            "negative_slope",
        ),
        (
            lambda: L.Conv2d(1, 1, 3, bias="yes"),
            TypeError,
            "bias must be True or False, got bias='yes'",
        ),
        (
            lambda: L.Linear(10**6, 10**6),
            ValueError,
            r"in_features=1000000, .* would make",
        ),
        (
            lambda: L.BatchNorm2d(3, momentum=2.0),
            ValueError,
            r"momentum must be in \[0, 1\]",
        ),
        (
            lambda: L.lecture_cnn_numpy(channels=10**9),
            ValueError,
            "channels=1000000000",
        ),
    ],
)
def test_constructors_check_their_hyperparameters(make, error, match):
    with pytest.raises(error, match=match):
        make()
