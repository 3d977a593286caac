"""The envelope every message travels in, and its bounded codec.

``{"v": [major, minor], "type": str, "seq": int, "body": map}``; commands also
carry ``"cmd_id": int`` at the top level. ``seq`` counts the sender's messages
from 0. Every message is a msgpack map of plain values: never pickle, never
language-specific objects, so a peer in another language speaks it from the
document.

Decoding is bounded: a message over ``MAX_MESSAGE_BYTES`` is refused before
it is unpacked, containers and strings have length limits, and a body nests at
most ``MAX_DEPTH`` containers deep (the check's recursion stops there; msgpack's
own stack limit stops deeper input at 1024 levels before that) and holds only
plain values: no msgpack bin or ext, no map key but a string. So nothing that
reads a decoded body, a typed parser or a recorder, can be made to recurse
deeply. Decoding raises ``WireError`` and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgpack

from swapwire.errors import Code, VersionMismatch, WireError, shown

# 1.2: typed station description (sensor kinds and channels declared, lock
# confirmation sets, session timeouts); error codes.
PROTOCOL_VERSION: tuple[int, int] = (1, 2)
MAX_MESSAGE_BYTES = 1 << 20
# Bounds of one decoded message, well above any legal one (a station
# description has a few hundred values; a frame about a hundred).
MAX_CONTAINER_ITEMS = 4096
MAX_STRING_BYTES = 64 * 1024
MAX_DEPTH = 12

_COMMAND = "command"  # swapwire.messages.COMMAND: the one type whose envelope carries cmd_id
_LIMITS = {
    "max_str_len": MAX_STRING_BYTES,
    "max_bin_len": MAX_STRING_BYTES,
    "max_array_len": MAX_CONTAINER_ITEMS,
    "max_map_len": MAX_CONTAINER_ITEMS,
    "max_ext_len": 0,
}


@dataclass(frozen=True, slots=True)
class Envelope:
    type: str
    seq: int
    body: dict[str, Any]
    version: tuple[int, int] = PROTOCOL_VERSION
    cmd_id: int | None = None


def encode(env: Envelope) -> bytes:
    data: dict[str, Any] = {"v": list(env.version), "type": env.type, "seq": env.seq, "body": env.body}
    if env.cmd_id is not None:
        data["cmd_id"] = env.cmd_id
    return msgpack.packb(data, use_bin_type=True)


def is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def unpack(data: bytes) -> Any:
    """msgpack to plain values within the limits above; WireError otherwise."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise WireError(f"message of {len(data)} bytes exceeds {MAX_MESSAGE_BYTES}")
    try:
        return msgpack.unpackb(data, raw=False, strict_map_key=True, **_LIMITS)
    except Exception as exc:  # msgpack raises several unrelated types (and StackError for deep nesting)
        raise WireError(f"not a msgpack message within the limits: {type(exc).__name__}") from None


def decode(data: bytes, *, expect: frozenset[str]) -> Envelope:
    """Decode and check one envelope. ``expect``: the message types this side
    accepts. A WireError raised once the envelope's ``seq`` could be read
    carries it as ``ref_seq``, for the answer."""
    env = unpack(data)
    if not isinstance(env, dict):
        raise WireError("envelope is not a map")
    v = env.get("v")
    if not (isinstance(v, list) and len(v) == 2 and all(is_int(x) for x in v)):
        raise WireError("envelope field 'v' must be [major, minor]")
    mtype, seq, body = env.get("type"), env.get("seq"), env.get("body")
    if not isinstance(mtype, str) or len(mtype) > 64:
        raise WireError("envelope field 'type' must be a string of at most 64 characters")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise WireError("envelope field 'seq' must be a non-negative integer")
    try:
        return _checked(env, v, mtype, seq, body, expect)
    except WireError as exc:
        exc.ref_seq = seq
        raise


def _checked(env: dict, v: list, mtype: str, seq: int, body: Any, expect: frozenset[str]) -> Envelope:
    if not isinstance(body, dict):
        raise WireError("envelope field 'body' must be a map")
    check_plain(body, where="the body")
    if mtype not in expect:
        raise WireError(
            f"unexpected message type {shown(mtype)}; this side accepts {sorted(expect)}", code=Code.UNEXPECTED_TYPE
        )
    cmd_id = env.get("cmd_id")
    if cmd_id is not None and (not is_int(cmd_id) or cmd_id < 0):
        raise WireError("envelope field 'cmd_id' must be a non-negative integer")
    if mtype == _COMMAND and cmd_id is None:
        raise WireError("a command needs a non-negative integer 'cmd_id'", code=Code.INVALID_COMMAND)
    if v[0] != PROTOCOL_VERSION[0]:
        raise VersionMismatch(
            f"protocol major version {v[0]} is not supported: this side speaks {PROTOCOL_VERSION[0]}.x "
            f"(received {v[0]}.{v[1]}, expected {PROTOCOL_VERSION[0]}.{PROTOCOL_VERSION[1]})"
        )
    return Envelope(type=mtype, seq=seq, body=body, version=(v[0], v[1]), cmd_id=cmd_id)


_LEAVES = (str, int, float, bool, type(None))
_EXACT_LEAVES = frozenset(_LEAVES)  # what msgpack decodes to: the fast path skips isinstance


def check_plain(value: Any, *, where: str, max_depth: int = MAX_DEPTH) -> None:
    """A free-form value is plain (maps with string keys, arrays, strings,
    numbers, booleans, nil: what JSON can say, so that every reader, a typed
    parser, a recorder or a peer in another language, can take it) and nests
    at most ``max_depth`` containers deep. Its recursion is bounded by
    ``max_depth``, whatever the input: it stops one level below the limit."""
    if type(value) not in _EXACT_LEAVES:
        _check_plain(value, 0, where, max_depth)


def _check_plain(item: Any, depth: int, where: str, max_depth: int) -> None:
    # Every message decoded passes here (a frame holds about 150 values): the
    # common case, a value of an exact plain type, costs one set lookup.
    if isinstance(item, dict):
        if depth >= max_depth:
            raise WireError(f"{where} nests deeper than {max_depth} levels")
        if not all(isinstance(k, str) for k in item):
            raise WireError(f"{where} has a map key that is not a string")
        children: Any = item.values()
    elif isinstance(item, list | tuple):
        if depth >= max_depth:
            raise WireError(f"{where} nests deeper than {max_depth} levels")
        children = item
    elif isinstance(item, _LEAVES):
        return
    else:
        kind = "binary" if isinstance(item, bytes) else type(item).__name__
        raise WireError(f"{where} holds a {kind} value: the protocol carries only plain values (no bin, no ext)")
    for child in children:
        if type(child) not in _EXACT_LEAVES:
            _check_plain(child, depth + 1, where, max_depth)


class Sequencer:
    """Numbers the messages one side sends."""

    def __init__(self) -> None:
        self._seq = 0

    @property
    def next_seq(self) -> int:
        """The seq the next message will carry."""
        return self._seq

    def make(self, mtype: str, body: dict[str, Any], *, cmd_id: int | None = None) -> Envelope:
        env = Envelope(type=mtype, seq=self._seq, body=body, cmd_id=cmd_id)
        self._seq += 1
        return env
