"""Activation functions, applied element by element (``softmax`` along one axis)."""

from __future__ import annotations

import numpy as np

from .. import _validate as v
from ._common import compute_dtype

__all__ = ["leaky_relu", "relu", "sigmoid", "softmax", "tanh"]


def relu(x) -> np.ndarray:
    """Rectified linear unit: keep positive values, replace negatives with 0.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    ndarray, same shape and dtype as ``x``

    Examples
    --------
    >>> relu(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 3.])

    Introduced in lesson 03.
    """
    x = v.array(x, "x", allow_empty=True)
    return np.maximum(x, np.zeros((), dtype=x.dtype))


def leaky_relu(x, alpha: float = 0.3) -> np.ndarray:
    """ReLU that lets a little of the negatives through: ``x`` if ``x > 0`` else ``alpha * x``.

    Parameters
    ----------
    x : array_like, any shape
    alpha : float
        Slope for negative inputs (0.3 is Keras ``LeakyReLU``'s default).

    Returns
    -------
    ndarray, same shape as ``x``, float

    Examples
    --------
    >>> leaky_relu(np.array([-2.0, 3.0]), alpha=0.1)
    array([-0.2,  3. ])

    Introduced in lesson 03.
    """
    x = v.array(x, "x", allow_empty=True)
    alpha = v.finite_number(alpha, "alpha")
    x = x.astype(compute_dtype(x), copy=False)
    return np.where(x > 0, x, x.dtype.type(alpha) * x)


def sigmoid(x) -> np.ndarray:
    """Squash every value into (0, 1): ``1 / (1 + exp(-x))``, computed without overflow.

    Examples
    --------
    >>> sigmoid(np.array([0.0]))
    array([0.5])

    Introduced in lesson 03.
    """
    x = v.array(x, "x", allow_empty=True)
    x = x.astype(compute_dtype(x), copy=False)
    e = np.exp(-np.abs(x))  # never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def tanh(x) -> np.ndarray:
    """Squash every value into (-1, 1), centred on 0.

    Examples
    --------
    >>> tanh(np.array([0.0]))
    array([0.])

    Introduced in lesson 03.
    """
    x = v.array(x, "x", allow_empty=True)
    return np.tanh(x.astype(compute_dtype(x), copy=False))


def softmax(z, axis: int = -1) -> np.ndarray:
    """Turn scores into probabilities that sum to 1 along ``axis``.

    Computed as ``exp(z - max) / sum(exp(z - max))`` so large scores do not
    overflow; matches ``tf.nn.softmax``.

    Parameters
    ----------
    z : (..., K) array_like
        Scores ("logits").
    axis : int
        The class axis.

    Returns
    -------
    (..., K) ndarray of floats in [0, 1]

    Examples
    --------
    >>> softmax(np.array([1.0, 1.0])).tolist()
    [0.5, 0.5]

    Introduced in lesson 06.
    """
    z = v.array(z, "z")
    if z.ndim == 0:
        raise ValueError(f"z must have at least 1 dimension, got shape {z.shape}")
    axis = v.axis(axis, "axis", z.ndim)
    z = z.astype(compute_dtype(z), copy=False)
    shifted = np.exp(z - z.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)

