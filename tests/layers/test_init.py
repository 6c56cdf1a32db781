"""Tests of dlsip/layers/__init__.py: the package re-exports every public name of its
modules, and every backward pass checks its ``dout`` and its cache."""

import importlib
import inspect

import numpy as np
import pytest

from dlsip import layers as L

MODULES = [
    "conv",
    "conv_transpose",
    "pool",
    "activations",
    "linear",
    "losses",
    "batchnorm",
    "local",
    "shuffle",
    "modules",
    "optim",
    "training",
    "convert",
]


@pytest.mark.parametrize("name", MODULES)
def test_every_public_name_is_re_exported(name):
    module = importlib.import_module(f"{L.__name__}.{name}")
    public = {
        n
        for n, v in vars(module).items()
        if not n.startswith("_") and getattr(v, "__module__", None) == module.__name__
    }
    assert public == set(module.__all__)
    for n in module.__all__:
        assert getattr(L, n) is getattr(module, n)
        assert n in L.__all__


def test_all_has_no_duplicates_and_the_names_notebooks_use():
    assert len(L.__all__) == len(set(L.__all__))
    for name in [
        "conv2d_forward",
        "conv_transpose2d_forward",
        "maxpool2d_backward",
        "fold_batchnorm",
        "from_torch",
        "lecture_cnn_numpy",
        "pixel_shuffle",
        "locally_connected2d_forward",
        "tiled_conv2d_backward",
        "train_epoch",
    ]:
        assert name in L.__all__


def test_public_signatures_are_annotated():
    for name in L.__all__:
        obj = getattr(L, name)
        if inspect.isfunction(obj):
            sig = inspect.signature(obj)
            assert sig.return_annotation is not inspect.Signature.empty, name
            for p in sig.parameters.values():
                assert p.annotation is not inspect.Parameter.empty, (name, p.name)


rng = np.random.default_rng(0)
X4 = rng.standard_normal((2, 2, 5, 5))
# (forward, args, kwargs, backwards): every backward of the package with its forward.
PASSES = [
    (
        L.conv2d_forward,
        (X4, np.ones((3, 2, 3, 3))),
        {},
        [L.conv2d_backward, L.conv2d_backward_naive],
    ),
    (
        L.conv_transpose2d_forward,
        (X4, np.ones((2, 3, 3, 3))),
        {},
        [L.conv_transpose2d_backward, L.conv_transpose2d_backward_naive],
    ),
    (
        L.maxpool2d_forward,
        (X4,),
        {"kernel_size": 2},
        [L.maxpool2d_backward, L.maxpool2d_backward_naive],
    ),
    (
        L.avgpool2d_forward,
        (X4,),
        {"kernel_size": 2},
        [L.avgpool2d_backward, L.avgpool2d_backward_naive],
    ),
    (L.relu_forward, (X4,), {}, [L.relu_backward]),
    (L.leaky_relu_forward, (X4,), {}, [L.leaky_relu_backward]),
    (L.sigmoid_forward, (X4,), {}, [L.sigmoid_backward]),
    (L.tanh_forward, (X4,), {}, [L.tanh_backward]),
    (L.linear_forward, (np.ones((2, 3)), np.ones((4, 3))), {}, [L.linear_backward]),
    (L.batchnorm_forward, (X4, np.ones(2), np.zeros(2)), {}, [L.batchnorm_backward]),
    (
        L.locally_connected2d_forward,
        (X4, np.ones((3, 3, 1, 2, 3, 3))),
        {},
        [L.locally_connected2d_backward, L.locally_connected2d_backward_naive],
    ),
    (
        L.tiled_conv2d_forward,
        (X4, np.ones((2, 2, 1, 2, 3, 3))),
        {},
        [L.tiled_conv2d_backward],
    ),
]


@pytest.mark.parametrize(
    "forward, args, kwargs, backwards", PASSES, ids=[p[0].__name__ for p in PASSES]
)
def test_every_backward_checks_dout_and_cache(forward, args, kwargs, backwards):
    out, cache = forward(*args, **kwargs)
    for backward in backwards:
        with pytest.raises(ValueError, match=r"dout must have the output's shape"):
            backward(np.zeros(out.shape + (1,)), cache)
        with pytest.raises(ValueError, match=r"dout must have the output's shape"):
            backward(np.zeros(out.shape[:-1] + (out.shape[-1] + 1,)), cache)
        with pytest.raises(
            TypeError, match=r"dout must (be an array of numbers|have a real)"
        ):
            backward(np.full(out.shape, "a"), cache)
        with pytest.raises(TypeError, match=r"cache must be the \w+Cache returned by"):
            backward(out, tuple(cache))
