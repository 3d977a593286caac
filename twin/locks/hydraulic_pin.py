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
"""

from __future__ import annotations

import math

from controllers import wire
from twin.locks.base import LockContext
from twin.schema.lock import HydraulicPin

MM = 1e-3
MPA = 1e6


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


class HydraulicPinLock:
    lock_type = "hydraulic_pin"
    channels = ("extended", "pressure_ok")

    def __init__(self, cfg: HydraulicPin, *, engaged: bool):
        self.cfg = cfg
        self.area_m2 = piston_area_m2(cfg)
        self.pressure_pa = cfg.supply_pressure_mpa * MPA if engaged else 0.0
        self.stroke_m = cfg.stroke_mm * MM if engaged else 0.0
        self.valve = wire.LOCK_HOLD
        self.blocked = False

    def command(self, action: str) -> None:
        self.valve = action

    def update(self, dt: float, ctx: LockContext) -> None:
        c = self.cfg
        # 1. Pressure in the extend chamber.
        if ctx.tool_coupled and self.valve == wire.LOCK_ENGAGE:
            target, tau = c.supply_pressure_mpa * MPA, c.pressure_tau_s
        elif ctx.tool_coupled and self.valve == wire.LOCK_RELEASE:
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

    def sensors(self) -> dict[str, list[bool]]:
        ext = self.stroke_m >= self.cfg.engage_min_mm * MM
        pok = self.pressure_pa >= self.cfg.pressure_switch_mpa * MPA
        return {"extended": [ext, ext], "pressure_ok": [pok, pok]}

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
