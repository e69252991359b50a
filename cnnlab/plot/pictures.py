"""Pictures of photos, maps and kernels: one photo, a grid, numbers written in cells, colour planes."""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap

from .. import _validate as v
from . import _style as st

__all__ = ["before_after", "feature_maps", "grid", "kernels", "numbers", "rgb_planes", "show", "zoom"]


def show(image, title=None, *, ax=None, cmap=None, vmin=None, vmax=None, size=4.0, colorbar=False,
         keep_lines=False):
    """Draw one photo or map.

    Parameters
    ----------
    image : (H, W) or (H, W, 3) array_like
        uint8 photos are drawn as they are; other maps follow the module's
        colour convention (red/blue around zero when there are negatives), the widgets' colours.
    title : str, optional
    ax : matplotlib Axes, optional
        Draw into this axes instead of a new figure.
    cmap, vmin, vmax : optional
        Override the colour map and its limits.
    size : float
        Width of a new figure in inches.
    colorbar : bool
        Add a colour bar (useful for feature maps); its ends are arrows when
        the strongest values are clipped to the limits.
    keep_lines : bool
        For a map larger than the panel (an edge map): draw the strongest value of
        each block of pixels, so lines one pixel thin do not vanish.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from cnnlab import images
    >>> fig = show(images.load("cat"), "Chelsea")

    Introduced in lesson 01.
    """
    arr = st.image_array(image)
    size = st.inches(size, "size")
    title = st.title(title)
    colorbar = st.flag(colorbar, "colorbar")
    keep_lines = st.flag(keep_lines, "keep_lines")
    h, w = arr.shape[:2]
    fig, ax = st.axes(ax, (size, size * h / w + (0.4 if title else 0)))
    im = st.draw(ax, arr, cmap, vmin, vmax, keep_lines=keep_lines)
    ax.set_title(title)
    if max(h, w) <= 32:  # a tiny picture: keep a thin frame so white pixels stay visible
        st.clean(ax)
        for spine in ax.spines.values():
            spine.set_visible(True)
            spine.set_edgecolor("#999999")
    else:
        ax.axis("off")
    if colorbar and st.picture(arr).ndim == 2:
        st.colour_bar(fig, im, ax, arr)
    return fig


def grid(images, titles=None, *, cols=None, size=2.6, cmap=None, suptitle=None, same_scale=False,
         colorbar=False, keep_lines=False):
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
    colorbar, keep_lines : bool
        As in :func:`show`, for every 2-D panel.

    Returns
    -------
    matplotlib.figure.Figure

    Introduced in lesson 01.
    """
    if isinstance(images, np.ndarray) or not isinstance(images, Sequence):
        raise TypeError("images must be a list of arrays, e.g. [cat, gray_cat]")
    if len(images) == 0:
        raise ValueError("images must hold at least one picture, got an empty list")
    if len(images) > st.MAX_COLS * st.MAX_COLS:
        raise ValueError(f"images must hold at most {st.MAX_COLS * st.MAX_COLS} pictures, got {len(images)}")
    arrays = [st.image_array(im, f"images[{i}]") for i, im in enumerate(images)]
    titles = st.titles_for(titles, len(arrays))
    cols = st.columns(cols, min(len(arrays), 5))
    size = st.inches(size, "size")
    suptitle = st.title(suptitle, "suptitle")
    same_scale = st.flag(same_scale, "same_scale")
    colorbar = st.flag(colorbar, "colorbar")
    keep_lines = st.flag(keep_lines, "keep_lines")
    rows = math.ceil(len(arrays) / cols)
    aspect = max(a.shape[0] / a.shape[1] for a in arrays)
    width = size * cols * (1.2 if colorbar else 1.0)
    fig, axes = plt.subplots(rows, cols, figsize=st.clamped(width, size * aspect * rows + 0.45 * rows),
                             squeeze=False, layout="constrained")
    vmin = vmax = None
    if same_scale:
        flat = [a for a in arrays if st.picture(a).ndim == 2]
        if flat:
            vmin, vmax = st.shared_limits(flat)
    for ax, arr, title in zip(axes.flat, arrays, titles):
        show(arr, title, ax=ax, cmap=cmap, vmin=vmin, vmax=vmax, colorbar=colorbar, keep_lines=keep_lines)
    for ax in axes.flat[len(arrays):]:
        ax.axis("off")
    if suptitle:
        fig.suptitle(suptitle)
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
    title = st.title(title)
    cell = st.inches(cell, "cell", st.MAX_CELL_INCHES)
    fmt = st.fmt_for(arr, fmt)
    if fontsize is not None:
        fontsize = st.inches(fontsize, "fontsize", 72)  # points, not inches: at most 72
    fig, ax = st.axes(ax, (max(1.6, cell * w), max(1.2, cell * h + (0.35 if title else 0))))
    lo, hi = st.map_limits(arr, vmin, vmax)
    st.draw(ax, arr, cmap, lo, hi)
    if fontsize is None:
        cell_pt = 72 * min(ax.get_position().width * fig.get_figwidth() / w,
                           ax.get_position().height * fig.get_figheight() / h)
        chars = max(len(st.number_text(x, fmt)) for x in (arr.min(), arr.max()))
        fontsize = max(5.0, min(12.0, cell_pt * 1.4 / max(chars, 2.5)))
    for r in range(h):
        for c in range(w):
            val = float(arr[r, c])
            ax.text(c, r, st.number_text(val, fmt), ha="center", va="center", fontsize=fontsize, color=st.text_colour(val, cmap, lo, hi))
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
            st.box(ax, *box)
    ax.set_title(title)
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
    arr = st.image_array(image)
    size = v.positive_int(size, "size")
    title = st.title(title)
    figsize = st.figure_size(figsize)
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
    st.box(left, row, col, size, size, lw=2)
    patch = arr[row:row + size, col:col + size]
    if patch.ndim == 2 or patch.shape[2] == 1:
        numbers(patch.reshape(size, size), f"pixels [{row}:{row + size}, {col}:{col + size}]", ax=right)
    else:
        right.imshow(st.picture(patch), interpolation="nearest")
        fmt = st.fmt_for(patch, None)
        for r in range(size):
            for c in range(size):
                rgb = patch[r, c, :3]
                light = 0.299 * float(rgb[0]) + 0.587 * float(rgb[1]) + 0.114 * float(rgb[2])
                bright = light > (127 if patch.dtype == np.uint8 else 0.5)
                right.text(c, r, "\n".join(st.number_text(x, fmt) for x in rgb), ha="center", va="center",
                           fontsize=7.5 if size <= 8 else 6.5, linespacing=0.95,
                           color="black" if bright else "white")
        st.clean(right)
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
    arr = st.image_array(image)
    if arr.ndim != 3 or arr.shape[2] < 3:
        raise ValueError(f"image must be a colour image of shape (H, W, 3), got shape {arr.shape}; "
                         f"a grayscale image has only one plane")
    size = st.inches(size, "size")
    h, w = arr.shape[:2]
    fig, axes = plt.subplots(1, 4, figsize=st.clamped(4 * size, size * h / w + 0.5), layout="constrained")
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
                 show_numbers=False, same_scale=False, colorbar=False, keep_lines=False):
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
    colorbar, keep_lines : bool
        As in :func:`show` (not with ``show_numbers``, where every number is written).

    Returns
    -------
    matplotlib.figure.Figure

    Introduced in lesson 02.
    """
    a = st.image_array(before, "before")
    b = st.image_array(after, "after")
    titles = st.titles_for(titles, 2)
    size = st.inches(size, "size")
    suptitle = st.title(suptitle, "suptitle")
    if not st.flag(show_numbers, "show_numbers"):
        return grid([a, b], titles, size=size, suptitle=suptitle, same_scale=same_scale, colorbar=colorbar,
                    keep_lines=keep_lines)
    cell = 0.5
    fig, axes = plt.subplots(1, 2, figsize=st.clamped(cell * (a.shape[1] + b.shape[1]) + 1.2,
                                                      cell * max(a.shape[0], b.shape[0]) + 0.8),
                             layout="constrained",
                             gridspec_kw={"width_ratios": [a.shape[1], b.shape[1]]})
    lo, hi = st.shared_limits([a, b]) if st.flag(same_scale, "same_scale") else (None, None)
    numbers(a, titles[0], ax=axes[0], vmin=lo, vmax=hi)
    numbers(b, titles[1], ax=axes[1], vmin=lo, vmax=hi)
    if suptitle:
        fig.suptitle(suptitle)
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
    from .. import kernels as catalogue

    if isinstance(kernels, (str, np.ndarray)) or not isinstance(kernels, Sequence):
        raise TypeError('kernels must be a list of kernel names or arrays, e.g. ["sobel_x", "sharpen"]')
    if not 0 < len(kernels) <= st.MAX_COLS:
        raise ValueError(f"kernels must hold between 1 and {st.MAX_COLS} kernels, got {len(kernels)}")
    cell = st.inches(cell, "cell", st.MAX_CELL_INCHES)
    arrays, names = [], []
    for i, k in enumerate(kernels):
        if isinstance(k, str):
            arrays.append(catalogue.get(k))
            names.append(k)
        else:
            arrays.append(v.array(k, f"kernels[{i}]", (2,)))
            names.append(f"kernel {i}")
    titles = st.titles_for(titles, len(arrays), names)
    widest = max(a.shape[1] for a in arrays)
    tallest = max(a.shape[0] for a in arrays)
    panel = max(1.5, cell * widest)
    fig, axes = plt.subplots(1, len(arrays), figsize=st.clamped(panel * len(arrays), max(1.5, cell * tallest) + 0.45),
                             squeeze=False, layout="constrained")
    for ax, arr, title in zip(axes[0], arrays, titles):
        m = float(np.max(np.abs(arr))) or 1.0
        numbers(arr, title, ax=ax, vmin=-m, vmax=m)
    return fig


def feature_maps(maps, titles=None, *, cols=None, size=2.4, suptitle=None, same_scale=False, limit=16,
                 colorbar=False, keep_lines=False):
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
    colorbar, keep_lines : bool
        As in :func:`show`, for every map.

    Returns
    -------
    matplotlib.figure.Figure

    Introduced in lesson 02.
    """
    arr = st.stack_of_maps(maps)
    limit = v.positive_int(limit, "limit")
    n = min(arr.shape[2], limit)
    titles = st.titles_for(titles, arr.shape[2], [f"map {i}" for i in range(arr.shape[2])])[:n]
    cols = st.columns(cols, min(n, 4))
    planes = [arr[:, :, i] for i in range(n)]
    return grid(planes, titles, cols=cols, size=size, suptitle=suptitle, same_scale=same_scale,
                colorbar=colorbar, keep_lines=keep_lines)
