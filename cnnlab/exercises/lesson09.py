"""Lesson 09, segmentation: IoU and Dice of two masks, the output size of a transposed convolution."""

from __future__ import annotations

import numpy as np

from ._compare import Mistake, call, judge_cases
from ._core import checks_function, correct, wrong
from ._values import as_int, as_number, short

__all__ = ["TRANSPOSED_CASES", "check_dice_score", "check_mask_iou", "check_transposed_size", "dice_score",
           "mask_iou", "transposed_size"]

# ---------------------------------------------------------------- the masks both overlap exercises use


def _mask_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    """(pred, true) pairs of boolean masks: partial overlap, equal, disjoint, nested; both empty last."""
    square = np.zeros((6, 6), bool)
    square[1:4, 1:4] = True
    shifted = np.zeros((6, 6), bool)
    shifted[2:5, 2:6] = True
    corner = np.zeros((6, 6), bool)
    corner[5, 0] = True
    inner = np.zeros((6, 6), bool)
    inner[2:3, 2:4] = True
    empty = np.zeros((6, 6), bool)
    return [(square, shifted), (shifted, square), (square, square.copy()), (square, corner), (inner, square),
            (empty, empty.copy())]


_EMPTY_HINT = ("When both masks are empty the union is 0 and 0 / 0 is undefined. Check for that case first and "
               "return 1.0: two empty masks agree perfectly.")


def _count(mask) -> int:
    return int(np.count_nonzero(mask))


def _judge_overlap(answer, reference, mistakes: list[Mistake], praise: str):
    """The verdict on an overlap score of two masks: the non-empty cases first, then two empty masks."""
    cases = _mask_cases()
    got = []
    for pred, true in cases:
        raw = call(answer, pred.copy(), true.copy(), advice=[("division by zero", _EMPTY_HINT)])
        value = as_number(raw)
        if value is None:
            return wrong(f"Return one number (a score between 0 and 1), got {short(raw)}.")
        got.append(value)
    *full, empty = got
    if not np.allclose(full, [reference(*case) for case in cases[:-1]], atol=1e-9, equal_nan=False):
        for mistake in mistakes:
            candidates = [mistake.make(*case) for case in cases[:-1]]
            if np.allclose(full, candidates, atol=1e-9):
                return wrong(mistake.nudge, mistake.hint)
        index = next(i for i, (g, case) in enumerate(zip(full, cases)) if not np.isclose(g, reference(*case)))
        pred, true = cases[index]
        return wrong(f"For a prediction of {_count(pred)} pixels and a true mask of {_count(true)} pixels, "
                     f"{_count(pred & true)} of them shared, the score should be {reference(pred, true):.4g}, "
                     f"yours gives {full[index]:.4g}.")
    if empty != 1.0:
        return wrong(f"Two empty masks gave {empty:g}: the network found nothing where there is nothing, a "
                     "perfect answer.", _EMPTY_HINT)
    return correct(praise)


# ---------------------------------------------------------------- exercise 1: IoU


def mask_iou(pred, true):
    """Intersection over union of two boolean masks; two empty masks score 1.0."""
    union = np.count_nonzero(pred | true)
    if union == 0:
        return 1.0
    return np.count_nonzero(pred & true) / union


_IOU_MISTAKES = [
    Mistake(lambda p, t: _count(p & t) / _count(p), "You divided by the predicted pixels only.",
            "That is the share of the prediction that is right (precision). IoU divides by the union: pixels "
            "in either mask."),
    Mistake(lambda p, t: _count(p & t) / _count(t), "You divided by the true pixels only.",
            "That is the share of the object that was found (recall). IoU divides by the union: pixels in "
            "either mask."),
    Mistake(lambda p, t: _count(p & t) / (_count(p) + _count(t)), "You added the two areas for the union.",
            "The shared pixels are then counted twice: the union is pred | true, or |pred| + |true| - shared."),
    Mistake(lambda p, t: 2 * _count(p & t) / (_count(p) + _count(t)), "That is the Dice score, not the IoU.",
            "IoU is shared pixels over the union (pred | true)."),
    Mistake(lambda p, t: float(np.mean(p == t)), "That is the share of pixels where the masks agree.",
            "Background pixels count there too, so it flatters: IoU looks only at object pixels, shared over "
            "the union."),
]


@checks_function(mask_iou, hint="Count the pixels in both masks (pred & true) and the pixels in either one "
                                "(pred | true), and divide. If the union is empty, return 1.0.")
def check_mask_iou(answer):
    """Lesson 09: ``mask_iou(pred, true)`` = ``|pred & true| / |pred | true|``, 1.0 for two empty masks."""
    return _judge_overlap(answer, mask_iou, _IOU_MISTAKES,
                          "Shared pixels over the pixels of either mask: 1 for a perfect outline, 0 for a miss, "
                          "and the background does not count.")


# ---------------------------------------------------------------- exercise 2: Dice


def dice_score(pred, true):
    """Dice coefficient of two boolean masks; two empty masks score 1.0."""
    total = np.count_nonzero(pred) + np.count_nonzero(true)
    if total == 0:
        return 1.0
    return 2 * np.count_nonzero(pred & true) / total


_DICE_MISTAKES = [
    Mistake(lambda p, t: _count(p & t) / (_count(p) + _count(t)), "You forgot the factor 2.",
            "Without it two equal masks would score only 0.5."),
    Mistake(lambda p, t: _count(p & t) / _count(p | t), "That is the IoU, not the Dice score.",
            "Dice divides twice the shared pixels by the two areas added up."),
    Mistake(lambda p, t: 2 * _count(p & t) / _count(p | t), "You divided by the union.",
            "Dice divides by the two areas added up, |pred| + |true|, so that equal masks score exactly 1."),
]


@checks_function(dice_score, hint="Twice the shared pixels (pred & true), divided by the pixels of the "
                                  "prediction plus the pixels of the truth. Both empty: return 1.0.")
def check_dice_score(answer):
    """Lesson 09: ``dice_score(pred, true)`` = ``2 |pred & true| / (|pred| + |true|)``, 1.0 for two empty masks."""
    return _judge_overlap(answer, dice_score, _DICE_MISTAKES,
                          "Dice is never below the IoU (dice = 2 iou / (1 + iou)): quote which one you use.")


# ---------------------------------------------------------------- exercise 3: transposed output size


def transposed_size(n, k, stride):
    """Output length of a transposed convolution, no padding, kernel ``k`` at least ``stride``."""
    return (n - 1) * stride + k


TRANSPOSED_CASES = ((2, 3, 2), (4, 2, 2), (3, 3, 1), (8, 4, 2), (5, 3, 3), (1, 5, 2), (16, 2, 2))

_TRANSPOSED_MISTAKES = [
    Mistake(lambda n, k, s: (n - k) // s + 1, "That is the size of an ordinary convolution: it shrinks.",
            "A transposed convolution grows the map: every input pixel stamps a whole kernel onto the output."),
    Mistake(lambda n, k, s: n * s, "That is the size with 'same' padding, which crops the border.",
            "With no padding, nothing is cropped: the last stamp still hangs k pixels wide past its start."),
    Mistake(lambda n, k, s: n * s + k, "One stride too many.",
            "The first stamp starts at 0 and the last at (n - 1) * stride."),
    Mistake(lambda n, k, s: n * k, "That would be right only if the stamps never overlapped (stride = k).",
            "Stamps start stride pixels apart, and each is k wide."),
]


@checks_function(transposed_size, hint="The stamp of input pixel i starts at i * stride. Where does the last "
                                       "stamp start, and how far does it reach?")
def check_transposed_size(answer):
    """Lesson 09: ``transposed_size(n, k, stride)`` = ``(n - 1) * stride + k``, no padding."""
    return judge_cases(answer, TRANSPOSED_CASES, transposed_size, _TRANSPOSED_MISTAKES, convert=as_int,
                       expected="a whole number",
                       praise="The last stamp starts at (n - 1) * stride and is k wide. With stride 2, a "
                              "2 x 2 kernel exactly doubles a map: that is the U-Net's up step.")
