"""Input checks the layers share: dtypes, biases, kernels that fit, upstream gradients,
caches.

They add the layer-specific rules (one bias per output channel, ``dout`` shaped like the
output, the right cache for a backward pass) on top of :mod:`dlsip._validation`, so that
every message names the argument, its value and what was expected.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_array, check_pair
from ..arithmetic import effective_kernel_size, pool_output_size


def float_dtype(*arrays: np.ndarray | None) -> np.dtype:
    """float64, unless every floating input is float32 (integers become float64)."""
    dtype = np.result_type(*[a.dtype for a in arrays if a is not None])
    return np.dtype(np.float32) if dtype == np.float32 else np.dtype(np.float64)


#: The largest array a layer allocates: 2**28 entries, 2 GiB in float64. Larger ones
#: come from absurd hyperparameters (a padding or stride of a billion), which are
#: rejected before the allocation rather than by the operating system.


def check_bias(b, n_out: int, w_name: str = "w") -> np.ndarray | None:
    """``None``, or a 1D array with one entry per output channel of the weights."""
    if b is None:
        return None
    b = check_array(b, "b", ndim=1)
    if b.shape[0] != n_out:
        raise ValueError(
            f"b must have one entry per output channel of {w_name} ({n_out}), "
            f"got b with shape {b.shape}"
        )
    return b


def check_kernel_fits(
    x: np.ndarray,
    kernel_size: tuple[int, int],
    *,
    padding: tuple[int, int],
    dilation: tuple[int, int] = (1, 1),
    kernel_name: str = "kernel_size",
) -> None:
    """Raise ``ValueError`` if the (dilated) kernel is larger than the padded ``x``."""
    span = effective_kernel_size(tuple(kernel_size), dilation=tuple(dilation))
    padded = (x.shape[-2] + 2 * padding[0], x.shape[-1] + 2 * padding[1])
    if span[0] > padded[0] or span[1] > padded[1]:
        raise ValueError(
            f"{kernel_name}={tuple(kernel_size)} with dilation={tuple(dilation)} spans "
            f"{span} pixels, larger than the padded input x of size {padded}"
        )


def check_pool_hyperparameters(kernel_size, stride, padding):
    """``kernel_size``, ``stride`` (the kernel's by default) and ``padding`` of a
    pooling, as pairs, with the padding at most half the kernel (torch's rule)."""
    kernel = check_pair(kernel_size, "kernel_size")
    stride = kernel if stride is None else check_pair(stride, "stride")
    padding = check_pair(padding, "padding", minimum=0)
    pool_output_size(kernel, kernel, stride=stride, padding=padding)  # checks the rule
    return kernel, stride, padding


def check_dout(dout, shape: tuple[int, ...], source: str = "cache") -> np.ndarray:
    """The upstream gradient, which must have the forward pass's output shape."""
    dout = check_array(dout, "dout")
    if dout.shape != tuple(shape):
        raise ValueError(
            f"dout must have the output's shape {tuple(shape)} (from {source}), "
            f"got dout with shape {dout.shape}"
        )
    return dout


def check_cache(cache, cache_type: type, forward_name: str) -> None:
    """Raise ``TypeError`` unless ``cache`` is the ``cache_type`` of a forward pass."""
    if not isinstance(cache, cache_type):
        raise TypeError(
            f"cache must be the {cache_type.__name__} returned by {forward_name}, "
            f"got cache of type {type(cache).__name__}"
        )


def check_float_dtype(dtype) -> np.dtype:
    """A floating-point dtype for parameters (float32 or float64)."""
    try:
        dtype = np.dtype(dtype)
    except TypeError as exc:
        message = f"dtype must be a NumPy float dtype, got dtype={dtype!r}"
        raise TypeError(message) from exc
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64, got dtype={dtype}")
    return dtype
