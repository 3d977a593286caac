"""OPC UA security between gateway and PLC: Basic256Sha256 SignAndEncrypt with
certificates and a user login, on by default off loopback. A client without
the certificate or the login is refused; the gateway and asyncua's tools with
them get in."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gateways.opcua.security import (
    CLI_URI,
    GATEWAY_URI,
    PLC_URI,
    cli_security_args,
    is_loopback,
    make_opcua_certificates,
    secure_client,
    security_on,
)
from swaptwin.config import load
from tests.conftest import run_cli
from tests.gateways.conftest import PlcProcess, run_client
from twin.schema import ConfigError

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Path:
    return make_opcua_certificates(tmp_path_factory.mktemp("keys") / "pki")


@pytest.fixture(scope="module")
def secure_plc(tmp_path_factory, pki):
    p = PlcProcess(tmp_path_factory.mktemp("plc"), ["gateway.security.mode=on", f"gateway.security.pki_dir={pki}"])
    yield p
    p.stop()


def test_the_certificates_carry_each_sides_uri_and_the_keys_stay_private(pki):
    from cryptography import x509

    for name, uri in (("plc", PLC_URI), ("gateway", GATEWAY_URI), ("cli", CLI_URI)):
        cert = x509.load_der_x509_certificate((pki / f"{name}_cert.der").read_bytes())
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert san.get_values_for_type(x509.UniformResourceIdentifier) == [uri]
        assert (pki / f"{name}_key.pem").stat().st_mode & 0o077 == 0
    assert (pki / "password").stat().st_mode & 0o077 == 0
    assert sorted(p.name for p in (pki / "plc_trusted").iterdir()) == ["cli_cert.der", "gateway_cert.der"]
    password = (pki / "password").read_text().strip()
    assert password not in (pki / "users.json").read_text()  # the PLC keeps a salted hash, not the password
    assert list(json.loads((pki / "users.json").read_text())) == ["operator"]


@pytest.mark.parametrize(
    "endpoint, on",
    [
        ("opc.tcp://127.0.0.1:4840/x", False),
        ("opc.tcp://localhost:4840/x", False),
        ("opc.tcp://[::1]:4840/x", False),
        ("opc.tcp://10.20.30.40:4840/x", True),
        ("opc.tcp://plc-lane-3.plant:4840/x", True),
    ],
)
def test_security_is_on_by_default_whenever_the_plc_is_not_on_loopback(endpoint, on):
    quoted = f'gateway.plc_endpoint="{endpoint}"'  # Hydra reads [::1] as a list unless quoted
    cfg = load(["gateway=opcua", quoted, "gateway.security.mode=off"]) if not on else None
    gw = load(["gateway=opcua"]).gateway
    assert is_loopback(endpoint) is not on
    assert security_on(gw, endpoint) is on
    if cfg is not None:
        assert not security_on(cfg.gateway)


def test_a_plc_off_loopback_without_keys_is_refused_before_anything_starts(tmp_path):
    with pytest.raises(ConfigError) as err:
        load(
            [
                "gateway=opcua",
                "gateway.plc_endpoint=opc.tcp://10.20.30.40:4840/x",
                f"gateway.security.pki_dir={tmp_path}",
            ]
        )
    assert "gateway.security.pki_dir" in str(err.value) and "python -m gateways.opcua.security" in str(err.value)
    with pytest.raises(ConfigError) as err:
        load(["gateway=opcua", "gateway.plc_endpoint=opc.tcp://10.20.30.40:4840/x", "gateway.security.mode=off"])
    assert "the link leaves this host" in str(err.value)
    proc = run_cli(
        "gateway", "gateway.plc_endpoint=opc.tcp://10.20.30.40:4840/x", f"hydra.run.dir={tmp_path}", cwd=tmp_path
    )
    assert proc.returncode == 2 and "gateway.security.pki_dir" in proc.stderr
    # The wire side is the plant's: a gateway on an exposed endpoint without CURVE keys is refused as a plant is.
    wire_side = run_cli("gateway", "endpoint=tcp://0.0.0.0:5599", f"hydra.run.dir={tmp_path / 'w'}", cwd=tmp_path)
    assert wire_side.returncode == 2 and "security.keys_dir" in wire_side.stderr, wire_side.stderr


def _refused(endpoint: str, secure) -> str:
    async def read(client, idx):
        return await client.get_node("ns=2;s=Frame.Seq").read_value()

    try:
        run_client(endpoint, read, secure=secure)
    except Exception as exc:  # noqa: BLE001  (what matters is that it did not get in)
        return f"{type(exc).__name__}: {exc}"
    return ""


def test_a_client_without_the_certificate_or_the_login_is_refused(secure_plc, pki, tmp_path):
    endpoint = secure_plc.endpoint
    assert _refused(endpoint, None)  # no security at all: the PLC offers no such endpoint
    stranger = make_opcua_certificates(tmp_path / "other")  # a well-made certificate nobody trusts

    async def untrusted(client):
        await secure_client(client, stranger, user="operator")
        client.set_password((pki / "password").read_text().strip())

    assert "BadCertificateUntrusted" in _refused(endpoint, untrusted)

    async def wrong_password(client):
        await secure_client(client, pki, user="operator")
        client.set_password("not-the-password")

    assert "BadUserAccessDenied" in _refused(endpoint, wrong_password)

    async def right(client):
        await secure_client(client, pki, user="operator")

    assert _refused(endpoint, right) == ""


def test_asyncua_tools_get_in_with_their_certificate_and_the_login_and_not_without(secure_plc, pki):
    args = ["--timeout", "10", "-u", secure_plc.endpoint, "-n", "ns=2;s=Frame.Seq"]
    bare = subprocess.run([str(BIN / "uaread"), *args], capture_output=True, text=True, timeout=60)
    assert bare.returncode != 0 and "No matching endpoints" in bare.stderr, bare.stderr[-500:]
    ok = subprocess.run(
        [str(BIN / "uaread"), *args, *cli_security_args(pki)], capture_output=True, text=True, timeout=60
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip().splitlines()[-1] == "0"


def test_the_gateway_connects_to_a_secured_plc(secure_plc, pki):
    from gateways.opcua.gateway import OpcUaStation

    cfg = load(["gateway=opcua", "gateway.security.mode=on", f"gateway.security.pki_dir={pki}"])
    port = OpcUaStation(cfg, plc_endpoint=secure_plc.endpoint, plc_observer_endpoint=secure_plc.observer)
    try:
        assert port.secure
        port.initialize_session()
        assert port.describe().rig_family == "under_chassis" and port.frame().frame_seq == 0
        assert port.truth()["frame_seq"] == 0 and port.plc_versions["twin_model"] >= 1
        port.apply(None)
        port.advance()
        assert port.frame().frame_seq == 1 and port.time_s == pytest.approx(0.02)
    finally:
        port.close()


def test_swaptwin_keys_also_makes_the_opcua_certificates_and_keeps_them(tmp_path):
    keys = tmp_path / "keys"
    proc = run_cli("keys", "--dir", str(keys), "--opcua", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pki = keys / "opcua"
    assert (keys / "station.key").is_file() and (pki / "plc_trusted" / "gateway_cert.der").is_file()
    assert (pki / "password").stat().st_mode & 0o077 == 0 and (pki / "users.json").is_file()
    cert = (pki / "gateway_cert.der").read_bytes()
    again = run_cli("keys", "--dir", str(keys), "--opcua", cwd=tmp_path)
    assert again.returncode == 0 and "kept" in again.stdout
    assert (pki / "gateway_cert.der").read_bytes() == cert  # a PLC that trusts it keeps trusting it
