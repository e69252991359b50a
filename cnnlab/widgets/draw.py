"""DrawWidget: draw a digit with the mouse or a finger, and watch a trained network read it.

When a stroke ends, the page sends the drawing (a uint8 grayscale array, binary) to
Python; Python prepares it as the MNIST digits were (:func:`cnnlab.images.mnist_style`),
runs the model once, and sends back the 28x28 digit it read, the three most likely
digits with their probabilities and the first convolution layer's feature maps
(float32, binary). Without a front end, :meth:`DrawWidget.predict` does the same on
any ``(H, W)`` array.

With the shipped model, the first widget of a session shows its pad at once and loads the model
(TensorFlow's import, about 3 s on a laptop) in a background thread; a stroke drawn meanwhile is read
as soon as the model is ready.

Examples
--------
>>> from cnnlab.widgets import DrawWidget
>>> w = DrawWidget()                                   # doctest: +SKIP
>>> w                                                  # doctest: +SKIP
>>> digit = np.zeros((100, 100), np.uint8); digit[10:90, 45:55] = 255    # doctest: +SKIP
>>> w.predict(digit)[0][0]                             # doctest: +SKIP
1
"""

from __future__ import annotations

import threading
import time

import numpy as np
import traitlets

from .. import images
from ..training.reader import DigitReader, shipped_model, shipped_model_loaded, warm_reader
from ._base import Widget
from ._frames import load_font
from ._protocol import error_text
from ._serialize import ARRAY
from .scenes._common import style

__all__ = ["MAX_DRAWING_SIDE", "DrawWidget"]

#: Longest side of a drawing the page may send (it sends 140x140).
MAX_DRAWING_SIDE = 1024
TOP = 3
#: How long a reading waits for the shipped model to load before it gives up, in seconds.
LOAD_TIMEOUT_S = 120.0

def _drawing_from_page(content: dict, buffers) -> np.ndarray:
    """The uint8 ``(H, W)`` drawing the page sent: ``content["shape"]`` and one binary buffer."""
    shape = content.get("shape")
    if (not isinstance(shape, list) or len(shape) != 2 or not all(isinstance(n, int) for n in shape)
            or not all(0 < n <= MAX_DRAWING_SIDE for n in shape)):
        raise ValueError(f"the drawing's shape must be two sizes of 1..{MAX_DRAWING_SIDE}, got {shape!r:.60}")
    if not buffers:
        raise ValueError("the drawing arrived without its pixels")
    data = bytes(buffers[0])
    if len(data) != shape[0] * shape[1]:
        raise ValueError(f"the drawing has {len(data)} bytes, expected {shape[0]}x{shape[1]}")
    return np.frombuffer(data, dtype=np.uint8).reshape(shape)


class DrawWidget(Widget):
    """Draw a digit; a trained network reads it and shows its three best guesses and first-layer maps.

    Parameters
    ----------
    model : keras.Model, optional
        Takes uint8 digits ``(N, 28, 28)``, gives ``(N, 10)`` probabilities, e.g. the model of
        :func:`cnnlab.training.train`. Default: the digits model shipped in cnnlab
        (:func:`cnnlab.training.load_digits_model`), loaded once per session: the first widget
        shows its pad at once and loads the model in a background thread (``meta["loading"]`` is
        true until it is ready); a stroke drawn meanwhile, :meth:`predict` and :attr:`layer` wait
        for it, at most :data:`LOAD_TIMEOUT_S`. A model you pass is checked and prepared at once.

    Attributes
    ----------
    digit : (28, 28) uint8 ndarray
        The last drawing as the model read it (zeros before anything is drawn).
    top3 : list of (int, float)
        The three most likely digits with their probabilities, best first (``[]`` before).
    maps : (h, w, F) float32 ndarray or None
        The first convolution layer's maps of :attr:`digit`.

    Examples
    --------
    >>> w = DrawWidget()                                                   # doctest: +SKIP
    >>> bar = np.zeros((200, 200), np.uint8); bar[20:180, 90:110] = 255    # doctest: +SKIP
    >>> w.predict(bar)[0][0]                                               # doctest: +SKIP
    1

    Introduced in lesson 07b.
    """

    KIND = "draw"
    #: the three best guesses, ``[{"digit": 1, "p": 0.98}, ...]``
    guesses = traitlets.List().tag(sync=True)
    #: how long the last reading took in Python, in milliseconds
    python_ms = traitlets.Float(0.0).tag(sync=True)
    digit_data = traitlets.Any(None, allow_none=True).tag(sync=True, **ARRAY)
    maps_data = traitlets.Any(None, allow_none=True).tag(sync=True, **ARRAY)

    def __init__(self, model=None, **traits):
        self._named_model = model is not None
        self._reader: DigitReader | None = None
        self._loaded = threading.Event()
        self._load_error: BaseException | None = None
        if model is not None or shipped_model_loaded():   # a model given (checked here, at once) or loaded
            self._reader = warm_reader(shipped_model() if model is None else model)
            self._loaded.set()
        self._digit = np.zeros((28, 28), np.uint8)
        self._top3: list[tuple[int, float]] = []
        self._maps = None
        super().__init__(meta=self._meta(), digit_data=self._digit, **traits)
        self.on_msg(self._on_front_end_msg)
        if self._reader is None:
            # the pad shows now; TensorFlow's import (seconds) happens while the learner looks at it
            threading.Thread(target=self._load_shipped, name="cnnlab-digits-model", daemon=True).start()

    def _load_shipped(self) -> None:
        """The background thread: load and warm the model, then tell the page (and any waiting reading)."""
        try:
            self._reader = warm_reader(shipped_model())
        except Exception as exc:  # noqa: BLE001 - the page must say why the pad cannot read
            self._load_error = exc
        try:
            self.meta = self._meta()
            if self._load_error is not None:
                self.error = error_text(self._load_error, "loading the digits model")
        finally:
            self._loaded.set()

    def _ready_reader(self) -> DigitReader:
        """The reader, once the model has loaded (waits for the background load, at most
        :data:`LOAD_TIMEOUT_S`)."""
        if not self._loaded.wait(LOAD_TIMEOUT_S):
            raise TimeoutError(f"the digits model did not load within {LOAD_TIMEOUT_S:g} s")
        if self._reader is None:
            raise RuntimeError(f"the digits model could not be loaded: {self._load_error}") from self._load_error
        return self._reader

    def _meta(self) -> dict:
        return {"kind": "draw", "title": "Draw a digit: the network reads it when you lift the pen",
                "model": self._model_words(), "loading": self._reader is None and self._load_error is None,
                "layer": None if self._reader is None else self._reader.layer, "style": style()}

    def _model_words(self) -> str:
        return "your model" if self._named_model else "the digits model shipped with cnnlab"

    # ------------------------------------------------------------ reading a drawing

    def predict(self, drawing) -> list[tuple[int, float]]:
        """Read a drawing as the page does: prepare it as MNIST was, run the model, show the result.

        Parameters
        ----------
        drawing : (H, W) array_like
            White ink on black (see :func:`cnnlab.images.mnist_style`), with some ink.

        Returns
        -------
        list of (int, float)
            The three most likely digits and their probabilities, best first.
        """
        started = time.perf_counter()
        digit = images.mnist_style(drawing)         # a bad drawing is refused before any wait
        if not digit.any():  # a blank pad would still get three confident-looking guesses
            raise ValueError("drawing has no ink: draw a digit first (white strokes on black)")
        prepared_s = time.perf_counter() - started
        reader = self._ready_reader()
        started = time.perf_counter()
        probs, maps = reader(digit)
        best = np.argsort(-probs, kind="stable")[:TOP]
        self._digit, self._maps = digit, maps
        self._top3 = [(int(k), float(probs[k])) for k in best]
        with self.hold_sync():
            self.digit_data = digit
            self.maps_data = maps
            self.guesses = [{"digit": k, "p": p} for k, p in self._top3]
            self.python_ms = (prepared_s + time.perf_counter() - started) * 1000   # the wait left out
            self.error = ""
        return list(self._top3)

    def clear(self) -> None:
        """Forget the drawing: zeros, no guesses, no maps."""
        self._digit, self._maps, self._top3 = np.zeros((28, 28), np.uint8), None, []
        with self.hold_sync():
            self.digit_data = self._digit
            self.maps_data = None
            self.guesses = []
            self.error = ""

    def _on_front_end_msg(self, _widget, content, buffers):
        if not isinstance(content, dict):
            return
        try:
            if content.get("type") == "drawing":
                self.predict(_drawing_from_page(content, buffers))
            elif content.get("type") == "clear":
                self.clear()
        except Exception as exc:  # noqa: BLE001 - every failure must reach the error line
            self.error = error_text(exc, "reading the drawing")

    # ------------------------------------------------------------ what it shows

    @property
    def digit(self) -> np.ndarray:
        """The last drawing as the model read it, ``(28, 28)`` uint8 (a copy)."""
        return self._digit.copy()

    @property
    def top3(self) -> list[tuple[int, float]]:
        """The three most likely digits with their probabilities, best first."""
        return list(self._top3)

    @property
    def maps(self) -> np.ndarray | None:
        """The first convolution layer's maps of :attr:`digit`, ``(h, w, F)`` float32 (a copy)."""
        return None if self._maps is None else self._maps.copy()

    @property
    def layer(self) -> str | None:
        """The name of the layer whose maps are shown (waits for the model if it is still loading)."""
        return self._ready_reader().layer

    def frame(self):
        """A still picture: the digit read, the three bars and the maps, as a PIL image."""
        return _still(self._digit, self._top3, self._maps, None if self._reader is None else self._reader.layer)

    def __repr__(self) -> str:
        if not self._top3:
            return f"DrawWidget({self._model_words()}; nothing drawn yet)"
        guesses = ", ".join(f"{k}: {p:.0%}" for k, p in self._top3)
        return f"DrawWidget({self._model_words()}; reads {self._top3[0][0]} ({guesses}))"


def _still(digit: np.ndarray, top3: list, maps: np.ndarray | None, layer: str | None):
    """The PIL picture of :meth:`DrawWidget.frame`."""
    from PIL import Image, ImageDraw

    cell, gap = 8, 16
    face = load_font(15)
    count = 0 if maps is None else maps.shape[2]
    map_px = 0 if maps is None else 3 * maps.shape[0]
    width = gap + 28 * cell + gap + 260 + gap + max(0, 4 * (map_px + 6))
    height = gap + 24 + 28 * cell + gap
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    draw.text((gap, gap), "the digit as the network reads it (28\u00d728)", fill="black", font=face)
    img.paste(Image.fromarray(digit, "L").resize((28 * cell, 28 * cell), Image.Resampling.NEAREST).convert("RGB"),
              (gap, gap + 24))
    x0 = gap + 28 * cell + gap
    if not top3:
        draw.text((x0, gap + 24), "nothing drawn yet", fill="black", font=face)
    for i, (k, p) in enumerate(top3):
        y = gap + 24 + i * 40
        draw.text((x0, y), f"{k}", fill="black", font=face)
        draw.rectangle([x0 + 20, y, x0 + 20 + round(180 * p), y + 20], fill=(70, 110, 200))
        draw.text((x0 + 206, y), f"{p:.0%}", fill="black", font=face)
    if maps is not None:
        x1 = x0 + 260 + gap
        draw.text((x1, gap), f"{count} maps of layer {layer!r}", fill="black", font=face)
        lo, hi = float(maps.min()), float(maps.max())
        for f in range(count):
            plane = maps[:, :, f]
            grey = np.zeros(plane.shape, np.uint8) if hi <= lo else np.rint((plane - lo) / (hi - lo) * 255).astype(np.uint8)
            tile = Image.fromarray(grey, "L").resize((map_px, map_px), Image.Resampling.NEAREST).convert("RGB")
            img.paste(tile, (x1 + (f % 4) * (map_px + 6), gap + 24 + (f // 4) * (map_px + 6)))
    return img
