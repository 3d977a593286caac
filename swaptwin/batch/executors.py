"""Where a batch's swaps run: the registry of executors (``executor=local`` or ``executor=ray``).

An executor prepares itself for a batch (and says how many swaps it can run
at once: the default ``n_jobs``), then makes one swapper per slot
(``swaptwin.batch.workers.Swapper``). Everything else of a batch (composing
the jobs, resume, progress, the files of ``runs/``) is the runner's, the same
for every executor. To add one is a module and a line here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Executor:
    name: str
    doc: str
    prepare: Callable[[dict], int]  # the batch's resolved config -> slots (the default n_jobs)
    swapper: Callable[[Path, int, dict], Any]  # (batch directory, slot, resolved config) -> a Swapper


def _local_slots(resolved: dict) -> int:
    return os.cpu_count() or 1


def _local_swapper(out_dir: Path, slot: int, resolved: dict):
    from swaptwin.batch.workers import WarmSwapper

    return WarmSwapper(out_dir / "workers" / f"plant-{slot}.log")


def _ray_slots(resolved: dict) -> int:
    from swaptwin.batch.ray_executor import connect

    return connect((resolved.get("ray") or {}).get("address"))


def _ray_swapper(out_dir: Path, slot: int, resolved: dict):
    from swaptwin.batch.ray_executor import RaySwapper

    return RaySwapper()


EXECUTORS: dict[str, Executor] = {
    e.name: e
    for e in (
        Executor(
            "local", "warm plants on this machine, n_jobs at once (default: one per CPU)", _local_slots, _local_swapper
        ),
        Executor(
            "ray", "Ray actors on a cluster (ray.address; null: a local one), one CPU each", _ray_slots, _ray_swapper
        ),
    )
}
