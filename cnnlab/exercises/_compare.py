"""Running the learner's code and comparing what it gives with the reference answer.

Everything here ends a check by raising or returning a :class:`~._core.Verdict`:
:func:`call` turns any exception from the learner's code (``SystemExit``
included) into feedback, :func:`compare_array` and :func:`compare_cases` name
the first known mistake the answer matches, or else the first wrong number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

from ._core import ERROR, Verdict, correct, unanswered, wrong
from ._values import clip, describe, first_difference, has_ellipsis, numbers, same, shape_text, short


class Mistake(NamedTuple):
    """A typical wrong answer: ``make(*inputs)`` computes it, ``nudge`` and ``hint`` explain it."""

    make: Callable
    nudge: str
    hint: str | None = None


# ---------------------------------------------------------------- running the learner's code


def fn_name(fn) -> str:
    """The learner's function name for messages (``"my_relu"``)."""
    name = getattr(fn, "__name__", None)
    return name if isinstance(name, str) else "your function"


def call(fn, *args, advice: Sequence[tuple[str, str]] = (), lead: str = ""):
    """Return ``fn(*args)``; raise a :class:`Verdict` for a placeholder or any exception.

    ``advice`` pairs a text found in the error message with a sentence that
    explains it; ``lead`` starts the error feedback (``"It works for one vector
    but not for a batch: "``). Every exception but ``KeyboardInterrupt`` (so a
    learner can still stop a cell) becomes feedback, ``SystemExit`` included.
    """
    label = f"{fn_name(fn)}()"
    try:
        value = fn(*args)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - the learner's code may raise anything, SystemExit too
        text = describe(exc)
        if "ellipsis" in text.lower() or has_ellipsis(fn):
            raise unanswered(f"replace the `...` in {label} with your code (for now it stops with "
                             f"{clip(text, 120)}).") from None
        tip = next((tip for needle, tip in advice if needle.lower() in text.lower()), None)
        where = ", ".join(short(a) for a in args)
        raise Verdict(ERROR, f"{lead}{label} stopped with {text} when called with ({where})."
                      + (f"\n{tip}" if tip else "")) from None
    if value is Ellipsis or (value is None and has_ellipsis(fn)):
        raise unanswered(f"replace the `...` in {label} with your code.")
    if value is None:
        raise unanswered(f"{label} returns None. Did you forget the `return` line?")
    return value


def call_cases(fn, cases: Sequence[tuple], convert: Callable, expected: str, advice=()) -> list:
    """``convert(fn(*case))`` for every case; a result ``convert`` rejects (None) is wrong."""
    results = []
    for case in cases:
        raw = call(fn, *case, advice=advice)
        value = convert(raw)
        if value is None:
            raise wrong(f"{fn_name(fn)}{case} should return {expected}, got {short(raw)}.")
        results.append(value)
    return results


# ---------------------------------------------------------------- comparing with the reference


_DOES_NOT_APPLY = object()


def _attempt(make: Callable, *inputs):
    """``make(*inputs)``, or ``_DOES_NOT_APPLY`` for a mistake these inputs cannot show."""
    try:
        return make(*inputs)
    except Exception:  # noqa: BLE001 - e.g. a reshape that needs even sizes
        return _DOES_NOT_APPLY


def diagnose(got, mistakes: Sequence[Mistake], *inputs, atol: float = 1e-6) -> Verdict | None:
    """The verdict of the first mistake whose result ``make(*inputs)`` equals ``got``."""
    for mistake in mistakes:
        candidate = _attempt(mistake.make, *inputs)
        if candidate is not _DOES_NOT_APPLY and same(got, candidate, atol=atol):
            return wrong(mistake.nudge, mistake.hint)
    return None


def compare_array(got, expected, mistakes: Sequence[Mistake] = (), inputs: tuple = (), *,
                  context: str = "", explain: Callable[[tuple], str] | None = None,
                  atol: float = 1e-6) -> Verdict | None:
    """None when ``got`` equals ``expected``; else the mistake, the wrong shape or the first wrong value.

    ``context`` starts the sentence (``"For a (6, 7) image, "``); ``explain(index)``
    adds what the first wrong entry should have been made of.
    """
    expected = np.asarray(expected, dtype=np.float64)
    if same(got, expected, atol=atol):
        return None
    if (found := diagnose(got, mistakes, *inputs, atol=atol)) is not None:
        return found
    arr = numbers(got, expected.shape)
    if arr is None:
        return wrong(f"{context}the result should have shape {expected.shape}, got {shape_text(got)}.")
    index, text = first_difference(arr, expected)
    return wrong(f"{context}the shape is right but not every value: {text}."
                 + (f" {explain(index)}" if explain is not None else ""))


def compare_cases(got: list, cases: Sequence[tuple], reference: Callable,
                  mistakes: Sequence[Mistake] = (), explain: Callable[[tuple], str] | None = None
                  ) -> Verdict | None:
    """None when ``got[i] == reference(*cases[i])`` for all; else the mistake or the first wrong case."""
    answers = [reference(*case) for case in cases]
    if got == answers:
        return None
    for mistake in mistakes:
        candidates = [_attempt(mistake.make, *case) for case in cases]
        if all(c is not _DOES_NOT_APPLY for c in candidates) and candidates == got:
            return wrong(mistake.nudge, mistake.hint)
    case, right, value = next((c, a, g) for c, a, g in zip(cases, answers, got) if a != g)
    return wrong(f"{reference.__name__}{case} should be {right}, yours gives {value}."
                 + (f" {explain(case)}" if explain is not None else ""))


def judge_cases(fn, cases: Sequence[tuple], reference: Callable, mistakes: Sequence[Mistake], *,
                convert: Callable, expected: str, praise: str) -> Verdict:
    """The whole judgement of a function that answers each case with one small value.

    ``convert`` reads one result (None when it is not ``expected``, e.g. "a whole
    number"); ``praise`` is the text for a right answer.
    """
    got = call_cases(fn, cases, convert, expected)
    return compare_cases(got, cases, reference, mistakes) or correct(praise)
