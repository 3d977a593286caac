"""Faults injected into real runs: plant and controller in their own processes,
the observer channel read by a subscriber, as a monitoring tool would."""

from __future__ import annotations

import json
import time

import pytest

from tests.conftest import ObserverTap, run_cli, start_controller


def _observe(plant_process, tmp_path, *overrides, controller_module="controllers"):
    plant = plant_process(*overrides)
    tap = ObserverTap(plant.observer)
    time.sleep(0.3)  # let the subscription reach the plant before the session starts
    ctrl = start_controller(plant.endpoint, tmp_path, module=controller_module)
    try:
        messages = tap.drain_until_session_end()
        ctrl.wait(timeout=30)
    finally:
        tap.close()
        if ctrl.poll() is None:
            ctrl.kill()
    return messages, plant.result()


def _swap(tmp_path, *overrides):
    run_dir = tmp_path / "run"
    proc = run_cli("swap", f"hydra.run.dir={run_dir}", *overrides, cwd=tmp_path)
    return proc, json.loads((run_dir / "result.json").read_text())


@pytest.mark.parametrize("variant, holds", [("em_latch", False), ("em_latch_ep", True)])
def test_latch_power_loss_drops_power_to_hold_and_spares_electro_permanent(plant_process, tmp_path, variant, holds):
    messages, result = _observe(plant_process, tmp_path, f"lock={variant}", "fault=latch_power_loss")
    fault_on = next(b for t, b in messages if t == "event" and b.get("event") == "fault" and b["active"])
    assert fault_on["kind"] == "latch_power_loss"
    # Allow the release delay, then read the locks' own holding force on the observer channel.
    release_s = 0.5
    after = [b for t, b in messages if t == "truth" and b["t_s"] > fault_on["t_s"] + release_s]
    assert after, "no ground truth after the fault"
    assert all(not b["vehicle_power"] for b in after)
    forces = [lk["holding_force_n"] for b in after for lk in b["locks"]]
    if holds:
        required = result["locks"][0]["required_force_n"]
        assert min(forces) >= required
        assert all(lk["engaged"] for lk in after[-1]["locks"])
    else:
        assert max(forces) == 0.0
        assert not any(lk["engaged"] for lk in after[-1]["locks"])


def test_our_controller_detects_latch_power_loss_mid_transfer_and_nothing_falls(tmp_path):
    proc, result = _swap(
        tmp_path, "lock=em_latch", "fault=latch_power_loss", "fault.at.phase=lock", "fault.at.delay_s=0.5"
    )
    assert proc.returncode == 1
    assert result["controller"]["outcome"] == "safe_stop"
    assert result["controller"]["detected_by"] in ("lock_status", "verification", "two_channel")
    assert result["hazards"] == []


def test_a_careless_controller_that_ignores_latch_power_loss_makes_the_twin_report_the_hazard(plant_process, tmp_path):
    """The careless controller skips verification and lowers its lift at once;
    the latches lose power while the pack hangs on them."""
    messages, result = _observe(
        plant_process,
        tmp_path,
        "lock=em_latch",
        "fault=latch_power_loss",
        "fault.at.phase=withdraw",
        "fault.at.delay_s=1.0",
        controller_module="tests.careless_controller",
    )
    kinds = {h["kind"] for h in result["hazards"]}
    assert "pack_dropped" in kinds, result["hazards"]
    assert result["verdict"]["status"] == "fail"
    # The hazard is ground truth only: it reached the observer channel...
    assert any(t == "event" and b.get("event") == "hazard" for t, b in messages)
