"""Convolution arithmetic: sizes, receptive fields, costs, and convolution as a matrix.

One module per concept: :mod:`~dlsip.arithmetic.sizes` (output sizes),
:mod:`~dlsip.arithmetic.receptive` (receptive fields), :mod:`~dlsip.arithmetic.summary`
(per-layer tables of a model), :mod:`~dlsip.arithmetic.costs` (parameters and
multiply-accumulates) and :mod:`~dlsip.arithmetic.matrix` (Toeplitz matrix, im2col).

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

from .costs import (
    Cost,
    connectivity_parameter_counts,
    depthwise_separable_cost,
    overlap_counts,
    standard_conv_cost,
)
from .matrix import col2im, conv2d_im2col, conv_matrix, im2col
from .receptive import (
    ReceptiveFieldRecord,
    ReceptiveFieldTable,
    effective_receptive_field,
    empirical_receptive_field,
    receptive_field,
    receptive_field_layers,
)
from .sizes import (
    conv_output_size,
    conv_transpose_output_size,
    effective_kernel_size,
    pool_output_size,
    same_padding,
)
from .summary import LayerSummary, ModelSummary, summary

__all__ = [
    "conv_output_size",
    "pool_output_size",
    "conv_transpose_output_size",
    "same_padding",
    "effective_kernel_size",
    "receptive_field",
    "receptive_field_layers",
    "empirical_receptive_field",
    "effective_receptive_field",
    "ReceptiveFieldRecord",
    "ReceptiveFieldTable",
    "summary",
    "LayerSummary",
    "ModelSummary",
    "conv_matrix",
    "im2col",
    "col2im",
    "conv2d_im2col",
    "Cost",
    "standard_conv_cost",
    "depthwise_separable_cost",
    "connectivity_parameter_counts",
    "overlap_counts",
]
