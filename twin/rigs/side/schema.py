"""The side rig's schema: the ``rig`` config group for ``family: side``.

World frame of the station: x along the lane (the vehicle's length), y across
it, pointing out of the flank being swapped towards the carrier, z up from the
ground. The vehicle's centre line is y = 0. Positions in mm, speeds in mm/s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from twin.schema._fields import q
from twin.schema.rig import Float, LinearAxis, LoadCell, RotaryAxis, StationElectrical, Vision


@dataclass(frozen=True)
class CarrierAxes:
    travel: LinearAxis = q(doc="x, along the vehicle, on the carrier's rail")
    lift: LinearAxis = q(doc="z of the tray's top")
    reach: LinearAxis = q(doc="y of the tray's centre: the telescopic fork towards the vehicle (+) or the rack")
    yaw: RotaryAxis = q(doc="the tray about z, to follow the vehicle's parking yaw")


@dataclass(frozen=True)
class Carrier:
    """The carrier's moving masses and its body on the rail."""

    rail_y_mm: float = q(lo=-20000.0, hi=20000.0, unit="mm", doc="y of the carrier's rail (and body centre)")
    body_length_mm: float = q(lo=100.0, hi=10000.0, unit="mm")
    body_width_mm: float = q(lo=100.0, hi=5000.0, unit="mm")
    body_height_mm: float = q(lo=50.0, hi=3000.0, unit="mm")
    mass_kg: float = q(lo=1.0, hi=100000.0, unit="kg", doc="travelling body")
    mast_mass_kg: float = q(lo=0.1, hi=20000.0, unit="kg", doc="lift carriage on the mast")
    fork_mass_kg: float = q(lo=0.1, hi=20000.0, unit="kg", doc="telescopic fork (reach stage) and yaw turntable")
    float_stage_mass_kg: float = q(lo=0.1, hi=1000.0, unit="kg")


@dataclass(frozen=True)
class Tray:
    """The floating tray that slides in under a pack between its frame's ledges and lifts it.
    Its frame is its top face (where a carried pack's bottom rests), at its centre."""

    length_mm: float = q(lo=100.0, hi=6000.0, unit="mm", doc="along x: must pass between the frame's ledges")
    width_mm: float = q(lo=100.0, hi=4000.0, unit="mm", doc="along y")
    thickness_mm: float = q(lo=10.0, hi=500.0, unit="mm")
    mass_kg: float = q(lo=1.0, hi=5000.0, unit="kg")
    top_at_lift_zero_mm: float = q(lo=10.0, hi=3000.0, unit="mm", doc="tray top above ground at lift = 0")
    friction: float = q(lo=0.05, hi=1.5, doc="rubber-faced tray ~0.5")
    presence_gap_mm: float = q(lo=0.1, hi=100.0, unit="mm", doc="pack-present switches close within this gap")
    entry_clearance_mm: float = q(
        lo=1.0, hi=500.0, unit="mm", doc="the tray's top passes this far below a seated pack's bottom on its way in"
    )
    lift_off_clearance_mm: float = q(
        lo=1.0, hi=500.0, unit="mm", doc="a lifted pack's bottom passes this far above the ledges on its way out"
    )


@dataclass(frozen=True)
class LockTool:
    """The tray's lock actuator: it couples to the frame's lock port (the ledges' clip
    pushers) when the tray stands under the seated pack."""

    port_position_mm: list[float] = q(length=2, unit="mm", doc="[x, y] on the tray, = the frame's port in the seat")
    capture_mm: float = q(lo=0.1, hi=100.0, unit="mm", doc="lateral capture of the coupler")
    stroke_mm: float = q(lo=0.1, hi=300.0, unit="mm", doc="vertical range within which it couples")


@dataclass(frozen=True)
class RackSlot:
    name: str = q()
    x_mm: float = q(lo=-50000.0, hi=50000.0, unit="mm", doc="slot centre along the lane")
    content: Literal["charged", "empty"] = q()


@dataclass(frozen=True)
class RackStorage:
    """Racks behind the carrier (y below its rail): ledges like the vehicle's frames."""

    y_mm: float = q(lo=-50000.0, hi=50000.0, unit="mm", doc="y of a stored pack's centre")
    seat_height_mm: float = q(lo=50.0, hi=5000.0, unit="mm", doc="a stored pack's bottom above ground")
    ledge_width_mm: float = q(lo=20.0, hi=1000.0, unit="mm")
    ledge_height_mm: float = q(lo=10.0, hi=1000.0, unit="mm")
    carry_clearance_mm: float = q(
        lo=1.0, hi=1000.0, unit="mm", doc="a carried pack's bottom passes this far above every ledge"
    )
    slots: list[RackSlot] = q()

    def check(self):
        names = [s.name for s in self.slots]
        out = []
        if len(set(names)) != len(names):
            out.append(("slots", f"slot names must be unique: {names}"))
        contents = [s.content for s in self.slots]
        if "charged" not in contents or "empty" not in contents:
            out.append(("slots", "needs a slot with a charged pack and an empty one"))
        return out


@dataclass(frozen=True)
class SideRig:
    family: Literal["side"] = q()
    name: str = q()
    payload_kg: float = q(lo=1.0, hi=100000.0, unit="kg")
    axes: CarrierAxes = q()
    carrier: Carrier = q()
    tray: Tray = q()
    float: Float = q()
    tool: LockTool = q()
    load_cell: LoadCell = q()
    vision: Vision = q()
    storage: RackStorage = q()
    electrical: StationElectrical = q()
    lock_types: list[str] = q(doc="frame lock types its tool can operate")
    swap_frame: str | None = q(
        None,
        doc="the vehicle frame this swap serves (a vehicle with several is swapped pack by pack, one frame a "
        "swap); null: the first frame on the flank the pack opens to",
    )
    catalog: list[str] | None = q(
        None,
        doc="pack families in the station's interface catalog; null: every pack file that lists this rig family",
    )
