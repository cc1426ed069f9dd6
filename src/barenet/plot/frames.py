"""An animation's frames and its file: the
[`TrainingAnimation`][barenet.plot.frames.TrainingAnimation] that
[`animate`][barenet.plot.animation.animate] and
[`animate_comparison`][barenet.plot.animation.animate_comparison] return, and
[`save_animation`][barenet.plot.frames.save_animation], which writes one as a GIF or an MP4.
"""

import io
import os

import matplotlib
import numpy as np
from PIL import Image
from matplotlib import animation as _animation
from matplotlib.backends.backend_agg import FigureCanvasAgg

from .._checks import check_int, check_positive
from ..io.files import check_path, write_named_atomically

# How long a GIF shows its last frame, in milliseconds, before it loops: the
# end of training stays on screen long enough to be read.
HOLD_LAST_MS = 2500


class TrainingAnimation(_animation.FuncAnimation):
    """A ``FuncAnimation`` of recorded snapshots, frame ``i`` showing epoch
    ``epochs[i]`` at ``fps`` frames a second; ``figure`` is the
    ``matplotlib.figure.Figure`` it draws on. ``show(i)`` draws frame ``i``
    on it (a still to display or save); ``rgb_frames()`` renders every frame
    fast, drawing what does not change once."""

    def __init__(self, figure, update, epochs, fps):
        self.figure, self.epochs, self.fps, self._update = figure, list(epochs), fps, update
        super().__init__(figure, update, frames=len(self.epochs), interval=1000 / fps,
                         cache_frame_data=False)
        # no pyplot holds the figure: matplotlib's warning about an animation
        # dropped before it drew anything does not apply
        self._draw_was_started = True

    def show(self, i):
        """Draw frame ``i`` (an index into ``epochs``) and return the figure."""
        check_int("i", i)
        if not -len(self.epochs) <= i < len(self.epochs):
            raise IndexError(f"frame {i} is out of range for {len(self.epochs)} frames")
        self._update(i % len(self.epochs))
        return self.figure

    def rgb_frames(self, dpi=None):
        """Yield each frame as an RGB image, a uint8 array of shape
        ``(height, width, 3)`` (a new array each), at ``dpi`` (default the
        figure's). The axes, ticks and labels are drawn once, with their
        layout; each frame then draws only what it changes over them."""
        fig = self.figure
        canvas, old_dpi = FigureCanvasAgg(fig), fig.dpi
        fig.set_dpi(old_dpi if dpi is None else check_positive("dpi", dpi))
        engine = fig.get_layout_engine()
        marked = [a for a in self._update(0) if not a.get_animated()]
        try:
            for artist in marked:
                artist.set_animated(True)
            canvas.draw()  # everything that stays, laid out once
            fig.set_layout_engine("none")
            background = canvas.copy_from_bbox(fig.bbox)
            renderer = canvas.get_renderer()
            for i in range(len(self.epochs)):
                artists = self._update(i)
                canvas.restore_region(background)
                for artist in artists:
                    artist.draw(renderer)
                yield np.asarray(canvas.buffer_rgba())[..., :3].copy()
        finally:
            for artist in marked:
                artist.set_animated(False)
            fig.set_layout_engine(engine)
            fig.set_dpi(old_dpi)


def save_animation(anim, path, fps=None, dpi=None):
    """Write ``anim`` to ``path``, a ``.gif`` (Pillow: 256 colours a frame,
    held one byte a pixel until written; looping, each frame shown ``1 /
    fps`` seconds but the last, held ``HOLD_LAST_MS`` = 2.5 s so that the
    end of training can be read before the film starts again) or an ``.mp4`` (ffmpeg: matplotlib's
    ``animation.ffmpeg_path``, by default ``ffmpeg`` on the PATH, else the
    program the ``imageio-ffmpeg`` package ships; RuntimeError when there is
    neither; ValueError for any other suffix), at
    ``fps`` (default the animation's) and ``dpi`` (default the figure's).
    The file is written beside ``path`` under a temporary name, then renamed
    over it: an error midway leaves any previous file whole. Returns ``path``.
    """
    if not isinstance(anim, _animation.Animation):
        raise TypeError(f"anim must be a matplotlib Animation, got {type(anim).__name__}")
    path = check_path(path)
    fps = getattr(anim, "fps", 10) if fps is None else check_positive("fps", fps)
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".gif":
        def write(tmp):
            _write_gif(anim, tmp, fps, dpi)
    elif suffix == ".mp4":
        ffmpeg = _ffmpeg()
        if ffmpeg is None:
            raise RuntimeError(f"path {path!r}: writing an MP4 needs ffmpeg, which is not "
                               "installed; install it (or the Python package imageio-ffmpeg, "
                               "barenet[video]), or write a .gif")

        def write(tmp):
            with matplotlib.rc_context({"animation.ffmpeg_path": ffmpeg}):
                anim.save(tmp, writer=_animation.FFMpegWriter(fps=fps), dpi=dpi)
    else:
        raise ValueError(f"path must end in .gif or .mp4, got {path!r}")
    write_named_atomically(path, write, suffix)
    return path


def _ffmpeg():
    """The ffmpeg program to run: matplotlib's setting when it names one that
    exists, else the one the optional package ``imageio-ffmpeg`` ships, else
    None."""
    if _animation.writers.is_available("ffmpeg"):
        return matplotlib.rcParams["animation.ffmpeg_path"]
    try:
        import imageio_ffmpeg
    except ImportError:
        return None
    return imageio_ffmpeg.get_ffmpeg_exe()


def _durations(frames, fps):
    """How long each of ``frames`` GIF frames shows, in milliseconds: ``1000
    / fps`` (at least 20, what viewers play), the last ``HOLD_LAST_MS``."""
    step = max(int(round(1000 / fps)), 20)
    return [step] * (frames - 1) + [max(HOLD_LAST_MS, step)]


class _GifWriter(_animation.AbstractMovieWriter):
    """A looping GIF of a matplotlib Animation's frames, written by Pillow,
    its last frame held (`_durations`): matplotlib's interface for a movie
    writer of one's own (``setup``, ``grab_frame``, ``finish``)."""

    def setup(self, fig, outfile, dpi=None):
        super().setup(fig, outfile, dpi=dpi)
        self.images = []

    def grab_frame(self, **savefig_kwargs):
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="rgba", dpi=self.dpi, **savefig_kwargs)
        self.images.append(Image.frombuffer("RGBA", self.frame_size, buffer.getbuffer()))

    def finish(self):
        self.images[0].save(self.outfile, save_all=True, append_images=self.images[1:],
                            duration=_durations(len(self.images), self.fps), loop=0)


def _write_gif(anim, path, fps, dpi):
    """``anim`` as a looping GIF at ``path``, its last frame held (`_durations`):
    a TrainingAnimation's `rgb_frames`, each reduced to 256 colours as it
    comes; any other Animation through matplotlib's PillowWriter."""
    if not isinstance(anim, TrainingAnimation):
        anim.save(path, writer=_GifWriter(fps=fps), dpi=dpi)
        return
    frames = (Image.fromarray(rgb).quantize(256, method=Image.Quantize.FASTOCTREE,
                                            dither=Image.Dither.NONE)
              for rgb in anim.rgb_frames(dpi))
    next(frames).save(path, format="GIF", save_all=True, append_images=frames,
                      duration=_durations(len(anim.epochs), fps), loop=0)
