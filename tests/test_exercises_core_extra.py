"""The core exercises on a 1 x 1 kernel (lesson 02) and on average pooling (lesson 04).

Each is tested against its reference answer, against every typical mistake its
checker knows (each must get its own message), and for never printing the
answer before ``exercises.solution`` is asked.
"""

import numpy as np
import pytest

from cnnlab import exercises, images, ops
from cnnlab.exercises import lesson02, lesson04


@pytest.fixture(autouse=True)
def _fresh_tiers():
    exercises.reset()
    yield
    exercises.reset()


def _as_kernel(weights):
    return np.asarray(weights, dtype=float).reshape(1, 1, 3)


# ---------------------------------------------------------------- lesson 02: a 1 x 1 kernel that makes a photo gray


def test_gray_kernel_reference_is_lesson_01s_gray_photo():
    photo = images.to_float(images.load("astronaut"))[::8, ::8]
    kernel = lesson02.gray_kernel()
    assert kernel.shape == (1, 1, 3)
    np.testing.assert_allclose(ops.conv2d(photo, kernel), images.grayscale(photo), atol=1e-5)


@pytest.mark.parametrize("answer", [lesson02.gray_kernel(), _as_kernel([0.3, 0.59, 0.11]),
                                    lesson02.gray_kernel().reshape(1, 1, 3, 1),
                                    [[[0.299, 0.587, 0.114]]]])
def test_gray_kernel_right_answers(answer, capsys):
    result = exercises.check_gray_kernel(answer)
    assert result and capsys.readouterr().out.startswith("✓ Correct!")


@pytest.mark.parametrize("index", range(len(lesson02._GRAY_KERNEL_MISTAKES)))
def test_every_gray_kernel_mistake_gets_its_own_message(index, capsys):
    mistake = lesson02._GRAY_KERNEL_MISTAKES[index]
    answer = _as_kernel(mistake.make(lesson02.gray_kernel().reshape(3)))
    result = exercises.check_gray_kernel(answer)
    out = capsys.readouterr().out
    assert not result and result.status == "wrong"
    assert mistake.nudge in out
    others = [m.nudge for i, m in enumerate(lesson02._GRAY_KERNEL_MISTAKES) if i != index]
    assert not any(nudge in out for nudge in others)


@pytest.mark.parametrize("answer,words", [
    (np.array([0.299, 0.587, 0.114]), "shape (3,)"),
    (np.array([0.299, 0.587, 0.114]).reshape(3, 1, 1), "channels first"),
    (np.array([[0.299, 0.587, 0.114]]), "shape (1, 3)"),
    (np.ones((3, 3)) / 9, "holds 9 numbers"),
    (_as_kernel([0.5, 0.5, 0.5]), "add up to 1.5"),
    (_as_kernel([0.2, 0.3, 0.5]), "not the gray weights"),
    (_as_kernel([1.0, -0.5, -0.5]), "add up to 0"),
    (_as_kernel([np.nan, 0.5, 0.5]), "NaN"),
])
def test_gray_kernel_shape_and_sum_mistakes_are_named(answer, words, capsys):
    assert not exercises.check_gray_kernel(answer)
    assert words in capsys.readouterr().out


def test_gray_kernel_skeleton_is_not_answered(capsys):
    skeleton = np.array([..., ..., ...]).reshape(1, 1, 3)
    assert exercises.check_gray_kernel(skeleton).status == "unanswered"
    assert capsys.readouterr().out.startswith("Not answered yet:")


# ---------------------------------------------------------------- lesson 04: average pooling with loops


def _loops(x, size=2, stride=None, *, mean=np.mean, dtype=float, step=None):
    """A learner's loops, written here independently of the reference, with one thing changeable."""
    stride = size if stride is None else stride
    step = stride if step is None else step
    out_h, out_w = (x.shape[0] - size) // step + 1, (x.shape[1] - size) // step + 1
    out = np.zeros((out_h, out_w), dtype=dtype)
    for r in range(out_h):
        for c in range(out_w):
            out[r, c] = mean(x[r * step:r * step + size, c * step:c * step + size])
    return out


def test_avg_pool_reference_matches_ops_on_every_case():
    for x, size, stride in lesson04._AVG_POOL_CASES:
        np.testing.assert_allclose(lesson04.my_avg_pool(x, size, stride), ops.avg_pool(x.astype(float), size, stride))


@pytest.mark.parametrize("answer", [lesson04.my_avg_pool, _loops, lambda x, k, s=None: ops.avg_pool(x, k, s)])
def test_avg_pool_right_answers(answer, capsys):
    assert exercises.check_avg_pool(answer)
    assert capsys.readouterr().out.startswith("✓ Correct!")


@pytest.mark.parametrize("index", range(len(lesson04._AVG_POOL_MISTAKES)))
def test_every_avg_pool_mistake_gets_its_own_message(index, capsys):
    mistake = lesson04._AVG_POOL_MISTAKES[index]
    result = exercises.check_avg_pool(lambda x, size=2, stride=None: mistake.make(x, size, stride))
    out = capsys.readouterr().out
    assert not result and result.status == "wrong"
    assert mistake.nudge in out, out


@pytest.mark.parametrize("answer,words", [
    (lambda x, size=2, stride=None: _loops(x, size, stride, mean=np.max), "max pooling"),
    (lambda x, size=2, stride=None: _loops(x, size, stride, mean=np.sum), "did not divide"),
    (lambda x, size=2, stride=None: _loops(x, size, stride, dtype=int), "rounded down"),
    (lambda x, size=2, stride=None: _loops(x, size, stride, mean=lambda w: w.sum() // w.size), "rounded down"),
    (lambda x, size=2, stride=None: _loops(x, size, stride, step=size), "whatever the stride"),
    (lambda x, size=2, stride=None: _loops(x, size, stride, step=1), "one pixel at a time"),
    (lambda x, size=2, stride=None: _loops(x, size, stride, mean=lambda w: w.sum() / size), "size x size"),
    (lambda x, size=2, stride=None: _loops(x, size, stride).T, "transposed"),
])
def test_avg_pool_mistakes_written_as_loops_are_named(answer, words, capsys):
    assert not exercises.check_avg_pool(answer)
    assert words in capsys.readouterr().out


def test_avg_pool_without_the_stride_none_case_gets_advice(capsys):
    def no_default(x, size=2, stride=None):
        out_h = (x.shape[0] - size) // stride + 1  # forgets that stride may be None
        return np.zeros((out_h, out_h))

    result = exercises.check_avg_pool(no_default)
    assert result.status == "error"
    assert "stride = size" in capsys.readouterr().out


# ---------------------------------------------------------------- hints come in tiers, the answer only on request


@pytest.mark.parametrize("name,answer,giveaways", [
    ("gray_kernel", _as_kernel([1 / 3] * 3), ["0.299", "0.587", "0.114"]),
    ("gray_kernel", np.array([0.299, 0.587, 0.114]), ["0.299, 0.587"]),
    ("avg_pool", lambda x, size=2, stride=None: ops.max_pool(x, size, stride),
     ["r * stride:r * stride + size", "window.sum() / window.size"]),
    ("avg_pool", lambda x, size=2, stride=None: ops.avg_pool(x, size, size), ["r * stride:r * stride + size"]),
])
def test_feedback_never_prints_the_answer_before_solution(name, answer, giveaways, capsys):
    check = getattr(exercises, f"check_{name}")
    outputs = []
    for _ in range(3):
        check(answer)
        outputs.append(capsys.readouterr().out)
    assert "Hint:" not in outputs[0] and "Hint:" in outputs[1]
    assert f'exercises.solution("{name}")' in outputs[1]
    assert not any(g in out for g in giveaways for out in outputs), outputs
    exercises.solution(name)
    shown = capsys.readouterr().out
    assert any(g in shown for g in giveaways), shown


def test_both_checkers_are_exported():
    assert {"check_gray_kernel", "check_avg_pool"} <= set(exercises.__all__)
    assert {"gray_kernel", "avg_pool"} <= set(exercises.names())
