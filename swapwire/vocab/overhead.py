"""The overhead gantry's wire vocabulary (docs/protocol.md, section 5).

Axes ``bridge`` (x), ``trolley`` (y), ``hoist`` (z of the spreader's landing
plane), ``slew``, and the spreader's tooling ``span`` (the twist-locks at
[+-x, +-span]: its beams telescope across the lane). ``pack_id`` is the
identity the pack on the truck reports; the ``catalog`` section, the
interfaces of the families the station serves. Vision measures the truck's cradle seat frame in the
spreader's nominal frame. Tool ``spreader``: the lock actions turn every
spreader twist-lock (a twist-lock turns to locked only while seated).
Sections of its own: ``spreader`` (a lock group) and ``vehicle_cradle``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from swapwire import sensors as s
from swapwire.vocab import catalog
from swapwire.messages import LOCK_ENGAGE, LOCK_HOLD, LOCK_RELEASE
from swapwire.typed import wfield

FAMILY = "overhead"
AXES = ("bridge", "trolley", "hoist", "slew", "span")
TOOLING_AXES = ("span",)

LOAD_CELL = s.LOAD_CELL.meaning(
    "hoist load beyond the spreader and mast, filtered, with noise; null while not reporting"
)
VISION = s.VISION.meaning("the truck's cradle seat frame in the spreader's nominal frame")
SPREADER_LANDED = s.two_channel("spreader.landed", "the spreader has landed on a pack's castings")
SPREADER_LOCKS = s.lock_status("spreader.locks", "spreader", "each spreader twist-lock's status channels")
VEHICLE_INTERFACE = s.switch(
    "vehicle_interface", "the truck's swap interface (what lets vehicle-lock commands act) is connected"
)
PACK_ID = s.identity("pack_id", "the family id the pack on the truck reports (BMS identity over the vehicle link)")
# In frame order.
SENSORS = (
    LOAD_CELL, s.FLOAT_LOCKED, VISION, SPREADER_LANDED, SPREADER_LOCKS, s.LOCKS, s.CONNECTOR_MATED, VEHICLE_INTERFACE,
    PACK_ID, *s.SAFETY,
)  # fmt: skip
CATALOG_SECTION = catalog.CATALOG_SECTION
CatalogEntry = catalog.CatalogEntry
SPREADER_TOOL = "spreader"
TOOLS = {SPREADER_TOOL: (LOCK_ENGAGE, LOCK_RELEASE, LOCK_HOLD)}
SPREADER_SECTION = "spreader"
CRADLE_SECTION = "vehicle_cradle"
PACK_FEATURES = {"casting_height": "m: how far the corner castings stand proud of the pack's top face"}


@dataclass(frozen=True)
class VehicleCradle:
    """``vehicle_cradle``: the truck rides on its suspension, so its cradle's height changes."""

    cone_height: float = wfield(unit="m", doc="guide cones above the seat plane")
    unladen_seat_height: float = wfield(unit="m", doc="seat plane above ground, no pack")
    laden_sink: float = wfield(unit="m", doc="how far the nominal pack sinks the cradle")


@dataclass(frozen=True)
class VehiclePosition:
    bridge: float = wfield(unit="m")
    trolley: float = wfield(unit="m")
    slew: float = wfield(unit="rad")
    hoist_contact: float = wfield(unit="m", doc="landing plane on the castings of a nominal pack on the laden cradle")


@dataclass(frozen=True)
class StandPosition:
    name: str = wfield()
    content: Literal["charged", "empty"] = wfield()
    bridge: float = wfield(unit="m")
    trolley: float = wfield(unit="m")
    hoist_contact: float = wfield(unit="m")


@dataclass(frozen=True)
class Positions:
    home: dict[str, float] = wfield(unit="m or rad", doc="per axis")
    vehicle: VehiclePosition = wfield()
    stands: list[StandPosition] = wfield()
    hoist_carry: float = wfield(unit="m", doc="transport height over the cone tips")
    hoist_high: float = wfield(unit="m")
