"""Serve the twin to one controller and write ``result.json``.

Used by ``swaptwin plant`` (in the Hydra process) and, as a child process, by
``swaptwin swap``::

    python -m swaptwin.plant_process --config CONFIG.json --out DIR [--endpoint E] [--observer E]

SIGINT or SIGTERM end the session at once; the result is still written (with
the session's end reason ``interrupted``), atomically.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from swaptwin.atomic import write_json_atomic
from swaptwin.compat import check
from swaptwin.config import SwapConfig, validate
from swaptwin.orchestrate import restore_interrupts
from swaptwin.verdict import Recorder
from swaptwin.versions import versions
from twin.link import PlantLink
from twin.observer import ObserverChannel
from twin.plant import Plant
from twin.stations import make_station

log = logging.getLogger("swaptwin.plant")


def serve_plant(cfg: SwapConfig, *, endpoint: str, observer_endpoint: str | None, out_dir: Path) -> dict:
    restore_interrupts()
    p = cfg.plant
    station = make_station(p)
    recorder = Recorder(
        resolved_config=cfg.resolved,
        seed=p.seed,
        acceptance=p.acceptance,
        vehicle=p.vehicle,
        pack=p.pack,
        gravity_m_s2=p.physics.gravity_m_s2,
    )
    link = PlantLink(endpoint=endpoint, observer_endpoint=observer_endpoint)
    observer = ObserverChannel(socket=link.pub, sinks=[recorder])
    plant = Plant(station, cfg=p, observer=observer)
    log.info(
        "serving %s rig, pack %s, lock %s on %s (observer %s), clock %s",
        p.rig.family,
        p.pack.family_id,
        p.lock.type,
        link.endpoint,
        observer_endpoint,
        p.clock,
    )
    try:
        plant.serve(link)
    finally:
        link.close()
        station.close()
    result = recorder.result()
    result["versions"] = versions(p, station.world.assets)
    # The static pre-check beside the dynamic result: the two should agree.
    report = check(p, controller=cfg.controller)
    result["precheck"] = {
        "passed": report.passed,
        "failed": [c.name for c in report.failed],
        "criteria": report.to_dict()["criteria"],
    }
    if not report.passed:
        result["verdict"]["status"] = "fail"
        result["verdict"]["reasons"].append(
            f"static pre-check fails on {', '.join(c.name for c in report.failed)}: the pack should not be swapped here"
        )
    write_json_atomic(out_dir / "result.json", result)
    log.info("verdict %s; result in %s", result["verdict"]["status"], out_dir / "result.json")
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m swaptwin.plant_process")
    ap.add_argument("--config", required=True, help="resolved SwapTwin config as JSON")
    ap.add_argument("--out", required=True, help="directory for result.json")
    ap.add_argument("--endpoint")
    ap.add_argument("--observer")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s plant %(levelname)s %(message)s")
    with open(args.config, encoding="utf-8") as f:
        cfg = validate(json.load(f))
    result = serve_plant(
        cfg,
        endpoint=args.endpoint or cfg.endpoint,
        observer_endpoint=args.observer or cfg.observer_endpoint,
        out_dir=Path(args.out),
    )
    return 0 if result["verdict"]["status"] == "pass" else 1


if __name__ == "__main__":
    sys.exit(main())
