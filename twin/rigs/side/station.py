"""The side swap station: a vehicle with packs in side frames, a carrier beside it, racks behind the carrier.

Initial state: the depleted pack sits in the first frame of the flank it
opens to (``pack.side``), on the frame's ledges with its locks engaged and
the chassis sunk under it; the charged pack lies in the racks' ``charged``
slot; the carrier is at home, its tray retracted and its float locked.

The frame's locks are the vehicle interface's (``cfg.lock``); a pack set
down onto the ledges goes in along -z, like a truck's cradle. The tray's
lock actuator couples to the frame's lock port while the tray stands under
the seated pack.

Sensors (``swapwire.vocab.side``): ``load_cell_n`` (lift), ``pack_present``
(two channels), ``float_locked``, ``tool_coupled``, ``connector_mated``,
``vision`` (the frame's seat frame in the tray's nominal frame), ``locks``,
``pack_id``.
"""

from __future__ import annotations

import math
from typing import Any

from swapwire import sensors
from swapwire.vocab import side as vocab
from twin.entities.interface import VehicleInterface
from twin.entities.pack import PackBody
from twin.faults import static_parking, with_cog_shift
from twin.rigs.side import layout
from twin.rigs.side.carrier import Carrier
from twin.rigs.side.rack import Racks
from twin.rigs.side.vehicle import SideVehicle
from twin.station import Station

MM = 1e-3
# A pack counts as "at the seat" within this distance of its installed pose.
_SEAT_CAPTURE_M = 0.5


class SideStation(Station):
    vocabulary = vocab

    def _build(self) -> None:
        cfg, pack, rig, sc = self.cfg, self.cfg.pack, self.cfg.rig, self.cfg.scenario
        # 1. The lane: the vehicle at its parked pose, a pack in every frame of the
        # swapped flank, sunk under them all; the frame this swap serves holds the depleted one.
        offset_mm, yaw_deg = static_parking(cfg.faults, sc.parking_offset_mm, sc.parking_yaw_deg)
        v = self.vehicle = SideVehicle(
            self.world,
            cfg.vehicle,
            pack,
            offset_mm=offset_mm,
            yaw_deg=yaw_deg,
            laden_kg=layout.laden_kg(cfg.vehicle, pack),
        )
        self.vehicle_body = v.body
        self.frame_index = layout.swap_index(rig, cfg.vehicle, pack) or 0
        self.packs = [
            PackBody(
                self.world, with_cog_shift(cfg.faults, pack), role="depleted", pose=v.installed_pose(self.frame_index)
            )
        ]
        # The other frames' packs, both flanks, stay in them (resting on their ledges; this swap does not serve them).
        self.packs += [
            PackBody(self.world, pack, role=f"resident_{f.name}", pose=v.installed_pose(i))
            for i, f in enumerate(v.frames)
            if i != self.frame_index
        ]
        self.packs += [
            PackBody(self.world, pack, role=f"resident_{f.name}", pose=v.far_installed_pose(f))
            for f in cfg.vehicle.frames
            if f not in v.frames
        ]
        # 2. Storage: the charged pack in its slot, with its placement error.
        self.racks = Racks(self.world, rig.storage, pack)
        charged = next(s for s in rig.storage.slots if s.content == "charged")
        self.packs.append(self._charged_pack(self.racks.pack_pose(charged.name)))
        # 3. The carrier and its drives.
        self.rig = Carrier(self.world, rig, command_timeout_periods=cfg.wire.command_timeout_periods)
        # 4. The pack-to-frame interface: the pack is set down (-z) onto the ledges.
        self.interface = VehicleInterface(
            self.world,
            pack=pack,
            lock_cfg=cfg.lock,
            vehicle_body=self.vehicle.body,
            vehicle_link=self.vehicle.chassis_link,
            installed=lambda: self.vehicle.installed_pose(self.frame_index),
            insertion_sign=-1.0,
            engaged=True,
            gravity_m_s2=self.g,
            capture_m=_SEAT_CAPTURE_M,
        )
        self.tool_coupled = False
        self.entities = [self.rig, self.interface, self.vehicle]

    # -- hooks ----------------------------------------------------------------------
    def _storage_bodies(self) -> tuple[int, ...]:
        return (self.racks.body,)

    def _on_tray(self, p: PackBody, *, gap_m: float) -> bool:
        rel = self.in_tool[p.role]
        t = self.cfg.rig.tray
        return bool(
            -1e-3 <= rel.p[2] - p.height_m <= gap_m
            and abs(rel.p[0]) < t.length_mm * MM / 2
            and abs(rel.p[1]) < t.width_mm * MM / 2
        )

    def _docked_now(self, p: PackBody) -> bool:
        """The pack rests on the tray."""
        return self._on_tray(p, gap_m=self.cfg.rig.tray.presence_gap_mm * MM)

    def _tool_coupled(self) -> bool:
        tool = self.cfg.rig.tool
        coupler = self.tool.apply([tool.port_position_mm[0] * MM, tool.port_position_mm[1] * MM, 0.0])
        port = self.vehicle.seat_pose(self.frame_index).apply(self.vehicle.port_local)
        d = coupler - port
        return bool(math.hypot(d[0], d[1]) <= tool.capture_mm * MM and abs(d[2]) <= tool.stroke_mm * MM)

    def _interface_inputs(self) -> dict:
        self.tool_coupled = self._tool_coupled()
        pack = self.interface.pack
        # The ledges carry a seated pack's weight and the tray a lifted one's:
        # the frame's locks never carry it statically.
        push = max((pack.mass_kg * self.g if pack else 0.0) - self.rig.load_n(), 0.0)
        return {"tool_coupled": self.tool_coupled, "supported": True, "push_n": push}

    def _readings(self) -> dict[str, Any]:
        present = any(self._docked.values())
        return {
            vocab.LOAD_CELL.name: float(self.load_cell.sample(self.rig.load_n(), self.period_s)),
            vocab.PACK_PRESENT.name: (present, present),
            sensors.FLOAT_LOCKED.name: self.rig.float_locked,
            vocab.TOOL_COUPLED.name: self.tool_coupled,
            sensors.CONNECTOR_MATED.name: self.interface.connector.mated,
            vocab.VISION.name: self._vision_reading(self.vehicle.seat_pose(self.frame_index)),
            sensors.LOCKS.name: self.interface.sensors(),
            vocab.PACK_ID.name: self.pack_tag if self.interface.pack is not None else None,
        }

    def _signals_extra(self) -> dict[str, float]:
        return {"suspension_mm": self.vehicle.deflection_m() / MM}

    def _truth_extra(self) -> dict:
        return {"suspension_mm": self.vehicle.deflection_m() / MM, "roll_deg": self.vehicle.roll_deg()}

    def _sections(self) -> dict[str, Any]:
        return {vocab.CATALOG_SECTION: self._catalog_section(layout.tool_settings_m)}

    def _positions(self) -> dict[str, Any]:
        rig, pack, v = self.cfg.rig, self.cfg.pack, self.cfg.vehicle
        frames = [
            {
                "name": f.name,
                "travel": f.x_mm * MM,
                "reach": layout.frame_y_m(v, pack),
                "yaw": 0.0,
                "lift_entry": layout.frame_entry_lift_m(rig, v, pack, gravity_m_s2=self.g),
                "lift_contact": layout.frame_contact_lift_m(rig, v, pack, gravity_m_s2=self.g),
                "lift_off": layout.frame_lift_off_m(rig, v, pack, gravity_m_s2=self.g),
            }
            for f in self.vehicle.frames[self.frame_index : self.frame_index + 1]
        ]
        slots = [
            {
                "name": s.name,
                "content": s.content,
                "travel": s.x_mm * MM,
                "reach": rig.storage.y_mm * MM,
                "lift_entry": layout.rack_entry_lift_m(rig),
                "lift_contact": layout.rack_contact_lift_m(rig),
                "lift_off": layout.rack_lift_off_m(rig),
            }
            for s in rig.storage.slots
        ]
        return {
            "home": {s.name: s.home for s in self.rig.specs},
            "frames": frames,
            "slots": slots,
            "reach_clear": layout.reach_clear_m(rig, v, pack),
            "lift_carry": layout.carry_lift_m(rig, v),
        }
