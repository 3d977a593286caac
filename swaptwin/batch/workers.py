"""How a batch job's swap is run: by a fresh pair of processes, or by a warm plant.

Every job is a real swap: a plant process and a controller process over
ZeroMQ. A *fresh* worker starts both for each job (``swaptwin swap`` does
the same). A *warm* worker keeps one plant process per worker for the whole
batch (``swaptwin.plant_server --jobs``): its imports are done and its
sockets bound once, and between jobs it resets its world and builds the
next job's station, so each session starts exactly as on a fresh plant (a
test compares the traces). The controller is started per job: it is a
separate program, as on a real station.

If a warm plant dies (a crash, a signal), the job it was serving has no
result, and the worker starts a new plant for its next job.
"""

from __future__ import annotations

import json
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Protocol

from swaptwin.config import SwapConfig
from swaptwin.processes import die_with_parent, private_endpoints, reap, run_swap, spawn, stop_process
from swaptwin.results.atomic import write_json_atomic
from swaptwin.results.recording import sweep_partials

# A warm plant that has not said it is done this long after its controller
# ended has hung: it is killed, and the job has no result. (It writes the
# swap's report, pictures included, before it says so.)
_AFTER_CONTROLLER_S = 180.0
_CLOSE_WAIT_S = 10.0


class Swapper(Protocol):
    def run(self, cfg: SwapConfig, run_dir: Path, stop: threading.Event) -> dict | None: ...

    def close(self) -> None: ...


class FreshSwapper:
    """A plant and a controller process per job."""

    def run(self, cfg: SwapConfig, run_dir: Path, stop: threading.Event) -> dict | None:
        return run_swap(cfg, run_dir, stop=stop, batch=True)

    def close(self) -> None:
        pass


class WarmSwapper:
    """One warm plant process for many jobs, one controller process per job."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path  # the plant process's own output; each job's session logs to its plant.log
        self.endpoint, self.observer = private_endpoints()
        self.plant: subprocess.Popen | None = None

    def _plant(self) -> subprocess.Popen:
        if self.plant is None or self.plant.poll() is not None:
            args = [
                sys.executable,
                "-m",
                "swaptwin.plant_server",
                "--jobs",
                "--endpoint",
                self.endpoint,
                "--observer",
                self.observer,
            ]
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.log_path, "ab") as log:
                self.plant = subprocess.Popen(
                    args,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    preexec_fn=die_with_parent,
                    text=True,
                )
        return self.plant

    def run(self, cfg: SwapConfig, run_dir: Path, stop: threading.Event) -> dict | None:
        return self.run_resolved(cfg.resolved, cfg.record.policy(batch=True), run_dir, stop)

    def run_resolved(self, resolved: dict, record_policy: str, run_dir: Path, stop: threading.Event) -> dict | None:
        """One job from its resolved config (a ``SwapConfig.resolved``, as ``swap_config.json`` holds it)."""
        run_dir.mkdir(parents=True, exist_ok=True)
        config_path, controller_path = run_dir / "swap_config.json", run_dir / "controller_config.json"
        write_json_atomic(config_path, resolved)
        write_json_atomic(controller_path, resolved["controller"])
        result_path = run_dir / "result.json"
        result_path.unlink(missing_ok=True)  # an earlier run's result is not this run's
        # 1. The plant takes the job: it builds the station and waits for a controller.
        plant = self._plant()
        try:
            job = {"config": str(config_path), "out": str(run_dir), "record": record_policy}
            plant.stdin.write(json.dumps(job) + "\n")
            plant.stdin.flush()
        except (BrokenPipeError, OSError):
            self._drop_plant()
            return None
        # 2. Our controller, a program of its own.
        controller = spawn(
            [sys.executable, "-m", "controllers", "--endpoint", self.endpoint, "--config", str(controller_path)],
            run_dir / "controller.log",
        )
        try:
            done = self._wait(plant, controller, stop)
        except KeyboardInterrupt:
            stop_process(controller, signal.SIGINT)
            self._drop_plant(signal.SIGINT)
            reap([controller])
            _discard_unfinished(result_path)
            raise
        reap([controller])
        if not done:
            self._drop_plant()
            _discard_unfinished(result_path)
            sweep_partials(run_dir)  # the dead plant's hidden recording
            return None
        with open(result_path, encoding="utf-8") as f:
            return json.load(f)

    def _wait(self, plant: subprocess.Popen, controller: subprocess.Popen, stop: threading.Event) -> bool:
        """Until the plant says the session is over (True), or dies (False)."""
        controller_ended_at: float | None = None
        while True:
            if stop.is_set():
                raise KeyboardInterrupt("batch stopped")
            ready, _, _ = select.select([plant.stdout], [], [], 0.05)
            if ready:
                return bool(plant.stdout.readline())  # a status line; nothing: it closed its stdout (it died)
            if plant.poll() is not None:
                return False
            if controller.poll() is not None:
                controller_ended_at = controller_ended_at or time.monotonic()
                if time.monotonic() - controller_ended_at > _AFTER_CONTROLLER_S:
                    return False

    def _drop_plant(self, sig: int = signal.SIGKILL) -> None:
        if self.plant is not None:
            stop_process(self.plant, sig)
            reap([self.plant])
            self.plant = None

    def close(self) -> None:
        if self.plant is not None and self.plant.poll() is None:
            try:
                self.plant.stdin.close()  # end of jobs: the plant exits by itself
                self.plant.wait(timeout=_CLOSE_WAIT_S)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._drop_plant()


def _discard_unfinished(result_path: Path) -> None:
    """A session a signal cut short leaves an ``interrupted`` result: it is not
    the job's, and a resume must run the job again."""
    try:
        with open(result_path, encoding="utf-8") as f:
            interrupted = json.load(f).get("session", {}).get("end_reason") == "interrupted"
    except (OSError, ValueError):
        return
    if interrupted:
        result_path.unlink(missing_ok=True)
