"""Charts: curves of functions (activations) and bars of class probabilities."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .. import _validate as v
from . import _style as st

__all__ = ["curves", "probabilities"]


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
        raise ValueError(f"highlight must be one of the labels {list(ys)}, got {highlight!r:.60}")
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
