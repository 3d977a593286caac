"""Lock model schemas: the ``lock`` config group, one schema per lock type.

The pack says where its locks anchor (``pack.locks``); this group says what
they are. ``lock=em_latch`` on the command line is a what-if study on the same
pack. Each ``type`` maps to exactly one schema in ``LOCK_SCHEMAS`` (an explicit
table, no implicit registry).
"""

from __future__ import annotations

import math
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
    lug_gap_mm: float = q(
        lo=0.0, hi=100.0, unit="mm", doc="retracted tip to lug face: where a misaligned lug stops the pin"
    )
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
            out.append(
                ("supply_pressure_mpa", f"{self.supply_pressure_mpa} exceeds max_pressure_mpa={self.max_pressure_mpa}")
            )
        if self.engage_min_mm > self.stroke_mm:
            out.append(("engage_min_mm", f"{self.engage_min_mm} exceeds stroke_mm={self.stroke_mm}"))
        if self.lug_gap_mm >= self.engage_min_mm:
            out.append(("lug_gap_mm", f"{self.lug_gap_mm} must be below engage_min_mm={self.engage_min_mm}"))
        if self.bracket_hole_diameter_mm <= self.pin_diameter_mm:
            out.append(
                (
                    "bracket_hole_diameter_mm",
                    f"{self.bracket_hole_diameter_mm} must exceed pin_diameter_mm={self.pin_diameter_mm}",
                )
            )
        if self.pressure_switch_mpa >= self.supply_pressure_mpa:
            out.append(
                (
                    "pressure_switch_mpa",
                    f"{self.pressure_switch_mpa} must be below supply_pressure_mpa={self.supply_pressure_mpa}",
                )
            )
        return out


@dataclass(frozen=True)
class EmLatch:
    """An electromagnetic latch: the magnet on the vehicle's seat, an armature
    plate on the pack's flange. Pull F(g) = F0 (i / i_rated) A_overlap / (1 + g/g0)^2
    across the air gap g; the plate in contact holds the pack up to that pull.
    ``power_to_hold`` holds only while its coil carries current (it lets go
    on a vehicle power loss); ``electro_permanent`` is switched on or off by a
    current pulse and holds with no power at all (fail-secure)."""

    type: Literal["em_latch"] = q()
    variant: Literal["power_to_hold", "electro_permanent"] = q(
        doc="power_to_hold lets go on power loss; electro_permanent holds"
    )
    # Catalog latches pull 1.3-8.9 kN (B, domain.md); F0 is at rated current and zero gap.
    rated_pull_n: float = q(lo=100.0, hi=1e6, unit="N", doc="F0: pull at rated current and zero gap")
    # F(g) = F0 / (1 + g/g0)^2 with g0 = 1.21 mm halves the pull at 0.5 mm (B point, D fit).
    gap_scale_mm: float = q(lo=0.01, hi=100.0, unit="mm", doc="g0 of the gap law")
    residual_gap_mm: float = q(lo=0.0, hi=5.0, unit="mm", doc="air gap left when the plate lies on the magnet")
    gap_closed_mm: float = q(
        lo=0.01, hi=10.0, unit="mm", doc="gap switch: below this gap the plate counts as on the magnet"
    )
    attraction_range_mm: float = q(
        lo=0.1, hi=100.0, unit="mm", doc="beyond this gap the magnet pulls nothing (the fit is not trusted)"
    )
    face_length_mm: float = q(lo=5.0, hi=1000.0, unit="mm", doc="pole face along the lock's x axis")
    face_width_mm: float = q(lo=5.0, hi=1000.0, unit="mm", doc="pole face along the lock's y axis")
    rated_current_a: float = q(lo=0.01, hi=100.0, unit="A")
    coil_tau_s: float = q(lo=1e-4, hi=10.0, unit="s", doc="L/R of the coil: first-order current rise")
    release_delay_s: float = q(lo=0.0, hi=10.0, unit="s", doc="switch-off (or demagnetising pulse) to zero pull")
    field_switch_fraction: float = q(
        lo=0.05, hi=1.0, doc="current (or magnetisation) sensor threshold, fraction of rated"
    )
    # Shear holding is about 1/5 of pull (B, domain.md).
    shear_fraction: float = q(lo=0.01, hi=1.0, doc="shear holding / pull holding")

    def check(self):
        out = []
        if self.gap_closed_mm <= self.residual_gap_mm:
            out.append(
                (
                    "gap_closed_mm",
                    f"{self.gap_closed_mm} must exceed residual_gap_mm={self.residual_gap_mm}: the plate could never "
                    f"count as closed",
                )
            )
        if self.attraction_range_mm < self.gap_closed_mm:
            out.append(
                (
                    "attraction_range_mm",
                    f"{self.attraction_range_mm} must be at least gap_closed_mm={self.gap_closed_mm}",
                )
            )
        return out


@dataclass(frozen=True)
class MechClip:
    """A spring-loaded pawl with a lead-in ramp on the vehicle that snaps over
    a lug on the pack's flange as the pack rises. The ramp turns the lift's
    push into the pawl's deflection (Bayer/Covestro snap-fit mating force
    W = P (mu + tan a) / (1 - mu tan a)); the retention face near 90 degrees is
    self-locking, so the seated pawl holds up to its own strength. Only the
    station's release tool, pushing the pawl over its whole stroke against
    the spring, lets the pack go."""

    type: Literal["mech_clip"] = q()
    # Steel spring pawl: preload 100-300 N, ramp 30-45 deg, unlock 100-500 N over 5-15 mm (D, domain.md).
    spring_preload_n: float = q(lo=0.0, hi=5000.0, unit="N", doc="spring force on the closed pawl")
    spring_rate_n_per_mm: float = q(lo=0.0, hi=1000.0, unit="N/mm")
    spring_factor: float = q(lo=0.0, hi=2.0, doc="1 intact; 0 a broken spring (scales preload and rate)")
    ramp_angle_deg: float = q(lo=5.0, hi=75.0, unit="deg", doc="lead-in angle from the insertion axis")
    friction_coefficient: float = q(lo=0.0, hi=1.0, doc="lug on ramp")
    pawl_stroke_mm: float = q(lo=1.0, hi=50.0, unit="mm", doc="pawl deflection that clears the lug (the ramp's depth)")
    latch_play_mm: float = q(lo=0.0, hi=10.0, unit="mm", doc="seated lug above the retention face")
    lateral_capture_mm: float = q(lo=1.0, hi=200.0, unit="mm", doc="lug offset across the pawl that still meets it")
    retention_capacity_n: float = q(lo=100.0, hi=1e6, unit="N", doc="shear/bearing strength of the closed pawl")
    release_tool_force_n: float = q(lo=0.0, hi=10000.0, unit="N")
    release_tool_speed_mm_s: float = q(lo=0.1, hi=1000.0, unit="mm/s")
    closed_switch_mm: float = q(
        lo=0.01, hi=50.0, unit="mm", doc="pawl deflection below which the position switch reads closed"
    )

    def check(self):
        out = []
        if self.friction_coefficient * math.tan(math.radians(self.ramp_angle_deg)) >= 1.0:
            out.append(
                (
                    "ramp_angle_deg",
                    f"{self.ramp_angle_deg} with friction_coefficient={self.friction_coefficient} is self-locking: "
                    f"mu tan(a) must be below 1",
                )
            )
        if self.closed_switch_mm >= self.pawl_stroke_mm:
            out.append(
                ("closed_switch_mm", f"{self.closed_switch_mm} must be below pawl_stroke_mm={self.pawl_stroke_mm}")
            )
        return out


@dataclass(frozen=True)
class TwistLock:
    """An ISO 1161-style twist-lock: a head that enters a corner casting's
    oblong aperture and turns 90 degrees so that its long axis lies across the
    aperture's flats. Used on an overhead rig's spreader and as a pack-to-frame
    lock. It turns only when seated; engaged, it holds up to its rated
    capacity."""

    type: Literal["twist_lock"] = q()
    # ISO 1161 top aperture: 124.5 mm long axis, flats 63.5 mm apart; head ~104 x 56 mm (B, domain.md).
    aperture_length_mm: float = q(lo=10.0, hi=500.0, unit="mm")
    aperture_width_mm: float = q(lo=10.0, hi=500.0, unit="mm")
    head_length_mm: float = q(lo=10.0, hi=500.0, unit="mm")
    head_width_mm: float = q(lo=10.0, hi=500.0, unit="mm")
    turn_deg: float = q(lo=10.0, hi=180.0, unit="deg", doc="unlocked to locked; 90 deg (B)")
    locked_min_deg: float = q(
        lo=1.0, hi=180.0, unit="deg", doc="turned at least this far: engaged and the locked switch on"
    )
    unlocked_max_deg: float = q(lo=0.0, hi=90.0, unit="deg", doc="the unlocked switch reads below this angle")
    turn_speed_deg_s: float = q(lo=1.0, hi=3600.0, unit="deg/s")
    seat_tolerance_mm: float = q(lo=0.1, hi=50.0, unit="mm", doc="|z| within this counts as seated (landing switch)")
    rated_capacity_n: float = q(lo=1000.0, hi=1e7, unit="N", doc="working load of the engaged lock along its axis")

    def check(self):
        out = []
        if self.head_length_mm >= self.aperture_length_mm:
            out.append(
                (
                    "head_length_mm",
                    f"{self.head_length_mm} must be below aperture_length_mm={self.aperture_length_mm}: the head "
                    f"could not enter",
                )
            )
        if self.head_width_mm >= self.aperture_width_mm:
            out.append(
                (
                    "head_width_mm",
                    f"{self.head_width_mm} must be below aperture_width_mm={self.aperture_width_mm}: the head could "
                    f"not enter",
                )
            )
        if self.head_length_mm <= self.aperture_width_mm:
            out.append(
                (
                    "head_length_mm",
                    f"{self.head_length_mm} must exceed aperture_width_mm={self.aperture_width_mm}: the turned head "
                    f"would slip out",
                )
            )
        if self.locked_min_deg > self.turn_deg:
            out.append(("locked_min_deg", f"{self.locked_min_deg} exceeds turn_deg={self.turn_deg}"))
        if self.unlocked_max_deg >= self.locked_min_deg:
            out.append(
                ("unlocked_max_deg", f"{self.unlocked_max_deg} must be below locked_min_deg={self.locked_min_deg}")
            )
        return out


LockConfig = HydraulicPin | EmLatch | MechClip | TwistLock

LOCK_SCHEMAS: dict[str, type] = {
    "hydraulic_pin": HydraulicPin,
    "em_latch": EmLatch,
    "mech_clip": MechClip,
    "twist_lock": TwistLock,
}
