"""``swaptwin check``: a static pre-check of a pack against a rig, its vehicle and its lock.

``check(plant_cfg)`` answers, from config data alone and in milliseconds,
whether a composed plant can swap its pack at all: one ``Criterion`` per
physical requirement, each with a margin in its unit (positive = spare,
negative = violation; ``None`` for a yes/no criterion). A pack that fails
any criterion fails the check. No rigid-body physics runs and pybullet is
never imported: the formulas restate what the twin builds from the same data
(``twin/pack.py``, ``twin/vehicle.py``, ``twin/truck.py``, the stations'
``describe()``), so the check can run before a pack file ever reaches a
simulation, e.g. to filter a qualification matrix. The lock criteria run the
lock's own model (``twin.locks.static``), which is plain physics without
pybullet.

Worst cases: a dimension counts with its tolerance on the unfavourable side
(``pack.tolerances``, QC/T 1204.4-2024 Table 1, A); a feature position with
the interface tolerance (QC/T 1204.4-2024 s4.1, +-2 mm, A) plus the rig's
alignment residual, taken as the controller's align tolerance (the
sequence stops aligning once within it). Heights in mm above the rail plane
(under-chassis) or the ground (overhead).

Criteria of every plant: ``form``, ``vehicle``, ``payload``, ``lock_type``,
``lock_capture``, ``lock_holding``, ``connector_float``, ``voltage``, ``current``. Under-chassis rigs add
``bay_width``, ``bay_length``, ``transport_clearance``, ``lift_reach``,
``pallet_pads``, ``rig_pin_capture``, ``rig_pin_depth``; overhead rigs add
``truck_width``, ``suspension``, ``hoist_landing``, ``hoist_carry``,
``hoist_slack``, ``spreader_coverage``, ``twist_lock_capture``, ``cone_capture``,
``cone_depth``. The formula of each is in its function's docstring. When
the pack's form or the vehicle's class does not suit the rig, the rig's own
criteria are listed as failed and "not judged": their geometry does not
exist for that combination.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from collections.abc import Callable

from controllers.config import ControllerConfig, OverheadTuning, UnderChassisTuning
from twin.schema.plant import PlantConfig

MM = 1e-3
# An exact fit (margin 0 in float arithmetic) passes.
_EPS = 1e-9
_FORM_OF_RIG = {"under_chassis": "underbody", "overhead": "top_lift"}
_VEHICLE_OF_RIG = {"under_chassis": "car", "overhead": "truck"}


@dataclass(frozen=True)
class Criterion:
    name: str
    passed: bool
    reason: str
    margin: float | None = None  # positive = spare, negative = violation; None for yes/no
    unit: str = ""
    judged: bool = True  # False: the combination lacks the geometry this criterion measures

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class CheckReport:
    rig: str
    pack: str
    vehicle: str
    lock: str
    criteria: tuple[Criterion, ...]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.criteria)

    @property
    def failed(self) -> list[Criterion]:
        return [c for c in self.criteria if not c.passed]

    def criterion(self, name: str) -> Criterion:
        return next(c for c in self.criteria if c.name == name)

    def to_dict(self) -> dict:
        return {
            "passed": self.passed,
            "rig": self.rig,
            "pack": self.pack,
            "vehicle": self.vehicle,
            "lock": self.lock,
            "failed": [c.name for c in self.failed],
            "criteria": [c.to_dict() for c in self.criteria],
        }


def _margin(name: str, margin: float, unit: str, reason: str) -> Criterion:
    return Criterion(name, margin >= -_EPS, reason, round(margin, 6), unit)


@dataclass(frozen=True)
class _Ctx:
    """What every criterion reads: the plant, and the controller's tuning for its rig family."""

    cfg: PlantConfig
    tuning: UnderChassisTuning | OverheadTuning

    @property
    def align_mm(self) -> float:
        """The alignment residual: the sequence stops aligning within this."""
        return self.tuning.align.tolerance_mm

    @property
    def position_error_mm(self) -> float:
        return self.cfg.pack.tolerances.interface_position_mm + self.align_mm


# -- criteria of every plant ------------------------------------------------------------
def _form(c: _Ctx) -> Criterion:
    rig, pack = c.cfg.rig, c.cfg.pack
    want = _FORM_OF_RIG[rig.family]
    ok = pack.form == want and rig.family in pack.rig_families
    return Criterion(
        "form",
        ok,
        f"pack form {pack.form} for rigs {list(pack.rig_families)}; the {rig.family} rig takes {want} packs that "
        f"list it",
    )


def _vehicle(c: _Ctx) -> Criterion:
    want, have = _VEHICLE_OF_RIG[c.cfg.rig.family], c.cfg.vehicle.vehicle_class
    return Criterion("vehicle", have == want, f"vehicle class {have}; the {c.cfg.rig.family} rig serves a {want}")


def _payload(c: _Ctx) -> Criterion:
    """rig.payload_kg - (pack.mass_kg + tolerances.mass_kg)."""
    p, rig = c.cfg.pack, c.cfg.rig
    heaviest = p.mass_kg + p.tolerances.mass_kg
    return _margin(
        "payload",
        rig.payload_kg - heaviest,
        "kg",
        f"pack {p.mass_kg:g} + {p.tolerances.mass_kg:g} kg on a {rig.payload_kg:g} kg rig",
    )


def _lock_type(c: _Ctx) -> Criterion:
    """The lock model of the run and the pack's native lock are both in rig.lock_types."""
    used, native, ops = c.cfg.lock.type, c.cfg.pack.locks.native_type, list(c.cfg.rig.lock_types)
    ok = used in ops and native in ops
    what_if = "" if used == native else f" (a what-if: the pack ships with {native})"
    return Criterion("lock_type", ok, f"lock {used}{what_if}; the rig operates {ops}")


def _lock_capture(c: _Ctx) -> Criterion:
    """The lock model's capture - (interface tol + align tol).

    Capture: the largest offset of the pack's lock feature, in any direction,
    at which the model engages when driven as a station drives it
    (``twin.locks.static``: the lock's own law, no physics)."""
    from twin.locks import static

    lock = c.cfg.lock
    capture_mm = static.capture_m(lock) / MM
    why = (
        f"the {lock.type} takes its feature up to {capture_mm:.2f} mm off centre vs {c.position_error_mm:g} mm "
        f"position error"
    )
    return _margin("lock_capture", capture_mm - c.position_error_mm, "mm", why)


def _lock_holding(c: _Ctx) -> Criterion:
    """min over directions of the model's holding force, engaged with the
    feature at the worst position error - the required retention per lock
    (acceptance: mass with its tolerance x (shock + static) g x safety factor / locks)."""
    from twin.locks import static

    p, lock = c.cfg.pack, c.cfg.lock
    n = len(p.locks.positions_mm)
    required = c.cfg.acceptance.required_force_n(
        mass_kg=p.mass_kg + p.tolerances.mass_kg, lock_count=n, gravity_m_s2=c.cfg.physics.gravity_m_s2
    )
    holding = static.engaged_holding_n(lock, offset_m=c.position_error_mm * MM)
    why = (
        f"each of {n} {lock.type} locks holds {holding / 1e3:.1f} kN engaged {c.position_error_mm:g} mm off centre; "
        f"{required / 1e3:.1f} kN required"
    )
    return _margin("lock_holding", (holding - required) / 1e3, "kN", why)


def _connector_float(c: _Ctx) -> Criterion:
    """connector.float_mm - (interface_position_mm + align tolerance)."""
    con = c.cfg.pack.connector
    why = (
        f"float {con.float_mm:g} mm vs {c.cfg.pack.tolerances.interface_position_mm:g} mm interface tolerance + "
        f"{c.align_mm:g} mm align tolerance"
    )
    return _margin("connector_float", con.float_mm - c.position_error_mm, "mm", why)


def _voltage(c: _Ctx) -> Criterion:
    """min(V - voltage_min_v, voltage_max_v - V)."""
    v, win = c.cfg.pack.electrical.nominal_voltage_v, c.cfg.rig.electrical
    return _margin(
        "voltage",
        min(v - win.voltage_min_v, win.voltage_max_v - v),
        "V",
        f"pack {v:g} V in the racks' [{win.voltage_min_v:g}, {win.voltage_max_v:g}] V",
    )


def _current(c: _Ctx) -> Criterion:
    """rig max_current_a - pack max_current_a."""
    i, limit = c.cfg.pack.electrical.max_current_a, c.cfg.rig.electrical.max_current_a
    return _margin("current", limit - i, "A", f"pack {i:g} A, racks rated {limit:g} A")


# -- under-chassis rig, car bay -----------------------------------------------------------
def _bay_width(c: _Ctx) -> Criterion:
    """bay.width_mm - (width + 2 flange widths + width tolerance)."""
    p, bay = c.cfg.pack, c.cfg.vehicle.bay
    outer = p.dimensions.width_mm + 2 * p.flange.width_mm + p.tolerances.width_mm
    return _margin(
        "bay_width",
        bay.width_mm - outer,
        "mm",
        f"pack {outer:g} mm over its flanges (tolerance included) in a {bay.width_mm:g} mm bay",
    )


def _bay_length(c: _Ctx) -> Criterion:
    """bay.length_mm - (length + length tolerance)."""
    p, bay = c.cfg.pack, c.cfg.vehicle.bay
    outer = p.dimensions.length_mm + p.tolerances.length_mm
    return _margin(
        "bay_length",
        bay.length_mm - outer,
        "mm",
        f"pack {outer:g} mm long (tolerance included) in a {bay.length_mm:g} mm bay",
    )


def _carry_top_mm(c: _Ctx) -> float:
    """Pallet pad tops while the shuttle carries: the stored pack's bottom plus the carry clearance."""
    st = c.cfg.rig.storage
    return st.pack_bottom_mm + st.carry_clearance_mm


def _transport_clearance(c: _Ctx) -> Criterion:
    """(seat height - wall depth) - (carry height + height + tolerance + locating pin length).

    The shuttle carries the charged pack under the car's end walls at its
    carry height; the pack's locating pins stand highest."""
    p, bay = c.cfg.pack, c.cfg.vehicle.bay
    walls_bottom = bay.seat_height_mm - bay.wall_depth_mm
    top = _carry_top_mm(c) + p.dimensions.height_mm + p.tolerances.height_mm + p.locating_pins.length_mm
    why = (
        f"carried pack's pins reach {top:g} mm, the bay's walls come down to {walls_bottom:g} mm (pack "
        f"{p.dimensions.height_mm:g} mm tall, walls {bay.wall_depth_mm:g} mm deep)"
    )
    return _margin("transport_clearance", walls_bottom - top, "mm", why)


def _lift_reach(c: _Ctx) -> Criterion:
    """lift.upper_mm - (seat height - (height - tolerance) - pallet top at lift 0 + seat overtravel)."""
    p, rig, bay = c.cfg.pack, c.cfg.rig, c.cfg.vehicle.bay
    overtravel = c.tuning.seat_overtravel_mm
    need = (
        bay.seat_height_mm
        - (p.dimensions.height_mm - p.tolerances.height_mm)
        - rig.pallet.top_at_lift_zero_mm
        + overtravel
    )
    return _margin(
        "lift_reach",
        rig.axes.lift.upper_mm - need,
        "mm",
        f"seating needs lift {need:g} mm (incl. {overtravel:g} mm overtravel), the lift reaches "
        f"{rig.axes.lift.upper_mm:g} mm",
    )


def _pallet_pads(c: _Ctx) -> Criterion:
    """min over pads of the pad's edge distance inside the pack's smallest bottom face."""
    p, pal = c.cfg.pack, c.cfg.rig.pallet
    half_l = (p.dimensions.length_mm - p.tolerances.length_mm) / 2
    half_w = (p.dimensions.width_mm - p.tolerances.width_mm) / 2
    m = min(min(half_l - abs(x), half_w - abs(y)) - pal.pad_size_mm / 2 for x, y in pal.pad_positions_mm)
    return _margin(
        "pallet_pads",
        m,
        "mm",
        f"{len(pal.pad_positions_mm)} pads of {pal.pad_size_mm:g} mm under a {2 * half_l:g} x {2 * half_w:g} mm "
        f"bottom face",
    )


def _nearest(point, candidates) -> tuple[float, float]:
    """(dx, dy) from ``point`` to the nearest of ``candidates``."""
    return min(((cx - point[0], cy - point[1]) for cx, cy in candidates), key=lambda d: math.hypot(*d))


def _rig_pin_capture(c: _Ctx) -> Criterion:
    """min over pallet pins of (chamfer + (hole d - pin d) / 2) - (|pin - nearest hole| + interface tol + align tol).

    A pin whose side is inside the chamfer's mouth slides in on the 45 degree lead-in."""
    holes, pal = c.cfg.pack.rig_holes, c.cfg.rig.pallet
    clearance = (holes.diameter_mm - pal.pin_diameter_mm) / 2
    if clearance <= 0:
        return Criterion(
            "rig_pin_capture",
            False,
            f"pallet pins ({pal.pin_diameter_mm:g} mm) do not fit the {holes.diameter_mm:g} mm holes",
            clearance,
            "mm",
        )
    capture = holes.chamfer_mm + clearance
    worst = max(math.hypot(*_nearest(pin, holes.positions_mm)) for pin in pal.pin_positions_mm)
    why = f"capture {capture:g} mm vs worst pin offset {worst:g} mm + {c.position_error_mm:g} mm position error"
    return _margin("rig_pin_capture", capture - worst - c.position_error_mm, "mm", why)


def _rig_pin_depth(c: _Ctx) -> Criterion:
    """rig_holes.depth_mm - pallet pin_length_mm: the pack rests on the pads, not on the pins."""
    holes, pal = c.cfg.pack.rig_holes, c.cfg.rig.pallet
    return _margin(
        "rig_pin_depth",
        holes.depth_mm - pal.pin_length_mm,
        "mm",
        f"pins stand {pal.pin_length_mm:g} mm, holes are {holes.depth_mm:g} mm deep",
    )


# -- overhead rig, truck cradle ------------------------------------------------------------
def _sink_mm(c: _Ctx) -> float:
    """Static deflection of the truck's suspension under the heaviest pack (twin/truck.py: m g / k)."""
    p = c.cfg.pack
    return (p.mass_kg + p.tolerances.mass_kg) * c.cfg.physics.gravity_m_s2 / c.cfg.vehicle.suspension.stiffness_n_per_mm


def _truck_width(c: _Ctx) -> Criterion:
    """vehicle body width - (width + width tolerance)."""
    p, body = c.cfg.pack, c.cfg.vehicle.body
    outer = p.dimensions.width_mm + p.tolerances.width_mm
    return _margin(
        "truck_width",
        body.width_mm - outer,
        "mm",
        f"pack {outer:g} mm wide (tolerance included) on a {body.width_mm:g} mm truck",
    )


def _suspension(c: _Ctx) -> Criterion:
    """suspension travel - (mass + tolerance) g / k."""
    s, sink = c.cfg.vehicle.suspension, _sink_mm(c)
    return _margin(
        "suspension", s.travel_mm - sink, "mm", f"the pack sinks the cradle {sink:.1f} mm of {s.travel_mm:g} mm travel"
    )


def _hoist_at(c: _Ctx, pack_top_mm: float) -> float:
    """Hoist position whose landing plane meets the castings of a pack with its top face at ``pack_top_mm``."""
    return pack_top_mm + c.cfg.pack.lifting_points.casting_height_mm - c.cfg.rig.spreader.hoist_zero_height_mm


def _hoist_landing(c: _Ctx) -> Criterion:
    """min(contact over the laden cradle, contact over a stand) - landing overtravel - hoist.lower_mm.

    Contact = seat height + (height - tolerance) + casting height - hoist zero height;
    the sequence lowers past contact by its landing overtravel."""
    p, rig, truck = c.cfg.pack, c.cfg.rig, c.cfg.vehicle
    low_h = p.dimensions.height_mm - p.tolerances.height_mm
    at_truck = _hoist_at(c, truck.cradle.seat_height_mm - _sink_mm(c) + low_h)
    at_stand = _hoist_at(c, rig.storage.seat_height_mm + low_h)
    overtravel = c.tuning.landing_slowdown_mm
    lowest = min(at_truck, at_stand) - overtravel
    why = (
        f"landing needs hoist {lowest:.1f} mm (truck {at_truck:.1f}, stand {at_stand:.1f}, overtravel "
        f"{overtravel:g}), the hoist goes down to {rig.axes.hoist.lower_mm:g} mm"
    )
    return _margin("hoist_landing", lowest - rig.axes.hoist.lower_mm, "mm", why)


def _hoist_carry(c: _Ctx) -> Criterion:
    """hoist.upper_mm - (highest cone tip + carry clearance + height + tolerance
    + casting height - hoist zero height)."""
    p, rig, truck = c.cfg.pack, c.cfg.rig, c.cfg.vehicle
    cones = max(
        truck.cradle.seat_height_mm + truck.cradle.cone_height_mm,
        rig.storage.seat_height_mm + rig.storage.cone_height_mm,
    )
    need = _hoist_at(c, cones + rig.storage.carry_clearance_mm + p.dimensions.height_mm + p.tolerances.height_mm)
    return _margin(
        "hoist_carry",
        rig.axes.hoist.upper_mm - need,
        "mm",
        f"carrying over cone tips at {cones:g} mm needs hoist {need:g} mm, the hoist reaches "
        f"{rig.axes.hoist.upper_mm:g} mm",
    )


def _hoist_slack(c: _Ctx) -> Criterion:
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
        return _margin(
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
    return _margin("hoist_slack", spare_s, "s", why)


def _spreader_coverage(c: _Ctx) -> Criterion:
    """min over castings of the casting's edge distance inside the spreader frame."""
    sp, lp = c.cfg.rig.spreader, c.cfg.pack.lifting_points
    m = min(
        min(sp.length_mm / 2 - abs(x), sp.width_mm / 2 - abs(y)) - lp.casting_size_mm / 2 for x, y in lp.positions_mm
    )
    return _margin(
        "spreader_coverage",
        m,
        "mm",
        f"{len(lp.positions_mm)} castings of {lp.casting_size_mm:g} mm under a {sp.length_mm:g} x {sp.width_mm:g} mm "
        f"spreader",
    )


def _twist_lock_capture(c: _Ctx) -> Criterion:
    """min over twist-locks and axes of (aperture - head) / 2
    - (|offset to nearest casting| + interface tol + align tol).

    The aperture is the smaller of the pack's casting and the spreader lock's
    own (the twin's twist-lock model uses the latter); its long axis along x."""
    lp, lock = c.cfg.pack.lifting_points, c.cfg.rig.spreader_lock
    clear_x = (min(lp.aperture_length_mm, lock.aperture_length_mm) - lock.head_length_mm) / 2
    clear_y = (min(lp.aperture_width_mm, lock.aperture_width_mm) - lock.head_width_mm) / 2
    offsets = [_nearest(tl, lp.positions_mm) for tl in c.cfg.rig.spreader.twist_lock_positions_mm]
    m = min(min(clear_x - abs(dx), clear_y - abs(dy)) for dx, dy in offsets) - c.position_error_mm
    worst = max(max(abs(dx), abs(dy)) for dx, dy in offsets)
    why = (
        f"head clearance {clear_x:g} x {clear_y:g} mm vs worst twist-lock offset {worst:g} mm + "
        f"{c.position_error_mm:g} mm position error"
    )
    return _margin("twist_lock_capture", m, "mm", why)


def _cones(c: _Ctx) -> list[tuple[str, float, float]]:
    """(where, diameter, height) of the guide cones the pack's sockets meet: the truck's and the stands'."""
    cr, st = c.cfg.vehicle.cradle, c.cfg.rig.storage
    return [("truck's", cr.cone_diameter_mm, cr.cone_height_mm), ("stands'", st.cone_diameter_mm, st.cone_height_mm)]


def _cone_capture(c: _Ctx) -> Criterion:
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
    return _margin(
        "cone_capture",
        capture - c.position_error_mm,
        "mm",
        f"socket capture {capture:g} mm around the {where} {d:g} mm cones vs {c.position_error_mm:g} mm position error",
    )


def _cone_depth(c: _Ctx) -> Criterion:
    """socket depth - tallest cone: the pack rests on its seat pads, not on the cones."""
    cs = c.cfg.pack.cone_sockets
    where, _, h = max(_cones(c), key=lambda k: k[2])
    return _margin(
        "cone_depth", cs.depth_mm - h, "mm", f"sockets {cs.depth_mm:g} mm deep, the {where} cones stand {h:g} mm"
    )


_COMMON: tuple[Callable[[_Ctx], Criterion], ...] = (_form, _vehicle, _payload, _lock_type, _lock_capture, _lock_holding)
_ELECTRICAL = (_connector_float, _voltage, _current)
_RIG_CRITERIA: dict[str, tuple[tuple[str, Callable[[_Ctx], Criterion]], ...]] = {
    "under_chassis": (
        ("bay_width", _bay_width),
        ("bay_length", _bay_length),
        ("transport_clearance", _transport_clearance),
        ("lift_reach", _lift_reach),
        ("pallet_pads", _pallet_pads),
        ("rig_pin_capture", _rig_pin_capture),
        ("rig_pin_depth", _rig_pin_depth),
    ),
    "overhead": (
        ("truck_width", _truck_width),
        ("suspension", _suspension),
        ("hoist_landing", _hoist_landing),
        ("hoist_carry", _hoist_carry),
        ("hoist_slack", _hoist_slack),
        ("spreader_coverage", _spreader_coverage),
        ("twist_lock_capture", _twist_lock_capture),
        ("cone_capture", _cone_capture),
        ("cone_depth", _cone_depth),
    ),
}


def _default_controller() -> ControllerConfig:
    """Our sequencer's tuning, read straight from its file (no Hydra composition)."""
    from omegaconf import OmegaConf

    from swaptwin.config import CONFIG_DIR
    from twin.schema import build

    path = CONFIG_DIR / "controller" / "sequencer.yaml"
    return build(
        ControllerConfig,
        OmegaConf.to_container(OmegaConf.load(path), resolve=True),
        where=f"configs/controller/{path.name}",
        key="controller",
    )


def check(plant_cfg: PlantConfig, *, controller: ControllerConfig | None = None) -> CheckReport:
    """Judge every criterion for a composed plant (``swaptwin.config.load(...).plant``).

    ``controller``: the tuning whose align tolerance and overtravel the
    criteria assume (``swaptwin.config.load(...).controller``); by default
    ``configs/controller/sequencer.yaml``.
    """
    # 1. The controller's tuning for this rig family: align tolerance, overtravel, landing speed.
    family = plant_cfg.rig.family
    ctx = _Ctx(plant_cfg, getattr(controller or _default_controller(), family))
    # 2. What holds for any rig.
    criteria = [f(ctx) for f in _COMMON]
    # 3. The rig's own geometry, only where the pack's form and the vehicle suit the rig.
    suits = criteria[0].passed and criteria[1].passed
    for name, f in _RIG_CRITERIA[family]:
        criteria.append(
            f(ctx)
            if suits
            else Criterion(
                name,
                False,
                f"not judged: needs a {_FORM_OF_RIG[family]} pack in a {_VEHICLE_OF_RIG[family]}",
                judged=False,
            )
        )
    criteria += [f(ctx) for f in _ELECTRICAL]
    p = plant_cfg
    return CheckReport(
        rig=f"{p.rig.name} ({family})",
        pack=f"{p.pack.family_id} ({p.pack.form})",
        vehicle=f"{p.vehicle.model} ({p.vehicle.vehicle_class})",
        lock=p.lock.type,
        criteria=tuple(criteria),
    )


def _margin_text(c: Criterion) -> str:
    if c.margin is None:
        return "-"
    return f"{c.margin:+.2f}".rstrip("0").rstrip(".") + f" {c.unit}"


def format_report(report: CheckReport) -> str:
    """An aligned table: criterion, result, margin with its unit, reason."""
    head = f"swaptwin check: {'PASS' if report.passed else 'FAIL'}"
    lines = [head, f"  rig {report.rig}, pack {report.pack}, vehicle {report.vehicle}, lock {report.lock}", ""]
    rows = [
        (c.name, "pass" if c.passed else "FAIL" if c.judged else "-", _margin_text(c), c.reason)
        for c in report.criteria
    ]
    w_name = max(len("criterion"), *(len(r[0]) for r in rows))
    w_margin = max(len("margin"), *(len(r[2]) for r in rows))
    lines.append(f"  {'criterion':<{w_name}}  {'result':<6}  {'margin':>{w_margin}}  reason")
    lines += [f"  {n:<{w_name}}  {res:<6}  {m:>{w_margin}}  {why}" for n, res, m, why in rows]
    failed = [c.name for c in report.failed if c.judged]
    if failed:
        lines += ["", f"  failed: {', '.join(failed)}"]
    return "\n".join(lines)


__all__ = ["CheckReport", "Criterion", "check", "format_report"]
