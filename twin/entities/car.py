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

import dataclasses
import math

import numpy as np

from twin.entities.base import Entity
from twin.frames import Pose
from twin.schema.vehicle import Car as CarSpec
from twin.urdf.features import Hole, plate_with_holes
from twin.urdf.model import Box, Cylinder, Inertial, Link, Robot
from twin.world import World

MM = 1e-3
_SEAT_PAD_HEIGHT_MM = 40.0
# Hole plates sit this far above the seat plane so the pack's top face bears on
# the seat pads only, and so the pack body's bounding box (grown by the 1 mm
# collision margin and the contact threshold) does not overlap the bore boxes:
# every overlapping pair costs a narrow-phase test each step.
_HOLE_PLATE_LIFT_MM = 5.0
_HOLE_PLATE_WALL_MM = 20.0
# What the car looks like (visual only: no physics reads these). A passenger
# car's proportions (D): ground clearance under the pack, tyre size, wheelbase
# as a share of the length, the cabin's share of the length and width.
_GROUND_CLEARANCE_MM = 140.0
_TYRE_RADIUS_MM = 320.0
_TYRE_WIDTH_MM = 190.0
_WHEELBASE_SHARE = 0.6
_BELTLINE_ABOVE_ROAD_MM = 800.0
_CABIN_LENGTH_SHARE, _CABIN_WIDTH_SHARE, _CABIN_SHIFT_SHARE = 0.5, 0.88, -0.04
# The lane's wheel platforms: the lane holds the car by its tyres at swap height.
_PLATFORM_LENGTH_MM = 900.0
_BAY_RGBA = (0.25, 0.25, 0.28, 1.0)
_BODY_RGBA = (0.78, 0.8, 0.84, 0.35)
_CABIN_RGBA = (0.45, 0.55, 0.7, 0.3)
_TYRE_RGBA = (0.06, 0.06, 0.06, 1.0)
_PLATFORM_RGBA = (0.62, 0.6, 0.52, 1.0)


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
    visuals = [dataclasses.replace(shape, rgba=_BAY_RGBA) for shape in shapes] + car_body_visuals(vehicle, pack)
    inertial = Inertial.box(mass_kg=body.mass_kg, size=(body.length_mm * MM, body.width_mm * MM, body.height_mm * MM))
    return Robot(
        name=f"car_{vehicle.model}", links=[Link("body", inertial, shapes, visuals=visuals, rgba=(0.8, 0.8, 0.82, 0.6))]
    )


def car_body_visuals(vehicle: CarSpec, pack) -> list:
    """The body, cabin, wheels and the lane's wheel platforms, in the bay frame.

    The road (the tyres' contact plane) is the pack's bottom less the ground
    clearance; the platforms rise from the station floor (the rail plane) to
    it. Tyres stand outside the pack's width with its flanges, so a carried
    pack passes between them and their platforms."""
    body, bay = vehicle.body, vehicle.bay
    L, W, H = body.length_mm * MM, body.width_mm * MM, body.height_mm * MM
    z_road = -(pack.dimensions.height_mm + _GROUND_CLEARANCE_MM) * MM
    z_floor = -bay.seat_height_mm * MM
    r, tyre_w = _TYRE_RADIUS_MM * MM, _TYRE_WIDTH_MM * MM
    pack_half_w = (pack.dimensions.width_mm / 2 + getattr(getattr(pack, "flange", None), "width_mm", 0.0)) * MM
    y_tyre = max(W / 2 - tyre_w / 2, pack_half_w + tyre_w / 2 + 0.01)
    z_sill = -bay.wall_depth_mm * MM + 0.02  # the underbody just above the bay walls' lower edge
    z_belt = z_road + _BELTLINE_ABOVE_ROAD_MM * MM
    z_roof = z_road + H
    out: list = [
        Box(size=(L, W, z_belt - z_sill), xyz=(0.0, 0.0, (z_sill + z_belt) / 2), rgba=_BODY_RGBA),
        Box(
            size=(_CABIN_LENGTH_SHARE * L, _CABIN_WIDTH_SHARE * W, z_roof - z_belt),
            xyz=(_CABIN_SHIFT_SHARE * L, 0.0, (z_belt + z_roof) / 2),
            rgba=_CABIN_RGBA,
        ),
    ]
    platform_h = z_road - z_floor
    for sx in (-1.0, 1.0):
        for sy in (-1.0, 1.0):
            x, y = sx * _WHEELBASE_SHARE * L / 2, sy * y_tyre
            out.append(Cylinder(r, tyre_w, xyz=(x, y, z_road + r), rpy=(math.pi / 2, 0.0, 0.0), rgba=_TYRE_RGBA))
            if platform_h > 0.0:
                out.append(
                    Box(
                        size=(_PLATFORM_LENGTH_MM * MM, tyre_w + 0.04, platform_h),
                        xyz=(x, y + sy * 0.02, z_floor + platform_h / 2),
                        rgba=_PLATFORM_RGBA,
                    )
                )
    return out


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
