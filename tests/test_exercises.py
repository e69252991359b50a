"""cnnlab.exercises: every checker accepts the reference answer, names typical mistakes, never raises."""

import numpy as np
import pytest

from cnnlab import exercises, kernels, ops, solutions
from cnnlab.exercises import Result

CHECKERS = sorted(solutions.SOLUTIONS)


def check(name, answer):
    return getattr(exercises, name)(answer)


def test_every_checker_has_a_reference_solution():
    public = {n for n in exercises.__all__ if n.startswith("check_")}
    assert public == set(solutions.SOLUTIONS)


@pytest.mark.parametrize("name", CHECKERS)
def test_reference_solution_is_accepted(name, capsys):
    result = check(name, solutions.SOLUTIONS[name])
    assert isinstance(result, Result) and result and result.status == "correct"
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


FUNCTION_CHECKERS = [n for n in CHECKERS if callable(solutions.SOLUTIONS[n])]


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
def test_exception_inside_learner_function_is_reported_not_raised(name, capsys):
    def broken(*args):
        raise KeyError("oops")

    result = check(name, broken)
    assert result.status == "error" and not result
    out = capsys.readouterr().out
    assert "KeyError" in out and "oops" in out


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
    assert str(wrong).startswith("✗ Not yet.") and "32" in str(wrong)
    assert right._ipython_display_() is None  # shows nothing more in a notebook


# ---------------------------------------------------------------- typical mistakes, per checker

EMBOSS, SOBEL_X = exercises.combined_kernel_parts()

MISTAKES = [
    # lesson 01
    ("check_crop_shape", (50, 100), "3 channels"),
    ("check_crop_shape", (100, 50, 3), "swapped rows and columns"),
    ("check_crop_shape", (51, 101, 3), "stops just before its end"),
    ("check_crop_shape", (150, 300, 3), "end positions"),
    ("check_mirror", lambda im: im[::-1], "upside down"),
    ("check_mirror", lambda im: im[..., ::-1], "swaps red and blue"),
    ("check_mirror", lambda im: np.flip(im), "np.flip without an axis"),
    ("check_mirror", lambda im: im[:, ::-1, :], "grayscale"),
    ("check_grayscale", lambda im: im.mean(axis=2), "0.587"),
    ("check_grayscale", lambda im: im @ np.array([0.114, 0.587, 0.299]), "wrong order"),
    ("check_grayscale", lambda im: im[..., 0] + im[..., 1] + im[..., 2], "wrapped around"),
    ("check_grayscale", lambda im: im.mean(axis=0), "channels are the last axis"),
    ("check_grayscale", lambda im: (im @ np.array([0.299, 0.587, 0.114])) / 255, "divided by 255"),
    # lesson 02
    ("check_output_size", lambda n, k, s=1, p=0: (n + 2 * p - k) // s, "+ 1"),
    ("check_output_size", lambda n, k, s=1, p=0: (n + p - k) // s + 1, "both sides"),
    ("check_output_size", lambda n, k, s=1, p=0: (n + 2 * p - k) / s + 1, "fraction"),
    ("check_output_size", lambda n, k, s=1, p=0: n + 2 * p - k + 1, "stride"),
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
    # lesson 03
    ("check_relu", np.abs, "absolute value"),
    ("check_relu", lambda x: np.max(x, 0), "np.maximum(x, 0)"),
    ("check_relu", lambda x: max(x, 0), "Python's max()"),
    ("check_relu", lambda x: np.minimum(x, 0), "opposite"),
    ("check_relu", lambda x: (x > 0).astype(float), "mask"),
    ("check_leaky_relu", lambda x, a: np.maximum(x, 0), "plain ReLU"),
    ("check_leaky_relu", lambda x, a: np.where(x > 0, x, 0.1 * x), "use the alpha argument"),
    ("check_leaky_relu", lambda x, a: a * x, "Positive numbers must pass unchanged"),
    ("check_leaky_relu", lambda x: np.where(x > 0, x, 0.1 * x), "two parameters"),
    ("check_combined_kernel", ops.conv2d(EMBOSS, SOBEL_X, padding=2), "without flipping"),
    ("check_combined_kernel", ops.conv2d(EMBOSS, SOBEL_X[::-1, ::-1], padding=1), "5 x 5"),
    ("check_combined_kernel", ops.conv2d(EMBOSS, SOBEL_X[::-1, ::-1]), "Pad `first`"),
    ("check_combined_kernel", EMBOSS * SOBEL_X, "5 x 5"),
    # lesson 04
    ("check_pooled_shape", lambda sh, k=2, s=None: (sh[0] // 2, sh[1] // 2, sh[2] // 2), "channels must not"),
    ("check_pooled_shape", lambda sh, k=2, s=None: ((sh[0] - k) // s + 1, (sh[1] - k) // s + 1, sh[2]),
     "stride = size"),
    ("check_pooled_shape", lambda sh, k=2, s=None: ((sh[0] - k) // k + 1, (sh[1] - k) // k + 1, sh[2]),
     "use the stride"),
    ("check_max_pool", lambda x: ops.avg_pool(x, 2), "average pooling"),
    ("check_max_pool", lambda x: ops.max_pool(x, 2, stride=1), "stride 1"),
    ("check_max_pool", lambda x: ops.max_pool(x, 2, padding="same"), "leftover row or column"),
    ("check_max_pool", lambda x: x.reshape(x.shape[0] // 2, 2, x.shape[1] // 2, 2).max(axis=(1, 3)),
     "even"),
    # lesson 05
    ("check_flat_length", 169, "32 of them"),
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
    ("check_softmax", lambda z: np.exp(z) / np.exp(z).sum(), "subtract z.max()"),
    ("check_softmax", lambda z: z / z.sum(), "forgot the exponential"),
    ("check_softmax", lambda z: np.exp(z - z.min()) / np.exp(z - z.min()).sum(), "not the smallest"),
    ("check_softmax", lambda z: 1 / (1 + np.exp(-z)), "sigmoid"),
    ("check_conv_params", lambda k, c, f: k * k * c * f, "forgot the biases"),
    ("check_conv_params", lambda k, c, f: (k * k + 1) * f, "every input channel"),
    ("check_conv_params", lambda k, c, f: k * k * c * f + 1, "one bias per filter"),
]


@pytest.mark.parametrize("name,answer,hint", MISTAKES, ids=[f"{m[0]}-{i}" for i, m in enumerate(MISTAKES)])
def test_typical_mistake_is_rejected_with_a_specific_hint(name, answer, hint, capsys):
    result = check(name, answer)
    out = capsys.readouterr().out
    assert not result, out
    assert hint.lower() in out.lower(), out
    assert out.count("✗") == 1, out  # one piece of feedback, not two


def test_each_checker_has_at_least_two_named_mistakes():
    counts = {name: sum(1 for m in MISTAKES if m[0] == name) for name in CHECKERS}
    assert min(counts.values()) >= 2, counts


def test_alternative_correct_answers_are_accepted():
    assert check("check_mirror", lambda im: np.flip(im, axis=1))
    assert check("check_grayscale", lambda im: (im * [0.299, 0.587, 0.114]).sum(axis=2).astype(np.uint8))
    assert check("check_output_size", lambda n, k, s=1, p=0: int((n + 2 * p - k) / s) + 1)
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

    code = ("import sys, cnnlab.exercises, cnnlab.solutions; "
            "assert 'matplotlib' not in sys.modules and 'tensorflow' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
