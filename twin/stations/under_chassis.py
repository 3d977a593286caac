"""The under-chassis swap station: lane with a clamped car, shuttle, storage racks.

Initial state: the depleted pack is in the car with its locks engaged, the
charged pack lies in the rack's ``charged`` slot, the shuttle is at home with
its float locked.

Sensors (frame ``sensors``): ``load_cell_n`` (lift), ``pack_present`` (two
channels), ``float_locked``, ``tool_coupled`` (the lock tool reaches the
vehicle's lock port), ``connector_mated``, ``vision`` (the bay's seat frame in
the pallet's nominal frame) and ``locks`` (each lock's own two-channel sensors).
"""

from __future__ import annotations

import math


from twin.drives import DriveGroup
from twin.faults import static_parking
from twin.hazards import HazardMonitor
from twin.pack import PackBody
from twin.sensors import LoadCell, Vision
from twin.shuttle import Shuttle
from twin.stations.base import Station
from twin.stations.interface import VehicleInterface
from twin.storage import Rack
from twin.vehicle import Car

MM = 1e-3
# A pack counts as "at the seat" within this distance of its installed pose:
# far enough to follow it through an insertion, short of any other place.
_SEAT_CAPTURE_M = 0.5


class UnderChassisStation(Station):
    rig_family = "under_chassis"

    def _build(self) -> None:
        cfg, pack, rig, sc = self.cfg, self.cfg.pack, self.cfg.rig, self.cfg.scenario
        # 1. The lane: the car at its parked pose, the depleted pack in its bay.
        offset_mm, yaw_deg = static_parking(cfg.faults, sc.parking_offset_mm, sc.parking_yaw_deg)
        self.car = Car(self.world, cfg.vehicle, pack, offset_mm=offset_mm, yaw_deg=yaw_deg)
        self.vehicle_body = self.car.body
        self.packs = [PackBody(self.world, pack, role="depleted", pose=self.car.bay_pose)]
        # 2. Storage: the charged pack in its slot, with its placement error.
        self.rack = Rack(self.world, rig.storage, pack)
        charged_slot = next(s for s in rig.storage.slots if s.content == "charged")
        slot_pose = self.rack.slot_pose(charged_slot.name)
        self.packs.append(self._charged_pack(slot_pose))
        # 3. The shuttle and its drives.
        self.rig = self.shuttle = Shuttle(self.world, rig)
        self.drives = DriveGroup(self.rig.specs, self.rig.positions(), timeout_periods=cfg.wire.command_timeout_periods)
        # 4. The pack-to-vehicle interface: the pack is pushed up (+z) into the bay.
        self.interface = VehicleInterface(
            self.world,
            pack=pack,
            lock_cfg=cfg.lock,
            vehicle_body=self.car.body,
            vehicle_link=-1,
            installed=lambda: self.car.bay_pose,
            insertion_sign=1.0,
            engaged=True,
            gravity_m_s2=self.g,
            capture_m=_SEAT_CAPTURE_M,
        )
        # 5. Sensors and monitors.
        self.load_cell = LoadCell(rig.load_cell, self.rng, initial_n=0.0)
        self.vision = Vision(rig.vision, self.rng)
        self.hazards = HazardMonitor(cfg.hazards, self.world, self.rig.body, self.car.body)

    # -- hooks ----------------------------------------------------------------------
    def _storage_bodies(self) -> tuple[int, ...]:
        return (self.rack.body,)

    def _docked_now(self, p: PackBody) -> bool:
        """The pack rests on the pallet's pads (its pins in the pack's holes)."""
        rel = self.in_tool[p.role]
        reach = self.cfg.rig.pallet.length_mm * MM / 2
        return bool(
            abs(rel.p[2] - p.height_m) <= self.cfg.rig.pallet.presence_gap_mm * MM
            and abs(rel.p[0]) < reach
            and abs(rel.p[1]) < reach
        )

    def _tool_coupled(self) -> bool:
        tool = self.cfg.rig.tool
        coupler = self.tool.apply([tool.port_position_mm[0] * MM, tool.port_position_mm[1] * MM, 0.0])
        port = self.car.bay_pose.apply(self.car.lock_port_local)
        d = coupler - port
        return bool(math.hypot(d[0], d[1]) <= tool.capture_mm * MM and abs(d[2]) <= tool.stroke_mm * MM)

    def _caught(self, p: PackBody) -> bool:
        """The pallet is under the pack, close enough to catch it within the
        drop distance: a lock letting go then is no fall."""
        rel = self.in_tool[p.role]
        gap = rel.p[2] - p.height_m
        reach = self.cfg.rig.pallet.length_mm * MM / 2
        return bool(
            -1e-3 <= gap <= self.cfg.hazards.drop_distance_mm * MM and abs(rel.p[0]) < reach and abs(rel.p[1]) < reach
        )

    def _interface_inputs(self) -> dict:
        self.tool_coupled = self._tool_coupled()
        pack = self.interface.pack
        supported = pack is not None and self._caught(pack)
        push = max(self.rig.load_n() - (pack.mass_kg * self.g if pack else 0.0), 0.0)
        return {"tool_coupled": self.tool_coupled, "supported": supported, "push_n": push}

    def _sensors(self) -> dict:
        present = any(self._docked.values())
        return {
            "load_cell_n": float(self.load_cell.read(self.rig.load_n(), self.period_s)),
            "pack_present": [present, present],
            "float_locked": self.rig.float_locked,
            "tool_coupled": self.tool_coupled,
            "connector_mated": self.interface.connector.mated,
            "vision": self._vision_reading(self.car.bay_pose),
            "locks": self.interface.sensors(),
        }

    def describe(self) -> dict:
        cfg, rig, pack = self.cfg, self.cfg.rig, self.cfg.pack
        top0 = rig.pallet.top_at_lift_zero_mm * MM
        bay_bottom = cfg.vehicle.bay.seat_height_mm * MM - self.H
        stored_bottom = rig.storage.pack_bottom_mm * MM
        lift = next(s for s in self.rig.specs if s.name == "lift")
        return {
            **self._describe_common(),
            "sensors": {
                "load_cell": {"unit": "N", "meaning": "lift load beyond the shuttle's own moving mass"},
                "pack_present": {"channels": 2},
                "vision": {
                    "fields": ["valid", "x", "y", "z", "yaw"],
                    "meaning": "bay seat frame in the pallet's nominal frame",
                    "unit": "m, rad",
                },
                "tool_coupled": {},
                "connector_mated": {},
                "float_locked": {},
                **self._safety_sensors(),
            },
            "pack": {
                "family_id": self.pack_tag,
                "mass_kg": pack.mass_kg,
                "length": pack.dimensions.length_mm * MM,
                "width": pack.dimensions.width_mm * MM,
                "height": self.H,
                "locating_pin_length": pack.locating_pins.length_mm * MM,
            },
            "positions": {
                "home": {s.name: s.home for s in self.rig.specs},
                "bay": {"travel": 0.0, "align": 0.0, "yaw": 0.0, "lift_contact": bay_bottom - top0},
                "slots": [
                    {"name": s.name, "content": s.content, "travel": s.x_mm * MM, "lift_contact": stored_bottom - top0}
                    for s in rig.storage.slots
                ],
                "lift_carry": stored_bottom - top0 + rig.storage.carry_clearance_mm * MM,
                "lift_low": lift.lower,
            },
        }
