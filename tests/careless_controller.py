"""Deliberately careless controllers, for tests only: they trust nothing they
should check.

* under-chassis: after locking the charged pack it drops the lift and leaves
  without confirming the locks, so a pack whose locks have let go falls;
* overhead: it lets go of the spreader as soon as the depleted pack is
  lifted out, over the truck, with the pack hanging on it.

They exist to prove that the twin's hazard monitors fire when a controller
ignores a fault or a rule: a monitor that never fires proves nothing.

    python -m tests.careless_controller --endpoint E --config controller.json
"""

from __future__ import annotations

import argparse
import json
import sys

from controllers.config import ControllerConfig
from controllers.run import run_controller
from controllers.sequences.overhead import OverheadSequence
from controllers.sequences.under_chassis import UnderChassisSequence


class CarelessOverhead(OverheadSequence):
    def __init__(self, cfg, station):
        super().__init__(cfg, station)
        self.supervisor.check = lambda frame: None

    def _phase_store_depleted(self):
        yield from self._release_spreader()  # mid-air, over the truck


class CarelessSequence(UnderChassisSequence):
    def __init__(self, cfg, station):
        super().__init__(cfg, station)
        self.supervisor.check = lambda frame: None  # no safety inputs, no watchdog, no plausibility

    def _phase_verify(self):
        yield  # no verification at all

    def _phase_withdraw(self):
        self.locks = {}
        yield from self._move({"lift": self.pos.lift_low})
        yield from self._move({"travel": self.pos.home["travel"]})


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--config", required=True)
    args = ap.parse_args(argv)
    with open(args.config, encoding="utf-8") as f:
        cfg = ControllerConfig.from_dict(json.load(f))
    careless = {"under_chassis": CarelessSequence, "overhead": CarelessOverhead}
    outcome = run_controller(
        cfg, args.endpoint, client="careless", make_controller=lambda c, s: careless[s.rig_family](c, s)
    )
    print(outcome)
    return 0


if __name__ == "__main__":
    sys.exit(main())
