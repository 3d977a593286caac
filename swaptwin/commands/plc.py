"""``swaptwin plc [OVERRIDES]``: the emulated station PLC, an OPC UA server on ``gateway.plc_endpoint``.

Its address space is the tag map's (``gateway.tagmap``, by default the rig's),
its I/O the twin's station of the composed config: the stand-in for a real
station PLC that ``swaptwin gateway`` talks to (docs/gateway.md). With
``clock=lockstep`` it offers virtual time (``PLC.Step``), with
``clock=realtime`` it scans on the wall clock. ``gateway=opcua`` is implied.
Serves until interrupted.
"""

from __future__ import annotations

from swaptwin.commands import EXIT_FAIL, EXIT_INTERRUPTED, config_error

HELP = "the emulated station PLC: OPC UA on gateway.plc_endpoint, its I/O the twin"


def with_gateway(argv: list[str]) -> tuple[None, list[str]]:
    """``gateway=opcua`` unless the command line chooses a gateway."""
    chosen = any(a.split("=", 1)[0].lstrip("+~") == "gateway" for a in argv)
    return None, argv if chosen else [*argv, "gateway=opcua"]


parse_flags = with_gateway


def validated(cfg, inv):
    """The typed config, or None (the problem printed) when it does not name a gateway."""
    swap_cfg = inv.validate(cfg)
    if getattr(swap_cfg.gateway, "kind", "none") == "none":
        raise ValueError(f"swaptwin {inv.command} needs a gateway: gateway=opcua")
    return swap_cfg


def run(cfg, inv) -> int:
    from gateways.opcua.plc import run as run_plc
    from twin.schema import ConfigError

    try:
        swap_cfg = validated(cfg, inv)
    except (ConfigError, ValueError) as exc:
        return config_error(exc)
    gw = swap_cfg.gateway
    code = run_plc(swap_cfg, endpoint=gw.plc_endpoint, observer_endpoint=gw.plc_observer_endpoint)
    return EXIT_INTERRUPTED if code == 0 else EXIT_FAIL  # it serves until interrupted
