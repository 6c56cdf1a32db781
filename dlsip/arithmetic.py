"""Convolution arithmetic: output sizes, receptive fields, parameter and cost tables, and
convolution written as a matrix.

The size relationships follow Dumoulin & Visin, *A guide to convolution arithmetic for deep
learning* (2016), in torch's symbols: input size ``i`` (``size``), kernel size ``k``
(``kernel_size``), stride ``s``, padding ``p``, dilation ``d``, output size ``o``. Every
size function returns exactly the size that :mod:`torch.nn.functional` produces, and raises
``ValueError`` (naming the argument) for every combination that torch rejects; the tests
check both claims against torch on thousands of random configurations.

Sizes and hyperparameters are integers per axis, or tuples of integers (one per axis, as in
torch's ``kernel_size=(3, 5)``); an integer is used on every axis. A function returns an
``int`` when all its arguments are integers and a tuple otherwise.

>>> conv_output_size(32, 5)          # LeNet's C1: 32 - 5 + 1
28
>>> conv_output_size((224, 224), 7, stride=2, padding=3)
(112, 112)
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

from ._validation import _is_int, _show, check_array, check_nonneg_int, check_positive_int

__all__ = [
    "conv_output_size",
    "pool_output_size",
    "conv_transpose_output_size",
    "same_padding",
    "effective_kernel_size",
    "receptive_field",
    "receptive_field_layers",
    "empirical_receptive_field",
    "ReceptiveFieldRecord",
    "ReceptiveFieldTable",
    "summary",
    "LayerSummary",
    "ModelSummary",
    "conv_matrix",
    "im2col",
    "col2im",
    "conv2d_im2col",
]


# ---------------------------------------------------------------------------------------
# Per-axis arguments
# ---------------------------------------------------------------------------------------

def _axes(named: dict) -> tuple[int, bool]:
    """The number of axes implied by the tuple-valued arguments (1 if all are ints)."""
    lengths = {}
    for name, value in named.items():
        if isinstance(value, (tuple, list)):
            if len(value) == 0:
                raise ValueError(f"{name} must be an integer or a non-empty tuple of integers, got {name}={_show(value)}")
            lengths[name] = len(value)
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{n} has {m}" for n, m in lengths.items())
        raise ValueError(f"tuple arguments must have one entry per axis, but {described}")
    return (next(iter(lengths.values())) if lengths else 1), bool(lengths)


def _per_axis(value, name: str, ndim: int, check) -> list[int]:
    values = list(value) if isinstance(value, (tuple, list)) else [value] * ndim
    out = []
    for v in values:
        if not _is_int(v):
            raise TypeError(f"{name} must be an integer or a tuple of integers, got {name}={_show(value)}")
        out.append(check(v, name))
    return out


def _result(values: list, as_tuple: bool):
    return tuple(values) if as_tuple else values[0]


def effective_kernel_size(kernel_size, *, dilation=1):
    """The extent of a dilated kernel: ``d (k - 1) + 1``.

    Parameters
    ----------
    kernel_size : int or tuple of int
    dilation : int or tuple of int
        ``1`` means no dilation (torch's convention).

    Returns
    -------
    int or tuple of int

    Raises
    ------
    TypeError
        If an argument is not an integer (or a tuple of integers).
    ValueError
        If an argument is below 1.

    Notes
    -----
    A kernel with ``k`` taps spaced ``d`` apart spans ``d (k - 1) + 1`` input samples
    (Dumoulin & Visin, relationship 15). For ``k = 3, d = 2``::

        x . x . x      5 samples, 3 of them used

    Examples
    --------
    >>> effective_kernel_size(3, dilation=2)
    5
    >>> effective_kernel_size((3, 1), dilation=4)
    (9, 1)
    """
    ndim, as_tuple = _axes({"kernel_size": kernel_size, "dilation": dilation})
    k = _per_axis(kernel_size, "kernel_size", ndim, check_positive_int)
    d = _per_axis(dilation, "dilation", ndim, check_positive_int)
    return _result([di * (ki - 1) + 1 for ki, di in zip(k, d)], as_tuple)


def _too_small(o, size, kernel, stride, padding, dilation, what="output size"):
    return ValueError(
        f"kernel_size={kernel} (dilation={dilation}, effective size {dilation * (kernel - 1) + 1}) "
        f"does not fit into size={size} with padding={padding} and stride={stride}: the "
        f"{what} would be {o}, but it must be at least 1"
    )


def conv_output_size(size, kernel_size, *, stride=1, padding=0, dilation=1):
    """The output size of a convolution (torch's ``Conv1d/2d/3d``), per axis.

    Parameters
    ----------
    size : int or tuple of int
        The input size ``i`` (length, or height and width), at least 1.
    kernel_size : int or tuple of int
    stride : int or tuple of int
    padding : int, tuple of int, or {"valid", "same"}
        Zeros added on each side. ``"valid"`` is 0; ``"same"`` (stride 1 only) keeps the
        size, with the extra zero on the right for an even effective kernel, as torch does.
    dilation : int or tuple of int

    Returns
    -------
    int or tuple of int
        ``o``, an int if every argument is an int.

    Raises
    ------
    TypeError
        If an argument is not an integer or a tuple of integers.
    ValueError
        If an argument is out of range (sizes, kernel sizes, strides and dilations must be
        positive, paddings non-negative), if ``padding="same"`` with a stride above 1, or
        if the dilated kernel does not fit into the padded input (``o < 1``).

    Notes
    -----
    Dumoulin & Visin's relationship 15, which torch implements:

    .. math:: o = \\left\\lfloor \\frac{i + 2p - d(k - 1) - 1}{s} \\right\\rfloor + 1 .

    With ``d = 1`` this is the familiar ``floor((i + 2p - k) / s) + 1``. The floor drops
    the last positions at which the kernel would stick out of the padded input.

    Examples
    --------
    >>> conv_output_size(5, 3)                       # valid: 5 - 3 + 1
    3
    >>> conv_output_size(5, 3, padding=1)            # same: (k - 1) / 2 zeros per side
    5
    >>> conv_output_size(5, 3, padding=2)            # full: k - 1 zeros per side
    7
    >>> conv_output_size(5, 3, stride=2)             # floor((5 - 3) / 2) + 1
    2
    >>> conv_output_size(7, 3, dilation=2)           # effective kernel 5
    3
    >>> conv_output_size((28, 28), 4, padding="same")
    (28, 28)
    >>> conv_output_size(3, 5)
    Traceback (most recent call last):
    ...
    ValueError: kernel_size=5 (dilation=1, effective size 5) does not fit into size=3 ...
    """
    if isinstance(padding, str):
        if padding not in ("valid", "same"):
            raise ValueError(f"padding must be an integer, a tuple of integers, 'valid' or 'same', got padding={padding!r}")
        ndim, as_tuple = _axes({"size": size, "kernel_size": kernel_size, "stride": stride, "dilation": dilation})
        i = _per_axis(size, "size", ndim, check_positive_int)
        k = _per_axis(kernel_size, "kernel_size", ndim, check_positive_int)
        s = _per_axis(stride, "stride", ndim, check_positive_int)
        d = _per_axis(dilation, "dilation", ndim, check_positive_int)
        if padding == "valid":
            return conv_output_size(_result(i, as_tuple), _result(k, as_tuple), stride=_result(s, as_tuple),
                                    padding=0, dilation=_result(d, as_tuple))
        if any(si != 1 for si in s):
            raise ValueError(f"padding='same' needs stride=1 (as in torch), got stride={stride}")
        return _result(i, as_tuple)
    ndim, as_tuple = _axes({"size": size, "kernel_size": kernel_size, "stride": stride,
                            "padding": padding, "dilation": dilation})
    i = _per_axis(size, "size", ndim, check_positive_int)
    k = _per_axis(kernel_size, "kernel_size", ndim, check_positive_int)
    s = _per_axis(stride, "stride", ndim, check_positive_int)
    p = _per_axis(padding, "padding", ndim, check_nonneg_int)
    d = _per_axis(dilation, "dilation", ndim, check_positive_int)
    out = []
    for ii, kk, ss, pp, dd in zip(i, k, s, p, d):
        o = (ii + 2 * pp - dd * (kk - 1) - 1) // ss + 1
        if o < 1:
            raise _too_small(o, ii, kk, ss, pp, dd)
        out.append(o)
    return _result(out, as_tuple)


def pool_output_size(size, kernel_size, *, stride=None, padding=0, dilation=1, ceil_mode=False):
    """The output size of max or average pooling (torch's ``MaxPool``/``AvgPool``), per axis.

    Parameters
    ----------
    size : int or tuple of int
        The input size ``i``, at least 1.
    kernel_size : int or tuple of int
    stride : int, tuple of int or None
        ``None`` (the default) means ``stride = kernel_size``, as in torch.
    padding : int or tuple of int
        At most half the kernel size (torch's rule: a window must not lie entirely in the
        padding).
    dilation : int or tuple of int
        Max pooling only (average pooling has no dilation; leave it at 1).
    ceil_mode : bool
        Round the number of windows up instead of down, keeping a last, partial window.

    Returns
    -------
    int or tuple of int

    Raises
    ------
    TypeError
        If an argument is not an integer (or a tuple of integers), or ``ceil_mode`` is not a
        bool.
    ValueError
        If an argument is out of range, if ``padding > kernel_size // 2``, or if the output
        would be empty.

    Notes
    -----
    Torch computes

    .. math:: o = \\left\\lfloor \\frac{i + 2p - d(k - 1) - 1}{s} \\right\\rfloor + 1

    with the floor replaced by a ceiling when ``ceil_mode=True``. A ceiling can create a
    window that starts in the right padding, which sees no input at all; torch drops it:
    in ceil mode, if ``(o - 1) s >= i + p`` then ``o`` is reduced by one. The last window
    must start inside the input or the left padding.

    Examples
    --------
    >>> pool_output_size(4, 2)                       # 4x4 map, 2x2 pool, stride 2
    2
    >>> pool_output_size(5, 2)                       # the last row is dropped...
    2
    >>> pool_output_size(5, 2, ceil_mode=True)       # ...or kept as a partial window
    3
    >>> pool_output_size(4, 2, stride=2, padding=1, ceil_mode=True)  # no empty window
    3
    >>> pool_output_size(4, 2, padding=2)
    Traceback (most recent call last):
    ...
    ValueError: padding must be at most half of kernel_size, got padding=2 with kernel_size=2
    """
    if not isinstance(ceil_mode, (bool, np.bool_)):
        raise TypeError(f"ceil_mode must be a bool, got ceil_mode={_show(ceil_mode)}")
    if stride is None:
        stride = kernel_size
    ndim, as_tuple = _axes({"size": size, "kernel_size": kernel_size, "stride": stride,
                            "padding": padding, "dilation": dilation})
    i = _per_axis(size, "size", ndim, check_positive_int)
    k = _per_axis(kernel_size, "kernel_size", ndim, check_positive_int)
    s = _per_axis(stride, "stride", ndim, check_positive_int)
    p = _per_axis(padding, "padding", ndim, check_nonneg_int)
    d = _per_axis(dilation, "dilation", ndim, check_positive_int)
    out = []
    for ii, kk, ss, pp, dd in zip(i, k, s, p, d):
        if pp > kk // 2:
            raise ValueError(f"padding must be at most half of kernel_size, got padding={padding} "
                             f"with kernel_size={kernel_size}")
        numerator = ii + 2 * pp - dd * (kk - 1) - 1 + (ss - 1 if ceil_mode else 0)
        o = numerator // ss + 1  # Python's // floors towards -inf, like torch's div_rtn
        if ceil_mode and (o - 1) * ss >= ii + pp:
            o -= 1  # the last window would start in the right padding
        if o < 1:
            raise _too_small(o, ii, kk, ss, pp, dd)
        out.append(o)
    return _result(out, as_tuple)


def conv_transpose_output_size(size, kernel_size, *, stride=1, padding=0, output_padding=0, dilation=1):
    """The output size of a transposed convolution (torch's ``ConvTranspose1d/2d/3d``).

    Parameters
    ----------
    size : int or tuple of int
        The input size ``i``, at least 1.
    kernel_size : int or tuple of int
    stride : int or tuple of int
    padding : int or tuple of int
        Rows and columns cropped from each side of the full output.
    output_padding : int or tuple of int
        Extra rows and columns added on one side (the bottom and right), to pick one of the
        ``s`` input sizes that a stride-``s`` convolution maps to the same size.
    dilation : int or tuple of int

    Returns
    -------
    int or tuple of int

    Raises
    ------
    TypeError
        If an argument is not an integer (or a tuple of integers).
    ValueError
        If an argument is out of range, if ``output_padding`` is not smaller than either
        ``stride`` or ``dilation`` (torch's rule), or if the output would be empty.

    Notes
    -----
    Dumoulin & Visin's relationship 14 with dilation, as torch computes it:

    .. math:: o = (i - 1) s - 2p + d(k - 1) + \\text{output\\_padding} + 1 .

    It inverts :func:`conv_output_size`: a convolution with the same ``k, s, p, d`` maps
    ``o`` back to ``i``.

    Examples
    --------
    >>> conv_transpose_output_size(2, 2)                 # the syllabus's 2x2 * 2x2 -> 3x3
    3
    >>> conv_transpose_output_size(2, 2, stride=2)       # -> 4x4
    4
    >>> conv_transpose_output_size(7, 3, stride=2, padding=1, output_padding=1)
    14
    >>> conv_transpose_output_size(7, 3, stride=2, output_padding=2)
    Traceback (most recent call last):
    ...
    ValueError: output_padding must be smaller than either stride or dilation, got output_padding=2 with stride=2 and dilation=1
    """
    ndim, as_tuple = _axes({"size": size, "kernel_size": kernel_size, "stride": stride, "padding": padding,
                            "output_padding": output_padding, "dilation": dilation})
    i = _per_axis(size, "size", ndim, check_positive_int)
    k = _per_axis(kernel_size, "kernel_size", ndim, check_positive_int)
    s = _per_axis(stride, "stride", ndim, check_positive_int)
    p = _per_axis(padding, "padding", ndim, check_nonneg_int)
    op = _per_axis(output_padding, "output_padding", ndim, check_nonneg_int)
    d = _per_axis(dilation, "dilation", ndim, check_positive_int)
    out = []
    for ii, kk, ss, pp, oo, dd in zip(i, k, s, p, op, d):
        if oo >= ss and oo >= dd:
            raise ValueError(f"output_padding must be smaller than either stride or dilation, got "
                             f"output_padding={output_padding} with stride={stride} and dilation={dilation}")
        o = (ii - 1) * ss - 2 * pp + dd * (kk - 1) + oo + 1
        if o < 1:
            raise ValueError(f"padding={padding} crops more than the full output: with size={size}, "
                             f"kernel_size={kernel_size}, stride={stride} and dilation={dilation} the output "
                             f"size would be {o}, but it must be at least 1")
        out.append(o)
    return _result(out, as_tuple)


def same_padding(kernel_size, *, dilation=1, asymmetric=False):
    """The zero padding that keeps the size of a stride-1 convolution ("same" padding).

    Parameters
    ----------
    kernel_size : int or tuple of int
    dilation : int or tuple of int
    asymmetric : bool
        With ``False`` (the default) return the padding per side, which exists only for an
        odd effective kernel. With ``True`` return ``(left, right)`` pairs, which exist for
        every kernel; for an even effective kernel the extra zero goes to the right (and the
        bottom), as with torch's ``padding="same"``.

    Returns
    -------
    int, tuple of int, tuple of (int, int), or tuple of tuples
        ``(k_eff - 1) / 2`` per axis; with ``asymmetric=True``, ``(left, right)`` per axis.

    Raises
    ------
    TypeError
        If an argument is not an integer (or a tuple of integers).
    ValueError
        If an argument is below 1, or if the effective kernel is even and
        ``asymmetric=False``: no symmetric padding keeps the size then, and the function
        says so rather than return a number that is off by one.

    Notes
    -----
    A stride-1 convolution shrinks the input by ``k_eff - 1`` samples, with
    ``k_eff = d (k - 1) + 1``; "same" padding adds those ``k_eff - 1`` zeros back,
    half on each side. Even ``k_eff - 1`` splits evenly, odd does not.

    Examples
    --------
    >>> same_padding(3)
    1
    >>> same_padding(3, dilation=2)       # effective kernel 5
    2
    >>> same_padding((5, 3))
    (2, 1)
    >>> same_padding(4, asymmetric=True)  # torch pads 1 left, 2 right
    (1, 2)
    >>> same_padding(4)
    Traceback (most recent call last):
    ...
    ValueError: kernel_size=4 with dilation=1 has an even effective size 4: no symmetric padding keeps the size; pass asymmetric=True for a (left, right) pair
    """
    if not isinstance(asymmetric, (bool, np.bool_)):
        raise TypeError(f"asymmetric must be a bool, got asymmetric={_show(asymmetric)}")
    ndim, as_tuple = _axes({"kernel_size": kernel_size, "dilation": dilation})
    k = _per_axis(kernel_size, "kernel_size", ndim, check_positive_int)
    d = _per_axis(dilation, "dilation", ndim, check_positive_int)
    out = []
    for kk, dd in zip(k, d):
        total = dd * (kk - 1)
        if asymmetric:
            out.append((total // 2, total - total // 2))
        elif total % 2:
            raise ValueError(f"kernel_size={kernel_size} with dilation={dilation} has an even effective size "
                             f"{total + 1}: no symmetric padding keeps the size; pass asymmetric=True for a "
                             f"(left, right) pair")
        else:
            out.append(total // 2)
    return _result(out, as_tuple)


# ---------------------------------------------------------------------------------------
# Receptive fields
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Geometry:
    """One local layer along the axes: kernel, stride, padding, dilation, and its kind."""

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

    ``n`` is the number of output positions, ``j`` the jump (the distance in input pixels
    between neighbouring outputs), ``r`` the receptive field size in input pixels and
    ``start`` the centre of the first output's receptive field, in input coordinates where
    pixel ``m`` covers ``[m, m + 1)`` (so the first pixel's centre is 0.5). Each is an int
    (a float for ``start``) for one axis, or a tuple with one entry per axis.
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


def _table(header: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> str:
    widths = [max(len(h), *(len(r[c]) for r in rows)) if rows else len(h) for c, h in enumerate(header)]

    def line(cells):
        return "  ".join(c.rjust(w) if k in right else c.ljust(w) for k, (c, w) in enumerate(zip(cells, widths))).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


class ReceptiveFieldTable(list):
    """The list of :class:`ReceptiveFieldRecord` returned by :func:`receptive_field`;
    it prints as a table. Record 0 is the input, record ``l`` the output of layer ``l``."""

    def __str__(self) -> str:
        header = ["layer", "k", "s", "p", "d", "n", "j", "r", "start"]
        rows = [[rec.name, _fmt(rec.kernel_size), _fmt(rec.stride), _fmt(rec.padding), _fmt(rec.dilation),
                 _fmt(rec.n), _fmt(rec.j), _fmt(rec.r), _fmt(rec.start)] for rec in self]
        return _table(header, rows, right=set(range(1, 9)))

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))


_LAYER_TUPLE_HELP = "(kernel_size, stride, padding) or (kernel_size, stride, padding, dilation)"


def _geometry_from_tuple(index: int, spec) -> _Geometry:
    if not isinstance(spec, (tuple, list)) or len(spec) not in (3, 4):
        raise ValueError(f"layers[{index}] must be a tuple {_LAYER_TUPLE_HELP}, got layers[{index}]={_show(spec)}")
    k, s, p, *rest = spec
    d = rest[0] if rest else 1
    named = {"kernel_size": k, "stride": s, "padding": p, "dilation": d}
    ndim, _ = _axes(named)
    return _Geometry(
        name=f"layer {index + 1}", kind="conv",
        kernel_size=tuple(_per_axis(k, "kernel_size", ndim, check_positive_int)),
        stride=tuple(_per_axis(s, "stride", ndim, check_positive_int)),
        padding=tuple(_per_axis(p, "padding", ndim, check_nonneg_int)),
        dilation=tuple(_per_axis(d, "dilation", ndim, check_positive_int)),
    )


def receptive_field_layers(model) -> list:
    """The local layers (convolutions and poolings) of a chain-shaped model, in the order
    the forward pass calls them, as ``(name, module)`` pairs.

    The walk stops at the first layer that mixes all positions (``Flatten``, ``Linear``,
    adaptive pooling, a flattening ``view``/``reshape``): from there on every unit sees the
    whole input. Layers that act on each position separately (activations, batch norm,
    dropout) are skipped.

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
        If the model has branches (a residual connection, a concatenation): out of scope,
        because different paths have different receptive fields; or if a layer's effect on
        the geometry is unknown.

    Examples
    --------
    >>> from torch import nn
    >>> model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4, 2))
    >>> [name for name, _ in receptive_field_layers(model)]
    ['0', '2']
    """
    from torch import nn

    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module or a list of layer tuples, got model={_show(model)}")

    def is_chain(m):
        return isinstance(m, nn.Sequential) and all(is_chain(c) or not list(c.children()) for c in m.children())

    if is_chain(model):
        calls = [(name, m) for name, m in model.named_modules() if not list(m.children()) and name]
    else:
        calls = _traced_chain(model)
    local = []
    for name, m in calls:
        if isinstance(m, (nn.Flatten, nn.Linear, nn.Bilinear, nn.modules.pooling._AdaptiveAvgPoolNd,
                          nn.modules.pooling._AdaptiveMaxPoolNd)) or m is _STOP:
            break
        if isinstance(m, (nn.modules.conv._ConvNd, nn.modules.pooling._MaxPoolNd, nn.modules.pooling._AvgPoolNd)):
            if isinstance(m, nn.modules.conv._ConvTransposeNd):
                raise ValueError(f"layer {name!r} is a transposed convolution: its receptive field arithmetic is "
                                 f"out of scope of receptive_field (it upsamples)")
            if isinstance(m, nn.modules.conv._ConvNd) and isinstance(m.padding, str):
                raise ValueError(f"layer {name!r} uses padding={m.padding!r}; give it an explicit integer padding")
            local.append((name, m))
        elif isinstance(m, _pointwise()):
            continue
        else:
            raise ValueError(f"layer {name!r} ({type(m).__name__}): receptive_field does not know how it changes "
                             f"the geometry; pass a list of {_LAYER_TUPLE_HELP} instead")
    return local


class _Stop:
    """Marks the point of a traced forward pass where the tensor is flattened."""


_STOP = _Stop()


@functools.lru_cache(maxsize=None)
def _pointwise() -> tuple:
    """Module types that act on each position separately (they keep the geometry)."""
    from torch import nn

    return (nn.modules.batchnorm._BatchNorm, nn.modules.dropout._DropoutNd, nn.Identity, nn.ReLU, nn.ReLU6,
            nn.LeakyReLU, nn.PReLU, nn.ELU, nn.SELU, nn.CELU, nn.GELU, nn.SiLU, nn.Mish, nn.Sigmoid, nn.Tanh,
            nn.Hardtanh, nn.Hardswish, nn.Hardsigmoid, nn.Softplus, nn.Softsign, nn.Tanhshrink, nn.LogSigmoid,
            nn.Threshold, nn.LocalResponseNorm)


# Functions that act on each position separately: a traced forward pass may call them.
_POINTWISE_FUNCTION_NAMES = {"relu", "relu_", "relu6", "leaky_relu", "gelu", "silu", "elu", "selu", "sigmoid",
                             "tanh", "dropout", "dropout2d", "hardtanh", "softplus", "mish", "hardswish",
                             "contiguous", "clone", "float", "double", "to"}
_FLATTEN_NAMES = {"flatten", "view", "reshape"}
_METADATA_NAMES = {"size", "dim"}


def _traced_chain(model) -> list:
    import torch.fx

    try:
        graph = torch.fx.symbolic_trace(model).graph
    except Exception as exc:  # data-dependent control flow and the like
        raise TypeError(f"could not trace the forward pass of {type(model).__name__} with torch.fx ({exc}); "
                        f"pass a list of {_LAYER_TUPLE_HELP} instead") from exc
    modules = dict(model.named_modules())

    def name_of(node):
        return node.target if isinstance(node.target, str) else getattr(node.target, "__name__", str(node.target))

    metadata = set()
    for node in graph.nodes:
        target = name_of(node)
        if (node.op == "call_method" and target in _METADATA_NAMES) or (
                node.op == "call_function" and node.target is getattr and node.args[1:2] in (("shape",),)):
            metadata.add(node)
        elif node.op in ("call_function", "call_method") and node.all_input_nodes and all(
                n in metadata for n in node.all_input_nodes):
            metadata.add(node)
    branch = "out of scope: receptive_field handles chains of layers; a model with branches (a residual " \
             "connection, a concatenation) has several receptive fields, one per path"
    calls = []
    for node in graph.nodes:
        if node in metadata or node.op in ("output", "get_attr"):
            continue
        tensor_inputs = [n for n in node.all_input_nodes if n not in metadata and n.op != "get_attr"]
        users = [u for u in node.users if u not in metadata]
        if len(users) > 1:
            raise ValueError(f"{type(model).__name__} has branches (the output of {node.name!r} feeds "
                             f"{len(users)} operations): {branch}")
        if len(tensor_inputs) > 1:
            raise ValueError(f"{type(model).__name__} has branches ({node.name!r} combines "
                             f"{len(tensor_inputs)} tensors): {branch}")
    for node in graph.nodes:
        if node in metadata or node.op in ("placeholder", "output", "get_attr"):
            continue
        target = name_of(node)
        if node.op == "call_module":
            calls.append((node.target, modules[node.target]))
        elif target in _FLATTEN_NAMES:
            calls.append((node.name, _STOP))
        elif target.lstrip("_") not in _POINTWISE_FUNCTION_NAMES:
            raise ValueError(f"the forward pass of {type(model).__name__} calls {target!r} at {node.name!r}: "
                             f"receptive_field does not know how it changes the geometry; use modules, or pass "
                             f"a list of {_LAYER_TUPLE_HELP}")
    return calls


def _geometry_from_module(name: str, m, ndim: int) -> _Geometry:
    from torch import nn

    def axes(value):
        return tuple(value) if isinstance(value, (tuple, list)) else (value,) * ndim

    if isinstance(m, nn.modules.conv._ConvNd):
        return _Geometry(name, "conv", axes(m.kernel_size), axes(m.stride), axes(m.padding), axes(m.dilation))
    if isinstance(m, nn.modules.pooling._MaxPoolNd):
        stride = m.stride if m.stride is not None else m.kernel_size
        return _Geometry(name, "pool", axes(m.kernel_size), axes(stride), axes(m.padding), axes(m.dilation),
                         bool(m.ceil_mode))
    stride = m.stride if m.stride is not None else m.kernel_size
    return _Geometry(name, "pool", axes(m.kernel_size), axes(stride), axes(m.padding), (1,) * ndim,
                     bool(m.ceil_mode))


def receptive_field(layers, input_size) -> ReceptiveFieldTable:
    """Receptive-field arithmetic through a stack of convolutions and poolings.

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
        If a layer does not fit into its input (see :func:`conv_output_size`), if a model
        has branches (out of scope) or unknown layers, or if ``input_size`` is one int but a
        layer is not square.

    Notes
    -----
    For a layer with kernel ``k`` (the effective size ``d (k - 1) + 1`` when dilated),
    stride ``s`` and padding ``p``, after Dang Ha The Hien's receptive field arithmetic:

    .. math::

        n_{out} &= \\left\\lfloor \\frac{n_{in} + 2p - k}{s} \\right\\rfloor + 1 \\\\
        j_{out} &= j_{in}\\, s \\\\
        r_{out} &= r_{in} + (k - 1)\\, j_{in} \\\\
        start_{out} &= start_{in} + \\left(\\frac{k - 1}{2} - p\\right) j_{in}

    Pooling layers use :func:`pool_output_size` for ``n`` (so ``ceil_mode`` counts). Output
    ``u`` (from 0) of layer ``l`` sees the input interval centred at ``start + u j`` of
    width ``r``, clipped to the image; padding shows as the part outside it.

    Examples
    --------
    The syllabus's example: two 3x3 convolutions with stride 2 and padding 1 on 5 pixels.

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
                dims = {"1d": 1, "2d": 2, "3d": 3}.get(type(m).__name__[-2:].lower(), ndim_in)
            spatial = dims if spatial is None else spatial
            geoms.append(_geometry_from_module(name, m, dims))
    elif isinstance(layers, (list, tuple)):
        geoms = [_geometry_from_tuple(i, spec) for i, spec in enumerate(layers)]
    else:
        raise TypeError(f"layers must be a list of {_LAYER_TUPLE_HELP} or a torch.nn.Module, got layers={_show(layers)}")

    ndim = ndim_in
    for g in geoms:
        if len(g.kernel_size) > 1 and not in_tuple and len(set(zip(g.kernel_size, g.stride, g.padding, g.dilation))) > 1:
            raise ValueError(f"{g.name} is not the same along every axis (kernel_size={g.kernel_size}, stride="
                             f"{g.stride}, padding={g.padding}, dilation={g.dilation}); pass input_size as a "
                             f"tuple with one entry per axis")
        if in_tuple and len(g.kernel_size) not in (1, ndim):
            raise ValueError(f"input_size has {ndim} axes but {g.name} has {len(g.kernel_size)}")

    def per_axis(values):
        values = tuple(values)
        return values[0] if not in_tuple else (values * ndim if len(values) == 1 else values)

    def pick(values, axis):
        return values[axis] if len(values) > 1 else values[0]

    n = list(sizes)
    j = [1] * ndim
    r = [1] * ndim
    start = [0.5] * ndim
    table = ReceptiveFieldTable([ReceptiveFieldRecord("input", None, None, None, None, _result(n, in_tuple),
                                                      _result(j, in_tuple), _result(r, in_tuple),
                                                      _result(start, in_tuple))])
    for g in geoms:
        for a in range(ndim):
            k, s, p, d = (pick(v, a) for v in (g.kernel_size, g.stride, g.padding, g.dilation))
            k_eff = d * (k - 1) + 1
            if g.kind == "pool":
                n[a] = pool_output_size(n[a], k, stride=s, padding=p, dilation=d, ceil_mode=g.ceil_mode)
            else:
                try:
                    n[a] = conv_output_size(n[a], k, stride=s, padding=p, dilation=d)
                except ValueError as exc:
                    raise ValueError(f"{g.name}: {exc}") from None
            start[a] = start[a] + ((k_eff - 1) / 2 - p) * j[a]
            r[a] = r[a] + (k_eff - 1) * j[a]
            j[a] = j[a] * s
        table.append(ReceptiveFieldRecord(
            g.name, per_axis(g.kernel_size), per_axis(g.stride), per_axis(g.padding), per_axis(g.dilation),
            _result(list(n), in_tuple), _result(list(j), in_tuple), _result(list(r), in_tuple),
            _result([float(v) for v in start], in_tuple)))
    return table


def empirical_receptive_field(model, input_size, position=None):
    """Measure the receptive field of one output unit by back-propagation.

    The model is copied; in the copy every convolution weight is set to a positive
    constant and every bias to 0, max pooling becomes average pooling with the same
    geometry, and activations and batch norm become the identity. The copy is then a sum
    of positive terms, so the gradient of one output unit with respect to the input is
    nonzero exactly where that unit looks: on its receptive field (clipped to the image).
    The gradient is computed in float64, from a one-hot gradient at ``position``.

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
        If ``model`` is not a module.
    ValueError
        If ``position`` lies outside the output, or the model contains a layer that the
        copy cannot make positive (see :func:`receptive_field_layers`).

    Examples
    --------
    >>> from torch import nn
    >>> model = nn.Sequential(nn.Conv2d(1, 2, 3, stride=2, padding=1), nn.ReLU(), nn.Conv2d(2, 1, 3, stride=2, padding=1))
    >>> empirical_receptive_field(model, (1, 9, 9), position=(2, 2))   # rows and columns 5..11, clipped
    ((5, 8), (5, 8))
    >>> empirical_receptive_field(model, (1, 9, 9), position=(1, 1))   # centred at 4.5: 1..7
    ((1, 7), (1, 7))
    """
    import copy

    import torch
    from torch import nn

    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got model={_show(model)}")
    shape = tuple(_per_axis(tuple(input_size), "input_size", len(tuple(input_size)), check_positive_int))
    positive = copy.deepcopy(model).to(torch.float64)
    local = {name for name, _ in receptive_field_layers(positive)}  # also rejects branches

    def replace(parent):
        for child_name, child in parent.named_children():
            if isinstance(child, nn.modules.pooling._MaxPoolNd):
                if any(d != 1 for d in (child.dilation if isinstance(child.dilation, tuple) else (child.dilation,))):
                    raise ValueError("empirical_receptive_field cannot replace a dilated max pooling by an average")
                avg = {1: nn.AvgPool1d, 2: nn.AvgPool2d, 3: nn.AvgPool3d}[int(type(child).__name__[-2])]
                setattr(parent, child_name, avg(child.kernel_size, child.stride, child.padding,
                                                ceil_mode=child.ceil_mode, count_include_pad=True))
            elif isinstance(child, _pointwise()):
                setattr(parent, child_name, nn.Identity())
            elif isinstance(child, nn.modules.conv._ConvNd):
                with torch.no_grad():
                    child.weight.fill_(1.0 / child.weight[0].numel())  # an average: no overflow
                    if child.bias is not None:
                        child.bias.zero_()
            else:
                replace(child)

    replace(positive)
    positive.eval()
    x = torch.ones((1, *shape), dtype=torch.float64, requires_grad=True)
    y = positive(x) if local else x
    spatial = y.shape[2:]
    if position is None:
        position = tuple(s // 2 for s in spatial)
    position = tuple(position)
    if len(position) != len(spatial) or any(not _is_int(p) or not 0 <= p < s for p, s in zip(position, spatial)):
        raise ValueError(f"position must index the output's spatial shape {tuple(spatial)}, got position={position}")
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


# ---------------------------------------------------------------------------------------
# Model summary
# ---------------------------------------------------------------------------------------

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
        body = [[r.name, r.type, _fmt(tuple(r.output_shape)) if r.output_shape is not None else "",
                 f"{r.params:,}", f"{r.macs:,}"] for r in self.rows]
        text = _table(header, body, right={3, 4})
        width = len(text.splitlines()[1])
        return "\n".join([
            text, "=" * width,
            f"input shape: {_fmt(tuple(self.input_size))}",
            f"total parameters: {self.total_params:,} ({self.trainable_params:,} trainable)",
            f"total multiply-accumulates (MACs): {self.total_macs:,}",
        ])

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))


def _macs(module, inputs, output) -> int:
    from torch import nn

    if isinstance(module, nn.modules.conv._ConvTransposeNd):
        # every input element scales one (C_out / groups) x k x k copy of the kernel
        x = inputs[0]
        return int(x.numel() * (module.out_channels // module.groups) * math.prod(module.kernel_size))
    if isinstance(module, nn.modules.conv._ConvNd):
        return int(output.numel() * (module.in_channels // module.groups) * math.prod(module.kernel_size))
    if isinstance(module, nn.Linear):
        return int(output.numel() * module.in_features)
    return 0


def summary(model, input_size) -> ModelSummary:
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
        If a size is below 1.

    Notes
    -----
    The forward pass runs once on zeros, in evaluation mode and without gradients (the
    model's mode is restored). Parameters are counted where they are registered, once even
    if a module is called twice; parameters that belong to no leaf module that ran (a
    token registered on a container, an unused layer) get a row of their own, so that the
    total always equals ``sum(p.numel() for p in model.parameters())``. Buffers (batch
    norm's running statistics) are not parameters.

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
    from torch import nn

    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got model={_show(model)}")
    if not isinstance(input_size, (tuple, list, torch.Size)) or len(input_size) == 0:
        raise TypeError(f"input_size must be a tuple of integers (with the batch dimension), got input_size={_show(input_size)}")
    shape = tuple(_per_axis(tuple(input_size), "input_size", len(input_size), check_positive_int))

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
        rows.append(LayerSummary(names[m] or type(m).__name__, type(m).__name__, out_shape, own_params(m),
                                 _macs(m, inputs, output)))

    handles = [m.register_forward_hook(hook) for m in leaves]
    modes = {m: m.training for m in model.modules()}
    try:
        params = list(model.parameters())
        dtype = params[0].dtype if params and params[0].is_floating_point() else torch.float32
        device = params[0].device if params else torch.device("cpu")
        model.eval()
        with torch.no_grad():
            model(torch.zeros(shape, dtype=dtype, device=device))
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
    result = ModelSummary(shape, rows, total_params=sum(r.params for r in rows),
                          trainable_params=sum(p.numel() for p in model.parameters() if p.requires_grad),
                          total_macs=sum(r.macs for r in rows))
    if result.total_params != total:  # pragma: no cover - a bug, not a user error
        raise RuntimeError(f"summary counted {result.total_params} parameters, the model has {total}")
    return result


# ---------------------------------------------------------------------------------------
# Convolution as a matrix
# ---------------------------------------------------------------------------------------

def _padding_amounts(padding, kernel_shape, name="padding"):
    """Zero padding per axis as (before, after) pairs, from an int, a tuple or a word."""
    if isinstance(padding, str):
        if padding == "valid":
            return [(0, 0)] * len(kernel_shape)
        if padding == "full":
            return [(k - 1, k - 1) for k in kernel_shape]
        if padding == "same":
            if any(k % 2 == 0 for k in kernel_shape):
                raise ValueError(f"padding='same' needs an odd kernel, got kernel of shape {tuple(kernel_shape)}")
            return [((k - 1) // 2, (k - 1) // 2) for k in kernel_shape]
        raise ValueError(f"{name} must be an integer, a tuple of integers, 'valid', 'same' or 'full', got {name}={padding!r}")
    p = _per_axis(padding, name, len(kernel_shape), check_nonneg_int)
    if len(p) != len(kernel_shape):
        raise ValueError(f"{name} must have one entry per axis ({len(kernel_shape)}), got {name}={_show(padding)}")
    return [(q, q) for q in p]


def conv_matrix(kernel, input_shape, *, stride=1, padding=0, sparse=False):
    """The matrix ``C`` of a cross-correlation, so that ``C @ x.ravel()`` is the output.

    Parameters
    ----------
    kernel : array_like, shape (kL,) or (kH, kW)
    input_shape : int or tuple of int
        ``L`` (or ``(L,)``) for a 1D signal, ``(H, W)`` for an image.
    stride : int or tuple of int
    padding : int, tuple of int, or {"valid", "same", "full"}
        Zero padding per side; "same" needs an odd kernel (stride 1 keeps the size),
        "full" pads ``k - 1`` per side.
    sparse : bool
        Return a ``scipy.sparse.csr_array`` instead of a dense array.

    Returns
    -------
    ndarray or scipy.sparse.csr_array, shape (prod(output shape), prod(input_shape))
        Row ``u`` holds the kernel's weights at the columns of the input pixels that
        output ``u`` sees; padding contributes nothing (its zeros are not stored).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``kernel`` and ``input_shape`` disagree on the number of axes, or the kernel does
        not fit (see :func:`conv_output_size`).

    Notes
    -----
    Deep-learning "convolution" is cross-correlation, :math:`y_u = \\sum_m w_m x_{su + m - p}`,
    a linear map of ``x``: ``y = C x``. In 1D with stride 1, ``C`` is a banded Toeplitz
    matrix: constant along its diagonals, ``C[u, v] = w[v - u + p]``. In 2D (pixels in
    row-major order), ``C`` is a block Toeplitz matrix whose blocks are themselves Toeplitz
    (doubly block Toeplitz): block ``(a, b)`` is the 1D matrix of kernel row ``b - a + p``.
    It is sparse (a row has at most ``kH * kW`` nonzeros) and its entries are tied (each
    weight appears once per output). The gradient of a loss with respect to ``x`` is
    ``C^T`` times the gradient with respect to ``y``: a transposed convolution.

    Examples
    --------
    >>> conv_matrix([1, 2, 3], 5)                # 1D: a banded Toeplitz matrix
    array([[1., 2., 3., 0., 0.],
           [0., 1., 2., 3., 0.],
           [0., 0., 1., 2., 3.]])
    >>> conv_matrix([1, 2, 3], 4, padding=1, stride=2)
    array([[2., 3., 0., 0.],
           [0., 1., 2., 3.]])
    >>> C = conv_matrix([[1, 2], [3, 4]], (3, 3))
    >>> C.shape                                  # 2x2 outputs from 3x3 inputs
    (4, 9)
    >>> C[0]
    array([1., 2., 0., 3., 4., 0., 0., 0., 0.])
    """
    kernel = check_array(kernel, "kernel", ndim=(1, 2)).astype(float)
    if _is_int(input_shape):
        input_shape = (input_shape,)
    if not isinstance(input_shape, (tuple, list)):
        raise TypeError(f"input_shape must be an integer or a tuple of integers, got input_shape={_show(input_shape)}")
    shape = _per_axis(tuple(input_shape), "input_shape", len(input_shape), check_positive_int)
    if len(shape) != kernel.ndim:
        raise ValueError(f"input_shape must have as many axes as kernel ({kernel.ndim}), got input_shape={tuple(input_shape)}")
    pads = _padding_amounts(padding, kernel.shape)
    strides = _per_axis(stride, "stride", kernel.ndim, check_positive_int)
    if len(strides) != kernel.ndim:
        raise ValueError(f"stride must have one entry per axis ({kernel.ndim}), got stride={_show(stride)}")
    out_shape = []
    for i, k, (pb, pa), s in zip(shape, kernel.shape, pads, strides):
        o = (i + pb + pa - k) // s + 1
        if o < 1:
            raise _too_small(o, i, k, s, (pb, pa) if pb != pa else pb, 1)
        out_shape.append(o)
    # Row index of each (output, kernel tap) pair and the input pixel the tap lands on.
    grids = np.meshgrid(*[np.arange(o) for o in out_shape], *[np.arange(k) for k in kernel.shape], indexing="ij")
    nd = kernel.ndim
    coords = [grids[a] * strides[a] + grids[nd + a] - pads[a][0] for a in range(nd)]
    inside = np.ones(grids[0].shape, dtype=bool)
    for a in range(nd):
        inside &= (coords[a] >= 0) & (coords[a] < shape[a])
    rows = np.ravel_multi_index([g[inside] for g in grids[:nd]], out_shape)
    cols = np.ravel_multi_index([c[inside] for c in coords], shape)
    values = kernel[tuple(g[inside] for g in grids[nd:])]
    n_out, n_in = math.prod(out_shape), math.prod(shape)
    import scipy.sparse

    matrix = scipy.sparse.csr_array((values, (rows, cols)), shape=(n_out, n_in))
    return matrix if sparse else matrix.toarray()


def _unfold_indices(c, h, w, kernel_size, stride, padding, dilation):
    kh, kw = kernel_size
    oh = conv_output_size(h, kh, stride=stride[0], padding=padding[0], dilation=dilation[0])
    ow = conv_output_size(w, kw, stride=stride[1], padding=padding[1], dilation=dilation[1])
    # rows: (channel, kernel row, kernel column), like torch's unfold; columns: output pixels
    ch = np.repeat(np.arange(c), kh * kw)[:, None]
    ki = np.tile(np.repeat(np.arange(kh), kw), c)[:, None] * dilation[0]
    kj = np.tile(np.arange(kw), c * kh)[:, None] * dilation[1]
    oi = np.repeat(np.arange(oh), ow)[None, :] * stride[0]
    oj = np.tile(np.arange(ow), oh)[None, :] * stride[1]
    return ch, ki + oi, kj + oj, (oh, ow)


def _check_nchw(x, name):
    arr = check_array(x, name, ndim=4)
    return arr


def _pairs(kernel_size, stride, padding, dilation):
    from ._validation import check_pair

    return (check_pair(kernel_size, "kernel_size"), check_pair(stride, "stride"),
            check_pair(padding, "padding", minimum=0), check_pair(dilation, "dilation"))


def im2col(x, kernel_size, *, stride=1, padding=0, dilation=1):
    """Unfold every kernel-sized patch of a batch of images into a column.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    kernel_size : int or (int, int)
    stride, padding, dilation : int or (int, int)
        As for ``torch.nn.Conv2d``; padding adds zeros.

    Returns
    -------
    ndarray, shape (N, C * kH * kW, H_out * W_out)
        Column ``u`` holds the patch seen by output pixel ``u`` (row-major), with rows in
        the order (channel, kernel row, kernel column): exactly what
        ``torch.nn.functional.unfold`` returns.

    Raises
    ------
    TypeError
        If ``x`` is not numeric or an argument is not an integer (pair).
    ValueError
        If ``x`` is not 4D or the kernel does not fit (see :func:`conv_output_size`).

    Notes
    -----
    A convolution with weights ``W`` of shape ``(C_out, C, kH, kW)`` is then one matrix
    product: ``W.reshape(C_out, -1) @ im2col(x)`` has shape ``(N, C_out, H_out * W_out)``
    (:func:`conv2d_im2col`). The price is memory: every input pixel is copied up to
    ``kH * kW`` times.

    Examples
    --------
    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> im2col(x, 2)[0]
    array([[0., 1., 3., 4.],
           [1., 2., 4., 5.],
           [3., 4., 6., 7.],
           [4., 5., 7., 8.]])
    """
    x = _check_nchw(x, "x")
    k, s, p, d = _pairs(kernel_size, stride, padding, dilation)
    n, c, h, w = x.shape
    ch, rows, cols, _ = _unfold_indices(c, h, w, k, s, p, d)
    padded = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
    return padded[:, ch, rows, cols]


def col2im(cols, output_size, kernel_size, *, stride=1, padding=0, dilation=1):
    """Sum columns back into images: the adjoint (transpose) of :func:`im2col`.

    Parameters
    ----------
    cols : ndarray, shape (N, C * kH * kW, L)
    output_size : (int, int)
        The image size ``(H, W)`` that :func:`im2col` unfolded.
    kernel_size, stride, padding, dilation : int or (int, int)
        The same as for :func:`im2col`.

    Returns
    -------
    ndarray, shape (N, C, H, W)
        Each pixel receives the sum of every column entry that :func:`im2col` copied from
        it (``torch.nn.functional.fold``). Entries that came from padding are dropped.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``cols`` does not have the shape that :func:`im2col` would give.

    Notes
    -----
    ``col2im`` is the transpose of the linear map ``im2col``: for all ``x`` and ``y``,
    ``<im2col(x), y> = <x, col2im(y)>``. It is therefore how the gradient flows back
    through an im2col convolution. It is not an inverse: overlapping patches add up.

    Examples
    --------
    >>> ones = np.ones((1, 4, 4))
    >>> col2im(ones, (3, 3), 2)[0, 0]            # how many patches cover each pixel
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    cols = check_array(cols, "cols", ndim=3)
    if not isinstance(output_size, (tuple, list)) or len(output_size) != 2:
        raise TypeError(f"output_size must be a pair (H, W), got output_size={_show(output_size)}")
    h, w = (check_positive_int(v, "output_size") for v in output_size)
    k, s, p, d = _pairs(kernel_size, stride, padding, dilation)
    n, rows_total, length = cols.shape
    if rows_total % (k[0] * k[1]):
        raise ValueError(f"cols must have C * kH * kW rows, a multiple of {k[0] * k[1]}, got cols with shape {cols.shape}")
    c = rows_total // (k[0] * k[1])
    ch, rows, cols_idx, (oh, ow) = _unfold_indices(c, h, w, k, s, p, d)
    if length != oh * ow:
        raise ValueError(f"cols must have {oh * ow} columns (the output pixels for output_size={tuple(output_size)}), "
                         f"got cols with shape {cols.shape}")
    padded = np.zeros((n, c, h + 2 * p[0], w + 2 * p[1]), dtype=np.result_type(cols.dtype, np.float64))
    for b in range(n):
        np.add.at(padded[b], (ch, rows, cols_idx), cols[b])
    return padded[:, :, p[0]:p[0] + h, p[1]:p[1] + w]


def conv2d_im2col(x, weight, bias=None, *, stride=1, padding=0, dilation=1):
    """A 2D convolution (cross-correlation, as in torch) computed as one matrix product.

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
    weight : ndarray, shape (C_out, C_in, kH, kW)
    bias : ndarray, shape (C_out,), optional
    stride, padding, dilation : int or (int, int)

    Returns
    -------
    ndarray, shape (N, C_out, H_out, W_out)

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If the shapes disagree or the kernel does not fit.

    Notes
    -----
    ``out[n] = weight.reshape(C_out, C_in * kH * kW) @ im2col(x)[n] + bias[:, None]``:
    the patches are unfolded once (:func:`im2col`), then a single dense matrix product,
    which BLAS runs near peak speed, does all the multiply-accumulates.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> w = np.ones((1, 1, 3, 3))
    >>> conv2d_im2col(x, w)[0, 0]                # sums of the four 3x3 patches
    array([[45., 54.],
           [81., 90.]])
    """
    x = _check_nchw(x, "x")
    weight = check_array(weight, "weight", ndim=4)
    if weight.shape[1] != x.shape[1]:
        raise ValueError(f"weight must have C_in={x.shape[1]} input channels (x's), got weight with shape {weight.shape}")
    c_out, _, kh, kw = weight.shape
    cols = im2col(x, (kh, kw), stride=stride, padding=padding, dilation=dilation)
    _, s, p, d = _pairs((kh, kw), stride, padding, dilation)
    oh = conv_output_size(x.shape[2], kh, stride=s[0], padding=p[0], dilation=d[0])
    ow = conv_output_size(x.shape[3], kw, stride=s[1], padding=p[1], dilation=d[1])
    out = np.matmul(weight.reshape(c_out, -1), cols)
    if bias is not None:
        bias = check_array(bias, "bias", ndim=1)
        if bias.shape != (c_out,):
            raise ValueError(f"bias must have shape ({c_out},), got bias with shape {bias.shape}")
        out = out + bias[:, None]
    return out.reshape(x.shape[0], c_out, oh, ow)
