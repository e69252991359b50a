"""How the widgets write numbers, shapes and sizes (titles, captions, reprs, select options)."""

from __future__ import annotations

__all__ = ["compact_pair", "factor_text", "fmt", "pair_text", "scale_factor", "scale_words", "shape_text", "shown_text",
           "title_label", "with_value"]


def fmt(x) -> str:
    """A number as a person writes it: ``12``, ``-0.111`` -> ``"12"``, ``"−0.111"``."""
    x = float(x)
    if x == int(x) and abs(x) < 1e7:
        text = str(int(x))
    elif abs(x) >= 1:
        text = f"{x:.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{x:.3f}".rstrip("0").rstrip(".")
    if text in ("-0", "0", "-0."):
        return "0"
    return text.replace("-", "\u2212")


def shape_text(shape) -> str:
    """``(300, 451, 3)`` -> ``"300x451x3"``."""
    return "x".join(str(n) for n in shape)


def scale_factor(original, shown) -> float:
    """How many times smaller the longest side of ``shown`` is than that of ``original``."""
    return max(original[:2]) / max(shown[:2])


def factor_text(original, shown) -> str:
    """The downscale factor as people say it: ``"8"``, ``"5"`` (for 5.01), ``"4.7"``."""
    return f"{round(scale_factor(original, shown), 1):g}"


def shown_text(label: str, original, shown) -> str:
    """``"cat 300x451x3 shown at 1/5 → 60x90x3"`` (or ``"cat 300x451x3"`` at full size), for reprs."""
    text = f"{label} {shape_text(original)}"
    if tuple(shown) != tuple(original):
        text += f" shown at 1/{factor_text(original, shown)} \u2192 {shape_text(shown)}"
    return text


def title_label(label: str, shape, noun: str = "map") -> str:
    """What a title calls the input: its name, or ``"a 41×62 map"`` (``noun``) for a plain array."""
    if label != "array":
        return label
    size = "\u00d7".join(str(n) for n in shape[:2])
    return f"a {size} {noun}" + (f" ({shape[2]} channels)" if len(shape) == 3 else "")


def scale_words(original, shown) -> str:
    """``"shown at 1/8 scale: 512×512 → 64×64"`` or ``"full size: 28×28"``."""
    a = "\u00d7".join(str(n) for n in original[:2])
    if tuple(original[:2]) == tuple(shown[:2]):
        return f"full size: {a}"
    b = "\u00d7".join(str(n) for n in shown[:2])
    return f"shown at 1/{factor_text(original, shown)} scale: {a} \u2192 {b}"


def pair_text(value) -> str:
    """``2`` -> ``"2"``, ``(1, 2)`` -> ``"1,2"`` (how selects show sizes and strides)."""
    return str(value) if isinstance(value, int) else f"{value[0]},{value[1]}"


def with_value(options: list, value) -> list[str]:
    """Select options as text, plus ``value`` if it is not among them."""
    texts = [pair_text(o) if not isinstance(o, str) else o for o in options]
    text = pair_text(value) if not isinstance(value, str) else value
    return texts if text in texts else texts + [text]


def compact_pair(pair):
    """``(2, 2)`` -> ``2`` and ``(1, 2)`` -> ``(1, 2)``: a size or stride as people give it."""
    a, b = pair
    return a if a == b else (a, b)
