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
# # 09 · Segmentation: a label for every pixel
#
# A classifier (lesson 07b) says *what* a picture shows. A detector (lesson 08) draws a box
# around each object. **Segmentation** goes furthest: it gives every single pixel a label, so the
# answer is a whole map with the outline of each object. Doctors use it to outline a tumour on a
# scan, self-driving cars to find the road, phones to blur the background behind your face.
#
# In this lesson you first try the old way (a brightness threshold) and see where it breaks. Then
# you build, piece by piece, the network that replaced it: a **U-Net**. It shrinks the picture
# like the CNNs you know, grows it back with *transposed convolutions*, and passes fine detail
# across with *skip connections*. You train one on small pictures of shapes in seconds.
#
# **After this lesson you can**
#
# - say what a segmentation map is, and what makes semantic and instance segmentation different;
# - measure a predicted mask with IoU and Dice, and explain why pixel accuracy can lie;
# - threshold a photo the classical way, and say where that breaks;
# - compute a 1×1 convolution and a transposed convolution by hand, and check them against Keras;
# - train a small U-Net, read its mistakes, and measure what its skip connections add;
# - say where Mask R-CNN fits.

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
from scipy import ndimage
from skimage import filters, measure

from cnnlab import datasets, exercises, images, ops, plot
from cnnlab import segmentation as seg
from cnnlab.widgets import IoUWidget

# %% [markdown]
# ## 1. A label for every pixel
#
# Our practice data are small 32×32 pictures of circles, squares and triangles on a noisy
# background. For each picture we also know the right answer, the **label map**: an array of the
# same height and width holding one whole number per pixel, 0 for background, 1 for circle,
# 2 for square, 3 for triangle. Below, the label maps are drawn with one colour per class.

# %%
shapes = datasets.make_shapes(700, size=32, seed=0)
print("pictures", shapes.images.shape, shapes.images.dtype, "  label maps", shapes.label_maps.shape)
plot.grid(list(shapes.images[:4]) + list(seg.colour_labels(shapes.label_maps[:4])),
          ["picture"] * 4 + ["label map"] * 4, cols=4, size=1.8);
assert shapes.label_maps.shape == shapes.images.shape[:3] and set(np.unique(shapes.label_maps)) == {0, 1, 2, 3}

# %% [markdown]
# A label map is just numbers. Here is the corner of the first picture where its first shape starts:

# %%
x_min, y_min = shapes.boxes[0][0][:2]                # the first shape's box starts here
top, left = max(y_min - 2, 0), max(x_min - 2, 0)
corner = shapes.label_maps[0][top:top + 8, left:left + 8]
plot.numbers(corner, f"label map, rows {top}-{top + 7}, columns {left}-{left + 7}", fmt=".0f");
assert corner.any() and not corner.all()

# %% [markdown]
# The **mask** of one class is the label map asked a yes/no question: `label_map == 1` is True on
# every circle pixel. A segmentation network outputs, for every pixel, one probability per class,
# exactly like the classifier of lesson 07b did for the whole picture.
#
# ## 2. How good is a mask? IoU and Dice
#
# To score a predicted mask against the true one, count pixels:
#
# - **IoU** (intersection over union): the pixels in *both* masks, divided by the pixels in
#   *either* mask. 1 means a perfect outline, 0 means no overlap at all.
# - **Dice**: twice the pixels in both, divided by the two mask sizes added up. It is the F1 score
#   of lesson 07's cousin metrics, and always a bit kinder than IoU: `dice = 2·iou / (1 + iou)`.
#
# One special case: if the truth is empty and the prediction is empty too, the network was right
# to find nothing, so both scores are 1.0.
#
# **Predict before you run the cell:** a true square of 3×3 pixels, and a prediction of the same
# size shifted one pixel to the right. How many pixels overlap? What are the IoU and Dice?

# %%
true_mask = np.zeros((5, 5), bool)
true_mask[1:4, 1:4] = True
pred_mask = np.roll(true_mask, 1, axis=1)          # the same square, one pixel to the right
print("overlap:", np.count_nonzero(true_mask & pred_mask), "pixels;  either mask:",
      np.count_nonzero(true_mask | pred_mask), "pixels")
print(f"IoU {seg.iou(pred_mask, true_mask):.3f}   Dice {seg.dice(pred_mask, true_mask):.3f}")
nothing = np.zeros((5, 5), bool)
print("two empty masks:", seg.iou(nothing, nothing), seg.dice(nothing, nothing))
assert seg.iou(pred_mask, true_mask) == 6 / 12 and seg.dice(pred_mask, true_mask) == 12 / 18
assert seg.iou(nothing, nothing) == seg.dice(nothing, nothing) == 1.0

# %% [markdown]
# A one-pixel slip of a 3×3 square already halves the IoU: small objects are hard to outline well.
#
# **Exercise 1.** Write `mask_iou(pred, true)` for two boolean masks of the same shape
# (`pred & true` is True where both are, `pred | true` where either is; `np.count_nonzero` counts
# the True pixels). Two empty masks must score 1.0.

# %%
def mask_iou(pred, true):
    ...


exercises.check_mask_iou(mask_iou)

# %% [markdown]
# **Exercise 2.** Write `dice_score(pred, true)` the same way.

# %%
def dice_score(pred, true):
    ...


exercises.check_dice_score(dice_score)

# %% [markdown]
# ## 3. The classical way: a brightness threshold
#
# Before CNNs, the standard first try was a **threshold**: call every pixel brighter than some
# level "object", the rest "background". **Otsu's method** picks the level by itself: it tries
# every level and keeps the one that splits the brightness histogram into two groups that are each
# as tight as possible. Let's segment the coins photo that way, fill the holes inside each coin,
# and count the connected pieces (`measure.label` gives each piece its own number).

# %%
coins = images.load("coins")
level = filters.threshold_otsu(coins)
coin_mask = ndimage.binary_fill_holes(coins > level)
pieces = measure.label(coin_mask)
areas = np.bincount(pieces.ravel())[1:]            # pixels per piece (piece 0 is the background)
big = np.sort(areas[areas >= 100])
pieces_shown = np.where(pieces > 0, pieces % 5 + 1, 0)   # 5 colours, repeated, so neighbours differ
plot.grid([coins, coin_mask.astype(np.uint8) * 255, seg.colour_labels(pieces_shown)],
          ["coins (24 of them)", f"brighter than {level}", f"{len(big)} pieces of 100+ pixels"], size=3.4);
print(f"Otsu's level: {level}.  Pieces of at least 100 pixels: {len(big)}, "
      f"{len(areas) - len(big)} smaller specks.")
print(f"a typical coin covers {int(np.median(big))} pixels; the biggest piece covers {big[-1]}")
assert big[-1] > 3 * np.median(big)                # coins merged with bright background

# %% [markdown]
# Twenty-four pieces for twenty-four coins: it looks right, and it is a good baseline (no
# training, one line). But look closer.
#
# - **Uneven light.** The top of the photo is lit more brightly than the rest. There the
#   *background* is brighter than Otsu's level, so it becomes "coin" and swallows the first coins
#   of the top row into one big piece (about six coins' worth of pixels), plus dozens of specks.
#   The count of 24 is right by luck: one merged blob, and pieces elsewhere. One level for the
#   whole photo cannot suit both the bright and the dim parts.
# - **Touching objects merge.** Two coins that touched would be one piece: a threshold knows
#   brightness, not objects (section 10 comes back to this).
# - **It has no idea of classes.** Bright means "coin"; it cannot tell a circle from a square.
#
# A local threshold (one level per neighbourhood, `filters.threshold_local`) helps with the
# light, and the watershed method can split touching coins, but every fix is another rule written
# by hand for one kind of photo. A CNN learns the rules from examples instead.
#
# ## 4. The pixel-accuracy trap
#
# The most obvious score, the share of pixels labelled right, has a trap. Most pixels are
# background. **Predict:** what share does a lazy "network" get that answers "background" for
# every pixel?

# %%
lazy = np.zeros_like(shapes.label_maps)            # "background" everywhere
lazy_accuracy = seg.pixel_accuracy(lazy, shapes.label_maps)
lazy_iou = seg.mean_iou(lazy, shapes.label_maps, n_classes=4)
print(f"background everywhere: pixel accuracy {lazy_accuracy:.1%}, mean IoU of the three shapes {lazy_iou:.2f}")
print("IoU per class (background, circle, square, triangle):", seg.per_class_iou(lazy, shapes.label_maps, 4).round(2))
assert 0.85 < lazy_accuracy < 0.88 and lazy_iou == 0.0

# %% [markdown]
# About 86 % "accuracy" for finding nothing at all. That is why segmentation is scored with the
# **mean IoU of the object classes** (`seg.mean_iou` leaves the background out): the lazy answer
# scores 0 there, as it deserves.
#
# ## 5. A classifier for every pixel: the 1×1 convolution
#
# The last layer of lesson 06's classifier was a dense layer followed by softmax: features in, one
# probability per class out. A segmentation network needs that *at every pixel*. A convolution
# with a **1×1 kernel** is exactly this: at each pixel it takes that pixel's feature vector (all
# channels), multiplies it by the same weight matrix, adds the biases. It is a dense layer slid
# over the map. Here it is by hand (`features @ W` works on every pixel at once) and in Keras:

# %%
rng = np.random.default_rng(9)
features = rng.normal(size=(6, 6, 16)).astype(np.float32)     # a 6x6 map with 16 channels
W = rng.normal(0, 0.3, size=(16, 4)).astype(np.float32)       # 16 features in, 4 classes out
b = rng.normal(0, 0.1, size=4).astype(np.float32)

by_hand = ops.softmax(features @ W + b)                       # (6, 6, 4): one softmax per pixel

head = keras.layers.Conv2D(4, kernel_size=1, activation="softmax")
head.build((None, 6, 6, 16))
head.set_weights([W.reshape(1, 1, 16, 4), b])                # a 1x1 kernel is just W
by_keras = head(features[None]).numpy()[0]
print("by hand", by_hand.shape, " Keras", by_keras.shape,
      " largest difference", float(np.abs(by_hand - by_keras).max()))
assert np.allclose(by_hand, by_keras, atol=1e-5) and np.allclose(by_hand.sum(axis=-1), 1, atol=1e-5)

# %% [markdown]
# ## 6. Growing a map back: the transposed convolution
#
# A CNN's maps shrink: each 2×2 pooling halves them. That is good for *what* (each feature sees a
# wider patch) but the answer must have the picture's size again. A **transposed convolution**
# grows a map, and it learns how. The rule is simple: every input pixel **stamps** a copy of the
# kernel, multiplied by the pixel's value, onto the output, and the stamps start `stride` pixels
# apart. Where stamps overlap they add up.
#
# **Predict:** a 2×2 input, a 3×3 kernel of ones, stride 2. How big is the output, and what is
# in its centre pixel, where all four stamps overlap?

# %%
small = np.array([[1.0, 2.0],
                  [3.0, 4.0]])
kernel = np.ones((3, 3))
stride = 2

size = (small.shape[0] - 1) * stride + kernel.shape[0]
grown = np.zeros((size, size))
stamps = []
for row in range(small.shape[0]):
    for col in range(small.shape[1]):
        stamp = np.zeros((size, size))
        stamp[row * stride:row * stride + 3, col * stride:col * stride + 3] = small[row, col] * kernel
        stamps.append(stamp)
        grown += stamp

plot.grid(stamps + [grown], [f"stamp of {v:g}" for v in small.ravel()] + ["sum: the output"], cols=5,
          size=1.9, same_scale=True);
print(grown)
assert grown.shape == (5, 5) and grown[2, 2] == small.sum()

# %% [markdown]
# Keras's `Conv2DTranspose` layer, given the same kernel, computes the same numbers; so does
# `seg.transposed_conv2d`, the course's NumPy version (it also handles many channels). With a
# random kernel, to be sure nothing matches by luck:

# %%
random_kernel = rng.normal(size=(3, 3)).astype(np.float32)
mine = seg.transposed_conv2d(small, random_kernel, stride=2)

layer = keras.layers.Conv2DTranspose(1, kernel_size=3, strides=2, use_bias=False)
layer.build((None, 2, 2, 1))
layer.set_weights([random_kernel.reshape(3, 3, 1, 1)])
theirs = layer(small.reshape(1, 2, 2, 1).astype(np.float32)).numpy()[0, :, :, 0]
print("NumPy", mine.shape, " Keras", theirs.shape, " largest difference", float(np.abs(mine - theirs).max()))
assert mine.shape == theirs.shape == (5, 5) and np.allclose(mine, theirs, atol=1e-5)

# %% [markdown]
# **Exercise 3.** Write `transposed_size(n, k, stride)`: the output length of a transposed
# convolution of a length-`n` input with a `k`-wide kernel (no padding, `k` at least `stride`).
# Check it against the 2 → 5 you just saw.

# %%
def transposed_size(n, k, stride):
    ...


exercises.check_transposed_size(transposed_size)

# %% [markdown]
# ## 7. The U-Net
#
# Now put the pieces together. A **U-Net** has a way down and a way up, drawn as a U:
#
# - **down**: two 3×3 convolutions, then 2×2 max pooling, twice: 32×32 → 16×16 → 8×8, with more
#   channels each time (the CNN you know: it learns *what* is there);
# - **up**: a stride-2 transposed convolution with a 2×2 kernel doubles the size (8 → 16 → 32),
#   then two 3×3 convolutions;
# - **skip connections**: on the way up, the maps from the way down of the same size are put next
#   to the grown maps (stacked as extra channels). The bottom of the U knows *what*, but at 8×8 it
#   has lost *exactly where*; the skips hand the sharp 32×32 detail back;
# - **head**: the 1×1 convolution with softmax from section 5, one probability per class and pixel.
#
# As in lesson 07, three piles: we fit on 500 pictures, keep 200 more (made the same way) to
# judge and compare, and put freshly made held-out pictures away until the very end.

# %%
x_fit, y_fit = shapes.images[:500], shapes.label_maps[:500]
x_val, y_val = shapes.images[500:], shapes.label_maps[500:]
held_out = datasets.make_shapes(300, size=32, seed=1)        # put away until section 9

unet = seg.unet(input_shape=(32, 32, 3), classes=4, filters=8, skips=True)
print(f"U-Net: {unet.count_params():,} weights;  output for one picture:", unet.output_shape[1:])
print([layer.name for layer in unet.layers if "skip" in layer.name or "up" in layer.name])
assert unet.output_shape == (None, 32, 32, 4)

# %% [markdown]
# `seg.train_segmenter` trains it with Adam on the per-pixel cross-entropy (lesson 07's loss,
# averaged over every pixel) for 10 epochs (with a time limit as a safety net on a slow computer).
# Beside it trains the very same network **without** the skip connections, on the same pictures
# with the same settings. Honest note: to keep the lesson under a minute, the network without skips
# gets only 5 epochs, so we also compare the two epoch by epoch.
#
# **Predict:** after the same number of epochs, which one has the lower loss?

# %%
BATCH, RATE = 8, 5e-3
history = seg.train_segmenter(unet, x_fit, y_fit, seconds=60, max_epochs=10, batch_size=BATCH, learning_rate=RATE)
plain = seg.unet(input_shape=(32, 32, 3), classes=4, filters=8, skips=False)
plain_history = seg.train_segmenter(plain, x_fit, y_fit, seconds=30, max_epochs=5, batch_size=BATCH,
                                    learning_rate=RATE)

print("epoch   loss of the U-Net   loss without skips")
for epoch, (with_skips, without) in enumerate(zip(history["loss"], plain_history["loss"]), start=1):
    print(f"{epoch:5d}   {with_skips:17.3f}   {without:18.3f}")

val_pred, plain_pred = seg.predict_label_maps(unet, x_val), seg.predict_label_maps(plain, x_val)
val_iou, plain_iou = seg.mean_iou(val_pred, y_val, 4), seg.mean_iou(plain_pred, y_val, 4)
print("\nvalidation mean IoU of the three shapes:")
for name, h, score in [("U-Net", history, val_iou), ("without skips", plain_history, plain_iou)]:
    print(f"  {name:14} {score:.3f}   after {h['epochs']} epochs, {h['seconds']:.1f} s")
plot.curves(np.arange(1, history["epochs"] + 1), {"U-Net": history["loss"]}, xlabel="epoch", ylabel="loss",
            title="U-Net training loss per epoch (per-pixel cross-entropy)");
assert all(u < p for u, p in zip(history["loss"][1:], plain_history["loss"][1:]))   # from epoch 2 on
assert val_iou > plain_iou

# %% [markdown]
# ## 8. Where is it wrong?
#
# A score hides *where* the mistakes are. For the four validation pictures it did worst on: the
# picture, the truth, the U-Net's answer, and its mistakes on the object pixels: **white** is object found, **red** is
# a false positive (it said object, there is none), **blue** a false negative (an object pixel it
# missed).

# %%
object_iou = [seg.iou(val_pred[i] > 0, y_val[i] > 0) for i in range(len(y_val))]
picks = np.argsort(object_iou, kind="stable")[:4]             # the four pictures it did worst on
panels, titles = [], []
for i in picks:
    panels += [x_val[i], seg.colour_labels(y_val[i]), seg.colour_labels(val_pred[i]),
               seg.error_overlay(x_val[i], val_pred[i] > 0, y_val[i] > 0)]
    titles += ["picture", "truth", "U-Net", f"mistakes, IoU {seg.iou(val_pred[i] > 0, y_val[i] > 0):.2f}"]
plot.grid(panels, titles, cols=4, size=1.8);

# %% [markdown]
# **Predict:** where do you expect the mistakes to be, inside the shapes or along their edges?
# The network without skips had to rebuild every outline from its 8×8 bottom. Compare the two
# on the same pictures:

# %%
panels = []
for i in picks:
    panels += [seg.error_overlay(x_val[i], val_pred[i] > 0, y_val[i] > 0),
               seg.error_overlay(x_val[i], plain_pred[i] > 0, y_val[i] > 0)]
plot.grid(panels, ["U-Net mistakes", "without skips"] * len(picks), cols=4, size=1.8);
for name, pred in [("U-Net", val_pred), ("without skips", plain_pred)]:
    outline_iou = seg.iou(pred > 0, y_val > 0)
    wrong_class = np.count_nonzero((pred > 0) & (y_val > 0) & (pred != y_val))
    print(f"{name:14} objects vs background IoU {outline_iou:.3f};  object pixels given the wrong class: "
          f"{wrong_class}")

# %% [markdown]
# The U-Net's few mistakes sit on the outlines, one pixel wide. The network without skips finds
# each shape but rounds off its corners (blue: missed) and picks the wrong class far more often:
# the 8×8 bottom of the U knows that *something* is there, but no longer exactly where its edges
# are. The skips hand that detail back.
#
# ## 9. The held-out pictures, once
#
# Settings chosen, training over: now, and only now, the held-out pictures.

# %%
test_pred = seg.predict_label_maps(unet, held_out.images)
test_iou = seg.mean_iou(test_pred, held_out.label_maps, 4)
print(f"held-out pictures: mean IoU of the three shapes {test_iou:.3f}, "
      f"pixel accuracy {seg.pixel_accuracy(test_pred, held_out.label_maps):.1%}")
print("IoU per class (background, circle, square, triangle):",
      seg.per_class_iou(test_pred, held_out.label_maps, 4).round(3))
assert test_iou >= 0.95

# %% [markdown]
# ## 10. Semantic and instance segmentation, and Mask R-CNN
#
# What you built is **semantic** segmentation: every pixel gets a *class*. Two squares that touch
# become one blob of "square" pixels, just as the touching coins merged in section 3. **Instance**
# segmentation gives every *object* its own mask, so it can count them. The shapes come with both
# answers (`shapes.masks` holds one mask per object); here is a picture with two shapes of the same
# class:

# %%
busy = next(i for i, classes in enumerate(shapes.labels) if len(classes) > len(set(classes)))
instances = np.zeros(shapes.label_maps[busy].shape, np.uint8)
for number, mask in enumerate(shapes.masks[busy], start=1):
    instances[mask] = number
plot.grid([shapes.images[busy], seg.colour_labels(shapes.label_maps[busy]), seg.colour_labels(instances)],
          ["picture", "semantic: per class", "instance: per object"], size=3.0);
print("class of each object (0 circle, 1 square, 2 triangle):", shapes.labels[busy])
assert instances.max() == len(shapes.labels[busy]) > len(np.unique(shapes.label_maps[busy])) - 1

# %% [markdown]
# In the semantic map the two shapes of the same class share one colour: had they touched, nothing
# would tell you whether it was one object or two. The instance map keeps them apart.
#
# A detector (lesson 08) outlines each object with a **box**, and scores boxes with the same IoU.
# A box is a rough outline: take one coin found by the threshold of section 3, and its tightest
# box. **Predict:** what share of that box is coin? Then drag the boxes in the widget (move a box
# from inside, resize it from a corner): box A is the coin's box; how far can box B slide before
# its IoU with A falls below 0.5, the usual "found it" line for detectors?

# %%
typical = int(np.argmin(np.abs(areas - np.median(big)))) + 1    # the piece number of a typical coin
rows, cols = np.nonzero(pieces == typical)
coin_box = (int(cols.min()), int(rows.min()), int(cols.max()) + 1, int(rows.max()) + 1)
box_area = (coin_box[2] - coin_box[0]) * (coin_box[3] - coin_box[1])
print(f"coin {typical}: box {coin_box}, {areas[typical - 1]} coin pixels in a box of {box_area}: "
      f"{areas[typical - 1] / box_area:.0%} of the box is coin")
assert 0.6 < areas[typical - 1] / box_area < 0.9              # a round coin fills about pi/4 of its box
boxes = IoUWidget(coins, coin_box, (coin_box[0] + 10, coin_box[1] + 5, coin_box[2] + 10, coin_box[3] + 5))
boxes

# %% [markdown]
# The best-known instance segmenter is **Mask R-CNN**. It is a detector first (lesson 08):
# a region proposal network suggests boxes, each box is classified and tightened, exactly as
# Faster R-CNN does. Then it adds one small branch: for every box, a tiny fully convolutional
# network (like the up half of your U-Net, 28×28 output) predicts the object's mask *inside that
# box*. Boxes separate the objects, the mask branch outlines each one. So: detection finds the
# objects, segmentation outlines them, and Mask R-CNN does both.
#
# ## Summary
#
# - **Segmentation** labels every pixel; a **label map** holds one class number per pixel, and a
#   **mask** is one class's yes/no map.
# - Score masks with **IoU** (shared over either) or **Dice** (twice shared over both sizes); two
#   empty masks score 1. **Pixel accuracy lies**: "background everywhere" gets about 86 %.
# - **Thresholding** (Otsu) needs no training, but merges touching objects, suffers from uneven
#   light and knows no classes.
# - A **1×1 convolution** is a dense layer at every pixel: the classifier head of a segmenter.
# - A **transposed convolution** stamps the kernel once per input pixel, `stride` apart:
#   output `(n − 1)·stride + k`. It grows maps back.
# - A **U-Net** goes down (what), up (where), with **skip connections** that hand back the sharp
#   detail: without them, the outlines suffer.
# - **Semantic** segmentation labels classes, **instance** segmentation separates objects;
#   **Mask R-CNN** is a detector with a mask branch.
#
# [Back: 07b Training a digit reader](07b_digit_reader.ipynb) · [Back: 08 Detection](08_detection.ipynb)
#
# This is the last lesson of the course. Where to go from here: your own project, with your own
# photos in folders (lesson 07b showed how), starting from a small network and a validation set.
# [Back to the map of the course](00_welcome.ipynb)
