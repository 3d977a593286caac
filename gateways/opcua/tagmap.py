"""The tag map: where each command and each frame value of the wire sits in a station PLC's OPC UA address space.

One data file per station, ``configs/tagmap/<station>.yaml`` (or a path of
your own), validated like every config: a bad file fails before anything
connects, naming the file, the key and what is allowed. ``docs/gateway.md``
explains how to write one for your PLC.

A tag is ``{node, type, unit}``:

* ``node``: a string identifier in the tag map's ``namespace_uri`` (resolved
  to its index when the gateway connects), or a full node id (``ns=3;s=...``,
  ``ns=4;i=1201``, ``nsu=urn:...;s=...``);
* ``type``: the OPC UA built-in type of the variable (an Int32 tag must be
  written as Int32, never as Int64);
* ``unit``: the PLC's unit of a physical value. The wire is SI; the scale
  follows from the unit (``mm`` on a length: PLC value = wire value x 1000),
  so there is one fact per tag, not a unit and a factor that can disagree.

Lock tags are templates: ``{id}`` (a lock id) and ``{channel}`` (a status
channel of the lock type) are filled in from the station description, so
one tag map serves whichever lock type the station's PLC reports; so is a
multi-channel sensor's ``{index}`` (``pad_loads_n``: one tag per pad).

The shipped maps are generated from each family's station description
(``gateways/opcua/generate.py``), so none can miss an axis or a sensor.

Coded values (drive states, axis modes, lock actions) are integers; their
codes are the tag map's ``codes`` (defaults below), so a PLC's own
enumeration can be used as it is.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

import yaml

from swapwire.sensors import SensorKind
from twin.schema import ConfigError, Problem, build, q

TAGMAP_DIR = Path(__file__).resolve().parents[2] / "configs" / "tagmap"

OpcType = Literal[
    "Boolean", "SByte", "Byte", "Int16", "UInt16", "Int32", "UInt32", "Int64", "UInt64", "Float", "Double", "String"
]  # fmt: skip
INTEGER_TYPES = frozenset({"SByte", "Byte", "Int16", "UInt16", "Int32", "UInt32", "Int64", "UInt64"})
SIGNED_TYPES = frozenset({"SByte", "Int16", "Int32", "Int64"})
REAL_TYPES = frozenset({"Float", "Double"})
INTEGER_BITS = {"SByte": 8, "Byte": 8, "Int16": 16, "UInt16": 16, "Int32": 32, "UInt32": 32, "Int64": 64, "UInt64": 64}

# PLC value = wire (SI) value x scale, by quantity and the PLC's unit.
_DEG_PER_RAD = 180.0 / math.pi
UNITS: dict[str, dict[str, float]] = {
    "length": {"m": 1.0, "mm": 1e3, "um": 1e6},
    "angle": {"rad": 1.0, "mrad": 1e3, "deg": _DEG_PER_RAD},
    "speed": {"m/s": 1.0, "mm/s": 1e3},
    "angular_speed": {"rad/s": 1.0, "deg/s": _DEG_PER_RAD},
    "force": {"N": 1.0, "kN": 1e-3},
    "torque": {"N*m": 1.0, "kN*m": 1e-3},
    "time": {"s": 1.0, "ms": 1e3},
}
# An axis's quantities, by its kind.
AXIS_QUANTITIES = {
    "linear": {"position": "length", "speed": "speed", "force": "force"},
    "rotary": {"position": "angle", "speed": "angular_speed", "force": "torque"},
}
# A full node id, as IEC 62541-6 s5.3.1.10 writes it; anything else is a string id in the tag map's namespace.
_FULL_NODE_ID = re.compile(r"^(ns|nsu|i|s|g|b)=")
_TEMPLATE_KEYS = re.compile(r"\{(\w+)\}")

DRIVE_STATES = ("holding", "active", "stopping", "stopped", "fault")


@dataclass(frozen=True)
class Tag:
    node: str = q(doc="string id in namespace_uri, or a full node id (ns=3;s=..., ns=4;i=1201)")
    type: OpcType = q(doc="the variable's OPC UA built-in type")
    unit: str = q("", doc="the PLC's unit of a physical value (mm, deg, kN ...); the scale follows")


@dataclass(frozen=True)
class Method:
    object: str = q(doc="node id of the object the method is called on")
    method: str = q(doc="node id of the method")


@dataclass(frozen=True)
class DescriptionSource:
    """Where the station description comes from: a String node holding it as
    JSON (the PLC publishes it), or a JSON/YAML file beside the tag map."""

    node: str | None = q(None, doc="node id of a String variable holding the description as JSON")
    file: str | None = q(None, doc="a description file, relative to the tag map's folder")

    def check(self):
        if (self.node is None) == (self.file is None):
            return [("node", "give exactly one of node and file")]
        return []


@dataclass(frozen=True)
class PlcTags:
    """What the PLC provides beside its station's I/O."""

    life_sign: Tag = q(doc="the PLC's scan counter, +1 every scan; the gateway watches it")
    mode: Tag = q(doc="the PLC's operating mode")
    remote_mode: int = q(lo=-(2**31), hi=2**31 - 1, doc="the mode value in which the PLC takes the gateway's commands")
    scan_period_s: float = q(lo=1e-4, hi=1.0, unit="s", doc="the PLC's scan cycle; the control period is a multiple")
    description: DescriptionSource = q()
    step: Method | None = q(None, doc="virtual time: Step(n) runs n scans (null: a free-running PLC only)")
    reset: Method | None = q(None, doc="back to the session's start state (null: the gateway only resynchronises)")


@dataclass(frozen=True)
class GatewayTags:
    heartbeat: Tag = q(doc="the gateway's life sign, +1 every control period")
    heartbeat_timeout_s: float = q(
        lo=1e-3, hi=60.0, unit="s", doc="the PLC's watchdog: a heartbeat frozen this long, it stops the drives"
    )


@dataclass(frozen=True)
class CommandTags:
    id: Tag = q(doc="the command's cmd_id, written last: a changed id is a new command")
    phase: Tag = q(doc="the controller's phase (String)")
    reset_faults: Tag = q()
    float_lock: Tag = q(doc="codes.float_lock")


@dataclass(frozen=True)
class FrameTags:
    seq: Tag = q(doc="the PLC's control period count, written last: a changed seq is a new frame")
    time: Tag = q(doc="plant time at the frame")
    last_cmd_id: Tag = q(doc="the last executed cmd_id; -1 before the first")
    drive_state: Tag = q(doc="codes.drive_state: the least progressed of the axes")
    missed_periods: Tag = q()
    drive_reasons: Tag = q(doc="String, one reason per line")


@dataclass(frozen=True)
class AxisTags:
    kind: Literal["linear", "rotary"] = q()
    mode: Tag = q(doc="codes.axis_mode")
    target: Tag = q()
    speed: Tag = q(doc="0: the axis maximum")
    force_limit: Tag = q(doc="0: the axis rating")
    pos: Tag = q()
    vel: Tag = q()
    force: Tag = q()
    state: Tag = q(doc="codes.drive_state")
    settled: Tag = q()


@dataclass(frozen=True)
class LockTags:
    command: Tag = q(doc="template with {id}: codes.lock_action")


@dataclass(frozen=True)
class SensorTags:
    """One sensor of the station's vocabulary, by its kind: ``switch`` (value),
    ``two_channel`` (a, b: one tag per channel), ``scalar`` (value, and valid:
    false while the sensor is not reporting), ``scalars`` (value: a template
    with {index}, one tag per channel 0..n-1; valid as for a scalar),
    ``identity`` (value: a String, empty while nothing is read), ``vision``
    (valid, x, y, z, yaw), ``lock_status`` (a, b: templates with {id} and {channel})."""

    kind: SensorKind = q()
    value: Tag | None = q(None)
    valid: Tag | None = q(None)
    a: Tag | None = q(None)
    b: Tag | None = q(None)
    x: Tag | None = q(None)
    y: Tag | None = q(None)
    z: Tag | None = q(None)
    yaw: Tag | None = q(None)

    def check(self):
        needed = SENSOR_FIELDS[self.kind]
        out = [(name, f"a {self.kind} sensor needs it") for name in needed if getattr(self, name) is None]
        allowed = needed | ({"valid"} if self.kind in ("scalar", "scalars") else set())
        out += [
            (f.name, f"a {self.kind} sensor has no {f.name} tag (it has {', '.join(sorted(allowed))})")
            for f in fields(self)
            if f.name != "kind" and f.name not in allowed and getattr(self, f.name) is not None
        ]
        return out


SENSOR_FIELDS: dict[str, frozenset[str]] = {
    "switch": frozenset({"value"}),
    "two_channel": frozenset({"a", "b"}),
    "scalar": frozenset({"value"}),
    "scalars": frozenset({"value"}),
    "identity": frozenset({"value"}),
    "vision": frozenset({"valid", "x", "y", "z", "yaw"}),
    "lock_status": frozenset({"a", "b"}),
}


@dataclass(frozen=True)
class ToolTags:
    command: Tag = q()
    codes: dict[str, int] = q(doc="tool value -> its code; 0 is no command")


def _default_codes(names: tuple[str, ...]) -> dict[str, int]:
    return {name: i for i, name in enumerate(names)}


@dataclass(frozen=True)
class Codes:
    """The integers a PLC uses for coded values ("none": the command leaves it as it is)."""

    drive_state: dict[str, int] = q(factory=lambda: _default_codes(DRIVE_STATES))
    axis_mode: dict[str, int] = q(factory=lambda: _default_codes(("none", "position", "hold", "stop")))
    lock_action: dict[str, int] = q(factory=lambda: _default_codes(("none", "engage", "release", "hold")))
    float_lock: dict[str, int] = q(factory=lambda: _default_codes(("none", "engage", "release")))

    def check(self):
        wanted = {
            "drive_state": set(DRIVE_STATES),
            "axis_mode": {"none", "position", "hold", "stop"},
            "lock_action": {"none", "engage", "release", "hold"},
            "float_lock": {"none", "engage", "release"},
        }
        out = []
        for name, keys in wanted.items():
            table = getattr(self, name)
            if set(table) != keys:
                out.append((name, f"needs exactly the keys {', '.join(sorted(keys))}"))
            elif len(set(table.values())) != len(table):
                out.append((name, "two values share a code"))
        return out


@dataclass(frozen=True)
class TagMap:
    station: str = q(doc="the rig family (its vocabulary: swapwire/vocab/<family>.py)")
    namespace_uri: str = q(doc="the PLC's namespace of the string node ids")
    plc: PlcTags = q()
    gateway: GatewayTags = q()
    command: CommandTags = q()
    frame: FrameTags = q()
    axes: dict[str, AxisTags] = q()
    locks: LockTags = q()
    sensors: dict[str, SensorTags] = q()
    tools: dict[str, ToolTags] = q(factory=dict)
    codes: Codes = q(factory=Codes)


# -- what each tag may be -----------------------------------------------------------------------
# (path in the map, allowed types, quantity or None, template keys)
def _tag_rules(m: TagMap) -> list[tuple[str, Tag, frozenset[str], str | None, frozenset[str]]]:
    ints, bools, reals, strings = INTEGER_TYPES, frozenset({"Boolean"}), REAL_TYPES, frozenset({"String"})
    signed = SIGNED_TYPES - {"SByte", "Int16"}
    none: frozenset[str] = frozenset()
    rules = [
        ("plc.life_sign", m.plc.life_sign, ints, None, none),
        ("plc.mode", m.plc.mode, ints, None, none),
        ("gateway.heartbeat", m.gateway.heartbeat, ints, None, none),
        ("command.id", m.command.id, signed, None, none),
        ("command.phase", m.command.phase, strings, None, none),
        ("command.reset_faults", m.command.reset_faults, bools, None, none),
        ("command.float_lock", m.command.float_lock, ints, None, none),
        ("frame.seq", m.frame.seq, ints, None, none),
        ("frame.time", m.frame.time, reals, "time", none),
        ("frame.last_cmd_id", m.frame.last_cmd_id, signed, None, none),
        ("frame.drive_state", m.frame.drive_state, ints, None, none),
        ("frame.missed_periods", m.frame.missed_periods, ints, None, none),
        ("frame.drive_reasons", m.frame.drive_reasons, strings, None, none),
        ("locks.command", m.locks.command, ints, None, frozenset({"id"})),
    ]
    for name, ax in m.axes.items():
        qty = AXIS_QUANTITIES[ax.kind]
        p = f"axes.{name}"
        rules += [
            (f"{p}.mode", ax.mode, ints, None, none),
            (f"{p}.target", ax.target, reals, qty["position"], none),
            (f"{p}.speed", ax.speed, reals, qty["speed"], none),
            (f"{p}.force_limit", ax.force_limit, reals, qty["force"], none),
            (f"{p}.pos", ax.pos, reals, qty["position"], none),
            (f"{p}.vel", ax.vel, reals, qty["speed"], none),
            (f"{p}.force", ax.force, reals, qty["force"], none),
            (f"{p}.state", ax.state, ints, None, none),
            (f"{p}.settled", ax.settled, bools, None, none),
        ]
    for name, s in m.sensors.items():
        p = f"sensors.{name}"
        for field_name in sorted(SENSOR_FIELDS[s.kind] | {"valid"}):
            tag = getattr(s, field_name)
            if tag is None:
                continue
            rules.append((f"{p}.{field_name}", tag, *_sensor_rule(s.kind, field_name)))
    for name, tool in m.tools.items():
        rules.append((f"tools.{name}.command", tool.command, ints, None, none))
    return rules


def _sensor_rule(kind: str, field_name: str) -> tuple[frozenset[str], str | None, frozenset[str]]:
    bools, reals, none = frozenset({"Boolean"}), REAL_TYPES, frozenset()
    if kind == "lock_status":
        return bools, None, frozenset({"id", "channel"})
    if kind == "scalar" and field_name == "value":
        return reals, "scalar", none
    if kind == "scalars" and field_name == "value":
        return reals, "scalar", frozenset({"index"})
    if kind == "identity":
        return frozenset({"String"}), None, none
    if kind == "vision" and field_name in ("x", "y", "z"):
        return reals, "length", none
    if kind == "vision" and field_name == "yaw":
        return reals, "angle", none
    return bools, None, none


def scalar_quantity(si_unit: str) -> str | None:
    """The quantity a scalar sensor of the vocabulary measures, from its SI unit (N: force)."""
    return next((qty for qty, units in UNITS.items() if units.get(si_unit) == 1.0), None)


def scale_of(unit: str, quantity: str) -> float | None:
    """PLC value = wire value x scale, for a tag of ``quantity`` in the PLC's ``unit`` (None: not a unit of it)."""
    return UNITS.get(quantity, {}).get(unit)


def _check_tag(path: str, tag: Tag, types, quantity, keys, scalar_unit: str) -> list[tuple[str, str]]:
    out = []
    if tag.type not in types:
        out.append((f"{path}.type", f"{tag.type!r} is not allowed here; choose one of {', '.join(sorted(types))}"))
    if quantity == "scalar":
        # A scalar sensor's unit is the vocabulary's (N for a load cell); the PLC may use a multiple of it.
        quantity = scalar_quantity(scalar_unit)
    if quantity is None and tag.unit:
        out.append((f"{path}.unit", f"{tag.unit!r}: this tag is not a physical value and takes no unit"))
    elif quantity is not None and scale_of(tag.unit, quantity) is None:
        units = ", ".join(UNITS[quantity])
        out.append((f"{path}.unit", f"{tag.unit!r} is not a unit of {quantity}; choose one of {units}"))
    found = set(_TEMPLATE_KEYS.findall(tag.node))
    if found != keys:
        want = ", ".join("{" + k + "}" for k in sorted(keys)) or "no {placeholder}"
        out.append((f"{path}.node", f"{tag.node!r} must hold {want}"))
    return out


def _check_against_vocabulary(m: TagMap) -> list[tuple[str, str]]:
    """The tag map covers its family's vocabulary exactly: every axis, every
    sensor with the kind the vocabulary declares, every tool and its values."""
    from twin.rigs import FAMILIES

    if m.station not in FAMILIES:
        return [("station", f"{m.station!r} is not a rig family; choose one of {', '.join(sorted(FAMILIES))}")]
    vocab = FAMILIES[m.station].vocabulary
    out = []
    for key, want, have in (("axes", list(vocab.AXES), list(m.axes)), ("tools", list(vocab.TOOLS), list(m.tools))):
        if missing := [n for n in want if n not in have]:
            out.append((key, f"no tags for {', '.join(missing)} of the {m.station} vocabulary"))
        if extra := [n for n in have if n not in want]:
            out.append((key, f"{', '.join(extra)}: not in the {m.station} vocabulary ({', '.join(want) or 'none'})"))
    declared = {s.name: s.info for s in vocab.SENSORS}
    if missing := [n for n in declared if n not in m.sensors]:
        out.append(("sensors", f"no tags for {', '.join(missing)} of the {m.station} vocabulary"))
    for name, tags in m.sensors.items():
        if name not in declared:
            out.append((f"sensors.{name}", f"not a sensor of the {m.station} vocabulary"))
        elif tags.kind != declared[name].kind:
            out.append((f"sensors.{name}.kind", f"{tags.kind!r}: the vocabulary declares {declared[name].kind!r}"))
    for name, tool in m.tools.items():
        values = set(vocab.TOOLS.get(name, ()))
        if values and set(tool.codes) != values:
            out.append((f"tools.{name}.codes", f"needs exactly the values {', '.join(sorted(values))}"))
        elif 0 in tool.codes.values() or len(set(tool.codes.values())) != len(tool.codes):
            out.append((f"tools.{name}.codes", "codes must differ and not be 0 (no command)"))
    return out


def check(m: TagMap) -> list[tuple[str, str]]:
    """Every rule across the map's tags, and its fit to its family's vocabulary."""
    from twin.rigs import FAMILIES

    vocab = FAMILIES[m.station].vocabulary if m.station in FAMILIES else None
    units = {s.name: s.info.unit for s in vocab.SENSORS} if vocab else {}
    out = []
    for path, tag, types, quantity, keys in _tag_rules(m):
        sensor = path.split(".")[1] if path.startswith("sensors.") else ""
        out += _check_tag(path, tag, types, quantity, keys, units.get(sensor, ""))
    nodes: dict[str, str] = {}
    for path, tag, *_ in _tag_rules(m):
        if tag.node in nodes:
            out.append((f"{path}.node", f"{tag.node!r} is also {nodes[tag.node]}'s node"))
        nodes.setdefault(tag.node, path)
    return out + _check_against_vocabulary(m)


def tagmap_path(name: str) -> Path:
    """A tag map's file: a name of configs/tagmap/, or a path."""
    if "/" not in name and not name.endswith((".yaml", ".yml")):
        return TAGMAP_DIR / f"{name}.yaml"
    return Path(name)


def shown_path(path: Path) -> str:
    try:
        return f"configs/tagmap/{path.resolve().relative_to(TAGMAP_DIR)}"
    except ValueError:
        return str(path)


def load_tagmap(name: str) -> TagMap:
    """The validated tag map; raises ConfigError naming the file and each bad key."""
    path = tagmap_path(name)
    where = shown_path(path)
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in TAGMAP_DIR.glob("*.yaml")))
        raise ConfigError([Problem(where, "tagmap", f"no such tag map file; configs/tagmap/ has {known}")])
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(where, "(file)", f"not valid YAML: {exc}")]) from None
    tagmap = build(TagMap, data, where=where)
    problems = [Problem(where, key, message) for key, message in check(tagmap)]
    if problems:
        raise ConfigError(problems)
    return tagmap


def is_full_node_id(node: str) -> bool:
    return bool(_FULL_NODE_ID.match(node))


def fill(node: str, **keys: str) -> str:
    """A template node id with its ``{id}`` and ``{channel}`` filled in."""
    return _TEMPLATE_KEYS.sub(lambda mt: keys[mt.group(1)], node)
