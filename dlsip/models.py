"""The course's networks: the MNIST models, the batch-norm experiments' MLP, the small
CNN of chapter 7 and the sub-pixel super-resolution network of chapter 6.

Every model is an :class:`torch.nn.Sequential` with named layers, so that
``print(model)`` reads like the architecture table, ``model.conv1`` reaches a layer by
name, and
:func:`feature_maps` can return the output of every layer for one image. All models take
NCHW float tensors of MNIST digits, shape ``(N, 1, 28, 28)``, and return raw logits of
shape ``(N, 10)``: no softmax, because :class:`torch.nn.CrossEntropyLoss` applies
``log_softmax`` itself, and the probabilities are ``logits.softmax(dim=1)``.

Each docstring tabulates the output shape of each layer (per image, ``(C, H, W)``); the
tests derive the same shapes from the convolution arithmetic of chapter 2,
``o = floor((i + 2p - k) / s) + 1``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import torch
from torch import nn

from ._validation import (
    check_allocation,
    check_bool,
    check_choice,
    check_float,
    check_instance,
    check_int,
    check_module,
    check_positive_int,
    check_tensor,
)
from .data import bicubic_upscale

__all__ = [
    "LectureCNN",
    "LeNet5",
    "MLP",
    "FastCNN",
    "SmallCNN",
    "BatchNormMLP",
    "SubPixelSR",
    "count_parameters",
    "feature_maps",
    "init_weights",
]


def count_parameters(model: nn.Module, *, trainable_only: bool = True) -> int:
    """The number of parameters of ``model`` (scalars, not tensors).

    Batch-norm running statistics are buffers, not parameters, so they are not counted,
    as in ``sum(p.numel() for p in model.parameters())``.

    Parameters
    ----------
    model : torch.nn.Module
    trainable_only : bool
        Count only the parameters with ``requires_grad`` (the default).

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If ``model`` is not a ``torch.nn.Module`` or ``trainable_only`` not a bool.

    Notes
    -----
    A convolution with ``C_in`` input channels, ``C_out`` filters of size ``k x k`` and
    a bias has ``(k * k * C_in + 1) * C_out`` parameters; a batch norm over ``C``
    channels has ``2 C`` (its scale gamma and shift beta); a linear layer ``(n_in + 1) *
    n_out``.

    Examples
    --------
    >>> from torch import nn
    >>> count_parameters(nn.Conv2d(3, 10, 5))  # 10 filters of 5x5x3 plus 10 biases
    760
    >>> count_parameters(LectureCNN())
    2174
    """
    check_module(model, "model")
    trainable_only = check_bool(trainable_only, "trainable_only")
    return sum(
        p.numel() for p in model.parameters() if p.requires_grad or not trainable_only
    )


@torch.no_grad()
def feature_maps(model: nn.Sequential, x: torch.Tensor) -> OrderedDict:
    """Run ``x`` through a sequential model and return the output of every named layer.

    The model is put in evaluation mode for the pass (batch norm uses its running
    statistics) and restored to its previous mode afterwards.

    Parameters
    ----------
    model : torch.nn.Sequential
        One of the models of this module, or any ``nn.Sequential``.
    x : torch.Tensor, shape (N, 1, 28, 28)
        The input batch.

    Returns
    -------
    collections.OrderedDict
        Layer name to its output tensor (detached), in the order of the layers.

    Raises
    ------
    TypeError
        If ``model`` is not an ``nn.Sequential`` or ``x`` is not a tensor.
    ValueError
        If ``x`` is empty, or a layer cannot take what reaches it (a wrong number of
        channels or dimensions, a complex dtype): the message names the layer.

    Examples
    --------
    >>> import torch
    >>> maps = feature_maps(LectureCNN(), torch.zeros(1, 1, 28, 28))
    >>> {name: tuple(t.shape) for name, t in maps.items() if name.startswith("pool")}
    {'pool1': (1, 4, 14, 14), 'pool2': (1, 4, 7, 7)}
    """
    check_instance(model, "model", nn.Sequential, "a torch.nn.Sequential")
    x = check_tensor(x, "x")
    shape, dtype = tuple(x.shape), x.dtype
    was_training = model.training
    model.eval()
    try:
        out = OrderedDict()
        for name, layer in model.named_children():
            try:
                x = layer(x)
            except RuntimeError as err:  # torch's shape or dtype error, said plainly
                raise ValueError(
                    f"x of shape {shape} and dtype {dtype} does not fit model: its "
                    f"layer {name!r} ({layer}) raised {type(err).__name__}: {err}"
                ) from err
            out[name] = x.detach()
    finally:
        model.train(was_training)
    return out


class LectureCNN(nn.Sequential):
    """The lecture's MNIST model, layer for layer: two conv-BN-ReLU-pool blocks of 4
    channels and one linear layer.

    ====================  ================  ==========
    layer                 output (C, H, W)  parameters
    ====================  ================  ==========
    input                 (1, 28, 28)       0
    conv1 3x3, s=1, p=1   (4, 28, 28)       40
    bn1, relu1            (4, 28, 28)       8
    pool1 max 2x2, s=2    (4, 14, 14)       0
    conv2 3x3, s=1, p=1   (4, 14, 14)       148
    bn2, relu2            (4, 14, 14)       8
    pool2 max 2x2, s=2    (4, 7, 7)         0
    flatten               (196,)            0
    fc                    (10,)             1,970
    ====================  ================  ==========

    2,174 parameters in all with the lecture's ``channels=4``. The model outputs logits.

    Parameters
    ----------
    channels : int, default 4
        The number of filters of both convolutions (the lecture's 4). With ``C``
        channels the model has ``(9 + 1) C + 2 C + (9 C + 1) C + 2 C + (49 C + 1) 10``
        parameters: 2,174 for ``C = 4``, 10,394 for ``C = 16``.

    Raises
    ------
    TypeError, ValueError
        If ``channels`` is not a positive integer.

    Notes
    -----
    Four channels are very few: after the second pool the classifier sees 196 numbers, a
    linear function of which must separate ten digit classes. The capacity, not the
    training, is what keeps this model below 99% test accuracy (see the chapter).

    Examples
    --------
    >>> import torch
    >>> model = LectureCNN()
    >>> model(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    >>> [name for name, _ in model.named_children()]  # doctest: +NORMALIZE_WHITESPACE
    ['conv1', 'bn1', 'relu1', 'pool1', 'conv2', 'bn2', 'relu2', 'pool2',
     'flatten', 'fc']
    >>> count_parameters(LectureCNN(channels=16))  # the same layers, four times wider
    10394
    """

    def __init__(self, *, channels: int = 4):
        c = check_positive_int(channels, "channels")
        check_allocation(  # the weights of the second convolution, the largest
            (c, c, 3, 3), f"channels={c}", what="the weights of conv2"
        )
        super().__init__(
            OrderedDict(
                [
                    ("conv1", nn.Conv2d(1, c, kernel_size=3, stride=1, padding=1)),
                    ("bn1", nn.BatchNorm2d(c)),
                    ("relu1", nn.ReLU()),
                    ("pool1", nn.MaxPool2d(kernel_size=2, stride=2)),
                    ("conv2", nn.Conv2d(c, c, kernel_size=3, stride=1, padding=1)),
                    ("bn2", nn.BatchNorm2d(c)),
                    ("relu2", nn.ReLU()),
                    ("pool2", nn.MaxPool2d(kernel_size=2, stride=2)),
                    ("flatten", nn.Flatten()),
                    ("fc", nn.Linear(c * 7 * 7, 10)),
                ]
            )
        )


class LeNet5(nn.Sequential):
    """LeNet-5 (LeCun, Bottou, Bengio & Haffner, 1998), adapted to 28x28 MNIST digits.

    ==================  ================  ==========
    layer               output (C, H, W)  parameters
    ==================  ================  ==========
    input               (1, 28, 28)       0
    c1 5x5, p=2         (6, 28, 28)       156
    s2 pool 2x2, s=2    (6, 14, 14)       0
    c3 5x5              (16, 10, 10)      2,416
    s4 pool 2x2, s=2    (16, 5, 5)        0
    c5 5x5              (120, 1, 1)       48,120
    flatten             (120,)            0
    f6                  (84,)             10,164
    output              (10,)             850
    ==================  ================  ==========

    61,706 parameters in all (with the default full C3 connectivity).

    Parameters
    ----------
    activation : {"tanh", "relu"}
        The nonlinearity after c1, c3, c5 and f6; the paper used a scaled tanh.
    pool : {"avg", "max"}
        The subsampling of s2 and s4; the paper averaged.

    Raises
    ------
    ValueError
        For an unknown ``activation`` or ``pool``.

    Notes
    -----
    The 1998 network read 32x32 images: the 28x28 digits centred in a 32x32 field. Here
    ``c1`` pads the 28x28 input by 2 pixels on each side instead, which gives c1 the
    same 28x28 output, and every later shape is the paper's. Other simplifications, all
    usual today: s2 and s4 are plain average pools (the paper multiplied each pooled sum
    by a trainable coefficient and added a trainable bias before a sigmoid), c3 connects
    every input map to every output map (the paper used a sparse table of 60
    connections, which gives c3 1,516 parameters instead of 2,416), the activation is
    ``tanh`` rather than ``1.7159 tanh(2x/3)``, and the output layer is linear (logits
    for the cross-entropy loss) rather than the paper's Euclidean radial basis
    functions.

    References
    ----------
    Y. LeCun, L. Bottou, Y. Bengio and P. Haffner, "Gradient-based learning applied to
    document recognition", Proc. IEEE 86(11), 1998.

    Examples
    --------
    >>> import torch
    >>> model = LeNet5()
    >>> model(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    >>> count_parameters(model)
    61706
    """

    def __init__(self, *, activation: str = "tanh", pool: str = "avg"):
        check_choice(activation, "activation", ("tanh", "relu"))
        check_choice(pool, "pool", ("avg", "max"))
        act = nn.Tanh if activation == "tanh" else nn.ReLU
        pooling = nn.AvgPool2d if pool == "avg" else nn.MaxPool2d
        super().__init__(
            OrderedDict(
                [
                    # padding=2: the paper's 32x32 input field, made from the 28x28
                    # digit
                    ("c1", nn.Conv2d(1, 6, kernel_size=5, padding=2)),
                    ("act1", act()),
                    ("s2", pooling(kernel_size=2, stride=2)),
                    ("c3", nn.Conv2d(6, 16, kernel_size=5)),
                    ("act3", act()),
                    ("s4", pooling(kernel_size=2, stride=2)),
                    # c5 is a convolution whose 5x5 kernel covers the whole 5x5 map: a
                    # 1x1 output
                    ("c5", nn.Conv2d(16, 120, kernel_size=5)),
                    ("act5", act()),
                    ("flatten", nn.Flatten()),
                    ("f6", nn.Linear(120, 84)),
                    ("act6", act()),
                    ("output", nn.Linear(84, 10)),
                ]
            )
        )


def _check_widths(hidden, in_features, num_classes) -> tuple[tuple[int, ...], int, int]:
    """The widths of an MLP, checked, and its weights not absurdly many."""
    check_instance(hidden, "hidden", (tuple, list), "a sequence of integers")
    hidden = tuple(check_positive_int(h, f"hidden[{i}]") for i, h in enumerate(hidden))
    in_features = check_positive_int(in_features, "in_features")
    num_classes = check_positive_int(num_classes, "num_classes")
    widths = (in_features, *hidden, num_classes)
    check_allocation(
        (sum(a * b for a, b in zip(widths, widths[1:])),),
        f"in_features={in_features}, hidden={hidden} and num_classes={num_classes}",
        what="weights, all layers flattened,",
    )
    return hidden, in_features, num_classes


class MLP(nn.Sequential):
    """A multilayer perceptron on the 784 pixels: the baseline without convolutions.

    ===========================  ================
    layer                        output
    ===========================  ================
    input                        (1, 28, 28)
    flatten                      (784,)
    fc1, relu1                   (hidden[0],)
    ...                          ...
    fcL, reluL                   (hidden[-1],)
    output                       (10,)
    ===========================  ================

    Parameters
    ----------
    hidden : sequence of int
        The widths of the hidden layers, each followed by a ReLU. ``()`` gives a linear
        (multinomial logistic regression) model.
    in_features : int
        The number of inputs, 784 for 28x28 digits.
    num_classes : int
        The number of outputs.

    Raises
    ------
    TypeError, ValueError
        If a width is not a positive integer, or the weights would be absurdly many.

    Notes
    -----
    Layer ``l`` has ``(n_{l-1} + 1) n_l`` parameters. An MLP treats the pixels as an
    unordered list: it would learn as well from digits whose pixels were all permuted by
    one fixed permutation, and it has no built-in reason to recognise a digit shifted by
    a pixel or two.

    Examples
    --------
    >>> import torch
    >>> model = MLP(hidden=(100,))
    >>> model(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    >>> count_parameters(model)  # (784 + 1) * 100 + (100 + 1) * 10
    79510
    """

    def __init__(
        self,
        *,
        hidden: Sequence[int] = (100,),
        in_features: int = 784,
        num_classes: int = 10,
    ):
        hidden, in_features, num_classes = _check_widths(
            hidden, in_features, num_classes
        )
        layers = [("flatten", nn.Flatten())]
        n_in = in_features
        for i, n_out in enumerate(hidden, start=1):
            layers += [(f"fc{i}", nn.Linear(n_in, n_out)), (f"relu{i}", nn.ReLU())]
            n_in = n_out
        layers.append(("output", nn.Linear(n_in, num_classes)))
        super().__init__(OrderedDict(layers))


class FastCNN(nn.Sequential):
    """The course's fast MNIST model: 99% test accuracy after seconds on a laptop CPU.

    =========================  ================  ==========
    layer                      output (C, H, W)  parameters
    =========================  ================  ==========
    input                      (1, 28, 28)       0
    conv1 5x5, s=2, p=2        (32, 14, 14)      800
    bn1, relu1                 (32, 14, 14)      64
    conv2 3x3, s=1, p=1        (32, 14, 14)      9,216
    bn2, relu2                 (32, 14, 14)      64
    pool2 max 2x2, s=2         (32, 7, 7)        0
    conv3 3x3, s=1, p=1        (64, 7, 7)        18,432
    bn3, relu3                 (64, 7, 7)        128
    pool3 max 2x2, s=2         (64, 3, 3)        0
    flatten                    (576,)            0
    fc                         (10,)             5,770
    =========================  ================  ==========

    34,474 parameters with the default ``channels=(32, 32, 64)``.

    Parameters
    ----------
    channels : tuple of 3 int
        The number of filters of conv1, conv2 and conv3.

    Raises
    ------
    TypeError, ValueError
        If ``channels`` is not three positive integers.

    Notes
    -----
    Where the time goes on a CPU decides the design. A convolution's cost is its number
    of multiply-accumulates, :math:`H_{out} W_{out} C_{out} k^2 C_{in}`, but batch norm,
    ReLU and max pooling read and write every activation, and on 28x28 maps of tens of
    channels these memory-bound passes cost as much as the convolutions. So:

    - the first layer is a 5x5 convolution with stride 2: it sees a 5x5 neighbourhood,
      as two stacked 3x3 layers would, and produces 14x14 maps directly, so no layer
      works at full resolution after it (conv1 costs 196 * 32 * 25 = 157k MACs per
      image);
    - the convolutions have no bias, since the batch norm that follows subtracts the
      mean and adds its own shift beta, which makes a bias redundant;
    - batch norm lets a large learning rate (Adam with a one-cycle schedule) converge
      in one or two epochs.

    Train it with ``fit(..., channels_last=True)`` on a CPU: in the NHWC layout max
    pooling and batch norm run several times faster than in NCHW.

    Narrower first layers trade a little accuracy for speed: ``channels=(16, 16, 64)``
    halves the cost of the 14x14 stage and is the fast recipe of
    ``benchmarks/mnist_speed.py`` (above 99.0% for five of five seeds in under 10 s of
    training on 2 CPU cores there).

    Examples
    --------
    >>> import torch
    >>> model = FastCNN()
    >>> model(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    >>> count_parameters(model)
    34474
    """

    def __init__(self, *, channels: Sequence[int] = (32, 32, 64)):
        if not isinstance(channels, (tuple, list)) or len(channels) != 3:
            raise TypeError(
                f"channels must be a tuple of 3 integers, got channels={channels!r}"
            )
        c1, c2, c3 = (check_positive_int(c, "channels") for c in channels)
        super().__init__(
            OrderedDict(
                [
                    (
                        "conv1",
                        nn.Conv2d(
                            1, c1, kernel_size=5, stride=2, padding=2, bias=False
                        ),
                    ),
                    ("bn1", nn.BatchNorm2d(c1)),
                    ("relu1", nn.ReLU()),
                    ("conv2", nn.Conv2d(c1, c2, kernel_size=3, padding=1, bias=False)),
                    ("bn2", nn.BatchNorm2d(c2)),
                    ("relu2", nn.ReLU()),
                    ("pool2", nn.MaxPool2d(kernel_size=2, stride=2)),
                    ("conv3", nn.Conv2d(c2, c3, kernel_size=3, padding=1, bias=False)),
                    ("bn3", nn.BatchNorm2d(c3)),
                    ("relu3", nn.ReLU()),
                    ("pool3", nn.MaxPool2d(kernel_size=2, stride=2)),
                    ("flatten", nn.Flatten()),
                    ("fc", nn.Linear(c3 * 3 * 3, 10)),
                ]
            )
        )


class SmallCNN(nn.Sequential):
    """Chapter 7's small CNN: two conv-ReLU-pool blocks of 16 channels with 5x5 kernels,
    and one linear layer.

    ====================  ================  ==========
    layer                 output (C, H, W)  parameters
    ====================  ================  ==========
    input                 (1, 28, 28)       0
    conv1 5x5, s=1, p=2   (16, 28, 28)      416
    relu1                 (16, 28, 28)      0
    pool1 max 2x2, s=2    (16, 14, 14)      0
    conv2 5x5, s=1, p=2   (16, 14, 14)      6,416
    relu2                 (16, 14, 14)      0
    pool2 max 2x2, s=2    (16, 7, 7)        0
    flatten               (784,)            0
    fc                    (10,)             7,850
    ====================  ================  ==========

    14,682 parameters in all, fewer than the one-hidden-layer MLP it is compared with in
    chapter 7 (203,530 with 256 hidden units). The model outputs logits.

    Examples
    --------
    >>> import torch
    >>> model = SmallCNN()
    >>> model(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    >>> count_parameters(model)
    14682
    """

    def __init__(self):
        super().__init__(
            OrderedDict(
                [
                    ("conv1", nn.Conv2d(1, 16, kernel_size=5, padding=2)),
                    ("relu1", nn.ReLU()),
                    ("pool1", nn.MaxPool2d(kernel_size=2, stride=2)),
                    ("conv2", nn.Conv2d(16, 16, kernel_size=5, padding=2)),
                    ("relu2", nn.ReLU()),
                    ("pool2", nn.MaxPool2d(kernel_size=2, stride=2)),
                    ("flatten", nn.Flatten()),
                    ("fc", nn.Linear(16 * 7 * 7, 10)),
                ]
            )
        )


# ---- Chapter 4: batch-norm experiments ----
# A configurable MLP with or without batch norm, and a seeded weight initialisation, so
# that the chapter's experiments (learning rates, initialisations, covariate shift)
# compare
# networks that differ in one setting only.

_INITS = ("torch", "kaiming", "normal")


@torch.no_grad()
def init_weights(
    model: nn.Module,
    *,
    init: str = "kaiming",
    std: float = 0.01,
    seed: int | None = None,
) -> nn.Module:
    r"""Re-initialise the weights and biases of every ``Linear`` and ``Conv2d`` layer.

    Batch-norm layers keep their parameters (:math:`\gamma = 1`, :math:`\beta = 0`).

    Parameters
    ----------
    model : torch.nn.Module
    init : {"torch", "kaiming", "normal"}
        ``"torch"``: torch's default, weights and biases uniform in
        :math:`\pm 1/\sqrt{n_{in}}`. ``"kaiming"``: weights :math:`\mathcal N(0,
        2/n_{in})` (He et al., 2015), biases 0. ``"normal"``: weights :math:`\mathcal
        N(0, \mathrm{std}^2)`, biases 0.
    std : float
        Standard deviation of the ``"normal"`` scheme, > 0.
    seed : int or None
        Seed of a private ``torch.Generator``; None draws from torch's global generator.

    Returns
    -------
    torch.nn.Module
        ``model`` itself.

    Raises
    ------
    TypeError
        If ``model`` is not a module or ``seed`` is not an integer.
    ValueError
        If ``init`` is unknown or ``std`` is not positive.

    Notes
    -----
    :math:`n_{in}` is the fan-in of a unit: ``in_features`` for a linear layer,
    :math:`C_{in} k_H k_W` for a convolution. With ReLU units, :math:`\mathrm{Var}(w) =
    2/n_{in}` keeps the variance of the pre-activations constant from layer to layer; a
    fixed small ``std`` multiplies it by :math:`n_{in}\,\mathrm{std}^2/2` at every layer
    (0.005 for 100 inputs and std 0.01), so the signal vanishes with depth.
    Torch's default is ``kaiming_uniform_(a=sqrt(5))``, whose bound is :math:`\sqrt{6 /
    ((1 + 5) n_{in})} = 1/\sqrt{n_{in}}`.

    Examples
    --------
    >>> net = init_weights(nn.Linear(400, 50), init="kaiming", seed=0)
    >>> round(net.weight.std().item() * 400 ** 0.5, 1)   # sqrt(2) = 1.41...
    1.4
    >>> bool((net.bias == 0).all())
    True
    """
    check_module(model, "model")
    init = check_choice(init, "init", _INITS)
    std = check_float(std, "std", minimum=0.0, strict=True)
    generator = None
    if seed is not None:
        generator = torch.Generator().manual_seed(check_int(seed, "seed", minimum=0))
    for layer in model.modules():
        if not isinstance(layer, (nn.Linear, nn.Conv2d)):
            continue
        fan_in = layer.weight[0].numel()
        if init == "torch":
            bound = fan_in**-0.5
            layer.weight.uniform_(-bound, bound, generator=generator)
            if layer.bias is not None:
                layer.bias.uniform_(-bound, bound, generator=generator)
            continue
        scale = (2.0 / fan_in) ** 0.5 if init == "kaiming" else std
        layer.weight.normal_(0.0, scale, generator=generator)
        if layer.bias is not None:
            layer.bias.zero_()
    return model


class BatchNormMLP(nn.Sequential):
    r"""An MLP on the 784 pixels whose hidden layers have batch norm or not.

    ==========================  =====================================
    layer                       output
    ==========================  =====================================
    flatten                     (784,)
    fc1 [, bn1], act1           (hidden[0],)
    ...                         ...
    fcL [, bnL], actL           (hidden[-1],)
    output                      (10,)
    ==========================  =====================================

    Parameters
    ----------
    hidden : sequence of int
        Widths of the hidden layers (the paper's MNIST network: three of 100).
    batchnorm : bool
        Put a ``BatchNorm1d`` between each hidden linear layer and its activation, as
        Ioffe & Szegedy do (BN of :math:`Wu`); the linear layer then has no bias, which
        the mean subtraction would cancel and :math:`\beta` replaces.
    activation : {"relu", "sigmoid"}
    init : {"torch", "kaiming", "normal"}
        Weight initialisation, see :func:`init_weights`.
    std : float
        Standard deviation for ``init="normal"``.
    seed : int or None
        Seed of the initialisation. With ``init="kaiming"`` or ``"normal"`` (zero
        biases), two models built with the same seed and ``hidden`` start from the same
        weights whether or not they have batch norm.
    in_features, num_classes : int

    Raises
    ------
    TypeError, ValueError
        For a width that is not a positive integer (or absurdly many weights), a
        ``batchnorm`` that is not a bool, or an unknown ``activation``/``init``.

    Notes
    -----
    A hidden layer computes :math:`h = \phi(\mathrm{BN}(W u))` with batch norm and
    :math:`h = \phi(W u + b)` without; the output layer is linear and returns logits.
    Batch norm adds :math:`2 n_l` trainable parameters per hidden layer and removes the
    :math:`n_l` biases.

    Examples
    --------
    >>> plain = BatchNormMLP(hidden=(100, 100), seed=0)
    >>> bn = BatchNormMLP(hidden=(100, 100), batchnorm=True, seed=0)
    >>> [name for name, _ in bn.named_children()]
    ['flatten', 'fc1', 'bn1', 'act1', 'fc2', 'bn2', 'act2', 'output']
    >>> count_parameters(bn) - count_parameters(plain)  # +2*100 per layer, -100 biases
    200
    >>> bool(torch.equal(plain.fc1.weight, bn.fc1.weight))
    True
    """

    def __init__(
        self,
        *,
        hidden: Sequence[int] = (100, 100, 100),
        batchnorm: bool = False,
        activation: str = "relu",
        init: str = "kaiming",
        std: float = 0.01,
        seed: int | None = None,
        in_features: int = 784,
        num_classes: int = 10,
    ):
        hidden, in_features, num_classes = _check_widths(
            hidden, in_features, num_classes
        )
        batchnorm = check_bool(batchnorm, "batchnorm")
        act = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid}[
            check_choice(activation, "activation", ("relu", "sigmoid"))
        ]
        layers = [("flatten", nn.Flatten())]
        n_in = in_features
        for i, n_out in enumerate(hidden, start=1):
            layers.append((f"fc{i}", nn.Linear(n_in, n_out, bias=not batchnorm)))
            if batchnorm:
                layers.append((f"bn{i}", nn.BatchNorm1d(n_out)))
            layers.append((f"act{i}", act()))
            n_in = n_out
        layers.append(("output", nn.Linear(n_in, num_classes)))
        super().__init__(OrderedDict(layers))
        init_weights(self, init=init, std=std, seed=seed)


# ---- Chapter 6: super-resolution by sub-pixel convolution ----


class SubPixelSR(nn.Module):
    """ESPCN ([1]_): convolutions at low resolution, then a pixel shuffle by ``scale``.

    ``conv(5x5, features[0]) - tanh - conv(3x3, features[1]) - tanh - conv(3x3,
    channels * scale**2) - pixel_shuffle(scale)``. With ``residual=True`` the network
    learns only the correction to bicubic upscaling
    (:func:`dlsip.data.bicubic_upscale`), which it adds at the end.

    Parameters
    ----------
    scale : int
        The upscaling factor ``r``.
    channels : int
        Channels of the images (1 for greyscale).
    features : (int, int)
        Channels of the two hidden convolutions.
    residual : bool
        Add the bicubic upscaling of the input to the output.

    Raises
    ------
    TypeError, ValueError
        If a size is not a positive integer (or the weights would be absurdly many),
        or ``residual`` is not a bool.

    References
    ----------
    .. [1] W. Shi et al., "Real-Time Single Image and Video Super-Resolution Using an
       Efficient Sub-Pixel Convolutional Neural Network", CVPR 2016.

    Examples
    --------
    >>> import torch
    >>> model = SubPixelSR(scale=3, features=(8, 4))
    >>> model(torch.zeros(2, 1, 5, 6)).shape
    torch.Size([2, 1, 15, 18])
    """

    def __init__(
        self,
        *,
        scale: int = 3,
        channels: int = 1,
        features: tuple[int, int] = (64, 32),
        residual: bool = True,
    ):
        super().__init__()
        self.scale = check_positive_int(scale, "scale")
        channels = check_positive_int(channels, "channels")
        if not isinstance(features, (tuple, list)) or len(features) != 2:
            raise TypeError(
                f"features must be a pair of integers, got features={features!r}"
            )
        f1, f2 = (check_positive_int(f, "features") for f in features)
        self.residual = check_bool(residual, "residual")
        check_allocation(  # the weights of the three convolutions
            (25 * channels * f1 + 9 * f1 * f2 + 9 * f2 * channels * self.scale**2,),
            f"scale={self.scale}, channels={channels} and features={features}",
            what="weights, all layers flattened,",
        )
        self.body = nn.Sequential(
            nn.Conv2d(channels, f1, 5, padding=2),
            nn.Tanh(),
            nn.Conv2d(f1, f2, 3, padding=1),
            nn.Tanh(),
            nn.Conv2d(f2, channels * self.scale**2, 3, padding=1),
        )
        self.shuffle = nn.PixelShuffle(self.scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.shuffle(self.body(x))
        if self.residual:
            y = y + bicubic_upscale(x, scale=self.scale)
        return y
