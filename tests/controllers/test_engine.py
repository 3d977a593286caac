"""The phase machine (controllers/engine.py) against the physics-free mock station (tests/mock_station.py):
a swap of each rig family in a second or so, and what the machine must do when something goes wrong.

The mock is a test tool for the controller: these tests say what the controller does with what a
station reports, never that a swap works (the twin's end-to-end tests say that)."""

from __future__ import annotations

import dataclasses
import math
import random

import pytest

import swapwire as wire
from controllers.sequences import SEQUENCES
from tests.conftest import FAMILIES, composed, on_mock

DONE, REFUSED, SAFE_STOP = wire.OUTCOME_DONE, wire.OUTCOME_REFUSED, wire.OUTCOME_SAFE_STOP
# A phase with a fast move in it, and that move's axis: a fault there leaves an axis to brake.
MOVING = {"under_chassis": ("store_depleted", "travel"), "overhead": ("store_depleted", "trolley")}
# The phase that releases the vehicle's locks.
UNLOCK = {"under_chassis": "unlock", "overhead": "unlock_vehicle"}


def _storage(family: str, content: str) -> str:
    storage = composed(*FAMILIES[family]).plant.rig.storage
    return next(s.name for s in getattr(storage, "slots", None) or storage.stands if s.content == content)


def _is_safe_stop_command(cmd: wire.Command, tools) -> bool:
    return (
        all(a.mode == wire.MODE_STOP for a in cmd.axes.values())
        and cmd.locks == {wire.ALL_LOCKS: wire.LOCK_HOLD}
        and cmd.tool == {name: wire.LOCK_HOLD for name in tools}
    )


def _moving_fast(h, family: str) -> bool:
    phase, axis = MOVING[family]
    return h.controller.phase == phase and abs(h.station.frame().axes[axis].vel) > 0.2


@pytest.mark.parametrize("family", FAMILIES)
def test_a_full_swap_ends_done_with_every_phase_in_order(family):
    h = on_mock(*FAMILIES[family])
    out = h.run()
    assert (out.outcome, out.phase, out.detected_by) == (DONE, "done", "")
    assert h.phases == [*SEQUENCES[family].PHASES, "done"]
    truth = h.station.truth()  # what the mock did, not what the controller believes
    assert truth["packs"]["charged"]["on"] == "vehicle"
    assert truth["packs"]["depleted"]["on"] == _storage(family, "empty")
    assert all(lock["engaged"] for lock in truth["locks"]) and truth["connector"]["mated"]
    assert not [e for e in h.station.take_events() if e["event"] == "hazard"]


@pytest.mark.parametrize("family", FAMILIES)
def test_a_phase_that_never_completes_times_out_in_plant_time(family):
    h = on_mock(*FAMILIES[family])
    h.station.jam_lock(0)  # engaged, and stays so whatever it is told: the release is never confirmed
    out = h.run()
    phase = UNLOCK[family]
    limit_s = composed(*FAMILIES[family]).controller.tuning(family).timeouts_s[phase]
    start_s = next(f.t_s for f, c in zip(h.frames, h.commands) if c.phase == phase)
    assert (out.outcome, out.phase, out.detected_by) == (SAFE_STOP, phase, "timeout")
    assert f"phase {phase} timed out" in out.reason
    # On the first frame whose plant time is past the limit, not a period later, never by the host clock.
    assert start_s + limit_s < out.t_s <= start_s + limit_s + h.station.period_s + 1e-9


@pytest.mark.parametrize("family", FAMILIES)
def test_a_drive_fault_mid_phase_ends_in_a_safe_stop_found_by_the_drive_check(family):
    h = on_mock(*FAMILIES[family])
    h.run(until=lambda h: _moving_fast(h, family))
    phase, axis = MOVING[family]
    h.station.fault_drive(axis, "following error 0.031 m > 0.03 (mock)")
    out = h.run()
    assert (out.outcome, out.phase, out.detected_by) == (SAFE_STOP, phase, "drive")
    assert "following error 0.031 m" in out.reason


REFUSALS = [
    ("under_chassis", ("fault=wrong_pack_family",), "identify", "pack tag reads 'car_75kwh_lfp'"),
    ("under_chassis", ("rig.payload_kg=400",), "identify", "over the rig's payload"),
    ("under_chassis", ("fault=misparked",), "align", "vehicle out of capture range: align"),
    ("overhead", ("rig=overhead", "fault=wrong_pack_family"), "identify", "pack tag reads 'car_75kwh_lfp'"),
    ("overhead", ("rig=overhead", "rig.payload_kg=3000"), "identify", "over the rig's payload"),
    ("overhead", ("rig=overhead", "scenario.parking_yaw_deg=5"), "align", "vehicle out of capture range: slew"),
]


@pytest.mark.parametrize(("family", "overrides", "phase", "reason"), REFUSALS)
def test_a_refusal_comes_before_any_lock_is_commanded(family, overrides, phase, reason):
    h = on_mock(*overrides)
    out = h.run()
    assert (out.outcome, out.phase, out.detected_by) == (REFUSED, phase, "precondition")
    assert reason in out.reason
    for cmd in h.commands:
        assert set(cmd.locks.values()) <= {wire.LOCK_HOLD} and set(cmd.tool.values()) <= {wire.LOCK_HOLD}, cmd
    if phase == "identify":  # refused before anything moved at all
        assert all(a.mode != wire.MODE_POSITION for cmd in h.commands for a in cmd.axes.values())
    truth = h.station.truth()
    assert all(lock["engaged"] for lock in truth["locks"]) and truth["packs"]["depleted"]["on"] == "vehicle"


# What a fault does to the station (the mock's knobs), and which check must find it.
FAULTS = {
    "e_stop": (lambda st: st.set_estop(True), "safety_input"),
    "power_loss": (lambda st: st.set_power(False), "safety_input"),
    "drive_fault": (lambda st: st.fault_drive(st.LOAD_AXIS), "drive"),
    "load_cell_dropout": (lambda st: st.drop_load_cell(), "sensor_dropout"),
    "lock_channel_stuck": (lambda st: st.stick(f"locks.0.{st.locks[0].channels[0]}", (True, False)), "two_channel"),
    "frames_lost": (lambda st: st.lose_frames(1), "frame_watchdog"),
}


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("fault", FAULTS)
def test_after_a_fault_every_lock_is_held_every_axis_stopped_and_the_outcome_waits_for_rest(family, fault):
    h = on_mock(*FAMILIES[family])
    h.run(until=lambda h: _moving_fast(h, family))
    inject, check = FAULTS[fault]
    injected = len(h.commands)
    while h.controller.outcome is None and len(h.commands) < injected + 500:
        if fault == "frames_lost" or len(h.commands) == injected:
            inject(h.station)  # lost frames must come again and again to trip the windowed watchdog
        h.period()
    out = h.controller.outcome
    assert (out.outcome, out.detected_by) == (SAFE_STOP, check), out
    tools = h.description.tools
    first = next(i for i, c in enumerate(h.commands) if i >= injected and _is_safe_stop_command(c, tools))
    assert all(_is_safe_stop_command(c, tools) for c in h.commands[first:])
    assert out.t_s == h.frames[first].t_s  # the outcome is dated when the fault was found ...
    last = h.frames[-1]  # ... and given only once every axis has come to rest
    assert all(a.settled or a.latched for a in last.axes.values()), last.axes
    if fault != "power_loss":  # category 0 holds the axes at once; everything else brakes them
        assert not all(a.settled or a.latched for a in h.frames[first].axes.values())
        assert len(h.commands) - 1 > first
    truth = h.station.truth()
    assert truth["packs"]["depleted"]["on"] == "tool"  # nothing let go of the carried pack
    assert not [e for e in h.station.take_events() if e["event"] == "hazard"]


def _hostile(family: str):
    """Frames a controller could be handed in process (type-valid, wrong in content), by name."""
    two_channel = "pack_present" if family == "under_chassis" else "spreader.landed"

    def without(name):
        return lambda f: dataclasses.replace(f, sensors={k: v for k, v in f.sensors.items() if k != name})

    def reading(name, value):
        return lambda f: dataclasses.replace(f, sensors={**f.sensors, name: value})

    return {
        "a two-channel sensor missing": (without(two_channel), "controller_error"),
        "the lock status missing": (without("locks"), "controller_error"),
        "the e-stop input missing": (without("estop"), "controller_error"),
        "the station power input missing": (without("station_power"), "controller_error"),
        "no sensors at all": (lambda f: dataclasses.replace(f, sensors={}), "controller_error"),
        "no axes": (lambda f: dataclasses.replace(f, axes={}), "controller_error"),
        "a two-channel reading that is no pair": (reading(two_channel, 1), "controller_error"),
        "a load cell reading that is no number": (reading("load_cell_n", "heavy"), "controller_error"),
        "an e-stop input that reads null": (reading("estop", None), "safety_input"),
        "a power input that reads null": (reading("station_power", None), "safety_input"),
    }


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("case", list(_hostile("under_chassis")))
def test_on_frame_never_raises_and_a_hostile_frame_ends_in_a_safe_stop(family, case):
    h = on_mock(*FAMILIES[family])
    h.run(until=lambda h: _moving_fast(h, family))
    tamper, by = _hostile(family)[case]
    phase = h.controller.phase
    h.period(tamper(h.station.frame()))
    out = h.run()
    assert (out.outcome, out.phase, out.detected_by) == (SAFE_STOP, phase, by), out


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("seed", range(3))
def test_on_frame_never_raises_whatever_the_readings_say(family, seed):
    """A seeded fuzz: from a random period of a swap on, readings replaced by junk of any type."""
    rng = random.Random(seed)
    junk = [None, True, False, 0, -1.0, math.nan, math.inf, 1e308, "x", (), (True,), (1, 2, 3), [], {}, {"0": None}]
    h = on_mock(*FAMILIES[family])
    start = rng.randrange(2500)
    while h.controller.outcome is None and h.station.time_s < 600.0:
        frame = h.station.frame()
        if len(h.commands) >= start and rng.random() < 1 / 3:
            sensors = dict(frame.sensors)
            for name in rng.sample(sorted(sensors), rng.randint(1, 3)):
                sensors[name] = rng.choice(junk)
            t_s = rng.choice([math.nan, -1.0]) if rng.random() < 0.05 else frame.t_s
            frame = dataclasses.replace(frame, sensors=sensors, t_s=t_s)
        h.period(frame)  # raises if on_frame does
    assert h.controller.outcome is not None and h.controller.outcome.outcome == SAFE_STOP
