"""Training progress as Keras callbacks: live curves, and the accuracy at the end of every epoch.

:func:`LiveCurves` redraws loss and accuracy in one figure while a model trains.
:func:`EpochEndAccuracy` scores given digits with the weights as they are at the end
of each epoch, unlike the training accuracy Keras reports, which is an average over
the epoch's steps while the weights were still improving.

Matplotlib and Keras are imported only when these functions are called.
"""

from __future__ import annotations

import io

import numpy as np

from .. import _validate as v
from . import _common

__all__ = ["CURVE_KEYS", "EpochEndAccuracy", "LiveCurves"]

#: What the curves show, in the names Keras gives them in its logs.
CURVE_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy")


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
    keras = _common.keras()
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


def EpochEndAccuracy(images, labels, batch_size=500):
    """A Keras callback that scores ``images`` with the weights as they are at the end of every epoch.

    Keras' own training ``accuracy`` is the running average over all the steps of an
    epoch, so it mixes the early, worse weights of the epoch with the late ones; its
    ``val_accuracy`` is measured once, at the epoch's end. Give this callback the
    training digits to see the training accuracy measured the way validation is.

    Parameters
    ----------
    images : (N, 28, 28) uint8 array_like
        Digits as :func:`cnnlab.datasets.load_mnist` gives them.
    labels : (N,) array_like of int
        Their classes, 0 to 9.
    batch_size : int
        Digits per ``predict`` batch.

    Returns
    -------
    keras.callbacks.Callback
        Pass it to :func:`train` as ``callbacks=[...]``. After training,
        ``callback.accuracy`` holds one float per epoch: the fraction of ``images``
        whose most probable class is the label, as :func:`accuracy` computes it.

    Examples
    --------
    >>> at_end = EpochEndAccuracy(x_fit, y_fit)                              # doctest: +SKIP
    >>> model, seconds = train("classic", x_fit, y_fit, callbacks=[at_end])  # doctest: +SKIP
    >>> at_end.accuracy                                                      # doctest: +SKIP
    [0.86, 0.91, 0.93, 0.94, 0.95]

    Introduced in lesson 07b.
    """
    digits = _common.digits(images, "images")
    classes = _common.labels(labels, "labels", len(digits))
    batch_size = v.positive_int(batch_size, "batch_size")
    keras = _common.keras()

    class _EpochEndAccuracy(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.accuracy = []

        def on_train_begin(self, logs=None):
            self.accuracy = []

        def on_epoch_end(self, epoch, logs=None):
            probabilities = self.model.predict(digits, batch_size=batch_size, verbose=0)
            self.accuracy.append(float(np.mean(probabilities.argmax(axis=1) == classes)))

        def __repr__(self):
            return f"EpochEndAccuracy({len(digits)} digits, {len(self.accuracy)} epochs scored)"

    return _EpochEndAccuracy()
