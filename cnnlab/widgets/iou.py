"""IoUWidget: drag two boxes over a photo and watch their intersection over union change.

While a box is dragged the page computes the IoU itself (the same arithmetic as
:func:`cnnlab.detection.iou`) so the numbers follow the pointer; when the pointer
is released it sends the box to Python (``{"type": "set", "name": "box_a", ...}``),
which checks it, recomputes with :func:`cnnlab.detection.iou` and is the source
of truth (:attr:`IoUWidget.iou`).
"""

from __future__ import annotations

import numpy as np
import traitlets

from .. import _validate as v
from ._base import STILL_PANEL_PX, Widget
from ._box_frames import iou_frame
from ._inputs import check_max_size, downscaled, take_image
from ._protocol import PageProtocol
from ._serialize import ARRAY
from ._text import fmt, shown_text
from .scenes._common import PANEL_PX
from .scenes.iou import IoUScene, iou_scene, photo_rgb, photo_size

__all__ = ["IoUWidget", "check_box", "default_boxes"]


def check_box(value, name: str, width: int, height: int) -> tuple[float, float, float, float]:
    """``value`` as a box ``(x_min, y_min, x_max, y_max)`` clamped to a ``width`` x ``height`` photo.

    Raises ``TypeError`` / ``ValueError`` naming ``name`` for anything but four finite
    numbers, or a box with no area left inside the photo.
    """
    arr = v.array(value, name, (1,))
    if arr.shape != (4,):
        raise ValueError(f"{name} must be one box (x_min, y_min, x_max, y_max), got shape {arr.shape}")
    x0, y0, x1, y1 = (float(x) for x in arr.astype(np.float64))
    if not (x0 < x1 and y0 < y1):
        raise ValueError(f"{name} must have x_min < x_max and y_min < y_max, got {[x0, y0, x1, y1]}")
    box = (min(max(x0, 0.0), width), min(max(y0, 0.0), height), min(max(x1, 0.0), width), min(max(y1, 0.0), height))
    if not (box[0] < box[2] and box[1] < box[3]):
        raise ValueError(f"{name} {[x0, y0, x1, y1]} lies outside the {width}x{height} photo")
    return box


def default_boxes(width: int, height: int) -> tuple[tuple, tuple]:
    """Two overlapping boxes in the middle of a ``width`` x ``height`` photo, in whole pixels."""
    def box(fx0, fy0, fx1, fy1):
        return (float(round(fx0 * width)), float(round(fy0 * height)),
                float(max(round(fx1 * width), round(fx0 * width) + 1)),
                float(max(round(fy1 * height), round(fy0 * height) + 1)))
    return box(0.2, 0.15, 0.6, 0.55), box(0.4, 0.3, 0.8, 0.75)


def _box_text(box) -> str:
    return "(" + ", ".join(fmt(x).replace("\u2212", "-") for x in box) + ")"


class PhotoProperties:
    """``image`` and ``max_size`` of a widget that draws boxes on a photo (its scene has ``source``)."""

    @property
    def image(self) -> np.ndarray:
        """The photo as sent to the page, uint8 ``(h, w[, 3])`` (a copy); set it to show another photo."""
        return self._scene.source.array.copy()

    @image.setter
    def image(self, value):
        self.set(image=value)

    @property
    def max_size(self):
        """Longest side the photo is sent at."""
        return self._values["max_size"]

    @max_size.setter
    def max_size(self, value):
        self.set(max_size=value)


class IoUWidget(PhotoProperties, PageProtocol, Widget):
    """Drag two boxes over a photo; the overlap is shaded and intersection / union = IoU written out.

    Drag inside a box to move it, drag a corner to resize it. Python checks the
    boxes the page sends and recomputes the IoU with :func:`cnnlab.detection.iou`.

    Parameters
    ----------
    image : str, path or (H, W[, 3]) array_like
        A photo name (``"astronaut"``), a file, or an array.
    box_a, box_b : (4,) array_like or None
        ``(x_min, y_min, x_max, y_max)`` in pixels of the photo as given; clamped to the
        photo. ``None`` places two overlapping boxes in the middle.
    max_size : int or None
        Longest side the photo is sent at (area-averaged down when larger; default 320).
        Boxes stay in the pixels of the photo as given.

    Attributes
    ----------
    iou : float
        ``cnnlab.detection.iou(widget.box_a, widget.box_b)``.
    intersection, union : float
        Their areas in square pixels.

    Examples
    --------
    >>> w = IoUWidget("astronaut", (0, 0, 100, 100), (50, 0, 150, 100))
    >>> w
    IoUWidget(image=astronaut 512x512x3 shown at 1/1.6 → 320x320x3, box_a=(0, 0, 100, 100), box_b=(50, 0, 150, 100), iou=0.3333)
    >>> w.set(box_b=(0, 0, 100, 100)); w.iou
    1.0

    Introduced in lesson 08.
    """

    KIND = "iou"
    _params = ("image", "box_a", "box_b", "max_size")

    image_data = traitlets.Any(None, allow_none=True).tag(sync=True, **ARRAY)

    def __init__(self, image="astronaut", box_a=None, box_b=None, *, max_size=320):
        self._loaded = None
        values = {"image": self._take("image", image), "box_a": box_a, "box_b": box_b, "max_size": max_size}
        self._scene = self._computed(values)
        self._values = values
        super().__init__(**self._state(self._scene))
        self.on_msg(self._on_front_end_msg)

    def _take(self, name: str, value):
        return take_image(value, "image") if name == "image" else value

    def _build(self, values: dict) -> IoUScene:
        max_size = check_max_size(values["max_size"])
        taken = values["image"]
        if self._loaded is None or self._loaded[0] is not taken or self._loaded[1] != max_size:
            self._loaded = (taken, max_size, photo_rgb(downscaled(taken, max_size)))
        source = self._loaded[2]
        width, height = photo_size(source)
        defaults = default_boxes(width, height)
        a = defaults[0] if values["box_a"] is None else check_box(values["box_a"], "box_a", width, height)
        b = defaults[1] if values["box_b"] is None else check_box(values["box_b"], "box_b", width, height)
        return iou_scene(source, a, b)

    def _publish(self, scene: IoUScene) -> None:
        self._scene = scene
        with self.hold_sync():
            for name, value in self._state(scene).items():
                if name.endswith("_data") and value is getattr(self, name):
                    continue
                setattr(self, name, value)
            self.error = ""

    def set_state(self, sync_data):
        """The page writes no trait of this widget: everything comes through ``set`` messages."""
        if isinstance(sync_data, dict) and sync_data:
            self.error = f"the page may not change {', '.join(sorted(str(k) for k in sync_data))}"
            self.send_state([k for k in sync_data if isinstance(k, str) and k in self.keys])

    @property
    def scene(self) -> IoUScene:
        """The immutable scene shown now."""
        return self._scene

    def _box_property(name):
        def getter(self):
            return getattr(self._scene, name)

        def setter(self, value):
            self.set(**{name: value})

        return property(getter, setter, doc=f"``{name}`` as ``(x_min, y_min, x_max, y_max)``, clamped to the photo.")

    box_a = _box_property("box_a")
    box_b = _box_property("box_b")
    del _box_property

    @property
    def iou(self) -> float:
        """``cnnlab.detection.iou(box_a, box_b)``."""
        return self._scene.iou

    @property
    def intersection(self) -> float:
        """Area of the overlap, in square pixels."""
        return self._scene.intersection

    @property
    def union(self) -> float:
        """Area covered by either box, in square pixels."""
        return self._scene.union

    def frame(self, panel_px: int = PANEL_PX):
        """The photo with both boxes and the numbers, as a PIL image."""
        return iou_frame(self._scene, v.positive_int(panel_px, "panel_px"))

    def _still_png(self) -> bytes:
        return self.to_png(panel_px=STILL_PANEL_PX)

    def __repr__(self) -> str:
        sc = self._scene
        image = shown_text(sc.source.label, sc.source.original, sc.source.array.shape)
        return (f"IoUWidget(image={image}, box_a={_box_text(sc.box_a)}, box_b={_box_text(sc.box_b)}, "
                f"iou={sc.iou:.4f})")
