"""dlsip.check.backprop: the chapter 3 self-checks accept loop versions and catch the
typical bugs (ties, overlaps, flipped kernels, averaged bias gradients)."""

from __future__ import annotations

import numpy as np

from dlsip import check
from dlsip import layers as L


def _first_max_backward(dout, x, k, stride, accumulate=True):
    """Max-pool backward written with loops, independently of dlsip: each window sends
    its gradient to its first maximum in row-major order (torch's rule)."""
    s = k if stride is None else stride
    dx = np.zeros_like(x)
    for n, c, i, j in np.ndindex(*dout.shape):
        window = x[n, c, i * s : i * s + k, j * s : j * s + k]
        a, b = np.unravel_index(np.argmax(window), window.shape)
        if accumulate:
            dx[n, c, i * s + a, j * s + b] += dout[n, c, i, j]
        else:
            dx[n, c, i * s + a, j * s + b] = dout[n, c, i, j]
    return dx


def naive_conv_backward(dout, x, w, *, stride=1, padding=0):
    _, cache = L.conv2d_forward_naive(
        x, w, np.zeros(w.shape[0]), stride=stride, padding=padding
    )
    return L.conv2d_backward_naive(dout, cache)


def test_conv_selfcheck_accepts_the_loop_version_and_rejects_typical_bugs():
    assert check.check_conv2d_backward(naive_conv_backward).passed

    def no_bias_grad(dout, x, w, *, stride=1, padding=0):
        dx, dw, db = naive_conv_backward(dout, x, w, stride=stride, padding=padding)
        return dx, dw, db / x.shape[0]  # averaged instead of summed

    def dx_with_flipped_kernel_twice(dout, x, w, *, stride=1, padding=0):
        return naive_conv_backward(
            dout, x, w[:, :, ::-1, ::-1], stride=stride, padding=padding
        )

    report = check.check_conv2d_backward(no_bias_grad)
    assert not report.passed and "result 2" in str(report)
    assert not check.check_conv2d_backward(dx_with_flipped_kernel_twice).passed


def test_maxpool_selfcheck_catches_ties_and_overlaps():
    def naive(dout, x, *, kernel_size, stride=None):
        return _first_max_backward(dout, x, kernel_size, stride)

    def all_maxima(
        dout, x, *, kernel_size, stride=None
    ):  # sends the gradient to every tied max
        out, _ = L.maxpool2d_forward(x, kernel_size=kernel_size, stride=stride)
        s = kernel_size if stride is None else stride
        dx = np.zeros_like(x)
        for i in range(out.shape[2]):
            for j in range(out.shape[3]):
                win = x[:, :, i * s : i * s + kernel_size, j * s : j * s + kernel_size]
                mask = win == out[:, :, i : i + 1, j : j + 1]
                dx[:, :, i * s : i * s + kernel_size, j * s : j * s + kernel_size] += (
                    mask * dout[:, :, i : i + 1, j : j + 1]
                )
        return dx

    def overwrite(
        dout, x, *, kernel_size, stride=None
    ):  # '=' instead of '+=' on overlaps
        return _first_max_backward(dout, x, kernel_size, stride, accumulate=False)

    assert check.check_maxpool2d_backward(naive).passed
    report = check.check_maxpool2d_backward(all_maxima)
    assert not report.passed and "ties" in str(report)
    report = check.check_maxpool2d_backward(overwrite)
    assert not report.passed and "overlapping" in str(report)
