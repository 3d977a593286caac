"""The truck swap and the lock library end to end: ``swaptwin swap`` as a user runs it."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli


def _swap(tmp_path, *overrides):
    run_dir = tmp_path / "run"
    proc = run_cli("swap", f"hydra.run.dir={run_dir}", *overrides, cwd=tmp_path)
    return proc, json.loads((run_dir / "result.json").read_text())


def test_truck_swap_passes_on_the_default_overhead_config(tmp_path):
    proc, result = _swap(tmp_path, "rig=overhead")
    assert proc.returncode == 0, result["verdict"]
    assert result["config"]["vehicle"]["vehicle_class"] == "truck"
    assert result["config"]["pack"]["family_id"] == "truck_cab_back_280kwh"
    assert result["cycle_time_limit_s"] == 360 and result["cycle_time_s"] <= 360
    phases = [p["name"] for p in result["phases"]]
    assert phases[0] == "identify" and "set_down" in phases and phases[-1] == "retract"
    install = next(a for a in result["alignment"] if a["mating"] == "pack_into_vehicle")
    assert install["pack"] == "charged" and install["within"]
    for lk in result["locks"]:
        assert lk["type"] == "twist_lock" and lk["engaged"]
        # 3.2 t on 4 locks: mass x (7 g + 1 g) / 4 = 63 kN each (domain.md).
        assert lk["required_force_n"] == pytest.approx(3200 * 8 * 9.81 / 4, rel=1e-6)
        assert lk["holding_force_n"] >= lk["required_force_n"]
    assert result["hazards"] == []


@pytest.mark.parametrize("lock", ["em_latch", "mech_clip"])
def test_car_swap_passes_with_each_lock_type(tmp_path, lock):
    proc, result = _swap(tmp_path, f"lock={lock}")
    assert proc.returncode == 0, result["verdict"]
    assert {lk["type"] for lk in result["locks"]} == {lock}
    assert all(lk["engaged"] and lk["holding_force_n"] >= lk["required_force_n"] for lk in result["locks"])


def test_a_what_if_lock_too_weak_for_the_pack_fails_on_holding_force(tmp_path):
    """The truck pack with the car's EM latches: the pre-check refuses it; run as a what-if
    (force=true) the swap runs, and the verdict says why it fails."""
    proc, result = _swap(tmp_path, "rig=overhead", "lock=em_latch", "force=true")
    assert proc.returncode == 1
    assert result["controller"]["outcome"] == "done"
    assert any("below the required" in r for r in result["verdict"]["reasons"])
