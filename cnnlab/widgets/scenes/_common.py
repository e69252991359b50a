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
from .._text import scale_words

__all__ = [
    "MAX_LISTED",
    "MAX_SPEED",
    "MAX_TERMS",
    "PANEL_PX",
    "ChannelScene",
    "Scene",
    "Source",
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
                  "vmin": self.vmin, "vmax": self.vmax, "scale_note": self.scale_note}
        return {**common, **self._meta(), "style": style()}

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
