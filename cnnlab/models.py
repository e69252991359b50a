"""Small Keras models for the lessons, and a forward pass written with :mod:`cnnlab.ops`.

TensorFlow / Keras is imported inside the functions, so ``import cnnlab.models``
stays instant; the first call pays the few seconds Keras takes to import.

Examples
--------
>>> from cnnlab import models
>>> model = models.small_cnn()          # Conv-ReLU-MaxPool-Flatten-Dense-softmax
>>> model.count_params()
13610
"""

from __future__ import annotations

import numpy as np

from . import _validate as v
from ._lazy import keras as _keras

__all__ = [
    "cats_dogs_cnn",
    "classic_cnn",
    "forward_with_ops",
    "prepare",
    "small_cnn",
    "train_briefly",
]


def _input_shape(value, name: str = "input_shape") -> tuple[int, int, int]:
    if not isinstance(value, (tuple, list)) or len(value) != 3:
        raise ValueError(f"{name} must be (height, width, channels), got {value!r}")
    return tuple(v.positive_int(n, f"{name}[{i}]") for i, n in enumerate(value))


def small_cnn(input_shape=(28, 28, 1), filters=8, kernel_size=3, pool_size=2, classes=10, seed=0):
    """The smallest complete CNN: Conv2D + ReLU, MaxPooling2D, Flatten, Dense + softmax.

    Parameters
    ----------
    input_shape : (H, W, C)
        One image's shape, channels last.
    filters : int
        Number of 3x3 kernels in the convolution, hence of feature maps.
    kernel_size, pool_size : int
    classes : int
        Number of output probabilities.
    seed : int
        Seeds every weight initialiser, so the same call gives the same weights.

    Returns
    -------
    keras.Sequential
        Layers named ``"conv"``, ``"pool"``, ``"flatten"`` and ``"dense"``; built,
        not compiled (see :func:`train_briefly`).

    Examples
    --------
    >>> [layer.name for layer in small_cnn().layers]
    ['conv', 'pool', 'flatten', 'dense']

    Introduced in lesson 06.
    """
    keras = _keras()
    shape = _input_shape(input_shape)
    filters = v.positive_int(filters, "filters")
    kernel_size = v.positive_int(kernel_size, "kernel_size")
    pool_size = v.positive_int(pool_size, "pool_size")
    classes = v.positive_int(classes, "classes")
    seed = v.nonnegative_int(seed, "seed")
    if kernel_size > min(shape[:2]):
        raise ValueError(f"kernel_size ({kernel_size}) must fit in the input's height and width {shape[:2]}")
    conv_size = min(shape[:2]) - kernel_size + 1
    if pool_size > conv_size:
        raise ValueError(f"pool_size ({pool_size}) must fit in the convolution's output, "
                         f"which is {conv_size} pixels across here")
    init = keras.initializers.GlorotUniform
    model = keras.Sequential([
        keras.Input(shape),
        keras.layers.Conv2D(filters, kernel_size, activation="relu", name="conv",
                            kernel_initializer=init(seed=seed)),
        keras.layers.MaxPooling2D(pool_size, name="pool"),
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dense(classes, activation="softmax", name="dense",
                           kernel_initializer=init(seed=seed + 1)),
    ], name="small_cnn")
    return model


def classic_cnn(input_shape=(28, 28, 1), seed=0):
    """The beginner's digit model of many Keras tutorials: Conv2D(32, 3x3, relu), MaxPooling2D(2), Flatten, Dense(10, softmax).

    One convolution block; keras.io's "Simple MNIST convnet" has two
    (:data:`cnnlab.training.KERAS_IO_CONVNET`).

    Returns
    -------
    keras.Sequential
        Built, not compiled.

    Introduced in lesson 06.
    """
    return small_cnn(input_shape, filters=32, kernel_size=3, pool_size=2, classes=10, seed=seed)


def cats_dogs_cnn(input_shape=(150, 150, 3), seed=0):
    """The classic Keras cats-vs-dogs tutorial's model (four Conv/MaxPool pairs, Dense 512, one sigmoid output).

    Built only to count and compare parameters; nothing is trained or downloaded.

    Returns
    -------
    keras.Sequential

    Introduced in lesson 06.
    """
    shape = _input_shape(input_shape)
    seed = v.nonnegative_int(seed, "seed")
    _check_fits_blocks(shape, blocks=4)
    keras = _keras()
    layers = [keras.Input(shape)]
    for i, filters in enumerate((32, 64, 128, 128)):
        layers += [keras.layers.Conv2D(filters, 3, activation="relu", name=f"conv{i + 1}",
                                       kernel_initializer=keras.initializers.GlorotUniform(seed=seed + i)),
                   keras.layers.MaxPooling2D(2, name=f"pool{i + 1}")]
    layers += [keras.layers.Flatten(name="flatten"),
               keras.layers.Dense(512, activation="relu", name="dense1"),
               keras.layers.Dense(1, activation="sigmoid", name="dense2")]
    return keras.Sequential(layers, name="cats_dogs_cnn")


def _check_fits_blocks(shape, blocks: int) -> None:
    """Raise if ``blocks`` pairs of a 3x3 convolution and a 2x2 pooling leave nothing of ``shape``."""
    size = min(shape[:2])
    for _ in range(blocks):
        size = (size - 2) // 2
        if size < 1:
            smallest = 1
            for _ in range(blocks):
                smallest = 2 * smallest + 2
            raise ValueError(f"input_shape must be at least {smallest}x{smallest} for {blocks} convolution and "
                             f"pooling blocks, got {shape[0]}x{shape[1]}")


def prepare(images) -> np.ndarray:
    """Turn uint8 digits ``(N, H, W)`` into what the models take: float32 ``(N, H, W, 1)`` in [0, 1].

    Parameters
    ----------
    images : (N, H, W) or (N, H, W, C) array_like
        uint8 (0-255) or floats already in [0, 1] (other values raise ``ValueError``).

    Returns
    -------
    (N, H, W, C) float32 ndarray

    Introduced in lesson 06.
    """
    return _prepare(images, "images")


def _prepare(images, name: str) -> np.ndarray:
    arr = v.array(images, name, (3, 4))
    if arr.ndim == 3:
        arr = arr[..., None]
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) / np.float32(255)
    low, high = arr.min(), arr.max()
    if low < 0 or high > 1:
        raise ValueError(f"{name} must be uint8 (0-255) or floats in [0, 1], found values from {low:g} to "
                         f"{high:g}; for pixel values 0-255 pass them as uint8 or divide by 255")
    return arr.astype(np.float32)


def train_briefly(model, x, y, epochs=2, batch_size=64, seed=0):
    """Compile ``model`` (Adam, sparse categorical cross-entropy) and fit it quietly.

    A couple of epochs on the 4,000 offline MNIST digits take a few seconds
    on a laptop CPU; lesson 07 is about training properly.

    Parameters
    ----------
    model : keras.Model
        With a softmax output, e.g. from :func:`small_cnn`.
    x : (N, H, W) uint8 or (N, H, W, C) array_like
        Images; passed through :func:`prepare`.
    y : (N,) array_like of int
        Class labels, 0 up to the model's number of outputs minus one.
    epochs, batch_size : int
    seed : int
        Seeds the shuffling (and every other random choice Keras makes).

    Returns
    -------
    dict
        The training history: ``{"loss": [...], "accuracy": [...]}``.

    Introduced in lesson 06.
    """
    keras = _keras()
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras Model, got {type(model).__name__}")
    classes = model.output_shape[-1]
    if not isinstance(classes, int) or classes < 2:
        raise ValueError(f"model must end in a softmax over at least 2 classes, got output shape "
                         f"{model.output_shape}")
    xs = _prepare(x, "x")
    if xs.shape[1:] != tuple(model.input_shape[1:]):
        raise ValueError(f"x must hold images of shape {tuple(model.input_shape[1:])} for this model "
                         f"(channels last), got {xs.shape[1:]}")
    ys = v.class_labels(y, "y", len(xs), classes)
    epochs = v.positive_int(epochs, "epochs")
    batch_size = v.positive_int(batch_size, "batch_size")
    seed = v.nonnegative_int(seed, "seed")
    keras.utils.set_random_seed(seed)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(xs, ys, epochs=epochs, batch_size=batch_size, verbose=0)
    return {k: [float(x) for x in vals] for k, vals in history.history.items()}


def forward_with_ops(model, image) -> dict[str, np.ndarray]:
    """Run one image through a :func:`small_cnn` model using only :mod:`cnnlab.ops`.

    Parameters
    ----------
    model : keras.Model
        A model from :func:`small_cnn` (layers ``conv``, ``pool``, ``flatten``, ``dense``).
    image : (H, W) or (H, W, C) array_like
        One image, already scaled as the model expects (see :func:`prepare`).

    Returns
    -------
    dict of str -> ndarray
        Every intermediate result in order: ``"input"``, ``"conv"`` (before
        ReLU), ``"relu"``, ``"pool"``, ``"flatten"``, ``"scores"`` and
        ``"probabilities"``. The last equals ``model.predict`` on the same image.

    Introduced in lesson 06.
    """
    from . import ops

    names = [layer.name for layer in getattr(model, "layers", [])]
    if names[:4] != ["conv", "pool", "flatten", "dense"]:
        raise ValueError(f"model must come from cnnlab.models.small_cnn (layers conv, pool, flatten, dense), "
                         f"got layers {names}")
    x = v.array(image, "image", (2, 3)).astype(np.float32)
    kernel, bias = model.get_layer("conv").get_weights()
    pool = model.get_layer("pool")
    weights, dense_bias = model.get_layer("dense").get_weights()
    stages = {"input": x}
    stages["conv"] = ops.conv2d(x, kernel) + bias
    stages["relu"] = ops.relu(stages["conv"])
    stages["pool"] = ops.max_pool(stages["relu"], pool.pool_size, pool.strides)
    stages["flatten"] = ops.flatten(stages["pool"])
    stages["scores"] = ops.dense(stages["flatten"], weights, dense_bias)
    stages["probabilities"] = ops.softmax(stages["scores"])
    return stages
