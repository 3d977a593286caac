"""A physics-free mock station that speaks the wire: for fast controller tests, never as proof that a feature works.

What ros2_control's mock hardware is to a controller, this is to ours: a
station port (``twin.session.port.StationPort``) with no physics, which the
real session loop (``twin.session.plant.Plant`` on a ``PlantLink``) serves over
ZeroMQ, or a test drives in process (``tests.conftest.InProcess``): a swap
runs about a hundred times faster than plant time. It imports no pybullet.
Only the twin (contact, pins, cones) can show that a swap works; this shows
that a *controller* does what it should, in seconds.

**Built like the twin**: the same description types (``swapwire.station``),
the family's vocabulary (``swapwire.vocab.<family>``), its derived geometry
(``twin.rigs.<family>.layout``), the drives (``DriveGroup`` of ``AxisSpec``),
the real lock models (``twin.locks.make_lock``) and connector model; its
description equals the twin's (``tests/test_mock_station.py``). The config's
static faults (``misparked``, ``wrong_pack_family``) shape it as they shape
the twin; any other configured fault is refused: use the knobs.

**Kinematic rules**, each period: the drives step, then the rules, then the frame.

* Axes mirror their drives' set-points (stepped at the physics step, so the
  profiles, watchdog and latching are the drives' own); the vertical axis's
  force is the load it carries. Nothing collides or pushes back, there is no
  noise, the float never moves (``float_locked`` follows its command after
  ``float.lock_time_s``), packs are nominal, and a pack rides the tool with
  the offset it had when taken (no pins or cones centre it).
* Frames: positions quantised to the encoder resolution; the load cell reads
  the carried weight (mass x g); vision reads the vehicle's seat frame (the
  scenario's parking offset and yaw) in the tool's frame, valid within
  ``vision.range_mm``; lock status channels are the lock models' ``sensors()``.
* The vehicle's lock models and the connector model see the pack at the seat
  (the nearest within the twin's capture distance) by its offset from the
  installed pose, z along the insertion, negative while not fully in.

Under-chassis (tool: the pallet's pad tops at ``travel, align, pad top + lift,
yaw``): the pack in the bay stays while any lock is engaged; once none is and
the pallet is at bay contact (pads at the pack's bottom) it rides the pallet
(``pack_present``, load cell = its weight), its top never above the seat
plane, until it is lowered onto a slot's rails over the slot or an engaged
lock holds it at the seat. ``pack_present``: the pads within
``presence_gap_mm`` under a pack. ``tool_coupled``: the coupler within
``tool.capture_mm`` of the vehicle's lock port across and the pads within
``tool.stroke_mm`` of bay contact. A pack that loses its locks with the pallet
away falls (a ``hazard`` event).

Overhead (tool: the spreader's landing plane at ``bridge, trolley, hoist zero
+ hoist, slew``): the spreader's twist-locks are real models fed the castings'
offsets; ``spreader.landed``: every casting within ``landed_gap_mm`` of the
landing plane, under its pad. A pack hangs on the spreader while a spreader
lock is engaged and no vehicle lock was when it was taken; it rests on a stand
or on the truck's cradle, whose suspension carries k x compression (the
cradle sinks by ``layout.suspension_sink_m`` under a pack; vision sees it rise
when the pack goes). The hoist's set-point stops where its load comes to rest,
as the twin's slack-chain switch stops it (on a pack's castings, or where the
seat carries the whole carried pack), and stalls while it grips a pack the
vehicle's locks still hold.

**Knobs**: what a fault would do, on demand; each is announced as a ``fault`` event.

* ``stick(name, value)`` / ``unstick(name)``: a reading from the next frame
  on; ``name`` is a sensor (``pack_present``: ``(True, False)`` is a stuck
  channel) or a lock status channel (``locks.0.extended``,
  ``spreader.locks.2.locked``), as ``reading(name)`` reads it; ``drop_load_cell()``:
  the load cell reads null;
* ``lose_frames(n)``: the next ``n`` frames never reach the controller (the
  station runs ``n`` more periods on its set-points);
* ``set_estop(pressed)``, ``set_power(on)``: the safety inputs, the drives'
  stop (category 1, 0) and the station ignoring commands meanwhile, as the twin;
* ``fault_drive(axis, reason)``: the drive latches ``fault``;
  ``jam_lock(index, group="locks")``: the lock model jams (``lock_jam``).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, ClassVar

import swapwire as wire
from swapwire import station as ws
from swapwire.frame import AxisState, Frame, VisionReading
from swapwire.typed import to_wire
from swapwire.vocab import overhead as overhead_vocab
from swapwire.vocab import under_chassis as under_chassis_vocab
from twin.entities.connector import Connector
from twin.entities.drives import AxisSpec, DriveGroup
from twin.entities.sensors import quantize
from twin.faults import pack_tag, static_parking
from twin.locks import make_lock
from twin.locks.base import LockContext, LockModel
from twin.rigs.overhead import layout as overhead_layout
from twin.rigs.under_chassis import layout as under_chassis_layout
from twin.schema.fault import STATIC_KINDS
from twin.schema.physics import substeps
from twin.schema.rig import LinearAxis

MM = 1e-3
# Float rounding of derived heights (a lift target against a layout height): far below any switch's gap.
_CONTACT_EPS_M = 1e-6
_NOTHING_THERE = (0.0, 1.0, -1.0)  # a lock or connector offset with no pack at the seat (the twin's)


@dataclass(frozen=True, slots=True)
class Place:
    """A frame in the world: position (m) and yaw (rad). The mock has no tilt."""

    x: float
    y: float
    z: float
    yaw: float = 0.0

    def apply(self, px: float, py: float, pz: float = 0.0) -> tuple[float, float, float]:
        c, s = math.cos(self.yaw), math.sin(self.yaw)
        return self.x + c * px - s * py, self.y + s * px + c * py, self.z + pz

    def compose(self, rel: Place) -> Place:
        return Place(*self.apply(rel.x, rel.y, rel.z), self.yaw + rel.yaw)

    def relative_to(self, other: Place) -> Place:
        """This frame seen from ``other``."""
        c, s = math.cos(other.yaw), math.sin(other.yaw)
        dx, dy = self.x - other.x, self.y - other.y
        return Place(c * dx + s * dy, -s * dx + c * dy, self.z - other.z, self.yaw - other.yaw)

    def moved(self, z: float) -> Place:
        return Place(self.x, self.y, z, self.yaw)


@dataclass
class MockPack:
    """A pack: its frame (top-face centre) in the world, and what it is on: ``vehicle``, ``tool``, a
    storage place's name or ``floor``; ``rel``: its frame in the tool's while on the tool."""

    role: str
    mass_kg: float
    place: Place
    on: str
    rel: Place | None = None


def axis_specs(rig: Any, names: tuple[str, ...]) -> list[AxisSpec]:
    """The rig's drives in the vocabulary's axis order (linear or rotary by their config's schema)."""
    axes = [(n, getattr(rig.axes, n)) for n in names]
    return [AxisSpec.linear(n, a) if isinstance(a, LinearAxis) else AxisSpec.rotary(n, a) for n, a in axes]


def describe_locks(locks: list[LockModel], ids: list[str]) -> ws.LockGroup:
    """A lock group as a station describes it (the twin's ``describe_locks`` sits beside pybullet)."""
    first = locks[0]
    return ws.LockGroup(
        type=first.lock_type,
        count=len(locks),
        ids=list(ids),
        channels={name: 2 for name in first.channels},
        engage_time_s=first.nominal_engage_time_s,
        engaged_when=dict(first.engaged_when),
        released_when=dict(first.released_when),
        after_engage=first.after_engage,  # type: ignore[arg-type]
    )


class MockStation:
    """The station port and the knobs; a family's subclass supplies its layout and its rules."""

    vocabulary: ClassVar[Any]
    LOAD_AXIS: ClassVar[str]  # the vertical axis: its force is the carried load
    INSERTION_SIGN: ClassVar[float]  # +1: pushed up into the bay; -1: set down onto the cradle
    SEAT_CAPTURE_M: ClassVar[float]  # a pack this close to its installed pose is at the seat (the twin's)
    packs: list[MockPack]
    load_n = 0.0

    def __init__(self, cfg: Any):
        dynamic = sorted({f.kind for f in cfg.faults if f.kind not in STATIC_KINDS})
        if dynamic:
            raise ValueError(f"the mock station takes static faults only, not {dynamic}: use its knobs")
        self.cfg, self.period_s, self.step_s = cfg, cfg.wire.control_period_s, cfg.physics.step_s
        self.substeps = substeps(cfg.physics, cfg.wire)
        self.g, self.H = cfg.physics.gravity_m_s2, cfg.pack.dimensions.height_mm * MM
        self.specs = axis_specs(cfg.rig, self.vocabulary.AXES)
        self.initialize_session()

    # -- the station port ------------------------------------------------------------------
    def initialize_session(self) -> None:
        cfg = self.cfg
        self.periods, self.frame_seq, self.last_cmd_id = 0, 0, None
        self.estop, self.station_power = False, True
        self.stuck: dict[str, Any] = {}
        self._lose, self._events, self._engaged = 0, [], {}
        homes = {s.name: s.home for s in self.specs}
        self.drives = DriveGroup(self.specs, homes, timeout_periods=cfg.wire.command_timeout_periods)
        self._drive_list = list(self.drives.drives.values())
        self.float_commanded, self.float_locked, self._float_timer_s = True, True, 0.0
        self.lock_ids = [str(i) for i in range(len(cfg.pack.locks.positions_mm))]
        self.locks = [make_lock(cfg.lock, engaged=True) for _ in self.lock_ids]
        self.lock_points = [(x * MM, y * MM) for x, y in cfg.pack.locks.positions_mm]
        self.connector = Connector(cfg.pack.connector, face_z_m=0.0)  # the mock works out its offset itself
        self._build()
        self._update()
        self._sample()

    @property
    def time_s(self) -> float:
        return self.periods * self.period_s

    @property
    def actuators_enabled(self) -> bool:
        return self.station_power and not self.estop

    def describe(self) -> ws.StationDescription:
        cfg, pack, wcfg = self.cfg, self.cfg.pack, self.cfg.wire
        return ws.StationDescription(
            station_id=cfg.rig.name,
            rig_family=self.vocabulary.FAMILY,
            clock=ws.Clock(mode=cfg.clock, control_period_s=self.period_s),
            drives=ws.DrivesInfo(
                command_timeout_periods=wcfg.command_timeout_periods,
                on_timeout="controlled stop, latched until reset_faults",
            ),
            axes=[s.describe() for s in self.specs],
            float_=ws.FloatInfo(range=cfg.rig.float.range_mm * MM, lock_time_s=cfg.rig.float.lock_time_s),
            locks=describe_locks(self.locks, self.lock_ids),
            tools={name: sorted(values) for name, values in self.vocabulary.TOOLS.items()},
            vehicle=ws.VehicleInfo(
                vehicle_id=cfg.vehicle.vehicle_id,
                model=cfg.vehicle.model,
                vehicle_class=cfg.vehicle.vehicle_class,
                registered_pack_family=pack.family_id,
            ),
            limits=ws.Limits(payload_kg=cfg.rig.payload_kg, swap_time_limit_s=cfg.vehicle.swap_time_limit_s),
            sensors={s.name: s.info for s in self.vocabulary.SENSORS},
            pack=ws.PackInfo(
                family_id=pack_tag(cfg.faults, pack.family_id),
                mass_kg=pack.mass_kg,
                length=pack.dimensions.length_mm * MM,
                width=pack.dimensions.width_mm * MM,
                height=self.H,
                features=self._pack_features(),
            ),
            positions=self._positions(),
            session=wcfg.session_info(),
            sections=self._sections(),
        )

    def apply(self, cmd: wire.Command | None, cmd_id: int | None = None) -> None:
        if cmd is not None and not self.actuators_enabled:  # nothing re-arms, no valve or tool acts
            hold = wire.LOCK_HOLD
            locks, tool = {wire.ALL_LOCKS: hold}, dict.fromkeys(cmd.tool, hold)
            cmd = dataclasses.replace(cmd, reset_faults=False, locks=locks, tool=tool)
        self.drives.on_period(cmd, self._positions_now())
        if cmd is None:
            return
        self.last_cmd_id = cmd_id
        if cmd.float_lock is not None and cmd.float_lock != self.float_commanded:
            self.float_commanded, self._float_timer_s = cmd.float_lock, 0.0
        for lid, action in cmd.locks.items():
            for lock in self.locks if lid == wire.ALL_LOCKS else [self.locks[int(lid)]]:
                lock.command(action)
        self._apply_tool(cmd.tool)

    def advance(self) -> None:
        for _ in range(1 + self._lose):
            self._before_period()
            for _ in range(self.substeps):
                self._step_drives()
                self._constrain()
            self.periods += 1
            if self.float_commanded != self.float_locked:
                self._float_timer_s += self.period_s
                if self._float_timer_s >= self.cfg.rig.float.lock_time_s - 1e-9:
                    self.float_locked = self.float_commanded
            self._update()
        self.frame_seq += 1 + self._lose
        self._lose = 0
        self._sample()

    def frame(self) -> Frame:
        return self._frame

    def truth(self) -> dict:
        packs = {p.role: {"on": p.on, "pos_m": [p.place.x, p.place.y, p.place.z]} for p in self.packs}
        return {
            "t_s": self.time_s,
            "frame_seq": self.frame_seq,
            "packs": packs,
            "axes": {n: {"pos": d.ref_pos} for n, d in self.drives.drives.items()},
            "locks": [dict(lk.truth(), id=i) for i, lk in zip(self.lock_ids, self.locks)],
            "connector": self.connector.truth(),
            "rig_load_n": self.load_n,
            "estop": self.estop,
            "station_power": self.station_power,
            **self._truth_extra(),
        }

    def take_events(self) -> list[dict]:
        out, self._events = self._events, []
        return out

    def close(self) -> None:
        """Nothing to release: no world, no sockets."""

    # -- knobs ---------------------------------------------------------------------------------
    def _announce(self, name: str, **detail: Any) -> None:
        self._events.append({"event": "fault", "name": name, "kind": "mock", "t_s": self.time_s, **detail})

    def stick(self, name: str, value: Any) -> None:
        self._sensor_path(name)  # refuses a name the station does not have
        self.stuck[name] = value
        self._announce("stick", sensor=name, value=value)

    def unstick(self, name: str) -> None:
        self.stuck.pop(name, None)

    def reading(self, name: str) -> Any:
        """The last frame's reading of a sensor or a lock status channel (names as for ``stick``)."""
        sensor, where = self._sensor_path(name)
        value = self._frame.sensors[sensor]
        return value if where is None else value[where[0]][where[1]]

    def drop_load_cell(self) -> None:
        self.stick(self.vocabulary.LOAD_CELL.name, None)

    def lose_frames(self, n: int) -> None:
        self._lose += n
        self._announce("lose_frames", frames=n)

    def set_estop(self, pressed: bool) -> None:
        """Press (stop category 1) or release the emergency stop; a release restarts nothing."""
        if pressed and not self.estop:
            self.drives.emergency_stop(category=1, reason="emergency stop pressed", actual=self._positions_now())
            self._announce("e_stop")
        self.estop = pressed

    def set_power(self, on: bool) -> None:
        """Lose (stop category 0) or restore station power; a return restarts nothing."""
        if not on and self.station_power:
            self.drives.emergency_stop(category=0, reason="station power lost", actual=self._positions_now())
            self._announce("power_loss")
        self.station_power = on

    def fault_drive(self, axis: str, reason: str = "following error (mock)") -> None:
        d = self.drives.drives[axis]
        d.state, d.reason, d.target, d.ref_vel = wire.DRIVE_FAULT, reason, d.ref_pos, 0.0
        self._announce("drive_fault", axis=axis)

    def jam_lock(self, index: int, group: str = "locks") -> None:
        self._lock_groups()[group][index].apply_fault("lock_jam", active=True)
        self._announce("lock_jam", group=group, lock=index)

    # -- the period's pieces ----------------------------------------------------------------------
    def _step_drives(self) -> None:
        """``DriveGroup.step`` with each axis where its set-point is. A drive at rest on its target
        that is not stopping would change nothing observable in a step: it is not stepped (speed)."""
        for d in self._drive_list:
            if d.ref_vel != 0.0 or d.ref_pos != d.target or d.state == wire.DRIVE_STOPPING:
                d.step(self.step_s, d.ref_pos)

    def _positions_now(self) -> dict[str, float]:
        return {n: d.ref_pos for n, d in self.drives.drives.items()}

    def _lock_groups(self) -> dict[str, list[LockModel]]:
        """Description key -> the group's lock models (their ids are their indices)."""
        return {"locks": self.locks}

    def _update_locks(self, group: str, locks: list[LockModel], contexts: list[LockContext]) -> None:
        """Advance a group's lock models one period (none before the first); announce what changed."""
        dt = self.period_s if self.periods else 0.0
        was = self._engaged.setdefault(group, [lk.engaged for lk in locks])
        for i, (lock, ctx) in enumerate(zip(locks, contexts)):
            lock.update(dt, ctx)
            if lock.engaged != was[i]:
                was[i] = lock.engaged
                event = {"event": "lock", "group": group, "lock": str(i), "engaged": lock.engaged, "t_s": self.time_s}
                self._events.append(event)

    def _at_seat(self, seat: Place) -> tuple[MockPack | None, Place | None]:
        """The pack nearest its installed pose within the capture distance, and its frame in the seat's."""
        best, best_rel, best_d = None, None, self.SEAT_CAPTURE_M
        for p in self.packs:
            rel = p.place.relative_to(seat)
            d = math.sqrt(rel.x**2 + rel.y**2 + rel.z**2)
            if d < best_d:
                best, best_rel, best_d = p, rel, d
        return best, best_rel

    def _offset(self, rel: Place, px: float, py: float) -> tuple[float, float, float]:
        """A pack feature relative to where the vehicle expects it, z along the insertion."""
        x, y, _ = rel.apply(px, py)
        return x - px, y - py, self.INSERTION_SIGN * rel.z

    def _vehicle_interface(self, seat: Place, *, tool_coupled: bool, load_n: float) -> None:
        """The vehicle's lock models and the connector model, fed the pack at the seat."""
        _, rel = self._at_seat(seat)
        share = load_n / len(self.locks)
        offsets = [self._offset(rel, *pt) if rel is not None else _NOTHING_THERE for pt in self.lock_points]
        ctx = [LockContext(o, tool_coupled, True, share) for o in offsets]  # type: ignore[arg-type]
        self._update_locks("locks", self.locks, ctx)
        cx, cy = (v * MM for v in self.cfg.pack.connector.position_mm)
        off = self._offset(rel, cx, cy) if rel is not None else _NOTHING_THERE
        self.connector.update(off, rel.yaw if rel is not None else 0.0, push_n=0.0)  # type: ignore[arg-type]

    def _fall(self, p: MockPack) -> None:
        """A pack that nothing holds: a hazard; the mock lets it lie where it fell."""
        self._events.append({"event": "hazard", "kind": "pack_fall", "pack": p.role, "t_s": self.time_s})
        p.on, p.rel = "floor", None

    def _vision_of(self, target: Place, tool: Place) -> VisionReading:
        rel = target.relative_to(tool)
        if math.hypot(rel.x, rel.y) > self.cfg.rig.vision.range_mm * MM:
            return VisionReading(False)
        return VisionReading(True, rel.x, rel.y, rel.z, rel.yaw)

    def _sample(self) -> None:
        load, axes = self.load_n, {}
        for n, d in self.drives.drives.items():
            pos = quantize(d.ref_pos, d.spec.encoder_resolution)
            axes[n] = AxisState(pos, d.ref_vel, load if n == self.LOAD_AXIS else 0.0, d.state, d.settled)
        values = {**self._readings(), "estop": self.estop, "station_power": self.station_power}
        readings = {s.name: values[s.name] for s in self.vocabulary.SENSORS}  # declared, in frame order
        for name, value in self.stuck.items():
            sensor, where = self._sensor_path(name)
            if where is None:
                readings[sensor] = value
            else:
                readings[sensor] = {lid: dict(channels) for lid, channels in readings[sensor].items()}
                readings[sensor][where[0]][where[1]] = value
        self._frame = Frame(self.frame_seq, self.time_s, axes, self.drives.report(), readings, self.last_cmd_id)

    def _sensor_path(self, name: str) -> tuple[str, tuple[str, str] | None]:
        """``name`` -> (its declared sensor, (lock id, channel) inside a lock status sensor, or None)."""
        for s in self.vocabulary.SENSORS:
            if name == s.name:
                return s.name, None
            if s.info.kind == "lock_status" and name.startswith(s.name + "."):
                lid, _, channel = name[len(s.name) + 1 :].partition(".")
                models = self._lock_groups()[str(s.info.lock_group)]
                if lid.isdigit() and int(lid) < len(models) and channel in models[0].channels:
                    return s.name, (lid, channel)
        raise KeyError(f"the {self.vocabulary.FAMILY} mock has no sensor or lock channel {name!r}")

    # -- a family's parts: _build (the layout, the packs), _update (the period's rules, the lock and
    # connector models), _readings, _pack_features, _positions; and, if it needs them: ---------------
    def _before_period(self) -> None:
        """Before the period's drive steps."""

    def _constrain(self) -> None:
        """After each drive step: what stops a set-point (nothing, unless the family says)."""

    def _apply_tool(self, tool: dict) -> None:
        """A command's tool map (already checked against the description)."""

    def _sections(self) -> dict[str, Any]:
        return {}

    def _truth_extra(self) -> dict:
        return {}


class UnderChassisMock(MockStation):
    """The shuttle under a car; the tool frame is the pallet's pad tops at its centre."""

    vocabulary = under_chassis_vocab
    LOAD_AXIS, INSERTION_SIGN, SEAT_CAPTURE_M = "lift", 1.0, 0.5

    def _build(self) -> None:
        cfg, rig, sc = self.cfg, self.cfg.rig, self.cfg.scenario
        (ox, oy), yaw_deg = static_parking(cfg.faults, sc.parking_offset_mm, sc.parking_yaw_deg)
        # The bay's seat frame: where an installed pack's frame is (and what vision measures).
        self.seat = Place(ox * MM, oy * MM, cfg.vehicle.bay.seat_height_mm * MM, math.radians(yaw_deg))
        stored_top = rig.storage.pack_bottom_mm * MM + self.H
        self.slots = {s.name: Place(s.x_mm * MM, 0.0, stored_top) for s in rig.storage.slots}
        charged = next(s.name for s in rig.storage.slots if s.content == "charged")
        dx, dy = (v * MM for v in sc.charged_pack_offset_mm)
        slot = self.slots[charged]
        self.packs = [
            MockPack("depleted", cfg.pack.mass_kg, self.seat, "vehicle"),
            MockPack("charged", cfg.pack.mass_kg, Place(slot.x + dx, slot.y + dy, slot.z), charged),
        ]
        self.pad_top_m = under_chassis_layout.pad_top_at_lift_zero_m(rig)
        self.reach_m = rig.pallet.length_mm * MM / 2
        self.tool_coupled = self.present = False

    def tool(self) -> Place:
        d = self.drives.drives
        return Place(d["travel"].ref_pos, d["align"].ref_pos, self.pad_top_m + d["lift"].ref_pos, d["yaw"].ref_pos)

    def _over(self, place: Place, frame: Place, reach_m: float) -> bool:
        rel = place.relative_to(frame)
        return abs(rel.x) < reach_m and abs(rel.y) < reach_m

    def _gap(self, p: MockPack, tool: Place) -> float:
        """How far a pack's bottom is above the pallet's pad tops (inf: the pallet is not under it)."""
        return (p.place.z - self.H) - tool.z if self._over(p.place, tool, self.reach_m) else math.inf

    def _take(self, p: MockPack, tool: Place) -> None:
        rel = p.place.relative_to(tool)
        p.on, p.rel = "tool", Place(rel.x, rel.y, self.H, rel.yaw)  # resting on the pads

    def _update(self) -> None:
        tool, seat, rig = self.tool(), self.seat, self.cfg.rig
        held = any(lk.engaged for lk in self.locks)
        # 1. The packs move, by the locks' state of the last period.
        for p in self.packs:
            if p.on == "tool":
                place = tool.compose(p.rel)
                if self._over(place, seat, self.SEAT_CAPTURE_M) and place.z > seat.z:
                    place = place.moved(seat.z)  # the bay's seat stops a pack pushed up into it
                p.place = place
                for name, slot in self.slots.items():
                    if self._over(place, slot, self.reach_m) and place.z < slot.z:
                        p.on, p.rel, p.place = name, None, place.moved(slot.z)  # set down on the slot's rails
            elif (p.on == "vehicle" and not held) or p.on in self.slots:
                if self._gap(p, tool) <= _CONTACT_EPS_M:
                    self._take(p, tool)
                elif p.on == "vehicle":
                    self._fall(p)
                    if self._gap(p, tool) < math.inf:
                        self._take(p, tool)  # it dropped onto the pallet
        # 2. The lock tool's coupler at the vehicle's lock port.
        cx, cy, _ = tool.apply(*(v * MM for v in rig.tool.port_position_mm))
        px, py, _ = seat.apply(*(v * MM for v in self.cfg.vehicle.bay.lock_port_mm))
        near = math.hypot(cx - px, cy - py) <= rig.tool.capture_mm * MM
        self.tool_coupled = near and abs(tool.z - (seat.z - self.H)) <= rig.tool.stroke_mm * MM
        # 3. The vehicle's locks and the connector: a pack the pallet supports loads no lock.
        at_seat, _ = self._at_seat(seat)
        drop_m = self.cfg.hazards.drop_distance_mm * MM
        hanging = at_seat is not None and at_seat.on != "tool" and self._gap(at_seat, tool) > drop_m
        load = at_seat.mass_kg * self.g if at_seat is not None and hanging else 0.0
        self._vehicle_interface(seat, tool_coupled=self.tool_coupled, load_n=load)
        # 4. A pack pushed into the seat stays there once a lock holds it.
        held = any(lk.engaged for lk in self.locks)
        if held and at_seat is not None and at_seat.on == "tool" and abs(at_seat.place.z - seat.z) <= _CONTACT_EPS_M:
            at_seat.on, at_seat.rel = "vehicle", None
        # 5. What the pallet carries, and what its switches see.
        self.load_n = sum(p.mass_kg for p in self.packs if p.on == "tool") * self.g
        gap_m = rig.pallet.presence_gap_mm * MM
        self.present = any(p.on == "tool" or self._gap(p, tool) <= gap_m for p in self.packs)

    def _readings(self) -> dict[str, Any]:
        v = self.vocabulary
        return {
            v.LOAD_CELL.name: self.load_n,
            v.PACK_PRESENT.name: (self.present, self.present),
            "float_locked": self.float_locked,
            v.TOOL_COUPLED.name: self.tool_coupled,
            "connector_mated": self.connector.mated,
            v.VISION.name: self._vision_of(self.seat, self.tool()),
            "locks": {i: lk.sensors() for i, lk in zip(self.lock_ids, self.locks)},
        }

    def _pack_features(self) -> dict[str, float]:
        return {"locating_pin_length": self.cfg.pack.locating_pins.length_mm * MM}

    def _positions(self) -> dict[str, Any]:
        rig, layout = self.cfg.rig, under_chassis_layout
        contact = layout.bay_contact_lift_m(rig, self.cfg.vehicle, height_m=self.H)
        slot_contact = layout.slot_contact_lift_m(rig)
        return {
            "home": {s.name: s.home for s in self.specs},
            "bay": {"travel": 0.0, "align": 0.0, "yaw": 0.0, "lift_contact": contact},
            "slots": [
                {"name": s.name, "content": s.content, "travel": s.x_mm * MM, "lift_contact": slot_contact}
                for s in rig.storage.slots
            ],
            "lift_carry": layout.carry_lift_m(rig),
            "lift_low": next(s for s in self.specs if s.name == "lift").lower,
        }


class OverheadMock(MockStation):
    """The gantry over a truck; the tool frame is the spreader's landing plane at its centre."""

    vocabulary = overhead_vocab
    LOAD_AXIS, INSERTION_SIGN, SEAT_CAPTURE_M = "hoist", -1.0, 0.6

    def _build(self) -> None:
        cfg, rig, sc, truck, pack = self.cfg, self.cfg.rig, self.cfg.scenario, self.cfg.vehicle, self.cfg.pack
        (ox, oy), yaw_deg = static_parking(cfg.faults, sc.parking_offset_mm, sc.parking_yaw_deg)
        self.unladen = Place(ox * MM, oy * MM, truck.cradle.seat_height_mm * MM, math.radians(yaw_deg))
        self.k_n_per_m = truck.suspension.stiffness_n_per_mm / MM
        self.compression_m = overhead_layout.suspension_sink_m(truck, mass_kg=pack.mass_kg, gravity_m_s2=self.g)
        self.casting_m = pack.lifting_points.casting_height_mm * MM
        self.hoist_zero_m = rig.spreader.hoist_zero_height_mm * MM
        seat_z = rig.storage.seat_height_mm * MM + self.H
        self.stands = {s.name: Place(s.x_mm * MM, s.y_mm * MM, seat_z) for s in rig.storage.stands}
        charged = next(s.name for s in rig.storage.stands if s.content == "charged")
        dx, dy = (v * MM for v in sc.charged_pack_offset_mm)
        stand = self.stands[charged]
        self.packs = [
            MockPack("depleted", pack.mass_kg, self.installed(), "vehicle"),
            MockPack("charged", pack.mass_kg, Place(stand.x + dx, stand.y + dy, stand.z), charged),
        ]
        self.spreader_points = [(x * MM, y * MM) for x, y in rig.spreader.twist_lock_positions_mm]
        self.castings = [(x * MM, y * MM) for x, y in pack.lifting_points.positions_mm]
        self.spreader_ids = [str(i) for i in range(len(self.spreader_points))]
        self.spreader_locks = [make_lock(rig.spreader_lock, engaged=False) for _ in self.spreader_points]
        self.gripped: MockPack | None = None
        self.landed = False
        self._hoist_floor: float | None = None
        self._hoist_ceiling: float | None = None

    def tool(self) -> Place:
        d = self.drives.drives
        hoist = self.hoist_zero_m + d["hoist"].ref_pos
        return Place(d["bridge"].ref_pos, d["trolley"].ref_pos, hoist, d["slew"].ref_pos)

    def cradle(self) -> Place:
        """The cradle's seat frame, sunk by the suspension's compression (what vision measures)."""
        return self.unladen.moved(self.unladen.z - self.compression_m)

    def installed(self) -> Place:
        return self.unladen.moved(self.unladen.z - self.compression_m + self.H)

    def _lock_groups(self) -> dict[str, list[LockModel]]:
        return {"locks": self.locks, "spreader": self.spreader_locks}

    def _apply_tool(self, tool: dict) -> None:
        action = tool.get(self.vocabulary.SPREADER_TOOL)
        for lock in self.spreader_locks if action is not None else []:
            lock.command(action)

    def _seat_under(self, place: Place) -> tuple[str, Place] | None:
        """The seat (``vehicle`` or a stand) under a pack at ``place``, and where it holds a pack's frame unladen."""
        for name, seat in (("vehicle", self.unladen.moved(self.unladen.z + self.H)), *self.stands.items()):
            if math.hypot(place.x - seat.x, place.y - seat.y) < self.SEAT_CAPTURE_M:
                return name, seat
        return None

    def _rest(self, p: MockPack, place: Place) -> tuple[float, str | None]:
        """Put a hanging pack where the spreader holds it, on what is under it: the seat's support (N)
        and which seat (None: it hangs free). The cradle's suspension carries k x compression."""
        weight, under = p.mass_kg * self.g, self._seat_under(place)
        p.place = place
        if under is None or place.z > under[1].z:
            return 0.0, None
        name, seat = under
        if name != "vehicle":
            p.place = place.moved(seat.z)
            return weight, name
        self.compression_m = min(seat.z - place.z, weight / self.k_n_per_m)
        p.place = place.moved(seat.z - self.compression_m)
        return self.k_n_per_m * self.compression_m, name

    def _before_period(self) -> None:
        """Where the hoist's set-point stops this period: the slack-chain switch ends a lowering on a
        pack's castings or where the seat carries the whole carried pack; a hoist gripping a pack the
        vehicle's locks still hold stalls."""
        tool, self._hoist_floor, self._hoist_ceiling = self.tool(), None, None
        hanging = [p for p in self.packs if p.on == "tool"]
        if hanging:
            p = hanging[0]
            under = self._seat_under(tool.compose(p.rel))  # type: ignore[arg-type]
            if under is not None:
                sink = p.mass_kg * self.g / self.k_n_per_m if under[0] == "vehicle" else 0.0
                self._hoist_floor = under[1].z - sink + self.casting_m - self.hoist_zero_m
            return
        tops = [
            p.place.z + self.casting_m
            for p in self.packs
            if math.hypot(p.place.x - tool.x, p.place.y - tool.y) < self.SEAT_CAPTURE_M
            and p.place.z + self.casting_m <= tool.z + _CONTACT_EPS_M
        ]
        self._hoist_floor = max(tops) - self.hoist_zero_m if tops else None
        g = self.gripped
        gripping = g is not None and g.on == "vehicle" and any(lk.engaged for lk in self.spreader_locks)
        if gripping and any(lk.engaged for lk in self.locks):
            self._hoist_ceiling = g.place.z + self.casting_m - self.hoist_zero_m  # type: ignore[union-attr]

    def _constrain(self) -> None:
        d = self.drives.drives["hoist"]
        if self._hoist_floor is not None and d.ref_pos < self._hoist_floor:
            d.ref_pos = d.target = self._hoist_floor  # lowering ends where the load rests
            d.ref_vel = 0.0
        elif self._hoist_ceiling is not None and d.ref_pos > self._hoist_ceiling:
            d.ref_pos, d.ref_vel = self._hoist_ceiling, 0.0  # a stall: it goes on once the locks let go

    def _update(self) -> None:
        tool = self.tool()
        spreader_holds = any(lk.engaged for lk in self.spreader_locks)
        vehicle_holds = any(lk.engaged for lk in self.locks)
        self.compression_m, carried_n = 0.0, 0.0
        # 1. The packs move, by the locks' state of the last period.
        for p in self.packs:
            weight = p.mass_kg * self.g
            if p.on != "tool" and p is self.gripped and spreader_holds and not (p.on == "vehicle" and vehicle_holds):
                rel = p.place.relative_to(tool)
                p.on, p.rel = "tool", Place(rel.x, rel.y, -self.casting_m, rel.yaw)  # castings under the pads
            if p.on == "tool":
                support, seat = self._rest(p, tool.compose(p.rel))  # type: ignore[arg-type]
                if spreader_holds:
                    carried_n += weight - support
                elif seat is None:
                    self._fall(p)
                else:
                    p.on, p.rel = seat, None
            if p.on == "vehicle":
                self.compression_m = weight / self.k_n_per_m
                p.place = self.installed()
        self.load_n = carried_n
        # 2. The pack under the spreader (the twin's rule), its castings against the twist-locks.
        self.gripped, best_d = None, self.SEAT_CAPTURE_M
        for p in self.packs:
            rel = p.place.relative_to(tool)
            if math.hypot(rel.x, rel.y) < best_d and -self.SEAT_CAPTURE_M < rel.z < self.H:
                self.gripped, best_d = p, math.hypot(rel.x, rel.y)
        offsets = [_NOTHING_THERE] * len(self.spreader_points)
        if self.gripped is not None:
            rel = self.gripped.place.relative_to(tool)
            tops = [rel.apply(cx, cy, self.casting_m) for cx, cy in self.castings]
            offsets = [(x - sx, y - sy, z) for (x, y, z), (sx, sy) in zip(tops, self.spreader_points)]
        sp = self.cfg.rig.spreader
        half_pad, gap = sp.landing_pad_size_mm * MM / 2, sp.landed_gap_mm * MM
        self.landed = self.gripped is not None and all(
            abs(z) <= gap and abs(x) < half_pad and abs(y) < half_pad for x, y, z in offsets
        )
        share = carried_n / len(self.spreader_locks)
        self._update_locks("spreader", self.spreader_locks, [LockContext(o, True, True, share) for o in offsets])  # type: ignore[arg-type]
        # 3. The vehicle's locks and the connector: the cradle carries a seated pack, the spreader a lifted one.
        self._vehicle_interface(self.installed(), tool_coupled=True, load_n=0.0)

    def _readings(self) -> dict[str, Any]:
        v, landed = self.vocabulary, self.landed
        return {
            v.LOAD_CELL.name: self.load_n,
            "float_locked": self.float_locked,
            v.VISION.name: self._vision_of(self.cradle(), self.tool()),
            v.SPREADER_LANDED.name: (landed, landed),
            v.SPREADER_LOCKS.name: {i: lk.sensors() for i, lk in zip(self.spreader_ids, self.spreader_locks)},
            "locks": {i: lk.sensors() for i, lk in zip(self.lock_ids, self.locks)},
            "connector_mated": self.connector.mated,
            v.VEHICLE_INTERFACE.name: True,
        }

    def _pack_features(self) -> dict[str, float]:
        return {"casting_height": self.casting_m}

    def _sections(self) -> dict[str, Any]:
        truck, pack, v = self.cfg.vehicle, self.cfg.pack, self.vocabulary
        sink = overhead_layout.suspension_sink_m(truck, mass_kg=pack.mass_kg, gravity_m_s2=self.g)
        cradle = v.VehicleCradle(truck.cradle.cone_height_mm * MM, truck.cradle.seat_height_mm * MM, sink)
        spreader = describe_locks(self.spreader_locks, self.spreader_ids)
        return {v.SPREADER_SECTION: to_wire(spreader), v.CRADLE_SECTION: to_wire(cradle)}

    def _positions(self) -> dict[str, Any]:
        cfg, rig, pack, layout = self.cfg, self.cfg.rig, self.cfg.pack, overhead_layout
        contact = layout.vehicle_contact_hoist_m(
            rig, cfg.vehicle, pack, mass_kg=pack.mass_kg, height_m=self.H, gravity_m_s2=self.g
        )
        on_stand = layout.stand_contact_hoist_m(rig, pack, height_m=self.H)
        return {
            "home": {s.name: s.home for s in self.specs},
            "vehicle": {"bridge": 0.0, "trolley": 0.0, "slew": 0.0, "hoist_contact": contact},
            "stands": [
                {
                    "name": s.name,
                    "content": s.content,
                    "bridge": s.x_mm * MM,
                    "trolley": s.y_mm * MM,
                    "hoist_contact": on_stand,
                }
                for s in rig.storage.stands
            ],  # fmt: skip
            "hoist_carry": layout.carry_hoist_m(rig, cfg.vehicle, pack, height_m=self.H),
            "hoist_high": next(s for s in self.specs if s.name == "hoist").home,
        }

    def _truth_extra(self) -> dict:
        spreader = [dict(lk.truth(), id=i) for i, lk in zip(self.spreader_ids, self.spreader_locks)]
        return {"spreader_locks": spreader, "suspension_mm": self.compression_m / MM}


MOCKS: dict[str, type[MockStation]] = {m.vocabulary.FAMILY: m for m in (UnderChassisMock, OverheadMock)}


def mock_station(cfg: Any) -> MockStation:
    """The mock of a composed plant config's rig family."""
    return MOCKS[cfg.rig.family](cfg)
