"""Lesson 08, detection: the area of a box, the IoU of two boxes, the boxes non-maximum suppression keeps."""

from __future__ import annotations

import numpy as np

from ._compare import Mistake, call, call_cases, judge_cases
from ._core import checks_function, correct, wrong
from ._values import as_number, int_tuple, short

__all__ = ["AREA_CASES", "IOU_CASES", "NMS_CASES", "box_area", "box_iou", "check_box_area", "check_box_iou",
           "check_nms_keep", "nms_keep"]

# Boxes are (x_min, y_min, x_max, y_max) with the max corner exclusive: (0, 0, 2, 2) covers 4 pixels.

# ---------------------------------------------------------------- exercise 1: area of a box


def box_area(box):
    """Pixels inside a box ``(x_min, y_min, x_max, y_max)``; 0 for a box with no width or height."""
    x_min, y_min, x_max, y_max = box
    return max(x_max - x_min, 0) * max(y_max - y_min, 0)


AREA_CASES = (((0, 0, 2, 2),), ((10, 20, 40, 30),), ((5, 5, 5, 9),), ((3, 1, 8, 11),), ((7, 7, 4, 9),))

_AREA_MISTAKES = [
    Mistake(lambda b: (b[2] - b[0] + 1) * (b[3] - b[1] + 1), "One pixel too many on each side.",
            "The max corner is exclusive here: (0, 0, 2, 2) covers columns 0 and 1, so its width is 2 - 0."),
    Mistake(lambda b: b[2] * b[3], "You multiplied the corner's coordinates, not the sides.",
            "Width is x_max - x_min, height is y_max - y_min."),
    Mistake(lambda b: (b[2] - b[0]) * (b[3] - b[1]), "A box whose max corner is left of its min corner is empty.",
            "Clip a negative width or height to 0 (max(..., 0)) before multiplying."),
    Mistake(lambda b: 2 * ((b[2] - b[0]) + (b[3] - b[1])), "That is the perimeter.",
            "Area is width times height."),
]


@checks_function(box_area, hint="Width is x_max - x_min and height y_max - y_min; an empty side (negative) "
                                "counts as 0.")
def check_box_area(answer):
    """Lesson 08: ``box_area(box)`` = width x height of ``(x_min, y_min, x_max, y_max)``, 0 when empty."""
    return judge_cases(answer, AREA_CASES, box_area, _AREA_MISTAKES, convert=as_number,
                       expected="a number", praise="Width times height, and an empty box covers nothing: "
                                                   "the IoU needs exactly this for the overlap.")


# ---------------------------------------------------------------- exercise 2: IoU of two boxes


def box_iou(box_a, box_b):
    """Intersection over union of two boxes ``(x_min, y_min, x_max, y_max)``; 0 when both are empty."""
    overlap = (max(box_a[0], box_b[0]), max(box_a[1], box_b[1]), min(box_a[2], box_b[2]), min(box_a[3], box_b[3]))
    shared = box_area(overlap)
    union = box_area(box_a) + box_area(box_b) - shared
    return shared / union if union > 0 else 0.0


IOU_CASES = (((0, 0, 2, 2), (1, 0, 3, 2)), ((0, 0, 10, 10), (0, 0, 10, 10)), ((0, 0, 4, 4), (6, 6, 9, 9)),
             ((0, 0, 10, 10), (2, 2, 6, 6)), ((0, 0, 4, 4), (4, 0, 8, 4)), ((10, 10, 50, 30), (30, 0, 60, 20)))


def _unclipped_overlap(a, b):
    return (min(a[2], b[2]) - max(a[0], b[0])) * (min(a[3], b[3]) - max(a[1], b[1]))


_IOU_MISTAKES = [
    Mistake(lambda a, b: _unclipped_overlap(a, b) / (box_area(a) + box_area(b) - _unclipped_overlap(a, b)),
            "Two boxes far apart give a 'negative' overlap times a negative one: a positive area.",
            "Clip the overlap's width and height at 0 (box_area of the overlap box does that)."),
    Mistake(lambda a, b: box_area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))
            / (box_area(a) + box_area(b)), "You added the two areas for the union.",
            "The overlap is then counted twice: the union is area_a + area_b - overlap."),
    Mistake(lambda a, b: box_area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))
            / box_area(a), "You divided by the first box's area only.",
            "IoU divides by the union of both boxes, so it is the same whichever box comes first."),
    Mistake(lambda a, b: box_area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))
            / box_area((min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))),
            "You divided by the box around both boxes, not by their union.",
            "The box enclosing both also covers empty corners; the union is area_a + area_b - overlap."),
]


@checks_function(box_iou, hint="The overlap is the box (max of the mins, min of the maxes); its area, clipped "
                               "at 0, over area_a + area_b - overlap.")
def check_box_iou(answer):
    """Lesson 08: ``box_iou(box_a, box_b)`` = overlap area / union area of two boxes."""
    got = call_cases(answer, IOU_CASES, as_number, "a number")
    expected = [box_iou(*case) for case in IOU_CASES]
    if np.allclose(got, expected, atol=1e-9):
        return correct("Overlap over union: 1 for the same box, 0 for boxes that do not touch, and the same "
                       "whichever box comes first.")
    for mistake in _IOU_MISTAKES:
        if np.allclose(got, [mistake.make(*case) for case in IOU_CASES], atol=1e-9):
            return wrong(mistake.nudge, mistake.hint)
    case, right, value = next((c, e, g) for c, e, g in zip(IOU_CASES, expected, got) if not np.isclose(e, g))
    return wrong(f"box_iou{case} should be {right:.4g}, yours gives {value:.4g}.")


# ---------------------------------------------------------------- exercise 3: which boxes NMS keeps


def nms_keep(boxes, scores, iou_threshold):
    """Indices of the boxes non-maximum suppression keeps, highest score first."""
    order = list(np.argsort(scores, kind="stable")[::-1])
    keep = []
    while order:
        best = order.pop(0)
        keep.append(int(best))
        order = [i for i in order if box_iou(boxes[best], boxes[i]) <= iou_threshold]
    return keep


_NMS_BOXES = [(0, 0, 10, 10), (1, 1, 11, 11), (20, 20, 30, 30), (21, 20, 31, 30), (0, 0, 10, 10), (2, 0, 12, 10)]
_NMS_SCORES = [0.6, 0.9, 0.8, 0.7, 0.3, 0.5]
NMS_CASES = ((_NMS_BOXES, _NMS_SCORES, 0.5), (_NMS_BOXES, _NMS_SCORES, 0.7), (_NMS_BOXES, _NMS_SCORES, 0.3),
             (_NMS_BOXES[:3], [0.2, 0.1, 0.3], 0.5))


def _keep_all_by_score(boxes, scores, iou_threshold):
    return [int(i) for i in np.argsort(scores, kind="stable")[::-1]]


def _first_pass_only(boxes, scores, iou_threshold):
    best = int(np.argmax(scores))
    return [best] + [int(i) for i in np.argsort(scores, kind="stable")[::-1]
                     if i != best and box_iou(boxes[best], boxes[i]) <= iou_threshold]


def _drop_below(boxes, scores, iou_threshold):
    order = list(np.argsort(scores, kind="stable")[::-1])
    keep = []
    while order:
        best = order.pop(0)
        keep.append(int(best))
        order = [i for i in order if box_iou(boxes[best], boxes[i]) > iou_threshold]
    return keep


_NMS_MISTAKES = [
    Mistake(_keep_all_by_score, "You sorted the boxes but removed none.",
            "After keeping the best box, drop every remaining box that overlaps it by more than iou_threshold."),
    Mistake(lambda b, s, t: sorted(nms_keep(b, s, t)), "The right boxes, in the wrong order.",
            "Return them highest score first, in the order NMS picks them."),
    Mistake(_first_pass_only, "You suppressed around the best box only.",
            "Repeat: the next box kept also removes the boxes that overlap it, until none are left."),
    Mistake(_drop_below, "You removed the boxes that do NOT overlap the kept one.",
            "Keep going with the boxes whose IoU with the kept box is at most iou_threshold."),
]


@checks_function(nms_keep, hint="Take the highest-scoring box left, keep it, throw away every box left whose "
                                "IoU with it is above iou_threshold; repeat until no box is left.")
def check_nms_keep(answer):
    """Lesson 08: ``nms_keep(boxes, scores, iou_threshold)`` = kept indices, highest score first."""
    got = []
    for boxes, scores, threshold in NMS_CASES:
        raw = call(answer, [tuple(b) for b in boxes], np.array(scores), threshold)
        indices = int_tuple(raw, most=10)
        if indices is None:
            return wrong(f"Return a list of box indices, got {short(raw)}.")
        got.append(list(indices))
    expected = [nms_keep(*case) for case in NMS_CASES]
    if got == expected:
        return correct("Best box first, its near-copies gone, then the next: one box per object, exactly what "
                       "detection.nms and tf.image.non_max_suppression return.")
    for mistake in _NMS_MISTAKES:
        if [mistake.make(*case) for case in NMS_CASES] == got:
            return wrong(mistake.nudge, mistake.hint)
    index = next(i for i, (g, e) in enumerate(zip(got, expected)) if g != e)
    return wrong(f"With iou_threshold={NMS_CASES[index][2]} and scores {NMS_CASES[index][1]}, NMS keeps "
                 f"{len(expected[index])} boxes; yours returns {got[index]}.")

