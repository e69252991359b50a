"""What the detection modules share: the lazy Keras import."""

from __future__ import annotations

from .._lazy import keras as _keras  # noqa: F401 - the detection modules call _common._keras()
