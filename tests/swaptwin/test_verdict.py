"""Every verdict criterion's failure path, fed a synthetic observer stream.

The stream is what a plant publishes for a good swap; each test spoils one
thing and the verdict must fail, naming why. The good stream must pass, so
a criterion that never fails cannot hide behind the others."""

from __future__ import annotations

import copy

import pytest

from swaptwin.config import load
from swaptwin.results.verdict import Recorder

PHASES = ["approach", "unlock", "install", "lock", "done"]


@pytest.fixture(scope="module")
def plant_cfg():
    return load([]).plant


def _required_n(p) -> float:
    return p.acceptance.required_force_n(
        mass_kg=p.pack.mass_kg, lock_count=len(p.pack.locks.positions_mm), gravity_m_s2=p.physics.gravity_m_s2
    )


def good_stream(p, *, cycle_s: float = 120.0) -> list[tuple[str, dict]]:
    """A good swap as the observer channel carries it: declared phases, each reported, one mating, locks, bye."""
    lock_ids = [f"L{i}" for i in range(len(p.pack.locks.positions_mm))]
    holding = 2.0 * _required_n(p)
    stream: list[tuple[str, dict]] = [("session", {"event": "start", "phases": PHASES, "client": "synthetic"})]
    for i, name in enumerate(PHASES):
        stream.append(("event", {"event": "phase", "phase": name, "t_s": cycle_s * i / (len(PHASES) - 1)}))
        if name == "lock":
            stream.append(
                (
                    "event",
                    {"event": "mating", "pack": "charged", "t_s": 80.0, "x_mm": 0.3, "y_mm": -0.4, "z_mm": 0.0,
                     "yaw_deg": 0.01},
                )
            )  # fmt: skip
    truth = {
        "connector": {"peak_force_n": 40.0, "mated": True},
        "contact_n": {},
        "locks": [
            {"id": lid, "type": p.lock.type, "engaged": True, "holding_force_n": holding, "engaging_force_n": 1.0}
            for lid in lock_ids
        ],
    }
    stream.append(("truth", truth))
    end = {
        "event": "end",
        "end_reason": "bye",
        "controller": {"outcome": "done", "reason": "", "phase": "done"},
        "sim_time_s": cycle_s + 0.5,
        "wall_time_s": 10.0,
    }
    stream.append(("session", end))
    return stream


def verdict(p, stream) -> dict:
    rec = Recorder(
        resolved_config={},
        seed=0,
        acceptance=p.acceptance,
        vehicle=p.vehicle,
        pack=p.pack,
        gravity_m_s2=p.physics.gravity_m_s2,
    )
    for topic, body in stream:
        rec(topic, copy.deepcopy(body))
    return rec.result()


def _find(stream, topic: str, **match) -> dict:
    return next(b for t, b in stream if t == topic and all(b.get(k) == v for k, v in match.items()))


def test_the_good_stream_passes_with_its_measured_cycle_time(plant_cfg):
    result = verdict(plant_cfg, good_stream(plant_cfg))
    assert result["verdict"] == {"status": "pass", "reasons": []}
    assert result["cycle_time_s"] == 120.0


def _spoil_misaligned(p, s):
    _find(s, "event", event="mating")["x_mm"] = p.acceptance.interface_tolerance_mm + 0.5


def _spoil_yaw(p, s):
    _find(s, "event", event="mating")["yaw_deg"] = -(p.acceptance.interface_tolerance_deg + 0.1)


def _spoil_no_mating(p, s):
    s.remove(("event", _find(s, "event", event="mating")))


def _spoil_lock_open(p, s):
    _find(s, "truth")["locks"][2]["engaged"] = False


def _spoil_weak_lock(p, s):
    _find(s, "truth")["locks"][1]["holding_force_n"] = 0.9 * _required_n(p)


def _spoil_no_locks(p, s):
    _find(s, "truth")["locks"] = []


def _spoil_connector(p, s):
    _find(s, "truth")["connector"]["mated"] = False


def _spoil_hazard(p, s):
    s.insert(-1, ("event", {"event": "hazard", "kind": "pack_dropped", "t_s": 50.0, "detail": "synthetic"}))


def _spoil_outcome(p, s):
    _find(s, "session", event="end")["controller"].update(outcome="safe_stop", reason="estop pressed")


def _spoil_end_reason(p, s):
    _find(s, "session", event="end")["end_reason"] = "link_lost"


def _spoil_no_declared_phases(p, s):
    _find(s, "session", event="start")["phases"] = []


def _spoil_final_phase_renamed(p, s):
    """The issue's fooling controller: its last phase is not the one it declared final."""
    _find(s, "event", event="phase", phase="done")["phase"] = "finished"


def _spoil_final_never_reached(p, s):
    s.remove(("event", _find(s, "event", event="phase", phase="done")))


SPOILERS = {
    "misaligned": (_spoil_misaligned, "mated off by x="),
    "yawed": (_spoil_yaw, "yaw="),
    "never mated": (_spoil_no_mating, "never mated"),
    "lock not engaged": (_spoil_lock_open, "lock L2 is not engaged"),
    "holding below the requirement": (_spoil_weak_lock, "below the required"),
    "no lock reported": (_spoil_no_locks, "no lock was reported"),
    "connector unmated": (_spoil_connector, "connector not mated"),
    "a hazard": (_spoil_hazard, "hazard pack_dropped"),
    "outcome not done": (_spoil_outcome, "controller outcome 'safe_stop' in phase 'done': estop pressed"),
    "not ended by bye": (_spoil_end_reason, "session ended by link_lost"),
    "no declared phases": (_spoil_no_declared_phases, "declared no phases"),
    "final phase renamed": (_spoil_final_phase_renamed, "never reached its final phase 'done'"),
    "final phase never reached": (_spoil_final_never_reached, "never reached its final phase"),
}


@pytest.mark.parametrize("spoil", SPOILERS, ids=list(SPOILERS))
def test_each_criterion_fails_the_verdict_when_its_measure_is_spoiled(plant_cfg, spoil):
    fn, expected = SPOILERS[spoil]
    stream = good_stream(plant_cfg)
    fn(plant_cfg, stream)
    result = verdict(plant_cfg, stream)
    assert result["verdict"]["status"] == "fail"
    assert any(expected in r for r in result["verdict"]["reasons"]), result["verdict"]["reasons"]


def test_a_cycle_over_the_limit_fails_and_one_just_within_passes(plant_cfg):
    limit_s = plant_cfg.vehicle.swap_time_limit_s
    over = verdict(plant_cfg, good_stream(plant_cfg, cycle_s=limit_s + 20.0))
    assert over["verdict"]["status"] == "fail" and over["cycle_time_s"] == limit_s + 20.0
    assert any(f"exceeds {limit_s:.0f} s" in r for r in over["verdict"]["reasons"])
    within = verdict(plant_cfg, good_stream(plant_cfg, cycle_s=limit_s - 0.5))
    assert within["verdict"]["status"] == "pass"


def test_the_alignment_limit_is_the_configured_tolerance_not_a_wider_one(plant_cfg):
    """A tolerance ten times too wide would pass a pack mated 20 mm off (issue 11)."""
    tol = plant_cfg.acceptance.interface_tolerance_mm
    for x_mm, status in ((tol - 0.01, "pass"), (tol + 0.01, "fail"), (-(tol + 0.01), "fail"), (10 * tol, "fail")):
        stream = good_stream(plant_cfg)
        _find(stream, "event", event="mating")["y_mm"] = x_mm
        assert verdict(plant_cfg, stream)["verdict"]["status"] == status, x_mm


def test_the_result_records_every_table_as_observed(plant_cfg):
    """The whole result of a good swap whose stream also carries a docking, a first contact, faults that
    come and go, several truth frames and the session's counters: each field as the stream gave it,
    rounded as documented. (Mutation testing found the tables unchecked: only the verdict was.)"""
    p = plant_cfg
    stream = good_stream(p, cycle_s=121.5)  # not whole seconds: the rounding shows
    _find(stream, "event", event="mating").update(x_mm=0.123456, z_mm=-1.23456)
    events = [
        {"event": "dock", "pack": "depleted", "t_s": 20.1234567, "x_mm": 0.123456, "y_mm": -0.2, "yaw_deg": 0.0123456},
        {"event": "first_contact", "with": "vehicle", "pack": "charged", "t_s": 70.0, "x_mm": 1.0, "y_mm": 0.5,
         "yaw_deg": 0.1},
        {"event": "fault", "name": "f1", "kind": "sensor_stuck", "active": True, "t_s": 10.0},
        {"event": "fault", "name": "f2", "kind": "drive_stall", "active": True, "t_s": 11.0},
        {"event": "fault", "name": "f1", "kind": "sensor_stuck", "active": False, "t_s": 12.5},
        {"event": "fault", "name": "f1", "kind": "sensor_stuck", "active": True, "t_s": 14.0},
        {"event": "fault", "name": "f1", "kind": "sensor_stuck", "active": False, "t_s": 16.0},
        {"event": "lock", "lock": "L0", "engaged": True, "t_s": 95.0},
        {"event": "something_else", "t_s": 1.0},
    ]  # fmt: skip
    at = stream.index(("truth", _find(stream, "truth")))
    stream[at:at] = [("event", e) for e in events]
    truth = _find(stream, "truth")
    stream.insert(at, ("truth", {**copy.deepcopy(truth), "connector": {"peak_force_n": 40.12345, "mated": False},
                                 "contact_n": {"pack_floor": 100.04, "rig": 5.56}}))  # fmt: skip
    truth["connector"]["peak_force_n"] = 35.0  # the peak is the highest of all truth frames, not the last
    truth["contact_n"] = {"pack_floor": 90.0}
    del truth["locks"][0]["engaging_force_n"]
    end = _find(stream, "session", event="end")
    end.update(periods=6025, missed_periods=1, errors=[], timing={"p50_us": 12})
    required = _required_n(p)
    holding = 2.0 * required
    result = verdict(p, stream)
    assert result.pop("config") == {}
    assert result == {
        "schema_version": 1,
        "verdict": {"status": "pass", "reasons": []},
        "cycle_time_s": 121.5,
        "cycle_time_limit_s": p.vehicle.swap_time_limit_s,
        "phases": [{"name": n, "start_s": 30.375 * i, "duration_s": 30.375} for i, n in enumerate(PHASES[:-1])],
        "alignment": [
            {"mating": "pack_into_vehicle", "pack": "charged", "t_s": 80.0, "x_mm": 0.1235, "y_mm": -0.4,
             "z_mm": -1.2346, "yaw_deg": 0.01, "tolerance_mm": p.acceptance.interface_tolerance_mm,
             "tolerance_deg": p.acceptance.interface_tolerance_deg, "within": True},
            {"mating": "tool_to_pack", "pack": "depleted", "t_s": 20.123457, "x_mm": 0.1235, "y_mm": -0.2,
             "yaw_deg": 0.01235},
            {"mating": "first_contact_vehicle", "pack": "charged", "t_s": 70.0, "x_mm": 1.0, "y_mm": 0.5,
             "yaw_deg": 0.1},
        ],
        "locks": [
            {"id": lk["id"], "type": p.lock.type, "engaged": True, "holding_force_n": round(holding, 3),
             "required_force_n": round(required, 3), "engaging_force_n": 0.0 if i == 0 else 1.0}
            for i, lk in enumerate(truth["locks"])
        ],
        "connector": {"mated": True, "peak_force_n": 40.123},
        "contacts": {"peak_n": {"pack_floor": 100.0, "rig": 5.6}},
        "hazards": [],
        "faults": [
            {"name": "f1", "kind": "sensor_stuck", "active_s": 10.0, "cleared_s": 12.5},
            {"name": "f2", "kind": "drive_stall", "active_s": 11.0, "cleared_s": None},
            {"name": "f1", "kind": "sensor_stuck", "active_s": 14.0, "cleared_s": 16.0},
        ],
        "controller": {"outcome": "done", "reason": "", "phase": "done"},
        "session": {
            "end_reason": "bye", "client": None, "periods": 6025, "missed_periods": 1, "duplicate_commands": None,
            "stale_commands": None, "rejected_messages": None, "overruns": None, "takeovers": None,
            "strangers_answered": None, "strangers_ignored": None, "errors": [], "station_error": None,
            "sink_failures": None, "lifecycle": None, "link": None, "trace": None,
        },
        "seed": 0,
        "sim_time_s": 122.0,
        "wall_time_s": 10.0,
        "real_time_factor": 12.2,
        "timing": {"p50_us": 12},
    }  # fmt: skip
    assert list(result["contacts"]["peak_n"]) == ["pack_floor", "rig"]


def test_a_session_without_wall_time_has_no_real_time_factor(plant_cfg):
    stream = good_stream(plant_cfg)
    _find(stream, "session", event="end")["wall_time_s"] = 0.0
    assert verdict(plant_cfg, stream)["real_time_factor"] is None


def test_the_cycle_time_runs_from_the_first_reported_phase_not_from_time_zero(plant_cfg):
    stream = good_stream(plant_cfg)
    for topic, body in stream:
        if topic == "event" and body["event"] == "phase":
            body["t_s"] += 7.0
    assert verdict(plant_cfg, stream)["cycle_time_s"] == 120.0
