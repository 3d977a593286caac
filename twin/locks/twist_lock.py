"""Twist-lock (ISO 1161 style): a head that enters a corner casting's aperture and turns 90 degrees.

Used on an overhead rig's spreader (the head on the spreader, the casting on
the pack's top face) and as a pack-to-truck-frame lock (the head on the frame,
the casting in the pack's bottom face). In both, the lock's frame has x along
the aperture's long axis and z along the head's axis, positive into the
casting: z = 0 is the head seated (the spreader's landing pads, or the pack's
bottom face, on the casting), and a casting short of the head shows as a
negative z.

Laws (each checked in tests/twin/locks/test_twist_lock.py):

* Entry: the head (L_h x W_h) passes the oblong aperture (L_a x W_a) only
  when its offset is within the clearance along each axis:
  |x| <= (L_a - L_h) / 2 and |y| <= (W_a - W_h) / 2.
* Seated: entered and |z| <= ``seat_tolerance_mm`` (the landing switch).
* Turn: the actuator turns the head at ``turn_speed_deg_s`` (linear, exact)
  toward ``turn_deg`` on ``engage`` and back to 0 on ``release``, while
  ``ctx.tool_coupled`` (the actuator has power and commands reach it).
  Turning toward locked is interlocked with the landing switch: an unseated
  head does not turn. Without power the head stays where it is.
* Holding: seated and turned at least ``locked_min_deg``, the head's long
  axis lies across the aperture's flats (L_h > W_a: a form fit) and holds up
  to ``rated_capacity_n`` along its axis.

Sensors, each on two channels: ``locked`` (turned at least
``locked_min_deg``), ``unlocked`` (at most ``unlocked_max_deg``), ``seated``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from swapwire import LOCK_ENGAGE, LOCK_HOLD, LOCK_RELEASE
from twin.locks.base import LockContext, LockModel, LockType
from twin.locks.sweep import Sweep, context, forces
from twin.schema._fields import q

MM = 1e-3


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


def entry_clearance_m(cfg: TwistLock) -> tuple[float, float]:
    """How far off centre the head may be, along the aperture's length and across it."""
    return (cfg.aperture_length_mm - cfg.head_length_mm) * MM / 2.0, (
        cfg.aperture_width_mm - cfg.head_width_mm
    ) * MM / 2.0


class TwistLockModel(LockModel):
    lock_type = "twist_lock"
    channels = ("locked", "unlocked", "seated")
    engaged_when = {"locked": True, "unlocked": False, "seated": True}
    released_when = {"unlocked": True, "locked": False}
    after_engage = "hold"

    def __init__(self, cfg: TwistLock, *, engaged: bool):
        super().__init__()
        self.cfg = cfg
        self.angle_deg = cfg.turn_deg if engaged else 0.0
        self.entered = engaged
        self.seated = engaged
        self.action = LOCK_HOLD

    def _update(self, dt: float, ctx: LockContext) -> None:
        c = self.cfg
        # 1. Entry and seating.
        dx, dy, z = (float(v) for v in ctx.offset_m)
        clear_x, clear_y = entry_clearance_m(c)
        self.entered = abs(dx) <= clear_x and abs(dy) <= clear_y
        self.seated = self.entered and abs(z) <= c.seat_tolerance_mm * MM
        # 2. The turn: only with actuator power; toward locked only when seated.
        if not ctx.tool_coupled:
            return
        if self.action == LOCK_RELEASE:
            target = 0.0
        elif self.action == LOCK_ENGAGE and self.seated:
            target = c.turn_deg
        else:
            target = self.angle_deg
        step = c.turn_speed_deg_s * dt
        self.angle_deg += min(max(target - self.angle_deg, -step), step)

    @property
    def engaged(self) -> bool:
        return self.seated and self.angle_deg >= self.cfg.locked_min_deg

    @property
    def nominal_engage_time_s(self) -> float:
        return self.cfg.turn_deg / self.cfg.turn_speed_deg_s

    def holding_force_n(self) -> float:
        return self.cfg.rated_capacity_n if self.engaged else 0.0

    def insertion_force_n(self) -> float:
        return 0.0  # the head finds the aperture by contact; the lock pushes nothing along z

    def sensors(self) -> dict[str, tuple[bool, bool]]:
        locked = self.angle_deg >= self.cfg.locked_min_deg
        unlocked = self.angle_deg <= self.cfg.unlocked_max_deg
        return {"locked": (locked, locked), "unlocked": (unlocked, unlocked), "seated": (self.seated, self.seated)}

    def truth(self) -> dict:
        return {
            "type": self.lock_type,
            "engaged": self.engaged,
            "holding_force_n": self.holding_force_n(),
            "angle_deg": self.angle_deg,
            "entered": self.entered,
            "seated": self.seated,
            "action": self.action,
        }


# -- characterise: holds its capacity only when seated and turned; enters within the clearance ----
def sweep(cfg: TwistLock) -> Sweep:
    """Turn angle, seating and the head's offset in the aperture (ISO 1161 geometry, B)."""
    s = Sweep(
        inputs=["commanded_deg", "dx_mm", "dy_mm", "z_mm"],
        x="commanded_deg",
        x_label="commanded turn [deg]",
        panels=[("holding",)],
    )
    clear_x = (cfg.aperture_length_mm - cfg.head_length_mm) / 2
    clear_y = (cfg.aperture_width_mm - cfg.head_width_mm) / 2
    # Angles straddle the locked threshold rather than sit on it (a step law).
    angles = [
        *np.arange(0.0, cfg.locked_min_deg - 1.0, 5.0),
        cfg.locked_min_deg - 1.0,
        cfg.locked_min_deg + 1.0,
        cfg.turn_deg,
        cfg.turn_deg + 10.0,
    ]
    offsets = [
        (0.0, 0.0, 0.0),
        (0.0, 0.0, -2 * cfg.seat_tolerance_mm),
        (clear_x * 0.9, 0.0, 0.0),
        (clear_x * 1.1, 0.0, 0.0),
        (0.0, clear_y * 0.9, 0.0),
        (0.0, clear_y * 1.1, 0.0),
    ]
    for dx, dy, z in offsets:
        curve = []
        for commanded in angles:
            lock = TwistLockModel(cfg, engaged=False)
            lock.command(LOCK_ENGAGE)
            lock.update(commanded / cfg.turn_speed_deg_s, context([dx * MM, dy * MM, z * MM]))
            seated = abs(dx) <= clear_x and abs(dy) <= clear_y and abs(z) <= cfg.seat_tolerance_mm
            angle = min(commanded, cfg.turn_deg) if seated else 0.0
            row = {
                "commanded_deg": float(commanded),
                "dx_mm": dx,
                "dy_mm": dy,
                "z_mm": z,
                **forces(lock),
                "holding_law_n": cfg.rated_capacity_n if seated and angle >= cfg.locked_min_deg else 0.0,
                "insertion_law_n": 0.0,
                "angle_model_deg": lock.angle_deg,
                "angle_law_deg": angle,
            }
            s.rows.append(row)
            curve.append(row)
        if dx == dy == 0.0:
            s.curves["seated" if z == 0.0 else "not seated"] = curve
    return s


TYPE = LockType(name="twist_lock", schema=TwistLock, model=TwistLockModel, sweep=sweep, strength_key="rated_capacity_n")
