"""The course on Colab's own packages: run in the Colab-like environment that ``.ci/run`` builds.

That environment holds the versions of ``tests/colab-constraints.txt`` (Colab's published list)
and then runs a lesson's set-up cell as Colab would (``tests/colab_setup.py``). These tests check
that the cell changes none of Colab's packages and that the environment still is Colab's. In any
other environment they are skipped; ``.ci/run`` sets ``CNNLAB_COLAB_LIKE=1`` there, and then a
skip would be a failure.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import colab_setup

from cnnlab import _links

CONSTRAINTS = Path(__file__).resolve().parent / "colab-constraints.txt"

pytestmark = pytest.mark.skipif(os.environ.get("CNNLAB_COLAB_LIKE") != "1",
                                reason="only in the Colab-like environment .ci/run builds (CNNLAB_COLAB_LIKE=1)")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def colab_versions() -> dict[str, str]:
    """``{name: version}`` of Colab's published list."""
    pins = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, number = line.split("==")
            pins[_normal(name)] = number
    return pins


def _installed(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def test_the_constraints_file_is_colabs_list():
    pins = colab_versions()
    assert len(pins) > 500
    assert {"tensorflow", "keras", "numpy", "ipywidgets", "anywidget"} <= set(pins)
    assert sys.version_info[:2] == (3, 13), "Colab runs Python 3.13"


def test_every_colab_package_here_has_colabs_version():
    """The set-up cell and the test tools changed nothing Colab has: each is still at Colab's version."""
    pins = colab_versions()
    present = {name: _installed(name) for name in pins}
    present = {name: number for name, number in present.items() if number is not None}
    assert {"tensorflow", "keras", "numpy", "ipywidgets", "widgetsnbextension", "anywidget"} <= set(present)
    drifted = {name: (number, pins[name]) for name, number in present.items() if number != pins[name]}
    assert drifted == {}, f"installed vs Colab's: {drifted}"


@pytest.mark.parametrize("lesson", ["00_welcome", *_links.LESSON_EXTRAS])
def test_the_set_up_cell_would_change_none_of_colabs_packages(lesson, tmp_path):
    report = tmp_path / "report.json"
    printed = colab_setup.run_setup_cell(lesson, dry_run=True, report=report)
    installs = colab_setup.would_install(report)
    assert "cnnlab" in installs
    pins = colab_versions()
    changed = {name: (pins[name], number) for name, number in installs.items()
               if name in pins and _installed(name) is not None and number != pins[name]}
    assert changed == {}, f"Colab's version vs what the cell would install: {changed}"
    assert len(printed) == 1 and printed[0].endswith("kept as they were"), printed
    for name in _links.COLAB_KEEPS:
        assert f"{name} {pins[_normal(name)]}" in printed[0]


def test_the_shipped_models_load_on_colabs_keras():
    from cnnlab import training
    from cnnlab.detection import faces

    assert version("keras") == colab_versions()["keras"]
    assert training.load_digits_model().count_params() == training.build_model("course").count_params()
    classifier, _one_pass = faces.load_face_detector()
    assert classifier.count_params() == faces.face_classifier().count_params()


def test_pip_check_is_clean():
    result = subprocess.run([sys.executable, "-m", "pip", "check"], check=False, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
