"""The station description: what the ``welcome`` tells a controller about the station.

Common to every station: identity, clock, drives, axes, float, the vehicle's
locks, tools, vehicle, limits, sensors (each declared with its kind and unit),
the pack as the station knows it, taught positions and the session's
timeouts. A rig family adds its own top-level sections (``sections``), which
its documentation and its controller sequence define (the overhead rig's
``spreader`` lock group and ``vehicle_cradle``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from swapwire.errors import Code
from swapwire.frame import FrameReader
from swapwire.sensors import SensorInfo
from swapwire.typed import from_wire, to_wire, wfield


@dataclass(frozen=True)
class Clock:
    mode: Literal["lockstep", "realtime"] = wfield(doc="section 3.1")
    control_period_s: float = wfield(unit="s", doc="plant time between frames")


@dataclass(frozen=True)
class DrivesInfo:
    command_timeout_periods: int = wfield(doc="periods without a valid command before a controlled stop (section 3.3)")
    on_timeout: str = wfield(doc="what the drives do then, in words")


@dataclass(frozen=True)
class SessionInfo:
    """The plant's timeouts, so a controller need not guess them."""

    link_timeout_s: float = wfield(
        unit="s", doc="lockstep: wall time a period waits for its command before it counts as missed"
    )
    session_timeout_s: float = wfield(
        unit="s", doc="wall time without any message from the controller before the session ends (link_lost)"
    )
    realtime_max_lag_s: float | None = wfield(
        None,
        unit="s",
        doc="(1.2) realtime: a plant behind its clock by more drops the lag (an overrun) instead of catching up",
    )
    realtime_answer_window_s: float | None = wfield(
        None,
        unit="s",
        doc=(
            "(1.2) realtime: a command answering a frame within this of its sending is applied in that frame's "
            "period, however late the plant is"
        ),
    )


@dataclass(frozen=True)
class AxisInfo:
    name: str = wfield()
    unit: Literal["m", "rad"] = wfield(doc="of positions")
    lower: float = wfield(unit="m or rad", doc="soft limit")
    upper: float = wfield(unit="m or rad", doc="soft limit")
    home: float = wfield(unit="m or rad")
    max_speed: float = wfield(unit="m/s or rad/s")
    max_accel: float = wfield(unit="m/s^2 or rad/s^2")
    max_force: float = wfield(unit="N or N*m", doc="rating")
    force_unit: str = wfield(doc="N or N*m")
    encoder_resolution: float = wfield(unit="m or rad")
    following_error_limit: float = wfield(unit="m or rad", doc="beyond it the drive latches fault")


@dataclass(frozen=True)
class FloatInfo:
    range: float = wfield(unit="m", doc="the float's travel either way")
    lock_time_s: float = wfield(unit="s", doc="to engage or release its centring lock")


@dataclass(frozen=True)
class LockGroup:
    """A set of locks of one type, as commands address them and frames report them.

    ``engaged_when`` and ``released_when`` say which status channels, all on
    both channels, confirm the lock engaged or released; ``after_engage`` says
    whether a controller closes the circuit once engaged (``hold``: a
    hydraulic valve) or keeps commanding ``engage`` (a power-to-hold latch)."""

    type: str = wfield(doc="lock type: hydraulic_pin, em_latch, mech_clip, twist_lock, ...")
    count: int = wfield()
    ids: list[str] = wfield(doc="lock ids, as command keys and frame keys")
    channels: dict[str, int] = wfield(doc="status channel name -> 2 (each read on two channels)")
    engage_time_s: float = wfield(unit="s", doc="nominal time to engage")
    engaged_when: dict[str, bool] = wfield(
        factory=dict, doc="channel -> value that, on both channels, confirms engaged"
    )
    released_when: dict[str, bool] = wfield(
        factory=dict, doc="channel -> value that, on both channels, confirms released"
    )
    after_engage: Literal["hold", "engage"] = wfield("hold", doc="the command once engaged is confirmed")


@dataclass(frozen=True)
class VehicleInfo:
    vehicle_id: str = wfield(doc="as the lane reads it (VIN or tag)")
    model: str = wfield()
    vehicle_class: str = wfield(name="class", doc="car, truck, ...")
    registered_pack_family: str | None = wfield(None, doc="the pack family the vehicle is registered for")


@dataclass(frozen=True)
class Limits:
    payload_kg: float = wfield(unit="kg", doc="the rig's rated payload")
    swap_time_limit_s: float = wfield(unit="s", doc="the vehicle class's swap time limit")


@dataclass(frozen=True)
class PackInfo:
    """What the station knows of the pack: its tag, and the family's nominal data looked up from it."""

    family_id: str = wfield(doc="as read from the pack's tag (may differ from the vehicle's registered family)")
    mass_kg: float = wfield(unit="kg")
    length: float = wfield(unit="m")
    width: float = wfield(unit="m")
    height: float = wfield(unit="m")
    features: dict[str, Any] = wfield(factory=dict, flatten=True, doc="form-specific dimensions (m)")


@dataclass(frozen=True, kw_only=True)
class StationDescription:
    station_id: str = wfield()
    rig_family: str = wfield(doc="under_chassis, overhead, ...")
    clock: Clock = wfield()
    drives: DrivesInfo = wfield()
    axes: list[AxisInfo] = wfield()
    float_: FloatInfo = wfield(name="float", doc="the tool's compliant float")
    locks: LockGroup = wfield(doc="the vehicle's locks")
    tools: dict[str, list[str]] = wfield(factory=dict, doc="tool name -> allowed values for a command's tool map")
    vehicle: VehicleInfo = wfield()
    limits: Limits = wfield()
    sensors: dict[str, SensorInfo] = wfield(doc="sensor name -> its declaration (section 5)")
    pack: PackInfo = wfield()
    positions: dict[str, Any] = wfield(factory=dict, doc="taught positions, defined by the rig family")
    session: SessionInfo | None = wfield(None, doc="the plant's timeouts", omit_none=True)
    sections: dict[str, Any] = wfield(factory=dict, flatten=True, doc="the rig family's own sections")

    def to_body(self) -> dict[str, Any]:
        return to_wire(self)

    @property
    def axis_names(self) -> list[str]:
        return [a.name for a in self.axes]

    def axis(self, name: str) -> AxisInfo:
        return next(a for a in self.axes if a.name == name)

    def lock_groups(self) -> dict[str, LockGroup]:
        """Every lock group: the vehicle's (``locks``) and those in rig sections."""
        groups = {"locks": self.locks}
        for key, section in self.sections.items():
            if isinstance(section, dict) and {"type", "ids", "channels"} <= set(section):
                groups[key] = from_wire(LockGroup, section, where=key)
        return groups

    def frame_reader(self) -> FrameReader:
        groups = {k: (list(g.ids), list(g.channels)) for k, g in self.lock_groups().items()}
        return FrameReader(self.sensors, self.axis_names, groups)


def parse_description(body: Any) -> StationDescription:
    return from_wire(StationDescription, body, where="welcome.station", code=Code.MALFORMED)
