"""Convolution as a matrix product: the Toeplitz matrix, im2col and col2im.

The sliding windows themselves are cut and summed back by :mod:`dlsip._geometry`, the
package's one implementation of them; the functions here check their arguments and
explain the linear algebra.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from .. import _geometry
from .._validation import (
    _is_int,
    _show,
    check_allocation,
    check_array,
    check_bool,
    check_nonneg_int,
    check_pair,
    check_positive_int,
)
from .sizes import _per_axis, conv_output_size

if TYPE_CHECKING:
    import scipy.sparse

# --------------------------------------------------------------------------------------
# Convolution as a matrix
# --------------------------------------------------------------------------------------


def _padding_amounts(padding, kernel_shape, name="padding") -> list[int]:
    """Zero padding per axis from an int, a tuple or a word."""
    if isinstance(padding, str):
        if padding == "valid":
            return [0] * len(kernel_shape)
        if padding == "full":
            return [k - 1 for k in kernel_shape]
        if padding == "same":
            if any(k % 2 == 0 for k in kernel_shape):
                raise ValueError(
                    "padding='same' needs an odd kernel, got kernel of shape "
                    f"{tuple(kernel_shape)}"
                )
            return [(k - 1) // 2 for k in kernel_shape]
        raise ValueError(
            f"{name} must be an integer, a tuple of integers, 'valid', 'same' or "
            f"'full', got {name}={padding!r}"
        )
    p = _per_axis(padding, name, len(kernel_shape), check_nonneg_int)
    if len(p) != len(kernel_shape):
        raise ValueError(
            f"{name} must have one entry per axis ({len(kernel_shape)}), got "
            f"{name}={_show(padding)}"
        )
    return p


def conv_matrix(
    kernel: ArrayLike,
    input_shape: int | tuple[int, ...],
    *,
    stride: int | tuple[int, ...] = 1,
    padding: int | tuple[int, ...] | str = 0,
    sparse: bool = False,
) -> np.ndarray | scipy.sparse.csr_array:
    r"""The matrix ``C`` of a cross-correlation: ``C @ x.ravel()`` is the output.

    Parameters
    ----------
    kernel : array_like, shape (kL,) or (kH, kW)
    input_shape : int or tuple of int
        ``L`` (or ``(L,)``) for a 1D signal, ``(H, W)`` for an image.
    stride : int or tuple of int
    padding : int, tuple of int, or {"valid", "same", "full"}
        Zero padding per side; "same" needs an odd kernel (stride 1 keeps the size),
        "full" pads ``k - 1`` per side.
    sparse : bool
        Return a ``scipy.sparse.csr_array`` instead of a dense array.

    Returns
    -------
    ndarray or scipy.sparse.csr_array, shape (prod(output shape), prod(input_shape))
        Row ``u`` holds the kernel's weights at the columns of the input pixels that
        output ``u`` sees; padding contributes nothing (its zeros are not stored).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``kernel`` and ``input_shape`` disagree on the number of axes, or the kernel
        does not fit (see :func:`conv_output_size`).

    Notes
    -----
    Deep-learning "convolution" is cross-correlation, :math:`y_u = \sum_m w_m x_{su + m
    - p}`, a linear map of ``x``: ``y = C x``. In 1D with stride 1, ``C`` is a banded
    Toeplitz matrix: constant along its diagonals, ``C[u, v] = w[v - u + p]``. In 2D
    (pixels in row-major order), ``C`` is a block Toeplitz matrix whose blocks are
    themselves Toeplitz (doubly block Toeplitz): block ``(a, b)`` is the 1D matrix of
    kernel row ``b - a + p``. It is sparse (a row has at most ``kH * kW`` nonzeros) and
    its entries are tied (each weight appears once per output). The gradient of a loss
    with respect to ``x`` is ``C^T`` times the gradient with respect to ``y``: a
    transposed convolution.

    Examples
    --------
    >>> conv_matrix([1, 2, 3], 5)                # 1D: a banded Toeplitz matrix
    array([[1., 2., 3., 0., 0.],
           [0., 1., 2., 3., 0.],
           [0., 0., 1., 2., 3.]])
    >>> conv_matrix([1, 2, 3], 4, padding=1, stride=2)
    array([[2., 3., 0., 0.],
           [0., 1., 2., 3.]])
    >>> C = conv_matrix([[1, 2], [3, 4]], (3, 3))
    >>> C.shape                                  # 2x2 outputs from 3x3 inputs
    (4, 9)
    >>> C[0]
    array([1., 2., 0., 3., 4., 0., 0., 0., 0.])
    """
    kernel = check_array(kernel, "kernel", ndim=(1, 2)).astype(float)
    if _is_int(input_shape):
        input_shape = (input_shape,)
    if not isinstance(input_shape, (tuple, list)):
        raise TypeError(
            "input_shape must be an integer or a tuple of integers, got "
            f"input_shape={_show(input_shape)}"
        )
    shape = _per_axis(
        tuple(input_shape), "input_shape", len(input_shape), check_positive_int
    )
    if len(shape) != kernel.ndim:
        raise ValueError(
            f"input_shape must have as many axes as kernel ({kernel.ndim}), got "
            f"input_shape={tuple(input_shape)}"
        )
    pads = _padding_amounts(padding, kernel.shape)
    strides = _per_axis(stride, "stride", kernel.ndim, check_positive_int)
    if len(strides) != kernel.ndim:
        raise ValueError(
            f"stride must have one entry per axis ({kernel.ndim}), got "
            f"stride={_show(stride)}"
        )
    sparse = check_bool(sparse, "sparse")
    out_shape = conv_output_size(
        tuple(shape),
        kernel.shape,
        stride=tuple(strides),
        padding=tuple(pads),
    )
    sizes = (
        f"kernel with shape {kernel.shape}, input_shape={_show(input_shape)}, "
        f"stride={_show(stride)} and padding={_show(padding)}"
    )
    check_allocation((*out_shape, *kernel.shape), sizes, what="the index grids")
    if not sparse:
        check_allocation((math.prod(out_shape), math.prod(shape)), sizes)
    # Row index of each (output, kernel tap) pair and the input pixel the tap lands on.
    grids = np.meshgrid(
        *[np.arange(o) for o in out_shape],
        *[np.arange(k) for k in kernel.shape],
        indexing="ij",
    )
    nd = kernel.ndim
    coords = [grids[a] * strides[a] + grids[nd + a] - pads[a] for a in range(nd)]
    inside = np.ones(grids[0].shape, dtype=bool)
    for a in range(nd):
        inside &= (coords[a] >= 0) & (coords[a] < shape[a])
    rows = np.ravel_multi_index([g[inside] for g in grids[:nd]], out_shape)
    cols = np.ravel_multi_index([c[inside] for c in coords], shape)
    values = kernel[tuple(g[inside] for g in grids[nd:])]
    n_out, n_in = math.prod(out_shape), math.prod(shape)
    import scipy.sparse  # on first use: importing dlsip.arithmetic stays cheap

    matrix = scipy.sparse.csr_array((values, (rows, cols)), shape=(n_out, n_in))
    return matrix if sparse else matrix.toarray()


def _check_geometry(kernel_size, stride, padding, dilation):
    return (
        check_pair(kernel_size, "kernel_size"),
        check_pair(stride, "stride"),
        check_pair(padding, "padding", minimum=0),
        check_pair(dilation, "dilation"),
    )


def _check_im2col_sizes(x, kernel_size, padding, out_hw, sizes: str) -> None:
    """Refuse, before allocating, a padded ``x`` or an im2col matrix that is absurd."""
    n, c, h, w = x.shape
    (kh, kw), (ph, pw) = kernel_size, padding
    check_allocation((n, c, h + 2 * ph, w + 2 * pw), sizes, what="x padded")
    check_allocation((c * kh * kw, n, *out_hw), sizes, what="the im2col matrix")


def im2col(
    x: ArrayLike,
    kernel_size: int | tuple[int, int],
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
) -> np.ndarray:
    """Unfold every kernel-sized patch of a batch of images into a column.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
    kernel_size : int or (int, int)
    stride, padding, dilation : int or (int, int)
        As for ``torch.nn.Conv2d``; padding adds zeros.

    Returns
    -------
    ndarray, shape (N, C * kH * kW, H_out * W_out)
        Column ``u`` holds the patch seen by output pixel ``u`` (row-major), with rows
        in the order (channel, kernel row, kernel column): exactly what
        ``torch.nn.functional.unfold`` returns.

    Raises
    ------
    TypeError
        If ``x`` is not numeric or an argument is not an integer (pair).
    ValueError
        If ``x`` is not 4D or the kernel does not fit (see :func:`conv_output_size`).

    Notes
    -----
    A convolution with weights ``W`` of shape ``(C_out, C, kH, kW)`` is then one matrix
    product: ``W.reshape(C_out, -1) @ im2col(x)`` has shape ``(N, C_out, H_out *
    W_out)`` (:func:`conv2d_im2col`). The price is memory: every input pixel is copied
    up to ``kH * kW`` times.

    Examples
    --------
    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> im2col(x, 2)[0]
    array([[0., 1., 3., 4.],
           [1., 2., 4., 5.],
           [3., 4., 6., 7.],
           [4., 5., 7., 8.]])
    """
    x = check_array(x, "x", ndim=4)
    k, s, p, d = _check_geometry(kernel_size, stride, padding, dilation)
    out_hw = _geometry.output_hw(x.shape[2:], k, stride=s, padding=p, dilation=d)
    sizes = f"x with shape {x.shape}, kernel_size={k} and padding={p}"
    _check_im2col_sizes(x, k, p, out_hw, sizes)
    cols = _geometry.im2col(x, k, stride=s, padding=p, dilation=d)  # (C kH kW, N L)
    # torch's unfold layout: the same matrix cut into one block of columns per sample
    return np.ascontiguousarray(cols.reshape(len(cols), x.shape[0], -1).swapaxes(0, 1))


def col2im(
    cols: ArrayLike,
    output_size: tuple[int, int],
    kernel_size: int | tuple[int, int],
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
) -> np.ndarray:
    """Sum columns back into images: the adjoint (transpose) of :func:`im2col`.

    Parameters
    ----------
    cols : array_like, shape (N, C * kH * kW, L)
    output_size : (int, int)
        The image size ``(H, W)`` that :func:`im2col` unfolded.
    kernel_size, stride, padding, dilation : int or (int, int)
        The same as for :func:`im2col`.

    Returns
    -------
    ndarray, shape (N, C, H, W)
        Each pixel receives the sum of every column entry that :func:`im2col` copied
        from it (``torch.nn.functional.fold``). Entries that came from padding are
        dropped. Integer columns are summed as floats.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``cols`` does not have the shape that :func:`im2col` would give.

    Notes
    -----
    ``col2im`` is the transpose of the linear map ``im2col``: for all ``x`` and ``y``,
    ``<im2col(x), y> = <x, col2im(y)>``. It is therefore how the gradient flows back
    through an im2col convolution. It is not an inverse: overlapping patches add up.

    Examples
    --------
    >>> ones = np.ones((1, 4, 4))
    >>> col2im(ones, (3, 3), 2)[0, 0]            # how many patches cover each pixel
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    cols = check_array(cols, "cols", ndim=3)
    if not isinstance(output_size, (tuple, list)) or len(output_size) != 2:
        raise TypeError(
            f"output_size must be a pair (H, W), got output_size={_show(output_size)}"
        )
    h, w = (check_positive_int(v, "output_size") for v in output_size)
    k, s, p, d = _check_geometry(kernel_size, stride, padding, dilation)
    ho, wo = _geometry.output_hw((h, w), k, stride=s, padding=p, dilation=d)
    if cols.shape[1] % (k[0] * k[1]):
        raise ValueError(
            f"cols must have C * kH * kW rows, a multiple of {k[0] * k[1]}, got cols "
            f"with shape {cols.shape}"
        )
    if cols.shape[2] != ho * wo:
        raise ValueError(
            f"cols must have {ho * wo} columns (the output pixels for "
            f"output_size={(h, w)}), "
            f"got cols with shape {cols.shape}"
        )
    if cols.dtype.kind in "biu":
        cols = cols.astype(float)
    n, rows, length = cols.shape
    batch_cols = cols.swapaxes(0, 1).reshape(rows, n * length)  # (C kH kW, N L)
    shape = (n, rows // (k[0] * k[1]), h, w)
    return _geometry.col2im(batch_cols, shape, k, stride=s, padding=p, dilation=d)


def conv2d_im2col(
    x: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None = None,
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
) -> np.ndarray:
    """A 2D convolution (cross-correlation, as in torch) computed as one matrix product.

    Parameters
    ----------
    x : array_like, shape (N, C_in, H, W)
    weight : array_like, shape (C_out, C_in, kH, kW)
    bias : array_like, shape (C_out,), optional
    stride, padding, dilation : int or (int, int)

    Returns
    -------
    ndarray, shape (N, C_out, H_out, W_out)

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If the shapes disagree or the kernel does not fit.

    Notes
    -----
    ``out[n] = weight.reshape(C_out, C_in * kH * kW) @ im2col(x)[n] + bias[:, None]``:
    the patches are unfolded once (:func:`im2col`), then a single dense matrix product,
    which BLAS runs near peak speed, does all the multiply-accumulates.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> w = np.ones((1, 1, 3, 3))
    >>> conv2d_im2col(x, w)[0, 0]                # sums of the four 3x3 patches
    array([[45., 54.],
           [81., 90.]])
    """
    x = check_array(x, "x", ndim=4)
    weight = check_array(weight, "weight", ndim=4)
    if weight.shape[1] != x.shape[1]:
        raise ValueError(
            f"weight must have C_in={x.shape[1]} input channels (x's), got weight "
            f"with shape {weight.shape}"
        )
    c_out, _, kh, kw = weight.shape
    if bias is not None:
        bias = check_array(bias, "bias", ndim=1)
        if bias.shape != (c_out,):
            raise ValueError(
                f"bias must have shape ({c_out},), got bias with shape {bias.shape}"
            )
    _, s, p, d = _check_geometry((kh, kw), stride, padding, dilation)
    ho, wo = _geometry.output_hw(x.shape[2:], (kh, kw), stride=s, padding=p, dilation=d)
    sizes = f"x with shape {x.shape}, weight with shape {weight.shape} and padding={p}"
    _check_im2col_sizes(x, (kh, kw), p, (ho, wo), sizes)
    cols = _geometry.im2col(x, (kh, kw), stride=s, padding=p, dilation=d)
    out = weight.reshape(c_out, -1) @ cols  # (C_out, N Ho Wo): one product
    if bias is not None:
        out = out + bias[:, None]
    return np.ascontiguousarray(out.reshape(c_out, x.shape[0], ho, wo).swapaxes(0, 1))
