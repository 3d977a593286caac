"""Hazard monitor limits: the ``hazards`` section of the config."""

from __future__ import annotations

from dataclasses import dataclass

from twin.schema._fields import q


@dataclass(frozen=True)
class Hazards:
    fall_speed_mm_s: float = q(
        lo=1.0,
        hi=10000.0,
        unit="mm/s",
        doc="a pack sinking faster than this is falling; set above the lift's top speed",
    )
    drop_distance_mm: float = q(lo=0.1, hi=1000.0, unit="mm", doc="a fall longer than this is a dropped pack")
    rig_vehicle_contact: bool = q(doc="any contact between the rig and the vehicle body is a collision")
    placement_interference_mm: float = q(
        lo=0.0, hi=100.0, unit="mm", doc="a pack placed this deep into its surroundings does not fit there"
    )
    rig_overload_factor: float = q(
        lo=0.1, hi=10.0, doc="a rig carrying a pack heavier than its payload times this is overloaded"
    )
    contact_apart_s: float = q(
        0.5,
        lo=0.0,
        hi=100.0,
        unit="s",
        doc=(
            "a pack and a body apart this long and touching again make a new first contact (shorter gaps are a "
            "resting pack's contact chatter)"
        ),
    )
