"""cnnlab.images: bundled photos, files, URLs offline, conversions."""

import socket

import numpy as np
import pytest
from PIL import Image

from cnnlab import images


@pytest.mark.parametrize("name", images.names())
def test_every_bundled_photo_loads_as_uint8(name):
    photo = images.load(name)
    assert photo.dtype == np.uint8
    assert photo.ndim in (2, 3) and (photo.ndim == 2 or photo.shape[2] == 3)
    assert photo.std() > 5  # a real picture, not a blank
    assert images.describe(name)


def test_contract_names_and_shapes():
    assert {"astronaut", "cat", "coffee", "camera", "coins", "horse", "rocket"} <= set(images.names())
    assert images.load("astronaut").shape == (512, 512, 3)
    assert images.load("cat").shape == (300, 451, 3)
    assert images.load("camera").shape == (512, 512)
    assert images.load("horse").ndim == 2  # a gray picture stored as RGB comes back 2-D


def test_loading_never_uses_the_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("images.load touched the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert images.load("coins").shape == (303, 384)


def test_load_a_file_drops_alpha(tmp_path):
    rgba = np.zeros((4, 5, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[..., 3] = 128
    path = tmp_path / "mine.png"
    Image.fromarray(rgba).save(path)
    loaded = images.load(str(path))
    assert loaded.shape == (4, 5, 3)
    assert (loaded[..., 0] == 200).all()


def test_url_fails_fast_with_one_sentence(monkeypatch):
    def unreachable(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr("urllib.request.urlopen", unreachable)
    with pytest.raises(ConnectionError, match="offline") as info:
        images.load("https://example.invalid/cat.png")
    assert "\n" not in str(info.value)


def test_grayscale_uses_luminance_weights():
    pixel = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255]]], np.uint8)
    assert images.grayscale(pixel).tolist() == [[76, 150, 29]]
    gray = images.grayscale(images.load("cat"))
    assert gray.shape == (300, 451) and gray.dtype == np.uint8


def test_resize_keeps_aspect_and_dtype():
    cat = images.load("cat")
    small = images.resize(cat, 90)
    assert small.shape == (60, 90, 3) and small.dtype == np.uint8
    assert images.resize(cat, height=30).shape == (30, 45, 3)
    assert images.resize(images.load("camera"), width=64).shape == (64, 64)
    # area averaging keeps the mean brightness
    assert abs(float(small.mean()) - float(cat.mean())) < 2


def test_float_round_trip():
    coins = images.load("coins")
    as_float = images.to_float(coins)
    assert as_float.dtype == np.float32 and 0 <= as_float.min() and as_float.max() <= 1
    np.testing.assert_array_equal(images.to_uint8(as_float), coins)
