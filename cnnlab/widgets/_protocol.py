"""The page protocol of a widget: parameters set from Python or from a control, and the scene published.

How a parameter change flows:

* from Python, ``widget.stride = 2`` (or ``widget.set(stride=2, padding="same")``)
  builds a new scene and raises ``ValueError`` / ``TypeError`` naming the argument
  if anything is wrong; nothing changes then;
* from a control in the browser, the page sends ``{"type": "set", "name": ..., "value": ...}``;
  :meth:`PageProtocol.request` applies it, a bad value sets the ``error`` trait
  (shown in the widget) and keeps the last good state, and the page gets
  ``{"type": "ack", "ok": ..., "error": ...}`` back.
"""

from __future__ import annotations

from .scenes._common import Scene

__all__ = ["PageProtocol"]


class PageProtocol:
    """Mixin of an anywidget class with ``_params``, ``_values``, ``_scene`` and ``_build(values)``."""

    _params: tuple[str, ...] = ()

    @staticmethod
    def _state(scene: Scene) -> dict:
        """Trait values for a scene: its arrays, its ``meta`` and its kind."""
        return {**scene.wire(), "meta": scene.meta(), "kind": scene.kind}

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
        scene = self._build(values)
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

    def _publish(self, scene: Scene) -> None:
        self._scene = scene
        with self.hold_sync():
            for name, value in self._state(scene).items():
                if name.endswith("_data") and value is getattr(self, name):
                    continue  # the same array object: the front end has it already
                setattr(self, name, value)
            self.step = min(self.step, scene.steps - 1)
            self.error = ""
