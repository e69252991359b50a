"""Any data set of this package as PNG files, one folder per class, for Keras' directory readers.

Writes only into folders it made (a marker file says so), never through a
symbolic link, and checks the target before any data is loaded.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import numpy as np

from .. import _validate as v
from ._split import split
from .faces import FACE_CLASSES, load_faces
from .mnist import MNIST_CLASSES, MNIST_SOURCES, _mnist_5k, load_mnist
from .shapes import SHAPE_CLASSES, _single_shapes

__all__ = ["MARKER_NAME", "to_image_folder"]

DATASETS = ("mnist", "faces", "shapes")


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

    Introduced in lesson 07b.
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
