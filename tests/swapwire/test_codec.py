"""The envelope and its bounded codec: version refusal, malformed and hostile input."""

from __future__ import annotations

import msgpack
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

import swapwire as wire
from swapwire.codec import MAX_CONTAINER_ITEMS, check_plain


def test_envelope_roundtrip_keeps_type_seq_body_and_cmd_id():
    seq = wire.Sequencer()
    seq.make(wire.HELLO, {})
    env = seq.make(wire.COMMAND, {"frame_seq": 7}, cmd_id=42)
    back = wire.decode(wire.encode(env), expect=wire.CONTROLLER_TYPES)
    assert (back.type, back.seq, back.cmd_id, back.version, back.body) == (
        wire.COMMAND,
        1,
        42,
        wire.PROTOCOL_VERSION,
        {"frame_seq": 7},
    )


def test_wire_is_plain_msgpack_never_pickle():
    data = wire.encode(wire.Envelope(type=wire.HELLO, seq=0, body=wire.Hello(client="x").to_body()))
    assert msgpack.unpackb(data, raw=False) == {
        "v": list(wire.PROTOCOL_VERSION),
        "type": "hello",
        "seq": 0,
        "body": {"client": "x", "role": "controller", "protocol": list(wire.PROTOCOL_VERSION), "phases": []},
    }


def test_other_major_version_is_refused_with_a_clear_message_and_code():
    data = msgpack.packb({"v": [2, 0], "type": "hello", "seq": 0, "body": {}})
    with pytest.raises(wire.VersionMismatch, match=r"major version 2 is not supported: this side speaks 1\.x") as exc:
        wire.decode(data, expect=wire.CONTROLLER_TYPES)
    assert exc.value.code == wire.Code.VERSION


def test_newer_minor_version_is_accepted():
    data = msgpack.packb({"v": [1, 9], "type": "hello", "seq": 0, "body": {}})
    assert wire.decode(data, expect=wire.CONTROLLER_TYPES).version == (1, 9)


@pytest.mark.parametrize(
    "data, match, code",
    [
        (b"\xc1garbage", "not a msgpack message", wire.Code.MALFORMED),
        (msgpack.packb([1, 2, 3]), "envelope is not a map", wire.Code.MALFORMED),
        (msgpack.packb({"v": [1, 0], "type": "hello", "seq": -1, "body": {}}), "seq", wire.Code.MALFORMED),
        (msgpack.packb({"v": [1, 0], "type": "hello", "seq": 0, "body": []}), "body", wire.Code.MALFORMED),
        (msgpack.packb({"v": "1.0", "type": "hello", "seq": 0, "body": {}}), "'v'", wire.Code.MALFORMED),
        (
            msgpack.packb({"v": [1, 0], "type": "frame", "seq": 0, "body": {}}),
            "unexpected message type",
            wire.Code.UNEXPECTED_TYPE,
        ),
        (msgpack.packb({"v": [1, 0], "type": "command", "seq": 0, "body": {}}), "cmd_id", wire.Code.INVALID_COMMAND),
        (msgpack.packb({"v": [1, 0], "type": ["hello"], "seq": 0, "body": {}}), "'type'", wire.Code.MALFORMED),
    ],
)
def test_malformed_envelopes_raise_wire_error_with_a_code(data, match, code):
    with pytest.raises(wire.WireError, match=match) as exc:
        wire.decode(data, expect=wire.CONTROLLER_TYPES)
    assert exc.value.code == code


def test_oversized_message_is_refused_before_decoding():
    with pytest.raises(wire.WireError, match="exceeds"):
        wire.decode(b"\x80" * (wire.MAX_MESSAGE_BYTES + 1), expect=wire.CONTROLLER_TYPES)


@pytest.mark.parametrize("depth", [100, 1000, 5000])
def test_deep_nesting_is_refused_without_recursion(depth):
    # A hello whose client is [[[...]]], built as raw bytes (msgpack's packer refuses to build it).
    client = b"\x91" * depth + b"\xc0"
    env = b"\x84" + msgpack.packb("v") + msgpack.packb([1, 2]) + msgpack.packb("type") + msgpack.packb("hello")
    env += msgpack.packb("seq") + msgpack.packb(0) + msgpack.packb("body") + b"\x81" + msgpack.packb("client") + client
    try:
        msg = wire.decode(env, expect=wire.CONTROLLER_TYPES)
    except wire.WireError:
        return  # beyond msgpack's own stack limit: refused at unpacking
    # Within it: typed checks never recurse into a value they did not expect.
    with pytest.raises(wire.WireError, match="must be a string"):
        wire.parse_hello(msg.body)


def test_containers_longer_than_the_limit_are_refused():
    data = msgpack.packb({"v": [1, 2], "type": "hello", "seq": 0, "body": {"x": list(range(MAX_CONTAINER_ITEMS + 1))}})
    with pytest.raises(wire.WireError, match="within the limits"):
        wire.decode(data, expect=wire.CONTROLLER_TYPES)


def test_free_form_values_are_bounded_in_depth_iteratively():
    deep: list = []
    at = deep
    for _ in range(50):
        at.append([])
        at = at[0]
    with pytest.raises(wire.WireError, match="nests deeper"):
        check_plain(deep, where="station.positions")
    check_plain({"a": [1, {"b": 2}]}, where="ok")


@pytest.mark.parametrize(
    "body, what",
    [
        ({"client": "x", "fuzz": b"\xa4role"}, "binary value"),
        ({"client": "x", "phases": [[b"\x00"]]}, "binary value"),
        ({"client": "x", b"role": "controller"}, "map key that is not a string"),
        ({"client": "x", "extra": {1: 2}}, "within the limits"),  # msgpack's strict_map_key stops an int key first
    ],
)
def test_a_body_holds_only_plain_values(body, what):
    # A hello carrying a msgpack bin value once passed the codec, and the plant's recorder
    # then failed on it (orjson cannot write bytes): the fuzzer's finding.
    data = msgpack.packb({"v": [1, 2], "type": "hello", "seq": 0, "body": body}, use_bin_type=True)
    with pytest.raises(wire.WireError, match=what) as exc:
        wire.decode(data, expect=wire.CONTROLLER_TYPES)
    assert exc.value.code == wire.Code.MALFORMED


plain = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats()
    | st.text(max_size=8)
    | st.binary(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4) | st.binary(max_size=2), inner, max_size=3)
    ),
    max_leaves=12,
)


@given(body=st.dictionaries(st.text(max_size=4), plain, max_size=4))
def test_whatever_decodes_can_be_written_as_json(body):
    """The recorder and the result writer take any decoded body: what the codec lets through, JSON can say."""
    data = msgpack.packb({"v": [1, 2], "type": "hello", "seq": 0, "body": body}, use_bin_type=True)
    try:
        env = wire.decode(data, expect=wire.CONTROLLER_TYPES)
    except wire.WireError:
        return
    orjson.dumps(env.body)
