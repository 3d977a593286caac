"""Hydraulic locking pin (vehicle side), entering a bore in a lug of the pack's flange.

Laws (each checked against its analytic value in tests/twin/locks/test_hydraulic_pin.py):

* Pressure: first order toward the supply (valve ``engage``) or toward tank
  (``release``) with time constant ``pressure_tau_s`` while the station's tool
  is coupled; with the circuit closed (tool away, or ``hold``), the trapped
  pressure leaks down with ``leak_tau_s``. Integrated exactly:
  p(t+dt) = p_target + (p - p_target) exp(-dt / tau).
* Engaging force: F = p * A, A = pi bore^2 / 4. That is what keeps the pin
  extended against its return spring and the friction of the loaded bore.
* Pin motion: extends at the flow-limited speed while p*A exceeds
  spring + friction; the spring retracts it while spring exceeds p*A + friction;
  otherwise it stays. A lug that is off the pin's axis by more than the radial
  clearance stops the pin at the lug face.
* Holding: an engaged pin (inserted at least ``engage_min_mm``, not blocked)
  holds the pack as a form fit, up to the pin's shear capacity
  tau_allow * planes * pi d^2 / 4. The hydraulic force does not hold the pack;
  it holds the pin in place.

Sensors, each on two channels (ISO 13849 category 3 wants the lock status read
redundantly): ``extended`` (pin at least ``engage_min_mm`` out) and
``pressure_ok`` (pressure switch).

Faults of its own: ``pressure_loss`` and ``leak_down`` (the circuit loses its
pressure with the fault's time constant, whatever the valve does).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from swapwire import LOCK_ENGAGE, LOCK_HOLD, LOCK_RELEASE
from twin.locks.base import LockContext, LockModel, LockType
from twin.locks.sweep import Sweep, context, forces
from twin.schema._fields import q

MM = 1e-3
MPA = 1e6


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


def piston_area_m2(cfg: HydraulicPin) -> float:
    return math.pi * (cfg.bore_mm * MM) ** 2 / 4.0


def engaging_force_n(cfg: HydraulicPin, pressure_pa: float) -> float:
    """F = p * A."""
    return pressure_pa * piston_area_m2(cfg)


def shear_capacity_n(cfg: HydraulicPin) -> float:
    """Form-fit capacity of the seated pin: tau_allow * planes * pi d^2 / 4."""
    return cfg.shear_allowable_mpa * MPA * cfg.shear_planes * math.pi * (cfg.pin_diameter_mm * MM) ** 2 / 4.0


def radial_clearance_m(cfg: HydraulicPin) -> float:
    return (cfg.bracket_hole_diameter_mm - cfg.pin_diameter_mm) * MM / 2.0


# A first-order pressure rise is within 1 % of its end value after five time constants.
_SETTLED_TIME_CONSTANTS = 5.0


class HydraulicPinLock(LockModel):
    lock_type = "hydraulic_pin"
    channels = ("extended", "pressure_ok")
    engaged_when = {"extended": True, "pressure_ok": True}
    released_when = {"extended": False}
    after_engage = "hold"  # close the valve once engaged: the pilot check valve traps the pressure

    def __init__(self, cfg: HydraulicPin, *, engaged: bool):
        super().__init__()
        self.cfg = cfg
        self.area_m2 = piston_area_m2(cfg)
        self.pressure_pa = cfg.supply_pressure_mpa * MPA if engaged else 0.0
        self.stroke_m = cfg.stroke_mm * MM if engaged else 0.0
        self.valve = LOCK_HOLD
        self.blocked = False
        self.leak_tau_s: float | None = None  # a leaking circuit (a fault)

    def command(self, action: str) -> None:
        self.valve = action

    def _update(self, dt: float, ctx: LockContext) -> None:
        c = self.cfg
        # 1. Pressure in the extend chamber.
        if ctx.tool_coupled and self.valve == LOCK_ENGAGE:
            target, tau = c.supply_pressure_mpa * MPA, c.pressure_tau_s
        elif ctx.tool_coupled and self.valve == LOCK_RELEASE:
            target, tau = 0.0, c.pressure_tau_s
        else:
            target, tau = 0.0, c.leak_tau_s
        self.pressure_pa = target + (self.pressure_pa - target) * math.exp(-dt / tau)
        # 2. Force balance on the pin, and its flow-limited motion.
        push = self.pressure_pa * self.area_m2
        friction = c.friction_coefficient * ctx.carried_load_n if self.stroke_m > 0.0 else 0.0
        v = c.extend_speed_mm_s * MM
        if push > c.return_spring_n + friction:
            self.stroke_m += v * dt
        elif c.return_spring_n > push + friction:
            self.stroke_m -= v * dt
        self.stroke_m = min(max(self.stroke_m, 0.0), c.stroke_mm * MM)
        # 3. The lug: the pin passes only if the lug's bore is on its axis (y, z
        # offsets within the radial clearance; an unseated pack is off in z).
        radial = math.hypot(float(ctx.offset_m[1]), float(ctx.offset_m[2]))
        self.blocked = radial > radial_clearance_m(c)
        if self.blocked:
            self.stroke_m = min(self.stroke_m, c.lug_gap_mm * MM)

    def _after_update(self, dt: float) -> None:
        if self.leak_tau_s is not None:  # a leaking circuit loses pressure whatever the valve does
            self.pressure_pa *= math.exp(-dt / self.leak_tau_s)

    def _apply_fault(self, kind: str, *, active: bool, rate: float | None) -> None:
        if kind not in ("pressure_loss", "leak_down"):
            super()._apply_fault(kind, active=active, rate=rate)
        self.leak_tau_s = rate if active else None

    @property
    def engaged(self) -> bool:
        return not self.blocked and self.stroke_m >= self.cfg.engage_min_mm * MM

    @property
    def nominal_engage_time_s(self) -> float:
        c = self.cfg
        return c.stroke_mm / c.extend_speed_mm_s + _SETTLED_TIME_CONSTANTS * c.pressure_tau_s

    def holding_force_n(self) -> float:
        return shear_capacity_n(self.cfg) if self.engaged else 0.0

    def insertion_force_n(self) -> float:
        return 0.0  # the pin moves across the insertion axis: no force along it

    def sensors(self) -> dict[str, tuple[bool, bool]]:
        ext = self.stroke_m >= self.cfg.engage_min_mm * MM
        pok = self.pressure_pa >= self.cfg.pressure_switch_mpa * MPA
        return {"extended": (ext, ext), "pressure_ok": (pok, pok)}

    def truth(self) -> dict:
        return {
            "type": self.lock_type,
            "engaged": self.engaged,
            "holding_force_n": self.holding_force_n(),
            "engaging_force_n": engaging_force_n(self.cfg, self.pressure_pa),
            "pressure_pa": self.pressure_pa,
            "stroke_mm": self.stroke_m / MM,
            "blocked": self.blocked,
            "valve": self.valve,
        }


# -- characterise: F = p A keeps the pin out; the seated pin holds its shear capacity -------------
def sweep(cfg: HydraulicPin) -> Sweep:
    """Supply pressure 0..max; the law restated from domain.md (ISO 6020 cylinders, F = p A)."""
    area_m2 = math.pi * (cfg.bore_mm * MM) ** 2 / 4
    capacity_n = cfg.shear_allowable_mpa * MPA * cfg.shear_planes * math.pi * (cfg.pin_diameter_mm * MM) ** 2 / 4
    settle_s = 20 * cfg.pressure_tau_s + cfg.stroke_mm / cfg.extend_speed_mm_s  # exp(-20): settled
    dt = settle_s / 200
    s = Sweep(
        inputs=["pressure_mpa"], x="pressure_mpa", x_label="supply pressure [MPa]", panels=[("holding", "engaging")]
    )
    for p in np.linspace(0.0, cfg.max_pressure_mpa, 26):
        lock = HydraulicPinLock(dataclasses.replace(cfg, supply_pressure_mpa=float(p)), engaged=False)
        lock.command(LOCK_ENGAGE)
        for _ in range(200):
            lock.update(dt, context(np.zeros(3)))
        push_n = p * MPA * area_m2
        s.rows.append(
            {
                "pressure_mpa": float(p),
                **forces(lock),
                "holding_law_n": capacity_n if push_n > cfg.return_spring_n else 0.0,
                "insertion_law_n": 0.0,
                "engaging_model_n": lock.truth()["engaging_force_n"],
                "engaging_law_n": push_n,
            }
        )
    s.curves = {"": s.rows}
    return s


TYPE = LockType(
    name="hydraulic_pin",
    schema=HydraulicPin,
    model=HydraulicPinLock,
    sweep=sweep,
    strength_key="supply_pressure_mpa",
    fault_kinds=frozenset({"pressure_loss", "leak_down"}),
)
