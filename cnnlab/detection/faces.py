"""A sliding-window face detector: a small face / not-face CNN and its one-pass version.

Photos are turned to grayscale, resized per scale and contrast-normalised
(:func:`normalize_contrast`) before windows are cut, so the window-by-window
loop and the one-pass (fully convolutional) model see the same numbers.
"""

from __future__ import annotations

import numpy as np

from .. import _validate as v
from ._common import _keras
from .boxes import group_detections
from .windows import _scales, scaled_size, sliding_windows, window_grid

FACE_WINDOW = 25
"""Side of the face classifier's input window in pixels (the size of :func:`cnnlab.datasets.load_faces`)."""

FACE_STRIDE = 4
"""Step between windows of the one-pass face model: the product of its two 2x2 poolings."""

FACE_FILTERS = (16, 32, 64)
"""Filters of the face classifier's two convolutions and units of its hidden dense layer."""

FACE_SCALES = (0.18, 0.21, 0.25, 0.3, 0.35)
"""Resize factors at which faces are searched (a 25-pixel window covers 71-139 pixels of the photo)."""

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


def face_detector_path():
    """Where the weights of the face classifier shipped with cnnlab live (``cnnlab/data/faces.weights.npz``)."""
    from pathlib import Path

    return Path(__file__).resolve().parents[1] / "data" / "faces.weights.npz"


def load_face_detector():
    """The face classifier shipped inside cnnlab, trained with hard negatives.

    ``scripts/train_face_detector.py`` trained it with :func:`build_face_detector`
    (two rounds of hard negatives mined from the face-free photos of
    :data:`cnnlab.detection.FACE_FREE_PHOTOS`, seeded) on the faces of
    :func:`cnnlab.datasets.load_faces`; no photo with a person in it was used.
    Training takes about a minute on two CPU cores, loading a fraction of a
    second. The network is built by :func:`face_classifier` and its weights are read by
    :func:`cnnlab.training.load_weights` (no code in the file is run), so every Keras the course
    supports loads it.

    Returns
    -------
    classifier : keras.Sequential
        As :func:`face_classifier` builds it: ``(N, 25, 25, 1)`` contrast-normalised
        windows to ``(N, 1)`` face probabilities.
    one_pass : keras.Model
        Its :func:`one_pass_model`, ready for :func:`detect_faces`.

    Introduced in lesson 08.
    """
    path = face_detector_path()
    if not path.is_file():
        raise FileNotFoundError(f"the shipped face detector is missing at {path}; "
                                f"run scripts/train_face_detector.py to make it")
    from ..training.shipped import load_weights

    classifier = load_weights(face_classifier(), path)
    return classifier, one_pass_model(classifier)
