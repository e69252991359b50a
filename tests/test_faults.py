"""The hostile cases of benchmarks/faults.py, each asserted: right outcome, one sentence, in time.

The network cases run with a 1 s deadline here (4.5 s in cnnlab and in the script), against
loopback servers that trickle a byte every third of the deadline: a per-read timeout would
never end them, so finishing within the deadline plus a little shows that it is a total one.
"""

import importlib.util
import socket
import threading
import time
from pathlib import Path

import pytest

from cnnlab import _net

_SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "faults.py"
_spec = importlib.util.spec_from_file_location("cnnlab_faults", _SCRIPT)
faults = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(faults)

DEADLINE = 1.0


@pytest.mark.parametrize("name", list(faults.CASES), ids=list(faults.CASES))
def test_each_fault_gets_a_clear_answer_in_time(name):
    seconds, outcome, right = faults.run_case(name, DEADLINE)
    assert right, outcome
    assert "\n" not in outcome
    limit = DEADLINE + 0.8 if name in faults.NETWORK_CASES else faults.BUDGET_S
    assert seconds < limit, f"{name} took {seconds:.2f} s"


def test_servers_and_download_threads_are_gone_after_a_case():
    before = threading.active_count()
    faults.run_case("server trickling the body", DEADLINE)
    for _ in range(20):  # the cancelled download's thread ends once its socket is shut down
        if threading.active_count() <= before:
            break
        time.sleep(0.05)
    assert threading.active_count() <= before
    with faults.LoopbackServer(faults.silent) as server:
        port = server.port
    with pytest.raises(OSError):  # closed: nothing listens on the port any more
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()


def test_the_default_deadline_and_cap_are_the_documented_ones():
    assert _net.FETCH_DEADLINE == 4.5 and _net.MAX_DOWNLOAD_BYTES == 32 * 2**20


def test_the_case_table_covers_every_class_of_the_issue():
    wanted = ["trickling", "never answers", "300 MB", "mnist.npz", "symlinked", "bomb", "FIFO",
              "padding", "kernel text", "gif", "16-bit", "CNNLAB_OFFLINE"]
    for word in wanted:
        assert any(word in name for name in faults.CASES), word


def test_the_script_runs_and_prints_a_table(capsys, monkeypatch):
    quick = {name: faults.CASES[name] for name in ("FIFO as an image", "conv2d padding=10**6")}
    monkeypatch.setattr(faults, "CASES", quick)
    start = time.perf_counter()
    assert faults.main(["--deadline", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["case", "seconds", "ok"] and len(lines) == 4
    assert "2 of 2 cases behaved" in lines[-1] and time.perf_counter() - start < 2


def _png_bytes():
    import io

    import numpy as np
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.arange(12, dtype=np.uint8).reshape(3, 4)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_good_server_still_works_through_a_redirect(monkeypatch):
    from cnnlab import images

    monkeypatch.delenv("CNNLAB_OFFLINE", raising=False)
    body = _png_bytes()

    def serve_png(conn, stop):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)

    with faults.LoopbackServer(serve_png) as target:
        def redirect(conn, stop):
            conn.sendall(f"HTTP/1.1 302 Found\r\nLocation: {target.url}\r\nContent-Length: 0\r\n"
                         f"Connection: close\r\n\r\n".encode())

        with faults.LoopbackServer(redirect) as hop:
            start = time.perf_counter()
            assert images.load(hop.url).tolist() == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
            assert time.perf_counter() - start < 1


@pytest.mark.parametrize("status", [b"404 Not Found", b"500 Internal Server Error"])
def test_http_errors_are_one_sentence(monkeypatch, status):
    from cnnlab import images

    monkeypatch.delenv("CNNLAB_OFFLINE", raising=False)

    def answer(conn, stop):
        conn.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    with faults.LoopbackServer(answer) as server, pytest.raises(ConnectionError, match=status.decode()) as info:
        images.load(server.url)
    assert "\n" not in str(info.value)


def test_endless_redirects_stop(monkeypatch):
    from cnnlab import images

    monkeypatch.delenv("CNNLAB_OFFLINE", raising=False)
    holder = {}

    def loop(conn, stop):
        conn.sendall(f"HTTP/1.1 301 Moved\r\nLocation: {holder['url']}\r\nContent-Length: 0\r\n\r\n".encode())

    with faults.LoopbackServer(loop) as server:
        holder["url"] = server.url
        with pytest.raises(ConnectionError, match="redirects"):
            images.load(server.url)


def test_a_proxy_from_the_environment_is_used_and_still_bounded(monkeypatch):
    from cnnlab import images

    monkeypatch.delenv("CNNLAB_OFFLINE", raising=False)
    seen = []

    def proxy(conn, stop):  # answers a plain-HTTP proxy request for any address with a 1x1 PNG
        seen.append(True)
        body = _png_bytes()
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)

    with faults.LoopbackServer(proxy) as server:
        monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{server.port}")
        monkeypatch.setenv("no_proxy", "")
        assert images.load("http://photos.example/cat.png").shape == (3, 4)
    assert seen
