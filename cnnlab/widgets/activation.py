"""ActivationWidget: a feature map before and after ReLU (or another activation), cell by cell."""

from __future__ import annotations

import numpy as np
import traitlets

from .. import _validate as v
from ._base import AnimatedWidget, parameter
from ._inputs import check_budget, check_channel, check_max_size, downscaled, take_map
from ._protocol import check_scene
from ._serialize import ARRAY
from ._text import shown_text
from .scenes.activation import ACTIVATIONS, ActivationScene, activation_scene, scale_text
from .scenes.activation import activate as _activate

__all__ = ["ACTIVATIONS", "ActivationWidget", "activate"]


def activate(x: np.ndarray, activation: str) -> np.ndarray:
    """Apply ``activation`` to a float32 array with the matching :mod:`cnnlab.ops` function."""
    return _activate(x, v.choice(activation, "activation", list(ACTIVATIONS)))


class ActivationWidget(AnimatedWidget):
    """See what an activation does to every value of a feature map, one cell at a time.

    Both maps use diverging colours (negative blue, zero white, positive red)
    with the same limits, so the negatives ReLU turns into 0 visibly turn
    white; the widget counts them. For every cell it also lists what each of the
    four activations makes of it.

    Sigmoid and tanh flatten out beyond about ±5: on a feature map in pixel units
    (a 0-255 photo's convolution, values in the hundreds) they would give only 0 and
    1. So by default (``input_scale="auto"``) they get such a map times 1/255, the
    photo's pixels as 0 to 1 as the lessons' plots use them, and the widget says so.

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
    input_scale : "auto" or positive float
        What the map is multiplied by before the activation. ``"auto"``: 1/255 for sigmoid
        and tanh when the map has a value beyond ±16 (pixel units), else 1 (ReLU and leaky
        ReLU always get the map as it is). A number: that factor for every activation.
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
    >>> edges = np.array([[-820.0, 0.0], [255.0, 1020.0]])    # pixel units
    >>> ActivationWidget(edges, "sigmoid").input_scale == 1 / 255
    True

    Introduced in lesson 03.
    """

    KIND = "activation"

    parts_data = traitlets.Any(None, allow_none=True).tag(sync=True, **ARRAY)

    _params = ("feature_map", "activation", "channel", "max_size", "input_scale")

    def __init__(self, feature_map, activation="relu", *, channel=0, max_size=64, input_scale="auto",
                 speed=None):
        super().__init__({"feature_map": feature_map, "activation": activation, "channel": channel,
                          "max_size": max_size, "input_scale": input_scale}, speed=speed)

    def _take(self, name: str, value):
        """The map is checked and copied (as float32) when given."""
        if name == "feature_map":
            return take_map(value, "feature_map", photo_ok=False, dtype=np.float32)
        return value

    def _build(self, values: dict) -> ActivationScene:
        """Check every argument once, estimate the size, then compute the scene."""
        source = self._source(values["feature_map"], check_max_size(values["max_size"]), downscaled)
        activation = v.choice(values["activation"], "activation", list(ACTIVATIONS))
        channel = check_channel(values["channel"], source.array)
        h, w = source.array.shape[:2]
        input_scale = _input_scale(values["input_scale"])
        sent = (3 + 2 * len(ACTIVATIONS)) * h * w   # input, output and the numbers to compare
        check_budget(sent, source.array.size, "feature_map" if values["max_size"] is None else "max_size",
                     f"a {h}x{w} map")
        return check_scene(activation_scene(source, activation, channel, input_scale), "feature_map")

    feature_map = parameter("feature_map", "The (downscaled) float32 map before the activation, every "
                            "channel (a copy).", lambda scene: scene.source.array.copy())
    activation = parameter("activation", "The activation's name.", lambda scene: scene.activation)
    channel = parameter("channel", "Channel shown.", lambda scene: scene.channel)
    max_size = parameter("max_size", "Longest side the map is shown at.")

    @property
    def input_scale(self) -> float:
        """What the map is multiplied by before the activation shown (1.0: not at all).

        Set ``"auto"`` or a positive number (see the class docstring).
        """
        return self._scene.input_scale

    @input_scale.setter
    def input_scale(self, value) -> None:
        self.set(input_scale=value)

    @property
    def activation_input(self) -> np.ndarray:
        """What the activation is applied to: ``feature_map * input_scale``, every channel (a copy)."""
        return self._scene.x.copy()

    @property
    def negatives(self) -> int:
        """How many values of the shown channel are negative (ReLU turns them into 0)."""
        return self._scene.negatives

    @property
    def shown_output(self) -> np.ndarray:
        """The channel drawn on the output canvas."""
        return self._scene.output_plane.copy()

    def __repr__(self) -> str:
        sc = self._scene
        fm = shown_text(sc.source.label, sc.source.original, sc.source.array.shape)
        extra = f", channel={sc.channel}" if sc.source.array.ndim == 3 else ""
        if scale_text(sc.input_scale):
            extra += f", input scaled by {scale_text(sc.input_scale)}"
        return (f"ActivationWidget(feature_map={fm}, activation={sc.activation!r}{extra}, "
                f"{sc.negatives} of {sc.steps} values negative)")


def _input_scale(value):
    """``"auto"``, or a positive finite float."""
    if isinstance(value, str):
        if value == "auto":
            return value
        raise ValueError(f"input_scale must be 'auto' or a positive number, got {value!r:.40}")
    value = v.finite_number(value, "input_scale")
    if not value > 0:
        raise ValueError(f"input_scale must be 'auto' or a positive number, got {value:g}")
    return float(value)
