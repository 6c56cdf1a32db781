"""Speed of dlsip.filters against scipy.ndimage, measured in the same process.

    .venv/bin/python benchmarks/filters.py [--repeat 15]

For a 512 x 512 image in float32 and float64 and window sizes 3 x 3 and 7 x 7, prints the
best time (the minimum over repeats, the least disturbed by other load) of each function and of its scipy.ndimage counterpart, and their ratio
(dlsip / scipy: below 1 means dlsip is faster). Both results are checked to agree before
anything is timed. The Gaussian uses sigma = 1 with truncate = 1 (3 taps) and truncate = 3
(7 taps), so that its kernel has the stated size.

Timings depend on the machine and its load; the ratios are what to compare.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import scipy.ndimage as ndi

from dlsip import filters as F


def best_times(ours, theirs, repeat: int) -> tuple[float, float]:
    """Best of ``repeat`` runs of each, alternating the two so that both see the same load."""
    ours(), theirs()  # warm-up: first-call costs (imports, allocations) are not what we measure
    t_ours, t_theirs = [], []
    for _ in range(repeat):
        for func, times in ((ours, t_ours), (theirs, t_theirs)):
            start = time.perf_counter()
            func()
            times.append(time.perf_counter() - start)
    return min(t_ours), min(t_theirs)


def cases(size: int):
    truncate = (size - 1) / 2  # sigma = 1: radius int(truncate + 0.5) = (size - 1) / 2
    kernel = np.random.default_rng(0).normal(size=(size, size))
    return [
        ("mean", lambda x: F.mean_filter(x, size), lambda x: ndi.uniform_filter(x, size)),
        ("gaussian", lambda x: F.gaussian_filter(x, 1.0, truncate=truncate),
         lambda x: ndi.gaussian_filter(x, 1.0, truncate=truncate)),
        ("median", lambda x: F.median_filter(x, size), lambda x: ndi.median_filter(x, size)),
        ("max", lambda x: F.max_filter(x, size), lambda x: ndi.maximum_filter(x, size)),
        ("correlate", lambda x: F.correlate2d(x, kernel.astype(x.dtype), padding="same", mode="reflect"),
         lambda x: ndi.correlate(x, kernel.astype(x.dtype), mode="reflect")),
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--shape", type=int, default=512)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    base = rng.random((args.shape, args.shape))
    print(f"image {args.shape}x{args.shape}, best of {args.repeat} runs; ratio = dlsip / scipy.ndimage")
    print(f"{'filter':<10} {'dtype':<8} {'size':<5} {'dlsip ms':>9} {'scipy ms':>9} {'ratio':>6}")
    for dtype in (np.float32, np.float64):
        x = base.astype(dtype)
        for size in (3, 7):
            for name, ours, theirs in cases(size):
                tol = 1e-4 if dtype == np.float32 else 1e-10
                np.testing.assert_allclose(ours(x), theirs(x), rtol=0, atol=tol * max(1, size * size))
                t_ours, t_theirs = best_times(lambda: ours(x), lambda: theirs(x), args.repeat)
                print(f"{name:<10} {np.dtype(dtype).name:<8} {size}x{size:<3} {1e3 * t_ours:9.2f} "
                      f"{1e3 * t_theirs:9.2f} {t_ours / t_theirs:6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
