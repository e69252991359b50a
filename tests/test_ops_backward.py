"""cnnlab.ops.backward: each layer's gradient by hand equals what tf.GradientTape computes.

Random shapes and values; the max-pooling tests include windows with ties (the zeros after ReLU),
and one test chains every function through a whole small CNN, as lesson 07 does.
"""

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf

from cnnlab import ops

RNG = np.random.default_rng(7)


def tape_gradients(function, *arrays):
    """Gradients of ``sum(function(*tensors) * weights_out)``: returns (output, weights_out, grads)."""
    tensors = [tf.Variable(a) for a in arrays]
    with tf.GradientTape() as tape:
        out = function(*tensors)
        upstream = tf.constant(RNG.normal(size=out.shape).astype(out.dtype.as_numpy_dtype))
        total = tf.reduce_sum(out * upstream)
    return out.numpy(), upstream.numpy(), [g.numpy() for g in tape.gradient(total, tensors)]


@pytest.mark.parametrize("shape", [(5,), (3, 4), (6, 6, 3)])
def test_relu_backward_matches_tensorflow(shape):
    x = RNG.normal(size=shape).astype(np.float32)
    x.flat[0] = 0.0                                          # TensorFlow passes nothing at exactly 0
    _, upstream, (grad,) = tape_gradients(tf.nn.relu, x)
    assert np.array_equal(ops.relu_backward(x, upstream), grad)


@pytest.mark.parametrize("shape,size", [((8, 8, 3), 2), ((7, 9, 2), 2), ((9, 9), 3), ((6, 6, 4), 3)])
def test_max_pool_backward_routes_to_the_winner_as_tensorflow_does(shape, size):
    x = np.maximum(RNG.normal(size=shape), 0).astype(np.float32)       # many windows all zero: ties
    x3 = x[None, ..., None] if x.ndim == 2 else x[None]

    def pool(t):
        return tf.nn.max_pool2d(t, size, size, "VALID")

    _, upstream, (grad,) = tape_gradients(pool, x3)
    mine = ops.max_pool_backward(x, upstream[0, ..., 0] if x.ndim == 2 else upstream[0], size)
    assert mine.shape == x.shape
    assert np.allclose(mine, grad[0, ..., 0] if x.ndim == 2 else grad[0], atol=1e-6)


def test_max_pool_backward_keeps_the_total_gradient():
    x = RNG.normal(size=(6, 6, 2)).astype(np.float32)
    upstream = RNG.normal(size=(3, 3, 2)).astype(np.float32)
    routed = ops.max_pool_backward(x, upstream)
    assert np.isclose(routed.sum(), upstream.sum(), atol=1e-5)
    assert (routed != 0).sum() == upstream.size


@pytest.mark.parametrize("image_shape,kernel_shape,padding", [
    ((9, 9, 1), (3, 3, 1, 4), "valid"), ((8, 7, 3), (3, 2, 3, 5), "valid"),
    ((8, 8, 2), (3, 3, 2, 3), "same"), ((6, 7, 2), (2, 2, 2, 2), "same"), ((5, 5, 1), (3, 3, 1, 2), 1),
])
def test_conv2d_backward_matches_tensorflow(image_shape, kernel_shape, padding):
    image = RNG.normal(size=image_shape).astype(np.float32)
    kernel = RNG.normal(size=kernel_shape).astype(np.float32)
    bias = RNG.normal(size=kernel_shape[-1]).astype(np.float32)

    def conv(img, k, b):
        if isinstance(padding, int):
            img = tf.pad(img, [[0, 0], [padding, padding], [padding, padding], [0, 0]])
            return tf.nn.conv2d(img, k, 1, "VALID") + b
        return tf.nn.conv2d(img, k, 1, padding.upper()) + b

    out, upstream, (g_image, g_kernel, g_bias) = tape_gradients(conv, image[None], kernel, bias)
    assert np.allclose(out[0], ops.conv2d(image, kernel, padding=padding) + bias, atol=1e-4)
    mine_image, mine_kernel, mine_bias = ops.conv2d_backward(image, kernel, upstream[0], padding=padding)
    assert mine_image.shape == image.shape and mine_kernel.shape == kernel.shape
    assert np.allclose(mine_image, g_image[0], atol=1e-4)
    assert np.allclose(mine_kernel, g_kernel, atol=1e-4)
    assert np.allclose(mine_bias, g_bias, atol=1e-4)


def test_conv2d_backward_takes_a_2d_image():
    image = RNG.normal(size=(6, 6)).astype(np.float32)
    kernel = RNG.normal(size=(3, 3, 1, 2)).astype(np.float32)
    grad_image, grad_kernel, _ = ops.conv2d_backward(image, kernel, np.ones((4, 4, 2), np.float32))
    assert grad_image.shape == (6, 6) and grad_kernel.shape == (3, 3, 1, 2)


def test_dense_and_cross_entropy_backward_match_tensorflow():
    x = RNG.normal(size=7).astype(np.float32)
    weights = RNG.normal(size=(7, 4)).astype(np.float32)
    bias = RNG.normal(size=4).astype(np.float32)
    tx, tw, tb = tf.Variable(x[None]), tf.Variable(weights), tf.Variable(bias)
    with tf.GradientTape() as tape:
        scores = tx @ tw + tb
        loss = tf.keras.losses.sparse_categorical_crossentropy(np.array([2]), scores, from_logits=True)[0]
    g_x, g_w, g_b = (g.numpy() for g in tape.gradient(loss, [tx, tw, tb]))
    grad_scores = ops.cross_entropy_backward(scores.numpy()[0], 2)
    mine_x, mine_w, mine_b = ops.dense_backward(x, weights, grad_scores)
    for mine, theirs in [(mine_x, g_x[0]), (mine_w, g_w), (mine_b, g_b)]:
        assert np.allclose(mine, theirs, atol=1e-6)


def test_the_chain_through_a_small_cnn_matches_tensorflow():
    image = RNG.random((12, 12, 1)).astype(np.float32)
    kernel = RNG.normal(0, 0.5, size=(3, 3, 1, 3)).astype(np.float32)
    conv_bias = RNG.normal(0, 0.1, size=3).astype(np.float32)
    weights = RNG.normal(0, 0.3, size=(5 * 5 * 3, 10)).astype(np.float32)
    bias = np.zeros(10, np.float32)
    label = 4
    conv = ops.conv2d(image, kernel) + conv_bias
    act = ops.relu(conv)
    pooled = ops.max_pool(act, 2)
    scores = ops.dense(ops.flatten(pooled), weights, bias)
    grad_flat, grad_w, grad_b = ops.dense_backward(ops.flatten(pooled), weights,
                                                   ops.cross_entropy_backward(scores, label))
    grad_act = ops.max_pool_backward(act, grad_flat.reshape(pooled.shape))
    grad_image, grad_kernel, grad_conv_bias = ops.conv2d_backward(image, kernel, ops.relu_backward(conv, grad_act))

    variables = [tf.Variable(a) for a in (image[None], kernel, conv_bias, weights, bias)]
    with tf.GradientTape() as tape:
        t_img, t_k, t_cb, t_w, t_b = variables
        t = tf.nn.max_pool2d(tf.nn.relu(tf.nn.conv2d(t_img, t_k, 1, "VALID") + t_cb), 2, 2, "VALID")
        t_scores = tf.reshape(t, (1, -1)) @ t_w + t_b
        loss = tf.keras.losses.sparse_categorical_crossentropy(np.array([label]), t_scores, from_logits=True)[0]
    theirs = [g.numpy() for g in tape.gradient(loss, variables)]
    for mine, their in zip([grad_image, grad_kernel, grad_conv_bias, grad_w, grad_b],
                           [theirs[0][0], *theirs[1:]]):
        assert np.abs(mine - their).max() < 1e-5


@pytest.mark.parametrize("call,error,match", [
    (lambda: ops.relu_backward(np.ones(3), np.ones(4)), ValueError, r"grad_out must have the shape of the layer's output \(3,\)"),
    (lambda: ops.max_pool_backward(np.ones((4, 4)), np.ones((3, 3))), ValueError, r"grad_out must have the shape .*\(2, 2\)"),
    (lambda: ops.max_pool_backward(np.ones((2, 2)), np.ones((1, 1)), size=3), ValueError, "size 3 is larger"),
    (lambda: ops.max_pool_backward(np.ones((4, 4)), np.ones((2, 2)), size=0), ValueError, "size must be a positive int"),
    (lambda: ops.conv2d_backward(np.ones((5, 5)), np.ones((3, 3)), np.ones((3, 3, 1))), ValueError, "kernel must be 4-D"),
    (lambda: ops.conv2d_backward(np.ones((5, 5)), np.ones((3, 3, 1, 2)), np.ones((3, 3, 1))), ValueError,
     r"grad_out must have the shape of the layer's output \(3, 3, 2\)"),
    (lambda: ops.dense_backward(np.ones(3), np.ones((4, 2)), np.ones(2)), ValueError, "weights must have one row per input"),
    (lambda: ops.cross_entropy_backward(np.ones(3), 3), ValueError, "label must be a class number below 3"),
    (lambda: ops.cross_entropy_backward(np.ones(3), -1), ValueError, "label must be a non-negative int"),
    (lambda: ops.relu_backward("x", np.ones(1)), TypeError, "x must be"),
])
def test_backward_rejects_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
