"""A battery pack: its generated asset and the body in the world.

The asset is generated from the brand's data (``twin.schema.Pack``): outer
box, side flanges, locating pins on the top face, chamfered blind holes in the
bottom face for the rig's pins. Inertia is written analytically from the mass
and CoG (pybullet would otherwise derive it from the collision shapes).

The link frame is the centre of the top face, the pack's interface plane.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from twin.frames import Pose
from twin.schema.pack import HOLE_WALL_MM, Pack, PackSide, PackTopLift, PackUnderbody
from twin.schema.scenario import PackDeviation
from twin.urdf.cache import staged_name
from twin.urdf.features import Hole, locating_pin, plate_with_holes
from twin.urdf.model import Box, Inertial, Link, Mesh, Robot
from twin.world import World, pb

MM = 1e-3
_HOLE_WALL_MM = HOLE_WALL_MM


def build_pack_urdf(pack: Pack) -> Robot:
    if pack.form == "top_lift":
        return _build_top_lift(pack)
    if pack.form == "side":
        return _build_side(pack)
    return _build_underbody(pack)


def _build_underbody(pack: PackUnderbody) -> Robot:
    L, W, H = (pack.dimensions.length_mm * MM, pack.dimensions.width_mm * MM, pack.dimensions.height_mm * MM)
    holes = [
        Hole(x * MM, y * MM, pack.rig_holes.diameter_mm * MM, pack.rig_holes.chamfer_mm * MM)
        for x, y in pack.rig_holes.positions_mm
    ]
    # The base plate is as thick as the holes are deep; the body box above
    # closes them, which makes them blind.
    base_t = pack.rig_holes.depth_mm * MM
    shapes = [Box(size=(L, W, H - base_t), xyz=(0.0, 0.0, -(H - base_t) / 2.0))]
    shapes += plate_with_holes(
        length_m=L, width_m=W, thickness_m=base_t, holes=holes, wall_m=_HOLE_WALL_MM * MM, z0_m=-H, entry="bottom"
    )
    fw, ft = pack.flange.width_mm * MM, pack.flange.thickness_mm * MM
    flanges = [Box(size=(L, fw, ft), xyz=(0.0, s * (W / 2.0 + fw / 2.0), -ft / 2.0)) for s in (-1.0, 1.0)]
    pin_d, pin_l = pack.locating_pins.diameter_mm * MM, pack.locating_pins.length_mm * MM
    pins = [
        locating_pin(x_m=x * MM, y_m=y * MM, z_base_m=0.0, diameter_m=pin_d, length_m=pin_l)
        for x, y in pack.locating_pins.positions_mm
    ]
    shapes += flanges + pins
    visuals = [Box(size=(L, W, H), xyz=(0.0, 0.0, -H / 2.0))] + flanges + pins
    return _robot(pack, shapes, visuals)


def _build_top_lift(pack: PackTopLift) -> Robot:
    """Body box, chamfered cone sockets in the bottom face, corner castings on top."""
    L, W, H = (pack.dimensions.length_mm * MM, pack.dimensions.width_mm * MM, pack.dimensions.height_mm * MM)
    cs = pack.cone_sockets
    holes = [Hole(x * MM, y * MM, cs.diameter_mm * MM, cs.chamfer_mm * MM) for x, y in cs.positions_mm]
    base_t = cs.depth_mm * MM
    shapes = [Box(size=(L, W, H - base_t), xyz=(0.0, 0.0, -(H - base_t) / 2.0))]
    shapes += plate_with_holes(
        length_m=L, width_m=W, thickness_m=base_t, holes=holes, wall_m=_HOLE_WALL_MM * MM, z0_m=-H, entry="bottom"
    )
    lp = pack.lifting_points
    c, ch = lp.casting_size_mm * MM, lp.casting_height_mm * MM
    castings = [Box(size=(c, c, ch), xyz=(x * MM, y * MM, ch / 2.0)) for x, y in lp.positions_mm]
    shapes += castings
    visuals = [Box(size=(L, W, H), xyz=(0.0, 0.0, -H / 2.0))] + castings
    return _robot(pack, shapes, visuals)


def _build_side(pack: PackSide) -> Robot:
    """Body box and the guide rails along its two long side walls."""
    L, W, H = (pack.dimensions.length_mm * MM, pack.dimensions.width_mm * MM, pack.dimensions.height_mm * MM)
    r = pack.rails
    rl, rs, rz = r.length_mm * MM, r.size_mm * MM, -H + r.height_mm * MM
    rails = [Box(size=(rl, rs, rs), xyz=(0.0, s * (W + rs) / 2.0, rz)) for s in (-1.0, 1.0)]
    body = Box(size=(L, W, H), xyz=(0.0, 0.0, -H / 2.0))
    return _robot(pack, [body, *rails], [body, *rails])


def _robot(pack: Pack, shapes, visuals) -> Robot:
    L, W, H = (pack.dimensions.length_mm * MM, pack.dimensions.width_mm * MM, pack.dimensions.height_mm * MM)
    vm = pack.visual_mesh
    if vm.path is not None:
        # The brand's mesh replaces the plain body box (the first visual); the
        # cache stages the file beside the URDF under its content hash.
        visuals = [
            Mesh(
                filename=staged_name(vm.path),
                source=vm.path,
                scale=tuple(vm.scale),
                xyz=tuple(v * MM for v in vm.xyz_mm),
            )
        ] + visuals[1:]
    cog = (pack.cog_mm[0] * MM, pack.cog_mm[1] * MM, pack.cog_mm[2] * MM)
    inertial = Inertial.box(mass_kg=pack.mass_kg, size=(L, W, H), com=cog)
    return Robot(
        name=f"pack_{pack.family_id}",
        links=[Link("pack", inertial, shapes, visuals=visuals, rgba=(0.15, 0.35, 0.75, 1.0))],
    )


def lock_points(pack: Pack) -> list[np.ndarray]:
    """Where a pack's lock features are, in the pack frame."""
    if pack.form == "underbody":
        z = -pack.flange.thickness_mm * MM / 2.0  # lugs at the flanges' mid-plane
    else:
        z = -pack.dimensions.height_mm * MM  # castings or lugs in the bottom face
    return [np.array([x * MM, y * MM, z]) for x, y in pack.locks.positions_mm]


def interface_face_z(pack: Pack) -> float:
    """z of the face that meets the vehicle, in the pack frame."""
    return 0.0 if pack.form == "underbody" else -pack.dimensions.height_mm * MM


def connector_point(pack: Pack) -> np.ndarray:
    return np.array([pack.connector.position_mm[0] * MM, pack.connector.position_mm[1] * MM, interface_face_z(pack)])


def with_deviation(pack: Pack, dev: PackDeviation) -> Pack:
    """One manufactured pack: the family's data moved by its deviations. The
    locating pins (the datum) stay where they are; the outline, the mass, the
    connector and the lock anchors move."""
    d = pack.dimensions
    dims = dataclasses.replace(
        d,
        length_mm=d.length_mm + dev.length_mm,
        width_mm=d.width_mm + dev.width_mm,
        height_mm=d.height_mm + dev.height_mm,
    )
    conn = dataclasses.replace(
        pack.connector, position_mm=[a + b for a, b in zip(pack.connector.position_mm, dev.connector_mm)]
    )
    lock_pos = [list(p) for p in pack.locks.positions_mm]
    for i, (dx, dy) in enumerate(dev.lock_mm[: len(lock_pos)]):
        lock_pos[i] = [lock_pos[i][0] + dx, lock_pos[i][1] + dy]
    locks = dataclasses.replace(pack.locks, positions_mm=lock_pos)
    return dataclasses.replace(pack, dimensions=dims, mass_kg=pack.mass_kg + dev.mass_kg, connector=conn, locks=locks)


class PackBody:
    """A pack in the world. ``role`` is its part in the swap ("depleted", "charged").

    ``lock_points`` and ``connector_point`` are where this unit's features
    actually are (in its frame): with manufacturing deviations they differ
    from the family's nominal ones, which is where the vehicle expects them."""

    def __init__(self, world: World, pack: Pack, *, role: str, pose: Pose):
        self.world = world
        self.spec = pack
        self.role = role
        self.mass_kg = pack.mass_kg
        self.height_m = pack.dimensions.height_mm * MM
        self.lock_points = lock_points(pack)
        self.connector_point = connector_point(pack)
        self.body = world.load(build_pack_urdf(pack), position=(0, 0, 0), fixed=False)
        # The URDF's link frame is the top-face centre, but pybullet places and
        # reports a base by its centre of mass: convert once, here.
        pos, orn = pb.getBasePositionAndOrientation(self.body, physicsClientId=world.cid)
        self._com_in_link = Pose.from_pb(pos, orn).p.copy()
        self.place(pose)
        pb.changeDynamics(self.body, -1, lateralFriction=pack.friction, physicsClientId=world.cid)

    def place(self, pose: Pose) -> None:
        """Initial placement only (scenario set-up), never during a run."""
        com = pose.apply(self._com_in_link)
        yaw = pose.yaw_rad
        pb.resetBasePositionAndOrientation(
            self.body, com.tolist(), pb.getQuaternionFromEuler((0.0, 0.0, yaw)), physicsClientId=self.world.cid
        )

    def com_pose(self) -> Pose:
        pos, orn = pb.getBasePositionAndOrientation(self.body, physicsClientId=self.world.cid)
        return Pose.from_pb(pos, orn)

    def pose(self) -> Pose:
        """Pose of the pack frame (top-face centre)."""
        c = self.com_pose()
        return Pose(c.p - c.R @ self._com_in_link, c.R)

    def velocity(self):
        lin, ang = pb.getBaseVelocity(self.body, physicsClientId=self.world.cid)
        return lin, ang
