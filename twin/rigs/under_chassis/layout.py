"""Derived geometry of an under-chassis station: one function per quantity.

The station's description (taught positions) and the pre-check's criteria
both take these, so a height is derived once. Heights in m above the rail
plane; lift positions in m of the lift axis.
"""

from __future__ import annotations

MM = 1e-3
# The pallet's tooling axes, in the order of the description's catalog entries.
TOOLING_AXES = ("pads_x", "pads_y", "pins_x")


def tool_settings_m(pack) -> dict[str, float]:
    """The tooling a pack asks for (m): the pads under its support points, the
    pins under its rig holes. What the station's catalog holds for a family,
    and what the pre-check judges against the axes' ranges."""
    holes = pack.rig_holes.positions_mm
    mm = {
        "pads_x": max(abs(x) for x, _ in pack.support_points_mm),
        "pads_y": max(abs(y) for _, y in pack.support_points_mm),
        "pins_x": sum(abs(x) for x, _ in holes) / len(holes),
    }
    return {axis: round(v, 3) * MM for axis, v in mm.items()}


def pad_positions_mm(pads_x_m: float, pads_y_m: float) -> list[tuple[float, float]]:
    """The four pad centres for a tooling setting, in the order of the pad load cells."""
    x, y = pads_x_m / MM, pads_y_m / MM
    return [(-x, -y), (-x, y), (x, -y), (x, y)]


def pin_positions_mm(pins_x_m: float) -> list[tuple[float, float]]:
    x = pins_x_m / MM
    return [(-x, 0.0), (x, 0.0)]


def pad_top_at_lift_zero_m(rig) -> float:
    """Height of the pallet's pad tops (the tool frame) at lift = 0."""
    return rig.pallet.top_at_lift_zero_mm * MM


def bay_contact_lift_m(rig, vehicle, *, height_m: float) -> float:
    """Lift position at which the pad tops meet the bottom of a pack of height
    ``height_m`` installed in the vehicle's bay (its top face on the seat plane)."""
    return (vehicle.bay.seat_height_mm * MM - height_m) - pad_top_at_lift_zero_m(rig)


def slot_contact_lift_m(rig) -> float:
    """Lift position at which the pad tops meet a stored pack's bottom face."""
    return rig.storage.pack_bottom_mm * MM - pad_top_at_lift_zero_m(rig)


def carry_lift_m(rig) -> float:
    """Transport height: a carried pack's flanges pass the rack's rails by the carry clearance."""
    return slot_contact_lift_m(rig) + rig.storage.carry_clearance_mm * MM


def bay_walls_bottom_m(vehicle) -> float:
    """How low the bay's walls come down."""
    return (vehicle.bay.seat_height_mm - vehicle.bay.wall_depth_mm) * MM
