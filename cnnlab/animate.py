"""Animated GIFs of the widgets' animations, for slides and for viewers without widgets.

The frames are the widgets' scenes drawn by their renderer (:mod:`cnnlab.widgets._frames`,
the same as :meth:`ConvolutionWidget.frame`): the same numbers (from :mod:`cnnlab.ops`) and the same colours as in the browser.
A long animation is subsampled to at most ``max_frames`` evenly spaced steps,
always ending on the complete map, so a GIF stays small and writes in seconds.

Examples
--------
>>> from cnnlab import animate
>>> animate.convolution_gif("cat", "sobel_x", "conv.gif")       # doctest: +SKIP
PosixPath('conv.gif')

From a shell::

    python -m cnnlab gif conv --image cat --kernel sobel_x conv.gif
    python -m cnnlab gif pool --image coins --size 2 pool.gif
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import _validate as v

__all__ = ["add_gif_arguments", "convolution_gif", "pooling_gif", "run_gif", "save_gif"]


def save_gif(widget, path, *, max_frames: int = 150, fps: float = 12.0, hold_last: float = 2.0,
             panel_px: int = 240) -> Path:
    """Write ``widget``'s animation as an animated GIF and return the path.

    Parameters
    ----------
    widget : ConvolutionWidget, PoolingWidget, ActivationWidget, FlattenWidget or NMSWidget
    path : str or path-like
        Where to write the ``.gif``.
    max_frames : int
        At most this many frames (steps are subsampled evenly; the last step is always included).
    fps : float
        Frames per second of playback.
    hold_last : float
        Seconds the final frame (the complete map) stays on screen before the GIF loops.
    panel_px : int
        About how many pixels wide each panel is.

    Returns
    -------
    pathlib.Path

    Introduced in lesson 02.
    """

    from .widgets import _frames
    from .widgets._base import AnimatedWidget

    if not isinstance(widget, AnimatedWidget):
        raise TypeError(f"widget must be a cnnlab widget (ConvolutionWidget, PoolingWidget, ...), "
                        f"got {type(widget).__name__}")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path, got {type(path).__name__}")
    fps = v.finite_number(fps, "fps")
    if not 0 < fps <= 50:
        raise ValueError(f"fps must be more than 0 and at most 50, got {fps:g}")
    hold_last = v.finite_number(hold_last, "hold_last")
    if hold_last < 0:
        raise ValueError(f"hold_last must be 0 or more seconds, got {hold_last:g}")
    panel_px = v.positive_int(panel_px, "panel_px")
    steps = _frames.gif_steps(widget.steps, max_frames)
    if type(widget).frame is AnimatedWidget.frame:   # a sliding window: the static parts are drawn once
        frames = _frames.frames(widget.scene, steps, panel_px)
    else:                                            # a kind with its own picture (NMS): frame by frame
        frames = _frames_of(widget, steps, panel_px, _frames.MAX_GIF_PIXELS)
    indexed = _indexed(frames)
    step_ms = max(20, round(1000 / fps))
    durations = [step_ms] * len(indexed)
    durations[-1] = max(step_ms, round(hold_last * 1000))
    path = Path(path)
    # optimize: each frame stores only the box that changed, its unchanged pixels as the free
    # transparent colour (long runs LZW packs well): the photo, the kernel and the keys are
    # stored once, which keeps a 150-frame GIF of a photo to a few hundred KB
    indexed[0].save(path, format="GIF", save_all=True, append_images=indexed[1:], duration=durations,
                    loop=0, optimize=True, disposal=1)
    return path


def _indexed(frames: list) -> list:
    """The frames on one shared palette: 255 colours, the 256th left free for "unchanged" (see save_gif).

    The palette is the photo's and the map's colours (from the first and the last frame: pending
    cells, window, every map colour) plus, exactly, the colours that must not drift to the nearest
    colour of the photo: the window's orange (on an orange suit it would vanish), the pending
    cells' green, the map's two end colours, black and white.
    """
    from PIL import Image

    from . import _colors

    keep = (_colors.WINDOW_RGB, _colors.PENDING_RGB, _colors.NEGATIVE_RGB, _colors.POSITIVE_RGB,
            (0, 0, 0), (255, 255, 255))
    first, last = frames[0], frames[-1]
    sample = Image.new("RGB", (first.width, first.height + last.height))
    sample.paste(first, (0, 0))
    sample.paste(last, (0, first.height))
    count = 255 - len(keep)
    colours = sample.quantize(colors=count, method=Image.Quantize.MEDIANCUT).getpalette()[:3 * count]
    colours += [0] * (3 * count - len(colours))   # fewer colours than asked: unused entries
    palette = Image.new("P", (1, 1))
    palette.putpalette([*(c for rgb in keep for c in rgb), *colours])
    return [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]


def _frames_of(widget, steps, panel_px: int, max_pixels: int) -> list:
    """``widget.frame(step)`` for every step, refused before drawing more than ``max_pixels`` in all."""
    first = widget.frame(int(steps[0]), panel_px)
    total = first.width * first.height * len(steps)
    if total > max_pixels:
        raise ValueError(f"max_frames={len(steps)} frames of {first.width}x{first.height} would make a GIF of "
                         f"{total:,} pixels; the limit is {max_pixels:,}: use fewer frames or a smaller panel_px")
    frames = [first] + [widget.frame(int(s), panel_px) for s in steps[1:]]
    return _same_size(frames)


def _same_size(frames: list) -> list:
    """Frames whose captions differ in width, pasted on white canvases of one size (a GIF has one)."""
    from PIL import Image

    width, height = max(f.width for f in frames), max(f.height for f in frames)
    out = []
    for f in frames:
        canvas = Image.new("RGB", (width, height), (255, 255, 255))
        canvas.paste(f.convert("RGB"), (0, 0))
        out.append(canvas)
    return out


def convolution_gif(image, kernel, path, stride=None, padding=None, *, filter=None, max_size: int = 48,
                    max_frames: int = 150, fps: float = 12.0, **kwargs) -> Path:
    """GIF of a kernel sliding over a photo (see :class:`cnnlab.widgets.ConvolutionWidget`).

    Parameters
    ----------
    image, kernel, stride, padding, filter, max_size
        As for :class:`~cnnlab.widgets.ConvolutionWidget` (``kernel`` may be a trained Keras
        ``Conv2D`` layer with ``filter``; ``max_size`` 48 by default: GIFs for slides read
        better with bigger pixels).
    path : str or path-like
    max_frames, fps, **kwargs
        As for :func:`save_gif`.

    Examples
    --------
    >>> convolution_gif("camera", "sobel_x", "edges.gif")    # doctest: +SKIP
    """
    from .widgets import ConvolutionWidget

    widget = ConvolutionWidget(image, kernel, stride, padding, filter=filter, max_size=max_size)
    return save_gif(widget, path, max_frames=max_frames, fps=fps, **kwargs)


def pooling_gif(feature_map, path, size=2, stride=None, mode="max", *, max_size: int = 48,
                max_frames: int = 150, fps: float = 12.0, **kwargs) -> Path:
    """GIF of a pooling window shrinking a map or photo (see :class:`cnnlab.widgets.PoolingWidget`).

    Examples
    --------
    >>> pooling_gif("coins", "pool.gif", size=2)    # doctest: +SKIP
    """
    from .widgets import PoolingWidget

    widget = PoolingWidget(feature_map, size, stride, mode, max_size=max_size)
    return save_gif(widget, path, max_frames=max_frames, fps=fps, **kwargs)


# ---------------------------------------------------------------- command line


def _padding_arg(text: str):
    return int(text) if text.isdigit() else text


def add_gif_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add ``conv`` and ``pool`` sub-commands to the ``cnnlab gif`` parser (see :func:`run_gif`)."""
    sub = parser.add_subparsers(dest="gif_kind", metavar="{conv,pool}", required=True)
    conv = sub.add_parser("conv", help="a kernel sliding over a photo",
                          description="Write a GIF of a kernel sliding over a photo.")
    conv.add_argument("--image", default="cat", help="photo name or image file (default: cat)")
    conv.add_argument("--kernel", default="sobel_x",
                      help="kernel name or typed values like '1 0 -1; 2 0 -2; 1 0 -1' (default: sobel_x)")
    conv.add_argument("--stride", type=int, default=1)
    conv.add_argument("--padding", type=_padding_arg, default="valid", help="valid, same or a number")
    pool = sub.add_parser("pool", help="a pooling window over a photo",
                          description="Write a GIF of max or average pooling over a photo.")
    pool.add_argument("--image", default="coins", help="photo name (default: coins)")
    pool.add_argument("--size", type=int, default=2)
    pool.add_argument("--stride", type=int, default=None)
    pool.add_argument("--mode", choices=("max", "avg"), default="max")
    for p in (conv, pool):
        p.add_argument("--max-size", type=int, default=48,
                       help="longest side the photo is shown at (default 48)")
        p.add_argument("--frames", type=int, default=150, help="at most this many frames (default 150)")
        p.add_argument("--fps", type=float, default=12.0, help="frames per second (default 12)")
        p.add_argument("path", help="the .gif file to write")
    return parser


def run_gif(args) -> int:
    """Do what ``cnnlab gif conv|pool ...`` asked; print the result; return an exit code."""
    try:
        common = {"max_size": args.max_size, "max_frames": args.frames, "fps": args.fps}
        if args.gif_kind == "conv":
            path = convolution_gif(args.image, args.kernel, args.path, args.stride, args.padding, **common)
        else:
            path = pooling_gif(args.image, args.path, args.size, args.stride, args.mode, **common)
    except (ValueError, TypeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from PIL import Image

    with Image.open(path) as gif:
        frames = gif.n_frames
    print(f"wrote {path} ({frames} frames, {path.stat().st_size / 1024:.0f} KB)")
    return 0
