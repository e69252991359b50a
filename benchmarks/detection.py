"""Measure lessons 08 and 09's figures in one run and print them as one table.

Run: ``python benchmarks/detection.py`` (``--seed N`` for another seed). Takes
about four minutes on two CPU cores. Rows:

* the face classifier slid over the astronaut photo window by window with
  ``predict`` against its one-pass (fully convolutional) version: seconds,
  speed-up, largest score difference;
* the face detector (hard negatives mined from face-free photos, threshold,
  grouping): windows firing before and after mining, IoU of its best box with
  MTCNN's box, false positives;
* the tiny single-shot detector on synthetic shapes: AP at IoU 0.5, training seconds;
* the U-Net on 32x32 shapes with and without skip connections: mean foreground
  IoU, training seconds.

Exit status 1 when a budget of docs/architecture.md is missed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CNNLAB_OFFLINE", "1")

import numpy as np

from cnnlab._timing import best_time

TRAIN_BUDGET = 30.0  # seconds of training allowed for the shapes detector and the U-Net


def _timed(func):
    start = time.perf_counter()
    out = func()
    return out, time.perf_counter() - start


def window_loop_vs_one_pass(classifier, one_pass, photo, rows):
    """Append the speed rows; return the largest score difference seen."""
    from cnnlab import detection as det

    small = det.FACE_SCALES[:1]
    per_window, loop_s = _timed(lambda: det.face_scores_by_window(classifier, photo, small, batch_size=1))
    n_small = per_window[0].size
    once_small = best_time(lambda: det.face_scores_one_pass(one_pass, photo, small), 3)
    batched, batched_s = _timed(lambda: det.face_scores_by_window(classifier, photo, det.FACE_SCALES))
    batched_s = min(batched_s, best_time(lambda: det.face_scores_by_window(classifier, photo, det.FACE_SCALES), 2))
    once_all = best_time(lambda: det.face_scores_one_pass(one_pass, photo, det.FACE_SCALES), 3)
    one = det.face_scores_one_pass(one_pass, photo, det.FACE_SCALES)
    n_all = sum(m.size for m in one)
    diff = max(np.abs(a - b).max() for a, b in zip(one[:1], per_window))
    diff = max(diff, max(np.abs(a - b).max() for a, b in zip(one, batched)))
    rows.append((f"predict window by window, scale {small[0]} ({n_small} windows)", f"{loop_s:.2f} s", "", None))
    rows.append(("one pass, same scale", f"{once_small:.3f} s", "speed-up >= 20x",
                 (f"{loop_s / once_small:.0f}x", loop_s / once_small >= 20)))
    rows.append((f"predict on all {n_all} windows batched, {len(det.FACE_SCALES)} scales",
                 f"{batched_s:.2f} s", "", None))
    rows.append(("one pass, same scales", f"{once_all:.3f} s", "", (f"{batched_s / once_all:.1f}x", None)))
    per_window_all = loop_s / n_small * n_all
    rows.append(("  window by window on all of them (from the rate above)", f"~{per_window_all:.0f} s", "",
                 (f"{per_window_all / once_all:.0f}x", None)))
    rows.append(("largest |one pass - window loop| score", f"{diff:.1e}", "<= 1e-5", ("", diff <= 1e-5)))


def faces(seed, rows):
    from cnnlab import detection as det
    from cnnlab import images

    photo = images.load("astronaut")
    (mt_boxes, _mt_scores, _), mt_s = _timed(lambda: det.pretrained_faces(photo))
    naive, naive_s = _timed(lambda: det.build_face_detector(rounds=0, seed=seed, photos=()))
    first, first_s = _timed(lambda: det.build_face_detector(rounds=0, seed=seed))
    final, final_s = _timed(lambda: det.build_face_detector(rounds=2, seed=seed))
    window_loop_vs_one_pass(final.classifier, final.one_pass, photo, rows)

    def firing(model):
        return int(sum((m > 0.5).sum() for m in det.face_scores_one_pass(model.one_pass, photo)))

    rows.append(("MTCNN faces on the astronaut (first call, incl. building)", f"{len(mt_boxes)} ({mt_s:.1f} s)",
                 "", None))
    n_windows = sum(m.size for m in det.face_scores_one_pass(naive.one_pass, photo))
    rows.append((f"astronaut windows (of {n_windows}) scoring > 0.5: naive classifier", str(firing(naive)), "",
                 (f"{naive_s:.0f} s to train", None)))
    rows.append(("  with random face-free windows as negatives too", str(firing(first)), "",
                 (f"{first_s:.0f} s", None)))
    mined = sum(r["mined"] for r in final.rounds[:-1])
    rows.append(("  after mining hard negatives (2 rounds)", str(firing(final)), "",
                 (f"{final_s:.0f} s, {mined} mined", None)))
    boxes, _votes = det.detect_faces(final.one_pass, photo)
    ious = det.iou_matrix(boxes, mt_boxes[:1])[:, 0] if len(mt_boxes) else np.zeros(len(boxes))
    best = float(ious[0]) if len(ious) else 0.0
    false_pos = int((ious < 0.5).sum())
    rows.append(("face detector: IoU of its best box with MTCNN's", f"{best:.2f}", ">= 0.5", ("", best >= 0.5)))
    rows.append(("face detector: false positives (threshold 0.9)", str(false_pos), "<= 2", ("", false_pos <= 2)))


def shapes_detector(seed, rows):
    from cnnlab import datasets
    from cnnlab import detection as det

    train = datasets.make_shapes(3000, size=64, seed=seed + 1)
    test = datasets.make_shapes(300, size=64, seed=seed + 1000)
    model = det.shapes_detector(seed=seed)
    history = det.train_shapes_detector(model, train.images, train.boxes, train.labels, seconds=25.0, seed=seed)
    boxes, scores, classes = det.detect_shapes(model, test.images)
    ap = det.mean_average_precision(boxes, scores, classes, test.boxes, test.labels, 3)
    agnostic = det.average_precision(boxes, scores, test.boxes)
    secs = history["seconds"]
    rows.append(("shapes detector: AP50 on 300 held-out images (mean of 3 classes)", f"{ap:.3f}", ">= 0.9",
                 (f"class-blind {agnostic:.3f}", ap >= 0.9)))
    rows.append(("  its training time", f"{secs:.1f} s", "<= 30 s",
                 (f"{history['epochs']} epochs", secs <= TRAIN_BUDGET)))


def unets(seed, rows):
    from cnnlab import datasets
    from cnnlab import segmentation as seg

    train = datasets.make_shapes(2000, size=32, seed=seed + 1)
    test = datasets.make_shapes(500, size=32, seed=seed + 1000)
    lazy = seg.pixel_accuracy(np.zeros_like(test.label_maps), test.label_maps)
    rows.append(("pixel accuracy of 'background everywhere' (32x32 shapes)", f"{lazy:.1%}", "", None))
    for skips in (True, False):
        model = seg.unet(skips=skips, seed=seed)
        history = seg.train_segmenter(model, train.images, train.label_maps, seconds=25.0, seed=seed)
        pred = seg.predict_label_maps(model, test.images)
        miou = seg.mean_iou(pred, test.label_maps, 4)
        binary = seg.iou(pred > 0, test.label_maps > 0)
        name = "U-Net with skips" if skips else "same net without skips"
        rows.append((f"{name}: mean foreground IoU (3 classes)", f"{miou:.4f}", ">= 0.95" if skips else "",
                     (f"objects vs background {binary:.4f}", miou >= 0.95 if skips else None)))
        rows.append(("  its training time", f"{history['seconds']:.1f} s", "<= 30 s" if skips else "",
                     (f"{history['epochs']} epochs", history["seconds"] <= TRAIN_BUDGET if skips else None)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rows = []
    start = time.perf_counter()
    faces(args.seed, rows)
    shapes_detector(args.seed, rows)
    unets(args.seed, rows)
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  {'measured':>12}  {'budget':>15}  {'note':<28} ok")
    ok_all = True
    for name, value, budget, extra in rows:
        note, ok = extra if extra else ("", None)
        ok_all &= ok is not False
        mark = "" if ok is None else ("yes" if ok else "NO")
        print(f"{name:<{width}}  {value:>12}  {budget:>15}  {note:<28} {mark}")
    print(f"(one run, seed {args.seed}, {time.perf_counter() - start:.0f} s in all)")
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
