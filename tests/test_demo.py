"""cnnlab.demo: the instructor demo's chain of widgets, its photo and its upload button (no front end)."""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from cnnlab import demo, images, ops


def _png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def _upload(chain: demo.PhotoChain, name: str, content) -> None:
    """What ipywidgets.FileUpload sends when the presenter picks a file."""
    chain._on_upload({"new": ({"name": name, "type": "image/png", "size": len(content), "content": content},)})


def test_the_photo_is_the_one_given_to_the_command_else_the_astronaut(monkeypatch):
    monkeypatch.delenv(demo.PHOTO_VARIABLE, raising=False)
    assert demo.photo() == "astronaut" and "astronaut" in images.names()
    monkeypatch.setenv(demo.PHOTO_VARIABLE, "/home/teacher/class.jpg")
    assert demo.photo() == "/home/teacher/class.jpg"
    monkeypatch.setenv(demo.PHOTO_VARIABLE, "  ")
    assert demo.photo() == "astronaut"


def test_a_photo_that_cannot_be_opened_falls_back_to_the_astronaut_and_says_so(tmp_path):
    chain = demo.PhotoChain(str(tmp_path / "gone.jpg"))
    assert "astronaut" in repr(chain.convolution)
    chain.upload_row()
    assert chain.status.startswith("Could not open ") and "showing astronaut instead" in chain.status


def test_each_step_of_the_chain_is_what_ops_computes_from_the_step_before():
    chain = demo.PhotoChain("coins")
    conv, relu, pool, flat = chain.widgets
    assert np.array_equal(relu.output, ops.relu(conv.output))
    assert np.array_equal(pool.output, ops.max_pool(relu.output, 2))
    assert np.array_equal(flat.output, ops.flatten(ops.max_pool(pool.output, demo.FLATTEN_POOL)))
    assert 10 <= flat.steps <= 100, "the flattened vector should be short enough to read in class"


def test_a_new_kernel_in_the_convolution_widget_flows_on_to_the_next_steps():
    chain = demo.PhotoChain("camera")
    assert chain.convolution.request("kernel", "laplacian")  # as the kernel menu of the page does
    assert np.array_equal(chain.relu.output, ops.relu(chain.convolution.output))
    assert np.array_equal(chain.pooling.output, ops.max_pool(chain.relu.output, 2))


def test_an_uploaded_photo_goes_through_every_step_and_the_line_says_so():
    chain = demo.PhotoChain()
    chain.upload_row()
    pixels = images.load("coins")
    _upload(chain, "class photo.png", memoryview(_png(pixels)))
    assert chain.status == "Showing class photo.png, 303×384 pixels."
    expected = demo.PhotoChain(pixels)
    for shown, computed in zip(chain.widgets, expected.widgets):
        assert np.array_equal(shown.output, computed.output)


@pytest.mark.parametrize("name, content, words", [
    ("notes.png", b"lecture notes, not a picture", "not an image file that Pillow can read"),
    ("empty.jpg", b"", "empty.jpg is empty"),
    ("tiny.png", _png(np.zeros((3, 3), np.uint8)), "too small for the steps after the convolution"),
    ("../../etc/cat.png", b"\x89PNG\r\n\x1a\n broken", "'cat.png'"),
], ids=["text", "empty", "too small", "a path in the name"])
def test_a_file_that_cannot_be_shown_gives_one_line_and_keeps_the_photo(name, content, words):
    chain = demo.PhotoChain("camera")
    chain.upload_row()
    before = [w.output for w in chain.widgets]
    _upload(chain, name, content)
    line = chain.status
    assert line.startswith("Could not show ") and words in line and "\n" not in line, line
    assert "Traceback" not in line and "/tmp" not in line and "_io." not in line, line
    assert all(np.array_equal(w.output, b) for w, b in zip(chain.widgets, before))
    assert "camera" in repr(chain.convolution), "the bundled photo's name was lost on the way back"


def test_read_upload_checks_its_arguments(monkeypatch):
    with pytest.raises(TypeError, match="name must be"):
        demo.read_upload(None, b"x")
    with pytest.raises(TypeError, match="content must be"):
        demo.read_upload("a.png", "not bytes")
    monkeypatch.setattr(images, "MAX_FILE_BYTES", 100)
    with pytest.raises(ValueError, match="big.png is 101 bytes, more than the 100"):
        demo.read_upload("big.png", bytes(101))
    assert demo.read_upload("ok.png", _png(np.full((8, 9), 7, np.uint8))).shape == (8, 9)


def test_the_status_line_escapes_the_file_name():
    chain = demo.PhotoChain("camera")
    chain.upload_row()
    _upload(chain, "<b>x</b>.png", b"nope")
    assert "<b>" not in chain._status.value and chain.status.startswith("Could not show <b>x</b>.png")


def test_building_the_chain_does_not_import_tensorflow():
    # a fresh interpreter: an earlier test in this process may have imported TensorFlow already
    code = ("import sys; from cnnlab import demo; demo.PhotoChain('coins'); "
            "print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]
