"""dlsip.check.images: the chapter 0 self-check passes correct solutions written
independently of dlsip (torch's and torchvision's conversions among them), and catches
the typical bugs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlsip import check


def _student_loop(images):
    """A correct student solution written independently of dlsip: loops over pixels."""
    x = np.asarray(images)
    scale = 255.0 if x.dtype == np.uint8 else 1.0
    if x.ndim == 2:
        x = x[:, :, None]
    if x.ndim == 3:
        x = x[None]
    n, h, w, c = x.shape
    out = np.empty((n, c, h, w))
    for a in range(n):
        for i in range(h):
            for j in range(w):
                for k in range(c):
                    out[a, k, i, j] = float(x[a, i, j, k]) / scale
    return out


def _student_torchvision(images):
    """torchvision's ToTensor does one image (H, W, C) or (H, W): stack a batch."""
    from torchvision.transforms.functional import to_tensor

    x = np.asarray(images)
    if x.ndim == 4:
        return torch.stack([to_tensor(image) for image in x]).double().numpy()
    return to_tensor(x)[None].double().numpy()


def _student_torch_permute(images):
    x = torch.from_numpy(np.array(images))
    x = x.double() / 255 if x.dtype == torch.uint8 else x.double()
    if x.ndim == 2:
        x = x[..., None]
    if x.ndim == 3:
        x = x[None]
    return x.permute(0, 3, 1, 2).numpy()


def _reshaped(images):  # the right shape, the values in the wrong places
    good = _student_loop(images)
    return np.moveaxis(good, 1, -1).reshape(good.shape)


def _height_width_swapped(images):  # permute(0, 3, 2, 1)
    return np.swapaxes(_student_loop(images), 2, 3)


def _no_transpose(images):  # adds the axes but leaves the channels last
    x = np.asarray(images)
    x = x / 255.0 if x.dtype == np.uint8 else x.astype(float)
    x = x[..., None] if x.ndim == 2 else x
    return x if x.ndim == 4 else x[None]


def _divides_by_256(images):
    x = np.asarray(images)
    return _student_loop(images) * (255 / 256 if x.dtype == np.uint8 else 1)


def _always_divides(images):  # divides float input again
    x = np.asarray(images)
    return _student_loop(images) / (1 if x.dtype == np.uint8 else 255)


def _integer_division(images):  # // in integers: everything but 255 becomes 0
    x = np.asarray(images)
    if x.dtype == np.uint8:
        return _student_loop(x // 255) * 1.0
    return _student_loop(images)


def _colour_only(images):  # forgets the greyscale case: no channel axis
    x = np.asarray(images)
    if x.ndim == 2:
        raise ValueError("expected a channel axis")
    return _student_loop(images)


def _no_batch_axis(images):  # returns (C, H, W) for a single image
    out = _student_loop(images)
    return out[0] if np.asarray(images).ndim < 4 else out


def _uint8_kept(images):  # no conversion at all: values stay in [0, 255]
    x = np.asarray(images)
    return _student_loop(x) * (255.0 if x.dtype == np.uint8 else 1.0)


@pytest.mark.parametrize(
    "student", [_student_loop, _student_torchvision, _student_torch_permute]
)
def test_self_check_passes_correct_solutions(student):
    report = check.check_to_nchw(student)
    assert report.passed, str(report)
    assert report.n_cases >= 10
    assert str(report) == f"to_nchw: all {report.n_cases} cases passed."


@pytest.mark.parametrize(
    "student,failed_case,why",
    [
        (_reshaped, "random uint8 colour image 4x5x3", "values differ"),
        (_reshaped, "a 3x3x3 image (all axes of one length", "values differ"),
        (
            _height_width_swapped,
            "random uint8 colour image 4x5x3",
            "shape (1, 3, 5, 4), expected (1, 3, 4, 5)",
        ),
        (_height_width_swapped, "a 3x3x3 image", "values differ"),
        (_no_transpose, "a 3x3x3 image", "values differ"),
        (_no_transpose, "random uint8 colour image 4x5x3", "shape (1, 4, 5, 3)"),
        (_divides_by_256, "black and white pixels 0 and 255", "values differ"),
        (_always_divides, "float image in [0, 1]", "values differ"),
        (_integer_division, "random uint8 colour image 4x5x3", "values differ"),
        (
            _colour_only,
            "greyscale uint8 image 3x7",
            "raised ValueError: expected a channel axis",
        ),
        (_no_batch_axis, "a single pixel 1x1x3", "shape (3, 1, 1), expected"),
        (_uint8_kept, "black and white pixels 0 and 255", "values differ"),
    ],
)
def test_self_check_catches_typical_bugs_and_names_the_case(student, failed_case, why):
    report = check.check_to_nchw(student)
    assert not report.passed
    failures = dict(report.failures)
    matching = [d for d in failures if d.startswith(failed_case)]
    assert matching, (
        f"expected {failed_case!r} among the failures, got {list(failures)}"
    )
    assert why in failures[matching[0]]
    assert failed_case in str(report)


def test_self_check_cases_include_the_promised_edge_cases():
    seen = []
    check.check_to_nchw(lambda images: seen.append(np.asarray(images)) or 0)
    shapes = {x.shape for x in seen}
    assert any(len(s) == 2 for s in shapes)  # greyscale
    assert any(len(s) == 4 and s[0] > 1 for s in shapes)  # a batch
    assert any(len(s) == 4 and s[0] == 1 for s in shapes)  # a batch of one
    assert any(len(s) == 3 and s[0] != s[1] for s in shapes)  # not square
    assert (3, 3, 3) in shapes
    assert any(s[-1] == 4 for s in shapes)  # RGBA
    assert any(x.dtype.kind == "f" for x in seen)
    assert any(x.dtype == np.uint8 and x.min() == 0 and x.max() == 255 for x in seen)


def test_self_check_does_not_let_a_student_corrupt_the_reference():
    def in_place(images):  # scales its input in place, then answers correctly
        x = np.asarray(images)
        if x.dtype.kind == "f":
            x *= 2.0
            x /= 2.0
        return _student_loop(x)

    assert check.check_to_nchw(in_place).passed


def test_self_check_rejects_non_callable():
    with pytest.raises(TypeError, match=r"student must be callable \(a function\)"):
        check.check_to_nchw("my_function")
