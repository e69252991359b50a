"""The one place cnnlab asks whether the network can be used.

Everything online in the course is optional; these helpers keep every
attempt short and let ``CNNLAB_OFFLINE=1`` switch attempts off entirely.
:func:`fetch` is the one way cnnlab downloads bytes: it has a total deadline
(not a per-read timeout, which a server sending one byte every few seconds
would stretch forever) and a size cap.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import urllib.parse

# http.client, ssl and urllib.request cost ~25 ms to import: they are imported when a download
# starts, so `from cnnlab import images` stays light.

__all__ = ["DOWNLOAD_HOST", "FETCH_DEADLINE", "MAX_DOWNLOAD_BYTES", "fetch", "offline_forced", "reachable"]

FETCH_DEADLINE = 4.5
"""Seconds :func:`fetch` may take in total: connecting, redirects, headers and body."""

MAX_DOWNLOAD_BYTES = 32 * 2**20
#: what :func:`fetch`'s failures advise by default (a photo was asked for)
PHOTO_ADVICE = "use a bundled photo such as images.load('cat') or a file on disk"
"""Largest body :func:`fetch` accepts (32 MiB): far more than any photo needs."""

_MAX_REDIRECTS = 5
_CHUNK = 64 * 1024

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


def fetch(url: str, *, deadline: float | None = None, max_bytes: int | None = None,
          instead: str = PHOTO_ADVICE) -> bytes:
    """Download ``url`` (http or https) within ``deadline`` seconds in total and at most ``max_bytes``.

    Parameters
    ----------
    url : str
        An ``http://`` or ``https://`` address; up to five redirects are followed.
    deadline : float, optional
        Total seconds for everything (default :data:`FETCH_DEADLINE`). The
        download runs in a daemon thread; when time is up its socket is shut
        down, so nothing keeps the caller.
    max_bytes : int, optional
        Refused when ``Content-Length`` says more, and stopped as soon as more
        arrive (default :data:`MAX_DOWNLOAD_BYTES`).
    instead : str
        What the learner can use instead, ending each failure's sentence (default: a photo's advice).

    Returns
    -------
    bytes
        The body.

    Raises
    ------
    ConnectionError
        With one sentence: offline mode, timeout, too large, HTTP error,
        unreachable host. Never ``IncompleteRead`` or a raw socket error.
    """
    if offline_forced():
        raise ConnectionError(f"Not downloading {url} because CNNLAB_OFFLINE is set; {instead}.")
    deadline = FETCH_DEADLINE if deadline is None else deadline
    max_bytes = MAX_DOWNLOAD_BYTES if max_bytes is None else max_bytes
    # The sockets' own timeout is a backstop only: the join below decides, and cancel() ends the worker.
    job = _Download(url, max_bytes, deadline + 1.0)
    worker = threading.Thread(target=job.run, daemon=True)
    worker.start()
    worker.join(deadline)
    if worker.is_alive():
        job.cancel()
        raise ConnectionError(f"Gave up on {url} after {deadline:g} s in total (the server is too slow "
                              f"or does not answer); {instead}.")
    if job.error is not None:
        raise ConnectionError(f"Could not download {url}: {job.error}; you may be offline, so {instead}.")
    return job.body


class _Download:
    """One GET with redirects, run by :func:`fetch` in a thread; ``cancel`` unblocks it."""

    def __init__(self, url: str, max_bytes: int, timeout: float):
        self.url, self.max_bytes, self.timeout = url, max_bytes, timeout
        self.body: bytes = b""
        self.error: str | None = None
        self._connection = None  # the http.client connection in use, for cancel()
        self._cancelled = False

    def cancel(self) -> None:
        self._cancelled = True
        connection = self._connection
        sock = getattr(connection, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes a recv() blocked in the worker
            except OSError:
                pass

    def run(self) -> None:
        import http.client

        try:
            self.body = self._get(self.url)
        except _TooLarge as exc:
            self.error = str(exc)
        except (OSError, http.client.HTTPException, ValueError, UnicodeError) as exc:
            self.error = "the download was stopped" if self._cancelled else _reason(exc)
        finally:
            if self._connection is not None:
                self._connection.close()

    def _get(self, url: str) -> bytes:
        for _ in range(_MAX_REDIRECTS + 1):
            response = self._request(url)
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise ValueError(f"a redirect ({response.status}) without a Location")
                url = urllib.parse.urljoin(url, location)
                self._connection.close()
                continue
            if response.status != 200:
                raise ValueError(f"the server answered {response.status} {response.reason}")
            return self._body(response)
        raise ValueError(f"more than {_MAX_REDIRECTS} redirects")

    def _request(self, url: str):
        import http.client
        import ssl

        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{url!r:.80} is not an http(s) address")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        proxy = _proxy_for(parts)
        host, port = proxy or (parts.hostname, parts.port)
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(host, port, timeout=self.timeout,
                                                     context=ssl.create_default_context())
            if proxy:
                connection.set_tunnel(parts.hostname, parts.port)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=self.timeout)
            if proxy:
                path = url  # a plain-HTTP proxy takes the whole address
        self._connection = connection
        connection.request("GET", path, headers={"User-Agent": "cnnlab", "Accept-Encoding": "identity"})
        return connection.getresponse()

    def _body(self, response) -> bytes:
        declared = response.getheader("Content-Length")
        if declared is not None and declared.strip().isdigit() and int(declared) > self.max_bytes:
            raise _TooLarge(f"it is {int(declared):,} bytes, more than the {self.max_bytes:,} allowed")
        chunks, total = [], 0
        while True:
            chunk = response.read1(_CHUNK)
            if not chunk:
                return b"".join(chunks)
            total += len(chunk)
            if total > self.max_bytes:
                raise _TooLarge(f"it is more than the {self.max_bytes:,} bytes allowed")
            chunks.append(chunk)


def _proxy_for(parts: urllib.parse.SplitResult) -> tuple[str, int] | None:
    """``(host, port)`` of the proxy that ``http_proxy`` / ``https_proxy`` name for this address, if any.

    Follows ``no_proxy`` as urllib does, so school networks behind a proxy keep working.
    """
    import urllib.request

    proxy = urllib.request.getproxies().get(parts.scheme)
    if not proxy or urllib.request.proxy_bypass(parts.hostname):
        return None
    where = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    return (where.hostname, where.port or 80) if where.hostname else None


class _TooLarge(Exception):
    """The body is bigger than the cap."""


def _reason(exc: BaseException) -> str:
    """A short, one-line reason for a network failure."""
    import http.client

    if isinstance(exc, http.client.IncompleteRead):
        return "the server closed the connection before sending everything"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "the server did not answer in time"
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]
