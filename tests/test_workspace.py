"""``cnnlab lab`` opens the learner's copy of the lessons, so updating the course never conflicts.

The scenario of a learner with a git checkout: they work through a lesson (JupyterLab autosaves its
outputs into the file), the course publishes a change to that lesson and a new one, they ``git pull``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from cnnlab import __main__ as cli
from cnnlab._workspace import MANIFEST, WORKING_FOLDER, sync_working_copy

REPO = Path(__file__).resolve().parent.parent
LESSON = "02_convolution.ipynb"


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
                          cwd=cwd, capture_output=True, text=True, check=check, timeout=60)


def with_outputs(path: Path) -> None:
    """What JupyterLab's autosave does after Run All: outputs and execution counts in the file."""
    notebook = json.loads(path.read_text())
    for number, cell in enumerate(c for c in notebook["cells"] if c["cell_type"] == "code"):
        cell["execution_count"] = number + 1
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["x" * 1000 + "\n"]}]
    path.write_text(json.dumps(notebook))


@pytest.fixture
def course(tmp_path):
    """A published course (a git repository with two lessons and the real .gitignore) and a learner's clone."""
    upstream = tmp_path / "upstream"
    (upstream / "lessons").mkdir(parents=True)
    for name in ("00_welcome.ipynb", LESSON):
        shutil.copy(REPO / "lessons" / name, upstream / "lessons" / name)
    shutil.copy(REPO / ".gitignore", upstream / ".gitignore")
    git(upstream, "init", "-q", "-b", "main")
    git(upstream, "add", "-A")
    git(upstream, "commit", "-q", "-m", "course")
    learner = tmp_path / "learner"
    git(tmp_path, "clone", "-q", str(upstream), str(learner))
    return upstream, learner


def publish_an_update(upstream: Path) -> None:
    lesson = upstream / "lessons" / LESSON
    notebook = json.loads(lesson.read_text())
    notebook["cells"][1]["source"] = "A corrected paragraph.\n" + "".join(notebook["cells"][1]["source"])
    lesson.write_text(json.dumps(notebook, indent=1))
    shutil.copy(REPO / "lessons" / "03_relu.ipynb", upstream / "lessons" / "03_relu.ipynb")
    git(upstream, "add", "-A")
    git(upstream, "commit", "-q", "-m", "lesson 02 corrected, lesson 03 added")


def test_an_update_after_working_through_a_lesson_in_the_copy_does_not_conflict(course):
    upstream, learner = course
    first = sync_working_copy(learner / "lessons")
    assert first.folder == learner / WORKING_FOLDER
    assert first.copied == ("00_welcome.ipynb", LESSON) and first.updated_upstream == ()
    work = learner / WORKING_FOLDER / LESSON
    with_outputs(work)
    worked = work.read_bytes()
    assert git(learner, "status", "--porcelain").stdout == "", "the copy is ignored by git"

    publish_an_update(upstream)
    pull = git(learner, "pull", "-q", "--ff-only", check=False)
    assert pull.returncode == 0, pull.stderr
    assert (learner / "lessons" / LESSON).read_bytes() == (upstream / "lessons" / LESSON).read_bytes()

    second = sync_working_copy(learner / "lessons")
    assert second.copied == ("03_relu.ipynb",)
    assert second.updated_upstream == (LESSON,)
    assert LESSON in second.summary() and "never changes a copy" in second.summary()
    assert work.read_bytes() == worked, "the learner's work is kept as it was"


def test_the_same_work_in_the_published_lesson_stops_the_update(course):
    """The control: autosave into the tracked notebook is what made ``git pull`` fail."""
    upstream, learner = course
    with_outputs(learner / "lessons" / LESSON)
    publish_an_update(upstream)
    pull = git(learner, "pull", "-q", "--ff-only", check=False)
    assert pull.returncode != 0 and "would be overwritten" in pull.stderr, pull.stderr


def test_nothing_is_written_through_a_link_or_over_a_file(tmp_path):
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    shutil.copy(REPO / "lessons" / LESSON, lessons / LESSON)
    elsewhere = tmp_path / "elsewhere.ipynb"
    elsewhere.write_text("mine")
    folder = tmp_path / WORKING_FOLDER
    folder.mkdir()
    (folder / LESSON).symlink_to(elsewhere)
    sync = sync_working_copy(lessons)
    assert sync.copied == () and elsewhere.read_text() == "mine"

    (folder / MANIFEST).unlink()
    (folder / MANIFEST).symlink_to(elsewhere)
    with pytest.raises(ValueError, match="symbolic link"):
        sync_working_copy(lessons)
    assert elsewhere.read_text() == "mine"

    linked = tmp_path / "linked"
    linked.symlink_to(tmp_path / "somewhere", target_is_directory=True)
    with pytest.raises(ValueError, match="folder"):
        sync_working_copy(lessons, linked)
    with pytest.raises(ValueError, match="lessons must be a folder"):
        sync_working_copy(tmp_path / "missing")


def test_a_damaged_manifest_is_started_again(tmp_path):
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    shutil.copy(REPO / "lessons" / LESSON, lessons / LESSON)
    folder = tmp_path / WORKING_FOLDER
    folder.mkdir()
    (folder / MANIFEST).write_text("{not json")
    assert sync_working_copy(lessons).copied == (LESSON,)
    assert LESSON in json.loads((folder / MANIFEST).read_text())


def test_cnnlab_lab_opens_jupyterlab_on_the_copy(tmp_path, monkeypatch, capsys):
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    shutil.copy(REPO / "lessons" / LESSON, lessons / LESSON)
    monkeypatch.setattr(cli, "lessons_dir", lambda: lessons)
    started = []
    monkeypatch.setattr(cli, "_run", lambda command, env=None: started.append(command) or 0)
    assert cli.main(["lab", "--port=9999"]) == 0
    assert started[0][-3:] == ["lab", str(tmp_path / WORKING_FOLDER), "--port=9999"]
    assert (tmp_path / WORKING_FOLDER / LESSON).is_file()
    assert "Your lessons:" in capsys.readouterr().out
