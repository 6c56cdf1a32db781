"""The cost of a layer: its parameters and multiply-accumulates (MACs).

* :func:`standard_conv_cost` and :func:`depthwise_separable_cost` count the parameters
  and multiply-accumulates (MACs) of a convolution and of its depthwise separable
  replacement (MobileNet [2]_).
* :func:`connectivity_parameter_counts` counts the parameters of a fully connected, a
  locally connected, a tiled and a convolutional layer with the same input and output
  sizes ([3]_).
* :func:`overlap_counts` counts how many kernel copies a transposed convolution adds
  into each output position: the cause of checkerboard artifacts ([4]_).

References
----------
.. [2] A. G. Howard et al., "MobileNets: Efficient Convolutional Neural Networks for
   Mobile Vision Applications", arXiv:1704.04861, 2017.
.. [3] I. Goodfellow, Y. Bengio and A. Courville, *Deep Learning*, MIT Press, 2016,
   section 9.5 (locally connected and tiled convolution).
.. [4] A. Odena, V. Dumoulin and C. Olah, "Deconvolution and Checkerboard Artifacts",
   Distill, 2016.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validation import (
    _show,
    check_allocation,
    check_bool,
    check_pair,
    check_positive_int,
)
from .sizes import conv_output_size


class Cost(NamedTuple):
    """Parameters and multiply-accumulates (MACs) of a layer for one input image."""

    params: int
    macs: int


def standard_conv_cost(
    in_channels: int,
    out_channels: int,
    kernel_size: int | tuple[int, int],
    *,
    output_size: int | tuple[int, int],
    bias: bool = True,
) -> Cost:
    r"""Parameters and MACs of a standard 2D convolution (one image, ``groups=1``).

    Parameters
    ----------
    in_channels, out_channels : int
        ``C`` and ``O``.
    kernel_size : int or (int, int)
        ``K`` (or ``(kH, kW)``).
    output_size : int or (int, int)
        The spatial size ``N x M`` of the output feature map.
    bias : bool
        Whether the layer has a bias (it adds ``O`` parameters and no MACs).

    Returns
    -------
    Cost
        ``(params, macs)``.

    Raises
    ------
    TypeError, ValueError
        If a size is not a positive integer (or pair of them).

    Notes
    -----
    Each of the :math:`N M O` outputs is a dot product of length :math:`K^2 C`:

    .. math:: \text{MACs} = N M \cdot K^2 C \cdot O, \qquad
              \text{params} = K^2 C O + O.

    A bias is an addition, not a multiply-accumulate, so it is not counted in the MACs.

    Examples
    --------
    >>> standard_conv_cost(3, 10, 5, output_size=28)  # 10 filters of 5x5x3: 760 params
    Cost(params=760, macs=588000)
    """
    c = check_positive_int(in_channels, "in_channels")
    o = check_positive_int(out_channels, "out_channels")
    kh, kw = check_pair(kernel_size, "kernel_size")
    n, m = check_pair(output_size, "output_size")
    bias = check_bool(bias, "bias")
    weights = kh * kw * c * o
    return Cost(params=weights + (o if bias else 0), macs=n * m * weights)


def depthwise_separable_cost(
    in_channels: int,
    out_channels: int,
    kernel_size: int | tuple[int, int],
    *,
    output_size: int | tuple[int, int],
    bias: bool = True,
    depth_multiplier: int = 1,
) -> Cost:
    r"""Parameters and MACs of a depthwise ``K x K`` then a pointwise ``1 x 1`` conv.

    Parameters
    ----------
    in_channels, out_channels : int
        ``C`` and ``O``.
    kernel_size : int or (int, int)
        ``K`` of the depthwise convolution.
    output_size : int or (int, int)
        The spatial size ``N x M`` of the output feature map (the pointwise convolution
        keeps the depthwise output's size).
    bias : bool
        Whether both convolutions have a bias.
    depth_multiplier : int
        Depthwise filters per input channel (MobileNet's and Keras's name); the
        depthwise convolution has ``C * depth_multiplier`` output channels.

    Returns
    -------
    Cost
        ``(params, macs)`` of the two layers together.

    Raises
    ------
    TypeError, ValueError
        If a size is not a positive integer (or pair of them).

    Notes
    -----
    With depth multiplier 1 ([2]_):

    .. math:: \text{MACs} = \underbrace{C \cdot N M \cdot K^2}_{\text{depthwise}}
              + \underbrace{N M \cdot C \cdot O}_{\text{pointwise}},

    which divided by a standard convolution's :math:`N M K^2 C O` is
    :math:`1/O + 1/K^2`. Parameters: :math:`C K^2 + C O`, plus :math:`C + O` biases.

    Examples
    --------
    >>> depthwise_separable_cost(32, 64, 3, output_size=56, bias=False)
    Cost(params=2336, macs=7325696)
    >>> standard_conv_cost(32, 64, 3, output_size=56, bias=False)
    Cost(params=18432, macs=57802752)
    """
    c = check_positive_int(in_channels, "in_channels")
    o = check_positive_int(out_channels, "out_channels")
    kh, kw = check_pair(kernel_size, "kernel_size")
    n, m = check_pair(output_size, "output_size")
    bias = check_bool(bias, "bias")
    mult = check_positive_int(depth_multiplier, "depth_multiplier")
    mid = c * mult
    depthwise = Cost(
        params=mid * kh * kw + (mid if bias else 0), macs=n * m * mid * kh * kw
    )
    pointwise = Cost(params=mid * o + (o if bias else 0), macs=n * m * mid * o)
    return Cost(depthwise.params + pointwise.params, depthwise.macs + pointwise.macs)


def connectivity_parameter_counts(
    input_shape: tuple[int, int, int],
    out_channels: int,
    kernel_size: int | tuple[int, int],
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    tile: int | tuple[int, int] = 2,
    bias: bool = True,
) -> dict[str, int]:
    r"""Parameters of four layers that map the same input to the same output size.

    Parameters
    ----------
    input_shape : (int, int, int)
        ``(C_in, H, W)``.
    out_channels : int
    kernel_size, stride, padding : int or (int, int)
        Of the three local layers; the fully connected layer maps the whole input to the
        same ``(C_out, H_out, W_out)`` output.
    tile : int or (int, int)
        The tile of the tiled convolution.
    bias : bool
        Whether to count biases (per output channel for the convolution, per filter bank
        for the tiled layer, per output unit for the locally connected and fully
        connected layers).

    Returns
    -------
    dict
        ``{"fully connected", "locally connected", "tiled", "convolution"}`` to
        parameter counts, from the most to the fewest parameters.

    Raises
    ------
    TypeError, ValueError
        If a size is not valid, or the kernel does not fit the padded input.

    Notes
    -----
    With :math:`k = k_H k_W C_{in} C_{out}` weights per filter bank and
    :math:`P = H_{out} W_{out}` output positions: convolution :math:`k`, tiled
    :math:`t_H t_W k`, locally connected :math:`P k`, fully connected
    :math:`P C_{out} \cdot H W C_{in}`.

    Examples
    --------
    >>> connectivity_parameter_counts((1, 6, 6), 1, 3, bias=False)
    {'fully connected': 576, 'locally connected': 144, 'tiled': 36, 'convolution': 9}
    """
    if not (isinstance(input_shape, (tuple, list)) and len(input_shape) == 3):
        raise TypeError(
            f"input_shape must be a tuple (C_in, H, W), got input_shape={input_shape!r}"
        )
    c_in, h, w = (check_positive_int(v, "input_shape") for v in input_shape)
    c_out = check_positive_int(out_channels, "out_channels")
    kh, kw = check_pair(kernel_size, "kernel_size")
    stride = check_pair(stride, "stride")
    padding = check_pair(padding, "padding", minimum=0)
    th, tw = check_pair(tile, "tile")
    bias = check_bool(bias, "bias")
    if kh > h + 2 * padding[0] or kw > w + 2 * padding[1]:
        raise ValueError(
            f"kernel_size={(kh, kw)} is larger than the padded input "
            f"{(h + 2 * padding[0], w + 2 * padding[1])}"
        )
    h_out, w_out = conv_output_size((h, w), (kh, kw), stride=stride, padding=padding)
    bank = kh * kw * c_in * c_out
    positions = h_out * w_out
    n_out = positions * c_out
    return {
        "fully connected": n_out * c_in * h * w + (n_out if bias else 0),
        "locally connected": positions * bank + (n_out if bias else 0),
        "tiled": th * tw * bank + (th * tw * c_out if bias else 0),
        "convolution": bank + (c_out if bias else 0),
    }


def overlap_counts(
    input_size: int | tuple[int, int],
    kernel_size: int | tuple[int, int],
    *,
    stride: int | tuple[int, int] = 1,
) -> np.ndarray:
    """How many kernel copies a transposed convolution adds into each output position.

    Parameters
    ----------
    input_size : int or (int, int)
        Length (1D) or ``(H, W)`` (2D) of the input.
    kernel_size : int or (int, int)
    stride : int or (int, int)
        Of the transposed convolution (padding 0); an int with a 2D ``input_size`` is
        used for both axes.

    Returns
    -------
    ndarray of int64
        1D of length ``(n - 1) s + k``, or 2D, the outer product of the two axes'
        counts.

    Raises
    ------
    TypeError, ValueError
        If a size is not a positive integer (or pair of them).

    Notes
    -----
    It is the transposed convolution of an input of ones with a kernel of ones. The
    counts are uniform in the interior exactly when ``s`` divides ``k``; otherwise they
    alternate, and so does the output of a transposed convolution with positive weights:
    the checkerboard artifact ([4]_). In 2D the pattern is the outer product of the two
    axes', so an uneven 1D overlap shows up as a 2D checkerboard.

    Examples
    --------
    >>> overlap_counts(5, 3, stride=2)     # uneven: 3 is not divisible by 2
    array([1, 1, 2, 1, 2, 1, 2, 1, 2, 1, 1])
    >>> overlap_counts(5, 4, stride=2)     # even: 2 everywhere but at the two ends
    array([1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1])
    """
    two_d = not isinstance(input_size, (int, np.integer)) or isinstance(
        input_size, bool
    )
    sizes = (
        f"input_size={_show(input_size)}, kernel_size={_show(kernel_size)} and "
        f"stride={_show(stride)}"
    )
    if two_d:
        (n1, n2) = check_pair(input_size, "input_size")
        k1, k2 = check_pair(kernel_size, "kernel_size")
        s1, s2 = check_pair(stride, "stride")
        shape = ((n1 - 1) * s1 + k1, (n2 - 1) * s2 + k2)
        check_allocation(shape, sizes, what="the counts")
        return np.outer(
            overlap_counts(n1, k1, stride=s1), overlap_counts(n2, k2, stride=s2)
        )
    n = check_positive_int(input_size, "input_size")
    k = check_positive_int(kernel_size, "kernel_size")
    s = check_positive_int(stride, "stride")
    check_allocation(((n - 1) * s + k,), sizes, what="the counts")
    counts = np.zeros((n - 1) * s + k, dtype=np.int64)
    for i in range(n):  # scatter-add one copy of the kernel of ones per input element
        counts[i * s : i * s + k] += 1
    return counts
