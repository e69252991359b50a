"""The anywidget side of every widget: one base for all of them, and the animated widgets' subclass.

A widget here is an ``anywidget.AnyWidget``: leaving one last in a cell (or
``display(widget)``) shows it, and it can sit inside an ``ipywidgets.VBox``.
:class:`Widget` is what every widget shares: the front end (the one module
:mod:`._front` joins, and ``widget.css``), its ``kind`` (which ``static/kinds/<kind>.js``
draws it), ``meta`` (what the page needs besides the arrays, never read back), the
``error`` line, ``to_png`` and the still picture shown where widgets cannot run.

:class:`AnimatedWidget` adds the step, the play state and the speed. What it shows
is a scene (:mod:`.scenes`): the subclass checks the arguments once
(:mod:`._inputs`) and calls its pure scene function; this class publishes the
scene's arrays (binary, see :mod:`._serialize`) and ``scene.meta()``, and hands
the scene to the renderer (:mod:`._frames`) for ``frame`` and ``to_png``. The
browser animates on its own. The parameters and the page protocol are :mod:`._protocol`'s.
"""

from __future__ import annotations

import base64
import html
from typing import ClassVar

import anywidget
import numpy as np
import traitlets

from .. import _validate as v
from . import _frames, _front
from ._protocol import PageProtocol
from ._serialize import ARRAY
from ._text import fmt, shape_text
from .scenes._common import MAX_SPEED, PANEL_PX, Scene

__all__ = ["LIVE_HINT", "STILL_PANEL_PX", "AnimatedWidget", "InvalidType", "InvalidValue", "Widget", "fmt", "kinds",
           "parameter", "shape_text", "with_still"]

#: the line shown under a widget's still picture where the page cannot run widgets
LIVE_HINT = ("A still picture: to play with the live widget, run this notebook in JupyterLab or Jupyter "
             "Notebook, or in Colab after its set-up cell.")

#: the size of each panel of a still picture, in pixels: small enough to keep a saved notebook light
STILL_PANEL_PX = 240


def with_still(bundle, png: bytes, text: str):
    """Add a still picture and :data:`LIVE_HINT` to a widget's display data.

    Front ends that run widgets show the widget view and ignore the rest; the others
    (an HTML export, nbviewer, VS Code without the widget extension, Colab without its
    widget manager) show the ``text/html`` or ``image/png`` entry instead of a bare text.

    Parameters
    ----------
    bundle : tuple of (dict, dict), or None
        What ``anywidget.AnyWidget._repr_mimebundle_`` returned: data and metadata.
    png : bytes
        The widget's still frame, as :meth:`AnimatedWidget.to_png` makes it.
    text : str
        The ``text/plain`` entry (the widget's deterministic ``repr``).

    Returns
    -------
    tuple of (dict, dict)
        The data with ``image/png``, ``text/html`` and ``text/plain`` entries added, and the metadata.
    """
    data, metadata = bundle if bundle is not None else ({}, {})
    encoded = base64.b64encode(png).decode("ascii")
    picture = f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(text)}">'
    return ({**data, "text/plain": text, "image/png": encoded,
             "text/html": f"<div>{picture}<p><em>{html.escape(LIVE_HINT)}</em></p></div>"},
            dict(metadata))


class InvalidValue(traitlets.TraitError, ValueError):
    """A synced trait's value was refused: a ``ValueError`` for callers, and a ``TraitError``
    so that traitlets rolls back a value the page sent (see :meth:`PageProtocol.set_state`)."""


class InvalidType(traitlets.TraitError, TypeError):
    """Like :class:`InvalidValue`, for a value of the wrong type."""


def _trait_check(check, proposal):
    """``check(value)``, its ``ValueError`` / ``TypeError`` turned into the trait errors above."""
    try:
        return check(proposal["value"])
    except TypeError as exc:
        raise InvalidType(str(exc)) from None
    except ValueError as exc:
        raise InvalidValue(str(exc)) from None


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def parameter(name: str, doc: str, read=None) -> property:
    """A property for parameter ``name``: read from the scene (``read(scene)``), set through :meth:`set`."""
    def getter(self):
        return self._values[name] if read is None else read(self._scene)

    def setter(self, value):
        self.set(**{name: value})

    return property(getter, setter, doc=doc)


def _speed_value(value) -> float:
    value = v.finite_number(value, "speed")
    if not 0 < value <= MAX_SPEED:
        raise ValueError(f"speed must be more than 0 and at most {MAX_SPEED:g} steps per second, got {value:g}")
    return value


class Widget(anywidget.AnyWidget):
    """Base of every widget: its front end, ``kind``, ``meta``, the ``error`` line and still pictures.

    A subclass sets :attr:`KIND` (the name of ``static/kinds/<KIND>.js``, which draws it)
    and implements ``frame(...)``, a PIL image of what it shows; ``to_png`` and the still
    picture of :meth:`_repr_mimebundle_` come from it.
    """

    _esm = _front.module_text()
    _css = _front.CSS

    #: the kind the page draws, one per widget class: ``static/kinds/<KIND>.js``
    KIND: ClassVar[str] = ""
    kind = traitlets.Unicode("").tag(sync=True)
    #: the message shown when a value from the page was rejected ("" when all is well)
    error = traitlets.Unicode("").tag(sync=True)
    #: everything the front end needs besides the arrays, never read back here
    meta = traitlets.Dict().tag(sync=True)

    def __init__(self, **traits):
        super().__init__(kind=self.KIND, **traits)

    def frame(self, **kwargs):
        """The widget as a still picture (a PIL image): each kind defines its own (tested for all of them)."""
        raise TypeError(f"{type(self).__name__} defines no frame(), so it has no still picture; "
                        "a widget kind must define frame() (see CONTRIBUTING.md, 'Add a widget kind')")

    def to_png(self, path=None, **frame_args):
        """:meth:`frame` as PNG: bytes, or written to ``path`` (then the path is returned).

        A static fallback for viewers without the widget front end (a PDF, GitHub, a slide).
        """
        return _frames.png(self.frame(**frame_args), path)

    def _still_png(self) -> bytes:
        """The picture shown under the widget where the page cannot run it."""
        return self.to_png()

    def _repr_mimebundle_(self, **kwargs):
        """The widget view, plus its still picture for pages that cannot run it."""
        bundle = super()._repr_mimebundle_(**kwargs)
        try:
            png = self._still_png()
        except Exception:  # noqa: BLE001 - the picture is an extra: it must never hide the live widget
            return bundle
        return with_still(bundle, png, repr(self))


def kinds() -> set[str]:
    """The kinds of every widget class (each one's :attr:`Widget.KIND`)."""
    found, todo = set(), [Widget]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.KIND:
            found.add(cls.KIND)
    return found


class AnimatedWidget(PageProtocol, Widget):
    """Base of the animated widgets: the step, the play state and the speed.

    A subclass names its parameters in ``_params`` and implements ``_build(values)``:
    check ``values`` (a dict of the parameters as given) and return the scene.
    """

    #: current step, 0-based; step ``s`` is output cell ``divmod(s, out_w)``
    step = traitlets.Any(0).tag(sync=True)
    #: whether the browser is animating
    playing = traitlets.Any(False).tag(sync=True)
    #: animation speed in steps per second
    speed = traitlets.Any(10.0).tag(sync=True)
    input_data = traitlets.Any(None, allow_none=True).tag(sync=True, **ARRAY)
    output_data = traitlets.Any(None, allow_none=True).tag(sync=True, **ARRAY)

    def __init__(self, values: dict, speed=None, **traits):
        self._loaded = None
        values = {name: self._take(name, value) for name, value in values.items()}
        self._scene = self._computed(values)
        self._values = values
        if speed is None:
            speed = float(min(400, max(2, round(self._scene.steps / 20))))
        super().__init__(speed=speed, step=0, **self._state(self._scene), **traits)
        self.on_msg(self._on_front_end_msg)

    def _source(self, value, max_size, load):
        """``load(value, max_size)``, or what it gave last time for this very (immutable) value and size.

        The widgets take their input as an immutable copy (see ``_take``), so the same
        object means the same data.
        """
        if self._loaded is not None and self._loaded[0] is value and self._loaded[1] == max_size:
            return self._loaded[2]
        source = load(value, max_size)
        self._loaded = (value, max_size, source)
        return source

    @property
    def scene(self) -> Scene:
        """The immutable scene shown now (what :mod:`cnnlab.animate` renders)."""
        return self._scene

    # ------------------------------------------------------------ synced traits

    @traitlets.validate("step")
    def _check_step(self, proposal):
        return _trait_check(self._step_value, proposal)

    @traitlets.validate("speed")
    def _check_speed(self, proposal):
        return _trait_check(_speed_value, proposal)

    @traitlets.validate("playing")
    def _check_playing(self, proposal):
        return _trait_check(lambda value: v.boolean(value, "playing"), proposal)

    def _step_value(self, value) -> int:
        if not _is_int(value):
            raise TypeError(f"step must be an int, got {type(value).__name__} {value!r:.40}")
        last = self.steps - 1
        if not 0 <= value <= last:
            raise ValueError(f"step must be between 0 and {last}, got {value}")
        return int(value)

    # ------------------------------------------------------------ the animation

    @property
    def steps(self) -> int:
        """Number of animation steps (one per output cell)."""
        return self._scene.steps

    @property
    def output(self) -> np.ndarray:
        """The whole result as :mod:`cnnlab.ops` computed it (a copy)."""
        return self._scene.output.copy()

    @property
    def grid(self) -> tuple[int, int]:
        """``(rows, cols)`` of cells on the output canvas."""
        rows, cols = self._scene.grid
        return int(rows), int(cols)

    @property
    def scale_note(self) -> str:
        """The size statement shown in the widget, e.g. ``"shown at 1/8 scale: 512×512 → 64×64"``."""
        return self._scene.scale_note

    def position(self, step: int | None = None) -> tuple[int, int]:
        """Output cell ``(row, col)`` that step ``step`` computes: ``divmod(step, out_w)``."""
        return self._scene.position(self._step_arg(step))

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
        if not _is_int(step):
            raise TypeError(f"step must be an int or None, got {type(step).__name__} {step!r}")
        if not 0 <= step < self.steps:
            raise ValueError(f"step must be between 0 and {self.steps - 1}, got {step}")
        return int(step)

    # ------------------------------------------------------------ static frames

    def frame(self, step: int | None = None, panel_px: int = PANEL_PX):
        """The animation frame at ``step`` (default: the last, map complete) as a PIL image.

        Left: the input with the window; right: the output map, cells up to
        ``step`` in :func:`cnnlab._colors.to_rgb` colours, later ones in ``PENDING_RGB``.
        """
        return _frames.frame(self._scene, self._step_arg(step), v.positive_int(panel_px, "panel_px"))

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
        return _frames.png(self.frame(step, panel_px), path)

    def _still_png(self) -> bytes:
        """The frame at the current step, small enough to keep a saved notebook light."""
        return self.to_png(self.step, panel_px=STILL_PANEL_PX)

    def __repr__(self) -> str:  # pragma: no cover - overridden
        return f"{type(self).__name__}()"
