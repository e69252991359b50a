"""Sizes of a CNN's layers: padding, output size, the window a step reads, parameter counts."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from .. import _validate as v

__all__ = ["Span", "check_kernel_fits", "conv2d_params", "dense_params", "output_size", "padding_amounts", "receptive_field", "window"]


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



@dataclass(frozen=True)
class Span:
    """The block of one map that an output cell depends on (see :func:`receptive_field`).

    Attributes
    ----------
    rows, cols : (int, int)
        ``(start, stop)``, half-open as in slicing, clipped to the map: the cells that exist.
    rows_unclipped, cols_unclipped : (int, int)
        The same block before clipping: it may start below 0 or stop past the map's edge, where
        the layers read padding zeros. Its size is the *theoretical* receptive field.
    map_shape : (int, int)
        ``(H, W)`` of the map the block lies in.
    """

    rows: tuple[int, int]
    cols: tuple[int, int]
    rows_unclipped: tuple[int, int]
    cols_unclipped: tuple[int, int]
    map_shape: tuple[int, int]

    @property
    def height(self) -> int:
        """Rows of the map inside the block (clipped)."""
        return self.rows[1] - self.rows[0]

    @property
    def width(self) -> int:
        """Columns of the map inside the block (clipped)."""
        return self.cols[1] - self.cols[0]

    @property
    def slices(self) -> tuple[slice, slice]:
        """``map[span.slices]`` is the block."""
        return slice(*self.rows), slice(*self.cols)

    def text(self) -> str:
        """``"8x8: rows 3-10, cols 0-7"`` (first and last row and column, both included), ``"1x1: row 5, col 6"``."""
        if not self.height or not self.width:
            return "0x0: nothing"
        return f"{self.height}x{self.width}: {_lines('row', *self.rows)}, {_lines('col', *self.cols)}"


def _lines(word: str, start: int, stop: int) -> str:
    return f"{word} {start}" if stop - start == 1 else f"{word}s {start}-{stop - 1}"


def _layer_spec(spec, index: int) -> tuple[tuple[int, int], tuple[int, int], str | int]:
    name = f"layers[{index}]"
    if isinstance(spec, (str, bytes)) or not isinstance(spec, Iterable):
        raise TypeError(f"{name} must be a (kernel, stride, padding) triple, got {type(spec).__name__} {spec!r:.60}")
    items = tuple(spec)
    if len(items) != 3:
        raise ValueError(f"{name} must be a (kernel, stride, padding) triple, got {len(items)} values")
    kernel, stride, padding = items
    return (v.positive_pair(kernel, f"{name} kernel"), v.positive_pair(stride, f"{name} stride"),
            v.padding(padding, f"{name} padding"))


def _back_one_axis(start: int, stop: int, n_in: int, k: int, stride: int, padding) -> tuple[int, int]:
    """Input block ``[start', stop')`` read by output cells ``[start, stop)`` of one layer, unclipped."""
    before = padding_amounts(n_in, k, stride, padding)[0]
    return start * stride - before, (stop - 1) * stride - before + k


def receptive_field(layers, row: int, col: int, input_shape) -> list[Span]:
    """Which block of every map one output cell depends on, back to the input image.

    Each convolution or pooling layer reads a window of its input for every output cell
    (:func:`window`). Stacked, the windows widen: a 3x3 convolution after a 2x2 pooling
    after a 3x3 convolution sees an 8x8 patch of the image.

    Parameters
    ----------
    layers : sequence of (kernel, stride, padding)
        The convolution and pooling layers in order, first layer first. ``kernel`` and
        ``stride`` are ints or ``(rows, cols)`` pairs (a pooling layer's kernel is its pool
        size), ``padding`` is ``"valid"``, ``"same"`` or an int as in :func:`output_size`.
        Layers that do not move the window (ReLU, bias, batch normalisation) are left out.
    row, col : int
        The cell of the last layer's output map.
    input_shape : (int, int)
        ``(H, W)`` of the input image (``"same"`` padding and the clipping depend on it).

    Returns
    -------
    list of Span, one more than ``layers``
        ``spans[0]`` is the patch of the input, ``spans[i]`` the block of layer ``i - 1``'s
        output map, and ``spans[-1]`` the cell itself. Only cells that exist are followed
        back: zeros of the padding depend on nothing (a cell that reads only padding gets
        empty blocks, ``(0, 0)``, below it). A block is every cell the output cell depends
        on, unless a layer's stride is larger than its kernel: that layer skips cells, and
        the block is then the smallest rectangle around the cells read.

    Examples
    --------
    >>> spans = receptive_field([(3, 1, "same"), (2, 2, "valid"), (3, 1, "valid")], 5, 0, (28, 28))
    >>> [s.text() for s in spans]
    ['8x7: rows 9-16, cols 0-6', '6x6: rows 10-15, cols 0-5', '3x3: rows 5-7, cols 0-2', '1x1: row 5, col 0']
    >>> spans[0].cols_unclipped          # 8 wide in theory: the first column is padding zeros
    (-1, 7)

    Introduced in lesson 06.
    """
    if isinstance(layers, (str, bytes)) or not isinstance(layers, Iterable):
        raise TypeError(f"layers must be a sequence of (kernel, stride, padding) triples, got "
                        f"{type(layers).__name__}")
    specs = [_layer_spec(spec, i) for i, spec in enumerate(layers)]
    if not specs:
        raise ValueError("layers must hold at least one (kernel, stride, padding) triple, got none")
    shapes = [v.positive_pair(input_shape, "input_shape")]
    for i, ((kh, kw), (sh, sw), padding) in enumerate(specs):
        h, w = shapes[-1]
        try:
            shapes.append((output_size(h, kh, sh, padding), output_size(w, kw, sw, padding)))
        except ValueError as exc:
            raise ValueError(f"layers[{i}] does not fit its {h}x{w} input: {exc}") from None
    out_h, out_w = shapes[-1]
    row, col = v.nonnegative_int(row, "row"), v.nonnegative_int(col, "col")
    if row >= out_h or col >= out_w:
        raise ValueError(f"(row, col) must be a cell of the {out_h}x{out_w} output, got ({row}, {col})")
    rows = rows_raw = (row, row + 1)
    cols = cols_raw = (col, col + 1)
    spans = [Span(rows, cols, rows_raw, cols_raw, shapes[-1])]
    for ((kh, kw), (sh, sw), padding), (h, w) in zip(reversed(specs), reversed(shapes[:-1])):
        rows_raw = _back_one_axis(*rows_raw, h, kh, sh, padding)
        cols_raw = _back_one_axis(*cols_raw, w, kw, sw, padding)
        if rows[0] < rows[1] and cols[0] < cols[1]:
            rows = _clip(_back_one_axis(*rows, h, kh, sh, padding), h)
            cols = _clip(_back_one_axis(*cols, w, kw, sw, padding), w)
        if rows[0] >= rows[1] or cols[0] >= cols[1]:   # only padding: nothing below is read
            rows, cols = (0, 0), (0, 0)
        spans.append(Span(rows, cols, rows_raw, cols_raw, (h, w)))
    return spans[::-1]


def _clip(span: tuple[int, int], n: int) -> tuple[int, int]:
    return max(span[0], 0), min(span[1], n)


def check_kernel_fits(shape, kernel_shape, padding, note: str = "") -> None:
    """Raise ``ValueError`` naming the kernel when it is taller or wider than the padded image.

    The one check of a kernel's size, for :func:`cnnlab.ops.conv2d` and the convolution widget.

    Parameters
    ----------
    shape : (H, W, ...) tuple
        The image's shape.
    kernel_shape : (kh, kw, ...) tuple
    padding : {"valid", "same"} or int
        ``"same"`` always fits.
    note : str
        Added to the message (the widget says at what size it shows the image).

    Examples
    --------
    >>> check_kernel_fits((5, 5), (3, 3), "valid")
    >>> check_kernel_fits((2, 5), (3, 3), "valid")
    Traceback (most recent call last):
    ...
    ValueError: kernel height (3) is larger than the image height (2) with padding='valid'; use a smaller kernel or padding='same'
    """
    if padding == "same":
        return
    extra = 0 if padding == "valid" else 2 * padding
    for which, n, k in (("height", shape[0], kernel_shape[0]), ("width", shape[1], kernel_shape[1])):
        if n + extra < k:
            raise ValueError(f"kernel {which} ({k}) is larger than the image {which} ({n}) with "
                             f"padding={padding!r}; use a smaller kernel or padding='same'{note}")
