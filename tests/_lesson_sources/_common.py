"""Shared pieces of the lesson builders (build_01_... to build_06_...).

Each builder lists a lesson's cells as Python strings and writes the notebook
with no outputs and no execution counts. Run one with
``python tests/_lesson_sources/build_02_convolution.py`` (all of them:
``for f in tests/_lesson_sources/build_0[1-6]*.py; do python $f; done``).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

LESSONS = Path(__file__).resolve().parents[2] / "lessons"

SETUP = '''# Set-up: on Colab this installs cnnlab; anywhere else it does nothing.
import sys
if "google.colab" in sys.modules:
    !pip install -q "cnnlab @ git+https://github.com/cnnlab/cnnlab"
    from google.colab import output
    output.enable_custom_widget_manager()'''

QUIET_TF = '''import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"     # hide TensorFlow's start-up messages
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"    # exact, repeatable float arithmetic on CPU'''


def md(text: str):
    """A markdown cell (leading and trailing blank lines removed)."""
    return new_markdown_cell(text.strip("\n"))


def code(text: str):
    """A code cell with no outputs and no execution count."""
    return new_code_cell(text.strip("\n"))


def write(filename: str, cells: list) -> Path:
    """Write ``lessons/<filename>`` with the python3 kernelspec."""
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    })
    for i, cell in enumerate(nb.cells):  # stable ids: rebuilding gives a clean diff
        cell["id"] = f"cell-{i:02d}"
    nbformat.validate(nb)
    path = LESSONS / filename
    nbformat.write(nb, path)
    print("wrote", path)
    return path
