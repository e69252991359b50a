"""Lesson 02, convolution: the output-size formula, a convolution with loops, an edge detector,
a 1 x 1 kernel that makes a photo gray."""

from __future__ import annotations

import math

import numpy as np

from .. import kernels as catalogue
from .. import ops
from ._compare import Mistake, call, call_cases, compare_array, compare_cases, diagnose
from ._core import checks_function, checks_value, correct, wrong
from ._values import as_number, numbers, shape_of, short, window_text

__all__ = ["OUTPUT_SIZE_CASES", "SAME_SIZE_CASES", "check_conv2d", "check_edge_kernel", "check_gray_kernel",
           "check_output_size", "edge_kernel", "gray_kernel", "my_conv2d", "out_size"]

# ---------------------------------------------------------------- exercise 1: the output size


def out_size(n, k, stride=1, padding=0):
    """Output length of a convolution with ``padding`` zeros on each side, or TensorFlow's ``"same"``."""
    if padding == "same":
        return -(-n // stride)            # ceil(n / stride), whatever the kernel size
    return (n + 2 * padding - k) // stride + 1


OUTPUT_SIZE_CASES = ((28, 3, 1, 0), (28, 3, 1, 1), (7, 3, 2, 1), (6, 3, 2, 0), (10, 4, 3, 0), (5, 5, 1, 0),
                     (32, 5, 2, 2))
SAME_SIZE_CASES = ((28, 3, 1, "same"), (10, 4, 1, "same"), (7, 3, 2, "same"), (6, 3, 2, "same"),
                   (8, 5, 2, "same"), (5, 1, 2, "same"), (512, 3, 2, "same"))

_BOTH_SIDES = "The padded length is n plus `padding` zeros on the left and as many on the right."
_OUTPUT_SIZE_MISTAKES = [
    Mistake(lambda n, k, s, p: (n + 2 * p - k) // s, "One too small: the first position is not counted.",
            "A 3-wide kernel on 3 pixels fits once, yet (3 - 3) // 1 is 0: add the first position."),
    Mistake(lambda n, k, s, p: (n + p - k) // s + 1, "Padding goes on both sides.", _BOTH_SIDES),
    Mistake(lambda n, k, s, p: (n - k) // s + 1, "You left padding out.", _BOTH_SIDES),
    Mistake(lambda n, k, s, p: n + 2 * p - k + 1, "You left the stride out.",
            "With stride s the kernel jumps s pixels each time: count the jumps that fit, rounding down."),
    Mistake(lambda n, k, s, p: n - k + 1, "That ignores both padding and stride."),
    Mistake(lambda n, k, s, p: math.ceil((n + 2 * p - k) / s) + 1, "Round down, not up.",
            "A last step that would run past the edge is not taken."),
    Mistake(lambda n, k, s, p: (n + 2 * p - k + 1) // s, "Close: the + 1 is in the wrong place.",
            "Count the jumps first (divide and round down), then add 1 for the first position."),
]
_SAME_RULE = ('With "same", TensorFlow pads as many zeros as it takes for ceil(n / stride) positions, '
              "whatever the kernel size, and puts an odd extra zero at the bottom or right.")
_SAME_MISTAKES = [
    Mistake(lambda n, k, s, p: n, '"same" keeps the size only at stride 1.',
            "At stride s the window still jumps s pixels: ceil(n / s) positions. " + _SAME_RULE),
    Mistake(lambda n, k, s, p: n // s, 'Round up with "same": a last, partly padded window still counts.',
            _SAME_RULE),
    Mistake(lambda n, k, s, p: (n + 2 - k) // s + 1,
            '"same" is not always one zero on each side: that only works for 3-wide kernels.', _SAME_RULE),
    Mistake(lambda n, k, s, p: (n + 2 * ((k - 1) // 2) - k) // s + 1,
            '"same" pads k - 1 zeros in total, split unevenly for an even kernel (the extra one after).',
            _SAME_RULE),
]
_SAME_ADVICE = [("unsupported operand", ('padding can be the word "same": handle it first, '
                                        'e.g. with `if padding == "same":`.')),
                ("can't multiply sequence", 'padding can be the word "same": handle it first.'),
                ("must be str", 'padding can be the word "same": handle it first.')]


def _explain_size(case) -> str:
    n, k, s, p = case
    if p == "same":
        return f'"same" asks for ceil({n} / {s}) positions, padding as many zeros as that takes.'
    return (f"Padded length {n} + 2*{p} = {n + 2 * p}; the kernel ({k}) fits at positions 0, {s}, "
            f"{2 * s}, ... while it stays inside.")


def _whole_numbers(answer, cases, advice=()) -> tuple[list, list]:
    """The answer's raw results and their values, or a wrong verdict for a non-number or a fraction."""
    raw = call_cases(answer, cases, lambda r: r if as_number(r) is not None else None, "a number",
                     advice=advice)
    got = [as_number(r) for r in raw]
    for case, value in zip(cases, got):
        if not value.is_integer():
            raise wrong(f"out_size{case} gives {value:g}, a fraction. A window that does not fit is not "
                        "counted.", "Round down with // (floor division).")
    return raw, got


@checks_function(out_size, hint="Pad first (zeros on both sides), then see how much room the kernel leaves, "
                                "count the stride-sized jumps that fit (rounding down), and count the first "
                                'position too. For "same", count the positions: n divided by the stride, '
                                "rounded up.")
def check_output_size(answer):
    """Lesson 02: ``out_size(n, k, stride, padding)``, ``padding`` zeros on each side or ``"same"``."""
    raw, got = _whole_numbers(answer, OUTPUT_SIZE_CASES)
    verdict = compare_cases(got, OUTPUT_SIZE_CASES, out_size, _OUTPUT_SIZE_MISTAKES, _explain_size)
    if verdict is not None:
        return verdict
    raw_same, got_same = _whole_numbers(answer, SAME_SIZE_CASES, advice=_SAME_ADVICE)
    verdict = compare_cases(got_same, SAME_SIZE_CASES, out_size, _SAME_MISTAKES, _explain_size)
    if verdict is not None:
        return wrong("Right for a number of zeros. " + verdict.text, verdict.hint)
    note = "" if all(isinstance(r, (int, np.integer)) for r in raw + raw_same) else \
        " (Tip: return an int, e.g. with //, since sizes are whole numbers.)"
    return correct("(n + 2p - k) // stride + 1: the padded length, minus the kernel, counted in steps, plus "
                   'the first position; and ceil(n / stride) for "same".' + note)


# ---------------------------------------------------------------- exercise 2: convolution with loops


def my_conv2d(image, kernel):
    """Valid convolution (no padding, stride 1) of a 2-D image with a 2-D kernel."""
    kh, kw = kernel.shape
    out_h = image.shape[0] - kh + 1
    out_w = image.shape[1] - kw + 1
    out = np.zeros((out_h, out_w))
    for row in range(out_h):
        for col in range(out_w):
            window = image[row:row + kh, col:col + kw]
            out[row, col] = np.sum(window * kernel)
    return out


def _valid(image, kernel):
    return ops.conv2d(np.asarray(image, np.float64), np.asarray(kernel, np.float64))


_POSITIONS = "A kernel of height kh fits at H - kh + 1 positions down, and of width kw at W - kw + 1 across."
_CONV_MISTAKES = [
    Mistake(lambda im, k: _valid(im, k[::-1, ::-1]),
            "You flipped the kernel (that is the 'convolution' of maths textbooks).",
            "Deep-learning libraries, and this course, do not flip it: the kernel's top-left weight meets "
            "the window's top-left pixel."),
    Mistake(lambda im, k: _valid(im, k)[:-1, :-1], "The last row and column are missing.", _POSITIONS),
    Mistake(lambda im, k: _valid(im, k)[:-1], "The last row is missing.", _POSITIONS),
    Mistake(lambda im, k: _valid(im, k)[:, :-1], "The last column is missing.", _POSITIONS),
    Mistake(lambda im, k: _valid(im, k).T, "The output is transposed.",
            "out[row, col] belongs to the window that starts at row `row` and column `col`."),
    Mistake(lambda im, k: ops.conv2d(im, k, padding="same"),
            "Your output has the size of the input: that is 'same' padding.",
            "Here there is no padding: " + _POSITIONS),
]
_CONV_ADVICE = [
    ("sequence", "One output cell must get one number: add up the products."),
    ("could not be broadcast", "The window and the kernel must have the same shape (kh, kw)."),
    ("out of bounds", "A loop runs past the edge. " + _POSITIONS),
]


@checks_function(my_conv2d, hint="For each output cell take the pixels under the kernel (a window as large "
                                 "as the kernel, starting at that row and column), multiply them by the "
                                 "kernel number by number and add everything up.")
def check_conv2d(answer):
    """Lesson 02: ``my_conv2d(image, kernel)``: 2-D, stride 1, no padding, no kernel flip."""
    rng = np.random.default_rng(3)
    cases = [(np.round(rng.normal(size=(6, 7)), 1), np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0],
                                                               [-2.0, 0.0, 1.0]])),
             (np.round(rng.normal(size=(5, 6)), 1), np.array([[1.0, -1.0, 2.0], [0.5, 0.0, -3.0]]))]
    for image, kernel in cases:
        got = call(answer, image.copy(), kernel.copy(), advice=_CONV_ADVICE)
        verdict = compare_array(got, _valid(image, kernel), _CONV_MISTAKES, (image, kernel),
                                context=f"For a {image.shape} image and a {kernel.shape} kernel, ",
                                explain=lambda cell, k=kernel: _explain_conv(cell, k.shape))
        if verdict is not None:
            return verdict
    return correct("Your loops compute exactly what ops.conv2d_loops and ops.conv2d (and Keras's Conv2D) "
                   "compute.")


def _explain_conv(cell, kernel_shape) -> str:
    return (f"out[{cell[0]}, {cell[1]}] comes from the window {window_text('image', cell, kernel_shape, 1)}, "
            "multiplied by the kernel number by number and added up.")


# ---------------------------------------------------------------- exercise 3: an edge detector


def edge_kernel():
    """Negative on top, positive at the bottom, every row constant (this is kernels.get("sobel_y"))."""
    return np.array([[-1.0, -2.0, -1.0],
                     [0.0, 0.0, 0.0],
                     [1.0, 2.0, 1.0]])


def _read_kernel(answer) -> np.ndarray:
    """The learner's kernel as a small 2-D float array, or a wrong verdict raised."""
    if isinstance(answer, str):
        try:
            answer = catalogue.get(answer) if answer in catalogue.names() else catalogue.parse(answer)
        except ValueError as exc:
            raise wrong(str(exc)) from None
    shape = shape_of(answer)
    if shape is None or len(shape) != 2:
        raise wrong(f"A kernel is a 2-D grid of numbers such as a 3 x 3 array, got "
                    f"{'shape ' + str(shape) if shape is not None else 'a ' + type(answer).__name__}.")
    if math.prod(shape) < 2 or max(shape) > 7:
        raise wrong(f"Use a small kernel, at most 7 x 7 (3 x 3 is typical), got shape {shape}.")
    k = numbers(answer, shape)
    if k is None:
        raise wrong("A kernel is a grid of numbers, every row as long as the others.")
    if not np.isfinite(k).all():
        raise wrong("Your kernel contains NaN or infinity.")
    return k


def _responses(k: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, float]:
    """The kernel on a flat patch, a horizontal edge (dark above) and a vertical one, and a noise level."""
    size = 11
    flat = np.full((size, size), 0.5)
    horizontal = np.zeros((size, size))
    horizontal[size // 2:] = 1.0
    return (float(ops.conv2d(flat, k).flat[0]), ops.conv2d(horizontal, k), ops.conv2d(horizontal.T.copy(), k),
            1e-6 * (1 + np.abs(k).sum()))


@checks_value(edge_kernel, expects="your kernel, e.g. np.array([[...], [...], [...]])",
              hint="Compare the row above with the row below: negative weights where it should be dark, "
                   "positive ones where it should be bright, the same along each row, and all weights "
                   "adding up to 0.")
def check_edge_kernel(answer):
    """Lesson 02: a kernel that fires (positive) where dark pixels above meet bright pixels below."""
    flat, r_h, r_v, scale = _responses(_read_kernel(answer))
    fires_h, against_h = r_h.max() > scale, r_h.min() < -scale
    quiet_v = np.abs(r_v).max() <= scale
    if abs(flat) > scale:
        return wrong(f"It responds in flat areas where nothing changes (there it gives {2 * flat:.3g} per "
                     "unit of brightness, the sum of your weights).",
                     "An edge detector's weights must add up to 0.")
    if not fires_h and not against_h:
        if not quiet_v:
            return wrong("That kernel finds vertical edges (brightness changing from left to right).",
                         "Turn it by 90 degrees (np.rot90) so it compares the row above with the row below.")
        return wrong("It does not react to a horizontal edge at all.",
                     "Give the top row negative weights and the bottom row positive ones.")
    if against_h and not fires_h:
        return wrong("It reacts to horizontal edges but with the wrong sign: it is positive for bright "
                     "above dark.", "Swap the signs: negative on top, positive at the bottom.")
    if not quiet_v:
        return wrong("It finds horizontal edges but also reacts to vertical ones.",
                     "Make every row constant from left to right.")
    return correct("Positive along dark-above-bright edges, zero on flat areas and on vertical edges. "
                   "kernels.get('sobel_y') is a famous kernel of this kind.")


# ---------------------------------------------------------------- exercise 4: a 1 x 1 kernel that makes a photo gray


def gray_kernel():
    """Lesson 01's gray weights, red, green and blue, as a (kh, kw, channels) = (1, 1, 3) kernel."""
    return np.array([0.299, 0.587, 0.114]).reshape(1, 1, 3)


_ORDER = "The kernel's channels meet the photo's in order: red (0), green (1), blue (2)."
_GRAY_KERNEL_MISTAKES = [
    Mistake(lambda w: np.full(3, 1 / 3), "Every colour counts the same here: that is the plain average. Our "
            "eyes find green much brighter than blue, so the gray of lesson 01 weighs them differently.",
            "Use lesson 01's gray weights, one per colour."),
    Mistake(lambda w: w[::-1], "The weights are in the wrong order (blue, green, red).", _ORDER),
    Mistake(lambda w: np.ones(3), "You added the three colours: a white pixel (1, 1, 1) would become 3, "
            "brighter than white.", "Weigh each colour with a fraction; the three fractions add up to 1."),
    Mistake(lambda w: 100 * w, "Your weights are 100 times too large (percentages?).",
            "Write each weight as a fraction: the three add up to 1."),
]


def _kernel_values(answer) -> np.ndarray:
    """The learner's kernel as a float array of any small shape, or a wrong verdict raised."""
    values = numbers(answer)
    if values is None:
        raise wrong(f"A kernel is an array of numbers, here of shape (1, 1, 3); got {short(answer)}.")
    if not np.isfinite(values).all():
        raise wrong("Your kernel contains NaN or infinity.")
    return values


def _three_weights(values: np.ndarray) -> np.ndarray:
    """The three weights of a (1, 1, 3) (or one-filter (1, 1, 3, 1)) kernel, or a wrong verdict raised."""
    if values.shape in ((1, 1, 3), (1, 1, 3, 1)):
        return values.reshape(3)
    if values.shape == (3, 1, 1):
        raise wrong("Your kernel has shape (3, 1, 1): channels first. Keras and ops.conv2d put them last: "
                    "(kh, kw, channels).", "Reshape the three weights with .reshape(1, 1, 3).")
    if values.size == 3:
        raise wrong(f"Your kernel has shape {values.shape}. A kernel for a colour photo has shape (kh, kw, "
                    "channels), here (1, 1, 3): one pixel high, one wide, one weight per colour.",
                    "Reshape the three weights with .reshape(1, 1, 3).")
    raise wrong(f"Your kernel holds {values.size} numbers (shape {values.shape}). A 1 x 1 kernel looks at one "
                "pixel, so over 3 colours it holds 3 weights, shape (1, 1, 3).")


@checks_value(gray_kernel, expects="three weights, e.g. np.array([..., ..., ...]).reshape(1, 1, 3)",
              hint="A 1 x 1 kernel over a colour photo is three weights, one per colour, in the order red, green, "
                   "blue, shaped (1, 1, 3). Lesson 01 made the gray photo with exactly such a weighted sum per "
                   "pixel: reuse its weights.")
def check_gray_kernel(answer):
    """Lesson 02: a (1, 1, 3) kernel whose convolution with a colour photo is lesson 01's gray photo."""
    weights = _three_weights(_kernel_values(answer))
    reference = gray_kernel().reshape(3)
    if np.allclose(weights, reference, atol=0.005):
        return correct("One 1 x 1 kernel over 3 channels is a weighted sum of each pixel's colours: "
                       "ops.conv2d(photo, gray_kernel) is the gray photo of lesson 01, and its output has "
                       "1 channel where the photo had 3.")
    found = diagnose(weights, _GRAY_KERNEL_MISTAKES, reference, atol=0.005)
    if found is not None:
        return found
    total = float(weights.sum())
    if abs(total - 1) > 0.01:
        return wrong(f"Your weights add up to {total:.3g}. They must add up to 1, so that white stays white "
                     "and gray stays gray.")
    return wrong("Your weights add up to 1, good, but they are not the gray weights of lesson 01: green "
                 "counts most, then red, then blue.")
