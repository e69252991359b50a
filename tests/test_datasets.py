"""cnnlab.datasets: offline-first MNIST, faces, synthetic shapes and image folders."""

import socket
import time

import numpy as np
import pytest
from PIL import Image

from cnnlab import _net, datasets


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a socket fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("tried to use the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_offline_mnist_shapes_dtypes_and_labels(no_network):
    (x_train, y_train), (x_test, y_test) = datasets.load_mnist("offline")
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    assert x_train.dtype == x_test.dtype == np.uint8
    assert y_train.shape == (4000,) and y_test.shape == (1000,)
    assert set(np.unique(y_train)) == set(range(10))
    assert x_train.max() == 255 and x_train.min() == 0
    # digits are white on black: the border is dark, the centre has ink
    assert x_train[:, 0, :].mean() < 5 and x_train[:, 10:18, 10:18].mean() > 50


def test_offline_split_is_stratified_and_always_the_same(no_network):
    (a_train, a_labels), (a_test, a_test_labels) = datasets.load_mnist("offline")
    (b_train, _), (b_test, b_test_labels) = datasets.load_mnist("offline")
    np.testing.assert_array_equal(a_test, b_test)
    np.testing.assert_array_equal(a_test_labels, b_test_labels)
    counts = np.bincount(a_test_labels, minlength=10)
    assert np.all(np.abs(counts - 100) <= 2), counts
    # train and test do not share images
    train_keys = {row.tobytes() for row in a_train.reshape(len(a_train), -1)}
    assert sum(row.tobytes() in train_keys for row in a_test.reshape(len(a_test), -1)) < 5


def test_offline_returns_copies(no_network):
    (x_train, _), _ = datasets.load_mnist("offline")
    x_train[:] = 0
    (again, _), _ = datasets.load_mnist("offline")
    assert again.max() == 255


def test_auto_with_cnnlab_offline_falls_back_in_one_line(no_network, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("CNNLAB_OFFLINE", "1")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))  # no cached full MNIST
    monkeypatch.setattr(datasets, "_keras_cache_files", lambda: [tmp_path / "datasets" / "mnist.npz"])
    start = time.perf_counter()
    (x_train, _), (x_test, _) = datasets.load_mnist("auto")
    assert time.perf_counter() - start < 5
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and "offline" in lines[0]


def test_auto_without_the_variable_probes_briefly_then_falls_back(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("CNNLAB_OFFLINE", raising=False)
    monkeypatch.setattr(datasets, "_keras_cache_files", lambda: [tmp_path / "mnist.npz"])
    probes = []

    def unreachable(host, port, timeout):
        probes.append((host, timeout))
        return False

    monkeypatch.setattr(_net, "reachable", unreachable)
    (x_train, _), _ = datasets.load_mnist("auto")
    assert x_train.shape == (4000, 28, 28)
    assert len(probes) == 1 and probes[0][1] <= 5
    assert len(capsys.readouterr().out.strip().splitlines()) == 1


def test_full_offline_raises_a_one_sentence_connection_error(monkeypatch, tmp_path, no_network):
    monkeypatch.setenv("CNNLAB_OFFLINE", "1")
    monkeypatch.setattr(datasets, "_keras_cache_files", lambda: [tmp_path / "mnist.npz"])
    with pytest.raises(ConnectionError, match="offline") as info:
        datasets.load_mnist("full")
    assert "\n" not in str(info.value)


def test_full_reads_the_keras_cache(monkeypatch, tmp_path, no_network):
    cache = tmp_path / "mnist.npz"
    x = np.zeros((6, 28, 28), np.uint8)
    np.savez(cache, x_train=x, y_train=np.arange(6, dtype=np.uint8), x_test=x[:2], y_test=np.zeros(2, np.uint8))
    monkeypatch.setattr(datasets, "_keras_cache_files", lambda: [cache])
    (x_train, y_train), (x_test, _) = datasets.load_mnist("full")
    assert x_train.shape == (6, 28, 28) and y_train.tolist() == list(range(6)) and x_test.shape == (2, 28, 28)


def test_faces_are_the_bundled_lfw_subset(no_network):
    faces, labels = datasets.load_faces()
    assert faces.shape == (200, 25, 25) and labels.shape == (200,)
    assert np.bincount(labels).tolist() == [100, 100]
    assert datasets.FACE_CLASSES[labels[0]] == "face"
    assert 0.0 <= faces.min() and faces.max() <= 1.0


def test_make_shapes_is_deterministic_and_seeded():
    a = datasets.make_shapes(20, size=48, seed=3)
    b = datasets.make_shapes(20, size=48, seed=3)
    c = datasets.make_shapes(20, size=48, seed=4)
    np.testing.assert_array_equal(a.images, b.images)
    assert not np.array_equal(a.images, c.images)
    images, boxes, labels, masks, label_maps = a  # unpacks as a tuple, images first
    assert images.shape == (20, 48, 48, 3) and images.dtype == np.uint8
    assert label_maps.shape == (20, 48, 48)
    assert len(boxes) == len(labels) == len(masks) == 20


def test_shape_boxes_are_tight_around_their_masks():
    shapes = datasets.make_shapes(60, size=64, seed=0, max_objects=3)
    seen = set()
    for boxes, labels, masks, label_map in zip(shapes.boxes, shapes.labels, shapes.masks, shapes.label_maps):
        assert 1 <= len(boxes) <= 3 and len(boxes) == len(labels) == len(masks)
        for (x0, y0, x1, y1), label, mask in zip(boxes, labels, masks):
            ys, xs = np.nonzero(mask)
            assert (xs.min(), ys.min()) == (x0, y0)
            assert (xs.max(), ys.max()) in ((x1, y1), (x1 - 1, y1 - 1))  # inclusive or exclusive max
            assert 0 <= x0 < x1 <= 64 and 0 <= y0 < y1 <= 64
            # the label map says this class on (at least most of) the object
            assert np.mean(label_map[mask] == label + 1) > 0.5
            seen.add(int(label))
    assert seen == {0, 1, 2}, "circles, squares and triangles all occur"


def test_make_shapes_is_fast():
    start = time.perf_counter()
    datasets.make_shapes(1000, 64)
    assert time.perf_counter() - start < 10


def test_image_folder_round_trips_through_keras(tmp_path):
    root = datasets.to_image_folder(tmp_path / "digits", "mnist", per_class=5)
    assert root == tmp_path / "digits"
    classes = sorted(p.name for p in (root / "train").iterdir())
    assert classes == [str(d) for d in range(10)]
    files = sorted((root / "train" / "3").glob("*.png")) + sorted((root / "validation" / "3").glob("*.png"))
    assert len(files) == 5
    with Image.open(files[0]) as img:
        assert img.size == (28, 28)
    import keras

    ds = keras.utils.image_dataset_from_directory(root / "train", image_size=(28, 28), color_mode="grayscale",
                                                  batch_size=8, verbose=False)
    assert ds.class_names == classes


@pytest.mark.parametrize("dataset, n_classes", [("faces", 2), ("shapes", 3)])
def test_image_folder_for_faces_and_shapes(tmp_path, dataset, n_classes):
    root = datasets.to_image_folder(tmp_path / dataset, dataset, per_class=4, validation_split=0.25)
    for part in ("train", "validation"):
        folders = [p for p in (root / part).iterdir() if p.is_dir()]
        assert len(folders) == n_classes
        assert all(any(f.glob("*.png")) for f in folders)


BAD = {
    "source unknown": (lambda: datasets.load_mnist("cloud"), ValueError, ["source", "'offline'"]),
    "source int": (lambda: datasets.load_mnist(1), TypeError, ["source"]),
    "n zero": (lambda: datasets.make_shapes(0), ValueError, ["n"]),
    "n negative": (lambda: datasets.make_shapes(-3), ValueError, ["n"]),
    "n float": (lambda: datasets.make_shapes(2.5), TypeError, ["n"]),
    "n bool": (lambda: datasets.make_shapes(True), TypeError, ["n"]),
    "size tiny": (lambda: datasets.make_shapes(2, size=8), ValueError, ["size"]),
    "seed str": (lambda: datasets.make_shapes(2, seed="a"), TypeError, ["seed"]),
    "objects": (lambda: datasets.make_shapes(2, min_objects=3, max_objects=1), ValueError, ["max_objects"]),
    "dataset unknown": (lambda: datasets.to_image_folder("/tmp/x", "cifar"), ValueError, ["dataset", "'mnist'"]),
    "per_class zero": (lambda: datasets.to_image_folder("/tmp/x", per_class=0), ValueError, ["per_class"]),
    "split too big": (lambda: datasets.to_image_folder("/tmp/x", validation_split=1.5), ValueError,
                      ["validation_split"]),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_input_names_the_argument(case):
    call, error, words = BAD[case]
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value)


def test_directory_that_is_a_file_is_rejected(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")
    with pytest.raises(ValueError, match="directory"):
        datasets.to_image_folder(target, "faces", per_class=2)
