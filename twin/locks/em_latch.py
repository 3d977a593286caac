"""Electromagnetic latch: the magnet on the vehicle's seat, an armature plate on the pack's flange.

Laws (each checked against its analytic value in tests/twin/locks/test_em_latch.py):

* Pull across the air gap: F = F0 * (i / i_rated) * a / (1 + g / g0)^2, with
  g = max(0, -z) + residual gap, g0 = ``gap_scale_mm`` (1.21 mm halves the
  pull at 0.5 mm: domain.md, a D fit to a B point). The law is linear in the
  current, as for a magnetic circuit near saturation (D); the overlap
  fraction a = (1 - |x| / L)(1 - |y| / W) of a plate that is off the pole face
  by x, y scales the pull with the area that carries flux (D: fringing is
  neglected). The electro-permanent variant has no holding current: its i
  is the current that would give its present magnetisation.
* Current rise: first order toward the rated current with tau = L/R while
  the coil is driven on, integrated exactly:
  i(t+dt) = i_r + (i - i_r) exp(-dt / tau).
* Release: from switch-off (or the start of the demagnetising pulse) the
  field stays for ``release_delay_s`` (the suppressor dumps the coil's
  energy, the anti-residual shim limits remanence) and is then gone. A
  dead time, exact at step ends.
* Holding: a plate on the magnet (gap at most ``gap_closed_mm``, overlapping
  the pole face) with the field on is engaged and holds up to the pull F at
  its gap; the retention direction is vertical, so ``holding_force_n`` is
  the pull. Shear holding is ``shear_fraction`` of it (about 1/5, B), in
  ``truth()`` for the observer.
* Attraction: a field that is on pulls a plate that is not yet on the magnet
  but within ``attraction_range_mm`` with F(g) (``insertion_force_n``, +z).
  Once the plate is on the magnet the LockJoint carries the pull instead.

Variants (``variant``):

* ``power_to_hold``: an ``engage`` command (through the station's tool link)
  sets the vehicle's latch driver on, ``release`` sets it off; the coil is
  driven from the vehicle's supply, so a vehicle power loss switches it off
  whatever was commanded (fail-safe: the wrong polarity for pack retention).
* ``electro_permanent``: a magnetising pulse while ``engage`` is commanded,
  a demagnetising pulse while ``release`` is commanded, both from the
  station's tool. Between pulses the magnet keeps its state with no power:
  a power loss changes nothing (fail-secure). A pulse cut short leaves the
  magnetisation where it was.

Commands act only while ``ctx.tool_coupled``; a power loss acts always.

Sensors, each on two channels: ``gap_closed`` (gap switch: plate on the
magnet) and ``energised`` (power-to-hold: field on at least
``field_switch_fraction`` of rated) or ``magnetised`` (electro-permanent: the
same threshold on its magnetisation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from swapwire import LOCK_ENGAGE, LOCK_HOLD, LOCK_RELEASE
from twin.locks.base import LockContext, LockModel, LockType
from twin.locks.sweep import Sweep, context, forces
from twin.schema._fields import q

MM = 1e-3
# A first-order rise is within 1 % of its end value after five time constants.
_SETTLED_TIME_CONSTANTS = 5.0


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


def overlap_fraction(cfg: EmLatch, dx_m: float, dy_m: float) -> float:
    """Share of the pole face that the offset plate still covers."""
    ax = max(0.0, 1.0 - abs(dx_m) / (cfg.face_length_mm * MM))
    ay = max(0.0, 1.0 - abs(dy_m) / (cfg.face_width_mm * MM))
    return ax * ay


def pull_n(cfg: EmLatch, *, current_fraction: float, gap_m: float, overlap: float = 1.0) -> float:
    """F = F0 (i / i_rated) a / (1 + g / g0)^2."""
    return cfg.rated_pull_n * current_fraction * overlap / (1.0 + gap_m / (cfg.gap_scale_mm * MM)) ** 2


class _EmLatch(LockModel):
    """The magnet's law and state; the variants differ only in what drives the coil."""

    lock_type = "em_latch"
    field_channel: str
    released_when: dict[str, bool]

    def __init__(self, cfg: EmLatch, *, engaged: bool):
        super().__init__()
        self.cfg = cfg
        # i / i_rated: the coil current, or the magnetisation as that current.
        self.current_fraction = 1.0 if engaged else 0.0
        self.release_timer_s = 0.0
        self.action = LOCK_HOLD
        # Until the first update, the plate sits where a seated pack puts it.
        self.gap_m = cfg.residual_gap_mm * MM
        self.overlap = 1.0

    def _drive(self, ctx: LockContext) -> bool | None:
        """True: the coil is driven on; False: switched off; None: left as it is."""
        raise NotImplementedError

    def _update(self, dt: float, ctx: LockContext) -> None:
        c = self.cfg
        # 1. The coil: exact first-order rise, or the release dead time.
        drive = self._drive(ctx)
        if drive is None:
            self.release_timer_s = 0.0
        elif drive:
            self.release_timer_s = 0.0
            self.current_fraction = 1.0 + (self.current_fraction - 1.0) * math.exp(-dt / c.coil_tau_s)
        else:
            self.release_timer_s += dt
            if self.release_timer_s >= c.release_delay_s:
                self.current_fraction = 0.0
        # 2. The plate: air gap along z (a pack short of its seat shows a negative z), overlap across.
        dx, dy, z = (float(v) for v in ctx.offset_m)
        self.gap_m = max(0.0, -z) + c.residual_gap_mm * MM
        self.overlap = overlap_fraction(c, dx, dy)

    @property
    def field_on(self) -> bool:
        return self.current_fraction > 0.0

    @property
    def plate_on(self) -> bool:
        return self.overlap > 0.0 and self.gap_m <= self.cfg.gap_closed_mm * MM

    @property
    def engaged(self) -> bool:
        return self.field_on and self.plate_on

    @property
    def nominal_engage_time_s(self) -> float:
        return _SETTLED_TIME_CONSTANTS * self.cfg.coil_tau_s

    def pull_n(self) -> float:
        return pull_n(self.cfg, current_fraction=self.current_fraction, gap_m=self.gap_m, overlap=self.overlap)

    def holding_force_n(self) -> float:
        return self.pull_n() if self.engaged else 0.0

    def insertion_force_n(self) -> float:
        attracting = self.field_on and not self.plate_on and self.gap_m <= self.cfg.attraction_range_mm * MM
        return self.pull_n() if attracting else 0.0

    def sensors(self) -> dict[str, tuple[bool, bool]]:
        closed = self.plate_on
        field = self.current_fraction >= self.cfg.field_switch_fraction
        return {"gap_closed": (closed, closed), self.field_channel: (field, field)}

    def truth(self) -> dict:
        holding = self.holding_force_n()
        return {
            "type": self.lock_type,
            "variant": self.cfg.variant,
            "engaged": self.engaged,
            "holding_force_n": holding,
            "shear_holding_force_n": self.cfg.shear_fraction * holding,
            "insertion_force_n": self.insertion_force_n(),
            "current_a": self.current_fraction * self.cfg.rated_current_a,
            "current_fraction": self.current_fraction,
            "gap_mm": self.gap_m / MM,
            "overlap": self.overlap,
            "release_timer_s": self.release_timer_s,
            "action": self.action,
        }


class PowerToHoldLatch(_EmLatch):
    """Holds only while its coil carries current; lets go on a vehicle power loss.
    The vehicle's latch driver keeps its on/off state through the loss (the
    switch stays closed, as with a plain maglock), so the coil comes back on
    with the power: by then an unsupported pack has already dropped."""

    channels = ("gap_closed", "energised")
    field_channel = "energised"
    engaged_when = {"gap_closed": True, "energised": True}
    released_when = {"energised": False}
    # The driver stays on: keep commanding engage.
    after_engage = "engage"

    def __init__(self, cfg: EmLatch, *, engaged: bool):
        super().__init__(cfg, engaged=engaged)
        self.switched_on = engaged  # the vehicle's latch driver, set through the tool link

    def _drive(self, ctx: LockContext) -> bool:
        if ctx.tool_coupled and self.action in (LOCK_ENGAGE, LOCK_RELEASE):
            self.switched_on = self.action == LOCK_ENGAGE
        return self.switched_on and ctx.vehicle_power

    def truth(self) -> dict:
        return dict(super().truth(), switched_on=self.switched_on)


class ElectroPermanentLatch(_EmLatch):
    """Switched by current pulses from the station's tool; holds with no power."""

    channels = ("gap_closed", "magnetised")
    field_channel = "magnetised"
    engaged_when = {"gap_closed": True, "magnetised": True}
    released_when = {"magnetised": False}
    # Pulsed to saturation while the tool is there, not left at the sensor's threshold.
    after_engage = "engage"

    def _drive(self, ctx: LockContext) -> bool | None:
        if not ctx.tool_coupled or self.action == LOCK_HOLD:
            return None  # no pulse: the magnet keeps its state, powered or not
        return self.action == LOCK_ENGAGE


VARIANTS: dict[str, type[_EmLatch]] = {"power_to_hold": PowerToHoldLatch, "electro_permanent": ElectroPermanentLatch}


def em_latch_lock(cfg: EmLatch, *, engaged: bool) -> _EmLatch:
    """The model of the configured variant (both have lock_type ``em_latch``)."""
    return VARIANTS[cfg.variant](cfg, engaged=engaged)


# -- characterise: F = F0 (i / i_rated) / (1 + g / g0)^2, first-order current rise ----------------
def sweep(cfg: EmLatch) -> Sweep:
    """Coil current and air gap; the law restated from domain.md (the 0.5 mm halving point, D fit)."""
    s = Sweep(inputs=["current_fraction", "gap_mm", "air_gap_mm"], x="air_gap_mm", x_label="air gap [mm]")
    gaps_mm = sorted({*np.round(np.linspace(0.0, cfg.attraction_range_mm + 1.0, 49), 6), 0.5 - cfg.residual_gap_mm})
    for fraction in (0.25, 0.5, 0.75, 1.0):
        curve = []
        for gap_mm in gaps_mm:
            # Drive the coil from rest for the time the law says reaches this current.
            lock = em_latch_lock(cfg, engaged=fraction == 1.0)
            lock.command(LOCK_ENGAGE)
            drive_s = 0.0 if fraction == 1.0 else -cfg.coil_tau_s * math.log(1.0 - fraction)
            lock.update(drive_s, context([0.0, 0.0, -gap_mm * MM]))
            air_mm = float(gap_mm) + cfg.residual_gap_mm
            pull = cfg.rated_pull_n * fraction / (1.0 + air_mm / cfg.gap_scale_mm) ** 2
            on = air_mm <= cfg.gap_closed_mm
            row = {
                "current_fraction": fraction,
                "gap_mm": float(gap_mm),
                "air_gap_mm": air_mm,
                **forces(lock),
                "holding_law_n": pull if on else 0.0,
                "insertion_law_n": pull if not on and air_mm <= cfg.attraction_range_mm else 0.0,
                "current_model_a": lock.truth()["current_a"],
                "current_law_a": fraction * cfg.rated_current_a,
            }
            s.rows.append(row)
            curve.append(row)
        if fraction in (0.5, 1.0):
            s.curves[f"i = {fraction:.0%}"] = curve
    return s


TYPE = LockType(name="em_latch", schema=EmLatch, model=em_latch_lock, sweep=sweep, strength_key="rated_pull_n")
