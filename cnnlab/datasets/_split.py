"""A stratified, seeded train / test split that keeps every class's share."""

from __future__ import annotations

import numpy as np

from .. import _validate as v

__all__ = ["split"]


def _test_counts(counts: np.ndarray, n_test: int) -> np.ndarray:
    """Share ``n_test`` among classes in proportion to ``counts`` (largest remainder)."""
    exact = counts * (n_test / counts.sum())
    share = np.floor(exact).astype(int)
    order = np.argsort(-(exact - share), kind="stable")
    share[order[: n_test - share.sum()]] += 1
    return share


def _n_test(test_size, n: int) -> int:
    """Turn ``test_size`` (a fraction or a count) into a number of samples."""
    if isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool):
        count = v.positive_int(int(test_size), "test_size")
        if count >= n:
            raise ValueError(f"test_size must be smaller than the {n} samples, got {count}")
        return count
    frac = v.finite_number(test_size, "test_size")
    if not 0.0 < frac < 1.0:
        raise ValueError(f"test_size must be a fraction between 0 and 1 or a count, got {test_size}")
    return max(1, round(frac * n))


def _split_indices(labels: np.ndarray, n_test: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified, seeded ``(train_idx, test_idx)``, each shuffled."""
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(labels, return_counts=True)
    share = _test_counts(counts, n_test)
    train, test = [], []
    for cls, k in zip(classes, share):
        idx = rng.permutation(np.flatnonzero(labels == cls))
        test.append(idx[:k])
        train.append(idx[k:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def split(images, labels, test_size=0.2, seed=0):
    """Split images and labels into a training and a test set, stratified and seeded.

    Parameters
    ----------
    images : (N, ...) ndarray
        One image per row.
    labels : (N,) array_like of int
        Class of each image.
    test_size : float or int
        Fraction of the samples (between 0 and 1) or number of samples to hold
        out. Each class keeps its share, so a balanced set stays balanced.
    seed : int
        The same seed always gives the same split.

    Returns
    -------
    (x_train, y_train), (x_test, y_test) : tuple of tuple of ndarray
        The same layout as :func:`load_mnist`; both parts are shuffled.

    Examples
    --------
    >>> x = np.arange(20).reshape(10, 2)
    >>> y = np.array([0, 1] * 5)
    >>> (x_tr, y_tr), (x_te, y_te) = split(x, y, test_size=0.4)
    >>> x_tr.shape, x_te.shape, sorted(y_te.tolist())
    ((6, 2), (4, 2), [0, 0, 1, 1])
    """
    images = np.asarray(images)
    labels = v.array(labels, "labels", (1,))
    if images.ndim < 1 or len(images) != len(labels):
        raise ValueError(f"labels must have one entry per image: got {len(labels)} labels "
                         f"for images of shape {images.shape}")
    seed = v.nonnegative_int(seed, "seed")
    train, test = _split_indices(labels, _n_test(test_size, len(labels)), seed)
    return (images[train], labels[train]), (images[test], labels[test])
