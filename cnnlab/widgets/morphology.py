"""MorphologyWidget: dilation and erosion, a max or min window centred on every cell of a map."""

from __future__ import annotations

from .. import _validate as v
from ._base import parameter
from ._inputs import check_budget, check_channel, check_max_size, downscaled
from ._protocol import check_scene
from ._text import shape_text, shown_text
from .pooling import MapWindowWidget
from .scenes.morphology import MODES, MorphologyScene, morphology_scene

__all__ = ["MorphologyWidget"]


class MorphologyWidget(MapWindowWidget):
    """Watch dilation (the largest value around each cell) or erosion (the smallest) sweep a map.

    Dilation is max pooling with stride 1 and ``padding="same"``, erosion its mirror:
    the output keeps the map's size, bright (or dark) regions grow and small specks of
    the other shade vanish. Every number comes from :func:`cnnlab.ops.dilate` /
    :func:`cnnlab.ops.erode`.

    Parameters
    ----------
    feature_map : (H, W) or (H, W, C) array_like, a photo name, or another cnnlab widget
        What :class:`PoolingWidget` takes; the array is copied.
    size : int
        Odd side of the window centred on each cell (3, 5, 7, ...).
    mode : {"dilation", "erosion"}
    channel : int
        Which channel of an ``(H, W, C)`` map to show.
    max_size : int or None
        Longest side the map is shown at (area-averaged down when larger; default 48).
    speed : float, optional
        Steps per second when playing.

    Attributes
    ----------
    output : (H, W[, C]) ndarray
        ``ops.dilate(widget.feature_map, size)`` (or ``ops.erode``), every channel.

    Examples
    --------
    >>> from cnnlab.widgets import MorphologyWidget
    >>> MorphologyWidget("coins", size=3)
    MorphologyWidget(feature_map=coins 303x384 shown at 1/8 → 38x48, size=3, mode='dilation', output 38x48)

    Introduced in lesson 04.
    """

    KIND = "morphology"
    _params = ("feature_map", "size", "mode", "channel", "max_size")

    def __init__(self, feature_map, size=3, mode="dilation", *, channel=0, max_size=48, speed=None):
        super().__init__({"feature_map": feature_map, "size": size, "mode": mode, "channel": channel,
                          "max_size": max_size}, speed=speed)

    def _build(self, values: dict) -> MorphologyScene:
        """Check every argument once, estimate the size, then compute the scene."""
        source = self._source(values["feature_map"], check_max_size(values["max_size"]), downscaled)
        size = v.positive_int(values["size"], "size")
        if size % 2 == 0:
            raise ValueError(f"size must be odd (the window is centred on its cell), got {size}")
        mode = v.choice(values["mode"], "mode", tuple(MODES))
        channel = check_channel(values["channel"], source.array)
        shown = source.array
        cells = shown.shape[0] * shown.shape[1]
        check_budget(2 * cells, shown.size * size * size, "feature_map" if values["max_size"] is None else "max_size",
                     f"a {shape_text(shown.shape[:2])} map")
        return check_scene(morphology_scene(source, size, mode, channel), "feature_map")

    size = parameter("size", "Side of the window centred on each cell.", lambda scene: scene.size[0])
    mode = parameter("mode", '"dilation" or "erosion".', lambda scene: scene.mode)

    def __repr__(self) -> str:
        sc = self._scene
        fm = shown_text(sc.source.label, sc.source.original, sc.source.array.shape)
        extra = f", channel={sc.channel}" if sc.source.array.ndim == 3 else ""
        return (f"MorphologyWidget(feature_map={fm}, size={self.size}, mode={sc.mode!r}{extra}, "
                f"output {shape_text(sc.output.shape)})")
