"""Boxes, intersection over union and non-maximum suppression.

Boxes are ``(x_min, y_min, x_max, y_max)`` in pixels with the max corner
exclusive, as :func:`cnnlab.datasets.make_shapes` gives them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validate as v

__all__ = ["Groups", "NmsStep", "box_area", "group_detections", "iou", "iou_matrix", "nms", "nms_steps"]


def _boxes(value, name: str) -> np.ndarray:
    """``value`` as a float64 ``(N, 4)`` array of valid boxes (a single box becomes ``(1, 4)``)."""
    arr = v.array(value, name, (1, 2), allow_empty=True)
    if arr.size == 0:
        return np.zeros((0, 4))
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.shape[-1] != 4:
        raise ValueError(f"{name} must hold boxes as (x_min, y_min, x_max, y_max), "
                         f"so its last axis must have 4 numbers, got shape {np.shape(value)}")
    arr = arr.astype(np.float64)
    bad = (arr[:, 2] < arr[:, 0]) | (arr[:, 3] < arr[:, 1])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name} must have x_max >= x_min and y_max >= y_min, "
                         f"box {i} is {arr[i].tolist()}")
    return arr


def _one_box(value, name: str) -> np.ndarray:
    arr = v.array(value, name, (1,))
    if arr.shape != (4,):
        raise ValueError(f"{name} must be one box (x_min, y_min, x_max, y_max), got shape {arr.shape}")
    return _boxes(arr, name)[0]


def box_area(boxes) -> np.ndarray:
    """Area of each box in square pixels.

    Parameters
    ----------
    boxes : (N, 4) or (4,) array_like
        ``(x_min, y_min, x_max, y_max)``.

    Returns
    -------
    (N,) ndarray of float64

    Examples
    --------
    >>> box_area([[0, 0, 2, 3], [5, 5, 5, 9]]).tolist()
    [6.0, 0.0]
    """
    b = _boxes(boxes, "boxes")
    return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])


#: the most box pairs :func:`iou_matrix` compares at once (each pair costs a few float64 numbers)
MAX_IOU_PAIRS = 2**24


def _iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every row of ``a`` with every row of ``b`` (both already checked)."""
    ix = np.clip(np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0, None)
    iy = np.clip(np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1]), 0, None)
    inter = ix * iy
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    out = np.zeros_like(inter)
    np.divide(inter, union, out=out, where=union > 0)
    return out


def iou(box_a, box_b) -> float:
    """Intersection over union of two boxes.

    ``area(a and b) / area(a or b)``: 1 for the same box, 0 for boxes that do
    not overlap. When both boxes have zero area the union is empty and the
    result is 0.0 (as ``tf.image.non_max_suppression`` counts it).

    Parameters
    ----------
    box_a, box_b : (4,) array_like
        ``(x_min, y_min, x_max, y_max)`` in pixels.

    Returns
    -------
    float
        Between 0 and 1.

    Examples
    --------
    >>> iou((0, 0, 10, 10), (0, 0, 10, 10))
    1.0
    >>> iou((0, 0, 10, 10), (5, 0, 15, 10))
    0.3333333333333333
    >>> iou((0, 0, 1, 1), (2, 2, 3, 3))
    0.0

    Introduced in lesson 08.
    """
    a = _one_box(box_a, "box_a")
    b = _one_box(box_b, "box_b")
    return float(_iou_matrix(a[None], b[None])[0, 0])


def iou_matrix(boxes_a, boxes_b) -> np.ndarray:
    """IoU of every box in ``boxes_a`` with every box in ``boxes_b``, vectorised.

    Parameters
    ----------
    boxes_a : (N, 4) array_like
    boxes_b : (M, 4) array_like
        ``(x_min, y_min, x_max, y_max)``; either may be empty.

    Returns
    -------
    (N, M) ndarray of float64
        ``out[i, j] == iou(boxes_a[i], boxes_b[j])``.

    Examples
    --------
    >>> iou_matrix([[0, 0, 2, 2]], [[0, 0, 2, 2], [1, 0, 3, 2], [4, 4, 5, 5]]).round(3).tolist()
    [[1.0, 0.333, 0.0]]

    Introduced in lesson 08.
    """
    a, b = _boxes(boxes_a, "boxes_a"), _boxes(boxes_b, "boxes_b")
    if len(a) * len(b) > MAX_IOU_PAIRS:
        raise ValueError(f"boxes_a ({len(a):,} boxes) against boxes_b ({len(b):,}) would make {len(a) * len(b):,} "
                         f"IoU pairs, more than the {MAX_IOU_PAIRS:,} compared at once; compare them in chunks")
    return _iou_matrix(a, b)


# ---------------------------------------------------------------- non-maximum suppression


class NmsStep(NamedTuple):
    """One decision of non-maximum suppression (what :func:`nms_steps` yields)."""

    index: int
    """The box being decided (an index into ``boxes``)."""
    kept: bool
    """True when it is kept; False when a kept box suppresses it."""
    by: int
    """The kept box that suppressed it (its highest-overlap kept box), or -1 when kept."""
    iou: float
    """IoU with ``by`` when suppressed; the largest IoU with any kept box when kept."""
    kept_so_far: tuple
    """Indices kept after this step, highest score first."""


def _nms_args(boxes, scores, iou_threshold):
    b = _boxes(boxes, "boxes")
    s = v.array(scores, "scores", (1,), allow_empty=True).astype(np.float64)
    if len(s) != len(b):
        raise ValueError(f"scores must have one score per box ({len(b)}), got {len(s)}")
    t = v.finite_number(iou_threshold, "iou_threshold")
    if not 0.0 <= t <= 1.0:
        raise ValueError(f"iou_threshold must be between 0 and 1, got {iou_threshold}")
    order = np.argsort(-s, kind="stable")  # ties: the earlier box first
    return b, order, t


def nms_steps(boxes, scores, iou_threshold=0.5):
    """Non-maximum suppression one decision at a time, for animating it.

    Boxes are visited from the highest score down. A box is kept unless it
    overlaps a box kept before it by an IoU above ``iou_threshold``.

    Parameters
    ----------
    boxes : (N, 4) array_like
    scores : (N,) array_like
    iou_threshold : float
        Between 0 and 1.

    Yields
    ------
    NmsStep
        ``(index, kept, by, iou, kept_so_far)``, one per box, in score order.

    Examples
    --------
    >>> steps = list(nms_steps([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]], [0.9, 0.8, 0.7]))
    >>> [(s.index, s.kept, s.by) for s in steps]
    [(0, True, -1), (1, False, 0), (2, True, -1)]

    Introduced in lesson 08.
    """
    b, order, t = _nms_args(boxes, scores, iou_threshold)
    kept: list[int] = []
    for i in order:
        overlaps = _iou_matrix(b[i:i + 1], b[kept])[0] if kept else np.zeros(0)
        best = int(np.argmax(overlaps)) if len(overlaps) else -1
        best_iou = float(overlaps[best]) if best >= 0 else 0.0
        if best_iou > t:
            yield NmsStep(int(i), False, kept[best], best_iou, tuple(kept))
        else:
            kept.append(int(i))
            yield NmsStep(int(i), True, -1, best_iou, tuple(kept))


def nms(boxes, scores, iou_threshold=0.5, max_boxes=None):
    """Non-maximum suppression: keep the best box of each cluster of overlapping boxes.

    Greedy, as ``tf.image.non_max_suppression``: take the highest-scoring
    box left, keep it, drop every remaining box whose IoU with it is above
    ``iou_threshold``, repeat.

    Parameters
    ----------
    boxes : (N, 4) array_like
        ``(x_min, y_min, x_max, y_max)``.
    scores : (N,) array_like
        One score per box; higher is more confident.
    iou_threshold : float
        Between 0 and 1; boxes overlapping a kept box by more than this go.
    max_boxes : int, optional
        Stop after keeping this many.

    Returns
    -------
    (K,) ndarray of int64
        Indices into ``boxes`` of the kept boxes, highest score first.

    Examples
    --------
    >>> nms([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]], [0.8, 0.9, 0.7]).tolist()
    [1, 2]

    Introduced in lesson 08.
    """
    b, order, t = _nms_args(boxes, scores, iou_threshold)
    limit = len(b) if max_boxes is None else v.positive_int(max_boxes, "max_boxes")
    kept: list[int] = []
    alive = order
    while len(alive) and len(kept) < limit:
        best, rest = alive[0], alive[1:]
        kept.append(int(best))
        alive = rest[_iou_matrix(b[best:best + 1], b[rest])[0] <= t]
    return np.asarray(kept, dtype=np.int64)


class Groups(NamedTuple):
    """What :func:`group_detections` returns, one entry per group, most votes first."""

    keep: np.ndarray
    """(K,) int: index of the group's best box (the one :func:`nms` keeps)."""
    votes: np.ndarray
    """(K,) float: summed scores of the group's boxes."""
    boxes: np.ndarray
    """(K, 4) float: score-weighted mean of the group's boxes."""


def group_detections(boxes, scores, iou_threshold=0.3):
    """Non-maximum suppression that also lets each kept box's group vote.

    A real face makes many overlapping windows fire, at neighbouring
    positions and scales; a false alarm is often a lone window. Each box that
    :func:`nms` keeps forms a group with the boxes it suppresses. The group's
    *votes* are its summed scores (the idea behind OpenCV's ``minNeighbors``),
    and its box is the score-weighted mean of its boxes, which sits better
    than any single window on a coarse grid.

    Parameters
    ----------
    boxes : (N, 4) array_like
    scores : (N,) array_like
    iou_threshold : float

    Returns
    -------
    Groups
        ``(keep, votes, boxes)``, most votes first.

    Examples
    --------
    >>> g = group_detections([[0, 0, 10, 10], [2, 2, 12, 12], [30, 30, 40, 40]], [0.6, 0.6, 0.9])
    >>> g.keep.tolist(), g.votes.round(2).tolist(), g.boxes[0].tolist()
    ([0, 2], [1.2, 0.9], [1.0, 1.0, 11.0, 11.0])

    Introduced in lesson 08.
    """
    b, order, t = _nms_args(boxes, scores, iou_threshold)
    s = np.asarray(scores, np.float64).reshape(-1)
    keep, votes, merged = [], [], []
    alive = order
    while len(alive):
        best, rest = alive[0], alive[1:]
        gone = _iou_matrix(b[best:best + 1], b[rest])[0] > t
        members = np.concatenate([[best], rest[gone]])
        keep.append(int(best))
        votes.append(s[members].sum())
        weights = s[members] if s[members].sum() > 0 else np.ones(len(members))
        merged.append(np.average(b[members], axis=0, weights=weights))
        alive = rest[~gone]
    order = np.argsort(-np.asarray(votes), kind="stable")
    return Groups(np.asarray(keep, np.int64)[order], np.asarray(votes)[order],
                  np.asarray(merged).reshape(-1, 4)[order])
