"""Lesson 05, flattening: the vector's length, where an entry lands, the channels-first order."""

from __future__ import annotations

import numpy as np

from ._compare import Mistake, call, compare_array, judge_cases
from ._core import checks_function, checks_value, correct, wrong
from ._values import as_int, int_tuple, short

__all__ = ["FLAT_INDEX_CASES", "check_channels_first", "check_flat_index", "check_flat_length", "flat_index",
           "flat_length", "flatten_channels_first"]

# ---------------------------------------------------------------- exercise 1: the length


def flat_length():
    """Height x width x channels of the (13, 13, 32) stack."""
    return 13 * 13 * 32


_LENGTH_MISTAKES = {
    169: ("That is one map (13 x 13).", "The stack has 32 of them."),
    416: ("13 x 32 counts one row of every map.", "Multiply all three sizes."),
    58: ("You added the sizes.", "The vector holds every number of the stack: multiply the sizes."),
    2704: ("That is half of it: 13 x 13 x 16.", "There are 32 channels."),
    6272: ("7 x 7 x 128 is another stack.", "Here it is 13 x 13 x 32."),
}


@checks_value(flat_length, expects="a whole number",
              hint="Flattening keeps every number of the stack: count them as height x width x channels.")
def check_flat_length(answer):
    """Lesson 05: how many numbers ``flatten`` makes of a (13, 13, 32) stack."""
    value = as_int(answer)
    if value is None:
        items = int_tuple(answer)
        if items == (13, 13, 32):
            return wrong("That is the shape of the stack. How many numbers does it hold in all?")
        if items is None or len(items) != 1:
            return wrong(f"Give one whole number, got {short(answer)}.")
        value = items[0]
    if value == flat_length():
        return correct("13 x 13 x 32 = 5408 numbers, the same count as before: flattening only changes the "
                       "arrangement.")
    return wrong(*_LENGTH_MISTAKES.get(value, (f"{value} is not it.",)))


# ---------------------------------------------------------------- exercise 2: where an entry lands


def flat_index(row, col, channel, shape):
    """Position of stack[row, col, channel] in ops.flatten(stack)."""
    width, channels = shape[1], shape[2]
    return (row * width + col) * channels + channel


FLAT_INDEX_CASES = ((0, 0, 0, (3, 4, 2)), (0, 0, 1, (3, 4, 2)), (0, 1, 0, (3, 4, 2)), (1, 0, 0, (3, 4, 2)),
                    (2, 3, 1, (3, 4, 2)), (1, 2, 2, (2, 5, 3)), (4, 1, 0, (5, 2, 3)), (3, 0, 1, (6, 3, 2)))

_PIXEL_TAKES_C = "Each pixel takes C places in the vector, one per channel, side by side."
_FLAT_INDEX_MISTAKES = [
    Mistake(lambda r, c, k, s: k * s[0] * s[1] + r * s[1] + c,
            "That is the channels-first order (all of channel 0, then all of channel 1).",
            "Keras's Flatten on (H, W, C) keeps the channels of one pixel together: the channel varies "
            "fastest."),
    Mistake(lambda r, c, k, s: (r * s[0] + c) * s[2] + k, "A row holds W pixels, not H.",
            "Multiply the row by the width, shape[1]."),
    Mistake(lambda r, c, k, s: (c * s[0] + r) * s[2] + k, "You went column by column.",
            "Flatten goes row by row: whole rows first."),
    Mistake(lambda r, c, k, s: r * s[1] + c, "You forgot the channels.", _PIXEL_TAKES_C),
    Mistake(lambda r, c, k, s: r * s[1] * s[2] + c + k, "The column moves by 1 but a pixel is C places "
                                                        "wide.", _PIXEL_TAKES_C),
    Mistake(lambda r, c, k, s: (r * s[1] + c) * s[2] + k + 1, "One too far.",
            "Python counts from 0, so entry [0, 0, 0] is at index 0."),
]


@checks_function(flat_index, hint="Count what comes before the entry: all the earlier rows (W pixels each), "
                                  "the earlier pixels of its row, and the earlier channels of its pixel; "
                                  "every pixel takes C places.")
def check_flat_index(answer):
    """Lesson 05: ``flat_index(row, col, channel, shape)``: where ``ops.flatten`` puts that entry."""
    return judge_cases(answer, FLAT_INDEX_CASES, flat_index, _FLAT_INDEX_MISTAKES, convert=as_int,
                       expected="one whole number",
                       praise="(row * W + col) * C + channel: whole rows first, then pixels in a row, and "
                              "the C channels of one pixel side by side.")


# ---------------------------------------------------------------- exercise 3: channels first


def flatten_channels_first(maps):
    """All of channel 0 row by row, then channel 1 ... (PyTorch's order)."""
    return np.transpose(maps, (2, 0, 1)).reshape(-1)


_MOVE_AXIS = "Move the channel axis to the front with np.transpose before making one vector."
_CHANNELS_FIRST_MISTAKES = [
    Mistake(lambda m: m.reshape(-1), "That is Keras's channels-last order. Reshaping to (C, H, W) does not "
                                     "help either: reshape regroups numbers without moving them.", _MOVE_AXIS),
    Mistake(lambda m: m.transpose(2, 1, 0).reshape(-1), "The channels come first, but inside each channel "
                                                        "you went column by column.",
            "Keep rows before columns when you move the channel axis."),
    Mistake(lambda m: m.reshape(-1, order="F"), "order='F' reads the first axis fastest (column by column).",
            _MOVE_AXIS),
    Mistake(lambda m: m.transpose(2, 0, 1), "Right order, but the result must be one vector.",
            "Reshape the (C, H, W) stack to one axis."),
    Mistake(lambda m: m.transpose(1, 0, 2).reshape(-1), "You swapped rows and columns, not the channels.",
            _MOVE_AXIS),
]


@checks_function(flatten_channels_first, hint="Reorder the axes so the stack becomes (C, H, W), then read it "
                                              "out in the normal order; reshape alone never moves a number.")
def check_channels_first(answer):
    """Lesson 05: flatten an (H, W, C) stack channels-first (all of channel 0, then channel 1 ...)."""
    maps = np.arange(2 * 3 * 4, dtype=np.float64).reshape(2, 3, 4) * 1.5 - 7
    got = call(answer, maps.copy())
    verdict = compare_array(got, flatten_channels_first(maps), _CHANNELS_FIRST_MISTAKES, (maps,),
                            context=f"For a stack of shape {maps.shape}, ")
    return verdict or correct("Move the channel axis to the front, then read row by row: the order of "
                              "channels-first libraries such as PyTorch.")
