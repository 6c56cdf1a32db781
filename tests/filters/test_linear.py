"""dlsip.filters.linear: correlation and convolution against scipy.ndimage, numpy and
torch, the loop versions against the vectorised ones, the worked examples of the
syllabus, and the errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi
import torch

from dlsip import filters as F

MODES = F.MODES
TOL = 1e-10
KERNEL_SHAPES = [(1, 1), (2, 2), (3, 3), (2, 5), (4, 3), (5, 5), (7, 7), (6, 4)]
IMAGE_SHAPES = [(12, 15), (7, 7), (1, 6), (3, 2)]


def _torch_conv(image, kernel, *, stride=1, padding=0, dilation=1):
    """torch's conv2d (a cross-correlation) on one channel, float64, zero padding."""
    x = torch.as_tensor(np.asarray(image, dtype=np.float64))[None, None]
    w = torch.as_tensor(np.asarray(kernel, dtype=np.float64))[None, None]
    return torch.nn.functional.conv2d(
        x, w, stride=stride, padding=padding, dilation=dilation
    )[0, 0].numpy()


# --------------------------------------------------------------------------------------
# Linear filtering: correlate2d / convolve2d
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kshape", KERNEL_SHAPES)
@pytest.mark.parametrize("ishape", IMAGE_SHAPES)
def test_correlate_and_convolve_same_equal_scipy(rng, ishape, kshape, mode):
    image = rng.normal(size=ishape)
    kernel = rng.normal(size=kshape)
    got = F.correlate2d(image, kernel, padding="same", mode=mode, cval=0.7)
    np.testing.assert_allclose(
        got, ndi.correlate(image, kernel, mode=mode, cval=0.7), rtol=0, atol=TOL
    )
    got = F.convolve2d(image, kernel, padding="same", mode=mode, cval=0.7)
    np.testing.assert_allclose(
        got, ndi.convolve(image, kernel, mode=mode, cval=0.7), rtol=0, atol=TOL
    )


@pytest.mark.parametrize("stride", [1, 2, 3, (1, 2)])
@pytest.mark.parametrize("dilation", [1, 2, (3, 1)])
@pytest.mark.parametrize("padding", [0, 1, 2, (0, 3)])
@pytest.mark.parametrize("kshape", [(3, 3), (2, 4), (1, 1)])
def test_correlate_equals_torch_conv2d(rng, kshape, padding, dilation, stride):
    image = rng.normal(size=(11, 13))
    kernel = rng.normal(size=kshape)
    got = F.correlate2d(
        image, kernel, padding=padding, stride=stride, dilation=dilation
    )
    expected = _torch_conv(
        image, kernel, stride=stride, padding=padding, dilation=dilation
    )
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOL)


@pytest.mark.parametrize("padding", ["valid", "same", "full", 1, (2, 0)])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("stride,dilation", [(1, 1), (2, 1), (1, 2), ((2, 3), (2, 1))])
def test_loop_version_agrees_with_fast_version(rng, padding, mode, stride, dilation):
    image = rng.normal(size=(9, 10))
    kernel = rng.normal(size=(3, 2))
    kwargs = dict(
        padding=padding, mode=mode, cval=-1.0, stride=stride, dilation=dilation
    )
    np.testing.assert_allclose(
        F.correlate2d_naive(image, kernel, **kwargs),
        F.correlate2d(image, kernel, **kwargs),
        rtol=0,
        atol=TOL,
    )
    np.testing.assert_allclose(
        F.convolve2d_naive(image, kernel, **kwargs),
        F.convolve2d(image, kernel, **kwargs),
        rtol=0,
        atol=TOL,
    )


@pytest.mark.parametrize("kshape", KERNEL_SHAPES)
def test_valid_and_full_equal_cropped_scipy(rng, kshape):
    # valid = the part of the "same" output where the kernel lies inside the image;
    # full = "same" on an image zero-padded by k - 1.
    image = rng.normal(size=(10, 11))
    kernel = rng.normal(size=kshape)
    kh, kw = kshape
    same = ndi.correlate(image, kernel, mode="constant")
    valid = same[kh // 2 : kh // 2 + 10 - kh + 1, kw // 2 : kw // 2 + 11 - kw + 1]
    np.testing.assert_allclose(F.correlate2d(image, kernel), valid, rtol=0, atol=TOL)
    big = np.pad(image, ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    full = ndi.correlate(big, kernel, mode="constant")[
        kh // 2 : kh // 2 + 10 + kh - 1, kw // 2 : kw // 2 + 11 + kw - 1
    ]
    np.testing.assert_allclose(
        F.correlate2d(image, kernel, padding="full"), full, rtol=0, atol=TOL
    )


def test_valid_and_full_convolution_is_correlation_with_flipped_kernel(rng):
    image, kernel = rng.normal(size=(8, 9)), rng.normal(size=(4, 3))
    for padding in ("valid", "full", 2):
        np.testing.assert_allclose(
            F.convolve2d(image, kernel, padding=padding),
            F.correlate2d(image, kernel[::-1, ::-1], padding=padding),
            rtol=0,
            atol=TOL,
        )


@pytest.mark.parametrize("kshape", [(3, 3), (2, 2), (4, 5)])
def test_impulse_gives_flipped_kernel_for_correlation_and_kernel_for_convolution(
    rng, kshape
):
    kernel = rng.normal(size=kshape)
    impulse = np.zeros((9, 9))
    impulse[4, 4] = 1.0
    full_corr = F.correlate2d(impulse, kernel, padding="full")
    full_conv = F.convolve2d(impulse, kernel, padding="full")
    kh, kw = kshape
    # The impulse sits at (4 + k - 1) in full coordinates minus the kernel extent.
    np.testing.assert_array_equal(full_corr[4 : 4 + kh, 4 : 4 + kw], kernel[::-1, ::-1])
    np.testing.assert_array_equal(full_conv[4 : 4 + kh, 4 : 4 + kw], kernel)
    assert np.count_nonzero(full_conv) == np.count_nonzero(kernel)


def test_convolution_is_commutative_and_associative(rng):
    f, u, v = rng.normal(size=(6, 7)), rng.normal(size=(3, 3)), rng.normal(size=(2, 4))
    np.testing.assert_allclose(
        F.convolve2d(f, u, padding="full"), F.convolve2d(u, f, padding="full"), atol=TOL
    )
    left = F.convolve2d(F.convolve2d(f, u, padding="full"), v, padding="full")
    right = F.convolve2d(f, F.convolve2d(u, v, padding="full"), padding="full")
    np.testing.assert_allclose(left, right, rtol=0, atol=TOL)


def test_correlation_is_not_commutative_but_equals_convolution_for_symmetric_kernels(
    rng,
):
    f, u = rng.normal(size=(5, 5)), rng.normal(size=(3, 3))
    assert not np.allclose(
        F.correlate2d(f, u, padding="full"), F.correlate2d(u, f, padding="full")
    )
    sym = u + u[::-1, ::-1]
    np.testing.assert_allclose(
        F.correlate2d(f, sym, padding="same"),
        F.convolve2d(f, sym, padding="same"),
        atol=TOL,
    )


@pytest.mark.parametrize(
    "dtype", [np.uint8, np.int16, np.int64, np.float32, np.float64, bool]
)
def test_dtypes(rng, dtype):
    image = (
        (rng.integers(0, 5, size=(6, 7)) > 2)
        if dtype is bool
        else rng.integers(0, 100, size=(6, 7)).astype(dtype)
    )
    kernel = np.array([[1.0, -2.0], [0.5, 3.0]], dtype=np.float32)
    got = F.correlate2d(image, kernel, padding="same", mode="reflect")
    expected = ndi.correlate(
        image.astype(np.float64), kernel.astype(np.float64), mode="reflect"
    )
    # float32 when the image fits in float32 exactly (8- and 16-bit integers, booleans).
    assert got.dtype == (np.float64 if dtype in (np.int64, np.float64) else np.float32)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-4)


def test_float32_stays_float32_and_integers_give_float64(rng):
    x32 = rng.normal(size=(5, 5)).astype(np.float32)
    assert F.correlate2d(x32, np.ones((3, 3), np.float32)).dtype == np.float32
    assert F.correlate2d(np.arange(25).reshape(5, 5), [[1, 0, -1]]).dtype == np.float64
    # uint8 never wraps around: negative responses survive.
    out = F.correlate2d(np.array([[0, 255]], dtype=np.uint8), [[1, -1]])
    assert out[0, 0] == -255


# --------------------------------------------------------------------------------------
# 1D
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("klen", [1, 2, 3, 4, 7])
@pytest.mark.parametrize("mode", MODES)
def test_1d_equals_numpy_and_scipy(rng, klen, mode):
    signal, kernel = rng.normal(size=17), rng.normal(size=klen)
    np.testing.assert_allclose(
        F.correlate1d(signal, kernel), np.correlate(signal, kernel, "valid"), atol=TOL
    )
    np.testing.assert_allclose(
        F.correlate1d(signal, kernel, padding="full"),
        np.correlate(signal, kernel, "full"),
        atol=TOL,
    )
    np.testing.assert_allclose(
        F.convolve1d(signal, kernel), np.convolve(signal, kernel, "valid"), atol=TOL
    )
    np.testing.assert_allclose(
        F.convolve1d(signal, kernel, padding="full"),
        np.convolve(signal, kernel, "full"),
        atol=TOL,
    )
    np.testing.assert_allclose(
        F.correlate1d(signal, kernel, padding="same", mode=mode, cval=2.0),
        ndi.correlate1d(signal, kernel, mode=mode, cval=2.0),
        rtol=0,
        atol=TOL,
    )
    np.testing.assert_allclose(
        F.convolve1d(signal, kernel, padding="same", mode=mode, cval=2.0),
        ndi.convolve1d(signal, kernel, mode=mode, cval=2.0),
        rtol=0,
        atol=TOL,
    )


@pytest.mark.parametrize("stride,dilation,padding", [(2, 1, 0), (1, 3, 2), (3, 2, 4)])
def test_1d_stride_dilation_equal_torch(rng, stride, dilation, padding):
    signal, kernel = rng.normal(size=23), rng.normal(size=3)
    expected = torch.nn.functional.conv1d(
        torch.as_tensor(signal)[None, None],
        torch.as_tensor(kernel)[None, None],
        stride=stride,
        dilation=dilation,
        padding=padding,
    )[0, 0].numpy()
    got = F.correlate1d(
        signal, kernel, stride=stride, dilation=dilation, padding=padding
    )
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOL)


# --------------------------------------------------------------------------------------
# Errors of the linear filters
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("func", [F.correlate2d, F.convolve2d, F.correlate2d_naive])
@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        (
            dict(image=np.ones(5)),
            ValueError,
            r"image must be 2D, got image with shape \(5,\)",
        ),
        (
            dict(image=np.ones((2, 3, 4))),
            ValueError,
            r"image must be 2D, got image with shape \(2, 3, 4\)",
        ),
        (dict(image=np.ones((0, 4))), ValueError, r"image must not be empty"),
        (
            dict(image=np.array([["a", "b"]])),
            TypeError,
            r"image must have a real numeric dtype",
        ),
        (
            dict(image=np.ones((3, 3), complex)),
            TypeError,
            r"image must have a real numeric dtype, got image.dtype=complex",
        ),
        (
            dict(kernel=np.ones((5, 5))),
            ValueError,
            r"kernel of shape \(5, 5\) does not fit the image.*image shape \(4, 4\)",
        ),
        (dict(kernel=np.ones(3)), ValueError, r"kernel must be 2D"),
        (dict(kernel=np.ones((0, 3))), ValueError, r"kernel must not be empty"),
        (
            dict(stride=0),
            ValueError,
            r"stride must be a positive integer, got stride=0",
        ),
        (
            dict(stride=(1, -2)),
            ValueError,
            r"stride must be positive integers, got stride=\(1, -2\)",
        ),
        (
            dict(stride=1.5),
            TypeError,
            r"stride must be an integer or a pair of integers, got stride=1.5",
        ),
        (
            dict(dilation=0),
            ValueError,
            r"dilation must be a positive integer, got dilation=0",
        ),
        (
            dict(dilation=2),
            ValueError,
            r"kernel dilated by dilation=\(2, 2\) \(effective size \(5, 5\)\)",
        ),
        (  # an absurd dilation is named, whichever check refuses it
            dict(dilation=10**12, padding=1),
            ValueError,
            r"kernel dilated by dilation=\(1000000000000, 1000000000000\)",
        ),
        (
            dict(dilation=(1, 10**12), padding=1),
            ValueError,
            r"kernel dilated by dilation=\(1, 1000000000000\)",
        ),
        (
            dict(dilation=(1, 10**12), padding="same"),
            ValueError,
            r"padding='same' with dilation=\(1, 1000000000000\) would make",
        ),
        (
            dict(mode="zeros"),
            ValueError,
            r"mode must be one of 'constant', 'reflect', 'mirror', 'nearest', 'wrap', "
            r"got mode='zeros'",
        ),
        (
            dict(padding="circular"),
            ValueError,
            r"padding must be one of 'valid', 'same', 'full', got padding='circular'",
        ),
        (
            dict(padding=-1),
            ValueError,
            r"padding must be a non-negative integer, got padding=-1",
        ),
        (
            dict(padding=1.5),
            TypeError,
            r"padding must be 'valid', 'same', 'full', a non-negative integer or a "
            r"pair",
        ),
        (dict(cval="zero"), TypeError, r"cval must be a real number, got cval='zero'"),
    ],
)
def test_errors_name_argument_and_value(func, kwargs, exc, match):
    args = dict(image=np.ones((4, 4)), kernel=np.ones((3, 3)))
    args.update(kwargs)
    image, kernel = args.pop("image"), args.pop("kernel")
    with pytest.raises(exc, match=match):
        func(image, kernel, **args)


def test_kernel_as_large_as_the_image_is_valid_and_gives_one_pixel(rng):
    image, kernel = rng.normal(size=(4, 6)), rng.normal(size=(4, 6))
    out = F.correlate2d(image, kernel)
    assert out.shape == (1, 1)
    assert out[0, 0] == pytest.approx(np.sum(image * kernel), abs=TOL)


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        (dict(signal=np.ones((3, 3))), ValueError, r"signal must be 1D"),
        (dict(kernel=np.ones((1, 3))), ValueError, r"kernel must be 1D"),
        (
            dict(kernel=np.ones(9)),
            ValueError,
            r"kernel of length 9 does not fit the signal of length 5",
        ),
        (
            dict(stride=0),
            ValueError,
            r"stride must be a positive integer, got stride=0",
        ),
        (
            dict(dilation=-1),
            ValueError,
            r"dilation must be a positive integer, got dilation=-1",
        ),
        (
            dict(padding=(1, 1)),
            TypeError,
            r"padding must be 'valid', 'same', 'full' or a non-negative integer",
        ),
        (
            dict(padding="half"),
            ValueError,
            r"padding must be one of 'valid', 'same', 'full', got padding='half'",
        ),
        (dict(mode="symmetric"), ValueError, r"got mode='symmetric'"),
        (
            dict(dilation=10**12, padding=1),
            ValueError,
            r"kernel of length 3 does not fit the signal of length 5 with padding=1 "
            r"and dilation=1000000000000",
        ),
    ],
)
def test_1d_errors(kwargs, exc, match):
    args = dict(signal=np.ones(5), kernel=np.ones(3))
    args.update(kwargs)
    signal, kernel = args.pop("signal"), args.pop("kernel")
    for func in (F.correlate1d, F.convolve1d):
        with pytest.raises(exc, match=match):
            func(signal, kernel, **args)


# --------------------------------------------------------------------------------------
# Worked examples of the syllabus (chapter "images, signals and filters")
# --------------------------------------------------------------------------------------

SLIDE_IMAGE = np.array(
    [
        [3, 0, 1, 2, 7, 4],
        [1, 5, 8, 9, 3, 1],
        [2, 7, 2, 5, 1, 3],
        [0, 1, 3, 1, 7, 8],
        [4, 2, 1, 6, 2, 8],
        [2, 4, 5, 2, 3, 9],
    ]
)


def test_worked_example_vertical_edge_filter_on_6x6_image():
    expected = np.array(
        [[-5, -4, 0, 8], [-10, -2, 2, 3], [0, -2, -4, -7], [-3, -2, -3, -16]]
    )
    np.testing.assert_array_equal(F.correlate2d(SLIDE_IMAGE, F.VERTICAL_EDGE), expected)
    np.testing.assert_array_equal(
        F.correlate2d_naive(SLIDE_IMAGE, [[1, 0, -1]] * 3), expected
    )
    # Independent check: torch's conv2d (a cross-correlation).
    np.testing.assert_array_equal(_torch_conv(SLIDE_IMAGE, F.VERTICAL_EDGE), expected)
    # The true convolution with the same kernel flips its sign here (the kernel is
    # antisymmetric in x).
    np.testing.assert_array_equal(F.convolve2d(SLIDE_IMAGE, F.VERTICAL_EDGE), -expected)


def test_worked_example_light_to_dark_and_dark_to_light():
    light_to_dark = np.tile([10, 10, 10, 0, 0, 0], (6, 1))
    out = F.correlate2d(light_to_dark, F.VERTICAL_EDGE)
    np.testing.assert_array_equal(out, np.tile([0, 30, 30, 0], (4, 1)))
    out = F.correlate2d(light_to_dark[:, ::-1], F.VERTICAL_EDGE)
    np.testing.assert_array_equal(out, np.tile([0, -30, -30, 0], (4, 1)))
    # The horizontal filter sees neither; rotated images swap the roles.
    assert not F.correlate2d(light_to_dark, F.HORIZONTAL_EDGE).any()
    np.testing.assert_array_equal(
        F.correlate2d(light_to_dark.T, F.HORIZONTAL_EDGE),
        np.tile([0, 30, 30, 0], (4, 1)).T,
    )


def test_worked_example_box_3x3_vs_7x7_bigger_blurs_more():
    from skimage.data import camera

    image = camera().astype(float)
    box3 = F.correlate2d(image, np.ones((3, 3)) / 9, padding="same", mode="reflect")
    box7 = F.correlate2d(image, np.ones((7, 7)) / 49, padding="same", mode="reflect")
    np.testing.assert_allclose(box3, ndi.uniform_filter(image, 3), atol=1e-9)
    np.testing.assert_allclose(box7, ndi.uniform_filter(image, 7), atol=1e-9)
    # The sum of ones is the mean times the window size.
    np.testing.assert_allclose(
        F.correlate2d(image, np.ones((7, 7)), padding="same", mode="reflect"),
        49 * box7,
        atol=1e-8,
    )
    # Blurring removes detail: the gradient energy falls, and falls more for the bigger
    # box.
    energy = [np.mean(F.gradient_magnitude(x) ** 2) for x in (image, box3, box7)]
    assert energy[0] > 1.5 * energy[1] and energy[1] > 1.5 * energy[2] > 0
    # Repeated 3x3 means approach a bigger blur: three passes give a 7x7 support.
    impulse = np.zeros((11, 11))
    impulse[5, 5] = 1
    three = impulse
    for _ in range(3):
        three = F.mean_filter(three, 3, mode="constant")
    assert np.count_nonzero(three) == 49 and three[2:9, 2:9].all()


# --------------------------------------------------------------------------------------
# pad, and sizes too large to allocate
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_pad_fills_the_border_as_scipy_does(rng, mode):
    # scipy's filters see the padded image: a 3x3 correlation with an impulse kernel at
    # a corner tap reads the padded pixel at that offset.
    image = rng.normal(size=(4, 5))
    padded = F.pad(image, ((2, 2), (2, 2)), mode=mode, cval=0.5)
    for a in range(5):
        for b in range(5):
            kernel = np.zeros((5, 5))
            kernel[a, b] = 1.0
            shifted = ndi.correlate(image, kernel, mode=mode, cval=0.5)
            np.testing.assert_array_equal(padded[a : a + 4, b : b + 5], shifted)


def test_pad_returns_a_new_array_even_without_padding():
    image = np.ones((2, 3))
    out = F.pad(image, ((0, 0), (0, 0)))
    out[0, 0] = 5
    assert image[0, 0] == 1


@pytest.mark.parametrize(
    "pad_width",
    [
        ((1, 1),),
        ((1, -1), (0, 0)),
        ((1.5, 1), (0, 0)),
        ((1.0, 1), (0, 0)),
        ((True, 1), (0, 0)),
        2,
        "a",
        ((1, 1), (1,)),
    ],
)
def test_pad_errors(pad_width):
    with pytest.raises(
        ValueError, match=r"pad_width must be \(\(top, bottom\), \(left, right\)\)"
    ):
        F.pad(np.ones((2, 2)), pad_width)
    with pytest.raises(ValueError, match=r"mode must be one of"):
        F.pad(np.ones((2, 2)), ((1, 1), (1, 1)), mode="symmetric")


@pytest.mark.parametrize(
    "call,name",
    [
        (
            lambda: F.correlate2d(np.ones((3, 3)), np.ones((1, 1)), padding=10**6),
            "padding",
        ),
        (lambda: F.pad(np.ones((3, 3)), ((10**6, 10**6), (10**6, 0))), "pad_width"),
        (lambda: F.mean_filter(np.ones((3, 3)), 10**9), "size"),
        (lambda: F.gaussian_filter(np.ones((3, 3)), 1e12), "sigma"),
        (lambda: F.gaussian_kernel(1e5), "sigma"),
        (lambda: F.gabor_kernel(1e-12), "frequency"),
    ],
)
def test_absurd_sizes_are_rejected_before_allocating(call, name):
    with pytest.raises(ValueError, match=rf"{name}=.* would make .* values"):
        call()


@pytest.mark.parametrize("mode", ["constant", "reflect", "wrap"])
def test_pad_rejects_an_empty_image(mode):
    with pytest.raises(ValueError, match=r"image must not be empty, got image with"):
        F.pad(np.ones((0, 7)), ((1, 1), (1, 1)), mode=mode)


def test_pad_takes_an_integer_array_of_widths():
    out = F.pad(np.ones((2, 2)), np.array([[1, 0], [0, 2]]))
    assert out.shape == (3, 4)


def test_stride_samples_the_stride_one_output_for_every_padding(rng):
    image, kernel = rng.normal(size=(9, 11)), rng.normal(size=(2, 3))
    for padding in ("valid", "same", "full", (1, 2)):
        out = F.correlate2d(
            image, kernel, padding=padding, stride=(2, 3), dilation=(2, 1)
        )
        every = F.correlate2d(image, kernel, padding=padding, dilation=(2, 1))
        np.testing.assert_array_equal(out, every[::2, ::3])
