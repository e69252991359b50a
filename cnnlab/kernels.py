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

import numpy as np

from . import _validate as v

__all__ = ["KERNELS", "describe", "get", "names", "parse"]


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
    v.choice(name, "name", names())
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

    Parameters
    ----------
    text : str
        For example ``"-1 0 1; -2 0 2; -1 0 1"`` (commas also separate values).
    name : str
        The argument name used in error messages.

    Returns
    -------
    (rows, cols) float32 ndarray

    Examples
    --------
    >>> parse("1 2; 3 4").tolist()
    [[1.0, 2.0], [3.0, 4.0]]
    """
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a string of numbers, got {type(text).__name__}")
    rows = [r.replace(",", " ").split() for r in text.replace("\n", ";").split(";")]
    rows = [r for r in rows if r]
    if not rows:
        raise ValueError(f"{name} is empty: type rows of numbers separated by ';', e.g. '1 0 -1; 2 0 -2; 1 0 -1'")
    widths = {len(r) for r in rows}
    if len(widths) != 1:
        raise ValueError(f"{name} rows must all have the same number of values, got {sorted(widths)}")
    try:
        values = [[float(x) for x in r] for r in rows]
    except ValueError:
        bad = next(x for r in rows for x in r if not _is_float(x))
        raise ValueError(f"{name} must contain only numbers, {bad!r} is not a number") from None
    return v.array(np.array(values, dtype=np.float32), name, (2,))


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
