"""Sizes of a CNN's layers: padding, output size, the window a step reads, parameter counts."""

from __future__ import annotations

import math

from .. import _validate as v

__all__ = ["conv2d_params", "dense_params", "output_size", "padding_amounts", "window"]


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

