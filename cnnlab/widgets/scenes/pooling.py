"""The pooling scene: a window sliding over a feature map, every number from ``ops.max_pool`` / ``avg_pool``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ... import _colors, ops
from .._text import compact_pair, fmt, pair_text, shape_text, title_label, with_value
from ._common import ChannelScene, Source, frozen, padded_panel, plane

__all__ = ["MODES", "PoolingScene", "pooling_scene"]

SIZE_OPTIONS = [2, 3, 4]
STRIDE_OPTIONS = ["auto", 1, 2, 3]
MODES = ("max", "avg")


@dataclass(frozen=True, eq=False)
class PoolingScene(ChannelScene):
    """Everything a pooling widget shows, computed once.

    Attributes
    ----------
    source : Source
        The map pooled, ``(H, W)`` or ``(H, W, C)``.
    size : (int, int)
    stride : (int, int) or None
        ``None`` means the window size ("auto").
    mode : {"max", "avg"}
    padding : {"valid", "same"}
    channel : int
        The channel drawn.
    output : (H', W'[, C]) ndarray
        Every channel pooled.
    pad : (top, bottom, left, right)
    vmin, vmax : float
        Colour limits of the drawn channel of the input, used for both maps.
    """

    source: Source
    size: tuple
    stride: tuple | None
    mode: str
    padding: str
    channel: int
    output: np.ndarray
    pad: tuple
    vmin: float
    vmax: float

    kind = "pooling"

    @property
    def steps_stride(self) -> tuple[int, int]:
        """The stride actually used: ``stride``, or ``size`` when it is None."""
        return self.size if self.stride is None else self.stride

    def _meta(self) -> dict:
        shown, (ph, pw) = self.source.array, self.size
        size, stride = compact_pair(self.size), "auto" if self.stride is None else compact_pair(self.stride)
        channels = 1 if shown.ndim == 2 else shown.shape[2]
        return {
            "in_shape": [shown.shape[0], shown.shape[1], 1], "pad": list(self.pad),
            "stride": list(self.steps_stride), "ksize": [ph, pw], "mode": self.mode,
            "in_vmin": self.vmin, "in_vmax": self.vmax, "title": self.heading(),
            "describe": ("keeps the largest value of each window" if self.mode == "max"
                         else "keeps the average of each window"),
            "params": {"size": pair_text(size), "stride": stride if stride == "auto" else pair_text(stride), "mode": self.mode,
                       "padding": self.padding, "channel": str(self.channel)},
            "options": {"size": with_value(SIZE_OPTIONS, size), "stride": with_value(STRIDE_OPTIONS, stride),
                        "mode": list(MODES), "padding": ["valid", "same"],
                        "channel": [str(c) for c in range(channels)]},
        }

    def legend_arrays(self) -> list:
        """Both maps: they share one colour key."""
        return [self.input_plane, self.values]

    def window(self, step: int) -> tuple[int, int, int, int]:
        """``(top, left, height, width)`` of the pooling window at ``step``, in padded-input cells."""
        return ops.window(*self.position(step), self.size, self.steps_stride)

    def window_values(self, step: int) -> np.ndarray:
        """The drawn channel's values under the window at ``step`` (cells outside the map left out)."""
        top, left, h, w = self.window(step)
        top, left = top - self.pad[0], left - self.pad[2]
        return self.input_plane[max(top, 0):max(top + h, 0), max(left, 0):max(left + w, 0)]

    def panel(self) -> np.ndarray:
        """The input panel at one pixel per cell, padding checkered: ``(rows, cols, 3)`` uint8."""
        return padded_panel(_colors.to_rgb_array(self.input_plane, self.vmin, self.vmax), self.pad)

    def heading(self) -> str:
        """``"Max pooling: coins, window 2×2"`` (the widget's title)."""
        ph, pw = self.size
        return (f"{'Max' if self.mode == 'max' else 'Average'} pooling: "
                f"{title_label(self.source.label, self.source.array.shape)}, window {ph}\u00d7{pw}")

    def title(self) -> str:
        """The title of a static frame: the heading with the stride."""
        return f"{self.heading()}, stride {pair_text(compact_pair(self.steps_stride))}"

    def caption(self, step: int) -> str:
        r, c = self.position(step)
        what = "largest value" if self.mode == "max" else "average"
        return (f"step {step + 1} of {self.steps}: {what} of the window = {fmt(self.output_plane[r, c])} "
                f"\u2192 output[{r}, {c}]")

    def __repr__(self) -> str:
        return f"PoolingScene({shape_text(self.source.array.shape)}, {self.mode} {self.size}, {self.grid})"


def pooling_scene(source: Source, size: tuple, stride: tuple | None, mode: str, padding: str,
                  channel: int) -> PoolingScene:
    """Compute a pooling scene from validated arguments (see :mod:`.._inputs`); pure.

    Parameters
    ----------
    source : Source
    size : (int, int)
        Fits the map with ``padding`` (checked by the caller).
    stride : (int, int) or None
    mode : {"max", "avg"}
    padding : {"valid", "same"}
    channel : int

    Returns
    -------
    PoolingScene
    """
    shown = source.array
    pool = ops.max_pool if mode == "max" else ops.avg_pool
    out = pool(shown, size, stride, padding)
    vmin, vmax = _colors.limits(plane(shown, channel))
    sh, sw = size if stride is None else stride
    pad = (*ops.padding_amounts(shown.shape[0], size[0], sh, padding),
           *ops.padding_amounts(shown.shape[1], size[1], sw, padding))
    return PoolingScene(source, tuple(size), None if stride is None else tuple(stride), mode, padding, channel,
                        frozen(out), pad, vmin, vmax)
