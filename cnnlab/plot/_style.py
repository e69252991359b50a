"""What every plot helper shares: figures and titles, and the colour convention of :mod:`cnnlab._colors`.

A 2-D map is drawn as the RGB colours :func:`cnnlab._colors.to_rgb_array` gives
it, with the limits :func:`cnnlab._colors.limits` picks: exactly the colours a
widget gives the same values. The image also carries a matplotlib colour map
and limits made from the same mapping, so a colour bar (the legend) reads right
and ``image.get_clim()`` tells the limits.
"""

from __future__ import annotations

import re

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Rectangle

from .. import _colors
from .. import _validate as v

#: name of the colour map of signed maps: blue negative, white zero, red positive
DIVERGING = "cnnlab_diverging"
#: name of the colour map of non-negative maps: black to white
GRAY = "cnnlab_gray"
#: the window outline, the widgets' colour
HIGHLIGHT = "#{:02x}{:02x}{:02x}".format(*_colors.WINDOW_RGB)
#: colours that tell windows or channels apart
PALETTE = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324")
_CONVENTION = (None, DIVERGING, GRAY)
_LEGEND_STEPS = 511
#: largest size, in inches, of one panel (``size``), one cell (``cell``) and a whole figure side
MAX_PANEL_INCHES = 20.0
MAX_CELL_INCHES = 2.0
MAX_FIGURE_INCHES = 60.0
#: longest title drawn, in characters
MAX_TITLE_CHARS = 300
#: most panels across (``cols``)
MAX_COLS = 20


def inches(value, name: str, most: float = MAX_PANEL_INCHES) -> float:
    """``value`` as a size in inches: a real number more than 0 and at most ``most``."""
    size = v.finite_number(value, name)
    if not 0 < size <= most:
        raise ValueError(f"{name} must be more than 0 and at most {most:g} inches, got {size:g}")
    return size


def figure_size(value, name: str = "figsize") -> tuple[float, float]:
    """``(width, height)`` in inches, each more than 0 and at most :data:`MAX_FIGURE_INCHES`."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise TypeError(f"{name} must be a pair (width, height) in inches, got {value!r:.40}")
    return inches(value[0], name, MAX_FIGURE_INCHES), inches(value[1], name, MAX_FIGURE_INCHES)


def clamped(width: float, height: float) -> tuple[float, float]:
    """A computed figure size kept within :data:`MAX_FIGURE_INCHES` (a very tall or wide picture)."""
    return min(float(width), MAX_FIGURE_INCHES), min(float(height), MAX_FIGURE_INCHES)


def limit(value, name: str):
    """``None`` or a finite number (a colour limit such as ``vmin``)."""
    return None if value is None else v.finite_number(value, name)


def flag(value, name: str) -> bool:
    """``True`` or ``False``, never a truthy string."""
    return v.boolean(value, name)


def columns(value, count: int, name: str = "cols") -> int:
    """``value`` as a number of panels across: from 1 to :data:`MAX_COLS` (``count`` if None)."""
    if value is None:
        return count
    cols = v.positive_int(value, name)
    if cols > MAX_COLS:
        raise ValueError(f"{name} must be between 1 and {MAX_COLS}, got {cols}")
    return cols


def number_format(value, name: str = "fmt") -> str:
    """``value`` if it formats a real number, like ``".2f"``, ``"g"`` or ``"+.1e"``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a format string such as '.2f', got {type(value).__name__}")
    if len(value) > 12 or re.search(r"\d{3,}", value):
        raise ValueError(f"{name} must be a short format such as '.2f' or '.0f', got {value!r:.40}")
    try:
        format(-1.5, value)
    except (ValueError, TypeError):
        hint = " ('d' is for whole numbers; use '.0f')" if value.endswith(("d", "n", "c", "b", "o", "x", "X")) else ""
        raise ValueError(f"{name} must be a format for real numbers such as '.2f', '.0f' or 'g', "
                         f"got {value!r}{hint}") from None
    return value


def axes(ax, figsize):
    """Return ``(fig, ax)``: a new figure unless the caller passed ``ax``."""
    if ax is None:
        fig, ax = plt.subplots(figsize=clamped(*figsize), layout="constrained")
        return fig, ax
    if not isinstance(ax, matplotlib.axes.Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    return ax.get_figure(root=True), ax


def title(value, name: str = "title"):
    """``value`` if it is a string (at most :data:`MAX_TITLE_CHARS` characters) or None."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a string or None, got {type(value).__name__}")
    if value is not None and len(value) > MAX_TITLE_CHARS:
        raise ValueError(f"{name} must be at most {MAX_TITLE_CHARS} characters, got {len(value):,}")
    return value


def titles_for(titles, n: int, default=None) -> list:
    """One title (or None) per picture."""
    if titles is None:
        return list(default) if default is not None else [None] * n
    if isinstance(titles, str):
        raise TypeError("titles must be a list of strings, one per picture, got a single string")
    if not hasattr(titles, "__iter__"):
        raise TypeError(f"titles must be a list of strings, one per picture, got {type(titles).__name__}")
    titles = list(titles)
    if len(titles) != n:
        raise ValueError(f"titles must have one entry per picture ({n}), got {len(titles)}")
    return [None if t is None else title(str(t), f"titles[{i}]") for i, t in enumerate(titles)]


def picture(arr: np.ndarray) -> np.ndarray:
    """What ``imshow`` should draw: ``(H, W, 1)`` as 2-D, colour floats clipped to [0, 1]."""
    if arr.ndim == 3:
        if arr.shape[2] == 1:
            return arr[:, :, 0]
        if arr.dtype != np.uint8:
            return np.clip(arr.astype(np.float32), 0, 1)
    return arr


def image_array(image, name: str = "image") -> np.ndarray:
    """A checked photo or map: ``(H, W)``, ``(H, W, 1)``, ``(H, W, 3)`` or ``(H, W, 4)``."""
    arr = v.array(image, name, (2, 3))
    if arr.ndim == 3 and arr.shape[2] not in (1, 3, 4):
        raise ValueError(f"{name} must be (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), got shape {arr.shape}")
    return arr


def stack_of_maps(maps, name: str = "maps") -> np.ndarray:
    """A checked ``(H, W)`` or ``(H, W, C)`` map as ``(H, W, C)``."""
    arr = v.array(maps, name, (2, 3))
    return arr[:, :, None] if arr.ndim == 2 else arr


def map_limits(arr: np.ndarray, vmin=None, vmax=None) -> tuple[float, float]:
    """Colour limits: the given ones, ``(0, 255)`` for a uint8 photo, else :func:`cnnlab._colors.limits`."""
    vmin, vmax = limit(vmin, "vmin"), limit(vmax, "vmax")
    auto = (0.0, 255.0) if arr.dtype == np.uint8 else _colors.limits(arr)
    return (auto[0] if vmin is None else float(vmin)), (auto[1] if vmax is None else float(vmax))


def shared_limits(arrays) -> tuple[float, float]:
    """One pair of limits for several maps, so that their colours compare."""
    lo = min(float(np.min(a)) for a in arrays)
    hi = max(float(np.max(a)) for a in arrays)
    return _colors.limits(np.array([lo, hi]))


def legend_cmap(vmin: float, vmax: float) -> ListedColormap:
    """The colour map of the convention between ``vmin`` and ``vmax``, for colour bars."""
    values = np.linspace(vmin, vmax, _LEGEND_STEPS)
    name = DIVERGING if vmin < 0 else GRAY
    return ListedColormap(_colors.to_rgb_array(values, vmin, vmax) / 255.0, name=name)


def number_text(value: float, fmt: str) -> str:
    """``value`` written with ``fmt``, never as a minus zero: -0.001 with ``".2f"`` gives ``"0.00"``.

    Examples
    --------
    >>> number_text(-0.0, ".0f"), number_text(-0.004, ".2f"), number_text(-0.5, ".1f")
    ('0', '0.00', '-0.5')
    """
    text = format(float(value), fmt)
    if text.startswith("-") and float(text) == 0:
        return text[1:]
    return text


def panel_pixels(ax) -> tuple[int, int]:
    """About how many screen pixels ``ax`` covers, ``(rows, cols)``, at the figure's dpi."""
    fig = ax.get_figure(root=True)
    box = ax.get_position()
    return (max(int(box.height * fig.get_figheight() * fig.dpi), 1),
            max(int(box.width * fig.get_figwidth() * fig.dpi), 1))


def strongest(arr: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """``arr`` shrunk to at most about ``rows`` x ``cols``: each block keeps its value of largest magnitude.

    Drawing a large map in a small panel skips most pixels, so a line one pixel
    thin (an edge) comes and goes. Keeping the strongest value of each block
    keeps every line, with its sign. A map that already fits is returned as it is.

    Parameters
    ----------
    arr : (H, W) ndarray
    rows, cols : int
        The panel's size in screen pixels.

    Returns
    -------
    (ceil(H / f), ceil(W / f)) ndarray
        with ``f = max(ceil(H / rows), ceil(W / cols))``.
    """
    h, w = arr.shape
    f = max(-(-h // rows), -(-w // cols))
    if f <= 1:
        return arr
    x = np.asarray(arr, dtype=np.float64)
    x = np.pad(x, ((0, -h % f), (0, -w % f)))          # zeros never beat a real value
    blocks = x.reshape(x.shape[0] // f, f, x.shape[1] // f, f).transpose(0, 2, 1, 3)
    blocks = blocks.reshape(blocks.shape[0], blocks.shape[1], f * f)
    pick = np.abs(blocks).argmax(axis=2)
    return np.take_along_axis(blocks, pick[..., None], axis=2)[..., 0]


def draw(ax, arr: np.ndarray, cmap=None, vmin=None, vmax=None, keep_lines=False, **kwargs):
    """``imshow`` a photo or a map following the convention; returns the ``AxesImage``.

    Colour photos are drawn as they are. A 2-D map is drawn as
    ``_colors.to_rgb_array(arr, vmin, vmax)`` unless ``cmap`` names another matplotlib colour map.
    With ``keep_lines``, a 2-D map larger than the panel is first shrunk with
    :func:`strongest`, so thin edges stay visible; the limits still come from the whole map.
    """
    arr = picture(arr)
    kwargs.setdefault("interpolation", "nearest")
    if arr.ndim == 3:
        return ax.imshow(arr, **kwargs)
    lo, hi = map_limits(arr, vmin, vmax)
    if keep_lines:
        extent = (-0.5, arr.shape[1] - 0.5, arr.shape[0] - 0.5, -0.5)
        arr = strongest(arr, *panel_pixels(ax))
        kwargs.setdefault("extent", extent)
    if cmap not in _CONVENTION:
        return ax.imshow(arr, cmap=cmap, vmin=lo, vmax=hi, **kwargs)
    image = ax.imshow(_colors.to_rgb_array(arr, lo, hi), **kwargs)
    image.set_cmap(legend_cmap(lo, hi))
    image.set_clim(lo, hi)
    return image


def text_colour(value: float, cmap, vmin: float, vmax: float) -> str:
    """Black on light cells, white on dark ones."""
    if cmap in _CONVENTION:
        r, g, b = (c / 255 for c in _colors.to_rgb(value, vmin, vmax))
    else:
        span = (vmax - vmin) or 1.0
        r, g, b, _ = plt.get_cmap(cmap)((value - vmin) / span)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def fmt_for(arr: np.ndarray, fmt):
    """The format to write ``arr``'s numbers with: ``fmt``, else ``.0f`` / ``.1f`` / ``.2f``."""
    if fmt is not None:
        return number_format(fmt)
    if arr.dtype.kind in "ui" or np.all(np.mod(arr, 1) == 0):
        return ".0f"
    big = float(np.max(np.abs(arr)))
    return ".1f" if big >= 10 else ".2f"


def colour_bar(fig, image, ax, data: np.ndarray):
    """A colour bar for ``image``; its ends are arrows when ``data`` goes past the limits (clipped)."""
    lo, hi = image.get_clim()
    below, above = float(np.min(data)) < lo, float(np.max(data)) > hi
    extend = {(True, True): "both", (True, False): "min", (False, True): "max"}.get((below, above), "neither")
    return fig.colorbar(image, ax=ax, shrink=0.8, extend=extend)


def clean(ax):
    """No ticks, no frame."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def box(ax, top, left, height, width, colour=HIGHLIGHT, lw=3.0, **kw):
    """Outline cells ``[top, top+height) x [left, left+width)`` of an imshow."""
    ax.add_patch(Rectangle((left - 0.5, top - 0.5), width, height, fill=False,
                           edgecolor=colour, linewidth=lw, **kw))
