"""Hypothesis strategies for hostile wire messages, shared by the fuzz suites.

Each strategy draws the bytes of one message: random bytes, random msgpack
values, envelopes with random types and bodies, commands whose every field
may be of any type or depth, valid messages with flipped bytes or cut short,
and deep nestings. ``sized`` keeps a message under the 1 MiB limit unless
``oversized`` is asked for (a limit a peer's socket enforces by dropping the
connection, so only disposable sockets send those)."""

from __future__ import annotations

import msgpack
from hypothesis import strategies as st

import swapwire as wire

_TYPES = sorted(wire.CONTROLLER_TYPES | wire.PLANT_TYPES) + ["", "x" * 65, "Hello", "command\x00"]
_KEYS = st.one_of(
    st.sampled_from(["", "all", "0", "1", "travel", "lift", "hoist", "spreader", "mode"]), st.text(max_size=8)
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.binary(max_size=40),
)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=6) | st.dictionaries(_KEYS, inner, max_size=6), max_leaves=40
)


def pack(value) -> bytes:
    return msgpack.packb(value, use_bin_type=True)


def _envelope(mtype, body, seq, cmd_id=None, v=(1, 2)) -> dict:
    env = {"v": list(v) if isinstance(v, tuple) else v, "type": mtype, "seq": seq, "body": body}
    if cmd_id is not None:
        env["cmd_id"] = cmd_id
    return env


axis_value = st.one_of(
    values,
    st.fixed_dictionaries(
        {"mode": st.one_of(st.sampled_from(["position", "hold", "stop"]), values)},
        optional={"target": st.one_of(st.floats(), values), "speed": st.floats(), "force_limit": st.floats()},
    ),
)
command_body = st.fixed_dictionaries(
    {},
    optional={
        "frame_seq": st.one_of(st.integers(min_value=-5, max_value=2**64 - 1), values),
        "phase": st.one_of(st.text(max_size=70), values),
        "axes": st.one_of(st.dictionaries(_KEYS, axis_value, max_size=4), values),
        "locks": st.one_of(
            st.dictionaries(_KEYS, st.one_of(st.sampled_from(["engage", "release", "hold"]), values), max_size=4),
            values,
        ),
        "float_lock": values,
        "tool": st.one_of(st.dictionaries(_KEYS, values, max_size=3), values),
        "reset_faults": values,
    },
)
hello_body = st.fixed_dictionaries(
    {},
    optional={
        "client": st.one_of(st.text(max_size=200), values),
        "role": st.one_of(st.sampled_from(["controller", "observer", "engineer", "root"]), values),
        "protocol": st.one_of(st.just([1, 2]), st.just([2, 0]), values),
        "phases": st.one_of(st.lists(st.text(max_size=70), max_size=70), values),
        "resume": st.one_of(st.text(max_size=70), values),
    },
)


@st.composite
def envelopes(draw, *, types=_TYPES) -> bytes:
    mtype = draw(st.one_of(st.sampled_from(types), values))
    body = draw(
        st.one_of(
            command_body,
            hello_body,
            st.fixed_dictionaries({}, optional={"outcome": values, "reason": values, "fault": values}),
            values,
        )
    )
    v = draw(st.one_of(st.just((1, 2)), st.just((1, 99)), st.just((2, 0)), values))
    seq = draw(st.one_of(st.integers(min_value=0, max_value=2**64 - 1), values))
    cmd_id = draw(st.one_of(st.none(), st.integers(min_value=-3, max_value=2**64 - 1), values))
    return pack(_envelope(mtype, body, seq, cmd_id, v))


@st.composite
def mutated(draw, valid: st.SearchStrategy[bytes]) -> bytes:
    data = bytearray(draw(valid))
    how = draw(st.sampled_from(["flip", "cut", "append", "duplicate_key"]))
    if how == "flip" and data:
        for _ in range(draw(st.integers(1, 4))):
            i = draw(st.integers(0, len(data) - 1))
            data[i] ^= draw(st.integers(1, 255))
    elif how == "cut":
        data = data[: draw(st.integers(0, max(0, len(data) - 1)))]
    elif how == "append":
        data += draw(st.binary(min_size=1, max_size=20))
    else:
        data = bytearray(pack({"v": [1, 2], "v ": 1, "type": "heartbeat", "seq": 0, "body": {}})) + data[:3]
    return bytes(data)


def valid_commands(frame_seq: int = 0) -> st.SearchStrategy[bytes]:
    return command_body.map(lambda b: pack(_envelope("command", {**b, "frame_seq": frame_seq}, 1, 10**6)))


def _deep_command(levels: int) -> bytes:
    """A command whose axes nest ``levels`` lists deep (written by hand: msgpack's packer stops at 512)."""
    head = b"".join(pack(x) for x in ("v", [1, 2], "type", "command", "seq", 1, "cmd_id", 1, "body"))
    return b"\x85" + head + b"\x81" + pack("axes") + b"\x91" * levels + b"\xc0"


deep = st.integers(min_value=10, max_value=3000).map(_deep_command)
raw = st.binary(max_size=300)
any_value = values.map(pack)


def hostile(*, oversized: bool = False) -> st.SearchStrategy[bytes]:
    """One hostile message (bytes)."""
    choices = [
        raw,
        any_value,
        envelopes(),
        command_body.map(lambda b: pack(_envelope("command", b, 1, 7))),
        hello_body.map(lambda b: pack(_envelope("hello", b, 0))),
        mutated(envelopes()),
        mutated(valid_commands()),
        deep,
        st.integers(min_value=1000, max_value=100_000).map(lambda n: b"\x91" * n + b"\xc0"),
    ]
    if oversized:
        choices.append(st.integers(min_value=1 << 20, max_value=3 << 20).map(lambda n: b"\xc4" + b"x" * n))
    return st.one_of(*choices)


def mutants(data: bytes, rng, n: int) -> list[bytes]:
    """``n`` quick variations of one message (byte flips, cuts, splices), from a
    seeded ``random.Random``: multiplies what hypothesis draws at little cost."""
    out = []
    for _ in range(n):
        b = bytearray(data)
        how = rng.randrange(4)
        if how == 0 and b:
            for _ in range(rng.randint(1, 3)):
                b[rng.randrange(len(b))] = rng.randrange(256)
        elif how == 1:
            b = b[: rng.randrange(len(b) + 1)]
        elif how == 2 and b:
            i = rng.randrange(len(b))
            b = b[:i] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))) + b[i:]
        else:
            b = b + b[: rng.randrange(len(b) + 1)]
        out.append(bytes(b))
    return out
