"""PoolingWidget: a pooling window shrinking a feature map, one window at a time."""

from __future__ import annotations

import numpy as np

from .. import _validate as v
from .. import ops
from ._base import AnimatedWidget, parameter
from ._inputs import check_budget, check_channel, check_max_size, downscaled, take_map
from ._protocol import check_scene
from ._text import compact_pair, shape_text, shown_text
from .scenes.pooling import MODES, PoolingScene, pooling_scene

__all__ = ["MapWindowWidget", "PoolingWidget"]


class MapWindowWidget(AnimatedWidget):
    """What the kinds that slide a window over one feature map share (pooling, morphology).

    The map (``feature_map``, copied when given), the channel shown, ``max_size``, and the
    values under the window of a step. A subclass adds its window's parameters and ``_build``.
    """

    def _take(self, name: str, value):
        """The map is checked and copied when given (a widget: its output now)."""
        return take_map(value, "feature_map") if name == "feature_map" else value

    feature_map = parameter("feature_map", "The (downscaled) map the widget uses, every channel (a copy).",
                            lambda scene: scene.source.array.copy())
    channel = parameter("channel", "Channel shown.", lambda scene: scene.channel)
    max_size = parameter("max_size", "Longest side the map is shown at.")

    @property
    def shown_output(self) -> np.ndarray:
        """The channel drawn on the output canvas (``output`` itself for a 2-D map)."""
        return self._scene.output_plane.copy()

    def window(self, step: int | None = None) -> np.ndarray:
        """The shown channel's values under the window at ``step`` (cells outside the map left out)."""
        return self._scene.window_values(self._step_arg(step))


class PoolingWidget(MapWindowWidget):
    """Watch max or average pooling slide over a feature map and the pooled map fill in.

    For max pooling the zoom panel highlights the winning cell; for average
    pooling it writes the average out. Every number comes from
    :func:`cnnlab.ops.max_pool` / :func:`cnnlab.ops.avg_pool`.

    Parameters
    ----------
    feature_map : (H, W) or (H, W, C) array_like, a photo name, or another cnnlab widget
        A photo name (``"coins"``) pools that photo's grayscale; a widget pools its ``output``
        (as it is now). A Keras layer's output, ``(H, W, F)`` or a batch of one
        ``(1, H, W, F)``, pools every filter's map and shows ``channel``. The array is copied.
    size : int or (int, int)
        Window height and width.
    stride : int, (int, int) or None
        Step between windows; ``None`` means ``stride = size``.
    mode : {"max", "avg"}
    padding : {"valid", "same"}
    channel : int
        Which channel of an ``(H, W, C)`` map to show.
    max_size : int or None
        Longest side the map is shown at (area-averaged down when larger; default 64).
    speed : float, optional
        Steps per second when playing.

    Attributes
    ----------
    output : (H', W'[, C]) ndarray
        ``ops.max_pool(widget.feature_map, size, stride, padding)`` (or ``avg_pool``), every channel.

    Examples
    --------
    >>> from cnnlab.widgets import PoolingWidget
    >>> PoolingWidget("coins")  # doctest: +NORMALIZE_WHITESPACE
    PoolingWidget(feature_map=coins 303x384 shown at 1/6 → 50x64, size=2, stride=None,
                  mode='max', output 25x32)

    Introduced in lesson 04.
    """

    KIND = "pooling"

    _params = ("feature_map", "size", "stride", "mode", "padding", "channel", "max_size")

    def __init__(self, feature_map, size=2, stride=None, mode="max", *, padding="valid", channel=0,
                 max_size=64, speed=None):
        super().__init__({"feature_map": feature_map, "size": size, "stride": stride, "mode": mode,
                          "padding": padding, "channel": channel, "max_size": max_size}, speed=speed)

    def _build(self, values: dict) -> PoolingScene:
        """Check every argument once, estimate the size, then compute the scene."""
        source = self._source(values["feature_map"], check_max_size(values["max_size"]), downscaled)
        size = v.positive_pair(values["size"], "size")
        stride = None if values["stride"] in (None, "auto") else v.positive_pair(values["stride"], "stride")
        mode = v.choice(values["mode"], "mode", MODES)
        padding = v.padding(values["padding"])
        if not isinstance(padding, str):
            raise ValueError(f'padding must be "valid" or "same" for pooling, got {padding!r}')  # noqa: TRY004
        channel = check_channel(values["channel"], source.array)
        shown = source.array
        if padding == "valid" and (shown.shape[0] < size[0] or shown.shape[1] < size[1]):
            note = "" if shown.shape == source.original else f" (shown at {shape_text(shown.shape)}; try a larger max_size)"
            raise ValueError(f"size {size} is larger than feature_map's height and width {shown.shape[:2]} "
                             f"with padding='valid'{note}")
        out_h, out_w = (ops.output_size(shown.shape[a], size[a], (stride or size)[a], padding) for a in (0, 1))
        channels = 1 if shown.ndim == 2 else shown.shape[2]
        check_budget(shown.shape[0] * shown.shape[1] + out_h * out_w, (out_h * out_w * channels + shown.size)
                     * size[0] * size[1], "feature_map" if values["max_size"] is None else "max_size",
                     f"a {out_h}x{out_w} pooled map")
        return check_scene(pooling_scene(source, size, stride, mode, padding, channel), "feature_map")

    size = parameter("size", "Window height and width.", lambda scene: compact_pair(scene.size))
    stride = parameter("stride", "Step between windows (None: the window size).",
                       lambda scene: None if scene.stride is None else compact_pair(scene.stride))
    mode = parameter("mode", '"max" or "avg".', lambda scene: scene.mode)
    padding = parameter("padding", '"valid" or "same".', lambda scene: scene.padding)

    def __repr__(self) -> str:
        sc = self._scene
        fm = shown_text(sc.source.label, sc.source.original, sc.source.array.shape)
        extra = f", padding={sc.padding!r}" if sc.padding != "valid" else ""
        extra += f", channel={sc.channel}" if sc.source.array.ndim == 3 else ""
        return (f"PoolingWidget(feature_map={fm}, size={self.size!r}, stride={self.stride!r}, "
                f"mode={sc.mode!r}{extra}, output {shape_text(sc.output.shape)})")
