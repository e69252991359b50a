"""ReceptiveFieldWidget in headless Chromium, in JupyterLab and in Voilà (servers on 127.0.0.1).

* the widget draws its four panels (digit, conv1, pool1, conv2) with the middle conv2 cell selected;
* a mouse click on a conv2 cell selects that cell in Python, and every panel outlines the block
  :func:`cnnlab.ops.geometry.receptive_field` computes; the digit's pixels inside the patch keep
  their colour and those outside are faded exactly as Python's ``dimmed`` fades them;
* the arrow keys move the cell, the channel menu changes the conv2 map and the caption;
* at 1280x720 and 150 % zoom the four panels, the caption and the menu are in view at once;
* no console errors, no request leaving loopback. Screenshots go to ``tests/artifacts/``.
"""

from __future__ import annotations

import _servers as S
import numpy as np
import pytest

from cnnlab import datasets
from cnnlab.ops.geometry import receptive_field
from cnnlab.widgets.scenes.receptive import dimmed

pytestmark = pytest.mark.browser

NOTEBOOK = "receptive_widget.ipynb"
SETUP = (
    "from cnnlab import datasets\n"
    "from cnnlab.widgets import ReceptiveFieldWidget\n"
    "(_, _), (x_test, _) = datasets.load_mnist('offline')\n"
)
WIDGETS = {"receptive": "ReceptiveFieldWidget(x_test[0], channel=0)"}
#: conv1, pool1 and conv2 of the shipped digits model
LAYERS = [(3, 1, "same"), (2, 2, "valid"), (3, 1, "valid")]
PANELS = ["input", "conv1", "pool1", "conv2"]

#: RGBA at the centres of cells [[row, col], ...] of a panel canvas (``data-scale`` pixels per cell)
CELL_PIXELS_JS = """(canvas, cells) => {
    const s = Number(canvas.dataset.scale);
    const ctx = canvas.getContext('2d');
    return cells.map(([r, c]) => Array.from(ctx.getImageData(c * s + Math.floor(s / 2),
                                                              r * s + Math.floor(s / 2), 1, 1).data));
}"""


@pytest.fixture(scope="module")
def digit():
    (_, _), (x_test, _) = datasets.load_mnist("offline")
    return x_test[0]


@pytest.fixture(scope="module", params=["lab", "voila"])
def served(request, chromium, tmp_path_factory):
    """``(page, log, server)``: the widget's notebook open and run in JupyterLab, then in Voilà."""
    base = tmp_path_factory.mktemp("cnnlab-receptive")
    with S.served_widget_notebook(request.param, chromium, base, NOTEBOOK, SETUP, WIDGETS) as served:
        yield served


def _canvas(root, name: str):
    return root.locator(f"canvas.cnnlab-rf-panel[data-name='{name}']")


def _spans_on_page(root) -> list[tuple[int, int, int, int]]:
    return [tuple(int(n) for n in _canvas(root, name).get_attribute("data-span").split(",")) for name in PANELS]


def _expected(row: int, col: int) -> list[tuple[int, int, int, int]]:
    return [(*s.rows, *s.cols) for s in receptive_field(LAYERS, row, col, (28, 28))]


def _wait_for_cell(page, root, row: int, col: int) -> None:
    page.wait_for_function("([el, cell]) => el.dataset.cell === cell", arg=[root.element_handle(), f"{row},{col}"],
                           timeout=15_000)
    page.evaluate(S.TWO_FRAMES_JS)


def test_clicking_a_conv2_cell_outlines_the_blocks_python_computes(served, digit, artifacts):
    page, _log, server = served
    root = S.widget_root(page, "receptive")
    root.scroll_into_view_if_needed()
    assert root.get_attribute("data-cell") == "6,6"
    assert _spans_on_page(root) == _expected(6, 6)
    for name in PANELS:
        stats = _canvas(root, name).evaluate(S.CANVAS_STATS_JS)
        assert stats["opaque"] == stats["samples"] and stats["colors"] >= 2, (name, stats)

    target = _canvas(root, "conv2")
    box = target.bounding_box()
    row, col = 2, 9
    page.mouse.click(box["x"] + (col + 0.5) * box["width"] / 12, box["y"] + (row + 0.5) * box["height"] / 12)
    _wait_for_cell(page, root, row, col)
    assert _spans_on_page(root) == _expected(row, col)
    top, bottom, left, right = _expected(row, col)[0]
    assert root.get_attribute("data-patch") == f"{top},{bottom},{left},{right}"
    caption = root.locator(".cnnlab-rf-caption").inner_text()
    assert f"sees {bottom - top}x{right - left} pixels of the input: rows {top}-{bottom - 1}, " \
           f"cols {left}-{right - 1}" in caption

    # the digit's pixels: unchanged inside the patch, faded as Python fades them outside
    inside = [(r, c) for r in range(top, bottom) for c in range(left, right)]
    outside = [(r, c) for r in range(28) for c in range(0, 28, 3) if not (top <= r < bottom and left <= c < right)]
    got = _canvas(root, "input").evaluate(CELL_PIXELS_JS, inside + outside)
    gray = np.repeat(digit[..., None], 3, axis=-1)
    # the outline covers the border cells of the patch: compare the cells strictly inside it
    for (r, c), rgba in zip(inside, got[:len(inside)]):
        if top < r < bottom - 1 and left < c < right - 1:
            assert rgba[:3] == gray[r, c].tolist(), (r, c)
    for (r, c), rgba in zip(outside, got[len(inside):]):
        assert rgba[:3] == dimmed(gray[r, c]).tolist(), (r, c)
    assert root.locator(".cnnlab-error").is_hidden()
    page.screenshot(path=str(artifacts / f"receptive-{server.kind}-1280x720.png"))


def test_arrow_keys_and_the_channel_menu(served):
    page, _log, _server = served
    root = S.widget_root(page, "receptive")
    root.scroll_into_view_if_needed()
    _canvas(root, "conv2").click(position={"x": 3, "y": 3})
    _wait_for_cell(page, root, 0, 0)
    assert _spans_on_page(root) == _expected(0, 0)
    assert "(8x8 with the padding beyond the edge)" in root.locator(".cnnlab-rf-caption").inner_text()
    root.focus()
    page.keyboard.press("ArrowDown")
    _wait_for_cell(page, root, 1, 0)
    page.keyboard.press("ArrowRight")
    _wait_for_cell(page, root, 1, 1)
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")              # the second one would leave the map: nothing happens
    _wait_for_cell(page, root, 0, 1)
    assert _spans_on_page(root) == _expected(0, 1)

    before = _canvas(root, "conv2").evaluate(S.CANVAS_STATS_JS)
    root.locator("select.cnnlab-rf-channel").select_option("7")
    page.wait_for_function("el => el.querySelector('.cnnlab-rf-caption').textContent.includes('(channel 7)')",
                           arg=root.element_handle(), timeout=15_000)
    assert "ch 7" in root.locator("figcaption").nth(3).inner_text()
    after = _canvas(root, "conv2").evaluate(S.CANVAS_STATS_JS)
    assert after["colors"] >= 2 and after != before
    assert root.get_attribute("data-cell") == "0,1" and root.locator(".cnnlab-error").is_hidden()


PROJECTOR_PARTS = [*(f"canvas.cnnlab-rf-panel[data-name='{name}']" for name in PANELS), ".cnnlab-rf-caption",
                   "select.cnnlab-rf-channel"]


def test_at_1280x720_and_150_percent_zoom_everything_is_in_view(chromium, served, artifacts):
    from test_browser_widgets import IN_VIEW_JS, PROJECTOR

    _page, _log, server = served
    context, log = S.new_guarded_context(chromium, **PROJECTOR)
    try:
        zoomed = S.open_with_panels_closed(context, server, NOTEBOOK, len(WIDGETS))
        root = S.widget_root(zoomed, "receptive")
        root.evaluate("el => el.scrollIntoView({block: 'start'})")
        zoomed.evaluate(S.TWO_FRAMES_JS)
        seen = root.evaluate(IN_VIEW_JS, PROJECTOR_PARTS)
        zoomed.screenshot(path=str(artifacts / f"receptive-{server.kind}-150pct.png"))
        hidden = [s for s in seen if s[1] != "visible"]
        assert not hidden, f"receptive widget at 1280x720 and 150 %: not all in view at once: {hidden}"
        assert not log.errors(benign=S.BENIGN_CONSOLE_ERRORS), log.errors()
    finally:
        context.close()
