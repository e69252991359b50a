"""NMSWidget: non-maximum suppression on a photo, one box at a time.

The steps are :func:`cnnlab.detection.nms_steps`, highest score first; the page
plays them (play, pause, step, scrub, speed) like the other animated widgets, and
the IoU threshold can be changed from the page (Python recomputes).
"""

from __future__ import annotations

import numpy as np
import traitlets

from .. import _validate as v
from ._base import AnimatedWidget
from ._box_frames import nms_frame
from ._inputs import check_max_size, downscaled, take_image
from ._serialize import ARRAY
from ._text import fmt, shown_text
from .iou import PhotoProperties
from .scenes._common import PANEL_PX, frozen
from .scenes.iou import photo_rgb
from .scenes.nms import NMSScene, nms_scene

__all__ = ["MAX_BOXES", "NMSWidget"]

#: most boxes the widget steps through (one step each)
MAX_BOXES = 2000


def _take_boxes(value) -> np.ndarray:
    arr = v.array(value, "boxes", (2,))
    if arr.shape[1] != 4:
        raise ValueError(f"boxes must be (N, 4), one (x_min, y_min, x_max, y_max) per row, got shape {arr.shape}")
    if len(arr) > MAX_BOXES:
        raise ValueError(f"boxes holds {len(arr):,} boxes; the widget steps through at most {MAX_BOXES:,}")
    arr = _in_float32_range(arr.astype(np.float64), "boxes")
    bad = (arr[:, 2] < arr[:, 0]) | (arr[:, 3] < arr[:, 1])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"boxes must have x_max >= x_min and y_max >= y_min, box {i} is {arr[i].tolist()}")
    return frozen(arr)


def _take_scores(value) -> np.ndarray:
    arr = v.array(value, "scores", (1,))
    return frozen(_in_float32_range(arr.astype(np.float64), "scores"))


def _in_float32_range(arr: np.ndarray, name: str) -> np.ndarray:
    """``arr`` if every value fits float32 (the page receives float32), else ``ValueError`` naming ``name``."""
    if arr.size and float(np.max(np.abs(arr))) > float(np.finfo(np.float32).max):
        raise ValueError(f"{name} values must lie between -3.4e38 and 3.4e38 (float32)")
    return arr


def _default_speed(boxes) -> float:
    """About 15 s to play through, between 1 and 50 steps per second (a presenter talks over it)."""
    count = len(boxes) if hasattr(boxes, "__len__") else 1
    return float(min(50, max(1, round(count / 15))))


class NMSWidget(PhotoProperties, AnimatedWidget):
    """Step through non-maximum suppression on a photo, box by box.

    Each step decides one box, highest score first: it is kept (green) unless it
    overlaps a kept box by an IoU above ``iou_threshold``, then it is removed (red,
    with the IoU that removed it). Boxes not yet decided are grey; the box of the
    current step has a yellow ring.

    Parameters
    ----------
    image : str, path or (H, W[, 3]) array_like
        The photo the boxes are on.
    boxes : (N, 4) array_like
        ``(x_min, y_min, x_max, y_max)`` in pixels of the photo as given; N from 1 to 2000.
    scores : (N,) array_like
        One score per box; higher is more confident.
    iou_threshold : float
        Between 0 and 1; changeable from the page.
    max_size : int or None
        Longest side the photo is sent at (default 320).
    speed : float, optional
        Steps per second when playing.

    Attributes
    ----------
    kept : (K,) ndarray of int64
        ``cnnlab.detection.nms(boxes, scores, iou_threshold)``.

    Examples
    --------
    >>> w = NMSWidget("astronaut", [[0, 0, 100, 100], [10, 10, 110, 110], [200, 200, 300, 300]], [0.9, 0.8, 0.7])
    >>> w
    NMSWidget(image=astronaut 512x512x3 shown at 1/1.6 → 320x320x3, 3 boxes, iou_threshold=0.5, kept=[0, 2])
    >>> w.iou_threshold = 0.7; w.kept.tolist()
    [0, 1, 2]

    Introduced in lesson 08.
    """

    KIND = "nms"

    _params = ("image", "boxes", "scores", "iou_threshold", "max_size")

    #: ``(N, 5)`` float32: each box and its score
    boxes_data = traitlets.Any(None, allow_none=True).tag(sync=True, **ARRAY)

    def __init__(self, image, boxes, scores, iou_threshold=0.5, *, max_size=320, speed=None):
        super().__init__({"image": image, "boxes": boxes, "scores": scores, "iou_threshold": iou_threshold,
                          "max_size": max_size}, speed=_default_speed(boxes) if speed is None else speed)

    def _take(self, name: str, value):
        """The photo, boxes and scores are checked and copied when given."""
        take = {"image": lambda x: take_image(x, "image"), "boxes": _take_boxes, "scores": _take_scores}
        return take[name](value) if name in take else value

    def _build(self, values: dict) -> NMSScene:
        source = self._source(values["image"], check_max_size(values["max_size"]),
                              lambda taken, size: photo_rgb(downscaled(taken, size)))
        boxes, scores = values["boxes"], values["scores"]
        if len(scores) != len(boxes):
            raise ValueError(f"scores must have one score per box ({len(boxes)}), got {len(scores)}")
        threshold = v.probability(values["iou_threshold"], "iou_threshold")
        return nms_scene(source, boxes, scores, threshold)

    @property
    def kept(self) -> np.ndarray:
        """Indices of the kept boxes, highest score first (a copy)."""
        return self._scene.kept.copy()

    @property
    def boxes(self) -> np.ndarray:
        """The boxes, ``(N, 4)`` float64 (a copy)."""
        return self._scene.boxes.copy()

    @boxes.setter
    def boxes(self, value):
        self.set(boxes=value)

    @property
    def scores(self) -> np.ndarray:
        """The scores, ``(N,)`` float64 (a copy)."""
        return self._scene.scores.copy()

    @scores.setter
    def scores(self, value):
        self.set(scores=value)

    @property
    def iou_threshold(self) -> float:
        """Boxes overlapping a kept box by more than this are removed."""
        return self._scene.iou_threshold

    @iou_threshold.setter
    def iou_threshold(self, value):
        self.set(iou_threshold=value)

    @property
    def decisions(self) -> tuple:
        """The :class:`cnnlab.detection.NmsStep` of every step, in order."""
        return self._scene.decisions

    def caption(self, step: int | None = None) -> str:
        """What step ``step`` (default: the last) decided, in words."""
        return self._scene.caption(self._step_arg(step))

    def frame(self, step: int | None = None, panel_px: int = PANEL_PX):
        """The photo after decision ``step`` (default: the last), as a PIL image."""
        return nms_frame(self._scene, self._step_arg(step), v.positive_int(panel_px, "panel_px"))

    def __repr__(self) -> str:
        sc = self._scene
        image = shown_text(sc.source.label, sc.source.original, sc.source.array.shape)
        return (f"NMSWidget(image={image}, {len(sc.boxes)} boxes, iou_threshold={fmt(sc.iou_threshold)}, "
                f"kept={sc.kept.tolist()})")
