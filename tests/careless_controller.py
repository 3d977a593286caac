"""A deliberately careless controller, for tests only: it trusts nothing it
should check. After locking the charged pack it drops the lift and leaves
without confirming the locks, so a pack whose locks have let go falls.

It exists to prove that the twin's hazard monitors fire when a controller
ignores a fault: a monitor that never fires proves nothing.

    python -m tests.careless_controller --endpoint E --config controller.json
"""

from __future__ import annotations

import argparse
import json
import sys

from controllers.config import ControllerConfig
from controllers.run import run_controller
from controllers.sequences.under_chassis import UnderChassisSequence


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
    outcome = run_controller(cfg, args.endpoint, client="careless", make_controller=lambda c, s: CarelessSequence(c, s))
    print(outcome)
    return 0


if __name__ == "__main__":
    sys.exit(main())
