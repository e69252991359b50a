"""The learner's own copy of the lessons, so that updating the course never conflicts with their work.

JupyterLab saves a notebook's outputs into the file it opened (autosave, every two minutes). Opened
straight from a git checkout, a lesson that was 7 KB is 260 KB of outputs after one run, and the next
``git pull`` that changes the lesson stops on "your local changes would be overwritten". ``cnnlab lab``
therefore opens a working copy: ``my_lessons/`` beside ``lessons/`` (ignored by git), where each lesson
is copied once and never written again by cnnlab. ``lessons/`` stays as published, so ``git pull``
always applies. A lesson that changed upstream after it was copied is reported, never replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MANIFEST", "WORKING_FOLDER", "Sync", "sync_working_copy"]

#: the working copy's folder, beside ``lessons/`` (``.gitignore`` lists it)
WORKING_FOLDER = "my_lessons"
#: what was copied, with the published file's SHA-256 at the time: how an update upstream is noticed
MANIFEST = ".published.json"


@dataclass(frozen=True)
class Sync:
    """What :func:`sync_working_copy` did: lesson file names, each list sorted."""

    folder: Path
    copied: tuple[str, ...]
    updated_upstream: tuple[str, ...]

    def summary(self) -> str:
        """One or two lines for the terminal."""
        first = (f"Your lessons: {self.folder} ({len(self.copied)} new lesson(s) copied; "
                 "cnnlab never changes a copy, and lessons/ stays as published, so git pull always works).")
        lines = [first]
        if self.updated_upstream:
            lines.append("Newer in lessons/ than your copy: " + ", ".join(self.updated_upstream)
                         + " (to get one, rename or delete your copy and run cnnlab lab again).")
        return "\n".join(lines)


def _read_manifest(path: Path) -> dict[str, str]:
    if path.is_symlink():
        raise ValueError(f"{path} is a symbolic link; cnnlab does not read or write through links")
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):  # missing or damaged: start again (it only says what was copied when)
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_manifest(path: Path, entries: dict[str, str]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    if temporary.is_symlink():
        temporary.unlink()
    temporary.write_text(json.dumps(dict(sorted(entries.items())), indent=1) + "\n")
    os.replace(temporary, path)  # our own file, replaced whole


def _copy_new(content: bytes, target: Path) -> bool:
    """Write ``content`` to ``target`` only if nothing is there; ``False`` if something was."""
    try:
        with open(target, "xb") as out:  # exclusive create: never replaces a file or follows a link
            out.write(content)
    except FileExistsError:
        return False
    return True


def sync_working_copy(lessons: Path, folder: Path | None = None) -> Sync:
    """Copy every lesson notebook of ``lessons`` that ``folder`` lacks; change nothing that is there.

    Parameters
    ----------
    lessons : Path
        The published lessons (``lessons/`` of the checkout).
    folder : Path, optional
        The working copy; default ``lessons/../my_lessons``. Made if missing; a symbolic link or a
        file there is refused.

    Returns
    -------
    Sync
        The lessons copied now, and those whose published version changed since they were copied.
    """
    lessons = Path(lessons)
    if not lessons.is_dir():
        raise ValueError(f"lessons must be a folder of lesson notebooks, got {str(lessons)!r}")
    folder = Path(folder) if folder is not None else lessons.parent / WORKING_FOLDER
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise ValueError(f"folder {str(folder)!r} is a link or a file; cnnlab makes its own folder there")
    folder.mkdir(exist_ok=True)
    manifest_path = folder / MANIFEST
    manifest = _read_manifest(manifest_path)
    copied, updated = [], []
    for source in sorted(lessons.glob("*.ipynb")):
        content = source.read_bytes()
        published = hashlib.sha256(content).hexdigest()
        if _copy_new(content, folder / source.name):
            copied.append(source.name)
            manifest[source.name] = published
        elif manifest.get(source.name, published) != published:
            updated.append(source.name)
    _write_manifest(manifest_path, manifest)
    return Sync(folder, tuple(copied), tuple(updated))
