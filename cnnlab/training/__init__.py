"""Training digits classifiers (being split into topic modules; see recipes.py)."""

from .recipes import *  # noqa: F403
from .recipes import __all__, N_CLASSES, _digits, _labels  # noqa: F401
