"""Training digits classifiers: two recipes, live curves, evaluation, the shifted-digits test.

Two recipes train a CNN on 28x28 digits:

* ``"classic"``: the classic Keras MNIST example exactly (Conv2D 32 3x3 ReLU,
  MaxPooling 2x2, Flatten, Dense 10 softmax; Adam, sparse categorical
  cross-entropy, batch 32, 5 epochs).
* ``"course"``: ours. Shifted copies of the training digits made once in NumPy
  (data augmentation), a smaller network with three convolutions, batches of
  128 with a higher learning rate that decays along a cosine, label smoothing,
  3 epochs. On the offline digits it beats the classic recipe on clean test
  digits and on digits moved by 3 pixels, in about the same time
  (``benchmarks/training.py`` measures it).

Both models take what :func:`cnnlab.datasets.load_mnist` gives, uint8 digits
``(N, 28, 28)``: the scaling to [0, 1] and the channel axis are layers inside
the model, so ``model.predict(x_test)`` just works.

TensorFlow / Keras is imported inside the functions, so ``import cnnlab.training``
stays instant.

Examples
--------
>>> from cnnlab import datasets, training
>>> (x_train, y_train), (x_test, y_test) = datasets.load_mnist("offline")
>>> model, seconds = training.train("course", x_train, y_train)      # doctest: +SKIP
>>> training.accuracy(model, x_test, y_test)                          # doctest: +SKIP
0.977
>>> training.shifted_accuracy(model, x_test, y_test)                  # doctest: +SKIP
0.95

Introduced in lesson 07.
"""

from __future__ import annotations

import dataclasses
import difflib
import io
import os
import time
from pathlib import Path

import numpy as np

from .. import _validate as v

__all__ = [
    "DIGIT_SHAPE",
    "RECIPES",
    "SHIFT_DIRECTIONS",
    "LiveCurves",
    "Recipe",
    "accuracy",
    "augment_with_shifts",
    "build_model",
    "confusion_matrix",
    "digits_model_path",
    "feature_maps",
    "load_digits_model",
    "most_confidently_wrong",
    "per_class_accuracy",
    "predict_classes",
    "recipe_settings",
    "shift",
    "shifted_accuracies",
    "shifted_accuracy",
    "train",
]

DIGIT_SHAPE = (28, 28)
N_CLASSES = 10
MAX_TRAINING_DIGITS = 100_000  # full MNIST has 60,000; the course recipe triples what it gets
MAX_EPOCHS = 1000

#: The shifted-digits test: every test digit moved 3 pixels right, left, down and up
#: (zero fill); :func:`shifted_accuracy` is the mean accuracy over these four copies.
SHIFT_DIRECTIONS = {"right": (3, 0), "left": (-3, 0), "down": (0, 3), "up": (0, -3)}


@dataclasses.dataclass(frozen=True)
class Recipe:
    """Everything a recipe fixes, so a lesson can print and compare two of them.

    Attributes
    ----------
    name : str
    batch_size, epochs : int
    learning_rate : float
        Adam's (starting) learning rate.
    cosine_decay : bool
        Lower the learning rate along half a cosine to 2 % of its start by the last step.
    label_smoothing : float
        Target probability moved from the true class to the others (0 = none).
    shifted_copies : int
        How many randomly shifted copies of every training digit are added to the originals.
    max_shift : int
        Largest shift of those copies, in pixels, along each axis.
    """

    name: str
    batch_size: int
    epochs: int
    learning_rate: float
    cosine_decay: bool = False
    label_smoothing: float = 0.0
    shifted_copies: int = 0
    max_shift: int = 0


RECIPES = {
    "classic": Recipe("classic", batch_size=32, epochs=5, learning_rate=1e-3),
    "course": Recipe("course", batch_size=128, epochs=3, learning_rate=0.012, cosine_decay=True,
                     label_smoothing=0.1, shifted_copies=2, max_shift=3),
}


def _keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    return keras


# ---------------------------------------------------------------- input checks


def recipe_settings(name) -> Recipe:
    """Return the settings of the recipe called ``name`` (``"classic"`` or ``"course"``).

    Examples
    --------
    >>> recipe_settings("course").batch_size
    128
    """
    if not isinstance(name, str):
        raise TypeError(f"recipe must be a string, one of {', '.join(map(repr, RECIPES))}; "
                        f"got {type(name).__name__}")
    if name not in RECIPES:
        close = difflib.get_close_matches(name.lower(), list(RECIPES), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ValueError(f"recipe must be one of {', '.join(map(repr, RECIPES))}; {hint}got {name!r}")
    return RECIPES[name]


def _digits(value, name: str) -> np.ndarray:
    """``value`` as uint8 ``(N, 28, 28)``; whole numbers 0-255 of another integer type are converted."""
    arr = v.array(value, name, (3,))
    if arr.shape[1:] != DIGIT_SHAPE:
        raise ValueError(f"{name} must have shape (N, 28, 28) like load_mnist's digits, got shape {arr.shape}")
    if arr.dtype == np.uint8:
        return arr
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be uint8 digits (0-255) like load_mnist's, got dtype {arr.dtype}; "
                        f"for floats in [0, 1] use (images * 255).round().astype(np.uint8)")
    if arr.min() < 0 or arr.max() > 255:
        raise ValueError(f"{name} must hold pixel values 0-255, found {arr.min()} to {arr.max()}")
    return arr.astype(np.uint8)


def _labels(value, name: str, n_images: int, classes: int = N_CLASSES) -> np.ndarray:
    """``value`` as int64 ``(N,)`` class numbers in ``0 .. classes - 1``."""
    arr = v.array(value, name, (1,))
    if len(arr) != n_images:
        raise ValueError(f"{name} must have one label per image ({n_images}), got {len(arr)}")
    if arr.dtype.kind == "f" and not np.array_equal(arr, np.round(arr)):
        bad = arr[arr != np.round(arr)][0]
        raise ValueError(f"{name} must hold whole class numbers 0 to {classes - 1}, found {bad}")
    if arr.min() < 0 or arr.max() >= classes:
        bad = arr.min() if arr.min() < 0 else arr.max()
        raise ValueError(f"{name} must hold class numbers 0 to {classes - 1}, found {bad:g}")
    return arr.astype(np.int64)


def _validation_data(value):
    if value is None:
        return None
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"validation_data must be a pair (images, labels) or None, got {type(value).__name__}")
    images = _digits(value[0], "validation_data[0]")
    return images, _labels(value[1], "validation_data[1]", len(images))


def _callbacks(value) -> list:
    if value is None:
        return []
    keras = _keras()
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    for item in items:
        if not isinstance(item, keras.callbacks.Callback):
            raise TypeError(f"callbacks must be Keras callbacks (such as LiveCurves()), got {type(item).__name__}")
    return items


# ---------------------------------------------------------------- shifting digits


def shift(images, dx, dy) -> np.ndarray:
    """Move images ``dx`` pixels right and ``dy`` pixels down; pixels moved in from outside are 0.

    Unlike ``np.roll`` nothing wraps around: what leaves one edge is gone.

    Parameters
    ----------
    images : (H, W) or (N, H, W) array_like
    dx, dy : int
        Negative values move left and up.

    Returns
    -------
    ndarray
        Same shape and dtype as ``images``; a new array.

    Examples
    --------
    >>> shift(np.arange(1, 5).reshape(1, 4), 1, 0)
    array([[0, 1, 2, 3]])
    """
    arr = v.array(images, "images", (2, 3))
    dx = _whole(dx, "dx")
    dy = _whole(dy, "dy")
    height, width = arr.shape[-2:]
    out = np.zeros_like(arr)
    if abs(dx) >= width or abs(dy) >= height:
        return out
    rows_to, rows_from = _span(dy, height)
    cols_to, cols_from = _span(dx, width)
    out[..., rows_to, cols_to] = arr[..., rows_from, cols_from]
    return out


def _whole(value, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int (pixels), got {type(value).__name__} {value!r}")
    return int(value)


def _span(offset: int, size: int) -> tuple[slice, slice]:
    """Destination and source slices that move a length-``size`` axis by ``offset``."""
    if offset >= 0:
        return slice(offset, size), slice(0, size - offset)
    return slice(0, size + offset), slice(-offset, size)


def augment_with_shifts(images, labels, copies, max_shift, seed=0):
    """The originals plus ``copies`` randomly shifted copies of every image.

    Each copy of each image moves by its own ``(dx, dy)``, both drawn uniformly
    from ``-max_shift .. max_shift`` (zero fill, see :func:`shift`).

    Parameters
    ----------
    images : (N, H, W) array_like
    labels : (N,) array_like
    copies, max_shift : int
    seed : int

    Returns
    -------
    images : ((copies + 1) * N, H, W) ndarray
        The originals first, then each round of copies.
    labels : ((copies + 1) * N,) ndarray

    Examples
    --------
    >>> x, y = augment_with_shifts(np.ones((4, 28, 28), np.uint8), np.arange(4), copies=2, max_shift=3)
    >>> x.shape, y.tolist()
    ((12, 28, 28), [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3])
    """
    arr = v.array(images, "images", (3,))
    lab = v.array(labels, "labels", (1,))
    if len(lab) != len(arr):
        raise ValueError(f"labels must have one entry per image ({len(arr)}), got {len(lab)}")
    copies = v.nonnegative_int(copies, "copies")
    max_shift = v.nonnegative_int(max_shift, "max_shift")
    if max_shift >= min(arr.shape[1:]):
        raise ValueError(f"max_shift must be smaller than the images ({arr.shape[1]}x{arr.shape[2]}), "
                         f"got {max_shift}")
    rng = np.random.default_rng(v.nonnegative_int(seed, "seed"))
    rounds = [arr]
    for _ in range(copies):
        offsets = rng.integers(-max_shift, max_shift + 1, size=(len(arr), 2))
        rounds.append(_shift_each(arr, offsets))
    return np.concatenate(rounds), np.tile(lab, copies + 1)


def _shift_each(images: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Shift image ``i`` by ``offsets[i] = (dx, dy)``; one vectorised shift per distinct offset."""
    out = np.empty_like(images)
    pairs, which = np.unique(offsets, axis=0, return_inverse=True)
    for k, (dx, dy) in enumerate(pairs):
        members = np.flatnonzero(which.ravel() == k)
        out[members] = shift(images[members], int(dx), int(dy))
    return out


# ---------------------------------------------------------------- models and training


def build_model(name="course"):
    """The untrained network of a recipe; it takes uint8 digits ``(N, 28, 28)``.

    The first two layers turn the digits into what convolutions take:
    ``to_channels`` adds the channel axis ``(N, 28, 28, 1)`` and ``rescale``
    divides by 255. Then, for ``"classic"``: ``conv``, ``pool``, ``flatten``,
    ``dense``; for ``"course"``: ``conv1``, ``pool1``, ``conv2``, ``pool2``,
    ``conv3``, ``flatten``, ``dense``. Weights come from Keras' global seed
    (see :func:`train`).

    Parameters
    ----------
    name : {"classic", "course"}

    Returns
    -------
    keras.Sequential
        Built, not compiled.

    Examples
    --------
    >>> build_model("course").count_params()      # doctest: +SKIP
    11018
    """
    recipe_settings(name)
    keras = _keras()
    layers = keras.layers

    def conv(filters, label, padding="valid"):
        return layers.Conv2D(filters, 3, padding=padding, activation="relu", name=label)

    if name == "classic":
        body = [conv(32, "conv"), layers.MaxPooling2D(2, name="pool"), layers.Flatten(name="flatten")]
    else:
        # Three small convolutions, each seeing a wider patch of the digit than the one before.
        # "same" padding in the first keeps strokes that touch the border of a shifted digit;
        # the last one's 4x4 maps still say roughly where things are, in only 512 numbers.
        body = [conv(8, "conv1", "same"), layers.MaxPooling2D(2, name="pool1"),
                conv(16, "conv2"), layers.MaxPooling2D(2, name="pool2"),
                conv(32, "conv3"), layers.Flatten(name="flatten")]
    return keras.Sequential([
        keras.Input(DIGIT_SHAPE, dtype="uint8", name="digits"),
        layers.Reshape((*DIGIT_SHAPE, 1), name="to_channels"),
        layers.Rescaling(1 / 255, name="rescale"),
        *body,
        layers.Dense(N_CLASSES, activation="softmax", name="dense"),
    ], name=f"{name}_digits")


def _compile(model, settings: Recipe, steps: int) -> None:
    keras = _keras()
    rate = settings.learning_rate
    if settings.cosine_decay:
        rate = keras.optimizers.schedules.CosineDecay(rate, decay_steps=steps, alpha=0.02)
    if settings.label_smoothing:
        loss = keras.losses.CategoricalCrossentropy(label_smoothing=settings.label_smoothing)
        metric = keras.metrics.CategoricalAccuracy(name="accuracy")
    else:
        loss = keras.losses.SparseCategoricalCrossentropy()
        metric = keras.metrics.SparseCategoricalAccuracy(name="accuracy")
    model.compile(optimizer=keras.optimizers.Adam(rate), loss=loss, metrics=[metric])


def _targets(labels: np.ndarray, settings: Recipe) -> np.ndarray:
    """Integer labels, or one-hot rows when the loss smooths them."""
    if settings.label_smoothing:
        return np.eye(N_CLASSES, dtype=np.float32)[labels]
    return labels


def train(recipe, x_train, y_train, seed=0, *, validation_data=None, epochs=None, callbacks=None,
          verbose=0):
    """Build and fit the network of a recipe on digits; the same seed gives the same weights.

    Parameters
    ----------
    recipe : {"classic", "course"}
        See :data:`RECIPES` and :func:`recipe_settings` for what each one sets.
    x_train : (N, 28, 28) uint8 array_like
        Training digits as :func:`cnnlab.datasets.load_mnist` gives them
        (at most 100,000).
    y_train : (N,) array_like of int
        Their classes, 0 to 9.
    seed : int
        Seeds the weights, the shifted copies and the shuffling.
    validation_data : (images, labels), optional
        Digits held out *from the training digits* (never the test digits), scored
        after every epoch as ``val_loss`` and ``val_accuracy``.
    epochs : int, optional
        Overrides the recipe's number of epochs (at most 1,000).
    callbacks : list of keras.callbacks.Callback, optional
        For example ``[LiveCurves()]``.
    verbose : {0, 1, 2}
        Keras' progress output; 0 (the default) prints nothing.

    Returns
    -------
    model : keras.Sequential
        Trained; ``model.predict`` takes uint8 ``(N, 28, 28)`` digits and gives
        ``(N, 10)`` probabilities. ``model.history.history`` holds the curves.
    fit_seconds : float
        Wall time spent making the shifted copies (course recipe) and in
        ``model.fit``, callbacks such as :func:`LiveCurves` included; building the
        network is not counted.

    Notes
    -----
    ``keras.utils.set_random_seed(seed)`` is called first, which also seeds
    Python's and NumPy's global random generators. On CPU that is enough for
    the same weights on every run (tested); no slower deterministic mode is set.

    Examples
    --------
    >>> model, seconds = train("classic", x_train, y_train, seed=1)      # doctest: +SKIP

    Introduced in lesson 07.
    """
    settings = recipe_settings(recipe)
    images = _digits(x_train, "x_train")
    if len(images) > MAX_TRAINING_DIGITS:
        raise ValueError(f"x_train must hold at most {MAX_TRAINING_DIGITS:,} digits, got {len(images):,}")
    labels = _labels(y_train, "y_train", len(images))
    seed = v.nonnegative_int(seed, "seed")
    validation = _validation_data(validation_data)
    if epochs is not None:
        epochs = v.positive_int(epochs, "epochs")
        if epochs > MAX_EPOCHS:
            raise ValueError(f"epochs must be at most {MAX_EPOCHS}, got {epochs}")
        settings = dataclasses.replace(settings, epochs=epochs)
    extra = _callbacks(callbacks)
    if verbose not in (0, 1, 2) or isinstance(verbose, bool):
        raise ValueError(f"verbose must be 0, 1 or 2, got {verbose!r}")

    keras = _keras()
    keras.utils.set_random_seed(seed)
    model = build_model(settings.name)
    start = time.perf_counter()
    if settings.shifted_copies:
        images, labels = augment_with_shifts(images, labels, settings.shifted_copies, settings.max_shift, seed)
    steps = settings.epochs * -(-len(images) // settings.batch_size)
    _compile(model, settings, steps)
    if validation is not None:
        validation = (validation[0], _targets(validation[1], settings))
    model.fit(images, _targets(labels, settings), batch_size=settings.batch_size, epochs=settings.epochs,
              validation_data=validation, callbacks=extra, shuffle=True, verbose=verbose)
    return model, time.perf_counter() - start


# ---------------------------------------------------------------- evaluation


def _model(model):
    if not callable(getattr(model, "predict", None)):
        raise TypeError(f"model must be a trained Keras model (with predict), got {type(model).__name__}")
    return model


def predict_classes(model, images) -> np.ndarray:
    """The class each digit is given: the index of its highest probability.

    Parameters
    ----------
    model : keras.Model
        From :func:`train` or :func:`load_digits_model`.
    images : (N, 28, 28) uint8 array_like

    Returns
    -------
    (N,) int64 ndarray
    """
    digits = _digits(images, "images")
    return _model(model).predict(digits, batch_size=500, verbose=0).argmax(axis=1).astype(np.int64)


def accuracy(model, images, labels) -> float:
    """Fraction of ``images`` whose predicted class equals ``labels``.

    Parameters
    ----------
    model : keras.Model
    images : (N, 28, 28) uint8 array_like
    labels : (N,) array_like of int

    Returns
    -------
    float
        Between 0 and 1.
    """
    digits = _digits(images, "images")
    truth = _labels(labels, "labels", len(digits))
    return float(np.mean(predict_classes(model, digits) == truth))


def shifted_accuracies(model, images, labels) -> dict[str, float]:
    """Accuracy on the digits moved 3 pixels in each of :data:`SHIFT_DIRECTIONS`.

    Returns
    -------
    dict of str -> float
        ``{"right": ..., "left": ..., "down": ..., "up": ...}``.
    """
    digits = _digits(images, "images")
    truth = _labels(labels, "labels", len(digits))
    return {direction: accuracy(model, shift(digits, dx, dy), truth)
            for direction, (dx, dy) in SHIFT_DIRECTIONS.items()}


def shifted_accuracy(model, images, labels) -> float:
    """The shifted-digits test: mean accuracy over the digits moved 3 pixels right, left, down and up.

    Pixels moved in from outside the image are black (zero fill, see :func:`shift`).

    Returns
    -------
    float
        Between 0 and 1.
    """
    return float(np.mean(list(shifted_accuracies(model, images, labels).values())))


def _label_pair(labels, predicted, classes) -> tuple[np.ndarray, np.ndarray, int]:
    classes = v.positive_int(classes, "classes")
    truth = _labels(labels, "labels", len(v.array(labels, "labels", (1,))), classes)
    guess = _labels(predicted, "predicted", len(truth), classes)
    return truth, guess, classes


def confusion_matrix(labels, predicted, classes=N_CLASSES) -> np.ndarray:
    """Count how often each true class was read as each class.

    Parameters
    ----------
    labels, predicted : (N,) array_like of int
        True and predicted classes.
    classes : int

    Returns
    -------
    (classes, classes) int64 ndarray
        Row ``i``, column ``j``: how many digits of class ``i`` were read as ``j``;
        the diagonal holds the right answers.

    Examples
    --------
    >>> confusion_matrix([0, 1, 1], [0, 1, 0], classes=2)
    array([[1, 0],
           [1, 1]])
    """
    truth, guess, classes = _label_pair(labels, predicted, classes)
    return np.bincount(truth * classes + guess, minlength=classes * classes).reshape(classes, classes)


def per_class_accuracy(labels, predicted, classes=N_CLASSES) -> np.ndarray:
    """Accuracy for each true class (NaN for a class that does not occur).

    Returns
    -------
    (classes,) float64 ndarray

    Examples
    --------
    >>> per_class_accuracy([0, 1, 1], [0, 1, 0], classes=2)
    array([1. , 0.5])
    """
    matrix = confusion_matrix(labels, predicted, classes)
    totals = matrix.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(matrix) / totals, np.nan)


def most_confidently_wrong(probabilities, labels, count=8) -> np.ndarray:
    """Indices of the wrong answers given with the highest probability, most confident first.

    Parameters
    ----------
    probabilities : (N, classes) array_like
        ``model.predict`` output.
    labels : (N,) array_like of int
    count : int
        At most this many indices (fewer if there are fewer mistakes).

    Returns
    -------
    (k,) int64 ndarray

    Examples
    --------
    >>> most_confidently_wrong([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]], [1, 1, 1], count=5)
    array([0, 2])
    """
    probs = v.array(probabilities, "probabilities", (2,))
    truth = _labels(labels, "labels", len(probs), probs.shape[1])
    count = v.positive_int(count, "count")
    guess = probs.argmax(axis=1)
    wrong = np.flatnonzero(guess != truth)
    order = np.argsort(-probs[wrong, guess[wrong]], kind="stable")
    return wrong[order][:count].astype(np.int64)


def feature_maps(model, digit) -> dict[str, np.ndarray]:
    """What every convolution and pooling layer of ``model`` makes of one digit.

    Parameters
    ----------
    model : keras.Model
        From :func:`train`, :func:`build_model` or :func:`load_digits_model`.
    digit : (28, 28) uint8 array_like

    Returns
    -------
    dict of str -> (H, W, C) float32 ndarray
        Layer name to its output, in the order of the layers, for example
        ``{"conv1": (28, 28, 8), "pool1": (14, 14, 8), "conv2": (12, 12, 16), ...}``
        for the course recipe.

    Introduced in lesson 07.
    """
    keras = _keras()
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a Keras model, got {type(model).__name__}")
    image = _digits(np.asarray(digit)[None] if np.ndim(digit) == 2 else digit, "digit")
    if len(image) != 1:
        raise ValueError(f"digit must be one (28, 28) digit, got shape {np.shape(digit)}")
    spatial = [layer for layer in model.layers
               if isinstance(layer, (keras.layers.Conv2D, keras.layers.MaxPooling2D,
                                     keras.layers.AveragePooling2D))]
    if not spatial:
        raise ValueError("model must have at least one convolution or pooling layer")
    probe = keras.Model(model.inputs[0], [layer.output for layer in spatial])
    outputs = probe(image, training=False)
    return {layer.name: np.asarray(out)[0] for layer, out in zip(spatial, outputs)}


# ---------------------------------------------------------------- live curves


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def LiveCurves(updates_per_epoch=2, size=(9.0, 3.2)):
    """A Keras callback that draws loss and accuracy, training and validation, in one live figure.

    In a notebook the figure appears when training starts and is redrawn in
    place (a few times per epoch), so there is no wall of progress lines. In
    plain Python it draws nothing while training; ``curves.figure`` then holds
    the finished figure.

    Parameters
    ----------
    updates_per_epoch : int
        How often per epoch the training curves are redrawn; validation scores
        are added at the end of each epoch.
    size : (width, height)
        Figure size in inches.

    Returns
    -------
    keras.callbacks.Callback
        Pass it to :func:`train` as ``callbacks=[curves]``. ``curves.points`` holds
        what was drawn: ``{"loss": [(epoch, value), ...], "accuracy": ..., "val_loss": ...,
        "val_accuracy": ...}`` with fractional epochs for the training curves.

    Examples
    --------
    >>> curves = LiveCurves()                                               # doctest: +SKIP
    >>> model, seconds = train("course", x_part, y_part, validation_data=(x_val, y_val),
    ...                        callbacks=[curves])                          # doctest: +SKIP
    """
    updates_per_epoch = v.positive_int(updates_per_epoch, "updates_per_epoch")
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        raise ValueError(f"size must be (width, height) in inches, got {size!r}")
    width, height = (v.finite_number(s, f"size[{i}]") for i, s in enumerate(size))
    if not (0 < width <= 30 and 0 < height <= 30):
        raise ValueError(f"size must be between 0 and 30 inches each way, got {size!r}")
    keras = _keras()
    return _live_curves_class(keras)(updates_per_epoch, (width, height))


def _live_curves_class(keras):
    class _LiveCurves(keras.callbacks.Callback):
        def __init__(self, updates_per_epoch, size):
            super().__init__()
            self.updates_per_epoch = updates_per_epoch
            self.size = size
            self.points = {}
            self.figure = None
            self._lines = {}
            self._handle = None

        def on_train_begin(self, logs=None):
            self.points = {key: [] for key in CURVE_KEYS}
            self._epoch = 0
            self._steps = self.params.get("steps") or 1
            self._every = max(1, self._steps // self.updates_per_epoch)
            self.figure, self._lines = _curves_figure(self.size, self.params.get("epochs") or 1)
            self._handle = None
            self._draw()

        def on_epoch_begin(self, epoch, logs=None):
            self._epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            if (batch + 1) % self._every == 0 and batch + 1 < self._steps:
                self._add(self._epoch + (batch + 1) / self._steps, logs, ("loss", "accuracy"))
                self._draw()

        def on_epoch_end(self, epoch, logs=None):
            self._add(epoch + 1, logs, CURVE_KEYS)
            self._draw()

        def _add(self, x, logs, keys):
            for key in keys:
                if logs and key in logs:
                    self.points[key].append((float(x), float(logs[key])))

        def _draw(self):
            _update_curves(self.figure, self._lines, self.points)
            if not _in_notebook():
                return
            from IPython.display import Image, display

            image = Image(data=_png(self.figure))
            if self._handle is None:
                self._handle = display(image, display_id=True)
            else:
                self._handle.update(image)

        def __repr__(self):
            return f"LiveCurves(updates_per_epoch={self.updates_per_epoch})"

    return _LiveCurves


CURVE_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy")


def _curves_figure(size, epochs: int):
    """One figure, two panels (loss, accuracy), an empty training and validation line in each."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=size)
    lines = {}
    for axes, metric in zip(figure.subplots(1, 2), ("loss", "accuracy")):
        (lines[metric],) = axes.plot([], [], "-", label="training")
        (lines[f"val_{metric}"],) = axes.plot([], [], "o--", label="validation")
        axes.set_xlim(0, epochs)
        axes.set_xlabel("epoch")
        axes.set_title(metric)
        axes.grid(alpha=0.3)
        axes.legend(loc="best")
    figure.tight_layout()
    return figure, lines


def _update_curves(figure, lines: dict, points: dict) -> None:
    for key, line in lines.items():
        if points.get(key):
            line.set_data(*zip(*points[key]))
    for axes in figure.axes:
        axes.relim()
        axes.autoscale_view(scalex=False)


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


# ---------------------------------------------------------------- the shipped model


def digits_model_path() -> Path:
    """Where the digits model shipped with cnnlab lives (``cnnlab/data/digits.keras``)."""
    return Path(__file__).resolve().parents[1] / "data" / "digits.keras"


def load_digits_model():
    """The small digits model shipped inside cnnlab, trained with the course recipe.

    It was trained by ``scripts/train_digits_model.py`` on the 4,000 offline
    training digits only, and scores at least 97 % on the 1,000 offline test
    digits. Loaded with Keras' safe mode on (no code inside the file is run).

    Returns
    -------
    keras.Sequential
        Takes uint8 digits ``(N, 28, 28)``, gives ``(N, 10)`` probabilities; the
        layers are those of ``build_model("course")``.

    Introduced in lesson 07.
    """
    path = digits_model_path()
    if not path.is_file():
        raise FileNotFoundError(f"the shipped digits model is missing at {path}; "
                                f"run scripts/train_digits_model.py to make it")
    keras = _keras()
    return keras.saving.load_model(path, compile=False, safe_mode=True)
