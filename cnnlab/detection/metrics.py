"""Precision-recall curves and average precision (AP, and its mean over classes).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validate as v
from .boxes import _boxes, _iou_matrix

__all__ = ["PrecisionRecall", "average_precision", "mean_average_precision", "precision_recall_curve"]


class PrecisionRecall(NamedTuple):
    """What :func:`precision_recall_curve` returns."""

    precision: np.ndarray
    """(K,) precision after each detection, in decreasing score order."""
    recall: np.ndarray
    """(K,) recall after each detection."""
    scores: np.ndarray
    """(K,) the detections' scores, decreasing: the thresholds of the curve."""
    true_positive: np.ndarray
    """(K,) bool: whether each detection matched a true box."""
    n_true: int
    """Number of true boxes."""


def _per_image(value, name: str, ndims: int) -> list:
    """A list of per-image arrays; an array of ``ndims`` dimensions (or fewer) is one image."""
    if value is None or isinstance(value, (str, bytes, dict, set)):
        raise TypeError(f"{name} must be an array or a list with one array per image, got {type(value).__name__}")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (ValueError, TypeError):  # ragged: a list with one array per image
        return list(value)
    return [arr] if arr.ndim <= ndims else list(arr)


def _pr_inputs(pred_boxes, pred_scores, true_boxes):
    pb = _per_image(pred_boxes, "pred_boxes", 2)
    ps = _per_image(pred_scores, "pred_scores", 1)
    tb = _per_image(true_boxes, "true_boxes", 2)
    if not len(pb) == len(ps) == len(tb):
        raise ValueError(f"pred_boxes, pred_scores and true_boxes must cover the same images, "
                         f"got {len(pb)}, {len(ps)} and {len(tb)}")
    pb = [_boxes(b, f"pred_boxes[{i}]") for i, b in enumerate(pb)]
    ps = [v.array(s, f"pred_scores[{i}]", (0, 1), allow_empty=True).reshape(-1).astype(np.float64)
          for i, s in enumerate(ps)]
    tb = [_boxes(b, f"true_boxes[{i}]") for i, b in enumerate(tb)]
    for i, (b, s) in enumerate(zip(pb, ps)):
        if len(b) != len(s):
            raise ValueError(f"pred_scores[{i}] must have one score per box ({len(b)}), got {len(s)}")
    return pb, ps, tb


def precision_recall_curve(pred_boxes, pred_scores, true_boxes, iou_threshold=0.5):
    """Precision and recall of a detector as its score threshold is lowered.

    Detections of all images are sorted by score, highest first. Each is a
    true positive when it overlaps a not-yet-matched true box of its image by
    an IoU of at least ``iou_threshold`` (it takes the one it overlaps most);
    otherwise, including a second hit on an already-found object, it is a
    false positive. After ``k`` detections, ``precision = TP / k`` and
    ``recall = TP / number of true boxes``.

    Parameters
    ----------
    pred_boxes : (K, 4) array_like, or a list of them (one per image)
    pred_scores : (K,) array_like, or a list of them
    true_boxes : (M, 4) array_like, or a list of them
    iou_threshold : float

    Returns
    -------
    PrecisionRecall
        ``(precision, recall, scores, true_positive, n_true)``.

    Examples
    --------
    >>> pr = precision_recall_curve([[0, 0, 10, 10], [50, 50, 60, 60]], [0.9, 0.8],
    ...                             [[1, 1, 10, 10], [20, 20, 30, 30]])
    >>> pr.precision.tolist(), pr.recall.tolist()
    ([1.0, 0.5], [0.5, 0.5])

    Introduced in lesson 08.
    """
    pb, ps, tb = _pr_inputs(pred_boxes, pred_scores, true_boxes)
    t = v.probability(iou_threshold, "iou_threshold")
    image_of = np.concatenate([np.full(len(s), i) for i, s in enumerate(ps)]).astype(int)
    row_of = np.concatenate([np.arange(len(s)) for s in ps]).astype(int)
    scores = np.concatenate(ps)
    order = np.argsort(-scores, kind="stable")
    overlaps = [_iou_matrix(b, g) for b, g in zip(pb, tb)]
    taken = [np.zeros(len(g), bool) for g in tb]
    tp = np.zeros(len(order), bool)
    for k, j in enumerate(order):
        img, row = image_of[j], row_of[j]
        cand = np.where(taken[img], -1.0, overlaps[img][row]) if len(tb[img]) else np.zeros(0)
        if len(cand) and cand.max() >= t:
            taken[img][int(np.argmax(cand))] = True
            tp[k] = True
    n_true = int(sum(len(g) for g in tb))
    hits = np.cumsum(tp)
    precision = hits / np.arange(1, len(tp) + 1)
    recall = hits / n_true if n_true else np.zeros(len(tp))
    return PrecisionRecall(precision, recall, scores[order], tp, n_true)


def average_precision(pred_boxes, pred_scores, true_boxes, iou_threshold=0.5):
    """Average precision (AP): the area under the interpolated precision-recall curve.

    The curve comes from :func:`precision_recall_curve`. Raw precision zig-zags
    (it drops at every false positive and rises at every hit), so it is first
    *interpolated*: the precision at recall ``r`` becomes the best precision
    reached at any recall of ``r`` or more, which makes the curve a staircase
    that never goes up. AP is the area under that staircase, summed exactly
    at every recall value the detector reaches ("all-point" interpolation,
    as in PASCAL VOC since 2010; COCO samples the same staircase at 101
    recall points). Recall never reached counts as precision 0, so a
    detector that misses objects cannot score 1.

    Parameters
    ----------
    pred_boxes : (K, 4) array_like, or a list of them (one per image)
    pred_scores : (K,) array_like, or a list of them
    true_boxes : (M, 4) array_like, or a list of them
    iou_threshold : float
        A detection must overlap a true box by at least this IoU; 0.5 gives "AP50".

    Returns
    -------
    float
        Between 0 and 1. With no true boxes at all, 1.0 if there are no
        detections either, else 0.0.

    Examples
    --------
    >>> average_precision([[0, 0, 10, 10], [50, 50, 60, 60], [20, 20, 30, 30]], [0.9, 0.8, 0.7],
    ...                   [[1, 1, 10, 10], [20, 20, 30, 30]])
    0.8333333333333333

    Introduced in lesson 08.
    """
    pr = precision_recall_curve(pred_boxes, pred_scores, true_boxes, iou_threshold)
    if pr.n_true == 0:
        return 1.0 if len(pr.scores) == 0 else 0.0
    # running maximum from the right: the interpolated (never rising) precision
    envelope = np.maximum.accumulate(pr.precision[::-1])[::-1]
    steps = np.diff(np.concatenate([[0.0], pr.recall]))
    return float(np.sum(steps * envelope))


def mean_average_precision(pred_boxes, pred_scores, pred_classes, true_boxes, true_classes, classes,
                           iou_threshold=0.5):
    """Mean over classes of :func:`average_precision`, a detection counting only for its own class.

    Parameters
    ----------
    pred_boxes, pred_scores, pred_classes : lists of N arrays
        Detections per image, e.g. from :func:`detect_shapes`.
    true_boxes, true_classes : lists of N arrays
        The truth per image.
    classes : int
        Number of classes.
    iou_threshold : float

    Returns
    -------
    float

    Introduced in lesson 08.
    """
    classes = v.positive_int(classes, "classes")
    n = len(true_boxes)
    if not len(pred_boxes) == len(pred_scores) == len(pred_classes) == len(true_classes) == n:
        raise ValueError("pred_boxes, pred_scores, pred_classes, true_boxes and true_classes "
                         "must all have one entry per image")
    aps = []
    for k in range(classes):
        pick = [np.asarray(c).reshape(-1) == k for c in pred_classes]
        truth = [np.asarray(c).reshape(-1) == k for c in true_classes]
        aps.append(average_precision(
            [np.asarray(b, np.float64).reshape(-1, 4)[p] for b, p in zip(pred_boxes, pick)],
            [np.asarray(s, np.float64).reshape(-1)[p] for s, p in zip(pred_scores, pick)],
            [np.asarray(b, np.float64).reshape(-1, 4)[t] for b, t in zip(true_boxes, truth)],
            iou_threshold))
    return float(np.mean(aps))
