"""Many swaps in parallel, resumable: what ``qualify``, ``campaign``, ``matrix`` and ``regress`` run on.

Each job is a set of Hydra overrides on top of a base. Jobs run like a Hydra
multirun with the joblib launcher: ``n_jobs`` at once (default: one per CPU),
each in its own numbered directory ``runs/<job>/`` holding the job's
``overrides.yaml``, ``result.json`` and its processes' logs. Every job is a
real swap: a plant process and a controller process over ZeroMQ
(``swaptwin.batch.workers``); by default each worker keeps a warm plant for
the whole batch.

Resume: a job whose directory already holds a ``result.json`` made from the
same resolved config is not run again, so an interrupted batch re-run with
the same output directory picks up where it stopped. Results are written
atomically, so an interrupted job leaves no result and simply runs again.

The jobs' configs are composed in the calling thread (Hydra's global state
is not thread-safe), the shared base once (``swaptwin.config.Composer``: a
job that only sets values gets a copy of it); the swaps themselves run on
threads that only wait on child processes, so the GIL costs nothing.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from swaptwin.batch.progress import Progress
from swaptwin.batch.executors import EXECUTORS
from swaptwin.batch.workers import FreshSwapper, Swapper
from swaptwin.config import Composer
from swaptwin.results.atomic import write_json_atomic, write_text_atomic


@dataclass(frozen=True)
class Job:
    id: str  # directory name under runs/
    overrides: tuple[str, ...]


# Keys that steer a batch, not a swap: a resume with another n (or other recording settings) reuses the runs.
_BATCH_KEYS = ("n", "n_jobs", "matrix_runs", "sessions", "record", "executor", "ray")


def config_digest(resolved: dict) -> str:
    """What a resume compares: the swap's resolved config without the batch's own keys. A pack
    file counts by its bytes, not where it lies: another checkout or folder resumes the batch."""
    swap = {k: v for k, v in resolved.items() if k not in _BATCH_KEYS}
    if isinstance(swap.get("pack_file"), dict):
        swap["pack_file"] = {k: v for k, v in swap["pack_file"].items() if k != "path"}
    return hashlib.sha256(json.dumps(swap, sort_keys=True).encode()).hexdigest()[:16]


def _no_result(run_dir: Path) -> dict:
    """A placeholder for a job whose plant wrote no result: nothing a resume could trust."""
    return {
        "verdict": {"status": "fail", "reasons": [f"no result: the plant wrote none (see {run_dir / 'plant.log'})"]},
        "controller": {},
        "hazards": [],
    }


class _Workers:
    """One swapper per pool thread, made on first use and closed at the end."""

    def __init__(self, make: Callable[[int], Swapper]):
        self.make = make
        self.local = threading.local()
        self.all: list[Swapper] = []
        self.lock = threading.Lock()

    def get(self) -> Swapper:
        swapper = getattr(self.local, "swapper", None)
        if swapper is None:
            with self.lock:
                swapper = self.local.swapper = self.make(len(self.all))
                self.all.append(swapper)
        return swapper

    def close(self) -> None:
        for s in self.all:
            s.close()


def _pending(jobs: list[Job], runs: Path, base_overrides: list[str]) -> tuple[dict[str, dict], list[tuple]]:
    """Each job's config; the results of the jobs already done (resume), and the jobs to run."""
    runs.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict] = {}
    todo = []
    configs = Composer(base_overrides)  # Hydra composes the shared base once
    for job in jobs:
        cfg = configs.load(list(job.overrides))
        digest = config_digest(cfg.resolved)
        run_dir = runs / job.id
        done = run_dir / "result.json"
        if done.exists():
            prior = json.loads(done.read_text())
            if prior.get("batch", {}).get("config_digest") == digest:
                results[job.id] = prior
                continue
        todo.append((job, cfg, digest, run_dir))
    return results, todo


def run_batch(
    jobs: list[Job],
    out_dir: Path,
    *,
    base_overrides: list[str],
    n_jobs: int | None = None,
    label: str = "swaps",
    on_result: Callable[[Job, dict], None] | None = None,
    swapper: Callable[[int], Swapper] | None = None,
) -> dict[str, dict]:
    """Run every job (skipping finished ones); return job id -> result.
    ``swapper(worker_index)`` makes a worker's swapper (default: a warm plant per worker)."""
    results, todo = _pending(jobs, out_dir / "runs", base_overrides)
    if len(results):
        sys.stderr.write(f"{label}: {len(results)} of {len(jobs)} already done, {len(todo)} to run\n")
    if not todo:
        return results
    # Where the swaps run: the jobs share their base config, so the first job's says.
    resolved = todo[0][1].resolved
    executor = EXECUTORS[resolved.get("executor", "local")]
    slots = executor.prepare(resolved)
    n_jobs = max(1, n_jobs or slots)
    progress = Progress(len(todo), label)
    workers = _Workers(swapper or (lambda i: executor.swapper(out_dir, i, resolved)))
    stop = threading.Event()

    def one(item):
        job, cfg, digest, run_dir = item
        run_dir.mkdir(parents=True, exist_ok=True)
        write_text_atomic(run_dir / "overrides.yaml", "".join(f"- {o}\n" for o in [*base_overrides, *job.overrides]))
        result = workers.get().run(cfg, run_dir, stop)
        if result is None and stop.is_set():
            raise KeyboardInterrupt(f"{job.id} interrupted")
        if result is None:
            # The plant died without a result (a crash, a signal that reached it
            # before its handlers did): no verdict to keep, so nothing is
            # written and a resume runs the job again.
            return job, _no_result(run_dir)
        if result.get("session", {}).get("end_reason") == "interrupted":
            (run_dir / "result.json").unlink(missing_ok=True)  # unfinished: a resume runs it again
            raise KeyboardInterrupt(f"{job.id} interrupted")
        # Stamp the result with what made it, so a resume can trust it.
        result["batch"] = {"job": job.id, "overrides": list(job.overrides), "config_digest": digest}
        write_json_atomic(run_dir / "result.json", result)
        return job, result

    pool = cf.ThreadPoolExecutor(max_workers=n_jobs)
    futures = [pool.submit(one, item) for item in todo]
    try:
        for fut in cf.as_completed(futures):
            job, result = fut.result()
            results[job.id] = result
            if on_result:
                on_result(job, result)
            progress.step(f"{job.id}: {result['verdict']['status']}")
    except BaseException:
        # Ctrl-C, or a job that failed outside its swap: the running swaps stop
        # their processes, queued ones never start; finished ones are kept.
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        workers.close()
        raise
    finally:
        progress.close()
    pool.shutdown(wait=True)
    workers.close()
    return results


def fresh(_worker: int) -> Swapper:
    """A swapper that starts a fresh plant per job (as ``swaptwin swap`` does)."""
    return FreshSwapper()
