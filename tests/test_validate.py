"""Bad input gets a clear ValueError/TypeError that names the argument."""

import math

import numpy as np
import pytest

from cnnlab import _validate as v
from cnnlab import images, kernels, ops

IMG = np.ones((6, 6), np.float32)
RGB = np.ones((6, 6, 3), np.uint8)
K3 = np.ones((3, 3), np.float32)
NAN_IMG = IMG.copy()
NAN_IMG[2, 2] = np.nan
INF_K = K3.copy()
INF_K[0, 0] = np.inf

# (call, exception type, words the message must contain)
CASES = {
    "image 1-D": (lambda: ops.conv2d(np.ones(5), K3), ValueError, ["image", "2-D or 3-D", "(5,)"]),
    "image 4-D": (lambda: ops.conv2d(np.ones((1, 6, 6, 1)), K3), ValueError, ["image", "2-D or 3-D"]),
    "kernel 1-D": (lambda: ops.conv2d(IMG, np.ones(3)), ValueError, ["kernel must be 2-D, 3-D or 4-D", "(3,)"]),
    "kernel 5-D": (lambda: ops.conv2d(IMG, np.ones((1,) * 5)), ValueError, ["kernel", "4-D"]),
    "image bool": (lambda: ops.conv2d(IMG > 0, K3), TypeError, ["image", "bool"]),
    "image object": (lambda: ops.conv2d(np.array([[1, None]], dtype=object), K3), TypeError, ["image", "object"]),
    "image complex": (lambda: ops.conv2d(IMG.astype(complex), K3), TypeError, ["image", "complex"]),
    "image strings": (lambda: ops.conv2d(np.array([["a", "b"]]), K3), TypeError, ["image", "numbers"]),
    "image a string": (lambda: ops.conv2d("cat", K3), TypeError, ["image", "string"]),
    "image None": (lambda: ops.conv2d(None, K3), TypeError, ["image", "None"]),
    "image ragged": (lambda: ops.conv2d([[1, 2], [3]], K3), TypeError, ["image", "rectangular"]),
    "image NaN": (lambda: ops.conv2d(NAN_IMG, K3), ValueError, ["image", "NaN"]),
    "kernel inf": (lambda: ops.conv2d(IMG, INF_K), ValueError, ["kernel", "infinity"]),
    "image empty": (lambda: ops.conv2d(np.ones((0, 5)), K3), ValueError, ["image", "empty"]),
    "kernel too big": (lambda: ops.conv2d(np.ones((2, 6)), K3), ValueError, ["kernel height (3)", "image height (2)"]),
    "kernel channels": (lambda: ops.conv2d(RGB, np.ones((3, 3, 2))), ValueError, ["kernel", "2 input channels", "3"]),
    "stride 0": (lambda: ops.conv2d(IMG, K3, stride=0), ValueError, ["stride", "positive int", "0"]),
    "stride negative": (lambda: ops.conv2d(IMG, K3, stride=-2), ValueError, ["stride", "-2"]),
    "stride float": (lambda: ops.conv2d(IMG, K3, stride=1.5), TypeError, ["stride", "float"]),
    "stride bool": (lambda: ops.conv2d(IMG, K3, stride=True), TypeError, ["stride", "bool"]),
    "stride triple": (lambda: ops.conv2d(IMG, K3, stride=(1, 1, 1)), ValueError, ["stride", "pair", "3 values"]),
    "padding unknown": (lambda: ops.conv2d(IMG, K3, padding="full"), ValueError, ["padding", "'full'", "same"]),
    "padding negative": (lambda: ops.conv2d(IMG, K3, padding=-1), ValueError, ["padding", "non-negative"]),
    "padding float": (lambda: ops.conv2d(IMG, K3, padding=1.0), TypeError, ["padding", "float"]),
    "loops stride 0": (lambda: ops.conv2d_loops(IMG, K3, stride=0), ValueError, ["stride"]),
    "pool size 0": (lambda: ops.max_pool(IMG, size=0), ValueError, ["size", "positive int"]),
    "pool stride float": (lambda: ops.avg_pool(IMG, stride=0.5), TypeError, ["stride"]),
    "pool padding int": (lambda: ops.max_pool(IMG, padding=1), ValueError, ["padding", "pooling"]),
    "pool too big": (lambda: ops.max_pool(np.ones((1, 6)), size=2), ValueError, ["size", "larger"]),
    "pool 4-D": (lambda: ops.max_pool(np.ones((1, 4, 4, 1))), ValueError, ["x", "2-D or 3-D"]),
    "relu strings": (lambda: ops.relu(["a"]), TypeError, ["x", "numbers"]),
    "softmax scalar": (lambda: ops.softmax(3.0), ValueError, ["z", "at least 1 dimension"]),
    "softmax axis": (lambda: ops.softmax(np.ones(3), axis=2), ValueError, ["axis"]),
    "dense mismatch": (lambda: ops.dense(np.ones(4), np.ones((3, 2)), np.ones(2)), ValueError, ["weights", "4 rows"]),
    "dense bias": (lambda: ops.dense(np.ones(3), np.ones((3, 2)), np.ones(3)), ValueError, ["bias", "2 entries"]),
    "flatten 4-D": (lambda: ops.flatten(np.ones((1, 2, 2, 1))), ValueError, ["x", "1-D, 2-D or 3-D"]),
    "output_size k too big": (lambda: ops.output_size(2, 3), ValueError, ["k (3)", "larger"]),
    "output_size n float": (lambda: ops.output_size(2.5, 1), TypeError, ["n", "positive int"]),
    "conv2d_params filters 0": (lambda: ops.conv2d_params(3, 1, 0), ValueError, ["filters"]),
    "dense_params units str": (lambda: ops.dense_params(3, "10"), TypeError, ["units"]),
    "photo unknown": (lambda: images.load("dog"), ValueError, ["name_or_path", "'dog'", "astronaut", "cat"]),
    "photo not str": (lambda: images.load(42), TypeError, ["name_or_path", "int"]),
    "photo folder": (lambda: images.load("."), ValueError, ["name_or_path", "folder"]),
    "resize two sizes": (lambda: images.resize(RGB, 3, height=2), ValueError, ["exactly one", "height", "max_size"]),
    "resize zero": (lambda: images.resize(RGB, 0), ValueError, ["max_size"]),
    "grayscale 5 channels": (lambda: images.grayscale(np.ones((4, 4, 5))), ValueError, ["image", "channels"]),
    "to_float int16": (lambda: images.to_float(np.ones((2, 2), np.int16)), TypeError, ["image", "uint8"]),
    "kernel unknown": (lambda: kernels.get("sobel"), ValueError, ["name", "'sobel_x' or 'sobel_y'", "'sobel'"]),
    "kernel name int": (lambda: kernels.get(3), TypeError, ["name", "string"]),
    "typed kernel word": (lambda: kernels.parse("1 x; 2 3"), ValueError, ["kernel", "'x' is not a number"]),
    "typed kernel ragged": (lambda: kernels.parse("1 2; 3"), ValueError, ["kernel", "same number"]),
    "typed kernel empty": (lambda: kernels.parse(" ; "), ValueError, ["kernel", "empty"]),
    # sizes are estimated before anything is allocated
    "conv padding 10**6": (lambda: ops.conv2d(np.ones((4, 4)), np.ones((1, 1)), padding=10**6), ValueError,
                           ["padding=1000000", "2000004 x 2000004", "TB", "limit"]),
    "conv2d_loops padding": (lambda: ops.conv2d_loops(IMG, K3, padding=10**5), ValueError, ["padding=100000"]),
    "conv 4-D kernel filters": (lambda: ops.conv2d(np.ones((600, 600)), np.ones((1, 1, 1, 1000))), ValueError,
                                ["image", "600 x 600 x 1000", "limit"]),
    "max_pool size same": (lambda: ops.max_pool(np.ones((4, 4)), 100000, padding="same"), ValueError,
                           ["size=100000", "padding='same'", "GB"]),
    "avg_pool size same": (lambda: ops.avg_pool(np.ones((4, 4)), (3, 10**9), padding="same"), ValueError,
                           ["size=(3, 1000000000)"]),
    "pad huge": (lambda: ops.pad(IMG, padding=10**5), ValueError, ["padding=100000", "padded input"]),
    "pad same huge kernel": (lambda: ops.pad(IMG, 10**6, padding="same"), ValueError, ["kernel_size=1000000"]),
    "loops too much work": (lambda: ops.conv2d_loops(np.ones((800, 800)), K3), ValueError,
                            ["image", "conv2d_loops", "636,804 dot products", "use conv2d"]),
    "dense huge result": (lambda: ops.dense(np.ones((10**5, 1)), np.ones((1, 10**5)), np.ones(10**5)), ValueError,
                          ["weights", "100000 x 100000", "limit"]),
    "resize huge": (lambda: images.resize(RGB, 10**6), ValueError, ["max_size=1000000", "limit"]),
    "resize huge height": (lambda: images.resize(RGB, height=10**5), ValueError, ["height=100000"]),
    # values
    "softmax axis True": (lambda: ops.softmax(np.ones(3), axis=True), TypeError, ["axis", "int", "bool"]),
    "softmax axis float": (lambda: ops.softmax(np.ones(3), axis=0.0), TypeError, ["axis", "float"]),
    "softmax axis str": (lambda: ops.softmax(np.ones(3), axis="last"), TypeError, ["axis", "str"]),
    "pad value str": (lambda: ops.pad(IMG, padding=1, value="x"), TypeError, ["value", "number", "str"]),
    "pad value None": (lambda: ops.pad(IMG, padding=1, value=None), TypeError, ["value", "NoneType"]),
    "pad value bool": (lambda: ops.pad(IMG, padding=1, value=True), TypeError, ["value", "bool"]),
    "pad value NaN": (lambda: ops.pad(IMG, padding=1, value=math.nan), ValueError, ["value", "NaN"]),
    "pad 300 on uint8": (lambda: ops.pad(RGB, padding=1, value=300), ValueError, ["value", "0 and 255", "300"]),
    "pad -1 on uint8": (lambda: ops.pad(RGB, padding=1, value=-1), ValueError, ["value", "0 and 255"]),
    "pad 0.5 on ints": (lambda: ops.pad(np.ones((2, 2), int), padding=1, value=0.5), ValueError,
                        ["value", "whole number", "int64"]),
    "conv2d_params use_bias str": (lambda: ops.conv2d_params(3, 1, 2, use_bias="no"), TypeError,
                                   ["use_bias", "True or False", "'no'"]),
    "conv2d_params use_bias int": (lambda: ops.conv2d_params(3, 1, 2, use_bias=1), TypeError, ["use_bias"]),
    "dense_params use_bias None": (lambda: ops.dense_params(3, 2, use_bias=None), TypeError, ["use_bias"]),
    # typed kernels
    "typed kernel 1e39": (lambda: kernels.parse("1e39 1"), ValueError, ["kernel", "'1e39'", "too large"]),
    "typed kernel 1e400": (lambda: kernels.parse("1e400"), ValueError, ["kernel", "too large"]),
    "typed kernel big fraction": (lambda: kernels.parse("1e38/1e-30"), ValueError, ["too large"]),
    "typed kernel 1/0": (lambda: kernels.parse("1/0 1"), ValueError, ["kernel", "'1/0'", "zero"]),
    "typed kernel nan": (lambda: kernels.parse("nan 1"), ValueError, ["kernel", "'nan' is not a number"]),
    "typed kernel inf": (lambda: kernels.parse("inf"), ValueError, ["'inf' is not a number"]),
    "typed kernel underscore": (lambda: kernels.parse("1_000"), ValueError, ["'1_000' is not a number"]),
    "typed kernel hex": (lambda: kernels.parse("0x10"), ValueError, ["is not a number"]),
    "typed kernel two slashes": (lambda: kernels.parse("1/2/3"), ValueError, ["'1/2/3' is not a number"]),
    "typed kernel too long": (lambda: kernels.parse("1 " * 1001), ValueError, ["kernel", "2,002", "2,000"]),
    "typed kernel not str": (lambda: kernels.parse(b"1 2"), TypeError, ["kernel", "bytes"]),
    "kernel typo sobelx": (lambda: kernels.get("sobelx"), ValueError, ["name", "did you mean 'sobel_x'?"]),
    "kernel typo read": (lambda: kernels.read("laplacain"), ValueError, ["kernel", "did you mean 'laplacian'?"]),
    "kernel word read": (lambda: kernels.read("zzzz"), ValueError, ["kernel", "sobel_x", "identity"]),
    "photo typo kat": (lambda: images.load("kat"), ValueError, ["name_or_path", "did you mean 'cat'?"]),
    "photo typo astronot": (lambda: images.load("astronot"), ValueError, ["did you mean 'astronaut'?"]),
    "photo empty": (lambda: images.load(""), ValueError, ["name_or_path"]),
    "photo NUL": (lambda: images.load("a\0b"), ValueError, ["name_or_path"]),
    "photo device": (lambda: images.load("/dev/null"), ValueError, ["name_or_path", "not a regular file"]),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_names_the_argument(case):
    call, error, words = CASES[case]
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} missing from {message!r}"


def test_there_are_at_least_eighty_cases():
    assert len(CASES) >= 80


def test_no_message_lists_every_name_when_a_near_miss_is_typed():
    for call in (lambda: kernels.get("sobelx"), lambda: images.load("kat")):
        with pytest.raises(ValueError) as info:
            call()
        assert "did you mean" in str(info.value) and "horizontal_line" not in str(info.value)
        assert "hubble" not in str(info.value)


def test_did_you_mean_and_the_new_checks():
    assert v.did_you_mean("kat", ["cat", "coffee"]) == "did you mean 'cat'?"
    assert v.did_you_mean("qqqq", ["cat", "coffee"]) is None
    assert v.did_you_mean("x" * 10_000, ["cat"]) is None  # long text: no quadratic matching
    assert v.boolean(np.bool_(True), "flag") is True
    assert v.axis(np.int64(-1), "axis", 3) == -1
    with pytest.raises(ValueError, match="axis must be an int in \\[-1, 0\\]"):
        v.axis(1, "axis", 1)


def test_missing_file_and_non_image_file(tmp_path):
    with pytest.raises(ValueError, match="neither a bundled photo"):
        images.load(tmp_path / "nope.png")
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    with pytest.raises(ValueError, match="not an image file"):
        images.load(text)


def test_helpers_return_clean_values():
    assert v.positive_pair(2, "stride") == (2, 2)
    assert v.positive_pair((1, 3), "stride") == (1, 3)
    assert v.padding("SAME") == "same"
    assert v.padding(np.int64(2)) == 2
    assert v.finite_number(np.float32(0.5), "x") == 0.5
    assert v.probability(1, "p") == 1.0
    with pytest.raises(ValueError, match="between 0 and 1"):
        v.probability(1.5, "p")
    with pytest.raises(ValueError, match="finite"):
        v.finite_number(math.inf, "lr")
    assert v.ndim_text((2,)) == "2-D"
    assert v.array(np.zeros((0,)), "x", allow_empty=True).size == 0
    assert v.array(np.zeros(2, bool), "mask", allow_bool=True).dtype == bool


def test_one_line_joins_lines_caps_the_length_and_names_a_silent_error():
    assert v.one_line(ValueError("a file\n  that is\tbroken")) == "a file that is broken"
    long = v.one_line(ValueError("x" * 500), limit=40)
    assert len(long) == 40 and long.endswith("\u2026")
    assert v.one_line(KeyError()) == "KeyError"


# ---------------------------------------------------------------- one-line messages end at a word


@pytest.mark.parametrize("text, limit", [
    (("Could not download https://example.org/cats.zip: timed out (the server is too slow or does not answer); "
      "you may be offline, so try a file"), 90),
    (("Not downloading it because CNNLAB_OFFLINE is set; use a bundled photo such as images.load('cat') or a "
      "file on disk."), 80),
    ("word " * 100, 50),
    ("a" * 500, 50),
])
def test_shorten_cuts_between_words_and_never_inside_brackets(text, limit):
    short = v.shorten(text, limit)
    assert len(short) <= limit and short.endswith("\u2026")
    body = short[:-1]
    assert body.count("(") == body.count(")") and body.count("[") == body.count("]")
    words = text.split()
    if len(words) > 1:
        assert " ".join(words).startswith(body) and text.replace("\n", " ")[len(body)] in " ,;:("


def test_one_line_keeps_a_short_message_whole_and_names_a_silent_error():
    assert v.one_line(ValueError("bad  value\nhere")) == "bad value here"
    assert v.one_line(KeyError()) == "KeyError"
