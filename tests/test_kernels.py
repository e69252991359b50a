"""cnnlab.kernels: the catalogue and typed kernels."""


import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnlab import images, kernels, ops
from cnnlab._timing import best_time


@pytest.mark.parametrize("name", kernels.names())
def test_every_kernel_is_a_float32_square_with_a_description(name):
    kernel = kernels.get(name)
    assert kernel.dtype == np.float32 and kernel.ndim == 2 and kernel.shape[0] == kernel.shape[1]
    assert kernel.shape[0] % 2 == 1
    assert len(kernels.describe(name).split()) >= 4


def test_get_returns_a_copy():
    kernels.get("identity")[1, 1] = 99
    assert kernels.get("identity")[1, 1] == 1


def test_contract_names_present():
    assert {"identity", "box_blur", "gaussian", "sharpen", "sobel_x", "sobel_y", "laplacian", "emboss",
            "outline"} <= set(kernels.names())


def test_blurs_sum_to_one_and_edge_detectors_to_zero():
    for name in ("box_blur", "gaussian", "identity", "sharpen"):
        assert kernels.get(name).sum() == pytest.approx(1.0, abs=1e-6)
    for name in ("sobel_x", "sobel_y", "laplacian", "outline", "prewitt_x"):
        assert kernels.get(name).sum() == pytest.approx(0.0, abs=1e-6)


def test_sobel_x_finds_vertical_edges_on_a_real_photo():
    camera = images.to_float(images.load("camera"))
    vertical = np.abs(ops.conv2d(camera, kernels.get("sobel_x"))).mean()
    flat = np.abs(ops.conv2d(np.full_like(camera, 0.5), kernels.get("sobel_x"))).max()
    assert vertical > 0.05 and flat < 1e-6


def test_identity_kernel_returns_the_image():
    coins = images.to_float(images.load("coins"))
    np.testing.assert_allclose(ops.conv2d(coins, kernels.get("identity"), padding="same"), coins, atol=1e-6)


def test_parse_typed_kernels():
    np.testing.assert_array_equal(kernels.parse("-1 0 1\n-2, 0, 2\n-1 0 1"), kernels.get("sobel_x"))
    assert kernels.parse("2").shape == (1, 1)


# ---------------------------------------------------------------- typed kernels, hostile text


def test_parse_reads_fractions_and_the_minus_sign_the_widgets_display():
    np.testing.assert_allclose(kernels.parse("1/9 1/9; \u22121/2 \u22122"), [[1 / 9, 1 / 9], [-0.5, -2]], rtol=1e-7)
    np.testing.assert_array_equal(kernels.parse("\u22121 0 1; \u22122 0 2; \u22121 0 1"), kernels.get("sobel_x"))
    np.testing.assert_array_equal(kernels.parse("1/16 1/8\n.5 +2."), np.float32([[1 / 16, 1 / 8], [0.5, 2]]))


def test_read_gives_names_or_custom_numbers():
    label, kernel = kernels.read("  emboss ")
    assert label == "emboss" and np.array_equal(kernel, kernels.get("emboss"))
    label, kernel = kernels.read("1 2; 3 4")
    assert label == "custom" and kernel.dtype == np.float32 and kernel.shape == (2, 2)


HOSTILE_TEXTS = {
    "issue: ones slash ones x": "1" * 1200 + "/" + "1" * 1200 + "x",
    "just under the cap, digits then x": "1" * 990 + "/" + "1" * 990 + "x",
    "many tiny fractions": "1/1 " * 499,
    "one long number": "1" * 1999,
    "dots": "1." * 999,
    "exponent chain": "1e" * 999,
    "signs": "+-" * 999,
    "slashes": "/" * 1999,
    "separators": ";, \n" * 499,
    "unicode minus storm": "\u2212" * 1999,
}


@pytest.mark.parametrize("case", list(HOSTILE_TEXTS), ids=list(HOSTILE_TEXTS))
def test_parsing_hostile_text_takes_milliseconds(case):
    text = HOSTILE_TEXTS[case]

    def parse():
        try:
            kernels.parse(text)
        except ValueError as exc:
            assert len(str(exc)) < 300  # the message quotes a shortened piece, not the whole text

    assert best_time(parse) < 0.05


@settings(max_examples=300, deadline=200)
@given(st.text(alphabet="0123456789.eE+-/\u2212 ,;\nx", max_size=400))
def test_any_typed_text_gives_a_finite_float32_kernel_or_a_value_error(text):
    try:
        kernel = kernels.parse(text)
    except ValueError:
        return
    assert kernel.dtype == np.float32 and kernel.ndim == 2 and np.isfinite(kernel).all()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=32), min_size=1, max_size=9))
def test_typed_numbers_round_trip(values):
    text = " ".join(repr(float(x)).replace("-", "\u2212") for x in values)
    np.testing.assert_array_equal(kernels.parse(text)[0], np.float32(values))


@pytest.mark.parametrize("typo, meant", [("sobelx", "sobel_x"), ("Sharpen", "sharpen"), ("laplace", "laplacian"),
                                         ("box blur", "box_blur"), ("gausian", "gaussian")])
def test_typos_suggest_the_name(typo, meant):
    for call in (kernels.get, kernels.describe, kernels.read):
        with pytest.raises(ValueError, match=f"did you mean '{meant}'"):
            call(typo)
