"""What every station does each control period, whatever its rig.

A station composes entities (vehicle, packs, storage, a servo rig with its
drives, the pack-to-vehicle interface, sensors, hazard monitors) and speaks
in the wire's terms:

* ``describe()``: the station description sent at the handshake;
* ``apply(command)``: one command per control period (or None if none came);
* ``advance()``: one control period of physics;
* ``frame()``: what the station's I/O reads, for the controller;
* ``truth()`` and ``events()``: ground truth, for the observer channel only.

Subclasses build their entities in ``_build`` and supply the rig-specific
parts through the hooks below; the loop and the bookkeeping live here.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from controllers import wire
from twin.drives import DriveGroup
from twin.faults import FaultInjector, pack_tag
from twin.frames import Pose
from twin.hazards import false_engaged, hazard
from twin.pack import PackBody, with_deviation
from twin.schema.fault import STATIC_KINDS
from twin.schema.physics import substeps
from twin.schema.plant import PlantConfig
from twin.sensors import quantize
from twin.servo_rig import ServoRig
from twin.stations.interface import VehicleInterface
from twin.world import World, pb

MM = 1e-3


class Station:
    rig_family = ""
    # Tool commands the rig accepts in a command's ``tool`` map: name -> allowed values.
    tool_commands: dict[str, frozenset[str]] = {}

    # Set by _build():
    rig: ServoRig
    drives: DriveGroup
    packs: list[PackBody]
    interface: VehicleInterface
    vehicle_body: int

    def __init__(self, cfg: PlantConfig, *, world: World | None = None):
        self.cfg = cfg
        self.period_s = cfg.wire.control_period_s
        self.substeps = substeps(cfg.physics, cfg.wire)
        self.dt = cfg.physics.step_s
        self.g = cfg.physics.gravity_m_s2
        self.rng = np.random.default_rng(cfg.seed)
        self.world = world or World(cfg.physics)
        self.H = cfg.pack.dimensions.height_mm * MM
        self.pack_tag = pack_tag(cfg.faults, cfg.pack.family_id)
        self.vehicle_power = True
        self.station_power = True
        self.estop = False
        self.phase = ""  # the phase the controller last reported
        self.encoder_drift: dict[str, float] = {}  # axis -> drift rate (a fault)
        self.frame_seq = 0
        self.last_cmd_id: int | None = None
        self._events: list[dict] = []
        self._false_engaged: set[str] = set()
        self._build()
        self._kinds = self._contact_kinds()
        self.contact_n: dict[str, float] = {}
        self._touching_now: set[tuple[str, str]] = set()
        self._apart: dict[tuple[str, str], int] = {}  # (pack, kind) -> periods since it last touched
        self._contact_apart_periods = max(1, round(cfg.hazards.contact_apart_s / self.period_s))
        self.faults = FaultInjector(self)
        self._docked = {p.role: False for p in self.packs}
        self._snapshot()
        self._update(0.0)  # locks take hold of the depleted pack before anything moves
        self._settle()
        self._sample_contacts()  # what touches at rest before t = 0 is no first contact
        self._apart = {pair: 0 for pair in self._touching_now}
        self._touching_now, self.contact_n = set(), {}
        self._snapshot()
        self._update(0.0)
        self._events.clear()  # the initial state is not an event (the depleted pack starts mated)
        self._events += self._placement_check()
        # Static faults shaped the station before t = 0: announce them as injected then.
        self._events += [
            {"event": "fault", "name": f.name, "kind": f.kind, "active": True, "t_s": 0.0}
            for f in cfg.faults
            if f.kind in STATIC_KINDS
        ]

    def _placement_check(self) -> list[dict]:
        """A pack that does not fit where the scenario puts it (a bay too narrow
        for it) interpenetrates its surroundings from the first step: say so,
        rather than let the solver push bodies apart unexplained."""
        events = []
        limit_m = self.cfg.hazards.placement_interference_mm * MM
        for p in self.packs:
            for body in (self.vehicle_body, *self._storage_bodies()):
                points = pb.getClosestPoints(p.body, body, 0.0, physicsClientId=self.world.cid)
                depth = -min((pt[8] for pt in points), default=0.0)  # getClosestPoints: [8] is the distance
                if depth > limit_m:
                    events.append(hazard("placement_interference", 0.0, pack=p.role, depth_mm=round(depth / MM, 2)))
        return events

    def _charged_pack(self, storage_pose: Pose) -> PackBody:
        """The charged pack as manufactured (its deviations), placed in storage with the scenario's placement error."""
        sc = self.cfg.scenario
        off = np.array([sc.charged_pack_offset_mm[0] * MM, sc.charged_pack_offset_mm[1] * MM, 0.0])
        return PackBody(
            self.world,
            with_deviation(self.cfg.pack, sc.charged_pack_deviation),
            role="charged",
            pose=Pose(storage_pose.p + off, storage_pose.R),
        )

    def _storage_bodies(self) -> tuple[int, ...]:
        return ()

    def _settle(self) -> None:
        """Let contacts and motors take up their static loads before plant time
        zero, so the first frame reads a station at rest (a load cell that has
        been on for a while), not a world that has never been stepped."""
        for _ in range(round(self.cfg.physics.settle_s / self.dt)):
            self.rig.read()
            self.drives.step(self.dt, self.rig.positions())
            self.rig.actuate(self.drives, self.dt)
            self._per_step()
            self.world.step()
        self.rig.read()
        self.world.reset_clock()
        self.load_cell.filtered_n = self.rig.load_n()

    # -- hooks for subclasses --------------------------------------------------------
    def _build(self) -> None:
        raise NotImplementedError

    def describe(self) -> dict:
        raise NotImplementedError

    def _docked_now(self, pack: PackBody) -> bool:
        """The pack rests on (pallet) or is landed on by (spreader) the rig's tool."""
        raise NotImplementedError

    def _update_rig(self, dt: float) -> None:
        """Rig-side models at the control period (tool locks, couplings)."""

    def _per_step(self) -> None:
        """Forces that must be applied every physics step (springs)."""

    def _apply_tool(self, tool: dict) -> None:
        """Tool commands from a command's ``tool`` map (already checked)."""

    def _interface_inputs(self) -> dict:
        """tool_coupled, supported and push_n for the vehicle interface."""
        raise NotImplementedError

    def _sensors(self) -> dict:
        raise NotImplementedError

    def _truth_extra(self) -> dict:
        return {}

    # -- shared description parts --------------------------------------------------
    def _describe_common(self) -> dict:
        cfg = self.cfg
        return {
            "station_id": cfg.rig.name,
            "rig_family": self.rig_family,
            "clock": {"mode": cfg.clock, "control_period_s": self.period_s},
            "drives": {
                "command_timeout_periods": cfg.wire.command_timeout_periods,
                "on_timeout": "controlled stop, latched until reset_faults",
            },
            "axes": [s.describe() for s in self.rig.specs],
            "float": {"range": cfg.rig.float.range_mm * MM, "lock_time_s": cfg.rig.float.lock_time_s},
            "locks": self.interface.describe(),
            "tools": {name: sorted(values) for name, values in self.tool_commands.items()},
            # As the lane reads them: the vehicle's registration (with the pack
            # family it is registered for) and, separately, the pack's own tag.
            "vehicle": {
                "vehicle_id": cfg.vehicle.vehicle_id,
                "model": cfg.vehicle.model,
                "class": cfg.vehicle.vehicle_class,
                "registered_pack_family": cfg.pack.family_id,
            },
            "limits": {"payload_kg": cfg.rig.payload_kg, "swap_time_limit_s": cfg.vehicle.swap_time_limit_s},
        }

    @staticmethod
    def _safety_sensors() -> dict:
        """What every station's frames carry besides its own sensors."""
        return {
            "estop": {"meaning": "emergency stop pressed (IEC 60204-1): drives and tools are without power"},
            "station_power": {"meaning": "station power present; false during a power loss"},
        }

    @property
    def lock_ids(self) -> list[str]:
        return self.interface.ids

    # -- one control period ----------------------------------------------------------
    @property
    def actuators_enabled(self) -> bool:
        """An e-stop or a station power loss takes the power from drives and tools."""
        return self.station_power and not self.estop

    def apply(self, cmd: wire.Command | None, cmd_id: int | None = None) -> None:
        if cmd is not None:
            self.phase = cmd.phase
            if not self.actuators_enabled:
                # Nothing re-arms while the power is off or the e-stop is pressed;
                # lock valves and tools stay closed.
                cmd = dataclasses.replace(
                    cmd, reset_faults=False, locks={"all": wire.LOCK_HOLD}, tool={k: wire.LOCK_HOLD for k in cmd.tool}
                )
        self.drives.on_period(cmd, self.rig.positions())
        if cmd is None:
            return
        self.last_cmd_id = cmd_id
        if cmd.float_lock is not None:
            self.rig.command_float_lock(cmd.float_lock)
        for lid, action in cmd.locks.items():
            targets = self.interface.locks if lid == "all" else [self.interface.locks[int(lid)]]
            for lock in targets:
                lock.command(action)
        if cmd.tool:
            self._apply_tool(cmd.tool)

    def _signals(self) -> dict[str, float]:
        """Ground-truth signals a fault's trigger may watch."""
        return {"rig_load_n": self.rig.load_n(), **self._signals_extra()}

    def _signals_extra(self) -> dict[str, float]:
        return {}

    def _contact_kinds(self) -> dict[int, str]:
        """What each body a pack can touch is, for the contact-force peaks."""
        kinds = {self.vehicle_body: "vehicle", self.rig.body: "rig"}
        kinds.update({b: "storage" for b in self._storage_bodies()})
        kinds.update({p.body: "pack" for p in self.packs})
        return kinds

    def _sample_contacts(self) -> None:
        """Total normal force between the packs and each kind of body, this
        physics step; the period keeps its largest. Ground truth from
        pybullet's solver: a KPI of how hard a controller sets packs down, never
        a lock or connector force (those come from their models)."""
        cid = self.world.cid
        for p in self.packs:
            totals: dict[str, float] = {}
            for c in pb.getContactPoints(bodyA=p.body, physicsClientId=cid):
                kind = self._kinds.get(c[2], "other")  # (flag, bodyA, bodyB, ..., normalForce at 9)
                totals[kind] = totals.get(kind, 0.0) + c[9]
            for kind, f in totals.items():
                if f > self.contact_n.get(kind, 0.0):
                    self.contact_n[kind] = f
                self._touching_now.add((p.role, kind))

    def _first_contacts(self, t: float) -> None:
        """A pack meeting the vehicle or the rig's tool after a period apart: how
        far off its target it was when the parts first touched (the alignment
        loop's result, before pins and cones correct it)."""
        apart_periods = self._contact_apart_periods
        # A pair never seen touching has been apart for ever.
        new = [pair for pair in sorted(self._touching_now) if self._apart.get(pair, apart_periods) >= apart_periods]
        for pair in self._apart:
            self._apart[pair] += 1
        for pair in self._touching_now:
            self._apart[pair] = 0
        for role, kind in new:
            if kind == "vehicle":
                rel = self.pose[role].relative_to(self.interface.installed())
            elif kind == "rig":
                rel = self.in_tool[role]
            else:
                continue
            self._events.append(
                {
                    "event": "first_contact",
                    "pack": role,
                    "with": kind,
                    "t_s": t,
                    "x_mm": float(rel.p[0] / MM),
                    "y_mm": float(rel.p[1] / MM),
                    "yaw_deg": math.degrees(rel.yaw_rad),
                }
            )

    def advance(self) -> None:
        self._events += self.faults.update(self.world.time_s, self.phase, self._signals())
        rig, drives = self.rig, self.drives
        for axis, rate in self.encoder_drift.items():
            rig.encoder_offset[axis] += rate * self.period_s
        self.contact_n = {}
        self._touching_now = set()
        for _ in range(self.substeps):
            rig.read()
            drives.step(self.dt, rig.positions())
            rig.actuate(drives, self.dt)
            self.interface.apply_forces()
            self._per_step()
            self.world.step()
            self._sample_contacts()
        rig.read()
        self.frame_seq += 1
        self._snapshot()
        self._first_contacts(self.world.time_s)
        self._update(self.period_s)

    def _snapshot(self) -> None:
        """Read every pose once per control period; the models share it."""
        self.pose = {p.role: p.pose() for p in self.packs}
        self.tool = self.rig.tool_pose()
        self.in_tool = {role: pose.relative_to(self.tool) for role, pose in self.pose.items()}

    def _update(self, dt: float) -> None:
        t = self.world.time_s
        self.interface.find_pack(self.pose, self.packs)
        self._update_rig(dt)
        self._events += self.interface.update(dt, t, vehicle_power=self.vehicle_power, **self._interface_inputs())
        for p in self.packs:
            docked = self._docked_now(p)
            if docked and not self._docked[p.role]:
                rel = self.in_tool[p.role]
                self._events.append(
                    {
                        "event": "dock",
                        "pack": p.role,
                        "t_s": t,
                        "x_mm": float(rel.p[0] / MM),
                        "y_mm": float(rel.p[1] / MM),
                        "yaw_deg": math.degrees(rel.yaw_rad),
                    }
                )
            self._docked[p.role] = docked
        states = {p.role: (float(self.pose[p.role].p[2]), float(p.velocity()[0][2])) for p in self.packs}
        c = self.interface.connector
        # A pack counts as carried while it is docked to the tool and the rig holds most of its weight.
        carried = [
            p.mass_kg for p in self.packs if self._docked[p.role] and self.rig.load_n() > 0.5 * p.mass_kg * self.g
        ]
        self._events += self.hazards.check(
            t_s=t,
            packs=states,
            connector_force_n=c.force_n,
            connector_max_n=c.spec.max_force_n,
            carried_kg=max(carried, default=0.0),
            payload_kg=self.cfg.rig.payload_kg,
        )

    # -- what the station's I/O publishes ----------------------------------------------
    def frame(self) -> dict:
        rig, drives = self.rig, self.drives
        axes = {}
        reported = rig.positions()
        for name in rig.axes:
            d = drives.drives[name]
            axes[name] = {
                "pos": float(quantize(reported[name], d.spec.encoder_resolution)),
                "vel": float(rig.qd[name]),
                "force": float(rig.motor_force[name]),
                "state": d.state,
                "settled": d.settled,
            }
        sensors = self._sensors()
        sensors["estop"] = self.estop
        sensors["station_power"] = self.station_power
        frame = {
            "frame_seq": self.frame_seq,
            "t_s": self.world.time_s,
            "axes": axes,
            "drives": drives.report(),
            "sensors": sensors,
            "last_cmd_id": self.last_cmd_id,
        }
        frame = self.faults.corrupt(frame, self.world.time_s, self.rng)
        # What the controller is told, against what is true: a lock reported
        # engaged while it is open is a hazard whoever believes it.
        self._events += false_engaged(
            self.world.time_s, frame["sensors"]["locks"], self.interface.truth(), self._false_engaged
        )
        return frame

    def _vision_reading(self, target: Pose) -> dict:
        return self.vision.read(target.relative_to(self.rig.tool_nominal_pose()))

    # -- ground truth: the observer channel only ----------------------------------------
    def truth(self) -> dict:
        inst = self.interface.installed()
        packs = {}
        for p in self.packs:
            pose = self.pose[p.role]
            packs[p.role] = {
                "pos_m": pose.p.tolist(),
                "yaw_deg": math.degrees(pose.yaw_rad),
                "tilt_deg": math.degrees(pose.tilt_rad),
                "in_seat_mm": (pose.relative_to(inst).p / MM).tolist(),
                "docked": self._docked[p.role],
            }
        rig = self.rig
        return {
            "t_s": self.world.time_s,
            "frame_seq": self.frame_seq,
            "packs": packs,
            "tool": {
                "pos_m": self.tool.p.tolist(),
                "yaw_deg": math.degrees(self.tool.yaw_rad),
                "float_mm": [v / MM for v in rig.float_offset_m],
            },
            "seat": {"pos_m": inst.p.tolist(), "yaw_deg": math.degrees(inst.yaw_rad)},
            "locks": self.interface.truth(),
            "connector": self.interface.connector.truth(),
            "rig_load_n": rig.load_n(),
            "vehicle_power": self.vehicle_power,
            "station_power": self.station_power,
            "estop": self.estop,
            "faults_active": [f.name for f in self.faults.active],
            "axes": {
                n: {"pos": rig.q[n], "ref": self.drives.drives[n].ref_pos, "force": rig.motor_force[n]}
                for n in rig.axes
            },
            "contact_n": dict(self.contact_n),  # peak pack contact force this period, by what the packs touch
            **self._truth_extra(),
        }

    def events(self) -> list[dict]:
        out, self._events = self._events, []
        return out

    def close(self) -> None:
        self.world.close()
