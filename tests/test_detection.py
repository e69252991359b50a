"""cnnlab.detection: IoU against pixel counting, NMS against TensorFlow, windows, AP, the face and shapes models."""

import time

import numpy as np
import pytest

from cnnlab import detection as det
from cnnlab.detection.shapes import _shape_targets

# ---------------------------------------------------------------- IoU


def _pixel_iou(a, b, size=40):
    """IoU by painting both integer boxes on a pixel grid and counting: independent of the formula."""
    grid_a = np.zeros((size, size), bool)
    grid_b = np.zeros((size, size), bool)
    grid_a[a[1]:a[3], a[0]:a[2]] = True
    grid_b[b[1]:b[3], b[0]:b[2]] = True
    union = np.count_nonzero(grid_a | grid_b)
    return 0.0 if union == 0 else np.count_nonzero(grid_a & grid_b) / union


def _random_int_boxes(rng, n, size=40):
    corners = rng.integers(0, size, size=(n, 2, 2))
    lo, hi = corners.min(axis=1), corners.max(axis=1)
    return np.concatenate([lo, hi], axis=1)  # (x_min, y_min, x_max, y_max)


@pytest.fixture(scope="module")
def box_pairs():
    rng = np.random.default_rng(0)
    a, b = _random_int_boxes(rng, 1200), _random_int_boxes(rng, 1200)
    # force 150 disjoint pairs (b moved right of a) and 150 zero-area boxes
    b[:150, [0, 2]] = a[:150, [2]] + rng.integers(0, 5, (150, 1)) + np.array([0, 3])
    a[150:300, 2] = a[150:300, 0]
    b[300:350, 3] = b[300:350, 1]
    a[350:370] = b[350:370]  # identical boxes
    return a, b


def test_iou_matches_pixel_counting_on_1200_random_pairs(box_pairs):
    a, b = box_pairs
    ours = np.array([det.iou(x, y) for x, y in zip(a, b)])
    reference = np.array([_pixel_iou(x, y, size=60) for x, y in zip(a, b)])
    np.testing.assert_allclose(ours, reference, atol=1e-12)
    assert (reference[:150] == 0).all() and (reference[150:300] == 0).all()
    assert ((reference > 0) & (reference < 1)).sum() > 300  # plenty of partial overlaps too


def test_iou_matrix_is_iou_of_every_pair(box_pairs):
    a, b = box_pairs
    matrix = det.iou_matrix(a[:40], b[:30])
    assert matrix.shape == (40, 30)
    expected = [[det.iou(x, y) for y in b[:30]] for x in a[:40]]
    np.testing.assert_allclose(matrix, expected, atol=1e-15)
    np.testing.assert_allclose(det.iou_matrix(a[:40], b[:30]), det.iou_matrix(b[:30], a[:40]).T)


def test_iou_of_float_boxes_and_special_cases():
    assert det.iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert det.iou((0.5, 0.5, 1.5, 2.5), (1.0, 0.5, 2.0, 2.5)) == pytest.approx(1.0 / 3.0)
    assert det.iou((3, 3, 3, 3), (3, 3, 3, 3)) == 0.0  # both empty: no union
    assert det.iou((0, 0, 4, 4), (4, 0, 8, 4)) == 0.0  # touching edges share no area
    assert det.iou_matrix(np.zeros((0, 4)), [[0, 0, 1, 1]]).shape == (0, 1)


def test_box_area():
    np.testing.assert_array_equal(det.box_area([[0, 0, 2, 3], [1, 1, 1, 5]]), [6.0, 0.0])


# ---------------------------------------------------------------- NMS


def _random_float_boxes(rng, n):
    xy = rng.uniform(0, 80, size=(n, 2))
    wh = rng.uniform(0, 30, size=(n, 2))
    wh[rng.random(n) < 0.05] = 0  # a few zero-area boxes
    return np.concatenate([xy, xy + wh], axis=1)


@pytest.mark.parametrize("case", range(25))
def test_nms_keeps_the_same_indices_as_tensorflow(case):
    import tensorflow as tf
    rng = np.random.default_rng(100 + case)
    n = int(rng.integers(1, 60))
    boxes = _random_float_boxes(rng, n)
    scores = rng.random(n)
    threshold = float(rng.choice([0.0, 0.1, 0.3, 0.5, 0.7, 0.95]))
    yx = boxes[:, [1, 0, 3, 2]].astype(np.float32)  # TensorFlow wants (y_min, x_min, y_max, x_max)
    expected = tf.image.non_max_suppression(yx, scores.astype(np.float32), max_output_size=n,
                                            iou_threshold=threshold).numpy()
    np.testing.assert_array_equal(det.nms(boxes, scores, threshold), expected)


def test_nms_orders_by_score_and_respects_max_boxes():
    boxes = [[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [40, 40, 50, 50]]
    scores = [0.5, 0.9, 0.7, 0.8]
    assert det.nms(boxes, scores, 0.5).tolist() == [1, 3, 2]
    assert det.nms(boxes, scores, 0.5, max_boxes=2).tolist() == [1, 3]
    assert det.nms(boxes, scores, 1.0).tolist() == [1, 3, 2, 0]  # nothing overlaps by more than 1
    assert det.nms(np.zeros((0, 4)), [], 0.5).tolist() == []


def test_nms_steps_trace_agrees_with_nms():
    rng = np.random.default_rng(7)
    boxes = _random_float_boxes(rng, 40)
    scores = rng.random(40)
    steps = list(det.nms_steps(boxes, scores, 0.4))
    assert [s.index for s in steps] == np.argsort(-scores).tolist()  # visited by score
    kept = [s.index for s in steps if s.kept]
    assert kept == det.nms(boxes, scores, 0.4).tolist()
    assert steps[-1].kept_so_far == tuple(kept)
    for s in steps:
        if s.kept:
            assert s.by == -1 and s.iou <= 0.4
        else:
            assert s.by in s.kept_so_far and s.iou > 0.4
            assert s.iou == pytest.approx(det.iou(boxes[s.index], boxes[s.by]))


def test_group_detections_votes_and_merges():
    boxes = [[0, 0, 10, 10], [2, 2, 12, 12], [1, 1, 11, 11], [50, 50, 60, 60]]
    scores = [0.9, 0.3, 0.3, 0.95]
    groups = det.group_detections(boxes, scores, 0.3)
    assert groups.keep.tolist() == [0, 3]  # the cluster of three outvotes the lone box
    np.testing.assert_allclose(groups.votes, [1.5, 0.95])
    np.testing.assert_allclose(groups.boxes[0], [0.6, 0.6, 10.6, 10.6])


# ---------------------------------------------------------------- sliding windows


def test_sliding_windows_line_up_with_crops():
    boxes = det.sliding_windows((30, 41, 3), window=10, stride=5, scales=[1.0])
    rows, cols = det.window_grid((30, 41), 10, 5)
    assert (rows, cols) == (5, 7) and boxes.shape == (35, 4)
    np.testing.assert_array_equal(boxes[1], [5, 0, 15, 10])  # second window: one stride to the right
    np.testing.assert_array_equal(boxes[cols], [0, 5, 10, 15])  # next row
    assert boxes[:, 2].max() <= 41 and boxes[:, 3].max() <= 30


def test_sliding_windows_at_smaller_scales_cover_more_of_the_photo():
    one, half = (det.sliding_windows((100, 100), 20, 10, [s]) for s in (1.0, 0.5))
    assert len(one) == 81 and len(half) == 16
    np.testing.assert_allclose(half[0], [0, 0, 40, 40])
    both = det.sliding_windows((100, 100), 20, 10, [1.0, 0.5])
    np.testing.assert_array_equal(both, np.concatenate([one, half]))
    assert det.sliding_windows((10, 10), 20, 4).shape == (0, 4)  # the window does not fit


# ---------------------------------------------------------------- average precision


def test_ap_of_perfect_detections_is_one_and_of_none_is_zero():
    truth = [[0, 0, 10, 10], [20, 20, 30, 30]]
    assert det.average_precision(truth, [0.9, 0.8], truth) == 1.0
    assert det.average_precision(np.zeros((0, 4)), [], truth) == 0.0
    assert det.average_precision(np.zeros((0, 4)), [], np.zeros((0, 4))) == 1.0
    assert det.average_precision([], [], []) == 1.0  # plain empty lists: one image, nothing in it


def test_ap_by_hand():
    truth = [[0, 0, 10, 10], [20, 20, 30, 30], [40, 40, 50, 50]]
    preds = [[0, 0, 10, 10], [60, 60, 70, 70], [0, 0, 10, 10], [20, 20, 30, 30]]
    # hit, false alarm, duplicate of a found object (false alarm), hit; the third object is missed
    pr = det.precision_recall_curve(preds, [0.9, 0.8, 0.7, 0.6], truth)
    assert pr.true_positive.tolist() == [True, False, False, True]
    np.testing.assert_allclose(pr.precision, [1, 1 / 2, 1 / 3, 2 / 4])
    np.testing.assert_allclose(pr.recall, [1 / 3, 1 / 3, 1 / 3, 2 / 3])
    # interpolated: precision 1 up to recall 1/3, then 1/2 up to 2/3, then nothing
    assert det.average_precision(preds, [0.9, 0.8, 0.7, 0.6], truth) == pytest.approx(1 / 3 + 1 / 6)


def test_ap_pools_images_and_needs_the_iou_threshold():
    truth = [np.array([[0, 0, 10, 10]]), np.array([[0, 0, 10, 10], [30, 30, 40, 40]])]
    preds = [np.array([[0, 0, 10, 10]]), np.array([[2, 0, 12, 10]])]  # second: IoU 8/12
    scores = [np.array([0.9]), np.array([0.8])]
    assert det.average_precision(preds, scores, truth, 0.5) == pytest.approx(2 / 3)
    assert det.average_precision(preds, scores, truth, 0.7) == pytest.approx(1 / 3)


def test_ap_interpolation_is_the_area_under_the_falling_envelope():
    rng = np.random.default_rng(3)
    truth = _random_float_boxes(rng, 30)
    preds = np.concatenate([truth + rng.normal(0, 2, truth.shape), _random_float_boxes(rng, 30)])
    preds[:, 2:] = np.maximum(preds[:, 2:], preds[:, :2])
    scores = rng.random(60)
    pr = det.precision_recall_curve(preds, scores, truth)
    # independent: sum over every reached recall level of the best precision at that recall or beyond
    levels = np.unique(pr.recall[pr.true_positive])
    previous = np.concatenate([[0.0], levels[:-1]])
    expected = sum((r - p) * pr.precision[pr.recall >= r].max() for r, p in zip(levels, previous))
    assert det.average_precision(preds, scores, truth) == pytest.approx(expected)
    assert det.average_precision(preds, scores, truth) <= pr.recall.max()


def test_mean_average_precision_counts_a_wrong_class_as_a_miss():
    truth, truth_cls = [np.array([[0, 0, 10, 10], [20, 20, 30, 30]])], [np.array([0, 1])]
    boxes, scores = [truth[0].astype(float)], [np.array([0.9, 0.8])]
    assert det.mean_average_precision(boxes, scores, [np.array([0, 1])], truth, truth_cls, 2) == 1.0
    assert det.mean_average_precision(boxes, scores, [np.array([0, 0])], truth, truth_cls, 2) == pytest.approx(0.5)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("call, error, words", [
    (lambda: det.iou((0, 0, 1), (0, 0, 1, 1)), ValueError, "box_a"),
    (lambda: det.iou((0, 0, 1, 1), (2, 0, 1, 1)), ValueError, "box_b must have x_max >= x_min"),
    (lambda: det.iou((0, 0, 1, 1), "box"), TypeError, "box_b"),
    (lambda: det.iou((0, 0, np.nan, 1), (0, 0, 1, 1)), ValueError, "box_a"),
    (lambda: det.iou_matrix([[0, 0, 1, 1, 1]], [[0, 0, 1, 1]]), ValueError, "boxes_a"),
    (lambda: det.nms([[0, 0, 1, 1]], [0.5, 0.4]), ValueError, "scores"),
    (lambda: det.nms([[0, 0, 1, 1]], [0.5], iou_threshold=1.5), ValueError, "iou_threshold"),
    (lambda: det.nms([[0, 0, 1, 1]], [0.5], max_boxes=0), ValueError, "max_boxes"),
    (lambda: det.sliding_windows((10, 10), 0, 2), ValueError, "window"),
    (lambda: det.sliding_windows((10, 10), 3, 2, scales=[0.5, -1]), ValueError, "scales"),
    (lambda: det.sliding_windows(10, 3, 2), ValueError, "image_shape"),
    (lambda: det.average_precision([[0, 0, 1, 1]], [0.5, 0.2], [[0, 0, 1, 1]]), ValueError, "pred_scores"),
    (lambda: det.average_precision([[0, 0, 1, 1]], [0.5], None), TypeError, "true_boxes"),
    (lambda: det.normalize_contrast(np.zeros((4, 4)), sigma=0), ValueError, "sigma"),
    (lambda: det.pretrained_faces(np.zeros((5, 5, 3), np.uint8)), ValueError, "image must be at least"),
    (lambda: det.pretrained_faces(np.zeros((20, 20, 2))), ValueError, "image"),
    (lambda: det.build_face_detector(photos="coffee"), TypeError, "photos"),
    (lambda: det.build_face_detector(photos=["coffee", "no_such_photo.png"]), ValueError, "photos"),
    (lambda: det.build_face_detector(rounds=-1), ValueError, "rounds"),
    (lambda: det.train_face_classifier(None, np.zeros((2, 25, 25)), np.zeros((2, 25, 25))), TypeError, "model"),
    (lambda: det.train_face_classifier(det.face_classifier(), np.full((2, 25, 25), 2.0), np.zeros((2, 25, 25))),
     ValueError, "faces must be grayscale"),
    (lambda: det.detect_faces(None, np.zeros((10, 10))), ValueError, "image must be at least 25x25"),
    (lambda: det.train_shapes_detector(det.shapes_detector(image_size=16, filters=2), np.zeros((1, 16, 16, 3)),
                                       [[]], [[]], learning_rate=float("inf")), ValueError, "learning_rate must be a finite"),
    (lambda: det.train_shapes_detector(det.shapes_detector(image_size=16, filters=2), np.zeros((1, 16, 16, 3)),
                                       [[]], [[]], learning_rate=-0.1), ValueError, "learning_rate must be positive"),
])
def test_bad_input_names_the_argument(call, error, words):
    with pytest.raises(error, match=words):
        call()


# ---------------------------------------------------------------- the face models


def test_contrast_normalisation_ignores_brightness():
    rng = np.random.default_rng(0)
    photo = rng.random((40, 50)).astype(np.float32) * 0.5
    np.testing.assert_allclose(det.normalize_contrast(photo), det.normalize_contrast(photo + 0.4), atol=1e-5)
    stack = np.stack([photo, photo[::-1]])
    np.testing.assert_allclose(det.normalize_contrast(stack)[1], det.normalize_contrast(photo[::-1]), atol=1e-6)


@pytest.fixture(scope="module")
def random_face_models():
    import keras
    classifier = det.face_classifier(seed=3)
    rng = np.random.default_rng(3)
    # random weights large enough that the scores spread over (0, 1)
    classifier.set_weights([rng.normal(0, 0.1, w.shape).astype(np.float32) for w in classifier.get_weights()])
    assert isinstance(classifier, keras.Model)
    return classifier, det.one_pass_model(classifier)


def test_one_pass_scores_equal_the_window_loop(random_face_models):
    classifier, one_pass = random_face_models
    photo = np.random.default_rng(1).integers(0, 256, size=(70, 83, 3), dtype=np.uint8)
    scales = (1.0, 0.62)
    loop = det.face_scores_by_window(classifier, photo, scales, batch_size=512)
    once = det.face_scores_one_pass(one_pass, photo, scales)
    for scale, a, b in zip(scales, loop, once):
        assert a.shape == b.shape == det.window_grid(det.scaled_size(photo.shape, scale), 25, det.FACE_STRIDE)
        np.testing.assert_allclose(b, a, atol=1e-5)
    assert np.concatenate([m.ravel() for m in loop]).std() > 0.01  # not a constant map
    single = det.face_scores_by_window(classifier, photo[:33, :33], [1.0], batch_size=1)[0]
    np.testing.assert_allclose(single, det.face_scores_one_pass(one_pass, photo[:33, :33], [1.0])[0], atol=1e-5)


def test_one_pass_model_needs_the_face_classifier():
    import keras
    other = keras.Sequential([keras.Input((25, 25, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    with pytest.raises(TypeError, match="classifier"):
        det.one_pass_model(other)


def test_detect_faces_returns_boxes_inside_the_photo(random_face_models):
    _, one_pass = random_face_models
    photo = np.random.default_rng(2).random((90, 120))
    boxes, votes = det.detect_faces(one_pass, photo, scales=(0.5, 0.4), threshold=0.0)
    assert len(boxes) == len(votes) >= 1
    assert (np.diff(votes) <= 0).all()
    assert boxes.min() >= 0 and boxes[:, 2].max() <= 120 + 1e-9 and boxes[:, 3].max() <= 90 + 1e-9


def test_mining_returns_only_windows_above_the_threshold(random_face_models):
    _, one_pass = random_face_models
    photo = np.random.default_rng(4).random((60, 60))
    scores = np.concatenate([m.ravel() for m in det.face_scores_one_pass(one_pass, photo, (0.8,))])
    hard = det.mine_hard_negatives(one_pass, [photo], scales=(0.8,), threshold=0.5, limit=5)
    assert hard.shape == (min(5, int((scores > 0.5).sum())), 25, 25)


# ---------------------------------------------------------------- the shapes detector


class _GridModel:
    """Stands in for a trained detector: returns a fixed raw output grid."""

    def __init__(self, grid):
        self.grid = grid

    def predict(self, x, batch_size=None, verbose=0):
        return self.grid[: len(x)]


def _logit(p):
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def test_shape_targets_decode_back_to_the_true_boxes():
    from cnnlab import datasets

    shapes = datasets.make_shapes(12, size=64, seed=5)
    target = _shape_targets(shapes.boxes, shapes.labels, 64)
    assert target.shape == (12, 8, 8, 6)
    assert target[..., 0].sum() == sum(len(b) for b in shapes.boxes)
    raw = np.full((12, 8, 8, 8), -20.0)
    raw[..., 0] = np.where(target[..., 0] > 0, 20.0, -20.0)
    raw[..., 1:5] = _logit(target[..., 1:5])
    cls = target[..., 5].astype(int)
    np.put_along_axis(raw[..., 5:], cls[..., None], 20.0, axis=-1)
    boxes, scores, classes = det.detect_shapes(_GridModel(raw), shapes.images)
    for found, truth, c, true_c in zip(boxes, shapes.boxes, classes, shapes.labels):
        order = np.lexsort(truth.T[::-1])
        np.testing.assert_allclose(found[np.lexsort(found.T[::-1])], truth[order], atol=1e-4)
        assert sorted(c.tolist()) == sorted(true_c.tolist())
    assert det.mean_average_precision(boxes, scores, classes, shapes.boxes, shapes.labels, 3) == 1.0


def test_shapes_detector_learns_something_in_a_few_seconds():
    import keras  # noqa: F401  (the test extra installs it: never skipped)

    from cnnlab import datasets

    train = datasets.make_shapes(600, size=32, seed=1, max_objects=1)
    model = det.shapes_detector(image_size=32, filters=8)
    assert model.output.shape[1:] == (4, 4, 8)
    history = det.train_shapes_detector(model, train.images, train.boxes, train.labels,
                                        seconds=3.0, batch_size=8)
    assert history["epochs"] >= 1 and np.isfinite(history["loss"]).all()
    objectness = model.predict(train.images[:100] / 255.0, verbose=0)[..., 0]
    has_object = _shape_targets(train.boxes[:100], train.labels[:100], 32)[..., 0] > 0
    assert objectness[has_object].mean() > objectness[~has_object].mean() + 1.0  # logits apart


# ---------------------------------------------------------------- the pretrained detector


def test_pretrained_faces_finds_the_astronaut_offline():
    from cnnlab import images

    photo = images.load("astronaut")
    boxes, scores, landmarks = det.pretrained_faces(photo)
    assert boxes.shape == (1, 4) and scores[0] > 0.9 and landmarks.shape == (1, 5, 2)
    x0, y0, x1, y1 = boxes[0]
    # the five points lie in the box, eyes above nose above mouth
    assert ((landmarks[0, :, 0] > x0) & (landmarks[0, :, 0] < x1)).all()
    assert ((landmarks[0, :, 1] > y0) & (landmarks[0, :, 1] < y1)).all()
    eyes, nose, mouth = landmarks[0, :2, 1].mean(), landmarks[0, 2, 1], landmarks[0, 3:, 1].mean()
    assert eyes < nose < mouth
    # no face in a cup of coffee
    assert det.pretrained_faces(images.load("coffee"))[0].shape == (0, 4)


# ---------------------------------------------------------------- sizes and scales with no limit


@pytest.mark.parametrize("call, message", [
    (lambda: det.windows.scaled_size((512, 512), 25), "scales are fractions"),
    (lambda: det.sliding_windows((512, 512), 25, 4, scales=[1000]), "scale=1000"),
    (lambda: det.windows.scaled_size((10, 10), float("inf")), "scale must be a finite number"),
    (lambda: det.windows.scaled_size((10, 10), -1), "scale must be positive"),
    (lambda: det.sliding_windows((64, 64), 25, 4, scales=[float("nan")]), "scales must contain only finite numbers"),
    (lambda: det.windows.window_grid((10, 10), 25, 0), "stride"),
    (lambda: det.windows.window_grid((10, 10), 0, 2), "window"),
    (lambda: det.iou_matrix(np.zeros((10**5, 4)), np.zeros((10**5, 4))), "compare them in chunks"),
])
def test_a_size_or_scale_out_of_reach_is_refused_at_once(call, message):
    start = time.perf_counter()
    with pytest.raises(ValueError, match=message):
        call()
    assert time.perf_counter() - start < 1.0
