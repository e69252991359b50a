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

Layout
------
One module per topic: ``boxes`` (IoU, NMS, grouping), ``windows``,
``metrics`` (precision-recall, AP), ``faces`` (the face classifier, its
one-pass version, detection), ``mining`` (training with hard negatives),
``shapes`` (the single-shot detector) and ``pretrained`` (MTCNN). Use every
name from here, as ``cnnlab.detection.iou``.

Examples
--------
>>> iou((0, 0, 2, 2), (1, 0, 3, 2))
0.3333333333333333
>>> nms([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]], [0.9, 0.8, 0.7]).tolist()
[0, 2]
"""

from __future__ import annotations

from .boxes import Groups, NmsStep, box_area, group_detections, iou, iou_matrix, nms, nms_steps
from .faces import (
    CONTRAST_SIGMA,
    FACE_FILTERS,
    FACE_SCALES,
    FACE_STRIDE,
    FACE_WINDOW,
    detect_faces,
    face_classifier,
    face_detector_path,
    face_scores_by_window,
    face_scores_one_pass,
    load_face_detector,
    normalize_contrast,
    one_pass_model,
)
from .metrics import PrecisionRecall, average_precision, mean_average_precision, precision_recall_curve
from .mining import (
    FACE_FREE_PHOTOS,
    MINING_SCALES,
    FaceDetector,
    build_face_detector,
    mine_hard_negatives,
    train_face_classifier,
)
from .pretrained import LANDMARKS, pretrained_faces
from .shapes import SHAPES_CELL, detect_shapes, shapes_detector, train_shapes_detector
from .windows import scaled_size, sliding_windows, window_grid

__all__ = [
    "CONTRAST_SIGMA",
    "FACE_FILTERS",
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
    "face_detector_path",
    "face_scores_by_window",
    "face_scores_one_pass",
    "group_detections",
    "iou",
    "iou_matrix",
    "load_face_detector",
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
