"""The mock station (tests/mock_station.py) is a faithful test tool: it describes itself exactly as the
twin does, imports no pybullet, speaks the wire through the real session loop to our controller in
its own process, its knobs do what they say, and a swap on it runs phase for phase as on the twin."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

import swapwire as wire
from controllers.sequences import SEQUENCES
from tests.conftest import FAMILIES, REPO, composed, on_mock, serve_to_our_controller
from tests.mock_station import mock_station
from twin.session.observer import ObserverChannel
from twin.session.plant import END_BYE, Plant

# Scenarios of ci/regression.yaml without faults, and how far (plant s) a mock phase may differ from
# the twin's. The twin's load cell filter and noise, and its chains and suspension settling, move a
# phase's end by a few periods; a rule of the mock that drifted from the twin moves it by seconds.
_BASELINES = {"car_hydraulic_pin": (), "car_mech_clip": ("lock=mech_clip",), "truck_twist_lock": ("rig=overhead",)}
_PHASE_TOLERANCE_S = 0.3


_DESCRIBED = [(), ("rig=overhead",), ("lock=mech_clip",), ("lock=em_latch",), ("fault=misparked",)]


# Issue 12's: a pack whose tag and registration lie, and a pack needing another span and six locks.
_DESCRIBED_TOO = [("fault=wrong_pack_family",), ("fault=pack_mislabelled",), ("rig=overhead", "pack=xcmg_e700_282kwh")]


@pytest.mark.parametrize("overrides", [*_DESCRIBED, *_DESCRIBED_TOO])
def test_the_mock_describes_itself_as_the_twin_does(overrides):
    """The whole description (axes with the tooling axes, sensors, every section: the catalog too),
    and frame 0's sensors: what drifts between the mock and the twin fails here first."""
    from twin.rigs import make_station  # pybullet: the twin's own station

    cfg = composed(*overrides)
    twin = make_station(cfg.plant)
    try:
        described = twin.describe().to_body()
        assert mock_station(cfg.plant).describe().to_body() == described
        assert described["catalog"] and {"span", "pads_x"} & {a["name"] for a in described["axes"]}
        # Frame 0 carries the same sensors, in the same order, of the same shapes; the same pack identity.
        reader = twin.describe().frame_reader()
        mock_frame, twin_frame = reader.read(mock_station(cfg.plant).frame().to_body()), twin.frame()
        assert list(mock_frame.sensors) == list(twin_frame.sensors)
        assert mock_frame.sensors["pack_id"] == twin_frame.sensors["pack_id"] is not None
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
    plant = Plant(station, cfg=cfg.plant, observer=ObserverChannel(sinks=[lambda t, b: seen.append((t, b))]))
    s = serve_to_our_controller(plant, tmp_path, list(overrides))
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


# The pack checks of issue 12, as the twin's swaps show them (tests/test_pack_identity_e2e.py): the mock's
# pack_id and pad load cells make the controller refuse or stop the same packs (the mock has no noise:
# its figures are exact).
@pytest.mark.parametrize(
    "overrides, outcome, reason",
    [
        (("rig.catalog=[car_75kwh_lfp]",), ("refused", "pack_identity", "identify"), "'car_100kwh' is not in"),
        (
            ("pack=car_block_25", "fault=pack_mislabelled"),
            ("safe_stop", "pack_check", "lower_withdraw"),
            "the depleted pack weighs 345 kg, its catalog family 555",
        ),
        (("fault=cog_shifted", "fault.x_mm=120"), ("safe_stop", "pack_check", "lower_withdraw"), "gravity is +120,"),
        (("fault=cog_shifted", "fault.x_mm=20"), ("done", "", "done"), "swap complete"),
    ],
)
def test_the_mock_identifies_and_weighs_the_pack_as_the_twin(overrides, outcome, reason):
    o = on_mock(*overrides).run()
    assert (o.outcome, o.detected_by, o.phase) == outcome and reason in o.reason, o


def test_the_pallet_is_set_to_the_catalog_before_the_shuttle_approaches():
    """The Choco block needs the pads and pins far in from their home (800 x 400, 700 mm)."""
    h = on_mock("pack=catl_choco_block_2022")
    tooling = h.description.sections["catalog"][h.station.cfg.pack.family_id]["tooling"]
    homes = h.description.positions["home"]
    assert all(abs(homes[a] - v) > 0.1 for a, v in tooling.items())
    h.run(until=lambda h: h.controller.phase == "drive_under")
    axes = h.station.frame().axes
    assert {a: axes[a].pos for a in tooling} == pytest.approx(tooling, abs=1e-4)
    assert h.run().outcome == wire.OUTCOME_DONE


@pytest.mark.parametrize("span_error_m", [0.0, 0.1])
def test_the_spreader_lands_only_at_the_span_its_pack_needs(span_error_m):
    """The twist-locks stand where the span axis puts them: told a span 100 mm off its pack's, the
    spreader comes down on the castings but never reports landed, and the swap stops there."""
    h = on_mock("rig=overhead", "pack=xcmg_e700_282kwh")
    family = h.station.cfg.pack.family_id
    entry = h.controller.catalog[family]
    h.controller.catalog[family] = dataclasses.replace(entry, tooling={"span": entry.tooling["span"] + span_error_m})
    o = h.run(until=lambda h: h.frames and h.frames[-1].sensors["spreader.landed"] == (True, True))
    if span_error_m == 0.0:
        assert o is None and h.controller.phase == "land"
    else:
        assert (o.outcome, o.phase, o.detected_by) == ("safe_stop", "land", "load_plausibility"), o
