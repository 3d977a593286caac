"""Vehicle schemas: the ``vehicle`` config group, told apart by ``vehicle_class``.

* ``car``: frame of the pack bay at the centre of the seat plane (where an
  installed pack's top face rests), x along the vehicle, z up. The station's
  lane clamps the car (tyre clamps and lift pads), so its body is modelled as
  fixed in the world at the parked pose.
* ``truck``: frame of the cradle at the centre of its seat plane (where an
  installed pack's bottom face rests). The truck is not lifted; its chassis
  rides on compliant suspension, so the cradle sinks when a pack is set down
  and rises when it is lifted off.
* ``bus``: a vehicle whose packs slide out of compartments in its flanks
  (side access). No rig swaps them yet; the class makes such a vehicle
  expressible, so the pre-check can refuse it for the right reason.

One file per vehicle model in ``configs/vehicle/``; a pack names the models it
fits (``pack.vehicles``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from twin.schema._fields import q


@dataclass(frozen=True)
class Bay:
    seat_height_mm: float = q(
        lo=100.0, hi=5000.0, unit="mm", doc="seat plane above the rail plane, vehicle clamped (D)"
    )
    length_mm: float = q(lo=100.0, hi=8000.0, unit="mm", doc="inner length between end walls")
    width_mm: float = q(lo=100.0, hi=5000.0, unit="mm", doc="inner width between side walls")
    wall_thickness_mm: float = q(lo=5.0, hi=300.0, unit="mm")
    wall_depth_mm: float = q(lo=10.0, hi=3000.0, unit="mm", doc="walls reach this far below the seat plane")
    seat_pad_size_mm: float = q(lo=10.0, hi=500.0, unit="mm", doc="pads at the pack's seat points")
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
    # The vehicle's low-voltage supply (what keeps a power-to-hold latch energised) can fail.
    FAULT_KINDS: ClassVar[frozenset[str]] = frozenset({"latch_power_loss"})

    vehicle_class: Literal["car"] = q()
    model: str = q()
    vehicle_id: str = q(doc="as the lane reads it (VIN or tag)")
    # GB/T 29772-2024 section 8.5.1: a passenger-car swap should not exceed 300 s (A).
    swap_time_limit_s: float = q(lo=1.0, hi=7200.0, unit="s")
    ground_clearance_mm: float = q(
        lo=50.0,
        hi=600.0,
        unit="mm",
        doc="underbody above the road on its wheels; the lane lifts it to bay.seat_height_mm",
    )
    wheelbase_mm: float = q(lo=1000.0, hi=8000.0, unit="mm", doc="the bay lies between the axles")
    bay: Bay = q()
    body: Body = q()


@dataclass(frozen=True)
class Suspension:
    """Vertical compliance of the chassis under the cradle: one spring-damper.

    A single vertical degree of freedom: the frame rises and sinks; pitch and
    roll are not modelled (documented limitation)."""

    stiffness_n_per_mm: float = q(lo=1.0, hi=1e6, unit="N/mm", doc="spring rate at the cradle")
    damping_n_s_per_mm: float = q(lo=0.0, hi=1e6, unit="N*s/mm")
    sprung_mass_kg: float = q(lo=100.0, hi=50000.0, unit="kg", doc="chassis mass carried by that spring")
    travel_mm: float = q(lo=1.0, hi=500.0, unit="mm", doc="bump-stop travel either way")


@dataclass(frozen=True)
class Cradle:
    """The frame behind the cab that carries the pack on guide cones."""

    seat_height_mm: float = q(lo=100.0, hi=5000.0, unit="mm", doc="seat plane above ground, unladen chassis")
    cone_diameter_mm: float = q(lo=10.0, hi=300.0, unit="mm")
    cone_height_mm: float = q(lo=10.0, hi=500.0, unit="mm", doc="standing above the seat plane")
    pad_size_mm: float = q(lo=20.0, hi=1000.0, unit="mm", doc="pads at the pack's seat points")
    rail_length_mm: float = q(lo=100.0, hi=20000.0, unit="mm")
    rail_spacing_mm: float = q(lo=100.0, hi=5000.0, unit="mm")


@dataclass(frozen=True)
class Cab:
    """The cab in front of the pack: an obstacle the rig must not touch."""

    length_mm: float = q(lo=100.0, hi=5000.0, unit="mm")
    width_mm: float = q(lo=100.0, hi=5000.0, unit="mm")
    height_mm: float = q(lo=100.0, hi=6000.0, unit="mm", doc="roof above ground")
    gap_mm: float = q(lo=0.0, hi=2000.0, unit="mm", doc="between the cab's back and the cradle's front edge")


@dataclass(frozen=True)
class Truck:
    # Its low-voltage supply can fail, and its suspension can sag (an air-spring leak).
    FAULT_KINDS: ClassVar[frozenset[str]] = frozenset({"latch_power_loss", "suspension_sag"})

    vehicle_class: Literal["truck"] = q()
    model: str = q()
    vehicle_id: str = q(doc="as the lane reads it (VIN or tag)")
    # GB/T 29772-2024 section 8.5.1: a commercial-vehicle swap should not exceed 360 s (A).
    swap_time_limit_s: float = q(lo=1.0, hi=7200.0, unit="s")
    cradle: Cradle = q()
    suspension: Suspension = q()
    cab: Cab = q()
    body: Body = q()


@dataclass(frozen=True)
class Compartment:
    """A battery compartment in the flank of a bus or truck, opening sideways."""

    sill_height_mm: float = q(lo=50.0, hi=3000.0, unit="mm", doc="compartment floor above ground")
    length_mm: float = q(lo=100.0, hi=8000.0, unit="mm", doc="along the vehicle")
    depth_mm: float = q(lo=100.0, hi=3000.0, unit="mm", doc="into the vehicle from its side")
    height_mm: float = q(lo=50.0, hi=3000.0, unit="mm")
    count_per_side: int = q(lo=1, hi=20, doc="compartments along one flank")


@dataclass(frozen=True)
class Bus:
    FAULT_KINDS: ClassVar[frozenset[str]] = frozenset({"latch_power_loss"})

    vehicle_class: Literal["bus"] = q()
    model: str = q()
    vehicle_id: str = q(doc="as the lane reads it (VIN or tag)")
    # GB/T 29772-2024 section 8.5.1: a commercial-vehicle swap should not exceed 360 s (A).
    swap_time_limit_s: float = q(lo=1.0, hi=7200.0, unit="s")
    compartment: Compartment = q()
    suspension: Suspension = q()
    body: Body = q()


VehicleConfig = Car | Truck | Bus
VEHICLE_SCHEMAS: dict[str, type] = {"car": Car, "truck": Truck, "bus": Bus}
