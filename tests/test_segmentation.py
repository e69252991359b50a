"""cnnlab.segmentation: mask metrics against scikit-learn, transposed convolution against Keras, the U-Net."""

import numpy as np
import pytest

from cnnlab import datasets
from cnnlab import segmentation as seg


def _random_masks(rng, shape, density):
    return rng.random(shape) < density


@pytest.mark.parametrize("case", range(30))
def test_iou_and_dice_match_scikit_learn(case):
    from sklearn import metrics
    rng = np.random.default_rng(case)
    shape = tuple(rng.integers(1, 40, size=int(rng.integers(1, 4))))
    pred = _random_masks(rng, shape, rng.uniform(0.01, 0.9))
    true = _random_masks(rng, shape, rng.uniform(0.01, 0.9))
    if not (pred | true).any():
        true.flat[0] = True  # scikit-learn warns on two empty masks; that case is tested below
    assert seg.iou(pred, true) == pytest.approx(metrics.jaccard_score(true.ravel(), pred.ravel()))
    assert seg.dice(pred, true) == pytest.approx(metrics.f1_score(true.ravel(), pred.ravel()))


def test_empty_masks_agree_perfectly_and_disjoint_ones_not_at_all():
    empty = np.zeros((5, 5), bool)
    assert seg.iou(empty, empty) == 1.0 and seg.dice(empty, empty) == 1.0
    left, right = empty.copy(), empty.copy()
    left[:, :2], right[:, 3:] = True, True
    assert seg.iou(left, right) == 0.0 and seg.dice(left, right) == 0.0
    assert seg.iou(left, empty) == 0.0


def test_dice_is_a_function_of_iou():
    rng = np.random.default_rng(9)
    for _ in range(20):
        a, b = _random_masks(rng, (16, 16), 0.4), _random_masks(rng, (16, 16), 0.3)
        j = seg.iou(a, b)
        assert seg.dice(a, b) == pytest.approx(2 * j / (1 + j))


def test_per_class_and_mean_iou_match_scikit_learn():
    from sklearn import metrics
    rng = np.random.default_rng(2)
    true = rng.integers(0, 4, size=(6, 12, 12))
    pred = np.where(rng.random(true.shape) < 0.8, true, rng.integers(0, 4, size=true.shape))
    expected = metrics.jaccard_score(true.ravel(), pred.ravel(), average=None, labels=[0, 1, 2, 3])
    np.testing.assert_allclose(seg.per_class_iou(pred, true, 4), expected)
    assert seg.mean_iou(pred, true, 4) == pytest.approx(expected[1:].mean())
    assert seg.mean_iou(pred, true, 4, ignore_background=False) == pytest.approx(expected.mean())


def test_an_absent_class_scores_one_and_background_everywhere_looks_good_on_pixels():
    true = np.zeros((10, 10), np.uint8)
    true[2:4, 2:4] = 3
    lazy = np.zeros_like(true)
    assert seg.pixel_accuracy(lazy, true) == 0.96  # the pixel-accuracy trap
    scores = seg.per_class_iou(lazy, true, 4)
    assert scores[1] == scores[2] == 1.0 and scores[3] == 0.0
    assert seg.mean_iou(lazy, true, 4) == pytest.approx(2 / 3)


# ---------------------------------------------------------------- transposed convolution


@pytest.mark.parametrize("h, w, c, f, k, stride, padding", [
    (3, 3, 1, 1, 2, 2, "valid"),
    (3, 4, 2, 3, 3, 2, "valid"),
    (3, 4, 2, 3, 3, 2, "same"),
    (5, 5, 1, 2, 4, 2, "same"),
    (4, 3, 2, 2, 2, 3, "valid"),
    (4, 3, 2, 2, 2, 3, "same"),
    (4, 4, 3, 2, 5, 2, "same"),
    (2, 5, 1, 1, 3, 1, "valid"),
    (2, 5, 3, 4, 1, 2, "valid"),
])
def test_transposed_conv_matches_keras(h, w, c, f, k, stride, padding):
    import keras
    rng = np.random.default_rng(h * 100 + k * 10 + stride)
    x = rng.normal(size=(h, w, c)).astype(np.float32)
    layer = keras.layers.Conv2DTranspose(f, k, strides=stride, padding=padding, use_bias=False)
    expected = np.asarray(layer(x[None]))[0]
    kernel = layer.get_weights()[0]
    ours = seg.transposed_conv2d(x, kernel, stride, padding)
    assert ours.shape == expected.shape
    assert ours.shape[0] == seg.transposed_output_size(h, k, stride, padding)
    np.testing.assert_allclose(ours, expected, atol=1e-5)


def test_transposed_conv_of_one_pixel_is_the_kernel():
    kernel = np.arange(9.0).reshape(3, 3)
    x = np.zeros((2, 2))
    x[1, 0] = 2.0
    out = seg.transposed_conv2d(x, kernel, stride=2)
    assert out.shape == (5, 5)
    np.testing.assert_array_equal(out[2:5, 0:3], 2 * kernel)
    assert out.sum() == 2 * kernel.sum()


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("call, error, words", [
    (lambda: seg.iou(np.zeros((2, 2), bool), np.zeros((2, 3), bool)), ValueError, "pred_mask must have the shape"),
    (lambda: seg.dice([[0, 2]], [[0, 1]]), ValueError, "pred_mask must be boolean"),
    (lambda: seg.iou("mask", [[0, 1]]), TypeError, "pred_mask"),
    (lambda: seg.per_class_iou([[0.5]], [[0]]), TypeError, "pred_labels"),
    (lambda: seg.per_class_iou([[0, 5]], [[0, 1]], n_classes=4), ValueError, "n_classes"),
    (lambda: seg.per_class_iou([[-1, 0]], [[0, 1]]), ValueError, "pred_labels"),
    (lambda: seg.mean_iou([[0, 0]], [[0, 0]]), ValueError, "ignore_background"),
    (lambda: seg.transposed_conv2d(np.ones((2, 2, 3)), np.ones((2, 2, 1, 2))), ValueError, "kernel must have 3"),
    (lambda: seg.transposed_conv2d(np.ones((2, 2)), np.ones(3)), ValueError, "kernel"),
    (lambda: seg.transposed_conv2d(np.ones((2, 2)), np.ones((2, 2)), stride=0), ValueError, "stride"),
    (lambda: seg.transposed_conv2d(np.ones((2, 2)), np.ones((2, 2)), padding="full"), ValueError, "padding"),
    (lambda: seg.unet(input_shape=(30, 32, 3)), ValueError, "divisible by 4"),
    (lambda: seg.unet(skips="yes"), TypeError, "skips"),
])
def test_bad_input_names_the_argument(call, error, words):
    with pytest.raises(error, match=words):
        call()


@pytest.mark.parametrize("rate, error, words", [
    (float("nan"), ValueError, "learning_rate must be a finite number"),
    (0.0, ValueError, "learning_rate must be positive"),
    (100.0, ValueError, "learning_rate must be at most 10"),
    ("fast", TypeError, "learning_rate must be a number"),
])
def test_a_learning_rate_that_cannot_train_is_refused_before_training(rate, error, words):
    model = seg.unet(input_shape=(8, 8, 3), filters=2)
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(error, match=words):
        seg.train_segmenter(model, np.zeros((2, 8, 8, 3), np.uint8), np.zeros((2, 8, 8), np.int64),
                            seconds=1.0, learning_rate=rate)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


# ---------------------------------------------------------------- the U-Net


def test_unet_shapes_and_what_the_skips_change():
    import keras  # noqa: F401  (the test extra installs it: never skipped)
    with_skips = seg.unet(filters=4)
    without = seg.unet(filters=4, skips=False)
    assert with_skips.output.shape[1:] == without.output.shape[1:] == (32, 32, 4)
    names = {layer.name for layer in with_skips.layers}
    assert {"up1_skip", "up2_skip"} <= names
    assert not any(name.endswith("_skip") for name in (layer.name for layer in without.layers))
    assert with_skips.count_params() > without.count_params()  # the convolutions after a skip see more maps


def test_unet_learns_the_foreground_in_a_few_seconds():
    import keras  # noqa: F401  (the test extra installs it: never skipped)

    from cnnlab import datasets

    train = datasets.make_shapes(300, size=32, seed=1)
    model = seg.unet(filters=8)
    history = seg.train_segmenter(model, train.images, train.label_maps, seconds=3.0, batch_size=8)
    assert history["epochs"] >= 1 and np.isfinite(history["loss"]).all()
    test = datasets.make_shapes(50, size=32, seed=2)
    pred = seg.predict_label_maps(model, test.images)
    assert pred.shape == test.label_maps.shape and pred.dtype == np.uint8
    background = model.predict(test.images / 255.0, verbose=0)[..., 0]
    objects = test.label_maps > 0
    # a few seconds are enough to tell objects from background, not yet to draw them well
    assert background[objects].mean() < background[~objects].mean() - 0.2


# ---------------------------------------------------------------- pictures for lesson 09


def test_colour_labels_gives_each_class_its_colour():
    labels = np.array([[0, 1, 2], [3, 1, 0]])
    rgb = seg.colour_labels(labels)
    assert rgb.shape == (2, 3, 3) and rgb.dtype == np.uint8
    for cls in range(4):
        assert (rgb[labels == cls] == seg.LABEL_COLOURS[cls]).all()
    assert len({tuple(c) for c in seg.LABEL_COLOURS}) == len(seg.LABEL_COLOURS)
    assert seg.colour_labels(np.stack([labels, labels])).shape == (2, 2, 3, 3)


def test_error_overlay_paints_hits_false_positives_and_misses():
    photo = np.full((2, 2), 200, np.uint8)
    pred = np.array([[1, 1], [0, 0]], bool)
    true = np.array([[1, 0], [1, 0]], bool)
    out = seg.error_overlay(photo, pred, true)
    assert out.shape == (2, 2, 3) and out.dtype == np.uint8
    hit, false_positive, miss, background = out[0, 0], out[0, 1], out[1, 0], out[1, 1]
    assert hit.tolist() == [255, 255, 255]
    assert false_positive[0] > false_positive[2] and miss[2] > miss[0]   # red, blue
    assert background.max() < 200                                       # dimmed photo


@pytest.mark.parametrize("call, error, name", [
    (lambda: seg.colour_labels(np.array([[0.5]])), TypeError, "label_map"),
    (lambda: seg.colour_labels(np.array([[-1]])), ValueError, "label_map"),
    (lambda: seg.colour_labels(np.zeros(4, int)), ValueError, "label_map"),
    (lambda: seg.error_overlay(np.zeros((2, 2), np.float32), np.ones((2, 2), bool), np.ones((2, 2), bool)),
     TypeError, "image"),
    (lambda: seg.error_overlay(np.zeros((2, 2, 4), np.uint8), np.ones((2, 2), bool), np.ones((2, 2), bool)),
     ValueError, "image"),
    (lambda: seg.error_overlay(np.zeros((2, 2), np.uint8), np.ones((3, 2), bool), np.ones((2, 2), bool)),
     ValueError, "mask"),
])
def test_lesson_pictures_reject_bad_input(call, error, name):
    with pytest.raises(error, match=name):
        call()


def test_max_epochs_stops_training_early_and_is_checked():
    import keras  # noqa: F401  (the test extra installs it: never skipped)

    shapes = datasets.make_shapes(16, size=32, seed=3)
    model = seg.unet(filters=4)
    history = seg.train_segmenter(model, shapes.images, shapes.label_maps, seconds=60, max_epochs=2, batch_size=8)
    assert history["epochs"] == 2 and len(history["loss"]) == 2
    with pytest.raises(TypeError, match="max_epochs"):
        seg.train_segmenter(model, shapes.images, shapes.label_maps, max_epochs=1.5)


# ---------------------------------------------------------------- label arithmetic never overflows


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.uint16, np.int32])
def test_per_class_iou_is_exact_in_any_integer_dtype_with_many_classes(dtype):
    """uint8 maps with 17+ classes once overflowed ``true * n_classes + pred`` silently."""
    from sklearn.metrics import jaccard_score

    rng = np.random.default_rng(3)
    classes = 40 if np.iinfo(dtype).max >= 40 else 20
    true = rng.integers(0, classes, (3, 16, 16)).astype(dtype)
    pred = np.where(rng.random(true.shape) < 0.8, true, rng.integers(0, classes, true.shape)).astype(dtype)
    want = jaccard_score(true.ravel(), pred.ravel(), average=None, labels=range(classes), zero_division=1.0)
    np.testing.assert_allclose(seg.per_class_iou(pred, true, classes), want)


def test_the_255_ignore_label_leaves_those_pixels_out():
    true = np.array([[0, 1, 255, 255]], np.uint8)
    pred = np.array([[0, 1, 1, 0]], np.uint8)
    assert seg.per_class_iou(pred, true, ignore_label=255).tolist() == [1.0, 1.0]
    assert seg.mean_iou(pred, true, ignore_label=255) == 1.0
    with pytest.raises(ValueError, match="ignore_label="):
        seg.per_class_iou(pred, true, n_classes=2)


@pytest.mark.parametrize("pred, true, kwargs, message", [
    (np.array([0, 10**7]), np.array([0, 1]), {}, "a label of 10000000"),
    (np.array([0, 1]), np.array([0, 1]), {"n_classes": 10**6}, "n_classes=1000000"),
    (np.array([0, 1]), np.array([0, 1]), {"ignore_label": -1}, "ignore_label"),
])
def test_a_stray_label_or_huge_class_count_is_refused_before_allocating(pred, true, kwargs, message):
    with pytest.raises(ValueError, match=message):
        seg.per_class_iou(pred, true, **kwargs)


@pytest.mark.parametrize("call, message", [
    (lambda: seg.transposed_conv2d(np.ones((3, 3)), np.ones((2, 2)), stride=100000), "stride=100000"),
    (lambda: seg.transposed_conv2d(np.ones((1000, 1000)), np.ones((1, 1)), stride=1), "a loop"),
    (lambda: seg.unet(filters=100000), "filters must be at most 256"),
])
def test_a_size_out_of_reach_is_refused_before_allocating(call, message):
    with pytest.raises(ValueError, match=message):
        call()
