"""The one lazy import of Keras: ``import cnnlab`` and its light modules never start TensorFlow.

Every module that builds or runs a network calls :func:`keras` inside the function that needs it.
"""

from __future__ import annotations

import os

__all__ = ["keras"]


def keras():
    """The ``keras`` module, imported on first use with TensorFlow's start-up messages off."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras as module

    return module
