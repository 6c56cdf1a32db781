"""Layer objects: each wraps a forward/backward pair with its parameters and gradients,
and :class:`Sequential` chains them, in the style of ``torch.nn``.

``forward`` keeps the cache of the last call; ``backward`` stores the gradients of the
parameters (overwriting the previous ones, so there is no ``zero_grad``) and returns the
gradient with respect to the input. ``parameters()`` and ``grads()`` list arrays in the
same order, which the optimisers of :mod:`dlsip.layers.optim` update in place.

>>> rng = np.random.default_rng(0)
>>> net = Sequential(Linear(4, 3, rng=rng), ReLU(), Linear(3, 2, rng=rng))
>>> net(np.ones((5, 4), np.float32)).shape
(5, 2)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from .._validation import (
    check_allocation,
    check_array,
    check_bool,
    check_float,
    check_pair,
    check_positive_int,
    check_rng,
)
from ._checks import check_dout, check_float_dtype, check_pool_hyperparameters
from .activations import (
    leaky_relu_backward,
    leaky_relu_forward,
    relu_backward,
    relu_forward,
    sigmoid_backward,
    sigmoid_forward,
    tanh_backward,
    tanh_forward,
)
from .batchnorm import batchnorm_backward, batchnorm_forward
from .conv import conv2d_backward, conv2d_forward
from .linear import linear_backward, linear_forward
from .pool import (
    avgpool2d_backward,
    avgpool2d_forward,
    maxpool2d_backward,
    maxpool2d_forward,
)

__all__ = [
    "Module",
    "Conv2d",
    "Linear",
    "BatchNorm1d",
    "BatchNorm2d",
    "MaxPool2d",
    "AvgPool2d",
    "ReLU",
    "LeakyReLU",
    "Sigmoid",
    "Tanh",
    "Flatten",
    "Sequential",
]

Pair = tuple[int, int]


class Module:
    """Base class: a layer with ``forward``, ``backward``, parameters and gradients."""

    training = True
    _cache: Any = None

    def forward(self, x: ArrayLike) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, dout: ArrayLike) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, x: ArrayLike) -> np.ndarray:
        return self.forward(x)

    def parameters(self) -> list[np.ndarray]:
        return []

    def grads(self) -> list[np.ndarray]:
        return []

    def train(self) -> Module:
        self.training = True
        return self

    def eval(self) -> Module:
        self.training = False
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"

    def extra_repr(self) -> str:
        return ""

    def _last_cache(self) -> Any:
        """The cache of the last forward call (a backward pass needs one)."""
        if self._cache is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward was called before forward"
            )
        return self._cache


def _torch_uniform_init(rng, shape, fan_in, dtype) -> np.ndarray:
    # torch's default for Conv2d and Linear: kaiming_uniform_(a=sqrt(5)) gives
    # U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the weights, and the same for the bias.
    bound = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, size=shape).astype(dtype)


class _WithWeights(Module):
    """A layer with a weight and an optional bias (Conv2d, Linear)."""

    weight: np.ndarray
    bias: np.ndarray | None

    def _init_parameters(self, rng, shape, fan_in, bias, dtype, sizes: str) -> None:
        check_bool(bias, "bias")
        check_allocation(shape, what="the weights", arguments=sizes)
        rng, dtype = check_rng(rng), check_float_dtype(dtype)
        self.weight = _torch_uniform_init(rng, shape, fan_in, dtype)
        self.bias = _torch_uniform_init(rng, shape[:1], fan_in, dtype) if bias else None
        self.dweight = np.zeros_like(self.weight)
        self.dbias = None if self.bias is None else np.zeros_like(self.bias)

    def _store_grads(self, dw: np.ndarray, db: np.ndarray | None) -> None:
        self.dweight[...] = dw
        if self.bias is not None:
            self.dbias[...] = db

    def parameters(self) -> list[np.ndarray]:
        return [self.weight] + ([self.bias] if self.bias is not None else [])

    def grads(self) -> list[np.ndarray]:
        return [self.dweight] + ([self.dbias] if self.bias is not None else [])


class Conv2d(_WithWeights):
    """Convolution layer on :func:`dlsip.layers.conv2d_forward`; initialised as torch's
    ``nn.Conv2d``.

    Examples
    --------
    >>> conv = Conv2d(1, 4, 3, padding=1, rng=np.random.default_rng(0))
    >>> out = conv(np.zeros((2, 1, 5, 5), np.float32))
    >>> out.shape, out.dtype, [p.shape for p in conv.parameters()]
    ((2, 4, 5, 5), dtype('float32'), [(4, 1, 3, 3), (4,)])
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Pair,
        *,
        stride: int | Pair = 1,
        padding: int | Pair = 0,
        dilation: int | Pair = 1,
        bias: bool = True,
        rng: np.random.Generator | None = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        c_in = check_positive_int(in_channels, "in_channels")
        c_out = check_positive_int(out_channels, "out_channels")
        kh, kw = check_pair(kernel_size, "kernel_size")
        self.stride = check_pair(stride, "stride")
        self.padding = check_pair(padding, "padding", minimum=0)
        self.dilation = check_pair(dilation, "dilation")
        sizes = f"in_channels={c_in}, out_channels={c_out}, kernel_size={(kh, kw)}"
        shape = (c_out, c_in, kh, kw)
        self._init_parameters(rng, shape, c_in * kh * kw, bias, dtype, sizes)

    def forward(self, x: ArrayLike) -> np.ndarray:
        out, self._cache = conv2d_forward(
            x,
            self.weight,
            self.bias,
            stride=self.stride,
            padding=self.padding,
            dilation=self.dilation,
        )
        return out

    def backward(self, dout: ArrayLike) -> np.ndarray:
        dx, dw, db = conv2d_backward(dout, self._last_cache())
        self._store_grads(dw, db)
        return dx

    def extra_repr(self) -> str:
        f, c, kh, kw = self.weight.shape
        return (
            f"{c}, {f}, kernel_size=({kh}, {kw}), stride={self.stride}, "
            f"padding={self.padding}"
        )


class Linear(_WithWeights):
    """Fully connected layer on :func:`dlsip.layers.linear_forward`; initialised as
    torch's ``nn.Linear``.

    Examples
    --------
    >>> fc = Linear(3, 2, rng=np.random.default_rng(0))
    >>> fc(np.ones((5, 3), np.float32)).shape
    (5, 2)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        bias: bool = True,
        rng: np.random.Generator | None = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        n_in = check_positive_int(in_features, "in_features")
        n_out = check_positive_int(out_features, "out_features")
        sizes = f"in_features={n_in}, out_features={n_out}"
        self._init_parameters(rng, (n_out, n_in), n_in, bias, dtype, sizes)

    def forward(self, x: ArrayLike) -> np.ndarray:
        out, self._cache = linear_forward(x, self.weight, self.bias)
        return out

    def backward(self, dout: ArrayLike) -> np.ndarray:
        dx, dw, db = linear_backward(dout, self._last_cache())
        self._store_grads(dw, db)
        return dx

    def extra_repr(self) -> str:
        return f"{self.weight.shape[1]}, {self.weight.shape[0]}"


class _BatchNorm(Module):
    _ndim = 2

    def __init__(
        self,
        num_features: int,
        *,
        eps: float = 1e-5,
        momentum: float = 0.1,
        dtype: DTypeLike = np.float32,
    ) -> None:
        num_features = check_positive_int(num_features, "num_features")
        sizes = f"num_features={num_features}"
        check_allocation(
            (4, num_features), what="the parameters and statistics", arguments=sizes
        )
        dtype = check_float_dtype(dtype)
        self.eps = check_float(eps, "eps", minimum=0.0)
        self.momentum = check_float(momentum, "momentum", minimum=0.0)
        if self.momentum > 1:
            raise ValueError(f"momentum must be in [0, 1], got momentum={momentum}")
        self.weight = np.ones(num_features, dtype=dtype)
        self.bias = np.zeros(num_features, dtype=dtype)
        self.running_mean = np.zeros(num_features, dtype=dtype)
        self.running_var = np.ones(num_features, dtype=dtype)
        self.dweight = np.zeros_like(self.weight)
        self.dbias = np.zeros_like(self.bias)

    def forward(self, x: ArrayLike) -> np.ndarray:
        x = check_array(x, "x", ndim=self._ndim)
        out, self._cache = batchnorm_forward(
            x,
            self.weight,
            self.bias,
            running_mean=self.running_mean,
            running_var=self.running_var,
            training=self.training,
            momentum=self.momentum,
            eps=self.eps,
        )
        return out

    def backward(self, dout: ArrayLike) -> np.ndarray:
        dx, self.dweight[...], self.dbias[...] = batchnorm_backward(
            dout, self._last_cache()
        )
        return dx

    def parameters(self) -> list[np.ndarray]:
        return [self.weight, self.bias]

    def grads(self) -> list[np.ndarray]:
        return [self.dweight, self.dbias]

    def extra_repr(self) -> str:
        return f"{self.weight.shape[0]}, eps={self.eps}, momentum={self.momentum}"


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, D) input, per feature (see
    :func:`dlsip.layers.batchnorm_forward`).

    Examples
    --------
    >>> bn = BatchNorm1d(2, dtype=np.float64)
    >>> out = bn(np.array([[0.0, 10.0], [2.0, 30.0]]))
    >>> bn.running_mean
    array([0.1, 2. ])
    """

    _ndim = 2


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W) input, per channel (see
    :func:`dlsip.layers.batchnorm_forward`).

    Examples
    --------
    >>> bn = BatchNorm2d(3)
    >>> bn(np.ones((2, 3, 4, 4), np.float32)).shape
    (2, 3, 4, 4)
    """

    _ndim = 4


class _Stateless(Module):
    """A layer without parameters: a forward function, its backward, fixed keywords."""

    def __init__(
        self, forward_fn: Callable, backward_fn: Callable, **kwargs: Any
    ) -> None:
        self._f, self._b, self._kwargs = forward_fn, backward_fn, kwargs

    def forward(self, x: ArrayLike) -> np.ndarray:
        out, self._cache = self._f(x, **self._kwargs)
        return out

    def backward(self, dout: ArrayLike) -> np.ndarray:
        return self._b(dout, self._last_cache())

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self._kwargs.items())


class MaxPool2d(_Stateless):
    """Max pooling layer on :func:`dlsip.layers.maxpool2d_forward`.

    Examples
    --------
    >>> MaxPool2d(2)(np.zeros((1, 1, 4, 4))).shape
    (1, 1, 2, 2)
    """

    def __init__(
        self,
        kernel_size: int | Pair,
        *,
        stride: int | Pair | None = None,
        padding: int | Pair = 0,
    ) -> None:
        kernel_size, stride, padding = check_pool_hyperparameters(
            kernel_size, stride, padding
        )
        super().__init__(
            maxpool2d_forward,
            maxpool2d_backward,
            kernel_size=kernel_size,
            stride=stride,
            padding=padding,
        )


class AvgPool2d(_Stateless):
    """Average pooling layer on :func:`dlsip.layers.avgpool2d_forward`.

    Examples
    --------
    >>> AvgPool2d(2)(np.ones((1, 1, 4, 4)))[0, 0]
    array([[1., 1.],
           [1., 1.]])
    """

    def __init__(
        self,
        kernel_size: int | Pair,
        *,
        stride: int | Pair | None = None,
        padding: int | Pair = 0,
    ) -> None:
        kernel_size, stride, padding = check_pool_hyperparameters(
            kernel_size, stride, padding
        )
        super().__init__(
            avgpool2d_forward,
            avgpool2d_backward,
            kernel_size=kernel_size,
            stride=stride,
            padding=padding,
        )


class ReLU(_Stateless):
    """ReLU layer.

    Examples
    --------
    >>> ReLU()(np.array([-1.0, 1.0]))
    array([0., 1.])
    """

    def __init__(self) -> None:
        super().__init__(relu_forward, relu_backward)


class LeakyReLU(_Stateless):
    """Leaky ReLU layer.

    Examples
    --------
    >>> LeakyReLU(negative_slope=0.5)(np.array([-1.0, 1.0]))
    array([-0.5,  1. ])
    """

    def __init__(self, *, negative_slope: float = 0.01) -> None:
        negative_slope = check_float(negative_slope, "negative_slope")
        super().__init__(
            leaky_relu_forward, leaky_relu_backward, negative_slope=negative_slope
        )


class Sigmoid(_Stateless):
    """Sigmoid layer.

    Examples
    --------
    >>> Sigmoid()(np.array([0.0]))
    array([0.5])
    """

    def __init__(self) -> None:
        super().__init__(sigmoid_forward, sigmoid_backward)


class Tanh(_Stateless):
    """Tanh layer.

    Examples
    --------
    >>> Tanh()(np.array([0.0]))
    array([0.])
    """

    def __init__(self) -> None:
        super().__init__(tanh_forward, tanh_backward)


class Flatten(Module):
    """Flatten every axis but the first (batch), as torch's ``nn.Flatten()``.

    Examples
    --------
    >>> f = Flatten()
    >>> f(np.zeros((2, 3, 4, 4))).shape, f.backward(np.zeros((2, 48))).shape
    ((2, 48), (2, 3, 4, 4))
    """

    def forward(self, x: ArrayLike) -> np.ndarray:
        x = check_array(x, "x")
        if x.ndim < 2:
            raise ValueError(
                f"x must have a batch axis and at least one more, "
                f"got x with shape {x.shape}"
            )
        self._cache = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout: ArrayLike) -> np.ndarray:
        shape = self._last_cache()
        flat = (shape[0], int(np.prod(shape[1:])))
        return check_dout(dout, flat, "the last forward call").reshape(shape)


class Sequential(Module):
    """Layers applied in order; ``backward`` runs them in reverse.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> net = Sequential(Linear(4, 3, rng=rng), ReLU(), Linear(3, 2, rng=rng))
    >>> net(np.ones((5, 4), np.float32)).shape
    (5, 2)
    >>> net.backward(np.ones((5, 2), np.float32)).shape
    (5, 4)
    >>> len(net.parameters()) == len(net.grads()) == 4
    True
    """

    def __init__(self, *layers: Module) -> None:
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(
                    f"layers must be dlsip.layers.Module instances, "
                    f"got layer {i}={layer!r}"
                )
        self.layers = list(layers)

    def __getitem__(self, i: int) -> Module:
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)

    def forward(self, x: ArrayLike) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout: ArrayLike) -> np.ndarray:
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def parameters(self) -> list[np.ndarray]:
        return [p for layer in self.layers for p in layer.parameters()]

    def grads(self) -> list[np.ndarray]:
        return [g for layer in self.layers for g in layer.grads()]

    def train(self) -> Sequential:
        self.training = True
        for layer in self.layers:
            layer.train()
        return self

    def eval(self) -> Sequential:
        self.training = False
        for layer in self.layers:
            layer.eval()
        return self

    def __repr__(self) -> str:
        inner = "\n".join(f"  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential(\n{inner}\n)"
