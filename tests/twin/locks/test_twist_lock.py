"""Twist-lock: entry through the ISO 1161 aperture, the seated-only turn, and its holding envelope.

Laws (twin/locks/twist_lock.py): the head enters only within the aperture's
clearance along each axis; it turns at the actuator's speed, toward locked
only when seated; seated and turned at least ``locked_min_deg`` it holds its
rated capacity, otherwise nothing.
"""

from __future__ import annotations

import numpy as np
import pytest

import swapwire as wire
from swaptwin.config import load
from twin.locks.base import LockContext
from twin.locks.twist_lock import TwistLockModel, entry_clearance_m

CFG = load(["lock=twist_lock"]).plant.lock
MM = 1e-3
G = 9.81
# domain.md (D): the 3.2 t cab-back pack on 4 locks needs 63 kN per lock (7 g + 1 g);
# lifting it on 4 points with a dynamic factor of 1.3 needs about 10 kN per point.
TRUCK_PACK_KG, POINTS, RETENTION_G, DYNAMIC_FACTOR = 3200.0, 4, 8.0, 1.3


def ctx(*, dx_mm: float = 0.0, dy_mm: float = 0.0, z_mm: float = 0.0, power: bool = True) -> LockContext:
    return LockContext(
        offset_m=np.array([dx_mm * MM, dy_mm * MM, z_mm * MM]),
        tool_coupled=power,
        vehicle_power=True,
        carried_load_n=0.0,
    )


def test_entry_clearance_comes_from_the_iso_1161_aperture_and_the_head():
    # (124.5 - 104) / 2 and (63.5 - 56) / 2 (domain.md)
    assert entry_clearance_m(CFG) == pytest.approx((10.25 * MM, 3.75 * MM))


@pytest.mark.parametrize("seated", (True, False))
@pytest.mark.parametrize("angle_deg", [0.0, 30.0, 60.0, 84.0, 86.0, 88.0, 90.0])
def test_holding_is_the_rated_capacity_exactly_when_seated_and_turned(seated, angle_deg):
    lock = TwistLockModel(CFG, engaged=False)
    lock.command(wire.LOCK_ENGAGE)
    lock.update(angle_deg / CFG.turn_speed_deg_s, ctx(z_mm=0.0 if seated else -2 * CFG.seat_tolerance_mm))
    expected_angle = angle_deg if seated else 0.0  # an unseated head does not turn
    assert lock.angle_deg == pytest.approx(expected_angle, abs=1e-9)
    engaged = seated and expected_angle >= CFG.locked_min_deg
    assert lock.engaged == engaged
    assert lock.holding_force_n() == (CFG.rated_capacity_n if engaged else 0.0)
    assert lock.sensors() == {
        "locked": (engaged,) * 2,
        "unlocked": (expected_angle <= CFG.unlocked_max_deg,) * 2,
        "seated": (seated,) * 2,
    }


@pytest.mark.parametrize(
    "dx_mm, dy_mm, enters",
    [(10.0, 0.0, True), (10.5, 0.0, False), (0.0, 3.5, True), (0.0, 4.0, False), (1.0, 1.0, True)],
)
def test_the_head_enters_only_within_the_clearance_along_each_axis(dx_mm, dy_mm, enters):
    lock = TwistLockModel(CFG, engaged=False)
    lock.command(wire.LOCK_ENGAGE)
    lock.update(2 * CFG.turn_deg / CFG.turn_speed_deg_s, ctx(dx_mm=dx_mm, dy_mm=dy_mm))
    assert lock.seated == enters and lock.engaged == enters
    assert lock.angle_deg == (CFG.turn_deg if enters else 0.0)


def test_release_turns_back_and_no_power_means_no_turn():
    lock = TwistLockModel(CFG, engaged=True)
    lock.update(0.0, ctx())
    assert lock.engaged and lock.holding_force_n() == CFG.rated_capacity_n
    lock.command(wire.LOCK_RELEASE)
    lock.update(10.0, ctx(power=False))
    assert lock.engaged and lock.angle_deg == CFG.turn_deg
    half_s = CFG.turn_deg / CFG.turn_speed_deg_s / 2
    lock.update(half_s, ctx())
    assert lock.angle_deg == pytest.approx(CFG.turn_deg / 2) and not lock.engaged
    lock.update(half_s, ctx())
    assert lock.sensors() == {"locked": (False, False), "unlocked": (True, True), "seated": (True, True)}


def test_default_capacity_covers_truck_pack_retention_and_lifting():
    lock = TwistLockModel(CFG, engaged=True)
    retention = TRUCK_PACK_KG * RETENTION_G * G / POINTS  # 63 kN
    lifting = TRUCK_PACK_KG * G * DYNAMIC_FACTOR / POINTS  # 10 kN
    assert lock.holding_force_n() > max(retention, lifting)
