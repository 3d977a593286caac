"""What every lock model provides, and how a lock holds a pack in pybullet.

A lock *model* is plain physics with no pybullet in it: it integrates its own
state (pressure, pin stroke, coil current, pawl angle...) and says, from its own
law, whether it is engaged and what it can hold. pybullet's reaction forces are
noisy and are never the measurement (measured.md, pitfall 7).

The station turns the model's verdict into physics with ``LockJoint``: a
point-to-point constraint between the pack and the vehicle at the lock's
anchor, created at the pose the bodies are in (no snapping, no teleport) when
the model says engaged, with its force capped at the model's holding force,
and removed the moment the model says released.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from twin.frames import Pose
from twin.world import World, pb


@dataclass(frozen=True)
class LockContext:
    """What the station tells a lock model each control period.

    ``offset_m``: the pack's lock feature relative to the vehicle's lock
    anchor, in the lock's frame: x along the lock's axis (a pin's direction of
    travel), z up (vertical, the retention direction); an unseated pack shows
    as a negative z. ``tool_coupled``: the station's lock tool reaches this
    lock, so commands act and the tool's supply (pressure, release stroke) is
    available. ``vehicle_power``: the vehicle's low-voltage supply is on (what
    keeps a power-to-hold latch energised). ``carried_load_n``: the share of
    the pack's weight this lock carries, from the static support state (zero
    while the rig supports the pack), never from pybullet's reaction forces.
    """

    offset_m: np.ndarray
    tool_coupled: bool
    vehicle_power: bool
    carried_load_n: float


class LockModel(Protocol):
    """A lock type's physics. One instance per lock. No pybullet in here.

    ``channels``: names of the lock's status sensors; each reads two
    redundant channels ([A, B]) in ``sensors()``. ``nominal_engage_time_s``:
    how long engaging takes when all goes well (the controller's timeouts).
    ``insertion_force_n()``: the force along +z that the lock exerts on the
    pack this period by its own law (negative resists an inserting pack, as a
    clip's ramp does; positive pulls it in, as a latch's magnet does); the
    station applies it in pybullet.
    """

    lock_type: str
    channels: tuple[str, ...]

    def command(self, action: str) -> None: ...

    def update(self, dt: float, ctx: LockContext) -> None: ...

    @property
    def engaged(self) -> bool: ...

    @property
    def nominal_engage_time_s(self) -> float: ...

    def holding_force_n(self) -> float: ...

    def insertion_force_n(self) -> float: ...

    def sensors(self) -> dict[str, list[bool]]: ...

    def truth(self) -> dict: ...


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
