"""Servo drives as a real drive cabinet behaves at the fieldbus.

Behaviour (the part a controller relies on, tested in tests/twin/test_drives.py):

* **Before the first valid command** every axis is ``holding``: the motor holds
  the position it powered up at.
* A valid ``position`` command moves the set-point along a trapezoidal profile
  (the axis's acceleration, the commanded speed capped at the axis maximum) to
  the target, clipped to the soft limits, and lands on it exactly (the landing
  step may shed up to twice a step's speed change). The motor's force is capped at the
  commanded limit (itself capped at the rating): a blocked axis pushes with that
  force and no more.
* ``hold`` and ``stop`` bring the set-point to rest at full deceleration.
* **Watchdog**: if ``command_timeout_periods`` control periods pass without a
  valid command, every axis performs a controlled stop (full deceleration to
  standstill, then holds there) and latches ``stopped`` with the reason. Loss of
  the controller link is a stop (shared/domain.md, IEC 61784-3).
* A following error beyond the axis limit latches ``fault`` and holds where
  the axis stands.
* Latched states need a command with ``reset_faults``; nothing restarts by itself.

Units are SI (m or rad).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import swapwire as wire
from swapwire.frame import DriveReport
from swapwire.station import AxisInfo
from twin.schema.rig import LinearAxis, RotaryAxis

MM = 1e-3


@dataclass(frozen=True)
class AxisSpec:
    name: str
    unit: str  # "m" or "rad"
    lower: float
    upper: float
    home: float
    max_speed: float
    max_accel: float
    max_force: float  # N, or N*m for a rotary axis
    following_error_limit: float
    encoder_resolution: float
    position_gain: float
    velocity_gain: float

    @staticmethod
    def linear(name: str, a: LinearAxis) -> AxisSpec:
        return AxisSpec(
            name,
            "m",
            a.lower_mm * MM,
            a.upper_mm * MM,
            a.home_mm * MM,
            a.max_speed_mm_s * MM,
            a.max_accel_mm_s2 * MM,
            a.max_force_n,
            a.following_error_limit_mm * MM,
            a.encoder_resolution_mm * MM,
            a.position_gain,
            a.velocity_gain,
        )

    @staticmethod
    def rotary(name: str, a: RotaryAxis) -> AxisSpec:
        r = math.radians
        return AxisSpec(
            name,
            "rad",
            r(a.lower_deg),
            r(a.upper_deg),
            r(a.home_deg),
            r(a.max_speed_deg_s),
            r(a.max_accel_deg_s2),
            a.max_torque_nm,
            r(a.following_error_limit_deg),
            r(a.encoder_resolution_deg),
            a.position_gain,
            a.velocity_gain,
        )

    def describe(self) -> AxisInfo:
        """The axis as the station description publishes it."""
        return AxisInfo(
            name=self.name,
            unit=self.unit,  # type: ignore[arg-type]
            lower=self.lower,
            upper=self.upper,
            home=self.home,
            max_speed=self.max_speed,
            max_accel=self.max_accel,
            max_force=self.max_force,
            force_unit="N" if self.unit == "m" else "N*m",
            encoder_resolution=self.encoder_resolution,
            following_error_limit=self.following_error_limit,
        )


class Drive:
    """One axis's drive: set-point generator, limits, watchdog stop, faults."""

    def __init__(self, spec: AxisSpec, position: float):
        self.spec = spec
        self.state = wire.DRIVE_HOLDING
        self.reason = ""
        self.ref_pos = position
        self.ref_vel = 0.0
        self.target = position
        self.speed = spec.max_speed
        self.force_limit = spec.max_force
        self.speed_factor = 1.0  # < 1 for a slow axis (a fault): drag or a derated drive
        self._braking = False

    # -- commands ------------------------------------------------------------
    def accept(self, cmd: wire.AxisCommand) -> None:
        if self.state in (wire.DRIVE_STOPPED, wire.DRIVE_FAULT, wire.DRIVE_STOPPING):
            return  # latched: only reset_faults re-arms the drive
        self.state = wire.DRIVE_ACTIVE
        s = self.spec
        if cmd.mode == wire.MODE_POSITION:
            self.target = min(max(float(cmd.target), s.lower), s.upper)
            self.speed = min(cmd.speed, s.max_speed) if cmd.speed is not None else s.max_speed
            self.force_limit = min(cmd.force_limit, s.max_force) if cmd.force_limit is not None else s.max_force
            self._braking = False
        else:  # hold and stop: come to rest at full deceleration
            if cmd.force_limit is not None:
                self.force_limit = min(cmd.force_limit, s.max_force)
            self._braking = True

    def watchdog_stop(self, reason: str) -> None:
        if self.state in (wire.DRIVE_ACTIVE, wire.DRIVE_HOLDING):
            self.state = wire.DRIVE_STOPPING
            self.reason = reason
            self._braking = True

    def emergency_stop(self, *, category: int, reason: str, actual_position: float) -> None:
        """Stop category 1: brake to standstill at full deceleration, then hold;
        category 0: the brakes hold the axis where it is, at once. Both latch."""
        self.reason = reason
        if category == 0:
            self.ref_pos = self.target = actual_position
            self.ref_vel = 0.0
            self._braking = False
            self.state = wire.DRIVE_STOPPED
        else:
            self.state = wire.DRIVE_STOPPING
            self._braking = True

    def reset(self, actual_position: float) -> None:
        if self.state in (wire.DRIVE_STOPPED, wire.DRIVE_FAULT):
            self.state = wire.DRIVE_HOLDING
            self.reason = ""
            self.ref_pos = self.target = actual_position
            self.ref_vel = 0.0
            self._braking = False
            self.force_limit = self.spec.max_force

    # -- per physics step ---------------------------------------------------
    def step(self, dt: float, actual_position: float) -> None:
        s = self.spec
        a = s.max_accel
        if self._braking:
            dv = max(-a * dt, min(a * dt, -self.ref_vel))
            self.ref_vel += dv
            self.ref_pos += self.ref_vel * dt
            if self.ref_vel == 0.0:
                self.target = self.ref_pos
                self._braking = False
                if self.state == wire.DRIVE_STOPPING:
                    self.state = wire.DRIVE_STOPPED
        elif self.ref_pos != self.target or self.ref_vel != 0.0:
            d = self.target - self.ref_pos
            # Largest speed from which the discrete profile (speed updated, then
            # position) still stops within |d|: v^2 + a dt v <= 2 a |d|.
            v_brake = 0.5 * (-a * dt + math.sqrt((a * dt) ** 2 + 8.0 * a * abs(d)))
            v_des = math.copysign(min(self.speed * self.speed_factor, v_brake), d)
            self.ref_vel += max(-a * dt, min(a * dt, v_des - self.ref_vel))
            step = self.ref_vel * dt
            if d == 0.0 or (step * d > 0.0 and abs(step) >= abs(d)):
                self.ref_pos, self.ref_vel = self.target, 0.0  # arrives: the last speed is at most a dt
            else:
                self.ref_pos += step
        self.ref_pos = min(max(self.ref_pos, s.lower), s.upper)
        if self.state == wire.DRIVE_ACTIVE and abs(actual_position - self.ref_pos) > s.following_error_limit:
            self.state = wire.DRIVE_FAULT
            self.reason = (
                f"following error {abs(actual_position - self.ref_pos):.4g} {s.unit} > {s.following_error_limit:.4g}"
            )
            self.ref_pos = self.target = actual_position
            self.ref_vel = 0.0
            self._braking = False

    @property
    def settled(self) -> bool:
        """The set-point has reached its target and is at rest."""
        return self.ref_pos == self.target and self.ref_vel == 0.0


class DriveGroup:
    """The drives of one rig, with the fieldbus watchdog they share."""

    def __init__(self, specs: list[AxisSpec], positions: dict[str, float], *, timeout_periods: int):
        self.drives = {s.name: Drive(s, positions[s.name]) for s in specs}
        self.timeout_periods = timeout_periods
        self.missed_periods = 0
        self._armed = False  # the watchdog runs once commands have started

    def on_period(self, cmd: wire.Command | None, actual: dict[str, float]) -> None:
        """Called once per control period with the valid command that arrived
        for it, or None if none did."""
        if cmd is None:
            self.missed_periods += 1
            if self._armed and self.missed_periods >= self.timeout_periods:
                for d in self.drives.values():
                    d.watchdog_stop(f"command timeout: {self.missed_periods} periods without a valid command")
            return
        self.missed_periods = 0
        self._armed = True
        if cmd.reset_faults:
            for name, d in self.drives.items():
                d.reset(actual[name])
        for name, ac in cmd.axes.items():
            self.drives[name].accept(ac)

    def step(self, dt: float, actual: dict[str, float]) -> None:
        for name, d in self.drives.items():
            d.step(dt, actual[name])

    def emergency_stop(self, *, category: int, reason: str, actual: dict[str, float]) -> None:
        for name, d in self.drives.items():
            d.emergency_stop(category=category, reason=reason, actual_position=actual[name])

    @property
    def state(self) -> str:
        states = {d.state for d in self.drives.values()}
        # The group is "stopped" only once every axis has come to rest.
        for s in (wire.DRIVE_FAULT, wire.DRIVE_STOPPING, wire.DRIVE_STOPPED, wire.DRIVE_ACTIVE):
            if s in states:
                return s
        return wire.DRIVE_HOLDING

    def report(self) -> DriveReport:
        reasons = sorted({d.reason for d in self.drives.values() if d.reason})
        return DriveReport(self.state, self.missed_periods, tuple(reasons))
