"""The ``cnnlab`` command: ``lab``, ``demo``, ``doctor`` and ``gif``.

Examples
--------
``python -m cnnlab doctor``
``python -m cnnlab lab``                       (JupyterLab on your copy of the lessons, my_lessons/)
``python -m cnnlab demo``                      (the instructor demo in Voila, no code shown)
``python -m cnnlab demo --photo class.jpg``    (the demo on your own photo)
``python -m cnnlab gif conv --image cat --kernel sobel_x out.gif``
``python -m cnnlab gif pool --image coins --force pool.gif``   (``--force`` replaces an existing GIF)

A mistake in what was typed (an unknown photo, a damaged or huge image, a bad
kernel, an existing output file) ends with exit status 2 and one ``error:``
line, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

from . import _validate as v

#: what a user's mistake can raise below; each becomes one ``error:`` line and exit status 2
USER_ERRORS = (ValueError, TypeError, OSError, OverflowError, FloatingPointError, ConnectionError, MemoryError)

#: a kernel whose feature map could exceed this cannot be drawn (float32 ends near 3.4e38)
_LARGEST_MAP_VALUE = 1e30


class _Parser(argparse.ArgumentParser):
    """``argparse`` that reports a mistake in one line (exit status 2), without the usage block."""

    def error(self, message: str):
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def lessons_dir() -> Path:
    """The ``lessons/`` folder: beside the package in a checkout, else in the current folder."""
    for candidate in (Path(__file__).resolve().parent.parent / "lessons", Path.cwd() / "lessons"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("no lessons/ folder found next to cnnlab or in the current folder; "
                            "run this from a checkout of the course")


def _run(command: list[str], env: dict[str, str] | None = None) -> int:
    print("running:", " ".join(command), flush=True)
    try:
        return subprocess.call(command, env=env)
    except KeyboardInterrupt:  # Ctrl+C stops the server; the child got the same signal
        return 130


def _lab(args) -> int:
    from ._workspace import sync_working_copy

    try:
        sync = sync_working_copy(lessons_dir())
    except (FileNotFoundError, ValueError, OSError) as exc:
        print(f"error: {v.one_line(exc)}", file=sys.stderr)
        return 2
    print(sync.summary(), flush=True)
    return _run([sys.executable, "-m", "jupyter", "lab", str(sync.folder), *args.extra])


#: the largest notebook ``cnnlab demo`` opens (the course's are well under 1 MB without outputs)
MAX_NOTEBOOK_BYTES = 64 * 2**20


def check_notebook(notebook: Path) -> None:
    """Refuse, before any server starts, a ``notebook`` Voila could not show.

    Raises
    ------
    FileNotFoundError
        It does not exist.
    ValueError
        It is a folder, too large, not JSON, or JSON that is not a notebook (nbformat 4 cells).
    """
    if notebook.is_dir():
        raise ValueError(f"{notebook} is a folder; pass the notebook to present: cnnlab demo {notebook}/talk.ipynb")
    if not notebook.is_file():
        raise FileNotFoundError(f"{notebook} does not exist; pass the notebook to present: "
                                f"cnnlab demo my_demo.ipynb")
    size = notebook.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"{notebook} is {size:,} bytes, more than the {MAX_NOTEBOOK_BYTES:,} a notebook may have")
    try:
        content = json.loads(notebook.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError(f"{notebook} is not a notebook: it is not JSON text (an .ipynb file is)") from None
    if not (isinstance(content, dict) and content.get("nbformat") == 4
            and isinstance(content.get("cells"), list)):
        raise ValueError(f"{notebook} is not a notebook: its JSON has no nbformat 4 'cells' list")


def _demo(args) -> int:
    try:
        notebook = Path(args.notebook) if args.notebook else lessons_dir() / "instructor_demo.ipynb"
        check_notebook(notebook)
        env = _demo_environment(args.photo)
    except (*USER_ERRORS, FileNotFoundError) as exc:
        print(f"error: {v.one_line(exc)}", file=sys.stderr)
        return 2
    return _run(demo_command(notebook, args.port, args.no_browser, args.extra), env=env)


def demo_command(notebook: Path, port: int | None = None, no_browser: bool = False,
                 extra: list[str] = ()) -> list[str]:
    """The Voila command of ``cnnlab demo``: this machine only, no code shown, nothing from a CDN.

    Voila hides the code by default (``strip_sources``); the ``cnnlab`` template drops the Font
    Awesome links of Voila's page, and the deny list keeps out the JupyterLab-only extensions
    that would log errors. Cells are shown as they finish (progressive rendering), so the first
    widgets appear while the digits model of the last cell is still loading.
    """
    from ._servers import voila_options

    command = [sys.executable, "-m", "voila", str(notebook), "--Voila.ip=127.0.0.1",
               "--VoilaConfiguration.progressive_rendering=True", *voila_options()]
    if port is not None:
        command += [f"--Voila.port={port}", "--Voila.port_retries=0"]
    if no_browser:
        command.append("--no-browser")
    return command + list(extra)


def _demo_environment(photo: str | None) -> dict[str, str]:
    """The environment for Voila: the cnnlab template on ``JUPYTER_PATH`` and the presenter's photo.

    ``photo`` (``--photo``) is checked here, so a wrong path ends in one line before Voila starts.
    """
    from ._servers import voila_environment

    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if photo is not None:
        from . import demo, images

        if photo in images.names():  # a bundled photo by name: "cnnlab demo --photo coins"
            env[demo.PHOTO_VARIABLE] = photo
            return voila_environment(env)
        path = Path(photo).expanduser()
        try:
            images.load(path)
        except (ValueError, TypeError) as exc:
            raise ValueError(str(exc).replace("name_or_path", "--photo", 1)) from None
        env[demo.PHOTO_VARIABLE] = str(path.resolve())
    return voila_environment(env)


def _doctor(args) -> int:
    from ._doctor import doctor

    doctor(check_network=not args.no_network)
    return 0


def _gif(args) -> int:
    try:
        target = _gif_target(args.path, args.force)
        if args.gif_kind == "conv":
            args.kernel = _gif_kernel(args.kernel)
        _check_image(args.image)
        written = _write_gif_atomically(args, target)
    except USER_ERRORS as exc:
        print(f"error: {v.one_line(exc)}", file=sys.stderr)
        return 2
    from PIL import Image

    with Image.open(written) as gif:
        frames = gif.n_frames
    print(f"wrote {written} ({frames} frames, {written.stat().st_size / 1024:.0f} KB)")
    return 0


def _gif_target(path_text: str, force: bool) -> Path:
    """Where the GIF goes: a ``.gif`` name; an existing file only with ``--force``; never a link."""
    if not path_text.strip():
        raise ValueError("path must name the .gif file to write")
    path = Path(path_text).expanduser()
    if path.suffix.lower() != ".gif":
        raise ValueError(f"path must end in .gif, got {path_text!r}; nothing was written")
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise ValueError(f"{path_text!r} is a symbolic link; cnnlab does not write through links")
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"{path_text!r} exists and is not a regular file")
        if not force:
            raise ValueError(f"{path_text!r} already exists; pass --force to replace it")
    if not path.parent.is_dir():
        raise ValueError(f"the folder {str(path.parent)!r} for {path_text!r} does not exist")
    return path


def _gif_kernel(text: str):
    """The ``--kernel`` text as an array (linear parsing), refused when its map would overflow."""
    import numpy as np

    from . import kernels

    _, kernel = kernels.read(text, "--kernel")
    bound = float(np.abs(kernel.astype(np.float64)).sum()) * 255.0
    if bound > _LARGEST_MAP_VALUE:
        raise ValueError(f"--kernel weights are too large: the feature map could reach {bound:.1e}, "
                         f"more than the {_LARGEST_MAP_VALUE:.0e} a picture can show")
    return kernel


def _check_image(name: str) -> None:
    """Fail fast, in one line, on a photo or file that cannot be shown (missing, a pipe, a bomb)."""
    from . import images

    if name not in images.names():
        try:
            images.load(name)
        except (ValueError, TypeError) as exc:  # images.load calls its argument name_or_path
            raise type(exc)(str(exc).replace("name_or_path", "--image", 1)) from None


def _write_gif_atomically(args, target: Path) -> Path:
    """Write into a new file beside ``target``, then rename: a failure leaves nothing half-written."""
    from . import animate

    handle, temporary = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".gif", dir=target.parent)
    os.close(handle)
    common = {"max_size": args.max_size, "max_frames": args.frames, "fps": args.fps}
    try:
        if args.gif_kind == "conv":
            animate.convolution_gif(args.image, args.kernel, temporary, args.stride, args.padding, **common)
        else:
            animate.pooling_gif(args.image, temporary, args.size, args.stride, args.mode, **common)
        if not args.force and os.path.lexists(target):  # appeared while we were drawing
            raise ValueError(f"{str(target)!r} already exists; pass --force to replace it")
        os.replace(temporary, target)  # replaces a link itself, never its target
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--port must be a whole number, got {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"--port must be between 1 and 65535, got {port}")
    return port


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cnnlab", description="Tools for the cnnlab CNN course.")
    sub = parser.add_subparsers(dest="command", required=True)

    lab = sub.add_parser("lab", help="open JupyterLab on your copy of the lessons (my_lessons/, made and "
                                       "topped up from lessons/; your copies are never changed)")
    lab.add_argument("extra", nargs=argparse.REMAINDER, help="extra arguments for jupyter lab")
    lab.set_defaults(func=_lab)

    demo = sub.add_parser("demo", help="present a notebook with Voila (widgets, no code)")
    demo.add_argument("notebook", nargs="?", help="default: lessons/instructor_demo.ipynb")
    demo.add_argument("--photo", metavar="PATH", help="the image file (or bundled photo's name) the demo "
                      "starts with (default: astronaut; an upload button changes it during the demo)")
    demo.add_argument("--port", type=_port, help="the port on 127.0.0.1 (default: 8866 or the next free one)")
    demo.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    demo.add_argument("extra", nargs=argparse.REMAINDER, help="extra arguments for voila")
    demo.set_defaults(func=_demo)

    doc = sub.add_parser("doctor", help="print versions, environment, widget and network status")
    doc.add_argument("--no-network", action="store_true", help="skip the 2-second network check")
    doc.set_defaults(func=_doctor)

    gif = sub.add_parser("gif", help="write an animated GIF of a widget's animation")
    from . import animate

    animate.add_gif_arguments(gif)
    for action in gif._actions:
        if isinstance(action, argparse._SubParsersAction):  # the conv and pool sub-commands
            for kind in action.choices.values():
                kind.add_argument("--force", action="store_true", help="replace the .gif if it exists")
    gif.set_defaults(func=_gif)
    return parser


#: commands that hand options they do not know to the server they start (``cnnlab demo --Voila.theme=dark``)
PASS_THROUGH = ("lab", "demo")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        if args.command not in PASS_THROUGH:
            parser.error(f"unrecognized arguments: {' '.join(unknown)}")
        args.extra = [*args.extra, *unknown]
    return int(args.func(args) or 0)


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.exit(main())
