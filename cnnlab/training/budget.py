"""Fitting epoch after epoch within a time budget, the way lessons 08 and 09 train in seconds."""

from __future__ import annotations

import time

from .. import _validate as v

__all__ = ["fit_within"]


def fit_within(model, x, y, *, seconds, batch_size, max_epochs=None) -> dict:
    """Fit ``model`` (compiled) one epoch at a time while one more epoch fits in ``seconds``.

    Parameters
    ----------
    model : keras.Model
        Compiled.
    x, y : ndarray
        Inputs and targets, as ``model.fit`` takes them.
    seconds : float
        Time budget: epochs run while one more (as long as the last) still fits;
        the first epoch always runs.
    batch_size : int
    max_epochs : int, optional
        Stop after this many epochs even if time is left: with a generous
        ``seconds`` the result is the same on a fast or a busy computer.

    Returns
    -------
    dict
        ``{"seconds": fit time, "epochs": epochs run, "loss": [per epoch]}``.

    Introduced in lesson 08.
    """
    seconds = v.finite_number(seconds, "seconds")
    if seconds <= 0:
        raise ValueError(f"seconds must be positive, got {seconds}")
    batch_size = v.positive_int(batch_size, "batch_size")
    max_epochs = None if max_epochs is None else v.positive_int(max_epochs, "max_epochs")
    losses, start, last = [], time.perf_counter(), 0.0
    while (not losses or time.perf_counter() - start + last <= seconds) and \
            (max_epochs is None or len(losses) < max_epochs):
        began = time.perf_counter()
        history = model.fit(x, y, epochs=1, batch_size=batch_size, verbose=0)
        last = time.perf_counter() - began
        losses.append(float(history.history["loss"][-1]))
    return {"seconds": time.perf_counter() - start, "epochs": len(losses), "loss": losses}
