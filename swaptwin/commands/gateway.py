"""``swaptwin gateway [sessions=N] [OVERRIDES]``: serve the wire on ``endpoint`` in front of a station PLC.

The OPC UA gateway (docs/gateway.md): the same ROUTER, protocol and clock
modes as ``swaptwin plant``, each command and frame mapped onto the PLC at
``gateway.plc_endpoint`` through the tag map. Against the emulated PLC
(``swaptwin plc``) it takes the twin's ground truth from
``gateway.plc_observer_endpoint`` and writes the same result as a direct
swap; against a real PLC set that to null. ``sessions=N`` serves N sessions;
each writes ``sessions/<n>/result.json``. ``gateway=opcua`` is implied.
"""

from __future__ import annotations

from swaptwin.commands import EXIT_FAIL, config_error
from swaptwin.commands.plc import validated, with_gateway

HELP = "serve the wire on endpoint in front of a station PLC (OPC UA gateway)"
parse_flags = with_gateway


def run(cfg, inv) -> int:
    from gateways.opcua.gateway import OpcUaStations, PlcLost, quiet_asyncua
    from swaptwin.commands.plant import serve_sessions
    from twin.schema import ConfigError

    try:
        swap_cfg = validated(cfg, inv)
    except (ConfigError, ValueError) as exc:
        return config_error(exc)
    gw = swap_cfg.gateway
    quiet_asyncua()
    stations = OpcUaStations(plc_endpoint=gw.plc_endpoint, plc_observer_endpoint=gw.plc_observer_endpoint)
    try:
        return serve_sessions(swap_cfg, inv, stations=stations)
    except PlcLost as exc:
        print(f"swaptwin gateway: {exc}")
        return EXIT_FAIL
