"""Matplotlib pictures for the lessons, so a lesson cell stays one line long.

Every function draws one figure and returns the matplotlib ``Figure`` (in a
notebook, end the line with ``;`` so the figure is not shown twice). The
colour conventions are the same everywhere:

* photos are drawn as they are (uint8 RGB, or gray from 0 black to 255 white);
* maps that hold negative numbers (kernels, feature maps before ReLU) use a
  red/blue scale centred on zero: **red is positive, blue is negative, white
  is zero**;
* maps with no negative numbers use a black-to-white scale.

Examples
--------
>>> import numpy as np
>>> from cnnlab import plot
>>> fig = plot.numbers(np.arange(9).reshape(3, 3), "a tiny image")
>>> len(fig.axes)
1
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.patches import Rectangle

from . import _validate as v

__all__ = [
    "before_after",
    "conv_step",
    "curves",
    "feature_maps",
    "flatten_order",
    "forward_pass",
    "grid",
    "kernels",
    "numbers",
    "probabilities",
    "rgb_planes",
    "show",
    "windows",
    "zoom",
]

DIVERGING = "RdBu_r"  # blue negative, white zero, red positive
HIGHLIGHT = "#ffcc00"
#: colours that tell windows or channels apart
PALETTE = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324")


# ---------------------------------------------------------------- helpers


def _axes(ax, figsize):
    """Return ``(fig, ax)``: a new figure unless the caller passed ``ax``."""
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax
    if not isinstance(ax, matplotlib.axes.Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    return ax.get_figure(root=True), ax


def _title(value, name: str = "title"):
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a string or None, got {type(value).__name__}")
    return value


def _titles(titles, n: int, default=None) -> list:
    if titles is None:
        return list(default) if default is not None else [None] * n
    if isinstance(titles, str):
        raise TypeError("titles must be a list of strings, one per picture, got a single string")
    titles = list(titles)
    if len(titles) != n:
        raise ValueError(f"titles must have one entry per picture ({n}), got {len(titles)}")
    return [None if t is None else str(t) for t in titles]


def _scale(arr: np.ndarray, cmap=None, vmin=None, vmax=None, robust=False):
    """Pick colour map and limits following the module's conventions.

    ``robust`` ignores the most extreme 0.3 % of a large map, so that a few
    very strong responses do not wash out the rest of a feature map.
    """
    if arr.ndim == 3:  # colour: matplotlib wants uint8 or floats in [0, 1]
        return None, None, None
    if arr.dtype == np.uint8 and cmap is None:
        return "gray", 0 if vmin is None else vmin, 255 if vmax is None else vmax
    lo, hi = float(np.min(arr)), float(np.max(arr))
    if cmap is None:
        cmap = DIVERGING if lo < 0 else "gray"
    if robust and arr.size > 4096 and vmin is None and vmax is None:
        lo, hi = (float(q) for q in np.percentile(arr, [0.15, 99.85]))
    if cmap == DIVERGING and vmin is None and vmax is None:
        m = max(abs(lo), abs(hi)) or 1.0
        return cmap, -m, m
    if vmin is None and vmax is None and lo == hi:  # a flat map: draw it mid-gray, not black
        return cmap, lo - 1, hi + 1
    return cmap, lo if vmin is None else vmin, hi if vmax is None else vmax


def _picture(arr: np.ndarray) -> np.ndarray:
    """What ``imshow`` should draw: colour images clipped to [0, 1] if float."""
    if arr.ndim == 3:
        if arr.shape[2] == 1:
            return arr[:, :, 0]
        if arr.dtype != np.uint8:
            return np.clip(arr.astype(np.float32), 0, 1)
    return arr


def _image_array(image, name: str = "image") -> np.ndarray:
    arr = v.array(image, name, (2, 3))
    if arr.ndim == 3 and arr.shape[2] not in (1, 3, 4):
        raise ValueError(f"{name} must be (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), got shape {arr.shape}")
    return arr


def _fmt_for(arr: np.ndarray, fmt):
    if fmt is not None:
        if not isinstance(fmt, str):
            raise TypeError(f"fmt must be a format string such as '.2f', got {type(fmt).__name__}")
        return fmt
    if arr.dtype.kind in "ui" or np.all(np.mod(arr, 1) == 0):
        return ".0f"
    big = float(np.max(np.abs(arr)))
    return ".1f" if big >= 10 else ".2f"


def _text_colour(value: float, cmap, vmin: float, vmax: float) -> str:
    """Black on light cells, white on dark ones."""
    span = (vmax - vmin) or 1.0
    r, g, b, _ = plt.get_cmap(cmap)((value - vmin) / span)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def _clean(ax):
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def _box(ax, top, left, height, width, colour=HIGHLIGHT, lw=3.0, **kw):
    """Outline cells ``[top, top+height) x [left, left+width)`` of an imshow."""
    ax.add_patch(Rectangle((left - 0.5, top - 0.5), width, height, fill=False,
                           edgecolor=colour, linewidth=lw, **kw))


# ---------------------------------------------------------------- pictures


def show(image, title=None, *, ax=None, cmap=None, vmin=None, vmax=None, size=4.0, colorbar=False):
    """Draw one photo or map.

    Parameters
    ----------
    image : (H, W) or (H, W, 3) array_like
        uint8 photos are drawn as they are; float maps follow the module's
        colour conventions (red/blue around zero when there are negatives).
    title : str, optional
    ax : matplotlib Axes, optional
        Draw into this axes instead of a new figure.
    cmap, vmin, vmax : optional
        Override the colour map and its limits.
    size : float
        Width of a new figure in inches.
    colorbar : bool
        Add a colour bar (useful for feature maps).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from cnnlab import images
    >>> fig = show(images.load("cat"), "Chelsea")

    Introduced in lesson 01.
    """
    arr = _image_array(image)
    h, w = arr.shape[:2]
    fig, ax = _axes(ax, (size, size * h / w + (0.4 if title else 0)))
    cmap, vmin, vmax = _scale(_picture(arr), cmap, vmin, vmax, robust=True)
    im = ax.imshow(_picture(arr), cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.set_title(_title(title))
    if max(h, w) <= 32:  # a tiny picture: keep a thin frame so white pixels stay visible
        _clean(ax)
        for spine in ax.spines.values():
            spine.set_visible(True)
            spine.set_edgecolor("#999999")
    else:
        ax.axis("off")
    if colorbar and _picture(arr).ndim == 2:
        fig.colorbar(im, ax=ax, shrink=0.8)
    return fig


def grid(images, titles=None, *, cols=None, size=2.6, cmap=None, suptitle=None, same_scale=False):
    """Draw several photos or maps side by side (wrapping after ``cols``).

    Parameters
    ----------
    images : sequence of (H, W[, 3]) array_like
    titles : sequence of str, optional
        One per picture.
    cols : int, optional
        Pictures per row (default: all in one row up to 5).
    size : float
        Width of each panel in inches.
    cmap : str, optional
        Colour map for the 2-D pictures.
    suptitle : str, optional
        A title over the whole figure.
    same_scale : bool
        Use one colour scale for every 2-D panel so their values compare.

    Returns
    -------
    matplotlib.figure.Figure

    Introduced in lesson 01.
    """
    if isinstance(images, np.ndarray) or not isinstance(images, Sequence):
        raise TypeError("images must be a list of arrays, e.g. [cat, gray_cat]")
    if len(images) == 0:
        raise ValueError("images must hold at least one picture, got an empty list")
    arrays = [_image_array(im, f"images[{i}]") for i, im in enumerate(images)]
    titles = _titles(titles, len(arrays))
    cols = min(len(arrays), 5) if cols is None else v.positive_int(cols, "cols")
    rows = math.ceil(len(arrays) / cols)
    aspect = max(a.shape[0] / a.shape[1] for a in arrays)
    fig, axes = plt.subplots(rows, cols, figsize=(size * cols, size * aspect * rows + 0.45 * rows),
                             squeeze=False, layout="constrained")
    vmin = vmax = None
    if same_scale:
        flat = [a for a in arrays if _picture(a).ndim == 2]
        if flat:
            lo = min(float(a.min()) for a in flat)
            hi = max(float(a.max()) for a in flat)
            cmap, vmin, vmax = _scale(np.array([lo, hi]), cmap)
    for ax, arr, title in zip(axes.flat, arrays, titles):
        show(arr, title, ax=ax, cmap=cmap, vmin=vmin, vmax=vmax)
    for ax in axes.flat[len(arrays):]:
        ax.axis("off")
    if suptitle:
        fig.suptitle(_title(suptitle, "suptitle"))
    return fig


def numbers(values, title=None, *, ax=None, fmt=None, cmap=None, vmin=None, vmax=None,
            highlight=None, cell=0.55, fontsize=None):
    """Draw a small 2-D array as coloured cells with each number written in.

    Parameters
    ----------
    values : (H, W) array_like
        At most 40 x 40 (the numbers must stay readable).
    title : str, optional
    ax : matplotlib Axes, optional
    fmt : str, optional
        Format of each number (``".2f"``); integers are written without decimals.
    cmap, vmin, vmax : optional
        Colour map and limits (module conventions by default).
    highlight : (top, left, height, width) or list of them, optional
        Cells to outline in yellow, e.g. the window a kernel is on.
    cell : float
        Size of one cell in inches for a new figure.
    fontsize : float, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = numbers([[0, 255], [128, 64]], "four pixels", highlight=(0, 0, 1, 1))

    Introduced in lesson 01.
    """
    arr = v.array(values, "values", (2,))
    if max(arr.shape) > 40:
        raise ValueError(f"values must be at most 40 x 40 to write every number, got shape {arr.shape}; "
                         f"slice a small patch first")
    h, w = arr.shape
    fig, ax = _axes(ax, (max(1.6, cell * w), max(1.2, cell * h + (0.35 if title else 0))))
    cmap, lo, hi = _scale(arr, cmap, vmin, vmax)
    ax.imshow(arr, cmap=cmap, vmin=lo, vmax=hi, interpolation="nearest")
    fmt = _fmt_for(arr, fmt)
    if fontsize is None:
        cell_pt = 72 * min(ax.get_position().width * fig.get_figwidth() / w,
                           ax.get_position().height * fig.get_figheight() / h)
        chars = max(len(format(float(x), fmt)) for x in (arr.min(), arr.max()))
        fontsize = max(5.0, min(12.0, cell_pt * 1.4 / max(chars, 2.5)))
    for r in range(h):
        for c in range(w):
            val = float(arr[r, c])
            ax.text(c, r, format(val, fmt).replace("-0", "0") if val == 0 else format(val, fmt),
                    ha="center", va="center", fontsize=fontsize, color=_text_colour(val, cmap, lo, hi))
    ax.set_xticks(np.arange(-0.5, w, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, h, 1), minor=True)
    ax.grid(which="minor", color="#888888", linewidth=0.5)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    ax.set_xticks([])
    ax.set_yticks([])
    if highlight is not None:
        boxes = [highlight] if np.ndim(highlight) == 1 else list(highlight)
        for box in boxes:
            if len(box) != 4:
                raise ValueError(f"highlight must be (top, left, height, width), got {box!r}")
            _box(ax, *box)
    ax.set_title(_title(title))
    return fig


def zoom(image, row, col, size=6, *, title=None, figsize=(10, 4.6)):
    """A photo with a small square outlined, next to the numbers inside it.

    Parameters
    ----------
    image : (H, W) or (H, W, 3) array_like
    row, col : int
        Top-left pixel of the square.
    size : int
        Side of the square in pixels (at most 12 for colour, 16 for gray).
    title : str, optional
        Title of the photo panel.

    Returns
    -------
    matplotlib.figure.Figure

    Introduced in lesson 01.
    """
    arr = _image_array(image)
    size = v.positive_int(size, "size")
    row = v.nonnegative_int(row, "row")
    col = v.nonnegative_int(col, "col")
    limit = 12 if arr.ndim == 3 else 16
    if size > limit:
        raise ValueError(f"size must be at most {limit} so the numbers stay readable, got {size}")
    if row + size > arr.shape[0] or col + size > arr.shape[1]:
        raise ValueError(f"the {size}x{size} square at row {row}, col {col} does not fit in an image "
                         f"of shape {arr.shape}")
    fig, (left, right) = plt.subplots(1, 2, figsize=figsize, layout="constrained",
                                      gridspec_kw={"width_ratios": [1.3, 1]})
    show(arr, title, ax=left)
    _box(left, row, col, size, size, lw=2)
    patch = arr[row:row + size, col:col + size]
    if patch.ndim == 2 or patch.shape[2] == 1:
        numbers(patch.reshape(size, size), f"pixels [{row}:{row + size}, {col}:{col + size}]", ax=right)
    else:
        right.imshow(_picture(patch), interpolation="nearest")
        fmt = _fmt_for(patch, None)
        for r in range(size):
            for c in range(size):
                rgb = patch[r, c, :3]
                light = 0.299 * float(rgb[0]) + 0.587 * float(rgb[1]) + 0.114 * float(rgb[2])
                bright = light > (127 if patch.dtype == np.uint8 else 0.5)
                right.text(c, r, "\n".join(format(float(x), fmt) for x in rgb), ha="center", va="center",
                           fontsize=7.5 if size <= 8 else 6.5, linespacing=0.95,
                           color="black" if bright else "white")
        _clean(right)
        right.set_title(f"pixels [{row}:{row + size}, {col}:{col + size}] (red, green, blue)")
    return fig


def rgb_planes(image, *, size=3.0):
    """A colour photo next to its red, green and blue planes.

    Each plane is drawn from black (0) to full red, green or blue (255), the
    light that plane adds to the photo; stacked together they give it back.

    Parameters
    ----------
    image : (H, W, 3) array_like
    size : float
        Width of each panel in inches.

    Returns
    -------
    matplotlib.figure.Figure

    Introduced in lesson 01.
    """
    arr = _image_array(image)
    if arr.ndim != 3 or arr.shape[2] < 3:
        raise ValueError(f"image must be a colour image of shape (H, W, 3), got shape {arr.shape}; "
                         f"a grayscale image has only one plane")
    h, w = arr.shape[:2]
    fig, axes = plt.subplots(1, 4, figsize=(4 * size, size * h / w + 0.5), layout="constrained")
    show(arr[:, :, :3], "the photo", ax=axes[0])
    top = 255 if arr.dtype == np.uint8 else 1.0
    for c, (ax, name) in enumerate(zip(axes[1:], ("red", "green", "blue"))):
        colours = ["black", {"red": "#ff0000", "green": "#00ff00", "blue": "#0000ff"}[name]]
        cmap = LinearSegmentedColormap.from_list(f"cnnlab_{name}", colours)
        ax.imshow(arr[:, :, c], cmap=cmap, vmin=0, vmax=top, interpolation="nearest")
        ax.set_title(f"{name} plane  [:, :, {c}]")
        ax.axis("off")
    return fig


def before_after(before, after, titles=("before", "after"), *, size=4.0, suptitle=None,
                 show_numbers=False, same_scale=False):
    """Two pictures side by side: an input and what an operation made of it.

    Parameters
    ----------
    before, after : (H, W[, 3]) array_like
    titles : (str, str)
    size : float
        Width of each panel in inches.
    suptitle : str, optional
    show_numbers : bool
        Write every number in (for small arrays, see :func:`numbers`).
    same_scale : bool
        One colour scale for both (2-D) panels.

    Returns
    -------
    matplotlib.figure.Figure

    Introduced in lesson 02.
    """
    a = _image_array(before, "before")
    b = _image_array(after, "after")
    titles = _titles(titles, 2)
    if not show_numbers:
        return grid([a, b], titles, size=size, suptitle=suptitle, same_scale=same_scale)
    cell = 0.5
    fig, axes = plt.subplots(1, 2, figsize=(cell * (a.shape[1] + b.shape[1]) + 1.2,
                                            cell * max(a.shape[0], b.shape[0]) + 0.8),
                             layout="constrained",
                             gridspec_kw={"width_ratios": [a.shape[1], b.shape[1]]})
    cmap = lo = hi = None
    if same_scale:
        lo = min(float(a.min()), float(b.min()))
        hi = max(float(a.max()), float(b.max()))
        cmap, lo, hi = _scale(np.array([lo, hi]))
    numbers(a, titles[0], ax=axes[0], cmap=cmap, vmin=lo, vmax=hi)
    numbers(b, titles[1], ax=axes[1], cmap=cmap, vmin=lo, vmax=hi)
    if suptitle:
        fig.suptitle(_title(suptitle, "suptitle"))
    return fig


def kernels(kernels, titles=None, *, cell=0.5):
    """Draw kernels as grids of their weights (red positive, blue negative).

    Parameters
    ----------
    kernels : sequence of str or (kh, kw) array_like
        Names from :func:`cnnlab.kernels.names` or arrays.
    titles : sequence of str, optional
        Default: the names (``"kernel 0"`` ... for arrays).
    cell : float
        Size of one weight's cell in inches.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = kernels(["sobel_x", "sharpen"])

    Introduced in lesson 02.
    """
    from . import kernels as catalogue

    if isinstance(kernels, (str, np.ndarray)) or not isinstance(kernels, Sequence):
        raise TypeError('kernels must be a list of kernel names or arrays, e.g. ["sobel_x", "sharpen"]')
    if len(kernels) == 0:
        raise ValueError("kernels must hold at least one kernel, got an empty list")
    arrays, names = [], []
    for i, k in enumerate(kernels):
        if isinstance(k, str):
            arrays.append(catalogue.get(k))
            names.append(k)
        else:
            arrays.append(v.array(k, f"kernels[{i}]", (2,)))
            names.append(f"kernel {i}")
    titles = _titles(titles, len(arrays), names)
    widest = max(a.shape[1] for a in arrays)
    tallest = max(a.shape[0] for a in arrays)
    panel = max(1.5, cell * widest)
    fig, axes = plt.subplots(1, len(arrays), figsize=(panel * len(arrays), max(1.5, cell * tallest) + 0.45),
                             squeeze=False, layout="constrained")
    for ax, arr, title in zip(axes[0], arrays, titles):
        m = float(np.max(np.abs(arr))) or 1.0
        numbers(arr, title, ax=ax, cmap=DIVERGING, vmin=-m, vmax=m)
    return fig


def feature_maps(maps, titles=None, *, cols=None, size=2.4, suptitle=None, same_scale=False, limit=16):
    """Draw the channels of a feature-map stack, one panel each.

    Parameters
    ----------
    maps : (H, W) or (H, W, C) array_like
        Channels last, as :func:`cnnlab.ops.conv2d` returns them.
    titles : sequence of str, optional
        One per channel (default ``"map 0"``, ``"map 1"`` ...).
    cols : int, optional
        Panels per row (default up to 4).
    size : float
        Width of each panel in inches.
    suptitle : str, optional
    same_scale : bool
        One colour scale for every map, so their strengths compare.
    limit : int
        Draw at most this many channels.

    Returns
    -------
    matplotlib.figure.Figure

    Introduced in lesson 02.
    """
    arr = v.array(maps, "maps", (2, 3))
    if arr.ndim == 2:
        arr = arr[:, :, None]
    limit = v.positive_int(limit, "limit")
    n = min(arr.shape[2], limit)
    titles = _titles(titles, arr.shape[2], [f"map {i}" for i in range(arr.shape[2])])[:n]
    if cols is None:
        cols = min(n, 4)
    planes = [arr[:, :, i] for i in range(n)]
    return grid(planes, titles, cols=cols, size=size, suptitle=suptitle, same_scale=same_scale)


def conv_step(image, kernel, row, col, *, stride=1, padding="valid", cell=0.42):
    """One step of a convolution, the way you would do it with a pencil.

    Four panels: the input with the window outlined, the kernel, the
    element-by-element products (their sum in the title), and the whole output
    with the cell that sum fills outlined.

    Parameters
    ----------
    image : (H, W) array_like
        Small (at most 16 x 16), so every number can be written in.
    kernel : (kh, kw) array_like or str
        A kernel name or array.
    row, col : int
        Output position to explain.
    stride, padding :
        As in :func:`cnnlab.ops.conv2d`.

    Returns
    -------
    matplotlib.figure.Figure

    Introduced in lesson 02.
    """
    from . import kernels as catalogue
    from . import ops

    img = v.array(image, "image", (2,))
    k = catalogue.get(kernel) if isinstance(kernel, str) else v.array(kernel, "kernel", (2,))
    if max(img.shape) > 16:
        raise ValueError(f"image must be at most 16 x 16 to write every number, got shape {img.shape}")
    out = ops.conv2d(img, k, stride=stride, padding=padding)
    row = v.nonnegative_int(row, "row")
    col = v.nonnegative_int(col, "col")
    if row >= out.shape[0] or col >= out.shape[1]:
        raise ValueError(f"(row, col) must be inside the output of shape {out.shape}, got ({row}, {col})")
    sh, sw = v.positive_pair(stride, "stride")
    padded = ops.pad(img, k.shape, (sh, sw), padding)
    kh, kw = k.shape
    top, left = row * sh, col * sw
    window = padded[top:top + kh, left:left + kw]
    products = window * k
    total = float(products.sum())
    widths = [padded.shape[1], kw, kw, out.shape[1]]
    fig, axes = plt.subplots(1, 4, figsize=(cell * sum(widths) + 3.0, cell * max(padded.shape[0], kh) + 1.0),
                             layout="constrained", gridspec_kw={"width_ratios": widths})
    pad_note = "" if padded.shape == img.shape else " (zero padded)"
    numbers(padded, f"input{pad_note}", ax=axes[0], highlight=(top, left, kh, kw))
    numbers(k, "kernel", ax=axes[1], cmap=DIVERGING)
    numbers(products, "window × kernel", ax=axes[2], cmap=DIVERGING)
    numbers(out, f"output: [{row}, {col}] = {format(total, _fmt_for(np.array([total]), None))}",
            ax=axes[3], highlight=(row, col, 1, 1))
    axes[2].set_xlabel(f"sum = {total:.4g}")
    return fig


def windows(x, size=2, stride=None, *, mode="max", cell=0.5):
    """A small map with its pooling windows outlined, next to the pooled map.

    Each window and the output cell it becomes share a colour; with
    ``mode="max"`` the winning number in each window is written in bold.

    Parameters
    ----------
    x : (H, W) array_like
        At most 16 x 16.
    size, stride :
        As in :func:`cnnlab.ops.max_pool`.
    mode : {"max", "avg"}

    Returns
    -------
    matplotlib.figure.Figure

    Introduced in lesson 04.
    """
    from . import ops

    arr = v.array(x, "x", (2,))
    if max(arr.shape) > 16:
        raise ValueError(f"x must be at most 16 x 16 to write every number, got shape {arr.shape}")
    mode = v.choice(mode, "mode", ("max", "avg"))
    ph, pw = v.positive_pair(size, "size")
    sh, sw = v.positive_pair(stride if stride is not None else size, "stride")
    out = (ops.max_pool if mode == "max" else ops.avg_pool)(arr, (ph, pw), (sh, sw))
    fig, axes = plt.subplots(1, 2, figsize=(cell * (arr.shape[1] + max(out.shape[1], 3)) + 1.6,
                                            cell * arr.shape[0] + 0.9),
                             layout="constrained", gridspec_kw={"width_ratios": [arr.shape[1], out.shape[1]]})
    lo, hi = float(min(arr.min(), out.min())), float(max(arr.max(), out.max()))
    cmap, lo, hi = _scale(np.array([lo, hi]))
    numbers(arr, f"input {arr.shape[0]}×{arr.shape[1]}", ax=axes[0], cmap=cmap, vmin=lo, vmax=hi)
    numbers(out, f"{mode} pool {ph}×{pw}\nstride {sh}: {out.shape[0]}×{out.shape[1]}", ax=axes[1],
            cmap=cmap, vmin=lo, vmax=hi)
    overlap = sh < ph or sw < pw
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            colour = PALETTE[(r * out.shape[1] + c) % len(PALETTE)]
            inset = 0.06 + (0.08 * ((r + c) % 2) if overlap else 0.0)
            axes[0].add_patch(Rectangle((c * sw - 0.5 + inset, r * sh - 0.5 + inset), pw - 2 * inset,
                                        ph - 2 * inset, fill=False, edgecolor=colour, linewidth=2.5))
            _box(axes[1], r, c, 1, 1, colour=colour, lw=2.5)
            if mode == "max":
                win = arr[r * sh:r * sh + ph, c * sw:c * sw + pw]
                wr, wc = np.unravel_index(int(np.argmax(win)), win.shape)
                for t in axes[0].texts:
                    if t.get_position() == (c * sw + wc, r * sh + wr):
                        t.set_fontweight("bold")
    return fig


def curves(x, ys, *, title=None, xlabel="input", ylabel="output", ax=None, size=(6.0, 3.6), marker=None,
           highlight=None):
    """Plot one or more functions of the same ``x``, with the axes through zero.

    Parameters
    ----------
    x : (N,) array_like
    ys : dict of str -> (N,) array_like
        Label -> values, one line each.
    title, xlabel, ylabel : str, optional
    ax : matplotlib Axes, optional
    size : (float, float)
        Figure size for a new figure.
    marker : str, optional
        Marker for the points (``"o"``), for measured rather than drawn curves.
    highlight : str, optional
        Label of the curve to draw thick and on top; by default each line is a
        little thinner than the one before, so overlapping lines stay visible.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(-3, 3, 61)
    >>> fig = curves(x, {"relu": np.maximum(x, 0)})

    Introduced in lesson 03.
    """
    xs = v.array(x, "x", (1,))
    if not isinstance(ys, Mapping) or not ys:
        raise TypeError('ys must be a non-empty dict of label -> values, e.g. {"relu": relu(x)}')
    if highlight is not None and highlight not in ys:
        raise ValueError(f"highlight must be one of the labels {list(ys)}, got {highlight!r}")
    fig, ax = _axes(ax, size)
    for i, (label, y) in enumerate(ys.items()):
        arr = v.array(y, f"ys[{label!r}]", (1,))
        if arr.shape != xs.shape:
            raise ValueError(f"ys[{label!r}] must have the shape of x {xs.shape}, got {arr.shape}")
        if highlight is None:
            width, z = max(1.4, 3.6 - 0.6 * i), 2
        else:
            width, z = (3.6, 3) if label == highlight else (1.6, 2)
        ax.plot(xs, arr, label=str(label), linewidth=width, marker=marker, color=PALETTE[i % len(PALETTE)],
                zorder=z)
    ax.axhline(0, color="#555555", linewidth=0.8)
    ax.axvline(0, color="#555555", linewidth=0.8)
    ax.grid(alpha=0.3)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(_title(title))
    ax.legend(frameon=False)
    return fig


def probabilities(probs, labels=None, *, true_label=None, title=None, ax=None, size=(6.0, 2.8)):
    """A bar chart of class probabilities; the most likely class stands out.

    Parameters
    ----------
    probs : (K,) array_like
        Non-negative numbers, usually the output of softmax.
    labels : sequence of str, optional
        Class names (default ``"0"`` ... ``"K-1"``).
    true_label : int, optional
        Index of the right answer, marked with a star.
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Introduced in lesson 06.
    """
    p = v.array(probs, "probs", (1,))
    if (p < 0).any():
        raise ValueError("probs must be non-negative; pass probabilities (softmax output), not raw scores")
    labels = [str(i) for i in range(p.size)] if labels is None else [str(s) for s in labels]
    if len(labels) != p.size:
        raise ValueError(f"labels must have one name per probability ({p.size}), got {len(labels)}")
    fig, ax = _axes(ax, size)
    best = int(np.argmax(p))
    colours = ["#bbbbbb"] * p.size
    colours[best] = PALETTE[2]
    ax.bar(range(p.size), p, color=colours)
    ax.set_xticks(range(p.size), labels)
    ax.set_ylim(0, max(1.0, float(p.max())) * 1.12)
    ax.set_ylabel("probability")
    ax.text(best, float(p[best]) + 0.02, f"{float(p[best]):.2f}", ha="center", va="bottom", fontsize=9)
    if true_label is not None:
        t = v.nonnegative_int(true_label, "true_label")
        if t >= p.size:
            raise ValueError(f"true_label must be below {p.size}, got {t}")
        ax.plot([t], [max(1.0, float(p.max())) * 1.06], marker="*", markersize=12, color=PALETTE[0])
        ax.get_xticklabels()[t].set_fontweight("bold")
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(_title(title))
    return fig


def flatten_order(maps, *, cell=0.42):
    """Show where every number of a small stack lands in the flat vector.

    Top: each channel as a grid of numbers, framed in its own colour. Bottom:
    the vector :func:`cnnlab.ops.flatten` makes, each entry framed in the colour
    of the channel it came from, with its index under it.

    Parameters
    ----------
    maps : (H, W) or (H, W, C) array_like
        At most 48 numbers in all, at most 8 channels.

    Returns
    -------
    matplotlib.figure.Figure

    Introduced in lesson 05.
    """
    arr = v.array(maps, "maps", (2, 3))
    if arr.ndim == 2:
        arr = arr[:, :, None]
    h, w, c = arr.shape
    if arr.size > 48 or c > len(PALETTE):
        raise ValueError(f"maps must hold at most 48 numbers in at most {len(PALETTE)} channels to draw "
                         f"every entry, got shape {arr.shape}")
    flat = arr.reshape(-1)
    fmt = _fmt_for(arr, None)
    fig = plt.figure(figsize=(max(cell * flat.size + 1.0, c * (cell * w + 0.8)), cell * h + 2.3),
                     layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[cell * h + 0.6, 1.5])
    axes = top.subplots(1, c, squeeze=False)[0]
    lo, hi = float(arr.min()), float(arr.max())
    cmap, lo, hi = _scale(np.array([lo, hi]))
    for k, ax in enumerate(axes):
        numbers(arr[:, :, k], f"channel {k}  [:, :, {k}]", ax=ax, fmt=fmt, cmap=cmap, vmin=lo, vmax=hi)
        for spine in ax.spines.values():
            spine.set_visible(True)
            spine.set_edgecolor(PALETTE[k])
            spine.set_linewidth(3)
    ax = bottom.subplots()
    ax.imshow(flat[None, :], cmap=cmap, vmin=lo, vmax=hi, aspect="equal", interpolation="nearest")
    for i, val in enumerate(flat):
        k = i % c
        ax.text(i, 0, format(float(val), fmt), ha="center", va="center", fontsize=8,
                color=_text_colour(float(val), cmap, lo, hi))
        _box(ax, 0, i, 1, 1, colour=PALETTE[k], lw=2.5)
        ax.text(i, 0.95, str(i), ha="center", va="top", fontsize=6.5, color="#444444")
    _clean(ax)
    ax.set_title(f"flatten: {h}×{w}×{c} → {flat.size} numbers (row by row, channels fastest)")
    return fig


def forward_pass(stages, *, size=2.1, labels=None):
    """Draw what each layer of a CNN hands to the next, left to right.

    Parameters
    ----------
    stages : sequence of (title, array)
        ``(H, W)`` or ``(H, W, 1|3)`` arrays are drawn as pictures, ``(H, W, C)``
        stacks as their first four maps, long vectors as a coloured strip and
        the last short vector (at most 20 numbers) as a bar chart.
    size : float
        Width of each column in inches.
    labels : sequence of str, optional
        Class names for the bar chart.

    Returns
    -------
    matplotlib.figure.Figure

    Introduced in lesson 06.
    """
    if isinstance(stages, Mapping):
        stages = list(stages.items())
    if not isinstance(stages, Sequence) or not stages:
        raise TypeError("stages must be a non-empty list of (title, array) pairs")
    items = []
    for i, stage in enumerate(stages):
        if not (isinstance(stage, tuple) and len(stage) == 2 and isinstance(stage[0], str)):
            raise TypeError(f"stages[{i}] must be a (title, array) pair, got {type(stage).__name__}")
        items.append((stage[0], v.array(stage[1], f"stages[{i}]", (1, 2, 3))))
    fig = plt.figure(figsize=(size * len(items), size * 2.2), layout="constrained")
    cols = fig.subfigures(1, len(items), wspace=0.02)
    cols = np.atleast_1d(cols)
    for sub, (title, arr) in zip(cols, items):
        shape = "×".join(str(s) for s in arr.shape)
        if arr.ndim == 1 and arr.size <= 20:
            ax = sub.subplots()
            probabilities(np.clip(arr, 0, None), labels, ax=ax, title=None)
            ax.set_ylabel("")
        elif arr.ndim == 1:
            pad_l, ax, pad_r = sub.subplots(1, 3, width_ratios=[1, 0.45, 1])
            pad_l.axis("off")
            pad_r.axis("off")
            cmap, lo, hi = _scale(arr)
            ax.imshow(arr[:, None], cmap=cmap, vmin=lo, vmax=hi, aspect="auto", interpolation="nearest")
            _clean(ax)
        elif arr.ndim == 2 or arr.shape[2] in (1, 3):
            ax = sub.subplots()
            show(arr, None, ax=ax)
        else:
            n = min(arr.shape[2], 4)
            axes = sub.subplots(n, 1, squeeze=False)[:, 0]
            for k, ax in enumerate(axes):
                show(arr[:, :, k], None, ax=ax)
                ax.text(1.02, 0.5, str(k), transform=ax.transAxes, fontsize=7, va="center")
            if arr.shape[2] > n:
                shape += f"\n(first {n} maps)"
        sub.suptitle(f"{title}\n{shape}", fontsize=9)
    return fig
