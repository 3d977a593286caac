"""The overhead rig's pre-check criteria (``twin/precheck.py`` runs them).

Each restates, from config data, a requirement the twin builds into its
geometry (``layout.py``, the station, the truck and the stands); its docstring
gives the formula.
"""

from __future__ import annotations

from twin.criterion import CheckContext, Criterion, catalog, margin, nearest, set_tooling_mm
from twin.criterion import tooling_range as shared_tooling_range
from twin.rigs.overhead import layout

MM = 1e-3


def _sink_mm(c: CheckContext) -> float:
    """Static deflection of the truck's suspension under the heaviest pack."""
    p = c.cfg.pack
    heaviest = p.mass_kg + p.tolerances.mass_kg
    return layout.suspension_sink_m(c.cfg.vehicle, mass_kg=heaviest, gravity_m_s2=c.cfg.physics.gravity_m_s2) / MM


def truck_width(c: CheckContext) -> Criterion:
    """vehicle body width - (width + width tolerance)."""
    p, body = c.cfg.pack, c.cfg.vehicle.body
    outer = p.dimensions.width_mm + p.tolerances.width_mm
    return margin(
        "truck_width",
        body.width_mm - outer,
        "mm",
        f"pack {outer:g} mm wide (tolerance included) on a {body.width_mm:g} mm truck",
    )


def suspension(c: CheckContext) -> Criterion:
    """suspension travel - (mass + tolerance) g / k."""
    s, sink = c.cfg.vehicle.suspension, _sink_mm(c)
    return margin(
        "suspension", s.travel_mm - sink, "mm", f"the pack sinks the cradle {sink:.1f} mm of {s.travel_mm:g} mm travel"
    )


def hoist_landing(c: CheckContext) -> Criterion:
    """min(contact over the laden cradle, contact over a stand) - landing overtravel - hoist.lower_mm.

    Contact (layout): the landing plane on the castings of the shortest pack,
    on the cradle sunk by the heaviest one, or on a stand; the sequence lowers
    past contact by its landing overtravel."""
    p, rig, truck = c.cfg.pack, c.cfg.rig, c.cfg.vehicle
    low_h_m = (p.dimensions.height_mm - p.tolerances.height_mm) * MM
    heaviest = p.mass_kg + p.tolerances.mass_kg
    g = c.cfg.physics.gravity_m_s2
    at_truck = layout.vehicle_contact_hoist_m(rig, truck, p, mass_kg=heaviest, height_m=low_h_m, gravity_m_s2=g) / MM
    at_stand = layout.stand_contact_hoist_m(rig, p, height_m=low_h_m) / MM
    overtravel = c.tuning.landing_slowdown_mm
    lowest = min(at_truck, at_stand) - overtravel
    why = (
        f"landing needs hoist {lowest:.1f} mm (truck {at_truck:.1f}, stand {at_stand:.1f}, overtravel "
        f"{overtravel:g}), the hoist goes down to {rig.axes.hoist.lower_mm:g} mm"
    )
    return margin("hoist_landing", lowest - rig.axes.hoist.lower_mm, "mm", why)


def hoist_carry(c: CheckContext) -> Criterion:
    """hoist.upper_mm - the carry height of the tallest pack (layout: over the
    highest cone tip by the carry clearance)."""
    p, rig, truck = c.cfg.pack, c.cfg.rig, c.cfg.vehicle
    cones = layout.cone_tops_m(rig, truck) / MM
    tall_m = (p.dimensions.height_mm + p.tolerances.height_mm) * MM
    need = layout.carry_hoist_m(rig, truck, p, height_m=tall_m) / MM
    return margin(
        "hoist_carry",
        rig.axes.hoist.upper_mm - need,
        "mm",
        f"carrying over cone tips at {cones:g} mm needs hoist {need:g} mm, the hoist reaches "
        f"{rig.axes.hoist.upper_mm:g} mm",
    )


def hoist_slack(c: CheckContext) -> Criterion:
    """hoist_slack_debounce_s - landing jolt duration, in s.

    Setting the pack down on the truck, the stiff hoist brings the cradle's
    sprung mass to the landing speed within about one physics step, which
    dips the hoist's effort by m_sprung v / step for that step. The
    slack-chain switch ignores dips shorter than its debounce, so the margin
    is the debounce less the jolt's length (one step); and the carried weight
    must stay above the threshold for a load to be carried at all."""
    p, rig, cfg = c.cfg.pack, c.cfg.rig, c.cfg
    st = rig.structure
    hoisted_n = (
        p.mass_kg - p.tolerances.mass_kg + rig.spreader.mass_kg + st.hoist_mass_kg + 2 * st.float_stage_mass_kg
    ) * cfg.physics.gravity_m_s2
    impact_n = cfg.vehicle.suspension.sprung_mass_kg * c.tuning.landing_speed_mm_s * MM / cfg.physics.step_s
    if hoisted_n <= st.hoist_slack_force_n:
        return margin(
            "hoist_slack",
            hoisted_n - st.hoist_slack_force_n,
            "N",
            f"hoist carries {hoisted_n:.0f} N, at or below its slack threshold {st.hoist_slack_force_n:g} N",
        )
    dips = hoisted_n - impact_n < st.hoist_slack_force_n
    spare_s = st.hoist_slack_debounce_s - cfg.physics.step_s if dips else st.hoist_slack_debounce_s
    why = (
        f"landing jolt dips the hoist's {hoisted_n:.0f} N by {impact_n:.0f} N for one {cfg.physics.step_s * 1000:g} "
        f"ms step; "
        f"slack switch at {st.hoist_slack_force_n:g} N debounced {st.hoist_slack_debounce_s * 1000:g} ms"
    )
    return margin("hoist_slack", spare_s, "s", why)


def spreader_coverage(c: CheckContext) -> Criterion:
    """min over castings of the casting's edge distance inside the spreader frame."""
    sp, lp = c.cfg.rig.spreader, c.cfg.pack.lifting_points
    m = min(
        min(sp.length_mm / 2 - abs(x), sp.width_mm / 2 - abs(y)) - lp.casting_size_mm / 2 for x, y in lp.positions_mm
    )
    return margin(
        "spreader_coverage",
        m,
        "mm",
        f"{len(lp.positions_mm)} castings of {lp.casting_size_mm:g} mm under a {sp.length_mm:g} x {sp.width_mm:g} mm "
        f"spreader",
    )


def tooling_range(c: CheckContext) -> Criterion:
    """The span the pack's lifting points ask for, inside the spreader beams' travel."""
    return shared_tooling_range(c, layout.tool_settings_m(c.cfg.pack))


def twist_lock_capture(c: CheckContext) -> Criterion:
    """min over twist-locks and axes of (aperture - head) / 2
    - (|offset to nearest casting| + interface tol + align tol).

    The aperture is the smaller of the pack's casting and the spreader lock's
    own (the twin's twist-lock model uses the latter); its long axis along x.
    The twist-locks stand where the controller sets the span for the pack."""
    lp, lock = c.cfg.pack.lifting_points, c.cfg.rig.spreader_lock
    clear_x = (min(lp.aperture_length_mm, lock.aperture_length_mm) - lock.head_length_mm) / 2
    clear_y = (min(lp.aperture_width_mm, lock.aperture_width_mm) - lock.head_width_mm) / 2
    span_m = set_tooling_mm(c, layout.tool_settings_m(c.cfg.pack))["span"] * MM
    offsets = [nearest(tl, lp.positions_mm) for tl in layout.twist_lock_positions_mm(c.cfg.rig, span_m)]
    m = min(min(clear_x - abs(dx), clear_y - abs(dy)) for dx, dy in offsets) - c.position_error_mm
    worst = max(max(abs(dx), abs(dy)) for dx, dy in offsets)
    why = (
        f"head clearance {clear_x:g} x {clear_y:g} mm vs worst twist-lock offset {worst:g} mm + "
        f"{c.position_error_mm:g} mm position error"
    )
    return margin("twist_lock_capture", m, "mm", why)


def _cones(c: CheckContext) -> list[tuple[str, float, float]]:
    """(where, diameter, height) of the guide cones the pack's sockets meet: the truck's and the stands'."""
    cr, st = c.cfg.vehicle.cradle, c.cfg.rig.storage
    return [("truck's", cr.cone_diameter_mm, cr.cone_height_mm), ("stands'", st.cone_diameter_mm, st.cone_height_mm)]


def cone_capture(c: CheckContext) -> Criterion:
    """min over cone sets of (socket d / 2 + chamfer - cone d / 2) - (interface tol + align tol).

    The cones stand at the sockets' nominal positions (the twin builds them there)."""
    cs = c.cfg.pack.cone_sockets
    where, d, _ = max(_cones(c), key=lambda k: k[1])
    if cs.diameter_mm <= d:
        return Criterion(
            "cone_capture",
            False,
            f"the {where} {d:g} mm cones do not fit the {cs.diameter_mm:g} mm sockets",
            (cs.diameter_mm - d) / 2,
            "mm",
        )
    capture = cs.diameter_mm / 2 + cs.chamfer_mm - d / 2
    return margin(
        "cone_capture",
        capture - c.position_error_mm,
        "mm",
        f"socket capture {capture:g} mm around the {where} {d:g} mm cones vs {c.position_error_mm:g} mm position error",
    )


def cone_depth(c: CheckContext) -> Criterion:
    """socket depth - tallest cone: the pack rests on its seat pads, not on the cones."""
    cs = c.cfg.pack.cone_sockets
    where, _, h = max(_cones(c), key=lambda k: k[2])
    return margin(
        "cone_depth", cs.depth_mm - h, "mm", f"sockets {cs.depth_mm:g} mm deep, the {where} cones stand {h:g} mm"
    )


CRITERIA = (
    ("catalog", catalog),
    ("tooling_range", tooling_range),
    ("truck_width", truck_width),
    ("suspension", suspension),
    ("hoist_landing", hoist_landing),
    ("hoist_carry", hoist_carry),
    ("hoist_slack", hoist_slack),
    ("spreader_coverage", spreader_coverage),
    ("twist_lock_capture", twist_lock_capture),
    ("cone_capture", cone_capture),
    ("cone_depth", cone_depth),
)
