"""The lessons' files: each notebook matches its text source, carries no outputs, has the
course's shape, and its source passes ruff.

A lesson is a pair, ``lessons/NN_name.py`` (Jupytext's percent format, the text that ruff and
reviewers read) and ``lessons/NN_name.ipynb`` (what learners open). ``lessons/jupytext.toml``
pairs them; ``jupytext --sync lessons/*.ipynb`` brings the older file of each pair up to date.
These tests read files only: no kernel, no network.
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

LESSONS = Path(__file__).resolve().parents[1] / "lessons"
NOTEBOOKS = sorted(LESSONS.glob("*.ipynb"))
#: The numbered lessons (not the instructor's demo): these follow the course's lesson shape.
NUMBERED = sorted(LESSONS.glob("[0-9][0-9]*_*.ipynb"))
#: the course ends at the highest-numbered lesson: its summary leads back to the map of the course
LAST_LESSON = NUMBERED[-1].name.split("_")[0]
#: Notebook metadata a lesson may carry; anything else (saved widget state, a local kernel's
#: details) is noise in every diff and gets stale.
ALLOWED_METADATA = {"kernelspec", "language_info", "jupytext"}


# ---------------------------------------------------------------------------------------------
# The checks, as functions that return what is wrong, so the tests below can also show that
# each of them notices a broken copy.
# ---------------------------------------------------------------------------------------------


def unpaired_files(directory: Path) -> list[str]:
    """Names of the notebooks with no ``.py`` source next to them, and of the sources with no
    notebook, in ``directory``."""
    notebooks = {p.stem for p in directory.glob("*.ipynb")}
    sources = {p.stem for p in directory.glob("*.py")}
    return sorted([f"{stem}.ipynb has no {stem}.py" for stem in notebooks - sources]
                  + [f"{stem}.py has no {stem}.ipynb" for stem in sources - notebooks])


def cell_differences(notebook_path: Path, source_path: Path) -> list[str]:
    """How the cells of a notebook and of its percent-format source differ.

    Parameters
    ----------
    notebook_path : Path
        The ``.ipynb`` file.
    source_path : Path
        Its paired ``.py`` file, read as Jupytext's percent format.

    Returns
    -------
    list of str
        One line per differing cell (its index, its kind, and the first differing lines of its
        text), plus one if the cell counts differ. Empty when both hold the same cells.
    """
    notebook = nbformat.read(notebook_path, as_version=4)
    source = jupytext.read(source_path, fmt="py:percent")
    in_notebook = [(cell.cell_type, cell.source) for cell in notebook.cells]
    in_source = [(cell.cell_type, cell.source) for cell in source.cells]
    problems = []
    if len(in_notebook) != len(in_source):
        problems.append(f"{notebook_path.name} has {len(in_notebook)} cells, "
                        f"{source_path.name} has {len(in_source)}")
    for index, ((nb_type, nb_text), (py_type, py_text)) in enumerate(zip(in_notebook, in_source)):
        if nb_type != py_type:
            problems.append(f"cell {index}: {nb_type} in the notebook, {py_type} in the source")
        elif nb_text != py_text:
            diff = difflib.unified_diff(nb_text.splitlines(), py_text.splitlines(),
                                        "notebook", "source", n=0, lineterm="")
            problems.append(f"cell {index} ({nb_type}) differs:\n" + "\n".join(list(diff)[:8]))
    return problems


def leftovers(notebook_path: Path) -> list[str]:
    """What a committed lesson must not carry: outputs, execution counts, extra metadata."""
    notebook = nbformat.read(notebook_path, as_version=4)
    problems = [f"metadata {key!r}" for key in sorted(set(notebook.metadata) - ALLOWED_METADATA)]
    kernel = notebook.metadata.get("kernelspec", {}).get("name")
    if kernel != "python3":
        problems.append(f"kernelspec name {kernel!r}, expected 'python3'")
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        if cell.outputs:
            problems.append(f"cell {index} has {len(cell.outputs)} output(s)")
        if cell.execution_count is not None:
            problems.append(f"cell {index} has execution count {cell.execution_count}")
    return problems


def shape_problems(notebook_path: Path) -> list[str]:
    """What a numbered lesson lacks of the course's shape (docs/architecture.md, "Lessons").

    Checked: a title ``# NN · ...`` whose first cell lists what the learner will be able to do;
    a first code cell that installs cnnlab on Colab with a real ``!pip`` line (not one commented
    out); a ``## Summary`` heading followed by a link to the next lesson's notebook.
    """
    number = notebook_path.name.split("_")[0]          # "07", or "07b" for a lesson's second part
    ordered = [path.name for path in NUMBERED]
    following = ordered[ordered.index(notebook_path.name) + 1] if notebook_path.name in ordered[:-1] else None
    cells = nbformat.read(notebook_path, as_version=4).cells
    markdown = [cell.source for cell in cells if cell.cell_type == "markdown"]
    code = [cell.source for cell in cells if cell.cell_type == "code"]
    problems = []

    title = cells[0].source if cells and cells[0].cell_type == "markdown" else ""
    if not title.startswith(f"# {number} · "):
        problems.append(f"the first cell is not a markdown title '# {number} · ...'")
    if len(re.findall(r"^- ", title, flags=re.MULTILINE)) < 2:
        problems.append("the first cell has no list of learning objectives")

    setup = code[0] if code else ""
    if '"google.colab" in sys.modules' not in setup:
        problems.append("the first code cell is not the Colab set-up")
    if not any(line.strip().startswith("!pip install") for line in setup.splitlines()):
        problems.append("the Colab set-up has no '!pip install' line")

    prose = "\n\n".join(markdown)
    headings = list(re.finditer(r"^## Summary$", prose, flags=re.MULTILINE))
    if not headings:
        problems.append("no '## Summary' heading")
    elif number == LAST_LESSON:
        if "(00_welcome.ipynb)" not in prose[headings[-1].start():]:
            problems.append("the last lesson's summary does not lead back to the map in 00_welcome.ipynb")
    elif f"]({following})" not in prose[headings[-1].start():]:
        problems.append(f"the summary does not link to the next lesson, {following}")
    return problems


#: The instructor's demo (served by ``cnnlab demo``): paired, clean and linted like a lesson, but it has
#: no lesson shape; it must show only widgets and short headings.
DEMO = LESSONS / "instructor_demo.ipynb"


def demo_problems(notebook_path: Path) -> list[str]:
    """What would put more than widgets and headings on the presenter's screen.

    Voilà shows every output and hides the code. So a code cell may not print or call an
    exercise checker, and its last line, if it is an expression, must name something (a
    widget); every markdown cell starts with a heading of at most 70 characters.
    """
    import ast

    problems = []
    for index, cell in enumerate(nbformat.read(notebook_path, as_version=4).cells):
        if cell.cell_type == "markdown":
            heading = cell.source.splitlines()[0] if cell.source else ""
            if not re.match(r"#{1,3} \S", heading) or len(heading) > 70:
                problems.append(f"cell {index}: markdown should start with a short heading, got {heading[:80]!r}")
            continue
        tree = ast.parse(cell.source)
        calls = {node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                 for node in ast.walk(tree) if isinstance(node, ast.Call)}
        names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        for shown in sorted(calls & {"print", "display", "show"} | names & {"exercises"}):
            problems.append(f"cell {index}: {shown} puts text on the presenter's screen")
        last = tree.body[-1] if tree.body else None
        if isinstance(last, ast.Expr) and not isinstance(last.value, (ast.Name, ast.Attribute, ast.Call)):
            problems.append(f"cell {index}: its last line shows a value, not a widget")
    return problems


def ruff_report(*paths: Path, config: Path | None = None) -> subprocess.CompletedProcess:
    """``ruff check`` on ``paths`` from the repository root, as CI and contributors run it."""
    command = [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise"]
    if config is not None:
        command += ["--config", str(config)]
    return subprocess.run(command + [str(p) for p in paths], check=False, cwd=LESSONS.parent,
                          capture_output=True, text=True, timeout=120)


# ---------------------------------------------------------------------------------------------
# The lessons as they are committed.
# ---------------------------------------------------------------------------------------------


def test_there_are_lessons():
    assert len(NUMBERED) >= 7, [p.name for p in NOTEBOOKS]


def test_every_notebook_has_a_source_and_every_source_a_notebook():
    assert unpaired_files(LESSONS) == []


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_holds_exactly_the_cells_of_its_source(notebook):
    problems = cell_differences(notebook, notebook.with_suffix(".py"))
    assert problems == [], (
        "\n".join(problems) + "\nRun `jupytext --sync lessons/*.ipynb` (the newer file of each pair wins).")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_has_no_outputs_and_little_metadata(notebook):
    assert leftovers(notebook) == []


@pytest.mark.parametrize("notebook", NUMBERED, ids=lambda p: p.stem)
def test_lesson_has_the_course_shape(notebook):
    assert shape_problems(notebook) == []


def test_the_demo_is_a_pair_and_checked_like_the_lessons():
    """It is not a numbered lesson (no lesson shape), but the pair, output and ruff tests cover it."""
    assert DEMO in NOTEBOOKS and DEMO not in NUMBERED
    assert DEMO.with_suffix(".py").is_file()


def test_the_demo_shows_only_widgets_and_headings():
    assert demo_problems(DEMO) == []


def test_stray_output_in_the_demo_is_caught(tmp_path):
    notebook = Path(shutil.copy(DEMO, tmp_path))

    def add_noise(nb):
        nb.cells.insert(2, nbformat.v4.new_code_cell("print('loaded')\n1 + 1"))
        nb.cells.insert(3, nbformat.v4.new_markdown_cell("Some words before any heading"))

    edit_notebook(notebook, add_noise)
    assert demo_problems(notebook) == ["cell 2: print puts text on the presenter's screen",
                                       "cell 2: its last line shows a value, not a widget",
                                       ("cell 3: markdown should start with a short heading, got "
                                        "'Some words before any heading'")]


@pytest.mark.parametrize("source", sorted(LESSONS.glob("*.py")), ids=lambda p: p.stem)
def test_source_header_does_not_churn(source):
    """The header names the format (so every tool reads the file the same way) but not the
    jupytext version, which would rewrite every lesson on each upgrade."""
    header = source.read_text(encoding="utf-8").split("# ---\n")[1]
    assert "format_name: percent" in header
    assert "jupytext_version" not in header


def test_ruff_passes_on_the_lessons():
    report = ruff_report(LESSONS)
    assert report.returncode == 0, report.stdout + report.stderr


def test_ruff_passes_on_the_package_the_tests_and_the_scripts():
    """What a contributor runs before a commit (CONTRIBUTING.md), kept true by the suite."""
    report = ruff_report(*(LESSONS.parent / name for name in ("cnnlab", "tests", "benchmarks", "scripts")))
    assert report.returncode == 0, report.stdout + report.stderr


# ---------------------------------------------------------------------------------------------
# Each check notices a broken copy.
# ---------------------------------------------------------------------------------------------


def copy_lesson(name: str, directory: Path) -> tuple[Path, Path]:
    """Copy a lesson's notebook and source into ``directory``; return both paths."""
    notebook = Path(shutil.copy(LESSONS / f"{name}.ipynb", directory))
    source = Path(shutil.copy(LESSONS / f"{name}.py", directory))
    return notebook, source


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def edit_notebook(path: Path, change) -> None:
    notebook = nbformat.read(path, as_version=4)
    change(notebook)
    nbformat.write(notebook, path)


def test_a_source_edited_without_syncing_is_caught(tmp_path):
    notebook, source = copy_lesson("03_relu", tmp_path)
    assert cell_differences(notebook, source) == []
    replace_once(source, "x = np.array([-3.0, -0.5, 0.0, 0.5, 3.0])", "x = np.array([-3.0, 3.0])")
    problems = cell_differences(notebook, source)
    assert len(problems) == 1 and "x = np.array([-3.0, 3.0])" in problems[0]


def test_a_notebook_edited_without_syncing_is_caught(tmp_path):
    notebook, source = copy_lesson("04_pooling", tmp_path)
    edit_notebook(notebook, lambda nb: nb.cells[0].update(source=nb.cells[0].source + " More."))
    problems = cell_differences(notebook, source)
    assert len(problems) == 1 and problems[0].startswith("cell 0 (markdown) differs")


def test_a_cell_that_changed_kind_or_went_missing_is_caught(tmp_path):
    notebook, source = copy_lesson("05_flattening", tmp_path)
    edit_notebook(notebook, lambda nb: nb.cells.__setitem__(0, nbformat.v4.new_code_cell(nb.cells[0].source)))
    assert cell_differences(notebook, source) == ["cell 0: code in the notebook, markdown in the source"]
    edit_notebook(notebook, lambda nb: nb.cells.pop())
    assert any("cells," in problem for problem in cell_differences(notebook, source))


def test_a_lone_notebook_or_source_is_caught(tmp_path):
    copy_lesson("00_welcome", tmp_path)
    shutil.copy(LESSONS / "03_relu.ipynb", tmp_path)
    shutil.copy(LESSONS / "04_pooling.py", tmp_path)
    assert unpaired_files(tmp_path) == ["03_relu.ipynb has no 03_relu.py", "04_pooling.py has no 04_pooling.ipynb"]


def test_outputs_counts_and_widget_state_are_caught(tmp_path):
    notebook, _ = copy_lesson("02_convolution", tmp_path)
    assert leftovers(notebook) == []

    def run_a_cell(nb):
        cell = next(cell for cell in nb.cells if cell.cell_type == "code")
        cell.execution_count = 3
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello\n")]
        nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
        nb.metadata["kernelspec"]["name"] = "venv"

    edit_notebook(notebook, run_a_cell)
    assert leftovers(notebook) == ["metadata 'widgets'", "kernelspec name 'venv', expected 'python3'",
                                   "cell 1 has 1 output(s)", "cell 1 has execution count 3"]


def test_a_lesson_out_of_shape_is_caught(tmp_path):
    notebook, _ = copy_lesson("01_images_as_arrays", tmp_path)
    assert shape_problems(notebook) == []

    def break_shape(nb):
        nb.cells[0].source = nb.cells[0].source.replace("# 01 · ", "# Lesson one: ")
        setup = next(cell for cell in nb.cells if cell.cell_type == "code")
        setup.source = setup.source.replace("!pip install", "# !pip install")
        summary = next(cell for cell in nb.cells if cell.source.startswith("## Summary"))
        summary.source = summary.source.replace("(02_convolution.ipynb)", "(03_relu.ipynb)")

    edit_notebook(notebook, break_shape)
    assert shape_problems(notebook) == ["the first cell is not a markdown title '# 01 · ...'",
                                        "the Colab set-up has no '!pip install' line",
                                        "the summary does not link to the next lesson, 02_convolution.ipynb"]


def test_the_colab_pip_line_is_a_comment_in_the_source_and_real_in_the_notebook():
    """In the source the Colab cell's ``!pip`` is a comment (so ruff reads valid Python); the
    notebook must hold the real command, or Colab would never install cnnlab."""
    source = (LESSONS / "00_welcome.py").read_text(encoding="utf-8")
    assert '    # !pip install -q -c /tmp/colab_keeps.txt "cnnlab @ ' in source
    cells = json.loads((LESSONS / "00_welcome.ipynb").read_text(encoding="utf-8"))["cells"]
    setup = "".join(next(cell for cell in cells if cell["cell_type"] == "code")["source"])
    assert '    !pip install -q -c /tmp/colab_keeps.txt "cnnlab @ ' in setup


def test_ruff_reports_a_lint_error_in_a_lesson(tmp_path):
    _, source = copy_lesson("03_relu", tmp_path)
    replace_once(source, "import numpy as np\n", "import numpy as np\n\nprint(undefined_name)\n")
    report = ruff_report(source, config=LESSONS / "ruff.toml")
    assert report.returncode == 1 and "F821" in report.stdout, report.stdout + report.stderr


# ---------------------------------------------------------------- the test digits are used once, at the end

#: calls that fit a model or choose it: their arguments must never mention test data
FITTING_CALLS = {"fit", "train", "train_briefly", "train_on_batch", "augment_with_shifts", "split"}


def _mentions_test_data(node) -> list[str]:
    import ast

    return sorted({n.id for n in ast.walk(node) if isinstance(n, ast.Name) and "test" in n.id.lower()})


def test_data_leaks(source: Path) -> list[str]:
    """Lines where a lesson fits, validates or splits with a variable named like test data.

    Test digits are for one final score: a call in :data:`FITTING_CALLS` whose
    arguments mention a ``*test*`` name, or any ``validation_data=`` built from
    one, is a leak.
    """
    import ast

    tree = ast.parse(source.read_text(encoding="utf-8"))
    leaks = []
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        suspects = []
        if name in FITTING_CALLS:
            suspects = [*call.args, *(k.value for k in call.keywords)]
        suspects += [k.value for k in call.keywords if k.arg in ("validation_data", "validation_split_data")]
        names = sorted({found for node in suspects for found in _mentions_test_data(node)})
        if names:
            leaks.append(f"{source.name}:{call.lineno}: {name}(...) uses {', '.join(names)}")
    return leaks


test_data_leaks.__test__ = False  # a helper, not a test


@pytest.mark.parametrize("source", sorted(LESSONS.glob("[0-9][0-9]*_*.py")), ids=lambda p: p.stem)
def test_no_lesson_fits_or_selects_on_test_data(source):
    assert test_data_leaks(source) == []


def test_a_lesson_that_validates_on_test_digits_is_caught(tmp_path):
    lesson = tmp_path / "99_leak.py"
    lesson.write_text(
        "from cnnlab import training\n"
        "model, _ = training.train('course', x_train, y_train, validation_data=(x_test, y_test))\n"
        "model.fit(x_test, y_test, epochs=1)\n"
        "score = training.accuracy(model, x_test, y_test)\n",
        encoding="utf-8")
    leaks = test_data_leaks(lesson)
    assert len(leaks) == 2 and "train(...)" in leaks[0] and "fit(...)" in leaks[1]


# ---------------------------------------------------------------------------------------------
# A heading written inside a code cell is invisible to the learner: it reads as a comment, the
# table of contents lacks it, and the text under it never renders. Its marker line is missing.
# ---------------------------------------------------------------------------------------------

#: a comment line that is really a markdown heading: "# ## 9. The course recipe"
HEADING_AS_COMMENT = re.compile(r"^\s*#\s*#{1,6}\s+\S")


def headings_in_code(notebook_path: Path) -> list[str]:
    """The markdown headings that sit in code cells as comments, as ``"cell N: line"``."""
    problems = []
    for index, cell in enumerate(nbformat.read(notebook_path, as_version=4).cells):
        if cell.cell_type != "code":
            continue
        problems += [f"cell {index}: {line.strip()}" for line in cell.source.splitlines()
                     if HEADING_AS_COMMENT.match(line)]
    return problems


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_code_cell_holds_a_markdown_heading(notebook):
    assert headings_in_code(notebook) == []


def test_a_heading_left_in_a_code_cell_is_caught(tmp_path):
    source = tmp_path / "99_lost.py"
    source.write_text("# %% [markdown]\n# # 99 · Lost\n\n# %%\nx = 1\n#\n# ## 2. A section without its marker\n"
                      "#\n# Its text reads as comments.\n", encoding="utf-8")
    notebook = tmp_path / "99_lost.ipynb"
    jupytext.write(jupytext.read(source, fmt="py:percent"), notebook)
    assert headings_in_code(notebook) == ["cell 1: # ## 2. A section without its marker"]
