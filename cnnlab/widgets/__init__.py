"""Animated widgets: convolution, ReLU, pooling, dilation and flattening on real data; boxes, IoU and NMS.

Each widget computes with :mod:`cnnlab.ops` in Python, sends the arrays once
as binary buffers, and animates in the browser (play, pause, step, scrub,
speed). Leave one last in a cell to show it; ``widget.to_png()`` and
:mod:`cnnlab.animate` give static pictures and GIFs.

How it is built, for each kind: the widget class checks its arguments once
(:mod:`._inputs`), a pure function of :mod:`.scenes` computes an immutable scene
from them with :mod:`cnnlab.ops`, the class publishes the scene (arrays via
:mod:`._serialize`, ``meta`` from ``scene.meta()``, the page protocol in
:mod:`._protocol`), and :mod:`._frames` draws the same scene as PNG or GIF frames.

Examples
--------
>>> from cnnlab.widgets import ConvolutionWidget, PoolingWidget
>>> conv = ConvolutionWidget("cat", "sobel_x")        # doctest: +SKIP
>>> conv                                              # doctest: +SKIP
>>> PoolingWidget(conv.output, size=2, mode="max")    # doctest: +SKIP

A trained Keras ``Conv2D`` layer is a kernel too, with a ``filter`` of it (TensorFlow is
never imported here unless such a layer is passed):

>>> ConvolutionWidget(digit, model.get_layer("conv"), filter=3)      # doctest: +SKIP
"""

from .activation import ActivationWidget
from .convolution import ConvolutionWidget
from .draw import DrawWidget
from .flatten import FlattenWidget
from .iou import IoUWidget
from .morphology import MorphologyWidget
from .nms import NMSWidget
from .pooling import PoolingWidget
from .receptive import ReceptiveFieldWidget

__all__ = ["ActivationWidget", "ConvolutionWidget", "DrawWidget", "FlattenWidget", "IoUWidget", "MorphologyWidget",
           "NMSWidget", "PoolingWidget", "ReceptiveFieldWidget"]
