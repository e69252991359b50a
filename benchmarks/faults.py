"""Try cnnlab the way a hostile file, server or typo would, and time every case.

Run: ``python benchmarks/faults.py`` (``--deadline S`` sets the network deadline, cnnlab's 4.5 s by default).
Prints a table: case, seconds, outcome, and whether the behaviour was the right one. Exits 1 if
any case misbehaved or ran longer than its budget: 5 s (network cases: the deadline plus 0.5 s).

Every server listens on 127.0.0.1 only, answers at most a bounded number of bytes, and is
stopped (its socket closed, its threads joined) when its case ends. Every file is made in a
fresh temporary folder. ``tests/test_faults.py`` runs the same cases.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import socket
import struct
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path

import numpy as np

from cnnlab import __main__ as cli
from cnnlab import _net, datasets, images, kernels, ops

BUDGET_S = 5.0  # no case may take longer (network cases: the deadline plus 0.5 s)
DEFAULT_DEADLINE = getattr(_net, "FETCH_DEADLINE", 4.5)  # cnnlab's own total deadline for a download


# ---------------------------------------------------------------- loopback servers


class LoopbackServer:
    """A TCP server on 127.0.0.1 that runs ``handler(conn, stop)`` for each connection, in threads.

    Used as a context manager: leaving it sets ``stop``, closes every socket and joins the threads.
    """

    def __init__(self, handler):
        self.handler = handler
        self.stop = threading.Event()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.threads: list[threading.Thread] = []
        self.connections: list[socket.socket] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/photo.png"

    def __enter__(self):
        accepter = threading.Thread(target=self._accept, daemon=True)
        accepter.start()
        self.threads.append(accepter)
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.listener.close()
        for conn in list(self.connections):
            with contextlib.suppress(OSError):
                conn.close()
        for thread in list(self.threads):
            thread.join(2.0)

    def _accept(self):
        for _ in range(10_000):  # bounded: at most ~1000 s of 0.1 s waits, far more than any case
            if self.stop.is_set():
                return
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(conn)
            worker = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            worker.start()
            self.threads.append(worker)

    def _serve(self, conn):
        try:
            conn.settimeout(1.0)
            with contextlib.suppress(OSError):
                conn.recv(65536)  # the request; its content does not matter
            self.handler(conn, self.stop)
        except OSError:
            pass  # the client gave up: that is the point
        finally:
            conn.close()


def trickle_body(every: float):
    """Headers at once, then one body byte every ``every`` seconds (at most 60 bytes)."""
    def handler(conn, stop):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 1000\r\n\r\n")
        for _ in range(60):
            if stop.wait(every):
                return
            conn.sendall(b"x")
    return handler


def trickle_headers(every: float):
    """The status line, then one header byte every ``every`` seconds (at most 60)."""
    def handler(conn, stop):
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        for _ in range(60):
            if stop.wait(every):
                return
            conn.sendall(b"X")
    return handler


def silent(conn, stop):
    """Accept the connection and never answer (until the case ends, at most 30 s)."""
    stop.wait(30)


def huge_body(declared: bool, total: int = 300 * 10**6):
    """A 300 MB body of zeros, its length declared or not, sent in 1 MB pieces until the client stops."""
    def handler(conn, stop):
        length = f"Content-Length: {total}\r\n".encode() if declared else b""
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: image/png\r\n" + length + b"\r\n")
        piece = bytes(10**6)
        for _ in range(total // len(piece)):
            if stop.is_set():
                return
            conn.sendall(piece)
    return handler


# ---------------------------------------------------------------- hostile files


def bomb_png(path: Path, width: int = 20000, height: int = 20000) -> Path:
    """A valid 1-bit PNG of ``width x height`` zeros: a few KB on disk, 400 megapixels decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = bytes(1 + (width + 7) // 8)  # filter byte and the packed pixels
    packer = zlib.compressobj(9)
    rows_per_piece = 1000
    idat = b"".join(packer.compress(row * min(rows_per_piece, height - start))
                    for start in range(0, height, rows_per_piece)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


def truncated_mnist_cache(home: Path) -> Path:
    """An interrupted download: the first half of a Keras-format ``mnist.npz``."""
    cache = home / "datasets" / "mnist.npz"
    cache.parent.mkdir(parents=True)
    x = np.zeros((60000, 28, 28), np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, x_train=x, y_train=np.zeros(60000, np.uint8), x_test=x[:10000], y_test=np.zeros(10000, np.uint8))
    data = buffer.getvalue()
    cache.write_bytes(data[: len(data) // 2])
    return cache


@contextlib.contextmanager
def environment(**values):
    """Set (or, with ``None``, remove) environment variables for the duration of a case."""
    old = {key: os.environ.get(key) for key in values}
    try:
        for key, value in values.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def snapshot(folder: Path, skip: Path | None = None) -> dict:
    """Every path below ``folder`` (not below ``skip``) with its size and modification time."""
    found = {}
    for path in folder.rglob("*"):
        if skip is not None and (path == skip or skip in path.parents):
            continue
        info = path.lstat()
        found[str(path)] = (info.st_size, info.st_mtime_ns)
    return found


def expect(error_type, call):
    """Run ``call``; return the one-sentence message of the ``error_type`` it must raise."""
    try:
        call()
    except error_type as exc:
        message = str(exc)
        assert "\n" not in message, f"message has several lines: {message!r}"
        return message
    raise AssertionError(f"no {error_type.__name__} was raised")


# ---------------------------------------------------------------- the cases


def case_url_offline(tmp: Path, deadline: float) -> str:
    with environment(CNNLAB_OFFLINE="1"):
        return expect(ConnectionError, lambda: images.load("http://127.0.0.1:9/photo.png"))


def _server_case(handler, deadline: float, words: str) -> str:
    with environment(CNNLAB_OFFLINE=None), LoopbackServer(handler) as server:
        old = getattr(_net, "FETCH_DEADLINE", None)
        _net.FETCH_DEADLINE = deadline
        try:
            message = expect(ConnectionError, lambda: images.load(server.url))
        finally:
            _net.FETCH_DEADLINE = old
    assert words in message, message
    return message


def case_trickling_body(tmp: Path, deadline: float) -> str:
    # one byte every 2 s (the case), or faster than the deadline when it is short
    return _server_case(trickle_body(min(2.0, deadline / 3)), deadline, "in total")


def case_trickling_headers(tmp: Path, deadline: float) -> str:
    return _server_case(trickle_headers(min(2.0, deadline / 3)), deadline, "in total")


def case_silent_server(tmp: Path, deadline: float) -> str:
    return _server_case(silent, deadline, "in total")


def case_300_mb_declared(tmp: Path, deadline: float) -> str:
    return _server_case(huge_body(declared=True), deadline, "300,000,000 bytes")


def case_300_mb_undeclared(tmp: Path, deadline: float) -> str:
    return _server_case(huge_body(declared=False), deadline, "more than the")


def case_corrupt_mnist_cache(tmp: Path, deadline: float) -> str:
    cache = truncated_mnist_cache(tmp / "keras")
    printed = io.StringIO()
    with environment(CNNLAB_OFFLINE="1", KERAS_HOME=str(tmp / "keras")), contextlib.redirect_stdout(printed):
        (x_train, _), (x_test, _) = datasets.load_mnist("auto")
        full = expect(ValueError, lambda: datasets.load_mnist("full"))
    line = printed.getvalue()
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    assert line.count("\n") == 1 and str(cache) in line and str(cache) in full, (line, full)
    return line.strip()


def case_symlinked_train_folder(tmp: Path, deadline: float) -> str:
    mine = tmp / "my_photos"
    mine.mkdir()
    (mine / "00000.png").write_bytes(b"the learner's own file")
    target = datasets.to_image_folder(tmp / "digits", "faces", per_class=2)
    for part in ("train", "validation"):
        for path in sorted((target / part).rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        (target / part).rmdir()
    (target / "train").symlink_to(mine, target_is_directory=True)
    before = snapshot(tmp)
    message = expect(ValueError, lambda: datasets.to_image_folder(target, "faces", per_class=2, overwrite=True))
    assert snapshot(tmp) == before, "a file changed"
    assert (mine / "00000.png").read_bytes() == b"the learner's own file"
    return message


def case_folder_not_made_by_cnnlab(tmp: Path, deadline: float) -> str:
    (tmp / "thesis.txt").write_text("mine")
    before = snapshot(tmp)
    message = expect(ValueError, lambda: datasets.to_image_folder(tmp, "faces", overwrite=True))
    assert snapshot(tmp) == before
    return message


def case_folder_below_a_file(tmp: Path, deadline: float) -> str:
    (tmp / "notes.txt").write_text("mine")
    return expect(ValueError, lambda: datasets.to_image_folder(tmp / "notes.txt" / "digits", "mnist"))


def case_bomb_png(tmp: Path, deadline: float) -> str:
    path = bomb_png(tmp / "bomb.png")
    message = expect(ValueError, lambda: images.load(path))
    assert "400,000,000 pixels" in message, message
    return message


def case_fifo(tmp: Path, deadline: float) -> str:
    os.mkfifo(tmp / "pipe.png")
    return expect(ValueError, lambda: images.load(tmp / "pipe.png"))


def case_truncated_png(tmp: Path, deadline: float) -> str:
    from PIL import Image

    path = tmp / "cut.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (64, 64), dtype=np.uint8)).save(path)
    path.write_bytes(path.read_bytes()[:2000])
    return expect(ValueError, lambda: images.load(path))


def case_16_bit_png(tmp: Path, deadline: float) -> str:
    from PIL import Image

    Image.fromarray(np.linspace(0, 65535, 4096).astype(np.uint16).reshape(64, 64)).save(tmp / "deep.png")
    loaded = images.load(tmp / "deep.png")
    share = float((loaded == 255).mean())
    assert share < 0.01 and loaded.dtype == np.uint8, share
    return f"scaled to 0-255: {share:.1%} of pixels at 255"


def case_huge_conv_padding(tmp: Path, deadline: float) -> str:
    return expect(ValueError, lambda: ops.conv2d(np.ones((4, 4)), np.ones((1, 1)), padding=10**6))


def case_huge_pool_window(tmp: Path, deadline: float) -> str:
    return expect(ValueError, lambda: ops.max_pool(np.ones((4, 4)), 100000, padding="same"))


def case_long_kernel_text(tmp: Path, deadline: float) -> str:
    return expect(ValueError, lambda: kernels.parse("1" * 1200 + "/" + "1" * 1200 + "x"))


def case_long_kernel_under_cap(tmp: Path, deadline: float) -> str:
    return expect(ValueError, lambda: kernels.parse("1" * 990 + "/" + "1" * 990 + "x"))


def _cli(argv: list[str]) -> str:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(argv)
    assert code == 2 and err.getvalue().count("\n") == 1, (code, err.getvalue())
    return err.getvalue().strip()


def case_gif_bomb(tmp: Path, deadline: float) -> str:
    return _cli(["gif", "conv", "--image", str(bomb_png(tmp / "bomb.png")), str(tmp / "out.gif")])


def case_gif_overflowing_kernel(tmp: Path, deadline: float) -> str:
    return _cli(["gif", "conv", "--kernel", "; ".join(["3e38 3e38 3e38"] * 3), str(tmp / "out.gif")])


def case_gif_overwrite(tmp: Path, deadline: float) -> str:
    (tmp / "notes.txt").write_text("mine")
    message = _cli(["gif", "conv", str(tmp / "notes.txt")])
    assert (tmp / "notes.txt").read_text() == "mine"
    return message


def case_uint8_labels_many_classes(tmp: Path, deadline: float) -> str:
    from cnnlab import segmentation

    true = np.arange(40, dtype=np.uint8).repeat(10).reshape(20, 20)
    scores = segmentation.per_class_iou(true, true)
    assert scores.tolist() == [1.0] * 40, scores
    return "40 classes in uint8 maps: every class's IoU is 1.0, as it must be"


def case_labels_255_ignore(tmp: Path, deadline: float) -> str:
    from cnnlab import segmentation

    true = np.array([[0, 1, 255]], np.uint8)
    message = expect(ValueError, lambda: segmentation.per_class_iou(np.array([[0, 1, 1]], np.uint8), true, 2))
    assert "ignore_label" in message, message
    return message


def case_stray_label_10_7(tmp: Path, deadline: float) -> str:
    from cnnlab import segmentation

    return expect(ValueError, lambda: segmentation.per_class_iou(np.array([0, 10**7]), np.array([0, 1])))


def case_exif_portrait(tmp: Path, deadline: float) -> str:
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = 6                                     # "turn 90 degrees clockwise to view"
    Image.fromarray(np.zeros((40, 80, 3), np.uint8)).save(tmp / "phone.jpg", exif=exif)
    shape = images.load(tmp / "phone.jpg").shape
    assert shape[:2] == (80, 40), shape
    return f"stored 80 wide x 40 tall, loaded upright as {shape[1]} wide x {shape[0]} tall"


def case_demo_on_text_file(tmp: Path, deadline: float) -> str:
    (tmp / "talk.ipynb").write_text("my talk, not a notebook")
    return _cli(["demo", str(tmp / "talk.ipynb")])


def case_demo_on_folder(tmp: Path, deadline: float) -> str:
    return _cli(["demo", str(tmp)])


def case_archive_of_huge_jpegs(tmp: Path, deadline: float) -> str:
    import zipfile

    from PIL import Image

    from cnnlab.datasets import cats_dogs

    buffer = io.BytesIO()
    Image.new("RGB", (7000, 7000), "gray").save(buffer, format="JPEG")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for index in range(20):
            zf.writestr(f"cats_and_dogs_filtered/train/cats/cat.{index}.jpg", buffer.getvalue())
    message = expect(ValueError, lambda: cats_dogs.photos_from_archive(archive.getvalue(), 20, 32))
    assert "too large to load" in message and "damaged" not in message, message
    return message


def case_scales_in_percent(tmp: Path, deadline: float) -> str:
    from cnnlab import detection

    return expect(ValueError, lambda: detection.sliding_windows((512, 512), 25, 4, scales=[25]))


def case_transposed_stride_10_5(tmp: Path, deadline: float) -> str:
    from cnnlab import segmentation

    return expect(ValueError, lambda: segmentation.transposed_conv2d(np.ones((3, 3)), np.ones((2, 2)), stride=10**5))


def case_iou_matrix_10_6(tmp: Path, deadline: float) -> str:
    from cnnlab import detection

    boxes = np.tile([0.0, 0.0, 1.0, 1.0], (10**6, 1))
    return expect(ValueError, lambda: detection.iou_matrix(boxes, boxes))


CASES = {
    "URL with CNNLAB_OFFLINE=1": case_url_offline,
    "server trickling the body": case_trickling_body,
    "server trickling headers": case_trickling_headers,
    "server that never answers": case_silent_server,
    "300 MB body, length declared": case_300_mb_declared,
    "300 MB body, length not declared": case_300_mb_undeclared,
    "truncated mnist.npz cache": case_corrupt_mnist_cache,
    "train/ symlinked to my folder": case_symlinked_train_folder,
    "folder not made by cnnlab": case_folder_not_made_by_cnnlab,
    "folder below a file": case_folder_below_a_file,
    "bomb PNG 20000x20000": case_bomb_png,
    "FIFO as an image": case_fifo,
    "truncated PNG": case_truncated_png,
    "16-bit PNG": case_16_bit_png,
    "conv2d padding=10**6": case_huge_conv_padding,
    "max_pool size=100000 same": case_huge_pool_window,
    "kernel text 1200 ones/1200 ones x": case_long_kernel_text,
    "kernel text 990/990 x (under cap)": case_long_kernel_under_cap,
    "cnnlab gif with a bomb": case_gif_bomb,
    "cnnlab gif, overflowing kernel": case_gif_overflowing_kernel,
    "cnnlab gif notes.txt": case_gif_overwrite,
    "uint8 label maps, 40 classes": case_uint8_labels_many_classes,
    "label 255 without ignore_label": case_labels_255_ignore,
    "stray label 10**7": case_stray_label_10_7,
    "phone JPEG, EXIF orientation 6": case_exif_portrait,
    "cnnlab demo on a text file": case_demo_on_text_file,
    "cnnlab demo on a folder": case_demo_on_folder,
    "archive of 7000x7000 JPEGs": case_archive_of_huge_jpegs,
    "window scales=[25] (percent)": case_scales_in_percent,
    "transposed_conv2d stride=10**5": case_transposed_stride_10_5,
    "iou_matrix 10**6 x 10**6": case_iou_matrix_10_6,
}
NETWORK_CASES = {"server trickling the body", "server trickling headers", "server that never answers",
                 "300 MB body, length declared", "300 MB body, length not declared"}


def run_case(name: str, deadline: float = DEFAULT_DEADLINE) -> tuple[float, str, bool]:
    """``(seconds, outcome, right)`` of one case, in a fresh temporary folder."""
    budget = max(BUDGET_S, deadline + 0.5) if name in NETWORK_CASES else BUDGET_S
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        try:
            outcome, right = CASES[name](Path(folder), deadline), True
        except AssertionError as exc:
            outcome, right = f"WRONG: {exc}", False
        except Exception as exc:  # noqa: BLE001 - an unexpected exception is a wrong outcome, reported
            outcome, right = f"WRONG: {type(exc).__name__}: {' '.join(str(exc).split())}", False
        seconds = time.perf_counter() - start
    if seconds > budget:
        outcome, right = f"TOO SLOW (budget {budget:g} s): {outcome}", False
    return seconds, outcome, right


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deadline", type=float, default=DEFAULT_DEADLINE,
                        help=f"total network deadline in seconds (default {DEFAULT_DEADLINE:g}, cnnlab's own)")
    args = parser.parse_args(argv)
    print(f"{'case':36} {'seconds':>7}  ok  outcome")
    failures = 0
    for name in CASES:
        seconds, outcome, right = run_case(name, args.deadline)
        failures += not right
        short = outcome if len(outcome) <= 110 else outcome[:107] + "..."
        print(f"{name:36} {seconds:7.2f}  {'yes' if right else 'NO '} {short}", flush=True)
    print(f"{len(CASES) - failures} of {len(CASES)} cases behaved; budget {BUDGET_S:g} s "
          f"(network cases: the {args.deadline:g} s deadline + 0.5 s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
