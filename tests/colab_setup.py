"""Run a lesson's Colab set-up cell outside Colab, as Colab would, against this checkout.

The cell is the one ``cnnlab._links.setup_cell`` writes. Here ``google.colab`` is a stand-in
module, and the cell's ``!pip install ... "cnnlab[...] @ git+REPOSITORY"`` line installs the
package from this checkout instead of the repository address (with ``dry_run``, only asks pip
what it would do). ``.ci/run`` uses it to set up its Colab-like environment; ``tests/test_colab.py``
uses it to check that the cell changes none of Colab's packages::

    python tests/colab_setup.py 08_detection          # install, as the cell of lesson 08 does
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cnnlab import _links

PIP_LINE = re.compile(r"^(?P<indent>\s*)!pip (?P<arguments>.+)$", re.MULTILINE)


def _fake_colab() -> dict[str, types.ModuleType]:
    """Stand-ins for ``google``, ``google.colab`` and ``google.colab.output``, and what they record."""
    google, colab, output = (types.ModuleType(name) for name in ("google", "google.colab", "google.colab.output"))
    output.enabled = []
    output.enable_custom_widget_manager = lambda: output.enabled.append(True)
    google.colab, colab.output = colab, output
    return {"google": google, "google.colab": colab, "google.colab.output": output}


def _pip(arguments: str, dry_run: bool, report: Path | None) -> None:
    """Run the cell's pip command with the repository address replaced by this checkout."""
    words = shlex.split(arguments)
    for index, word in enumerate(words):
        match = re.fullmatch(r"cnnlab(\[[\w,]+\])? @ git\+\S+", word)
        if match:
            words[index] = f"{ROOT}{match.group(1) or ''}"
    if dry_run:
        words[1:1] = ["--dry-run", "--report", str(report)]
    subprocess.run([sys.executable, "-m", "pip", *words], check=True, timeout=1200)


def run_setup_cell(lesson: str, dry_run: bool = False, report: Path | None = None) -> list[str]:
    """Execute ``lesson``'s set-up cell as on Colab; return the lines it printed.

    Parameters
    ----------
    lesson : str
        A lesson's file stem, such as ``"08_detection"``.
    dry_run : bool
        Only ask pip what it would install (its JSON report goes to ``report``).
    report : Path, optional
        Where pip writes its report when ``dry_run`` is true.
    """
    source = _links.setup_cell(lesson=lesson)
    if len(PIP_LINE.findall(source)) != 1:
        raise ValueError(f"the set-up cell of {lesson} should have one !pip line")
    source = PIP_LINE.sub(lambda m: f"{m['indent']}__pip__({m['arguments']!r})", source)
    printed: list[str] = []
    fakes = _fake_colab()
    saved = {name: sys.modules.get(name) for name in fakes}
    sys.modules.update(fakes)
    try:
        exec(compile(source, f"<set-up cell of {lesson}>", "exec"), {  # noqa: S102  (the cell is cnnlab's own)  # noqa: S102  (the cell is ours)
            "__pip__": lambda arguments: _pip(arguments, dry_run, report),
            "print": lambda *words, **_: printed.append(" ".join(map(str, words))),
        })
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
    if not fakes["google.colab.output"].enabled:
        raise AssertionError(f"the set-up cell of {lesson} did not turn on Colab's widget manager")
    return printed


def would_install(report: Path) -> dict[str, str]:
    """``{name: version}`` of what pip's dry-run ``report`` would install, names lower-case with dashes."""
    items = json.loads(report.read_text(encoding="utf-8"))["install"]
    return {re.sub(r"[-_.]+", "-", item["metadata"]["name"]).lower(): item["metadata"]["version"] for item in items}


if __name__ == "__main__":
    for line in run_setup_cell(sys.argv[1] if len(sys.argv) > 1 else "08_detection"):
        print(line)
