# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 07b · Training a digit reader: overfitting, fair comparisons, inside the network
#
# Lesson 07 showed how one gradient step works, how backpropagation reaches every weight, and what
# the learning rate and the batch size do. This lesson puts that machinery to work on handwritten
# digits: the one-block network of many beginner's Keras tutorials (one convolution, one pooling,
# one dense layer) and the course's own recipe, which is more accurate *and* still reads digits
# that are off-centre. You read what each of its changes buys in a table measured by a benchmark,
# and measure yourself what early stopping, dropout, weight decay and augmentation do against
# overfitting. At the end, the kernels your network learned slide over a digit in the widget from
# lesson 02.
#
# **After this lesson you can**
#
# - train a CNN with Keras, read its training curves, and say why Keras's training accuracy sits
#   below the validation accuracy early on;
# - spot overfitting and cure it with early stopping, dropout, weight decay and augmentation;
# - explain each change the course recipe makes to the one-block recipe, and read what it buys in an
#   ablation table (one change at a time);
# - score a model once on test digits, and compare it fairly with keras.io's example;
# - look inside a trained network: its filters, its feature maps, its mistakes;
# - save a model, load it back safely, and use it on a new image.

# %%
# Set-up: on Colab this installs cnnlab and keeps Colab's own TensorFlow, Keras, NumPy and
# widget packages exactly as they are; anywhere else it does nothing.
import sys

if "google.colab" in sys.modules:
    from importlib.metadata import version

    before = {name: version(name) for name in ("tensorflow", "keras", "numpy", "ipywidgets", "anywidget")}
    with open("/tmp/colab_keeps.txt", "w") as keeps:
        keeps.writelines(f"{name}=={number}\n" for name, number in before.items())
    # !pip install -q -c /tmp/colab_keeps.txt "cnnlab @ git+https://github.com/cnnlab/cnnlab"
    from google.colab import output
    output.enable_custom_widget_manager()
    changed = {name: number for name, number in before.items() if version(name) != number}
    kept = "kept as they were" if not changed else f"CHANGED, they were {changed}"
    print("cnnlab installed; Colab's own " + ", ".join(f"{name} {number}" for name, number in before.items()),
          kept)

# %%
import dataclasses
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"     # hide TensorFlow's start-up messages
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"    # exact, repeatable float arithmetic on CPU

import keras
import numpy as np
import tensorflow as tf

tf.get_logger().setLevel("ERROR")            # and its Python-side warnings

from cnnlab import datasets, images, ops, plot, training
from cnnlab.widgets import ConvolutionWidget, DrawWidget, PoolingWidget

# %% [markdown]
# The same digits as lesson 07, split the same way (`datasets.split` with seed 0): 3,200 training
# digits for the gradient steps, 800 validation digits for choosing, and 1,000 test digits put away
# until section 12. (Sections continue lesson 07's numbering, 1 to 8.)

# %%
(x_train, y_train), (x_test, y_test) = datasets.load_mnist("offline")
(x_fit, y_fit), (x_val, y_val) = datasets.split(x_train, y_train, test_size=0.2, seed=0)
print("fit:", x_fit.shape, " validation:", x_val.shape, " test (put away):", x_test.shape)
assert len(x_fit) == 3200 and len(x_val) == 800 and len(x_test) == 1000

# %% [markdown]
# ## 9. The one-block network
#
# Many beginner's Keras tutorials read MNIST digits with this network: one convolution block and
# a classifier, `Conv2D` with 32 kernels of 3×3 and ReLU, `MaxPooling2D` 2×2, `Flatten`,
# `Dense(10)` with softmax, trained with Adam on batches of 32 for 5 epochs. cnnlab calls it the
# `"classic"` recipe. (It is not keras.io's own "Simple MNIST convnet", which has two
# convolutions, of 32 and 64 kernels, dropout, batches of 128 and 15 epochs; section 12 compares
# the two.) `training.train` builds and trains it. `training.LiveCurves()` draws loss and accuracy
# while it trains, for the training digits and for the validation digits, in one figure updated in
# place, and `training.EpochEndAccuracy` scores the training digits once more at the end of every
# epoch (you will see why in a moment).

# %%
classic_curves = training.LiveCurves(updates_per_epoch=1)
classic_at_end = training.EpochEndAccuracy(x_fit, y_fit)
classic, classic_seconds = training.train("classic", x_fit, y_fit, seed=0, validation_data=(x_val, y_val),
                                          callbacks=[classic_curves, classic_at_end])
classic.summary()
h = classic.history.history
classic_val = h["val_accuracy"][-1]
print(f"one-block network: {classic_seconds:.1f} s of training, validation accuracy {classic_val:.1%}")
assert classic_val > 0.88

# %% [markdown]
# Look at epoch 1 of the accuracy curves: training accuracy is *below* validation accuracy, though
# the network learns from the training digits and has never seen the validation digits. The reason
# is how Keras measures the two. The training accuracy it reports is the average over all the
# batches of the epoch, each scored by the weights *as they were at that step*, and the first
# batches of epoch 1 met an untrained network. Validation accuracy is measured once, at the end of
# the epoch, with the final weights. `EpochEndAccuracy` measured the training digits that same way:

# %%
print("epoch   training (Keras's running average)   training (at the epoch's end)   validation")
for epoch in range(len(h["accuracy"])):
    print(f"{epoch + 1:5}   {h['accuracy'][epoch]:34.1%}   {classic_at_end.accuracy[epoch]:29.1%}   "
          f"{h['val_accuracy'][epoch]:10.1%}")
plot.curves(np.arange(1, 6), {"training, running average": h["accuracy"],
                              "training, at the epoch's end": classic_at_end.accuracy,
                              "validation, at the epoch's end": h["val_accuracy"]},
            marker="o", xlabel="epoch", ylabel="accuracy", title="the same network, measured two ways");
print(f"after epoch 5: training {classic_at_end.accuracy[-1]:.1%}, validation {classic_val:.1%}, "
      f"a gap of {classic_at_end.accuracy[-1] - classic_val:.1%}")
assert h["accuracy"][0] < h["val_accuracy"][0] < classic_at_end.accuracy[0]       # epoch 1, as the text says
assert 0 < classic_at_end.accuracy[-1] - classic_val < 0.1                        # a gap of a few points

# %% [markdown]
# Measured at the same moment, the training digits score above the validation digits, as they
# should: the network was fitted to them. That gap is the one to watch. With 3,200 digits and 5
# epochs it is a few points (printed above). With few digits it is a different story.
#
# ## 10. Overfitting, and four cures
#
# With only 200 training digits and 25 epochs (checked after every epoch on 300 of the validation
# digits), watch what happens: the network learns the training digits by heart (training accuracy
# near 100 %) while validation accuracy stalls and the validation loss turns back up. That gap is
# **overfitting**: it memorised these digits instead of learning what digits look like.

# %%
few_x, few_y = x_fit[:200], y_fit[:200]
watch = (x_val[:300], y_val[:300])                   # 300 validation digits, checked after every epoch
memoriser, _ = training.train("classic", few_x, few_y, seed=0, epochs=25, validation_data=watch)
m = memoriser.history.history
gap = m["accuracy"][-1] - m["val_accuracy"][-1]
plot.curves(np.arange(1, 26), {"training loss": m["loss"], "validation loss": m["val_loss"]},
            xlabel="epoch", ylabel="loss", title="200 digits, 25 epochs: the curves part ways");
print(f"training accuracy {m['accuracy'][-1]:.0%}, validation accuracy {m['val_accuracy'][-1]:.0%}")
print(f"validation loss: lowest {min(m['val_loss']):.2f} at epoch {int(np.argmin(m['val_loss'])) + 1}, "
      f"last {m['val_loss'][-1]:.2f}")
assert gap > 0.1 and m["val_loss"][-1] > min(m["val_loss"])

# %% [markdown]
# Every cure below changes one thing of that run and is measured on the same 200 digits and the
# same validation digits, all decided with validation digits, never the test digits.
#
# **Early stopping** stops training when the validation loss has not improved for a few epochs
# (the *patience*) and goes back to the weights of its best epoch. Keras's `EarlyStopping`
# callback does it:

# %%
stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
stopped, _ = training.train("classic", few_x, few_y, seed=0, epochs=25, validation_data=watch, callbacks=[stopper])
stopped_epochs = len(stopped.history.history["loss"])
print(f"stopped after epoch {stopped_epochs} of 25, went back to epoch {stopper.best_epoch + 1} "
      f"(validation loss {stopper.best:.3f})")
assert stopped_epochs < 25
assert np.isclose(stopped.evaluate(*watch, verbose=0)[0], stopper.best, atol=1e-4)      # best weights back

# %% [markdown]
# **Dropout** switches off a random part of a layer's inputs at every training step: each number
# is set to 0 with probability `rate`, and the survivors are divided by `1 − rate`, so that the
# layer after it gets inputs of the same size on average. No unit can count on any other being
# there, so the network cannot lean on a few memorised details. When the network is used (not
# trained), dropout does nothing. Here it is by hand, and Keras's `Dropout` layer doing the same:

# %%
def dropout(values, rate, rng, training=True):
    """Each value set to 0 with probability ``rate``, the others scaled by 1 / (1 - rate); nothing when not training."""
    if not training:
        return values
    keep = rng.random(values.shape) >= rate
    return np.where(keep, values / (1 - rate), 0)


features = np.random.default_rng(3).uniform(0.5, 1.5, size=10_000).astype(np.float32)
mine = dropout(features, 0.5, np.random.default_rng(4))
layer = keras.layers.Dropout(0.5, seed=0)
theirs = layer(features, training=True).numpy()
print(f"dropped: by hand {np.mean(mine == 0):.1%}, Keras {np.mean(theirs == 0):.1%};  "
      f"mean: before {features.mean():.3f}, by hand {mine.mean():.3f}, Keras {theirs.mean():.3f}")
assert np.allclose(theirs, np.where(theirs != 0, features / (1 - 0.5), 0))      # Keras's rule is ours
assert np.array_equal(layer(features, training=False).numpy(), features)         # and it is off when not training
assert abs(np.mean(theirs == 0) - 0.5) < 0.02 and abs(mine.mean() - features.mean()) < 0.02

# %% [markdown]
# **Weight decay** pulls every weight a little towards 0 at every step, on top of the gradient
# step: `W ← W − rate × (gradient + decay × W)`. Large weights are what memorising needs (a sharp
# answer for each training digit), so the network is pushed towards a simpler, smoother one.
# By hand, against Keras's plain gradient descent (`SGD`); `Adam(weight_decay=...)` applies the
# same shrink, `W ← W − rate × decay × W`, beside its own step.

# %%
w_before = np.array([1.0, -2.0, 0.5], np.float32)
grad_now = np.array([0.1, 0.1, -0.2], np.float32)
w_by_hand = w_before - 0.1 * (grad_now + 0.5 * w_before)
w_keras = keras.Variable(w_before)
keras.optimizers.SGD(learning_rate=0.1, weight_decay=0.5).apply_gradients([(grad_now, w_keras)])
print("by hand", w_by_hand, "  Keras", w_keras.numpy())
assert np.allclose(w_keras.numpy(), w_by_hand)

# %% [markdown]
# Now the four cures side by side. Dropout 0.5 (keras.io's example uses that rate) goes between
# `Flatten` and the dense layer; weight decay 4 shrinks every weight by `0.001 × 4`, 0.4 %, per
# step (its strength is a setting to choose on validation digits, like the learning rate: try 1 or
# 20). **Augmentation** adds two copies of every digit, each moved by a random whole number of
# pixels (section 11 says more). The copies triple the steps per epoch, so that run gets fewer
# epochs: the same number of gradient steps as the others. Every run is scored with its final
# weights (early stopping: the ones it went back to), on all 800 validation digits as they are and
# moved by 3 pixels.

# %%
classic_recipe = training.recipe_settings("classic")
with_dropout, _ = training.train(dataclasses.replace(classic_recipe, dropout=0.5), few_x, few_y, seed=0, epochs=25)
with_decay, _ = training.train(dataclasses.replace(classic_recipe, weight_decay=4.0), few_x, few_y, seed=0, epochs=25)
more_x, more_y = training.augment_with_shifts(few_x, few_y, copies=2, max_shift=3, seed=0)
steps_per_epoch = -(-len(few_x) // classic_recipe.batch_size)                       # 200 / 32, rounded up
shift_epochs = round(25 * steps_per_epoch / -(-len(more_x) // classic_recipe.batch_size))
with_shifts, _ = training.train("classic", more_x, more_y, seed=0, epochs=shift_epochs)

cures = {"none (25 epochs)": (memoriser, 25), f"early stopping ({stopped_epochs} epochs)": (stopped, stopped_epochs),
         "dropout 0.5": (with_dropout, 25), "weight decay 4": (with_decay, 25),
         f"2 shifted copies ({shift_epochs} epochs)": (with_shifts, shift_epochs)}
shifted_val = np.concatenate([training.shift(x_val, dx, dy) for dx, dy in training.SHIFT_DIRECTIONS.values()])


def score(model):
    """Accuracy on the 200 training digits, on the validation digits as they are and moved by 3 pixels
    (as training.shifted_accuracy moves them), and the validation loss: all from one predict call."""
    p = model.predict(np.concatenate([few_x, x_val, shifted_val]), batch_size=1000, verbose=0)
    right = p.argmax(axis=1) == np.concatenate([few_y, y_val, np.tile(y_val, 4)])
    n, v = len(few_x), len(x_val)
    return right[:n].mean(), right[n:n + v].mean(), right[n + v:].mean(), -np.log(p[n:n + v][np.arange(v), y_val]).mean()


cure_scores = {}
print(f"{'cure':30} {'steps':>5} {'training':>8} {'validation':>10} {'shifted val':>11} {'val loss':>8}")
for name, (model, epochs) in cures.items():
    steps = epochs * -(-len(more_x if "shifted" in name else few_x) // classic_recipe.batch_size)
    cure_scores[name] = score(model)
    print(f"{name:30} {steps:5} {cure_scores[name][0]:8.1%} {cure_scores[name][1]:10.1%} {cure_scores[name][2]:11.1%} "
          f"{cure_scores[name][3]:8.3f}")
plain, shifted_copies = cure_scores["none (25 epochs)"], cure_scores[f"2 shifted copies ({shift_epochs} epochs)"]
assert np.isclose(plain[2], training.shifted_accuracy(memoriser, x_val, y_val))       # score() measures as cnnlab does
chance = np.sqrt(plain[1] * (1 - plain[1]) / len(x_val))
print(f"one validation score here is uncertain by about {chance:.1%} either way (the standard error of "
      f"{len(x_val)} digits), that is {chance * len(x_val):.0f} digits")
assert shifted_copies[1] > plain[1] + 0.01 and shifted_copies[2] > plain[2] + 0.1
small_cures = (f"early stopping ({stopped_epochs} epochs)", "dropout 0.5", "weight decay 4")
assert all(abs(cure_scores[name][1] - plain[1]) < 3 * chance for name in small_cures)     # within chance
assert max(cure_scores[name][3] for name in small_cures[::2]) < plain[3]    # early stopping, decay: lower loss

# %% [markdown]
# Read the table row by row against the first. One point of validation accuracy is 8 of the 800
# validation digits, and a single score is uncertain by more than that (printed under the table),
# so only differences of a few points mean something:
#
# - **early stopping**, **dropout** and **weight decay** change validation accuracy by no more
#   than chance would (the cell checks: within three standard errors). Early stopping and weight
#   decay lower the validation loss a little: the network is less sure of its wrong answers. On
#   200 digits they cannot invent what the network has not seen. They earn their keep on bigger
#   networks trained for longer, where they are standard: keras.io's example of section 12 uses
#   dropout 0.5;
# - **shifted copies** are the only cure clearly ahead, on clean validation digits and by far on
#   shifted ones, with no more gradient steps: they give the network something new to learn from.
#
# With little data, more varied data beats every trick. The next section builds on that.
#
# ## 11. The course recipe, one change at a time
#
# Lesson 06 showed the weak spot of a network like the one-block one: move a digit three pixels
# and accuracy drops a lot, because it never saw a digit anywhere but in the centre. The course
# recipe (`training.train("course", ...)`) changes six things:
#
# 1. **Shifted copies**: two copies of every training digit, each moved by a random whole number
#    of pixels from −3 to 3 across and, independently, from −3 to 3 down (so up to 4.2 pixels
#    along a diagonal), made once in NumPy (`training.augment_with_shifts`). The network *sees*
#    off-centre digits, so it learns to read them. This is augmentation: new, varied data for free.
# 2. **3 epochs instead of 5**: with three times the digits, an epoch is three times as long.
# 3. **Three small convolutions instead of one**, all 3 × 3: 8 kernels (with `"same"` padding, so
#    strokes touching the border of a shifted digit are kept), pooling, 16 kernels, pooling, 32
#    kernels (the one-block network has 32 kernels in its only convolution). Each layer sees a wider
#    patch of the digit than the one before (strokes, then parts of digits), and pooling twice makes
#    the features care less about exactly where they are. The last maps are only 4 × 4 × 32 = 512
#    numbers, so the dense layer is small, and the whole network has a fifth of the weights of the
#    one-block network (`summary()` below counts them).
# 4. **Bigger batches (128) with a bigger learning rate** (0.012 instead of 0.001): fewer,
#    better-averaged steps, each cheaper per digit (lesson 07, section 8 timed it).
# 5. **A learning rate that decays** along a cosine: big steps first, small careful steps at the end.
# 6. **Label smoothing** (0.1): the target for the right class is 0.91 instead of 1, and 0.01 for
#    each other class, so the network does not push its scores to extremes just to be surer on
#    digits it already gets right.
#
# Were they all worth it? Training the one-block recipe and then adding one change at a time, each
# measured on the validation digits as they are and moved by 3 pixels (the mean of 3 runs from
# different random starts), gives this table. It takes minutes, too long for this lesson:
# `python benchmarks/training.py` made it, on an AMD EPYC machine with 2 CPUs (Python 3.11,
# TensorFlow 2.21) that other programs were sharing, so the wall times jumped around; the CPU-time
# ratios moved less.
#
# | recipe                                | params | fit s (mean) | fit s per run  | fit time / classic | CPU time / classic | clean val | shifted 3 px |
# |---------------------------------------|-------:|-------------:|---------------:|------:|------:|------:|------:|
# | classic                               | 54,410 |         9.60 |  4.9 10.7 13.1 | 1.00x | 1.00x | 92.2% | 38.9% |
# | + 2 shifted copies of each digit      | 54,410 |        15.27 | 12.0 19.2 14.6 | 1.59x | 2.36x | 95.0% | 86.1% |
# | + 3 epochs instead of 5               | 54,410 |        15.73 | 15.0 16.6 15.6 | 1.64x | 1.86x | 95.1% | 84.8% |
# | + three small convolutions            | 11,018 |        16.37 | 13.4 16.1 19.7 | 1.71x | 2.35x | 95.0% | 90.1% |
# | + batches of 128, learning rate 0.012 | 11,018 |        10.59 |  12.6 9.0 10.2 | 1.10x | 1.24x | 95.5% | 91.9% |
# | + cosine decay of the rate            | 11,018 |        11.91 |  8.3 13.0 14.5 | 1.24x | 1.28x | 96.8% | 93.7% |
# | + label smoothing 0.1 (= course)      | 11,018 |        10.32 |   9.7 11.4 9.8 | 1.07x | 1.24x | 96.9% | 94.0% |
#
# Each row adds one change to the row above; the last row is the course recipe. The shifted
# copies bring the big jump on shifted digits and a few points on clean ones, at more than twice
# the CPU time. Cutting to 3 epochs gives part of that CPU time back at no cost. The three small
# convolutions read shifted digits better again, but with batches of 32 they are slow; batches of
# 128 with a higher rate make them fast. Cosine decay adds a point or two on both. Label smoothing
# changes less than half a point, within chance for 2,400 scores (800 digits, 3 runs): it is kept
# because it keeps the scores from going to extremes, not for accuracy. These are validation
# digits: the test digits played no part in any of these choices.
#
# Now train it here. Its curves look different in two ways. The training loss cannot fall to 0,
# because label smoothing never asks for 100 %. And Keras's running training accuracy starts below
# validation accuracy, for the reason of section 9, and stays low: here the training digits include
# the shifted copies, which are harder than the centred ones, so even at the end it is below what
# the network scores on the clean training digits (printed under the curves).

# %%
course_curves = training.LiveCurves(updates_per_epoch=1)
course, course_seconds = training.train("course", x_fit, y_fit, seed=0, validation_data=(x_val, y_val),
                                        callbacks=[course_curves])
course.summary()
course_val = course.history.history["val_accuracy"][-1]
print(f"course recipe:     {course_seconds:.1f} s, {course.count_params():6,} weights, validation accuracy {course_val:.1%}")
print(f"one-block network: {classic_seconds:.1f} s, {classic.count_params():6,} weights, validation accuracy {classic_val:.1%}")
course_fit_accuracy = training.accuracy(course, x_fit, y_fit)
print(f"course recipe after its last epoch: running training accuracy {course.history.history['accuracy'][-1]:.1%} "
      f"(copies included), clean training digits at its end {course_fit_accuracy:.1%}")
assert course_val > classic_val and course.count_params() < classic.count_params() / 4
assert course.history.history["accuracy"][0] < course.history.history["val_accuracy"][0]
assert course.history.history["accuracy"][-1] < course_fit_accuracy

smoothing = keras.losses.CategoricalCrossentropy(label_smoothing=0.1)
target = (1 - 0.1) * np.eye(10)[3] + 0.1 / 10                   # what the loss aims at for a 3
guess = ops.softmax(np.random.default_rng(5).normal(size=10))
print("smoothed target for a 3:", target.round(2))
assert np.isclose(float(smoothing(np.eye(10)[3][None], guess[None])), -(target * np.log(guess)).sum(), atol=1e-5)

# %% [markdown]
# Both times above include drawing the curves (and, for the one-block network, scoring the
# training digits after every epoch); `benchmarks/training.py` times the recipes without them.
#
# ## 12. The test digits, once
#
# Settings chosen, training over: now, and only now, the test digits. We score both networks on
# them as they are, and on copies moved 3 pixels right, left, down and up (`training.shift`), the
# test lesson 06 ended with.

# %%
scores = {}
for name, model in [("one-block", classic), ("course", course)]:
    scores[name] = (training.accuracy(model, x_test, y_test), training.shifted_accuracy(model, x_test, y_test))
    print(f"{name:9} clean test digits {scores[name][0]:.1%}   shifted by 3 pixels {scores[name][1]:.1%}")

plot.grid([x_test[0], training.shift(x_test[:1], 3, 0)[0], training.shift(x_test[:1], 0, -3)[0]],
          ["a test digit", "3 px right", "3 px up"], cols=3, size=1.6);
assert scores["course"][0] > scores["one-block"][0]
assert scores["course"][1] >= 0.90 and scores["course"][1] > scores["one-block"][1] + 0.2

# %% [markdown]
# Where does the course recipe stand against keras.io's "Simple MNIST convnet"? Trained on all
# 4,000 training digits (this lesson trained on 3,200 of them; keras.io reaches about 99 % with all
# 60,000 of full MNIST) and scored on these test digits, 3 runs each, `python benchmarks/training.py`
# measured, on the machine named in section 11:
#
# | recipe   | params | fit s (mean) | fit s per run  | fit time / classic | CPU time / classic | clean test | shifted 3 px |
# |----------|-------:|-------------:|---------------:|------:|------:|------:|------:|
# | classic  | 54,410 |         7.43 |    8.9 7.0 6.4 | 1.00x | 1.00x | 94.2% | 40.9% |
# | course   | 11,018 |        10.13 |  10.9 11.2 8.3 | 1.36x | 1.17x | 97.8% | 95.6% |
# | keras.io | 34,826 |        34.40 | 35.2 32.5 35.5 | 4.63x | 4.33x | 97.4% | 64.6% |
#
# (`classic` is the one-block network.) On clean test digits keras.io's network and the course
# recipe are close: 97.4 % against 97.8 %, 4 digits in 1,000 apart. On shifted digits
# keras.io's reads about two in three, the course recipe more than nineteen in twenty: keras.io's
# network never sees a shifted digit while it trains, and its two poolings do not make up for that.
# It also has three times the weights and, with its 15 epochs, takes about three and a half times as
# long as the course recipe.
#
# A score is one number; where the mistakes are matters too. The **confusion matrix** counts, for
# every true digit (row), what the network answered (column): the diagonal is right, everything
# else is a mistake, and the pattern shows which digits get confused.

# %%
probabilities = course.predict(x_test, verbose=0)
predicted = probabilities.argmax(axis=1)
matrix = training.confusion_matrix(y_test, predicted)
plot.numbers(matrix, "true digit (rows) vs answer (columns)", fmt=".0f");
per_class = training.per_class_accuracy(y_test, predicted)
print("accuracy per digit:", {digit: f"{acc:.0%}" for digit, acc in enumerate(per_class)})
assert matrix.sum() == len(y_test) and np.trace(matrix) == (predicted == y_test).sum()

# %% [markdown]
# And the mistakes it was *most sure* about: these are worth looking at, because some are badly
# written digits a person would hesitate on too, and some show what the network has not learned.

# %%
worst = training.most_confidently_wrong(probabilities, y_test, count=8)
plot.grid([x_test[i] for i in worst],
          [f"{y_test[i]}, read {predicted[i]} ({probabilities[i].max():.0%})" for i in worst], cols=8, size=1.3);
assert all(predicted[i] != y_test[i] for i in worst)

# %% [markdown]
# ## 13. Inside your network
#
# The first layer of the course network has 8 kernels of 3×3 that nobody wrote. Here they are,
# and what each one makes of a test digit: edge and stroke detectors, like the ones you wrote by
# hand in lesson 02, but found by gradient descent.

# %%
first = next(layer for layer in course.layers if isinstance(layer, keras.layers.Conv2D))
weights, biases = first.get_weights()
print("first layer:", first.name, "kernel", weights.shape, " bias", biases.shape)
plot.kernels([weights[:, :, 0, f] for f in range(weights.shape[-1])], [f"filter {f}" for f in range(8)]);

digit = x_test[0].astype(np.float32) / 255
maps = ops.relu(ops.conv2d(digit, weights, padding=first.padding) + biases)   # (28, 28, 8)
plot.feature_maps(maps, suptitle="a test digit through the first layer");
assert maps.shape[-1] == weights.shape[-1]

# %% [markdown]
# Deeper layers see more. `training.feature_maps` runs one digit through the network and keeps what
# every convolution and pooling layer makes of it: the maps get smaller (pooling) and more
# numerous (more kernels), and each cell of a deeper map depends on a wider patch of the digit.

# %%
stages = training.feature_maps(course, x_test[0])
for name, stage in stages.items():
    print(f"{name:6} {stage.shape}")
plot.feature_maps(stages["conv2"], suptitle="the second convolution layer on the same digit", limit=8);
assert list(stages)[:3] == ["conv1", "pool1", "conv2"] and stages["conv2"].shape[-1] == 16

# %% [markdown]
# Now watch your own learned kernel slide over the digit, in the widget from lesson 02. Pass the
# Keras layer itself and pick a filter: the widget takes that filter's weights and its bias.

# %%
mine = ConvolutionWidget(digit, first, filter=0)
mine

# %% [markdown]
# The widget computed convolution plus bias with `cnnlab.ops`; the layer then applies its ReLU.
# Keras agrees, number for number:

# %%
probe = keras.Model(course.inputs, first.output)          # the course network, cut after its first layer
keras_map = probe.predict(x_test[:1], verbose=0)[0, :, :, 0]
print("widget output", mine.output.shape, " Keras layer output", keras_map.shape)
assert np.allclose(ops.relu(mine.output), keras_map, atol=1e-4)

# %% [markdown]
# The next layer's kernels have one slice per map of the layer before, and `PoolingWidget` takes a
# layer's output as it is. Here is the 2×2 max pooling that follows the first layer, on the map
# you just watched being made.

# %%
pooling = PoolingWidget(keras_map, size=2, mode="max")
pooling

# %%
assert np.allclose(pooling.output, ops.max_pool(keras_map, 2))

# %% [markdown]
# A kernel of the second layer has one 3×3 slice for each of the 8 maps that come out of the first
# block: it looks at all of them at once, exactly like the colour kernels of lesson 02 looked at
# red, green and blue. Give the widget that layer and the maps it reads (pick a channel in the
# widget to see one slice at work).

# %%
deeper = ConvolutionWidget(stages["pool1"], course.get_layer("conv2"), filter=0)
deeper

# %%
assert deeper.kernel.shape == (3, 3, 8)
assert np.allclose(ops.relu(deeper.output), stages["conv2"][:, :, 0], atol=1e-4)

# %% [markdown]
# Finally, the real test of a digit reader: your handwriting. Draw a digit in the box below with
# the mouse (or a finger), and your network reads it as you draw: its three best guesses and what
# its first layer sees. The drawing is prepared the way the MNIST digits were: cropped to the ink,
# scaled into 20 × 20 pixels and centred by its centre of mass in 28 × 28.

# %%
pad = DrawWidget(course)
pad

# %% [markdown]
# The next cell hands the pad one of the test digits instead of a drawing, to check it in code. The
# pad then shows that digit under "what the network reads", with its guesses, while the drawing box
# stays empty: the digit came from the test set, not from the box. Your first stroke replaces it.

# %%
guesses = pad.predict(x_test[1])      # what the pad does with a drawing, here one of the test digits
print("best three guesses:", [(digit, f"{p:.0%}") for digit, p in guesses], " the label says", y_test[1])
assert pad.digit.shape == (28, 28) and len(guesses) == 3 and guesses[0][0] == y_test[1]

# %% [markdown]
# ## 14. Images from folders, and keeping your model
#
# Real projects keep images as files, one folder per class. `datasets.to_image_folder` writes the
# digits as real PNG files that way, and Keras reads such a folder with
# `keras.utils.image_dataset_from_directory`. Older tutorials use `ImageDataGenerator` for this and
# for augmentation; it is gone from Keras 3. Augmentation is now done by layers such as
# `RandomTranslation`, which you can put in front of a model or apply to batches.

# %%
import shutil
import tempfile
from pathlib import Path

scratch = Path(tempfile.mkdtemp(prefix="cnnlab-lesson07-"))  # removed at the end of this section
folder = datasets.to_image_folder(scratch / "digits", "mnist", per_class=20)
print(sorted(p.name for p in (folder / "train").iterdir()))
batches = keras.utils.image_dataset_from_directory(folder / "train", color_mode="grayscale", image_size=(28, 28),
                                                   batch_size=32, seed=0, verbose=False)
images_batch, labels_batch = next(iter(batches))
shifter = keras.layers.RandomTranslation(0.1, 0.1, fill_mode="constant", seed=0)
shifted_batch = shifter(images_batch, training=True)
plot.grid([images_batch[i, :, :, 0].numpy() for i in range(4)] + [shifted_batch[i, :, :, 0].numpy() for i in range(4)],
          [f"file: {batches.class_names[int(labels_batch[i])]}" for i in range(4)] + ["randomly moved"] * 4,
          cols=8, size=1.3);
assert images_batch.shape[1:] == (28, 28, 1)

# %% [markdown]
# Save the model as one `.keras` file and load it back. `safe_mode=True` (the default, said out
# loud here) refuses files that would run arbitrary Python code while loading: only load models
# from people you trust, and keep safe mode on. Then use the loaded model on a new image file.

# %%
saved = scratch / "my_digits.keras"
course.save(saved)
loaded = keras.saving.load_model(saved, safe_mode=True)
new_file = next((folder / "validation" / "7").glob("*.png"))
new_image = images.load(new_file)
print(new_file.name, new_image.shape, "read as", int(loaded.predict(new_image[None], verbose=0).argmax()))
assert np.allclose(loaded.predict(x_test[:50], verbose=0), course.predict(x_test[:50], verbose=0), atol=1e-5)

# %% [markdown]
# The image folder and the saved model were only for this demonstration, in a temporary folder:
# the next cell removes it, so running the lesson again leaves nothing behind. To keep your model,
# save it in a folder of yours instead, for example `course.save("my_digits.keras")`.

# %%
shutil.rmtree(scratch)
assert not scratch.exists()

# %% [markdown]
# ## 15. Going further (optional, needs the internet): cats and dogs
#
# Many Keras tutorials go on from digits to colour photos of cats and dogs, read from folders with
# `ImageDataGenerator`. Everything you need for that is above: photos as arrays (or folders read
# with `image_dataset_from_directory`), augmentation layers instead of the generator, a validation
# split, curves. `datasets.load_cats_dogs()` downloads the photos of François Chollet's
# cats-vs-dogs tutorial (about 68 MB) when you are online; offline it says so in one sentence and
# the cell skips the rest. Expect a much lower validation accuracy than on digits from a few
# hundred photos: cats and dogs are much harder, and real projects start from a network pretrained
# on millions of photos.
#
# Three things in the network below are new:
#
# - `GlobalAveragePooling2D` replaces `Flatten`: it keeps one number per feature map, the mean of
#   the map (lesson 05), so the dense layer gets 64 numbers whatever the size of the photo;
# - with two classes, one output is enough: `Dense(1, activation="sigmoid")`. The **sigmoid**
#   `1 / (1 + e^(−score))` squeezes a score into a probability between 0 and 1, here "how sure it
#   is a dog" (so 1 − that for a cat);
# - the loss is then **binary cross-entropy**: `−log p` for a dog and `−log(1 − p)` for a cat,
#   the cross-entropy of lesson 07, section 1, for two classes.

# %%
pets = datasets.load_cats_dogs(per_class=200, size=64)
if pets is not None:
    (x_pets, y_pets), (x_pets_val, y_pets_val) = pets
    plot.grid(list(x_pets[:4]) + list(x_pets[-4:]), ["cat"] * 4 + ["dog"] * 4, cols=8, size=1.3)
    pet_model = keras.Sequential([
        keras.Input((64, 64, 3)),
        keras.layers.Rescaling(1 / 255),
        keras.layers.RandomFlip("horizontal"),          # augmentation layers: only active while training
        keras.layers.RandomTranslation(0.1, 0.1),
        keras.layers.Conv2D(16, 3, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu"), keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(1, activation="sigmoid"),     # one output: the probability of "dog"
    ])
    pet_model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    pet_model.fit(x_pets, y_pets, validation_data=(x_pets_val, y_pets_val), epochs=10, verbose=0,
                  callbacks=[training.LiveCurves()])

# %% [markdown]
# ## Summary
#
# - **Keras's training curves**: training accuracy is a running average over the epoch, while the
#   weights improve; validation is measured at the epoch's end.
# - **Three piles, kept apart**: every setting here was chosen on validation digits; the test digits
#   were scored once, at the end.
# - **Overfitting**: training keeps improving while validation gets worse; early stopping,
#   dropout, weight decay and augmentation fight it, and on 200 digits augmentation did the most.
# - **The course recipe** beats the one-block network on clean digits and, thanks to shifted
#   copies, reads digits moved by 3 pixels; the ablation table shows what each change bought.
# - A trained network's kernels are edge and stroke detectors; save it as `.keras`, load it with
#   safe mode on.
#
# Next: finding *where* things are in a photo, not just what it shows.
#
# [Next: 08 Detection](08_detection.ipynb)
