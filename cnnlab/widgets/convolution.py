"""ConvolutionWidget: a kernel sliding over a real photo, one dot product at a time."""

from __future__ import annotations

import io
import time

import numpy as np
import traitlets

from .. import _colors, images, ops
from .. import _validate as v
from ._base import AnimatedWidget, parameter
from ._inputs import (
    check_budget,
    check_kernel_fits,
    check_max_size,
    downscaled,
    take_image,
    take_kernel,
)
from ._keras import LayerKernel, is_keras_layer
from ._protocol import check_scene, error_text
from ._serialize import ARRAY
from ._text import compact_pair, fmt, shape_text, shown_text
from .scenes._common import clip_words
from .scenes.convolution import (
    ConvolutionScene,
    LayerFilter,
    channel_names,
    convolution_scene,
    convolution_size,
    kernel_denominator,
    kernel_text,
)

__all__ = ["FULL_SHOWN_PX", "ConvolutionWidget", "kernel_denominator", "kernel_text"]

#: longest side of the full-resolution map's picture; a larger map is shown shrunk (and says so)
FULL_SHOWN_PX = 1600


class ConvolutionWidget(AnimatedWidget):
    """Watch a kernel slide over a photo and the feature map fill in, window by window.

    The widget computes with :func:`cnnlab.ops.conv2d` on a downscaled copy of
    the photo (longest side ``max_size``, stated in the widget and the repr) and
    shows, for the current window, the pixel values, the kernel and the written
    out sum of products. Controls: play/pause, step, scrub, speed, kernel,
    stride, padding and, for colour photos, which channel to look at.

    Parameters
    ----------
    image : str, path or (H, W[, C]) array_like
        A name from :func:`cnnlab.images.names` (``"cat"``), an image file, or an array (a
        batch of one, ``(1, H, W, C)``, is taken as its image). The array is copied.
    kernel : str, (kh, kw[, C]) array_like or a Keras ``Conv2D`` layer
        A name from :func:`cnnlab.kernels.names`, typed numbers (``"1 0 -1; 2 0 -2; 1 0 -1"``)
        or an array. A 2-D kernel on a colour photo is used on every channel and summed,
        as :func:`cnnlab.ops.conv2d` does. A trained (built) Keras ``Conv2D`` layer shows
        its filter ``filter``: its ``(kh, kw, C)`` weights, and its bias added to every
        dot product; ``image`` is then that layer's input (for a deeper layer, the
        previous layer's output, ``(H, W, C)``).
    stride : int or (int, int), optional
        Default: the layer's strides for a Keras layer, else 1.
    padding : {"valid", "same"} or int, optional
        Default: the layer's padding for a Keras layer, else ``"valid"``.
    filter : int, optional
        Which filter of a Keras layer to show (default 0); only with a layer.
    channel : str or int
        Which channel the zoom panel and input view show: ``"all"``, ``"R"``, ``"G"``,
        ``"B"`` for a colour photo, or a channel index of a many-channel input.
    max_size : int or None
        Longest side of the copy the widget convolves (default 64); ``None`` keeps the full size.
    speed : float, optional
        Steps per second when playing (default: the whole map in about 20 s).

    Attributes
    ----------
    output : (H', W') ndarray
        ``ops.conv2d(widget.image, widget.kernel, stride, padding)`` (plus the layer's bias).
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

    A trained network's own kernel: filter 3 of its first convolution layer on a digit
    (the layer's input, as the model gives it to the layer), its bias added:

    >>> layer = model.get_layer("conv")                                  # doctest: +SKIP
    >>> w = ConvolutionWidget(digit / 255, layer, filter=3)              # doctest: +SKIP
    >>> w.bias, w.kernel.shape                                           # doctest: +SKIP
    (0.0132, (3, 3))
    >>> PoolingWidget(ActivationWidget(w))                               # doctest: +SKIP

    Introduced in lesson 02.
    """

    KIND = "convolution"

    kernel_data = traitlets.Any(None, allow_none=True).tag(sync=True, **ARRAY)
    parts_data = traitlets.Any(None, allow_none=True).tag(sync=True, **ARRAY)
    #: the full-resolution map as a PNG in the widget's colours (b"" until asked for, and again
    #: when the kernel, stride, padding or image change)
    full_png = traitlets.Bytes(b"").tag(sync=True)
    #: what the page writes about that picture: sizes, colour limits, the clipping note
    full_info = traitlets.Dict().tag(sync=True)

    _params = ("image", "kernel", "stride", "padding", "channel", "max_size", "filter")

    def __init__(self, image, kernel="sobel_x", stride=None, padding=None, *, filter=None,
                 channel="all", max_size=64, speed=None):
        super().__init__({"image": image, "kernel": kernel, "stride": stride, "padding": padding,
                          "channel": channel, "max_size": max_size, "filter": filter}, speed=speed)

    def _take(self, name: str, value):
        """Images and kernels are checked and copied when given (a layer's weights too)."""
        if name == "image":
            return take_image(value)
        if name == "kernel":
            last = getattr(self, "_layer", None)
            if last is not None and isinstance(value, str) and value.strip() == last.label:
                return last  # the kernel select offers the layer back after another kernel was tried
            return take_kernel(value)
        return value

    def set(self, **params) -> None:
        """As :meth:`PageProtocol.set`; a new plain kernel also leaves the layer's ``filter`` behind."""
        if "kernel" in params and "filter" not in params and not is_keras_layer(params["kernel"]):
            params["filter"] = None  # a new plain kernel leaves the layer, and its filter, behind
        super().set(**params)

    def _build(self, values: dict) -> ConvolutionScene:
        """Check every argument once, estimate the size, then compute the scene."""
        source = self._source(values["image"], check_max_size(values["max_size"]), downscaled)
        kernel, layer = _kernel_of(values["kernel"], values["filter"])
        given = values["kernel"]
        stride = v.positive_pair(_default(values["stride"], given, "stride", 1), "stride")
        padding = v.padding(_default(values["padding"], given, "padding", "valid"))
        names = channel_names(1 if source.array.ndim == 2 else source.array.shape[2])
        channel = _channel(values["channel"], names)
        check_kernel_fits(source, kernel, stride, padding)
        (out_h, out_w), sent, products = convolution_size(source.array.shape, kernel.shape, stride, padding)
        blame = f"padding={padding!r}" if isinstance(padding, int) and padding > 0 else (
            "image" if values["max_size"] is None else "max_size")
        check_budget(sent, products, blame, f"a {out_h}x{out_w} output of a {shape_text(source.array.shape)} "
                                            f"image", "kernel" if kernel.shape[0] * kernel.shape[1] > 81 else None)
        name = given.label if isinstance(given, LayerKernel) else given.name
        last = given if isinstance(given, LayerKernel) else getattr(self, "_layer", None)
        scene = convolution_scene(source, name, kernel, stride, padding, channel, layer,
                                  offered=() if last is None else (last.label,))
        huge_image = source.array.dtype != np.uint8 and float(np.abs(source.array).max(initial=0)) > 1e30
        scene = check_scene(scene, "image" if huge_image else "kernel")
        self._layer = last  # the scene is good: remember the layer the kernel select offers
        return scene

    image = parameter("image", "The array the widget convolves (downscaled from the one given), a copy.",
                      lambda scene: scene.source.array.copy())
    kernel = parameter("kernel", "The kernel as a float32 array; set a name, typed numbers or an array.",
                       lambda scene: scene.kernel.copy())
    stride = parameter("stride", "Step between windows: an int, or a pair when they differ.",
                       lambda scene: compact_pair(scene.stride))
    padding = parameter("padding", '"valid", "same" or the zeros added on every side.',
                        lambda scene: scene.padding)
    channel = parameter("channel", 'The channel shown: "all", "R", "G", "B" or a channel index.',
                        lambda scene: int(scene.channel) if scene.channel.isdigit() else scene.channel)
    max_size = parameter("max_size", "Longest side of the copy the widget convolves (None: full size).")
    filter = parameter("filter", "Which filter of a Keras layer is shown (None for other kernels).",
                       lambda scene: None if scene.layer is None else scene.layer.index)

    @property
    def kernel_name(self) -> str:
        """The catalogue name of the kernel, ``"custom"``, or ``"layer <name>"`` for a Keras layer."""
        return self._scene.kernel_name

    @property
    def bias(self) -> float:
        """What is added to every dot product: the Keras layer filter's bias, else 0."""
        return self._scene.bias

    def window(self, step: int | None = None) -> np.ndarray:
        """The input values under the kernel at ``step``, padding zeros included: ``(kh, kw[, C])``."""
        return self._scene.window_values(self._step_arg(step))

    # ------------------------------------------------------------ the full-resolution map

    def full_resolution(self) -> np.ndarray:
        """The same kernel, stride and padding on the photo at its full size; shown in the widget too.

        The animation runs on a small copy of the photo (``max_size``) so that its steps
        can be followed; this is the map the kernel makes of the real photo. The result is
        also drawn in the widget's colours under the animation (:attr:`full_png`), with its
        size stated.

        Returns
        -------
        (H', W') float32 ndarray
            ``ops.conv2d(full_photo, kernel, stride, padding)`` (plus a trained filter's bias).

        Raises
        ------
        ValueError
            When the full-size map would take more than the widgets' multiplication budget
            (``_inputs.MAX_PRODUCTS``, about 2 s).

        Examples
        --------
        >>> w = ConvolutionWidget("camera", "sobel_x")
        >>> w.full_resolution().shape           # the 512x512 photo, not the 64x64 copy
        (510, 510)
        """
        scene = self._scene
        photo = self._values["image"].array
        (out_h, out_w), _, products = convolution_size(photo.shape, scene.kernel.shape, scene.stride, scene.padding)
        check_budget(0, products, "image", f"the {out_h}x{out_w} map of the full {shape_text(photo.shape)} photo")
        started = time.perf_counter()
        full = ops.conv2d(photo, scene.kernel, scene.stride, scene.padding)
        if scene.bias:
            full = full + np.float32(scene.bias)
        seconds = time.perf_counter() - started
        png, info = _full_picture(full, photo.shape, scene)
        info["seconds"] = round(seconds, 3)
        with self.hold_sync():
            self.full_info = info
            self.full_png = png
        self._full_key = self._scene_key(scene)
        return full

    @staticmethod
    def _scene_key(scene) -> tuple:
        """What the full-resolution map depends on (not the channel shown, not the step)."""
        return (id(scene.source), scene.kernel.tobytes(), scene.kernel.shape, scene.stride, scene.padding, scene.bias)

    def _publish(self, scene) -> None:
        super()._publish(scene)
        if self.full_png and getattr(self, "_full_key", None) != self._scene_key(scene):
            with self.hold_sync():   # the picture no longer shows this kernel: drop it
                self.full_png = b""
                self.full_info = {}

    def _on_front_end_msg(self, widget, content, buffers):
        """``{"type": "full_resolution"}`` from the page's button; everything else as for every widget."""
        if not isinstance(content, dict) or content.get("type") != "full_resolution":
            super()._on_front_end_msg(widget, content, buffers)
            return
        ok = False
        try:
            self.full_resolution()
            self.error = ""
            ok = True
        except Exception as exc:  # noqa: BLE001 - every failure must reach the error line
            self.error = error_text(exc, "the full-resolution map")
        finally:
            self.send({"type": "ack", "ok": ok, "error": self.error, "of": "full_resolution"})

    def __repr__(self) -> str:
        sc = self._scene
        image = shown_text(sc.source.label, sc.source.original, sc.source.array.shape)
        kernel = f"{sc.kernel_name} {shape_text(sc.kernel.shape)}"
        if sc.layer is not None:
            kernel += f" filter {sc.layer.index} of {sc.layer.count}, bias {sc.layer.bias:.4g}"
        extra = f", channel={self.channel!r}" if sc.channel != "all" else ""
        return (f"ConvolutionWidget(image={image}, kernel={kernel}, stride={self.stride!r}, "
                f"padding={sc.padding!r}{extra}, output {shape_text(sc.output.shape)})")


def _default(value, kernel, name: str, plain):
    """``value``, or when it is None the Keras layer's own stride / padding (else ``plain``)."""
    if value is not None:
        return value
    return getattr(kernel, name) if isinstance(kernel, LayerKernel) else plain


def _kernel_of(kernel, filter_index) -> tuple[np.ndarray, LayerFilter | None]:
    """The ``(kh, kw[, C])`` array to slide, and the layer filter it is (None for a plain kernel)."""
    if not isinstance(kernel, LayerKernel):
        if filter_index is not None:
            raise ValueError(f"filter is only for a Keras Conv2D layer given as kernel, got filter="
                             f"{filter_index!r:.20} with kernel {kernel.name!r}")
        return kernel.array, None
    index = kernel.check_filter(filter_index)
    layer = LayerFilter(kernel.layer_name, index, kernel.filters, float(kernel.bias[index]), kernel.use_bias,
                        kernel.activation)
    return kernel.filter_kernel(index), layer


def _channel(value, names: tuple[str, ...]) -> str:
    """``"all"`` or one of ``names``; an int (or its text) picks a numbered channel."""
    if names and names[0] == "0" and isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = str(int(value))
    return v.choice(value, "channel", ("all", *names))


def _full_picture(full: np.ndarray, photo_shape, scene) -> tuple[bytes, dict]:
    """The full-resolution map as a PNG in the widget's colours, and what the page writes about it."""
    from PIL import Image

    vmin, vmax = _colors.limits(full)
    shown = full
    if max(full.shape) > FULL_SHOWN_PX:   # a big photo's map: averaged down to a picture a page can hold
        shown = images.resize(full, FULL_SHOWN_PX)
    buffer = io.BytesIO()
    Image.fromarray(_colors.to_rgb_array(shown, vmin, vmax)).save(buffer, format="PNG")
    size = "\u00d7".join(str(n) for n in full.shape)
    photo = "\u00d7".join(str(n) for n in photo_shape[:2])
    kh, kw = scene.kernel.shape[:2]
    words = f"the same {scene.kernel_name} {kh}\u00d7{kw} kernel on the whole {photo} photo: a {size} map"
    if shown is not full:
        words += f", shown at {'x'.join(str(n) for n in shown.shape)}"
    info = {"shape": list(full.shape), "photo_shape": list(photo_shape), "shown_shape": list(shown.shape),
            "vmin": vmin, "vmax": vmax, "lo": float(full.min()), "hi": float(full.max()),
            "clip_note": clip_words([full], vmin, vmax), "words": words,
            "range": f"from {fmt(full.min())} to {fmt(full.max())}"}
    return buffer.getvalue(), info
