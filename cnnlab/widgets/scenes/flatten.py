"""The flatten scene: ``(H, W, C)`` maps unrolled into one vector in :func:`cnnlab.ops.flatten`'s order."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ... import _colors, ops
from .._text import fmt, shape_text
from ._common import PANEL_PX, Scene, Source, frozen, panel_scale, tiles_layout

__all__ = ["MAX_VALUES", "FlattenScene", "flatten_scene", "label_rows"]

MAX_VALUES = 16384      # 128 rows of 128: still readable on a projector
ROW_LIMIT = 128         # one vector row per map row while W * C fits in this
DESCRIBE = "entry (r, c, k) goes to index (r \u00d7 W + c) \u00d7 C + k"
LABEL_PX = 18           # height of the "channel k" band above each tile, in canvas pixels (about)


def label_rows(h: int, w: int, tile_rows: int, tile_cols: int, panel_px: int = PANEL_PX) -> int:
    """Rows of cells above each tile for its ``channel k`` label (at least 1, at most ``h``).

    Enough that the band is about :data:`LABEL_PX` canvas pixels tall at the scale the panel
    is drawn at (which itself depends on the band), so the browser and static frames agree.
    """
    lab = 1
    for _ in range(32):
        rows, cols = tile_rows * (lab + h + 1) - 1, tile_cols * (w + 1) - 1
        need = min(max(h, 1), max(1, math.ceil(LABEL_PX / panel_scale(rows, cols, panel_px))))
        if need <= lab:
            break
        lab = need
    return lab


@dataclass(frozen=True, eq=False)
class FlattenScene(Scene):
    """Everything a flatten widget shows, computed once.

    Attributes
    ----------
    source : Source
        The float32 maps, ``(H, W)`` or ``(H, W, C)``.
    output : (H*W*C,) ndarray
        ``ops.flatten(source.array)``.
    grid : (rows, cols)
        How the vector is drawn wrapped.
    vmin, vmax : float
    tiles : (rows, cols)
        The grid of channel tiles on the input panel.
    label_rows : int
        Rows of cells above each tile for its label.
    """

    source: Source
    output: np.ndarray
    grid: tuple
    vmin: float
    vmax: float
    tiles: tuple
    label_rows: int

    kind = "flatten"

    @property
    def maps3(self) -> np.ndarray:
        """The maps as ``(H, W, C)``."""
        maps = self.source.array
        return maps[:, :, None] if maps.ndim == 2 else maps

    @property
    def values(self) -> np.ndarray:
        return self.output

    def source_cell(self, step: int) -> tuple[int, int, int]:
        """``(r, c, k)`` of the map entry that lands at vector index ``step``."""
        _, w, c = self.maps3.shape
        r, rest = divmod(int(step), w * c)
        col, k = divmod(rest, c)
        return r, col, k

    def _meta(self) -> dict:
        h, w, c = self.maps3.shape
        return {
            "in_shape": [h, w, c], "tiles": list(self.tiles), "label_rows": self.label_rows,
            "pad": [0, 0, 0, 0], "stride": [1, 1], "ksize": [1, 1], "in_vmin": self.vmin, "in_vmax": self.vmax,
            "title": self.heading(), "describe": DESCRIBE,
            "order": (f"row by row, and within a cell channel 0 to {c - 1} side by side: "
                      f"each group of {c} neighbours in the vector is one cell of the maps" if c > 1
                      else "row by row, left to right"),
            "params": {}, "options": {},
        }

    @property
    def scale_note(self) -> str:
        """``"vector of 48 values, 12 per row (one row per map row)"``."""
        _, w, c = self.maps3.shape
        cols = self.grid[1]
        return f"vector of {self.steps:,} values, {cols} per row" + (" (one row per map row)" if cols == w * c else "")

    def wire(self) -> dict:
        """The arrays sent to the browser, by trait name."""
        return {"input_data": self.maps3, "output_data": self.output}

    def tile_origin(self, k: int) -> tuple[int, int]:
        """``(top, left)`` panel cell of channel ``k``'s tile (below its label band)."""
        h, w, _ = self.maps3.shape
        tr, tc = divmod(k, self.tiles[1])
        return tr * (self.label_rows + h + 1) + self.label_rows, tc * (w + 1)

    def window(self, step: int) -> tuple[int, int, int, int]:
        """The input cell of ``step`` on the panel: ``(top, left, 1, 1)``."""
        r, col, k = self.source_cell(step)
        top, left = self.tile_origin(k)
        return top + r, left + col, 1, 1

    def panel(self) -> np.ndarray:
        """The channel tiles with their label bands: ``(rows, cols, 3)`` uint8."""
        h, w, c = self.maps3.shape
        tile_rows, tile_cols = self.tiles
        panel = np.empty((tile_rows * (self.label_rows + h + 1) - 1, tile_cols * (w + 1) - 1, 3), dtype=np.uint8)
        panel[:] = _colors.GAP_RGB
        colors = _colors.to_rgb_array(self.maps3, self.vmin, self.vmax)
        for k in range(c):
            top, left = self.tile_origin(k)
            panel[top:top + h, left:left + w] = colors[:, :, k]
        return panel

    def panel_labels(self) -> list[tuple[str, int, int, int, int]]:
        """``(text, top, left, height, width)`` in panel cells: each tile's ``channel k`` band."""
        _, w, c = self.maps3.shape
        labels = []
        for k in range(c):
            top, left = self.tile_origin(k)
            labels.append((f"channel {k}", top - self.label_rows, left, self.label_rows, w))
        return labels

    def heading(self) -> str:
        h, w, c = self.maps3.shape
        label = self.source.label
        what = f"{h}\u00d7{w}\u00d7{c} maps" if label == "array" else f"{label} {h}\u00d7{w}\u00d7{c}"
        return f"Flatten: {what} \u2192 vector of {self.steps:,}"

    def title(self) -> str:
        return f"{self.heading()}: {DESCRIBE}"

    def caption(self, step: int) -> str:
        r, c, k = self.source_cell(step)
        _, w, ch = self.maps3.shape
        return (f"maps[{r}, {c}, {k}] \u2192 index ({r}\u00d7{w} + {c})\u00d7{ch} + {k} = {step}: "
                f"{fmt(self.output[step])}")

    def __repr__(self) -> str:
        return f"FlattenScene({shape_text(self.source.array.shape)}, {self.grid})"


def flatten_scene(source: Source) -> FlattenScene:
    """Compute a flatten scene from a validated float32 map of at most :data:`MAX_VALUES` values; pure."""
    maps = source.array
    h, w, c = maps.shape if maps.ndim == 3 else (*maps.shape, 1)
    out = ops.flatten(maps)
    cols = w * c if w * c <= ROW_LIMIT else 64
    tiles = tiles_layout(c)
    vmin, vmax = _colors.limits(maps)
    return FlattenScene(source, frozen(out), (math.ceil(out.size / cols), cols), vmin, vmax, tiles,
                        label_rows(h, w, *tiles))
