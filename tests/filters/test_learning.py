"""dlsip.filters.learning: learning a kernel by gradient descent, against a
hand-computed step and the least-squares optimum."""

from __future__ import annotations

import numpy as np
import pytest

from dlsip import filters as F


def test_worked_example_learned_vertical_line_detector():
    # A random 3x3 kernel, trained by gradient descent (torch autograd) to map images of
    # a vertical line to the response of the ideal line detector [[-1, 2, -1]] * 3, ends
    # near it.
    from dlsip.filters import learn_kernel_demo

    learned, target = learn_kernel_demo(seed=0)
    np.testing.assert_array_equal(target, [[-1, 2, -1]] * 3)
    np.testing.assert_allclose(learned, target, atol=1e-3)


def test_fit_kernel_gradient_step_is_a_correlation_of_input_and_error(rng):
    # One step from a known start, computed by hand with correlate2d, and the
    # least-squares optimum.
    images = rng.normal(size=(5, 7, 8))
    targets = rng.normal(size=(5, 5, 7))
    start = np.random.default_rng(9).standard_normal((3, 2))
    errors = [F.correlate2d(x, start) - y for x, y in zip(images, targets)]
    grad = sum(F.correlate2d(x, e) for x, e in zip(images, errors)) * 2 / targets.size
    kernel, losses = F.fit_kernel(
        images, targets, size=(3, 2), lr=0.1, steps=1, rng=np.random.default_rng(9)
    )
    np.testing.assert_allclose(kernel, start - 0.1 * grad, rtol=1e-12)
    assert losses[0] == pytest.approx(
        sum(np.sum(e**2) for e in errors) / targets.size, rel=1e-12
    )
    # Many steps reach the least-squares solution (im2col + lstsq, computed
    # independently).
    cols = np.stack(
        [images[:, a : a + 5, b : b + 7].ravel() for a in range(3) for b in range(2)],
        axis=1,
    )
    optimum = np.linalg.lstsq(cols, targets.ravel(), rcond=None)[0].reshape(3, 2)
    kernel, losses = F.fit_kernel(
        images, targets, size=(3, 2), lr=0.2, steps=500, rng=rng
    )
    np.testing.assert_allclose(kernel, optimum, atol=1e-8)
    assert np.all(np.diff(losses) <= 1e-12)


def test_fit_kernel_errors(rng):
    with pytest.raises(
        ValueError,
        match=r"targets must have shape \(2, 3, 3\) .* "
        r"got targets with shape \(2, 4, 4\)",
    ):
        F.fit_kernel(np.ones((2, 5, 5)), np.ones((2, 4, 4)), size=3)
    with pytest.raises(ValueError, match=r"images must be 3D"):
        F.fit_kernel(np.ones((5, 5)), np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"lr must be > 0.0, got lr=0.0"):
        F.fit_kernel(np.ones((2, 5, 5)), np.ones((2, 3, 3)), lr=0.0)
