"""Neural-network layers from scratch in NumPy: forward and backward passes, modules,
optimisers.

Every layer is a pair of functions in the style of cs231n: ``*_forward`` returns
``(out, cache)`` and ``*_backward(dout, cache)`` returns the gradient of the loss with
respect to every input, given ``dout``, the gradient with respect to the output. Arrays are
NCHW and weights are laid out as in torch (``(C_out, C_in, kH, kW)`` for a convolution,
``(C_in, C_out, kH, kW)`` for a transposed convolution, ``(out_features, in_features)``
for a linear layer), so that every function can be checked against torch, as the tests do,
to 1e-10 in float64.

The fast convolution is im2col: a strided *view* of the padded input holds every window
(no copy), one copy lays the windows out as the columns of a matrix, and one matrix product
does all the multiply-adds. Its backward pass is two more matrix products and a col2im
made of ``kH * kW`` strided additions. Naive loop versions (``*_naive``) sit beside the
fast ones; they are slow and obviously right, and the tests check that both agree.

Module classes (:class:`Conv2d`, :class:`BatchNorm2d`, :class:`Sequential`, ...) wrap the
functions with their parameters; :class:`SGD` and :class:`Adam` update those parameters in
place exactly as torch's optimisers do.

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

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._validation import check_array, check_float, check_int, check_pair, check_positive_int

__all__ = [
    "conv2d_forward", "conv2d_backward", "conv2d_forward_naive", "conv2d_backward_naive",
    "conv_transpose2d_forward", "conv_transpose2d_backward",
    "maxpool2d_forward", "maxpool2d_backward", "maxpool2d_forward_naive", "maxpool2d_backward_naive",
    "avgpool2d_forward", "avgpool2d_backward", "avgpool2d_forward_naive", "avgpool2d_backward_naive",
    "relu_forward", "relu_backward", "leaky_relu_forward", "leaky_relu_backward",
    "sigmoid_forward", "sigmoid_backward", "tanh_forward", "tanh_backward",
    "linear_forward", "linear_backward", "softmax_cross_entropy",
    "batchnorm_forward", "batchnorm_backward", "fold_batchnorm",
    "Module", "Conv2d", "MaxPool2d", "AvgPool2d", "ReLU", "LeakyReLU", "Sigmoid", "Tanh",
    "Flatten", "Linear", "BatchNorm1d", "BatchNorm2d", "Sequential", "SGD", "Adam",
    "lecture_cnn_numpy", "from_torch", "train_epoch", "predict",
]


# ---------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------

def _float_dtype(*arrays) -> np.dtype:
    """float64 unless every floating input is float32 (integers are promoted to float64)."""
    dtype = np.result_type(*[a.dtype for a in arrays if a is not None])
    return np.dtype(np.float32) if dtype == np.float32 else np.dtype(np.float64)


def _check_x4(x, name: str = "x") -> np.ndarray:
    x = check_array(x, name)
    if x.ndim != 4:
        raise ValueError(f"{name} must be 4D (N, C, H, W), got {name} with shape {x.shape} ({x.ndim}D)")
    return x


def _out_size(size: int, k: int, s: int, p: int, d: int) -> int:
    # Dumoulin & Visin, relationship 15: o = floor((i + 2p - d(k - 1) - 1) / s) + 1
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def _windows(xp: np.ndarray, kernel, stride, dilation, out_hw) -> np.ndarray:
    """A read-only strided view of shape (N, C, Ho, Wo, kH, kW): every window, no copy."""
    n, c = xp.shape[:2]
    s0, s1, s2, s3 = xp.strides
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    return as_strided(xp, (n, c, ho, wo, kh, kw), (s0, s1, s2 * sh, s3 * sw, s2 * dh, s3 * dw), writeable=False)


# Below this many multiply-adds a matrix product goes through einsum, not BLAS: on a busy
# machine multi-threaded OpenBLAS takes 20-400 ms on products that need 0.3 ms (measured on
# the skinny products of a 4-channel CNN, with two cores shared), and einsum does not thread.
_BLAS_MIN_MACS = 1 << 23


def _mm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for 2D arrays, by BLAS when large and by einsum when small."""
    if a.shape[0] * a.shape[1] * b.shape[1] < _BLAS_MIN_MACS:
        return np.einsum("ij,jk->ik", a, b)
    return a @ b


def _pad(x: np.ndarray, padding, value=0.0) -> np.ndarray:
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    out = np.full(x.shape[:-2] + (x.shape[-2] + 2 * ph, x.shape[-1] + 2 * pw), value, dtype=x.dtype)
    out[..., ph:ph + x.shape[-2], pw:pw + x.shape[-1]] = x
    return out


def _col2im_add(target: np.ndarray, cols: np.ndarray, kernel, stride, dilation, out_hw) -> None:
    """Add cols[..., i, j, :, :, :] into the (i, j) shifted, strided sub-grid of ``target``.

    ``target`` is (A, B, Hp, Wp) and ``cols`` is (A, kH, kW, B, Ho, Wo): the transpose of
    the im2col gather, as kH * kW strided additions.
    """
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    for i in range(kh):
        for j in range(kw):
            target[:, :, i * dh:i * dh + sh * (ho - 1) + 1:sh, j * dw:j * dw + sw * (wo - 1) + 1:sw] += cols[:, i, j]


def _conv_geometry(x, w, stride, padding, dilation, *, x_name="x", w_name="w"):
    stride = check_pair(stride, "stride")
    padding = check_pair(padding, "padding", minimum=0)
    dilation = check_pair(dilation, "dilation")
    n, c, h, wd = x.shape
    kh, kw = w.shape[2:]
    hp, wp = h + 2 * padding[0], wd + 2 * padding[1]
    ekh, ekw = dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1
    if ekh > hp or ekw > wp:
        raise ValueError(
            f"kernel of {w_name} with shape {w.shape[2:]} and dilation {dilation} spans ({ekh}, {ekw}) pixels, "
            f"larger than the padded input {x_name} of size ({hp}, {wp})")
    ho = _out_size(h, kh, stride[0], padding[0], dilation[0])
    wo = _out_size(wd, kw, stride[1], padding[1], dilation[1])
    return stride, padding, dilation, (ho, wo)


def _check_bias(b, n_out: int, w_name: str):
    if b is None:
        return None
    b = check_array(b, "b", ndim=1)
    if b.shape[0] != n_out:
        raise ValueError(f"b must have one entry per output channel of {w_name} ({n_out}), got b with shape {b.shape}")
    return b


# ---------------------------------------------------------------------------------------
# Convolution
# ---------------------------------------------------------------------------------------

def conv2d_forward(x, w, b=None, *, stride=1, padding=0, dilation=1):
    """2D convolution (cross-correlation, as in torch's ``conv2d``), by im2col.

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
        Input batch.
    w : ndarray, shape (C_out, C_in, kH, kW)
        Filters.
    b : ndarray, shape (C_out,), or None
        Biases (None for no bias).
    stride, padding, dilation : int or pair of ints
        As in torch; ``dilation=1`` means no dilation, padding is with zeros.

    Returns
    -------
    out : ndarray, shape (N, C_out, Ho, Wo)
        ``Ho = floor((H + 2p - d(kH - 1) - 1) / s) + 1`` and the same for ``Wo``.
    cache : tuple
        What :func:`conv2d_backward` needs (the im2col matrix among it).

    Raises
    ------
    ValueError
        If ``x`` or ``w`` is not 4D, if their channels disagree, if ``b`` has the wrong
        length, or if the (dilated) kernel is larger than the padded input.

    Notes
    -----
    .. math:: \\text{out}[n, f, i, j] = b_f + \\sum_{c, u, v} w[f, c, u, v]\\,
              x_p[n, c, s i + d u, s j + d v]

    where :math:`x_p` is the zero-padded input. The windows are a strided view of
    :math:`x_p` of shape (N, C, Ho, Wo, kH, kW); they are copied once into a matrix of
    shape (C kH kW, N Ho Wo), and the output is one matrix product with the filters
    reshaped to (C_out, C kH kW).

    Examples
    --------
    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> w = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])
    >>> out, _ = conv2d_forward(x, w)
    >>> out[0, 0]
    array([[-4., -4.],
           [-4., -4.]])
    """
    x = _check_x4(x, "x")
    w = _check_x4(w, "w")
    if w.shape[1] != x.shape[1]:
        raise ValueError(f"w must have as many input channels as x (x.shape[1]={x.shape[1]}), "
                         f"got w with shape {w.shape}")
    b = _check_bias(b, w.shape[0], "w")
    stride, padding, dilation, (ho, wo) = _conv_geometry(x, w, stride, padding, dilation)
    dtype = _float_dtype(x, w, b)
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    n, c = x.shape[:2]
    f, _, kh, kw = w.shape
    xp = _pad(x, padding)
    win = _windows(xp, (kh, kw), stride, dilation, (ho, wo))
    # (C, kH, kW, N, Ho, Wo): rows ordered as w.reshape(C_out, -1) orders its columns.
    cols = np.ascontiguousarray(win.transpose(1, 4, 5, 0, 2, 3)).reshape(c * kh * kw, n * ho * wo)
    out = _mm(w.reshape(f, -1), cols).reshape(f, n, ho, wo)
    if b is not None:
        out += b.astype(dtype, copy=False).reshape(f, 1, 1, 1)
    out = np.ascontiguousarray(out.transpose(1, 0, 2, 3))
    cache = (x.shape, w, cols, b is not None, stride, padding, dilation)
    return out, cache


def conv2d_backward(dout, cache):
    """Backward pass of :func:`conv2d_forward`.

    Parameters
    ----------
    dout : ndarray, shape (N, C_out, Ho, Wo)
        Gradient of the loss with respect to the output.
    cache : tuple
        From :func:`conv2d_forward`.

    Returns
    -------
    dx : ndarray, shape (N, C_in, H, W)
    dw : ndarray, shape (C_out, C_in, kH, kW)
    db : ndarray, shape (C_out,), or None when the forward pass had no bias.

    Raises
    ------
    ValueError
        If ``dout`` does not have the output's shape.

    Notes
    -----
    With :math:`\\delta = \\partial L / \\partial \\text{out}`:

    - :math:`\\partial L/\\partial w` is the cross-correlation of the padded input with
      :math:`\\delta` (dilated by the stride): ``dW = delta_mat @ cols.T``;
    - :math:`\\partial L/\\partial x` is the full convolution of :math:`\\delta` with the
      kernel, i.e. a transposed convolution: ``dcols = W.T @ delta_mat`` scattered back by
      col2im, then the padding is cropped;
    - :math:`\\partial L/\\partial b_f = \\sum_{n,i,j} \\delta[n, f, i, j]`.

    Examples
    --------
    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> w = np.ones((1, 1, 2, 2))
    >>> out, cache = conv2d_forward(x, w, np.zeros(1))
    >>> dx, dw, db = conv2d_backward(np.ones_like(out), cache)
    >>> dx[0, 0]   # how many windows cover each pixel
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    >>> dw[0, 0]   # sums of the 2x2 corner blocks of x
    array([[ 8., 12.],
           [20., 24.]])
    """
    x_shape, w, cols, has_bias, stride, padding, dilation = cache
    n, c, h, wd = x_shape
    f, _, kh, kw = w.shape
    dout = check_array(dout, "dout")
    ho = _out_size(h, kh, stride[0], padding[0], dilation[0])
    wo = _out_size(wd, kw, stride[1], padding[1], dilation[1])
    if dout.shape != (n, f, ho, wo):
        raise ValueError(f"dout must have the output's shape {(n, f, ho, wo)}, got dout with shape {dout.shape}")
    dout = dout.astype(w.dtype, copy=False)
    dmat = np.ascontiguousarray(dout.transpose(1, 0, 2, 3)).reshape(f, -1)
    dw = _mm(dmat, cols.T).reshape(w.shape)
    db = dout.sum(axis=(0, 2, 3)) if has_bias else None
    dcols = _mm(w.reshape(f, -1).T, dmat).reshape(c, kh, kw, n, ho, wo)
    dxp = np.zeros((c, n, h + 2 * padding[0], wd + 2 * padding[1]), dtype=w.dtype)
    _col2im_add(dxp, dcols, (kh, kw), stride, dilation, (ho, wo))
    dx = np.ascontiguousarray(dxp[:, :, padding[0]:padding[0] + h, padding[1]:padding[1] + wd].transpose(1, 0, 2, 3))
    return dx, dw, db


def conv2d_forward_naive(x, w, b=None, *, stride=1, padding=0, dilation=1):
    """Loop version of :func:`conv2d_forward`: one dot product per output pixel.

    Slow and obviously right; the tests check that it equals the im2col version.
    Same parameters, returns and errors as :func:`conv2d_forward`.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> x, w = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3))
    >>> out, _ = conv2d_forward_naive(x, w, stride=2, padding=1)
    >>> bool(np.allclose(out, conv2d_forward(x, w, stride=2, padding=1)[0]))
    True
    """
    x = _check_x4(x, "x")
    w = _check_x4(w, "w")
    if w.shape[1] != x.shape[1]:
        raise ValueError(f"w must have as many input channels as x (x.shape[1]={x.shape[1]}), "
                         f"got w with shape {w.shape}")
    b = _check_bias(b, w.shape[0], "w")
    stride, padding, dilation, (ho, wo) = _conv_geometry(x, w, stride, padding, dilation)
    dtype = _float_dtype(x, w, b)
    xp = _pad(x.astype(dtype), padding)
    n = x.shape[0]
    f, _, kh, kw = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    out = np.zeros((n, f, ho, wo), dtype=dtype)
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, :, i * sh:i * sh + dh * (kh - 1) + 1:dh, j * sw:j * sw + dw * (kw - 1) + 1:dw]
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3]))
    if b is not None:
        out += b.reshape(1, f, 1, 1)
    return out, (x.astype(dtype), w.astype(dtype), b is not None, stride, padding, dilation)


def conv2d_backward_naive(dout, cache):
    """Loop version of :func:`conv2d_backward`: every output pixel sends its gradient back
    through the window it came from.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> x, w = rng.standard_normal((2, 2, 5, 6)), rng.standard_normal((3, 2, 2, 3))
    >>> out, cache = conv2d_forward_naive(x, w, np.zeros(3), stride=(2, 1), dilation=(1, 2))
    >>> dout = rng.standard_normal(out.shape)
    >>> fast = conv2d_backward(dout, conv2d_forward(x, w, np.zeros(3), stride=(2, 1), dilation=(1, 2))[1])
    >>> all(np.allclose(a, b) for a, b in zip(conv2d_backward_naive(dout, cache), fast))
    True
    """
    x, w, has_bias, stride, padding, dilation = cache
    xp = _pad(x, padding)
    dxp = np.zeros_like(xp)
    dw_ = np.zeros_like(w)
    kh, kw = w.shape[2:]
    (sh, sw), (dh, dwl) = stride, dilation
    ho, wo = dout.shape[2:]
    for i in range(ho):
        for j in range(wo):
            rows = slice(i * sh, i * sh + dh * (kh - 1) + 1, dh)
            colsl = slice(j * sw, j * sw + dwl * (kw - 1) + 1, dwl)
            g = dout[:, :, i, j]                                       # (N, F)
            dw_ += np.tensordot(g, xp[:, :, rows, colsl], axes=([0], [0]))
            dxp[:, :, rows, colsl] += np.tensordot(g, w, axes=([1], [0]))
    h, wd = x.shape[2:]
    dx = dxp[:, :, padding[0]:padding[0] + h, padding[1]:padding[1] + wd]
    db = dout.sum(axis=(0, 2, 3)) if has_bias else None
    return dx, dw_, db


def conv_transpose2d_forward(x, w, b=None, *, stride=1, padding=0, output_padding=0, dilation=1):
    """2D transposed convolution, as torch's ``conv_transpose2d`` (groups=1).

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
    w : ndarray, shape (C_in, C_out, kH, kW)
        Laid out as in torch's ``conv_transpose2d`` (input channels first).
    b : ndarray, shape (C_out,), or None
    stride, padding, output_padding, dilation : int or pair of ints
        ``padding`` removes ``p`` rows and columns from each border of the full output;
        ``output_padding`` adds rows and columns at the bottom and right, and must be
        smaller than the stride or the dilation (as in torch).

    Returns
    -------
    out : ndarray, shape (N, C_out, Ho, Wo)
        ``Ho = (H - 1) s - 2p + d(kH - 1) + output_padding + 1``.
    cache : tuple

    Raises
    ------
    ValueError
        Wrong ndim, channel mismatch, bad ``output_padding``, or an empty output.

    Notes
    -----
    Each input pixel scales the kernel, and the scaled copies are added into the output,
    spaced by the stride. This is exactly the input gradient of :func:`conv2d_forward`
    with the same hyperparameters: multiplication by the transpose of the convolution's
    matrix. It is computed as one matrix product ``W.T @ X`` followed by col2im.

    Examples
    --------
    The syllabus example: input and kernel both [[0, 1], [2, 3]].

    >>> x = np.array([[[[0.0, 1.0], [2.0, 3.0]]]])
    >>> out, _ = conv_transpose2d_forward(x, x, stride=2)
    >>> out[0, 0]
    array([[0., 0., 0., 1.],
           [0., 0., 2., 3.],
           [0., 2., 0., 3.],
           [4., 6., 6., 9.]])
    """
    x = _check_x4(x, "x")
    w = _check_x4(w, "w")
    if w.shape[0] != x.shape[1]:
        raise ValueError(f"w must have shape (C_in, C_out, kH, kW) with C_in = x.shape[1] = {x.shape[1]}, "
                         f"got w with shape {w.shape}")
    b = _check_bias(b, w.shape[1], "w")
    stride = check_pair(stride, "stride")
    padding = check_pair(padding, "padding", minimum=0)
    output_padding = check_pair(output_padding, "output_padding", minimum=0)
    dilation = check_pair(dilation, "dilation")
    for k in range(2):
        if output_padding[k] >= max(stride[k], dilation[k]):
            raise ValueError(f"output_padding must be smaller than stride or dilation, got output_padding="
                             f"{output_padding}, stride={stride}, dilation={dilation}")
    n, cin, h, wd = x.shape
    _, cout, kh, kw = w.shape
    full = [(size - 1) * s + d * (k - 1) + 1 for size, s, d, k in zip((h, wd), stride, dilation, (kh, kw))]
    ho = full[0] - 2 * padding[0] + output_padding[0]
    wo = full[1] - 2 * padding[1] + output_padding[1]
    if ho < 1 or wo < 1:
        raise ValueError(f"padding={padding} crops the whole output (size ({ho}, {wo})) of x with shape {x.shape}")
    dtype = _float_dtype(x, w, b)
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    xmat = np.ascontiguousarray(x.transpose(1, 0, 2, 3)).reshape(cin, -1)
    cols = _mm(w.reshape(cin, -1).T, xmat).reshape(cout, kh, kw, n, h, wd)
    # Room for the cropped border plus output_padding, which may reach past the full output.
    target = np.zeros((cout, n, full[0] + output_padding[0], full[1] + output_padding[1]), dtype=dtype)
    _col2im_add(target, cols, (kh, kw), stride, dilation, (h, wd))
    out = target[:, :, padding[0]:padding[0] + ho, padding[1]:padding[1] + wo]
    if b is not None:
        out = out + b.astype(dtype, copy=False).reshape(cout, 1, 1, 1)
    out = np.ascontiguousarray(out.transpose(1, 0, 2, 3))
    cache = (x, w, b is not None, stride, padding, dilation, (ho, wo))
    return out, cache


def conv_transpose2d_backward(dout, cache):
    """Backward pass of :func:`conv_transpose2d_forward`.

    Parameters
    ----------
    dout : ndarray
        Gradient of the loss with respect to the forward pass's output, of its shape.
    cache : tuple
        From the forward pass.

    Returns
    -------
    dx : ndarray, shape (N, C_in, H, W)
    dw : ndarray, shape (C_in, C_out, kH, kW)
    db : ndarray, shape (C_out,), or None

    Raises
    ------
    ValueError
        If ``dout`` does not have the output's shape.

    Notes
    -----
    The transpose of a transpose is the original: ``dx`` is the ordinary convolution
    (:func:`conv2d_forward`) of ``dout`` with ``w``, same stride, padding and dilation;
    ``dw[ci, co]`` correlates ``x[:, ci]`` with the windows of the padded ``dout``.

    Examples
    --------
    >>> x = np.ones((1, 1, 2, 2))
    >>> out, cache = conv_transpose2d_forward(x, np.ones((1, 1, 2, 2)))
    >>> dx, dw, db = conv_transpose2d_backward(np.ones_like(out), cache)
    >>> dx[0, 0], db
    (array([[4., 4.],
           [4., 4.]]), None)
    """
    x, w, has_bias, stride, padding, dilation, (ho, wo) = cache
    n, cin, h, wd = x.shape
    _, cout, kh, kw = w.shape
    dout = check_array(dout, "dout")
    if dout.shape != (n, cout, ho, wo):
        raise ValueError(f"dout must have the output's shape {(n, cout, ho, wo)}, got dout with shape {dout.shape}")
    dout = dout.astype(w.dtype, copy=False)
    # Pad dout back to the full output, plus enough at the end that every window fits.
    need = [(size - 1) * s + d * (k - 1) + 1 for size, s, d, k in zip((h, wd), stride, dilation, (kh, kw))]
    dpad = np.zeros((n, cout, max(need[0], ho + padding[0]), max(need[1], wo + padding[1])), dtype=w.dtype)
    # Rows of the full output beyond `ho + padding` were cropped by output_padding < stride.
    dpad[:, :, padding[0]:padding[0] + ho, padding[1]:padding[1] + wo] = dout
    win = _windows(dpad, (kh, kw), stride, dilation, (h, wd))          # (N, Cout, H, W, kh, kw)
    cols = np.ascontiguousarray(win.transpose(1, 4, 5, 0, 2, 3)).reshape(cout * kh * kw, -1)
    xmat = np.ascontiguousarray(x.transpose(1, 0, 2, 3)).reshape(cin, -1)
    dw = _mm(xmat, cols.T).reshape(w.shape)
    dx = np.ascontiguousarray(_mm(w.reshape(cin, -1), cols).reshape(cin, n, h, wd).transpose(1, 0, 2, 3))
    db = dout.sum(axis=(0, 2, 3)) if has_bias else None
    return dx, dw, db


# ---------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------

def _pool_geometry(x, kernel_size, stride, padding):
    kernel = check_pair(kernel_size, "kernel_size")
    stride = kernel if stride is None else check_pair(stride, "stride")
    padding = check_pair(padding, "padding", minimum=0)
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(f"padding must be at most half of kernel_size, got padding={padding}, kernel_size={kernel}")
    h, w = x.shape[2:]
    hp, wp = h + 2 * padding[0], w + 2 * padding[1]
    if kernel[0] > hp or kernel[1] > wp:
        raise ValueError(f"kernel_size={kernel} is larger than the padded input x of size ({hp}, {wp})")
    ho = (hp - kernel[0]) // stride[0] + 1
    wo = (wp - kernel[1]) // stride[1] + 1
    return kernel, stride, padding, (ho, wo)


def maxpool2d_forward(x, *, kernel_size, stride=None, padding=0):
    """2D max pooling, as torch's ``max_pool2d`` (``ceil_mode=False``, no dilation).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    kernel_size : int or pair of ints
    stride : int or pair of ints, optional
        Defaults to ``kernel_size`` (non-overlapping windows), as in torch.
    padding : int or pair of ints
        Implicit padding with -inf (so padding never wins); at most half the kernel.

    Returns
    -------
    out : ndarray, shape (N, C, Ho, Wo)
        ``Ho = floor((H + 2p - k) / s) + 1``.
    cache : tuple

    Raises
    ------
    ValueError
        Wrong ndim, padding above half the kernel, or a kernel larger than the padded input.

    Notes
    -----
    The cache keeps, for each output, the flat index of its arg-max in the padded input.
    On ties the *first* maximum in row-major order within the window wins, as in torch's
    CPU kernel, so the whole gradient of that output goes to that one element.

    Examples
    --------
    The syllabus example:

    >>> x = np.array([[12, 20, 30, 0], [8, 12, 2, 0], [34, 70, 37, 4], [112, 100, 25, 12]], float)
    >>> out, _ = maxpool2d_forward(x[None, None], kernel_size=2, stride=2)
    >>> out[0, 0]
    array([[ 20.,  30.],
           [112.,  37.]])
    """
    x = _check_x4(x, "x")
    kernel, stride, padding, (ho, wo) = _pool_geometry(x, kernel_size, stride, padding)
    dtype = _float_dtype(x)
    x = x.astype(dtype, copy=False)
    n, c, h, w = x.shape
    xp = _pad(x, padding, value=-np.inf)
    hp, wp = xp.shape[2:]
    kh, kw = kernel
    if stride == kernel and padding == (0, 0) and h % kh == 0 and w % kw == 0:
        # Non-overlapping windows that tile the image: a reshape, no strided view needed.
        win = xp.reshape(n, c, ho, kh, wo, kw).transpose(0, 1, 2, 4, 3, 5)
    else:
        win = _windows(xp, kernel, stride, (1, 1), (ho, wo))
    flat = win.reshape(n, c, ho, wo, kh * kw)
    arg = flat.argmax(axis=-1)
    out = np.take_along_axis(flat, arg[..., None], axis=-1)[..., 0]
    # Flat index into the padded input of the arg-max of each window.
    u, v = np.divmod(arg, kw)
    rows = np.arange(ho).reshape(ho, 1) * stride[0] + u
    cols = np.arange(wo).reshape(1, wo) * stride[1] + v
    index = (np.arange(n * c).reshape(n, c, 1, 1) * hp + rows) * wp + cols
    cache = (x.shape, padding, (hp, wp), index, dtype, stride[0] >= kh and stride[1] >= kw)
    return out, cache


def maxpool2d_backward(dout, cache):
    """Backward pass of :func:`maxpool2d_forward`: each output's gradient goes to its
    arg-max; every other input gets zero.

    Parameters
    ----------
    dout : ndarray
        Gradient of the loss with respect to the forward pass's output, of its shape.
    cache : tuple
        From the forward pass.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)

    Raises
    ------
    ValueError
        If ``dout`` does not have the output's shape.

    Notes
    -----
    With overlapping windows an input can be the arg-max of several outputs; it then
    receives the sum of their gradients (``np.bincount`` adds them up).

    Examples
    --------
    >>> x = np.array([[[[1.0, 2.0], [4.0, 3.0]]]])
    >>> out, cache = maxpool2d_forward(x, kernel_size=2)
    >>> maxpool2d_backward(np.array([[[[5.0]]]]), cache)[0, 0]
    array([[0., 0.],
           [5., 0.]])
    """
    x_shape, padding, (hp, wp), index, dtype, disjoint = cache
    dout = check_array(dout, "dout")
    if dout.shape != index.shape:
        raise ValueError(f"dout must have the output's shape {index.shape}, got dout with shape {dout.shape}")
    n, c, h, w = x_shape
    size = n * c * hp * wp
    if disjoint:
        dxp = np.zeros(size, dtype=dtype)
        dxp[index.ravel()] = dout.ravel()         # each input is the arg-max of at most one window
    else:
        dxp = np.bincount(index.ravel(), weights=dout.ravel().astype(np.float64), minlength=size).astype(dtype)
    dxp = dxp.reshape(n, c, hp, wp)
    return np.ascontiguousarray(dxp[:, :, padding[0]:padding[0] + h, padding[1]:padding[1] + w])


def maxpool2d_forward_naive(x, *, kernel_size, stride=None, padding=0):
    """Loop version of :func:`maxpool2d_forward` (same arguments and results).

    Examples
    --------
    >>> x = np.random.default_rng(0).standard_normal((2, 3, 7, 6))
    >>> a, _ = maxpool2d_forward_naive(x, kernel_size=3, stride=2, padding=1)
    >>> bool(np.array_equal(a, maxpool2d_forward(x, kernel_size=3, stride=2, padding=1)[0]))
    True
    """
    x = _check_x4(x, "x")
    kernel, stride, padding, (ho, wo) = _pool_geometry(x, kernel_size, stride, padding)
    xp = _pad(x.astype(_float_dtype(x)), padding, value=-np.inf)
    n, c = x.shape[:2]
    out = np.zeros((n, c, ho, wo), dtype=xp.dtype)
    where = np.zeros((n, c, ho, wo, 2), dtype=np.int64)
    for a in range(n):
        for ch in range(c):
            for i in range(ho):
                for j in range(wo):
                    window = xp[a, ch, i * stride[0]:i * stride[0] + kernel[0], j * stride[1]:j * stride[1] + kernel[1]]
                    u, v = np.unravel_index(np.argmax(window), window.shape)   # first maximum
                    out[a, ch, i, j] = window[u, v]
                    where[a, ch, i, j] = (i * stride[0] + u, j * stride[1] + v)
    return out, (x.shape, padding, where)


def maxpool2d_backward_naive(dout, cache):
    """Loop version of :func:`maxpool2d_backward`.

    Examples
    --------
    >>> x = np.random.default_rng(0).standard_normal((1, 2, 5, 5))
    >>> out, cache = maxpool2d_forward_naive(x, kernel_size=3, stride=1)
    >>> dx = maxpool2d_backward_naive(np.ones_like(out), cache)
    >>> float(dx.sum()) == out.size
    True
    """
    x_shape, padding, where = cache
    n, c, h, w = x_shape
    dxp = np.zeros((n, c, h + 2 * padding[0], w + 2 * padding[1]), dtype=dout.dtype)
    for a, ch, i, j in np.ndindex(*dout.shape):
        u, v = where[a, ch, i, j]
        dxp[a, ch, u, v] += dout[a, ch, i, j]
    return dxp[:, :, padding[0]:padding[0] + h, padding[1]:padding[1] + w]


def avgpool2d_forward(x, *, kernel_size, stride=None, padding=0):
    """2D average pooling, as torch's ``avg_pool2d`` with its defaults
    (``count_include_pad=True``, ``ceil_mode=False``).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    kernel_size : int or pair of ints
    stride : int or pair of ints, optional
        Defaults to ``kernel_size``.
    padding : int or pair of ints
        Zero padding, counted in the average (torch's default); at most half the kernel.

    Returns
    -------
    out : ndarray, shape (N, C, Ho, Wo)
    cache : tuple

    Raises
    ------
    ValueError
        Wrong ndim, padding above half the kernel, or a kernel larger than the padded input.

    Notes
    -----
    .. math:: \\text{out}[n, c, i, j] = \\frac{1}{k_H k_W} \\sum_{u, v} x_p[n, c, s i + u, s j + v]

    Examples
    --------
    The syllabus example:

    >>> x = np.array([[1, 3, 2, 1], [5, 4, 9, 7], [11, 12, 15, 7], [1, 9, 6, 8]], float)
    >>> out, _ = avgpool2d_forward(x[None, None], kernel_size=2, stride=2)
    >>> out[0, 0]
    array([[3.25, 4.75],
           [8.25, 9.  ]])
    """
    x = _check_x4(x, "x")
    kernel, stride, padding, (ho, wo) = _pool_geometry(x, kernel_size, stride, padding)
    x = x.astype(_float_dtype(x), copy=False)
    xp = _pad(x, padding)
    out = np.zeros(x.shape[:2] + (ho, wo), dtype=x.dtype)
    # kH * kW strided additions: cheaper than a copy of every window.
    for u in range(kernel[0]):
        for v in range(kernel[1]):
            out += xp[:, :, u:u + stride[0] * (ho - 1) + 1:stride[0], v:v + stride[1] * (wo - 1) + 1:stride[1]]
    out /= kernel[0] * kernel[1]
    return out, (x.shape, x.dtype, kernel, stride, padding)


def avgpool2d_backward(dout, cache):
    """Backward pass of :func:`avgpool2d_forward`: each output spreads its gradient evenly,
    ``1 / (kH kW)`` to every element of its window.

    Parameters
    ----------
    dout : ndarray
        Gradient of the loss with respect to the forward pass's output, of its shape.
    cache : tuple
        From the forward pass.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)

    Raises
    ------
    ValueError
        If ``dout`` does not have the output's shape.

    Examples
    --------
    >>> out, cache = avgpool2d_forward(np.zeros((1, 1, 4, 4)), kernel_size=2)
    >>> avgpool2d_backward(np.array([[[[4.0, 8.0], [0.0, 2.0]]]]), cache)[0, 0]
    array([[1. , 1. , 2. , 2. ],
           [1. , 1. , 2. , 2. ],
           [0. , 0. , 0.5, 0.5],
           [0. , 0. , 0.5, 0.5]])
    """
    x_shape, dtype, kernel, stride, padding = cache
    n, c, h, w = x_shape
    ho = (h + 2 * padding[0] - kernel[0]) // stride[0] + 1
    wo = (w + 2 * padding[1] - kernel[1]) // stride[1] + 1
    dout = check_array(dout, "dout")
    if dout.shape != (n, c, ho, wo):
        raise ValueError(f"dout must have the output's shape {(n, c, ho, wo)}, got dout with shape {dout.shape}")
    g = dout.astype(dtype) / (kernel[0] * kernel[1])
    dxp = np.zeros((n, c, h + 2 * padding[0], w + 2 * padding[1]), dtype=dtype)
    for u in range(kernel[0]):
        for v in range(kernel[1]):
            dxp[:, :, u:u + stride[0] * (ho - 1) + 1:stride[0], v:v + stride[1] * (wo - 1) + 1:stride[1]] += g
    return np.ascontiguousarray(dxp[:, :, padding[0]:padding[0] + h, padding[1]:padding[1] + w])


def avgpool2d_forward_naive(x, *, kernel_size, stride=None, padding=0):
    """Loop version of :func:`avgpool2d_forward`.

    Examples
    --------
    >>> x = np.random.default_rng(0).standard_normal((1, 2, 6, 5))
    >>> a, _ = avgpool2d_forward_naive(x, kernel_size=3, stride=2, padding=1)
    >>> bool(np.allclose(a, avgpool2d_forward(x, kernel_size=3, stride=2, padding=1)[0]))
    True
    """
    x = _check_x4(x, "x")
    kernel, stride, padding, (ho, wo) = _pool_geometry(x, kernel_size, stride, padding)
    xp = _pad(x.astype(_float_dtype(x)), padding)
    out = np.zeros(x.shape[:2] + (ho, wo), dtype=xp.dtype)
    for i in range(ho):
        for j in range(wo):
            out[:, :, i, j] = xp[:, :, i * stride[0]:i * stride[0] + kernel[0],
                                 j * stride[1]:j * stride[1] + kernel[1]].mean(axis=(2, 3))
    return out, (x.shape, kernel, stride, padding)


def avgpool2d_backward_naive(dout, cache):
    """Loop version of :func:`avgpool2d_backward`.

    Examples
    --------
    >>> out, cache = avgpool2d_forward_naive(np.zeros((1, 1, 4, 4)), kernel_size=2)
    >>> float(avgpool2d_backward_naive(np.ones_like(out), cache).sum())
    4.0
    """
    x_shape, kernel, stride, padding = cache
    n, c, h, w = x_shape
    dxp = np.zeros((n, c, h + 2 * padding[0], w + 2 * padding[1]), dtype=dout.dtype)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            dxp[:, :, i * stride[0]:i * stride[0] + kernel[0], j * stride[1]:j * stride[1] + kernel[1]] += (
                dout[:, :, i, j, None, None] / (kernel[0] * kernel[1]))
    return dxp[:, :, padding[0]:padding[0] + h, padding[1]:padding[1] + w]


# ---------------------------------------------------------------------------------------
# Activations, linear layer, loss
# ---------------------------------------------------------------------------------------

def _check_dout(dout, shape):
    dout = check_array(dout, "dout")
    if dout.shape != shape:
        raise ValueError(f"dout must have the output's shape {shape}, got dout with shape {dout.shape}")
    return dout


def relu_forward(x):
    """ReLU, ``max(x, 0)``, elementwise.

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    out : ndarray, same shape as ``x``
    cache : ndarray (the mask ``x > 0``)

    Raises
    ------
    TypeError
        If ``x`` is not numeric.

    Notes
    -----
    The derivative is 1 for ``x > 0`` and 0 otherwise; at ``x = 0`` torch takes 0, and so
    do we.

    Examples
    --------
    >>> relu_forward(np.array([-1.0, 0.0, 2.0]))[0]
    array([0., 0., 2.])
    """
    x = check_array(x, "x")
    x = x.astype(_float_dtype(x), copy=False)
    mask = x > 0
    return np.where(mask, x, x.dtype.type(0)), mask


def relu_backward(dout, cache):
    """Backward pass of :func:`relu_forward`: the gradient passes where ``x > 0``.

    Parameters
    ----------
    dout : ndarray
        Gradient of the loss with respect to the output, shaped like the input.
    cache : ndarray
        From the forward pass.

    Returns
    -------
    dx : ndarray, shaped like the input

    Raises
    ------
    ValueError
        If ``dout`` does not have the input's shape.

    Examples
    --------
    >>> _, cache = relu_forward(np.array([-1.0, 0.0, 2.0]))
    >>> relu_backward(np.array([5.0, 5.0, 5.0]), cache)
    array([0., 0., 5.])
    """
    dout = _check_dout(dout, cache.shape)
    return dout * cache


def leaky_relu_forward(x, *, negative_slope=0.01):
    """Leaky ReLU: ``x`` for ``x > 0``, ``negative_slope * x`` otherwise (torch's default 0.01).

    Parameters
    ----------
    x : ndarray, any shape
    negative_slope : float
        The slope for ``x <= 0``.

    Returns
    -------
    out : ndarray, shaped like ``x``
    cache : ndarray
        The local slope (1 or ``negative_slope``) at each entry.

    Raises
    ------
    TypeError
        If ``x`` or ``negative_slope`` is not numeric.

    Examples
    --------
    >>> leaky_relu_forward(np.array([-2.0, 3.0]), negative_slope=0.1)[0]
    array([-0.2,  3. ])
    """
    x = check_array(x, "x")
    negative_slope = check_float(negative_slope, "negative_slope")
    x = x.astype(_float_dtype(x), copy=False)
    slope = np.where(x > 0, 1.0, negative_slope).astype(x.dtype)
    return x * slope, slope


def leaky_relu_backward(dout, cache):
    """Backward pass of :func:`leaky_relu_forward`.

    Parameters
    ----------
    dout : ndarray
        Gradient of the loss with respect to the output, shaped like the input.
    cache : ndarray
        From the forward pass.

    Returns
    -------
    dx : ndarray, shaped like the input

    Raises
    ------
    ValueError
        If ``dout`` does not have the input's shape.

    Examples
    --------
    >>> _, cache = leaky_relu_forward(np.array([-2.0, 3.0]), negative_slope=0.1)
    >>> leaky_relu_backward(np.array([1.0, 1.0]), cache)
    array([0.1, 1. ])
    """
    dout = _check_dout(dout, cache.shape)
    return dout * cache


def sigmoid_forward(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))``, computed without overflow.

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    out : ndarray, shaped like ``x``
    cache : ndarray
        What the backward pass needs.

    Raises
    ------
    TypeError
        If ``x`` is not numeric.

    Notes
    -----
    :math:`\\sigma'(x) = \\sigma(x) (1 - \\sigma(x))`, so the cache is the output.

    Examples
    --------
    >>> sigmoid_forward(np.array([0.0, -1000.0]))[0]
    array([0.5, 0. ])
    """
    x = check_array(x, "x")
    x = x.astype(_float_dtype(x), copy=False)
    e = np.exp(-np.abs(x))                     # never overflows
    out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype)
    return out, out


def sigmoid_backward(dout, cache):
    """Backward pass of :func:`sigmoid_forward`: ``dout * s * (1 - s)``.

    Parameters
    ----------
    dout : ndarray
        Gradient of the loss with respect to the output, shaped like the input.
    cache : ndarray
        From the forward pass.

    Returns
    -------
    dx : ndarray, shaped like the input

    Raises
    ------
    ValueError
        If ``dout`` does not have the input's shape.

    Examples
    --------
    >>> _, cache = sigmoid_forward(np.array([0.0]))
    >>> sigmoid_backward(np.array([1.0]), cache)
    array([0.25])
    """
    dout = _check_dout(dout, cache.shape)
    return dout * cache * (1 - cache)


def tanh_forward(x):
    """Hyperbolic tangent; :math:`\\tanh'(x) = 1 - \\tanh^2(x)`, so the cache is the output.

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    out : ndarray, shaped like ``x``
    cache : ndarray
        What the backward pass needs.

    Raises
    ------
    TypeError
        If ``x`` is not numeric.

    Examples
    --------
    >>> tanh_forward(np.array([0.0]))[0]
    array([0.])
    """
    x = check_array(x, "x")
    out = np.tanh(x.astype(_float_dtype(x), copy=False))
    return out, out


def tanh_backward(dout, cache):
    """Backward pass of :func:`tanh_forward`: ``dout * (1 - tanh(x)^2)``.

    Parameters
    ----------
    dout : ndarray
        Gradient of the loss with respect to the output, shaped like the input.
    cache : ndarray
        From the forward pass.

    Returns
    -------
    dx : ndarray, shaped like the input

    Raises
    ------
    ValueError
        If ``dout`` does not have the input's shape.

    Examples
    --------
    >>> _, cache = tanh_forward(np.array([0.0]))
    >>> tanh_backward(np.array([2.0]), cache)
    array([2.])
    """
    dout = _check_dout(dout, cache.shape)
    return dout * (1 - cache * cache)


def linear_forward(x, w, b=None):
    """Fully connected layer ``x @ w.T + b``, with torch's weight layout.

    Parameters
    ----------
    x : ndarray, shape (N, in_features)
    w : ndarray, shape (out_features, in_features)
    b : ndarray, shape (out_features,), or None

    Returns
    -------
    out : ndarray, shape (N, out_features)
    cache : tuple

    Raises
    ------
    ValueError
        If ``x`` or ``w`` is not 2D or their feature counts disagree.

    Examples
    --------
    >>> linear_forward(np.array([[1.0, 2.0]]), np.array([[1.0, 1.0], [0.0, 1.0]]), np.array([0.0, 10.0]))[0]
    array([[ 3., 12.]])
    """
    x = check_array(x, "x", ndim=2)
    w = check_array(w, "w", ndim=2)
    if w.shape[1] != x.shape[1]:
        raise ValueError(f"w must have shape (out_features, {x.shape[1]}) to match x, got w with shape {w.shape}")
    b = _check_bias(b, w.shape[0], "w")
    dtype = _float_dtype(x, w, b)
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    out = _mm(x, w.T)
    if b is not None:
        out += b.astype(dtype, copy=False)
    return out, (x, w, b is not None)


def linear_backward(dout, cache):
    """Backward pass of :func:`linear_forward`.

    Parameters
    ----------
    dout : ndarray
        Gradient of the loss with respect to the forward pass's output, of its shape.
    cache : tuple
        From the forward pass.

    Returns
    -------
    dx : ndarray, shape (N, in_features)
        ``dout @ w``
    dw : ndarray, shape (out_features, in_features)
        ``dout.T @ x``
    db : ndarray, shape (out_features,), or None
        ``dout.sum(0)``

    Examples
    --------
    >>> x, w = np.array([[1.0, 2.0]]), np.array([[3.0, 4.0]])
    >>> _, cache = linear_forward(x, w, np.zeros(1))
    >>> linear_backward(np.array([[1.0]]), cache)
    (array([[3., 4.]]), array([[1., 2.]]), array([1.]))
    """
    x, w, has_bias = cache
    dout = _check_dout(dout, (x.shape[0], w.shape[0])).astype(w.dtype, copy=False)
    return _mm(dout, w), _mm(dout.T, x), (dout.sum(axis=0) if has_bias else None)


def softmax_cross_entropy(logits, labels):
    """Mean cross-entropy of softmax(logits) against integer labels, and its gradient.

    Parameters
    ----------
    logits : ndarray, shape (N, K)
    labels : ndarray of int, shape (N,), values in [0, K)

    Returns
    -------
    loss : float
        :math:`-\\frac{1}{N}\\sum_n \\log \\mathrm{softmax}(z_n)_{y_n}`, as torch's
        ``cross_entropy`` with ``reduction="mean"``.
    dlogits : ndarray, shape (N, K)
        :math:`(\\mathrm{softmax}(z) - \\mathrm{onehot}(y)) / N`.

    Raises
    ------
    ValueError
        If the shapes disagree or a label is out of range.

    Notes
    -----
    The log-sum-exp is computed after subtracting each row's maximum, so large logits do not
    overflow.

    Examples
    --------
    >>> loss, d = softmax_cross_entropy(np.zeros((2, 4)), np.array([0, 3]))
    >>> round(loss, 6) == round(float(np.log(4)), 6)
    True
    >>> d[0]
    array([-0.375,  0.125,  0.125,  0.125])
    """
    logits = check_array(logits, "logits", ndim=2)
    labels = check_array(labels, "labels", ndim=1)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"labels must be integers, got labels.dtype={labels.dtype}")
    n, k = logits.shape
    if labels.shape[0] != n:
        raise ValueError(f"labels must have one entry per row of logits ({n}), got labels with shape {labels.shape}")
    if labels.min() < 0 or labels.max() >= k:
        raise ValueError(f"labels must be in [0, {k}), got labels in [{labels.min()}, {labels.max()}]")
    logits = logits.astype(_float_dtype(logits), copy=False)
    shifted = logits - logits.max(axis=1, keepdims=True)
    logsumexp = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    logp = shifted - logsumexp
    rows = np.arange(n)
    loss = float(-logp[rows, labels].mean())
    dlogits = np.exp(logp)
    dlogits[rows, labels] -= 1
    dlogits /= n
    return loss, dlogits


# ---------------------------------------------------------------------------------------
# Batch normalization
# ---------------------------------------------------------------------------------------

def batchnorm_forward(x, gamma, beta, *, running_mean=None, running_var=None, training=True,
                      momentum=0.1, eps=1e-5):
    """Batch normalization (Ioffe & Szegedy, 2015), as torch's ``batch_norm``.

    Parameters
    ----------
    x : ndarray, shape (N, D) or (N, C, H, W)
        Normalised per feature (2D) or per channel over (N, H, W) (4D).
    gamma, beta : ndarray, shape (D,) or (C,)
        Scale and shift.
    running_mean, running_var : ndarray, shape (D,) or (C,), or None
        Population statistics. In training mode they are updated *in place* (when given);
        in eval mode they are used instead of the batch's statistics and are required.
    training : bool
        Batch statistics (True) or running statistics (False).
    momentum : float
        Weight of the new batch in the running averages (torch's convention, 0.1).
    eps : float
        Added to the variance, >= 0.

    Returns
    -------
    out : ndarray, same shape as ``x``
    cache : tuple

    Raises
    ------
    ValueError
        Wrong ndim, parameter shapes that do not match the features of ``x``, negative
        ``eps``, a ``momentum`` outside [0, 1], missing running statistics in eval mode, or
        a single value per feature in training mode (torch raises too: the variance of one
        value is 0 and its unbiased estimate is undefined).

    Notes
    -----
    Over the m values of a feature in the batch:

    .. math:: \\mu = \\frac1m\\sum_i x_i,\\quad \\sigma^2 = \\frac1m\\sum_i (x_i-\\mu)^2,\\quad
              \\hat x_i = \\frac{x_i - \\mu}{\\sqrt{\\sigma^2 + \\epsilon}},\\quad
              y_i = \\gamma \\hat x_i + \\beta.

    The running averages follow torch exactly: ``running_mean <- (1 - momentum)
    running_mean + momentum mu`` and ``running_var <- (1 - momentum) running_var +
    momentum sigma^2 m / (m - 1)``, the unbiased variance (the paper's population
    variance uses the same m/(m-1) factor).

    Examples
    --------
    >>> x = np.array([[1.0], [3.0]])
    >>> rm, rv = np.zeros(1), np.ones(1)
    >>> out, _ = batchnorm_forward(x, np.ones(1), np.zeros(1), running_mean=rm, running_var=rv, eps=0.0)
    >>> out.ravel()
    array([-1.,  1.])
    >>> rm, rv    # 0.9 * 0 + 0.1 * 2 and 0.9 * 1 + 0.1 * 2 (the unbiased variance of 1, 3)
    (array([0.2]), array([1.1]))
    """
    x = check_array(x, "x")
    if x.ndim not in (2, 4):
        raise ValueError(f"x must be 2D (N, D) or 4D (N, C, H, W), got x with shape {x.shape} ({x.ndim}D)")
    nfeat = x.shape[1]
    params = {}
    for name, value in (("gamma", gamma), ("beta", beta), ("running_mean", running_mean), ("running_var", running_var)):
        if value is None:
            params[name] = None
            continue
        value = check_array(value, name)
        if value.shape != (nfeat,):
            raise ValueError(f"{name} must have shape ({nfeat},), one entry per feature of x, "
                             f"got {name} with shape {value.shape}")
        params[name] = value
    if params["gamma"] is None or params["beta"] is None:
        raise ValueError("gamma and beta must be arrays, got None")
    eps = check_float(eps, "eps", minimum=0.0)
    momentum = check_float(momentum, "momentum", minimum=0.0)
    if momentum > 1:
        raise ValueError(f"momentum must be in [0, 1], got momentum={momentum}")
    axes = (0,) if x.ndim == 2 else (0, 2, 3)
    shape = (1, nfeat) if x.ndim == 2 else (1, nfeat, 1, 1)
    m = x.size // nfeat
    dtype = _float_dtype(x, params["gamma"])
    x = x.astype(dtype, copy=False)
    g = params["gamma"].astype(dtype, copy=False).reshape(shape)
    bt = params["beta"].astype(dtype, copy=False).reshape(shape)
    if training:
        if m < 2:
            raise ValueError(f"x must have more than one value per feature in training mode, got x with shape {x.shape}")
        mu = x.mean(axis=axes, keepdims=True)
        xc = x - mu
        var = (xc * xc).mean(axis=axes, keepdims=True)
        for name, new in (("running_mean", mu), ("running_var", var * (m / (m - 1)))):
            r = params[name]
            if r is not None:
                if not isinstance(running_mean if name == "running_mean" else running_var, np.ndarray):
                    raise TypeError(f"{name} must be a NumPy array to be updated in place")
                r *= 1 - momentum
                r += momentum * new.reshape(nfeat).astype(r.dtype)
    else:
        if params["running_mean"] is None or params["running_var"] is None:
            raise ValueError("running_mean and running_var are required in eval mode (training=False), got None")
        mu = params["running_mean"].astype(dtype).reshape(shape)
        var = params["running_var"].astype(dtype).reshape(shape)
        xc = x - mu
    invstd = 1.0 / np.sqrt(var + eps)
    xhat = xc * invstd
    out = g * xhat + bt
    return out, (xhat, g, invstd, axes, training)


def batchnorm_backward(dout, cache):
    """Backward pass of :func:`batchnorm_forward`, in the compact closed form.

    Parameters
    ----------
    dout : ndarray
        Gradient of the loss with respect to the forward pass's output, of its shape.
    cache : tuple
        From the forward pass.

    Returns
    -------
    dx : ndarray, same shape as ``x``
    dgamma, dbeta : ndarray, shape (D,) or (C,)

    Raises
    ------
    ValueError
        If ``dout`` does not have the output's shape.

    Notes
    -----
    In training mode :math:`\\mu` and :math:`\\sigma^2` depend on every :math:`x_i` of the
    feature. With :math:`g_i = \\partial L/\\partial y_i`, :math:`\\partial L/\\partial \\hat
    x_i = \\gamma g_i`, and differentiating :math:`\\hat x_i = (x_i - \\mu)\\,s`,
    :math:`s = (\\sigma^2+\\epsilon)^{-1/2}`, through :math:`\\partial\\mu/\\partial x_j = 1/m`
    and :math:`\\partial\\sigma^2/\\partial x_j = 2(x_j-\\mu)/m` gives

    .. math:: \\frac{\\partial L}{\\partial x_i} = \\frac{\\gamma s}{m}
              \\Big(m g_i - \\sum_j g_j - \\hat x_i \\sum_j g_j \\hat x_j\\Big),

    with :math:`\\partial L/\\partial\\gamma = \\sum_i g_i \\hat x_i` and
    :math:`\\partial L/\\partial\\beta = \\sum_i g_i`. In eval mode the statistics are
    constants and :math:`\\partial L/\\partial x_i = \\gamma s g_i`.

    Examples
    --------
    >>> x = np.array([[1.0], [2.0], [6.0]])
    >>> out, cache = batchnorm_forward(x, np.ones(1), np.zeros(1))
    >>> dx, dgamma, dbeta = batchnorm_backward(np.ones_like(out), cache)
    >>> bool(np.allclose(dx, 0))   # a shift of every output cannot change the normalised batch
    True
    >>> dbeta
    array([3.])
    """
    xhat, g, invstd, axes, training = cache
    dout = _check_dout(dout, xhat.shape).astype(xhat.dtype, copy=False)
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * xhat).sum(axis=axes)
    if training:
        m = xhat.size // xhat.shape[1]
        shape = g.shape
        dx = (g * invstd / m) * (m * dout - dbeta.reshape(shape) - xhat * dgamma.reshape(shape))
    else:
        dx = dout * (g * invstd)
    return dx, dgamma, dbeta


def fold_batchnorm(conv, bn):
    """Fold an eval-mode ``torch.nn.BatchNorm2d`` into the ``torch.nn.Conv2d`` before it.

    Parameters
    ----------
    conv : torch.nn.Conv2d
    bn : torch.nn.BatchNorm2d
        With ``bn.num_features == conv.out_channels`` and running statistics.

    Returns
    -------
    torch.nn.Conv2d
        A new convolution, with a bias, such that ``folded(x) == bn.eval()(conv(x))``.
        The inputs are not modified.

    Raises
    ------
    TypeError
        If ``conv`` or ``bn`` has the wrong type.
    ValueError
        If the channel counts differ or ``bn`` tracks no running statistics.

    Notes
    -----
    In eval mode BN is the affine map :math:`y = \\gamma (z - \\hat\\mu) / \\sqrt{\\hat\\sigma^2
    + \\epsilon} + \\beta` per channel. With :math:`a = \\gamma / \\sqrt{\\hat\\sigma^2 +
    \\epsilon}`, composing it with :math:`z = w * x + b` gives the convolution with
    weights :math:`a_f w_f` and bias :math:`a_f (b_f - \\hat\\mu_f) + \\beta_f`.

    Examples
    --------
    >>> import torch
    >>> conv, bn = torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3)
    >>> _ = bn.train()(conv(torch.randn(4, 2, 6, 6)))       # some running statistics
    >>> folded = fold_batchnorm(conv, bn.eval())
    >>> x = torch.randn(1, 2, 5, 5)
    >>> bool(torch.allclose(folded(x), bn(conv(x)), atol=1e-5))
    True
    """
    import copy

    import torch

    if not isinstance(conv, torch.nn.Conv2d):
        raise TypeError(f"conv must be a torch.nn.Conv2d, got conv={type(conv).__name__}")
    if not isinstance(bn, torch.nn.modules.batchnorm._BatchNorm):
        raise TypeError(f"bn must be a torch.nn.BatchNorm2d, got bn={type(bn).__name__}")
    if bn.num_features != conv.out_channels:
        raise ValueError(f"bn must have num_features == conv.out_channels ({conv.out_channels}), "
                         f"got bn.num_features={bn.num_features}")
    if bn.running_mean is None or bn.running_var is None:
        raise ValueError("bn must track running statistics (track_running_stats=True), got none")
    folded = copy.deepcopy(conv)
    with torch.no_grad():
        scale = torch.rsqrt(bn.running_var + bn.eps)
        if bn.weight is not None:
            scale = scale * bn.weight
        shift = -bn.running_mean * scale
        if bn.bias is not None:
            shift = shift + bn.bias
        folded.weight.mul_(scale.reshape(-1, 1, 1, 1).to(folded.weight.dtype))
        bias = conv.bias * scale + shift if conv.bias is not None else shift
        folded.bias = torch.nn.Parameter(bias.to(folded.weight.dtype))
    return folded


# ---------------------------------------------------------------------------------------
# Modules
# ---------------------------------------------------------------------------------------

class Module:
    """Base class: a layer with ``forward``, ``backward``, parameters and their gradients.

    ``backward`` stores the gradients of the parameters (overwriting the previous ones, so
    there is no ``zero_grad``) and returns the gradient with respect to the input.
    ``parameters()`` and ``grads()`` list arrays in the same order; optimisers update the
    parameters in place.
    """

    training = True

    def forward(self, x):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, dout):  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, x):
        return self.forward(x)

    def parameters(self) -> list:
        return []

    def grads(self) -> list:
        return []

    def train(self):
        self.training = True
        return self

    def eval(self):
        self.training = False
        return self

    def __repr__(self):
        return f"{type(self).__name__}({self.extra_repr()})"

    def extra_repr(self) -> str:
        return ""


def _torch_uniform_init(rng, shape, fan_in, dtype):
    # torch's default for Conv2d and Linear: kaiming_uniform_(a=sqrt(5)) gives
    # U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the weights, and the same bound for the bias.
    bound = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, size=shape).astype(dtype)


class Conv2d(Module):
    """Convolution layer on :func:`conv2d_forward`; initialised as torch's ``nn.Conv2d``.

    Examples
    --------
    >>> conv = Conv2d(1, 4, 3, padding=1, rng=np.random.default_rng(0))
    >>> out = conv(np.zeros((2, 1, 5, 5), np.float32))
    >>> out.shape, out.dtype, [p.shape for p in conv.parameters()]
    ((2, 4, 5, 5), dtype('float32'), [(4, 1, 3, 3), (4,)])
    """

    def __init__(self, in_channels, out_channels, kernel_size, *, stride=1, padding=0, dilation=1,
                 bias=True, rng=None, dtype=np.float32):
        in_channels = check_positive_int(in_channels, "in_channels")
        out_channels = check_positive_int(out_channels, "out_channels")
        kh, kw = check_pair(kernel_size, "kernel_size")
        self.stride, self.padding, self.dilation = stride, padding, dilation
        rng = np.random.default_rng() if rng is None else rng
        fan_in = in_channels * kh * kw
        self.weight = _torch_uniform_init(rng, (out_channels, in_channels, kh, kw), fan_in, dtype)
        self.bias = _torch_uniform_init(rng, (out_channels,), fan_in, dtype) if bias else None
        self.dweight = np.zeros_like(self.weight)
        self.dbias = None if self.bias is None else np.zeros_like(self.bias)
        self._cache = None

    def forward(self, x):
        out, self._cache = conv2d_forward(x, self.weight, self.bias, stride=self.stride,
                                          padding=self.padding, dilation=self.dilation)
        return out

    def backward(self, dout):
        dx, self.dweight[...], db = conv2d_backward(dout, self._cache)
        if self.bias is not None:
            self.dbias[...] = db
        return dx

    def parameters(self):
        return [self.weight] + ([self.bias] if self.bias is not None else [])

    def grads(self):
        return [self.dweight] + ([self.dbias] if self.bias is not None else [])

    def extra_repr(self):
        f, c, kh, kw = self.weight.shape
        return f"{c}, {f}, kernel_size=({kh}, {kw}), stride={self.stride}, padding={self.padding}"


class Linear(Module):
    """Fully connected layer on :func:`linear_forward`; initialised as torch's ``nn.Linear``.

    Examples
    --------
    >>> fc = Linear(3, 2, rng=np.random.default_rng(0))
    >>> fc(np.ones((5, 3), np.float32)).shape
    (5, 2)
    """

    def __init__(self, in_features, out_features, *, bias=True, rng=None, dtype=np.float32):
        in_features = check_positive_int(in_features, "in_features")
        out_features = check_positive_int(out_features, "out_features")
        rng = np.random.default_rng() if rng is None else rng
        self.weight = _torch_uniform_init(rng, (out_features, in_features), in_features, dtype)
        self.bias = _torch_uniform_init(rng, (out_features,), in_features, dtype) if bias else None
        self.dweight = np.zeros_like(self.weight)
        self.dbias = None if self.bias is None else np.zeros_like(self.bias)
        self._cache = None

    def forward(self, x):
        out, self._cache = linear_forward(x, self.weight, self.bias)
        return out

    def backward(self, dout):
        dx, self.dweight[...], db = linear_backward(dout, self._cache)
        if self.bias is not None:
            self.dbias[...] = db
        return dx

    parameters = Conv2d.parameters
    grads = Conv2d.grads

    def extra_repr(self):
        return f"{self.weight.shape[1]}, {self.weight.shape[0]}"


class _BatchNorm(Module):
    _ndim = 2

    def __init__(self, num_features, *, eps=1e-5, momentum=0.1, dtype=np.float32):
        num_features = check_positive_int(num_features, "num_features")
        self.eps = check_float(eps, "eps", minimum=0.0)
        self.momentum = check_float(momentum, "momentum", minimum=0.0)
        self.weight = np.ones(num_features, dtype=dtype)
        self.bias = np.zeros(num_features, dtype=dtype)
        self.running_mean = np.zeros(num_features, dtype=dtype)
        self.running_var = np.ones(num_features, dtype=dtype)
        self.dweight = np.zeros_like(self.weight)
        self.dbias = np.zeros_like(self.bias)
        self._cache = None

    def forward(self, x):
        x = check_array(x, "x")
        if x.ndim != self._ndim:
            raise ValueError(f"x must be {self._ndim}D for {type(self).__name__}, got x with shape {x.shape}")
        out, self._cache = batchnorm_forward(x, self.weight, self.bias, running_mean=self.running_mean,
                                             running_var=self.running_var, training=self.training,
                                             momentum=self.momentum, eps=self.eps)
        return out

    def backward(self, dout):
        dx, self.dweight[...], self.dbias[...] = batchnorm_backward(dout, self._cache)
        return dx

    def parameters(self):
        return [self.weight, self.bias]

    def grads(self):
        return [self.dweight, self.dbias]

    def extra_repr(self):
        return f"{self.weight.shape[0]}, eps={self.eps}, momentum={self.momentum}"


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, D) input, per feature (see :func:`batchnorm_forward`).

    Examples
    --------
    >>> bn = BatchNorm1d(2, dtype=np.float64)
    >>> out = bn(np.array([[0.0, 10.0], [2.0, 30.0]]))
    >>> bn.running_mean
    array([0.1, 2. ])
    """

    _ndim = 2


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W) input, per channel (see :func:`batchnorm_forward`).

    Examples
    --------
    >>> bn = BatchNorm2d(3)
    >>> bn(np.ones((2, 3, 4, 4), np.float32)).shape
    (2, 3, 4, 4)
    """

    _ndim = 4


class _Stateless(Module):
    def __init__(self, forward_fn, backward_fn, **kwargs):
        self._f, self._b, self._kwargs, self._cache = forward_fn, backward_fn, kwargs, None

    def forward(self, x):
        out, self._cache = self._f(x, **self._kwargs)
        return out

    def backward(self, dout):
        return self._b(dout, self._cache)

    def extra_repr(self):
        return ", ".join(f"{k}={v}" for k, v in self._kwargs.items())


class MaxPool2d(_Stateless):
    """Max pooling layer on :func:`maxpool2d_forward`.

    Examples
    --------
    >>> MaxPool2d(2)(np.zeros((1, 1, 4, 4))).shape
    (1, 1, 2, 2)
    """

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__(maxpool2d_forward, maxpool2d_backward, kernel_size=kernel_size, stride=stride, padding=padding)


class AvgPool2d(_Stateless):
    """Average pooling layer on :func:`avgpool2d_forward`.

    Examples
    --------
    >>> AvgPool2d(2)(np.ones((1, 1, 4, 4)))[0, 0]
    array([[1., 1.],
           [1., 1.]])
    """

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__(avgpool2d_forward, avgpool2d_backward, kernel_size=kernel_size, stride=stride, padding=padding)


class ReLU(_Stateless):
    """ReLU layer.

    Examples
    --------
    >>> ReLU()(np.array([-1.0, 1.0]))
    array([0., 1.])
    """

    def __init__(self):
        super().__init__(relu_forward, relu_backward)


class LeakyReLU(_Stateless):
    """Leaky ReLU layer.

    Examples
    --------
    >>> LeakyReLU(0.5)(np.array([-1.0, 1.0]))
    array([-0.5,  1. ])
    """

    def __init__(self, negative_slope=0.01):
        super().__init__(leaky_relu_forward, leaky_relu_backward, negative_slope=negative_slope)


class Sigmoid(_Stateless):
    """Sigmoid layer.

    Examples
    --------
    >>> Sigmoid()(np.array([0.0]))
    array([0.5])
    """

    def __init__(self):
        super().__init__(sigmoid_forward, sigmoid_backward)


class Tanh(_Stateless):
    """Tanh layer.

    Examples
    --------
    >>> Tanh()(np.array([0.0]))
    array([0.])
    """

    def __init__(self):
        super().__init__(tanh_forward, tanh_backward)


class Flatten(Module):
    """Flatten every axis but the first (batch), as torch's ``nn.Flatten()``.

    Examples
    --------
    >>> f = Flatten()
    >>> f(np.zeros((2, 3, 4, 4))).shape, f.backward(np.zeros((2, 48))).shape
    ((2, 48), (2, 3, 4, 4))
    """

    def __init__(self):
        self._shape = None

    def forward(self, x):
        x = check_array(x, "x")
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout):
        return dout.reshape(self._shape)


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

    def __init__(self, *layers):
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(f"layers must be dlsip.layers.Module instances, got layer {i}={layer!r}")
        self.layers = list(layers)

    def __getitem__(self, i):
        return self.layers[i]

    def __len__(self):
        return len(self.layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout):
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def grads(self):
        return [g for layer in self.layers for g in layer.grads()]

    def train(self):
        self.training = True
        for layer in self.layers:
            layer.train()
        return self

    def eval(self):
        self.training = False
        for layer in self.layers:
            layer.eval()
        return self

    def __repr__(self):
        inner = "\n".join(f"  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential(\n{inner}\n)"


# ---------------------------------------------------------------------------------------
# Optimisers
# ---------------------------------------------------------------------------------------

class _Optimizer:
    def __init__(self, model: Module, lr: float):
        if not isinstance(model, Module):
            raise TypeError(f"model must be a dlsip.layers.Module, got model={type(model).__name__}")
        self.model = model
        self.lr = check_float(lr, "lr", minimum=0.0)


class SGD(_Optimizer):
    """Stochastic gradient descent with momentum and weight decay, as ``torch.optim.SGD``.

    ``step()`` reads ``model.grads()`` and updates ``model.parameters()`` in place:
    ``g <- g + weight_decay * p``; ``buf <- momentum * buf + g`` (``buf = g`` at the first
    step); ``p <- p - lr * buf``.

    Examples
    --------
    >>> fc = Linear(1, 1, bias=False, dtype=np.float64, rng=np.random.default_rng(0))
    >>> fc.weight[...] = 1.0
    >>> fc.dweight[...] = 2.0
    >>> SGD(fc, lr=0.1).step()
    >>> fc.weight
    array([[0.8]])
    """

    def __init__(self, model, *, lr=0.01, momentum=0.0, weight_decay=0.0):
        super().__init__(model, lr)
        self.momentum = check_float(momentum, "momentum", minimum=0.0)
        self.weight_decay = check_float(weight_decay, "weight_decay", minimum=0.0)
        self._buffers = None

    def step(self):
        params, grads = self.model.parameters(), self.model.grads()
        if self._buffers is None:
            self._buffers = [None] * len(params)
        for k, (p, g) in enumerate(zip(params, grads)):
            if self.weight_decay:
                g = g + self.weight_decay * p
            if self.momentum:
                if self._buffers[k] is None:
                    self._buffers[k] = np.array(g, copy=True)
                else:
                    self._buffers[k] *= self.momentum
                    self._buffers[k] += g
                g = self._buffers[k]
            p -= self.lr * g


class Adam(_Optimizer):
    """Adam (Kingma & Ba, 2015), as ``torch.optim.Adam`` (no amsgrad, L2 weight decay).

    Notes
    -----
    .. math:: m \\leftarrow \\beta_1 m + (1-\\beta_1) g,\\quad v \\leftarrow \\beta_2 v +
              (1-\\beta_2) g^2,\\quad p \\leftarrow p - \\frac{\\text{lr}}{1-\\beta_1^t}
              \\frac{m}{\\sqrt{v}/\\sqrt{1-\\beta_2^t} + \\epsilon}

    Examples
    --------
    >>> fc = Linear(1, 1, bias=False, dtype=np.float64, rng=np.random.default_rng(0))
    >>> fc.weight[...] = 1.0
    >>> fc.dweight[...] = 123.0
    >>> Adam(fc, lr=0.1).step()       # the first step has size lr whatever the gradient
    >>> fc.weight.round(6)
    array([[0.9]])
    """

    def __init__(self, model, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(model, lr)
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2 and all(0 <= float(b) < 1 for b in betas)):
            raise ValueError(f"betas must be a pair of numbers in [0, 1), got betas={betas!r}")
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = check_float(eps, "eps", minimum=0.0)
        self.weight_decay = check_float(weight_decay, "weight_decay", minimum=0.0)
        self.t = 0
        self._m = self._v = None

    def step(self):
        params, grads = self.model.parameters(), self.model.grads()
        if self._m is None:
            self._m = [np.zeros_like(p) for p in params]
            self._v = [np.zeros_like(p) for p in params]
        self.t += 1
        b1, b2 = self.betas
        c1, c2 = 1 - b1 ** self.t, 1 - b2 ** self.t
        for p, g, m, v in zip(params, grads, self._m, self._v):
            if self.weight_decay:
                g = g + self.weight_decay * p
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * (g * g)
            p -= (self.lr / c1) * m / (np.sqrt(v) / np.sqrt(c2) + self.eps)


# ---------------------------------------------------------------------------------------
# The lecture's MNIST CNN, and weights from torch
# ---------------------------------------------------------------------------------------

def lecture_cnn_numpy(*, channels: int = 4, rng=None, dtype=np.float32) -> Sequential:
    """The lecture's MNIST CNN in NumPy layers (input (N, 1, 28, 28), output 10 logits).

    Conv2d(1, c, 3, padding=1) - BatchNorm2d(c) - ReLU - MaxPool2d(2) - Conv2d(c, c, 3,
    padding=1) - BatchNorm2d(c) - ReLU - MaxPool2d(2) - Flatten - Linear(c*7*7, 10), with
    ``c = 4`` in the lecture. Initialised as torch initialises the same layers.

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
    rng = np.random.default_rng() if rng is None else rng
    return Sequential(
        Conv2d(1, c, 3, padding=1, rng=rng, dtype=dtype), BatchNorm2d(c, dtype=dtype), ReLU(), MaxPool2d(2),
        Conv2d(c, c, 3, padding=1, rng=rng, dtype=dtype), BatchNorm2d(c, dtype=dtype), ReLU(), MaxPool2d(2),
        Flatten(), Linear(c * 7 * 7, 10, rng=rng, dtype=dtype),
    )


def from_torch(module, *, dtype=None) -> Sequential:
    """A NumPy :class:`Sequential` with the layers and weights of a torch model.

    Parameters
    ----------
    module : torch.nn.Module
        Its leaf modules, in registration order, must be the order of its forward pass
        (true of ``nn.Sequential`` and of models written that way). Supported leaves:
        Conv2d (groups=1, zero padding), Linear, BatchNorm1d/2d, MaxPool2d, AvgPool2d, ReLU,
        LeakyReLU, Sigmoid, Tanh, Flatten (``start_dim=1``); Identity is skipped. A model
        that flattens in its ``forward`` (``x.view(N, -1)``) gets a :class:`Flatten`
        before its first Linear that follows a convolution or pooling layer.
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
        If a leaf module is not supported.

    Examples
    --------
    >>> import torch
    >>> tnet = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU())
    >>> net = from_torch(tnet)
    >>> x = np.ones((1, 3), np.float32)
    >>> bool(np.allclose(net(x), tnet(torch.from_numpy(x)).detach().numpy()))
    True
    """
    import torch.nn as tnn

    def arr(t):
        a = t.detach().cpu().numpy()
        return a.astype(dtype if dtype is not None else a.dtype, copy=True)

    layers = []
    spatial = False   # does the previous layer output (N, C, H, W)?
    for name, m in module.named_modules():
        if any(True for _ in m.children()):
            continue
        if isinstance(m, tnn.Conv2d):
            if m.groups != 1 or m.padding_mode != "zeros" or isinstance(m.padding, str):
                raise TypeError(f"from_torch supports Conv2d with groups=1, numeric zero padding; got {name}={m}")
            layer = Conv2d(m.in_channels, m.out_channels, m.kernel_size, stride=m.stride, padding=m.padding,
                           dilation=m.dilation, bias=m.bias is not None, rng=np.random.default_rng(0))
            layer.weight = arr(m.weight)
            layer.bias = None if m.bias is None else arr(m.bias)
        elif isinstance(m, tnn.Linear):
            layer = Linear(m.in_features, m.out_features, bias=m.bias is not None, rng=np.random.default_rng(0))
            layer.weight = arr(m.weight)
            layer.bias = None if m.bias is None else arr(m.bias)
        elif isinstance(m, (tnn.BatchNorm1d, tnn.BatchNorm2d)):
            layer = (BatchNorm1d if isinstance(m, tnn.BatchNorm1d) else BatchNorm2d)(
                m.num_features, eps=m.eps, momentum=m.momentum)
            layer.weight, layer.bias = arr(m.weight), arr(m.bias)
            layer.running_mean, layer.running_var = arr(m.running_mean), arr(m.running_var)
        elif isinstance(m, tnn.MaxPool2d):
            if m.dilation not in (1, (1, 1)) or m.ceil_mode:
                raise TypeError(f"from_torch supports MaxPool2d without dilation or ceil_mode; got {name}={m}")
            layer = MaxPool2d(m.kernel_size, m.stride, m.padding)
        elif isinstance(m, tnn.AvgPool2d):
            if m.ceil_mode or not m.count_include_pad or m.divisor_override is not None:
                raise TypeError(f"from_torch supports AvgPool2d with its defaults; got {name}={m}")
            layer = AvgPool2d(m.kernel_size, m.stride, m.padding)
        elif isinstance(m, tnn.ReLU):
            layer = ReLU()
        elif isinstance(m, tnn.LeakyReLU):
            layer = LeakyReLU(m.negative_slope)
        elif isinstance(m, tnn.Sigmoid):
            layer = Sigmoid()
        elif isinstance(m, tnn.Tanh):
            layer = Tanh()
        elif isinstance(m, tnn.Flatten):
            if m.start_dim != 1 or m.end_dim != -1:
                raise TypeError(f"from_torch supports Flatten(start_dim=1); got {name}={m}")
            layer = Flatten()
        elif isinstance(m, tnn.Identity):
            continue
        else:
            raise TypeError(f"from_torch does not support {type(m).__name__} (module {name!r})")
        if isinstance(layer, Linear) and spatial:
            layers.append(Flatten())
        if isinstance(layer, (Conv2d, MaxPool2d, AvgPool2d, BatchNorm2d)):
            spatial = True
        elif isinstance(layer, (Flatten, Linear, BatchNorm1d)):
            spatial = False
        if hasattr(layer, "weight"):
            layer.dweight = np.zeros_like(layer.weight)
            layer.dbias = None if layer.bias is None else np.zeros_like(layer.bias)
        layers.append(layer)
    net = Sequential(*layers)
    return net.train() if module.training else net.eval()


# ---------------------------------------------------------------------------------------
# Training loop
# ---------------------------------------------------------------------------------------

def train_epoch(model: Module, optimizer, images, labels, *, batch_size: int = 64, rng=None,
                progress: bool = False, callback=None):
    """One epoch of mini-batch training with :func:`softmax_cross_entropy`.

    Parameters
    ----------
    model : Module
        Maps a batch of ``images`` to logits (N, K); put in training mode.
    optimizer : SGD or Adam
        Built on ``model``.
    images : ndarray, shape (N, ...)
        Already normalised, in the model's dtype.
    labels : ndarray of int, shape (N,)
    batch_size : int
        The last, smaller batch is kept (as torch's DataLoader with ``drop_last=False``).
    rng : numpy.random.Generator or None
        Shuffles the order; None keeps the order of ``images``.
    progress : bool
        Show a tqdm progress bar.
    callback : callable, optional
        Called as ``callback(step, loss)`` after every step.

    Returns
    -------
    losses : ndarray, shape (n_batches,)
        The loss of every mini-batch.
    accuracy : float
        Training accuracy over the epoch (on the fly, as the weights change).

    Raises
    ------
    ValueError
        If ``images`` and ``labels`` have different lengths.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((64, 2)).astype(np.float32)
    >>> y = (x[:, 0] > 0).astype(np.int64)
    >>> net = Sequential(Linear(2, 2, rng=rng))
    >>> opt = SGD(net, lr=0.5)
    >>> losses = [train_epoch(net, opt, x, y, batch_size=16, rng=rng)[0].mean() for _ in range(10)]
    >>> bool(losses[-1] < losses[0])
    True
    """
    images = check_array(images, "images")
    labels = check_array(labels, "labels", ndim=1)
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"labels must have one entry per image ({images.shape[0]}), got {labels.shape[0]}")
    batch_size = check_positive_int(batch_size, "batch_size")
    n = images.shape[0]
    order = np.arange(n) if rng is None else rng.permutation(n)
    starts = range(0, n, batch_size)
    if progress:
        from tqdm import tqdm   # the text bar: works in a terminal, a notebook and a book build

        starts = tqdm(starts, desc="batches", mininterval=2.0)
    model.train()
    losses, correct = [], 0
    for step, start in enumerate(starts):
        idx = order[start:start + batch_size]
        logits = model.forward(images[idx])
        loss, dlogits = softmax_cross_entropy(logits, labels[idx])
        model.backward(dlogits)
        optimizer.step()
        losses.append(loss)
        correct += int((logits.argmax(axis=1) == labels[idx]).sum())
        if callback is not None:
            callback(step, loss)
    return np.array(losses), correct / n


def predict(model: Module, images, *, batch_size: int = 1000) -> np.ndarray:
    """Logits of ``model`` in eval mode, computed in batches; the model is left in eval mode.

    Parameters
    ----------
    model : Module
    images : ndarray, shape (N, ...)
    batch_size : int

    Returns
    -------
    ndarray, shape (N, K)

    Examples
    --------
    >>> net = Sequential(Linear(3, 2, rng=np.random.default_rng(0)))
    >>> predict(net, np.zeros((5, 3), np.float32)).shape
    (5, 2)
    """
    images = check_array(images, "images")
    batch_size = check_positive_int(batch_size, "batch_size")
    model.eval()
    return np.concatenate([model.forward(images[s:s + batch_size]) for s in range(0, images.shape[0], batch_size)])
