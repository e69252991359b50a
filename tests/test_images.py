"""cnnlab.images: bundled photos, files, URLs offline, conversions."""

import os
import socket
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


def test_url_fails_fast_with_one_sentence(monkeypatch):
    monkeypatch.delenv("CNNLAB_OFFLINE", raising=False)
    with pytest.raises(ConnectionError, match="offline") as info:
        images.load(f"http://127.0.0.1:{_closed_port()}/cat.png")
    assert "\n" not in str(info.value)


def test_offline_mode_makes_no_attempt_for_a_url(monkeypatch):
    monkeypatch.setenv("CNNLAB_OFFLINE", "1")

    def refuse(*args, **kwargs):
        raise AssertionError("tried the network while CNNLAB_OFFLINE=1")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    with pytest.raises(ConnectionError, match="CNNLAB_OFFLINE") as info:
        images.load("https://example.invalid/cat.png")
    assert str(info.value).count(". ") == 0 and "\n" not in str(info.value)


# ---------------------------------------------------------------- deep and hostile files


def _save(tmp_path, name, array, mode=None):
    path = tmp_path / name
    Image.fromarray(array, mode=mode).save(path)
    return path


def test_16_bit_png_is_scaled_not_clipped(tmp_path):
    ramp = np.linspace(0, 65535, 64 * 64).round().astype(np.uint16).reshape(64, 64)
    loaded = images.load(_save(tmp_path, "deep.png", ramp))
    assert loaded.dtype == np.uint8 and loaded.shape == (64, 64)
    np.testing.assert_array_equal(loaded, np.rint(ramp / 257).astype(np.uint8))
    assert (loaded == 255).mean() < 0.01  # was 99.6 % before


def test_dark_16_bit_png_stays_dark(tmp_path):
    dark = np.full((8, 8), 1000, np.uint16)
    assert images.load(_save(tmp_path, "dark.png", dark)).max() == 4  # 1000 / 257


@pytest.mark.parametrize("low, high, expected_low, expected_high", [
    (0.0, 1.0, 0, 255),        # float in 0-1: times 255
    (0.25, 0.5, 64, 128),      # still 0-1: not stretched
    (0.0, 200.0, 0, 200),      # already 0-255: kept
    (-1.0, 1.0, 0, 255),       # anything else: stretched from min to max
    (0.0, 4000.0, 0, 255),
])
def test_float_tiff_is_scaled_to_0_255(tmp_path, low, high, expected_low, expected_high):
    ramp = np.linspace(low, high, 32 * 32, dtype=np.float32).reshape(32, 32)
    loaded = images.load(_save(tmp_path, "float.tiff", ramp, mode="F"))
    assert loaded.dtype == np.uint8
    assert (int(loaded.min()), int(loaded.max())) == (expected_low, expected_high)
    assert len(np.unique(loaded)) > 50  # a ramp, not 0s and 1s


def test_float_tiff_with_nan_is_refused(tmp_path):
    bad = np.zeros((4, 4), np.float32)
    bad[1, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        images.load(_save(tmp_path, "nan.tiff", bad, mode="F"))


@pytest.mark.parametrize("width, height", [(20000, 20000), (8000, 7000), (100_000, 600)])
def test_decompression_bombs_are_refused_from_the_header(tmp_path, width, height):
    path = tmp_path / "bomb.png"
    Image.new("1", (width, height)).save(path)  # a few KB on disk
    start = time.perf_counter()
    with pytest.raises(ValueError, match="too large to load") as info:
        images.load(path)
    assert time.perf_counter() - start < 1
    assert f"{width * height:,}" in str(info.value) and "bomb.png" in str(info.value)


def _truncated(tmp_path):
    noise = np.random.default_rng(0).integers(0, 256, (64, 64), dtype=np.uint8)  # does not compress
    path = _save(tmp_path, "cut.png", noise)
    path.write_bytes(path.read_bytes()[:2000])
    return path


def _garbage_after_header(tmp_path):
    path = _save(tmp_path, "noise.png", np.zeros((32, 32), np.uint8))
    data = bytearray(path.read_bytes())
    data[40:60] = b"\xff" * 20
    path.write_bytes(bytes(data))
    return path


def _fifo(tmp_path):
    path = tmp_path / "pipe.png"
    os.mkfifo(path)
    return path


def _link_to_fifo(tmp_path):
    link = tmp_path / "link.png"
    link.symlink_to(_fifo(tmp_path))
    return link


BAD_FILES = {
    "truncated png": (_truncated, "damaged"),
    "corrupt png": (_garbage_after_header, "damaged"),
    "empty file": (lambda tmp: (tmp / "empty.png").write_bytes(b"") or tmp / "empty.png", "not an image"),
    "fifo": (_fifo, "not a regular file"),
    "symlink to a fifo": (_link_to_fifo, "not a regular file"),
    "folder": (lambda tmp: tmp, "a folder"),
    "device": (lambda tmp: "/dev/zero", "not a regular file"),
    "broken symlink": (lambda tmp: (tmp / "gone").symlink_to(tmp / "nothing") or tmp / "gone", "neither"),
}


@pytest.mark.parametrize("case", list(BAD_FILES), ids=list(BAD_FILES))
def test_bad_files_fail_fast_with_a_value_error_naming_the_path(tmp_path, case):
    make, words = BAD_FILES[case]
    path = make(tmp_path)
    start = time.perf_counter()
    with pytest.raises(ValueError, match=words) as info:
        images.load(path)
    assert time.perf_counter() - start < 1
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_a_symlink_to_an_image_is_read(tmp_path):
    target = _save(tmp_path, "real.png", np.full((3, 4), 9, np.uint8))
    link = tmp_path / "link.png"
    link.symlink_to(target)
    assert images.load(link).tolist() == [[9] * 4] * 3


def test_a_huge_file_is_refused_before_reading(tmp_path, monkeypatch):
    path = _save(tmp_path, "ok.png", np.zeros((4, 4), np.uint8))
    monkeypatch.setattr(images, "MAX_FILE_BYTES", 10)
    with pytest.raises(ValueError, match="bytes"):
        images.load(path)


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


def _png(array):
    import io

    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


_GOOD_PNG = _png(np.random.default_rng(1).integers(0, 256, (16, 16, 3), dtype=np.uint8))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, len(_GOOD_PNG)), flips=st.lists(st.tuples(st.integers(0, len(_GOOD_PNG) - 1),
                                                                      st.integers(0, 255)), max_size=4))
def test_any_damaged_png_gives_pixels_or_a_value_error(tmp_path, cut, flips):
    data = bytearray(_GOOD_PNG[:cut])
    for where, byte in flips:
        if where < len(data):
            data[where] = byte
    path = tmp_path / "fuzz.png"
    path.write_bytes(bytes(data))
    try:
        loaded = images.load(path)
    except ValueError as exc:
        assert "fuzz.png" in str(exc) and "\n" not in str(exc)
        return
    assert loaded.dtype == np.uint8 and loaded.shape[:2] == (16, 16)


def test_importing_images_does_not_load_the_network_modules():
    import subprocess
    import sys

    code = "import sys, cnnlab.images; print(sorted(m for m in ('http.client', 'ssl') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ---------------------------------------------------------------- photos as phones take them


def _sideways_jpeg(path, orientation=6):
    """An 80 wide x 40 tall JPEG with the EXIF tag that says 'turn me 90 degrees to view' (a phone's portrait)."""
    pixels = np.zeros((40, 80, 3), np.uint8)
    pixels[:, :40] = 255                               # the left half white, as stored
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.fromarray(pixels).save(path, "JPEG", exif=exif, quality=95)
    return path


@pytest.mark.parametrize("orientation, shape", [(1, (40, 80)), (3, (40, 80)), (6, (80, 40)), (8, (80, 40))])
def test_a_photo_is_loaded_upright_as_its_exif_orientation_says(tmp_path, orientation, shape):
    photo = images.load(_sideways_jpeg(tmp_path / "phone.jpg", orientation))
    assert photo.shape[:2] == shape
    if orientation == 6:                               # turned clockwise: the stored left half is now on top
        assert photo[:20].mean() > 200 and photo[-20:].mean() < 50


def test_an_uploaded_phone_photo_is_upright_in_the_demo_too(tmp_path):
    from cnnlab import demo

    content = _sideways_jpeg(tmp_path / "phone.jpg").read_bytes()
    assert demo.read_upload("phone.jpg", content).shape[:2] == (80, 40)


def test_a_picture_over_the_pixel_cap_says_too_large_not_damaged(tmp_path):
    Image.new("L", (300, 200)).save(tmp_path / "big.png")
    with pytest.raises(ValueError, match="too large to load") as caught:
        images._decode(tmp_path / "big.png", "big.png", max_pixels=50_000)
    assert "damaged" not in str(caught.value)
