"""The under-chassis rig's pre-check criteria (``twin/precheck.py`` runs them).

Each restates, from config data, a requirement the twin builds into its
geometry (``layout.py``, the station, the car and the pallet); its docstring
gives the formula. Margins in mm, positive = spare.
"""

from __future__ import annotations

import math

from twin.criterion import CheckContext, Criterion, catalog, margin, nearest, set_tooling_mm
from twin.criterion import tooling_range as shared_tooling_range
from twin.rigs.under_chassis import layout

MM = 1e-3


def bay_width(c: CheckContext) -> Criterion:
    """bay.width_mm - (width + 2 flange widths + width tolerance)."""
    p, bay = c.cfg.pack, c.cfg.vehicle.bay
    outer = p.dimensions.width_mm + 2 * p.flange.width_mm + p.tolerances.width_mm
    return margin(
        "bay_width",
        bay.width_mm - outer,
        "mm",
        f"pack {outer:g} mm over its flanges (tolerance included) in a {bay.width_mm:g} mm bay",
    )


def bay_length(c: CheckContext) -> Criterion:
    """bay.length_mm - (length + length tolerance)."""
    p, bay = c.cfg.pack, c.cfg.vehicle.bay
    outer = p.dimensions.length_mm + p.tolerances.length_mm
    return margin(
        "bay_length",
        bay.length_mm - outer,
        "mm",
        f"pack {outer:g} mm long (tolerance included) in a {bay.length_mm:g} mm bay",
    )


def transport_clearance(c: CheckContext) -> Criterion:
    """(seat height - wall depth) - (carry height + height + tolerance + locating pin length).

    The shuttle carries the charged pack under the car's end walls at its
    carry height (layout: the pad tops at the carry lift); the pack's
    locating pins stand highest."""
    p, rig, vehicle = c.cfg.pack, c.cfg.rig, c.cfg.vehicle
    walls_bottom = layout.bay_walls_bottom_m(vehicle) / MM
    pads = (layout.carry_lift_m(rig) + layout.pad_top_at_lift_zero_m(rig)) / MM
    top = pads + p.dimensions.height_mm + p.tolerances.height_mm + p.locating_pins.length_mm
    why = (
        f"carried pack's pins reach {top:g} mm, the bay's walls come down to {walls_bottom:g} mm "
        f"(pack {p.dimensions.height_mm:g} mm tall, walls {vehicle.bay.wall_depth_mm:g} mm deep)"
    )
    return margin("transport_clearance", walls_bottom - top, "mm", why)


def pallet_clearance(c: CheckContext) -> Criterion:
    """The pallet meets the bay's walls nowhere: it passes inside them
    (min((bay - pallet) / 2 over length and width) - position error), or its
    plate stays below them at the seat ((height - tolerance + pad height) - wall depth).
    The margin is the better of the two."""
    p, pal, bay = c.cfg.pack, c.cfg.rig.pallet, c.cfg.vehicle.bay
    inside = min(bay.length_mm - pal.length_mm, bay.width_mm - pal.width_mm) / 2 - c.position_error_mm
    below = (p.dimensions.height_mm - p.tolerances.height_mm + pal.pad_height_mm) - bay.wall_depth_mm
    if inside >= below:
        why = (
            f"the {pal.length_mm:g} x {pal.width_mm:g} mm pallet passes inside the "
            f"{bay.length_mm:g} x {bay.width_mm:g} mm bay"
        )
    else:
        why = (
            f"the pallet overhangs the bay; at the seat its plate is "
            f"{p.dimensions.height_mm - p.tolerances.height_mm:g} + {pal.pad_height_mm:g} mm below the seat plane, "
            f"the walls reach {bay.wall_depth_mm:g} mm down"
        )
    return margin("pallet_clearance", max(inside, below), "mm", why)


def lift_reach(c: CheckContext) -> Criterion:
    """lift.upper_mm - (bay contact of the shortest pack + seat overtravel)."""
    p, rig = c.cfg.pack, c.cfg.rig
    overtravel = c.tuning.seat_overtravel_mm
    lowest_h_m = (p.dimensions.height_mm - p.tolerances.height_mm) * MM
    need = layout.bay_contact_lift_m(rig, c.cfg.vehicle, height_m=lowest_h_m) / MM + overtravel
    return margin(
        "lift_reach",
        rig.axes.lift.upper_mm - need,
        "mm",
        f"seating needs lift {need:g} mm (incl. {overtravel:g} mm overtravel), the lift reaches "
        f"{rig.axes.lift.upper_mm:g} mm",
    )


def _set_tooling_mm(c: CheckContext) -> dict[str, float]:
    return set_tooling_mm(c, layout.tool_settings_m(c.cfg.pack))


def tooling_range(c: CheckContext) -> Criterion:
    """min over the tooling axes of the setting's distance inside [lower, upper]: the
    pads under the pack's support points, the pins under its rig holes."""
    return shared_tooling_range(c, layout.tool_settings_m(c.cfg.pack))


def pallet_pads(c: CheckContext) -> Criterion:
    """min over pads (at the set tooling) of the pad's edge distance inside the pack's smallest bottom face."""
    p, pal = c.cfg.pack, c.cfg.rig.pallet
    half_l = (p.dimensions.length_mm - p.tolerances.length_mm) / 2
    half_w = (p.dimensions.width_mm - p.tolerances.width_mm) / 2
    t = _set_tooling_mm(c)
    pads = layout.pad_positions_mm(t["pads_x"] * MM, t["pads_y"] * MM)
    m = min(min(half_l - abs(x), half_w - abs(y)) - pal.pad_size_mm / 2 for x, y in pads)
    return margin(
        "pallet_pads",
        m,
        "mm",
        f"{len(pads)} pads of {pal.pad_size_mm:g} mm at [+-{t['pads_x']:g}, +-{t['pads_y']:g}] mm under a "
        f"{2 * half_l:g} x {2 * half_w:g} mm bottom face",
    )


def rig_pin_capture(c: CheckContext) -> Criterion:
    """min over pallet pins (at the set tooling) of (chamfer + (hole d - pin d) / 2) - (|pin - nearest hole| +
    interface tol + align tol).

    A pin whose side is inside the chamfer's mouth slides in on the 45 degree lead-in."""
    holes, pal = c.cfg.pack.rig_holes, c.cfg.rig.pallet
    clearance = (holes.diameter_mm - pal.pin_diameter_mm) / 2
    if clearance <= 0:
        why = f"pallet pins ({pal.pin_diameter_mm:g} mm) do not fit the {holes.diameter_mm:g} mm holes"
        return Criterion("rig_pin_capture", False, why, clearance, "mm")
    capture = holes.chamfer_mm + clearance
    pins = layout.pin_positions_mm(_set_tooling_mm(c)["pins_x"] * MM)
    worst = max(math.hypot(*nearest(pin, holes.positions_mm)) for pin in pins)
    why = f"capture {capture:g} mm vs worst pin offset {worst:g} mm + {c.position_error_mm:g} mm position error"
    return margin("rig_pin_capture", capture - worst - c.position_error_mm, "mm", why)


def rig_pin_depth(c: CheckContext) -> Criterion:
    """rig_holes.depth_mm - pallet pin_length_mm: the pack rests on the pads, not on the pins."""
    holes, pal = c.cfg.pack.rig_holes, c.cfg.rig.pallet
    return margin(
        "rig_pin_depth",
        holes.depth_mm - pal.pin_length_mm,
        "mm",
        f"pins stand {pal.pin_length_mm:g} mm, holes are {holes.depth_mm:g} mm deep",
    )


CRITERIA = (
    ("catalog", catalog),
    ("tooling_range", tooling_range),
    ("bay_width", bay_width),
    ("bay_length", bay_length),
    ("transport_clearance", transport_clearance),
    ("pallet_clearance", pallet_clearance),
    ("lift_reach", lift_reach),
    ("pallet_pads", pallet_pads),
    ("rig_pin_capture", rig_pin_capture),
    ("rig_pin_depth", rig_pin_depth),
)
