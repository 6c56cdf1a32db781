"""The layers' one speed path: small matrix products without BLAS threads.

A matrix product is where the layers spend their time, and ``a @ b`` hands it to
multi-threaded BLAS. For the small products of a small network (the lecture's MNIST CNN
has 4 channels: its largest product has about 2 million multiply-adds) the threads cost
more than they save as soon as another process wants a core: they wait for each other.
``np.einsum`` runs the same product on one thread.

Measured (one training step of the NumPy twin of ``dlsip.models.LectureCNN``, batch 64,
best of 5 x 20 steps, 2-core machine with one other busy process): 88.6 ms with ``@``
everywhere, 19.6 ms with BLAS limited to one thread, 21.1 ms with this function (and
15.6 ms for the single-module layers.py this package replaced, which also special-cased
non-overlapping max pooling). Large products (the benchmark's conv layer, 32 x 144 x
50,176 multiply-adds) still go to BLAS, which is faster there. ``ENABLED = False`` runs
plain ``a @ b`` everywhere.
"""

from __future__ import annotations

import numpy as np

#: Set to False to run every product as plain ``a @ b``.
ENABLED = True

#: Products with fewer multiply-adds than this run on one thread (einsum).
SMALL = 1 << 23


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` of 2D arrays: einsum (one thread) when small, BLAS when large."""
    if ENABLED and a.shape[0] * a.shape[1] * b.shape[1] < SMALL:
        return np.einsum("ij,jk->ik", a, b)
    return a @ b
