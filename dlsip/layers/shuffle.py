r"""Pixel shuffle and unshuffle: moving values between channels and space (sub-pixel
convolution's last step, Shi et al., 2016), exactly as torch's ``pixel_shuffle`` and
``pixel_unshuffle``.

Both are pure permutations of the entries, written as a reshape and a transpose, and
each inverts the other.

>>> x = np.arange(4).reshape(1, 4, 1, 1)      # 4 channels of one pixel, r = 2
>>> pixel_shuffle(x, 2)[0, 0]
array([[0, 1],
       [2, 3]])

References
----------
.. [1] W. Shi et al., "Real-Time Single Image and Video Super-Resolution Using an
   Efficient Sub-Pixel Convolutional Neural Network", CVPR 2016.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import check_array, check_positive_int

__all__ = ["pixel_shuffle", "pixel_unshuffle"]


def pixel_shuffle(x: ArrayLike, r: int) -> np.ndarray:
    r"""Rearrange ``(*, C r^2, H, W)`` into ``(*, C, H r, W r)``.

    Parameters
    ----------
    x : ndarray, shape (*, C * r**2, H, W)
        At least 3 dimensions; leading dimensions (the batch) are kept.
    r : int
        The upscaling factor, ``r >= 1``.

    Returns
    -------
    ndarray, shape (*, C, H * r, W * r)
        Same dtype as ``x``.

    Raises
    ------
    TypeError
        If ``r`` is not an integer or ``x`` is not numeric.
    ValueError
        If ``r < 1``, ``x`` has fewer than 3 dimensions, or its channel count is not a
        multiple of ``r**2``.

    Notes
    -----
    Output pixel ``(c, h, w)`` comes from input channel
    ``c r^2 + (h mod r) r + (w mod r)`` at position ``(h // r, w // r)``:

    .. math:: y_{c,\,h,\,w} = x_{c r^2 + r (h \bmod r) + (w \bmod r),\
              \lfloor h/r \rfloor,\ \lfloor w/r \rfloor}

    so each group of ``r^2`` channels fills one ``r x r`` block of every output pixel
    neighbourhood. This is ``torch.nn.functional.pixel_shuffle`` ([1]_); it is a pure
    permutation of the entries, and :func:`pixel_unshuffle` inverts it.

    Examples
    --------
    >>> x = np.arange(8).reshape(1, 4, 1, 2)   # 4 channels of 1 x 2 pixels, r = 2
    >>> pixel_shuffle(x, 2)[0, 0]
    array([[0, 2, 1, 3],
           [4, 6, 5, 7]])
    >>> np.array_equal(pixel_unshuffle(pixel_shuffle(x, 2), 2), x)
    True
    """
    x = check_array(x, "x")
    r = check_positive_int(r, "r")
    if x.ndim < 3:
        raise ValueError(
            f"x must have at least 3 dimensions (*, C*r**2, H, W), "
            f"got x with shape {x.shape}"
        )
    *lead, c_in, h, w = x.shape
    if c_in % (r * r):
        raise ValueError(
            f"x must have a number of channels divisible by r**2={r * r}, got {c_in} "
            f"channels (x with shape {x.shape})"
        )
    c = c_in // (r * r)
    y = x.reshape(*lead, c, r, r, h, w)
    n = len(lead)
    # (.., c, i, j, h, w) -> (.., c, h, i, w, j): sub-pixel row i goes under row h.
    y = y.transpose(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return y.reshape(*lead, c, h * r, w * r)


def pixel_unshuffle(x: ArrayLike, r: int) -> np.ndarray:
    r"""Rearrange ``(*, C, H r, W r)`` into ``(*, C r^2, H, W)``: the inverse of
    :func:`pixel_shuffle`.

    Parameters
    ----------
    x : ndarray, shape (*, C, H * r, W * r)
        At least 3 dimensions.
    r : int
        The downscaling factor, ``r >= 1``.

    Returns
    -------
    ndarray, shape (*, C * r**2, H, W)

    Raises
    ------
    TypeError
        If ``r`` is not an integer or ``x`` is not numeric.
    ValueError
        If ``r < 1``, ``x`` has fewer than 3 dimensions, or its height or width is not a
        multiple of ``r``.

    Notes
    -----
    :math:`y_{c r^2 + r i + j,\, h,\, w} = x_{c,\, h r + i,\, w r + j}` for
    :math:`0 \le i, j < r`: the ``r x r`` polyphase components of each channel become
    channels. This is ``torch.nn.functional.pixel_unshuffle``; it turns a spatial
    downsampling into a change of channel count without losing a single value.

    Examples
    --------
    >>> x = np.arange(16).reshape(1, 1, 4, 4)
    >>> pixel_unshuffle(x, 2)[0, :, 0, 0]     # the top-left 2 x 2 block, now 4 channels
    array([0, 1, 4, 5])
    """
    x = check_array(x, "x")
    r = check_positive_int(r, "r")
    if x.ndim < 3:
        raise ValueError(
            f"x must have at least 3 dimensions (*, C, H*r, W*r), "
            f"got x with shape {x.shape}"
        )
    *lead, c, hr, wr = x.shape
    if hr % r or wr % r:
        raise ValueError(
            f"x must have a height and width divisible by r={r}, "
            f"got x with shape {x.shape}"
        )
    h, w = hr // r, wr // r
    y = x.reshape(*lead, c, h, r, w, r)
    n = len(lead)
    y = y.transpose(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return y.reshape(*lead, c * r * r, h, w)
