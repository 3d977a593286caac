"""A bus or truck whose packs sit in side frames: a chassis on compliant suspension with frames on its flank.

Like the cab-back truck (``twin/entities/truck.py``), the chassis is one
link on a vertical prismatic joint above a base fixed at the parked pose,
the suspension a linear spring and damper acting on that joint every physics
step with the sprung mass's weight taken by the spring's preload: unladen,
the frames' seat planes sit at ``frame.seat_height_mm``; the packs it
carries sink it by m g / k. Below the chassis a revolute joint about the
lane's axis (at the seat plane's height) takes the body's roll, a torsion
spring and damper (``roll_stiffness_nm_per_deg``): a pack leaving one flank
lets that flank rise by heave and by roll (``layout.frame_drop_m``).

The station faces the flank being swapped (world +y). Frames on both flanks
are built, each two ledges across it under the pack's seat points' ends,
with the body between the flanks' frames.

Faults it takes: ``latch_power_loss`` and ``suspension_sag``, as the truck.
"""

from __future__ import annotations

import numpy as np

from twin.entities.base import Entity
from twin.frames import Pose
from twin.rigs.side import layout
from twin.schema.pack import PackSide
from twin.schema.vehicle import SideFrames
from twin.urdf.model import Box, Inertial, Joint, Link, Robot
from twin.entities.suspension import HeaveSpring
from twin.world import World, pb

MM = 1e-3
# The body's floor above the frames' seat plane, and how far inboard of the frames it stands (D).
_BODY_FLOOR_MM = 300.0
_BODY_GAP_MM = 60.0
# The body's roll stops (D: an air-suspended body rolls a few degrees at most).
_ROLL_LIMIT_RAD = 0.1


def frame_ledges(pack: PackSide, *, x0_m: float, y0_m: float, z_top_m: float, width_mm: float, height_mm: float):
    """The two ledges of one frame (or rack slot) whose seat plane is at z_top_m, centred at (x0, y0)."""
    lx, w, h = layout.ledge_x_m(pack), width_mm * MM, height_mm * MM
    depth = pack.dimensions.width_mm * MM
    return [Box(size=(w, depth, h), xyz=(x0_m + s * lx, y0_m, z_top_m - h / 2.0)) for s in (-1.0, 1.0)]


def build_vehicle_urdf(vehicle: SideFrames, pack: PackSide) -> Robot:
    f, b = vehicle.frame, vehicle.body
    y0 = layout.frame_y_m(vehicle, pack)
    shapes = []
    for place in vehicle.frames:
        shapes += frame_ledges(
            pack,
            x0_m=place.x_mm * MM,
            y0_m=layout.flank_y_m(vehicle, pack, place.side),
            z_top_m=0.0,
            width_mm=f.ledge_width_mm,
            height_mm=f.ledge_height_mm,
        )
    # The body between the flanks' frames (or from the far flank if it has none), floor to roof.
    inner = y0 - pack.dimensions.width_mm * MM / 2 - (pack.rails.size_mm + _BODY_GAP_MM) * MM
    far = -inner if any(p.side != pack.side for p in vehicle.frames) else -b.width_mm * MM / 2
    bottom, top = -_BODY_FLOOR_MM * MM, (b.height_mm - f.seat_height_mm) * MM
    size = (b.length_mm * MM, inner - far, top - bottom)
    shapes.append(Box(size=size, xyz=(0.0, (inner + far) / 2, (top + bottom) / 2)))
    chassis = Inertial.box(
        mass_kg=vehicle.suspension.sprung_mass_kg,
        size=(b.length_mm * MM, b.width_mm * MM, 1.0),
        com=(0.0, 0.0, 0.5),
    )
    travel = vehicle.suspension.travel_mm * MM
    return Robot(
        name=f"side_vehicle_{vehicle.model}",
        links=[
            Link("ground", Inertial.box(mass_kg=1000.0, size=(0.1, 0.1, 0.1)), []),
            Link("axle", Inertial.box(mass_kg=10.0, size=(0.1, 0.1, 0.1)), []),
            Link("chassis", chassis, shapes, rgba=(0.2, 0.55, 0.3, 1.0)),
        ],
        joints=[
            Joint(
                "suspension",
                "prismatic",
                "ground",
                "axle",
                xyz=(0.0, 0.0, f.seat_height_mm * MM),
                axis=(0, 0, 1),
                lower=-travel,
                upper=travel,
            ),
            Joint("roll", "revolute", "axle", "chassis", axis=(1, 0, 0), lower=-_ROLL_LIMIT_RAD, upper=_ROLL_LIMIT_RAD),
        ],
    )


class SideVehicle(Entity):
    fault_kinds = SideFrames.FAULT_KINDS

    def __init__(
        self, world: World, vehicle: SideFrames, pack: PackSide, *, offset_mm, yaw_deg: float, laden_kg: float
    ):
        self.world = world
        self.spec = vehicle
        self.pack_spec = pack
        self.power = True  # the vehicle's low-voltage supply
        self.spring = HeaveSpring(vehicle.suspension, gravity_m_s2=world.physics.gravity_m_s2)
        self.body = world.load(
            build_vehicle_urdf(vehicle, pack),
            position=(offset_mm[0] * MM, offset_mm[1] * MM, 0.0),
            yaw_rad=float(np.radians(yaw_deg)),
            fixed=True,
        )
        joints = world.joint_indices(self.body)
        self.joint, self.roll_joint = joints["suspension"], joints["roll"]
        self.chassis_link = self.roll_joint
        self.k_roll = layout.roll_stiffness_nm_per_rad(vehicle)
        self.c_roll = vehicle.roll_damping_nm_s_per_deg * 180.0 / np.pi
        # Start at the static equilibrium of the load it carries: no bounce, no rock at t = 0.
        g = world.physics.gravity_m_s2
        pb.resetJointState(
            self.body, self.joint, self.spring.static_deflection_m(laden_kg, gravity_m_s2=g), physicsClientId=world.cid
        )
        roll0 = layout.roll_rad(vehicle, pack, removed_kg=0.0, gravity_m_s2=g)
        pb.resetJointState(self.body, self.roll_joint, roll0, physicsClientId=world.cid)
        for j in (self.joint, self.roll_joint):
            pb.setJointMotorControl2(self.body, j, pb.VELOCITY_CONTROL, force=0.0, physicsClientId=world.cid)
        self.H = pack.dimensions.height_mm * MM
        # A what-if on a pack whose flank has no frame (the pre-check refuses it) uses the vehicle's frames.
        self.frames = layout.swapped_frames(vehicle, pack) or list(vehicle.frames)
        self.y0 = layout.frame_y_m(vehicle, pack)
        self.port_local = np.array([vehicle.frame.lock_port_mm[0] * MM, vehicle.frame.lock_port_mm[1] * MM, 0.0])

    def before_step(self, dt: float) -> None:
        """The heave spring (with the sprung mass's preload) and the roll spring, every physics step."""
        cid = self.world.cid
        self.spring.step(self.body, self.joint, cid)
        r, rd = pb.getJointState(self.body, self.roll_joint, physicsClientId=cid)[:2]
        torque = -self.k_roll * r - self.c_roll * rd
        pb.setJointMotorControl2(self.body, self.roll_joint, pb.TORQUE_CONTROL, force=torque, physicsClientId=cid)

    def apply_fault(self, fault, *, active: bool) -> None:
        if fault.kind == "latch_power_loss":
            self.power = not active
        elif fault.kind == "suspension_sag":
            self.spring.sag(fault.factor, active=active)
        else:
            super().apply_fault(fault, active=active)

    def deflection_m(self) -> float:
        return pb.getJointState(self.body, self.joint, physicsClientId=self.world.cid)[0]

    def roll_deg(self) -> float:
        return float(np.degrees(pb.getJointState(self.body, self.roll_joint, physicsClientId=self.world.cid)[0]))

    def far_installed_pose(self, place) -> Pose:
        """A pack's frame seated in a frame of the far flank (turned to face out of it)."""
        chassis = self.world.link_frame(self.body, self.chassis_link)
        seat = chassis.offset([place.x_mm * MM, -self.y0, self.H])
        return Pose(seat.p, seat.R @ Pose.from_xyz_yaw(0.0, 0.0, 0.0, np.pi).R)

    def seat_pose(self, index: int = 0) -> Pose:
        """A frame's seat plane (a seated pack's bottom-face centre), moving with the chassis."""
        return self.world.link_frame(self.body, self.chassis_link).offset([self.frames[index].x_mm * MM, self.y0, 0.0])

    def installed_pose(self, index: int = 0) -> Pose:
        """Where a pack's frame (top-face centre) is when it sits in frame ``index``."""
        return self.seat_pose(index).offset([0.0, 0.0, self.H])
