"""The activation scene: a feature map before and after ReLU (or another activation), cell by cell."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ... import _colors, ops
from .._text import fmt, shape_text, title_label
from ._common import ChannelScene, Source, frozen, plane

__all__ = ["ACTIVATIONS", "LEAKY_SLOPE", "ActivationScene", "activate", "activation_scene"]

#: slope of leaky ReLU for negative inputs (Keras ``LeakyReLU``'s default)
LEAKY_SLOPE = 0.3

#: name -> (formula shown in the widget, colour limits of the result or None for the input's)
ACTIVATIONS = {
    "relu": ("max(0, x)", None),
    "leaky_relu": (f"x if x > 0, else {LEAKY_SLOPE:g} \u00d7 x", None),
    "sigmoid": ("1 / (1 + e^(\u2212x))", (0.0, 1.0)),
    "tanh": ("tanh(x)", (-1.0, 1.0)),
}


def activate(x: np.ndarray, activation: str) -> np.ndarray:
    """Apply ``activation`` (a key of :data:`ACTIVATIONS`) with the matching :mod:`cnnlab.ops` function."""
    x = np.asarray(x, dtype=np.float32)
    if activation == "relu":
        return ops.relu(x)
    if activation == "leaky_relu":
        return ops.leaky_relu(x, LEAKY_SLOPE)
    if activation == "sigmoid":
        return ops.sigmoid(x)
    return ops.tanh(x)


@dataclass(frozen=True, eq=False)
class ActivationScene(ChannelScene):
    """Everything an activation widget shows, computed once.

    Attributes
    ----------
    source : Source
        The float32 map, ``(H, W)`` or ``(H, W, C)``.
    activation : str
    channel : int
    output : ndarray
        ``activate(source.array, activation)``, every channel.
    in_vmin, in_vmax, vmin, vmax : float
        Colour limits of the input and of the output.
    negatives : int
        Negative values in the drawn channel.
    """

    source: Source
    activation: str
    channel: int
    output: np.ndarray
    in_vmin: float
    in_vmax: float
    vmin: float
    vmax: float
    negatives: int

    kind = "activation"

    @property
    def stats(self) -> str:
        """``"30 of 80 values (37.5%) were negative and became 0"`` and the like."""
        negatives, total = self.negatives, self.steps
        share = f"{negatives:,} of {total:,} values ({100 * negatives / total:.1f}%) were negative"
        if self.activation == "relu":
            return share + " and became 0"
        if self.activation == "leaky_relu":
            return share + f" and were multiplied by {LEAKY_SLOPE:g}"
        if self.activation == "sigmoid":
            return share + " and became less than 0.5; every value is now between 0 and 1"
        return share + " and stayed negative; every value is now between \u22121 and 1"

    def _meta(self) -> dict:
        formula = ACTIVATIONS[self.activation][0]
        channels = 1 if self.source.array.ndim == 2 else self.source.array.shape[2]
        return {
            "in_shape": [*self.grid, 1], "pad": [0, 0, 0, 0], "stride": [1, 1], "ksize": [1, 1],
            "activation": self.activation, "formula": formula, "slope": LEAKY_SLOPE,
            "in_vmin": self.in_vmin, "in_vmax": self.in_vmax, "negatives": self.negatives, "total": self.steps,
            "stats": self.stats, "title": self.heading(), "describe": f"{self.activation}(x) = {formula}",
            "params": {"activation": self.activation, "channel": str(self.channel)},
            "options": {"activation": list(ACTIVATIONS), "channel": [str(c) for c in range(channels)]},
        }

    def window(self, step: int) -> tuple[int, int, int, int]:
        """The one cell of ``step``: ``(row, col, 1, 1)``."""
        return ops.window(*self.position(step), 1, 1)

    def panel(self) -> np.ndarray:
        """The input map at one pixel per cell: ``(H, W, 3)`` uint8."""
        return _colors.to_rgb_array(self.input_plane, self.in_vmin, self.in_vmax)

    def heading(self) -> str:
        return f"Activation {self.activation}: {title_label(self.source.label, self.source.array.shape)}"

    def title(self) -> str:
        return f"{self.heading()}: {self.stats}"

    def caption(self, step: int) -> str:
        r, c = self.position(step)
        x, y = self.input_plane[r, c], self.output_plane[r, c]
        return f"step {step + 1} of {self.steps}: {self.activation}({fmt(x)}) = {fmt(y)} at [{r}, {c}]"

    def __repr__(self) -> str:
        return f"ActivationScene({shape_text(self.source.array.shape)}, {self.activation})"


def activation_scene(source: Source, activation: str, channel: int) -> ActivationScene:
    """Compute an activation scene from validated arguments (see :mod:`.._inputs`); pure.

    Parameters
    ----------
    source : Source
        A float32 map.
    activation : {"relu", "leaky_relu", "sigmoid", "tanh"}
    channel : int

    Returns
    -------
    ActivationScene
    """
    out = activate(source.array, activation)
    map_in = plane(source.array, channel)
    in_vmin, in_vmax = _colors.limits(map_in)
    out_limits = ACTIVATIONS[activation][1]
    vmin, vmax = out_limits if out_limits else (in_vmin, in_vmax)
    return ActivationScene(source, activation, channel, frozen(out), in_vmin, in_vmax, vmin, vmax,
                           int((map_in < 0).sum()))
