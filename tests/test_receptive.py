"""Receptive fields: ``ops.geometry.receptive_field`` against TensorFlow's gradients, and
``ReceptiveFieldWidget`` without a front end (its blocks, the cell trait, the page's writes, its picture)."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest
import tensorflow as tf  # the test extra installs it: the comparisons must never be skipped

from cnnlab import _colors, datasets, training
from cnnlab.ops.geometry import receptive_field
from cnnlab.widgets import ReceptiveFieldWidget
from cnnlab.widgets.receptive import layer_specs
from cnnlab.widgets.scenes.receptive import dimmed

# --------------------------------------------------------------------------- the pure function


def _tf_padding(padding, k: tuple[int, int]):
    """``tf.nn`` padding for ours: "VALID", "SAME", or explicit zeros for an int."""
    if isinstance(padding, str):
        return padding.upper()
    return [[0, 0], [padding, padding], [padding, padding], [0, 0]]


def _layer(x, spec, kind: str):
    """One layer with all-positive weights: a convolution of ones, or an average pooling."""
    kernel, stride, padding = spec
    k = (kernel, kernel) if isinstance(kernel, int) else tuple(kernel)
    s = (stride, stride) if isinstance(stride, int) else tuple(stride)
    if kind == "conv":
        ones = tf.ones((*k, x.shape[-1], 2), tf.float64)
        return tf.nn.conv2d(x, ones, strides=(1, *s, 1), padding=_tf_padding(padding, k))
    if isinstance(padding, int):      # tf.nn pools take no explicit padding: pad with zeros first
        x = tf.pad(x, [[0, 0], [padding, padding], [padding, padding], [0, 0]])
        padding = "valid"
    return tf.nn.avg_pool2d(x, k, (1, *s, 1), padding.upper())


def _dependencies(specs, kinds, shape, row, col) -> list[np.ndarray]:
    """For each map from the input up, the cells whose gradient of output cell (row, col) is not zero.

    All weights are positive and the input is all ones, so no two paths cancel: a cell has a
    non-zero gradient exactly when the output cell depends on it. Average pooling stands in for
    max pooling (same windows; max pooling's gradient reaches only the largest value).
    """
    x = tf.ones((1, *shape, 1), tf.float64)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        maps = [x]
        for spec, kind in zip(specs, kinds):
            maps.append(_layer(maps[-1], spec, kind))
            tape.watch(maps[-1])
        target = maps[-1][0, row, col, 0]
    grads = tape.gradient(target, maps[:-1])
    return [np.abs(g.numpy()[0]).sum(axis=-1) > 0 for g in grads]


def _as_mask(span) -> np.ndarray:
    mask = np.zeros(span.map_shape, dtype=bool)
    mask[span.slices] = True
    return mask


def _random_config(rng):
    """A random stack of 2-4 convolution / pooling layers that fits a random input."""
    shape = tuple(int(n) for n in rng.integers(12, 30, 2))
    specs, kinds = [], []
    h, w = shape
    for _ in range(rng.integers(2, 5)):
        kind = str(rng.choice(["conv", "pool"]))
        k = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
        s = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
        padding = [str(rng.choice(["valid", "same"])), int(rng.integers(0, 2))][int(rng.integers(0, 2))]
        if kind == "pool" and padding == "same":
            padding = "valid"          # TF's average pooling over "same" padding divides by fewer cells
        pads = (0, 0) if padding in ("valid", "same") else (padding, padding)
        if padding == "same":
            nh, nw = -(-h // s[0]), -(-w // s[1])
        else:
            nh, nw = (h + 2 * pads[0] - k[0]) // s[0] + 1, (w + 2 * pads[1] - k[1]) // s[1] + 1
        if nh < 1 or nw < 1:
            break
        specs.append((k, s, padding))
        kinds.append(kind)
        h, w = nh, nw
    return shape, specs, kinds, (h, w)


CONFIGS = [
    # the shipped digits model up to conv2: conv 3x3 same, pool 2x2, conv 3x3 valid
    ((28, 28), [(3, 1, "same"), (2, 2, "valid"), (3, 1, "valid")], ["conv", "pool", "conv"]),
    # and up to conv3
    ((28, 28), [(3, 1, "same"), (2, 2, "valid"), (3, 1, "valid"), (2, 2, "valid"), (3, 1, "valid")],
     ["conv", "pool", "conv", "pool", "conv"]),
    # stride 2 with "same": TensorFlow puts the odd zero at the bottom and the right
    ((15, 16), [(3, 2, "same"), (3, 2, "same")], ["conv", "conv"]),
    # a pooling that drops the last row and column, then a strided valid convolution
    ((13, 11), [(3, 1, "valid"), (2, 2, "valid"), (3, 2, "valid")], ["conv", "pool", "conv"]),
    # rectangular kernels, int padding, overlapping pooling
    ((17, 14), [((5, 3), 1, 1), (3, (2, 1), "valid"), ((2, 4), (1, 2), 2)], ["conv", "pool", "conv"]),
]


@pytest.mark.parametrize(("shape", "specs", "kinds"), CONFIGS)
def test_every_block_is_exactly_what_the_cell_depends_on_in_tensorflow(shape, specs, kinds):
    spans = receptive_field(specs, 0, 0, shape)
    out_h, out_w = spans[-1].map_shape
    cells = {(0, 0), (out_h - 1, out_w - 1), (out_h // 2, out_w // 2), (0, out_w - 1), (out_h - 1, 0)}
    for row, col in sorted(cells):
        spans = receptive_field(specs, row, col, shape)
        assert len(spans) == len(specs) + 1
        for level, (span, depends) in enumerate(zip(spans, _dependencies(specs, kinds, shape, row, col))):
            assert span.map_shape == depends.shape, (level, span)
            assert np.array_equal(_as_mask(span), depends), (row, col, level, span)
        assert spans[-1].rows == (row, row + 1) and spans[-1].cols == (col, col + 1)


def _bounds(mask: np.ndarray) -> tuple:
    rows, cols = np.nonzero(mask)
    return (0, 0, 0, 0) if rows.size == 0 else (rows.min(), rows.max() + 1, cols.min(), cols.max() + 1)


def test_random_stacks_agree_with_tensorflow():
    """Every block is the bounding box of what the cell depends on; it is all of it unless a stride is
    larger than its kernel (then the layer skips cells, and the block has holes)."""
    rng = np.random.default_rng(20)
    checked = exact = 0
    while checked < 16:
        shape, specs, kinds, (h, w) = _random_config(rng)
        if len(specs) < 2:
            continue
        row, col = int(rng.integers(0, h)), int(rng.integers(0, w))
        spans = receptive_field(specs, row, col, shape)
        depends = _dependencies(specs, kinds, shape, row, col)
        for span, mask in zip(spans, depends):
            box = (span.rows + span.cols) if span.height and span.width else (0, 0, 0, 0)
            assert box == _bounds(mask), (shape, specs, row, col, span)
        if all(np.less_equal(s, k).all() for k, s, _ in specs):
            assert all(np.array_equal(_as_mask(s), d) for s, d in zip(spans, depends)), (shape, specs, row, col)
            exact += 1
        checked += 1
    assert exact >= 4, "too few random stacks without skipping strides"


def test_the_shipped_model_reads_the_patch_and_nothing_else():
    """On the real model (max pooling, ReLU, real digits) the gradients of a conv2 cell stay inside
    the patch and, over a few digits and all 16 channels, reach every side of it."""
    model = training.load_digits_model()
    (_, _), (x_test, _) = datasets.load_mnist("offline")
    names, specs = layer_specs(model, "conv2")
    assert names == ["conv1", "pool1", "conv2"]

    def probe(x):
        for name in names:
            x = model.get_layer(name)(x)
        return x

    x = tf.constant(x_test[:8, :, :, None].astype(np.float32) / 255)
    for row, col in [(5, 5), (0, 0), (11, 3)]:
        patch = _as_mask(receptive_field(specs, row, col, (28, 28))[0])
        with tf.GradientTape() as tape:
            tape.watch(x)
            out = probe(x)[:, row, col, :]
        jacobian = tape.jacobian(out, x).numpy()            # (8, 16, 8, 28, 28, 1)
        reached = (jacobian != 0).any(axis=(0, 1, 2, 5))
        assert not (reached & ~patch).any(), (row, col)
        assert _bounds(reached) == _bounds(patch), (row, col)


def test_the_theoretical_size_ignores_the_edge():
    specs = [(3, 1, "same"), (2, 2, "valid"), (3, 1, "valid")]
    corner = receptive_field(specs, 0, 0, (28, 28))[0]
    middle = receptive_field(specs, 5, 5, (28, 28))[0]
    assert (corner.height, corner.width) == (7, 7)
    assert corner.rows_unclipped == (-1, 7) and (middle.height, middle.width) == (8, 8)
    assert middle.rows == middle.rows_unclipped == (9, 17)
    assert middle.text() == "8x8: rows 9-16, cols 9-16"


@pytest.mark.parametrize(("args", "error", "words"), [
    (("conv", 0, 0, (8, 8)), TypeError, "layers must be a sequence"),
    (([], 0, 0, (8, 8)), ValueError, "at least one"),
    (([(3, 1)], 0, 0, (8, 8)), ValueError, "layers[0] must be a (kernel, stride, padding) triple"),
    (([3], 0, 0, (8, 8)), TypeError, "layers[0] must be a (kernel, stride, padding) triple"),
    (([(0, 1, "valid")], 0, 0, (8, 8)), ValueError, "layers[0] kernel"),
    (([(3, 1.5, "valid")], 0, 0, (8, 8)), TypeError, "layers[0] stride"),
    (([(3, 1, "full")], 0, 0, (8, 8)), ValueError, "layers[0] padding"),
    (([(3, 1, "valid"), (9, 1, "valid")], 0, 0, (8, 8)), ValueError, "layers[1] does not fit its 6x6 input"),
    (([(3, 1, "valid")], 6, 0, (8, 8)), ValueError, "(row, col) must be a cell of the 6x6 output"),
    (([(3, 1, "valid")], -1, 0, (8, 8)), ValueError, "row"),
    (([(3, 1, "valid")], 0, 2.0, (8, 8)), TypeError, "col"),
    (([(3, 1, "valid")], 0, 0, (8, 0)), ValueError, "input_shape"),
    (([(3, 1, "valid")], 0, 0, "8x8"), TypeError, "input_shape"),
])
def test_bad_input_is_refused_naming_the_argument(args, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")
                       .replace("]", r"\]")):
        receptive_field(*args)


# --------------------------------------------------------------------------- the widget


@pytest.fixture(scope="module")
def digits():
    (_, _), (x_test, _) = datasets.load_mnist("offline")
    return x_test


@pytest.fixture(scope="module")
def widget(digits):
    return ReceptiveFieldWidget(digits[0], channel=3)


def test_the_widget_shows_the_layers_maps_as_keras_computes_them(widget, digits):
    model = training.load_digits_model()
    stages = training.feature_maps(model, digits[0])
    assert widget.layers == ["input", "conv1", "pool1", "conv2"]
    planes = widget.scene.planes
    assert np.array_equal(planes[0], digits[0])
    assert np.array_equal(planes[1], stages["conv1"][:, :, 0]) and np.array_equal(planes[3], stages["conv2"][:, :, 3])
    for plane, colours, (lo, hi) in zip(planes, widget.scene.colours, widget.scene.limits):
        assert np.array_equal(colours, _colors.to_rgb_array(plane, lo, hi))
    assert [p["shape"] for p in widget.get_state()["panels"]] == [[28, 28, 3], [28, 28, 3], [14, 14, 3], [12, 12, 3]]


def test_setting_the_cell_updates_the_blocks_and_the_caption(widget):
    specs = layer_specs(training.load_digits_model(), "conv2")[1]
    for cell in [(0, 0), (4, 9), (11, 11)]:
        widget.cell = cell
        expected = receptive_field(specs, *cell, (28, 28))
        assert widget.cell == cell and widget.spans == expected
        assert widget.span_data[0]["rows"] == list(expected[0].rows)
        p = expected[0]
        assert f"rows {p.rows[0]}-{p.rows[1] - 1}, cols {p.cols[0]}-{p.cols[1] - 1}" in widget.caption
    widget.select(5, 6)
    assert widget.patch.text() == "8x8: rows 9-16, cols 11-18"
    assert widget.caption == "this cell of conv2 (channel 3) sees 8x8 pixels of the input: rows 9-16, cols 11-18"


def test_a_cell_outside_the_map_is_refused_and_nothing_changes(widget):
    widget.cell = (2, 3)
    before = widget.caption
    with pytest.raises(ValueError, match=r"cell must be a cell of conv2's 12x12 map"):
        widget.cell = (12, 0)
    with pytest.raises(TypeError, match="cell"):
        widget.cell = "middle"
    assert widget.cell == (2, 3) and widget.caption == before


def test_the_page_may_write_the_cell_and_the_channel_only(widget):
    widget.set_state({"cell": [7, 1]})
    assert widget.cell == (7, 1) and widget.error == ""
    widget.set_state({"channel": 9})
    assert widget.channel == 9 and widget.scene.shown[-1] == 9 and "(channel 9)" in widget.caption
    widget.set_state({"cell": [40, 1]})
    assert widget.cell == (7, 1) and "cell must be" in widget.error
    widget.set_state({"caption": "hello"})
    assert "may not change caption" in widget.error and widget.caption != "hello"
    widget.set_state({"channel": 16})
    assert widget.channel == 9 and "channel must be below 16" in widget.error
    for bad in ("x", [1], [1, 2, 3], [1.5, 2], None):
        widget.set_state({"cell": bad})
        assert widget.cell == (7, 1) and "cell" in widget.error, bad
    widget.set_state({"channel": True})
    assert widget.channel == 9 and "channel must be an int" in widget.error
    widget.set_state({"cell": [3, 3]})
    assert widget.error == ""


def test_the_still_picture_shows_the_panels_in_the_page_colours(widget):
    import io

    from PIL import Image

    widget.cell = (5, 6)
    image = np.asarray(Image.open(io.BytesIO(widget.to_png(panel_px=112))).convert("RGB"))
    assert image.shape[1] > 4 * 112
    bundle = widget._repr_mimebundle_()[0]
    assert {"image/png", "text/html", "text/plain"} <= set(bundle)
    assert bundle["text/plain"] == repr(widget) and "sees 8x8 pixels" in repr(widget)
    scene = widget.scene
    # the input panel: 4 px per cell, drawn at (12, 12 + one text line); cell centres carry the colours
    top, left, scale = 12 + 15 + 7, 12, 4
    inside, outside = (12, 14), (2, 2)
    assert tuple(image[top + inside[0] * scale + 2, left + inside[1] * scale + 2]) == \
        tuple(scene.colours[0][inside])
    assert tuple(image[top + outside[0] * scale + 2, left + outside[1] * scale + 2]) == \
        tuple(dimmed(scene.colours[0][outside]))


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"digit": np.zeros((28, 28))}, ValueError, "digit must be a (28, 28) uint8"),
    ({"digit": np.zeros((20, 28), np.uint8)}, ValueError, "digit must be a (28, 28) uint8"),
    ({"layer": "conv1"}, ValueError, "deeper than the first layer"),
    ({"layer": "dense"}, ValueError, "layer must name a convolution or pooling layer"),
    ({"layer": 3}, TypeError, "layer must be a layer name"),
    ({"channel": 16}, ValueError, "channel must be below 16"),
    ({"below_channel": 8}, ValueError, "below_channel must be below 8"),
    ({"cell": (0, 12)}, ValueError, "cell must be a cell of conv2's 12x12 map"),
])
def test_the_widget_refuses_bad_arguments_naming_them(digits, kwargs, error, words):
    args = {"digit": digits[0], **kwargs}
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        ReceptiveFieldWidget(**args)


def test_a_deeper_layer_sees_a_bigger_patch(digits):
    deeper = ReceptiveFieldWidget(digits[1], layer="conv3", cell=(1, 2))
    assert deeper.layers == ["input", "conv1", "pool1", "conv2", "pool2", "conv3"]
    assert (deeper.patch.height, deeper.patch.width) == (18, 18)
    assert deeper.patch.text() == "18x18: rows 3-20, cols 7-24"
