"""The static pre-check: can a composed plant swap its pack at all?

``check(plant_cfg, tuning=...)`` answers from config data alone, in
milliseconds and without pybullet: one ``Criterion`` per physical
requirement, each with a margin in its unit (positive = spare, negative = a
violation; ``None`` for a yes/no criterion). A pack that fails any criterion
fails the check. The geometry comes from the functions the stations build
their descriptions from (``twin/rigs/<family>/layout.py``), and the lock
criteria drive the lock's own model (``twin.locks.static``), so the check
cannot drift from the twin.

Worst cases: a dimension counts with its tolerance on the unfavourable side
(``pack.tolerances``, QC/T 1204.4-2024 Table 1, A); a feature position with
the interface tolerance (QC/T 1204.4-2024 s4.1, +-2 mm, A) plus the rig's
alignment residual, taken as the controller's align tolerance (the sequence
stops aligning once within it).

Criteria of every plant: ``access``, ``form``, ``vehicle``, ``payload``,
``lock_type``, ``lock_capture``, ``lock_holding``, then the rig family's own
(its ``criteria``), then ``connector_float``, ``voltage``, ``current``.

``access`` comes first: a pack reached from a direction the rig's tool does
not come from (a side-mounted pack, an under-chassis rig before a top-lift
pack) is refused for that reason, naming the rig families of the registry
that do reach it (or none). When the access, the pack's form or the
vehicle's class does not suit the rig, the family's criteria are listed as
"not judged": their geometry does not exist for that combination. They are
not failures (``failed`` names only judged criteria), but a report with any
of them does not pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from twin.criterion import CheckContext, Criterion, margin
from twin.rigs import family as rig_family  # the registry's lookup

MM = 1e-3


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
        """The judged criteria that fail: the reasons a pack is refused."""
        return [c for c in self.criteria if c.judged and not c.passed]

    @property
    def not_judged(self) -> list[Criterion]:
        return [c for c in self.criteria if not c.judged]

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
            "not_judged": [c.name for c in self.not_judged],
            "criteria": [c.to_dict() for c in self.criteria],
        }


# -- criteria of every plant ------------------------------------------------------------
def _access(c: CheckContext) -> Criterion:
    """The pack's access direction is one the rig's tool comes from."""
    from twin.rigs import FAMILIES

    pack, fam = c.cfg.pack, rig_family(c.cfg.rig.family)
    ok = pack.access in fam.access
    words = {"below": "from below", "above": "from above", "side": "from the side"}
    reach = sorted(name for name, f in FAMILIES.items() if pack.access in f.access)
    if ok:
        reaches = " or ".join(words[a] for a in fam.access)
        why = f"pack reached {words[pack.access]}; the {fam.name} rig reaches packs {reaches}"
    else:
        others = f"only the {', '.join(reach)} rig family reaches it" if reach else "no rig family in the registry does"
        why = (
            f"no rig here reaches a pack {words[pack.access]}: the {fam.name} rig reaches packs "
            f"{' or '.join(words[a] for a in fam.access)}; {others}"
        )
    return Criterion("access", ok, why)


def _form(c: CheckContext) -> Criterion:
    rig, pack = c.cfg.rig, c.cfg.pack
    fam = rig_family(rig.family)
    ok = pack.form in fam.pack_forms and rig.family in pack.rig_families
    return Criterion(
        "form",
        ok,
        f"pack form {pack.form} for rigs {list(pack.rig_families)}; "
        f"the {rig.family} rig takes {' or '.join(fam.pack_forms)} packs that list it",
    )


def _vehicle(c: CheckContext) -> Criterion:
    fam, have = rig_family(c.cfg.rig.family), c.cfg.vehicle.vehicle_class
    return Criterion(
        "vehicle",
        have in fam.vehicle_classes,
        f"vehicle class {have}; the {fam.name} rig serves a {' or '.join(fam.vehicle_classes)}",
    )


def _payload(c: CheckContext) -> Criterion:
    """rig.payload_kg - (pack.mass_kg + tolerances.mass_kg)."""
    p, rig = c.cfg.pack, c.cfg.rig
    heaviest = p.mass_kg + p.tolerances.mass_kg
    return margin(
        "payload",
        rig.payload_kg - heaviest,
        "kg",
        f"pack {p.mass_kg:g} + {p.tolerances.mass_kg:g} kg on a {rig.payload_kg:g} kg rig",
    )


def _lock_type(c: CheckContext) -> Criterion:
    """The lock model of the run and the pack's native lock are both in rig.lock_types."""
    used, native, ops = c.cfg.lock.type, c.cfg.pack.locks.native_type, list(c.cfg.rig.lock_types)
    ok = used in ops and native in ops
    what_if = "" if used == native else f" (a what-if: the pack ships with {native})"
    return Criterion("lock_type", ok, f"lock {used}{what_if}; the rig operates {ops}")


def _lock_capture(c: CheckContext) -> Criterion:
    """The lock model's capture - (interface tol + align tol).

    Capture: the largest offset of the pack's lock feature, in any direction,
    at which the model engages when driven as a station drives it
    (``twin.locks.static``: the lock's own law, no physics)."""
    from twin.locks import static

    lock = c.cfg.lock
    capture_mm = static.capture_m(lock, dt_s=c.cfg.wire.control_period_s) / MM
    why = (
        f"the {lock.type} takes its feature up to {capture_mm:.2f} mm off centre vs {c.position_error_mm:g} mm "
        f"position error"
    )
    return margin("lock_capture", capture_mm - c.position_error_mm, "mm", why)


def _lock_holding(c: CheckContext) -> Criterion:
    """min over directions of the model's holding force, engaged with the
    feature at the worst position error - the required retention per lock
    (acceptance: mass with its tolerance x (shock + static) g x safety factor / locks)."""
    from twin.locks import static

    p, lock = c.cfg.pack, c.cfg.lock
    n = len(p.locks.positions_mm)
    required = c.required_retention_n(heaviest=True)
    holding = static.engaged_holding_n(lock, offset_m=c.position_error_mm * MM, dt_s=c.cfg.wire.control_period_s)
    why = (
        f"each of {n} {lock.type} locks holds {holding / 1e3:.1f} kN engaged {c.position_error_mm:g} mm off centre; "
        f"{required / 1e3:.1f} kN required"
    )
    return margin("lock_holding", (holding - required) / 1e3, "kN", why)


def _connector_float(c: CheckContext) -> Criterion:
    """connector.float_mm - (interface_position_mm + align tolerance)."""
    con = c.cfg.pack.connector
    why = (
        f"float {con.float_mm:g} mm vs {c.cfg.pack.tolerances.interface_position_mm:g} mm interface tolerance "
        f"+ {c.align_mm:g} mm align tolerance"
    )
    return margin("connector_float", con.float_mm - c.position_error_mm, "mm", why)


def _voltage(c: CheckContext) -> Criterion:
    """min(V - voltage_min_v, voltage_max_v - V)."""
    v, win = c.cfg.pack.electrical.nominal_voltage_v, c.cfg.rig.electrical
    return margin(
        "voltage",
        min(v - win.voltage_min_v, win.voltage_max_v - v),
        "V",
        f"pack {v:g} V in the racks' [{win.voltage_min_v:g}, {win.voltage_max_v:g}] V",
    )


def _current(c: CheckContext) -> Criterion:
    """rig max_current_a - pack max_current_a."""
    i, limit = c.cfg.pack.electrical.max_current_a, c.cfg.rig.electrical.max_current_a
    return margin("current", limit - i, "A", f"pack {i:g} A, racks rated {limit:g} A")


COMMON: tuple[Callable[[CheckContext], Criterion], ...] = (
    _access,
    _form,
    _vehicle,
    _payload,
    _lock_type,
    _lock_capture,
    _lock_holding,
)
ELECTRICAL: tuple[Callable[[CheckContext], Criterion], ...] = (_connector_float, _voltage, _current)


def check(plant_cfg: Any, *, tuning: Any) -> CheckReport:
    """Judge every criterion for a composed plant; ``tuning``: the controller's
    tuning for the plant's rig family (align tolerance, overtravels)."""
    fam = rig_family(plant_cfg.rig.family)
    ctx = CheckContext(plant_cfg, tuning)
    # 1. What holds for any rig.
    criteria = [f(ctx) for f in COMMON]
    # 2. The rig's own geometry, only where the access, the pack's form and the vehicle suit the rig.
    suits = all(c.passed for c in criteria[:3])
    for name, f in fam.criteria:
        if suits:
            criteria.append(f(ctx))
        else:
            needs = f"needs a {' or '.join(fam.pack_forms)} pack in a {' or '.join(fam.vehicle_classes)}"
            criteria.append(Criterion(name, False, f"not judged: {needs}", judged=False))
    criteria += [f(ctx) for f in ELECTRICAL]
    p = plant_cfg
    return CheckReport(
        rig=f"{p.rig.name} ({p.rig.family})",
        pack=f"{p.pack.family_id} ({p.pack.form})",
        vehicle=f"{p.vehicle.model} ({p.vehicle.vehicle_class})",
        lock=p.lock.type,
        criteria=tuple(criteria),
    )


def margin_text(c: Criterion) -> str:
    if c.margin is None:
        return "-"
    return f"{c.margin:+.2f}".rstrip("0").rstrip(".") + f" {c.unit}"


def format_report(report: CheckReport) -> str:
    """An aligned table: criterion, result, margin with its unit, reason."""
    head = f"swaptwin check: {'PASS' if report.passed else 'FAIL'}"
    lines = [head, f"  rig {report.rig}, pack {report.pack}, vehicle {report.vehicle}, lock {report.lock}", ""]
    rows = [
        (c.name, "pass" if c.passed else "FAIL" if c.judged else "-", margin_text(c), c.reason) for c in report.criteria
    ]
    w_name = max(len("criterion"), *(len(r[0]) for r in rows))
    w_margin = max(len("margin"), *(len(r[2]) for r in rows))
    lines.append(f"  {'criterion':<{w_name}}  {'result':<6}  {'margin':>{w_margin}}  reason")
    lines += [f"  {n:<{w_name}}  {res:<6}  {m:>{w_margin}}  {why}" for n, res, m, why in rows]
    failed = [f"{c.name} ({margin_text(c)})" if c.margin is not None else c.name for c in report.failed]
    if failed:
        lines += ["", f"  failed: {', '.join(failed)}"]
    if report.not_judged:
        lines.append(f"  not judged ({len(report.not_judged)}): the combination lacks their geometry")
    return "\n".join(lines)
