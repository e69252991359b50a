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
# # 03 · ReLU: keeping the evidence
#
# A convolution's feature map holds positive and negative numbers. Before the next layer sees it,
# a CNN passes every number through a small function called an **activation**. The most common one,
# **ReLU**, is almost embarrassingly simple: it keeps positive numbers and replaces negative ones
# with 0. This lesson shows what that does to a feature map, and why such a tiny step is what
# makes stacking many layers worthwhile at all.
#
# **After this lesson you can**
#
# - apply ReLU to numbers and to feature maps, and say what it keeps and what it drops;
# - show with numbers that two convolutions without an activation in between are just one
#   convolution, and that a ReLU in between breaks this;
# - compare ReLU with sigmoid, tanh and leaky ReLU, and explain why ReLU is the usual choice;
# - check `ops.relu` against Keras.

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
# ## 1. ReLU on a few numbers
#
# ReLU stands for **Re**ctified **L**inear **U**nit. "Rectified" means the negative part is cut
# off: `relu(x) = max(x, 0)`. `ops.relu` applies it to every number of an array.

# %%
x = np.array([-3.0, -0.5, 0.0, 0.5, 3.0])
print("x:      ", x)
print("relu(x):", ops.relu(x))
assert ops.relu(x).tolist() == [0, 0, 0, 0.5, 3]

line = np.linspace(-4, 4, 81)
plot.curves(line, {"relu(x)": ops.relu(line)}, title="ReLU: negative in, 0 out; positive in, same out");

# %% [markdown]
# ## 2. ReLU on a feature map
#
# Back to the bright square of lesson 02 and its vertical-edge kernel. The feature map is
# positive (red) on the square's left edge, where dark turns bright, and negative (blue) on the
# right edge, where bright turns dark.
#
# **Predict first:** which cells of the map will be white (0) after ReLU, and will the red cells
# change at all? Then run the next cell.

# %%
square = np.zeros((7, 7))
square[2:5, 2:5] = 9
edge_kernel = kernels.get("prewitt_x")            # -1 0 1 in every row

feature_map = ops.conv2d(square, edge_kernel)
activated = ops.relu(feature_map)
assert (activated >= 0).all() and activated.max() == feature_map.max()

plot.before_after(feature_map, activated, ("feature map", "after ReLU"), show_numbers=True,
                  same_scale=True);

# %% [markdown]
# Think of a feature map as a list of claims: a positive number says "my feature is here, this
# strongly"; a negative number says "the *opposite* of my feature is here". ReLU keeps only the
# evidence **for** the feature and says "nothing" everywhere else.
#
# Is the right edge lost? Not for a network, which has many filters: a filter with the opposite
# weights (`-edge_kernel`, a "bright-to-dark" detector) reports the right edge as positive, and its
# ReLU keeps it. Between them, the two filters still hold every number of the original map:

# %%
left_edges = ops.relu(ops.conv2d(square, edge_kernel))
right_edges = ops.relu(ops.conv2d(square, -edge_kernel))

assert np.allclose(left_edges - right_edges, feature_map)   # nothing was thrown away
plot.before_after(left_edges, right_edges, ("relu(dark-to-bright)", "relu(bright-to-dark)"),
                  show_numbers=True);

# %% [markdown]
# ### On a real photo
#
# Now the cat, with `sobel_x`. Before ReLU the map is red and blue; after it, only the edges where
# brightness rises from left to right remain, and about half of all values are exactly 0. Such a
# **sparse** map, mostly zeros with a few strong responses, is typical inside a CNN.

# %%
cat = images.to_float(images.grayscale(images.load("cat")))
cat_map = ops.conv2d(cat, kernels.get("sobel_x"))
cat_relu = ops.relu(cat_map)

zeros = np.mean(cat_relu == 0)
print(f"values that are 0 after ReLU: {zeros:.0%}")
assert 0.3 < zeros < 0.7

plot.before_after(cat_map, cat_relu, ("sobel_x feature map", "after ReLU"));

# %% [markdown]
# ReLU kept the red cells exactly as they were and turned every blue cell white (0).
#
# The widget shows ReLU working through a feature map cell by cell, with the input and output on
# the same colour scale (blue negative, white zero, red positive). Its map comes from the cat
# photo with pixels from 0 to 255, as the convolution widget of lesson 02 computes it, so its
# numbers run into the hundreds. The table beside the sums shows what each activation makes of
# the current cell.
#
# **Try it:** press play and watch every blue cell turn white while the red cells stay as they
# are; then switch the activation to `sigmoid` and `tanh` and compare how the map changes.
# For those two the widget first multiplies the map by 1/255 and says so ("input scaled by
# 1/255"): the photo's pixels as 0 to 1, the same numbers as the plots above. Without it,
# `sigmoid(820)` would be 1 and `sigmoid(-820)` would be 0, and the map would be only black
# and white.

# %%
from cnnlab.widgets import ActivationWidget, ConvolutionWidget

cat_edges = ConvolutionWidget("cat", "sobel_x").output      # a feature map of the cat, 41 x 62
print(f"the map runs from {cat_edges.min():.0f} to {cat_edges.max():.0f} (pixel units)")
ActivationWidget(cat_edges, "relu")

# %% [markdown]
# ## 3. Why a network needs a bend
#
# A convolution only multiplies by weights and adds. Operations like that are called **linear**,
# and they obey two simple rules: doubling the input doubles the output, and the output for the sum
# of two images is the sum of their outputs. A convolutional layer also adds a bias, which makes it
# **affine** (linear plus a constant): doubling the input then no longer doubles the output, but
# everything below still holds, since affine steps in a row are again one affine step (one
# convolution plus one bias). Let's check both rules on real photos, for the convolution without
# its bias:

# %%
camera = images.to_float(images.load("camera"))[:300, :451]    # same size as the cat
k = kernels.get("sobel_x")

assert np.allclose(ops.conv2d(2 * cat, k), 2 * ops.conv2d(cat, k), atol=1e-5)
assert np.allclose(ops.conv2d(cat + camera, k), ops.conv2d(cat, k) + ops.conv2d(camera, k), atol=1e-5)
print("convolution is linear: scaling and adding pass straight through it")

# %% [markdown]
# Here is the consequence. Take two convolutions in a row with nothing in between: first `a`, then
# `b`. Pixel `x[i+s, j+t]` is multiplied by some weight of `a` in the first step and by some weight
# of `b` in the second, and all the products are added. So the result is again "each pixel times a
# fixed weight, added up": **a single convolution**, with a bigger kernel. Two 3 × 3 kernels in a
# row see a 5 × 5 patch, so the combined kernel is 5 × 5.
#
# Working out its weights: pixel offset `(s, t)` collects `a[u, v] · b[p, q]` for every way of
# writing `s = u + p` and `t = v + q`. That sum over overlaps is itself a sliding-window sum: slide
# `b`, flipped upside down and left to right, over `a` padded with 2 zeros on every side, so that
# every partial overlap counts:

# %%
a = kernels.get("sobel_x")          # first step: vertical edges
b = kernels.get("sobel_y")          # second step: horizontal edges

two_steps = ops.conv2d(ops.conv2d(cat, a), b)                 # two valid convolutions
combined = ops.conv2d(a, b[::-1, ::-1], padding=2)            # ONE 5 x 5 kernel
one_step = ops.conv2d(cat, combined)

print("two steps:", two_steps.shape, "  one step:", one_step.shape, "  kernel:", combined.shape)
assert combined.shape == (5, 5)
assert np.allclose(two_steps, one_step, atol=1e-5)

plot.kernels([a, b, combined], ["a: sobel_x", "b: sobel_y", "a then b, in one kernel"]);


# %% [markdown]
# The same works for any number of layers: ten convolutions in a row, without activations, are
# one convolution in disguise. All that depth would buy nothing.
#
# Put a ReLU between the two steps and the magic stops. The result is no longer linear (adding
# two images first gives a different answer from adding their results), so **no** single kernel
# can reproduce it:

# %%
def with_relu(image):
    return ops.conv2d(ops.relu(ops.conv2d(image, a)), b)

gap = np.abs(with_relu(cat + camera) - (with_relu(cat) + with_relu(camera))).max()
print(f"largest difference between f(cat + camera) and f(cat) + f(camera): {gap:.2f}")
assert gap > 0.1

# %% [markdown]
# What does the bend buy? Flexibility. A straight line can only tilt, however many you chain, but
# a few ReLUs can build shapes. Here three shifted ReLUs, added with weights 1, −2 and 1, make a
# "bump" that is 1 at `x = 0` and 0 away from it: a detector that fires only for inputs near one
# value. A network adds up thousands of such pieces, and can bend its response into almost any
# shape it needs: "an edge here **and** another edge there, but not just one of them".

# %%
bump = ops.relu(line + 1) - 2 * ops.relu(line) + ops.relu(line - 1)
assert np.isclose(bump.max(), 1) and bump[0] == 0 and bump[-1] == 0

plot.curves(line, {"relu(x + 1)": ops.relu(line + 1), "-2 relu(x)": -2 * ops.relu(line),
                   "relu(x - 1)": ops.relu(line - 1), "sum: a bump": bump},
            title="three ReLUs make a shape no straight line can", highlight="sum: a bump");


# %% [markdown]
# ## 4. Other activation functions
#
# ReLU is not the only choice. Three others you will meet, written in NumPy (each works on every
# number of an array, like `ops.relu`):
#
# - **sigmoid** squashes any number into (0, 1): `1 / (1 + exp(-x))`. It was the classic choice.
# - **tanh** squashes into (−1, 1), centred on 0.
# - **leaky ReLU** is ReLU with a small slope for negative inputs instead of a flat 0:
#   `x` if `x > 0`, else `0.1 · x`.

# %%
def sigmoid(x):
    return 1 / (1 + np.exp(-x))

def leaky(x, alpha=0.1):
    return np.where(x > 0, x, alpha * x)

print("sigmoid:", sigmoid(x).round(3))
print("tanh:   ", np.tanh(x).round(3))
print("leaky:  ", leaky(x))

activations = {"relu": ops.relu(line), "leaky relu (0.1)": leaky(line),
               "sigmoid": sigmoid(line), "tanh": np.tanh(line)}
plot.curves(line, activations, title="four activation functions");

# %% [markdown]
# Now the three on the same feature map: the widget's map of the cat divided by 255 (the photo's
# pixels as 0 to 1), the very numbers the widget gives sigmoid and tanh. Most of the map is close
# to 0 (no vertical edge there).
#
# **Predict first:** what do ReLU, sigmoid and tanh turn a 0 into? So which colour will the
# edge-free background be in each map? Then run the next cell and read the colour bars.

# %%
edges_01 = cat_edges / 255                      # pixels as 0 to 1: values between about -4 and 4
compared = {"relu": ops.relu(edges_01), "sigmoid": sigmoid(edges_01), "tanh": np.tanh(edges_01)}

print("an edge-free cell (0) becomes:", {name: float(f(np.float32(0))) for name, f in
                                         [("relu", ops.relu), ("sigmoid", sigmoid), ("tanh", np.tanh)]})
assert 0 < compared["sigmoid"].min() and compared["sigmoid"].max() < 1        # never 0, never 1
assert np.mean((compared["sigmoid"] > 0.1) & (compared["sigmoid"] < 0.9)) > 0.5  # not black and white
assert np.abs(compared["tanh"]).max() < 1 < np.abs(edges_01).max()           # strong edges squashed
assert np.mean(compared["relu"] == 0) > 0.3                                  # sparse: many exact zeros

plot.grid([edges_01, *compared.values()], ["feature map / 255", *compared], cols=4, colorbar=True);

# %% [markdown]
# ReLU keeps the background at exactly 0 (black) and the strong edges as strong as they were.
# Sigmoid turns 0 into 0.5: the background is a mid gray, every cell says "half there", and the
# map is no longer sparse. Tanh keeps 0 at 0 and keeps the sign, but squashes every strong edge
# to nearly ±1, so the strongest and the merely strong edges look alike.

# %% [markdown]
# Why did ReLU win? A network learns by following **slopes** (lesson 07): each weight is nudged in
# the direction that reduces the error, and the nudge passes backwards through every activation,
# multiplied by that activation's slope. So let's plot the slopes:

# %%
slopes = {name: np.gradient(y, line) for name, y in activations.items()}
plot.curves(line, slopes, title="slopes of the four activations", ylabel="slope");

print(f"largest slope of sigmoid: {slopes['sigmoid'].max():.3f}")
assert slopes["sigmoid"].max() < 0.26
assert np.allclose(slopes["relu"][line > 0.2], 1)

# %% [markdown]
# - **sigmoid** and **tanh** flatten out (they *saturate*) for large inputs: their slope is nearly
#   0 there, so learning stalls. Worse, the sigmoid's slope is at most 0.25. A signal passing back
#   through a layer is multiplied by that slope *and* by the layer's weights. With weights that
#   leave a signal's size about as it is (what the usual starting values aim for), ten sigmoid
#   layers shrink it by 0.25¹⁰ or more, to about one millionth: the *vanishing gradient* problem
#   that kept deep networks out of reach for years. (Large weights could make up for it, but they
#   push the sigmoids into their flat, saturated parts.)
# - **ReLU** has slope exactly 1 for every positive input, however large, and it is the cheapest
#   function imaginable (one comparison). Networks with ReLU train faster and deeper.
# - ReLU's weak spot is its slope of 0 for negative inputs: a unit whose inputs are always negative
#   outputs 0 and never learns again (a "dead ReLU"). **Leaky ReLU** keeps a small slope there to
#   avoid that. In practice plain ReLU works very well, so it is the default.

# %% [markdown]
# ## 5. The same numbers as Keras
#
# Keras has each of these functions in `keras.activations`, and as layers (`keras.layers.ReLU`,
# `keras.layers.LeakyReLU`). A `Conv2D` layer can also apply one itself, with
# `activation="relu"`: then it computes `relu(convolution + bias)` in one go.

# %%
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"     # hide TensorFlow's start-up messages
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"    # exact, repeatable float arithmetic on CPU

import keras

assert np.allclose(keras.activations.relu(cat_map), ops.relu(cat_map))
assert np.allclose(keras.layers.ReLU()(cat_map), ops.relu(cat_map))
assert np.allclose(keras.activations.sigmoid(cat_map), sigmoid(cat_map), atol=1e-6)
assert np.allclose(keras.activations.tanh(cat_map), np.tanh(cat_map), atol=1e-6)
assert np.allclose(keras.layers.LeakyReLU(negative_slope=0.1)(cat_map), leaky(cat_map), atol=1e-6)

layer = keras.layers.Conv2D(1, 3, activation="relu")
layer.build((None, *cat.shape, 1))
layer.set_weights([kernels.get("sobel_x")[:, :, None, None], np.array([-0.1], dtype="float32")])
keras_out = np.asarray(layer(cat[None, :, :, None]))[0, :, :, 0]
assert np.allclose(keras_out, ops.relu(cat_map - 0.1), atol=1e-5)
print("ops.relu and the NumPy activations match Keras, also inside Conv2D(activation='relu')")


# %% [markdown]
# That last check shows what the **bias** is for: with a bias of −0.1 the filter only reports
# edges stronger than 0.1. The bias sets the threshold the ReLU cuts at, and the network learns it
# along with the kernel weights.
#
# ## Exercises
#
# Edit each cell where you see `...`, run it, and read the feedback under it.
#
# ### Exercise 1: your own ReLU
#
# Write `my_relu(x)` for an array `x` of any shape. Hint: Python's `max` does not work on arrays;
# NumPy has a function that compares two arrays (or an array and a number) element by element.

# %%
def my_relu(x):
    """Keep positive numbers, turn negative ones into 0."""
    return ...   # your code here


exercises.check_relu(my_relu)


# %% [markdown]
# ### Exercise 2: leaky ReLU with any slope
#
# Write `leaky_relu(x, alpha)`: `x` where `x > 0`, `alpha * x` elsewhere. Hint: `np.where(condition,
# value_if_true, value_if_false)` picks element by element.

# %%
def leaky_relu(x, alpha=0.1):
    """x where positive, alpha * x where negative."""
    return ...   # your code here


exercises.check_leaky_relu(leaky_relu)

# %% [markdown]
# ### Exercise 3: collapse two filters into one
#
# The `emboss` kernel followed by `sobel_x`, with no activation in between, is one 5 × 5 kernel.
# Compute it, as in section 3. Careful with the order and with the flip: the kernel that is
# applied **second** is the one that gets flipped. When it is right, the cell checks it on the cat.

# %%
first = kernels.get("emboss")
second = kernels.get("sobel_x")

combined_kernel = ...   # one 5 x 5 kernel that does `first`, then `second`

result = exercises.check_combined_kernel(combined_kernel)
if result:
    assert np.allclose(ops.conv2d(ops.conv2d(cat, first), second), ops.conv2d(cat, combined_kernel),
                       atol=1e-4)

# %% [markdown]
# ## Summary
#
# - **ReLU** keeps positive numbers and turns negative ones into 0 (`ops.relu`). On a feature map
#   it keeps the evidence *for* a feature; the opposite evidence is kept by other filters.
# - Convolutions are **linear**: two in a row are exactly one bigger convolution (we built the
#   5 × 5 kernel and checked it), so without activations depth buys nothing.
# - A ReLU between layers breaks the linearity; combining many such bends lets a network build
#   almost any response it needs.
# - Sigmoid and tanh saturate, and their small slopes make deep networks hard to train; ReLU has
#   slope 1 for positive inputs and costs almost nothing, which is why it is the default. Leaky
#   ReLU avoids "dead" units.
# - Keras computes the same numbers, and `Conv2D(..., activation="relu")` applies ReLU after the
#   convolution and the bias.
#
# Feature maps are big: as many values as the image has pixels, for every filter. The next lesson
# shrinks them, and looks at what is kept and what is lost.
#
# [Next: 04 Pooling](04_pooling.ipynb)
