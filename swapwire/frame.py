"""A frame: what the station's I/O reads, each control period.

The plant builds a ``Frame`` and sends ``to_body()``; a controller reads a
received body with a ``FrameReader`` made from the station description, which
checks every declared sensor's reading by its kind, once, at the edge.
Sensors are keyed by their declared (possibly dotted) names in ``Frame.sensors``;
on the wire a dotted name nests (``spreader.landed`` is ``sensors.spreader.landed``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from swapwire.codec import is_int
from swapwire.errors import WireError, shown
from swapwire.messages import DRIVE_FAULT, DRIVE_STOPPED, DRIVE_STOPPING
from swapwire.sensors import VISION_FIELDS, SensorInfo
from swapwire.typed import wfield

TwoChannel = tuple[bool, bool]
_DRIVE_STATES = frozenset({"holding", "active", "stopping", "stopped", "fault"})


@dataclass(frozen=True, slots=True)
class AxisState:
    """One axis, as its drive reports it."""

    pos: float = wfield(unit="m or rad", doc="encoder position, quantised")
    vel: float = wfield(unit="m/s or rad/s")
    force: float = wfield(unit="N or N*m", doc="motor effort")
    state: str = wfield(doc="holding, active, stopping, stopped or fault")
    settled: bool = wfield(doc="the set-point is at rest on its target (not: the axis is in position)")

    @property
    def latched(self) -> bool:
        return self.state in (DRIVE_STOPPED, DRIVE_FAULT)


@dataclass(frozen=True, slots=True)
class DriveReport:
    state: str = wfield(doc="the least-progressed of the axes: fault > stopping > stopped > active > holding")
    missed_periods: int = wfield(doc="periods without a valid command since the last one")
    reasons: tuple[str, ...] = wfield(doc="why a drive stopped or faulted")

    @property
    def stopped(self) -> bool:
        return self.state in (DRIVE_FAULT, DRIVE_STOPPED, DRIVE_STOPPING)


@dataclass(frozen=True, slots=True)
class VisionReading:
    valid: bool
    x: float = 0.0
    y: float = 0.0
    z: float = 0.0
    yaw: float = 0.0


@dataclass(frozen=True)
class Frame:
    frame_seq: int = wfield(doc="from 0")
    t_s: float = wfield(unit="s", doc="plant time at this frame")
    axes: dict[str, AxisState] = wfield(doc="axis name -> its state")
    drives: DriveReport = wfield()
    sensors: dict[str, Any] = wfield(doc="sensor name -> reading (section 5's kinds)")
    last_cmd_id: int | None = wfield(doc="the last executed cmd_id (null before the first)")
    missed_periods_total: int = wfield(0, doc="missed periods in the whole session")

    def to_body(self) -> dict[str, Any]:
        sensors: dict[str, Any] = {}
        for name, value in self.sensors.items():
            *groups, key = name.split(".")
            at = sensors
            for g in groups:
                at = at.setdefault(g, {})
            at[key] = _reading_to_wire(value)
        return {
            "frame_seq": self.frame_seq,
            "t_s": self.t_s,
            "axes": {
                n: {"pos": a.pos, "vel": a.vel, "force": a.force, "state": a.state, "settled": a.settled}
                for n, a in self.axes.items()
            },
            "drives": {
                "state": self.drives.state,
                "missed_periods": self.drives.missed_periods,
                "reasons": list(self.drives.reasons),
            },
            "sensors": sensors,
            "last_cmd_id": self.last_cmd_id,
            "missed_periods_total": self.missed_periods_total,
        }


def _reading_to_wire(value: Any) -> Any:
    if isinstance(value, VisionReading):
        return {"valid": value.valid, "x": value.x, "y": value.y, "z": value.z, "yaw": value.yaw}
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict):
        return {k: _reading_to_wire(v) for k, v in value.items()}
    return value


# -- reading a frame ------------------------------------------------------------------------------
def _bad(path: str, what: str, value: Any) -> WireError:
    return WireError(f"frame.{path} must be {what}, got {shown(value)}")


def _number(v: Any, path: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise _bad(path, "a finite number", v)
    return float(v)


def _pair(v: Any, path: str) -> TwoChannel:
    if not (isinstance(v, list) and len(v) == 2 and isinstance(v[0], bool) and isinstance(v[1], bool)):
        raise _bad(path, "[A, B] of two booleans", v)
    return (v[0], v[1])


def _read_switch(v: Any, path: str, info: SensorInfo, groups: dict) -> bool:
    if not isinstance(v, bool):
        raise _bad(path, "true or false", v)
    return v


def _read_pair(v: Any, path: str, info: SensorInfo, groups: dict) -> TwoChannel:
    return _pair(v, path)


def _read_scalar(v: Any, path: str, info: SensorInfo, groups: dict) -> float | None:
    return None if v is None else _number(v, path)


def _read_scalars(v: Any, path: str, info: SensorInfo, groups: dict) -> list[float] | None:
    if v is None:
        return None
    if not isinstance(v, list) or len(v) != info.channels:
        raise _bad(path, f"a list of {info.channels} numbers or null", v)
    return [_number(x, f"{path}[{i}]") for i, x in enumerate(v)]


_IDENTITY_MAX = 128


def _read_identity(v: Any, path: str, info: SensorInfo, groups: dict) -> str | None:
    if v is None:
        return None
    if not isinstance(v, str) or not 0 < len(v) <= _IDENTITY_MAX:
        raise _bad(path, f"an identity string of 1 to {_IDENTITY_MAX} characters or null", v)
    return v


def _read_vision(v: Any, path: str, info: SensorInfo, groups: dict) -> VisionReading:
    if not isinstance(v, dict) or not isinstance(v.get("valid"), bool):
        raise _bad(path, "a vision map with a boolean valid", v)
    return VisionReading(v["valid"], *(_number(v.get(k), f"{path}.{k}") for k in VISION_FIELDS[1:]))


def _read_lock_status(v: Any, path: str, info: SensorInfo, groups: dict) -> dict[str, dict[str, TwoChannel]]:
    ids, channels = groups[info.lock_group]
    if not isinstance(v, dict):
        raise _bad(path, "a map of lock id -> channels", v)
    out = {}
    for lid in ids:
        chans = v.get(lid)
        if not isinstance(chans, dict):
            raise _bad(f"{path}.{lid}", "a map of channel -> [A, B]", chans)
        out[lid] = {c: _pair(chans.get(c), f"{path}.{lid}.{c}") for c in channels}
    return out


_READERS = {
    "switch": _read_switch,
    "two_channel": _read_pair,
    "scalar": _read_scalar,
    "scalars": _read_scalars,
    "identity": _read_identity,
    "vision": _read_vision,
    "lock_status": _read_lock_status,
}


class FrameReader:
    """Checks received frames against a station description's declared sensors.

    ``lock_groups``: description key -> (lock ids, status channel names), for
    the ``lock_status`` sensors."""

    def __init__(
        self, sensors: dict[str, SensorInfo], axes: list[str], lock_groups: dict[str, tuple[list[str], list[str]]]
    ):
        self.axes = list(axes)
        self.groups = dict(lock_groups)
        self.sensors = [(name, tuple(name.split(".")), info, _READERS[info.kind]) for name, info in sensors.items()]
        missing = {str(i.lock_group) for _, _, i, _ in self.sensors if i.kind == "lock_status"} - set(self.groups)
        if missing:
            raise WireError(
                f"station description: lock_status sensors name lock groups it does not describe: {sorted(missing)}"
            )

    def read(self, body: dict[str, Any]) -> Frame:
        seq, t = body.get("frame_seq"), body.get("t_s")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            raise _bad("frame_seq", "a non-negative integer", seq)
        raw_axes, raw_sensors, drives = body.get("axes"), body.get("sensors"), body.get("drives")
        if not isinstance(raw_axes, dict) or not isinstance(raw_sensors, dict) or not isinstance(drives, dict):
            raise WireError("frame: axes, sensors and drives must be maps")
        axes = {name: self._axis(raw_axes.get(name), f"axes.{name}") for name in self.axes}
        sensors = {}
        for name, path, info, reader in self.sensors:
            v: Any = raw_sensors
            for key in path:
                v = v.get(key) if isinstance(v, dict) else None
            sensors[name] = reader(v, f"sensors.{name}", info, self.groups)
        state, missed = drives.get("state"), drives.get("missed_periods")
        reasons = drives.get("reasons", [])
        if (
            not isinstance(state, str)
            or state not in _DRIVE_STATES
            or not isinstance(missed, int)
            or isinstance(missed, bool)
        ):
            raise WireError("frame.drives: state must be a drive state and missed_periods an integer")
        if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
            raise _bad("drives.reasons", "a list of strings", reasons)
        last, total = body.get("last_cmd_id"), body.get("missed_periods_total", 0)
        if (last is not None and not is_int(last)) or not is_int(total):
            raise WireError("frame: last_cmd_id and missed_periods_total must be integers")
        return Frame(
            frame_seq=seq,
            t_s=_number(t, "t_s"),
            axes=axes,
            drives=DriveReport(state, missed, tuple(reasons)),
            sensors=sensors,
            last_cmd_id=last,
            missed_periods_total=total,
        )

    @staticmethod
    def _axis(a: Any, path: str) -> AxisState:
        if not isinstance(a, dict):
            raise _bad(path, "an axis map", a)
        state, settled = a.get("state"), a.get("settled")
        if not isinstance(state, str) or state not in _DRIVE_STATES or not isinstance(settled, bool):
            raise WireError(f"frame.{path}: state must be a drive state and settled a boolean")
        return AxisState(
            _number(a.get("pos"), f"{path}.pos"),
            _number(a.get("vel"), f"{path}.vel"),
            _number(a.get("force"), f"{path}.force"),
            state,
            settled,
        )
