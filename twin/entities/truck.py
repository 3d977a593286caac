"""The truck: a parked chassis on compliant suspension, with a cab-back cradle.

The chassis is one link on a vertical prismatic joint above a base fixed at
the parked pose. The suspension is a linear spring and damper acting on that
joint every physics step, with the sprung mass's own weight taken by the
spring's preload: unladen, the cradle sits at ``cradle.seat_height_mm``; a pack
of mass m sinks it by m g / k. Pitch and roll are not modelled.

Frame: the cradle frame is the chassis link's frame, at the centre of the seat
plane (where an installed pack's bottom face rests).

Faults it takes: ``latch_power_loss`` (its low-voltage supply fails) and
``suspension_sag`` (the spring rate falls by the fault's factor: an air-spring
leak).
"""

from __future__ import annotations

import math

import numpy as np

from twin.entities.base import Entity
from twin.frames import Pose
from twin.schema.pack import PackTopLift
from twin.schema.vehicle import Truck as TruckSpec
from twin.urdf.features import locating_pin
from twin.urdf.model import Box, Cylinder, Inertial, Joint, Link, Robot
from twin.entities.suspension import HeaveSpring
from twin.world import World, pb

MM = 1e-3
# Chassis rails: section of a heavy truck's ladder frame (D).
_RAIL_SECTION_MM = (100.0, 300.0)
_PAD_HEIGHT_MM = 40.0
# What the truck looks like (visual only: no physics reads these), a 6x4
# tractor's proportions (D): tyre size, the front axle under the cab, a rear
# tandem behind the cradle, twin tyres on the rear axles.
_TYRE_RADIUS_MM = 520.0
_FRONT_TYRE_WIDTH_MM, _REAR_TYRE_WIDTH_MM = 320.0, 560.0
_REAR_AXLES_FROM_END_MM = (500.0, 1800.0)  # from the rails' rear end
_AXLE_RADIUS_MM = 70.0
_CROSS_MEMBER_MM = (160.0, 120.0)  # section of the cradle's cross members (x, z)
_TYRE_RGBA = (0.06, 0.06, 0.06, 1.0)
_STEEL_RGBA = (0.22, 0.22, 0.24, 1.0)
_GLASS_RGBA = (0.15, 0.2, 0.28, 1.0)


def build_truck_urdf(truck: TruckSpec, pack: PackTopLift) -> Robot:
    c, cab = truck.cradle, truck.cab
    pad, pad_h = c.pad_size_mm * MM, _PAD_HEIGHT_MM * MM
    shapes = [Box(size=(pad, pad, pad_h), xyz=(x * MM, y * MM, -pad_h / 2.0)) for x, y in pack.seat_points_mm]
    shapes += [
        locating_pin(
            x_m=x * MM,
            y_m=y * MM,
            z_base_m=-pad_h,
            diameter_m=c.cone_diameter_mm * MM,
            length_m=c.cone_height_mm * MM + pad_h,
        )
        for x, y in pack.cone_sockets.positions_mm
    ]
    rw, rh = _RAIL_SECTION_MM[0] * MM, _RAIL_SECTION_MM[1] * MM
    for s in (-1.0, 1.0):
        shapes.append(
            Box(size=(c.rail_length_mm * MM, rw, rh), xyz=(0.0, s * c.rail_spacing_mm * MM / 2.0, -pad_h - rh / 2.0))
        )
    cab_x = pack.dimensions.length_mm * MM / 2.0 + cab.gap_mm * MM + cab.length_mm * MM / 2.0
    cab_bottom = -pad_h - rh
    cab_h = cab.height_mm * MM - c.seat_height_mm * MM - cab_bottom
    shapes.append(Box(size=(cab.length_mm * MM, cab.width_mm * MM, cab_h), xyz=(cab_x, 0.0, cab_bottom + cab_h / 2.0)))
    visuals = shapes + _cradle_visuals(truck, pack, cab_x=cab_x, cab_bottom=cab_bottom, cab_h=cab_h)
    chassis = Inertial.box(
        mass_kg=truck.suspension.sprung_mass_kg,
        size=(c.rail_length_mm * MM, c.rail_spacing_mm * MM, rh),
        com=(0.0, 0.0, -pad_h - rh / 2.0),
    )
    travel = truck.suspension.travel_mm * MM
    return Robot(
        name=f"truck_{truck.model}",
        links=[
            Link(
                "ground",
                Inertial.box(mass_kg=1000.0, size=(0.1, 0.1, 0.1)),
                [],
                visuals=_running_gear(truck, cab_x=cab_x),
                rgba=_TYRE_RGBA,
            ),
            Link("chassis", chassis, shapes, visuals=visuals, rgba=(0.75, 0.1, 0.1, 1.0)),
        ],
        joints=[
            Joint(
                "suspension",
                "prismatic",
                "ground",
                "chassis",
                xyz=(0.0, 0.0, c.seat_height_mm * MM),
                axis=(0, 0, 1),
                lower=-travel,
                upper=travel,
            )
        ],
    )


def _cradle_visuals(truck: TruckSpec, pack: PackTopLift, *, cab_x: float, cab_bottom: float, cab_h: float) -> list:
    """Cross members carrying the cradle's pads and cones over the rails, and the cab's windscreen (chassis frame)."""
    c, cab = truck.cradle, truck.cab
    pad_h = _PAD_HEIGHT_MM * MM
    cx, cz = _CROSS_MEMBER_MM[0] * MM, _CROSS_MEMBER_MM[1] * MM
    ys = [abs(y) for _, y in [*pack.seat_points_mm, *pack.cone_sockets.positions_mm]]
    reach = max(ys) * MM + c.pad_size_mm * MM / 2
    xs = sorted({x for x, _ in pack.seat_points_mm})
    out: list = [Box(size=(cx, 2 * reach, cz), xyz=(x * MM, 0.0, -pad_h - cz / 2), rgba=_STEEL_RGBA) for x in xs]
    front = cab_x + cab.length_mm * MM / 2
    out.append(
        Box(
            size=(0.02, cab.width_mm * MM * 0.85, cab_h * 0.3),
            xyz=(front + 0.005, 0.0, cab_bottom + cab_h * 0.62),
            rgba=_GLASS_RGBA,
        )
    )
    return out


def _running_gear(truck: TruckSpec, *, cab_x: float) -> list:
    """Axles and tyres, in the ground frame (the floor): the front axle under the cab, the rear tandem."""
    c, body = truck.cradle, truck.body
    r = _TYRE_RADIUS_MM * MM
    rear_end = -c.rail_length_mm * MM / 2
    axles = [(cab_x, _FRONT_TYRE_WIDTH_MM * MM)] + [
        (rear_end + d * MM, _REAR_TYRE_WIDTH_MM * MM) for d in _REAR_AXLES_FROM_END_MM
    ]
    half_w = body.width_mm * MM / 2
    out: list = []
    for x, tyre_w in axles:
        y = half_w - tyre_w / 2
        out.append(
            Cylinder(_AXLE_RADIUS_MM * MM, 2 * y, xyz=(x, 0.0, r), rpy=(math.pi / 2, 0.0, 0.0), rgba=_STEEL_RGBA)
        )
        out += [Cylinder(r, tyre_w, xyz=(x, s * y, r), rpy=(math.pi / 2, 0.0, 0.0)) for s in (-1.0, 1.0)]
    return out


class Truck(Entity):
    fault_kinds = TruckSpec.FAULT_KINDS

    def __init__(
        self, world: World, truck: TruckSpec, pack: PackTopLift, *, offset_mm, yaw_deg: float, laden_kg: float
    ):
        self.world = world
        self.spec = truck
        self.power = True  # the vehicle's low-voltage supply
        self.spring = HeaveSpring(truck.suspension, gravity_m_s2=world.physics.gravity_m_s2)
        self.body = world.load(
            build_truck_urdf(truck, pack),
            position=(offset_mm[0] * MM, offset_mm[1] * MM, 0.0),
            yaw_rad=float(np.radians(yaw_deg)),
            fixed=True,
        )
        self.joint = world.joint_indices(self.body)["suspension"]
        self.chassis_link = self.joint
        # Start at the static equilibrium of the load it carries: no bounce at t = 0.
        rest_m = self.spring.static_deflection_m(laden_kg, gravity_m_s2=world.physics.gravity_m_s2)
        pb.resetJointState(self.body, self.joint, rest_m, physicsClientId=world.cid)
        pb.setJointMotorControl2(self.body, self.joint, pb.VELOCITY_CONTROL, force=0.0, physicsClientId=world.cid)
        self.H = pack.dimensions.height_mm * MM

    def before_step(self, dt: float) -> None:
        self.spring_step()

    def apply_fault(self, fault, *, active: bool) -> None:
        if fault.kind == "latch_power_loss":
            self.power = not active
        elif fault.kind == "suspension_sag":
            self.spring.sag(fault.factor, active=active)
        else:
            super().apply_fault(fault, active=active)

    def spring_step(self) -> None:
        """The suspension force, every physics step (pybullet clears it after each)."""
        self.spring.step(self.body, self.joint, self.world.cid)

    def deflection_m(self) -> float:
        return pb.getJointState(self.body, self.joint, physicsClientId=self.world.cid)[0]

    def cradle_pose(self) -> Pose:
        return self.world.link_frame(self.body, self.chassis_link)

    def installed_pose(self) -> Pose:
        """Where a pack's frame (top-face centre) is when it sits on the cradle."""
        return self.cradle_pose().offset([0.0, 0.0, self.H])
