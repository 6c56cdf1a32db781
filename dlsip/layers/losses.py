r"""The softmax cross-entropy loss of a classifier's logits, and its gradient.

>>> loss, dlogits = softmax_cross_entropy(np.zeros((1, 2)), np.array([1]))
>>> round(loss, 4), dlogits          # log 2, and softmax minus one-hot
(0.6931, array([[ 0.5, -0.5]]))
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import check_array
from ._checks import float_dtype

__all__ = ["softmax_cross_entropy"]


def softmax_cross_entropy(
    logits: ArrayLike, labels: ArrayLike
) -> tuple[float, np.ndarray]:
    r"""Mean cross-entropy of softmax(logits) against integer labels, and its gradient.

    Parameters
    ----------
    logits : ndarray, shape (N, K)
    labels : ndarray of int, shape (N,), values in [0, K)

    Returns
    -------
    loss : float
        :math:`-\frac{1}{N}\sum_n \log \mathrm{softmax}(z_n)_{y_n}`, as torch's
        ``cross_entropy`` with ``reduction="mean"``.
    dlogits : ndarray, shape (N, K)
        :math:`(\mathrm{softmax}(z) - \mathrm{onehot}(y)) / N`.

    Raises
    ------
    TypeError
        If ``labels`` are not integers.
    ValueError
        If the shapes disagree or a label is out of range.

    Notes
    -----
    The log-sum-exp is computed after subtracting each row's maximum, so large logits do
    not overflow.

    Examples
    --------
    >>> loss, d = softmax_cross_entropy(np.zeros((2, 4)), np.array([0, 3]))
    >>> round(loss, 6) == round(float(np.log(4)), 6)
    True
    >>> d[0]
    array([-0.375,  0.125,  0.125,  0.125])
    """
    logits = check_array(logits, "logits", ndim=2)
    labels = check_array(labels, "labels", ndim=1)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"labels must be integers, got labels.dtype={labels.dtype}")
    n, k = logits.shape
    if labels.shape[0] != n:
        raise ValueError(
            f"labels must have one entry per row of logits ({n}), "
            f"got labels with shape {labels.shape}"
        )
    if labels.min() < 0 or labels.max() >= k:
        raise ValueError(
            f"labels must be in [0, {k}), "
            f"got labels in [{labels.min()}, {labels.max()}]"
        )
    logits = logits.astype(float_dtype(logits), copy=False)
    shifted = logits - logits.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(n)
    loss = float(-logp[rows, labels].mean())
    dlogits = np.exp(logp)
    dlogits[rows, labels] -= 1
    dlogits /= n
    return loss, dlogits
