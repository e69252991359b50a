"""images.mnist_style and DrawWidget without a front end: preprocessing, reading real digits, the page's messages."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from cnnlab import datasets, images

RNG = np.random.default_rng(9)


def _mass_centre(img: np.ndarray) -> tuple[float, float]:
    ys, xs = np.indices(img.shape)
    mass = img.astype(np.float64).sum()
    return float((ys * img).sum() / mass), float((xs * img).sum() / mass)


def _ink_box(img: np.ndarray) -> tuple[int, int, int, int]:
    rows, cols = np.nonzero(img)
    return rows.min(), rows.max(), cols.min(), cols.max()


# --------------------------------------------------------------------------- mnist_style


def test_a_centred_square_stays_centred_at_20_pixels():
    drawing = np.zeros((200, 200), np.uint8)
    drawing[50:150, 50:150] = 255
    digit = images.mnist_style(drawing)
    assert digit.shape == (28, 28) and digit.dtype == np.uint8
    top, bottom, left, right = _ink_box(digit)
    assert bottom - top == right - left == 19 and top == left and top in (4, 5)   # 20x20, as centred as
    cy, cx = _mass_centre(digit)                                                 # whole pixels allow
    assert cy == cx and abs(cy - 14) <= 0.5
    assert digit.max() == 255


def test_a_digit_in_a_corner_is_centred_by_mass_keeping_its_aspect():
    drawing = np.zeros((300, 300), np.uint8)
    drawing[5:85, 240:260] = 200            # a bar 80 tall and 20 wide in the top right corner
    drawing[5:25, 220:260] = 200            # with a flag: its mass is not at its box's centre
    digit = images.mnist_style(drawing)
    top, bottom, left, right = _ink_box(digit)
    assert bottom - top + 1 == 20 and right - left + 1 == 10       # 80x40 -> 20x10
    cy, cx = _mass_centre(digit)
    assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5          # where MNIST digits have it
    assert digit.max() == 255                                     # the brightest ink becomes white


def test_a_real_mnist_digit_drawn_large_comes_back_close_to_itself():
    (_, _), (x_test, _) = datasets.load_mnist("offline")
    close = 0
    for original in x_test[:50]:
        again = images.mnist_style(np.kron(original, np.ones((5, 5), np.uint8)))
        close += np.abs(again.astype(int) - original).mean() < 3
    assert close >= 45, f"only {close} of 50 digits came back as they were"


@pytest.mark.parametrize("drawing", [np.zeros((28, 28), np.uint8), np.zeros((5, 300)), np.zeros((3, 3), bool)])
def test_no_ink_gives_zeros(drawing):
    digit = images.mnist_style(drawing)
    assert digit.shape == (28, 28) and digit.dtype == np.uint8 and not digit.any()


def test_floats_booleans_and_integers_are_the_same_ink():
    mask = np.zeros((60, 40), bool)
    mask[10:50, 15:22] = True
    as_bytes = images.mnist_style(mask.astype(np.uint8) * 255)
    assert np.array_equal(images.mnist_style(mask), as_bytes)
    assert np.array_equal(images.mnist_style(mask.astype(np.float32)), as_bytes)
    assert np.array_equal(images.mnist_style(mask.astype(np.int64) * 255), as_bytes)


@pytest.mark.parametrize("bad, error, words", [
    (None, TypeError, "drawing must be an array"),
    ("a seven", TypeError, "drawing must be an array"),
    (np.zeros((4, 4, 3)), ValueError, "drawing must be 2-D"),
    (np.zeros((0, 5)), ValueError, "drawing must not be empty"),
    (np.full((4, 4), np.nan), ValueError, "drawing must contain only finite"),
    (np.full((4, 4), 2.0), ValueError, "drawing of floats must hold values in [0, 1]"),
    (np.full((4, 4), 300), ValueError, "drawing of integers must hold values in 0..255"),
    (np.full((4, 4), -1), ValueError, "drawing of integers"),
    (np.zeros((5000, 2), np.uint8), ValueError, "drawing must be at most 4096"),
    (np.zeros((3, 3), complex), TypeError, "drawing must hold real numbers"),
])
def test_bad_drawings_are_refused_naming_the_argument(bad, error, words):
    with pytest.raises(error) as info:
        images.mnist_style(bad)
    assert words in str(info.value)


# --------------------------------------------------------------------------- DrawWidget


@pytest.fixture(scope="module")
def widget():
    from cnnlab.widgets import DrawWidget

    return DrawWidget()


@pytest.fixture(scope="module")
def test_digits():
    (_, _), (x_test, y_test) = datasets.load_mnist("offline")
    return x_test[:100], y_test[:100]


def _drawn(digit: np.ndarray, rng) -> np.ndarray:
    """An MNIST digit as a person might draw it: 6x larger, somewhere on a 280x280 pad."""
    big = np.kron(digit, np.ones((6, 6), np.uint8))
    pad = np.zeros((280, 280), np.uint8)
    top, left = rng.integers(0, 280 - big.shape[0], size=2)
    pad[top:top + big.shape[0], left:left + big.shape[1]] = big
    return pad


def test_reads_most_real_digits_drawn_anywhere(widget, test_digits):
    x, y = test_digits
    rng = np.random.default_rng(0)
    right = sum(widget.predict(_drawn(d, rng))[0][0] == label for d, label in zip(x, y))
    assert right >= 95, f"{right} of 100 read right"


def test_state_after_a_reading(widget, test_digits):
    import keras

    digit, label = test_digits[0][3], int(test_digits[1][3])
    top3 = widget.predict(np.kron(digit, np.ones((4, 4), np.uint8)))
    assert widget.top3 == top3 and len(top3) == 3 and top3[0][0] == label
    assert [k for k, _ in top3] == sorted({k for k, _ in top3}, key=lambda k: -dict(top3)[k])
    probs = [p for _, p in top3]
    assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1 + 1e-6
    assert np.array_equal(widget.digit, images.mnist_style(np.kron(digit, np.ones((4, 4), np.uint8))))
    # the maps are the first layer's output for that digit, computed here independently
    model = widget._reader.model
    conv1 = keras.Model(model.inputs[0], model.get_layer("conv1").output)
    expected = np.asarray(conv1(widget.digit[None]))[0]
    assert widget.layer == "conv1" and widget.maps.shape == (28, 28, 8)
    np.testing.assert_allclose(widget.maps, expected, rtol=1e-5, atol=1e-5)
    full = np.asarray(model(widget.digit[None]))[0]
    np.testing.assert_allclose(probs, np.sort(full)[::-1][:3], rtol=1e-5, atol=1e-6)
    # what the page gets: the same digit and maps, binary; the guesses as numbers
    state = widget.get_state()
    assert state["digit_data"]["dtype"] == "uint8" and state["maps_data"]["dtype"] == "float32"
    assert state["guesses"] == [{"digit": k, "p": p} for k, p in top3]
    # the properties are copies
    widget.digit[:] = 0
    assert widget.digit.any()


def test_repr_is_deterministic_and_says_what_it_reads(widget):
    bar = np.zeros((200, 200), np.uint8)
    bar[20:180, 92:108] = 255
    widget.predict(bar)
    first = repr(widget)
    widget.predict(bar)
    assert repr(widget) == first
    assert first.startswith("DrawWidget(the digits model shipped with cnnlab; reads 1 (1: ")
    widget.clear()
    assert repr(widget) == "DrawWidget(the digits model shipped with cnnlab; nothing drawn yet)"
    assert widget.top3 == [] and widget.maps is None and not widget.digit.any()


def test_page_messages_read_a_drawing_and_clear(widget):
    pad = np.zeros((140, 140), np.uint8)
    pad[15:125, 62:76] = 255
    widget._on_front_end_msg(widget, {"type": "drawing", "shape": [140, 140]}, [memoryview(pad.tobytes())])
    assert widget.error == "" and widget.top3[0][0] == 1
    kept = widget.top3
    for content, buffers, words in [
        ({"type": "drawing", "shape": [140, 140]}, [], "without its pixels"),
        ({"type": "drawing", "shape": [140, 141]}, [pad.tobytes()], "bytes, expected 140x141"),
        ({"type": "drawing", "shape": [5000, 5]}, [b""], "two sizes of 1..1024"),
        ({"type": "drawing", "shape": "big"}, [b""], "two sizes"),
        ({"type": "drawing", "shape": [140, 140]}, [bytes(140 * 140)], "no ink: draw a digit"),
    ]:
        widget._on_front_end_msg(widget, content, buffers)
        assert words in widget.error, (content, widget.error)
        assert widget.top3 == kept                                  # the last good reading stays
    widget._on_front_end_msg(widget, {"type": "clear"}, [])
    assert widget.top3 == [] and widget.error == "" and widget.get_state()["guesses"] == []


def test_predict_is_quick(widget):
    bar = np.zeros((140, 140), np.uint8)
    bar[10:130, 60:80] = 255
    times = []
    for _ in range(7):
        widget.predict(bar)
        times.append(widget.python_ms)
    assert np.median(times) < 60, times


def test_still_frame_is_a_png(widget):
    bar = np.zeros((140, 140), np.uint8)
    bar[10:130, 60:80] = 255
    widget.predict(bar)
    png = widget.to_png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    frame = widget.frame()
    assert frame.width > 28 * 8 and frame.height > 28 * 8
    assert np.asarray(frame).std() > 10                            # not a blank picture


def test_your_own_model_and_bad_models():
    import keras

    from cnnlab.widgets import DrawWidget

    model = keras.Sequential([
        keras.Input((28, 28), dtype="uint8"), keras.layers.Reshape((28, 28, 1)), keras.layers.Rescaling(1 / 255),
        keras.layers.Conv2D(3, 5, name="mine"), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    w = DrawWidget(model)
    w.predict(np.eye(50, dtype=np.uint8) * 255)
    assert w.layer == "mine" and w.maps.shape == (24, 24, 3) and len(w.top3) == 3
    assert repr(w).startswith("DrawWidget(your model; reads ")
    with pytest.raises(TypeError, match="model must be a Keras model"):
        DrawWidget("digits")
    five = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(5)])
    with pytest.raises(ValueError, match=r"model must give 10 probabilities.*\(None, 5\)"):
        DrawWidget(five)
    wide = keras.Sequential([keras.Input((28, 30)), keras.layers.Flatten(), keras.layers.Dense(10)])
    with pytest.raises(ValueError, match=r"model must take 28x28 digits, got input shape \(None, 28, 30\)"):
        DrawWidget(wide)
    with pytest.raises(ValueError, match="drawing must be 2-D"):
        w.predict(np.zeros((2, 28, 28)))


# --------------------------------------------------------------------------- the shipped model, loading


@pytest.fixture
def slow_shipped_model(monkeypatch):
    """The shipped model not loaded yet, and its loading held until the test sets the returned event."""
    from cnnlab import training
    from cnnlab.training import reader

    real = training.load_digits_model
    release = threading.Event()

    def held():
        assert release.wait(30), "the test never released the model"
        return real()

    monkeypatch.setattr(reader, "_shipped", [])
    monkeypatch.setattr(training, "load_digits_model", held)
    yield release
    release.set()


def _bar() -> np.ndarray:
    bar = np.zeros((140, 140), np.uint8)
    bar[15:125, 62:76] = 255
    return bar


def test_the_first_pad_shows_while_the_shipped_model_loads(slow_shipped_model):
    from cnnlab.widgets import DrawWidget

    started = time.perf_counter()
    w = DrawWidget()
    assert time.perf_counter() - started < 5                      # not waiting for the held model
    assert w.meta["loading"] is True and w.meta["layer"] is None
    assert repr(w).endswith("nothing drawn yet)") and w.frame().width > 28 * 8    # a still, at once
    # a stroke drawn meanwhile arrives now and is read once the model is there
    threading.Timer(0.3, slow_shipped_model.set).start()
    w._on_front_end_msg(w, {"type": "drawing", "shape": [140, 140]}, [memoryview(_bar().tobytes())])
    assert w.error == "" and w.top3[0][0] == 1
    assert w.layer == "conv1" and w.meta["loading"] is False and w.meta["layer"] == "conv1"
    assert DrawWidget().meta["loading"] is False                  # the next pad: the model is loaded


def test_a_model_that_cannot_load_is_said_on_the_pad(monkeypatch):
    from cnnlab import training
    from cnnlab.training import reader
    from cnnlab.widgets import DrawWidget

    def missing():
        raise FileNotFoundError("the shipped digits model is missing at /nowhere/digits.keras")

    monkeypatch.setattr(reader, "_shipped", [])
    monkeypatch.setattr(training, "load_digits_model", missing)
    w = DrawWidget()
    assert w._loaded.wait(10)
    assert w.meta["loading"] is False and "digits model is missing" in w.error
    with pytest.raises(RuntimeError, match="could not be loaded: the shipped digits model is missing"):
        w.predict(_bar())


def test_a_reading_gives_up_after_the_load_timeout(slow_shipped_model, monkeypatch):
    from cnnlab.widgets import DrawWidget, draw

    w = DrawWidget()
    monkeypatch.setattr(draw, "LOAD_TIMEOUT_S", 30.0)
    started = time.perf_counter()
    with pytest.raises(ValueError, match="drawing must be 2-D"):     # a bad drawing: said without waiting
        w.predict(np.zeros((2, 28, 28)))                              # for the model (held here)
    assert time.perf_counter() - started < 10
    monkeypatch.setattr(draw, "LOAD_TIMEOUT_S", 0.2)
    started = time.perf_counter()
    with pytest.raises(TimeoutError, match="did not load within 0.2 s"):
        w.predict(_bar())
    assert time.perf_counter() - started < 5
    w._on_front_end_msg(w, {"type": "drawing", "shape": [140, 140]}, [memoryview(_bar().tobytes())])
    assert "did not load" in w.error                               # the page says it, in one line
