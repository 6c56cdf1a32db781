"""Tests of dlsip.arithmetic: sizes against torch on thousands of random configurations,
receptive fields against back-propagated gradients, summaries against torch's own counters,
convolution matrices against dlsip.filters.correlate2d and im2col against torch's unfold."""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
import pytest
import scipy.linalg
import torch
import torch.nn.functional as F
import torchvision
from torch import nn

from dlsip import arithmetic as A
from dlsip.filters import correlate2d


@pytest.fixture(autouse=True)
def _one_thread():
    # Tiny tensors: thread start-up dominates, and other processes share the cores.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


# ------------------------------------------------------------------ sizes against torch

def _torch_or_error(fn):
    try:
        return tuple(fn().shape[2:]), None
    except RuntimeError as exc:
        return None, str(exc)


def _ours_or_error(fn):
    try:
        out = fn()
    except ValueError as exc:
        return None, str(exc)
    return (out if isinstance(out, tuple) else (out,)), None


def _random_1d(rng):
    return dict(i=int(rng.integers(1, 17)), k=int(rng.integers(1, 8)), s=int(rng.integers(1, 5)),
                p=int(rng.integers(0, 5)), d=int(rng.integers(1, 4)), op=int(rng.integers(0, 4)),
                ceil=bool(rng.integers(0, 2)))


def _cases_1d(c):
    x = torch.zeros(1, 1, c["i"])
    w = torch.zeros(1, 1, c["k"])
    kw = dict(stride=c["s"], padding=c["p"], dilation=c["d"])
    return {
        "conv": (lambda: F.conv1d(x, w, **kw), lambda: A.conv_output_size(c["i"], c["k"], **kw)),
        "max_pool": (lambda: F.max_pool1d(x, c["k"], ceil_mode=c["ceil"], **kw),
                     lambda: A.pool_output_size(c["i"], c["k"], ceil_mode=c["ceil"], **kw)),
        "avg_pool": (lambda: F.avg_pool1d(x, c["k"], stride=c["s"], padding=c["p"], ceil_mode=c["ceil"]),
                     lambda: A.pool_output_size(c["i"], c["k"], stride=c["s"], padding=c["p"], ceil_mode=c["ceil"])),
        "conv_transpose": (lambda: F.conv_transpose1d(x, w, output_padding=c["op"], **kw),
                           lambda: A.conv_transpose_output_size(c["i"], c["k"], output_padding=c["op"], **kw)),
    }


N_RANDOM_1D = 2500  # configurations; each is checked for 4 operations: 10,000 comparisons


@pytest.mark.parametrize("chunk", range(5))
def test_sizes_agree_with_torch_1d_random(chunk):
    """Either torch and dlsip give the same size, or both reject the configuration."""
    rng = np.random.default_rng(1000 + chunk)
    counts = {"valid": 0, "rejected": 0}
    for _ in range(N_RANDOM_1D // 5):
        config = _random_1d(rng)
        for op, (torch_fn, ours_fn) in _cases_1d(config).items():
            expected, torch_error = _torch_or_error(torch_fn)
            got, our_error = _ours_or_error(ours_fn)
            assert got == expected, (op, config, torch_error, our_error)
            counts["valid" if expected else "rejected"] += 1
    # The sweep must exercise both outcomes, or it proves little.
    assert counts["valid"] > 500 and counts["rejected"] > 100, counts


def test_sizes_agree_with_torch_2d_tuples():
    rng = np.random.default_rng(7)
    checked = 0
    for _ in range(400):
        i = tuple(int(v) for v in rng.integers(1, 14, size=2))
        k = tuple(int(v) for v in rng.integers(1, 6, size=2))
        s = tuple(int(v) for v in rng.integers(1, 4, size=2))
        p = tuple(int(v) for v in rng.integers(0, 3, size=2))
        d = tuple(int(v) for v in rng.integers(1, 3, size=2))
        op = tuple(int(v) for v in rng.integers(0, 3, size=2))
        ceil = bool(rng.integers(0, 2))
        x = torch.zeros(1, 1, *i)
        w = torch.zeros(1, 1, *k)
        pairs = [
            (lambda: F.conv2d(x, w, stride=s, padding=p, dilation=d),
             lambda: A.conv_output_size(i, k, stride=s, padding=p, dilation=d)),
            (lambda: F.max_pool2d(x, k, stride=s, padding=p, dilation=d, ceil_mode=ceil),
             lambda: A.pool_output_size(i, k, stride=s, padding=p, dilation=d, ceil_mode=ceil)),
            (lambda: F.conv_transpose2d(x, w, stride=s, padding=p, output_padding=op, dilation=d),
             lambda: A.conv_transpose_output_size(i, k, stride=s, padding=p, output_padding=op, dilation=d)),
        ]
        for torch_fn, ours_fn in pairs:
            expected, _ = _torch_or_error(torch_fn)
            got, _ = _ours_or_error(ours_fn)
            assert got == expected, (i, k, s, p, d, op, ceil)
            checked += expected is not None
    assert checked > 400


@pytest.mark.parametrize("ceil_mode", [False, True])
def test_pool_default_stride_is_kernel_size(ceil_mode):
    for i in range(2, 12):
        for k in range(1, 5):
            expected = F.max_pool1d(torch.zeros(1, 1, i), k, ceil_mode=ceil_mode).shape[-1] if k <= i else None
            if expected is not None:
                assert A.pool_output_size(i, k, ceil_mode=ceil_mode) == expected


def test_ceil_mode_drops_a_window_that_starts_in_the_right_padding():
    # i=4, k=2, s=2, p=1: ceil((4 + 2 - 2) / 2) + 1 = 3 windows; the third starts at padded
    # index 4 = i + p... no: it starts at 4, which is inside [0, i + p) = [0, 5), so it stays.
    assert A.pool_output_size(4, 2, stride=2, padding=1, ceil_mode=True) == 3
    # i=5, k=3, s=3, p=1: ceil((5 + 2 - 3) / 3) + 1 = 3, but window 2 would start at 6 >= 5 + 1.
    assert A.pool_output_size(5, 3, stride=3, padding=1, ceil_mode=True) == 2
    assert F.max_pool1d(torch.zeros(1, 1, 5), 3, stride=3, padding=1, ceil_mode=True).shape[-1] == 2


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("d", [1, 2, 3])
def test_string_padding_agrees_with_torch(padding, k, d):
    x = torch.zeros(1, 1, 20)
    expected = F.conv1d(x, torch.zeros(1, 1, k), padding=padding, dilation=d).shape[-1]
    assert A.conv_output_size(20, k, padding=padding, dilation=d) == expected


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("d", [1, 2, 3])
def test_same_padding_reproduces_torch_same(k, d):
    rng = np.random.default_rng(k * 10 + d)
    x = torch.from_numpy(rng.standard_normal((1, 1, 9, 11)))
    w = torch.from_numpy(rng.standard_normal((1, 1, k, k)))
    expected = F.conv2d(x, w, padding="same", dilation=d)
    left, right = A.same_padding(k, dilation=d, asymmetric=True)
    got = F.conv2d(F.pad(x, (left, right, left, right)), w, dilation=d)
    torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-12)
    if (d * (k - 1)) % 2 == 0:
        p = A.same_padding(k, dilation=d)
        assert p == left == right
        assert A.conv_output_size(9, k, padding=p, dilation=d) == 9
    else:
        with pytest.raises(ValueError, match="even effective size"):
            A.same_padding(k, dilation=d)


def test_output_size_formula_inverts_transposed_size():
    rng = np.random.default_rng(3)
    for _ in range(500):
        i, k, s, p, d = (int(v) for v in (rng.integers(1, 20), rng.integers(1, 6), rng.integers(1, 4),
                                          rng.integers(0, 3), rng.integers(1, 3)))
        try:
            o = A.conv_output_size(i, k, stride=s, padding=p, dilation=d)
        except ValueError:
            continue
        # the transposed convolution maps o back to i, for the right output_padding
        op = (i + 2 * p - d * (k - 1) - 1) % s
        if op < s or op < d:
            assert A.conv_transpose_output_size(o, k, stride=s, padding=p, output_padding=op, dilation=d) == i


def test_tuple_and_int_forms():
    assert A.conv_output_size((32, 28), (5, 3), padding=(0, 1)) == (28, 28)
    assert A.conv_output_size(32, 5) == 28
    assert isinstance(A.conv_output_size(32, 5), int)
    assert A.effective_kernel_size((3, 3), dilation=(1, 2)) == (3, 5)
    assert A.same_padding((3, 5), dilation=(2, 1)) == (2, 2)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: A.conv_output_size(3, 5), ValueError, r"kernel_size=5 .* does not fit into size=3 .* would be -1"),
        (lambda: A.conv_output_size(5, 3, dilation=3), ValueError, r"effective size 7"),
        (lambda: A.conv_output_size(5, 3, stride=0), ValueError, r"stride must be a positive integer, got stride=0"),
        (lambda: A.conv_output_size(5, 3, padding=-1), ValueError, r"padding must be a non-negative integer, got padding=-1"),
        (lambda: A.conv_output_size(0, 3), ValueError, r"size must be a positive integer, got size=0"),
        (lambda: A.conv_output_size(5, 0), ValueError, r"kernel_size must be a positive integer, got kernel_size=0"),
        (lambda: A.conv_output_size(5, 3, dilation=0), ValueError, r"dilation must be a positive integer"),
        (lambda: A.conv_output_size(5.0, 3), TypeError, r"size must be an integer or a tuple of integers, got size=5.0"),
        (lambda: A.conv_output_size(5, 2.5), TypeError, r"kernel_size must be an integer"),
        (lambda: A.conv_output_size(5, True), TypeError, r"kernel_size must be an integer"),
        (lambda: A.conv_output_size(5, 3, padding="half"), ValueError, r"padding must be .* 'valid' or 'same', got padding='half'"),
        (lambda: A.conv_output_size(5, 3, stride=2, padding="same"), ValueError, r"padding='same' needs stride=1"),
        (lambda: A.conv_output_size((5, 5), (3, 3, 3)), ValueError, r"one entry per axis, but size has 2, kernel_size has 3"),
        (lambda: A.pool_output_size(4, 2, padding=2), ValueError, r"padding must be at most half of kernel_size, got padding=2"),
        (lambda: A.pool_output_size(2, 3), ValueError, r"does not fit into size=2"),
        (lambda: A.pool_output_size(4, 2, ceil_mode=1), TypeError, r"ceil_mode must be a bool"),
        (lambda: A.conv_transpose_output_size(3, 3, stride=2, output_padding=2), ValueError,
         r"output_padding must be smaller than either stride or dilation, got output_padding=2"),
        (lambda: A.conv_transpose_output_size(3, 3, output_padding=-1), ValueError, r"output_padding must be a non-negative"),
        (lambda: A.conv_transpose_output_size(1, 1, padding=1), ValueError, r"padding=1 crops more than the full output"),
        (lambda: A.same_padding(2), ValueError, r"kernel_size=2 with dilation=1 has an even effective size 2"),
        (lambda: A.same_padding(3, asymmetric="yes"), TypeError, r"asymmetric must be a bool"),
    ],
)
def test_size_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ------------------------------------------------------------------ syllabus numbers

def test_syllabus_pooling_example():
    # 4x4x3 map, 2x2 max pool, stride 2 -> 2x2x3, and no parameters
    assert A.pool_output_size((4, 4), 2, stride=2) == (2, 2)
    pool = nn.MaxPool2d(2, 2)
    assert pool(torch.zeros(1, 3, 4, 4)).shape == (1, 3, 2, 2)
    assert A.summary(pool, (1, 3, 4, 4)).total_params == 0


def test_syllabus_760_parameters():
    # 10 filters of 5x5x3: (5 * 5 * 3 + 1) * 10
    assert A.summary(nn.Conv2d(3, 10, 5), (1, 3, 32, 32)).total_params == (5 * 5 * 3 + 1) * 10 == 760


def test_syllabus_fully_connected_explosion():
    # a fully connected layer from a 1000x1000x3 image to 1000 units: 3 * 10**9 weights.
    # Counted on the meta device, which allocates nothing.
    layer = nn.Linear(1000 * 1000 * 3, 1000, device="meta")
    assert layer.weight.numel() == 3 * 10**9
    assert sum(p.numel() for p in layer.parameters()) == 3 * 10**9 + 1000


def _lenet_like():
    """The slide's LeNet-like network for 32x32x3 input, as torch layers."""
    return nn.Sequential(
        nn.Conv2d(3, 8, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
        nn.Softmax(dim=1),
    )


def test_lenet_like_table_shapes_and_real_parameter_counts():
    s = A.summary(_lenet_like(), (1, 3, 32, 32))
    rows = {r.name: r for r in s.rows}
    # the slide's activation shapes (HWC on the slide, NCHW here) and sizes
    shapes = {"0": (1, 8, 28, 28), "2": (1, 8, 14, 14), "3": (1, 16, 10, 10), "5": (1, 16, 5, 5),
              "7": (1, 120), "9": (1, 84), "11": (1, 10), "12": (1, 10)}
    sizes = {"0": 6272, "2": 1568, "3": 1600, "5": 400, "7": 120, "9": 84, "11": 10}
    for name, shape in shapes.items():
        assert rows[name].output_shape == shape
    for name, size in sizes.items():
        assert math.prod(rows[name].output_shape) == size
    # torch's counts: (k * k * C_in + 1) * C_out for convs, (n_in + 1) * n_out for linear
    real = {"0": (5 * 5 * 3 + 1) * 8, "3": (5 * 5 * 8 + 1) * 16, "7": (400 + 1) * 120,
            "9": (120 + 1) * 84, "11": (84 + 1) * 10}
    assert real == {"0": 608, "3": 3216, "7": 48120, "9": 10164, "11": 850}
    for name, count in real.items():
        assert rows[name].params == count
    assert s.total_params == sum(real.values()) == 62958


def test_lenet_like_slide_convention_reproduces_the_slide_column():
    # The slide's numbers follow from ignoring the input depth of conv filters and giving a
    # fully connected layer a single bias: (k * k + 1) * n_filters and n_in * n_out + 1.
    slide = {"CONV1": 208, "CONV2": 416, "FC3": 48001, "FC4": 10081, "softmax": 841}
    convention = {"CONV1": (5 * 5 + 1) * 8, "CONV2": (5 * 5 + 1) * 16, "FC3": 400 * 120 + 1,
                  "FC4": 120 * 84 + 1, "softmax": 84 * 10 + 1}
    assert convention == slide
    model = _lenet_like()
    real = [m for m in model if isinstance(m, (nn.Conv2d, nn.Linear))]
    assert [sum(p.numel() for p in m.parameters()) for m in real] != list(slide.values())


# ------------------------------------------------------------------ receptive fields

def test_receptive_field_syllabus_example():
    table = A.receptive_field([(3, 2, 1), (3, 2, 1)], 5)
    assert [(r.n, r.j, r.r, r.start) for r in table] == [(5, 1, 1, 0.5), (3, 2, 3, 0.5), (2, 4, 7, 0.5)]
    assert "start" in str(table) and len(str(table).splitlines()) == 5


def test_receptive_field_dilation_uses_effective_kernel():
    # WaveNet-style stack: kernel 2, dilations 1, 2, 4, 8 -> r = 1 + 1 + 2 + 4 + 8 = 16
    table = A.receptive_field([(2, 1, 0, 1), (2, 1, 0, 2), (2, 1, 0, 4), (2, 1, 0, 8)], 32)
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
    left inside the image at the border. Returns whether the strict comparison was made."""
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
    return nn.Sequential(*[conv(1, 1, k, stride=s, padding=p, dilation=d) for k, s, p, d in layers])


@pytest.mark.parametrize("seed", range(12))
def test_receptive_field_matches_gradient_support_random_chains(seed):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(20, 60))
    layers = []
    n = size
    for _ in range(int(rng.integers(1, 5))):
        k, s, p, d = int(rng.integers(1, 6)), int(rng.integers(1, 4)), int(rng.integers(0, 3)), int(rng.integers(1, 3))
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
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.MaxPool2d(3, 2, padding=1, ceil_mode=True),
                          nn.Conv2d(2, 1, 3, dilation=2), nn.AvgPool2d(2, ceil_mode=True))
    size = 23
    table = A.receptive_field(model, size)
    assert table[-1].n == model(torch.zeros(1, 1, size, size)).shape[-1]
    strict = 0
    for u in range(table[-1].n):
        rows, cols = A.empirical_receptive_field(model, (1, size, size), position=(u, u))
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
    """The same geometry with one channel per layer: the gradient support is the same."""
    layers = []
    for m in model:
        if isinstance(m, nn.Conv2d):
            layers.append(nn.Conv2d(1, 1, m.kernel_size, m.stride, m.padding, m.dilation))
        elif isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
            layers.append(m)
    return nn.Sequential(*layers)


def test_vgg16_receptive_field_known_value_and_gradient():
    vgg = torchvision.models.vgg16(weights=None).features
    table = A.receptive_field(vgg, 224)
    last = table[-1]
    # 13 3x3 convolutions and 5 2x2 poolings: the published VGG-16 receptive field of 212
    # pixels at pool5, with a jump of 32 (Araujo et al., 2019)
    assert (last.n, last.j, last.r, last.start) == (7, 32, 212, 16.0)
    conv5_3 = table[-2]
    assert conv5_3.r == 196
    thin = _thin_copy(vgg)
    thin_last = A.receptive_field(thin, 224)[-1]
    assert (thin_last.n, thin_last.j, thin_last.r, thin_last.start) == (7, 32, 212, 16.0)
    for u in (0, 3, 6):
        rows, cols = A.empirical_receptive_field(thin, (1, 224, 224), position=(u, u))
        assert rows == cols == _interval(last, u, 224)
    assert A.empirical_receptive_field(thin, (1, 224, 224), position=(3, 3)) == ((6, 217), (6, 217))


def test_lenet5_receptive_field_is_the_papers_32_pixel_field():
    from dlsip.models import LeNet5

    model = LeNet5()
    table = A.receptive_field(model, 28)
    assert [rec.name for rec in table] == ["input", "c1", "s2", "c3", "s4", "c5"]
    assert [(rec.n, rec.j, rec.r) for rec in table] == [(28, 1, 1), (28, 1, 5), (14, 2, 6), (10, 2, 14),
                                                         (5, 4, 16), (1, 4, 32)]
    # c5's single unit is centred at 14 and sees 32 pixels: the whole (padded) 28x28 digit
    assert table[-1].start == 14.0
    assert A.empirical_receptive_field(model, (1, 28, 28)) == ((0, 27), (0, 27))
    # c3 units, full channels and the real model (max pooling variant too)
    for pool in ("avg", "max"):
        partial = nn.Sequential(OrderedDict(list(LeNet5(pool=pool).named_children())[:4]))  # up to c3
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
    seq = nn.Sequential(nn.Conv2d(1, 4, 5), nn.MaxPool2d(2), nn.Conv2d(4, 4, 3, padding=1))
    expected = A.receptive_field(seq, 28)
    assert [rec.name for rec in table] == ["input", "conv1", "pool", "conv2"]
    assert [(r.n, r.j, r.r, r.start) for r in table] == [(r.n, r.j, r.r, r.start) for r in expected]


def test_receptive_field_non_square_needs_per_axis_input():
    model = nn.Sequential(nn.Conv2d(1, 1, (3, 5), stride=(1, 2)), nn.Conv2d(1, 1, 3))
    with pytest.raises(ValueError, match=r"not the same along every axis .* pass input_size as a tuple"):
        A.receptive_field(model, 20)
    table = A.receptive_field(model, (20, 30))
    rows = A.receptive_field([(3, 1, 0), (3, 1, 0)], 20)
    cols = A.receptive_field([(5, 2, 0), (3, 1, 0)], 30)
    assert table[-1].r == (rows[-1].r, cols[-1].r) == (5, 9)
    assert table[-1].n == (rows[-1].n, cols[-1].n) == tuple(model(torch.zeros(1, 1, 20, 30)).shape[2:])
    assert A.empirical_receptive_field(model, (1, 20, 30), position=(0, 0)) == ((0, 4), (0, 8))


@pytest.mark.parametrize(
    ("layers", "error", "match"),
    [
        (torchvision.models.resnet18(weights=None), ValueError, r"ResNet has branches \(the output of .maxpool. feeds 2 operations\): out of scope"),
        ([(3, 1)], ValueError, r"layers\[0\] must be a tuple \(kernel_size, stride, padding\)"),
        ([(3, 0, 1)], ValueError, r"stride must be a positive integer, got stride=0"),
        ([(7, 1, 0)], ValueError, r"layer 1: kernel_size=7 .* does not fit into size=5"),
        ("conv", TypeError, r"layers must be a list of"),
        (nn.Sequential(nn.Conv2d(1, 1, 3), nn.Upsample(scale_factor=2)), ValueError,
         r"layer '1' \(Upsample\): receptive_field does not know how it changes the geometry"),
        (nn.Sequential(nn.ConvTranspose2d(1, 1, 3)), ValueError, r"transposed convolution: .* out of scope"),
        (nn.Sequential(nn.Conv2d(1, 1, 3, padding="same")), ValueError, r"uses padding='same'"),
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

    with pytest.raises(ValueError, match=r"calls 'max_pool2d' .* does not know how it changes the geometry"):
        A.receptive_field(Functional(), 8)
    with pytest.raises(ValueError, match=r"Concat has branches \(the output of .x. feeds 2 operations\): out of scope"):
        A.receptive_field(Concat(), 8)


def test_empirical_receptive_field_errors_and_no_side_effects():
    model = nn.Sequential(nn.Conv2d(1, 1, 3), nn.BatchNorm2d(1))
    before = [p.clone() for p in model.parameters()]
    A.empirical_receptive_field(model, (1, 7, 7))
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))
    with pytest.raises(ValueError, match=r"position must index the output's spatial shape \(5, 5\)"):
        A.empirical_receptive_field(model, (1, 7, 7), position=(5, 0))
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        A.empirical_receptive_field([(3, 1, 0)], (1, 7, 7))


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


MODELS = {
    "lenet5": (lambda: __import__("dlsip.models", fromlist=["LeNet5"]).LeNet5(), (2, 1, 28, 28)),
    "lecture": (lambda: __import__("dlsip.models", fromlist=["LectureCNN"]).LectureCNN(), (1, 1, 28, 28)),
    "lenet_like": (_lenet_like, (1, 3, 32, 32)),
    "grouped_transposed": (lambda: nn.Sequential(
        nn.Conv2d(4, 8, 3, groups=2, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
        nn.ConvTranspose2d(8, 6, 4, stride=2, padding=1, groups=2), nn.Identity(),
        nn.Conv2d(6, 6, 3, groups=6), nn.Conv2d(6, 12, 1), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(12, 5)), (3, 4, 9, 11)),
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
    assert f"total parameters: {s.total_params:,}" in text and f"(MACs): {s.total_macs:,}" in text


def test_summary_rows_of_a_shared_layer_and_leftover_parameters():
    s = A.summary(_Shared(), (1, 2, 6, 6))
    assert [r.name for r in s.rows] == ["conv", "conv", "(other parameters)"]
    assert [r.params for r in s.rows] == [2 * 2 * 9 + 2, 0, 1 + 3 * 3 + 3]
    assert s.rows[0].macs == s.rows[1].macs == 1 * 2 * 6 * 6 * 2 * 9


@pytest.mark.parametrize(("c", "o", "k", "h", "w"), [(3, 8, 3, 10, 12), (16, 32, 5, 7, 7), (1, 4, 1, 4, 6)])
def test_summary_matches_depthwise_separable_cost_formula(c, o, k, h, w):
    # same-size outputs, N x M = h x w: cost C (N M) K^2 + (N M) C O versus (N M) K^2 C O
    p = k // 2
    separable = nn.Sequential(nn.Conv2d(c, c, k, padding=p, groups=c, bias=False), nn.Conv2d(c, o, 1, bias=False))
    standard = nn.Conv2d(c, o, k, padding=p, bias=False)
    assert A.summary(separable, (1, c, h, w)).total_macs == c * h * w * k * k + h * w * c * o
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
        (nn.Conv2d(1, 1, 3), 28, TypeError, r"input_size must be a tuple of integers \(with the batch dimension\)"),
        (nn.Conv2d(1, 1, 3), (1, 1, 0, 4), ValueError, "input_size must be a positive integer"),
    ],
)
def test_summary_errors(model, size, error, match):
    with pytest.raises(error, match=match):
        A.summary(model, size)


# ------------------------------------------------------------------ convolution as a matrix

@pytest.mark.parametrize("seed", range(20))
def test_conv_matrix_equals_correlate2d(seed):
    rng = np.random.default_rng(seed)
    kh, kw = (int(v) for v in rng.integers(1, 5, size=2))
    h, w = int(rng.integers(kh, 9)), int(rng.integers(kw, 9))
    choices = [0, 1, 2, (1, 0), "valid", "full"] + (["same"] if kh % 2 and kw % 2 else [])
    padding = choices[int(rng.integers(len(choices)))]
    stride = [1, 2, (2, 1), 3][int(rng.integers(4))]
    x = rng.standard_normal((h, w))
    kernel = rng.standard_normal((kh, kw))
    expected = correlate2d(x, kernel, padding=padding, stride=stride)
    C = A.conv_matrix(kernel, (h, w), padding=padding, stride=stride)
    assert C.shape == (expected.size, x.size)
    np.testing.assert_allclose(C @ x.ravel(), expected.ravel(), rtol=1e-12, atol=1e-12)
    sparse = A.conv_matrix(kernel, (h, w), padding=padding, stride=stride, sparse=True)
    assert np.array_equal(sparse.toarray(), C)
    assert (np.count_nonzero(C, axis=1) <= kh * kw).all()


@pytest.mark.parametrize(("k", "n"), [(1, 4), (3, 5), (3, 8), (5, 9)])
def test_conv_matrix_1d_is_banded_toeplitz(k, n):
    rng = np.random.default_rng(k + n)
    kernel = rng.standard_normal(k)
    C = A.conv_matrix(kernel, n)
    first_col = np.r_[kernel[0], np.zeros(n - k)]
    first_row = np.r_[kernel, np.zeros(n - k)]
    np.testing.assert_array_equal(C, scipy.linalg.toeplitz(first_col, first_row))
    x = rng.standard_normal(n)
    np.testing.assert_allclose(C @ x, np.correlate(x, kernel, mode="valid"), rtol=1e-12, atol=1e-12)


def test_conv_matrix_2d_is_doubly_block_toeplitz():
    kernel = np.arange(1.0, 10.0).reshape(3, 3)  # distinct values show the tied entries
    h, w = 5, 6
    C = A.conv_matrix(kernel, (h, w))
    oh, ow = 3, 4
    blocks = C.reshape(oh, ow, h, w).transpose(0, 2, 1, 3)  # block (a, b): output row a, input row b
    for a in range(oh):
        for b in range(h):
            expected = A.conv_matrix(kernel[b - a], w) if 0 <= b - a < 3 else np.zeros((ow, w))
            np.testing.assert_array_equal(blocks[a, b], expected)
    # each weight appears once per output: tied entries
    for value in kernel.ravel():
        assert np.count_nonzero(C == value) == oh * ow


@pytest.mark.parametrize(("stride", "padding"), [(1, 0), (2, 1), (1, "full"), (3, 2)])
def test_conv_matrix_transpose_is_the_input_gradient(stride, padding):
    rng = np.random.default_rng(5)
    x = torch.from_numpy(rng.standard_normal((1, 1, 7, 8))).requires_grad_()
    kernel = rng.standard_normal((3, 3))
    p = 2 if padding == "full" else padding
    y = F.conv2d(x, torch.from_numpy(kernel)[None, None], stride=stride, padding=p)
    g = rng.standard_normal(y.shape)
    y.backward(torch.from_numpy(g))
    C = A.conv_matrix(kernel, (7, 8), stride=stride, padding=padding)
    np.testing.assert_allclose(C.T @ g.ravel(), x.grad.numpy().ravel(), rtol=1e-12, atol=1e-12)
    # and the transposed matrix is a transposed convolution of the output gradient
    expected = F.conv_transpose2d(torch.from_numpy(g), torch.from_numpy(kernel)[None, None], stride=stride,
                                  padding=p, output_padding=((7 + 2 * p - 3) % stride, (8 + 2 * p - 3) % stride)).numpy()
    np.testing.assert_allclose(C.T @ g.ravel(), expected.ravel(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: A.conv_matrix(np.ones((3, 3)), 5), ValueError, r"input_shape must have as many axes as kernel \(2\)"),
        (lambda: A.conv_matrix(np.ones((2, 2)), (4, 4), padding="same"), ValueError, "padding='same' needs an odd kernel"),
        (lambda: A.conv_matrix(np.ones(4), 3), ValueError, r"kernel_size=4 .* does not fit into size=3"),
        (lambda: A.conv_matrix(np.ones(3), 5, padding="half"), ValueError, "padding must be .* 'full', got padding='half'"),
        (lambda: A.conv_matrix(np.ones(3), "5"), TypeError, "input_shape must be an integer or a tuple"),
        (lambda: A.conv_matrix(np.ones((2, 2, 2)), (3, 3, 3)), ValueError, "kernel must be 1D or 2D"),
        (lambda: A.conv_matrix(np.ones(3), 5, stride=0), ValueError, "stride must be a positive integer, got stride=0"),
    ],
)
def test_conv_matrix_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


IM2COL_CONFIGS = [
    dict(kernel_size=3), dict(kernel_size=2, stride=2), dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 0)),
    dict(kernel_size=3, dilation=2, padding=2), dict(kernel_size=1), dict(kernel_size=(3, 1), stride=3, padding=1),
]


@pytest.mark.parametrize("config", IM2COL_CONFIGS)
@pytest.mark.parametrize("shape", [(1, 1, 5, 5), (2, 3, 7, 6)])
def test_im2col_equals_unfold_and_col2im_equals_fold(config, shape):
    rng = np.random.default_rng(len(shape) + len(config))
    x = rng.standard_normal(shape)
    cols = A.im2col(x, **config)
    np.testing.assert_array_equal(cols, F.unfold(torch.from_numpy(x), **config).numpy())
    y = rng.standard_normal(cols.shape)
    back = A.col2im(y, shape[2:], **config)
    expected = F.fold(torch.from_numpy(y), shape[2:], **config).numpy()
    np.testing.assert_allclose(back, expected, rtol=1e-12, atol=1e-12)
    # adjoint: <im2col(x), y> = <x, col2im(y)>
    assert np.isclose(np.vdot(cols, y), np.vdot(x, back), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("config", IM2COL_CONFIGS)
def test_conv2d_im2col_equals_torch(config):
    rng = np.random.default_rng(11)
    x = rng.standard_normal((2, 3, 8, 7))
    k = config["kernel_size"]
    kh, kw = (k, k) if isinstance(k, int) else k
    weight = rng.standard_normal((4, 3, kh, kw))
    bias = rng.standard_normal(4)
    rest = {key: v for key, v in config.items() if key != "kernel_size"}
    expected = F.conv2d(torch.from_numpy(x), torch.from_numpy(weight), torch.from_numpy(bias), **rest).numpy()
    np.testing.assert_allclose(A.conv2d_im2col(x, weight, bias, **rest), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: A.im2col(np.ones((3, 3)), 2), ValueError, r"x must be 4D, got x with shape \(3, 3\)"),
        (lambda: A.im2col(np.ones((1, 1, 3, 3)), 4), ValueError, r"kernel_size=4 .* does not fit into size=3"),
        (lambda: A.im2col(np.ones((1, 1, 3, 3)), 2, stride=0), ValueError, r"stride must be a positive integer"),
        (lambda: A.col2im(np.ones((1, 4, 3)), (3, 3), 2), ValueError, r"cols must have 4 columns"),
        (lambda: A.col2im(np.ones((1, 5, 4)), (3, 3), 2), ValueError, r"cols must have C \* kH \* kW rows, a multiple of 4"),
        (lambda: A.col2im(np.ones((1, 4, 4)), 3, 2), TypeError, r"output_size must be a pair"),
        (lambda: A.conv2d_im2col(np.ones((1, 2, 4, 4)), np.ones((1, 3, 2, 2))), ValueError,
         r"weight must have C_in=2 input channels"),
        (lambda: A.conv2d_im2col(np.ones((1, 1, 4, 4)), np.ones((2, 1, 2, 2)), np.ones(3)), ValueError,
         r"bias must have shape \(2,\)"),
    ],
)
def test_im2col_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ------------------------------------------------------------------ chapter 2 self-checks and figures

def _reference_size(i, k, stride=1, padding=0, dilation=1):
    return (i + 2 * padding - dilation * (k - 1) - 1) // stride + 1


BUGGY_SIZES = {
    "no floor": lambda i, k, stride=1, padding=0, dilation=1: (i + 2 * padding - dilation * (k - 1) - 1) / stride + 1,
    "ceiling": lambda i, k, stride=1, padding=0, dilation=1: -(-(i + 2 * padding - dilation * (k - 1) - 1) // stride) + 1,
    "forgets dilation": lambda i, k, stride=1, padding=0, dilation=1: (i + 2 * padding - k) // stride + 1,
    "d times k": lambda i, k, stride=1, padding=0, dilation=1: (i + 2 * padding - dilation * k) // stride + 1,
    "pads one side": lambda i, k, stride=1, padding=0, dilation=1: (i + padding - dilation * (k - 1) - 1) // stride + 1,
    "divides first": lambda i, k, stride=1, padding=0, dilation=1: i // stride + 2 * padding - dilation * (k - 1),
}


def test_check_conv_output_size_passes_the_reference():
    from dlsip.check import check_conv_output_size

    report = check_conv_output_size(_reference_size)
    assert report.passed, str(report)


@pytest.mark.parametrize("bug", BUGGY_SIZES)
def test_check_conv_output_size_catches_typical_bugs(bug):
    from dlsip.check import check_conv_output_size

    report = check_conv_output_size(BUGGY_SIZES[bug])
    assert not report.passed
    assert "cases failed" in str(report)


def test_check_toeplitz_matrix():
    from dlsip.check import check_toeplitz_matrix

    def banded(kernel, n):
        k = len(kernel)
        return scipy.linalg.toeplitz(np.r_[kernel[0], np.zeros(n - k)], np.r_[kernel, np.zeros(n - k)])

    assert check_toeplitz_matrix(banded).passed
    assert not check_toeplitz_matrix(lambda kernel, n: banded(kernel[::-1], n)).passed  # flipped
    assert not check_toeplitz_matrix(lambda kernel, n: banded(kernel, n).T).passed      # transposed
    report = check_toeplitz_matrix(lambda kernel, n: np.zeros((n, n)))
    assert "shape" in str(report)


@pytest.mark.parametrize(("size", "k", "s", "p", "d"), [(4, 3, 1, 0, 1), (5, 3, 1, 1, 1), (5, 3, 2, 1, 1), (7, 3, 1, 0, 2)])
def test_conv_arithmetic_frame_draws_the_taps(size, k, s, p, d):
    from dlsip.plotting import conv_arithmetic_frame

    out = A.conv_output_size(size, k, stride=s, padding=p, dilation=d)
    ax = conv_arithmetic_frame(size, k, stride=s, padding=p, dilation=d, position=(out - 1, 0))
    full = size + 2 * p
    assert len(ax.patches) == full * full + k * k + out * out + 1
    # the last tap of the bottom-left output lands inside the padded input
    taps = ax.patches[full * full: full * full + k * k]
    bottom = min(t.get_y() for t in taps)
    assert bottom == full - 1 - ((out - 1) * s + (k - 1) * d) >= 0
    assert f"o={out}" in ax.get_title()


def test_conv_arithmetic_figures_errors_and_frames():
    from dlsip.plotting import conv_arithmetic_animation, conv_arithmetic_frame, show_conv_matrix

    with pytest.raises(ValueError, match=r"position must be a \(row, column\) pair inside the 3x3 output"):
        conv_arithmetic_frame(5, 3, position=(3, 0))
    with pytest.raises(ValueError, match="does not fit"):
        conv_arithmetic_animation(2, 3)
    anim = conv_arithmetic_animation(5, 3, stride=2, padding=1)
    assert anim.positions == [(r, c) for r in range(3) for c in range(3)]
    anim._draw_was_started = True  # not rendered on purpose: silence matplotlib's reminder
    ax = show_conv_matrix(A.conv_matrix(np.arange(1.0, 10.0).reshape(3, 3), (4, 4)))
    shown = ax.images[0].get_array()
    assert shown.shape == (4, 16) and shown.count() == 4 * 9  # 9 taps per row, zeros masked
    assert len(np.unique(shown.compressed())) == 9              # one colour per tied weight
