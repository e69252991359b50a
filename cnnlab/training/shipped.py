"""The small digits model that ships inside cnnlab, so a lesson can use a trained model without training one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from . import _common

__all__ = ["digits_model_path", "load_digits_model", "save_without_optimizer"]

#: ``cnnlab/data``: this module sits in ``cnnlab/training/``, one level below the package root.
_DATA_DIR = Path(__file__).resolve().parents[1] / "data"


def digits_model_path() -> Path:
    """Where the digits model shipped with cnnlab lives (``cnnlab/data/digits.keras``)."""
    return _DATA_DIR / "digits.keras"


def load_digits_model():
    """The small digits model shipped inside cnnlab, trained with the course recipe.

    It was trained by ``scripts/train_digits_model.py`` on the 4,000 offline
    training digits only, and scores at least 97 % on the 1,000 offline test
    digits. Loaded with Keras' safe mode on (no code inside the file is run).

    Returns
    -------
    keras.Sequential
        Takes uint8 digits ``(N, 28, 28)``, gives ``(N, 10)`` probabilities; the
        layers are those of ``build_model("course")``.

    Introduced in lesson 07.
    """
    path = digits_model_path()
    if not path.is_file():
        raise FileNotFoundError(f"the shipped digits model is missing at {path}; "
                                f"run scripts/train_digits_model.py to make it")
    keras = _common.keras()
    return keras.saving.load_model(path, compile=False, safe_mode=True)


def save_without_optimizer(model, fresh, path) -> Path:
    """Save ``model``'s weights in ``fresh``, an uncompiled model with the same layers, at ``path``.

    What the scripts that make the shipped models use: the file holds no optimizer state (it stays
    small), and it is written next to ``path`` and then moved there, so an interrupted save never
    leaves a broken model behind.

    Parameters
    ----------
    model : keras.Model
        The trained model.
    fresh : keras.Model
        A new model with the same layers (its weights are overwritten).
    path : str or path-like
        The ``.keras`` file to write; its folder is made if needed.

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    fresh.set_weights(model.get_weights())
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as folder:
        temporary = Path(folder) / path.name
        fresh.save(temporary)
        os.replace(temporary, path)
    return path
