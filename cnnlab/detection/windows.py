"""Sliding windows over a photo at several scales, as boxes.
"""

from __future__ import annotations

import numpy as np

from .. import _validate as v

__all__ = ["scaled_size", "sliding_windows", "window_grid"]

#: the most pixels a photo resized by a scale may have (as many as :func:`cnnlab.images.load` allows)
MAX_SCALED_PIXELS = 50_000_000


def _scales(scales) -> np.ndarray:
    arr = v.array(scales, "scales", (0, 1)).astype(np.float64).reshape(-1)
    if not np.isfinite(arr).all() or (arr <= 0).any():
        raise ValueError(f"scales must all be positive finite numbers, got {arr.tolist()}")
    return arr


def _image_hw(image_shape) -> tuple[int, int]:
    if not isinstance(image_shape, (tuple, list)) or len(image_shape) not in (2, 3):
        raise ValueError(f"image_shape must be (H, W) or (H, W, C), got {image_shape!r}")
    return v.positive_int(image_shape[0], "image_shape[0]"), v.positive_int(image_shape[1], "image_shape[1]")


def scaled_size(image_shape, scale) -> tuple[int, int]:
    """``(H, W)`` of the photo resized by ``scale`` (rounded, at least 1 pixel).

    Raises ``ValueError`` for a scale that is not a positive finite number, or that would make
    more than :data:`MAX_SCALED_PIXELS` (``scales=[25]`` for 25 % is a classic slip).
    """
    h, w = _image_hw(image_shape)
    scale = v.finite_number(scale, "scale")
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    size = max(1, round(h * scale)), max(1, round(w * scale))
    if size[0] * size[1] > MAX_SCALED_PIXELS:
        raise ValueError(f"scale={scale:g} would resize the {h} x {w} photo to {size[0]:,} x {size[1]:,} "
                         f"pixels, more than {MAX_SCALED_PIXELS:,}; scales are fractions (0.25 for a quarter)")
    return size


def window_grid(image_shape, window, stride):
    """Number of window positions ``(rows, cols)`` that fit in ``image_shape``."""
    h, w = _image_hw(image_shape)
    window = v.positive_int(window, "window")
    stride = v.positive_int(stride, "stride")
    return max(0, (h - window) // stride + 1), max(0, (w - window) // stride + 1)


def sliding_windows(image_shape, window, stride, scales=(1.0,)):
    """Boxes of every square window slid over a photo at several scales.

    At scale ``s`` the photo is resized to ``round(H * s) x round(W * s)``
    (:func:`scaled_size`) and a ``window x window`` square moves over it by
    ``stride`` pixels, row by row. Each position is returned as a box in the
    coordinates of the *original* photo, so a scale below 1 gives bigger boxes:
    a 25-pixel window at scale 0.25 covers 100 pixels of the photo.

    Parameters
    ----------
    image_shape : (H, W) or (H, W, C) tuple
    window : int
        Side of the square window in pixels of the resized photo.
    stride : int
        Step between windows in pixels of the resized photo.
    scales : sequence of float
        Positive resize factors, in the order the boxes are listed.

    Returns
    -------
    boxes : (N, 4) ndarray of float64
        ``(x_min, y_min, x_max, y_max)`` in the original photo, scale by scale,
        and within a scale row by row, so they line up with a score map of
        shape :func:`window_grid` flattened in C order.

    Examples
    --------
    >>> sliding_windows((4, 6), window=2, stride=2).tolist()
    [[0.0, 0.0, 2.0, 2.0], [2.0, 0.0, 4.0, 2.0], [4.0, 0.0, 6.0, 2.0], [0.0, 2.0, 2.0, 4.0], [2.0, 2.0, 4.0, 4.0], [4.0, 2.0, 6.0, 4.0]]
    >>> len(sliding_windows((512, 512), window=25, stride=4, scales=[0.25, 0.5]))
    4040

    Introduced in lesson 08.
    """
    h, w = _image_hw(image_shape)
    window = v.positive_int(window, "window")
    stride = v.positive_int(stride, "stride")
    out = []
    for s in _scales(scales):
        hs, ws = scaled_size((h, w), s)
        rows, cols = window_grid((hs, ws), window, stride)
        ys, xs = np.meshgrid(np.arange(rows) * stride, np.arange(cols) * stride, indexing="ij")
        tl = np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float64)
        # back to the original photo: divide by the actual (rounded) resize factor per axis
        fx, fy = ws / w, hs / h
        out.append(np.concatenate([tl / (fx, fy), (tl + window) / (fx, fy)], axis=1))
    return np.concatenate(out) if out else np.zeros((0, 4))
