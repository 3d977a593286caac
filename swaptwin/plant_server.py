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

``--jobs``: each line on stdin is a JSON object ``{"config": path, "out": dir,
"record": policy}`` (the resolved config of one swap, its run directory, and
which recordings to keep); when its session has ended the plant writes
``{"out": dir, "status": pass|fail}`` on stdout. It exits at the end of stdin.

Recording (``--record always|failing|never``, from the config's ``record``
section): each session is recorded to ``swap.mcap`` in its run directory
(``swaptwin.results.recording``); ``failing`` keeps the file only when the
verdict fails. A kept recording gets its report, ``swap.html``
(``swaptwin.reports.swap``), with pictures when ``record.render`` asks.

SIGINT or SIGTERM end the session at once; its result is still written (with
the session's end reason ``interrupted``), atomically.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import platform
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from swaptwin.commands.check import precheck
from swaptwin.config import SwapConfig, validate
from swaptwin.processes import restore_interrupts
from swaptwin.results.atomic import write_json_atomic
from swaptwin.results.recording import RECORDING, Recording, sweep_partials
from swaptwin.results.verdict import Recorder
from swaptwin.results.versions import versions
from swapwire.lifecycle import Lifecycle, State
from swapwire.security import SecurityError, ServerSecurity, is_local
from twin.rigs import make_station
from twin.schema import ConfigError, Problem
from twin.scene import StationScene
from twin.session.link import PlantLink
from twin.session.observer import ObserverChannel
from twin.session.plant import END_INTERRUPTED, END_STATION_ERROR, Plant

RECORD_POLICIES = ("always", "failing", "never")

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

    def discard(self) -> None:
        """Forget a failed station's world: the next ``make`` builds a fresh one."""
        self.close()
        self.world = None

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
        self.lifecycle = Lifecycle()  # swapwire/lifecycle.py: unconfigured until a station is built

    def _take(self, transition: str) -> None:
        state = self.lifecycle.take(transition)
        log.info("station lifecycle: %s -> %s", transition, state)

    def _build(self, cfg: SwapConfig):
        """The session's station, from a station that is unconfigured (the first, or after
        a failure: recovered afresh) or inactive (the world reset and reused)."""
        if self.lifecycle.state is State.ERROR:
            self._take("recover")
            self.stations.discard()  # a failed station is not trusted again
        try:
            station = self.stations.make(cfg)
        except Exception:
            if self.lifecycle.can("error"):
                self._take("error")
            raise
        if self.lifecycle.state is State.UNCONFIGURED:
            self._take("configure")
        return station

    def serve(self, cfg: SwapConfig, out_dir: Path, *, record: str = "never") -> dict:
        """One session with ``cfg``; its result, written to ``out_dir/result.json``.
        ``record``: which recordings to keep (``always``, ``failing``, ``never``).
        A combination the pre-check cannot even judge (a pack the rig does not
        reach, of a form it does not take, in a vehicle it does not serve) has
        no geometry to build: its result says so, and no session is served
        (nor recorded)."""
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
        try:
            station = self._build(cfg)
        except Exception as exc:  # a model that cannot be built: this session fails, the process serves on
            if isinstance(exc, getattr(self.stations, "fatal", ())):
                raise  # a station source that cannot go on (a gateway that cannot reach its PLC)
            log.exception("the station could not be built")
            return self._unbuilt(recorder, report, out_dir, exc)
        observer = ObserverChannel(socket=self.link.pub, sinks=[recorder])
        out_dir.mkdir(parents=True, exist_ok=True)
        sweep_partials(out_dir)  # what a killed predecessor left
        recording = _recording(cfg, station, out_dir) if record != "never" else None
        plant = Plant(
            station,
            cfg=p,
            observer=observer,
            sinks=[recording] if recording is not None else [],
            secure=self.security is not None,
            lifecycle=self.lifecycle,
        )
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
        try:
            stats = plant.serve(self.link)
        except BaseException:
            if recording is not None:
                recording.close(keep=False)
            raise
        result = self._result(cfg, recorder, report, station)
        failed = result["verdict"]["status"] != "pass"
        interrupted = stats.end_reason == END_INTERRUPTED
        kept = self._keep(recording, plant, result, keep=record == "always" or (failed and not interrupted))
        write_json_atomic(out_dir / "result.json", result)
        log.info(
            "session %d: verdict %s; result in %s", self.sessions, result["verdict"]["status"], out_dir / "result.json"
        )
        if stats.end_reason == END_STATION_ERROR:
            log.error(
                "session %d: the station failed (%s); the next session rebuilds it", self.sessions, stats.station_error
            )
        if kept is not None and not interrupted:
            render = cfg.record.render == "always" or (cfg.record.render == "failing" and failed)
            # A batch keeping its failing runs (record.batch=failing) shows each one's picture at the
            # moment of failure; the phases' keyframes and the GIF (seconds each) are for a single swap.
            swap_report = _report(
                out_dir, kept, render=render, gif_frames=cfg.record.gif_frames, failure_only=record == "failing"
            )
            if swap_report:
                result["report"] = swap_report
                write_json_atomic(out_dir / "result.json", result)
        if interrupted:
            raise KeyboardInterrupt("session interrupted")
        return result

    def _keep(self, recording, plant: Plant, result: dict, *, keep: bool) -> Path | None:
        """Close the session's recording, kept or not; where it was kept. A batch keeping failing
        runs' only reruns an interrupted job: it keeps nothing of it (``keep`` says so)."""
        if recording is None:
            return None
        failure = plant.sink_failures().get(id(recording))
        if failure is not None:
            # Its messages stop somewhere: a recording that replays wrongly is worse than none.
            log.error("session %d: the recording failed (%s); none is kept", self.sessions, failure)
        kept = recording.close(keep=keep and failure is None, result=result)
        if kept is not None:
            result["recording"] = {
                "file": kept.name,
                "bytes": kept.stat().st_size,
                "messages": dict(sorted(recording.counts.items())),
                "record_s": round(recording.record_s, 4),
            }
        return kept

    def _result(self, cfg: SwapConfig, recorder: Recorder, report, station) -> dict:
        """The session's result: the verdict from what was observed, with versions and the pre-check."""
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
        return result

    def _unbuilt(self, recorder: Recorder, report, out_dir: Path, exc: Exception) -> dict:
        result = recorder.result()
        result["precheck"] = _precheck_record(report)
        what = f"{type(exc).__name__}: {exc}"[:500]
        result["verdict"] = {"status": "fail", "reasons": [f"the station could not be built: {what}"]}
        result["session"] = {
            **(result.get("session") or {}),
            "end_reason": END_STATION_ERROR,
            "station_error": what,
            "lifecycle": [{"transition": t, "state": str(st)} for t, st in self.lifecycle.history[-1:]],
        }
        write_json_atomic(out_dir / "result.json", result)
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
        if self.lifecycle.can("shutdown"):
            self._take("shutdown")
        self.link.close()
        self.stations.close()


def _recording(cfg: SwapConfig, station, out_dir: Path) -> Recording:
    """The session's recording: its config, the station's URDFs and meshes, versions and run metadata."""
    p, world = cfg.plant, station.world
    scene = StationScene(world, station.bodies())
    root = world.cache.root
    assets = [root / f"{stem}.urdf" for stem in dict.fromkeys(world.assets)]
    assets += [root / m for m in sorted({prim.mesh for prim in scene.primitives if prim.mesh})]
    v = versions(p, world.assets)
    run = {
        "seed": p.seed,
        "rig": p.rig.name,
        "rig_family": p.rig.family,
        "pack": p.pack.family_id,
        "lock": p.lock.type,
        "vehicle": p.vehicle.model,
        "clock": p.clock,
    }
    libraries = {name: _version(name) for name in ("swaptwin", "pybullet", "mcap", "numpy", "pyzmq")}
    return Recording(
        out_dir / RECORDING,
        resolved_config=cfg.resolved,
        metadata={"run": run, "versions": {**v, **libraries, "python": platform.python_version()}},
        scene=scene,
        assets=[a for a in assets if a.is_file()],
        tf_every_periods=cfg.record.tf_every_periods,
        scene_every_s=cfg.record.scene_every_s,
    )


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def _report(out_dir: Path, recording: Path, *, render: bool, gif_frames: int, failure_only: bool) -> dict | None:
    """``swap.html`` beside the recording. A report that cannot be made is
    logged, never the end of the plant: the result and the recording stand."""
    from swaptwin.reports.swap import write_swap_report

    try:
        return write_swap_report(out_dir, recording, render=render, gif_frames=gif_frames, failure_only=failure_only)
    except Exception:  # noqa: BLE001  (a report is never worth a session's result)
        log.exception("the swap report could not be written")
        return None


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
    record: str = "never",
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
            results.append(server.serve(cfg, where, record=record))
            if results[-1]["session"].get("end_reason") == NOT_SIMULATED:
                break  # the same config again would not be simulated either
    except KeyboardInterrupt:
        return results, True
    finally:
        server.close()
    return results, False


def _jobs(stream) -> Iterator[tuple[SwapConfig, Path, str]]:
    for line in stream:
        if not line.strip():
            continue
        job = json.loads(line)
        with open(job["config"], encoding="utf-8") as f:
            cfg = validate(json.load(f))
        record = job.get("record", "never")
        yield cfg, Path(job["out"]), record if record in RECORD_POLICIES else "never"


def serve_jobs(*, endpoint: str, observer_endpoint: str | None, stdin=sys.stdin, stdout=sys.stdout) -> int:
    """A warm worker: one session per job line on ``stdin`` (see the module doc)."""
    restore_interrupts()
    server = PlantServer(endpoint=endpoint, observer_endpoint=observer_endpoint)
    try:
        for cfg, out, record in _jobs(stdin):
            out.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(out / "plant.log")  # the session's own log, beside its result
            handler.setFormatter(logging.Formatter(_LOG_FORMAT))
            logging.getLogger().addHandler(handler)
            try:
                result = server.serve(cfg, out, record=record)
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
    ap.add_argument("--record", choices=RECORD_POLICIES, help="which recordings to keep (default: the config's)")
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
        record=args.record or cfg.record.policy(batch=False),
    )
    return 0 if results and all(r["verdict"]["status"] == "pass" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
