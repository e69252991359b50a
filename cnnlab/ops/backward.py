"""Backpropagation by hand: the gradient of each layer, given the gradient of what comes after it.

Each function takes what its layer's forward function took, plus ``grad_out``,
the gradient of the loss with respect to the layer's output (same shape as that
output), and returns the gradient with respect to the layer's input (and its
weights). Chained from the loss back to the image, they are backpropagation; each
is checked against ``tf.GradientTape`` in ``tests/test_ops_backward.py``.

Introduced in lesson 07.
"""

from __future__ import annotations

import numpy as np

from .. import _validate as v
from .activations import softmax
from .conv import _image_and_kernel, pad
from .geometry import output_size

__all__ = ["conv2d_backward", "cross_entropy_backward", "dense_backward", "max_pool_backward",
           "relu_backward"]


def _same_shape(grad_out, shape, name="grad_out") -> np.ndarray:
    grad = v.array(grad_out, name, (len(shape),))
    if grad.shape != tuple(shape):
        raise ValueError(f"{name} must have the shape of the layer's output {tuple(shape)}, got {grad.shape}")
    return grad


def cross_entropy_backward(scores, label) -> np.ndarray:
    """Gradient of ``-log(softmax(scores)[label])`` with respect to the scores: ``p - one_hot(label)``.

    Parameters
    ----------
    scores : (K,) array_like
        The scores (logits) of one example, before softmax.
    label : int
        The right class, ``0 <= label < K``.

    Returns
    -------
    (K,) ndarray
        The probabilities, minus 1 at the right class.

    Examples
    --------
    >>> cross_entropy_backward(np.zeros(4), 1)
    array([ 0.25, -0.75,  0.25,  0.25])
    """
    z = v.array(scores, "scores", (1,))
    label = v.nonnegative_int(label, "label")
    if label >= len(z):
        raise ValueError(f"label must be a class number below {len(z)}, got {label}")
    grad = softmax(z).astype(np.float64 if z.dtype == np.float64 else np.float32)
    grad[label] -= 1
    return grad


def dense_backward(x, weights, grad_out):
    """Gradients of ``x @ weights + bias`` for one example.

    Parameters
    ----------
    x : (N,) array_like
        The layer's input.
    weights : (N, K) array_like
    grad_out : (K,) array_like
        Gradient of the loss with respect to the layer's output.

    Returns
    -------
    grad_x : (N,) ndarray
        ``weights @ grad_out``: every input collects the gradients of the outputs it fed.
    grad_weights : (N, K) ndarray
        ``outer(x, grad_out)``: weight ``(i, k)`` moves in proportion to the input it multiplies.
    grad_bias : (K,) ndarray
        ``grad_out`` itself.

    Examples
    --------
    >>> gx, gw, gb = dense_backward(np.array([1.0, 2.0]), np.ones((2, 3)), np.array([1.0, 0.0, -1.0]))
    >>> gw.tolist()
    [[1.0, 0.0, -1.0], [2.0, 0.0, -2.0]]
    """
    x = v.array(x, "x", (1,))
    w = v.array(weights, "weights", (2,))
    if w.shape[0] != len(x):
        raise ValueError(f"weights must have one row per input ({len(x)}), got shape {w.shape}")
    grad = _same_shape(grad_out, (w.shape[1],))
    return w @ grad, np.outer(x, grad), grad.copy()


def relu_backward(x, grad_out) -> np.ndarray:
    """Gradient of ``relu(x)``: ``grad_out`` passes where ``x > 0`` and is 0 elsewhere (as TensorFlow, also at 0).

    Parameters
    ----------
    x : (...) array_like
        ReLU's input.
    grad_out : array_like, same shape as ``x``

    Returns
    -------
    ndarray, same shape as ``x``

    Examples
    --------
    >>> relu_backward(np.array([-1.0, 0.0, 2.0]), np.array([5.0, 5.0, 5.0]))
    array([0., 0., 5.])
    """
    x = v.array(x, "x")
    grad = _same_shape(grad_out, x.shape)
    return np.where(x > 0, grad, np.zeros((), grad.dtype))


def max_pool_backward(x, grad_out, size=2) -> np.ndarray:
    """Gradient of ``max_pool(x, size)`` (no overlap, ``"valid"``): each window's gradient goes to its winner.

    Only the largest value of a window reached the output, so only it gets the
    window's gradient; the others get 0. On a tie the first winner in reading order
    gets it, as TensorFlow does on a CPU.

    Parameters
    ----------
    x : (H, W) or (H, W, C) array_like
        Pooling's input.
    grad_out : (H // size, W // size[, C]) array_like
        Gradient of the loss with respect to the pooled map.
    size : int
        Window size and stride.

    Returns
    -------
    ndarray, same shape as ``x``
        Zero everywhere except at the winner of each window; rows and columns
        that no window covered stay 0.

    Examples
    --------
    >>> max_pool_backward(np.array([[1.0, 4.0], [3.0, 2.0]]), np.array([[10.0]]))
    array([[ 0., 10.],
           [ 0.,  0.]])
    """
    x = v.array(x, "x", (2, 3))
    size = v.positive_int(size, "size")
    x3 = x[:, :, None] if x.ndim == 2 else x
    if size > min(x3.shape[:2]):
        raise ValueError(f"size {size} is larger than x's height and width {x.shape[:2]}")
    oh, ow = output_size(x3.shape[0], size, size), output_size(x3.shape[1], size, size)
    grad = _same_shape(grad_out, (oh, ow) + x.shape[2:])
    grad3 = grad[:, :, None] if grad.ndim == 2 else grad
    channels = x3.shape[2]
    # windows: (oh, ow, C, size * size) in reading order inside each window
    windows = x3[:oh * size, :ow * size].reshape(oh, size, ow, size, channels).transpose(0, 2, 4, 1, 3)
    winner = windows.reshape(oh, ow, channels, size * size).argmax(axis=-1)
    routed = np.zeros((oh, ow, channels, size * size), dtype=np.result_type(grad3, np.float32))
    np.put_along_axis(routed, winner[..., None], grad3[..., None], axis=-1)
    out = np.zeros(x3.shape, dtype=routed.dtype)
    out[:oh * size, :ow * size] = (routed.reshape(oh, ow, channels, size, size)
                                   .transpose(0, 3, 1, 4, 2).reshape(oh * size, ow * size, channels))
    return out if x.ndim == 3 else out[:, :, 0]


def conv2d_backward(image, kernel, grad_out, padding="valid"):
    """Gradients of ``conv2d(image, kernel, padding=padding)`` (stride 1) for its input and its kernel.

    The kernel's gradient is itself a convolution: of the (padded) input with
    ``grad_out``, the error map, one channel and one filter at a time. The input's
    gradient sends every output's gradient back to the pixels under the kernel at
    that position, weighted by the kernel.

    Parameters
    ----------
    image : (H, W) or (H, W, C) array_like
    kernel : (kh, kw, C, F) array_like
    grad_out : (H', W', F) array_like
        Gradient of the loss with respect to the convolution's output
        (``H' = output_size(H, kh, 1, padding)``).
    padding : {"valid", "same"} or int

    Returns
    -------
    grad_image : same shape as ``image``
    grad_kernel : (kh, kw, C, F) ndarray
    grad_bias : (F,) ndarray
        ``grad_out`` summed over the positions (a bias is added at every position).

    Examples
    --------
    >>> gi, gk, gb = conv2d_backward(np.arange(9.0).reshape(3, 3), np.ones((2, 2, 1, 1)), np.ones((2, 2, 1)))
    >>> gk[:, :, 0, 0].tolist()
    [[8.0, 12.0], [20.0, 24.0]]
    """
    if np.ndim(kernel) != 4:
        raise ValueError(f"kernel must be 4-D (kh, kw, C, F) like a Conv2D layer's, got shape {np.shape(kernel)}")
    img3, k4 = _image_and_kernel(image, kernel)
    kh, kw, _, filters = k4.shape
    padded = pad(img3, (kh, kw), 1, padding)
    oh, ow = padded.shape[0] - kh + 1, padded.shape[1] - kw + 1
    grad = _same_shape(grad_out, (oh, ow, filters)).astype(np.result_type(img3, k4, np.float32), copy=False)
    grad_kernel = np.empty(k4.shape, dtype=grad.dtype)
    grad_padded = np.zeros(padded.shape, dtype=grad.dtype)
    for i in range(kh):
        for j in range(kw):
            under = padded[i:i + oh, j:j + ow]                            # what kernel cell (i, j) touched
            grad_kernel[i, j] = np.einsum("yxc,yxf->cf", under, grad)
            grad_padded[i:i + oh, j:j + ow] += grad @ k4[i, j].T
    grad_image = _unpad(grad_padded, img3.shape)
    if np.ndim(image) == 2:
        grad_image = grad_image[:, :, 0]
    return grad_image, grad_kernel, grad.sum(axis=(0, 1))


def _unpad(grad_padded: np.ndarray, shape) -> np.ndarray:
    """The part of ``grad_padded`` that lies on the real image (the padding zeros pass nothing on).

    Padding is split evenly, and TensorFlow's ``"same"`` puts an odd extra row or column at the
    bottom or right, so the image starts at half the extra rows and columns, rounded down.
    """
    top = (grad_padded.shape[0] - shape[0]) // 2
    left = (grad_padded.shape[1] - shape[1]) // 2
    return grad_padded[top:top + shape[0], left:left + shape[1]]
