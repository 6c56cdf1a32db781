"""Valid calls of dlsip.layers: forward and backward passes, modules, optimisers.

Each entry maps ``"layers.name"`` to a :class:`Spec` whose ``make`` returns the keyword
arguments of one successful call, small enough to run in milliseconds. A backward
pass's valid call is its forward pass's output: ``dout`` of the output's shape and the
cache; the engine adds the ``dout``/cache mismatch to each.
"""

from __future__ import annotations

import numpy as np

from tests.fuzz.kinds import Mismatch, Spec, bad, mismatch
from tests.fuzz.valid_numpy import rn


def _fwd(name):
    """A forward pass by name: ``"conv2d_forward"`` in layers, or ``"module.name"``."""
    import importlib

    module, _, func = name.rpartition(".")
    return getattr(importlib.import_module(f"dlsip.{module or 'layers'}"), func)


# ---- layers ----


def conv_kw():
    return {
        "x": rn(2, 3, 6, 6),
        "w": rn(4, 3, 3, 3),
        "b": rn(4),
        "stride": 1,
        "padding": 1,
        "dilation": 1,
    }


def convt_kw():
    return {
        "x": rn(2, 3, 4, 4),
        "w": rn(3, 2, 3, 3),
        "b": rn(2),
        "stride": 2,
        "padding": 1,
        "output_padding": 1,
        "dilation": 1,
    }


def pool_kw():
    return {"x": rn(2, 3, 6, 6), "kernel_size": 2, "stride": 2, "padding": 1}


def wpool_kw():
    return {"x": rn(2, 3, 6, 6), "weights": np.full((2, 2), 0.25), "padding": 1}


def l2pool_kw():
    return {"x": rn(2, 3, 6, 6), "kernel_size": 2, "stride": 1}


def bn_kw():
    return {
        "x": rn(6, 3),
        "gamma": rn(3),
        "beta": rn(3),
        "running_mean": np.zeros(3),
        "running_var": np.ones(3),
        "training": True,
        "momentum": 0.1,
        "eps": 1e-5,
    }


CONV_MISMATCH = (
    mismatch("x", "w", axes=[1]),
    mismatch("w", "b", axes=[0], change="b"),
)
BN_MISMATCH = tuple(
    mismatch("x", name, change=name)
    for name in ("gamma", "beta", "running_mean", "running_var")
)


def _bw(forward_name, kw):
    """A backward pass's kwargs: ``dout`` shaped like the output, and the cache."""
    out, cache = _fwd(forward_name)(**kw())
    return {"dout": np.ones_like(out), "cache": cache}


def bw(forward_name, kw):
    return Spec(lambda: _bw(forward_name, kw))


def _layers():
    from dlsip import layers

    return layers


def _lin(n_in=3, n_out=2):
    return _layers().Linear(n_in, n_out, rng=np.random.default_rng(0))


def _train_epoch_kw():
    layers = _layers()
    net = layers.Sequential(_lin(2, 2))
    x = rn(8, 2).astype(np.float32)
    return {
        "model": net,
        "optimizer": layers.SGD(net, lr=0.1),
        "images": x,
        "labels": (x[:, 0] > 0).astype(np.int64),
        "batch_size": 4,
        "rng": np.random.default_rng(0),
        "progress": False,
        "callback": lambda step, loss: None,
    }


def _torch_conv_bn():
    import torch

    return {"conv": torch.nn.Conv2d(2, 3, 3), "bn": torch.nn.BatchNorm2d(3).eval()}


def _torch_bn(features):
    import torch

    return torch.nn.BatchNorm2d(features).eval()


def _tseq():
    import torch

    return torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU())


def _tlstm():
    import torch

    return torch.nn.Sequential(torch.nn.LSTM(2, 2))


LAYERS = {
    "layers.conv2d_forward": Spec(conv_kw, mismatch=CONV_MISMATCH),
    "layers.conv2d_forward_naive": Spec(conv_kw, mismatch=CONV_MISMATCH),
    "layers.conv2d_backward": bw("conv2d_forward", conv_kw),
    "layers.conv2d_backward_naive": bw("conv2d_forward_naive", conv_kw),
    "layers.conv_transpose2d_forward": Spec(
        convt_kw,
        mismatch=(
            mismatch("x", "w", axes=[0]),
            mismatch("w", "b", axes=[0], change="b"),
            bad("output_padding", 2, 3, label="not_below_stride"),
        ),
    ),
    "layers.conv_transpose2d_backward": bw("conv_transpose2d_forward", convt_kw),
    "layers.maxpool2d_forward": Spec(pool_kw),
    "layers.maxpool2d_forward_naive": Spec(pool_kw),
    "layers.avgpool2d_forward": Spec(pool_kw),
    "layers.avgpool2d_forward_naive": Spec(pool_kw),
    "layers.maxpool2d_backward": bw("maxpool2d_forward", pool_kw),
    "layers.maxpool2d_backward_naive": bw("maxpool2d_forward_naive", pool_kw),
    "layers.avgpool2d_backward": bw("avgpool2d_forward", pool_kw),
    "layers.avgpool2d_backward_naive": bw("avgpool2d_forward_naive", pool_kw),
    "layers.weighted_avgpool2d_forward": Spec(wpool_kw),
    "layers.weighted_avgpool2d_backward": bw("weighted_avgpool2d_forward", wpool_kw),
    "layers.l2pool2d_forward": Spec(l2pool_kw),
    "layers.l2pool2d_backward": bw("l2pool2d_forward", l2pool_kw),
    "layers.relu_forward": Spec(lambda: {"x": rn(2, 3)}),
    "layers.relu_backward": bw("relu_forward", lambda: {"x": rn(2, 3)}),
    "layers.leaky_relu_forward": Spec(lambda: {"x": rn(2, 3), "negative_slope": 0.1}),
    "layers.leaky_relu_backward": bw("leaky_relu_forward", lambda: {"x": rn(2, 3)}),
    "layers.sigmoid_forward": Spec(lambda: {"x": rn(2, 3)}),
    "layers.sigmoid_backward": bw("sigmoid_forward", lambda: {"x": rn(2, 3)}),
    "layers.tanh_forward": Spec(lambda: {"x": rn(2, 3)}),
    "layers.tanh_backward": bw("tanh_forward", lambda: {"x": rn(2, 3)}),
    "layers.identity_forward": Spec(lambda: {"x": rn(2, 3)}),
    "layers.identity_backward": bw("identity_forward", lambda: {"x": rn(2, 3)}),
    "layers.softmax_forward": Spec(lambda: {"x": rn(2, 3), "axis": 1}),
    "layers.softmax_backward": bw("softmax_forward", lambda: {"x": rn(2, 3)}),
    "layers.linear_forward": Spec(
        lambda: {"x": rn(4, 3), "w": rn(2, 3), "b": rn(2)},
        mismatch=(
            mismatch("x", "w", axes=[1]),
            mismatch("w", "b", axes=[0], change="b"),
        ),
    ),
    "layers.linear_backward": bw(
        "linear_forward", lambda: {"x": rn(4, 3), "w": rn(2, 3), "b": rn(2)}
    ),
    "layers.softmax_cross_entropy": Spec(
        lambda: {"logits": rn(4, 3), "labels": np.array([0, 2, 1, 0])},
        mismatch=(
            mismatch("logits", "labels", axes=[0], change="labels"),
            bad(
                "labels",
                np.array([0, 3, 1, 0]),
                np.array([0, -1, 1, 0]),
                np.array([0.5, 1.0, 1.0, 0.0]),
                label="not_a_class",
            ),
        ),
    ),
    "layers.batchnorm_forward": Spec(bn_kw, mismatch=BN_MISMATCH),
    "layers.batchnorm_backward": bw("batchnorm_forward", bn_kw),
    "layers.fold_batchnorm": Spec(
        _torch_conv_bn,
        mismatch=(Mismatch(("conv", "bn"), lambda kw: [{**kw, "bn": _torch_bn(4)}]),),
    ),
    "layers.Module": Spec(dict),
    "layers.Conv2d": Spec(
        lambda: {
            "in_channels": 2,
            "out_channels": 3,
            "kernel_size": 3,
            "stride": 1,
            "padding": 1,
            "dilation": 1,
            "bias": True,
            "rng": np.random.default_rng(0),
            "dtype": np.float32,
        }
    ),
    "layers.MaxPool2d": Spec(lambda: {"kernel_size": 2, "stride": 2, "padding": 0}),
    "layers.AvgPool2d": Spec(lambda: {"kernel_size": 2, "stride": 2, "padding": 0}),
    "layers.ReLU": Spec(dict),
    "layers.LeakyReLU": Spec(lambda: {"negative_slope": 0.1}),
    "layers.Sigmoid": Spec(dict),
    "layers.Tanh": Spec(dict),
    "layers.Flatten": Spec(dict),
    "layers.Linear": Spec(
        lambda: {
            "in_features": 3,
            "out_features": 2,
            "bias": True,
            "rng": np.random.default_rng(0),
            "dtype": np.float32,
        }
    ),
    "layers.BatchNorm1d": Spec(
        lambda: {"num_features": 3, "eps": 1e-5, "momentum": 0.1, "dtype": np.float32}
    ),
    "layers.BatchNorm2d": Spec(
        lambda: {"num_features": 3, "eps": 1e-5, "momentum": 0.1, "dtype": np.float32}
    ),
    "layers.Sequential": Spec(
        lambda: {"layers": (_lin(), _layers().ReLU())},
        kinds={"layers": ()},
        mismatch=(
            Mismatch(
                ("layers",),
                lambda kw: [{**kw, "layers": (_lin(), v)} for v in (3, "relu", None)],
                "not_a_layer",
            ),
        ),
    ),
    "layers.SGD": Spec(
        lambda: {"model": _lin(), "lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}
    ),
    "layers.Adam": Spec(
        lambda: {
            "model": _lin(),
            "lr": 0.01,
            "betas": (0.9, 0.999),
            "eps": 1e-8,
            "weight_decay": 0.0,
        },
        kinds={"betas": ()},
        mismatch=(
            bad(
                "betas",
                (0.9,),
                (1.0, 0.999),
                (-0.1, 0.9),
                (float("nan"), 0.9),
                "ab",
                label="bad_betas",
            ),
        ),
    ),
    "layers.lecture_cnn_numpy": Spec(
        lambda: {"channels": 2, "rng": np.random.default_rng(0), "dtype": np.float32}
    ),
    "layers.from_torch": Spec(
        lambda: {"module": _tseq(), "dtype": np.float64},
        mismatch=(
            Mismatch(
                ("module",),
                lambda kw: [{**kw, "module": _tlstm()}],
                "unsupported_layer",
            ),
        ),
    ),
    "layers.train_epoch": Spec(
        _train_epoch_kw,
        mismatch=(mismatch("images", "labels", axes=[0], change="labels"),),
    ),
    "layers.predict_logits": Spec(
        lambda: {
            "model": _layers().Sequential(_lin()),
            "images": rn(5, 3).astype(np.float32),
            "batch_size": 2,
        }
    ),
}


# ---- the layers, costs and data of chapter 6 ----


def _lc_kw():
    return {
        "x": rn(2, 2, 4, 4),
        "w": rn(3, 3, 3, 2, 2, 2),
        "b": rn(3, 3, 3),
        "stride": 1,
        "padding": 0,
    }


def _tiled_kw():
    return {
        "x": rn(2, 2, 5, 5),
        "w": rn(2, 2, 3, 2, 2, 2),
        "b": rn(2, 2, 3),
        "stride": 1,
        "padding": 0,
    }


def _torch_folding_net():
    import torch

    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.ReLU()
    ).eval()


def _torch_unfoldable_net():
    import torch

    return torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(3)).eval()


LAYERS_CH6 = {
    "layers.pixel_shuffle": Spec(
        lambda: {"x": rn(2, 8, 3, 2), "r": 2},
        mismatch=(bad("r", 3, label="channels_not_divisible"),),
    ),
    "layers.pixel_unshuffle": Spec(
        lambda: {"x": rn(2, 2, 4, 6), "r": 2},
        mismatch=(bad("r", 3, label="size_not_divisible"),),
    ),
    "layers.conv_transpose2d_forward_naive": Spec(
        convt_kw,
        mismatch=(
            mismatch("x", "w", axes=[0]),
            mismatch("w", "b", axes=[0], change="b"),
            bad("output_padding", 2, 3, label="not_below_stride"),
        ),
    ),
    "layers.conv_transpose2d_backward_naive": bw(
        "conv_transpose2d_forward_naive", convt_kw
    ),
    "layers.fold_batchnorm_sequential": Spec(
        lambda: {"model": _torch_folding_net()},
        mismatch=(
            Mismatch(
                ("model",),
                lambda kw: [{**kw, "model": _torch_unfoldable_net()}],
                "unfoldable",
            ),
        ),
    ),
    **{
        f"layers.{kind}2d_forward{naive}": Spec(
            kw, mismatch=(mismatch("x", "w", axes=axes), mismatch("w", "b", change="b"))
        )
        for kind, kw, axes in [
            ("locally_connected", _lc_kw, [0, 1, 3, 4, 5]),
            ("tiled_conv", _tiled_kw, [3]),
        ]
        for naive in (("", "_naive") if kind == "locally_connected" else ("",))
    },
    "layers.locally_connected2d_backward": bw("locally_connected2d_forward", _lc_kw),
    "layers.locally_connected2d_backward_naive": bw(
        "locally_connected2d_forward_naive", _lc_kw
    ),
    "layers.tiled_conv2d_backward": bw("tiled_conv2d_forward", _tiled_kw),
}
