"""What the four animated widgets share: traits, controls, the step loop and the static frames.

A widget here is an ``anywidget.AnyWidget``: leaving one last in a cell (or
``display(widget)``) shows it, and it can sit inside an ``ipywidgets.VBox``.
Python computes every number with :mod:`cnnlab.ops` and sends the arrays once
(binary, see :mod:`._serialize`); the browser animates them on its own.

How a parameter change flows:

* from Python, ``widget.stride = 2`` (or ``widget.set(stride=2, padding="same")``)
  checks the value, recomputes, and raises ``ValueError`` / ``TypeError`` naming
  the argument if anything is wrong; nothing changes then;
* from a control in the browser, the front end sends ``{"type": "set", "name": ..., "value": ...}``
  and :meth:`AnimatedWidget.request` applies it; a bad value sets the ``error``
  trait (shown in the widget) and keeps the last good state.
"""

from __future__ import annotations

import functools
import io
import math
import numbers
import os
from pathlib import Path

import anywidget
import numpy as np
import traitlets

from .. import _validate as v
from .. import images
from . import _colors
from ._serialize import ARRAY

__all__ = ["AnimatedWidget", "fmt", "shape_text"]

_STATIC = Path(__file__).parent / "static"
PANEL_PX = 320          # about how wide/tall each canvas is, in CSS pixels
MAX_SPEED = 1000.0      # steps per second
WINDOW_RGB = (255, 176, 0)
PAD_RGB = ((236, 236, 236), (214, 214, 214))   # checkerboard for padding cells
BACKGROUND_RGB = (255, 255, 255)
GAP_RGB = (250, 236, 200)    # between the tiles of the flatten widget's maps
LABEL_RGB = (70, 50, 0)      # "channel k" above the flatten widget's tiles
FONT_PX = 15


def fmt(x) -> str:
    """A number as a person writes it: ``12``, ``-0.111`` -> ``"12"``, ``"−0.111"``."""
    x = float(x)
    if x == int(x) and abs(x) < 1e7:
        text = str(int(x))
    elif abs(x) >= 1:
        text = f"{x:.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{x:.3f}".rstrip("0").rstrip(".")
    if text in ("-0", "0", "-0."):
        return "0"
    return text.replace("-", "\u2212")


def shape_text(shape) -> str:
    """``(300, 451, 3)`` -> ``"300x451x3"``."""
    return "x".join(str(n) for n in shape)


def is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_max_size(max_size):
    """``None`` or an int of at least 4."""
    if max_size is None:
        return None
    max_size = v.positive_int(max_size, "max_size")
    if max_size < 4:
        raise ValueError(f"max_size must be at least 4 (or None for full size), got {max_size}")
    return max_size


def downscale(arr: np.ndarray, max_size) -> np.ndarray:
    """Area-average ``arr`` so its longest side is ``max_size`` (any number of channels)."""
    if max_size is None or max(arr.shape[:2]) <= max_size:
        return arr
    if arr.ndim == 2 or arr.shape[2] in (1, 3):
        return images.resize(arr, max_size)
    planes = [images.resize(np.ascontiguousarray(arr[:, :, c]), max_size) for c in range(arr.shape[2])]
    return np.stack(planes, axis=-1)


def scale_factor(original, shown) -> float:
    return max(original[:2]) / max(shown[:2])


def factor_text(original, shown) -> str:
    """The downscale factor as people say it: ``"8"``, ``"5"`` (for 5.01), ``"4.7"``."""
    return f"{round(scale_factor(original, shown), 1):g}"


def shown_text(label: str, original, shown) -> str:
    """``"cat 300x451x3 shown at 1/5 → 60x90x3"`` (or ``"cat 300x451x3"`` at full size), for reprs."""
    text = f"{label} {shape_text(original)}"
    if tuple(shown) != tuple(original):
        text += f" shown at 1/{factor_text(original, shown)} \u2192 {shape_text(shown)}"
    return text


def title_label(label: str, shape, noun: str = "map") -> str:
    """What a title calls the input: its name, or ``"a 41×62 map"`` (``noun``) for a plain array."""
    if label != "array":
        return label
    size = "\u00d7".join(str(n) for n in shape[:2])
    return f"a {size} {noun}" + (f" ({shape[2]} channels)" if len(shape) == 3 else "")


def scale_words(original, shown, ascii_only=False) -> str:
    """``"shown at 1/8 scale: 512×512 → 64×64"`` or ``"full size: 28×28"``."""
    times = "x" if ascii_only else "\u00d7"
    a = times.join(str(n) for n in original[:2])
    if tuple(original[:2]) == tuple(shown[:2]):
        return f"full size: {a}"
    b = times.join(str(n) for n in shown[:2])
    return f"shown at 1/{factor_text(original, shown)} scale: {a} \u2192 {b}"


def as_display_dtype(arr: np.ndarray) -> np.ndarray:
    """uint8 stays uint8 (so do whole numbers in 0..255); everything else becomes float32."""
    if arr.dtype == np.uint8:
        return arr
    if arr.dtype.kind in "ui" and arr.size and arr.min() >= 0 and arr.max() <= 255:
        return arr.astype(np.uint8)
    return arr.astype(np.float32)


def panel_scale(rows: int, cols: int, panel_px: int = PANEL_PX) -> int:
    """Whole CSS pixels per cell so the panel is about ``panel_px`` wide (at least 1)."""
    return max(1, panel_px // max(rows, cols, 1))


def pad_pattern(rows: int, cols: int) -> np.ndarray:
    """The checkerboard drawn where padding zeros are: ``(rows, cols, 3)`` uint8."""
    checker = (np.add.outer(np.arange(rows), np.arange(cols)) % 2).astype(bool)
    out = np.empty((rows, cols, 3), dtype=np.uint8)
    out[:] = PAD_RGB[0]
    out[checker] = PAD_RGB[1]
    return out


@functools.lru_cache(maxsize=4)
def _font(size: int):
    """DejaVu Sans from matplotlib (it has ×, − and →), else Pillow's default font."""
    from PIL import ImageFont

    try:
        import matplotlib

        fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        return ImageFont.truetype(str(fonts / "DejaVuSans.ttf"), size)
    except (ImportError, OSError):
        try:
            return ImageFont.load_default(size=size)
        except TypeError:  # Pillow without FreeType
            return ImageFont.load_default()


def _text_width(text: str, font) -> int:
    try:
        return int(math.ceil(font.getlength(text)))
    except AttributeError:  # bitmap font
        return 7 * len(text)


class AnimatedWidget(anywidget.AnyWidget):
    """Base of the animated widgets: the step, the play state, the speed and the error line.

    Subclasses set ``self._scene`` (a dict with at least ``steps``, ``grid``
    ``(rows, cols)``, ``shown`` (the flat values drawn on the output canvas),
    ``vmin`` and ``vmax``) and implement ``_compute``, ``_input_panel``,
    ``_window``, ``_title``, ``_caption`` and ``__repr__``.
    """

    _esm = _STATIC / "widget.js"
    _css = _STATIC / "widget.css"

    kind = traitlets.Unicode("").tag(sync=True)
    #: current step, 0-based; step ``s`` is output cell ``divmod(s, out_w)``
    step = traitlets.Any(0).tag(sync=True)
    #: whether the browser is animating
    playing = traitlets.Bool(False).tag(sync=True)
    #: animation speed in steps per second
    speed = traitlets.Any(10.0).tag(sync=True)
    #: the message shown when a value typed in a control was rejected ("" when all is well)
    error = traitlets.Unicode("").tag(sync=True)
    #: everything the front end needs besides the arrays (shapes, paddings, limits, labels)
    meta = traitlets.Dict().tag(sync=True)
    input_data = traitlets.Any(None, allow_none=True).tag(sync=True, **ARRAY)
    output_data = traitlets.Any(None, allow_none=True).tag(sync=True, **ARRAY)

    _params: tuple[str, ...] = ()

    def __init__(self, params: dict, speed=None, **traits):
        self._scene = self._compute(params)
        self._values = dict(params)
        if speed is None:
            speed = float(min(400, max(2, round(self._scene["steps"] / 20))))
        state = self._wire(self._scene)
        super().__init__(speed=speed, step=0, **state, **traits)
        self.on_msg(self._on_front_end_msg)

    # ------------------------------------------------------------ subclass hooks

    def _compute(self, params: dict) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def _wire(self, scene: dict) -> dict:
        """Trait values for a scene (arrays and ``meta``)."""
        return {"input_data": scene["input_wire"], "output_data": scene["output_wire"],
                "meta": scene["meta"], "kind": scene["meta"]["kind"]}

    # ------------------------------------------------------------ validation of synced traits

    @traitlets.validate("step")
    def _check_step(self, proposal):
        value = proposal["value"]
        if not is_int(value):
            raise TypeError(f"step must be an int, got {type(value).__name__} {value!r}")
        last = self.steps - 1
        if not 0 <= value <= last:
            raise ValueError(f"step must be between 0 and {last}, got {value}")
        return int(value)

    @traitlets.validate("speed")
    def _check_speed(self, proposal):
        value = v.finite_number(proposal["value"], "speed")
        if not 0 < value <= MAX_SPEED:
            raise ValueError(f"speed must be more than 0 and at most {MAX_SPEED:g} steps per second, "
                             f"got {value:g}")
        return value

    # ------------------------------------------------------------ parameters

    def set(self, **params) -> None:
        """Change several parameters at once; raises (and changes nothing) on bad input.

        Examples
        --------
        >>> w = ConvolutionWidget("camera", "sobel_x")      # doctest: +SKIP
        >>> w.set(stride=2, padding="same")                 # doctest: +SKIP
        """
        unknown = sorted(set(params) - set(self._params))
        if unknown:
            raise TypeError(f"{type(self).__name__}.set() got unknown parameter(s) {', '.join(unknown)}; "
                            f"known: {', '.join(self._params)}")
        values = {**self._values, **params}
        scene = self._compute(values)
        self._values = values
        self._publish(scene)

    def request(self, name: str, value) -> bool:
        """Apply a value as a control in the browser does: never raises for bad values.

        A rejected value sets :attr:`error` (shown in the widget) and keeps the
        last good state; an accepted one clears it. Returns whether it was applied.
        """
        try:
            if name not in self._params:
                raise ValueError(f"{name} is not a parameter of {type(self).__name__}")
            self.set(**{name: value})
        except (ValueError, TypeError) as exc:
            self.error = str(exc)
            return False
        return True

    def _on_front_end_msg(self, _widget, content, _buffers):
        if not isinstance(content, dict) or content.get("type") != "set":
            return
        ok = self.request(str(content.get("name")), content.get("value"))
        self.send({"type": "ack", "ok": ok, "error": self.error})

    def _publish(self, scene: dict) -> None:
        self._scene = scene
        with self.hold_sync():
            for name, value in self._wire(scene).items():
                if name.endswith("_data") and value is getattr(self, name):
                    continue  # the same array object: the front end has it already
                setattr(self, name, value)
            if self.step > scene["steps"] - 1:
                self.step = scene["steps"] - 1
            self.error = ""

    # ------------------------------------------------------------ the animation

    @property
    def steps(self) -> int:
        """Number of animation steps (one per output cell)."""
        return int(self._scene["steps"])

    @property
    def output(self) -> np.ndarray:
        """The whole result as :mod:`cnnlab.ops` computed it (a copy)."""
        return self._scene["output"].copy()

    @property
    def grid(self) -> tuple[int, int]:
        """``(rows, cols)`` of cells on the output canvas."""
        rows, cols = self._scene["grid"]
        return int(rows), int(cols)

    def position(self, step: int | None = None) -> tuple[int, int]:
        """Output cell ``(row, col)`` that step ``step`` computes: ``divmod(step, out_w)``."""
        step = self._step_arg(step)
        return divmod(step, self.grid[1])

    def play(self) -> None:
        """Start the animation in the browser (from the start if it is at the end)."""
        with self.hold_sync():
            if self.step >= self.steps - 1:
                self.step = 0
            self.playing = True

    def pause(self) -> None:
        """Stop the animation where it is."""
        self.playing = False

    def _step_arg(self, step) -> int:
        if step is None:
            return self.steps - 1
        if not is_int(step):
            raise TypeError(f"step must be an int or None, got {type(step).__name__} {step!r}")
        if not 0 <= step < self.steps:
            raise ValueError(f"step must be between 0 and {self.steps - 1}, got {step}")
        return int(step)

    # ------------------------------------------------------------ static frames

    def _input_panel(self) -> np.ndarray:  # pragma: no cover - abstract
        """``(rows, cols, 3)`` uint8: the input panel at one pixel per cell."""
        raise NotImplementedError

    def _window(self, step: int) -> tuple[int, int, int, int]:  # pragma: no cover - abstract
        """``(top, left, height, width)`` of the window at ``step``, in input-panel cells."""
        raise NotImplementedError

    def _title(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def _caption(self, step: int) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def _panel_labels(self) -> list[tuple[str, int, int, int, int]]:
        """Texts drawn on the input panel: ``(text, top, left, height, width)`` in panel cells."""
        return []

    def _frame_geometry(self, panel_px: int = PANEL_PX) -> dict:
        """Where the panels sit in :meth:`frame` images (pixels)."""
        in_rows, in_cols = self._input_panel_shape()
        out_rows, out_cols = self.grid
        s_in, s_out = panel_scale(in_rows, in_cols, panel_px), panel_scale(out_rows, out_cols, panel_px)
        margin, gap, line = 14, 28, 22
        font = _font(FONT_PX)
        texts = [self._title(), self._scene["meta"]["scale_note"], self._caption(self.steps - 1)]
        text_w = max(_text_width(t, font) for t in texts) + 24
        caption = line * len(texts) + 8
        in_w, in_h = in_cols * s_in, in_rows * s_in
        out_w, out_h = out_cols * s_out, out_rows * s_out
        width = max(margin + in_w + gap + out_w + margin, margin + text_w)
        height = margin + caption + max(in_h, out_h) + margin
        return {"size": (width, height), "input_origin": (margin, margin + caption), "input_scale": s_in,
                "output_origin": (margin + in_w + gap, margin + caption), "output_scale": s_out,
                "text_origin": (margin, margin), "line": line}

    def _input_panel_shape(self) -> tuple[int, int]:
        return self._input_panel().shape[:2]

    def _frame_parts(self, panel_px: int):
        """Everything that does not change between steps, for :meth:`frame` and GIFs."""
        geo = self._frame_geometry(panel_px)
        sc = self._scene
        rows, cols = self.grid
        n = len(sc["shown"])
        colors = np.zeros((rows * cols, 3), dtype=np.uint8)
        colors[:] = BACKGROUND_RGB
        colors[:n] = _colors.to_rgb_array(sc["shown"], sc["vmin"], sc["vmax"])
        s_out = geo["output_scale"]
        full = np.repeat(np.repeat(colors.reshape(rows, cols, 3), s_out, 0), s_out, 1)
        s_in = geo["input_scale"]
        panel = np.repeat(np.repeat(self._input_panel(), s_in, 0), s_in, 1)
        width, height = geo["size"]
        base = np.empty((height, width, 3), dtype=np.uint8)
        base[:] = BACKGROUND_RGB
        x, y = geo["input_origin"]
        base[y:y + panel.shape[0], x:x + panel.shape[1]] = panel
        return geo, base, full, n

    def _render(self, parts, step: int):
        from PIL import Image, ImageDraw

        geo, base, full, n = parts
        frame = base.copy()
        rows, cols = self.grid
        s_out = geo["output_scale"]
        index = np.arange(rows * cols).reshape(rows, cols)
        state = np.where(index <= step, 1, np.where(index < n, 2, 0))  # 1 done, 2 pending, 0 beyond
        state_px = np.repeat(np.repeat(state, s_out, 0), s_out, 1)
        x, y = geo["output_origin"]
        region = frame[y:y + rows * s_out, x:x + cols * s_out]
        region[state_px == 1] = full[state_px == 1]
        region[state_px == 2] = _colors.PENDING_RGB
        top, left, h, w = self._window(step)
        s_in = geo["input_scale"]
        x0, y0 = geo["input_origin"]
        self._outline(frame, x0 + left * s_in, y0 + top * s_in, w * s_in, h * s_in, max(2, s_in // 3))
        image = Image.fromarray(frame)
        draw = ImageDraw.Draw(image)
        tx, ty = geo["text_origin"]
        font = _font(FONT_PX)
        lines = [(self._title(), (20, 20, 20)), (self._scene["meta"]["scale_note"], (90, 90, 90)),
                 (self._caption(step), (20, 20, 20))]
        for i, (text, color) in enumerate(lines):
            draw.text((tx, ty + i * geo["line"]), text, fill=color, font=font)
        for text, top, left, h, w in self._panel_labels():
            size = min(FONT_PX - 2, h * s_in - 3)
            if size < 8:
                continue
            small = _font(size)
            for candidate in (text, text.replace("channel ", "ch "), text.split()[-1]):
                if _text_width(candidate, small) <= w * s_in:
                    draw.text((x0 + left * s_in + 1, y0 + top * s_in + (h * s_in - size) // 2 - 1), candidate,
                              fill=LABEL_RGB, font=small)
                    break
        return image

    @staticmethod
    def _outline(frame, x, y, w, h, thickness):
        H, W = frame.shape[:2]
        x1, y1 = min(x + w, W), min(y + h, H)
        for (a, b, c, d) in ((y, min(y + thickness, y1), x, x1), (max(y1 - thickness, y), y1, x, x1),
                             (y, y1, x, min(x + thickness, x1)), (y, y1, max(x1 - thickness, x), x1)):
            frame[max(a, 0):max(b, 0), max(c, 0):max(d, 0)] = WINDOW_RGB

    def frame(self, step: int | None = None, panel_px: int = PANEL_PX):
        """The animation frame at ``step`` (default: the last, map complete) as a PIL image.

        Left: the input with the window; right: the output map, cells up to
        ``step`` in :func:`._colors.to_rgb` colours, later ones in ``PENDING_RGB``.
        """
        step = self._step_arg(step)
        return self._render(self._frame_parts(panel_px), step)

    def to_png(self, step: int | None = None, path=None, panel_px: int = PANEL_PX):
        """The frame at ``step`` as PNG: bytes, or written to ``path`` (then the path is returned).

        A static fallback for viewers without the widget front end (a PDF, GitHub,
        a slide).

        Examples
        --------
        >>> png = ConvolutionWidget("camera", "sobel_x").to_png()   # doctest: +SKIP
        >>> png[:4]                                                  # doctest: +SKIP
        b'\\x89PNG'
        """
        image = self.frame(step, panel_px)
        if path is None:
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            return buffer.getvalue()
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a file path or None, got {type(path).__name__}")
        path = Path(path)
        image.save(path, format="PNG")
        return path

    def _gif_frames(self, max_frames: int = 150, panel_px: int = 240):
        """PIL frames of the whole animation, at most ``max_frames`` evenly spaced steps."""
        max_frames = v.positive_int(max_frames, "max_frames")
        count = min(self.steps, max_frames)
        chosen = np.unique(np.round(np.linspace(0, self.steps - 1, count)).astype(int))
        parts = self._frame_parts(panel_px)
        return [self._render(parts, int(s)) for s in chosen], chosen

    def __repr__(self) -> str:  # pragma: no cover - overridden
        return f"{type(self).__name__}()"


def tiles_layout(channels: int) -> tuple[int, int]:
    """``(rows, cols)`` of the near-square tile grid that shows ``channels`` maps."""
    cols = math.ceil(math.sqrt(channels))
    return math.ceil(channels / cols), cols


def load_map(value, name: str, max_size, photo_ok: bool = True):
    """``(label, original_shape, shown)`` for a feature map argument.

    ``value`` may be an array ``(H, W)`` / ``(H, W, C)``, another cnnlab widget
    (its ``output`` is used) or, if ``photo_ok``, a photo name (its grayscale).
    ``shown`` is uint8 or float32, longest side at most ``max_size``.
    """
    if isinstance(value, AnimatedWidget):
        label = f"{type(value).__name__} output"
        arr = value.output
    elif isinstance(value, (str, os.PathLike)):
        if not photo_ok:
            raise TypeError(f"{name} must be an array (for example ConvolutionWidget(...).output), "
                            f"got a string {os.fspath(value)!r:.40}")
        text = os.fspath(value)
        if text not in images.names():
            raise ValueError(f"{name} must be an array or one of the photos {', '.join(images.names())}, "
                             f"got {text!r}")
        label, arr = text, images.grayscale(images.load(text))
    else:
        label = "array"
        arr = v.array(value, name, (2, 3))
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    original = arr.shape
    return label, original, downscale(as_display_dtype(arr), max_size)


def check_channel(channel, shown: np.ndarray) -> int:
    """A valid channel index of ``shown`` (0 for a 2-D map)."""
    channel = v.nonnegative_int(channel, "channel")
    count = 1 if shown.ndim == 2 else shown.shape[2]
    if channel >= count:
        raise ValueError(f"channel must be between 0 and {count - 1} (the map has {count} channel"
                         f"{'s' if count > 1 else ''}), got {channel}")
    return channel


def plane(arr: np.ndarray, channel: int) -> np.ndarray:
    """Channel ``channel`` of an ``(H, W, C)`` array, or the 2-D array itself."""
    return arr if arr.ndim == 2 else arr[:, :, channel]


def pair_text(value) -> str:
    """``2`` -> ``"2"``, ``(1, 2)`` -> ``"1,2"`` (how selects show sizes and strides)."""
    return str(value) if isinstance(value, int) else f"{value[0]},{value[1]}"


def square_or_pair(value, name: str):
    """A positive int, or a pair of them when the two differ."""
    a, b = v.positive_pair(value, name)
    return a if a == b else (a, b)


def with_value(options: list, value) -> list[str]:
    """Select options as text, plus ``value`` if it is not among them."""
    texts = [pair_text(o) if not isinstance(o, str) else o for o in options]
    text = pair_text(value) if not isinstance(value, str) else value
    return texts if text in texts else texts + [text]
