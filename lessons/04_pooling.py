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
# # 04 · Pooling: smaller maps, steadier answers
#
# A convolutional layer with 32 filters turns a 28 × 28 image into 32 maps of 26 × 26: more than
# 20,000 numbers from 784 pixels. **Pooling** shrinks the maps again. It cuts each map into small
# windows (usually 2 × 2) and keeps one number per window: the largest (**max pooling**) or the
# average (**average pooling**). It has no weights to learn; it is a fixed summary.
#
# **After this lesson you can**
#
# - compute max and average pooling by hand and with your own loops, and predict the pooled map's size;
# - explain what pooling buys (smaller maps, less computation, some tolerance to small shifts),
#   and measure it on a real photo;
# - explain what pooling throws away (exact positions);
# - say why max pooling usually works better for classification;
# - check `ops.max_pool` and `ops.avg_pool` against Keras's pooling layers;
# - recognise dilation and erosion as pooling with stride 1.

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
# ## 1. Pooling by hand
#
# Take a 4 × 6 map and cut it into 2 × 2 windows that do not overlap: 2 rows of 3 windows. Max
# pooling keeps the largest number of each window; average pooling keeps their mean. Either way
# the 4 × 6 map becomes 2 × 3: a quarter of the numbers. `plot.windows` draws each window in its
# own colour, next to the number it becomes (in bold: the winner of each max).
#
# **Predict first:** the top-left window holds 1, 3, 2 and 9. Which number will max pooling keep
# for it, and which will average pooling keep? Write your guess down, then run the next cell.

# %%
fmap = np.array([[1, 3, 0, 0, 5, 1],
                 [2, 9, 0, 1, 2, 2],
                 [0, 0, 4, 4, 7, 0],
                 [6, 1, 4, 4, 0, 3]], dtype=float)

pooled_max = ops.max_pool(fmap, size=2)
pooled_avg = ops.avg_pool(fmap, size=2)
print("max pooling:\n", pooled_max)
print("average pooling:\n", pooled_avg)

assert pooled_max.tolist() == [[9, 1, 5], [6, 4, 7]]
assert pooled_avg[0, 0] == (1 + 3 + 2 + 9) / 4

plot.windows(fmap, size=2, mode="max");

# %% [markdown]
# Check one window yourself: the top-left window holds 1, 3, 2 and 9, so max pooling keeps 9 and
# average pooling keeps (1 + 3 + 2 + 9) / 4 = 3.75.
#
# ## 2. How big is the pooled map?
#
# Pooling slides a window, just like convolution, so the output-size formula of lesson 02 applies
# with `k` = window size and `s` = stride. By default the stride equals the window size (windows
# side by side, no overlap), and there is no padding:
#
# $$\text{output} = \left\lfloor \frac{n - k}{s} \right\rfloor + 1$$
#
# With 2 × 2 windows and stride 2 that is simply half, rounded down: a leftover row or column
# that does not fill a whole window is dropped. (With `padding="same"` it is kept as a smaller
# window instead, and the size is rounded up.) Some networks, such as AlexNet, use *overlapping*
# 3 × 3 windows with stride 2.

# %%
print(f"{'n':>4} {'window':>6} {'stride':>6} {'padding':>8} {'output':>6}")
for n, k, s, p in [(26, 2, 2, "valid"), (27, 2, 2, "valid"), (27, 2, 2, "same"), (13, 3, 2, "valid"),
                   (224, 2, 2, "valid")]:
    size = ops.output_size(n, k, stride=s, padding=p)
    assert ops.max_pool(np.zeros((n, n)), k, s, padding=p).shape == (size, size)
    print(f"{n:>4} {k:>6} {s:>6} {p:>8} {size:>6}")

# %% [markdown]
# `plot.windows` also draws overlapping windows: with 3 × 3 windows and stride 2, a 5 × 5 map gives
# 2 × 2, and the middle row and column belong to two windows each.

# %%
plot.windows(np.random.default_rng(90).integers(0, 10, (5, 5)).astype(float), size=3, stride=2);

# %% [markdown]
# Each feature map of a stack is pooled on its own, so pooling changes the height and width but
# never the number of channels: 26 × 26 × 32 becomes 13 × 13 × 32.

# %%
stack = np.random.default_rng(0).normal(size=(26, 26, 32))
print(stack.shape, "->", ops.max_pool(stack, 2).shape)
assert ops.max_pool(stack, 2).shape == (13, 13, 32)
assert np.allclose(ops.max_pool(stack, 2)[:, :, 5], ops.max_pool(stack[:, :, 5], 2))

# %% [markdown]
# ## 3. Pooling a real feature map
#
# Here is the usual order inside a CNN: convolution, then ReLU, then pooling. We find the vertical
# edges of the cameraman, keep the positive ones, and max-pool three times in a row. Each pooling
# halves the height and the width, so after three rounds only 1/64 of the numbers are left, and yet
# the edges (the tripod, the coat, the buildings) are still clearly there.

# %%
camera = images.to_float(images.load("camera"))
edges = ops.relu(ops.conv2d(camera, kernels.get("sobel_x")))

rounds = [edges]
for _ in range(3):
    rounds.append(ops.max_pool(rounds[-1], 2))

for r in rounds:
    print(f"{str(r.shape):11} {r.size:>7} numbers")
assert [r.shape[0] for r in rounds] == [510, 255, 127, 63]

plot.grid(rounds, [f"{r.shape[0]} x {r.shape[1]}" for r in rounds], size=2.8);

# %% [markdown]
# Fewer numbers means less work for every later layer: the next convolution on the 255 × 255 map
# does a quarter of the multiplications it would do on 510 × 510. It also means each value of a
# later map "sees" a larger part of the photo (its **receptive field** grows), which is how deep
# layers can respond to whole objects and not just to edges.
#
# ### Watch it
#
# The widget pools a feature map of the cat (vertical edges, after ReLU) with 2 × 2 windows.
# **Try it:** press play and watch the highlighted winner of each window move to the pooled map;
# then switch the mode to `avg` and see the thin edges turn pale.

# %%
from cnnlab.widgets import PoolingWidget

small_cat = images.to_float(images.grayscale(images.resize(images.load("cat"), 64)))
cat_edges = ops.relu(ops.conv2d(small_cat, kernels.get("sobel_x")))

pool_widget = PoolingWidget(cat_edges, size=2, mode="max")
pool_widget

# %%
print(cat_edges.shape, "->", pool_widget.output.shape)
assert np.allclose(pool_widget.output, ops.max_pool(cat_edges, 2))


# %% [markdown]
# ## 4. What pooling buys: a little tolerance to shifts
#
# Move the camera one pixel to the left and every edge in the photo moves one pixel. To a feature
# map that is a big change: a thin edge now lights up different cells. A max-pooled map changes
# less, because as long as the edge stays inside the same 2 × 2 window, the window's maximum does
# not care where exactly it is.
#
# Let's measure it. We compare the edge map of the photo with the edge map of the same photo
# shifted by `d` pixels, cell by cell, and report the size of the difference relative to the map
# (0 % = identical). Then the same after one, two and three 2 × 2 max poolings.
#
# **Predict first:** for a shift of one pixel, will the raw edge map change by about 10 %, 40 %
# or 80 %? And will the map after three poolings change more, or less? Write your guesses down,
# then run the next cell.

# %%
def edge_map(image):
    return ops.relu(ops.conv2d(image, kernels.get("sobel_x")))

def pool_times(fmap, times):
    for _ in range(times):
        fmap = ops.max_pool(fmap, 2)
    return fmap

def change(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(a)

width = camera.shape[1] - 16
original = edge_map(camera[:, :width])
shifts = np.arange(1, 9)
changes = {f"{t} max pooling{'s' if t != 1 else ''}": [] for t in range(4)}
for d in shifts:
    moved = edge_map(camera[:, d:d + width])          # the same scene, d pixels to the left
    for t, label in enumerate(changes):
        changes[label].append(change(pool_times(original, t), pool_times(moved, t)))

for label, values in changes.items():
    print(f"{label:16} shift 1: {values[0]:4.0%}   shift 4: {values[3]:4.0%}")
rows = np.array(list(changes.values()))
assert (np.diff(rows, axis=0) < 0).all()        # more pooling, smaller change, for every shift

plot.curves(shifts, {k: np.array(v) * 100 for k, v in changes.items()}, marker="o",
            xlabel="shift in pixels", ylabel="change of the map (%)",
            title="how much a shift changes the feature map");

# %% [markdown]
# A one-pixel shift changes the raw edge map by about 80 %, but the map after three poolings by
# only about a quarter of that. (The change is the size of the difference divided by the size of
# the original map, so it can pass 100 %: where the thin edges of the two maps do not overlap, the
# difference holds the edges of *both* maps. Two maps of equal strength with no overlap at all
# would give √2, about 141 %.)
#
# Keep the limits in mind, though: this is **tolerance**, not immunity. The pooled maps still
# change, more so for bigger shifts, and a shift of a whole window moves everything. A CNN becomes truly robust to position mostly by seeing objects in many
# positions during training (lesson 07).
#
# ## 5. What pooling throws away: where exactly
#
# The other side of the same coin: pooling forgets *where* in its window the maximum was. These
# two maps differ (the strong response sits in different corners of the window), but their pooled
# maps are identical:

# %%
a = np.zeros((4, 4))
b = np.zeros((4, 4))
a[0, 0] = 9        # top-left corner of the first window
b[1, 1] = 9        # bottom-right corner of the same window

assert not np.array_equal(a, b)
assert np.array_equal(ops.max_pool(a, 2), ops.max_pool(b, 2))
plot.before_after(a, b, ("map a", "map b: max_pool(a) == max_pool(b)"), show_numbers=True);

# %% [markdown]
# For deciding *what* is in a photo that loss rarely matters: a cat is a cat whether its ear is
# one pixel higher or not. For deciding *where* things are, such as drawing a box around a face or
# labelling every pixel, it matters a lot, which is why detection and segmentation networks
# (lessons 08 and 09) pool less or recover the positions later.
#
# ## 6. Max or average?
#
# Average pooling lets every value of a window count, but mixes them into one number: a single
# strong response and a weak one spread over the whole window can give the same average, and
# neither where nor how the values were spread survives. Max pooling keeps only the strongest
# response. For classification the question usually is *"is this feature present
# anywhere in this region?"*, and max answers it directly, while average dilutes a strong but
# small response with the empty background around it. Three rounds of 2 × 2 pooling on our edge
# map show the difference:

# %%
avg_rounds = [edges]
for _ in range(3):
    avg_rounds.append(ops.avg_pool(avg_rounds[-1], 2))

print(f"strongest edge before pooling: {edges.max():.2f}")
print(f"after 3 max poolings:          {rounds[-1].max():.2f}")
print(f"after 3 average poolings:      {avg_rounds[-1].max():.2f}")
assert rounds[-1].max() == edges.max() > avg_rounds[-1].max()

plot.grid([rounds[-1], avg_rounds[-1]], ["3 x max pooling", "3 x average pooling"], size=3.5,
          same_scale=True);

# %% [markdown]
# Max pooling keeps the thin edges at full strength; average pooling smears them into faint gray.
# That is why classic CNNs use max pooling between their convolutional layers, and why it tends to
# work better for classification in practice. Averages have their place too: many modern networks
# end with **global average pooling**, which averages each whole feature map to a single number
# ("how much of this feature is in the image overall?").
#
# ## 7. The same numbers as Keras
#
# Keras's `MaxPooling2D` and `AveragePooling2D` work on a batch of stacks `(N, H, W, C)`;
# `ops.max_pool` and `ops.avg_pool` take one stack `(H, W, C)` (or one map). We compare them on
# random maps with several window sizes, strides and both paddings.

# %%
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"     # hide TensorFlow's start-up messages
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"    # exact, repeatable float arithmetic on CPU

import keras

maps = np.random.default_rng(1).normal(size=(9, 11, 4)).astype("float32")
settings = [(2, None, "valid"), (2, None, "same"), (3, 2, "valid"), (3, 1, "same"), ((2, 3), (1, 2), "valid")]
for size, stride, padding in settings:
    keras_max = keras.layers.MaxPooling2D(pool_size=size, strides=stride, padding=padding)
    keras_avg = keras.layers.AveragePooling2D(pool_size=size, strides=stride, padding=padding)
    ours_max = ops.max_pool(maps, size, stride, padding)
    ours_avg = ops.avg_pool(maps, size, stride, padding)
    assert np.allclose(np.asarray(keras_max(maps[None]))[0], ours_max)
    assert np.allclose(np.asarray(keras_avg(maps[None]))[0], ours_avg, atol=1e-6)
    print(f"size {size}, stride {stride}, {padding:5}: {maps.shape} -> {ours_max.shape}, same as Keras")


# %% [markdown]
# ## 8. Pooling with stride 1: dilation and erosion
#
# Slide the max window one cell at a time, with `"same"` padding, and nothing shrinks: every cell of
# the map becomes the largest value of the window centred on it. Image processing has long had a name
# for this, **dilation**: bright regions grow and small dark specks disappear. Keeping the smallest
# value instead is **erosion**, its mirror: dark regions grow and small bright specks disappear.
# `ops.dilate` and `ops.erode` compute them; the first *is* max pooling with stride 1.
#
# **Try it:** press play on the coins, then switch the mode to `erosion` and watch the coins shrink.

# %%
from cnnlab.widgets import MorphologyWidget

coins = images.load("coins")
assert np.array_equal(ops.dilate(coins, 3), ops.max_pool(coins, 3, stride=1, padding="same"))
assert ops.dilate(coins, 3).shape == ops.erode(coins, 3).shape == coins.shape     # nothing shrinks
assert (ops.erode(coins, 3) <= coins).all() and (coins <= ops.dilate(coins, 3)).all()

MorphologyWidget("coins", size=3, mode="dilation")


# %% [markdown]
# ## Exercises
#
# Edit each cell where you see `...`, run it, and read the feedback under it.
#
# ### Exercise 1: the pooled shape
#
# Write `pooled_shape(shape, size, stride)` that returns the shape of an `(H, W, C)` stack after
# pooling with square windows of `size` and the given `stride` (no padding). As in Keras,
# `stride=None` means "the same as size". Return a tuple of three numbers.

# %%
def pooled_shape(shape, size=2, stride=None):
    """Shape (H', W', C) of an (H, W, C) stack after pooling (no padding)."""
    h, w, c = shape
    ...   # your code here
    return ...


exercises.check_pooled_shape(pooled_shape)


# %% [markdown]
# ### Exercise 2: max pooling with your own loops
#
# Write `my_max_pool(x)` for a 2-D map: 2 × 2 windows, stride 2, and a leftover row or column is
# dropped (as Keras does by default). Hint: output cell `[r, c]` comes from rows `2r, 2r + 1` and
# columns `2c, 2c + 1`.

# %%
def my_max_pool(x):
    """2 x 2 max pooling with stride 2 of a 2-D map."""
    out_h = ...   # how many whole windows fit down?
    out_w = ...   # and across?
    out = np.zeros((out_h, out_w))
    for r in range(out_h):
        for c in range(out_w):
            out[r, c] = ...   # the largest value of window (r, c)
    return out


result = exercises.check_max_pool(my_max_pool)
if result:
    assert np.allclose(my_max_pool(fmap), pooled_max)

# %% [markdown]
# ### Exercise 3: average pooling, any window and stride
#
# Write `my_avg_pool(x, size, stride)` for a 2-D map. The windows are `size × size`; the first one
# sits at the top-left corner and each next one starts `stride` pixels further down or across
# (`stride=None` means the same as `size`). A leftover row or column that does not fill a whole
# window is dropped, as in Exercise 2. Keep the **mean** of each window. Compared with Exercise 2
# there are two changes: the mean instead of the largest number, and windows that may overlap
# (size 3, stride 2). Hint: window `(r, c)` starts at row `r * stride` and column `c * stride`, and
# the pooled size is the formula of section 2.

# %%
def my_avg_pool(x, size=2, stride=None):
    """Average pooling of a 2-D map with size x size windows (no padding)."""
    if stride is None:
        stride = size
    out_h = ...   # how many whole windows fit down?
    out_w = ...   # and across?
    out = np.zeros((out_h, out_w))
    for r in range(out_h):
        for c in range(out_w):
            window = ...        # the size x size numbers of window (r, c)
            out[r, c] = ...     # their mean
    return out


result = exercises.check_avg_pool(my_avg_pool)
if result:
    assert np.allclose(my_avg_pool(fmap), pooled_avg)
    assert np.allclose(my_avg_pool(fmap, 3, 1), ops.avg_pool(fmap, 3, 1))

# %% [markdown]
# ## Summary
#
# - **Pooling** cuts each feature map into small windows and keeps one number per window: the
#   maximum (`ops.max_pool`) or the mean (`ops.avg_pool`). It has no weights to learn.
# - The output size follows the convolution formula with the window size and the stride (by
#   default equal to the window): 2 × 2 pooling halves height and width and keeps the channels.
# - It buys smaller maps (less computation, larger receptive fields) and some **tolerance to small
#   shifts**, which we measured; it throws away **exact positions** within each window.
# - Max pooling keeps a strong response at full strength, average pooling dilutes it, so max is
#   the usual choice between convolutional layers of a classifier.
# - Both are a window loop away: the window of output `(r, c)` starts at row `r × stride` and column
#   `c × stride`; keep its largest number or its mean.
# - Keras's `MaxPooling2D` and `AveragePooling2D` compute the same numbers.
# - With stride 1 and `"same"` padding, max pooling is **dilation** (`ops.dilate`), and keeping the
#   minimum is **erosion** (`ops.erode`): the map keeps its size, bright or dark regions grow.
#
# After a few rounds of convolution, ReLU and pooling, a CNN holds a small stack of feature maps.
# The next lesson turns that stack into one long list of numbers for the final, fully connected
# part of the network.
#
# [Next: 05 Flattening](05_flattening.ipynb)
