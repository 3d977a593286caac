"""Typed messages: every command field round-trips; every bad or hostile value is a coded error, never a crash."""

from __future__ import annotations

import dataclasses

import pytest

import swapwire as wire

RULES = wire.CommandRules(
    axis_names=frozenset({"travel", "lift"}),
    lock_ids=frozenset({"0", "1"}),
    tools={"spreader": frozenset({"engage", "release", "hold"})},
)


def test_every_command_field_round_trips():
    cmd = wire.Command(
        frame_seq=7,
        phase="align",
        axes={
            "lift": wire.AxisCommand(wire.MODE_POSITION, target=0.1, speed=0.05, force_limit=1200.0),
            "travel": wire.AxisCommand(wire.MODE_HOLD, force_limit=50.0),
        },
        locks={"0": wire.LOCK_ENGAGE, "all": wire.LOCK_HOLD},
        float_lock=False,
        tool={"spreader": wire.LOCK_RELEASE},
        reset_faults=True,
    )
    assert wire.parse_command(cmd.to_body(), RULES) == cmd
    # Every field of a command and of an axis command is set away from its default
    # here: a field added later must join this round trip.
    for obj in (cmd, cmd.axes["lift"]):
        for f in dataclasses.fields(obj):
            default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            assert getattr(obj, f.name) != default, f"{type(obj).__name__}.{f.name} is not covered"
    assert wire.parse_command(wire.Command(frame_seq=0, phase="", float_lock=True).to_body(), RULES).float_lock is True


def test_absent_optional_fields_mean_no_change():
    cmd = wire.parse_command({"frame_seq": 0}, RULES)
    assert (cmd.axes, cmd.locks, cmd.float_lock, cmd.tool, cmd.reset_faults, cmd.phase) == ({}, {}, None, {}, False, "")


NESTED = [[[[[[[[0.1]]]]]]]]
HOSTILE = [[1, 2], {"a": 1}, NESTED, None, True]


@pytest.mark.parametrize(
    "body, match, code",
    [
        ({"frame_seq": 0, "axes": {"yaw": {"mode": "hold"}}}, "unknown axis", wire.Code.UNKNOWN_AXIS),
        ({"frame_seq": 0, "axes": {"lift": {"mode": "fly"}}}, "mode must be one of", wire.Code.INVALID_COMMAND),
        ({"frame_seq": 0, "axes": {"lift": {"mode": "position"}}}, "needs a target", wire.Code.INVALID_COMMAND),
        (
            {"frame_seq": 0, "axes": {"lift": {"mode": "position", "target": float("nan")}}},
            "finite number",
            wire.Code.INVALID_COMMAND,
        ),
        (
            {"frame_seq": 0, "axes": {"lift": {"mode": "position", "target": 0.1, "speed": -1.0}}},
            "positive",
            wire.Code.INVALID_COMMAND,
        ),
        (
            {"frame_seq": 0, "axes": {"lift": {"mode": "position", "target": 0.1, "force_limit": 0.0}}},
            "positive",
            wire.Code.INVALID_COMMAND,
        ),
        ({"frame_seq": 0, "locks": {"7": "engage"}}, "unknown lock", wire.Code.UNKNOWN_LOCK),
        ({"frame_seq": 0, "locks": {"all": "explode"}}, "must be one of", wire.Code.INVALID_COMMAND),
        ({"frame_seq": 0, "tool": {"hook": "engage"}}, "unknown tool", wire.Code.UNKNOWN_TOOL),
        ({"frame_seq": 0, "tool": {"spreader": "twist"}}, "must be one of", wire.Code.INVALID_COMMAND),
        ({"frame_seq": "0"}, "frame_seq", wire.Code.INVALID_COMMAND),
        ({"frame_seq": 0, "float_lock": "yes"}, "float_lock", wire.Code.INVALID_COMMAND),
        ({"frame_seq": 0, "reset_faults": 1}, "reset_faults", wire.Code.INVALID_COMMAND),
        ({"frame_seq": 0, "phase": "x" * 65}, "phase", wire.Code.INVALID_COMMAND),
    ],
)
def test_invalid_commands_are_rejected_with_the_reason_and_a_code(body, match, code):
    with pytest.raises(wire.WireError, match=match) as exc:
        wire.parse_command(body, RULES)
    assert exc.value.code == code


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize(
    "where",
    [
        lambda v: {"axes": {"lift": {"mode": v}}},
        lambda v: {"axes": {"lift": {"mode": "position", "target": v}}},
        lambda v: {"axes": {"lift": v}},
        lambda v: {"axes": v},
        lambda v: {"locks": {"0": v}},
        lambda v: {"locks": v},
        lambda v: {"tool": {"spreader": v}},
        lambda v: {"tool": v},
        lambda v: {"phase": v},
        lambda v: {"frame_seq": v},
    ],
)
def test_a_list_a_map_or_deep_nesting_anywhere_in_a_command_is_a_coded_error(value, where):
    body = {"frame_seq": 0, **where(value)}
    try:
        wire.parse_command(body, RULES)
    except wire.WireError as exc:
        assert exc.code in set(wire.Code)
        assert len(str(exc)) < 300  # the offending value is never rendered whole
    # (None where None is allowed, e.g. no tool map, passes: that is no crash either.)


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_bye_or_hello_is_a_coded_error(value):
    for parse, body in (
        (wire.parse_bye, {"outcome": value, "reason": "", "phase": ""}),
        (wire.parse_bye, {"outcome": "done", "reason": value}),
        (wire.parse_hello, {"client": value}),
    ):
        if value is None and parse is wire.parse_hello:
            continue
        with pytest.raises(wire.WireError) as exc:
            parse(body)
        assert exc.value.code in (wire.Code.INVALID_BYE, wire.Code.INVALID_HELLO)


def test_a_hello_names_its_client_in_at_most_80_characters():
    assert wire.parse_hello({"client": "c" * 500}).client == "c" * wire.MAX_CLIENT_CHARS


def test_error_refused_and_end_bodies_carry_their_fields():
    err = wire.ErrorBody(reason="bad", ref_seq=3, code=wire.Code.UNKNOWN_AXIS).to_body()
    assert err == {"reason": "bad", "ref_seq": 3, "code": "unknown_axis"}
    assert wire.parse_error(err).code == "unknown_axis"
    assert wire.parse_refused(wire.Refused(reason="busy").to_body()).code == "busy"
    assert wire.parse_end(wire.End(reason="bye", t_s=1.5).to_body()) == wire.End(reason="bye", t_s=1.5)


@pytest.mark.parametrize(
    "phases",
    [["ok", ""], ["x" * 65], [f"p{i}" for i in range(65)], "approach", [["nested"]], [1, 2]],
    ids=["empty name", "too long", "too many", "not a list", "nested", "numbers"],
)
def test_a_hello_with_unusable_phases_is_an_invalid_hello(phases):
    with pytest.raises(wire.WireError) as err:
        wire.parse_hello({"phases": phases})
    assert err.value.code == wire.Code.INVALID_HELLO


def test_a_hello_of_another_major_version_is_a_version_mismatch():
    with pytest.raises(wire.VersionMismatch):
        wire.parse_hello({"protocol": [2, 0]})
    with pytest.raises(wire.WireError) as err:
        wire.parse_hello({"protocol": [1]})
    assert err.value.code == wire.Code.INVALID_HELLO
    assert wire.parse_hello({"protocol": [1, 7]}).protocol == [1, 7]  # a newer minor is welcome
