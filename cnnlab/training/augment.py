"""Moving digits by whole pixels, and the training digits plus shifted copies of them.

:func:`shift` is also how the shifted-digits test moves the test digits
(:func:`cnnlab.training.shifted_accuracy`).
"""

from __future__ import annotations

import numpy as np

from .. import _validate as v

__all__ = ["augment_with_shifts", "shift"]


def shift(images, dx, dy) -> np.ndarray:
    """Move images ``dx`` pixels right and ``dy`` pixels down; pixels moved in from outside are 0.

    Unlike ``np.roll`` nothing wraps around: what leaves one edge is gone.

    Parameters
    ----------
    images : (H, W) or (N, H, W) array_like
    dx, dy : int
        Negative values move left and up.

    Returns
    -------
    ndarray
        Same shape and dtype as ``images``; a new array.

    Examples
    --------
    >>> shift(np.arange(1, 5).reshape(1, 4), 1, 0)
    array([[0, 1, 2, 3]])
    """
    arr = v.array(images, "images", (2, 3))
    dx = _whole(dx, "dx")
    dy = _whole(dy, "dy")
    height, width = arr.shape[-2:]
    out = np.zeros_like(arr)
    if abs(dx) >= width or abs(dy) >= height:
        return out
    rows_to, rows_from = _span(dy, height)
    cols_to, cols_from = _span(dx, width)
    out[..., rows_to, cols_to] = arr[..., rows_from, cols_from]
    return out


def _whole(value, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int (pixels), got {type(value).__name__} {value!r}")
    return int(value)


def _span(offset: int, size: int) -> tuple[slice, slice]:
    """Destination and source slices that move a length-``size`` axis by ``offset``."""
    if offset >= 0:
        return slice(offset, size), slice(0, size - offset)
    return slice(0, size + offset), slice(-offset, size)


#: most numbers the augmented training set may hold: 2**28 (256 MB of uint8 digits, 340,000 of them)
MAX_AUGMENTED_NUMBERS = 2**28


def augment_with_shifts(images, labels, copies, max_shift, seed=0):
    """The originals plus ``copies`` randomly shifted copies of every image.

    Each copy of each image moves by its own ``(dx, dy)``, both drawn uniformly
    from ``-max_shift .. max_shift`` (zero fill, see :func:`shift`).

    Parameters
    ----------
    images : (N, H, W) array_like
    labels : (N,) array_like
    copies, max_shift : int
    seed : int

    Returns
    -------
    images : ((copies + 1) * N, H, W) ndarray
        The originals first, then each round of copies.
    labels : ((copies + 1) * N,) ndarray

    Examples
    --------
    >>> x, y = augment_with_shifts(np.ones((4, 28, 28), np.uint8), np.arange(4), copies=2, max_shift=3)
    >>> x.shape, y.tolist()
    ((12, 28, 28), [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3])
    """
    arr = v.array(images, "images", (3,))
    lab = v.array(labels, "labels", (1,))
    if len(lab) != len(arr):
        raise ValueError(f"labels must have one entry per image ({len(arr)}), got {len(lab)}")
    copies = v.nonnegative_int(copies, "copies")
    max_shift = v.nonnegative_int(max_shift, "max_shift")
    if max_shift >= min(arr.shape[1:]):
        raise ValueError(f"max_shift must be smaller than the images ({arr.shape[1]}x{arr.shape[2]}), "
                         f"got {max_shift}")
    v.size_limit(((copies + 1) * len(arr), *arr.shape[1:]), arr.itemsize, f"copies={copies}",
                 "a training set", MAX_AUGMENTED_NUMBERS)
    rng = np.random.default_rng(v.nonnegative_int(seed, "seed"))
    rounds = [arr]
    for _ in range(copies):
        offsets = rng.integers(-max_shift, max_shift + 1, size=(len(arr), 2))
        rounds.append(_shift_each(arr, offsets))
    return np.concatenate(rounds), np.tile(lab, copies + 1)


def _shift_each(images: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Shift image ``i`` by ``offsets[i] = (dx, dy)``; one vectorised shift per distinct offset."""
    out = np.empty_like(images)
    pairs, which = np.unique(offsets, axis=0, return_inverse=True)
    for k, (dx, dy) in enumerate(pairs):
        members = np.flatnonzero(which.ravel() == k)
        out[members] = shift(images[members], int(dx), int(dy))
    return out
