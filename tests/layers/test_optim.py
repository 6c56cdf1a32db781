"""Tests of dlsip.layers.optim: SGD and Adam take the steps of torch's optimisers."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlsip import layers as L
from tests.layers._oracle import assert_close, t64


@pytest.mark.parametrize(
    "opt_name, kwargs",
    [
        ("SGD", {"lr": 0.1}),
        ("SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 1e-3}),
        ("Adam", {"lr": 0.01}),
        (
            "Adam",
            {"lr": 0.003, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 1e-2},
        ),
    ],
)
def test_optimisers_match_torch(opt_name, kwargs):
    torch.manual_seed(1)
    tnet = torch.nn.Sequential(
        torch.nn.Conv2d(2, 3, 3),
        torch.nn.ReLU(),
        torch.nn.Flatten(),
        torch.nn.Linear(3 * 4 * 4, 4),
    ).double()
    net = L.from_torch(tnet)
    opt = getattr(L, opt_name)(net, **kwargs)
    t_opt = getattr(torch.optim, opt_name)(tnet.parameters(), **kwargs)
    rng = np.random.default_rng(22)
    for _ in range(5):
        x, y = rng.standard_normal((6, 2, 6, 6)), rng.integers(0, 4, 6)
        _, d = L.softmax_cross_entropy(net.forward(x), y)
        net.backward(d)
        opt.step()
        t_opt.zero_grad()
        F.cross_entropy(tnet(t64(x)), torch.from_numpy(y)).backward()
        t_opt.step()
    for p, tp in zip(net.parameters(), tnet.parameters()):
        assert_close(p, tp.detach().numpy())


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda net: L.SGD(net, lr=-1.0), ValueError, "lr must be > 0.0"),
        (lambda net: L.Adam(net, lr=0.0), ValueError, "lr must be > 0.0, got lr=0.0"),
        (
            lambda net: L.SGD(net, momentum=1.5),
            ValueError,
            r"momentum must be in \[0, 1\]",
        ),
        (
            lambda net: L.SGD(net, lr=0.1, momentum=-0.5),
            ValueError,
            "momentum must be >= 0.0",
        ),
        (
            lambda net: L.Adam(net, betas=(0.9, 1.0)),
            ValueError,
            r"betas must be a pair of numbers in \[0, 1\)",
        ),
        (lambda net: L.Adam(net, betas=0.9), TypeError, "betas must be a pair"),
        (
            lambda net: L.SGD(torch.nn.Linear(1, 1)),
            TypeError,
            "model must be a dlsip.layers.Module",
        ),
        (lambda net: L.SGD(net, 0.1), TypeError, "positional"),
    ],
)
def test_optimiser_errors(make, error, match):
    net = L.Sequential(L.Linear(1, 1, rng=np.random.default_rng(0)))
    with pytest.raises(error, match=match):
        make(net)
