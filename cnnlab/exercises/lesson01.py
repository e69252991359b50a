"""Lesson 01, images as arrays: a crop's shape, a mirror, a grayscale conversion."""

from __future__ import annotations

import numpy as np

from ._compare import Mistake, call, compare_array
from ._core import checks_function, checks_value, correct, wrong
from ._values import int_tuple, numbers, shape_of, shape_text, short

__all__ = ["GRAY_WEIGHTS", "check_crop_shape", "check_grayscale", "check_mirror", "crop_shape", "mirror",
           "to_gray"]

# ---------------------------------------------------------------- exercise 1: a crop's shape


def crop_shape():
    """cat[100:150, 200:300]: 150 - 100 rows, 300 - 200 columns and all 3 colour channels."""
    return (50, 100, 3)


_CROP_MISTAKES = {
    (50, 100): ("Rows and columns are right, but the crop is still a colour image.",
                "A colour crop keeps its 3 channels: the shape has a third number."),
    (100, 50, 3): ("You swapped rows and columns.",
                   "The first slice, 100:150, picks rows, so the number of rows comes first."),
    (51, 101, 3): ("One too many in rows and columns.",
                   "A slice stops just before its end: start:stop holds stop - start items."),
    (49, 99, 3): ("One too few in rows and columns.",
                  "100:150 holds rows 100, 101, ... 149: count them as stop - start."),
    (150, 300, 3): ("Those are the end positions of the slices.",
                    "The shape counts how many rows and columns the crop has: end minus start."),
    (300, 451, 3): ("That is the shape of the whole photo.",
                    "The crop keeps only rows 100 to 149 and columns 200 to 299."),
}


@checks_value(crop_shape, expects="the shape you expect, e.g. (rows, columns, channels)",
              hint="A slice start:stop holds stop - start items. Count the rows (first slice), then the "
                   "columns (second slice), then the channels, which a crop keeps.")
def check_crop_shape(answer):
    """Lesson 01: the shape of ``cat[100:150, 200:300]`` for the (300, 451, 3) cat photo."""
    shape = int_tuple(answer)
    if shape is None:
        return wrong(f"A shape is a tuple of whole numbers like (10, 20, 3), got {short(answer)}.")
    if shape == crop_shape():
        return correct("Rows 100..149 (50 of them), columns 200..299 (100 of them), and all 3 colour "
                       "channels.")
    if shape in _CROP_MISTAKES:
        return wrong(*_CROP_MISTAKES[shape])
    return wrong(f"{shape} is not it: count rows, then columns, then the colour channels.")


# ---------------------------------------------------------------- exercise 2: a mirror


def mirror(image):
    """Flip left to right: keep the rows, read the columns backwards."""
    return image[:, ::-1]


_COLUMNS = "Mirroring left to right reverses the columns, which are axis 1; leave the other axes alone."
_MIRROR_MISTAKES = [
    Mistake(lambda im: im[::-1], "That turns the image upside down: you reversed the rows (axis 0).",
            _COLUMNS),
    Mistake(lambda im: im[..., ::-1], "That swaps red and blue: you reversed the last axis, which for a "
                                      "colour photo holds the channels.", _COLUMNS),
    Mistake(lambda im: im[::-1, ::-1], "That rotates the image by 180 degrees: you reversed rows and "
                                       "columns.", _COLUMNS),
    Mistake(lambda im: im[:, ::-1, ::-1], "The mirror is right, but you also reversed the colour channels "
                                          "(red and blue swapped).", _COLUMNS),
    Mistake(lambda im: np.flip(im), "np.flip without an axis flips every axis.",
            "np.flip takes an axis argument: which axis holds the columns?"),
    Mistake(lambda im: np.swapaxes(im, 0, 1), "That transposes the image (rows become columns).",
            "A mirror keeps the shape and only reverses the order of the columns."),
]
_GRAYSCALE = ("It works on colour photos, but a grayscale image has only 2 axes (H, W).",
              "Index only the first two axes, so that one line fits (H, W) and (H, W, 3) alike.")


@checks_function(mirror, hint="A mirror keeps every row and reads the columns (axis 1) backwards; a slice "
                              "with step -1 reads backwards.")
def check_mirror(answer):
    """Lesson 01: ``mirror(image)`` flips a photo left to right (colour and grayscale)."""
    rng = np.random.default_rng(1)
    colour = rng.integers(0, 256, (4, 5, 3), dtype=np.uint8)
    gray = rng.integers(0, 256, (3, 6), dtype=np.uint8)
    got = call(answer, colour.copy())
    if (verdict := compare_array(got, mirror(colour), _MIRROR_MISTAKES, (colour,),
                                 context=f"For a colour image of shape {colour.shape}, ")) is not None:
        return verdict
    got = call(answer, gray.copy(), advice=[("too many indices", _GRAYSCALE[0]),
                                            ("axis 2", _GRAYSCALE[0])])
    if compare_array(got, mirror(gray)) is not None:
        return wrong(*_GRAYSCALE)
    return correct("It keeps every row and reads the columns backwards, for grayscale (H, W) and colour "
                   "(H, W, 3) alike.")


# ---------------------------------------------------------------- exercise 3: grayscale

GRAY_WEIGHTS = np.array([0.299, 0.587, 0.114])


def to_gray(image):
    """Weighted sum of red, green and blue: 0.299 R + 0.587 G + 0.114 B."""
    return image.astype(float) @ np.array([0.299, 0.587, 0.114])


_WEIGHTS = "Use the weights 0.299 (red), 0.587 (green) and 0.114 (blue), in that order."
_GRAY_MISTAKES = [
    Mistake(lambda f, im: f.mean(axis=2), "All three channels count equally here; our eyes see green as "
                                          "brightest.", _WEIGHTS),
    Mistake(lambda f, im: f @ GRAY_WEIGHTS[::-1], "The weights are in the wrong order (that is BGR).",
            "Channel 0 is red: " + _WEIGHTS),
    Mistake(lambda f, im: f.sum(axis=2), "You added the channels without weights, so white becomes 765, "
                                         "not 255.", _WEIGHTS),
    Mistake(lambda f, im: (im[..., 0] + im[..., 1] + im[..., 2]).astype(np.float64),
            "The sums wrapped around: uint8 numbers cannot go above 255 (250 + 10 gives 4).",
            "Multiply by the float weights first, or convert with image.astype(float)."),
    Mistake(lambda f, im: f @ GRAY_WEIGHTS / 255, "Right weights, but you also divided by 255.",
            "Keep the 0-255 scale here."),
]


@checks_function(to_gray, hint="Each pixel's brightness is 0.299 x red + 0.587 x green + 0.114 x blue: "
                               "combine the last axis (the channels) with those weights.")
def check_grayscale(answer):
    """Lesson 01: ``to_gray(image)``: RGB uint8 (H, W, 3) -> (H, W) with weights 0.299, 0.587, 0.114."""
    image = np.random.default_rng(2).integers(0, 256, (4, 6, 3), dtype=np.uint8)
    image[0, :3] = [(255, 255, 255), (250, 10, 30), (10, 30, 250)]
    got = call(answer, image.copy(), advice=[
        ("matmul", "The image goes on the left of @: each pixel's 3 numbers meet the 3 weights."),
        ("could not be broadcast", ("Multiply the image by a list of 3 weights (one per channel), then "
                                    "sum over the last axis.")),
    ])
    shape = shape_of(got)
    if shape == image.shape[:2] + (1,):
        return wrong("Return a 2-D (H, W) array: drop the channel axis (no keepdims).")
    if shape in ((image.shape[1], 3), (image.shape[0], 3)):
        return wrong(f"Your result has shape {shape}: you combined along rows or columns.",
                     "The channels are the last axis (axis=2 or axis=-1).")
    if numbers(got, image.shape[:2]) is None:
        return wrong(f"A {image.shape} image should give a {image.shape[:2]} result, got {shape_text(got)}.")
    verdict = compare_array(got, to_gray(image), _GRAY_MISTAKES, (image.astype(np.float64), image),
                            atol=1.0)
    return verdict or correct("Each pixel's red, green and blue are weighted and added: green counts most "
                              "because our eyes are most sensitive to it.")
