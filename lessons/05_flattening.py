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
# # 05 · Flattening: from a stack of maps to one vector
#
# Convolution, ReLU and pooling turn a photo into a small stack of feature maps: "where in the
# image is each feature?". The last part of a CNN, the **fully connected** layers of lesson 06,
# wants something simpler: one list of numbers. **Flattening** makes that list. It does no
# arithmetic and learns nothing; it only reads the numbers of the stack in a fixed order. The
# order matters, though, and so does the length of the list.
#
# **After this lesson you can**
#
# - flatten a stack with `ops.flatten` and predict the length of the vector;
# - say exactly where entry `[row, col, channel]` of the stack lands in the vector, in Keras's
#   order, and how channels-first libraries differ;
# - explain why the layer after `Flatten` holds most of a classic CNN's weights, and what global
#   average pooling does instead;
# - say what flattening forgets, and check `ops.flatten` against `keras.layers.Flatten`;
# - show that a dense layer after `Flatten` is a convolution as large as the stack, and say why
#   that lets a network slide over a bigger image.

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
import numpy as np

from cnnlab import exercises, images, kernels, ops, plot

# %% [markdown]
# ## 1. Why one long vector?
#
# A fully connected layer (next lesson) gives **every** input number its own weight and adds the
# products up, for each of its units. To do that it needs its inputs as one numbered list, a
# vector: input 0, input 1, input 2, and so on. A stack of feature maps has three indices (row,
# column, channel), so before the fully connected part we line its numbers up in one row.
#
# ## 2. Flattening a tiny stack
#
# Here is a stack of two 2 × 3 maps, built so that you can tell the numbers apart: channel 0 holds
# 0 to 5, channel 1 holds 10 to 15 (the ones digit is the pixel, the tens digit the channel).

# %%
stack = np.stack([np.arange(6).reshape(2, 3),          # channel 0
                  10 + np.arange(6).reshape(2, 3)],    # channel 1
                 axis=-1)
print("stack shape:", stack.shape, "  (rows, columns, channels)")

vector = ops.flatten(stack)
print("flattened:  ", vector, "  length", vector.size)
assert vector.tolist() == [0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15]

plot.flatten_order(stack);

# %% [markdown]
# The vector does **not** hold all of channel 0 and then all of channel 1. It goes pixel by pixel,
# row by row, and writes both channels of a pixel side by side: `0, 10` (pixel [0, 0]), then
# `1, 11` (pixel [0, 1]), and so on. The channel changes fastest, then the column, then the row.
# That is NumPy's normal ("C") order for an `(H, W, C)` array, and the order Keras's `Flatten`
# layer uses on channels-last data.
#
# So entry `[row, col, channel]` of an `(H, W, C)` stack lands at position
#
#     (row × W + col) × C + channel
#
# (`row × W + col` counts the pixels before it, each taking C places). Let's check the formula on
# every entry:

# %%
H, W, C = stack.shape
for row in range(H):
    for col in range(W):
        for channel in range(C):
            assert vector[(row * W + col) * C + channel] == stack[row, col, channel]
print("the formula finds all", stack.size, "entries")

# %% [markdown]
# The length is simply the number of values in the stack, H × W × C: flattening moves numbers
# around, it never adds or loses one.
#
# ## 3. Flattening real feature maps
#
# Now a stack that came from a photo, as in a real CNN: a small grayscale cat, three hand-made
# filters, ReLU, and 2 × 2 max pooling.

# %%
cat = images.to_float(images.grayscale(images.resize(images.load("cat"), 64)))
filters = np.stack([kernels.get(n) for n in ["sobel_x", "sobel_y", "laplacian"]], axis=-1)[:, :, None, :]

maps = ops.max_pool(ops.relu(ops.conv2d(cat, filters)), 2)
flat = ops.flatten(maps)
print("photo", cat.shape, "-> maps", maps.shape, "-> vector", flat.shape)
assert flat.size == maps.shape[0] * maps.shape[1] * maps.shape[2]

plot.feature_maps(maps, ["vertical edges", "horizontal edges", "laplacian"], size=2.6);

# %% [markdown]
# The widget unrolls that stack into its vector, one number at a time.
#
# **Try it:** press play and watch the numbers leave the maps in the order pixel, then channel;
# pause and check one position with the formula `(row × W + col) × C + channel`.

# %%
from cnnlab.widgets import FlattenWidget

flatten_widget = FlattenWidget(maps)
flatten_widget

# %%
assert np.array_equal(flatten_widget.output, flat)


# %% [markdown]
# ## 4. The price of flattening
#
# The fully connected layer after `Flatten` has one weight for every pair (input number, unit).
# So its size is (vector length + 1 bias) × units, and the vector can be long. Let's count, with
# `ops.output_size` for the shapes and `ops.conv2d_params` / `ops.dense_params` for the
# parameters (weights and biases), two classic models: the beginner's digit classifier of many
# Keras tutorials (28 × 28 gray input, one convolution of 32 filters) and the small cats-vs-dogs
# network of François Chollet's book *Deep Learning with Python* (150 × 150 colour input, four
# convolutions).
#
# **Predict first:** in the cats-vs-dogs model, which holds more parameters, the four convolution
# layers together or the one dense layer after `Flatten`? Write your guess, then run the next cell.

# %%
def describe(name, size, channels, convs, dense_units):
    """Print shapes and parameter counts (weights + biases) of Conv+MaxPool blocks, Flatten, Dense."""
    print(f"--- {name}: input {size} x {size} x {channels}")
    total_conv = 0
    for filters in convs:
        params = ops.conv2d_params(3, channels, filters)
        size = ops.output_size(size, 3)                 # convolution, valid
        size = ops.output_size(size, 2, stride=2)       # 2 x 2 max pooling
        channels = filters
        total_conv += params
        print(f"{f'conv {filters} filters + pool -> {size} x {size} x {channels}':<40}{params:>12,} parameters")
    length = size * size * channels
    dense = ops.dense_params(length, dense_units)
    print(f"{f'flatten -> vector of {length:,}':<40}{0:>12,} parameters")
    print(f"{f'dense {dense_units} units':<40}{dense:>12,} parameters")
    print(f"the dense layer after Flatten holds {dense / (dense + total_conv):.0%} of these parameters")
    return length, dense

digits = describe("digits (classic MNIST model)", 28, 1, [32], 10)
cats = describe("cats vs dogs (Chollet's model)", 150, 3, [32, 64, 128, 128], 512)
assert digits == (5408, 54090) and cats == (6272, 3211776)

# %% [markdown]
# In both models the single layer after `Flatten` holds more parameters than all the convolutions
# together: more than 3 million in the cats-vs-dogs model, against about 240,000 for its four
# convolutional layers. Parameters cost memory and training time, and every extra one is one more
# thing that can learn the training photos by heart instead of the general pattern (overfitting).
#
# Many modern networks therefore replace `Flatten` with **global average pooling**: each feature
# map is averaged to one number, so a stack of 7 × 7 × 128 becomes just 128 numbers, whatever the
# image size, and the dense layer shrinks 49 times.

# %%
last_stack = np.random.default_rng(0).random((7, 7, 128))
print("Flatten:               ", ops.flatten(last_stack).shape, "->",
      f"{ops.dense_params(7 * 7 * 128, 512):,} parameters in Dense(512)")
print("global average pooling:", last_stack.mean(axis=(0, 1)).shape, "->",
      f"{ops.dense_params(128, 512):,} parameters in Dense(512)")

# %% [markdown]
# ## 5. What flattening forgets
#
# In the stack, pixel `[r, c]` and the pixel below it, `[r + 1, c]`, are neighbours. In the
# vector they are `W × C` places apart, and the dense layer that reads the vector has no idea which
# of its inputs used to be neighbours: every position simply has its own weights. If the object
# moves by one cell of the pooled map, its numbers move `C` places along the vector and meet
# completely different weights. That is one reason the fully connected part of a CNN is the part
# least tolerant to shifts (you will measure it in lesson 06).

# %%
H, W, C = maps.shape

def position(row, col, channel):
    return (row * W + col) * C + channel

print("neighbour to the right is", position(2, 3, 0) - position(2, 2, 0), "places further (C)")
print("neighbour below is       ", position(3, 2, 0) - position(2, 2, 0), "places further (W x C)")
assert position(3, 2, 0) - position(2, 2, 0) == W * C

# %% [markdown]
# ## 6. The same numbers as Keras
#
# Keras's `Flatten` layer takes a batch `(N, H, W, C)` and returns `(N, H × W × C)`; for one image
# it must give exactly `ops.flatten`'s vector, in the same order.

# %%
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"     # hide TensorFlow's start-up messages
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"    # exact, repeatable float arithmetic on CPU

import keras

keras_flat = np.asarray(keras.layers.Flatten()(maps[None]))
print("keras:", keras_flat.shape, "  ops.flatten:", flat.shape)
assert keras_flat.shape == (1, flat.size)
assert np.array_equal(keras_flat[0], flat)

small = np.asarray(keras.layers.Flatten()(stack[None].astype("float32")))[0]
print("the tiny stack, flattened by Keras:", small.astype(int))

# %% [markdown]
# ## 7. A dense layer on a flattened stack is a convolution
#
# The layer after `Flatten` is a *dense* layer (lesson 06 builds it in full). Each of its units
# multiplies every number of the vector by a weight of its own, adds the products up and adds a
# bias. With the weights stored as a matrix of shape `(inputs, units)`, one column per unit,
# `ops.dense(vector, weights, bias)` computes all units at once. A tiny one first:

# %%
tiny_weights = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]])    # 3 inputs, 2 units
print(ops.dense(np.array([2.0, 3.0, 4.0]), tiny_weights, np.array([0.5, 0.0])))
assert ops.dense(np.array([2.0, 3.0, 4.0]), tiny_weights, np.array([0.5, 0.0])).tolist() == [6.5, -1.0]

# %% [markdown]
# Now look at one unit reading our flattened cat stack. Its weight for entry `[row, col, channel]`
# sits at position `(row × W + col) × C + channel` of its column, the flattening order. Put those
# weights back in the shape of the stack, `(H, W, C)`, and the unit is a *kernel* as big as the
# whole stack: it multiplies every number of the stack by the weight at the same place and adds up,
# which is exactly what a convolution computes at one position. In Keras's kernel shape
# `(kh, kw, C, filters)` the weights of all units together are simply
# `weights.reshape(H, W, C, units)`, because NumPy reshapes in the very same row, column, channel
# order. The cell below builds a `Dense(4)` layer and a `Conv2D(4, kernel_size=(H, W))` layer with
# `"valid"` padding, gives them the same weights that way, and runs both on the stack.
#
# **Predict first:** the dense layer gives 4 numbers. How many positions does an `H × W` window
# have on an `H × W` stack, so what shape will the convolution's output have? Will its numbers be
# the dense layer's? Write your guess, then run the cell.

# %%
H, W, C = maps.shape
units = 4
rng = np.random.default_rng(5)
weights = rng.normal(0, 0.05, (H * W * C, units)).astype("float32")
bias = rng.normal(0, 0.1, units).astype("float32")

dense = keras.layers.Dense(units)
dense.build((None, H * W * C))
dense.set_weights([weights, bias])

conv = keras.layers.Conv2D(units, kernel_size=(H, W), padding="valid")
conv.build((None, H, W, C))
conv.set_weights([weights.reshape(H, W, C, units), bias])

batch = maps[None].astype("float32")
by_dense = np.asarray(dense(keras.layers.Flatten()(batch)))          # (1, 4)
by_conv = np.asarray(conv(batch))                                     # (1, 1, 1, 4)
print("dense:      ", by_dense.shape, by_dense[0].round(4))
print("convolution:", by_conv.shape, by_conv[0, 0, 0].round(4))
assert by_conv.shape == (1, 1, 1, units)
assert np.allclose(by_conv[0, 0, 0], by_dense[0], atol=1e-5)
assert np.allclose(ops.conv2d(maps, weights.reshape(H, W, C, units))[0, 0] + bias, by_dense[0], atol=1e-5)

# %% [markdown]
# The window fits in one position only, so the convolution gives a 1 × 1 map of 4 channels: the
# same four numbers as the dense layer (to 0.00001, float rounding). So why bother? Because the two layers behave differently on a **bigger** stack. The
# dense layer wants exactly `H × W × C` numbers and refuses anything else. The convolution simply
# slides: on a stack from a photo twice as large it gives a whole map, and every cell of that map
# is the dense layer's answer for one `H × W` window of the stack.

# %%
big_cat = images.to_float(images.grayscale(images.resize(images.load("cat"), 128)))
big_maps = ops.max_pool(ops.relu(ops.conv2d(big_cat, filters)), 2)
slid = np.asarray(conv(big_maps[None].astype("float32")))[0]
print("bigger stack", big_maps.shape, "-> convolution output", slid.shape)

row, col = 10, 20                                 # one window, checked with the dense layer itself
window = big_maps[row:row + H, col:col + W][None].astype("float32")
assert np.allclose(slid[row, col], np.asarray(dense(keras.layers.Flatten()(window)))[0], atol=1e-5)
try:
    dense(keras.layers.Flatten()(big_maps[None].astype("float32")))
except ValueError:
    print(f"the dense layer refuses the bigger stack's {big_maps.size:,} numbers: it takes {H * W * C:,}")
else:
    raise AssertionError("the dense layer should refuse a vector of the wrong length")

# %% [markdown]
# One pass of the convolution answered for every window position at once, and the windows share all
# the work before it. That is how a classifier trained on small crops becomes a detector that
# scans a whole photo in one pass, the trick at the heart of [lesson 08](08_detection.ipynb).

# %% [markdown]
# ## Exercises
#
# Edit each cell where you see `...`, run it, and read the feedback under it.
#
# ### Exercise 1: how long is the vector?
#
# The classic digit model of section 4 flattens a stack of 13 × 13 maps with 32 channels. How many numbers does
# the vector hold? Work it out, then type the number.

# %%
flat_length = ...   # a whole number

exercises.check_flat_length(flat_length)


# %% [markdown]
# ### Exercise 2: where does an entry land?
#
# Write `flat_index(row, col, channel, shape)`: the position of entry `[row, col, channel]` of a
# stack of `shape = (H, W, C)` in `ops.flatten`'s vector. Hint: section 2.

# %%
def flat_index(row, col, channel, shape):
    """Position of stack[row, col, channel] in ops.flatten(stack)."""
    height, width, channels = shape
    return ...   # your code here


result = exercises.check_flat_index(flat_index)
if result:
    assert flat[flat_index(2, 3, 1, maps.shape)] == maps[2, 3, 1]


# %% [markdown]
# ### Exercise 3: the channels-first order
#
# PyTorch stores a stack as `(C, H, W)`, channels first, and its flatten therefore gives all of
# channel 0 (row by row), then all of channel 1, and so on. When you move trained weights between
# libraries you must match this order. Write `flatten_channels_first(maps)` that takes an
# `(H, W, C)` stack and returns that order. Hint: `np.transpose(maps, axes)` reorders the axes;
# `reshape` alone does not move any number. When it is right, the cell checks it against Keras's
# `Flatten` applied to the same stack stored channels-first, as `(C, H, W)`.

# %%
def flatten_channels_first(maps):
    """(H, W, C) stack -> vector with all of channel 0 first, then channel 1, ..."""
    return ...   # your code here


result = exercises.check_channels_first(flatten_channels_first)
if result:
    stack_cf = np.transpose(maps, (2, 0, 1))[None]            # a batch of one (C, H, W) stack
    assert np.array_equal(np.asarray(keras.layers.Flatten()(stack_cf))[0], flatten_channels_first(maps))
    print("Keras agrees:", flatten_channels_first(stack)[:6], "...")

# %% [markdown]
# ## Summary
#
# - **Flattening** lines up the numbers of an `(H, W, C)` stack into one vector of `H × W × C`
#   numbers (`ops.flatten`); nothing is computed, learned or lost.
# - The order: row by row, pixel by pixel, with the C channels of each pixel side by side: entry
#   `[row, col, channel]` goes to `(row × W + col) × C + channel`, as in Keras's `Flatten`.
#   Channels-first libraries (PyTorch) use another order.
# - The dense layer after `Flatten` usually holds most of a classic CNN's weights; global average
#   pooling is the modern, much smaller alternative.
# - The vector forgets which numbers were neighbours, so the part after it is the least tolerant to
#   shifts.
# - A dense layer on a flattened `H × W × C` stack equals an `H × W` convolution with `"valid"`
#   padding whose kernel is the dense weights reshaped to `(H, W, C, units)`. The convolution also
#   slides over a bigger stack: one pass, one answer per window (lesson 08).
#
# The vector is ready. Lesson 06 feeds it to fully connected layers, turns their scores into
# probabilities, and computes a complete CNN by hand.
#
# [Next: 06 Full connection](06_full_connection.ipynb)
