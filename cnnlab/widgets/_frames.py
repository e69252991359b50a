"""The renderer: a scene (see :mod:`.scenes`) drawn as PIL frames, for ``to_png`` and GIF export.

Left the input panel with the current window outlined, right the output map:
cells up to the step in :func:`cnnlab._colors.to_rgb_array` colours (the browser's
colours exactly), later ones in ``PENDING_RGB``; above them the title, the
scale note and the step's caption. Every function takes a scene and the step;
nothing here knows a widget.

Examples
--------
>>> from cnnlab import kernels
>>> from cnnlab.widgets._inputs import load_image
>>> from cnnlab.widgets.scenes import convolution_scene
>>> scene = convolution_scene(load_image("camera", 16), "sobel_x", kernels.get("sobel_x"), (1, 1),
...                           "valid", "all")
>>> frame(scene, 0).mode, len(frames(scene, gif_steps(scene.steps, 5)))
('RGB', 5)
"""

from __future__ import annotations

import functools
import io
import math
import os
from pathlib import Path

import numpy as np

from .. import _colors
from .. import _validate as v
from .scenes._common import PANEL_PX, panel_scale

__all__ = ["FONT_PX", "MAX_FRAME_PIXELS", "MAX_GIF_PIXELS", "check_size", "frame", "frames", "geometry", "gif_steps", "png"]

FONT_PX = 15
GIF_PANEL_PX = 240
#: largest static frame (``to_png``), in pixels: about 2000 x 2000, a PNG in about a second
MAX_FRAME_PIXELS = 4_000_000
#: most pixels of all a GIF's frames together: 150 frames of about 630 x 630, written in a few seconds
MAX_GIF_PIXELS = 60_000_000


@functools.lru_cache(maxsize=4)
def _font(size: int):
    """DejaVu Sans from matplotlib (it has ×, − and →), else Pillow's default font."""
    from PIL import ImageFont

    try:
        import matplotlib

        fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        return ImageFont.truetype(str(fonts / "DejaVuSans.ttf"), size)
    except (ImportError, OSError):
        try:
            return ImageFont.load_default(size=size)
        except TypeError:  # Pillow without FreeType
            return ImageFont.load_default()


def _text_width(text: str, font) -> int:
    try:
        return math.ceil(font.getlength(text))
    except AttributeError:  # bitmap font
        return 7 * len(text)


def geometry(scene, panel_px: int = PANEL_PX, panel_shape=None) -> dict:
    """Where the panels sit in a frame of ``scene``, in pixels.

    Returns
    -------
    dict
        ``size`` ``(width, height)``, ``input_origin`` / ``output_origin`` ``(x, y)``,
        ``input_scale`` / ``output_scale`` (pixels per cell), ``text_origin`` and ``line``.
    """
    in_rows, in_cols = scene.panel().shape[:2] if panel_shape is None else panel_shape
    out_rows, out_cols = scene.grid
    s_in, s_out = panel_scale(in_rows, in_cols, panel_px), panel_scale(out_rows, out_cols, panel_px)
    margin, gap, line = 14, 28, 22
    font = _font(FONT_PX)
    texts = [scene.title(), scene.scale_note, scene.caption(scene.steps - 1)]
    text_w = max(_text_width(t, font) for t in texts) + 24
    caption = line * len(texts) + 8
    in_w, in_h = in_cols * s_in, in_rows * s_in
    out_w, out_h = out_cols * s_out, out_rows * s_out
    width = max(margin + in_w + gap + out_w + margin, margin + text_w)
    height = margin + caption + max(in_h, out_h) + margin
    return {"size": (width, height), "input_origin": (margin, margin + caption), "input_scale": s_in,
            "output_origin": (margin + in_w + gap, margin + caption), "output_scale": s_out,
            "text_origin": (margin, margin), "line": line}


def check_size(geo: dict, count: int = 1) -> None:
    """Raise ``ValueError`` when ``count`` frames of geometry ``geo`` would be too many pixels.

    The limits are :data:`MAX_FRAME_PIXELS` per frame and :data:`MAX_GIF_PIXELS` for all.
    """
    width, height = geo["size"]
    one = width * height
    if one > MAX_FRAME_PIXELS:
        raise ValueError(f"the picture would be {width}x{height} = {one:,} pixels; the limit is "
                         f"{MAX_FRAME_PIXELS:,}: use a smaller panel_px, or a smaller max_size for the widget")
    if one * count > MAX_GIF_PIXELS:
        fits = max(1, MAX_GIF_PIXELS // one)
        raise ValueError(f"max_frames={count} frames of {width}x{height} pixels would be {one * count:,} pixels; "
                         f"the limit is {MAX_GIF_PIXELS:,}: use max_frames={fits} or fewer, or a smaller panel_px")


def _static_parts(scene, panel_px: int, count: int = 1):
    """What does not change between steps: geometry, background with input panel, output colours.

    The size of ``count`` frames is checked (:func:`check_size`) before anything is drawn.
    """
    panel = scene.panel()
    geo = geometry(scene, panel_px, panel.shape[:2])
    check_size(geo, count)
    rows, cols = scene.grid
    n = scene.steps
    colors = np.zeros((rows * cols, 3), dtype=np.uint8)
    colors[:] = _colors.BACKGROUND_RGB
    colors[:n] = _colors.to_rgb_array(scene.values, scene.vmin, scene.vmax)
    s_out, s_in = geo["output_scale"], geo["input_scale"]
    full = np.repeat(np.repeat(colors.reshape(rows, cols, 3), s_out, 0), s_out, 1)
    panel = np.repeat(np.repeat(panel, s_in, 0), s_in, 1)
    width, height = geo["size"]
    base = np.empty((height, width, 3), dtype=np.uint8)
    base[:] = _colors.BACKGROUND_RGB
    x, y = geo["input_origin"]
    base[y:y + panel.shape[0], x:x + panel.shape[1]] = panel
    return geo, base, full


def _outline(frame_px, x, y, w, h, thickness):
    height, width = frame_px.shape[:2]
    x1, y1 = min(x + w, width), min(y + h, height)
    for (a, b, c, d) in ((y, min(y + thickness, y1), x, x1), (max(y1 - thickness, y), y1, x, x1),
                         (y, y1, x, min(x + thickness, x1)), (y, y1, max(x1 - thickness, x), x1)):
        frame_px[max(a, 0):max(b, 0), max(c, 0):max(d, 0)] = _colors.WINDOW_RGB


def _render(scene, parts, step: int):
    from PIL import Image, ImageDraw

    geo, base, full = parts
    pixels = base.copy()
    rows, cols = scene.grid
    s_out, s_in = geo["output_scale"], geo["input_scale"]
    index = np.arange(rows * cols).reshape(rows, cols)
    state = np.where(index <= step, 1, np.where(index < scene.steps, 2, 0))  # 1 done, 2 pending, 0 beyond
    state_px = np.repeat(np.repeat(state, s_out, 0), s_out, 1)
    x, y = geo["output_origin"]
    region = pixels[y:y + rows * s_out, x:x + cols * s_out]
    region[state_px == 1] = full[state_px == 1]
    region[state_px == 2] = _colors.PENDING_RGB
    top, left, h, w = scene.window(step)
    x0, y0 = geo["input_origin"]
    _outline(pixels, x0 + left * s_in, y0 + top * s_in, w * s_in, h * s_in, max(2, s_in // 3))
    image = Image.fromarray(pixels)
    draw = ImageDraw.Draw(image)
    tx, ty = geo["text_origin"]
    font = _font(FONT_PX)
    lines = [(scene.title(), (20, 20, 20)), (scene.scale_note, (90, 90, 90)), (scene.caption(step), (20, 20, 20))]
    for i, (text, color) in enumerate(lines):
        draw.text((tx, ty + i * geo["line"]), text, fill=color, font=font)
    for text, top, left, h, w in scene.panel_labels():
        _label(draw, text, x0 + left * s_in, y0 + top * s_in, h * s_in, w * s_in)
    return image


def _label(draw, text: str, x: int, y: int, height: int, width: int) -> None:
    """Write ``text`` (or a shorter form of it that fits) in a band of ``width`` x ``height`` pixels."""
    size = min(FONT_PX - 2, height - 3)
    if size < 8:
        return
    small = _font(size)
    for candidate in (text, text.replace("channel ", "ch "), text.split()[-1]):
        if _text_width(candidate, small) <= width:
            draw.text((x + 1, y + (height - size) // 2 - 1), candidate, fill=_colors.LABEL_RGB, font=small)
            return


def frame(scene, step: int, panel_px: int = PANEL_PX):
    """The frame of ``scene`` at ``step`` (a valid step) as a PIL RGB image."""
    return _render(scene, _static_parts(scene, panel_px), int(step))


def frames(scene, steps, panel_px: int = GIF_PANEL_PX) -> list:
    """PIL frames of ``scene`` at each of ``steps``; the parts shared by all are drawn once."""
    steps = list(steps)
    parts = _static_parts(scene, panel_px, len(steps))
    return [_render(scene, parts, int(s)) for s in steps]


def gif_steps(steps: int, max_frames: int = 150) -> np.ndarray:
    """At most ``max_frames`` evenly spaced steps of ``steps``, the first and the last included."""
    max_frames = v.positive_int(max_frames, "max_frames")
    count = min(steps, max_frames)
    return np.unique(np.round(np.linspace(0, steps - 1, count)).astype(int))


def png(image, path=None):
    """``image`` as PNG: bytes, or written to ``path`` (then the path is returned)."""
    if path is None:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path or None, got {type(path).__name__}")
    path = Path(path)
    image.save(path, format="PNG")
    return path
