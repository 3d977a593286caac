"""Wire contract v1: envelope, version refusal, malformed input, command checks."""

from __future__ import annotations

import msgpack
import pytest

from controllers import wire

AXES = frozenset({"travel", "lift"})
LOCKS = frozenset({"0", "1"})


def _roundtrip(msg: wire.Message, expect=wire.CONTROLLER_TYPES) -> wire.Message:
    return wire.decode(wire.encode(msg), expect=expect)


def test_envelope_roundtrip_keeps_type_seq_body_and_cmd_id():
    seq = wire.Sequencer()
    cmd = wire.Command(
        frame_seq=7, phase="align", axes={"lift": wire.AxisCommand(wire.MODE_POSITION, target=0.1, speed=0.05)}
    )
    seq.make(wire.HELLO, {})
    msg = _roundtrip(seq.make(wire.COMMAND, cmd.to_body(), cmd_id=42))
    assert (msg.type, msg.seq, msg.cmd_id, msg.version) == (wire.COMMAND, 1, 42, wire.PROTOCOL_VERSION)
    parsed = wire.parse_command(msg.body, axis_names=AXES, lock_ids=LOCKS)
    assert parsed.axes["lift"] == wire.AxisCommand(wire.MODE_POSITION, target=0.1, speed=0.05)
    assert parsed.frame_seq == 7 and parsed.phase == "align"


def test_wire_is_plain_msgpack_never_pickle():
    data = wire.encode(wire.Message(type=wire.HELLO, seq=0, body=wire.hello_body(client="x")))
    env = msgpack.unpackb(data, raw=False)
    assert env == {
        "v": list(wire.PROTOCOL_VERSION),
        "type": "hello",
        "seq": 0,
        "body": {"client": "x", "role": "controller", "protocol": list(wire.PROTOCOL_VERSION)},
    }


def test_other_major_version_is_refused_with_a_clear_message():
    data = msgpack.packb({"v": [2, 0], "type": "hello", "seq": 0, "body": {}})
    with pytest.raises(wire.VersionMismatch, match=r"major version 2 is not supported: this side speaks 1\.x"):
        wire.decode(data, expect=wire.CONTROLLER_TYPES)


def test_newer_minor_version_is_accepted():
    data = msgpack.packb({"v": [1, 9], "type": "hello", "seq": 0, "body": {}})
    assert wire.decode(data, expect=wire.CONTROLLER_TYPES).version == (1, 9)


@pytest.mark.parametrize(
    "data, match",
    [
        (b"\xc1garbage", "not a msgpack message"),
        (msgpack.packb([1, 2, 3]), "envelope is not a map"),
        (msgpack.packb({"v": [1, 0], "type": "hello", "seq": -1, "body": {}}), "seq"),
        (msgpack.packb({"v": [1, 0], "type": "hello", "seq": 0, "body": []}), "body"),
        (msgpack.packb({"v": "1.0", "type": "hello", "seq": 0, "body": {}}), "'v'"),
        (msgpack.packb({"v": [1, 0], "type": "frame", "seq": 0, "body": {}}), "unexpected message type"),
        (msgpack.packb({"v": [1, 0], "type": "command", "seq": 0, "body": {}}), "cmd_id"),
    ],
)
def test_malformed_envelopes_raise_wire_error(data, match):
    with pytest.raises(wire.WireError, match=match):
        wire.decode(data, expect=wire.CONTROLLER_TYPES)


@pytest.mark.parametrize(
    "body, match",
    [
        ({"frame_seq": 0, "axes": {"yaw": {"mode": "hold"}}}, "unknown axis"),
        ({"frame_seq": 0, "axes": {"lift": {"mode": "fly"}}}, "mode must be one of"),
        ({"frame_seq": 0, "axes": {"lift": {"mode": "position"}}}, "needs a target"),
        ({"frame_seq": 0, "axes": {"lift": {"mode": "position", "target": float("nan")}}}, "finite number"),
        ({"frame_seq": 0, "axes": {"lift": {"mode": "position", "target": 0.1, "speed": -1.0}}}, "positive"),
        ({"frame_seq": 0, "locks": {"7": "engage"}}, "unknown lock"),
        ({"frame_seq": 0, "locks": {"all": "explode"}}, "must be one of"),
        ({"frame_seq": "0"}, "frame_seq"),
        ({"frame_seq": 0, "float_lock": "yes"}, "float_lock"),
        ({"frame_seq": 0, "reset_faults": 1}, "reset_faults"),
    ],
)
def test_invalid_commands_are_rejected_with_the_reason(body, match):
    with pytest.raises(wire.WireError, match=match):
        wire.parse_command(body, axis_names=AXES, lock_ids=LOCKS)


def test_oversized_message_is_refused_before_decoding():
    with pytest.raises(wire.WireError, match="exceeds"):
        wire.decode(b"\x00" * (wire.MAX_MESSAGE_BYTES + 1), expect=wire.CONTROLLER_TYPES)
