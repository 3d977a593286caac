"""A bus or truck whose packs sit in side frames: a chassis on compliant suspension with frames on its flank.

Like the cab-back truck (``twin/entities/truck.py``), the chassis is one
link on a vertical prismatic joint above a base fixed at the parked pose,
the suspension a linear spring and damper acting on that joint every physics
step with the sprung mass's weight taken by the spring's preload: unladen,
the frames' seat planes sit at ``frame.seat_height_mm``; the packs it
carries sink it by m g / k. Roll is not modelled (heave only, documented).

The station faces the flank being swapped (world +y). Only that flank's
frames are built; each is two ledges across it, under the pack's seat
points' ends, with the body inboard of the frames.

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
from twin.world import World, pb

MM = 1e-3
# The body's floor above the frames' seat plane, and how far inboard of the frames it stands (D).
_BODY_FLOOR_MM = 300.0
_BODY_GAP_MM = 60.0


def frame_ledges(pack: PackSide, *, x0_m: float, y0_m: float, z_top_m: float, width_mm: float, height_mm: float):
    """The two ledges of one frame (or rack slot) whose seat plane is at z_top_m, centred at (x0, y0)."""
    lx, w, h = layout.ledge_x_m(pack), width_mm * MM, height_mm * MM
    depth = pack.dimensions.width_mm * MM
    return [Box(size=(w, depth, h), xyz=(x0_m + s * lx, y0_m, z_top_m - h / 2.0)) for s in (-1.0, 1.0)]


def build_vehicle_urdf(vehicle: SideFrames, pack: PackSide) -> Robot:
    f, b = vehicle.frame, vehicle.body
    y0 = layout.frame_y_m(vehicle, pack)
    shapes = []
    for place in layout.swapped_frames(vehicle, pack) or vehicle.frames:
        shapes += frame_ledges(
            pack, x0_m=place.x_mm * MM, y0_m=y0, z_top_m=0.0, width_mm=f.ledge_width_mm, height_mm=f.ledge_height_mm
        )
    # The body inboard of the frames: from the far flank to the frames' inner wall, floor to roof.
    inner = y0 - pack.dimensions.width_mm * MM / 2 - (pack.rails.size_mm + _BODY_GAP_MM) * MM
    far = -b.width_mm * MM / 2
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
            Link("chassis", chassis, shapes, rgba=(0.2, 0.55, 0.3, 1.0)),
        ],
        joints=[
            Joint(
                "suspension",
                "prismatic",
                "ground",
                "chassis",
                xyz=(0.0, 0.0, f.seat_height_mm * MM),
                axis=(0, 0, 1),
                lower=-travel,
                upper=travel,
            )
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
        self.k_n_per_m = vehicle.suspension.stiffness_n_per_mm / MM
        self.c_n_s_per_m = vehicle.suspension.damping_n_s_per_mm / MM
        self.preload_n = vehicle.suspension.sprung_mass_kg * world.physics.gravity_m_s2
        self.body = world.load(
            build_vehicle_urdf(vehicle, pack),
            position=(offset_mm[0] * MM, offset_mm[1] * MM, 0.0),
            yaw_rad=float(np.radians(yaw_deg)),
            fixed=True,
        )
        self.joint = world.joint_indices(self.body)["suspension"]
        self.chassis_link = self.joint
        pb.resetJointState(
            self.body, self.joint, -laden_kg * world.physics.gravity_m_s2 / self.k_n_per_m, physicsClientId=world.cid
        )
        pb.setJointMotorControl2(self.body, self.joint, pb.VELOCITY_CONTROL, force=0.0, physicsClientId=world.cid)
        self.H = pack.dimensions.height_mm * MM
        # A what-if on a pack whose flank has no frame (the pre-check refuses it) uses the vehicle's frames.
        self.frames = layout.swapped_frames(vehicle, pack) or list(vehicle.frames)
        self.y0 = layout.frame_y_m(vehicle, pack)
        self.port_local = np.array([vehicle.frame.lock_port_mm[0] * MM, vehicle.frame.lock_port_mm[1] * MM, 0.0])

    def before_step(self, dt: float) -> None:
        q, qd = pb.getJointState(self.body, self.joint, physicsClientId=self.world.cid)[:2]
        force = self.preload_n - self.k_n_per_m * q - self.c_n_s_per_m * qd
        pb.setJointMotorControl2(self.body, self.joint, pb.TORQUE_CONTROL, force=force, physicsClientId=self.world.cid)

    def apply_fault(self, fault, *, active: bool) -> None:
        if fault.kind == "latch_power_loss":
            self.power = not active
        elif fault.kind == "suspension_sag":
            self.k_n_per_m *= fault.factor if active else 1.0 / fault.factor
        else:
            super().apply_fault(fault, active=active)

    def deflection_m(self) -> float:
        return pb.getJointState(self.body, self.joint, physicsClientId=self.world.cid)[0]

    def seat_pose(self, index: int = 0) -> Pose:
        """A frame's seat plane (a seated pack's bottom-face centre), moving with the chassis."""
        return self.world.link_frame(self.body, self.chassis_link).offset([self.frames[index].x_mm * MM, self.y0, 0.0])

    def installed_pose(self, index: int = 0) -> Pose:
        """Where a pack's frame (top-face centre) is when it sits in frame ``index``."""
        return self.seat_pose(index).offset([0.0, 0.0, self.H])
