"""The convolution scene: a kernel sliding over a photo, every number from :func:`cnnlab.ops.conv2d`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ... import _colors, kernels, ops
from .._text import compact_pair, fmt, pair_text, shape_text, title_label, with_value
from ._common import Scene, Source, frozen, padded_panel

__all__ = ["CHANNEL_NAMES", "ConvolutionScene", "LayerFilter", "channel_names", "convolution_scene",
           "convolution_size", "kernel_denominator", "kernel_text", "weight_text"]

STRIDE_OPTIONS = [1, 2, 3, 4]
PADDING_OPTIONS = ["valid", "same", 1, 2]
CHANNEL_NAMES = ("R", "G", "B")
MAX_DENOMINATOR = 256    # 1/9 (box blur), 1/16 and 1/256 (binomial blurs) are written as fractions


def channel_names(channels: int) -> tuple[str, ...]:
    """Names of an input's channels: ``()`` for one, ``R G B`` for three, else ``"0"`` ... ``"C-1"``."""
    if channels == 1:
        return ()
    return CHANNEL_NAMES if channels == 3 else tuple(str(c) for c in range(channels))


def convolution_size(shape, kernel_shape, stride, padding) -> tuple[tuple[int, int], int, int]:
    """What a scene would hold, before computing it: ``((H', W'), numbers sent, multiplications)``.

    ``shape`` is the shown input's; the numbers sent are the input, the output, the kernel and,
    for several channels, each channel's share of the output.
    """
    kh, kw = kernel_shape[:2]
    out = (ops.output_size(shape[0], kh, stride[0], padding), ops.output_size(shape[1], kw, stride[1], padding))
    channels = 1 if len(shape) == 2 else shape[2]
    cells = out[0] * out[1]
    sent = math.prod(shape) + cells * (1 + (channels if channels > 1 else 0)) + math.prod(kernel_shape)
    return out, sent, cells * kh * kw * channels * (2 if channels > 1 else 1)


@dataclass(frozen=True)
class LayerFilter:
    """The filter of a trained layer a scene shows: the layer's name, which filter, its bias.

    Attributes
    ----------
    layer : str
    index, count : int
        Filter ``index`` of ``count``.
    bias : float
        Added to every dot product (0.0 when the layer has no bias).
    use_bias : bool
    activation : str
        The layer's activation, applied after this scene's output (``"relu"``, ``"linear"``).
    """

    layer: str
    index: int
    count: int
    bias: float
    use_bias: bool
    activation: str

    def words(self) -> str:
        """``"filter 3 of 8 of layer 'conv'"``."""
        return f"filter {self.index} of {self.count} of layer {self.layer!r}"


@dataclass(frozen=True, eq=False)
class ConvolutionScene(Scene):
    """Everything a convolution widget shows, computed once.

    Attributes
    ----------
    source : Source
        The photo as convolved: ``(H, W)`` or ``(H, W, C)`` (a layer's input may have any ``C``).
    kernel_name : str
        A catalogue name, ``"custom"`` or a layer's label (``"layer conv"``).
    kernel : (kh, kw[, C]) float32 ndarray
    stride : (int, int)
    padding : {"valid", "same"} or int
    channel : str
        Which channel the input panel shows: ``"all"`` or one of :func:`channel_names`.
    output : (H', W') ndarray
        ``ops.conv2d(source.array, kernel, stride, padding)``, plus the layer's bias.
    parts : (H', W', C) ndarray or None
        Each channel's share of ``output`` (bias not included) when there are several channels.
    pad : (top, bottom, left, right)
    vmin, vmax : float
        Colour limits of ``output`` (:func:`cnnlab._colors.limits`).
    in_lo, in_hi : float
        What black and white stand for on a non-uint8 input.
    """

    source: Source
    kernel_name: str
    kernel: np.ndarray
    stride: tuple
    padding: object
    channel: str
    output: np.ndarray
    parts: np.ndarray | None
    pad: tuple
    vmin: float
    vmax: float
    in_lo: float
    in_hi: float
    layer: LayerFilter | None = None
    offered: tuple = ()

    kind = "convolution"

    @property
    def bias(self) -> float:
        """What is added to every dot product: the layer filter's bias, else 0."""
        return 0.0 if self.layer is None else self.layer.bias

    @property
    def grid(self) -> tuple[int, int]:
        return self.output.shape

    @property
    def values(self) -> np.ndarray:
        return self.output.reshape(-1)

    def _meta(self) -> dict:
        shown, (kh, kw) = self.source.array, self.kernel.shape[:2]
        channels = 1 if shown.ndim == 2 else shown.shape[2]
        stride = compact_pair(self.stride)
        name = self.kernel_name
        text = kernel_text(self.kernel)
        meta = {
            "in_shape": [shown.shape[0], shown.shape[1], channels], "pad": list(self.pad),
            "stride": list(self.stride), "ksize": [kh, kw], "kernel_ndim": int(self.kernel.ndim),
            "kernel_den": kernel_denominator(self.kernel), "in_lo": self.in_lo, "in_hi": self.in_hi,
            "title": self.heading(), "describe": self.describe(),
            "channel_names": list(channel_names(channels)), "bias": self.bias,
            "layer": None if self.layer is None else {
                "name": self.layer.layer, "filter": self.layer.index, "filters": self.layer.count,
                "bias": self.layer.bias, "use_bias": self.layer.use_bias, "activation": self.layer.activation},
            "params": {"kernel": name, "kernel_text": text if len(text) <= kernels.MAX_TEXT_LENGTH else "",
                       "stride": pair_text(stride), "padding": str(self.padding), "channel": self.channel},
            "options": {"kernel": with_value([*kernels.names(), "custom", *self.offered], name),
                        "stride": with_value(STRIDE_OPTIONS, stride),
                        "padding": with_value(PADDING_OPTIONS, self.padding),
                        "channel": ["all", *channel_names(channels)]},
        }
        if self.layer is not None:
            meta["params"]["filter"] = str(self.layer.index)
            meta["options"]["filter"] = [str(f) for f in range(self.layer.count)]
        return meta

    def describe(self) -> str:
        """One line on the kernel: the catalogue's, or what a custom or trained kernel is."""
        if self.layer is not None:
            then = "" if self.layer.activation in ("linear", "None") else f"; the layer then applies {self.layer.activation}"
            return f"{self.layer.words()}, learned in training: the dot product plus its bias{then}"
        if self.kernel_name in kernels.names():
            return kernels.describe(self.kernel_name)
        return "a custom kernel, not from the catalogue"

    def wire(self) -> dict:
        """The arrays sent to the browser, by trait name."""
        return {"input_data": self.source.array, "output_data": self.output, "kernel_data": self.kernel,
                "parts_data": self.parts}

    def window(self, step: int) -> tuple[int, int, int, int]:
        """``(top, left, height, width)`` of the kernel's window at ``step``, in padded-input cells."""
        return ops.window(*self.position(step), self.kernel.shape[:2], self.stride)

    def window_values(self, step: int) -> np.ndarray:
        """The input under the kernel at ``step``, padding zeros included: ``(kh, kw[, C])`` float32."""
        padded = ops.pad(self.source.array.astype(np.float32), self.kernel.shape[:2], self.stride, self.padding)
        top, left, h, w = self.window(step)
        return padded[top:top + h, left:left + w]

    def panel(self) -> np.ndarray:
        """The input panel at one pixel per cell, padding checkered: ``(rows, cols, 3)`` uint8."""
        img = self.source.array
        if img.dtype != np.uint8:
            t = np.clip((img.astype(np.float64) - self.in_lo) / (self.in_hi - self.in_lo), 0, 1)
            img = np.floor(t * 255 + 0.5).astype(np.uint8)
        if img.ndim == 3 and self.channel != "all":
            img = img[:, :, channel_names(img.shape[2]).index(self.channel)]
        elif img.ndim == 3 and img.shape[2] != 3:  # many channels, "all": their average, in gray
            img = np.floor(img.astype(np.float64).mean(axis=2) + 0.5).astype(np.uint8)
        return padded_panel(np.repeat(img[:, :, None], 3, axis=2) if img.ndim == 2 else img, self.pad)

    def heading(self) -> str:
        """``"Convolution: cat, kernel sobel_x 3×3"`` (the widget's title)."""
        kh, kw = self.kernel.shape[:2]
        what = (f"kernel {self.kernel_name}" if self.layer is None
                else f"filter {self.layer.index} of layer {self.layer.layer}")
        bias = "" if self.layer is None or not self.layer.use_bias else f", bias {fmt(self.bias)}"
        return (f"Convolution: {title_label(self.source.label, self.source.original, 'image')}, "
                f"{what} {kh}\u00d7{kw}{bias}")

    def title(self) -> str:
        """The title of a static frame: the heading with stride and padding."""
        return f"{self.heading()}, stride {pair_text(compact_pair(self.stride))}, padding {self.padding}"

    def caption(self, step: int) -> str:
        r, c = self.position(step)
        bias = "" if self.layer is None or not self.layer.use_bias else f" (sum + bias {fmt(self.bias)})"
        return f"step {step + 1} of {self.steps}: output[{r}, {c}] = {fmt(self.output[r, c])}{bias}"

    def __repr__(self) -> str:
        return f"ConvolutionScene({shape_text(self.source.array.shape)} * {self.kernel_name}, {self.grid})"


def convolution_scene(source: Source, kernel_name: str, kernel: np.ndarray, stride: tuple, padding,
                      channel: str, layer: LayerFilter | None = None, offered: tuple = ()) -> ConvolutionScene:
    """Compute a convolution scene from validated arguments (see :mod:`.._inputs`); pure.

    Parameters
    ----------
    source : Source
        The photo, ``(H, W)`` or ``(H, W, 3)``.
    kernel_name : str
    kernel : (kh, kw[, C]) float32 ndarray
        Fits ``source`` (checked by the caller).
    stride : (int, int)
    padding : {"valid", "same"} or int
    channel : str
        ``"all"`` or one of :func:`channel_names`.
    layer : LayerFilter, optional
        The trained filter ``kernel`` is; its bias is added to every output cell.
    offered : tuple of str
        More kernel names the kernel select offers (a Keras layer shown before).

    Returns
    -------
    ConvolutionScene

    Examples
    --------
    >>> from cnnlab.widgets._inputs import load_image
    >>> scene = convolution_scene(load_image("camera", 64), "sobel_x", kernels.get("sobel_x"), (1, 1),
    ...                           "valid", "all")
    >>> scene.output.shape, scene.steps
    ((62, 62), 3844)
    """
    shown = source.array
    out = ops.conv2d(shown, kernel, stride, padding)
    if layer is not None and layer.bias != 0:
        out = out + np.float32(layer.bias)
    parts = None
    if shown.ndim == 3:
        parts = np.stack([ops.conv2d(shown[:, :, c], kernel if kernel.ndim == 2 else kernel[:, :, c],
                                     stride, padding) for c in range(shown.shape[2])], axis=-1)
    kh, kw = kernel.shape[:2]
    pad = (*ops.padding_amounts(shown.shape[0], kh, stride[0], padding),
           *ops.padding_amounts(shown.shape[1], kw, stride[1], padding))
    vmin, vmax = _colors.limits(out)
    lo, hi = float(shown.min()), float(shown.max())
    return ConvolutionScene(source, kernel_name, frozen(kernel), tuple(stride), padding, channel, frozen(out),
                            None if parts is None else frozen(parts), pad, vmin, vmax, lo,
                            hi if hi > lo else lo + 1.0, layer, tuple(offered))


# ---------------------------------------------------------------- the kernel as people write it


def kernel_denominator(kernel) -> int:
    """How the widget writes the kernel's weights, so that the written-out sums add up.

    * ``1``: every weight is a short decimal (``-2``, ``0.5``, ``0.125``): written as is;
    * ``D > 1``: every weight is a multiple of ``1/D`` for a ``D`` up to 256 (``1/9`` for
      ``box_blur``, ``1/16`` for a binomial blur): written as fractions, and the sum as
      ``(v1 + v2 + ...) / D``;
    * ``0``: anything else (a trained kernel): written rounded, the sum then says ``≈``.

    Examples
    --------
    >>> kernel_denominator(kernels.get("sobel_x")), kernel_denominator(kernels.get("box_blur"))
    (1, 9)
    >>> kernel_denominator([[1 / 16, 1 / 8], [1 / 4, 0.5625]]), kernel_denominator(kernels.get("gaussian"))
    (16, 0)
    """
    w = np.asarray(kernel, dtype=np.float64).ravel()

    def close(a, b):
        return abs(a - b) <= 1e-6 * max(1.0, abs(a))

    if all(close(x * 1000, round(x * 1000)) for x in w):
        return 1
    den = 1
    for x in w:
        frac = Fraction(float(x)).limit_denominator(MAX_DENOMINATOR)
        if not close(float(x), float(frac)):
            return 0
        den = den * frac.denominator // math.gcd(den, frac.denominator)
        if den > MAX_DENOMINATOR:
            return 0
    return den


def weight_text(x: float, den: int) -> str:
    """One kernel weight as typed text: ``"-2"``, ``"0.125"``, ``"1/9"`` or the shortest float32 repr."""
    x = float(x)
    if den > 1:
        frac = Fraction(round(x * den), den)
        return str(frac.numerator) if frac.denominator == 1 else f"{frac.numerator}/{frac.denominator}"
    if den == 1:
        x = round(x, 3)
        return str(int(x)) if x == int(x) else np.format_float_positional(x, trim="-")
    return np.format_float_positional(np.float32(x), unique=True, trim="-")


def kernel_text(kernel: np.ndarray) -> str:
    """A 2-D kernel as typed text, ``"-1 0 1; -2 0 2; -1 0 1"`` or ``"1/9 1/9 1/9; ..."``.

    Reading the text back (``ConvolutionWidget(..., kernel=text)``) gives the same float32
    kernel. ``""`` for a 3-D kernel.

    Examples
    --------
    >>> kernel_text(kernels.get("box_blur"))
    '1/9 1/9 1/9; 1/9 1/9 1/9; 1/9 1/9 1/9'
    """
    if kernel.ndim != 2:
        return ""
    den = kernel_denominator(kernel)
    return "; ".join(" ".join(weight_text(x, den) for x in row) for row in kernel)
