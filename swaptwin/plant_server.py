"""The plant process: binds its endpoints once and serves the twin, session after session.

Between sessions the station's world is reset and built again from the next
session's config, so each session starts exactly as on a fresh plant; the
process, its imports and its sockets stay warm. Each session's
``result.json`` is written atomically where the session says.

Used by ``swaptwin plant`` (in the Hydra process), and as a child process by
``swaptwin swap`` (one session) and the batch runner's warm workers (one
session per job read from stdin)::

    python -m swaptwin.plant_server --config CONFIG.json --out DIR [--endpoint E] [--observer E] [--sessions N]
    python -m swaptwin.plant_server --jobs --endpoint E --observer E

``--jobs``: each line on stdin is a JSON object ``{"config": path, "out": dir}``
(the resolved config of one swap, and its run directory); when its session
has ended the plant writes ``{"out": dir, "status": pass|fail}`` on stdout. It
exits at the end of stdin.

SIGINT or SIGTERM end the session at once; its result is still written (with
the session's end reason ``interrupted``), atomically.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from swaptwin.commands.check import precheck
from swaptwin.config import SwapConfig, validate
from swaptwin.processes import restore_interrupts
from swaptwin.results.atomic import write_json_atomic
from swaptwin.results.verdict import Recorder
from swaptwin.results.versions import versions
from swapwire.security import SecurityError, ServerSecurity, is_local
from twin.rigs import make_station
from twin.schema import ConfigError, Problem
from twin.session.link import PlantLink
from twin.session.observer import ObserverChannel
from twin.session.plant import END_INTERRUPTED, Plant

log = logging.getLogger("swaptwin.plant")
_LOG_FORMAT = "%(asctime)s plant %(levelname)s %(message)s"
NOT_SIMULATED = "not_simulated"  # a session's end: the combination has no geometry to build


def server_security(endpoint: str, observer_endpoint: str | None, keys_dir: str | None) -> ServerSecurity | None:
    """The station's CURVE security, or None on loopback and ipc without keys;
    refuses (ConfigError) an endpoint other machines can reach without keys."""
    exposed = [e for e in (endpoint, observer_endpoint) if e and not is_local(e)]
    if keys_dir is None:
        if exposed:
            raise ConfigError(
                [
                    Problem(
                        "the plant's start",
                        "security.keys_dir",
                        f"{', '.join(exposed)} is reachable from other machines and no CURVE keys are given: "
                        "the plant refuses to start (swaptwin keys --dir DIR; security.keys_dir=DIR)",
                    )
                ]
            )
        return None
    try:
        return ServerSecurity(Path(keys_dir))
    except SecurityError as exc:
        raise ConfigError([Problem(str(keys_dir), "security.keys_dir", str(exc))]) from None


class TwinStations:
    """Where a plant's stations come from: the twin's, one world made by the
    first session's station and reset by every later one. A gateway process
    passes its own source (``gateways/``): the same sessions, results and
    verdicts, served in front of a station's PLC."""

    def __init__(self):
        self.world = None

    def make(self, cfg: SwapConfig):
        """The station port of a session, at its start state."""
        station = make_station(cfg.plant, world=self.world)
        self.world = station.world
        return station

    def versions(self, cfg: SwapConfig, station) -> dict:
        return versions(cfg.plant, station.world.assets)

    def close(self) -> None:
        if self.world is not None:
            self.world.close()


class PlantServer:
    """One plant process's endpoints and stations, for as many sessions as it is asked to serve.
    A gateway's stations are served behind the same Gate and CURVE security as the twin's."""

    def __init__(self, *, endpoint: str, observer_endpoint: str | None, keys_dir: str | None = None, stations=None):
        self.security = server_security(endpoint, observer_endpoint, keys_dir)
        self.link = PlantLink(endpoint=endpoint, observer_endpoint=observer_endpoint, security=self.security)
        self.stations = stations or TwinStations()
        self.sessions = 0

    def serve(self, cfg: SwapConfig, out_dir: Path) -> dict:
        """One session with ``cfg``; its result, written to ``out_dir/result.json``.
        A combination the pre-check cannot even judge (a pack the rig does not
        reach, of a form it does not take, in a vehicle it does not serve) has
        no geometry to build: its result says so, and no session is served."""
        p = cfg.plant
        recorder = Recorder(
            resolved_config=cfg.resolved,
            seed=p.seed,
            acceptance=p.acceptance,
            vehicle=p.vehicle,
            pack=p.pack,
            gravity_m_s2=p.physics.gravity_m_s2,
        )
        report = precheck(p, cfg.controller)
        if report.not_judged:
            return self._not_simulated(recorder, report, out_dir)
        station = self.stations.make(cfg)
        observer = ObserverChannel(socket=self.link.pub, sinks=[recorder])
        plant = Plant(station, cfg=p, observer=observer, secure=self.security is not None)
        self.sessions += 1
        log.info(
            "session %d: %s rig, pack %s, lock %s on %s, clock %s",
            self.sessions,
            p.rig.family,
            p.pack.family_id,
            p.lock.type,
            self.link.endpoint,
            p.clock,
        )
        # The world and the config are built: move them out of the collector's way, so
        # no long collection of long-lived objects pauses a realtime session.
        gc.collect()
        gc.freeze()
        stats = plant.serve(self.link)
        result = recorder.result()
        if recorder.seen.last_truth is None:
            # A gateway in front of a real station's PLC: nothing here saw the packs.
            result["verdict"]["reasons"].insert(
                0, "no ground truth from the station (a real PLC has none): alignment, locks and hazards are unjudged"
            )
            result["verdict"]["status"] = "fail"
        result["versions"] = self.stations.versions(cfg, station)
        # The static pre-check beside the dynamic result: the two should agree.
        result["precheck"] = _precheck_record(report)
        if not report.passed:
            result["verdict"]["status"] = "fail"
            failed = ", ".join(c.name for c in report.failed)
            result["verdict"]["reasons"].append(
                f"static pre-check fails on {failed}: the pack should not be swapped here"
            )
        write_json_atomic(out_dir / "result.json", result)
        log.info(
            "session %d: verdict %s; result in %s", self.sessions, result["verdict"]["status"], out_dir / "result.json"
        )
        if stats.end_reason == END_INTERRUPTED:
            raise KeyboardInterrupt("session interrupted")
        return result

    def _not_simulated(self, recorder: Recorder, report, out_dir: Path) -> dict:
        result = recorder.result()
        result["precheck"] = _precheck_record(report)
        failed = ", ".join(c.name for c in report.failed)
        result["verdict"] = {
            "status": "fail",
            "reasons": [f"not simulated: the static pre-check fails on {failed}; this combination has no geometry"],
        }
        result["session"] = {**(result.get("session") or {}), "end_reason": NOT_SIMULATED}
        write_json_atomic(out_dir / "result.json", result)
        log.info("not simulated: pre-check fails on %s", failed)
        return result

    def close(self) -> None:
        self.link.close()
        self.stations.close()


def _precheck_record(report) -> dict:
    return {
        "passed": report.passed,
        "failed": [c.name for c in report.failed],
        "not_judged": [c.name for c in report.not_judged],
        "criteria": report.to_dict()["criteria"],
    }


def serve_plant(
    cfg: SwapConfig,
    *,
    endpoint: str,
    observer_endpoint: str | None,
    out_dir: Path,
    sessions: int | None = 1,
    per_session_dirs: bool = False,
    stations=None,
) -> tuple[list[dict], bool]:
    """Serve ``sessions`` sessions of ``cfg`` (None: until interrupted). A
    session's result goes to ``out_dir/result.json``, or with
    ``per_session_dirs`` to ``out_dir/sessions/<n>/result.json``. Returns the
    finished sessions' results, and whether an interrupt ended the serving.
    ``stations``: where the stations come from (default: the twin's)."""
    restore_interrupts()
    server = PlantServer(
        endpoint=endpoint, observer_endpoint=observer_endpoint, keys_dir=cfg.security.keys_dir, stations=stations
    )
    results: list[dict] = []
    try:
        while sessions is None or len(results) < sessions:
            where = out_dir / "sessions" / str(len(results) + 1) if per_session_dirs else out_dir
            results.append(server.serve(cfg, where))
            if results[-1]["session"].get("end_reason") == NOT_SIMULATED:
                break  # the same config again would not be simulated either
    except KeyboardInterrupt:
        return results, True
    finally:
        server.close()
    return results, False


def _jobs(stream) -> Iterator[tuple[SwapConfig, Path]]:
    for line in stream:
        if not line.strip():
            continue
        job = json.loads(line)
        with open(job["config"], encoding="utf-8") as f:
            yield validate(json.load(f)), Path(job["out"])


def serve_jobs(*, endpoint: str, observer_endpoint: str | None, stdin=sys.stdin, stdout=sys.stdout) -> int:
    """A warm worker: one session per job line on ``stdin`` (see the module doc)."""
    restore_interrupts()
    server = PlantServer(endpoint=endpoint, observer_endpoint=observer_endpoint)
    try:
        for cfg, out in _jobs(stdin):
            out.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(out / "plant.log")  # the session's own log, beside its result
            handler.setFormatter(logging.Formatter(_LOG_FORMAT))
            logging.getLogger().addHandler(handler)
            try:
                result = server.serve(cfg, out)
            finally:
                logging.getLogger().removeHandler(handler)
                handler.close()
            stdout.write(json.dumps({"out": str(out), "status": result["verdict"]["status"]}) + "\n")
            stdout.flush()
    except KeyboardInterrupt:
        return 130
    finally:
        server.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m swaptwin.plant_server")
    ap.add_argument("--config", help="resolved SwapTwin config as JSON")
    ap.add_argument("--out", help="directory for result.json")
    ap.add_argument("--endpoint")
    ap.add_argument("--observer")
    ap.add_argument("--sessions", type=int, default=1)
    ap.add_argument("--jobs", action="store_true", help="serve one session per job line on stdin")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format=_LOG_FORMAT, stream=sys.stderr)
    if args.jobs:
        # Job statuses go out on the real stdout; anything else a library prints to fd 1 goes to stderr.
        status = os.fdopen(os.dup(1), "w", encoding="utf-8")
        os.dup2(2, 1)
        return serve_jobs(endpoint=args.endpoint, observer_endpoint=args.observer, stdout=status)
    with open(args.config, encoding="utf-8") as f:
        cfg = validate(json.load(f))
    results, _ = serve_plant(
        cfg,
        endpoint=args.endpoint or cfg.endpoint,
        observer_endpoint=args.observer or cfg.observer_endpoint,
        out_dir=Path(args.out),
        sessions=args.sessions,
    )
    return 0 if results and all(r["verdict"]["status"] == "pass" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
