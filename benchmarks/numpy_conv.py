"""Speed of chapter 3's NumPy layers against torch on the same CPU, in float32.

    python benchmarks/numpy_conv.py [--epoch-images 60000] [--repeats 7]

1. conv2d forward + backward at N=64, C=16, 28x28, 32 filters 3x3, padding 1:
   dlsip.layers (im2col + one matrix product per pass) against torch.nn.functional.conv2d
   with autograd. Best of ``--repeats`` runs each, interleaved so that both see the same
   load on a shared machine.
2. One training epoch of the lecture's MNIST CNN (4 channels, batch norm, Adam lr 0.01,
   batch size 64) on real MNIST: dlsip.layers against dlsip.models.LectureCNN in torch,
   both fed from the same float32 arrays (no DataLoader, so that the comparison is the
   layers' compute, not data loading).

Prints the times and the ratios NumPy / torch, against torch with its default number of
threads and against torch on one thread. On a machine whose cores are busy with other work,
torch's multi-threaded kernels can slow down by 10x or more on the small tensors of the
lecture CNN (their threads wait for each other), so both figures are shown.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F

from dlsip import layers as L


def best_of(fns, repeats):
    """Best time of each function, running them in turn so they share the machine's load."""
    times = [[] for _ in fns]
    for f in fns:
        f()                                    # warm-up: allocations, torch's first call
    for _ in range(repeats):
        for k, f in enumerate(fns):
            t = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t)
    return [min(t) for t in times]


def bench_conv(repeats):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 16, 28, 28), dtype=np.float32)
    w = rng.standard_normal((32, 16, 3, 3), dtype=np.float32) * 0.1
    b = np.zeros(32, np.float32)
    dout = rng.standard_normal((64, 32, 28, 28), dtype=np.float32)

    def numpy_step():
        out, cache = L.conv2d_forward(x, w, b, padding=1)
        return L.conv2d_backward(dout, cache)

    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    tdout = torch.tensor(dout)

    def torch_step():
        out = F.conv2d(tx, tw, tb, padding=1)
        return torch.autograd.grad(out, (tx, tw, tb), tdout)

    t_np, t_torch = best_of([numpy_step, torch_step], repeats)
    return t_np, t_torch


def normalise(images):
    # The lecture's Normalize((0.5,), (0.5,)): [0, 255] -> [-1, 1]
    return (images.astype(np.float32) / 255.0 - 0.5) / 0.5


class torch_threads:
    """Run a block with ``torch.set_num_threads(n)`` (None: leave torch's default)."""

    def __init__(self, n):
        self.n, self.saved = n, torch.get_num_threads()

    def __enter__(self):
        if self.n is not None:
            torch.set_num_threads(self.n)

    def __exit__(self, *exc):
        torch.set_num_threads(self.saved)


def bench_epoch(n_images, threads=None):
    from dlsip.data import mnist_arrays

    images, labels = mnist_arrays(train=True)
    x = normalise(images[:n_images])[:, None]
    y = labels[:n_images]

    net = L.lecture_cnn_numpy(rng=np.random.default_rng(0))
    opt = L.Adam(net, lr=0.01)
    t = time.perf_counter()
    losses, acc_np = L.train_epoch(net, opt, x, y, batch_size=64, rng=np.random.default_rng(1))
    t_np = time.perf_counter() - t

    with torch_threads(threads):
        t_torch, acc_torch = _torch_epoch(x, y)
    return t_np, t_torch, acc_np, acc_torch


def _torch_epoch(x, y):
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
        idx = order[start:start + 64]
        logits = model(tx[idx])
        loss = F.cross_entropy(logits, ty[idx])
        topt.zero_grad()
        loss.backward()
        topt.step()
        correct += int((logits.argmax(1) == ty[idx]).sum())
    return time.perf_counter() - t, correct / len(y)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epoch-images", type=int, default=60000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    default = torch.get_num_threads()
    print(f"torch {torch.__version__} ({default} threads by default); numpy {np.__version__}")
    print(f"conv2d fwd+bwd, N=64 C=16 28x28, 32 filters 3x3, padding 1 (float32, best of {args.repeats}):")
    for threads, label in ((None, f"torch, {default} threads"), (1, "torch, 1 thread")):
        with torch_threads(threads):
            t_np, t_torch = bench_conv(args.repeats)
        print(f"  numpy {1e3 * t_np:7.1f} ms   {label}: {1e3 * t_torch:7.1f} ms   "
              f"ratio numpy/torch {t_np / t_torch:.2f}")
    print(f"lecture CNN, one epoch of {args.epoch_images} MNIST images, batch 64, Adam lr 0.01 (float32):")
    for threads, label in ((None, f"torch, {default} threads"), (1, "torch, 1 thread")):
        t_np, t_torch, acc_np, acc_torch = bench_epoch(args.epoch_images, threads)
        print(f"  numpy {t_np:7.1f} s    {label}: {t_torch:7.1f} s    ratio numpy/torch {t_np / t_torch:.2f}   "
              f"(training accuracy numpy {acc_np:.4f}, torch {acc_torch:.4f})")


if __name__ == "__main__":
    main()
