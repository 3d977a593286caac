"""Lock model schemas: the ``lock`` config group, one schema per lock type.

The pack says where its locks anchor (``pack.locks``); this group says what
they are. ``lock=em_latch`` on the command line is a what-if study on the same
pack. Each ``type`` maps to exactly one schema in ``LOCK_SCHEMAS`` (an explicit
table, no implicit registry).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from twin.schema._fields import q


@dataclass(frozen=True)
class HydraulicPin:
    """A hydraulically extended locking pin in the vehicle, entering a bore in
    the pack's flange. Pressure x area keeps the pin engaged against its
    return spring and friction; the engaged pin holds the pack as a form fit,
    up to its shear capacity."""

    type: Literal["hydraulic_pin"] = q()
    # ISO 6020 cylinders: 16 MPa nominal, 25 MPa max; bores 25/32/40/50/63 mm (B, domain.md).
    bore_mm: float = q(lo=10.0, hi=200.0, unit="mm")
    supply_pressure_mpa: float = q(lo=0.5, hi=35.0, unit="MPa")
    max_pressure_mpa: float = q(lo=0.5, hi=40.0, unit="MPa")
    # First-order pressure rise, tau 50-150 ms (D, domain.md).
    pressure_tau_s: float = q(lo=0.005, hi=5.0, unit="s")
    # Stroke 20-40 mm (D, domain.md).
    stroke_mm: float = q(lo=5.0, hi=100.0, unit="mm")
    engage_min_mm: float = q(lo=1.0, hi=100.0, unit="mm", doc="insertion for a full form fit")
    lug_gap_mm: float = q(lo=0.0, hi=100.0, unit="mm", doc="retracted tip to lug face: where a misaligned lug stops the pin")
    extend_speed_mm_s: float = q(lo=1.0, hi=1000.0, unit="mm/s", doc="flow-limited pin speed")
    pin_diameter_mm: float = q(lo=4.0, hi=100.0, unit="mm")
    bracket_hole_diameter_mm: float = q(lo=4.0, hi=120.0, unit="mm")
    return_spring_n: float = q(lo=0.0, hi=20000.0, unit="N")
    friction_coefficient: float = q(lo=0.0, hi=1.0, doc="pin sliding in the loaded bracket bore")
    shear_allowable_mpa: float = q(lo=10.0, hi=2000.0, unit="MPa", doc="allowable shear stress of the pin steel")
    shear_planes: int = q(lo=1, hi=2)
    pressure_switch_mpa: float = q(lo=0.1, hi=35.0, unit="MPa")
    leak_tau_s: float = q(lo=1.0, hi=1e9, unit="s", doc="trapped-pressure decay when the circuit is closed")

    def check(self):
        out = []
        if self.supply_pressure_mpa > self.max_pressure_mpa:
            out.append(("supply_pressure_mpa", f"{self.supply_pressure_mpa} exceeds max_pressure_mpa={self.max_pressure_mpa}"))
        if self.engage_min_mm > self.stroke_mm:
            out.append(("engage_min_mm", f"{self.engage_min_mm} exceeds stroke_mm={self.stroke_mm}"))
        if self.lug_gap_mm >= self.engage_min_mm:
            out.append(("lug_gap_mm", f"{self.lug_gap_mm} must be below engage_min_mm={self.engage_min_mm}"))
        if self.bracket_hole_diameter_mm <= self.pin_diameter_mm:
            out.append(("bracket_hole_diameter_mm", f"{self.bracket_hole_diameter_mm} must exceed pin_diameter_mm={self.pin_diameter_mm}"))
        if self.pressure_switch_mpa >= self.supply_pressure_mpa:
            out.append(("pressure_switch_mpa", f"{self.pressure_switch_mpa} must be below supply_pressure_mpa={self.supply_pressure_mpa}"))
        return out


LockConfig = HydraulicPin

LOCK_SCHEMAS: dict[str, type] = {
    "hydraulic_pin": HydraulicPin,
}
