"""NumPy reference implementations of the layers of a CNN.

Every function here computes exactly what the matching TensorFlow / Keras
operation computes (``tf.nn.conv2d``, ``MaxPooling2D``, ``AveragePooling2D``,
``Dense``, ``tf.nn.softmax``), so a lesson can show the arithmetic in a few
lines of NumPy and then check it against the real layer.

Conventions
-----------
* Images and feature maps are channels-last: ``(H, W)`` or ``(H, W, C)``.
* Kernels are ``(kh, kw)``, ``(kh, kw, C)`` or ``(kh, kw, C, F)`` as in
  ``tf.nn.conv2d``; "convolution" here is cross-correlation (the kernel is
  not flipped), which is what every deep-learning library computes.
* ``padding`` is ``"valid"`` (no padding), ``"same"`` (TensorFlow's rule:
  output size ``ceil(n / stride)``, extra padding on the bottom/right) or a
  non-negative int of zeros added on every side.

Layout
------
The functions live in one module per topic: ``geometry`` (padding amounts,
output sizes, windows, parameter counts), ``conv``, ``activations``,
``pooling``, ``morphology`` (dilate, erode: pooling with stride 1),
``full_connection`` (flatten, dense), and ``backward``: the gradient of each layer, for
backpropagation by hand. Use every name from
here, as ``cnnlab.ops.conv2d``. The size caps :data:`MAX_ELEMENTS` and
:data:`MAX_LOOP_STEPS` are read from here when a function runs, so setting
``cnnlab.ops.MAX_ELEMENTS`` takes effect.
"""

from __future__ import annotations

from ._common import MAX_ELEMENTS
from .activations import leaky_relu, relu, sigmoid, softmax, tanh
from .backward import (
    conv2d_backward,
    cross_entropy_backward,
    dense_backward,
    max_pool_backward,
    relu_backward,
)
from .conv import MAX_LOOP_STEPS, conv2d, conv2d_loops, pad
from .full_connection import dense, flatten
from .geometry import Span, conv2d_params, dense_params, output_size, padding_amounts, receptive_field, window
from .morphology import dilate, erode
from .pooling import avg_pool, max_pool

__all__ = [
    "MAX_ELEMENTS",
    "MAX_LOOP_STEPS",
    "Span",
    "avg_pool",
    "conv2d",
    "conv2d_backward",
    "conv2d_loops",
    "conv2d_params",
    "cross_entropy_backward",
    "dense",
    "dense_backward",
    "dense_params",
    "dilate",
    "erode",
    "flatten",
    "leaky_relu",
    "max_pool",
    "max_pool_backward",
    "output_size",
    "pad",
    "padding_amounts",
    "receptive_field",
    "relu",
    "relu_backward",
    "sigmoid",
    "softmax",
    "tanh",
    "window",
]
