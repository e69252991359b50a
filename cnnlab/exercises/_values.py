"""Reading a learner's answer safely: bounded shapes, numbers, text.

Everything here treats the answer as hostile: a list of ten million numbers,
an object whose ``__repr__`` is huge, a ragged list. Shapes are read without
converting anything, numbers are converted only when their count is the one
expected, and every piece of text that ends up in the feedback is clipped.
"""

from __future__ import annotations

import inspect
import io
import math
import reprlib
import tokenize

import numpy as np

from .. import ops

#: the most numbers an answer of unknown shape may hold before it is refused unread
MAX_UNKNOWN_SIZE = 100_000

_REPR = reprlib.Repr()
_REPR.maxstring = 40
_REPR.maxother = 40
_REPR.maxlist = _REPR.maxtuple = 8
_REPR.maxlevel = 3


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    left_out = f" ... ({len(text) - limit} more characters)"
    return text[: max(limit - len(left_out), 0)] + left_out


def short(value) -> str:
    """A short description of any value, at most 80 characters (arrays by their shape)."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    try:
        text = _REPR.repr(value)
    except Exception:  # noqa: BLE001 - a learner's object whose __repr__ fails
        text = f"a {type(value).__name__}"
    return clip(text, 80)


def describe(exc: BaseException) -> str:
    """``"KeyError: 'oops'"`` for an exception, clipped to 300 characters."""
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - an exception whose __str__ fails
        text = ""
    name = type(exc).__name__
    return clip(f"{name}: {text}" if text else name, 300)


def shape_of(value) -> tuple[int, ...] | None:
    """The shape ``np.asarray(value)`` would have, read without converting anything.

    Lists are measured along their first items, so a ragged list may report a
    shape that conversion later refuses. Strings and other non-numbers give None.
    """
    shape = getattr(value, "shape", None)
    if isinstance(value, np.ndarray) or (isinstance(shape, tuple) and all(isinstance(n, int) for n in shape)):
        return tuple(shape)
    if isinstance(value, (bool, int, float, np.number)):
        return ()
    dims = []
    while isinstance(value, (list, tuple)) and len(dims) < 8:
        dims.append(len(value))
        if not value:
            break
        value = value[0]
    return tuple(dims) if dims else None


def shape_text(value) -> str:
    """``"shape (3, 4)"`` or the kind of value when it has no shape."""
    shape = shape_of(value)
    return f"shape {shape}" if shape is not None else f"a {type(value).__name__}"


def numbers(value, shape: tuple[int, ...] | None = None) -> np.ndarray | None:
    """``value`` as a float64 array, or None when it is not numbers of that ``shape``.

    The shape (or, when ``shape`` is None, the size) is checked before any
    conversion, so a huge answer costs nothing.
    """
    found = shape_of(value)
    if found is None:
        return None
    if shape is not None and found != tuple(shape):
        return None
    if shape is None and math.prod(found) > MAX_UNKNOWN_SIZE:
        return None
    try:
        arr = np.asarray(value)
        if arr.dtype == object or arr.dtype.kind not in "biuf":
            return None
        return arr.astype(np.float64)
    except Exception:  # noqa: BLE001 - ragged lists, objects that refuse conversion
        return None


def same(value, target, atol: float = 1e-6) -> bool:
    """True when ``value`` holds the numbers of ``target`` (same shape, within ``atol``)."""
    target = np.asarray(target, dtype=np.float64)
    arr = numbers(value, target.shape)
    return arr is not None and bool(np.allclose(arr, target, atol=atol, rtol=1e-6))


def first_difference(arr: np.ndarray, target) -> tuple[tuple[int, ...], str]:
    """Where ``arr`` first differs from ``target`` (same shape), and a sentence saying so."""
    target = np.asarray(target, dtype=np.float64)
    bad = np.argwhere(~np.isclose(arr, target, atol=1e-6))
    index = tuple(int(i) for i in bad[0]) if len(bad) else ()
    where = f"[{', '.join(map(str, index))}]" if index else "the result"
    return index, f"at {where} the answer is {target[index]:.4g}, yours is {arr[index]:.4g}"


def window_text(array_name: str, cell: tuple[int, ...], size, stride) -> str:
    """The slice of ``array_name`` that output ``cell`` reads, e.g. ``"x[2:4, 4:6]"``."""
    top, left, height, width = ops.window(cell[0], cell[1], size, stride)
    return f"{array_name}[{top}:{top + height}, {left}:{left + width}]"


def as_int(value) -> int | None:
    """``value`` as a Python int when it is a whole number (not a bool), else None."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
        return int(value)
    if isinstance(value, np.ndarray) and value.size == 1:
        return as_int(value.reshape(()).item())
    return None


def as_number(value) -> float | None:
    """``value`` as a finite-or-not float when it is one number, else None."""
    if isinstance(value, (bool, np.bool_)) or shape_of(value) not in ((), (1,)):
        return None
    try:
        return float(np.asarray(value, dtype=np.float64).reshape(()))
    except Exception:  # noqa: BLE001 - not a number after all
        return None


def int_tuple(value, most: int = 8) -> tuple[int, ...] | None:
    """``value`` as a tuple of at most ``most`` whole numbers, or None."""
    shape = shape_of(value)
    if shape is None or len(shape) != 1 or shape[0] > most:
        return None
    items = tuple(as_int(item) for item in value)
    return None if None in items else items


def contains_ellipsis(value, depth: int = 0) -> bool:
    """True for ``...`` itself or a small list / tuple / object array that still holds one."""
    if value is Ellipsis:
        return True
    if depth > 4:
        return False
    if isinstance(value, np.ndarray):
        return value.dtype == object and value.size <= 1000 and any(contains_ellipsis(x, depth + 1)
                                                                   for x in value.flat)
    if isinstance(value, (list, tuple)) and len(value) <= 1000:
        return any(contains_ellipsis(x, depth + 1) for x in value)
    return False


def has_ellipsis(fn) -> bool:
    """True if the function's source still contains a literal ``...`` (an untouched skeleton)."""
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        return False
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return "..." in source
    return any(t.type == tokenize.OP and t.string == "..." for t in tokens)
