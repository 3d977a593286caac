"""The controller's own config schema (the ``controller`` config group).

Plain dataclasses with unit and range metadata in the same form as the twin's
schemas, so ``swaptwin`` validates this file like every other group, while the
controller itself depends on nothing but the wire. Tuning is per rig family:
``sequences`` maps a rig family to its sequence's tuning, whose schema the
sequence declares (``controllers/sequences/<family>.py``, ``Tuning``); the
controller picks the section for the rig the station describes.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from typing import Any


def q(lo: float | None = None, hi: float | None = None, unit: str = "", doc: str = "") -> Any:
    return field(metadata={"lo": lo, "hi": hi, "unit": unit, "doc": doc, "length": None})


def timeout_problems(timeouts: dict[str, float], phases: tuple[str, ...]) -> list[tuple[str, str]]:
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

    tolerance_mm: float = q(0.01, 20.0, "mm")
    tolerance_deg: float = q(0.001, 2.0, "deg")
    samples: int = q(1, 1000, "", "vision frames averaged per step")
    max_attempts: int = q(1, 100)
    gain: float = q(
        0.05,
        1.0,
        "",
        "share of the measured error each move corrects (1: dead-beat; lower damps steps against backlash)",
    )


@dataclass(frozen=True)
class SupervisorTuning:
    """The safety supervisor's checks, run on every frame before any phase logic."""

    window_frames: int = q(2, 10000, "", "frames in the plant-time watchdog's window")
    max_frame_anomalies: int = q(0, 10000, "", "frames lost, repeated or off the control period allowed in the window")
    load_tolerance_fraction: float = q(
        0.01, 1.0, "", "load cell against the expected load, as a share of the pack weight"
    )
    vision_consistency_mm: float = q(0.1, 100.0, "mm", "vision against the encoders after an alignment move")
    discrepancy_time_s: float = q(
        0.0, 10.0, "s", "how long a two-channel sensor's channels may disagree (switching skew)"
    )


@dataclass(frozen=True)
class ControllerConfig:
    name: str = q(doc="which controller tuning this is")
    link_timeout_s: float = q(0.01, 600.0, "s", "wall-clock link watchdog: the only use of the host clock")
    connect_timeout_s: float = q(0.1, 3600.0, "s", "wall time to wait for the plant's welcome")
    supervisor: SupervisorTuning = q()
    sequences: dict[str, Any] = q(doc="rig family -> its sequence's tuning (controllers/sequences/<family>.py, Tuning)")

    def tuning(self, family: str) -> Any:
        """The typed tuning of a rig family's sequence."""
        return self.sequences[family]

    @staticmethod
    def from_dict(data: dict) -> ControllerConfig:
        """Build from an already validated mapping (the controller process's input)."""
        from controllers.sequences import SEQUENCES

        cfg = _from_dict(ControllerConfig, data)
        typed = {k: _from_dict(SEQUENCES[k].Tuning, v) for k, v in cfg.sequences.items() if k in SEQUENCES}
        return dataclasses.replace(cfg, sequences=typed)


def _from_dict(cls: type, data: dict) -> Any:
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        kwargs[f.name] = _from_dict(hints[f.name], value) if dataclasses.is_dataclass(hints[f.name]) else value
    return cls(**kwargs)
