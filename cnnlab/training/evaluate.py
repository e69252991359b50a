"""Scoring a trained digits model: accuracy, the shifted-digits test, confusions, its feature maps.

Every function takes a model from :func:`cnnlab.training.train`,
:func:`cnnlab.training.load_digits_model` or :func:`cnnlab.training.build_model`,
or the labels and predictions it gave.
"""

from __future__ import annotations

import numpy as np

from .. import _validate as v
from . import _common
from ._common import N_CLASSES
from .augment import shift

__all__ = [
    "SHIFT_DIRECTIONS",
    "accuracy",
    "confusion_matrix",
    "feature_maps",
    "most_confidently_wrong",
    "per_class_accuracy",
    "predict_classes",
    "shifted_accuracies",
    "shifted_accuracy",
]

#: The shifted-digits test: every test digit moved 3 pixels right, left, down and up
#: (zero fill); :func:`shifted_accuracy` is the mean accuracy over these four copies.
SHIFT_DIRECTIONS = {"right": (3, 0), "left": (-3, 0), "down": (0, 3), "up": (0, -3)}


def _model(model):
    if not callable(getattr(model, "predict", None)):
        raise TypeError(f"model must be a trained Keras model (with predict), got {type(model).__name__}")
    return model


def predict_classes(model, images) -> np.ndarray:
    """The class each digit is given: the index of its highest probability.

    Parameters
    ----------
    model : keras.Model
        From :func:`train` or :func:`load_digits_model`.
    images : (N, 28, 28) uint8 array_like

    Returns
    -------
    (N,) int64 ndarray
    """
    digits = _common.digits(images, "images")
    return _model(model).predict(digits, batch_size=500, verbose=0).argmax(axis=1).astype(np.int64)


def accuracy(model, images, labels) -> float:
    """Fraction of ``images`` whose predicted class equals ``labels``.

    Parameters
    ----------
    model : keras.Model
    images : (N, 28, 28) uint8 array_like
    labels : (N,) array_like of int

    Returns
    -------
    float
        Between 0 and 1.
    """
    digits = _common.digits(images, "images")
    truth = _common.labels(labels, "labels", len(digits))
    return float(np.mean(predict_classes(model, digits) == truth))


def shifted_accuracies(model, images, labels) -> dict[str, float]:
    """Accuracy on the digits moved 3 pixels in each of :data:`SHIFT_DIRECTIONS`.

    Returns
    -------
    dict of str -> float
        ``{"right": ..., "left": ..., "down": ..., "up": ...}``.
    """
    digits = _common.digits(images, "images")
    truth = _common.labels(labels, "labels", len(digits))
    return {direction: accuracy(model, shift(digits, dx, dy), truth)
            for direction, (dx, dy) in SHIFT_DIRECTIONS.items()}


def shifted_accuracy(model, images, labels) -> float:
    """The shifted-digits test: mean accuracy over the digits moved 3 pixels right, left, down and up.

    Pixels moved in from outside the image are black (zero fill, see :func:`shift`).

    Returns
    -------
    float
        Between 0 and 1.
    """
    return float(np.mean(list(shifted_accuracies(model, images, labels).values())))


#: the largest confusion table (classes x classes counts) :func:`confusion_matrix` makes
MAX_TABLE_CELLS = 2**24


def _label_pair(labels, predicted, classes) -> tuple[np.ndarray, np.ndarray, int]:
    classes = v.positive_int(classes, "classes")
    v.size_limit((classes, classes), 8, f"classes={classes}", "a confusion table", MAX_TABLE_CELLS)
    truth = _common.labels(labels, "labels", len(v.array(labels, "labels", (1,))), classes)
    guess = _common.labels(predicted, "predicted", len(truth), classes)
    return truth, guess, classes


def confusion_matrix(labels, predicted, classes=N_CLASSES) -> np.ndarray:
    """Count how often each true class was read as each class.

    Parameters
    ----------
    labels, predicted : (N,) array_like of int
        True and predicted classes.
    classes : int

    Returns
    -------
    (classes, classes) int64 ndarray
        Row ``i``, column ``j``: how many digits of class ``i`` were read as ``j``;
        the diagonal holds the right answers.

    Examples
    --------
    >>> confusion_matrix([0, 1, 1], [0, 1, 0], classes=2)
    array([[1, 0],
           [1, 1]])
    """
    truth, guess, classes = _label_pair(labels, predicted, classes)
    return np.bincount(truth * classes + guess, minlength=classes * classes).reshape(classes, classes)


def per_class_accuracy(labels, predicted, classes=N_CLASSES) -> np.ndarray:
    """Accuracy for each true class (NaN for a class that does not occur).

    Returns
    -------
    (classes,) float64 ndarray

    Examples
    --------
    >>> per_class_accuracy([0, 1, 1], [0, 1, 0], classes=2)
    array([1. , 0.5])
    """
    matrix = confusion_matrix(labels, predicted, classes)
    totals = matrix.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(matrix) / totals, np.nan)


def most_confidently_wrong(probabilities, labels, count=8) -> np.ndarray:
    """Indices of the wrong answers given with the highest probability, most confident first.

    Parameters
    ----------
    probabilities : (N, classes) array_like
        ``model.predict`` output.
    labels : (N,) array_like of int
    count : int
        At most this many indices (fewer if there are fewer mistakes).

    Returns
    -------
    (k,) int64 ndarray

    Examples
    --------
    >>> most_confidently_wrong([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]], [1, 1, 1], count=5)
    array([0, 2])
    """
    probs = v.array(probabilities, "probabilities", (2,))
    truth = _common.labels(labels, "labels", len(probs), probs.shape[1])
    count = v.positive_int(count, "count")
    guess = probs.argmax(axis=1)
    wrong = np.flatnonzero(guess != truth)
    order = np.argsort(-probs[wrong, guess[wrong]], kind="stable")
    return wrong[order][:count].astype(np.int64)


def feature_maps(model, digit) -> dict[str, np.ndarray]:
    """What every convolution and pooling layer of ``model`` makes of one digit.

    Parameters
    ----------
    model : keras.Model
        From :func:`train`, :func:`build_model` or :func:`load_digits_model`.
    digit : (28, 28) uint8 array_like

    Returns
    -------
    dict of str -> (H, W, C) float32 ndarray
        Layer name to its output, in the order of the layers, for example
        ``{"conv1": (28, 28, 8), "pool1": (14, 14, 8), "conv2": (12, 12, 16), ...}``
        for the course recipe.

    Introduced in lesson 07b.
    """
    keras = _common.keras()
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a Keras model, got {type(model).__name__}")
    image = _common.digits(np.asarray(digit)[None] if np.ndim(digit) == 2 else digit, "digit")
    if len(image) != 1:
        raise ValueError(f"digit must be one (28, 28) digit, got shape {np.shape(digit)}")
    spatial = [layer for layer in model.layers
               if isinstance(layer, (keras.layers.Conv2D, keras.layers.MaxPooling2D,
                                     keras.layers.AveragePooling2D))]
    if not spatial:
        raise ValueError("model must have at least one convolution or pooling layer")
    probe = keras.Model(model.inputs[0], [layer.output for layer in spatial])
    outputs = probe(image, training=False)
    return {layer.name: np.asarray(out)[0] for layer, out in zip(spatial, outputs)}
