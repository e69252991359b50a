"""The one colour convention of cnnlab: widgets (browser, PNG, GIF) and :mod:`cnnlab.plot`.

``widgets/static/widget.js`` implements :func:`to_rgb` with the very same float64
arithmetic (``toRGB`` there), so a cell of a widget's output canvas, the same cell
of its :meth:`to_png` and the same value drawn by :func:`cnnlab.plot.show` have
identical colours. The browser receives the constants below in ``meta["style"]``.

* Signed maps (``vmin < 0``): diverging, negative blue, zero white, positive red.
  Negative values are scaled by ``vmin``, positive ones by ``vmax``.
* Non-negative maps (``vmin >= 0``): gray, ``vmin`` black and ``vmax`` white.
* Cells not computed yet: :data:`PENDING_RGB`, a pale green that neither map produces.

The limits come from :func:`limits`, in Python only; the browser receives them as plain
floats (``meta["vmin"]``, ``meta["vmax"]``) and never computes its own. For a real feature
map they are *robust*: a few very strong responses (the sharpest edges) would otherwise set
the scale and leave everything else pale, so the limit is the 98th percentile of the
magnitudes, rounded up to two significant digits; the strongest 2 % of the values are drawn
at full colour (clipped), and the widgets' legends say so (``≥ 820``).

Examples
--------
>>> to_rgb(0.0, -1.0, 1.0)
(255, 255, 255)
>>> to_rgb(1.0, -1.0, 1.0) == POSITIVE_RGB
True
>>> to_rgb(128.0, 0.0, 255.0)
(128, 128, 128)
"""

from __future__ import annotations

import numpy as np

__all__ = ["BACKGROUND_RGB", "GAP_RGB", "LABEL_RGB", "NEGATIVE_RGB", "PAD_RGB", "PENDING_RGB", "POSITIVE_RGB",
           "ROBUST_MIN_VALUES", "ROBUST_PERCENTILE", "WHITE_RGB", "WINDOW_RGB", "limits", "to_rgb", "to_rgb_array"]

#: colour of the most negative value of a signed map (dark blue)
NEGATIVE_RGB = (33, 102, 172)
#: colour of the most positive value of a signed map (dark red)
POSITIVE_RGB = (178, 24, 43)
#: colour of zero on a signed map
WHITE_RGB = (255, 255, 255)
#: output cells the animation has not reached yet (green > red and blue: no map makes it)
PENDING_RGB = (206, 232, 208)
#: outline of the current window
WINDOW_RGB = (255, 176, 0)
#: checkerboard drawn where padding zeros are
PAD_RGB = ((236, 236, 236), (214, 214, 214))
#: behind the panels of a static frame
BACKGROUND_RGB = (255, 255, 255)
#: between the tiles of the flatten widget's maps
GAP_RGB = (250, 236, 200)
#: the "channel k" labels above the flatten widget's tiles
LABEL_RGB = (70, 50, 0)
#: robust limits (see :func:`limits`) for float maps with at least this many values
ROBUST_MIN_VALUES = 400
#: percentile of the magnitudes that gets full colour on a large float map
ROBUST_PERCENTILE = 98.0


def to_rgb_array(values, vmin: float, vmax: float) -> np.ndarray:
    """Colours of many values at once: ``(..., 3)`` uint8, the definition of the mapping.

    Parameters
    ----------
    values : array_like of real numbers
    vmin, vmax : float
        Colour limits; ``vmin < 0`` selects the diverging map.

    Returns
    -------
    (..., 3) uint8 ndarray

    Examples
    --------
    >>> to_rgb_array([-2.0, 0.0, 2.0], -2.0, 2.0).tolist()
    [[33, 102, 172], [255, 255, 255], [178, 24, 43]]
    """
    x = np.asarray(values, dtype=np.float64)
    vmin, vmax = float(vmin), float(vmax)
    out = np.empty(x.shape + (3,), dtype=np.float64)
    if vmin < 0:
        with np.errstate(divide="ignore", invalid="ignore"):
            t_neg = np.minimum(x / vmin, 1.0)
            t_pos = np.minimum(x / vmax, 1.0) if vmax > 0 else np.ones_like(x)
        for i in range(3):
            neg = np.floor(255 + t_neg * (NEGATIVE_RGB[i] - 255) + 0.5)
            pos = np.floor(255 + t_pos * (POSITIVE_RGB[i] - 255) + 0.5)
            out[..., i] = np.where(x < 0, neg, np.where(x > 0, pos, 255))
    else:
        span = vmax - vmin
        t = np.zeros_like(x) if span <= 0 else np.clip((x - vmin) / span, 0.0, 1.0)
        gray = np.floor(255 * t + 0.5)
        out[...] = gray[..., None]
    return out.astype(np.uint8)


def to_rgb(value: float, vmin: float, vmax: float) -> tuple[int, int, int]:
    """Colour of one value as ``(r, g, b)`` ints in 0..255 (see :func:`to_rgb_array`).

    Examples
    --------
    >>> to_rgb(-1.0, -1.0, 1.0) == NEGATIVE_RGB
    True
    """
    r, g, b = to_rgb_array(float(value), vmin, vmax).tolist()
    return r, g, b


def _round_up(x: float) -> float:
    """``x`` rounded up to two significant digits: 816.2 -> 820.0, 0.7341 -> 0.74."""
    step = 10.0 ** (np.floor(np.log10(x)) - 1)
    return float(round(np.ceil(x / step - 1e-9) * step, 12))


def limits(values, robust: bool = True) -> tuple[float, float]:
    """Colour limits for a map: symmetric ``(-m, m)`` if it has negatives, else ``(0, top)``.

    ``m`` (or ``top``) is the largest magnitude of the map, except for a float map of at
    least :data:`ROBUST_MIN_VALUES` values when ``robust``: then it is the
    :data:`ROBUST_PERCENTILE` th percentile of the magnitudes rounded up to two significant
    digits, so that a handful of extreme values does not wash out the rest (those few are
    drawn at full colour). Small maps (the ones whose numbers a lesson prints) and uint8
    photos keep their exact extremes. A map with no positive value gets ``(0, 1)``.
    The limits are plain floats, so they travel to the browser exactly.

    Examples
    --------
    >>> limits(np.array([-3.0, 1.0]))
    (-3.0, 3.0)
    >>> limits(np.array([0.0, 200.0]))
    (0.0, 200.0)
    >>> x = np.linspace(-1.0, 1.0, 1001)
    >>> x[500] = 40.0                      # one huge value does not set the scale
    >>> limits(x)
    (-0.99, 0.99)
    """
    arr = np.asarray(values)
    x = arr.astype(np.float64, copy=False)
    lo, hi = float(x.min()), float(x.max())
    use_robust = robust and x.size >= ROBUST_MIN_VALUES and arr.dtype != np.uint8
    if lo < 0:
        m = max(-lo, hi)
        if use_robust:
            p = float(np.percentile(np.abs(x), ROBUST_PERCENTILE))
            r = _round_up(p) if p > 0 else 0.0
            m = r if 0 < r < m else m
        return -m, m
    if hi <= 0:
        return 0.0, 1.0
    if use_robust:
        r = float(np.percentile(x, ROBUST_PERCENTILE))
        r = _round_up(r) if r > 0 else 0.0
        hi = r if 0 < r < hi else hi
    return 0.0, hi
