r"""Batch normalization (Ioffe & Szegedy, 2015): forward and backward passes, and
folding an eval-mode batch norm into the convolution before it.

In training mode a batch norm normalises each feature (or channel) by the statistics of
the batch and updates running averages of them; in eval mode it uses the running
averages, and is then a fixed affine map per channel, which :func:`fold_batchnorm`
merges into the preceding convolution's weights and bias (and
:func:`fold_batchnorm_sequential` does for every Conv2d -> BatchNorm2d pair of a torch
``nn.Sequential``).

>>> x = np.array([[1.0], [3.0]])
>>> out, cache = batchnorm_forward(x, np.ones(1), np.zeros(1), eps=0.0)
>>> out.ravel()
array([-1.,  1.])
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from .._validation import check_array, check_bool, check_float, check_instance
from ._checks import check_cache, check_dout, float_dtype

if TYPE_CHECKING:  # torch is imported only by the functions that need it
    import torch

__all__ = [
    "BatchNormCache",
    "batchnorm_forward",
    "batchnorm_backward",
    "fold_batchnorm",
    "fold_batchnorm_sequential",
]


class BatchNormCache(NamedTuple):
    """What a batch norm's forward pass keeps for the backward pass."""

    xhat: np.ndarray  #: the normalised input, shaped like x
    gamma: np.ndarray  #: the scale, broadcastable against x
    invstd: np.ndarray  #: 1 / sqrt(var + eps), broadcastable against x
    axes: tuple[int, ...]  #: the axes the statistics are taken over
    training: bool


def batchnorm_forward(
    x: ArrayLike,
    gamma: ArrayLike,
    beta: ArrayLike,
    *,
    running_mean: np.ndarray | None = None,
    running_var: np.ndarray | None = None,
    training: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> tuple[np.ndarray, BatchNormCache]:
    r"""Batch normalization (Ioffe & Szegedy, 2015), as torch's ``batch_norm``.

    Parameters
    ----------
    x : ndarray, shape (N, D) or (N, C, H, W)
        Normalised per feature (2D) or per channel over (N, H, W) (4D).
    gamma, beta : ndarray, shape (D,) or (C,)
        Scale and shift.
    running_mean, running_var : ndarray, shape (D,) or (C,), or None
        Population statistics. In training mode they are updated *in place* (when
        given); in eval mode they are used instead of the batch's statistics and are
        required.
    training : bool
        Batch statistics (True) or running statistics (False).
    momentum : float
        Weight of the new batch in the running averages (torch's convention, 0.1).
    eps : float
        Added to the variance, >= 0.

    Returns
    -------
    out : ndarray, same shape as ``x``
    cache : BatchNormCache

    Raises
    ------
    ValueError
        Wrong ndim, parameter shapes that do not match the features of ``x``, negative
        ``eps``, a ``momentum`` outside [0, 1], missing running statistics in eval mode,
        or a single value per feature in training mode (torch raises too: the variance
        of one value is 0 and its unbiased estimate is undefined).
    TypeError
        If running statistics to be updated in place are not NumPy arrays.

    Notes
    -----
    Over the m values of a feature in the batch:

    .. math:: \mu = \frac1m\sum_i x_i,\quad \sigma^2 = \frac1m\sum_i (x_i-\mu)^2,\quad
              \hat x_i = \frac{x_i - \mu}{\sqrt{\sigma^2 + \epsilon}},\quad
              y_i = \gamma \hat x_i + \beta.

    The running averages follow torch exactly: ``running_mean <- (1 - momentum)
    running_mean + momentum mu`` and ``running_var <- (1 - momentum) running_var +
    momentum sigma^2 m / (m - 1)``, the unbiased variance (the paper's population
    variance uses the same m/(m-1) factor).

    Examples
    --------
    >>> x = np.array([[1.0], [3.0]])
    >>> rm, rv = np.zeros(1), np.ones(1)
    >>> out, _ = batchnorm_forward(x, np.ones(1), np.zeros(1), running_mean=rm,
    ...                            running_var=rv, eps=0.0)
    >>> out.ravel()
    array([-1.,  1.])
    >>> rm, rv    # 0.9 * 0 + 0.1 * 2, and 0.9 * 1 + 0.1 * 2 (2: the unbiased variance)
    (array([0.2]), array([1.1]))
    """
    x = check_array(x, "x", ndim=(2, 4))
    nfeat = x.shape[1]
    named = {
        "gamma": gamma,
        "beta": beta,
        "running_mean": running_mean,
        "running_var": running_var,
    }
    params = {}
    for name, value in named.items():
        if value is None:
            params[name] = None
            continue
        value = check_array(value, name)
        if value.shape != (nfeat,):
            raise ValueError(
                f"{name} must have shape ({nfeat},), one entry per feature of x, "
                f"got {name} with shape {value.shape}"
            )
        params[name] = value
    if params["gamma"] is None or params["beta"] is None:
        raise ValueError("gamma and beta must be arrays, got None")
    training = check_bool(training, "training")
    eps = check_float(eps, "eps", minimum=0.0)
    momentum = check_float(momentum, "momentum", minimum=0.0)
    if momentum > 1:
        raise ValueError(f"momentum must be in [0, 1], got momentum={momentum}")
    axes = (0,) if x.ndim == 2 else (0, 2, 3)
    shape = (1, nfeat) if x.ndim == 2 else (1, nfeat, 1, 1)
    m = x.size // nfeat
    dtype = float_dtype(x, params["gamma"])
    x = x.astype(dtype, copy=False)
    g = params["gamma"].astype(dtype, copy=False).reshape(shape)
    bt = params["beta"].astype(dtype, copy=False).reshape(shape)
    if training:
        if m < 2:
            raise ValueError(
                f"x must have more than one value per feature in training mode, "
                f"got x with shape {x.shape}"
            )
        mu = x.mean(axis=axes, keepdims=True)
        xc = x - mu
        var = (xc * xc).mean(axis=axes, keepdims=True)
        for name, new in (("running_mean", mu), ("running_var", var * (m / (m - 1)))):
            if named[name] is None:
                continue
            if not isinstance(named[name], np.ndarray):
                raise TypeError(f"{name} must be a NumPy array to be updated in place")
            r = params[name]
            r *= 1 - momentum
            r += momentum * new.reshape(nfeat).astype(r.dtype)
    else:
        if params["running_mean"] is None or params["running_var"] is None:
            raise ValueError(
                "running_mean and running_var are required in eval mode "
                "(training=False), got None"
            )
        mu = params["running_mean"].astype(dtype).reshape(shape)
        var = params["running_var"].astype(dtype).reshape(shape)
        xc = x - mu
    invstd = 1.0 / np.sqrt(var + eps)
    xhat = xc * invstd
    return g * xhat + bt, BatchNormCache(xhat, g, invstd, axes, bool(training))


def batchnorm_backward(
    dout: ArrayLike, cache: BatchNormCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Backward pass of :func:`batchnorm_forward`, in the compact closed form.

    Parameters
    ----------
    dout : ndarray
        Gradient of the loss with respect to the forward pass's output, of its shape.
    cache : BatchNormCache
        From the forward pass.

    Returns
    -------
    dx : ndarray, same shape as ``x``
    dgamma, dbeta : ndarray, shape (D,) or (C,)

    Raises
    ------
    TypeError
        If ``cache`` is not a :class:`BatchNormCache`.
    ValueError
        If ``dout`` does not have the output's shape.

    Notes
    -----
    In training mode :math:`\mu` and :math:`\sigma^2` depend on every :math:`x_i` of the
    feature. With :math:`g_i = \partial L/\partial y_i`,
    :math:`\partial L/\partial \hat x_i = \gamma g_i`, and differentiating
    :math:`\hat x_i = (x_i - \mu)\,s`, :math:`s = (\sigma^2+\epsilon)^{-1/2}`, through
    :math:`\partial\mu/\partial x_j = 1/m` and
    :math:`\partial\sigma^2/\partial x_j = 2(x_j-\mu)/m` gives

    .. math:: \frac{\partial L}{\partial x_i} = \frac{\gamma s}{m}
              \Big(m g_i - \sum_j g_j - \hat x_i \sum_j g_j \hat x_j\Big),

    with :math:`\partial L/\partial\gamma = \sum_i g_i \hat x_i` and
    :math:`\partial L/\partial\beta = \sum_i g_i`. In eval mode the statistics are
    constants and :math:`\partial L/\partial x_i = \gamma s g_i`.

    Examples
    --------
    >>> x = np.array([[1.0], [2.0], [6.0]])
    >>> out, cache = batchnorm_forward(x, np.ones(1), np.zeros(1))
    >>> dx, dgamma, dbeta = batchnorm_backward(np.ones_like(out), cache)
    >>> bool(np.allclose(dx, 0))   # a shift of every output leaves x's batch unchanged
    True
    >>> dbeta
    array([3.])
    """
    check_cache(cache, BatchNormCache, "batchnorm_forward")
    xhat, g, invstd, axes, training = cache
    dout = check_dout(dout, xhat.shape).astype(xhat.dtype, copy=False)
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * xhat).sum(axis=axes)
    if training:
        m = xhat.size // xhat.shape[1]
        shape = g.shape
        sums = dbeta.reshape(shape), dgamma.reshape(shape)
        dx = (g * invstd / m) * (m * dout - sums[0] - xhat * sums[1])
    else:
        dx = dout * (g * invstd)
    return dx, dgamma, dbeta


def fold_batchnorm(conv: torch.nn.Conv2d, bn: torch.nn.BatchNorm2d) -> torch.nn.Conv2d:
    r"""Fold an eval-mode ``torch.nn.BatchNorm2d`` into the ``torch.nn.Conv2d`` before
    it.

    Parameters
    ----------
    conv : torch.nn.Conv2d
    bn : torch.nn.BatchNorm2d
        With ``bn.num_features == conv.out_channels`` and running statistics.

    Returns
    -------
    torch.nn.Conv2d
        A new convolution, with a bias, such that ``folded(x) == bn.eval()(conv(x))``.
        The inputs are not modified.

    Raises
    ------
    TypeError
        If ``conv`` or ``bn`` has the wrong type.
    ValueError
        If the channel counts differ or ``bn`` tracks no running statistics.

    Notes
    -----
    In eval mode BN is the affine map
    :math:`y = \gamma (z - \hat\mu) / \sqrt{\hat\sigma^2 + \epsilon} + \beta` per
    channel. With :math:`a = \gamma / \sqrt{\hat\sigma^2 + \epsilon}`, composing it with
    :math:`z = w * x + b` gives the convolution with weights :math:`a_f w_f` and bias
    :math:`a_f (b_f - \hat\mu_f) + \beta_f`.

    Examples
    --------
    >>> import torch
    >>> conv, bn = torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3)
    >>> _ = bn.train()(conv(torch.randn(4, 2, 6, 6)))       # some running statistics
    >>> folded = fold_batchnorm(conv, bn.eval())
    >>> x = torch.randn(1, 2, 5, 5)
    >>> bool(torch.allclose(folded(x), bn(conv(x)), atol=1e-5))
    True
    """
    import torch

    check_instance(conv, "conv", torch.nn.Conv2d, "a torch.nn.Conv2d")
    check_instance(
        bn, "bn", torch.nn.modules.batchnorm._BatchNorm, "a torch.nn.BatchNorm2d"
    )
    if bn.num_features != conv.out_channels:
        raise ValueError(
            f"bn must have num_features == conv.out_channels ({conv.out_channels}), "
            f"got bn.num_features={bn.num_features}"
        )
    if bn.running_mean is None or bn.running_var is None:
        raise ValueError(
            "bn must track running statistics (track_running_stats=True), got none"
        )
    folded = copy.deepcopy(conv)
    with torch.no_grad():
        scale = torch.rsqrt(bn.running_var + bn.eps)
        if bn.weight is not None:
            scale = scale * bn.weight
        shift = -bn.running_mean * scale
        if bn.bias is not None:
            shift = shift + bn.bias
        folded.weight.mul_(scale.reshape(-1, 1, 1, 1).to(folded.weight.dtype))
        bias = conv.bias * scale + shift if conv.bias is not None else shift
        folded.bias = torch.nn.Parameter(bias.to(folded.weight.dtype))
    return folded


def fold_batchnorm_sequential(model: torch.nn.Sequential) -> torch.nn.Sequential:
    """A copy of a torch ``nn.Sequential`` in eval mode with every batch norm that
    follows a convolution folded into it (:func:`fold_batchnorm`).

    Parameters
    ----------
    model : torch.nn.Sequential
        For example :class:`dlsip.models.LectureCNN`. Only its direct children are
        looked at: each ``Conv2d`` immediately followed by a ``BatchNorm2d`` becomes one
        folded ``Conv2d``; every other child is copied as it is.

    Returns
    -------
    torch.nn.Sequential
        In eval mode, with the children's names (a folded pair keeps the convolution's
        name), such that ``folded(x) == model.eval()(x)`` up to round-off. ``model`` is
        not modified, not even its train/eval mode.

    Raises
    ------
    TypeError
        If ``model`` is not a ``torch.nn.Sequential``.
    ValueError
        From :func:`fold_batchnorm`, if a pair's channel counts differ or the batch norm
        tracks no running statistics.

    Examples
    --------
    >>> import torch
    >>> from dlsip.models import LectureCNN
    >>> model = LectureCNN().eval()
    >>> folded = fold_batchnorm_sequential(model)
    >>> [name for name, _ in folded.named_children()]
    ['conv1', 'relu1', 'pool1', 'conv2', 'relu2', 'pool2', 'flatten', 'fc']
    >>> x = torch.randn(2, 1, 28, 28)
    >>> bool(torch.allclose(folded(x), model(x), atol=1e-5))
    True
    """
    from torch import nn

    check_instance(model, "model", nn.Sequential, "a torch.nn.Sequential")
    children = list(model.named_children())
    kept = []
    k = 0
    while k < len(children):
        name, child = children[k]
        following = children[k + 1][1] if k + 1 < len(children) else None
        if isinstance(child, nn.Conv2d) and isinstance(following, nn.BatchNorm2d):
            try:
                kept.append((name, fold_batchnorm(child, following)))
            except ValueError as exc:
                pair = f"{name!r} -> {children[k + 1][0]!r}"
                raise ValueError(
                    f"model's pair {pair} cannot be folded: {exc}"
                ) from exc
            k += 2
        else:
            kept.append((name, copy.deepcopy(child)))
            k += 1
    return nn.Sequential(OrderedDict(kept)).eval()
