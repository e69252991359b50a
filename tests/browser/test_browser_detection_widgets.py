"""The IoU and NMS widgets in headless Chromium: the page's IoU against Python's, dragging, stepping.

* ``boxIoU`` of ``widget.js`` equals :func:`cnnlab.detection.iou` exactly on 500 random box pairs
  (disjoint, touching, zero-area and fractional boxes included), loaded as a module from a throw-away
  HTTP server on 127.0.0.1;
* in JupyterLab and in Voilà (servers of :mod:`cnnlab._servers` on 127.0.0.1): dragging box A with the mouse
  changes the IoU the page shows while dragging, and after the button is released the widget shows
  Python's IoU of the boxes it now holds; dragging a corner resizes; the NMS widget steps, plays to
  the end with ``detection.nms``'s boxes kept, and recomputes when the threshold slider moves;
* no console errors, no request leaving loopback; screenshots at 1280x720 and at 150 % zoom go to
  ``tests/artifacts/``.

Skipped without Chromium or Playwright; failed instead under ``CNNLAB_REQUIRE_BROWSER=1`` (the
``chromium`` fixture of conftest.py).
"""

from __future__ import annotations

import _servers as S
import numpy as np
import pytest

from cnnlab import detection

pytestmark = pytest.mark.browser

NOTEBOOK = "detection_widgets.ipynb"
BOX_A, BOX_B = (100, 80, 300, 280), (200, 150, 420, 400)
SETUP = (
    "import numpy as np\n"
    "from cnnlab.widgets import IoUWidget, NMSWidget\n"
    "rng = np.random.default_rng(3)\n"
    "centres = np.array([[170, 60, 350, 280], [20, 250, 160, 420], [330, 380, 480, 500]], float)\n"
    "boxes = np.concatenate([c + rng.integers(-30, 30, (5, 4)) for c in centres])\n"
    "scores = rng.random(len(boxes)).round(3)\n"
    "class FailingIoU(IoUWidget):  # Python fails on every box the page sends, as if out of memory\n"
    "    def _build(self, values):\n"
    "        if values['box_a'] is not None and not isinstance(values['box_a'], tuple):\n"
    "            raise MemoryError\n"
    "        return super()._build(values)\n"
)
WIDGETS = {
    "iou": f"IoUWidget('astronaut', {BOX_A}, {BOX_B})",
    "nms": "NMSWidget('astronaut', boxes, scores, iou_threshold=0.5)",
    "failing": f"FailingIoU('coins', {BOX_A}, {BOX_B})",
}


def _nms_inputs():
    namespace: dict = {}
    exec(SETUP, namespace)  # noqa: S102 - our own constant source, shared with the notebook
    return namespace["boxes"], namespace["scores"]


# --------------------------------------------------------------------------- the module alone


def _random_pairs(n: int) -> list[tuple[list[float], list[float]]]:
    rng = np.random.default_rng(11)
    pairs = []
    for i in range(n):
        kind = i % 5
        a = np.sort(rng.integers(0, 100, (2, 2)), axis=0).T.reshape(-1)[[0, 2, 1, 3]].astype(float)
        b = np.sort(rng.integers(0, 100, (2, 2)), axis=0).T.reshape(-1)[[0, 2, 1, 3]].astype(float)
        if kind == 1:      # fractional coordinates
            a, b = a + rng.random(4).round(3) * [0, 0, 1, 1], b + rng.random(4) * [0, 0, 1, 1]
        elif kind == 2:    # disjoint or touching
            b = b - b[0] + a[2] + rng.integers(0, 2)
        elif kind == 3:    # zero width (a line) or zero area
            a[2] = a[0]
        pairs.append((a.tolist(), b.tolist()))
    return pairs


def test_page_iou_equals_python_on_500_random_pairs(js):
    pairs = _random_pairs(500)
    got = js("return arg.map(([a, b]) => m.boxIoU(a, b));", pairs)
    for (a, b), page in zip(pairs, got):
        inter = max(min(a[2], b[2]) - max(a[0], b[0]), 0) * max(min(a[3], b[3]) - max(a[1], b[1]), 0)
        assert page["iou"] == detection.iou(a, b), (a, b)
        assert page["intersection"] == inter
        assert page["union"] == float(detection.box_area(a)[0] + detection.box_area(b)[0] - inter)
    assert sum(p["iou"] == 0 for p in got) >= 100   # the disjoint and empty cases were exercised
    assert sum(0 < p["iou"] < 1 for p in got) >= 100


def test_page_drag_stays_in_the_photo(js):
    cases = [([10, 10, 50, 50], "move", -100, 7), ([10, 10, 50, 50], "move", 500, 500),
             ([10, 10, 50, 50], "x1y1", -200, -200), ([10, 10, 50, 50], "x0y0", 2.4, 100),
             ([10, 10, 50, 50], "x1y0", 30.6, -30)]
    got = js("return arg.map(([b, how, dx, dy]) => m.dragBox(b, how, dx, dy, 64, 64));", cases)
    for box in got:
        assert 0 <= box[0] < box[2] <= 64 and 0 <= box[1] < box[3] <= 64
        assert all(float(x).is_integer() for x in box)
    assert got[0] == [0, 17, 40, 57] and got[1] == [24, 24, 64, 64]
    assert got[2] == [10, 10, 11, 11] and got[3] == [12, 49, 50, 50] and got[4] == [10, 0, 64, 50]


# --------------------------------------------------------------------------- JupyterLab


@pytest.fixture(scope="module", params=["lab", "voila"])
def lab(request, chromium, tmp_path_factory):
    """``(page, log, server)``: the widgets' notebook open and run in JupyterLab, then in Voilà."""
    base = tmp_path_factory.mktemp("cnnlab-detection-widgets")
    with S.served_widget_notebook(request.param, chromium, base, NOTEBOOK, SETUP, WIDGETS) as served:
        yield served


def _to_page(root, x: float, y: float) -> tuple[float, float]:
    """Page coordinates of the point ``(x, y)`` of the photo (in pixels of the photo as given)."""
    rect = root.locator("canvas.cnnlab-photo").bounding_box()
    width, height = (float(n) for n in root.get_attribute("data-image-size").split(","))
    return rect["x"] + x / width * rect["width"], rect["y"] + y / height * rect["height"]


def _box(root, name: str) -> list[float]:
    return [float(x) for x in root.get_attribute(f"data-box-{name}").split(",")]


def _drag(page, root, start, end, steps: int = 8) -> dict:
    """Drag with the mouse from ``start`` to ``end`` (photo pixels); the state seen mid-drag."""
    acks = int(root.get_attribute("data-acks") or 0)
    page.mouse.move(*_to_page(root, *start))
    page.mouse.down()
    middle = [(s + e) / 2 for s, e in zip(start, end)]
    page.mouse.move(*_to_page(root, *middle), steps=steps)
    seen = {"source": root.get_attribute("data-source"), "iou": root.get_attribute("data-iou"),
            "dragging": root.get_attribute("data-dragging")}
    page.mouse.move(*_to_page(root, *end), steps=steps)
    page.mouse.up()
    page.wait_for_function("([el, n]) => Number(el.dataset.acks || 0) > n && el.dataset.source === 'python'",
                           arg=[root.element_handle(), acks], timeout=15_000)
    return seen


def test_dragging_a_box_changes_the_iou_and_python_agrees(lab, artifacts):
    page, _log, server = lab
    root = S.widget_root(page, "iou")
    root.scroll_into_view_if_needed()
    assert _box(root, "a") == list(map(float, BOX_A)) and _box(root, "b") == list(map(float, BOX_B))
    first = float(root.get_attribute("data-iou"))
    assert first == detection.iou(BOX_A, BOX_B)
    page.screenshot(path=str(artifacts / f"detection-{server.kind}-iou-1280x720-before.png"))

    seen = _drag(page, root, (150, 130), (60, 60))      # inside A only: moves A up and left
    assert seen["source"] == "page" and seen["dragging"] == "a"
    assert float(seen["iou"]) != first, "the IoU shown did not follow the drag"
    moved = _box(root, "a")
    assert moved != list(map(float, BOX_A))
    assert moved[2] - moved[0] == BOX_A[2] - BOX_A[0] and moved[3] - moved[1] == BOX_A[3] - BOX_A[1]
    python_iou = float(root.get_attribute("data-iou"))
    assert python_iou == detection.iou(moved, BOX_B) and python_iou < first
    assert root.locator(".cnnlab-iou-value").inner_text() == f"{python_iou:.3f}"

    seen = _drag(page, root, (420, 400), (330, 330))    # B's bottom-right corner: resizes B
    assert seen["dragging"] == "b"
    resized = _box(root, "b")
    assert resized[:2] == [200.0, 150.0] and resized[2] < 420 and resized[3] < 400
    assert float(root.get_attribute("data-iou")) == detection.iou(_box(root, "a"), resized)
    assert root.locator(".cnnlab-error").is_hidden()
    page.screenshot(path=str(artifacts / f"detection-{server.kind}-iou-1280x720-after.png"))


def test_a_failed_request_reaches_the_error_line_and_keeps_the_last_good_boxes(lab):
    page, _log, _server = lab
    root = page.locator(".cnnlab-widget[data-kind='iou']").nth(1)
    root.scroll_into_view_if_needed()
    assert root.locator(".cnnlab-error").is_hidden()
    before = root.get_attribute("data-iou")
    seen = _drag(page, root, (150, 130), (100, 100))
    assert seen["source"] == "page" and seen["dragging"] == "a"
    error = root.locator(".cnnlab-error")
    assert error.is_visible() and "MemoryError" in error.inner_text()
    assert _box(root, "a") == list(map(float, BOX_A)), "the refused box was not put back"
    assert root.get_attribute("data-iou") == before and root.get_attribute("data-source") == "python"


def test_nms_widget_steps_plays_and_follows_the_threshold(lab, artifacts):
    page, _log, server = lab
    boxes, scores = _nms_inputs()
    root = S.widget_root(page, "nms")
    root.scroll_into_view_if_needed()
    order = np.argsort(-scores, kind="stable").tolist()
    assert root.get_attribute("data-steps") == str(len(boxes))
    assert root.get_attribute("data-current") == str(order[0]) and root.get_attribute("data-kept") == str(order[0])

    root.locator("button.cnnlab-forward").click()
    page.wait_for_function("el => el.dataset.step === '1'", arg=root.element_handle())
    assert root.get_attribute("data-current") == str(order[1])

    S.set_playing(root, True)
    page.wait_for_function("el => el.dataset.playing === 'false'", arg=root.element_handle(), timeout=60_000)
    assert root.get_attribute("data-step") == str(len(boxes) - 1)
    kept = [int(i) for i in root.get_attribute("data-kept").split(",")]
    assert kept == detection.nms(boxes, scores, 0.5).tolist()
    drawn = page.evaluate(S.CANVAS_STATS_JS, root.locator("canvas.cnnlab-boxes").element_handle())
    assert drawn["opaque"] > 0 and drawn["colors"] >= 3
    page.screenshot(path=str(artifacts / f"detection-{server.kind}-nms-1280x720.png"))

    slider = root.locator("input.cnnlab-threshold")
    slider.evaluate("el => { el.value = '0.2'; el.dispatchEvent(new Event('input')); "
                    "el.dispatchEvent(new Event('change')); }")
    page.wait_for_function("el => el.dataset.threshold === '0.2'", arg=root.element_handle(), timeout=15_000)
    root.focus()
    page.keyboard.press("End")
    page.wait_for_function("([el, n]) => el.dataset.step === String(n)", arg=[root.element_handle(), len(boxes) - 1])
    kept = [int(i) for i in root.get_attribute("data-kept").split(",")]
    assert kept == detection.nms(boxes, scores, 0.2).tolist()
    assert root.locator(".cnnlab-error").is_hidden()


#: what must be in view at once on a projector, per widget
PROJECTOR_PARTS = {
    "iou": ["canvas.cnnlab-photo", ".cnnlab-iou-value", ".cnnlab-iou-a", ".cnnlab-iou-b"],
    "nms": ["canvas.cnnlab-photo", "button.cnnlab-play", "button.cnnlab-back", "button.cnnlab-forward",
            "input.cnnlab-scrub", "input.cnnlab-threshold", ".cnnlab-nms-decision"],
}


def test_at_1280x720_and_150_percent_zoom_everything_is_in_view(chromium, lab, artifacts):
    from test_browser_widgets import IN_VIEW_JS, PROJECTOR

    _page, _log, server = lab
    context, log = S.new_guarded_context(chromium, **PROJECTOR)
    try:
        zoomed = S.open_with_panels_closed(context, server, NOTEBOOK, len(WIDGETS))
        for kind, parts in PROJECTOR_PARTS.items():
            root = S.widget_root(zoomed, kind)
            root.evaluate("el => el.scrollIntoView({block: 'start'})")
            zoomed.evaluate(S.TWO_FRAMES_JS)
            seen = root.evaluate(IN_VIEW_JS, parts)
            zoomed.screenshot(path=str(artifacts / f"detection-{server.kind}-{kind}-150pct.png"))
            hidden = [s for s in seen if s[1] != "visible"]
            assert not hidden, f"{kind} widget at 1280x720 and 150 %: not all in view at once: {hidden}"
        assert not log.errors(benign=S.BENIGN_CONSOLE_ERRORS), log.errors()
    finally:
        context.close()
