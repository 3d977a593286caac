"""The process image: a wire command or frame as the list of values of its PLC tags, and back.

Both ends of the OPC UA link use it: the gateway encodes commands and
decodes frames, the emulated PLC decodes commands and encodes frames, so the
two can never disagree on an order, a code or a scale. It knows the tag map
and the station description, and nothing of OPC UA's library: a value here is
a plain ``bool``, ``int``, ``float`` or ``str`` of the tag's type.

Order matters where a PLC reads a value while it is being written: the
command's ``id`` is the last slot of the command image (a PLC that sees a new
id sees the whole command), the frame's ``seq`` the last of the frame image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import swapwire as wire
from gateways.opcua.tagmap import (
    AXIS_QUANTITIES,
    INTEGER_BITS,
    INTEGER_TYPES,
    Tag,
    TagMap,
    fill,
    scalar_quantity,
    scale_of,
)
from swapwire.frame import AxisState, DriveReport, Frame, VisionReading
from swapwire.station import StationDescription

NO_CMD_ID = -1  # command.id and frame.last_cmd_id before the first command


@dataclass(frozen=True)
class Slot:
    """One tag of an image: where it is in the image (for messages), its node id text, type and scale."""

    key: str
    node: str
    type: str
    scale: float = 1.0  # PLC value = wire value x scale


def _slot(key: str, tag: Tag | None, quantity: str | None = None, **template: str) -> Slot:
    assert tag is not None, key  # the tag map's check requires every tag of a sensor's kind
    scale = 1.0 if quantity is None else scale_of(tag.unit, quantity)
    if scale is None:
        raise ValueError(f"{key}: {tag.unit!r} is not a unit of {quantity}")  # the tag map's check prevents it
    return Slot(key, fill(tag.node, **template) if template else tag.node, tag.type, scale)


def _to_plc(slot: Slot, value: Any) -> Any:
    if slot.type == "Boolean":
        return bool(value)
    if slot.type == "String":
        return str(value)
    if slot.type in INTEGER_TYPES:
        return int(value)
    return float(value) * slot.scale


def _from_plc(slot: Slot, value: Any) -> Any:
    if slot.type in ("Float", "Double"):
        return float(value) / slot.scale
    return value


def counter(slot: Slot, value: int) -> int:
    """A counter kept within its tag's integer type (a heartbeat wraps)."""
    bits = INTEGER_BITS[slot.type]
    signed = slot.type.startswith("Int") or slot.type == "SByte"
    wrapped = value % (1 << bits)
    return wrapped - (1 << bits) if signed and wrapped >= 1 << (bits - 1) else wrapped


def _codes_back(table: dict[str, int]) -> dict[int, str]:
    return {code: name for name, code in table.items()}


class CommandImage:
    """A command as its tags: the gateway's heartbeat, then the command, its id last."""

    def __init__(self, tagmap: TagMap, description: StationDescription):
        self.codes = tagmap.codes
        self.tools = {name: t.codes for name, t in tagmap.tools.items() if name in description.tools}
        self.lock_ids = list(description.locks.ids)
        self.axes = list(description.axis_names)
        c = tagmap.command
        slots = [_slot("gateway.heartbeat", tagmap.gateway.heartbeat)]
        slots += [_slot("command.phase", c.phase), _slot("command.reset_faults", c.reset_faults)]
        slots.append(_slot("command.float_lock", c.float_lock))
        for name in self.axes:
            ax, qty = tagmap.axes[name], AXIS_QUANTITIES[tagmap.axes[name].kind]
            slots += [
                _slot(f"axes.{name}.mode", ax.mode),
                _slot(f"axes.{name}.target", ax.target, qty["position"]),
                _slot(f"axes.{name}.speed", ax.speed, qty["speed"]),
                _slot(f"axes.{name}.force_limit", ax.force_limit, qty["force"]),
            ]
        slots += [_slot(f"locks.{lid}.command", tagmap.locks.command, id=lid) for lid in self.lock_ids]
        slots += [_slot(f"tools.{name}.command", tagmap.tools[name].command) for name in self.tools]
        slots.append(_slot("command.id", c.id))
        self.slots = slots

    def encode(self, cmd: wire.Command | None, cmd_id: int | None, *, heartbeat: int, last_phase: str = "") -> list:
        """The tags' values. Without a command only the heartbeat is news: the
        id stays the last one written, so the PLC sees no new command."""
        codes = self.codes
        values: list[Any] = [heartbeat]
        if cmd is None:
            values += [last_phase, False, codes.float_lock["none"]]
            for _ in self.axes:
                values += [codes.axis_mode["none"], 0.0, 0.0, 0.0]
            values += [codes.lock_action["none"]] * len(self.lock_ids)
            values += [0] * len(self.tools)
        else:
            float_lock = "none" if cmd.float_lock is None else ("engage" if cmd.float_lock else "release")
            values += [cmd.phase, cmd.reset_faults, codes.float_lock[float_lock]]
            for name in self.axes:
                a = cmd.axes.get(name)
                if a is None:
                    values += [codes.axis_mode["none"], 0.0, 0.0, 0.0]
                else:
                    values += [codes.axis_mode[a.mode], a.target or 0.0, a.speed or 0.0, a.force_limit or 0.0]
            actions = dict.fromkeys(self.lock_ids, "none")
            for lid, action in cmd.locks.items():  # in order: a later key wins, as when applied one by one
                for target in self.lock_ids if lid == wire.ALL_LOCKS else [lid]:
                    actions[target] = action
            values += [codes.lock_action[actions[lid]] for lid in self.lock_ids]
            values += [self.tools[name].get(cmd.tool[name], 0) if name in cmd.tool else 0 for name in self.tools]
        values.append(NO_CMD_ID if cmd_id is None else cmd_id)
        return [_to_plc(s, v) for s, v in zip(self.slots, values)]

    def decode(self, values: list, *, frame_seq: int) -> tuple[int, int, wire.Command]:
        """(heartbeat, cmd_id, command) from the tags' values (the PLC's side)."""
        v = [_from_plc(s, x) for s, x in zip(self.slots, values)]
        modes, actions = _codes_back(self.codes.axis_mode), _codes_back(self.codes.lock_action)
        heartbeat, phase, reset, float_code = v[0], v[1], v[2], v[3]
        float_lock = {"engage": True, "release": False}.get(_codes_back(self.codes.float_lock).get(float_code, "none"))
        i = 4
        axes = {}
        for name in self.axes:
            mode, target, speed, force = v[i : i + 4]
            i += 4
            m = modes.get(mode, "none")
            if m == "none":
                continue
            axes[name] = wire.AxisCommand(
                mode=m,  # type: ignore[arg-type]  (a value of codes.axis_mode)
                target=target if m == wire.MODE_POSITION else None,
                speed=speed if speed > 0 else None,
                force_limit=force if force > 0 else None,
            )
        locks = {}
        for lid in self.lock_ids:
            action = actions.get(v[i], "none")
            i += 1
            if action != "none":
                locks[lid] = action
        tool = {}
        for name, table in self.tools.items():
            value = _codes_back(table).get(v[i])
            i += 1
            if value is not None:
                tool[name] = value
        cmd = wire.Command(
            frame_seq=frame_seq,
            phase=phase,
            axes=axes,
            locks=locks,
            float_lock=float_lock,
            tool=tool,
            reset_faults=bool(reset),
        )
        return heartbeat, v[i], cmd


class FrameImage:
    """A frame as its tags: the PLC's life sign and mode, the frame, its seq last."""

    def __init__(self, tagmap: TagMap, description: StationDescription):
        self.codes = tagmap.codes
        self.axes = list(description.axis_names)
        self.groups = {k: (list(g.ids), list(g.channels)) for k, g in description.lock_groups().items()}
        self.sensors = [(name, info.kind, info) for name, info in description.sensors.items()]
        p, f = tagmap.plc, tagmap.frame
        slots = [_slot("plc.life_sign", p.life_sign), _slot("plc.mode", p.mode)]
        slots += [_slot("frame.time", f.time, "time"), _slot("frame.last_cmd_id", f.last_cmd_id)]
        slots += [_slot("frame.drive_state", f.drive_state), _slot("frame.missed_periods", f.missed_periods)]
        slots.append(_slot("frame.drive_reasons", f.drive_reasons))
        for name in self.axes:
            ax, qty = tagmap.axes[name], AXIS_QUANTITIES[tagmap.axes[name].kind]
            slots += [
                _slot(f"axes.{name}.pos", ax.pos, qty["position"]),
                _slot(f"axes.{name}.vel", ax.vel, qty["speed"]),
                _slot(f"axes.{name}.force", ax.force, qty["force"]),
                _slot(f"axes.{name}.state", ax.state),
                _slot(f"axes.{name}.settled", ax.settled),
            ]
        self.counts: dict[str, int] = {}  # sensor -> its number of slots
        for name, kind, info in self.sensors:
            mine = self._sensor_slots(tagmap, name, kind, info)
            self.counts[name] = len(mine)
            slots += mine
        slots.append(_slot("frame.seq", f.seq))
        self.slots = slots

    def _sensor_slots(self, tagmap: TagMap, name: str, kind: str, info) -> list[Slot]:
        t, key = tagmap.sensors[name], f"sensors.{name}"
        if kind == "switch":
            return [_slot(f"{key}.value", t.value)]
        if kind == "two_channel":
            return [_slot(f"{key}.a", t.a), _slot(f"{key}.b", t.b)]
        if kind == "scalar":
            out = [_slot(f"{key}.value", t.value, scalar_quantity(info.unit))]
            return out + ([_slot(f"{key}.valid", t.valid)] if t.valid is not None else [])
        if kind == "scalars":
            qty = scalar_quantity(info.unit)
            out = [_slot(f"{key}.{i}", t.value, qty, index=str(i)) for i in range(info.channels)]
            return out + ([_slot(f"{key}.valid", t.valid)] if t.valid is not None else [])
        if kind == "identity":
            return [_slot(f"{key}.value", t.value)]
        if kind == "vision":
            return [
                _slot(f"{key}.valid", t.valid),
                *(_slot(f"{key}.{c}", getattr(t, c), "length") for c in ("x", "y", "z")),
                _slot(f"{key}.yaw", t.yaw, "angle"),
            ]
        ids, channels = self.groups[info.lock_group]
        out = []
        for lid in ids:
            for ch in channels:
                out += [
                    _slot(f"{key}.{lid}.{ch}.a", t.a, id=lid, channel=ch),
                    _slot(f"{key}.{lid}.{ch}.b", t.b, id=lid, channel=ch),
                ]
        return out

    def encode(self, frame: Frame, *, life_sign: int, mode: int) -> list:
        """The tags' values of a frame (the PLC's side)."""
        states = self.codes.drive_state
        last = NO_CMD_ID if frame.last_cmd_id is None else frame.last_cmd_id
        d = frame.drives
        values: list[Any] = [life_sign, mode, frame.t_s, last, states[d.state], d.missed_periods, "\n".join(d.reasons)]
        for name in self.axes:
            a = frame.axes[name]
            values += [a.pos, a.vel, a.force, states[a.state], a.settled]
        for name, kind, info in self.sensors:
            values += self._sensor_values(name, kind, info, frame.sensors[name])
        values.append(frame.frame_seq)
        return [_to_plc(s, v) for s, v in zip(self.slots, values)]

    def _sensor_values(self, name: str, kind: str, info, reading: Any) -> list:
        if kind in ("switch",):
            return [reading]
        if kind == "two_channel":
            return list(reading)
        if kind == "scalar":
            if self.counts[name] == 2:  # a valid tag beside the value
                return [0.0 if reading is None else reading, reading is not None]
            return [math.nan if reading is None else reading]
        if kind == "scalars":
            n = info.channels
            if self.counts[name] == n + 1:  # a valid tag beside the values
                return [*(reading or [0.0] * n), reading is not None]
            return list(reading) if reading is not None else [math.nan] * n
        if kind == "identity":
            return ["" if reading is None else reading]  # an empty String: nothing read
        if kind == "vision":
            return [reading.valid, reading.x, reading.y, reading.z, reading.yaw]
        ids, channels = self.groups[info.lock_group]
        return [v for lid in ids for ch in channels for v in reading[lid][ch]]

    def decode(self, values: list) -> tuple[int, int, Frame]:
        """(life sign, mode, frame) from the tags' values (the gateway's side). A
        code the tag map does not know reads as ``fault``: never as a healthy state."""
        v = [_from_plc(s, x) for s, x in zip(self.slots, values)]
        states = _codes_back(self.codes.drive_state)
        life_sign, mode, t_s, last, dstate, missed, reasons = v[:7]
        i = 7
        axes = {}
        for name in self.axes:
            pos, vel, force, state, settled = v[i : i + 5]
            i += 5
            axes[name] = AxisState(pos, vel, force, states.get(state, wire.DRIVE_FAULT), bool(settled))
        sensors: dict[str, Any] = {}
        for name, kind, info in self.sensors:
            n = self.counts[name]
            sensors[name] = self._reading(name, kind, info, v[i : i + n])
            i += n
        frame = Frame(
            frame_seq=int(v[i]),
            t_s=t_s,
            axes=axes,
            drives=DriveReport(states.get(dstate, wire.DRIVE_FAULT), int(missed), tuple(reasons.splitlines())),
            sensors=sensors,
            last_cmd_id=None if last == NO_CMD_ID else int(last),
        )
        return life_sign, mode, frame

    def _reading(self, name: str, kind: str, info, v: list) -> Any:
        if kind == "switch":
            return bool(v[0])
        if kind == "two_channel":
            return (bool(v[0]), bool(v[1]))
        if kind == "scalar":
            if len(v) == 2:
                return v[0] if v[1] else None
            return None if math.isnan(v[0]) else v[0]
        if kind == "scalars":
            n = info.channels
            if len(v) == n + 1:
                return list(v[:n]) if v[n] else None
            return None if any(math.isnan(x) for x in v) else list(v)
        if kind == "identity":
            return str(v[0]) or None
        if kind == "vision":
            return VisionReading(bool(v[0]), v[1], v[2], v[3], v[4])
        ids, channels = self.groups[info.lock_group]
        it = iter(v)
        return {lid: {ch: (bool(next(it)), bool(next(it))) for ch in channels} for lid in ids}
