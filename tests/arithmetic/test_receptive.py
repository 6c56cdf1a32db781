"""dlsip.arithmetic.receptive: receptive fields against back-propagated gradients."""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import torchvision
from torch import nn

from dlsip import arithmetic as A

# ------------------------------------------------------------------ receptive fields


def test_receptive_field_syllabus_example():
    table = A.receptive_field([(3, 2, 1), (3, 2, 1)], 5)
    assert [(r.n, r.j, r.r, r.start) for r in table] == [
        (5, 1, 1, 0.5),
        (3, 2, 3, 0.5),
        (2, 4, 7, 0.5),
    ]
    assert "start" in str(table) and len(str(table).splitlines()) == 5


def test_receptive_field_dilation_uses_effective_kernel():
    # WaveNet-style stack: kernel 2, dilations 1, 2, 4, 8 -> r = 1 + 1 + 2 + 4 + 8 = 16
    table = A.receptive_field(
        [(2, 1, 0, 1), (2, 1, 0, 2), (2, 1, 0, 4), (2, 1, 0, 8)], 32
    )
    assert table[-1].r == 16
    assert table[-1].n == 32 - 15


def _interval(rec, u, size, clip=True):
    """The input pixels (inclusive range) of output u, from the arithmetic, clipped."""
    centre = rec.start + u * rec.j
    lo = math.floor(centre - rec.r / 2 + 1e-9)
    hi = math.ceil(centre + rec.r / 2 - 1e-9) - 1
    return (max(lo, 0), min(hi, size - 1)) if clip else (lo, hi)


def _check_support(got, rec, u, size):
    """The gradient's support spans the arithmetic's interval when that lies inside the
    image. When it sticks out, the support lies within the clipped interval; it can be
    shorter, because a dilated or strided stack has holes, and a hole may be all that is
    left inside the image at the border. Returns whether the strict comparison was
    made."""
    lo, hi = _interval(rec, u, size, clip=False)
    if got is None:  # only padding under this unit: possible only at the border
        assert lo < 0 or hi >= size
        return False
    if 0 <= lo and hi < size:
        assert got == (lo, hi), (got, lo, hi)
        return True
    clipped = _interval(rec, u, size)
    assert clipped[0] <= got[0] <= got[1] <= clipped[1], (got, clipped)
    return False


def _chain_from_tuples(layers, dims=1):
    conv = nn.Conv1d if dims == 1 else nn.Conv2d
    return nn.Sequential(
        *[conv(1, 1, k, stride=s, padding=p, dilation=d) for k, s, p, d in layers]
    )


@pytest.mark.parametrize("seed", range(12))
def test_receptive_field_matches_gradient_support_random_chains(seed):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(20, 60))
    layers = []
    n = size
    for _ in range(int(rng.integers(1, 5))):
        k, s, p, d = (
            int(rng.integers(1, 6)),
            int(rng.integers(1, 4)),
            int(rng.integers(0, 3)),
            int(rng.integers(1, 3)),
        )
        try:
            n = A.conv_output_size(n, k, stride=s, padding=p, dilation=d)
        except ValueError:
            break
        layers.append((k, s, p, d))
    table = A.receptive_field(layers, size)
    model = _chain_from_tuples(layers)
    assert table[-1].n == model(torch.zeros(1, 1, size)).shape[-1]
    strict = 0
    for u in range(table[-1].n):
        support = A.empirical_receptive_field(model, (1, size), position=(u,))
        strict += _check_support(support and support[0], table[-1], u, size)
    assert strict >= 1 or table[-1].r > size - 2


def test_receptive_field_with_pooling_and_ceil_mode():
    model = nn.Sequential(
        nn.Conv2d(1, 2, 3, padding=1),
        nn.MaxPool2d(3, 2, padding=1, ceil_mode=True),
        nn.Conv2d(2, 1, 3, dilation=2),
        nn.AvgPool2d(2, ceil_mode=True),
    )
    size = 23
    table = A.receptive_field(model, size)
    assert table[-1].n == model(torch.zeros(1, 1, size, size)).shape[-1]
    strict = 0
    for u in range(table[-1].n):
        rows, cols = A.empirical_receptive_field(
            model, (1, size, size), position=(u, u)
        )
        assert rows == cols
        strict += _check_support(rows, table[-1], u, size)
    assert strict >= 1


def test_receptive_field_every_n_matches_torch_shapes():
    vgg = torchvision.models.vgg16(weights=None).features
    table = A.receptive_field(vgg, 224)
    x = torch.zeros(1, 3, 224, 224)
    shapes = []
    with torch.no_grad():
        for m in vgg:
            x = m(x)
            if isinstance(m, (nn.Conv2d, nn.MaxPool2d)):
                shapes.append(x.shape[-1])
    assert [rec.n for rec in table[1:]] == shapes


def _thin_copy(model):
    """The same geometry with one channel per layer: the same gradient support."""
    layers = []
    for m in model:
        if isinstance(m, nn.Conv2d):
            layers.append(
                nn.Conv2d(1, 1, m.kernel_size, m.stride, m.padding, m.dilation)
            )
        elif isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
            layers.append(m)
    return nn.Sequential(*layers)


def test_vgg16_receptive_field_known_value_and_gradient():
    vgg = torchvision.models.vgg16(weights=None).features
    table = A.receptive_field(vgg, 224)
    last = table[-1]
    # 13 3x3 convolutions and 5 2x2 poolings: the published VGG-16 receptive field of
    # 212
    # pixels at pool5, with a jump of 32 (Araujo et al., 2019)
    assert (last.n, last.j, last.r, last.start) == (7, 32, 212, 16.0)
    conv5_3 = table[-2]
    assert conv5_3.r == 196
    thin = _thin_copy(vgg)
    thin_last = A.receptive_field(thin, 224)[-1]
    assert (thin_last.n, thin_last.j, thin_last.r, thin_last.start) == (
        7,
        32,
        212,
        16.0,
    )
    for u in (0, 3, 6):
        rows, cols = A.empirical_receptive_field(thin, (1, 224, 224), position=(u, u))
        assert rows == cols == _interval(last, u, 224)
    assert A.empirical_receptive_field(thin, (1, 224, 224), position=(3, 3)) == (
        (6, 217),
        (6, 217),
    )


def test_lenet5_receptive_field_is_the_papers_32_pixel_field():
    from dlsip.models import LeNet5

    model = LeNet5()
    table = A.receptive_field(model, 28)
    assert [rec.name for rec in table] == ["input", "c1", "s2", "c3", "s4", "c5"]
    assert [(rec.n, rec.j, rec.r) for rec in table] == [
        (28, 1, 1),
        (28, 1, 5),
        (14, 2, 6),
        (10, 2, 14),
        (5, 4, 16),
        (1, 4, 32),
    ]
    # c5's single unit is centred at 14 and sees 32 pixels: the whole (padded) 28x28
    # digit
    assert table[-1].start == 14.0
    assert A.empirical_receptive_field(model, (1, 28, 28)) == ((0, 27), (0, 27))
    # c3 units, full channels and the real model (max pooling variant too)
    for pool in ("avg", "max"):
        partial = nn.Sequential(
            OrderedDict(list(LeNet5(pool=pool).named_children())[:4])
        )  # up to c3
        rec = A.receptive_field(partial, 28)[-1]
        for u in (0, 4, 9):
            rows, _ = A.empirical_receptive_field(partial, (1, 28, 28), position=(u, u))
            assert rows == _interval(rec, u, 28)


def test_receptive_field_of_traced_module_equals_sequential():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 5)
            self.pool = nn.MaxPool2d(2)
            self.fc = nn.Linear(4 * 12 * 12, 10)
            self.conv2 = nn.Conv2d(4, 4, 3, padding=1)  # registered last, called second

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = torch.relu(self.conv2(x))
            return self.fc(x.view(x.size(0), -1))

    table = A.receptive_field(Net(), 28)
    seq = nn.Sequential(
        nn.Conv2d(1, 4, 5), nn.MaxPool2d(2), nn.Conv2d(4, 4, 3, padding=1)
    )
    expected = A.receptive_field(seq, 28)
    assert [rec.name for rec in table] == ["input", "conv1", "pool", "conv2"]
    assert [(r.n, r.j, r.r, r.start) for r in table] == [
        (r.n, r.j, r.r, r.start) for r in expected
    ]


def test_receptive_field_non_square_needs_per_axis_input():
    model = nn.Sequential(nn.Conv2d(1, 1, (3, 5), stride=(1, 2)), nn.Conv2d(1, 1, 3))
    with pytest.raises(
        ValueError, match=r"not the same along every axis .* pass input_size as a tuple"
    ):
        A.receptive_field(model, 20)
    table = A.receptive_field(model, (20, 30))
    rows = A.receptive_field([(3, 1, 0), (3, 1, 0)], 20)
    cols = A.receptive_field([(5, 2, 0), (3, 1, 0)], 30)
    assert table[-1].r == (rows[-1].r, cols[-1].r) == (5, 9)
    assert (
        table[-1].n
        == (rows[-1].n, cols[-1].n)
        == tuple(model(torch.zeros(1, 1, 20, 30)).shape[2:])
    )
    assert A.empirical_receptive_field(model, (1, 20, 30), position=(0, 0)) == (
        (0, 4),
        (0, 8),
    )


@pytest.mark.parametrize(
    ("layers", "error", "match"),
    [
        (
            torchvision.models.resnet18(weights=None),
            ValueError,
            r"ResNet has branches \(the output of .maxpool. feeds 2 operations\): out "
            r"of scope",
        ),
        (
            [(3, 1)],
            ValueError,
            r"layers\[0\] must be a tuple \(kernel_size, stride, padding\)",
        ),
        (
            [(3, 0, 1)],
            ValueError,
            r"layers\[0\]=\(3, 0, 1\): stride must be a positive integer, got stride=0",
        ),
        ([], ValueError, r"layers must hold a layer, got layers=\[\]"),
        (
            [(3, 1, 0), (0, 1, 0)],
            ValueError,
            r"layers\[1\]=\(0, 1, 0\): kernel_size must be a positive integer",
        ),
        (
            [(3, "1", 0)],
            TypeError,
            r"layers\[0\]=\(3, '1', 0\): stride must be an integer or a tuple",
        ),
        (
            [((3, 3), (1, 1, 1), 0)],
            ValueError,
            r"layers\[0\]=.*: tuple arguments must have one entry per axis",
        ),
        (
            [(7, 1, 0)],
            ValueError,
            r"layer 1: kernel_size=7 .* does not fit into size=5",
        ),
        ("conv", TypeError, r"layers must be a list of"),
        (
            nn.Sequential(nn.Conv2d(1, 1, 3), nn.Upsample(scale_factor=2)),
            ValueError,
            r"layer '1' \(Upsample\): receptive_field does not know how it changes "
            r"the geometry",
        ),
        (
            nn.Sequential(nn.ConvTranspose2d(1, 1, 3)),
            ValueError,
            r"transposed convolution: .* out of scope",
        ),
        (
            nn.Sequential(nn.Conv2d(1, 1, 3, padding="same")),
            ValueError,
            r"uses padding='same'",
        ),
    ],
)
def test_receptive_field_errors(layers, error, match):
    with pytest.raises(error, match=match):
        A.receptive_field(layers, 5)


def test_receptive_field_rejects_functional_pooling_and_concatenation():
    class Functional(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 1, 3)

        def forward(self, x):
            return F.max_pool2d(self.conv(x), 2)

    class Concat(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Conv2d(1, 1, 3, padding=1)
            self.b = nn.Conv2d(1, 1, 5, padding=2)

        def forward(self, x):
            return torch.cat([self.a(x), self.b(x)], dim=1)

    with pytest.raises(
        ValueError,
        match=r"calls 'max_pool2d' .* does not know how it changes the geometry",
    ):
        A.receptive_field(Functional(), 8)
    with pytest.raises(
        ValueError,
        match=r"Concat has branches \(the output of .x. feeds 2 operations\): out of",
    ):
        A.receptive_field(Concat(), 8)


def test_empirical_receptive_field_errors_and_no_side_effects():
    model = nn.Sequential(nn.Conv2d(1, 1, 3), nn.BatchNorm2d(1))
    before = [p.clone() for p in model.parameters()]
    A.empirical_receptive_field(model, (1, 7, 7))
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))
    with pytest.raises(
        ValueError, match=r"position must index the output's spatial shape \(5, 5\)"
    ):
        A.empirical_receptive_field(model, (1, 7, 7), position=(5, 0))
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        A.empirical_receptive_field([(3, 1, 0)], (1, 7, 7))


@pytest.mark.parametrize(
    ("input_size", "error", "match"),
    [
        ((), TypeError, r"input_size must be a tuple \(C, H, W\) .*=\(\)"),
        ("", TypeError, r"input_size must be a tuple \(C, H, W\) .*=''"),
        (7, TypeError, r"input_size must be a tuple \(C, H, W\) .*=7"),
        ((1, 0, 7), ValueError, r"input_size must be a positive integer"),
        (
            (3, 9, 9),
            ValueError,
            r"input_size=\(3, 9, 9\) does not fit model: .*1 channels",
        ),
        (
            (1, 10**6, 10**6),
            ValueError,
            r"input_size=\(1, 1000000, 1000000\) would make the input",
        ),
    ],
)
def test_empirical_receptive_field_input_size_errors(input_size, error, match):
    model = nn.Sequential(nn.Conv2d(1, 2, 3))
    with pytest.raises(error, match=match):
        A.empirical_receptive_field(model, input_size)


# ------------------------------------------------------- effective receptive fields


def test_effective_receptive_field_of_a_linear_stack_is_the_composed_kernel():
    # oracle: cross-correlating with k1 then k2 is cross-correlating with the full
    # convolution of k1 and k2 (scipy), whatever the input
    from scipy.signal import convolve2d

    rng = np.random.default_rng(5)
    k1, k2 = rng.standard_normal((3, 3)), rng.standard_normal((2, 4))
    model = nn.Sequential(nn.Conv2d(1, 1, 3, bias=True), nn.Conv2d(1, 1, (2, 4)))
    model = model.double()  # the kernels are stored exactly
    with torch.no_grad():
        model[0].weight.copy_(torch.from_numpy(k1)[None, None])
        model[1].weight.copy_(torch.from_numpy(k2)[None, None])
    erf = A.effective_receptive_field(model, (1, 9, 11), position=(2, 3), rng=0)
    composed = np.abs(convolve2d(k1, k2))  # shape (4, 6)
    expected = np.zeros((9, 11))
    expected[2:6, 3:9] = composed / composed.sum()
    np.testing.assert_allclose(erf, expected, rtol=1e-12, atol=1e-15)


def test_effective_receptive_field_averages_over_inputs_and_channels():
    # a ReLU stack: the gradient depends on the input; average by hand, in float64
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv1d(2, 3, 3), nn.ReLU(), nn.Conv1d(3, 2, 3))
    erf = A.effective_receptive_field(model, (2, 12), samples=5, rng=1)
    xs = np.random.default_rng(1).standard_normal((5, 2, 12))
    net = model.double()
    total = np.zeros(12)
    for x in xs:
        xt = torch.from_numpy(x)[None].requires_grad_()
        net(xt)[0, :, 4].sum().backward()  # the centre of 8 outputs
        total += xt.grad[0].abs().sum(dim=0).numpy()
    np.testing.assert_allclose(erf, total / total.sum(), rtol=1e-12)
    assert erf[:2].sum() == erf[9:].sum() == 0  # outside the 5-sample field
    assert model[0].weight.dtype == torch.float64  # .double() above, not the function


def test_effective_receptive_field_is_narrower_than_the_theoretical_one():
    # Luo et al. 2016: n boxes of width 3 -> a Gaussian of std sqrt(n * 2 / 3)
    n = 16
    model = nn.Sequential(
        *[nn.Conv1d(1, 1, 3, padding=1, bias=False) for _ in range(n)]
    )
    with torch.no_grad():
        for m in model:
            m.weight.fill_(1.0)
    erf = A.effective_receptive_field(model, (1, 65), samples=1, rng=0)
    x = np.arange(65) - 32
    std = np.sqrt((erf * x**2).sum())
    assert math.isclose(std, math.sqrt(n * 2 / 3), rel_tol=1e-12)
    assert np.count_nonzero(erf) == 2 * n + 1  # the theoretical field: 33 samples
    assert erf[np.abs(x) <= 2 * std].sum() > 0.95


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"samples": 0}, ValueError, "samples must be a positive integer"),
        ({"position": (9, 0)}, ValueError, "position must index"),
        ({"input_size": (2, 9, 9)}, ValueError, "does not fit model"),
        ({"input_size": 9}, TypeError, "input_size must be a tuple"),
        ({"model": "net"}, TypeError, "model"),
        ({"rng": "seed"}, TypeError, "rng must be"),
    ],
)
def test_effective_receptive_field_rejects_bad_arguments(kwargs, error, match):
    args = {"model": nn.Sequential(nn.Conv2d(1, 1, 3)), "input_size": (1, 9, 9)}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        A.effective_receptive_field(**args)
