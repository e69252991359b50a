"""The one place cnnlab asks whether the network can be used.

Everything online in the course is optional; these two helpers keep every
attempt short and let ``CNNLAB_OFFLINE=1`` switch attempts off entirely.
"""

from __future__ import annotations

import os
import socket
import threading
import time

__all__ = ["DOWNLOAD_HOST", "offline_forced", "reachable"]

#: where ``keras.datasets.mnist`` downloads the full MNIST from
DOWNLOAD_HOST = ("storage.googleapis.com", 443)

_ANSWER_TTL_S = 300.0  # how long a reachability answer is remembered
_answers: dict[tuple[str, int], tuple[float, bool]] = {}


def offline_forced() -> bool:
    """True when ``CNNLAB_OFFLINE`` is 1/true/yes/on: never try the network."""
    return os.environ.get("CNNLAB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def reachable(host: str = DOWNLOAD_HOST[0], port: int = DOWNLOAD_HOST[1], timeout: float = 2.0) -> bool:
    """Whether a TCP connection to ``host:port`` opens within ``timeout`` seconds.

    The connection is tried in a daemon thread, so a slow DNS lookup cannot
    block longer than ``timeout`` either. The answer is remembered for five
    minutes. Always ``False``, without trying, when :func:`offline_forced`.
    """
    if offline_forced():
        return False
    key = (host, port)
    remembered = _answers.get(key)
    if remembered is not None and time.monotonic() - remembered[0] < _ANSWER_TTL_S:
        return remembered[1]
    result: list[bool] = []

    def probe():
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    answer = bool(result and result[0])
    _answers[key] = (time.monotonic(), answer)
    return answer
