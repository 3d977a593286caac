"""The campaign's plan and classification, without running a swap: a fault the
run's station cannot take is excluded with the config's own reason, and a run
that wrote no result is an error, never a pass."""

from __future__ import annotations

import pytest

from swaptwin.batch.runner import Job
from swaptwin.commands import campaign
from swaptwin.commands.campaign import classify, load_spec, plan, summarize
from swaptwin.config import load
from twin.rigs import family
from twin.schema import ConfigError


def test_a_fault_that_does_not_fit_the_run_is_excluded_with_the_configs_reason():
    cfg = load(["rig=overhead"])
    spec = {
        "faults": ["sensor_stuck", "encoder_drift"],
        "retarget": {"encoder_drift": ["fault.axis=trolley"]},
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


def test_every_cell_runs_but_those_whose_fault_cannot_apply():
    """No written exclusions: the car campaign runs every cell but a static
    fault's later phases and the faults its locks do not take."""
    cfg = load([])
    spec = load_spec("under_chassis")
    jobs, excluded = plan(cfg, spec, [])
    columns = family("under_chassis").phases
    assert len(jobs) + len(excluded) == len(spec["faults"]) * len(columns)
    for cell in excluded:
        assert "cannot apply" in cell.reason or "shapes the station before the run" in cell.reason, cell
    for fault in ("axis_slow", "leak_down", "encoder_drift", "vision_pose_error", "load_cell_noise"):
        assert {j.id for j in jobs if j.id.startswith(f"{fault}@")} == {f"{fault}@{p}" for p in columns}


def test_a_written_exclusion_is_refused_naming_the_file(tmp_path, monkeypatch):
    (tmp_path / "campaign").mkdir()
    (tmp_path / "campaign" / "under_chassis.yaml").write_text(
        "delay_s: 0.2\nfaults: [axis_slow]\nexclusions: [{fault: axis_slow, phases: all, reason: harmless}]\n"
    )
    monkeypatch.setattr(campaign, "CONFIG_DIR", tmp_path)
    with pytest.raises(ConfigError) as err:
        load_spec("under_chassis")
    assert "written exclusions are not accepted" in str(err.value) and str(tmp_path) in str(err.value)


def test_an_absorbed_cell_carries_the_evidence():
    result = {
        "session": {"end_reason": "bye"},
        "controller": {"outcome": "done"},
        "hazards": [],
        "faults": [{"name": "axis_slow", "kind": "axis_slow", "active_s": 12.0, "cleared_s": None}],
        "verdict": {"status": "pass", "reasons": []},
        "cycle_time_s": 150.0,
        "cycle_time_limit_s": 300.0,
        "alignment": [{"mating": "pack_into_vehicle", "x_mm": 0.4, "y_mm": -0.9, "tolerance_mm": 2.0}],
        "locks": [{"holding_force_n": 60000.0, "required_force_n": 10889.0}],
        "connector": {"mated": True},
    }
    cell = classify(Job("axis_slow@approach", ()), result)
    assert cell.status == "absorbed"
    assert cell.evidence["fault_active_s"] == [12.0, None] and cell.evidence["alignment_mm"] == 0.9
    assert "cycle 150.0/300 s" in campaign.evidence_text(cell.evidence)
