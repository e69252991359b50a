"""cnnlab.kernels: the catalogue and typed kernels."""

import numpy as np
import pytest

from cnnlab import images, kernels, ops


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
