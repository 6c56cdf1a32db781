"""Run an animation through matplotlib's public writer API and record each frame."""

from __future__ import annotations

from matplotlib.animation import AbstractMovieWriter


class _Recorder(AbstractMovieWriter):
    """A movie writer that keeps, for each frame, what ``look(figure)`` returns."""

    def __init__(self, look):
        super().__init__(fps=1)
        self.look, self.frames = look, []

    def setup(self, fig, outfile, dpi=None):
        self.fig = fig

    def grab_frame(self, **savefig_kwargs):
        self.frames.append(self.look(self.fig))

    def finish(self):
        pass


def record_frames(anim, look) -> list:
    """Draw every frame of ``anim`` and return ``[look(figure) for each frame]``."""
    recorder = _Recorder(look)
    anim.save("unused", writer=recorder)
    return recorder.frames
