"""Seeded synthetic circles, squares and triangles with boxes, instance masks and label maps."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validate as v

__all__ = ["SHAPE_CLASSES", "Shapes", "make_shapes"]

SHAPE_CLASSES = ("circle", "square", "triangle")
"""Class names of :func:`make_shapes`: label 0 circle, 1 square, 2 triangle."""

MAX_SHAPES_NUMBERS = 2**28
"""Most numbers :func:`make_shapes` may generate (``n * size * size * 3``), checked before allocating."""


class Shapes(NamedTuple):
    """What :func:`make_shapes` returns; unpacks like a tuple, images first."""

    images: np.ndarray
    """(n, size, size, 3) uint8 RGB images."""
    boxes: list
    """Per image an int (k, 4) array of ``(x_min, y_min, x_max, y_max)``."""
    labels: list
    """Per image an int (k,) array of classes (index into :data:`SHAPE_CLASSES`)."""
    masks: list
    """Per image a bool (k, size, size) array, one mask per object."""
    label_maps: np.ndarray
    """(n, size, size) uint8: 0 background, ``class + 1`` on each object."""


def _object_sizes(size: int) -> tuple[int, int]:
    """Smallest and largest object diameter, in pixels, for an image of ``size``."""
    low = max(6, round(0.15 * size))
    return low, max(low, round(0.4 * size))


def _shape_mask(cls: int, d: int) -> np.ndarray:
    """Boolean ``(d, d)`` mask of a circle, square or upward triangle filling it."""
    c = np.arange(d) + 0.5  # pixel centres
    y, x = c[:, None], c[None, :]
    if cls == 0:
        return (x - d / 2) ** 2 + (y - d / 2) ** 2 <= (d / 2) ** 2
    if cls == 1:
        return np.ones((d, d), bool)
    return np.abs(x - d / 2) <= y / 2  # apex at the top centre, base along the bottom


def _place(rng, taken: np.ndarray, d: int, tries: int = 20):
    """Top-left corner for a ``d x d`` square free of ``taken`` (with a 1-pixel gap), or None."""
    size = taken.shape[0]
    for _ in range(tries):
        y0, x0 = rng.integers(0, size - d + 1, size=2)
        if not taken[max(0, y0 - 1):y0 + d + 1, max(0, x0 - 1):x0 + d + 1].any():
            return int(y0), int(x0)
    return None


def _random_colors(rng, k: int) -> np.ndarray:
    """``k`` saturated, bright RGB colours (uint8 ``(k, 3)``)."""
    hue = rng.uniform(0, 6, size=k)
    rgb = np.clip(np.abs(((hue[:, None] + np.array([0, 4, 2])) % 6) - 3) - 1, 0, 1)
    return (80 + 175 * rgb).astype(np.uint8)


def _draw_objects(rng, classes: np.ndarray, size: int):
    """Masks, boxes and kept classes of non-overlapping objects in one image."""
    low, high = _object_sizes(size)
    taken = np.zeros((size, size), bool)
    masks, boxes, kept = [], [], []
    for cls in classes:
        d = int(rng.integers(low, high + 1))
        corner = _place(rng, taken, d)
        if corner is None:
            continue
        y0, x0 = corner
        mask = np.zeros((size, size), bool)
        mask[y0:y0 + d, x0:x0 + d] = _shape_mask(int(cls), d)
        taken[y0:y0 + d, x0:x0 + d] = True
        masks.append(mask)
        boxes.append(_tight_box(mask))
        kept.append(int(cls))
    return masks, boxes, kept


def _tight_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    """``(x_min, y_min, x_max, y_max)`` with exclusive max, so ``mask[y_min:y_max, x_min:x_max]`` holds it."""
    rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def _backgrounds(rng, n: int, size: int, noise: float) -> np.ndarray:
    """``n`` dark, noisy RGB backgrounds as float32 ``(n, size, size, 3)``."""
    images = rng.standard_normal(size=(n, size, size, 3), dtype=np.float32)
    images *= np.float32(255 * noise)
    images += rng.uniform(10, 70, size=(n, 1, 1, 3)).astype(np.float32)
    return images


def _generate(rng, plans: list, size: int, noise: float) -> Shapes:
    """Draw the images whose object classes are listed in ``plans``."""
    n = len(plans)
    images = _backgrounds(rng, n, size, noise)
    label_maps = np.zeros((n, size, size), np.uint8)
    boxes, labels, masks = [], [], []
    for i, plan in enumerate(plans):
        obj_masks, obj_boxes, kept = _draw_objects(rng, plan, size)
        colors = _random_colors(rng, len(kept))
        texture = rng.normal(0, 255 * noise / 2, size=(size, size, 1))
        for mask, cls, color in zip(obj_masks, kept, colors):
            images[i][mask] = color + texture[mask]
            label_maps[i][mask] = cls + 1
        boxes.append(np.array(obj_boxes, dtype=np.int64).reshape(-1, 4))
        labels.append(np.array(kept, dtype=np.int64))
        masks.append(np.array(obj_masks, dtype=bool).reshape(-1, size, size))
    np.clip(np.rint(images, out=images), 0, 255, out=images)
    return Shapes(images.astype(np.uint8), boxes, labels, masks, label_maps)


def _check_shape_args(n, size, seed, min_objects, max_objects, noise):
    n = v.positive_int(n, "n")
    size = v.positive_int(size, "size")
    if size < 16:
        raise ValueError(f"size must be at least 16 pixels to draw recognisable shapes, got {size}")
    seed = v.nonnegative_int(seed, "seed")
    min_objects = v.positive_int(min_objects, "min_objects")
    max_objects = v.positive_int(max_objects, "max_objects")
    if max_objects < min_objects:
        raise ValueError(f"max_objects must be at least min_objects ({min_objects}), got {max_objects}")
    noise = v.finite_number(noise, "noise")
    if not 0.0 <= noise <= 1.0:
        raise ValueError(f"noise must be between 0 and 1, got {noise}")
    v.size_limit((n, size, size, 3), 4, f"n={n}" if n * 3 > size else f"size={size}", "images",
                 MAX_SHAPES_NUMBERS)
    return n, size, seed, min_objects, max_objects, noise


def make_shapes(n, size=64, seed=0, *, min_objects=1, max_objects=3, noise=0.05):
    """Generate colored circles, squares and triangles with boxes and masks.

    Each image has a dark noisy background and between ``min_objects`` and
    ``max_objects`` objects of random class, size (15-40 % of the image side),
    position and bright color. Objects never overlap or touch and lie fully
    inside the image; when an image is too crowded to fit one more, it gets
    fewer (never fewer than one).

    Parameters
    ----------
    n : int
        Number of images.
    size : int
        Side of the square images in pixels, at least 16.
    seed : int
        The same seed always gives the same images.
    min_objects, max_objects : int
        Range of the number of objects per image.
    noise : float
        Standard deviation of the background noise as a fraction of 255.

    Returns
    -------
    Shapes
        A named tuple ``(images, boxes, labels, masks, label_maps)``:

        images : (n, size, size, 3) ndarray of uint8
            RGB images.
        boxes : list of n (k, 4) ndarray of int
            ``(x_min, y_min, x_max, y_max)`` per object, in pixels, tight around
            its mask; ``x_max`` / ``y_max`` are exclusive (one past the last
            pixel), so ``mask[y_min:y_max, x_min:x_max]`` holds the whole object.
        labels : list of n (k,) ndarray of int
            Class per object: 0 circle, 1 square, 2 triangle (:data:`SHAPE_CLASSES`).
        masks : list of n (k, size, size) ndarray of bool
            One instance mask per object, in the order of ``boxes``.
        label_maps : (n, size, size) ndarray of uint8
            Semantic segmentation target: 0 background, ``class + 1`` on objects.

    Examples
    --------
    >>> images, boxes, labels, masks, label_maps = make_shapes(4, size=32, seed=1)
    >>> images.shape, images.dtype, label_maps.shape
    ((4, 32, 32, 3), dtype('uint8'), (4, 32, 32))
    >>> x0, y0, x1, y1 = boxes[0][0]
    >>> bool(masks[0][0][y0:y1, x0:x1].sum() == masks[0][0].sum())
    True

    Introduced in lesson 08.
    """
    n, size, seed, min_objects, max_objects, noise = _check_shape_args(
        n, size, seed, min_objects, max_objects, noise)
    rng = np.random.default_rng(seed)
    counts = rng.integers(min_objects, max_objects + 1, size=n)
    plans = [rng.integers(0, len(SHAPE_CLASSES), size=k) for k in counts]
    return _generate(rng, plans, size, noise)


def _single_shapes(per_class: int, size: int, seed: int):
    """``per_class`` one-object images of every shape class, shuffled."""
    rng = np.random.default_rng(seed)
    classes = rng.permutation(np.repeat(np.arange(len(SHAPE_CLASSES)), per_class))
    shapes = _generate(rng, [[c] for c in classes], size, 0.05)
    return shapes.images, classes.astype(np.uint8)
