r"""Morphology: dilation and erosion, the max and min lenses over a structuring element.

A structuring element (a boolean footprint) is placed on every pixel. Dilation takes the
maximum over the element reflected through its centre (the Minkowski sum: a binary shape
grows by the element), erosion the minimum over the element itself (a binary shape keeps
the pixels where the whole element fits inside it). Binary images give binary results.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import _is_int, check_array, check_choice, check_float, check_image
from .linear import MODES
from .window import _check_footprint, _pad_for_window, _reduce_views

__all__ = ["dilate", "erode"]


def _morphology(image, footprint, mode, cval, *, dilation: bool) -> np.ndarray:
    image = check_image(image)
    if _is_int(footprint):  # an int k is a k x k square
        fp = _check_footprint(footprint, None, image.shape, size_name="footprint")
    else:
        footprint = check_array(footprint, "footprint", ndim=2)
        fp = _check_footprint(None, footprint, image.shape)
    binary = image.dtype == bool
    if mode is None:
        mode, cval = ("constant", 0.0) if binary else ("reflect", cval)
    mode = check_choice(mode, "mode", MODES)
    cval = check_float(cval, "cval")
    statistic = "max" if dilation else "min"
    # Dilation uses the reflected footprint (Minkowski sum), erosion the footprint
    # itself; both exactly as scipy.ndimage's binary_/grey_ dilation and erosion.
    used = fp[::-1, ::-1] if dilation else fp
    padded = _pad_for_window(
        image, used.shape, statistic, mode, cval, reflected=dilation
    )
    out = _reduce_views(padded, used, np.maximum if dilation else np.minimum)
    return out.astype(bool) if binary else out


def dilate(
    image: ArrayLike,
    footprint: ArrayLike | int,
    *,
    mode: str | None = None,
    cval: float = 0.0,
) -> np.ndarray:
    r"""Morphological dilation: a max lens over the reflected structuring element.

    Parameters
    ----------
    image : array_like, shape (H, W)
        Boolean for binary morphology, numbers for grey-level morphology.
    footprint : array_like of bool, shape (kH, kW), or int
        The structuring element (an int ``k`` means a ``k`` x ``k`` square).
    mode : {"constant", "reflect", "mirror", "nearest", "wrap"}, optional
        Border handling. Default: ``"constant"`` with False outside for a binary image
        (``scipy.ndimage.binary_dilation``'s ``border_value=0``), ``"reflect"`` for a
        grey image (``scipy.ndimage.grey_dilation``'s default).
    cval : float

    Returns
    -------
    ndarray, shape (H, W)
        Boolean for a boolean image, the image's dtype otherwise.

    Raises
    ------
    TypeError, ValueError
        For a bad image, footprint or mode.

    Notes
    -----
    :math:`(f \oplus B)[x] = \max_{b \in B} f[x - b]` with offsets :math:`b` measured
    from the centre ``k // 2``: the window is the footprint reflected through its
    centre. For a symmetric footprint this is simply ``max_filter``. Binary dilation
    grows the shape: a pixel turns on when the (reflected) element placed on it touches
    the shape. Equals ``scipy.ndimage.binary_dilation(image, structure=footprint)`` for
    boolean images and ``scipy.ndimage.grey_dilation(image, footprint=footprint,
    mode=mode)`` otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.zeros((3, 5), bool); x[1, 2] = True
    >>> dilate(x, [[1, 1, 1]]).astype(int)
    array([[0, 0, 0, 0, 0],
           [0, 1, 1, 1, 0],
           [0, 0, 0, 0, 0]])
    """
    return _morphology(image, footprint, mode, cval, dilation=True)


def erode(
    image: ArrayLike,
    footprint: ArrayLike | int,
    *,
    mode: str | None = None,
    cval: float = 0.0,
) -> np.ndarray:
    r"""Morphological erosion: a min lens over the structuring element.

    Parameters, Returns and Raises as :func:`dilate`.

    Notes
    -----
    :math:`(f \ominus B)[x] = \min_{b \in B} f[x + b]`. A binary pixel stays on only
    when the whole element placed on it lies inside the shape; by default (as
    ``scipy.ndimage.binary_erosion``) pixels outside the image count as background, so
    the shape also shrinks away from the image border. Equals ``binary_erosion`` /
    ``grey_erosion`` of ``scipy.ndimage``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.zeros((3, 5), bool); x[1, 1:4] = True
    >>> erode(x, [[1, 1, 1]]).astype(int)
    array([[0, 0, 0, 0, 0],
           [0, 0, 1, 0, 0],
           [0, 0, 0, 0, 0]])
    """
    return _morphology(image, footprint, mode, cval, dilation=False)
