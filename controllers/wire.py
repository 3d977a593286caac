"""SwapTwin station wire protocol, version 1 (the contract; ``docs/protocol.md``).

This module is the only code that a plant (the twin, or a real station's
gateway) and a controller share. It has no dependency on the twin or on
pybullet, and it never pickles: every message is a msgpack map of plain
values, so a controller in another language can speak it from the document.

Links
-----
* Command link: the controller's ZeroMQ DEALER connects to the plant's ROUTER.
  Each ZeroMQ message is one frame holding one encoded message.
* Observer link: the plant's PUB socket carries telemetry and ground truth for
  metrics and hazard monitors. Controllers never subscribe to it.

Envelope (every message)
------------------------
``{"v": [major, minor], "type": str, "seq": int, "body": map}``; commands also
carry ``"cmd_id": int`` at the top level. ``seq`` counts the sender's
messages from 0. A peer refuses a different major version at the handshake.

Units on the wire are SI: m, rad, s, N, N*m, Pa, kg.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import msgpack

# 1.1: bye.detected_by; frames carry the estop and station_power safety inputs.
PROTOCOL_VERSION: tuple[int, int] = (1, 1)

# Controller -> plant
HELLO = "hello"
COMMAND = "command"
BYE = "bye"
# Plant -> controller
WELCOME = "welcome"
REFUSED = "refused"
FRAME = "frame"
ERROR = "error"
END = "end"

CONTROLLER_TYPES = frozenset({HELLO, COMMAND, BYE})
PLANT_TYPES = frozenset({WELCOME, REFUSED, FRAME, ERROR, END})

# Axis command modes (see ``AxisCommand``).
MODE_POSITION = "position"
MODE_HOLD = "hold"
MODE_STOP = "stop"
AXIS_MODES = frozenset({MODE_POSITION, MODE_HOLD, MODE_STOP})

# Lock actions: level-triggered, so a repeated command does not act twice.
LOCK_ENGAGE = "engage"
LOCK_RELEASE = "release"
LOCK_HOLD = "hold"
LOCK_ACTIONS = frozenset({LOCK_ENGAGE, LOCK_RELEASE, LOCK_HOLD})

# Drive states reported in every frame.
DRIVE_HOLDING = "holding"  # before the first valid command: holds position
DRIVE_ACTIVE = "active"
DRIVE_STOPPING = "stopping"  # controlled stop in progress
DRIVE_STOPPED = "stopped"  # latched after a stop; needs ``reset_faults``
DRIVE_FAULT = "fault"  # latched (e.g. following error); needs ``reset_faults``

# Outcomes a controller reports in ``bye``.
OUTCOME_DONE = "done"
OUTCOME_REFUSED = "refused"
OUTCOME_SAFE_STOP = "safe_stop"
OUTCOMES = frozenset({OUTCOME_DONE, OUTCOME_REFUSED, OUTCOME_SAFE_STOP})

MAX_MESSAGE_BYTES = 1 << 20


class WireError(ValueError):
    """A message that does not follow the protocol. The receiver answers it with
    an ``error`` message and keeps serving."""


class VersionMismatch(WireError):
    """The peer speaks another major version."""


@dataclass(frozen=True)
class Message:
    type: str
    seq: int
    body: dict[str, Any]
    version: tuple[int, int] = PROTOCOL_VERSION
    cmd_id: int | None = None


def encode(msg: Message) -> bytes:
    env: dict[str, Any] = {"v": list(msg.version), "type": msg.type, "seq": msg.seq, "body": msg.body}
    if msg.cmd_id is not None:
        env["cmd_id"] = msg.cmd_id
    return msgpack.packb(env, use_bin_type=True)


def decode(data: bytes, *, expect: frozenset[str]) -> Message:
    """Decode and check one message. ``expect`` is the set of types this side
    accepts. Raises WireError (never anything else) on malformed input."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise WireError(f"message of {len(data)} bytes exceeds {MAX_MESSAGE_BYTES}")
    try:
        env = msgpack.unpackb(data, raw=False, strict_map_key=True)
    except Exception as exc:  # msgpack raises several unrelated types
        raise WireError(f"not a msgpack message: {type(exc).__name__}: {exc}") from None
    if not isinstance(env, dict):
        raise WireError("envelope is not a map")
    v = env.get("v")
    if not (isinstance(v, list) and len(v) == 2 and all(isinstance(x, int) and not isinstance(x, bool) for x in v)):
        raise WireError("envelope field 'v' must be [major, minor]")
    mtype, seq, body = env.get("type"), env.get("seq"), env.get("body")
    if not isinstance(mtype, str):
        raise WireError("envelope field 'type' must be a string")
    if not _is_int(seq) or seq < 0:
        raise WireError("envelope field 'seq' must be a non-negative integer")
    if not isinstance(body, dict):
        raise WireError("envelope field 'body' must be a map")
    if mtype not in expect:
        raise WireError(f"unexpected message type {mtype!r}; this side accepts {sorted(expect)}")
    cmd_id = env.get("cmd_id")
    if mtype == COMMAND and (not _is_int(cmd_id) or cmd_id < 0):
        raise WireError("a command needs a non-negative integer 'cmd_id'")
    msg = Message(type=mtype, seq=seq, body=body, version=(v[0], v[1]), cmd_id=cmd_id)
    if v[0] != PROTOCOL_VERSION[0]:
        raise VersionMismatch(
            f"protocol major version {v[0]} is not supported: this side speaks {PROTOCOL_VERSION[0]}.x "
            f"(received {v[0]}.{v[1]}, expected {PROTOCOL_VERSION[0]}.{PROTOCOL_VERSION[1]})"
        )
    return msg


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


class Sequencer:
    """Numbers the messages one side sends."""

    def __init__(self) -> None:
        self._seq = 0

    def make(self, mtype: str, body: dict[str, Any], *, cmd_id: int | None = None) -> Message:
        m = Message(type=mtype, seq=self._seq, body=body, cmd_id=cmd_id)
        self._seq += 1
        return m


# ----------------------------------------------------------------------------
# Commands


@dataclass(frozen=True)
class AxisCommand:
    """Set-point for one axis, as a drive's cyclic process data.

    ``position``: move to ``target`` (m or rad) with a trapezoidal profile at up
    to ``speed`` (default: the axis maximum) and with the motor's force or
    torque limited to ``force_limit`` (default: the axis maximum).
    ``hold``: hold the current set-point. ``stop``: controlled stop, then hold.
    """

    mode: str
    target: float | None = None
    speed: float | None = None
    force_limit: float | None = None

    def to_wire(self) -> dict[str, Any]:
        d: dict[str, Any] = {"mode": self.mode}
        for k in ("target", "speed", "force_limit"):
            val = getattr(self, k)
            if val is not None:
                d[k] = float(val)
        return d


@dataclass(frozen=True)
class Command:
    """One cyclic command, answering frame ``frame_seq``.

    Axes that a command omits keep their previous set-point. ``locks`` maps lock
    ids (as strings, msgpack map keys) or ``"all"`` to a lock action.
    ``float_lock`` engages or releases the rig's compliance lock (None: no
    change). ``reset_faults`` acknowledges latched drive stops and faults: after
    a stop nothing moves until a command carries it (no automatic restart).
    ``phase`` is the controller's current step, reported like a PLC's status
    word; the plant records it but never acts on it.
    """

    frame_seq: int
    phase: str
    axes: dict[str, AxisCommand] = field(default_factory=dict)
    locks: dict[str, str] = field(default_factory=dict)
    float_lock: bool | None = None
    tool: dict[str, Any] = field(default_factory=dict)
    reset_faults: bool = False

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "frame_seq": self.frame_seq,
            "phase": self.phase,
            "axes": {k: v.to_wire() for k, v in self.axes.items()},
            "locks": dict(self.locks),
            "reset_faults": self.reset_faults,
        }
        if self.float_lock is not None:
            body["float_lock"] = self.float_lock
        if self.tool:
            body["tool"] = dict(self.tool)
        return body


def parse_command(  # noqa: C901 (split in the redesign)
    body: dict[str, Any],
    *,
    axis_names: frozenset[str],
    lock_ids: frozenset[str],
    tools: dict[str, frozenset[str]] | None = None,
) -> Command:
    """Check a command body against the station's axes, locks and tool commands
    (``tools``: tool name -> allowed values, from the station description)."""
    frame_seq = body.get("frame_seq")
    if not _is_int(frame_seq) or frame_seq < 0:
        raise WireError("command.frame_seq must be a non-negative integer")
    phase = body.get("phase", "")
    if not isinstance(phase, str) or len(phase) > 64:
        raise WireError("command.phase must be a string of at most 64 characters")
    raw_axes = body.get("axes", {})
    if not isinstance(raw_axes, dict):
        raise WireError("command.axes must be a map")
    axes: dict[str, AxisCommand] = {}
    for name, a in raw_axes.items():
        if name not in axis_names:
            raise WireError(f"command.axes: unknown axis {name!r}; the station has {sorted(axis_names)}")
        if not isinstance(a, dict):
            raise WireError(f"command.axes.{name} must be a map")
        mode = a.get("mode")
        if mode not in AXIS_MODES:
            raise WireError(f"command.axes.{name}.mode must be one of {sorted(AXIS_MODES)}, got {mode!r}")
        vals = {}
        for k in ("target", "speed", "force_limit"):
            if k in a:
                if not _is_num(a[k]):
                    raise WireError(f"command.axes.{name}.{k} must be a finite number, got {a[k]!r}")
                vals[k] = float(a[k])
        if mode == MODE_POSITION and "target" not in vals:
            raise WireError(f"command.axes.{name}: mode 'position' needs a target")
        for k in ("speed", "force_limit"):
            if k in vals and vals[k] <= 0:
                raise WireError(f"command.axes.{name}.{k} must be positive")
        axes[name] = AxisCommand(mode=mode, **vals)
    raw_locks = body.get("locks", {})
    if not isinstance(raw_locks, dict):
        raise WireError("command.locks must be a map")
    locks: dict[str, str] = {}
    for lid, action in raw_locks.items():
        if lid != "all" and lid not in lock_ids:
            raise WireError(f"command.locks: unknown lock {lid!r}; the station has {sorted(lock_ids)} or 'all'")
        if action not in LOCK_ACTIONS:
            raise WireError(f"command.locks.{lid} must be one of {sorted(LOCK_ACTIONS)}, got {action!r}")
        locks[lid] = action
    float_lock = body.get("float_lock")
    if float_lock is not None and not isinstance(float_lock, bool):
        raise WireError("command.float_lock must be true, false or absent")
    tool = body.get("tool", {})
    if not isinstance(tool, dict):
        raise WireError("command.tool must be a map")
    tools = tools or {}
    for name, value in tool.items():
        if name not in tools:
            raise WireError(f"command.tool: unknown tool {name!r}; the station has {sorted(tools) or 'none'}")
        if value not in tools[name]:
            raise WireError(f"command.tool.{name} must be one of {sorted(tools[name])}, got {value!r}")
    reset = body.get("reset_faults", False)
    if not isinstance(reset, bool):
        raise WireError("command.reset_faults must be true or false")
    return Command(
        frame_seq=frame_seq, phase=phase, axes=axes, locks=locks, float_lock=float_lock, tool=tool, reset_faults=reset
    )


# ----------------------------------------------------------------------------
# Handshake and frames


def hello_body(*, client: str) -> dict[str, Any]:
    return {"client": client, "role": "controller", "protocol": list(PROTOCOL_VERSION)}


def bye_body(*, outcome: str, reason: str, phase: str, detected_by: str = "") -> dict[str, Any]:
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome {outcome!r} not in {sorted(OUTCOMES)}")
    return {"outcome": outcome, "reason": reason, "phase": phase, "detected_by": detected_by}


def check_bye(body: dict[str, Any]) -> dict[str, Any]:
    if body.get("outcome") not in OUTCOMES:
        raise WireError(f"bye.outcome must be one of {sorted(OUTCOMES)}")
    if not isinstance(body.get("reason", ""), str) or not isinstance(body.get("phase", ""), str):
        raise WireError("bye.reason and bye.phase must be strings")
    return body


def check_frame(body: dict[str, Any]) -> dict[str, Any]:
    """Minimal structural check of a frame on the controller side."""
    for k, kind in (("frame_seq", int), ("t_s", (int, float)), ("axes", dict), ("sensors", dict), ("drives", dict)):
        if not isinstance(body.get(k), kind) or isinstance(body.get(k), bool):
            raise WireError(f"frame.{k} is missing or of the wrong type")
    return body
