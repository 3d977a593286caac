"""What a frame's sensors can be, and the sensors every station has.

A station declares each of its sensors once, by a ``Sensor``: its name (the
key in a frame's ``sensors``; a dotted name sits inside a group, as
``spreader.landed`` is ``sensors.spreader.landed``), its kind, its unit and
what it means. The description sends the declarations (``SensorInfo``), so a
controller knows which readings are two-channel switches without guessing
from their shape.

Kinds:

* ``switch``: a boolean;
* ``two_channel``: ``[A, B]``, a safety switch read on two channels; a
  controller treats disagreement as a fault (ISO 13849 category 3);
* ``scalar``: a number in ``unit``, or null while the sensor is not reporting;
* ``scalars``: ``channels`` numbers in ``unit`` (load cells under each pad of
  a tool, in the order ``meaning`` gives), or null while not reporting;
* ``identity``: a string read from a tag or a BMS (a pack's family id), or
  null while nothing is read;
* ``vision``: ``{valid, x, y, z, yaw}`` (m, rad);
* ``lock_status``: lock id -> channel name -> ``[A, B]``, the status channels
  of one of the description's lock groups (``lock_group``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from swapwire.typed import wfield

SensorKind = Literal["switch", "two_channel", "scalar", "scalars", "identity", "vision", "lock_status"]
VISION_FIELDS = ("valid", "x", "y", "z", "yaw")


@dataclass(frozen=True)
class SensorInfo:
    """One sensor as the station description declares it (``sensors`` map)."""

    kind: SensorKind = wfield(doc="switch, two_channel, scalar, scalars, identity, vision or lock_status")
    unit: str = wfield("", doc="of a scalar (N, m ...); m, rad for vision")
    channels: int = wfield(1, doc="2 for a two-channel switch (and for each lock status channel); scalars: how many")
    meaning: str = wfield("", doc="in words")
    fields: list[str] = wfield(factory=list, doc="vision: valid, x, y, z, yaw")
    lock_group: str | None = wfield(
        None, doc="lock_status: the description key of the lock group it reports", omit_none=True
    )


@dataclass(frozen=True)
class Sensor:
    """A sensor's declaration: its frame name and what the description says of it."""

    name: str
    info: SensorInfo

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.name.split("."))

    def meaning(self, text: str) -> Sensor:
        """The same sensor with a station's own wording of what it measures."""
        return Sensor(self.name, replace(self.info, meaning=text))


def switch(name: str, meaning: str) -> Sensor:
    return Sensor(name, SensorInfo(kind="switch", meaning=meaning))


def two_channel(name: str, meaning: str) -> Sensor:
    return Sensor(name, SensorInfo(kind="two_channel", channels=2, meaning=meaning))


def scalar(name: str, unit: str, meaning: str) -> Sensor:
    return Sensor(name, SensorInfo(kind="scalar", unit=unit, meaning=meaning))


def scalars(name: str, unit: str, count: int, meaning: str) -> Sensor:
    return Sensor(name, SensorInfo(kind="scalars", unit=unit, channels=count, meaning=meaning))


def identity(name: str, meaning: str) -> Sensor:
    return Sensor(name, SensorInfo(kind="identity", meaning=meaning))


def vision(name: str, meaning: str) -> Sensor:
    return Sensor(name, SensorInfo(kind="vision", unit="m, rad", fields=list(VISION_FIELDS), meaning=meaning))


def lock_status(name: str, group: str, meaning: str) -> Sensor:
    return Sensor(name, SensorInfo(kind="lock_status", channels=2, lock_group=group, meaning=meaning))


# Every station's frames carry these.
ESTOP = switch("estop", "emergency stop pressed (IEC 60204-1): drives and tools are without power")
STATION_POWER = switch("station_power", "station power present; false during a power loss")
LOCKS = lock_status("locks", "locks", "the vehicle locks' status channels")
# Most rigs have these; each station words what its own measure.
LOAD_CELL = scalar("load_cell_n", "N", "the rig's load beyond its own moving parts, filtered; null while not reporting")
FLOAT_LOCKED = switch("float_locked", "the float's centring lock is engaged")
CONNECTOR_MATED = switch("connector_mated", "the HV connector is fully mated")
VISION = vision("vision", "the vehicle's seat frame measured in the tool's nominal frame")
SAFETY = (ESTOP, STATION_POWER)
