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


def _torch_detector_loss(images, labels, kernel, bias):
    """The detector's loss and its gradient by torch autograd in float64."""
    import torch

    x = torch.tensor(images)[:, None]
    w = torch.tensor(kernel, requires_grad=True)
    b = torch.tensor(float(bias), dtype=torch.float64, requires_grad=True)
    maps = torch.nn.functional.conv2d(x, w[None, None])  # a correlation, as dlsip's
    z = maps.flatten(1).max(dim=1).values + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(labels))
    loss.backward()
    return loss.item(), w.grad.numpy(), b.grad.item()


def test_fit_detector_step_matches_torch_autograd(rng):
    images = rng.normal(size=(6, 7, 8))
    labels = np.array([1, 0, 1, 1, 0, 0], dtype=float)
    start = rng.normal(size=(3, 2))
    loss, grad_w, grad_b = _torch_detector_loss(images, labels, start, 0.3)
    fit = F.fit_detector(images, labels, kernel=start, bias=0.3, lr=0.1, steps=1)
    assert fit.losses[0] == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(fit.kernel, start - 0.1 * grad_w, rtol=1e-12)
    assert fit.bias == pytest.approx(0.3 - 0.1 * grad_b, rel=1e-12)
    # The scores are the maxima of the feature maps, computed by loops here.
    maps = [F.correlate2d_naive(x, start) for x in images]
    np.testing.assert_allclose(
        F.detector_scores(images, start, bias=0.3), [m.max() + 0.3 for m in maps]
    )


def test_fit_detector_learns_vertical_lines_from_labels_only():
    # Labels, not feature maps: vertical lines (1) against horizontal ones (0), from
    # the lenses deck's random start; judged on images it never saw.
    from dlsip.signals import vertical_line_images

    rng = np.random.default_rng(3)

    def dataset(n):
        lines = vertical_line_images(2 * n, 10, noise=0.3, rng=rng)
        x = np.concatenate([lines[:n], lines[n:].transpose(0, 2, 1)])
        return x, np.r_[np.ones(n), np.zeros(n)]

    start = np.array([[0.5, 1.1, -1.6], [-1.0, 0.1, -0.6], [1.0, 0.3, -1.9]])
    (x, y), (x_test, y_test) = dataset(60), dataset(200)

    def accuracy(kernel, bias):
        return np.mean((F.detector_scores(x_test, kernel, bias=bias) > 0) == y_test)

    fit = F.fit_detector(x, y, kernel=start, steps=200)
    assert accuracy(start, 0.0) <= 0.6 and accuracy(fit.kernel, fit.bias) >= 0.97
    assert fit.losses[-1] < 0.2 * fit.losses[0]
    # Its columns are a line detector's: the middle one positive, the outer negative.
    columns = fit.kernel.sum(axis=0)
    assert columns[1] > 0 > max(columns[0], columns[2])


def test_fit_detector_errors():
    x = np.ones((2, 5, 5))
    with pytest.raises(ValueError, match=r"labels must hold one label per image"):
        F.fit_detector(x, [1.0], kernel=np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"labels must be 0 or 1"):
        F.fit_detector(x, [1.0, 2.0], kernel=np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"kernel of shape \(6, 3\) does not fit"):
        F.detector_scores(x, np.ones((6, 3)))
    with pytest.raises(ValueError, match=r"lr must be > 0.0"):
        F.fit_detector(x, [1.0, 0.0], kernel=np.ones((3, 3)), lr=0.0)
