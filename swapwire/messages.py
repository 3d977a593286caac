"""The messages of the station protocol, typed (docs/protocol.md, sections 4 and 5).

Controller -> plant: ``hello``, ``command``, ``bye``. Plant -> controller:
``welcome`` (the station description, ``swapwire.station``), ``frame``,
``error``, ``refused``, ``end``. Each body is a dataclass; ``to_body()``
gives the map to send and ``parse_*`` / ``from_wire`` check a received one.

Units on the wire are SI: m, rad, s, N, N*m, Pa, kg.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from swapwire.codec import PROTOCOL_VERSION
from swapwire.errors import Code, VersionMismatch, WireError, shown
from swapwire.typed import from_wire, to_wire, wfield

# Controller (or engineer) -> plant
HELLO = "hello"
COMMAND = "command"
HEARTBEAT = "heartbeat"
BYE = "bye"
ENGINEER = "engineer"
# Plant -> controller (or engineer)
WELCOME = "welcome"
REFUSED = "refused"
FRAME = "frame"
ERROR = "error"
END = "end"
ACK = "ack"

CONTROLLER_TYPES = frozenset({HELLO, COMMAND, HEARTBEAT, BYE, ENGINEER})
PLANT_TYPES = frozenset({WELCOME, REFUSED, FRAME, ERROR, END, ACK})
ROLE_CONTROLLER = "controller"
MAX_PHASES = 64

# Axis command modes (``AxisCommand``).
MODE_POSITION: Final = "position"
MODE_HOLD: Final = "hold"
MODE_STOP: Final = "stop"
AxisMode = Literal["position", "hold", "stop"]
AXIS_MODES = frozenset({MODE_POSITION, MODE_HOLD, MODE_STOP})

# Lock actions: level-triggered states, so a repeated command does not act twice.
LOCK_ENGAGE: Final = "engage"
LOCK_RELEASE: Final = "release"
LOCK_HOLD: Final = "hold"
LockAction = Literal["engage", "release", "hold"]
LOCK_ACTIONS = frozenset({LOCK_ENGAGE, LOCK_RELEASE, LOCK_HOLD})
ALL_LOCKS = "all"

# Drive states reported in every frame.
DRIVE_HOLDING: Final = "holding"  # before the first valid command: holds position
DRIVE_ACTIVE: Final = "active"
DRIVE_STOPPING: Final = "stopping"  # controlled stop in progress
DRIVE_STOPPED: Final = "stopped"  # latched after a stop; needs ``reset_faults``
DRIVE_FAULT: Final = "fault"  # latched (e.g. following error); needs ``reset_faults``
DriveState = Literal["holding", "active", "stopping", "stopped", "fault"]

# Outcomes a controller reports in ``bye``.
OUTCOME_DONE: Final = "done"
OUTCOME_REFUSED: Final = "refused"
OUTCOME_SAFE_STOP: Final = "safe_stop"
Outcome = Literal["done", "refused", "safe_stop"]
OUTCOMES = frozenset({OUTCOME_DONE, OUTCOME_REFUSED, OUTCOME_SAFE_STOP})

MAX_PHASE_CHARS = 64
MAX_CLIENT_CHARS = 80


def _finite(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


# -- controller -> plant ----------------------------------------------------------------------
@dataclass(frozen=True)
class Hello:
    """Opens a session, or resumes one from a new connection (``resume``)."""

    client: str = wfield("", doc="free text naming the controller (at most 80 characters are kept)")
    role: str = wfield(ROLE_CONTROLLER, doc='"controller": the command link serves controllers')
    protocol: list[int] = wfield(factory=lambda: list(PROTOCOL_VERSION), doc="[major, minor], as the envelope's v")
    phases: list[str] = wfield(
        factory=list, doc="(1.2) the phases the controller will report, in order; the last is its final phase"
    )
    resume: str | None = wfield(
        None, doc="(1.2) the session token of the welcome: take the session over", omit_none=True
    )

    def to_body(self) -> dict[str, Any]:
        return to_wire(self)


def parse_hello(body: dict[str, Any]) -> Hello:
    """Check a hello body. Its ``protocol`` must be [major, minor] of our major
    version (``VersionMismatch`` otherwise, answered with ``refused``)."""
    hello = from_wire(Hello, body, where="hello", code=Code.INVALID_HELLO)
    if len(hello.protocol) != 2:
        raise WireError("hello.protocol must be [major, minor]", code=Code.INVALID_HELLO)
    if hello.protocol[0] != PROTOCOL_VERSION[0]:
        raise VersionMismatch(
            f"hello.protocol {hello.protocol[0]}.{hello.protocol[1]}: this plant speaks {PROTOCOL_VERSION[0]}.x"
        )
    if len(hello.phases) > MAX_PHASES or any(len(p) > MAX_PHASE_CHARS or not p for p in hello.phases):
        raise WireError(
            f"hello.phases: at most {MAX_PHASES} names of 1 to {MAX_PHASE_CHARS} characters", code=Code.INVALID_HELLO
        )
    if hello.resume is not None and len(hello.resume) > 64:
        raise WireError("hello.resume: a session token is at most 64 characters", code=Code.INVALID_HELLO)
    return Hello(
        client=hello.client[:MAX_CLIENT_CHARS],
        role=hello.role,
        protocol=hello.protocol,
        phases=hello.phases,
        resume=hello.resume,
    )


@dataclass(frozen=True)
class SessionGrant:
    """(1.2) What a welcome grants: the session's token (a reconnect presents it in
    ``hello.resume``) and how often an idle controller must show it is alive."""

    token: str = wfield(doc="opaque; take the session over from a new connection with it")
    heartbeat_period_s: float = wfield(unit="s", doc="an idle controller sends a heartbeat at least this often")
    session_timeout_s: float = wfield(
        unit="s", doc="wall time without any message of the controller's before link_lost"
    )


@dataclass(frozen=True)
class Welcome:
    station: dict[str, Any] = wfield(doc="the station description (section 5)")
    protocol: list[int] = wfield(doc="the plant's [major, minor]")
    session: SessionGrant | None = wfield(None, doc="(1.2) the session's token and timing", omit_none=True)

    def to_body(self) -> dict[str, Any]:
        return to_wire(self)


def parse_welcome(body: dict[str, Any]) -> Welcome:
    return from_wire(Welcome, body, where="welcome")


@dataclass(frozen=True)
class Engineering:
    """(1.2) An engineer's action on the running plant (engineer role, with security):
    ``inject`` a fault (a fault config, ``configs/fault/*.yaml``'s schema), or
    ``reset``: end the session and start the next from the scenario's start."""

    action: Literal["inject", "reset"] = wfield(doc='"inject" or "reset"')
    fault: dict[str, Any] = wfield(factory=dict, doc="inject: the fault, as a fault config file holds it")

    def to_body(self) -> dict[str, Any]:
        return to_wire(self)


def parse_engineering(body: dict[str, Any]) -> Engineering:
    return from_wire(Engineering, body, where="engineer", code=Code.INVALID_ENGINEERING)


@dataclass(frozen=True)
class Ack:
    """(1.2) The engineering message with ``seq`` ``ref_seq`` was carried out."""

    ref_seq: int = wfield(doc="seq of the engineering message")
    detail: str = wfield("", doc="what was done, in words")

    def to_body(self) -> dict[str, Any]:
        return to_wire(self)


@dataclass(frozen=True, slots=True)
class AxisCommand:
    """Set-point for one axis, as a drive's cyclic process data.

    ``position``: move to ``target`` with a trapezoidal profile at up to ``speed``
    (default: the axis maximum), the motor's force or torque capped at
    ``force_limit`` (default: the axis rating). ``hold``: hold the current
    set-point. ``stop``: controlled stop, then hold.
    """

    mode: AxisMode = wfield(doc='"position", "hold" or "stop"')
    target: float | None = wfield(
        None, unit="m or rad", doc="required for position; clipped to the soft limits", omit_none=True
    )
    speed: float | None = wfield(
        None, unit="m/s or rad/s", doc="> 0; profile speed; default and cap: the axis maximum", omit_none=True
    )
    force_limit: float | None = wfield(
        None, unit="N or N*m", doc="> 0; motor force or torque cap; default and cap: the axis rating", omit_none=True
    )

    def to_wire(self) -> dict[str, Any]:
        d: dict[str, Any] = {"mode": self.mode}
        for k in ("target", "speed", "force_limit"):
            val = getattr(self, k)
            if val is not None:
                d[k] = float(val)
        return d


@dataclass(frozen=True)
class Command:
    """One cyclic command, answering frame ``frame_seq`` (the envelope carries ``cmd_id``).

    Axes a command omits keep their previous set-point. ``locks`` maps lock ids
    (strings) or ``"all"`` to a lock action. ``float_lock`` engages or releases
    the rig's compliance lock (None: no change). ``reset_faults`` acknowledges
    latched drive stops and faults: after a stop nothing moves until a command
    carries it. ``phase`` is the controller's current step, reported like a
    PLC's status word; the plant records it and never acts on it.
    """

    frame_seq: int = wfield(doc="the frame this command answers")
    phase: str = wfield(doc="at most 64 characters")
    axes: dict[str, AxisCommand] = wfield(factory=dict, doc="axis name -> axis command")
    locks: dict[str, str] = wfield(factory=dict, doc='lock id or "all" -> "engage", "release" or "hold"')
    float_lock: bool | None = wfield(None, doc="optional: engage (true) or release (false) the float's centring lock")
    tool: dict[str, Any] = wfield(
        factory=dict, doc="optional: tool name -> one of its values in the description's tools"
    )
    reset_faults: bool = wfield(False, doc="acknowledge latched drive stops and faults")

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


@dataclass(frozen=True)
class CommandRules:
    """What a station accepts in a command: its axes, its locks, its tools and their values."""

    axis_names: frozenset[str]
    lock_ids: frozenset[str]
    tools: dict[str, frozenset[str]] = field(default_factory=dict)
    phases: frozenset[str] = frozenset()  # the phases the controller declared (empty: none declared, any name)


def _axis_command(name: str, a: Any) -> AxisCommand:
    if not isinstance(a, dict):
        raise WireError(f"command.axes.{name} must be a map, got {shown(a)}", code=Code.INVALID_COMMAND)
    mode = a.get("mode")
    if not isinstance(mode, str) or mode not in AXIS_MODES:
        raise WireError(
            f"command.axes.{name}.mode must be one of {sorted(AXIS_MODES)}, got {shown(mode)}",
            code=Code.INVALID_COMMAND,
        )
    vals = {}
    for k in ("target", "speed", "force_limit"):
        if k in a:
            if not _finite(a[k]):
                raise WireError(
                    f"command.axes.{name}.{k} must be a finite number, got {shown(a[k])}", code=Code.INVALID_COMMAND
                )
            vals[k] = float(a[k])
    if mode == MODE_POSITION and "target" not in vals:
        raise WireError(f"command.axes.{name}: mode 'position' needs a target", code=Code.INVALID_COMMAND)
    for k in ("speed", "force_limit"):
        if k in vals and vals[k] <= 0:
            raise WireError(f"command.axes.{name}.{k} must be positive", code=Code.INVALID_COMMAND)
    return AxisCommand(mode=mode, **vals)  # type: ignore[arg-type]  # checked against AXIS_MODES above


def _names(names: frozenset[str] | dict, extra: str = "") -> str:
    return f"the station has {sorted(names) or 'none'}{extra}"


def _command_axes(raw: Any, rules: CommandRules) -> dict[str, AxisCommand]:
    if not isinstance(raw, dict):
        raise WireError("command.axes must be a map", code=Code.INVALID_COMMAND)
    axes = {}
    for name, a in raw.items():
        if name not in rules.axis_names:
            raise WireError(
                f"command.axes: unknown axis {shown(name)}; {_names(rules.axis_names)}", code=Code.UNKNOWN_AXIS
            )
        axes[name] = _axis_command(name, a)
    return axes


def _command_locks(raw: Any, rules: CommandRules) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise WireError("command.locks must be a map", code=Code.INVALID_COMMAND)
    locks = {}
    for lid, action in raw.items():
        if lid != ALL_LOCKS and lid not in rules.lock_ids:
            raise WireError(
                f"command.locks: unknown lock {shown(lid)}; {_names(rules.lock_ids, ' or all')}", code=Code.UNKNOWN_LOCK
            )
        if not isinstance(action, str) or action not in LOCK_ACTIONS:
            raise WireError(
                f"command.locks.{lid} must be one of {sorted(LOCK_ACTIONS)}, got {shown(action)}",
                code=Code.INVALID_COMMAND,
            )
        locks[lid] = action
    return locks


def _command_phase(phase: Any, rules: CommandRules) -> str:
    if not isinstance(phase, str) or len(phase) > MAX_PHASE_CHARS:
        raise WireError(
            f"command.phase must be a string of at most {MAX_PHASE_CHARS} characters", code=Code.INVALID_COMMAND
        )
    if rules.phases and phase not in rules.phases:
        raise WireError(
            f"command.phase {shown(phase)} is not one of the phases the hello declared", code=Code.UNKNOWN_PHASE
        )
    return phase


def _command_tool(raw: Any, rules: CommandRules) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise WireError("command.tool must be a map", code=Code.INVALID_COMMAND)
    for name, value in raw.items():
        if name not in rules.tools:
            raise WireError(f"command.tool: unknown tool {shown(name)}; {_names(rules.tools)}", code=Code.UNKNOWN_TOOL)
        allowed = rules.tools[name]
        if not isinstance(value, str | int | float | bool) or value not in allowed:
            raise WireError(
                f"command.tool.{name} must be one of {sorted(allowed)}, got {shown(value)}", code=Code.INVALID_COMMAND
            )
    return dict(raw)


def parse_command(body: dict[str, Any], rules: CommandRules) -> Command:
    """Check a command body against the station's axes, locks and tools."""
    frame_seq = body.get("frame_seq")
    if not isinstance(frame_seq, int) or isinstance(frame_seq, bool) or frame_seq < 0:
        raise WireError("command.frame_seq must be a non-negative integer", code=Code.INVALID_COMMAND)
    phase = _command_phase(body.get("phase", ""), rules)
    float_lock = body.get("float_lock")
    if float_lock is not None and not isinstance(float_lock, bool):
        raise WireError("command.float_lock must be true, false or absent", code=Code.INVALID_COMMAND)
    reset = body.get("reset_faults", False)
    if not isinstance(reset, bool):
        raise WireError("command.reset_faults must be true or false", code=Code.INVALID_COMMAND)
    return Command(
        frame_seq=frame_seq,
        phase=phase,
        axes=_command_axes(body.get("axes", {}), rules),
        locks=_command_locks(body.get("locks", {}), rules),
        float_lock=float_lock,
        tool=_command_tool(body.get("tool", {}), rules),
        reset_faults=reset,
    )


@dataclass(frozen=True)
class Bye:
    """Ends the session with the controller's outcome; the plant answers ``end``."""

    outcome: Outcome = wfield(doc='"done", "refused" or "safe_stop"')
    reason: str = wfield("", doc="in words")
    phase: str = wfield("", doc="where the controller was")
    detected_by: str = wfield("", doc="the check that ended the swap (empty when done)")

    def to_body(self) -> dict[str, Any]:
        return to_wire(self)


def parse_bye(body: dict[str, Any]) -> Bye:
    return from_wire(Bye, body, where="bye", code=Code.INVALID_BYE)


# -- plant -> controller ------------------------------------------------------------------------
@dataclass(frozen=True)
class ErrorBody:
    """The message with ``seq`` ``ref_seq`` was rejected; nothing else changed."""

    reason: str = wfield(doc="what was wrong, in words")
    ref_seq: int | None = wfield(None, doc="seq of the rejected message (null if it could not be read)")
    code: str = wfield(Code.MALFORMED.value, doc="machine-readable: one of the codes of section 7")

    def to_body(self) -> dict[str, Any]:
        return {"reason": self.reason, "ref_seq": self.ref_seq, "code": str(self.code)}


@dataclass(frozen=True)
class Refused:
    """The sender may not use this plant now: another major version, the session
    belongs to another controller (busy), or the sender's role may not open one."""

    reason: str = wfield(doc="in words")
    code: str = wfield(Code.BUSY.value, doc='"version", "busy" or "role"')
    protocol: list[int] | None = wfield(None, doc="the plant's [major, minor] (with code version)", omit_none=True)
    ref_seq: int | None = wfield(None, doc="(1.2) seq of the refused message (null if it could not be read)")

    def to_body(self) -> dict[str, Any]:
        return to_wire(self)


@dataclass(frozen=True)
class End:
    """The session is over."""

    reason: str = wfield(
        doc="bye, truncated, link_lost, interrupted, no_controller, reset, station_lost, station_error"
    )
    t_s: float = wfield(unit="s", doc="plant time at the end")

    def to_body(self) -> dict[str, Any]:
        return {"reason": self.reason, "t_s": self.t_s}


def parse_end(body: dict[str, Any]) -> End:
    return from_wire(End, body, where="end")


def parse_error(body: dict[str, Any]) -> ErrorBody:
    return from_wire(ErrorBody, body, where="error")


def parse_refused(body: dict[str, Any]) -> Refused:
    return from_wire(Refused, body, where="refused")


__all__ = [
    "ACK", "ALL_LOCKS", "AXIS_MODES", "BYE", "COMMAND", "ENGINEER", "HEARTBEAT", "ROLE_CONTROLLER", "MAX_PHASES",
    "Ack", "Engineering", "SessionGrant", "Welcome", "parse_engineering", "parse_welcome", "CONTROLLER_TYPES",
    "DRIVE_ACTIVE", "DRIVE_FAULT", "DRIVE_HOLDING",
    "DRIVE_STOPPED", "DRIVE_STOPPING", "END", "ERROR", "FRAME", "HELLO", "LOCK_ACTIONS", "LOCK_ENGAGE", "LOCK_HOLD",
    "LOCK_RELEASE", "MAX_CLIENT_CHARS", "MAX_PHASE_CHARS", "MODE_HOLD", "MODE_POSITION", "MODE_STOP", "OUTCOMES",
    "OUTCOME_DONE", "OUTCOME_REFUSED", "OUTCOME_SAFE_STOP", "PLANT_TYPES", "REFUSED", "WELCOME", "AxisCommand",
    "AxisMode", "Bye", "Command", "CommandRules", "DriveState", "End", "ErrorBody", "Hello", "LockAction", "Outcome",
    "Refused", "parse_bye", "parse_command", "parse_end", "parse_error", "parse_hello", "parse_refused",
]  # fmt: skip
