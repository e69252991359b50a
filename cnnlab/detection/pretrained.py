"""MTCNN, a pretrained face detector whose weights ship in the ``mtcnn`` package (offline, CPU).
"""

from __future__ import annotations

import os

import numpy as np

from .. import _validate as v

__all__ = ["LANDMARKS", "pretrained_faces"]

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
