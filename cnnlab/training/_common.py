"""What every part of :mod:`cnnlab.training` shares: the digits' shape, the checks of digits and labels, Keras.

Keras is imported only when :func:`keras` is first called, so importing the
training package stays instant.
"""

from __future__ import annotations

import numpy as np

from .. import _validate as v
from .._lazy import keras  # noqa: F401 - the training modules call _common.keras()

DIGIT_SHAPE = (28, 28)
N_CLASSES = 10


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
    """``value`` as int64 ``(N,)`` digit classes ``0 .. 9`` (or ``classes - 1``): :func:`cnnlab._validate.class_labels`.

    Examples
    --------
    >>> labels([1.0, 0.0, 9.0], "labels", 3)
    array([1, 0, 9])
    """
    return v.class_labels(value, name, n_images, classes)
