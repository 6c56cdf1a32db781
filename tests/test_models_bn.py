"""Tests of chapter 4's experiment models in dlsip/models.py: init_weights and BatchNormMLP."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from dlsip.models import BatchNormMLP, count_parameters, init_weights


def _layers(model):
    return [m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))]


@pytest.mark.parametrize("layer", [nn.Linear(500, 300), nn.Conv2d(8, 200, 5), nn.Linear(200, 400, bias=False)],
                         ids=["linear", "conv", "linear-nobias"])
def test_kaiming_std_is_sqrt_2_over_fan_in(layer):
    init_weights(layer, "kaiming", seed=1)
    fan_in = layer.weight[0].numel()  # in_features, or C_in * kH * kW = 200
    w = layer.weight.detach().double()
    n = w.numel()
    # The sample std of n Gaussian draws is within 5 standard errors (sigma / sqrt(2n)).
    assert abs(w.std().item() - math.sqrt(2 / fan_in)) < 5 * math.sqrt(2 / fan_in) / math.sqrt(2 * n)
    assert abs(w.mean().item()) < 5 * math.sqrt(2 / fan_in) / math.sqrt(n)
    if layer.bias is not None:
        assert torch.count_nonzero(layer.bias) == 0


@pytest.mark.parametrize("std", [0.01, 0.5])
def test_normal_std(std):
    layer = init_weights(nn.Linear(400, 500), "normal", std=std, seed=2)
    w = layer.weight.detach().double()
    assert abs(w.std().item() - std) < 5 * std / math.sqrt(2 * w.numel())
    assert torch.count_nonzero(layer.bias) == 0


def test_torch_scheme_matches_torch_default_bound_and_spread():
    ours = init_weights(nn.Linear(300, 400), "torch", seed=3)
    torch.manual_seed(3)
    theirs = nn.Linear(300, 400)  # torch's own reset_parameters
    bound = 1 / math.sqrt(300)
    for a, b in ((ours.weight, theirs.weight), (ours.bias, theirs.bias)):
        assert a.abs().max().item() <= bound and b.abs().max().item() <= bound
        # Uniform(-c, c) has std c / sqrt(3); both samples must agree with it.
        for t in (a, b):
            se = 5 * bound / math.sqrt(3) / math.sqrt(t.numel())
            assert abs(t.detach().double().std().item() - bound / math.sqrt(3)) < se


@pytest.mark.parametrize("init", ["torch", "kaiming", "normal"])
def test_seed_makes_init_reproducible_and_leaves_batchnorm_alone(init):
    make = lambda: nn.Sequential(nn.Linear(20, 30), nn.BatchNorm1d(30), nn.ReLU(), nn.Conv2d(3, 4, 3))
    a, b = init_weights(make(), init, seed=7), init_weights(make(), init, seed=7)
    c = init_weights(make(), init, seed=8)
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)
    assert not torch.equal(a[0].weight, c[0].weight)
    assert torch.equal(a[1].weight, torch.ones(30)) and torch.equal(a[1].bias, torch.zeros(30))


def test_init_weights_does_not_build_a_graph():
    layer = init_weights(nn.Linear(4, 3), "kaiming", seed=0)
    assert layer.weight.grad_fn is None and layer.weight.requires_grad


@pytest.mark.parametrize("kwargs, error, match", [
    ({"init": "xavier"}, ValueError, r"init must be one of 'torch', 'kaiming', 'normal', got init='xavier'"),
    ({"init": "normal", "std": 0.0}, ValueError, r"std must be > 0.0, got std=0.0"),
    ({"seed": 1.5}, TypeError, r"seed must be an integer, got seed=1.5"),
])
def test_init_weights_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        init_weights(nn.Linear(2, 2), **kwargs)


def test_init_weights_rejects_non_module():
    with pytest.raises(TypeError, match=r"model must be a torch.nn.Module, got model=Tensor"):
        init_weights(torch.zeros(3))


@pytest.mark.parametrize("hidden", [(100, 100, 100), (7,), (5, 3)])
@pytest.mark.parametrize("batchnorm", [False, True])
@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_mlp_structure_and_parameter_count(hidden, batchnorm, activation):
    model = BatchNormMLP(hidden=hidden, batchnorm=batchnorm, activation=activation, seed=0)
    sizes = (784, *hidden, 10)
    weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    per_hidden = 2 if batchnorm else 1  # gamma and beta replace the bias
    assert count_parameters(model) == weights + per_hidden * sum(hidden) + 10
    names = [name for name, _ in model.named_children()]
    expected = ["flatten"]
    for i in range(1, len(hidden) + 1):
        expected += [f"fc{i}"] + ([f"bn{i}"] if batchnorm else []) + [f"act{i}"]
    assert names == expected + ["output"]
    act = nn.ReLU if activation == "relu" else nn.Sigmoid
    assert all(isinstance(getattr(model, f"act{i}"), act) for i in range(1, len(hidden) + 1))
    assert model(torch.zeros(4, 1, 28, 28)).shape == (4, 10)


def test_mlp_forward_is_the_formula():
    """h = relu(BN(W u)) in training mode, written out with torch's functional ops."""
    torch.manual_seed(0)
    model = BatchNormMLP(hidden=(6, 5), batchnorm=True, seed=4, in_features=8, num_classes=3).double()
    with torch.no_grad():
        model.bn1.weight.uniform_(0.5, 2.0)
        model.bn1.bias.normal_()
    x = torch.randn(9, 8, dtype=torch.float64)

    def bn(z, layer):
        mu, var = z.mean(0), z.var(0, unbiased=False)
        return layer.weight * (z - mu) / torch.sqrt(var + layer.eps) + layer.bias

    h = torch.relu(bn(x @ model.fc1.weight.T, model.bn1))
    h = torch.relu(bn(h @ model.fc2.weight.T, model.bn2))
    expected = h @ model.output.weight.T + model.output.bias
    assert torch.allclose(model(x), expected, rtol=0, atol=1e-12)


def test_mlp_with_and_without_bn_share_initial_weights():
    plain = BatchNormMLP(hidden=(50, 40), init="normal", std=0.01, seed=5)
    bn = BatchNormMLP(hidden=(50, 40), batchnorm=True, init="normal", std=0.01, seed=5)
    for name in ("fc1", "fc2", "output"):
        assert torch.equal(getattr(plain, name).weight, getattr(bn, name).weight)
    assert plain.fc1.bias is not None and bn.fc1.bias is None


def test_batchnorm_undoes_a_too_small_init():
    """With std=0.01 the plain net's signal shrinks layer by layer; with BN it does not."""
    x = torch.randn(256, 1, 28, 28)
    stds = {}
    for batchnorm in (False, True):
        model = BatchNormMLP(batchnorm=batchnorm, init="normal", std=0.01, seed=0)
        h = x.flatten(1)
        for i in (1, 2, 3):
            h = getattr(model, f"act{i}")(getattr(model, f"bn{i}", nn.Identity())(getattr(model, f"fc{i}")(h)))
        stds[batchnorm] = h.std().item()
    # Per layer the std is multiplied by about sqrt(n_in / 2) * 0.01: 0.2 for 784, 0.07 for 100.
    assert stds[False] < 1e-3
    assert 0.3 < stds[True] < 1.0  # relu of a standard normal has std sqrt((1 - 1/pi) / 2) = 0.58


@pytest.mark.parametrize("kwargs, error, match", [
    ({"hidden": 100}, TypeError, r"hidden must be a sequence of integers, got hidden=100"),
    ({"hidden": (10, 0)}, ValueError, r"hidden width must be a positive integer, got hidden width=0"),
    ({"activation": "tanh"}, ValueError, r"activation must be one of 'relu', 'sigmoid', got activation='tanh'"),
    ({"init": "zeros"}, ValueError, r"init must be one of"),
])
def test_mlp_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        BatchNormMLP(**kwargs)
