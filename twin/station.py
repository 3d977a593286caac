"""What every station does each control period, whatever its rig.

A station composes entities (a vehicle, packs, storage, a servo rig with its
drives, the pack-to-vehicle interface, sensors, hazard monitors; see
``twin/entities/base.py`` for their lifecycle) and speaks in the wire's terms.
It is the plant's *station port* (``twin/session/port.py``):

* ``initialize_session()``: the world reset and built again at the
  scenario's start state, settled, plant time zero;
* ``describe()``: the station description sent at the handshake;
* ``apply(command)``: one command per control period (or None if none came);
* ``advance()``: one control period of physics, then the period's models and
  the sampled frame;
* ``frame()``: what the station's I/O read at the end of the last period;
* ``truth()`` and ``take_events()``: ground truth, for the observer channel only.

Queries (``describe``, ``frame``, ``truth``) never change state;
``take_events`` hands over the events the station has collected.

A rig family's station (``twin/rigs/<family>/station.py``) builds its
entities in ``_build`` and supplies the rig-specific parts through the hooks
below; the loop and the bookkeeping live here.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, ClassVar

import numpy as np

import swapwire as wire
from swapwire.frame import AxisState, Frame
from swapwire.station import (
    Clock,
    DrivesInfo,
    FloatInfo,
    Limits,
    PackInfo,
    StationDescription,
    VehicleInfo,
)
from twin.entities.base import Entity
from twin.entities.hazards import HazardMonitor, false_engaged, hazard
from twin.entities.interface import VehicleInterface
from twin.entities.pack import PackBody, with_deviation
from twin.entities.sensors import LoadCell, Vision, quantize
from twin.entities.servo_rig import ServoRig
from twin.faults import FaultInjector, pack_tag, registered_family, target_problems
from twin.frames import Pose
from twin.schema import build
from twin.schema.fault import SAFETY_KINDS, STATIC_KINDS, Fault
from twin.schema.physics import substeps
from twin.schema.plant import PlantConfig
from twin.world import World, pb

MM = 1e-3


class Station:
    """The base of every rig family's station. ``vocabulary``: the family's
    wire vocabulary (``swapwire.vocab.<family>``)."""

    vocabulary: ClassVar[Any]

    # Set by _build():
    rig: ServoRig
    packs: list[PackBody]
    interface: VehicleInterface
    vehicle: Any  # the vehicle entity (a car or a truck)
    vehicle_body: int
    load_cell: LoadCell
    vision: Vision
    hazards: HazardMonitor
    entities: list[Entity]

    def __init__(self, cfg: PlantConfig, *, world: World | None = None):
        self.cfg = cfg
        self.period_s = cfg.wire.control_period_s
        self.substeps = substeps(cfg.physics, cfg.wire)
        self.dt = cfg.physics.step_s
        self.g = cfg.physics.gravity_m_s2
        self.H = cfg.pack.dimensions.height_mm * MM
        self.pack_tag = pack_tag(cfg.faults, cfg.pack.family_id)
        self.registered_family = registered_family(cfg.faults, cfg.pack.family_id)
        self._owns_world = world is None
        self.world = world or World(cfg.physics)
        self._contact_apart_periods = max(1, round(cfg.hazards.contact_apart_s / self.period_s))
        self.initialize_session()

    @property
    def rig_family(self) -> str:
        return self.vocabulary.FAMILY

    @property
    def tool_commands(self) -> dict[str, frozenset[str]]:
        return {name: frozenset(values) for name, values in self.vocabulary.TOOLS.items()}

    # -- the session's start ---------------------------------------------------------
    def initialize_session(self) -> None:
        """Back to the scenario's start: the world reset and built again (so a
        session starts exactly as on a fresh plant), every entity initialised,
        the station settled, plant time zero, frame 0 sampled."""
        cfg = self.cfg
        # 1. Session state, and the world rebuilt.
        self.rng = np.random.default_rng(cfg.seed)
        self.station_power = True
        self.estop = False
        self.phase = ""  # the phase the controller last reported
        self.frame_seq = 0
        self.last_cmd_id: int | None = None
        self._events: list[dict] = []
        self._false_engaged: set[str] = set()
        self.world.reset(cfg.physics)
        self._build()
        self.load_cell = LoadCell(cfg.rig.load_cell, self.rng, initial_n=0.0)
        self.vision = Vision(cfg.rig.vision, self.rng)
        self.hazards = HazardMonitor(cfg.hazards, self.world, self.rig.body, self.vehicle_body)
        self._kinds = self._contact_kinds()
        self.contact_n: dict[str, float] = {}
        self._touching_now: set[tuple[str, str]] = set()
        self._apart: dict[tuple[str, str], int] = {}  # (pack, kind) -> periods since it last touched
        self.faults = FaultInjector(
            cfg.faults, self._fault_targets(), engaged_when=self.interface.describe().engaged_when
        )
        for e in self.entities:
            e.initialize_session()
        # 2. Locks take hold of the depleted pack before anything moves; then settle.
        self._docked = {p.role: False for p in self.packs}
        self._snapshot()
        self._update(0.0)
        self._settle()
        # 3. What touches at rest before t = 0 is no first contact.
        self._sample_contacts()
        self._apart = {pair: 0 for pair in self._touching_now}
        self._touching_now, self.contact_n = set(), {}
        self._snapshot()
        self._update(0.0)
        # 4. The initial state is not an event (the depleted pack starts mated); a
        # misfit and the static faults that shaped the station are.
        self._events.clear()
        self._events += self._placement_check()
        self._events += [
            {"event": "fault", "name": f.name, "kind": f.kind, "active": True, "t_s": 0.0}
            for f in cfg.faults
            if f.kind in STATIC_KINDS
        ]
        self._sample_frame()

    def _fault_targets(self) -> dict[str, Any]:
        """Fault kind -> the part that takes it: each entity names its own kinds;
        the station takes its safety inputs."""
        targets: dict[str, Any] = {kind: self for kind in SAFETY_KINDS}
        for e in self.entities:
            targets.update({kind: e for kind in e.fault_kinds})
        return targets

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

    def _settle(self) -> None:
        """Let contacts and motors take up their static loads before plant time
        zero, so the first frame reads a station at rest (a load cell that has
        been on for a while), not a world that has never been stepped."""
        for _ in range(round(self.cfg.physics.settle_s / self.dt)):
            self._physics_step(sample=False)
        self.world.reset_clock()
        self.load_cell.filtered_n = self.rig.load_n()

    # -- hooks for subclasses --------------------------------------------------------
    def _build(self) -> None:
        """Create the entities (``rig``, ``packs``, ``interface``, ``vehicle``,
        ``vehicle_body``, storage) and list them in ``entities`` in the order
        their per-step hooks run."""
        raise NotImplementedError

    def _storage_bodies(self) -> tuple[int, ...]:
        return ()

    def _docked_now(self, pack: PackBody) -> bool:
        """The pack rests on (pallet) or is landed on by (spreader) the rig's tool."""
        raise NotImplementedError

    def _update_rig(self, dt: float) -> None:
        """Rig-side models at the control period (tool locks, couplings)."""

    def _apply_tool(self, tool: dict) -> None:
        """Tool commands from a command's ``tool`` map (already checked)."""

    def _interface_inputs(self) -> dict:
        """tool_coupled, supported and push_n for the vehicle interface."""
        raise NotImplementedError

    def _readings(self) -> dict[str, Any]:
        """This period's reading of each of the family's own sensors, by name."""
        raise NotImplementedError

    def _pack_features(self) -> dict[str, float]:
        """The pack form's own dimensions in the description (m)."""
        return {}

    def _positions(self) -> dict[str, Any]:
        raise NotImplementedError

    def _sections(self) -> dict[str, Any]:
        """The family's own top-level sections of the description."""
        return {}

    def _truth_extra(self) -> dict:
        return {}

    def _catalog_section(self, tool_settings_m) -> dict[str, Any]:
        """The station's interface catalog for the description: per family it
        serves, its mass, tolerance, CoG and the tooling ``tool_settings_m(pack)`` it needs."""
        return {
            family: {
                "mass_kg": pack.mass_kg,
                "mass_tolerance_kg": pack.tolerances.mass_kg,
                "cog": [c * MM for c in pack.cog_mm],
                "tooling": tool_settings_m(pack),
            }
            for family, pack in self.cfg.station_catalog.items()
        }

    def _signals_extra(self) -> dict[str, float]:
        return {}

    # -- the description -----------------------------------------------------------
    def describe(self) -> StationDescription:
        cfg, pack = self.cfg, self.cfg.pack
        return StationDescription(
            station_id=cfg.rig.name,
            rig_family=self.rig_family,
            clock=Clock(mode=cfg.clock, control_period_s=self.period_s),
            drives=DrivesInfo(
                command_timeout_periods=cfg.wire.command_timeout_periods,
                on_timeout="controlled stop, latched until reset_faults",
            ),
            axes=[s.describe() for s in self.rig.specs],
            float_=FloatInfo(range=cfg.rig.float.range_mm * MM, lock_time_s=cfg.rig.float.lock_time_s),
            locks=self.interface.describe(),
            tools={name: sorted(values) for name, values in self.tool_commands.items()},
            # As the lane reads them: the vehicle's registration (with the pack
            # family it is registered for) and, separately, the pack's own tag.
            vehicle=VehicleInfo(
                vehicle_id=cfg.vehicle.vehicle_id,
                model=cfg.vehicle.model,
                vehicle_class=cfg.vehicle.vehicle_class,
                registered_pack_family=self.registered_family,
            ),
            limits=Limits(payload_kg=cfg.rig.payload_kg, swap_time_limit_s=cfg.vehicle.swap_time_limit_s),
            sensors={s.name: s.info for s in self.vocabulary.SENSORS},
            pack=PackInfo(
                family_id=self.pack_tag,
                mass_kg=pack.mass_kg,
                length=pack.dimensions.length_mm * MM,
                width=pack.dimensions.width_mm * MM,
                height=self.H,
                features=self._pack_features(),
            ),
            positions=self._positions(),
            session=cfg.wire.session_info(),
            sections=self._sections(),
        )

    @property
    def lock_ids(self) -> list[str]:
        return self.interface.ids

    @property
    def time_s(self) -> float:
        return self.world.time_s

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
                    cmd,
                    reset_faults=False,
                    locks={wire.ALL_LOCKS: wire.LOCK_HOLD},
                    tool={k: wire.LOCK_HOLD for k in cmd.tool},
                )
        self.rig.drives.on_period(cmd, self.rig.positions())
        if cmd is None:
            return
        self.last_cmd_id = cmd_id
        if cmd.float_lock is not None:
            self.rig.command_float_lock(cmd.float_lock)
        for lid, action in cmd.locks.items():
            targets = self.interface.locks if lid == wire.ALL_LOCKS else [self.interface.locks[int(lid)]]
            for lock in targets:
                lock.command(action)
        if cmd.tool:
            self._apply_tool(cmd.tool)

    def apply_fault(self, fault, *, active: bool) -> None:
        """The station's safety inputs: an e-stop (stop category 1) or a station power loss (category 0)."""
        drives, actual = self.rig.drives, self.rig.positions()
        if fault.kind == "e_stop":
            self.estop = active
            if active:
                drives.emergency_stop(category=1, reason="emergency stop pressed", actual=actual)
        elif fault.kind == "power_loss":
            self.station_power = not active
            if active:
                drives.emergency_stop(category=0, reason="station power lost", actual=actual)

    def inject_fault(self, data: dict) -> str:
        """An engineer's fault, armed now with its own trigger (default and a ``t_s`` already
        past fires at the next period). Refused (ValueError) if it does not fit
        the station, with the config check's own reasons."""
        data = {"name": f"engineer_{data.get('kind')}", "doc": "injected by an engineer", "at": {"t_s": 0.0}, **data}
        fault = build(Fault, data, where="engineer.fault")
        if fault.kind in STATIC_KINDS:
            raise ValueError(f"a {fault.kind} fault shapes the station before the run: it cannot be injected into one")
        plant = dataclasses.replace(self.cfg, extra_faults=[*self.cfg.extra_faults, fault])
        index = len(plant.faults) - 1
        problems = [m for k, m in target_problems(plant) if k.startswith(f"{index}:")]
        if problems:
            raise ValueError(f"the fault does not fit this station: {'; '.join(problems)}")
        self.faults.arm(fault)
        return f"armed {fault.name} ({fault.kind})"

    def _signals(self) -> dict[str, float]:
        """Ground-truth signals a fault's trigger may watch."""
        return {"rig_load_n": self.rig.load_n(), **self._signals_extra()}

    def advance(self) -> None:
        """One control period: faults' triggers, the physics steps, the period's models, the frame."""
        t = self.world.time_s
        self._events += self.faults.update(t, self.phase, self._signals())
        for e in self.entities:
            e.before_period(t, self.period_s)
        self.contact_n = {}
        self._touching_now = set()
        for _ in range(self.substeps):
            self._physics_step(sample=True)
        self.frame_seq += 1
        self._snapshot()
        self._first_contacts(self.world.time_s)
        self._update(self.period_s)
        for e in self.entities:
            e.after_period(self.world.time_s, self.period_s)
        self._sample_frame()

    def _physics_step(self, *, sample: bool) -> None:
        for e in self.entities:
            e.before_step(self.dt)
        self.world.step()
        for e in self.entities:
            e.after_step(self.dt)
        if sample:
            self._sample_contacts()

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

    def _snapshot(self) -> None:
        """Read every pose once per control period; the models share it."""
        self.pose = {p.role: p.pose() for p in self.packs}
        self.tool = self.rig.tool_pose()
        self.in_tool = {role: pose.relative_to(self.tool) for role, pose in self.pose.items()}

    def _update(self, dt: float) -> None:
        """The period's models, in order: which pack is at the seat, the rig's
        own tool models, the locks and the connector, dockings, hazards."""
        t = self.world.time_s
        self.interface.find_pack(self.pose, self.packs)
        self._update_rig(dt)
        self._events += self.interface.update(dt, t, vehicle_power=self.vehicle.power, **self._interface_inputs())
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
    def _sample_frame(self) -> None:
        """Sample every sensor once (filters and noise advance here, never when
        the frame is read), apply the sensor faults, and keep the frame."""
        rig, drives = self.rig, self.rig.drives
        reported = rig.positions()
        axes = {}
        for name in rig.axes:
            d = drives.drives[name]
            axes[name] = AxisState(
                pos=float(quantize(reported[name], d.spec.encoder_resolution)),
                vel=float(rig.qd[name]),
                force=float(rig.motor_force[name]),
                state=d.state,
                settled=d.settled,
            )
        values = {**self._readings(), "estop": self.estop, "station_power": self.station_power}
        readings = {s.name: values[s.name] for s in self.vocabulary.SENSORS}  # the declared sensors, in order
        readings = self.faults.corrupt(readings, self.rng)
        # What the controller is told, against what is true: a lock reported
        # engaged while it is open is a hazard whoever believes it.
        self._events += false_engaged(self.world.time_s, readings["locks"], self.interface.by_id(), self._false_engaged)
        self._frame = Frame(
            frame_seq=self.frame_seq,
            t_s=self.world.time_s,
            axes=axes,
            drives=drives.report(),
            sensors=readings,
            last_cmd_id=self.last_cmd_id,
        )

    def frame(self) -> Frame:
        return self._frame

    def _vision_reading(self, target: Pose):
        return self.vision.sample(target.relative_to(self.rig.tool_nominal_pose()))

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
            "vehicle_power": self.vehicle.power,
            "station_power": self.station_power,
            "estop": self.estop,
            "faults_active": [f.name for f in self.faults.active],
            "axes": {
                n: {"pos": rig.q[n], "ref": rig.drives.drives[n].ref_pos, "force": rig.motor_force[n]} for n in rig.axes
            },
            "contact_n": dict(self.contact_n),  # peak pack contact force this period, by what the packs touch
            **self._truth_extra(),
        }

    def take_events(self) -> list[dict]:
        out, self._events = self._events, []
        return out

    def close(self) -> None:
        """Release the world, if the station made it (a plant that serves many sessions keeps its own)."""
        if self._owns_world:
            self.world.close()
