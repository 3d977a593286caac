"""Child processes that cannot outlive us, and ``run_swap``: a plant and a controller as two processes.

The two talk over private ipc endpoints in Linux's abstract socket namespace,
so parallel swaps never collide and a killed swap leaves no socket file. Children die with their parent (Linux
PR_SET_PDEATHSIG), a Ctrl-C reaches both and each ends cleanly (the plant still
writes its result atomically), and a child that does not end in time is
terminated, then killed. No process outlives ``swaptwin swap``.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from swaptwin.config import SwapConfig
from swaptwin.results.atomic import write_json_atomic
from swaptwin.results.recording import sweep_partials

log = logging.getLogger("swaptwin.swap")
_PR_SET_PDEATHSIG = 1
# After one side ends, how long the other may take to finish on its own (the
# plant writes its report after its session: pictures take seconds).
_GRACE_S = 90.0
_TERM_WAIT_S = 5.0


def _interrupt_once(signum, frame):
    # The first SIGINT or SIGTERM ends the run; later ones (a Ctrl-C reaches the
    # whole process group, and swaptwin also forwards it) must not interrupt
    # the clean-up that writes the result. SIGKILL remains the last resort.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt(f"signal {signum}")


def restore_interrupts() -> None:
    """Make SIGINT and SIGTERM end this process cleanly, once.

    A shell without job control starts background commands with SIGINT
    ignored, and that survives exec: without this, a Ctrl-C could be lost."""
    signal.signal(signal.SIGINT, _interrupt_once)
    signal.signal(signal.SIGTERM, _interrupt_once)


def private_endpoints() -> tuple[str, str]:
    """A command and an observer endpoint no other swap shares: ipc sockets in
    Linux's abstract namespace (``ipc://@name``), which live in the kernel, not
    on the file system, so a killed process leaves nothing behind."""
    name = f"swaptwin-{os.getpid()}-{secrets.token_hex(6)}"
    return f"ipc://@{name}/cmd", f"ipc://@{name}/obs"


def die_with_parent() -> None:  # runs in the child between fork and exec
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(args: list[str], log_path: Path) -> subprocess.Popen:
    """A child that dies with its parent, its output appended to ``log_path``."""
    with open(log_path, "ab") as log_file:
        return subprocess.Popen(args, stdout=log_file, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)


def stop_process(proc: subprocess.Popen, sig: int) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)


def reap(procs: list[subprocess.Popen]) -> None:
    """Wait for the processes; escalate to SIGTERM, then SIGKILL."""
    for sig, wait_s in ((None, _GRACE_S), (signal.SIGTERM, _TERM_WAIT_S), (signal.SIGKILL, _TERM_WAIT_S)):
        if sig is not None:
            for p in procs:
                stop_process(p, sig)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and any(p.poll() is None for p in procs):
            time.sleep(0.05)
        if all(p.poll() is not None for p in procs):
            return


class _Events:
    """The plant's observer events as they come (a SUB socket on the event
    topic only: the per-period truth is not worth decoding here)."""

    def __init__(self, endpoint: str):
        import zmq

        self.sock = zmq.Context.instance().socket(zmq.SUB)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.setsockopt(zmq.SUBSCRIBE, b"event")
        self.sock.connect(endpoint)

    def wait(self, timeout_s: float) -> list[dict]:
        import zmq

        import swapwire as wire

        out = []
        if not self.sock.poll(int(timeout_s * 1000)):
            return out
        while True:
            try:
                _, payload = self.sock.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return out
            except ValueError:
                continue
            try:
                out.append(wire.decode(payload, expect=frozenset({"event"})).body)
            except wire.WireError:
                continue

    def close(self) -> None:
        self.sock.close()


def run_swap(
    cfg: SwapConfig, run_dir: Path, *, stop: threading.Event | None = None, batch: bool = False, progress=None
) -> dict | None:
    """Run the swap; return the result (None if the plant wrote none).
    Setting ``stop`` (from another thread) interrupts it as a Ctrl-C would.
    ``batch``: a batch job's swap (its recording kept as ``record.batch``
    says). ``progress``: told of each observer event (a swap's phases)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    endpoint, observer = private_endpoints()
    config_path, controller_path = run_dir / "swap_config.json", run_dir / "controller_config.json"
    write_json_atomic(config_path, cfg.resolved)
    write_json_atomic(controller_path, cfg.resolved["controller"])
    result_path = run_dir / "result.json"
    # A result.json left by an earlier run in this directory is not this run's:
    # it is kept if this run writes none, but never returned for it.
    started_ns = time.time_ns()
    py = sys.executable
    procs: list[subprocess.Popen] = []
    try:
        plant = spawn(
            [
                py,
                "-m",
                "swaptwin.plant_server",
                "--config",
                str(config_path),
                "--out",
                str(run_dir),
                "--endpoint",
                endpoint,
                "--observer",
                observer,
                "--record",
                cfg.record.policy(batch=batch),
            ],
            run_dir / "plant.log",
        )
        procs.append(plant)
        keys = cfg.security.client_files()
        controller = spawn(
            [
                py,
                *("-m", "controllers", "--endpoint", endpoint, "--config", str(controller_path)),
                *(("--client-key", keys[0], "--station-key", keys[1]) if keys else ()),
            ],
            run_dir / "controller.log",
        )
        procs.append(controller)
        # With CURVE keys the observer link admits only observers' and engineers' keys, not
        # our controller's: the phases are not followed then (the bar still counts the swap).
        events = _Events(observer) if progress is not None and keys is None else None
        while all(p.poll() is None for p in procs):
            if stop is not None and stop.is_set():
                raise KeyboardInterrupt("batch stopped")
            if events is None:
                time.sleep(0.05)
                continue
            for ev in events.wait(0.05):
                progress(ev)
        if events is not None:
            events.close()
        reap(procs)
    except KeyboardInterrupt:
        for p in procs:
            stop_process(p, signal.SIGINT)
        reap(procs)
        raise
    finally:
        for p in procs:
            stop_process(p, signal.SIGKILL)
            p.wait()
        sweep_partials(run_dir)  # a plant killed mid-session leaves its hidden recording
    for name, p in (("plant", procs[0]), ("controller", procs[1])):
        log.debug("%s exited with code %s", name, p.returncode)
    if not result_path.exists() or result_path.stat().st_mtime_ns < started_ns:
        return None
    with open(result_path, encoding="utf-8") as f:
        return json.load(f)
