"""The under-chassis swap station: lane with a clamped car, shuttle, storage racks.

Initial state: the depleted pack is in the car with its locks engaged, the
charged pack lies in the rack's ``charged`` slot, the shuttle is at home with
its float locked.

Sensors (``swapwire.vocab.under_chassis``): ``load_cell_n`` (lift),
``pack_present`` (two channels), ``float_locked``, ``tool_coupled`` (the lock
tool reaches the vehicle's lock port), ``connector_mated``, ``vision`` (the
bay's seat frame in the pallet's nominal frame), ``locks`` (each lock's own
two-channel sensors), ``pack_id`` (what the pack in the vehicle reports over
the vehicle's link: its tag's family) and ``pad_loads_n`` (a cell under each
pad: the lift's load shared by where the carried pack's centre of gravity
lies between the pads, each with its own noise).

The description's ``catalog`` section is the station's interface catalog
(``cfg.station_catalog``): per family, its mass, CoG and the tooling it needs
(``layout.tool_settings_m``), which the controller sets before it approaches.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from swapwire import sensors
from swapwire.vocab import under_chassis as vocab
from twin.entities.car import Car
from twin.entities.interface import VehicleInterface
from twin.entities.pack import PackBody
from twin.entities.sensors import LoadCell
from twin.faults import static_parking, with_cog_shift
from twin.rigs.under_chassis import layout
from twin.rigs.under_chassis.rack import Rack
from twin.rigs.under_chassis.shuttle import Shuttle
from twin.station import Station

MM = 1e-3
_PAD_CELLS_STREAM = 1  # the pad cells' noise stream, beside the station's own
# A pack counts as "at the seat" within this distance of its installed pose:
# far enough to follow it through an insertion, short of any other place.
_SEAT_CAPTURE_M = 0.5


class UnderChassisStation(Station):
    vocabulary = vocab

    def _build(self) -> None:
        cfg, pack, rig, sc = self.cfg, self.cfg.pack, self.cfg.rig, self.cfg.scenario
        # 1. The lane: the car at its parked pose, the depleted pack in its bay.
        offset_mm, yaw_deg = static_parking(cfg.faults, sc.parking_offset_mm, sc.parking_yaw_deg)
        self.car = self.vehicle = Car(self.world, cfg.vehicle, pack, offset_mm=offset_mm, yaw_deg=yaw_deg)
        self.vehicle_body = self.car.body
        self.packs = [PackBody(self.world, with_cog_shift(cfg.faults, pack), role="depleted", pose=self.car.bay_pose)]
        # 2. Storage: the charged pack in its slot, with its placement error.
        self.rack = Rack(self.world, rig.storage, pack)
        charged_slot = next(s for s in rig.storage.slots if s.content == "charged")
        slot_pose = self.rack.slot_pose(charged_slot.name)
        self.packs.append(self._charged_pack(slot_pose))
        # 3. The shuttle and its drives.
        self.rig = self.shuttle = Shuttle(self.world, rig, command_timeout_periods=cfg.wire.command_timeout_periods)
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
        self.tool_coupled = False
        self.entities = [self.rig, self.interface, self.car]
        # The pad cells' noise has a generator of its own: the other sensors' streams stay as they were.
        pad_rng = np.random.default_rng([cfg.seed, _PAD_CELLS_STREAM])
        cell = dataclasses.replace(rig.load_cell, noise_n=rig.pallet.pad_load_cell_noise_n)
        self.pad_cells = [LoadCell(cell, pad_rng, initial_n=0.0) for _ in range(4)]

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

    def _pad_loads(self) -> list[float]:
        """Each pad's share of the lift's load: a rectangle of four supports
        carries a load whose centre lies at (x, y) in proportion
        (1 + sx x / a)(1 + sy y / b) / 4 (the bilinear split, which keeps the
        total and both moments). The centre is the docked pack's true CoG; an
        empty pallet's load is shared equally."""
        total = self.rig.load_n()
        a, b = self.rig.q["pads_x"], self.rig.q["pads_y"]
        x = y = 0.0
        for p in self.packs:
            if self._docked[p.role]:
                cog = self.in_tool[p.role].apply([c * MM for c in p.spec.cog_mm])
                x, y = float(np.clip(cog[0], -a, a)), float(np.clip(cog[1], -b, b))
        shares = [(1 + sx * x / a) * (1 + sy * y / b) / 4 for sx, sy in ((-1, -1), (-1, 1), (1, -1), (1, 1))]
        return [float(cell.sample(total * k, self.period_s)) for cell, k in zip(self.pad_cells, shares)]

    def _readings(self) -> dict[str, Any]:
        present = any(self._docked.values())
        return {
            vocab.LOAD_CELL.name: float(self.load_cell.sample(self.rig.load_n(), self.period_s)),
            vocab.PACK_PRESENT.name: (present, present),
            sensors.FLOAT_LOCKED.name: self.rig.float_locked,
            vocab.TOOL_COUPLED.name: self.tool_coupled,
            sensors.CONNECTOR_MATED.name: self.interface.connector.mated,
            vocab.VISION.name: self._vision_reading(self.car.bay_pose),
            sensors.LOCKS.name: self.interface.sensors(),
            vocab.PACK_ID.name: self.pack_tag if self.interface.pack is not None else None,
            vocab.PAD_LOADS.name: self._pad_loads(),
        }

    def _sections(self) -> dict[str, Any]:
        """The station's interface catalog: what it holds of each family it serves."""
        return {vocab.CATALOG_SECTION: self._catalog_section(layout.tool_settings_m)}

    def _pack_features(self) -> dict[str, float]:
        return {"locating_pin_length": self.cfg.pack.locating_pins.length_mm * MM}

    def _positions(self) -> dict[str, Any]:
        rig = self.cfg.rig
        lift = next(s for s in self.rig.specs if s.name == "lift")
        slot_contact = layout.slot_contact_lift_m(rig)
        return {
            "home": {s.name: s.home for s in self.rig.specs},
            "bay": {
                "travel": 0.0,
                "align": 0.0,
                "yaw": 0.0,
                "lift_contact": layout.bay_contact_lift_m(rig, self.cfg.vehicle, height_m=self.H),
            },
            "slots": [
                {"name": s.name, "content": s.content, "travel": s.x_mm * MM, "lift_contact": slot_contact}
                for s in rig.storage.slots
            ],
            "lift_carry": layout.carry_lift_m(rig),
            "lift_low": lift.lower,
        }
