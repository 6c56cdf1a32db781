"""Timing: the best wall-clock time of several runs of a function.

The minimum, not the mean, is the figure to compare: every run does the same work, and
anything that makes one slower (another process, a cache miss, the garbage collector) is
noise added on top, never taken away. The notebooks time their fast and slow versions
with it.

>>> t = best_time(lambda: sum(range(1000)))
>>> 0 < t < 1
True
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ._validation import check_positive_int

__all__ = ["best_time"]


def best_time(fn: Callable[[], object], *, repeat: int = 5) -> float:
    """The shortest of ``repeat`` wall-clock times of ``fn()``, in seconds.

    Parameters
    ----------
    fn : callable
        Called with no arguments; wrap a call with arguments in a ``lambda``. To time a
        torch model without building a graph, call it under ``torch.no_grad()`` inside
        ``fn``.
    repeat : int
        How many times ``fn`` is run.

    Returns
    -------
    float
        The best time, measured with :func:`time.perf_counter`.

    Raises
    ------
    TypeError
        If ``fn`` is not callable or ``repeat`` is not an integer.
    ValueError
        If ``repeat`` is below 1.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.ones((100, 100))
    >>> best_time(lambda: a @ a, repeat=3) > 0
    True
    """
    if not callable(fn):
        raise TypeError(f"fn must be a function, got fn={fn!r}")
    repeat = check_positive_int(repeat, "repeat")
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best
