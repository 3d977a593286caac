"""How a lock holds a pack in pybullet.

The station turns a lock model's verdict into physics with ``LockJoint``: a
point-to-point constraint between the pack and the vehicle at the lock's
anchor, created at the pose the bodies are in (no snapping, no teleport) when
the model says engaged, with its force capped at the model's holding force,
and removed the moment the model says released.
"""

from __future__ import annotations

import numpy as np

from twin.frames import Pose
from twin.world import World, pb


class LockJoint:
    """The pybullet side of one lock: a capped point-to-point constraint.

    The parent is the body (and link) the lock is mounted on: a vehicle's body
    or chassis link, or a rig's spreader. ``anchor_world``, if given to
    ``sync``, is where the lock is now; a lock on a moving parent (a truck's
    sprung chassis, a spreader) must pass it, a fixed one may rely on the
    anchor given at construction.
    """

    def __init__(self, world: World, *, vehicle_body: int, anchor_local, vehicle_pose: Pose, vehicle_link: int = -1):
        self.world = world
        self.parent_body = vehicle_body
        self.parent_link = vehicle_link
        self.anchor_world = vehicle_pose.apply(anchor_local)
        self.constraint: int | None = None
        self.pack_body: int | None = None

    def sync(self, *, engaged: bool, holding_force_n: float, pack_body: int | None, anchor_world=None) -> None:
        if anchor_world is not None:
            self.anchor_world = np.asarray(anchor_world, dtype=float)
        if engaged and pack_body is not None and self.pack_body not in (None, pack_body):
            self._detach()  # a different pack: never carry a constraint over
        if engaged and pack_body is not None:
            if self.constraint is None:
                self._attach(pack_body)
            pb.changeConstraint(self.constraint, maxForce=max(holding_force_n, 0.0), physicsClientId=self.world.cid)
        elif self.constraint is not None:
            self._detach()

    def _detach(self) -> None:
        pb.removeConstraint(self.constraint, physicsClientId=self.world.cid)
        self.constraint = None
        self.pack_body = None

    def _parent_com_pose(self) -> Pose:
        cid = self.world.cid
        if self.parent_link < 0:
            return Pose.from_pb(*pb.getBasePositionAndOrientation(self.parent_body, physicsClientId=cid))
        state = pb.getLinkState(self.parent_body, self.parent_link, computeForwardKinematics=1, physicsClientId=cid)
        link_world_position, link_world_orientation = state[0], state[1]  # the link's centre of mass
        return Pose.from_pb(link_world_position, link_world_orientation)

    def _attach(self, pack_body: int) -> None:
        cid = self.world.cid
        # Constraint frames are relative to each body's centre of mass; build
        # them from the bodies' current poses so nothing moves on creation.
        ppos, porn = pb.getBasePositionAndOrientation(pack_body, physicsClientId=cid)
        in_parent = self._parent_com_pose().inverse().apply(self.anchor_world)
        in_pack = Pose.from_pb(ppos, porn).inverse().apply(self.anchor_world)
        self.constraint = pb.createConstraint(
            parentBodyUniqueId=self.parent_body,
            parentLinkIndex=self.parent_link,
            childBodyUniqueId=pack_body,
            childLinkIndex=-1,
            jointType=pb.JOINT_POINT2POINT,
            jointAxis=[0.0, 0.0, 0.0],
            parentFramePosition=in_parent.tolist(),
            childFramePosition=in_pack.tolist(),
            physicsClientId=cid,
        )
        self.pack_body = pack_body
