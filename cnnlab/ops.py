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
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import _validate as v

__all__ = [
    "MAX_ELEMENTS",
    "MAX_LOOP_STEPS",
    "avg_pool",
    "conv2d",
    "conv2d_loops",
    "conv2d_params",
    "dense",
    "dense_params",
    "flatten",
    "leaky_relu",
    "max_pool",
    "output_size",
    "pad",
    "padding_amounts",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]


# ---------------------------------------------------------------- sizes

MAX_ELEMENTS = 2**28
"""Most numbers one result (or padded input) may hold: 2**28, 1 GiB as float32.

Every function checks the size of what it is about to allocate against this
first, so a typo such as ``padding=10**6`` is a clear ``ValueError`` naming
the argument, not a ``MemoryError`` after the machine starts swapping.
"""


MAX_LOOP_STEPS = 500_000
"""Most window dot products :func:`conv2d_loops` computes in Python (a few seconds); use :func:`conv2d` beyond."""


def _check_size(shape, itemsize: int, blame: str, what: str) -> None:
    """Raise ``ValueError`` naming ``blame`` when an array of ``shape`` would exceed :data:`MAX_ELEMENTS`."""
    v.size_limit(shape, itemsize, blame, what, MAX_ELEMENTS)


def padding_amounts(n: int, k: int, stride: int = 1, padding="valid") -> tuple[int, int]:
    """Zeros added before and after one axis of length ``n``.

    Parameters
    ----------
    n : int
        Input length along the axis (height or width).
    k : int
        Window (kernel) length along the axis.
    stride : int
        Step between windows.
    padding : {"valid", "same"} or int
        As in :func:`conv2d`.

    Returns
    -------
    (before, after) : tuple of int
        ``"same"`` follows TensorFlow: when the total is odd the extra zero
        goes after (bottom / right).

    Examples
    --------
    >>> padding_amounts(5, 3, 1, "same")
    (1, 1)
    >>> padding_amounts(6, 3, 2, "same")
    (0, 1)
    """
    n = v.positive_int(n, "n")
    k = v.positive_int(k, "k")
    stride = v.positive_int(stride, "stride")
    padding = v.padding(padding)
    if padding == "valid":
        return 0, 0
    if padding == "same":
        total = max((math.ceil(n / stride) - 1) * stride + k - n, 0)
        return total // 2, total - total // 2
    return padding, padding


def output_size(n: int, k: int, stride: int = 1, padding="valid") -> int:
    """Length of the output along one axis: ``(n + pads - k) // stride + 1``.

    Parameters
    ----------
    n : int
        Input length (height or width).
    k : int
        Kernel or pooling window length.
    stride : int
        Step between windows.
    padding : {"valid", "same"} or int
        ``"valid"``: no padding; ``"same"``: ``ceil(n / stride)``;
        int ``p``: ``p`` zeros on both sides.

    Returns
    -------
    int
        Number of window positions along the axis.

    Examples
    --------
    >>> output_size(28, 3)
    26
    >>> output_size(28, 3, padding="same")
    28
    >>> output_size(7, 3, stride=2, padding=1)
    4

    Introduced in lesson 02.
    """
    before, after = padding_amounts(n, k, stride, padding)
    if n + before + after < k:
        raise ValueError(
            f"k ({k}) is larger than the padded input ({n + before + after}); "
            f"use a smaller kernel or more padding"
        )
    return (n + before + after - k) // stride + 1


def window(row: int, col: int, size=3, stride=1) -> tuple[int, int, int, int]:
    """Which cells of the padded input output cell ``(row, col)`` reads.

    The one place that knows the geometry of a sliding window: the widgets,
    :mod:`cnnlab.plot` and the exercises all ask it.

    Parameters
    ----------
    row, col : int
        Output cell (0-based). Step ``s`` of a widget's animation is
        ``divmod(s, out_w)``.
    size : int or (int, int)
        Kernel or pooling window ``(kh, kw)``.
    stride : int or (int, int)
        Step between windows ``(sh, sw)``.

    Returns
    -------
    (top, left, height, width) : tuple of int
        In padded-input coordinates: the window is
        ``padded[top:top + height, left:left + width]``. Subtract the padding
        before (``padding_amounts(...)[0]``) for unpadded coordinates.

    Examples
    --------
    >>> window(1, 2, size=3, stride=2)
    (2, 4, 3, 3)
    >>> window(0, 1, size=(2, 3), stride=(1, 3))
    (0, 3, 2, 3)

    Introduced in lesson 02.
    """
    row = v.nonnegative_int(row, "row")
    col = v.nonnegative_int(col, "col")
    kh, kw = v.positive_pair(size, "size")
    sh, sw = v.positive_pair(stride, "stride")
    return row * sh, col * sw, kh, kw


def conv2d_params(kernel_size, in_channels: int, filters: int, use_bias: bool = True) -> int:
    """Number of trainable numbers in a ``Conv2D`` layer.

    Parameters
    ----------
    kernel_size : int or (int, int)
        Kernel height and width.
    in_channels : int
        Channels of the layer's input (3 for an RGB photo).
    filters : int
        Number of kernels, hence of output feature maps.
    use_bias : bool
        One bias per filter when true.

    Returns
    -------
    int
        ``(kh * kw * in_channels + use_bias) * filters``.

    Examples
    --------
    >>> conv2d_params(3, 1, 32)
    320

    Introduced in lesson 06.
    """
    kh, kw = v.positive_pair(kernel_size, "kernel_size")
    in_channels = v.positive_int(in_channels, "in_channels")
    filters = v.positive_int(filters, "filters")
    use_bias = v.boolean(use_bias, "use_bias")
    return (kh * kw * in_channels + int(bool(use_bias))) * filters


def dense_params(in_features: int, units: int, use_bias: bool = True) -> int:
    """Number of trainable numbers in a ``Dense`` layer: ``(in + bias) * units``.

    Examples
    --------
    >>> dense_params(5408, 10)
    54090

    Introduced in lesson 06.
    """
    in_features = v.positive_int(in_features, "in_features")
    units = v.positive_int(units, "units")
    use_bias = v.boolean(use_bias, "use_bias")
    return (in_features + int(use_bias)) * units


# ---------------------------------------------------------------- convolution

_IM2COL_ELEMENTS = 2**18  # numbers in one band of im2col columns (1 MiB of float32)


def _image_and_kernel(image, kernel):
    """Check and reshape to ``(H, W, C)`` image and ``(kh, kw, C, F)`` kernel."""
    image = v.array(image, "image", (2, 3))
    kernel = v.array(kernel, "kernel", (2, 3, 4))
    img3 = image[:, :, None] if image.ndim == 2 else image
    channels = img3.shape[2]
    if kernel.ndim == 2:  # one 2-D kernel is used on every channel
        k4 = np.repeat(kernel[:, :, None, None], channels, axis=2)
    elif kernel.ndim == 3:
        k4 = kernel[:, :, :, None]
    else:
        k4 = kernel
    if k4.shape[2] != channels:
        raise ValueError(
            f"kernel has {k4.shape[2]} input channels but image has {channels}; "
            f"kernel shape {kernel.shape} does not fit image shape {image.shape}"
        )
    return img3, k4


def _compute_dtype(*arrays) -> np.dtype:
    dtype = np.result_type(*arrays, np.float32)
    return np.dtype(np.float64) if dtype.itemsize > 4 else np.dtype(np.float32)


def pad(image, kernel_size=3, stride=1, padding="valid", value=0.0) -> np.ndarray:
    """Add the border that ``padding`` asks for around an image.

    Parameters
    ----------
    image : (H, W) or (H, W, C) ndarray
    kernel_size : int or (int, int)
        Window size the padding is for (matters for ``"same"``).
    stride : int or (int, int)
    padding : {"valid", "same"} or int
    value : float
        What the border is filled with (0 for convolution, ``-inf`` for max pooling).
        On an integer image it must be a whole number the dtype can hold
        (``value=300`` on uint8 is an error, not 44); an infinite value turns
        an integer image into float32.

    Returns
    -------
    (H + top + bottom, W + left + right[, C]) ndarray
        Always a new array, even when nothing is added.

    Examples
    --------
    >>> pad(np.ones((2, 2)), padding=1).shape
    (4, 4)
    """
    image = v.array(image, "image", (2, 3))
    kh, kw = v.positive_pair(kernel_size, "kernel_size")
    sh, sw = v.positive_pair(stride, "stride")
    padding = v.padding(padding)
    value = _fill_value(value, image.dtype)
    blame = f"kernel_size={kernel_size!r} with padding='same'" if padding == "same" else f"padding={padding!r}"
    padded = _pad(image, (kh, kw), (sh, sw), padding, value, blame=blame)
    return padded.copy() if padded is image else padded


def _fill_value(value, dtype: np.dtype) -> float:
    """Check that ``value`` is a number that ``dtype`` can hold exactly (or +-inf, see :func:`pad`)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"value must be a number, got {type(value).__name__} {value!r:.40}")
    if np.isnan(value):
        raise ValueError("value must be a number, got NaN")
    if dtype.kind in "ui" and np.isfinite(value):
        if value != int(value):
            raise ValueError(f"value must be a whole number for an image of dtype {dtype}, got {value}; "
                             f"convert the image to float first")
        info = np.iinfo(dtype)
        if not info.min <= int(value) <= info.max:
            raise ValueError(f"value must be between {info.min} and {info.max} for an image of dtype "
                             f"{dtype}, got {value}")
    return value


def _pad(image: np.ndarray, size, stride, padding, value=0.0, *, blame: str) -> np.ndarray:
    """:func:`pad` on checked arguments; returns ``image`` itself when nothing is added.

    The size of the result is checked against :data:`MAX_ELEMENTS` first, and
    ``blame`` names the argument the error message points at.
    """
    top, bottom = padding_amounts(image.shape[0], size[0], stride[0], padding)
    left, right = padding_amounts(image.shape[1], size[1], stride[1], padding)
    if top == bottom == left == right == 0:
        return image
    shape = (image.shape[0] + top + bottom, image.shape[1] + left + right) + image.shape[2:]
    _check_size(shape, max(image.dtype.itemsize, 4), blame, "a padded input")
    if not np.isfinite(value) and image.dtype.kind != "f":
        image = image.astype(np.float32)
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (image.ndim - 2)
    return np.pad(image, widths, mode="constant", constant_values=value)


def _prepare_conv(image, kernel, stride, padding):
    img3, k4 = _image_and_kernel(image, kernel)
    sh, sw = v.positive_pair(stride, "stride")
    padding = v.padding(padding)
    kh, kw = k4.shape[:2]
    extra = 0 if padding in ("valid", "same") else 2 * padding
    for which, n, k in (("height", img3.shape[0], kh), ("width", img3.shape[1], kw)):
        if padding != "same" and n + extra < k:
            raise ValueError(
                f"kernel {which} ({k}) is larger than the image {which} ({n}) with "
                f"padding={padding!r}; use a smaller kernel or padding='same'"
            )
    out_h = output_size(img3.shape[0], kh, sh, padding)
    out_w = output_size(img3.shape[1], kw, sw, padding)
    blame = f"padding={padding!r}" if isinstance(padding, int) and padding > 0 else "image"
    _check_size((out_h, out_w, k4.shape[3]), 4, blame, "a result")
    dtype = _compute_dtype(img3, k4)
    padded = _pad(img3.astype(dtype, copy=False), (kh, kw), (sh, sw), padding, blame=blame)
    return padded, k4.astype(dtype, copy=False), (sh, sw), np.ndim(kernel)


def conv2d(image, kernel, stride=1, padding="valid") -> np.ndarray:
    """Slide ``kernel`` over ``image`` and take a dot product at every stop.

    This is cross-correlation exactly as ``tf.nn.conv2d`` computes it (no
    kernel flip), vectorised: the windows are laid out as the columns of one
    matrix ("im2col") and all the dot products become one matrix product.

    Parameters
    ----------
    image : (H, W) or (H, W, C) array_like
        Grayscale or multi-channel image (any real dtype).
    kernel : (kh, kw), (kh, kw, C) or (kh, kw, C, F) array_like
        A 2-D kernel is used on every channel and the results summed.
    stride : int or (int, int)
        Step between windows, down and across.
    padding : {"valid", "same"} or int
        See the module notes.

    Returns
    -------
    (H', W') ndarray for a 2-D/3-D kernel, (H', W', F) for a 4-D one
        float32 (float64 if an input is float64). ``H'`` is
        ``output_size(H, kh, stride, padding)``.

    Examples
    --------
    >>> image = np.arange(16.0).reshape(4, 4)
    >>> conv2d(image, np.ones((2, 2)), stride=2)
    array([[10., 18.],
           [42., 50.]])

    Introduced in lesson 02.
    """
    padded, k4, (sh, sw), kernel_ndim = _prepare_conv(image, kernel, stride, padding)
    kh, kw, channels, filters = k4.shape
    out_h = (padded.shape[0] - kh) // sh + 1
    out_w = (padded.shape[1] - kw) // sw + 1
    planes = np.ascontiguousarray(padded.transpose(2, 0, 1))  # (C, H, W): contiguous copies below
    weights = k4.reshape(kh * kw * channels, filters)
    out = np.empty((out_h, out_w, filters), dtype=padded.dtype)
    # im2col a band of output rows at a time: columns[i, j, c] holds, for every output position in
    # the band, the pixel that kernel cell (i, j, c) multiplies, so one matrix product does all the
    # dot products. A small band stays in the CPU cache, which is what makes this fast.
    band = max(1, _IM2COL_ELEMENTS // (out_w * kh * kw * channels))
    for r0 in range(0, out_h, band):
        r1 = min(out_h, r0 + band)
        columns = np.empty((kh, kw, channels, r1 - r0, out_w), dtype=padded.dtype)
        for i in range(kh):
            for j in range(kw):
                columns[i, j] = planes[:, r0 * sh + i:(r1 - 1) * sh + i + 1:sh, j:j + sw * (out_w - 1) + 1:sw]
        np.matmul(columns.reshape(kh * kw * channels, -1).T, weights,
                  out=out[r0:r1].reshape((r1 - r0) * out_w, filters))
    return out if kernel_ndim == 4 else out[:, :, 0]


def conv2d_loops(image, kernel, stride=1, padding="valid") -> np.ndarray:
    """The same result as :func:`conv2d`, written as plain loops for reading.

    One loop per output row, output column and filter; inside, the window is
    multiplied element by element with the kernel and summed. Slow, on
    purpose: it is the definition, not the implementation. More than
    :data:`MAX_LOOP_STEPS` dot products is refused (use :func:`conv2d`).

    Parameters and returns are those of :func:`conv2d`.

    Examples
    --------
    >>> image = np.arange(16.0).reshape(4, 4)
    >>> conv2d_loops(image, np.ones((2, 2)), stride=2)
    array([[10., 18.],
           [42., 50.]])

    Introduced in lesson 02.
    """
    padded, k4, (sh, sw), kernel_ndim = _prepare_conv(image, kernel, stride, padding)
    kh, kw, _, filters = k4.shape
    out_h = (padded.shape[0] - kh) // sh + 1
    out_w = (padded.shape[1] - kw) // sw + 1
    if out_h * out_w * filters > MAX_LOOP_STEPS:
        raise ValueError(f"image is too large for conv2d_loops: {out_h} x {out_w} positions x {filters} filters "
                         f"= {out_h * out_w * filters:,} dot products in Python, more than the "
                         f"{MAX_LOOP_STEPS:,} it does in a few seconds; use conv2d, or a smaller image")
    out = np.zeros((out_h, out_w, filters), dtype=padded.dtype)
    for row in range(out_h):
        for col in range(out_w):
            top, left = row * sh, col * sw
            window = padded[top:top + kh, left:left + kw, :]
            for f in range(filters):
                out[row, col, f] = np.sum(window * k4[:, :, :, f])
    return out if kernel_ndim == 4 else out[:, :, 0]


# ---------------------------------------------------------------- activations


def relu(x) -> np.ndarray:
    """Rectified linear unit: keep positive values, replace negatives with 0.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    ndarray, same shape and dtype as ``x``

    Examples
    --------
    >>> relu(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 3.])

    Introduced in lesson 03.
    """
    x = v.array(x, "x", allow_empty=True)
    return np.maximum(x, np.zeros((), dtype=x.dtype))


def leaky_relu(x, alpha: float = 0.3) -> np.ndarray:
    """ReLU that lets a little of the negatives through: ``x`` if ``x > 0`` else ``alpha * x``.

    Parameters
    ----------
    x : array_like, any shape
    alpha : float
        Slope for negative inputs (0.3 is Keras ``LeakyReLU``'s default).

    Returns
    -------
    ndarray, same shape as ``x``, float

    Examples
    --------
    >>> leaky_relu(np.array([-2.0, 3.0]), alpha=0.1)
    array([-0.2,  3. ])

    Introduced in lesson 03.
    """
    x = v.array(x, "x", allow_empty=True)
    alpha = v.finite_number(alpha, "alpha")
    x = x.astype(_compute_dtype(x), copy=False)
    return np.where(x > 0, x, x.dtype.type(alpha) * x)


def sigmoid(x) -> np.ndarray:
    """Squash every value into (0, 1): ``1 / (1 + exp(-x))``, computed without overflow.

    Examples
    --------
    >>> sigmoid(np.array([0.0]))
    array([0.5])

    Introduced in lesson 03.
    """
    x = v.array(x, "x", allow_empty=True)
    x = x.astype(_compute_dtype(x), copy=False)
    e = np.exp(-np.abs(x))  # never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def tanh(x) -> np.ndarray:
    """Squash every value into (-1, 1), centred on 0.

    Examples
    --------
    >>> tanh(np.array([0.0]))
    array([0.])

    Introduced in lesson 03.
    """
    x = v.array(x, "x", allow_empty=True)
    return np.tanh(x.astype(_compute_dtype(x), copy=False))


def softmax(z, axis: int = -1) -> np.ndarray:
    """Turn scores into probabilities that sum to 1 along ``axis``.

    Computed as ``exp(z - max) / sum(exp(z - max))`` so large scores do not
    overflow; matches ``tf.nn.softmax``.

    Parameters
    ----------
    z : (..., K) array_like
        Scores ("logits").
    axis : int
        The class axis.

    Returns
    -------
    (..., K) ndarray of floats in [0, 1]

    Examples
    --------
    >>> softmax(np.array([1.0, 1.0])).tolist()
    [0.5, 0.5]

    Introduced in lesson 06.
    """
    z = v.array(z, "z")
    if z.ndim == 0:
        raise ValueError(f"z must have at least 1 dimension, got shape {z.shape}")
    axis = v.axis(axis, "axis", z.ndim)
    z = z.astype(_compute_dtype(z), copy=False)
    shifted = np.exp(z - z.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


# ---------------------------------------------------------------- pooling


def _pool(x, size, stride, padding, mode):
    x = v.array(x, "x", (2, 3))
    ph, pw = v.positive_pair(size, "size")
    sh, sw = v.positive_pair(stride if stride is not None else size, "stride")
    padding = v.padding(padding)
    if isinstance(padding, int):
        raise ValueError(f'padding must be "valid" or "same" for pooling, got {padding!r}')  # noqa: TRY004 - an int is a valid padding, just not here
    if padding == "valid" and (x.shape[0] < ph or x.shape[1] < pw):
        raise ValueError(
            f"size {(ph, pw)} is larger than x's height and width {x.shape[:2]} with padding='valid'"
        )
    blame = f"size={(ph, pw) if ph != pw else ph} with padding='same'" if padding == "same" else "x"
    _check_size((output_size(x.shape[0], ph, sh, padding), output_size(x.shape[1], pw, sw, padding))
                + x.shape[2:], 4, blame, "a result")
    dtype = _compute_dtype(x)
    x = x.astype(dtype, copy=False)
    fill = -np.inf if mode == "max" else 0.0
    padded = _pad(x, (ph, pw), (sh, sw), padding, value=fill, blame=blame)
    out_h = (padded.shape[0] - ph) // sh + 1
    out_w = (padded.shape[1] - pw) // sw + 1
    # A window reduction is separable: reduce down the rows, then across the columns. That is
    # ph + pw strided passes over the data instead of ph * pw, and no window copies.
    reduce = np.maximum if mode == "max" else np.add
    rows = _reduce_offsets(padded, ph, sh, out_h, axis=0, reduce=reduce)
    result = _reduce_offsets(rows, pw, sw, out_w, axis=1, reduce=reduce)
    if mode == "avg":
        result /= _window_counts(x.shape[:2], (ph, pw), (sh, sw), padding, out_h, out_w, x.ndim, dtype)
    return result


def _reduce_offsets(x, size, stride, count, axis, reduce):
    """Combine, with ``reduce``, the ``size`` strided slices that start at offsets 0..size-1 of ``axis``."""
    result = None
    for offset in range(size):
        index = [slice(None)] * x.ndim
        index[axis] = slice(offset, offset + stride * (count - 1) + 1, stride)
        part = x[tuple(index)]
        if result is None:
            result = part.copy()
        else:
            reduce(result, part, out=result)
    return result


def _window_counts(shape, size, stride, padding, out_h, out_w, ndim, dtype):
    """How many real (unpadded) cells each window covers, as Keras divides by."""
    if padding == "valid":
        return dtype.type(size[0] * size[1])
    ones = _pad(np.ones(shape, dtype), size, stride, padding, blame="size")
    counts = sliding_window_view(ones, size)[::stride[0], ::stride[1]].sum(axis=(2, 3))
    counts = counts[:out_h, :out_w]
    return counts[:, :, None] if ndim == 3 else counts


def max_pool(x, size=2, stride=None, padding="valid") -> np.ndarray:
    """Keep the largest value of every ``size`` x ``size`` window.

    Matches Keras ``MaxPooling2D(pool_size=size, strides=stride, padding=padding)``
    on one channels-last feature map.

    Parameters
    ----------
    x : (H, W) or (H, W, C) array_like
        Feature map(s); channels are pooled independently.
    size : int or (int, int)
        Window height and width.
    stride : int, (int, int) or None
        Step between windows; ``None`` means ``stride = size`` (no overlap).
    padding : {"valid", "same"}
        ``"same"`` pads so the output is ``ceil(H / stride)``; padded cells never win.

    Returns
    -------
    (H', W'[, C]) ndarray
        ``H' = output_size(H, size, stride, padding)``.

    Examples
    --------
    >>> max_pool(np.array([[1, 2, 5, 6], [3, 4, 7, 8]]))
    array([[4., 8.]])

    Introduced in lesson 04.
    """
    return _pool(x, size, stride, padding, "max")


def avg_pool(x, size=2, stride=None, padding="valid") -> np.ndarray:
    """Average every ``size`` x ``size`` window.

    Matches Keras ``AveragePooling2D``; with ``padding="same"`` the padded
    cells are left out of the average, as Keras does.

    Parameters are those of :func:`max_pool`.

    Examples
    --------
    >>> avg_pool(np.array([[1, 2, 5, 6], [3, 4, 7, 8]]))
    array([[2.5, 6.5]])

    Introduced in lesson 04.
    """
    return _pool(x, size, stride, padding, "avg")


# ---------------------------------------------------------------- dense part


def flatten(x) -> np.ndarray:
    """Unroll a feature-map stack into one vector, row by row, channel fastest.

    The order is NumPy's C order, the same as Keras ``Flatten`` on a
    channels-last ``(H, W, C)`` map: entry ``(r, c, k)`` lands at
    ``(r * W + c) * C + k``.

    Parameters
    ----------
    x : (H, W) or (H, W, C) array_like

    Returns
    -------
    (H * W * C,) ndarray
        A new array: changing it does not change ``x``.

    Examples
    --------
    >>> flatten(np.arange(8).reshape(2, 2, 2)).tolist()
    [0, 1, 2, 3, 4, 5, 6, 7]

    Introduced in lesson 05.
    """
    x = v.array(x, "x", (1, 2, 3))
    return x.flatten()


def dense(x, weights, bias) -> np.ndarray:
    """A fully connected layer: ``x @ weights + bias``.

    Parameters
    ----------
    x : (n_in,) or (N, n_in) array_like
        One input vector or a batch of them.
    weights : (n_in, n_out) array_like
        As Keras stores a ``Dense`` layer's kernel.
    bias : (n_out,) array_like

    Returns
    -------
    (n_out,) or (N, n_out) ndarray

    Examples
    --------
    >>> dense(np.array([1.0, 2.0]), np.array([[1.0], [1.0]]), np.array([0.5]))
    array([3.5])

    Introduced in lesson 06.
    """
    x = v.array(x, "x", (1, 2))
    weights = v.array(weights, "weights", (2,))
    bias = v.array(bias, "bias", (1,))
    if x.shape[-1] != weights.shape[0]:
        raise ValueError(
            f"weights must have {x.shape[-1]} rows to match x's last axis, got shape {weights.shape}"
        )
    if bias.shape[0] != weights.shape[1]:
        raise ValueError(f"bias must have {weights.shape[1]} entries (one per unit), got shape {bias.shape}")
    _check_size(x.shape[:-1] + (weights.shape[1],), 4, "weights", "a result")
    dtype = _compute_dtype(x, weights, bias)
    return x.astype(dtype, copy=False) @ weights.astype(dtype, copy=False) + bias.astype(dtype, copy=False)
