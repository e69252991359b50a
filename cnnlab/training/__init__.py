"""Training digits classifiers: two recipes, live curves, evaluation, the shifted-digits test.

Two recipes train a CNN on 28x28 digits:

* ``"classic"``: the one-block beginner's network of many Keras tutorials (Conv2D
  32 3x3 ReLU, MaxPooling 2x2, Flatten, Dense 10 softmax; Adam, sparse categorical
  cross-entropy, batch 32, 5 epochs). Not keras.io's "Simple MNIST convnet", which
  is :data:`KERAS_IO_CONVNET` (two convolutions, dropout, 15 epochs).
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

The package is split by topic, and every name below is importable from
``cnnlab.training`` directly:

* :mod:`~cnnlab.training.recipes`: :class:`Recipe`, :data:`RECIPES`, :data:`NETWORKS`,
  :data:`KERAS_IO_CONVNET`, :func:`ablation`, :func:`recipe_settings`, :func:`build_model`,
  :func:`train`;
* :mod:`~cnnlab.training.augment`: :func:`shift`, :func:`augment_with_shifts`;
* :mod:`~cnnlab.training.evaluate`: :func:`predict_classes`, :func:`accuracy`,
  :data:`SHIFT_DIRECTIONS`, :func:`shifted_accuracies`, :func:`shifted_accuracy`,
  :func:`confusion_matrix`, :func:`per_class_accuracy`,
  :func:`most_confidently_wrong`, :func:`feature_maps`;
* :mod:`~cnnlab.training.reader`: :class:`DigitReader`, a model's probabilities and first maps of a
  digit in one pass, for reading many drawings quickly (the draw widget);
* :mod:`~cnnlab.training.curves`: :func:`LiveCurves`, :func:`EpochEndAccuracy`;
* :mod:`~cnnlab.training.shipped`: :func:`digits_model_path`, :func:`load_digits_model`,
  :func:`save_weights`, :func:`load_weights`.

Introduced in lessons 07 and 07b.
"""

from ._common import DIGIT_SHAPE
from ._common import N_CLASSES as N_CLASSES
from .augment import augment_with_shifts, shift
from .curves import CURVE_KEYS as CURVE_KEYS
from .curves import EpochEndAccuracy, LiveCurves
from .evaluate import (
    SHIFT_DIRECTIONS,
    accuracy,
    confusion_matrix,
    feature_maps,
    most_confidently_wrong,
    per_class_accuracy,
    predict_classes,
    shifted_accuracies,
    shifted_accuracy,
)
from .reader import DigitReader, shipped_model, shipped_model_loaded, warm_reader
from .recipes import (
    KERAS_IO_CONVNET,
    NETWORKS,
    RECIPES,
    Recipe,
    ablation,
    build_model,
    recipe_settings,
    train,
)
from .recipes import MAX_EPOCHS as MAX_EPOCHS
from .recipes import MAX_TRAINING_DIGITS as MAX_TRAINING_DIGITS
from .shipped import MAX_WEIGHTS_BYTES as MAX_WEIGHTS_BYTES
from .shipped import digits_model_path, load_digits_model, load_weights, save_weights

__all__ = [
    "DIGIT_SHAPE",
    "KERAS_IO_CONVNET",
    "NETWORKS",
    "RECIPES",
    "SHIFT_DIRECTIONS",
    "DigitReader",
    "EpochEndAccuracy",
    "LiveCurves",
    "Recipe",
    "ablation",
    "accuracy",
    "augment_with_shifts",
    "build_model",
    "confusion_matrix",
    "digits_model_path",
    "feature_maps",
    "load_digits_model",
    "load_weights",
    "most_confidently_wrong",
    "per_class_accuracy",
    "predict_classes",
    "recipe_settings",
    "save_weights",
    "shift",
    "shifted_accuracies",
    "shifted_accuracy",
    "shipped_model",
    "shipped_model_loaded",
    "train",
    "warm_reader",
]
