"""An executed notebook exported to HTML shows each widget's still picture, with nothing to fetch.

Each widget's display data carries, beside the live widget view, a still PNG of itself and one line
on how to get the live version (``text/html``). nbconvert shows one entry per output. When the
executed notebook keeps its widget state (nbconvert's default), nbconvert picks the live view, which
needs the widget manager from a CDN: blank offline. With ``--ExecutePreprocessor.store_widget_state=False``
it picks the still picture. The README's export command passes that option; these tests run it.
"""

from __future__ import annotations

import base64
import io
import re
import subprocess
import sys

import nbformat
import numpy as np
import pytest
from PIL import Image

from cnnlab.widgets import ConvolutionWidget
from cnnlab.widgets._base import LIVE_HINT, STILL_PANEL_PX

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
