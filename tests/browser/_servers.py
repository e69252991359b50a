"""The browser tests' harness: :mod:`cnnlab._servers` (servers, Chromium, the widget notebook) plus
the snippets the tests evaluate in a page to read a widget's canvases.

Nothing here is a test. The servers and the browser live in the package so that the benchmarks can
use them too without reaching into ``tests/``.
"""

from __future__ import annotations

import re
from pathlib import Path

from cnnlab._servers import (  # noqa: F401 - re-exported for the tests
    CHROMIUM,
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

