"""What the ops share: the size cap checked before allocating, the dtype of results, padding.

The public caps (``MAX_ELEMENTS`` here, ``MAX_LOOP_STEPS`` in :mod:`.conv`) are read from
``cnnlab.ops`` each time they are checked, so ``cnnlab.ops.MAX_ELEMENTS = ...`` takes effect.
"""

from __future__ import annotations

import sys

import numpy as np

from .. import _validate as v
from .geometry import padding_amounts

MAX_ELEMENTS = 2**28
"""Most numbers one result (or padded input) may hold: 2**28, 1 GiB as float32.

Every function checks the size of what it is about to allocate against this
first, so a typo such as ``padding=10**6`` is a clear ``ValueError`` naming
the argument, not a ``MemoryError`` after the machine starts swapping.
"""


def setting(name: str):
    """The value of ``cnnlab.ops.<name>`` now (a cap set on the package wins over the default here)."""
    return getattr(sys.modules[__package__], name)


def check_size(shape, itemsize: int, blame: str, what: str) -> None:
    """Raise ``ValueError`` naming ``blame`` when an array of ``shape`` would exceed :data:`MAX_ELEMENTS`."""
    v.size_limit(shape, itemsize, blame, what, setting("MAX_ELEMENTS"))


def compute_dtype(*arrays) -> np.dtype:
    """float32, or float64 when an input is float64 (or wider)."""
    dtype = np.result_type(*arrays, np.float32)
    return np.dtype(np.float64) if dtype.itemsize > 4 else np.dtype(np.float32)


def pad_checked(image: np.ndarray, size, stride, padding, value=0.0, *, blame: str) -> np.ndarray:
    """:func:`~cnnlab.ops.pad` on checked arguments; returns ``image`` itself when nothing is added.

    The size of the result is checked against :data:`MAX_ELEMENTS` first, and
    ``blame`` names the argument the error message points at.
    """
    top, bottom = padding_amounts(image.shape[0], size[0], stride[0], padding)
    left, right = padding_amounts(image.shape[1], size[1], stride[1], padding)
    if top == bottom == left == right == 0:
        return image
    shape = (image.shape[0] + top + bottom, image.shape[1] + left + right) + image.shape[2:]
    check_size(shape, max(image.dtype.itemsize, 4), blame, "a padded input")
    if not np.isfinite(value) and image.dtype.kind != "f":
        image = image.astype(np.float32)
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (image.ndim - 2)
    return np.pad(image, widths, mode="constant", constant_values=value)

