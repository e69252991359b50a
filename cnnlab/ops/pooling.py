"""Max and average pooling, as Keras ``MaxPooling2D`` and ``AveragePooling2D`` compute them."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import _validate as v
from ._common import check_size, compute_dtype, pad_checked
from .geometry import output_size

__all__ = ["avg_pool", "max_pool"]


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
    check_size((output_size(x.shape[0], ph, sh, padding), output_size(x.shape[1], pw, sw, padding))
                + x.shape[2:], 4, blame, "a result")
    dtype = compute_dtype(x)
    x = x.astype(dtype, copy=False)
    fill = -np.inf if mode == "max" else 0.0
    padded = pad_checked(x, (ph, pw), (sh, sw), padding, value=fill, blame=blame)
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
    ones = pad_checked(np.ones(shape, dtype), size, stride, padding, blame="size")
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

