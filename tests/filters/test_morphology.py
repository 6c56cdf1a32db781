"""dlsip.filters.morphology: dilation and erosion against scipy.ndimage."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi

from dlsip import filters as F

MODES = F.MODES
TOL = 1e-10

FOOTPRINTS = {
    "plus": np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], bool),
    "ring4x5": np.array(
        [[0, 1, 1, 1, 0], [1, 0, 0, 0, 1], [1, 0, 0, 0, 1], [0, 1, 1, 1, 0]], bool
    ),
}

MORPH_FOOTPRINTS = [
    np.ones((3, 3), bool),
    FOOTPRINTS["plus"],
    FOOTPRINTS["ring4x5"],
    np.array([[1, 1, 0, 0]], bool),
    np.array([[1, 0], [1, 1]], bool),
]


@pytest.mark.parametrize("k", range(len(MORPH_FOOTPRINTS)))
def test_binary_morphology_equals_scipy(rng, k):
    fp = MORPH_FOOTPRINTS[k]
    image = rng.random((15, 16)) > 0.4
    np.testing.assert_array_equal(
        F.dilate(image, fp), ndi.binary_dilation(image, structure=fp)
    )
    np.testing.assert_array_equal(
        F.erode(image, fp), ndi.binary_erosion(image, structure=fp)
    )
    assert F.dilate(image, fp).dtype == bool


@pytest.mark.parametrize("k", range(len(MORPH_FOOTPRINTS)))
@pytest.mark.parametrize("mode", MODES)
def test_grey_morphology_equals_scipy(rng, k, mode):
    fp = MORPH_FOOTPRINTS[k]
    image = rng.integers(0, 255, size=(12, 13)).astype(np.uint8)
    np.testing.assert_array_equal(
        F.dilate(image, fp, mode=mode, cval=7),
        ndi.grey_dilation(image, footprint=fp, mode=mode, cval=7),
    )
    np.testing.assert_array_equal(
        F.erode(image, fp, mode=mode, cval=7),
        ndi.grey_erosion(image, footprint=fp, mode=mode, cval=7),
    )
    if mode == "reflect":  # the default for grey images
        np.testing.assert_array_equal(
            F.dilate(image, fp), ndi.grey_dilation(image, footprint=fp)
        )


def test_dilation_is_max_filter_for_symmetric_footprint_and_duality(rng):
    image = rng.random((10, 10))
    np.testing.assert_array_equal(F.dilate(image, 3), F.max_filter(image, 3))
    # Duality: eroding f equals minus the dilation of -f by the reflected element.
    fp = np.array([[1, 1, 0], [0, 1, 0], [0, 0, 0]], bool)
    np.testing.assert_array_equal(F.erode(image, fp), -F.dilate(-image, fp[::-1, ::-1]))


def test_binary_dilation_of_a_point_is_the_element():
    image = np.zeros((5, 5), bool)
    image[2, 2] = True
    fp = np.array([[1, 1, 0], [0, 1, 0], [0, 0, 1]], bool)
    # Dilation places the element (Minkowski sum); a max filter places its reflection.
    np.testing.assert_array_equal(F.dilate(image, fp)[1:4, 1:4], fp)
    np.testing.assert_array_equal(
        F.max_filter(image, footprint=fp)[1:4, 1:4], fp[::-1, ::-1]
    )


@pytest.mark.parametrize("func", [F.dilate, F.erode])
@pytest.mark.parametrize(
    "footprint,exc,match",
    [
        (None, TypeError, r"footprint must be an array of numbers, got footprint=None"),
        ("abc", TypeError, r"footprint must be an array of numbers"),
        (0, ValueError, r"footprint must be a positive integer, got footprint=0"),
        (10**6, ValueError, r"footprint=1000000 would make an array"),
    ],
)
def test_footprint_errors_name_footprint(func, footprint, exc, match):
    with pytest.raises(exc, match=match):
        func(np.ones((4, 4)), footprint)


def test_morphology_errors():
    with pytest.raises(ValueError, match=r"footprint must be 2D"):
        F.dilate(np.ones((4, 4), bool), np.ones(3, bool))
    with pytest.raises(ValueError, match=r"footprint must select at least one pixel"):
        F.erode(np.ones((4, 4)), np.zeros((2, 2), bool))
    with pytest.raises(ValueError, match=r"mode must be one of .*got mode='ignore'"):
        F.erode(np.ones((4, 4)), 3, mode="ignore")
    with pytest.raises(ValueError, match=r"image must be 2D"):
        F.dilate(np.ones((2, 4, 4)), 3)
