"""Reference answers to the exercises of lessons 01-06, for tests and instructors.

Learners should try the exercises before looking here. Each answer has the
name the lesson uses, and :data:`SOLUTIONS` maps every checker in
:mod:`cnnlab.exercises` to its answer::

    >>> from cnnlab import exercises, solutions
    >>> bool(exercises.check_relu(solutions.my_relu))
    ✓ Correct! ...
    True
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "SOLUTIONS",
    "combined_kernel",
    "conv_params",
    "crop_shape",
    "edge_kernel",
    "flat_index",
    "flat_length",
    "flatten_channels_first",
    "leaky_relu",
    "mirror",
    "my_conv2d",
    "my_dense",
    "my_max_pool",
    "my_relu",
    "my_softmax",
    "out_size",
    "pooled_shape",
    "to_gray",
]

# ---------------------------------------------------------------- lesson 01

#: shape of ``cat[100:150, 200:300]`` for the (300, 451, 3) cat photo
crop_shape = (50, 100, 3)


def mirror(image):
    """Flip left to right: keep the rows, read the columns backwards."""
    return image[:, ::-1]


def to_gray(image):
    """Weighted sum of red, green and blue: 0.299 R + 0.587 G + 0.114 B."""
    return image.astype(float) @ np.array([0.299, 0.587, 0.114])


# ---------------------------------------------------------------- lesson 02


def out_size(n, k, stride=1, padding=0):
    """Output length of a convolution with ``padding`` zeros on each side."""
    return (n + 2 * padding - k) // stride + 1


def my_conv2d(image, kernel):
    """Valid, stride-1 cross-correlation with two loops (what ``ops.conv2d_loops`` does)."""
    kh, kw = kernel.shape
    out_h = image.shape[0] - kh + 1
    out_w = image.shape[1] - kw + 1
    out = np.zeros((out_h, out_w))
    for r in range(out_h):
        for c in range(out_w):
            window = image[r:r + kh, c:c + kw]
            out[r, c] = np.sum(window * kernel)
    return out


#: fires where dark pixels above meet bright pixels below (this is ``sobel_y``)
edge_kernel = np.array([[-1.0, -2.0, -1.0],
                        [0.0, 0.0, 0.0],
                        [1.0, 2.0, 1.0]])


# ---------------------------------------------------------------- lesson 03


def my_relu(x):
    """Keep positive numbers, replace negative ones with 0 (a new array)."""
    return np.maximum(x, 0)


def leaky_relu(x, alpha=0.1):
    """``x`` where positive, ``alpha * x`` where negative."""
    return np.where(x > 0, x, alpha * x)


def _combined_kernel():
    from . import kernels, ops

    first = kernels.get("emboss").astype(np.float64)
    second = kernels.get("sobel_x").astype(np.float64)
    return ops.conv2d(first, second[::-1, ::-1], padding=2)


#: the 5x5 kernel equal to ``emboss`` followed by ``sobel_x``
combined_kernel = _combined_kernel()


# ---------------------------------------------------------------- lesson 04


def pooled_shape(shape, size=2, stride=None):
    """Shape of an (H, W, C) stack after pooling; channels are pooled one by one."""
    if stride is None:
        stride = size
    h, w, c = shape
    return ((h - size) // stride + 1, (w - size) // stride + 1, c)


def my_max_pool(x):
    """2x2 max pooling with stride 2; a leftover row or column is dropped."""
    out_h, out_w = x.shape[0] // 2, x.shape[1] // 2
    out = np.zeros((out_h, out_w))
    for r in range(out_h):
        for c in range(out_w):
            out[r, c] = x[2 * r:2 * r + 2, 2 * c:2 * c + 2].max()
    return out


# ---------------------------------------------------------------- lesson 05

#: numbers in a flattened (13, 13, 32) stack
flat_length = 13 * 13 * 32


def flat_index(row, col, channel, shape):
    """Index of entry ``[row, col, channel]`` in ``ops.flatten`` of a stack of ``shape``."""
    height, width, channels = shape
    return (row * width + col) * channels + channel


def flatten_channels_first(maps):
    """All of channel 0 row by row, then channel 1 ... (PyTorch's order)."""
    return np.transpose(maps, (2, 0, 1)).reshape(-1)


# ---------------------------------------------------------------- lesson 06


def my_dense(x, weights, bias):
    """Weighted sums of all inputs for every unit, plus each unit's bias."""
    return x @ weights + bias


def my_softmax(z):
    """Probabilities from scores; subtracting the max avoids overflow."""
    e = np.exp(z - np.max(z))
    return e / e.sum()


def conv_params(kernel_size, in_channels, filters):
    """Weights and biases of a Conv2D layer."""
    return (kernel_size * kernel_size * in_channels + 1) * filters


#: checker name -> reference answer
SOLUTIONS = {
    "check_crop_shape": crop_shape,
    "check_mirror": mirror,
    "check_grayscale": to_gray,
    "check_output_size": out_size,
    "check_conv2d": my_conv2d,
    "check_edge_kernel": edge_kernel,
    "check_relu": my_relu,
    "check_leaky_relu": leaky_relu,
    "check_combined_kernel": combined_kernel,
    "check_pooled_shape": pooled_shape,
    "check_max_pool": my_max_pool,
    "check_flat_length": flat_length,
    "check_flat_index": flat_index,
    "check_channels_first": flatten_channels_first,
    "check_dense": my_dense,
    "check_softmax": my_softmax,
    "check_conv_params": conv_params,
}
