"""Self-checks of chapter 0, images as arrays: from channel-last images to NCHW."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .cases import Case, CheckReport, run_cases


def _to_nchw_reference(images):
    """(H, W), (H, W, C) or (N, H, W, C) -> float64 (N, C, H, W); uint8 over 255."""
    x = np.asarray(images)
    scale = 255.0 if x.dtype == np.uint8 else 1.0
    x = x.astype(np.float64) / scale
    if x.ndim == 2:  # greyscale: one channel
        x = x[:, :, None]
    if x.ndim == 3:  # one image: a batch of one
        x = x[None]
    return x.transpose(0, 3, 1, 2)


def check_to_nchw(student: Callable) -> CheckReport:
    r"""Check a student's ``to_nchw(images)``: channel-last images to the NCHW layout.

    The function takes a greyscale image (H, W), a channel-last image (H, W, C) or a
    batch of them (N, H, W, C), as scikit-image, Matplotlib and PIL store them, and
    returns the float array (N, C, H, W) that PyTorch's layers expect, with value
    :math:`x[n, c, i, j] = \text{images}[n, i, j, c]`. A ``uint8`` input in [0, 255] is
    divided by 255 (values in [0, 1], like ``torchvision.transforms.ToTensor``); a float
    input keeps its values. The cases: random colour images and batches that are not
    square (an exchanged height and width changes the shape), a 3x3x3 image (where
    every mix-up of axes keeps the shape, and only the values show it), greyscale,
    RGBA, a single pixel, a batch of one, the extremes 0 and 255 (which must become 0
    and 1), and float input (which must not be divided again). The report names each
    failed case and says how it failed.

    Parameters
    ----------
    student : callable
        ``student(images) -> ndarray`` of shape (N, C, H, W).

    Returns
    -------
    CheckReport

    Raises
    ------
    TypeError
        If ``student`` is not callable.

    Notes
    -----
    A ``reshape`` to (N, C, H, W) keeps the shape right and the values in the wrong
    places: it reads the pixels' channels as if they were rows. Moving an axis is a
    transpose, ``x.transpose(0, 3, 1, 2)`` (``np.moveaxis(x, -1, 1)``, torch's
    ``permute(0, 3, 1, 2)``).

    Examples
    --------
    >>> def to_nchw(images):
    ...     x = np.asarray(images)
    ...     x = x / 255.0 if x.dtype == np.uint8 else x.astype(float)
    ...     x = x[..., None] if x.ndim == 2 else x
    ...     return np.moveaxis(x if x.ndim == 4 else x[None], -1, 1)
    >>> check_to_nchw(to_nchw).passed
    True
    >>> def reshaped(images):                        # the right shape, wrong values
    ...     x = to_nchw(images)
    ...     return np.moveaxis(x, 1, -1).reshape(x.shape)
    >>> report = check_to_nchw(reshaped)
    >>> report.passed
    False
    >>> print(str(report).splitlines()[1])
      - random uint8 colour image 4x5x3: values differ; ...
    """
    rng = np.random.default_rng(0)

    def pixels(*shape):
        return rng.integers(0, 256, size=shape).astype(np.uint8)

    extremes = np.zeros((2, 3, 3), np.uint8)
    extremes[0] = 255
    cases = [
        Case("random uint8 colour image 4x5x3", (pixels(4, 5, 3),)),
        Case("a batch of two uint8 colour images 2x4x5x3", (pixels(2, 4, 5, 3),)),
        Case(
            "a 3x3x3 image (all axes of one length: only the values show a mix-up)",
            (pixels(3, 3, 3),),
        ),
        Case("greyscale uint8 image 3x7 (one channel)", (pixels(3, 7),)),
        Case("RGBA image 3x2x4 (four channels)", (pixels(3, 2, 4),)),
        Case("a single pixel 1x1x3", (pixels(1, 1, 3),)),
        Case("a batch of one 1x6x4x3", (pixels(1, 6, 4, 3),)),
        Case(
            "black and white pixels 0 and 255 (must become 0 and 1)",
            (extremes,),
        ),
        Case(
            "float image in [0, 1] (its values are kept, not divided again)",
            (rng.random((4, 6, 3)),),
        ),
        Case(
            "float32 batch of two 2x3x5x1 (one channel, channel-last)",
            (rng.random((2, 3, 5, 1)).astype(np.float32),),
        ),
    ]
    return run_cases(
        student, _to_nchw_reference, cases, name="to_nchw", rtol=1e-7, atol=1e-9
    )
