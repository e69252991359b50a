"""Reading digits with a model in one pass: the probabilities and the first convolution layer's maps.

:func:`cnnlab.training.feature_maps` gives every layer's maps of a digit, once; a :class:`DigitReader`
is for reading many drawings quickly (the draw widget reads one per stroke): it builds the two-output
model once and traces its call.

Introduced in lesson 07b.
"""

from __future__ import annotations

import math
import threading

import numpy as np

from ..images import mnist_style

__all__ = ["DigitReader", "shipped_model", "shipped_model_loaded", "warm_reader"]


_SHIPPED_LOCK = threading.Lock()
_shipped: list = []   # the shipped model, once loaded


def shipped_model():
    """The shipped digits model (:func:`cnnlab.training.load_digits_model`), loaded once per session
    by whichever thread asks first."""
    with _SHIPPED_LOCK:
        if not _shipped:
            from .. import training  # through the package: a test may hold the load there

            _shipped.append(training.load_digits_model())
        return _shipped[0]


def shipped_model_loaded() -> bool:
    """Whether :func:`shipped_model` has loaded the model already (a call then returns at once)."""
    return bool(_shipped)


def warm_reader(model) -> DigitReader:
    """A :class:`DigitReader` of ``model`` that has read once: the first reading builds the model's
    graph and loads the resampling code, which should not happen on the learner's first stroke."""
    reader = DigitReader(model)
    reader(mnist_style(np.eye(8, dtype=np.uint8)))
    return reader


class DigitReader:
    """A digits model and its first convolution layer, called together in one pass.

    Parameters
    ----------
    model : keras.Model
        Takes uint8 digits ``(N, 28, 28)`` and gives ``(N, 10)`` probabilities (as
        :func:`cnnlab.training.load_digits_model` and :func:`cnnlab.training.train` give).

    Attributes
    ----------
    layer : str or None
        The name of the first ``Conv2D`` layer, whose maps are returned (``None`` if the
        model has none or its layers cannot be reached from its input).
    """

    def __init__(self, model):
        if not callable(model) or not hasattr(model, "layers"):
            raise TypeError(f"model must be a Keras model that takes (N, 28, 28) digits, "
                            f"got {type(model).__name__}")
        outputs = getattr(model, "outputs", None)
        if not outputs or tuple(outputs[0].shape[1:]) != (10,):
            shape = None if not outputs else tuple(outputs[0].shape)
            raise ValueError(f"model must give 10 probabilities per digit, (N, 10), got output shape {shape}")
        self.model = model
        self.layer = None
        both = model
        conv = next((layer for layer in model.layers if type(layer).__name__ == "Conv2D"), None)
        if conv is not None:
            import keras

            try:
                inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
                both = keras.Model(inputs, [model.outputs[0], conv.output])
                self.layer = conv.name
            except (ValueError, TypeError, AttributeError):  # a model whose graph is not reachable
                both = model
        spec = model.inputs[0]
        self._shape = (1, *(int(n) for n in spec.shape[1:]))
        if math.prod(self._shape) != 28 * 28:
            raise ValueError(f"model must take 28x28 digits, got input shape {tuple(spec.shape)}")
        self._dtype = np.dtype(getattr(spec.dtype, "name", spec.dtype))
        self._call = _compiled(both, self._shape, self._dtype)

    def __call__(self, digit: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """``(probabilities (10,) float64, maps (h, w, F) float32 or None)`` of one uint8 ``(28, 28)`` digit."""
        out = self._call(np.asarray(digit, dtype=self._dtype).reshape(self._shape))
        if self.layer is None:
            return np.asarray(out, dtype=np.float64)[0], None
        probs, maps = out
        return np.asarray(probs, dtype=np.float64)[0], np.asarray(maps, dtype=np.float32)[0]


def _compiled(model, shape: tuple, dtype: np.dtype):
    """``model(x, training=False)`` traced once as a TensorFlow graph for inputs of ``shape``.

    A traced call takes about 1 ms where Keras' eager call takes 8-20 ms, which matters: the
    reading must be on screen within 100 ms of the stroke. Without TensorFlow, the eager call.
    """
    def call(x):
        return model(x, training=False)

    try:
        import tensorflow as tf

        return tf.function(call, input_signature=[tf.TensorSpec(shape, tf.as_dtype(dtype))], autograph=False)
    except ImportError:  # another Keras back end
        return call
