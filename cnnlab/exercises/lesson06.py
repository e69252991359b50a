"""Lesson 06, full connection: a Dense layer, a safe softmax, a Conv2D's parameter count, the forward pass."""

from __future__ import annotations

import re

import numpy as np

from .. import ops
from ._compare import Mistake, call, compare_array, judge_cases
from ._core import Verdict, checks_function, correct, wrong
from ._values import as_int

__all__ = ["CONV_PARAM_CASES", "SOFTMAX_CASES", "check_conv_params", "check_dense", "check_forward",
           "check_softmax", "conv_params", "forward", "my_dense", "my_softmax"]

# ---------------------------------------------------------------- exercise 1: a Dense layer


def my_dense(x, weights, bias):
    """Weighted sums of all inputs for every unit, plus each unit's bias."""
    return x @ weights + bias


_DENSE_MISTAKES = [
    Mistake(lambda v, w, b: v @ w, "You forgot the bias.", "Add each unit's bias after the weighted sum."),
    Mistake(lambda v, w, b: v @ w - b, "Add the bias, do not subtract it."),
    Mistake(lambda v, w, b: v @ w + b.sum(), "Each unit has its own bias.", "Add the vector `bias`, not its "
                                                                            "sum."),
    Mistake(lambda v, w, b: (v + b.mean()) @ w, "The bias is added after the weighted sum, once per unit."),
    Mistake(lambda v, w, b: np.maximum(v @ w + b, 0), "No activation here: a Dense layer's own work is just "
                                                      "the weighted sums plus the biases."),
]
_DENSE_ADVICE = [
    ("matmul", "weights has shape (n_in, n_out), as Keras stores it: the input goes on the left, x @ weights."),
    ("could not be broadcast", ("* multiplies number by number. For the weighted sums of every unit use "
                                "the matrix product, @.")),
    ("aligned", "weights has shape (n_in, n_out): x @ weights, with x on the left."),
]


def _dense_verdict(answer, x, w, b, lead="") -> Verdict | None:
    got = call(answer, x.copy(), w.copy(), b.copy(), advice=_DENSE_ADVICE, lead=lead)
    return compare_array(got, my_dense(x, w, b), _DENSE_MISTAKES, (x, w, b),
                         context=f"With x of shape {x.shape} and weights {w.shape}, ")


@checks_function(my_dense, hint="Every output unit takes a weighted sum of all inputs (one column of "
                                "weights) and adds its own bias; the matrix product does all units, and all "
                                "rows of a batch, at once.")
def check_dense(answer):
    """Lesson 06: ``my_dense(x, weights, bias)`` = ``x @ weights + bias`` for one vector or a batch."""
    rng = np.random.default_rng(7)
    x, batch = np.round(rng.normal(size=4), 1), np.round(rng.normal(size=(2, 4)), 1)
    w, b = np.round(rng.normal(size=(4, 3)), 1), np.array([0.5, -1.0, 2.0])
    if (verdict := _dense_verdict(answer, x, w, b)) is not None:
        return verdict
    verdict = _dense_verdict(answer, batch, w, b, lead="It works for one input vector but not for a batch of "
                                                       "them, shape (N, n_in): ")
    return verdict or correct("Every unit takes a weighted sum of all inputs and adds its bias: the same "
                              "numbers as ops.dense and Keras's Dense.")


# ---------------------------------------------------------------- exercise 2: a safe softmax


def my_softmax(z):
    """Probabilities from scores; subtracting the max avoids overflow."""
    e = np.exp(z - np.max(z))
    return e / e.sum()


SOFTMAX_CASES = (np.array([2.0, 1.0, 0.1]), np.array([-3.0, 0.0, 3.0, 1.0]), np.array([1000.0, 1001.0, 1002.0]),
                 np.array([-1000.0, 0.0, 1000.0]))

_SHIFT = ("Subtract the largest score, z.max(), from every score first: the result does not change, and the "
          "largest exponent becomes exp(0) = 1.")
_SOFTMAX_MISTAKES = [
    Mistake(lambda v: v / v.sum(), "You forgot the exponential.",
            "Softmax takes np.exp of every score, then divides by the sum of those exponentials."),
    Mistake(np.exp, "The numbers do not add up to 1.", "Divide by the sum of the exponentials."),
    Mistake(lambda v: np.exp(v) / np.exp(v).max(), "You divided by the largest value.",
            "Divide by the sum: the probabilities must add up to 1."),
    Mistake(lambda v: 1 / (1 + np.exp(-v)), "That is the sigmoid of each score on its own.",
            "Softmax makes the scores compete: each exponential is divided by the sum of all of them."),
    Mistake(lambda v: np.eye(v.size)[np.argmax(v)], "That is a hard one-hot answer.",
            "Softmax gives every class a probability."),
    Mistake(lambda v: (v - v.max()) / (v - v.max()).sum(), "Subtracting the max is right, but the "
                                                           "exponential is missing.",
            "Take np.exp of the shifted scores before dividing by their sum."),
]


@checks_function(my_softmax, hint="Exponentials of the scores, divided by their sum; to keep np.exp from "
                                  "overflowing, shift all scores by the same amount first (the result does "
                                  "not change).")
def check_softmax(answer):
    """Lesson 06: ``my_softmax(z)`` for a 1-D vector of scores, safe for large scores."""
    got = [call(answer, z.copy()) for z in SOFTMAX_CASES]
    ok = [compare_array(g, my_softmax(z)) is None for g, z in zip(got, SOFTMAX_CASES)]
    if all(ok):
        return correct("Positive numbers that add up to 1, and no overflow even for scores like 1000, thanks "
                       "to subtracting the largest score first.")
    if ok[0] and ok[1] and not ok[2]:
        return wrong("Right for small scores, but for [1000, 1001, 1002] np.exp overflows to infinity and "
                     "you get nan.", _SHIFT)
    if ok[0] and ok[1]:
        return wrong("Almost: for [-1000, 0, 1000] it overflows: subtract the largest score, not the "
                     "smallest.")
    first = ok.index(False)
    z = SOFTMAX_CASES[first]
    return compare_array(got[first], my_softmax(z), _SOFTMAX_MISTAKES, (z,), context=f"For z = {z.tolist()}, ")


# ---------------------------------------------------------------- exercise 3: a Conv2D's parameters


def conv_params(kernel_size, in_channels, filters):
    """Weights and biases of a Conv2D layer with square kernels."""
    return (kernel_size * kernel_size * in_channels + 1) * filters


CONV_PARAM_CASES = ((3, 1, 32), (3, 3, 16), (5, 16, 8), (1, 64, 10), (3, 32, 64))

_CONV_PARAM_MISTAKES = [
    Mistake(lambda k, c, f: k * k * c * f, "You forgot the biases.", "Every filter has one bias."),
    Mistake(lambda k, c, f: (k * k + 1) * f, "Each filter sees every input channel.",
            "It holds k x k weights per input channel."),
    Mistake(lambda k, c, f: k * k * c * f + 1, "There is one bias per filter, not one for the whole layer."),
    Mistake(lambda k, c, f: 2 * k * k * c * f, "There is one bias per filter, not one per weight."),
    Mistake(lambda k, c, f: (k * c + 1) * f, "A k x k kernel has k * k weights per channel, not k."),
    Mistake(lambda k, c, f: (k * k * f + 1) * c, "Filters and input channels are swapped.",
            "Each of the F filters spans all C input channels and has its own bias."),
]


@checks_function(conv_params, hint="Count one filter first: a k x k grid of weights for every input channel, "
                                   "plus one bias. There are F such filters; the image size does not matter.")
def check_conv_params(answer):
    """Lesson 06: ``conv_params(kernel_size, in_channels, filters)`` of a Conv2D with biases."""
    return judge_cases(answer, CONV_PARAM_CASES, conv_params, _CONV_PARAM_MISTAKES, convert=as_int,
                       expected="a whole number",
                       praise="Each filter has k x k x C weights plus one bias: (k*k*C + 1) * F. The image "
                              "size does not appear: the same weights slide everywhere.")


# ---------------------------------------------------------------- exercise 4: the forward pass


def forward(image, conv_kernel, conv_bias, dense_weights, dense_bias):
    """Class probabilities of a 2-D image through the small CNN of lesson 06, with ``cnnlab.ops``."""
    conv = ops.conv2d(image, conv_kernel) + conv_bias    # (H-2, W-2, F)  convolution + bias
    pooled = ops.max_pool(ops.relu(conv), 2)             # ReLU, then 2 x 2 max pooling, stride 2
    scores = ops.dense(ops.flatten(pooled), dense_weights, dense_bias)
    return ops.softmax(scores)


def _conv_part(image, kernel, conv_bias, *, bias_first=True, stride=2):
    conv = ops.conv2d(image, kernel)
    maps = ops.relu(conv + conv_bias) if bias_first else ops.relu(conv) + conv_bias
    return ops.max_pool(maps, 2, stride=stride)


def _head(pooled, weights, bias, *, channels_first=False, softmax=True):
    vector = np.moveaxis(pooled, -1, 0).ravel() if channels_first else ops.flatten(pooled)
    scores = vector @ weights + bias
    return ops.softmax(scores) if softmax else scores


_FORWARD_MISTAKES = [
    Mistake(lambda im, k, cb, w, db: _head(_conv_part(im, k, cb), w, db, softmax=False),
            "Those are the scores: the softmax at the end is missing.",
            "The model's last step turns the ten scores into probabilities that add up to 1."),
    Mistake(lambda im, k, cb, w, db: _head(_conv_part(im, k, 0 * cb), w, db),
            "The convolution's bias is missing.",
            "Every filter has one bias, added to its whole feature map right after the convolution."),
    Mistake(lambda im, k, cb, w, db: _head(_conv_part(im, k, cb), w, 0 * db),
            "The dense layer's bias is missing.", "A dense layer computes vector @ weights + bias."),
    Mistake(lambda im, k, cb, w, db: _head(_conv_part(im, k, cb, bias_first=False), w, db),
            "The ReLU comes too early: add the convolution's bias first.",
            "Keras's Conv2D with activation='relu' computes relu(convolution + bias): the bias is part of "
            "the layer, the ReLU comes after it."),
    Mistake(lambda im, k, cb, w, db: _head(_conv_part(im, k, cb), w, db, channels_first=True),
            "The flatten order is channels first (PyTorch's order), but Keras's weights expect channels "
            "last.", "Flatten the (H, W, C) stack as it is, row by row with the channels innermost: "
                     "ops.flatten or .ravel() (lesson 05)."),
    Mistake(lambda im, k, cb, w, db: _head(ops.max_pool(ops.conv2d(im, k) + cb, 2), w, db),
            "The ReLU is missing.", "Between the convolution (+ bias) and the pooling comes a ReLU."),
]
_POOL_STRIDE_NUDGE = ("The vector is too long for the dense weights: the pooling windows overlap. A 2 x 2 "
                      "max pooling moves 2 pixels at a time (stride 2), halving each side.")
_FORWARD_ADVICE = [
    ("matmul", "The flattened vector and the dense weights do not fit: check the shapes step by step."),
    ("aligned", "The flattened vector and the dense weights do not fit: check the shapes step by step."),
    ("rows to match", "The flattened vector and the dense weights do not fit: check the shapes step by step."),
]


def _forward_cases():
    """Two tiny models: image (8, 8) or (10, 8), kernel (3, 3, 1, 2), dense (18 or 24, 4)."""
    rng = np.random.default_rng(6)
    cases = []
    for height in (8, 10):
        image = np.round(rng.random((height, 8)), 2)
        kernel = np.round(rng.normal(size=(3, 3, 1, 2)), 1)
        conv_bias = np.array([0.3, -0.4])
        length = ((height - 2) // 2) * 3 * 2
        dense_weights = np.round(rng.normal(size=(length, 4)), 1)
        dense_bias = np.array([0.5, -0.2, 0.1, -0.6])
        cases.append((image, kernel, conv_bias, dense_weights, dense_bias))
    return cases


def _overlapping_pool_length(image, kernel) -> int:
    """Length of the flattened vector when the 2 x 2 pooling moves 1 pixel at a time."""
    conv = ops.conv2d(image, kernel)
    return ops.max_pool(conv, 2, stride=1).size


@checks_function(forward, hint="Follow the model's layers in order: convolution, plus its bias, ReLU, 2 x 2 max "
                               "pooling, flatten (channels last), dense (weights and bias), softmax.")
def check_forward(answer):
    """Lesson 06: ``forward(image, conv_kernel, conv_bias, dense_weights, dense_bias)`` gives probabilities."""
    for image, kernel, conv_bias, weights, dense_bias in _forward_cases():
        inputs = (image, kernel, conv_bias, weights, dense_bias)
        try:
            got = call(answer, *(a.copy() for a in inputs), advice=_FORWARD_ADVICE)
        except Verdict as verdict:
            if re.search(rf"\b{_overlapping_pool_length(image, kernel)}\b", verdict.text):
                raise wrong(_POOL_STRIDE_NUDGE, "ops.max_pool(maps, 2) uses stride 2 unless told otherwise; "
                                                "lesson 04 shows why the windows do not overlap.") from None
            raise
        verdict = compare_array(got, forward(*inputs), _FORWARD_MISTAKES, inputs,
                                context=f"For a {image.shape} image, a kernel {kernel.shape} and dense weights "
                                        f"{weights.shape}, ", atol=1e-6)
        if verdict is not None:
            return verdict
    return correct("Convolution + bias, ReLU, max pooling, flatten, dense, softmax: the whole prediction of a "
                   "CNN in a few lines, as model.predict computes it.")
