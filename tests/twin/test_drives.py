"""Drive behaviour as a drive cabinet specifies it: hold, profile, watchdog, faults."""

from __future__ import annotations

import pytest

import swapwire as wire
from twin.entities.drives import AxisSpec, Drive, DriveGroup

DT = 0.004
PERIOD_STEPS = 5
SPEC = AxisSpec(
    name="lift",
    unit="m",
    lower=0.0,
    upper=0.45,
    home=0.0,
    max_speed=0.1,
    max_accel=0.2,
    max_force=12000.0,
    following_error_limit=0.015,
    encoder_resolution=1e-5,
    position_gain=0.3,
    velocity_gain=1.0,
)


def _cmd(target, **kw):
    return wire.Command(
        frame_seq=0, phase="t", axes={"lift": wire.AxisCommand(wire.MODE_POSITION, target=target, **kw)}
    )


def _run(group: DriveGroup, periods: int, cmd=None, actual=None):
    """Step a group with a perfect axis (actual = set-point) unless ``actual`` is given."""
    d = group.drives["lift"]
    for _ in range(periods):
        pos = {"lift": d.ref_pos if actual is None else actual}
        group.on_period(cmd, pos)
        for _ in range(PERIOD_STEPS):
            group.step(DT, {"lift": d.ref_pos if actual is None else actual})


def test_axis_holds_its_power_up_position_before_the_first_command():
    group = DriveGroup([SPEC], {"lift": 0.123}, timeout_periods=5)
    _run(group, 50)
    d = group.drives["lift"]
    assert d.state == wire.DRIVE_HOLDING and d.ref_pos == 0.123 and d.ref_vel == 0.0


def test_profile_respects_speed_and_acceleration_and_lands_on_target():
    d = Drive(SPEC, 0.0)
    d.accept(wire.AxisCommand(wire.MODE_POSITION, target=0.3, speed=0.05))
    velocities, t = [0.0], 0.0
    while not d.settled and t < 20.0:
        d.step(DT, d.ref_pos)
        velocities.append(d.ref_vel)
        t += DT
    accel = [abs(b - a) / DT for a, b in zip(velocities, velocities[1:])]
    assert d.ref_pos == pytest.approx(0.3, abs=1e-12)
    assert max(velocities) <= 0.05 + 1e-12
    # Within the rating on every step; the landing step (onto the exact target)
    # may shed the last fraction of a step's speed change on top.
    assert max(accel[:-1]) <= SPEC.max_accel * (1 + 1e-9)
    assert accel[-1] <= 2 * SPEC.max_accel
    # Trapezoid: 0.3 m at 0.05 m/s with 0.2 m/s^2 takes 0.3/0.05 + 0.05/0.2 = 6.25 s.
    assert t == pytest.approx(6.25, abs=0.05)


def test_targets_are_clipped_to_the_soft_limits_and_speed_to_the_rating():
    d = Drive(SPEC, 0.0)
    d.accept(wire.AxisCommand(wire.MODE_POSITION, target=9.0, speed=5.0, force_limit=1e9))
    assert d.target == SPEC.upper and d.speed == SPEC.max_speed and d.force_limit == SPEC.max_force


@pytest.mark.parametrize("timeout_periods", [1, 5, 12])
def test_withheld_commands_stop_the_drives_within_the_configured_periods(timeout_periods):
    group = DriveGroup([SPEC], {"lift": 0.0}, timeout_periods=timeout_periods)
    _run(group, 3, cmd=_cmd(0.4))
    assert group.state == wire.DRIVE_ACTIVE
    d = group.drives["lift"]
    for k in range(1, timeout_periods + 1):
        _run(group, 1, cmd=None)
        if k < timeout_periods:
            assert d.state == wire.DRIVE_ACTIVE, f"stopped early, after {k} periods"
    assert d.state in (wire.DRIVE_STOPPING, wire.DRIVE_STOPPED)
    assert "command timeout" in d.reason
    # Controlled stop: decelerate at the rated acceleration, then hold and latch.
    v0 = abs(d.ref_vel)
    _run(group, int(v0 / SPEC.max_accel / (DT * PERIOD_STEPS)) + 2)
    assert d.state == wire.DRIVE_STOPPED and d.ref_vel == 0.0 and group.report().state == wire.DRIVE_STOPPED


def test_a_stop_is_latched_until_reset_faults():
    group = DriveGroup([SPEC], {"lift": 0.0}, timeout_periods=2)
    _run(group, 2, cmd=_cmd(0.4))
    _run(group, 30, cmd=None)
    d = group.drives["lift"]
    stopped_at = d.ref_pos
    _run(group, 20, cmd=_cmd(0.4))  # commands resume, but nothing moves
    assert d.state == wire.DRIVE_STOPPED and d.ref_pos == stopped_at
    reset = wire.Command(
        frame_seq=0, phase="t", axes={"lift": wire.AxisCommand(wire.MODE_POSITION, target=0.4)}, reset_faults=True
    )
    _run(group, 1, cmd=reset)
    assert d.state == wire.DRIVE_ACTIVE
    _run(group, 20, cmd=_cmd(0.4))
    assert d.ref_pos > stopped_at


def test_following_error_latches_a_fault_and_holds_where_the_axis_is():
    group = DriveGroup([SPEC], {"lift": 0.0}, timeout_periods=5)
    _run(group, 20, cmd=_cmd(0.4), actual=0.0)  # the axis is blocked at 0
    d = group.drives["lift"]
    assert d.state == wire.DRIVE_FAULT and "following error" in d.reason
    assert d.ref_pos == 0.0 and d.target == 0.0
