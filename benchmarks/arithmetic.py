"""Speed of a convolution written three ways: loops, im2col + one matrix product
(dlsip.arithmetic.conv2d_im2col), and torch.nn.functional.conv2d, in float64.

    .venv/bin/python benchmarks/arithmetic.py [--repeat 5] [--threads 1]

For a few layer shapes (N, C_in, H, W, C_out, k), checks that the three results agree,
then prints the best time of each (the minimum over repeats, the least disturbed by
other load) and the speed-up of im2col over the loops. The loop version is the
definition, one output value at a time over (image, filter, row, column), with a NumPy
sum over each patch.

``--threads N`` (default 1) limits OpenBLAS and torch to N threads: on a machine whose
cores are busy, multi-threaded kernels stall on small tensors. Timings depend on the
machine and its load; the ratios are what to compare.
"""

from __future__ import annotations

import argparse
import os
import sys
from functools import partial

if __name__ == "__main__":  # BLAS reads its thread count when NumPy is first imported
    _threads = (
        sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "1"
    )
    os.environ.setdefault("OPENBLAS_NUM_THREADS", _threads)
    os.environ.setdefault("OMP_NUM_THREADS", _threads)

import numpy as np
import torch
import torch.nn.functional as F

from dlsip.arithmetic import conv2d_im2col
from dlsip.timing import best_time


def conv2d_loops(x, w):
    n, _, h, wd = x.shape
    c_out, _, kh, kw = w.shape
    out = np.empty((n, c_out, h - kh + 1, wd - kw + 1))
    for i in range(n):
        for o in range(c_out):
            for r in range(h - kh + 1):
                for c in range(wd - kw + 1):
                    out[i, o, r, c] = np.sum(x[i, :, r : r + kh, c : c + kw] * w[o])
    return out


def timed(func, repeat):
    func()  # warm-up: the first call pays for allocations and caches
    return best_time(func, repeat=repeat)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    shapes = [(1, 3, 32, 32, 8, 3), (1, 16, 28, 28, 32, 3), (8, 1, 28, 28, 6, 5)]
    print(
        f"{'N, C_in, H, W, C_out, k':<26}{'loops':>11}{'im2col':>11}{'torch':>11}"
        f"{'loops/im2col':>14}"
    )
    for n, c, h, wd, o, k in shapes:
        x = rng.standard_normal((n, c, h, wd))
        w = rng.standard_normal((o, c, k, k))
        xt, wt = torch.from_numpy(x), torch.from_numpy(w)
        ref = F.conv2d(xt, wt).numpy()
        assert np.allclose(conv2d_loops(x, w), ref) and np.allclose(
            conv2d_im2col(x, w), ref
        )
        t_loops = timed(partial(conv2d_loops, x, w), max(1, args.repeat // 2))
        t_cols = timed(partial(conv2d_im2col, x, w), args.repeat)
        t_torch = timed(partial(F.conv2d, xt, wt), args.repeat)
        print(
            f"{str((n, c, h, wd, o, k)):<26}{t_loops * 1e3:9.2f}ms"
            f"{t_cols * 1e3:9.2f}ms{t_torch * 1e3:9.2f}ms"
            f"{t_loops / t_cols:13.0f}x"
        )


if __name__ == "__main__":
    main()
