"""The cnnlab widgets in a real browser: headless Chromium against JupyterLab and Voilà on 127.0.0.1.

Every test runs twice, once per server (``app`` is parametrized in conftest.py). The widget notebook
is opened once per server; tests share that page and leave every widget paused.
"""

from __future__ import annotations

import time

import _servers as S
import pytest

from cnnlab import _colors
from cnnlab.widgets._text import fmt

pytestmark = pytest.mark.browser

ALL = list(S.WIDGETS)
ANIMATED = ["convolution", "pooling"]
MIN_FPS = 30.0
FPS_SECONDS = 1.5
TOLERANCE = 2  # per RGB channel


@pytest.fixture(scope="session")
def expected():
    """``expected(kind, **params)``: the same widget as the notebook's, built here (cached)."""
    cache: dict = {}

    def get(kind: str, **params):
        key = (kind, tuple(sorted(params.items())))
        if key not in cache:
            widget = S.build_widget(kind)
            if params:
                widget.set(**params)
            cache[key] = widget
        return cache[key]

    return get


# --------------------------------------------------------------------------- helpers


def wait_step(root, step: int, timeout_ms: float = 10_000) -> None:
    root.page.wait_for_function("([el, s]) => el.dataset.step === String(s)",
                                arg=[root.element_handle(), step], timeout=timeout_ms)
    root.page.evaluate(S.TWO_FRAMES_JS)


def scrub_to(root, step: int) -> None:
    root.evaluate(S.SCRUB_JS, step)
    wait_step(root, step)


def wait_until(page, predicate, what: str, timeout_s: float = 20.0):
    """Poll ``predicate()`` (letting the page run) until it is truthy; fail naming ``what``."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}")
        page.wait_for_timeout(50)


def drawn_values(widget):
    """The values the output canvas shows, flat: step ``s`` is entry ``s`` (row-major cells).

    That is the shown channel (``shown_output``) for maps with channels, else ``output``.
    """
    values = getattr(widget, "shown_output", None)
    return (widget.output if values is None else values).reshape(-1)


def check_pixels(root, widget, current: int, samples: int = 40) -> int:
    """Compare output-canvas pixels with ``_colors.to_rgb`` of the widget's values; returns cells checked.

    Cells at or before ``current`` must have the value's colour, later ones ``PENDING_RGB``; the pixel
    looked at is the centre of the cell (``data-scale`` canvas pixels per cell).
    """
    canvas = root.locator("canvas.cnnlab-output")
    scale = int(canvas.get_attribute("data-scale"))
    vmin, vmax = float(canvas.get_attribute("data-vmin")), float(canvas.get_attribute("data-vmax"))
    assert (vmin, vmax) == pytest.approx((widget.meta["vmin"], widget.meta["vmax"]), rel=1e-6), \
        "the browser's colour limits differ from Python's"
    rows, cols = widget.grid
    size = canvas.evaluate("c => [c.width, c.height]")
    assert size == [cols * scale, rows * scale], \
        f"output canvas is {size}, expected {cols}x{rows} cells of {scale}px"
    values = drawn_values(widget)
    steps = sorted({0, current, max(current - 1, 0), min(current + 1, widget.steps - 1), widget.steps - 1,
                    *(round(i * (widget.steps - 1) / (samples - 1)) for i in range(samples))})
    points, wanted = [], []
    for step in steps:
        r, c = widget.position(step)
        assert (r, c) == divmod(step, cols)
        points.append([c * scale + scale // 2, r * scale + scale // 2])
        wanted.append(_colors.to_rgb(values[step], vmin, vmax) if step <= current else _colors.PENDING_RGB)
    got = root.evaluate(S.OUTPUT_PIXELS_JS, points)
    bad = [(step, tuple(px[:3]), want) for step, px, want in zip(steps, got, wanted)
           if px[3] != 255 or max(abs(a - b) for a, b in zip(px[:3], want)) > TOLERANCE]
    assert not bad, f"cells whose pixel differs from the computed value's colour (step, got, want): {bad[:8]}"
    return len(steps)


def vmax(canvas) -> float:
    return float(canvas.get_attribute("data-vmax"))


def fingerprint(root) -> str:
    return root.evaluate(S.OUTPUT_FINGERPRINT_JS)


def shot(root, artifacts, name: str) -> None:
    root.scroll_into_view_if_needed()
    root.screenshot(path=str(artifacts / f"{name}.png"), animations="allow")


# --------------------------------------------------------------------------- tests


def test_notebook_shows_every_widget(widgets, expected, artifacts):
    app = widgets
    print(f"\n{app.kind}: server up and widget notebook rendered in {app.open_seconds:.1f} s")
    for kind in ALL:
        root = app.root(kind)
        assert root.count() == 1, f"no .cnnlab-widget[data-kind={kind}] in {app.kind}"
        assert root.get_attribute("data-ready") == "true"
        assert int(root.get_attribute("data-steps")) == expected(kind).steps
        assert root.get_attribute("data-playing") == "false"
    app.page.screenshot(path=str(artifacts / f"browser-{app.kind}-page.png"), full_page=True)


@pytest.mark.parametrize("kind", ALL)
def test_canvases_draw(widgets, kind, artifacts):
    root = widgets.root(kind)
    assert root.get_attribute("data-ready") == "true"
    scrub_to(root, int(root.get_attribute("data-steps")) // 2)  # half the output drawn, half pending
    for name in ("input", "output"):
        stats = root.locator(f"canvas.cnnlab-{name}").evaluate(S.CANVAS_STATS_JS)
        assert stats["width"] > 0 and stats["height"] > 0, f"{kind} {name} canvas has no size: {stats}"
        assert stats["opaque"] == stats["samples"], f"{kind} {name} canvas has undrawn pixels: {stats}"
        assert stats["colors"] >= 2, f"{kind} {name} canvas is one flat colour: {stats}"
    if kind == "convolution":  # the photo itself
        assert root.locator("canvas.cnnlab-input").evaluate(S.CANVAS_STATS_JS)["colors"] > 100
    shot(root, artifacts, f"browser-{widgets.kind}-{kind}")


@pytest.mark.parametrize("kind", ANIMATED)
def test_animation_runs_at_30_fps_without_kernel_round_trips(widgets, kind, expected, artifacts):
    root = widgets.root(kind)
    scrub_to(root, 0)
    result = S.measure_fps(widgets.page, kind, FPS_SECONDS, widgets.log)
    shot(root, artifacts, f"browser-{widgets.kind}-{kind}-midway")  # paused part-way: drawn and pending cells
    speed = expected(kind).speed
    print(f"\n{widgets.kind} {kind}: {result['fps']:.1f} frames/s over {result['elapsed']:.2f} s, "
          f"steps {result['step_from']} -> {result['step_to']} at speed {speed:g}/s, "
          f"{result['kernel_messages']} messages to the kernel while playing")
    assert result["playing"] == "true", "the animation stopped during the measurement"
    assert result["fps"] >= MIN_FPS, f"{kind} animates at {result['fps']:.1f} frames/s in {widgets.kind}"
    advanced = result["step_to"] - result["step_from"]
    assert advanced >= 0.5 * speed * result["elapsed"], f"only {advanced} steps in {result['elapsed']:.2f} s"
    sent = result["kernel_messages"]
    assert sent <= 2, f"{sent} messages went to the kernel while animating"


@pytest.mark.parametrize("kind", ALL)
def test_pixels_match_computed_output(widgets, kind, expected):
    widget = expected(kind)
    rows, cols = widget.grid
    root = widgets.root(kind)
    current = (rows // 2) * cols + cols // 3
    scrub_to(root, current)
    checked = check_pixels(root, widget, current)
    value = drawn_values(widget)[current]
    assert fmt(value) in root.locator(".cnnlab-sum").inner_text(), "the written-out sum lacks the value"
    assert checked >= 40


@pytest.mark.parametrize("kind", ALL)
def test_step_and_scrub_move_to_the_asked_step(widgets, kind, expected):
    steps = expected(kind).steps
    root = widgets.root(kind)
    scrub_to(root, 10)
    root.locator("button.cnnlab-forward").click()
    wait_step(root, 11)
    for _ in range(3):
        root.locator("button.cnnlab-back").click()
    wait_step(root, 8)
    assert root.locator("input.cnnlab-scrub").input_value() == "8"
    scrub_to(root, steps - 1)
    root.locator("button.cnnlab-forward").click()   # at the end: stays
    wait_step(root, steps - 1)
    scrub_to(root, 0)
    root.locator("button.cnnlab-back").click()      # at the start: stays
    wait_step(root, 0)
    scrub_to(root, steps // 3)
    assert f"step {steps // 3 + 1} of {steps}" in root.inner_text()


def test_kernel_dropdown_recomputes_and_bad_kernel_shows_error(widgets, expected, artifacts):
    root = widgets.root("convolution")
    canvas = root.locator("canvas.cnnlab-output")
    last = expected("convolution").steps - 1
    scrub_to(root, last)
    before = fingerprint(root)

    # A kernel from the dropdown: Python recomputes, the canvas shows the new map.
    blurred = expected("convolution", kernel="box_blur")
    root.locator("select.cnnlab-kernel").select_option("box_blur")
    wait_until(root.page, lambda: (vmax(canvas) == pytest.approx(blurred.meta["vmax"])
                                   and fingerprint(root) != before), "the box_blur output on the canvas")
    wait_step(root, int(root.get_attribute("data-step")))
    check_pixels(root, blurred, int(root.get_attribute("data-step")))
    assert root.locator(".cnnlab-error").is_hidden()
    good = fingerprint(root)

    # A kernel typed wrong: the error is shown, the last good map stays drawn and the animation still runs.
    root.locator("input.cnnlab-kernel-text").fill("1 2; 3")
    root.locator("button.cnnlab-apply").click()
    error = root.locator(".cnnlab-error")
    error.wait_for(state="visible")
    text = error.inner_text().strip()
    assert "kernel" in text, f"the error does not name the kernel: {text!r}"
    assert fingerprint(root) == good
    shot(root, artifacts, f"browser-{widgets.kind}-convolution-bad-kernel")
    scrub_to(root, 0)
    S.set_playing(root, True)
    frames = root.evaluate(S.SAMPLE_FRAMES_JS, 0.3)
    S.set_playing(root, False)
    assert frames["frames"] > 0 and frames["step_to"] > frames["step_from"], f"stopped drawing: {frames}"
    assert root.locator("canvas.cnnlab-output").evaluate(S.CANVAS_STATS_JS)["colors"] >= 2

    # Back to the notebook's kernel: the error goes away.
    original = expected("convolution")
    root.locator("select.cnnlab-kernel").select_option("sobel_x")
    wait_until(root.page, lambda: vmax(canvas) == pytest.approx(original.meta["vmax"]), "sobel_x again")
    error.wait_for(state="hidden")
    scrub_to(root, last)
    check_pixels(root, original, last)


def test_pooling_mode_dropdown_recomputes(widgets, expected):
    root = widgets.root("pooling")
    current = expected("pooling").steps - 1
    scrub_to(root, current)
    before = fingerprint(root)
    root.locator("select.cnnlab-mode").select_option("avg")
    wait_until(root.page, lambda: fingerprint(root) != before, "the average-pooled map on the canvas")
    check_pixels(root, expected("pooling", mode="avg"), int(root.get_attribute("data-step")))
    root.locator("select.cnnlab-mode").select_option("max")
    wait_until(root.page, lambda: fingerprint(root) == before, "the max-pooled map again")


def test_activation_dropdown_scales_the_input_of_sigmoid_and_says_so(widgets, expected, artifacts):
    root = widgets.root("activation")
    current = expected("activation").steps // 2
    scrub_to(root, current)
    before = fingerprint(root)
    sigmoid = expected("activation", activation="sigmoid")
    assert sigmoid.input_scale == pytest.approx(1 / 255)
    root.locator("select.cnnlab-activation").select_option("sigmoid")
    wait_until(root.page, lambda: fingerprint(root) != before, "the sigmoid map on the canvas")
    wait_step(root, current)
    check_pixels(root, sigmoid, current)
    text = root.inner_text()
    assert "input scaled by 1/255" in text and "\u00d7 1/255 =" in text, text
    colours = root.locator("canvas.cnnlab-output").evaluate(S.CANVAS_STATS_JS)["colors"]
    assert colours > 40, f"the sigmoid map has only {colours} colours: saturated?"
    shot(root, artifacts, f"browser-{widgets.kind}-activation-sigmoid")
    root.locator("select.cnnlab-activation").select_option("relu")
    wait_until(root.page, lambda: fingerprint(root) == before, "the ReLU map again")


KEYS_JS = """(root) => {
    const fig = root.querySelector('canvas.cnnlab-output').closest('figure');
    const swatch = fig.querySelector('.cnnlab-pending-swatch');
    const notes = Array.from(root.querySelectorAll('.cnnlab-legend-note')).filter((n) => n.offsetParent !== null);
    const panel = fig.getBoundingClientRect();
    return {pending: fig.querySelector('.cnnlab-pending-key').innerText, hidden: fig.querySelector('.cnnlab-pending-key').hidden,
            swatch: swatch && getComputedStyle(swatch).backgroundColor,
            notes: notes.map((n) => n.innerText), widest: Math.max(0, ...notes.map((n) => n.getBoundingClientRect().width)),
            panel: panel.width};
}"""


@pytest.mark.parametrize("kind", ALL)
def test_keys_name_the_pending_cells_and_say_why_a_scale_is_clipped(widgets, kind, expected):
    root = widgets.root(kind)
    keys = root.evaluate(KEYS_JS)
    assert not keys["hidden"] and keys["pending"] == "not computed yet", keys
    assert keys["swatch"] == "rgb({}, {}, {})".format(*_colors.PENDING_RGB), keys
    meta = expected(kind).meta
    wanted = [note for note in (meta.get("clip_note"), meta.get("in_clip_note")) if note]
    assert sorted(keys["notes"]) == sorted(wanted), keys
    if kind in ("convolution", "pooling"):   # robust limits on a real feature map: clipped, and said so
        assert wanted and "clipped" in wanted[0]
    if kind != "flatten":   # (the flatten widget's maps key sits under its input picture)
        assert keys["widest"] <= keys["panel"] + 1, f"the note is wider than the picture above it: {keys}"


def test_full_resolution_button_shows_the_map_of_the_whole_photo(widgets, expected, artifacts):
    root = widgets.root("convolution")
    widget = expected("convolution")
    full = widget.full_resolution()        # the same numbers the page's kernel computes
    button = root.locator("button.cnnlab-full-button")
    started = time.monotonic()
    button.click()
    figure = root.locator("figure.cnnlab-full")
    figure.wait_for(state="visible")
    size = root.locator("img.cnnlab-full-map").evaluate(
        "img => img.decode().then(() => [img.naturalWidth, img.naturalHeight])")
    seconds = time.monotonic() - started
    print(f"\n{widgets.kind}: full-resolution map {size[0]}x{size[1]} shown {seconds:.2f} s after the click")
    assert size == [full.shape[1], full.shape[0]]
    caption = figure.locator("figcaption").inner_text()
    assert f"{full.shape[0]}\u00d7{full.shape[1]} map" in caption, caption
    assert button.is_enabled() and root.locator(".cnnlab-error").is_hidden()
    points = [[0, 0], [full.shape[0] // 2, full.shape[1] // 3], [full.shape[0] - 1, full.shape[1] - 1]]
    got = root.locator("img.cnnlab-full-map").evaluate(
        "(img, points) => { const c = document.createElement('canvas'); c.width = img.naturalWidth;"
        " c.height = img.naturalHeight; const x = c.getContext('2d'); x.drawImage(img, 0, 0);"
        " return points.map(([r, q]) => Array.from(x.getImageData(q, r, 1, 1).data).slice(0, 3)); }", points)
    info = widget.full_info
    assert got == [list(_colors.to_rgb(full[r, c], info["vmin"], info["vmax"])) for r, c in points]
    figure.scroll_into_view_if_needed()
    root.screenshot(path=str(artifacts / f"browser-{widgets.kind}-convolution-full-resolution.png"),
                    animations="allow")


def test_no_console_errors_and_nothing_left_loopback(app):
    """Over the whole session of this server (the per-test check only sees each test's window)."""
    assert not app.errors(), "\n".join(app.errors())
    assert not app.unexpected_blocked(), app.unexpected_blocked()
    print(f"\n{app.kind}: {len(app.log.console)} console messages, "
          f"{sum(1 for k, _, _ in app.log.console if k == 'warning')} warnings, "
          f"blocked on purpose: {sorted(set(app.log.blocked))}")


#: The part of each widget the viewport shows, in CSS px squared: {kind: area}.
VISIBLE_AREAS_JS = """() => Object.fromEntries([...document.querySelectorAll('.cnnlab-widget[data-kind]')].map((el) => {
    const r = el.getBoundingClientRect();
    const w = Math.min(r.right, window.innerWidth) - Math.max(r.left, 0);
    const h = Math.min(r.bottom, window.innerHeight) - Math.max(r.top, 0);
    return [el.dataset.kind, w > 0 && h > 0 ? w * h : 0];
}))"""


def wait_playing(root, playing: bool) -> None:
    root.page.wait_for_function("([el, want]) => el.dataset.playing === want",
                                arg=[root.element_handle(), "true" if playing else "false"], timeout=10_000)


def test_presenter_keys_reach_the_widget_in_view_when_nothing_has_focus(widgets):
    """A clicker sends PageDown / PageUp (and a keyboard space and arrows) to a page where nothing has focus."""
    page = widgets.page
    root = widgets.root("convolution")
    scrub_to(root, 0)
    root.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.evaluate(S.TWO_FRAMES_JS)
    page.evaluate("() => { if (document.activeElement) document.activeElement.blur(); }")
    assert page.evaluate("() => document.activeElement === document.body"), "something still has focus"
    areas = page.evaluate(VISIBLE_AREAS_JS)
    assert max(areas, key=areas.get) == "convolution", f"the convolution widget is not the most in view: {areas}"
    others = {kind: widgets.root(kind).get_attribute("data-step") for kind in ALL if kind != "convolution"}

    for key, step in [("ArrowRight", 1), ("PageDown", 2), ("PageDown", 3), ("PageUp", 2), ("ArrowLeft", 1)]:
        page.keyboard.press(key)
        wait_step(root, step)
    page.keyboard.press("Space")
    wait_playing(root, True)
    wait_until(page, lambda: int(root.get_attribute("data-step")) > 3, "the animation to advance")
    page.keyboard.press("Space")
    wait_playing(root, False)
    paused_at = int(root.get_attribute("data-step"))
    page.wait_for_timeout(300)
    assert int(root.get_attribute("data-step")) == paused_at, "space did not pause the animation"
    page.keyboard.press("End")
    wait_step(root, int(root.get_attribute("data-steps")) - 1)
    page.keyboard.press("Home")
    wait_step(root, 0)
    assert page.evaluate("() => document.activeElement === document.body")
    assert {kind: widgets.root(kind).get_attribute("data-step") for kind in others} == others, \
        "a key moved a widget that was not the one in view"

    # a focused widget takes the keys itself and shows a ring; a text box keeps its keys
    root.focus()
    page.keyboard.press("PageDown")
    wait_step(root, 1)
    ring = root.evaluate("el => [getComputedStyle(el).outlineStyle, parseFloat(getComputedStyle(el).outlineWidth)]")
    assert ring[0] == "solid" and ring[1] >= 2, f"no visible focus ring on the focused widget: {ring}"
    root.locator("input.cnnlab-kernel-text").focus()
    page.keyboard.press("PageDown")
    page.keyboard.press("Space")
    page.wait_for_timeout(200)
    assert root.get_attribute("data-step") == "1" and root.get_attribute("data-playing") == "false"
    page.evaluate("() => document.activeElement.blur()")


# --------------------------------------------------------------------------- a projector


#: 1280x720 pixels at 150 % zoom: 853x480 CSS px drawn at 1.5 device pixels each.
PROJECTOR = {"viewport": {"width": 853, "height": 480}, "device_scale_factor": 1.5}

#: For each element: is it on screen and on top at its centre and near its four corners?
#: (``elementFromPoint`` sees what covers it and what a scroller clips; overlays ignore the pointer.)
IN_VIEW_JS = """(root, selectors) => selectors.map((selector) => {
    const el = root.querySelector(selector);
    if (!el) return [selector, 'missing'];
    const r = el.getBoundingClientRect();
    const inset = Math.min(3, r.width / 4, r.height / 4);
    const points = [[r.left + r.width / 2, r.top + r.height / 2], [r.left + inset, r.top + inset],
                    [r.right - inset, r.top + inset], [r.left + inset, r.bottom - inset],
                    [r.right - inset, r.bottom - inset]];
    const hidden = points.filter(([x, y]) => {
        const hit = document.elementFromPoint(x, y);
        return !hit || !(hit === el || el.contains(hit));
    });
    return [selector, hidden.length ? `covered or off screen at ${JSON.stringify(hidden.map((p) => p.map(Math.round)))}`
                                    : 'visible', [r.left, r.top, r.width, r.height].map(Math.round)];
})"""

PROJECTOR_PARTS = ("canvas.cnnlab-input", "canvas.cnnlab-output", "button.cnnlab-play", "button.cnnlab-back",
                   "button.cnnlab-forward", "input.cnnlab-scrub")


@pytest.fixture
def projector(app):
    """The widget notebook again, in a page the size of a 1280x720 projector at 150 % zoom; in
    JupyterLab with the side bar collapsed. (In JupyterLab it runs in the same kernel.)"""
    context, log = S.new_guarded_context(app.context.browser, **PROJECTOR)
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        S.open_notebook(page, app.server, S.NOTEBOOK, expect_widgets=len(S.WIDGETS))
        if app.kind == "lab":
            page.evaluate("() => { window.jupyterapp.shell.collapseLeft(); window.jupyterapp.shell.collapseRight(); }")
        page.evaluate(S.TWO_FRAMES_JS)
        yield page
        assert not log.errors(0, S.BENIGN_CONSOLE_ERRORS), log.errors(0, S.BENIGN_CONSOLE_ERRORS)
        assert not [u for u in log.blocked if not S.EXPECTED_BLOCKED.match(u)], log.blocked
    finally:
        context.close()


@pytest.mark.parametrize("kind", ALL)
def test_projector_shows_input_output_and_controls_at_once(app, projector, kind, artifacts):
    root = S.widget_root(projector, kind)
    root.evaluate("el => el.scrollIntoView({block: 'start'})")
    projector.evaluate(S.TWO_FRAMES_JS)
    parts = [*PROJECTOR_PARTS, *(["button.cnnlab-full-button"] if kind == "convolution" else [])]
    seen = root.evaluate(IN_VIEW_JS, parts)
    projector.screenshot(path=str(artifacts / f"projector-{app.kind}-{kind}.png"))
    hidden = [s for s in seen if s[1] != "visible"]
    assert not hidden, f"{app.kind}, {kind} widget at 1280x720 and 150 %: not all in view at once: {hidden}"
