"""Self-checks for the exercises: run a student's function on random and edge cases and
say which case failed, and how.

Each checker takes the student's function, compares it with the package's reference on a
list of :class:`Case` objects, and returns a :class:`CheckReport`, which prints as a short
verdict. ``report.passed`` is a bool, so a notebook can ``assert`` it.

>>> import numpy as np
>>> report = run_cases(np.add, np.add, [Case("two ones", (1, 1))], name="add")
>>> report.passed
True
>>> print(report)
add: all 1 cases passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np


@dataclass
class Case:
    """One test case: a description, positional arguments and keyword arguments."""

    description: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


@dataclass
class CheckReport:
    """The outcome of a self-check: the cases that passed and those that failed, with why."""

    name: str
    n_cases: int
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        if self.passed:
            return f"{self.name}: all {self.n_cases} cases passed."
        lines = [f"{self.name}: {len(self.failures)} of {self.n_cases} cases failed."]
        for description, why in self.failures:
            lines.append(f"  - {description}: {why}")
        return "\n".join(lines)

    def _repr_pretty_(self, p, cycle):  # IPython shows the verdict, not the dataclass
        p.text(str(self))


def _describe_difference(got: Any, expected: Any, rtol: float, atol: float) -> str | None:
    """None when ``got`` matches ``expected``; otherwise a sentence saying how it differs."""
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return f"expected a tuple of {len(expected)} results, got {type(got).__name__}"
        for k, (g, e) in enumerate(zip(got, expected)):
            why = _describe_difference(g, e, rtol, atol)
            if why:
                return f"result {k}: {why}"
        return None
    try:
        got_arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"expected an array, got {type(got).__name__}"
    expected_arr = np.asarray(expected, dtype=float)
    if got_arr.shape != expected_arr.shape:
        return f"shape {got_arr.shape}, expected {expected_arr.shape}"
    if not np.allclose(got_arr, expected_arr, rtol=rtol, atol=atol, equal_nan=True):
        diff = np.abs(got_arr - expected_arr)
        where = np.unravel_index(np.nanargmax(diff), diff.shape) if diff.ndim else ()
        return (f"values differ; largest difference {np.nanmax(diff):.3g} at index {tuple(int(i) for i in where)} "
                f"(got {got_arr[where]:.6g}, expected {expected_arr[where]:.6g})")
    return None


def run_cases(student: Callable, reference: Callable, cases: list[Case], *, name: str,
              rtol: float = 1e-6, atol: float = 1e-8) -> CheckReport:
    """Run ``student`` and ``reference`` on every case and compare their results.

    An exception raised by the student's function counts as a failure, with its message;
    the check goes on with the next case.
    """
    if not callable(student):
        raise TypeError(f"student must be a function, got student={student!r}")
    report = CheckReport(name=name, n_cases=len(cases))
    for case in cases:
        expected = reference(*case.args, **case.kwargs)
        try:
            got = student(*_copy_args(case.args), **case.kwargs)
        except Exception as exc:  # a student's bug is a result to report, not a crash
            report.failures.append((case.description, f"raised {type(exc).__name__}: {exc}"))
            continue
        why = _describe_difference(got, expected, rtol, atol)
        if why:
            report.failures.append((case.description, why))
    return report


def _copy_args(args: tuple) -> tuple:
    # A student's function that modifies its input in place must not corrupt the next case.
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


# Chapter self-checks follow, one section per chapter.


# ---- Chapter 6: convolution variants ----

def check_pixel_shuffle(student: Callable) -> CheckReport:
    """Check ``student(x, r)`` against :func:`dlsip.variants.pixel_shuffle` (itself equal to torch's).

    Examples
    --------
    >>> from dlsip.variants import pixel_shuffle
    >>> check_pixel_shuffle(pixel_shuffle).passed
    True
    >>> print(check_pixel_shuffle(lambda x, r: x.reshape(x.shape[0], -1, x.shape[2] * r, x.shape[3] * r)))
    pixel_shuffle: 3 of 5 cases failed.
      - 4 channels, r = 2: values differ; largest difference 7 at index (0, 0, 1, 1) (got 5, expected 12)
      - 9 channels, r = 3, batch of 2: values differ; largest difference 2 at index (0, 0, 0, 2) (got 2, expected 4)
      - 8 channels (2 outputs), r = 2, 2 x 3 pixels: values differ; largest difference 11 at index (0, 0, 1, 1) (got 7, expected 18)
    """
    from .variants import pixel_shuffle

    cases = [
        Case("4 channels, r = 2", (np.arange(16.0).reshape(1, 4, 2, 2), 2)),
        Case("9 channels, r = 3, batch of 2", (np.arange(2 * 9 * 2.0).reshape(2, 9, 1, 2), 3)),
        Case("8 channels (2 outputs), r = 2, 2 x 3 pixels", (np.arange(48.0).reshape(1, 8, 2, 3), 2)),
        Case("r = 1 changes nothing", (np.arange(12.0).reshape(1, 3, 2, 2), 1)),
        Case("one pixel, r = 2", (np.arange(4.0).reshape(1, 4, 1, 1), 2)),
    ]
    return run_cases(student, pixel_shuffle, cases, name="pixel_shuffle", rtol=0, atol=0)


def check_conv_transpose(student: Callable) -> CheckReport:
    """Check ``student(x, kernel, stride)``, a single-channel 2D transposed convolution
    (no padding), against :func:`dlsip.layers.conv_transpose2d_forward`.

    Examples
    --------
    >>> import numpy as np
    >>> from dlsip.layers import conv_transpose2d_forward
    >>> def mine(x, kernel, stride):
    ...     return conv_transpose2d_forward(np.asarray(x, float)[None, None], np.asarray(kernel, float)[None, None],
    ...                                     stride=stride)[0][0, 0]
    >>> check_conv_transpose(mine).passed
    True
    """
    from .layers import conv_transpose2d_forward

    def reference(x, kernel, stride):
        x = np.asarray(x, dtype=float)[None, None]
        k = np.asarray(kernel, dtype=float)[None, None]
        return conv_transpose2d_forward(x, k, stride=stride)[0][0, 0]

    rng = np.random.default_rng(6)
    syllabus = np.array([[0.0, 1.0], [2.0, 3.0]])
    cases = [
        Case("the syllabus's example, stride 1", (syllabus, syllabus, 1)),
        Case("the syllabus's example, stride 2", (syllabus, syllabus, 2)),
        Case("3x3 kernel, stride 2 (uneven overlap)", (rng.standard_normal((3, 4)), rng.standard_normal((3, 3)), 2)),
        Case("stride larger than the kernel", (rng.standard_normal((2, 2)), rng.standard_normal((2, 2)), 3)),
        Case("non-square kernel, stride 1", (rng.standard_normal((3, 2)), rng.standard_normal((2, 3)), 1)),
        Case("one input pixel", (np.array([[2.0]]), rng.standard_normal((3, 3)), 2)),
    ]
    return run_cases(student, reference, cases, name="conv_transpose")


def check_depthwise_separable_macs(student: Callable) -> CheckReport:
    """Check ``student(in_channels, out_channels, kernel_size, output_size)``, the MACs of a
    depthwise separable convolution with square sizes, against
    :func:`dlsip.variants.depthwise_separable_cost`.

    Examples
    --------
    >>> check_depthwise_separable_macs(lambda c, o, k, n: n * n * k * k * c * o).passed   # a standard conv's
    False
    """
    from .variants import depthwise_separable_cost

    def reference(c, o, k, n):
        return depthwise_separable_cost(c, o, k, n, bias=False).macs

    cases = [
        Case("MobileNet's second layer: 32 -> 64 channels, 3x3, 112x112", (32, 64, 3, 112)),
        Case("one channel in, one out", (1, 1, 3, 5)),
        Case("5x5 kernel, 16 -> 8 channels", (16, 8, 5, 28)),
        Case("1x1 'kernel'", (4, 6, 1, 7)),
    ]
    return run_cases(student, reference, cases, name="depthwise_separable_macs", rtol=0, atol=0)


# ---- Chapter 2: convolution arithmetic ----

def check_conv_output_size(student: Callable) -> CheckReport:
    """Check ``student(size, kernel_size, stride=1, padding=0, dilation=1)``, the output
    length of a convolution, against :func:`dlsip.arithmetic.conv_output_size` (which agrees
    with torch).

    The cases catch the usual slips: forgetting the floor (a fractional or rounded-up
    result), forgetting the dilation or using ``d k`` instead of ``d (k - 1) + 1``, padding
    one side only, and dividing before subtracting the kernel.

    Examples
    --------
    >>> check_conv_output_size(lambda i, k, stride=1, padding=0, dilation=1:
    ...     (i + 2 * padding - dilation * (k - 1) - 1) // stride + 1).passed
    True
    >>> report = check_conv_output_size(lambda i, k, stride=1, padding=0, dilation=1:
    ...     (i + 2 * padding - k) // stride + 1)    # forgets the dilation
    >>> report.passed
    False
    """
    from .arithmetic import conv_output_size

    def reference(size, kernel_size, **kwargs):
        return conv_output_size(size, kernel_size, **kwargs)

    cases = [
        Case("valid: 5 pixels, 3-tap kernel", (5, 3)),
        Case("same padding", (5, 3), {"padding": 1}),
        Case("full padding", (5, 3), {"padding": 2}),
        Case("stride 2, exact division", (7, 3), {"stride": 2}),
        Case("stride 2, the floor matters", (6, 3), {"stride": 2}),
        Case("stride 3 with padding, the floor matters", (10, 4), {"stride": 3, "padding": 1}),
        Case("dilation 2", (7, 3), {"dilation": 2}),
        Case("dilation 3 with padding and stride", (20, 3), {"stride": 2, "padding": 3, "dilation": 3}),
        Case("AlexNet's first layer: 227, 11x11, stride 4", (227, 11), {"stride": 4}),
        Case("ResNet's stem: 224, 7x7, stride 2, padding 3", (224, 7), {"stride": 2, "padding": 3}),
        Case("1x1 kernel", (13, 1)),
        Case("kernel as large as the input", (5, 5)),
    ]
    return run_cases(student, reference, cases, name="conv_output_size", rtol=0, atol=0)


def check_toeplitz_matrix(student: Callable) -> CheckReport:
    """Check ``student(kernel, n)``, the ``(n - k + 1, n)`` matrix of a 1D valid
    cross-correlation, against :func:`dlsip.arithmetic.conv_matrix`.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.linalg import toeplitz
    >>> def banded(kernel, n):
    ...     k = len(kernel)
    ...     return toeplitz(np.r_[kernel[0], np.zeros(n - k)], np.r_[kernel, np.zeros(n - k)])
    >>> check_toeplitz_matrix(banded).passed
    True
    >>> check_toeplitz_matrix(lambda kernel, n: banded(kernel[::-1], n)).passed  # convolution, flipped
    False
    """
    from .arithmetic import conv_matrix

    rng = np.random.default_rng(2)
    cases = [
        Case("kernel [1, 2, 3] on 5 samples", (np.array([1.0, 2.0, 3.0]), 5)),
        Case("asymmetric random kernel on 8 samples", (rng.standard_normal(3), 8)),
        Case("even kernel", (rng.standard_normal(4), 9)),
        Case("kernel as long as the signal", (rng.standard_normal(4), 4)),
        Case("one-tap kernel: a scaled identity", (np.array([2.5]), 3)),
    ]
    return run_cases(student, lambda kernel, n: conv_matrix(kernel, n), cases, name="toeplitz_matrix")


# ---- Chapter 3: backpropagation through convolution and pooling ----

def _conv_backward_reference(dout, x, w, *, stride=1, padding=0):
    from .layers import conv2d_backward, conv2d_forward

    _, cache = conv2d_forward(x, w, np.zeros(w.shape[0]), stride=stride, padding=padding)
    return conv2d_backward(dout, cache)


def check_conv2d_backward(student: Callable) -> CheckReport:
    """Check ``student(dout, x, w, *, stride=1, padding=0) -> (dx, dw, db)``, the backward
    pass of a 2D convolution (cross-correlation, NCHW, weights ``(C_out, C_in, kH, kW)``),
    against :func:`dlsip.layers.conv2d_backward`.

    Examples
    --------
    >>> from dlsip.layers import conv2d_forward, conv2d_backward
    >>> def mine(dout, x, w, *, stride=1, padding=0):
    ...     _, cache = conv2d_forward(x, w, np.zeros(w.shape[0]), stride=stride, padding=padding)
    ...     return conv2d_backward(dout, cache)
    >>> check_conv2d_backward(mine).passed
    True
    >>> def flipped(dout, x, w, *, stride=1, padding=0):   # dw as a convolution: flipped
    ...     dx, dw, db = mine(dout, x, w, stride=stride, padding=padding)
    ...     return dx, dw[:, :, ::-1, ::-1], db
    >>> print(check_conv2d_backward(flipped))  # doctest: +ELLIPSIS
    conv2d_backward: 5 of 6 cases failed.
      - the small case: 3x3 input, 2x2 kernel: result 1: values differ; ...
    ...
    """
    rng = np.random.default_rng(3)

    def case(description, n, c, h, w_, f, k, stride=1, padding=0):
        kh, kw = (k, k) if isinstance(k, int) else k
        ho = (h + 2 * padding - kh) // stride + 1
        wo = (w_ + 2 * padding - kw) // stride + 1
        args = (rng.standard_normal((n, f, ho, wo)), rng.standard_normal((n, c, h, w_)),
                rng.standard_normal((f, c, kh, kw)))
        return Case(description, args, {"stride": stride, "padding": padding})

    cases = [
        case("the small case: 3x3 input, 2x2 kernel", 1, 1, 3, 3, 1, 2),
        case("several channels and filters", 2, 3, 6, 6, 4, 3),
        case("padding 1", 2, 2, 5, 5, 3, 3, padding=1),
        case("stride 2 with padding", 2, 2, 7, 7, 3, 3, stride=2, padding=1),
        case("non-square kernel, odd sizes", 1, 2, 7, 5, 2, (3, 2)),
        case("1x1 kernel", 3, 4, 4, 4, 2, 1),
    ]
    return run_cases(student, _conv_backward_reference, cases, name="conv2d_backward", rtol=1e-6, atol=1e-8)


def _maxpool_backward_reference(dout, x, *, kernel_size, stride=None):
    from .layers import maxpool2d_backward, maxpool2d_forward

    _, cache = maxpool2d_forward(x, kernel_size=kernel_size, stride=stride)
    return maxpool2d_backward(dout, cache)


def check_maxpool2d_backward(student: Callable) -> CheckReport:
    """Check ``student(dout, x, *, kernel_size, stride=None) -> dx``, the backward pass of
    2D max pooling (NCHW), against :func:`dlsip.layers.maxpool2d_backward`.

    The cases include ties (the whole gradient goes to the first maximum in row-major
    order, as in torch) and overlapping windows (an input that is the maximum of two windows
    receives both gradients).

    Examples
    --------
    >>> from dlsip.layers import maxpool2d_forward, maxpool2d_backward
    >>> def mine(dout, x, *, kernel_size, stride=None):
    ...     _, cache = maxpool2d_forward(x, kernel_size=kernel_size, stride=stride)
    ...     return maxpool2d_backward(dout, cache)
    >>> check_maxpool2d_backward(mine).passed
    True
    >>> def spread(dout, x, *, kernel_size, stride=None):       # average pooling's gradient
    ...     return np.repeat(np.repeat(dout, 2, axis=2), 2, axis=3) / 4
    >>> check_maxpool2d_backward(spread).passed
    False
    """
    rng = np.random.default_rng(4)
    syllabus = np.array([[12, 20, 30, 0], [8, 12, 2, 0], [34, 70, 37, 4], [112, 100, 25, 12]], float)[None, None]

    def case(description, x, k, stride=None):
        s = k if stride is None else stride
        ho, wo = (x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1
        dout = rng.standard_normal((x.shape[0], x.shape[1], ho, wo))
        return Case(description, (dout, x), {"kernel_size": k, "stride": stride})

    cases = [
        case("the syllabus's 4x4 example, 2x2 windows", syllabus, 2),
        case("random batch, several channels", rng.standard_normal((2, 3, 6, 6)), 2),
        case("odd size: the last row and column are in no window", rng.standard_normal((1, 2, 5, 7)), 2),
        case("ties: the first maximum takes the gradient", rng.integers(0, 2, (2, 2, 4, 4)).astype(float), 2),
        case("overlapping 3x3 windows, stride 1", rng.standard_normal((1, 1, 5, 5)), 3, 1),
        case("overlapping windows with ties", rng.integers(0, 3, (1, 2, 6, 6)).astype(float), 3, 2),
    ]
    return run_cases(student, _maxpool_backward_reference, cases, name="maxpool2d_backward", rtol=1e-6, atol=1e-8)


def _batchnorm_backward_reference(dout, x, gamma, *, eps=1e-5):
    from .layers import batchnorm_backward, batchnorm_forward

    _, cache = batchnorm_forward(x, gamma, np.zeros_like(gamma), training=True, eps=eps)
    return batchnorm_backward(dout, cache)


def check_batchnorm_backward(student: Callable) -> CheckReport:
    """Check ``student(dout, x, gamma, *, eps=1e-5) -> (dx, dgamma, dbeta)``, the backward
    pass of batch normalization in training mode on (N, D) input, against
    :func:`dlsip.layers.batchnorm_backward`.

    Examples
    --------
    >>> from dlsip.layers import batchnorm_forward, batchnorm_backward
    >>> def mine(dout, x, gamma, *, eps=1e-5):
    ...     _, cache = batchnorm_forward(x, gamma, np.zeros_like(gamma), eps=eps)
    ...     return batchnorm_backward(dout, cache)
    >>> check_batchnorm_backward(mine).passed
    True
    >>> def constant_stats(dout, x, gamma, *, eps=1e-5):   # forgets that mu and var depend on x
    ...     var = x.var(axis=0)
    ...     xhat = (x - x.mean(axis=0)) / np.sqrt(var + eps)
    ...     return dout * gamma / np.sqrt(var + eps), (dout * xhat).sum(0), dout.sum(0)
    >>> check_batchnorm_backward(constant_stats).passed
    False
    """
    rng = np.random.default_rng(5)

    def case(description, n, d, eps=1e-5, scale=1.0):
        x = rng.standard_normal((n, d)) * scale + rng.standard_normal(d)
        return Case(description, (rng.standard_normal((n, d)), x, rng.standard_normal(d)), {"eps": eps})

    cases = [
        case("batch of 2 (the smallest)", 2, 3),
        case("batch of 8, 4 features", 8, 4),
        case("one feature", 5, 1),
        case("large eps", 6, 3, eps=0.5),
        case("features with large spread", 16, 5, scale=100.0),
    ]
    return run_cases(student, _batchnorm_backward_reference, cases, name="batchnorm_backward", rtol=1e-6, atol=1e-8)


# ---- Chapter 1: image filtering ----

def _correlate2d_reference(image, kernel):
    from .filters import correlate2d as reference

    return reference(image, kernel)


def check_correlate2d(student: Callable) -> CheckReport:
    """Check a student's ``correlate2d(image, kernel)`` ("valid" cross-correlation, no flip).

    The function must return, for an (H, W) image and a (kH, kW) kernel, the
    (H - kH + 1, W - kW + 1) array :math:`g[i, j] = \\sum_{a, b} w[a, b]\\, f[i + a, j + b]`.
    It is run on random cases and on edge cases (a 1x1 kernel, a kernel as large as the
    image, a single-row image, non-square and even-sized kernels, negative values, uint8 and
    integer input whose result is negative or larger than 255, an image with an outlier);
    the report names each failed case and says how it failed (wrong shape, which value
    differs, or the exception raised). Also available as ``dlsip.check.correlate2d``.

    Parameters
    ----------
    student : callable
        ``student(image, kernel) -> ndarray``.

    Returns
    -------
    CheckReport

    Raises
    ------
    TypeError
        If ``student`` is not callable.

    Examples
    --------
    >>> from dlsip.filters import correlate2d as reference
    >>> check_correlate2d(reference).passed
    True
    >>> def flipped(image, kernel):                  # a convolution, not a correlation
    ...     return reference(image, np.asarray(kernel)[::-1, ::-1])
    >>> report = check_correlate2d(flipped)
    >>> report.passed
    False
    >>> print(str(report).splitlines()[1])
      - random 5x5 image, 3x3 kernel: values differ; ...
    """
    rng = np.random.default_rng(11)

    def normal(*shape):
        return rng.standard_normal(shape)

    slide_image = np.array([[3, 0, 1, 2, 7, 4], [1, 5, 8, 9, 3, 1], [2, 7, 2, 5, 1, 3],
                            [0, 1, 3, 1, 7, 8], [4, 2, 1, 6, 2, 8], [2, 4, 5, 2, 3, 9]])
    outlier = normal(6, 6)
    outlier[2, 3] = 1e6
    cases = [
        Case("random 5x5 image, 3x3 kernel", (normal(5, 5), normal(3, 3))),
        Case("the slides' 6x6 image with the vertical edge filter [[1, 0, -1]] * 3",
             (slide_image, np.array([[1, 0, -1]] * 3))),
        Case("1x1 kernel (output = image times the weight)", (normal(4, 6), np.array([[-2.5]]))),
        Case("kernel as large as the image (a single output pixel)", (normal(4, 5), normal(4, 5))),
        Case("non-square image 7x4, non-square kernel 2x3", (normal(7, 4), normal(2, 3))),
        Case("even-sized 2x2 kernel", (normal(6, 6), normal(2, 2))),
        Case("even-sized 4x2 kernel on a 5x9 image", (normal(5, 9), normal(4, 2))),
        Case("single-row image with a 1x3 kernel", (normal(1, 8), normal(1, 3))),
        Case("asymmetric kernel (catches a flipped kernel)", (normal(5, 6), np.arange(9.0).reshape(3, 3))),
        Case("negative values only", (-np.abs(normal(5, 5)), -np.abs(normal(3, 3)))),
        Case("uint8 image, result negative and above 255 (no wrap-around)",
             (rng.integers(0, 256, size=(6, 6)).astype(np.uint8), np.array([[2, -1], [3, -2]]))),
        Case("integer image and integer kernel", (rng.integers(-9, 10, size=(5, 7)), rng.integers(-3, 4, size=(3, 3)))),
        Case("image with a large outlier", (outlier, normal(3, 3))),
        Case("kernel given as nested lists", (normal(4, 4), [[0.0, 1.0], [2.0, 3.0]])),
    ]
    return run_cases(student, _correlate2d_reference, cases, name="correlate2d", rtol=1e-9, atol=1e-9)


#: The exercises call ``dlsip.check.correlate2d(my_function)``.
correlate2d = check_correlate2d


# ---- Chapter 7: why convolutions work ----

def _least_squares_fir(noisy, clean, num_taps):
    """Taps ``w`` (odd length) minimising sum_n (clean[n] - sum_k w[k] noisy[n + k - M//2])^2
    over the positions where the window fits: ordinary least squares on the window matrix."""
    noisy, clean = np.asarray(noisy, float), np.asarray(clean, float)
    half = num_taps // 2
    windows = np.lib.stride_tricks.sliding_window_view(noisy, num_taps)
    target = clean[half:half + len(windows)]
    return np.linalg.lstsq(windows, target, rcond=None)[0]


def check_wiener_taps(student: Callable) -> CheckReport:
    """Check ``student(noisy, clean, num_taps)``, the least-squares (Wiener) FIR denoiser, against
    ordinary least squares on the matrix of windows.

    The estimate is :math:`\\hat s[n] = \\sum_{k=0}^{M-1} w_k\\, x[n + k - \\lfloor M/2 \\rfloor]`
    (a cross-correlation, as ``torch.nn.Conv1d`` computes it), for the positions ``n`` where
    the whole window lies inside the signal.

    Examples
    --------
    >>> def normal_equations(noisy, clean, num_taps):
    ...     X = np.lib.stride_tricks.sliding_window_view(np.asarray(noisy, float), num_taps)
    ...     y = np.asarray(clean, float)[num_taps // 2:num_taps // 2 + len(X)]
    ...     return np.linalg.solve(X.T @ X, X.T @ y)
    >>> check_wiener_taps(normal_equations).passed
    True
    """
    rng = np.random.default_rng(7)
    cases = []
    for n, m, a, sigma in [(400, 5, 0.9, 0.5), (1000, 9, 0.95, 1.0), (300, 3, 0.5, 0.2), (500, 1, 0.8, 0.7)]:
        clean = np.zeros(n)
        e = rng.standard_normal(n)
        for t in range(1, n):  # an AR(1) signal: s[t] = a s[t-1] + e[t]
            clean[t] = a * clean[t - 1] + e[t]
        noisy = clean + sigma * rng.standard_normal(n)
        cases.append(Case(f"{n} samples, {m} taps, AR(1) a={a}, noise std {sigma}", (noisy, clean, m)))
    return run_cases(student, _least_squares_fir, cases, name="wiener_taps", rtol=1e-6, atol=1e-9)
