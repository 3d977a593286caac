"""The process image: every command our controller sends and every frame a station
reads survive the trip through the PLC's tags (codes, units, two channels, lock
templates), for both rig families. Real twin stations, no OPC UA."""

from __future__ import annotations

import math

import pytest

import swapwire as wire
from gateways.opcua.image import CommandImage, FrameImage
from gateways.opcua.tagmap import load_tagmap
from controllers.sequences import sequence_for
from tests.conftest import swap_config
from twin.rigs import make_station

MAX_PERIODS = 20_000  # a whole swap at most


def _close(a, b, path=""):
    """Equal, floats to a few ulps of the unit scaling (mm <-> m, deg <-> rad)."""
    if isinstance(a, float) or isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15), (path, a, b)
    elif isinstance(a, dict):
        assert set(a) == set(b), (path, sorted(a), sorted(b))
        for k in a:
            _close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), (path, a, b)
        for i, (x, y) in enumerate(zip(a, b)):
            _close(x, y, f"{path}[{i}]")
    else:
        assert a == b, (path, a, b)


def _per_lock(body: dict, lock_ids: list[str]) -> dict:
    """A command body's lock map as each lock receives it, applied in order ("all" expanded)."""
    out: dict[str, str] = {}
    for lid, action in body["locks"].items():
        for target in lock_ids if lid == wire.ALL_LOCKS else [lid]:
            out[target] = action
    return {**body, "locks": out}


@pytest.mark.parametrize("rig", ["under_chassis", "overhead"])
def test_commands_and_frames_survive_the_tags(rig):
    cfg = swap_config(f"rig={rig}", "gateway=opcua")
    station = make_station(cfg.plant)
    try:
        desc = station.describe()
        tagmap = load_tagmap(cfg.gateway.tagmap)
        commands, frames = CommandImage(tagmap, desc), FrameImage(tagmap, desc)
        rules = wire.CommandRules(frozenset(desc.axis_names), frozenset(desc.locks.ids), dict(desc.tools))
        controller = sequence_for(cfg.controller, desc)
        seen_modes, seen_actions, seen_tools = set(), set(), set()
        k = 0
        # Until the sequence has moved and held axes, released the locks and used its tools (the first unlock;
        # test_every_code_of_a_command_survives covers the rest without a whole swap).
        while not (
            seen_modes >= {wire.MODE_POSITION, wire.MODE_HOLD}
            and wire.LOCK_RELEASE in seen_actions
            and {name for name, _ in seen_tools} == set(desc.tools)
        ):
            k += 1
            assert k < MAX_PERIODS and controller.outcome is None, (seen_modes, seen_actions, seen_tools)
            # The frame the controller answers, through the PLC's state tags.
            frame = station.frame()
            life, mode, back = frames.decode(frames.encode(frame, life_sign=k, mode=2))
            assert (life, mode) == (k, 2)
            _close(back.to_body(), frame.to_body())
            # Its command, through the PLC's command tags.
            cmd = wire.parse_command(controller.on_frame(frame).to_body(), rules)
            values = commands.encode(cmd, k, heartbeat=k)
            heartbeat, cmd_id, again = commands.decode(values, frame_seq=cmd.frame_seq)
            assert (heartbeat, cmd_id) == (k, k)
            _close(again.to_body(), _per_lock(cmd.to_body(), desc.locks.ids))
            seen_modes |= {a.mode for a in cmd.axes.values()}
            seen_actions |= set(cmd.locks.values())
            seen_tools |= set(cmd.tool.items())
            station.apply(cmd, k)
            station.advance()
    finally:
        station.close()


def test_every_code_of_a_command_survives():
    cfg = swap_config("rig=overhead", "gateway=opcua")
    station = make_station(cfg.plant)
    try:
        desc = station.describe()
    finally:
        station.close()
    images = CommandImage(load_tagmap("overhead"), desc)
    ids = desc.locks.ids
    for action in (wire.LOCK_ENGAGE, wire.LOCK_RELEASE, wire.LOCK_HOLD):
        for float_lock in (None, True, False):
            cmd = wire.Command(
                frame_seq=9,
                phase="set_down",
                axes={
                    "hoist": wire.AxisCommand(mode="position", target=0.25, speed=0.05, force_limit=900.0),
                    "slew": wire.AxisCommand(mode="stop", force_limit=50.0),
                    "bridge": wire.AxisCommand(mode="hold"),
                },
                locks={wire.ALL_LOCKS: action, ids[1]: wire.LOCK_HOLD},  # all, then one: the later key wins
                float_lock=float_lock,
                tool={"spreader": action},
                reset_faults=float_lock is None,
            )
            _, cmd_id, back = images.decode(images.encode(cmd, 41, heartbeat=5), frame_seq=9)
            assert cmd_id == 41
            _close(back.to_body(), _per_lock(cmd.to_body(), ids))
            assert back.locks[ids[1]] == wire.LOCK_HOLD and back.locks[ids[0]] == action


def test_no_command_keeps_the_last_id_so_the_plc_sees_nothing_new():
    cfg = swap_config("gateway=opcua")
    station = make_station(cfg.plant)
    try:
        images = CommandImage(load_tagmap("under_chassis"), station.describe())
    finally:
        station.close()
    cmd = wire.Command(frame_seq=3, phase="align", axes={"lift": wire.AxisCommand(mode="position", target=0.1)})
    sent = images.encode(cmd, 7, heartbeat=1)
    idle = images.encode(None, 7, heartbeat=2, last_phase="align")
    assert sent[-1] == idle[-1] == 7 and idle[0] == 2
    _, _, back = images.decode(idle, frame_seq=4)
    assert back.axes == {} and back.locks == {} and back.phase == "align"


def test_a_drive_state_code_the_map_does_not_know_reads_as_a_fault():
    cfg = swap_config("gateway=opcua")
    station = make_station(cfg.plant)
    try:
        frames = FrameImage(load_tagmap("under_chassis"), station.describe())
        values = frames.encode(station.frame(), life_sign=1, mode=2)
    finally:
        station.close()
    keys = [s.key for s in frames.slots]
    values[keys.index("frame.drive_state")] = 99
    values[keys.index("axes.lift.state")] = -3
    _, _, frame = frames.decode(values)
    assert frame.drives.state == wire.DRIVE_FAULT and frame.axes["lift"].state == wire.DRIVE_FAULT


@pytest.mark.parametrize("pads, pack_id", [(None, None), ([1.5, 2.5, 3.5, 4.5], "nio_75kwh")])
def test_pad_loads_and_the_pack_identity_survive_the_tags_read_or_not(pads, pack_id):
    """Issue 12's sensors: four pad loads (one tag per pad) and the pack's identity,
    and their null (not reporting, nothing read) as the valid tag and an empty String."""
    import dataclasses

    cfg = swap_config("gateway=opcua")
    station = make_station(cfg.plant)
    try:
        desc = station.describe()
        frames = FrameImage(load_tagmap(cfg.gateway.tagmap), desc)
        frame = station.frame()
        frame = dataclasses.replace(frame, sensors={**frame.sensors, "pad_loads_n": pads, "pack_id": pack_id})
        values = frames.encode(frame, life_sign=1, mode=2)
        pad_tags = [s for s in frames.slots if s.key.startswith("sensors.pad_loads_n.")]
        assert [s.node for s in pad_tags[:4]] == [f"Sensors.PadLoads.{i}" for i in range(4)]
        _, _, back = frames.decode(values)
        assert back.sensors["pad_loads_n"] == pads and back.sensors["pack_id"] == pack_id
        _close(back.to_body(), frame.to_body())
    finally:
        station.close()
