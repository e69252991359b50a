"""Wall time of a call, robust to a shared, noisy machine: for the benchmark scripts and the tests'
"refused at once" guards.

A stall from another process or the garbage collector adds time to one call; a slow algorithm (regex
backtracking, a huge allocation before a size check) is slow on every call. So the fastest of a few
calls measures the code, not the machine.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def best_time(func: Callable[[], object], repeats: int = 3) -> float:
    """Best wall time of ``repeats`` calls of ``func`` after one warm-up call, in seconds.

    Exceptions of ``func`` propagate.
    """
    func()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best
