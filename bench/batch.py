"""Benchmark a Monte Carlo qualification on one worker against all workers.

The same qualification (same seed, same n, so the very same swaps) runs with
``n_jobs=1`` and then with one worker per CPU. The speed-up (and the
efficiency, speed-up per worker) is a ratio of two runs on one machine
minutes apart, so it means something on a shared machine where absolute
times do not. Peak memory is the largest resident set among the child
processes (a plant or a controller), read from the kernel's accounting.
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from pathlib import Path

from swaptwin.config import load
from swaptwin.commands.qualify import run_qualification


def _qualify(n: int, n_jobs: int) -> tuple[float, dict]:
    cfg = load([f"n={n}"])
    with tempfile.TemporaryDirectory(prefix="swt-bench-") as tmp:
        t0 = time.perf_counter()
        report = run_qualification(cfg, Path(tmp), base_overrides=[], n=n, n_jobs=n_jobs)
        return time.perf_counter() - t0, report


def bench_qualify(*, n: int) -> dict:
    workers = os.cpu_count() or 1
    one_s, one = _qualify(n, 1)
    all_s, every = _qualify(n, workers)
    if one["pass_rate"] != every["pass_rate"]:
        raise RuntimeError(
            f"the same qualification gave {one['pass_rate']} on one worker and {every['pass_rate']} on {workers}"
        )
    speedup = one_s / all_s
    return {
        "n": n,
        "workers": workers,
        "one_worker_wall_s": round(one_s, 2),
        "all_workers_wall_s": round(all_s, 2),
        "swaps_per_minute": round(60 * n / all_s, 1),
        "speedup": round(speedup, 3),
        "efficiency": round(speedup / workers, 3),
        "peak_child_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "pass_rate": every["pass_rate"]["value"],
    }
