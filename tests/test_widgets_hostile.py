"""The widgets and plots against hostile values, sizes and pages, one class of problem per section.

Every case ends in a clear ``ValueError`` / ``TypeError`` naming the argument (from
Python) or in the widget's error line with the last good state kept (from the
page), within seconds; ``meta`` is always strict JSON.
"""

import io
import json
import re
import struct
import time
import zlib

import matplotlib
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from cnnlab import ops, plot
from cnnlab.animate import save_gif
from cnnlab.widgets import ActivationWidget, ConvolutionWidget, FlattenWidget, PoolingWidget, _frames
from cnnlab.widgets._inputs import MAX_SENT_VALUES
from cnnlab.widgets._protocol import MAX_ERROR_CHARS, PAGE_TRAITS

matplotlib.use("Agg")

RNG = np.random.default_rng(3)
PHOTO = RNG.integers(0, 256, size=(20, 24), dtype=np.uint8)
MAP = RNG.normal(size=(12, 10)).astype(np.float32)
SECONDS = 5.0


def strict_json(widget) -> dict:
    """``meta`` as the page gets it; fails on NaN or infinity."""
    return json.loads(json.dumps(widget.meta, allow_nan=False))


def snapshot(widget) -> tuple:
    """What the page shows: the state that must survive a rejected change."""
    return widget.output, json.dumps(widget.meta, sort_keys=True), widget.step


def assert_kept(widget, before) -> None:
    output, meta, step = before
    np.testing.assert_array_equal(widget.output, output)
    assert json.dumps(widget.meta, sort_keys=True) == meta and widget.step == step


class Page:
    """Records what a widget sends to the page (acks and state) instead of a front end."""

    def __init__(self, widget):
        self.messages, self.states = [], []
        widget.send = self.messages.append
        widget.send_state = lambda key=None: self.states.append(key)


def timed(fn):
    start = time.perf_counter()
    try:
        return fn()
    finally:
        assert time.perf_counter() - start < SECONDS


# ---------------------------------------------------------------- non-finite results


OVERFLOWING = {
    "nine 3e38": np.full((3, 3), 3e38, np.float32),
    "mixed signs": np.array([[3e38, -3e38, 3e38]] * 3, np.float32),
    "one 3.4e38 times a bright pixel": np.array([[0, 0], [0, 3.4e38]], np.float32),
    "typed": "3e38 3e38; 3e38 3e38",
    "typed with the widget's minus": "3e38 \u22123e38; 3e38 3e38",
}


@pytest.mark.parametrize("kernel", OVERFLOWING.values(), ids=OVERFLOWING.keys())
def test_an_overflowing_kernel_is_refused_from_python_and_from_the_page(kernel):
    with pytest.raises(ValueError, match=r"^kernel .*float32"):
        ConvolutionWidget("camera", kernel)
    w = ConvolutionWidget("camera", "sobel_x")
    before = snapshot(w)
    page = Page(w)
    w._on_front_end_msg(w, {"type": "set", "name": "kernel", "value": kernel if isinstance(kernel, str)
                            else kernel.tolist()}, [])
    assert page.messages == [{"type": "ack", "ok": False, "error": w.error}] and "kernel" in w.error
    assert_kept(w, before)
    assert w.to_png()[:4] == b"\x89PNG"


@pytest.mark.parametrize("make, argument", [
    (lambda: PoolingWidget(np.full((6, 6), 3e38, np.float32), mode="avg"), "feature_map"),
    (lambda: ConvolutionWidget(np.full((6, 6), 3e38, np.float32), "sharpen"), "image"),
    (lambda: ConvolutionWidget(np.full((6, 6), 3e38, np.float32), [[1, 1], [1, 1]]), "image"),
], ids=["avg-pool", "float-photo-sharpen", "float-photo-ones"])
def test_overflow_in_other_kinds_names_the_input(make, argument):
    with pytest.raises(ValueError, match=rf"^{argument} makes numbers too large"):
        make()


@pytest.mark.parametrize("value, name", [(np.full((4, 4), 1e300), "image"), (np.full((4, 4), -1e39), "image")])
def test_float64_values_beyond_float32_are_refused_when_taken(value, name):
    with pytest.raises(ValueError, match=rf"^{name} values must lie between"):
        ConvolutionWidget(value, "sobel_x")


@given(exponent=st.floats(0, 38.53), signs=st.lists(st.sampled_from([-1.0, 0.0, 1.0]), min_size=9, max_size=9))
def test_any_finite_kernel_gives_a_finite_scene_or_names_the_kernel(exponent, signs):
    kernel = (np.array(signs) * 10.0**exponent).reshape(3, 3).astype(np.float32)
    try:
        w = ConvolutionWidget(PHOTO, kernel)
    except ValueError as exc:
        assert str(exc).startswith("kernel"), exc
        return
    strict_json(w)
    assert np.isfinite(w.output).all()
    assert w.frame(0).size[0] > 0


# ---------------------------------------------------------------- every request from the page


def _bomb(tmp_path):
    """A valid PNG that says it is 30000 x 30000 (a decompression bomb), a few bytes long."""
    buffer = io.BytesIO()
    Image.new("L", (8, 8)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    body = bytearray(data[12:29])
    body[4:12] = struct.pack(">II", 30000, 30000)
    data[12:29] = body
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(body)))
    path = tmp_path / "bomb.png"
    path.write_bytes(bytes(data))
    return str(path)


REQUESTS = [
    ("padding", 10**6),
    ("padding", 5000),
    ("stride", 0),
    ("stride", "fast"),
    ("stride", [1, 2, 3]),
    ("kernel", "1" * 1200 + "/" + "1" * 1200 + "x"),
    ("kernel", "1e39 1; 1 1"),
    ("kernel", [[1, 2], [3]]),
    ("kernel", {"a": 1}),
    ("channel", "Z"),
    ("max_size", "big"),
    ("max_size", -3),
    ("image", "http://127.0.0.1:9/photo.png"),
    ("image", "/no/such/file.png"),
    ("image", "x" * 5000),
    ("no_such_parameter", 1),
    (["kernel"], 1),
    (None, None),
]


@pytest.mark.parametrize("name, value", REQUESTS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(REQUESTS)])
def test_every_failed_request_reaches_the_error_line_and_the_page_gets_its_ack(monkeypatch, name, value):
    monkeypatch.setenv("CNNLAB_OFFLINE", "1")
    w = ConvolutionWidget("camera", "sobel_x")
    w.step = 7
    before = snapshot(w)
    page = Page(w)
    timed(lambda: w._on_front_end_msg(w, {"type": "set", "name": name, "value": value}, []))
    assert page.messages == [{"type": "ack", "ok": False, "error": w.error}]
    assert w.error and len(w.error) <= MAX_ERROR_CHARS
    assert_kept(w, before)


def test_a_decompression_bomb_from_the_page_is_an_error_line(tmp_path):
    w = ConvolutionWidget("camera", "sobel_x")
    before = snapshot(w)
    assert timed(lambda: w.request("image", _bomb(tmp_path))) is False
    assert "image" in w.error and "too large" in w.error
    assert_kept(w, before)


@pytest.mark.parametrize("failure", [MemoryError(), RuntimeError("boom"), KeyError("x"), OSError(28, "disk full"),
                                     ConnectionError("no network"), RecursionError(), ZeroDivisionError()],
                         ids=lambda e: type(e).__name__)
def test_any_exception_while_applying_a_request_is_an_error_line(monkeypatch, failure):
    w = PoolingWidget(MAP)
    before = snapshot(w)
    page = Page(w)

    def fail(values):
        raise failure

    monkeypatch.setattr(w, "_build", fail)
    w._on_front_end_msg(w, {"type": "set", "name": "size", "value": 3}, [])
    assert page.messages == [{"type": "ack", "ok": False, "error": w.error}]
    assert type(failure).__name__ in w.error and "size" in w.error
    assert_kept(w, before)
    monkeypatch.undo()
    assert w.request("size", 3) and w.error == ""           # and the widget still works


@pytest.mark.parametrize("content", [None, [], "set", {"type": "other"}, {"name": "size", "value": 3}])
def test_messages_that_are_not_requests_are_ignored(content):
    w = PoolingWidget(MAP)
    page = Page(w)
    w._on_front_end_msg(w, content, [])
    assert page.messages == [] and w.error == ""


PAGE_STATE = [
    {"step": -1}, {"step": 10**9}, {"step": 2.5}, {"step": "3"}, {"step": True}, {"step": None},
    {"speed": "fast"}, {"speed": 0}, {"speed": -5}, {"speed": float("nan")}, {"speed": 10**9}, {"speed": [1]},
    {"playing": "yes"}, {"playing": 1}, {"playing": None},
    {"meta": {}}, {"output_data": None}, {"error": ""}, {"kind": "pooling"}, {"step": 3, "meta": {}},
]


@pytest.mark.parametrize("state", PAGE_STATE, ids=[repr(s)[:30] for s in PAGE_STATE])
def test_state_written_by_the_page_is_validated_and_rolled_back(state):
    w = ConvolutionWidget(PHOTO, "sobel_x")
    w.step, w.speed = 5, 20.0
    w.error = ""
    before = (w.step, w.speed, w.playing, json.dumps(w.meta, sort_keys=True))
    page = Page(w)
    w.set_state(state)
    assert (w.step, w.speed, w.playing, json.dumps(w.meta, sort_keys=True)) == before
    assert w.error and len(w.error) <= MAX_ERROR_CHARS
    assert page.states and set(page.states[-1]) == set(state)   # the page is sent the values kept


@pytest.mark.parametrize("state", [{"step": 9}, {"speed": 33.5}, {"playing": True}, {"step": 0, "playing": False}])
def test_good_state_from_the_page_is_kept(state):
    w = ConvolutionWidget(PHOTO, "sobel_x")
    w.set_state(state)
    assert all(getattr(w, k) == v for k, v in state.items()) and w.error == ""
    assert set(PAGE_TRAITS) >= set(state)


@given(value=st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                       st.text(max_size=8), st.lists(st.integers(), max_size=3)),
       trait=st.sampled_from(PAGE_TRAITS))
def test_any_value_the_page_writes_leaves_a_valid_player(value, trait):
    w = PoolingWidget(MAP)
    w.set_state({trait: value})
    assert isinstance(w.step, int) and 0 <= w.step < w.steps
    assert isinstance(w.speed, float) and 0 < w.speed <= 1000
    assert isinstance(w.playing, bool)


# ---------------------------------------------------------------- sizes are estimated first


SIZES = [
    (lambda: ConvolutionWidget("camera", "sobel_x", padding=5000), "padding"),
    (lambda: ConvolutionWidget(np.zeros((4000, 4000, 3), np.uint8), "sobel_x", max_size=None), "image"),
    (lambda: ConvolutionWidget(np.zeros((2100, 2100), np.uint8), "sobel_x", max_size=None), "image"),
    (lambda: ConvolutionWidget(np.zeros((3000, 3000), np.uint8), "sobel_x", max_size=2500), "max_size"),
    (lambda: ConvolutionWidget(np.zeros((1000, 1000), np.uint8), np.ones((120, 120)), max_size=None), "kernel"),
    (lambda: ConvolutionWidget(np.zeros((512, 512, 3), np.uint8), np.ones((64, 64)), max_size=None), "kernel"),
    (lambda: ConvolutionWidget(np.zeros((800, 800, 3), np.uint8), np.ones((7, 7)), max_size=None), "image"),
    (lambda: ConvolutionWidget(PHOTO, np.ones((200, 3)), padding=100), "kernel"),
    (lambda: PoolingWidget(np.zeros((5000, 5000), np.float32), max_size=None), "feature_map"),
    (lambda: PoolingWidget(np.zeros((1000, 1000, 100), np.float32), max_size=None), "feature_map"),
    (lambda: ActivationWidget(np.zeros((3000, 3000), np.float32), max_size=None), "feature_map"),
    (lambda: FlattenWidget(np.zeros((200, 200), np.float32)), "maps"),
    (lambda: ConvolutionWidget(np.zeros((9000, 9000), np.uint8), "sobel_x"), "image"),
    (lambda: ConvolutionWidget(np.zeros((4, 4, 5000), np.float32), "sobel_x"), "image"),
    (lambda: PoolingWidget(np.zeros((4, 4, 100000), np.float32)), "feature_map"),
    (lambda: ActivationWidget(np.zeros((2, 2, 500000), np.float32)), "feature_map"),
    (lambda: FlattenWidget(np.zeros((1, 1, 20000), np.float32)), "maps"),
]


@pytest.mark.parametrize("make, argument", SIZES, ids=[f"{a}-{i}" for i, (_, a) in enumerate(SIZES)])
def test_a_widget_too_large_to_show_is_refused_at_once_naming_the_argument(make, argument):
    with pytest.raises(ValueError) as info:
        timed(make)
    assert re.search(rf"\b{argument}\b", str(info.value)), str(info.value)


def test_a_padding_too_large_set_later_keeps_the_widget():
    w = ConvolutionWidget("camera", "sobel_x")
    before = snapshot(w)
    with pytest.raises(ValueError, match=r"padding=5000 .*10062x10062.*limit is 4,000,000"):
        timed(lambda: setattr(w, "padding", 5000))
    assert_kept(w, before)


@given(padding=st.integers(0, 10**7))
def test_any_padding_builds_within_the_cap_or_names_padding(padding):
    try:
        w = timed(lambda: ConvolutionWidget(PHOTO, "sobel_x", padding=padding))
    except ValueError as exc:
        assert str(exc).startswith(f"padding={padding} would make"), exc
        return
    sent = sum(a.size for a in w.scene.wire().values() if a is not None)
    assert sent <= MAX_SENT_VALUES


def test_the_largest_allowed_photo_builds_and_draws_within_seconds():
    w = timed(lambda: ConvolutionWidget(np.zeros((1000, 1000), np.uint8), "sobel_x", max_size=None))
    assert w.output.shape == (998, 998)
    assert timed(w.to_png)[:4] == b"\x89PNG"


@pytest.mark.parametrize("call, argument", [
    (lambda w, tmp: w.to_png(panel_px=10**6), "panel_px"),
    (lambda w, tmp: w.frame(panel_px=30000), "panel_px"),
    (lambda w, tmp: save_gif(w, tmp / "a.gif", max_frames=10**6), "max_frames"),
    (lambda w, tmp: save_gif(w, tmp / "a.gif", panel_px=10**5), "panel_px"),
], ids=["png", "frame", "gif-frames", "gif-panel"])
def test_pictures_too_large_are_refused_before_drawing(tmp_path, call, argument):
    w = ConvolutionWidget("camera", "sobel_x")
    with pytest.raises(ValueError) as info:
        timed(lambda: call(w, tmp_path))
    assert argument in str(info.value)
    assert not (tmp_path / "a.gif").exists()


def test_a_large_gif_within_the_cap_is_written_within_seconds(tmp_path):
    w = ConvolutionWidget(PHOTO, "sobel_x", max_size=None)
    steps = _frames.gif_steps(w.steps, 150)
    size = _frames.geometry(w.scene, 240)["size"]
    assert size[0] * size[1] * len(steps) <= _frames.MAX_GIF_PIXELS
    assert timed(lambda: save_gif(w, tmp_path / "ok.gif")).stat().st_size > 0


# ---------------------------------------------------------------- inputs are copied on the way in


SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float32)


@pytest.mark.parametrize("make, name, compute", [
    (lambda a: ConvolutionWidget(a, "sobel_x"), "image", lambda a: ops.conv2d(a, SOBEL_X)),
    (lambda a: PoolingWidget(a), "feature_map", ops.max_pool),
    (lambda a: ActivationWidget(a, "tanh"), "feature_map", ops.tanh),
    (lambda a: FlattenWidget(a), "maps", ops.flatten),
], ids=["convolution", "pooling", "activation", "flatten"])
def test_an_array_edited_in_place_and_given_again_is_recomputed(make, name, compute):
    a = np.zeros((8, 6), np.float32)
    w = make(a)
    first = w.output
    a[:, 3:] = 5                            # edited in place: the widget keeps its copy ...
    np.testing.assert_array_equal(w.output, first)
    setattr(w, name, a)                     # ... and given again (the same object) it recomputes
    assert not np.array_equal(w.output, first)
    np.testing.assert_allclose(w.output, compute(a), rtol=1e-6)


def test_a_parameter_change_after_an_edit_uses_the_copy():
    a = PHOTO.copy()
    w = ConvolutionWidget(a, "sobel_x")
    a[:] = 0
    w.stride = 2
    np.testing.assert_array_equal(w.output, ops.conv2d(PHOTO, SOBEL_X, 2))


def test_a_kernel_array_edited_in_place_and_given_again_is_recomputed():
    k = np.ones((3, 3), np.float32)
    w = ConvolutionWidget(PHOTO, k)
    k[:] = -1
    np.testing.assert_array_equal(w.kernel, np.ones((3, 3)))
    w.kernel = k
    np.testing.assert_array_equal(w.output, ops.conv2d(PHOTO, -np.ones((3, 3))))


# ---------------------------------------------------------------- typed kernels


@pytest.mark.parametrize("text, ok", [
    ("\u22121 0 1; \u22122 0 2; \u22121 0 1", True),       # the minus the widget displays
    ("1/9 1/9 1/9; 1/9 1/9 1/9; 1/9 1/9 1/9", True),
    ("\u22121/4 1/2", True),
    ("1e39 1; 1 1", False),
    ("1 1; 1 1e400", False),
    ("1 2; 3", False),
    ("1/0 1", False),
    ("", False),
    ("sobel", False),
    ("1" * 1200 + "/" + "1" * 1200 + "x", False),
    ("1 " * 5000, False),
], ids=lambda x: repr(x)[:20])
def test_typed_kernels_are_read_linearly_with_clear_errors(text, ok):
    w = ConvolutionWidget(PHOTO, "sobel_x")
    assert timed(lambda: w.request("kernel", text)) is ok
    if ok:
        assert w.error == "" and w.kernel_name in ("sobel_x", "box_blur", "custom")
    else:
        assert w.error.startswith("kernel"), w.error
    if "1e39" in text or "1e400" in text:
        assert "too large" in w.error


def test_the_kernel_text_the_widget_shows_reads_back():
    w = ConvolutionWidget(PHOTO, [[-0.5, 1 / 3], [2, -7]])
    shown = w.meta["params"]["kernel_text"].replace("-", "\u2212")
    assert w.request("kernel", shown)
    np.testing.assert_allclose(w.kernel, [[-0.5, 1 / 3], [2, -7]], rtol=1e-6)


@given(text=st.text(alphabet="0123456789.-+/e ;,\u2212x", max_size=300))
def test_any_typed_text_is_applied_or_refused_quickly(text):
    w = ConvolutionWidget(PHOTO, "sobel_x")
    ok = timed(lambda: w.request("kernel", text))
    assert ok is (w.error == "")
    strict_json(w)


# ---------------------------------------------------------------- plot arguments


def _img():
    return RNG.integers(0, 256, size=(6, 8), dtype=np.uint8)


PLOT_BAD = [
    (lambda: plot.show(_img(), size=-1), ValueError, "size"),
    (lambda: plot.show(_img(), size="big"), TypeError, "size"),
    (lambda: plot.show(_img(), size=0), ValueError, "size"),
    (lambda: plot.show(_img(), size=float("inf")), ValueError, "size"),
    (lambda: plot.show(_img(), size=10**6), ValueError, "size"),
    (lambda: plot.show(_img(), title=3), TypeError, "title"),
    (lambda: plot.show(_img(), title="x" * 10**5), ValueError, "title"),
    (lambda: plot.show(_img(), colorbar="yes"), TypeError, "colorbar"),
    (lambda: plot.show(_img(), vmin="0"), TypeError, "vmin"),
    (lambda: plot.show(_img(), vmax=float("nan")), ValueError, "vmax"),
    (lambda: plot.numbers(_img(), fmt="d"), ValueError, "fmt"),
    (lambda: plot.numbers(_img(), fmt="x"), ValueError, "fmt"),
    (lambda: plot.numbers(_img(), fmt="%"), None, "fmt"),
    (lambda: plot.numbers(_img(), fmt=".999999999f"), ValueError, "fmt"),
    (lambda: plot.numbers(_img(), fmt=2), TypeError, "fmt"),
    (lambda: plot.numbers(_img(), cell=0), ValueError, "cell"),
    (lambda: plot.numbers(_img(), cell=500), ValueError, "cell"),
    (lambda: plot.numbers(_img(), fontsize=-1), ValueError, "fontsize"),
    (lambda: plot.numbers(_img(), title=["a"]), TypeError, "title"),
    (lambda: plot.grid([_img()], cols=0), ValueError, "cols"),
    (lambda: plot.grid([_img()], cols=10**6), ValueError, "cols"),
    (lambda: plot.grid([_img()], cols=2.5), TypeError, "cols"),
    (lambda: plot.grid([_img()], size=-2), ValueError, "size"),
    (lambda: plot.grid([_img()], suptitle=1), TypeError, "suptitle"),
    (lambda: plot.grid([_img()], titles=[5 * "x" * 100]), ValueError, "titles"),
    (lambda: plot.grid([_img()], titles=3), TypeError, "titles"),
    (lambda: plot.grid([_img()] * 1000), ValueError, "images"),
    (lambda: plot.feature_maps(np.zeros((4, 4, 3)), cols=-1), ValueError, "cols"),
    (lambda: plot.feature_maps(np.zeros((4, 4, 3)), size="2"), TypeError, "size"),
    (lambda: plot.zoom(_img(), 0, 0, size=3, figsize=(10, -1)), ValueError, "figsize"),
    (lambda: plot.zoom(_img(), 0, 0, size=3, figsize="big"), TypeError, "figsize"),
    (lambda: plot.zoom(_img(), 0, 0, size=3, title=1), TypeError, "title"),
    (lambda: plot.rgb_planes(np.zeros((4, 4, 3), np.uint8), size=0), ValueError, "size"),
    (lambda: plot.before_after(_img(), _img(), size=-1), ValueError, "size"),
    (lambda: plot.before_after(_img(), _img(), show_numbers="yes"), TypeError, "show_numbers"),
    (lambda: plot.kernels(["sobel_x"], cell=-1), ValueError, "cell"),
    (lambda: plot.kernels(["sobel_x"] * 100), ValueError, "kernels"),
    (lambda: plot.conv_step(np.eye(5), "sobel_x", 0, 0, cell=0), ValueError, "cell"),
    (lambda: plot.windows(np.eye(4), cell="x"), TypeError, "cell"),
    (lambda: plot.flatten_order(np.eye(4), cell=99), ValueError, "cell"),
    (lambda: plot.forward_pass([("x", np.eye(4))], size=0), ValueError, "size"),
    (lambda: plot.curves([0, 1], {"a": [0, 1]}, size=(6, 0)), ValueError, "size"),
    (lambda: plot.curves([0, 1], {"a": [0, 1]}, size=6), TypeError, "size"),
    (lambda: plot.curves([0, 1], {"a": [0, 1]}, xlabel=3), TypeError, "xlabel"),
    (lambda: plot.probabilities([0.5, 0.5], size=(1e9, 2)), ValueError, "size"),
    (lambda: plot.probabilities([0.5, 0.5], labels="ab"), TypeError, "labels"),
    (lambda: plot.probabilities([0.5, 0.5], title=1.0), TypeError, "title"),
]


@pytest.mark.parametrize("make, error, argument", PLOT_BAD, ids=[f"{a}-{i}" for i, (_, _, a) in enumerate(PLOT_BAD)])
def test_plot_arguments_are_checked_with_messages_naming_them(make, error, argument):
    import matplotlib.pyplot as plt

    try:
        if error is None:                     # a format real numbers accept: it just works
            assert timed(make) is not None
            return
        with pytest.raises(error) as info:
            timed(make)
        assert re.search(rf"\b{argument}\b", str(info.value)), str(info.value)
    finally:
        plt.close("all")


@given(size=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**9, 10**9)))
def test_any_show_size_draws_or_names_size(size):
    import matplotlib.pyplot as plt

    try:
        fig = timed(lambda: plot.show(_img(), size=size))
        assert 0 < fig.get_figwidth() <= 20
    except (ValueError, TypeError) as exc:
        assert str(exc).startswith("size"), exc
    finally:
        plt.close("all")


@given(values=st.lists(st.floats(allow_nan=False, allow_infinity=False, width=32), min_size=30, max_size=30),
       kind=st.sampled_from(["convolution", "pooling-avg", "pooling-max", "activation", "flatten"]))
def test_any_finite_map_in_any_kind_gives_strict_json_and_a_picture_or_names_the_input(values, kind):
    arr = np.array(values, np.float32).reshape(6, 5)
    make = {"convolution": lambda: ConvolutionWidget(arr, "sharpen"),
            "pooling-avg": lambda: PoolingWidget(arr, mode="avg"),
            "pooling-max": lambda: PoolingWidget(arr, size=3, stride=1, padding="same"),
            "activation": lambda: ActivationWidget(arr, "sigmoid"),
            "flatten": lambda: FlattenWidget(arr)}[kind]
    try:
        w = make()
    except ValueError as exc:
        assert re.match(r"(image|feature_map|maps) makes numbers too large", str(exc)), exc
        return
    strict_json(w)
    assert w.frame(w.steps // 2).size[0] > 0
