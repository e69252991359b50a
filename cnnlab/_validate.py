"""Input checks shared by every public function.

Each check either returns a cleaned value or raises ``TypeError`` /
``ValueError`` whose message starts with the argument's name and says what
was expected, for example ``"kernel must be 2-D, 3-D or 4-D, got shape (3,)"``.
Learners read these messages, so they are written for people, not for stack
traces.
"""

from __future__ import annotations

import difflib
import numbers
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = [
    "array",
    "axis",
    "boolean",
    "choice",
    "class_labels",
    "closest",
    "did_you_mean",
    "finite_number",
    "ndim_text",
    "no_nan",
    "nonnegative_int",
    "padding",
    "positive_int",
    "positive_number",
    "positive_pair",
    "probability",
    "size_limit",
]


def ndim_text(ndims: Sequence[int]) -> str:
    """Return ``"2-D"``, ``"2-D or 3-D"`` or ``"2-D, 3-D or 4-D"``."""
    words = [f"{n}-D" for n in ndims]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _dtype_problem(arr: np.ndarray) -> str | None:
    kind = arr.dtype.kind
    if kind == "b":
        return "booleans"
    if kind == "c":
        return "complex numbers"
    if kind in "OUSV":
        return "numbers"
    if kind in "mM":
        return "numbers, not dates or times"
    return None


def array(
    value,
    name: str,
    ndims: Sequence[int] | None = None,
    *,
    allow_bool: bool = False,
    allow_empty: bool = False,
    finite: bool = True,
) -> np.ndarray:
    """Return ``value`` as a numeric ndarray after checking it.

    Parameters
    ----------
    value : array_like
        What the caller passed.
    name : str
        The argument's name, used in error messages.
    ndims : sequence of int, optional
        Allowed numbers of dimensions; ``None`` allows any.
    allow_bool : bool
        Accept boolean arrays (masks) instead of rejecting them.
    allow_empty : bool
        Accept arrays with no elements.
    finite : bool
        Reject NaN and infinity.

    Returns
    -------
    ndarray
        The same data; never copied unless ``value`` was not an array.

    Examples
    --------
    >>> array([[1, 2], [3, 4]], "image", (2, 3)).shape
    (2, 2)
    """
    if value is None:
        raise TypeError(f"{name} must be an array of numbers, got None")
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got a string {value!r:.40}")
    if isinstance(value, (dict, set)):
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be a rectangular array of numbers ({exc})") from None
    problem = _dtype_problem(arr)
    if problem == "booleans" and allow_bool:
        problem = None
    if problem is not None:
        raise TypeError(f"{name} must hold {'' if problem.startswith('numbers') else 'real numbers, not '}"
                        f"{problem}, got dtype {arr.dtype}")
    if ndims is not None and arr.ndim not in ndims:
        raise ValueError(f"{name} must be {ndim_text(ndims)}, got shape {arr.shape}")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if finite and arr.dtype.kind == "f" and not np.isfinite(arr).all():
        bad = "NaN" if np.isnan(arr).any() else "infinity"
        raise ValueError(f"{name} must contain only finite numbers, found {bad}")
    return arr


def no_nan(arr: np.ndarray, name: str) -> np.ndarray:
    """Raise if a float array holds NaN or infinity; return it unchanged."""
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{name} must contain only finite numbers, found NaN or infinity")
    return arr


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def positive_int(value, name: str) -> int:
    """Return ``value`` as an ``int`` if it is a whole number of at least 1."""
    if not _is_int(value):
        raise TypeError(f"{name} must be a positive int, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {value}")
    return int(value)


def nonnegative_int(value, name: str) -> int:
    """Return ``value`` as an ``int`` if it is a whole number of at least 0."""
    if not _is_int(value):
        raise TypeError(f"{name} must be a non-negative int, got {type(value).__name__} {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be a non-negative int, got {value}")
    return int(value)


def positive_pair(value, name: str) -> tuple[int, int]:
    """Return ``(rows, cols)`` from one positive int or a pair of them."""
    if _is_int(value):
        v = positive_int(value, name)
        return v, v
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
        items = tuple(value)
        if len(items) == 2:
            return positive_int(items[0], name), positive_int(items[1], name)
        raise ValueError(f"{name} must be a positive int or a pair of them, got {len(items)} values")
    raise TypeError(f"{name} must be a positive int or a pair of them, got {type(value).__name__} {value!r}")


def padding(value, name: str = "padding") -> str | int:
    """Return ``"valid"``, ``"same"`` or a non-negative int."""
    if isinstance(value, str):
        low = value.lower()
        if low in ("valid", "same"):
            return low
        raise ValueError(f'{name} must be "valid", "same" or a non-negative int, got {value!r}')
    if _is_int(value):
        return nonnegative_int(value, name)
    raise TypeError(f'{name} must be "valid", "same" or a non-negative int, got {type(value).__name__} {value!r}')


def closest(value: str, choices: Sequence[str]) -> str | None:
    """The one of ``choices`` that ``value`` is most likely a typo of, or ``None``.

    Examples
    --------
    >>> closest("sobelx", ["sobel_x", "sobel_y", "identity"])
    'sobel_x'
    >>> closest("zzz", ["cat", "dog"]) is None
    True
    """
    matches = _best_matches(value, choices)
    return matches[0] if matches else None


def _best_matches(value, choices: Sequence[str]) -> list[str]:
    """The choices most similar to ``value`` (all of them when tied), best first."""
    if not isinstance(value, str) or len(value) > 100:  # difflib is quadratic: keep it short
        return []
    matches = difflib.get_close_matches(value.lower(), list(choices), n=3, cutoff=0.6)
    if not matches:
        return []
    score = [difflib.SequenceMatcher(None, value.lower(), m).ratio() for m in matches]
    order = list(choices)
    return sorted((m for m, r in zip(matches, score) if r == score[0]), key=order.index)


def did_you_mean(value, choices: Sequence[str]) -> str | None:
    """``"did you mean 'cat'?"`` (or ``'sobel_x' or 'sobel_y'`` when tied), ``None`` if nothing is close.

    Examples
    --------
    >>> did_you_mean("sobel", ["sobel_x", "sobel_y", "identity"])
    "did you mean 'sobel_x' or 'sobel_y'?"
    """
    matches = _best_matches(value, choices)
    return f"did you mean {' or '.join(map(repr, matches))}?" if matches else None


def choice(value, name: str, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``choices``.

    A near miss gets ``did you mean 'cat'?``; anything else lists the choices.

    Examples
    --------
    >>> choice("max", "mode", ("max", "avg"))
    'max'
    """
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {', '.join(map(repr, choices))}; "
                        f"got {type(value).__name__}")
    if value not in choices:
        hint = did_you_mean(value, choices)
        if hint is not None:
            raise ValueError(f"{name} must be one of the {len(choices)} known names; got {value!r}: {hint}")
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r:.60}")
    return value


def boolean(value, name: str) -> bool:
    """Return ``value`` if it is ``True`` or ``False`` (NumPy booleans too), never a truthy string."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r:.40}")


def axis(value, name: str, ndim: int) -> int:
    """Return ``value`` as an axis index valid for an array of ``ndim`` dimensions.

    Examples
    --------
    >>> axis(-1, "axis", 2)
    -1
    """
    if not _is_int(value):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r:.40}")
    if not -ndim <= value < ndim:
        raise ValueError(f"{name} must be an int in [{-ndim}, {ndim - 1}], got {value}")
    return int(value)


def finite_number(value, name: str) -> float:
    """Return ``value`` as a float if it is a finite real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return float(value)


def positive_number(value, name: str, maximum: float | None = None) -> float:
    """Return ``value`` as a float if it is finite, above 0 and (if given) at most ``maximum``."""
    v = finite_number(value, name)
    if v <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    if maximum is not None and v > maximum:
        raise ValueError(f"{name} must be at most {maximum:g}, got {value}")
    return v


def probability(value, name: str) -> float:
    """Return ``value`` as a float in ``[0, 1]``."""
    v = finite_number(value, name)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1, got {value}")
    return v


def _bytes_text(n_bytes: float) -> str:
    """``16.0 TB`` style, for error messages."""
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if n_bytes < 1000:
            return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1000
    return f"{n_bytes:.1f} PB"


def size_limit(shape, itemsize: int, blame: str, what: str, limit: int) -> None:
    """Raise ``ValueError`` naming ``blame`` when an array of ``shape`` would hold more than ``limit`` numbers.

    Called before allocating, with the shape computed in Python ints (which
    cannot overflow), so a typo like ``padding=10**6`` costs nothing.

    Examples
    --------
    >>> size_limit((10, 10), 4, "padding=3", "a padded input", 1000)
    >>> size_limit((2000, 2000), 4, "padding=999", "a padded input", 1000)
    Traceback (most recent call last):
    ...
    ValueError: padding=999 would make a padded input of 2000 x 2000 (4,000,000 numbers, 16.0 MB); the limit is 1,000 numbers, so use a smaller padding
    """
    count = 1
    for n in shape:
        count *= int(n)
    if count > limit:
        dims = " x ".join(str(int(n)) for n in shape)
        raise ValueError(f"{blame} would make {what} of {dims} ({count:,} numbers, "
                         f"{_bytes_text(count * itemsize)}); the limit is {limit:,} numbers, "
                         f"so use a smaller {blame.split('=')[0]}")


def shorten(text: str, limit: int) -> str:
    """``text`` on one line and at most ``limit`` characters, cut between words and never inside brackets.

    Examples
    --------
    >>> shorten("Could not download it (a server error, then a timeout); try later", 40)
    'Could not download it\u2026'
    >>> shorten("short enough", 40)
    'short enough'
    """
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut:
        cut = cut[:cut.rindex(" ")]
    depth, last_outside = 0, len(cut)
    for index, char in enumerate(cut):       # drop a bracket left open by the cut, and what follows it
        if char in "([{":
            if depth == 0:
                last_outside = index
            depth += 1
        elif char in ")]}" and depth:
            depth -= 1
    if depth:
        cut = cut[:last_outside]
    return cut.rstrip(" ,;:(") + "\u2026"


def one_line(exc: BaseException, limit: int = 300) -> str:
    """``exc``'s message on one line, at most ``limit`` characters (its class name if it has none):
    how a command-line error or a status line under a widget reports a failure. A long message is cut
    between words, never inside brackets (:func:`shorten`)."""
    return shorten(str(exc), limit) or type(exc).__name__


def class_labels(value, name: str, n_images: int, classes: int) -> np.ndarray:
    """``value`` as int64 ``(N,)`` class numbers in ``0 .. classes - 1``, one per image.

    Examples
    --------
    >>> class_labels([1.0, 0.0, 9.0], "labels", 3, 10)
    array([1, 0, 9])
    """
    arr = array(value, name, (1,))
    if len(arr) != n_images:
        raise ValueError(f"{name} must have one label per image ({n_images}), got {len(arr)}")
    if arr.dtype.kind == "f" and not np.array_equal(arr, np.round(arr)):
        bad = arr[arr != np.round(arr)][0]
        raise ValueError(f"{name} must hold whole class numbers 0 to {classes - 1}, found {bad}")
    if arr.min() < 0 or arr.max() >= classes:
        bad = arr.min() if arr.min() < 0 else arr.max()
        raise ValueError(f"{name} must hold class numbers 0 to {classes - 1}, found {bad:g}")
    return arr.astype(np.int64)
