"""Rewrite the README's Colab / Binder badges and the lessons' set-up cells from ``cnnlab._links``.

The repository address lives in ``cnnlab/_links.py`` only; run this after changing it, or after
adding a lesson (its README row gets its badges, its first code cell the set-up cell)::

    python scripts/update_links.py                 # rewrite what differs, then sync the notebooks
    python scripts/update_links.py --check         # only list what differs; exit code 1 if anything does
    python scripts/update_links.py lessons/03_relu.py   # only these lessons (and the README)
    python scripts/update_links.py --repository https://github.com/my-school/cnnlab   # a fork's badges

A lesson is rewritten in its ``.py`` source and its notebook is brought up to date with
``jupytext --sync``, which keeps the cell ids. ``tests/test_links.py`` checks that nothing differs.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cnnlab import _links  # the package of this checkout, not an installed one

#: a lesson row of the README's table: number, linked title, what you will do, the badges
LESSON_ROW = re.compile(r"^\| (\d\d[a-z]?) \| \[([^\]]+)\]\((lessons/[\w.-]+\.ipynb)\) \| (.*?) \|(.*)\|$", re.MULTILINE)
CELL_MARKER = re.compile(r"^# %%.*$", re.MULTILINE)


def badges(notebook: str) -> str:
    """The Colab and Binder badges of ``notebook`` (a path like ``"lessons/00_welcome.ipynb"``)."""
    return (f"[![Colab](https://colab.research.google.com/assets/colab-badge.svg)]({_links.colab_url(notebook)}) "
            f"[![Binder](https://mybinder.org/badge_logo.svg)]({_links.binder_url(notebook)})")


def readme_text(text: str) -> str:
    """``text`` (the README) with every lesson row's last column set to that lesson's badges."""
    def row(match: re.Match) -> str:
        number, title, notebook, what, _ = match.groups()
        return f"| {number} | [{title}]({notebook}) | {what} | {badges(notebook)} |"

    return LESSON_ROW.sub(row, text)


def lesson_text(text: str, lesson: str | None = None) -> str:
    """``text`` (a lesson's Jupytext percent source) with its first code cell set to the set-up cell.

    ``lesson`` is the lesson's file stem (``"08_detection"``): it picks the extras the cell installs.

    Raises
    ------
    ValueError
        If the source has no code cell.
    """
    markers = list(CELL_MARKER.finditer(text))
    for index, marker in enumerate(markers):
        if "[markdown]" in marker.group() or "[raw]" in marker.group():
            continue
        end = markers[index + 1].start() if index + 1 < len(markers) else len(text)
        tail = "\n\n" if index + 1 < len(markers) else "\n"
        return text[:marker.end()] + "\n" + _links.setup_cell(commented=True, lesson=lesson) + tail + text[end:]
    raise ValueError("text has no code cell ('# %%' line) to hold the set-up")


def lesson_sources(root: Path) -> list[Path]:
    """Every lesson's ``.py`` source under ``root / "lessons"``, in order."""
    return sorted((root / "lessons").glob("[0-9][0-9]*_*.py"))


def outdated(root: Path, lessons: list[Path] | None = None) -> dict[Path, str]:
    """The files that differ from what ``cnnlab._links`` gives, with the text they should hold."""
    changes = {}
    readme = root / "README.md"
    rewrites = [(readme, readme_text)]
    rewrites += [(p, lambda text, stem=p.stem: lesson_text(text, stem)) for p in lessons or lesson_sources(root)]
    for path, rewrite in rewrites:
        text = path.read_text(encoding="utf-8")
        wanted = rewrite(text)
        if wanted != text:
            changes[path] = wanted
    return changes


REPOSITORY_LINE = re.compile(r'^REPOSITORY = "[^"]*"$', re.MULTILINE)
GITHUB_REPOSITORY = re.compile(r"https://github\.com/[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}")


def set_repository(root: Path, address: str) -> None:
    """Write ``address`` (``https://github.com/OWNER/NAME``) into ``cnnlab/_links.py`` under ``root``.

    Raises
    ------
    ValueError
        If ``address`` is not a GitHub repository address (Colab and Binder open GitHub ones).
    """
    if not isinstance(address, str) or not GITHUB_REPOSITORY.fullmatch(address):
        raise ValueError(f"repository must look like https://github.com/OWNER/NAME, got {address!r}")
    module = root / "cnnlab" / "_links.py"
    text = module.read_text(encoding="utf-8")
    if len(REPOSITORY_LINE.findall(text)) != 1:
        raise ValueError(f"{module} should hold one 'REPOSITORY = \"...\"' line")
    module.write_text(REPOSITORY_LINE.sub(f'REPOSITORY = "{address}"', text), encoding="utf-8")
    _links.REPOSITORY = address


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", type=Path, help="lesson .py sources (default: all)")
    parser.add_argument("--check", action="store_true", help="only list what differs; exit code 1 if anything does")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout (default: this one)")
    parser.add_argument("--repository", help="first set the repository address (a fork's), "
                                             "https://github.com/OWNER/NAME, in cnnlab/_links.py")
    args = parser.parse_args(argv)
    if args.repository is not None:
        try:
            set_repository(args.root, args.repository)
        except ValueError as exc:
            parser.error(str(exc))
    lessons = [path.resolve() for path in args.lessons] or None
    changes = outdated(args.root, lessons)
    for path in changes:
        print(f"{'differs' if args.check else 'rewritten'}: {path.relative_to(args.root)}")
    if args.check:
        return 1 if changes else 0
    for path, text in changes.items():
        path.write_text(text, encoding="utf-8")
        if path.suffix == ".py":
            subprocess.run([sys.executable, "-m", "jupytext", "--sync", "--quiet", str(path)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
