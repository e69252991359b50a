"""Object detection: boxes, IoU, non-maximum suppression, sliding windows, average precision.

Boxes are ``(x_min, y_min, x_max, y_max)`` in pixels, ``x`` to the right and
``y`` down, with the max corner exclusive as in :func:`cnnlab.datasets.make_shapes`
(a box ``(0, 0, 2, 2)`` covers four pixels and has area 4).

The pure functions here need only NumPy. Two small detectors trained in
seconds live here too, with TensorFlow imported inside the functions that
need it:

* a face / not-face classifier on :func:`cnnlab.datasets.load_faces`, and its
  *one-pass* version whose dense layers are rewritten as convolutions, so one
  forward pass over a whole photo scores every window
  (:func:`face_classifier`, :func:`one_pass_model`, :func:`detect_faces`);
  :func:`build_face_detector` trains it with hard negatives mined from
  face-free photos. Photos are turned to grayscale, resized per scale and
  contrast-normalised (:func:`normalize_contrast`) before windows are cut;
* a tiny single-shot detector for :func:`cnnlab.datasets.make_shapes`
  (:func:`shapes_detector`, :func:`train_shapes_detector`, :func:`detect_shapes`).

:func:`pretrained_faces` runs the MTCNN face detector whose weights ship in
the ``mtcnn`` package, offline.

Examples
--------
>>> iou((0, 0, 2, 2), (1, 0, 3, 2))
0.3333333333333333
>>> nms([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]], [0.9, 0.8, 0.7]).tolist()
[0, 2]
"""

from __future__ import annotations

import os
import time
from typing import NamedTuple

import numpy as np

from . import _validate as v

__all__ = [
    "FACE_FREE_PHOTOS",
    "FACE_SCALES",
    "FACE_STRIDE",
    "FACE_WINDOW",
    "LANDMARKS",
    "MINING_SCALES",
    "SHAPES_CELL",
    "FaceDetector",
    "Groups",
    "NmsStep",
    "PrecisionRecall",
    "average_precision",
    "box_area",
    "build_face_detector",
    "detect_faces",
    "detect_shapes",
    "face_classifier",
    "face_scores_by_window",
    "face_scores_one_pass",
    "group_detections",
    "iou",
    "iou_matrix",
    "mean_average_precision",
    "mine_hard_negatives",
    "nms",
    "nms_steps",
    "normalize_contrast",
    "one_pass_model",
    "precision_recall_curve",
    "pretrained_faces",
    "scaled_size",
    "shapes_detector",
    "sliding_windows",
    "train_face_classifier",
    "train_shapes_detector",
    "window_grid",
]


# ---------------------------------------------------------------- boxes and IoU


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
    return _iou_matrix(_boxes(boxes_a, "boxes_a"), _boxes(boxes_b, "boxes_b"))


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


# ---------------------------------------------------------------- sliding windows


def _scales(scales) -> np.ndarray:
    arr = v.array(scales, "scales", (0, 1)).astype(np.float64).reshape(-1)
    if (arr <= 0).any():
        raise ValueError(f"scales must all be positive, got {arr.tolist()}")
    return arr


def _image_hw(image_shape) -> tuple[int, int]:
    if not isinstance(image_shape, (tuple, list)) or len(image_shape) not in (2, 3):
        raise ValueError(f"image_shape must be (H, W) or (H, W, C), got {image_shape!r}")
    return v.positive_int(image_shape[0], "image_shape[0]"), v.positive_int(image_shape[1], "image_shape[1]")


def scaled_size(image_shape, scale) -> tuple[int, int]:
    """``(H, W)`` of the photo resized by ``scale`` (rounded, at least 1 pixel)."""
    h, w = _image_hw(image_shape)
    return max(1, round(h * scale)), max(1, round(w * scale))


def window_grid(image_shape, window, stride):
    """Number of window positions ``(rows, cols)`` that fit in ``image_shape``."""
    h, w = _image_hw(image_shape)
    return max(0, (h - window) // stride + 1), max(0, (w - window) // stride + 1)


def sliding_windows(image_shape, window, stride, scales=(1.0,)):
    """Boxes of every square window slid over a photo at several scales.

    At scale ``s`` the photo is resized to ``round(H * s) x round(W * s)``
    (:func:`scaled_size`) and a ``window x window`` square moves over it by
    ``stride`` pixels, row by row. Each position is returned as a box in the
    coordinates of the *original* photo, so a scale below 1 gives bigger boxes:
    a 25-pixel window at scale 0.25 covers 100 pixels of the photo.

    Parameters
    ----------
    image_shape : (H, W) or (H, W, C) tuple
    window : int
        Side of the square window in pixels of the resized photo.
    stride : int
        Step between windows in pixels of the resized photo.
    scales : sequence of float
        Positive resize factors, in the order the boxes are listed.

    Returns
    -------
    boxes : (N, 4) ndarray of float64
        ``(x_min, y_min, x_max, y_max)`` in the original photo, scale by scale,
        and within a scale row by row, so they line up with a score map of
        shape :func:`window_grid` flattened in C order.

    Examples
    --------
    >>> sliding_windows((4, 6), window=2, stride=2).tolist()
    [[0.0, 0.0, 2.0, 2.0], [2.0, 0.0, 4.0, 2.0], [4.0, 0.0, 6.0, 2.0], [0.0, 2.0, 2.0, 4.0], [2.0, 2.0, 4.0, 4.0], [4.0, 2.0, 6.0, 4.0]]
    >>> len(sliding_windows((512, 512), window=25, stride=4, scales=[0.25, 0.5]))
    4040

    Introduced in lesson 08.
    """
    h, w = _image_hw(image_shape)
    window = v.positive_int(window, "window")
    stride = v.positive_int(stride, "stride")
    out = []
    for s in _scales(scales):
        hs, ws = scaled_size((h, w), s)
        rows, cols = window_grid((hs, ws), window, stride)
        ys, xs = np.meshgrid(np.arange(rows) * stride, np.arange(cols) * stride, indexing="ij")
        tl = np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float64)
        # back to the original photo: divide by the actual (rounded) resize factor per axis
        fx, fy = ws / w, hs / h
        out.append(np.concatenate([tl / (fx, fy), (tl + window) / (fx, fy)], axis=1))
    return np.concatenate(out) if out else np.zeros((0, 4))


# ---------------------------------------------------------------- average precision


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


# ---------------------------------------------------------------- a sliding-window face detector

FACE_WINDOW = 25
"""Side of the face classifier's input window in pixels (the size of :func:`cnnlab.datasets.load_faces`)."""

FACE_STRIDE = 4
"""Step between windows of the one-pass face model: the product of its two 2x2 poolings."""

FACE_FILTERS = (16, 32, 64)
"""Filters of the face classifier's two convolutions and units of its hidden dense layer."""

FACE_SCALES = (0.18, 0.21, 0.25, 0.3, 0.35)
"""Resize factors at which faces are searched (a 25-pixel window covers 71-139 pixels of the photo)."""

FACE_FREE_PHOTOS = ("coffee", "cat", "coins", "horse", "rocket", "moon", "text", "brick", "grass", "hubble",
                    "motorcycle_left.png", "clock_motion.png", "gravel.png", "page.png", "ihc.png", "logo.png")
"""Photos bundled with scikit-image that show no human face, the source of hard negatives.

Names of :func:`cnnlab.images.names` or files of scikit-image's data folder.
(The coins carry tiny profile heads, not frontal faces.)"""


def _keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    return keras


def _gray_photo(image, name: str = "image") -> np.ndarray:
    """A photo as a float32 ``(H, W)`` grayscale array in ``[0, 1]``."""
    arr = v.array(image, name, (2, 3))
    if arr.ndim == 3:
        if arr.shape[2] not in (1, 3, 4):
            raise ValueError(f"{name} must have 1, 3 or 4 channels, got shape {arr.shape}")
        arr = arr[..., 0] if arr.shape[2] == 1 else arr[..., :3] @ np.array([0.2125, 0.7154, 0.0721])
    arr = arr.astype(np.float32)
    if np.asarray(image).dtype == np.uint8 or arr.max() > 1.0:
        arr = arr / np.float32(255)
    if min(arr.shape) < FACE_WINDOW:
        raise ValueError(f"{name} must be at least {FACE_WINDOW}x{FACE_WINDOW} pixels, got shape {arr.shape}")
    return arr


CONTRAST_SIGMA = 3.0
"""Width (in pixels of the resized photo) of the neighbourhood :func:`normalize_contrast` uses."""


def normalize_contrast(image, sigma=CONTRAST_SIGMA):
    """Local contrast normalisation: subtract the local mean, divide by the local spread.

    ``(x - blur(x)) / (sqrt(blur((x - blur(x))**2)) + 0.05)`` with a Gaussian
    blur of width ``sigma``. A face then looks the same in a bright studio
    portrait and in a dim snapshot, so 100 training faces go much further.
    It is applied to the whole (resized) photo before any window is cut, so
    the window-by-window loop and the one-pass model see the same numbers.

    Parameters
    ----------
    image : (H, W) or (N, H, W) array_like
        Grayscale in ``[0, 1]``; a stack is normalised image by image.
    sigma : float

    Returns
    -------
    ndarray of float32, same shape
        Roughly zero mean and unit spread in every neighbourhood.

    Examples
    --------
    >>> flat = normalize_contrast(np.full((8, 8), 0.7))
    >>> float(abs(flat).max())
    0.0

    Introduced in lesson 08.
    """
    from scipy.ndimage import gaussian_filter

    arr = v.array(image, "image", (2, 3)).astype(np.float32)
    sigma = v.finite_number(sigma, "sigma")
    if sigma <= 0:
        raise ValueError(f"sigma must be positive, got {sigma}")
    widths = (sigma, sigma) if arr.ndim == 2 else (0, sigma, sigma)
    detail = arr - gaussian_filter(arr, widths, mode="reflect")
    spread = np.sqrt(gaussian_filter(detail * detail, widths, mode="reflect"))
    return (detail / (spread + np.float32(0.05))).astype(np.float32)


def _resized(gray: np.ndarray, scale: float) -> np.ndarray:
    """The grayscale photo resized by ``scale`` and contrast-normalised: what the face models see."""
    from skimage.transform import resize

    size = scaled_size(gray.shape, scale)
    return normalize_contrast(resize(gray, size, anti_aliasing=scale < 1, preserve_range=True))


def _windows(gray: np.ndarray, window: int, stride: int) -> np.ndarray:
    """All ``window x window`` crops at ``stride``, row by row: ``(rows * cols, window, window)``."""
    rows, cols = window_grid(gray.shape, window, stride)
    view = np.lib.stride_tricks.sliding_window_view(gray, (window, window))
    return view[::stride, ::stride][:rows, :cols].reshape(-1, window, window)


def face_classifier(seed=0):
    """A small face / not-face CNN for 25 x 25 grayscale windows.

    ``Conv2D(16, 3) - MaxPool(2) - Conv2D(32, 3) - MaxPool(2) - Flatten - Dense(64) - Dense(1, sigmoid)``,
    about 38,000 weights. All convolutions use ``"valid"`` padding so that
    :func:`one_pass_model` can slide it over a whole photo with the same numbers.

    Parameters
    ----------
    seed : int
        Seeds the weight initialisers.

    Returns
    -------
    keras.Sequential
        Input ``(N, 25, 25, 1)`` contrast-normalised windows (:func:`normalize_contrast`);
        output ``(N, 1)``, the probability of a face. Not compiled.

    Introduced in lesson 08.
    """
    keras = _keras()
    seed = v.nonnegative_int(seed, "seed")
    init = keras.initializers.GlorotUniform
    layers = keras.layers
    return keras.Sequential([
        keras.Input((FACE_WINDOW, FACE_WINDOW, 1)),
        layers.Conv2D(FACE_FILTERS[0], 3, activation="relu", kernel_initializer=init(seed), name="conv1"),
        layers.MaxPooling2D(2, name="pool1"),
        layers.Conv2D(FACE_FILTERS[1], 3, activation="relu", kernel_initializer=init(seed + 1), name="conv2"),
        layers.MaxPooling2D(2, name="pool2"),
        layers.Flatten(name="flatten"),
        layers.Dense(FACE_FILTERS[2], activation="relu", kernel_initializer=init(seed + 2), name="dense"),
        layers.Dense(1, activation="sigmoid", kernel_initializer=init(seed + 3), name="face"),
    ], name="face_classifier")


def one_pass_model(classifier):
    """The face classifier rewritten as a fully convolutional network.

    A dense layer on a flattened ``(4, 4, 16)`` map is a ``4 x 4`` convolution
    with as many filters as the dense layer has units: the same weights,
    reshaped. The last dense layer becomes a ``1 x 1`` convolution. The new
    network takes a photo of any size; output pixel ``(i, j)`` is the
    classifier's score for the window whose top-left corner is
    ``(FACE_STRIDE * i, FACE_STRIDE * j)``, computed once for all windows
    with the overlapping work shared.

    Parameters
    ----------
    classifier : keras.Model
        Built by :func:`face_classifier` (trained or not).

    Returns
    -------
    keras.Model
        Input ``(N, H, W, 1)``; output ``(N, H', W', 1)`` window scores. The
        output may have one extra row or column past the last full window
        (the classifier never looks at the last pixels of its window); crop it
        to :func:`window_grid`, as :func:`face_scores_one_pass` does.

    Introduced in lesson 08.
    """
    keras = _keras()
    names = [layer.name for layer in getattr(classifier, "layers", [])]
    if names != ["conv1", "pool1", "conv2", "pool2", "flatten", "dense", "face"]:
        raise TypeError(f"classifier must be a model built by face_classifier(), got layers {names}")
    conv1, _, conv2, _, _, dense, face = classifier.layers
    layers = keras.layers
    inputs = keras.Input((None, None, 1))
    x = layers.Conv2D(conv1.filters, 3, activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(2, name="pool1")(x)
    x = layers.Conv2D(conv2.filters, 3, activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(2, name="pool2")(x)
    side = conv2.output.shape[1] // 2
    x = layers.Conv2D(dense.units, side, activation="relu", name="dense_as_conv")(x)
    outputs = layers.Conv2D(1, 1, activation="sigmoid", name="face_as_conv")(x)
    model = keras.Model(inputs, outputs, name="face_one_pass")
    for name in ("conv1", "conv2"):
        model.get_layer(name).set_weights(classifier.get_layer(name).get_weights())
    w, b = dense.get_weights()
    # Flatten is row-major over (row, col, channel), exactly the layout of a conv kernel
    model.get_layer("dense_as_conv").set_weights([w.reshape(side, side, conv2.filters, dense.units), b])
    w, b = face.get_weights()
    model.get_layer("face_as_conv").set_weights([w.reshape(1, 1, -1, 1), b])
    return model


def face_scores_by_window(classifier, image, scales=FACE_SCALES, batch_size=1024):
    """Face score of every window, by cropping the windows and calling ``predict`` on them.

    Parameters
    ----------
    classifier : keras.Model
        From :func:`face_classifier`.
    image : (H, W) or (H, W, 3) array_like
        A photo, uint8 or floats in ``[0, 1]``.
    scales : sequence of float
        Resize factors (see :func:`sliding_windows`).
    batch_size : int
        Windows per ``predict`` call; 1 is the literal window-by-window loop.

    Returns
    -------
    list of (rows, cols) ndarray of float32
        One score map per scale, shaped :func:`window_grid` of the resized
        photo with window 25 and stride :data:`FACE_STRIDE`; entry ``[i, j]``
        scores the window whose top-left corner is ``(FACE_STRIDE * i, FACE_STRIDE * j)``
        in the resized, contrast-normalised photo. Flattened and concatenated,
        they line up with :func:`sliding_windows` ``(image.shape, 25, FACE_STRIDE, scales)``.

    Introduced in lesson 08.
    """
    gray = _gray_photo(image)
    batch_size = v.positive_int(batch_size, "batch_size")
    maps = []
    for s in _scales(scales):
        small = _resized(gray, s)
        crops = _windows(small, FACE_WINDOW, FACE_STRIDE)[..., None]
        if batch_size == 1:
            out = np.concatenate([classifier.predict(c[None], verbose=0) for c in crops]) if len(crops) else np.zeros(0)
        else:
            out = classifier.predict(crops, batch_size=batch_size, verbose=0) if len(crops) else np.zeros(0)
        maps.append(np.asarray(out, np.float32).reshape(window_grid(small.shape, FACE_WINDOW, FACE_STRIDE)))
    return maps


def face_scores_one_pass(one_pass, image, scales=FACE_SCALES):
    """Face score of every window from one forward pass per scale of :func:`one_pass_model`.

    Parameters and returns as :func:`face_scores_by_window`, with ``one_pass``
    the fully convolutional model.

    Introduced in lesson 08.
    """
    gray = _gray_photo(image)
    maps = []
    for s in _scales(scales):
        small = _resized(gray, s)
        rows, cols = window_grid(small.shape, FACE_WINDOW, FACE_STRIDE)
        if rows == 0 or cols == 0:  # the photo is smaller than one window at this scale
            maps.append(np.zeros((rows, cols), np.float32))
            continue
        out = np.asarray(one_pass(small[None, :, :, None], training=False))[0, :rows, :cols, 0]
        maps.append(out.astype(np.float32))
    return maps


def _augment_faces(faces: np.ndarray, copies: int, rng) -> np.ndarray:
    """Faces, their mirror images and ``copies`` randomly lit, mirrored, shifted versions.

    The 100 training faces are evenly lit studio-like crops; real photos are
    brighter, darker or flatter, so gamma, contrast and brightness are jittered.
    """
    out = [faces, faces[:, :, ::-1]]
    n = len(faces)
    for _ in range(copies):
        f = faces.copy()
        flip = rng.random(n) < 0.5
        f[flip] = f[flip][:, :, ::-1]
        f = f ** np.exp(rng.uniform(np.log(0.5), np.log(2.0), (n, 1, 1)))
        mean = f.mean((1, 2), keepdims=True)
        f = (f - mean) * rng.uniform(0.6, 1.3, (n, 1, 1)) + mean + rng.uniform(-0.15, 0.15, (n, 1, 1))
        f = np.roll(f, tuple(rng.integers(-1, 2, 2)), (1, 2))
        out.append(np.clip(f, 0, 1).astype(np.float32))
    return np.concatenate(out)


def train_face_classifier(model, faces, non_faces, epochs=10, seed=0):
    """Fit the face classifier on faces (and lit, mirrored, shifted copies) against non-faces.

    Parameters
    ----------
    model : keras.Model
        From :func:`face_classifier`; compiled here (Adam, binary cross-entropy)
        and trained further if called again.
    faces : (N, 25, 25) array_like
        Grayscale face patches in ``[0, 1]`` as :func:`cnnlab.datasets.load_faces`
        gives them; jittered, then normalised here with :func:`normalize_contrast`.
    non_faces : (M, 25, 25) array_like
        Windows already contrast-normalised, as :func:`mine_hard_negatives` returns them.
    epochs : int
    seed : int

    Returns
    -------
    float
        Seconds spent in ``fit``.

    Introduced in lesson 08.
    """
    keras = _keras()
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras Model from face_classifier(), got {type(model).__name__}")
    faces = v.array(faces, "faces", (3,)).astype(np.float32)
    non_faces = v.array(non_faces, "non_faces", (3,)).astype(np.float32)
    if faces.min() < 0 or faces.max() > 1:
        raise ValueError(f"faces must be grayscale values in [0, 1], got {faces.min():.3g} to {faces.max():.3g}")
    for name, arr in (("faces", faces), ("non_faces", non_faces)):
        if arr.shape[1:] != (FACE_WINDOW, FACE_WINDOW):
            raise ValueError(f"{name} must be 25x25 windows, got shape {arr.shape}")
    epochs = v.positive_int(epochs, "epochs")
    seed = v.nonnegative_int(seed, "seed")
    keras.utils.set_random_seed(seed)
    pos = normalize_contrast(_augment_faces(faces, 6, np.random.default_rng(seed)))
    x = np.concatenate([pos, non_faces])[..., None]
    y = np.concatenate([np.ones(len(pos)), np.zeros(len(non_faces))]).astype(np.float32)
    # weigh the classes equally however many negatives were mined
    weights = {0: len(y) / (2 * len(non_faces)), 1: len(y) / (2 * len(pos))}
    if not getattr(model, "optimizer", None) or not model.compiled:
        model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy")
    start = time.perf_counter()
    model.fit(x, y, epochs=epochs, batch_size=64, class_weight=weights, verbose=0, shuffle=True)
    return time.perf_counter() - start


def mine_hard_negatives(one_pass, photos, scales=FACE_SCALES, threshold=0.5, limit=2000):
    """Windows of face-free photos that the detector wrongly calls faces.

    Parameters
    ----------
    one_pass : keras.Model
        From :func:`one_pass_model`.
    photos : list of (H, W[, 3]) array_like
        Photos with no face in them.
    scales : sequence of float
    threshold : float
        Windows scoring above it are false positives.
    limit : int
        Keep at most this many, the highest-scoring first.

    Returns
    -------
    (K, 25, 25) ndarray of float32
        The windows (contrast-normalised), ready to add to the non-faces.

    Introduced in lesson 08.
    """
    threshold = v.probability(threshold, "threshold")
    limit = v.positive_int(limit, "limit")
    found, scores = [], []
    for k, photo in enumerate(photos):
        gray = _gray_photo(photo, f"photos[{k}]")
        for s, score_map in zip(_scales(scales), face_scores_one_pass(one_pass, gray, scales)):
            hits = np.flatnonzero(score_map.ravel() > threshold)
            if len(hits):
                found.append(_windows(_resized(gray, s), FACE_WINDOW, FACE_STRIDE)[hits])
                scores.append(score_map.ravel()[hits])
    if not found:
        return np.zeros((0, FACE_WINDOW, FACE_WINDOW), np.float32)
    order = np.argsort(-np.concatenate(scores), kind="stable")[:limit]
    return np.concatenate(found)[order]


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


def detect_faces(one_pass, image, scales=FACE_SCALES, threshold=0.9, iou_threshold=0.3, min_votes=0.0):
    """Find faces in a photo: score every window in one pass, keep the confident ones, group them.

    Parameters
    ----------
    one_pass : keras.Model
        From :func:`one_pass_model`.
    image : (H, W) or (H, W, 3) array_like
    scales : sequence of float
    threshold : float
        Minimum face probability of a window.
    iou_threshold : float
        Overlap above which windows are one detection (see :func:`group_detections`).
    min_votes : float
        Drop detections whose summed window scores are below this.

    Returns
    -------
    boxes : (K, 4) ndarray of float64
        ``(x_min, y_min, x_max, y_max)`` in the photo, most votes first: each
        the score-weighted mean of a group of overlapping windows.
    votes : (K,) ndarray of float64
        Summed scores of the windows grouped into each box.

    Introduced in lesson 08.
    """
    gray = _gray_photo(image)
    threshold = v.probability(threshold, "threshold")
    min_votes = v.finite_number(min_votes, "min_votes")
    maps = face_scores_one_pass(one_pass, gray, scales)
    boxes = sliding_windows(gray.shape, FACE_WINDOW, FACE_STRIDE, scales)
    scores = np.concatenate([m.ravel() for m in maps])
    confident = scores > threshold
    boxes, scores = boxes[confident], scores[confident]
    groups = group_detections(boxes, scores, iou_threshold)
    strong = groups.votes >= min_votes
    return groups.boxes[strong], groups.votes[strong]


class FaceDetector(NamedTuple):
    """What :func:`build_face_detector` returns."""

    classifier: object
    """The trained :func:`face_classifier`."""
    one_pass: object
    """Its :func:`one_pass_model`."""
    rounds: list
    """Per training a dict: ``negatives`` used, ``seconds`` of fitting, and ``mined``: false
    alarms then found on the face-free photos (at most 3,000; None after the last training)."""


def _random_windows(photos, per_scale: int, rng) -> np.ndarray:
    """``per_scale`` random windows of every photo at every :data:`FACE_SCALES` scale."""
    out = []
    for photo in photos:
        gray = _gray_photo(photo)
        for s in FACE_SCALES:
            crops = _windows(_resized(gray, s), FACE_WINDOW, FACE_STRIDE)
            out.append(crops[rng.choice(len(crops), min(per_scale, len(crops)), replace=False)])
    return np.concatenate(out)


def _skimage_file(name: str) -> str:
    import skimage

    path = os.path.join(os.path.dirname(skimage.__file__), "data", os.path.basename(name))
    if not os.path.isfile(path):
        raise ValueError(f"photos must name bundled photos, {name!r} is neither in images.names() "
                         f"nor a file of scikit-image's data folder")
    return path


def _off_centre_faces(faces: np.ndarray, backgrounds: np.ndarray, rng) -> np.ndarray:
    """Windows that show a face too small or too far off-centre: negatives that sharpen the boxes.

    Each face is either shrunk to half its size or shifted by 8 to 12 pixels,
    and pasted on a random background window.
    """
    from skimage.transform import resize

    out = backgrounds[rng.choice(len(backgrounds), 2 * len(faces))].copy()
    for k, face in enumerate(np.concatenate([faces, faces])):
        if k < len(faces):
            side = int(rng.integers(11, 15))
            small = resize(face, (side, side), anti_aliasing=True)
            y0, x0 = rng.integers(0, FACE_WINDOW - side + 1, 2)
            out[k, y0:y0 + side, x0:x0 + side] = small
        else:
            dy, dx = rng.integers(8, 13, 2) * rng.choice([-1, 1], 2)
            ys, xs = slice(max(dy, 0), FACE_WINDOW + min(dy, 0)), slice(max(dx, 0), FACE_WINDOW + min(dx, 0))
            out[k, ys, xs] = face[max(-dy, 0):FACE_WINDOW - max(dy, 0), max(-dx, 0):FACE_WINDOW - max(dx, 0)]
    return out.astype(np.float32)


MINING_SCALES = tuple(float(s) for s in np.geomspace(0.1, 0.6, 10).round(3))
"""Scales searched for hard negatives: wider than :data:`FACE_SCALES`, so the detector meets more textures."""


def build_face_detector(rounds=2, seed=0, photos=FACE_FREE_PHOTOS):
    """Train the face classifier, then mine hard negatives and retrain, ``rounds`` times.

    Round 0 trains on the 100 faces of :func:`cnnlab.datasets.load_faces`
    against its 100 background patches plus random windows of face-free
    photos. Each later round runs the one-pass detector over the face-free
    photos (and their mirror images), adds every window it scores above 0.3
    (all false positives, since those photos hold no face) to the
    non-faces, and trains 8 more epochs.

    Parameters
    ----------
    rounds : int
        Mining rounds after the first training (0 for the naive classifier).
    seed : int
    photos : sequence of str
        Photos without faces: names of :func:`cnnlab.images.names` or files of
        scikit-image's data folder. An empty sequence gives the naive
        classifier, trained on the 100 faces and 100 background patches only
        (nothing is mined).

    Returns
    -------
    FaceDetector
        ``(classifier, one_pass, rounds)``.

    Introduced in lesson 08.
    """
    from . import datasets, images

    rounds = v.nonnegative_int(rounds, "rounds")
    seed = v.nonnegative_int(seed, "seed")
    if isinstance(photos, str) or not all(isinstance(p, str) for p in photos):
        raise TypeError(f"photos must be a sequence of photo names, got {photos!r:.60}")
    pictures = [images.load(name if name in images.names() else _skimage_file(name)) for name in photos]
    # mirrored and turned photos: more textures, still without an upright face
    pictures += [p[:, ::-1] for p in pictures] + [np.rot90(p) for p in pictures]
    x, y = datasets.load_faces()
    faces = x[y == 1]
    rng = np.random.default_rng(seed)
    negatives = normalize_contrast(x[y == 0])
    if pictures:
        backgrounds = _random_windows(pictures, 20, rng)
        off_centre = _off_centre_faces(normalize_contrast(faces), backgrounds, rng)
        negatives = np.concatenate([negatives, backgrounds, off_centre])
    model = face_classifier(seed)
    history = []
    seconds = train_face_classifier(model, faces, negatives, epochs=10, seed=seed)
    for r in range(rounds):
        if not pictures:
            break
        hard = mine_hard_negatives(one_pass_model(model), pictures, MINING_SCALES, threshold=0.3, limit=3000)
        history.append({"negatives": len(negatives), "seconds": seconds, "mined": len(hard)})
        negatives = np.concatenate([negatives, hard])
        seconds = train_face_classifier(model, faces, negatives, epochs=8, seed=seed + r + 1)
    history.append({"negatives": len(negatives), "seconds": seconds, "mined": None})
    return FaceDetector(model, one_pass_model(model), history)


# ---------------------------------------------------------------- a tiny single-shot detector

SHAPES_CELL = 8
"""Side of a grid cell of the shapes detector, in pixels (three 2x2 poolings)."""


def shapes_detector(image_size=64, classes=3, filters=16, seed=0):
    """A tiny single-shot detector: every grid cell predicts objectness, a box and a class.

    Four ``3 x 3`` convolutions with three 2x2 poolings turn a
    ``64 x 64`` image into an ``8 x 8`` grid of cells (each sees a
    neighbourhood of the image, not just its own 8 x 8 pixels); a ``1 x 1``
    convolution then writes ``5 + classes`` numbers per cell:

    * ``[0]`` objectness logit: is the *centre* of an object in this cell?
    * ``[1:3]`` the centre's position inside the cell (sigmoid, 0 to 1),
    * ``[3:5]`` width and height as fractions of the image (sigmoid),
    * ``[5:]`` class logits.

    One forward pass gives every detection at once: no windows, no proposals
    (YOLO's idea, at toy scale).

    Parameters
    ----------
    image_size : int
        Side of the square input, a multiple of 8.
    classes : int
    filters : int
        Feature maps of the first convolution (doubled twice).
    seed : int

    Returns
    -------
    keras.Model
        Input ``(N, S, S, 3)`` floats in ``[0, 1]``; output ``(N, S/8, S/8, 5 + classes)`` raw numbers. Not compiled.

    Introduced in lesson 08.
    """
    keras = _keras()
    layers = keras.layers
    size = v.positive_int(image_size, "image_size")
    if size % SHAPES_CELL:
        raise ValueError(f"image_size must be a multiple of {SHAPES_CELL}, got {size}")
    classes = v.positive_int(classes, "classes")
    filters = v.positive_int(filters, "filters")
    seed = v.nonnegative_int(seed, "seed")
    x = inputs = keras.Input((size, size, 3))
    for k, n in enumerate((filters, 2 * filters, 4 * filters)):
        x = layers.Conv2D(n, 3, padding="same", activation="relu", name=f"conv{k + 1}",
                          kernel_initializer=keras.initializers.HeNormal(seed + k))(x)
        x = layers.MaxPooling2D(2, name=f"pool{k + 1}")(x)
    x = layers.Conv2D(4 * filters, 3, padding="same", activation="relu", name="conv4",
                      kernel_initializer=keras.initializers.HeNormal(seed + 3))(x)
    outputs = layers.Conv2D(5 + classes, 1, name="head",
                            kernel_initializer=keras.initializers.GlorotUniform(seed + 4))(x)
    return keras.Model(inputs, outputs, name="shapes_detector")


def _shape_targets(boxes, labels, image_size: int) -> np.ndarray:
    """Per image an ``(G, G, 6)`` grid: objectness, centre in cell, size, class."""
    g = image_size // SHAPES_CELL
    out = np.zeros((len(boxes), g, g, 6), np.float32)
    for i, (b, c) in enumerate(zip(boxes, labels)):
        b = np.asarray(b, np.float64).reshape(-1, 4)
        cx, cy = (b[:, 0] + b[:, 2]) / 2 / SHAPES_CELL, (b[:, 1] + b[:, 3]) / 2 / SHAPES_CELL
        col, row = np.minimum(cx.astype(int), g - 1), np.minimum(cy.astype(int), g - 1)
        out[i, row, col] = np.stack([np.ones(len(b)), cx - col, cy - row, (b[:, 2] - b[:, 0]) / image_size,
                                     (b[:, 3] - b[:, 1]) / image_size, np.asarray(c)], axis=1)
    return out


def _detector_loss(classes: int):
    import tensorflow as tf

    def loss(target, output):
        obj = target[..., 0]
        obj_loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=obj, logits=output[..., 0])
        box_loss = tf.reduce_sum(tf.square(tf.sigmoid(output[..., 1:5]) - target[..., 1:5]), axis=-1)
        cls_loss = tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=tf.cast(target[..., 5], tf.int32), logits=output[..., 5:5 + classes])
        per_cell = obj_loss + obj * (10.0 * box_loss + cls_loss)
        return tf.reduce_mean(tf.reduce_sum(per_cell, axis=[1, 2]))

    return loss


def train_shapes_detector(model, images, boxes, labels, seconds=25.0, batch_size=32, learning_rate=3e-3, seed=0):
    """Fit :func:`shapes_detector` on :func:`cnnlab.datasets.make_shapes` data until a time budget is spent.

    The target of every cell is built from the true boxes: the cell holding
    an object's centre must say "object", where the centre lies in it, the
    object's size and its class; every other cell must say "no object".
    The loss adds binary cross-entropy for objectness over all cells and,
    for cells with an object, squared error on the box (weighted 10) and
    cross-entropy on the class.

    Parameters
    ----------
    model : keras.Model
        From :func:`shapes_detector`.
    images : (N, S, S, 3) uint8 array_like
    boxes, labels : lists of N arrays
        As :func:`cnnlab.datasets.make_shapes` returns them.
    seconds : float
        Time budget: epochs run while one more (as long as the last) still
        fits in it; the first epoch always runs.
    batch_size : int
    learning_rate : float
    seed : int

    Returns
    -------
    dict
        ``{"seconds": fit time, "epochs": epochs run, "loss": [per epoch]}``.

    Introduced in lesson 08.
    """
    keras = _keras()
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras Model, got {type(model).__name__}")
    x = v.array(images, "images", (4,))
    size = x.shape[1]
    if len(boxes) != len(x) or len(labels) != len(x):
        raise ValueError(f"boxes and labels must have one entry per image ({len(x)}), "
                         f"got {len(boxes)} and {len(labels)}")
    seconds = v.finite_number(seconds, "seconds")
    if seconds <= 0:
        raise ValueError(f"seconds must be positive, got {seconds}")
    keras.utils.set_random_seed(v.nonnegative_int(seed, "seed"))
    classes = model.output.shape[-1] - 5
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=_detector_loss(classes))
    xs = x.astype(np.float32) / np.float32(255) if x.dtype == np.uint8 else x.astype(np.float32)
    ys = _shape_targets(boxes, labels, size)
    losses, start, last = [], time.perf_counter(), 0.0
    # stop when one more epoch as long as the last one would overrun the budget
    while not losses or time.perf_counter() - start + last <= seconds:
        began = time.perf_counter()
        history = model.fit(xs, ys, epochs=1, batch_size=v.positive_int(batch_size, "batch_size"), verbose=0)
        last = time.perf_counter() - began
        losses.append(float(history.history["loss"][-1]))
    return {"seconds": time.perf_counter() - start, "epochs": len(losses), "loss": losses}


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def detect_shapes(model, images, min_score=0.05, iou_threshold=0.5):
    """Decode the shapes detector's grid into boxes, scores and classes, with per-class NMS.

    A cell's score is its objectness times its most likely class's probability.

    Parameters
    ----------
    model : keras.Model
        From :func:`shapes_detector`.
    images : (N, S, S, 3) uint8 array_like
    min_score : float
        Cells below this score are dropped.
    iou_threshold : float
        For :func:`nms`, class by class.

    Returns
    -------
    boxes : list of N (K, 4) ndarray of float64
    scores : list of N (K,) ndarray of float64
    classes : list of N (K,) ndarray of int

    Introduced in lesson 08.
    """
    x = v.array(images, "images", (4,))
    min_score = v.probability(min_score, "min_score")
    size = x.shape[1]
    xs = x.astype(np.float32) / np.float32(255) if x.dtype == np.uint8 else x.astype(np.float32)
    out = model.predict(xs, batch_size=256, verbose=0).astype(np.float64)
    g = out.shape[1]
    rows, cols = np.meshgrid(np.arange(g), np.arange(g), indexing="ij")
    logits = out[..., 5:]
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    score = _sigmoid(out[..., 0]) * probs.max(-1)
    cls = probs.argmax(-1)
    geo = _sigmoid(out[..., 1:5])
    cx, cy = (cols + geo[..., 0]) * SHAPES_CELL, (rows + geo[..., 1]) * SHAPES_CELL
    w, h = geo[..., 2] * size, geo[..., 3] * size
    all_boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=-1)
    boxes_out, scores_out, classes_out = [], [], []
    for i in range(len(out)):
        sel = score[i] > min_score
        b, s, c = all_boxes[i][sel], score[i][sel], cls[i][sel]
        keep = np.concatenate([np.flatnonzero(c == k)[nms(b[c == k], s[c == k], iou_threshold)]
                               for k in np.unique(c)]) if len(c) else np.zeros(0, int)
        keep = keep[np.argsort(-s[keep], kind="stable")]
        boxes_out.append(b[keep])
        scores_out.append(s[keep])
        classes_out.append(c[keep])
    return boxes_out, scores_out, classes_out


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


# ---------------------------------------------------------------- a pretrained face detector

LANDMARKS = ("left_eye", "right_eye", "nose", "mouth_left", "mouth_right")
"""Order of the five points :func:`pretrained_faces` returns per face."""


def _mtcnn():
    """One MTCNN detector per session (building it takes a few seconds)."""
    global _MTCNN
    if _MTCNN is None:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        try:
            from mtcnn import MTCNN
        except ImportError as exc:
            raise ImportError("pretrained_faces needs the mtcnn package (its weights ship inside it): "
                              "pip install mtcnn") from exc
        _MTCNN = MTCNN(device="CPU:0")
    return _MTCNN


_MTCNN = None


def _rgb_uint8(image, name: str = "image") -> np.ndarray:
    arr = v.array(image, name, (2, 3))
    if arr.ndim == 3 and arr.shape[2] not in (3, 4):
        raise ValueError(f"{name} must be (H, W) grayscale or (H, W, 3) RGB, got shape {arr.shape}")
    if arr.dtype != np.uint8:
        if arr.min() < 0 or arr.max() > 255:
            raise ValueError(f"{name} must hold values in [0, 1] or [0, 255], got {arr.min():.3g} to {arr.max():.3g}")
        arr = np.rint(arr * 255 if arr.max() <= 1 else arr).astype(np.uint8)
    if arr.ndim == 2:
        arr = np.stack([arr] * 3, axis=-1)
    if min(arr.shape[:2]) < 12:
        raise ValueError(f"{name} must be at least 12x12 pixels, got shape {arr.shape}")
    return np.ascontiguousarray(arr[..., :3])


def pretrained_faces(image, min_confidence=0.9):
    """Faces found by MTCNN, a pretrained three-stage CNN face detector (offline, CPU).

    MTCNN (Zhang et al., 2016) is a cascade: a small fully convolutional
    network (P-Net) slides over an image pyramid in one pass per scale and
    proposes candidate boxes; R-Net re-scores and refines the survivors;
    O-Net gives the final box and five landmarks. NMS runs between stages.
    Its weights ship inside the ``mtcnn`` package, so nothing is downloaded.
    The first call builds the networks (a few seconds); later calls take a
    fraction of a second for a 512 x 512 photo.

    Parameters
    ----------
    image : (H, W, 3) or (H, W) array_like
        RGB or grayscale, uint8 or floats in ``[0, 1]``.
    min_confidence : float
        Faces scoring below this are dropped.

    Returns
    -------
    boxes : (K, 4) ndarray of float64
        ``(x_min, y_min, x_max, y_max)``, most confident first.
    scores : (K,) ndarray of float64
    landmarks : (K, 5, 2) ndarray of float64
        ``(x, y)`` of the points named in :data:`LANDMARKS`.

    Examples
    --------
    >>> from cnnlab import images
    >>> boxes, scores, landmarks = pretrained_faces(images.load("astronaut"))  # doctest: +SKIP
    >>> boxes.round().tolist()  # doctest: +SKIP
    [[182.0, 64.0, 265.0, 171.0]]

    Introduced in lesson 08.
    """
    rgb = _rgb_uint8(image)
    min_confidence = v.probability(min_confidence, "min_confidence")
    found = _mtcnn().detect_faces(rgb)
    found = sorted((f for f in found if f["confidence"] >= min_confidence), key=lambda f: -f["confidence"])
    boxes = np.array([[x, y, x + w, y + h] for x, y, w, h in (f["box"] for f in found)], np.float64).reshape(-1, 4)
    scores = np.array([f["confidence"] for f in found], np.float64)
    marks = np.array([[f["keypoints"][k] for k in LANDMARKS] for f in found], np.float64).reshape(-1, 5, 2)
    return boxes, scores, marks
