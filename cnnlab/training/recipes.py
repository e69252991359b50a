"""The two recipes that train a digits classifier, and the networks they build.

* ``"classic"``: the classic Keras MNIST example exactly (Conv2D 32 3x3 ReLU,
  MaxPooling 2x2, Flatten, Dense 10 softmax; Adam, sparse categorical
  cross-entropy, batch 32, 5 epochs).
* ``"course"``: ours. Shifted copies of the training digits made once in NumPy
  (:func:`~cnnlab.training.augment_with_shifts`), a smaller network with three
  convolutions, batches of 128 with a higher learning rate that decays along a
  cosine, label smoothing, 3 epochs.
"""

from __future__ import annotations

import dataclasses
import difflib
import time

import numpy as np

from .. import _validate as v
from . import _common
from ._common import DIGIT_SHAPE, N_CLASSES
from .augment import augment_with_shifts

__all__ = ["MAX_EPOCHS", "MAX_TRAINING_DIGITS", "RECIPES", "Recipe", "build_model", "recipe_settings", "train"]

MAX_TRAINING_DIGITS = 100_000  # full MNIST has 60,000; the course recipe triples what it gets
MAX_EPOCHS = 1000


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


def _validation_data(value):
    if value is None:
        return None
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"validation_data must be a pair (images, labels) or None, got {type(value).__name__}")
    images = _common.digits(value[0], "validation_data[0]")
    return images, _common.labels(value[1], "validation_data[1]", len(images))


def _callbacks(value) -> list:
    if value is None:
        return []
    keras = _common.keras()
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    for item in items:
        if not isinstance(item, keras.callbacks.Callback):
            raise TypeError(f"callbacks must be Keras callbacks (such as LiveCurves()), got {type(item).__name__}")
    return items


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
    keras = _common.keras()
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
    keras = _common.keras()
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
    images = _common.digits(x_train, "x_train")
    if len(images) > MAX_TRAINING_DIGITS:
        raise ValueError(f"x_train must hold at most {MAX_TRAINING_DIGITS:,} digits, got {len(images):,}")
    labels = _common.labels(y_train, "y_train", len(images))
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

    keras = _common.keras()
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
