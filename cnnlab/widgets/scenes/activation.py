"""The activation scene: a feature map before and after ReLU (or another activation), cell by cell."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ... import _colors, ops
from .._text import fmt, shape_text, title_label
from ._common import ChannelScene, Source, clip_words, frozen, plane

__all__ = ["ACTIVATIONS", "LEAKY_SLOPE", "PIXEL_SCALE", "PIXEL_UNITS_ABOVE", "SATURATING", "ActivationScene",
           "activate", "activation_scene", "input_scales", "scale_text"]

#: slope of leaky ReLU for negative inputs (Keras ``LeakyReLU``'s default)
LEAKY_SLOPE = 0.3

#: name -> (formula shown in the widget, colour limits of the result or None for the input's)
ACTIVATIONS = {
    "relu": ("max(0, x)", None),
    "leaky_relu": (f"x if x > 0, else {LEAKY_SLOPE:g} \u00d7 x", None),
    "sigmoid": ("1 / (1 + e^(\u2212x))", (0.0, 1.0)),
    "tanh": ("tanh(x)", (-1.0, 1.0)),
}


#: the activations that flatten out (saturate) for large inputs
SATURATING = ("sigmoid", "tanh")
#: a map with a value beyond this (in magnitude) is taken to be in pixel units, the convolution of a
#: 0-255 photo: sigmoid and tanh would give only 0 and 1 (or -1 and 1) on it
PIXEL_UNITS_ABOVE = 16.0
#: what such a map is multiplied by before sigmoid or tanh: the photo's pixels as 0 to 1, as
#: ``images.to_float`` gives them and as the lessons' plots use them
PIXEL_SCALE = 1 / 255


def input_scales(array: np.ndarray, input_scale) -> dict[str, float]:
    """The factor each activation's input is multiplied by, by activation name.

    Parameters
    ----------
    array : (H, W[, C]) ndarray
        The whole map (every channel), so the factor does not change with the channel shown.
    input_scale : "auto" or float
        A number is used for every activation. ``"auto"`` keeps ReLU and leaky ReLU on the map as it
        is (scaling does not change their picture, and their output stays in the units of the
        convolution before) and gives sigmoid and tanh the map times :data:`PIXEL_SCALE` when it is in
        pixel units (beyond :data:`PIXEL_UNITS_ABOVE`), so that they do not saturate.

    Returns
    -------
    dict
        ``{"relu": 1.0, "leaky_relu": 1.0, "sigmoid": 1 / 255, "tanh": 1 / 255}`` and the like.
    """
    if input_scale != "auto":
        return {name: float(input_scale) for name in ACTIVATIONS}
    pixel_units = float(np.abs(array).max(initial=0.0)) > PIXEL_UNITS_ABOVE
    return {name: PIXEL_SCALE if pixel_units and name in SATURATING else 1.0 for name in ACTIVATIONS}


def scale_text(scale: float) -> str:
    """``"1/255"`` for 1/255 (and any 1/n), else the number as the widget writes it; ``""`` for 1."""
    if scale == 1:
        return ""
    inverse = 1 / scale
    if inverse > 1 and abs(inverse - round(inverse)) < 1e-9 * inverse:
        return f"1/{round(inverse)}"
    return fmt(scale)


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
    scales : dict
        The factor each activation's input is multiplied by (:func:`input_scales`).
    x : ndarray
        The activation's input: ``source.array * scales[activation]``, float32, every channel.
    output : ndarray
        ``activate(x, activation)``, every channel.
    compare : (H, W, 1 + 2 * len(ACTIVATIONS)) float32 ndarray
        For the drawn channel: the map, then for each activation (in :data:`ACTIVATIONS` order) its
        input and its output, so that the widget can show them side by side for any cell.
    in_vmin, in_vmax, vmin, vmax : float
        Colour limits of the input ``x`` and of the output.
    negatives : int
        Negative values in the drawn channel.
    """

    source: Source
    activation: str
    channel: int
    scales: dict
    x: np.ndarray
    output: np.ndarray
    compare: np.ndarray
    in_vmin: float
    in_vmax: float
    vmin: float
    vmax: float
    negatives: int

    kind = "activation"

    @property
    def input_scale(self) -> float:
        """What the map is multiplied by before this activation (1.0: not at all)."""
        return self.scales[self.activation]

    @property
    def input_plane(self) -> np.ndarray:
        """The drawn channel of the activation's input (the map, scaled), ``(H, W)``."""
        return plane(self.x, self.channel)

    @property
    def scale_words(self) -> str:
        """``"input scaled by 1/255 (the photo's pixels as 0 to 1)"``, or ``""`` when not scaled."""
        text = scale_text(self.input_scale)
        if not text:
            return ""
        why = " (the photo's pixels as 0 to 1)" if self.input_scale == PIXEL_SCALE else ""
        return f"input scaled by {text}{why}"

    @property
    def shared_colours(self) -> bool:
        """Whether the input and the output share one colour key (ReLU, leaky ReLU)."""
        return (self.in_vmin, self.in_vmax) == (self.vmin, self.vmax)

    def legend_arrays(self) -> list:
        return [self.input_plane, self.values] if self.shared_colours else [self.values]

    def input_key(self):
        return None if self.shared_colours else ([self.input_plane], self.in_vmin, self.in_vmax)

    def wire(self) -> dict:
        """The drawn channels of the input and the output, and every activation's numbers to compare."""
        return {**super().wire(), "parts_data": self.compare}

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
            "input_scale": self.input_scale, "scale_text": scale_text(self.input_scale),
            "in_clip_note": "" if self.shared_colours else clip_words([self.input_plane], self.in_vmin, self.in_vmax),
            "scale_words": self.scale_words, "compare": list(ACTIVATIONS),
            "stats": self.stats, "title": self.heading(), "describe": self.describe(),
            "params": {"activation": self.activation, "channel": str(self.channel)},
            "options": {"activation": list(ACTIVATIONS), "channel": [str(c) for c in range(channels)]},
        }

    def window(self, step: int) -> tuple[int, int, int, int]:
        """The one cell of ``step``: ``(row, col, 1, 1)``."""
        return ops.window(*self.position(step), 1, 1)

    def panel(self) -> np.ndarray:
        """The input map at one pixel per cell: ``(H, W, 3)`` uint8."""
        return _colors.to_rgb_array(self.input_plane, self.in_vmin, self.in_vmax)

    def describe(self) -> str:
        """``"sigmoid(x) = 1 / (1 + e^(−x)), x = map × 1/255"``: the formula, and what x is when scaled."""
        formula = ACTIVATIONS[self.activation][0]
        text = scale_text(self.input_scale)
        return f"{self.activation}(x) = {formula}" + (f", x = map \u00d7 {text}" if text else "")

    def heading(self) -> str:
        return f"Activation {self.activation}: {title_label(self.source.label, self.source.array.shape)}"

    def title(self) -> str:
        return f"{self.heading()}: {self.stats}"

    def caption(self, step: int) -> str:
        r, c = self.position(step)
        x, y = self.input_plane[r, c], self.output_plane[r, c]
        text = scale_text(self.input_scale)
        given = f"{fmt(plane(self.source.array, self.channel)[r, c])} \u00d7 {text} = " if text else ""
        return f"step {step + 1} of {self.steps}: {self.activation}({given}{fmt(x)}) = {fmt(y)} at [{r}, {c}]"

    def __repr__(self) -> str:
        return f"ActivationScene({shape_text(self.source.array.shape)}, {self.activation})"


def activation_scene(source: Source, activation: str, channel: int, input_scale="auto") -> ActivationScene:
    """Compute an activation scene from validated arguments (see :mod:`.._inputs`); pure.

    Parameters
    ----------
    source : Source
        A float32 map.
    activation : {"relu", "leaky_relu", "sigmoid", "tanh"}
    channel : int
    input_scale : "auto" or positive float
        See :func:`input_scales`.

    Returns
    -------
    ActivationScene
    """
    scales = input_scales(source.array, input_scale)
    x = _scaled(source.array, scales[activation])
    out = activate(x, activation)
    map_in = plane(x, channel)
    in_vmin, in_vmax = _colors.limits(map_in)
    out_limits = ACTIVATIONS[activation][1]
    vmin, vmax = out_limits if out_limits else (in_vmin, in_vmax)
    shown = plane(source.array, channel)
    columns = [shown]
    for name, scale in scales.items():
        given = _scaled(shown, scale)
        columns += [given, activate(given, name)]
    compare = np.stack(columns, axis=-1).astype(np.float32)
    return ActivationScene(source, activation, channel, scales, frozen(x), frozen(out), frozen(compare),
                           in_vmin, in_vmax, vmin, vmax, int((map_in < 0).sum()))


def _scaled(array: np.ndarray, scale: float) -> np.ndarray:
    """``array * scale`` as float32 (the array itself when ``scale`` is 1)."""
    return array if scale == 1 else (array.astype(np.float64) * scale).astype(np.float32)
