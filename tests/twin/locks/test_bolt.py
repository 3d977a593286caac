"""Bolted lock: the torque-preload law F = T / (K d) and the preloaded joint's force envelope.

Laws (twin/locks/bolt.py): the preload a nutrunner leaves is T / (K d) (VDI 2230's
short form); along its axis the joint holds min(F / (1 - phi), (F_p - F) / phi);
across it, mu F. Reference points: ISO 898-1 M12 10.9 proof load 70.0 kN; with
K 0.15 a 94 N*m tightening gives 75 % of it (brands notes s4: 52.5 kN at
94 N*m). The model must stay within 5 % of the law over the torque range.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import swapwire as wire
from swaptwin.config import load
from twin.locks import LOCK_TYPES
from twin.locks.base import LockContext
from twin.locks.bolt import BoltLock, axial_holding_n, preload_n

CFG = load(["lock=bolt"]).plant.lock
SEATED = LockContext(offset_m=np.zeros(3), tool_coupled=True, vehicle_power=True, carried_load_n=0.0)
# ISO 898-1: M12 class 10.9 proof load ([optimas], [usefast] B).
M12_10_9_PROOF_N = 70.0e3
# brands notes s4, from T = K d F: 75 % of the proof load at K 0.15 takes 94 N*m.
SEVENTY_FIVE_PERCENT_TORQUE_NM = 94.0
ENVELOPE_TOLERANCE = 0.05


def _ctx(x_m: float = 0.0, z_m: float = 0.0, *, tool: bool = True) -> LockContext:
    return LockContext(offset_m=np.array([x_m, 0.0, z_m]), tool_coupled=tool, vehicle_power=True, carried_load_n=0.0)


def _tightened(cfg=CFG, *, ctx=SEATED, faults=()) -> BoltLock:
    lock = BoltLock(cfg, engaged=False)
    for kind in faults:
        lock.apply_fault(kind, active=True)
    lock.command(wire.LOCK_ENGAGE)
    for _ in range(round(2 * lock.nominal_engage_time_s / 0.01)):
        lock.update(0.01, ctx)
    return lock


def test_the_bolt_is_one_module_and_a_registry_line():
    assert LOCK_TYPES["bolt"].schema is type(CFG)
    assert LOCK_TYPES["bolt"].fault_kinds == {"under_torque", "cross_thread", "seized_bolt"}


def test_the_vdi_point_75_percent_of_proof_load_at_94_nm():
    f = preload_n(CFG, SEVENTY_FIVE_PERCENT_TORQUE_NM)
    assert f == pytest.approx(0.75 * M12_10_9_PROOF_N, rel=ENVELOPE_TOLERANCE)
    assert CFG.proof_load_kn * 1e3 == pytest.approx(M12_10_9_PROOF_N)


@pytest.mark.parametrize("torque_nm", np.linspace(10.0, 140.0, 14))
def test_the_models_preload_and_holding_follow_the_law_within_5_percent(torque_nm):
    cfg = dataclasses.replace(CFG, target_torque_nm=float(torque_nm))
    lock = _tightened(cfg)
    f_law = torque_nm / (CFG.nut_factor * CFG.nominal_diameter_mm / 1000)
    phi, fp = CFG.joint_load_factor, CFG.proof_load_kn * 1e3
    hold_law = max(0.0, min(f_law / (1 - phi), (fp - f_law) / phi))
    assert lock.preload_n == pytest.approx(f_law, rel=ENVELOPE_TOLERANCE)
    assert lock.holding_force_n() == pytest.approx(hold_law, rel=ENVELOPE_TOLERANCE, abs=1.0)
    assert lock.truth()["transverse_holding_n"] == pytest.approx(CFG.joint_friction * f_law, rel=ENVELOPE_TOLERANCE)


def test_past_its_proof_load_a_bolt_holds_nothing_more():
    assert axial_holding_n(CFG, CFG.proof_load_kn * 1e3) == 0.0
    # Below it, joint separation limits: F / (1 - phi).
    assert axial_holding_n(CFG, 40e3) == pytest.approx(40e3 / (1 - CFG.joint_load_factor))


def test_engaged_means_torqued_within_the_angle_window_on_both_channels():
    lock = _tightened()
    assert lock.engaged and lock.reported_engaged(lock.sensors())
    assert lock.sensors()["loose"] == (False, False)
    lock.command(wire.LOCK_RELEASE)
    for _ in range(300):
        lock.update(0.01, SEATED)
    assert not lock.engaged and lock.sensors()["loose"] == (True, True)


def test_a_bolt_out_of_reach_or_without_its_nutrunner_is_not_run_down():
    assert not _tightened(ctx=_ctx(x_m=4e-3)).engaged  # beyond the floating nut's 3 mm capture
    assert not _tightened(ctx=_ctx(z_m=-5e-3)).engaged  # the pack not at its seat
    assert not _tightened(ctx=_ctx(tool=False)).engaged  # no nutrunner on it


def test_under_torque_reports_the_target_but_holds_a_quarter():
    lock = _tightened(faults=("under_torque",))
    assert lock.sensors()["torqued"] == (True, True) and lock.reported_engaged(lock.sensors())
    assert lock.preload_n == pytest.approx(CFG.under_torque_fraction * preload_n(CFG, CFG.target_torque_nm))
    # The 555 kg pack on 4 bolts needs 11.0 kN each (mass x 8 g / 4 locks): a tenth of the preload is short.
    assert lock.holding_force_n() < 555 * 8 * 9.81 / 4


def test_a_cross_threaded_bolt_reaches_torque_at_too_small_an_angle_and_clamps_nothing():
    lock = _tightened(faults=("cross_thread",))
    s = lock.sensors()
    assert s["torqued"] == (True, True) and s["angle_ok"] == (False, False)
    assert not lock.reported_engaged(s) and lock.holding_force_n() == 0.0


def test_a_seized_bolt_never_comes_loose():
    lock = _tightened()
    lock.apply_fault("seized_bolt", active=True)
    lock.command(wire.LOCK_RELEASE)
    for _ in range(500):
        lock.update(0.01, SEATED)
    assert lock.engaged and lock.sensors()["loose"] == (False, False)


def test_the_characterise_sweep_is_within_5_percent_of_the_law():
    s = LOCK_TYPES["bolt"].sweep(CFG)
    assert len(s.rows) > 20
    for row in s.rows:
        for name in ("holding", "engaging"):
            law, model = row[f"{name}_law_n"], row[f"{name}_model_n"]
            assert model == pytest.approx(law, rel=ENVELOPE_TOLERANCE, abs=1.0), (row["torque_nm"], name)
