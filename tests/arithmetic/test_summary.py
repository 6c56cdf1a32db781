"""dlsip.arithmetic.summary: per-layer tables against torch's own counters."""

from __future__ import annotations

import math

import pytest
import torch
import torchvision
from torch import nn

from dlsip import arithmetic as A

# ------------------------------------------------------------------ summary


def _flop_counter_macs(model, shape):
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(torch.zeros(shape))
    return counter.get_total_flops() // 2  # torch counts a multiply-add as 2 FLOPs


class _Shared(nn.Module):
    """A layer used twice, and a parameter that belongs to no leaf module."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 2, 3, padding=1)
        self.scale = nn.Parameter(torch.ones(1))
        self.unused = nn.Linear(3, 3)

    def forward(self, x):
        return self.conv(self.conv(x)) * self.scale


def _lenet_like():
    """The slide's LeNet-like network for 32x32x3 input, as torch layers."""
    return nn.Sequential(
        nn.Conv2d(3, 8, 5),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 5),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.ReLU(),
        nn.Linear(84, 10),
        nn.Softmax(dim=1),
    )


MODELS = {
    "lenet5": (
        lambda: __import__("dlsip.models", fromlist=["LeNet5"]).LeNet5(),
        (2, 1, 28, 28),
    ),
    "lecture": (
        lambda: __import__("dlsip.models", fromlist=["LectureCNN"]).LectureCNN(),
        (1, 1, 28, 28),
    ),
    "lenet_like": (_lenet_like, (1, 3, 32, 32)),
    "grouped_transposed": (
        lambda: nn.Sequential(
            nn.Conv2d(4, 8, 3, groups=2, bias=False),
            nn.BatchNorm2d(8),
            nn.ReLU(),
            nn.ConvTranspose2d(8, 6, 4, stride=2, padding=1, groups=2),
            nn.Identity(),
            nn.Conv2d(6, 6, 3, groups=6),
            nn.Conv2d(6, 12, 1),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(12, 5),
        ),
        (3, 4, 9, 11),
    ),
    "shared": (_Shared, (1, 2, 6, 6)),
    "resnet18": (lambda: torchvision.models.resnet18(weights=None), (1, 3, 64, 64)),
}


@pytest.mark.parametrize("name", MODELS)
def test_summary_totals(name):
    factory, shape = MODELS[name]
    model = factory()
    s = A.summary(model, shape)
    assert s.total_params == sum(p.numel() for p in model.parameters())
    assert s.trainable_params == s.total_params
    assert s.total_macs == _flop_counter_macs(model, shape)
    text = str(s)
    assert (
        f"total parameters: {s.total_params:,}" in text
        and f"(MACs): {s.total_macs:,}" in text
    )


def test_summary_rows_of_a_shared_layer_and_leftover_parameters():
    s = A.summary(_Shared(), (1, 2, 6, 6))
    assert [r.name for r in s.rows] == ["conv", "conv", "(other parameters)"]
    assert [r.params for r in s.rows] == [2 * 2 * 9 + 2, 0, 1 + 3 * 3 + 3]
    assert s.rows[0].macs == s.rows[1].macs == 1 * 2 * 6 * 6 * 2 * 9


@pytest.mark.parametrize(
    ("c", "o", "k", "h", "w"), [(3, 8, 3, 10, 12), (16, 32, 5, 7, 7), (1, 4, 1, 4, 6)]
)
def test_summary_matches_depthwise_separable_cost_formula(c, o, k, h, w):
    # same-size outputs, N x M = h x w: cost C (N M) K^2 + (N M) C O versus (N M) K^2 C
    # O
    p = k // 2
    separable = nn.Sequential(
        nn.Conv2d(c, c, k, padding=p, groups=c, bias=False),
        nn.Conv2d(c, o, 1, bias=False),
    )
    standard = nn.Conv2d(c, o, k, padding=p, bias=False)
    assert (
        A.summary(separable, (1, c, h, w)).total_macs
        == c * h * w * k * k + h * w * c * o
    )
    assert A.summary(standard, (1, c, h, w)).total_macs == h * w * k * k * c * o


def test_summary_restores_training_mode_and_leaves_running_stats():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2))
    model.train()
    A.summary(model, (1, 1, 5, 5))
    assert model.training and model[1].training
    assert int(model[1].num_batches_tracked) == 0


@pytest.mark.parametrize(
    ("model", "size", "error", "match"),
    [
        ("not a model", (1, 1, 4, 4), TypeError, "model must be a torch.nn.Module"),
        (
            nn.Conv2d(1, 1, 3),
            28,
            TypeError,
            r"input_size must be a tuple of integers \(with the batch dimension\)",
        ),
        (
            nn.Conv2d(1, 1, 3),
            (1, 1, 0, 4),
            ValueError,
            "input_size must be a positive integer",
        ),
        (
            nn.Conv2d(1, 2, 3),
            (1, 3, 9, 9),
            ValueError,
            r"input_size=\(1, 3, 9, 9\) does not fit model: .*1 channels",
        ),
        (
            nn.Conv2d(1, 2, 3),
            (1, 1, 10**6, 10**6),
            ValueError,
            r"input_size=\(1, 1, 1000000, 1000000\) would make the input",
        ),
    ],
)
def test_summary_errors(model, size, error, match):
    with pytest.raises(error, match=match):
        A.summary(model, size)


# ------------------------------------------------------------------ syllabus numbers


def test_syllabus_760_parameters():
    # 10 filters of 5x5x3: (5 * 5 * 3 + 1) * 10
    assert (
        A.summary(nn.Conv2d(3, 10, 5), (1, 3, 32, 32)).total_params
        == (5 * 5 * 3 + 1) * 10
        == 760
    )


def test_lenet_like_table_shapes_and_real_parameter_counts():
    s = A.summary(_lenet_like(), (1, 3, 32, 32))
    rows = {r.name: r for r in s.rows}
    # the slide's activation shapes (HWC on the slide, NCHW here) and sizes
    shapes = {
        "0": (1, 8, 28, 28),
        "2": (1, 8, 14, 14),
        "3": (1, 16, 10, 10),
        "5": (1, 16, 5, 5),
        "7": (1, 120),
        "9": (1, 84),
        "11": (1, 10),
        "12": (1, 10),
    }
    sizes = {"0": 6272, "2": 1568, "3": 1600, "5": 400, "7": 120, "9": 84, "11": 10}
    for name, shape in shapes.items():
        assert rows[name].output_shape == shape
    for name, size in sizes.items():
        assert math.prod(rows[name].output_shape) == size
    # torch's counts: (k * k * C_in + 1) * C_out for convs, (n_in + 1) * n_out for
    # linear
    real = {
        "0": (5 * 5 * 3 + 1) * 8,
        "3": (5 * 5 * 8 + 1) * 16,
        "7": (400 + 1) * 120,
        "9": (120 + 1) * 84,
        "11": (84 + 1) * 10,
    }
    assert real == {"0": 608, "3": 3216, "7": 48120, "9": 10164, "11": 850}
    for name, count in real.items():
        assert rows[name].params == count
    assert s.total_params == sum(real.values()) == 62958


def test_lenet_like_summary_differs_from_the_slide_column_by_the_ignored_terms():
    # The slide's column ignores the input depth of conv filters and gives a fully
    # connected layer a single bias: (k * k + 1) * n_filters and n_in * n_out + 1. The
    # summary counts what torch allocates; the difference is exactly what the slide left
    # out: k * k * (C_in - 1) * C_out weights of a conv, n_out - 1 biases of a linear.
    slide = {"0": 208, "3": 416, "7": 48001, "9": 10081, "11": 841}
    model = _lenet_like()
    rows = {r.name: r for r in A.summary(model, (1, 3, 32, 32)).rows}
    for name, count in slide.items():
        layer = model[int(name)]
        if isinstance(layer, nn.Conv2d):
            k = layer.kernel_size[0]
            left_out = k * k * (layer.in_channels - 1) * layer.out_channels
        else:
            left_out = layer.out_features - 1
        assert rows[name].params - count == left_out
