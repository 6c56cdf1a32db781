r"""Optimisers for the NumPy layers: SGD with momentum and Adam, updating in place
exactly as ``torch.optim.SGD`` and ``torch.optim.Adam`` do.

``step()`` reads ``model.grads()`` and updates ``model.parameters()`` in place.

>>> from dlsip.layers import Linear
>>> fc = Linear(1, 1, bias=False, dtype=np.float64, rng=np.random.default_rng(0))
>>> fc.weight[...], fc.dweight[...] = 1.0, 2.0
>>> SGD(fc, lr=0.1).step()
>>> fc.weight
array([[0.8]])
"""

from __future__ import annotations

import numpy as np

from .._validation import check_float, check_instance
from .modules import Module

__all__ = ["SGD", "Adam"]


class _Optimizer:
    def __init__(self, model: Module, lr: float) -> None:
        check_instance(model, "model", Module, "a dlsip.layers.Module")
        self.model = model
        self.lr = check_float(lr, "lr", minimum=0.0, strict=True)

    def step(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class SGD(_Optimizer):
    """Stochastic gradient descent with momentum and weight decay, as
    ``torch.optim.SGD``.

    ``step()`` reads ``model.grads()`` and updates ``model.parameters()`` in place:
    ``g <- g + weight_decay * p``; ``buf <- momentum * buf + g`` (``buf = g`` at the
    first step); ``p <- p - lr * buf``.

    Examples
    --------
    >>> from dlsip.layers import Linear
    >>> fc = Linear(1, 1, bias=False, dtype=np.float64, rng=np.random.default_rng(0))
    >>> fc.weight[...] = 1.0
    >>> fc.dweight[...] = 2.0
    >>> opt = SGD(fc, lr=0.1, momentum=0.9)
    >>> opt.step(); opt.step()          # the second step is 0.1 * (0.9 * 2 + 2)
    >>> fc.weight.round(6)
    array([[0.42]])
    """

    def __init__(
        self,
        model: Module,
        *,
        lr: float = 0.01,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(model, lr)
        self.momentum = check_float(momentum, "momentum", minimum=0.0)
        if self.momentum > 1:
            raise ValueError(f"momentum must be in [0, 1], got momentum={momentum}")
        self.weight_decay = check_float(weight_decay, "weight_decay", minimum=0.0)
        self._buffers: list[np.ndarray | None] | None = None

    def step(self) -> None:
        params, grads = self.model.parameters(), self.model.grads()
        if self._buffers is None:
            self._buffers = [None] * len(params)
        for k, (p, g) in enumerate(zip(params, grads)):
            if self.weight_decay:
                g = g + self.weight_decay * p
            if self.momentum:
                if self._buffers[k] is None:
                    self._buffers[k] = np.array(g, copy=True)
                else:
                    self._buffers[k] *= self.momentum
                    self._buffers[k] += g
                g = self._buffers[k]
            p -= self.lr * g


class Adam(_Optimizer):
    r"""Adam (Kingma & Ba, 2015), as ``torch.optim.Adam`` (no amsgrad, L2 weight decay).

    Notes
    -----
    .. math:: m \leftarrow \beta_1 m + (1-\beta_1) g,\quad v \leftarrow \beta_2 v +
              (1-\beta_2) g^2,\quad p \leftarrow p - \frac{\text{lr}}{1-\beta_1^t}
              \frac{m}{\sqrt{v}/\sqrt{1-\beta_2^t} + \epsilon}

    Examples
    --------
    >>> from dlsip.layers import Linear
    >>> fc = Linear(1, 1, bias=False, dtype=np.float64, rng=np.random.default_rng(0))
    >>> fc.weight[...] = 1.0
    >>> fc.dweight[...] = 123.0
    >>> Adam(fc, lr=0.1).step()       # the first step has size lr whatever the gradient
    >>> fc.weight.round(6)
    array([[0.9]])
    """

    def __init__(
        self,
        model: Module,
        *,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(model, lr)
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
            raise TypeError(
                f"betas must be a pair of numbers in [0, 1), got betas={betas!r}"
            )
        b1, b2 = (check_float(b, "betas", minimum=0.0) for b in betas)
        if b1 >= 1 or b2 >= 1:
            raise ValueError(
                f"betas must be a pair of numbers in [0, 1), got betas={betas!r}"
            )
        self.betas = (b1, b2)
        self.eps = check_float(eps, "eps", minimum=0.0)
        self.weight_decay = check_float(weight_decay, "weight_decay", minimum=0.0)
        self.t = 0
        self._m: list[np.ndarray] | None = None
        self._v: list[np.ndarray] | None = None

    def step(self) -> None:
        params, grads = self.model.parameters(), self.model.grads()
        if self._m is None:
            self._m = [np.zeros_like(p) for p in params]
            self._v = [np.zeros_like(p) for p in params]
        self.t += 1
        b1, b2 = self.betas
        c1, c2 = 1 - b1**self.t, 1 - b2**self.t
        for p, g, m, v in zip(params, grads, self._m, self._v):
            if self.weight_decay:
                g = g + self.weight_decay * p
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * (g * g)
            p -= (self.lr / c1) * m / (np.sqrt(v) / np.sqrt(c2) + self.eps)
