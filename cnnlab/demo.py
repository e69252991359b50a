"""The instructor demo's chain of widgets: one photo through convolution, ReLU, pooling and flattening.

``lessons/instructor_demo.ipynb`` (served by ``cnnlab demo``, no code shown) builds a
:class:`PhotoChain` on the presenter's photo and shows its widgets one after the other. The
photo comes from ``cnnlab demo --photo PATH`` (which sets :data:`PHOTO_VARIABLE` for the
notebook) or from the upload button that :meth:`PhotoChain.upload_row` makes; a file that is
not a usable picture gives one line under the button and keeps the photo shown before.

Nothing here imports TensorFlow: the demo's first widgets appear before any model loads. The drawing
pad of the last section shows at once and loads its network in a background thread (see
:class:`cnnlab.widgets.DrawWidget`), which starts only after the photo widgets are built: importing
Keras in a thread from the start was measured to slow the first widgets by about 1.5 s, as the import
holds the interpreter while the kernel builds and sends them.

Examples
--------
>>> from cnnlab import demo
>>> chain = demo.PhotoChain("coins")
>>> chain.relu.output.shape == chain.convolution.output.shape
True
"""

from __future__ import annotations

import html
import os
import re
import tempfile
from pathlib import Path

import numpy as np

from . import _validate as v
from . import images, ops

__all__ = ["DEFAULT_PHOTO", "PHOTO_VARIABLE", "PhotoChain", "photo", "read_upload"]

#: the environment variable that ``cnnlab demo --photo PATH`` sets for the demo notebook
PHOTO_VARIABLE = "CNNLAB_DEMO_PHOTO"
#: the bundled photo shown when no photo was given
DEFAULT_PHOTO = "astronaut"
#: the kernel the demo starts with: vertical edges, easy to see on any photo
DEMO_KERNEL = "sobel_x"
#: the flattening step shows the pooled map pooled once more by this factor (a vector one can read)
FLATTEN_POOL = 4


def photo() -> str:
    """The photo the demo opens: the path in ``$CNNLAB_DEMO_PHOTO``, else :data:`DEFAULT_PHOTO`."""
    chosen = os.environ.get(PHOTO_VARIABLE, "").strip()
    return chosen or DEFAULT_PHOTO


def read_upload(name: str, content) -> np.ndarray:
    """The pixels of an uploaded picture, checked as :func:`cnnlab.images.load` checks a file.

    Parameters
    ----------
    name : str
        The file's name on the presenter's computer (only its last part is used).
    content : bytes or memoryview
        The file's bytes, as ``ipywidgets.FileUpload`` gives them.

    Returns
    -------
    (H, W) or (H, W, 3) uint8 ndarray

    Raises
    ------
    ValueError
        Empty, too large, or not a picture Pillow can read; the message names the file as the
        presenter knows it, not the temporary copy.
    TypeError
        ``name`` is not a string or ``content`` is not bytes-like.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be the file's name as a string, got {type(name).__name__}")
    if not isinstance(content, (bytes, bytearray, memoryview)):
        raise TypeError(f"content must be the file's bytes, got {type(content).__name__}")
    shown = Path(name.replace("\\", "/")).name or "the file"
    size = len(content) if not isinstance(content, memoryview) else content.nbytes
    if size == 0:
        raise ValueError(f"{shown} is empty")
    if size > images.MAX_FILE_BYTES:
        raise ValueError(f"{shown} is {size:,} bytes, more than the {images.MAX_FILE_BYTES:,} a picture may have")
    safe = re.sub(r"[^\w.-]", "_", shown)[-100:] or "upload"
    with tempfile.TemporaryDirectory(prefix="cnnlab-upload-") as folder:
        copy = Path(folder) / safe
        copy.write_bytes(bytes(content))
        try:
            return images.load(copy)
        except ValueError as exc:
            message = str(exc).replace(repr(str(copy)), repr(shown)).replace("name_or_path ", "", 1)
            message = re.sub(r"\s*\([^()]*<_io\.[^()]*\)", "", message)  # Pillow names our temporary file
            raise ValueError(message) from None


class PhotoChain:
    """One photo through the first layers of a CNN, a widget per step, kept in step with each other.

    Parameters
    ----------
    image : str, path or (H, W[, C]) array_like
        What :class:`~cnnlab.widgets.ConvolutionWidget` takes: a bundled photo's name, a file or an array.

    Attributes
    ----------
    convolution : ConvolutionWidget
        The kernel (:data:`DEMO_KERNEL` to start with) sliding over the photo.
    relu : ActivationWidget
        ReLU on the convolution's feature map ``(H', W')``.
    pooling : PoolingWidget
        2x2 max pooling of the ReLU map: ``(H'//2, W'//2)``.
    flatten : FlattenWidget
        The pooled map, pooled by :data:`FLATTEN_POOL` once more, unrolled into a vector.
    """

    def __init__(self, image=DEFAULT_PHOTO):
        from .widgets import ActivationWidget, ConvolutionWidget, FlattenWidget, PoolingWidget

        self._opening_note = ""
        try:
            self.convolution = ConvolutionWidget(image, DEMO_KERNEL)
        except (ValueError, TypeError) as exc:  # e.g. the file given to `cnnlab demo --photo` went away
            self._opening_note = f"Could not open {image}: {v.one_line(exc)}; showing {DEFAULT_PHOTO} instead."
            image = DEFAULT_PHOTO
            self.convolution = ConvolutionWidget(image, DEMO_KERNEL)
        self._image = image  # the last photo that went through every step
        self.relu = ActivationWidget(self.convolution.output, "relu")
        self.pooling = PoolingWidget(self.relu.output, size=2, mode="max")
        self.flatten = FlattenWidget(_small(self.pooling.output))
        self._status = None
        self._strict = False  # while a new photo is tried, a step that cannot follow refuses the photo
        # a kernel, stride or padding changed in the convolution widget flows on to the next steps
        self.convolution.observe(lambda _change: self._follow(), names="output_data")

    @property
    def widgets(self) -> tuple:
        """The four widgets, in the order data flows through them."""
        return (self.convolution, self.relu, self.pooling, self.flatten)

    def show_image(self, image) -> None:
        """Put ``image`` into the convolution widget; the other widgets follow.

        Raises ``ValueError`` / ``TypeError`` (and keeps the photo shown before) when ``image``
        cannot be shown.
        """
        self._strict = True
        try:
            self.convolution.set(image=image)
        except (ValueError, TypeError):
            self._strict = False
            self.convolution.set(image=self._image)
            raise
        finally:
            self._strict = False
        self._image = image

    def _follow(self) -> None:
        """Recompute ReLU, pooling and flattening from the convolution's map (small: a few ms)."""
        try:
            self.relu.set(feature_map=self.convolution.output)
            self.pooling.set(feature_map=self.relu.output)
            self.flatten.set(maps=_small(self.pooling.output))
        except (ValueError, TypeError) as exc:  # e.g. a map too small to pool
            if self._strict:
                raise ValueError(f"it is too small for the steps after the convolution ({v.one_line(exc)})") from None
            self._say(f"The steps after the convolution kept the last map: {v.one_line(exc)}", error=True)

    def upload_row(self):
        """An upload button for the presenter's own photo, and the line that says what happened.

        Returns
        -------
        ipywidgets.HBox
            The ``FileUpload`` (pictures only, one file) and an ``HTML`` status line.
        """
        import ipywidgets

        button = ipywidgets.FileUpload(accept="image/*", multiple=False, description="Your photo",
                                       button_style="primary", layout=ipywidgets.Layout(width="auto"))
        self._status = ipywidgets.HTML(layout=ipywidgets.Layout(margin="0 0 0 12px"))
        self._status.add_class("cnnlab-demo-status")
        button.observe(self._on_upload, names="value")
        if self._opening_note:
            self._say(self._opening_note, error=True)
        return ipywidgets.HBox([button, self._status], layout=ipywidgets.Layout(align_items="center"))

    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return
        upload = files[0]
        name = upload.get("name", "the file")
        try:
            pixels = read_upload(name, upload.get("content", b""))
            self.show_image(pixels)
        except (ValueError, TypeError) as exc:
            self._say(f"Could not show {name}: {v.one_line(exc)}", error=True)
            return
        self._say(f"Showing {name}, {pixels.shape[0]}×{pixels.shape[1]} pixels.")  # height × width, as the widgets say

    def _say(self, text: str, error: bool = False) -> None:
        if self._status is None:
            return
        css = "color: var(--jp-error-color1, #c62828)" if error else "color: var(--jp-ui-font-color1, inherit)"
        self._status.value = f'<span style="{css}">{html.escape(text)}</span>'

    @property
    def status(self) -> str:
        """The text of the line under the upload button ("" before any upload)."""
        if self._status is None:
            return ""
        return html.unescape(re.sub(r"<[^>]+>", "", self._status.value))


def _small(pooled: np.ndarray) -> np.ndarray:
    """The pooled map pooled once more, so that the flattened vector has tens of numbers, not thousands."""
    size = min(FLATTEN_POOL, *pooled.shape[:2])
    return ops.max_pool(pooled, size)
