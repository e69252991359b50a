"""datasets.load_cats_dogs: an online extra that falls back in one sentence and reads only what it expects."""

import io
import socket
import time
import zipfile

import numpy as np
import pytest
from PIL import Image

from cnnlab import _net, datasets
from cnnlab.datasets import cats_dogs


def _jpeg(color, size=(90, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG")
    return buffer.getvalue()


def _archive(extra=()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for part, count in (("train", 4), ("validation", 2)):
            for folder, color in (("cats", (200, 30, 30)), ("dogs", (30, 30, 200))):
                for i in range(count):
                    zf.writestr(f"cats_and_dogs_filtered/{part}/{folder}/{folder[:-1]}.{i}.jpg", _jpeg(color))
        for name, data in extra:
            zf.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def served(monkeypatch):
    """The download returns a small archive of the tutorial's layout."""
    calls = []

    def fetch(url, *, deadline=None, max_bytes=None, instead=None):
        calls.append((url, deadline, max_bytes))
        return _archive()

    monkeypatch.setattr(_net, "fetch", fetch)
    return calls


def test_photos_come_back_as_square_arrays_with_labels(served):
    (x_train, y_train), (x_val, y_val) = datasets.load_cats_dogs(per_class=3, size=32)
    assert x_train.shape == (6, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.tolist() == [0, 0, 0, 1, 1, 1] and x_val.shape == (2, 32, 32, 3) and y_val.tolist() == [0, 1]
    assert x_train[0, :, :, 0].mean() > 150 > x_train[0, :, :, 2].mean()      # the red "cats"
    assert x_train[-1, :, :, 2].mean() > 150 > x_train[-1, :, :, 0].mean()    # the blue "dogs"
    url, deadline, max_bytes = served[0]
    assert url == datasets.cats_dogs.CATS_DOGS_URL and deadline > 10 and max_bytes <= 100 * 2**20


def test_offline_says_one_sentence_and_returns_none_at_once(monkeypatch, capsys):
    monkeypatch.setenv("CNNLAB_OFFLINE", "1")
    opened = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: opened.append(a))
    start = time.perf_counter()
    assert datasets.load_cats_dogs() is None
    assert time.perf_counter() - start < 1 and opened == []
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "online extra" in out and "CNNLAB_OFFLINE" in out


def test_online_raises_connection_error_offline(monkeypatch):
    monkeypatch.setenv("CNNLAB_OFFLINE", "1")
    with pytest.raises(ConnectionError, match="CNNLAB_OFFLINE"):
        datasets.load_cats_dogs(source="online")


@pytest.mark.parametrize("payload", [b"", b"<html>not found</html>", _archive()[:5000]])
def test_a_broken_download_falls_back(monkeypatch, capsys, payload):
    monkeypatch.setattr(_net, "fetch", lambda url, **kw: payload)
    assert datasets.load_cats_dogs(per_class=2) is None
    assert capsys.readouterr().out.count("\n") == 1


def test_only_the_expected_members_are_read_and_nothing_is_written(monkeypatch, tmp_path):
    evil = [("../../escape.jpg", _jpeg((0, 255, 0))),
            ("cats_and_dogs_filtered/train/cats/../../../x.jpg", _jpeg((0, 255, 0))),
            ("cats_and_dogs_filtered/train/cats/huge.jpg", b"\0" * (cats_dogs.MAX_PHOTO_BYTES + 1))]
    monkeypatch.setattr(_net, "fetch", lambda url, **kw: _archive(evil))
    monkeypatch.chdir(tmp_path)
    (x_train, _labels), _ = datasets.load_cats_dogs(per_class=4, size=16)
    assert len(x_train) == 8 and not (x_train[:, :, :, 1] > 200).any()   # no green photo was read
    assert list(tmp_path.iterdir()) == []


BAD = [
    ({"per_class": 0}, ValueError, "per_class"),
    ({"per_class": 1001}, ValueError, "per_class"),
    ({"per_class": 2.5}, TypeError, "per_class"),
    ({"size": 8}, ValueError, "size"),
    ({"size": "64"}, TypeError, "size"),
    ({"source": "web"}, ValueError, "source"),
]


@pytest.mark.parametrize("kwargs, error, name", BAD, ids=[str(b[0]) for b in BAD])
def test_bad_arguments_name_themselves(kwargs, error, name, served):
    with pytest.raises(error, match=name):
        datasets.load_cats_dogs(**kwargs)
    assert served == []


@pytest.mark.parametrize("offline", [True, False])
def test_the_fallback_sentence_is_about_the_data_set_and_never_cut_inside_brackets(monkeypatch, capsys, offline):
    if offline:
        monkeypatch.setenv("CNNLAB_OFFLINE", "1")
    else:
        monkeypatch.delenv("CNNLAB_OFFLINE", raising=False)
        monkeypatch.setattr(_net, "DOWNLOAD_HOST", "127.0.0.1")

        def unreachable(url, *, deadline=None, max_bytes=None, instead=""):
            raise ConnectionError(f"Could not download {url}: [Errno 111] Connection refused (a very long "
                                  f"explanation of what went wrong, far longer than one line should be, "
                                  f"with more words); you may be offline, so {instead}.")

        monkeypatch.setattr(_net, "fetch", unreachable)
    assert datasets.load_cats_dogs() is None
    out = capsys.readouterr().out.strip()
    assert out.count("\n") == 0 and "photo such as images.load" not in out, out
    assert out.count("(") == out.count(")") and out.count("[") == out.count("]"), out


def test_a_huge_photo_in_the_archive_is_refused_from_its_header_before_decoding(monkeypatch):
    """A 3,000 x 2,000 JPEG (6 megapixels, small on disk) is more than the tutorial's photos ever are."""
    big = [("cats_and_dogs_filtered/train/cats/aaa.jpg", _jpeg("gray", size=(3000, 2000)))]   # sorts first
    archive = _archive(extra=big)
    decoded = []
    real_load = Image.Image.load
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(self.size) or real_load(self))
    start = time.perf_counter()
    with pytest.raises(ValueError, match="too large to load"):
        cats_dogs.photos_from_archive(archive, per_class=1, size=32)
    assert time.perf_counter() - start < 1.0 and (3000, 2000) not in decoded


def test_decoding_stops_at_the_downloads_total_deadline():
    with pytest.raises(ValueError, match="took past"):
        cats_dogs.photos_from_archive(_archive(), per_class=2, size=32, deadline=time.monotonic() - 1)
