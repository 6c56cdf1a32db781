"""Tests of chapter 5's models in dlsip/models.py: output shapes derived with the convolution
arithmetic of dlsip.arithmetic, parameter counts from the per-layer formulas, and helpers."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlsip.arithmetic import conv_output_size, pool_output_size
from dlsip.models import MLP, FastCNN, LectureCNN, LeNet5, count_parameters, feature_maps

MODELS = {
    "lecture": LectureCNN,
    "lenet5": LeNet5,
    "lenet5-relu-max": lambda: LeNet5(activation="relu", pool="max"),
    "mlp": MLP,
    "mlp-2-hidden": lambda: MLP(hidden=(64, 32)),
    "mlp-linear": lambda: MLP(hidden=()),
    "fast": FastCNN,
}

SHAPE_PRESERVING = (nn.BatchNorm2d, nn.ReLU, nn.Tanh, nn.Dropout, nn.Identity)


def derived_shapes(model: nn.Sequential, shape=(1, 28, 28)) -> dict:
    """Each named layer's output shape (per image), from o = floor((i + 2p - k)/s) + 1."""
    shapes = {}
    for name, layer in model.named_children():
        if isinstance(layer, nn.Conv2d):
            c, h, w = shape
            assert layer.in_channels == c
            hw = conv_output_size((h, w), layer.kernel_size, stride=layer.stride, padding=layer.padding,
                                  dilation=layer.dilation)
            shape = (layer.out_channels, *hw)
        elif isinstance(layer, (nn.MaxPool2d, nn.AvgPool2d)):
            c, h, w = shape
            hw = pool_output_size((h, w), layer.kernel_size, stride=layer.stride, padding=layer.padding)
            shape = (c, *hw)
        elif isinstance(layer, nn.Flatten):
            n = 1
            for d in shape:
                n *= d
            shape = (n,)
        elif isinstance(layer, nn.Linear):
            assert shape == (layer.in_features,)
            shape = (layer.out_features,)
        elif isinstance(layer, SHAPE_PRESERVING):
            pass
        else:
            raise AssertionError(f"no shape rule for layer {name}: {layer}")
        shapes[name] = shape
    return shapes


def formula_parameters(model: nn.Module) -> int:
    """(k*k*C_in + 1)*C_out per conv (no +1 without bias), 2C per batch norm, (n_in + 1) n_out
    per linear layer: the counts of chapter 2, layer by layer."""
    total = 0
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            kh, kw = m.kernel_size
            total += (kh * kw * m.in_channels // m.groups + (m.bias is not None)) * m.out_channels
        elif isinstance(m, nn.BatchNorm2d):
            total += 2 * m.num_features if m.affine else 0
        elif isinstance(m, nn.Linear):
            total += (m.in_features + (m.bias is not None)) * m.out_features
    return total


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("batch", [1, 3])
def test_every_layer_has_the_shape_the_arithmetic_predicts(name, batch):
    model = MODELS[name]()
    maps = feature_maps(model, torch.randn(batch, 1, 28, 28))
    expected = derived_shapes(model)
    assert list(maps) == list(expected)
    for layer, out in maps.items():
        assert tuple(out.shape) == (batch, *expected[layer]), layer
    assert tuple(model(torch.randn(batch, 1, 28, 28)).shape) == (batch, 10)


@pytest.mark.parametrize("name", MODELS)
def test_parameter_count_matches_the_per_layer_formula(name):
    model = MODELS[name]()
    assert count_parameters(model) == formula_parameters(model)
    assert count_parameters(model) == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("model, expected", [
    # conv1 (9*1+1)*4 + bn1 2*4 + conv2 (9*4+1)*4 + bn2 2*4 + fc (196+1)*10
    (LectureCNN(), 40 + 8 + 148 + 8 + 1970),
    # c1 (25+1)*6, c3 (150+1)*16, c5 (400+1)*120, f6 121*84, output 85*10
    (LeNet5(), 156 + 2416 + 48120 + 10164 + 850),
    (MLP(hidden=(100,)), 785 * 100 + 101 * 10),
    (MLP(hidden=()), 785 * 10),
])
def test_documented_parameter_counts(model, expected):
    assert count_parameters(model) == expected


def test_lecture_cnn_is_the_syllabus_model():
    m = LectureCNN()
    convs = [m.conv1, m.conv2]
    assert [(c.in_channels, c.out_channels, c.kernel_size, c.stride, c.padding) for c in convs] == [
        (1, 4, (3, 3), (1, 1), (1, 1)), (4, 4, (3, 3), (1, 1), (1, 1))]
    assert [bn.num_features for bn in (m.bn1, m.bn2)] == [4, 4]
    assert all(p.kernel_size == 2 and p.stride == 2 for p in (m.pool1, m.pool2))
    assert isinstance(m.pool1, nn.MaxPool2d) and isinstance(m.relu1, nn.ReLU)
    assert (m.fc.in_features, m.fc.out_features) == (4 * 7 * 7, 10)


def test_lenet5_pads_the_first_layer_to_recover_the_paper_shapes():
    shapes = derived_shapes(LeNet5())
    # The paper's 32x32 input: C1 6@28x28, S2 6@14x14, C3 16@10x10, S4 16@5x5, C5 120@1x1
    assert [shapes[k] for k in ("c1", "s2", "c3", "s4", "c5", "f6", "output")] == [
        (6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 5, 5), (120, 1, 1), (84,), (10,)]
    assert LeNet5().c1.padding == (2, 2)


@pytest.mark.parametrize("activation, pool, act_type, pool_type", [
    ("tanh", "avg", nn.Tanh, nn.AvgPool2d), ("relu", "max", nn.ReLU, nn.MaxPool2d)])
def test_lenet5_options(activation, pool, act_type, pool_type):
    m = LeNet5(activation=activation, pool=pool)
    assert isinstance(m.act1, act_type) and isinstance(m.s2, pool_type)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"activation": "sigmoid"}, ValueError, "activation must be one of 'tanh', 'relu', got activation='sigmoid'"),
    ({"pool": "l2"}, ValueError, "pool must be one of 'avg', 'max'"),
])
def test_lenet5_rejects_unknown_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        LeNet5(**kwargs)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"hidden": 100}, TypeError, "hidden must be a sequence of integers, got hidden=100"),
    ({"hidden": (100, 0)}, ValueError, "hidden width must be a positive integer, got hidden width=0"),
    ({"hidden": (1.5,)}, TypeError, "hidden width must be an integer"),
    ({"num_classes": 0}, ValueError, "num_classes must be a positive integer"),
])
def test_mlp_rejects_bad_widths(kwargs, error, match):
    with pytest.raises(error, match=match):
        MLP(**kwargs)


def test_models_output_logits_not_probabilities():
    torch.manual_seed(0)
    for make in (LectureCNN, LeNet5, MLP, FastCNN):
        out = make().eval()(torch.randn(4, 1, 28, 28))
        # Probabilities would be positive and sum to one; logits have no such constraint.
        assert not torch.allclose(out.sum(dim=1), torch.ones(4))


def test_feature_maps_match_a_manual_forward_and_restore_the_mode():
    torch.manual_seed(0)
    model = LectureCNN().train()
    x = torch.randn(2, 1, 28, 28)
    maps = feature_maps(model, x)
    assert model.training  # restored
    model.eval()
    with torch.no_grad():
        h = model.pool1(model.relu1(model.bn1(model.conv1(x))))
        torch.testing.assert_close(maps["pool1"], h)
        torch.testing.assert_close(maps["fc"], model(x))


@pytest.mark.parametrize("model, x, error, match", [
    (nn.Linear(2, 2), torch.zeros(1, 2), TypeError, "model must be a torch.nn.Sequential, got model=Linear"),
    (LectureCNN(), [[0.0]], TypeError, "x must be a torch.Tensor, got x=list"),
])
def test_feature_maps_errors(model, x, error, match):
    with pytest.raises(error, match=match):
        feature_maps(model, x)


def test_count_parameters_counts_only_trainable_by_default():
    model = LectureCNN()
    for p in model.conv1.parameters():
        p.requires_grad_(False)
    assert count_parameters(model) == 2174 - 40
    assert count_parameters(model, trainable_only=False) == 2174
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        count_parameters("LectureCNN")
