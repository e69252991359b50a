"""One pure function per widget kind: validated arguments in, an immutable scene out.

A scene (a frozen dataclass with read-only arrays) holds the numbers
:mod:`cnnlab.ops` computed, the geometry of every step and the labels. The
widget classes publish it (``scene.wire()`` arrays, ``scene.meta()``), the
renderer :mod:`cnnlab.widgets._frames` draws it, and nothing reads it back from
``meta``.

Examples
--------
>>> from cnnlab import kernels
>>> from cnnlab.widgets._inputs import load_image
>>> scene = convolution_scene(load_image("camera", 32), "sobel_x", kernels.get("sobel_x"), (2, 2),
...                           "same", "all")
>>> scene.grid, scene.window(scene.steps - 1)
((16, 16), (30, 30, 3, 3))
"""

from ._common import Scene, Source, style
from .activation import ActivationScene, activation_scene
from .convolution import ConvolutionScene, convolution_scene
from .flatten import FlattenScene, flatten_scene
from .iou import IoUScene, iou_scene
from .nms import NMSScene, nms_scene
from .pooling import PoolingScene, pooling_scene
from .receptive import ReceptiveScene, receptive_scene

__all__ = ["ActivationScene", "ConvolutionScene", "FlattenScene", "IoUScene", "NMSScene", "PoolingScene",
           "ReceptiveScene", "Scene",
           "Source", "activation_scene", "convolution_scene", "flatten_scene", "iou_scene", "nms_scene",
           "pooling_scene", "receptive_scene", "style"]
