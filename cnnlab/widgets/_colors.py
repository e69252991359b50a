"""Where the widgets' colour convention used to live; it is :mod:`cnnlab._colors` now (plot shares it)."""

from .._colors import *
from .._colors import __all__  # noqa: F401
