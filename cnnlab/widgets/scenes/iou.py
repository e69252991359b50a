"""The IoU scene: two boxes over a photo, their overlap, and ``cnnlab.detection.iou`` of them.

Boxes are ``(x_min, y_min, x_max, y_max)`` in pixels of the photo as given (not
as shown): the page draws them scaled to the downscaled photo it receives.
Also here: :func:`photo_rgb`, the photo as the box widgets send it, and the box
colours both box widgets draw with (Python's, sent in ``meta``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ... import detection
from .._text import fmt, title_label
from ._common import Source, frozen, style

__all__ = ["BOX_COLORS", "IoUScene", "box_colors", "iou_scene", "photo_rgb"]

#: the colours of the box widgets, ``[r, g, b]``; the page draws with these
BOX_COLORS = {
    "box_a": (21, 101, 192),      # blue
    "box_b": (230, 81, 0),        # orange
    "overlap": (255, 193, 7),     # amber, drawn translucent
    "kept": (46, 125, 50),        # green
    "removed": (198, 40, 40),     # red
    "pending": (150, 150, 150),   # grey
    "current": (255, 214, 0),     # yellow ring around the box being decided
}


def box_colors() -> dict:
    """:data:`BOX_COLORS` as lists, for ``meta["colors"]``."""
    return {name: list(rgb) for name, rgb in BOX_COLORS.items()}


def photo_rgb(source: Source) -> Source:
    """``source`` as a uint8 photo, ``(H, W)`` gray or ``(H, W, 3)`` colour (alpha dropped).

    A float photo is stretched to 0..255 between its smallest and largest value.
    Raises ``ValueError`` naming ``image`` for other channel counts.
    """
    arr = source.array
    if arr.ndim == 3 and arr.shape[2] == 4:
        arr = arr[:, :, :3]
    if arr.ndim == 3 and arr.shape[2] != 3:
        raise ValueError(f"image must be a photo, (H, W) gray or (H, W, 3) colour, got shape {source.array.shape}")
    if arr.dtype != np.uint8:
        lo, hi = (float(arr.min()), float(arr.max())) if arr.size else (0.0, 0.0)
        span = hi - lo if hi > lo else 1.0
        arr = np.round((arr.astype(np.float64) - lo) * (255.0 / span)).clip(0, 255).astype(np.uint8)
    return Source(source.label, source.original, frozen(np.ascontiguousarray(arr)))


def area_text(x: float) -> str:
    """An area as the page writes it: ``13,056`` for whole numbers, else :func:`fmt`."""
    return f"{int(x):,}" if float(x).is_integer() else fmt(x)


def photo_size(source: Source) -> tuple[int, int]:
    """``(width, height)`` of the photo as given, in the pixels the boxes use."""
    return int(source.original[1]), int(source.original[0])


def photo_meta(source: Source) -> dict:
    """What both box widgets tell the page about the photo."""
    width, height = photo_size(source)
    shown = source.array.shape
    return {"image_size": [width, height], "shown_size": [int(shown[1]), int(shown[0])],
            "scale_note": source.scale_note, "colors": box_colors(), "style": style()}


@dataclass(frozen=True, eq=False)
class IoUScene:
    """Everything the IoU widget shows, computed once.

    Attributes
    ----------
    source : Source
        The photo, uint8 ``(h, w[, 3])``, downscaled; ``source.original`` is its size as given.
    box_a, box_b : tuple of 4 float
        ``(x_min, y_min, x_max, y_max)`` in pixels of the photo as given, inside it.
    intersection, union : float
        Areas in square pixels.
    iou : float
        ``cnnlab.detection.iou(box_a, box_b)``.
    """

    source: Source
    box_a: tuple
    box_b: tuple
    intersection: float
    union: float
    iou: float

    kind = "iou"
    steps = 1

    @property
    def scale_note(self) -> str:
        return self.source.scale_note

    @property
    def overlap(self) -> tuple | None:
        """The intersection box, or ``None`` when the boxes do not overlap."""
        a, b = self.box_a, self.box_b
        box = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
        return box if box[2] > box[0] and box[3] > box[1] else None

    def wire(self) -> dict:
        """The arrays sent to the page: the photo."""
        return {"image_data": self.source.array}

    def meta(self) -> dict:
        """The synced ``meta``: the boxes (exact numbers, as JSON), the photo's sizes and the colours."""
        return {"kind": self.kind, "title": self.title(), "box_a": list(self.box_a), "box_b": list(self.box_b),
                "intersection": self.intersection, "union": self.union, "iou": self.iou,
                **photo_meta(self.source)}

    def title(self) -> str:
        return f"Intersection over union: {title_label(self.source.label, self.source.original[:2], 'photo')}"

    def caption(self) -> str:
        """``"intersection 1,200 px² / union 4,400 px² = IoU 0.273"`` (areas as :func:`area_text` writes them)."""
        return (f"intersection {area_text(self.intersection)} px\u00b2 / union {area_text(self.union)} px\u00b2 "
                f"= IoU {self.iou:.3f}")

    def __repr__(self) -> str:
        return f"IoUScene({self.box_a}, {self.box_b}, iou={self.iou:.4f})"


def iou_scene(source: Source, box_a: tuple, box_b: tuple) -> IoUScene:
    """Compute the IoU scene from a uint8 photo and two checked boxes (see ``IoUWidget``); pure.

    Parameters
    ----------
    source : Source
        From :func:`photo_rgb`.
    box_a, box_b : tuple of 4 float
        Inside the photo as given, ``x_min < x_max`` and ``y_min < y_max``.

    Returns
    -------
    IoUScene
    """
    areas = detection.box_area([box_a, box_b])
    overlap = (max(box_a[0], box_b[0]), max(box_a[1], box_b[1]), min(box_a[2], box_b[2]), min(box_a[3], box_b[3]))
    inter = max(overlap[2] - overlap[0], 0.0) * max(overlap[3] - overlap[1], 0.0)
    union = float(areas[0] + areas[1] - inter)
    return IoUScene(source, tuple(box_a), tuple(box_b), float(inter), union, detection.iou(box_a, box_b))
