"""``python -m controllers --endpoint tcp://host:port [--config controller.json]``

Runs the swap controller against any plant that speaks wire v1. Exit code 0
when the swap is done, 1 on a refusal or a safe stop, 2 on bad arguments.
The config file holds the ``controller`` section as JSON (``swaptwin`` writes
it); without one, ``configs/controller/sequencer.yaml`` must be passed through
``swaptwin controller`` instead.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import signal
import sys
from pathlib import Path

import swapwire as wire
from controllers.config import ControllerConfig
from controllers.run import run_controller
from swapwire.security import ClientSecurity, SecurityError


def _interrupt_once_on(*signals: int) -> None:
    """The first of these signals ends the run (with a ``bye``); repeats are
    ignored so they cannot cut the goodbye short. Restoring the handler also
    undoes a SIGINT ignored by a shell without job control."""

    def handler(signum: int, frame: object) -> None:
        for s in signals:
            signal.signal(s, signal.SIG_IGN)
        raise KeyboardInterrupt(f"signal {signum}")

    for s in signals:
        signal.signal(s, handler)


def main(argv: list[str] | None = None) -> int:
    _interrupt_once_on(signal.SIGINT, signal.SIGTERM)
    ap = argparse.ArgumentParser(prog="python -m controllers", description=__doc__.splitlines()[0])
    ap.add_argument("--endpoint", required=True, help="plant command endpoint, e.g. tcp://127.0.0.1:5555")
    ap.add_argument("--config", required=True, help="controller section as JSON")
    ap.add_argument("--client-key", help="our CURVE secret key file (swaptwin keys); with --station-key")
    ap.add_argument("--station-key", help="the station's CURVE public key file, pinned")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s controller %(levelname)s %(message)s")
    with open(args.config, encoding="utf-8") as f:
        cfg = ControllerConfig.from_dict(json.load(f))
    security = None
    if args.client_key or args.station_key:
        if not (args.client_key and args.station_key):
            ap.error("--client-key and --station-key go together")
        try:
            security = ClientSecurity(Path(args.client_key), Path(args.station_key))
        except SecurityError as exc:
            ap.error(str(exc))
    gc.collect()
    gc.freeze()  # what lives for the whole run never costs a collection pause in the control loop
    try:
        outcome = run_controller(cfg, args.endpoint, security=security)
    except KeyboardInterrupt:
        return 130
    print(
        json.dumps({"outcome": outcome.outcome, "reason": outcome.reason, "phase": outcome.phase, "t_s": outcome.t_s})
    )
    return 0 if outcome.outcome == wire.OUTCOME_DONE else 1


if __name__ == "__main__":
    sys.exit(main())
