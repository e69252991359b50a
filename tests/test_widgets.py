"""cnnlab.widgets: the numbers on the wire are ops' numbers, sent binary; bad input is explained.

No front end here: the state a browser would receive is read with ``get_state()``
and decoded with the same serializer. ``tests/browser/`` checks the drawing.
"""

import dataclasses
import io
import json
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest
from ipywidgets.widgets.widget import _remove_buffers
from PIL import Image

from cnnlab import _colors, images, kernels, ops
from cnnlab._timing import best_time
from cnnlab.widgets import (
    ActivationWidget,
    ConvolutionWidget,
    FlattenWidget,
    MorphologyWidget,
    PoolingWidget,
    _frames,
)
from cnnlab.widgets._inputs import load_image, load_map
from cnnlab.widgets._serialize import array_from_json, array_to_json, payload_nbytes
from cnnlab.widgets._text import fmt
from cnnlab.widgets.scenes import activation_scene, convolution_scene, flatten_scene, pooling_scene
from cnnlab.widgets.scenes._common import panel_scale

RNG = np.random.default_rng(0)
SMALL = RNG.integers(0, 256, size=(12, 10), dtype=np.uint8)
SMALL_RGB = RNG.integers(0, 256, size=(9, 11, 3), dtype=np.uint8)
SIGNED = RNG.normal(size=(10, 8)).astype(np.float32)


def wire(widget, name):
    """The array a front end receives for trait ``name``, decoded back."""
    return array_from_json(widget.get_state(name)[name])


# ---------------------------------------------------------------- the numbers are ops' numbers


def test_convolution_output_trait_is_ops_conv2d_on_the_downscaled_photo():
    w = ConvolutionWidget("camera", "sobel_x")
    shown = images.resize(images.load("camera"), 64)
    np.testing.assert_array_equal(w.image, shown)
    expected = ops.conv2d(shown, kernels.get("sobel_x"))
    np.testing.assert_array_equal(w.output, expected)
    np.testing.assert_array_equal(wire(w, "output_data"), expected)
    np.testing.assert_array_equal(wire(w, "input_data"), shown)
    np.testing.assert_array_equal(wire(w, "kernel_data"), kernels.get("sobel_x"))
    assert w.steps == 62 * 62 and w.grid == (62, 62)


def test_rgb_photo_with_a_2d_kernel_sums_the_channels_like_ops():
    w = ConvolutionWidget(SMALL_RGB, "laplacian")
    expected = ops.conv2d(SMALL_RGB, kernels.get("laplacian"))
    np.testing.assert_array_equal(wire(w, "output_data"), expected)
    parts = wire(w, "parts_data")
    assert parts.shape == expected.shape + (3,)
    for c in range(3):
        one_channel = ops.conv2d(SMALL_RGB[:, :, c], kernels.get("laplacian"))
        np.testing.assert_array_equal(parts[:, :, c], one_channel)
    np.testing.assert_allclose(parts.sum(axis=-1), expected, rtol=1e-6, atol=1e-4)


def test_changing_kernel_stride_padding_recomputes_with_ops():
    w = ConvolutionWidget(SMALL, "sobel_x")
    w.kernel = "sharpen"
    np.testing.assert_array_equal(wire(w, "output_data"), ops.conv2d(SMALL, kernels.get("sharpen")))
    w.stride = 2
    np.testing.assert_array_equal(wire(w, "output_data"), ops.conv2d(SMALL, kernels.get("sharpen"), 2))
    w.padding = "same"
    expected = ops.conv2d(SMALL, kernels.get("sharpen"), 2, "same")
    np.testing.assert_array_equal(wire(w, "output_data"), expected)
    assert w.meta["pad"] == [*ops.padding_amounts(12, 3, 2, "same"), *ops.padding_amounts(10, 3, 2, "same")]
    w.kernel = "1 2; 3 4"
    assert w.kernel_name == "custom"
    np.testing.assert_array_equal(w.output, ops.conv2d(SMALL, [[1, 2], [3, 4]], 2, "same"))
    w.set(stride=1, padding=1, kernel=np.ones((3, 3)))
    np.testing.assert_array_equal(w.output, ops.conv2d(SMALL, np.ones((3, 3)), 1, 1))
    assert w.kernel_name == "custom" and w.meta["params"]["padding"] == "1"


def test_a_parameter_change_resends_only_what_changed():
    w = ConvolutionWidget("cat", "sobel_x")
    sent = []
    w.observe(lambda change: sent.append(change["name"]), names=["input_data", "output_data", "meta"])
    w.kernel = "sobel_y"
    assert sorted(sent) == ["meta", "output_data"]
    w.image = "coffee"
    assert "input_data" in sent


def test_a_kernel_array_equal_to_a_named_one_is_named():
    assert ConvolutionWidget(SMALL, kernels.get("emboss")).kernel_name == "emboss"


def test_pooling_traits_are_ops_max_and_avg_pool():
    w = PoolingWidget(SIGNED, size=2, mode="max")
    np.testing.assert_array_equal(wire(w, "output_data"), ops.max_pool(SIGNED, 2))
    w.mode = "avg"
    np.testing.assert_array_equal(wire(w, "output_data"), ops.avg_pool(SIGNED, 2))
    w.set(size=3, stride=1, padding="same")
    np.testing.assert_array_equal(wire(w, "output_data"), ops.avg_pool(SIGNED, 3, 1, "same"))
    assert w.steps == SIGNED.size
    w.size = 2
    w.stride = None
    np.testing.assert_array_equal(w.output, ops.avg_pool(SIGNED, 2, None, "same"))


def test_pooling_a_photo_name_pools_its_downscaled_grayscale():
    w = PoolingWidget("coins", size=2)
    gray = images.resize(images.grayscale(images.load("coins")), 64)
    np.testing.assert_array_equal(w.feature_map, gray)
    np.testing.assert_array_equal(wire(w, "output_data"), ops.max_pool(gray, 2))
    assert "1/6" in w.scale_note


def test_pooling_a_stack_shows_the_chosen_channel_and_keeps_every_channel():
    stack = RNG.normal(size=(8, 8, 3)).astype(np.float32)
    w = PoolingWidget(stack, channel=1)
    np.testing.assert_array_equal(w.output, ops.max_pool(stack, 2))
    np.testing.assert_array_equal(wire(w, "output_data"), ops.max_pool(stack, 2)[:, :, 1])
    np.testing.assert_array_equal(wire(w, "input_data"), stack[:, :, 1])
    w.channel = 2
    np.testing.assert_array_equal(wire(w, "output_data"), ops.max_pool(stack, 2)[:, :, 2])


def test_pooling_window_holds_the_max():
    w = PoolingWidget(SIGNED)
    for step in (0, 5, w.steps - 1):
        r, c = w.position(step)
        assert w.window(step).max() == w.output[r, c]


def test_convolution_window_dot_kernel_is_the_output():
    w = ConvolutionWidget(SMALL, "sobel_y", padding="same", stride=2)
    for step in (0, 7, w.steps - 1):
        r, c = w.position(step)
        assert np.sum(w.window(step) * w.kernel) == pytest.approx(w.output[r, c], rel=1e-6)


def test_activation_relu_is_ops_relu_and_counts_negatives():
    w = ActivationWidget(SIGNED)
    np.testing.assert_array_equal(wire(w, "output_data"), ops.relu(SIGNED))
    np.testing.assert_array_equal(wire(w, "input_data"), SIGNED)
    assert w.negatives == int((SIGNED < 0).sum())
    assert f"{w.negatives} of {SIGNED.size}" in w.meta["stats"]
    assert w.meta["vmin"] < 0 and w.meta["vmin"] == -w.meta["vmax"]
    w.activation = "sigmoid"
    np.testing.assert_allclose(w.output, 1 / (1 + np.exp(-SIGNED)), rtol=1e-6)
    assert (w.meta["vmin"], w.meta["vmax"]) == (0.0, 1.0)
    w.activation = "leaky_relu"
    np.testing.assert_allclose(w.output, np.where(SIGNED > 0, SIGNED, 0.3 * SIGNED), rtol=1e-6)
    w.activation = "tanh"
    np.testing.assert_allclose(w.output, np.tanh(SIGNED), rtol=1e-6)


def test_sigmoid_and_tanh_get_a_pixel_unit_map_scaled_by_1_255_and_say_so():
    conv = ConvolutionWidget("cat", "sobel_x")
    edges = conv.output                                            # pixel units: values in the hundreds
    assert np.abs(edges).max() > 255
    relu = ActivationWidget(edges, "relu")
    assert relu.input_scale == 1.0 and relu.meta["scale_words"] == ""
    np.testing.assert_array_equal(relu.output, ops.relu(edges))    # ReLU: the map as it is
    w = ActivationWidget(edges, "sigmoid")
    assert w.input_scale == pytest.approx(1 / 255)
    x = ops.conv2d(images.to_float(conv.image), kernels.get("sobel_x"))   # the photo as 0 to 1, as lessons use it
    np.testing.assert_allclose(w.activation_input, x, rtol=1e-5, atol=1e-6)
    x = w.activation_input
    np.testing.assert_allclose(w.output, ops.sigmoid(x), rtol=1e-6)
    np.testing.assert_array_equal(wire(w, "input_data"), x)
    assert "1/255" in w.meta["scale_words"] and "1/255" in w.meta["describe"] and "1/255" in repr(w)
    r, c = w.position(100)
    assert f"\u00d7 1/255 = {fmt(x[r, c])}) = {fmt(w.output[r, c])}" in w.scene.caption(100)
    # not saturated: a good share of the outputs lies between 0.1 and 0.9
    assert np.mean((w.output > 0.1) & (w.output < 0.9)) > 0.3
    w.activation = "tanh"
    np.testing.assert_allclose(w.output, np.tanh(x), rtol=1e-5, atol=1e-6)
    w.input_scale = 1                                              # as it was: saturated, black and white
    assert np.mean(np.abs(w.output) > 0.99) > 0.7 and w.meta["scale_words"] == ""
    w.set(activation="relu", input_scale=0.5)                      # a number applies to every activation
    np.testing.assert_allclose(w.output, ops.relu(edges * np.float32(0.5)), rtol=1e-6)
    assert ActivationWidget(SIGNED, "sigmoid").input_scale == 1.0  # a small map stays as it is


def test_activation_parts_hold_every_activation_on_its_own_input():
    edges = ConvolutionWidget(SMALL, "sobel_x").output
    w = ActivationWidget(edges, "tanh")
    parts = wire(w, "parts_data")
    assert w.meta["compare"] == ["relu", "leaky_relu", "sigmoid", "tanh"]
    assert parts.shape == edges.shape + (9,)
    np.testing.assert_array_equal(parts[..., 0], edges)
    scaled = (edges.astype(np.float64) / 255).astype(np.float32)
    for k, (given, fn) in enumerate([(edges, ops.relu), (edges, lambda a: ops.leaky_relu(a, 0.3)),
                                     (scaled, ops.sigmoid), (scaled, ops.tanh)]):
        np.testing.assert_allclose(parts[..., 1 + 2 * k], given, rtol=1e-6)
        np.testing.assert_allclose(parts[..., 2 + 2 * k], fn(given), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(parts[..., 8], w.output)         # the one shown is the same numbers


def test_a_clipped_colour_scale_says_how_many_values_share_the_end_colours_and_why():
    w = ConvolutionWidget("camera", "identity")                 # a 0-255 photo, as float: robust limits
    out, vmin, vmax = w.output, w.meta["vmin"], w.meta["vmax"]
    assert vmin == 0 and vmax < out.max()
    note = w.meta["clip_note"]
    assert note.startswith(f"colours clipped at {fmt(vmax)}: {100 * np.mean(out > vmax):.1f} % of the values")
    assert f"(up to {fmt(out.max())})" in note and "wash out" in note
    signed = ConvolutionWidget("cat", "sobel_x")
    out, vmax = signed.output, signed.meta["vmax"]
    assert signed.meta["clip_note"].startswith(
        f"colours clipped at \u00b1{fmt(vmax)}: {100 * np.mean(np.abs(out) > vmax):.1f} % of the values "
        f"(down to {fmt(out.min())}, up to {fmt(out.max())})")
    pooled = PoolingWidget(signed)                               # both maps share one key: both counted
    both = np.concatenate([pooled.feature_map.ravel(), pooled.output.ravel()])
    assert f"{100 * np.mean(np.abs(both) > pooled.meta['vmax']):.1f} %" in pooled.meta["clip_note"]
    assert ConvolutionWidget(SMALL, "sobel_x").meta["clip_note"] == ""   # few values: exact limits
    assert ConvolutionWidget(SMALL, "sobel_x").meta["pending_note"] == "not computed yet"


def test_full_resolution_is_the_same_kernel_on_the_whole_photo_and_shows_as_a_png():
    w = ConvolutionWidget("cat", "sobel_x", stride=2, padding="same")
    assert w.full_png == b"" and w.full_info == {}
    full = w.full_resolution()
    photo = images.load("cat")
    np.testing.assert_array_equal(full, ops.conv2d(photo, kernels.get("sobel_x"), 2, "same"))
    assert full.shape == (150, 226) and w.output.shape[0] < full.shape[0]
    info = w.full_info
    assert info["shape"] == [150, 226] and info["photo_shape"] == [300, 451, 3]
    assert "150\u00d7226 map" in info["words"] and "300\u00d7451 photo" in info["words"]
    assert (info["vmin"], info["vmax"]) == _colors.limits(full)
    picture = np.asarray(Image.open(io.BytesIO(w.full_png)).convert("RGB"))
    np.testing.assert_array_equal(picture, _colors.to_rgb_array(full, info["vmin"], info["vmax"]))
    w.channel = "G"                              # what the picture shows is unchanged: it stays
    assert w.full_png and w.full_info
    w.kernel = "sobel_y"                         # another kernel: the picture would be stale, it goes
    assert w.full_png == b"" and w.full_info == {}


def test_full_resolution_from_the_page_answers_and_reports_what_goes_wrong(monkeypatch):
    w = ConvolutionWidget(SMALL, "sobel_x", max_size=6)
    sent = []
    monkeypatch.setattr(w, "send", lambda msg, *a, **k: sent.append(msg))
    w._on_front_end_msg(w, {"type": "full_resolution"}, [])
    assert sent[-1] == {"type": "ack", "ok": True, "error": "", "of": "full_resolution"}
    assert w.full_info["shape"] == list(ops.conv2d(SMALL, kernels.get("sobel_x")).shape)
    monkeypatch.setattr("cnnlab.widgets._inputs.MAX_PRODUCTS", 10)   # a photo too big to compute in time
    w._on_front_end_msg(w, {"type": "full_resolution"}, [])
    assert sent[-1]["ok"] is False and "image" in sent[-1]["error"] and "multiplications" in w.error


def test_full_resolution_of_a_large_photo_is_shown_shrunk_and_says_so():
    from cnnlab.widgets.convolution import FULL_SHOWN_PX

    photo = RNG.integers(0, 256, size=(FULL_SHOWN_PX + 40, 300), dtype=np.uint8)
    w = ConvolutionWidget(photo, "box_blur")
    full = w.full_resolution()
    assert full.shape == (FULL_SHOWN_PX + 38, 298)
    with Image.open(io.BytesIO(w.full_png)) as picture:
        assert max(picture.size) == FULL_SHOWN_PX
    assert "shown at" in w.full_info["words"]


def test_widgets_chain_through_their_outputs():
    conv = ConvolutionWidget(SMALL, "sobel_x")
    act = ActivationWidget(conv)
    pool = PoolingWidget(act)
    flat = FlattenWidget(pool)
    np.testing.assert_array_equal(flat.output, ops.flatten(ops.max_pool(ops.relu(conv.output))))


def test_flatten_follows_keras_order():
    maps = RNG.normal(size=(3, 4, 5)).astype(np.float32)
    w = FlattenWidget(maps)
    np.testing.assert_array_equal(wire(w, "output_data"), ops.flatten(maps))
    for step in (0, 7, 33, w.steps - 1):
        r, c, k = w.source(step)
        assert step == (r * 4 + c) * 5 + k
        assert w.output[step] == maps[r, c, k]
    assert w.grid == (3, 20)       # one vector row per map row
    wide = FlattenWidget(np.zeros((13, 13, 32)))
    assert wide.grid == (85, 64) and wide.steps == 13 * 13 * 32


def test_position_is_row_major_over_output_cells():
    w = ConvolutionWidget(SMALL, "sobel_x", stride=2)
    out_w = w.output.shape[1]
    assert [w.position(s) for s in range(out_w + 1)][-2:] == [(0, out_w - 1), (1, 0)]
    assert w.position() == (w.output.shape[0] - 1, out_w - 1)


# ---------------------------------------------------------------- the wire


@pytest.mark.parametrize("make", [
    lambda: ConvolutionWidget("astronaut", "sobel_x"),
    lambda: ConvolutionWidget("camera", "gaussian", padding="same"),
    lambda: PoolingWidget("coins"),
    lambda: ActivationWidget(RNG.normal(size=(62, 62))),
    lambda: FlattenWidget(RNG.normal(size=(13, 13, 32))),
], ids=["conv-rgb", "conv-gray", "pool", "relu", "flatten"])
def test_arrays_travel_as_binary_buffers_within_budget(make):
    """The photo-sized case of the budget: JSON overhead is a few hundred bytes, the arrays are raw."""
    w = make()
    state = {k: val for k, val in w.get_state().items() if k not in ("_esm", "_css")}
    clean, paths, buffers = _remove_buffers(state)
    assert {p[0] for p in paths} >= {"input_data", "output_data"}
    assert all(isinstance(b, (bytes, memoryview)) for b in buffers)
    for name in ("input_data", "output_data"):
        assert clean[name]["dtype"] in ("uint8", "float32") and "buffer" not in clean[name]
    text = json.dumps(clean)
    assert not re.search(r"\[(\s*-?\d+(\.\d+)?\s*,){20,}", text), "a long JSON list of numbers was sent"
    raw = wire(w, "input_data").nbytes + wire(w, "output_data").nbytes
    if isinstance(w, ConvolutionWidget):
        assert wire(w, "input_data").nbytes == w.image.nbytes             # the photo as uint8, nothing more
        raw += w.kernel.nbytes + (wire(w, "parts_data").nbytes if w.image.ndim == 3 else 0)
    if isinstance(w, ActivationWidget):   # every activation's input and output, to compare: float32
        assert wire(w, "parts_data").nbytes == w.output.size * 9 * 4
        raw += wire(w, "parts_data").nbytes
    if not isinstance(w, PoolingWidget):
        assert wire(w, "output_data").nbytes == w.output.astype(np.float32).nbytes
    json_bytes, buffer_bytes = payload_nbytes(w)
    assert buffer_bytes == raw
    assert json_bytes < 3000
    assert json_bytes + buffer_bytes < 1.5 * raw
    assert wire(w, "input_data").dtype in (np.uint8, np.float32)
    assert wire(w, "output_data").dtype == np.float32


def test_photo_is_sent_as_uint8_and_maps_as_float32():
    w = ConvolutionWidget("cat", "sobel_x")
    assert w.get_state("input_data")["input_data"]["dtype"] == "uint8"
    assert w.get_state("output_data")["output_data"]["dtype"] == "float32"


def test_serializer_round_trip():
    for arr in (np.arange(6, dtype=np.uint8).reshape(2, 3), np.linspace(-1, 1, 8, dtype=np.float64)):
        value = array_to_json(arr)
        assert isinstance(value["buffer"], memoryview)
        back = array_from_json({**value, "buffer": bytes(value["buffer"])})
        np.testing.assert_array_equal(back, arr.astype(back.dtype))
    assert array_to_json(None) is None and array_from_json(None) is None


# ---------------------------------------------------------------- bad input


def _photo_with_nan():
    x = np.ones((8, 8), dtype=np.float32)
    x[2, 3] = np.nan
    return x


BAD = [
    (lambda: ConvolutionWidget(None, "sobel_x"), TypeError, "image"),
    (lambda: ConvolutionWidget("no_such_photo", "sobel_x"), ValueError, "image"),
    (lambda: ConvolutionWidget(_photo_with_nan(), "sobel_x"), ValueError, "image"),
    (lambda: ConvolutionWidget(np.zeros(5), "sobel_x"), ValueError, "image"),
    (lambda: ConvolutionWidget(np.zeros((8, 8, 2)), np.ones((3, 3, 3))), ValueError, "kernel"),
    (lambda: ConvolutionWidget(np.zeros((2, 8, 8, 2)), "sobel_x"), ValueError, "image"),
    (lambda: ConvolutionWidget(SMALL, "sobelx"), ValueError, "kernel"),
    (lambda: ConvolutionWidget(SMALL, "1 x; 2 3"), ValueError, "kernel"),
    (lambda: ConvolutionWidget(SMALL, "1 2; 3"), ValueError, "kernel"),
    (lambda: ConvolutionWidget(SMALL, np.ones((13, 3))), ValueError, "kernel"),
    (lambda: ConvolutionWidget("camera", np.ones((70, 70))), ValueError, "kernel"),
    (lambda: ConvolutionWidget(SMALL, np.ones((3, 3, 1, 2))), ValueError, "kernel"),
    (lambda: ConvolutionWidget(SMALL, [[1, np.nan], [0, 1]]), ValueError, "kernel"),
    (lambda: ConvolutionWidget(SMALL, np.ones((3, 3, 3))), ValueError, "kernel"),
    (lambda: ConvolutionWidget(SMALL, "sobel_x", stride=0), ValueError, "stride"),
    (lambda: ConvolutionWidget(SMALL, "sobel_x", stride="2"), TypeError, "stride"),
    (lambda: ConvolutionWidget(SMALL, "sobel_x", padding="full"), ValueError, "padding"),
    (lambda: ConvolutionWidget(SMALL, "sobel_x", padding=-1), ValueError, "padding"),
    (lambda: ConvolutionWidget(SMALL_RGB, "sobel_x", channel="X"), ValueError, "channel"),
    (lambda: ConvolutionWidget(SMALL, "sobel_x", max_size=0), ValueError, "max_size"),
    (lambda: PoolingWidget(SIGNED, size=0), ValueError, "size"),
    (lambda: PoolingWidget(SIGNED, size=20), ValueError, "size"),
    (lambda: PoolingWidget(SIGNED, stride=0), ValueError, "stride"),
    (lambda: PoolingWidget(SIGNED, mode="median"), ValueError, "mode"),
    (lambda: PoolingWidget(SIGNED, padding=1), ValueError, "padding"),
    (lambda: PoolingWidget("nope"), ValueError, "feature_map"),
    (lambda: PoolingWidget(_photo_with_nan()), ValueError, "feature_map"),
    (lambda: PoolingWidget(SIGNED, channel=1), ValueError, "channel"),
    (lambda: ActivationWidget(SIGNED, "softmax"), ValueError, "activation"),
    (lambda: ActivationWidget("cat"), TypeError, "feature_map"),
    (lambda: ActivationWidget(SIGNED, input_scale=0), ValueError, "input_scale"),
    (lambda: ActivationWidget(SIGNED, input_scale="big"), ValueError, "input_scale"),
    (lambda: ActivationWidget(SIGNED, input_scale=[1]), TypeError, "input_scale"),
    (lambda: FlattenWidget(np.zeros((64, 64, 8))), ValueError, "maps"),
    (lambda: FlattenWidget(np.zeros(4)), ValueError, "maps"),
]


@pytest.mark.parametrize("make, error, argument", BAD, ids=[f"{b[2]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_raises_a_clear_error_naming_the_argument(make, error, argument):
    with pytest.raises(error) as info:
        make()
    assert re.search(rf"\b{argument}\b", str(info.value)), str(info.value)


def test_a_kernel_bigger_than_the_downscaled_photo_says_so():
    with pytest.raises(ValueError, match=r"kernel.*larger.*max_size"):
        ConvolutionWidget("camera", np.ones((70, 70)))


def test_bad_setters_raise_and_change_nothing():
    w = ConvolutionWidget(SMALL, "sobel_x")
    before = w.output
    state = w.get_state("meta")
    for name, value, error in (("kernel", "1 x; 2 3", ValueError), ("stride", 0, ValueError),
                               ("padding", "full", ValueError), ("kernel", np.ones((20, 20)), ValueError),
                               ("image", None, TypeError)):
        with pytest.raises(error, match=name):
            setattr(w, name, value)
    np.testing.assert_array_equal(w.output, before)
    assert w.get_state("meta") == state and w.error == ""
    with pytest.raises(TypeError, match="unknown parameter"):
        w.set(colour="red")


def test_synced_traits_check_their_values():
    w = ConvolutionWidget(SMALL, "sobel_x")
    w.step = 5
    w.speed = 30
    w.playing = True
    assert (w.step, w.speed, w.playing) == (5, 30.0, True)
    w.pause()
    assert w.playing is False
    for name, value, error in (("step", -1, ValueError), ("step", w.steps, ValueError),
                               ("step", 1.5, TypeError), ("speed", 0, ValueError),
                               ("speed", "fast", TypeError), ("speed", 5000, ValueError)):
        with pytest.raises(error, match=name):
            setattr(w, name, value)


def test_fewer_steps_after_a_change_clamp_the_step():
    w = ConvolutionWidget(SMALL, "sobel_x")
    w.step = w.steps - 1
    w.stride = 3
    assert w.step == w.steps - 1 == w.output.size - 1


# ---------------------------------------------------------------- controls in the browser


def test_a_bad_typed_kernel_sets_error_and_keeps_the_last_good_state():
    w = ConvolutionWidget(SMALL, "sobel_x")
    before, meta = w.output, dict(w.meta)
    assert w.request("kernel", "1 x; 2 3") is False
    assert "kernel" in w.error and "'x' is not a number" in w.error
    np.testing.assert_array_equal(w.output, before)
    np.testing.assert_array_equal(wire(w, "output_data"), before)
    assert w.meta == meta
    assert w.request("kernel", np.ones((30, 30)).tolist()) is False and "larger" in w.error
    # the message a front end sends goes the same way, and a good value clears the error
    w._on_front_end_msg(w, {"type": "set", "name": "kernel", "value": "0 0 0; 0 2 0; 0 0 0"}, [])
    assert w.error == ""
    np.testing.assert_array_equal(w.output, ops.conv2d(SMALL, [[0, 0, 0], [0, 2, 0], [0, 0, 0]]))
    assert w.request("stride", 2) and w.stride == 2
    assert w.request("no_such", 1) is False and "no_such" in w.error


def test_pooling_controls_send_plain_values():
    w = PoolingWidget(SIGNED)
    assert w.request("stride", None) and w.stride is None
    assert w.request("size", [2, 1]) and w.size == (2, 1)
    assert w.meta["params"]["size"] == "2,1" and "2,1" in w.meta["options"]["size"]
    assert w.request("mode", "avg") and w.request("size", 3)
    np.testing.assert_array_equal(w.output, ops.avg_pool(SIGNED, 3))
    assert w.request("size", 40) is False and "size" in w.error


# ---------------------------------------------------------------- text and pictures


def test_repr_is_deterministic_and_states_the_downscale():
    text = repr(ConvolutionWidget("camera", "sobel_x"))
    assert text == repr(ConvolutionWidget("camera", "sobel_x"))
    assert text == ("ConvolutionWidget(image=camera 512x512 shown at 1/8 \u2192 64x64, kernel=sobel_x 3x3, "
                    "stride=1, padding='valid', output 62x62)")
    assert repr(ConvolutionWidget("cat", "sobel_x", max_size=90)) == (
        "ConvolutionWidget(image=cat 300x451x3 shown at 1/5 \u2192 60x90x3, kernel=sobel_x 3x3, stride=1, "
        "padding='valid', output 58x88)")
    assert repr(PoolingWidget(SIGNED, mode="avg")) == (
        "PoolingWidget(feature_map=array 10x8, size=2, stride=None, mode='avg', output 5x4)")
    assert repr(FlattenWidget(np.zeros((2, 3, 4)))) == (
        "FlattenWidget(maps=array 2x3x4, vector of 24, 12 per row)")
    assert repr(ActivationWidget(SIGNED)) == (
        f"ActivationWidget(feature_map=array 10x8, activation='relu', {(SIGNED < 0).sum()} of 80 values negative)")
    bundle, _ = ConvolutionWidget("camera", "sobel_x")._repr_mimebundle_()
    assert bundle["text/plain"] == text
    w = ConvolutionWidget("astronaut", "sobel_x")
    assert w.scale_note == "shown at 1/8 scale: 512\u00d7512 \u2192 64\u00d764"
    assert w.meta["scale_note"] == w.scale_note


@pytest.mark.parametrize("make", [
    lambda: ConvolutionWidget(SMALL_RGB, "sobel_x", padding="same"),
    lambda: PoolingWidget(SIGNED, size=2),
    lambda: ActivationWidget(SIGNED),
    lambda: FlattenWidget(RNG.normal(size=(3, 3, 4))),
    lambda: MorphologyWidget(SIGNED, size=3, mode="erosion"),
], ids=["conv", "pool", "relu", "flatten", "morphology"])
def test_to_png_draws_output_cells_in_to_rgb_colours(make, tmp_path):
    w = make()
    step = w.steps // 2
    png = w.to_png(step)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    geo = _frames.geometry(w.scene)
    x0, y0 = geo["output_origin"]
    s = geo["output_scale"]
    flat = w.scene.values
    vmin, vmax = w.meta["vmin"], w.meta["vmax"]
    for index in (0, step, step + 1, w.steps - 1):
        r, c = divmod(index, w.grid[1])
        got = tuple(int(x) for x in image[y0 + r * s + s // 2, x0 + c * s + s // 2])
        want = _colors.to_rgb(flat[index], vmin, vmax) if index <= step else _colors.PENDING_RGB
        assert got == want, (index, got, want)
    path = w.to_png(path=tmp_path / "frame.png")
    with Image.open(path) as saved:
        assert saved.format == "PNG" and saved.size == geo["size"]


def test_to_png_rejects_a_bad_step():
    w = PoolingWidget(SIGNED)
    with pytest.raises(ValueError, match="step"):
        w.to_png(w.steps)
    with pytest.raises(TypeError, match="step"):
        w.to_png("last")


# ---------------------------------------------------------------- colours


def test_to_rgb_endpoints_and_zero():
    assert _colors.to_rgb(0.0, -5.0, 5.0) == _colors.WHITE_RGB
    assert _colors.to_rgb(-5.0, -5.0, 5.0) == _colors.NEGATIVE_RGB
    assert _colors.to_rgb(5.0, -5.0, 5.0) == _colors.POSITIVE_RGB
    assert _colors.to_rgb(-50.0, -5.0, 5.0) == _colors.NEGATIVE_RGB      # clipped
    assert _colors.to_rgb(0.0, 0.0, 255.0) == (0, 0, 0)
    assert _colors.to_rgb(255.0, 0.0, 255.0) == (255, 255, 255)
    assert _colors.to_rgb(300.0, 0.0, 255.0) == (255, 255, 255)
    assert _colors.to_rgb(7.0, 0.0, 0.0) == (0, 0, 0)                     # flat map, no division by zero


def test_to_rgb_is_monotonic_and_pending_is_never_a_map_colour():
    values = np.linspace(-5, 5, 1001)
    colours = _colors.to_rgb_array(values, -5.0, 5.0).astype(int)
    neg, pos = colours[values < 0], colours[values > 0]
    assert (np.diff(neg.sum(axis=1)) >= 0).all()       # brightening towards white
    assert (np.diff(pos.sum(axis=1)) <= 0).all()       # darkening towards red
    assert (np.diff(_colors.to_rgb_array(np.linspace(0, 9, 100), 0, 9)[:, 0].astype(int)) >= 0).all()
    grays = _colors.to_rgb_array(np.linspace(0, 1, 256), 0.0, 1.0)
    every = np.concatenate([colours, grays]).tolist()
    assert list(_colors.PENDING_RGB) not in every
    assert [_colors.to_rgb(x, -5.0, 5.0) for x in values[::50]] == [tuple(c) for c in colours[::50].tolist()]


def test_limits():
    assert _colors.limits(np.array([-3.0, 1.0])) == (-3.0, 3.0)
    assert _colors.limits(np.array([-1.0, 2.0])) == (-2.0, 2.0)
    assert _colors.limits(np.array([0, 200], dtype=np.uint8)) == (0.0, 200.0)
    assert _colors.limits(np.zeros(3)) == (0.0, 1.0)


# ---------------------------------------------------------------- robust colour limits


def test_limits_of_a_large_float_map_ignore_a_few_extremes():
    x = np.linspace(-1.0, 1.0, 1001)
    x[500] = 40.0
    vmin, vmax = _colors.limits(x)
    assert (vmin, vmax) == (-0.99, 0.99)                       # 98th percentile of |x|, rounded up
    assert _colors.to_rgb(40.0, vmin, vmax) == _colors.POSITIVE_RGB   # the outlier: full colour
    assert _colors.limits(x, robust=False) == (-40.0, 40.0)
    positive = np.abs(x)
    assert _colors.limits(positive) == (0.0, 0.99)
    photo = (np.arange(1000) % 256).astype(np.uint8)
    assert _colors.limits(photo) == (0.0, 255.0)               # photos keep their range
    small = np.array([-3.0, 1.0, 0.5])
    assert _colors.limits(small) == (-3.0, 3.0)                # small maps: exact extremes
    mostly_zero = np.zeros(1000)
    mostly_zero[:5] = [1, 2, 3, 4, 5]
    assert _colors.limits(mostly_zero) == (0.0, 5.0)           # never a zero limit
    thin_lines = np.zeros(1000)
    thin_lines[:5] = [-1, 2, -3, 4, 5]
    with warnings.catch_warnings():
        warnings.simplefilter("error")                         # no log10(0) warning in a learner's cell
        assert _colors.limits(thin_lines) == (-5.0, 5.0)


def test_widgets_send_pythons_limits_and_they_brighten_a_real_feature_map():
    conv = ConvolutionWidget("cat", "sobel_x")
    out = conv.output
    assert (conv.meta["vmin"], conv.meta["vmax"]) == _colors.limits(out)
    assert conv.meta["vmax"] < np.abs(out).max()               # the sharpest edges no longer set the scale
    assert (np.abs(out) > conv.meta["vmax"]).mean() <= 0.02
    pool = PoolingWidget(out, size=2)
    assert (pool.meta["in_vmin"], pool.meta["in_vmax"]) == _colors.limits(out)
    assert (pool.meta["vmin"], pool.meta["vmax"]) == (pool.meta["in_vmin"], pool.meta["in_vmax"])


# ---------------------------------------------------------------- kernels written so that sums add up


def test_kernel_denominator_and_text():
    from cnnlab.widgets._inputs import take_kernel as load_kernel
    from cnnlab.widgets.convolution import kernel_denominator, kernel_text

    assert kernel_denominator(kernels.get("sobel_x")) == 1
    assert kernel_denominator(kernels.get("box_blur")) == 9
    assert kernel_denominator(np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=np.float32) / 16) == 16
    assert kernel_denominator(np.array([[0.5, -0.25], [1.125, 0]], dtype=np.float32)) == 1
    assert kernel_denominator(kernels.get("gaussian")) == 0
    assert kernel_text(kernels.get("box_blur")) == "1/9 1/9 1/9; 1/9 1/9 1/9; 1/9 1/9 1/9"
    for name in kernels.names():                               # the text box reads back to the same kernel
        assert load_kernel(kernel_text(kernels.get(name)))[0] == name
    assert ConvolutionWidget(SMALL, "1/9 1/9 1/9; 1/9 1/9 1/9; 1/9 1/9 1/9").kernel_name == "box_blur"
    np.testing.assert_array_equal(load_kernel("1/4 -1/2; .5 2/3")[1],
                                  np.array([[0.25, -0.5], [0.5, 2 / 3]], dtype=np.float32))
    w = ConvolutionWidget(SMALL, "box_blur")
    assert w.meta["kernel_den"] == 9 and w.meta["params"]["kernel_text"].startswith("1/9 ")
    assert w.request("kernel", "1/0 1; 1 1") is False and "kernel" in w.error and "zero" in w.error


# ---------------------------------------------------------------- the flatten widget's labelled tiles


def test_flatten_tiles_have_a_label_band_and_the_window_is_inside_its_tile():
    maps = RNG.normal(size=(5, 8, 3)).astype(np.float32)
    w = FlattenWidget(maps)
    lab = w.scene.label_rows
    assert lab >= 1 and w.meta["label_rows"] == lab
    panel = w.scene.panel()
    assert panel.shape[:2] == (2 * (lab + 5 + 1) - 1, 2 * (8 + 1) - 1)
    labels = w.scene.panel_labels()
    assert [t for t, *_ in labels] == ["channel 0", "channel 1", "channel 2"]
    s = panel_scale(*panel.shape[:2])
    assert lab * s >= 16                                       # tall enough for the text
    colours = _colors.to_rgb_array(maps, w.meta["vmin"], w.meta["vmax"])
    for step in (0, 1, 2, 3, 61, w.steps - 1):
        top, left, _, _ = w.scene.window(step)
        r, c, k = w.source(step)
        _, band_top, band_left, band_h, _ = labels[k]
        assert (top - r, left - c) == (band_top + band_h, band_left)   # the tile starts under its label
        assert tuple(panel[top, left]) == tuple(colours[r, c, k])
    big = FlattenWidget(np.zeros((13, 13, 32)))
    assert 1 <= big.meta["label_rows"] <= 13


# ---------------------------------------------------------------- scenes: pure, frozen, ops' numbers


def _conv_scene(stride=(1, 1), padding="valid"):
    return convolution_scene(load_image(SMALL_RGB, None), "laplacian", kernels.get("laplacian"), stride, padding, "G")


def test_scene_functions_compute_ops_numbers_and_ops_windows():
    scene = _conv_scene((2, 1), "same")
    np.testing.assert_array_equal(scene.output, ops.conv2d(SMALL_RGB, kernels.get("laplacian"), (2, 1), "same"))
    padded = ops.pad(SMALL_RGB.astype(np.float32), 3, (2, 1), "same")
    for step in (0, 5, scene.steps - 1):
        r, c = scene.position(step)
        assert scene.window(step) == ops.window(r, c, 3, (2, 1))
        top, left, h, w = ops.window(r, c, 3, (2, 1))
        np.testing.assert_array_equal(scene.window_values(step), padded[top:top + h, left:left + w])
    pool = pooling_scene(load_map(SIGNED, "feature_map", None), (3, 2), (1, 2), "avg", "same", 0)
    np.testing.assert_array_equal(pool.output, ops.avg_pool(SIGNED, (3, 2), (1, 2), "same"))
    assert pool.window(7) == ops.window(*pool.position(7), (3, 2), (1, 2))
    act = activation_scene(load_map(SIGNED, "feature_map", None, dtype=np.float32), "relu", 0)
    np.testing.assert_array_equal(act.output, ops.relu(SIGNED))
    maps = RNG.normal(size=(3, 4, 5)).astype(np.float32)
    flat = flatten_scene(load_map(maps, "maps", None))
    np.testing.assert_array_equal(flat.output, ops.flatten(maps))


def test_scene_functions_are_pure_and_scenes_are_frozen():
    first, second = _conv_scene(), _conv_scene()
    assert first is not second
    np.testing.assert_array_equal(first.output, second.output)
    assert first.meta() == second.meta()
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.stride = (2, 2)
    for arr in (first.output, first.kernel, first.parts, first.source.array):
        assert not arr.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            arr[(0,) * arr.ndim] = 1


def test_a_widget_never_changes_the_array_it_was_given():
    given = SMALL.copy()
    w = ConvolutionWidget(given, "sobel_x", max_size=None)
    assert given.flags.writeable
    np.testing.assert_array_equal(given, SMALL)
    image = w.image
    image[:] = 0                                               # a copy: the widget keeps its own
    np.testing.assert_array_equal(w.image, SMALL)


# ---------------------------------------------------------------- meta is derived from the scene


@pytest.mark.parametrize("make", [
    lambda: ConvolutionWidget(SMALL_RGB, "box_blur", stride=2),
    lambda: PoolingWidget(SIGNED, size=3, stride=1),
    lambda: ActivationWidget(SIGNED, "tanh"),
    lambda: FlattenWidget(RNG.normal(size=(3, 3, 4))),
], ids=["conv", "pool", "relu", "flatten"])
def test_meta_is_the_scenes_and_python_never_reads_it_back(make):
    w = make()
    assert w.meta == w.scene.meta()
    before = (w.to_png(1), repr(w), w.position(3), w.output, w.scale_note)
    w.meta = {"kind": "nonsense", "stride": [9, 9], "ksize": [7, 7], "pad": [5, 5, 5, 5], "scale_note": "x"}
    after = (w.to_png(1), repr(w), w.position(3), w.output, w.scale_note)
    assert before[:3] == after[:3] and before[4] == after[4]
    np.testing.assert_array_equal(before[3], after[3])
    w.request("speed", 5)                                      # not a parameter: refused, meta untouched
    assert w.meta["kind"] == "nonsense"


def test_meta_style_carries_the_python_constants():
    style = ConvolutionWidget(SMALL, "sobel_x").meta["style"]
    assert style == {
        "pending_rgb": [206, 232, 208], "negative_rgb": list(_colors.NEGATIVE_RGB),
        "positive_rgb": list(_colors.POSITIVE_RGB), "white_rgb": [255, 255, 255],
        "pad_rgb": [list(_colors.PAD_RGB[0]), list(_colors.PAD_RGB[1])], "gap_rgb": list(_colors.GAP_RGB),
        "label_rgb": list(_colors.LABEL_RGB), "window_rgb": list(_colors.WINDOW_RGB),
        "panel_px": 320, "max_speed": 1000.0, "max_listed": 81, "max_terms": 25,
    }
    assert list(_colors.PENDING_RGB) == style["pending_rgb"]
    flat = [x for key in ("pending_rgb", "negative_rgb", "positive_rgb", "gap_rgb") for x in style[key]]
    assert all(type(x) is int for x in flat)
    json.dumps(style)                                          # plain JSON for the page


# ---------------------------------------------------------------- the renderer takes a scene


def test_the_renderer_draws_a_scene_as_the_widget_does():
    w = PoolingWidget(SIGNED, size=2)
    scene = w.scene
    assert np.array_equal(np.asarray(_frames.frame(scene, 4)), np.asarray(w.frame(4)))
    steps = _frames.gif_steps(scene.steps, 7)
    assert steps[0] == 0 and steps[-1] == scene.steps - 1 and len(steps) == 7
    pictures = _frames.frames(scene, steps, panel_px=200)
    assert [p.size for p in pictures] == [_frames.geometry(scene, 200)["size"]] * 7
    assert np.array_equal(np.asarray(pictures[2]), np.asarray(_frames.frame(scene, steps[2], 200)))
    geo = _frames.geometry(scene)
    (x, y), s = geo["input_origin"], geo["input_scale"]
    top, left, _, _ = scene.window(4)
    corner = np.asarray(w.frame(4))[y + top * s, x + left * s]
    assert tuple(corner) == _colors.WINDOW_RGB                 # the outline is where ops.window says


# ---------------------------------------------------------------- a trained Keras layer as the kernel


@pytest.fixture(scope="module")
def tiny_model():
    """Two convolution layers (the second on the first's 4 maps), random biases; no training."""
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(7)
    inp = keras.Input((12, 12, 1))
    first = keras.layers.Conv2D(4, 3, activation="relu", name="conv")
    deep = keras.layers.Conv2D(3, (3, 2), strides=2, padding="same", name="deep")
    hidden = first(inp)
    model = keras.Model(inp, [hidden, deep(hidden)])
    for layer in (first, deep):
        kernel, bias = layer.get_weights()
        layer.set_weights([kernel, rng.normal(size=bias.shape).astype(np.float32)])
    x = rng.random((1, 12, 12, 1)).astype(np.float32)
    before, deep_out = (np.asarray(t) for t in model(x))
    pre = keras.Model(inp, keras.layers.Conv2D(4, 3, name="linear_copy")(inp))
    pre.get_layer("linear_copy").set_weights(first.get_weights())
    return {"model": model, "x": x[0], "conv_out": before[0], "deep_out": deep_out[0],
            "pre": np.asarray(pre(x))[0], "keras": keras}


@pytest.mark.parametrize("index", [0, 1, 3])
def test_a_keras_layer_filter_gives_the_layers_output_with_its_bias(tiny_model, index):
    layer = tiny_model["model"].get_layer("conv")
    w = ConvolutionWidget(tiny_model["x"], layer, filter=index)
    np.testing.assert_allclose(w.output, tiny_model["pre"][:, :, index], atol=1e-5)
    np.testing.assert_allclose(ops.relu(w.output), tiny_model["conv_out"][:, :, index], atol=1e-5)
    kernel, bias = layer.get_weights()
    np.testing.assert_array_equal(w.kernel, kernel[:, :, 0, index])
    assert w.bias == pytest.approx(float(bias[index])) and w.filter == index
    meta = json.loads(json.dumps(w.meta, allow_nan=False))
    assert meta["bias"] == pytest.approx(float(bias[index]))
    assert meta["layer"] == {"name": "conv", "filter": index, "filters": 4, "bias": meta["bias"],
                             "use_bias": True, "activation": "relu"}
    assert meta["params"]["filter"] == str(index) and meta["options"]["filter"] == ["0", "1", "2", "3"]
    assert "bias" in w.scene.title() and "filter" in w.scene.title() and "bias" in w.scene.caption(0)
    assert "layer conv" in repr(w) and f"filter {index} of 4" in repr(w)


@pytest.mark.parametrize("index", [0, 2])
def test_a_deeper_layer_takes_the_previous_maps_with_its_stride_and_padding(tiny_model, index):
    layer = tiny_model["model"].get_layer("deep")
    maps = tiny_model["conv_out"]                              # (10, 10, 4): the first layer's output
    w = ConvolutionWidget(maps, layer, filter=index)
    assert (w.stride, w.padding) == (2, "same") and w.kernel.shape == (3, 2, 4)
    np.testing.assert_allclose(w.output, tiny_model["deep_out"][:, :, index], atol=1e-5)
    np.testing.assert_allclose(w.scene.parts.sum(axis=2) + w.bias, w.output, atol=1e-4)
    assert w.meta["channel_names"] == ["0", "1", "2", "3"] and w.meta["options"]["channel"][0] == "all"
    w.channel = 2
    assert w.channel == 2 and w.meta["params"]["channel"] == "2"
    np.testing.assert_allclose(ops.conv2d(maps, w.kernel, 2, "same") + w.bias, w.output, atol=1e-5)
    # a batch of one, as the model returns it, is the same input
    np.testing.assert_array_equal(ConvolutionWidget(maps[None], layer, filter=index).output, w.output)
    assert w.to_png()[:4] == b"\x89PNG"


def test_pooling_takes_a_layers_output_and_a_channel(tiny_model):
    keras = tiny_model["keras"]
    maps = tiny_model["conv_out"]
    pooled = np.asarray(keras.layers.MaxPooling2D(2)(maps[None]))[0]
    for given in (maps, maps[None]):
        w = PoolingWidget(given, channel=3)
        np.testing.assert_allclose(w.output, pooled, atol=1e-6)
        np.testing.assert_allclose(w.shown_output, pooled[:, :, 3], atol=1e-6)
    conv = ConvolutionWidget(tiny_model["x"], tiny_model["model"].get_layer("conv"), filter=1)
    relu = ActivationWidget(conv)
    np.testing.assert_allclose(PoolingWidget(relu).output, pooled[:, :, 1], atol=1e-5)


def test_a_layers_weights_are_copied_when_given(tiny_model):
    layer = tiny_model["model"].get_layer("conv")
    w = ConvolutionWidget(tiny_model["x"], layer, filter=0)
    before = w.output
    kernel, bias = layer.get_weights()
    try:
        layer.set_weights([kernel * 2, bias])
        w.stride = 1
        np.testing.assert_array_equal(w.output, before)      # the copy taken when given
        w.kernel = layer
        assert not np.allclose(w.output, before)              # given again: the new weights
    finally:
        layer.set_weights([kernel, bias])


def test_the_page_switches_kernels_and_filters_of_a_layer(tiny_model):
    layer = tiny_model["model"].get_layer("conv")
    w = ConvolutionWidget(tiny_model["x"], layer, filter=1)
    assert "layer conv" in w.meta["options"]["kernel"] and w.meta["params"]["kernel"] == "layer conv"
    assert w.request("filter", 3) and w.filter == 3
    np.testing.assert_allclose(w.output, tiny_model["pre"][:, :, 3], atol=1e-5)
    assert w.request("filter", 4) is False and "filter" in w.error and w.filter == 3
    assert w.request("kernel", "sobel_x") and w.filter is None and w.bias == 0.0
    assert "layer conv" in w.meta["options"]["kernel"]        # offered back
    assert w.request("kernel", "layer conv") and w.filter == 0
    np.testing.assert_allclose(w.output, tiny_model["pre"][:, :, 0], atol=1e-5)


def _unbuilt(keras):
    return keras.layers.Conv2D(2, 3)


def _dilated(keras):
    layer = keras.layers.Conv2D(2, 3, dilation_rate=2)
    layer.build((None, 12, 12, 1))
    return layer


def _transposed(keras):
    layer = keras.layers.Conv2DTranspose(2, 3)
    layer.build((None, 12, 12, 1))
    return layer


@pytest.mark.parametrize("make, kwargs, error, argument", [
    (_unbuilt, {}, ValueError, "kernel"),
    (_dilated, {}, ValueError, "kernel"),
    (_transposed, {}, TypeError, "kernel"),
    (None, {"filter": 4}, ValueError, "filter"),
    (None, {"filter": -1}, ValueError, "filter"),
    (None, {"filter": "2"}, TypeError, "filter"),
], ids=["unbuilt", "dilated", "transposed", "filter-too-big", "filter-negative", "filter-text"])
def test_bad_keras_layers_and_filters_are_named(tiny_model, make, kwargs, error, argument):
    layer = tiny_model["model"].get_layer("conv") if make is None else make(tiny_model["keras"])
    with pytest.raises(error) as info:
        ConvolutionWidget(tiny_model["x"], layer, **kwargs)
    assert re.search(rf"\b{argument}\b", str(info.value)), str(info.value)


def test_a_filter_without_a_layer_and_a_layer_on_the_wrong_channels_are_refused(tiny_model):
    with pytest.raises(ValueError, match="filter is only for a Keras"):
        ConvolutionWidget(SMALL, "sobel_x", filter=1)
    with pytest.raises(ValueError, match="kernel has 4 input channels but image has 1"):
        ConvolutionWidget(tiny_model["x"], tiny_model["model"].get_layer("deep"))


def test_widgets_never_import_tensorflow_unless_given_a_keras_object():
    code = ("import sys, numpy as np\n"
            "from cnnlab.widgets import ConvolutionWidget, PoolingWidget\n"
            "w = ConvolutionWidget(np.eye(8), 'sobel_x')\n"
            "PoolingWidget(np.ones((8, 8, 3)), channel=2)\n"
            "w.request('kernel', 'layer conv')\n"
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


class _FakeLayer:
    """Has what a Keras layer has, but its weights cannot be read."""

    kernel_size, filters, name = (3, 3), 2, "fake"

    def get_config(self):
        return {}

    def get_weights(self):
        raise RuntimeError("not a real layer")


@pytest.mark.parametrize("kernel, match", [
    (_FakeLayer(), r"^kernel looks like a Keras layer but get_weights\(\) failed"),
    ("model", r"^kernel must be one convolution layer of the model"),
], ids=["broken-layer", "whole-model"])
def test_keras_like_objects_that_are_not_one_layer_are_named(tiny_model, kernel, match):
    kernel = tiny_model["model"] if kernel == "model" else kernel
    with pytest.raises(TypeError, match=match):
        ConvolutionWidget(tiny_model["x"], kernel)


def test_a_gif_of_a_layers_filter(tiny_model, tmp_path):
    from cnnlab.animate import convolution_gif

    path = convolution_gif(tiny_model["conv_out"], tiny_model["model"].get_layer("deep"), tmp_path / "deep.gif",
                           filter=2, max_frames=5)
    with Image.open(path) as gif:
        assert gif.n_frames == 5


# ---------------------------------------------------------------- a still picture where no widget can run


def _decoded_still(bundle: dict) -> Image.Image:
    import base64

    return Image.open(io.BytesIO(base64.b64decode(bundle["image/png"])))


def _assert_still_bundle(widget, bundle: dict) -> Image.Image:
    """The display data keeps the live view and adds a decodable picture and the one-line hint."""
    from cnnlab.widgets._base import LIVE_HINT

    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == widget.model_id
    assert bundle["text/plain"] == repr(widget)
    picture = _decoded_still(bundle)
    assert picture.format == "PNG" and picture.width > 100 and picture.height > 100
    assert np.asarray(picture.convert("L")).std() > 5                  # not a blank picture
    html_text = bundle["text/html"]
    assert html_text.count("data:image/png;base64,") == 1 and bundle["image/png"] in html_text
    assert "\n" not in LIVE_HINT and "live widget" in LIVE_HINT and LIVE_HINT in html_text
    return picture


@pytest.mark.parametrize("make", [
    lambda: ConvolutionWidget("camera", "sobel_x"),
    lambda: PoolingWidget(SIGNED, mode="avg"),
    lambda: ActivationWidget(SIGNED),
    lambda: FlattenWidget(np.arange(24.0).reshape(2, 3, 4)),
    lambda: MorphologyWidget("coins"),
], ids=["convolution", "pooling", "activation", "flatten", "morphology"])
def test_the_display_data_carries_a_still_frame_of_the_current_step(make):
    from cnnlab.widgets._base import STILL_PANEL_PX

    widget = make()
    widget.step = widget.steps // 2
    bundle, _ = widget._repr_mimebundle_()
    picture = _assert_still_bundle(widget, bundle)
    expected = widget.frame(widget.step, panel_px=STILL_PANEL_PX)
    assert np.array_equal(np.asarray(picture.convert("RGB")), np.asarray(expected.convert("RGB")))
    assert not np.array_equal(np.asarray(picture.convert("RGB")),
                              np.asarray(widget.frame(0, panel_px=STILL_PANEL_PX).convert("RGB")))


def test_the_still_frame_is_small_and_quick():

    widget = ConvolutionWidget("camera", "sobel_x")
    widget._repr_mimebundle_()                                          # fonts load once per session
    widget.step = widget.steps - 1
    bundle, _ = widget._repr_mimebundle_()
    assert best_time(widget._repr_mimebundle_) < 0.3
    assert len(bundle["image/png"]) * 3 // 4 < 60_000


def test_the_draw_widget_shows_its_last_reading_as_a_still():
    import keras

    from cnnlab.widgets import DrawWidget

    model = keras.Sequential([
        keras.Input((28, 28), dtype="uint8"), keras.layers.Reshape((28, 28, 1)), keras.layers.Rescaling(1 / 255),
        keras.layers.Conv2D(2, 5, name="edges"), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    widget = DrawWidget(model)
    blank = _assert_still_bundle(widget, widget._repr_mimebundle_()[0])
    widget.predict(np.eye(50, dtype=np.uint8) * 255)
    drawn = _assert_still_bundle(widget, widget._repr_mimebundle_()[0])
    assert drawn.size != blank.size or not np.array_equal(np.asarray(drawn), np.asarray(blank))


def test_a_widget_kind_without_a_scene_builder_is_refused_when_defined():
    from cnnlab.widgets._base import AnimatedWidget

    with pytest.raises(TypeError, match="_build"):
        class Unfinished(AnimatedWidget):
            _params = ("image",)


# ---------------------------------------------------------------- morphology: pooling with stride 1


@pytest.mark.parametrize("mode, op", [("dilation", ops.dilate), ("erosion", ops.erode)])
def test_morphology_widget_shows_what_ops_computes(mode, op):
    w = MorphologyWidget(SIGNED, size=3, mode=mode)
    np.testing.assert_array_equal(w.output, op(SIGNED, 3))
    assert w.output.shape == SIGNED.shape and w.steps == SIGNED.size       # stride 1, same size
    assert w.meta["kind"] == w.kind == "morphology" and w.meta["stride"] == [1, 1]
    keep = np.max if mode == "dilation" else np.min
    for step in (0, w.steps // 2, w.steps - 1):
        r, c = w.position(step)
        assert keep(w.window(step)) == w.output[r, c]
    if mode == "dilation":
        np.testing.assert_array_equal(w.output, ops.max_pool(SIGNED, 3, stride=1, padding="same"))


def test_morphology_widget_recomputes_on_set_and_keeps_the_last_good_state():
    w = MorphologyWidget("coins", size=3)
    w.set(mode="erosion", size=5)
    np.testing.assert_array_equal(w.output, ops.erode(w.feature_map, 5))
    assert (w.mode, w.size) == ("erosion", 5)
    with pytest.raises(ValueError, match="size must be odd"):
        w.set(size=4)
    assert w.size == 5


@pytest.mark.parametrize("make, error, word", [
    (lambda: MorphologyWidget(SIGNED, size=2), ValueError, "size"),
    (lambda: MorphologyWidget(SIGNED, size=0), ValueError, "size"),
    (lambda: MorphologyWidget(SIGNED, mode="max"), ValueError, "mode"),
    (lambda: MorphologyWidget("nope"), ValueError, "feature_map"),
    (lambda: MorphologyWidget(SIGNED, channel=1), ValueError, "channel"),
    (lambda: MorphologyWidget(SIGNED, size="3"), TypeError, "size"),
])
def test_morphology_widget_refuses_bad_arguments_naming_them(make, error, word):
    with pytest.raises(error, match=word):
        make()
