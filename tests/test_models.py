"""Tests of dlsip/models.py: output shapes derived with the convolution arithmetic of
dlsip.arithmetic, parameter counts from the per-layer formulas, the helpers, the
batch-norm experiments' MLP and initialisations (chapter 4) and the super-resolution
network."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from dlsip import layers
from dlsip.arithmetic import conv_output_size, pool_output_size
from dlsip.data import bicubic_upscale
from dlsip.models import (
    MLP,
    BatchNormMLP,
    FastCNN,
    LectureCNN,
    LeNet5,
    SmallCNN,
    SubPixelSR,
    count_parameters,
    feature_maps,
    init_weights,
)

MODELS = {
    "lecture": LectureCNN,
    "lenet5": LeNet5,
    "lenet5-relu-max": lambda: LeNet5(activation="relu", pool="max"),
    "mlp": MLP,
    "mlp-2-hidden": lambda: MLP(hidden=(64, 32)),
    "mlp-linear": lambda: MLP(hidden=()),
    "fast": FastCNN,
    "small": SmallCNN,
}

SHAPE_PRESERVING = (nn.BatchNorm2d, nn.ReLU, nn.Tanh, nn.Dropout, nn.Identity)


def derived_shapes(model: nn.Sequential, shape=(1, 28, 28)) -> dict:
    """Each named layer's output shape (per image), from chapter 2's arithmetic."""
    shapes = {}
    for name, layer in model.named_children():
        if isinstance(layer, nn.Conv2d):
            c, h, w = shape
            assert layer.in_channels == c
            hw = conv_output_size(
                (h, w),
                layer.kernel_size,
                stride=layer.stride,
                padding=layer.padding,
                dilation=layer.dilation,
            )
            shape = (layer.out_channels, *hw)
        elif isinstance(layer, (nn.MaxPool2d, nn.AvgPool2d)):
            c, h, w = shape
            hw = pool_output_size(
                (h, w), layer.kernel_size, stride=layer.stride, padding=layer.padding
            )
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
    """(k*k*C_in + 1)*C_out per conv (no +1 without bias), 2C per batch norm,
    (n_in + 1) n_out per linear layer: the counts of chapter 2, layer by layer."""
    total = 0
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            kh, kw = m.kernel_size
            total += (
                kh * kw * m.in_channels // m.groups + (m.bias is not None)
            ) * m.out_channels
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


@pytest.mark.parametrize(
    "model, expected",
    [
        # conv1 (9*1+1)*4 + bn1 2*4 + conv2 (9*4+1)*4 + bn2 2*4 + fc (196+1)*10
        (LectureCNN(), 40 + 8 + 148 + 8 + 1970),
        # c1 (25+1)*6, c3 (150+1)*16, c5 (400+1)*120, f6 121*84, output 85*10
        (LeNet5(), 156 + 2416 + 48120 + 10164 + 850),
        (MLP(hidden=(100,)), 785 * 100 + 101 * 10),
        (MLP(hidden=()), 785 * 10),
    ],
)
def test_documented_parameter_counts(model, expected):
    assert count_parameters(model) == expected


def test_lecture_cnn_is_the_syllabus_model():
    m = LectureCNN()
    convs = [m.conv1, m.conv2]
    assert [
        (c.in_channels, c.out_channels, c.kernel_size, c.stride, c.padding)
        for c in convs
    ] == [(1, 4, (3, 3), (1, 1), (1, 1)), (4, 4, (3, 3), (1, 1), (1, 1))]
    assert [bn.num_features for bn in (m.bn1, m.bn2)] == [4, 4]
    assert all(p.kernel_size == 2 and p.stride == 2 for p in (m.pool1, m.pool2))
    assert isinstance(m.pool1, nn.MaxPool2d) and isinstance(m.relu1, nn.ReLU)
    assert (m.fc.in_features, m.fc.out_features) == (4 * 7 * 7, 10)


@pytest.mark.parametrize("c", [1, 4, 16])
def test_lecture_cnn_channels_widens_both_blocks_and_keeps_the_default(c):
    m = LectureCNN(channels=c)
    assert [(v.in_channels, v.out_channels) for v in (m.conv1, m.conv2)] == [
        (1, c),
        (c, c),
    ]
    assert [bn.num_features for bn in (m.bn1, m.bn2)] == [c, c]
    assert m.fc.in_features == c * 7 * 7
    # counted by hand: conv1, bn1, conv2, bn2, fc
    expected = 10 * c + 2 * c + (9 * c + 1) * c + 2 * c + (49 * c + 1) * 10
    assert count_parameters(m) == expected
    assert m(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    if c == 4:  # the default is the lecture's model, parameter for parameter
        torch.manual_seed(0)
        a = LectureCNN(channels=4)
        torch.manual_seed(0)
        b = LectureCNN()
        assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


@pytest.mark.parametrize(
    ("channels", "error"), [(0, ValueError), (-3, ValueError), (2.5, TypeError)]
)
def test_lecture_cnn_rejects_bad_channels(channels, error):
    with pytest.raises(error, match="channels"):
        LectureCNN(channels=channels)


def test_lenet5_pads_the_first_layer_to_recover_the_paper_shapes():
    shapes = derived_shapes(LeNet5())
    # The paper's 32x32 input: C1 6@28x28, S2 6@14x14, C3 16@10x10, S4 16@5x5, C5
    # 120@1x1
    assert [shapes[k] for k in ("c1", "s2", "c3", "s4", "c5", "f6", "output")] == [
        (6, 28, 28),
        (6, 14, 14),
        (16, 10, 10),
        (16, 5, 5),
        (120, 1, 1),
        (84,),
        (10,),
    ]
    assert LeNet5().c1.padding == (2, 2)


@pytest.mark.parametrize(
    "activation, pool, act_type, pool_type",
    [("tanh", "avg", nn.Tanh, nn.AvgPool2d), ("relu", "max", nn.ReLU, nn.MaxPool2d)],
)
def test_lenet5_options(activation, pool, act_type, pool_type):
    m = LeNet5(activation=activation, pool=pool)
    assert isinstance(m.act1, act_type) and isinstance(m.s2, pool_type)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            {"activation": "sigmoid"},
            ValueError,
            "activation must be one of 'tanh', 'relu', got activation='sigmoid'",
        ),
        ({"pool": "l2"}, ValueError, "pool must be one of 'avg', 'max'"),
    ],
)
def test_lenet5_rejects_unknown_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        LeNet5(**kwargs)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            {"hidden": 100},
            TypeError,
            "hidden must be a sequence of integers, got hidden=100",
        ),
        (
            {"hidden": (100, 0)},
            ValueError,
            r"hidden\[1\] must be a positive integer, got hidden\[1\]=0",
        ),
        ({"hidden": (1.5,)}, TypeError, r"hidden\[0\] must be an integer"),
        ({"num_classes": 0}, ValueError, "num_classes must be a positive integer"),
    ],
)
def test_mlp_rejects_bad_widths(kwargs, error, match):
    with pytest.raises(error, match=match):
        MLP(**kwargs)


def test_models_output_logits_not_probabilities():
    torch.manual_seed(0)
    for make in (LectureCNN, LeNet5, MLP, FastCNN):
        out = make().eval()(torch.randn(4, 1, 28, 28))
        # Probabilities would be positive and sum to one; logits have no such
        # constraint.
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


@pytest.mark.parametrize(
    "model, x, error, match",
    [
        (
            nn.Linear(2, 2),
            torch.zeros(1, 2),
            TypeError,
            "model must be a torch.nn.Sequential, got model=Linear",
        ),
        (
            LectureCNN(),
            [[0.0]],
            TypeError,
            r"x must be a torch.Tensor, got x=\[\[0.0\]\]",
        ),
    ],
)
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


# ---- Chapter 4: initialisations and the batch-norm MLP ----


def _layers(model):
    return [m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))]


@pytest.mark.parametrize(
    "layer",
    [nn.Linear(500, 300), nn.Conv2d(8, 200, 5), nn.Linear(200, 400, bias=False)],
    ids=["linear", "conv", "linear-nobias"],
)
def test_kaiming_std_is_sqrt_2_over_fan_in(layer):
    init_weights(layer, init="kaiming", seed=1)
    fan_in = layer.weight[0].numel()  # in_features, or C_in * kH * kW = 200
    w = layer.weight.detach().double()
    n = w.numel()
    # The sample std of n Gaussian draws is within 5 standard errors (sigma / sqrt(2n)).
    assert abs(w.std().item() - math.sqrt(2 / fan_in)) < 5 * math.sqrt(
        2 / fan_in
    ) / math.sqrt(2 * n)
    assert abs(w.mean().item()) < 5 * math.sqrt(2 / fan_in) / math.sqrt(n)
    if layer.bias is not None:
        assert torch.count_nonzero(layer.bias) == 0


@pytest.mark.parametrize("std", [0.01, 0.5])
def test_normal_std(std):
    layer = init_weights(nn.Linear(400, 500), init="normal", std=std, seed=2)
    w = layer.weight.detach().double()
    assert abs(w.std().item() - std) < 5 * std / math.sqrt(2 * w.numel())
    assert torch.count_nonzero(layer.bias) == 0


def test_torch_scheme_matches_torch_default_bound_and_spread():
    ours = init_weights(nn.Linear(300, 400), init="torch", seed=3)
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
    def make():
        return nn.Sequential(
            nn.Linear(20, 30), nn.BatchNorm1d(30), nn.ReLU(), nn.Conv2d(3, 4, 3)
        )

    a, b = (
        init_weights(make(), init=init, seed=7),
        init_weights(make(), init=init, seed=7),
    )
    c = init_weights(make(), init=init, seed=8)
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)
    assert not torch.equal(a[0].weight, c[0].weight)
    assert torch.equal(a[1].weight, torch.ones(30)) and torch.equal(
        a[1].bias, torch.zeros(30)
    )


def test_init_weights_does_not_build_a_graph():
    layer = init_weights(nn.Linear(4, 3), init="kaiming", seed=0)
    assert layer.weight.grad_fn is None and layer.weight.requires_grad


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            {"init": "xavier"},
            ValueError,
            r"init must be one of 'torch', 'kaiming', 'normal', got init='xavier'",
        ),
        ({"init": "normal", "std": 0.0}, ValueError, r"std must be > 0.0, got std=0.0"),
        ({"seed": 1.5}, TypeError, r"seed must be an integer, got seed=1.5"),
    ],
)
def test_init_weights_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        init_weights(nn.Linear(2, 2), **kwargs)


def test_init_weights_rejects_non_module():
    with pytest.raises(
        TypeError, match=r"model must be a torch.nn.Module, got model=tensor"
    ):
        init_weights(torch.zeros(3))


@pytest.mark.parametrize("hidden", [(100, 100, 100), (7,), (5, 3)])
@pytest.mark.parametrize("batchnorm", [False, True])
@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_mlp_structure_and_parameter_count(hidden, batchnorm, activation):
    model = BatchNormMLP(
        hidden=hidden, batchnorm=batchnorm, activation=activation, seed=0
    )
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
    assert all(
        isinstance(getattr(model, f"act{i}"), act) for i in range(1, len(hidden) + 1)
    )
    assert model(torch.zeros(4, 1, 28, 28)).shape == (4, 10)


def test_mlp_forward_is_the_formula():
    """h = relu(BN(W u)) in training mode, written out with torch's functional ops."""
    torch.manual_seed(0)
    model = BatchNormMLP(
        hidden=(6, 5), batchnorm=True, seed=4, in_features=8, num_classes=3
    ).double()
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
    """With std=0.01 the plain net's signal shrinks layer by layer; with BN, not."""
    x = torch.randn(256, 1, 28, 28)
    stds = {}
    for batchnorm in (False, True):
        model = BatchNormMLP(batchnorm=batchnorm, init="normal", std=0.01, seed=0)
        h = x.flatten(1)
        for i in (1, 2, 3):
            h = getattr(model, f"act{i}")(
                getattr(model, f"bn{i}", nn.Identity())(getattr(model, f"fc{i}")(h))
            )
        stds[batchnorm] = h.std().item()
    # Per layer the std is multiplied by about sqrt(n_in / 2) * 0.01: 0.2 for 784, 0.07
    # for 100.
    assert stds[False] < 1e-3
    assert (
        0.3 < stds[True] < 1.0
    )  # relu of a standard normal has std sqrt((1 - 1/pi) / 2) = 0.58


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            {"hidden": 100},
            TypeError,
            r"hidden must be a sequence of integers, got hidden=100",
        ),
        (
            {"hidden": (10, 0)},
            ValueError,
            r"hidden\[1\] must be a positive integer, got hidden\[1\]=0",
        ),
        (
            {"activation": "tanh"},
            ValueError,
            r"activation must be one of 'relu', 'sigmoid', got activation='tanh'",
        ),
        ({"init": "zeros"}, ValueError, r"init must be one of"),
    ],
)
def test_mlp_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        BatchNormMLP(**kwargs)


# ---- Chapters 6 and 7: the sub-pixel network and the small CNN ----


def test_sub_pixel_sr_shapes_and_residual():
    torch.manual_seed(0)
    model = SubPixelSR(scale=3)
    x = torch.rand(2, 1, 8, 7)
    y = model(x)
    assert tuple(y.shape) == (2, 1, 24, 21)
    # Its last step is torch's PixelShuffle; with the last convolution zeroed, the
    # residual
    # model is exactly bicubic upscaling.
    last = model.body[-1]
    assert last.out_channels == 9 and isinstance(model.shuffle, nn.PixelShuffle)
    with torch.no_grad():
        last.weight.zero_()
        last.bias.zero_()
    torch.testing.assert_close(model(x), bicubic_upscale(x, scale=3))
    plain = SubPixelSR(scale=2, residual=False, features=(8, 4))
    with torch.no_grad():
        body = plain.body(x)
        shuffled = layers.pixel_shuffle(body.numpy(), 2)
        np.testing.assert_array_equal(plain(x).numpy(), shuffled)
    with pytest.raises(ValueError, match="scale must be a positive integer"):
        SubPixelSR(scale=0)
    with pytest.raises(TypeError, match="features must be a pair"):
        SubPixelSR(features=8)


def test_sub_pixel_sr_is_a_plain_module_level_class():
    assert SubPixelSR.__module__ == "dlsip.models" and issubclass(SubPixelSR, nn.Module)
    assert SubPixelSR.__qualname__ == "SubPixelSR"


def test_small_cnn_is_the_notebooks_network_with_named_layers():
    # Notebook 07 built it as a plain Sequential: the same layers in the same order draw
    # the same initial weights from the same seed, so its results do not change.
    torch.manual_seed(0)
    ours = SmallCNN()
    torch.manual_seed(0)
    notebook = nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 7 * 7, 10),
    )  # fmt: skip
    theirs = list(notebook.state_dict().values())
    assert len(ours.state_dict()) == len(theirs)
    for a, b in zip(ours.state_dict().values(), theirs, strict=True):
        assert torch.equal(a, b)
    x = torch.randn(3, 1, 28, 28)
    torch.testing.assert_close(ours(x), notebook(x), rtol=0, atol=0)
    assert ours[0] is ours.conv1 and ours.fc.in_features == 784


# ---- arguments checked before a layer is built or a tensor reaches torch ----


@pytest.mark.parametrize("flag", [0, "yes"])
def test_count_parameters_takes_only_a_bool(flag):
    with pytest.raises(TypeError, match="trainable_only must be True or False"):
        count_parameters(LectureCNN(), trainable_only=flag)


def _two_channel_cnn():
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU())


@pytest.mark.parametrize(
    "x",
    [
        torch.zeros(2, 2, 6, 6),  # two channels for a one-channel layer
        torch.zeros(1, 2, 1, 6, 6),  # 5D
        torch.zeros(2, 6, 6),  # unbatched, with two channels
        torch.zeros(2, 1, 6, 6, dtype=torch.complex64),
    ],
    ids=["channels", "5D", "3D", "complex"],
)
def test_feature_maps_names_x_and_the_layer_that_cannot_take_it(x):
    with pytest.raises(
        ValueError, match=r"x of shape .* does not fit model: its layer '0'"
    ):
        feature_maps(_two_channel_cnn(), x)


def test_feature_maps_rejects_an_empty_batch():
    with pytest.raises(ValueError, match=r"x must not be empty, got x with shape \(0,"):
        feature_maps(_two_channel_cnn(), torch.zeros(0, 1, 6, 6))


@pytest.mark.parametrize("make", [MLP, BatchNormMLP])
@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            {"hidden": ""},
            TypeError,
            "hidden must be a sequence of integers, got hidden=''",
        ),
        (
            {"in_features": 10**12},
            ValueError,
            r"in_features=1000000000000, hidden=\(5,\) and num_classes=10 would make",
        ),
        (
            {"num_classes": 10**12},
            ValueError,
            r"in_features=784, hidden=\(5,\) and num_classes=1000000000000 would make",
        ),
    ],
)
def test_mlps_reject_bad_widths_before_allocating(make, kwargs, error, match):
    with pytest.raises(error, match=match):
        make(**{"hidden": (5,), **kwargs})


@pytest.mark.parametrize("flag", [0, "yes"])
def test_batchnorm_mlp_takes_only_a_bool(flag):
    with pytest.raises(TypeError, match="batchnorm must be True or False"):
        BatchNormMLP(batchnorm=flag)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"residual": 0}, TypeError, "residual must be True or False, got residual=0"),
        ({"residual": "yes"}, TypeError, "residual must be True or False"),
        ({"channels": 10**12}, ValueError, "channels=1000000000000 and features"),
        ({"scale": 10**12}, ValueError, "scale=1000000000000, channels=1 and"),
    ],
)
def test_sub_pixel_sr_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        SubPixelSR(**kwargs)
