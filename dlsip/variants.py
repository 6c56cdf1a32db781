"""Variants of convolution (chapter 6): sub-pixel rearrangement, costs, separable kernels,
and the layers between a convolution and a fully connected layer.

* :func:`pixel_shuffle` and :func:`pixel_unshuffle` move values between channels and space,
  exactly as ``torch.nn.functional.pixel_shuffle`` / ``pixel_unshuffle`` do.
* :func:`standard_conv_cost` and :func:`depthwise_separable_cost` count parameters and
  multiply-accumulates (MACs) of a convolution and of its depthwise separable replacement.
* :func:`separate_kernel` factors a 2D kernel into a column and a row vector by SVD.
* :func:`locally_connected2d_forward` (unshared weights) and :func:`tiled_conv2d_forward`
  (weights shared between positions that are a tile apart) fill the gap between a
  convolution and a fully connected layer; :func:`connectivity_parameter_counts` counts the
  parameters of all four.
* :func:`overlap_counts` counts how many kernel copies a transposed convolution adds into
  each output position: the cause of checkerboard artifacts.
* :class:`SubPixelSR` is a small sub-pixel convolution network for super-resolution
  (ESPCN); :func:`make_sr_pairs` makes its training data, and ``dlsip.filters.psnr``
  judges it against :func:`bicubic_upscale`.

Everything follows torch's conventions: NCHW arrays, weights ``(C_out, C_in, kH, kW)``,
keyword-only hyperparameters.

References
----------
.. [1] W. Shi et al., "Real-Time Single Image and Video Super-Resolution Using an Efficient
   Sub-Pixel Convolutional Neural Network", CVPR 2016.
.. [2] A. G. Howard et al., "MobileNets: Efficient Convolutional Neural Networks for Mobile
   Vision Applications", arXiv:1704.04861, 2017.
.. [3] I. Goodfellow, Y. Bengio and A. Courville, *Deep Learning*, MIT Press, 2016,
   section 9.5 (locally connected and tiled convolution).
.. [4] A. Odena, V. Dumoulin and C. Olah, "Deconvolution and Checkerboard Artifacts",
   Distill, 2016.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .arithmetic import conv_output_size
from .layers import _pad
from .layers import _windows as _layer_windows
from ._validation import (
    check_array,
    check_choice,
    check_float,
    check_int,
    check_nonneg_int,
    check_pair,
    check_positive_int,
)

__all__ = [
    "Cost",
    "NotSeparableError",
    "SubPixelSR",
    "connectivity_parameter_counts",
    "depthwise_separable_cost",
    "locally_connected2d_backward",
    "locally_connected2d_forward",
    "bicubic_upscale",
    "downscale",
    "make_sr_pairs",
    "overlap_counts",
    "pixel_shuffle",
    "pixel_unshuffle",
    "separate_kernel",
    "standard_conv_cost",
    "tiled_conv2d_backward",
    "tiled_conv2d_forward",
]


# ---------------------------------------------------------------------------------------
# Pixel shuffle
# ---------------------------------------------------------------------------------------

def pixel_shuffle(x, r: int) -> np.ndarray:
    """Rearrange ``(*, C r^2, H, W)`` into ``(*, C, H r, W r)``: sub-pixel convolution's last step.

    Parameters
    ----------
    x : ndarray, shape (*, C * r**2, H, W)
        At least 3 dimensions; leading dimensions (the batch) are kept.
    r : int
        The upscaling factor, ``r >= 1``.

    Returns
    -------
    ndarray, shape (*, C, H * r, W * r)
        Same dtype as ``x``.

    Raises
    ------
    TypeError
        If ``r`` is not an integer or ``x`` is not numeric.
    ValueError
        If ``r < 1``, ``x`` has fewer than 3 dimensions, or its channel count is not a
        multiple of ``r**2``.

    Notes
    -----
    Output pixel ``(c, h, w)`` comes from input channel ``c r^2 + (h mod r) r + (w mod r)`` at
    position ``(h // r, w // r)``:

    .. math:: y_{c,\\,h,\\,w} = x_{c r^2 + r (h \\bmod r) + (w \\bmod r),\\ \\lfloor h/r \\rfloor,\\
              \\lfloor w/r \\rfloor}

    so each group of ``r^2`` channels fills one ``r x r`` block of every output pixel
    neighbourhood. This is ``torch.nn.functional.pixel_shuffle`` ([1]_); it is a pure
    permutation of the entries, and :func:`pixel_unshuffle` inverts it.

    Examples
    --------
    >>> x = np.arange(8).reshape(1, 4, 1, 2)   # 4 channels of 1 x 2 pixels, r = 2
    >>> pixel_shuffle(x, 2)[0, 0]
    array([[0, 2, 1, 3],
           [4, 6, 5, 7]])
    >>> np.array_equal(pixel_unshuffle(pixel_shuffle(x, 2), 2), x)
    True
    """
    x = check_array(x, "x")
    r = check_positive_int(r, "r")
    if x.ndim < 3:
        raise ValueError(f"x must have at least 3 dimensions (*, C*r**2, H, W), got x with shape {x.shape}")
    *lead, c_in, h, w = x.shape
    if c_in % (r * r):
        raise ValueError(
            f"x must have a number of channels divisible by r**2={r * r}, got {c_in} channels "
            f"(x with shape {x.shape})"
        )
    c = c_in // (r * r)
    y = x.reshape(*lead, c, r, r, h, w)
    n = len(lead)
    # (.., c, i, j, h, w) -> (.., c, h, i, w, j): sub-pixel row i goes under row h.
    y = y.transpose(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return y.reshape(*lead, c, h * r, w * r)


def pixel_unshuffle(x, r: int) -> np.ndarray:
    """Rearrange ``(*, C, H r, W r)`` into ``(*, C r^2, H, W)``: the inverse of :func:`pixel_shuffle`.

    Parameters
    ----------
    x : ndarray, shape (*, C, H * r, W * r)
        At least 3 dimensions.
    r : int
        The downscaling factor, ``r >= 1``.

    Returns
    -------
    ndarray, shape (*, C * r**2, H, W)

    Raises
    ------
    TypeError
        If ``r`` is not an integer or ``x`` is not numeric.
    ValueError
        If ``r < 1``, ``x`` has fewer than 3 dimensions, or its height or width is not a
        multiple of ``r``.

    Notes
    -----
    :math:`y_{c r^2 + r i + j,\\, h,\\, w} = x_{c,\\, h r + i,\\, w r + j}` for
    :math:`0 \\le i, j < r`: the ``r x r`` polyphase components of each channel become
    channels. This is ``torch.nn.functional.pixel_unshuffle``; it turns a spatial
    downsampling into a change of channel count without losing a single value.

    Examples
    --------
    >>> x = np.arange(16).reshape(1, 1, 4, 4)
    >>> pixel_unshuffle(x, 2)[0, :, 0, 0]     # the top-left 2 x 2 block, now 4 channels
    array([0, 1, 4, 5])
    """
    x = check_array(x, "x")
    r = check_positive_int(r, "r")
    if x.ndim < 3:
        raise ValueError(f"x must have at least 3 dimensions (*, C, H*r, W*r), got x with shape {x.shape}")
    *lead, c, hr, wr = x.shape
    if hr % r or wr % r:
        raise ValueError(
            f"x must have a height and width divisible by r={r}, got x with shape {x.shape}"
        )
    h, w = hr // r, wr // r
    y = x.reshape(*lead, c, h, r, w, r)
    n = len(lead)
    y = y.transpose(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return y.reshape(*lead, c * r * r, h, w)


# ---------------------------------------------------------------------------------------
# Costs: standard and depthwise separable convolution
# ---------------------------------------------------------------------------------------

class Cost(NamedTuple):
    """Parameters and multiply-accumulates (MACs) of a layer for one input image."""

    params: int
    macs: int


def _check_channels(value, name):
    return check_positive_int(value, name)


def standard_conv_cost(in_channels: int, out_channels: int, kernel_size, output_size, *,
                       bias: bool = True) -> Cost:
    """Parameters and MACs of a standard 2D convolution (one image, ``groups=1``).

    Parameters
    ----------
    in_channels, out_channels : int
        ``C`` and ``O``.
    kernel_size : int or (int, int)
        ``K`` (or ``(kH, kW)``).
    output_size : int or (int, int)
        The spatial size ``N x M`` of the output feature map.
    bias : bool
        Whether the layer has a bias (it adds ``O`` parameters and no MACs).

    Returns
    -------
    Cost
        ``(params, macs)``.

    Raises
    ------
    TypeError, ValueError
        If a size is not a positive integer (or pair of them).

    Notes
    -----
    Each of the :math:`N M O` outputs is a dot product of length :math:`K^2 C`:

    .. math:: \\text{MACs} = N M \\cdot K^2 C \\cdot O, \\qquad
              \\text{params} = K^2 C O + O.

    A bias is an addition, not a multiply-accumulate, so it is not counted in the MACs.

    Examples
    --------
    >>> standard_conv_cost(3, 10, 5, 28)        # 10 filters of 5 x 5 x 3: 760 parameters
    Cost(params=760, macs=588000)
    """
    c = _check_channels(in_channels, "in_channels")
    o = _check_channels(out_channels, "out_channels")
    kh, kw = check_pair(kernel_size, "kernel_size")
    n, m = check_pair(output_size, "output_size")
    weights = kh * kw * c * o
    return Cost(params=weights + (o if bias else 0), macs=n * m * weights)


def depthwise_separable_cost(in_channels: int, out_channels: int, kernel_size, output_size, *,
                             bias: bool = True, depth_multiplier: int = 1) -> Cost:
    """Parameters and MACs of a depthwise ``K x K`` convolution followed by a pointwise ``1 x 1`` one.

    Parameters
    ----------
    in_channels, out_channels : int
        ``C`` and ``O``.
    kernel_size : int or (int, int)
        ``K`` of the depthwise convolution.
    output_size : int or (int, int)
        The spatial size ``N x M`` of the output feature map (the pointwise convolution keeps
        the depthwise output's size).
    bias : bool
        Whether both convolutions have a bias.
    depth_multiplier : int
        Depthwise filters per input channel (MobileNet's and Keras's name); the depthwise
        convolution has ``C * depth_multiplier`` output channels.

    Returns
    -------
    Cost
        ``(params, macs)`` of the two layers together.

    Raises
    ------
    TypeError, ValueError
        If a size is not a positive integer (or pair of them).

    Notes
    -----
    With depth multiplier 1 ([2]_):

    .. math:: \\text{MACs} = \\underbrace{C \\cdot N M \\cdot K^2}_{\\text{depthwise}}
              + \\underbrace{N M \\cdot C \\cdot O}_{\\text{pointwise}},

    which divided by a standard convolution's :math:`N M K^2 C O` is
    :math:`1/O + 1/K^2`. Parameters: :math:`C K^2 + C O`, plus :math:`C + O` biases.

    Examples
    --------
    >>> depthwise_separable_cost(32, 64, 3, 56, bias=False)
    Cost(params=2336, macs=7325696)
    >>> standard_conv_cost(32, 64, 3, 56, bias=False)
    Cost(params=18432, macs=57802752)
    """
    c = _check_channels(in_channels, "in_channels")
    o = _check_channels(out_channels, "out_channels")
    kh, kw = check_pair(kernel_size, "kernel_size")
    n, m = check_pair(output_size, "output_size")
    mult = check_positive_int(depth_multiplier, "depth_multiplier")
    mid = c * mult
    depthwise = Cost(params=mid * kh * kw + (mid if bias else 0), macs=n * m * mid * kh * kw)
    pointwise = Cost(params=mid * o + (o if bias else 0), macs=n * m * mid * o)
    return Cost(depthwise.params + pointwise.params, depthwise.macs + pointwise.macs)


# ---------------------------------------------------------------------------------------
# Spatially separable kernels
# ---------------------------------------------------------------------------------------

class NotSeparableError(ValueError):
    """A kernel is not a rank-1 outer product within the requested tolerance."""


def separate_kernel(kernel, *, tol: float = 1e-8) -> tuple[np.ndarray, np.ndarray]:
    """Factor a 2D kernel as ``np.outer(column, row)`` by SVD, or say why it cannot be.

    Parameters
    ----------
    kernel : array_like, shape (kH, kW)
    tol : float
        Largest relative error accepted: the kernel is separable when
        ``||kernel - outer(column, row)||_F <= tol * ||kernel||_F``.

    Returns
    -------
    column : ndarray, shape (kH,)
    row : ndarray, shape (kW,)
        Float64 vectors with ``np.outer(column, row) ≈ kernel``. The scale is split so that
        the column's entry of largest magnitude (the first, on a tie) is 1 (for Sobel the column is the smoothing
        ``[1, 2, 1]`` and the row the difference ``[1, 0, -1]``); a zero kernel gives zeros.

    Raises
    ------
    NotSeparableError
        (a ``ValueError``) if the best rank-1 approximation misses by more than ``tol``;
        the message gives the relative error and the singular values.
    TypeError, ValueError
        If ``kernel`` is not a non-empty 2D numeric array or ``tol`` is negative.

    Notes
    -----
    With the SVD :math:`K = \\sum_i \\sigma_i u_i v_i^T`, the best rank-1 approximation
    (Eckart-Young) is :math:`\\sigma_1 u_1 v_1^T`, and its relative Frobenius error is

    .. math:: \\frac{\\|K - \\sigma_1 u_1 v_1^T\\|_F}{\\|K\\|_F}
              = \\sqrt{\\frac{\\sum_{i \\ge 2} \\sigma_i^2}{\\sum_i \\sigma_i^2}}.

    A separable :math:`K \\times K` kernel costs :math:`2K` multiplications per pixel
    (a column pass, then a row pass) instead of :math:`K^2`.

    Examples
    --------
    >>> col, row = separate_kernel([[1, 0, -1], [2, 0, -2], [1, 0, -1]])   # Sobel
    >>> col, row
    (array([0.5, 1. , 0.5]), array([ 2.,  0., -2.]))
    >>> separate_kernel(np.eye(3))
    Traceback (most recent call last):
    ...
    dlsip.variants.NotSeparableError: kernel is not separable within tol=1e-08: the best rank-1 approximation has relative error 0.816 (singular values 1, 1, 1)
    """
    k = check_array(kernel, "kernel", ndim=2).astype(np.float64)
    tol = check_float(tol, "tol", minimum=0.0)
    if not np.all(np.isfinite(k)):
        raise ValueError("kernel must contain only finite values, got NaN or infinity")
    u, s, vt = np.linalg.svd(k)
    total = float(np.sqrt(np.sum(s ** 2)))
    if total == 0.0:
        return np.zeros(k.shape[0]), np.zeros(k.shape[1])
    rel_error = float(np.sqrt(np.sum(s[1:] ** 2))) / total
    if rel_error > tol:
        shown = ", ".join(f"{v:.3g}" for v in s)
        raise NotSeparableError(
            f"kernel is not separable within tol={tol:g}: the best rank-1 approximation has "
            f"relative error {rel_error:.3g} (singular values {shown})"
        )
    column, row = u[:, 0] * s[0], vt[0]
    # Fix SVD's free scale and sign: the column's largest-magnitude entry becomes exactly 1
    # (the first one on a tie, up to round-off, so that the result does not depend on it).
    mags = np.abs(column)
    top = int(np.argmax(mags >= mags.max() * (1 - 1e-9)))
    peak = column[top]
    column, row = column / peak, row * peak
    column[top] = 1.0
    # Adding 0.0 turns SVD's signed zeros (-0.0) into plain zeros.
    return column + 0.0, row + 0.0


# ---------------------------------------------------------------------------------------
# Locally connected and tiled convolution
# ---------------------------------------------------------------------------------------

def _windows(x: np.ndarray, kh: int, kw: int, stride, padding) -> np.ndarray:
    """All receptive fields of ``x``: shape (N, C, H_out, W_out, kH, kW), a read-only view of
    the zero-padded input, made by the same strided-window helpers as the conv layers."""
    out_hw = _output_hw(x.shape[2], x.shape[3], kh, kw, stride, padding)
    return _layer_windows(_pad(x, padding), (kh, kw), stride, (1, 1), out_hw)


def _output_hw(h, w, kh, kw, stride, padding):
    # Chapter 2's output-size rule, per axis (Dumoulin & Visin relationship 6).
    (sh, sw), (ph, pw) = stride, padding
    return (conv_output_size(h, kh, stride=sh, padding=ph),
            conv_output_size(w, kw, stride=sw, padding=pw))


def locally_connected2d_forward(x, w, b=None, *, stride=1, padding=0) -> np.ndarray:
    """A locally connected layer: a convolution whose weights differ at every output position.

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
    w : ndarray, shape (H_out, W_out, C_out, C_in, kH, kW)
        ``w[i, j]`` is the (torch-shaped) filter bank used at output position ``(i, j)``.
    b : ndarray, shape (H_out, W_out, C_out), optional
        One bias per output unit; ``None`` for no bias.
    stride, padding : int or (int, int)
        As in ``torch.nn.Conv2d`` (zero padding).

    Returns
    -------
    out : ndarray, shape (N, C_out, H_out, W_out)
        ``H_out = (H + 2 padding - kH) // stride + 1``, likewise ``W_out``.
    cache : tuple
        What :func:`locally_connected2d_backward` needs.

    Raises
    ------
    TypeError, ValueError
        If an array has the wrong number of dimensions, the weights do not fit the input
        (channels, output size) or a hyperparameter is not valid.

    Notes
    -----
    Also called *unshared convolution* ([3]_):

    .. math:: y_{n,o,i,j} = b_{i,j,o} + \\sum_{c,p,q} w_{i,j,o,c,p,q}\\,
              x_{n,c,\\,s i + p - P,\\, s j + q - P}.

    Connections are as sparse as a convolution's, but nothing is shared: the layer has
    :math:`H_{out} W_{out}` times a convolution's parameters. When every ``w[i, j]`` is the
    same filter bank, it *is* that convolution.

    Examples
    --------
    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> w = np.ones((2, 2, 1, 1, 2, 2))        # 2 x 2 outputs, each sums its 2 x 2 window
    >>> w[1, 1] = 0                            # ... except the bottom-right one
    >>> out, _ = locally_connected2d_forward(x, w)
    >>> out[0, 0]
    array([[ 8., 12.],
           [20.,  0.]])
    """
    x = check_array(x, "x", ndim=4)
    w = check_array(w, "w", ndim=6)
    stride = check_pair(stride, "stride")
    padding = check_pair(padding, "padding", minimum=0)
    h_out_w, w_out_w, c_out, c_in, kh, kw = w.shape
    _check_fit(x, c_in, kh, kw, stride, padding, (h_out_w, w_out_w), "w", "(H_out, W_out, C_out, C_in, kH, kW)")
    if b is not None:
        b = check_array(b, "b", ndim=3)
        if b.shape != (h_out_w, w_out_w, c_out):
            raise ValueError(f"b must have shape (H_out, W_out, C_out)={(h_out_w, w_out_w, c_out)}, "
                             f"got b with shape {b.shape}")
    win = _windows(x, kh, kw, stride, padding)
    out = np.einsum("ncijpq,ijocpq->noij", win, w, optimize=True)
    if b is not None:
        out = out + b.transpose(2, 0, 1)[None]
    return out, (x, w, b is not None, stride, padding)


def locally_connected2d_backward(dout, cache):
    """Gradients of :func:`locally_connected2d_forward` with respect to ``x``, ``w`` and ``b``.

    Parameters
    ----------
    dout : ndarray, shape (N, C_out, H_out, W_out)
        Upstream gradient.
    cache : tuple
        From :func:`locally_connected2d_forward`.

    Returns
    -------
    dx : ndarray, shape (N, C_in, H, W)
    dw : ndarray, shape (H_out, W_out, C_out, C_in, kH, kW)
    db : ndarray, shape (H_out, W_out, C_out), or None when the layer has no bias

    Raises
    ------
    ValueError
        If ``dout`` does not have the output's shape.

    Notes
    -----
    The forward pass is a separate dot product per output unit, so
    :math:`\\partial L / \\partial w_{i,j,o,c,p,q} = \\sum_n \\delta_{n,o,i,j}\\, x_{n,c,si+p-P,sj+q-P}`
    and each :math:`\\delta_{n,o,i,j} w_{i,j,o}` is added back onto the window it came from.

    Examples
    --------
    >>> x = np.arange(4.0).reshape(1, 1, 2, 2)
    >>> out, cache = locally_connected2d_forward(x, np.ones((1, 1, 1, 1, 2, 2)))
    >>> dx, dw, db = locally_connected2d_backward(np.ones_like(out), cache)
    >>> dx[0, 0], dw[0, 0, 0, 0], db
    (array([[1., 1.],
           [1., 1.]]), array([[0., 1.],
           [2., 3.]]), None)
    """
    x, w, has_bias, (sh, sw), (ph, pw) = cache
    h_out, w_out, c_out, c_in, kh, kw = w.shape
    dout = check_array(dout, "dout", ndim=4)
    expected = (x.shape[0], c_out, h_out, w_out)
    if dout.shape != expected:
        raise ValueError(f"dout must have the output's shape {expected}, got dout with shape {dout.shape}")
    win = _windows(x, kh, kw, (sh, sw), (ph, pw))
    dw = np.einsum("ncijpq,noij->ijocpq", win, dout, optimize=True)
    db = dout.sum(axis=0).transpose(1, 2, 0) if has_bias else None
    dwin = np.einsum("noij,ijocpq->ncijpq", dout, w, optimize=True)
    n, _, h, wd = x.shape
    dxp = np.zeros((n, c_in, h + 2 * ph, wd + 2 * pw), dtype=np.result_type(dwin, np.float64))
    for p in range(kh):  # scatter each kernel tap's contribution back onto the input grid
        for q in range(kw):
            dxp[:, :, p:p + sh * (h_out - 1) + 1:sh, q:q + sw * (w_out - 1) + 1:sw] += dwin[..., p, q]
    return dxp[:, :, ph:ph + h, pw:pw + wd], dw, db


def _check_fit(x, c_in, kh, kw, stride, padding, out_hw, wname, layout):
    if x.shape[1] != c_in:
        raise ValueError(f"{wname} expects C_in={c_in} input channels ({wname} layout {layout}), "
                         f"got x with {x.shape[1]} channels (shape {x.shape})")
    ph, pw = padding
    if kh > x.shape[2] + 2 * ph or kw > x.shape[3] + 2 * pw:
        raise ValueError(f"kernel of size {(kh, kw)} is larger than the padded input "
                         f"{(x.shape[2] + 2 * ph, x.shape[3] + 2 * pw)}")
    if out_hw is not None:
        expected = _output_hw(x.shape[2], x.shape[3], kh, kw, stride, padding)
        if tuple(out_hw) != expected:
            raise ValueError(f"{wname} must have one filter bank per output position: (H_out, W_out)="
                             f"{expected} for this input, stride and padding, got {tuple(out_hw)}")


def _locally_connected2d_naive(x, w, b=None, *, stride=1, padding=0):
    """Loop version of :func:`locally_connected2d_forward`, kept for the tests."""
    x = np.asarray(x, dtype=np.float64)
    (sh, sw), (ph, pw) = check_pair(stride, "stride"), check_pair(padding, "padding", minimum=0)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    h_out, w_out, c_out, c_in, kh, kw = w.shape
    out = np.zeros((x.shape[0], c_out, h_out, w_out))
    for n in range(x.shape[0]):
        for o in range(c_out):
            for i in range(h_out):
                for j in range(w_out):
                    patch = xp[n, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    out[n, o, i, j] = np.sum(patch * w[i, j, o]) + (0.0 if b is None else b[i, j, o])
    return out


def tiled_conv2d_forward(x, w, b=None, *, stride=1, padding=0) -> np.ndarray:
    """Tiled convolution: a set of ``tH x tW`` filter banks used in turn across output positions.

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
    w : ndarray, shape (tH, tW, C_out, C_in, kH, kW)
        Output position ``(i, j)`` uses ``w[i % tH, j % tW]``.
    b : ndarray, shape (tH, tW, C_out), optional
        The bias of each filter bank; ``None`` for no bias.
    stride, padding : int or (int, int)
        As in ``torch.nn.Conv2d``.

    Returns
    -------
    out : ndarray, shape (N, C_out, H_out, W_out)
    cache : tuple
        What :func:`tiled_conv2d_backward` needs.

    Raises
    ------
    TypeError, ValueError
        If an array has the wrong number of dimensions, the channels do not match, or a
        hyperparameter is not valid.

    Notes
    -----
    .. math:: y_{n,o,i,j} = b_{i \\bmod t_H,\\, j \\bmod t_W,\\, o} + \\sum_{c,p,q}
              w_{i \\bmod t_H,\\, j \\bmod t_W,\\, o,c,p,q}\\; x_{n,c,\\,s i + p - P,\\, s j + q - P}

    ([3]_). Tile ``(1, 1)`` is an ordinary convolution; a tile as large as the output is a
    locally connected layer. In between, the layer has :math:`t_H t_W` times a
    convolution's parameters, whatever the image size.

    Examples
    --------
    >>> x = np.ones((1, 1, 3, 4))
    >>> w = np.stack([np.full((1, 1, 1, 1), 1.0), np.full((1, 1, 1, 1), 2.0)])[None]  # tile (1, 2)
    >>> tiled_conv2d_forward(x, w)[0][0, 0]
    array([[1., 2., 1., 2.],
           [1., 2., 1., 2.],
           [1., 2., 1., 2.]])
    """
    x = check_array(x, "x", ndim=4)
    w = check_array(w, "w", ndim=6)
    stride = check_pair(stride, "stride")
    padding = check_pair(padding, "padding", minimum=0)
    th, tw, c_out, c_in, kh, kw = w.shape
    _check_fit(x, c_in, kh, kw, stride, padding, None, "w", "(tH, tW, C_out, C_in, kH, kW)")
    if b is not None:
        b = check_array(b, "b", ndim=3)
        if b.shape != (th, tw, c_out):
            raise ValueError(f"b must have shape (tH, tW, C_out)={(th, tw, c_out)}, got b with shape {b.shape}")
    h_out, w_out = _output_hw(x.shape[2], x.shape[3], kh, kw, stride, padding)
    rows, cols = np.arange(h_out) % th, np.arange(w_out) % tw
    # Expanding the tile to every position is a gather; the arithmetic is then the
    # locally connected layer's.
    w_full = w[rows[:, None], cols[None, :]]
    b_full = None if b is None else b[rows[:, None], cols[None, :]]
    out, cache = locally_connected2d_forward(x, w_full, b_full, stride=stride, padding=padding)
    return out, (cache, (th, tw))


def tiled_conv2d_backward(dout, cache):
    """Gradients of :func:`tiled_conv2d_forward` with respect to ``x``, ``w`` and ``b``.

    Parameters
    ----------
    dout : ndarray, shape (N, C_out, H_out, W_out)
    cache : tuple
        From :func:`tiled_conv2d_forward`.

    Returns
    -------
    dx : ndarray, shape (N, C_in, H, W)
    dw : ndarray, shape (tH, tW, C_out, C_in, kH, kW)
    db : ndarray, shape (tH, tW, C_out), or None

    Raises
    ------
    ValueError
        If ``dout`` does not have the output's shape.

    Notes
    -----
    A shared weight's gradient is the sum of the gradients of all its uses: filter bank
    ``(a, c)`` collects the locally connected gradients of the positions
    ``(a + t_H u, c + t_W v)``.

    Examples
    --------
    >>> x = np.ones((1, 1, 2, 3))
    >>> out, cache = tiled_conv2d_forward(x, np.ones((1, 2, 1, 1, 1, 1)))
    >>> tiled_conv2d_backward(np.ones_like(out), cache)[1].ravel()   # 4 and 2 positions
    array([4., 2.])
    """
    lc_cache, (th, tw) = cache
    dx, dw_full, db_full = locally_connected2d_backward(dout, lc_cache)
    h_out, w_out = dw_full.shape[:2]
    dw = np.zeros((th, tw, *dw_full.shape[2:]), dtype=dw_full.dtype)
    db = None if db_full is None else np.zeros((th, tw, db_full.shape[2]), dtype=db_full.dtype)
    for a in range(min(th, h_out)):
        for c in range(min(tw, w_out)):
            dw[a, c] = dw_full[a::th, c::tw].sum(axis=(0, 1))
            if db is not None:
                db[a, c] = db_full[a::th, c::tw].sum(axis=(0, 1))
    return dx, dw, db


def connectivity_parameter_counts(input_shape, out_channels: int, kernel_size, *, stride=1,
                                  padding=0, tile=2, bias: bool = True) -> dict[str, int]:
    """Parameters of four layers that map the same input to the same output size.

    Parameters
    ----------
    input_shape : (int, int, int)
        ``(C_in, H, W)``.
    out_channels : int
    kernel_size, stride, padding : int or (int, int)
        Of the three local layers; the fully connected layer maps the whole input to the
        same ``(C_out, H_out, W_out)`` output.
    tile : int or (int, int)
        The tile of the tiled convolution.
    bias : bool
        Whether to count biases (per output channel for the convolution, per filter bank
        for the tiled layer, per output unit for the locally connected and fully connected
        layers).

    Returns
    -------
    dict
        ``{"fully connected", "locally connected", "tiled", "convolution"}`` to parameter
        counts, from the most to the fewest parameters.

    Raises
    ------
    TypeError, ValueError
        If a size is not valid, or the kernel does not fit the padded input.

    Notes
    -----
    With :math:`k = k_H k_W C_{in} C_{out}` weights per filter bank and
    :math:`P = H_{out} W_{out}` output positions: convolution :math:`k`, tiled
    :math:`t_H t_W k`, locally connected :math:`P k`, fully connected
    :math:`P C_{out} \\cdot H W C_{in}`.

    Examples
    --------
    >>> connectivity_parameter_counts((1, 6, 6), 1, 3, bias=False)
    {'fully connected': 576, 'locally connected': 144, 'tiled': 36, 'convolution': 9}
    """
    if not (isinstance(input_shape, (tuple, list)) and len(input_shape) == 3):
        raise TypeError(f"input_shape must be a tuple (C_in, H, W), got input_shape={input_shape!r}")
    c_in, h, w = (check_positive_int(v, "input_shape") for v in input_shape)
    c_out = check_positive_int(out_channels, "out_channels")
    kh, kw = check_pair(kernel_size, "kernel_size")
    stride = check_pair(stride, "stride")
    padding = check_pair(padding, "padding", minimum=0)
    th, tw = check_pair(tile, "tile")
    if kh > h + 2 * padding[0] or kw > w + 2 * padding[1]:
        raise ValueError(f"kernel_size={(kh, kw)} is larger than the padded input "
                         f"{(h + 2 * padding[0], w + 2 * padding[1])}")
    h_out, w_out = _output_hw(h, w, kh, kw, stride, padding)
    bank = kh * kw * c_in * c_out
    positions = h_out * w_out
    n_out = positions * c_out
    return {
        "fully connected": n_out * c_in * h * w + (n_out if bias else 0),
        "locally connected": positions * bank + (n_out if bias else 0),
        "tiled": th * tw * bank + (th * tw * c_out if bias else 0),
        "convolution": bank + (c_out if bias else 0),
    }


# ---------------------------------------------------------------------------------------
# Transposed convolution: overlap of the kernel copies
# ---------------------------------------------------------------------------------------

def overlap_counts(input_size, kernel_size, stride) -> np.ndarray:
    """How many kernel copies a transposed convolution adds into each output position.

    Parameters
    ----------
    input_size : int or (int, int)
        Length (1D) or ``(H, W)`` (2D) of the input.
    kernel_size, stride : int or (int, int)
        Of the transposed convolution (padding 0); an int with a 2D ``input_size`` is used
        for both axes.

    Returns
    -------
    ndarray of int64
        1D of length ``(n - 1) s + k``, or 2D, the outer product of the two axes' counts.

    Raises
    ------
    TypeError, ValueError
        If a size is not a positive integer (or pair of them).

    Notes
    -----
    It is the transposed convolution of an input of ones with a kernel of ones. The counts
    are uniform in the interior exactly when ``s`` divides ``k``; otherwise they alternate,
    and so does the output of a transposed convolution with positive weights: the
    checkerboard artifact ([4]_). In 2D the pattern is the outer product of the two axes',
    so an uneven 1D overlap shows up as a 2D checkerboard.

    Examples
    --------
    >>> overlap_counts(5, 3, 2)     # uneven: 3 is not divisible by 2
    array([1, 1, 2, 1, 2, 1, 2, 1, 2, 1, 1])
    >>> overlap_counts(5, 4, 2)     # even: 2 everywhere but at the two ends
    array([1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1])
    """
    two_d = not isinstance(input_size, (int, np.integer)) or isinstance(input_size, bool)
    if two_d:
        (n1, n2) = check_pair(input_size, "input_size")
        k1, k2 = check_pair(kernel_size, "kernel_size")
        s1, s2 = check_pair(stride, "stride")
        return np.outer(overlap_counts(n1, k1, s1), overlap_counts(n2, k2, s2))
    n = check_positive_int(input_size, "input_size")
    k = check_positive_int(kernel_size, "kernel_size")
    s = check_positive_int(stride, "stride")
    counts = np.zeros((n - 1) * s + k, dtype=np.int64)
    for i in range(n):  # scatter-add one copy of the kernel of ones per input element
        counts[i * s:i * s + k] += 1
    return counts


# ---------------------------------------------------------------------------------------
# Super-resolution by sub-pixel convolution
# ---------------------------------------------------------------------------------------

def make_sr_pairs(images, scale: int, *, patch_size: int, n_patches: int, seed: int = 0):
    """Random high-resolution patches and their bicubic-downscaled low-resolution versions.

    Parameters
    ----------
    images : sequence of ndarray, each (H, W), values in [0, 1]
    scale : int
        Downscaling factor ``r``.
    patch_size : int
        Side of a high-resolution patch; a multiple of ``scale``.
    n_patches : int
    seed : int
        Seeds the choice of images and positions.

    Returns
    -------
    low : torch.Tensor, shape (n_patches, 1, patch_size // scale, patch_size // scale)
    high : torch.Tensor, shape (n_patches, 1, patch_size, patch_size)
        float32.

    Raises
    ------
    ValueError
        If ``patch_size`` is not a multiple of ``scale`` or larger than an image.

    Notes
    -----
    The degradation is :func:`downscale`: torch's bicubic interpolation with antialiasing,
    the usual model (MATLAB's ``imresize``) of super-resolution benchmarks.

    Examples
    --------
    >>> low, high = make_sr_pairs([np.zeros((20, 20))], 3, patch_size=9, n_patches=2)
    >>> tuple(low.shape), tuple(high.shape)
    ((2, 1, 3, 3), (2, 1, 9, 9))
    """
    import torch

    scale = check_positive_int(scale, "scale")
    patch_size = check_positive_int(patch_size, "patch_size")
    n_patches = check_positive_int(n_patches, "n_patches")
    if patch_size % scale:
        raise ValueError(f"patch_size must be a multiple of scale={scale}, got patch_size={patch_size}")
    images = [check_array(im, f"images[{i}]", ndim=2).astype(np.float32) for i, im in enumerate(images)]
    if not images:
        raise ValueError("images must contain at least one image, got an empty sequence")
    for i, im in enumerate(images):
        if min(im.shape) < patch_size:
            raise ValueError(f"patch_size={patch_size} is larger than images[{i}] with shape {im.shape}")
    rng = np.random.default_rng(seed)
    which = rng.integers(len(images), size=n_patches)
    patches = np.empty((n_patches, 1, patch_size, patch_size), dtype=np.float32)
    for t, i in enumerate(which):
        h, w = images[i].shape
        r0, c0 = rng.integers(h - patch_size + 1), rng.integers(w - patch_size + 1)
        patches[t, 0] = images[i][r0:r0 + patch_size, c0:c0 + patch_size]
    high = torch.from_numpy(patches)
    return downscale(high, scale), high


def downscale(x, scale: int):
    """Bicubic downscaling with antialiasing (torch), the degradation of :func:`make_sr_pairs`.

    Parameters
    ----------
    x : torch.Tensor, shape (N, C, H, W)
        ``H`` and ``W`` multiples of ``scale``.
    scale : int

    Returns
    -------
    torch.Tensor, shape (N, C, H // scale, W // scale)

    Raises
    ------
    ValueError
        If ``H`` or ``W`` is not a multiple of ``scale``.

    Examples
    --------
    >>> import torch
    >>> y = downscale(torch.ones(1, 1, 6, 6), 3)     # a constant image stays constant
    >>> tuple(y.shape), torch.allclose(y, torch.ones(1, 1, 2, 2))
    ((1, 1, 2, 2), True)
    """
    import torch.nn.functional as F

    scale = check_positive_int(scale, "scale")
    h, w = x.shape[-2:]
    if h % scale or w % scale:
        raise ValueError(f"x must have a height and width divisible by scale={scale}, got shape {tuple(x.shape)}")
    return F.interpolate(x, size=(h // scale, w // scale), mode="bicubic", align_corners=False, antialias=True)


def bicubic_upscale(x, scale: int):
    """Bicubic upscaling by ``scale`` (torch, ``align_corners=False``): the baseline to beat.

    Parameters
    ----------
    x : torch.Tensor, shape (N, C, H, W)
    scale : int

    Returns
    -------
    torch.Tensor, shape (N, C, H * scale, W * scale)

    Examples
    --------
    >>> import torch
    >>> bicubic_upscale(torch.ones(1, 1, 2, 2), 3).shape
    torch.Size([1, 1, 6, 6])
    """
    import torch.nn.functional as F

    scale = check_positive_int(scale, "scale")
    return F.interpolate(x, scale_factor=scale, mode="bicubic", align_corners=False)


def _sub_pixel_sr_class():
    import torch
    from torch import nn

    class SubPixelSR(nn.Module):
        """ESPCN ([1]_): convolutions at low resolution, then a pixel shuffle by ``scale``.

        ``conv(5x5, features[0]) - tanh - conv(3x3, features[1]) - tanh - conv(3x3,
        channels * scale**2) - pixel_shuffle(scale)``. With ``residual=True`` the network
        learns only the correction to bicubic upscaling, which it adds at the end.
        """

        def __init__(self, scale: int = 3, *, channels: int = 1, features=(64, 32), residual: bool = True):
            super().__init__()
            self.scale = check_positive_int(scale, "scale")
            check_positive_int(channels, "channels")
            f1, f2 = (check_positive_int(f, "features") for f in features)
            self.residual = bool(residual)
            self.body = nn.Sequential(
                nn.Conv2d(channels, f1, 5, padding=2), nn.Tanh(),
                nn.Conv2d(f1, f2, 3, padding=1), nn.Tanh(),
                nn.Conv2d(f2, channels * self.scale ** 2, 3, padding=1),
            )
            self.shuffle = nn.PixelShuffle(self.scale)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            y = self.shuffle(self.body(x))
            if self.residual:
                y = y + bicubic_upscale(x, self.scale)
            return y

    SubPixelSR.__module__ = __name__
    return SubPixelSR


def __getattr__(name):
    # SubPixelSR subclasses torch.nn.Module: defined on first use, so that
    # `import dlsip.variants` does not import torch.
    if name == "SubPixelSR":
        cls = _sub_pixel_sr_class()
        globals()["SubPixelSR"] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
