"""Measure cnnlab.ops against TensorFlow on the same NumPy arrays, and `import cnnlab`.

Run: ``python benchmarks/ops.py`` (``--repeats N`` to change the number of timed runs).
Prints a table of best-of-N times and the ratio to TensorFlow, against the budgets of docs/architecture.md.
Ratios are measured in one run, so machine noise mostly cancels.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

from cnnlab._timing import best_time


def import_time(repeats: int) -> tuple[float, bool]:
    """Best time of ``import cnnlab`` in a fresh interpreter, and whether TensorFlow got imported."""
    code = ("import sys, time; t = time.perf_counter(); import cnnlab; "
            "print(time.perf_counter() - t, 'tensorflow' in sys.modules)")
    results = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        seconds, tf_loaded = out.split()
        results.append((float(seconds), tf_loaded == "True"))
    return min(r[0] for r in results), any(r[1] for r in results)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)

    import tensorflow as tf

    from cnnlab import ops

    rng = np.random.default_rng(0)
    image = rng.random((512, 512, 3), dtype=np.float32)
    kernel = rng.normal(size=(3, 3, 3, 16)).astype(np.float32)
    maps = rng.random((510, 510, 16), dtype=np.float32)

    np.testing.assert_allclose(ops.conv2d(image, kernel), tf.nn.conv2d(image[None], kernel, 1, "VALID")[0],
                               rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(ops.max_pool(maps), tf.nn.max_pool2d(maps[None], 2, 2, "VALID")[0])

    rows = []
    ours = best_time(lambda: ops.conv2d(image, kernel), args.repeats)
    theirs = best_time(lambda: tf.nn.conv2d(image[None], kernel, 1, "VALID").numpy(), args.repeats)
    rows.append(("conv2d 512x512x3, 16 filters 3x3", ours, theirs, 3.0))
    ours = best_time(lambda: ops.max_pool(maps), args.repeats)
    theirs = best_time(lambda: tf.nn.max_pool2d(maps[None], 2, 2, "VALID").numpy(), args.repeats)
    rows.append(("max_pool 2x2 on 510x510x16", ours, theirs, 2.0))
    ours = best_time(lambda: ops.avg_pool(maps), args.repeats)
    theirs = best_time(lambda: tf.nn.avg_pool2d(maps[None], 2, 2, "VALID").numpy(), args.repeats)
    rows.append(("avg_pool 2x2 on 510x510x16", ours, theirs, None))

    print(f"{'operation':<36} {'cnnlab ms':>10} {'TF ms':>8} {'ratio':>6} {'budget':>7}  ok")
    ok_all = True
    for name, ours, theirs, budget in rows:
        ratio = ours / theirs
        ok = budget is None or ratio <= budget
        ok_all &= ok
        print(f"{name:<36} {ours * 1e3:>10.2f} {theirs * 1e3:>8.2f} {ratio:>6.2f} "
              f"{(f'{budget:.0f}x' if budget else '-'):>7}  {'yes' if ok else 'NO'}")

    seconds, tf_loaded = import_time(5)
    ok = seconds < 0.3 and not tf_loaded
    ok_all &= ok
    print(f"{'import cnnlab (fresh interpreter)':<36} {seconds * 1e3:>10.1f} {'-':>8} {'-':>6} "
          f"{'300 ms':>7}  {'yes' if ok else 'NO'}  (TensorFlow imported: {tf_loaded})")
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
