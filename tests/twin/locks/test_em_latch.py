"""Electromagnetic latch: its force laws against their analytic values, and its two variants.

Laws (twin/locks/em_latch.py): F = F0 (i / i_rated) a / (1 + g / g0)^2 over
coil current and air gap, a 0.5 mm gap halving the pull (domain.md); a
first-order current rise with tau = L/R; a release dead time; shear 1/5 of
pull. Power-to-hold lets go on a vehicle power loss, electro-permanent holds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import swapwire as wire
from swaptwin.config import load
from twin.locks.base import LockContext
from twin.locks.em_latch import ElectroPermanentLatch, PowerToHoldLatch, em_latch_lock

PTH = load(["lock=em_latch"]).plant.lock
EP = load(["lock=em_latch_ep"]).plant.lock
MM = 1e-3
G = 9.81
# domain.md (D): each of 4 locks holds mass x (7 g shock + 1 g static) / 4 of the 555 kg car pack.
CAR_PACK_KG, CAR_LOCKS, RETENTION_G = 555.0, 4, 8.0
# The tolerance on every force envelope; the models are exact, so most checks are tighter.
LAW_REL = 0.05


def ctx(
    gap_mm: float = 0.0, *, dx_mm: float = 0.0, dy_mm: float = 0.0, tool: bool = True, power: bool = True
) -> LockContext:
    """``gap_mm``: how far the plate is short of its seat (the residual gap comes on top)."""
    return LockContext(
        offset_m=np.array([dx_mm * MM, dy_mm * MM, -gap_mm * MM]),
        tool_coupled=tool,
        vehicle_power=power,
        carried_load_n=0.0,
    )


def law_n(cfg, *, current_fraction: float, air_gap_mm: float, overlap: float = 1.0) -> float:
    return cfg.rated_pull_n * current_fraction * overlap / (1.0 + air_gap_mm / cfg.gap_scale_mm) ** 2


def magnet_force_n(lock) -> float:
    """The pull the model exerts: holding with the plate on the magnet, attraction before."""
    return lock.holding_force_n() + lock.insertion_force_n()


def test_the_configured_variant_picks_its_class_and_channels():
    assert isinstance(em_latch_lock(PTH, engaged=True), PowerToHoldLatch)
    assert isinstance(em_latch_lock(EP, engaged=True), ElectroPermanentLatch)
    assert PowerToHoldLatch.channels == ("gap_closed", "energised")
    assert ElectroPermanentLatch.channels == ("gap_closed", "magnetised")


@pytest.mark.parametrize("cfg", [PTH, EP], ids=["power_to_hold", "electro_permanent"])
@pytest.mark.parametrize("t_over_tau", [0.1, 0.5, 1.0, 2.0, 5.0])
@pytest.mark.parametrize("gap_mm", [0.0, 0.1, 0.3, 0.5, 1.0, 2.0, 4.0])
def test_pull_follows_the_gap_law_over_current_and_gap(cfg, t_over_tau, gap_mm):
    """The coil is driven for t from rest: i / i_rated = 1 - exp(-t / tau)."""
    lock = em_latch_lock(cfg, engaged=False)
    lock.command(wire.LOCK_ENGAGE)
    lock.update(t_over_tau * cfg.coil_tau_s, ctx(gap_mm))
    expected = law_n(cfg, current_fraction=1.0 - math.exp(-t_over_tau), air_gap_mm=gap_mm + cfg.residual_gap_mm)
    assert magnet_force_n(lock) == pytest.approx(expected, rel=1e-9)
    assert magnet_force_n(lock) == pytest.approx(expected, rel=LAW_REL)


def test_a_half_millimetre_gap_halves_the_pull():
    # domain.md: a 0.5 mm air gap can halve the holding force (B); g0 = 1.21 mm is fitted to it (D).
    at_contact = law_n(PTH, current_fraction=1.0, air_gap_mm=0.0)
    lock = em_latch_lock(PTH, engaged=True)
    lock.update(0.0, ctx(0.5 - PTH.residual_gap_mm))
    assert lock.gap_m == pytest.approx(0.5 * MM)
    assert magnet_force_n(lock) / at_contact == pytest.approx(0.5, rel=0.01)


def test_current_rises_first_order_with_the_coil_time_constant():
    lock = em_latch_lock(PTH, engaged=False)
    lock.command(wire.LOCK_ENGAGE)
    dt, t = 0.001, 0.0
    while t < 3 * PTH.coil_tau_s:
        lock.update(dt, ctx())
        t += dt
        assert lock.truth()["current_a"] == pytest.approx(
            PTH.rated_current_a * (1 - math.exp(-t / PTH.coil_tau_s)), rel=1e-6
        )


def test_holding_is_the_pull_only_with_the_plate_on_the_magnet_and_shear_is_a_fifth():
    lock = em_latch_lock(PTH, engaged=True)
    lock.update(0.0, ctx())
    pull = law_n(PTH, current_fraction=1.0, air_gap_mm=PTH.residual_gap_mm)
    assert lock.engaged and lock.holding_force_n() == pytest.approx(pull, rel=1e-12)
    assert lock.insertion_force_n() == 0.0  # the LockJoint carries the pull once the plate is on
    assert lock.truth()["shear_holding_force_n"] == pytest.approx(pull / 5, rel=1e-12)  # B: shear ~ 1/5 of pull
    lock.update(0.0, ctx(PTH.gap_closed_mm))  # the plate off the magnet: attraction, not holding
    assert not lock.engaged and lock.holding_force_n() == 0.0 and lock.insertion_force_n() > 0.0
    lock.update(0.0, ctx(PTH.attraction_range_mm + 1.0))
    assert lock.insertion_force_n() == 0.0


@pytest.mark.parametrize("dx_mm, dy_mm", [(0.0, 2.0), (2.0, 0.0), (5.0, 5.0), (0.0, 35.0), (0.0, 80.0)])
def test_a_laterally_offset_plate_pulls_with_its_overlap(dx_mm, dy_mm):
    lock = em_latch_lock(PTH, engaged=True)
    lock.update(0.0, ctx(dx_mm=dx_mm, dy_mm=dy_mm))
    overlap = max(0.0, 1 - dx_mm / PTH.face_length_mm) * max(0.0, 1 - dy_mm / PTH.face_width_mm)
    assert lock.holding_force_n() == pytest.approx(
        law_n(PTH, current_fraction=1.0, air_gap_mm=PTH.residual_gap_mm, overlap=overlap), rel=1e-12
    )
    assert lock.sensors()["gap_closed"] == (overlap > 0,) * 2


@pytest.mark.parametrize("cfg", [PTH, EP], ids=["power_to_hold", "electro_permanent"])
def test_default_latch_holds_the_car_packs_retention_load_even_2_mm_off(cfg):
    required = CAR_PACK_KG * RETENTION_G * G / CAR_LOCKS  # 10.9 kN
    lock = em_latch_lock(cfg, engaged=True)
    lock.update(0.0, ctx(dx_mm=2.0, dy_mm=2.0))  # QC/T 1204.4 fixing-point tolerance +-2 mm (A)
    assert lock.holding_force_n() > required


@pytest.mark.parametrize("cfg", [PTH, EP], ids=["power_to_hold", "electro_permanent"])
def test_release_lets_go_after_the_release_delay(cfg):
    dt = 0.001
    lock = em_latch_lock(cfg, engaged=True)
    lock.command(wire.LOCK_RELEASE)
    t = 0.0
    while t + dt < cfg.release_delay_s - 1e-9:
        lock.update(dt, ctx())
        t += dt
        assert lock.engaged and lock.holding_force_n() > 0.0
    lock.update(2 * dt, ctx())
    assert not lock.engaged and lock.holding_force_n() == 0.0
    field = lock.field_channel
    assert lock.sensors() == {"gap_closed": (True, True), field: (False, False)}


def test_power_to_hold_drops_to_zero_on_vehicle_power_loss_without_any_command():
    lock = em_latch_lock(PTH, engaged=True)
    for _ in range(round(2 * PTH.release_delay_s / 0.01)):
        lock.update(0.01, ctx(tool=False, power=False))
    assert not lock.engaged and lock.holding_force_n() == 0.0 and lock.sensors()["energised"] == (False, False)
    # Power back: the latch driver was never switched off, so the coil comes back on.
    for _ in range(round(10 * PTH.coil_tau_s / 0.01)):
        lock.update(0.01, ctx(tool=False, power=True))
    assert lock.engaged and lock.sensors()["energised"] == (True, True)


def test_electro_permanent_keeps_holding_with_no_power_at_all():
    lock = em_latch_lock(EP, engaged=True)
    full = law_n(EP, current_fraction=1.0, air_gap_mm=EP.residual_gap_mm)
    for _ in range(1000):
        lock.update(0.01, ctx(tool=False, power=False))
    assert lock.engaged and lock.holding_force_n() == pytest.approx(full, rel=1e-12)
    assert lock.sensors()["magnetised"] == (True, True)


@pytest.mark.parametrize("cfg", [PTH, EP], ids=["power_to_hold", "electro_permanent"])
def test_commands_act_only_through_the_coupled_tool(cfg):
    lock = em_latch_lock(cfg, engaged=True)
    lock.command(wire.LOCK_RELEASE)
    for _ in range(100):
        lock.update(0.01, ctx(tool=False))
    assert lock.engaged
    idle = em_latch_lock(cfg, engaged=False)
    idle.command(wire.LOCK_ENGAGE)
    for _ in range(100):
        idle.update(0.01, ctx(tool=False))
    assert not idle.engaged and idle.truth()["current_a"] == 0.0


def test_an_electro_permanent_pulse_cut_short_leaves_the_magnetisation_where_it_was():
    lock = em_latch_lock(EP, engaged=False)
    lock.command(wire.LOCK_ENGAGE)
    lock.update(EP.coil_tau_s, ctx())
    reached = 1 - math.exp(-1.0)
    lock.update(10.0, ctx(tool=False, power=False))
    assert lock.current_fraction == pytest.approx(reached, rel=1e-12)
    assert lock.sensors()["magnetised"] == (reached >= EP.field_switch_fraction,) * 2
