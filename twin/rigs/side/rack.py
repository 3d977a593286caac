"""The storage racks behind the carrier: per slot two ledges like a side frame's, the space between them free
for the tray to slide in under a stored pack."""

from __future__ import annotations

from twin.frames import Pose
from twin.rigs.side.schema import RackStorage
from twin.rigs.side.vehicle import frame_ledges
from twin.schema.pack import PackSide
from twin.urdf.model import Inertial, Link, Robot
from twin.world import World, pb

MM = 1e-3


def build_rack_urdf(storage: RackStorage, pack: PackSide) -> Robot:
    shapes = []
    for slot in storage.slots:
        shapes += frame_ledges(
            pack,
            x0_m=slot.x_mm * MM,
            y0_m=storage.y_mm * MM,
            z_top_m=storage.seat_height_mm * MM,
            width_mm=storage.ledge_width_mm,
            height_mm=storage.ledge_height_mm,
        )
    return Robot(
        name="side_racks",
        links=[Link("racks", Inertial.box(mass_kg=1000.0, size=(1.0, 1.0, 1.0)), shapes, rgba=(0.5, 0.45, 0.3, 1.0))],
    )


class Racks:
    def __init__(self, world: World, storage: RackStorage, pack: PackSide):
        self.spec = storage
        self.body = world.load(build_rack_urdf(storage, pack), position=(0.0, 0.0, 0.0), fixed=True)
        pb.changeDynamics(self.body, -1, lateralFriction=pack.friction, physicsClientId=world.cid)
        self.H = pack.dimensions.height_mm * MM

    def seat_pose(self, name: str) -> Pose:
        slot = next(s for s in self.spec.slots if s.name == name)
        return Pose.from_xyz_yaw(slot.x_mm * MM, self.spec.y_mm * MM, self.spec.seat_height_mm * MM, 0.0)

    def pack_pose(self, name: str) -> Pose:
        """A stored pack's frame (top-face centre)."""
        return self.seat_pose(name).offset([0.0, 0.0, self.H])
