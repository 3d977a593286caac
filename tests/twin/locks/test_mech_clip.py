"""Mechanical clip: the snap-fit mating force against its law, the snap, and the tool-only release.

Laws (twin/locks/mech_clip.py): spring P(d) = k (P0 + c d); mating force
W = P (mu + tan a) / (1 - mu tan a) while the lug rides the ramp (domain.md:
with mu = 0.15, 30 deg gives 0.80 P and 45 deg 1.35 P); a self-locking hold up
to the pawl's capacity once snapped; release only by the station's tool.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

import swapwire as wire
from swaptwin.config import load
from twin.locks.base import LockContext
from twin.locks.mech_clip import MechClipLock, mating_force_n, ramp_travel_m

CFG = load(["lock=mech_clip"]).plant.lock
MM = 1e-3
G = 9.81
CAR_PACK_KG, CAR_LOCKS, RETENTION_G = 555.0, 4, 8.0  # domain.md (D): mass x (7 g + 1 g) / locks
LAW_REL = 0.05  # the tolerance on the force envelope


def ctx(z_m: float, *, tool: bool = False, dy_mm: float = 0.0) -> LockContext:
    return LockContext(
        offset_m=np.array([0.0, dy_mm * MM, z_m]), tool_coupled=tool, vehicle_power=True, carried_load_n=0.0
    )


def ramp_foot_m(cfg) -> float:
    return -cfg.latch_play_mm * MM - ramp_travel_m(cfg)


def law_w_n(cfg, deflection_m: float) -> float:
    p = cfg.spring_factor * (cfg.spring_preload_n + cfg.spring_rate_n_per_mm * deflection_m / MM)
    mu, t = cfg.friction_coefficient, math.tan(math.radians(cfg.ramp_angle_deg))
    return p * (mu + t) / (1 - mu * t)


def push_in(lock: MechClipLock, cfg, *, steps: int = 200) -> list[float]:
    """Raise the lug from below the ramp to the seat; return the insertion forces seen."""
    forces = []
    for z in np.linspace(ramp_foot_m(cfg) - 1 * MM, 0.0, steps):
        lock.update(0.01, ctx(float(z)))
        forces.append(lock.insertion_force_n())
    return forces


@pytest.mark.parametrize("angle_deg, ratio", [(30.0, 0.80), (45.0, 1.35)])
def test_mating_over_deflection_force_matches_the_snap_fit_examples(angle_deg, ratio):
    cfg = dataclasses.replace(CFG, ramp_angle_deg=angle_deg, friction_coefficient=0.15)
    assert mating_force_n(cfg, 1.0) == pytest.approx(ratio, rel=0.01)


@pytest.mark.parametrize("preload_n", [100.0, 200.0, 300.0])
@pytest.mark.parametrize("angle_deg", [30.0, 35.0, 40.0, 45.0])
@pytest.mark.parametrize("along_ramp", [0.1, 0.5, 0.9])
def test_insertion_force_is_minus_w_of_the_spring_force_on_the_ramp(preload_n, angle_deg, along_ramp):
    cfg = dataclasses.replace(CFG, spring_preload_n=preload_n, ramp_angle_deg=angle_deg)
    lock = MechClipLock(cfg, engaged=False)
    z = ramp_foot_m(cfg) + along_ramp * ramp_travel_m(cfg)
    lock.update(0.01, ctx(z))
    deflection = along_ramp * cfg.pawl_stroke_mm * MM
    assert lock.pawl_m == pytest.approx(deflection, rel=1e-9)
    assert lock.insertion_force_n() == pytest.approx(-law_w_n(cfg, deflection), rel=1e-9)
    assert lock.insertion_force_n() == pytest.approx(-law_w_n(cfg, deflection), rel=LAW_REL)
    assert not lock.engaged and lock.sensors()["closed"] == (deflection <= cfg.closed_switch_mm * MM,) * 2


def test_the_pawl_snaps_once_the_lug_is_past_the_ramp_and_then_holds_its_capacity():
    lock = MechClipLock(CFG, engaged=False)
    assert lock.holding_force_n() == 0.0
    forces = push_in(lock, CFG)
    assert min(forces) < 0.0 and forces[-1] == 0.0  # resisted on the ramp, free once past
    assert lock.engaged and lock.holding_force_n() == CFG.retention_capacity_n
    assert lock.sensors() == {"closed": (True, True), "lug_present": (True, True)}
    # Self-locking: pulled back down onto the retention face it stays engaged and pushes nothing.
    lock.update(0.01, ctx(ramp_foot_m(CFG) + 0.5 * ramp_travel_m(CFG)))
    assert lock.engaged and lock.insertion_force_n() == 0.0


def test_default_clip_holds_the_car_packs_retention_load():
    assert MechClipLock(CFG, engaged=True).holding_force_n() > CAR_PACK_KG * RETENTION_G * G / CAR_LOCKS


def test_release_only_with_the_tool_and_it_takes_stroke_over_speed():
    lock = MechClipLock(CFG, engaged=True)
    lock.command(wire.LOCK_RELEASE)
    for _ in range(100):
        lock.update(0.01, ctx(0.0, tool=False))
    assert lock.engaged and lock.sensors()["closed"] == (True, True)
    unlock_s = CFG.pawl_stroke_mm / CFG.release_tool_speed_mm_s
    dt = unlock_s / 50
    for _ in range(49):
        lock.update(dt, ctx(0.0, tool=True))
        assert lock.engaged
    lock.update(dt * 1.001, ctx(0.0, tool=True))
    assert not lock.engaged and lock.holding_force_n() == 0.0
    assert lock.sensors() == {"closed": (False, False), "lug_present": (True, True)}
    # Engage retracts the tool; the pawl closes behind it and the pack is free to go.
    lock.command(wire.LOCK_ENGAGE)
    lock.update(2 * unlock_s, ctx(ramp_foot_m(CFG) - 5 * MM, tool=True))
    assert not lock.engaged and lock.sensors() == {"closed": (True, True), "lug_present": (False, False)}


@pytest.mark.parametrize("tool_over_spring", [0.95, 1.05])
def test_the_tool_opens_the_pawl_only_if_it_beats_the_spring_at_full_stroke(tool_over_spring):
    at_full_stroke = CFG.spring_factor * (CFG.spring_preload_n + CFG.spring_rate_n_per_mm * CFG.pawl_stroke_mm)
    cfg = dataclasses.replace(CFG, release_tool_force_n=tool_over_spring * at_full_stroke)
    lock = MechClipLock(cfg, engaged=True)
    lock.command(wire.LOCK_RELEASE)
    for _ in range(100):
        lock.update(0.01, ctx(0.0, tool=True))
    assert lock.engaged == (tool_over_spring < 1.0)
    if lock.engaged:  # stalled where the spring's force meets the tool's
        stall_mm = (cfg.release_tool_force_n / cfg.spring_factor - cfg.spring_preload_n) / cfg.spring_rate_n_per_mm
        assert lock.pawl_m == pytest.approx(stall_mm * MM, rel=1e-9)


def test_a_broken_spring_never_snaps_and_resists_nothing():
    lock = MechClipLock(CFG, engaged=False)
    lock.spring_factor = 0.0  # what a broken-spring fault sets
    forces = push_in(lock, CFG)
    assert all(f == 0.0 for f in forces)
    assert not lock.engaged and lock.holding_force_n() == 0.0
    assert lock.sensors() == {"closed": (False, False), "lug_present": (True, True)}


def test_a_lug_beyond_the_lateral_capture_is_neither_seen_nor_latched():
    lock = MechClipLock(CFG, engaged=False)
    lock.update(0.01, ctx(0.0, dy_mm=CFG.lateral_capture_mm + 1.0))
    assert not lock.engaged and lock.sensors()["lug_present"] == (False, False)
