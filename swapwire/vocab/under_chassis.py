"""The under-chassis shuttle's wire vocabulary (docs/protocol.md, section 5).

Axes ``travel`` (x, along the lane), ``align`` (y), ``lift`` (z), ``yaw``,
and the pallet's tooling ``pads_x``, ``pads_y``, ``pins_x`` (half-spans of
its pad rectangle and of its pin pair, m). Vision measures the car's bay seat
frame in the pallet's nominal frame. ``pack_id`` is the identity the pack in
the vehicle reports (its BMS over the vehicle's link, or its tag);
``pad_loads_n`` the load cell under each pad. The station's interface
catalog (section ``catalog``) says, per pack family, its mass, centre of
gravity and the tooling it needs.
No tools: the shuttle's lock tool acts on the vehicle's locks while it is
coupled to the vehicle's lock port (``tool_coupled``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from swapwire import sensors as s
from swapwire.vocab import catalog
from swapwire.typed import wfield

FAMILY = "under_chassis"
AXES = ("travel", "align", "lift", "yaw", "pads_x", "pads_y", "pins_x")
TOOLING_AXES = ("pads_x", "pads_y", "pins_x")

LOAD_CELL = s.LOAD_CELL.meaning(
    "lift load beyond the shuttle's own moving mass, filtered, with noise; null while not reporting"
)
PACK_PRESENT = s.two_channel("pack_present", "a pack rests on the pallet")
TOOL_COUPLED = s.switch("tool_coupled", "the lock tool is coupled to the vehicle's lock port")
VISION = s.VISION.meaning("the bay's seat frame in the pallet's nominal frame")
PACK_ID = s.identity("pack_id", "the family id the pack in the vehicle reports (BMS identity over the vehicle link)")
PAD_LOADS = s.scalars(
    "pad_loads_n", "N", 4, "load under each pallet pad, at [-x,-y], [-x,+y], [+x,-y], [+x,+y] of the tooling"
)
# In frame order.
SENSORS = (
    LOAD_CELL, PACK_PRESENT, s.FLOAT_LOCKED, TOOL_COUPLED, s.CONNECTOR_MATED, VISION, s.LOCKS, PACK_ID, PAD_LOADS,
    *s.SAFETY,
)  # fmt: skip
CATALOG_SECTION = catalog.CATALOG_SECTION
CatalogEntry = catalog.CatalogEntry
TOOLS: dict[str, tuple[str, ...]] = {}
PACK_FEATURES = {"locating_pin_length": "m: how far the pack's locating pins stand out of its top face"}


@dataclass(frozen=True)
class BayPosition:
    travel: float = wfield(unit="m")
    align: float = wfield(unit="m")
    yaw: float = wfield(unit="rad", doc="for the nominal car")
    lift_contact: float = wfield(
        unit="m", doc="lift position at which the pallet meets an installed pack of this vehicle model"
    )


@dataclass(frozen=True)
class Slot:
    name: str = wfield()
    content: Literal["charged", "empty"] = wfield()
    travel: float = wfield(unit="m")
    lift_contact: float = wfield(unit="m", doc="lift position at which the pallet meets a stored pack's bottom")


@dataclass(frozen=True)
class Positions:
    """The taught positions (``positions``)."""

    home: dict[str, float] = wfield(unit="m or rad", doc="per axis")
    bay: BayPosition = wfield()
    slots: list[Slot] = wfield(doc="the rack's slots")
    lift_carry: float = wfield(unit="m", doc="transport height with a pack")
    lift_low: float = wfield(unit="m", doc="clear of everything")
