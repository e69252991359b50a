"""Loopback JupyterLab / Voilà servers and a locked-down headless Chromium.

Shared by the browser tests (``tests/browser/``), ``benchmarks/browser_fps.py`` and anything else
that needs to open the course in a real browser on this machine. Nothing here runs on
``import cnnlab``; Playwright and nbformat are imported only by the functions that use them.

* :class:`JupyterProcess` starts ``jupyter lab``, ``voila`` or ``cnnlab demo`` (as an instructor types it)
  as a child process on 127.0.0.1 on a free port, waits a bounded time for it to answer, with HOME and every Jupyter directory isolated under a
  temporary folder (the interpreter's ``share/jupyter`` is still on the Jupyter path, so the anywidget
  and ipywidgets front ends load), no token, no password, no browser. It is stopped through its own
  process group (its pid) only.
* :func:`launch_chromium` starts Debian's ``/usr/bin/chromium`` through Playwright (never a downloaded
  browser) and :func:`guard_context` aborts every request that is not for loopback and records the
  console errors and page errors.
* :func:`write_widget_notebook` writes a notebook with the widgets of :data:`WIDGETS`;
  :func:`measure_fps` plays one of them and counts the frames it draws.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

#: The folder that holds this ``cnnlab`` package: the Jupyter kernels get it first on their path, so
#: they import the same cnnlab as the process that started them (a checkout or an installed copy).
PACKAGE_PARENT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})

#: Lab extensions Voilà must not load: they are for JupyterLab's own shell, which Voilà 0.5 does not
#: provide (each logs a console error there). `cnnlab demo` passes the same list.
VOILA_DENYLIST = ("@jupyter-notebook/lab-extension", "jupyterlab-jupytext")

#: The Jupyter data folder that cnnlab ships: ``voila/templates/cnnlab`` is Voilà's "lab" page without
#: its Font Awesome links to a CDN (Voilà bundles the icons in its own JavaScript anyway).
SHARE_JUPYTER = Path(__file__).resolve().parent / "share" / "jupyter"
VOILA_TEMPLATE = "cnnlab"


def voila_options() -> list[str]:
    """Voilà command-line options every cnnlab page uses: the offline template, no Lab-only extensions.

    The template is found through ``JUPYTER_PATH``: start Voilà with :func:`voila_environment`.
    """
    # one option per item: traitlets 5 warns (DeprecationWarning) about a list written as one value
    return [f"--VoilaConfiguration.template={VOILA_TEMPLATE}",
            *(f"--VoilaConfiguration.extension_denylist={name}" for name in VOILA_DENYLIST)]


def voila_environment(env: dict[str, str]) -> dict[str, str]:
    """``env`` with :data:`SHARE_JUPYTER` first on ``JUPYTER_PATH``, so Voilà finds the cnnlab template."""
    paths = [str(SHARE_JUPYTER)] + [p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    return {**env, "JUPYTER_PATH": os.pathsep.join(dict.fromkeys(paths))}

#: Chromium switches: no sandbox (containers), no GPU, and nothing that phones home on its own.
#: ``--host-resolver-rules`` is a second fence behind the request routing: any host name other than
#: loopback fails to resolve inside the browser.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
)

#: The widgets every test notebook shows, one cell each: data-kind -> constructor expression, all on
#: the cat photo. Tests rebuild the same widget in the test process with :func:`build_widget` to get the
#: expected numbers, so the notebook and the expectation cannot drift apart.
WIDGET_SETUP = (
    "from cnnlab import images, ops\n"
    "from cnnlab.widgets import ActivationWidget, ConvolutionWidget, FlattenWidget, MorphologyWidget, PoolingWidget\n"
    "edges = ConvolutionWidget('cat', 'sobel_x').output  # a real feature map: the cat's vertical edges\n"
    "small = ops.max_pool(images.to_float(images.resize(images.load('cat'), 32)), 4)  # 5x8x3 maps\n"
)
WIDGETS = {
    "convolution": 'ConvolutionWidget("cat", "sobel_x")',
    "pooling": 'PoolingWidget(edges, size=2, mode="max")',
    "activation": 'ActivationWidget(edges, activation="relu")',
    "flatten": "FlattenWidget(small)",
    "morphology": 'MorphologyWidget("cat", size=3, mode="dilation")',
}


def build_widget(kind: str):
    """The widget that the notebook cell for ``kind`` builds, rebuilt here in the test process."""
    namespace: dict = {}
    exec(WIDGET_SETUP, namespace)  # noqa: S102 - our own constant source, shared with the notebook
    return eval(WIDGETS[kind], namespace)


def browser_unavailable_reason() -> str | None:
    """Why the browser tests cannot run here, or ``None`` when Chromium and Playwright are usable."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} not found (install Debian's chromium package: apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except Exception as exc:  # noqa: BLE001 - any import failure means the same thing here
        return f"the playwright Python package cannot be imported ({exc!r}); pip install -e '.[test]'"
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def isolated_env(base: Path) -> dict[str, str]:
    """Environment for a Jupyter child process with HOME and all Jupyter dirs under ``base``.

    The interpreter prefix (``sys.prefix/share/jupyter``, ``sys.prefix/etc/jupyter``) stays on the
    Jupyter search path, which is where the anywidget and ipywidgets lab extensions and the server
    extension configs are installed. User-level paths (``~/.local``, a stray JUPYTER_PATH) are cut off.
    """
    home = base / "home"
    dirs = {
        "HOME": home,
        "JUPYTER_CONFIG_DIR": base / "jupyter-config",
        "JUPYTER_DATA_DIR": base / "jupyter-data",
        "JUPYTER_RUNTIME_DIR": base / "jupyter-runtime",
        "IPYTHONDIR": base / "ipython",
        "MPLCONFIGDIR": base / "matplotlib",
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_DATA_HOME": home / ".local" / "share",
    }
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER_", "JPY_", "IPYTHON", "VOILA_")) and k not in ("PYTHONPATH",)}
    env.update({k: str(v) for k, v in dirs.items()})
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "/usr/bin:/bin")])
    env["PYTHONPATH"] = str(PACKAGE_PARENT)  # the kernel imports this very cnnlab
    env["PYTHONNOUSERSITE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    env.setdefault("CNNLAB_OFFLINE", "1")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    _write_lab_settings(dirs["JUPYTER_CONFIG_DIR"])
    return env


def _write_lab_settings(config_dir: Path) -> None:
    """User settings for the isolated JupyterLab: no news or update checks, every cell in the DOM."""
    settings = {
        # No "would you like news?" toast over the page, and no fetch of the news feed.
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        # Render all cells (no virtual windowing), so every widget is in the DOM and drawing.
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    }
    for plugin, values in settings.items():
        path = config_dir / "lab" / "user-settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@dataclass
class JupyterProcess:
    """A JupyterLab (``kind="lab"``), Jupyter Notebook 7 (``kind="notebook"``), Voilà (``kind="voila"``)
    or ``cnnlab demo`` (``kind="demo"``) server on 127.0.0.1.

    ``root`` is the folder it serves (for ``demo``, the folder it is started from); ``base`` holds its
    isolated HOME, config, temporary files and log; ``args`` are extra command-line arguments (for
    ``demo``: ``--photo PATH`` or a notebook). Use as a context manager, or call :meth:`start` and
    :meth:`stop`; :attr:`started_at` is the ``time.monotonic()`` just before the command started.
    """

    kind: str
    root: Path
    base: Path
    startup_timeout: float = 90.0
    args: tuple[str, ...] = ()
    port: int = 0
    proc: subprocess.Popen | None = field(default=None, repr=False)
    log_path: Path | None = None
    started_at: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def notebook_url(self, name: str) -> str:
        """The URL that shows notebook ``name`` (relative to ``root``) in this server."""
        if self.kind == "demo":
            return self.url  # cnnlab demo serves its one notebook at the root
        prefix = {"lab": "lab/tree/", "notebook": "notebooks/", "voila": "voila/render/"}[self.kind]
        return self.url + prefix + name

    def command(self) -> list[str]:
        if self.kind in ("lab", "notebook"):
            root_flag = ["--ServerApp.allow_root=True"] if os.geteuid() == 0 else []  # containers run as root
            return [sys.executable, "-m", "jupyter", self.kind, "--no-browser", *root_flag,
                    "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
                    "--IdentityProvider.token=", "--ServerApp.password=",
                    f"--ServerApp.root_dir={self.root}",
                    "--ServerApp.terminals_enabled=False",
                    "--LabApp.expose_app_in_browser=True",
                    "--JupyterNotebookApp.expose_app_in_browser=True",
                    "--LabApp.extension_manager=readonly",
                    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        if self.kind == "voila":
            return [sys.executable, "-m", "voila", "--no-browser",
                    "--Voila.ip=127.0.0.1", f"--Voila.port={self.port}", "--Voila.port_retries=0",
                    "--Voila.token=",
                    f"--Voila.root_dir={self.root}",
                    "--VoilaConfiguration.show_tracebacks=True",
                    *voila_options(), *self.args]
        if self.kind == "demo":
            return [sys.executable, "-m", "cnnlab", "demo", "--no-browser", "--port", str(self.port), *self.args]
        raise ValueError(f"kind must be 'lab', 'notebook', 'voila' or 'demo', got {self.kind!r}")

    def start(self) -> JupyterProcess:
        self.base.mkdir(parents=True, exist_ok=True)
        env = isolated_env(self.base)
        if self.kind == "voila":
            env = voila_environment(env)
        # Voilà keeps its kernels' connection files under the temporary folder: ours, so that stop()
        # can find a kernel left behind by its command line
        env["TMPDIR"] = str(self.base / "tmp")
        (self.base / "tmp").mkdir(exist_ok=True)
        self.port = free_port()
        self.log_path = self.base / f"{self.kind}.log"
        self.started_at = time.monotonic()
        with open(self.log_path, "wb") as log:
            # A new session makes the server the leader of its own process group, so stop() can signal
            # exactly that group (the server and anything it spawned into it) and nothing else.
            self.proc = subprocess.Popen(self.command(), cwd=self.root, env=env, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        probe = self.url + ("api/status" if self.kind in ("lab", "notebook") else "")
        deadline = time.monotonic() + self.startup_timeout
        last_error: object = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited with {self.proc.returncode} while starting:\n"
                                   f"{self.log_tail()}")
            if self.kind == "demo":  # a GET of its page would start a kernel: only see that it listens
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    return
                except OSError as exc:
                    last_error = exc
                    time.sleep(0.05)
                    continue
            try:
                with urllib.request.urlopen(probe, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
                last_error = exc
            time.sleep(0.25)
        raise TimeoutError(f"{self.kind} did not answer {probe} within {self.startup_timeout:.0f} s "
                           f"(last error: {last_error!r}):\n{self.log_tail()}")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def log_tail(self, lines: int = 40) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM our process group, wait, then SIGKILL it; then end kernels it left behind."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        pgid = proc.pid  # start_new_session=True: the group id is the server's own pid
        if proc.poll() is None:
            _signal_group(pgid, signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _signal_group(pgid, signal.SIGKILL)
                proc.wait(timeout=timeout)
        _wait_group_gone(pgid, timeout)  # `cnnlab demo` exits at once; its Voilà child takes a moment
        _end_orphan_kernels(self.base)


def _wait_group_gone(pgid: int, timeout: float) -> None:
    """Wait until no process of group ``pgid`` is left; SIGKILL the group after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    _signal_group(pgid, signal.SIGKILL)


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def _end_orphan_kernels(runtime_dir: Path) -> None:
    """Kill kernels whose connection file lives under our private folder ``runtime_dir``, by their pid.

    jupyter_client starts each kernel in a session of its own, so the server's process group does
    not include them; a clean shutdown ends them, this only covers a server that had to be killed.
    """
    marker = os.path.join(str(runtime_dir), "")  # with the trailing separator: ".../lab" is not ".../lab2"
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(marker.encode() in arg for arg in argv) and b"ipykernel_launcher" in b" ".join(argv):
            try:
                os.kill(int(entry.name), signal.SIGKILL)
            except ProcessLookupError:
                pass


def write_widget_notebook(path: Path, setup: str = WIDGET_SETUP, widgets: dict[str, str] = WIDGETS) -> Path:
    """Write a notebook with a set-up cell and one cell per widget (``w_<kind> = ...; w_<kind>``)."""
    import nbformat

    cells = [nbformat.v4.new_markdown_cell("# cnnlab widgets (browser test)"),
             nbformat.v4.new_code_cell(setup)]
    cells += [nbformat.v4.new_code_cell(f"w_{kind} = {expr}\nw_{kind}") for kind, expr in widgets.items()]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                       "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


# --------------------------------------------------------------------------- browser


def is_loopback(url: str) -> bool:
    """True for URLs that stay on this machine (loopback http/ws) or never leave the page (data:, blob:)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return (parts.hostname or "") in LOOPBACK_HOSTS


def launch_chromium(playwright, home: Path | None = None, headless: bool = True):
    """Debian's Chromium through Playwright: headless, no GPU, nothing downloaded.

    Playwright gives every launch a fresh temporary profile (user-data-dir); ``home``, if given,
    becomes the browser's HOME so that nothing else it writes (crash-report database, caches) lands
    in the real home directory.
    """
    env = None
    if home is not None:
        home.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
               "XDG_CACHE_HOME": str(home / ".cache")}
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=headless, args=list(CHROMIUM_ARGS),
                                      env=env)


@dataclass
class PageLog:
    """What the pages of one guarded context said: console messages, page errors, blocked requests."""

    console: list[tuple[str, str, str]] = field(default_factory=list)  # (type, text, location url)
    page_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    ws_sent: list[float] = field(default_factory=list)  # time.monotonic() of each WebSocket frame sent

    def errors(self, since: int = 0, benign=()) -> list[str]:
        """Console errors (from message number ``since`` on) and page errors, minus ``benign`` ones.

        ``benign`` is a sequence of predicates ``(text, location) -> bool``.
        """
        found = [f"console.error: {text} (at {where})" for kind, text, where in self.console[since:]
                 if kind == "error" and not any(rule(text, where) for rule in benign)]
        return found + [f"page error: {e}" for e in self.page_errors]


def guard_context(context) -> PageLog:
    """Abort every non-loopback request (HTTP and WebSocket) of ``context`` and log its pages' output."""
    log = PageLog()

    def route(route_):
        url = route_.request.url
        if is_loopback(url):
            route_.continue_()
        else:
            log.blocked.append(url)
            route_.abort("blockedbyclient")

    def block_socket(ws):
        log.blocked.append(ws.url)
        ws.close()

    context.route("**/*", route)
    context.route_web_socket(lambda url: not is_loopback(url), block_socket)

    def watch(page):
        page.on("console", lambda msg: log.console.append(
            (msg.type, msg.text, (msg.location or {}).get("url", ""))))
        page.on("pageerror", lambda exc: log.page_errors.append(str(exc)))
        # Kernel traffic: every message the page sends to the server (widget state sync included).
        page.on("websocket", lambda ws: ws.on("framesent", lambda _: log.ws_sent.append(time.monotonic())))

    context.on("page", watch)
    return log


def new_guarded_context(browser, **options):
    """A fresh context (no shared cookies or storage) with :func:`guard_context` applied."""
    # 1280 px wide like a classroom projector; tall enough that a whole widget fits in JupyterLab's
    # notebook area, so element screenshots are not clipped by its scroller.
    options.setdefault("viewport", {"width": 1280, "height": 1280})
    options.setdefault("service_workers", "block")  # so routing sees every request
    context = browser.new_context(**options)
    return context, guard_context(context)


# --------------------------------------------------------------------------- opening notebooks

#: True once the page's current notebook (JupyterLab or Notebook 7, app exposed as ``window.jupyterapp``)
#: has a kernel that is connected and idle: a Run All before that runs nothing.
KERNEL_IDLE_JS = """() => {
    const app = window.jupyterapp;
    const panel = app && app.shell.currentWidget;
    const ctx = panel && panel.sessionContext;
    const kernel = ctx && ctx.session && ctx.session.kernel;
    return !!(panel && panel.content && ctx.isReady && kernel && kernel.status === 'idle');
}"""


def open_notebook(page, server: JupyterProcess, name: str, expect_widgets: int,
                  timeout_ms: float = 90_000, selector: str = ".cnnlab-widget[data-ready='true']") -> float:
    """Open ``name`` in ``server`` (running all its cells in JupyterLab; Voilà runs them itself) and wait
    until ``expect_widgets`` elements match ``selector``. Returns the seconds it took."""
    start = time.monotonic()
    page.goto(server.notebook_url(name), wait_until="domcontentloaded", timeout=timeout_ms)
    if server.kind == "lab":
        page.wait_for_function(KERNEL_IDLE_JS, timeout=timeout_ms, polling=250)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(f"n => document.querySelectorAll({json.dumps(selector)}).length >= n",
                           arg=expect_widgets, timeout=timeout_ms, polling=100)
    return time.monotonic() - start


#: Count animation frames in the page for ``seconds`` of wall time (performance.now()).
SAMPLE_FRAMES_JS = """async (root, seconds) => {
    const read = () => ({frames: Number(root.dataset.frames || 0), step: Number(root.dataset.step),
                         t: performance.now()});
    const a = read();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const b = read();
    const elapsed = (b.t - a.t) / 1000;
    return {frames: b.frames - a.frames, elapsed, fps: (b.frames - a.frames) / elapsed,
            step_from: a.step, step_to: b.step, playing: root.dataset.playing};
}"""

#: Resolve after two animation frames, so the canvas shows the latest state.
TWO_FRAMES_JS = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"


def widget_root(page, kind: str):
    """Locator of the (first) ``.cnnlab-widget`` of ``data-kind`` ``kind``."""
    return page.locator(f".cnnlab-widget[data-kind='{kind}']").first


def set_playing(root, playing: bool, timeout_ms: float = 10_000) -> None:
    """Click the play/pause toggle if needed and wait until ``data-playing`` says so."""
    want = "true" if playing else "false"
    if root.get_attribute("data-playing") != want:
        root.locator("button.cnnlab-play").click()
    root.page.wait_for_function("([el, want]) => el.dataset.playing === want",
                                arg=[root.element_handle(), want], timeout=timeout_ms)


def measure_fps(page, kind: str = "convolution", seconds: float = 1.5, log: PageLog | None = None) -> dict:
    """Play widget ``kind``, count its drawn frames over ``seconds`` of wall time, pause it again.

    Returns the page-side numbers (``frames``, ``elapsed``, ``fps``, ``step_from``, ``step_to``,
    ``playing`` at the end of the window), ``wall_seconds`` seen from Python and, given the page's
    ``log``, ``kernel_messages``: WebSocket messages the page sent during the window (each widget
    state sync is one).
    """
    root = widget_root(page, kind)
    set_playing(root, True)
    page.wait_for_function("el => Number(el.dataset.frames || 0) > 0", arg=root.element_handle())
    sent = len(log.ws_sent) if log is not None else 0
    start = time.monotonic()
    result = root.evaluate(SAMPLE_FRAMES_JS, seconds)
    result["wall_seconds"] = time.monotonic() - start
    if log is not None:
        # Playwright delivers the page's events in order before the evaluate() answer, so every frame
        # sent during the window has been counted by now.
        result["kernel_messages"] = len(log.ws_sent) - sent
    set_playing(root, False)
    return result
