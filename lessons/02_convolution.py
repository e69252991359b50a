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
# # 02 · Convolution
#
# Convolution is the operation that gives convolutional networks their name. A small grid of
# weights, the **kernel**, slides over the image; at every stop it multiplies the pixels under it
# by its weights and adds the products up. The result is a new image, the **feature map**, that is
# bright wherever the image looks like the pattern the kernel describes. In this lesson you do it
# by hand, watch it on real photos, and end with the exact numbers Keras's `Conv2D` layer computes.
#
# **After this lesson you can**
#
# - compute one output value of a convolution by hand, and all of them with two loops;
# - read a kernel as a feature detector (blur, sharpen, edges) and predict what it does to a photo;
# - predict the output size from the input size, kernel size, stride and padding;
# - convolve a colour photo with a 3-D kernel, and a stack of filters into a stack of feature maps;
# - mix the channels of every pixel with a 1 × 1 kernel, and count how much work a layer does;
# - check your NumPy result against `keras.layers.Conv2D` with the same weights.
#
# **Core and going further.** Sections 1 to 10 and the four exercises are the core of this lesson.
# Two parts are headed *Going further (optional)*: how `padding=1` and `"same"` differ at stride 2,
# and why `ops.conv2d` is so much faster than two loops. Skip them on a first read: nothing after
# them depends on them.

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
# The NumPy versions of every layer live in `cnnlab.ops`; this lesson uses `ops.conv2d`,
# `ops.conv2d_loops`, `ops.pad` and `ops.output_size`. `cnnlab.kernels` holds a catalogue of
# classic kernels by name.

# %%
import time

import numpy as np

from cnnlab import exercises, images, kernels, ops, plot

# %% [markdown]
# ## 1. One step, by hand
#
# Start tiny: a 7 × 7 picture of a bright square on a dark background, and a 3 × 3 kernel whose
# left column is −1, middle column 0 and right column +1.
#
# Place the kernel on the picture so that it covers a 3 × 3 **window** of pixels. Multiply each
# pixel by the weight lying on it, and add the nine products. With this kernel the sum is
# "(right column of the window) minus (left column)": large when the right side is brighter than
# the left, negative when it is darker, and 0 when the window is flat.

# %%
square = np.zeros((7, 7), dtype=int)      # whole numbers, like the pixels of a photo
square[2:5, 2:5] = 9                      # a bright 3 x 3 square in the middle

kernel = np.array([[-1, 0, 1],
                   [-1, 0, 1],
                   [-1, 0, 1]])

window = square[1:4, 0:3]                 # rows 1, 2, 3 and columns 0, 1, 2
products = window * kernel                # multiply element by element
print("window:\n", window)
print("window * kernel:\n", products)
print("sum:", products.sum())
assert products.sum() == 18

# %% [markdown]
# The window at row 1, column 0 catches the left edge of the square in its right column, so the
# sum is 9 + 9 = 18. `plot.conv_step` draws the same step: the window on the input, the kernel,
# the nine products, and where their sum goes in the output. Its last panel shows the whole
# output, every position of the window at once (section 2 computes it).
#
# **Predict first:** the kernel computes "right column of the window minus left column". Where in
# the 5 × 5 output do you expect positive numbers, where negative ones, and where 0? Write your
# guess down, then run the next cell.

# %%
plot.conv_step(square, kernel, row=1, col=0);

# %% [markdown]
# ## 2. Sliding over every position
#
# Now repeat that for every position: move the window one pixel to the right until it reaches the
# right edge, then go back to the left, one row down, and so on. Each sum fills one cell of the
# output. In Python, that is two loops:
#
# ```python
# for row in range(out_height):
#     for col in range(out_width):
#         window = image[row:row + kh, col:col + kw]
#         out[row, col] = np.sum(window * kernel)
# ```
#
# `ops.conv2d_loops` is exactly this (plus support for stride, padding and channels), and
# `ops.conv2d` computes the same numbers much faster. The 3 × 3 window fits in 5 positions along a
# 7-pixel row, so the 7 × 7 picture gives a 5 × 5 feature map.

# %%
feature_map = ops.conv2d_loops(square, kernel)

print(feature_map)
assert feature_map.shape == (5, 5)
assert feature_map[1, 0] == 18                         # the step we did by hand
assert np.allclose(feature_map, ops.conv2d(square, kernel))

plot.before_after(square, feature_map, ("input 7 x 7", "feature map 5 x 5"), show_numbers=True);

# %% [markdown]
# Read the feature map as the kernel's answer, at every position, to one question: *is it brighter
# on my right than on my left?* Positive (red) along the square's left edge, where dark turns
# bright; negative (blue) along its right edge. Here only the centre column is 0 (white): there
# the window's left and right columns are equally bright. Every window of this small picture
# touches the square, so none sees plain background; on a larger picture a flat background would
# give 0 as well. This kernel is a **vertical-edge detector**.
#
# > **Convolution or cross-correlation?** In mathematics, "convolution" first flips the kernel
# > upside down and left to right. Deep-learning libraries skip the flip (strictly speaking they
# > compute a *cross-correlation*) but still call it convolution. Since a network learns its
# > kernels, it makes no difference to it. `ops.conv2d` does what TensorFlow and Keras do: no flip.

# %% [markdown]
# ### Watch it on a real photo
#
# The widget slides a kernel over a gray version of Chelsea the cat (shrunk to 64 pixels wide) and
# writes out every multiplication of the current window. `sobel_x` is a stronger version of our
# edge kernel. We start in gray because a 3 × 3 kernel is a 2-D grid that fits a 2-D image; colour
# photos need a kernel with one slice per colour, and section 6 shows how.
#
# **Try it:** press play and watch the feature map fill in; then pause on a whisker or the edge of
# an eye and read the products in the zoom. Switch the kernel to `sobel_y`: which edges light up now?

# %%
from cnnlab.widgets import ConvolutionWidget

cat_photo_gray = images.grayscale(images.load("cat"))       # one number per pixel (lesson 01)
conv_widget = ConvolutionWidget(cat_photo_gray, "sobel_x")
conv_widget

# %%
# The widget's numbers are ops.conv2d's numbers on the shrunken gray photo.
print(conv_widget.image.shape, "->", conv_widget.output.shape)
assert conv_widget.image.ndim == 2
assert np.allclose(conv_widget.output, ops.conv2d(conv_widget.image, kernels.get("sobel_x")))

# %% [markdown]
# ## 3. Kernels are feature detectors
#
# Long before neural networks, photo editors used hand-made kernels. A few classics, from the
# catalogue in `cnnlab.kernels` (red weights are positive, blue negative):

# %%
names = ["box_blur", "sharpen", "sobel_x", "sobel_y", "laplacian"]
for name in names:
    print(f"{name:10} {kernels.describe(name)}")
plot.kernels(names);

# %% [markdown]
# A useful way to read a kernel is the **sum of its weights**. Blur and sharpen add up to 1: on a
# flat area they return the same brightness, so the photo keeps its look. Edge detectors add up
# to 0: on a flat area they return 0, so only changes show.

# %%
for name in names:
    print(f"{name:10} weights add up to {kernels.get(name).sum():.0f}")
assert np.isclose(kernels.get("box_blur").sum(), 1) and kernels.get("sobel_x").sum() == 0

# %% [markdown]
# Now all five on the cameraman. We convert to floats in [0, 1] first (lesson 01), and use
# `padding="same"` (section 5 explains it) so each result has the size of the photo.
#
# **Predict first:** the cameraman stands on grass, in front of a horizon, with a tripod whose legs
# are almost vertical. Which of the five kernels will make the grass melt away? Which one will show
# the tripod legs but hardly the horizon? Write your guesses down, then run the next two cells.

# %%
camera = images.to_float(images.load("camera"))
results = [ops.conv2d(camera, kernels.get(name), padding="same") for name in names]
assert all(r.shape == camera.shape for r in results)

# Blur and sharpen give photos again: clip them to [0, 1] to show them as photos.
plot.grid([camera, np.clip(results[0], 0, 1), np.clip(results[1], 0, 1)], ["camera"] + names[:2],
          size=3.2);

# %% [markdown]
# The three edge detectors give maps with negative numbers, drawn in red (positive) and blue
# (negative) around white (0). Each map has its colour bar. Its arrows mean that the strongest 2 %
# of the values are drawn at full colour, so that a few very sharp edges do not leave everything
# else pale. The photo has more pixels than the picture on your screen, so each dot on screen
# shows the strongest value of the pixels it covers: an edge one pixel thin stays visible.

# %%
edge_maps = results[2:]
assert all((m < 0).any() and (m > 0).any() for m in edge_maps)
plot.grid(edge_maps, names[2:], size=3.2, colorbar=True, keep_lines=True);

# %% [markdown]
# - **box_blur** averages each pixel with its 8 neighbours: fine detail (the grass) melts away.
# - **sharpen** adds to each pixel its difference from its neighbours: edges get crisper.
# - **sobel_x** is red where brightness rises from left to right, blue where it falls: the
#   vertical edges of the tripod legs and the coat light up, the horizon does not.
# - **sobel_y** is the same turned by 90 degrees: horizontal edges such as the horizon and the
#   shoulder appear.
# - **laplacian** compares each pixel with its four neighbours: it reacts to edges in every
#   direction, and to fine texture.
#
# See the thin lines along the borders of the edge maps? With `padding="same"` the photo is framed
# by zeros, that is by black, and the detectors dutifully report the edge between the bright sky
# and that black frame. Padding has side effects.
#
# Combining the two Sobel maps gives the strength of the edge in any direction,
# `sqrt(sobel_x² + sobel_y²)`, a classic edge detector:

# %%
edges = np.sqrt(results[2] ** 2 + results[3] ** 2)
assert edges.min() >= 0                  # a strength: black is no edge, white a strong one
plot.before_after(camera, edges, ("camera", "edge strength"), colorbar=True, keep_lines=True);

# %% [markdown]
# That is the key idea of a CNN. A kernel is a *question* asked at every position of the image,
# and the feature map is the *answer*. Here we chose the questions by hand; a convolutional layer
# **learns** its kernels from examples, so it finds the questions that help with its task.
# The first layer of a trained network usually ends up with edge and colour detectors much like
# these (you will look at learned kernels in lesson 06).

# %% [markdown]
# ## 4. Stride: taking bigger steps
#
# So far the window moved one pixel at a time: a **stride** of 1. With stride 2 it jumps two pixels,
# both along a row and from one row to the next, so the output is about half as tall and half as
# wide. Larger strides make the feature map smaller and cheaper to compute, at the cost of detail.

# %%
print("stride 1:", ops.conv2d(square, kernel, stride=1).shape)
print("stride 2:", ops.conv2d(square, kernel, stride=2).shape)
plot.conv_step(square, kernel, row=1, col=0, stride=2);

# %% [markdown]
# With stride 2 the window starts at columns 0, 2 and 4 of the 7-pixel row: 3 positions, and
# likewise at rows 0, 2 and 4. Output row 1 therefore starts at pixel row 1 × 2 = 2.
#
# ## 5. Padding: keeping the border
#
# Without padding (called **valid**) a 3 × 3 kernel cannot be centred on the outermost pixels, so
# every convolution eats one pixel on each side. In a deep network that shrinking adds up, and the
# border pixels take part in fewer windows than the centre ones. The usual fix is **zero padding**:
# add a frame of zeros around the image before sliding. `ops.pad` shows it:

# %%
padded = ops.pad(square, padding=1)
print(square.shape, "-> padded", padded.shape)
plot.conv_step(square, kernel, row=0, col=0, padding=1);

# %% [markdown]
# The zeros of the frame are drawn in a light checkerboard (the key under the input says "zero
# padding"): they are zeros like the black background of the picture, but they were not in the
# picture. With one pixel of zeros on every side the 7 × 7 picture becomes 9 × 9 and the output is
# 7 × 7 again: the same size as the input. Keras calls the padding that keeps the size (for stride 1)
# `"same"`; `ops.conv2d` accepts `"valid"`, `"same"` or a number of zeros. At a stride above 1
# `"same"` is not simply "one zero on each side": the end of this section shows what it is.
#
# ### The output-size formula
#
# Count the positions along one side: the padded length is `n + 2p`; the kernel of size `k` fits
# at positions `0, s, 2s, ...` while it stays inside, which gives
#
# $$\text{output} = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1$$
#
# where ⌊ ⌋ means rounding down: a step that would stick out of the image is not taken, and `p`
# is the number of zeros on each side. `ops.output_size(n, k, stride, padding)` computes it.
# Let's check the formula against real convolutions:

# %%
print(f"{'n':>4} {'k':>2} {'stride':>6} {'pad':>4} {'output':>7}")
for n, k, s, p in [(7, 3, 1, 0), (7, 3, 2, 0), (7, 3, 1, 1), (28, 3, 1, 0), (28, 5, 2, 2), (512, 3, 4, 0)]:
    size = ops.output_size(n, k, stride=s, padding=p)
    actual = ops.conv2d(np.zeros((n, n)), np.ones((k, k)), stride=s, padding=p).shape[0]
    assert size == actual == (n + 2 * p - k) // s + 1
    print(f"{n:>4} {k:>2} {s:>6} {p:>4} {size:>7}")

# %% [markdown]
# ### `"same"` padding at a stride above 1
#
# TensorFlow and Keras define `"same"` by the output they want: **⌈n / s⌉ positions** (⌈ ⌉ means
# rounding up; at stride 1 that is n, the same size as the input), whatever the kernel size. Then
# they add just enough zeros for that many windows: `max((out − 1)·s + k − n, 0)` in total, half
# before and half after; when the total is odd, the extra zero goes **after**, at the bottom and
# on the right. `ops.output_size` and `ops.padding_amounts` compute both:

# %%
print(f"{'n':>4} {'k':>2} {'stride':>6} {'output':>7}   zeros before, after")
for n, k, s in [(7, 3, 1), (6, 4, 1), (7, 3, 2), (6, 3, 2), (8, 5, 2), (512, 3, 2)]:
    size = ops.output_size(n, k, stride=s, padding="same")
    before, after = ops.padding_amounts(n, k, stride=s, padding="same")
    assert size == int(np.ceil(n / s)) == ops.conv2d(np.zeros((n, n)), np.ones((k, k)), stride=s,
                                                     padding="same").shape[0]
    assert before + after == max((size - 1) * s + k - n, 0) and after - before in (0, 1)
    print(f"{n:>4} {k:>2} {s:>6} {size:>7}   {before}, {after}")

# %% [markdown]
# Stride and padding on a real photo, in the widget. **Try it:** step forward a few times and
# watch the window jump two pixels at a time; step back to the first window and look at the row
# and column of zeros around the coins; then set the stride back to 1 and compare the output size.

# %%
ConvolutionWidget("coins", "laplacian", stride=2, padding=1)

# %% [markdown]
# ### Going further (optional): `padding=1` is not `"same"` at stride 2
#
# Take the row n = 6, k = 3, stride 2. `padding=1` and `"same"` both give 3 windows, but not the
# same windows: `padding=1` adds a row of zeros on top and one at the bottom, `"same"` only one at
# the bottom, so its windows start one row lower. A picture whose rows hold 1, 2, ..., 6 and a
# kernel that adds up the three rows under its middle column show which rows each window sees:

# %%
rows = np.repeat(np.arange(1.0, 7.0)[:, None], 6, axis=1)     # row r holds the value r + 1
add_column = np.array([[0, 1, 0], [0, 1, 0], [0, 1, 0]], dtype=float)

with_one = ops.conv2d(rows, add_column, stride=2, padding=1)
with_same = ops.conv2d(rows, add_column, stride=2, padding="same")
print("padding=1:  ", with_one[:, 0], "  rows 0+1+2, 2+3+4, 4+5+6 (0 is the zero on top)")
print('padding="same":', with_same[:, 0], "  rows 1+2+3, 3+4+5, 5+6+0 (0 is the zero at the bottom)")
assert with_one.shape == with_same.shape == (3, 3)
assert with_one[:, 0].tolist() == [3, 9, 15] and with_same[:, 0].tolist() == [6, 12, 11]
assert np.array_equal(with_same, ops.conv2d(np.pad(rows, ((0, 1), (0, 1))), add_column, stride=2))

# %% [markdown]
# Same size, different numbers. Section 9 runs `"same"` at stride 2 on the 512-pixel astronaut:
# there TensorFlow adds no zero on top and one at the bottom (the last row of the table of
# `"same"` sizes), and `ops.conv2d` matches it exactly. End of the optional part.

# %% [markdown]
# ## 6. Colour photos: a 3-D kernel
#
# A colour photo has three planes, so a kernel for it has three slices, one per plane: its shape is
# `(kh, kw, 3)`. At every position, each slice is multiplied with its own plane and **all** the
# products are added, giving **one** number. So a colour photo and one 3-D kernel still make one
# 2-D feature map.
#
# The smallest example is a 1 × 1 × 3 kernel: it looks at one pixel and weighs its three colours.
# With weights red +1, green −0.5, blue −0.5 it answers "how much redder than the rest is this
# pixel?", a **colour detector**. On the astronaut it is strongly positive (red) on the orange
# suit and the red stripes of the flag, a little on the skin, and close to 0 (white or the palest
# pink) on white, gray and black areas, where the three colours are about equal. The photo has a
# slightly warm tint overall, so almost nothing comes out exactly 0, and nothing is strongly blue.

# %%
astronaut = images.to_float(images.load("astronaut"))
redness = np.array([1.0, -0.5, -0.5]).reshape(1, 1, 3)    # (kh, kw, channels)

red_map = ops.conv2d(astronaut, redness)
print(astronaut.shape, "*", redness.shape, "->", red_map.shape)
assert red_map.shape == astronaut.shape[:2]

plot.before_after(astronaut, red_map, ("astronaut", "redness: 1 x 1 x 3 kernel"), colorbar=True);

# %% [markdown]
# The rule "multiply each slice with its plane and add everything" means a 3-D convolution is the
# sum of three 2-D convolutions, one per channel. Here is a 3 × 3 × 3 kernel (Sobel on red,
# Laplacian on green, nothing on blue), checked both ways:

# %%
kernel3 = np.stack([kernels.get("sobel_x"), kernels.get("laplacian"), np.zeros((3, 3))], axis=-1)
together = ops.conv2d(astronaut, kernel3)
per_channel = sum(ops.conv2d(astronaut[:, :, c], kernel3[:, :, c]) for c in range(3))

print("kernel:", kernel3.shape, " output:", together.shape)
assert np.allclose(together, per_channel, atol=1e-5)

# %% [markdown]
# ## 7. Many filters: a stack of feature maps
#
# One kernel answers one question. A convolutional **layer** asks many at once: it holds `F`
# kernels (also called **filters**), each producing its own feature map, and stacks the maps along
# a new last axis. All the kernels of a layer are stored in one 4-D array of shape
# `(kh, kw, input channels, F)`; `ops.conv2d` then returns `(H', W', F)`.
#
# Let's build a layer of four hand-made filters for a grayscale photo (1 input channel):

# %%
bank_names = ["sobel_x", "sobel_y", "laplacian", "box_blur"]
bank = np.stack([kernels.get(n) for n in bank_names], axis=-1)[:, :, None, :]   # (3, 3, 1, 4)

cat_gray = images.to_float(images.grayscale(images.load("cat")))
maps = ops.conv2d(cat_gray, bank)

print("image:", cat_gray.shape, " filters:", bank.shape, " feature maps:", maps.shape)
assert maps.shape == (298, 449, 4)
plot.feature_maps(maps, bank_names, cols=2, size=3.6, colorbar=True, keep_lines=True);

# %% [markdown]
# This stack is what the next layer of a CNN receives: a 4-channel "image" in which every channel
# says where one feature is. A second convolutional layer has kernels of shape `(3, 3, 4, F2)`:
# each of its filters looks at all four maps at once. On its own that adds nothing new: two
# convolutions in a row are just one bigger convolution (lesson 03 proves it with numbers). What
# makes the difference is the **activation** between the layers, the subject of the next lesson:
# with it, the second layer can combine simple features ("a vertical edge here *and* a horizontal
# edge there") into more complex ones, such as corners. Stack enough layers, each followed by an
# activation, and the features become eyes, wheels or letters.

# %% [markdown]
# ## 8. 1 × 1 convolutions: mixing the channels
#
# A kernel can be as small as 1 × 1. It then sees a single pixel, so it cannot find edges or any
# other shape. What it can do is **mix the channels** of that pixel. Over a photo's 3 channels, a
# 1 × 1 kernel is just 3 weights, and its output at a pixel is
# red × w₀ + green × w₁ + blue × w₂: a weighted sum of that pixel's colours. The redness detector
# of section 6 was one of them.
#
# **Predict first:** a pixel with red 0.8, green 0.4 and blue 0.2 goes through the redness kernel
# (+1, −0.5, −0.5). What number comes out? Write your guess down, then run the next cell.

# %%
pixel = np.array([0.8, 0.4, 0.2]).reshape(1, 1, 3)     # a photo of one pixel: (height, width, colours)
answer = ops.conv2d(pixel, redness)
print("redness of the pixel:", round(float(answer[0, 0]), 3))
assert np.isclose(answer[0, 0], 0.8 * 1 + 0.4 * -0.5 + 0.2 * -0.5)

# %% [markdown]
# A layer with `F` filters of size 1 × 1 turns the `C` channels of every pixel into `F` new ones,
# and leaves height and width alone: a 1 × 1 layer **changes the number of channels**. Its kernel
# has shape `(1, 1, C, F)`. At each pixel it multiplies the pixel's `C` numbers by a `C × F` table
# of weights. Here `C = 3` colours become `F = 2` maps, redness and blueness:

# %%
two_filters = np.zeros((1, 1, 3, 2))
two_filters[0, 0, :, 0] = [1.0, -0.5, -0.5]     # filter 0: redness (red minus the other two)
two_filters[0, 0, :, 1] = [-0.5, -0.5, 1.0]     # filter 1: blueness
colour_maps = ops.conv2d(astronaut, two_filters)
print(astronaut.shape, "*", two_filters.shape, "->", colour_maps.shape)
assert colour_maps.shape == (512, 512, 2)

row, col = 300, 200                               # any pixel: its 3 colours times the 3 x 2 table
by_hand = astronaut[row, col] @ two_filters[0, 0]
print("pixel", astronaut[row, col].round(3), "->", by_hand.round(3))
assert np.allclose(colour_maps[row, col], by_hand, atol=1e-6)

plot.feature_maps(colour_maps, ["redness", "blueness"], size=3.5, colorbar=True);

# %% [markdown]
# In the redness map the orange suit is strongly positive (red). In the blueness map the same suit
# is strongly negative (blue: it is anything but blue), while the flag's blue corner and the blue
# badge on the suit are positive (red). The colours of a map say positive or negative, not which
# colour the photo had. Deep networks use 1 × 1 layers to turn a thick
# stack of maps (say 256) into a thin one (say 64) before an expensive 3 × 3 layer; section 10
# counts how much work that saves. Exercise 4 asks you for the 1 × 1 kernel that makes the gray
# photo of lesson 01.

# %% [markdown]
# ## 9. The same numbers as Keras
#
# Keras's `Conv2D` layer does exactly this, plus one **bias** per filter (a number added to the
# whole feature map) and, optionally, an activation (next lesson). Its kernel has the same shape as
# ours, `(kh, kw, input channels, filters)`, so we can give it our weights with `set_weights` and
# compare. Keras always works on batches, so the image gets a batch axis in front
# (`[None]`, lesson 01) and a channel axis at the end.

# %%
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"     # hide TensorFlow's start-up messages
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"    # exact, repeatable float arithmetic on CPU

import keras

layer = keras.layers.Conv2D(filters=4, kernel_size=3, use_bias=False)
layer.build((None, *cat_gray.shape, 1))
layer.set_weights([bank])

keras_maps = np.asarray(layer(cat_gray[None, :, :, None]))[0]
print("keras:", keras_maps.shape, "  ops.conv2d:", maps.shape)
assert np.allclose(keras_maps, maps, atol=1e-5)

# %% [markdown]
# A 1 × 1 layer is an ordinary `Conv2D` with `kernel_size=1`. Our two colour filters of section 8,
# given to Keras:

# %%
layer_1x1 = keras.layers.Conv2D(filters=2, kernel_size=1, use_bias=False)
layer_1x1.build((None, *astronaut.shape))
layer_1x1.set_weights([two_filters])

keras_colours = np.asarray(layer_1x1(astronaut[None]))[0]
print("keras:", keras_colours.shape, "  ops.conv2d:", colour_maps.shape)
assert np.allclose(keras_colours, colour_maps, atol=1e-5)

# %% [markdown]
# And with everything switched on at once: a colour photo, two filters of shape 3 × 3 × 3, a bias
# per filter, stride 2 and `"same"` padding. On the 512-pixel astronaut, `"same"` at stride 2
# means 256 positions per side, with no zero on top or on the left and one at the bottom and on the
# right (section 5).

# %%
rng = np.random.default_rng(0)
weights = rng.normal(size=(3, 3, 3, 2)).astype("float32")
bias = np.array([0.5, -1.0], dtype="float32")

layer = keras.layers.Conv2D(filters=2, kernel_size=3, strides=2, padding="same")
layer.build((None, *astronaut.shape))
layer.set_weights([weights, bias])

assert ops.padding_amounts(512, 3, stride=2, padding="same") == (0, 1)
ours = ops.conv2d(astronaut, weights, stride=2, padding="same") + bias
theirs = np.asarray(layer(astronaut[None]))[0]
print("ours:", ours.shape, "  keras:", theirs.shape)
assert ours.shape == theirs.shape == (256, 256, 2)
assert np.allclose(ours, theirs, atol=1e-4)

# %% [markdown]
# ## 10. How much work is a layer?
#
# A convolution layer has few weights, but it uses each of them again and again. At every output
# position, each filter multiplies every one of its k × k × C_in weights with one input number and
# adds the product to its sum: one **multiply-add** per weight, per position. So a layer does
#
# $$\text{multiply-adds} = \text{out}_h \times \text{out}_w \times k \times k \times C_\text{in} \times C_\text{out}$$
#
# while it holds only k × k × C_in × C_out weights (plus one bias per filter, which is added, not
# multiplied). As a function, tried on the 7 × 7 square of section 2 (25 positions, 9 weights):

# %%
def conv_multiply_adds(out_h, out_w, k, c_in, c_out):
    """Multiply-adds of a convolution layer: one per weight, at every output position."""
    return out_h * out_w * k * k * c_in * c_out


print(conv_multiply_adds(5, 5, 3, 1, 1))
assert conv_multiply_adds(5, 5, 3, 1, 1) == 25 * 9

# %% [markdown]
# Let's check the formula without using it. Convolve an image of ones with kernels of ones: every
# product is then 1 × 1 = 1, so adding up the whole output counts the products.

# %%
image_of_ones = np.ones((28, 28, 3))
kernels_of_ones = np.ones((3, 3, 3, 8))           # 8 filters of 3 x 3 x 3
products_counted = ops.conv2d(image_of_ones, kernels_of_ones).sum()
print("counted:", products_counted, "  formula:", conv_multiply_adds(26, 26, 3, 3, 8))
assert products_counted == conv_multiply_adds(26, 26, 3, 3, 8)

# %% [markdown]
# Now the first layer of the digit reader of many beginner's Keras tutorials (one convolution
# block; lesson 07b trains it): 32 filters of 3 × 3 on a 28 × 28 gray digit. Keras counts its
# parameters (weights and biases); we count its multiply-adds.

# %%
classic = keras.layers.Conv2D(filters=32, kernel_size=3)
classic.build((None, 28, 28, 1))
_, out_h, out_w, filters = classic.compute_output_shape((None, 28, 28, 1))

parameters = classic.count_params()
work = conv_multiply_adds(out_h, out_w, 3, 1, filters)
print(f"parameters: {parameters:,}   multiply-adds for one digit: {work:,}")
assert (out_h, out_w, filters) == (26, 26, 32)
assert work == (parameters - filters) * out_h * out_w   # every weight (not the biases) at every position

# %% [markdown]
# 320 numbers to learn, but almost 200,000 multiply-adds per digit: each weight is used at all
# 676 positions. That is why convolution layers are small to store and yet slow to run.
#
# It is also where 1 × 1 layers earn their place. On a stack of 56 × 56 maps with 64 channels, a
# 3 × 3 layer with 64 filters costs nine times as much per filter as a 1 × 1 layer, and a 1 × 1
# layer that first thins the stack to 16 channels makes the following 3 × 3 layer four times
# cheaper:

# %%
three_by_three = conv_multiply_adds(56, 56, 3, 64, 64)
thin_first = conv_multiply_adds(56, 56, 1, 64, 16) + conv_multiply_adds(56, 56, 3, 16, 64)
print(f"3 x 3 layer, 64 -> 64 channels:            {three_by_three:>12,}")
print(f"1 x 1 layer 64 -> 16, then 3 x 3 16 -> 64: {thin_first:>12,}")
assert conv_multiply_adds(56, 56, 3, 64, 64) == 9 * conv_multiply_adds(56, 56, 1, 64, 64)
assert thin_first < three_by_three / 3

# %% [markdown]
# ## Going further (optional): the slow loops and the fast version
#
# `ops.conv2d_loops` follows the definition, one window at a time, in Python. `ops.conv2d` gets the
# same numbers differently: it copies every window into one column of a big matrix (a trick called
# *im2col*), after which all the dot products are a single matrix multiplication, which NumPy
# hands to fast compiled code. Same arithmetic, very different speed:

# %%
photo = cat_gray[:128, :128]

start = time.perf_counter()
slow = ops.conv2d_loops(photo, bank)
loop_seconds = time.perf_counter() - start

start = time.perf_counter()
fast = ops.conv2d(photo, bank)
fast_seconds = time.perf_counter() - start

assert np.allclose(slow, fast, atol=1e-5)
assert fast_seconds < loop_seconds
print("same result; the fast version is", "more than 10 times" if loop_seconds > 10 * fast_seconds
      else "several times", "faster on this computer")




# %% [markdown]
# ## Exercises
#
# Edit each cell where you see `...`, run it, and read the feedback under it. The checks never stop
# the notebook; skip any exercise and come back later.
#
# ### Exercise 1: the output-size formula
#
# Write `out_size(n, k, stride, padding)` for an input of length `n`, a kernel of size `k`, and
# `padding` zeros on each side, or `padding="same"` as TensorFlow means it. Hint: the formulas in
# section 5; `//` divides and rounds down.

# %%
def out_size(n, k, stride=1, padding=0):
    """Number of positions a kernel of size k takes along an input of length n."""
    if padding == "same":
        return ...   # TensorFlow's "same": how many positions?
    return ...       # padding zeros on each side


exercises.check_output_size(out_size)


# %% [markdown]
# ### Exercise 2: convolution with your own loops
#
# Fill in `my_conv2d(image, kernel)`: a 2-D image, a 2-D kernel, stride 1 and no padding.
# The skeleton has the two loops of section 2; you fill in the output size, the window, and the
# value. Do not flip the kernel!

# %%
def my_conv2d(image, kernel):
    """Valid convolution (no padding, stride 1) of a 2-D image with a 2-D kernel."""
    kh, kw = kernel.shape
    out_h = ...   # how many rows does the output have?
    out_w = ...   # and how many columns?
    out = np.zeros((out_h, out_w))
    for row in range(out_h):
        for col in range(out_w):
            window = ...           # the pixels under the kernel
            out[row, col] = ...    # multiply and add up
    return out


exercises.check_conv2d(my_conv2d)

# %% [markdown]
# ### Exercise 3: design a detector
#
# Design a kernel that gives **positive** numbers where a dark area **above** meets a bright area
# **below** (a horizontal edge, like the top of a white table seen against a dark wall), and 0 on
# flat areas and on vertical edges. Hint: look at `sobel_x` and think about which direction it
# compares. You may also type it as a string, rows separated by `;`: the kernel that changes
# nothing would be `"0 0 0; 0 1 0; 0 0 0"`.
# When it is right, the cell shows your kernel on the cameraman.

# %%
edge_kernel = np.array([
    [..., ..., ...],
    [..., ..., ...],
    [..., ..., ...],
])

result = exercises.check_edge_kernel(edge_kernel)
if result:
    plot.before_after(camera, ops.conv2d(camera, np.asarray(edge_kernel, float)),
                      ("camera", "your horizontal-edge detector"), colorbar=True, keep_lines=True);

# %% [markdown]
# ### Exercise 4: a 1 × 1 kernel that makes a photo gray
#
# Lesson 01 made a photo gray by weighing the three colours of every pixel:
# gray = 0.299 × red + 0.587 × green + 0.114 × blue. That is a 1 × 1 convolution (section 8)!
# Write those weights as a kernel of shape `(1, 1, 3)`, that is (height, width, channels), with
# the weights in the order of the photo's channels. When it is right, the cell convolves the
# astronaut with your kernel and compares the result with `images.grayscale`.

# %%
gray_kernel = np.array([..., ..., ...]).reshape(1, 1, 3)   # one weight per colour

result = exercises.check_gray_kernel(gray_kernel)
if result:
    gray_astronaut = ops.conv2d(astronaut, np.reshape(gray_kernel, (1, 1, 3)))
    assert np.allclose(gray_astronaut, images.grayscale(astronaut), atol=0.01)
    plot.before_after(astronaut, gray_astronaut, ("3 channels", "1 x 1 x 3 kernel: 1 channel"));

# %% [markdown]
# ## Summary
#
# - A **kernel** slides over the image; at each position the pixels under it are multiplied by its
#   weights and summed, giving one value of the **feature map** (`ops.conv2d_loops` is the
#   definition, `ops.conv2d` the fast version).
# - A kernel is a **feature detector**: the feature map is large where the image looks like the
#   kernel's pattern. Blur and sharpen weights sum to 1, edge detectors to 0.
# - **Stride** is the step between positions, **padding** the frame of zeros around the image; the
#   output size is ⌊(n + 2p − k) / s⌋ + 1 (`ops.output_size`). TensorFlow's `"same"` gives
#   ⌈n / s⌉ and puts an odd extra zero at the bottom and right (`ops.padding_amounts`).
# - A colour image needs a 3-D kernel `(kh, kw, 3)`; a layer of `F` filters has kernels
#   `(kh, kw, C, F)` and outputs a stack of `F` feature maps.
# - A **1 × 1 kernel** mixes the channels of each pixel (a weighted sum, like lesson 01's gray); a
#   layer of `F` of them turns `C` channels into `F`.
# - A layer does out_h × out_w × k × k × C_in × C_out **multiply-adds**: each of its weights is used at
#   every output position.
# - `keras.layers.Conv2D` computes exactly the same numbers, plus a bias per filter. A CNN learns
#   its kernel weights instead of having them chosen by hand.
#
# The feature maps contain negative numbers as well as positive ones. The next lesson is about
# what a network does with them, and why that small step is what makes deep networks possible.
#
# [Next: 03 ReLU](03_relu.ipynb)
