"""CURVE security with roles, for the command and observer links (ZeroMQ's Ironhouse pattern).

Threat model: anyone who can reach an endpoint. Without security, any process
that says ``hello`` first owns the session and any subscriber reads the
ground truth. With it:

* the station has a CURVE key pair; every link is encrypted and the station
  authenticated (a client pins the station's public key);
* every client has a key pair of its own, and the station's **allow-list**
  gives each public key one **role**: ``controller`` (commands), ``observer``
  (ground truth) or ``engineer`` (fault injection and reset, and ground
  truth). A ZAP handler admits to the command link every listed key, and to
  the observer link only observers' and engineers' keys (a publisher cannot
  tell a subscriber why, so a controller's key is refused at the handshake and
  the plant logs why). An unlisted key, or no key, gets nothing through: the
  connection is refused before any message is read.
* the role travels with every message (ZeroMQ's ``User-Id`` property), so the
  plant refuses a hello from an observer's or an engineer's key and an
  engineering message from a controller's, each with the reason.

Security is mandatory whenever an endpoint is neither loopback nor ipc: the
plant refuses to start without keys, naming what is missing.

Files (``swaptwin keys``): ``station.key`` (public; give it to clients),
``station.key_secret`` (keep it on the station), ``clients/<name>.key`` and
``clients/<name>.key_secret`` (give the pair to that client), and
``allow.json``: ``{"clients": [{"name", "role", "public_key"}]}`` (z85 keys).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import zmq
import zmq.auth
from zmq.auth.thread import ThreadAuthenticator
from zmq.utils import z85

log = logging.getLogger("swaptwin.security")
ROLES = ("controller", "observer", "engineer")
# Which roles may connect to which link (ZAP domain).
COMMAND_DOMAIN = "swaptwin.command"
OBSERVER_DOMAIN = "swaptwin.observer"
LINK_ROLES = {COMMAND_DOMAIN: ROLES, OBSERVER_DOMAIN: ("observer", "engineer")}
STATION = "station"
ALLOW_FILE = "allow.json"
_LOCAL_HOSTS = ("127.", "localhost", "[::1]", "::1")


class SecurityError(ValueError):
    """Keys that are missing, unreadable or do not fit: the message says which file."""


def is_local(endpoint: str) -> bool:
    """An endpoint only this machine can reach: ipc, inproc, or tcp on loopback."""
    if endpoint.startswith(("ipc://", "inproc://")):
        return True
    host = endpoint.removeprefix("tcp://")
    return endpoint.startswith("tcp://") and host.startswith(_LOCAL_HOSTS)


def make_keys(keys_dir: Path, clients: list[tuple[str, str]]) -> dict[str, Path]:
    """The station's key pair, one pair per client and the allow-list giving
    each client its role. Existing station keys are kept (clients pinned them)."""
    keys_dir = Path(keys_dir)
    (keys_dir / "clients").mkdir(parents=True, exist_ok=True)
    if not (keys_dir / f"{STATION}.key_secret").is_file():
        zmq.auth.create_certificates(str(keys_dir), STATION)
    allow = _read_allow(keys_dir) if (keys_dir / ALLOW_FILE).is_file() else []
    for name, role in clients:
        if role not in ROLES:
            raise SecurityError(f"client {name!r}: role {role!r} is not one of {', '.join(ROLES)}")
        public, _ = zmq.auth.create_certificates(str(keys_dir / "clients"), name)
        key = zmq.auth.load_certificate(public)[0].decode("ascii")
        allow = [c for c in allow if c["name"] != name] + [{"name": name, "role": role, "public_key": key}]
    path = keys_dir / ALLOW_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"clients": allow}, indent=2) + "\n")
    os.replace(tmp, path)
    for secret in [keys_dir / f"{STATION}.key_secret", *(keys_dir / "clients").glob("*.key_secret")]:
        secret.chmod(0o600)
    return {"station": keys_dir / f"{STATION}.key", "allow": path}


def _read_allow(keys_dir: Path) -> list[dict[str, str]]:
    path = keys_dir / ALLOW_FILE
    try:
        data = json.loads(path.read_text())
        clients = data["clients"]
        for c in clients:
            if c["role"] not in ROLES or len(c["public_key"]) != 40:
                raise ValueError(f"client {c.get('name')!r}: role must be one of {ROLES} and public_key a z85 key")
        return clients
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SecurityError(f"{path}: not a readable allow-list ({exc})") from None


def _load(path: Path, *, secret: bool) -> tuple[bytes, bytes | None]:
    try:
        public, secret_key = zmq.auth.load_certificate(str(path))
    except (OSError, ValueError) as exc:
        raise SecurityError(f"{path}: not a readable CURVE key file ({exc})") from None
    if secret and secret_key is None:
        raise SecurityError(f"{path}: holds no secret key (use the .key_secret file)")
    return public, secret_key


class _RoleAuthenticator(ThreadAuthenticator):
    """A ZAP handler that admits a key to a link only if its role may use that
    link, and stamps every message with the key's role as its User-Id."""

    def __init__(self, context: zmq.Context, roles: dict[bytes, tuple[str, str]]):
        super().__init__(context)
        self.roles = roles  # z85 public key -> (role, name)

    def start(self) -> None:
        super().start()
        self.thread.authenticator.curve_user_id = self._user_id  # type: ignore[method-assign]
        for domain, allowed in LINK_ROLES.items():
            self.configure_curve_callback(domain=domain, credentials_provider=_Admit(self.roles, allowed))

    def _user_id(self, client_public_key: bytes) -> str:
        role, name = self.roles[z85.encode(client_public_key)]
        return f"{role}:{name}"


@dataclass
class _Admit:
    roles: dict[bytes, tuple[str, str]]
    allowed: tuple[str, ...]

    def callback(self, domain: str, key: bytes) -> bool:
        entry = self.roles.get(key)
        if entry is None:
            log.warning("%s: refused a key not on the allow-list (%s...)", domain, key[:8].decode("ascii", "replace"))
            return False
        if entry[0] not in self.allowed:
            log.warning("%s: refused %s %r: the link serves %s", domain, entry[0], entry[1], ", ".join(self.allowed))
            return False
        return True


class ServerSecurity:
    """The station's side: its key pair, its allow-list and the ZAP handler."""

    def __init__(self, keys_dir: Path):
        self.keys_dir = Path(keys_dir)
        self.public, self.secret = _load(self.keys_dir / f"{STATION}.key_secret", secret=True)
        self.roles = {c["public_key"].encode("ascii"): (c["role"], c["name"]) for c in _read_allow(self.keys_dir)}
        self.auth: _RoleAuthenticator | None = None

    def start(self, context: zmq.Context) -> None:
        if self.auth is None:
            self.auth = _RoleAuthenticator(context, self.roles)
            self.auth.start()

    def apply(self, socket: zmq.Socket, domain: str) -> None:
        """Make ``socket`` a CURVE server on the link ``domain`` (before it binds)."""
        socket.curve_secretkey = self.secret
        socket.curve_publickey = self.public
        socket.curve_server = True
        socket.zap_domain = domain.encode("ascii")

    def stop(self) -> None:
        if self.auth is not None:
            self.auth.stop()
            self.auth = None


def message_role(frame: Any) -> str | None:
    """The role of a received message's sender (None without security)."""
    try:
        user_id = frame.get("User-Id")
    except (zmq.ZMQError, AttributeError):
        return None
    return str(user_id).split(":", 1)[0] if user_id else None


class ClientSecurity:
    """A client's side: its own key pair and the station's public key it pins."""

    def __init__(self, client_secret_file: Path, station_public_file: Path):
        self.public, self.secret = _load(Path(client_secret_file), secret=True)
        self.server, _ = _load(Path(station_public_file), secret=False)

    def apply(self, socket: zmq.Socket) -> None:
        """Make ``socket`` a CURVE client of the station (before it connects)."""
        socket.curve_secretkey = self.secret
        socket.curve_publickey = self.public
        socket.curve_serverkey = self.server
