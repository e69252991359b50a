"""cnnlab.exercises: every checker accepts its reference answer, names typical mistakes in tiers, never raises."""

import inspect
import re
import time
from pathlib import Path

import numpy as np
import pytest

from cnnlab import exercises, kernels, ops
from cnnlab._timing import best_time
from cnnlab.exercises import Result
from cnnlab.exercises._core import EXERCISES

CHECKERS = [exercise.checker for exercise in EXERCISES.values()]
LESSONS = Path(__file__).resolve().parents[1] / "lessons"
#: the checker modules, one per lesson, in lesson order: the counts below are read from them
LESSON_MODULES = sorted(Path(exercises.__file__).parent.glob("lesson[0-9][0-9].py"))


def _checkers_defined(module: Path) -> list[str]:
    """The checkers a lesson module defines, in order: each ``def check_...`` under a ``@checks_...``."""
    return re.findall(r"^@checks_(?:function|value)\((?:.*\n)*?def (check_\w+)\(", module.read_text(), re.MULTILINE)


@pytest.fixture(autouse=True)
def _fresh_tiers():
    exercises.reset()
    yield
    exercises.reset()


def check(name, answer):
    return getattr(exercises, name)(answer)


def reference(name):
    return EXERCISES[name.removeprefix("check_")].reference()


# ---------------------------------------------------------------- the package's shape


def test_every_public_checker_is_registered_once():
    public = [n for n in exercises.__all__ if n.startswith("check_")]
    defined = [name for module in LESSON_MODULES for name in _checkers_defined(module)]
    assert sorted(public) == sorted(CHECKERS) == sorted(defined) and len(set(defined)) == len(defined)


def test_every_name_the_lessons_use_exists():
    used = set()
    for notebook in sorted(LESSONS.glob("*.ipynb")):
        used |= set(re.findall(r"exercises\.([a-z_0-9]+)", notebook.read_text(encoding="utf-8")))
    assert len(used) >= 17
    assert not {name for name in used if not hasattr(exercises, name)}


@pytest.mark.parametrize("name", CHECKERS)
def test_reference_answer_sits_beside_its_checker(name):
    exercise = EXERCISES[name.removeprefix("check_")]
    checker = getattr(exercises, name)
    module = inspect.getmodule(exercise.answer)
    assert module is inspect.getmodule(checker.__wrapped__)
    lesson = re.search(r"Lesson (\d\d)", checker.__doc__).group(1)
    assert module.__name__ == f"cnnlab.exercises.lesson{lesson}"


def test_no_module_is_over_600_lines():
    for path in Path(exercises.__file__).parent.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 600, path.name


# ---------------------------------------------------------------- every checker, every kind of answer


@pytest.mark.parametrize("name", CHECKERS)
def test_reference_answer_is_accepted(name, capsys):
    result = check(name, reference(name))
    assert isinstance(result, Result) and result and result.status == "correct" and result.tries == 0
    assert capsys.readouterr().out.startswith("✓ Correct!")


@pytest.mark.parametrize("name", CHECKERS)
@pytest.mark.parametrize("placeholder", [..., None])
def test_untouched_placeholder_prints_not_answered(name, placeholder, capsys):
    result = check(name, placeholder)
    assert not result and result.status == "unanswered" and not result.answered
    assert capsys.readouterr().out.startswith("Not answered yet:")


@pytest.mark.parametrize("name", CHECKERS)
@pytest.mark.parametrize("junk", [object(), "hello", 42, [1, "a"], np.array(["x", "y"]), lambda *a: 1 / 0,
                                  lambda *a: "text", lambda *a: [[1, 2], [3]], float("nan")])
def test_checkers_never_raise_on_junk(name, junk, capsys):
    result = check(name, junk)
    assert isinstance(result, Result) and not result
    out = capsys.readouterr().out
    assert out.strip() and "Traceback" not in out


def _skeleton_with_ellipsis(*args):
    """What a learner's untouched function looks like: it uses ``...`` and fails."""
    size = ...
    return np.zeros((size, size))


def _skeleton_returning_ellipsis(*args):
    return ...


def _forgot_return(*args):
    np.zeros(3)


FUNCTION_CHECKERS = [n for n in CHECKERS if callable(reference(n))]


@pytest.mark.parametrize("name", FUNCTION_CHECKERS)
@pytest.mark.parametrize("fn", [_skeleton_with_ellipsis, _skeleton_returning_ellipsis])
def test_untouched_function_skeleton_is_not_answered(name, fn, capsys):
    result = check(name, fn)
    assert result.status == "unanswered", result.message
    assert "`...`" in capsys.readouterr().out


@pytest.mark.parametrize("name", FUNCTION_CHECKERS)
def test_forgotten_return_is_pointed_out(name, capsys):
    result = check(name, _forgot_return)
    assert result.status == "unanswered"
    assert "return" in capsys.readouterr().out


@pytest.mark.parametrize("name", FUNCTION_CHECKERS)
def test_passing_a_value_instead_of_a_function(name, capsys):
    result = check(name, np.zeros((3, 3)))
    assert result.status == "wrong"
    assert "function" in capsys.readouterr().out


def test_result_object():
    right = check("check_flat_length", 5408)
    wrong = check("check_flat_length", 169)
    assert right and not wrong
    assert repr(right) == "<check_flat_length: correct>" and repr(wrong) == "<check_flat_length: wrong>"
    assert str(wrong).startswith("✗ Not yet.") and "13 x 13" in str(wrong)
    assert right._ipython_display_() is None  # shows nothing more in a notebook


# ---------------------------------------------------------------- the learner's code cannot break the cell


class _Quit(BaseException):
    """Like SystemExit: not an Exception."""


@pytest.mark.parametrize("name", FUNCTION_CHECKERS)
@pytest.mark.parametrize("exc", [KeyError("oops"), SystemExit("oops"), _Quit("oops"), GeneratorExit("oops")])
def test_anything_the_learner_raises_stays_in_the_feedback(name, exc, capsys):
    def broken(*args):
        raise exc

    result = check(name, broken)
    assert result.status == "error" and not result
    out = capsys.readouterr().out
    assert f"stopped with {type(exc).__name__}: " in out and "oops" in out


def test_keyboard_interrupt_still_stops_the_cell():
    def interrupted(x):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        check("check_relu", interrupted)


class _Hostile:
    """Looks like a (3, 4) array but exits when NumPy reads it."""

    shape = (3, 4)

    def __array__(self, *args, **kwargs):
        raise SystemExit("read me not")


def test_an_answer_that_exits_when_read_is_reported(capsys):
    result = check("check_relu", lambda x: _Hostile())
    assert result.status == "error"
    assert "SystemExit" in capsys.readouterr().out


# ---------------------------------------------------------------- bounded work, bounded text


@pytest.mark.parametrize("name", FUNCTION_CHECKERS)
def test_a_huge_answer_is_rejected_fast_and_briefly(name, capsys):
    huge = np.zeros(10**7)
    check(name, lambda *args: np.zeros(1))  # first calls pay for lazy imports; time the second
    capsys.readouterr()
    start = time.perf_counter()
    result = check(name, lambda *args: huge)
    seconds = time.perf_counter() - start
    out = capsys.readouterr().out
    assert not result
    assert seconds < 0.05, seconds  # comparing 10**7 numbers even once costs more than this
    assert len(out) < 400, out


@pytest.mark.parametrize("name", ["check_crop_shape", "check_flat_length", "check_edge_kernel",
                                  "check_combined_kernel"])
def test_a_huge_value_is_rejected_fast_and_briefly(name, capsys):
    huge = list(range(10**6))
    check(name, [0.5])
    capsys.readouterr()
    assert not check(name, huge)
    assert len(capsys.readouterr().out) < 400
    assert best_time(lambda: check(name, huge)) < 0.05


def test_printed_text_is_capped(capsys):
    def shouting(x):
        raise ValueError("A" * 10**6)

    for _ in range(3):  # the third answer prints the longest feedback: nudge and hint
        result = check("check_relu", shouting)
        out = capsys.readouterr().out
        assert len(out) <= exercises.MAX_MESSAGE + 1 and len(result.message) <= exercises.MAX_MESSAGE
    assert "more characters" in out and "Hint:" in out


# ---------------------------------------------------------------- typical mistakes, per checker

EMBOSS, SOBEL_X = exercises.combined_kernel_parts()

def _sgd_in_place(w, g, lr):
    w -= lr * g
    return w


def _split_twice(x, y, fraction, seed):
    n_val = round(fraction * len(x))
    return (x, y), (x[:n_val], y[:n_val])


_UNSEEDED = np.random.default_rng()


def _split_random_each_time(x, y, fraction, seed):
    from cnnlab import datasets

    return datasets.split(x, y, test_size=fraction, seed=int(_UNSEEDED.integers(1 << 30)))


def _overlap_area(a, b):
    return max(min(a[2], b[2]) - max(a[0], b[0]), 0) * max(min(a[3], b[3]) - max(a[1], b[1]), 0)


def _iou_unclipped(a, b):
    inter = (min(a[2], b[2]) - max(a[0], b[0])) * (min(a[3], b[3]) - max(a[1], b[1]))
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def _nms_by_rule(boxes, scores, t, drop_close):
    """Greedy NMS written independently of the checker; drop_close=False drops the far boxes instead."""
    from cnnlab import detection

    order, keep = [int(i) for i in np.argsort(-np.asarray(scores), kind="stable")], []
    while order:
        best = order.pop(0)
        keep.append(best)
        order = [i for i in order if (detection.iou(boxes[best], boxes[i]) <= t) == drop_close]
    return keep


def _nms_reference(boxes, scores, t):
    return _nms_by_rule(boxes, scores, t, True)


def _nms_drop_the_far_ones(boxes, scores, t):
    return _nms_by_rule(boxes, scores, t, False)


MISTAKES = [
    # lesson 01
    ("check_crop_shape", (50, 100), "colour image"),
    ("check_crop_shape", (100, 50, 3), "swapped rows and columns"),
    ("check_crop_shape", (51, 101, 3), "one too many"),
    ("check_crop_shape", (150, 300, 3), "end positions"),
    ("check_mirror", lambda im: im[::-1], "upside down"),
    ("check_mirror", lambda im: im[..., ::-1], "swaps red and blue"),
    ("check_mirror", lambda im: np.flip(im), "np.flip without an axis"),
    ("check_mirror", lambda im: im[:, ::-1, :], "grayscale"),
    ("check_grayscale", lambda im: im.mean(axis=2), "equally"),
    ("check_grayscale", lambda im: im @ np.array([0.114, 0.587, 0.299]), "wrong order"),
    ("check_grayscale", lambda im: im[..., 0] + im[..., 1] + im[..., 2], "wrapped around"),
    ("check_grayscale", lambda im: im.mean(axis=0), "rows or columns"),
    ("check_grayscale", lambda im: (im @ np.array([0.299, 0.587, 0.114])) / 255, "divided by 255"),
    # lesson 02
    ("check_output_size", lambda n, k, s=1, p=0: (n + 2 * p - k) // s, "one too small"),
    ("check_output_size", lambda n, k, s=1, p=0: (n + p - k) // s + 1, "both sides"),
    ("check_output_size", lambda n, k, s=1, p=0: (n + 2 * p - k) / s + 1, "fraction"),
    ("check_output_size", lambda n, k, s=1, p=0: n + 2 * p - k + 1, "stride"),
    ("check_output_size", lambda n, k, s=1, p=0: n if p == "same" else (n + 2 * p - k) // s + 1, "stride 1"),
    ("check_output_size", lambda n, k, s=1, p=0: (n + 2 - k) // s + 1 if p == "same" else (n + 2 * p - k) // s + 1,
     "one zero on each side"),
    ("check_output_size", lambda n, k, s=1, p=0: n // s if p == "same" else (n + 2 * p - k) // s + 1, "round up"),
    ("check_output_size", lambda n, k, s=1, p=0: (n + 2 * p - k) // s + 1, 'the word "same"'),
    ("check_conv2d", lambda im, k: ops.conv2d(im, k[::-1, ::-1]), "flipped the kernel"),
    ("check_conv2d", lambda im, k: ops.conv2d(im, k)[:-1, :-1], "last row and column are missing"),
    ("check_conv2d", lambda im, k: ops.conv2d(im, k, padding="same"), "'same' padding"),
    ("check_conv2d", lambda im, k: ops.conv2d(im, k).T, "transposed"),
    ("check_edge_kernel", kernels.get("sobel_x"), "vertical edges"),
    ("check_edge_kernel", -kernels.get("sobel_y"), "wrong sign"),
    ("check_edge_kernel", kernels.get("box_blur"), "flat areas"),
    ("check_edge_kernel", kernels.get("diagonal"), "does not react"),
    ("check_edge_kernel", np.array([[-1, -1, 0], [0, 0, 0], [0, 1, 1]]), "vertical ones"),
    ("check_edge_kernel", "1 2 1; 0 0 0; -1 -2 -1", "wrong sign"),
    ("check_gray_kernel", np.full((1, 1, 3), 1 / 3), "plain average"),
    ("check_gray_kernel", np.array([0.114, 0.587, 0.299]).reshape(1, 1, 3), "wrong order"),
    ("check_gray_kernel", np.array([0.299, 0.587, 0.114]), "shape (kh, kw, channels)"),
    # lesson 03
    ("check_relu", np.abs, "absolute value"),
    ("check_relu", lambda x: np.max(x, 0), "each column"),
    ("check_relu", lambda x: max(x, 0), "Python's max()"),
    ("check_relu", lambda x: np.minimum(x, 0), "opposite"),
    ("check_relu", lambda x: (x > 0).astype(float), "mask"),
    ("check_leaky_relu", lambda x, a: np.maximum(x, 0), "plain ReLU"),
    ("check_leaky_relu", lambda x, a: np.where(x > 0, x, 0.1 * x), "use the alpha argument"),
    ("check_leaky_relu", lambda x, a: a * x, "Positive numbers must pass unchanged"),
    ("check_leaky_relu", lambda x: np.where(x > 0, x, 0.1 * x), "two parameters"),
    ("check_combined_kernel", ops.conv2d(EMBOSS, SOBEL_X, padding=2), "without flipping"),
    ("check_combined_kernel", ops.conv2d(EMBOSS, SOBEL_X[::-1, ::-1], padding=1), "5 x 5"),
    ("check_combined_kernel", ops.conv2d(EMBOSS, SOBEL_X[::-1, ::-1]), "pad `first`"),
    ("check_combined_kernel", EMBOSS * SOBEL_X, "5 x 5"),
    # lesson 04
    ("check_pooled_shape", lambda sh, k=2, s=None: (sh[0] // 2, sh[1] // 2, sh[2] // 2), "channels must not"),
    ("check_pooled_shape", lambda sh, k=2, s=None: ((sh[0] - k) // s + 1, (sh[1] - k) // s + 1, sh[2]),
     "stride = size"),
    ("check_pooled_shape", lambda sh, k=2, s=None: ((sh[0] - k) // k + 1, (sh[1] - k) // k + 1, sh[2]),
     "stride = size"),
    ("check_max_pool", lambda x: ops.avg_pool(x, 2), "average pooling"),
    ("check_max_pool", lambda x: ops.max_pool(x, 2, stride=1), "stride 1"),
    ("check_max_pool", lambda x: ops.max_pool(x, 2, padding="same"), "leftover row or column"),
    ("check_max_pool", lambda x: x.reshape(x.shape[0] // 2, 2, x.shape[1] // 2, 2).max(axis=(1, 3)),
     "even"),
    ("check_avg_pool", lambda x, k, s=None: ops.max_pool(x, k, s), "max pooling"),
    ("check_avg_pool", lambda x, k, s=None: ops.avg_pool(x, k, k), "whatever the stride"),
    ("check_avg_pool", lambda x, k, s=None: np.floor(ops.avg_pool(x, k, s)), "rounded down"),
    # lesson 05
    ("check_flat_length", 169, "one map"),
    ("check_flat_length", 58, "added"),
    ("check_flat_length", (13, 13, 32), "shape of the stack"),
    ("check_flat_index", lambda r, c, k, s: k * s[0] * s[1] + r * s[1] + c, "channels-first"),
    ("check_flat_index", lambda r, c, k, s: (r * s[0] + c) * s[2] + k, "W pixels, not H"),
    ("check_flat_index", lambda r, c, k, s: r * s[1] + c, "forgot the channels"),
    ("check_channels_first", lambda m: m.reshape(-1), "channels-last"),
    ("check_channels_first", lambda m: m.reshape(m.shape[2], m.shape[0], m.shape[1]).reshape(-1), "reshape"),
    ("check_channels_first", lambda m: m.transpose(2, 1, 0).reshape(-1), "column by column"),
    # lesson 06
    ("check_dense", lambda x, w, b: x @ w, "forgot the bias"),
    ("check_dense", lambda x, w, b: w @ x + b, "x @ weights"),
    ("check_dense", lambda x, w, b: x * w + b, "matrix product"),
    ("check_dense", lambda x, w, b: x @ w + b.sum(), "its own bias"),
    ("check_dense", lambda x, w, b: w.T @ x + b, "batch"),
    ("check_softmax", lambda z: np.exp(z) / np.exp(z).sum(), "overflows"),
    ("check_softmax", lambda z: z / z.sum(), "forgot the exponential"),
    ("check_softmax", lambda z: np.exp(z - z.min()) / np.exp(z - z.min()).sum(), "not the smallest"),
    ("check_softmax", lambda z: 1 / (1 + np.exp(-z)), "sigmoid"),
    ("check_conv_params", lambda k, c, f: k * k * c * f, "forgot the biases"),
    ("check_conv_params", lambda k, c, f: (k * k + 1) * f, "every input channel"),
    ("check_conv_params", lambda k, c, f: k * k * c * f + 1, "one bias per filter"),
    ("check_forward", lambda im, k, cb, w, db: ops.dense(ops.flatten(ops.max_pool(ops.relu(ops.conv2d(im, k) + cb), 2)),
                                                         w, db), "softmax"),
    ("check_forward", lambda im, k, cb, w, db: ops.softmax(ops.dense(ops.flatten(ops.max_pool(
        ops.relu(ops.conv2d(im, k)), 2)), w, db)), "convolution's bias is missing"),
    ("check_forward", lambda im, k, cb, w, db: ops.softmax(ops.flatten(ops.max_pool(
        ops.relu(ops.conv2d(im, k) + cb), 2)) @ w), "dense layer's bias"),
    ("check_forward", lambda im, k, cb, w, db: ops.softmax(ops.dense(ops.flatten(ops.max_pool(
        ops.relu(ops.conv2d(im, k)) + cb, 2)), w, db)), "relu comes too early"),
    ("check_forward", lambda im, k, cb, w, db: ops.softmax(np.moveaxis(ops.max_pool(
        ops.relu(ops.conv2d(im, k) + cb), 2), -1, 0).ravel() @ w + db), "channels first"),
    ("check_forward", lambda im, k, cb, w, db: ops.softmax(ops.dense(ops.flatten(ops.max_pool(
        ops.relu(ops.conv2d(im, k) + cb), 2, stride=1)), w, db)), "stride 2"),
    # lesson 07
    ("check_cross_entropy", lambda p, y: np.log(p[y]), "never negative"),
    ("check_cross_entropy", lambda p, y: -np.log(p.max()), "largest probability"),
    ("check_cross_entropy", lambda p, y: -np.log(p).sum(), "every class"),
    ("check_sgd_step", lambda w, g, lr: w + lr * g, "uphill"),
    ("check_sgd_step", lambda w, g, lr: w - g, "forgot the learning rate"),
    ("check_sgd_step", _sgd_in_place, "in place"),
    ("check_validation_split", lambda x, y, f, s: ((x[:80], y[:80]), (x[80:], y[80:])), "not balanced"),
    ("check_validation_split", _split_twice, "both parts"),
    ("check_validation_split", _split_random_each_time, "different split"),
    # lesson 08
    ("check_box_area", lambda b: (b[2] - b[0] + 1) * (b[3] - b[1] + 1), "one pixel too many"),
    ("check_box_area", lambda b: (b[2] - b[0]) * (b[3] - b[1]), "is empty"),
    ("check_box_area", lambda b: 2 * ((b[2] - b[0]) + (b[3] - b[1])), "perimeter"),
    ("check_box_iou", _iou_unclipped, "negative"),
    ("check_box_iou", lambda a, b: _overlap_area(a, b) / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1])),
     "added the two areas"),
    ("check_box_iou", lambda a, b: _overlap_area(a, b) / ((a[2] - a[0]) * (a[3] - a[1])), "first box's area"),
    ("check_nms_keep", lambda boxes, scores, t: list(np.argsort(scores)[::-1]), "removed none"),
    ("check_nms_keep", lambda boxes, scores, t: sorted(_nms_reference(boxes, scores, t)), "wrong order"),
    ("check_nms_keep", _nms_drop_the_far_ones, "do not overlap"),
    # lesson 09
    ("check_mask_iou", lambda p, t: np.count_nonzero(p & t) / np.count_nonzero(p), "predicted pixels only"),
    ("check_mask_iou", lambda p, t: np.count_nonzero(p & t) / (np.count_nonzero(p) + np.count_nonzero(t)),
     "added the two areas"),
    ("check_mask_iou", lambda p, t: np.count_nonzero(p & t) / np.count_nonzero(p | t), "two empty masks"),
    ("check_mask_iou", lambda p, t: (p & t).sum() / (p | t).sum() if (p | t).any() else 0.0, "two empty masks"),
    ("check_mask_iou", lambda p, t: 2 * (p & t).sum() / (p.sum() + t.sum()), "Dice score"),
    ("check_dice_score", lambda p, t: (p & t).sum() / (p.sum() + t.sum()), "factor 2"),
    ("check_dice_score", lambda p, t: (p & t).sum() / (p | t).sum(), "IoU"),
    ("check_dice_score", lambda p, t: 2 * (p & t).sum() / (p.sum() + t.sum()), "two empty masks"),
    ("check_transposed_size", lambda n, k, s: (n - k) // s + 1, "ordinary convolution"),
    ("check_transposed_size", lambda n, k, s: n * s, "'same' padding"),
    ("check_transposed_size", lambda n, k, s: n * s + k, "one stride too many"),
]
MISTAKE_IDS = [f"{m[0]}-{i}" for i, m in enumerate(MISTAKES)]

#: a piece of each reference answer that feedback must not print before the learner asks for it
GIVEAWAYS = {
    "check_crop_shape": "(50, 100, 3)",
    "check_mirror": "[:, ::-1]",
    "check_grayscale": "astype(float) @",
    "check_output_size": "// stride + 1",
    "check_conv2d": "np.sum(window * kernel)",
    "check_edge_kernel": "-2., -1.",
    "check_gray_kernel": "0.587",
    "check_relu": "np.maximum(x, 0)",
    "check_leaky_relu": "np.where(x > 0, x, alpha * x)",
    "check_combined_kernel": "second[::-1, ::-1], padding=2",
    "check_pooled_shape": "(h - size) // stride + 1",
    "check_max_pool": "left:left + width].max()",
    "check_avg_pool": "r * stride:r * stride + size",
    "check_flat_length": "5408",
    "check_flat_index": "(row * width + col) * channels + channel",
    "check_channels_first": "(2, 0, 1)",
    "check_dense": "x @ weights + bias",
    "check_softmax": "np.exp(z - np.max(z))",
    "check_conv_params": "(kernel_size * kernel_size * in_channels + 1) * filters",
    "check_forward": "ops.max_pool(ops.relu(conv), 2)",
    "check_cross_entropy": "-np.log(probs[label])",
    "check_sgd_step": "W - learning_rate * grad",
    "check_validation_split": "datasets.split(x_train, y_train, test_size=fraction, seed=seed)",
    "check_box_area": "max(x_max - x_min, 0) * max(y_max - y_min, 0)",
    "check_box_iou": "box_area(box_a) + box_area(box_b) - shared",
    "check_nms_keep": "box_iou(boxes[best], boxes[i]) <= iou_threshold",
    "check_mask_iou": "np.count_nonzero(pred & true) / union",
    "check_dice_score": "2 * np.count_nonzero(pred & true) / total",
    "check_transposed_size": "(n - 1) * stride + k",
}


def test_every_checker_has_two_named_mistakes_and_a_giveaway():
    counts = {name: sum(1 for m in MISTAKES if m[0] == name) for name in CHECKERS}
    assert min(counts.values()) >= 2, counts
    assert set(GIVEAWAYS) == set(CHECKERS)


@pytest.mark.parametrize("name,answer,nudge", MISTAKES, ids=MISTAKE_IDS)
def test_first_wrong_answer_gets_a_nudge_only(name, answer, nudge, capsys):
    result = check(name, answer)
    out = capsys.readouterr().out
    assert not result and result.tries == 1, out
    assert nudge.lower() in out.lower(), out
    assert out.count("✗") == 1, out  # one piece of feedback, not two
    assert "Hint:" not in out and "solution(" not in out


@pytest.mark.parametrize("name,answer,nudge", MISTAKES, ids=MISTAKE_IDS)
def test_repeat_adds_a_stronger_hint_but_never_the_answer(name, answer, nudge, capsys):
    outputs = []
    for _ in range(3):
        result = check(name, answer)
        outputs.append(capsys.readouterr().out)
    assert result.tries == 3
    first, second, third = outputs
    assert second.startswith(first.rstrip("\n")) and second != first
    assert "Hint:" in second and f'exercises.solution("{name.removeprefix("check_")}")' in second
    assert second == third
    assert all(GIVEAWAYS[name] not in out for out in outputs), outputs[1]


@pytest.mark.parametrize("name", CHECKERS)
def test_solution_shows_the_answer_when_asked(name, capsys):
    exercises.solution(name)
    out = capsys.readouterr().out
    assert out.startswith(f"One answer to {name}:") and GIVEAWAYS[name] in out


def test_general_hint_when_a_mistake_has_no_hint_of_its_own(capsys):
    for _ in range(2):
        check("check_conv_params", lambda k, c, f: k * k * c * f + 1)
    out = capsys.readouterr().out
    assert "Hint: Count one filter first" in out


# ---------------------------------------------------------------- tier state


def test_tiers_are_per_checker_and_a_right_answer_starts_again(capsys):
    assert check("check_relu", np.abs).tries == 1
    assert check("check_softmax", np.exp).tries == 1  # another exercise has its own count
    assert check("check_relu", np.abs).tries == 2
    assert check("check_relu", ...).tries == 2  # the placeholder is not a try
    assert check("check_relu", np.abs).tries == 3
    assert check("check_relu", reference("relu")).tries == 0
    assert check("check_relu", np.abs).tries == 1
    assert "Hint:" not in capsys.readouterr().out.split("✓ Correct!")[-1]


def test_reset_forgets_one_or_all():
    check("check_relu", np.abs)
    check("check_softmax", np.exp)
    exercises.reset("relu")
    assert check("check_relu", np.abs).tries == 1
    assert check("check_softmax", np.exp).tries == 2
    exercises.reset()
    assert check("check_softmax", np.exp).tries == 1


def test_same_answers_give_the_same_feedback():
    first = [check("check_max_pool", lambda x: ops.avg_pool(x, 2)).message for _ in range(3)]
    exercises.reset()
    again = [check("check_max_pool", lambda x: ops.avg_pool(x, 2)).message for _ in range(3)]
    assert first == again


# ---------------------------------------------------------------- asking for answers and hints


@pytest.mark.parametrize("spelling", ["relu", "check_relu", "ReLU", " relu "])
def test_solution_accepts_the_name_with_or_without_check(spelling, capsys):
    exercises.solution(spelling)
    out = capsys.readouterr().out
    assert "def my_relu(x):" in out and "np.maximum(x, 0)" in out


def test_solution_of_a_value_exercise_shows_the_value(capsys):
    exercises.solution("crop_shape")
    assert "crop_shape = (50, 100, 3)" in capsys.readouterr().out


def test_solution_suggests_a_near_name():
    with pytest.raises(ValueError, match="did you mean 'relu'"):
        exercises.solution("rleu")


def test_solution_lists_the_names_for_an_unknown_one():
    with pytest.raises(ValueError, match="name 'zebra' is not an exercise") as info:
        exercises.solution("zebra")
    assert all(name in str(info.value) for name in exercises.names())


def test_solution_name_must_be_text():
    with pytest.raises(TypeError, match="name must be a string"):
        exercises.solution(3)


def test_hint_prints_the_stronger_hint_only(capsys):
    exercises.hint("check_dense")
    out = capsys.readouterr().out
    assert out.startswith("Hint for check_dense:") and GIVEAWAYS["check_dense"] not in out


def test_names_follow_the_lessons():
    assert exercises.names()[:3] == ["crop_shape", "mirror", "grayscale"]
    defined = [name for module in LESSON_MODULES for name in _checkers_defined(module)]
    assert exercises.names() == [name.removeprefix("check_") for name in defined]   # lesson by lesson


# ---------------------------------------------------------------- window positions come from ops.window


def test_max_pool_names_the_window_of_the_first_wrong_cell(capsys):
    def off_by_one(x):
        out = ops.max_pool(x, 2)
        out[1, 2] += 1
        return out

    check("check_max_pool", off_by_one)
    top, left, height, width = ops.window(1, 2, 2, 2)
    assert f"x[{top}:{top + height}, {left}:{left + width}]" in capsys.readouterr().out


def test_conv2d_names_the_window_of_the_first_wrong_cell(capsys):
    def off_by_one(image, kernel):
        out = ops.conv2d(image, kernel)
        out[2, 1] += 1
        return out

    check("check_conv2d", off_by_one)
    top, left, height, width = ops.window(2, 1, (3, 3), 1)
    assert f"image[{top}:{top + height}, {left}:{left + width}]" in capsys.readouterr().out


# ---------------------------------------------------------------- answers that are right another way


def test_alternative_correct_answers_are_accepted():
    assert check("check_mirror", lambda im: np.flip(im, axis=1))
    assert check("check_grayscale", lambda im: (im * [0.299, 0.587, 0.114]).sum(axis=2).astype(np.uint8))
    assert check("check_output_size", lambda n, k, s=1, p=0: int((n + 2 * p - k) / s) + 1 if p != "same"
                 else -(-n // s))
    assert check("check_edge_kernel", np.array([[-1.0], [1.0]]))
    assert check("check_edge_kernel", "sobel_y")
    assert check("check_relu", lambda x: np.where(x > 0, x, 0))
    assert check("check_leaky_relu", lambda x, a: np.maximum(x, a * x))
    first, second = exercises.combined_kernel_parts()
    assert check("check_combined_kernel", ops.conv2d(second, first[::-1, ::-1], padding=2))
    assert check("check_pooled_shape", lambda sh, k=2, s=None: [ops.output_size(n, k, s or k) for n in sh[:2]]
                 + [sh[2]])
    assert check("check_max_pool", lambda x: ops.max_pool(x, 2))
    assert check("check_flat_length", (5408,))
    assert check("check_flat_index", lambda r, c, k, s: int(np.ravel_multi_index((r, c, k), s)))
    assert check("check_channels_first", lambda m: np.moveaxis(m, -1, 0).ravel())
    assert check("check_dense", ops.dense)
    assert check("check_softmax", ops.softmax)
    assert check("check_conv_params", lambda k, c, f: ops.conv2d_params(k, c, f))
    assert check("check_forward", lambda im, k, cb, w, db: ops.softmax(ops.flatten(np.maximum(
        ops.max_pool(ops.conv2d(im, k) + cb, 2), 0)) @ w + db))  # pooling before ReLU gives the same numbers


def test_relu_that_changes_its_input_is_flagged(capsys):
    def in_place(x):
        x[x < 0] = 0
        return x

    assert not check("check_relu", in_place)
    assert "changed its input" in capsys.readouterr().out


def test_kernel_with_ellipsis_entries_is_not_answered(capsys):
    skeleton = np.array([[..., ..., ...], [..., ..., ...], [..., ..., ...]])
    assert check("check_edge_kernel", skeleton).status == "unanswered"
    assert check("check_combined_kernel", [[..., 1], [2, 3]]).status == "unanswered"
    assert capsys.readouterr().out.count("Not answered yet") == 2


def test_checkers_do_not_change_numpy_error_state():
    before = np.geterr()
    check("check_softmax", lambda z: np.exp(z) / np.exp(z).sum())
    assert np.geterr() == before


def test_import_is_light():
    import subprocess
    import sys

    code = ("import sys, cnnlab.exercises; "
            "assert 'matplotlib' not in sys.modules and 'tensorflow' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
