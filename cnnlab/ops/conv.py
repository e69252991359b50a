"""Convolution: padding an image and sliding a kernel over it (fast with im2col, and as plain loops)."""

from __future__ import annotations

import numpy as np

from .. import _validate as v
from ._common import check_size, compute_dtype, pad_checked, setting
from .geometry import check_kernel_fits, output_size

__all__ = ["MAX_LOOP_STEPS", "conv2d", "conv2d_loops", "pad"]

MAX_LOOP_STEPS = 500_000
"""Most window dot products :func:`conv2d_loops` computes in Python (a few seconds); use :func:`conv2d` beyond."""

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
    padded = pad_checked(image, (kh, kw), (sh, sw), padding, value, blame=blame)
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


def _prepare_conv(image, kernel, stride, padding):
    img3, k4 = _image_and_kernel(image, kernel)
    sh, sw = v.positive_pair(stride, "stride")
    padding = v.padding(padding)
    kh, kw = k4.shape[:2]
    check_kernel_fits(img3.shape, (kh, kw), padding)
    out_h = output_size(img3.shape[0], kh, sh, padding)
    out_w = output_size(img3.shape[1], kw, sw, padding)
    blame = f"padding={padding!r}" if isinstance(padding, int) and padding > 0 else "image"
    check_size((out_h, out_w, k4.shape[3]), 4, blame, "a result")
    dtype = compute_dtype(img3, k4)
    padded = pad_checked(img3.astype(dtype, copy=False), (kh, kw), (sh, sw), padding, blame=blame)
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
    most = setting("MAX_LOOP_STEPS")
    if out_h * out_w * filters > most:
        raise ValueError(f"image is too large for conv2d_loops: {out_h} x {out_w} positions x {filters} filters "
                         f"= {out_h * out_w * filters:,} dot products in Python, more than the "
                         f"{most:,} it does in a few seconds; use conv2d, or a smaller image")
    out = np.zeros((out_h, out_w, filters), dtype=padded.dtype)
    for row in range(out_h):
        for col in range(out_w):
            top, left = row * sh, col * sw
            window = padded[top:top + kh, left:left + kw, :]
            for f in range(filters):
                out[row, col, f] = np.sum(window * k4[:, :, :, f])
    return out if kernel_ndim == 4 else out[:, :, 0]

