"""Faults injected into real runs: plant and controller in their own processes,
the observer channel read by a subscriber, as a monitoring tool would."""

from __future__ import annotations

import time

import pytest

from tests.conftest import ObserverTap, start_controller


def _observe(plant_process, tmp_path, *overrides):
    plant = plant_process(*overrides)
    tap = ObserverTap(plant.observer)
    time.sleep(0.3)  # let the subscription reach the plant before the session starts
    ctrl = start_controller(plant.endpoint, tmp_path)
    try:
        messages = tap.drain_until_session_end()
        ctrl.wait(timeout=30)
    finally:
        tap.close()
        if ctrl.poll() is None:
            ctrl.kill()
    return messages, plant.result()


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
