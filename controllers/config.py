"""The controller's own config schema (the ``controller`` config group).

Plain dataclasses with unit and range metadata in the same form as the twin's
schemas, so ``swaptwin`` validates this file like every other group, while the
controller itself depends on nothing but the wire.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

PHASES = (
    "identify", "drive_under", "align", "raise_to_pack", "unlock", "lower_withdraw", "store_depleted",
    "fetch_charged", "approach_align", "raise_insert", "lock", "verify", "withdraw",
)


def _q(lo=None, hi=None, unit="", doc=""):
    return field(metadata={"lo": lo, "hi": hi, "unit": unit, "doc": doc, "length": None})


@dataclass(frozen=True)
class ControllerConfig:
    name: str = _q(doc="which controller tuning this is")
    link_timeout_s: float = _q(0.01, 600.0, "s", "wall-clock link watchdog: the only use of the host clock")
    connect_timeout_s: float = _q(0.1, 3600.0, "s", "wall time to wait for the plant's welcome")
    align_tolerance_mm: float = _q(0.01, 10.0, "mm")
    align_tolerance_deg: float = _q(0.001, 2.0, "deg")
    align_samples: int = _q(1, 1000, "", "vision frames averaged per alignment step")
    align_max_attempts: int = _q(1, 100)
    contact_slowdown_mm: float = _q(1.0, 500.0, "mm", "switch to contact speed this far before contact")
    contact_speed_mm_s: float = _q(0.1, 500.0, "mm/s")
    seat_overtravel_mm: float = _q(0.0, 50.0, "mm", "lift target past the nominal seat")
    seat_force_margin_n: float = _q(0.0, 1e5, "N", "lift force limit above the carried weight while seating")
    present_load_fraction: float = _q(0.05, 1.0, "", "load-cell share of the pack weight that confirms a carried pack")
    verify_settle_s: float = _q(0.0, 10.0, "s", "wait after dropping the lift before judging that the locks hold")
    timeouts_s: dict[str, float] = _q(0.1, 3600.0, "s", "per phase of the swap sequence")

    def check(self):
        missing = [p for p in PHASES if p not in self.timeouts_s]
        unknown = [p for p in self.timeouts_s if p not in PHASES]
        out = []
        if missing:
            out.append(("timeouts_s", f"missing phases: {', '.join(missing)}"))
        if unknown:
            out.append(("timeouts_s", f"unknown phases: {', '.join(unknown)}; phases are {', '.join(PHASES)}"))
        return out

    @staticmethod
    def from_dict(data: dict) -> "ControllerConfig":
        """Build from an already validated mapping (the controller process's input)."""
        names = {f.name for f in dataclasses.fields(ControllerConfig)}
        return ControllerConfig(**{k: v for k, v in data.items() if k in names})
