"""Neural-network layers from scratch in NumPy: forward and backward passes, layer
objects, optimisers and a training loop.

Every layer is a pair of functions in the style of cs231n: ``*_forward`` returns
``(out, cache)`` and ``*_backward(dout, cache)`` returns the gradient of the loss with
respect to every input, given ``dout``, the gradient with respect to the output. Caches
are named tuples (:class:`Conv2dCache`, ...), the same for a layer's fast and loop
(``*_naive``) versions. Arrays are NCHW and weights are laid out as in torch
(``(C_out, C_in, kH, kW)`` for a convolution, ``(C_in, C_out, kH, kW)`` for a transposed
convolution, ``(out_features, in_features)`` for a linear layer), so that every function
can be checked against torch, as the tests do, to 1e-10 in float64.

One module per concept:

- :mod:`~dlsip.layers.conv`: convolution, by im2col and one matrix product;
- :mod:`~dlsip.layers.conv_transpose`: transposed convolution;
- :mod:`~dlsip.layers.pool`: max, average, weighted-average and L2-norm pooling;
- :mod:`~dlsip.layers.activations`: linear (identity), ReLU, leaky ReLU, sigmoid, tanh,
  softmax;
- :mod:`~dlsip.layers.linear` and :mod:`~dlsip.layers.losses`: the fully connected layer
  and the softmax cross-entropy;
- :mod:`~dlsip.layers.batchnorm`: batch normalization, and folding it into a
  convolution;
- :mod:`~dlsip.layers.local`: locally connected and tiled convolution;
- :mod:`~dlsip.layers.shuffle`: pixel shuffle and unshuffle;
- :mod:`~dlsip.layers.modules`, :mod:`~dlsip.layers.optim`,
  :mod:`~dlsip.layers.training`: layer objects, SGD and Adam, a training loop;
- :mod:`~dlsip.layers.convert`: the lecture's CNN in NumPy, and weights from torch.

The sliding-window geometry (padding, window views, im2col, col2im) is the package's one
geometry core, :mod:`dlsip._geometry`.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> x = rng.standard_normal((2, 3, 8, 8))
>>> w = rng.standard_normal((4, 3, 3, 3))
>>> out, cache = conv2d_forward(x, w, np.zeros(4), padding=1)
>>> out.shape
(2, 4, 8, 8)
>>> dx, dw, db = conv2d_backward(np.ones_like(out), cache)
>>> dx.shape, dw.shape, db.shape
((2, 3, 8, 8), (4, 3, 3, 3), (4,))
"""

from __future__ import annotations

from .activations import (
    IdentityCache,
    LeakyReLUCache,
    ReLUCache,
    SigmoidCache,
    SoftmaxCache,
    TanhCache,
    identity_backward,
    identity_forward,
    leaky_relu_backward,
    leaky_relu_forward,
    relu_backward,
    relu_forward,
    sigmoid_backward,
    sigmoid_forward,
    softmax_backward,
    softmax_forward,
    tanh_backward,
    tanh_forward,
)
from .batchnorm import (
    BatchNormCache,
    batchnorm_backward,
    batchnorm_forward,
    fold_batchnorm,
    fold_batchnorm_sequential,
)
from .conv import (
    Conv2dCache,
    conv2d_backward,
    conv2d_backward_naive,
    conv2d_forward,
    conv2d_forward_naive,
)
from .conv_transpose import (
    ConvTranspose2dCache,
    conv_transpose2d_backward,
    conv_transpose2d_backward_naive,
    conv_transpose2d_forward,
    conv_transpose2d_forward_naive,
)
from .convert import (
    from_torch,
    lecture_cnn_numpy,
)
from .linear import (
    LinearCache,
    linear_backward,
    linear_forward,
)
from .local import (
    LocallyConnected2dCache,
    TiledConv2dCache,
    locally_connected2d_backward,
    locally_connected2d_backward_naive,
    locally_connected2d_forward,
    locally_connected2d_forward_naive,
    tiled_conv2d_backward,
    tiled_conv2d_forward,
)
from .losses import (
    softmax_cross_entropy,
)
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
from .optim import (
    SGD,
    Adam,
)
from .pool import (
    AvgPool2dCache,
    L2Pool2dCache,
    MaxPool2dCache,
    WeightedAvgPool2dCache,
    avgpool2d_backward,
    avgpool2d_backward_naive,
    avgpool2d_forward,
    avgpool2d_forward_naive,
    l2pool2d_backward,
    l2pool2d_forward,
    maxpool2d_backward,
    maxpool2d_backward_naive,
    maxpool2d_forward,
    maxpool2d_forward_naive,
    weighted_avgpool2d_backward,
    weighted_avgpool2d_forward,
)
from .shuffle import (
    pixel_shuffle,
    pixel_unshuffle,
)
from .training import (
    predict_logits,
    train_epoch,
)

__all__ = [
    # conv
    "Conv2dCache",
    "conv2d_forward",
    "conv2d_backward",
    "conv2d_forward_naive",
    "conv2d_backward_naive",
    # conv_transpose
    "ConvTranspose2dCache",
    "conv_transpose2d_forward",
    "conv_transpose2d_backward",
    "conv_transpose2d_forward_naive",
    "conv_transpose2d_backward_naive",
    # pool
    "MaxPool2dCache",
    "AvgPool2dCache",
    "maxpool2d_forward",
    "maxpool2d_backward",
    "maxpool2d_forward_naive",
    "maxpool2d_backward_naive",
    "avgpool2d_forward",
    "avgpool2d_backward",
    "avgpool2d_forward_naive",
    "avgpool2d_backward_naive",
    "WeightedAvgPool2dCache",
    "weighted_avgpool2d_forward",
    "weighted_avgpool2d_backward",
    "L2Pool2dCache",
    "l2pool2d_forward",
    "l2pool2d_backward",
    # activations
    "ReLUCache",
    "LeakyReLUCache",
    "SigmoidCache",
    "TanhCache",
    "relu_forward",
    "relu_backward",
    "leaky_relu_forward",
    "leaky_relu_backward",
    "sigmoid_forward",
    "sigmoid_backward",
    "tanh_forward",
    "tanh_backward",
    "IdentityCache",
    "SoftmaxCache",
    "identity_forward",
    "identity_backward",
    "softmax_forward",
    "softmax_backward",
    # linear
    "LinearCache",
    "linear_forward",
    "linear_backward",
    # losses
    "softmax_cross_entropy",
    # batchnorm
    "BatchNormCache",
    "batchnorm_forward",
    "batchnorm_backward",
    "fold_batchnorm",
    "fold_batchnorm_sequential",
    # local
    "LocallyConnected2dCache",
    "TiledConv2dCache",
    "locally_connected2d_forward",
    "locally_connected2d_backward",
    "locally_connected2d_forward_naive",
    "locally_connected2d_backward_naive",
    "tiled_conv2d_forward",
    "tiled_conv2d_backward",
    # shuffle
    "pixel_shuffle",
    "pixel_unshuffle",
    # modules
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
    # optim
    "SGD",
    "Adam",
    # training
    "train_epoch",
    "predict_logits",
    # convert
    "lecture_cnn_numpy",
    "from_torch",
]
