"""Named 3x3 (and 5x5) kernels, each with one line on what it detects.

A kernel is a small grid of weights. Slid over an image with
:func:`cnnlab.ops.conv2d`, it lights up wherever the image looks like the
pattern the weights describe. Hand-made kernels like these are what image
editors have used for decades; a CNN learns its own.

Examples
--------
>>> from cnnlab import kernels
>>> kernels.get("sobel_x")
array([[-1.,  0.,  1.],
       [-2.,  0.,  2.],
       [-1.,  0.,  1.]], dtype=float32)
"""

from __future__ import annotations

import re

import numpy as np

from . import _validate as v

__all__ = ["KERNELS", "MAX_TEXT_LENGTH", "describe", "get", "names", "parse", "read"]

MAX_TEXT_LENGTH = 2000
"""Longest typed kernel :func:`parse` reads, in characters (a 15 x 15 kernel of ``-0.125`` fits)."""

_MAX_NUMBER_LENGTH = 40  # characters in one typed number such as -0.0001234e-12
_FLOAT32_MAX = float(np.finfo(np.float32).max)
# One plain decimal number. Linear: no two parts can match the same characters.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# Minus signs people paste or that the widget displays: U+2212 MINUS SIGN, U+FE63, U+FF0D.
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\ufe63": "-", "\uff0d": "-"})


def _gaussian(size: int, sigma: float) -> list[list[float]]:
    ax = np.arange(size) - (size - 1) / 2
    g = np.exp(-(ax[:, None] ** 2 + ax[None, :] ** 2) / (2 * sigma**2))
    return (g / g.sum()).tolist()


#: name -> (weights, what the kernel does)
KERNELS: dict[str, tuple[list[list[float]], str]] = {
    "identity": ([[0, 0, 0], [0, 1, 0], [0, 0, 0]],
                 "copies the image unchanged: only the centre pixel counts"),
    "box_blur": ([[1 / 9] * 3] * 3,
                 "blurs by averaging each pixel with its 8 neighbours"),
    "gaussian": (_gaussian(5, 1.0),
                 "blurs smoothly, weighting near neighbours more than far ones (5x5, sigma 1)"),
    "sharpen": ([[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
                "sharpens by boosting each pixel against its neighbours"),
    "sobel_x": ([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
                "detects vertical edges: brightness rising from left to right"),
    "sobel_y": ([[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
                "detects horizontal edges: brightness rising from top to bottom"),
    "prewitt_x": ([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],
                  "detects vertical edges, like sobel_x without the extra centre weight"),
    "laplacian": ([[0, 1, 0], [1, -4, 1], [0, 1, 0]],
                  "detects edges in every direction: responds where brightness changes sharply"),
    "outline": ([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
                "outlines shapes: large wherever a pixel differs from all its neighbours"),
    "emboss": ([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
               "gives a raised, 3-D look by lighting edges from the top left"),
    "diagonal": ([[2, -1, -1], [-1, 2, -1], [-1, -1, 2]],
                 "detects lines running from the top left to the bottom right"),
    "horizontal_line": ([[-1, -1, -1], [2, 2, 2], [-1, -1, -1]],
                        "detects thin horizontal lines one pixel wide"),
}


def names() -> list[str]:
    """Names that :func:`get` accepts.

    Examples
    --------
    >>> names()[:3]
    ['identity', 'box_blur', 'gaussian']
    """
    return list(KERNELS)


def get(name: str) -> np.ndarray:
    """The kernel called ``name`` as a new float32 array.

    Parameters
    ----------
    name : str
        One of :func:`names`.

    Returns
    -------
    (k, k) float32 ndarray
        A fresh copy: changing it does not change the catalogue.

    Introduced in lesson 02.
    """
    v.choice(name, "name", names())  # a near miss says "did you mean 'sobel_x'?"
    return np.array(KERNELS[name][0], dtype=np.float32)


def describe(name: str) -> str:
    """One line on what the kernel ``name`` detects or does.

    Examples
    --------
    >>> describe("sobel_x")
    'detects vertical edges: brightness rising from left to right'
    """
    v.choice(name, "name", names())
    return KERNELS[name][1]


def parse(text: str, name: str = "kernel") -> np.ndarray:
    """Read a kernel typed by a person, rows separated by ``;`` or new lines.

    Values are separated by spaces or commas; each is a decimal number
    (``-2``, ``0.5``, ``1e-3``) or a fraction (``1/9``). The minus sign
    ``−`` that the widgets display is read as ``-``. Reading is linear in the
    length of ``text``, which may be at most :data:`MAX_TEXT_LENGTH` characters.

    Parameters
    ----------
    text : str
        For example ``"-1 0 1; -2 0 2; -1 0 1"`` or ``"1/9 1/9 1/9; ..."``.
    name : str
        The argument name used in error messages.

    Returns
    -------
    (rows, cols) float32 ndarray

    Examples
    --------
    >>> parse("1 2; 3 4").tolist()
    [[1.0, 2.0], [3.0, 4.0]]
    >>> parse("1/4 −1/2").tolist()
    [[0.25, -0.5]]
    """
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a string of numbers, got {type(text).__name__}")
    if len(text) > MAX_TEXT_LENGTH:
        raise ValueError(f"{name} is {len(text):,} characters long; typed kernels may be at most "
                         f"{MAX_TEXT_LENGTH:,} characters")
    text = text.translate(_MINUS_SIGNS)
    rows = [r.replace(",", " ").split() for r in text.replace("\n", ";").split(";")]
    rows = [r for r in rows if r]
    if not rows:
        raise ValueError(f"{name} is empty: type rows of numbers separated by ';', e.g. '1 0 -1; 2 0 -2; 1 0 -1'")
    widths = {len(r) for r in rows}
    if len(widths) != 1:
        raise ValueError(f"{name} rows must all have the same number of values, got {sorted(widths)}")
    values = [[_value(token, name) for token in row] for row in rows]
    return np.array(values, dtype=np.float32)


def _shorten(token: str, keep: int = 24) -> str:
    """``token`` itself, or its start and end around ``...`` when it is long (for messages)."""
    return token if len(token) <= keep else f"{token[:keep // 2]}...{token[-keep // 2:]}"


def _number(token: str, whole: str, name: str) -> float:
    """One plain decimal number of a typed kernel, as a float."""
    if len(token) > _MAX_NUMBER_LENGTH or not _NUMBER.fullmatch(token):
        raise ValueError(f"{name} must contain only numbers such as -2, 0.5 or 1/9; "
                         f"{_shorten(whole)!r} is not a number")
    return float(token)


def _value(token: str, name: str) -> float:
    """A typed value, ``"-2"`` or ``"1/9"``, checked to fit a float32."""
    numerator, slash, denominator = token.partition("/")
    value = _number(numerator, token, name)
    if slash:
        divisor = _number(denominator, token, name)
        if divisor == 0:
            raise ValueError(f"{name} value {token!r} divides by zero")
        value = value / divisor
    if not abs(value) <= _FLOAT32_MAX:  # also catches 1e400, which float() reads as inf
        raise ValueError(f"{name} value {_shorten(token)!r} is too large: kernel values must lie between "
                         f"-3.4e38 and 3.4e38 (float32)")
    return value


def read(text: str, name: str = "kernel") -> tuple[str, np.ndarray]:
    """A kernel from what a person typed: a name from :func:`names` or numbers for :func:`parse`.

    Parameters
    ----------
    text : str
        ``"sobel_x"`` or ``"-1 0 1; -2 0 2; -1 0 1"``.
    name : str
        The argument name used in error messages.

    Returns
    -------
    (label, (rows, cols) float32 ndarray)
        ``label`` is the kernel's name, or ``"custom"`` for typed numbers.

    Examples
    --------
    >>> read("sharpen")[0], read("1 2; 3 4")[0]
    ('sharpen', 'custom')
    """
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a kernel name or typed numbers, got {type(text).__name__}")
    stripped = text.strip()
    if stripped in KERNELS:
        return stripped, get(stripped)
    if len(stripped) <= 100 and not any(c.isdigit() for c in stripped):
        hint = v.did_you_mean(stripped, names()) or f"the names are {', '.join(names())}"
        raise ValueError(f"{name} must be a kernel name or numbers typed like '-1 0 1; -2 0 2; -1 0 1', "
                         f"got {stripped!r}: {hint}")
    return "custom", parse(text, name)
