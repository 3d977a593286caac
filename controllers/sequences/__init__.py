"""The controller's swap sequences, one module per rig family, and the registry of them.

The controller runs without the twin (against a real station's gateway), so
it keeps its own registry: a station describes its ``rig_family`` and the
controller picks the sequence registered for it. Each sequence declares its
phases and the schema of its tuning (``Tuning``).
"""

from __future__ import annotations

from controllers.config import ControllerConfig
from controllers.engine import FINAL_PHASE, SwapSequence
from controllers.sequences.overhead import OverheadSequence
from controllers.sequences.under_chassis import UnderChassisSequence
from swapwire.station import StationDescription

SEQUENCES: dict[str, type[SwapSequence]] = {cls.rig_family: cls for cls in (UnderChassisSequence, OverheadSequence)}
# The phases our controller declares in its hello (it says hello before it knows
# the rig): every sequence's, in order, then the final phase it reports when done.
DECLARED_PHASES: tuple[str, ...] = (
    *dict.fromkeys(p for cls in SEQUENCES.values() for p in cls.PHASES),
    FINAL_PHASE,
)


def sequence_for(cfg: ControllerConfig, station: StationDescription) -> SwapSequence | None:
    """The sequence for the station's rig family, or None if we have none (or no tuning for it)."""
    cls = SEQUENCES.get(station.rig_family)
    if cls is None or station.rig_family not in cfg.sequences:
        return None
    return cls(cfg, station)
