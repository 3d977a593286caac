"""Batch swaps on a Ray cluster: ``executor=ray`` (and ``ray.address=HOST:PORT``).

Ray is an optional extra (``pip install -e '.[cluster]'``). Each slot of the
batch (``n_jobs``, default: the cluster's CPUs) is a Ray actor holding one
CPU of some node: a warm plant process of its own (``WarmSwapper``), and a
controller process per job, as a local worker has. The driver keeps
everything else where it is for a local run: it composes the jobs' configs,
skips the finished ones (resume), shows the progress and writes each job's
``runs/<job>/`` from what the actor sends back. So the results are the
local run's for the same seeds (lockstep is deterministic), and an
interrupted batch resumes with the same command.

What crosses the cluster is plain data, never our objects: the job's
resolved config as JSON text, and back the result as JSON text and the run
directory's files as bytes (Ray serialises those itself). A node needs the
same SwapTwin installed, and the user's config folders (``--config-dir``) at
the same path if a job names files there (docs/cluster.md).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from swaptwin.config import SwapConfig
from swaptwin.results.atomic import write_bytes_atomic

_POLL_S = 0.1
_CLOSE_WAIT_S = 30.0


def _ray():
    try:
        import ray
    except ImportError:
        raise RuntimeError(
            "executor=ray needs Ray, an optional extra: pip install -e '.[cluster]' (on every node)"
        ) from None
    return ray


def connect(address: str | None) -> int:
    """Join the cluster at ``address`` (None: start a local one); its CPU count."""
    ray = _ray()
    if not ray.is_initialized():
        if address is None:
            # A local cluster: its workers at our priority. Ray starts them at nice 15, and a swap's
            # plant and controller inherit it, so on a busy machine they would starve (their link
            # watchdogs run on the host clock). A cluster's nodes: RAY_worker_niceness=0 ray start.
            os.environ.setdefault("RAY_worker_niceness", "0")
        ray.init(address=address, log_to_driver=False, include_dashboard=False, configure_logging=False)
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


class NodeWorker:
    """Runs inside a Ray actor on some node: one warm plant for the jobs it is given."""

    def __init__(self) -> None:
        from swaptwin.batch.workers import WarmSwapper

        with contextlib.suppress(OSError):  # a node started at nice 15: our processes at the usual priority
            os.setpriority(os.PRIO_PROCESS, 0, 0)
        self.root = Path(tempfile.mkdtemp(prefix="swaptwin-ray-"))
        self.swapper = WarmSwapper(self.root / "plant.log")

    def run(self, job_id: str, resolved_json: str, record_policy: str) -> tuple[str | None, dict[str, bytes]]:
        run_dir = self.root / "runs" / job_id
        shutil.rmtree(run_dir, ignore_errors=True)
        result = self.swapper.run_resolved(json.loads(resolved_json), record_policy, run_dir, threading.Event())
        files = {str(p.relative_to(run_dir)): p.read_bytes() for p in sorted(run_dir.rglob("*")) if p.is_file()}
        shutil.rmtree(run_dir, ignore_errors=True)
        return (None if result is None else json.dumps(result)), files

    def close(self) -> None:
        self.swapper.close()
        shutil.rmtree(self.root, ignore_errors=True)


class RaySwapper:
    """The driver's side of one slot (``swaptwin.batch.workers.Swapper``)."""

    def __init__(self) -> None:
        self.ray = _ray()
        self._actor_cls: Any = self.ray.remote(num_cpus=1, max_restarts=0)(NodeWorker)
        self.actor: Any = None

    def run(self, cfg: SwapConfig, run_dir: Path, stop: threading.Event) -> dict | None:
        ray = self.ray
        if self.actor is None:
            self.actor = self._actor_cls.remote()
        ref = self.actor.run.remote(run_dir.name, json.dumps(cfg.resolved), cfg.record.policy(batch=True))
        while not ray.wait([ref], timeout=_POLL_S)[0]:
            if stop.is_set():
                self._kill()
                raise KeyboardInterrupt("batch stopped")
        lost = (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError)
        try:
            result_json, files = ray.get(ref)
        except lost:
            # The actor or its node died mid-job: no result to trust (a resume runs the job again);
            # the slot's next job gets a new actor. (A job that raised raises here, as it would locally.)
            self._kill()
            return None
        run_dir.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            target = (run_dir / name).resolve()
            if run_dir.resolve() in target.parents:  # only inside the job's directory
                write_bytes_atomic(target, data)
        return None if result_json is None else json.loads(result_json)

    def _kill(self) -> None:
        if self.actor is not None:
            self.ray.kill(self.actor)
            self.actor = None

    def close(self) -> None:
        if self.actor is None:
            return
        with contextlib.suppress(self.ray.exceptions.RayError):
            self.ray.get(self.actor.close.remote(), timeout=_CLOSE_WAIT_S)
        self._kill()
