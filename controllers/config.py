"""The controller's own config schema (the ``controller`` config group).

Plain dataclasses with unit and range metadata in the same form as the twin's
schemas, so ``swaptwin`` validates this file like every other group, while the
controller itself depends on nothing but the wire. Tuning is per rig family:
the controller picks the section for the rig the station describes.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field

UNDER_CHASSIS_PHASES = (
    "identify",
    "drive_under",
    "align",
    "raise_to_pack",
    "unlock",
    "lower_withdraw",
    "store_depleted",
    "fetch_charged",
    "approach_align",
    "raise_insert",
    "lock",
    "verify",
    "withdraw",
)
OVERHEAD_PHASES = (
    "identify",
    "approach",
    "align",
    "land",
    "grip",
    "unlock_vehicle",
    "lift_out",
    "store_depleted",
    "fetch_charged",
    "approach_vehicle",
    "set_down",
    "lock_vehicle",
    "verify",
    "release",
    "retract",
)


def _q(lo=None, hi=None, unit="", doc=""):
    return field(metadata={"lo": lo, "hi": hi, "unit": unit, "doc": doc, "length": None})


def _timeout_problems(timeouts: dict[str, float], phases: tuple[str, ...]) -> list[tuple[str, str]]:
    missing = [p for p in phases if p not in timeouts]
    unknown = [p for p in timeouts if p not in phases]
    out = []
    if missing:
        out.append(("timeouts_s", f"missing phases: {', '.join(missing)}"))
    if unknown:
        out.append(("timeouts_s", f"unknown phases: {', '.join(unknown)}; phases are {', '.join(phases)}"))
    return out


@dataclass(frozen=True)
class AlignTuning:
    """Vision alignment: average, move, repeat until within tolerance."""

    tolerance_mm: float = _q(0.01, 20.0, "mm")
    tolerance_deg: float = _q(0.001, 2.0, "deg")
    samples: int = _q(1, 1000, "", "vision frames averaged per step")
    max_attempts: int = _q(1, 100)
    gain: float = _q(
        0.05,
        1.0,
        "",
        "share of the measured error each move corrects (1: dead-beat; lower damps steps against backlash)",
    )


@dataclass(frozen=True)
class UnderChassisTuning:
    align: AlignTuning = _q()
    contact_slowdown_mm: float = _q(1.0, 500.0, "mm", "switch to contact speed this far before contact")
    contact_speed_mm_s: float = _q(0.1, 500.0, "mm/s")
    seat_overtravel_mm: float = _q(0.0, 50.0, "mm", "lift target past the nominal seat")
    seat_force_margin_n: float = _q(0.0, 1e5, "N", "lift force limit above the carried weight while seating")
    present_load_fraction: float = _q(0.05, 1.0, "", "load-cell share of the pack weight that confirms a carried pack")
    verify_settle_s: float = _q(0.0, 10.0, "s", "wait after dropping the lift before judging that the locks hold")
    timeouts_s: dict[str, float] = _q(0.1, 3600.0, "s", "per phase of the sequence")

    def check(self):
        return _timeout_problems(self.timeouts_s, UNDER_CHASSIS_PHASES)


@dataclass(frozen=True)
class OverheadTuning:
    align: AlignTuning = _q()
    landing_slowdown_mm: float = _q(1.0, 2000.0, "mm", "switch to landing speed this far above contact")
    landing_speed_mm_s: float = _q(0.1, 500.0, "mm/s", "final approach (domain.md: under 1 m/min onto guide cones)")
    present_load_fraction: float = _q(0.05, 1.0, "", "hoist load share of the pack weight that confirms a lifted pack")
    set_down_load_fraction: float = _q(0.0, 0.9, "", "below this share of the pack weight the pack is set down")
    settle_s: float = _q(0.0, 10.0, "s", "after the hoist stops, before judging what it rests on")
    seat_height_tolerance_mm: float = _q(
        1.0, 500.0, "mm", "a pack set down on a stand must rest within this of its seat's height (not on the cone tips)"
    )
    timeouts_s: dict[str, float] = _q(0.1, 3600.0, "s", "per phase of the sequence")

    def check(self):
        out = _timeout_problems(self.timeouts_s, OVERHEAD_PHASES)
        if self.set_down_load_fraction >= self.present_load_fraction:
            out.append(
                (
                    "set_down_load_fraction",
                    f"{self.set_down_load_fraction} must be below present_load_fraction={self.present_load_fraction}",
                )
            )
        return out


@dataclass(frozen=True)
class SupervisorTuning:
    """The safety supervisor's checks, run on every frame before any phase logic."""

    window_frames: int = _q(2, 10000, "", "frames in the plant-time watchdog's window")
    max_frame_anomalies: int = _q(0, 10000, "", "frames lost, repeated or off the control period allowed in the window")
    load_tolerance_fraction: float = _q(
        0.01, 1.0, "", "load cell against the expected load, as a share of the pack weight"
    )
    vision_consistency_mm: float = _q(0.1, 100.0, "mm", "vision against the encoders after an alignment move")
    discrepancy_time_s: float = _q(
        0.0, 10.0, "s", "how long a two-channel sensor's channels may disagree (switching skew)"
    )


@dataclass(frozen=True)
class ControllerConfig:
    name: str = _q(doc="which controller tuning this is")
    link_timeout_s: float = _q(0.01, 600.0, "s", "wall-clock link watchdog: the only use of the host clock")
    connect_timeout_s: float = _q(0.1, 3600.0, "s", "wall time to wait for the plant's welcome")
    supervisor: SupervisorTuning = _q()
    under_chassis: UnderChassisTuning = _q()
    overhead: OverheadTuning = _q()

    @staticmethod
    def from_dict(data: dict) -> ControllerConfig:
        """Build from an already validated mapping (the controller process's input)."""
        return _from_dict(ControllerConfig, data)


def _from_dict(cls: type, data: dict):
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        kwargs[f.name] = _from_dict(hints[f.name], value) if dataclasses.is_dataclass(hints[f.name]) else value
    return cls(**kwargs)
