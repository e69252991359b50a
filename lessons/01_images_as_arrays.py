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
# # 01 · Images as arrays
#
# Before a network can learn anything from a photo, the photo has to become numbers. This lesson
# shows exactly which numbers: how many, in what order, of what type, and how colour fits in.
# Everything later in the course (kernels, pooling, whole networks) is arithmetic on these arrays,
# so it pays to know them well.
#
# **After this lesson you can**
#
# - say what a pixel is and read any pixel of a photo with NumPy indexing;
# - read an image's `shape` (rows, columns, channels) and `dtype`, and explain why photos are
#   stored as `uint8` but networks compute with floats;
# - take a colour photo apart into its red, green and blue planes, and turn it into one gray plane;
# - cut, shrink and stack images into the `(N, H, W, C)` batches a CNN takes.

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
# We use NumPy for the arrays and two parts of `cnnlab`: `images` loads the course's photos (they
# ship with the scikit-image package, so nothing is downloaded) and `plot` draws pictures in one line.
#
# > In this course a plotting line ends with `;`. Without it, Jupyter would show the figure twice.

# %%
import numpy as np

from cnnlab import exercises, images, plot

# %% [markdown]
# ## 1. A picture small enough to read
#
# A digital picture is a grid of tiny squares called **pixels**. In a grayscale picture each pixel
# holds one number, its brightness: `0` is black, `255` is white, and everything in between is a
# shade of gray.
#
# Here is a 6 × 6 picture typed in by hand. `plot.numbers` draws it and writes every number on its
# pixel, so you can see the picture and its numbers at the same time.

# %%
tiny = np.array([
    [  0,   0,   0,   0,   0,   0],
    [  0, 255,   0,   0, 255,   0],
    [  0, 255,   0,   0, 255,   0],
    [  0,   0,   0,   0,   0,   0],
    [ 90,   0,   0,   0,   0,  90],
    [  0, 180, 180, 180, 180,   0],
], dtype=np.uint8)

print("shape:", tiny.shape, "  dtype:", tiny.dtype)
plot.numbers(tiny, "a 6 x 6 picture");

# %% [markdown]
# The **shape** `(6, 6)` means 6 rows and 6 columns. You find a pixel by its row first, then its
# column, both counted from 0, starting at the **top-left** corner. Rows go down, columns go right
# (unlike the x and y of a school graph, where y goes up).
#
# `tiny[1, 4]` is row 1, column 4: the right eye. A slice picks many pixels at once: `tiny[5]` is
# the whole bottom row and `tiny[:, 0]` the whole left column.

# %%
print("tiny[1, 4] =", tiny[1, 4], "  (the right eye)")
print("bottom row:", tiny[5])
print("left column:", tiny[:, 0])

assert tiny[1, 4] == 255 and tiny.shape == (6, 6)
assert tiny[5].shape == (6,) and tiny[2:4, 1:5].shape == (2, 4)

# %% [markdown]
# ## 2. A real photo is the same thing, only bigger
#
# `images.load` gives a photo as a NumPy array. The cameraman is a classic test photo in
# grayscale, so it is a 2-D array like `tiny`, just with many more pixels.

# %%
camera = images.load("camera")

print("shape:", camera.shape, "  dtype:", camera.dtype)
print("pixels:", camera.size, "  darkest:", camera.min(), "  brightest:", camera.max())
assert camera.shape == (512, 512) and camera.dtype == np.uint8

# %% [markdown]
# 512 rows × 512 columns is 262,144 numbers. Nobody reads them all, so let's zoom in. `plot.zoom`
# outlines a small square on the photo and writes out the numbers inside it. This square sits on
# the top of the man's head, where bright sky meets dark hair.

# %%
plot.zoom(camera, 62, 215, size=10, title="camera: 512 x 512 pixels");

# %% [markdown]
# Look at how the numbers change down the square: around 200 in the sky, then a jump to 50 or
# less within two or three rows. That jump is an **edge**. To you it is the outline of a head;
# to the computer it is only "big numbers next to small numbers". The first layer of a CNN learns
# to find exactly such jumps, and lesson 02 shows how.

# %% [markdown]
# ## 3. The `dtype`: why 0 to 255, and why networks want floats
#
# Photos are stored as `uint8`: **u**nsigned (no minus sign) **int**egers of **8** bits. Eight
# bits can hold 2⁸ = 256 different values, 0 to 255, in one byte per number. That is compact, but
# the arithmetic has a trap: a result that does not fit **wraps around** instead of stopping at
# the limit.

# %%
pixels = np.array([250, 100, 5], dtype=np.uint8)

print("pixels + 10 =", pixels + 10, "   <- 250 + 10 wrapped round to 4")
print("pixels - 10 =", pixels - 10, "  <- 5 - 10 wrapped round to 251")
assert (pixels + 10)[0] == 4 and (pixels - 10)[2] == 251

as_float = pixels.astype(np.float32)
print("as floats + 10 =", as_float + 10)

# %% [markdown]
# A neural network multiplies pixels by weights, adds up hundreds of products and subtracts
# numbers; in `uint8` that would wrap around all the time. So before anything else we convert to
# floating-point numbers, and we usually scale them to the range 0 to 1 by dividing by 255. Small,
# similar-sized inputs make training behave much better (you will see why in lesson 07).
# `images.to_float` does both steps. First on our tiny picture, then on the cameraman:

# %%
print("row 1 of tiny as floats:", images.to_float(tiny)[1])
assert images.to_float(tiny)[1, 1] == 1.0

camera_f = images.to_float(camera)

print("dtype:", camera_f.dtype, "  range:", camera_f.min(), "to", camera_f.max())
assert camera_f.dtype == np.float32 and camera_f.max() == 1.0
assert np.allclose(camera_f, camera / 255)

# %% [markdown]
# ## 4. Colour: three numbers per pixel
#
# A screen makes every colour by mixing red, green and blue light. So a colour pixel stores three
# numbers: how much red, how much green and how much blue, each from 0 to 255. Here are eight
# pixels typed in by hand: the first row is pure red, pure green, pure blue and all three at full
# strength (white); the second row is none of them (black), red + green (yellow), red + blue
# (magenta), and all three at half strength (gray).

# %%
colours = np.array([
    [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]],
    [[0, 0, 0], [255, 255, 0], [255, 0, 255], [128, 128, 128]],
], dtype=np.uint8)

print("shape:", colours.shape)
print("the yellow pixel colours[1, 1] =", colours[1, 1])
plot.show(colours, "2 rows x 4 columns x 3 colours", size=3.5);

# %% [markdown]
# The shape got a third number: `(2, 4, 3)` is 2 rows, 4 columns and **3 channels**. Putting the
# channels last, `(height, width, channels)`, is called *channels-last*; Keras and this course use
# it. (PyTorch puts them first, `(channels, height, width)`; section 6 shows how to switch.)
#
# Now a real colour photo: Chelsea the cat. Each pixel of the zoom shows its three numbers, red on
# top, then green, then blue.

# %%
cat = images.load("cat")

print("shape:", cat.shape, "  dtype:", cat.dtype, "  numbers:", cat.size)
print("one pixel, cat[238, 263] =", cat[238, 263], " (red, green, blue): the reddish-brown nose")
assert cat.shape == (300, 451, 3)

plot.zoom(cat, 120, 200, size=8, title="cat: 300 x 451 pixels x 3 colours");

# %% [markdown]
# ### The three planes
#
# Slicing the last axis gives one **plane**, or channel: `cat[:, :, 0]` is a 300 × 451 grayscale
# picture of how much red each pixel has, `cat[:, :, 1]` of green and `cat[:, :, 2]` of blue.
# `plot.rgb_planes` draws each plane from black (none) to full red, green or blue. Stack the three
# back together and you have the photo again.

# %%
red, green, blue = cat[:, :, 0], cat[:, :, 1], cat[:, :, 2]
assert red.shape == (300, 451) and np.array_equal(np.stack([red, green, blue], axis=-1), cat)

plot.rgb_planes(cat);

# %% [markdown]
# Compare the planes where the cat is reddish or orange: the nose and the fur are bright in the red
# plane and dark in the blue plane. That is why they look reddish. The numbers say the same:

# %%
nose = cat[235:241, 260:266]          # a 6 x 6 patch of the nose
print("average red, green, blue on the nose:", nose.reshape(-1, 3).mean(axis=0).round())
assert nose[..., 0].mean() > 2 * nose[..., 2].mean()   # much more red than blue

# %% [markdown]
# ## 5. From colour to gray: one plane instead of three
#
# Many tasks do not need colour (a handwritten digit is a digit in any colour), and one plane
# means three times fewer numbers. To turn colour into brightness we do not simply average the
# three channels: our eyes are most sensitive to green and least to blue, so a pure green pixel
# looks much brighter than a pure blue one. The usual recipe weighs them
#
#     gray = 0.299 × red + 0.587 × green + 0.114 × blue
#
# `images.grayscale` does that. On the first row of our colour pixels (red, green, blue, white),
# next to the plain average:

# %%
print("weighted:", images.grayscale(colours)[0])
print("average: ", colours.mean(axis=2)[0].round())
assert images.grayscale(colours)[0, 1] == 150           # 0.587 x 255: green looks bright

# %% [markdown]
# Pure green becomes 150 with the weights but 85 with the plain average; pure blue only 29.
# Now the cat, with the plain average next to it so you can compare:

# %%
gray = images.grayscale(cat)
plain_average = cat.mean(axis=2)

print("colour:", cat.shape, " -> gray:", gray.shape)
assert gray.shape == cat.shape[:2] and gray.ndim == 2

plot.grid([cat, gray, plain_average], ["colour (3 planes)", "images.grayscale (1 plane)",
                                       "plain average of R, G, B"], same_scale=True);

# %% [markdown]
# The two gray versions look alike on this photo, which has little strong colour. Colour is still
# often worth keeping: ripe and unripe fruit differ mostly in colour. A CNN for colour photos simply
# takes all three planes as input, as lesson 02 shows.

# %% [markdown]
# ## 6. Sizes, crops and batches
#
# A photo can be made smaller. `images.resize(image, n)` makes the longest side `n` pixels; each
# new pixel is the average of a block of old ones. Our 6 × 6 picture shrunk to 3 × 3: every new
# pixel is the average of a 2 × 2 block.

# %%
half = images.resize(tiny, 3)
print(half)
assert half.shape == (3, 3) and half[0, 0] == round((0 + 0 + 0 + 255) / 4)

# %% [markdown]
# CNNs usually work on small inputs (handwritten digits are 28 × 28) because every pixel costs
# computation. The cat, with its longest side shrunk to 64 pixels:

# %%
small = images.resize(cat, 64)
print(f"small: {small.shape}, {small.size} numbers (the full photo has {cat.size})")
assert small.shape == (43, 64, 3)

plot.grid([cat, small], ["300 x 451", "43 x 64: every pixel visible"], size=3.5);

# %% [markdown]
# A CNN does not take one image at a time, it takes a **batch**: a stack of images of the same
# size in one 4-D array of shape `(N, H, W, C)`, N images first. `np.stack` builds one; `[None]`
# (or `np.newaxis`) turns a single image into a batch of one. `np.moveaxis` moves the channels to
# the front when a library wants channels-first.

# %%
eye = cat[60:188, 150:278]            # a 128 x 128 crop around the left eye
corner = cat[0:128, 0:128]            # the top-left corner
batch = np.stack([eye, corner])

print("one image:         ", eye.shape)
print("batch of two:      ", batch.shape)
print("batch of one:      ", eye[None].shape)
print("channels first:    ", np.moveaxis(batch, -1, 1).shape)
assert batch.shape == (2, 128, 128, 3) and eye[None].shape == (1, 128, 128, 3)

plot.grid(list(batch), ["batch[0]", "batch[1]"], size=2.5);

# %% [markdown]
# ## 7. Read a photo pixel by pixel
#
# The widget below walks a small window over the cameraman (shrunk to 64 × 64 so the walk is
# short) and shows the numbers under it. It uses the **identity kernel**, which copies the pixel
# in the middle of the window to the output, so the output is the photo again, one pixel smaller
# on every side. In lesson 02 the same widget will use kernels that *compute* something.
#
# **Try it:** press play, then pause and read the zoomed numbers; drag the scrub bar back to the
# start and check that the first output value is the middle number of the first window.

# %%
from cnnlab.widgets import ConvolutionWidget

inspector = ConvolutionWidget("camera", "identity")
inspector

# %%
# The identity kernel copies the centre pixel: the output is the image without its border.
print(inspector.image.shape, "->", inspector.output.shape)
assert np.allclose(inspector.output, inspector.image[1:-1, 1:-1])

# %% [markdown]
# ## Exercises
#
# Edit each cell where you see `...`, run it, and read the feedback under it. The check tells you
# what is wrong; try again, and if it is still wrong it adds a hint. It never stops the notebook,
# so you can skip an exercise and come back. Stuck for good? `exercises.solution("mirror")` shows
# one answer (try first!).
#
# ### Exercise 1: predict a shape
#
# Without running any code, what is the shape of `cat[100:150, 200:300]`? Remember that `cat` has
# shape `(300, 451, 3)`. Write it as a tuple.

# %%
crop_shape = ...   # for example (10, 20, 3)

exercises.check_crop_shape(crop_shape)


# %% [markdown]
# ### Exercise 2: a mirror
#
# Write `mirror(image)`, which flips a photo left to right, like a mirror. It should work for
# colour `(H, W, 3)` and grayscale `(H, W)` photos. Hint: which axis holds the columns? One line of
# slicing is enough. When it is right, the cell shows the mirrored cat.

# %%
def mirror(image):
    """Return the image flipped left to right."""
    return ...   # your code here


result = exercises.check_mirror(mirror)
if result:
    plot.before_after(cat, mirror(cat), ("original", "mirror(cat)"));


# %% [markdown]
# ### Exercise 3: your own grayscale
#
# Write `to_gray(image)` for an `(H, W, 3)` uint8 photo. It returns the `(H, W)` brightness
# 0.299 × red + 0.587 × green + 0.114 × blue, as floats from 0 to 255. Hint: `image @ weights`
# multiplies every pixel's three numbers by the three weights and adds them up; so does
# `(image * weights).sum(axis=2)`.

# %%
def to_gray(image):
    """(H, W, 3) photo -> (H, W) brightness: 0.299 R + 0.587 G + 0.114 B."""
    weights = np.array([0.299, 0.587, 0.114])
    return ...   # your code here


result = exercises.check_grayscale(to_gray)
if result:
    assert np.allclose(to_gray(cat), images.grayscale(cat), atol=1)

# %% [markdown]
# ## Summary
#
# - A picture is a grid of **pixels**; NumPy indexes it as `image[row, column]` from the top-left.
# - A grayscale photo is a 2-D array `(H, W)`; a colour photo is 3-D `(H, W, 3)`, one **plane** per
#   colour (channels last). A batch of images is 4-D, `(N, H, W, C)`.
# - Photos are stored as `uint8` (0 to 255), which wraps around on overflow; networks compute with
#   floats, usually scaled to 0 to 1 (`images.to_float`).
# - Grayscale weighs the channels, 0.299 R + 0.587 G + 0.114 B (`images.grayscale`).
# - To a computer, an **edge** is big numbers next to small ones. Finding such patterns is the
#   job of the next lesson.
#
# [Next: 02 Convolution](02_convolution.ipynb)
