"""cnnlab.ops against TensorFlow / Keras on random shapes (hypothesis)."""


import numpy as np
import pytest
import tensorflow as tf  # the test extra installs it: these comparisons must never be skipped
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnnlab import ops
from cnnlab._timing import best_time

keras = tf.keras

TOL = {"rtol": 1e-5, "atol": 1e-5}


@st.composite
def conv_cases(draw):
    kh = draw(st.integers(1, 4))
    kw = draw(st.integers(1, 4))
    padding = draw(st.sampled_from(["valid", "same", 0, 1, 2]))
    extra = 0 if padding in ("valid", "same") else 2 * padding
    h = draw(st.integers(max(kh - extra, 1), 12))
    w = draw(st.integers(max(kw - extra, 1), 12))
    channels = draw(st.integers(1, 3))
    filters = draw(st.integers(1, 4))
    stride = draw(st.sampled_from([1, 2, 3, (1, 2), (2, 1)]))
    seed = draw(st.integers(0, 2**16))
    return h, w, channels, kh, kw, filters, stride, padding, seed


def tf_conv(image, kernel4, stride, padding):
    if isinstance(padding, int):
        tf_padding = [[0, 0], [padding, padding], [padding, padding], [0, 0]]
    else:
        tf_padding = padding.upper()
    return tf.nn.conv2d(image[None].astype(np.float32), kernel4.astype(np.float32), stride, tf_padding)[0].numpy()


@given(conv_cases())
def test_conv2d_matches_tf_nn_conv2d(case):
    h, w, channels, kh, kw, filters, stride, padding, seed = case
    rng = np.random.default_rng(seed)
    image = rng.normal(size=(h, w, channels)).astype(np.float32)
    kernel = rng.normal(size=(kh, kw, channels, filters)).astype(np.float32)
    expected = tf_conv(image, kernel, stride, padding)
    got = ops.conv2d(image, kernel, stride, padding)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, **TOL)


@given(conv_cases())
def test_conv2d_loops_matches_tf_nn_conv2d(case):
    h, w, channels, kh, kw, filters, stride, padding, seed = case
    rng = np.random.default_rng(seed)
    image = rng.normal(size=(h, w, channels)).astype(np.float32)
    kernel = rng.normal(size=(kh, kw, channels, filters)).astype(np.float32)
    np.testing.assert_allclose(ops.conv2d_loops(image, kernel, stride, padding),
                               tf_conv(image, kernel, stride, padding), **TOL)


def test_conv2d_output_shapes_for_each_kernel_rank():
    rng = np.random.default_rng(0)
    gray = rng.integers(0, 256, size=(10, 12), dtype=np.uint8)
    rgb = rng.integers(0, 256, size=(10, 12, 3), dtype=np.uint8)
    assert ops.conv2d(gray, np.ones((3, 3))).shape == (8, 10)
    assert ops.conv2d(rgb, np.ones((3, 3, 3))).shape == (8, 10)
    assert ops.conv2d(rgb, np.ones((3, 3, 3, 5))).shape == (8, 10, 5)
    assert ops.conv2d(gray, np.ones((3, 3, 1, 2)), padding="same").shape == (10, 12, 2)


def test_2d_kernel_on_rgb_is_the_kernel_repeated_on_every_channel():
    rng = np.random.default_rng(1)
    rgb = rng.normal(size=(9, 9, 3)).astype(np.float32)
    kernel = rng.normal(size=(3, 3)).astype(np.float32)
    stacked = np.stack([kernel] * 3, axis=2)
    np.testing.assert_allclose(ops.conv2d(rgb, kernel), ops.conv2d(rgb, stacked), **TOL)


def test_conv2d_is_cross_correlation_not_flipped():
    image = np.zeros((3, 3), np.float32)
    image[0, 0] = 1.0  # a single bright pixel at the top left
    kernel = np.arange(9, dtype=np.float32).reshape(3, 3)
    # with no flip the top-left kernel weight (0) multiplies the bright pixel
    assert ops.conv2d(image, kernel)[0, 0] == 0.0
    assert ops.conv2d_loops(image, kernel)[0, 0] == 0.0


def test_conv2d_keeps_float64_and_gives_float32_otherwise():
    assert ops.conv2d(np.ones((4, 4)), np.ones((2, 2))).dtype == np.float64
    assert ops.conv2d(np.ones((4, 4), np.uint8), np.ones((2, 2), np.float32)).dtype == np.float32


@st.composite
def pool_cases(draw):
    size = draw(st.sampled_from([1, 2, 3, (2, 3)]))
    stride = draw(st.sampled_from([None, 1, 2, 3, (1, 2)]))
    padding = draw(st.sampled_from(["valid", "same"]))
    ph, pw = (size, size) if isinstance(size, int) else size
    h = draw(st.integers(ph, 13))
    w = draw(st.integers(pw, 13))
    channels = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**16))
    return h, w, channels, size, stride, padding, seed


@given(pool_cases())
def test_max_pool_matches_keras(case):
    h, w, channels, size, stride, padding, seed = case
    x = np.random.default_rng(seed).normal(size=(h, w, channels)).astype(np.float32)
    expected = keras.layers.MaxPooling2D(size, stride, padding)(x[None]).numpy()[0]
    np.testing.assert_allclose(ops.max_pool(x, size, stride, padding), expected, **TOL)


@given(pool_cases())
def test_avg_pool_matches_keras(case):
    h, w, channels, size, stride, padding, seed = case
    x = np.random.default_rng(seed).normal(size=(h, w, channels)).astype(np.float32)
    expected = keras.layers.AveragePooling2D(size, stride, padding)(x[None]).numpy()[0]
    np.testing.assert_allclose(ops.avg_pool(x, size, stride, padding), expected, **TOL)


def test_pooling_a_2d_map_keeps_it_2d_and_max_beats_avg():
    x = np.array([[1, 2, 5, 6], [3, 4, 7, 8], [0, 0, 1, 1], [0, 9, 1, 1]], np.float32)
    np.testing.assert_array_equal(ops.max_pool(x), [[4, 8], [9, 1]])
    np.testing.assert_array_equal(ops.avg_pool(x), [[2.5, 6.5], [2.25, 1]])


@settings(max_examples=40, deadline=None)
@given(h=st.integers(1, 12), w=st.integers(1, 12), channels=st.sampled_from([0, 1, 3]),
       side=st.sampled_from([1, 3, 5]), seed=st.integers(0, 2**16))
def test_dilate_and_erode_are_scipys_max_and_min_filters(h, w, channels, side, seed):
    from scipy import ndimage  # the reference: scikit-image's own dependency

    shape = (h, w) if channels == 0 else (h, w, channels)
    x = np.random.default_rng(seed).normal(size=shape).astype(np.float32)
    footprint = (side, side) + (() if channels == 0 else (1,))   # channels are filtered one by one
    expected_max = ndimage.maximum_filter(x, size=footprint, mode="constant", cval=-np.inf)
    expected_min = ndimage.minimum_filter(x, size=footprint, mode="constant", cval=np.inf)
    np.testing.assert_array_equal(ops.dilate(x, side), expected_max)
    np.testing.assert_array_equal(ops.erode(x, side), expected_min)
    np.testing.assert_array_equal(ops.dilate(x, side), ops.max_pool(x, side, stride=1, padding="same"))


def test_morphology_refuses_an_even_window_and_keeps_uint8_photos_unwrapped():
    with pytest.raises(ValueError, match="size must be odd"):
        ops.dilate(np.zeros((4, 4)), 2)
    with pytest.raises(ValueError, match="size"):
        ops.erode(np.zeros((4, 4)), 0)
    photo = np.array([[0, 255, 0], [10, 20, 30]], np.uint8)
    assert ops.erode(photo, 3).tolist() == [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    assert ops.dilate(photo, 3).max() == 255.0


def test_max_pool_same_padding_never_picks_the_padding():
    x = -np.ones((3, 3), np.float32)
    assert (ops.max_pool(x, 2, padding="same") == -1).all()


@given(st.lists(st.floats(-50, 50, allow_nan=False, width=32), min_size=1, max_size=12))
def test_softmax_matches_tf(values):
    z = np.array(values, np.float32)
    np.testing.assert_allclose(ops.softmax(z), tf.nn.softmax(z).numpy(), **TOL)


def test_softmax_is_stable_for_large_scores_and_batches():
    z = np.array([[1000.0, 1000.0], [0.0, np.log(3.0)]])
    np.testing.assert_allclose(ops.softmax(z), [[0.5, 0.5], [0.25, 0.75]])


@given(st.integers(0, 2**16), st.integers(1, 6), st.integers(1, 5), st.booleans())
def test_dense_matches_keras(seed, n_in, n_out, batch):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(3, n_in) if batch else (n_in,)).astype(np.float32)
    weights = rng.normal(size=(n_in, n_out)).astype(np.float32)
    bias = rng.normal(size=(n_out,)).astype(np.float32)
    layer = keras.layers.Dense(n_out)
    layer.build((None, n_in))
    layer.set_weights([weights, bias])
    expected = layer(np.atleast_2d(x)).numpy()
    np.testing.assert_allclose(np.atleast_2d(ops.dense(x, weights, bias)), expected, **TOL)


def test_flatten_matches_keras_order():
    x = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    expected = keras.layers.Flatten()(x[None]).numpy()[0]
    np.testing.assert_array_equal(ops.flatten(x), expected)
    # entry (r, c, k) lands at (r * W + c) * C + k
    assert ops.flatten(x)[(1 * 3 + 2) * 4 + 3] == x[1, 2, 3]


def test_relu_matches_tf_and_keeps_dtype():
    x = np.array([[-1.5, 0.0], [2.0, -0.0]], np.float32)
    np.testing.assert_array_equal(ops.relu(x), tf.nn.relu(x).numpy())
    assert ops.relu(np.array([-3, 4])).tolist() == [0, 4]


@pytest.mark.parametrize(
    "n, k, stride, padding, expected",
    [(28, 3, 1, "valid", 26), (28, 3, 1, "same", 28), (7, 3, 2, 1, 4), (5, 2, 2, "valid", 2),
     (5, 2, 2, "same", 3), (224, 7, 2, 3, 112), (3, 3, 1, "valid", 1)],
)
def test_output_size_formula(n, k, stride, padding, expected):
    assert ops.output_size(n, k, stride, padding) == expected


@given(st.integers(1, 30), st.integers(1, 5), st.integers(1, 4), st.sampled_from(["valid", "same", 0, 1, 2]))
def test_output_size_agrees_with_conv2d(n, k, stride, padding):
    extra = 0 if padding in ("valid", "same") else 2 * padding
    if padding != "same" and n + extra < k:
        with pytest.raises(ValueError, match="larger"):
            ops.output_size(n, k, stride, padding)
        return
    out = ops.conv2d(np.ones((n, n), np.float32), np.ones((k, k), np.float32), stride, padding)
    assert out.shape == (ops.output_size(n, k, stride, padding),) * 2


def test_padding_amounts_put_the_odd_zero_after():
    assert ops.padding_amounts(6, 3, 2, "same") == (0, 1)
    assert ops.padding_amounts(5, 4, 1, "same") == (1, 2)
    assert ops.pad(np.ones((2, 2)), padding=1).sum() == 4


def test_parameter_counts_match_keras():
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(32, 3),
        keras.layers.Conv2D(8, (3, 5), use_bias=False),
        keras.layers.Flatten(),
        keras.layers.Dense(10),
    ])
    conv1, conv2, _, dense = model.layers
    assert ops.conv2d_params(3, 1, 32) == conv1.count_params() == 320
    assert ops.conv2d_params((3, 5), 32, 8, use_bias=False) == conv2.count_params()
    assert ops.dense_params(24 * 22 * 8, 10) == dense.count_params()


@pytest.mark.parametrize("name, reference", [
    ("sigmoid", lambda x: tf.math.sigmoid(x)),
    ("tanh", lambda x: tf.math.tanh(x)),
    ("leaky_relu", lambda x: keras.layers.LeakyReLU(negative_slope=0.3)(x)),
])
def test_other_activations_match_tensorflow(name, reference):
    x = np.linspace(-40, 40, 81, dtype=np.float32).reshape(9, 9)
    np.testing.assert_allclose(getattr(ops, name)(x), np.asarray(reference(x)), **TOL)


def test_leaky_relu_slope_and_sigmoid_range():
    np.testing.assert_allclose(ops.leaky_relu(np.array([-10.0, 2.0]), alpha=0.1), [-1.0, 2.0])
    s = ops.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    assert s.tolist() == [0.0, 0.5, 1.0]
    with pytest.raises(TypeError, match="alpha"):
        ops.leaky_relu(np.ones(2), alpha="0.1")


# ---------------------------------------------------------------- hostile sizes and values


@pytest.fixture
def small_cap(monkeypatch):
    """A cap of 10,000 numbers, so the size checks can be tried without allocating gigabytes."""
    monkeypatch.setattr(ops, "MAX_ELEMENTS", 10_000)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(h=st.integers(1, 80), w=st.integers(1, 80), k=st.integers(1, 5), padding=st.integers(0, 10**9),
       filters=st.integers(1, 8))
def test_conv2d_checks_the_size_before_allocating(small_cap, h, w, k, padding, filters):
    out_h = ops.output_size(h, k, 1, padding) if h + 2 * padding >= k else 0
    out_w = ops.output_size(w, k, 1, padding) if w + 2 * padding >= k else 0
    padded = (h + 2 * padding) * (w + 2 * padding)
    try:
        result = ops.conv2d(np.ones((h, w)), np.ones((k, k, 1, filters)), padding=padding)
    except ValueError as exc:
        assert max(out_h * out_w * filters, padded) > 10_000 or min(out_h, out_w) == 0, str(exc)
        if min(out_h, out_w) > 0:
            assert str(exc).startswith(("padding=", "image")) and "limit" in str(exc)
        return
    assert result.shape == (out_h, out_w, filters) and out_h * out_w * filters <= 10_000


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 60), size=st.integers(1, 10**7), stride=st.one_of(st.none(), st.integers(1, 10**7)),
       mode=st.sampled_from([ops.max_pool, ops.avg_pool]))
def test_same_pooling_checks_the_padded_size_first(small_cap, n, size, stride, mode):
    try:
        result = mode(np.ones((n, n)), size, stride, padding="same")
    except ValueError as exc:
        assert str(exc).startswith(f"size={size} with padding='same'") and "limit" in str(exc)
        return
    assert result.shape == (ops.output_size(n, size, stride or size, "same"),) * 2


@pytest.mark.parametrize("call, blame", [
    (lambda: ops.conv2d(np.ones((4, 4)), np.ones((1, 1)), padding=10**6), "padding=1000000"),
    (lambda: ops.max_pool(np.ones((4, 4)), 100000, padding="same"), "size=100000 with padding='same'"),
    (lambda: ops.pad(np.ones((4, 4)), padding=10**9), "padding=1000000000"),
    (lambda: ops.conv2d_loops(np.ones((4, 4)), np.ones((1, 1)), padding=10**6), "padding=1000000"),
])
def test_the_issue_cases_fail_at_once_with_the_size_they_would_take(call, blame):
    with pytest.raises(ValueError) as info:
        call()

    def refused():
        with pytest.raises(ValueError):
            call()

    assert best_time(refused) < 0.1
    assert str(info.value).startswith(blame) and "numbers" in str(info.value) and "B" in str(info.value)


def test_cap_is_a_documented_module_constant():
    assert ops.MAX_ELEMENTS == 2**28 and "MAX_ELEMENTS" in ops.__all__


def test_the_loop_cap_set_on_the_package_takes_effect(monkeypatch):
    monkeypatch.setattr(ops, "MAX_LOOP_STEPS", 10)
    assert ops.conv2d_loops(np.ones((5, 5)), np.ones((3, 3))).shape == (3, 3)  # 9 dot products
    with pytest.raises(ValueError, match="16 dot products in Python, more than the 10 it does"):
        ops.conv2d_loops(np.ones((6, 6)), np.ones((3, 3)))


def test_the_package_offers_what_it_offered_before_it_was_split():
    before = {"MAX_ELEMENTS", "MAX_LOOP_STEPS", "avg_pool", "conv2d", "conv2d_loops", "conv2d_params", "dense",
              "dense_params", "flatten", "leaky_relu", "max_pool", "output_size", "pad", "padding_amounts",
              "relu", "sigmoid", "softmax", "tanh"}
    backward = {"conv2d_backward", "cross_entropy_backward", "dense_backward", "max_pool_backward", "relu_backward"}
    assert before | {"window", "receptive_field", "Span", "dilate", "erode"} | backward == set(ops.__all__)
    assert all(callable(getattr(ops, name)) for name in ops.__all__ if not name.startswith("MAX_"))


@pytest.mark.parametrize("call", [
    lambda x: ops.flatten(x),
    lambda x: ops.pad(x, padding="valid"),
    lambda x: ops.pad(x, padding=0),
    lambda x: ops.relu(x),
])
def test_results_never_alias_the_input(call):
    x = np.arange(12.0).reshape(3, 4)
    out = call(x)
    assert not np.shares_memory(out, x)
    out[...] = -7
    assert x[0, 1] == 1.0


@settings(max_examples=150, deadline=None)
@given(dtype=st.sampled_from([np.uint8, np.int8, np.uint16, np.int16, np.int32]),
       value=st.one_of(st.integers(-2**40, 2**40), st.floats(-1e6, 1e6, allow_nan=False)))
def test_pad_value_on_integer_images_is_exact_or_refused(dtype, value):
    image = np.ones((2, 2), dtype)
    info = np.iinfo(dtype)
    fits = float(value).is_integer() and info.min <= value <= info.max
    try:
        out = ops.pad(image, padding=1, value=value)
    except ValueError as exc:
        assert not fits and str(exc).startswith("value must be")
        return
    assert fits and out.dtype == dtype and int(out[0, 0]) == value  # never wrapped, never truncated


def test_pad_infinite_value_turns_integers_into_floats():
    out = ops.pad(np.ones((2, 2), np.uint8), padding=1, value=-np.inf)
    assert out.dtype == np.float32 and out[0, 0] == -np.inf and out[1, 1] == 1
