"""The page protocol of a widget: parameters set from Python or from a control, and the scene published.

How a parameter change flows:

* from Python, ``widget.stride = 2`` (or ``widget.set(stride=2, padding="same")``)
  builds a new scene and raises ``ValueError`` / ``TypeError`` naming the argument
  if anything is wrong; nothing changes then;
* from a control in the browser, the page sends ``{"type": "set", "name": ..., "value": ...}``;
  :meth:`PageProtocol.request` applies it. Whatever goes wrong (a bad value, a file
  too large, no network, even ``MemoryError``) sets the ``error`` trait (shown in
  the widget) and keeps the last good state, and the page always gets
  ``{"type": "ack", "ok": ..., "error": ...}`` back;
* the page also writes three traits itself (``step``, ``playing``, ``speed``): a
  value the trait's validation rejects is rolled back, the page is sent the value
  kept and the error line says why (:meth:`PageProtocol.set_state`). Any other
  trait the page tries to write is refused the same way.
"""

from __future__ import annotations

import json

import numpy as np

from .scenes._common import Scene

__all__ = ["MAX_ERROR_CHARS", "PAGE_TRAITS", "PageProtocol", "error_text"]

#: traits the page may write (the player's state); everything else is Python's
PAGE_TRAITS = ("step", "playing", "speed")
#: longest error line shown in the widget, in characters
MAX_ERROR_CHARS = 400


def error_text(exc: BaseException, what: str) -> str:
    """One line for the widget's error line: the message of a ``ValueError`` / ``TypeError``,
    else what failed and why (``MemoryError`` has no message of its own), shortened."""
    message = " ".join(str(exc).split())
    if not isinstance(exc, (ValueError, TypeError)) or not message:
        message = f"{what} failed: {type(exc).__name__}" + (f": {message}" if message else "")
    if len(message) > MAX_ERROR_CHARS:
        message = message[:MAX_ERROR_CHARS - 1] + "\u2026"
    return message


def check_scene(scene: Scene, blame: str) -> Scene:
    """``scene`` if every number it sends is finite and its ``meta`` is strict JSON.

    Raises ``ValueError`` naming ``blame`` (the argument whose values overflow, e.g.
    ``kernel``) when a result is infinite or NaN: float32 ends at about 3.4e38.
    """
    for trait, arr in scene.wire().items():
        if arr is not None and arr.dtype.kind == "f" and not np.isfinite(arr).all():
            raise ValueError(f"{blame} makes numbers too large for float32 (beyond \u00b13.4e38): the "
                             f"{trait.removesuffix('_data')} would hold infinity or NaN; use smaller values")
    try:
        json.dumps(scene.meta(), allow_nan=False)
    except ValueError:
        raise ValueError(f"{blame} makes numbers too large to show (the colour limits are not finite); "
                         f"use smaller values") from None
    return scene


class PageProtocol:
    """Mixin of an anywidget class with ``_params``, ``_values``, ``_scene`` and ``_build(values)``.

    A subclass may convert a parameter when it comes in (``_take(name, value)``, e.g. copy
    an array so that later edits of the caller's array change nothing here).
    """

    _params: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs):
        # A widget that names parameters must say how they make a scene: checked when the class
        # is defined, not when a learner first builds one.
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("_params") and not callable(getattr(cls, "_build", None)):
            raise TypeError(f"{cls.__name__} names parameters {cls._params} but has no _build(values) "
                            "that makes its scene")

    @staticmethod
    def _state(scene: Scene) -> dict:
        """Trait values for a scene: its arrays and its ``meta``."""
        return {**scene.wire(), "meta": scene.meta()}

    def _computed(self, values: dict) -> Scene:
        """``_build(values)``; NumPy's overflow warnings are silenced, :func:`check_scene` reports it."""
        with np.errstate(all="ignore"):
            return self._build(values)

    def _take(self, name: str, value):
        """``value`` of parameter ``name`` as the widget keeps it (default: as given)."""
        return value

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
        values = {**self._values, **{name: self._take(name, value) for name, value in params.items()}}
        scene = self._computed(values)
        self._values = values
        self._publish(scene)

    def request(self, name, value) -> bool:
        """Apply a value as a control in the browser does: never raises.

        Any failure (a bad value, a file too large, no network, ``MemoryError``) sets
        :attr:`error` (shown in the widget) and keeps the last good state; success
        clears it. Returns whether the value was applied.
        """
        try:
            if not isinstance(name, str) or name not in self._params:
                raise ValueError(f"{name!r:.40} is not a parameter of {type(self).__name__}")
            self.set(**{name: value})
        except Exception as exc:  # noqa: BLE001 - every failure must reach the error line
            self.error = error_text(exc, f"setting {name}")
            return False
        return True

    def _on_front_end_msg(self, _widget, content, _buffers):
        if not isinstance(content, dict) or content.get("type") != "set":
            return
        ok = False
        try:
            ok = self.request(content.get("name"), content.get("value"))
        finally:
            self.send({"type": "ack", "ok": ok, "error": self.error})

    def set_state(self, sync_data):
        """State written by the page: only :data:`PAGE_TRAITS`, each validated.

        A rejected value is rolled back (traitlets does that when validation raises
        a ``TraitError``, which the widgets' checks are), the page is sent the value
        kept, and :attr:`error` says why.
        """
        set_state_from_page(self, sync_data, PAGE_TRAITS, super().set_state, "a change from the page")

    def _publish(self, scene: Scene) -> None:
        self._scene = scene
        with self.hold_sync():
            for name, value in self._state(scene).items():
                if name.endswith("_data") and value is getattr(self, name):
                    continue  # the same array object: the front end has it already
                setattr(self, name, value)
            self.step = min(self.step, scene.steps - 1)
            self.error = ""


def set_state_from_page(widget, sync_data, allowed, apply, source: str) -> bool:
    """Apply state the page wrote to ``widget``, if it names only ``allowed`` traits and each value
    passes its check; ``apply`` is the widget's inherited ``set_state``.

    Returns True when applied. Otherwise the refused value is put back (traitlets rolls back a
    trait whose validation raised), the page is sent the values kept, and ``widget.error`` says
    why, naming ``source`` (e.g. ``"a click"``).
    """
    if not isinstance(sync_data, dict):
        return False
    refused = sorted(str(k) for k in sync_data if k not in allowed)
    try:
        if refused:
            raise ValueError(f"the page may not change {', '.join(refused)}")
        apply({k: val for k, val in sync_data.items() if k in allowed})
    except Exception as exc:  # noqa: BLE001 - a bad value from the page must never escape
        widget.error = error_text(exc, source)
        widget.send_state([k for k in sync_data if isinstance(k, str) and k in widget.keys])
        return False
    return True
