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
from swapwire.errors import Code, WireError, shown
from swapwire.typed import from_wire, to_wire, wfield

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
    """Opens a session."""

    client: str = wfield("", doc="free text naming the controller (at most 80 characters are kept)")
    role: str = wfield("controller", doc='"controller"')
    protocol: list[int] = wfield(factory=lambda: list(PROTOCOL_VERSION), doc="[major, minor], as the envelope's v")

    def to_body(self) -> dict[str, Any]:
        return to_wire(self)


def parse_hello(body: dict[str, Any]) -> Hello:
    hello = from_wire(Hello, body, where="hello", code=Code.INVALID_HELLO)
    return Hello(client=hello.client[:MAX_CLIENT_CHARS], role=hello.role, protocol=hello.protocol)


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
    phase = body.get("phase", "")
    if not isinstance(phase, str) or len(phase) > MAX_PHASE_CHARS:
        raise WireError(
            f"command.phase must be a string of at most {MAX_PHASE_CHARS} characters", code=Code.INVALID_COMMAND
        )
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
    code: str = wfield(Code.MALFORMED.value, doc="machine-readable: one of the codes of section 5")

    def to_body(self) -> dict[str, Any]:
        return {"reason": self.reason, "ref_seq": self.ref_seq, "code": str(self.code)}


@dataclass(frozen=True)
class Refused:
    """The handshake was refused (another major version, or busy)."""

    reason: str = wfield(doc="in words")
    code: str = wfield(Code.BUSY.value, doc='"version" or "busy"')
    protocol: list[int] | None = wfield(None, doc="the plant's [major, minor] (with code version)", omit_none=True)

    def to_body(self) -> dict[str, Any]:
        return to_wire(self)


@dataclass(frozen=True)
class End:
    """The session is over."""

    reason: str = wfield(doc="bye, truncated, link_lost, interrupted, no_controller, station_lost")
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
    "ALL_LOCKS", "AXIS_MODES", "BYE", "COMMAND", "CONTROLLER_TYPES", "DRIVE_ACTIVE", "DRIVE_FAULT", "DRIVE_HOLDING",
    "DRIVE_STOPPED", "DRIVE_STOPPING", "END", "ERROR", "FRAME", "HELLO", "LOCK_ACTIONS", "LOCK_ENGAGE", "LOCK_HOLD",
    "LOCK_RELEASE", "MAX_CLIENT_CHARS", "MAX_PHASE_CHARS", "MODE_HOLD", "MODE_POSITION", "MODE_STOP", "OUTCOMES",
    "OUTCOME_DONE", "OUTCOME_REFUSED", "OUTCOME_SAFE_STOP", "PLANT_TYPES", "REFUSED", "WELCOME", "AxisCommand",
    "AxisMode", "Bye", "Command", "CommandRules", "DriveState", "End", "ErrorBody", "Hello", "LockAction", "Outcome",
    "Refused", "parse_bye", "parse_command", "parse_end", "parse_error", "parse_hello", "parse_refused",
]  # fmt: skip
