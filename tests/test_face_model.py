"""The face detector shipped in cnnlab/data/faces.weights.npz: it loads safely and finds the astronaut's face."""

import numpy as np
import pytest

from cnnlab import detection, images
from cnnlab.detection import faces


@pytest.fixture(scope="module")
def shipped():
    return faces.load_face_detector()


def test_the_shipped_file_is_package_data():
    path = faces.face_detector_path()
    assert path.is_file() and path.name == "faces.weights.npz" and path.parent.name == "data"
    assert 50_000 < path.stat().st_size < 1_000_000


def test_it_loads_as_the_face_classifier_and_its_one_pass_twin(shipped):
    classifier, one_pass = shipped
    assert [layer.name for layer in classifier.layers] == [layer.name for layer in detection.face_classifier().layers]
    assert classifier.count_params() == detection.face_classifier().count_params()
    photo = images.load("astronaut")[:120, 150:270]
    by_window = detection.face_scores_by_window(classifier, photo, scales=(0.5,))
    at_once = detection.face_scores_one_pass(one_pass, photo, scales=(0.5,))
    assert by_window[0].shape == at_once[0].shape and by_window[0].size > 50
    np.testing.assert_allclose(at_once[0], by_window[0], atol=1e-5)


def test_it_finds_the_astronauts_face_where_mtcnn_does(shipped):
    _classifier, one_pass = shipped
    photo = images.load("astronaut")
    reference, _scores, _landmarks = detection.pretrained_faces(photo)
    boxes, votes = detection.detect_faces(one_pass, photo)
    assert len(reference) == 1 and len(boxes) >= 1
    ious = detection.iou_matrix(boxes, reference)[:, 0]
    assert ious[0] >= 0.5 and (ious < 0.5).sum() <= 2
    assert np.all(np.diff(votes) <= 0)


def test_it_fires_on_far_fewer_windows_than_the_naive_classifier(shipped):
    """Hard negatives are what it adds: the naive classifier (faces against 100 patches) fires everywhere."""
    _classifier, one_pass = shipped
    naive = detection.build_face_detector(rounds=0, photos=())
    photo = images.load("astronaut")

    def firing(model):
        return sum(int((m > 0.5).sum()) for m in detection.face_scores_one_pass(model, photo))

    shipped_firing, naive_firing = firing(one_pass), firing(naive.one_pass)
    assert 0 < shipped_firing < 50 and naive_firing > 10 * shipped_firing, (shipped_firing, naive_firing)


def test_a_missing_file_says_how_to_make_it(monkeypatch, tmp_path):
    monkeypatch.setattr(faces, "face_detector_path", lambda: tmp_path / "faces.weights.npz")
    with pytest.raises(FileNotFoundError, match="train_face_detector"):
        faces.load_face_detector()
