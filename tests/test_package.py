"""The package surface: every advertised name exists, and the light import stays light."""

import importlib
import subprocess
import sys
from pathlib import Path

import cnnlab


def test_every_name_in_all_imports():
    for name in cnnlab.__all__:
        assert getattr(cnnlab, name) is not None, name


def test_star_import_works():
    namespace = {}
    exec("from cnnlab import *", namespace)  # noqa: S102 - a star import can only be run as text
    assert {"ops", "images", "widgets", "doctor"} <= set(namespace)


def test_submodules_listed_are_real_files():
    root = Path(cnnlab.__file__).parent
    for name in cnnlab._SUBMODULES:
        assert (root / f"{name}.py").exists() or (root / name / "__init__.py").exists(), name
        assert importlib.import_module(f"cnnlab.{name}").__name__ == f"cnnlab.{name}"


def test_py_typed_marker_ships():
    assert (Path(cnnlab.__file__).parent / "py.typed").is_file()


def test_import_is_light():
    code = "import sys, cnnlab; print(sorted(m for m in ('tensorflow', 'keras', 'matplotlib', 'anywidget') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
