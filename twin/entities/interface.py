"""The pack-to-vehicle interface of a station: locks, connector, and their events.

Shared by every station. A station tells it where an installed pack would be
(``installed``, a world pose that moves with a sprung chassis) and in which
direction a pack goes in (``insertion_sign``: +1 when the rig pushes the pack
up into a car's bay, -1 when it sets a pack down onto a truck's cradle); from
the packs' true poses it works out which pack sits at the seat, the offsets
each lock model and the connector see, and it turns the lock models' verdicts
into pybullet constraints (``LockJoint``) and their own forces into external
forces on the pack.

Offsets follow ``LockContext``: x, y in the seat plane, z along the insertion,
negative while the pack is not fully in.

Faults it takes: those of its lock type (``lock_jam`` and the type's own),
each aimed at one lock by index and applied by that lock's model.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from swapwire.station import LockGroup
from twin.entities.base import Entity
from twin.entities.connector import Connector
from twin.entities.hazards import hazard
from twin.entities.pack import PackBody, connector_point, lock_points
from twin.frames import Pose
from twin.locks import lock_type, make_lock
from twin.locks.base import LockContext, LockModel
from twin.locks.joint import LockJoint
from twin.world import World, pb

MM = 1e-3


class VehicleInterface(Entity):
    def __init__(
        self,
        world: World,
        *,
        pack,
        lock_cfg,
        vehicle_body: int,
        vehicle_link: int,
        installed: Callable[[], Pose],
        insertion_sign: float,
        engaged: bool,
        gravity_m_s2: float,
        capture_m: float,
    ):
        self.world = world
        self.installed = installed
        self.sign = insertion_sign
        self.g = gravity_m_s2
        self.capture_m = capture_m
        self.points = lock_points(pack)
        self.locks: list[LockModel] = [make_lock(lock_cfg, engaged=engaged) for _ in self.points]
        self.fault_kinds = lock_type(lock_cfg.type).all_fault_kinds  # type: ignore[misc]
        pose = installed()
        self.joints = [
            LockJoint(world, vehicle_body=vehicle_body, vehicle_link=vehicle_link, anchor_local=p, vehicle_pose=pose)
            for p in self.points
        ]
        self.ids = [str(i) for i in range(len(self.locks))]
        self.connector = Connector(pack.connector, face_z_m=connector_point(pack)[2])
        self.pack: PackBody | None = None  # the pack at the seat, if any
        self.rel: Pose | None = None  # that pack relative to its installed pose
        self._engaged = [lk.engaged for lk in self.locks]
        self._mated = False

    def apply_fault(self, fault, *, active: bool) -> None:
        self.locks[fault.lock].apply_fault(fault.kind, active=active, rate=fault.rate)

    def before_step(self, dt: float) -> None:
        self.apply_forces()

    # -- geometry ------------------------------------------------------------
    def _offset(self, rel: Pose, actual: np.ndarray, nominal: np.ndarray) -> np.ndarray:
        """A pack feature (where it actually is on this unit) relative to where
        the vehicle expects it, along the insertion axis."""
        o = rel.apply(actual) - nominal
        o[2] *= self.sign
        return o

    def find_pack(self, poses: dict[str, Pose], packs: list[PackBody]) -> None:
        """The pack nearest its installed pose, within the capture distance."""
        inst = self.installed()
        best, best_d = None, math.inf
        for p in packs:
            rel = poses[p.role].relative_to(inst)
            d = float(np.linalg.norm(rel.p))
            if d < self.capture_m and d < best_d:
                best, best_d, self.rel = p, d, rel
        self.pack = best
        if best is None:
            self.rel = None

    # -- one control period -----------------------------------------------------
    def update(
        self, dt: float, t_s: float, *, tool_coupled: bool, vehicle_power: bool, supported: bool, push_n: float
    ) -> list[dict]:
        """Advance the lock models and the connector; sync the constraints.
        ``supported``: the rig or the vehicle's seat carries the pack's weight,
        so the locks carry none of it."""
        events: list[dict] = []
        inst = self.installed()
        n = len(self.locks)
        load = 0.0 if (self.pack is None or supported) else self.pack.mass_kg * self.g / n
        for i, (lock, joint, point) in enumerate(zip(self.locks, self.joints, self.points)):
            offset = (
                self._offset(self.rel, self.pack.lock_points[i], point)
                if self.pack is not None
                else np.array([0.0, 1.0, -1.0])
            )  # nothing there
            ctx = LockContext(
                offset_m=offset, tool_coupled=tool_coupled, vehicle_power=vehicle_power, carried_load_n=load
            )
            lock.update(dt, ctx)
            joint.sync(
                engaged=lock.engaged,
                holding_force_n=lock.holding_force_n(),
                pack_body=self.pack.body if self.pack else None,
                anchor_world=inst.apply(point),
            )
            if lock.engaged != self._engaged[i]:
                self._engaged[i] = lock.engaged
                events.append({"event": "lock", "lock": str(i), "engaged": lock.engaged, "t_s": t_s})
                if not lock.engaged and load > 0.0:
                    events.append(
                        hazard("released_under_load", t_s, lock=str(i), pack=self.pack.role, carried_n=round(load, 1))
                    )
        c = np.array([0.0, 0.0, -1.0])  # nothing there
        if self.pack is not None:
            c = self._offset(self.rel, self.pack.connector_point, self.connector.point_local)
            self.connector.update(c, self.rel.yaw_rad, push_n=push_n)
        else:
            self.connector.update(c, 0.0, push_n=0.0)
        if self.connector.mated and not self._mated:
            r = self.rel
            events.append(
                {
                    "event": "mating",
                    "pack": self.pack.role,
                    "t_s": t_s,
                    # x, y: the pack's frame (its datum) in the seat; z: its interface face along the insertion
                    "x_mm": float(r.p[0] / MM),
                    "y_mm": float(r.p[1] / MM),
                    "z_mm": float(c[2] / MM),
                    "yaw_deg": math.degrees(r.yaw_rad),
                }
            )
        self._mated = self.connector.mated
        return events

    def apply_forces(self) -> None:
        """Per physics step: the connector's and the locks' own forces on the pack,
        along the insertion axis (they are cleared by pybullet after each step)."""
        if self.pack is None:
            return
        along = self.installed().R[:, 2] * self.sign  # world direction of insertion
        f = -self.connector.force_n if self.connector.resisting else 0.0
        total = f + sum(lk.insertion_force_n() for lk in self.locks)
        if total != 0.0:
            com = self.pack.com_pose().p
            pb.applyExternalForce(
                self.pack.body,
                -1,
                (along * total).tolist(),
                com.tolist(),
                pb.WORLD_FRAME,
                physicsClientId=self.world.cid,
            )

    # -- reports ----------------------------------------------------------------
    def sensors(self) -> dict[str, dict[str, tuple[bool, bool]]]:
        return {lid: lock.sensors() for lid, lock in zip(self.ids, self.locks)}

    def by_id(self) -> dict[str, LockModel]:
        return dict(zip(self.ids, self.locks))

    def truth(self) -> list[dict]:
        return [dict(lock.truth(), id=lid) for lid, lock in zip(self.ids, self.locks)]

    def describe(self) -> LockGroup:
        return describe_locks(self.locks, self.ids)


def describe_locks(locks: list[LockModel], ids: list[str]) -> LockGroup:
    """A lock group as the station description publishes it."""
    first = locks[0]
    return LockGroup(
        type=first.lock_type,
        count=len(locks),
        ids=list(ids),
        channels={name: 2 for name in first.channels},
        engage_time_s=first.nominal_engage_time_s,
        engaged_when=dict(first.engaged_when),
        released_when=dict(first.released_when),
        after_engage=first.after_engage,  # type: ignore[arg-type]
    )
