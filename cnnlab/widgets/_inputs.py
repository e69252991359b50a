"""The widgets' entry checks: every argument is validated and loaded here, once.

The scene functions (:mod:`.scenes`) then compute from what these return and
check nothing again. A bad value raises ``ValueError`` / ``TypeError`` naming
the argument.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from .. import _validate as v
from .. import images, kernels, ops
from ._text import shape_text
from .scenes._common import Source, frozen

__all__ = ["check_channel", "check_kernel_fits", "check_max_size", "load_image", "load_kernel",
           "load_map"]

_FRACTION = re.compile(r"(?<![^\s,;])([+-]?(?:\d+\.?\d*|\.\d+))/((?:\d+\.?\d*|\.\d+))(?![^\s,;])")


def check_max_size(max_size):
    """``None`` or an int of at least 4."""
    if max_size is None:
        return None
    max_size = v.positive_int(max_size, "max_size")
    if max_size < 4:
        raise ValueError(f"max_size must be at least 4 (or None for full size), got {max_size}")
    return max_size


def downscale(arr: np.ndarray, max_size) -> np.ndarray:
    """Area-average ``arr`` so its longest side is ``max_size`` (any number of channels)."""
    if max_size is None or max(arr.shape[:2]) <= max_size:
        return arr
    if arr.ndim == 2 or arr.shape[2] in (1, 3):
        return images.resize(arr, max_size)
    planes = [images.resize(np.ascontiguousarray(arr[:, :, c]), max_size) for c in range(arr.shape[2])]
    return np.stack(planes, axis=-1)


def as_display_dtype(arr: np.ndarray) -> np.ndarray:
    """uint8 stays uint8 (so do whole numbers in 0..255); everything else becomes float32."""
    if arr.dtype == np.uint8:
        return arr
    if arr.dtype.kind in "ui" and arr.size and arr.min() >= 0 and arr.max() <= 255:
        return arr.astype(np.uint8)
    return arr.astype(np.float32)


def _source(label: str, arr: np.ndarray, max_size, dtype=None) -> Source:
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    shown = downscale(as_display_dtype(arr), max_size)
    return Source(label, tuple(arr.shape), frozen(shown if dtype is None else shown.astype(dtype)))


def load_image(image, max_size, name: str = "image") -> Source:
    """A photo name, a path or an array, checked and downscaled (longest side at most ``max_size``).

    Returns a :class:`Source` whose array is ``(H, W)`` or ``(H, W, 3)``, uint8 (float32 for
    non-uint8 input).
    """
    if isinstance(image, (str, os.PathLike)):
        text = os.fspath(image)
        if text in images.names():
            label, arr = text, images.load(text)
        else:
            try:
                arr = images.load(text)
            except (ValueError, TypeError) as exc:  # images.load names its own argument name_or_path
                raise type(exc)(str(exc).replace("name_or_path", name, 1)) from None
            label = Path(text).name if not text.startswith(("http://", "https://")) else text
    else:
        label = "array"
        arr = v.array(image, name, (2, 3))
    if arr.ndim == 3 and arr.shape[2] not in (1, 3):
        raise ValueError(f"{name} must be (H, W) grayscale or (H, W, 3) RGB, got shape {arr.shape}")
    return _source(label, arr, max_size)


def load_map(value, name: str, max_size, photo_ok: bool = True, dtype=None) -> Source:
    """A feature map argument, checked and downscaled.

    ``value`` may be an array ``(H, W)`` / ``(H, W, C)``, another cnnlab widget
    (its ``output`` is used) or, if ``photo_ok``, a photo name (its grayscale).
    The array is uint8 or float32 (``dtype`` if given), longest side at most ``max_size``.
    """
    from ._base import AnimatedWidget  # the widget classes need this module: import late

    if isinstance(value, AnimatedWidget):
        label, arr = f"{type(value).__name__} output", value.output
    elif isinstance(value, (str, os.PathLike)):
        if not photo_ok:
            raise TypeError(f"{name} must be an array (for example ConvolutionWidget(...).output), "
                            f"got a string {os.fspath(value)!r:.40}")
        text = os.fspath(value)
        if text not in images.names():
            raise ValueError(f"{name} must be an array or one of the photos {', '.join(images.names())}, "
                             f"got {text!r}")
        label, arr = text, images.grayscale(images.load(text))
    else:
        label, arr = "array", v.array(value, name, (2, 3))
    return _source(label, arr, max_size, dtype)


def check_channel(channel, shown: np.ndarray) -> int:
    """A valid channel index of ``shown`` (0 for a 2-D map)."""
    channel = v.nonnegative_int(channel, "channel")
    count = 1 if shown.ndim == 2 else shown.shape[2]
    if channel >= count:
        raise ValueError(f"channel must be between 0 and {count - 1} (the map has {count} channel"
                         f"{'s' if count > 1 else ''}), got {channel}")
    return channel


def load_kernel(kernel):
    """``(name, array)`` from a kernel name, typed numbers or an array; ``name`` is "custom" if unnamed."""
    if isinstance(kernel, str):
        text = kernel.strip()
        if text in kernels.names():
            return text, kernels.get(text)
        if text and not re.search(r"\d", text):
            raise ValueError(f"kernel must be one of {', '.join(kernels.names())} or numbers typed like "
                             f"'-1 0 1; -2 0 2; -1 0 1', got {kernel!r}")
        arr = kernels.parse(_expand_fractions(kernel), "kernel")
    else:
        arr = v.array(kernel, "kernel", (2, 3)).astype(np.float32)
    for name in kernels.names():
        named = kernels.get(name)
        if named.shape == arr.shape and np.array_equal(named, arr):
            return name, frozen(named)
    return "custom", frozen(np.ascontiguousarray(arr, dtype=np.float32))


def _expand_fractions(text: str) -> str:
    """Typed ``1/9`` becomes the number it stands for (``kernels.parse`` reads plain numbers)."""
    def value(match):
        num, den = float(match.group(1)), float(match.group(2))
        if den == 0:
            raise ValueError(f"kernel value {match.group(0)!r} divides by zero")
        return repr(num / den)

    return _FRACTION.sub(value, text)


def check_kernel_fits(source: Source, kernel: np.ndarray, stride, padding) -> None:
    """Raise ``ValueError`` naming ``kernel`` if it does not fit the image shown (channels, size)."""
    shown = source.array
    channels = 1 if shown.ndim == 2 else shown.shape[2]
    if kernel.ndim == 3 and kernel.shape[2] != channels:
        raise ValueError(f"kernel has {kernel.shape[2]} input channels but image has {channels}; "
                         f"kernel shape {kernel.shape} does not fit image shape {shown.shape}")
    for axis, which in ((0, "height"), (1, "width")):
        before, after = ops.padding_amounts(shown.shape[axis], kernel.shape[axis], stride[axis], padding)
        if padding != "same" and shown.shape[axis] + before + after < kernel.shape[axis]:
            note = (f" (the widget convolves the image shown at {shape_text(shown.shape)}; pass a larger "
                    f"max_size, or max_size=None)" if shown.shape != source.original else "")
            raise ValueError(f"kernel {which} ({kernel.shape[axis]}) is larger than the image {which} "
                             f"({shown.shape[axis]}) with padding={padding!r}; use a smaller kernel or "
                             f"padding='same'{note}")
