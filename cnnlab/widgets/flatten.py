"""FlattenWidget: a stack of pooled maps unrolled into one vector, in Keras's order."""

from __future__ import annotations

import math

import numpy as np

from .. import ops
from . import _base, _colors
from ._base import AnimatedWidget, fmt, shape_text

__all__ = ["FlattenWidget"]

MAX_VALUES = 16384      # 128 rows of 128: still readable on a projector
ROW_LIMIT = 128         # one vector row per map row while W * C fits in this
LABEL_PX = 18           # height of the "channel k" band above each tile, in canvas pixels (about)


def label_rows(h: int, w: int, tile_rows: int, tile_cols: int, panel_px: int = _base.PANEL_PX) -> int:
    """Rows of cells above each tile for its ``channel k`` label (at least 1, at most ``h``).

    Enough that the band is about :data:`LABEL_PX` canvas pixels tall at the scale the panel
    is drawn at (which itself depends on the band), so the browser and :meth:`frame` agree.
    """
    lab = 1
    for _ in range(32):
        rows, cols = tile_rows * (lab + h + 1) - 1, tile_cols * (w + 1) - 1
        need = min(max(h, 1), max(1, math.ceil(LABEL_PX / _base.panel_scale(rows, cols, panel_px))))
        if need <= lab:
            break
        lab = need
    return lab


class FlattenWidget(AnimatedWidget):
    """Watch ``(H, W, C)`` maps unroll into one vector: entry ``(r, c, k)`` goes to ``(r*W + c)*C + k``.

    The order is :func:`cnnlab.ops.flatten`'s, which is Keras ``Flatten``'s on
    channels-last maps: along a row, then the next row, channel fastest. The
    vector is drawn wrapped, one row of ``W*C`` values per map row (or 64 per
    row when ``W*C`` is more than 128).

    Parameters
    ----------
    maps : (H, W) or (H, W, C) array_like, or another cnnlab widget
        Small pooled maps (at most 16,384 values, e.g. 16x16x8 or 13x13x32).
    speed : float, optional
        Steps per second when playing.

    Examples
    --------
    >>> import numpy as np
    >>> w = FlattenWidget(np.arange(8.0).reshape(2, 2, 2))
    >>> w.output.tolist()
    [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    >>> w.source(5)
    (1, 0, 1)

    Introduced in lesson 05.
    """

    _params = ("maps",)

    def __init__(self, maps, *, speed=None):
        super().__init__({"maps": maps}, speed=speed)

    def _compute(self, p: dict) -> dict:
        label, original, maps = _base.load_map(p["maps"], "maps", None, photo_ok=False)
        if maps.size > MAX_VALUES:
            raise ValueError(f"maps must hold at most {MAX_VALUES:,} values to be shown (e.g. 16x16x8), "
                             f"got shape {original} = {maps.size:,} values; pool it first")
        maps = maps.astype(np.float32)
        maps3 = maps[:, :, None] if maps.ndim == 2 else maps
        h, w, c = maps3.shape
        out = ops.flatten(maps)
        n = int(out.size)
        cols = w * c if w * c <= ROW_LIMIT else 64
        rows = math.ceil(n / cols)
        vmin, vmax = _colors.limits(maps)
        tile_rows, tile_cols = _base.tiles_layout(c)
        what = f"{h}\u00d7{w}\u00d7{c} maps" if label == "array" else f"{label} {h}\u00d7{w}\u00d7{c}"
        meta = {
            "kind": "flatten",
            "steps": n, "grid": [rows, cols], "n": n, "in_shape": [h, w, c],
            "tiles": [tile_rows, tile_cols], "label_rows": label_rows(h, w, tile_rows, tile_cols),
            "pad": [0, 0, 0, 0], "stride": [1, 1], "ksize": [1, 1],
            "vmin": vmin, "vmax": vmax, "in_vmin": vmin, "in_vmax": vmax,
            "title": f"Flatten: {what} \u2192 vector of {n:,}",
            "describe": "entry (r, c, k) goes to index (r \u00d7 W + c) \u00d7 C + k",
            "order": (f"row by row, and within a cell channel 0 to {c - 1} side by side: "
                      f"each group of {c} neighbours in the vector is one cell of the maps" if c > 1
                      else "row by row, left to right"),
            "scale_note": (f"vector of {n:,} values, {cols} per row"
                           + (" (one row per map row)" if cols == w * c else "")),
            "params": {}, "options": {},
        }
        return {
            "label": label, "original": original, "map": maps, "output": out, "shown": out,
            "grid": (rows, cols), "steps": n, "vmin": vmin, "vmax": vmax, "input_wire": maps3,
            "output_wire": out, "meta": meta,
        }

    @property
    def maps(self) -> np.ndarray:
        """The float32 maps being flattened (a copy)."""
        return self._scene["map"].copy()

    @maps.setter
    def maps(self, value):
        self.set(maps=value)

    def source(self, step: int | None = None) -> tuple[int, int, int]:
        """``(r, c, k)`` of the map entry that lands at vector index ``step``."""
        step = self._step_arg(step)
        h, w, c = self._scene["meta"]["in_shape"]
        r, rest = divmod(step, w * c)
        col, k = divmod(rest, c)
        return r, col, k

    def _tile_origin(self, k: int) -> tuple[int, int]:
        """``(top, left)`` panel cell of channel ``k``'s tile (below its label band)."""
        h, w, _ = self._scene["meta"]["in_shape"]
        lab = self._scene["meta"]["label_rows"]
        tr, tc = divmod(k, self._scene["meta"]["tiles"][1])
        return tr * (lab + h + 1) + lab, tc * (w + 1)

    def _input_panel(self) -> np.ndarray:
        sc = self._scene
        h, w, c = sc["meta"]["in_shape"]
        tile_rows, tile_cols = sc["meta"]["tiles"]
        lab = sc["meta"]["label_rows"]
        panel = np.empty((tile_rows * (lab + h + 1) - 1, tile_cols * (w + 1) - 1, 3), dtype=np.uint8)
        panel[:] = _base.GAP_RGB
        colors = _colors.to_rgb_array(sc["input_wire"], sc["vmin"], sc["vmax"])
        for k in range(c):
            top, left = self._tile_origin(k)
            panel[top:top + h, left:left + w] = colors[:, :, k]
        return panel

    def _panel_labels(self) -> list[tuple[str, int, int, int, int]]:
        """``(text, top, left, height, width)`` in panel cells: each tile's ``channel k`` band."""
        _, w, c = self._scene["meta"]["in_shape"]
        lab = self._scene["meta"]["label_rows"]
        out = []
        for k in range(c):
            top, left = self._tile_origin(k)
            out.append((f"channel {k}", top - lab, left, lab, w))
        return out

    def _window(self, step):
        r, col, k = self.source(step)
        top, left = self._tile_origin(k)
        return top + r, left + col, 1, 1

    def _title(self) -> str:
        return f"{self._scene['meta']['title']}: {self._scene['meta']['describe']}"

    def _caption(self, step) -> str:
        r, c, k = self.source(step)
        _, w, ch = self._scene["meta"]["in_shape"]
        return (f"maps[{r}, {c}, {k}] \u2192 index ({r}\u00d7{w} + {c})\u00d7{ch} + {k} = {step}: "
                f"{fmt(self._scene['output'][step])}")

    def __repr__(self) -> str:
        sc = self._scene
        return (f"FlattenWidget(maps={sc['label']} {shape_text(sc['original'])}, "
                f"vector of {sc['steps']}, {sc['grid'][1]} per row)")
