"""cnnlab: the helper package of an interactive course on convolutional neural networks.

``import cnnlab`` stays light (no TensorFlow); submodules are loaded on first use::

    import cnnlab
    cnnlab.ops.conv2d(image, kernel)
    cnnlab.images.load("cat")
    cnnlab.doctor()
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# Every name here is a module that exists (tests/test_package.py imports each one).
__all__ = [
    "__version__",
    "animate",
    "datasets",
    "demo",
    "detection",
    "doctor",
    "exercises",
    "images",
    "kernels",
    "models",
    "ops",
    "plot",
    "segmentation",
    "training",
    "widgets",
]
_SUBMODULES = tuple(name for name in __all__ if name not in ("__version__", "doctor"))


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name == "doctor":
        from ._doctor import doctor
        return doctor
    raise AttributeError(f"module 'cnnlab' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
