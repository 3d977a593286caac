"""A vehicle with several packs is qualified pack by pack: the runs are spread
over its pack positions (the rig family's ``positions``) and each position is
judged (the ``each_position`` criterion), which fails when a position is not
run or one of its runs fails."""

from __future__ import annotations

import pytest

from swaptwin.commands.qualify import load_spec, qualification_jobs, summarize
from swaptwin.config import load


def _result(status: str = "pass", x_mm: float = 0.5) -> dict:
    return {
        "verdict": {"status": status, "reasons": [] if status == "pass" else ["cycle time over its limit"]},
        "alignment": [{"mating": "pack_into_vehicle", "x_mm": x_mm, "y_mm": -0.2, "yaw_deg": 0.01}],
        "cycle_time_s": 80.0,
        "locks": [{"id": "l0", "holding_force_n": 9e4, "required_force_n": 1e4}],
        "connector": {"peak_force_n": 100.0},
        "hazards": [],
        "phases": [],
    }


@pytest.fixture(scope="module")
def bus():
    return load(["rig=side_bus"])


def test_the_runs_are_spread_over_every_box_on_the_swapped_flank(bus):
    jobs = qualification_jobs(bus, load_spec(), 6)
    frames = [next(o for o in j.overrides if o.startswith("rig.swap_frame=")) for j in jobs]
    assert frames == [f"rig.swap_frame={f}" for f in ("l1", "l2", "l3", "l4", "l1", "l2")]


def test_a_fixed_frame_or_a_one_pack_rig_has_no_positions():
    for overrides in (["rig=side_bus", "rig.swap_frame=l3"], []):
        jobs = qualification_jobs(load(overrides), load_spec(), 2)
        assert not any(o.startswith("rig.swap_frame=") for j in jobs for o in j.overrides)


def _summary(cfg, jobs, statuses):
    results = {j.id: _result(s) for j, s in zip(jobs, statuses, strict=True)}
    report = summarize(cfg, jobs, results, base_overrides=[], confidence=0.95)
    return report, next(c for c in report["criteria"] if c["name"] == "each_position")


def test_each_position_passes_only_when_every_box_ran_and_passed(bus):
    jobs = qualification_jobs(bus, load_spec(), 8)
    report, crit = _summary(bus, jobs, ["pass"] * 8)
    assert crit["passed"] and crit["value"] == 4
    assert [(b["position"], b["runs"], b["passes"]) for b in report["positions"]] == [
        ("l1", 2, 2),
        ("l2", 2, 2),
        ("l3", 2, 2),
        ("l4", 2, 2),
    ]
    # One failing run of box l3 fails its position, and the criterion names how many positions passed.
    report, crit = _summary(bus, jobs, ["pass", "pass", "fail", "pass", "pass", "pass", "pass", "pass"])
    assert not crit["passed"] and crit["value"] == 3 and crit["detail"]["l3"] == 1
    assert [b["position"] for b in report["positions"] if not b["passed"]] == ["l3"]
    # Fewer runs than boxes: l4 is never swapped, so the vehicle is not qualified.
    jobs = qualification_jobs(bus, load_spec(), 3)
    report, crit = _summary(bus, jobs, ["pass"] * 3)
    assert not crit["passed"] and not report["passed"]
    assert report["positions"][3] == {**report["positions"][3], "position": "l4", "runs": 0, "passed": False}
