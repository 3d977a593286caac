"""``swaptwin keys --dir DIR [--client NAME:ROLE ...]``: CURVE keys for a station and its clients.

Makes (or keeps) the station's key pair in DIR, a key pair per client under
DIR/clients/, and DIR/allow.json giving each client its role (``controller``,
``observer`` or ``engineer``; ``swapwire.security``). Give each client its
pair and the station's public key (DIR/station.key); keep DIR/station.key_secret
and allow.json on the station (security.keys_dir=DIR). Run it again with
more clients to add them; an existing station key pair is kept, so clients
that pinned it keep working.

``--opcua`` also makes the OPC UA gateway's files in DIR/opcua
(``gateways.opcua.security``: the PLC's, the gateway's and asyncua's tools'
certificates, both trust lists, a login): ``gateway.security.pki_dir=DIR/opcua``.
``--opcua-host H`` adds a host name or address the PLC is reached by (repeatable).
Existing OPC UA files are kept, as the station's key pair is: a PLC that
trusts the gateway's certificate keeps trusting it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from swaptwin.commands import EXIT_CONFIG, EXIT_PASS

HELP = "CURVE keys for the station and its clients, with their roles"
_DEFAULT_CLIENTS = ["controller:controller", "observer:observer", "engineer:engineer"]


def parse_flags(argv: list[str]):
    ap = argparse.ArgumentParser(prog="swaptwin keys", add_help=False)
    ap.add_argument("--dir", required=False, help="where the keys go")
    ap.add_argument("--client", action="append", metavar="NAME:ROLE", help="a client and its role (repeatable)")
    ap.add_argument("--opcua", action="store_true", help="also the OPC UA gateway's certificates, in DIR/opcua")
    ap.add_argument("--opcua-host", action="append", default=[], metavar="H", help="another host name of the PLC")
    return ap.parse_known_args(argv)


def run(cfg, inv) -> int:
    from swapwire.security import SecurityError, make_keys

    flags = inv.flags
    if not flags.dir:
        print("swaptwin keys: --dir DIR is required (where the keys go)")
        return EXIT_CONFIG
    clients = []
    for spec in flags.client or _DEFAULT_CLIENTS:
        name, _, role = spec.partition(":")
        if not name or not role:
            print(f"swaptwin keys: --client {spec!r}: give NAME:ROLE")
            return EXIT_CONFIG
        clients.append((name, role))
    try:
        files = make_keys(flags.dir, clients)
    except SecurityError as exc:
        print(f"swaptwin keys: {exc}")
        return EXIT_CONFIG
    print(f"station public key: {files['station']} (give it to every client)")
    print(f"allow-list: {files['allow']} ({', '.join(f'{n}:{r}' for n, r in clients)})")
    for name, role in clients:
        print(f"  {role:10s} {name}: {flags.dir}/clients/{name}.key_secret")
    if flags.opcua:
        _opcua(Path(flags.dir) / "opcua", flags.opcua_host)
    return EXIT_PASS


def _opcua(pki: Path, hosts: list[str]) -> None:
    from gateways.opcua.security import GATEWAY_FILES, PLC_FILES, make_opcua_certificates

    if all((pki / name).exists() for name in (*PLC_FILES, *GATEWAY_FILES)):
        print(f"OPC UA certificates kept: {pki} (gateway.security.pki_dir={pki})")
        return
    make_opcua_certificates(pki, hosts=hosts)
    print(f"OPC UA certificates, trust lists and login: {pki} (gateway.security.pki_dir={pki})")
