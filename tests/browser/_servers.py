"""The browser tests' harness: :mod:`cnnlab._servers` (servers, Chromium, the widget notebook) plus
the snippets the tests evaluate in a page to read a widget's canvases.

Nothing here is a test. The servers and the browser live in the package so that the benchmarks can
use them too without reaching into ``tests/``.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

from cnnlab._servers import (  # noqa: F401 - re-exported for the tests
    CHROMIUM,
    KERNEL_IDLE_JS,
    SAMPLE_FRAMES_JS,
    TWO_FRAMES_JS,
    WIDGET_SETUP,
    WIDGETS,
    JupyterProcess,
    PageLog,
    browser_unavailable_reason,
    build_widget,
    guard_context,
    is_loopback,
    launch_chromium,
    measure_fps,
    new_guarded_context,
    open_notebook,
    set_playing,
    widget_root,
    write_widget_notebook,
)

REPO = Path(__file__).resolve().parents[2]
#: The widget notebook's file name in the servers' folder.
NOTEBOOK = "widgets.ipynb"

#: Console errors that are not ours and are understood; each would be matched narrowly. None today:
#: Voilà's "lab" page linked Font Awesome from a CDN, which an offline page reports as an error; the
#: servers now use cnnlab's Voilà template (cnnlab/share/jupyter/voila/templates/cnnlab), which makes
#: no such request. Kept as a name so that a future upstream error is added here, with its reason.
BENIGN_CONSOLE_ERRORS: tuple = ()

#: Requests the pages may try that we abort on purpose: none. Anything leaving loopback fails the tests.
EXPECTED_BLOCKED = re.compile(r"(?!)")  # matches nothing


#: Distinct colours and opaque pixels of a canvas (sampled on a grid of at most ~20,000 pixels).
CANVAS_STATS_JS = """(canvas) => {
    const w = canvas.width, h = canvas.height;
    if (!w || !h) return {width: w, height: h, colors: 0, opaque: 0, samples: 0};
    const data = canvas.getContext('2d').getImageData(0, 0, w, h).data;
    const stride = Math.max(1, Math.floor((w * h) / 20000));
    const seen = new Set();
    let opaque = 0, samples = 0;
    for (let i = 0; i < w * h; i += stride) {
        const o = 4 * i;
        samples++;
        if (data[o + 3] > 0) { opaque++; seen.add((data[o] << 16) | (data[o + 1] << 8) | data[o + 2]); }
    }
    return {width: w, height: h, colors: seen.size, opaque, samples};
}"""

#: RGBA of canvas pixels [[x, y], ...] of the widget's output canvas.
OUTPUT_PIXELS_JS = """(root, points) => {
    const canvas = root.querySelector('canvas.cnnlab-output');
    const ctx = canvas.getContext('2d');
    return points.map(([x, y]) => Array.from(ctx.getImageData(x, y, 1, 1).data));
}"""

#: A cheap fingerprint of the whole output canvas (to see that it changed).
OUTPUT_FINGERPRINT_JS = """(root) => {
    const canvas = root.querySelector('canvas.cnnlab-output');
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let hash = 2166136261;
    for (let i = 0; i < data.length; i++) { hash ^= data[i]; hash = Math.imul(hash, 16777619); }
    return `${canvas.width}x${canvas.height}:${hash >>> 0}`;
}"""

#: Set the scrub slider as a person dragging it would (input + change events).
SCRUB_JS = """(root, value) => {
    const slider = root.querySelector('input[type=range].cnnlab-scrub');
    slider.value = String(value);
    slider.dispatchEvent(new Event('input', {bubbles: true}));
    slider.dispatchEvent(new Event('change', {bubbles: true}));
}"""


@contextmanager
def served_widget_notebook(kind: str, chromium, base: Path, notebook: str, setup: str, widgets):
    """A notebook of ``widgets`` written under ``base``, served by ``kind`` ("lab" or "voila") and run
    in a 1280x720 page of ``chromium``. Yields ``(page, log, server)``; on leaving, checks that the
    page logged no unexpected error and asked nothing outside the machine, then stops the server."""
    write_widget_notebook(base / "nb" / notebook, setup, widgets)
    server = JupyterProcess(kind, base / "nb", base / kind).start()
    context = None
    try:
        context, log = new_guarded_context(chromium, viewport={"width": 1280, "height": 720})
        page = context.new_page()
        page.set_default_timeout(30_000)
        try:
            open_notebook(page, server, notebook, expect_widgets=len(widgets))
        except Exception as exc:
            raise RuntimeError(f"the notebook did not render: {exc}\nconsole: {log.errors()}\n"
                               f"server log:\n{server.log_tail()}") from exc
        yield page, log, server
        assert not log.errors(benign=BENIGN_CONSOLE_ERRORS), log.errors()
        assert not [u for u in log.blocked if not EXPECTED_BLOCKED.match(u)], log.blocked
    finally:
        if context is not None:
            context.close()
        server.stop()


def open_with_panels_closed(context, server, notebook: str, expect_widgets: int):
    """A new page of ``context`` with ``notebook`` opened and run on ``server``; in JupyterLab the
    side panels are closed, as a presenter closes them. Returns the page."""
    page = context.new_page()
    page.set_default_timeout(30_000)
    open_notebook(page, server, notebook, expect_widgets=expect_widgets)
    if server.kind == "lab":
        page.evaluate("() => { window.jupyterapp.shell.collapseLeft(); window.jupyterapp.shell.collapseRight(); }")
    return page
