"""Every hazard kind the twin knows is made to happen, and reported.

A hazard monitor proven only by ``hazards == []`` proves nothing: a blind one
passes that too. Each kind in ``HAZARD_KINDS`` has a scenario here that causes
it in a real plant process (real pybullet, real ZeroMQ): a scripted wire
client that does what no controller should, a careless controller, a scripted
fault, or a vehicle our controller cannot serve safely. The cheap scenarios
run in the default suite; those that need most of a swap are marked slow. The
monitors' thresholds are tested to the millinewton and millimetre in
tests/twin/test_hazard_monitor.py."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

import swapwire as wire
from tests.conftest import REPO, run_cli, start_controller
from twin.entities.hazards import HAZARD_KINDS


@dataclass(frozen=True)
class Scenario:
    kind: str
    overrides: tuple[str, ...]
    script: tuple = ()  # (duration_s, command fields) for a scripted wire client
    controller: str | None = None  # or a controller module, run for a whole session
    slow: bool = False
    why: str = ""


def _pos(target: float, **kw) -> dict:
    return {"mode": "position", "target": target, **kw}


LATCHES_DIE = ("lock=em_latch", "fault=latch_power_loss", "fault.at.t_s=0", "fault.at.phase=null")
SCENARIOS = [
    Scenario(
        "released_under_load",
        LATCHES_DIE,
        script=((2.0, {}),),
        why="the latches lose power while they hold the depleted pack",
    ),
    Scenario("pack_dropped", LATCHES_DIE, script=((2.0, {}),), why="... and the pack falls out of the car"),
    Scenario(
        "lock_reported_engaged_while_open",
        (*LATCHES_DIE, "extra_faults=[{use: lock_status_stuck, at: {t_s: 0, phase: null}}]"),
        script=((2.0, {}),),
        why="latch 0's status input reads engaged on both channels while the latch is open",
    ),
    Scenario(
        "rig_vehicle_collision",
        ("vehicle.bay.wall_depth_mm=300",),
        script=((3.0, {"axes": {"travel": _pos(0.3)}}), (6.0, {"axes": {"lift": _pos(0.45)}})),
        why="a bay skirt hanging 300 mm deep, and a lift raised 300 mm off the bay's centre",
    ),
    Scenario(
        "placement_interference",
        ("vehicle.bay.width_mm=1380",),
        script=((0.1, {}),),
        why="a 1400 mm pack in a 1380 mm bay",
    ),
    Scenario(
        "connector_overload",
        ("scenario.charged_pack_deviation.connector_mm=[10,0]",),
        controller="controllers",
        slow=True,
        why="the charged pack's connector half is 10 mm off, beyond the float: it stubs under the lift's push",
    ),
    Scenario(
        "rig_overload",
        ("hazards.rig_overload_factor=0.6",),
        controller="controllers",
        slow=True,
        why="a load limit at 60 % of the rated payload, below the pack's mass",
    ),
    Scenario(
        "released_under_load",
        ("rig=overhead",),
        controller="tests.careless_controller",
        slow=True,
        why="a careless controller opens the spreader with the pack hanging from it",
    ),
]


def _id(s: Scenario) -> str:
    rig = next((o.split("=")[1] for o in s.overrides if o.startswith("rig=")), "under_chassis")
    return f"{s.kind}@{rig}"


def test_every_hazard_kind_has_a_scenario_and_every_reported_kind_is_declared():
    assert {s.kind for s in SCENARIOS} == set(HAZARD_KINDS)
    # Every monitor (every hazard(...) call in the twin) reports a declared kind.
    literals = set()
    for path in (REPO / "twin").rglob("*.py"):
        literals |= set(re.findall(r'hazard\(\s*"([a-z_]+)"', path.read_text()))
    assert literals == set(HAZARD_KINDS), literals ^ set(HAZARD_KINDS)


def _scripted(plant_process, raw_controller, s: Scenario) -> dict:
    plant = plant_process(*s.overrides)
    c = raw_controller(plant.endpoint)
    c.hello()
    frame = c.recv_type(wire.FRAME).body
    for duration_s, fields in s.script:
        for _ in range(max(1, round(duration_s / 0.02))):
            axes = {k: wire.AxisCommand(**v) for k, v in fields.get("axes", {}).items()}
            c.command(frame["frame_seq"], axes=axes, locks=fields.get("locks", {}))
            frame = c.recv_type(wire.FRAME).body
    c.send(wire.BYE, wire.Bye(outcome=wire.OUTCOME_SAFE_STOP, reason="scripted", phase="test").to_body())
    return plant.result()


def _controlled(plant_process, tmp_path: Path, s: Scenario) -> dict:
    plant = plant_process(*s.overrides)
    ctl = start_controller(plant.endpoint, tmp_path, list(s.overrides), module=s.controller)
    ctl.wait(timeout=400)
    return plant.result(timeout_s=120)


@pytest.mark.parametrize(
    "s", [pytest.param(s, id=_id(s), marks=[pytest.mark.slow] if s.slow else []) for s in SCENARIOS]
)
def test_the_hazard_happens_and_is_reported(plant_process, raw_controller, tmp_path, s):
    result = _controlled(plant_process, tmp_path, s) if s.controller else _scripted(plant_process, raw_controller, s)
    kinds = [h["kind"] for h in result["hazards"]]
    assert s.kind in kinds, (s.why, result["hazards"])
    assert result["verdict"]["status"] == "fail"
    assert any(r.startswith(f"hazard {s.kind} ") for r in result["verdict"]["reasons"])
    h = next(h for h in result["hazards"] if h["kind"] == s.kind)
    assert h["detail"] and h["t_s"] >= 0.0
    if s.controller == "controllers":  # our controller never sees a hazard: ground truth stays off the wire
        assert "hazard" not in json.dumps(result["controller"])


@pytest.mark.slow
def test_swaptwin_swap_reports_a_hazard_in_its_table_and_exit_code(tmp_path):
    run = run_cli("swap", "hazards.rig_overload_factor=0.6", f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path)
    assert run.returncode == 1
    assert "hazard rig_overload" in run.stdout
