"""The small models that ship inside cnnlab, stored so that any supported Keras can read them.

A ``.keras`` file holds the architecture as Keras saw it on the day it was saved, and an older
Keras may not read what a newer one wrote (a layer's config gains an argument, and the old
loader refuses it). So the shipped models are stored as *weights only*: a NumPy ``.npz`` file
with one array per variable, keyed by layer and variable name (``"conv1/kernel"``). The network
itself is built in code (:func:`~cnnlab.training.build_model`,
:func:`cnnlab.detection.face_classifier`), and the file's arrays are checked against it, name
by name and shape by shape, before they are trusted. Reading the file runs no code: NumPy
loads it with pickles refused.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

__all__ = ["MAX_WEIGHTS_BYTES", "digits_model_path", "load_digits_model", "load_weights", "save_weights"]

#: ``cnnlab/data``: this module sits in ``cnnlab/training/``, one level below the package root.
_DATA_DIR = Path(__file__).resolve().parents[1] / "data"

#: the largest weights file :func:`load_weights` reads (the shipped ones are under 200 KB)
MAX_WEIGHTS_BYTES = 64 * 2**20


def digits_model_path() -> Path:
    """Where the weights of the digits model shipped with cnnlab live (``cnnlab/data/digits.weights.npz``)."""
    return _DATA_DIR / "digits.weights.npz"


def load_digits_model():
    """The small digits model shipped inside cnnlab, trained with the course recipe.

    It was trained by ``scripts/train_digits_model.py`` on the 4,000 offline
    training digits only, and scores at least 97 % on the 1,000 offline test
    digits. The network is built by ``build_model("course")`` and its weights
    are read from :func:`digits_model_path` by :func:`load_weights` (no code in
    the file is run), so every Keras the course supports loads it.

    Returns
    -------
    keras.Sequential
        Takes uint8 digits ``(N, 28, 28)``, gives ``(N, 10)`` probabilities; the
        layers are those of ``build_model("course")``.

    Introduced in lesson 07.
    """
    from .recipes import build_model

    path = digits_model_path()
    if not path.is_file():
        raise FileNotFoundError(f"the shipped digits model is missing at {path}; "
                                f"run scripts/train_digits_model.py to make it")
    return load_weights(build_model("course"), path)


def _weights_by_path(model) -> dict[str, object]:
    """``model``'s variables keyed ``"layer/variable"`` (``"conv1/kernel"``), in ``model.weights`` order.

    Built from layer and variable names rather than Keras's own ``variable.path``, which depends on
    how the model was made (a loaded model and a freshly built one differ).
    """
    by_variable = {}
    for layer in model.layers:
        for variable in layer.weights:
            key = f"{layer.name}/{variable.name}"
            if key in by_variable.values():
                raise ValueError(f"model has two weights named {key!r}; give its layers distinct names")
            by_variable[id(variable)] = key
    variables = {}
    for variable in model.weights:
        if id(variable) not in by_variable:
            raise ValueError(f"model's weight {variable.name!r} belongs to no layer of its own")
        variables[by_variable[id(variable)]] = variable
    return variables


def save_weights(model, path) -> Path:
    """Write ``model``'s weights (no optimizer state, no architecture) to the ``.npz`` file ``path``.

    What the scripts that make the shipped models use. The file is written next to ``path`` and
    then moved there, so an interrupted save never leaves a broken file behind, and a symbolic
    link at ``path`` is replaced, never written through.

    Parameters
    ----------
    model : keras.Model
        A built model whose layers have distinct names.
    path : str or path-like
        The file to write, ending in ``.npz``; its folder is made if needed.

    Returns
    -------
    Path
        ``path``.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or path-like ending in .npz, got {type(path).__name__}")
    path = Path(path)
    if path.suffix != ".npz":
        raise ValueError(f"path must end in .npz, got {str(path)!r}")
    arrays = {name: np.asarray(variable.numpy()) for name, variable in _weights_by_path(model).items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as folder:
        temporary = Path(folder) / "weights.npz"
        np.savez(temporary, **arrays)
        os.replace(temporary, path)
    return path


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    """The arrays of the weights file ``path``, after its size and zip directory are checked."""
    size = path.stat().st_size
    if size > MAX_WEIGHTS_BYTES:
        raise ValueError(f"{path} is {size:,} bytes, more than the {MAX_WEIGHTS_BYTES:,} a weights file may have")
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValueError(f"{path} is not a readable weights file ({type(exc).__name__}: {exc})") from None
    if unpacked > MAX_WEIGHTS_BYTES:
        raise ValueError(f"{path} unpacks to {unpacked:,} bytes, more than the {MAX_WEIGHTS_BYTES:,} allowed")
    try:
        with np.load(path, allow_pickle=False) as stored:
            return {name: stored[name] for name in stored.files}
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ValueError(f"{path} is not a readable weights file ({type(exc).__name__}: {exc})") from None


def load_weights(model, path):
    """Set ``model``'s weights from the ``.npz`` file ``path`` that :func:`save_weights` wrote.

    Every variable of ``model`` must be in the file under its path, with its shape, as finite
    float32 numbers, and the file may hold nothing else; otherwise nothing is changed and a
    ``ValueError`` says what differs.

    Parameters
    ----------
    model : keras.Model
        Built with the same layers (and layer names) as the model that was saved.
    path : str or path-like
        A regular ``.npz`` file of at most :data:`MAX_WEIGHTS_BYTES`.

    Returns
    -------
    keras.Model
        ``model``, with the stored weights.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or path-like to an .npz file, got {type(path).__name__}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no weights file at {path}")
    stored = _read_npz(path)
    variables = _weights_by_path(model)
    missing = [name for name in variables if name not in stored]
    extra = [name for name in stored if name not in variables]
    if missing or extra:
        raise ValueError(f"{path} does not fit this model: missing {missing or 'nothing'}, "
                         f"not in the model {extra or 'nothing'}")
    for name, variable in variables.items():
        array = stored[name]
        if tuple(array.shape) != tuple(variable.shape):
            raise ValueError(f"{path}: {name} has shape {array.shape}, the model needs {tuple(variable.shape)}")
        if array.dtype != np.float32 or not np.all(np.isfinite(array)):
            raise ValueError(f"{path}: {name} must hold finite float32 numbers, got {array.dtype}")
    model.set_weights([stored[name] for name in variables])
    return model
