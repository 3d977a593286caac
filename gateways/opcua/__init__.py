"""The OPC UA gateway (IEC 62541): the wire served in front of a station PLC's OPC UA server.

* ``tagmap.py``: the tag map, a data file per station (``configs/tagmap/``):
  node ids, types and units of every axis, lock, sensor and tool, the PLC's
  life sign and mode, the gateway's heartbeat;
* ``image.py``: a command or a frame as the values of its tags, and back
  (one module for both ends, so they cannot disagree);
* ``gateway.py``: the station port (``OpcUaStation``) that the twin's session
  loop serves, and the gateway process (``python -m gateways.opcua.gateway``);
* ``plc.py``: the emulated station PLC (``python -m gateways.opcua.plc``), an
  OPC UA server with the tag map's address space whose I/O is the twin's
  station, scanned every ``scan_period_s`` or stepped in virtual time;
* ``security.py``: Basic256Sha256 SignAndEncrypt with certificates and a user
  login, and the certificates themselves;
* ``config.py``: the ``gateway=opcua`` config group's schema.

Importing this package imports no asyncua.
"""

from __future__ import annotations

import importlib.util

from gateways.opcua.config import OpcUaGateway
from gateways.record import Gateway


def problems(cfg) -> list:
    """What is wrong with a swap config's OPC UA gateway settings beyond its own
    schema: the tag map (each problem names the tag map's file), its fit to the
    rig and the control period, the security files."""
    from gateways.opcua.security import security_problems
    from gateways.opcua.tagmap import load_tagmap, shown_path, tagmap_path
    from twin.schema import ConfigError, Problem

    gw = cfg.gateway
    if importlib.util.find_spec("asyncua") is None:
        return [("gateway.kind", "the OPC UA gateway needs asyncua: pip install -e '.[gateway]'")]
    try:
        tagmap = load_tagmap(gw.tagmap)
    except ConfigError as exc:
        return list(exc.problems)
    where = shown_path(tagmap_path(gw.tagmap))
    out = []
    if tagmap.station != cfg.plant.rig.family:
        out.append(
            Problem(where, "station", f"{tagmap.station!r}: the swap's rig is {cfg.plant.rig.family!r}; choose its map")
        )
    period, scan = cfg.plant.wire.control_period_s, tagmap.plc.scan_period_s
    if abs(period / scan - round(period / scan)) > 1e-9 or round(period / scan) < 1:
        out.append(
            Problem(where, "plc.scan_period_s", f"{scan} s: the control period {period} s must be a whole multiple")
        )
    if cfg.plant.clock == "lockstep" and tagmap.plc.step is None:
        out.append(
            Problem(where, "plc.step", "lockstep needs a PLC with virtual time (a Step method); or use clock=realtime")
        )
    return out + security_problems(gw)


GATEWAY = Gateway(
    name="opcua",
    schema=OpcUaGateway,
    problems=problems,
    server="gateways.opcua.gateway",
    stand_in="gateways.opcua.plc",
    stand_in_endpoint="opc.tcp://127.0.0.1:0/swaptwin/plc",
    relays_truth=lambda cfg: cfg.gateway.plc_observer_endpoint is not None,
)
