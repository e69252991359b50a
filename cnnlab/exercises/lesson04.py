"""Lesson 04, pooling: the pooled shape, max pooling and average pooling with loops."""

from __future__ import annotations

import numpy as np

from .. import ops
from ._compare import Mistake, call, call_cases, compare_array, compare_cases
from ._core import checks_function, correct, wrong
from ._values import int_tuple, window_text

__all__ = ["POOLED_SHAPE_CASES", "check_avg_pool", "check_max_pool", "check_pooled_shape", "my_avg_pool",
           "my_max_pool", "pooled_shape"]

# ---------------------------------------------------------------- exercise 1: the pooled shape


def pooled_shape(shape, size=2, stride=None):
    """Shape (H', W', C) of an (H, W, C) stack after pooling (no padding)."""
    h, w, c = shape
    if stride is None:
        stride = size
    return ((h - size) // stride + 1, (w - size) // stride + 1, c)


POOLED_SHAPE_CASES = (((26, 26, 32), 2, None), ((27, 27, 8), 2, None), ((13, 13, 4), 3, 2),
                      ((10, 12, 3), 3, 1), ((7, 9, 1), 2, None))


def _steps(n, size, stride, rounding=np.floor):
    """Whole stride-sized steps after the first window, rounded with ``rounding``."""
    return int(rounding((n - size) / (size if stride is None else stride)))


_POOLED_MISTAKES = [
    Mistake(lambda sh, k, s: (_steps(sh[0], k, s, np.ceil) + 1, _steps(sh[1], k, s, np.ceil) + 1, sh[2]),
            "You rounded up: 27 rows give 13 windows of 2, not 14.",
            "With 'valid' pooling a window that would stick out of the map is dropped: round down."),
    Mistake(lambda sh, k, s: (sh[0] // k, sh[1] // k, sh[2]),
            "You divided by the window size, which works only when stride = size.",
            "Count the stride-sized steps that fit after the first window."),
    Mistake(lambda sh, k, s: (_steps(sh[0], k, s), _steps(sh[1], k, s), sh[2]),
            "One too small: the first window is not counted.", "Add 1 for the first window."),
    Mistake(lambda sh, k, s: (_steps(sh[1], k, s) + 1, _steps(sh[0], k, s) + 1, sh[2]),
            "Height and width are swapped.", "The shape is (H, W, C): rows first."),
]


def _three_ints(value):
    shape = int_tuple(value)
    return shape if shape is not None and len(shape) == 3 else None


@checks_function(pooled_shape, hint="Pooling is a convolution-sized count: along each of H and W, the first "
                                    "window plus the whole stride-sized steps that fit after it (round "
                                    "down). The channels are pooled one by one, so C stays.")
def check_pooled_shape(answer):
    """Lesson 04: ``pooled_shape(shape, size, stride)`` of an (H, W, C) stack; ``stride=None`` is ``size``."""
    got = call_cases(answer, POOLED_SHAPE_CASES, _three_ints, "3 whole numbers (H, W, C)", advice=[
        ("nonetype", "When stride is None, pooling uses stride = size."),
    ])
    for case, shape in zip(POOLED_SHAPE_CASES, got):
        channels = case[0][2]
        if shape[2] != channels:
            return wrong(f"The channels must not change: pooled_shape{case} gives {shape[2]} channels, but "
                         f"pooling works on each of the {channels} maps separately.")
    verdict = compare_cases(got, POOLED_SHAPE_CASES, pooled_shape, _POOLED_MISTAKES)
    return verdict or correct("Height and width shrink by the stride; the number of channels stays: every "
                              "map is pooled on its own.")


# ---------------------------------------------------------------- exercise 2: max pooling with loops


def my_max_pool(x):
    """2 x 2 max pooling with stride 2 of a 2-D map; a leftover row or column is dropped."""
    out_h, out_w = x.shape[0] // 2, x.shape[1] // 2
    out = np.zeros((out_h, out_w))
    for r in range(out_h):
        for c in range(out_w):
            top, left, height, width = ops.window(r, c, size=2, stride=2)
            out[r, c] = x[top:top + height, left:left + width].max()
    return out


def _max_pool_mistakes(h, w):
    return [
        Mistake(lambda v: ops.avg_pool(v, 2), "You averaged each window: that is average pooling.",
                "Max pooling keeps the largest value of each window."),
        Mistake(lambda v: -ops.max_pool(-v, 2), "You took the smallest value of each window.",
                "Max pooling keeps the largest."),
        Mistake(lambda v: ops.max_pool(v, 2, stride=1), "Your windows overlap: you moved one pixel at a time "
                                                        "(stride 1).", "Jump by 2, the window size."),
        Mistake(lambda v: ops.max_pool(v, 2, padding="same"),
                "You kept the leftover row or column as an extra, smaller window.",
                "Keras's default ('valid') drops it: a 5 x 7 map gives 2 x 3."),
        Mistake(lambda v: ops.max_pool(v, 2).T, "The result is transposed.",
                f"out[1, 2] comes from {window_text('x', (1, 2), 2, 2)}: the row of the window first."),
        Mistake(lambda v: np.array(v.max()), "You took the largest value of the whole map.",
                "Pool every 2 x 2 window separately."),
        Mistake(lambda v: v[: h // 2 * 2: 2, : w // 2 * 2: 2], "You kept the top-left number of each "
                                                               "window.", "Keep its largest number."),
    ]


@checks_function(my_max_pool, hint="Cut the map into 2 x 2 windows that do not overlap (a leftover row or "
                                   "column is dropped) and keep the largest number of each. Output cell "
                                   "[r, c] reads rows 2r and 2r + 1 and columns 2c and 2c + 1.")
def check_max_pool(answer):
    """Lesson 04: ``my_max_pool(x)``: 2x2 windows, stride 2, leftover row/column dropped (Keras 'valid')."""
    rng = np.random.default_rng(6)
    advice = [("cannot reshape", ("That reshape only works when H and W are even. Drop the leftover row "
                                  "and column first.")),
              ("out of bounds", "Loop only over full windows: H // 2 rows and W // 2 columns."),
              ("sequence", "One output cell gets one number: the largest of its window.")]
    for x in (rng.integers(0, 10, (4, 6)).astype(np.float64), np.round(rng.normal(size=(5, 7)), 1)):
        got = call(answer, x.copy(), advice=advice)
        verdict = compare_array(got, ops.max_pool(x, 2), _max_pool_mistakes(*x.shape), (x,),
                                context=f"For a {x.shape} map, ",
                                explain=lambda cell: f"out[{cell[0]}, {cell[1]}] is the largest number of "
                                                     f"{window_text('x', cell, 2, 2)}.")
        if verdict is not None:
            return verdict
    return correct("Same numbers as ops.max_pool(x, 2) and Keras's MaxPooling2D, odd sizes included.")


# ---------------------------------------------------------------- exercise 3: average pooling with loops


def my_avg_pool(x, size=2, stride=None):
    """Average pooling of a 2-D map with size x size windows; a leftover row or column is dropped."""
    if stride is None:
        stride = size
    out_h = (x.shape[0] - size) // stride + 1
    out_w = (x.shape[1] - size) // stride + 1
    out = np.zeros((out_h, out_w))
    for r in range(out_h):
        for c in range(out_w):
            window = x[r * stride:r * stride + size, c * stride:c * stride + size]
            out[r, c] = window.sum() / window.size
    return out


def _avg(x, size, stride):
    return ops.avg_pool(np.asarray(x, np.float64), size, stride)


def _zero_filled(x, size, stride):
    """The leftover edge kept as a full window, its missing numbers counted as zeros."""
    step = size if stride is None else stride
    extra = [(-(n - size) % step) for n in x.shape]
    return _avg(np.pad(np.asarray(x, np.float64), ((0, extra[0]), (0, extra[1]))), size, stride)


_COUNT = "An average is the sum of the window divided by how many numbers it holds: size x size."
_AVG_POOL_MISTAKES = [
    Mistake(lambda x, k, s: ops.max_pool(x, k, s), "You kept the largest number of each window: that is max "
            "pooling.", "Average pooling keeps the mean of each window: every number counts."),
    Mistake(lambda x, k, s: _avg(x, k, s) * k * k, "You added each window up but did not divide.", _COUNT),
    Mistake(lambda x, k, s: _avg(x, k, s) * k, "You divided by `size`, but a window holds size x size numbers.",
            _COUNT),
    Mistake(lambda x, k, s: np.floor(_avg(x, k, s)), "Your averages are rounded down to whole numbers.",
            "Divide with / (not //), and fill a float array: np.zeros((out_h, out_w)), not np.zeros_like(x) of "
            "a map of whole numbers."),
    Mistake(lambda x, k, s: np.round(_avg(x, k, s)), "Your averages are rounded to whole numbers.",
            "Keep the fractions: 3.75 stays 3.75."),
    Mistake(lambda x, k, s: _avg(x, k, k), "Your windows always jump by the window size, whatever the stride.",
            "Window (r, c) starts at row r * stride and column c * stride; with stride 2 and size 3 the "
            "windows overlap."),
    Mistake(lambda x, k, s: _avg(x, k, 1), "Your windows move one pixel at a time (stride 1).",
            "Window (r, c) starts at row r * stride and column c * stride."),
    Mistake(lambda x, k, s: ops.avg_pool(np.asarray(x, np.float64), k, s, padding="same"),
            "You kept the leftover row or column as an extra, smaller window.",
            "With no padding a window that does not fit is dropped: count only whole windows."),
    Mistake(_zero_filled, "You kept the leftover row or column, filling the missing numbers with zeros.",
            "With no padding a window that does not fit is dropped: count only whole windows."),
    Mistake(lambda x, k, s: _avg(x, k, s).T, "The result is transposed.",
            "out[r, c] is the window whose top row is r * stride and whose left column is c * stride."),
    Mistake(lambda x, k, s: np.array(np.mean(x)), "You took the mean of the whole map.",
            "Average every window separately."),
]

#: (map, size, stride): whole numbers with fractional means, a leftover edge, overlapping and stride-1 windows
_AVG_POOL_CASES = (
    (np.array([[1, 3, 0, 0, 5, 1], [2, 9, 0, 1, 2, 2], [0, 0, 4, 4, 7, 0], [6, 1, 4, 4, 0, 3]]), 2, None),
    (np.array([[4, 1, 7, 2, 0, 3, 5], [2, 8, 1, 1, 6, 2, 9], [3, 3, 0, 5, 2, 7, 1], [9, 0, 2, 6, 4, 1, 8],
               [1, 5, 3, 2, 7, 0, 6]]), 2, None),
    (np.round(np.random.default_rng(4).normal(size=(7, 7)), 1), 3, 2),
    (np.round(np.random.default_rng(5).normal(size=(4, 5)), 1), 2, 1),
)


@checks_function(my_avg_pool, hint="Loop over the whole windows: out_h = (H - size) // stride + 1 rows, and as "
                                   "many columns with W. Window (r, c) starts at row r * stride and column "
                                   "c * stride and is size x size; keep its mean (sum / number of values).")
def check_avg_pool(answer):
    """Lesson 04: ``my_avg_pool(x, size, stride)``: a 2-D map, square windows, no padding (Keras 'valid')."""
    advice = [("nonetype", "When stride is None, pooling uses stride = size (windows side by side)."),
              ("out of bounds", "Loop only over whole windows: (H - size) // stride + 1 rows."),
              ("sequence", "One output cell gets one number: the mean of its window."),
              ("cannot reshape", ("A reshape trick only works when the windows tile the map exactly; use the "
                                 "loops, which work for any size and stride."))]
    for x, size, stride in _AVG_POOL_CASES:
        got = call(answer, x.copy(), size, stride, advice=advice)
        step = size if stride is None else stride
        verdict = compare_array(got, _avg(x, size, stride), _AVG_POOL_MISTAKES, (x, size, stride),
                                context=f"For a {x.shape} map, size {size} and stride {stride}, ",
                                explain=lambda cell, k=size, s=step: f"out[{cell[0]}, {cell[1]}] is the mean of "
                                                                     f"{window_text('x', cell, k, s)}.")
        if verdict is not None:
            return verdict
    return correct("Same numbers as ops.avg_pool and Keras's AveragePooling2D: any size, any stride, and a "
                   "leftover edge dropped.")
