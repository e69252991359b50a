"""``binder/`` is what repo2docker reads: the course's own pins, cnnlab itself, a supported Python.

repo2docker (what Binder and BinderHub build images with) runs ``pip install -r binder/requirements.txt``
from the repository's root, after copying the whole repository in (a requirements file that includes
another one, or installs ``-e .``, makes it do so), with the Python that ``binder/runtime.txt`` names.
We cannot run Docker here; the honest check is to do what it does in this environment:

* the files agree: every pin of ``binder/`` equals ``requirements.txt``'s, ``-e .`` installs cnnlab, and
  the Python version is one the package supports;
* resolving ``binder/requirements.txt`` from a copy of the repository, as repo2docker would, changes
  nothing here but installing cnnlab itself (pip ``--dry-run``, no index: nothing to download);
* JupyterLab started as the image starts it, at the Binder badge's ``urlpath``, opens lesson 00 and
  runs it, and a widget draws in the same server (browser part: Debian's Chromium, 127.0.0.1 only).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from cnnlab import _links, _servers

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, as pip ships it
    from pip._vendor import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
BINDER = REPO / "binder"


# ---------------------------------------------------------------------------------------------
# Reading requirements files as pip does (includes are relative to the file that names them)
# ---------------------------------------------------------------------------------------------


def requirement_lines(path: Path, _seen: frozenset = frozenset()) -> list[tuple[str, str, Path]]:
    """The requirements of ``path`` with its ``-r`` includes followed: ``(kind, text, file)`` each.

    ``kind`` is ``"pin"`` for a requirement and ``"editable"`` for ``-e PATH`` (a path pip takes
    relative to the folder it runs in, not to the file). Comments and blank lines are skipped.
    """
    path = path.resolve()
    if path in _seen:
        raise ValueError(f"{path} includes itself")
    found = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ")):
            found += requirement_lines(path.parent / line.split(maxsplit=1)[1], _seen | {path})
        elif line.startswith(("-e ", "--editable ")):
            found.append(("editable", line.split(maxsplit=1)[1], path))
        elif line.startswith("-"):
            found.append(("option", line, path))
        else:
            found.append(("pin", line, path))
    return found


def pins(path: Path) -> dict[str, str]:
    """``{normalised name: version}`` of the ``name==version`` requirements of ``path`` and its includes.

    Raises ``ValueError`` for a requirement that is not pinned exactly, or pinned twice differently.
    """
    found: dict[str, str] = {}
    for kind, text, where in requirement_lines(path):
        if kind != "pin":
            continue
        requirement = Requirement(text)
        exact = [spec.version for spec in requirement.specifier if spec.operator == "=="]
        if len(exact) != 1:
            raise ValueError(f"{where.name}: {text!r} is not pinned with ==")
        name = canonicalize_name(requirement.name)
        if found.get(name, exact[0]) != exact[0]:
            raise ValueError(f"{name} pinned twice: {found[name]} and {exact[0]}")
        found[name] = exact[0]
    return found


def supported_pythons() -> tuple[Version, Version]:
    """The Python versions the course supports, as CONTRIBUTING.md states them ("Python 3.10 to 3.12")."""
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    found = re.search(r"Python (3\.\d+) to (3\.\d+)", text)
    assert found, "CONTRIBUTING.md no longer says which Python versions are supported"
    return Version(found.group(1)), Version(found.group(2))


def runtime_python() -> Version:
    text = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    found = re.fullmatch(r"python-(3\.\d+)", text)
    assert found, f"binder/runtime.txt must read 'python-3.X' as repo2docker expects, got {text!r}"
    return Version(found.group(1))


# ---------------------------------------------------------------------------------------------
# The files agree
# ---------------------------------------------------------------------------------------------


def test_binder_installs_every_pin_of_requirements_txt_and_no_other_version():
    course, binder = pins(REPO / "requirements.txt"), pins(BINDER / "requirements.txt")
    assert binder == course, {name: (binder.get(name), course.get(name)) for name in set(binder) | set(course)
                              if binder.get(name) != course.get(name)}
    assert {"jupyterlab", "anywidget", "ipywidgets"} <= set(binder), "JupyterLab and the widget front ends"


def test_binder_installs_cnnlab_itself_from_the_repository_root():
    editables = [(text, where.name) for kind, text, where in requirement_lines(BINDER / "requirements.txt")
                 if kind == "editable"]
    # repo2docker runs pip from the repository's root: "." there is the folder with pyproject.toml
    assert editables == [(".", "requirements.txt")], editables
    assert (REPO / "pyproject.toml").is_file()


def test_runtime_python_is_one_the_course_supports():
    python = runtime_python()
    lowest, highest = supported_pythons()
    requires = SpecifierSet(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"])
    assert lowest <= python <= highest, f"binder/runtime.txt asks for {python}, supported: {lowest} to {highest}"
    assert python in requires, f"pyproject.toml requires-python {requires} excludes {python}"


def test_the_pins_meet_the_package_and_test_requirements():
    course = pins(REPO / "requirements.txt")
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + [r for r in project["optional-dependencies"]["test"]
                                        if canonicalize_name(Requirement(r).name) in course]
    for text in wanted:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in course, f"{name} (a dependency of cnnlab) is not pinned in requirements.txt"
        assert requirement.specifier.contains(course[name], prereleases=True), \
            f"requirements.txt pins {name}=={course[name]}, pyproject.toml asks {requirement.specifier}"


def test_a_broken_binder_file_is_caught(tmp_path):
    (tmp_path / "requirements.txt").write_text("numpy==2.4.6\n-e .\n")
    (tmp_path / "binder").mkdir()
    binder = tmp_path / "binder" / "requirements.txt"
    binder.write_text("-r ../requirements.txt\nnumpy==2.0.0\n")
    with pytest.raises(ValueError, match="numpy pinned twice"):
        pins(binder)
    binder.write_text("-r ../requirements.txt\nmatplotlib>=3\n")
    with pytest.raises(ValueError, match="not pinned"):
        pins(binder)


# ---------------------------------------------------------------------------------------------
# Installing binder/requirements.txt as repo2docker does changes nothing here
# ---------------------------------------------------------------------------------------------


def _repository_copy(target: Path) -> Path:
    """What repo2docker copies into the image, minus what the install does not read (lessons, tests)."""
    target.mkdir()
    for name in ("pyproject.toml", "README.md", "requirements.txt"):
        shutil.copy(REPO / name, target / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "binder", target / "binder", ignore=ignore)
    shutil.copytree(REPO / "cnnlab", target / "cnnlab", ignore=ignore)
    return target


def test_installing_binder_requirements_here_would_change_nothing_but_cnnlab(tmp_path):
    """``pip install -r binder/requirements.txt`` from the root, dry run, offline: every pin is met already."""
    repo = _repository_copy(tmp_path / "repo")
    report_path = tmp_path / "report.json"
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--no-build-isolation",
               "--quiet", "--report", str(report_path), "-r", "binder/requirements.txt"]
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=180, check=False,
                          env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    assert done.returncode == 0, f"pip could not resolve binder/requirements.txt offline:\n{done.stderr[-3000:]}"
    installs = {canonicalize_name(item["metadata"]["name"]): item for item in json.loads(report_path.read_text())
                ["install"]}
    assert set(installs) == {"cnnlab"}, f"installing binder/ would change: {sorted(installs)}"
    assert installs["cnnlab"]["download_info"]["url"] == repo.as_uri(), "cnnlab must come from the repository"


# ---------------------------------------------------------------------------------------------
# JupyterLab as the image starts it, at the badge's urlpath, in a real browser
# ---------------------------------------------------------------------------------------------


def _badge_urlpath() -> str:
    """The ``urlpath`` of lesson 00's Binder badge: what JupyterLab opens first on Binder."""
    query = parse_qs(urlsplit(_links.binder_url("lessons/00_welcome.ipynb")).query)
    return query["urlpath"][0]


WIDGET_CHECK = ("from cnnlab.widgets import ConvolutionWidget\n"
                "ConvolutionWidget('astronaut', 'sobel_x')")


def _require_browser() -> None:
    reason = _servers.browser_unavailable_reason()
    if reason is None:
        return
    if os.environ.get("CNNLAB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"CNNLAB_REQUIRE_BROWSER=1 but the browser test cannot run: {reason}", pytrace=False)
    pytest.skip(f"browser test skipped: {reason}")


@pytest.mark.browser
@pytest.mark.timeout(240)
def test_jupyterlab_opens_lesson_00_at_the_badges_urlpath_and_widgets_draw(tmp_path):
    import nbformat

    _require_browser()
    from playwright.sync_api import sync_playwright

    urlpath = _badge_urlpath()
    assert urlpath == "lab/tree/lessons/00_welcome.ipynb", urlpath
    repo = tmp_path / "repo"  # a copy: the notebooks run here, autosave never touches the checkout
    shutil.copytree(REPO / "lessons", repo / "lessons", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    check = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(WIDGET_CHECK)])
    check.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(check, repo / "widget_check.ipynb")
    artifacts = REPO / "tests" / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)

    with _servers.JupyterProcess("lab", repo, tmp_path / "lab") as server, sync_playwright() as playwright:
        browser = _servers.launch_chromium(playwright, home=tmp_path / "chromium-home")
        try:
            context, log = _servers.new_guarded_context(browser, viewport={"width": 1280, "height": 720})
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(server.url + urlpath, wait_until="domcontentloaded")
            try:
                page.wait_for_function(_servers._LAB_KERNEL_IDLE, timeout=90_000, polling=250)
            except Exception:
                page.screenshot(path=str(artifacts / "binder-failed-to-open.png"))
                raise
            title = page.evaluate("() => window.jupyterapp.shell.currentWidget.title.label")
            assert title == "00_welcome.ipynb", f"the badge's urlpath opened {title!r}"
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            # done: the kernel is idle and every code cell ran, or one raised (run-all stops there)
            page.wait_for_function("""() => {
                const panel = window.jupyterapp.shell.currentWidget;
                const cells = panel.content.widgets.filter((c) => c.model.type === 'code');
                const raised = cells.some((c) => c.model.outputs.toJSON().some((o) => o.output_type === 'error'));
                return panel.sessionContext.session.kernel.status === 'idle'
                    && (raised || cells.every((c) => c.model.executionCount !== null));
            }""", timeout=120_000, polling=500)
            errors = page.evaluate("""() => window.jupyterapp.shell.currentWidget.content.widgets
                .flatMap((c) => c.model.type === 'code' ? c.model.outputs.toJSON() : [])
                .filter((o) => o.output_type === 'error').map((o) => o.ename + ': ' + o.evalue)""")
            assert errors == [], f"lesson 00 raised on Binder's JupyterLab: {errors}"
            doctor_says = page.locator(".jp-OutputArea-output", has_text="cnnlab doctor").first.inner_text()
            assert re.search(r"widgets\s+yes", doctor_says), doctor_says
            page.screenshot(path=str(artifacts / "binder-lesson-00.png"))

            # a new page on the check notebook alone: "?reset" keeps JupyterLab from restoring lesson 00's tab
            page.close()
            page = context.new_page()
            page.set_default_timeout(60_000)
            seconds = _servers.open_notebook(page, server, "widget_check.ipynb?reset", expect_widgets=1)
            root = _servers.widget_root(page, "convolution")
            page.wait_for_function("el => Number(el.dataset.frames || 0) > 0 || el.dataset.ready === 'true'",
                                   arg=root.element_handle())
            colours = root.evaluate("""(el) => { const c = el.querySelector('canvas.cnnlab-input');
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                const seen = new Set(); for (let i = 0; i < d.length; i += 4 * 11) seen.add(d[i] * 65536 + d[i + 1] * 256 + d[i + 2]);
                return seen.size; }""")
            assert colours > 50, f"the widget's photo is not drawn ({colours} colours)"
            root.screenshot(path=str(artifacts / "binder-widget.png"))
            print(f"\nBinder's JupyterLab: lesson 00 ran clean; a widget drew in {seconds:.1f} s")
            assert not log.errors(), log.errors()
            assert log.blocked == [], f"requests left the machine: {log.blocked}"
        finally:
            browser.close()
