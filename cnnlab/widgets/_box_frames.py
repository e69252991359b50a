"""The renderer of the box widgets' scenes (IoU, NMS) as PIL frames, for ``to_png``.

The photo is drawn about ``panel_px`` pixels on its longest side, the boxes
over it in the colours the page uses (:data:`.scenes.iou.BOX_COLORS`), and the
title, the scale note and the caption above. :mod:`._frames` draws the sliding
window scenes; the text helpers and size checks are shared with it.

Examples
--------
>>> from cnnlab.widgets._inputs import load_image
>>> from cnnlab.widgets.scenes.iou import iou_scene, photo_rgb
>>> scene = iou_scene(photo_rgb(load_image("astronaut", 64)), (0, 0, 256, 256), (128, 0, 384, 256))
>>> iou_frame(scene).mode
'RGB'
"""

from __future__ import annotations

import numpy as np

from . import _frames
from .scenes._common import PANEL_PX
from .scenes.iou import BOX_COLORS
from .scenes.nms import KEPT, PENDING, REMOVED

__all__ = ["iou_frame", "nms_frame"]

_MARGIN, _LINE = 14, 22


def _canvas(scene, lines: list[str], panel_px: int):
    """A white frame with the photo scaled to about ``panel_px``; returns ``(image, draw, to_px)``.

    ``to_px(x, y)`` maps a point in pixels of the photo as given to frame pixels.
    """
    from PIL import Image, ImageDraw

    photo = scene.source.array
    factor = panel_px * 1.5 / max(photo.shape[:2])
    shown_w, shown_h = max(1, round(photo.shape[1] * factor)), max(1, round(photo.shape[0] * factor))
    font = _frames.load_font(_frames.FONT_PX)
    text_w = max(_frames._text_width(t, font) for t in lines) + 2 * _MARGIN
    top = _MARGIN + _LINE * len(lines) + 8
    geo = {"size": (max(shown_w + 2 * _MARGIN, text_w), top + shown_h + _MARGIN)}
    _frames.check_size(geo)
    image = Image.new("RGB", geo["size"], (255, 255, 255))
    pil = Image.fromarray(photo).convert("RGB").resize((shown_w, shown_h), Image.BILINEAR)
    image.paste(pil, (_MARGIN, top))
    draw = ImageDraw.Draw(image, "RGBA")
    for i, text in enumerate(lines):
        draw.text((_MARGIN, _MARGIN + i * _LINE), text, fill=(20, 20, 20) if i != 1 else (90, 90, 90), font=font)
    width, height = scene.source.original[1], scene.source.original[0]

    def to_px(x, y):
        return _MARGIN + x * shown_w / width, top + y * shown_h / height

    return image, draw, to_px


def _rect(draw, to_px, box, rgb, width=3, fill=None):
    (x0, y0), (x1, y1) = to_px(box[0], box[1]), to_px(box[2], box[3])
    draw.rectangle([x0, y0, max(x0, x1 - 1), max(y0, y1 - 1)], outline=tuple(rgb), width=width, fill=fill)
    return x0, y0


def _label(draw, xy, text: str, rgb, font) -> None:
    """``text`` in ``rgb`` on a white band, readable over the photo."""
    x, y = xy
    draw.rectangle([x, y, x + _frames._text_width(text, font) + 4, y + _frames.FONT_PX], fill=(255, 255, 255, 215))
    draw.text((x + 2, y), text, fill=tuple(rgb), font=font)


def iou_frame(scene, panel_px: int = PANEL_PX):
    """The IoU scene as a PIL RGB image: both boxes, their overlap shaded, the numbers above."""
    image, draw, to_px = _canvas(scene, [scene.title(), scene.scale_note, scene.caption()], panel_px)
    if scene.overlap is not None:
        _rect(draw, to_px, scene.overlap, BOX_COLORS["overlap"], 1, fill=(*BOX_COLORS["overlap"], 110))
    font = _frames.load_font(_frames.FONT_PX)
    for name, box in (("A", scene.box_a), ("B", scene.box_b)):
        x0, y0 = _rect(draw, to_px, box, BOX_COLORS[f"box_{name.lower()}"])
        _label(draw, (x0 + 4, y0 + 3), name, BOX_COLORS[f"box_{name.lower()}"], font)
    return image


def nms_frame(scene, step: int, panel_px: int = PANEL_PX):
    """The NMS scene after decision ``step``: kept boxes green, removed red with their IoU, pending grey,
    the box just decided thicker with a yellow ring."""
    image, draw, to_px = _canvas(scene, [scene.title(), scene.scale_note, scene.caption(step)], panel_px)
    states = scene.states(step)
    removed_iou = {d.index: d.iou for d in scene.decisions[:step + 1] if not d.kept}
    font = _frames.load_font(_frames.FONT_PX - 2)
    order = np.argsort(states == PENDING, kind="stable")[::-1]   # pending first, decided on top
    color = {PENDING: BOX_COLORS["pending"], KEPT: BOX_COLORS["kept"], REMOVED: BOX_COLORS["removed"]}
    for i in order:
        x0, y0 = _rect(draw, to_px, scene.boxes[i], color[int(states[i])], 2)
        if states[i] == REMOVED:
            _label(draw, (x0 + 3, y0 + 2), f"{removed_iou[int(i)]:.2f}", BOX_COLORS["removed"], font)
    current = scene.decisions[step].index
    (x0, y0), (x1, y1) = to_px(*scene.boxes[current][:2]), to_px(*scene.boxes[current][2:])
    draw.rectangle([x0 - 3, y0 - 3, x1 + 2, y1 + 2], outline=BOX_COLORS["current"], width=3)
    _rect(draw, to_px, scene.boxes[current], color[int(states[current])], 4)
    if states[current] == REMOVED:
        _label(draw, (x0 + 3, y0 + 2), f"IoU {removed_iou[current]:.2f}", BOX_COLORS["removed"],
               _frames.load_font(_frames.FONT_PX))
    return image
