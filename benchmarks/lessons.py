"""Time every lesson run top to bottom in a fresh kernel, as nbval runs it.

Run: ``python benchmarks/lessons.py [lessons/02_convolution.ipynb ...]``.
Prints one row per notebook with its wall time against the budgets of docs/architecture.md
(30 s for lessons 00-06, which compute little; 60 s for 07-09, which train
networks; the whole course under 6 minutes). Offline: sets ``CNNLAB_OFFLINE=1``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHORT_LESSON_BUDGET_S = 30.0     # lessons 00-06
TRAINING_LESSON_BUDGET_S = 60.0  # lessons 07-09 train networks
COURSE_BUDGET_S = 360.0


def budget(path: Path) -> float:
    """Seconds lesson ``path`` may take: 30 up to lesson 06, 60 from lesson 07 on."""
    return SHORT_LESSON_BUDGET_S if int(path.name[:2]) <= 6 else TRAINING_LESSON_BUDGET_S


def run_notebook(path: Path) -> float:
    """Execute ``path`` in a fresh python3 kernel; return the wall time in seconds."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    os.environ.setdefault("CNNLAB_OFFLINE", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    paths = [Path(p) for p in argv] or sorted((ROOT / "lessons").glob("[0-9]*.ipynb"))
    total = 0.0
    ok_all = True
    print(f"{'lesson':<32} {'seconds':>8} {'budget':>7}  ok")
    for path in paths:
        seconds = run_notebook(path)
        total += seconds
        ok = seconds < budget(path)
        ok_all &= ok
        print(f"{path.name:<32} {seconds:>8.1f} {budget(path):>7.0f}  {'yes' if ok else 'NO'}", flush=True)
    ok = total < COURSE_BUDGET_S
    ok_all &= ok
    print(f"{'all ' + str(len(paths)) + ' lessons':<32} {total:>8.1f} {COURSE_BUDGET_S:>7.0f}  {'yes' if ok else 'NO'}")
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
