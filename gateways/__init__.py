"""Gateways: the wire contract served in front of a real station's PLC, and the registry of them.

A gateway is a *station port* (``twin/session/port.py``): it maps each command
and each frame of the wire onto a PLC's I/O, and the twin's own session loop
(``twin.session.plant.Plant``, on the same ``PlantLink`` ROUTER) serves it, so
the protocol version, the clock modes, command-at-most-once, the link
impairments and the security are those of the twin by construction.

To add a gateway is a package ``gateways/<name>/`` (its config schema, its
station port, the stand-in PLC that CI runs it against) and a line in
``GATEWAYS`` below. The ``gateway`` config group chooses one by its ``kind``
(``configs/gateway/``); ``none`` serves the twin directly.

Importing this module imports no gateway's libraries (asyncua): a gateway's
modules are loaded only when one runs.
"""

from __future__ import annotations

from gateways import opcua
from gateways.record import Gateway, NoGateway

GATEWAYS: dict[str, Gateway] = {g.name: g for g in (opcua.GATEWAY,)}
NONE = "none"
SCHEMAS: dict[str, type] = {NONE: NoGateway, **{name: g.schema for name, g in GATEWAYS.items()}}


def gateway_for(cfg) -> Gateway | None:
    """The gateway a validated swap config chooses (None: the twin is served directly)."""
    kind = getattr(cfg.gateway, "kind", NONE)
    return None if kind == NONE else GATEWAYS[kind]


__all__ = ["GATEWAYS", "NONE", "SCHEMAS", "Gateway", "NoGateway", "gateway_for"]
