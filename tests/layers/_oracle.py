"""The independent oracle of the layer tests: torch autograd in float64."""

from __future__ import annotations

import numpy as np
import torch

from dlsip.gradcheck import relative_error

#: Relative error allowed against torch in float64.
TOL = 1e-10


def t64(a, grad: bool = False) -> torch.Tensor:
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def torch_grads(fn, inputs, dout):
    """Output of fn(*inputs) in torch float64 and the gradients of <out, dout> w.r.t.
    inputs (None inputs are passed through and get no gradient)."""
    ts = [t64(a, grad=True) if a is not None else None for a in inputs]
    out = fn(*ts)
    grads = torch.autograd.grad(out, [t for t in ts if t is not None], t64(dout))
    return out.detach().numpy(), [g.numpy() for g in grads]


def assert_close(a, b, tol: float = TOL) -> None:
    assert np.shape(a) == np.shape(b), (np.shape(a), np.shape(b))
    err = relative_error(a, b)
    assert err < tol, f"relative error {err:.3g} >= {tol}"
