"""ReceptiveFieldWidget: click a cell of a deeper feature map and see what of the digit it depends on.

The widget shows a digit and what a trained network's convolution and pooling layers make of it,
up to a deeper layer (``conv2`` by default): one panel per map. Clicking a cell of the last map
(or setting :attr:`ReceptiveFieldWidget.cell` from Python) outlines the block of every map below
it that the cell depends on, back to the input patch, and writes the patch's rows and columns.
The blocks come from :func:`cnnlab.ops.geometry.receptive_field`; the page only draws them.

Examples
--------
>>> from cnnlab import datasets
>>> from cnnlab.widgets import ReceptiveFieldWidget
>>> (_, _), (x_test, _) = datasets.load_mnist("offline")          # doctest: +SKIP
>>> w = ReceptiveFieldWidget(x_test[0])                            # doctest: +SKIP
>>> w.cell = (5, 7)                                                # doctest: +SKIP
>>> w.patch.text()                                                 # doctest: +SKIP
'8x8: rows 9-16, cols 13-20'
"""

from __future__ import annotations

import numpy as np
import traitlets

from .. import _colors
from .. import _validate as v
from . import _frames
from ._base import STILL_PANEL_PX, InvalidType, InvalidValue, Widget
from ._protocol import set_state_from_page
from ._serialize import array_to_json
from .scenes.receptive import ReceptiveScene, dimmed, receptive_scene

__all__ = ["ReceptiveFieldWidget", "layer_specs"]

#: traits the page may write: the clicked cell and the channel picked in the menu
PAGE_TRAITS = ("cell", "channel")


def layer_specs(model, up_to: str) -> tuple[list[str], list[tuple]]:
    """Names and ``(kernel, stride, padding)`` of ``model``'s convolution and pooling layers up to ``up_to``.

    Parameters
    ----------
    model : keras.Model
    up_to : str
        The name of one of those layers (the last one returned).

    Returns
    -------
    (names, specs) : list of str, list of tuple
        The layer names in order, and their geometry as
        :func:`cnnlab.ops.geometry.receptive_field` takes it.
    """
    names, specs = [], []
    for layer in getattr(model, "layers", []):
        kind = type(layer).__name__
        if kind == "Conv2D":
            if tuple(layer.dilation_rate) != (1, 1):
                raise ValueError(f"layer {layer.name} is dilated; only undilated convolutions are supported")
            spec = (tuple(layer.kernel_size), tuple(layer.strides), layer.padding)
        elif kind in ("MaxPooling2D", "AveragePooling2D"):
            spec = (tuple(layer.pool_size), tuple(layer.strides), layer.padding)
        else:
            continue
        names.append(layer.name)
        specs.append(spec)
        if layer.name == up_to:
            return names, specs
    raise ValueError(f"layer must name a convolution or pooling layer of the model ({', '.join(names) or 'none'}), "
                     f"got {up_to!r:.60}")


def _panels_to_json(panels, widget=None):
    return [array_to_json(p) for p in panels]


class ReceptiveFieldWidget(Widget):
    """A digit, the maps of a trained network up to a deeper layer, and what one cell depends on.

    Parameters
    ----------
    digit : (28, 28) uint8 array_like
        A digit as :func:`cnnlab.datasets.load_mnist` gives it.
    model : keras.Model, optional
        Takes uint8 digits ``(N, 28, 28)``; default: the digits model shipped in cnnlab
        (:func:`cnnlab.training.load_digits_model`).
    layer : str
        The convolution or pooling layer whose cells are clicked (not the first one).
    channel : int
        The channel of ``layer`` drawn.
    below_channel : int
        The channel drawn for the maps in between.
    cell : (int, int), optional
        The selected cell of ``layer``'s map; default: the middle one.

    Attributes
    ----------
    cell : (int, int)
        The selected cell; setting it (from Python or by a click) updates :attr:`spans`.
    spans : list of cnnlab.ops.geometry.Span
        The block of each map the cell depends on: ``spans[0]`` is the input patch.
    caption : str
        The line under the panels, e.g. ``"this cell of conv2 (channel 0) sees 8x8 pixels ..."``.
    """

    KIND = "receptive"

    #: the colours of each panel, (h, w, 3) uint8, binary on the wire
    panels = traitlets.List().tag(sync=True, to_json=_panels_to_json)
    #: the blocks of the selected cell, one dict per panel (see ``ReceptiveScene.span_list``)
    span_data = traitlets.List().tag(sync=True)
    cell = traitlets.Any((0, 0)).tag(sync=True)
    channel = traitlets.Any(0).tag(sync=True)
    caption = traitlets.Unicode("").tag(sync=True)

    def __init__(self, digit, model=None, layer: str = "conv2", channel=0, below_channel=0, cell=None):
        digit = v.array(digit, "digit", (2,))
        if digit.shape != (28, 28) or digit.dtype != np.uint8:
            raise ValueError(f"digit must be a (28, 28) uint8 digit as load_mnist gives it, "
                             f"got {digit.dtype} {digit.shape}")
        if model is None:
            from ..training.reader import shipped_model

            model = shipped_model()
        if not isinstance(layer, str):
            raise TypeError(f"layer must be a layer name (str), got {type(layer).__name__}")
        names, specs = layer_specs(model, layer)
        if len(names) < 2:
            raise ValueError(f"layer must be deeper than the first layer ({names[0]}) to show its receptive field")
        from .. import training

        stages = training.feature_maps(model, digit)
        self._digit = digit
        self._maps = {name: stages[name] for name in names}
        self._specs = specs
        self._below = v.nonnegative_int(below_channel, "below_channel")
        if cell is None:
            h, w = self._maps[names[-1]].shape[:2]
            cell = (h // 2, w // 2)
        scene = self._make(channel=channel, cell=cell)
        super().__init__()
        self._publish(scene, panels=True)

    # ------------------------------------------------------------ the scene

    def _make(self, channel, cell) -> ReceptiveScene:
        cell = _cell_value(cell)
        name, last = list(self._maps.items())[-1]
        h, w = last.shape[:2]
        if cell[0] >= h or cell[1] >= w:
            raise ValueError(f"cell must be a cell of {name}'s {h}x{w} map (rows 0-{h - 1}, cols 0-{w - 1}), "
                             f"got {cell}")
        return receptive_scene(self._digit, self._maps, self._specs, channel=channel,
                               below_channel=self._below, cell=cell)

    def _publish(self, scene: ReceptiveScene, panels: bool) -> None:
        self._scene = scene
        with self.hold_trait_notifications(), self.hold_sync():
            self._quiet = True
            try:
                self.cell = scene.cell
                self.channel = scene.shown[-1]
            finally:
                self._quiet = False
            if panels:
                self.meta = scene.meta()
                self.panels = list(scene.colours)
            self.span_data = scene.span_list()
            self.caption = scene.caption()
            self.error = ""

    @traitlets.validate("cell")
    def _check_cell(self, proposal):
        try:
            return _cell_value(proposal["value"])
        except TypeError as exc:
            raise InvalidType(str(exc)) from None

    @traitlets.validate("channel")
    def _check_channel(self, proposal):
        value = proposal["value"]
        if not isinstance(value, (int, np.integer)) or isinstance(value, (bool, np.bool_)):
            raise InvalidType(f"channel must be an int, got {type(value).__name__} {value!r:.40}")
        return int(value)

    @traitlets.observe("cell", "channel")
    def _changed(self, change):
        if getattr(self, "_quiet", True):
            return
        channel = change["new"] if change["name"] == "channel" else self._scene.shown[-1]
        cell = change["new"] if change["name"] == "cell" else self._scene.cell
        try:
            scene = self._make(channel=channel, cell=cell)
        except ValueError as exc:
            self._quiet = True
            try:
                setattr(self, change["name"], change["old"])
            finally:
                self._quiet = False
            raise InvalidValue(str(exc)) from None
        self._publish(scene, panels=change["name"] == "channel")

    def set_state(self, sync_data):
        """State written by the page: only the cell and the channel, each checked.

        A refused value is put back, the page is sent the value kept, and :attr:`error` says why.
        """
        set_state_from_page(self, sync_data, PAGE_TRAITS, super().set_state, "a click")

    # ------------------------------------------------------------ what it shows

    @property
    def scene(self) -> ReceptiveScene:
        """The immutable scene shown now."""
        return self._scene

    @property
    def layers(self) -> list[str]:
        """The maps shown, bottom up: ``["input", "conv1", "pool1", "conv2"]``."""
        return list(self._scene.names)

    @property
    def spans(self) -> list:
        """The block of each map the selected cell depends on (``spans[0]``: the input patch)."""
        return list(self._scene.spans)

    @property
    def patch(self):
        """The input patch the selected cell depends on (a :class:`~cnnlab.ops.geometry.Span`)."""
        return self._scene.patch

    def select(self, row: int, col: int) -> None:
        """Select cell ``(row, col)`` of the last map, as a click does."""
        self.cell = (row, col)

    # ------------------------------------------------------------ static picture

    def frame(self, panel_px: int = STILL_PANEL_PX):
        """The widget as a PIL image: the panels with the blocks outlined, the caption under them."""
        return _still(self._scene, v.positive_int(panel_px, "panel_px"))


    def __repr__(self) -> str:
        return f"ReceptiveFieldWidget({' -> '.join(self._scene.names)}; {self._scene.caption()})"


def _cell_value(value) -> tuple[int, int]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise TypeError(f"cell must be a (row, col) pair of ints, got {value!r:.60}")
    row, col = value
    return v.nonnegative_int(row, "cell row"), v.nonnegative_int(col, "cell col")


def _panel_picture(scene: ReceptiveScene, index: int, scale: int) -> np.ndarray:
    """Panel ``index`` in colours, cells outside the block faded, ``scale`` pixels per cell: ``(H, W, 3)``."""
    rgb = scene.colours[index]
    span = scene.spans[index]
    inside = np.zeros(rgb.shape[:2], dtype=bool)
    inside[span.slices] = True
    shown = np.where(inside[:, :, None], rgb, dimmed(rgb))
    return np.repeat(np.repeat(shown, scale, axis=0), scale, axis=1)


def _still(scene: ReceptiveScene, panel_px: int):
    from PIL import Image, ImageDraw

    font = _frames.load_font(_frames.FONT_PX)
    margin, gap, line = 12, 16, _frames.FONT_PX + 7
    scales = [max(1, panel_px // max(p.shape)) for p in scene.planes]
    widths = [p.shape[1] * s for p, s in zip(scene.planes, scales)]
    heights = [p.shape[0] * s for p, s in zip(scene.planes, scales)]
    width = 2 * margin + sum(widths) + gap * (len(widths) - 1)
    height = 2 * margin + line + max(heights) + 2 * line
    _frames.check_size({"size": (width, height)})
    image = Image.new("RGB", (width, height), _colors.BACKGROUND_RGB)
    draw = ImageDraw.Draw(image)
    x = margin
    for i, title in enumerate(scene.panel_titles()):
        draw.text((x, margin), title, fill=(0, 0, 0), font=font)
        top = margin + line
        image.paste(Image.fromarray(_panel_picture(scene, i, scales[i])), (x, top))
        span, s = scene.spans[i], scales[i]
        draw.rectangle([x + span.cols[0] * s, top + span.rows[0] * s, x + span.cols[1] * s - 1,
                        top + span.rows[1] * s - 1], outline=_colors.WINDOW_RGB, width=max(2, s // 4))
        x += widths[i] + gap
    draw.text((margin, margin + line + max(heights) + 8), scene.caption(), fill=(0, 0, 0), font=font)
    return image
