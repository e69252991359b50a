"""Lesson 07, training: the cross-entropy loss, one gradient-descent step, an honest data split."""

from __future__ import annotations

import numpy as np

from ._compare import Mistake, call, compare_array
from ._core import checks_function, correct, wrong
from ._values import short

# ---------------------------------------------------------------- exercise 1: cross-entropy


def cross_entropy(probs, label):
    """Loss of one prediction: minus the log of the probability given to the right class."""
    return -np.log(probs[label])


_LOSS_CASES = ((np.array([0.1, 0.2, 0.7]), 2), (np.array([0.7, 0.2, 0.1]), 2),
               (np.array([0.25, 0.25, 0.25, 0.25]), 0), (np.array([0.05, 0.9, 0.05]), 1))
_LOSS_MISTAKES = [
    Mistake(lambda p, y: np.log(p[y]), "The sign is wrong: a loss is never negative.",
            "log of a probability is at most 0; the loss is minus that."),
    Mistake(lambda p, y: -np.log(p).sum(), "You added the logs of every class.",
            "Only the probability of the right class, probs[label], counts."),
    Mistake(lambda p, y: -np.log(p.max()), "You used the largest probability, not the right class's.",
            "Take probs[label]: the network may be confidently wrong, and that must cost a lot."),
    Mistake(lambda p, y: 1 - p[y], "1 - p goes the right way, but it is not the cross-entropy.",
            "Use -np.log(probs[label]): being sure and wrong must cost far more than 1."),
    Mistake(lambda p, y: -np.log10(p[y]), "That is log base 10.",
            "Cross-entropy uses the natural logarithm, np.log."),
]


@checks_function(cross_entropy, hint="The loss is -log(p), where p is the probability the network gave to the "
                                     "right class: probs[label].")
def check_cross_entropy(answer):
    """Lesson 07: ``cross_entropy(probs, label)`` = ``-log(probs[label])``."""
    for probs, label in _LOSS_CASES:
        got = call(answer, probs.copy(), label)
        verdict = compare_array(got, cross_entropy(probs, label), _LOSS_MISTAKES, (probs, label),
                                context=f"For probs={short(probs)} and label={label}, ")
        if verdict is not None:
            return verdict
    return correct("A confident right answer costs almost 0 and a confident wrong one a lot: that is the "
                   "number training makes smaller.")


# ---------------------------------------------------------------- exercise 2: one SGD step


def sgd_step(W, grad, learning_rate):
    """Weights after one step of gradient descent: against the gradient, scaled by the rate."""
    return W - learning_rate * grad


_STEP_MISTAKES = [
    Mistake(lambda w, g, lr: w + lr * g, "That step goes uphill: the loss grows.",
            "The gradient points to where the loss increases: subtract the scaled gradient instead of adding it."),
    Mistake(lambda w, g, lr: w - g, "You forgot the learning rate.", "Scale the gradient: learning_rate * grad."),
    Mistake(lambda w, g, lr: -lr * g, "That is only the change, not the new weights.",
            "Start from W and apply the change to it."),
    Mistake(lambda w, g, lr: w - g / lr, "Multiply the gradient by the learning rate, do not divide.",
            "A smaller rate must mean a smaller step."),
]


@checks_function(sgd_step, hint="New weights = old weights minus learning_rate times the gradient.")
def check_sgd_step(answer):
    """Lesson 07: ``sgd_step(W, grad, learning_rate)`` returns ``W - learning_rate * grad``, W untouched."""
    rng = np.random.default_rng(70)
    W, grad = np.round(rng.normal(size=(3, 2)), 2), np.round(rng.normal(size=(3, 2)), 2)
    for lr in (0.1, 0.5):
        before = W.copy()
        got = call(answer, W, grad.copy(), lr)
        if not np.array_equal(W, before):
            return wrong("Your function changed W in place.",
                         "Compute a new array instead of `W -= ...`, so the caller keeps the old weights.")
        verdict = compare_array(got, sgd_step(W, grad, lr), _STEP_MISTAKES, (W, grad, lr),
                                context=f"With learning_rate={lr}, ")
        if verdict is not None:
            return verdict
    return correct("One step against the gradient: repeat it thousands of times and the network learns.")


# ---------------------------------------------------------------- exercise 3: an honest split


def validation_split(x_train, y_train, fraction=0.2, seed=0):
    """``(x_fit, y_fit), (x_val, y_val)``: a seeded, stratified split of the *training* digits."""
    from cnnlab import datasets

    return datasets.split(x_train, y_train, test_size=fraction, seed=seed)


def _split_data():
    rng = np.random.default_rng(71)
    x = rng.integers(0, 256, size=(100, 4, 4), dtype=np.uint8)
    x[:, 0, 0] = np.arange(100)  # every image different, so pieces can be traced back
    y = np.repeat(np.arange(10), 10).astype(np.uint8)
    return x, y


def _split_verdict(parts, x, y, fraction):
    """None when ``parts`` is a stratified, disjoint split of (x, y) with ``fraction`` for validation."""
    try:
        (x_fit, y_fit), (x_val, y_val) = parts
        x_fit, y_fit, x_val, y_val = (np.asarray(a) for a in (x_fit, y_fit, x_val, y_val))
    except (TypeError, ValueError):
        return wrong(f"Return two pairs, ((x_fit, y_fit), (x_val, y_val)); got {short(parts)}.")
    if x_fit.shape[1:] != x.shape[1:] or x_val.shape[1:] != x.shape[1:]:
        return wrong(f"Each part should hold whole images of shape {x.shape[1:]}, got {x_fit.shape[1:]} and "
                     f"{x_val.shape[1:]}.")
    ids_fit, ids_val = x_fit[:, 0, 0].astype(int), x_val[:, 0, 0].astype(int)
    if set(ids_fit) & set(ids_val):
        return wrong("Some digits are in both parts: the validation digits must be ones the model never "
                     "trains on.", "Shuffle the indices once and cut them in two.")
    if len(x_fit) + len(x_val) != len(x) or len(x_val) != round(fraction * len(x)):
        return wrong(f"With {len(x)} digits and fraction={fraction}, validation should hold "
                     f"{round(fraction * len(x))} and the rest stay for fitting; got {len(x_val)} and {len(x_fit)}.")
    if not (np.array_equal(y[ids_fit], y_fit) and np.array_equal(y[ids_val], y_val)):
        return wrong("Images and labels got separated: each image must keep its own label.",
                     "Index x and y with the same indices.")
    if np.bincount(y_val, minlength=10).std() > 0.5:
        return wrong("The validation digits are not balanced across the classes (did you take the last 20 %? "
                     "The data may be sorted by class).", "datasets.split(x, y, test_size=fraction, seed=seed) "
                                                          "keeps every class's share.")
    return None


@checks_function(validation_split, hint="Use datasets.split on the training digits: it shuffles with the seed and "
                                        "keeps each class's share. The test digits never take part.")
def check_validation_split(answer):
    """Lesson 07: ``validation_split(x_train, y_train, fraction, seed)``: disjoint, stratified, repeatable."""
    x, y = _split_data()
    first = call(answer, x.copy(), y.copy(), 0.2, 0)
    if (verdict := _split_verdict(first, x, y, 0.2)) is not None:
        return verdict
    again = call(answer, x.copy(), y.copy(), 0.2, 0)
    if not np.array_equal(np.asarray(first[1][0]), np.asarray(again[1][0])):
        return wrong("The same seed gave a different split.",
                     "Use the seed for the shuffle (np.random.default_rng(seed)) so a run can be repeated.")
    other = call(answer, x.copy(), y.copy(), 0.3, 1)
    return _split_verdict(other, x, y, 0.3) or correct(
        "Fit on one part, choose settings on the validation part, and open the test digits only once, at "
        "the very end.")
