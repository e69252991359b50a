"""Grey-level dilation and erosion: a max or min filter, which is pooling with stride 1."""

from __future__ import annotations

import numpy as np

from .. import _validate as v
from ._common import compute_dtype
from .pooling import max_pool

__all__ = ["dilate", "erode"]


def _odd_side(size) -> tuple[int, int]:
    side = v.positive_pair(size, "size")
    if side[0] % 2 == 0 or side[1] % 2 == 0:
        raise ValueError(f"size must be odd (the window is centred on its cell), got {size!r}")
    return side


def dilate(x, size=3) -> np.ndarray:
    """Replace every cell by the largest value of the ``size`` x ``size`` window centred on it.

    Grey-level dilation with a square (or rectangular) footprint, as
    ``scipy.ndimage.maximum_filter`` computes it with cells outside the map left
    out. It is max pooling with stride 1 and ``padding="same"``:
    ``max_pool(x, size, stride=1, padding="same")``, so the output keeps the
    input's height and width. Bright regions grow, dark specks vanish.

    Parameters
    ----------
    x : (H, W) or (H, W, C) array_like
        Feature map(s) or a grayscale photo; channels are filtered independently.
    size : int or (int, int)
        Odd window height and width.

    Returns
    -------
    (H, W[, C]) ndarray
        float32 (float64 for float64 input).

    Examples
    --------
    >>> dilate(np.array([[0, 0, 0, 0], [0, 9, 0, 0], [0, 0, 0, 0]]))
    array([[9., 9., 9., 0.],
           [9., 9., 9., 0.],
           [9., 9., 9., 0.]])

    Introduced in lesson 04.
    """
    return max_pool(x, _odd_side(size), stride=1, padding="same")


def erode(x, size=3) -> np.ndarray:
    """Replace every cell by the smallest value of the ``size`` x ``size`` window centred on it.

    Grey-level erosion, the mirror of :func:`dilate`: ``-dilate(-x, size)``, a min
    filter (``scipy.ndimage.minimum_filter``, cells outside the map left out).
    Dark regions grow, bright specks vanish.

    Parameters are those of :func:`dilate`.

    Returns
    -------
    (H, W[, C]) ndarray

    Examples
    --------
    >>> erode(np.array([[5, 5, 5, 5], [5, 1, 5, 5], [5, 5, 5, 5]]))
    array([[1., 1., 1., 5.],
           [1., 1., 1., 5.],
           [1., 1., 1., 5.]])

    Introduced in lesson 04.
    """
    side = _odd_side(size)
    x = v.array(x, "x", (2, 3))
    result = max_pool(-x.astype(compute_dtype(x)), side, stride=1, padding="same")
    return np.negative(result, out=result) + 0.0   # + 0.0: no -0.0 where the minimum is 0
