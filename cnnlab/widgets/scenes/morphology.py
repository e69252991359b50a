"""The morphology scene: dilation (a max filter) or erosion (a min filter), one window per cell.

Both are pooling with stride 1 and ``padding="same"``: the scene is a
:class:`~.pooling.PoolingScene` whose numbers come from :func:`cnnlab.ops.dilate` /
:func:`cnnlab.ops.erode` and whose output keeps the input's size.
"""

from __future__ import annotations

from dataclasses import dataclass

from ... import _colors, ops
from .._text import fmt, title_label, with_value
from ._common import Source, frozen, plane
from .pooling import PoolingScene

__all__ = ["MODES", "SIZE_OPTIONS", "MorphologyScene", "morphology_scene"]

#: what each mode computes, and its op
MODES = {"dilation": ("largest", ops.dilate), "erosion": ("smallest", ops.erode)}
SIZE_OPTIONS = [3, 5, 7]


@dataclass(frozen=True, eq=False)
class MorphologyScene(PoolingScene):
    """Everything a morphology widget shows: a pooling scene with stride 1, ``padding="same"``.

    ``mode`` is ``"dilation"`` or ``"erosion"``; ``output`` is ``ops.dilate(source.array, size)``
    or ``ops.erode(...)``, every channel.
    """

    kind = "morphology"

    def _meta(self) -> dict:
        channels = 1 if self.source.array.ndim == 2 else self.source.array.shape[2]
        size = self.size[0]
        return {
            "in_shape": [*self.source.array.shape[:2], 1], "pad": list(self.pad), "stride": [1, 1],
            "ksize": list(self.size), "mode": self.mode, "word": MODES[self.mode][0],
            "in_vmin": self.vmin, "in_vmax": self.vmax, "title": self.heading(), "describe": self.describe(),
            "params": {"size": str(size), "mode": self.mode, "channel": str(self.channel)},
            "options": {"size": with_value(SIZE_OPTIONS, size), "mode": list(MODES),
                        "channel": [str(c) for c in range(channels)]},
        }

    def describe(self) -> str:
        """``"keeps the largest value around each cell: bright regions grow"`` and the like."""
        grows = "bright" if self.mode == "dilation" else "dark"
        return f"keeps the {MODES[self.mode][0]} value around each cell: {grows} regions grow"

    def heading(self) -> str:
        """``"Dilation: coins, window 3×3"`` (the widget's title)."""
        side = self.size[0]
        return f"{self.mode.capitalize()}: {title_label(self.source.label, self.source.array.shape)}, window {side}\u00d7{side}"

    def title(self) -> str:
        return f"{self.heading()} (pooling with stride 1)"

    def caption(self, step: int) -> str:
        r, c = self.position(step)
        return (f"step {step + 1} of {self.steps}: {MODES[self.mode][0]} value of the window = "
                f"{fmt(self.output_plane[r, c])} \u2192 output[{r}, {c}]")

    def __repr__(self) -> str:
        return f"MorphologyScene({self.mode} {self.size}, {self.grid})"


def morphology_scene(source: Source, size: int, mode: str, channel: int) -> MorphologyScene:
    """Compute a morphology scene from validated arguments (see :mod:`.._inputs`); pure.

    Parameters
    ----------
    source : Source
    size : int
        Odd window side.
    mode : {"dilation", "erosion"}
    channel : int

    Returns
    -------
    MorphologyScene
    """
    shown = source.array
    out = MODES[mode][1](shown, size)
    vmin, vmax = _colors.limits(plane(shown, channel))
    pad = (*ops.padding_amounts(shown.shape[0], size, 1, "same"), *ops.padding_amounts(shown.shape[1], size, 1, "same"))
    return MorphologyScene(source, (size, size), (1, 1), mode, "same", channel, frozen(out), pad, vmin, vmax)
