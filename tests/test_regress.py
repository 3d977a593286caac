"""``swaptwin regress``: the comparison's rules on canned data, then the real
thing: real swaps (plant and controller processes over ZeroMQ) against the
baselines in ci/, including the proof that it fails when it must."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from swaptwin.commands.regress import (
    Row,
    Rule,
    ScenarioReport,
    SuiteError,
    bless,
    compare,
    compare_value,
    kpis,
    load_rules,
    load_suite,
    rule_for,
)
from tests.conftest import REPO, run_cli

RESULT = {
    "verdict": {"status": "pass"},
    "controller": {"outcome": "done", "phase": "done", "detected_by": ""},
    "phases": [
        {"name": "align", "duration_s": 1.0},
        {"name": "lock", "duration_s": 2.0},
        {"name": "align", "duration_s": 0.5},
    ],
    "cycle_time_s": 55.5,
    "sim_time_s": 55.52,
    "alignment": [
        {"mating": "pack_into_vehicle", "pack": "charged", "x_mm": -0.4, "y_mm": 0.1, "yaw_deg": 0.004},
        {"mating": "tool_to_pack", "pack": "charged", "x_mm": 0.2, "y_mm": 0.0, "yaw_deg": 0.0},
        {"mating": "tool_to_pack", "pack": "charged", "x_mm": 0.3, "y_mm": 0.0, "yaw_deg": 0.0},
    ],
    "locks": [{"id": "0", "holding_force_n": 62831.9, "engaged": True}],
    "connector": {"peak_force_n": 200.0},
    "contacts": {"peak_n": {"vehicle": 7000.0}},
    "hazards": [{"kind": "pack_dropped", "t_s": 30.0}],
    "faults": [{"name": "pin_jam"}],
}


# -- the rules -----------------------------------------------------------------------------------
def test_kpis_are_flat_and_keep_repeats_apart():
    k = kpis(RESULT)
    assert k["cycle.phase.align_s"] == 1.5  # a phase entered twice counts its total
    assert k["verdict.phase_sequence"] == ["align", "lock", "align"]
    assert k["alignment.tool_to_pack.charged.x_mm"] == 0.2 and k["alignment.tool_to_pack.charged.2.x_mm"] == 0.3
    assert k["holding.lock_0_n"] == 62831.9 and k["holding.lock_0_engaged"] is True
    assert k["forces.contact_peak_n.vehicle"] == 7000.0 and k["safety.hazard.0.pack_dropped_t_s"] == 30.0
    assert k["safety.hazards"] == ["pack_dropped"] and k["safety.faults"] == ["pin_jam"]


@pytest.mark.parametrize(
    "rule, base, now, verdict",
    [
        (Rule("x", abs_tol=0.5, rel_tol=0.01, worse="higher"), 55.5, 55.9, "within"),
        (Rule("x", abs_tol=0.5, rel_tol=0.01, worse="higher"), 55.5, 57.0, "REGRESSED"),
        (Rule("x", abs_tol=0.5, rel_tol=0.01, worse="higher"), 55.5, 50.0, "improved"),
        (Rule("x", rel_tol=0.01, worse="lower"), 1000.0, 980.0, "REGRESSED"),
        (Rule("x", abs_tol=0.25, worse="farther"), -0.4, 0.3, "within"),
        (Rule("x", abs_tol=0.25, worse="farther"), -0.4, -0.8, "REGRESSED"),
        (Rule("x", abs_tol=0.25, worse="farther"), -0.4, 0.8, "REGRESSED"),
        (Rule("x", abs_tol=0.25, worse="farther"), -0.4, 0.05, "improved"),
        (Rule("x", abs_tol=10, worse="both"), 100.0, 80.0, "REGRESSED"),
        (Rule("x", exact=True), "done", "safe_stop", "CHANGED"),
        (Rule("x", abs_tol=1.0), 55.5, None, "CHANGED"),  # a cycle time that no longer exists
        (Rule("x"), [1, 2], [1, 2], "same"),
    ],
)
def test_each_rule_judges_a_change(rule, base, now, verdict):
    assert compare_value("k", base, now, rule) == verdict


def test_the_first_matching_rule_decides_and_unknown_kpis_are_exact():
    rules = load_rules()
    assert rule_for("alignment.tool_to_pack.charged.yaw_deg", rules).abs_tol == 0.03
    assert rule_for("alignment.tool_to_pack.charged.x_mm", rules).abs_tol == 0.25
    assert rule_for("something.new", rules).exact


def test_a_kpi_that_appears_or_disappears_fails():
    rows = compare("s", {"a": 1.0, "b": 2.0}, {"b": 2.0, "c": 3.0}, [Rule("*", abs_tol=1.0)])
    assert {r.key: r.verdict for r in rows} == {"a": "GONE", "b": "same", "c": "NEW"}
    assert [r.failed for r in rows] == [True, False, True]


def test_malformed_suite_and_tolerances_name_the_file_and_entry(tmp_path):
    suite = tmp_path / "suite.yaml"
    suite.write_text("scenarios:\n  - {name: a, overrides: []}\n  - {name: 'b c', overrides: []}\n")
    with pytest.raises(SuiteError, match=r"suite.yaml: scenarios\[1\].name: 'b c' may hold only"):
        load_suite(suite)
    tol = tmp_path / "tol.yaml"
    tol.write_text("rules:\n  - {match: '*', worse: sideways}\n")
    with pytest.raises(SuiteError, match=r"tol.yaml: rules\[0\].worse: 'sideways' is not one of"):
        load_rules(tol)
    assert [s.name for s in load_suite()][:1] == ["car_hydraulic_pin"]


def _report(name: str, status: str, rows: list[Row], kpi: dict) -> ScenarioReport:
    return ScenarioReport(name, status, rows=rows, versions={"key": "v1"}, kpis=kpi, overrides=["lock=em_latch"])


def test_bless_writes_what_changed_and_records_who_and_why(tmp_path):
    when = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
    same = _report("same", "pass", [Row("same", "k", 1.0, 1.0, "exact", "same")], {"k": 1.0})
    moved = _report("moved", "fail", [Row("moved", "k", 1.0, 2.0, "exact", "CHANGED")], {"k": 2.0})
    new = _report("new", "missing", [], {"k": 3.0})
    new.message = "no baseline yet (new.json)"
    with pytest.raises(SuiteError, match="needs a reason"):
        bless([moved], "  ", baselines=tmp_path)
    entry = bless([same, moved, new], "faster lift drive", baselines=tmp_path, now=when)
    assert set(entry["scenarios"]) == {"moved", "new"} and not (tmp_path / "same.json").exists()
    assert entry["scenarios"]["moved"] == {"kpis": {"k": [1.0, 2.0]}}
    written = json.loads((tmp_path / "moved.json").read_text())
    assert (
        written["kpis"] == {"k": 2.0}
        and written["overrides"] == ["lock=em_latch"]
        and written["versions"] == {"key": "v1"}
    )
    assert (
        written["blessed"]["reason"] == "faster lift drive" and written["blessed"]["at"] == "2026-11-26T12:00:00+00:00"
    )
    history = [json.loads(line) for line in (tmp_path / "HISTORY.jsonl").read_text().splitlines()]
    assert len(history) == 1 and history[0]["by"] and history[0]["reason"] == "faster lift drive"
    # Nothing changed: nothing written, no history line.
    assert bless([same], "again", baselines=tmp_path)["scenarios"] == {}
    assert len((tmp_path / "HISTORY.jsonl").read_text().splitlines()) == 1
    # A run with extra overrides is not the suite's scenario: it cannot become a baseline.
    moved.extra = ["rig.axes.lift.max_speed_mm_s=40"]
    with pytest.raises(SuiteError, match="extra overrides"):
        bless([moved], "no", baselines=tmp_path)


# -- real swaps ----------------------------------------------------------------------------------
def _regress(tmp_path: Path, name: str, *args: str):
    out = tmp_path / name
    proc = run_cli("regress", f"hydra.run.dir={out}", *args, cwd=tmp_path, timeout_s=900)
    failed = {}
    junit = out / "junit.xml"
    if junit.exists():
        for case in ET.parse(junit).getroot().iter("testcase"):
            if case.find("failure") is not None:
                failed[f"{case.get('classname')}.{case.get('name')}"] = case.find("failure").text or case.find(
                    "failure"
                ).get("message")
    return proc, failed, out


def test_the_default_swap_matches_its_committed_baseline(tmp_path):
    proc, failed, out = _regress(tmp_path, "r", "--only", "car_hydraulic_pin")
    assert proc.returncode == 0 and failed == {}, proc.stdout + proc.stderr
    assert "PASS     car_hydraulic_pin" in proc.stdout and (out / "regress.html").exists()
    # Lockstep repeats bit for bit: every KPI is the same, not just within tolerance.
    rows = json.loads((out / "regress.json").read_text())["scenarios"][0]["rows"]
    assert rows and all(r["verdict"] == "same" for r in rows)


def test_a_lift_20_percent_slower_fails_on_cycle_time(tmp_path):
    proc, failed, _ = _regress(
        tmp_path, "slow", "--only", "car_hydraulic_pin", "rig.axes.lift.max_speed_mm_s=80"
    )  # from 100
    assert proc.returncode == 1
    assert (
        "regress.car_hydraulic_pin.cycle" in failed
        and "cycle.cycle_time_s" in failed["regress.car_hydraulic_pin.cycle"]
    )
    assert "REGRESSED" in proc.stdout


def test_a_degraded_alignment_loop_fails_on_alignment(tmp_path):
    # Half of each measured error corrected, and content with 3 mm: the pins now meet
    # their holes millimetres off instead of a tenth of one.
    degraded = [
        "controller.sequences.under_chassis.align.gain=0.5",
        "controller.sequences.under_chassis.align.tolerance_mm=3",
        "controller.sequences.under_chassis.align.tolerance_deg=0.5",
    ]
    proc, failed, _ = _regress(tmp_path, "align", "--only", "car_parked_badly", *degraded)
    assert proc.returncode == 1
    assert "first_contact_rig.depleted.x_mm" in failed["regress.car_parked_badly.alignment"]


def test_bless_round_trip_and_a_changed_pack_model_has_no_baseline(tmp_path):
    baselines = tmp_path / "baselines"
    args = ["--only", "car_em_latch", "--baselines", str(baselines)]
    proc, failed, _ = _regress(tmp_path, "first", *args)
    assert proc.returncode == 1 and "no baseline yet" in failed["regress.car_em_latch.baseline"]
    proc, _, _ = _regress(tmp_path, "first", *args, "--bless", "first baseline")  # same run dir: the swap is reused
    assert proc.returncode == 0 and (baselines / "car_em_latch.json").exists(), proc.stdout + proc.stderr
    assert json.loads((baselines / "HISTORY.jsonl").read_text().splitlines()[0])["reason"] == "first baseline"
    proc, failed, _ = _regress(tmp_path, "again", *args)
    assert proc.returncode == 0 and failed == {}
    # A heavier pack is another pack model: reported as such, never compared with the old one.
    proc, failed, _ = _regress(tmp_path, "heavier", *args, "pack.mass_kg=560")
    assert proc.returncode == 1
    message = failed["regress.car_em_latch.baseline"]
    assert (
        "baseline missing for this version" in message
        and "pack model data changed" in message
        and "assets changed" in message
    )


def test_a_scenario_override_that_does_not_fit_fails_before_any_swap(tmp_path):
    proc, _, out = _regress(tmp_path, "bad", "--only", "truck_twist_lock", "rig.axes.lift.max_speed_mm_s=40")
    assert proc.returncode == 2 and "scenario truck_twist_lock" in proc.stderr
    assert not (out / "runs").exists()


@pytest.mark.regression
def test_the_whole_suite_matches_its_baselines(tmp_path):
    proc, failed, out = _regress(tmp_path, "all")
    assert proc.returncode == 0 and failed == {}, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert len(load_suite()) == sum(1 for line in proc.stdout.splitlines() if line.startswith("PASS"))
    assert REPO.joinpath("ci", "baselines", "HISTORY.jsonl").exists()
