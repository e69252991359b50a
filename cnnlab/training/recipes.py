"""The recipes that train a digits classifier, and the networks they build.

* ``"classic"``: the one-block beginner's network of many Keras tutorials (Conv2D 32
  3x3 ReLU, MaxPooling 2x2, Flatten, Dense 10 softmax; Adam, sparse categorical
  cross-entropy, batch 32, 5 epochs). The name is kept for compatibility; it is
  *not* keras.io's "Simple MNIST convnet", which is :data:`KERAS_IO_CONVNET`.
* ``"course"``: ours. Shifted copies of the training digits made once in NumPy
  (:func:`~cnnlab.training.augment_with_shifts`), a smaller network with three
  convolutions, batches of 128 with a higher learning rate that decays along a
  cosine, label smoothing, 3 epochs.
* :data:`KERAS_IO_CONVNET`: keras.io's "Simple MNIST convnet" (two convolutions of
  32 and 64, dropout 0.5, batch 128, 15 epochs), for the benchmark.
* :func:`ablation`: the classic recipe, then each change of the course recipe added
  in turn, for the benchmark's ablation table.

A :class:`Recipe` can be passed to :func:`train` and :func:`build_model` wherever a
name can, so a variant is ``dataclasses.replace(recipe_settings("classic"), dropout=0.5)``.
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

__all__ = ["KERAS_IO_CONVNET", "MAX_EPOCHS", "MAX_TRAINING_DIGITS", "NETWORKS", "RECIPES", "Recipe", "ablation",
           "build_model", "recipe_settings", "train"]

MAX_TRAINING_DIGITS = 100_000  # full MNIST has 60,000; the course recipe triples what it gets
MAX_EPOCHS = 1000
#: The networks a recipe can build (see :func:`build_model`).
NETWORKS = ("classic", "course", "simple_convnet")


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
    network : str
        Which network :func:`build_model` builds, one of :data:`NETWORKS`; empty means
        the one named like the recipe.
    dropout : float
        Rate of a ``Dropout`` layer between ``Flatten`` and the dense layer (0 = no layer).
    weight_decay : float
        Adam's weight decay: every step also shrinks each weight by
        ``learning_rate * weight_decay`` times itself (0 = none).
    """

    name: str
    batch_size: int
    epochs: int
    learning_rate: float
    cosine_decay: bool = False
    label_smoothing: float = 0.0
    shifted_copies: int = 0
    max_shift: int = 0
    network: str = ""
    dropout: float = 0.0
    weight_decay: float = 0.0

    def __post_init__(self):
        network = self.network or self.name
        if network not in NETWORKS:
            raise ValueError(f"network must be one of {', '.join(map(repr, NETWORKS))}, got {network!r}")
        object.__setattr__(self, "network", network)
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be a rate in [0, 1), got {self.dropout!r}")
        if not self.weight_decay >= 0:
            raise ValueError(f"weight_decay must be 0 or more, got {self.weight_decay!r}")


RECIPES = {
    "classic": Recipe("classic", batch_size=32, epochs=5, learning_rate=1e-3),
    "course": Recipe("course", batch_size=128, epochs=3, learning_rate=0.012, cosine_decay=True,
                     label_smoothing=0.1, shifted_copies=2, max_shift=3),
}

#: keras.io's "Simple MNIST convnet": Conv2D 32 3x3, pool, Conv2D 64 3x3, pool, Flatten,
#: Dropout 0.5, Dense 10 softmax; Adam (its default rate 0.001), batch 128, 15 epochs.
KERAS_IO_CONVNET = Recipe("simple_convnet", batch_size=128, epochs=15, learning_rate=1e-3, dropout=0.5)


def ablation() -> list[tuple[str, Recipe]]:
    """The classic recipe, then each change of the course recipe added in turn.

    Returns
    -------
    list of (str, Recipe)
        Seven steps: what the step adds, and the recipe so far. The first is
        ``RECIPES["classic"]``; the last has every setting of ``RECIPES["course"]``.

    Examples
    --------
    >>> [what for what, _ in ablation()][:2]
    ['classic', '+ 2 shifted copies of each digit']
    """
    steps = [("classic", RECIPES["classic"])]
    changes = [
        ("+ 2 shifted copies of each digit", {"shifted_copies": 2, "max_shift": 3}),
        ("+ 3 epochs instead of 5", {"epochs": 3}),
        ("+ three small convolutions", {"network": "course"}),
        ("+ batches of 128, learning rate 0.012", {"batch_size": 128, "learning_rate": 0.012}),
        ("+ cosine decay of the rate", {"cosine_decay": True}),
        ("+ label smoothing 0.1 (= course)", {"label_smoothing": 0.1}),
    ]
    for number, (what, change) in enumerate(changes, start=1):
        steps.append((what, dataclasses.replace(steps[-1][1], name=f"step{number}", **change)))
    return steps


# ---------------------------------------------------------------- input checks


def recipe_settings(name) -> Recipe:
    """Return the settings of the recipe called ``name`` (``"classic"`` or ``"course"``).

    A :class:`Recipe` is returned as it is.

    Examples
    --------
    >>> recipe_settings("course").batch_size
    128
    """
    if isinstance(name, Recipe):
        return name
    if not isinstance(name, str):
        raise TypeError(f"recipe must be a string, one of {', '.join(map(repr, RECIPES))}, or a Recipe; "
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
    ``conv3``, ``flatten``, ``dense``; for ``"simple_convnet"`` (keras.io's):
    ``conv1`` (32), ``pool1``, ``conv2`` (64), ``pool2``, ``flatten``, ``dense``.
    A recipe with ``dropout`` puts a ``dropout`` layer before ``dense``.
    Weights come from Keras' global seed (see :func:`train`).

    Parameters
    ----------
    name : {"classic", "course"} or Recipe

    Returns
    -------
    keras.Sequential
        Built, not compiled.

    Examples
    --------
    >>> build_model("course").count_params()      # doctest: +SKIP
    11018
    """
    settings = recipe_settings(name)
    keras = _common.keras()
    layers = keras.layers

    def conv(filters, label, padding="valid"):
        return layers.Conv2D(filters, 3, padding=padding, activation="relu", name=label)

    if settings.network == "classic":
        body = [conv(32, "conv"), layers.MaxPooling2D(2, name="pool"), layers.Flatten(name="flatten")]
    elif settings.network == "simple_convnet":
        body = [conv(32, "conv1"), layers.MaxPooling2D(2, name="pool1"),
                conv(64, "conv2"), layers.MaxPooling2D(2, name="pool2"), layers.Flatten(name="flatten")]
    else:
        # Three small convolutions, each seeing a wider patch of the digit than the one before.
        # "same" padding in the first keeps strokes that touch the border of a shifted digit;
        # the last one's 4x4 maps still say roughly where things are, in only 512 numbers.
        body = [conv(8, "conv1", "same"), layers.MaxPooling2D(2, name="pool1"),
                conv(16, "conv2"), layers.MaxPooling2D(2, name="pool2"),
                conv(32, "conv3"), layers.Flatten(name="flatten")]
    if settings.dropout:
        body.append(layers.Dropout(settings.dropout, name="dropout"))
    return keras.Sequential([
        keras.Input(DIGIT_SHAPE, dtype="uint8", name="digits"),
        layers.Reshape((*DIGIT_SHAPE, 1), name="to_channels"),
        layers.Rescaling(1 / 255, name="rescale"),
        *body,
        layers.Dense(N_CLASSES, activation="softmax", name="dense"),
    ], name=f"{settings.name}_digits")


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
    optimizer = keras.optimizers.Adam(rate, weight_decay=settings.weight_decay or None)
    model.compile(optimizer=optimizer, loss=loss, metrics=[metric])


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
    recipe : {"classic", "course"} or Recipe
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

    Introduced in lesson 07b.
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
    model = build_model(settings)
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
