"""Measure the widgets against DESIGN.md's budgets: build time, bytes sent, frame rate.

Run: ``python benchmarks/widgets.py`` (``--repeats N`` timed runs, ``--browser`` to add the frame rate).

* building a ``ConvolutionWidget`` on the 512x512 RGB astronaut: under 50 ms (best of N runs,
  photo decoding, downscaling, ``ops.conv2d`` and serializing the state included);
* bytes of the widget's state (JSON + binary buffers, the widget code left out) against the raw
  uint8/float32 arrays it carries: under 1.5x;
* frames per second of the animation in headless Chromium: at least 30. That row comes from a
  ``measure_fps()`` function: one defined in this module wins, otherwise the one in
  ``benchmarks/browser_fps.py``. It runs only with ``--browser``; without it the row says
  "not measured" rather than guessing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _timing import best_time  # benchmarks/ is on sys.path when run as a script

BUILD_BUDGET_S = 0.050
BYTES_BUDGET = 1.5
FPS_BUDGET = 30.0


def build_rows(repeats: int) -> list[tuple[str, float]]:
    """Build times of a ConvolutionWidget on the astronaut, by name and from an array in memory."""
    from cnnlab import images
    from cnnlab.widgets import ConvolutionWidget

    photo = images.load("astronaut")
    assert photo.shape == (512, 512, 3)
    by_name = best_time(lambda: ConvolutionWidget("astronaut", "sobel_x"), repeats)
    from_array = best_time(lambda: ConvolutionWidget(photo, "sobel_x"), repeats)
    return [("build ConvolutionWidget('astronaut')", by_name), ("build from a 512x512x3 array", from_array)]


def raw_nbytes(widget) -> int:
    """Bytes of the arrays a widget carries, as raw uint8 / float32."""
    from cnnlab.widgets._serialize import wire_array

    names = ("input_data", "output_data", "kernel_data", "parts_data")
    return sum(wire_array(getattr(widget, n)).nbytes for n in names if getattr(widget, n, None) is not None)


def bytes_rows() -> list[tuple[str, int, int]]:
    """``(what, bytes sent, raw bytes)`` for the widgets on real photos."""
    from cnnlab.widgets import ActivationWidget, ConvolutionWidget, PoolingWidget
    from cnnlab.widgets._serialize import payload_nbytes

    conv = ConvolutionWidget("astronaut", "sobel_x")
    rows = []
    camera = ConvolutionWidget("camera", "gaussian", padding="same")
    for what, widget in (("ConvolutionWidget astronaut", conv), ("ConvolutionWidget camera, same", camera),
                         ("PoolingWidget coins", PoolingWidget("coins")),
                         ("ActivationWidget of the conv", ActivationWidget(conv))):
        json_bytes, buffer_bytes = payload_nbytes(widget)
        rows.append((what, json_bytes + buffer_bytes, raw_nbytes(widget)))
    return rows


def find_measure_fps():
    """The ``measure_fps`` to use: this module's if defined, else ``benchmarks/browser_fps.py``'s."""
    here = globals().get("measure_fps")
    if callable(here):
        return here
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        from browser_fps import measure_fps as theirs
    except ImportError:
        return None
    return theirs


def fps_row(browser: bool) -> tuple[str, str]:
    """``(value, ok)`` texts for the frame-rate row."""
    if not browser:
        return "not measured (run with --browser)", "-"
    measure = find_measure_fps()
    if measure is None:
        return "not measured (no measure_fps() available)", "-"
    try:
        result = measure()
    except RuntimeError as exc:
        return f"not measured ({exc})", "-"
    fps = result["fps"] if isinstance(result, dict) else float(result)
    return f"{fps:.1f} fps", "yes" if fps >= FPS_BUDGET else "NO"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--browser", action="store_true", help="also measure the frame rate in Chromium")
    args = parser.parse_args(argv)

    ok_all = True
    print(f"{'what':<40} {'measured':>26} {'budget':>10}  ok")
    for what, seconds in build_rows(args.repeats):
        ok = seconds < BUILD_BUDGET_S
        ok_all &= ok
        budget = f"{BUILD_BUDGET_S * 1e3:.0f} ms"
        print(f"{what:<40} {seconds * 1e3:>23.1f} ms {budget:>10}  {'yes' if ok else 'NO'}")
    for what, sent, raw in bytes_rows():
        ratio = sent / raw
        ok = ratio < BYTES_BUDGET
        ok_all &= ok
        print(f"{what + ' bytes':<40} {f'{sent:,} / {raw:,} = {ratio:.3f}x':>26} {BYTES_BUDGET:>9.1f}x  "
              f"{'yes' if ok else 'NO'}")
    value, ok = fps_row(args.browser)
    ok_all &= ok != "NO"
    print(f"{'animation frame rate (Chromium)':<40} {value:>26} {FPS_BUDGET:>6.0f} fps  {ok}")
    from cnnlab.widgets._base import _STATIC

    code = sum(len(p.read_bytes()) for p in _STATIC.iterdir() if p.suffix in (".js", ".css"))
    print(f"(the widget code, {code:,} bytes of JS and CSS, is sent once per widget and not counted above)")
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
