"""Valid calls of the NumPy modules: filters, signals, metrics, timing, arithmetic,
gradcheck and check.

Each entry maps ``"module.name"`` to a :class:`Spec` whose ``make`` returns the keyword
arguments of one successful call, small enough to run in milliseconds.
"""

from __future__ import annotations

import numpy as np

from dlsip import check
from tests.fuzz.kinds import Mismatch, Spec, bad, mismatch


def rn(*shape, seed=0):
    return np.random.default_rng(seed + sum(shape)).standard_normal(shape)


# ---- filters ----

PADDING_KINDS = {"padding": ("int", "pair", "word")}


def img(h=6, w=7, seed=0):
    return rn(h, w, seed=seed)


def corr_kw():
    return {
        "image": img(),
        "kernel": rn(3, 2),
        "padding": 1,
        "mode": "reflect",
        "cval": 0.0,
        "stride": 1,
        "dilation": 1,
    }


def corr1_kw():
    return {
        "signal": rn(9),
        "kernel": rn(3),
        "padding": 1,
        "mode": "reflect",
        "cval": 0.0,
        "stride": 1,
        "dilation": 1,
    }


CORR = Spec(
    corr_kw,
    kinds=PADDING_KINDS,
    mismatch=(bad("kernel", np.ones((9, 2)), np.ones((2, 10)), label="too_large"),),
)
CORR1 = Spec(
    corr1_kw,
    kinds={**PADDING_KINDS, "stride": ("int",), "dilation": ("int",)},
    mismatch=(bad("kernel", np.ones(12), label="too_large"),),
)


def window_kw(**extra):
    return lambda: {"image": img(), "size": 3, "mode": "reflect", "cval": 0.0, **extra}


def _footprint_kw():
    return {
        "image": img(),
        "footprint": np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], bool),
        "mode": "reflect",
        "cval": 0.0,
    }


FILTERS = {
    "filters.correlate2d": CORR,
    "filters.convolve2d": CORR,
    "filters.correlate2d_naive": CORR,
    "filters.convolve2d_naive": CORR,
    "filters.correlate1d": CORR1,
    "filters.convolve1d": CORR1,
    "filters.window_filter": (
        Spec(window_kw(statistic="median")),
        Spec(lambda: {**_footprint_kw(), "statistic": "max"}),
    ),
    "filters.window_filter_naive": (
        Spec(window_kw(statistic="median")),
        Spec(lambda: {**_footprint_kw(), "statistic": "max"}),
    ),
    "filters.mean_filter": (Spec(window_kw()), Spec(_footprint_kw)),
    "filters.median_filter": (Spec(window_kw()), Spec(_footprint_kw)),
    "filters.max_filter": (Spec(window_kw()), Spec(_footprint_kw)),
    "filters.min_filter": (Spec(window_kw()), Spec(_footprint_kw)),
    "filters.gaussian_kernel": Spec(lambda: {"sigma": 1.0, "truncate": 2.0, "ndim": 2}),
    "filters.gaussian_filter": Spec(
        lambda: {
            "image": img(),
            "sigma": 1.0,
            "mode": "reflect",
            "cval": 0.0,
            "truncate": 2.0,
        }
    ),
    "filters.laplacian": Spec(lambda: {"image": img(), "mode": "reflect", "cval": 0.0}),
    "filters.sobel": Spec(
        lambda: {"image": img(), "axis": 0, "mode": "reflect", "cval": 0.0}
    ),
    "filters.prewitt": Spec(
        lambda: {"image": img(), "axis": -1, "mode": "reflect", "cval": 0.0}
    ),
    "filters.gradient_magnitude": Spec(
        lambda: {"image": img(), "operator": "sobel", "mode": "reflect", "cval": 0.0}
    ),
    "filters.sharpen": Spec(
        lambda: {"image": img(), "amount": 1.5, "mode": "reflect", "cval": 0.0}
    ),
    "filters.dilate": Spec(lambda: {**_footprint_kw(), "mode": "constant"}),
    "filters.erode": Spec(lambda: {**_footprint_kw(), "mode": "constant"}),
    "filters.gabor_kernel": (
        Spec(
            lambda: {
                "frequency": 0.2,
                "theta": 0.5,
                "bandwidth": 1.0,
                "n_stds": 2.0,
                "offset": 0.1,
            }
        ),
        Spec(
            lambda: {"frequency": 0.2, "sigma_x": 2.0, "sigma_y": 3.0},
            bounds={"sigma_x": (0.0, True, None), "sigma_y": (0.0, True, None)},
        ),
    ),
    "filters.pad": Spec(
        lambda: {
            "image": img(),
            "pad_width": ((1, 2), (0, 1)),
            "mode": "reflect",
            "cval": 0.0,
        },
        kinds={"pad_width": ()},
        mismatch=(
            bad(
                "pad_width",
                ((1, -1), (0, 0)),
                ((1, 2), (0,)),
                ((1.5, 1), (0, 0)),
                ((True, 1), (0, 0)),
                "abc",
                None,
                ((10**12, 0), (0, 0)),
                label="bad_widths",
            ),
        ),
    ),
    "filters.separable_correlate2d": Spec(
        lambda: {
            "image": img(),
            "column": rn(3),
            "row": rn(2),
            "padding": 1,
            "mode": "reflect",
            "cval": 0.0,
        },
        kinds=PADDING_KINDS,
        mismatch=(bad("column", np.ones(9), label="too_large"),),
    ),
    "filters.separate_kernel": Spec(
        lambda: {"kernel": np.outer(rn(3), rn(2)), "tol": 1e-8}
    ),
    "filters.wiener_taps": Spec(
        lambda: {"noisy": rn(40), "clean": rn(40, seed=1), "num_taps": 5},
        mismatch=(
            mismatch("noisy", "clean", change="clean"),
            bad("num_taps", 41, label="too_large"),
        ),
    ),
    "filters.fit_kernel": Spec(
        lambda: {
            "images": rn(3, 6, 6),
            "targets": rn(3, 4, 4),
            "size": 3,
            "lr": 0.1,
            "steps": 3,
            "rng": np.random.default_rng(0),
        },
        mismatch=(
            mismatch("images", "targets", change="targets"),
            bad("size", 7, (2, 7), label="too_large"),
        ),
    ),
    "filters.learn_kernel_demo": Spec(
        lambda: {"seed": 0, "n": 4, "size": 6, "steps": 3, "lr": 0.5},
        kinds={"size": ("int",)},
    ),
    "filters.detector_scores": Spec(
        lambda: {"images": rn(3, 6, 6), "kernel": rn(3, 3), "bias": 0.5},
        mismatch=(bad("kernel", np.ones((7, 3)), label="too_large"),),
    ),
    "filters.fit_detector": Spec(
        lambda: {
            "images": rn(4, 6, 6),
            "labels": np.array([1.0, 0.0, 1.0, 0.0]),
            "kernel": rn(3, 3),
            "bias": 0.0,
            "lr": 0.5,
            "steps": 3,
        },
        mismatch=(
            mismatch("images", "labels", change="labels"),
            bad("kernel", np.ones((7, 3)), label="too_large"),
        ),
    ),
    "filters.frequency_response": Spec(
        lambda: {"kernel": rn(5), "n_fft": 16},
        mismatch=(bad("n_fft", 4, label="too_small"),),
    ),
    "filters.peak_side_lobe_db": Spec(
        lambda: {"kernel": np.ones(5) / 5, "n_fft": 64},
        mismatch=(bad("n_fft", 4, label="too_small"),),
    ),
}


# ---- metrics, signals, timing ----

SIGNALS = {
    "metrics.psnr": Spec(
        lambda: {"reference": img(), "image": img(seed=1), "data_range": 4.0},
        mismatch=(mismatch("reference", "image"),),
    ),
    "signals.salt_and_pepper": Spec(
        lambda: {
            "image": img(),
            "amount": 0.1,
            "rng": np.random.default_rng(0),
            "low": -1.0,
            "high": 1.0,
        },
        bounds={"amount": (0.0, False, 1.0)},
        mismatch=(
            Mismatch(
                ("low", "high"),
                lambda kw: [{**kw, "low": 2.0, "high": 1.0}],
                "low_above_high",
            ),
        ),
    ),
    "signals.vertical_line_images": Spec(
        lambda: {"n": 3, "size": 6, "noise": 0.1, "rng": np.random.default_rng(0)},
        kinds={"size": ("int",)},
    ),
    "signals.ar1_process": Spec(
        lambda: {
            "n": 20,
            "coefficient": 0.9,
            "noise_std": 0.5,
            "stationary": True,
            "rng": np.random.default_rng(0),
        },
        bounds={"noise_std": (0.0, False, None)},
        mismatch=(bad("coefficient", 1.0, -1.5, label="not_stationary"),),
    ),
    "metrics.correlations": Spec(
        lambda: {"a": rn(3, 3, 3), "b": rn(2, 3, 3)},
        mismatch=(mismatch("a", "b", axes=[1, 2], change="b"),),
    ),
    "metrics.seed_summary": Spec(
        lambda: {"values": np.array([0.91, 0.92, 0.93])},
        mismatch=(bad("values", np.array([0.9]), label="one_seed"),),
    ),
    "timing.best_time": Spec(lambda: {"fn": lambda: None, "repeat": 2}),
}


# ---- arithmetic ----

SIZES = {"size": ("int", "pair"), "kernel_size": ("int", "pair")}


def _tconv_net():
    import torch

    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 2, 3, stride=2, padding=1),
        torch.nn.ReLU(),
        torch.nn.Conv2d(2, 2, 3),
    )


def _cols_kw():
    return {
        "cols": np.ones((2, 3 * 4, 9)),
        "output_size": (4, 4),
        "kernel_size": 2,
        "stride": 1,
        "padding": 0,
        "dilation": 1,
    }


ARITHMETIC = {
    "arithmetic.conv_output_size": Spec(
        lambda: {
            "size": (9, 8),
            "kernel_size": (3, 2),
            "stride": 2,
            "padding": 1,
            "dilation": 1,
        },
        kinds={**SIZES, "padding": ("int", "pair", "word")},
        pure=True,
        mismatch=(bad("kernel_size", 12, label="too_large"),),
    ),
    "arithmetic.pool_output_size": Spec(
        lambda: {
            "size": (9, 8),
            "kernel_size": (2, 3),
            "stride": 2,
            "padding": 1,
            "dilation": 1,
            "ceil_mode": True,
        },
        pure=True,
        mismatch=(bad("padding", 2, label="over_half_kernel"),),
    ),
    "arithmetic.conv_transpose_output_size": Spec(
        lambda: {
            "size": (7, 6),
            "kernel_size": (3, 2),
            "stride": 2,
            "padding": 1,
            "output_padding": 1,
            "dilation": 1,
        },
        pure=True,
        mismatch=(bad("output_padding", 2, label="not_below_stride"),),
    ),
    "arithmetic.same_padding": Spec(
        lambda: {"kernel_size": (3, 4), "dilation": (2, 1), "asymmetric": True},
        pure=True,
    ),
    "arithmetic.effective_kernel_size": Spec(
        lambda: {"kernel_size": (3, 1), "dilation": (2, 1)}, pure=True
    ),
    "arithmetic.receptive_field": Spec(
        lambda: {"layers": [(3, 2, 1), (3, 1, 1)], "input_size": 9},
        kinds={"layers": (), "input_size": ("int",)},
        mismatch=(
            bad(
                "layers",
                [(0, 1, 0)],
                [(3,)],
                "abc",
                [(3, 2.5, 1)],
                [],
                label="bad_layers",
            ),
        ),
        pure=True,
    ),
    "arithmetic.receptive_field_layers": Spec(lambda: {"model": _tconv_net()}),
    "arithmetic.empirical_receptive_field": Spec(
        lambda: {"model": _tconv_net(), "input_size": (1, 9, 9), "position": (1, 1)},
        kinds={"input_size": ("int_seq",), "position": ("pair",)},
        bounds={"position": (0,)},
        mismatch=(
            bad("position", (9, 9), (0, 40), label="outside_output"),
            bad("input_size", (3, 9, 9), label="mismatch"),
        ),
    ),
    "arithmetic.effective_receptive_field": Spec(
        lambda: {
            "model": _tconv_net(),
            "input_size": (1, 9, 9),
            "position": (1, 1),
            "samples": 2,
            "rng": 0,
        },
        kinds={"input_size": ("int_seq",), "position": ("pair",)},
        bounds={"position": (0,), "rng": (0,)},
        mismatch=(
            bad("position", (9, 9), (0, 40), label="outside_output"),
            bad("input_size", (3, 9, 9), label="mismatch"),
        ),
    ),
    "arithmetic.summary": Spec(
        lambda: {"model": _tconv_net(), "input_size": (1, 1, 9, 9)},
        kinds={"input_size": ("int_seq",)},
        mismatch=(bad("input_size", (1, 3, 9, 9), (1, 1, 2, 2), label="mismatch"),),
    ),
    "arithmetic.conv_matrix": Spec(
        lambda: {
            "kernel": rn(2, 2),
            "input_shape": (3, 4),
            "stride": 1,
            "padding": 1,
            "sparse": False,
        },
        kinds={"input_shape": ("pair",)},
        mismatch=(bad("input_shape", 5, (3, 3, 3), label="mismatch"),),
    ),
    "arithmetic.im2col": Spec(
        lambda: {
            "x": rn(2, 3, 5, 5),
            "kernel_size": 2,
            "stride": 1,
            "padding": 1,
            "dilation": 1,
        }
    ),
    "arithmetic.col2im": Spec(
        _cols_kw,
        kinds={"output_size": ("pair",)},
        also_names=("cols",),
        mismatch=(mismatch("cols", axes=[1, 2]),),
    ),
    "arithmetic.conv2d_im2col": Spec(
        lambda: {
            "x": rn(2, 3, 5, 5),
            "weight": rn(4, 3, 2, 2),
            "bias": rn(4),
            "stride": 1,
            "padding": 1,
            "dilation": 1,
        },
        mismatch=(
            mismatch("x", "weight", axes=[1]),
            mismatch("weight", "bias", axes=[0], change="bias"),
        ),
    ),
    "arithmetic.standard_conv_cost": Spec(
        lambda: {
            "in_channels": 3,
            "out_channels": 4,
            "kernel_size": 3,
            "output_size": 8,
            "bias": True,
        },
        kinds={"kernel_size": ("int", "pair"), "output_size": ("int", "pair")},
        pure=True,
    ),
    "arithmetic.depthwise_separable_cost": Spec(
        lambda: {
            "in_channels": 3,
            "out_channels": 4,
            "kernel_size": 3,
            "output_size": 8,
            "bias": True,
            "depth_multiplier": 2,
        },
        kinds={"kernel_size": ("int", "pair"), "output_size": ("int", "pair")},
        pure=True,
    ),
    "arithmetic.connectivity_parameter_counts": Spec(
        lambda: {
            "input_shape": (1, 6, 6),
            "out_channels": 2,
            "kernel_size": 3,
            "stride": 1,
            "padding": 0,
            "tile": 2,
            "bias": True,
        },
        kinds={
            "input_shape": ("int_seq",),
            "kernel_size": ("int", "pair"),
            "tile": ("int", "pair"),
        },
        mismatch=(bad("kernel_size", 7, label="too_large"),),
        pure=True,
    ),
    "arithmetic.overlap_counts": Spec(
        lambda: {"input_size": 5, "kernel_size": 3, "stride": 2},
        kinds={"input_size": ("int", "pair"), "kernel_size": ("int", "pair")},
    ),
}


# ---- gradcheck ----


def _relu(x):
    return np.maximum(x, 0) * 2


def _grad_inputs():
    from dlsip import layers

    return {
        "forward": layers.linear_forward,
        "backward": layers.linear_backward,
        "inputs": {"x": rn(3, 4), "w": rn(2, 4), "b": rn(2)},
        "dout": rn(3, 2),
        "h": 1e-5,
        "rng": np.random.default_rng(0),
    }


GRADCHECK = {
    "gradcheck.numerical_gradient": Spec(
        lambda: {"f": _relu, "x": rn(3, 2) + 3, "dout": rn(3, 2), "h": 1e-5},
        mismatch=(mismatch("x", "dout", change="dout"),),
    ),
    "gradcheck.relative_error": Spec(
        lambda: {"a": rn(3, 2), "b": rn(3, 2, seed=1)}, mismatch=(mismatch("a", "b"),)
    ),
    "gradcheck.check_gradients": Spec(
        _grad_inputs,
        kinds={"inputs": ()},
        mismatch=(
            mismatch("inputs", "dout", change="dout"),
            Mismatch(
                ("inputs",),
                lambda kw: [
                    {**kw, "inputs": v}
                    for v in (
                        {},
                        {"x": rn(3, 4)},
                        {**kw["inputs"], "z": rn(2)},
                        [rn(3, 4)],
                        "x",
                        {**kw["inputs"], "x": "abc"},
                    )
                ],
                "bad_inputs",
            ),
        ),
    ),
}


# ---- check ----


def _check():
    from dlsip import check

    return check


def _students():
    """A correct student answer for each self-check, from the package's own code."""
    from scipy.linalg import toeplitz

    from dlsip import arithmetic, filters, layers

    def conv_backward(dout, x, w, *, stride=1, padding=0):
        _, cache = layers.conv2d_forward(
            x, w, np.zeros(w.shape[0]), stride=stride, padding=padding
        )
        return layers.conv2d_backward(dout, cache)

    def maxpool_backward(dout, x, *, kernel_size, stride=None):
        _, cache = layers.maxpool2d_forward(x, kernel_size=kernel_size, stride=stride)
        return layers.maxpool2d_backward(dout, cache)

    def bn_backward(dout, x, gamma, *, eps=1e-5):
        _, cache = layers.batchnorm_forward(x, gamma, np.zeros_like(gamma), eps=eps)
        return layers.batchnorm_backward(dout, cache)

    def banded(kernel, n):
        k = len(kernel)
        return toeplitz(
            np.r_[kernel[0], np.zeros(n - k)], np.r_[kernel, np.zeros(n - k)]
        )

    def conv_transpose(x, kernel, stride):
        x = np.asarray(x, float)[None, None]
        k = np.asarray(kernel, float)[None, None]
        return layers.conv_transpose2d_forward(x, k, stride=stride)[0][0, 0]

    def dws_macs(c, o, k, n):
        return n * n * k * k * c + n * n * c * o

    def wiener(noisy, clean, num_taps):
        windows = np.lib.stride_tricks.sliding_window_view(
            np.asarray(noisy, float), num_taps
        )
        y = np.asarray(clean, float)[num_taps // 2 : num_taps // 2 + len(windows)]
        return np.linalg.lstsq(windows, y, rcond=None)[0]

    def to_nchw(images):
        x = np.asarray(images)
        x = x / 255.0 if x.dtype == np.uint8 else x.astype(float)
        x = x[..., None] if x.ndim == 2 else x
        return np.moveaxis(x if x.ndim == 4 else x[None], -1, 1)

    def pixel_shuffle(x, r):
        n, c, h, w = x.shape
        y = x.reshape(n, c // (r * r), r, r, h, w).transpose(0, 1, 4, 2, 5, 3)
        return y.reshape(n, c // (r * r), h * r, w * r)

    return {
        "check_correlate2d": lambda image, kernel: filters.correlate2d(image, kernel),
        "check_conv_output_size": lambda i, k, stride=1, padding=0, dilation=1: (
            arithmetic.conv_output_size(
                i, k, stride=stride, padding=padding, dilation=dilation
            )
        ),
        "check_toeplitz_matrix": banded,
        "check_conv_stack": lambda n, k, c: (1 + n * (k - 1), n * k * k * c * c),
        "check_conv2d_backward": conv_backward,
        "check_maxpool2d_backward": maxpool_backward,
        "check_batchnorm_backward": bn_backward,
        "check_pixel_shuffle": pixel_shuffle,
        "check_conv_transpose": conv_transpose,
        "check_depthwise_separable_macs": dws_macs,
        "check_wiener_taps": wiener,
        "check_to_nchw": to_nchw,
    }


def student_for(name):
    """The correct student answer of self-check ``name`` (``"check.check_..."``)."""
    return _students()[name.split(".")[-1]]


def _run_cases_kw():
    check = _check()
    return {
        "student": np.add,
        "reference": np.add,
        "cases": [check.Case("ones", (1, 1)), check.Case("arrays", (rn(2), rn(2)))],
        "name": "add",
        "rtol": 1e-6,
        "atol": 1e-8,
    }


CHECK = {
    "check.run_cases": Spec(
        _run_cases_kw,
        kinds={"cases": ()},
        mismatch=(bad("cases", "abc", [(1, 1)], 3, label="not_cases"),),
    ),
    **{
        f"check.{name}": Spec(lambda name=name: {"student": _students()[name]})
        # every self-check the package exports; _students() holds a correct answer for
        # each (a new check without one fails test_valid_call_succeeds)
        for name in check.__all__
        if name.startswith("check_")
    },
}
