"""Model summary: output shape, parameters and multiply-accumulates of every layer."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for annotations: importing this module does not import torch
    import torch

from .._validation import _show, check_allocation, check_module, check_positive_int
from .receptive import _fmt, _table
from .sizes import _per_axis

# --------------------------------------------------------------------------------------
# Model summary
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LayerSummary:
    """One row of :func:`summary`: a call of a leaf module during the forward pass."""

    name: str
    type: str
    output_shape: tuple
    params: int
    macs: int


@dataclass
class ModelSummary:
    """What :func:`summary` returns: the rows and the totals. Prints as a table."""

    input_size: tuple
    rows: list = field(default_factory=list)
    total_params: int = 0
    trainable_params: int = 0
    total_macs: int = 0

    def __str__(self) -> str:
        header = ["layer", "type", "output shape", "params", "MACs"]
        body = [
            [
                r.name,
                r.type,
                _fmt(tuple(r.output_shape)) if r.output_shape is not None else "",
                f"{r.params:,}",
                f"{r.macs:,}",
            ]
            for r in self.rows
        ]
        text = _table(header, body, right={3, 4})
        width = len(text.splitlines()[1])
        return "\n".join(
            [
                text,
                "=" * width,
                f"input shape: {_fmt(tuple(self.input_size))}",
                f"total parameters: {self.total_params:,} ({self.trainable_params:,} "
                "trainable)",
                f"total multiply-accumulates (MACs): {self.total_macs:,}",
            ]
        )

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))


def _macs(module, inputs, output) -> int:
    from torch import nn

    if isinstance(module, nn.modules.conv._ConvTransposeNd):
        # every input element scales one (C_out / groups) x k x k copy of the kernel
        x = inputs[0]
        return int(
            x.numel()
            * (module.out_channels // module.groups)
            * math.prod(module.kernel_size)
        )
    if isinstance(module, nn.modules.conv._ConvNd):
        return int(
            output.numel()
            * (module.in_channels // module.groups)
            * math.prod(module.kernel_size)
        )
    if isinstance(module, nn.Linear):
        return int(output.numel() * module.in_features)
    return 0


def summary(model: torch.nn.Module, input_size: tuple[int, ...]) -> ModelSummary:
    """A per-layer table of a model: output shape, parameters and multiply-accumulates.

    Parameters
    ----------
    model : torch.nn.Module
    input_size : tuple of int
        The input shape *with* the batch dimension, e.g. ``(1, 3, 32, 32)`` (as in
        torchinfo). MACs are counted for the whole batch.

    Returns
    -------
    ModelSummary
        ``rows`` (one :class:`LayerSummary` per call of a leaf module, in call order),
        ``total_params``, ``trainable_params`` and ``total_macs``. It prints as a table.

    Raises
    ------
    TypeError
        If ``model`` is not a module or ``input_size`` is not a tuple of integers.
    ValueError
        If a size is below 1, or ``input_size`` does not fit the model.

    Notes
    -----
    The forward pass runs once on zeros, in evaluation mode and without gradients (the
    model's mode is restored). Parameters are counted where they are registered, once
    even if a module is called twice; parameters that belong to no leaf module that ran
    (a token registered on a container, an unused layer) get a row of their own, so that
    the total always equals ``sum(p.numel() for p in model.parameters())``. Buffers
    (batch norm's running statistics) are not parameters.

    A multiply-accumulate (MAC) is one product added to a sum. Only the weights of
    convolutions and linear layers are counted; additions of biases, batch norm, pooling
    and activations count 0 (they are one operation per output value, a negligible cost
    next to the products):

    - convolution: ``N * C_out * H_out * W_out * (C_in / groups) * kH * kW``, that is,
      per output value one product per weight of its filter;
    - transposed convolution: ``N * C_in * H_in * W_in * (C_out / groups) * kH * kW``,
      one kernel copy per input value;
    - linear: ``(output numel) * in_features``.

    One MAC is about two floating-point operations.

    Examples
    --------
    >>> from torch import nn
    >>> model = nn.Sequential(nn.Conv2d(3, 10, 5), nn.ReLU(), nn.MaxPool2d(2))
    >>> s = summary(model, (1, 3, 32, 32))
    >>> s.total_params                     # (5 * 5 * 3 + 1) * 10
    760
    >>> s.rows[0].macs == 10 * 28 * 28 * 3 * 5 * 5
    True
    >>> print(s)
    layer  type       output shape     params     MACs
    -----  ---------  ---------------  ------  -------
    0      Conv2d     (1, 10, 28, 28)     760  588,000
    1      ReLU       (1, 10, 28, 28)       0        0
    2      MaxPool2d  (1, 10, 14, 14)       0        0
    ==================================================
    input shape: (1, 3, 32, 32)
    total parameters: 760 (760 trainable)
    total multiply-accumulates (MACs): 588,000
    """
    import torch

    check_module(model, "model")
    if not isinstance(input_size, (tuple, list, torch.Size)) or len(input_size) == 0:
        raise TypeError(
            "input_size must be a tuple of integers (with the batch dimension), got "
            f"input_size={_show(input_size)}"
        )
    shape = tuple(
        _per_axis(tuple(input_size), "input_size", len(input_size), check_positive_int)
    )
    check_allocation(shape, f"input_size={shape}", what="the input")

    names = {m: name for name, m in model.named_modules()}
    leaves = [m for m in model.modules() if not list(m.children())]
    rows: list[LayerSummary] = []
    counted: set[int] = set()

    def own_params(m) -> int:
        total = 0
        for p in m.parameters(recurse=False):
            if id(p) not in counted:
                counted.add(id(p))
                total += p.numel()
        return total

    def hook(m, inputs, output):
        out_shape = tuple(output.shape) if isinstance(output, torch.Tensor) else None
        rows.append(
            LayerSummary(
                names[m] or type(m).__name__,
                type(m).__name__,
                out_shape,
                own_params(m),
                _macs(m, inputs, output),
            )
        )

    handles = [m.register_forward_hook(hook) for m in leaves]
    modes = {m: m.training for m in model.modules()}
    try:
        params = list(model.parameters())
        dtype = (
            params[0].dtype
            if params and params[0].is_floating_point()
            else torch.float32
        )
        device = params[0].device if params else torch.device("cpu")
        model.eval()
        with torch.no_grad():
            try:
                model(torch.zeros(shape, dtype=dtype, device=device))
            except RuntimeError as err:  # torch's message names neither argument
                raise ValueError(
                    f"input_size={shape} does not fit model: {err}"
                ) from err
    finally:
        for h in handles:
            h.remove()
        for m, mode in modes.items():
            m.training = mode
    leftover = 0
    for p in model.parameters():
        if id(p) not in counted:
            counted.add(id(p))
            leftover += p.numel()
    if leftover:
        rows.append(LayerSummary("(other parameters)", "", None, leftover, 0))
    total = sum(p.numel() for p in model.parameters())
    result = ModelSummary(
        shape,
        rows,
        total_params=sum(r.params for r in rows),
        trainable_params=sum(p.numel() for p in model.parameters() if p.requires_grad),
        total_macs=sum(r.macs for r in rows),
    )
    if result.total_params != total:  # pragma: no cover - a bug, not a user error
        raise RuntimeError(
            f"summary counted {result.total_params} parameters, the model has {total}"
        )
    return result
