"""CURVE security with roles (docs/protocol.md, section 7), against a real plant
process over real ZeroMQ: a client without a key, with an unlisted key or with
the wrong role gets nothing through; an engineer injects a fault and resets;
a plant reachable from other machines refuses to start without keys; and the
default swap passes with security on."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest
import zmq
import zmq.auth

import swapwire as wire
from swapwire.security import ClientSecurity, make_keys
from tests.conftest import ObserverTap, RawController, run_cli

BYE = wire.Bye(outcome=wire.OUTCOME_SAFE_STOP, reason="test over", phase="test").to_body()


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("keys")
    make_keys(d, [("ctl", "controller"), ("obs", "observer"), ("eng", "engineer")])
    # A well-formed key pair the station has never heard of.
    zmq.auth.create_certificates(str(d), "stranger")
    return d


def _client(keys: Path, name: str | None) -> ClientSecurity | None:
    if name is None:
        return None
    secret = keys / ("stranger.key_secret" if name == "stranger" else f"clients/{name}.key_secret")
    return ClientSecurity(secret, keys / "station.key")


class SecureController(RawController):
    def __init__(self, endpoint: str, security: ClientSecurity | None):
        self.sock = zmq.Context.instance().socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        if security is not None:
            security.apply(self.sock)
        self.sock.connect(endpoint)
        self.seq = wire.Sequencer()
        self.cmd_id = 0


class SecureTap(ObserverTap):
    def __init__(self, endpoint: str, security: ClientSecurity | None):
        self.sock = zmq.Context.instance().socket(zmq.SUB)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.setsockopt(zmq.SUBSCRIBE, b"")
        if security is not None:
            security.apply(self.sock)
        self.sock.connect(endpoint)
        self.messages = []


@pytest.fixture
def secure_plant(plant_process, keys):
    clients: list = []

    def start(*overrides: str):
        plant = plant_process(f"security.keys_dir={keys}", *overrides)

        def connect(name: str | None, cls=SecureController, observer: bool = False):
            c = cls(plant.observer if observer else plant.endpoint, _client(keys, name))
            clients.append(c)
            return c

        return plant, connect

    yield start
    for c in clients:
        c.close()


def _silent(sock: zmq.Socket, window_s: float) -> bool:
    return not sock.poll(int(window_s * 1000))


@pytest.mark.parametrize("who", [None, "stranger", "obs"])
def test_without_a_key_with_an_unlisted_key_or_an_observer_key_no_hello_gets_through(secure_plant, who):
    plant, connect = secure_plant()
    intruder = connect(who)
    intruder.send(wire.HELLO, wire.Hello(client="intruder").to_body())
    if who == "obs":  # a listed key: told why
        refused = intruder.recv_type(wire.REFUSED).body
        assert refused["code"] == "role" and "observer" in refused["reason"]
    else:  # no key, or one not on the allow-list: the handshake fails, nothing is read
        assert _silent(intruder.sock, 1.5)
    # The session was not taken: the controller's key opens it.
    ctl = connect("ctl")
    ctl.hello()
    ctl.send(wire.BYE, BYE)
    result = plant.result()
    assert result["session"]["end_reason"] == "bye" and result["session"]["client"] == "test"


@pytest.mark.parametrize("who", [None, "stranger", "ctl"])
def test_the_ground_truth_reaches_only_observer_and_engineer_keys(secure_plant, who):
    plant, connect = secure_plant()
    spy = connect(who, SecureTap, observer=True)
    observer = connect("obs", SecureTap, observer=True)
    engineer = connect("eng", SecureTap, observer=True)
    probe = connect("eng")  # the plant is up once it answers (not in session) ...
    probe.send(wire.HEARTBEAT, {})
    assert probe.recv_type(wire.ERROR, timeout_s=60).body["code"] == "not_in_session"
    time.sleep(0.5)  # ... and the subscriptions have reached its publisher
    ctl = connect("ctl")
    ctl.hello()
    for _ in range(5):
        frame = ctl.recv_type(wire.FRAME).body
        ctl.command(frame["frame_seq"])
    ctl.send(wire.BYE, BYE)
    for tap in (observer, engineer):
        topics = {topic for topic, _ in tap.drain_until_session_end(30)}
        assert {"truth", "session"} <= topics
    plant.result()
    assert _silent(spy.sock, 0.5), "a key without the observer role read the ground truth"


def test_an_engineer_injects_a_fault_and_resets_a_controller_key_may_do_neither(secure_plant):
    plant, connect = secure_plant()
    ctl, eng = connect("ctl"), connect("eng")
    ctl.hello()
    frame = ctl.recv_type(wire.FRAME).body
    e_stop = {"name": "engineer_e_stop", "kind": "e_stop", "at": {"t_s": 0.0}, "duration_s": 5.0}
    ctl.send(wire.ENGINEER, wire.Engineering(action="inject", fault=e_stop).to_body())
    err = ctl.recv_type(wire.ERROR).body
    assert err["code"] == "role" and "controller" in err["reason"]
    eng.send(wire.ENGINEER, wire.Engineering(action="inject", fault={"kind": "no_such_fault"}).to_body())
    assert eng.recv_type(wire.ERROR).body["code"] == "invalid_engineering"
    eng.send(wire.ENGINEER, wire.Engineering(action="inject", fault=e_stop).to_body())
    ack = eng.recv_type(wire.ACK).body
    assert ack["ref_seq"] == 1 and "e_stop" in ack["detail"]
    for _ in range(5):  # the armed fault fires at the next period: the e-stop reads pressed
        ctl.command(frame["frame_seq"])
        frame = ctl.recv_type(wire.FRAME).body
    assert frame["sensors"]["estop"] is True, frame["sensors"]
    eng.send(wire.HELLO, wire.Hello(client="eng").to_body())  # an engineer cannot own the session either
    assert eng.recv_type(wire.REFUSED).body["code"] == "role"
    eng.send(wire.ENGINEER, wire.Engineering(action="reset").to_body())
    assert eng.recv_type(wire.ACK).body["ref_seq"] == 3
    assert ctl.recv_type(wire.END).body["reason"] == "reset"
    assert plant.result()["session"]["end_reason"] == "reset"


def test_without_security_engineering_is_refused(plant_process, raw_controller):
    plant = plant_process()
    c = raw_controller(plant.endpoint)
    c.hello()
    c.send(wire.ENGINEER, wire.Engineering(action="reset").to_body())
    err = c.recv_type(wire.ERROR).body
    assert err["code"] == "role" and "CURVE" in err["reason"]
    c.send(wire.BYE, BYE)
    assert plant.result()["session"]["end_reason"] == "bye"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_plant_reachable_from_other_machines_refuses_to_start_without_keys(tmp_path):
    port = _free_port()
    run = run_cli(
        "plant",
        f"endpoint=tcp://0.0.0.0:{port}",
        f"observer_endpoint=tcp://0.0.0.0:{port + 1}",
        f"hydra.run.dir={tmp_path}",
        cwd=tmp_path,
        timeout_s=60,
    )
    assert run.returncode == 2, run.stdout + run.stderr
    out = run.stdout + run.stderr
    assert "security.keys_dir" in out and f"tcp://0.0.0.0:{port}" in out and "swaptwin keys" in out


def test_swaptwin_keys_writes_a_station_pair_client_pairs_and_the_allow_list(tmp_path):
    run = run_cli("keys", "--dir", str(tmp_path / "k"), "--client", "line4:controller", cwd=tmp_path, timeout_s=60)
    assert run.returncode == 0, run.stdout + run.stderr
    allow = json.loads((tmp_path / "k" / "allow.json").read_text())
    assert [(c["name"], c["role"]) for c in allow["clients"]] == [("line4", "controller")]
    assert (tmp_path / "k" / "station.key_secret").stat().st_mode & 0o077 == 0
    bad = run_cli("keys", "--dir", str(tmp_path / "k"), "--client", "x:admin", cwd=tmp_path, timeout_s=60)
    assert bad.returncode == 2 and "admin" in bad.stdout


def test_the_default_swap_passes_with_security_on(tmp_path, keys):
    args = (f"security.keys_dir={keys}", f"hydra.run.dir={tmp_path / 'run'}")
    missing = run_cli("swap", *args, cwd=tmp_path, timeout_s=60)  # our keys are not called "controller"
    assert missing.returncode == 2 and "clients/controller.key_secret" in missing.stdout + missing.stderr
    run = run_cli("swap", *args, f"security.client_key={keys}/clients/ctl.key_secret", cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    result = json.loads((tmp_path / "run" / "result.json").read_text())
    assert result["verdict"]["status"] == "pass"
