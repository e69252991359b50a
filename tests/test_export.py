"""An executed notebook exported to HTML shows each widget's still picture, with nothing to fetch.

Each widget's display data carries, beside the live widget view, a still PNG of itself and one line
on how to get the live version (``text/html``). nbconvert shows one entry per output. When the
executed notebook keeps its widget state (nbconvert's default), nbconvert picks the live view, which
needs the widget manager from a CDN: blank offline. With ``--ExecutePreprocessor.store_widget_state=False``
it picks the still picture. The README's export command passes that option; these tests run it, on
a one-widget notebook and on the whole of lesson 02.
"""

from __future__ import annotations

import base64
import io
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from PIL import Image

from cnnlab.widgets import ConvolutionWidget
from cnnlab.widgets._base import LIVE_HINT, STILL_PANEL_PX

REPO = Path(__file__).resolve().parents[1]
CELL = "from cnnlab.widgets import ConvolutionWidget\nConvolutionWidget('coins', 'sobel_y')"
#: the export command of the README, for one notebook
EXPORT = ["-m", "jupyter", "nbconvert", "--execute", "--to", "html"]
NO_STATE = "--ExecutePreprocessor.store_widget_state=False"


def _notebook(folder) -> str:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "one_widget.ipynb"
    nbformat.write(notebook, path)
    return str(path)


def _export(folder, *options: str) -> str:
    command = [sys.executable, *EXPORT, *options, _notebook(folder), "--output-dir", str(folder)]
    report = subprocess.run(command, check=False, capture_output=True, text=True, timeout=180, cwd=folder)
    assert report.returncode == 0, report.stderr[-2000:]
    return (folder / "one_widget.html").read_text(encoding="utf-8")


def _pictures(page: str) -> list[np.ndarray]:
    found = re.findall(r'<img [^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    return [np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")) for data in found]


@pytest.fixture(scope="module")
def still_page(tmp_path_factory):
    return _export(tmp_path_factory.mktemp("export"), NO_STATE)


def test_the_export_shows_the_widgets_still_picture(still_page):
    expected = ConvolutionWidget("coins", "sobel_y").frame(0, panel_px=STILL_PANEL_PX)
    pictures = _pictures(still_page)
    assert len(pictures) == 1, f"{len(pictures)} pictures in the page"
    assert np.array_equal(pictures[0], np.asarray(expected.convert("RGB"))), "not the widget's still frame"
    assert LIVE_HINT.split(":")[0] in still_page


def test_the_still_picture_needs_nothing_from_outside_the_file(still_page):
    assert "application/vnd.jupyter.widget-view+json" not in still_page
    assert "html-manager" not in still_page and "embed-amd.js" not in still_page, "a widget manager is loaded"
    assert 'src="data:image/png;base64,' in still_page  # the picture is inside the file itself


def test_with_the_widget_state_kept_nbconvert_shows_the_live_view_instead(tmp_path):
    """Why the export command needs the option: nbconvert's choice, not ours (if this changes, drop it)."""
    page = _export(tmp_path)
    assert _pictures(page) == []
    assert "application/vnd.jupyter.widget-view+json" in page and "html-manager" in page


# --------------------------------------------------------------------------- lesson 02, whole

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def lesson_02_exported(tmp_path_factory):
    """Lesson 02 executed without widget state (the README's export option) and exported to HTML, by
    nbconvert's own classes: the README's command does these two steps. Returns (executed, page)."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import ExecutePreprocessor

    folder = tmp_path_factory.mktemp("lesson_02")
    notebook = nbformat.read(REPO / "lessons" / "02_convolution.ipynb", as_version=4)
    executor = ExecutePreprocessor(timeout=300, kernel_name="python3", store_widget_state=False)
    executor.preprocess(notebook, {"metadata": {"path": str(folder)}})
    page, _resources = HTMLExporter().from_notebook_node(notebook)
    return notebook, page


def _widget_outputs(notebook) -> list[dict]:
    return [out["data"] for cell in notebook.cells if cell.cell_type == "code"
            for out in cell.get("outputs", []) if WIDGET_VIEW in out.get("data", {})]


def test_every_widget_of_lesson_02_shows_its_own_still_picture_in_the_export(lesson_02_exported):
    notebook, page = lesson_02_exported
    widgets = _widget_outputs(notebook)
    assert len(widgets) == 2, f"lesson 02 shows two convolution widgets, not {len(widgets)}"
    assert WIDGET_VIEW not in page and "html-manager" not in page, "the page asks for the live widgets"
    assert page.count(LIVE_HINT.split(":")[0]) == len(widgets), "one line on the live version per widget"
    for data in widgets:
        png = data["image/png"]
        assert f'src="data:image/png;base64,{png}"' in page, "a widget's still picture is not in the page"
        still = np.asarray(Image.open(io.BytesIO(base64.b64decode(png))).convert("RGB"))
        colours = len(np.unique(still.reshape(-1, 3), axis=0))
        assert still.shape[0] > 50 and still.shape[1] > 100 and colours > 20, (still.shape, colours)
