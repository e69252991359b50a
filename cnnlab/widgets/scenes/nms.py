"""The NMS scene: non-maximum suppression over a photo, one decision per step (``detection.nms_steps``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ... import detection
from .._text import fmt, title_label
from ._common import Source, frozen
from .iou import photo_meta

__all__ = ["KEPT", "PENDING", "REMOVED", "NMSScene", "nms_scene"]

#: the state of a box at a step (:meth:`NMSScene.states`)
PENDING, KEPT, REMOVED = 0, 1, 2


@dataclass(frozen=True, eq=False)
class NMSScene:
    """Everything the NMS widget shows, computed once.

    Attributes
    ----------
    source : Source
        The photo, uint8 ``(h, w[, 3])``, downscaled; ``source.original`` is its size as given.
    boxes : (N, 4) ndarray of float64, read-only
        ``(x_min, y_min, x_max, y_max)`` in pixels of the photo as given.
    scores : (N,) ndarray of float64, read-only
    iou_threshold : float
    decisions : tuple of cnnlab.detection.NmsStep
        One per step, highest score first.
    kept : (K,) ndarray of int64, read-only
        ``cnnlab.detection.nms(boxes, scores, iou_threshold)``.
    """

    source: Source
    boxes: np.ndarray
    scores: np.ndarray
    iou_threshold: float
    decisions: tuple
    kept: np.ndarray

    kind = "nms"

    @property
    def steps(self) -> int:
        """One step per box: the decision about it."""
        return len(self.decisions)

    @property
    def scale_note(self) -> str:
        return self.source.scale_note

    @property
    def grid(self) -> tuple[int, int]:
        """The steps as one row (the widgets' ``grid``)."""
        return 1, self.steps

    def position(self, step: int) -> tuple[int, int]:
        return 0, int(step)

    @property
    def output(self) -> np.ndarray:
        """The kept indices, highest score first."""
        return self.kept

    def states(self, step: int) -> np.ndarray:
        """``(N,)`` int8: each box's state after ``step``'s decision: :data:`PENDING`, :data:`KEPT` or :data:`REMOVED`."""
        out = np.full(len(self.boxes), PENDING, dtype=np.int8)
        for d in self.decisions[:step + 1]:
            out[d.index] = KEPT if d.kept else REMOVED
        return out

    def wire(self) -> dict:
        """The arrays sent to the page.

        ``input_data`` the photo; ``boxes_data`` ``(N, 5)`` float32 ``(x_min, y_min, x_max, y_max, score)``;
        ``output_data`` ``(N, 4)`` float32, one row per step: ``(index, kept 1/0, by or -1, iou)``.
        """
        table = np.array([(d.index, float(d.kept), d.by, d.iou) for d in self.decisions], dtype=np.float32)
        return {"input_data": self.source.array,
                "boxes_data": np.column_stack([self.boxes, self.scores]).astype(np.float32),
                "output_data": table.reshape(-1, 4)}

    def meta(self) -> dict:
        """The synced ``meta``: the photo's sizes, the threshold, the counts and the colours."""
        return {"kind": self.kind, "title": self.title(), "steps": self.steps, "n": self.steps,
                "iou_threshold": self.iou_threshold, "kept": [int(i) for i in self.kept], **photo_meta(self.source)}

    def title(self) -> str:
        return (f"Non-maximum suppression: {len(self.boxes)} boxes on "
                f"{title_label(self.source.label, self.source.original[:2], 'photo')}")

    def caption(self, step: int) -> str:
        """What step ``step`` decided, in words."""
        d = self.decisions[step]
        head = f"step {step + 1} of {self.steps}: box {d.index} (score {fmt(self.scores[d.index])})"
        t = fmt(self.iou_threshold)
        if d.kept:
            if d.kept_so_far[:-1]:
                return f"{head} overlaps the kept boxes by at most IoU {d.iou:.2f} \u2264 {t}: kept"
            return f"{head} has the highest score: kept"
        return f"{head} overlaps kept box {d.by} by IoU {d.iou:.2f} > {t}: removed"

    def summary(self) -> str:
        return f"{len(self.kept)} of {len(self.boxes)} boxes kept at IoU threshold {fmt(self.iou_threshold)}"

    def __repr__(self) -> str:
        return f"NMSScene({len(self.boxes)} boxes, threshold {self.iou_threshold:g}, kept {self.kept.tolist()})"


def nms_scene(source: Source, boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> NMSScene:
    """Compute the NMS scene from a uint8 photo and checked boxes, scores and threshold; pure.

    Parameters
    ----------
    source : Source
        From :func:`.iou.photo_rgb`.
    boxes : (N, 4) ndarray, N >= 1
    scores : (N,) ndarray
    iou_threshold : float
        Between 0 and 1.

    Returns
    -------
    NMSScene
    """
    decisions = tuple(detection.nms_steps(boxes, scores, iou_threshold))
    kept = detection.nms(boxes, scores, iou_threshold)
    return NMSScene(source, frozen(np.asarray(boxes, np.float64)), frozen(np.asarray(scores, np.float64)),
                    float(iou_threshold), decisions, frozen(kept))
