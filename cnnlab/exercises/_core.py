"""What every checker shares: the result, the checker decorators, tiered hints.

A checker body only judges. It receives an answer that is already known to be
filled in (and, for a function exercise, callable), and it ends by returning
or raising a :class:`Verdict` made with :func:`correct` or :func:`wrong`.
The decorator does the rest: it knows the checker's name, screens
placeholders, keeps anything the learner's code raises inside the feedback,
picks the hint tier, caps the printed text and returns a :class:`Result`.

Hint tiers, per exercise: the first wrong answer prints a nudge (what is
wrong); a repeat, still wrong, adds a stronger hint; the answer itself is
printed only by :func:`solution`. :func:`reset` forgets the attempts.
"""

from __future__ import annotations

import functools
import inspect
import textwrap
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import _validate as v
from ._values import clip, contains_ellipsis, describe, short

CORRECT, WRONG, UNANSWERED, ERROR = "correct", "wrong", "unanswered", "error"

#: the most characters one piece of feedback prints
MAX_MESSAGE = 1500
_MAX_NUDGE = 900

_PREFIX = {CORRECT: "✓ Correct! ", WRONG: "✗ Not yet. ", UNANSWERED: "Not answered yet: ",
           ERROR: "✗ Your code raised an error. "}


class Result:
    """What a checker found. Truthy only when the answer is right.

    Attributes
    ----------
    name : str
        The checker, e.g. ``"check_relu"``.
    status : {"correct", "wrong", "unanswered", "error"}
        ``"error"`` means the learner's code raised an exception.
    message : str
        The feedback that was printed (at most :data:`MAX_MESSAGE` characters).
    tries : int
        Wrong answers in a row to this exercise, this one included (0 when right).
    """

    __slots__ = ("message", "name", "status", "tries")

    def __init__(self, name: str, status: str, message: str, tries: int = 0):
        self.name = name
        self.status = status
        self.message = message
        self.tries = tries

    def __bool__(self) -> bool:
        return self.status == CORRECT

    @property
    def answered(self) -> bool:
        """False while the placeholder is still in place."""
        return self.status != UNANSWERED

    def __repr__(self) -> str:
        return f"<{self.name}: {self.status}>"

    def __str__(self) -> str:
        return self.message

    def _ipython_display_(self):
        """Show nothing: the checker has already printed its feedback."""


class Verdict(Exception):
    """A checker's finding. Returned or raised, it ends the check.

    ``hint`` is the stronger hint for a repeated wrong answer; None means the
    exercise's own hint.
    """

    def __init__(self, status: str, text: str, hint: str | None = None):
        super().__init__(text)
        self.status = status
        self.text = text
        self.hint = hint


def correct(text: str) -> Verdict:
    """The answer is right; ``text`` says why it works."""
    return Verdict(CORRECT, text)


def wrong(nudge: str, hint: str | None = None) -> Verdict:
    """The answer is wrong: ``nudge`` says what is wrong, ``hint`` how to get closer."""
    return Verdict(WRONG, nudge, hint)


def unanswered(text: str) -> Verdict:
    """The placeholder is still there; ``text`` says what to put instead."""
    return Verdict(UNANSWERED, text)


# ---------------------------------------------------------------- the exercises and their tiers


@dataclass(frozen=True)
class Exercise:
    """One exercise: its checker, reference answer and stronger hint.

    For a value exercise ``answer`` is a function of no arguments, named like
    the lesson's variable, that returns the reference value.
    """

    checker: str
    answer: Callable
    hint: str
    expects: str | None  # what to write instead of `...`; None for a function exercise

    @property
    def name(self) -> str:
        return self.checker.removeprefix("check_")

    def reference(self):
        """The reference answer as a learner would pass it (the function, or the value)."""
        return self.answer if self.expects is None else self.answer()

    def screen(self, answer) -> Verdict | None:
        """A verdict for a placeholder or the wrong kind of answer; None means judge it."""
        if self.expects is None:
            if answer is None or answer is Ellipsis:
                return unanswered(f"write {self.answer.__name__}{inspect.signature(self.answer)} "
                                  "and pass it here.")
            if not callable(answer):
                return wrong(f"Pass the function itself (its name, without brackets), not "
                             f"{short(answer)}.")
            return None
        if answer is Ellipsis:
            return unanswered(f"replace the `...` with {self.expects}.")
        if answer is None:
            return unanswered(f"replace `None` with {self.expects}.")
        if contains_ellipsis(answer):
            return unanswered(f"replace every `...` with a number ({self.expects}).")
        return None

    def shown_answer(self) -> str:
        """The reference answer as text: a function's source, or ``name = value`` with its docstring."""
        if self.expects is None:
            return textwrap.dedent(inspect.getsource(self.answer)).strip()
        value, start = self.answer(), f"{self.answer.__name__} = "
        if isinstance(value, np.ndarray):
            text = start + "np.array(" + np.array2string(value, separator=", ", prefix=start + "np.array(") + ")"
        else:
            text = start + repr(value)
        why = inspect.getdoc(self.answer)
        return text + (f"\n# {why}" if why else "")


#: short name ("relu") -> exercise, in the order the lessons ask them
EXERCISES: dict[str, Exercise] = {}
_wrong_in_a_row: dict[str, int] = {}


def checks_function(answer: Callable, *, hint: str):
    """Make a checker of a function exercise; ``answer`` is the reference function beside it."""
    return functools.partial(_register, answer=answer, hint=hint, expects=None)


def checks_value(answer: Callable, *, hint: str, expects: str):
    """Make a checker of a value exercise; ``answer()`` returns the reference value.

    ``expects`` completes "replace the `...` with ..." (``"a whole number"``).
    """
    return functools.partial(_register, answer=answer, hint=hint, expects=expects)


def _register(body: Callable, *, answer, hint, expects):
    exercise = Exercise(body.__name__, answer, hint, expects)
    if exercise.name in EXERCISES:  # two checkers with one name: the second would hide the first
        raise ValueError(f"a checker named {exercise.checker!r} exists already")
    EXERCISES[exercise.name] = exercise

    @functools.wraps(body)
    def checker(answer) -> Result:
        return _report(exercise, _judge(exercise, body, answer))

    return checker


def _judge(exercise: Exercise, body: Callable, answer) -> Verdict:
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            verdict = exercise.screen(answer) or body(answer)
    except Verdict as raised:
        verdict = raised
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - a strange answer broke the check: say so, never raise
        verdict = Verdict(ERROR, f"The check could not run your answer ({describe(exc)}).")
    if not isinstance(verdict, Verdict):
        verdict = Verdict(ERROR, f"The check could not judge your answer ({short(verdict)}).")
    return verdict


def _report(exercise: Exercise, verdict: Verdict) -> Result:
    tries = _count_try(exercise.name, verdict.status)
    message = _PREFIX[verdict.status] + clip(verdict.text, _MAX_NUDGE)
    if tries >= 2:
        message += (f"\nHint: {verdict.hint or exercise.hint}\nStill stuck? "
                    f'exercises.solution("{exercise.name}") shows one answer.')
    message = clip(message, MAX_MESSAGE)
    print(message)
    return Result(exercise.checker, verdict.status, message, tries)


def _count_try(name: str, status: str) -> int:
    """Wrong answers in a row for ``name``: a right answer starts again, a placeholder does not count."""
    if status == CORRECT:
        _wrong_in_a_row.pop(name, None)
        return 0
    if status == UNANSWERED:
        return _wrong_in_a_row.get(name, 0)
    _wrong_in_a_row[name] = _wrong_in_a_row.get(name, 0) + 1
    return _wrong_in_a_row[name]


# ---------------------------------------------------------------- what a learner may ask for


def names() -> list[str]:
    """The exercises' names, as :func:`solution` and :func:`hint` take them, in lesson order."""
    return list(EXERCISES)


def _find(name) -> Exercise:
    if not isinstance(name, str):
        raise TypeError(f"name must be a string such as 'relu', got {type(name).__name__}")
    key = name.strip().lower().removeprefix("check_")
    if key not in EXERCISES:
        guess = v.closest(key, list(EXERCISES))
        suggestion = f"did you mean {guess!r}? " if guess else ""
        raise ValueError(f"name {clip(name, 60)!r} is not an exercise; {suggestion}"
                         f"the exercises are: {', '.join(EXERCISES)}")
    return EXERCISES[key]


def solution(name: str) -> None:
    """Print the reference answer of an exercise.

    Parameters
    ----------
    name : str
        The exercise, with or without ``check_``: ``"relu"`` or ``"check_relu"``.

    Examples
    --------
    >>> from cnnlab import exercises
    >>> exercises.solution("relu")  # doctest: +ELLIPSIS
    One answer to check_relu:
    def my_relu(x):
    ...
    """
    exercise = _find(name)
    print(f"One answer to {exercise.checker}:\n{exercise.shown_answer()}")


def hint(name: str) -> None:
    """Print the stronger hint of an exercise without giving the answer away.

    Parameters
    ----------
    name : str
        The exercise, with or without ``check_``: ``"relu"`` or ``"check_relu"``.
    """
    exercise = _find(name)
    print(f"Hint for {exercise.checker}: {exercise.hint}")


def reset(name: str | None = None) -> None:
    """Forget the wrong answers so far, of one exercise or (``name=None``) of all."""
    if name is None:
        _wrong_in_a_row.clear()
    else:
        _wrong_in_a_row.pop(_find(name).name, None)
