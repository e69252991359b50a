"""A tiny single-shot detector for the synthetic shapes: grid cells predict objectness, box and class.
"""

from __future__ import annotations

import numpy as np

from .. import _validate as v
from ..training.budget import fit_within
from ._common import _keras
from .boxes import nms

__all__ = ["SHAPES_CELL", "detect_shapes", "shapes_detector", "train_shapes_detector"]

SHAPES_CELL = 8
"""Side of a grid cell of the shapes detector, in pixels (three 2x2 poolings)."""


def shapes_detector(image_size=64, classes=3, filters=16, seed=0):
    """A tiny single-shot detector: every grid cell predicts objectness, a box and a class.

    Four ``3 x 3`` convolutions with three 2x2 poolings turn a
    ``64 x 64`` image into an ``8 x 8`` grid of cells (each sees a
    neighbourhood of the image, not just its own 8 x 8 pixels); a ``1 x 1``
    convolution then writes ``5 + classes`` numbers per cell:

    * ``[0]`` objectness logit: is the *centre* of an object in this cell?
    * ``[1:3]`` the centre's position inside the cell (sigmoid, 0 to 1),
    * ``[3:5]`` width and height as fractions of the image (sigmoid),
    * ``[5:]`` class logits.

    One forward pass gives every detection at once: no windows, no proposals
    (YOLO's idea, at toy scale).

    Parameters
    ----------
    image_size : int
        Side of the square input, a multiple of 8.
    classes : int
    filters : int
        Feature maps of the first convolution (doubled twice).
    seed : int

    Returns
    -------
    keras.Model
        Input ``(N, S, S, 3)`` floats in ``[0, 1]``; output ``(N, S/8, S/8, 5 + classes)`` raw numbers. Not compiled.

    Introduced in lesson 08.
    """
    keras = _keras()
    layers = keras.layers
    size = v.positive_int(image_size, "image_size")
    if size % SHAPES_CELL:
        raise ValueError(f"image_size must be a multiple of {SHAPES_CELL}, got {size}")
    classes = v.positive_int(classes, "classes")
    filters = v.positive_int(filters, "filters")
    seed = v.nonnegative_int(seed, "seed")
    x = inputs = keras.Input((size, size, 3))
    for k, n in enumerate((filters, 2 * filters, 4 * filters)):
        x = layers.Conv2D(n, 3, padding="same", activation="relu", name=f"conv{k + 1}",
                          kernel_initializer=keras.initializers.HeNormal(seed + k))(x)
        x = layers.MaxPooling2D(2, name=f"pool{k + 1}")(x)
    x = layers.Conv2D(4 * filters, 3, padding="same", activation="relu", name="conv4",
                      kernel_initializer=keras.initializers.HeNormal(seed + 3))(x)
    outputs = layers.Conv2D(5 + classes, 1, name="head",
                            kernel_initializer=keras.initializers.GlorotUniform(seed + 4))(x)
    return keras.Model(inputs, outputs, name="shapes_detector")


def _shape_targets(boxes, labels, image_size: int) -> np.ndarray:
    """Per image an ``(G, G, 6)`` grid: objectness, centre in cell, size, class."""
    g = image_size // SHAPES_CELL
    out = np.zeros((len(boxes), g, g, 6), np.float32)
    for i, (b, c) in enumerate(zip(boxes, labels)):
        b = np.asarray(b, np.float64).reshape(-1, 4)
        cx, cy = (b[:, 0] + b[:, 2]) / 2 / SHAPES_CELL, (b[:, 1] + b[:, 3]) / 2 / SHAPES_CELL
        col, row = np.minimum(cx.astype(int), g - 1), np.minimum(cy.astype(int), g - 1)
        out[i, row, col] = np.stack([np.ones(len(b)), cx - col, cy - row, (b[:, 2] - b[:, 0]) / image_size,
                                     (b[:, 3] - b[:, 1]) / image_size, np.asarray(c)], axis=1)
    return out


def _detector_loss(classes: int):
    import tensorflow as tf

    def loss(target, output):
        obj = target[..., 0]
        obj_loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=obj, logits=output[..., 0])
        box_loss = tf.reduce_sum(tf.square(tf.sigmoid(output[..., 1:5]) - target[..., 1:5]), axis=-1)
        cls_loss = tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=tf.cast(target[..., 5], tf.int32), logits=output[..., 5:5 + classes])
        per_cell = obj_loss + obj * (10.0 * box_loss + cls_loss)
        return tf.reduce_mean(tf.reduce_sum(per_cell, axis=[1, 2]))

    return loss


def train_shapes_detector(model, images, boxes, labels, seconds=25.0, batch_size=32, learning_rate=3e-3, seed=0,
                          *, max_epochs=None):
    """Fit :func:`shapes_detector` on :func:`cnnlab.datasets.make_shapes` data until a time budget is spent.

    The target of every cell is built from the true boxes: the cell holding
    an object's centre must say "object", where the centre lies in it, the
    object's size and its class; every other cell must say "no object".
    The loss adds binary cross-entropy for objectness over all cells and,
    for cells with an object, squared error on the box (weighted 10) and
    cross-entropy on the class.

    Parameters
    ----------
    model : keras.Model
        From :func:`shapes_detector`.
    images : (N, S, S, 3) uint8 array_like
    boxes, labels : lists of N arrays
        As :func:`cnnlab.datasets.make_shapes` returns them.
    seconds : float
        Time budget: epochs run while one more (as long as the last) still
        fits in it; the first epoch always runs.
    batch_size : int
    learning_rate : float
    seed : int
    max_epochs : int, optional
        Stop after this many epochs even if time is left: with a generous ``seconds``
        the result is the same on a fast or a busy computer.

    Returns
    -------
    dict
        ``{"seconds": fit time, "epochs": epochs run, "loss": [per epoch]}``.

    Introduced in lesson 08.
    """
    keras = _keras()
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras Model, got {type(model).__name__}")
    learning_rate = v.positive_number(learning_rate, "learning_rate", maximum=10.0)  # NaN would train silently
    x = v.array(images, "images", (4,))
    size = x.shape[1]
    if len(boxes) != len(x) or len(labels) != len(x):
        raise ValueError(f"boxes and labels must have one entry per image ({len(x)}), "
                         f"got {len(boxes)} and {len(labels)}")
    keras.utils.set_random_seed(v.nonnegative_int(seed, "seed"))
    classes = model.output.shape[-1] - 5
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=_detector_loss(classes))
    xs = x.astype(np.float32) / np.float32(255) if x.dtype == np.uint8 else x.astype(np.float32)
    ys = _shape_targets(boxes, labels, size)
    return fit_within(model, xs, ys, seconds=seconds, batch_size=batch_size, max_epochs=max_epochs)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def detect_shapes(model, images, min_score=0.05, iou_threshold=0.5):
    """Decode the shapes detector's grid into boxes, scores and classes, with per-class NMS.

    A cell's score is its objectness times its most likely class's probability.

    Parameters
    ----------
    model : keras.Model
        From :func:`shapes_detector`.
    images : (N, S, S, 3) uint8 array_like
    min_score : float
        Cells below this score are dropped.
    iou_threshold : float
        For :func:`nms`, class by class.

    Returns
    -------
    boxes : list of N (K, 4) ndarray of float64
    scores : list of N (K,) ndarray of float64
    classes : list of N (K,) ndarray of int

    Introduced in lesson 08.
    """
    x = v.array(images, "images", (4,))
    min_score = v.probability(min_score, "min_score")
    size = x.shape[1]
    xs = x.astype(np.float32) / np.float32(255) if x.dtype == np.uint8 else x.astype(np.float32)
    out = model.predict(xs, batch_size=256, verbose=0).astype(np.float64)
    g = out.shape[1]
    rows, cols = np.meshgrid(np.arange(g), np.arange(g), indexing="ij")
    logits = out[..., 5:]
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    score = _sigmoid(out[..., 0]) * probs.max(-1)
    cls = probs.argmax(-1)
    geo = _sigmoid(out[..., 1:5])
    cx, cy = (cols + geo[..., 0]) * SHAPES_CELL, (rows + geo[..., 1]) * SHAPES_CELL
    w, h = geo[..., 2] * size, geo[..., 3] * size
    all_boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=-1)
    boxes_out, scores_out, classes_out = [], [], []
    for i in range(len(out)):
        sel = score[i] > min_score
        b, s, c = all_boxes[i][sel], score[i][sel], cls[i][sel]
        keep = np.concatenate([np.flatnonzero(c == k)[nms(b[c == k], s[c == k], iou_threshold)]
                               for k in np.unique(c)]) if len(c) else np.zeros(0, int)
        keep = keep[np.argsort(-s[keep], kind="stable")]
        boxes_out.append(b[keep])
        scores_out.append(s[keep])
        classes_out.append(c[keep])
    return boxes_out, scores_out, classes_out
