"""The overhead swap station: a truck on its suspension, a gantry, storage stands.

Initial state: the depleted pack sits on the truck's cradle (on its guide
cones) with its locks engaged and the chassis sunk under its weight; the
charged pack stands on the ``charged`` stand; the gantry is at home with the
spreader high and its float locked.

The spreader's four twist-locks are lock models like the vehicle's (the
``rig.spreader_lock`` config), attached to the spreader by ``LockJoint``s: the
pack hangs on the spreader only while they say engaged.

Sensors (``swapwire.vocab.overhead``): ``load_cell_n`` (hoist),
``float_locked``, ``vision`` (the truck's cradle frame in the spreader's
nominal frame), ``spreader.landed`` (two channels), ``spreader.locks`` (each
twist-lock's own two-channel sensors), ``locks`` (the vehicle locks'),
``connector_mated``, ``vehicle_interface`` (the truck's swap interface is
connected).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from swapwire import sensors
from swapwire.typed import to_wire
from swapwire.vocab import overhead as vocab
from twin.entities.hazards import hazard
from twin.entities.interface import VehicleInterface, describe_locks
from twin.entities.pack import PackBody
from twin.entities.truck import Truck
from twin.faults import static_parking
from twin.locks import make_lock
from twin.locks.base import LockContext
from twin.locks.joint import LockJoint
from twin.rigs.overhead import layout
from twin.rigs.overhead.gantry import Gantry
from twin.rigs.overhead.stands import Stands
from twin.station import Station

MM = 1e-3
# A pack counts as "at the seat" (or under the spreader) within this distance.
_CAPTURE_M = 0.6


class OverheadStation(Station):
    vocabulary = vocab

    def _build(self) -> None:
        cfg, pack, rig, sc = self.cfg, self.cfg.pack, self.cfg.rig, self.cfg.scenario
        # 1. The lane: the truck at its parked pose, sunk under the depleted pack.
        offset_mm, yaw_deg = static_parking(cfg.faults, sc.parking_offset_mm, sc.parking_yaw_deg)
        self.truck = self.vehicle = Truck(
            self.world, cfg.vehicle, pack, offset_mm=offset_mm, yaw_deg=yaw_deg, laden_kg=pack.mass_kg
        )
        self.vehicle_body = self.truck.body
        self.packs = [PackBody(self.world, pack, role="depleted", pose=self.truck.installed_pose())]
        # 2. Storage: the charged pack on its stand, with its placement error.
        self.stands = Stands(self.world, rig.storage, pack)
        charged = next(s for s in rig.storage.stands if s.content == "charged")
        stand_pose = self.stands.pack_pose(charged.name)
        self.packs.append(self._charged_pack(stand_pose))
        # 3. The gantry and its drives.
        self.rig = self.gantry = Gantry(self.world, rig, command_timeout_periods=cfg.wire.command_timeout_periods)
        # 4. The pack-to-vehicle interface: the pack is set down (-z) onto the cradle.
        self.interface = VehicleInterface(
            self.world,
            pack=pack,
            lock_cfg=cfg.lock,
            vehicle_body=self.truck.body,
            vehicle_link=self.truck.chassis_link,
            installed=self.truck.installed_pose,
            insertion_sign=-1.0,
            engaged=True,
            gravity_m_s2=self.g,
            capture_m=_CAPTURE_M,
        )
        # 5. The spreader's twist-locks, gripping the castings' tops.
        ch = pack.lifting_points.casting_height_mm * MM
        self.spreader_points = self._twist_lock_points()
        self.casting_points = [np.array([x * MM, y * MM, ch]) for x, y in pack.lifting_points.positions_mm]
        self.spreader_locks = [make_lock(rig.spreader_lock, engaged=False) for _ in self.spreader_points]
        tool = self.rig.tool_pose()
        self.spreader_joints = [
            LockJoint(
                self.world,
                vehicle_body=self.rig.body,
                vehicle_link=self.rig.tool_link,
                anchor_local=p,
                vehicle_pose=tool,
            )
            for p in self.spreader_points
        ]
        self.spreader_ids = [str(i) for i in range(len(self.spreader_locks))]
        self._spreader_engaged = [False] * len(self.spreader_locks)
        self.gripped: PackBody | None = None  # the pack under the spreader, if any
        self.vehicle_interface_connected = True
        self.entities = [self.rig, self.interface, self.truck]

    # -- hooks ----------------------------------------------------------------------
    def _storage_bodies(self) -> tuple[int, ...]:
        return (self.stands.body,)

    def _apply_tool(self, tool: dict) -> None:
        action = tool.get("spreader")
        if action is not None:
            for lock in self.spreader_locks:
                lock.command(action)

    def _casting_offsets(self, role: str) -> list[np.ndarray]:
        """Each casting's top relative to its twist-lock, in the spreader frame
        (z negative while the casting is below the landing plane)."""
        rel = self.in_tool[role]
        return [rel.apply(c) - s for c, s in zip(self.casting_points, self.spreader_points)]

    def _docked_now(self, p: PackBody) -> bool:
        """The spreader has landed on the pack's castings."""
        offs = self._casting_offsets(p.role)
        half_pad = self.cfg.rig.spreader.landing_pad_size_mm * MM / 2.0
        gap = self.cfg.rig.spreader.landed_gap_mm * MM
        return all(abs(o[2]) <= gap and abs(o[0]) < half_pad and abs(o[1]) < half_pad for o in offs)

    def _seated(self, p: PackBody) -> bool:
        """The pack rests on the truck's cradle or on a stand (not hanging)."""
        gap = self.cfg.rig.spreader.landed_gap_mm * MM
        seats = [self.truck.installed_pose()] + [self.stands.pack_pose(s.name) for s in self.cfg.rig.storage.stands]
        rise = p.height_m - self.H  # seats are where a nominal pack's top face rests; this unit's is off by its height
        for seat in seats:
            rel = self.pose[p.role].relative_to(seat)
            if abs(rel.p[2] - rise) <= gap and math.hypot(rel.p[0], rel.p[1]) < _CAPTURE_M:
                return True
        return False

    def _twist_lock_points(self) -> list[np.ndarray]:
        """Where the twist-locks are in the spreader frame: on its beams, at the span they stand at."""
        span = self.rig.q["span"]
        return [np.array([x * MM, y * MM, 0.0]) for x, y in layout.twist_lock_positions_mm(self.cfg.rig, span)]

    def _update_rig(self, dt: float) -> None:
        self.spreader_points = self._twist_lock_points()
        # The pack under the spreader: nearest in x-y, castings below or at the landing plane.
        best, best_d = None, math.inf
        for p in self.packs:
            rel = self.in_tool[p.role]
            d = math.hypot(rel.p[0], rel.p[1])
            if d < _CAPTURE_M and -_CAPTURE_M < rel.p[2] < p.height_m and d < best_d:
                best, best_d = p, d
        self.gripped = best
        offsets = self._casting_offsets(best.role) if best else [np.array([0.0, 1.0, -1.0])] * len(self.spreader_points)
        hanging = best is not None and not self._seated(best)
        load = best.mass_kg * self.g / len(self.spreader_locks) if hanging else 0.0
        t = self.world.time_s
        for i, (lock, joint, point, off) in enumerate(
            zip(self.spreader_locks, self.spreader_joints, self.spreader_points, offsets)
        ):
            lock.update(dt, LockContext(offset_m=off, tool_coupled=True, vehicle_power=True, carried_load_n=load))
            joint.sync(
                engaged=lock.engaged,
                holding_force_n=lock.holding_force_n(),
                pack_body=best.body if best else None,
                anchor_world=self.tool.apply(point),
            )
            if lock.engaged != self._spreader_engaged[i]:
                self._spreader_engaged[i] = lock.engaged
                self._events.append({"event": "spreader_lock", "lock": str(i), "engaged": lock.engaged, "t_s": t})
                if not lock.engaged and load > 0.0:
                    self._events.append(
                        hazard("released_under_load", t, lock=f"spreader {i}", pack=best.role, carried_n=round(load, 1))
                    )

    def _interface_inputs(self) -> dict:
        # The cradle carries a seated pack's weight and the spreader a lifted
        # one's: the vehicle locks never carry it statically.
        return {"tool_coupled": self.vehicle_interface_connected, "supported": True, "push_n": 0.0}

    def _readings(self) -> dict[str, Any]:
        landed = self.gripped is not None and self._docked_now(self.gripped)
        return {
            vocab.LOAD_CELL.name: float(self.load_cell.sample(self.rig.load_n(), self.period_s)),
            sensors.FLOAT_LOCKED.name: self.rig.float_locked,
            vocab.VISION.name: self._vision_reading(self.truck.cradle_pose()),
            vocab.SPREADER_LANDED.name: (landed, landed),
            vocab.SPREADER_LOCKS.name: {i: lk.sensors() for i, lk in zip(self.spreader_ids, self.spreader_locks)},
            sensors.LOCKS.name: self.interface.sensors(),
            sensors.CONNECTOR_MATED.name: self.interface.connector.mated,
            vocab.VEHICLE_INTERFACE.name: self.vehicle_interface_connected,
            vocab.PACK_ID.name: self.pack_tag if self.interface.pack is not None else None,
        }

    def _signals_extra(self) -> dict[str, float]:
        return {"suspension_mm": self.truck.deflection_m() / MM}

    def _truth_extra(self) -> dict:
        return {
            "spreader_locks": [dict(lk.truth(), id=i) for i, lk in zip(self.spreader_ids, self.spreader_locks)],
            "suspension_mm": self.truck.deflection_m() / MM,
        }

    def _pack_features(self) -> dict[str, float]:
        return {"casting_height": self.cfg.pack.lifting_points.casting_height_mm * MM}

    def _sections(self) -> dict[str, Any]:
        truck, pack = self.cfg.vehicle, self.cfg.pack
        sink = layout.suspension_sink_m(truck, mass_kg=pack.mass_kg, gravity_m_s2=self.g)
        cradle = vocab.VehicleCradle(
            cone_height=truck.cradle.cone_height_mm * MM,
            unladen_seat_height=truck.cradle.seat_height_mm * MM,
            laden_sink=sink,
        )
        return {
            vocab.SPREADER_SECTION: to_wire(describe_locks(self.spreader_locks, self.spreader_ids)),
            vocab.CRADLE_SECTION: to_wire(cradle),
            vocab.CATALOG_SECTION: self._catalog_section(layout.tool_settings_m),
        }

    def _positions(self) -> dict[str, Any]:
        cfg, rig, pack = self.cfg, self.cfg.rig, self.cfg.pack
        hoist = next(s for s in self.rig.specs if s.name == "hoist")
        contact = layout.vehicle_contact_hoist_m(
            rig, cfg.vehicle, pack, mass_kg=pack.mass_kg, height_m=self.H, gravity_m_s2=self.g
        )
        stand_contact = layout.stand_contact_hoist_m(rig, pack, height_m=self.H)
        return {
            "home": {s.name: s.home for s in self.rig.specs},
            "vehicle": {"bridge": 0.0, "trolley": 0.0, "slew": 0.0, "hoist_contact": contact},
            "stands": [
                {
                    "name": s.name,
                    "content": s.content,
                    "bridge": s.x_mm * MM,
                    "trolley": s.y_mm * MM,
                    "hoist_contact": stand_contact,
                }
                for s in rig.storage.stands
            ],
            "hoist_carry": layout.carry_hoist_m(rig, cfg.vehicle, pack, height_m=self.H),
            "hoist_high": hoist.home,
        }
