"""Hydraulic locking pin: its force laws against their analytic values.

Laws (twin/locks/hydraulic_pin.py): F = p A over the whole pressure range; a
first-order pressure rise; the engaged pin holds as a form fit up to its shear
capacity tau A_pin; a misaligned lug blocks the pin.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import swapwire as wire
from swaptwin.config import load
from twin.locks.base import LockContext
from twin.locks.hydraulic_pin import HydraulicPinLock, engaging_force_n, radial_clearance_m, shear_capacity_n

CFG = load([]).plant.lock
MPA = 1e6
ALIGNED = LockContext(offset_m=np.zeros(3), tool_coupled=True, vehicle_power=True, carried_load_n=0.0)


@pytest.mark.parametrize("pressure_mpa", np.linspace(0.0, 25.0, 11))
def test_engaging_force_is_pressure_times_piston_area(pressure_mpa):
    area = math.pi * (CFG.bore_mm / 1000) ** 2 / 4
    assert engaging_force_n(CFG, pressure_mpa * MPA) == pytest.approx(pressure_mpa * MPA * area, rel=1e-12)


def test_datasheet_point_32_mm_bore_at_16_mpa_pushes_12_9_kn():
    # domain.md: a 32 mm bore at 16 MPa pushes 12.9 kN (ISO 6020 figures).
    assert engaging_force_n(CFG, 16 * MPA) == pytest.approx(12.9e3, rel=0.005)


def test_pressure_rises_first_order_with_the_configured_time_constant():
    lock = HydraulicPinLock(CFG, engaged=False)
    lock.command(wire.LOCK_ENGAGE)
    dt, t, p_supply = 0.001, 0.0, CFG.supply_pressure_mpa * MPA
    samples = []
    while t < 3 * CFG.pressure_tau_s:
        lock.update(dt, ALIGNED)
        t += dt
        samples.append((t, lock.pressure_pa))
    for t, p in samples[::50]:
        assert p == pytest.approx(p_supply * (1 - math.exp(-t / CFG.pressure_tau_s)), rel=1e-6)


def test_holding_is_the_pins_shear_capacity_only_when_engaged():
    expected = CFG.shear_allowable_mpa * MPA * CFG.shear_planes * math.pi * (CFG.pin_diameter_mm / 1000) ** 2 / 4
    assert shear_capacity_n(CFG) == pytest.approx(expected, rel=1e-12)
    lock = HydraulicPinLock(CFG, engaged=False)
    assert lock.holding_force_n() == 0.0
    lock.command(wire.LOCK_ENGAGE)
    for _ in range(2000):
        lock.update(0.001, ALIGNED)
    assert lock.engaged and lock.holding_force_n() == pytest.approx(expected)
    s = lock.sensors()
    assert s["extended"] == (True, True) and s["pressure_ok"] == (True, True)


@pytest.mark.parametrize("pressure_mpa", [0.1, 0.3, 0.5, 1.0, 4.0, 16.0])
def test_pin_stays_engaged_exactly_while_p_times_a_beats_spring_and_friction(pressure_mpa):
    """Below (spring + mu * load) / A the spring retracts the pin; above, it holds."""
    load_n = 2000.0
    lock = HydraulicPinLock(CFG, engaged=True)
    lock.pressure_pa = pressure_mpa * MPA
    unpowered = LockContext(offset_m=np.zeros(3), tool_coupled=False, vehicle_power=True, carried_load_n=load_n)
    for _ in range(100):
        lock.update(0.01, unpowered)  # leak tau is hours: pressure ~ constant over 1 s
    threshold_pa = (CFG.return_spring_n) / (math.pi * (CFG.bore_mm / 1000) ** 2 / 4)
    if pressure_mpa * MPA > threshold_pa:
        assert lock.engaged
    else:
        # Friction holds it while the spring is weaker than friction; only then.
        friction = CFG.friction_coefficient * load_n
        assert lock.engaged == (CFG.return_spring_n <= engaging_force_n(CFG, lock.pressure_pa) + friction)


def test_a_lug_off_axis_by_more_than_the_clearance_blocks_the_pin():
    lock = HydraulicPinLock(CFG, engaged=False)
    lock.command(wire.LOCK_ENGAGE)
    off = LockContext(
        offset_m=np.array([0.0, radial_clearance_m(CFG) * 1.2, 0.0]),
        tool_coupled=True,
        vehicle_power=True,
        carried_load_n=0.0,
    )
    for _ in range(2000):
        lock.update(0.001, off)
    assert not lock.engaged and lock.holding_force_n() == 0.0
    assert lock.stroke_m == pytest.approx(CFG.lug_gap_mm / 1000)
    assert lock.sensors()["extended"] == (False, False)


def test_trapped_pressure_leaks_down_with_its_time_constant():
    lock = HydraulicPinLock(CFG, engaged=True)
    p0 = lock.pressure_pa
    closed = LockContext(offset_m=np.zeros(3), tool_coupled=False, vehicle_power=True, carried_load_n=0.0)
    lock.update(CFG.leak_tau_s, closed)
    assert lock.pressure_pa == pytest.approx(p0 * math.exp(-1.0), rel=1e-9)
