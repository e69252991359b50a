"""PoolingWidget: a pooling window shrinking a feature map, one window at a time."""

from __future__ import annotations

import numpy as np

from .. import _validate as v
from .. import ops
from . import _base, _colors
from ._base import AnimatedWidget, fmt, shape_text

__all__ = ["PoolingWidget"]

SIZE_OPTIONS = [2, 3, 4]
STRIDE_OPTIONS = ["auto", 1, 2, 3]
MODES = ("max", "avg")


class PoolingWidget(AnimatedWidget):
    """Watch max or average pooling slide over a feature map and the pooled map fill in.

    For max pooling the zoom panel highlights the winning cell; for average
    pooling it writes the average out. Every number comes from
    :func:`cnnlab.ops.max_pool` / :func:`cnnlab.ops.avg_pool`.

    Parameters
    ----------
    feature_map : (H, W) or (H, W, C) array_like, a photo name, or another cnnlab widget
        A photo name (``"coins"``) pools that photo's grayscale; a widget pools its ``output``.
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

    _params = ("feature_map", "size", "stride", "mode", "padding", "channel", "max_size")

    def __init__(self, feature_map, size=2, stride=None, mode="max", *, padding="valid", channel=0,
                 max_size=64, speed=None):
        super().__init__({"feature_map": feature_map, "size": size, "stride": stride, "mode": mode,
                          "padding": padding, "channel": channel, "max_size": max_size}, speed=speed)

    def _compute(self, p: dict) -> dict:
        max_size = _base.check_max_size(p["max_size"])
        old = getattr(self, "_scene", None)
        if old is not None and p["feature_map"] is old["map_arg"] and max_size == old["max_size"]:
            label, original, shown = old["label"], old["original"], old["map"]
        else:
            label, original, shown = _base.load_map(p["feature_map"], "feature_map", max_size)
        size = _base.square_or_pair(p["size"], "size")
        stride = None if p["stride"] in (None, "auto") else _base.square_or_pair(p["stride"], "stride")
        mode = v.choice(p["mode"], "mode", MODES)
        padding = v.padding(p["padding"])
        if not isinstance(padding, str):
            raise ValueError(f'padding must be "valid" or "same" for pooling, got {padding!r}')
        channel = _base.check_channel(p["channel"], shown)
        ph, pw = v.positive_pair(size, "size")
        sh, sw = v.positive_pair(stride if stride is not None else size, "stride")
        if padding == "valid" and (shown.shape[0] < ph or shown.shape[1] < pw):
            note = ("" if shown.shape == original
                    else f" (shown at {shape_text(shown.shape)}; try a larger max_size)")
            raise ValueError(f"size {(ph, pw)} is larger than feature_map's height and width "
                             f"{shown.shape[:2]} with padding='valid'{note}")
        pool = ops.max_pool if mode == "max" else ops.avg_pool
        out = pool(shown, size, stride, padding)
        map_in = _base.plane(shown, channel)
        map_out = _base.plane(out, channel)
        vmin, vmax = _colors.limits(map_in)
        top, bottom = ops.padding_amounts(shown.shape[0], ph, sh, padding)
        left, right = ops.padding_amounts(shown.shape[1], pw, sw, padding)
        channels = 1 if shown.ndim == 2 else shown.shape[2]
        meta = {
            "kind": "pooling",
            "steps": int(map_out.size), "grid": list(map_out.shape), "n": int(map_out.size),
            "in_shape": [shown.shape[0], shown.shape[1], 1], "pad": [top, bottom, left, right],
            "stride": [sh, sw], "ksize": [ph, pw], "mode": mode,
            "vmin": vmin, "vmax": vmax, "in_vmin": vmin, "in_vmax": vmax,
            "title": (f"{'Max' if mode == 'max' else 'Average'} pooling: {_base.title_label(label, shown.shape)}, "
                      f"window {ph}\u00d7{pw}"),
            "describe": ("keeps the largest value of each window" if mode == "max"
                         else "keeps the average of each window"),
            "scale_note": _base.scale_words(original, shown.shape),
            "params": {"size": _base.pair_text(size),
                       "stride": "auto" if stride is None else _base.pair_text(stride),
                       "mode": mode, "padding": padding, "channel": str(channel)},
            "options": {"size": _base.with_value(SIZE_OPTIONS, size),
                        "stride": _base.with_value(STRIDE_OPTIONS, "auto" if stride is None else stride),
                        "mode": list(MODES), "padding": ["valid", "same"],
                        "channel": [str(c) for c in range(channels)]},
        }
        return {
            "map_arg": p["feature_map"], "label": label, "original": original, "map": shown,
            "max_size": max_size, "size": size, "stride": stride, "mode": mode, "padding": padding,
            "channel": channel, "output": out, "shown": map_out.reshape(-1), "grid": map_out.shape,
            "steps": int(map_out.size), "vmin": vmin, "vmax": vmax, "input_wire": map_in,
            "output_wire": map_out, "meta": meta,
        }

    # ------------------------------------------------------------ parameters as properties

    @property
    def feature_map(self) -> np.ndarray:
        """The (downscaled) map the widget pools, every channel (a copy)."""
        return self._scene["map"].copy()

    @feature_map.setter
    def feature_map(self, value):
        self.set(feature_map=value)

    size = property(lambda self: self._scene["size"], lambda self, value: self.set(size=value),
                    doc="Window height and width.")
    stride = property(lambda self: self._scene["stride"], lambda self, value: self.set(stride=value),
                      doc="Step between windows (None: the window size).")
    mode = property(lambda self: self._scene["mode"], lambda self, value: self.set(mode=value),
                    doc='"max" or "avg".')
    padding = property(lambda self: self._scene["padding"], lambda self, value: self.set(padding=value),
                       doc='"valid" or "same".')
    channel = property(lambda self: self._scene["channel"], lambda self, value: self.set(channel=value),
                       doc="Channel shown.")
    max_size = property(lambda self: self._scene["max_size"], lambda self, value: self.set(max_size=value),
                        doc="Longest side the map is shown at.")

    @property
    def scale_note(self) -> str:
        return self._scene["meta"]["scale_note"]

    @property
    def shown_output(self) -> np.ndarray:
        """The pooled channel drawn on the output canvas (``output`` itself for a 2-D map)."""
        return self._scene["output_wire"].copy()

    def window(self, step: int | None = None) -> np.ndarray:
        """The shown channel's values under the window at ``step`` (cells outside the map left out)."""
        step = self._step_arg(step)
        top, _, left, _ = self._scene["meta"]["pad"]
        r0, c0, ph, pw = self._window(step)
        plane = self._scene["input_wire"]
        r0, c0 = r0 - top, c0 - left
        return plane[max(r0, 0):max(r0 + ph, 0), max(c0, 0):max(c0 + pw, 0)]

    # ------------------------------------------------------------ static frames

    def _input_panel(self) -> np.ndarray:
        sc = self._scene
        top, bottom, left, right = sc["meta"]["pad"]
        plane = sc["input_wire"]
        h, w = plane.shape
        panel = _base.pad_pattern(h + top + bottom, w + left + right)
        panel[top:top + h, left:left + w] = _colors.to_rgb_array(plane, sc["vmin"], sc["vmax"])
        return panel

    def _window(self, step):
        r, c = self.position(step)
        sh, sw = self._scene["meta"]["stride"]
        ph, pw = self._scene["meta"]["ksize"]
        return r * sh, c * sw, ph, pw

    def _title(self) -> str:
        sc = self._scene
        return f"{sc['meta']['title']}, stride {_base.pair_text(sc['stride'] or sc['size'])}"

    def _caption(self, step) -> str:
        r, c = self.position(step)
        value = self._scene["output_wire"][r, c]
        what = "largest value" if self._scene["mode"] == "max" else "average"
        return f"step {step + 1} of {self.steps}: {what} of the window = {fmt(value)} \u2192 output[{r}, {c}]"

    def __repr__(self) -> str:
        sc = self._scene
        fm = _base.shown_text(sc["label"], sc["original"], sc["map"].shape)
        extra = f", padding={sc['padding']!r}" if sc["padding"] != "valid" else ""
        extra += f", channel={sc['channel']}" if sc["map"].ndim == 3 else ""
        return (f"PoolingWidget(feature_map={fm}, size={sc['size']!r}, stride={sc['stride']!r}, "
                f"mode={sc['mode']!r}{extra}, output {shape_text(sc['output'].shape)})")
