"""DrawWidget in JupyterLab: strokes drawn with the mouse are read as the digits they are, quickly.

A notebook with one ``DrawWidget()`` (the shipped digits model) is opened in its own JupyterLab on
127.0.0.1; Playwright draws on the pad with ``page.mouse`` as a person would, and the page's own
clock measures the time from the end of a stroke (pointerup) to the bars showing the new guesses.
"""

from __future__ import annotations

import math
import statistics

import _servers as S
import pytest

pytestmark = pytest.mark.browser

NOTEBOOK = "draw.ipynb"
#: a "1": one vertical line, in pad CSS pixels (the pad is 280x280)
ONE = [(140, 45 + 190 * i / 24) for i in range(25)]
#: a "0": an ellipse
ZERO = [(140 + 62 * math.sin(2 * math.pi * i / 48), 140 - 92 * math.cos(2 * math.pi * i / 48)) for i in range(49)]


@pytest.fixture(scope="module")
def lab(chromium, tmp_path_factory, artifacts):
    base = tmp_path_factory.mktemp("cnnlab-draw")
    S.write_widget_notebook(base / "nb" / NOTEBOOK, setup="from cnnlab.widgets import DrawWidget\n",
                            widgets={"draw": "DrawWidget()"})
    server = S.JupyterProcess("lab", base / "nb", base / "lab").start()
    context = None
    try:
        context, log = S.new_guarded_context(chromium)
        page = context.new_page()
        page.set_default_timeout(30_000)
        try:
            S.open_notebook(page, server, NOTEBOOK, expect_widgets=1)
        except Exception:
            page.screenshot(path=str(artifacts / "draw-failed-to-open.png"), full_page=True)
            raise
        yield page, log
    finally:
        if context is not None:
            context.close()
        server.stop()


def _root(page):
    return page.locator(".cnnlab-widget[data-kind='draw']").first


#: the pad's network has loaded (the first pad of a kernel loads it in the background)
LOADED_JS = "el => el.dataset.loading === 'false'"


def _stroke(page, points, wait_loaded: bool = True) -> tuple[str, float, float]:
    """Draw ``points`` on the pad with the mouse (first waiting for the network to load, unless
    ``wait_loaded`` is false); return the best guess, the page's latency from the stroke's end to the
    bars updated, and the part of it Python took (ms)."""
    root = _root(page)
    if wait_loaded:
        page.wait_for_function(LOADED_JS, arg=root.element_handle(), timeout=60_000)
    readings = int(root.get_attribute("data-readings"))
    box = root.locator("canvas.cnnlab-pad").bounding_box()
    sx, sy = box["width"] / 280, box["height"] / 280
    page.mouse.move(box["x"] + points[0][0] * sx, box["y"] + points[0][1] * sy)
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x * sx, box["y"] + y * sy, steps=2)
    page.mouse.up()
    page.wait_for_function("([el, n]) => Number(el.dataset.readings) > n", arg=[root.element_handle(), readings],
                           timeout=20_000, polling="raf")
    best = root.locator(".cnnlab-bar.cnnlab-best").get_attribute("data-digit")
    print(f"stroke: read {best}, {root.get_attribute('data-latency-ms')} ms = page "
          f"{root.get_attribute('data-send-ms')} ms + Python {root.get_attribute('data-python-ms')} ms + the rest")
    return best, float(root.get_attribute("data-latency-ms")), float(root.get_attribute("data-python-ms"))


def _clear(page) -> None:
    root = _root(page)
    root.locator("button.cnnlab-clear").click()
    page.wait_for_function("el => !el.querySelector('.cnnlab-bar')", arg=root.element_handle(), timeout=20_000)


def _canvas_max(page, cls: str) -> int:
    return page.evaluate("([el, cls]) => { const c = el.querySelector('canvas.' + cls);"
                         "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                         "let m = 0; for (let i = 0; i < d.length; i += 4) m = Math.max(m, d[i]); return m; }",
                         [_root(page).element_handle(), cls])


def test_a_stroke_drawn_while_the_network_loads_is_read_when_it_is_ready(lab, artifacts):
    """The notebook's kernel is fresh, so its first pad shows before TensorFlow has loaded (seconds)."""
    page, log = lab
    root = _root(page)
    assert root.get_attribute("data-loading") == "true", "the network had loaded before the test could draw"
    stats = root.locator(".cnnlab-stats")
    assert stats.inner_text().startswith("loading the network"), stats.inner_text()
    root.screenshot(path=str(artifacts / "draw-loading.png"))
    best, _ms, _python_ms = _stroke(page, ONE, wait_loaded=False)
    assert best == "1", f"a 1 drawn while the network loaded was read as {best}"
    assert root.get_attribute("data-loading") == "false"
    assert stats.inner_text().startswith("read "), stats.inner_text()
    assert not root.locator("figure:has(canvas.cnnlab-maps)").is_hidden()
    assert "conv1" in root.locator("figure:has(canvas.cnnlab-maps) figcaption").inner_text()
    _clear(page)
    assert not log.errors(), log.errors()


def test_strokes_of_a_one_and_a_zero_are_read_quickly_and_clear_empties(lab, artifacts):
    page, log = lab
    latencies, python = [], []
    for name, points, digit in [("one", ONE, "1"), ("zero", ZERO, "0")] * 3:
        best, ms, python_ms = _stroke(page, points)
        python.append(python_ms)
        assert best == digit, f"a drawn {name} was read as {best}"
        latencies.append(ms)
        root = _root(page)
        assert len(root.locator(".cnnlab-bar").all()) == 3
        assert _canvas_max(page, "cnnlab-digit") == 255            # the 28x28 digit it read is drawn
        assert not root.locator("figure:has(canvas.cnnlab-maps)").is_hidden()
        if len(latencies) <= 2:
            root.screenshot(path=str(artifacts / f"draw-{name}.png"))
        _clear(page)
        assert _canvas_max(page, "cnnlab-pad") == 0 and _canvas_max(page, "cnnlab-digit") == 0
    median = statistics.median(latencies)
    print(f"\nDrawWidget stroke-to-prediction latency in Chromium (JupyterLab), ms: "
          f"{', '.join(f'{ms:.0f}' for ms in latencies)}; median {median:.0f} (Python's part: "
          f"{', '.join(f'{ms:.0f}' for ms in python)})")
    assert median < 100, latencies
    assert not log.errors(), log.errors()
    assert not log.blocked or all(S.EXPECTED_BLOCKED.match(u) for u in log.blocked), log.blocked
