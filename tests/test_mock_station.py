"""The mock station (tests/mock_station.py) is a faithful test tool: it describes itself exactly as the
twin does, imports no pybullet, speaks the wire through the real session loop to our controller in
its own process, its knobs do what they say, and a swap on it runs phase for phase as on the twin."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest

import swapwire as wire
from controllers.sequences import SEQUENCES
from tests.conftest import FAMILIES, REPO, composed, on_mock, start_controller
from tests.mock_station import mock_station
from twin.session.link import PlantLink
from twin.session.observer import ObserverChannel
from twin.session.plant import END_BYE, Plant

# Scenarios of ci/regression.yaml without faults, and how far (plant s) a mock phase may differ from
# the twin's. The twin's load cell filter and noise, and its chains and suspension settling, move a
# phase's end by a few periods; a rule of the mock that drifted from the twin moves it by seconds.
_BASELINES = {"car_hydraulic_pin": (), "car_mech_clip": ("lock=mech_clip",), "truck_twist_lock": ("rig=overhead",)}
_PHASE_TOLERANCE_S = 0.3


_DESCRIBED = [(), ("rig=overhead",), ("lock=mech_clip",), ("lock=em_latch",), ("fault=misparked",)]


@pytest.mark.parametrize("overrides", [*_DESCRIBED, ("fault=wrong_pack_family",)])
def test_the_mock_describes_itself_as_the_twin_does(overrides):
    from twin.rigs import make_station  # pybullet: the twin's own station

    cfg = composed(*overrides)
    twin = make_station(cfg.plant)
    try:
        assert mock_station(cfg.plant).describe().to_body() == twin.describe().to_body()
        # Frame 0 carries the same sensors, in the same order, of the same shapes.
        reader = twin.describe().frame_reader()
        assert list(reader.read(mock_station(cfg.plant).frame().to_body()).sensors) == list(twin.frame().sensors)
    finally:
        twin.close()


def test_a_swap_on_the_mock_imports_no_pybullet():
    code = (
        "import sys, time, json\n"
        "from tests.conftest import FAMILIES, on_mock\n"
        "out = {}\n"
        "for family, overrides in FAMILIES.items():\n"
        "    h = on_mock(*overrides)\n"
        "    t0 = time.perf_counter()\n"
        "    o = h.run()\n"
        "    out[family] = [o.outcome, round(time.perf_counter() - t0, 3), h.station.time_s, len(h.commands)]\n"
        "out['pybullet'] = 'pybullet' in sys.modules\n"
        "print(json.dumps(out))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.splitlines()[-1])
    assert out.pop("pybullet") is False
    assert {family: r[0] for family, r in out.items()} == {family: "done" for family in FAMILIES}


@pytest.mark.parametrize("family", FAMILIES)
def test_the_mock_speaks_the_wire_through_the_session_loop_to_our_controller_process(family, tmp_path):
    # A longer control period keeps this test short; the protocol is the same at any period.
    overrides = (*FAMILIES[family], "wire.control_period_s=0.1", "wire.hello_timeout_s=30")
    cfg = composed(*overrides)
    station = mock_station(cfg.plant)
    seen: list[tuple[str, dict]] = []
    link = PlantLink(endpoint=f"ipc://{tmp_path}/cmd", observer_endpoint=None)
    plant = Plant(station, cfg=cfg.plant, observer=ObserverChannel(sinks=[lambda t, b: seen.append((t, b))]))
    stats = []
    serving = threading.Thread(target=lambda: stats.append(plant.serve(link)))
    serving.start()
    try:
        controller = start_controller(link.endpoint, tmp_path, list(overrides))
        assert controller.wait(timeout=120) == 0, (tmp_path / "controller.log").read_text()[-2000:]
        serving.join(timeout=30)
    finally:
        plant.interrupt()
        serving.join(timeout=30)
        link.close()
    (s,) = stats
    assert s.end_reason == END_BYE and s.controller["outcome"] == wire.OUTCOME_DONE
    assert s.rejected_messages == 0 and s.missed_periods == 0 and s.duplicate_commands == 0
    phases = [b["phase"] for t, b in seen if t == "event" and b.get("event") == "phase"]
    assert phases == [*SEQUENCES[family].PHASES, "done"]
    assert sum(t == "truth" for t, _ in seen) >= s.periods


def test_frames_and_commands_through_the_wire_give_the_same_swap():
    direct, wired = on_mock(), on_mock(through_wire=True)
    assert direct.run().outcome == wired.run().outcome == wire.OUTCOME_DONE
    assert [c.to_body() for c in wired.commands] == [c.to_body() for c in direct.commands]
    assert wired.frames == direct.frames


@pytest.mark.parametrize("scenario", _BASELINES)
def test_a_swap_on_the_mock_runs_phase_for_phase_as_on_the_twin(scenario):
    baseline = json.loads((REPO / "ci" / "baselines" / f"{scenario}.json").read_text())["kpis"]
    h = on_mock(*_BASELINES[scenario])
    assert h.run().outcome == wire.OUTCOME_DONE
    starts: dict[str, float] = {}
    for frame, cmd in zip(h.frames, h.commands):
        starts.setdefault(cmd.phase, frame.t_s)
    names = list(starts)
    mock = {n: starts[names[i + 1]] - starts[n] for i, n in enumerate(names[:-1])}
    twin = {n: baseline[f"cycle.phase.{n}_s"] for n in mock}
    off = {n: round(mock[n] - twin[n], 2) for n in mock if abs(mock[n] - twin[n]) > _PHASE_TOLERANCE_S}
    assert not off, f"mock phases longer (+) or shorter (-) than the twin's, s: {off}"


def test_the_mock_refuses_faults_it_cannot_play():
    with pytest.raises(ValueError, match="e_stop"):
        mock_station(composed("fault=e_stop").plant)


def test_the_knobs_name_what_the_station_has_and_act_from_the_next_frame():
    st = mock_station(composed().plant)
    with pytest.raises(KeyError, match="no sensor or lock channel"):
        st.stick("locks.9.extended", (True, False))
    with pytest.raises(KeyError):
        st.stick("spreader.landed", (True, False))  # the overhead rig's
    st.stick("locks.1.extended", (True, False))
    st.drop_load_cell()
    assert st.frame().sensors["locks"]["1"]["extended"] == (True, True)  # frames are sampled, never changed
    st.apply(None)
    st.lose_frames(2)
    st.advance()
    f = st.frame()
    assert f.sensors["locks"]["1"]["extended"] == (True, False) and f.sensors["load_cell_n"] is None
    assert f.sensors["locks"]["0"]["extended"] == (True, True)
    assert (f.frame_seq, round(f.t_s / st.period_s)) == (3, 3)
    st.unstick("locks.1.extended")
    st.set_estop(True)
    st.advance()
    assert st.frame().sensors["estop"] is True and st.frame().drives.state in ("stopping", "stopped")
    kinds = [e["name"] for e in st.take_events() if e["event"] == "fault"]
    assert kinds == ["stick", "stick", "lose_frames", "e_stop"]


def test_an_e_stop_makes_the_mock_ignore_lock_commands_and_resets():
    st = mock_station(composed().plant)
    st.set_estop(True)
    st.apply(wire.Command(frame_seq=0, phase="test", locks={"all": "release"}, reset_faults=True))
    for _ in range(20):
        st.advance()
    assert st.frame().drives.state == "stopped"
    assert all(lk["valve"] == "hold" for lk in st.truth()["locks"])
    st.set_estop(False)  # released: still nothing moves until a reset
    st.apply(wire.Command(frame_seq=20, phase="test", axes={"travel": wire.AxisCommand("position", target=0.0)}))
    st.advance()
    assert st.frame().drives.state == "stopped" and st.frame().axes["travel"].vel == 0.0


def test_the_overhead_cradle_rises_when_its_pack_is_lifted_and_the_hoist_stops_on_the_castings():
    h = on_mock("rig=overhead")
    h.run(until=lambda h: h.controller.phase == "lift_out")
    st = h.station
    sink_m = st.describe().sections["vehicle_cradle"]["laden_sink"]

    def cradle_z(frame):  # what vision says of the cradle's seat plane, in the world
        return frame.sensors["vision"].z + st.hoist_zero_m + frame.axes["hoist"].pos

    laden_z = cradle_z(st.frame())
    castings = st.truth()["packs"]["depleted"]["pos_m"][2] + st.casting_m
    assert st.tool().z == pytest.approx(castings)  # landed: stopped on the castings, not past them
    h.run(until=lambda h: h.controller.phase == "store_depleted")
    assert cradle_z(st.frame()) - laden_z == pytest.approx(sink_m, abs=1e-4)  # within an encoder count
    assert st.frame().sensors["load_cell_n"] == pytest.approx(st.cfg.pack.mass_kg * st.g)
