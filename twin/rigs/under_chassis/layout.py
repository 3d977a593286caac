"""Derived geometry of an under-chassis station: one function per quantity.

The station's description (taught positions) and the pre-check's criteria
both take these, so a height is derived once. Heights in m above the rail
plane; lift positions in m of the lift axis.
"""

from __future__ import annotations

MM = 1e-3


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
