"""The under-chassis swap station: lane with a clamped car, shuttle, storage rack.

This composes the entities (car, packs, rack, shuttle, locks, connector) into a
station that speaks in the terms of the wire: it publishes a station
description, takes one command per control period, advances the physics by one
period, and reports the sensors a real station's I/O would read. Ground truth
(poses, lock states, contact and connector forces, hazards) goes out separately
through ``truth()`` and ``events()``, for the observer channel only.

Initial state: the depleted pack is in the car with its locks engaged, the
charged pack lies in the rack's ``charged`` slot, the shuttle is at home with
its float locked.
"""

from __future__ import annotations

import math

import numpy as np

from controllers import wire
from twin.connector import Connector
from twin.drives import DriveGroup
from twin.frames import Pose
from twin.hazards import HazardMonitor
from twin.locks.base import LockContext, LockJoint
from twin.locks.hydraulic_pin import HydraulicPinLock
from twin.pack import PackBody
from twin.schema.physics import substeps
from twin.schema.plant import PlantConfig
from twin.sensors import LoadCell, Vision, quantize
from twin.shuttle import AXES, Shuttle
from twin.storage import Rack
from twin.vehicle import Car
from twin.world import World, pb

MM = 1e-3
LOCK_MODELS = {"hydraulic_pin": HydraulicPinLock}


class UnderChassisStation:
    rig_family = "under_chassis"

    def __init__(self, cfg: PlantConfig, *, world: World | None = None):
        self.cfg = cfg
        self.period_s = cfg.wire.control_period_s
        self.substeps = substeps(cfg.physics, cfg.wire)
        self.dt = cfg.physics.step_s
        self.g = cfg.physics.gravity_m_s2
        self.rng = np.random.default_rng(cfg.seed)
        self.world = world or World(cfg.physics)
        pack, rig, sc = cfg.pack, cfg.rig, cfg.scenario
        self.H = pack.dimensions.height_mm * MM
        # 1. The lane: the car at its parked pose, the depleted pack in its bay.
        self.car = Car(self.world, cfg.vehicle, pack, offset_mm=sc.parking_offset_mm, yaw_deg=sc.parking_yaw_deg)
        self.packs = [PackBody(self.world, pack, role="depleted", pose=self.car.bay_pose)]
        # 2. Storage: the charged pack in its slot, with its placement error.
        self.rack = Rack(self.world, rig.storage, pack)
        charged_slot = next(s for s in rig.storage.slots if s.content == "charged")
        slot_pose = self.rack.slot_pose(charged_slot.name)
        off = np.array([sc.charged_pack_offset_mm[0] * MM, sc.charged_pack_offset_mm[1] * MM, 0.0])
        self.packs.append(PackBody(self.world, pack, role="charged", pose=Pose(slot_pose.p + off, slot_pose.R)))
        # 3. The shuttle and its drives.
        self.shuttle = Shuttle(self.world, rig)
        self.drives = DriveGroup(self.shuttle.specs, self.shuttle.positions(), timeout_periods=cfg.wire.command_timeout_periods)
        # 4. Locks: vehicle-side anchors at the pack's lock points (flange mid-plane).
        ft = pack.flange.thickness_mm * MM
        self.lock_points = [np.array([x * MM, y * MM, -ft / 2.0]) for x, y in pack.locks.positions_mm]
        model = LOCK_MODELS[cfg.lock.type]
        self.locks = [model(cfg.lock, engaged=True) for _ in self.lock_points]
        self.lock_joints = [
            LockJoint(self.world, vehicle_body=self.car.body, anchor_local=p, vehicle_pose=self.car.bay_pose) for p in self.lock_points
        ]
        self.lock_ids = [str(i) for i in range(len(self.locks))]
        self.connector = Connector(pack.connector)
        # 5. Sensors and monitors.
        self.load_cell = LoadCell(rig.load_cell, self.rng, initial_n=0.0)
        self.vision = Vision(rig.vision, self.rng)
        self.hazards = HazardMonitor(cfg.hazards, self.world, self.shuttle.body, self.car.body)
        self._events: list[dict] = []
        self._on_pallet = {p.role: False for p in self.packs}
        self._mated = False
        self._lock_engaged = [True] * len(self.locks)
        self._bay_pack: PackBody | None = None
        # The depleted pack hangs on its locks from the first step.
        self._snapshot()
        self._update_locks(0.0)
        self.frame_seq = 0
        self.last_cmd_id: int | None = None
        self._sense()
        self._events.clear()  # the initial state is not an event (the depleted pack starts mated)

    # -- the station as its description publishes it ---------------------------
    def describe(self) -> dict:
        cfg, rig, pack = self.cfg, self.cfg.rig, self.cfg.pack
        top0 = rig.pallet.top_at_lift_zero_mm * MM
        bay_bottom = cfg.vehicle.bay.seat_height_mm * MM - self.H
        stored_bottom = rig.storage.pack_bottom_mm * MM
        lift = next(s for s in self.shuttle.specs if s.name == "lift")
        return {
            "station_id": rig.name,
            "rig_family": self.rig_family,
            "clock": {"mode": cfg.clock, "control_period_s": self.period_s},
            "drives": {"command_timeout_periods": cfg.wire.command_timeout_periods, "on_timeout": "controlled stop, latched until reset_faults"},
            "axes": [s.describe() for s in self.shuttle.specs],
            "float": {"range": rig.float.range_mm * MM, "lock_time_s": rig.float.lock_time_s},
            "locks": {
                "type": cfg.lock.type,
                "count": len(self.locks),
                "ids": list(self.lock_ids),
                "channels": {name: 2 for name in self.locks[0].channels},
                "engage_time_s": self.locks[0].nominal_engage_time_s,
            },
            "sensors": {
                "load_cell": {"unit": "N", "meaning": "lift load beyond the shuttle's own moving mass"},
                "pack_present": {"channels": 2},
                "vision": {"fields": ["valid", "x", "y", "z", "yaw"], "meaning": "bay seat frame in the pallet's nominal frame", "unit": "m, rad"},
                "tool_coupled": {}, "connector_mated": {}, "float_locked": {},
            },
            "vehicle": {"vehicle_id": cfg.vehicle.vehicle_id, "model": cfg.vehicle.model, "class": cfg.vehicle.vehicle_class},
            "pack": {
                "family_id": pack.family_id,
                "mass_kg": pack.mass_kg,
                "length": pack.dimensions.length_mm * MM,
                "width": pack.dimensions.width_mm * MM,
                "height": self.H,
                "locating_pin_length": pack.locating_pins.length_mm * MM,
            },
            "positions": {
                "home": {s.name: s.home for s in self.shuttle.specs},
                "bay": {"travel": 0.0, "align": 0.0, "yaw": 0.0, "lift_contact": bay_bottom - top0},
                "slots": [
                    {"name": s.name, "content": s.content, "travel": s.x_mm * MM, "lift_contact": stored_bottom - top0}
                    for s in rig.storage.slots
                ],
                "lift_carry": stored_bottom - top0 + rig.storage.carry_clearance_mm * MM,
                "lift_low": lift.lower,
            },
            "limits": {"payload_kg": rig.payload_kg, "swap_time_limit_s": cfg.vehicle.swap_time_limit_s},
        }

    # -- one control period ------------------------------------------------------
    def apply(self, cmd: wire.Command | None, cmd_id: int | None = None) -> None:
        self.drives.on_period(cmd, self.shuttle.positions())
        if cmd is None:
            return
        self.last_cmd_id = cmd_id
        if cmd.float_lock is not None:
            self.shuttle.command_float_lock(cmd.float_lock)
        for lid, action in cmd.locks.items():
            targets = self.locks if lid == "all" else [self.locks[int(lid)]]
            for lock in targets:
                lock.command(action)

    def advance(self) -> None:
        sh, drives = self.shuttle, self.drives
        for _ in range(self.substeps):
            sh.read()
            drives.step(self.dt, sh.positions())
            sh.actuate(drives, self.dt)
            if self._bay_pack is not None and self.connector.resisting:
                down = -self.car.bay_pose.R[:, 2] * self.connector.spec.mating_force_n
                pb.applyExternalForce(
                    self._bay_pack.body, -1, down.tolist(), self._bay_pack.com_pose().p.tolist(), pb.WORLD_FRAME,
                    physicsClientId=self.world.cid,
                )
            self.world.step()
        sh.read()
        self.frame_seq += 1
        self._snapshot()
        self._update_locks(self.period_s)
        self._sense()

    # -- model updates at the control period -----------------------------------
    def _snapshot(self) -> None:
        """Read every pose once per control period; the models below share it."""
        self.pose = {p.role: p.pose() for p in self.packs}
        self.in_bay = {role: pose.relative_to(self.car.bay_pose) for role, pose in self.pose.items()}
        self.pallet = self.shuttle.pallet_pose()
        self.on_pallet_rel = {role: pose.relative_to(self.pallet) for role, pose in self.pose.items()}

    def _pack_at_bay(self) -> PackBody | None:
        bay, best, best_z = self.cfg.vehicle.bay, None, -math.inf
        for p in self.packs:
            x, y, z = self.in_bay[p.role].p
            if abs(x) < bay.length_mm * MM / 2 and abs(y) < bay.width_mm * MM / 2 and -self.H - 0.3 < z < 0.05 and z > best_z:
                best, best_z = p, z
        return best

    def _on_pallet_now(self, p: PackBody) -> bool:
        rel = self.on_pallet_rel[p.role]
        gap = rel.p[2] - self.H
        reach = self.cfg.rig.pallet.length_mm * MM / 2
        return bool(abs(gap) <= self.cfg.rig.pallet.presence_gap_mm * MM and abs(rel.p[0]) < reach and abs(rel.p[1]) < reach)

    def _tool_coupled(self) -> bool:
        tool = self.cfg.rig.tool
        coupler = self.pallet.apply([tool.port_position_mm[0] * MM, tool.port_position_mm[1] * MM, 0.0])
        port = self.car.bay_pose.apply(self.car.lock_port_local)
        d = coupler - port
        return bool(math.hypot(d[0], d[1]) <= tool.capture_mm * MM and abs(d[2]) <= tool.stroke_mm * MM)

    def _update_locks(self, dt: float) -> None:
        self._bay_pack = bay_pack = self._pack_at_bay()
        powered = self._tool_coupled()
        if bay_pack is not None:
            rel = self.in_bay[bay_pack.role]
            supported = self._on_pallet_now(bay_pack)
        n = len(self.locks)
        for i, (lock, joint, point) in enumerate(zip(self.locks, self.lock_joints, self.lock_points)):
            if bay_pack is None:
                offset, load = np.array([0.0, 1.0, 1.0]), 0.0  # nothing to lock onto: far off axis
            else:
                offset = rel.apply(point) - point
                load = 0.0 if supported else bay_pack.mass_kg * self.g / n
            lock.update(dt, LockContext(offset_m=offset, tool_coupled=powered, vehicle_power=True, carried_load_n=load))
            joint.sync(engaged=lock.engaged, holding_force_n=lock.holding_force_n(), pack_body=bay_pack.body if bay_pack else None)
            if lock.engaged != self._lock_engaged[i]:
                self._lock_engaged[i] = lock.engaged
                self._events.append({"event": "lock", "lock": str(i), "engaged": lock.engaged, "t_s": self.world.time_s})
        self.tool_coupled = powered

    def _sense(self) -> None:
        """Update connector, presence, events and hazards from the true state."""
        t = self.world.time_s
        bay_pack = self._bay_pack
        push = max(self.shuttle.lift_load_n() - (bay_pack.mass_kg * self.g if bay_pack else 0.0), 0.0)
        if bay_pack is not None:
            rel = self.in_bay[bay_pack.role]
            self.connector.update(rel, push_n=push)
        else:
            self.connector.update(Pose(np.array([0.0, 0.0, -1.0]), np.eye(3)), push_n=0.0)
        if self.connector.mated and not self._mated:
            self._events.append({
                "event": "mating", "pack": bay_pack.role, "t_s": t,
                "x_mm": rel.p[0] / MM, "y_mm": rel.p[1] / MM, "z_mm": rel.p[2] / MM, "yaw_deg": math.degrees(rel.yaw_rad),
            })
        self._mated = self.connector.mated
        for p in self.packs:
            on = self._on_pallet_now(p)
            if on and not self._on_pallet[p.role]:
                rel = self.on_pallet_rel[p.role]
                self._events.append({
                    "event": "dock", "pack": p.role, "t_s": t, "x_mm": rel.p[0] / MM, "y_mm": rel.p[1] / MM,
                    "yaw_deg": math.degrees(rel.yaw_rad),
                })
            self._on_pallet[p.role] = on
        states = {p.role: (float(self.pose[p.role].p[2]), float(p.velocity()[0][2])) for p in self.packs}
        self._events += self.hazards.check(
            t_s=t, packs=states, connector_force_n=self.connector.force_n, connector_max_n=self.cfg.pack.connector.max_force_n
        )

    # -- what the station's I/O publishes ----------------------------------------
    def frame(self) -> dict:
        sh, drives = self.shuttle, self.drives
        axes = {}
        for name in AXES:
            d = drives.drives[name]
            axes[name] = {
                "pos": float(quantize(sh.q[name], d.spec.encoder_resolution)),
                "vel": float(sh.qd[name]),
                "force": float(sh.motor_force[name]),
                "state": d.state,
                "settled": d.settled,
            }
        present = any(self._on_pallet.values())
        bay_in_pallet = self.car.bay_pose.relative_to(sh.pallet_nominal_pose())
        sensors = {
            "load_cell_n": float(self.load_cell.read(sh.lift_load_n(), self.period_s)),
            "pack_present": [present, present],
            "float_locked": sh.float_locked,
            "tool_coupled": self.tool_coupled,
            "connector_mated": self.connector.mated,
            "vision": self.vision.read(bay_in_pallet),
            "locks": {lid: lock.sensors() for lid, lock in zip(self.lock_ids, self.locks)},
        }
        return {
            "frame_seq": self.frame_seq,
            "t_s": self.world.time_s,
            "axes": axes,
            "drives": drives.report(),
            "sensors": sensors,
            "last_cmd_id": self.last_cmd_id,
        }

    # -- ground truth: the observer channel only ------------------------------
    def truth(self) -> dict:
        sh = self.shuttle
        packs = {}
        for p in self.packs:
            pose, in_bay = self.pose[p.role], self.in_bay[p.role]
            packs[p.role] = {
                "pos_m": pose.p.tolist(),
                "yaw_deg": math.degrees(pose.yaw_rad),
                "tilt_deg": math.degrees(pose.tilt_rad),
                "in_bay_mm": (in_bay.p / MM).tolist(),
                "on_pallet": self._on_pallet[p.role],
            }
        pallet = self.pallet
        return {
            "t_s": self.world.time_s,
            "frame_seq": self.frame_seq,
            "packs": packs,
            "pallet": {"pos_m": pallet.p.tolist(), "yaw_deg": math.degrees(pallet.yaw_rad), "float_mm": [v / MM for v in sh.float_offset_m]},
            "bay": {"pos_m": self.car.bay_pose.p.tolist(), "yaw_deg": math.degrees(self.car.bay_pose.yaw_rad)},
            "locks": [dict(lock.truth(), id=lid) for lid, lock in zip(self.lock_ids, self.locks)],
            "connector": self.connector.truth(),
            "tool_coupled": self.tool_coupled,
            "lift_load_n": sh.lift_load_n(),
            "axes": {n: {"pos": sh.q[n], "ref": self.drives.drives[n].ref_pos, "force": sh.motor_force[n]} for n in AXES},
        }

    def events(self) -> list[dict]:
        out, self._events = self._events, []
        return out

    def close(self) -> None:
        self.world.close()

