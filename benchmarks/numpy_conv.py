"""Speed of chapter 3's NumPy layers against torch on the same CPU, in float32.

    python benchmarks/numpy_conv.py [--threads N] [--repeats 21] [--epoch-images 60000]

1. conv2d forward + backward at N=64, C=16, 28x28, 32 filters 3x3, padding 1:
   ``dlsip.layers`` (im2col + one matrix product for the batch per pass) against
   ``torch.nn.functional.conv2d`` with autograd. The two run in turn, ``--repeats``
   times, and the best time of each is kept, so that both see the same load on a shared
   machine. Target: at most 2.0x torch. On this course's shared 2-core VM single runs
   vary threefold with the neighbours' load; 21 alternating repeats gave ratios of 1.6
   where 7 gave anything from 1.4 to 3.3.
2. One training epoch of the lecture's MNIST CNN (4 channels, batch norm, Adam lr 0.01,
   batch size 64) on real MNIST: ``dlsip.layers`` against ``dlsip.models.LectureCNN``,
   both fed from the same float32 arrays (no DataLoader, so that the comparison is the
   layers' compute, not data loading). ``--epoch-images 0`` skips it.

Prints the times and the ratios dlsip / torch. ``--threads N`` limits both libraries to
N threads (OpenBLAS through its environment variable, set before NumPy is imported, and
``torch.set_num_threads``); by default each uses as many threads as it likes.
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def _threads_from_argv(argv: list[str]) -> str | None:
    for k, arg in enumerate(argv):
        if arg == "--threads" and k + 1 < len(argv):
            return argv[k + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return None


# OpenBLAS reads its thread count once, when NumPy loads it: set it before the import.
_THREADS = _threads_from_argv(sys.argv[1:]) if __name__ == "__main__" else None
if _THREADS is not None:
    os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = str(_THREADS)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from dlsip import layers as L  # noqa: E402

CONV_TARGET = 2.0  # issue 11: conv2d forward + backward at most 2.0x torch


def best_of(fns, repeats: int) -> list[float]:
    """Best time of each function, run in turn so that they share the machine's load."""
    times = [[] for _ in fns]
    for f in fns:
        f()  # warm-up: allocations, torch's first call
    for _ in range(repeats):
        for k, f in enumerate(fns):
            t = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t)
    return [min(t) for t in times]


def bench_conv(repeats: int) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 16, 28, 28), dtype=np.float32)
    w = rng.standard_normal((32, 16, 3, 3), dtype=np.float32) * 0.1
    b = np.zeros(32, np.float32)
    dout = rng.standard_normal((64, 32, 28, 28), dtype=np.float32)

    def dlsip_step():
        out, cache = L.conv2d_forward(x, w, b, padding=1)
        return L.conv2d_backward(dout, cache)

    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    tdout = torch.tensor(dout)

    def torch_step():
        out = F.conv2d(tx, tw, tb, padding=1)
        return torch.autograd.grad(out, (tx, tw, tb), tdout)

    t_dlsip, t_torch = best_of([dlsip_step, torch_step], repeats)
    return t_dlsip, t_torch


def normalise(images: np.ndarray) -> np.ndarray:
    # The lecture's Normalize((0.5,), (0.5,)): [0, 255] -> [-1, 1]
    return (images.astype(np.float32) / 255.0 - 0.5) / 0.5


def bench_epoch(n_images: int) -> tuple[float, float, float, float]:
    from dlsip.data import mnist_arrays

    images, labels = mnist_arrays(train=True)
    x = normalise(images[:n_images])[:, None]
    y = labels[:n_images]

    net = L.lecture_cnn_numpy(rng=np.random.default_rng(0))
    opt = L.Adam(net, lr=0.01)
    t = time.perf_counter()
    _, acc_dlsip = L.train_epoch(
        net, opt, x, y, batch_size=64, rng=np.random.default_rng(1)
    )
    t_dlsip = time.perf_counter() - t

    t_torch, acc_torch = _torch_epoch(x, y)
    return t_dlsip, t_torch, acc_dlsip, acc_torch


def _torch_epoch(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    from dlsip.models import LectureCNN

    torch.manual_seed(0)
    model = LectureCNN()
    topt = torch.optim.Adam(model.parameters(), lr=0.01)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    order = torch.from_numpy(np.random.default_rng(1).permutation(len(y)))
    model.train()
    t = time.perf_counter()
    correct = 0
    for start in range(0, len(y), 64):
        idx = order[start : start + 64]
        logits = model(tx[idx])
        loss = F.cross_entropy(logits, ty[idx])
        topt.zero_grad()
        loss.backward()
        topt.step()
        correct += int((logits.argmax(1) == ty[idx]).sum())
    return time.perf_counter() - t, correct / len(y)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="threads for OpenBLAS and torch"
    )
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument(
        "--epoch-images", type=int, default=60000, help="0 skips the epoch"
    )
    args = parser.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads; "
        f"numpy {np.__version__}, "
        f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}"
    )
    t_dlsip, t_torch = bench_conv(args.repeats)
    ratio = t_dlsip / t_torch
    print(
        f"conv2d forward + backward, N=64, C=16, 28x28, 32 filters 3x3, float32 "
        f"(best of {args.repeats}):\n"
        f"  dlsip {1e3 * t_dlsip:7.1f} ms   torch {1e3 * t_torch:7.1f} ms   "
        f"ratio dlsip/torch {ratio:.2f} (target <= {CONV_TARGET})"
    )
    if args.epoch_images > 0:
        t_dlsip, t_torch, acc_dlsip, acc_torch = bench_epoch(args.epoch_images)
        print(
            f"lecture CNN, one epoch of {args.epoch_images} MNIST images, batch 64, "
            f"Adam lr 0.01, float32:\n"
            f"  dlsip {t_dlsip:7.1f} s    torch {t_torch:7.1f} s    "
            f"ratio dlsip/torch {t_dlsip / t_torch:.2f}\n"
            f"  training accuracy over the epoch: dlsip {acc_dlsip:.4f}, "
            f"torch {acc_torch:.4f}"
        )


if __name__ == "__main__":
    main()
