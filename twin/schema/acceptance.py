"""Acceptance limits of a swap: the ``acceptance`` section of the config."""

from __future__ import annotations

from dataclasses import dataclass

from twin.schema._fields import q


@dataclass(frozen=True)
class Acceptance:
    # QC/T 1204.4-2024 section 4.1: fixing points, HV connector and coolant port within +-2 mm (A).
    interface_tolerance_mm: float = q(lo=0.01, hi=50.0, unit="mm")
    interface_tolerance_deg: float = q(lo=0.001, hi=10.0, unit="deg", doc="yaw at mating (D: no standard found)")
    # GB 38031-2025: half-sine 7 g shock in the mounting (A); plus 1 g static; spread over the locks (D).
    retention_shock_g: float = q(lo=0.0, hi=100.0, unit="g")
    retention_static_g: float = q(lo=0.0, hi=10.0, unit="g")
    retention_safety_factor: float = q(lo=1.0, hi=10.0)

    def required_force_n(self, *, mass_kg: float, lock_count: int, gravity_m_s2: float) -> float:
        """mass x (shock + static) x g x safety factor / locks."""
        g_total = self.retention_shock_g + self.retention_static_g
        return mass_kg * g_total * gravity_m_s2 * self.retention_safety_factor / lock_count
