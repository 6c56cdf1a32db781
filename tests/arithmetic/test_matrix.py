"""dlsip.arithmetic.matrix: convolution matrices against dlsip.filters.correlate2d,
im2col against torch's unfold and fold."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
import torch
import torch.nn.functional as F

from dlsip import arithmetic as A
from dlsip.filters import correlate2d

# ------------------------------------------------------------------ convolution as a
# matrix


@pytest.mark.parametrize("seed", range(20))
def test_conv_matrix_equals_correlate2d(seed):
    rng = np.random.default_rng(seed)
    kh, kw = (int(v) for v in rng.integers(1, 5, size=2))
    h, w = int(rng.integers(kh, 9)), int(rng.integers(kw, 9))
    choices = [0, 1, 2, (1, 0), "valid", "full"] + (
        ["same"] if kh % 2 and kw % 2 else []
    )
    padding = choices[int(rng.integers(len(choices)))]
    stride = [1, 2, (2, 1), 3][int(rng.integers(4))]
    x = rng.standard_normal((h, w))
    kernel = rng.standard_normal((kh, kw))
    expected = correlate2d(x, kernel, padding=padding, stride=stride)
    C = A.conv_matrix(kernel, (h, w), padding=padding, stride=stride)
    assert C.shape == (expected.size, x.size)
    np.testing.assert_allclose(C @ x.ravel(), expected.ravel(), rtol=1e-12, atol=1e-12)
    sparse = A.conv_matrix(kernel, (h, w), padding=padding, stride=stride, sparse=True)
    assert np.array_equal(sparse.toarray(), C)
    assert (np.count_nonzero(C, axis=1) <= kh * kw).all()


@pytest.mark.parametrize(("k", "n"), [(1, 4), (3, 5), (3, 8), (5, 9)])
def test_conv_matrix_1d_is_banded_toeplitz(k, n):
    rng = np.random.default_rng(k + n)
    kernel = rng.standard_normal(k)
    C = A.conv_matrix(kernel, n)
    first_col = np.r_[kernel[0], np.zeros(n - k)]
    first_row = np.r_[kernel, np.zeros(n - k)]
    np.testing.assert_array_equal(C, scipy.linalg.toeplitz(first_col, first_row))
    x = rng.standard_normal(n)
    np.testing.assert_allclose(
        C @ x, np.correlate(x, kernel, mode="valid"), rtol=1e-12, atol=1e-12
    )


def test_conv_matrix_2d_is_doubly_block_toeplitz():
    kernel = np.arange(1.0, 10.0).reshape(3, 3)  # distinct values show the tied entries
    h, w = 5, 6
    C = A.conv_matrix(kernel, (h, w))
    oh, ow = 3, 4
    blocks = C.reshape(oh, ow, h, w).transpose(
        0, 2, 1, 3
    )  # block (a, b): output row a, input row b
    for a in range(oh):
        for b in range(h):
            expected = (
                A.conv_matrix(kernel[b - a], w) if 0 <= b - a < 3 else np.zeros((ow, w))
            )
            np.testing.assert_array_equal(blocks[a, b], expected)
    # each weight appears once per output: tied entries
    for value in kernel.ravel():
        assert np.count_nonzero(C == value) == oh * ow


@pytest.mark.parametrize(("stride", "padding"), [(1, 0), (2, 1), (1, "full"), (3, 2)])
def test_conv_matrix_transpose_is_the_input_gradient(stride, padding):
    rng = np.random.default_rng(5)
    x = torch.from_numpy(rng.standard_normal((1, 1, 7, 8))).requires_grad_()
    kernel = rng.standard_normal((3, 3))
    p = 2 if padding == "full" else padding
    y = F.conv2d(x, torch.from_numpy(kernel)[None, None], stride=stride, padding=p)
    g = rng.standard_normal(y.shape)
    y.backward(torch.from_numpy(g))
    C = A.conv_matrix(kernel, (7, 8), stride=stride, padding=padding)
    np.testing.assert_allclose(
        C.T @ g.ravel(), x.grad.numpy().ravel(), rtol=1e-12, atol=1e-12
    )
    # and the transposed matrix is a transposed convolution of the output gradient
    expected = F.conv_transpose2d(
        torch.from_numpy(g),
        torch.from_numpy(kernel)[None, None],
        stride=stride,
        padding=p,
        output_padding=((7 + 2 * p - 3) % stride, (8 + 2 * p - 3) % stride),
    ).numpy()
    np.testing.assert_allclose(
        C.T @ g.ravel(), expected.ravel(), rtol=1e-12, atol=1e-12
    )


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: A.conv_matrix(np.ones((3, 3)), 5),
            ValueError,
            r"input_shape must have as many axes as kernel \(2\)",
        ),
        (
            lambda: A.conv_matrix(np.ones((2, 2)), (4, 4), padding="same"),
            ValueError,
            "padding='same' needs an odd kernel",
        ),
        (
            lambda: A.conv_matrix(np.ones(4), 3),
            ValueError,
            r"kernel_size=4 .* does not fit into size=3",
        ),
        (
            lambda: A.conv_matrix(np.ones(3), 5, padding="half"),
            ValueError,
            "padding must be .* 'full', got padding='half'",
        ),
        (
            lambda: A.conv_matrix(np.ones(3), "5"),
            TypeError,
            "input_shape must be an integer or a tuple",
        ),
        (
            lambda: A.conv_matrix(np.ones((2, 2, 2)), (3, 3, 3)),
            ValueError,
            "kernel must be 1D or 2D",
        ),
        (
            lambda: A.conv_matrix(np.ones(3), 5, stride=0),
            ValueError,
            "stride must be a positive integer, got stride=0",
        ),
        (
            lambda: A.conv_matrix(np.ones(3), 5, sparse=0),
            TypeError,
            "sparse must be True or False, got sparse=0",
        ),
        (
            lambda: A.conv_matrix(np.ones(3), 5, sparse="yes"),
            TypeError,
            "sparse must be True or False, got sparse='yes'",
        ),
        (  # absurd sizes are refused before allocating, naming the argument
            lambda: A.conv_matrix(np.ones((3, 3)), (3, 10**12)),
            ValueError,
            r"input_shape=\(3, 1000000000000\).* would make the index grids",
        ),
        (
            lambda: A.conv_matrix(np.ones((3, 3)), (3, 3), padding=10**12),
            ValueError,
            r"padding=1000000000000 would make the index grids",
        ),
        (
            lambda: A.conv_matrix(np.ones((3, 3)), (3, 3), padding=(1, 10**12)),
            ValueError,
            r"padding=\(1, 1000000000000\) would make the index grids",
        ),
        (  # the dense matrix too (the sparse one holds only the nonzeros)
            lambda: A.conv_matrix(np.ones(1), 10**5),
            ValueError,
            r"input_shape=\(100000,\).* would make an array of shape \(100000, 1",
        ),
    ],
)
def test_conv_matrix_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


IM2COL_CONFIGS = [
    dict(kernel_size=3),
    dict(kernel_size=2, stride=2),
    dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 0)),
    dict(kernel_size=3, dilation=2, padding=2),
    dict(kernel_size=1),
    dict(kernel_size=(3, 1), stride=3, padding=1),
]


@pytest.mark.parametrize("config", IM2COL_CONFIGS)
@pytest.mark.parametrize("shape", [(1, 1, 5, 5), (2, 3, 7, 6)])
def test_im2col_equals_unfold_and_col2im_equals_fold(config, shape):
    rng = np.random.default_rng(len(shape) + len(config))
    x = rng.standard_normal(shape)
    cols = A.im2col(x, **config)
    np.testing.assert_array_equal(cols, F.unfold(torch.from_numpy(x), **config).numpy())
    y = rng.standard_normal(cols.shape)
    back = A.col2im(y, shape[2:], **config)
    expected = F.fold(torch.from_numpy(y), shape[2:], **config).numpy()
    np.testing.assert_allclose(back, expected, rtol=1e-12, atol=1e-12)
    # adjoint: <im2col(x), y> = <x, col2im(y)>
    assert np.isclose(np.vdot(cols, y), np.vdot(x, back), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("config", IM2COL_CONFIGS)
def test_conv2d_im2col_equals_torch(config):
    rng = np.random.default_rng(11)
    x = rng.standard_normal((2, 3, 8, 7))
    k = config["kernel_size"]
    kh, kw = (k, k) if isinstance(k, int) else k
    weight = rng.standard_normal((4, 3, kh, kw))
    bias = rng.standard_normal(4)
    rest = {key: v for key, v in config.items() if key != "kernel_size"}
    expected = F.conv2d(
        torch.from_numpy(x), torch.from_numpy(weight), torch.from_numpy(bias), **rest
    ).numpy()
    np.testing.assert_allclose(
        A.conv2d_im2col(x, weight, bias, **rest), expected, rtol=1e-10, atol=1e-12
    )


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: A.im2col(np.ones((3, 3)), 2),
            ValueError,
            r"x must be 4D, got x with shape \(3, 3\)",
        ),
        (
            lambda: A.im2col(np.ones((1, 1, 3, 3)), 4),
            ValueError,
            r"kernel_size=4 .* does not fit into size=3",
        ),
        (
            lambda: A.im2col(np.ones((1, 1, 3, 3)), 2, stride=0),
            ValueError,
            r"stride must be a positive integer",
        ),
        (
            lambda: A.col2im(np.ones((1, 4, 3)), (3, 3), 2),
            ValueError,
            r"cols must have 4 columns",
        ),
        (
            lambda: A.col2im(np.ones((1, 5, 4)), (3, 3), 2),
            ValueError,
            r"cols must have C \* kH \* kW rows, a multiple of 4",
        ),
        (
            lambda: A.col2im(np.ones((1, 4, 4)), 3, 2),
            TypeError,
            r"output_size must be a pair",
        ),
        (
            lambda: A.conv2d_im2col(np.ones((1, 2, 4, 4)), np.ones((1, 3, 2, 2))),
            ValueError,
            r"weight must have C_in=2 input channels",
        ),
        (
            lambda: A.conv2d_im2col(
                np.ones((1, 1, 4, 4)), np.ones((2, 1, 2, 2)), np.ones(3)
            ),
            ValueError,
            r"bias must have shape \(2,\)",
        ),
        (  # absurd paddings are refused before allocating, naming the argument
            lambda: A.im2col(np.ones((1, 1, 3, 3)), 2, padding=10**12),
            ValueError,
            r"padding=\(1000000000000, 1000000000000\) would make x padded",
        ),
        (
            lambda: A.im2col(np.ones((1, 1, 3, 3)), 2, padding=(1, 10**12)),
            ValueError,
            r"padding=\(1, 1000000000000\) would make x padded",
        ),
        (
            lambda: A.conv2d_im2col(
                np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), padding=(1, 10**12)
            ),
            ValueError,
            r"padding=\(1, 1000000000000\) would make x padded",
        ),
        (  # a padded x that fits, but too many patches
            lambda: A.im2col(np.ones((1, 1, 3, 3)), 30, padding=(9000, 100)),
            ValueError,
            r"kernel_size=\(30, 30\) and padding=\(9000, 100\) would make the im2col",
        ),
    ],
)
def test_im2col_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
