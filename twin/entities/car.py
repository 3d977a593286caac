"""The car: a clamped body holding the pack bay.

The station's lane clamps the car (tyre clamps, lift pads), so the body is a
fixed base at its parked pose; measured.md found a static vehicle 35 % cheaper
than a dynamic one. The bay carries what the pack meets: seat pads for its top
face, chamfered holes for its locating pins, walls, the lock anchors, the HV
connector half and the lock service port.

Frame: the bay frame (centre of the seat plane, x along the car).

Faults it takes: ``latch_power_loss`` (its low-voltage supply, what keeps a
power-to-hold latch energised, fails).
"""

from __future__ import annotations

import numpy as np

from twin.entities.base import Entity
from twin.frames import Pose
from twin.schema.vehicle import Car as CarSpec
from twin.urdf.features import Hole, plate_with_holes
from twin.urdf.model import Box, Inertial, Link, Robot
from twin.world import World

MM = 1e-3
_SEAT_PAD_HEIGHT_MM = 40.0
# Hole plates sit this far above the seat plane so the pack's top face bears on
# the seat pads only, and so the pack body's bounding box (grown by the 1 mm
# collision margin and the contact threshold) does not overlap the bore boxes:
# every overlapping pair costs a narrow-phase test each step.
_HOLE_PLATE_LIFT_MM = 5.0
_HOLE_PLATE_WALL_MM = 20.0


def build_car_urdf(vehicle: CarSpec, pack) -> Robot:
    bay = vehicle.bay
    pad = bay.seat_pad_size_mm * MM
    pad_h = _SEAT_PAD_HEIGHT_MM * MM
    shapes = [Box(size=(pad, pad, pad_h), xyz=(x * MM, y * MM, pad_h / 2.0)) for x, y in pack.seat_points_mm]
    pins = pack.locating_pins
    for x, y in pins.positions_mm:
        hole = Hole(x * MM, y * MM, pins.hole_diameter_mm * MM, pins.hole_chamfer_mm * MM)
        side = (pins.hole_diameter_mm + 2.0 * _HOLE_PLATE_WALL_MM) * MM
        shapes += plate_with_holes(
            length_m=side,
            width_m=side,
            thickness_m=bay.hole_plate_thickness_mm * MM,
            holes=[hole],
            wall_m=_HOLE_PLATE_WALL_MM * MM,
            z0_m=_HOLE_PLATE_LIFT_MM * MM,
            center=(x * MM, y * MM),
            entry="bottom",
        )
    t, depth = bay.wall_thickness_mm * MM, bay.wall_depth_mm * MM
    L, W = bay.length_mm * MM, bay.width_mm * MM
    zc = (pad_h - depth) / 2.0
    hgt = pad_h + depth
    for s in (-1.0, 1.0):
        shapes.append(Box(size=(L + 2 * t, t, hgt), xyz=(0.0, s * (W / 2.0 + t / 2.0), zc)))
        shapes.append(Box(size=(t, W, hgt), xyz=(s * (L / 2.0 + t / 2.0), 0.0, zc)))
    body = vehicle.body
    visuals = list(shapes) + [
        Box(
            size=(body.length_mm * MM, body.width_mm * MM, body.height_mm * MM * 0.6),
            xyz=(0.0, 0.0, pad_h + body.height_mm * MM * 0.3),
        )
    ]
    inertial = Inertial.box(mass_kg=body.mass_kg, size=(body.length_mm * MM, body.width_mm * MM, body.height_mm * MM))
    return Robot(
        name=f"car_{vehicle.model}", links=[Link("body", inertial, shapes, visuals=visuals, rgba=(0.8, 0.8, 0.82, 0.6))]
    )


class Car(Entity):
    """The clamped car at its parked pose. ``bay_pose`` is the bay frame in the world."""

    fault_kinds = CarSpec.FAULT_KINDS

    def __init__(self, world: World, vehicle: CarSpec, pack, *, offset_mm, yaw_deg: float):
        self.world = world
        self.spec = vehicle
        self.power = True  # the vehicle's low-voltage supply
        self.bay_nominal = Pose.from_xyz_yaw(0.0, 0.0, vehicle.bay.seat_height_mm * MM, 0.0)
        self.bay_pose = Pose.from_xyz_yaw(
            offset_mm[0] * MM, offset_mm[1] * MM, vehicle.bay.seat_height_mm * MM, float(np.radians(yaw_deg))
        )
        self.body = world.load(
            build_car_urdf(vehicle, pack), position=self.bay_pose.p, yaw_rad=self.bay_pose.yaw_rad, fixed=True
        )
        self.lock_port_local = np.array(
            [vehicle.bay.lock_port_mm[0] * MM, vehicle.bay.lock_port_mm[1] * MM, -pack.dimensions.height_mm * MM]
        )

    def apply_fault(self, fault, *, active: bool) -> None:
        if fault.kind != "latch_power_loss":
            super().apply_fault(fault, active=active)
        self.power = not active
