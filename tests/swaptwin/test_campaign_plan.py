"""The campaign's plan and classification, without running a swap: a fault the
run's station cannot take is excluded with the config's own reason, and a run
that wrote no result is an error, never a pass."""

from __future__ import annotations

from swaptwin.batch.runner import Job
from swaptwin.commands.campaign import classify, load_spec, plan, summarize
from swaptwin.config import load


def test_a_fault_that_does_not_fit_the_run_is_excluded_with_the_configs_reason():
    cfg = load(["rig=overhead"])
    spec = {
        "faults": ["sensor_stuck", "encoder_drift"],
        "retarget": {"encoder_drift": ["fault.axis=trolley"]},
        "exclusions": [],
        "delay_s": 0.2,
    }
    jobs, excluded = plan(cfg, spec, ["rig=overhead"])
    # The catalog's sensor_stuck aims at the car's pack-present switch: no such sensor on a gantry.
    stuck = [c for c in excluded if c.fault == "sensor_stuck"]
    assert stuck and all("does not fit" in c.reason and "pack_present" in c.reason for c in stuck)
    assert not any(j.id.startswith("sensor_stuck@") for j in jobs)
    # Retargeted to a trolley, the drift fits and runs in every phase but identify.
    assert [j.id for j in jobs if j.id.startswith("encoder_drift@")]


def test_the_shipped_campaigns_fit_their_rigs():
    for rig in ("under_chassis", "overhead"):
        cfg = load([f"rig={rig}"])
        _, excluded = plan(cfg, load_spec(rig), [f"rig={rig}"])
        assert not [c for c in excluded if "does not fit" in c.reason], rig


def test_a_run_without_a_result_is_an_error_and_counts_against_the_campaign():
    placeholder = {
        "verdict": {"status": "fail", "reasons": ["no result: the plant wrote none (see runs/x/plant.log)"]},
        "controller": {},
        "hazards": [],
    }
    cell = classify(Job("pin_jam@lock", ("fault=pin_jam",)), placeholder)
    assert cell.status == "error" and "plant.log" in cell.reason
    s = summarize([cell])
    assert s["counts"]["error"] == 1 and s["detection_rate"] is None
