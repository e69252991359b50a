"""Lesson 03, ReLU: ReLU itself, a leaky ReLU, two kernels collapsed into one."""

from __future__ import annotations

import numpy as np

from .. import kernels as catalogue
from .. import ops
from ._compare import Mistake, call, compare_array, diagnose
from ._core import checks_function, checks_value, correct, wrong
from ._values import numbers, shape_of

__all__ = ["check_combined_kernel", "check_leaky_relu", "check_relu", "combined_kernel",
           "combined_kernel_parts", "leaky_relu", "my_relu"]

# ---------------------------------------------------------------- exercise 1: ReLU


def my_relu(x):
    """Keep positive numbers, replace negative ones with 0 (a new array)."""
    return np.maximum(x, 0)


_RELU_MISTAKES = [
    Mistake(np.abs, "You turned the negative numbers positive (absolute value).",
            "ReLU replaces negative numbers with 0 and leaves the others alone."),
    Mistake(lambda v: np.minimum(v, 0), "You kept the negative numbers and zeroed the positive ones: the "
                                        "opposite of ReLU.", "Keep the larger of each number and 0."),
    Mistake(lambda v: (v > 0).astype(float), "You returned 1 where x > 0 and 0 elsewhere (a mask).",
            "ReLU keeps the value itself where x > 0."),
    Mistake(lambda v: np.max(v, 0), "np.max(x, 0) finds the largest number in each column (axis 0).",
            "np.maximum (not np.max) compares an array with a number entry by entry."),
    Mistake(lambda v: np.clip(v, 0, 1), "You also cut the values above 1.",
            "ReLU lets positive values through unchanged, however large."),
    Mistake(lambda v: np.where(v > 0, v, 0.01 * v), "That is a leaky ReLU: negative numbers must become "
                                                    "exactly 0."),
]


@checks_function(my_relu, hint="ReLU looks at every number on its own: it keeps a positive number and puts 0 "
                               "instead of a negative one. One NumPy function that compares entry by entry "
                               "does it in a line.")
def check_relu(answer):
    """Lesson 03: ``my_relu(x)`` keeps positive values and turns negative ones into 0."""
    x = np.array([[-2.5, -1.0, 0.0, 0.5], [3.0, -0.25, 2.0, -4.0], [0.75, 1.5, -3.0, 0.0]])
    original = x.copy()
    advice = [("truth value", "Python's max() compares whole arrays, not number by number.")]
    got = call(answer, x, advice=advice)
    verdict = compare_array(got, my_relu(original), _RELU_MISTAKES, (original,),
                            context=f"For x of shape {original.shape}, ")
    if verdict is not None:
        return verdict
    if not np.array_equal(x, original):
        return wrong("The result is right, but your function changed its input: the negative numbers of x "
                     "are now 0 too.", "Work on a copy (x = x.copy()) or use a NumPy function that makes a "
                                       "new array.")
    return correct("It keeps the positive evidence and replaces the negative numbers with 0.")


# ---------------------------------------------------------------- exercise 2: leaky ReLU


def leaky_relu(x, alpha=0.1):
    """``x`` where positive, ``alpha * x`` where negative."""
    return np.where(x > 0, x, alpha * x)


def _leaky_mistakes(alpha):
    return [
        Mistake(lambda v: np.maximum(v, 0), "Negative numbers became 0: that is the plain ReLU.",
                "Multiply the negative numbers by alpha instead."),
        Mistake(lambda v: alpha * v, "You multiplied every number by alpha. Positive numbers must pass "
                                     "unchanged."),
        Mistake(lambda v: np.where(v > 0, alpha * v, v), "You scaled the positive numbers and kept the "
                                                         "negative ones: the other way round."),
        Mistake(lambda v: np.maximum(v, alpha), "np.maximum(x, alpha) compares with the number alpha.",
                "Compare with alpha * x instead."),
        Mistake(lambda v: np.where(v > 0, v, alpha), "Negative numbers became alpha itself; they should "
                                                     "become alpha * x."),
    ]


@checks_function(leaky_relu, hint="Decide number by number: keep x where it is positive, take alpha * x "
                                  "elsewhere. np.where(condition, value_if_true, value_if_false) picks entry "
                                  "by entry.")
def check_leaky_relu(answer):
    """Lesson 03: ``leaky_relu(x, alpha)``: ``x`` where positive, ``alpha * x`` where negative."""
    x = np.array([-4.0, -1.0, -0.5, 0.0, 0.5, 2.0, 5.0])
    advice = [("positional argument", "Give your function two parameters, x and alpha."),
              ("truth value", "An `if` decides once for the whole array; decide number by number instead.")]
    results = {alpha: call(answer, x.copy(), alpha, advice=advice) for alpha in (0.1, 0.25)}
    ok = {alpha: compare_array(got, leaky_relu(x, alpha)) is None for alpha, got in results.items()}
    if all(ok.values()):
        return correct("Positive values pass unchanged and negative ones are scaled by alpha, so a negative "
                       "input still has a (small) effect.")
    if ok[0.1]:
        return wrong("Right for alpha = 0.1 but not for alpha = 0.25: use the alpha argument instead of a "
                     "fixed 0.1.")
    return compare_array(results[0.1], leaky_relu(x, 0.1), _leaky_mistakes(0.1), (x,),
                         context="With alpha = 0.1, ")


# ---------------------------------------------------------------- exercise 3: two kernels as one


def combined_kernel_parts():
    """The two kernels of the lesson 03 exercise: ``emboss`` then ``sobel_x``, as float64 arrays."""
    return catalogue.get("emboss").astype(np.float64), catalogue.get("sobel_x").astype(np.float64)


def combined_kernel():
    """ops.conv2d(first, second[::-1, ::-1], padding=2): emboss then sobel_x as one 5 x 5 kernel."""
    first, second = combined_kernel_parts()
    return ops.conv2d(first, second[::-1, ::-1], padding=2)


_SHAPE_MISTAKES = {
    (3, 3): (("A 3 x 3 kernel followed by another 3 x 3 kernel looks at a 5 x 5 patch of the image, so "
              "the combined kernel is 5 x 5."),
             "Pad `first` with zeros on every side so every overlap is counted."),
    (1, 1): (("A valid convolution of a 3 x 3 array with a 3 x 3 kernel leaves 1 x 1: pad `first` with "
              "zeros so that every overlap is counted."),
             "Two zeros on every side give 5 x 5."),
}


def _combined_mistakes(first, second):
    return [
        Mistake(lambda: ops.conv2d(first, second, padding=2),
                "Almost: you slid `second` over `first` without flipping it.",
                "The kernel applied second is the one that gets flipped; section 3 shows why."),
        Mistake(lambda: ops.conv2d(second, first[::-1, ::-1], padding=2),
                "Almost: `first` and `second` have swapped roles.",
                "Slide the flipped `second` over the padded `first`."),
        Mistake(lambda: combined_kernel()[::-1, ::-1], "Your kernel is turned by 180 degrees.",
                "Flip `second`, not `first`."),
    ]


@checks_value(combined_kernel, expects="one kernel that does both steps at once",
              hint="Slide the second kernel, flipped, over the first one padded with zeros, so that every "
                   "overlap of the two is counted: the result is 5 x 5.")
def check_combined_kernel(answer):
    """Lesson 03: the single 5x5 kernel equal to ``emboss`` followed by ``sobel_x`` (valid convolutions)."""
    shape = shape_of(answer)
    if shape is None or len(shape) != 2:
        return wrong("Give a 2-D array of numbers (the combined kernel).")
    if shape != (5, 5):
        return wrong(*_SHAPE_MISTAKES.get(shape, (f"The combined kernel should be 5 x 5, got {shape}.",)))
    k = numbers(answer, shape)
    if k is None:
        return wrong("Give a 2-D array of numbers (the combined kernel).")
    if np.allclose(k, combined_kernel(), atol=1e-5):
        return correct("One 5 x 5 kernel does the work of both: two linear filters in a row are just one "
                       "bigger linear filter.")
    return diagnose(k, _combined_mistakes(*combined_kernel_parts()), atol=1e-5) or wrong(
        "Not the combined kernel.")
