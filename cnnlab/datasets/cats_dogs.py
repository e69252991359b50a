"""Cats and dogs: the photos of the classic Keras cats-vs-dogs tutorial, an optional online extra.

Nothing in the course needs them. With a network connection,
:func:`load_cats_dogs` downloads the tutorial's 2,000 + 1,000 photo archive
(about 68 MB) once per call, keeps it in memory (nothing is written to disk),
and decodes a few photos of each class; offline it says so in one sentence.
"""

from __future__ import annotations

import io
import re
import time
import zipfile

import numpy as np

from .. import _net
from .. import _validate as v

__all__ = ["CATS_DOGS_CLASSES", "CATS_DOGS_URL", "load_cats_dogs"]

CATS_DOGS_URL = "https://storage.googleapis.com/mledu-datasets/cats_and_dogs_filtered.zip"
CATS_DOGS_CLASSES = ("cat", "dog")
#: the archive is about 68 MB; a larger answer is not the tutorial's archive
MAX_ARCHIVE_BYTES = 80 * 2**20
#: a whole download on a slow classroom connection
DOWNLOAD_DEADLINE = 180.0
#: one photo in the archive is at most a few hundred KB
MAX_PHOTO_BYTES = 4 * 2**20
#: and at most about 500 x 500 pixels; a larger one is refused from its header, before decoding
MAX_PHOTO_PIXELS = 4_000_000
MAX_PER_CLASS = 1000
_MEMBER = re.compile(r"^cats_and_dogs_filtered/(train|validation)/(cats|dogs)/[A-Za-z0-9_.]+\.jpg$")


def load_cats_dogs(per_class=100, size=64, *, source="auto"):
    """Cats and dogs photos as arrays, or None (with one sentence) when they cannot be downloaded.

    Parameters
    ----------
    per_class : int
        Photos of each class in the training part (at most 1,000); the
        validation part gets half as many (at most 500).
    size : int
        Side of the square each photo is cropped (centre) and resized to, 16 to 256.
    source : {"auto", "online"}
        ``"auto"`` returns None and prints one sentence when offline or the
        download fails; ``"online"`` raises ``ConnectionError`` instead.

    Returns
    -------
    ((x_train, y_train), (x_val, y_val)) or None
        ``x`` uint8 ``(N, size, size, 3)``; ``y`` uint8, 0 for a cat and 1 for a dog
        (:data:`CATS_DOGS_CLASSES`).

    Examples
    --------
    >>> pets = load_cats_dogs(per_class=50)          # doctest: +SKIP
    >>> if pets is not None:                          # doctest: +SKIP
    ...     (x_train, y_train), (x_val, y_val) = pets

    Introduced in lesson 07b.
    """
    per_class = v.positive_int(per_class, "per_class")
    if per_class > MAX_PER_CLASS:
        raise ValueError(f"per_class must be at most {MAX_PER_CLASS} (the archive's training photos per class), "
                         f"got {per_class}")
    size = v.positive_int(size, "size")
    if not 16 <= size <= 256:
        raise ValueError(f"size must be between 16 and 256 pixels, got {size}")
    source = v.choice(source, "source", ("auto", "online"))
    try:
        started = time.monotonic()
        archive = _net.fetch(CATS_DOGS_URL, deadline=DOWNLOAD_DEADLINE, max_bytes=MAX_ARCHIVE_BYTES,
                             instead="the lessons need no download: every other data set ships with the course")
        return photos_from_archive(archive, per_class, size, deadline=started + DOWNLOAD_DEADLINE)
    except (ConnectionError, ValueError) as exc:
        if source == "online":
            raise ConnectionError(str(exc)) from None
        print(f"Cats and dogs are an online extra and could not be loaded ({_first_sentence(exc)}); "
              f"everything else in the course works without them.")
        return None


def photos_from_archive(archive: bytes, per_class: int, size: int, deadline: float | None = None):
    """Decode ``per_class`` training and ``per_class // 2`` validation photos of each class from the zip bytes.

    Only members named as in the tutorial's archive are read (no other path, no link, nothing above
    :data:`MAX_PHOTO_BYTES` or, from its header, :data:`MAX_PHOTO_PIXELS`); nothing is extracted to
    disk. ``deadline`` (a ``time.monotonic()`` value) ends the decoding with a ``ValueError`` once
    passed, so download and decoding together keep the download's total deadline.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as zf:
            members = sorted((info for info in zf.infolist() if _MEMBER.match(info.filename)
                              and not info.is_dir() and 0 < info.file_size <= MAX_PHOTO_BYTES),
                             key=lambda info: info.filename)
            parts = {"train": per_class, "validation": max(1, per_class // 2)}
            return tuple(_part(zf, members, part, count, size, deadline) for part, count in parts.items())
    except zipfile.BadZipFile as exc:
        raise ValueError(f"the download is not a valid zip archive ({exc})") from None


def _part(zf: zipfile.ZipFile, members, part: str, count: int, size: int, deadline: float | None):
    photos, labels = [], []
    for label, folder in enumerate(("cats", "dogs")):
        chosen = [m for m in members if m.filename.split("/")[1:3] == [part, folder]][:count]
        if not chosen:
            raise ValueError(f"the archive has no {part} photos of {folder}")
        for info in chosen:
            if deadline is not None and time.monotonic() > deadline:
                raise ValueError(f"decoding the archive's photos took past the {DOWNLOAD_DEADLINE:g} s the "
                                 f"download may take in all")
            photos.append(_square(_decode(zf.read(info), info.filename), size))
            labels.append(label)
    return np.stack(photos), np.array(labels, dtype=np.uint8)


def _decode(data: bytes, name: str) -> np.ndarray:
    from .. import images

    arr = images._decode(io.BytesIO(data), name, max_pixels=MAX_PHOTO_PIXELS)
    return arr if arr.ndim == 3 else np.repeat(arr[:, :, None], 3, axis=2)


def _square(photo: np.ndarray, size: int) -> np.ndarray:
    """Centre crop to a square, then resize to ``(size, size, 3)`` uint8."""
    from .. import images

    h, w = photo.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    return images.to_uint8(images.resize(photo[top:top + side, left:left + side], height=size))


def _first_sentence(exc: BaseException) -> str:
    text = str(exc).strip().split(". ")[0].rstrip(".")
    return v.shorten(text, 200)
