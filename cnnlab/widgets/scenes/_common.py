"""What every scene shares: the loaded input, the step grid, ``meta``'s common part and its style.

A scene is a frozen dataclass computed by a pure function from validated
arguments (``convolution_scene`` ...). Its arrays are read-only. Everything the
browser, :mod:`.._frames` (PNG, GIF) and the widget's properties show is read
from the scene or derived from it; nothing is read back from ``meta``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ... import _colors
from .._text import fmt, scale_words

__all__ = [
    "MAX_LISTED",
    "MAX_SPEED",
    "MAX_TERMS",
    "PANEL_PX",
    "PENDING_WORDS",
    "ChannelScene",
    "Scene",
    "Source",
    "clip_words",
    "frozen",
    "pad_pattern",
    "panel_scale",
    "plane",
    "style",
    "tiles_layout",
]

PANEL_PX = 320          # about how wide/tall each canvas is, in CSS pixels
MAX_SPEED = 1000.0      # steps per second
MAX_LISTED = 81         # window cells listed one by one in the zoom panel (9x9)
MAX_TERMS = 25          # products written out in full in a dot product


#: the key of the output cells the animation has not reached yet (drawn in ``PENDING_RGB``)
PENDING_WORDS = "not computed yet"


def clip_words(arrays, vmin: float, vmax: float) -> str:
    """Why a colour scale is clipped, or ``""`` when every value lies within ``vmin`` .. ``vmax``.

    :func:`cnnlab._colors.limits` sets robust limits on a large float map (the 98th
    percentile of the magnitudes, rounded up): the strongest values then all share the
    end colours. The sentence says how many they are and how far they go.

    Parameters
    ----------
    arrays : sequence of ndarray
        The values the colour key covers.
    vmin, vmax : float

    Returns
    -------
    str
        ``"colours clipped at ±820: 1.6 % of the values (down to −1020, up to 1020) share the end
        colours, so that a few extremes do not wash out the rest"``, or ``""``.

    Examples
    --------
    >>> clip_words([np.array([0.0, 100.0, 255.0])], 0.0, 220.0)
    'colours clipped at 220: 33.3 % of the values (up to 255) share the end colour, so that a few extremes do not wash out the rest'
    >>> clip_words([np.array([-1.0, 1.0])], -1.0, 1.0)
    ''
    """
    x = np.concatenate([np.asarray(a, dtype=np.float64).reshape(-1) for a in arrays])
    if not x.size:
        return ""
    below, above = x < vmin, x > vmax
    count = int(below.sum() + above.sum())
    if not count:
        return ""
    share = 100 * count / x.size
    share_text = f"{share:.1f}" if share >= 0.1 else "less than 0.1"
    if vmin < 0:
        ends = f"\u00b1{fmt(vmax)}" if vmin == -vmax else f"{fmt(vmin)} and {fmt(vmax)}"
        reach = [f"down to {fmt(x.min())}" if below.any() else "", f"up to {fmt(x.max())}" if above.any() else ""]
        colour = "colours"
    else:
        ends = fmt(vmax) if not below.any() else f"{fmt(vmin)} and {fmt(vmax)}"
        reach = [f"down to {fmt(x.min())}" if below.any() else "", f"up to {fmt(x.max())}" if above.any() else ""]
        colour = "colour" if not (below.any() and above.any()) else "colours"
    how_far = ", ".join(r for r in reach if r)
    return (f"colours clipped at {ends}: {share_text} % of the values ({how_far}) share the end {colour}, "
            f"so that a few extremes do not wash out the rest")


def frozen(arr: np.ndarray) -> np.ndarray:
    """A read-only array with the data of ``arr`` (copied unless ``arr`` is read-only already)."""
    if not arr.flags.writeable:
        return arr
    out = np.array(arr)
    out.flags.writeable = False
    return out


@dataclass(frozen=True)
class Source:
    """An input after loading: what it is called, its shape as given, and the array computed on.

    Attributes
    ----------
    label : str
        ``"cat"``, a file name, ``"array"`` or ``"ConvolutionWidget output"``.
    original : tuple of int
        The shape before downscaling.
    array : (H, W[, C]) ndarray, read-only
        uint8 or float32, longest side at most the widget's ``max_size``.
    """

    label: str
    original: tuple
    array: np.ndarray

    @property
    def scale_note(self) -> str:
        """``"shown at 1/8 scale: 512×512 → 64×64"`` or ``"full size: 28×28"``."""
        return scale_words(self.original, self.array.shape)


def style() -> dict:
    """The drawing constants the browser needs (``meta["style"]``), from the Python ones."""
    return {
        "pending_rgb": list(_colors.PENDING_RGB), "negative_rgb": list(_colors.NEGATIVE_RGB),
        "positive_rgb": list(_colors.POSITIVE_RGB), "white_rgb": list(_colors.WHITE_RGB),
        "pad_rgb": [list(c) for c in _colors.PAD_RGB], "gap_rgb": list(_colors.GAP_RGB),
        "label_rgb": list(_colors.LABEL_RGB), "window_rgb": list(_colors.WINDOW_RGB),
        "panel_px": PANEL_PX, "max_speed": MAX_SPEED, "max_listed": MAX_LISTED, "max_terms": MAX_TERMS,
    }


class Scene:
    """Methods every scene kind has; a kind is a frozen dataclass that also defines:

    ``kind``, ``source``, ``grid`` ``(rows, cols)`` of output cells, ``values`` (the flat
    numbers drawn on the output canvas), ``vmin``/``vmax``, ``output``, and the methods
    ``_meta()`` (its own keys), ``wire()``, ``panel()``, ``window()``, ``title()`` and ``caption()``.
    """

    @property
    def steps(self) -> int:
        """Animation steps: one per output cell (per vector entry for flatten)."""
        return int(self.values.size)

    @property
    def scale_note(self) -> str:
        return self.source.scale_note

    def position(self, step: int) -> tuple[int, int]:
        """Output cell ``(row, col)`` of ``step``: ``divmod(step, cols)``."""
        return divmod(int(step), self.grid[1])

    def meta(self) -> dict:
        """The synced ``meta`` dict: the kind's keys, the step grid and :func:`style`."""
        rows, cols = self.grid
        common = {"kind": self.kind, "steps": self.steps, "grid": [int(rows), int(cols)], "n": self.steps,
                  "vmin": self.vmin, "vmax": self.vmax, "scale_note": self.scale_note,
                  "clip_note": self.clip_note, "pending_note": PENDING_WORDS}
        return {**common, **self._meta(), "style": style()}

    def legend_arrays(self) -> list:
        """The values the output's colour key covers (the output; both maps when they share colours)."""
        return [self.values]

    def input_key(self):
        """``(arrays, vmin, vmax)`` of the input's own colour key, or None (a photo, or shared colours)."""
        return

    @property
    def clip_note(self) -> str:
        """Why the output's colour key is clipped (:func:`clip_words`), or ``""``."""
        return clip_words(self.legend_arrays(), self.vmin, self.vmax)

    def panel_labels(self) -> list[tuple[str, int, int, int, int]]:
        """Texts drawn on the input panel: ``(text, top, left, height, width)`` in panel cells."""
        return []


class ChannelScene(Scene):
    """A scene that draws one channel (``channel``) of its input map and of its ``output``."""

    @property
    def input_plane(self) -> np.ndarray:
        """The drawn channel of the input, ``(H, W)``."""
        return plane(self.source.array, self.channel)

    @property
    def output_plane(self) -> np.ndarray:
        """The drawn channel of the output, ``(H', W')``."""
        return plane(self.output, self.channel)

    @property
    def grid(self) -> tuple[int, int]:
        return self.output_plane.shape

    @property
    def values(self) -> np.ndarray:
        return self.output_plane.reshape(-1)

    def wire(self) -> dict:
        """The arrays sent to the browser, by trait name: the drawn channels."""
        return {"input_data": self.input_plane, "output_data": self.output_plane}


def panel_scale(rows: int, cols: int, panel_px: int = PANEL_PX) -> int:
    """Whole CSS pixels per cell so the panel is about ``panel_px`` wide (at least 1)."""
    return max(1, panel_px // max(rows, cols, 1))


def pad_pattern(rows: int, cols: int) -> np.ndarray:
    """The checkerboard drawn where padding zeros are: ``(rows, cols, 3)`` uint8."""
    checker = (np.add.outer(np.arange(rows), np.arange(cols)) % 2).astype(bool)
    out = np.empty((rows, cols, 3), dtype=np.uint8)
    out[:] = _colors.PAD_RGB[0]
    out[checker] = _colors.PAD_RGB[1]
    return out


def padded_panel(rgb: np.ndarray, pad) -> np.ndarray:
    """``rgb`` ``(h, w, 3)`` inside the padding checkerboard; ``pad`` is ``(top, bottom, left, right)``."""
    top, bottom, left, right = pad
    h, w = rgb.shape[:2]
    panel = pad_pattern(h + top + bottom, w + left + right)
    panel[top:top + h, left:left + w] = rgb
    return panel


def tiles_layout(channels: int) -> tuple[int, int]:
    """``(rows, cols)`` of the near-square tile grid that shows ``channels`` maps."""
    cols = math.ceil(math.sqrt(channels))
    return math.ceil(channels / cols), cols


def plane(arr: np.ndarray, channel: int) -> np.ndarray:
    """Channel ``channel`` of an ``(H, W, C)`` array, or the 2-D array itself."""
    return arr if arr.ndim == 2 else arr[:, :, channel]
