"""Speed paths of the filters: the two tricks that keep them faster than scipy.ndimage.

Nothing here changes a result beyond round-off; each function replaces the plain
computation of the public function that calls it (in one commented line), and the tests
run both paths against scipy.ndimage (``ENABLED = False`` switches the tricks off).
Gains were measured with ``benchmarks/filters.py --plain`` (alternating best-of-15 in
one process, 512 x 512 float32, ratios to scipy.ndimage; a 2-core machine shared with
other jobs, load 3 to 5):

- :func:`separable_reduce`: a sum, maximum or minimum over a full ``kH x kW`` rectangle
  as a pass down the columns, then a pass along the rows: ``kH + kW - 2`` array
  operations instead of ``kH kW - 1``. Mean filter 7 x 7: 1.4-1.7x scipy's time plain,
  0.44-0.54x with it (3x faster); 3 x 3: 0.49-0.52x plain, 0.27-0.29x with it (1.8x).
- :func:`symmetric_correlate`: a symmetric 1D kernel (the Gaussian) adds the two shifted
  views that share a weight before one multiplication. Gaussian, sigma 2 (17 taps per
  axis): 0.39-0.72x plain, 0.32-0.57x with it (1.25-1.45x faster).

Tried and dropped (the code of the single-file ``filters.py`` had them): row blocking
for cache, producing the padded image a block of rows at a time, window doubling driven
by the popcount of the size, blocking the median's ``np.partition`` by rows (slower than
one partition over the whole window view here: 0.61 vs 0.65x scipy at 3 x 3, 0.28 vs
0.33x at 7 x 7), and the Gaussian's passes as banded matrix products: 3x faster on an
idle machine but between 0.12x and 3.2x scipy's time under load, as multi-threaded BLAS
waits for busy cores.
"""

from __future__ import annotations

import numpy as np

#: Set to False to run the plain algorithms of the public modules instead (the tests run
#: both against scipy.ndimage; ``benchmarks/filters.py --plain`` measures the gains).
ENABLED = True


def separable_reduce(
    padded: np.ndarray, size: tuple[int, int], ufunc: np.ufunc
) -> np.ndarray:
    """``ufunc.reduce`` over every ``kH x kW`` window: a column pass, then a row pass.

    ``ufunc`` is associative and commutative (``np.add``, ``np.maximum``,
    ``np.minimum``), so the rectangle's reduction is the reduction along the rows of the
    reductions down the columns. Returns ``(Hp - kH + 1, Wp - kW + 1)``, a new array.
    """
    kh, kw = size
    h, w = padded.shape[0] - kh + 1, padded.shape[1] - kw + 1
    columns = padded[:h].copy()
    for a in range(1, kh):
        ufunc(columns, padded[a : a + h], out=columns)
    out = columns[:, :w].copy()
    for b in range(1, kw):
        ufunc(out, columns[:, b : b + w], out=out)
    return out


def symmetric_correlate(x: np.ndarray, weights: np.ndarray, axis: int) -> np.ndarray:
    """The "valid" 1D correlation with symmetric ``weights`` along ``axis`` (0 or 1).

    ``weights[a] == weights[K - 1 - a]``, so the two shifted views that share a weight
    are added first and multiplied once: ``K // 2 + 1`` multiplications instead of
    ``K``, all in place in two buffers. The same sum as the plain weighted sum of ``K``
    shifted views (scipy.ndimage folds symmetric kernels the same way); NaN and infinity
    stay local.
    """
    k = len(weights)
    r = k // 2
    n = x.shape[axis] - k + 1

    def view(a):  # x shifted by a along the axis
        return x[a : a + n] if axis == 0 else x[:, a : a + n]

    out = weights[r] * view(r)
    tmp = np.empty_like(out)
    for a in range(r):
        np.add(view(a), view(k - 1 - a), out=tmp)
        tmp *= weights[a]
        out += tmp
    return out
