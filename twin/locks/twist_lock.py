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

from controllers import wire
from twin.locks.base import LockContext
from twin.schema.lock import TwistLock

MM = 1e-3


def entry_clearance_m(cfg: TwistLock) -> tuple[float, float]:
    """How far off centre the head may be, along the aperture's length and across it."""
    return (cfg.aperture_length_mm - cfg.head_length_mm) * MM / 2.0, (
        cfg.aperture_width_mm - cfg.head_width_mm
    ) * MM / 2.0


class TwistLockModel:
    lock_type = "twist_lock"
    channels = ("locked", "unlocked", "seated")

    def __init__(self, cfg: TwistLock, *, engaged: bool):
        self.cfg = cfg
        self.angle_deg = cfg.turn_deg if engaged else 0.0
        self.entered = engaged
        self.seated = engaged
        self.action = wire.LOCK_HOLD

    def command(self, action: str) -> None:
        self.action = action

    def update(self, dt: float, ctx: LockContext) -> None:
        c = self.cfg
        # 1. Entry and seating.
        dx, dy, z = (float(v) for v in ctx.offset_m)
        clear_x, clear_y = entry_clearance_m(c)
        self.entered = abs(dx) <= clear_x and abs(dy) <= clear_y
        self.seated = self.entered and abs(z) <= c.seat_tolerance_mm * MM
        # 2. The turn: only with actuator power; toward locked only when seated.
        if not ctx.tool_coupled:
            return
        if self.action == wire.LOCK_RELEASE:
            target = 0.0
        elif self.action == wire.LOCK_ENGAGE and self.seated:
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

    def sensors(self) -> dict[str, list[bool]]:
        locked = self.angle_deg >= self.cfg.locked_min_deg
        unlocked = self.angle_deg <= self.cfg.unlocked_max_deg
        return {"locked": [locked, locked], "unlocked": [unlocked, unlocked], "seated": [self.seated, self.seated]}

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
