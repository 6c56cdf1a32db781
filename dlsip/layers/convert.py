"""NumPy twins of torch networks: the lecture's MNIST CNN built from the NumPy layers,
and any chain of supported torch layers copied with its weights (:func:`from_torch`).

>>> net = lecture_cnn_numpy(rng=np.random.default_rng(0))
>>> len(net), net(np.zeros((1, 1, 28, 28), np.float32)).shape
(10, (1, 10))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import DTypeLike

from .._validation import (
    check_allocation,
    check_module,
    check_positive_int,
    check_rng,
)
from ._checks import check_float_dtype
from .modules import (
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    Flatten,
    LeakyReLU,
    Linear,
    MaxPool2d,
    Module,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
)

if TYPE_CHECKING:  # torch is imported only by the function that needs it
    import torch

__all__ = ["lecture_cnn_numpy", "from_torch"]


def lecture_cnn_numpy(
    *,
    channels: int = 4,
    rng: np.random.Generator | None = None,
    dtype: DTypeLike = np.float32,
) -> Sequential:
    """The lecture's MNIST CNN in NumPy layers (input (N, 1, 28, 28), output 10 logits).

    Conv2d(1, c, 3, padding=1) - BatchNorm2d(c) - ReLU - MaxPool2d(2) - Conv2d(c, c, 3,
    padding=1) - BatchNorm2d(c) - ReLU - MaxPool2d(2) - Flatten - Linear(c*7*7, 10),
    with ``c = 4`` in the lecture (:class:`dlsip.models.LectureCNN`). Initialised as
    torch initialises the same layers.

    Parameters
    ----------
    channels : int
        Channels of both convolutions (4 in the lecture).
    rng : numpy.random.Generator or None
        For the initial weights.
    dtype : numpy dtype
        Of the parameters (float32, as torch's default).

    Returns
    -------
    Sequential

    Examples
    --------
    >>> net = lecture_cnn_numpy(rng=np.random.default_rng(0))
    >>> net(np.zeros((3, 1, 28, 28), np.float32)).shape
    (3, 10)
    >>> sum(p.size for p in net.parameters())   # 40 + 8 + 148 + 8 + 1970
    2174
    """
    c = check_positive_int(channels, "channels")
    check_allocation(
        (10, c * 7 * 7), what="the last layer's weights", arguments=f"channels={c}"
    )
    rng = check_rng(rng)
    return Sequential(
        Conv2d(1, c, 3, padding=1, rng=rng, dtype=dtype),
        BatchNorm2d(c, dtype=dtype),
        ReLU(),
        MaxPool2d(2),
        Conv2d(c, c, 3, padding=1, rng=rng, dtype=dtype),
        BatchNorm2d(c, dtype=dtype),
        ReLU(),
        MaxPool2d(2),
        Flatten(),
        Linear(c * 7 * 7, 10, rng=rng, dtype=dtype),
    )


def _layer_from_torch(name: str, m: torch.nn.Module) -> Module | None:
    """The NumPy layer of a torch leaf module (weights copied later); None skips it."""
    import torch.nn as tnn

    if isinstance(m, tnn.Conv2d):
        if m.groups != 1 or m.padding_mode != "zeros" or isinstance(m.padding, str):
            raise TypeError(
                f"from_torch supports Conv2d with groups=1 and numeric zero padding; "
                f"got {name}={m}"
            )
        return Conv2d(
            m.in_channels,
            m.out_channels,
            m.kernel_size,
            stride=m.stride,
            padding=m.padding,
            dilation=m.dilation,
            bias=m.bias is not None,
        )
    if isinstance(m, tnn.Linear):
        return Linear(m.in_features, m.out_features, bias=m.bias is not None)
    if isinstance(m, (tnn.BatchNorm1d, tnn.BatchNorm2d)):
        if not (m.affine and m.track_running_stats) or m.momentum is None:
            raise TypeError(
                f"from_torch supports BatchNorm with affine=True, "
                f"track_running_stats=True and a momentum; got {name}={m}"
            )
        cls = BatchNorm1d if isinstance(m, tnn.BatchNorm1d) else BatchNorm2d
        return cls(m.num_features, eps=m.eps, momentum=m.momentum)
    if isinstance(m, tnn.MaxPool2d):
        if m.dilation not in (1, (1, 1)) or m.ceil_mode:
            raise TypeError(
                f"from_torch supports MaxPool2d without dilation or ceil_mode; "
                f"got {name}={m}"
            )
        return MaxPool2d(m.kernel_size, stride=m.stride, padding=m.padding)
    if isinstance(m, tnn.AvgPool2d):
        if m.ceil_mode or not m.count_include_pad or m.divisor_override is not None:
            raise TypeError(
                f"from_torch supports AvgPool2d with its defaults; got {name}={m}"
            )
        return AvgPool2d(m.kernel_size, stride=m.stride, padding=m.padding)
    if isinstance(m, tnn.LeakyReLU):
        return LeakyReLU(negative_slope=m.negative_slope)
    simple = {tnn.ReLU: ReLU, tnn.Sigmoid: Sigmoid, tnn.Tanh: Tanh}
    if type(m) in simple:
        return simple[type(m)]()
    if isinstance(m, tnn.Flatten):
        if m.start_dim != 1 or m.end_dim != -1:
            raise TypeError(f"from_torch supports Flatten(start_dim=1); got {name}={m}")
        return Flatten()
    if isinstance(m, tnn.Identity):
        return None
    raise TypeError(f"from_torch does not support {type(m).__name__} (module {name!r})")


def from_torch(
    module: torch.nn.Module, *, dtype: DTypeLike | None = None
) -> Sequential:
    """A NumPy :class:`dlsip.layers.Sequential` with the layers and weights of a torch
    model.

    Parameters
    ----------
    module : torch.nn.Module
        Its leaf modules, in registration order, must be the order of its forward pass
        (true of ``nn.Sequential`` and of models written that way). Supported leaves:
        Conv2d (groups=1, zero padding), Linear, BatchNorm1d/2d, MaxPool2d, AvgPool2d,
        ReLU, LeakyReLU, Sigmoid, Tanh, Flatten (``start_dim=1``); Identity is skipped.
        A model that flattens in its ``forward`` (``x.view(N, -1)``) gets a
        :class:`dlsip.layers.Flatten` before its first Linear that follows a convolution
        or pooling layer.
    dtype : numpy dtype, optional
        Defaults to the dtype of the torch parameters.

    Returns
    -------
    Sequential
        In the same train/eval mode as ``module``, with copies of its parameters and
        running statistics.

    Raises
    ------
    TypeError
        If ``module`` is not a torch module or a leaf module is not supported.

    Examples
    --------
    >>> import torch
    >>> tnet = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU())
    >>> net = from_torch(tnet)
    >>> x = np.ones((1, 3), np.float32)
    >>> bool(np.allclose(net(x), tnet(torch.from_numpy(x)).detach().numpy()))
    True
    """
    check_module(module, "module")

    if dtype is not None:
        dtype = check_float_dtype(dtype)

    def arr(t: torch.Tensor) -> np.ndarray:
        a = t.detach().cpu().numpy()
        return a.astype(dtype if dtype is not None else a.dtype, copy=True)

    layers = []
    spatial = False  # does the previous layer output (N, C, H, W)?
    for name, m in module.named_modules():
        if any(True for _ in m.children()):
            continue
        layer = _layer_from_torch(name, m)
        if layer is None:
            continue
        if isinstance(layer, (Conv2d, Linear)):
            layer.weight = arr(m.weight)
            layer.bias = None if m.bias is None else arr(m.bias)
            layer.dweight = np.zeros_like(layer.weight)
            layer.dbias = None if layer.bias is None else np.zeros_like(layer.bias)
        elif isinstance(layer, (BatchNorm1d, BatchNorm2d)):
            layer.weight, layer.bias = arr(m.weight), arr(m.bias)
            layer.running_mean, layer.running_var = (
                arr(m.running_mean),
                arr(m.running_var),
            )
            layer.dweight, layer.dbias = (
                np.zeros_like(layer.weight),
                np.zeros_like(layer.bias),
            )
        if isinstance(layer, Linear) and spatial:
            layers.append(Flatten())
        if isinstance(layer, (Conv2d, MaxPool2d, AvgPool2d, BatchNorm2d)):
            spatial = True
        elif isinstance(layer, (Flatten, Linear, BatchNorm1d)):
            spatial = False
        layers.append(layer)
    net = Sequential(*layers)
    return net.train() if module.training else net.eval()
