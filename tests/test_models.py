"""cnnlab.models: the lesson 06 CNN, its forward pass with cnnlab.ops, parameter counts."""

import os
import subprocess
import sys

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import keras  # noqa: F401  (the test extra installs TensorFlow: these tests are never skipped)

from cnnlab import models, ops


@pytest.fixture(scope="module")
def digits():
    from cnnlab import datasets

    return datasets.load_mnist("offline")


def test_small_cnn_structure_and_parameter_counts():
    model = models.small_cnn()
    assert [layer.name for layer in model.layers] == ["conv", "pool", "flatten", "dense"]
    assert model.input_shape == (None, 28, 28, 1) and model.output_shape == (None, 10)
    expected = [ops.conv2d_params(3, 1, 8), 0, 0, ops.dense_params(13 * 13 * 8, 10)]
    assert [layer.count_params() for layer in model.layers] == expected
    assert model.count_params() == sum(expected) == 13_610


def test_small_cnn_is_seeded():
    a = models.small_cnn(seed=3).get_weights()
    b = models.small_cnn(seed=3).get_weights()
    c = models.small_cnn(seed=4).get_weights()
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[0], c[0])


def test_small_cnn_other_shapes():
    model = models.small_cnn((32, 32, 3), filters=4, kernel_size=5, pool_size=2, classes=3)
    size = ops.output_size(ops.output_size(32, 5), 2, stride=2)
    assert model.output_shape == (None, 3)
    assert model.count_params() == ops.conv2d_params(5, 3, 4) + ops.dense_params(size * size * 4, 3)


@pytest.mark.parametrize("kwargs,error,match", [
    ({"input_shape": (28, 28)}, ValueError, r"input_shape must be \(height, width, channels\)"),
    ({"input_shape": (28, 0, 1)}, ValueError, r"input_shape\[1\] must be a positive int"),
    ({"filters": 0}, ValueError, "filters must be a positive int"),
    ({"kernel_size": 2.5}, TypeError, "kernel_size must be a positive int"),
    ({"input_shape": (4, 4, 1), "kernel_size": 5}, ValueError, "must fit"),
    ({"seed": -1}, ValueError, "seed must be a non-negative int"),
    ({"pool_size": 100}, ValueError, r"pool_size \(100\) must fit in the convolution's output, which is 26 pixels"),
    ({"pool_size": 27}, ValueError, "pool_size .* must fit"),
    ({"input_shape": (8, 30, 1), "kernel_size": 5, "pool_size": 5}, ValueError, "which is 4 pixels"),
])
def test_small_cnn_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        models.small_cnn(**kwargs)


def test_seed_models_match_the_arithmetic():
    assert models.classic_cnn().count_params() == ops.conv2d_params(3, 1, 32) + ops.dense_params(5408, 10)
    convs = sum(ops.conv2d_params(3, c, f) for c, f in [(3, 32), (32, 64), (64, 128), (128, 128)])
    expected = convs + ops.dense_params(7 * 7 * 128, 512) + ops.dense_params(512, 1)
    model = models.cats_dogs_cnn()
    assert model.count_params() == expected == 3_453_121
    assert model.layers[-1].output.shape == (None, 1)


def test_small_cnn_largest_pool_still_builds():
    assert models.small_cnn(pool_size=26).get_layer("pool").output.shape == (None, 1, 1, 8)


@pytest.mark.parametrize("kwargs,error,match", [
    ({"seed": "x"}, TypeError, "seed must be a non-negative int, got str 'x'"),
    ({"seed": -2}, ValueError, "seed must be a non-negative int"),
    ({"seed": 1.5}, TypeError, "seed must be a non-negative int"),
    ({"input_shape": (45, 150, 3)}, ValueError, "input_shape must be at least 46x46 for 4 convolution"),
    ({"input_shape": (150, 150)}, ValueError, r"input_shape must be \(height, width, channels\)"),
])
def test_cats_dogs_cnn_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        models.cats_dogs_cnn(**kwargs)


def test_cats_dogs_cnn_smallest_input_builds():
    assert models.cats_dogs_cnn((46, 46, 3)).get_layer("pool4").output.shape == (None, 1, 1, 128)


def test_prepare():
    x = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    out = models.prepare(x)
    assert out.shape == (1, 2, 2, 1) and out.dtype == np.float32
    assert np.allclose(out[0, :, :, 0], [[0, 1], [0.2, 0.4]])
    already = np.random.default_rng(0).random((2, 5, 5, 3))
    assert np.allclose(models.prepare(already), already)
    with pytest.raises(ValueError, match="images must be 3-D or 4-D"):
        models.prepare(np.zeros((28, 28)))
    with pytest.raises(ValueError, match=r"images must be uint8 \(0-255\) or floats in \[0, 1\], found values "
                                         r"from 0 to 255"):
        models.prepare(np.linspace(0, 255, 2 * 28 * 28).reshape(2, 28, 28))


def test_forward_with_ops_equals_predict_untrained():
    model = models.small_cnn(seed=1)
    images = np.random.default_rng(0).random((5, 28, 28, 1)).astype(np.float32)
    expected = model.predict(images, verbose=0)
    for image, probs in zip(images, expected):
        stages = models.forward_with_ops(model, image)
        assert list(stages) == ["input", "conv", "relu", "pool", "flatten", "scores", "probabilities"]
        assert stages["conv"].shape == (26, 26, 8) and stages["pool"].shape == (13, 13, 8)
        assert np.allclose(stages["probabilities"], probs, atol=1e-5)
    two_d = models.forward_with_ops(model, images[0, :, :, 0])["probabilities"]
    assert np.allclose(two_d, expected[0], atol=1e-5)


def test_train_briefly_learns_digits_and_forward_pass_still_matches(digits):
    (x_train, y_train), (x_test, y_test) = digits
    model = models.small_cnn()
    history = models.train_briefly(model, x_train[:1500], y_train[:1500], epochs=2, batch_size=64)
    assert set(history) >= {"loss", "accuracy"} and len(history["loss"]) == 2
    assert history["loss"][1] < history["loss"][0]
    probs = model.predict(models.prepare(x_test[:300]), verbose=0)
    assert np.mean(probs.argmax(axis=1) == y_test[:300]) > 0.6
    ours = np.array([models.forward_with_ops(model, im)["probabilities"]
                     for im in models.prepare(x_test[:20])])
    assert np.allclose(ours, probs[:20], atol=1e-5)


DIGITS = np.zeros((2, 28, 28), np.uint8)


@pytest.mark.parametrize("args,kwargs,error,match", [
    (("model", DIGITS, [0, 1]), {}, TypeError, "model must be a keras Model"),
    ((None, np.zeros((3, 28, 28), np.uint8), [0, 1]), {}, ValueError, r"y must have one label per image \(3\)"),
    ((None, DIGITS, [0, 15]), {}, ValueError, "y must hold class numbers 0 to 9, found 15"),
    ((None, DIGITS, [0, 0.5]), {}, ValueError, "y must hold whole class numbers 0 to 9, found 0.5"),
    ((None, DIGITS, [-1, 0]), {}, ValueError, "y must hold class numbers 0 to 9, found -1"),
    ((None, DIGITS, ["1", "2"]), {}, TypeError, "y must hold numbers"),
    ((None, np.zeros((2, 28)), [0, 1]), {}, ValueError, "x must be 3-D or 4-D"),
    ((None, np.full((2, 28, 28), 255.0), [0, 1]), {}, ValueError, r"x must be uint8 \(0-255\) or floats in \[0, 1\]"),
    ((None, np.zeros((2, 32, 32), np.uint8), [0, 1]), {}, ValueError,
     r"x must hold images of shape \(28, 28, 1\) for this model"),
    ((None, DIGITS, [0, 1]), {"epochs": 0}, ValueError, "epochs must be a positive int"),
    ((None, DIGITS, [0, 1]), {"batch_size": "64"}, TypeError, "batch_size must be a positive int"),
    ((None, DIGITS, [0, 1]), {"seed": -1}, ValueError, "seed must be a non-negative int"),
])
def test_train_briefly_rejects_bad_input(args, kwargs, error, match):
    model = models.small_cnn() if args[0] is None else args[0]
    before = [w.copy() for w in model.get_weights()] if args[0] is None else None
    with pytest.raises(error, match=match):
        models.train_briefly(model, *args[1:], **kwargs)
    if before is not None:  # nothing was trained
        assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_train_briefly_rejects_a_single_output_model():
    with pytest.raises(ValueError, match="model must end in a softmax over at least 2 classes"):
        models.train_briefly(models.cats_dogs_cnn((46, 46, 3)), np.zeros((2, 46, 46, 3), np.uint8), [0, 1])


def test_forward_with_ops_rejects_other_models():
    with pytest.raises(ValueError, match="small_cnn"):
        models.forward_with_ops(models.cats_dogs_cnn(), np.zeros((150, 150, 3)))


def test_importing_models_does_not_import_tensorflow():
    code = "import sys, cnnlab.models; assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
