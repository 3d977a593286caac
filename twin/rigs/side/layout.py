"""Derived geometry of a side station: one function per quantity.

The station's description (taught positions) and the pre-check's criteria
both take these. Heights in m above the ground; lift positions in m of the
lift axis (the tray's top above its height at lift = 0); reach positions in
m of the reach axis (the tray centre's y).
"""

from __future__ import annotations

MM = 1e-3
# The tray has no tooling axes: the catalog's entries carry none.
TOOLING_AXES: tuple[str, ...] = ()


def tool_settings_m(pack) -> dict[str, float]:
    return {}


def swapped_frames(vehicle, pack) -> list:
    """The vehicle's frames on the flank the pack opens to, front to back."""
    return [f for f in vehicle.frames if f.side == pack.side]


def swap_index(rig, vehicle, pack) -> int | None:
    """Index, among the swapped flank's frames, of the frame this swap serves (None: no such frame)."""
    frames = swapped_frames(vehicle, pack)
    if rig.swap_frame is None:
        return 0 if frames else None
    return next((i for i, f in enumerate(frames) if f.name == rig.swap_frame), None)


def swap_positions(plant) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The frames a swap may serve (``RigFamily.positions``): every frame on the pack's flank,
    unless ``rig.swap_frame`` names one."""
    if plant.rig.swap_frame is not None:
        return ()
    return tuple((f.name, (f"rig.swap_frame={f.name}",)) for f in swapped_frames(plant.vehicle, plant.pack))


def laden_kg(vehicle, pack) -> float:
    """What the vehicle's frames carry before the swap: a pack of the family in every one, both flanks."""
    return len(vehicle.frames) * pack.mass_kg


def flank_y_m(vehicle, pack, side: str) -> float:
    """y of a seated pack's centre in a frame on ``side``: the swapped flank at +y, the other at -y."""
    return frame_y_m(vehicle, pack) * (1.0 if side == pack.side else -1.0)


def roll_stiffness_nm_per_rad(vehicle) -> float:
    return vehicle.roll_stiffness_nm_per_deg * 180.0 / 3.141592653589793


def roll_rad(vehicle, pack, *, removed_kg: float, gravity_m_s2: float) -> float:
    """Static roll (about +x; positive lifts the swapped flank) with every frame full but
    ``removed_kg`` out of the swapped frame: the packs' moment over the roll stiffness."""
    moment = sum(pack.mass_kg * flank_y_m(vehicle, pack, f.side) for f in vehicle.frames)
    moment -= removed_kg * frame_y_m(vehicle, pack)
    return -moment * gravity_m_s2 / roll_stiffness_nm_per_rad(vehicle)


def frame_drop_m(vehicle, pack, *, removed_kg: float, gravity_m_s2: float) -> float:
    """How far the swapped frame's seat sits below its unladen height, every frame full but
    ``removed_kg`` out of the swapped one: heave (m g / k) and roll (y0 x roll angle)."""
    heave = suspension_sink_m(vehicle, mass_kg=laden_kg(vehicle, pack) - removed_kg, gravity_m_s2=gravity_m_s2)
    roll = roll_rad(vehicle, pack, removed_kg=removed_kg, gravity_m_s2=gravity_m_s2)
    return heave - frame_y_m(vehicle, pack) * roll


def frame_y_m(vehicle, pack) -> float:
    """y of a seated pack's centre: its outer face the frame's inset inside the flank."""
    return (vehicle.body.width_mm / 2 - vehicle.frame.inset_mm - pack.dimensions.width_mm / 2) * MM


def ledge_x_m(pack) -> float:
    """Centre of each ledge along x: under the seat points' ends."""
    return max(abs(x) for x, _ in pack.seat_points_mm) * MM


def ledge_gap_m(pack, ledge_width_mm: float) -> float:
    """The free length between the two ledges, along x."""
    return 2 * ledge_x_m(pack) - ledge_width_mm * MM


def suspension_sink_m(vehicle, *, mass_kg: float, gravity_m_s2: float) -> float:
    """Static deflection of the suspension under a pack: m g / k."""
    return mass_kg * gravity_m_s2 / (vehicle.suspension.stiffness_n_per_mm / MM)


def tray_top_at_lift_zero_m(rig) -> float:
    return rig.tray.top_at_lift_zero_mm * MM


def frame_contact_lift_m(rig, vehicle, pack, *, gravity_m_s2: float) -> float:
    """Lift position at which the tray's top meets the bottom of a pack seated
    in the frame, the chassis sunk under every pack of the flank."""
    sink = frame_drop_m(vehicle, pack, removed_kg=0.0, gravity_m_s2=gravity_m_s2)
    return vehicle.frame.seat_height_mm * MM - sink - tray_top_at_lift_zero_m(rig)


def frame_unladen_lift_m(rig, vehicle) -> float:
    """Lift position at which the tray's top is level with the unladen frame's seat plane."""
    return vehicle.frame.seat_height_mm * MM - tray_top_at_lift_zero_m(rig)


def frame_entry_lift_m(rig, vehicle, pack, *, gravity_m_s2: float) -> float:
    """The tray's height entering under a seated pack: below its bottom by the entry clearance."""
    return frame_contact_lift_m(rig, vehicle, pack, gravity_m_s2=gravity_m_s2) - rig.tray.entry_clearance_mm * MM


def frame_lift_off_m(rig, vehicle, pack, *, gravity_m_s2: float) -> float:
    """A lifted pack's bottom above the frame's ledges, risen (heave and roll) as the pack
    left them (the other packs still sink it), by the lift-off clearance."""
    sink = frame_drop_m(vehicle, pack, removed_kg=pack.mass_kg, gravity_m_s2=gravity_m_s2)
    return frame_unladen_lift_m(rig, vehicle) - sink + rig.tray.lift_off_clearance_mm * MM


def rack_contact_lift_m(rig) -> float:
    """Lift position at which the tray's top meets a stored pack's bottom."""
    return rig.storage.seat_height_mm * MM - tray_top_at_lift_zero_m(rig)


def rack_entry_lift_m(rig) -> float:
    return rack_contact_lift_m(rig) - rig.tray.entry_clearance_mm * MM


def rack_lift_off_m(rig) -> float:
    return rack_contact_lift_m(rig) + rig.tray.lift_off_clearance_mm * MM


def carry_lift_m(rig, vehicle) -> float:
    """Transport height: a carried pack's bottom above every ledge (the frame's
    unladen, the racks') by the carry clearance."""
    highest = max(vehicle.frame.seat_height_mm, rig.storage.seat_height_mm) * MM
    return highest + rig.storage.carry_clearance_mm * MM - tray_top_at_lift_zero_m(rig)


def reach_clear_m(rig, vehicle, pack) -> float:
    """Reach position with the tray (and a carried pack) out of both the frame
    and the rack: between them, where the carrier's rail runs."""
    return rig.carrier.rail_y_mm * MM
