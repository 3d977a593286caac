"""OPC UA security between the gateway and the PLC, and the files it needs.

Threat model: the gateway-to-PLC link runs over the plant network, where
anyone on the segment could read the station's I/O or command its drives.
Off loopback the link therefore uses Basic256Sha256 with SignAndEncrypt
(IEC 62541-7's profile; OPC UA's messages are signed and encrypted with
application instance certificates on both sides) and a user login: the PLC
accepts only clients whose certificate is in its trust list *and* who log in,
and the gateway accepts only a PLC whose certificate is in its own trust list.
On loopback (one host, nothing on a wire) it is off unless asked for
(``gateway.security.mode``). Without a validator asyncua accepts any
certificate that is well signed, so both sides always set one.

``make_opcua_certificates(dir)`` makes, for a test bench or a first
commissioning (self-signed, RSA 2048, SHA-256):

* ``plc_cert.der``/``plc_key.pem``: the (emulated) PLC's, URI ``urn:swaptwin:plc``;
* ``gateway_cert.der``/``gateway_key.pem``: the gateway's, URI ``urn:swaptwin:gateway``;
* ``cli_cert.der``/``cli_key.pem``: for asyncua's command-line tools (``uals``,
  ``uaread``...), which always present the fixed URI ``urn:example.org:FreeOpcUa:opcua-asyncio``;
* ``plc_trusted/``: the client certificates the PLC accepts (gateway, cli);
* ``gateway_trusted/``: the PLC certificates the gateway accepts;
* ``password``: the login's password (mode 0600), and ``users.json``: the
  PLC's user list (salted PBKDF2 hashes, never the password).

Passwords never go into a config file: a swap's resolved config is written
into its ``result.json``. Against a real PLC, put its certificate into
``gateway_trusted/``, the gateway's into the PLC's trust list, and the PLC's
user's password into ``password`` (docs/gateway.md).

``swaptwin keys --dir DIR --opcua`` makes them in DIR/opcua beside the wire's
CURVE keys (``python -m gateways.opcua.security DIR``: these files alone).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import ipaddress
import json
import os
import secrets
import shutil
import socket
import sys
from pathlib import Path
from urllib.parse import urlparse

PLC_URI = "urn:swaptwin:plc"
GATEWAY_URI = "urn:swaptwin:gateway"
CLI_URI = "urn:example.org:FreeOpcUa:opcua-asyncio"  # asyncua's command-line tools cannot be told another
_ORGANISATION = {"organizationName": "SwapTwin"}
_PBKDF2_ITERATIONS = 600_000  # OWASP Password Storage Cheat Sheet (2023) for PBKDF2-HMAC-SHA256
_CERT_DAYS = 365

PLC_FILES = ("plc_cert.der", "plc_key.pem", "plc_trusted", "users.json")
GATEWAY_FILES = ("gateway_cert.der", "gateway_key.pem", "gateway_trusted", "password")


def is_loopback(endpoint: str) -> bool:
    host = urlparse(endpoint).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve anywhere


def security_on(gw, endpoint: str | None = None) -> bool:
    """Whether the link to ``endpoint`` (default ``gw.plc_endpoint``) is secured: ``on``, or ``auto`` off loopback."""
    mode = gw.security.mode
    return mode == "on" or (mode == "auto" and not is_loopback(endpoint or gw.plc_endpoint))


def security_problems(gw) -> list[tuple[str, str]]:
    """(key, message) of a secured link whose files are missing, or of security
    turned off on a link that leaves the host: they fail before anything starts."""
    if not security_on(gw):
        if gw.security.mode == "off" and not is_loopback(gw.plc_endpoint):
            return [
                (
                    "gateway.security.mode",
                    f"'off' for {gw.plc_endpoint}: the link leaves this host, so security stays on (auto or on)",
                )
            ]
        return []
    pki = Path(gw.security.pki_dir)
    missing = [name for name in (*PLC_FILES, *GATEWAY_FILES) if not (pki / name).exists()]
    if not missing:
        return []
    return [
        (
            "gateway.security.pki_dir",
            f"{str(pki)!r} lacks {', '.join(missing)}; security is on for {gw.plc_endpoint} "
            f"(make them with: python -m gateways.opcua.security {pki}; or swaptwin keys --dir DIR --opcua "
            f"for DIR/opcua)",
        )
    ]


# -- the files ------------------------------------------------------------------------------------
def _certificate(directory: Path, name: str, uri: str, *, server: bool, hosts: list[str]) -> None:
    from asyncua.crypto.cert_gen import (
        dump_private_key_as_pem,
        generate_private_key,
        generate_self_signed_app_certificate,
    )
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import ExtendedKeyUsageOID

    key = generate_private_key()
    # The URI SAN must equal the application URI each side announces (IEC 62541-6 s6.2.2).
    san: list[x509.GeneralName] = [x509.UniformResourceIdentifier(uri)]
    for host in hosts:
        try:
            san.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            san.append(x509.DNSName(host))
    usage = (
        [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
        if server
        else [ExtendedKeyUsageOID.CLIENT_AUTH]
    )
    cert = generate_self_signed_app_certificate(key, f"SwapTwin {name}", _ORGANISATION, san, extended=usage,
                                                days=_CERT_DAYS)  # fmt: skip
    key_path = directory / f"{name}_key.pem"
    key_path.write_bytes(dump_private_key_as_pem(key))
    key_path.chmod(0o600)
    (directory / f"{name}_cert.der").write_bytes(cert.public_bytes(Encoding.DER))


def hash_password(password: str, *, salt: bytes | None = None, iterations: int = _PBKDF2_ITERATIONS) -> dict:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return {"salt": salt.hex(), "iterations": iterations, "pbkdf2_sha256": digest.hex()}


def password_matches(entry: dict, password: str) -> bool:
    got = hash_password(password, salt=bytes.fromhex(entry["salt"]), iterations=int(entry["iterations"]))
    return hmac.compare_digest(got["pbkdf2_sha256"], entry["pbkdf2_sha256"])


def make_opcua_certificates(directory: str | Path, *, user: str = "operator", hosts: list[str] | None = None) -> Path:
    """Make the PLC's, the gateway's and the command-line tools' certificates,
    both trust lists and a login in ``directory`` (made afresh: old files go)."""
    d = Path(directory)
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    names = ["localhost", "127.0.0.1", socket.gethostname(), *(hosts or [])]
    _certificate(d, "plc", PLC_URI, server=True, hosts=names)
    _certificate(d, "gateway", GATEWAY_URI, server=False, hosts=names)
    _certificate(d, "cli", CLI_URI, server=False, hosts=names)
    (d / "plc_trusted").mkdir()
    (d / "gateway_trusted").mkdir()
    for client in ("gateway", "cli"):
        shutil.copy(d / f"{client}_cert.der", d / "plc_trusted" / f"{client}_cert.der")
    shutil.copy(d / "plc_cert.der", d / "gateway_trusted" / "plc_cert.der")
    password = secrets.token_urlsafe(18)
    fd = os.open(d / "password", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(password + "\n")
    (d / "users.json").write_text(json.dumps({user: hash_password(password)}, indent=1) + "\n", encoding="utf-8")
    return d


def read_password(pki_dir: str | Path) -> str:
    return (Path(pki_dir) / "password").read_text(encoding="utf-8").strip()


# -- the two ends ---------------------------------------------------------------------------------
class PasswordUsers:
    """The PLC's user manager: a known user with the right password, nobody else
    (anonymous and certificate-only logins are refused: BadUserAccessDenied)."""

    def __init__(self, users_file: Path):
        self.users = json.loads(users_file.read_text(encoding="utf-8"))

    def get_user(self, iserver, username=None, password=None, certificate=None):
        from asyncua.crypto.permission_rules import User, UserRole

        entry = self.users.get(username) if username is not None else None
        if entry is not None and password is not None and password_matches(entry, password):
            return User(role=UserRole.User, name=username)
        return None


async def secure_server(server, pki_dir: str | Path, *, on: bool) -> None:
    """Offer only what is meant: SignAndEncrypt with a trusted certificate and a
    login, or (loopback, security off) no security and anonymous access."""
    from asyncua import ua
    from asyncua.crypto.truststore import TrustStore
    from asyncua.crypto.validator import CertificateValidator, CertificateValidatorOptions

    if not on:
        server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
        # Offering the username token on an unsecured endpoint would let passwords travel in the clear.
        server.set_identity_tokens([ua.AnonymousIdentityToken])
        return
    pki = Path(pki_dir)
    server.set_security_policy([ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt])
    server.set_identity_tokens([ua.UserNameIdentityToken])
    await server.load_certificate(str(pki / "plc_cert.der"))
    await server.load_private_key(str(pki / "plc_key.pem"))
    store = TrustStore([pki / "plc_trusted"], [])
    await store.load()
    options = CertificateValidatorOptions.TRUSTED_VALIDATION | CertificateValidatorOptions.PEER_CLIENT
    server.set_certificate_validator(CertificateValidator(options, store))


async def secure_client(client, pki_dir: str | Path, *, user: str) -> None:
    """The gateway's side: its certificate, the PLC's trust list, the login."""
    from asyncua import ua
    from asyncua.crypto.security_policies import SecurityPolicyBasic256Sha256
    from asyncua.crypto.truststore import TrustStore
    from asyncua.crypto.validator import CertificateValidator, CertificateValidatorOptions

    pki = Path(pki_dir)
    client.application_uri = GATEWAY_URI  # must equal the URI in the gateway's certificate
    await client.set_security(
        SecurityPolicyBasic256Sha256,
        certificate=str(pki / "gateway_cert.der"),
        private_key=str(pki / "gateway_key.pem"),
        mode=ua.MessageSecurityMode.SignAndEncrypt,
    )
    store = TrustStore([pki / "gateway_trusted"], [])
    await store.load()
    options = CertificateValidatorOptions.TRUSTED_VALIDATION | CertificateValidatorOptions.PEER_SERVER
    client.certificate_validator = CertificateValidator(options, store)
    client.set_user(user)
    client.set_password(read_password(pki))


def cli_security_args(pki_dir: str | Path, *, user: str = "operator") -> list[str]:
    """The arguments that give asyncua's command-line tools the same access as the gateway."""
    pki = Path(pki_dir)
    return [
        f"--security=Basic256Sha256,SignAndEncrypt,{pki / 'cli_cert.der'},{pki / 'cli_key.pem'},{pki / 'plc_cert.der'}",
        f"--user={user}",
        f"--password={read_password(pki)}",  # in one argument: a password may begin with "-"
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m gateways.opcua.security", description=__doc__.splitlines()[0])
    ap.add_argument("dir", help="where to make the files (made afresh)")
    ap.add_argument("--user", default="operator", help="the login's user name")
    ap.add_argument("--host", action="append", default=[], help="another host name or address of the PLC (repeat)")
    args = ap.parse_args(argv)
    d = make_opcua_certificates(args.dir, user=args.user, hosts=args.host)
    print(f"OPC UA certificates, trust lists and the login of user {args.user!r} in {d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
