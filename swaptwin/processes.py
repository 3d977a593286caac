"""Child processes that cannot outlive us, and ``run_swap``: a plant and a controller as two processes
(three with a gateway: its stand-in station PLC, the gateway, the controller).

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

from gateways import gateway_for
from swaptwin.config import SwapConfig
from swaptwin.results.atomic import write_json_atomic
from swaptwin.results.recording import sweep_partials

log = logging.getLogger("swaptwin.swap")
_PR_SET_PDEATHSIG = 1
# After one side ends, how long the other may take to finish on its own (the
# plant writes its report after its session: pictures take seconds).
_GRACE_S = 90.0
_TERM_WAIT_S = 5.0
# A stand-in station PLC serves within this much wall time (the emulated PLC takes 2-3 s: shared/measured.md).
_READY_WAIT_S = 120.0


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


def _wait_ready(path: Path, proc: subprocess.Popen, stop: threading.Event | None) -> dict | None:
    """A stand-in station's ready file, once written; None if it died or never got ready."""
    deadline = time.monotonic() + _READY_WAIT_S
    while time.monotonic() < deadline:
        if stop is not None and stop.is_set():
            raise KeyboardInterrupt("batch stopped")
        if path.exists():
            with open(path, encoding="utf-8") as f:
                return json.load(f)
        if proc.poll() is not None:
            return None
        time.sleep(0.05)
    return None


def _plant_role(cfg: SwapConfig, run_dir: Path, paths: dict[str, str], procs, stop, record: str) -> list[str] | None:
    """The command of the process in the plant's place: the twin's plant, or a
    gateway in front of its stand-in station PLC (started here first, its
    endpoint read from its ready file). None if the stand-in did not start."""
    py = sys.executable
    common = ["--config", paths["config"], "--out", str(run_dir), "--endpoint", paths["endpoint"]]
    common += ["--observer", paths["observer"]]
    gateway = gateway_for(cfg)
    if gateway is None:
        return [py, "-m", "swaptwin.plant_server", *common, "--record", record]
    station_observer, ready = paths["observer"] + "-station", run_dir / "station.ready"
    ready.unlink(missing_ok=True)  # an earlier run's ready file names a PLC that is gone
    stand_in = spawn(
        [py, "-m", gateway.stand_in, "--config", paths["config"], "--endpoint", gateway.stand_in_endpoint,
         "--observer", station_observer, "--ready-file", str(ready)],
        run_dir / "plc.log",
    )  # fmt: skip
    procs.append(stand_in)
    served = _wait_ready(ready, stand_in, stop)
    if served is None:
        log.error("the %s gateway's stand-in station did not start (see plc.log)", gateway.name)
        return None
    truth = ["--station-observer", station_observer] if gateway.relays_truth(cfg) else []
    return [py, "-m", gateway.server, *common, "--station", served["endpoint"], *truth]


def _follow(procs: list[subprocess.Popen], events: _Events | None, progress, stop: threading.Event | None) -> None:
    """Until a process of the session ends: pass the observer's events on to ``progress``."""
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


def run_swap(
    cfg: SwapConfig, run_dir: Path, *, stop: threading.Event | None = None, batch: bool = False, progress=None
) -> dict | None:
    """Run the swap; return the result (None if the plant wrote none).
    Setting ``stop`` (from another thread) interrupts it as a Ctrl-C would.
    ``batch``: a batch job's swap (its recording kept as ``record.batch``
    says). ``progress``: told of each observer event (a swap's phases).

    With a gateway (``gateway=opcua``) three processes run: the gateway's
    stand-in station PLC (which backs its I/O with the twin), the gateway in
    the plant's place (it serves the wire and writes the result), and the
    controller. The stand-in is stopped once the other two have ended."""
    run_dir.mkdir(parents=True, exist_ok=True)
    endpoint, observer = private_endpoints()
    paths = {"endpoint": endpoint, "observer": observer}
    config_path, controller_path = run_dir / "swap_config.json", run_dir / "controller_config.json"
    paths["config"] = str(config_path)
    write_json_atomic(config_path, cfg.resolved)
    write_json_atomic(controller_path, cfg.resolved["controller"])
    result_path = run_dir / "result.json"
    # A result.json left by an earlier run in this directory is not this run's:
    # it is kept if this run writes none, but never returned for it.
    started_ns = time.time_ns()
    services: list[subprocess.Popen] = []  # run as long as the session needs them
    procs: list[subprocess.Popen] = []  # the session: plant (or gateway), controller
    try:
        plant_args = _plant_role(cfg, run_dir, paths, services, stop, cfg.record.policy(batch=batch))
        if plant_args is not None:
            role = "plant" if gateway_for(cfg) is None else "gateway"
            procs.append(spawn(plant_args, run_dir / f"{role}.log"))
            keys = cfg.security.client_files()
            controller = [sys.executable, "-m", "controllers", "--endpoint", endpoint, "--config", str(controller_path)]
            controller += ["--client-key", keys[0], "--station-key", keys[1]] if keys else []
            procs.append(spawn(controller, run_dir / "controller.log"))
            # With CURVE keys the observer link admits only observers' and engineers' keys, not
            # our controller's: the phases are not followed then (the bar still counts the swap).
            _follow(procs, _Events(observer) if progress is not None and keys is None else None, progress, stop)
            reap(procs)
        for p in services:
            stop_process(p, signal.SIGINT)
        reap(services)
    except KeyboardInterrupt:
        for p in procs + services:
            stop_process(p, signal.SIGINT)
        reap(procs + services)
        raise
    finally:
        for p in procs + services:
            stop_process(p, signal.SIGKILL)
            p.wait()
        sweep_partials(run_dir)  # a plant killed mid-session leaves its hidden recording
    for name, p in zip(("plant", "controller"), procs):
        log.debug("%s exited with code %s", name, p.returncode)
    if not result_path.exists() or result_path.stat().st_mtime_ns < started_ns:
        return None
    with open(result_path, encoding="utf-8") as f:
        return json.load(f)
