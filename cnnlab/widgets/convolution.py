"""ConvolutionWidget: a kernel sliding over a real photo, one dot product at a time."""

from __future__ import annotations

import math
import os
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import traitlets

from .. import _validate as v
from .. import images, kernels, ops
from . import _base, _colors
from ._base import AnimatedWidget, fmt, shape_text
from ._serialize import ARRAY

__all__ = ["ConvolutionWidget", "load_image", "load_kernel"]

STRIDE_OPTIONS = [1, 2, 3, 4]
PADDING_OPTIONS = ["valid", "same", 1, 2]
CHANNEL_NAMES = ("R", "G", "B")
MAX_DENOMINATOR = 256    # 1/9 (box blur), 1/16 and 1/256 (binomial blurs) are written as fractions
_FRACTION = re.compile(r"(?<![^\s,;])([+-]?(?:\d+\.?\d*|\.\d+))/((?:\d+\.?\d*|\.\d+))(?![^\s,;])")


def load_image(image, max_size, name: str = "image"):
    """``(label, original_shape, shown)``: a photo name, a path or an array, downscaled.

    ``shown`` is what the widget computes on: ``(H, W)`` or ``(H, W, 3)``, uint8
    (or float32 for non-uint8 input), longest side at most ``max_size``.
    """
    if isinstance(image, (str, os.PathLike)):
        text = os.fspath(image)
        if text in images.names():
            label, arr = text, images.load(text)
        else:
            try:
                arr = images.load(text)
            except (ValueError, TypeError) as exc:  # images.load names its own argument name_or_path
                raise type(exc)(str(exc).replace("name_or_path", name, 1)) from None
            label = Path(text).name if not text.startswith(("http://", "https://")) else text
    else:
        label = "array"
        arr = v.array(image, name, (2, 3))
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim == 3 and arr.shape[2] != 3:
        raise ValueError(f"{name} must be (H, W) grayscale or (H, W, 3) RGB, got shape {arr.shape}")
    original = arr.shape
    shown = _base.downscale(_base.as_display_dtype(arr), max_size)
    return label, original, shown


def load_kernel(kernel):
    """``(name, array)`` from a kernel name, typed numbers or an array; ``name`` is "custom" if unnamed."""
    if isinstance(kernel, str):
        text = kernel.strip()
        if text in kernels.names():
            return text, kernels.get(text)
        if text and not re.search(r"\d", text):
            raise ValueError(f"kernel must be one of {', '.join(kernels.names())} or numbers typed like "
                             f"'-1 0 1; -2 0 2; -1 0 1', got {kernel!r}")
        arr = kernels.parse(_expand_fractions(kernel), "kernel")
    else:
        arr = v.array(kernel, "kernel", (2, 3)).astype(np.float32)
    for name in kernels.names():
        named = kernels.get(name)
        if named.shape == arr.shape and np.array_equal(named, arr):
            return name, named
    return "custom", np.ascontiguousarray(arr, dtype=np.float32)


def _expand_fractions(text: str) -> str:
    """Typed ``1/9`` becomes the number it stands for (``kernels.parse`` reads plain numbers)."""
    def value(match):
        num, den = float(match.group(1)), float(match.group(2))
        if den == 0:
            raise ValueError(f"kernel value {match.group(0)!r} divides by zero")
        return repr(num / den)

    return _FRACTION.sub(value, text)


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
    >>> load_kernel(kernel_text(kernels.get("box_blur")))[0]
    'box_blur'
    """
    if kernel.ndim != 2:
        return ""
    den = kernel_denominator(kernel)
    return "; ".join(" ".join(weight_text(x, den) for x in row) for row in kernel)


def _stride_value(stride):
    return _base.square_or_pair(stride, "stride")


class ConvolutionWidget(AnimatedWidget):
    """Watch a kernel slide over a photo and the feature map fill in, window by window.

    The widget computes with :func:`cnnlab.ops.conv2d` on a downscaled copy of
    the photo (longest side ``max_size``, stated in the widget and the repr) and
    shows, for the current window, the pixel values, the kernel and the written
    out sum of products. Controls: play/pause, step, scrub, speed, kernel,
    stride, padding and, for colour photos, which channel to look at.

    Parameters
    ----------
    image : str, path or (H, W[, 3]) array_like
        A name from :func:`cnnlab.images.names` (``"cat"``), an image file, or an array.
    kernel : str or (kh, kw[, C]) array_like
        A name from :func:`cnnlab.kernels.names`, typed numbers (``"1 0 -1; 2 0 -2; 1 0 -1"``)
        or an array. A 2-D kernel on a colour photo is used on every channel and summed,
        as :func:`cnnlab.ops.conv2d` does.
    stride : int or (int, int)
    padding : {"valid", "same"} or int
    channel : {"all", "R", "G", "B"}
        Which channel the zoom panel and input view show for a colour photo.
    max_size : int or None
        Longest side of the copy the widget convolves (default 64); ``None`` keeps the full size.
    speed : float, optional
        Steps per second when playing (default: the whole map in about 20 s).

    Attributes
    ----------
    output : (H', W') ndarray
        ``ops.conv2d(widget.image, widget.kernel, stride, padding)``.
    image : ndarray
        The (downscaled) array actually convolved.

    Examples
    --------
    >>> from cnnlab.widgets import ConvolutionWidget
    >>> w = ConvolutionWidget("camera", "sobel_x")
    >>> w  # doctest: +NORMALIZE_WHITESPACE
    ConvolutionWidget(image=camera 512x512 shown at 1/8 → 64x64, kernel=sobel_x 3x3,
                      stride=1, padding='valid', output 62x62)
    >>> w.output.shape
    (62, 62)

    Introduced in lesson 02.
    """

    kernel_data = traitlets.Any(None, allow_none=True).tag(sync=True, **ARRAY)
    parts_data = traitlets.Any(None, allow_none=True).tag(sync=True, **ARRAY)

    _params = ("image", "kernel", "stride", "padding", "channel", "max_size")

    def __init__(self, image, kernel="sobel_x", stride=1, padding="valid", *, channel="all",
                 max_size=64, speed=None):
        super().__init__({"image": image, "kernel": kernel, "stride": stride, "padding": padding,
                          "channel": channel, "max_size": max_size}, speed=speed)

    # ------------------------------------------------------------ computing

    def _compute(self, p: dict) -> dict:
        max_size = _base.check_max_size(p["max_size"])
        old = getattr(self, "_scene", None)
        if old is not None and p["image"] is old["image_arg"] and max_size == old["max_size"]:
            label, original, shown = old["label"], old["original"], old["image"]
        else:
            label, original, shown = load_image(p["image"], max_size)
        kname, kernel = load_kernel(p["kernel"])
        stride = _stride_value(p["stride"])
        padding = v.padding(p["padding"])
        channels = 1 if shown.ndim == 2 else shown.shape[2]
        choices = ("all",) + (CHANNEL_NAMES if channels == 3 else ())
        channel = v.choice(p["channel"], "channel", choices)
        try:
            out = ops.conv2d(shown, kernel, stride, padding)
        except ValueError as exc:
            if shown.shape != original:
                raise ValueError(f"{exc} (the widget convolves the image shown at {shape_text(shown.shape)}; "
                                 f"pass a larger max_size, or max_size=None)") from None
            raise
        sh, sw = v.positive_pair(stride, "stride")
        kh, kw = kernel.shape[:2]
        top, bottom = ops.padding_amounts(shown.shape[0], kh, sh, padding)
        left, right = ops.padding_amounts(shown.shape[1], kw, sw, padding)
        parts = None
        if channels > 1:
            parts = np.stack([ops.conv2d(shown[:, :, c], kernel if kernel.ndim == 2 else kernel[:, :, c],
                                         stride, padding) for c in range(channels)], axis=-1)
        vmin, vmax = _colors.limits(out)
        lo, hi = float(shown.min()), float(shown.max())
        factor = _base.scale_factor(original, shown.shape)
        meta = {
            "kind": "convolution",
            "steps": int(out.size), "grid": list(out.shape), "n": int(out.size),
            "in_shape": [shown.shape[0], shown.shape[1], channels],
            "pad": [top, bottom, left, right], "stride": [sh, sw], "ksize": [kh, kw],
            "kernel_ndim": int(kernel.ndim), "kernel_den": kernel_denominator(kernel),
            "vmin": vmin, "vmax": vmax, "in_lo": lo, "in_hi": hi if hi > lo else lo + 1.0,
            "title": f"Convolution: {_base.title_label(label, original, 'image')}, kernel {kname} {kh}\u00d7{kw}",
            "describe": kernels.describe(kname) if kname != "custom" else "a custom kernel, not from the catalogue",
            "scale_note": _base.scale_words(original, shown.shape),
            "params": {"kernel": kname, "kernel_text": kernel_text(kernel), "stride": _base.pair_text(stride),
                       "padding": str(padding), "channel": channel},
            "options": {
                "kernel": kernels.names() + ["custom"],
                "stride": _base.with_value(STRIDE_OPTIONS, stride),
                "padding": _base.with_value(PADDING_OPTIONS, padding),
                "channel": list(choices),
            },
        }
        return {
            "image_arg": p["image"], "label": label, "original": original, "image": shown,
            "max_size": max_size, "kernel_name": kname, "kernel": kernel, "stride": stride,
            "padding": padding, "channel": channel, "output": out, "parts": parts,
            "shown": out.reshape(-1), "grid": out.shape, "steps": int(out.size), "vmin": vmin, "vmax": vmax,
            "factor": factor, "input_wire": shown, "output_wire": out, "meta": meta,
        }

    def _wire(self, scene: dict) -> dict:
        state = super()._wire(scene)
        state["kernel_data"] = scene["kernel"]
        state["parts_data"] = scene["parts"]
        return state

    # ------------------------------------------------------------ parameters as properties

    @property
    def image(self) -> np.ndarray:
        """The array the widget convolves (downscaled from the one given), a copy."""
        return self._scene["image"].copy()

    @image.setter
    def image(self, value):
        self.set(image=value)

    @property
    def kernel(self) -> np.ndarray:
        """The kernel as a float32 array; set a name, typed numbers or an array."""
        return self._scene["kernel"].copy()

    @kernel.setter
    def kernel(self, value):
        self.set(kernel=value)

    @property
    def kernel_name(self) -> str:
        """The catalogue name of the kernel, or ``"custom"``."""
        return self._scene["kernel_name"]

    @property
    def stride(self):
        return self._scene["stride"]

    @stride.setter
    def stride(self, value):
        self.set(stride=value)

    @property
    def padding(self):
        return self._scene["padding"]

    @padding.setter
    def padding(self, value):
        self.set(padding=value)

    @property
    def channel(self) -> str:
        return self._scene["channel"]

    @channel.setter
    def channel(self, value):
        self.set(channel=value)

    @property
    def max_size(self):
        return self._scene["max_size"]

    @max_size.setter
    def max_size(self, value):
        self.set(max_size=value)

    @property
    def scale_note(self) -> str:
        """The downscale statement shown in the widget, e.g. ``"shown at 1/8 scale: 512×512 → 64×64"``."""
        return self._scene["meta"]["scale_note"]

    def window(self, step: int | None = None) -> np.ndarray:
        """The input values under the kernel at ``step``, padding zeros included: ``(kh, kw[, C])``."""
        step = self._step_arg(step)
        sc = self._scene
        img = sc["image"].astype(np.float32)
        (sh, sw), (kh, kw) = v.positive_pair(sc["stride"], "stride"), sc["kernel"].shape[:2]
        padded = ops.pad(img, (kh, kw), (sh, sw), sc["padding"])
        r, c = self.position(step)
        return padded[r * sh:r * sh + kh, c * sw:c * sw + kw]

    # ------------------------------------------------------------ static frames

    def _input_panel(self) -> np.ndarray:
        sc = self._scene
        img = sc["image"]
        meta = sc["meta"]
        if img.dtype != np.uint8:
            lo, hi = meta["in_lo"], meta["in_hi"]
            t = np.clip((img.astype(np.float64) - lo) / (hi - lo), 0, 1)
            img = np.floor(t * 255 + 0.5).astype(np.uint8)
        if img.ndim == 3 and sc["channel"] != "all":
            img = img[:, :, CHANNEL_NAMES.index(sc["channel"])]
        rgb = np.repeat(img[:, :, None], 3, axis=2) if img.ndim == 2 else img
        top, bottom, left, right = meta["pad"]
        h, w = rgb.shape[:2]
        panel = _base.pad_pattern(h + top + bottom, w + left + right)
        panel[top:top + h, left:left + w] = rgb
        return panel

    def _window(self, step):
        r, c = self.position(step)
        sh, sw = self._scene["meta"]["stride"]
        kh, kw = self._scene["meta"]["ksize"]
        return r * sh, c * sw, kh, kw

    def _title(self) -> str:
        sc = self._scene
        return f"{sc['meta']['title']}, stride {_base.pair_text(sc['stride'])}, padding {sc['padding']}"

    def _caption(self, step) -> str:
        r, c = self.position(step)
        return f"step {step + 1} of {self.steps}: output[{r}, {c}] = {fmt(self._scene['output'][r, c])}"

    def __repr__(self) -> str:
        sc = self._scene
        image = _base.shown_text(sc["label"], sc["original"], sc["image"].shape)
        kernel = f"{sc['kernel_name']} {shape_text(sc['kernel'].shape)}"
        extra = f", channel={sc['channel']!r}" if sc["channel"] != "all" else ""
        return (f"ConvolutionWidget(image={image}, kernel={kernel}, stride={sc['stride']!r}, "
                f"padding={sc['padding']!r}{extra}, output {shape_text(sc['output'].shape)})")
