"""The renderer: a scene (see :mod:`.scenes`) drawn as PIL frames, for ``to_png`` and GIF export.

Left the input panel with the current window outlined, right the output map:
cells up to the step in :func:`cnnlab._colors.to_rgb_array` colours (the browser's
colours exactly), later ones in ``PENDING_RGB``; above them the title, the
scale note and the step's caption. A convolution's kernel, its weights written
in its cells, sits between the two. Under them the keys: the colour key of the
output (and of the input when its colours differ), the key of the cells not
computed yet, and why a scale is clipped when it is. So every frame of a GIF
explains itself. Every function takes a scene and the step; nothing here knows a widget.

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
from ._text import fmt
from .scenes._common import PANEL_PX, PENDING_WORDS, clip_words, panel_scale

__all__ = ["FONT_PX", "MAX_FRAME_PIXELS", "MAX_GIF_PIXELS", "check_size", "frame", "frames", "geometry", "gif_steps",
           "load_font", "png"]

FONT_PX = 15
GIF_PANEL_PX = 240
#: largest static frame (``to_png``), in pixels: about 2000 x 2000, a PNG in about a second
MAX_FRAME_PIXELS = 4_000_000
#: most pixels of all a GIF's frames together: 150 frames of about 630 x 630, written in a few seconds
MAX_GIF_PIXELS = 60_000_000


@functools.lru_cache(maxsize=4)
def load_font(size: int):
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
        ``input_scale`` / ``output_scale`` (pixels per cell), ``kernel_origin`` and
        ``kernel_size`` (``None`` when the scene has no kernel), ``keys_origin`` and
        ``keys_size`` (the colour keys under the panels), ``text_origin`` and ``line``.
    """
    in_rows, in_cols = scene.panel().shape[:2] if panel_shape is None else panel_shape
    out_rows, out_cols = scene.grid
    s_in, s_out = panel_scale(in_rows, in_cols, panel_px), panel_scale(out_rows, out_cols, panel_px)
    margin, gap, line = 14, 28, 22
    font = load_font(FONT_PX)
    texts = [scene.title(), scene.scale_note, scene.caption(scene.steps - 1)]
    text_w = max(_text_width(t, font) for t in texts) + 24
    caption = line * len(texts) + 8
    in_w, in_h = in_cols * s_in, in_rows * s_in
    out_w, out_h = out_cols * s_out, out_rows * s_out
    kernel = _kernel_size(scene)
    kernel_w = 0 if kernel is None else kernel[0] + gap
    keys_w = _keys_width(scene)
    width = max(margin + in_w + gap + kernel_w + out_w + margin, margin + text_w, margin + keys_w + margin)
    keys_h = _keys_height(scene, width - 2 * margin)
    top = margin + caption
    panels_h = max(in_h, out_h, 0 if kernel is None else kernel[1])
    height = top + panels_h + KEYS_GAP + keys_h + margin
    return {"size": (width, height), "input_origin": (margin, top), "input_scale": s_in,
            "kernel_origin": None if kernel is None else (margin + in_w + gap, top), "kernel_size": kernel,
            "output_origin": (margin + in_w + gap + kernel_w, top), "output_scale": s_out,
            "keys_origin": (margin, top + panels_h + KEYS_GAP), "keys_size": (width - 2 * margin, keys_h),
            "text_origin": (margin, margin), "line": line}


# ---------------------------------------------------------------- the kernel panel

KEYS_GAP = 12        # between the panels and the keys under them
KEY_FONT_PX = 13
KEY_LINE = 19        # one line of the keys
NOTE_LINE = 17       # one line of a note under them
KEY_BAR = (64, 12)   # one colour bar of a key, in pixels
KERNEL_CELL_MAX = 36
#: most weights written out per kernel side (as in the widget's numbers panel); bigger kernels are drawn
KERNEL_WRITTEN = 9
#: about how large a kernel drawn without numbers is, in pixels
KERNEL_DRAWN_PX = 120
KERNEL_CAPTION = 20


def _kernel_planes(scene) -> list[tuple[str, np.ndarray]]:
    """The kernel's 2-D planes to draw, with their labels: one, one per channel (R G B), or none."""
    kernel = getattr(scene, "kernel", None)
    if kernel is None or scene.kind != "convolution":
        return []
    if kernel.ndim == 2:
        return [("", kernel)]
    names = ("R", "G", "B") if kernel.shape[2] == 3 else tuple(str(c) for c in range(kernel.shape[2]))
    return [(names[c], kernel[:, :, c]) for c in range(min(kernel.shape[2], 3))]


def _weights_written(scene) -> list[list[str]] | None:
    """The weights as the widget writes them (fractions, short decimals or 3 digits), or None if too big."""
    from .scenes.convolution import kernel_denominator, weight_text

    kernel = scene.kernel
    if max(kernel.shape[:2]) > KERNEL_WRITTEN:
        return None
    den = kernel_denominator(kernel)
    text = (lambda w: weight_text(w, den)) if den else (lambda w: f"{float(w):.3g}")
    return [text(w).replace("-", "\u2212") for w in np.asarray(kernel).reshape(-1)]


def _kernel_cell(scene) -> tuple[int, int]:
    """``(width, height)`` in pixels of one kernel cell."""
    kh, kw = scene.kernel.shape[:2]
    texts = _weights_written(scene)
    if texts is None:
        side = max(2, KERNEL_DRAWN_PX // max(kh, kw))
        return side, side
    font = load_font(KEY_FONT_PX)
    width = max(_text_width(t, font) for t in texts) + 10
    return max(24, min(width, 64)), 24


def _kernel_notes(scene) -> list[str]:
    """Lines under the kernel grid: its channels when not all are drawn, a trained filter's bias."""
    notes = []
    kernel = scene.kernel
    if kernel.ndim == 3 and kernel.shape[2] > 3:
        notes.append(f"channels 0-2 of {kernel.shape[2]}")
    if getattr(scene, "layer", None) is not None and scene.layer.use_bias:
        notes.append(f"+ bias {fmt(scene.layer.bias)}")
    return notes


def _kernel_size(scene):
    """``(width, height)`` of the kernel panel, or None for a scene with no kernel."""
    planes = _kernel_planes(scene)
    if not planes:
        return None
    kh, kw = scene.kernel.shape[:2]
    cw, ch = _kernel_cell(scene)
    font = load_font(KEY_FONT_PX)
    notes = _kernel_notes(scene)
    width = max(kw * cw + 1, _text_width("kernel", load_font(FONT_PX)), *(_text_width(n, font) for n in notes))
    label = 16 if planes[0][0] else 0
    height = KERNEL_CAPTION + len(planes) * (label + kh * ch + 1 + 6) + len(notes) * NOTE_LINE
    return width, height


def _draw_kernel(draw, scene, x: int, y: int) -> None:
    """The kernel panel at ``(x, y)``: "kernel", then each plane's cells, tinted by sign, weights written."""
    planes = _kernel_planes(scene)
    kh, kw = scene.kernel.shape[:2]
    cw, ch = _kernel_cell(scene)
    written = _weights_written(scene)
    font = load_font(KEY_FONT_PX)
    draw.text((x, y), "kernel", fill=(20, 20, 20), font=load_font(FONT_PX))
    top = y + KERNEL_CAPTION
    peak = float(np.abs(scene.kernel).max()) or 1.0
    for p, (label, plane) in enumerate(planes):
        if label:
            draw.text((x, top), label, fill=(90, 90, 90), font=font)
            top += 16
        # written weights sit on pale tints (half way to white) so the numbers stay readable
        colours = _colors.to_rgb_array(plane, -peak, peak).astype(np.int32)
        if written is not None:
            colours = (colours + 255) // 2
        for i in range(kh):
            for j in range(kw):
                box = [x + j * cw, top + i * ch, x + (j + 1) * cw, top + (i + 1) * ch]
                outline = (160, 160, 160) if written is not None else None
                draw.rectangle(box, fill=tuple(int(c) for c in colours[i, j]), outline=outline)
                if written is not None:
                    text = written[(i * kw + j) * (1 if scene.kernel.ndim == 2 else scene.kernel.shape[2])
                                   + (0 if scene.kernel.ndim == 2 else p)]
                    tw = _text_width(text, font)
                    draw.text((box[0] + (cw - tw) // 2, box[1] + (ch - KEY_FONT_PX) // 2 - 1), text,
                              fill=(20, 20, 20), font=font)
        top += kh * ch + 1 + 6
    for note in _kernel_notes(scene):
        draw.text((x, top), note, fill=(60, 60, 60), font=font)
        top += NOTE_LINE


# ---------------------------------------------------------------- the keys under the panels


def _key_rows(scene) -> list[tuple[str, float, float, bool, bool]]:
    """One colour key per row: ``(label, vmin, vmax, clipped below, clipped above)``."""
    rows = []
    inputs = scene.input_key()
    arrays = scene.legend_arrays()
    label = "both maps:" if len(arrays) > 1 else ("output:" if inputs is not None else "colours:")
    rows.append((label, scene.vmin, scene.vmax, *_beyond(arrays, scene.vmin, scene.vmax)))
    if inputs is not None:
        arrays, vmin, vmax = inputs
        rows.append(("input:", vmin, vmax, *_beyond(arrays, vmin, vmax)))
    return rows


def _beyond(arrays, vmin: float, vmax: float) -> tuple[bool, bool]:
    return (any(float(np.min(a)) < vmin for a in arrays if np.size(a)),
            any(float(np.max(a)) > vmax for a in arrays if np.size(a)))


def _key_notes(scene) -> list[str]:
    """Why each key is clipped, when it is."""
    notes = [clip_words(scene.legend_arrays(), scene.vmin, scene.vmax)]
    inputs = scene.input_key()
    if inputs is not None:
        notes.append(clip_words(*inputs))
        if notes[-1]:
            notes[-1] = "input: " + notes[-1]
    return [n for n in notes if n]


def _key_items(label, vmin, vmax, below, above) -> list:
    """The parts of one key row, left to right: texts, and ``(a, b)`` colour bars from a to b."""
    items = [label, ("\u2264 " if below else "") + fmt(vmin)]
    items += [(vmin, 0.0), "0", (0.0, vmax)] if vmin < 0 else [(vmin, vmax)]
    return [*items, ("\u2265 " if above else "") + fmt(vmax)]


def _items_width(items, font) -> int:
    gap = 6
    return sum((KEY_BAR[0] if isinstance(i, tuple) else _text_width(i, font)) + gap for i in items)


def _pending_width(font) -> int:
    return 24 + 16 + _text_width(PENDING_WORDS, font)


def _keys_width(scene) -> int:
    """The widest key row: the first row also holds the key of the cells not computed yet."""
    font = load_font(KEY_FONT_PX)
    rows = [_items_width(_key_items(*row), font) for row in _key_rows(scene)]
    rows[0] += _pending_width(font)
    return max(rows)


def _wrapped(text: str, width: int, font) -> list[str]:
    """``text`` in lines of at most ``width`` pixels, broken between words."""
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and _text_width(candidate, font) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


def _keys_height(scene, width: int) -> int:
    font = load_font(KEY_FONT_PX)
    notes = sum(len(_wrapped(n, width, font)) for n in _key_notes(scene))
    return len(_key_rows(scene)) * KEY_LINE + notes * NOTE_LINE


def _draw_keys(draw, scene, x: int, y: int, width: int) -> None:
    """The colour keys, the key of the cells not computed yet, and the notes, from ``(x, y)``."""
    font = load_font(KEY_FONT_PX)
    ink, muted = (20, 20, 20), (90, 90, 90)
    for r, row in enumerate(_key_rows(scene)):
        vmin, vmax = row[1], row[2]
        cx, top = x, y + r * KEY_LINE
        for item in _key_items(*row):
            if isinstance(item, tuple):
                ramp = _colors.to_rgb_array(np.linspace(item[0], item[1], KEY_BAR[0]), vmin, vmax)
                for i, rgb in enumerate(ramp):
                    draw.line([cx + i, top + 3, cx + i, top + 3 + KEY_BAR[1]], fill=tuple(int(c) for c in rgb))
                draw.rectangle([cx, top + 3, cx + KEY_BAR[0] - 1, top + 3 + KEY_BAR[1]], outline=(160, 160, 160))
                cx += KEY_BAR[0] + 6
            else:
                draw.text((cx, top + 1), item, fill=ink, font=font)
                cx += _text_width(item, font) + 6
        if r == 0:   # the cells not computed yet, after the first key
            cx += 18
            draw.rectangle([cx, top + 3, cx + 16, top + 3 + KEY_BAR[1]], fill=_colors.PENDING_RGB,
                           outline=(160, 160, 160))
            draw.text((cx + 22, top + 1), PENDING_WORDS, fill=ink, font=font)
    top = y + len(_key_rows(scene)) * KEY_LINE
    for note in _key_notes(scene):
        for text in _wrapped(note, width, font):
            draw.text((x, top), text, fill=muted, font=font)
            top += NOTE_LINE


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
    return geo, _with_kernel_and_keys(base, scene, geo), full


def _with_kernel_and_keys(base: np.ndarray, scene, geo: dict) -> np.ndarray:
    """``base`` with the kernel panel and the keys drawn in (they are the same in every frame)."""
    from PIL import Image, ImageDraw

    image = Image.fromarray(base)
    draw = ImageDraw.Draw(image)
    if geo["kernel_origin"] is not None:
        _draw_kernel(draw, scene, *geo["kernel_origin"])
    _draw_keys(draw, scene, *geo["keys_origin"], geo["keys_size"][0])
    return np.asarray(image).copy()


def _outline(frame_px, x, y, w, h, thickness, rgb=_colors.WINDOW_RGB):
    height, width = frame_px.shape[:2]
    x1, y1 = min(x + w, width), min(y + h, height)
    for (a, b, c, d) in ((y, min(y + thickness, y1), x, x1), (max(y1 - thickness, y), y1, x, x1),
                         (y, y1, x, min(x + thickness, x1)), (y, y1, max(x1 - thickness, x), x1)):
        frame_px[max(a, 0):max(b, 0), max(c, 0):max(d, 0)] = rgb


def _window(frame_px, x, y, w, h, thickness):
    """The window: an orange frame on its border, a dark line just inside it and another just outside,
    so that it shows on an orange photo too."""
    _outline(frame_px, x - 1, y - 1, w + 2, h + 2, 1, (0, 0, 0))
    _outline(frame_px, x, y, w, h, thickness)
    if w > 2 * thickness + 2 and h > 2 * thickness + 2:
        _outline(frame_px, x + thickness, y + thickness, w - 2 * thickness, h - 2 * thickness, 1, (0, 0, 0))


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
    _window(pixels, x0 + left * s_in, y0 + top * s_in, w * s_in, h * s_in, max(2, s_in // 3))
    image = Image.fromarray(pixels)
    draw = ImageDraw.Draw(image)
    tx, ty = geo["text_origin"]
    font = load_font(FONT_PX)
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
    small = load_font(size)
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
