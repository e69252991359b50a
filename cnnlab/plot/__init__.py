"""Matplotlib pictures for the lessons, so a lesson cell stays one line long.

Every function draws one figure and returns the matplotlib ``Figure`` (in a
notebook, end the line with ``;`` so the figure is not shown twice). The
colours are the widgets' (:mod:`cnnlab._colors`), so a map looks the same in a
plot and in a widget:

* photos are drawn as they are (uint8 RGB, or gray from 0 black to 255 white);
* maps that hold negative numbers (kernels, feature maps before ReLU) use a
  red/blue scale centred on zero: **red is positive, blue is negative, white
  is zero**;
* maps with no negative numbers use a black-to-white scale from 0;
* on a large float map the strongest 2 % of the values get full colour, so a
  few extreme ones do not wash out the rest (:func:`cnnlab._colors.limits`).
* ``colorbar=True`` adds the scale; arrows at its ends say that the strongest
  values are clipped to it;
* ``keep_lines=True`` draws a map larger than its panel with the strongest
  value of each block of pixels, so edges one pixel thin stay visible;
* numbers written in cells never read ``-0``, and padding zeros are drawn in
  the widgets' light checkerboard, never like dark pixels.

Examples
--------
>>> import numpy as np
>>> from cnnlab import plot
>>> fig = plot.numbers(np.arange(9).reshape(3, 3), "a tiny image")
>>> len(fig.axes)
1
"""

from ._style import DIVERGING, GRAY, HIGHLIGHT, PALETTE
from .charts import contour_paths, curves, probabilities
from .pictures import before_after, feature_maps, grid, kernels, numbers, rgb_planes, show, zoom
from .steps import conv_step, flatten_order, forward_pass, windows

__all__ = [
    "DIVERGING",
    "GRAY",
    "HIGHLIGHT",
    "PALETTE",
    "before_after",
    "contour_paths",
    "conv_step",
    "curves",
    "feature_maps",
    "flatten_order",
    "forward_pass",
    "grid",
    "kernels",
    "numbers",
    "probabilities",
    "rgb_planes",
    "show",
    "windows",
    "zoom",
]
