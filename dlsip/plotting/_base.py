"""The plotting conventions shared by every chapter: lazy pyplot, an Axes to draw on.

Every helper of :mod:`dlsip.plotting` takes ``ax=None`` (or makes its own figure),
returns the Axes or Figure it drew on, never calls ``plt.show()`` and never changes
global rcParams.
"""

from __future__ import annotations

#: The most cells a grid figure draws (a convolution's padded input, 32 x 32 at most,
#: or a padded image): a larger grid cannot be read, and takes minutes to draw, so the
#: sizes that would make it are refused before drawing.
MAX_GRID_CELLS = 32 * 32

#: The most connections a stack of dilated convolutions is drawn with (layers x
#: samples x kernel taps), refused before drawing for the same reason.
MAX_CONNECTIONS = 4096


#: The widest a figure may be, in inches at matplotlib's 100 dpi: the book's content
#: column is 790 px wide in a window of 1440 px or more (688 px at 1280 px). A wider
#: figure is shrunk to the column, and its text with it (10 pt, 14 px at 100 dpi, would
#: drop below 10 px at 1100 px and more).
BOOK_WIDTH = 7.8

#: Frames of an animation are at least this wide in pixels (a readable grid of
#: numbers) and drawn at 100 dpi, the resolution the book's text sizes assume.
ANIMATION_DPI = 100


def _plt():
    # Imported on first use: `import dlsip.plotting` stays cheap in scripts and tests.
    import matplotlib.pyplot as plt

    return plt


def _get_ax(ax, figsize=None):
    if ax is None:
        _, ax = _plt().subplots(figsize=figsize)
    return ax
