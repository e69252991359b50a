"""Instant feedback for the exercises in the lessons.

Each ``check_*`` function takes the learner's answer (a value or a function),
tries it on a few small inputs, and **prints** what it found: that it is
right, or what is wrong with a hint (a flipped kernel, an off-by-one output
size, pooling with the wrong stride, a forgotten bias ...). A checker never
raises: an answer left as ``...`` or ``None`` prints ``"Not answered yet: ..."``
and an exception inside the learner's function is reported, not propagated,
so an untouched notebook runs top to bottom.

Every checker returns a :class:`Result`, truthy when the answer is right, so
tests (and curious learners) can use it::

    >>> from cnnlab import exercises
    >>> exercises.check_crop_shape((50, 100, 3))
    ✓ Correct! ...
    >>> bool(exercises.check_crop_shape(...))
    Not answered yet: ...
    False

Reference answers live in :mod:`cnnlab.solutions`, outside the lessons.
"""

from __future__ import annotations

import functools
import inspect
import io
import math
import tokenize
import warnings

import numpy as np

__all__ = [
    "Result",
    "check_channels_first",
    "check_combined_kernel",
    "check_conv2d",
    "check_conv_params",
    "check_crop_shape",
    "check_dense",
    "check_edge_kernel",
    "check_flat_index",
    "check_flat_length",
    "check_grayscale",
    "check_leaky_relu",
    "check_max_pool",
    "check_mirror",
    "check_output_size",
    "check_pooled_shape",
    "check_relu",
    "check_softmax",
]

CORRECT, WRONG, UNANSWERED, ERROR = "correct", "wrong", "unanswered", "error"


class Result:
    """What a checker found. Truthy only when the answer is right.

    Attributes
    ----------
    name : str
        The checker, e.g. ``"check_relu"``.
    status : {"correct", "wrong", "unanswered", "error"}
        ``"error"`` means the learner's code raised an exception.
    message : str
        The feedback that was printed.
    """

    __slots__ = ("message", "name", "status")

    def __init__(self, name: str, status: str, message: str):
        self.name = name
        self.status = status
        self.message = message

    def __bool__(self) -> bool:
        return self.status == CORRECT

    @property
    def answered(self) -> bool:
        """False while the placeholder is still in place."""
        return self.status != UNANSWERED

    def __repr__(self) -> str:
        return f"<{self.name}: {self.status}>"

    def __str__(self) -> str:
        return self.message

    def _ipython_display_(self):
        """Show nothing: the checker has already printed its feedback."""


def _report(name: str, status: str, text: str) -> Result:
    prefix = {CORRECT: "✓ Correct! ", WRONG: "✗ Not yet. ", UNANSWERED: "Not answered yet: ",
              ERROR: "✗ Your code raised an error. "}[status]
    message = prefix + text
    print(message)
    return Result(name, status, message)


def _checker(func):
    """Make a checker safe: whatever goes wrong inside, print it and return a Result."""
    name = func.__name__

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with np.errstate(all="ignore"):
                    return func(*args, **kwargs)
        except Exception as exc:  # a checker must never break the learner's notebook
            return _report(name, ERROR, f"The checker could not run your answer ({type(exc).__name__}: "
                                        f"{exc}).")

    return wrapper


# ---------------------------------------------------------------- helpers


def _is_placeholder(value) -> bool:
    return value is None or value is Ellipsis


def _has_ellipsis(fn) -> bool:
    """True if the function's source still contains a literal ``...``."""
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        return False
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return "..." in source
    return any(t.type == tokenize.OP and t.string == "..." for t in tokens)


def _fn_name(fn) -> str:
    return getattr(fn, "__name__", "your function")


def _contains_ellipsis(value, depth: int = 0) -> bool:
    """True for ``...`` itself or a list / tuple / object array that still holds one."""
    if value is Ellipsis:
        return True
    if depth > 4:
        return False
    if isinstance(value, np.ndarray):
        return value.dtype == object and any(_contains_ellipsis(x, depth + 1) for x in value.flat)
    if isinstance(value, (list, tuple)):
        return any(_contains_ellipsis(x, depth + 1) for x in value)
    return False


def _unanswered_value(name: str, what: str, value) -> Result | None:
    if value is not Ellipsis and _contains_ellipsis(value):
        return _report(name, UNANSWERED, f"replace every `...` with a number ({what}).")
    if value is Ellipsis:
        return _report(name, UNANSWERED, f"replace the `...` with {what}.")
    if value is None:
        return _report(name, UNANSWERED, f"replace `None` with {what}.")
    return None


def _start_function(name: str, fn, what: str) -> Result | None:
    """Placeholder and type checks for a function answer; None means go on."""
    if _is_placeholder(fn):
        return _report(name, UNANSWERED, f"write {what} and pass it here.")
    if not callable(fn):
        return _report(name, WRONG, f"Pass the function itself (its name, without brackets), "
                                    f"not {type(fn).__name__} {fn!r:.40}.")
    return None


class _Stop(Exception):
    """Raised inside a checker to end it with an already printed Result."""

    def __init__(self, result: Result):
        super().__init__(result.message)
        self.result = result


def _run(name: str, fn, args: tuple, hints=()):
    """Call the learner's ``fn(*args)``; turn placeholders and errors into a Result.

    ``hints`` is a sequence of ``(text found in the error message, advice)``.
    Returns the value, or raises :class:`_Stop` carrying the printed Result.
    """
    label = f"{_fn_name(fn)}()"
    try:
        value = fn(*args)
    except Exception as exc:
        text = f"{type(exc).__name__}: {exc}"
        if _has_ellipsis(fn) or "ellipsis" in str(exc).lower():
            raise _Stop(_report(name, UNANSWERED, f"replace the `...` in {label} with your code "
                                                  f"(for now it stops with {text:.120})."))
        advice = next((tip for needle, tip in hints if needle.lower() in str(exc).lower()), None)
        args_text = ", ".join(_short(a) for a in args)
        msg = f"{label} stopped with {text:.200} when called with ({args_text})."
        raise _Stop(_report(name, ERROR, msg + (f"\nHint: {advice}" if advice else ""))) from None
    if value is Ellipsis or (value is None and _has_ellipsis(fn)):
        raise _Stop(_report(name, UNANSWERED, f"replace the `...` in {label} with your code."))
    if value is None:
        raise _Stop(_report(name, UNANSWERED, f"{label} returns None. Did you forget the `return` line?"))
    return value


def _short(value) -> str:
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape}"
    return repr(value)


def _array(value):
    """The learner's value as a float array, or None if it is not numbers."""
    try:
        arr = np.asarray(value)
        if arr.dtype == object or arr.dtype.kind not in "biuf":
            return None
        return arr.astype(np.float64)
    except (TypeError, ValueError):
        return None


def _same(value, target, atol=1e-6, rtol=1e-6) -> bool:
    a = _array(value)
    b = np.asarray(target, dtype=np.float64)
    if a is None or a.shape != b.shape:
        return False
    return bool(np.allclose(a, b, atol=atol, rtol=rtol, equal_nan=False))


def _first_difference(value, target) -> str:
    a = _array(value)
    b = np.asarray(target, dtype=np.float64)
    bad = np.argwhere(~np.isclose(a, b, atol=1e-6))
    if len(bad) == 0:
        return ""
    idx = tuple(int(i) for i in bad[0])
    where = f"[{', '.join(map(str, idx))}]" if idx else ""
    return f"at {where or 'the result'} the answer is {b[idx]:.4g}, yours is {a[idx]:.4g}"


def _mistake(value, mistakes, *inputs) -> str | None:
    """Message of the first known mistake whose result equals ``value``."""
    for make, message in mistakes:
        try:
            with np.errstate(all="ignore"):
                candidate = make(*inputs)
        except Exception:  # a mistake that does not apply to these inputs
            continue
        if _same(value, candidate):
            return message
    return None


def _int_tuple(value):
    """``value`` as a tuple of Python ints, or None."""
    try:
        items = tuple(value)
    except TypeError:
        return None
    out = []
    for item in items:
        if isinstance(item, (bool, np.bool_)):
            return None
        if isinstance(item, (int, np.integer)):
            out.append(int(item))
        elif isinstance(item, (float, np.floating)) and float(item).is_integer():
            out.append(int(item))
        else:
            return None
    return tuple(out)


def _as_int(value):
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
        return int(value)
    if isinstance(value, np.ndarray) and value.size == 1:
        return _as_int(value.reshape(()).item())
    return None


def _rng(seed: int = 2024):
    return np.random.default_rng(seed)


# ================================================================ lesson 01


@_checker
def check_crop_shape(answer) -> Result:
    """Lesson 01: the shape of ``cat[100:150, 200:300]`` for the (300, 451, 3) cat photo."""
    name = "check_crop_shape"
    what = "the shape you expect, e.g. (rows, columns, channels)"
    if (r := _unanswered_value(name, what, answer)) is not None:
        return r
    shape = _int_tuple(answer)
    if shape is None:
        return _report(name, WRONG, "A shape is a tuple of whole numbers like (10, 20, 3), got "
                                    f"{answer!r:.40}.")
    known = {
        (50, 100, 3): None,
        (50, 100): "Rows and columns are right, but a colour crop keeps its 3 channels: the shape "
                   "has a third number.",
        (100, 50, 3): "You swapped rows and columns. The first slice, 100:150, picks rows, so the "
                      "number of rows comes first.",
        (51, 101, 3): "One too many: a slice stops just before its end, so 100:150 holds 150 - 100 = 50 "
                      "rows.",
        (49, 99, 3): "One too few: 100:150 holds rows 100, 101, ... 149, that is 150 - 100 = 50 rows.",
        (150, 300, 3): "Those are the end positions. The shape counts how many rows and columns the "
                       "crop has: end minus start.",
        (300, 451, 3): "That is the shape of the whole photo. The crop keeps only rows 100 to 149 "
                       "and columns 200 to 299.",
    }
    if shape in known:
        if known[shape] is None:
            return _report(name, CORRECT, "Rows 100..149 (50 of them), columns 200..299 (100 of them), "
                                          "and all 3 colour channels.")
        return _report(name, WRONG, known[shape])
    return _report(name, WRONG, f"{shape} is not it. Count rows (150 - 100), then columns "
                                f"(300 - 200), then the colour channels.")


def _mirror_mistakes():
    return [
        (lambda im: im[::-1], "That turns the image upside down: you reversed the rows (axis 0). "
                              "Mirroring left-right reverses the columns, axis 1: image[:, ::-1]."),
        (lambda im: im[..., ::-1], "That swaps red and blue: you reversed the last axis, which for a "
                                   "colour photo is the channels. Reverse the columns (axis 1)."),
        (lambda im: im[::-1, ::-1], "That rotates the image by 180 degrees: you reversed rows and columns."),
        (lambda im: im[:, ::-1, ::-1], "The mirror is right, but you also reversed the colour channels "
                                       "(red and blue swapped). Leave axis 2 alone."),
        (lambda im: np.flip(im), "np.flip without an axis flips every axis. Use np.flip(image, axis=1)."),
        (lambda im: np.swapaxes(im, 0, 1), "That transposes the image (rows become columns). "
                                           "Mirroring keeps the shape and reverses the columns."),
    ]


@_checker
def check_mirror(mirror) -> Result:
    """Lesson 01: ``mirror(image)`` flips a photo left to right (colour and grayscale)."""
    name = "check_mirror"
    if (r := _start_function(name, mirror, "mirror(image)")) is not None:
        return r
    rng = _rng(1)
    colour = rng.integers(0, 256, (4, 5, 3), dtype=np.uint8)
    gray = rng.integers(0, 256, (3, 6), dtype=np.uint8)
    try:
        got = _run(name, mirror, (colour.copy(),))
        if not _same(got, colour[:, ::-1]):
            msg = _mistake(got, _mirror_mistakes(), colour)
            if msg is None:
                a = _array(got)
                msg = (f"For a colour image of shape {colour.shape} the result should have the same shape, "
                       f"got {None if a is None else a.shape}." if a is None or a.shape != colour.shape
                       else "The pixels are not where a mirror puts them: pixel [r, c] should move to "
                            "[r, W - 1 - c].")
            return _report(name, WRONG, msg)
        got = _run(name, mirror, (gray.copy(),), hints=[
            ("too many indices", "It works on colour photos but a grayscale one has only 2 axes (H, W). "
                                 "Index only the first two: image[:, ::-1]."),
            ("axis 2", "A grayscale image has only 2 axes (H, W): flip axis 1 only."),
        ])
    except _Stop as stop:
        return stop.result
    if not _same(got, gray[:, ::-1]):
        return _report(name, WRONG, "It works on colour photos but not on a grayscale one, which has only "
                                    "2 axes (H, W). Index only the first two axes, e.g. image[:, ::-1].")
    return _report(name, CORRECT, "image[:, ::-1] keeps every row and reads the columns backwards; it "
                                  "works for grayscale (H, W) and colour (H, W, 3) alike.")


GRAY_WEIGHTS = np.array([0.299, 0.587, 0.114])


@_checker
def check_grayscale(to_gray) -> Result:
    """Lesson 01: ``to_gray(image)``: RGB uint8 (H, W, 3) -> (H, W) with weights 0.299, 0.587, 0.114."""
    name = "check_grayscale"
    if (r := _start_function(name, to_gray, "to_gray(image)")) is not None:
        return r
    rng = _rng(2)
    image = rng.integers(0, 256, (4, 6, 3), dtype=np.uint8)
    image[0, 0] = (255, 255, 255)
    image[0, 1] = (250, 10, 30)
    image[0, 2] = (10, 30, 250)
    expected = image.astype(np.float64) @ GRAY_WEIGHTS
    try:
        got = _run(name, to_gray, (image.copy(),), hints=[
            ("matmul", "Put the image on the left: image @ weights multiplies each pixel's 3 numbers "
                       "by the 3 weights."),
            ("could not be broadcast", "Multiply the image by a list of 3 weights (one per channel), "
                                       "then sum over the last axis: (image * w).sum(axis=2)."),
        ])
    except _Stop as stop:
        return stop.result
    arr = _array(got)
    if arr is None:
        return _report(name, WRONG, f"to_gray should return an array of numbers, got {type(got).__name__}.")
    if arr.shape == image.shape[:2] + (1,):
        return _report(name, WRONG, "Return a 2-D (H, W) array: drop the channel axis (no keepdims).")
    if arr.shape in ((image.shape[1], 3), (image.shape[0], 3)):
        return _report(name, WRONG, f"Your result has shape {arr.shape}: you combined along rows or columns. "
                                    f"The channels are the last axis (axis=2 or axis=-1).")
    if arr.shape != image.shape[:2]:
        return _report(name, WRONG, f"A {image.shape} image should give a {image.shape[:2]} result, "
                                    f"got {arr.shape}.")
    if np.allclose(arr, expected, atol=1.0):
        return _report(name, CORRECT, "Each pixel's red, green and blue are weighted and added: green counts "
                                      "most because our eyes are most sensitive to it.")
    f = image.astype(np.float64)
    mistakes = [
        (f.mean(axis=2), "All three channels count equally here. Use the weights 0.299 (red), "
                         "0.587 (green) and 0.114 (blue): our eyes see green as brightest."),
        (f @ GRAY_WEIGHTS[::-1], "The weights are in the wrong order (that is BGR). Channel 0 is red: "
                                 "0.299 * R + 0.587 * G + 0.114 * B."),
        (f.sum(axis=2), "You added the channels without weights, so white becomes 765, not 255."),
        ((image[..., 0] + image[..., 1] + image[..., 2]).astype(np.float64),
         "The sums wrapped around: uint8 numbers cannot go above 255 (250 + 10 gives 4). Multiply by "
         "the float weights first, or convert with image.astype(float)."),
        (expected / 255, "Right weights, but you also divided by 255. Keep the 0-255 scale here."),
    ]
    for candidate, message in mistakes:
        if np.allclose(arr, candidate, atol=1.0):
            return _report(name, WRONG, message)
    return _report(name, WRONG, "The values are not the weighted sum: " + _first_difference(arr, expected)
                   + ". Use 0.299 * R + 0.587 * G + 0.114 * B.")


# ================================================================ lesson 02

OUTPUT_SIZE_CASES = ((28, 3, 1, 0), (28, 3, 1, 1), (7, 3, 2, 1), (6, 3, 2, 0), (10, 4, 3, 0), (5, 5, 1, 0),
                     (32, 5, 2, 2))


def _right_size(n, k, s, p):
    return (n + 2 * p - k) // s + 1


@_checker
def check_output_size(out_size) -> Result:
    """Lesson 02: ``out_size(n, k, stride, padding)`` with ``padding`` zeros on each side."""
    name = "check_output_size"
    if (r := _start_function(name, out_size, "out_size(n, k, stride, padding)")) is not None:
        return r
    got = []
    try:
        for case in OUTPUT_SIZE_CASES:
            got.append(_run(name, out_size, case))
    except _Stop as stop:
        return stop.result
    answers = [_right_size(*c) for c in OUTPUT_SIZE_CASES]
    numbers = []
    for case, value in zip(OUTPUT_SIZE_CASES, got):
        try:
            numbers.append(float(value))
        except (TypeError, ValueError):
            return _report(name, WRONG, f"out_size{case} should return a number, got {value!r:.40}.")
    if numbers == [float(a) for a in answers]:
        note = "" if all(_as_int(x) is not None and not isinstance(x, float) for x in got) else \
            " (Tip: return an int, e.g. with //, since sizes are whole numbers.)"
        return _report(name, CORRECT, "(n + 2p - k) // stride + 1: the padded length, minus the kernel, "
                                      "counted in steps, plus the first position." + note)
    for case, value in zip(OUTPUT_SIZE_CASES, numbers):
        if not float(value).is_integer():
            return _report(name, WRONG, f"out_size{case} gives {value}, a fraction. A window that does not "
                                        f"fit is not counted: round down with // (floor division).")
    mistakes = [
        (lambda n, k, s, p: (n + 2 * p - k) // s, "One too small: you forgot the + 1 for the first "
                                                  "position (a 3-wide kernel on 3 pixels fits once)."),
        (lambda n, k, s, p: (n + p - k) // s + 1, "Padding goes on both sides: the padded length "
                                                  "is n + 2 * padding."),
        (lambda n, k, s, p: (n - k) // s + 1, "You left padding out. Each side gets `padding` zeros, "
                                              "so the length becomes n + 2 * padding."),
        (lambda n, k, s, p: n + 2 * p - k + 1, "You left the stride out: with stride s the kernel jumps "
                                               "s pixels each time, so divide by s (//)."),
        (lambda n, k, s, p: n - k + 1, "That ignores both padding and stride."),
        (lambda n, k, s, p: math.ceil((n + 2 * p - k) / s) + 1, "Round down, not up: a last step that "
                                                                "would run past the edge is not taken."),
        (lambda n, k, s, p: (n + 2 * p - k + 1) // s, "Close: put the + 1 after the division: "
                                                      "(n + 2p - k) // stride + 1."),
    ]
    for make, message in mistakes:
        if [float(make(*c)) for c in OUTPUT_SIZE_CASES] == numbers:
            return _report(name, WRONG, message)
    case, right, value = next((c, a, g) for c, a, g in zip(OUTPUT_SIZE_CASES, answers, numbers) if a != g)
    n, k, s, p = case
    return _report(name, WRONG, f"out_size{case} should be {right}, yours gives {value:g}. Padded length "
                                f"{n} + 2*{p} = {n + 2 * p}; the kernel ({k}) fits at positions 0, {s}, "
                                f"{2 * s}, ... while it stays inside.")


CONV_KERNEL = np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0], [-2.0, 0.0, 1.0]])


def _conv_valid(image, kernel):
    from . import ops

    return ops.conv2d(np.asarray(image, np.float64), np.asarray(kernel, np.float64))


@_checker
def check_conv2d(my_conv2d) -> Result:
    """Lesson 02: ``my_conv2d(image, kernel)``: 2-D, stride 1, no padding, no kernel flip."""
    from . import ops

    name = "check_conv2d"
    if (r := _start_function(name, my_conv2d, "my_conv2d(image, kernel)")) is not None:
        return r
    rng = _rng(3)
    cases = [(np.round(rng.normal(size=(6, 7)), 1), CONV_KERNEL),
             (np.round(rng.normal(size=(5, 6)), 1), np.array([[1.0, -1.0, 2.0], [0.5, 0.0, -3.0]]))]
    hints = [
        ("sequence", "One output cell must get one number: sum the products, np.sum(window * kernel)."),
        ("could not be broadcast", "The window and the kernel must have the same shape: take "
                                   "image[r:r + kh, c:c + kw]."),
        ("out of bounds", "A loop runs past the edge: the output has H - kh + 1 rows and W - kw + 1 "
                          "columns."),
    ]
    for image, kernel in cases:
        expected = _conv_valid(image, kernel)
        try:
            got = _run(name, my_conv2d, (image.copy(), kernel.copy()), hints)
        except _Stop as stop:
            return stop.result
        if _same(got, expected):
            continue
        arr = _array(got)
        kh, kw = kernel.shape
        mistakes = [
            (lambda im, k: _conv_valid(im, k[::-1, ::-1]),
             "You flipped the kernel (that is the 'convolution' of maths textbooks). Deep-learning "
             "libraries, "
             "and this course, do not flip it: multiply window[i, j] by kernel[i, j]."),
            (lambda im, k: _conv_valid(im, k)[:-1, :-1], "The last row and column are missing: there are "
                                                         "H - kh + 1 positions, so loop over range(H - kh + "
                                                         "1)."),
            (lambda im, k: _conv_valid(im, k)[:-1], "The last row is missing: there are H - kh + 1 rows."),
            (lambda im, k: _conv_valid(im, k)[:, :-1], "The last column is missing: there are W - kw + 1 "
                                                       "columns."),
            (lambda im, k: _conv_valid(im, k).T, "The output is transposed: out[r, c] belongs to the window "
                                                 "starting at row r, column c."),
            (lambda im, k: ops.conv2d(im, k, padding="same"), "Your output has the size of the input: that "
                                                              "is "
                                                              "'same' padding. Here there is no padding: the "
                                                              "output is (H - kh + 1, W - kw + 1)."),
        ]
        msg = _mistake(got, mistakes, image, kernel)
        if msg:
            return _report(name, WRONG, msg)
        if arr is None or arr.shape != expected.shape:
            shape = None if arr is None else arr.shape
            return _report(name, WRONG, f"For a {image.shape} image and a {kernel.shape} kernel the output "
                                        f"should have shape {expected.shape} (H - kh + 1, W - kw + 1), got "
                                        f"{shape}.")
        return _report(name, WRONG, "The shape is right but not the values: "
                       + _first_difference(arr, expected)
                       + f". out[r, c] should be np.sum(image[r:r + {kh}, c:c + {kw}] * kernel).")
    return _report(name, CORRECT, "Your loops compute exactly what ops.conv2d_loops and ops.conv2d "
                                  "(and Keras's Conv2D) compute.")


@_checker
def check_edge_kernel(kernel) -> Result:
    """Lesson 02: a kernel that fires (positive) where dark pixels above meet bright pixels below."""
    from . import kernels as catalogue
    from . import ops

    name = "check_edge_kernel"
    what = "your kernel, e.g. np.array([[...], [...], [...]])"
    if (r := _unanswered_value(name, what, kernel)) is not None:
        return r
    if isinstance(kernel, str):
        try:
            kernel = catalogue.get(kernel) if kernel in catalogue.names() else catalogue.parse(kernel)
        except ValueError as exc:
            return _report(name, WRONG, str(exc))
    k = _array(kernel)
    if k is None or k.ndim != 2:
        return _report(name, WRONG, f"A kernel is a 2-D grid of numbers such as a 3 x 3 array, got "
                                    f"{'shape ' + str(k.shape) if k is not None else type(kernel).__name__}.")
    if k.size < 2 or max(k.shape) > 7:
        return _report(name, WRONG, "Use a small kernel, at most 7 x 7 (3 x 3 is typical), got shape "
                                    f"{k.shape}.")
    if not np.isfinite(k).all():
        return _report(name, WRONG, "Your kernel contains NaN or infinity.")
    size = 11
    flat = np.full((size, size), 0.5)
    horizontal = np.zeros((size, size))
    horizontal[size // 2:] = 1.0  # dark above, bright below
    vertical = horizontal.T.copy()  # dark left, bright right
    scale = 1e-6 * (1 + np.abs(k).sum())
    r_flat = ops.conv2d(flat, k)
    r_h = ops.conv2d(horizontal, k)
    r_v = ops.conv2d(vertical, k)
    fires_h, against_h = r_h.max() > scale, r_h.min() < -scale
    quiet_v = np.abs(r_v).max() <= scale
    if np.abs(r_flat).max() > scale:
        return _report(name, WRONG, f"It responds in flat areas where nothing changes (there it gives "
                                    f"{float(r_flat.flat[0] * 2):.3g} per unit of brightness, the sum of "
                                    "your "
                                    f"weights). An edge detector's weights must add up to 0.")
    if not fires_h and not against_h:
        if not quiet_v:
            return _report(name, WRONG, "That kernel finds vertical edges (brightness changing from left to "
                                        "right). Turn it by 90 degrees, e.g. np.rot90(kernel), so it "
                                        "compares "
                                        "the row above with the row below.")
        return _report(name, WRONG, "It does not react to a horizontal edge at all. Give the top row "
                                    "negative weights and the bottom row positive ones.")
    if against_h and not fires_h:
        return _report(name, WRONG, "It reacts to horizontal edges but with the wrong sign: it is positive "
                                    "for bright above dark. Swap the signs: negative on top, positive at the "
                                    "bottom.")
    if not quiet_v:
        return _report(name, WRONG, "It finds horizontal edges but also reacts to vertical ones. Make every "
                                    "row constant from left to right, e.g. -1 -2 -1 / 0 0 0 / 1 2 1.")
    return _report(name, CORRECT, "Positive along dark-above-bright edges, zero on flat areas and on "
                                  "vertical "
                                  "edges. kernels.get('sobel_y') is a famous kernel of this kind.")


# ================================================================ lesson 03


@_checker
def check_relu(my_relu) -> Result:
    """Lesson 03: ``my_relu(x)`` keeps positive values and turns negative ones into 0."""
    name = "check_relu"
    if (r := _start_function(name, my_relu, "my_relu(x)")) is not None:
        return r
    x = np.array([[-2.5, -1.0, 0.0, 0.5], [3.0, -0.25, 2.0, -4.0], [0.75, 1.5, -3.0, 0.0]])
    original = x.copy()
    try:
        got = _run(name, my_relu, (x,), hints=[
            ("truth value", "Python's max() compares whole arrays. np.maximum(x, 0) compares every "
                            "number with 0, one by one."),
        ])
    except _Stop as stop:
        return stop.result
    expected = np.maximum(original, 0)
    if _same(got, expected):
        if not np.array_equal(x, original):
            return _report(name, WRONG, "The result is right, but your function changed its input: the "
                                        "negative numbers of x are now 0 too. Work on a copy (x = x.copy()) "
                                        "or use np.maximum(x, 0), which makes a new array.")
        return _report(name, CORRECT, "np.maximum(x, 0) keeps the positive evidence and replaces the "
                                      "negative numbers with 0.")
    mistakes = [
        (lambda v: np.abs(v), "You turned the negative numbers positive (absolute value). ReLU replaces "
                              "them with 0 instead."),
        (lambda v: np.minimum(v, 0), "You kept the negative numbers and zeroed the positive ones: the "
                                     "opposite "
                                     "of ReLU. Use np.maximum."),
        (lambda v: (v > 0).astype(float), "You returned 1 where x > 0 and 0 elsewhere (a mask). ReLU keeps "
                                          "the "
                                          "value itself: x where x > 0."),
        (lambda v: np.max(v, 0), "np.max(x, 0) finds the largest number in each column (axis 0). You want "
                                 "np.maximum(x, 0), which compares each number with 0."),
        (lambda v: np.clip(v, 0, 1), "You also cut the values above 1. ReLU lets positive values through "
                                     "unchanged, however large."),
        (lambda v: np.where(v > 0, v, 0.01 * v), "That is a leaky ReLU: negative numbers must become exactly "
                                                 "0."),
    ]
    msg = _mistake(got, mistakes, original)
    if msg is None:
        arr = _array(got)
        if arr is None or arr.shape != original.shape:
            msg = (f"my_relu must return an array of the same shape as x {original.shape}, got "
                   f"{None if arr is None else arr.shape}.")
        else:
            msg = "Some values are wrong: " + _first_difference(arr, expected) + "."
    return _report(name, WRONG, msg)


@_checker
def check_leaky_relu(leaky_relu) -> Result:
    """Lesson 03: ``leaky_relu(x, alpha)``: ``x`` where positive, ``alpha * x`` where negative."""
    name = "check_leaky_relu"
    if (r := _start_function(name, leaky_relu, "leaky_relu(x, alpha)")) is not None:
        return r
    x = np.array([-4.0, -1.0, -0.5, 0.0, 0.5, 2.0, 5.0])
    results = {}
    try:
        for alpha in (0.1, 0.25):
            results[alpha] = _run(name, leaky_relu, (x.copy(), alpha), hints=[
                ("positional argument", "Give your function two parameters: def leaky_relu(x, alpha):"),
                ("truth value", "Use np.where(x > 0, x, alpha * x), which decides number by number."),
            ])
    except _Stop as stop:
        return stop.result
    ok = {a: _same(results[a], np.where(x > 0, x, a * x)) for a in results}
    if all(ok.values()):
        return _report(name, CORRECT, "Positive values pass unchanged and negative ones are scaled by alpha, "
                                      "so a negative input still has a (small) effect.")
    if ok[0.1] and not ok[0.25]:
        return _report(name, WRONG, "Right for alpha = 0.1 but not for alpha = 0.25: use the alpha argument "
                                    "instead of a fixed 0.1.")
    alpha = 0.25 if not ok[0.25] else 0.1
    mistakes = [
        (lambda v: np.maximum(v, 0), "Negative numbers became 0: that is the plain ReLU. Multiply them by "
                                     "alpha instead."),
        (lambda v: alpha * v, "You multiplied every number by alpha. Positive numbers must pass unchanged."),
        (lambda v: np.where(v > 0, alpha * v, v), "You scaled the positive numbers and kept the negative "
                                                  "ones: "
                                                  "the other way round."),
        (lambda v: np.maximum(v, alpha), "np.maximum(x, alpha) compares with the number alpha. Compare with "
                                         "alpha * x: np.maximum(x, alpha * x)."),
        (lambda v: np.where(v > 0, v, alpha), "Negative numbers became alpha itself; they should become "
                                              "alpha * x."),
    ]
    msg = _mistake(results[alpha], mistakes, x)
    return _report(name, WRONG, msg or f"With alpha = {alpha}: " + _first_difference(
        results[alpha], np.where(x > 0, x, alpha * x)) + ".")


def combined_kernel_parts():
    """The two kernels of the lesson 03 exercise: ``emboss`` then ``sobel_x``."""
    from . import kernels as catalogue

    return catalogue.get("emboss").astype(np.float64), catalogue.get("sobel_x").astype(np.float64)


@_checker
def check_combined_kernel(kernel) -> Result:
    """Lesson 03: the single 5x5 kernel equal to ``emboss`` followed by ``sobel_x`` (valid convolutions)."""
    from . import ops

    name = "check_combined_kernel"
    if (r := _unanswered_value(name, "one kernel that does both steps at once", kernel)) is not None:
        return r
    first, second = combined_kernel_parts()
    expected = ops.conv2d(first, second[::-1, ::-1], padding=2)
    k = _array(kernel)
    if k is None or k.ndim != 2:
        return _report(name, WRONG, "Give a 2-D array of numbers (the combined kernel).")
    if k.shape != (5, 5):
        why = {(3, 3): "A 3 x 3 kernel followed by another 3 x 3 kernel looks at a 5 x 5 patch of the "
                       "image, so the combined kernel is 5 x 5. Pad `first` with 2 zeros on every side.",
               (1, 1): "A valid convolution of a 3 x 3 array with a 3 x 3 kernel leaves 1 x 1. Pad `first` "
                       "with 2 zeros on every side (padding=2) so every overlap is counted."}
        return _report(name, WRONG, why.get(k.shape, f"The combined kernel should be 5 x 5, got {k.shape}."))
    if np.allclose(k, expected, atol=1e-5):
        rng = _rng(5)
        x = rng.normal(size=(12, 12))
        assert np.allclose(ops.conv2d(ops.conv2d(x, first), second), ops.conv2d(x, k), atol=1e-4)
        return _report(name, CORRECT, "One 5 x 5 kernel does the work of both: two linear filters in a row "
                                      "are just one bigger linear filter.")
    mistakes = [
        (lambda: ops.conv2d(first, second, padding=2), "Almost: you slid `second` over `first` without "
                                                       "flipping "
                                                       "it. Use second[::-1, ::-1] (the algebra above shows "
                                                       "why)."),
        (lambda: ops.conv2d(second, first, padding=2), "Almost: slide the flipped kernel: "
                                                       "ops.conv2d(first, second[::-1, ::-1], padding=2)."),
        (lambda: expected[::-1, ::-1], "Your kernel is turned by 180 degrees: flip `second`, not `first`."),
    ]
    msg = _mistake(k, [(lambda m=m: m(), t) for m, t in mistakes])
    return _report(name, WRONG, msg or "Not the combined kernel. Compute "
                                       "ops.conv2d(first, second[::-1, ::-1], padding=2).")


# ================================================================ lesson 04

POOLED_SHAPE_CASES = (((26, 26, 32), 2, None), ((27, 27, 8), 2, None), ((13, 13, 4), 3, 2),
                      ((10, 12, 3), 3, 1), ((7, 9, 1), 2, None))


def _pooled(shape, size, stride):
    s = size if stride is None else stride
    return ((shape[0] - size) // s + 1, (shape[1] - size) // s + 1, shape[2])


@_checker
def check_pooled_shape(pooled_shape) -> Result:
    """Lesson 04: ``pooled_shape(shape, size, stride)`` of an (H, W, C) stack; ``stride=None`` is ``size``."""
    name = "check_pooled_shape"
    if (r := _start_function(name, pooled_shape, "pooled_shape(shape, size, stride)")) is not None:
        return r
    got = []
    try:
        for case in POOLED_SHAPE_CASES:
            got.append(_run(name, pooled_shape, case, hints=[
                ("nonetype", "When stride is None, pooling uses stride = size: start with "
                             "`if stride is None: stride = size`."),
            ]))
    except _Stop as stop:
        return stop.result
    shapes = [_int_tuple(g) for g in got]
    for case, shape, raw in zip(POOLED_SHAPE_CASES, shapes, got):
        if shape is None or len(shape) != 3:
            return _report(name, WRONG, f"pooled_shape{case} should return 3 whole numbers (H, W, C), "
                                        f"got {raw!r:.60}.")
    answers = [_pooled(*c) for c in POOLED_SHAPE_CASES]
    if shapes == answers:
        return _report(name, CORRECT, "Height and width shrink by the stride; the number of channels stays: "
                                      "every map is pooled on its own.")
    if any(shape[2] != case[0][2] for case, shape in zip(POOLED_SHAPE_CASES, shapes)):
        case, shape = next((c, s) for c, s in zip(POOLED_SHAPE_CASES, shapes) if s[2] != c[0][2])
        return _report(name, WRONG, f"The channels must not change: pooled_shape{case} gives {shape[2]} "
                                    f"channels, but pooling works on each of the {case[0][2]} maps "
                                    "separately, "
                                    f"so C stays {case[0][2]}.")

    def same_for_all(make):
        try:
            return [tuple(make(*c)) for c in POOLED_SHAPE_CASES] == shapes
        except Exception:
            return False

    stride_of = lambda size, stride: size if stride is None else stride  # noqa: E731
    mistakes = [
        (lambda sh, k, s: (-(-(sh[0] - k) // stride_of(k, s)) + 1, -(-(sh[1] - k) // stride_of(k, s)) + 1,
                           sh[2]),
         "Round down: with 'valid' pooling a window that would stick out of the map is dropped "
         "(27 rows give 13 windows, not 14)."),
        (lambda sh, k, s: (sh[0] // k, sh[1] // k, sh[2]),
         "You divided by the window size, which works only when stride = size. Use the stride: "
         "(H - size) // stride + 1."),
        (lambda sh, k, s: ((sh[0] - k) // stride_of(k, s), (sh[1] - k) // stride_of(k, s), sh[2]),
         "One too small: add 1 for the first window, (H - size) // stride + 1."),
        (lambda sh, k, s: ((sh[1] - k) // stride_of(k, s) + 1, (sh[0] - k) // stride_of(k, s) + 1, sh[2]),
         "Height and width are swapped: shape is (H, W, C), rows first."),
    ]
    for make, message in mistakes:
        if same_for_all(make):
            return _report(name, WRONG, message)
    case, right, shape = next((c, a, s) for c, a, s in zip(POOLED_SHAPE_CASES, answers, shapes) if a != s)
    return _report(name, WRONG, f"pooled_shape{case} should be {right}, got {shape}. Each of H and W becomes "
                                f"(n - size) // stride + 1; C stays.")


@_checker
def check_max_pool(my_max_pool) -> Result:
    """Lesson 04: ``my_max_pool(x)``: 2x2 windows, stride 2, leftover row/column dropped (Keras 'valid')."""
    from . import ops

    name = "check_max_pool"
    if (r := _start_function(name, my_max_pool, "my_max_pool(x)")) is not None:
        return r
    rng = _rng(6)
    cases = [rng.integers(0, 10, (4, 6)).astype(np.float64), np.round(rng.normal(size=(5, 7)), 1)]
    for x in cases:
        expected = ops.max_pool(x, 2).astype(np.float64)
        try:
            got = _run(name, my_max_pool, (x.copy(),), hints=[
                ("cannot reshape", "That reshape only works when H and W are even. Drop the leftover row and "
                                   "column first: x[:H // 2 * 2, :W // 2 * 2]."),
                ("out of bounds", "Loop only over full windows: H // 2 rows and W // 2 columns."),
                ("sequence", "One output cell gets one number: the max of its window, window.max()."),
            ])
        except _Stop as stop:
            return stop.result
        if _same(got, expected):
            continue
        h, w = x.shape
        mistakes = [
            (lambda v: ops.avg_pool(v, 2), "You averaged each window: that is average pooling. Take the "
                                           "largest value instead (window.max())."),
            (lambda v: -ops.max_pool(-v, 2), "You took the smallest value of each window. Max pooling keeps "
                                             "the "
                                             "largest."),
            (lambda v: ops.max_pool(v, 2, stride=1), "Your windows overlap: you moved one pixel at a time "
                                                     "(stride 1). Jump by 2 (stride = window size)."),
            (lambda v: ops.max_pool(v, 2, padding="same"), "You kept the leftover row or column as an extra, "
                                                           "smaller window. Keras's default ('valid') drops "
                                                           "it: a 5 x 7 map gives 2 x 3."),
            (lambda v: ops.max_pool(v, 2).T, "The result is transposed: out[r, c] comes from rows 2r, 2r+1 "
                                             "and "
                                             "columns 2c, 2c+1."),
            (lambda v: np.array(v.max()), "You took the largest value of the whole map. Pool every 2 x 2 "
                                          "window separately."),
            (lambda v: v[: h // 2 * 2: 2, : w // 2 * 2: 2], "You kept the top-left number of each window; "
                                                            "keep "
                                                            "its largest number."),
        ]
        msg = _mistake(got, mistakes, x)
        if msg:
            return _report(name, WRONG, msg)
        arr = _array(got)
        if arr is None or arr.shape != expected.shape:
            return _report(name, WRONG, f"A {x.shape} map should give {expected.shape}, got "
                                        f"{None if arr is None else arr.shape}.")
        return _report(name, WRONG, "Right shape, wrong values: " + _first_difference(arr, expected)
                       + ". out[r, c] = x[2r:2r + 2, 2c:2c + 2].max().")
    return _report(name, CORRECT, "Same numbers as ops.max_pool(x, 2) and Keras's MaxPooling2D, odd sizes "
                                  "included.")


# ================================================================ lesson 05


@_checker
def check_flat_length(answer) -> Result:
    """Lesson 05: how many numbers ``flatten`` makes of a (13, 13, 32) stack."""
    name = "check_flat_length"
    if (r := _unanswered_value(name, "a whole number", answer)) is not None:
        return r
    value = _as_int(answer)
    if value is None:
        t = _int_tuple(answer) if not isinstance(answer, (int, float, np.number)) else None
        if t == (5408,):
            value = 5408
        elif t == (13, 13, 32):
            return _report(name, WRONG, "That is the shape of the stack. How many numbers does it hold in "
                                        "all?")
        else:
            return _report(name, WRONG, f"Give one whole number, got {answer!r:.40}.")
    known = {5408: None,
             169: "That is one map (13 x 13). The stack has 32 of them.",
             416: "13 x 32 counts one row of every map. Multiply all three: 13 x 13 x 32.",
             58: "You added the sizes. The vector holds every number of the stack: multiply them.",
             2704: "That is half of it: 13 x 13 x 16. There are 32 channels.",
             6272: "7 x 7 x 128 is another stack. Here it is 13 x 13 x 32."}
    if value in known:
        if known[value] is None:
            return _report(name, CORRECT, "13 x 13 x 32 = 5408 numbers, the same count as before: flattening "
                                          "only changes the arrangement.")
        return _report(name, WRONG, known[value])
    return _report(name, WRONG, f"{value} is not it. Multiply height, width and number of channels.")


FLAT_INDEX_CASES = ((0, 0, 0, (3, 4, 2)), (0, 0, 1, (3, 4, 2)), (0, 1, 0, (3, 4, 2)), (1, 0, 0, (3, 4, 2)),
                    (2, 3, 1, (3, 4, 2)), (1, 2, 2, (2, 5, 3)), (4, 1, 0, (5, 2, 3)), (3, 0, 1, (6, 3, 2)))


@_checker
def check_flat_index(flat_index) -> Result:
    """Lesson 05: ``flat_index(row, col, channel, shape)``: where ``ops.flatten`` puts that entry."""
    name = "check_flat_index"
    if (r := _start_function(name, flat_index, "flat_index(row, col, channel, shape)")) is not None:
        return r
    got = []
    try:
        for case in FLAT_INDEX_CASES:
            got.append(_run(name, flat_index, case))
    except _Stop as stop:
        return stop.result
    ints = [_as_int(g) for g in got]
    for case, value, raw in zip(FLAT_INDEX_CASES, ints, got):
        if value is None:
            return _report(name, WRONG, f"flat_index{case} should return one whole number, got {raw!r:.40}.")
    answers = [(r * s[1] + c) * s[2] + k for r, c, k, s in FLAT_INDEX_CASES]
    if ints == answers:
        return _report(name, CORRECT, "(row * W + col) * C + channel: whole rows first, then pixels in a "
                                      "row, "
                                      "and the C channels of one pixel side by side.")
    mistakes = [
        (lambda r, c, k, s: k * s[0] * s[1] + r * s[1] + c,
         "That is the channels-first order (all of channel 0, then all of channel 1). Keras's Flatten on "
         "(H, W, C) keeps the channels of one pixel together: channel varies fastest."),
        (lambda r, c, k, s: (r * s[0] + c) * s[2] + k,
         "A row holds W pixels, not H: multiply the row by the width, shape[1]."),
        (lambda r, c, k, s: (c * s[0] + r) * s[2] + k,
         "You went column by column. Flatten goes row by row: row * W + col."),
        (lambda r, c, k, s: r * s[1] + c,
         "You forgot the channels: each pixel takes C places in the vector, so multiply by C and add "
         "channel."),
        (lambda r, c, k, s: r * s[1] * s[2] + c + k,
         "Each pixel takes C places, so the column also moves by C: (row * W + col) * C + channel."),
        (lambda r, c, k, s: (r * s[1] + c) * s[2] + k + 1,
         "One too far: Python counts from 0, so entry [0, 0, 0] is at index 0."),
    ]
    for make, message in mistakes:
        if [make(*case) for case in FLAT_INDEX_CASES] == ints:
            return _report(name, WRONG, message)
    case, right, value = next((c, a, g) for c, a, g in zip(FLAT_INDEX_CASES, answers, ints) if a != g)
    return _report(name, WRONG, f"flat_index{case} should be {right}, yours gives {value}.")


@_checker
def check_channels_first(flatten_channels_first) -> Result:
    """Lesson 05: flatten an (H, W, C) stack channels-first (all of channel 0, then channel 1 ...)."""
    name = "check_channels_first"
    if (r := _start_function(name, flatten_channels_first, "flatten_channels_first(maps)")) is not None:
        return r
    maps = np.arange(2 * 3 * 4, dtype=np.float64).reshape(2, 3, 4) * 1.5 - 7
    try:
        got = _run(name, flatten_channels_first, (maps.copy(),))
    except _Stop as stop:
        return stop.result
    expected = maps.transpose(2, 0, 1).reshape(-1)
    if _same(got, expected):
        return _report(name, CORRECT, "Move the channel axis to the front, then read row by row: the order "
                                      "of channels-first libraries such as PyTorch.")
    mistakes = [
        (lambda m: m.reshape(-1), "That is Keras's channels-last order. Reshaping to (C, H, W) does not help "
                                  "either: reshape regroups numbers without moving them. Move the channel "
                                  "axis "
                                  "with np.transpose(maps, (2, 0, 1)) first."),
        (lambda m: m.transpose(2, 1, 0).reshape(-1), "The channels come first, but inside each channel you "
                                                     "went "
                                                     "column by column. Use the axes (2, 0, 1)."),
        (lambda m: m.reshape(-1, order="F"), "order='F' reads the first axis fastest (column by column). "
                                             "Move "
                                             "the channel axis to the front and read in the normal order."),
        (lambda m: m.transpose(2, 0, 1), "Right order, but the result must be one vector: add .reshape(-1)."),
        (lambda m: m.transpose(1, 0, 2).reshape(-1), "You swapped rows and columns, not the channels."),
    ]
    msg = _mistake(got, mistakes, maps)
    if msg is None:
        arr = _array(got)
        msg = (f"The vector should have {maps.size} numbers, got shape {None if arr is None else arr.shape}."
               if arr is None or arr.shape != expected.shape else
               "Wrong order: " + _first_difference(arr, expected) + ".")
    return _report(name, WRONG, msg)


# ================================================================ lesson 06


@_checker
def check_dense(my_dense) -> Result:
    """Lesson 06: ``my_dense(x, weights, bias)`` = ``x @ weights + bias`` for one vector or a batch."""
    name = "check_dense"
    if (r := _start_function(name, my_dense, "my_dense(x, weights, bias)")) is not None:
        return r
    rng = _rng(7)
    x = np.round(rng.normal(size=4), 1)
    batch = np.round(rng.normal(size=(2, 4)), 1)
    w = np.round(rng.normal(size=(4, 3)), 1)
    b = np.array([0.5, -1.0, 2.0])
    hints = [
        ("matmul", "weights has shape (n_in, n_out), as Keras stores it. Put the input on the left: "
                   "x @ weights."),
        ("could not be broadcast", "* multiplies number by number. For the weighted sums of every unit use "
                                   "the matrix product, @."),
        ("aligned", "weights has shape (n_in, n_out): x @ weights, with x on the left."),
    ]
    for inputs in ((x, w, b), (batch, w, b)):
        expected = inputs[0] @ w + b
        if inputs[0].ndim == 2:  # one vector worked: a failure now is about batches
            try:
                my_dense(*(a.copy() for a in inputs))
            except Exception as exc:
                return _report(name, WRONG, f"Works for one input vector but fails ({type(exc).__name__}) "
                                            f"for a batch of them, shape (N, n_in). x @ weights + bias "
                                            f"handles both.")
        try:
            got = _run(name, my_dense, tuple(a.copy() for a in inputs), hints)
        except _Stop as stop:
            return stop.result
        if _same(got, expected):
            continue
        mistakes = [
            (lambda v, W, B: v @ W, "You forgot the bias: add it after the weighted sum (x @ weights + "
                                    "bias)."),
            (lambda v, W, B: v @ W - B, "Add the bias, do not subtract it."),
            (lambda v, W, B: v @ W + B.sum(), "Each unit has its own bias: add the vector `bias`, not its "
                                              "sum."),
            (lambda v, W, B: (v + B.mean()) @ W, "The bias is added after the weighted sum, once per unit."),
            (lambda v, W, B: np.maximum(v @ W + B, 0), "No activation here: a Dense layer's own work is just "
                                                       "x @ weights + bias."),
        ]
        msg = _mistake(got, mistakes, *inputs)
        if msg:
            return _report(name, WRONG, msg)
        arr = _array(got)
        if arr is None or arr.shape != expected.shape:
            return _report(name, WRONG, f"With x of shape {inputs[0].shape} and weights {w.shape} the result "
                                        f"should be {expected.shape}, got "
                                        f"{None if arr is None else arr.shape}.")
        return _report(name, WRONG, "Wrong values: " + _first_difference(arr, expected) + ".")
    return _report(name, CORRECT, "Every unit takes a weighted sum of all inputs and adds its bias: "
                                  "the same numbers as ops.dense and Keras's Dense.")


SOFTMAX_CASES = (np.array([2.0, 1.0, 0.1]), np.array([-3.0, 0.0, 3.0, 1.0]),
                 np.array([1000.0, 1001.0, 1002.0]),
                 np.array([-1000.0, 0.0, 1000.0]))


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


@_checker
def check_softmax(my_softmax) -> Result:
    """Lesson 06: ``my_softmax(z)`` for a 1-D vector of scores, safe for large scores."""
    name = "check_softmax"
    if (r := _start_function(name, my_softmax, "my_softmax(z)")) is not None:
        return r
    got = []
    try:
        for z in SOFTMAX_CASES:
            got.append(_run(name, my_softmax, (z.copy(),)))
    except _Stop as stop:
        return stop.result
    ok = [_same(g, _softmax(z), atol=1e-6) for g, z in zip(got, SOFTMAX_CASES)]
    if all(ok):
        return _report(name, CORRECT, "Positive numbers that add up to 1, and no overflow even for scores "
                                      "like 1000, thanks to subtracting the largest score first.")
    if ok[0] and ok[1] and not ok[2]:
        return _report(name, WRONG, "Right for small scores, but for [1000, 1001, 1002] np.exp overflows to "
                                    "infinity and you get nan. Subtract z.max() from every score first: the "
                                    "result does not change, and the largest exponent becomes exp(0) = 1.")
    if ok[0] and ok[1] and ok[2] and not ok[3]:
        return _report(name, WRONG, "Almost: for [-1000, 0, 1000] it overflows. Subtract the largest score "
                                    "(z.max()), not the smallest.")
    z = SOFTMAX_CASES[0]
    mistakes = [
        (lambda v: v / v.sum(), "You forgot the exponential: softmax is np.exp(z) / np.exp(z).sum()."),
        (lambda v: np.exp(v), "Divide by the sum of the exponentials so the numbers add up to 1."),
        (lambda v: np.exp(v) / np.exp(v).max(), "Divide by the sum, not by the largest value: the "
                                                "probabilities must add up to 1."),
        (lambda v: 1 / (1 + np.exp(-v)), "That is the sigmoid of each score on its own. Softmax makes the "
                                         "scores compete: np.exp(z) / np.exp(z).sum()."),
        (lambda v: np.eye(v.size)[np.argmax(v)], "That is a hard one-hot answer. Softmax gives every class a "
                                                 "probability: np.exp(z) / np.exp(z).sum()."),
        (lambda v: (v - v.max()) / (v - v.max()).sum(), "Subtracting the max is right, but take np.exp of "
                                                        "the "
                                                        "result before dividing by the sum."),
    ]
    msg = _mistake(got[0], mistakes, z)
    if msg is None:
        arr = _array(got[0])
        msg = (f"For z of shape {z.shape} the result should have the same shape, got "
               f"{None if arr is None else arr.shape}." if arr is None or arr.shape != z.shape else
               f"For z = {z.tolist()}: " + _first_difference(arr, _softmax(z)) + ".")
    return _report(name, WRONG, msg)


CONV_PARAM_CASES = ((3, 1, 32), (3, 3, 16), (5, 16, 8), (1, 64, 10), (3, 32, 64))


@_checker
def check_conv_params(conv_params) -> Result:
    """Lesson 06: ``conv_params(kernel_size, in_channels, filters)`` of a Conv2D with biases."""
    name = "check_conv_params"
    what = "conv_params(kernel_size, in_channels, filters)"
    if (r := _start_function(name, conv_params, what)) is not None:
        return r
    got = []
    try:
        for case in CONV_PARAM_CASES:
            got.append(_run(name, conv_params, case))
    except _Stop as stop:
        return stop.result
    ints = [_as_int(g) for g in got]
    for case, value, raw in zip(CONV_PARAM_CASES, ints, got):
        if value is None:
            return _report(name, WRONG, f"conv_params{case} should return a whole number, got {raw!r:.40}.")
    answers = [(k * k * c + 1) * f for k, c, f in CONV_PARAM_CASES]
    if ints == answers:
        return _report(name, CORRECT, "Each filter has k x k x C weights plus one bias: (k*k*C + 1) * F. "
                                      "The image size does not appear: the same weights slide everywhere.")
    mistakes = [
        (lambda k, c, f: k * k * c * f, "You forgot the biases: every filter has one, (k*k*C + 1) * F."),
        (lambda k, c, f: (k * k + 1) * f, "Each filter sees every input channel: it holds k x k weights per "
                                          "channel, k*k*C in all."),
        (lambda k, c, f: k * k * c * f + 1, "There is one bias per filter, not one for the whole layer."),
        (lambda k, c, f: 2 * k * k * c * f, "There is one bias per filter, not one per weight."),
        (lambda k, c, f: (k * c + 1) * f, "A k x k kernel has k * k weights per channel, not k."),
        (lambda k, c, f: (k * k * f + 1) * c, "Filters and input channels are swapped: each of the F filters "
                                              "has k*k*C weights and one bias."),
    ]
    for make, message in mistakes:
        if [make(*case) for case in CONV_PARAM_CASES] == ints:
            return _report(name, WRONG, message)
    case, right, value = next((c, a, g) for c, a, g in zip(CONV_PARAM_CASES, answers, ints) if a != g)
    return _report(name, WRONG, f"conv_params{case} should be {right}, yours gives {value}.")
