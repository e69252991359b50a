"""``binder/`` is what repo2docker reads: the course's own pins, cnnlab itself, a supported Python.

repo2docker (what Binder and BinderHub build images with) runs ``pip install -r binder/requirements.txt``
from the repository's root, after copying the whole repository in (a requirements file that includes
another one, or installs ``-e .``, makes it do so), with the Python that ``binder/runtime.txt`` names.
We cannot run Docker here; the honest check is to do what it does in this environment:

* the files agree: every pin of ``binder/`` equals ``requirements.txt``'s, ``-e .`` installs cnnlab, and
  the Python version is one the package supports;
* resolving ``binder/requirements.txt`` from a copy of the repository, as repo2docker would, changes
  nothing here but installing cnnlab itself and its Jupyter settings (``jupyter_config/``) (pip
  ``--dry-run``, no index: nothing to download);
* JupyterLab started as the image starts it, at the Binder badge's ``urlpath``, opens lesson 00 and
  runs it, and a widget draws in the same server (browser part: Debian's Chromium, 127.0.0.1 only).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from cnnlab import _links

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

    ``kind`` is ``"pin"`` for a requirement, ``"editable"`` for ``-e PATH`` and ``"local"`` for a plain
    ``./PATH`` (paths pip takes relative to the folder it runs in, not to the file). Comments and blank
    lines are skipped.
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
        elif line.startswith(("./", "../")):
            found.append(("local", line, path))
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
    """The Python versions the course supports, as CONTRIBUTING.md states them ("Python 3.11 to 3.13")."""
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


def test_binder_installs_the_courses_jupyter_settings_from_the_repository_root():
    """A plain (not editable) install of ``jupyter_config/``: pip installs data files only that way."""
    locals_ = [(text, where.name) for kind, text, where in requirement_lines(BINDER / "requirements.txt")
               if kind == "local"]
    assert locals_ == [("./jupyter_config", "requirements.txt")], locals_
    project = tomllib.loads((REPO / "jupyter_config" / "pyproject.toml").read_text())
    data_files = project["tool"]["setuptools"]["data-files"]
    for target, sources in data_files.items():
        # a .d folder of its own (no file of the learner's is replaced), Voila's template folder, or
        # voila.json: Voila reads only that name, from every Jupyter config folder (the user's wins)
        assert target.endswith(".d") or target in VOILA_TARGETS, f"{target}: a .d folder, no user file"
        for source in sources:
            path = REPO / "jupyter_config" / source
            assert path.is_file(), source
            if path.suffix == ".json":
                assert json.loads(path.read_text()), source
    # the template is the package's own files (the one copy), so plain voila and cnnlab demo show one page
    template = sorted((REPO / "cnnlab/share/jupyter/voila/templates/cnnlab").iterdir())
    shipped = data_files["share/jupyter/voila/templates/cnnlab"]
    assert sorted((REPO / "jupyter_config" / s).resolve() for s in shipped) == template


VOILA_TARGETS = ("etc/jupyter", "share/jupyter/voila/templates/cnnlab")


def test_the_installed_lab_settings_turn_off_the_news_and_shut_kernels_down_with_their_tab():
    """JupyterLab's defaults as the course's environment overrides them (``overrides.d``), read the way
    jupyterlab_server reads them, and valid against each plugin's own schema."""
    import jsonschema
    from jupyterlab.commands import get_app_dir
    from jupyterlab_server.settings_utils import _get_overrides

    settings_dir = Path(get_app_dir()) / "settings"
    overrides, error = _get_overrides(str(settings_dir))
    assert not error, error
    news = overrides["@jupyterlab/apputils-extension:notification"]
    assert news["fetchNews"] == "false" and news["checkForUpdates"] is False, news
    assert overrides["@jupyterlab/notebook-extension:tracker"]["kernelShutdown"] is True, overrides
    for plugin, values in overrides.items():
        package, name = plugin.split(":")
        schema = json.loads((Path(get_app_dir()) / "schemas" / package / f"{name}.json").read_text())
        jsonschema.validate(values, {**schema, "required": []})


def test_voila_json_matches_what_cnnlab_demo_passes():
    from cnnlab import _servers

    config = json.loads((REPO / "jupyter_config" / "voila.json").read_text())["VoilaConfiguration"]
    assert config["template"] == _servers.VOILA_TEMPLATE
    assert tuple(config["extension_denylist"]) == _servers.VOILA_DENYLIST


def test_plain_voila_in_the_courses_environment_serves_the_offline_page(tmp_path):
    """A teacher who types ``voila talk.ipynb`` gets the course's template: no link to a CDN."""
    import urllib.request

    from cnnlab._servers import free_port, isolated_env

    talk = tmp_path / "talk.ipynb"
    talk.write_text(json.dumps({"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# Hello"}],
                                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    port = free_port()
    env = isolated_env(tmp_path / "base")
    env.pop("JUPYTER_PATH", None)  # nothing of cnnlab demo's: only what the environment installed
    command = [sys.executable, "-m", "voila", str(talk), "--no-browser", "--Voila.ip=127.0.0.1",
               f"--Voila.port={port}", "--Voila.port_retries=0", "--Voila.token="]
    with open(tmp_path / "voila.log", "wb") as log:
        proc = subprocess.Popen(command, cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        page = None
        for _ in range(240):  # 60 s at most
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
                    page = response.read().decode()
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.25)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # its own session: the server and its kernel, nothing else
        proc.wait(timeout=30)
    assert page is not None, (tmp_path / "voila.log").read_text(errors="replace")[-3000:]
    assert "Hello" in page
    # what the page loads by itself: stylesheets and scripts (nbconvert's mermaid import is code that runs
    # only for a mermaid diagram, which the course does not use)
    loaded = re.findall(r"<(?:link|script)\b[^>]*\b(?:href|src)=[\"']([^\"']+)", page)
    remote = [url for url in loaded if re.match(r"(https?:)?//", url)]
    assert loaded and not remote, f"plain voila's page loads from elsewhere: {remote}"


def test_the_installed_settings_turn_off_voilas_preview_extension():
    """What ``./jupyter_config`` installed, as JupyterLab and Notebook 7 read it (all config levels)."""
    from jupyterlab_server.config import get_static_page_config

    disabled = get_static_page_config(level="all").get("disabledExtensions", {})
    assert disabled.get("@voila-dashboards/jupyterlab-preview") is True, disabled


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
    shutil.copytree(REPO / "jupyter_config", target / "jupyter_config",
                    ignore=shutil.ignore_patterns("build", "*.egg-info"))
    return target


def test_installing_binder_requirements_here_would_change_nothing_but_the_courses_own_packages(tmp_path):
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
    # pip reinstalls a local folder every time: the course's two own packages, nothing from an index
    assert set(installs) == {"cnnlab", "cnnlab-jupyter-config"}, f"installing binder/ would change: {sorted(installs)}"
    assert installs["cnnlab"]["download_info"]["url"] == repo.as_uri(), "cnnlab must come from the repository"
    assert installs["cnnlab-jupyter-config"]["download_info"]["url"] == (repo / "jupyter_config").as_uri()


# ---------------------------------------------------------------------------------------------
# JupyterLab as the image starts it, at the badge's urlpath, in a real browser
# ---------------------------------------------------------------------------------------------


def _badge_urlpath() -> str:
    """The ``urlpath`` of lesson 00's Binder badge: what JupyterLab opens first on Binder."""
    query = parse_qs(urlsplit(_links.binder_url("lessons/00_welcome.ipynb")).query)
    return query["urlpath"][0]


WIDGET_CHECK = ("from cnnlab.widgets import ConvolutionWidget\n"
                "ConvolutionWidget('astronaut', 'sobel_x')")
