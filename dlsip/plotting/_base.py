"""The plotting conventions shared by every chapter: lazy pyplot, an Axes to draw on.

Every helper of :mod:`dlsip.plotting` takes ``ax=None`` (or makes its own figure),
returns the Axes or Figure it drew on, never calls ``plt.show()`` and never changes
global rcParams.
"""

from __future__ import annotations


def _plt():
    # Imported on first use: `import dlsip.plotting` stays cheap in scripts and tests.
    import matplotlib.pyplot as plt

    return plt


def _get_ax(ax, figsize=None):
    if ax is None:
        _, ax = _plt().subplots(figsize=figsize)
    return ax
