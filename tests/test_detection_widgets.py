"""The IoU and NMS widgets without a front end: scenes, numbers against cnnlab.detection, bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from cnnlab import detection, images
from cnnlab.widgets import IoUWidget, NMSWidget, _serialize
from cnnlab.widgets._inputs import load_image
from cnnlab.widgets.scenes import IoUScene, NMSScene, iou_scene, nms_scene
from cnnlab.widgets.scenes.iou import photo_rgb

RNG = np.random.default_rng(8)


def _random_boxes(n, width=512, height=512):
    x0 = RNG.integers(0, width - 1, n)
    y0 = RNG.integers(0, height - 1, n)
    x1 = np.minimum(x0 + RNG.integers(1, 200, n), width)
    y1 = np.minimum(y0 + RNG.integers(1, 200, n), height)
    return np.column_stack([x0, y0, x1, y1]).astype(float)


@pytest.fixture(scope="module")
def photo():
    return photo_rgb(load_image("astronaut", 64))


@pytest.fixture(scope="module")
def cluster():
    """Boxes around three places with jittered copies, and random scores."""
    centres = np.array([[100, 100, 200, 220], [300, 50, 420, 160], [180, 300, 330, 470]], float)
    boxes = np.concatenate([c + RNG.integers(-25, 25, (6, 4)) for c in centres])
    return boxes, RNG.random(len(boxes))


# ------------------------------------------------------------------ scenes


def test_iou_scene_is_pure_and_frozen(photo):
    a, b = (10.0, 20.0, 200.0, 220.0), (100.0, 50.0, 300.0, 260.0)
    one, two = iou_scene(photo, a, b), iou_scene(photo, a, b)
    assert one.iou == two.iou == detection.iou(a, b)
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.iou = 0.5
    assert not one.source.array.flags.writeable
    inter = (200 - 100) * (220 - 50)
    assert one.intersection == inter
    assert one.union == detection.box_area(a)[0] + detection.box_area(b)[0] - inter
    assert one.overlap == (100.0, 50.0, 200.0, 220.0)
    assert iou_scene(photo, (0, 0, 5, 5), (10, 10, 20, 20)).overlap is None


def test_nms_scene_is_pure_and_frozen(photo, cluster):
    boxes, scores = cluster
    scene = nms_scene(photo, boxes, scores, 0.4)
    again = nms_scene(photo, boxes, scores, 0.4)
    assert isinstance(scene, NMSScene) and scene.kept.tolist() == again.kept.tolist()
    assert scene.kept.tolist() == detection.nms(boxes, scores, 0.4).tolist()
    assert [d.index for d in scene.decisions] == np.argsort(-scores, kind="stable").tolist()
    for arr in (scene.boxes, scene.scores, scene.kept):
        assert not arr.flags.writeable
    with pytest.raises(dataclasses.FrozenInstanceError):
        scene.iou_threshold = 0.9
    last = scene.states(scene.steps - 1)
    assert sorted(np.flatnonzero(last == 1).tolist()) == sorted(scene.kept.tolist())
    assert (scene.states(0) == 0).sum() == len(boxes) - 1


def test_nms_scene_wire_is_the_decisions(photo, cluster):
    boxes, scores = cluster
    scene = nms_scene(photo, boxes, scores, 0.5)
    wire = scene.wire()
    table = wire["output_data"]
    steps = list(detection.nms_steps(boxes, scores, 0.5))
    assert table.shape == (len(boxes), 4) and table.dtype == np.float32
    np.testing.assert_array_equal(table[:, 0], [s.index for s in steps])
    np.testing.assert_array_equal(table[:, 1], [float(s.kept) for s in steps])
    np.testing.assert_array_equal(table[:, 2], [s.by for s in steps])
    np.testing.assert_allclose(table[:, 3], [s.iou for s in steps], rtol=1e-6)
    np.testing.assert_allclose(wire["boxes_data"][:, :4], boxes)


# ------------------------------------------------------------------ IoUWidget


def test_iou_widget_equals_detection_iou_on_random_boxes():
    w = IoUWidget("astronaut")
    pairs = _random_boxes(200)
    for a, b in zip(pairs[:100], pairs[100:]):
        w.set(box_a=a, box_b=b)
        assert w.iou == detection.iou(a, b)
        assert w.box_a == tuple(a) and w.box_b == tuple(b)
        assert w.meta["iou"] == w.iou and w.meta["box_a"] == list(a)


def test_iou_widget_defaults_state_and_repr():
    w = IoUWidget()
    assert w.kind == "iou" and w.error == ""
    a, b = w.box_a, w.box_b
    assert 0 < w.iou < 1 and w.iou == detection.iou(a, b)
    assert repr(w) == repr(IoUWidget())
    assert repr(w).startswith("IoUWidget(image=astronaut 512x512x3 shown at")
    photo = images.load("astronaut")
    assert w.meta["image_size"] == [photo.shape[1], photo.shape[0]]
    assert max(w.image_data.shape[:2]) == 320 and w.image_data.dtype == np.uint8
    json_bytes, buffer_bytes = _serialize.payload_nbytes(w)
    assert buffer_bytes == w.image_data.nbytes and json_bytes < 5000


def test_image_can_change_and_the_boxes_follow(cluster):
    w = IoUWidget("astronaut", (0, 0, 500, 500))
    with pytest.raises(ValueError, match="box_b"):
        w.set(image="coins", box_b=(400, 400, 500, 500))   # coins is 303x384: box_b is outside it
    assert w.meta["image_size"] == [512, 512]
    w.image = "coins"
    assert w.meta["image_size"] == [384, 303] and max(w.image.shape[:2]) == 320
    assert w.box_a == (0.0, 0.0, 384.0, 303.0) and w.iou == detection.iou(w.box_a, w.box_b)
    n = NMSWidget("astronaut", *cluster)
    n.image = "camera"
    assert n.image.ndim == 2 and n.kept.tolist() == detection.nms(*cluster).tolist()
    assert NMSWidget("astronaut", *cluster).speed == 1.0


def test_any_photo_array_is_sent_as_uint8():
    gray = RNG.random((40, 60)) * 7 - 3
    w = IoUWidget(gray, (5, 5, 30, 30), (10, 10, 50, 35))
    assert w.image_data.dtype == np.uint8 and w.image_data.shape == (40, 60)
    assert w.image_data.min() == 0 and w.image_data.max() == 255 and w.meta["image_size"] == [60, 40]
    rgba = RNG.integers(0, 256, (30, 20, 4)).astype(np.uint8)
    assert NMSWidget(rgba, [[0, 0, 5, 5]], [1.0]).image.shape == (30, 20, 3)
    with pytest.raises(ValueError, match="image"):
        IoUWidget(np.zeros((10, 10, 5)))


def test_iou_widget_clamps_boxes_to_the_photo():
    w = IoUWidget("camera", (-50, -10, 100, 80), (400, 400, 900, 700))
    h, wd = images.load("camera").shape[:2]
    assert w.box_a == (0.0, 0.0, 100.0, 80.0)
    assert w.box_b == (400.0, 400.0, float(wd), float(h))


@pytest.mark.parametrize(("name", "value", "error"), [
    ("box_a", (10, 10, 5, 20), ValueError),
    ("box_a", (10, 10, 10, 20), ValueError),
    ("box_b", (1, 2, 3), ValueError),
    ("box_b", (0, 0, float("nan"), 4), ValueError),
    ("box_a", "0 0 10 10", TypeError),
    ("box_a", (600, 600, 700, 700), ValueError),
    ("image", "no such photo", ValueError),
    ("max_size", 2, ValueError),
    ("max_size", "big", TypeError),
])
def test_iou_widget_bad_input_names_the_argument_and_keeps_state(name, value, error):
    with pytest.raises(error, match=name):
        IoUWidget(**{name: value})
    w = IoUWidget()
    before = (w.box_a, w.box_b, w.iou, dict(w.meta))
    with pytest.raises(error, match=name):
        w.set(**{name: value})
    assert (w.box_a, w.box_b, w.iou, dict(w.meta)) == before
    assert w.request(name, value) is False
    assert name in w.error
    assert (w.box_a, w.box_b, w.iou, dict(w.meta)) == before
    assert w.request("box_a", [5, 5, 50, 50]) is True and w.error == ""
    assert w.iou == detection.iou((5, 5, 50, 50), w.box_b)


def test_iou_widget_page_messages_are_answered():
    w = IoUWidget()
    sent = []
    w.send = sent.append
    w._on_front_end_msg(w, {"type": "set", "name": "box_b", "value": [0, 0, 64, 64]}, [])
    assert sent[-1] == {"type": "ack", "ok": True, "error": ""}
    assert w.box_b == (0.0, 0.0, 64.0, 64.0)
    w._on_front_end_msg(w, {"type": "set", "name": "kind", "value": "nms"}, [])
    assert sent[-1]["ok"] is False and "kind" in sent[-1]["error"] and w.kind == "iou"
    w.set_state({"meta": {}})
    assert "meta" in w.error and w.meta["box_b"] == [0.0, 0.0, 64.0, 64.0]


def test_both_widgets_carry_a_still_picture(cluster):
    for w in (IoUWidget(), NMSWidget("astronaut", *cluster)):
        data, _ = w._repr_mimebundle_()
        assert data["text/plain"] == repr(w)
        assert data["image/png"] and "<img" in data["text/html"]


def test_iou_widget_png():
    w = IoUWidget("coins", (10, 10, 150, 150), (80, 80, 250, 250))
    png = w.to_png()
    assert png[:4] == b"\x89PNG"
    frame = np.asarray(w.frame())
    assert frame.ndim == 3 and frame.shape[1] > 320
    with pytest.raises(TypeError, match="panel_px"):
        w.to_png(panel_px="big")


# ------------------------------------------------------------------ NMSWidget


def test_nms_widget_kept_equals_detection_nms(cluster):
    boxes, scores = cluster
    for t in (0.1, 0.3, 0.5, 0.7, 0.95):
        w = NMSWidget("astronaut", boxes, scores, iou_threshold=t)
        assert w.kept.tolist() == detection.nms(boxes, scores, t).tolist()
        assert w.steps == len(boxes)


def test_nms_widget_threshold_live_and_state(cluster):
    boxes, scores = cluster
    w = NMSWidget("astronaut", boxes, scores)
    assert w.kind == "nms" and w.step == 0 and w.meta["iou_threshold"] == 0.5
    w.step = 5
    assert w.request("iou_threshold", 0.2) is True
    assert w.kept.tolist() == detection.nms(boxes, scores, 0.2).tolist()
    assert w.meta["kept"] == w.kept.tolist() and w.step == 5
    assert repr(w) == repr(NMSWidget("astronaut", boxes, scores, 0.2))
    assert "kept=" in repr(w)


@pytest.mark.parametrize(("name", "value", "error"), [
    ("iou_threshold", 1.5, ValueError),
    ("iou_threshold", "high", TypeError),
    ("iou_threshold", float("nan"), ValueError),
    ("boxes", [[0, 0, 10]], ValueError),
    ("boxes", [[10, 0, 5, 10]], ValueError),
    ("boxes", "boxes", TypeError),
    ("boxes", np.zeros((0, 4)), ValueError),
    ("scores", [0.5, 0.2], ValueError),
    ("scores", [[0.5]], ValueError),
    ("image", 42, ValueError),
])
def test_nms_widget_bad_input_names_the_argument_and_keeps_state(cluster, name, value, error):
    boxes, scores = cluster
    args = {"image": "astronaut", "boxes": boxes, "scores": scores, "iou_threshold": 0.5}
    with pytest.raises(error, match=name):
        NMSWidget(**{**args, name: value})
    w = NMSWidget(**args)
    before = (w.kept.tolist(), dict(w.meta), w.output_data.copy())
    with pytest.raises(error, match=name):
        w.set(**{name: value})
    assert w.request(name, value) is False and name in w.error
    assert (w.kept.tolist(), dict(w.meta)) == before[:2]
    np.testing.assert_array_equal(w.output_data, before[2])


def test_nms_widget_copies_its_input_and_draws(cluster):
    boxes, scores = cluster
    boxes, scores = boxes.copy(), scores.copy()
    w = NMSWidget("astronaut", boxes, scores, 0.3)
    kept = w.kept.tolist()
    boxes[:] = 0
    scores[:] = 1
    assert w.kept.tolist() == kept
    png = w.to_png(step=3)
    assert png[:4] == b"\x89PNG"
    assert w.caption(0).startswith("step 1 of")
    with pytest.raises(ValueError, match="step"):
        w.frame(step=len(kept) + 100)


def test_scene_classes_exported():
    assert IoUScene.kind == "iou" and NMSScene.kind == "nms"
