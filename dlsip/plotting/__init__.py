"""Plotting helpers, one module per chapter.

Every helper takes ``ax=None`` (or makes its own figure), returns the Axes or Figure it
drew on, never calls ``plt.show()`` and never changes global rcParams.

- :mod:`~dlsip.plotting.images` (chapter 0): :func:`show_image`, :func:`show_images`,
  :func:`annotated_grid`, :func:`plot_signal`, :func:`animation_html`, :func:`as_image`;
- :mod:`~dlsip.plotting.filtering` (chapter 1): :func:`animate_window`,
  :func:`show_padding`, :func:`plot_frequency_response`;
- :mod:`~dlsip.plotting.arithmetic` (chapters 2 and 6): :func:`conv_arithmetic_frame`,
  :func:`conv_arithmetic_animation`, :func:`show_conv_matrix`,
  :func:`plot_dilated_stack`, :func:`plot_receptive_field_growth`,
  :func:`plot_filter_volume`;
- :mod:`~dlsip.plotting.backprop` (chapter 3): :func:`show_weight_gradient`,
  :func:`show_input_gradient`, :func:`show_argmax_cells`, :func:`plot_activations`;
- :mod:`~dlsip.plotting.training` (chapters 3 to 5): :func:`plot_loss_curves`,
  :func:`plot_history`, :func:`plot_confusion_matrix`.
"""

from __future__ import annotations

from .arithmetic import (
    conv_arithmetic_animation,
    conv_arithmetic_frame,
    plot_dilated_stack,
    plot_filter_volume,
    plot_receptive_field_growth,
    show_conv_matrix,
)
from .backprop import (
    plot_activations,
    show_argmax_cells,
    show_input_gradient,
    show_weight_gradient,
)
from .filtering import animate_window, plot_frequency_response, show_padding
from .images import (
    animation_html,
    annotated_grid,
    as_image,
    plot_signal,
    show_image,
    show_images,
)
from .training import plot_confusion_matrix, plot_history, plot_loss_curves

__all__ = [
    "show_image",
    "show_images",
    "annotated_grid",
    "plot_signal",
    "animation_html",
    "as_image",
    "animate_window",
    "show_padding",
    "plot_frequency_response",
    "conv_arithmetic_frame",
    "conv_arithmetic_animation",
    "show_conv_matrix",
    "plot_dilated_stack",
    "plot_receptive_field_growth",
    "plot_filter_volume",
    "show_weight_gradient",
    "show_input_gradient",
    "show_argmax_cells",
    "plot_activations",
    "plot_loss_curves",
    "plot_history",
    "plot_confusion_matrix",
]
