"""ActivationWidget: a feature map before and after ReLU (or another activation), cell by cell."""

from __future__ import annotations

import numpy as np

from .. import _validate as v
from .. import ops
from . import _base, _colors
from ._base import AnimatedWidget, fmt

__all__ = ["ACTIVATIONS", "ActivationWidget", "activate"]

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
    """Apply ``activation`` to a float32 array with the matching :mod:`cnnlab.ops` function."""
    v.choice(activation, "activation", list(ACTIVATIONS))
    x = np.asarray(x, dtype=np.float32)
    if activation == "relu":
        return ops.relu(x)
    if activation == "leaky_relu":
        return ops.leaky_relu(x, LEAKY_SLOPE)
    if activation == "sigmoid":
        return ops.sigmoid(x)
    return ops.tanh(x)


class ActivationWidget(AnimatedWidget):
    """See what an activation does to every value of a feature map, one cell at a time.

    Both maps use diverging colours (negative blue, zero white, positive red)
    with the same limits, so the negatives ReLU turns into 0 visibly turn
    white; the widget counts them.

    Parameters
    ----------
    feature_map : (H, W) or (H, W, C) array_like, or another cnnlab widget
        Typically ``ConvolutionWidget(...).output`` (or the widget itself).
    activation : {"relu", "leaky_relu", "sigmoid", "tanh"}
        ``relu`` is :func:`cnnlab.ops.relu`; ``leaky_relu`` keeps ``0.3 × x`` for negatives.
    channel : int
        Which channel of an ``(H, W, C)`` map to show.
    max_size : int or None
        Longest side the map is shown at (area-averaged down when larger; default 64).
    speed : float, optional
        Steps per second when playing.

    Examples
    --------
    >>> import numpy as np
    >>> w = ActivationWidget(np.array([[-2.0, 1.0], [0.5, -1.0]]))
    >>> w.output.tolist()
    [[0.0, 1.0], [0.5, 0.0]]
    >>> w.negatives
    2

    Introduced in lesson 03.
    """

    _params = ("feature_map", "activation", "channel", "max_size")

    def __init__(self, feature_map, activation="relu", *, channel=0, max_size=64, speed=None):
        super().__init__({"feature_map": feature_map, "activation": activation, "channel": channel,
                          "max_size": max_size}, speed=speed)

    def _compute(self, p: dict) -> dict:
        max_size = _base.check_max_size(p["max_size"])
        old = getattr(self, "_scene", None)
        if old is not None and p["feature_map"] is old["map_arg"] and max_size == old["max_size"]:
            label, original, shown = old["label"], old["original"], old["map"]
        else:
            label, original, shown = _base.load_map(p["feature_map"], "feature_map", max_size, photo_ok=False)
            shown = shown.astype(np.float32)
        activation = v.choice(p["activation"], "activation", list(ACTIVATIONS))
        channel = _base.check_channel(p["channel"], shown)
        out = activate(shown, activation)
        map_in, map_out = _base.plane(shown, channel), _base.plane(out, channel)
        in_vmin, in_vmax = _colors.limits(map_in)
        formula, out_limits = ACTIVATIONS[activation]
        vmin, vmax = out_limits if out_limits else (in_vmin, in_vmax)
        negatives, total = int((map_in < 0).sum()), int(map_in.size)
        stats = _stats_text(activation, negatives, total)
        channels = 1 if shown.ndim == 2 else shown.shape[2]
        meta = {
            "kind": "activation",
            "steps": total, "grid": list(map_in.shape), "n": total, "in_shape": [*map_in.shape, 1],
            "pad": [0, 0, 0, 0], "stride": [1, 1], "ksize": [1, 1],
            "activation": activation, "formula": formula, "slope": LEAKY_SLOPE,
            "vmin": vmin, "vmax": vmax, "in_vmin": in_vmin, "in_vmax": in_vmax,
            "negatives": negatives, "total": total, "stats": stats,
            "title": f"Activation {activation}: {_base.title_label(label, shown.shape)}",
            "describe": f"{activation}(x) = {formula}",
            "scale_note": _base.scale_words(original, shown.shape),
            "params": {"activation": activation, "channel": str(channel)},
            "options": {"activation": list(ACTIVATIONS), "channel": [str(c) for c in range(channels)]},
        }
        return {
            "map_arg": p["feature_map"], "label": label, "original": original, "map": shown,
            "max_size": max_size, "activation": activation, "channel": channel, "output": out,
            "shown": map_out.reshape(-1), "grid": map_in.shape, "steps": total, "vmin": vmin, "vmax": vmax,
            "input_wire": map_in, "output_wire": map_out, "meta": meta, "negatives": negatives,
        }

    @property
    def feature_map(self) -> np.ndarray:
        """The (downscaled) float32 map before the activation, every channel (a copy)."""
        return self._scene["map"].copy()

    @feature_map.setter
    def feature_map(self, value):
        self.set(feature_map=value)

    activation = property(lambda self: self._scene["activation"],
                          lambda self, value: self.set(activation=value), doc="The activation's name.")
    channel = property(lambda self: self._scene["channel"], lambda self, value: self.set(channel=value),
                       doc="Channel shown.")
    max_size = property(lambda self: self._scene["max_size"], lambda self, value: self.set(max_size=value),
                        doc="Longest side the map is shown at.")

    @property
    def negatives(self) -> int:
        """How many values of the shown channel are negative (ReLU turns them into 0)."""
        return self._scene["negatives"]

    @property
    def shown_output(self) -> np.ndarray:
        """The channel drawn on the output canvas."""
        return self._scene["output_wire"].copy()

    @property
    def scale_note(self) -> str:
        return self._scene["meta"]["scale_note"]

    def _input_panel(self) -> np.ndarray:
        meta = self._scene["meta"]
        return _colors.to_rgb_array(self._scene["input_wire"], meta["in_vmin"], meta["in_vmax"])

    def _window(self, step):
        r, c = self.position(step)
        return r, c, 1, 1

    def _title(self) -> str:
        sc = self._scene
        return f"{sc['meta']['title']}: {sc['meta']['stats']}"

    def _caption(self, step) -> str:
        r, c = self.position(step)
        x, y = self._scene["input_wire"][r, c], self._scene["output_wire"][r, c]
        name = self._scene["activation"]
        return f"step {step + 1} of {self.steps}: {name}({fmt(x)}) = {fmt(y)} at [{r}, {c}]"

    def __repr__(self) -> str:
        sc = self._scene
        fm = _base.shown_text(sc["label"], sc["original"], sc["map"].shape)
        extra = f", channel={sc['channel']}" if sc["map"].ndim == 3 else ""
        return (f"ActivationWidget(feature_map={fm}, activation={sc['activation']!r}{extra}, "
                f"{sc['negatives']} of {sc['steps']} values negative)")


def _stats_text(activation: str, negatives: int, total: int) -> str:
    share = f"{negatives:,} of {total:,} values ({100 * negatives / total:.1f}%) were negative"
    if activation == "relu":
        return share + " and became 0"
    if activation == "leaky_relu":
        return share + f" and were multiplied by {LEAKY_SLOPE:g}"
    if activation == "sigmoid":
        return share + " and became less than 0.5; every value is now between 0 and 1"
    return share + " and stayed negative; every value is now between \u22121 and 1"
