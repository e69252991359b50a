"""Segmentation: a label for every pixel, its metrics, transposed convolution and a small U-Net.

* :func:`iou` and :func:`dice` compare a predicted boolean mask with the true
  one; :func:`mean_iou` averages the IoU of every class of two label maps;
  :func:`pixel_accuracy` is the metric that flatters a lazy model.
* :func:`transposed_conv2d` is the up-sampling layer of segmentation networks,
  written out in NumPy: every input pixel stamps a copy of the kernel, scaled
  by its value, onto the output (``keras.layers.Conv2DTranspose`` computes the same).
* :func:`colour_labels` and :func:`error_overlay` turn label maps and
  mistakes into RGB pictures for :func:`cnnlab.plot.grid`.
* :func:`unet` builds a small U-Net (or the same network without skip
  connections) for :func:`cnnlab.datasets.make_shapes` label maps;
  :func:`train_segmenter` fits it. TensorFlow is imported only inside them.

Examples
--------
>>> a = np.array([[1, 1, 0, 0]], bool)
>>> b = np.array([[0, 1, 1, 0]], bool)
>>> iou(a, b), dice(a, b)
(0.3333333333333333, 0.5)
"""

from __future__ import annotations

import numpy as np

from . import _validate as v
from ._lazy import keras as _keras
from .training.budget import fit_within

__all__ = [
    "LABEL_COLOURS",
    "colour_labels",
    "dice",
    "error_overlay",
    "iou",
    "mean_iou",
    "per_class_iou",
    "pixel_accuracy",
    "predict_label_maps",
    "train_segmenter",
    "transposed_conv2d",
    "transposed_output_size",
    "unet",
]


# ---------------------------------------------------------------- metrics


def _mask_pair(pred_mask, true_mask):
    pred = v.array(pred_mask, "pred_mask", allow_bool=True)
    true = v.array(true_mask, "true_mask", allow_bool=True)
    if pred.shape != true.shape:
        raise ValueError(f"pred_mask must have the shape of true_mask {true.shape}, got {pred.shape}")
    for name, arr in (("pred_mask", pred), ("true_mask", true)):
        if arr.dtype != bool and not np.isin(arr, (0, 1)).all():
            raise ValueError(f"{name} must be boolean (or only 0 and 1), got values {np.unique(arr)[:5].tolist()}")
    return pred.astype(bool), true.astype(bool)


def iou(pred_mask, true_mask) -> float:
    """Intersection over union (Jaccard index) of two boolean masks.

    ``|pred and true| / |pred or true|``. Two empty masks agree perfectly and
    score 1.0.

    Parameters
    ----------
    pred_mask, true_mask : (...) array_like of bool
        Same shape (one image ``(H, W)`` or a batch ``(N, H, W)``: the pixels
        of a batch are pooled). 0/1 integers are accepted.

    Returns
    -------
    float
        Between 0 and 1.

    Examples
    --------
    >>> iou(np.zeros((2, 2), bool), np.zeros((2, 2), bool))
    1.0
    >>> iou([[1, 1], [0, 0]], [[1, 0], [0, 0]])
    0.5

    Introduced in lesson 09.
    """
    pred, true = _mask_pair(pred_mask, true_mask)
    union = np.count_nonzero(pred | true)
    return 1.0 if union == 0 else float(np.count_nonzero(pred & true) / union)


def dice(pred_mask, true_mask) -> float:
    """Dice coefficient (F1 score) of two boolean masks.

    ``2 |pred and true| / (|pred| + |true|)``; always at least the IoU
    (``dice = 2 iou / (1 + iou)``). Two empty masks score 1.0.

    Parameters
    ----------
    pred_mask, true_mask : (...) array_like of bool
        Same shape.

    Returns
    -------
    float
        Between 0 and 1.

    Examples
    --------
    >>> dice([[1, 1], [0, 0]], [[1, 0], [0, 0]])
    0.6666666666666666

    Introduced in lesson 09.
    """
    pred, true = _mask_pair(pred_mask, true_mask)
    total = np.count_nonzero(pred) + np.count_nonzero(true)
    return 1.0 if total == 0 else float(2 * np.count_nonzero(pred & true) / total)


#: the most classes a label comparison counts (its confusion table is n_classes x n_classes int64)
MAX_CLASSES = 4096


def _label_pair(pred_labels, true_labels, n_classes, ignore_label=None):
    """Both label maps checked, as int64 (so codes like ``true * n_classes + pred`` cannot overflow),
    with the pixels whose true label is ``ignore_label`` left out, and the number of classes."""
    pred = v.array(pred_labels, "pred_labels")
    true = v.array(true_labels, "true_labels")
    if pred.shape != true.shape:
        raise ValueError(f"pred_labels must have the shape of true_labels {true.shape}, got {pred.shape}")
    for name, arr in (("pred_labels", pred), ("true_labels", true)):
        if arr.dtype.kind not in "iu":
            raise TypeError(f"{name} must hold integer class labels, got dtype {arr.dtype}")
    if ignore_label is not None:
        ignore_label = v.nonnegative_int(ignore_label, "ignore_label")
        kept = true != ignore_label
        pred, true = pred[kept], true[kept]
    pred, true = pred.astype(np.int64).ravel(), true.astype(np.int64).ravel()
    for name, arr in (("pred_labels", pred), ("true_labels", true)):
        if arr.size and arr.min() < 0:
            raise ValueError(f"{name} must hold labels of at least 0, found {int(arr.min())}")
    largest = int(max(pred.max(), true.max())) if pred.size else 0
    if n_classes is None:
        n_classes = largest + 1
        blame = f"a label of {largest} (n_classes is one more than the largest label)"
    else:
        n_classes = v.positive_int(n_classes, "n_classes")
        blame = f"n_classes={n_classes}"
    if n_classes > MAX_CLASSES:
        raise ValueError(f"{blame} would count {n_classes:,} classes, more than the {MAX_CLASSES:,} allowed; "
                         f"check the labels, or pass ignore_label= for a label such as 255 that marks "
                         f"pixels to leave out")
    if largest >= n_classes:
        raise ValueError(f"pred_labels and true_labels must be below n_classes={n_classes}, found {largest}"
                         + (" (pass ignore_label= to leave such pixels out)" if ignore_label is None else ""))
    return pred, true, n_classes


def per_class_iou(pred_labels, true_labels, n_classes=None, ignore_label=None) -> np.ndarray:
    """IoU of each class of two label maps, pooled over all their pixels.

    Parameters
    ----------
    pred_labels, true_labels : (...) array_like of int
        Same shape, e.g. ``(N, H, W)`` label maps as
        :func:`cnnlab.datasets.make_shapes` returns (0 is background). Any integer
        dtype: the counting is done in int64, so uint8 maps with many classes are exact.
    n_classes : int, optional
        Number of classes (at most :data:`MAX_CLASSES`); by default one more than the
        largest label seen.
    ignore_label : int, optional
        Pixels whose *true* label is this (often 255, "not labelled") are left out.

    Returns
    -------
    (n_classes,) ndarray of float64
        IoU of class ``c`` in entry ``c``; a class absent from both maps scores 1.0.

    Examples
    --------
    >>> per_class_iou([[0, 1, 1, 2]], [[0, 1, 2, 2]]).round(3).tolist()
    [1.0, 0.5, 0.5]
    >>> per_class_iou([[0, 1, 1, 2]], [[0, 1, 2, 255]], ignore_label=255).round(3).tolist()
    [1.0, 0.5, 0.0]

    Introduced in lesson 09.
    """
    pred, true, n_classes = _label_pair(pred_labels, true_labels, n_classes, ignore_label)
    both = np.bincount(true * n_classes + pred, minlength=n_classes ** 2)
    confusion = both.reshape(n_classes, n_classes)
    inter = np.diag(confusion).astype(np.float64)
    union = confusion.sum(0) + confusion.sum(1) - inter
    out = np.ones(n_classes)
    np.divide(inter, union, out=out, where=union > 0)
    return out


def mean_iou(pred_labels, true_labels, n_classes=None, ignore_background=True, ignore_label=None) -> float:
    """Mean over classes of :func:`per_class_iou`.

    Parameters
    ----------
    pred_labels, true_labels : (...) array_like of int
    n_classes : int, optional
    ignore_background : bool
        Leave class 0 out of the mean ("mean foreground IoU"): the background
        is most of every image and would flatter the score.
    ignore_label : int, optional
        As in :func:`per_class_iou`.

    Returns
    -------
    float

    Examples
    --------
    >>> mean_iou([[0, 1, 1, 2]], [[0, 1, 2, 2]])
    0.5

    Introduced in lesson 09.
    """
    scores = per_class_iou(pred_labels, true_labels, n_classes, ignore_label)
    if ignore_background:
        if len(scores) < 2:
            raise ValueError("ignore_background=True needs at least one class besides 0")
        scores = scores[1:]
    return float(scores.mean())


def pixel_accuracy(pred_labels, true_labels) -> float:
    """Fraction of pixels whose label is right.

    Beware: on images that are mostly background, predicting background
    everywhere already scores high.

    Examples
    --------
    >>> pixel_accuracy([[0, 0, 0, 0]], [[0, 0, 0, 3]])
    0.75

    Introduced in lesson 09.
    """
    pred, true, _ = _label_pair(pred_labels, true_labels, None)
    return float(np.mean(pred == true))


# ---------------------------------------------------------------- pictures of label maps and mistakes

#: RGB colour of each class of the shapes: background, circle, square, triangle (then repeated)
LABEL_COLOURS = np.array([[20, 20, 20], [230, 159, 0], [86, 180, 233], [0, 158, 115],
                          [240, 228, 66], [204, 121, 167]], dtype=np.uint8)


def colour_labels(label_map) -> np.ndarray:
    """A label map as an RGB picture, one colour per class (:data:`LABEL_COLOURS`).

    Parameters
    ----------
    label_map : (H, W) or (N, H, W) array_like of int

    Returns
    -------
    (..., 3) ndarray of uint8

    Examples
    --------
    >>> colour_labels([[0, 1]]).tolist()
    [[[20, 20, 20], [230, 159, 0]]]

    Introduced in lesson 09.
    """
    labels = v.array(label_map, "label_map", (2, 3))
    if labels.dtype.kind not in "iu":
        raise TypeError(f"label_map must hold integer class labels, got dtype {labels.dtype}")
    if labels.min() < 0:
        raise ValueError(f"label_map must hold labels of at least 0, found {int(labels.min())}")
    return LABEL_COLOURS[labels % len(LABEL_COLOURS)]


def error_overlay(image, pred_mask, true_mask) -> np.ndarray:
    """Where a predicted mask is right and wrong, painted over a dimmed photo.

    Right object pixels are white, **false positives** (predicted, not
    there) red, **false negatives** (there, missed) blue; right background
    keeps the dimmed photo.

    Parameters
    ----------
    image : (H, W, 3) or (H, W) array_like of uint8
    pred_mask, true_mask : (H, W) array_like of bool

    Returns
    -------
    (H, W, 3) ndarray of uint8

    Examples
    --------
    >>> error_overlay(np.zeros((1, 3), np.uint8), [[1, 1, 0]], [[1, 0, 1]])[0].tolist()
    [[255, 255, 255], [230, 40, 40], [40, 90, 230]]

    Introduced in lesson 09.
    """
    photo = v.array(image, "image", (2, 3))
    if photo.dtype != np.uint8:
        raise TypeError(f"image must be uint8 (0-255), got dtype {photo.dtype}")
    if photo.ndim == 2:
        photo = np.repeat(photo[:, :, None], 3, axis=2)
    if photo.shape[2] != 3:
        raise ValueError(f"image must be (H, W) or (H, W, 3), got shape {photo.shape}")
    pred, true = _mask_pair(pred_mask, true_mask)
    if pred.shape != photo.shape[:2]:
        raise ValueError(f"pred_mask must have the image's height and width {photo.shape[:2]}, got {pred.shape}")
    out = (photo // 3).astype(np.uint8)
    out[pred & true] = (255, 255, 255)
    out[pred & ~true] = (230, 40, 40)
    out[~pred & true] = (40, 90, 230)
    return out


# ---------------------------------------------------------------- transposed convolution


def transposed_output_size(n, k, stride=1, padding="valid") -> int:
    """Output length of a transposed convolution along one axis.

    ``(n - 1) * stride + k`` for ``"valid"``; ``n * stride`` for ``"same"``
    (the inverse of :func:`cnnlab.ops.output_size`).

    Examples
    --------
    >>> transposed_output_size(3, 3, stride=2), transposed_output_size(3, 3, stride=2, padding="same")
    (7, 6)
    """
    n = v.positive_int(n, "n")
    k = v.positive_int(k, "k")
    stride = v.positive_int(stride, "stride")
    padding = v.choice(padding, "padding", ("valid", "same"))
    return n * stride if padding == "same" else (n - 1) * stride + max(k, stride)


def transposed_conv2d(x, kernel, stride=2, padding="valid") -> np.ndarray:
    """Transposed convolution ("deconvolution") by hand, as ``keras.layers.Conv2DTranspose`` computes it.

    Every input pixel ``x[i, j, c]`` adds ``x[i, j, c] * kernel[:, :, f, c]``
    to the output window whose top-left corner is ``(i * stride, j * stride)``,
    for every output channel ``f``. Overlapping stamps add up. With stride 2
    the output is about twice as big: this is how a segmentation network
    grows its small feature maps back to the photo's size.

    Parameters
    ----------
    x : (H, W) or (H, W, C) array_like
        Input feature map(s).
    kernel : (kh, kw) or (kh, kw, F, C) array_like
        Keras' ``Conv2DTranspose`` layout: output channels before input channels.
    stride : int
    padding : {"valid", "same"}
        ``"valid"``: the full ``((H - 1) * stride + kh)`` output. ``"same"``:
        exactly ``H * stride``, cropped from the full output as Keras crops it.

    Returns
    -------
    (H2, W2) or (H2, W2, F) ndarray of float64
        2-D when both ``x`` and ``kernel`` are 2-D.

    Examples
    --------
    >>> transposed_conv2d([[1, 2]], [[1, 1], [1, 1]], stride=2)
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.]])
    >>> transposed_conv2d([[1, 2]], [[1, 1, 1], [1, 1, 1]], stride=2)  # overlapping stamps add up
    array([[1., 1., 3., 2., 2.],
           [1., 1., 3., 2., 2.]])

    Introduced in lesson 09.
    """
    arr = v.array(x, "x", (2, 3)).astype(np.float64)
    ker = v.array(kernel, "kernel", (2, 4)).astype(np.float64)
    stride = v.positive_int(stride, "stride")
    padding = v.choice(padding, "padding", ("valid", "same"))
    flat = arr.ndim == 2 and ker.ndim == 2
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if ker.ndim == 2:
        ker = ker[:, :, None, None]
    h, w, c = arr.shape
    kh, kw, f, kc = ker.shape
    if kc != c:
        raise ValueError(f"kernel must have {c} input channels (its last axis) to match x, got shape {ker.shape}")
    from . import ops

    full_shape = ((h - 1) * stride + max(kh, stride), (w - 1) * stride + max(kw, stride), f)
    v.size_limit(full_shape, 8, f"stride={stride}", "an output", ops.MAX_ELEMENTS)
    v.size_limit((h, w), 1, f"an input of {h} x {w} pixels (x=", "a loop", ops.MAX_LOOP_STEPS)
    full = np.zeros(full_shape)
    for i in range(h):
        for j in range(w):
            # one stamp: (kh, kw, F, C) weights times this pixel's C values
            full[i * stride:i * stride + kh, j * stride:j * stride + kw] += ker @ arr[i, j]
    if padding == "same":
        top, left = max(kh - stride, 0) // 2, max(kw - stride, 0) // 2
        full = full[top:top + h * stride, left:left + w * stride]
    return full[:, :, 0] if flat else full


# ---------------------------------------------------------------- a small U-Net


#: the most feature maps :func:`unet`'s first level may have (its bottleneck has four times as many)
MAX_UNET_FILTERS = 256


def unet(input_shape=(32, 32, 3), classes=4, filters=16, skips=True, seed=0):
    """A small U-Net: two down steps, a bottleneck, two up steps, a 1x1 convolution head.

    Down: ``conv-conv, maxpool`` twice, with ``filters`` then ``2 * filters``
    feature maps. Up: a stride-2 ``Conv2DTranspose`` doubles the size, the
    feature maps of the same size from the way down are concatenated (the
    *skip connection*: fine detail the bottleneck lost), then ``conv-conv``.
    The head is a ``1 x 1`` convolution with one softmax score per class
    and pixel. With ``skips=False`` the concatenations are left out and
    nothing else changes, to show what they add.

    Parameters
    ----------
    input_shape : (H, W, C)
        H and W divisible by 4.
    classes : int
        Output classes, background included (4 for the shapes).
    filters : int
        Feature maps of the first level.
    skips : bool
    seed : int

    Returns
    -------
    keras.Model
        Input ``(N, H, W, C)`` floats; output ``(N, H, W, classes)`` probabilities. Not compiled.

    Introduced in lesson 09.
    """
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(f"input_shape must be (height, width, channels), got {input_shape!r}")
    h, w, c = (v.positive_int(n, f"input_shape[{i}]") for i, n in enumerate(input_shape))
    if h % 4 or w % 4:
        raise ValueError(f"input_shape must have height and width divisible by 4, got {input_shape!r}")
    classes = v.positive_int(classes, "classes")
    filters = v.positive_int(filters, "filters")
    if filters > MAX_UNET_FILTERS:
        bottleneck_gb = 9 * (4 * filters) ** 2 * 4 / 1e9          # one 3x3 convolution of 4 * filters maps
        raise ValueError(f"filters must be at most {MAX_UNET_FILTERS} (the original U-Net starts with 64); "
                         f"{filters} would need {bottleneck_gb:,.1f} GB for one bottleneck convolution alone")
    if not isinstance(skips, bool):
        raise TypeError(f"skips must be True or False, got {type(skips).__name__}")
    seed = v.nonnegative_int(seed, "seed")
    keras = _keras()
    layers = keras.layers
    counter = iter(range(seed * 100, seed * 100 + 100))

    def conv(n, x, name):
        for k in (1, 2):
            x = layers.Conv2D(n, 3, padding="same", activation="relu", name=f"{name}_{k}",
                              kernel_initializer=keras.initializers.HeNormal(next(counter)))(x)
        return x

    def up(n, x, skip, name):
        x = layers.Conv2DTranspose(n, 2, strides=2, name=f"{name}_up",
                                   kernel_initializer=keras.initializers.HeNormal(next(counter)))(x)
        if skips:
            x = layers.Concatenate(name=f"{name}_skip")([x, skip])
        return conv(n, x, name)

    inputs = keras.Input((h, w, c))
    d1 = conv(filters, inputs, "down1")
    d2 = conv(2 * filters, layers.MaxPooling2D(2, name="pool1")(d1), "down2")
    mid = conv(4 * filters, layers.MaxPooling2D(2, name="pool2")(d2), "bottleneck")
    u2 = up(2 * filters, mid, d2, "up2")
    u1 = up(filters, u2, d1, "up1")
    outputs = layers.Conv2D(classes, 1, activation="softmax", name="head",
                            kernel_initializer=keras.initializers.GlorotUniform(next(counter)))(u1)
    return keras.Model(inputs, outputs, name="unet" if skips else "unet_without_skips")


def _images01(images, name: str = "images") -> np.ndarray:
    arr = v.array(images, name, (4,))
    return arr.astype(np.float32) / np.float32(255) if arr.dtype == np.uint8 else arr.astype(np.float32)


def train_segmenter(model, images, label_maps, seconds=25.0, batch_size=32, learning_rate=3e-3, seed=0, *,
                    max_epochs=None):
    """Fit a segmentation model, epoch after epoch, until a time budget is spent (or ``max_epochs`` run).

    Parameters
    ----------
    model : keras.Model
        From :func:`unet`; compiled here (Adam, sparse categorical cross-entropy).
    images : (N, H, W, C) array_like
        uint8 (divided by 255 here) or floats.
    label_maps : (N, H, W) array_like of int
        The class of every pixel.
    seconds : float
        Time budget: epochs run while one more (as long as the last) still
        fits in it; the first epoch always runs.
    batch_size : int
    learning_rate : float
    seed : int
    max_epochs : int, optional
        Stop after this many epochs even if time is left: with a generous
        ``seconds`` this gives the same result on a fast or a busy computer.

    Returns
    -------
    dict
        ``{"seconds": fit time, "epochs": epochs run, "loss": [per epoch]}``.

    Introduced in lesson 09.
    """
    keras = _keras()
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras Model, got {type(model).__name__}")
    learning_rate = v.positive_number(learning_rate, "learning_rate", maximum=10.0)  # NaN would train silently
    x = _images01(images)
    y = v.array(label_maps, "label_maps", (3,))
    if y.shape != x.shape[:3]:
        raise ValueError(f"label_maps must be (N, H, W) = {x.shape[:3]} to match images, got {y.shape}")
    keras.utils.set_random_seed(v.nonnegative_int(seed, "seed"))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy")
    return fit_within(model, x, y.astype(np.int32), seconds=seconds, batch_size=batch_size, max_epochs=max_epochs)


def predict_label_maps(model, images, batch_size=256) -> np.ndarray:
    """The most likely class of every pixel: ``(N, H, W)`` uint8.

    Introduced in lesson 09.
    """
    x = _images01(images)
    probs = model.predict(x, batch_size=v.positive_int(batch_size, "batch_size"), verbose=0)
    return np.argmax(probs, axis=-1).astype(np.uint8)
