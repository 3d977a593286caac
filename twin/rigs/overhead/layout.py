"""Derived geometry of an overhead station: one function per quantity.

The station's description (taught positions, the cradle section) and the
pre-check's criteria both take these. Heights in m above the ground; hoist
positions in m of the hoist axis (the spreader's landing plane above its
height at hoist = 0).
"""

from __future__ import annotations

MM = 1e-3


def suspension_sink_m(vehicle, *, mass_kg: float, gravity_m_s2: float) -> float:
    """Static deflection of the truck's suspension under a pack: m g / k (twin/entities/truck.py)."""
    return mass_kg * gravity_m_s2 / (vehicle.suspension.stiffness_n_per_mm / MM)


def landing_plane_above_bottom_m(pack, *, height_m: float) -> float:
    """The spreader's landing plane (on the castings) above a pack's bottom face."""
    return height_m + pack.lifting_points.casting_height_mm * MM


def cone_tops_m(rig, vehicle) -> float:
    """The highest guide-cone tip a carried pack must clear: the truck's (unladen) or the stands'."""
    unladen = vehicle.cradle.seat_height_mm * MM
    stand_seat = rig.storage.seat_height_mm * MM
    return max(unladen + vehicle.cradle.cone_height_mm * MM, stand_seat + rig.storage.cone_height_mm * MM)


def vehicle_contact_hoist_m(rig, vehicle, pack, *, mass_kg: float, height_m: float, gravity_m_s2: float) -> float:
    """Hoist position at which the landing plane meets the castings of a pack
    (``mass_kg``, ``height_m``) seated on the cradle it has sunk."""
    unladen = vehicle.cradle.seat_height_mm * MM
    sink = suspension_sink_m(vehicle, mass_kg=mass_kg, gravity_m_s2=gravity_m_s2)
    top = landing_plane_above_bottom_m(pack, height_m=height_m)
    return unladen - sink + top - rig.spreader.hoist_zero_height_mm * MM


def stand_contact_hoist_m(rig, pack, *, height_m: float) -> float:
    """Hoist position at which the landing plane meets the castings of a pack on a stand."""
    top = landing_plane_above_bottom_m(pack, height_m=height_m)
    return rig.storage.seat_height_mm * MM + top - rig.spreader.hoist_zero_height_mm * MM


def carry_hoist_m(rig, vehicle, pack, *, height_m: float) -> float:
    """Transport height: a carried pack's bottom passes the highest cone tips by the carry clearance."""
    top = landing_plane_above_bottom_m(pack, height_m=height_m)
    return (
        cone_tops_m(rig, vehicle) + rig.storage.carry_clearance_mm * MM + top - rig.spreader.hoist_zero_height_mm * MM
    )


# The spreader's tooling axis, in the catalog's entries.
TOOLING_AXES = ("span",)


def tool_settings_m(pack) -> dict[str, float]:
    """The tooling a pack asks for (m): the span to its lifting points' half-span across the lane."""
    return {"span": round(max(abs(y) for _, y in pack.lifting_points.positions_mm), 3) * MM}


def twist_lock_positions_mm(rig, span_m: float) -> list[tuple[float, float]]:
    """The four twist-locks at a span, in the order of the spreader's locks."""
    x, y = rig.spreader.twist_lock_x_mm, span_m / MM
    return [(-x, -y), (x, -y), (-x, y), (x, y)]
