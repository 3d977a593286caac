"""The side rig's pre-check criteria (``twin/precheck.py`` runs them).

Each restates, from config data, a requirement the twin builds into its
geometry (``layout.py``, the station, the vehicle's frames, the racks); its
docstring gives the formula. Margins in mm, positive = spare. The payload,
the lock type, the lock's capture and its holding are judged for every rig
by ``twin/precheck.py``.
"""

from __future__ import annotations

from twin.criterion import CheckContext, Criterion, catalog, margin
from twin.rigs.side import layout

MM = 1e-3


def frame_present(c: CheckContext) -> Criterion:
    """The vehicle has a frame on the flank the pack opens to (the one ``rig.swap_frame`` names, if any)."""
    p, v, rig = c.cfg.pack, c.cfg.vehicle, c.cfg.rig
    frames = layout.swapped_frames(v, p)
    i = layout.swap_index(rig, v, p)
    ok = i is not None
    why = f"{len(frames)} frame(s) on the {p.side} flank of {v.model}"
    why += f"; swapping {frames[i].name}" if ok else f"; no frame {rig.swap_frame!r} there: {[f.name for f in frames]}"
    return Criterion("frame_present", ok, why)


def _lift_targets_m(c: CheckContext) -> dict[str, float]:
    rig, v, p, g = c.cfg.rig, c.cfg.vehicle, c.cfg.pack, c.cfg.physics.gravity_m_s2
    return {
        "frame entry": layout.frame_entry_lift_m(rig, v, p, gravity_m_s2=g),
        "frame lift-off": layout.frame_lift_off_m(rig, v, p, gravity_m_s2=g),
        "rack entry": layout.rack_entry_lift_m(rig),
        "rack lift-off": layout.rack_lift_off_m(rig),
        "carry": layout.carry_lift_m(rig, v),
    }


def reach(c: CheckContext) -> Criterion:
    """min over the taught targets of their distance inside the axes' travel: reach (frame,
    rack and clear positions, each +- the position error), travel (every swapped frame and
    slot) and lift (entry, lift-off and carry heights at the frame and the rack)."""
    rig, v, p = c.cfg.rig, c.cfg.vehicle, c.cfg.pack
    err = c.position_error_mm * MM
    a = rig.axes
    targets = [
        ("reach", "frame", layout.frame_y_m(v, p) + err),
        ("reach", "rack", rig.storage.y_mm * MM - err),
        ("reach", "clear", layout.reach_clear_m(rig, v, p)),
    ]
    i, frames = layout.swap_index(rig, v, p), layout.swapped_frames(v, p)
    served = frames if i is None else frames[i : i + 1]  # no such frame (frame_present fails): judge them all
    targets += [("travel", f"frame {f.name}", f.x_mm * MM) for f in served]
    targets += [("travel", f"slot {s.name}", s.x_mm * MM) for s in rig.storage.slots]
    targets += [("lift", name, z) for name, z in _lift_targets_m(c).items()]
    worst, why = float("inf"), ""
    for axis, what, t in targets:
        spec = getattr(a, axis)
        m = min(t / MM - spec.lower_mm, spec.upper_mm - t / MM)
        if m < worst:
            worst = m
            why = f"{axis} to the {what} at {t / MM:.0f} mm, the axis travels [{spec.lower_mm:g}, {spec.upper_mm:g}] mm"
    return margin("reach", worst, "mm", why)


def lateral_clearance(c: CheckContext) -> Criterion:
    """A carried pack at the clear reach position passes the vehicle's flank and the
    racks: min((clear - W/2) - flank, (rack y - W) - (clear + W/2)) - width tolerance
    - position error (W: the pack's width with its rails)."""
    rig, v, p = c.cfg.rig, c.cfg.vehicle, c.cfg.pack
    half = (p.dimensions.width_mm / 2 + p.rails.size_mm + p.tolerances.width_mm / 2) * MM
    clear = layout.reach_clear_m(rig, v, p)
    flank = v.body.width_mm / 2 * MM
    stored_near_edge = rig.storage.y_mm * MM - half
    to_vehicle = clear - half - flank
    to_rack = stored_near_edge - (clear + half)
    m = min(to_vehicle, to_rack) / MM - c.position_error_mm
    why = (
        f"carried at y {clear / MM:.0f} mm the pack spans +-{half / MM:.0f} mm: {to_vehicle / MM:.0f} mm to the flank "
        f"at {flank / MM:.0f} mm, {to_rack / MM:.0f} mm to the stored packs"
    )
    return margin("lateral_clearance", m, "mm", why)


def tray_fit(c: CheckContext) -> Criterion:
    """The tray passes between the ledges of the frame and of the racks:
    min(ledge gap) - (tray length + length tolerance) - 2 x position error."""
    rig, v, p = c.cfg.rig, c.cfg.vehicle, c.cfg.pack
    gaps = {
        "frame": layout.ledge_gap_m(p, v.frame.ledge_width_mm) / MM,
        "rack": layout.ledge_gap_m(p, rig.storage.ledge_width_mm) / MM,
    }
    where, gap = min(gaps.items(), key=lambda kv: kv[1])
    m = gap - rig.tray.length_mm - p.tolerances.length_mm - 2 * c.position_error_mm
    why = f"the {rig.tray.length_mm:g} mm tray between the {where}'s ledges {gap:g} mm apart"
    return margin("tray_fit", m, "mm", why)


def tray_support(c: CheckContext) -> Criterion:
    """The pack's centre of gravity lies over the tray (no tipping on it):
    min(tray half-length - |CoG x|, min(tray, pack) half-width - |CoG y|) - position error."""
    rig, p = c.cfg.rig, c.cfg.pack
    half_l, half_w = rig.tray.length_mm / 2, min(rig.tray.width_mm, p.dimensions.width_mm) / 2
    m = min(half_l - abs(p.cog_mm[0]), half_w - abs(p.cog_mm[1])) - c.position_error_mm
    why = f"CoG at [{p.cog_mm[0]:g}, {p.cog_mm[1]:g}] mm over a {rig.tray.length_mm:g} x {2 * half_w:g} mm tray"
    return margin("tray_support", m, "mm", why)


def suspension_travel(c: CheckContext) -> Criterion:
    """suspension.travel_mm - max(heave sink with every frame full (packs with their mass tolerance),
    the swapped frame's rise above its laden seat once its pack is out (heave and roll)): the frame stays
    off the bump stops, so the taught laden and lift-off heights hold."""
    v, p, g = c.cfg.vehicle, c.cfg.pack, c.cfg.physics.gravity_m_s2
    n = len(v.frames)
    sink = layout.suspension_sink_m(v, mass_kg=n * (p.mass_kg + p.tolerances.mass_kg), gravity_m_s2=g) / MM
    laden = layout.frame_drop_m(v, p, removed_kg=0.0, gravity_m_s2=g)
    out = layout.frame_drop_m(v, p, removed_kg=p.mass_kg, gravity_m_s2=g)
    rise = (laden - out) / MM
    roll = layout.roll_rad(v, p, removed_kg=p.mass_kg, gravity_m_s2=g) * 57.29577951308232
    why = (
        f"{n} pack(s) of {p.mass_kg:g} kg sink the frames {sink:.1f} mm; the swapped frame rises {rise:.1f} mm "
        f"as its pack leaves (roll {roll:.2f} deg), of {v.suspension.travel_mm:g} mm travel"
    )
    return margin("suspension_travel", v.suspension.travel_mm - max(sink, rise), "mm", why)


CRITERIA = (
    ("catalog", catalog),
    ("frame_present", frame_present),
    ("reach", reach),
    ("lateral_clearance", lateral_clearance),
    ("tray_fit", tray_fit),
    ("tray_support", tray_support),
    ("suspension_travel", suspension_travel),
)
