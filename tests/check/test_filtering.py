"""dlsip.check.filtering: the chapter 1 self-check passes correct solutions written
independently of dlsip, and catches the typical bugs."""

from __future__ import annotations

import numpy as np
import pytest

from dlsip import check
from dlsip import filters as F


def _student_loop(image, kernel):
    """A correct student solution written independently of dlsip: four nested loops."""
    image, kernel = np.asarray(image, float), np.asarray(kernel, float)
    (h, w), (kh, kw) = image.shape, kernel.shape
    out = np.zeros((h - kh + 1, w - kw + 1))
    for i in range(h - kh + 1):
        for j in range(w - kw + 1):
            for a in range(kh):
                for b in range(kw):
                    out[i, j] += kernel[a, b] * image[i + a, j + b]
    return out


def _convolution(image, kernel):
    return _student_loop(image, np.asarray(kernel)[::-1, ::-1])


def _off_by_one(image, kernel):  # range(h - kh) instead of range(h - kh + 1)
    return _student_loop(image, kernel)[:-1, :-1]


def _uint8_arithmetic(
    image, kernel
):  # keeps the uint8 dtype: negative results wrap around
    image = np.asarray(image)
    out = _student_loop(image, kernel)
    return out.astype(image.dtype) if image.dtype == np.uint8 else out


def _square_only(image, kernel):  # uses kh for both axes
    image, kernel = np.asarray(image, float), np.asarray(kernel, float)
    k = kernel.shape[0]
    return (
        _student_loop(image, kernel[:k, :k])
        if kernel.shape[1] >= k
        else _student_loop(image, kernel)
    )


def _odd_only(image, kernel):  # centres the kernel: breaks for even sizes
    kernel = np.asarray(kernel, float)
    if kernel.shape[0] % 2 == 0 or kernel.shape[1] % 2 == 0:
        raise ValueError("kernel size must be odd")
    return _student_loop(image, kernel)


@pytest.mark.parametrize("student", ["correlate2d", "correlate2d_naive", _student_loop])
def test_self_check_passes_correct_solutions(student):
    if isinstance(student, str):  # dlsip's own versions
        student = getattr(F, student)
    report = check.check_correlate2d(student)
    assert report.passed, str(report)
    assert report.n_cases >= 12
    assert str(report) == f"correlate2d: all {report.n_cases} cases passed."


@pytest.mark.parametrize(
    "student,failed_case,why",
    [
        (_convolution, "asymmetric kernel (catches a flipped kernel)", "values differ"),
        (
            _convolution,
            "the slides' 6x6 image with the vertical edge filter",
            "values differ",
        ),
        (_off_by_one, "random 5x5 image, 3x3 kernel", "shape (2, 2), expected (3, 3)"),
        (
            _off_by_one,
            "kernel as large as the image (a single output pixel)",
            "shape (0, 0), expected (1, 1)",
        ),
        (
            _uint8_arithmetic,
            "uint8 image, result negative and above 255 (no wrap-around)",
            "values differ",
        ),
        (_square_only, "non-square image 7x4, non-square kernel 2x3", "shape"),
        (
            _odd_only,
            "even-sized 2x2 kernel",
            "raised ValueError: kernel size must be odd",
        ),
    ],
)
def test_self_check_catches_typical_bugs_and_names_the_case(student, failed_case, why):
    report = check.check_correlate2d(student)
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
    check.check_correlate2d(
        lambda image, kernel: (
            seen.append((np.asarray(image), np.asarray(kernel)))
            or F.correlate2d(image, kernel)
        )
    )
    shapes = {(x.shape, k.shape) for x, k in seen}
    assert any(k == (1, 1) for _, k in shapes)
    assert any(x == k for x, k in shapes)
    assert any(k[0] % 2 == 0 or k[1] % 2 == 0 for _, k in shapes)
    assert any(x[0] != x[1] and k[0] != k[1] for x, k in shapes)
    assert any(x.dtype == np.uint8 for x, _ in seen)
    assert any(x.dtype.kind == "i" and k.dtype.kind == "i" for x, k in seen)
    assert any(np.all(x < 0) and np.all(k < 0) for x, k in seen)


def test_self_check_rejects_non_callable():
    with pytest.raises(TypeError, match=r"student must be callable \(a function\)"):
        check.check_correlate2d("my_function")
