"""The ``cnnlab`` command: ``lab``, ``demo``, ``doctor`` and ``gif``.

Examples
--------
``python -m cnnlab doctor``
``python -m cnnlab lab``                       (JupyterLab on the lessons)
``python -m cnnlab demo``                      (the instructor demo in Voila, no code shown)
``python -m cnnlab gif conv --image cat --kernel sobel_x out.gif``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path


def lessons_dir() -> Path:
    """The ``lessons/`` folder: beside the package in a checkout, else in the current folder."""
    for candidate in (Path(__file__).resolve().parent.parent / "lessons", Path.cwd() / "lessons"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("no lessons/ folder found next to cnnlab or in the current folder; "
                            "run this from a checkout of the course")


def _run(command: list[str]) -> int:
    print("running:", " ".join(command), flush=True)
    return subprocess.call(command)


def _lab(args) -> int:
    return _run([sys.executable, "-m", "jupyter", "lab", str(lessons_dir()), *args.extra])


def _demo(args) -> int:
    notebook = Path(args.notebook) if args.notebook else lessons_dir() / "instructor_demo.ipynb"
    if not notebook.is_file():
        print(f"error: {notebook} does not exist; pass the notebook to present: cnnlab demo my_demo.ipynb",
              file=sys.stderr)
        return 2
    # Voila 0.5 tries to load Notebook 7's lab extension, which it cannot use, and logs an error.
    deny = '--VoilaConfiguration.extension_denylist=["@jupyter-notebook/lab-extension"]'
    return _run([sys.executable, "-m", "voila", str(notebook), "--strip_sources=True", deny, *args.extra])


def _doctor(args) -> int:
    from ._doctor import doctor

    doctor(check_network=not args.no_network)
    return 0


def _gif(args) -> int:
    from . import animate

    return animate.run_gif(args) or 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cnnlab", description="Tools for the cnnlab CNN course.")
    sub = parser.add_subparsers(dest="command", required=True)

    lab = sub.add_parser("lab", help="open JupyterLab on the lessons")
    lab.add_argument("extra", nargs=argparse.REMAINDER, help="extra arguments for jupyter lab")
    lab.set_defaults(func=_lab)

    demo = sub.add_parser("demo", help="present a notebook with Voila (widgets, no code)")
    demo.add_argument("notebook", nargs="?", help="default: lessons/instructor_demo.ipynb")
    demo.add_argument("extra", nargs=argparse.REMAINDER, help="extra arguments for voila")
    demo.set_defaults(func=_demo)

    doc = sub.add_parser("doctor", help="print versions, environment, widget and network status")
    doc.add_argument("--no-network", action="store_true", help="skip the 2-second network check")
    doc.set_defaults(func=_doctor)

    gif = sub.add_parser("gif", help="write an animated GIF of a widget's animation")
    from . import animate

    animate.add_gif_arguments(gif)
    gif.set_defaults(func=_gif)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.exit(main())
