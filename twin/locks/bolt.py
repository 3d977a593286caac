"""Bolted lock (NIO style): a bolt in the pack's flange, driven into a floating nut in the vehicle by a nutrunner.

Most car packs in service are bolted (NIO's "Bayobolt" set: 10 bolts,
floating tightening, >3 000 swaps; [bayobolt] B in configs/pack/README.md).
The station's lock tool carries one floating nutrunner per bolt; it acts
while the tool is coupled (``ctx.tool_coupled``).

Laws (each checked against its analytic value in tests/twin/locks/test_bolt.py):

* Tightening (VDI 2230's short form, the reference for the nut factor):
  torque and preload are related by T = K d F, so F = T / (K d), with the
  nut factor K (0.15 lubricated, 0.20 clean and dry; it scatters by about
  +-30 %: [kfactor], [kvary] C) and the nominal diameter d.
* The nutrunner's steps ([atlas4] B, [danikor] C): with the bolt's thread
  within the floating nut's capture and the pack seated, it runs the bolt
  down for ``rundown_s`` (the thread engages over ``rundown_turns``), then
  raises the torque at ``torque_rate_nm_s`` to the target and stops. Release
  runs the torque to zero and the bolt back out over ``rundown_s``.
* Holding along the bolt axis (the retention direction): the clamped joint
  holds without separating up to F / (1 - phi), phi the joint's load factor;
  beyond, the bolt itself carries F + phi F_ext up to its proof load F_p, so
  F_ext <= (F_p - F) / phi. The lock holds the smaller. Across the axis the
  clamped faces hold by friction, mu F (``truth``: ``transverse_holding_n``).

Sensors, each on two channels: ``torqued`` (the nutrunner reached its target
torque), ``angle_ok`` (within the angle window of a bolt that ran down its
whole thread) and ``loose`` (the bolt backed out of the nut).

Faults of its own:

* ``under_torque``: the nutrunner stops at ``under_torque_fraction`` of the
  target while reporting it reached (a miscalibrated transducer): the
  suspected cause of a pack lost in service (domain.md, the 2023 fall-off).
  Nothing the station reads tells; the preload, and so the holding, is short.
* ``cross_thread``: the bolt jams after a fraction of its run-down: the
  torque rises to the target at too small an angle (``angle_ok`` false) and
  the preload is that of a jammed thread (none).
* ``seized_bolt``: the bolt does not break loose on release: it stays
  engaged, and ``loose`` never reads true.
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
KN = 1e3
# A cross-threaded bolt jams after this share of its run-down (D: one or two threads of a 10-turn run).
_CROSS_THREAD_SHARE = 0.15


@dataclass(frozen=True)
class Bolt:
    """A pack bolt driven into a floating nut by a nutrunner. Holds by its
    preload F = T / (K d): clamped, up to F / (1 - phi) along its axis and
    mu F across it; never beyond what its proof load leaves."""

    type: Literal["bolt"] = q()
    # D: no public bolt size; M12 class 10.9 (brands notes s4).
    nominal_diameter_mm: float = q(lo=3.0, hi=48.0, unit="mm")
    # ISO 898-1: M12 10.9, As 84.3 mm^2, proof stress 830 MPa: 70.0 kN ([optimas], [usefast] B).
    proof_load_kn: float = q(lo=1.0, hi=2000.0, unit="kN")
    # VDI 2230 reference; K 0.15 lubricated .. 0.20 clean and dry ([kfactor] C).
    nut_factor: float = q(lo=0.05, hi=0.5, doc="K of T = K d F")
    target_torque_nm: float = q(lo=1.0, hi=2000.0, unit="N*m")
    max_torque_nm: float = q(
        lo=1.0, hi=3000.0, unit="N*m", doc="the nutrunner's rating: breakaway beyond is a seized bolt"
    )
    torque_rate_nm_s: float = q(lo=1.0, hi=100000.0, unit="N*m/s", doc="final tightening")
    rundown_s: float = q(lo=0.01, hi=60.0, unit="s", doc="engaging the thread and running down to snug")
    rundown_turns: float = q(lo=0.5, hi=100.0, doc="turns of the run-down (the angle window's basis)")
    angle_window_deg: float = q(lo=1.0, hi=3600.0, unit="deg", doc="a run-down short of its turns by more fails")
    capture_mm: float = q(lo=0.1, hi=50.0, unit="mm", doc="lateral offset the floating nut and nutrunner take")
    seat_tolerance_mm: float = q(lo=0.01, hi=20.0, unit="mm", doc="the pack must be this close to its seat")
    joint_load_factor: float = q(lo=0.01, hi=0.99, doc="phi: the share of an external load the bolt feels")
    joint_friction: float = q(lo=0.01, hi=1.0, doc="mu of the clamped faces")
    under_torque_fraction: float = q(lo=0.0, hi=1.0, doc="under_torque fault: the share of the target delivered")

    def check(self):
        out = []
        if self.target_torque_nm > self.max_torque_nm:
            out.append(("target_torque_nm", f"{self.target_torque_nm} exceeds max_torque_nm={self.max_torque_nm}"))
        elif (f := preload_n(self, self.target_torque_nm)) >= self.proof_load_kn * KN:
            out.append(
                (
                    "target_torque_nm",
                    f"{self.target_torque_nm} N*m preloads the bolt to {f / KN:.1f} kN, at or past its "
                    f"{self.proof_load_kn} kN proof load",
                )
            )
        return out


def preload_n(cfg: Bolt, torque_nm: float) -> float:
    """F = T / (K d) (VDI 2230's short form)."""
    return torque_nm / (cfg.nut_factor * cfg.nominal_diameter_mm * MM)


def axial_holding_n(cfg: Bolt, preload: float) -> float:
    """min(F / (1 - phi), (F_p - F) / phi): joint separation or the bolt's proof load, whichever comes first."""
    if preload <= 0.0:
        return 0.0
    phi = cfg.joint_load_factor
    return max(0.0, min(preload / (1.0 - phi), (cfg.proof_load_kn * KN - preload) / phi))


class BoltLock(LockModel):
    lock_type = "bolt"
    channels = ("torqued", "angle_ok", "loose")
    engaged_when = {"torqued": True, "angle_ok": True}
    released_when = {"loose": True}
    after_engage = "hold"  # the nutrunner stops at its target: the preload stays in the bolt

    def __init__(self, cfg: Bolt, *, engaged: bool):
        super().__init__()
        self.cfg = cfg
        self.action = LOCK_HOLD
        # The run-down (0..1 of its turns) and the torque in the bolt.
        self.rundown = 1.0 if engaged else 0.0
        self.torque_nm = cfg.target_torque_nm if engaged else 0.0
        self.reported_torque_nm = self.torque_nm
        self.under_torque = self.cross_thread = self.seized = False

    def command(self, action: str) -> None:
        self.action = action

    def _in_reach(self, ctx: LockContext) -> bool:
        c = self.cfg
        lateral = math.hypot(float(ctx.offset_m[0]), float(ctx.offset_m[1]))
        return lateral <= c.capture_mm * MM and abs(float(ctx.offset_m[2])) <= c.seat_tolerance_mm * MM

    def _update(self, dt: float, ctx: LockContext) -> None:
        if not ctx.tool_coupled:
            return  # no nutrunner on the bolt: it stays as it is
        c = self.cfg
        if self.action == LOCK_ENGAGE and (self.rundown > 0.0 or self._in_reach(ctx)):
            # 1. Run down the thread (a cross-threaded bolt jams part-way), 2. then tighten.
            limit = _CROSS_THREAD_SHARE if self.cross_thread else 1.0
            if self.rundown < limit:
                self.rundown = min(limit, self.rundown + dt / c.rundown_s)
            if self.rundown >= limit:
                stop = c.target_torque_nm * (c.under_torque_fraction if self.under_torque else 1.0)
                self.torque_nm = min(stop, self.torque_nm + c.torque_rate_nm_s * dt)
                # A miscalibrated transducer reports the target when it stops short.
                self.reported_torque_nm = c.target_torque_nm if self.torque_nm >= stop else self.torque_nm
        elif self.action == LOCK_RELEASE and not self.seized:
            if self.torque_nm > 0.0:
                self.torque_nm = max(0.0, self.torque_nm - c.torque_rate_nm_s * dt)
                self.reported_torque_nm = self.torque_nm
            else:
                self.rundown = max(0.0, self.rundown - dt / c.rundown_s)

    def _apply_fault(self, kind: str, *, active: bool, rate: float | None) -> None:
        if kind == "under_torque":
            self.under_torque = active
        elif kind == "cross_thread":
            self.cross_thread = active
        elif kind == "seized_bolt":
            self.seized = active
        else:
            super()._apply_fault(kind, active=active, rate=rate)

    @property
    def preload_n(self) -> float:
        """The clamp force: a bolt that ran its thread down carries T / (K d); a jammed one carries none."""
        return preload_n(self.cfg, self.torque_nm) if self.rundown >= 1.0 else 0.0

    @property
    def engaged(self) -> bool:
        return self.preload_n > 0.0

    @property
    def nominal_engage_time_s(self) -> float:
        c = self.cfg
        return c.rundown_s + c.target_torque_nm / c.torque_rate_nm_s

    def holding_force_n(self) -> float:
        return axial_holding_n(self.cfg, self.preload_n)

    def sensors(self) -> dict[str, tuple[bool, bool]]:
        c = self.cfg
        torqued = self.reported_torque_nm >= c.target_torque_nm
        short_deg = (1.0 - self.rundown) * c.rundown_turns * 360.0
        angle_ok = torqued and short_deg <= c.angle_window_deg
        loose = self.rundown <= 0.0
        return {"torqued": (torqued, torqued), "angle_ok": (angle_ok, angle_ok), "loose": (loose, loose)}

    def truth(self) -> dict:
        return {
            "type": self.lock_type,
            "engaged": self.engaged,
            "holding_force_n": self.holding_force_n(),
            "engaging_force_n": self.preload_n,
            "preload_n": self.preload_n,
            "torque_nm": self.torque_nm,
            "transverse_holding_n": self.cfg.joint_friction * self.preload_n,
            "rundown": self.rundown,
            "action": self.action,
        }


# -- characterise: F = T / (K d), and what the preloaded joint holds --------------------------------
def sweep(cfg: Bolt) -> Sweep:
    """Target torque 0..max: the preload and the holding force against VDI 2230's short form, restated."""
    k, d_m, fp_n, phi = cfg.nut_factor, cfg.nominal_diameter_mm * MM, cfg.proof_load_kn * KN, cfg.joint_load_factor
    s = Sweep(inputs=["torque_nm"], x="torque_nm", x_label="target torque [N*m]", panels=[("holding", "engaging")])
    for t in np.linspace(0.0, cfg.max_torque_nm, 31):
        lock = BoltLock(dataclasses.replace(cfg, target_torque_nm=max(float(t), 1e-9)), engaged=False)
        lock.command(LOCK_ENGAGE)
        settle_s = cfg.rundown_s + cfg.max_torque_nm / cfg.torque_rate_nm_s
        for _ in range(200):
            lock.update(settle_s / 100, context(np.zeros(3)))
        f = t / (k * d_m)
        s.rows.append(
            {
                "torque_nm": float(t),
                **forces(lock),
                "holding_law_n": max(0.0, min(f / (1 - phi), (fp_n - f) / phi)) if t > 0 else 0.0,
                "insertion_law_n": 0.0,
                "engaging_model_n": lock.truth()["preload_n"],
                "engaging_law_n": f,
            }
        )
    s.curves = {"": s.rows}
    return s


TYPE = LockType(
    name="bolt",
    schema=Bolt,
    model=BoltLock,
    sweep=sweep,
    strength_key="target_torque_nm",
    fault_kinds=frozenset({"under_torque", "cross_thread", "seized_bolt"}),
)
