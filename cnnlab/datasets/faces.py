"""Faces and background patches: scikit-image's bundled ``lfw_subset``, no download."""

from __future__ import annotations

import numpy as np

__all__ = ["FACE_CLASSES", "load_faces"]

FACE_CLASSES = ("background", "face")
"""Class names of :func:`load_faces`: label 0 is a background patch, 1 a face."""


def load_faces():
    """Load 200 small grayscale patches: 100 faces and 100 background patches.

    The patches are scikit-image's bundled ``lfw_subset`` (Labeled Faces in
    the Wild, resized to 25 x 25); no download.

    Returns
    -------
    images : (200, 25, 25) ndarray of float32
        Grayscale values in ``[0, 1]``. The first 100 are faces.
    labels : (200,) ndarray of uint8
        1 for a face, 0 for a background patch; :data:`FACE_CLASSES` names them.

    Examples
    --------
    >>> images, labels = load_faces()
    >>> images.shape, images.dtype, int(labels.sum())
    ((200, 25, 25), dtype('float32'), 100)
    >>> from cnnlab.datasets import split
    >>> (x_train, y_train), (x_test, y_test) = split(images, labels, test_size=0.25)
    >>> x_test.shape
    (50, 25, 25)

    Introduced in lesson 08.
    """
    from skimage import data

    images = np.asarray(data.lfw_subset(), dtype=np.float32)
    labels = np.zeros(len(images), dtype=np.uint8)
    labels[:100] = 1
    return images, labels
