"""Which swap sequence drives which rig family."""

from __future__ import annotations

from controllers.config import ControllerConfig
from controllers.overhead import OverheadSequence
from controllers.swap_sequence import SwapSequence
from controllers.under_chassis import UnderChassisSequence

SEQUENCES: dict[str, type[SwapSequence]] = {
    "under_chassis": UnderChassisSequence,
    "overhead": OverheadSequence,
}


def sequence_for(cfg: ControllerConfig, station: dict) -> SwapSequence | None:
    cls = SEQUENCES.get(station.get("rig_family"))
    return cls(cfg, station) if cls else None
