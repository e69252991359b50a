"""Fixtures of the browser tests: one JupyterLab and one Voilà server, one headless Chromium.

Everything runs on 127.0.0.1 from temporary folders. The notebook with the four widgets is written at
run time (:func:`_servers.write_widget_notebook`) and opened once per server; the tests share that page.

Without ``/usr/bin/chromium`` or the ``playwright`` package the tests are skipped with the reason,
unless ``CNNLAB_REQUIRE_BROWSER=1`` (CI sets it): then they fail.
"""

from __future__ import annotations

import http.server
import os
import threading
import time
from dataclasses import dataclass

import _servers as S
import pytest

from cnnlab.widgets._front import module_text

NOTEBOOK = S.NOTEBOOK
EXPECTED_BLOCKED = S.EXPECTED_BLOCKED
BENIGN_CONSOLE_ERRORS = S.BENIGN_CONSOLE_ERRORS
ARTIFACTS = S.REPO / "tests" / "artifacts"


def _require_browser() -> None:
    """Skip the browser tests, saying why, on a machine without Chromium (a learner's or contributor's
    laptop, as the README says); fail instead under ``CNNLAB_REQUIRE_BROWSER=1``, which ``.ci/run`` sets,
    so that CI can never pass with the browser tests skipped."""
    reason = S.browser_unavailable_reason()
    if reason is None:
        return
    if os.environ.get("CNNLAB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"CNNLAB_REQUIRE_BROWSER=1 but the browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def browser_dir(tmp_path_factory):
    """Temporary folder with the notebook (``nb/``) and each server's isolated HOME and config."""
    base = tmp_path_factory.mktemp("cnnlab-browser")
    S.write_widget_notebook(base / "nb" / NOTEBOOK)
    return base


@pytest.fixture(scope="session")
def chromium(browser_dir):
    """One headless Debian Chromium for the whole session (each server gets a fresh context)."""
    _require_browser()
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = S.launch_chromium(playwright, home=browser_dir / "chromium-home")
    except Exception as exc:
        playwright.stop()
        if os.environ.get("CNNLAB_REQUIRE_BROWSER") == "1":
            raise
        pytest.skip(f"browser tests skipped: Chromium did not start through Playwright ({exc})")
    yield browser
    browser.close()
    playwright.stop()


@dataclass
class App:
    """A server with the widget notebook open and rendered in a page."""

    kind: str               # "lab" or "voila"
    server: S.JupyterProcess
    context: object
    page: object
    log: S.PageLog
    open_seconds: float

    def root(self, widget_kind: str):
        return S.widget_root(self.page, widget_kind)

    def errors(self, since: int = 0) -> list[str]:
        return self.log.errors(since, BENIGN_CONSOLE_ERRORS)

    def unexpected_blocked(self) -> list[str]:
        return [url for url in self.log.blocked if not EXPECTED_BLOCKED.match(url)]


@pytest.fixture(scope="session", params=["lab", "voila"])
def app(request, chromium, browser_dir):
    """The widget notebook running in JupyterLab or in Voilà (one server and one page each)."""
    kind = request.param
    started = time.monotonic()
    server = S.JupyterProcess(kind, browser_dir / "nb", browser_dir / kind).start()
    context = page = None
    try:
        context, log = S.new_guarded_context(chromium)
        page = context.new_page()
        page.set_default_timeout(30_000)
        try:
            S.open_notebook(page, server, NOTEBOOK, expect_widgets=len(S.WIDGETS))
        except Exception as exc:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"browser-{kind}-failed-to-open.png"), full_page=True)
            raise RuntimeError(f"the widget notebook did not render in {kind}: {exc}\n"
                               f"console errors: {log.errors()}\nserver log:\n{server.log_tail()}") from exc
        yield App(kind, server, context, page, log, time.monotonic() - started)
    finally:
        if context is not None:
            context.close()
        server.stop()


@pytest.fixture
def widgets(app):
    """The shared page for one test; fails the test if the page logged a new error meanwhile, and
    leaves every widget paused."""
    mark = len(app.log.console)
    errors_before = len(app.log.page_errors)
    yield app
    for kind in S.WIDGETS:
        root = app.root(kind)
        if root.count() and root.get_attribute("data-playing") == "true":
            S.set_playing(root, False)
    new = [e for e in app.errors(mark) if not e.startswith("page error: ")]
    new += [f"page error: {e}" for e in app.log.page_errors[errors_before:]]
    assert not new, f"{app.kind}: the page logged errors during the test:\n" + "\n".join(new)
    assert not app.unexpected_blocked(), f"{app.kind}: requests left loopback: {app.unexpected_blocked()}"


@pytest.fixture(scope="session")
def artifacts():
    """``tests/artifacts/`` (gitignored): screenshots for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


# --------------------------------------------------------------------------- the widgets' module alone, in a page



class _StaticFiles(http.server.BaseHTTPRequestHandler):
    """``/`` is an empty page, ``/widget.js`` the module anywidget gets (:func:`module_text`); nothing else exists."""

    def do_GET(self):
        if self.path == "/":
            body, kind = b"<!doctype html><meta charset='utf-8'><title>widget.js</title>", "text/html"
        elif self.path == "/widget.js":
            body, kind = module_text().encode("utf-8"), "text/javascript"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def js(chromium):
    """``js(body, arg)``: run ``body`` in a page where ``m`` is widget.js and ``arg`` the argument.

    The module is served from 127.0.0.1 by this fixture and stopped with it; ``js.log``
    holds the page's console, which must stay clean.
    """
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _StaticFiles)
    thread = threading.Thread(target=server.serve_forever, name="widget-js-server", daemon=True)
    thread.start()
    context, log = S.new_guarded_context(chromium)
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        page.evaluate("async () => { window.cnnlab = await import('/widget.js'); }")

        def run(body: str, arg=None):
            return page.evaluate(f"(arg) => {{ const m = window.cnnlab; {body} }}", arg)

        run.log = log
        yield run
    finally:
        context.close()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    assert not log.errors(), log.errors()
    assert not log.blocked, f"requests left loopback: {log.blocked}"
