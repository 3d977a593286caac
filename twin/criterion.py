"""One pre-check criterion and what criteria read (``twin/precheck.py`` runs them).

A criterion is a physical requirement with a margin in its unit (positive =
spare, negative = a violation; ``None`` for a yes/no criterion).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

MM = 1e-3
# An exact fit (margin 0 in float arithmetic) passes.
_EPS = 1e-9


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


def margin(name: str, value: float, unit: str, reason: str) -> Criterion:
    return Criterion(name, value >= -_EPS, reason, round(value, 6), unit)


@dataclass(frozen=True)
class CheckContext:
    """What every criterion reads: the plant, and the controller's tuning for its rig family
    (its align tolerance and the overtravels the criteria assume)."""

    cfg: Any  # twin.schema.plant.PlantConfig
    tuning: Any

    @property
    def align_mm(self) -> float:
        """The alignment residual: the sequence stops aligning within this."""
        return self.tuning.align.tolerance_mm

    @property
    def position_error_mm(self) -> float:
        return self.cfg.pack.tolerances.interface_position_mm + self.align_mm

    def required_retention_n(self, *, heaviest: bool) -> float:
        """Required holding force per lock (acceptance: mass x (shock + static) g x SF / locks);
        ``heaviest``: the mass with its tolerance (the pre-check's static worst case)."""
        p = self.cfg.pack
        mass = p.mass_kg + (p.tolerances.mass_kg if heaviest else 0.0)
        return self.cfg.acceptance.required_force_n(
            mass_kg=mass, lock_count=len(p.locks.positions_mm), gravity_m_s2=self.cfg.physics.gravity_m_s2
        )


def nearest(point, candidates) -> tuple[float, float]:
    """(dx, dy) from ``point`` to the nearest of ``candidates``."""
    return min(((cx - point[0], cy - point[1]) for cx, cy in candidates), key=lambda d: math.hypot(*d))


def catalog(c: CheckContext) -> Criterion:
    """The pack's family is in the station's interface catalog: the controller knows what to set its tool to."""
    fid, known = c.cfg.pack.family_id, sorted(c.cfg.station_catalog)
    ok = fid in known
    why = f"{fid} {'is' if ok else 'is not'} in the station's catalog of {len(known)} families"
    if not ok:
        why += f" ({', '.join(known)}): an unknown pack is refused before anything moves"
    return Criterion("catalog", ok, why)


def tooling_range(c: CheckContext, settings_m: dict[str, float]) -> Criterion:
    """min over the tooling axes of the setting's distance inside the axis's [lower, upper] travel."""
    worst, why = math.inf, "no tooling axes"
    for axis, target_m in settings_m.items():
        spec, v = getattr(c.cfg.rig.axes, axis), target_m / MM
        m = min(v - spec.lower_mm, spec.upper_mm - v)
        if m < worst:
            worst = m
            why = f"{axis} set to {v:g} mm in its [{spec.lower_mm:g}, {spec.upper_mm:g}] mm travel (tightest axis)"
    return margin("tooling_range", worst if math.isfinite(worst) else 0.0, "mm", why)


def set_tooling_mm(c: CheckContext, settings_m: dict[str, float]) -> dict[str, float]:
    """Where the controller sets the tooling (its catalog's setting for the pack), held to each
    axis's travel: a setting beyond it stands at the limit."""
    out = {}
    for axis, target_m in settings_m.items():
        spec = getattr(c.cfg.rig.axes, axis)
        out[axis] = min(max(target_m / MM, spec.lower_mm), spec.upper_mm)
    return out
