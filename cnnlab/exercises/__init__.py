"""Instant feedback for the exercises in the lessons.

Each ``check_*`` function takes the learner's answer (a value or a function),
tries it on a few small inputs, and **prints** what it found: that it is
right, or what is wrong. A checker never raises: an answer left as ``...`` or
``None`` prints ``"Not answered yet: ..."``, and anything the learner's code
raises is reported, not propagated, so an untouched notebook runs top to
bottom.

Hints come in tiers. The first wrong answer to an exercise gets a nudge (what
is wrong); a repeat, still wrong, also gets a stronger hint; the answer itself
appears only when asked for with :func:`solution`::

    >>> from cnnlab import exercises
    >>> exercises.check_crop_shape((50, 100, 3))  # doctest: +ELLIPSIS
    ✓ Correct! ...
    >>> bool(exercises.check_crop_shape(...))  # doctest: +ELLIPSIS
    Not answered yet: ...
    False
    >>> exercises.solution("crop_shape")  # doctest: +ELLIPSIS
    One answer to check_crop_shape:
    crop_shape = (50, 100, 3)
    ...

One module per lesson (``lesson01`` ... ``lesson09``) holds its checkers, each
next to its reference answer; ``_core`` holds what they share.
"""

from __future__ import annotations

from ._core import MAX_MESSAGE, Result, hint, names, reset, solution
from .lesson01 import check_crop_shape, check_grayscale, check_mirror
from .lesson02 import check_conv2d, check_edge_kernel, check_gray_kernel, check_output_size
from .lesson03 import check_combined_kernel, check_leaky_relu, check_relu, combined_kernel_parts
from .lesson04 import check_avg_pool, check_max_pool, check_pooled_shape
from .lesson05 import check_channels_first, check_flat_index, check_flat_length
from .lesson06 import check_conv_params, check_dense, check_forward, check_softmax
from .lesson07 import check_cross_entropy, check_sgd_step, check_validation_split
from .lesson08 import check_box_area, check_box_iou, check_nms_keep
from .lesson09 import check_dice_score, check_mask_iou, check_transposed_size

__all__ = [
    "MAX_MESSAGE",
    "Result",
    "check_avg_pool",
    "check_box_area",
    "check_box_iou",
    "check_channels_first",
    "check_combined_kernel",
    "check_conv2d",
    "check_conv_params",
    "check_crop_shape",
    "check_cross_entropy",
    "check_dense",
    "check_dice_score",
    "check_edge_kernel",
    "check_flat_index",
    "check_flat_length",
    "check_forward",
    "check_gray_kernel",
    "check_grayscale",
    "check_leaky_relu",
    "check_mask_iou",
    "check_max_pool",
    "check_mirror",
    "check_nms_keep",
    "check_output_size",
    "check_pooled_shape",
    "check_relu",
    "check_sgd_step",
    "check_softmax",
    "check_transposed_size",
    "check_validation_split",
    "combined_kernel_parts",
    "hint",
    "names",
    "reset",
    "solution",
]
