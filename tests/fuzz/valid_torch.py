"""Valid calls of the modules of models, training, data and plotting."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import numpy as np

from tests.fuzz.kinds import Mismatch, Spec, bad, mismatch


def _t(*shape, seed=0):
    import torch

    rng = np.random.default_rng(seed + sum(shape))
    return torch.from_numpy(rng.standard_normal(shape).astype(np.float32))


def _labels(n, classes=3):
    import torch

    return torch.arange(n) % classes


def _linear(n_in=4, n_out=3):
    import torch

    torch.manual_seed(0)
    return torch.nn.Linear(n_in, n_out)


def _cnn():
    import torch

    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.ReLU())


# ---- models ----

MODELS = {
    "models.LectureCNN": Spec(lambda: {"channels": 2}),
    "models.LeNet5": Spec(lambda: {"activation": "relu", "pool": "max"}),
    "models.MLP": Spec(
        lambda: {"hidden": (5, 4), "in_features": 6, "num_classes": 3},
        kinds={"hidden": ("int_seq",)},
    ),
    "models.FastCNN": Spec(
        lambda: {"channels": (2, 3, 4)},
        kinds={"channels": ("int_seq",)},
        mismatch=(bad("channels", (2, 3), (2, 3, 4, 5), label="not_three"),),
    ),
    "models.count_parameters": Spec(
        lambda: {"model": _linear(), "trainable_only": False}
    ),
    "models.feature_maps": Spec(
        lambda: {"model": _cnn(), "x": _t(2, 1, 6, 6)},
        mismatch=(mismatch("model", "x", axes=[1], change="x"),),
    ),
    "models.BatchNormMLP": Spec(
        lambda: {
            "hidden": (5, 4),
            "batchnorm": True,
            "activation": "sigmoid",
            "init": "normal",
            "std": 0.1,
            "seed": 0,
            "in_features": 6,
            "num_classes": 3,
        },
        kinds={"hidden": ("int_seq",)},
    ),
    "models.SmallCNN": Spec(dict),
    "models.SubPixelSR": Spec(
        lambda: {"scale": 2, "channels": 1, "features": (4, 3), "residual": True},
        kinds={"features": ("int_seq",)},
        mismatch=(bad("features", (4,), (4, 3, 2), label="not_two"),),
    ),
    "models.init_weights": Spec(
        lambda: {"model": _linear(), "init": "normal", "std": 0.1, "seed": 0}
    ),
}


# ---- train ----


def _fit_kw():
    import torch

    model = _linear()
    return {
        "model": model,
        "train_data": (_t(8, 4), _labels(8)),
        "epochs": 1,
        "optimizer": torch.optim.SGD(model.parameters(), lr=0.1),
        "device": "cpu",
        "progress": False,
        "verbose": False,
        "val_data": (_t(4, 4), _labels(4)),
        "loss_fn": torch.nn.CrossEntropyLoss(),
        "batch_size": 4,
        "seed": 0,
        "scheduler_step": "epoch",
        "channels_last": False,
    }


def _data_variants(name):
    def variants(kw):
        x, y = kw[name]
        return [{**kw, name: v} for v in ("abc", (x,), (x, y[:-1]), (x, y, y), 3)]

    return Mismatch((name,), variants, "bad_data")


TRAIN = {
    "train.set_seed": Spec(lambda: {"seed": 3}),
    "train.get_device": Spec(dict),
    "train.TensorBatches": Spec(
        lambda: {
            "x": _t(6, 2),
            "y": _labels(6),
            "batch_size": 4,
            "shuffle": True,
            "seed": 0,
            "transform": lambda xb: xb * 2,
        },
        mismatch=(mismatch("x", "y", axes=[0], change="y"),),
    ),
    "train.fit": Spec(
        _fit_kw,
        kinds={"train_data": (), "val_data": (), "loss_fn": ("callable",)},
        mismatch=(
            _data_variants("train_data"),
            _data_variants("val_data"),
            Mismatch(
                ("model", "train_data"),
                lambda kw: [{**kw, "train_data": (_t(8, 5), _labels(8))}],
            ),
        ),
    ),
    "train.evaluate": Spec(
        lambda: {
            "model": _linear(),
            "data": (_t(5, 4), _labels(5)),
            "loss_fn": __import__("torch").nn.CrossEntropyLoss(),
            "batch_size": 2,
            "device": "cpu",
            "channels_last": False,
        },
        kinds={"data": (), "loss_fn": ("callable",)},
        mismatch=(_data_variants("data"),),
    ),
    "train.predict": Spec(
        lambda: {
            "model": _linear(),
            "x": _t(5, 4),
            "output": "proba",
            "batch_size": 2,
            "device": "cpu",
            "channels_last": False,
        },
        mismatch=(mismatch("model", "x", axes=[1], change="x"),),
    ),
    "train.confusion_matrix": Spec(
        lambda: {
            "y_true": np.array([0, 1, 2, 1]),
            "y_pred": np.array([0, 2, 2, 1]),
            "num_classes": 4,
        },
        mismatch=(
            mismatch("y_true", "y_pred", change="y_pred"),
            bad(
                "y_pred",
                np.array([0, 2, 9, 1]),
                np.array([0, -1, 2, 1]),
                np.array([0.5, 1, 2, 1]),
                label="not_a_class",
            ),
        ),
    ),
    "train.shift_images": Spec(
        lambda: {"x": _t(2, 1, 4, 4), "dy": 1, "dx": -2, "fill": 0.5}
    ),
}


# ---- data: a fake MNIST, four tiny IDX files whose checksums the context declares ----

_FAKE: dict = {}


def _write_idx(path: Path, array: np.ndarray) -> None:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape
    )
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def fake_mnist_root() -> Path:
    """A folder with a tiny MNIST (5 images per split), made once per session."""
    if "root" not in _FAKE:
        _FAKE["tmp"] = tempfile.TemporaryDirectory(prefix="dlsip-fuzz-")
        root = Path(_FAKE["tmp"].name)
        raw = root / "MNIST" / "raw"
        raw.mkdir(parents=True)
        rng = np.random.default_rng(0)
        for prefix in ("train", "t10k"):
            _write_idx(
                raw / f"{prefix}-images-idx3-ubyte", rng.integers(0, 256, (5, 28, 28))
            )
            _write_idx(raw / f"{prefix}-labels-idx1-ubyte", rng.integers(0, 10, 5))
        _FAKE["root"] = root
    return _FAKE["root"]


@contextlib.contextmanager
def fake_mnist():
    """dlsip.data sees the fake files as the canonical ones, and never downloads."""
    import pytest

    from dlsip import data

    root = fake_mnist_root()
    raw = root / "MNIST" / "raw"
    sums = {name: data.sha256(raw / name) for name in data.MNIST_SHA256}

    def no_network(root):
        raise RuntimeError("the fuzz does not download")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(data, "MNIST_SHA256", sums)
        mp.setattr(data, "_download", no_network)
        yield


def _raw(name="train-images-idx3-ubyte"):
    return fake_mnist_root() / "MNIST" / "raw" / name


def _root():
    return str(fake_mnist_root())


def _sr_images():
    rng = np.random.default_rng(0)
    return [rng.random((12, 12)), rng.random((12, 12))]


DATA = {
    "data.make_sr_pairs": Spec(
        lambda: {
            "images": _sr_images(),
            "scale": 2,
            "patch_size": 6,
            "n_patches": 3,
            "seed": 0,
        },
        mismatch=(bad("patch_size", 5, 14, label="not_a_fitting_multiple"),),
    ),
    "data.downscale": Spec(
        lambda: {"x": _t(1, 1, 6, 6), "scale": 3},
        mismatch=(bad("scale", 7, label="too_large"),),
    ),
    "data.bicubic_upscale": Spec(lambda: {"x": _t(1, 1, 2, 2), "scale": 3}),
    "data.data_root": Spec(lambda: {"root": _root()}),
    "data.mnist_files": Spec(lambda: {"train": False}),
    "data.raw_folder": Spec(lambda: {"root": _root()}),
    "data.sha256": Spec(lambda: {"path": _raw(), "chunk_size": 1000}),
    "data.verify_file": Spec(
        lambda: {
            "path": _raw(),
            "expected": __import__("dlsip.data").data.sha256(_raw()),
        },
        context=fake_mnist,
    ),
    "data.ensure_mnist": Spec(
        lambda: {"root": _root(), "train": True, "download": False}, context=fake_mnist
    ),
    "data.lecture_normalize": Spec(
        lambda: {"images": np.arange(32, dtype=np.uint8).reshape(2, 4, 4)}
    ),
    "data.read_idx": Spec(lambda: {"path": _raw()}),
    "data.mnist_arrays": Spec(
        lambda: {"train": True, "root": _root(), "download": False, "verify": True},
        context=fake_mnist,
    ),
    "data.load_mnist": Spec(
        lambda: {
            "train": False,
            "root": _root(),
            "download": False,
            "transform": lambda im: im,
        },
        context=fake_mnist,
    ),
    "data.mnist_tensors": Spec(
        lambda: {"train": False, "root": _root(), "normalize": True, "download": False},
        context=fake_mnist,
    ),
}


# ---- plotting ----


def _anim():
    from dlsip import plotting

    return plotting.conv_arithmetic_animation(3, 2, dpi=20)


def _ax():
    import matplotlib.pyplot as plt

    return plt.figure().add_subplot()


def _curves_variants(name, good_key):
    def variants(kw):
        return [
            {**kw, name: v}
            for v in ({}, {good_key: "abc"}, {good_key: []}, [1.0, 2.0], 3)
        ]

    return Mismatch((name,), variants, "bad_mapping")


PLOTTING = {
    "plotting.show_image": Spec(
        lambda: {
            "image": np.eye(5, 6),
            "title": "t",
            "cmap": "viridis",
            "vmin": 0.0,
            "vmax": 1.0,
            "colorbar": True,
            "axis_off": False,
        },
        mismatch=(
            Mismatch(
                ("vmin", "vmax"),
                lambda kw: [{**kw, "vmin": 2.0, "vmax": 1.0}],
                "vmin_above_vmax",
            ),
        ),
    ),
    "plotting.show_images": Spec(
        lambda: {
            "images": [np.zeros((3, 3)), np.ones((3, 3))],
            "titles": ["a", "b"],
            "ncols": 2,
            "size": 1.0,
            "cmap": "gray",
            "suptitle": "s",
        },
        kinds={"titles": (), "images": ("array",), "size": ("float",)},
        bounds={"size": (0.0, True, None)},
        also_names=("titles",),  # images and titles must agree in number
        mismatch=(bad("titles", ["a"], ["a", "b", "c"], label="mismatch"),),
    ),
    "plotting.annotated_grid": Spec(
        lambda: {
            "values": [[1, 2], [3, 4]],
            "fmt": "{:g}",
            "cmap": "Greys",
            "highlight": (0, 1, 2, 1),
            "fontsize": 8,
            "vmin": 0.0,
            "vmax": 5.0,
            "colors": True,
        },
        kinds={"highlight": ()},
        mismatch=(
            bad(
                "highlight",
                (0, 1),
                (0, 1, 0, 1),
                (0, 1, -1, 1),
                (0.5, 1, 1, 1),
                "abc",
                (5, 5, 1, 1),
                label="bad_highlight",
            ),
        ),
    ),
    "plotting.plot_signal": Spec(
        lambda: {"signal": [0.0, 1.0, 0.0], "t": np.arange(3.0), "label": "s"},
        mismatch=(mismatch("signal", "t", change="t"),),
    ),
    "plotting.animation_html": Spec(
        lambda: {"anim": _anim()}, kinds={"anim": ("object",)}
    ),
    "plotting.as_image": Spec(
        lambda: {"fig": _ax().figure, "photo": True, "quality": 85},
        kinds={"fig": ("object",)},
    ),
    "plotting.plot_dilated_stack": Spec(
        lambda: {"dilations": [1, 2], "kernel_size": 2, "length": 8},
        kinds={"dilations": ("int_seq",)},
    ),
    "plotting.conv_arithmetic_frame": Spec(
        lambda: {
            "size": 5,
            "kernel_size": 3,
            "stride": 2,
            "padding": 1,
            "dilation": 1,
            "position": (1, 0),
        },
        bounds={"position": (0,)},
        mismatch=(
            bad("position", (3, 0), (0, 7), label="outside_output"),
            bad("kernel_size", 9, label="too_large"),
        ),
    ),
    "plotting.conv_arithmetic_animation": Spec(
        lambda: {
            "size": 3,
            "kernel_size": 2,
            "stride": 1,
            "padding": 0,
            "dilation": 1,
            "interval": 100,
            "dpi": 20,
        },
        mismatch=(bad("kernel_size", 9, label="too_large"),),
    ),
    "plotting.show_conv_matrix": Spec(
        lambda: {
            "matrix": np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 2.0]]),
            "kernel": np.array([1.0, 2.0]),
            "legend": True,
            "block_shape": (1, 3),
        },
        mismatch=(bad("block_shape", (2, 2), label="not_dividing"),),
    ),
    "plotting.plot_receptive_field_growth": Spec(
        lambda: {"layers": [(3, 2, 1), (3, 2, 1)], "size": 5, "unit": 1},
        kinds={"layers": ()},
        bounds={"unit": (0,)},
        mismatch=(
            bad("unit", 2, label="outside_last_layer"),
            bad("layers", [(0, 1, 0)], [(3,)], "abc", [], label="bad_layers"),
        ),
    ),
    "plotting.plot_filter_volume": Spec(
        lambda: {
            "in_channels": 3,
            "kernel_size": 3,
            "size": 6,
            "filters": 2,
            "stride": 1,
            "padding": 0,
        },
        mismatch=(
            bad("kernel_size", 9, label="too_large"),
            bad("filters", 17, label="too_many"),
        ),
    ),
    "plotting.animate_window": Spec(
        lambda: {
            "image": np.arange(16).reshape(4, 4),
            "lens": "max",
            "size": 3,
            "interval": 100,
            "dpi": 20,
        },
    ),
    "plotting.show_padding": Spec(
        lambda: {
            "image": [[1, 2], [3, 4]],
            "pad_width": 1,
            "modes": ["constant", "wrap"],
            "cval": 0.0,
            "size": 1.0,
        },
        kinds={"modes": ("choice_seq",), "size": ("float",)},
        bounds={"size": (0.0, True, None)},
    ),
    "plotting.plot_frequency_response": Spec(
        lambda: {
            "kernel": np.ones(5) / 5,
            "label": "box",
            "n_fft": 16,
            "floor_db": -60.0,
        },
        mismatch=(bad("n_fft", 4, label="too_small"),),
    ),
    "plotting.plot_loss_curves": Spec(
        lambda: {
            "curves": {"a": [3.0, 2.0, 1.0]},
            "window": 2,
            "x_scale": 1.0,
            "logy": True,
        },
        kinds={"curves": ()},
        mismatch=(_curves_variants("curves", "a"), bad("window", 5, label="too_large")),
    ),
    "plotting.plot_confusion_matrix": Spec(
        lambda: {"cm": [[5, 1], [0, 7]], "class_names": ["a", "b"], "cmap": "Blues"},
        kinds={"class_names": ()},
        mismatch=(bad("class_names", ["a"], ["a", "b", "c"], label="mismatch"),),
    ),
    "plotting.plot_history": Spec(
        lambda: {
            "history": {"train_loss": [0.5, 0.2], "val_loss": [0.4, 0.3]},
            "metric": "loss",
        },
        kinds={"history": ()},
        mismatch=(_curves_variants("history", "train_loss"),),
    ),
    "plotting.show_weight_gradient": Spec(
        lambda: {"a": np.eye(3), "delta": np.ones((2, 2)), "weight": (0, 1)},
        mismatch=(bad("delta", np.ones((4, 4)), label="larger"),),
    ),
    "plotting.show_input_gradient": Spec(
        lambda: {"delta": np.ones((2, 2)), "w": np.eye(2), "position": (1, 2)},
    ),
    "plotting.show_argmax_cells": Spec(
        lambda: {"x": np.arange(16.0).reshape(4, 4), "kernel_size": 2, "stride": 2},
        mismatch=(bad("kernel_size", 5, label="too_large"),),
    ),
    "plotting.plot_activations": Spec(
        lambda: {"limit": 3.0, "negative_slope": 0.1, "samples": 11}
    ),
}
