"""The arithmetic of ``widget.js``, run in headless Chromium and compared with the Python it mirrors.

``cnnlab/widgets/static/widget.js`` is loaded as an ES module in Debian's Chromium (the ``chromium``
fixture of conftest.py: skipped without it, failed under ``CNNLAB_REQUIRE_BROWSER=1``) from a
throw-away HTTP server on 127.0.0.1 that this module starts and stops; every other request is aborted.
Each exported function is then checked against its Python counterpart on the same inputs:

* ``toRGB``       == ``to_rgb_array`` (exactly, every channel), with the style Python sends in ``meta``;
* ``fmt``         == Python's ``fmt`` (exactly, ties included);
* ``weightText``  == ``weight_text`` (up to the minus sign the page prints);
* ``dotProduct``  adds up, as printed, to the total it is given;
* ``slidingWindow`` / ``stepCell`` == ``ops.window`` / ``divmod``;
* ``decodeArray`` reads back what ``_serialize.array_to_json`` sends;
* ``style``       returns what Python sends and nothing of its own, and names what is missing.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from cnnlab import kernels, ops
from cnnlab._colors import limits, to_rgb_array  # the Python references the JS must equal
from cnnlab.widgets import ConvolutionWidget, _serialize
from cnnlab.widgets._front import module_text
from cnnlab.widgets._text import fmt as py_fmt
from cnnlab.widgets.scenes.convolution import kernel_denominator, weight_text

pytestmark = pytest.mark.browser

RNG = np.random.default_rng(7)
MINUS = "\u2212"


# --------------------------------------------------------------------------- the page


@pytest.fixture(scope="module")
def meta():
    """``meta`` as Python sends it, for a small convolution widget."""
    return ConvolutionWidget(RNG.integers(0, 256, size=(6, 7)).astype(np.uint8), "sobel_x").meta


# --------------------------------------------------------------------------- the module


def test_module_loads_and_exports_what_the_tests_use(js):
    names = js("return Object.keys(m).sort();")
    assert {"default", "toRGB", "fmt", "weightText", "dotProduct", "decodeArray", "slidingWindow", "stepCell",
            "style", "STYLE_KEYS"} <= set(names)
    assert js("return typeof m.default.render;") == "function"
    source = module_text()
    assert "requestAnimationFrame" in source and "cancelAnimationFrame" in source
    assert not re.search(r"https?://", source), "the widget code must not load anything from the network"


def test_style_is_what_python_sends(js, meta):
    assert sorted(meta["style"]) == sorted(js("return m.STYLE_KEYS;")), "Python and widget.js disagree on the keys"
    assert js("return m.style(arg);", meta) == meta["style"]
    changed = {**meta, "style": {**meta["style"], "pending_rgb": [1, 2, 3], "max_terms": 7}}
    got = js("return m.style(arg);", changed)
    assert got["pending_rgb"] == [1, 2, 3] and got["max_terms"] == 7   # nothing of its own
    lacking = {**meta, "style": {k: v for k, v in meta["style"].items() if k != "window_rgb"}}
    assert js("try { m.style(arg); return 'no error'; } catch (e) { return e.message; }", lacking) == \
        "cnnlab: meta.style lacks window_rgb"


def _limits_cases():
    """(vmin, vmax) pairs: signed, one-sided, degenerate, and robust limits of real-looking maps."""
    cases = [(-2.0, 2.0), (-3.0, 5.0), (-1.0, 0.0), (0.0, 1.0), (0.0, 255.0), (2.0, 10.0), (0.0, 0.0),
             (-0.99, 0.99), (-820.0, 820.0)]
    for _ in range(4):
        cases.append(limits(RNG.normal(scale=RNG.uniform(0.1, 300), size=900).astype(np.float32)))
        cases.append(limits(np.abs(RNG.normal(size=900)).astype(np.float32)))
    return cases


def test_toRGB_equals_to_rgb_array_exactly(js, meta):
    jobs = []
    for vmin, vmax in _limits_cases():
        span = max(abs(vmin), abs(vmax), 1.0)
        values = RNG.uniform(-1.3 * span, 1.3 * span, size=150).astype(np.float32).astype(np.float64)
        edges = [0.0, -0.0, vmin, vmax, vmin / 2, vmax / 2, 1e-30, -1e-30, 1e30, -1e30]
        jobs.append([float(vmin), float(vmax), [*values.tolist(), *edges]])
    got = js("const st = m.style(arg.meta);"
             "return arg.jobs.map(([lo, hi, vs]) => vs.map((v) => m.toRGB(v, lo, hi, st)));",
             {"meta": meta, "jobs": jobs})
    checked = 0
    for (vmin, vmax, values), rgb in zip(jobs, got):
        want = to_rgb_array(values, vmin, vmax).tolist()
        bad = [(v, g, w) for v, g, w in zip(values, rgb, want) if g != w]
        assert not bad, f"limits ({vmin}, {vmax}): (value, js, python) {bad[:5]}"
        checked += len(values)
    assert checked == sum(len(v) for *_, v in jobs) > 2000


def _fmt_cases() -> list[float]:
    exact_ties = [k / d for d in (8, 16, 32, 64, 2048) for k in range(-70, 71)]   # x.xx5 / 0.xxx5 written exactly
    scales = 10.0 ** RNG.uniform(-5, 9, size=300)
    random = (RNG.normal(size=300) * scales).astype(np.float32).astype(np.float64).tolist()
    hand = [0.0, -0.0, 1.0, -1.0, 12.0, 0.111, -37.5, 0.5, 2.675, 1.005, 0.9995, 0.99951, -0.0004, -0.0005,
            9999999.0, 1e7, 12345678.5, 123456789.0, 1e21, 1e22, -3e30, 170.33333333, 1533 / 9, 5e-324]
    return hand + exact_ties + random


def test_fmt_equals_python_fmt(js):
    values = _fmt_cases()
    got = js("return arg.map(m.fmt);", values)
    bad = [(v, g, py_fmt(v)) for v, g in zip(values, got) if g != py_fmt(v)]
    assert not bad, f"(value, js, python): {bad[:8]}"
    assert got[values.index(-37.5)] == f"{MINUS}37.5"
    assert got[values.index(0.0625)] == "0.062"                  # a tie goes to even, as in Python


def test_weightText_equals_weight_text(js):
    named = {name: kernels.get(name) for name in kernels.names()}
    named["binomial"] = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=np.float32) / 16
    named["eighths"] = np.array([[-0.125, 0.375], [1.5, -2]], dtype=np.float32)
    named["trained"] = RNG.normal(size=(3, 3)).astype(np.float32)
    jobs = [[name, k.ravel().astype(np.float64).tolist(), kernel_denominator(k)] for name, k in named.items()]
    got = js("return arg.map(([n, ws, d]) => ws.map((w) => m.weightText(w, d)));", jobs)
    dens = set()
    for (name, weights, den), texts in zip(jobs, got):
        dens.add(min(den, 2))
        for w, text in zip(weights, texts):
            if den >= 1:
                assert text.replace(MINUS, "-") == weight_text(w, den), (name, w, den, text)
            else:   # a trained kernel: four significant digits, read back within rounding
                assert abs(float(text.replace(MINUS, "-")) - w) <= 5e-4 * max(abs(w), 1e-3), (name, w, text)
    assert dens == {0, 1, 2}, "the kernels must cover every way of writing weights"
    assert got[[j[0] for j in jobs].index("box_blur")] == ["1/9"] * 9


def _printed_sum(terms: str, tail: str) -> float:
    """Add up a written-out dot product the way a student would, from the printed numbers only."""
    def number(text):
        return float(text.strip("()").replace(MINUS, "-"))

    if tail.startswith(")"):
        den = int(re.match(r"\) / (\d+)", tail).group(1))
        total = 0.0
        for term in terms.lstrip("(").split(" + "):
            v, _, k = term.partition("\u00d7")
            total += number(v) * (number(k) if k else 1)
        return total / den
    return sum(number(v) * number(k) for v, k in (t.split("\u00d7") for t in terms.split(" + ")))


def test_the_written_out_sum_adds_up_to_the_total_as_printed(js, meta):
    window = RNG.integers(0, 256, size=(3, 3)).astype(np.float32)
    cases = {name: kernels.get(name) for name in ("sobel_x", "box_blur", "sharpen")}
    cases["binomial"] = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=np.float32) / 16
    cases["trained"] = RNG.normal(size=(3, 3)).astype(np.float32)
    cases["gaussian5"] = kernels.get("gaussian")
    cases["big7"] = RNG.normal(size=(7, 7)).astype(np.float32)
    jobs = []
    for name, k in cases.items():
        win = window if k.shape == (3, 3) else RNG.integers(0, 256, size=k.shape).astype(np.float32)
        total = float(np.sum(win.astype(np.float64) * k))
        jobs.append([name, win.ravel().tolist(), k.ravel().tolist(), kernel_denominator(k), total])
    got = js("const st = m.style(arg.meta);"
             "return arg.jobs.map(([n, v, w, d, t]) => [n, m.dotProduct(v, w, d, t, st.max_terms), "
             "w.map((x) => m.weightText(x, d))]);", {"meta": meta, "jobs": jobs})
    by_name = {name: (line, weights) for name, line, weights in got}
    for name, win, _, _, total in jobs:
        line = by_name[name][0]
        terms, tail, result = line["terms"], line["tail"], line["result"]
        assert result == py_fmt(total), name                   # the total is the given (ops) value
        if "\u2026" in terms:                                 # cut: only the first products are written
            assert len(win) > meta["style"]["max_terms"] and tail == "=", (name, terms, tail)
            assert terms.endswith(f"\u2026 ({len(win)} products)"), terms
            continue
        printed = py_fmt(_printed_sum(terms, tail))
        if tail.endswith("="):
            assert printed == result, (name, terms, tail, result)
        else:
            assert tail.endswith("\u2248") and printed != result, (name, tail)
    line, weights = by_name["box_blur"]
    assert weights == ["1/9"] * 9
    assert line["terms"] == "(" + " + ".join(py_fmt(v) for v in window.ravel()) and \
        line["tail"] == f") / 9 = {int(window.sum())} / 9 ="
    assert by_name["binomial"][1][:2] == ["1/16", "1/8"]
    assert by_name["sobel_x"][1][:3] == [f"{MINUS}1", "0", "1"]
    assert by_name["trained"][0]["tail"] in ("=", "\u2248")
    assert "\u2026" in by_name["big7"][0]["terms"] and "\u2026" not in by_name["gaussian5"][0]["terms"]


def test_slidingWindow_and_stepCell_equal_ops_window(js):
    jobs = []
    for _ in range(200):
        size = int(RNG.integers(1, 6)) if RNG.random() < 0.5 else [int(n) for n in RNG.integers(1, 6, size=2)]
        stride = int(RNG.integers(1, 4)) if RNG.random() < 0.5 else [int(n) for n in RNG.integers(1, 4, size=2)]
        out_w = int(RNG.integers(1, 40))
        jobs.append([int(RNG.integers(0, 40 * out_w)), out_w, size, stride])
    got = js("return arg.map(([s, w, size, stride]) => { const [r, c] = m.stepCell(s, w);"
             " return [[r, c], m.slidingWindow(r, c, size, stride)]; });", jobs)
    for (step, out_w, size, stride), (cell, window) in zip(jobs, got):
        assert tuple(cell) == divmod(step, out_w)
        assert tuple(window) == ops.window(*cell, size=size, stride=stride), (step, out_w, size, stride)


_DECODE_JS = """
const bytes = new Uint8Array(arg.bytes);
const buffer = new ArrayBuffer(bytes.length + arg.offset);
new Uint8Array(buffer, arg.offset).set(bytes);
const wire = {shape: arg.shape, dtype: arg.dtype,
              buffer: arg.as === "view" ? new DataView(buffer, arg.offset, bytes.length) : buffer};
const out = m.decodeArray(wire);
return {shape: out.shape, dtype: out.dtype, kind: out.data.constructor.name, data: Array.from(out.data)};
"""


@pytest.mark.parametrize("dtype", ["uint8", "float32", "bool", "float64"])
@pytest.mark.parametrize("offset", [0, 4, 1])   # where the bytes start in the received buffer; 1: unaligned
def test_decodeArray_reads_what_python_sends(js, dtype, offset):
    if dtype == "uint8":
        arr = RNG.integers(0, 256, size=(3, 4, 2)).astype(np.uint8)
    elif dtype == "bool":
        arr = RNG.random((5, 3)) > 0.5
    else:
        arr = RNG.normal(scale=100, size=(3, 4, 2)).astype(dtype)
    wire = _serialize.array_to_json(arr)
    raw = bytes(wire["buffer"])
    got = js(_DECODE_JS, {"bytes": list(raw), "offset": offset, "shape": wire["shape"], "dtype": wire["dtype"],
                          "as": "view"})
    back = _serialize.array_from_json(wire)
    assert got["shape"] == list(arr.shape) and got["dtype"] == wire["dtype"]
    assert got["kind"] == {"uint8": "Uint8Array", "float32": "Float32Array"}[wire["dtype"]]
    assert np.array_equal(np.array(got["data"], dtype=back.dtype).reshape(back.shape), back)
    if offset == 0:   # a plain ArrayBuffer too
        whole = js(_DECODE_JS, {"bytes": list(raw), "offset": 0, "shape": wire["shape"], "dtype": wire["dtype"],
                                "as": "buffer"})
        assert whole["data"] == got["data"]


def test_decodeArray_rejects_what_python_never_sends(js):
    assert js("return m.decodeArray(null);") is None
    assert js("return m.decodeArray({shape: [1], dtype: 'uint8'});") is None
    assert "unsupported dtype int16" in js(
        "try { m.decodeArray({shape: [1], dtype: 'int16', buffer: new ArrayBuffer(2)}); return 'no error'; }"
        " catch (e) { return e.message; }")
    assert "without a binary buffer" in js(
        "try { m.decodeArray({shape: [1], dtype: 'uint8', buffer: [1]}); return 'no error'; }"
        " catch (e) { return e.message; }")


# --------------------------------------------------------------------------- render, with a stand-in model

#: A stand-in for the anywidget model (get/set/save_changes/on/off/send) holding ``arg.state``, with the
#: widget rendered into the page; ``window.probe`` keeps what the tests look at afterwards.
_MOUNT_JS = """
const toView = (wire) => {
  const bytes = new Uint8Array(wire.bytes);
  return {shape: wire.shape, dtype: wire.dtype, buffer: new DataView(bytes.buffer)};
};
const state = {...arg.state};
for (const name of arg.arrays) state[name] = toView(state[name]);
const probe = {handlers: {}, sent: [], saved: [], state};
probe.model = {
  get: (name) => state[name],
  set: (name, value) => { state[name] = value; },
  save_changes: () => probe.saved.push({step: state.step, playing: state.playing, speed: state.speed}),
  on: (name, fn) => { (probe.handlers[name] = probe.handlers[name] || []).push(fn); },
  off: (name, fn) => { probe.handlers[name] = (probe.handlers[name] || []).filter((g) => g !== fn); },
  send: (msg) => probe.sent.push(msg),
};
probe.fire = (name, ...args) => (probe.handlers[name] || []).forEach((fn) => fn(...args));
const el = document.createElement('div');
document.body.replaceChildren(el);
probe.cleanup = m.default.render({model: probe.model, el});
probe.root = el.querySelector('.cnnlab-widget');
window.probe = probe;
return new Promise((resolve) => requestAnimationFrame(() => resolve(probe.root.dataset.ready)));
"""


def _state_for_page(widget) -> tuple[dict, list[str]]:
    """The widget's synced state as plain JSON, binary buffers as lists of bytes."""
    state, arrays = {}, []
    for name, value in widget.get_state().items():
        if name.startswith("_"):
            continue
        if isinstance(value, dict) and "buffer" in value:
            value = {"shape": value["shape"], "dtype": value["dtype"], "bytes": list(bytes(value["buffer"]))}
            arrays.append(name)
        elif isinstance(value, (bytes, memoryview)):   # a bytes trait (a PNG): a buffer on the page too
            value = {"shape": None, "dtype": "bytes", "bytes": list(bytes(value))}
            arrays.append(name)
        state[name] = value
    return state, arrays


def _frame(js):
    js("return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));")


def test_render_draws_steps_sends_and_cleans_up(js):
    from cnnlab.widgets import PoolingWidget

    widget = PoolingWidget(RNG.normal(size=(7, 9)).astype(np.float32), size=2, stride=1, mode="max")
    state, arrays = _state_for_page(widget)
    assert js(_MOUNT_JS, {"state": state, "arrays": arrays}) == "true"
    root = "window.probe.root"
    assert js(f"return {root}.dataset.steps;") == str(widget.steps)

    # the output canvas: cell 0 in its colour, cell 1 still pending
    values = widget.output.reshape(-1)
    st = widget.meta["style"]
    pixel = ("const c = window.probe.root.querySelector('canvas.cnnlab-output'); const s = Number(c.dataset.scale);"
             "const [r, col] = m.stepCell(arg, Number(window.probe.state.meta.grid[1]));"
             "return Array.from(c.getContext('2d').getImageData(col * s + 1, r * s + 1, 1, 1).data).slice(0, 3);")
    assert js(pixel, 0) == to_rgb_array(values[0], widget.meta["vmin"], widget.meta["vmax"]).tolist()
    assert js(pixel, 1) == st["pending_rgb"]

    # a step forward: drawn, the numbers panel shows the value, the model is told once
    js(f"{root}.querySelector('button.cnnlab-forward').click();")
    assert js(f"return {root}.dataset.step;") == "1"
    assert js(pixel, 1) == to_rgb_array(values[1], widget.meta["vmin"], widget.meta["vmax"]).tolist()
    assert py_fmt(values[1]) in js(f"return {root}.querySelector('.cnnlab-sum').textContent;")
    assert js("return window.probe.saved;")[-1]["step"] == 1

    # Python moves the step; a dropdown sends a "set" message and changes nothing by itself
    js("window.probe.state.step = 5; window.probe.fire('change:step');")
    assert js(f"return {root}.dataset.step;") == "5"
    js(f"const s = {root}.querySelector('select.cnnlab-mode'); s.value = 'avg';"
       "s.dispatchEvent(new Event('change'));")
    assert js("return window.probe.sent;") == [{"type": "set", "name": "mode", "value": "avg"}]

    # playing draws frames without telling the model per frame; cleanup stops everything
    saves = len(js("return window.probe.saved;"))
    js(f"{root}.querySelector('button.cnnlab-play').click();")
    js("return new Promise((r) => setTimeout(r, 300));")
    frames = int(js(f"const frames = {root}.dataset.frames; window.probe.cleanup(); return frames;"))
    assert frames > 3 and len(js("return window.probe.saved;")) == saves + 1   # the press of Play only
    assert js("return Object.values(window.probe.handlers).every((list) => list.length === 0);")
    assert js("return document.body.querySelector('.cnnlab-widget');") is None
    js("return new Promise((r) => setTimeout(r, 200));")
    assert int(js(f"return {root}.dataset.frames;")) == frames, "the animation went on after cleanup"


# --------------------------------------------------------------------------- the activation widget


def test_activation_widget_says_its_input_is_scaled_and_compares_every_activation(js):
    from cnnlab.widgets import ActivationWidget

    edges = ConvolutionWidget(RNG.integers(0, 256, size=(9, 12)).astype(np.uint8), "sobel_x").output
    widget = ActivationWidget(edges, "sigmoid")
    assert widget.input_scale == pytest.approx(1 / 255)
    _mount_at(js, widget, 5)
    root = "window.probe.root"
    r, c = widget.position(5)
    x, y = widget.activation_input[r, c], widget.output[r, c]
    text = js(f"return {root}.querySelector('.cnnlab-sum').textContent;")
    assert f"x = {py_fmt(edges[r, c])} \u00d7 1/255 = {py_fmt(x)}".replace("-", MINUS) in text, text
    assert f"sigmoid({py_fmt(x)})".replace("-", MINUS) in text and text.endswith(py_fmt(y).replace("-", MINUS))
    assert "input scaled by 1/255" in js(f"return {root}.querySelector('.cnnlab-stats').textContent;")
    assert "1/255" in js(f"return {root}.querySelector('.cnnlab-input').closest('figure').textContent;")
    table = js(f"return Array.from({root}.querySelectorAll('.cnnlab-compare tr')).map((tr) =>"
               " Array.from(tr.children).map((td) => td.textContent));")
    assert table[0][1:] == ["relu", "leaky relu", "sigmoid", "tanh"]
    parts = widget.scene.compare[r, c]
    assert table[1][1:] == [py_fmt(parts[1 + 2 * k]).replace("-", MINUS) for k in range(4)]
    assert table[2][1:] == [py_fmt(parts[2 + 2 * k]).replace("-", MINUS) for k in range(4)]
    assert table[1][1] == py_fmt(edges[r, c]).replace("-", MINUS)           # ReLU: the map as it is
    assert js(f"return {root}.querySelector('.cnnlab-compare th.cnnlab-current').textContent;") == "sigmoid"
    js("window.probe.cleanup();")


# --------------------------------------------------------------------------- the full-resolution map


def test_full_resolution_button_asks_python_and_shows_its_picture(js):
    photo = RNG.integers(0, 256, size=(90, 120)).astype(np.uint8)
    widget = ConvolutionWidget(photo, "sobel_x", max_size=24)
    _mount_at(js, widget, 3)
    root = "window.probe.root"
    assert js(f"return {root}.querySelector('figure.cnnlab-full').hidden;") is True   # nothing asked yet
    js(f"{root}.querySelector('button.cnnlab-full-button').click();")
    assert js("return window.probe.sent;") == [{"type": "full_resolution"}]
    assert js(f"return {root}.querySelector('button.cnnlab-full-button').disabled;") is True
    js("window.probe.fire('msg:custom', {type: 'ack', ok: true, error: '', of: 'full_resolution'});")
    assert js(f"return {root}.querySelector('button.cnnlab-full-button').disabled;") is False

    # Python's answer (as the kernel sends it): the picture, its size stated, its colours Python's
    full = widget.full_resolution()
    assert full.shape == (88, 118)
    state, _ = _state_for_page(widget)
    js("const toView = (w) => { const b = new Uint8Array(w.bytes); return new DataView(b.buffer); };"
       "window.probe.state.full_info = arg.info; window.probe.state.full_png = toView(arg.png);"
       "window.probe.fire('change:full_png'); window.probe.fire('change:full_info');",
       {"info": state["full_info"], "png": state["full_png"]})
    assert js(f"return {root}.querySelector('figure.cnnlab-full').hidden;") is False
    caption = js(f"return {root}.querySelector('figure.cnnlab-full figcaption').textContent;")
    assert "88\u00d7118 map" in caption and "90\u00d7120 photo" in caption, caption
    points = [[0, 0], [40, 60], [87, 117], [10, 100]]
    got = js("const img = window.probe.root.querySelector('img.cnnlab-full-map');"
             "return img.decode().then(() => { const c = document.createElement('canvas');"
             "c.width = img.naturalWidth; c.height = img.naturalHeight; const x = c.getContext('2d');"
             "x.drawImage(img, 0, 0); return [img.naturalWidth, img.naturalHeight,"
             "arg.map(([r, q]) => Array.from(x.getImageData(q, r, 1, 1).data).slice(0, 3))]; });", points)
    info = widget.full_info
    assert got[:2] == [118, 88]
    assert got[2] == [to_rgb_array(full[r, c], info["vmin"], info["vmax"]).tolist() for r, c in points]
    js("window.probe.cleanup();")


# --------------------------------------------------------------------------- keys for a presenter's clicker

_KEY_JS = "document.body.dispatchEvent(new KeyboardEvent('keydown', {key: arg, bubbles: true, cancelable: true}));"


def test_mostInView_picks_the_widget_the_viewport_shows_most_of(js):
    rects = [[0, -600, 800, 100], [0, 100, 800, 900], [0, 900, 800, 1500], [900, 0, 1200, 400]]
    assert js("return arg.map((r) => m.visibleArea(r, 800, 600));", rects) == [800 * 100, 800 * 500, 0, 0]
    assert js("return m.mostInView(arg, 800, 600);", rects) == 1
    assert js("return m.mostInView(arg, 800, 600);", [rects[2], rects[3]]) == -1
    assert js("return m.mostInView(arg, 800, 600);", [rects[0], rects[0]]) == 0


def test_page_keys_reach_a_widget_when_nothing_has_focus_and_leave_with_it(js):
    from cnnlab.widgets import PoolingWidget

    widget = PoolingWidget(RNG.normal(size=(7, 9)).astype(np.float32), size=2, stride=1, mode="max")
    state, arrays = _state_for_page(widget)
    before = js("return m.presenterWidgetCount();")
    assert js(_MOUNT_JS, {"state": state, "arrays": arrays}) == "true"
    assert js("return m.presenterWidgetCount();") == before + 1
    root = "window.probe.root"
    js("if (document.activeElement) document.activeElement.blur();")
    step = f"return {root}.dataset.step;"
    for key, want in [("PageDown", "1"), ("ArrowRight", "2"), ("PageUp", "1"), ("End", str(widget.steps - 1)),
                      ("Home", "0")]:
        js(_KEY_JS, key)
        assert js(step) == want, f"after {key}"
    js(_KEY_JS, " ")
    assert js(f"return {root}.dataset.playing;") == "true"
    js(_KEY_JS, " ")
    assert js(f"return {root}.dataset.playing;") == "false"
    # keys pressed while a text box or menu has focus, or with Ctrl, are not the widget's
    js("const i = document.createElement('input'); document.body.appendChild(i); i.focus();"
       "i.dispatchEvent(new KeyboardEvent('keydown', {key: 'PageDown', bubbles: true}));")
    js("document.body.dispatchEvent(new KeyboardEvent('keydown', {key: 'PageDown', ctrlKey: true, bubbles: true}));")
    assert js(step) == "0"
    js("window.probe.cleanup();")
    assert js("return m.presenterWidgetCount();") == before
    js(_KEY_JS, "PageDown")   # nothing left to step, and no error


# --------------------------------------------------------------------------- a trained layer of many channels


@pytest.fixture(scope="module")
def layer_widget():
    """A convolution widget on a Keras ``Conv2D`` layer with 8 input channels and a nonzero bias."""
    keras = pytest.importorskip("keras")
    conv = keras.layers.Conv2D(4, 3, activation="relu", name="conv_b")
    conv.build((None, 9, 10, 8))
    kernel, _ = conv.get_weights()
    conv.set_weights([kernel, np.array([0.25, -0.5, 0.75, 1.5], dtype=np.float32)])
    maps = RNG.random(size=(9, 10, 8)).astype(np.float32) * 3
    return ConvolutionWidget(maps, conv, filter=2)


_SUM_JS = "return Array.from(window.probe.root.querySelectorAll('.cnnlab-sumline')).map((l) => l.title);"
_PANEL_PIXEL_JS = ("const c = window.probe.root.querySelector('canvas.cnnlab-input'); const s = Number(c.dataset.scale);"
                   "return arg.map(([y, x]) => Array.from(c.getContext('2d').getImageData(x * s + 1, y * s + 1, 1, 1)"
                   ".data).slice(0, 3));")


def _mount_at(js, widget, step):
    state, arrays = _state_for_page(widget)
    state["step"] = step
    assert js(_MOUNT_JS, {"state": state, "arrays": arrays}) == "true"
    _frame(js)


@pytest.mark.parametrize("channel", ["all", 5])
def test_layer_of_eight_channels_draws_and_writes_the_sum_python_computes(js, layer_widget, channel):
    widget = layer_widget
    widget.channel = channel
    scene = widget.scene
    step = 17
    r, c = widget.position(step)
    errors_before = len(js.log.errors())
    _mount_at(js, widget, step)
    lines = js(_SUM_JS)
    value = py_fmt(widget.output[r, c])
    bias = py_fmt(0.75).replace("-", MINUS)
    # the last line is the output: every channel's share plus the bias, equal to Python's value
    last = lines[-1]
    assert last.startswith("output = the sum over all 8 channels + bias"), last
    assert last.endswith((f" + {bias} = {value}", f" + {bias} \u2248 {value}")), last
    shares = [py_fmt(p).replace("-", MINUS) for p in scene.parts[r, c]]
    assert all(share in last for share in shares), (shares, last)
    if channel == "all":
        assert len(lines) == 9 and [line.split(":")[0] for line in lines[:8]] == [str(k) for k in range(8)]
    else:
        assert len(lines) == 2 and lines[0].startswith("channel 5's share of the output:"), lines
        assert lines[0].endswith(shares[5]), lines[0]
    # the caption names the filter and the layer; the filter menu offers the layer's 4 filters
    stats = js("return window.probe.root.querySelector('.cnnlab-stats').textContent;")
    assert stats == "filter 2 of 4 of layer 'conv_b' (then relu)"
    options = js("const s = window.probe.root.querySelector('select.cnnlab-filter');"
                 "return [s.closest('label').hidden, Array.from(s.options).map((o) => o.value), s.value];")
    assert options == [False, ["0", "1", "2", "3"], "2"]
    # the input panel is Python's panel, pixel for pixel (gray mean for "all", the channel otherwise)
    panel = scene.panel()
    points = [[y, x] for y in range(0, panel.shape[0], 2) for x in range(0, panel.shape[1], 3)]
    assert js(_PANEL_PIXEL_JS, points) == [panel[y, x].tolist() for y, x in points]
    assert js.log.errors()[errors_before:] == []
    js("window.probe.cleanup();")


def test_one_channel_with_bias_ends_plus_bias_equals_value(js):
    keras = pytest.importorskip("keras")
    conv = keras.layers.Conv2D(2, 3, name="conv_one")
    conv.build((None, 8, 8, 1))
    kernel, _ = conv.get_weights()
    conv.set_weights([kernel, np.array([-0.375, 2.0], dtype=np.float32)])
    widget = ConvolutionWidget(RNG.random(size=(8, 8, 1)).astype(np.float32), conv, filter=0)
    _mount_at(js, widget, 7)
    (line,) = js(_SUM_JS)
    r, c = widget.position(7)
    assert re.search(rf" \+ \({MINUS}0\.375\) [=\u2248] {re.escape(py_fmt(widget.output[r, c]).replace('-', MINUS))}$",
                     line), line
    js("window.probe.cleanup();")


def test_no_filter_menu_without_a_layer(js):
    _mount_at(js, ConvolutionWidget(RNG.integers(0, 256, size=(6, 7, 3)).astype(np.uint8), "sobel_x"), 3)
    assert js("return window.probe.root.querySelector('select.cnnlab-filter').closest('label').hidden;") is True
    lines = js(_SUM_JS)
    assert [line.split(":")[0] for line in lines[:3]] == ["R", "G", "B"]
    assert lines[3].startswith("output = R + G + B = ") and " + bias" not in lines[3], lines[3]
    js("window.probe.cleanup();")


def test_areaAverage_averages_blocks_rounded(js):
    gray = RNG.integers(0, 256, size=(12, 12)).astype(np.uint8)
    got = js("return Array.from(m.areaAverage(new Uint8Array(arg), 12, 3));", gray.ravel().tolist())
    expected = np.floor(gray.reshape(4, 3, 4, 3).astype(np.float64).mean(axis=(1, 3)) + 0.5).astype(int)
    assert got == expected.ravel().tolist()


# --------------------------------------------------------------------------- the draw widget, with a stand-in model


def test_draw_widget_shows_what_python_read_and_sends_strokes(js):
    from cnnlab.widgets import DrawWidget

    widget = DrawWidget()
    bar = np.zeros((140, 140), np.uint8)
    bar[15:125, 62:78] = 255
    widget.predict(bar)
    state, arrays = _state_for_page(widget)
    assert js(_MOUNT_JS, {"state": state, "arrays": arrays}) == "true"
    root = "window.probe.root"
    bars = js(f"return Array.from({root}.querySelectorAll('.cnnlab-bar')).map((b) => [Number(b.dataset.digit),"
              " Number(b.dataset.p)]);")
    assert bars == [[k, pytest.approx(p)] for k, p in widget.top3]
    digit = js(f"const d = {root}.querySelector('canvas.cnnlab-digit').getContext('2d').getImageData(0, 0, 28, 28).data;"
               "return Array.from(d).filter((_, i) => i % 4 === 0);")
    assert digit == widget.digit.ravel().tolist()
    assert js(f"return {root}.querySelector('canvas.cnnlab-maps').width;") == 4 * 29 - 1   # 4 maps of 28 a row
    # a stroke: pointer down, move, up on the pad sends the drawing, 140x140 bytes, once
    js(f"const pad = {root}.querySelector('canvas.cnnlab-pad'); const r = pad.getBoundingClientRect();"
       "const ev = (type, x, y) => pad.dispatchEvent(new PointerEvent(type, {pointerId: 1, bubbles: true,"
       " clientX: r.left + x, clientY: r.top + y, button: 0}));"
       "ev('pointerdown', 140, 40); ev('pointermove', 140, 140); ev('pointermove', 140, 240); ev('pointerup', 140, 240);")
    assert js("return window.probe.sent;") == [{"type": "drawing", "shape": [140, 140]}]
    js(f"{root}.querySelector('button.cnnlab-clear').click();")
    assert js("return window.probe.sent;")[-1] == {"type": "clear"}
    js("window.probe.cleanup();")
    assert js("return Object.values(window.probe.handlers).every((list) => list.length === 0);")


def test_draw_widget_says_the_network_is_loading_until_python_says_it_is_ready(js):
    from cnnlab.widgets import DrawWidget

    widget = DrawWidget()
    state, arrays = _state_for_page(widget)
    loaded_meta = state["meta"]
    state["meta"] = {**loaded_meta, "loading": True, "layer": None}   # as the first pad of a session starts
    assert js(_MOUNT_JS, {"state": state, "arrays": arrays}) == "true"
    root = "window.probe.root"
    assert js(f"return {root}.dataset.loading;") == "true"
    assert js(f"return {root}.querySelector('.cnnlab-stats').textContent;").startswith("loading the network")
    assert js(f"return {root}.querySelector('figure:has(canvas.cnnlab-maps)').hidden;") is True
    # Python's thread has loaded the model: the line goes, the pad keeps working
    js("window.probe.model.set('meta', arg); window.probe.fire('change:meta');", loaded_meta)
    assert js(f"return {root}.dataset.loading;") == "false"
    assert js(f"return {root}.querySelector('.cnnlab-stats').textContent;") == ""
    js("window.probe.cleanup();")


# --------------------------------------------------------------------------- every kind: the meta keys it reads

_WATCH_META_JS = """
window.metaReads = new Set();
const seen = (meta) => new Proxy(meta, { get(target, key, receiver) {
  if (typeof key === 'string') window.metaReads.add(key);
  return Reflect.get(target, key, receiver);
} });
arg.state = {...arg.state, meta: seen(arg.state.meta)};
const get = (name) => window.probe.state[name];
"""

_STEP_THROUGH_JS = """
const steps = arg;   // from Python: reading it here would count as the page's read
for (const s of [steps - 1, Math.floor(steps / 2)]) {
  if (s > 0) { window.probe.state.step = s; window.probe.fire('change:step'); }
}
window.probe.fire('change:meta');
return new Promise((r) => requestAnimationFrame(() => { window.probe.cleanup(); r([...window.metaReads]); }));
"""


def _one_widget_of_each_kind():
    """A small widget of every kind Python has (a new kind must add its own here)."""
    from cnnlab import detection
    from cnnlab.widgets import (
        ActivationWidget,
        DrawWidget,
        FlattenWidget,
        IoUWidget,
        MorphologyWidget,
        NMSWidget,
        PoolingWidget,
        ReceptiveFieldWidget,
    )

    photo = RNG.integers(0, 256, size=(12, 14)).astype(np.uint8)
    edges = ConvolutionWidget(photo, "sobel_x", padding="same").output
    boxes, scores = np.array([[2, 2, 20, 20], [4, 4, 22, 22], [40, 40, 60, 60]], float), np.array([0.9, 0.8, 0.7])
    digit = np.zeros((28, 28), np.uint8)
    digit[5:23, 12:16] = 255
    assert detection.nms(boxes, scores).tolist() == [0, 2]
    return {
        "convolution": lambda: ConvolutionWidget(photo, "sobel_x", padding=1),
        "pooling": lambda: PoolingWidget(edges, size=2, stride=1, padding="same"),
        "activation": lambda: ActivationWidget(edges * 40, "sigmoid"),
        "flatten": lambda: FlattenWidget(RNG.normal(size=(3, 4, 2)).astype(np.float32)),
        "morphology": lambda: MorphologyWidget(photo, size=3, mode="erosion"),
        "draw": DrawWidget,
        "iou": lambda: IoUWidget("astronaut", (0, 0, 100, 100), (50, 0, 150, 100)),
        "nms": lambda: NMSWidget("astronaut", boxes, scores),
        "receptive": lambda: ReceptiveFieldWidget(digit),
    }


def test_there_is_an_example_of_every_kind():
    from cnnlab.widgets._base import kinds

    assert set(_one_widget_of_each_kind()) == kinds()


@pytest.mark.parametrize("kind", sorted(_one_widget_of_each_kind()))
def test_the_page_reads_only_meta_keys_the_scene_produces(js, kind):
    widget = _one_widget_of_each_kind()[kind]()
    assert widget.kind == kind
    state, arrays = _state_for_page(widget)
    mount = _WATCH_META_JS + _MOUNT_JS
    assert js(mount, {"state": state, "arrays": arrays}) == "true"
    read = set(js(_STEP_THROUGH_JS, widget.meta.get("steps", 0)))
    assert read, "the page read no meta at all: the watch did not see it"
    assert read <= set(widget.meta), f"the page reads meta keys Python never sends: {sorted(read - set(widget.meta))}"


def test_an_unknown_kind_shows_an_error_line_and_no_other_kind(js):
    widget = ConvolutionWidget(RNG.integers(0, 256, size=(6, 7)).astype(np.uint8), "sobel_x")
    state, arrays = _state_for_page(widget)
    state["kind"] = "dilation"
    assert js(_MOUNT_JS, {"state": state, "arrays": arrays}) == "true"
    root = "window.probe.root"
    assert js(f"return {root}.dataset.kind;") == "dilation"
    assert js(f"return {root}.querySelector('canvas');") is None
    error = js(f"return {root}.querySelector('.cnnlab-error').textContent;")
    assert 'kind "dilation"' in error
    js("window.probe.cleanup();")
    assert js("return document.body.querySelector('.cnnlab-widget');") is None
