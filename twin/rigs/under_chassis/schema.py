"""The under-chassis rig's schema: the ``rig`` config group for ``family: under_chassis``.

World frame of the station: x along the lane (the car's length), y across it,
z up from the plane of the shuttle rails. Positions in mm, speeds in mm/s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from twin.schema._fields import q
from twin.schema.rig import Float, LinearAxis, LoadCell, RotaryAxis, StationElectrical, Vision


@dataclass(frozen=True)
class ShuttleAxes:
    """The shuttle's motion axes, and the pallet's tooling axes: the tool adapts
    to the pack it identifies (its pads to the pack's support points, its pins
    to the pack's rig holes) before it approaches."""

    travel: LinearAxis = q(doc="x, along the lane")
    align: LinearAxis = q(doc="y, across the lane")
    lift: LinearAxis = q(doc="z")
    yaw: RotaryAxis = q(doc="about z, under the float")
    pads_x: LinearAxis = q(doc="tooling: half-span of the four pads along x (pad centres at +-pads_x)")
    pads_y: LinearAxis = q(doc="tooling: half-span of the four pads along y (pad centres at +-pads_y)")
    pins_x: LinearAxis = q(doc="tooling: the two locating pins at [+-pins_x, 0]")


@dataclass(frozen=True)
class Carriage:
    """The shuttle's body and the stages stacked on it (travel > align > lift > yaw > float)."""

    length_mm: float = q(lo=100.0, hi=5000.0, unit="mm")
    width_mm: float = q(lo=100.0, hi=5000.0, unit="mm")
    height_mm: float = q(lo=20.0, hi=1000.0, unit="mm")
    mass_kg: float = q(lo=1.0, hi=10000.0, unit="kg", doc="travelling carriage")
    align_stage_mass_kg: float = q(lo=0.1, hi=10000.0, unit="kg")
    lift_stage_mass_kg: float = q(lo=0.1, hi=10000.0, unit="kg", doc="lift table and yaw turntable")
    float_stage_mass_kg: float = q(lo=0.1, hi=1000.0, unit="kg", doc="intermediate x stage of the float")


@dataclass(frozen=True)
class Pallet:
    """The floating plate that carries the pack on four pads and two locating pins.
    Pads ride on two beams that slide along x, each pad on its beam along y;
    the pins slide along x (the ``pads_x``, ``pads_y``, ``pins_x`` axes)."""

    length_mm: float = q(lo=100.0, hi=5000.0, unit="mm")
    width_mm: float = q(lo=100.0, hi=5000.0, unit="mm")
    thickness_mm: float = q(lo=5.0, hi=300.0, unit="mm")
    mass_kg: float = q(lo=1.0, hi=5000.0, unit="kg")
    top_at_lift_zero_mm: float = q(lo=50.0, hi=2000.0, unit="mm", doc="pad tops above the rail plane at lift = 0")
    pad_size_mm: float = q(lo=10.0, hi=1000.0, unit="mm")
    pad_height_mm: float = q(lo=2.0, hi=200.0, unit="mm")
    pad_mass_kg: float = q(lo=0.1, hi=500.0, unit="kg", doc="each pad with its slide (part of mass_kg)")
    beam_mass_kg: float = q(lo=0.1, hi=500.0, unit="kg", doc="each pad beam (part of mass_kg)")
    pin_mass_kg: float = q(lo=0.1, hi=100.0, unit="kg", doc="each pin with its slide (part of mass_kg)")
    pin_diameter_mm: float = q(lo=4.0, hi=100.0, unit="mm")
    pin_length_mm: float = q(lo=2.0, hi=300.0, unit="mm", doc="standing above the pad tops")
    friction: float = q(lo=0.05, hi=1.5, doc="pad friction (rubber-faced pads ~0.5)")
    presence_gap_mm: float = q(lo=0.1, hi=100.0, unit="mm", doc="pack-present switches close within this gap")
    pad_load_cell_noise_n: float = q(lo=0.0, hi=1000.0, unit="N", doc="each pad's load cell (the CoG check)")

    def check(self):
        moving = 4 * self.pad_mass_kg + 2 * self.beam_mass_kg + 2 * self.pin_mass_kg
        if moving >= self.mass_kg:
            return [("mass_kg", f"{self.mass_kg} kg must exceed its pads, beams and pins ({moving:g} kg)")]
        return []


@dataclass(frozen=True)
class LockTool:
    """The station-side coupler that powers and commands the vehicle's locks.
    It couples when the pallet stands under the vehicle's lock port."""

    port_position_mm: list[float] = q(
        length=2, unit="mm", doc="[x, y] on the pallet, = the vehicle port in the bay frame"
    )
    capture_mm: float = q(lo=0.1, hi=50.0, unit="mm", doc="lateral capture of the coupler")
    stroke_mm: float = q(lo=0.1, hi=200.0, unit="mm", doc="vertical range within which it couples")


@dataclass(frozen=True)
class StorageSlot:
    name: str = q()
    x_mm: float = q(lo=-50000.0, hi=50000.0, unit="mm", doc="slot centre along the lane")
    content: Literal["charged", "empty"] = q()


@dataclass(frozen=True)
class Storage:
    pack_bottom_mm: float = q(lo=10.0, hi=5000.0, unit="mm", doc="height of a stored pack's bottom face")
    rail_width_mm: float = q(lo=5.0, hi=500.0, unit="mm")
    rail_friction: float = q(lo=0.05, hi=1.5, doc="wear strips on the rails")
    carry_clearance_mm: float = q(
        lo=1.0, hi=500.0, unit="mm", doc="a carried pack's flanges pass this far above the rails"
    )
    slots: list[StorageSlot] = q()

    def check(self):
        names = [s.name for s in self.slots]
        out = []
        if len(set(names)) != len(names):
            out.append(("slots", f"slot names must be unique: {names}"))
        if [s.content for s in self.slots].count("charged") < 1:
            out.append(("slots", "needs a slot holding a charged pack"))
        if [s.content for s in self.slots].count("empty") < 1:
            out.append(("slots", "needs an empty slot for the depleted pack"))
        return out


@dataclass(frozen=True)
class UnderChassisRig:
    family: Literal["under_chassis"] = q()
    name: str = q()
    payload_kg: float = q(lo=1.0, hi=100000.0, unit="kg")
    axes: ShuttleAxes = q()
    carriage: Carriage = q()
    pallet: Pallet = q()
    float: Float = q()
    tool: LockTool = q()
    load_cell: LoadCell = q()
    vision: Vision = q()
    storage: Storage = q()
    electrical: StationElectrical = q()
    lock_types: list[str] = q(doc="vehicle lock types its tool can operate")
    catalog: list[str] | None = q(
        None,
        doc="pack families in the station's interface catalog; null: every pack file that lists this rig family",
    )
