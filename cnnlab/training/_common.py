"""What every part of :mod:`cnnlab.training` shares: the digits' shape, the checks of digits and labels, Keras.

Keras is imported only when :func:`keras` is first called, so importing the
training package stays instant.
"""

from __future__ import annotations

import os

import numpy as np

from .. import _validate as v

DIGIT_SHAPE = (28, 28)
N_CLASSES = 10


def keras():
    """The ``keras`` module, imported on first use with TensorFlow's start-up messages off."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras as module

    return module


def digits(value, name: str) -> np.ndarray:
    """``value`` as uint8 ``(N, 28, 28)``; whole numbers 0-255 of another integer type are converted.

    Examples
    --------
    >>> digits(np.zeros((2, 28, 28), np.int32), "images").dtype
    dtype('uint8')
    """
    arr = v.array(value, name, (3,))
    if arr.shape[1:] != DIGIT_SHAPE:
        raise ValueError(f"{name} must have shape (N, 28, 28) like load_mnist's digits, got shape {arr.shape}")
    if arr.dtype == np.uint8:
        return arr
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be uint8 digits (0-255) like load_mnist's, got dtype {arr.dtype}; "
                        f"for floats in [0, 1] use (images * 255).round().astype(np.uint8)")
    if arr.min() < 0 or arr.max() > 255:
        raise ValueError(f"{name} must hold pixel values 0-255, found {arr.min()} to {arr.max()}")
    return arr.astype(np.uint8)


def labels(value, name: str, n_images: int, classes: int = N_CLASSES) -> np.ndarray:
    """``value`` as int64 ``(N,)`` class numbers in ``0 .. classes - 1``, one per image.

    Examples
    --------
    >>> labels([1.0, 0.0, 9.0], "labels", 3)
    array([1, 0, 9])
    """
    arr = v.array(value, name, (1,))
    if len(arr) != n_images:
        raise ValueError(f"{name} must have one label per image ({n_images}), got {len(arr)}")
    if arr.dtype.kind == "f" and not np.array_equal(arr, np.round(arr)):
        bad = arr[arr != np.round(arr)][0]
        raise ValueError(f"{name} must hold whole class numbers 0 to {classes - 1}, found {bad}")
    if arr.min() < 0 or arr.max() >= classes:
        bad = arr.min() if arr.min() < 0 else arr.max()
        raise ValueError(f"{name} must hold class numbers 0 to {classes - 1}, found {bad:g}")
    return arr.astype(np.int64)
