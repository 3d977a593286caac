"""A station's tag map, generated from its station description: every axis, sensor, lock and tool, none forgotten.

``configs/tagmap/<family>.yaml`` is this module's output for each rig
family's default station (``python -m gateways.opcua.generate --write``; a
test fails while a shipped map differs from it), so a new axis or sensor in a
family's vocabulary (issue 12's tooling axes and ``pack_id``, ``pad_loads_n``)
is in its tag map and on the emulated PLC once the file is regenerated. An
integrator generates one for their station and then edits its node ids,
types and units to their PLC's (docs/gateway.md).

Node ids follow one rule: ``Axes.<axis>.<Item>``, ``Sensors.<Name>`` (a
sensor's unit suffix dropped: ``load_cell_n`` is ``Sensors.LoadCell``),
``<Group>.{id}.{channel}.A|B`` for a lock group's status, ``Tools.<Tool>.Command``.
Positions in mm, angles in deg, forces in N (N*m): a PLC's usual units; the
gateway scales to the wire's SI units.
"""

from __future__ import annotations

import argparse
import sys

from gateways.opcua.tagmap import SENSOR_FIELDS, TAGMAP_DIR
from swapwire.station import StationDescription

# The PLC units a generated map uses, by the wire's SI unit.
_PLC_UNIT = {"m": "mm", "m/s": "mm/s", "rad": "deg", "rad/s": "deg/s", "N": "N", "N*m": "N*m", "s": "s"}
_UNIT_SUFFIXES = ("_n", "_m", "_rad", "_s")


def _camel(name: str) -> str:
    for suffix in _UNIT_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return "".join(part[:1].upper() + part[1:] for part in name.replace(".", "_").split("_"))


def _tag(node: str, typ: str, unit: str = "") -> str:
    quoted = f'"{node}"' if "{" in node else node
    return f"{{node: {quoted}, type: {typ}" + (f", unit: {unit}" if unit else "") + "}"


_HEADER = """\
# Tag map of the {family} station's PLC (rig={family}): where each command and frame
# value of the wire sits in the PLC's OPC UA address space.
# GENERATED from the station description by `python -m gateways.opcua.generate --write`
# (tests/gateways/test_tagmap.py fails while it differs): do not edit it here. For your own
# PLC, generate one (--out FILE) and edit its node ids, types and units (docs/gateway.md).
# Positions in mm, angles in deg: the gateway scales to the wire's SI units.
station: {family}
namespace_uri: urn:swaptwin:station-plc   # the PLC's namespace of the string node ids below

plc:                                 # what the PLC provides beside the station's I/O
  life_sign: {{node: PLC.LifeSign, type: UInt32}}   # +1 every scan: the gateway watches it
  mode: {{node: PLC.Mode, type: Int16}}
  remote_mode: 2                     # the mode in which the PLC takes the gateway's commands
  scan_period_s: 0.01                # the PLC's scan cycle (OB1 / task period); the control period is a multiple
  description: {{node: Station.Description}}   # the station description, as JSON in a String
  step: {{object: PLC, method: PLC.Step}}      # virtual time: Step(n) runs n scans (PLCSIM Advanced-like)
  reset: {{object: PLC, method: PLC.Reset}}    # back to the session's start state
gateway:
  heartbeat: {{node: Gateway.Heartbeat, type: UInt32}}   # +1 every control period
  heartbeat_timeout_s: 0.1          # the PLC's watchdog: frozen this long, the PLC ignores commands and the drives stop
command:
  id: {{node: Command.Id, type: Int64}}             # written last: a changed id is a new command
  phase: {{node: Command.Phase, type: String}}
  reset_faults: {{node: Command.ResetFaults, type: Boolean}}
  float_lock: {{node: Command.FloatLock, type: Int16}}   # codes.float_lock
frame:
  seq: {{node: Frame.Seq, type: Int64}}               # written last: a changed seq is a new frame
  time: {{node: Frame.Time, type: Double, unit: s}}
  last_cmd_id: {{node: Frame.LastCmdId, type: Int64}}
  drive_state: {{node: Drives.State, type: Int16}}
  missed_periods: {{node: Drives.MissedPeriods, type: Int32}}
  drive_reasons: {{node: Drives.Reasons, type: String}}   # one reason per line
"""

_FOOTER = """
codes:                              # the PLC's integers for coded values
  drive_state: {holding: 0, active: 1, stopping: 2, stopped: 3, fault: 4}
  axis_mode: {none: 0, position: 1, hold: 2, stop: 3}   # none: the command leaves the axis as it is
  lock_action: {none: 0, engage: 1, release: 2, hold: 3}
  float_lock: {none: 0, engage: 1, release: 2}
"""


def _axis_lines(d: StationDescription) -> list[str]:
    out = ["", "axes:"]
    for a in d.axes:
        kind = "rotary" if a.unit == "rad" else "linear"
        pos, speed, force = _PLC_UNIT[a.unit], _PLC_UNIT[f"{a.unit}/s"], _PLC_UNIT[a.force_unit]
        n = f"Axes.{a.name}"
        out += [
            f"  {a.name}:",
            f"    kind: {kind}",
            f"    mode: {_tag(f'{n}.Mode', 'Int16')}            # codes.axis_mode",
            f"    target: {_tag(f'{n}.Target', 'Double', pos)}",
            f"    speed: {_tag(f'{n}.Speed', 'Double', speed)}      # 0: the axis maximum",
            f"    force_limit: {_tag(f'{n}.ForceLimit', 'Double', force)}   # 0: the axis rating",
            f"    pos: {_tag(f'{n}.Pos', 'Double', pos)}",
            f"    vel: {_tag(f'{n}.Vel', 'Double', speed)}",
            f"    force: {_tag(f'{n}.Force', 'Double', force)}",
            f"    state: {_tag(f'{n}.State', 'Int16')}          # codes.drive_state",
            f"    settled: {_tag(f'{n}.Settled', 'Boolean')}",
        ]
    return out


def _sensor_lines(name: str, info) -> list[str]:
    key = f'"{name}"' if "." in name else name
    n = f"Sensors.{_camel(name)}"
    kind = info.kind
    if kind == "switch":
        return [f"  {key}: {{kind: switch, value: {_tag(n, 'Boolean')}}}"]
    if kind == "identity":  # an empty string: nothing read (the wire's null)
        return [f"  {key}: {{kind: identity, value: {_tag(n, 'String')}}}   # '': nothing read"]
    out = [f"  {key}:", f"    kind: {kind}"]
    if kind == "two_channel":
        out += [f"    a: {_tag(f'{n}.A', 'Boolean')}", f"    b: {_tag(f'{n}.B', 'Boolean')}"]
    elif kind == "scalar":
        out += [
            f"    value: {_tag(n, 'Double', _PLC_UNIT.get(info.unit, info.unit))}",
            f"    valid: {_tag(f'{n}Valid', 'Boolean')}   # false while the sensor is not reporting",
        ]
    elif kind == "scalars":  # {index}: 0 .. channels-1, in the order the description's meaning gives
        out += [
            f"    value: {_tag(n + '.{index}', 'Double', _PLC_UNIT.get(info.unit, info.unit))}",
            f"    valid: {_tag(f'{n}.Valid', 'Boolean')}   # false while the sensor is not reporting",
        ]
    elif kind == "vision":
        out.append(f"    valid: {_tag(f'{n}.Valid', 'Boolean')}")
        out += [f"    {c}: {_tag(f'{n}.{c.upper()}', 'Double', 'mm')}" for c in ("x", "y", "z")]
        out.append(f"    yaw: {_tag(f'{n}.Yaw', 'Double', 'deg')}")
    else:  # lock_status: {id} each lock id of its group, {channel} each status channel of the lock type
        group = "".join(_camel(part) + "." for part in name.split(".")[:-1]) + "Locks"
        out[-1] += "               # {id}: each lock of its group; {channel}: each status channel"
        out += [
            f"    a: {_tag(group + '.{id}.{channel}.A', 'Boolean')}",
            f"    b: {_tag(group + '.{id}.{channel}.B', 'Boolean')}",
        ]
    assert set(SENSOR_FIELDS[kind]) <= {ln.split(":")[0].strip() for ln in out[1:]} or len(out) == 1, name
    return out


def _tool_lines(d: StationDescription) -> list[str]:
    if not d.tools:
        return ["", "tools: {}"]
    out = ["", "tools:"]
    for name, values in d.tools.items():
        codes = ", ".join(f"{v}: {i + 1}" for i, v in enumerate(values))
        out += [
            f"  {name}:",
            f"    command: {_tag(f'Tools.{_camel(name)}.Command', 'Int16')}",
            f"    codes: {{{codes}}}   # 0: no command",
        ]
    return out


def tagmap_text(d: StationDescription) -> str:
    """The tag map of the station ``d`` describes, as the YAML text of a tag map file."""
    lines = _axis_lines(d)
    lines += ["", "locks:                              # the vehicle's locks; {id} is each lock id of the description"]
    lines.append(f"  command: {_tag('Locks.{id}.Command', 'Int16')}   # codes.lock_action")
    lines += ["", "sensors:                            # every sensor of the description; two channels: two tags"]
    for name, info in d.sensors.items():
        lines += _sensor_lines(name, info)
    lines += _tool_lines(d)
    return _HEADER.format(family=d.rig_family) + "\n".join(lines) + "\n" + _FOOTER


def default_description(family: str) -> StationDescription:
    """The description of the family's default station (its default swap config, built in pybullet DIRECT)."""
    from swaptwin.config import load
    from twin.rigs import make_station

    cfg = load([f"rig={family}"])
    station = make_station(cfg.plant)
    try:
        return station.describe()
    finally:
        station.close()


def main(argv: list[str] | None = None) -> int:
    from twin.rigs import FAMILIES

    ap = argparse.ArgumentParser(prog="python -m gateways.opcua.generate", description=__doc__.splitlines()[0])
    ap.add_argument("--rig", choices=sorted(FAMILIES), help="one rig family (default: all)")
    ap.add_argument("--write", action="store_true", help="write configs/tagmap/<family>.yaml")
    ap.add_argument("--out", help="write the (one) tag map to this file")
    args = ap.parse_args(argv)
    families = [args.rig] if args.rig else sorted(FAMILIES)
    if args.out and len(families) != 1:
        ap.error("--out takes one --rig")
    for family in families:
        text = tagmap_text(default_description(family))
        if args.out or args.write:
            path = args.out or str(TAGMAP_DIR / f"{family}.yaml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            print(f"wrote {path}")
        else:
            sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
