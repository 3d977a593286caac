"""The side rig's wire vocabulary: a carrier beside the vehicle whose tray slides in under a pack in a side frame.

Axes ``travel`` (x, along the vehicle), ``lift`` (z of the tray's top),
``reach`` (y of the tray's centre: towards the vehicle, or back into the
racks), ``yaw`` (the tray about z). Vision measures the frame's seat frame
(the seated pack's bottom face) in the tray's nominal frame. ``pack_id`` is
the identity the pack in the frame reports; the station's interface catalog
(section ``catalog``) says, per pack family, its mass and centre of gravity
(the tray has no tooling axes).
No tools: the tray's lock actuator acts on the frame's locks while it is
coupled to the frame's lock port (``tool_coupled``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from swapwire import sensors as s
from swapwire.typed import wfield
from swapwire.vocab import catalog

FAMILY = "side"
AXES = ("travel", "lift", "reach", "yaw")
TOOLING_AXES: tuple[str, ...] = ()

LOAD_CELL = s.LOAD_CELL.meaning("lift load beyond the carrier's own moving mass, filtered, with noise")
PACK_PRESENT = s.two_channel("pack_present", "a pack rests on the tray")
TOOL_COUPLED = s.switch("tool_coupled", "the tray's lock actuator is coupled to the frame's lock port")
VISION = s.VISION.meaning("the frame's seat frame in the tray's nominal frame")
PACK_ID = s.identity("pack_id", "the family id the pack in the frame reports (BMS identity over the vehicle link)")
# In frame order.
SENSORS = (
    LOAD_CELL, PACK_PRESENT, s.FLOAT_LOCKED, TOOL_COUPLED, s.CONNECTOR_MATED, VISION, s.LOCKS, PACK_ID, *s.SAFETY,
)  # fmt: skip
CATALOG_SECTION = catalog.CATALOG_SECTION
CatalogEntry = catalog.CatalogEntry
TOOLS: dict[str, tuple[str, ...]] = {}
PACK_FEATURES: dict[str, str] = {}


@dataclass(frozen=True)
class FramePosition:
    name: str = wfield()
    travel: float = wfield(unit="m")
    reach: float = wfield(unit="m", doc="the tray centred under the seated pack")
    yaw: float = wfield(unit="rad", doc="for the nominal vehicle")
    lift_entry: float = wfield(unit="m", doc="the tray's top below a seated pack's bottom by the entry clearance")
    lift_contact: float = wfield(unit="m", doc="the tray's top at a seated pack's bottom (laden chassis)")
    lift_off: float = wfield(unit="m", doc="a lifted pack clear of the unladen frame's ledges")


@dataclass(frozen=True)
class Slot:
    name: str = wfield()
    content: Literal["charged", "empty"] = wfield()
    travel: float = wfield(unit="m")
    reach: float = wfield(unit="m")
    lift_entry: float = wfield(unit="m")
    lift_contact: float = wfield(unit="m", doc="the tray's top at a stored pack's bottom")
    lift_off: float = wfield(unit="m")


@dataclass(frozen=True)
class Positions:
    """The taught positions (``positions``)."""

    home: dict[str, float] = wfield(unit="m or rad", doc="per axis")
    frames: list[FramePosition] = wfield(doc="the frames on the swapped flank, in swap order")
    slots: list[Slot] = wfield(doc="the racks' slots")
    reach_clear: float = wfield(unit="m", doc="tray and carried pack clear of the vehicle and the racks")
    lift_carry: float = wfield(unit="m", doc="transport height with a pack")
