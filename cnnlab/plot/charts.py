"""Charts: curves of functions (activations), bars of class probabilities, paths over a loss surface."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .. import _validate as v
from . import _style as st

__all__ = ["contour_paths", "curves", "probabilities"]

MAX_GRID = 1000
MAX_PATH = 100_000


def curves(x, ys, *, title=None, xlabel="input", ylabel="output", ax=None, size=(6.0, 3.6), marker=None,
           highlight=None, logx=False):
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
    logx : bool
        A logarithmic ``x`` axis, ticked at the values of ``x`` (which must then be
        positive), for sizes that double such as batch sizes.

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
        raise ValueError(f"highlight must be one of the labels {list(ys)}, got {highlight!r:.60}")
    logx = st.flag(logx, "logx")
    if logx and not (xs > 0).all():
        raise ValueError("x must be positive for logx=True")
    title, xlabel, ylabel = st.title(title), st.title(xlabel, "xlabel"), st.title(ylabel, "ylabel")
    fig, ax = st.axes(ax, st.figure_size(size, "size"))
    for i, (label, y) in enumerate(ys.items()):
        arr = v.array(y, f"ys[{label!r}]", (1,))
        if arr.shape != xs.shape:
            raise ValueError(f"ys[{label!r}] must have the shape of x {xs.shape}, got {arr.shape}")
        if highlight is None:
            width, z = max(1.4, 3.6 - 0.6 * i), 2
        else:
            width, z = (3.6, 3) if label == highlight else (1.6, 2)
        ax.plot(xs, arr, label=str(label), linewidth=width, marker=marker, color=st.PALETTE[i % len(st.PALETTE)],
                zorder=z)
    ax.axhline(0, color="#555555", linewidth=0.8)
    if logx:
        ax.set_xscale("log")
        ax.set_xticks(xs, [f"{value:g}" for value in xs])
        ax.minorticks_off()
    else:
        ax.axvline(0, color="#555555", linewidth=0.8)
    ax.grid(alpha=0.3)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
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
    if p.size > 1000:
        raise ValueError(f"probs must hold at most 1,000 classes to draw, got {p.size:,}")
    if labels is not None and (isinstance(labels, str) or not hasattr(labels, "__iter__")):
        raise TypeError(f"labels must be a list of class names, got {type(labels).__name__}")
    labels = [str(i) for i in range(p.size)] if labels is None else [str(s) for s in labels]
    if len(labels) != p.size:
        raise ValueError(f"labels must have one name per probability ({p.size}), got {len(labels)}")
    title = st.title(title)
    fig, ax = st.axes(ax, st.figure_size(size, "size"))
    best = int(np.argmax(p))
    colours = ["#bbbbbb"] * p.size
    colours[best] = st.PALETTE[2]
    ax.bar(range(p.size), p, color=colours)
    ax.set_xticks(range(p.size), labels)
    ax.set_ylim(0, max(1.0, float(p.max())) * 1.12)
    ax.set_ylabel("probability")
    ax.text(best, float(p[best]) + 0.02, f"{float(p[best]):.2f}", ha="center", va="bottom", fontsize=9)
    if true_label is not None:
        t = v.nonnegative_int(true_label, "true_label")
        if t >= p.size:
            raise ValueError(f"true_label must be below {p.size}, got {t}")
        ax.plot([t], [max(1.0, float(p.max())) * 1.06], marker="*", markersize=12, color=st.PALETTE[0])
        ax.get_xticklabels()[t].set_fontweight("bold")
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title)
    return fig


def contour_paths(x, y, values, paths, *, levels=12, title=None, xlabel="x", ylabel="y", size=(6.4, 4.4)):
    """Contour lines of a surface seen from above, with the paths of walkers on it.

    Made for gradient descent: ``values`` is a loss over a 2-D slice of the weights,
    each path is where the weights were at every step (a start dot, one line, an end
    cross). A path that leaves the grid's range is drawn up to its first step outside
    (the line runs off the edge) and not after, so a walker that blows up does not
    scribble lines back across the picture; then it has no end cross.

    Parameters
    ----------
    x : (W,) array_like
        The first coordinate of the grid's columns, increasing.
    y : (H,) array_like
        The second coordinate of the grid's rows, increasing.
    values : (H, W) array_like
        The surface at every ``(y[i], x[j])``.
    paths : dict of str -> (T, 2) array_like
        Label -> the ``(x, y)`` of every step, in order.
    levels : int or sequence of float
        How many contour lines, or at which values. For a surface that spans
        several powers of ten, give levels spaced by a factor (``np.geomspace``).
    title, xlabel, ylabel : str, optional
    size : (float, float)
        Figure size in inches.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> x = y = np.linspace(-1, 1, 21)
    >>> fig = contour_paths(x, y, x[None, :] ** 2 + 4 * y[:, None] ** 2, {"walk": [[1, 1], [0.5, 0.2], [0, 0]]})

    Introduced in lesson 07.
    """
    xs, ys = v.array(x, "x", (1,)), v.array(y, "y", (1,))
    for name, arr in (("x", xs), ("y", ys)):
        if not 2 <= len(arr) <= MAX_GRID:
            raise ValueError(f"{name} must hold 2 to {MAX_GRID} grid coordinates, got {len(arr)}")
        if not np.all(np.diff(arr) > 0):
            raise ValueError(f"{name} must be increasing")
    z = v.array(values, "values", (2,))
    if z.shape != (len(ys), len(xs)):
        raise ValueError(f"values must have shape (len(y), len(x)) = {(len(ys), len(xs))}, got {z.shape}")
    if not isinstance(paths, Mapping):
        raise TypeError('paths must be a dict of label -> (T, 2) positions, e.g. {"rate 0.1": positions}')
    checked = {}
    for label, path in paths.items():
        arr = v.array(path, f"paths[{label!r}]", (2,))
        if arr.shape[1] != 2 or not 1 <= len(arr) <= MAX_PATH:
            raise ValueError(f"paths[{label!r}] must have shape (T, 2) with 1 to {MAX_PATH:,} steps, got {arr.shape}")
        checked[str(label)] = arr
    if not isinstance(levels, (int, np.integer)):
        levels = v.array(levels, "levels", (1,))
    title, xlabel, ylabel = st.title(title), st.title(xlabel, "xlabel"), st.title(ylabel, "ylabel")
    fig, ax = st.axes(None, st.figure_size(size, "size"))
    lines = ax.contour(xs, ys, z, levels=levels, colors="#999999", linewidths=0.8)
    ax.clabel(lines, fontsize=7, fmt="%.2g")
    for i, (label, arr) in enumerate(checked.items()):
        colour = st.PALETTE[i % len(st.PALETTE)]
        outside = np.flatnonzero((arr[:, 0] < xs[0]) | (arr[:, 0] > xs[-1]) | (arr[:, 1] < ys[0]) | (arr[:, 1] > ys[-1]))
        shown = arr if not len(outside) else arr[:outside[0] + 1]
        ax.plot(shown[:, 0], shown[:, 1], color=colour, linewidth=1.6, marker=".", markersize=4, label=label)
        ax.plot(arr[0, 0], arr[0, 1], "o", color=colour, markersize=7)
        if not len(outside):
            ax.plot(arr[-1, 0], arr[-1, 1], "x", color=colour, markersize=9, markeredgewidth=2)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if checked:
        ax.legend(frameon=True, fontsize=8, loc="best")
    return fig
