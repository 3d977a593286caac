"""Vehicle schemas: the ``vehicle`` config group.

Frame of a vehicle's pack bay: origin at the centre of the seat plane (where an
installed pack's top face rests), x along the vehicle, z up. The vehicle is
clamped by the station's lane (tyre clamps and lift pads), so its body is
modelled as fixed in the world at the parked pose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from twin.schema._fields import q


@dataclass(frozen=True)
class Bay:
    seat_height_mm: float = q(lo=100.0, hi=5000.0, unit="mm", doc="seat plane above the rail plane, vehicle clamped (D)")
    length_mm: float = q(lo=100.0, hi=8000.0, unit="mm", doc="inner length between end walls")
    width_mm: float = q(lo=100.0, hi=5000.0, unit="mm", doc="inner width between side walls")
    wall_thickness_mm: float = q(lo=5.0, hi=300.0, unit="mm")
    wall_depth_mm: float = q(lo=10.0, hi=3000.0, unit="mm", doc="walls reach this far below the seat plane")
    seat_pad_size_mm: float = q(lo=10.0, hi=500.0, unit="mm")
    seat_pad_positions_mm: list[list[float]] = q(unit="mm", doc="[x, y] of the pads the pack's top face bears on")
    hole_plate_thickness_mm: float = q(lo=5.0, hi=200.0, unit="mm")
    lock_port_mm: list[float] = q(length=2, unit="mm", doc="[x, y] of the lock service port, seen from below")


@dataclass(frozen=True)
class Body:
    """Outer body, for the picture and for clearance checks."""

    length_mm: float = q(lo=500.0, hi=30000.0, unit="mm")
    width_mm: float = q(lo=500.0, hi=5000.0, unit="mm")
    height_mm: float = q(lo=500.0, hi=6000.0, unit="mm")
    mass_kg: float = q(lo=100.0, hi=100000.0, unit="kg")


@dataclass(frozen=True)
class Car:
    vehicle_class: Literal["car"] = q()
    model: str = q()
    vehicle_id: str = q(doc="as the lane reads it (VIN or tag)")
    # GB/T 29772-2024 section 8.5.1: a passenger-car swap should not exceed 300 s (A).
    swap_time_limit_s: float = q(lo=1.0, hi=7200.0, unit="s")
    bay: Bay = q()
    body: Body = q()


VehicleConfig = Car
VEHICLE_SCHEMAS: dict[str, type] = {"car": Car}
