"""dlsip.check.batchnorm: the chapter 4 self-check accepts torch autograd (float64) and
rejects the unbiased variance."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from dlsip import check


def t64(a, grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def test_batchnorm_selfcheck_accepts_autograd_and_rejects_the_population_variance():
    def via_torch(dout, x, gamma, *, eps=1e-5):
        tx, tg, tb = t64(x, True), t64(gamma, True), t64(np.zeros_like(gamma), True)
        out = F.batch_norm(tx, None, None, tg, tb, training=True, eps=eps)
        return tuple(
            g.numpy() for g in torch.autograd.grad(out, (tx, tg, tb), t64(dout))
        )

    def unbiased(dout, x, gamma, *, eps=1e-5):  # normalises with var * m/(m-1)
        m = x.shape[0]
        var = x.var(axis=0, ddof=1)
        s = 1 / np.sqrt(var + eps)
        xhat = (x - x.mean(0)) * s
        dx = (
            gamma
            * s
            / m
            * (m * dout - dout.sum(0) - xhat * (dout * xhat).sum(0) * (m - 1) / m)
        )
        return dx, (dout * xhat).sum(0), dout.sum(0)

    assert check.check_batchnorm_backward(via_torch).passed
    assert not check.check_batchnorm_backward(unbiased).passed
