"""ConvolutionWidget: a kernel sliding over a real photo, one dot product at a time."""

from __future__ import annotations

import numpy as np
import traitlets

from .. import _validate as v
from ._base import AnimatedWidget, parameter
from ._inputs import check_kernel_fits, check_max_size, load_image, load_kernel
from ._serialize import ARRAY
from ._text import compact_pair, shape_text, shown_text
from .scenes.convolution import (
    CHANNEL_NAMES,
    ConvolutionScene,
    convolution_scene,
    kernel_denominator,
    kernel_text,
)

__all__ = ["ConvolutionWidget", "kernel_denominator", "kernel_text", "load_image", "load_kernel"]


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

    def _build(self, values: dict) -> ConvolutionScene:
        """Check every argument once, then compute the scene."""
        source = self._source(values["image"], check_max_size(values["max_size"]), load_image)
        kernel_name, kernel = load_kernel(values["kernel"])
        stride = v.positive_pair(values["stride"], "stride")
        padding = v.padding(values["padding"])
        colour = source.array.ndim == 3
        channel = v.choice(values["channel"], "channel", ("all",) + (CHANNEL_NAMES if colour else ()))
        check_kernel_fits(source, kernel, stride, padding)
        return convolution_scene(source, kernel_name, kernel, stride, padding, channel)

    image = parameter("image", "The array the widget convolves (downscaled from the one given), a copy.",
                      lambda scene: scene.source.array.copy())
    kernel = parameter("kernel", "The kernel as a float32 array; set a name, typed numbers or an array.",
                       lambda scene: scene.kernel.copy())
    stride = parameter("stride", "Step between windows: an int, or a pair when they differ.",
                       lambda scene: compact_pair(scene.stride))
    padding = parameter("padding", '"valid", "same" or the zeros added on every side.',
                        lambda scene: scene.padding)
    channel = parameter("channel", 'The channel shown for a colour photo: "all", "R", "G" or "B".',
                        lambda scene: scene.channel)
    max_size = parameter("max_size", "Longest side of the copy the widget convolves (None: full size).")

    @property
    def kernel_name(self) -> str:
        """The catalogue name of the kernel, or ``"custom"``."""
        return self._scene.kernel_name

    def window(self, step: int | None = None) -> np.ndarray:
        """The input values under the kernel at ``step``, padding zeros included: ``(kh, kw[, C])``."""
        return self._scene.window_values(self._step_arg(step))

    def __repr__(self) -> str:
        sc = self._scene
        image = shown_text(sc.source.label, sc.source.original, sc.source.array.shape)
        kernel = f"{sc.kernel_name} {shape_text(sc.kernel.shape)}"
        extra = f", channel={sc.channel!r}" if sc.channel != "all" else ""
        return (f"ConvolutionWidget(image={image}, kernel={kernel}, stride={self.stride!r}, "
                f"padding={sc.padding!r}{extra}, output {shape_text(sc.output.shape)})")
