"""The storage rack: slots of two rails that carry a pack by its side flanges.

The rails leave the space under a stored pack free, so the shuttle's pallet can
rise under it and its pins can find the pack's bottom holes.
"""

from __future__ import annotations

from twin.frames import Pose
from twin.rigs.under_chassis.schema import Storage
from twin.schema.pack import Pack
from twin.urdf.model import Box, Inertial, Link, Robot
from twin.world import World, pb

MM = 1e-3
_RAIL_HEIGHT_MM = 40.0
# Rails run this much longer than the pack, so a pack placed off-centre still rests on them.
_RAIL_OVERHANG_MM = 100.0
# What holds the rails up (visual only): a post under each rail end (D). No beam joins them
# across: the shuttle's track runs between them.
_POST_MM = 60.0


def rail_top_m(storage: Storage, pack: Pack) -> float:
    return (storage.pack_bottom_mm + pack.dimensions.height_mm - pack.flange.thickness_mm) * MM


def build_rack_urdf(storage: Storage, pack: Pack) -> Robot:
    L = pack.dimensions.length_mm * MM + 2 * _RAIL_OVERHANG_MM * MM
    y_rail = (pack.dimensions.width_mm / 2.0 + pack.flange.width_mm / 2.0) * MM
    h = _RAIL_HEIGHT_MM * MM
    z = rail_top_m(storage, pack) - h / 2.0
    shapes = []
    for slot in storage.slots:
        for s in (-1.0, 1.0):
            shapes.append(Box(size=(L, storage.rail_width_mm * MM, h), xyz=(slot.x_mm * MM, s * y_rail, z)))
    # Posts from the floor to each rail's ends, and one at its middle.
    post, below = _POST_MM * MM, z - h / 2
    posts = []
    for slot in storage.slots:
        for dx in (-(L / 2 - post / 2), 0.0, L / 2 - post / 2):
            x = slot.x_mm * MM + dx
            posts += [Box(size=(post, post, below), xyz=(x, s * y_rail, below / 2)) for s in (-1.0, 1.0)]
    return Robot(
        name="rack",
        links=[
            Link(
                "rack",
                Inertial.box(mass_kg=1000.0, size=(1.0, 1.0, 1.0)),
                shapes,
                visuals=shapes + posts,
                rgba=(0.5, 0.45, 0.3, 1.0),
            )
        ],
    )


class Rack:
    def __init__(self, world: World, storage: Storage, pack: Pack):
        self.world = world
        self.spec = storage
        self.body = world.load(build_rack_urdf(storage, pack), position=(0.0, 0.0, 0.0), fixed=True)
        pb.changeDynamics(self.body, -1, lateralFriction=storage.rail_friction, physicsClientId=world.cid)
        self.pack_top_m = (storage.pack_bottom_mm + pack.dimensions.height_mm) * MM

    def slot_pose(self, name: str) -> Pose:
        """Nominal pose of a pack frame (top-face centre) stored in slot ``name``."""
        slot = next(s for s in self.spec.slots if s.name == name)
        return Pose.from_xyz_yaw(slot.x_mm * MM, 0.0, self.pack_top_m, 0.0)
