"""The widgets' entry checks: every argument is validated and taken in here, once.

An input is *taken* when it is given (``take_image``, ``take_map``, ``take_kernel``):
checked, loaded and copied into a read-only array, so editing the caller's array
afterwards changes nothing, and giving it again (``w.image = a``) recomputes. The
scene functions (:mod:`.scenes`) then compute from what these return and check
nothing again. Before computing, :func:`check_budget` estimates what the scene
would hold. A bad value raises ``ValueError`` / ``TypeError`` naming the argument.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .. import _validate as v
from .. import images, kernels, ops
from ._keras import LayerKernel, is_keras_layer, layer_kernel
from ._text import shape_text
from .scenes._common import Source

__all__ = ["MAX_CHANNELS", "MAX_KERNEL_SIDE", "MAX_PRODUCTS", "MAX_SENT_VALUES", "PlainKernel", "check_budget", "check_channel",
           "check_kernel_fits", "check_max_size", "downscaled", "load_image", "load_map", "take_image",
           "take_kernel", "take_map"]

#: most numbers one widget sends to the page (input, output, kernel, per-channel parts):
#: 4 million, at most 16 MB as float32; a 1000x1000 grayscale photo at full size fits
MAX_SENT_VALUES = 4_000_000
#: most multiplications one scene may take: about 2 s of NumPy on 2 cores at worst
MAX_PRODUCTS = 500_000_000
#: most channels an input may have (each is an option of the channel select)
MAX_CHANNELS = 1024
#: longest kernel side the widget shows (the zoom panel lists 9x9 at most; bigger ones are drawn)
MAX_KERNEL_SIDE = 128
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def check_max_size(max_size):
    """``None`` or an int of at least 4."""
    if max_size is None:
        return None
    max_size = v.positive_int(max_size, "max_size")
    if max_size < 4:
        raise ValueError(f"max_size must be at least 4 (or None for full size), got {max_size}")
    return max_size


def check_budget(sent: int, products: int, blame: str, what: str, work_blame: str | None = None) -> None:
    """Raise ``ValueError`` naming ``blame`` when a scene would send or compute too much.

    ``sent`` is how many numbers would go to the page, ``products`` how many
    multiplications computing them takes; ``what`` says what they are (``"a 5062x5062 output"``);
    ``work_blame`` is named instead of ``blame`` when the multiplications are too many.
    """
    if sent > MAX_SENT_VALUES:
        raise ValueError(f"{blame} would make the widget show {what}: {sent:,} numbers to send "
                         f"({4 * sent / 1e6:,.0f} MB); the limit is {MAX_SENT_VALUES:,}. Use a smaller "
                         f"{blame.split('=')[0]} (or max_size)")
    if products > MAX_PRODUCTS:
        blame = work_blame or blame
        raise ValueError(f"{blame} would make the widget compute {what} with {products:,} multiplications; "
                         f"the limit is {MAX_PRODUCTS:,}. Use a smaller {blame.split('=')[0]} (or max_size)")


def _batch_of_one(value, name: str):
    """A ``(1, H, W[, C])`` batch, as a Keras model returns it, as its one image."""
    arr = np.asarray(value) if hasattr(value, "shape") and len(getattr(value, "shape", ())) == 4 else value
    if isinstance(arr, np.ndarray) and arr.ndim == 4:
        if arr.shape[0] != 1:
            raise ValueError(f"{name} must be one image (H, W[, C]), or a batch of one (1, H, W, C); "
                             f"got a batch of {arr.shape[0]}, shape {arr.shape}")
        return arr[0]
    return value


def _display_dtype(arr: np.ndarray, name: str) -> np.ndarray:
    """A read-only copy: uint8 stays uint8 (so do whole numbers in 0..255), the rest float32."""
    if arr.dtype == np.uint8:
        out = np.array(arr)
    elif arr.dtype.kind in "ui" and arr.size and arr.min() >= 0 and arr.max() <= 255:
        out = arr.astype(np.uint8)
    else:
        if arr.size and float(np.max(np.abs(arr))) > _FLOAT32_MAX:
            raise ValueError(f"{name} values must lie between -3.4e38 and 3.4e38 (float32), "
                             f"got {float(np.max(np.abs(arr))):.3g}")
        out = arr.astype(np.float32)
    out.flags.writeable = False
    return out


def _taken(label: str, arr: np.ndarray, name: str, dtype=None) -> Source:
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim == 3 and arr.shape[2] > MAX_CHANNELS:
        raise ValueError(f"{name} must have at most {MAX_CHANNELS:,} channels in its last axis, got shape "
                         f"{arr.shape}; channels come last, (H, W, C)")
    if arr.size > MAX_SENT_VALUES * 16:
        raise ValueError(f"{name} of shape {arr.shape} holds {arr.size:,} values, too many to show even "
                         f"downscaled; the limit is {MAX_SENT_VALUES * 16:,}")
    out = _display_dtype(arr, name)
    if dtype is not None and out.dtype != dtype:
        out = out.astype(dtype)
        out.flags.writeable = False
    return Source(label, tuple(arr.shape), out)


def take_image(image, name: str = "image") -> Source:
    """A photo name, a path, a URL or an array, checked and copied at full size.

    Returns a :class:`Source` whose array is ``(H, W)`` or ``(H, W, C)`` (``C`` is 3 for a
    file or photo; any number of channels for an array, e.g. a layer's output),
    uint8, or float32 for non-uint8 input.
    """
    if isinstance(image, (str, os.PathLike)):
        text = os.fspath(image)
        if text in images.names():
            return _taken(text, images.load(text), name)
        try:
            arr = images.load(text)
        except (ValueError, TypeError) as exc:  # images.load names its own argument name_or_path
            raise type(exc)(str(exc).replace("name_or_path", name, 1)) from None
        label = Path(text).name if not text.startswith(("http://", "https://")) else text[:60]
        return _taken(label, arr, name)
    arr = v.array(_batch_of_one(image, name), name, (2, 3))
    return _taken("array", arr, name)


def take_map(value, name: str, photo_ok: bool = True, dtype=None) -> Source:
    """A feature map argument, checked and copied at full size.

    ``value`` may be an array ``(H, W)`` / ``(H, W, C)`` (or a batch of one), another cnnlab
    widget (its ``output`` now) or, if ``photo_ok``, a photo name (its grayscale).
    """
    from ._base import AnimatedWidget  # the widget classes need this module: import late

    if isinstance(value, AnimatedWidget):
        return _taken(f"{type(value).__name__} output", value.output, name, dtype)
    if isinstance(value, (str, os.PathLike)):
        text = os.fspath(value)
        if not photo_ok:
            raise TypeError(f"{name} must be an array (for example ConvolutionWidget(...).output), "
                            f"got a string {text!r:.40}")
        v.choice(text, name, images.names())
        return _taken(text, images.grayscale(images.load(text)), name, dtype)
    return _taken("array", v.array(_batch_of_one(value, name), name, (2, 3)), name, dtype)


def downscaled(source: Source, max_size) -> Source:
    """``source`` area-averaged so its longest side is at most ``max_size`` (any number of channels)."""
    arr = source.array
    if max_size is None or max(arr.shape[:2]) <= max_size:
        return source
    if arr.ndim == 2 or arr.shape[2] == 3:
        small = images.resize(arr, max_size)
    else:
        small = np.stack([images.resize(np.ascontiguousarray(arr[:, :, c]), max_size)
                          for c in range(arr.shape[2])], axis=-1)
    small.flags.writeable = False
    return Source(source.label, source.original, small)


def check_channel(channel, shown: np.ndarray) -> int:
    """A valid channel index of ``shown`` (0 for a 2-D map)."""
    channel = v.nonnegative_int(channel, "channel")
    count = 1 if shown.ndim == 2 else shown.shape[2]
    if channel >= count:
        raise ValueError(f"channel must be between 0 and {count - 1} (the map has {count} channel"
                         f"{'s' if count > 1 else ''}), got {channel}")
    return channel


class PlainKernel(tuple):
    """``(name, array)``: a catalogue or typed kernel as taken in (the array read-only float32)."""

    __slots__ = ()

    @property
    def name(self) -> str:
        return self[0]

    @property
    def array(self) -> np.ndarray:
        return self[1]


def take_kernel(kernel) -> PlainKernel | LayerKernel:
    """A kernel name, typed numbers, an array or a trained Keras ``Conv2D`` layer, checked and copied.

    Names and typed numbers are read by :func:`cnnlab.kernels.read` (linear, length-capped,
    the ``−`` the widget shows accepted). An array equal to a catalogue kernel takes its name.
    """
    if is_keras_layer(kernel):
        return layer_kernel(kernel, "kernel")
    if hasattr(kernel, "get_weights") and hasattr(kernel, "layers"):
        raise TypeError("kernel must be one convolution layer of the model, e.g. model.get_layer('conv'), "
                        f"not the whole {type(kernel).__name__}")
    if isinstance(kernel, str):
        name, arr = kernels.read(kernel, "kernel")
    else:
        arr = v.array(kernel, "kernel", (2, 3)).astype(np.float64)
        if float(np.max(np.abs(arr))) > _FLOAT32_MAX:
            raise ValueError("kernel values must lie between -3.4e38 and 3.4e38 (float32)")
        name = "custom"
    if max(arr.shape[:2]) > MAX_KERNEL_SIDE:
        raise ValueError(f"kernel is {shape_text(arr.shape)}: the widget shows kernels of at most "
                         f"{MAX_KERNEL_SIDE}x{MAX_KERNEL_SIDE}")
    arr = np.array(arr, dtype=np.float32)
    if name == "custom":
        for known in kernels.names():
            named = kernels.get(known)
            if named.shape == arr.shape and np.array_equal(named, arr):
                name = known
                break
    arr.flags.writeable = False
    return PlainKernel((name, arr))


def check_kernel_fits(source: Source, kernel: np.ndarray, stride, padding) -> None:
    """Raise ``ValueError`` naming ``kernel`` if it does not fit the image shown (channels, size)."""
    shown = source.array
    channels = 1 if shown.ndim == 2 else shown.shape[2]
    if kernel.ndim == 3 and kernel.shape[2] != channels:
        raise ValueError(f"kernel has {kernel.shape[2]} input channels but image has {channels}; "
                         f"kernel shape {kernel.shape} does not fit image shape {shown.shape}")
    note = (f" (the widget convolves the image shown at {shape_text(shown.shape)}; pass a larger "
            f"max_size, or max_size=None)" if shown.shape != source.original else "")
    ops.geometry.check_kernel_fits(shown.shape, kernel.shape, padding, note)


def load_image(image, max_size, name: str = "image") -> Source:
    """:func:`take_image` then :func:`downscaled`: what a scene function takes, in one call."""
    return downscaled(take_image(image, name), check_max_size(max_size))


def load_map(value, name: str, max_size, photo_ok: bool = True, dtype=None) -> Source:
    """:func:`take_map` then :func:`downscaled`."""
    return downscaled(take_map(value, name, photo_ok, dtype), check_max_size(max_size))
