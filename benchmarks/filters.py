"""Speed of dlsip.filters against scipy.ndimage, measured in the same process.

    .venv/bin/python benchmarks/filters.py [--repeat 15]

For a 512 x 512 image in float32 and float64 and window sizes 3 x 3 and 7 x 7, prints the
best time (the minimum over repeats, the least disturbed by other load) of each function and of its scipy.ndimage counterpart, and their ratio
(dlsip / scipy: below 1 means dlsip is faster), by wall-clock and by CPU time. Both results are checked to agree before
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


def best_times(ours, theirs, repeat: int) -> tuple[float, float, float, float]:
    """Best wall-clock and best CPU time of ``repeat`` runs of each, alternating the two so
    that both see the same load. CPU time (all threads of this process) is the steadier
    figure on a shared machine; wall-clock is what a user waits."""
    ours(), theirs()  # warm-up: first-call costs (imports, allocations) are not what we measure
    wall = {id(ours): [], id(theirs): []}
    cpu = {id(ours): [], id(theirs): []}
    for _ in range(repeat):
        for func in (ours, theirs):
            start, start_cpu = time.perf_counter(), time.process_time()
            func()
            cpu[id(func)].append(time.process_time() - start_cpu)
            wall[id(func)].append(time.perf_counter() - start)
    return min(wall[id(ours)]), min(wall[id(theirs)]), min(cpu[id(ours)]), min(cpu[id(theirs)])


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
    print(f"{'filter':<10} {'dtype':<8} {'size':<5} {'dlsip ms':>9} {'scipy ms':>9} {'ratio':>6} {'cpu ratio':>9}")
    for dtype in (np.float32, np.float64):
        x = base.astype(dtype)
        for size in (3, 7):
            for name, ours, theirs in cases(size):
                tol = 1e-4 if dtype == np.float32 else 1e-10
                np.testing.assert_allclose(ours(x), theirs(x), rtol=0, atol=tol * max(1, size * size))
                t_ours, t_theirs, c_ours, c_theirs = best_times(lambda: ours(x), lambda: theirs(x), args.repeat)
                print(f"{name:<10} {np.dtype(dtype).name:<8} {size}x{size:<3} {1e3 * t_ours:9.2f} "
                      f"{1e3 * t_theirs:9.2f} {t_ours / t_theirs:6.2f} {c_ours / c_theirs:9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
