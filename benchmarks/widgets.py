"""Measure the widgets against the budgets of docs/architecture.md: build time, bytes sent, frame rate.

Run: ``python benchmarks/widgets.py`` (``--repeats N`` timed runs, ``--browser`` to add the frame rate).

* building a ``ConvolutionWidget`` on the 512x512 RGB astronaut: under 50 ms (best of N runs,
  photo decoding, downscaling, ``ops.conv2d`` and serializing the state included); the same
  budget for the ``IoUWidget`` and the ``NMSWidget`` on that photo and for a ``DrawWidget``
  with the shipped digits model (loaded once before timing: that is TensorFlow's start, not the widget's);
* bytes of the widget's state (JSON + binary buffers, the widget code left out) against the raw
  uint8/float32 arrays it carries: under 1.5x;
* frames per second of the animation in headless Chromium: at least 30. That row comes from a
  ``measure_fps()`` function: one defined in this module wins, otherwise the one in
  ``benchmarks/browser_fps.py``. It runs only with ``--browser``; without it the row says
  "not measured" rather than guessing.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cnnlab._timing import best_time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")   # the DrawWidget rows start TensorFlow: no start-up chatter

BUILD_BUDGET_S = 0.050
BYTES_BUDGET = 1.5
FPS_BUDGET = 30.0


def nms_boxes() -> tuple:
    """12 overlapping boxes around the astronaut's face and 4 elsewhere, with scores (fixed, no randomness)."""
    import numpy as np

    face = [(170 + dx, 80 + dy, 290 + dx, 220 + dy) for dx in (-12, 0, 12) for dy in (-10, 0, 10, 20)]
    others = [(20, 300, 140, 420), (30, 310, 150, 430), (360, 340, 480, 470), (350, 20, 470, 140)]
    boxes = np.array(face + others, dtype=np.float64)
    scores = np.linspace(0.95, 0.40, len(boxes))
    return boxes, scores


def build_rows(repeats: int) -> list[tuple[str, float]]:
    """Build times of the widgets: a ConvolutionWidget on the astronaut, by name and from an array in
    memory; the IoU, NMS and morphology widgets on the astronaut; a DrawWidget with the shipped digits model."""
    from cnnlab import images, training
    from cnnlab.widgets import ConvolutionWidget, DrawWidget, IoUWidget, MorphologyWidget, NMSWidget

    photo = images.load("astronaut")
    assert photo.shape == (512, 512, 3)
    boxes, scores = nms_boxes()
    by_name = best_time(lambda: ConvolutionWidget("astronaut", "sobel_x"), repeats)
    from_array = best_time(lambda: ConvolutionWidget(photo, "sobel_x"), repeats)
    iou = best_time(lambda: IoUWidget("astronaut"), repeats)
    nms = best_time(lambda: NMSWidget("astronaut", boxes, scores), repeats)
    morphology = best_time(lambda: MorphologyWidget("astronaut", max_size=64), repeats)
    model = training.load_digits_model()   # TensorFlow starts here, once: not the widget's time
    draw = best_time(lambda: DrawWidget(model), repeats)
    return [("build ConvolutionWidget('astronaut')", by_name), ("build from a 512x512x3 array", from_array),
            ("build IoUWidget('astronaut')", iou), (f"build NMSWidget astronaut, {len(boxes)} boxes", nms),
            ("build MorphologyWidget('astronaut')", morphology), ("build DrawWidget(shipped model)", draw)]


def raw_nbytes(widget) -> int:
    """Bytes of the arrays a widget carries (every synced ``*_data`` trait), as raw uint8 / float32."""
    from cnnlab.widgets._serialize import wire_array

    names = [n for n in widget.trait_names(sync=lambda tag: tag) if n.endswith("_data")]
    return sum(wire_array(getattr(widget, n)).nbytes for n in names if getattr(widget, n, None) is not None)


def bytes_rows() -> list[tuple[str, int, int]]:
    """``(what, bytes sent, raw bytes)`` for the widgets on real photos."""
    import numpy as np

    from cnnlab.widgets import (
        ActivationWidget,
        ConvolutionWidget,
        DrawWidget,
        IoUWidget,
        MorphologyWidget,
        NMSWidget,
        PoolingWidget,
    )
    from cnnlab.widgets._serialize import payload_nbytes

    conv = ConvolutionWidget("astronaut", "sobel_x")
    rows = []
    camera = ConvolutionWidget("camera", "gaussian", padding="same")
    draw = DrawWidget()
    one = np.zeros((140, 140), np.uint8)                      # a drawn "1": one white stroke on black
    one[15:125, 62:78] = 255
    draw.predict(one)                                          # the state after a stroke: digit and maps
    for what, widget in (("ConvolutionWidget astronaut", conv), ("ConvolutionWidget camera, same", camera),
                         ("PoolingWidget coins", PoolingWidget("coins")),
                         ("MorphologyWidget coins", MorphologyWidget("coins")),
                         ("ActivationWidget of the conv", ActivationWidget(conv)),
                         ("IoUWidget astronaut", IoUWidget("astronaut")),
                         ("NMSWidget astronaut", NMSWidget("astronaut", *nms_boxes())),
                         ("DrawWidget after one drawing", draw)):
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
    print("(the budgets are docs/architecture.md's for the ConvolutionWidget, applied to every widget)")
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
    from cnnlab.widgets import _front

    code = len(_front.module_text().encode("utf-8")) + len(_front.CSS.read_bytes())
    print(f"(the widget code, {code:,} bytes of JS and CSS, is sent once per widget and not counted above)")
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
