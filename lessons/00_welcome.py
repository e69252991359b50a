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
# # 00 · Welcome to cnnlab
#
# This course shows you, one small step at a time, how a **convolutional neural network** (CNN)
# looks at a picture and decides what is in it. You do not need to know anything about neural
# networks. You need a little Python and a little NumPy: making an array, slicing it, calling
# `.shape`.
#
# **In this notebook you will**
#
# - check that everything the course needs is installed, with `cnnlab.doctor()`;
# - load a real photo and see that, to a computer, it is just a grid of numbers;
# - see the map of the lessons ahead.

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
# ## How the course works
#
# Every lesson is a notebook like this one. Read a short paragraph, run the cell under it
# (**Shift + Enter**), look at what comes out. Some cells hold an **animated widget**: a kernel
# sliding over a photo, a pooling window shrinking a feature map. Press its play button,
# pause it, step it back and forth, change its settings.
#
# Each lesson ends with a few **exercises**. You edit a small function, run the check cell
# under it, and get feedback straight away: what is wrong, and a hint if your next try is still
# wrong. Nothing breaks if you skip one.
#
# The course runs anywhere Jupyter runs: JupyterLab or Notebook on your laptop (no GPU needed,
# no internet needed), Google Colab, or Binder. All the data ships with the Python packages
# the course installs, so it also works on a train or in a classroom with bad Wi-Fi.
#
# ## Is everything ready?
#
# `cnnlab` is the small helper package the lessons call. `cnnlab.doctor()` prints the versions
# of the main libraries, where this notebook is running, whether the animated widgets can be
# shown here, and whether the internet is reachable (it does not need to be).

# %%
import cnnlab

report = cnnlab.doctor()

# %%
# The packages this course relies on. If one is missing, the message says how to fix it.
for package in ("numpy", "keras", "anywidget"):
    assert report["packages"][package], f"{package} is missing: pip install -r requirements.txt"

# %% [markdown]
# ## A photo is a grid of numbers
#
# The course uses real photos that come with the scikit-image package, so they are on your
# disk already. `cnnlab.images.names()` lists them and `cnnlab.images.load(name)` loads one as
# a NumPy array.

# %%
from cnnlab import images

for name in images.names():
    print(f"{name:10} {images.describe(name)}")
cat = images.load("cat")
print("shape:", cat.shape, " dtype:", cat.dtype)

# %% [markdown]
# `(300, 451, 3)` means 300 rows, 451 columns and 3 numbers per pixel: how much red, green and
# blue light it has, each from 0 (none) to 255 (full). Here is the photo, and the numbers behind
# a tiny 4 × 4 patch of it, the red amounts only:

# %%
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(5, 3.4))
ax.imshow(cat)
ax.add_patch(plt.Rectangle((200, 120), 4, 4, edgecolor="yellow", facecolor="none", linewidth=2))
ax.set_title("Chelsea the cat, 300 x 451 pixels")
ax.axis("off")
plt.show()

print(cat[120:124, 200:204, 0])
assert cat.shape == (300, 451, 3) and cat.dtype.name == "uint8"

# %% [markdown]
# A CNN never sees "a cat". It sees these numbers, about 400,000 of them, and learns which
# patterns of numbers mean "cat". The rest of the course is about how.
#
# ## The lessons
#
# | # | lesson | what you will see |
# |---|---|---|
# | 01 | [Images as arrays](01_images_as_arrays.ipynb) | pixels, shapes, colour channels, grayscale |
# | 02 | [Convolution](02_convolution.ipynb) | a kernel sliding over a photo; blur, sharpen, edges; stride and padding |
# | 03 | [ReLU](03_relu.ipynb) | keeping the positive evidence, and why a network needs a bend |
# | 04 | [Pooling](04_pooling.ipynb) | shrinking feature maps with max and average pooling |
# | 05 | [Flattening](05_flattening.ipynb) | turning a stack of maps into one long vector |
# | 06 | [Full connection](06_full_connection.ipynb) | dense layers, softmax, a whole CNN computed by hand |
# | 07 | [Training](07_training.ipynb) | the loss, gradient descent and backpropagation by hand; learning rates and batches |
# | 07b | [Training a digit reader](07b_digit_reader.ipynb) | a CNN that reads handwritten digits; overfitting and its cures; inside the network |
# | 08 | [Detection](08_detection.ipynb) | finding where the objects are, with boxes |
# | 09 | [Segmentation](09_segmentation.ipynb) | labelling every pixel |
#
# ## Summary
#
# - `cnnlab.doctor()` tells you whether your set-up is ready.
# - A photo is an array of numbers: rows × columns (× 3 colours).
#
# **Next:** [01 · Images as arrays](01_images_as_arrays.ipynb) looks at those numbers closely.
