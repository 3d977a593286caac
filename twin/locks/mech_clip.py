"""Mechanical clip: a spring-loaded pawl in the vehicle snapping over a lug on the pack's flange.

Geometry along the lock's z (up, the insertion direction of an under-chassis
pack): the seated lug is at z = 0. The pawl's retention face is
``latch_play_mm`` below it; its lead-in ramp, at ``ramp_angle_deg`` a from
the insertion axis, spans the ramp travel s / tan a below that, where s is the
pawl's stroke (the deflection that clears the lug). A rising lug on the ramp
at height z deflects the pawl by (z - z_foot) tan a.

Laws (each checked against its analytic value in tests/twin/locks/test_mech_clip.py):

* Spring: P(d) = k_s (P0 + c d), a configured preload P0 and rate c (a steel
  spring pawl, domain.md D: 100-300 N, unlocked with 100-500 N over 5-15 mm),
  rather than the snap-fit cantilever P = w h^2 E eps / (6 L), which is for a
  moulded plastic arm. k_s = ``spring_factor`` (1 intact, 0 broken) is state,
  so a fault can break the spring in a run.
* Mating force while the lug rides the ramp (Bayer/Covestro snap-fit method,
  B): W = P (mu + tan a) / (1 - mu tan a), resisting the pack:
  ``insertion_force_n() = -W``. With mu = 0.15, 30 deg gives 0.80 P and 45 deg
  1.35 P.
* Snap: once the lug is past the ramp's top the spring returns the pawl at
  once (its mass is negligible) and the lug is latched. The retention face
  near 90 deg is self-locking: the latched pawl holds up to its own
  strength, ``retention_capacity_n``, whatever the spring does.
* Release: only the station's release tool (``ctx.tool_coupled`` and action
  ``release``) opens it, pushing the pawl at ``release_tool_speed_mm_s``
  (linear, exact) against the spring. It stalls where the spring's force
  reaches ``release_tool_force_n``, so the pawl clears the lug (full stroke)
  only if the tool's force exceeds the spring force at full stroke.
  ``engage`` retracts the tool; ``hold`` keeps it where it is; a tool that is
  not coupled does not touch the pawl. A broken spring leaves the pawl where
  it was pushed, so it never snaps.

Sensors, each on two channels: ``closed`` (pawl position switch) and
``lug_present`` (proximity switch: the lug within ``lateral_capture_mm``
across and behind the retention face, so that closed and present together
mean latched, never a lug still below a closed pawl).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from swapwire import LOCK_HOLD, LOCK_RELEASE
from twin.locks.base import LockContext, LockModel, LockType
from twin.locks.sweep import Sweep, context, forces
from twin.schema._fields import q

MM = 1e-3


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


def spring_force_n(cfg: MechClip, deflection_m: float, spring_factor: float | None = None) -> float:
    """P(d) = k_s (P0 + c d)."""
    k = cfg.spring_factor if spring_factor is None else spring_factor
    return k * (cfg.spring_preload_n + cfg.spring_rate_n_per_mm * deflection_m / MM)


def mating_force_n(cfg: MechClip, deflection_force_n: float) -> float:
    """W = P (mu + tan a) / (1 - mu tan a)."""
    mu, t = cfg.friction_coefficient, math.tan(math.radians(cfg.ramp_angle_deg))
    return deflection_force_n * (mu + t) / (1.0 - mu * t)


def ramp_travel_m(cfg: MechClip) -> float:
    """Lug travel along z over which the ramp deflects the pawl by its stroke."""
    return cfg.pawl_stroke_mm * MM / math.tan(math.radians(cfg.ramp_angle_deg))


class MechClipLock(LockModel):
    lock_type = "mech_clip"
    channels = ("closed", "lug_present")
    engaged_when = {"closed": True, "lug_present": True}
    released_when = {"closed": False}
    # Engaging is retracting the release tool; once closed, keep it retracted.
    after_engage = "hold"

    def __init__(self, cfg: MechClip, *, engaged: bool):
        super().__init__()
        self.cfg = cfg
        self.spring_factor = cfg.spring_factor  # a fault may break the spring in a run
        self.action = LOCK_HOLD
        self.tool_m = 0.0  # release tool's push on the pawl
        self.pawl_m = 0.0  # pawl deflection from closed
        self.latched = engaged
        self.lug_present = engaged
        self.lug_seated = engaged
        self.lug_z_m = 0.0
        self.ramp_push_m = 0.0  # deflection the lug forces on the pawl through the ramp
        self.riding = False  # the lug is pushing the pawl through the ramp

    def _tool_target_m(self) -> float:
        """Where the release tool stops: full stroke, or where the spring stalls it."""
        c, stroke = self.cfg, self.cfg.pawl_stroke_mm * MM
        if c.release_tool_force_n > spring_force_n(c, stroke, self.spring_factor):
            return stroke
        # Stalled below full stroke: the tool's force meets the spring's P(d).
        rate_n_per_m = self.spring_factor * c.spring_rate_n_per_mm / MM
        preload_n = self.spring_factor * c.spring_preload_n
        if rate_n_per_m <= 0.0:
            return 0.0  # a constant spring force at least the tool's: no motion
        return min(max((c.release_tool_force_n - preload_n) / rate_n_per_m, 0.0), stroke)

    def _update(self, dt: float, ctx: LockContext) -> None:
        c = self.cfg
        stroke, travel, play = c.pawl_stroke_mm * MM, ramp_travel_m(c), c.latch_play_mm * MM
        z_top, z_foot = -play, -play - travel
        dx, dy, z = (float(v) for v in ctx.offset_m)
        self.lug_z_m = z
        capture = c.lateral_capture_mm * MM
        self.lug_present = abs(dx) <= capture and abs(dy) <= capture and z_foot <= z <= -z_foot
        # The lug switch sees the lug only once it is behind the retention face:
        # "closed" and "lug present" together then mean latched, never a lug
        # still below a closed pawl.
        self.lug_seated = self.lug_present and z >= z_top
        # 1. The release tool: pushes (stall-limited), holds, retracts, or is away.
        if not ctx.tool_coupled:
            self.tool_m = 0.0
        else:
            target = {LOCK_RELEASE: self._tool_target_m(), LOCK_HOLD: self.tool_m}.get(self.action, 0.0)
            step = c.release_tool_speed_mm_s * MM * dt
            self.tool_m += min(max(target - self.tool_m, -step), step)
        # 2. The lug on the ramp (only from below: a latched lug meets the retention face).
        on_ramp = self.lug_present and not self.latched and z_foot < z < z_top
        self.ramp_push_m = (z - z_foot) * math.tan(math.radians(c.ramp_angle_deg)) if on_ramp else 0.0
        # 3. The pawl: the spring returns it onto whatever pushes it; a broken one leaves it.
        pushed = max(self.tool_m, self.ramp_push_m)
        self.pawl_m = pushed if spring_force_n(c, self.pawl_m, self.spring_factor) > 0.0 else max(self.pawl_m, pushed)
        self.riding = on_ramp and self.ramp_push_m > 0.0 and self.ramp_push_m >= self.tool_m
        # 4. Latch: snaps when the lug is past the ramp and the pawl is back; lets go
        # when the pawl clears the lug or the lug has left the pawl.
        if self.latched and (self.pawl_m >= stroke or not self.lug_present):
            self.latched = False
        elif not self.latched and self.lug_present and z >= z_top and self.pawl_m <= c.closed_switch_mm * MM:
            self.latched = True

    def _apply_fault(self, kind: str, *, active: bool, rate: float | None) -> None:
        if kind != "broken_spring":
            super()._apply_fault(kind, active=active, rate=rate)
        # The spring breaks: no preload, no rate; restored, it is the config's again.
        self.spring_factor = 0.0 if active else self.cfg.spring_factor

    @property
    def engaged(self) -> bool:
        return self.latched

    @property
    def nominal_engage_time_s(self) -> float:
        # The snap is instantaneous; engaging waits for the tool to come off the pawl.
        return self.cfg.pawl_stroke_mm / self.cfg.release_tool_speed_mm_s

    def holding_force_n(self) -> float:
        return self.cfg.retention_capacity_n if self.engaged else 0.0

    def insertion_force_n(self) -> float:
        if not self.riding:
            return 0.0
        return -mating_force_n(self.cfg, spring_force_n(self.cfg, self.ramp_push_m, self.spring_factor))

    def sensors(self) -> dict[str, tuple[bool, bool]]:
        closed = self.pawl_m <= self.cfg.closed_switch_mm * MM
        return {"closed": (closed, closed), "lug_present": (self.lug_seated, self.lug_seated)}

    def truth(self) -> dict:
        return {
            "type": self.lock_type,
            "engaged": self.engaged,
            "holding_force_n": self.holding_force_n(),
            "insertion_force_n": self.insertion_force_n(),
            "pawl_mm": self.pawl_m / MM,
            "tool_mm": self.tool_m / MM,
            "spring_force_n": spring_force_n(self.cfg, self.pawl_m, self.spring_factor),
            "spring_factor": self.spring_factor,
            "lug_z_mm": self.lug_z_m / MM,
            "lug_present": self.lug_present,
            "riding_ramp": self.riding,
            "action": self.action,
        }


# -- characterise: W = P (mu + tan a) / (1 - mu tan a) on the ramp; capacity once snapped ----------
def sweep(cfg: MechClip) -> Sweep:
    """Spring preload, ramp angle and the lug's travel; the snap-fit law (Bayer/Covestro, B)."""
    s = Sweep(
        inputs=["spring_preload_n", "ramp_angle_deg", "lug_z_mm"],
        x="lug_z_mm",
        x_label="lug height relative to its seat [mm]",
        panels=[("holding",), ("insertion",)],
    )
    for preload_n in (100.0, 200.0, 300.0):
        for angle_deg in (30.0, 35.0, 40.0, 45.0):
            c = dataclasses.replace(cfg, spring_preload_n=preload_n, ramp_angle_deg=angle_deg)
            tan_a = math.tan(math.radians(angle_deg))
            z_top = -c.latch_play_mm
            z_foot = z_top - c.pawl_stroke_mm / tan_a
            lock = MechClipLock(c, engaged=False)
            curve = []
            for z_mm in np.linspace(z_foot - 2.0, 1.0, 61):  # the pack rises through the ramp to its seat
                lock.update(0.01, context([0.0, 0.0, z_mm * MM], tool=False))
                on_ramp = z_foot < z_mm < z_top
                p_n = c.spring_factor * (preload_n + c.spring_rate_n_per_mm * (z_mm - z_foot) * tan_a)
                mu = c.friction_coefficient
                row = {
                    "spring_preload_n": preload_n,
                    "ramp_angle_deg": angle_deg,
                    "lug_z_mm": float(z_mm),
                    **forces(lock),
                    "holding_law_n": c.retention_capacity_n if z_mm >= z_top else 0.0,
                    "insertion_law_n": -p_n * (mu + tan_a) / (1.0 - mu * tan_a) if on_ramp else 0.0,
                }
                s.rows.append(row)
                curve.append(row)
            if preload_n == cfg.spring_preload_n and angle_deg in (30.0, 45.0):
                s.curves[f"{angle_deg:.0f} deg"] = curve
    return s


TYPE = LockType(
    name="mech_clip",
    schema=MechClip,
    model=MechClipLock,
    sweep=sweep,
    strength_key="spring_preload_n",
    fault_kinds=frozenset({"broken_spring"}),
)
