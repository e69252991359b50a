"""The fully connected part of a CNN: flatten the feature maps, then a dense layer."""

from __future__ import annotations

import numpy as np

from .. import _validate as v
from ._common import check_size, compute_dtype

__all__ = ["dense", "flatten"]


def flatten(x) -> np.ndarray:
    """Unroll a feature-map stack into one vector, row by row, channel fastest.

    The order is NumPy's C order, the same as Keras ``Flatten`` on a
    channels-last ``(H, W, C)`` map: entry ``(r, c, k)`` lands at
    ``(r * W + c) * C + k``.

    Parameters
    ----------
    x : (H, W) or (H, W, C) array_like

    Returns
    -------
    (H * W * C,) ndarray
        A new array: changing it does not change ``x``.

    Examples
    --------
    >>> flatten(np.arange(8).reshape(2, 2, 2)).tolist()
    [0, 1, 2, 3, 4, 5, 6, 7]

    Introduced in lesson 05.
    """
    x = v.array(x, "x", (1, 2, 3))
    return x.flatten()


def dense(x, weights, bias) -> np.ndarray:
    """A fully connected layer: ``x @ weights + bias``.

    Parameters
    ----------
    x : (n_in,) or (N, n_in) array_like
        One input vector or a batch of them.
    weights : (n_in, n_out) array_like
        As Keras stores a ``Dense`` layer's kernel.
    bias : (n_out,) array_like

    Returns
    -------
    (n_out,) or (N, n_out) ndarray

    Examples
    --------
    >>> dense(np.array([1.0, 2.0]), np.array([[1.0], [1.0]]), np.array([0.5]))
    array([3.5])

    Introduced in lesson 06.
    """
    x = v.array(x, "x", (1, 2))
    weights = v.array(weights, "weights", (2,))
    bias = v.array(bias, "bias", (1,))
    if x.shape[-1] != weights.shape[0]:
        raise ValueError(
            f"weights must have {x.shape[-1]} rows to match x's last axis, got shape {weights.shape}"
        )
    if bias.shape[0] != weights.shape[1]:
        raise ValueError(f"bias must have {weights.shape[1]} entries (one per unit), got shape {bias.shape}")
    check_size(x.shape[:-1] + (weights.shape[1],), 4, "weights", "a result")
    dtype = compute_dtype(x, weights, bias)
    return x.astype(dtype, copy=False) @ weights.astype(dtype, copy=False) + bias.astype(dtype, copy=False)
