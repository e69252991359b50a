"""Pictures of a network's steps with every number written: a convolution step, pooling windows,
the flatten order and a whole forward pass."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch, Rectangle

from .. import _colors
from .. import _validate as v
from . import _style as st
from .charts import probabilities
from .pictures import numbers, show

__all__ = ["conv_step", "flatten_order", "forward_pass", "windows"]


def conv_step(image, kernel, row, col, *, stride=1, padding="valid", cell=0.42):
    """One step of a convolution, the way you would do it with a pencil.

    Four panels: the input with the window outlined, the kernel, the
    element-by-element products (their sum in the title), and the whole output
    with the cell that sum fills outlined. Padding zeros are drawn in the
    widgets' light checkerboard, with a key saying "zero padding", so they never
    look like dark pixels of the image.

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
    from .. import kernels as catalogue
    from .. import ops

    img = v.array(image, "image", (2,))
    cell = st.inches(cell, "cell", st.MAX_CELL_INCHES)
    k = catalogue.get(kernel) if isinstance(kernel, str) else v.array(kernel, "kernel", (2,))
    if max(img.shape) > 16:
        raise ValueError(f"image must be at most 16 x 16 to write every number, got shape {img.shape}")
    out = ops.conv2d(img, k, stride=stride, padding=padding)
    row = v.nonnegative_int(row, "row")
    col = v.nonnegative_int(col, "col")
    if row >= out.shape[0] or col >= out.shape[1]:
        raise ValueError(f"(row, col) must be inside the output of shape {out.shape}, got ({row}, {col})")
    padded = ops.pad(img, k.shape, stride, padding)
    top, left, kh, kw = ops.window(row, col, k.shape, stride)
    window = padded[top:top + kh, left:left + kw]
    products = window * k
    total = float(products.sum())
    widths = [padded.shape[1], kw, kw, out.shape[1]]
    fig, axes = plt.subplots(1, 4, figsize=st.clamped(cell * sum(widths) + 3.0, cell * max(padded.shape[0], kh) + 1.0),
                             layout="constrained", gridspec_kw={"width_ratios": widths})
    pad_note = "" if padded.shape == img.shape else " (zero padded)"
    numbers(padded, f"input{pad_note}", ax=axes[0], highlight=(top, left, kh, kw))
    sh, sw = v.positive_pair(stride, "stride")
    before, _ = ops.padding_amounts(img.shape[0], k.shape[0], sh, padding)
    left_pad, _ = ops.padding_amounts(img.shape[1], k.shape[1], sw, padding)
    mark_padding(axes[0], padded.shape, (before, left_pad, img.shape[0], img.shape[1]))
    for ax, values, name in ((axes[1], k, "kernel"), (axes[2], products, "window × kernel")):
        m = float(np.max(np.abs(values))) or 1.0
        numbers(values, name, ax=ax, vmin=-m, vmax=m)
    numbers(out, f"output: [{row}, {col}] = {st.number_text(total, st.fmt_for(np.array([total]), None))}",
            ax=axes[3], highlight=(row, col, 1, 1))
    axes[2].set_xlabel(f"sum = {st.number_text(total, '.4g')}")
    return fig


def pad_mask(shape: tuple[int, int], inside: tuple[int, int, int, int]) -> np.ndarray:
    """True on the padding cells of a padded array of ``shape``; ``inside`` is (top, left, height, width)."""
    top, left, h, w = inside
    mask = np.ones(shape, dtype=bool)
    mask[top:top + h, left:left + w] = False
    return mask


def mark_padding(ax, shape: tuple[int, int], inside: tuple[int, int, int, int]) -> None:
    """Recolour the padding cells of a :func:`numbers` panel in the padding checkerboard, and add a key."""
    mask = pad_mask(shape, inside)
    if not mask.any():
        return
    image = ax.images[0]
    rgb = np.array(image.get_array(), dtype=np.uint8)
    rows, cols = np.indices(shape)
    light, dark = (np.array(c, dtype=np.uint8) for c in _colors.PAD_RGB)
    rgb[mask] = np.where(((rows + cols) % 2 == 0)[mask][:, None], light, dark)
    image.set_data(rgb)
    for text in ax.texts:
        c, r = (round(p) for p in text.get_position())
        if mask[r, c]:
            text.set_color(PAD_TEXT)
    ax.legend(handles=[Patch(facecolor=PAD_COLOUR, edgecolor="#888888", label="zero padding")],
              loc="upper center", bbox_to_anchor=(0.5, 0.0), frameon=False, fontsize=8, handlelength=1.2)


#: the colour of padding cells in a key, and of the numbers written on them
PAD_COLOUR = "#{:02x}{:02x}{:02x}".format(*_colors.PAD_RGB[0])
PAD_TEXT = "#555555"


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
    from .. import ops

    arr = v.array(x, "x", (2,))
    if max(arr.shape) > 16:
        raise ValueError(f"x must be at most 16 x 16 to write every number, got shape {arr.shape}")
    mode = v.choice(mode, "mode", ("max", "avg"))
    cell = st.inches(cell, "cell", st.MAX_CELL_INCHES)
    ph, pw = v.positive_pair(size, "size")
    sh, sw = v.positive_pair(stride if stride is not None else size, "stride")
    out = (ops.max_pool if mode == "max" else ops.avg_pool)(arr, (ph, pw), (sh, sw))
    fig, axes = plt.subplots(1, 2, figsize=(cell * (arr.shape[1] + max(out.shape[1], 3)) + 1.6,
                                            cell * arr.shape[0] + 0.9),
                             layout="constrained", gridspec_kw={"width_ratios": [arr.shape[1], out.shape[1]]})
    lo, hi = st.shared_limits([arr, out])
    numbers(arr, f"input {arr.shape[0]}×{arr.shape[1]}", ax=axes[0], vmin=lo, vmax=hi)
    numbers(out, f"{mode} pool {ph}×{pw}\nstride {sh}: {out.shape[0]}×{out.shape[1]}", ax=axes[1],
            vmin=lo, vmax=hi)
    overlap = sh < ph or sw < pw
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            colour = st.PALETTE[(r * out.shape[1] + c) % len(st.PALETTE)]
            top, left, h, w = ops.window(r, c, (ph, pw), (sh, sw))
            inset = 0.06 + (0.08 * ((r + c) % 2) if overlap else 0.0)
            axes[0].add_patch(Rectangle((left - 0.5 + inset, top - 0.5 + inset), w - 2 * inset,
                                        h - 2 * inset, fill=False, edgecolor=colour, linewidth=2.5))
            st.box(axes[1], r, c, 1, 1, colour=colour, lw=2.5)
            if mode == "max":
                win = arr[top:top + h, left:left + w]
                wr, wc = np.unravel_index(int(np.argmax(win)), win.shape)
                for t in axes[0].texts:
                    if t.get_position() == (left + wc, top + wr):
                        t.set_fontweight("bold")
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
    arr = st.stack_of_maps(maps)
    cell = st.inches(cell, "cell", st.MAX_CELL_INCHES)
    h, w, c = arr.shape
    if arr.size > 48 or c > len(st.PALETTE):
        raise ValueError(f"maps must hold at most 48 numbers in at most {len(st.PALETTE)} channels to draw "
                         f"every entry, got shape {arr.shape}")
    flat = arr.reshape(-1)
    fmt = st.fmt_for(arr, None)
    fig = plt.figure(figsize=(max(cell * flat.size + 1.0, c * (cell * w + 0.8)), cell * h + 2.3),
                     layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[cell * h + 0.6, 1.5])
    axes = top.subplots(1, c, squeeze=False)[0]
    lo, hi = st.shared_limits([arr])
    for k, ax in enumerate(axes):
        numbers(arr[:, :, k], f"channel {k}  [:, :, {k}]", ax=ax, fmt=fmt, vmin=lo, vmax=hi)
        for spine in ax.spines.values():
            spine.set_visible(True)
            spine.set_edgecolor(st.PALETTE[k])
            spine.set_linewidth(3)
    ax = bottom.subplots()
    st.draw(ax, flat[None, :], vmin=lo, vmax=hi, aspect="equal")
    for i, val in enumerate(flat):
        k = i % c
        ax.text(i, 0, st.number_text(val, fmt), ha="center", va="center", fontsize=8,
                color=st.text_colour(float(val), None, lo, hi))
        st.box(ax, 0, i, 1, 1, colour=st.PALETTE[k], lw=2.5)
        ax.text(i, 0.95, str(i), ha="center", va="top", fontsize=6.5, color="#444444")
    st.clean(ax)
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
    if len(stages) > st.MAX_COLS:
        raise ValueError(f"stages must hold at most {st.MAX_COLS} steps, got {len(stages)}")
    size = st.inches(size, "size")
    items = []
    for i, stage in enumerate(stages):
        if not (isinstance(stage, tuple) and len(stage) == 2 and isinstance(stage[0], str)):
            raise TypeError(f"stages[{i}] must be a (title, array) pair, got {type(stage).__name__}")
        items.append((st.title(stage[0], f"stages[{i}] title"), v.array(stage[1], f"stages[{i}]", (1, 2, 3))))
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
            st.draw(ax, arr[:, None], aspect="auto")
            st.clean(ax)
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
