"""``swaptwin keys --dir DIR [--client NAME:ROLE ...]``: CURVE keys for a station and its clients.

Makes (or keeps) the station's key pair in DIR, a key pair per client under
DIR/clients/, and DIR/allow.json giving each client its role (``controller``,
``observer`` or ``engineer``; ``swapwire.security``). Give each client its
pair and the station's public key (DIR/station.key); keep DIR/station.key_secret
and allow.json on the station (security.keys_dir=DIR). Run it again with
more clients to add them; an existing station key pair is kept, so clients
that pinned it keep working.
"""

from __future__ import annotations

import argparse

from swaptwin.commands import EXIT_CONFIG, EXIT_PASS

HELP = "CURVE keys for the station and its clients, with their roles"
_DEFAULT_CLIENTS = ["controller:controller", "observer:observer", "engineer:engineer"]


def parse_flags(argv: list[str]):
    ap = argparse.ArgumentParser(prog="swaptwin keys", add_help=False)
    ap.add_argument("--dir", required=False, help="where the keys go")
    ap.add_argument("--client", action="append", metavar="NAME:ROLE", help="a client and its role (repeatable)")
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
    return EXIT_PASS
