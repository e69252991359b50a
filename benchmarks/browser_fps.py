"""Measure how smoothly a widget animates in headless Chromium under JupyterLab (or Voilà).

Run: ``python benchmarks/browser_fps.py [--seconds 2] [--server lab|voila] [--widget convolution|pooling|...]``
(any kind of the test notebook, ``cnnlab._servers.WIDGETS``).
Starts a private JupyterLab on 127.0.0.1 (isolated HOME and Jupyter dirs in a temporary folder), opens
a notebook with the widgets in Debian's ``/usr/bin/chromium`` through Playwright (requests off the
machine are aborted), presses play and counts the frames the widget draws (``data-frames``) over the
given wall time. Prints one row against the budget of docs/architecture.md (at least 30 frames per second) and how many
messages the page sent to the kernel meanwhile (the design allows no round-trip per frame).

The servers, the browser and the notebook come from :mod:`cnnlab._servers`, the same helpers the
browser tests use.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from cnnlab import _servers as S

FPS_BUDGET = 30.0
NOTEBOOK = "widgets.ipynb"


def measure_fps(seconds: float = 2.0, server: str = "lab", widget: str = "convolution") -> dict:
    """Frames per second of ``widget`` animating in Chromium under ``server`` ("lab" or "voila").

    Returns ``{"server", "widget", "fps", "frames", "elapsed", "steps", "kernel_messages",
    "open_seconds", "budget", "ok"}``. Raises ``RuntimeError`` when Chromium or Playwright is missing.
    """
    if not 0.2 <= seconds <= 15:
        raise ValueError(f"seconds must be between 0.2 and 15 (the animation lasts 20 s), got {seconds}")
    if server not in ("lab", "voila"):
        raise ValueError(f"server must be 'lab' or 'voila', got {server!r}")
    if widget not in S.WIDGETS:
        raise ValueError(f"widget must be one of {', '.join(S.WIDGETS)}, got {widget!r}")
    reason = S.browser_unavailable_reason()
    if reason:
        raise RuntimeError(reason)
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("CNNLAB_OFFLINE", "1")
    with tempfile.TemporaryDirectory(prefix="cnnlab-fps-") as tmp:
        base = Path(tmp)
        S.write_widget_notebook(base / "nb" / NOTEBOOK)
        with S.JupyterProcess(server, base / "nb", base / server) as jupyter, sync_playwright() as playwright:
            browser = S.launch_chromium(playwright, home=base / "chromium-home")
            try:
                context, log = S.new_guarded_context(browser)
                page = context.new_page()
                start = time.monotonic()
                S.open_notebook(page, jupyter, NOTEBOOK, expect_widgets=len(S.WIDGETS))
                open_seconds = time.monotonic() - start
                result = S.measure_fps(page, widget, seconds, log)
                context.close()
            finally:
                browser.close()
    return {"server": server, "widget": widget, "fps": result["fps"], "frames": result["frames"],
            "elapsed": result["elapsed"], "steps": result["step_to"] - result["step_from"],
            "kernel_messages": result["kernel_messages"], "open_seconds": open_seconds,
            "budget": FPS_BUDGET, "ok": result["fps"] >= FPS_BUDGET}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="wall time to count frames over")
    parser.add_argument("--server", choices=["lab", "voila"], default="lab")
    parser.add_argument("--widget", choices=list(S.WIDGETS), default="convolution")
    args = parser.parse_args(argv)
    try:
        r = measure_fps(args.seconds, args.server, args.widget)
    except RuntimeError as exc:
        print(f"cannot measure: {exc}", file=sys.stderr)
        return 2
    name = f"{r['widget']} in {'JupyterLab' if r['server'] == 'lab' else 'Voila'}"
    print(f"{'what':<28} {'fps':>6} {'budget':>7}  ok   frames  seconds  steps  kernel msgs")
    ok = "yes" if r["ok"] else "NO"
    print(f"{name:<28} {r['fps']:>6.1f} {r['budget']:>7.0f}  {ok:<3}  {r['frames']:>6}"
          f"  {r['elapsed']:>7.2f}  {r['steps']:>5}  {r['kernel_messages']:>11}")
    print(f"(server start and notebook render took {r['open_seconds']:.1f} s)")
    return 0 if r["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
