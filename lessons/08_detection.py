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
# # 08 · Detection: where things are, and what they are
#
# The digit reader of lesson 07b answers one question about a whole picture: *which digit is this?*
# A **detector** answers two questions for every object in a photo: *where is it* (a box) and
# *what is it* (a class). Your phone's camera draws boxes round faces this way; so do the cars
# that brake for pedestrians.
#
# You start with boxes and how to compare them, then build a face detector from the digit-style
# classifier you know by sliding it over a photo. It fails in an instructive way, and you fix it.
# Then you make it fast with one trick (dense layers become convolutions), train a tiny one-shot
# detector in seconds, and finally run a real pretrained face detector, all offline on your CPU.
#
# **After this lesson you can**
#
# - write a box as `(x_min, y_min, x_max, y_max)` and compute its area and the IoU of two boxes;
# - explain non-maximum suppression (NMS) and say which boxes it keeps;
# - build a sliding-window detector from a classifier, and say why hard negatives and NMS fix it;
# - turn a classifier's dense layers into convolutions, so one pass scores every window;
# - read a precision-recall curve and the average precision (AP) of a detector;
# - say what R-CNN, Faster R-CNN, YOLO and MTCNN do, and how each relates to what you built.

# %%
# Set-up: on Colab this installs cnnlab and keeps Colab's own TensorFlow, Keras, NumPy and
# widget packages exactly as they are; anywhere else it does nothing.
import sys

if "google.colab" in sys.modules:
    from importlib.metadata import version

    before = {name: version(name) for name in ("tensorflow", "keras", "numpy", "ipywidgets", "anywidget")}
    with open("/tmp/colab_keeps.txt", "w") as keeps:
        keeps.writelines(f"{name}=={number}\n" for name, number in before.items())
    # !pip install -q -c /tmp/colab_keeps.txt "cnnlab[detection] @ git+https://github.com/cnnlab/cnnlab"
    from google.colab import output
    output.enable_custom_widget_manager()
    changed = {name: number for name, number in before.items() if version(name) != number}
    kept = "kept as they were" if not changed else f"CHANGED, they were {changed}"
    print("cnnlab installed; Colab's own " + ", ".join(f"{name} {number}" for name, number in before.items()),
          kept)

# %%
import os
import tempfile

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"     # hide TensorFlow's start-up messages
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"    # exact, repeatable float arithmetic on CPU

import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from IPython.display import Image
from matplotlib import animation, patches

from cnnlab import datasets, exercises, images, plot
from cnnlab import detection as det
from cnnlab.widgets import IoUWidget, NMSWidget

tf.get_logger().setLevel("ERROR")            # no retracing notes from the window-by-window loop


# %% [markdown]
# Two small drawing helpers for this lesson: boxes on a photo, and a pipeline diagram.

# %%
def show_boxes(image, box_sets, title=None, ax=None, size=4.0):
    """Draw a photo with sets of boxes: ``[(boxes, colour, labels or None), ...]``."""
    if ax is None:
        _, ax = plt.subplots(figsize=(size, size))
    ax.imshow(image, cmap="gray" if np.ndim(image) == 2 else None)
    for boxes, colour, labels in box_sets:
        for k, (x0, y0, x1, y1) in enumerate(np.asarray(boxes, float).reshape(-1, 4)):
            ax.add_patch(patches.Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ec=colour, lw=2))
            if labels is not None:
                ax.text(x0, y0 - 2, labels[k], color="white", fontsize=8, backgroundcolor=colour)
    ax.set_title(title or "")
    ax.axis("off")
    return ax


def pipeline(steps, title):
    """A left-to-right diagram: one rounded box per step, arrows between them."""
    fig, ax = plt.subplots(figsize=(2.3 * len(steps), 1.7))
    for k, (name, detail, colour) in enumerate(steps):
        ax.add_patch(patches.FancyBboxPatch((k * 2.3, 0), 1.9, 1.2, boxstyle="round,pad=0.05", fc=colour, ec="k"))
        ax.text(k * 2.3 + 0.95, 0.8, name, ha="center", va="center", fontsize=10, weight="bold")
        ax.text(k * 2.3 + 0.95, 0.35, detail, ha="center", va="center", fontsize=8)
        if k:
            ax.annotate("", (k * 2.3 - 0.02, 0.6), (k * 2.3 - 0.38, 0.6), arrowprops={"arrowstyle": "->", "lw": 1.5})
    ax.set_xlim(-0.2, 2.3 * len(steps)), ax.set_ylim(-0.2, 1.4), ax.axis("off"), ax.set_title(title)
    return fig


# %% [markdown]
# ## 1. Boxes and how much two of them overlap: IoU
#
# A box is four numbers, `(x_min, y_min, x_max, y_max)` in pixels: `x` counts columns to the
# right, `y` counts rows *down* (as in lesson 01's arrays), and the max corner is just outside the
# box, like the end of a Python slice. So `photo[y_min:y_max, x_min:x_max]` is the box's content,
# and its area is `(x_max - x_min) × (y_max - y_min)`.
#
# To say whether a predicted box found an object, we compare it with the true box by
# **IoU, intersection over union**: the area both boxes cover, divided by the area either covers.
# 1 means the same box, 0 means no overlap; a detection usually counts as right at IoU ≥ 0.5.
#
# **Drag the boxes** in the widget (their corners resize them) and watch the IoU. Can you find two
# boxes of the same size that overlap by half their width? What IoU do they have? (Not 0.5!)

# %%
photo = images.load("astronaut")
face_box = (180, 60, 265, 170)        # roughly the astronaut's face
guess = (200, 80, 290, 190)           # a box a detector might draw
print(f"IoU of the two boxes: {det.iou(face_box, guess):.3f}")
iou_widget = IoUWidget(image="astronaut", box_a=face_box, box_b=guess)
iou_widget

# %%
half = det.iou((0, 0, 100, 100), (50, 0, 150, 100))     # same size, shifted by half a width
print(f"two 100x100 boxes shifted by 50 pixels: IoU {half:.3f} (1/3: the union is 150 wide)")
assert abs(half - 1 / 3) < 1e-12 and det.iou(face_box, face_box) == 1.0
assert abs(iou_widget.iou - det.iou(face_box, guess)) < 1e-9

# %% [markdown]
# **Exercise 1.** Write `box_area(box)`. A box whose max corner is left of (or above) its min
# corner is empty: its area is 0, not negative.

# %%
def box_area(box):
    ...


exercises.check_box_area(box_area)

# %% [markdown]
# **Exercise 2.** Write `box_iou(box_a, box_b)`. The overlap of two boxes is itself a box: its
# min corner is the larger of the two min corners, its max corner the smaller of the two max
# corners (it may be empty). Return 0.0 if both boxes are empty.

# %%
def box_iou(box_a, box_b):
    ...


exercises.check_box_iou(box_iou)

# %% [markdown]
# ## 2. A detector from a classifier: slide it over the photo
#
# The oldest way to detect: take a classifier that answers "face or not?" for a small square
# picture, and ask it about *every* square of the photo, at several sizes. Our classifier sees
# 25×25 grayscale patches, like the 100 faces and 100 non-faces of `datasets.load_faces()`.
# The photo is shrunk to several scales, so that a 25-pixel window covers a big face in one
# scale and a small one in another. The windows step 4 pixels at a time.

# %%
x_faces, y_faces = datasets.load_faces()
plot.grid(list(x_faces[y_faces == 1][:6]) + list(x_faces[y_faces == 0][:6]), ["face"] * 6 + ["not a face"] * 6,
          cols=6, size=1.2, cmap="gray");
windows = det.sliding_windows(photo.shape, det.FACE_WINDOW, det.FACE_STRIDE, det.FACE_SCALES)
print(f"{len(x_faces)} training patches; scales {det.FACE_SCALES}: {len(windows)} windows on the astronaut")
assert x_faces.shape[1:] == (25, 25) and len(windows) > 3000

# %% [markdown]
# First, the **naive** classifier: trained on those 100 faces against those 100 non-faces only.
# It reaches high accuracy on patches like its training data. Here is what it says about each
# window of the astronaut photo (one map per scale, bright = "face"):

# %%
start = time.perf_counter()
naive = det.build_face_detector(rounds=0, photos=())       # no face-free photos: nothing to learn "not a face" from
print(f"trained in {time.perf_counter() - start:.1f} s")
naive_maps = det.face_scores_one_pass(naive.one_pass, photo)
naive_firing = sum(int((m > 0.5).sum()) for m in naive_maps)
plot.grid(naive_maps, [f"scale {s}" for s in det.FACE_SCALES], size=2.2, cmap="magma", same_scale=True);
print(f"windows called 'face' (score > 0.5): {naive_firing} of {len(windows)}")
assert naive_firing > 500

# %% [markdown]
# Watch one scale's map build up: the classifier sweeps the photo row of windows by row of
# windows (the yellow band), and each row of the map on the right is its scores for that band.
# Press play.

# %%
level = 2                                                  # the middle scale, 0.25
score_map = naive_maps[level]
rows, cols = score_map.shape
first = sum(m.size for m in naive_maps[:level])            # where this scale starts in `windows`
fig, (left, right) = plt.subplots(1, 2, figsize=(6, 3), dpi=72)
left.imshow(photo)
left.axis("off")
band = left.add_patch(patches.Rectangle((0, 0), 1, 1, fill=False, ec="yellow", lw=2))
shown = right.imshow(np.full(score_map.shape, np.nan), cmap="magma", vmin=0, vmax=1)
right.set_title(f"face scores, scale {det.FACE_SCALES[level]}")
right.axis("off")


def show_rows_up_to(row):
    x0, y0, _, _ = windows[first + row * cols]
    _, _, x1, y1 = windows[first + row * cols + cols - 1]
    band.set_bounds(x0, y0, x1 - x0, y1 - y0)
    partial = np.full(score_map.shape, np.nan)
    partial[:row + 1] = score_map[:row + 1]
    shown.set_data(partial)
    return band, shown


movie = animation.FuncAnimation(fig, show_rows_up_to, frames=range(0, rows, 2))
movie_file = Path(tempfile.mkdtemp()) / "face_scores.gif"    # an animated GIF: plays anywhere, offline
movie.save(movie_file, writer=animation.PillowWriter(fps=4))
plt.close(fig)
Image(data=movie_file.read_bytes(), format="gif")

# %% [markdown]
# It calls about a third of all windows a face: the rocket, the flag, the suit. It has seen only 100
# examples of "not a face", all of one kind, so almost anything with some contrast looks more
# like a face than like those. A detector has to say "no" to tens of thousands of windows per
# photo, so it needs a far better idea of "not a face".
#
# ## 3. Fixing it: hard negatives, a threshold, and merging boxes
#
# Three fixes, the classic recipe of the sliding-window era:
#
# 1. **Hard negatives.** Slide the detector over photos that certainly hold no face (the coffee
#    cup, the cat, the coins, the rocket, textures...), collect every window it calls a face
#    (each one is a mistake), add them to the "not a face" examples and train again. Twice.
# 2. **A strict threshold.** Keep only windows scoring above 0.9.
# 3. **Merging.** A face lights up many overlapping windows; merge each group into one box.
#
# Training that takes about a minute, so cnnlab ships the result (trained once by
# `scripts/train_face_detector.py` on the faces above and face-free photos only; no photo of a
# person was used). Same classifier, same size, other weights:

# %%
classifier, one_pass = det.load_face_detector()
fixed_maps = det.face_scores_one_pass(one_pass, photo)
fixed_firing = sum(int((m > 0.5).sum()) for m in fixed_maps)
plot.grid(fixed_maps, [f"scale {s}" for s in det.FACE_SCALES], size=2.2, cmap="magma", same_scale=True);
print(f"windows called 'face': {fixed_firing} (the naive classifier: {naive_firing})")
assert fixed_firing < naive_firing / 10

# %% [markdown]
# Now the whole detector: threshold, merge, and compare with the box that a real pretrained
# detector, MTCNN (section 7), draws round the face.

# %%
found, votes = det.detect_faces(one_pass, photo)
mtcnn_boxes, mtcnn_scores, mtcnn_landmarks = det.pretrained_faces(photo)
ious = det.iou_matrix(found, mtcnn_boxes[:1])[:, 0]
false_positives = int((ious < 0.5).sum())
show_boxes(photo, [(mtcnn_boxes[:1], "tab:green", ["MTCNN"]),
                   (found, "tab:orange", [f"ours, IoU {v:.2f}" for v in ious])],
           "our detector (orange) and MTCNN (green)", size=5);
print(f"{len(found)} boxes; best box IoU with MTCNN's: {ious[0]:.2f}; false positives: {false_positives}")
assert ious[0] >= 0.5 and false_positives <= 2

# %% [markdown]
# A box on the face, overlapping MTCNN's by more than the usual 0.5, and
# one false alarm elsewhere: not perfect, but from over a thousand firing windows to two boxes. The
# same 38,000-weight network; what changed is *what it was shown*: the hard negatives did most of
# the work.
#
# ## 4. Non-maximum suppression (NMS)
#
# Before merging, the face lit up a cluster of windows. The standard way to turn a cluster into
# one box is **non-maximum suppression**:
#
# 1. sort the boxes by score;
# 2. keep the best box, and delete every other box that overlaps it by more than a threshold
#    (IoU > 0.3 here);
# 3. repeat with the best box left, until no box is left.
#
# The widget steps through NMS on the real windows our detector was most confident about. Play
# it, step it, and change the threshold: at 0.9 almost nothing is deleted, at 0.1 even
# neighbouring faces would merge.

# %%
all_scores = np.concatenate([m.ravel() for m in fixed_maps])
top = np.argsort(-all_scores, kind="stable")[:12]              # the 12 most confident windows
nms_widget = NMSWidget(photo, windows[top], all_scores[top], iou_threshold=0.3)
nms_widget

# %%
kept = det.nms(windows[top], all_scores[top], iou_threshold=0.3)
tf_kept = tf.image.non_max_suppression(windows[top][:, [1, 0, 3, 2]].astype(np.float32), all_scores[top], 12,
                                       iou_threshold=0.3).numpy()
print(f"NMS keeps windows {kept.tolist()} of 12 (TensorFlow's NMS: {tf_kept.tolist()})")
assert kept.tolist() == tf_kept.tolist() == list(nms_widget.kept)

# %% [markdown]
# cnnlab's `detect_faces` uses a gentle variant: instead of keeping only the best window of each
# cluster, it averages the cluster's windows, weighted by score (the "votes" above). The
# average of many nearly-right windows is a tighter box than any single one.
#
# **Exercise 3.** Write `nms_keep(boxes, scores, iou_threshold)` returning the indices of the
# kept boxes, highest score first. Use `box_iou` from exercise 2 (or `det.iou`).

# %%
def nms_keep(boxes, scores, iou_threshold):
    ...


exercises.check_nms_keep(nms_keep)

# %% [markdown]
# ## 5. From windows to one pass
#
# Sliding the classifier window by window repeats almost all the work: two windows 4 pixels apart
# share most of their pixels, so their convolutions compute the same numbers. A convolution slid
# over the *whole* photo computes each number once. Only the dense layers stand in the way, since
# they want a fixed-size input.
#
# The trick: a dense layer reading a flattened `4 × 4 × 32` map is the same as a `4 × 4`
# convolution with as many filters as the layer has units, with the same weights reshaped
# (lesson 05's flattening order is exactly the convolution kernel's order). The last dense layer
# becomes a `1 × 1` convolution. The result is a **fully convolutional** network: give it a whole
# photo and it outputs a map of scores, one per window, stride 4.

# %%
for layer in classifier.layers:
    print(f"  classifier {layer.name:8s} {str(layer.output.shape):22s}")
for layer in one_pass.layers[1:]:
    print(f"  one pass   {layer.name:13s} {str(layer.output.shape):22s}")
assert classifier.count_params() == one_pass.count_params()

# %% [markdown]
# Same number of weights. Are the scores the same? We crop a corner of the photo small enough to
# call `predict` once per window (36 windows at the first scale), then compare with one pass.

# %%
corner = photo[:250, 130:380]
scale = det.FACE_SCALES[:1]
start = time.perf_counter()
loop_scores = det.face_scores_by_window(classifier, corner, scale, batch_size=1)[0]   # one predict per window
loop_seconds = time.perf_counter() - start
once_scores = det.face_scores_one_pass(one_pass, corner, scale)[0]
per_window = loop_seconds / loop_scores.size
print(f"{loop_scores.size} predict calls took {loop_seconds:.2f} s: {1000 * per_window:.0f} ms per window")
print(f"largest difference from one pass: {np.abs(loop_scores - once_scores).max():.1e}")
assert loop_scores.size >= 30 and np.abs(loop_scores - once_scores).max() <= 1e-5

# %% [markdown]
# Equal to 1e-5 (float rounding). Now the speed on the whole photo at all five scales. Calling
# `predict` for each of its thousands of windows would take minutes, so we do not: we multiply
# the time per window measured just above by the number of windows. That is an estimate, and an
# honest one; one pass we time for real (best of three).

# %%
timings = []
for _ in range(3):
    start = time.perf_counter()
    det.face_scores_one_pass(one_pass, photo)
    timings.append(time.perf_counter() - start)
once_seconds = min(timings)
loop_estimate = per_window * len(windows)
speed_up = loop_estimate / once_seconds
print(f"window by window (estimated): {len(windows)} windows x {1000 * per_window:.0f} ms = {loop_estimate:.0f} s")
print(f"one pass per scale (measured): {once_seconds:.3f} s   ->  about {speed_up:.0f}x faster")
assert speed_up >= 20

# %% [markdown]
# Sharing the work is not the only gain: one call instead of thousands also saves Keras's
# overhead per call. (Batching all windows into one `predict` call, as `face_scores_by_window`
# does by default, recovers much of that overhead but still repeats the shared convolutions.)
# This trick, a classifier turned fully convolutional, is the first step of OverFeat (2013), of
# MTCNN's first stage (section 7), and of the segmentation networks of lesson 09.
#
# ## 6. A tiny single-shot detector, trained in seconds
#
# Sliding windows only answer "face or not" at fixed sizes. Modern one-pass detectors learn the
# boxes themselves. Our toy version works on 64×64 pictures of circles, squares and triangles:
# the image goes through four convolutions and three poolings down to an **8×8 grid**, and every
# grid cell predicts 8 numbers: is the centre of an object in me? where exactly inside me? how
# wide and tall is it? which class? That is YOLO's idea at toy scale.
#
# We train it for 8 epochs on 1,000 pictures (10 to 20 seconds on a two-core laptop, with a time
# limit as a safety net on a slow computer) and score it once on 300 held-out pictures it never saw.

# %%
shapes = datasets.make_shapes(1000, size=64, seed=1)
held_out = datasets.make_shapes(300, size=64, seed=1000)
shape_model = det.shapes_detector(seed=0)
history = det.train_shapes_detector(shape_model, shapes.images, shapes.boxes, shapes.labels, seconds=60.0,
                                   max_epochs=8)
print(f"trained {history['epochs']} epochs in {history['seconds']:.1f} s; "
      f"loss {history['loss'][0]:.2f} -> {history['loss'][-1]:.2f}")
assert history["epochs"] == 8

# %%
boxes, scores, classes = det.detect_shapes(shape_model, held_out.images)
names = ["circle", "square", "triangle"]
fig, axes = plt.subplots(1, 4, figsize=(10, 2.8))
for ax, k in zip(axes, range(4)):
    confident = scores[k] > 0.5
    show_boxes(held_out.images[k], [(held_out.boxes[k], "tab:green", None),
                                    (boxes[k][confident], "tab:orange",
                                     [f"{names[c]} {s:.2f}" for c, s in zip(classes[k][confident], scores[k][confident])])],
               ax=ax)
fig.suptitle("held-out pictures: truth (green), detections scoring > 0.5 (orange)");

# %% [markdown]
# ### Scoring a detector: precision, recall, average precision
#
# Sort every detection of all 300 pictures by score, highest first, and walk down the list. A
# detection is a **true positive** if it overlaps a not-yet-found true box by IoU ≥ 0.5, else a
# false positive. After each step:
#
# - **precision** = true positives so far / detections so far (how many of our boxes are right),
# - **recall** = true positives so far / all true boxes (how many objects we found).
#
# Lowering the score threshold trades precision for recall. The **average precision (AP50)** is
# the area under this curve: 1.0 means every object found before any mistake. For three classes
# we average the per-class APs (the "mAP" that detection papers quote).

# %%
curve = det.precision_recall_curve(boxes, scores, held_out.boxes)
class_blind_ap = det.average_precision(boxes, scores, held_out.boxes)
shapes_map = det.mean_average_precision(boxes, scores, classes, held_out.boxes, held_out.labels, 3)
plot.curves(curve.recall, {"precision": curve.precision}, xlabel="recall", ylabel="precision",
            title=f"held-out shapes: AP50 {class_blind_ap:.2f} (ignoring classes)");
print(f"AP50 ignoring classes: {class_blind_ap:.3f};  mean AP50 of the three classes: {shapes_map:.3f}")
assert class_blind_ap >= 0.9 and shapes_map >= 0.9

# %% [markdown]
# After 8 epochs the detector finds almost every shape: AP50 about 0.92, ignoring classes or
# averaged over the three classes (after 10 epochs 0.94 and 0.93). Try fewer epochs above and
# watch the curve sag: after 5 epochs it is about 0.84 and 0.80. Boxes come first, classes later.
#
# ## 7. A real pretrained face detector: MTCNN
#
# MTCNN (2016) is a real CNN face detector whose weights ship inside the `mtcnn` package, so it
# runs offline. It draws a box and five landmarks (eyes, nose, mouth corners) for each face:

# %%
show_boxes(photo, [(mtcnn_boxes, "tab:green", [f"face {s:.3f}" for s in mtcnn_scores])], "MTCNN", size=5)
plt.plot(mtcnn_landmarks[0, :, 0], mtcnn_landmarks[0, :, 1], "c.", markersize=10);
print("landmarks:", dict(zip(det.LANDMARKS, mtcnn_landmarks[0].round().astype(int).tolist())))
assert len(mtcnn_boxes) == 1 and mtcnn_scores[0] > 0.9

# %% [markdown]
# Now a photo of your choice, with both detectors. `images.load` takes a bundled name or the path of
# your own file (or a web address, when you are online). We start with the cameraman.

# %%
photo_name = "camera"                 # or the path of your own photo, e.g. "my_photo.jpg"
my_photo = images.load(photo_name)
theirs, their_scores, _ = det.pretrained_faces(my_photo)
ours, _ = det.detect_faces(one_pass, my_photo)
show_boxes(my_photo, [(theirs, "tab:green", [f"MTCNN {s:.2f}" for s in their_scores]),
                      (ours, "tab:orange", ["ours"] * len(ours))], f"{photo_name}: MTCNN (green), ours (orange)");
print(f"MTCNN finds {len(theirs)} face(s), our detector {len(ours)}")
if photo_name == "camera":
    assert len(theirs) == 1 and len(ours) == 0

# %% [markdown]
# Our detector misses the cameraman: his face is about 60 pixels wide and half turned away, while
# our smallest window covers 71 pixels of the photo (25 pixels at scale 0.35) and was trained on
# frontal faces only. MTCNN searches faces down to about 20 pixels and learnt from many thousands
# of faces in many poses.
#
# MTCNN is a **cascade** of three small CNNs, and you have built each idea in it:
#
# - **P-Net** is a tiny *fully convolutional* classifier (section 5) run over an image pyramid
#   (section 2's scales): in one pass per scale it proposes candidate face boxes, and NMS
#   (section 4) thins them out. These are its **region proposals**.
# - **R-Net** looks again at each proposal, cropped and resized, rejects most and tightens the
#   rest; NMS again.
# - **O-Net** looks at the survivors at higher resolution and gives the final box and landmarks.
#
# Cheap networks throw away the easy "no" windows early, so the expensive one sees only a few.
#
# ## 8. R-CNN, Faster R-CNN, YOLO: the big three, in pictures
#
# **R-CNN** (2014) was the first CNN detector to win big: an old, non-learned algorithm
# (*selective search*) proposes about 2,000 regions; each is cropped, warped to a fixed size and
# classified by a CNN, one by one, then NMS. It is section 2's idea with better windows.

# %%
pipeline([("photo", "any size", "whitesmoke"), ("proposals", "~2,000 regions\n(selective search)", "lavender"),
          ("crop + warp", "each to 227x227", "lavender"), ("CNN", "once per region", "lightsalmon"),
          ("classify + box", "then NMS", "palegreen")], "R-CNN: a CNN run once per proposed region");

# %% [markdown]
# **Faster R-CNN** (2015) runs the CNN *once* over the whole photo (section 5's idea) and lets a
# small **region proposal network** slide over the feature map, scoring a few reference boxes
# ("anchors") at every position. The best proposals are cut out *of the feature map* (RoI
# pooling) and a second head classifies them and tightens their boxes. Two stages, like MTCNN.

# %%
pipeline([("photo", "any size", "whitesmoke"), ("CNN once", "feature map", "lightsalmon"),
          ("RPN", "anchors scored at\nevery position", "lavender"), ("RoI pooling", "crop the features", "lavender"),
          ("head", "class + box, NMS", "palegreen")], "Faster R-CNN: one CNN pass, proposals learned");

# %% [markdown]
# **YOLO** (2016, "you only look once") drops the proposals: a grid of cells, each predicting
# objectness, a box and a class, all in one pass, then NMS. That is exactly your shapes detector
# of section 6, with a much bigger network and several boxes per cell.

# %%
pipeline([("photo", "resized", "whitesmoke"), ("CNN once", "down to a grid", "lightsalmon"),
          ("every cell", "object? box? class?", "palegreen"), ("NMS", "one box per object", "palegreen")],
         "YOLO / single shot: every cell predicts boxes, no proposals");

# %% [markdown]
# A word of warning about tutorials. The classic Keras course material this course grew from has
# a section called "Faster R-CNN" whose code is a plain image classifier (convolutions, pooling,
# dense layers, one label per picture): it draws no box and has no region proposals. The real
# Faster R-CNN is everything in the middle of the diagram above. In torchvision it is
# `fasterrcnn_resnet50_fpn`; KerasCV and KerasHub offer YOLO-style detectors.
#
# ## Summary
#
# - A **box** is `(x_min, y_min, x_max, y_max)`; **IoU** = overlap area / union area, and a
#   detection usually counts when IoU ≥ 0.5.
# - **NMS** keeps the best box, deletes the boxes overlapping it above a threshold, and repeats.
# - A **sliding-window detector** is a classifier asked about every window at several scales. The
#   naive one fired on a third of all windows; **hard negatives** from face-free photos, a strict
#   threshold and merging left a box on the face (IoU above 0.5 with MTCNN's) and one false alarm.
# - Dense layers rewritten as convolutions make the classifier **fully convolutional**: one pass
#   gives every window's score, the same to 1e-5 and far faster than a `predict` per window.
# - A **single-shot detector** predicts objectness, box and class in every grid cell; scored by
#   **AP50**, the area under the precision-recall curve.
# - **R-CNN** classifies proposed regions one by one, **Faster R-CNN** shares one CNN pass and
#   learns the proposals, **YOLO** skips proposals; **MTCNN** is a cascade that starts fully
#   convolutional.
#
# [Back: 07b Training a digit reader](07b_digit_reader.ipynb) · [Next: 09 Segmentation](09_segmentation.ipynb): a label
# for every pixel instead of a box round each object.
