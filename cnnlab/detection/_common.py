"""What the detection modules share: the lazy Keras import."""

from __future__ import annotations

import os


def _keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    return keras
