"""The receptive-field scene: a digit, the maps of the layers above it, and the block one cell depends on.

The scene holds one drawn channel per map (the input digit, then the output of every convolution
and pooling layer up to the chosen one), their colours (:func:`cnnlab._colors.to_rgb_array`), and,
for the selected cell of the last map, the block of every map it depends on, from
:func:`cnnlab.ops.geometry.receptive_field`.

Examples
--------
>>> import numpy as np
>>> digit = np.zeros((8, 8), np.uint8)
>>> maps = {"conv": np.ones((8, 8, 2), np.float32), "pool": np.ones((4, 4, 2), np.float32)}
>>> scene = receptive_scene(digit, maps, [(3, 1, "same"), (2, 2, "valid")], channel=1, cell=(1, 2))
>>> scene.names, [span.text() for span in scene.spans]
(('input', 'conv', 'pool'), ['4x4: rows 1-4, cols 3-6', '2x2: rows 2-3, cols 4-5', '1x1: row 1, col 2'])
>>> scene.caption()
'this cell of pool (channel 1) sees 4x4 pixels of the input: rows 1-4, cols 3-6'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ... import _colors
from ... import _validate as v
from ...ops.geometry import Span, receptive_field
from ._common import frozen, style

__all__ = ["DIM", "PAGE_PANEL_PX", "ReceptiveScene", "dimmed", "receptive_scene"]

#: about how wide each panel is drawn in the page, in CSS pixels: four fit side by side on a projector
PAGE_PANEL_PX = 128
#: how far a cell outside the block is faded towards white (0: not at all, 1: white)
DIM = 0.7


def dimmed(rgb: np.ndarray) -> np.ndarray:
    """``rgb`` faded towards white by :data:`DIM`, as the page draws the cells outside the block.

    The page computes ``Math.round(c + (255 - c) * 0.7)`` per channel; this is the same number.
    """
    x = rgb.astype(np.float64)
    return np.floor(x + (255 - x) * DIM + 0.5).astype(np.uint8)


@dataclass(frozen=True)
class ReceptiveScene:
    """What the receptive-field widget shows.

    Attributes
    ----------
    names : tuple of str
        ``"input"`` then the layer names, one per panel.
    planes : tuple of (h, w) ndarray, read-only
        The drawn channel of each map: the digit (uint8), then the layer outputs (float32).
    colours : tuple of (h, w, 3) uint8 ndarray, read-only
        Each plane in the shared colours (:func:`cnnlab._colors.to_rgb_array`).
    channels : tuple of int
        Number of channels of each map (1 for the input).
    shown : tuple of int
        The channel drawn for each map: 0 for the input, ``below_channel`` for the maps in
        between, ``channel`` for the last one.
    spans : tuple of Span
        The block of each map that the selected cell depends on (the last one is the cell).
    limits : tuple of (float, float)
        The colour limits of each plane.
    """

    kind = "receptive"
    names: tuple
    planes: tuple
    colours: tuple
    channels: tuple
    shown: tuple
    spans: tuple
    limits: tuple

    @property
    def cell(self) -> tuple[int, int]:
        """The selected cell ``(row, col)`` of the last map."""
        span = self.spans[-1]
        return span.rows[0], span.cols[0]

    @property
    def patch(self) -> Span:
        """The block of the input digit the selected cell depends on."""
        return self.spans[0]

    def caption(self) -> str:
        """``"this cell of conv2 (channel 3) sees 8x8 pixels of the input: rows 2-9, cols 4-11"``.

        At the border the patch is cut by the edge of the image; the caption then adds the size
        counting the padding zeros.
        """
        p = self.patch
        text = (f"this cell of {self.names[-1]} (channel {self.shown[-1]}) sees {p.height}x{p.width} pixels of "
                f"the input: rows {p.rows[0]}-{p.rows[1] - 1}, cols {p.cols[0]}-{p.cols[1] - 1}")
        full = (p.rows_unclipped[1] - p.rows_unclipped[0], p.cols_unclipped[1] - p.cols_unclipped[0])
        if full != (p.height, p.width):
            text += f" ({full[0]}x{full[1]} with the padding beyond the edge)"
        return text

    def panel_titles(self) -> list[str]:
        """One title per panel: ``"input 28x28"``, ``"conv1 28x28, ch 0"``, ..."""
        titles = []
        for name, plane, channels, shown in zip(self.names, self.planes, self.channels, self.shown):
            size = f"{plane.shape[0]}x{plane.shape[1]}"
            titles.append(f"{name} {size}" if channels == 1 else f"{name} {size}, ch {shown}")
        return titles

    def span_list(self) -> list[dict]:
        """The spans as plain lists for the page: ``rows``/``cols`` half-open, clipped and not."""
        return [{"rows": list(s.rows), "cols": list(s.cols), "rows_unclipped": list(s.rows_unclipped),
                 "cols_unclipped": list(s.cols_unclipped)} for s in self.spans]

    def meta(self) -> dict:
        """Everything the page needs besides the colours and the spans."""
        return {"kind": self.kind, "names": list(self.names), "titles": self.panel_titles(),
                "shapes": [list(p.shape) for p in self.planes], "channels": list(self.channels),
                "shown": list(self.shown), "dim": DIM, "panel_px": PAGE_PANEL_PX, "style": style()}


def _plane_limits(plane: np.ndarray) -> tuple[float, float]:
    return _colors.limits(plane) if plane.dtype != np.uint8 else (0.0, 255.0)


def receptive_scene(digit: np.ndarray, maps: dict, specs, channel: int = 0, below_channel: int = 0,
                    cell=(0, 0)) -> ReceptiveScene:
    """The scene of a digit, the maps of the layers above it, and the block one cell sees.

    Parameters
    ----------
    digit : (H, W) uint8 ndarray
        The input image.
    maps : dict of str -> (h, w, C) ndarray
        The output of each convolution or pooling layer, in order (as
        :func:`cnnlab.training.feature_maps` gives them), up to the layer whose cell is chosen.
    specs : sequence of (kernel, stride, padding)
        Those layers' geometry, one per map (see :func:`cnnlab.ops.geometry.receptive_field`).
    channel : int
        The channel of the last map that is drawn.
    below_channel : int
        The channel drawn for the maps in between.
    cell : (int, int)
        The selected cell ``(row, col)`` of the last map.

    Returns
    -------
    ReceptiveScene
    """
    digit = v.array(digit, "digit", (2,))
    if digit.dtype != np.uint8:
        raise TypeError(f"digit must be a uint8 image, got dtype {digit.dtype}")
    if not isinstance(maps, dict) or not maps:
        raise TypeError(f"maps must be a non-empty dict of layer name -> (h, w, C) map, got {type(maps).__name__}")
    names = tuple(maps)
    planes3 = [v.array(maps[name], f"maps[{name!r}]", (3,)) for name in names]
    specs = list(specs)
    if len(specs) != len(names):
        raise ValueError(f"specs must give one (kernel, stride, padding) per map: {len(names)} maps, "
                         f"{len(specs)} specs")
    channel = v.nonnegative_int(channel, "channel")
    below_channel = v.nonnegative_int(below_channel, "below_channel")
    if channel >= planes3[-1].shape[-1]:
        raise ValueError(f"channel must be below {planes3[-1].shape[-1]} (the channels of {names[-1]}), "
                         f"got {channel}")
    below = [m.shape[-1] for m in planes3[:-1]]
    if below and below_channel >= min(below):
        raise ValueError(f"below_channel must be below {min(below)} (the channels of the maps in between), "
                         f"got {below_channel}")
    if not (isinstance(cell, (tuple, list)) and len(cell) == 2):
        raise TypeError(f"cell must be a (row, col) pair, got {cell!r:.60}")
    spans = receptive_field(specs, cell[0], cell[1], digit.shape)
    for name, span, m in zip(names, spans[1:], planes3):
        if tuple(m.shape[:2]) != span.map_shape:
            raise ValueError(f"maps[{name!r}] is {m.shape[0]}x{m.shape[1]} but the layers make it "
                             f"{span.map_shape[0]}x{span.map_shape[1]}")
    shown = (0, *([below_channel] * len(below)), channel)
    planes = (frozen(digit), *(frozen(np.asarray(m[:, :, c], dtype=np.float32)) for m, c in zip(planes3, shown[1:])))
    limits = tuple(_plane_limits(p) for p in planes)
    colours = tuple(frozen(_colors.to_rgb_array(p, lo, hi)) for p, (lo, hi) in zip(planes, limits))
    return ReceptiveScene(names=("input", *names), planes=planes, colours=colours,
                          channels=(1, *(m.shape[-1] for m in planes3)), shown=shown, spans=tuple(spans),
                          limits=limits)
