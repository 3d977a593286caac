"""The ``gateway=opcua`` config group's schema (``configs/gateway/opcua.yaml``).

The gateway's own settings: which tag map, where the PLC is, how long to
wait for it, its security. The emulated PLC's settings (``plc``) are those of
the stand-in only; a real PLC's program has its own. What both sides must
agree on (node ids, types, units, the scan cycle, the heartbeat watchdog) is
the tag map's (``gateways/opcua/tagmap.py``), not this file's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlparse

from twin.schema import q

OPC_TCP = "opc.tcp://"


@dataclass(frozen=True)
class Security:
    """OPC UA security between the gateway and the PLC (IEC 62541-2): Basic256Sha256,
    SignAndEncrypt, application certificates on both sides and a user login."""

    mode: Literal["auto", "on", "off"] = q(
        "auto", doc="auto: on whenever the PLC endpoint is not loopback; on; off (loopback only)"
    )
    pki_dir: str = q("pki/opcua", doc="certificates, keys, trust lists and the login (gateways/opcua/security.py)")
    user: str = q("operator", doc="the user the gateway logs in as; its password is in pki_dir, never in a config")


@dataclass(frozen=True)
class EmulatedPlc:
    """The stand-in PLC (``swaptwin plc``): settings of its program, not of a real PLC."""

    stall_at_s: float | None = q(
        None, lo=0.0, hi=86400.0, unit="s", doc="test hook: the PLC stops scanning at this plant time; null: never"
    )


@dataclass(frozen=True)
class OpcUaGateway:
    kind: Literal["opcua"] = q()
    tagmap: str = q(doc="a tag map of configs/tagmap/ by name, or the path of your own")
    plc_endpoint: str = q(doc="the PLC's OPC UA server, opc.tcp://HOST:PORT/PATH")
    plc_observer_endpoint: str | None = q(
        doc="the emulated PLC's ground truth (its twin's observer PUB); null for a real PLC, which has none"
    )
    connect_timeout_s: float = q(lo=0.1, hi=3600.0, unit="s", doc="wall time to reach the PLC when the gateway starts")
    request_timeout_s: float = q(
        lo=0.01, hi=60.0, unit="s", doc="an OPC UA request unanswered this long: the PLC is hung or the link cut"
    )
    reset_timeout_s: float = q(lo=0.1, hi=3600.0, unit="s", doc="the PLC's Reset (the emulated PLC rebuilds its world)")
    life_sign_timeout_s: float = q(
        lo=0.001, hi=60.0, unit="s", doc="realtime: the PLC's life sign unchanged this long means it stopped scanning"
    )
    lost_grace_s: float = q(
        lo=0.0,
        hi=600.0,
        unit="s",
        doc="after the PLC is lost: plant time of frames reporting the drives faulted before the session ends",
    )
    truth_timeout_s: float = q(
        lo=0.001, hi=60.0, unit="s", doc="emulated PLC: wall time to wait for a period's ground truth"
    )
    security: Security = q(factory=Security)
    plc: EmulatedPlc = q(factory=EmulatedPlc)

    def check(self) -> list[tuple[str, str]]:
        url = urlparse(self.plc_endpoint)
        if not self.plc_endpoint.startswith(OPC_TCP) or not url.hostname:
            return [("plc_endpoint", f"{self.plc_endpoint!r} is not an OPC UA endpoint (opc.tcp://HOST:PORT/PATH)")]
        try:
            url.port  # noqa: B018  (raises on a port out of range)
        except ValueError as exc:
            return [("plc_endpoint", f"{self.plc_endpoint!r}: {exc}")]
        return []
