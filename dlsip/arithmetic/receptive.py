"""Receptive fields: which input pixels a unit of a deep layer can see."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .._validation import (
    _is_int,
    _show,
    check_allocation,
    check_module,
    check_nonneg_int,
    check_positive_int,
)

if TYPE_CHECKING:  # only for annotations: importing this module does not import torch
    import torch

from .sizes import _axes, _per_axis, _result, conv_output_size, pool_output_size

# --------------------------------------------------------------------------------------
# Receptive fields
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Geometry:
    """One local layer along the axes: kernel, stride, padding, dilation, its kind."""

    name: str
    kind: str  # "conv" or "pool"
    kernel_size: tuple
    stride: tuple
    padding: tuple
    dilation: tuple
    ceil_mode: bool = False


@dataclass(frozen=True)
class ReceptiveFieldRecord:
    """The receptive-field arithmetic after one layer (after the input, for record 0).

    ``n`` is the number of output positions, ``j`` the jump (the distance in input
    pixels between neighbouring outputs), ``r`` the receptive field size in input pixels
    and ``start`` the centre of the first output's receptive field, in input coordinates
    where pixel ``m`` covers ``[m, m + 1)`` (so the first pixel's centre is 0.5). Each
    is an int (a float for ``start``) for one axis, or a tuple with one entry per axis.
    """

    name: str
    kernel_size: object
    stride: object
    padding: object
    dilation: object
    n: object
    j: object
    r: object
    start: object


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return "(" + ", ".join(_fmt(v) for v in value) + ")"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _table(
    header: list[str], rows: list[list[str]], right: set[int] = frozenset()
) -> str:
    widths = [
        max(len(h), *(len(r[c]) for r in rows)) if rows else len(h)
        for c, h in enumerate(header)
    ]

    def line(cells):
        return "  ".join(
            c.rjust(w) if k in right else c.ljust(w)
            for k, (c, w) in enumerate(zip(cells, widths))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


class ReceptiveFieldTable(list):
    """The list of :class:`ReceptiveFieldRecord` returned by :func:`receptive_field`;
    it prints as a table. Record 0 is the input, record ``l`` the output of layer
    ``l``."""

    def __str__(self) -> str:
        header = ["layer", "k", "s", "p", "d", "n", "j", "r", "start"]
        rows = [
            [
                rec.name,
                _fmt(rec.kernel_size),
                _fmt(rec.stride),
                _fmt(rec.padding),
                _fmt(rec.dilation),
                _fmt(rec.n),
                _fmt(rec.j),
                _fmt(rec.r),
                _fmt(rec.start),
            ]
            for rec in self
        ]
        return _table(header, rows, right=set(range(1, 9)))

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))


_LAYER_TUPLE_HELP = (
    "(kernel_size, stride, padding) or (kernel_size, stride, padding, dilation)"
)


def _geometry_from_tuple(index: int, spec) -> _Geometry:
    if not isinstance(spec, (tuple, list)) or len(spec) not in (3, 4):
        raise ValueError(
            f"layers[{index}] must be a tuple {_LAYER_TUPLE_HELP}, got "
            f"layers[{index}]={_show(spec)}"
        )
    k, s, p, *rest = spec
    d = rest[0] if rest else 1
    named = {"kernel_size": k, "stride": s, "padding": p, "dilation": d}
    try:
        ndim, _ = _axes(named)
        return _Geometry(
            name=f"layer {index + 1}",
            kind="conv",
            kernel_size=tuple(_per_axis(k, "kernel_size", ndim, check_positive_int)),
            stride=tuple(_per_axis(s, "stride", ndim, check_positive_int)),
            padding=tuple(_per_axis(p, "padding", ndim, check_nonneg_int)),
            dilation=tuple(_per_axis(d, "dilation", ndim, check_positive_int)),
        )
    except (TypeError, ValueError) as exc:  # name the argument: layers[i], not k
        raise type(exc)(f"layers[{index}]={_show(spec)}: {exc}") from None


def receptive_field_layers(model: torch.nn.Module) -> list:
    """The local layers (convolutions and poolings) of a chain-shaped model, in the
    order the forward pass calls them, as ``(name, module)`` pairs.

    The walk stops at the first layer that mixes all positions (``Flatten``, ``Linear``,
    adaptive pooling, a flattening ``view``/``reshape``): from there on every unit sees
    the whole input. Layers that act on each position separately (activations, batch
    norm, dropout) are skipped.

    Parameters
    ----------
    model : torch.nn.Module
        A ``Sequential`` (nested ones are fine), or any module whose forward pass
        ``torch.fx`` can trace into a chain.

    Returns
    -------
    list of (str, torch.nn.Module)

    Raises
    ------
    TypeError
        If ``model`` is not a module, or cannot be traced.
    ValueError
        If the model has branches (a residual connection, a concatenation): out of
        scope, because different paths have different receptive fields; or if a layer's
        effect on the geometry is unknown.

    Examples
    --------
    >>> from torch import nn
    >>> model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2),
    ...                       nn.Flatten(), nn.Linear(4, 2))
    >>> [name for name, _ in receptive_field_layers(model)]
    ['0', '2']
    """
    from torch import nn

    if not isinstance(model, nn.Module):
        raise TypeError(
            "model must be a torch.nn.Module or a list of layer tuples, got "
            f"model={_show(model)}"
        )

    def is_chain(m):
        return isinstance(m, nn.Sequential) and all(
            is_chain(c) or not list(c.children()) for c in m.children()
        )

    if is_chain(model):
        calls = [
            (name, m)
            for name, m in model.named_modules()
            if not list(m.children()) and name
        ]
    else:
        calls = _traced_chain(model)
    local = []
    for name, m in calls:
        if (
            isinstance(
                m,
                (
                    nn.Flatten,
                    nn.Linear,
                    nn.Bilinear,
                    nn.modules.pooling._AdaptiveAvgPoolNd,
                    nn.modules.pooling._AdaptiveMaxPoolNd,
                ),
            )
            or m is _STOP
        ):
            break
        if isinstance(
            m,
            (
                nn.modules.conv._ConvNd,
                nn.modules.pooling._MaxPoolNd,
                nn.modules.pooling._AvgPoolNd,
            ),
        ):
            if isinstance(m, nn.modules.conv._ConvTransposeNd):
                raise ValueError(
                    f"layer {name!r} is a transposed convolution: its receptive field "
                    "arithmetic is "
                    f"out of scope of receptive_field (it upsamples)"
                )
            if isinstance(m, nn.modules.conv._ConvNd) and isinstance(m.padding, str):
                raise ValueError(
                    f"layer {name!r} uses padding={m.padding!r}; give it an explicit "
                    "integer padding"
                )
            local.append((name, m))
        elif isinstance(m, _pointwise()):
            continue
        else:
            raise ValueError(
                f"layer {name!r} ({type(m).__name__}): receptive_field does not know "
                "how it changes "
                f"the geometry; pass a list of {_LAYER_TUPLE_HELP} instead"
            )
    return local


class _Stop:
    """Marks the point of a traced forward pass where the tensor is flattened."""


_STOP = _Stop()


@functools.lru_cache(maxsize=None)
def _pointwise() -> tuple:
    """Module types that act on each position separately (they keep the geometry)."""
    from torch import nn

    return (
        nn.modules.batchnorm._BatchNorm,
        nn.modules.dropout._DropoutNd,
        nn.Identity,
        nn.ReLU,
        nn.ReLU6,
        nn.LeakyReLU,
        nn.PReLU,
        nn.ELU,
        nn.SELU,
        nn.CELU,
        nn.GELU,
        nn.SiLU,
        nn.Mish,
        nn.Sigmoid,
        nn.Tanh,
        nn.Hardtanh,
        nn.Hardswish,
        nn.Hardsigmoid,
        nn.Softplus,
        nn.Softsign,
        nn.Tanhshrink,
        nn.LogSigmoid,
        nn.Threshold,
        nn.LocalResponseNorm,
    )


# Functions that act on each position separately: a traced forward pass may call them.
_POINTWISE_FUNCTION_NAMES = {
    "relu",
    "relu_",
    "relu6",
    "leaky_relu",
    "gelu",
    "silu",
    "elu",
    "selu",
    "sigmoid",
    "tanh",
    "dropout",
    "dropout2d",
    "hardtanh",
    "softplus",
    "mish",
    "hardswish",
    "contiguous",
    "clone",
    "float",
    "double",
    "to",
}
_FLATTEN_NAMES = {"flatten", "view", "reshape"}
_METADATA_NAMES = {"size", "dim"}


def _traced_chain(model) -> list:
    import torch.fx

    try:
        graph = torch.fx.symbolic_trace(model).graph
    except Exception as exc:  # data-dependent control flow and the like
        raise TypeError(
            f"could not trace the forward pass of {type(model).__name__} with "
            f"torch.fx ({exc}); "
            f"pass a list of {_LAYER_TUPLE_HELP} instead"
        ) from exc
    modules = dict(model.named_modules())

    def name_of(node):
        return (
            node.target
            if isinstance(node.target, str)
            else getattr(node.target, "__name__", str(node.target))
        )

    metadata = set()
    for node in graph.nodes:
        target = name_of(node)
        if (node.op == "call_method" and target in _METADATA_NAMES) or (
            node.op == "call_function"
            and node.target is getattr
            and node.args[1:2] in (("shape",),)
        ):
            metadata.add(node)
        elif (
            node.op in ("call_function", "call_method")
            and node.all_input_nodes
            and all(n in metadata for n in node.all_input_nodes)
        ):
            metadata.add(node)
    branch = (
        "out of scope: receptive_field handles chains of layers; a model with "
        "branches (a residual "
        "connection, a concatenation) has several receptive fields, one per path"
    )
    calls = []
    for node in graph.nodes:
        if node in metadata or node.op in ("output", "get_attr"):
            continue
        tensor_inputs = [
            n for n in node.all_input_nodes if n not in metadata and n.op != "get_attr"
        ]
        users = [u for u in node.users if u not in metadata]
        if len(users) > 1:
            raise ValueError(
                f"{type(model).__name__} has branches (the output of {node.name!r} "
                "feeds "
                f"{len(users)} operations): {branch}"
            )
        if len(tensor_inputs) > 1:
            raise ValueError(
                f"{type(model).__name__} has branches ({node.name!r} combines "
                f"{len(tensor_inputs)} tensors): {branch}"
            )
    for node in graph.nodes:
        if node in metadata or node.op in ("placeholder", "output", "get_attr"):
            continue
        target = name_of(node)
        if node.op == "call_module":
            calls.append((node.target, modules[node.target]))
        elif target in _FLATTEN_NAMES:
            calls.append((node.name, _STOP))
        elif target.lstrip("_") not in _POINTWISE_FUNCTION_NAMES:
            raise ValueError(
                f"the forward pass of {type(model).__name__} calls {target!r} at "
                f"{node.name!r}: "
                "receptive_field does not know how it changes the geometry; use "
                "modules, or pass "
                f"a list of {_LAYER_TUPLE_HELP}"
            )
    return calls


def _geometry_from_module(name: str, m, ndim: int) -> _Geometry:
    from torch import nn

    def axes(value):
        return tuple(value) if isinstance(value, (tuple, list)) else (value,) * ndim

    if isinstance(m, nn.modules.conv._ConvNd):
        return _Geometry(
            name,
            "conv",
            axes(m.kernel_size),
            axes(m.stride),
            axes(m.padding),
            axes(m.dilation),
        )
    if isinstance(m, nn.modules.pooling._MaxPoolNd):
        stride = m.stride if m.stride is not None else m.kernel_size
        return _Geometry(
            name,
            "pool",
            axes(m.kernel_size),
            axes(stride),
            axes(m.padding),
            axes(m.dilation),
            bool(m.ceil_mode),
        )
    stride = m.stride if m.stride is not None else m.kernel_size
    return _Geometry(
        name,
        "pool",
        axes(m.kernel_size),
        axes(stride),
        axes(m.padding),
        (1,) * ndim,
        bool(m.ceil_mode),
    )


def receptive_field(
    layers: torch.nn.Module | Sequence, input_size: int | tuple[int, ...]
) -> ReceptiveFieldTable:
    r"""Receptive-field arithmetic through a stack of convolutions and poolings.

    Parameters
    ----------
    layers : list of tuple, or torch.nn.Module
        Either tuples ``(kernel_size, stride, padding)`` or ``(kernel_size, stride,
        padding, dilation)`` (ints, or tuples with one entry per axis), read as
        convolutions; or a model, whose conv and pool layers are walked in the order its
        forward pass calls them (for a ``Sequential``, its registration order) up to the
        first layer that mixes all positions (see :func:`receptive_field_layers`).
    input_size : int or tuple of int
        The input's size ``n_0``: one int for a square input (or one axis), or one entry
        per axis (``(H, W)``).

    Returns
    -------
    ReceptiveFieldTable
        A list of :class:`ReceptiveFieldRecord` with ``n``, ``j``, ``r``, ``start``:
        record 0 is the input (``n = input_size, j = 1, r = 1, start = 0.5``), record
        ``l`` the output of layer ``l``. It prints as a table.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``layers`` is an empty list, a layer does not fit into its input (see
        :func:`conv_output_size`), a model has branches (out of scope) or unknown
        layers, or ``input_size`` is one int but a layer is not square.

    Notes
    -----
    For a layer with kernel ``k`` (the effective size ``d (k - 1) + 1`` when dilated),
    stride ``s`` and padding ``p``, after Dang Ha The Hien's receptive field arithmetic:

    .. math::

        n_{out} &= \left\lfloor \frac{n_{in} + 2p - k}{s} \right\rfloor + 1 \\
        j_{out} &= j_{in}\, s \\
        r_{out} &= r_{in} + (k - 1)\, j_{in} \\
        start_{out} &= start_{in} + \left(\frac{k - 1}{2} - p\right) j_{in}

    Pooling layers use :func:`pool_output_size` for ``n`` (so ``ceil_mode`` counts).
    Output ``u`` (from 0) of layer ``l`` sees the input interval centred at ``start + u
    j`` of width ``r``, clipped to the image; padding shows as the part outside it.

    Examples
    --------
    The lecture's example (deck 001): two 3x3 convolutions with stride 2 and
    padding 1 on 5 pixels.

    >>> table = receptive_field([(3, 2, 1), (3, 2, 1)], 5)
    >>> [(rec.n, rec.j, rec.r, rec.start) for rec in table]
    [(5, 1, 1, 0.5), (3, 2, 3, 0.5), (2, 4, 7, 0.5)]
    >>> print(table)
    layer    k  s  p  d  n  j  r  start
    -------  -  -  -  -  -  -  -  -----
    input                5  1  1    0.5
    layer 1  3  2  1  1  3  2  3    0.5
    layer 2  3  2  1  1  2  4  7    0.5
    """
    ndim_in, in_tuple = _axes({"input_size": input_size})
    sizes = _per_axis(input_size, "input_size", ndim_in, check_positive_int)
    try:
        from torch import nn

        is_module = isinstance(layers, nn.Module)
    except ImportError:  # pragma: no cover - torch is a dependency
        is_module = False
    if is_module:
        spatial = None
        geoms = []
        for name, m in receptive_field_layers(layers):
            dims = len(m.kernel_size) if isinstance(m.kernel_size, tuple) else None
            if dims is None:  # pooling layers keep the int kernel_size they were given
                dims = {"1d": 1, "2d": 2, "3d": 3}.get(
                    type(m).__name__[-2:].lower(), ndim_in
                )
            spatial = dims if spatial is None else spatial
            geoms.append(_geometry_from_module(name, m, dims))
    elif isinstance(layers, (list, tuple)):
        if not layers:
            raise ValueError(f"layers must hold a layer, got layers={layers}")
        geoms = [_geometry_from_tuple(i, spec) for i, spec in enumerate(layers)]
    else:
        raise TypeError(
            f"layers must be a list of {_LAYER_TUPLE_HELP} or a torch.nn.Module, got "
            f"layers={_show(layers)}"
        )

    ndim = ndim_in
    for g in geoms:
        if (
            len(g.kernel_size) > 1
            and not in_tuple
            and len(set(zip(g.kernel_size, g.stride, g.padding, g.dilation))) > 1
        ):
            raise ValueError(
                f"{g.name} is not the same along every axis "
                f"(kernel_size={g.kernel_size}, stride="
                f"{g.stride}, padding={g.padding}, dilation={g.dilation}); pass "
                "input_size as a "
                f"tuple with one entry per axis"
            )
        if in_tuple and len(g.kernel_size) not in (1, ndim):
            raise ValueError(
                f"input_size has {ndim} axes but {g.name} has {len(g.kernel_size)}"
            )

    def per_axis(values):
        values = tuple(values)
        return (
            values[0]
            if not in_tuple
            else (values * ndim if len(values) == 1 else values)
        )

    def pick(values, axis):
        return values[axis] if len(values) > 1 else values[0]

    n = list(sizes)
    j = [1] * ndim
    r = [1] * ndim
    start = [0.5] * ndim
    table = ReceptiveFieldTable(
        [
            ReceptiveFieldRecord(
                "input",
                None,
                None,
                None,
                None,
                _result(n, in_tuple),
                _result(j, in_tuple),
                _result(r, in_tuple),
                _result(start, in_tuple),
            )
        ]
    )
    for g in geoms:
        for a in range(ndim):
            k, s, p, d = (
                pick(v, a) for v in (g.kernel_size, g.stride, g.padding, g.dilation)
            )
            k_eff = d * (k - 1) + 1
            if g.kind == "pool":
                n[a] = pool_output_size(
                    n[a], k, stride=s, padding=p, dilation=d, ceil_mode=g.ceil_mode
                )
            else:
                try:
                    n[a] = conv_output_size(n[a], k, stride=s, padding=p, dilation=d)
                except ValueError as exc:
                    raise ValueError(f"{g.name}: {exc}") from None
            start[a] = start[a] + ((k_eff - 1) / 2 - p) * j[a]
            r[a] = r[a] + (k_eff - 1) * j[a]
            j[a] = j[a] * s
        table.append(
            ReceptiveFieldRecord(
                g.name,
                per_axis(g.kernel_size),
                per_axis(g.stride),
                per_axis(g.padding),
                per_axis(g.dilation),
                _result(list(n), in_tuple),
                _result(list(j), in_tuple),
                _result(list(r), in_tuple),
                _result([float(v) for v in start], in_tuple),
            )
        )
    return table


def empirical_receptive_field(
    model: torch.nn.Module,
    input_size: tuple[int, ...],
    position: tuple[int, ...] | None = None,
) -> tuple[tuple[int, int], ...] | None:
    """Measure the receptive field of one output unit by back-propagation.

    The model is copied; in the copy every convolution weight is set to a positive
    constant and every bias to 0, max pooling becomes average pooling with the same
    geometry, and activations and batch norm become the identity. The copy is then a sum
    of positive terms, so the gradient of one output unit with respect to the input is
    nonzero exactly where that unit looks: on its receptive field (clipped to the
    image). The gradient is computed in float64, from a one-hot gradient at
    ``position``.

    Parameters
    ----------
    model : torch.nn.Module
        A chain of convolutions, poolings and pointwise layers (as for
        :func:`receptive_field`); the original is not modified.
    input_size : tuple of int
        The input shape without the batch dimension, ``(C, H, W)`` or ``(C, L)``.
    position : tuple of int, optional
        The output unit's spatial index; by default the centre of the output.

    Returns
    -------
    tuple of (int, int), or None
        For each spatial axis, the first and last input index (inclusive) with a nonzero
        gradient; ``None`` if the unit sees nothing but padding.

    Raises
    ------
    TypeError
        If ``model`` is not a module or ``input_size`` is not a tuple of integers.
    ValueError
        If ``input_size`` does not fit the model, ``position`` lies outside the output,
        or the model contains a layer that the copy cannot make positive (see
        :func:`receptive_field_layers`).

    Examples
    --------
    >>> from torch import nn
    >>> model = nn.Sequential(nn.Conv2d(1, 2, 3, stride=2, padding=1), nn.ReLU(),
    ...                       nn.Conv2d(2, 1, 3, stride=2, padding=1))
    >>> empirical_receptive_field(model, (1, 9, 9), position=(2, 2))  # 5..11, clipped
    ((5, 8), (5, 8))
    >>> empirical_receptive_field(model, (1, 9, 9), position=(1, 1))  # centred at 4.5
    ((1, 7), (1, 7))
    """
    import copy

    import torch
    from torch import nn

    check_module(model, "model")
    if not isinstance(input_size, (tuple, list)) or len(input_size) < 2:
        raise TypeError(
            "input_size must be a tuple (C, H, W) or (C, L) of integers, got "
            f"input_size={_show(input_size)}"
        )
    shape = tuple(_per_axis(input_size, "input_size", 0, check_positive_int))
    check_allocation((1, *shape), f"input_size={shape}", what="the input")
    positive = copy.deepcopy(model).to(torch.float64)
    local = {
        name for name, _ in receptive_field_layers(positive)
    }  # also rejects branches

    def replace(parent):
        for child_name, child in parent.named_children():
            if isinstance(child, nn.modules.pooling._MaxPoolNd):
                if any(
                    d != 1
                    for d in (
                        child.dilation
                        if isinstance(child.dilation, tuple)
                        else (child.dilation,)
                    )
                ):
                    raise ValueError(
                        "empirical_receptive_field cannot replace a dilated max "
                        "pooling by an average"
                    )
                avg = {1: nn.AvgPool1d, 2: nn.AvgPool2d, 3: nn.AvgPool3d}[
                    int(type(child).__name__[-2])
                ]
                setattr(
                    parent,
                    child_name,
                    avg(
                        child.kernel_size,
                        child.stride,
                        child.padding,
                        ceil_mode=child.ceil_mode,
                        count_include_pad=True,
                    ),
                )
            elif isinstance(child, _pointwise()):
                setattr(parent, child_name, nn.Identity())
            elif isinstance(child, nn.modules.conv._ConvNd):
                with torch.no_grad():
                    child.weight.fill_(
                        1.0 / child.weight[0].numel()
                    )  # an average: no overflow
                    if child.bias is not None:
                        child.bias.zero_()
            else:
                replace(child)

    replace(positive)
    positive.eval()
    x = torch.ones((1, *shape), dtype=torch.float64, requires_grad=True)
    try:
        y = positive(x) if local else x
    except RuntimeError as err:  # torch's message names neither argument
        raise ValueError(f"input_size={shape} does not fit model: {err}") from err
    spatial = y.shape[2:]
    if position is None:
        position = tuple(s // 2 for s in spatial)
    position = tuple(position)
    if len(position) != len(spatial) or any(
        not _is_int(p) or not 0 <= p < s for p, s in zip(position, spatial)
    ):
        raise ValueError(
            f"position must index the output's spatial shape {tuple(spatial)}, got "
            f"position={position}"
        )
    grad = torch.zeros_like(y)
    grad[(0, 0, *position)] = 1.0
    y.backward(grad)
    support = (x.grad[0].abs().sum(dim=0) > 0).numpy()
    if not support.any():
        return None  # the unit sees only padding
    result = []
    for axis in range(support.ndim):
        other = tuple(a for a in range(support.ndim) if a != axis)
        hit = np.flatnonzero(support.any(axis=other) if other else support)
        result.append((int(hit[0]), int(hit[-1])))
    return tuple(result)


def effective_receptive_field(
    model: torch.nn.Module,
    input_size: tuple[int, ...],
    *,
    position: tuple[int, ...] | None = None,
    samples: int = 8,
    rng: np.random.Generator | int | None = None,
) -> np.ndarray:
    r"""The effective receptive field of one output unit: where its gradient lives.

    The theoretical receptive field (:func:`receptive_field`) says which pixels *can*
    influence a unit. The effective receptive field (Luo et al. 2016) says how much each
    one does: the mean absolute gradient of the unit with respect to the input, over
    random inputs. The model is used as it is (its weights, its nonlinearities), on a
    float64 copy in evaluation mode.

    Parameters
    ----------
    model : torch.nn.Module
        Any model whose output has spatial axes, ``(N, C_out, *spatial)``; the original
        is not modified.
    input_size : tuple of int
        The input shape without the batch dimension, ``(C, H, W)`` or ``(C, L)``.
    position : tuple of int, optional
        The output unit's spatial index; by default the centre of the output. The
        gradient starts from 1 in every output channel at that position.
    samples : int
        How many standard normal inputs to average over.
    rng : numpy.random.Generator, int or None
        Source of the random inputs.

    Returns
    -------
    ndarray, shape ``input_size[1:]``
        :math:`\mathrm{mean}_x \sum_c |\partial y_{\mathrm{position}} / \partial x_c|`,
        normalised to sum to 1 (all zeros if the unit sees only padding).

    Raises
    ------
    TypeError
        If ``model`` is not a module, ``input_size`` not a tuple of integers or ``rng``
        not a generator, seed or None.
    ValueError
        If ``samples`` is not positive, ``input_size`` does not fit the model or
        ``position`` lies outside the output.

    Notes
    -----
    For a stack of linear convolutions the gradient does not depend on the input: it
    is the composed kernel, the convolution of the layers' kernels. With :math:`n`
    layers of positive kernels it tends to a Gaussian whose width grows as
    :math:`\sqrt{n}`, while the theoretical receptive field grows as :math:`n`: the
    effective field fills a shrinking part of the theoretical one, already at
    initialisation (Luo et al. 2016, section 2).

    References
    ----------
    W. Luo, Y. Li, R. Urtasun and R. Zemel, "Understanding the effective receptive
    field in deep convolutional neural networks", NeurIPS 2016.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> model = nn.Sequential(nn.Conv1d(1, 1, 3, bias=False), nn.Conv1d(1, 1, 3,
    ...                                                               bias=False))
    >>> with torch.no_grad():
    ...     _ = [m.weight.fill_(1.0) for m in model]
    >>> erf = effective_receptive_field(model, (1, 7))   # two boxes: a triangle
    >>> (erf * 9).round(6).tolist()
    [0.0, 1.0, 2.0, 3.0, 2.0, 1.0, 0.0]
    """
    import copy

    import torch

    from .._validation import check_rng

    check_module(model, "model")
    if not isinstance(input_size, (tuple, list)) or len(input_size) < 2:
        raise TypeError(
            "input_size must be a tuple (C, H, W) or (C, L) of integers, got "
            f"input_size={_show(input_size)}"
        )
    shape = tuple(_per_axis(input_size, "input_size", 0, check_positive_int))
    samples = check_positive_int(samples, "samples")
    check_allocation(
        (samples, *shape), f"samples={samples} and input_size={shape}", what="inputs"
    )
    rng = check_rng(rng)
    net = copy.deepcopy(model).to(torch.float64).eval()
    x = torch.from_numpy(rng.standard_normal((samples, *shape))).requires_grad_()
    try:
        y = net(x)
    except RuntimeError as err:  # torch's message names neither argument
        raise ValueError(f"input_size={shape} does not fit model: {err}") from err
    spatial = tuple(y.shape[2:])
    if not spatial:
        raise ValueError(
            f"model's output has no spatial axes (shape {tuple(y.shape)}): an "
            "effective receptive field needs one"
        )
    if position is None:
        position = tuple(s // 2 for s in spatial)
    position = tuple(position) if isinstance(position, (tuple, list)) else position
    if (
        not isinstance(position, tuple)
        or len(position) != len(spatial)
        or any(not _is_int(p) or not 0 <= p < s for p, s in zip(position, spatial))
    ):
        raise ValueError(
            f"position must index the output's spatial shape {spatial}, got "
            f"position={_show(position)}"
        )
    grad = torch.zeros_like(y)
    grad[(slice(None), slice(None), *position)] = 1.0
    y.backward(grad)
    erf = x.grad.abs().sum(dim=1).mean(dim=0).numpy()
    total = erf.sum()
    return erf / total if total > 0 else erf
