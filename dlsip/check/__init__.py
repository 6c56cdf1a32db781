"""Self-checks for the exercises, one module per chapter.

Every checker is called ``check_<what>``: it takes the student's function, runs it and
the package's reference on random and edge cases, and returns a :class:`CheckReport`
that says which case failed, and how (a wrong value and where, a wrong shape, NaN, or
the exception raised). ``report.passed`` is a bool.

=======  ====================================================================
chapter  checkers
=======  ====================================================================
0        :func:`check_to_nchw`
1        :func:`check_correlate2d`
2        :func:`check_conv_output_size`, :func:`check_toeplitz_matrix`,
         :func:`check_conv_stack`
3        :func:`check_conv2d_backward`, :func:`check_maxpool2d_backward`
4        :func:`check_batchnorm_backward`
6        :func:`check_pixel_shuffle`, :func:`check_conv_transpose`,
         :func:`check_depthwise_separable_macs`
7        :func:`check_wiener_taps`
=======  ====================================================================

>>> from dlsip import check
>>> check.check_conv_output_size(lambda i, k, stride=1, padding=0, dilation=1:
...     (i + 2 * padding - dilation * (k - 1) - 1) // stride + 1).passed
True
"""

from __future__ import annotations

from .arithmetic import (
    check_conv_output_size,
    check_conv_stack,
    check_toeplitz_matrix,
)
from .backprop import check_conv2d_backward, check_maxpool2d_backward
from .batchnorm import check_batchnorm_backward
from .cases import Case, CheckReport, run_cases
from .filtering import check_correlate2d
from .images import check_to_nchw
from .variants import (
    check_conv_transpose,
    check_depthwise_separable_macs,
    check_pixel_shuffle,
)
from .wiener import check_wiener_taps

__all__ = [
    "Case",
    "CheckReport",
    "run_cases",
    "check_to_nchw",
    "check_correlate2d",
    "check_conv_output_size",
    "check_toeplitz_matrix",
    "check_conv_stack",
    "check_conv2d_backward",
    "check_maxpool2d_backward",
    "check_batchnorm_backward",
    "check_pixel_shuffle",
    "check_conv_transpose",
    "check_depthwise_separable_macs",
    "check_wiener_taps",
]
