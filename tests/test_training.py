"""cnnlab.training: the recipes' contract, repeatable fits, shifting, evaluation, live curves, the shipped model.

Fast on purpose (small subsets, one epoch): the accuracy and time figures are
measured by benchmarks/training.py, not here.
"""

import dataclasses
import itertools
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras

import cnnlab
from cnnlab import ops, training


@pytest.fixture(scope="module")
def digits():
    from cnnlab import datasets

    return datasets.load_mnist("offline")


@pytest.fixture(scope="module")
def small(digits):
    """300 training digits and 100 held-out training digits for validation (never the test digits)."""
    (x_train, y_train), _ = digits
    return (x_train[:300], y_train[:300]), (x_train[300:400], y_train[300:400])


def test_importing_training_does_not_import_tensorflow():
    code = ("import sys, cnnlab.training; "
            "print(sorted(m for m in ('tensorflow', 'keras', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_name_of_the_topic_modules_is_reachable_from_the_package():
    from cnnlab.training import augment, curves, evaluate, reader, recipes, shipped

    advertised = set(training.__all__)
    for module in (augment, curves, evaluate, reader, recipes, shipped):
        for name in module.__all__:
            assert getattr(training, name) is getattr(module, name), (module.__name__, name)
        advertised -= set(module.__all__)
    assert advertised == {"DIGIT_SHAPE"} and training.N_CLASSES == 10


# ---------------------------------------------------------------- recipes and models


def test_classic_recipe_is_the_keras_mnist_example():
    settings = training.recipe_settings("classic")
    assert (settings.batch_size, settings.epochs, settings.learning_rate) == (32, 5, 1e-3)
    assert (settings.shifted_copies, settings.label_smoothing, settings.cosine_decay) == (0, 0.0, False)
    model = training.build_model("classic")
    conv, pool, dense = model.get_layer("conv"), model.get_layer("pool"), model.get_layer("dense")
    assert (conv.filters, conv.kernel_size, conv.activation.__name__) == (32, (3, 3), "relu")
    assert pool.pool_size == (2, 2) and dense.activation.__name__ == "softmax"
    assert [layer.name for layer in model.layers] == ["to_channels", "rescale", "conv", "pool", "flatten", "dense"]
    assert model.count_params() == ops.conv2d_params(3, 1, 32) + ops.dense_params(13 * 13 * 32, 10)


def test_course_model_takes_uint8_digits():
    model = training.build_model("course")
    assert model.input_shape == (None, 28, 28) and model.output_shape == (None, 10)
    assert model.inputs[0].dtype == "uint8"
    assert [layer.name for layer in model.layers if "conv" in layer.name] == ["conv1", "conv2", "conv3"]
    assert model.get_layer("conv3").output.shape == (None, 4, 4, 32)


def test_rescale_layer_divides_by_255():
    model = training.build_model("course")
    probe = keras.Model(model.inputs, model.get_layer("rescale").output)
    image = np.array([[[0, 51, 255] + [0] * 25] * 28], dtype=np.uint8)
    out = probe.predict(image, verbose=0)
    assert out.shape == (1, 28, 28, 1)
    assert np.allclose(out[0, 0, :3, 0], [0, 0.2, 1])


@pytest.mark.parametrize("name", ["classic", "course"])
def test_train_returns_a_model_that_predicts_uint8_digits(small, name):
    (x, y), (x_val, y_val) = small
    model, seconds = training.train(name, x, y, seed=0, epochs=1, validation_data=(x_val, y_val))
    assert isinstance(seconds, float) and 0 < seconds < 120
    probs = model.predict(x_val[:7], verbose=0)
    assert probs.shape == (7, 10) and np.allclose(probs.sum(axis=1), 1, atol=1e-5)
    assert set(model.history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(model.history.history["val_accuracy"]) == 1


def test_train_is_repeatable_with_the_same_seed(small):
    (x, y), _ = small
    first, _ = training.train("course", x, y, seed=3, epochs=1)
    again, _ = training.train("course", x, y, seed=3, epochs=1)
    other, _ = training.train("course", x, y, seed=4, epochs=1)
    assert all(np.array_equal(a, b) for a, b in zip(first.get_weights(), again.get_weights()))
    assert not np.array_equal(first.get_weights()[0], other.get_weights()[0])


def test_train_accepts_other_integer_dtypes_and_whole_float_labels(small):
    (x, y), _ = small
    as_uint8, _ = training.train("classic", x[:64], y[:64], seed=1, epochs=1)
    as_int64, _ = training.train("classic", x[:64].astype(np.int64), y[:64].astype(np.float64), seed=1, epochs=1)
    assert all(np.array_equal(a, b) for a, b in zip(as_uint8.get_weights(), as_int64.get_weights()))


GOOD_X = np.zeros((4, 28, 28), np.uint8)
GOOD_Y = np.array([0, 1, 2, 9])


@pytest.mark.parametrize("kwargs,error,match", [
    ({"recipe": "curse"}, ValueError, r"recipe must be one of 'classic', 'course'; did you mean 'course'\?"),
    ({"recipe": "Classic"}, ValueError, r"did you mean 'classic'\?"),
    ({"recipe": "resnet"}, ValueError, r"recipe must be one of 'classic', 'course'; got 'resnet'"),
    ({"recipe": 3}, TypeError, "recipe must be a string"),
    ({"x_train": GOOD_X.astype(np.float32) / 255}, TypeError, "x_train must be uint8 digits"),
    ({"x_train": np.zeros((4, 28), np.uint8)}, ValueError, "x_train must be 3-D"),
    ({"x_train": np.zeros((4, 28, 28, 1), np.uint8)}, ValueError, "x_train must be 3-D"),
    ({"x_train": np.zeros((4, 32, 32), np.uint8)}, ValueError, r"x_train must have shape \(N, 28, 28\)"),
    ({"x_train": np.full((4, 28, 28), 300)}, ValueError, "x_train must hold pixel values 0-255"),
    ({"x_train": "digits"}, TypeError, "x_train must be an array"),
    ({"y_train": np.array([0, 1, 2, 15])}, ValueError, "y_train must hold class numbers 0 to 9, found 15"),
    ({"y_train": np.array([0, 1, 2, 0.5])}, ValueError, "y_train must hold whole class numbers 0 to 9, found 0.5"),
    ({"y_train": np.array([0, 1, 2, -1])}, ValueError, "y_train must hold class numbers 0 to 9, found -1"),
    ({"y_train": np.array([0, 1, 2])}, ValueError, r"y_train must have one label per image \(4\), got 3"),
    ({"y_train": np.array([[0, 1, 2, 3]])}, ValueError, "y_train must be 1-D"),
    ({"y_train": np.array(["a", "b", "c", "d"])}, TypeError, "y_train must hold numbers"),
    ({"y_train": np.array([0, 1, np.nan, 2])}, ValueError, "y_train must contain only finite numbers"),
    ({"seed": -1}, ValueError, "seed must be a non-negative int"),
    ({"seed": "x"}, TypeError, "seed must be a non-negative int"),
    ({"epochs": 0}, ValueError, "epochs must be a positive int"),
    ({"epochs": 10**6}, ValueError, "epochs must be at most 1000"),
    ({"x_train": np.broadcast_to(GOOD_X[:1], (100_001, 28, 28)), "y_train": np.zeros(100_001, int)},
     ValueError, "x_train must hold at most 100,000 digits, got 100,001"),
    ({"verbose": 5}, ValueError, "verbose must be 0, 1 or 2"),
    ({"callbacks": ["curves"]}, TypeError, "callbacks must be Keras callbacks"),
    ({"validation_data": GOOD_X}, TypeError, r"validation_data must be a pair \(images, labels\)"),
    ({"validation_data": (GOOD_X, [0, 1, 2, 10])}, ValueError, r"validation_data\[1\] must hold class numbers"),
    ({"validation_data": (GOOD_X[:, :20], GOOD_Y)}, ValueError, r"validation_data\[0\] must have shape"),
])
def test_train_rejects_bad_input(kwargs, error, match):
    args = {"recipe": "course", "x_train": GOOD_X, "y_train": GOOD_Y, **kwargs}
    with pytest.raises(error, match=match):
        training.train(args.pop("recipe"), args.pop("x_train"), args.pop("y_train"), **args)


# ---------------------------------------------------------------- shifting


def test_shift_moves_and_fills_with_zeros():
    image = np.arange(1, 10).reshape(3, 3)
    assert np.array_equal(training.shift(image, 1, 0), [[0, 1, 2], [0, 4, 5], [0, 7, 8]])
    assert np.array_equal(training.shift(image, 0, -1), [[4, 5, 6], [7, 8, 9], [0, 0, 0]])
    assert np.array_equal(training.shift(image, -2, 2), [[0, 0, 0], [0, 0, 0], [3, 0, 0]])
    assert not training.shift(image, 3, 0).any() and not training.shift(image, 0, -30).any()


def test_shift_equals_roll_when_the_border_is_empty(digits):
    (x_train, _), _ = digits
    batch = np.zeros((5, 28, 28), np.uint8)
    batch[:, 4:24, 4:24] = x_train[:5, 4:24, 4:24]
    for dx, dy in [(3, 0), (-3, 0), (0, 3), (0, -3), (2, -4)]:
        expected = np.roll(batch, (dy, dx), axis=(1, 2))
        out = training.shift(batch, dx, dy)
        assert out.dtype == np.uint8 and np.array_equal(out, expected)
    assert batch is not training.shift(batch, 0, 0) and np.array_equal(batch, training.shift(batch, 0, 0))


@pytest.mark.parametrize("args,error,match", [
    ((np.zeros((2, 2)), 1.5, 0), TypeError, "dx must be an int"),
    ((np.zeros((2, 2)), 0, True), TypeError, "dy must be an int"),
    ((np.zeros(4), 1, 0), ValueError, "images must be 2-D or 3-D"),
])
def test_shift_rejects_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        training.shift(*args)


def test_augment_with_shifts_adds_shifted_copies(digits):
    (x_train, y_train), _ = digits
    x, y = x_train[:50], y_train[:50]
    big_x, big_y = training.augment_with_shifts(x, y, copies=2, max_shift=3, seed=5)
    assert big_x.shape == (150, 28, 28) and big_x.dtype == np.uint8
    assert np.array_equal(big_x[:50], x) and np.array_equal(big_y, np.tile(y, 3))
    offsets = [(dx, dy) for dx in range(-3, 4) for dy in range(-3, 4)]
    used = set()
    for i, copy in enumerate(big_x[50:]):
        matches = [o for o in offsets if np.array_equal(training.shift(x[i % 50], *o), copy)]
        assert matches, f"copy {i} is not a shift of its original by at most 3 pixels"
        used.add(matches[0])
    assert len(used) > 10
    again, _ = training.augment_with_shifts(x, y, copies=2, max_shift=3, seed=5)
    assert np.array_equal(again, big_x)


def test_augment_with_shifts_rejects_bad_input():
    with pytest.raises(ValueError, match="max_shift must be smaller than the images"):
        training.augment_with_shifts(np.zeros((2, 4, 4)), [0, 1], copies=1, max_shift=4)
    with pytest.raises(ValueError, match="labels must have one entry per image"):
        training.augment_with_shifts(np.zeros((2, 4, 4)), [0], copies=1, max_shift=1)
    started = time.perf_counter()
    with pytest.raises(ValueError, match=r"copies=10000000 would make a training set of 20000002 x 28 x 28"):
        training.augment_with_shifts(np.zeros((2, 28, 28), np.uint8), [0, 1], copies=10**7, max_shift=3)
    assert time.perf_counter() - started < 1.0, "refused before allocating"


class RecordingModel:
    """Stands in for a Keras model: answers class 1 for the first image it sees in every batch, else 0."""

    def __init__(self):
        self.seen = []

    def predict(self, images, batch_size=None, verbose=0):
        self.seen.append(np.array(images))
        probs = np.zeros((len(images), 10))
        probs[:, 0] = 1
        probs[0] = np.eye(10)[1]
        return probs


def test_shifted_accuracy_scores_the_four_shifts_by_three_pixels(digits):
    _, (x_test, _) = digits
    images, labels = x_test[:4], np.array([1, 0, 0, 5])
    model = RecordingModel()
    per_direction = training.shifted_accuracies(model, images, labels)
    assert list(per_direction) == ["right", "left", "down", "up"]
    assert [d.tolist() for d in model.seen] == [training.shift(images, dx, dy).tolist()
                                                for dx, dy in [(3, 0), (-3, 0), (0, 3), (0, -3)]]
    assert per_direction == {direction: 0.75 for direction in per_direction}
    assert training.shifted_accuracy(RecordingModel(), images, labels) == 0.75
    assert training.accuracy(RecordingModel(), images, np.array([1, 0, 3, 3])) == 0.5


# ---------------------------------------------------------------- evaluation


def test_confusion_matrix_matches_scikit_learn():
    from sklearn import metrics
    rng = np.random.default_rng(0)
    truth, guess = rng.integers(0, 10, 500), rng.integers(0, 10, 500)
    ours = training.confusion_matrix(truth, guess)
    assert np.array_equal(ours, metrics.confusion_matrix(truth, guess, labels=range(10)))
    assert ours.sum() == 500


def test_per_class_accuracy():
    truth = [0, 0, 1, 1, 1, 2]
    guess = [0, 1, 1, 1, 0, 0]
    acc = training.per_class_accuracy(truth, guess, classes=4)
    assert np.allclose(acc[:3], [0.5, 2 / 3, 0.0]) and np.isnan(acc[3])


def test_most_confidently_wrong_orders_mistakes_by_confidence():
    probs = np.array([[0.9, 0.1], [0.3, 0.7], [0.55, 0.45], [0.2, 0.8], [0.99, 0.01]])
    labels = [0, 0, 1, 1, 1]
    assert training.most_confidently_wrong(probs, labels, count=10).tolist() == [4, 1, 2]
    assert training.most_confidently_wrong(probs, labels, count=1).tolist() == [4]
    assert training.most_confidently_wrong(probs, [0, 1, 0, 1, 0], count=3).size == 0


@pytest.mark.parametrize("call,error,match", [
    (lambda: training.confusion_matrix([0, 1], [0]), ValueError, r"predicted must have one label per image"),
    (lambda: training.confusion_matrix([0, 12], [0, 1]), ValueError, "labels must hold class numbers 0 to 9"),
    (lambda: training.per_class_accuracy([0, 1], [0, 1], classes=0), ValueError, "classes must be a positive"),
    (lambda: training.most_confidently_wrong(np.ones(3), [0, 1, 2]), ValueError, "probabilities must be 2-D"),
    (lambda: training.most_confidently_wrong(np.ones((2, 3)), [0, 1], count=0), ValueError, "count must be"),
    (lambda: training.accuracy("model", GOOD_X, GOOD_Y), TypeError, "model must be a trained Keras model"),
    (lambda: training.accuracy(RecordingModel(), GOOD_X / 255, GOOD_Y), TypeError, "images must be uint8"),
    (lambda: training.accuracy(RecordingModel(), GOOD_X, [0, 1]), ValueError, r"labels must have one label"),
    (lambda: training.LiveCurves(updates_per_epoch=0), ValueError, "updates_per_epoch must be a positive"),
    (lambda: training.LiveCurves(size=(0, 3)), ValueError, "size must be between 0 and 30 inches"),
])
def test_evaluation_helpers_reject_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_feature_maps_of_every_convolution_and_pooling(digits):
    (x_train, _), _ = digits
    model = training.build_model("course")
    maps = training.feature_maps(model, x_train[0])
    assert {name: m.shape for name, m in maps.items()} == {
        "conv1": (28, 28, 8), "pool1": (14, 14, 8), "conv2": (12, 12, 16), "pool2": (6, 6, 16), "conv3": (4, 4, 32)}
    kernel, bias = model.get_layer("conv1").get_weights()
    ours = ops.relu(ops.conv2d(x_train[0].astype(np.float32) / 255, kernel, padding="same") + bias)
    assert np.allclose(maps["conv1"], ours, atol=1e-5)
    assert np.allclose(maps["pool1"], ops.max_pool(ours, 2), atol=1e-5)
    with pytest.raises(ValueError, match="digit must be one"):
        training.feature_maps(model, x_train[:2])
    with pytest.raises(TypeError, match="model must be a Keras model"):
        training.feature_maps("model", x_train[0])


# ---------------------------------------------------------------- live curves


def test_live_curves_record_training_and_validation_quietly(small, capsys):
    (x, y), (x_val, y_val) = small
    curves = training.LiveCurves(updates_per_epoch=2)
    training.train("course", x, y, epochs=2, validation_data=(x_val, y_val), callbacks=[curves])
    assert capsys.readouterr().out == ""
    points = curves.points
    assert [e for e, _ in points["val_accuracy"]] == [1.0, 2.0]
    train_epochs = [e for e, _ in points["loss"]]
    assert train_epochs == sorted(train_epochs) and train_epochs[-1] == 2.0 and len(train_epochs) == 4
    history = curves.model.history.history
    assert [v for _, v in points["val_loss"]] == pytest.approx(history["val_loss"])
    panels = curves.figure.axes
    assert [a.get_title() for a in panels] == ["loss", "accuracy"]
    assert all(len(a.lines) == 2 for a in panels)


def test_live_curves_update_one_display_in_a_notebook(small, monkeypatch):
    import IPython.display

    shown = []

    class Handle:
        def update(self, image):
            shown.append(("update", image))

    def fake_display(image, display_id=None):
        shown.append(("display", image))
        return Handle()

    monkeypatch.setattr(training.curves, "_in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", fake_display)
    (x, y), (x_val, y_val) = small
    training.train("classic", x[:128], y[:128], epochs=2, validation_data=(x_val, y_val),
                   callbacks=[training.LiveCurves(updates_per_epoch=1)])
    kinds = [kind for kind, _ in shown]
    assert kinds[0] == "display" and kinds.count("display") == 1 and kinds.count("update") >= 2
    assert shown[-1][1].data.startswith(b"\x89PNG")


# ---------------------------------------------------------------- the shipped model


def test_shipped_digits_model_is_weights_only_and_reads_the_test_digits(digits):
    _, (x_test, y_test) = digits
    path = training.digits_model_path()
    assert path == Path(cnnlab.__file__).resolve().parent / "data" / "digits.weights.npz"
    assert path.is_file() and path.stat().st_size < 300_000
    with np.load(path, allow_pickle=False) as stored:       # plain arrays: nothing a Keras version reads
        assert sorted(stored.files) == sorted(f"{name}/{part}" for name in ("conv1", "conv2", "conv3", "dense")
                                              for part in ("kernel", "bias"))
    model = training.load_digits_model()
    fresh = training.build_model("course")
    assert [layer.name for layer in model.layers] == [layer.name for layer in fresh.layers]
    assert model.count_params() == fresh.count_params()
    assert training.accuracy(model, x_test, y_test) >= 0.97


def _tiny():
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="dense")], name="tiny")


def test_save_weights_round_trips_and_replaces_the_file(tmp_path):
    trained = _tiny()
    trained.compile(optimizer="adam", loss="mse")
    trained.fit(np.ones((4, 3)), np.zeros((4, 2)), epochs=1, verbose=0)
    target = tmp_path / "new folder" / "tiny.weights.npz"
    assert training.save_weights(trained, target) == target
    first = target.read_bytes()
    reloaded = training.load_weights(_tiny(), target)
    for got, want in zip(reloaded.get_weights(), trained.get_weights(), strict=True):
        np.testing.assert_array_equal(got, want)
    trained.layers[0].kernel.assign(np.full((3, 2), 7.0, np.float32))
    training.save_weights(trained, target)                                # an old file is replaced
    assert target.read_bytes() != first
    np.testing.assert_array_equal(training.load_weights(_tiny(), target).get_weights()[0], 7.0)
    assert [p.name for p in target.parent.iterdir()] == ["tiny.weights.npz"]  # no temporary folder left


def test_save_weights_replaces_a_symlink_instead_of_writing_through_it(tmp_path):
    learner_file = tmp_path / "mine.npz"
    learner_file.write_bytes(b"my own file")
    link = tmp_path / "tiny.weights.npz"
    link.symlink_to(learner_file)
    training.save_weights(_tiny(), link)
    assert learner_file.read_bytes() == b"my own file" and not link.is_symlink()


def _saved(tmp_path, arrays):
    path = tmp_path / "weights.npz"
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("arrays, message", [
    ({"dense/kernel": np.zeros((3, 2), np.float32)}, "missing"),
    ({"dense/kernel": np.zeros((3, 2), np.float32), "dense/bias": np.zeros(2, np.float32),
      "extra/kernel": np.zeros(1, np.float32)}, "not in the model"),
    ({"dense/kernel": np.zeros((2, 3), np.float32), "dense/bias": np.zeros(2, np.float32)}, "shape"),
    ({"dense/kernel": np.zeros((3, 2), np.float64), "dense/bias": np.zeros(2, np.float32)}, "float32"),
    ({"dense/kernel": np.full((3, 2), np.nan, np.float32), "dense/bias": np.zeros(2, np.float32)}, "finite"),
    ({"dense/kernel": np.array([{"a": 1}], dtype=object), "dense/bias": np.zeros(2, np.float32)}, "readable"),
])
def test_load_weights_refuses_a_file_that_does_not_fit_and_leaves_the_model_alone(tmp_path, arrays, message):
    model = _tiny()
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match=message):
        training.load_weights(model, _saved(tmp_path, arrays))
    for got, want in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("content", [b"", b"not a zip at all", None])
def test_load_weights_refuses_corrupt_and_truncated_files(tmp_path, content):
    path = tmp_path / "weights.npz"
    if content is None:                                         # a real file cut in half
        training.save_weights(_tiny(), path)
        content = path.read_bytes()[: path.stat().st_size // 2]
    path.write_bytes(content)
    with pytest.raises(ValueError, match="not a readable weights file"):
        training.load_weights(_tiny(), path)


def test_load_weights_checks_the_size_before_reading(tmp_path, monkeypatch):
    path = training.save_weights(_tiny(), tmp_path / "weights.npz")
    monkeypatch.setattr(training.shipped, "MAX_WEIGHTS_BYTES", 100)
    with pytest.raises(ValueError, match="more than the 100"):
        training.load_weights(_tiny(), path)


@pytest.mark.parametrize("path, error", [(3, TypeError), ("nowhere/weights.npz", FileNotFoundError)])
def test_load_weights_names_a_bad_path(path, error):
    with pytest.raises(error, match="path|no weights file"):
        training.load_weights(_tiny(), path)


def test_save_weights_wants_an_npz_name(tmp_path):
    with pytest.raises(ValueError, match="path must end in .npz"):
        training.save_weights(_tiny(), tmp_path / "tiny.keras")


def test_confusion_matrix_refuses_a_huge_class_count_before_allocating():
    with pytest.raises(ValueError, match="classes=1000000 would make a confusion table"):
        training.confusion_matrix([0, 1], [0, 1], classes=10**6)


# ---------------------------------------------------------------- keras.io's convnet, the ablation, variants


def test_keras_io_convnet_is_the_simple_mnist_convnet_of_keras_io():
    settings = training.KERAS_IO_CONVNET
    assert (settings.batch_size, settings.epochs, settings.learning_rate, settings.dropout) == (128, 15, 1e-3, 0.5)
    model = training.build_model(settings)
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [(c.filters, c.kernel_size, c.padding) for c in convs] == [(32, (3, 3), "valid"), (64, (3, 3), "valid")]
    assert model.get_layer("dropout").rate == 0.5
    names = [layer.name for layer in model.layers]
    assert names.index("flatten") < names.index("dropout") < names.index("dense")
    # keras.io's page prints "Total params: 34,826" for this network
    assert model.count_params() == 34_826


def test_the_ablation_adds_one_change_at_a_time_from_classic_to_course():
    steps = training.ablation()
    assert steps[0] == ("classic", training.RECIPES["classic"])
    fields = [f for f in dataclasses.fields(training.Recipe) if f.name != "name"]
    last = steps[-1][1]
    assert all(getattr(last, f.name) == getattr(training.RECIPES["course"], f.name) for f in fields)
    for (_, before), (what, after) in itertools.pairwise(steps):
        changed = [f.name for f in fields if getattr(before, f.name) != getattr(after, f.name)]
        assert changed and what.startswith("+ "), (what, changed)
    assert len({recipe.name for _, recipe in steps}) == len(steps)


def test_a_recipe_with_dropout_and_weight_decay_reaches_keras(small):
    (x, y), _ = small
    variant = dataclasses.replace(training.RECIPES["classic"], name="variant", epochs=1, dropout=0.25,
                                  weight_decay=0.5)
    model, _ = training.train(variant, x[:64], y[:64], seed=0)
    assert model.get_layer("dropout").rate == 0.25
    assert float(model.optimizer.weight_decay) == 0.5
    plain, _ = training.train(dataclasses.replace(variant, dropout=0.0, weight_decay=0.0), x[:64], y[:64], seed=0)
    assert "dropout" not in [layer.name for layer in plain.layers] and plain.optimizer.weight_decay is None


def test_weight_decay_shrinks_the_weights_as_keras_documents(small):
    """With a zero gradient, one Adam step with weight decay only shrinks each weight, by 1 - rate * decay."""
    keras.utils.set_random_seed(0)
    variable = keras.Variable(np.ones(3, np.float32))
    optimizer = keras.optimizers.Adam(0.1, weight_decay=0.5)
    optimizer.apply_gradients([(np.zeros(3, np.float32), variable)])
    assert np.allclose(variable.numpy(), 1 - 0.1 * 0.5)


@pytest.mark.parametrize("kwargs,match", [
    ({"network": "resnet"}, "network must be one of 'classic', 'course', 'simple_convnet'"),
    ({"dropout": 1.0}, r"dropout must be a rate in \[0, 1\)"),
    ({"weight_decay": -1.0}, "weight_decay must be 0 or more"),
])
def test_a_bad_recipe_is_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        dataclasses.replace(training.RECIPES["classic"], **kwargs)


def test_epoch_end_accuracy_is_what_keras_evaluates_after_the_epoch(small):
    (x, y), _ = small
    at_end = training.EpochEndAccuracy(x, y)
    model, _ = training.train("classic", x, y, seed=0, epochs=2, callbacks=[at_end])
    assert len(at_end.accuracy) == 2
    keras_says = model.evaluate(x, y, verbose=0, return_dict=True)["accuracy"]
    assert abs(at_end.accuracy[-1] - keras_says) < 1e-6
    assert at_end.accuracy[-1] == training.accuracy(model, x, y)
    # the running average Keras logs during the epoch is not the score at its end
    assert model.history.history["accuracy"][0] < at_end.accuracy[0]
    assert repr(at_end) == "EpochEndAccuracy(300 digits, 2 epochs scored)"


@pytest.mark.parametrize("kwargs,error,match", [
    ({"images": np.zeros((3, 28, 28), np.uint8), "labels": [0, 1]}, ValueError, "labels must have one label per image"),
    ({"images": np.zeros((3, 20, 20), np.uint8), "labels": [0, 1, 2]}, ValueError, r"images must have shape \(N, 28, 28\)"),
    ({"images": np.zeros((3, 28, 28), np.uint8), "labels": [0, 1, 2], "batch_size": 0}, ValueError,
     "batch_size must be a positive int"),
])
def test_epoch_end_accuracy_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        training.EpochEndAccuracy(**kwargs)
