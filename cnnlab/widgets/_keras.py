"""A trained Keras convolution layer as a widget's kernel, found by duck typing.

Nothing here imports TensorFlow or Keras: a layer is recognised by what it has
(``get_weights``, ``kernel_size``, ``filters``), and its weights are copied out
as NumPy arrays when it is given, so training it further changes nothing until
it is given again.

Examples
--------
>>> import keras                                                         # doctest: +SKIP
>>> conv = keras.layers.Conv2D(8, 3)                                     # doctest: +SKIP
>>> conv.build((None, 28, 28, 1))                                        # doctest: +SKIP
>>> layer_kernel(conv).filter_kernel(3).shape                            # doctest: +SKIP
(3, 3)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _validate as v

__all__ = ["LayerKernel", "is_keras_layer", "layer_kernel"]

#: layer classes that have kernel_size and filters but are not a plain 2-D convolution
_REFUSED = ("Transpose", "Depthwise", "Separable", "Conv1D", "Conv3D")


def is_keras_layer(value) -> bool:
    """Whether ``value`` looks like a Keras convolution layer (no import of Keras needed)."""
    return all(hasattr(value, attr) for attr in ("get_weights", "kernel_size", "filters"))


@dataclass(frozen=True, eq=False)
class LayerKernel:
    """A ``Conv2D`` layer's weights as taken in.

    Attributes
    ----------
    layer_name : str
    weights : (kh, kw, C, F) float32 ndarray, read-only
    bias : (F,) float32 ndarray, read-only (zeros when the layer has no bias)
    use_bias : bool
    stride : (int, int)
        The layer's ``strides``.
    padding : {"valid", "same"}
        The layer's ``padding``.
    activation : str
        The name of the layer's activation (``"relu"``, ``"linear"`` ...), applied after the bias.
    """

    layer_name: str
    weights: np.ndarray
    bias: np.ndarray
    use_bias: bool
    stride: tuple
    padding: str
    activation: str

    @property
    def filters(self) -> int:
        return int(self.weights.shape[3])

    @property
    def label(self) -> str:
        """What the kernel select shows: ``"layer conv"``."""
        return f"layer {self.layer_name}"

    def check_filter(self, value) -> int:
        """``value`` as a filter index of this layer (``None`` means 0)."""
        if value is None:
            return 0
        index = v.nonnegative_int(value, "filter")
        if index >= self.filters:
            raise ValueError(f"filter must be between 0 and {self.filters - 1} (layer {self.layer_name!r} "
                             f"has {self.filters} filters), got {index}")
        return index

    def filter_kernel(self, index: int) -> np.ndarray:
        """Filter ``index``'s weights: ``(kh, kw)`` for one input channel, else ``(kh, kw, C)``."""
        kernel = self.weights[:, :, :, index]
        kernel = kernel[:, :, 0] if kernel.shape[2] == 1 else kernel
        out = np.array(kernel, dtype=np.float32)
        out.flags.writeable = False
        return out


def _read_only(arr) -> np.ndarray:
    out = np.array(arr, dtype=np.float32)
    out.flags.writeable = False
    return out


def _config(layer, name: str) -> dict:
    try:
        config = layer.get_config()
    except Exception as exc:  # noqa: BLE001 - anything a foreign object raises is a bad argument
        raise TypeError(f"{name} looks like a Keras layer but get_config() failed: {exc}") from None
    if not isinstance(config, dict):
        raise TypeError(f"{name} looks like a Keras layer but its config is not a dict")
    return config


def layer_kernel(layer, name: str = "kernel") -> LayerKernel:
    """The weights of a built Keras ``Conv2D`` layer, checked and copied.

    Raises ``ValueError`` / ``TypeError`` naming ``name`` for a layer that is not built, is
    not a plain 2-D convolution (transposed, depthwise, dilated, grouped, channels first),
    or holds non-finite weights.
    """
    kind = type(layer).__name__
    if any(word in kind for word in _REFUSED):
        raise TypeError(f"{name} must be a Keras Conv2D layer, got a {kind}")
    config = _config(layer, name)
    try:
        weights = list(layer.get_weights())
    except Exception as exc:  # noqa: BLE001 - anything a foreign object raises is a bad argument
        raise TypeError(f"{name} looks like a Keras layer but get_weights() failed: {exc}") from None
    if not weights:
        raise ValueError(f"{name} is a Keras layer with no weights yet: build it first (call the model "
                         f"on data, or model.build(...))")
    kernel = np.asarray(weights[0])
    if kernel.ndim != 4:
        raise ValueError(f"{name} must be a Conv2D layer with a (kh, kw, C, F) kernel, got weights of shape "
                         f"{kernel.shape}")
    if tuple(config.get("dilation_rate", (1, 1))) != (1, 1) or int(config.get("groups", 1)) != 1:
        raise ValueError(f"{name}: the widget shows plain convolutions; this layer is dilated or grouped")
    if config.get("data_format", "channels_last") not in (None, "channels_last"):
        raise ValueError(f"{name} must be a channels_last Conv2D layer")
    padding = str(config.get("padding", "valid")).lower()
    if padding not in ("valid", "same"):
        raise ValueError(f"{name} has padding {padding!r}; the widget knows 'valid' and 'same'")
    use_bias = bool(config.get("use_bias", len(weights) > 1)) and len(weights) > 1
    bias = np.asarray(weights[1]) if use_bias else np.zeros(kernel.shape[3], dtype=np.float32)
    kernel = v.array(kernel, name, (4,))
    bias = v.array(bias, f"{name} bias", (1,))
    if bias.shape != (kernel.shape[3],):
        raise ValueError(f"{name} has {kernel.shape[3]} filters but a bias of shape {bias.shape}")
    activation = config.get("activation", "linear")
    activation = activation if isinstance(activation, str) else type(activation).__name__
    return LayerKernel(str(getattr(layer, "name", "conv")), _read_only(kernel), _read_only(bias), use_bias,
                       v.positive_pair(tuple(config.get("strides", (1, 1))), f"{name} strides"), padding,
                       activation)
