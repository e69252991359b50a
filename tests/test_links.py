"""Links: the README's badges and the lessons' set-up cells come from ``cnnlab._links``, every
relative link leads to a file, and the Colab install leaves Colab's own packages alone."""

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from cnnlab import _links

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"
#: lessons whose set-up cell ``scripts/update_links.py`` has already written; a later lesson may still
#: hold the set-up cell copied from an older lesson until the script is run on it
DERIVED_UP_TO = 9


def _load_script():
    spec = importlib.util.spec_from_file_location("update_links", ROOT / "scripts" / "update_links.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


update_links = _load_script()


def _notebooks() -> list[Path]:
    return sorted(LESSONS.glob("[0-9][0-9]*_*.ipynb"))


def _cells(notebook: Path) -> list[dict]:
    return json.loads(notebook.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


# ---------------------------------------------------------------- relative links lead to files

#: a markdown link's target, and whether "(coming" follows it (a lesson announced before it exists)
LINK = re.compile(r"\]\(([^()\s]+)\)(\s*\(coming)?")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
#: code blocks and inline code, where ``[text](target)`` is an example, not a link
CODE = re.compile(r"^```.*?^```|`[^`\n]+`", re.MULTILINE | re.DOTALL)


def broken_links(markdown: str, base: Path) -> list[str]:
    """The relative link targets in ``markdown`` with no file at ``base / target``.

    Absolute addresses (``https:``, ``mailto:``), anchors within the page and links followed by
    ``(coming`` are not checked.
    """
    broken = []
    for match in LINK.finditer(CODE.sub("", markdown)):
        target, coming = match.groups()
        path = target.split("#")[0].split("?")[0]
        if coming or not path or SCHEME.match(target):
            continue
        if not (base / unquote(path)).exists():
            broken.append(target)
    return broken


def notebook_broken_links(notebook: Path) -> list[str]:
    return [f"cell {cell.get('id', index)}: {target}"
            for index, cell in enumerate(_cells(notebook)) if cell["cell_type"] == "markdown"
            for target in broken_links(_source(cell), notebook.parent)]


@pytest.mark.parametrize("notebook", _notebooks(), ids=lambda path: path.stem)
def test_every_relative_link_in_a_lesson_leads_to_a_file(notebook):
    assert notebook_broken_links(notebook) == []


@pytest.mark.parametrize("page", ["README.md", "CONTRIBUTING.md"])
def test_every_relative_link_in_the_front_pages_leads_to_a_file(page):
    text = (ROOT / page).read_text(encoding="utf-8")
    assert LINK.search(text), f"{page} has no link at all: the pattern is wrong"
    assert broken_links(text, ROOT) == []


def test_a_broken_link_is_caught_and_a_coming_one_is_not(tmp_path):
    (tmp_path / "01_here.ipynb").write_text("{}", encoding="utf-8")
    cells = [
        {"cell_type": "markdown", "id": "cell-00", "metadata": {}, "source": [
            "See [lesson 01](01_here.ipynb#top), [the web](https://example.org/x.ipynb) and [above](#intro).\n"]},
        {"cell_type": "markdown", "id": "cell-01", "metadata": {}, "source": [
            "[Next: 02](02_missing.ipynb) and [03](03_later.ipynb) (coming next)\n"]},
        {"cell_type": "code", "id": "cell-02", "metadata": {}, "outputs": [], "execution_count": None,
         "source": ["x = '[not](checked.ipynb)'"]},
    ]
    notebook = tmp_path / "00_start.ipynb"
    notebook.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
                        encoding="utf-8")
    assert notebook_broken_links(notebook) == ["cell cell-01: 02_missing.ipynb"]
    assert broken_links("An example: `[Next](09_none.ipynb)`\n```\n[x](none.ipynb)\n```\n", tmp_path) == []
    assert broken_links("![a picture](img/cat%20one.png)", tmp_path) == ["img/cat%20one.png"]
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "cat one.png").write_bytes(b"")
    assert broken_links("![a picture](img/cat%20one.png)", tmp_path) == []


# ---------------------------------------------------------------- badges and set-up cells are derived


def test_the_links_are_built_from_the_one_repository_address():
    notebook = "lessons/00_welcome.ipynb"
    owner_name = _links.REPOSITORY.removeprefix("https://github.com/")
    assert f"/{owner_name}/" in _links.colab_url(notebook) and _links.colab_url(notebook).endswith(notebook)
    assert f"/{owner_name}/" in _links.binder_url(notebook) and _links.binder_url(notebook).endswith(notebook)
    assert _links.pip_spec() == f"cnnlab @ git+{_links.REPOSITORY}"
    assert _links.pip_spec(("detection",)) == f"cnnlab[detection] @ git+{_links.REPOSITORY}"
    with pytest.raises(TypeError, match="extras"):
        _links.pip_spec("detection")
    with pytest.raises(ValueError, match="notebook"):
        _links.colab_url("../elsewhere.ipynb")
    with pytest.raises(TypeError, match="notebook"):
        _links.binder_url(Path(notebook))


def test_each_readme_badge_opens_a_notebook_that_exists():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = update_links.LESSON_ROW.findall(readme)
    assert len(rows) >= 8
    for number, _, notebook, _, badges in rows:
        assert notebook.startswith(f"lessons/{number}_") and (ROOT / notebook).is_file(), notebook
        assert badges.strip() == update_links.badges(notebook), f"lesson {number}'s badges are not derived"
    addresses = re.findall(r"\]\((https://(?:colab\.research\.google\.com/github|mybinder\.org/v2)/[^)]+)\)", readme)
    assert len(addresses) == 2 * len(rows)
    for address in addresses:
        notebook = re.search(r"lessons/[\w.-]+\.ipynb$", address).group()
        assert (ROOT / notebook).is_file(), address
        assert address in (_links.colab_url(notebook), _links.binder_url(notebook))


def test_the_readme_and_the_set_up_cells_agree_with_the_links_module():
    derived = [LESSONS / f"{nb.stem}.py" for nb in _notebooks() if int(nb.name[:2]) <= DERIVED_UP_TO]
    assert len(derived) >= 8
    assert update_links.outdated(ROOT, derived) == {}, "run: python scripts/update_links.py"
    for notebook in _notebooks():
        setup = _source(next(cell for cell in _cells(notebook) if cell["cell_type"] == "code"))
        if int(notebook.name[:2]) <= DERIVED_UP_TO:
            assert setup == _links.setup_cell(lesson=notebook.stem), notebook.name
        else:
            assert f'"{_links.pip_spec(_links.LESSON_EXTRAS.get(notebook.stem, ()))}"' in setup, notebook.name


def test_the_script_finds_and_rewrites_what_drifted(tmp_path):
    (tmp_path / "lessons").mkdir()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    drifted = readme.replace(_links.colab_url("lessons/03_relu.ipynb"),
                             _links.colab_url("lessons/03_relu.ipynb").replace("/blob/main/", "/blob/old/"))
    assert drifted != readme
    (tmp_path / "README.md").write_text(drifted, encoding="utf-8")
    source = (LESSONS / "03_relu.py").read_text(encoding="utf-8")
    lesson = tmp_path / "lessons" / "03_relu.py"
    lesson.write_text(source.replace(_links.pip_spec(), "cnnlab==0.0.1"), encoding="utf-8")

    changes = update_links.outdated(tmp_path)
    assert sorted(path.name for path in changes) == ["03_relu.py", "README.md"]
    assert changes[tmp_path / "README.md"] == readme and changes[lesson] == source
    assert update_links.main(["--check", "--root", str(tmp_path)]) == 1
    with pytest.raises(ValueError, match="code cell"):
        update_links.lesson_text("# %% [markdown]\n# # only words\n")


# ---------------------------------------------------------------- Colab keeps its own packages


def _pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_cnnlab_asks_only_for_lower_bounds():
    from packaging.requirements import Requirement

    requirements = [Requirement(line) for line in _pyproject()["project"]["dependencies"]]
    assert requirements
    for requirement in requirements:
        operators = {spec.operator for spec in requirement.specifier}
        assert operators <= {">="}, f"{requirement} would hold back or downgrade a package Colab has"
        assert requirement.name not in {"tensorflow", "tensorflow-cpu", "keras"}, requirement


def test_installing_cnnlab_changes_nothing_already_installed(tmp_path):
    """Resolve cnnlab's requirements against this environment (with TensorFlow in it, as on Colab),
    offline: pip must want to install only cnnlab itself."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        version("tensorflow-cpu")
    except PackageNotFoundError:
        version("tensorflow")  # neither present: the test's premise is missing, let it error
    dependencies = _pyproject()["project"]["dependencies"]
    project = tmp_path / "standin"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n'
        f'[project]\nname = "cnnlab-standin"\nversion = "0.1.0"\ndependencies = {json.dumps(dependencies)}\n\n'
        "[tool.setuptools]\npy-modules = []\n", encoding="utf-8")
    report = tmp_path / "report.json"
    subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--no-index",
                    "--no-build-isolation", "--report", str(report), str(project)],
                   check=True, capture_output=True, text=True, timeout=300)
    installs = [item["metadata"]["name"] for item in json.loads(report.read_text(encoding="utf-8"))["install"]]
    assert installs == ["cnnlab-standin"]


def test_a_lesson_that_uses_mtcnn_installs_the_detection_extra_on_colab():
    users = {path.stem for path in LESSONS.glob("[0-9][0-9]*_*.py")
             if "pretrained_faces" in path.read_text(encoding="utf-8")}
    assert users, "no lesson uses the pretrained face detector any more: update LESSON_EXTRAS"
    for stem in users:
        assert "detection" in _links.LESSON_EXTRAS.get(stem, ()), stem
        assert '"cnnlab[detection] @ git+' in _links.setup_cell(lesson=stem)
    assert set(_links.LESSON_EXTRAS) <= {path.stem for path in LESSONS.glob("[0-9][0-9]*_*.py")}


def test_the_set_up_cell_holds_colabs_own_packages_with_a_constraint():
    cell = _links.setup_cell()
    pip_line = next(line for line in cell.splitlines() if "!pip install" in line)
    assert " -c /tmp/colab_keeps.txt " in pip_line
    for name in ("tensorflow", "keras", "numpy", "ipywidgets", "anywidget"):
        assert f'"{name}"' in cell


def test_a_fork_sets_its_address_in_one_command(tmp_path):
    (tmp_path / "lessons").mkdir()
    (tmp_path / "cnnlab").mkdir()
    (tmp_path / "cnnlab" / "_links.py").write_text((ROOT / "cnnlab" / "_links.py").read_text(encoding="utf-8"),
                                                   encoding="utf-8")
    (tmp_path / "README.md").write_text((ROOT / "README.md").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "lessons" / "03_relu.py").write_text((LESSONS / "03_relu.py").read_text(encoding="utf-8"),
                                                     encoding="utf-8")
    original = _links.REPOSITORY
    try:
        with pytest.raises(SystemExit):
            update_links.main(["--check", "--root", str(tmp_path), "--repository", "https://example.org/x/y"])
        assert update_links.main(["--check", "--root", str(tmp_path),
                                  "--repository", "https://github.com/my-school/cnnlab"]) == 1
        assert 'REPOSITORY = "https://github.com/my-school/cnnlab"' in (tmp_path / "cnnlab" / "_links.py").read_text(
            encoding="utf-8")
        changes = update_links.outdated(tmp_path)
        assert "github/my-school/cnnlab/blob/main/lessons/03_relu.ipynb" in changes[tmp_path / "README.md"]
        assert '"cnnlab @ git+https://github.com/my-school/cnnlab"' in changes[tmp_path / "lessons" / "03_relu.py"]
    finally:
        _links.REPOSITORY = original


def test_cnnlabs_lowest_versions_are_colabs_own():
    """The floors in pyproject.toml are exactly the versions the Colab-like CI environment tests."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    colab = {}
    for line in (ROOT / "tests" / "colab-constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, number = line.split("==")
            colab[canonicalize_name(name)] = number
    project = _pyproject()["project"]
    floors = [Requirement(text) for text in project["dependencies"] + project["optional-dependencies"]["tf"]]
    assert len(floors) >= 8
    for requirement in floors:
        (spec,) = requirement.specifier
        name = canonicalize_name(requirement.name).replace("tensorflow-cpu", "tensorflow")  # Colab's build
        assert spec.operator == ">=" and spec.version == colab[name], (str(requirement), colab.get(name))
