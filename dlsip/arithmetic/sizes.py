"""Output sizes of convolution and pooling: how many windows fit along an axis.

The size relationships follow Dumoulin & Visin, *A guide to convolution arithmetic for
deep learning* (2016), in torch's symbols: input size ``i`` (``size``), kernel size
``k`` (``kernel_size``), stride ``s``, padding ``p``, dilation ``d``, output size ``o``.
Every size function returns exactly the size that :mod:`torch.nn.functional` produces,
and raises ``ValueError`` (naming the argument) for every combination that torch
rejects; the tests check both claims against torch on thousands of random
configurations.

Sizes and hyperparameters are integers per axis, or tuples of integers (one per axis, as
in torch's ``kernel_size=(3, 5)``); an integer is used on every axis. A function returns
an ``int`` when all its arguments are integers and a tuple otherwise.

>>> conv_output_size(32, 5)          # LeNet's C1: 32 - 5 + 1
28
>>> conv_output_size((224, 224), 7, stride=2, padding=3)
(112, 112)
"""

from __future__ import annotations

from .._validation import (
    _is_int,
    _show,
    check_bool,
    check_nonneg_int,
    check_positive_int,
)

#: An integer (the same on every axis) or a tuple of integers, one per axis.
Size = int | tuple[int, ...]


# --------------------------------------------------------------------------------------
# Per-axis arguments
# --------------------------------------------------------------------------------------


def _axes(named: dict) -> tuple[int, bool]:
    """The number of axes implied by the tuple-valued arguments (1 if all are ints)."""
    lengths = {}
    for name, value in named.items():
        if isinstance(value, (tuple, list)):
            if len(value) == 0:
                raise ValueError(
                    f"{name} must be an integer or a non-empty tuple of integers, got "
                    f"{name}={_show(value)}"
                )
            lengths[name] = len(value)
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{n} has {m}" for n, m in lengths.items())
        raise ValueError(
            f"tuple arguments must have one entry per axis, but {described}"
        )
    return (next(iter(lengths.values())) if lengths else 1), bool(lengths)


def _per_axis(value, name: str, ndim: int, check) -> list[int]:
    values = list(value) if isinstance(value, (tuple, list)) else [value] * ndim
    out = []
    for v in values:
        if not _is_int(v):
            raise TypeError(
                f"{name} must be an integer or a tuple of integers, got "
                f"{name}={_show(value)}"
            )
        out.append(check(v, name))
    return out


def _result(values: list, as_tuple: bool):
    return tuple(values) if as_tuple else values[0]


def effective_kernel_size(kernel_size: Size, *, dilation: Size = 1) -> Size:
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
    return _result([di * (ki - 1) + 1 for ki, di in zip(k, d, strict=True)], as_tuple)


def _too_small(o, size, kernel, stride, padding, dilation, what="output size"):
    return ValueError(
        f"kernel_size={kernel} (dilation={dilation}, effective size "
        f"{dilation * (kernel - 1) + 1}) does not fit into size={size} with "
        f"padding={padding} and stride={stride}: the {what} would be {o}, but it must "
        f"be at least 1"
    )


def _window_count(
    size: int,
    kernel: int,
    stride: int,
    padding: int,
    dilation: int,
    *,
    ceil_mode: bool = False,
) -> int:
    """The number of window positions along one axis: the package's one copy of the
    output-size formula (Dumoulin & Visin's relationship 15, as torch computes it).

    ``ceil_mode`` rounds up instead of down, but never keeps a window that would start
    in the right padding (torch's rule for pooling). Raises ``ValueError`` when no
    window fits.
    """
    numerator = size + 2 * padding - dilation * (kernel - 1) - 1
    if ceil_mode:
        numerator += stride - 1
    o = numerator // stride + 1  # Python's // floors towards -inf, like torch's div_rtn
    if ceil_mode and (o - 1) * stride >= size + padding:
        o -= 1  # the last window would start in the right padding
    if o < 1:
        raise _too_small(o, size, kernel, stride, padding, dilation)
    return o


def conv_output_size(
    size: Size,
    kernel_size: Size,
    *,
    stride: Size = 1,
    padding: Size | str = 0,
    dilation: Size = 1,
) -> Size:
    r"""The output size of a convolution (torch's ``Conv1d/2d/3d``), per axis.

    Parameters
    ----------
    size : int or tuple of int
        The input size ``i`` (length, or height and width), at least 1.
    kernel_size : int or tuple of int
    stride : int or tuple of int
    padding : int, tuple of int, or {"valid", "same"}
        Zeros added on each side. ``"valid"`` is 0; ``"same"`` (stride 1 only) keeps the
        size, with the extra zero on the right for an even effective kernel, as torch
        does.
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
        If an argument is out of range (sizes, kernel sizes, strides and dilations must
        be positive, paddings non-negative), if ``padding="same"`` with a stride above
        1, or if the dilated kernel does not fit into the padded input (``o < 1``).

    Notes
    -----
    Dumoulin & Visin's relationship 15, which torch implements:

    .. math:: o = \left\lfloor \frac{i + 2p - d(k - 1) - 1}{s} \right\rfloor + 1 .

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
    ValueError: kernel_size=5 (dilation=1, effective size 5) does not fit into ...
    """
    if isinstance(padding, str):
        if padding not in ("valid", "same"):
            raise ValueError(
                "padding must be an integer, a tuple of integers, 'valid' or 'same', "
                f"got padding={padding!r}"
            )
        ndim, as_tuple = _axes(
            {
                "size": size,
                "kernel_size": kernel_size,
                "stride": stride,
                "dilation": dilation,
            }
        )
        i = _per_axis(size, "size", ndim, check_positive_int)
        k = _per_axis(kernel_size, "kernel_size", ndim, check_positive_int)
        s = _per_axis(stride, "stride", ndim, check_positive_int)
        d = _per_axis(dilation, "dilation", ndim, check_positive_int)
        if padding == "valid":
            return conv_output_size(
                _result(i, as_tuple),
                _result(k, as_tuple),
                stride=_result(s, as_tuple),
                padding=0,
                dilation=_result(d, as_tuple),
            )
        if any(si != 1 for si in s):
            raise ValueError(
                f"padding='same' needs stride=1 (as in torch), got stride={stride}"
            )
        return _result(i, as_tuple)
    ndim, as_tuple = _axes(
        {
            "size": size,
            "kernel_size": kernel_size,
            "stride": stride,
            "padding": padding,
            "dilation": dilation,
        }
    )
    i = _per_axis(size, "size", ndim, check_positive_int)
    k = _per_axis(kernel_size, "kernel_size", ndim, check_positive_int)
    s = _per_axis(stride, "stride", ndim, check_positive_int)
    p = _per_axis(padding, "padding", ndim, check_nonneg_int)
    d = _per_axis(dilation, "dilation", ndim, check_positive_int)
    out = [_window_count(*axis) for axis in zip(i, k, s, p, d, strict=True)]
    return _result(out, as_tuple)


def pool_output_size(
    size: Size,
    kernel_size: Size,
    *,
    stride: Size | None = None,
    padding: Size = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
) -> Size:
    r"""The output size of max or average pooling (torch's ``MaxPool``/``AvgPool``).

    Parameters
    ----------
    size : int or tuple of int
        The input size ``i``, at least 1.
    kernel_size : int or tuple of int
    stride : int, tuple of int or None
        ``None`` (the default) means ``stride = kernel_size``, as in torch.
    padding : int or tuple of int
        At most half the kernel size (torch's rule: a window must not lie entirely in
        the padding).
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
        If an argument is not an integer (or a tuple of integers), or ``ceil_mode`` is
        not a bool.
    ValueError
        If an argument is out of range, if ``padding > kernel_size // 2``, or if the
        output would be empty.

    Notes
    -----
    Torch computes

    .. math:: o = \left\lfloor \frac{i + 2p - d(k - 1) - 1}{s} \right\rfloor + 1

    with the floor replaced by a ceiling when ``ceil_mode=True``. A ceiling can create a
    window that starts in the right padding, which sees no input at all; torch drops it:
    in ceil mode, if ``(o - 1) s >= i + p`` then ``o`` is reduced by one. The last
    window must start inside the input or the left padding.

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
    ValueError: padding must be at most half of kernel_size, got padding=2 with ...
    """
    ceil_mode = check_bool(ceil_mode, "ceil_mode")
    if stride is None:
        stride = kernel_size
    ndim, as_tuple = _axes(
        {
            "size": size,
            "kernel_size": kernel_size,
            "stride": stride,
            "padding": padding,
            "dilation": dilation,
        }
    )
    i = _per_axis(size, "size", ndim, check_positive_int)
    k = _per_axis(kernel_size, "kernel_size", ndim, check_positive_int)
    s = _per_axis(stride, "stride", ndim, check_positive_int)
    p = _per_axis(padding, "padding", ndim, check_nonneg_int)
    d = _per_axis(dilation, "dilation", ndim, check_positive_int)
    out = []
    for ii, kk, ss, pp, dd in zip(i, k, s, p, d, strict=True):
        if pp > kk // 2:
            raise ValueError(
                f"padding must be at most half of kernel_size, got padding={padding} "
                f"with kernel_size={kernel_size}"
            )
        out.append(_window_count(ii, kk, ss, pp, dd, ceil_mode=bool(ceil_mode)))
    return _result(out, as_tuple)


def conv_transpose_output_size(
    size: Size,
    kernel_size: Size,
    *,
    stride: Size = 1,
    padding: Size = 0,
    output_padding: Size = 0,
    dilation: Size = 1,
) -> Size:
    r"""The output size of a transposed convolution (torch's ``ConvTranspose1d/2d/3d``).

    Parameters
    ----------
    size : int or tuple of int
        The input size ``i``, at least 1.
    kernel_size : int or tuple of int
    stride : int or tuple of int
    padding : int or tuple of int
        Rows and columns cropped from each side of the full output.
    output_padding : int or tuple of int
        Extra rows and columns added on one side (the bottom and right), to pick one of
        the ``s`` input sizes that a stride-``s`` convolution maps to the same size.
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

    .. math:: o = (i - 1) s - 2p + d(k - 1) + \text{output\_padding} + 1 .

    It inverts :func:`conv_output_size`: a convolution with the same ``k, s, p, d`` maps
    ``o`` back to ``i``.

    Examples
    --------
    >>> conv_transpose_output_size(2, 2)             # the lecture's 2x2 * 2x2 -> 3x3
    3
    >>> conv_transpose_output_size(2, 2, stride=2)       # -> 4x4
    4
    >>> conv_transpose_output_size(7, 3, stride=2, padding=1, output_padding=1)
    14
    >>> conv_transpose_output_size(7, 3, stride=2, output_padding=2)
    Traceback (most recent call last):
    ...
    ValueError: output_padding must be smaller than either stride or dilation, got ...
    """
    ndim, as_tuple = _axes(
        {
            "size": size,
            "kernel_size": kernel_size,
            "stride": stride,
            "padding": padding,
            "output_padding": output_padding,
            "dilation": dilation,
        }
    )
    i = _per_axis(size, "size", ndim, check_positive_int)
    k = _per_axis(kernel_size, "kernel_size", ndim, check_positive_int)
    s = _per_axis(stride, "stride", ndim, check_positive_int)
    p = _per_axis(padding, "padding", ndim, check_nonneg_int)
    op = _per_axis(output_padding, "output_padding", ndim, check_nonneg_int)
    d = _per_axis(dilation, "dilation", ndim, check_positive_int)
    out = []
    for ii, kk, ss, pp, oo, dd in zip(i, k, s, p, op, d, strict=True):
        if oo >= ss and oo >= dd:
            raise ValueError(
                f"output_padding must be smaller than either stride or dilation, got "
                f"output_padding={output_padding} with stride={stride} and "
                f"dilation={dilation}"
            )
        o = (ii - 1) * ss - 2 * pp + dd * (kk - 1) + oo + 1
        if o < 1:
            raise ValueError(
                f"padding={padding} crops more than the full output: with size={size}, "
                f"kernel_size={kernel_size}, stride={stride} and dilation={dilation} "
                "the output "
                f"size would be {o}, but it must be at least 1"
            )
        out.append(o)
    return _result(out, as_tuple)


def same_padding(
    kernel_size: Size, *, dilation: Size = 1, asymmetric: bool = False
) -> Size | tuple[int, int] | tuple[tuple[int, int], ...]:
    """The zero padding that keeps the size of a stride-1 convolution ("same" padding).

    Parameters
    ----------
    kernel_size : int or tuple of int
    dilation : int or tuple of int
    asymmetric : bool
        With ``False`` (the default) return the padding per side, which exists only for
        an odd effective kernel. With ``True`` return ``(left, right)`` pairs, which
        exist for every kernel; for an even effective kernel the extra zero goes to the
        right (and the bottom), as with torch's ``padding="same"``.

    Returns
    -------
    int, tuple of int, tuple of (int, int), or tuple of tuples
        ``(k_eff - 1) / 2`` per axis; with ``asymmetric=True``, ``(left, right)`` per
        axis.

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
    ValueError: kernel_size=4 with dilation=1 has an even effective size 4: no ...
    """
    asymmetric = check_bool(asymmetric, "asymmetric")
    ndim, as_tuple = _axes({"kernel_size": kernel_size, "dilation": dilation})
    k = _per_axis(kernel_size, "kernel_size", ndim, check_positive_int)
    d = _per_axis(dilation, "dilation", ndim, check_positive_int)
    out = []
    for kk, dd in zip(k, d, strict=True):
        total = dd * (kk - 1)
        if asymmetric:
            out.append((total // 2, total - total // 2))
        elif total % 2:
            raise ValueError(
                f"kernel_size={kernel_size} with dilation={dilation} has an even "
                "effective size "
                f"{total + 1}: no symmetric padding keeps the size; pass "
                "asymmetric=True for a "
                f"(left, right) pair"
            )
        else:
            out.append(total // 2)
    return _result(out, as_tuple)
