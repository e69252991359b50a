"""FlattenWidget: a stack of pooled maps unrolled into one vector, in Keras's order."""

from __future__ import annotations

import numpy as np

from ._base import AnimatedWidget, parameter
from ._inputs import take_map
from ._protocol import check_scene
from ._text import shape_text
from .scenes._common import Source, frozen
from .scenes.flatten import MAX_VALUES, FlattenScene, flatten_scene

__all__ = ["FlattenWidget"]


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

    KIND = "flatten"

    _params = ("maps",)

    def __init__(self, maps, *, speed=None):
        super().__init__({"maps": maps}, speed=speed)

    def _take(self, name: str, value):
        """The maps are checked and copied when given."""
        return _take_maps(value) if name == "maps" else value

    def _build(self, values: dict) -> FlattenScene:
        """The maps were checked when given: compute the scene."""
        return check_scene(flatten_scene(values["maps"]), "maps")

    maps = parameter("maps", "The float32 maps being flattened (a copy).", lambda scene: scene.source.array.copy())

    def source(self, step: int | None = None) -> tuple[int, int, int]:
        """``(r, c, k)`` of the map entry that lands at vector index ``step``."""
        return self._scene.source_cell(self._step_arg(step))

    def __repr__(self) -> str:
        sc = self._scene
        return (f"FlattenWidget(maps={sc.source.label} {shape_text(sc.source.original)}, "
                f"vector of {sc.steps}, {sc.grid[1]} per row)")


def _take_maps(value) -> Source:
    """The maps as float32, refused when there are too many values to show."""
    source = take_map(value, "maps", photo_ok=False)
    if source.array.size > MAX_VALUES:
        raise ValueError(f"maps must hold at most {MAX_VALUES:,} values to be shown (e.g. 16x16x8), "
                         f"got shape {source.original} = {source.array.size:,} values; pool it first")
    return Source(source.label, source.original, frozen(source.array.astype(np.float32)))
