"""Training the face classifier: jittered faces, hard negatives mined from face-free photos.
"""

from __future__ import annotations

import os
import time
from typing import NamedTuple

import numpy as np

from .. import _validate as v
from ._common import _keras
from .faces import (
    FACE_SCALES,
    FACE_STRIDE,
    FACE_WINDOW,
    _gray_photo,
    _resized,
    _windows,
    face_classifier,
    face_scores_one_pass,
    normalize_contrast,
    one_pass_model,
)
from .windows import _scales

__all__ = [
    "FACE_FREE_PHOTOS",
    "MINING_SCALES",
    "FaceDetector",
    "build_face_detector",
    "mine_hard_negatives",
    "train_face_classifier",
]

FACE_FREE_PHOTOS = ("coffee", "cat", "coins", "horse", "rocket", "moon", "text", "brick", "grass", "hubble",
                    "motorcycle_left.png", "clock_motion.png", "gravel.png", "page.png", "ihc.png", "logo.png")
"""Photos bundled with scikit-image that show no human face, the source of hard negatives.

Names of :func:`cnnlab.images.names` or files of scikit-image's data folder.
(The coins carry tiny profile heads, not frontal faces.)"""


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
    from .. import datasets, images

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
