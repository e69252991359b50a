"""Real photos to experiment on, and the few conversions a lesson needs.

The photos are the ones scikit-image ships inside its wheel; they are read
straight from its data folder, so nothing is ever downloaded. A learner's
own picture can be loaded from a file path or a URL (4.5 s in total, 32 MiB at
most; never with ``CNNLAB_OFFLINE=1``). Whatever the file holds, its size is
read from its header and checked before any pixel is decoded.

Examples
--------
>>> from cnnlab import images
>>> images.load("cat").shape
(300, 451, 3)
>>> images.grayscale(images.load("cat")).shape
(300, 451)
"""

from __future__ import annotations

import io
import os
import re
import stat
import struct
import warnings
import zlib
from pathlib import Path

import numpy as np

from . import _net
from . import _validate as v

__all__ = ["MAX_FILE_BYTES", "MAX_PIXELS", "PHOTOS", "describe", "grayscale", "load", "mnist_style", "names", "resize", "to_float", "to_uint8"]

#: friendly name -> (file in scikit-image's data folder, what is in it)
PHOTOS: dict[str, tuple[str, str]] = {
    "astronaut": ("astronaut.png", "astronaut Eileen Collins, colour portrait, 512x512"),
    "cat": ("chelsea.png", "Chelsea the cat, colour, 300x451"),
    "coffee": ("coffee.png", "a cup of coffee on a saucer, colour, 400x600"),
    "camera": ("camera.png", "the cameraman, grayscale, 512x512"),
    "coins": ("coins.png", "Greek coins on a dark background, grayscale, 303x384"),
    "horse": ("horse.png", "silhouette of a horse, black and white, 328x400"),
    "rocket": ("rocket.jpg", "a rocket on the launch pad, colour, 427x640"),
    "moon": ("moon.png", "surface of the moon, grayscale, 512x512"),
    "text": ("text.png", "hand-written text on a page, grayscale, 172x448"),
    "brick": ("brick.png", "a brick wall texture, grayscale, 512x512"),
    "grass": ("grass.png", "a grass texture, grayscale, 512x512"),
    "retina": ("retina.jpg", "a human retina, colour, 1411x1411"),
    "hubble": ("hubble_deep_field.jpg", "the Hubble deep field, colour, 872x1000"),
}

MAX_PIXELS = 50_000_000
"""Largest picture :func:`load` decodes: 50 megapixels (150 MB as RGB), checked from the header."""

MAX_FILE_BYTES = 256 * 2**20
"""Largest image file :func:`load` opens (256 MiB)."""

# What Pillow raises on broken files, besides its own UnidentifiedImageError (an OSError).
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, struct.error, zlib.error)


def names() -> list[str]:
    """Names of the bundled photos that :func:`load` accepts.

    Examples
    --------
    >>> "cat" in names()
    True
    """
    return list(PHOTOS)


def describe(name: str) -> str:
    """One line saying what is in the bundled photo ``name``."""
    v.choice(name, "name", names())
    return PHOTOS[name][1]


def _data_dir() -> Path:
    import skimage  # local: importing scikit-image costs ~0.1 s

    return Path(skimage.__file__).parent / "data"


def _decode(data, source: str, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Pixels of the image in ``data`` (a path or a binary file), size checked (against ``max_pixels``)
    from the header before decoding."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # we check the size ourselves
            with Image.open(data) as img:
                _check_pixels(img.size, source, max_pixels)
                img.load()
                arr = _to_uint8_pixels(_upright(img), source)
    except _TooLarge:
        raise
    except Image.DecompressionBombError as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(found.group(1)):,} pixels" if found else "too many pixels"
        raise ValueError(f"name_or_path {source!r} is too large to load: {size}, more than the "
                         f"{MAX_PIXELS:,} allowed") from None
    except _DECODE_ERRORS as exc:
        reason = v.shorten(str(exc), 160) or type(exc).__name__
        raise ValueError(f"name_or_path {source!r} is not an image file that Pillow can read, or it is "
                         f"damaged ({reason})") from None
    return np.ascontiguousarray(arr, dtype=np.uint8)


def _upright(img):
    """``img`` turned as its EXIF orientation tag says (a phone's portrait photo is stored sideways)."""
    from PIL import ImageOps

    return ImageOps.exif_transpose(img) or img


class _TooLarge(ValueError):
    """A picture whose header declares too many pixels (kept apart from the damaged-file errors)."""


def _check_pixels(size: tuple[int, int], source: str, max_pixels: int = MAX_PIXELS) -> None:
    """Refuse a picture whose header declares more than ``max_pixels`` (a decompression bomb)."""
    width, height = size
    if width * height > max_pixels:
        raise _TooLarge(f"name_or_path {source!r} is too large to load: {width} x {height} = "
                         f"{width * height:,} pixels, more than the {max_pixels:,} allowed")


def _to_uint8_pixels(img, source: str) -> np.ndarray:
    """``(H, W)`` or ``(H, W, 3)`` uint8 from any Pillow mode, deep images scaled to 0-255."""
    if img.mode.startswith("I") or img.mode == "F":
        return _scale_deep(np.asarray(img), img.mode, source)
    if img.mode in ("1", "L"):
        return np.asarray(img.convert("L"))
    arr = np.asarray(img.convert("RGB"))
    if (arr == arr[:, :, :1]).all():  # a gray picture stored as colour
        arr = arr[:, :, 0]
    return arr


def _scale_deep(arr: np.ndarray, mode: str, source: str) -> np.ndarray:
    """16-bit, 32-bit and float grayscale to uint8 by its range, never by clipping.

    * 16-bit (``I;16*``, and ``I`` with values in 0-65535): ``round(v / 257)``,
      so 65535 becomes 255 and the picture keeps its contrast;
    * float in 0-1: ``round(v * 255)``; float in 0-255: rounded;
    * anything else (negative values, 32-bit counts): stretched from its
      minimum to its maximum.
    """
    arr = arr.astype(np.float32)  # 4 bytes a pixel: a 50-megapixel picture stays at 200 MB
    if not np.isfinite(arr).all():
        raise ValueError(f"name_or_path {source!r} holds NaN or infinite pixel values")
    low, high = (float(arr.min()), float(arr.max())) if arr.size else (0.0, 0.0)
    if mode.startswith("I") and low >= 0 and high <= 65535:
        scaled = arr / np.float32(257)
    elif mode == "F" and low >= 0 and high <= 1:
        scaled = arr * np.float32(255)
    elif mode == "F" and low >= 0 and high <= 255:
        scaled = arr
    else:
        scaled = (arr - np.float32(low)) * np.float32(255 / (high - low)) if high > low else np.zeros_like(arr)
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def _load_url(url: str) -> np.ndarray:
    payload = _net.fetch(url)
    return _decode(io.BytesIO(payload), url)


def _open_regular_file(path: Path, source: str):
    """Open ``path`` for reading only if it is a regular file of sensible size (symlinks are followed).

    Opened with ``O_NONBLOCK`` and checked with ``fstat`` on the open file, so a
    FIFO or a device can neither hang the call nor be swapped in after the check.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ValueError(f"name_or_path {source!r} cannot be opened ({exc.strerror})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file (a pipe, socket or device)"
        raise ValueError(f"name_or_path {source!r} is {kind}; expected an image file")
    if info.st_size > MAX_FILE_BYTES:
        os.close(fd)
        raise ValueError(f"name_or_path {source!r} is {info.st_size:,} bytes, more than the "
                         f"{MAX_FILE_BYTES:,} an image file may have here")
    return os.fdopen(fd, "rb")


def _not_found(text: str) -> ValueError:
    """The error for a name that is neither a photo nor a file; a near miss gets "did you mean"."""
    hint = v.did_you_mean(text, names()) if os.sep not in text and "." not in text else None
    if hint is not None:
        return ValueError(f"name_or_path {text!r} is neither a bundled photo nor an existing file: {hint}")
    return ValueError(f"name_or_path {text!r:.200} is neither a bundled photo ({', '.join(names())}) "
                      f"nor an existing file")


def load(name_or_path) -> np.ndarray:
    """Load a bundled photo by name, or an image file, or an image URL.

    Parameters
    ----------
    name_or_path : str or path-like
        One of :func:`names` (``"cat"``, ``"astronaut"`` ...), a path to an
        image file, or an ``http(s)://`` URL (4.5 s in total, at most 32 MiB,
        refused when ``CNNLAB_OFFLINE=1``).

    Returns
    -------
    (H, W, 3) or (H, W) uint8 ndarray
        RGB for colour pictures (any alpha channel dropped), 2-D for grayscale
        (also when a file stores a gray picture as three equal channels).
        16-bit and float pictures are scaled to 0-255, not clipped.

    Raises
    ------
    ValueError
        Not a photo name nor a regular file (a folder, a pipe), more than
        :data:`MAX_PIXELS` pixels, or a file Pillow cannot read.
    ConnectionError
        A URL that cannot be downloaded in time, is too large, or offline mode.

    Examples
    --------
    >>> load("camera").shape
    (512, 512)

    Introduced in lesson 01.
    """
    if isinstance(name_or_path, os.PathLike):
        name_or_path = os.fspath(name_or_path)
    if not isinstance(name_or_path, str):
        raise TypeError(
            f"name_or_path must be a photo name, a file path or a URL string, got {type(name_or_path).__name__}"
        )
    if name_or_path in PHOTOS:
        return _decode(_data_dir() / PHOTOS[name_or_path][0], name_or_path)
    if name_or_path.startswith(("http://", "https://")):
        return _load_url(name_or_path)
    if not name_or_path or "\0" in name_or_path:
        raise ValueError(f"name_or_path must name a photo, a file or a URL, got {name_or_path!r:.80}")
    path = Path(name_or_path).expanduser()
    try:
        path.stat()  # follows symlinks; never opens, so a FIFO cannot block here
    except FileNotFoundError:
        raise _not_found(name_or_path) from None
    except OSError as exc:
        raise ValueError(f"name_or_path {name_or_path!r:.200} cannot be read ({exc.strerror})") from None
    with _open_regular_file(path, name_or_path) as handle:
        return _decode(handle, name_or_path)


def _image(image, name: str = "image") -> np.ndarray:
    arr = v.array(image, name, (2, 3))
    if arr.ndim == 3 and arr.shape[2] not in (1, 3, 4):
        raise ValueError(f"{name} must have 1, 3 or 4 channels in its last axis, got shape {arr.shape}")
    return arr


def to_float(image) -> np.ndarray:
    """Scale to float32 in ``[0, 1]``: uint8 is divided by 255, floats are kept.

    Parameters
    ----------
    image : (H, W[, C]) ndarray

    Returns
    -------
    (H, W[, C]) float32 ndarray

    Examples
    --------
    >>> to_float(np.array([[0, 255]], dtype=np.uint8)).tolist()
    [[0.0, 1.0]]
    """
    arr = _image(image)
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) / np.float32(255)
    if arr.dtype.kind in "ui":
        raise TypeError(f"image must be uint8 or float to convert, got dtype {arr.dtype}")
    return arr.astype(np.float32)


def to_uint8(image) -> np.ndarray:
    """Turn a float image in ``[0, 1]`` into uint8 (values outside are clipped).

    Parameters
    ----------
    image : (H, W[, C]) ndarray, float in [0, 1] or uint8

    Returns
    -------
    (H, W[, C]) uint8 ndarray
    """
    arr = _image(image)
    if arr.dtype == np.uint8:
        return arr
    return np.clip(np.rint(arr.astype(np.float64) * 255), 0, 255).astype(np.uint8)


def grayscale(image) -> np.ndarray:
    """Collapse RGB to one plane with the luminance weights 0.299 R + 0.587 G + 0.114 B.

    Parameters
    ----------
    image : (H, W) or (H, W, 3|4) ndarray
        A 2-D image is returned unchanged.

    Returns
    -------
    (H, W) ndarray
        uint8 for uint8 input, float32 otherwise.

    Examples
    --------
    >>> grayscale(np.full((1, 1, 3), 200, dtype=np.uint8))
    array([[200]], dtype=uint8)

    Introduced in lesson 01.
    """
    arr = _image(image)
    if arr.ndim == 2:
        return arr
    if arr.shape[2] == 1:
        return arr[:, :, 0]
    weights = np.array([0.299, 0.587, 0.114], dtype=np.float32)
    gray = arr[:, :, :3].astype(np.float32) @ weights
    if arr.dtype == np.uint8:
        return np.clip(np.rint(gray), 0, 255).astype(np.uint8)
    return gray


def resize(image, max_size: int | None = None, *, height: int | None = None,
           width: int | None = None) -> np.ndarray:
    """Resize keeping the aspect ratio (area-averaging when shrinking).

    Give exactly one of ``max_size`` (longest side), ``height`` or ``width``.

    Parameters
    ----------
    image : (H, W[, C]) ndarray
    max_size, height, width : int

    Returns
    -------
    (H2, W2[, C]) ndarray, same dtype as ``image``

    Examples
    --------
    >>> resize(load("cat"), 100).shape
    (67, 100, 3)

    Introduced in lesson 01.
    """
    arr = _image(image)
    given = {k: val for k, val in (("max_size", max_size), ("height", height), ("width", width)) if val is not None}
    if len(given) != 1:
        raise ValueError(f"give exactly one of max_size, height or width, got {sorted(given) or 'none'}")
    (key, target), = given.items()
    target = v.positive_int(target, key)
    h, w = arr.shape[:2]
    if key == "max_size":
        scale = target / max(h, w)
    elif key == "height":
        scale = target / h
    else:
        scale = target / w
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    v.size_limit((new_h, new_w), 4 * (arr.shape[2] if arr.ndim == 3 else 1), f"{key}={target}",
                 "an image", MAX_PIXELS)  # counted in pixels, as for load()
    return _resize_to(arr, new_h, new_w)


def _resize_to(arr: np.ndarray, new_h: int, new_w: int) -> np.ndarray:
    from PIL import Image

    if (new_h, new_w) == arr.shape[:2]:
        return arr.copy()
    planes = arr[:, :, None] if arr.ndim == 2 else arr
    out = np.empty((new_h, new_w, planes.shape[2]), dtype=np.float32)
    for c in range(planes.shape[2]):
        plane = Image.fromarray(planes[:, :, c].astype(np.float32), mode="F")
        out[:, :, c] = np.asarray(plane.resize((new_w, new_h), Image.Resampling.BOX
                                               if new_h < arr.shape[0] else Image.Resampling.BILINEAR))
    if arr.dtype == np.uint8:
        out = np.clip(np.rint(out), 0, 255)
    out = out.astype(arr.dtype)
    return out[:, :, 0] if arr.ndim == 2 else out


#: Longest side of a drawing :func:`mnist_style` accepts (a 4096x4096 canvas at most).
MAX_DRAWING_SIDE = 4096


def _drawing(drawing) -> np.ndarray:
    """``drawing`` as float64 ink in ``[0, 255]``, after checking it (see :func:`mnist_style`)."""
    arr = v.array(drawing, "drawing", (2,), allow_bool=True)
    if max(arr.shape) > MAX_DRAWING_SIDE:
        raise ValueError(f"drawing must be at most {MAX_DRAWING_SIDE} pixels on a side, got shape {arr.shape}")
    if arr.dtype.kind == "b":
        return arr.astype(np.float64) * 255
    if arr.dtype.kind in "ui":
        if arr.min() < 0 or arr.max() > 255:
            raise ValueError(f"drawing of integers must hold values in 0..255, got {arr.min()}..{arr.max()}")
        return arr.astype(np.float64)
    if arr.min() < 0 or arr.max() > 1:
        raise ValueError(f"drawing of floats must hold values in [0, 1], got {arr.min():.4g}..{arr.max():.4g}")
    return arr.astype(np.float64) * 255


def mnist_style(drawing) -> np.ndarray:
    """A drawn digit prepared as the MNIST digits were: ink box scaled to 20 px, centred by mass in 28x28.

    The steps: crop to the bounding box of the ink (every pixel above 0); resize it,
    keeping its aspect ratio, so that its longer side is 20 pixels (area-averaging when
    shrinking); stretch its values so the brightest pixel is 255; paste it into a black
    28x28 picture where its centre of mass falls on pixel (14, 14), where the MNIST
    digits have theirs, to the nearest pixel (so within half a pixel), and never beyond the edge.

    Parameters
    ----------
    drawing : (H, W) array_like
        White (bright) ink on black, any size up to 4096 on a side: uint8 or integers
        in 0..255, floats in [0, 1], or booleans.

    Returns
    -------
    (28, 28) uint8 ndarray
        All zeros when there is no ink.

    Examples
    --------
    >>> box = np.zeros((100, 100), dtype=np.uint8)
    >>> box[10:50, 60:70] = 255                    # a bar in the top right corner
    >>> digit = mnist_style(box)
    >>> digit.shape, digit.dtype, np.nonzero(digit.any(axis=1))[0][[0, -1]].tolist()
    ((28, 28), dtype('uint8'), [5, 24])

    Introduced in lesson 07.
    """
    ink = _drawing(drawing)
    out = np.zeros((28, 28), dtype=np.uint8)
    rows, cols = np.nonzero(ink > 0)
    if rows.size == 0:
        return out
    box = ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    h, w = box.shape
    scale = 20 / max(h, w)
    patch = _resize_to(box.astype(np.float32), max(1, round(h * scale)), max(1, round(w * scale)))
    patch = np.clip(patch.astype(np.float64), 0, None)
    top = patch.max()
    if top <= 0:
        return out
    patch = np.clip(np.rint(patch * (255 / top)), 0, 255)
    mass = patch.sum()
    ys, xs = np.indices(patch.shape)
    centre = ((ys * patch).sum() / mass, (xs * patch).sum() / mass)
    ph, pw = patch.shape
    y0 = int(np.clip(np.floor(14 - centre[0] + 0.5), 0, 28 - ph))
    x0 = int(np.clip(np.floor(14 - centre[1] + 0.5), 0, 28 - pw))
    out[y0:y0 + ph, x0:x0 + pw] = patch.astype(np.uint8)
    return out
