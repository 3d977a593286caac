"""A session belongs to its owner (docs/protocol.md, section 3.5): strangers get
``busy`` at most once a second and never keep a dead session alive; a heartbeat
keeps an idle one; a new connection takes it over with the welcome's token.
Against a real plant process over real ZeroMQ."""

from __future__ import annotations

import time

import pytest

import swapwire as wire

pytestmark = pytest.mark.wallclock  # session timeouts of 1.5 s, busy answers at most once a second, heartbeats

# Short timeouts so the watchdogs act within a test's patience.
QUICK = ("wire.session_timeout_s=1.5", "wire.link_timeout_s=0.05")
BYE = wire.Bye(outcome=wire.OUTCOME_SAFE_STOP, reason="test over", phase="test").to_body()


def _welcome(c, **hello) -> wire.Welcome:
    c.send(wire.HELLO, wire.Hello(client="test", **hello).to_body())
    return wire.parse_welcome(c.recv_type(wire.WELCOME).body)


def _drain(c, window_s: float) -> list[wire.Envelope]:
    got, deadline = [], time.monotonic() + window_s
    while (left := deadline - time.monotonic()) > 0:
        if c.sock.poll(int(left * 1000) + 1):
            got.append(wire.decode(c.sock.recv(), expect=wire.PLANT_TYPES))
    return got


def test_the_welcome_advertises_the_token_the_heartbeat_and_every_timeout(plant_process, raw_controller):
    plant = plant_process("wire.heartbeat_period_s=0.7", "wire.session_timeout_s=12", "wire.command_timeout_periods=4")
    c = raw_controller(plant.endpoint)
    welcome = _welcome(c)
    assert welcome.session is not None and len(welcome.session.token) == 32
    assert welcome.session.heartbeat_period_s == 0.7 and welcome.session.session_timeout_s == 12
    station = welcome.station
    assert station["session"]["link_timeout_s"] == 5.0 and station["session"]["session_timeout_s"] == 12
    assert station["session"]["realtime_max_lag_s"] == 0.04
    assert station["drives"]["command_timeout_periods"] == 4 and station["clock"]["control_period_s"] == 0.02
    c.send(wire.BYE, BYE)
    assert plant.result()["session"]["end_reason"] == "bye"


def test_a_stranger_flooding_the_plant_does_not_keep_a_dead_session_alive(plant_process, raw_controller):
    # The plant's lifetime is timed: no pictures of the failed session after its end (record.render).
    plant = plant_process(*QUICK, "record.render=never")
    owner, stranger = raw_controller(plant.endpoint), raw_controller(plant.endpoint)
    _welcome(owner)
    owner.close()  # the controller dies: only its silence counts
    answers, sent, t0 = [], 0, time.monotonic()
    while plant.proc.poll() is None and time.monotonic() - t0 < 20:
        stranger.command(frame_seq=0)  # 50 a second, each rejected
        sent += 1
        answers += _drain(stranger, 0.02)
    flood_s = time.monotonic() - t0
    session = plant.result()["session"]
    assert session["end_reason"] == "link_lost", session
    assert flood_s < 10, f"the session outlived its 1.5 s timeout by {flood_s:.1f} s of stranger traffic"
    # Busy, once a second at most: the flood costs the plant almost nothing.
    assert answers and all(a.type == wire.REFUSED and a.body["code"] == "busy" for a in answers)
    assert len(answers) <= flood_s + 1, (len(answers), flood_s)
    assert session["strangers_answered"] == len(answers) and session["strangers_ignored"] > 5 * len(answers), sent


def test_a_heartbeat_keeps_an_idle_controller_session_and_its_silence_ends_it(plant_process, raw_controller):
    plant = plant_process(*QUICK)
    c = raw_controller(plant.endpoint)
    _welcome(c)
    for _ in range(8):  # 3.2 s without a command: twice the session timeout
        c.send(wire.HEARTBEAT, {})
        _drain(c, 0.4)
    c.send(wire.BYE, BYE)
    session = plant.result()["session"]
    assert session["end_reason"] == "bye" and session["periods"] > 0 and session["missed_periods"] == session["periods"]


def test_silence_without_heartbeats_ends_the_session_as_link_lost(plant_process, raw_controller):
    plant = plant_process(*QUICK)
    c = raw_controller(plant.endpoint)
    _welcome(c)
    _drain(c, 0.3)
    t0 = time.monotonic()
    session = plant.result(timeout_s=30)["session"]
    assert session["end_reason"] == "link_lost" and time.monotonic() - t0 < 10


def test_a_new_connection_takes_the_session_over_with_its_token_and_only_with_it(plant_process, raw_controller):
    plant = plant_process(*QUICK)
    old = raw_controller(plant.endpoint)
    grant = _welcome(old).session
    f0 = old.recv_type(wire.FRAME).body
    old.command(f0["frame_seq"])
    last_seq = old.recv_type(wire.FRAME).body["frame_seq"]
    assert last_seq == 1
    # A wrong token is a stranger's hello: busy.
    thief = raw_controller(plant.endpoint)
    for token in ("0" * 32, "é" * 32):  # (a non-ASCII token once crashed the comparison: found by the fuzzer)
        thief.send(wire.HELLO, wire.Hello(client="thief", resume=token).to_body())
        assert thief.recv_type(wire.REFUSED).body["code"] == "busy"
        for _ in range(3):  # a stranger is answered once a second; the owner keeps its session meanwhile
            old.send(wire.HEARTBEAT, {})
            frames = [e.body["frame_seq"] for e in _drain(old, 0.35) if e.type == wire.FRAME]
            last_seq = max([last_seq, *frames])
    # The right one, from a new connection (a new ZeroMQ identity): welcome, then the current frame again.
    new = raw_controller(plant.endpoint)
    new.send(wire.HELLO, wire.Hello(client="test", resume=grant.token).to_body())
    welcome = wire.parse_welcome(new.recv_type(wire.WELCOME).body)
    assert welcome.session.token == grant.token
    frame = new.recv_type(wire.FRAME).body  # (without commands, the link timeout's missed periods ran on)
    assert frame["frame_seq"] >= last_seq
    new.cmd_id = old.cmd_id  # the session's cmd_id goes on counting
    new.command(frame["frame_seq"])
    nxt = new.recv_type(wire.FRAME).body["frame_seq"]
    assert nxt > frame["frame_seq"]
    # The old connection is a stranger now; its seq is named in the refusal.
    old.command(nxt)
    refused = old.recv_type(wire.REFUSED).body
    assert refused["code"] == "busy" and refused["ref_seq"] == old.seq.next_seq - 1
    new.send(wire.BYE, BYE)
    session = plant.result()["session"]
    assert session["end_reason"] == "bye" and session["takeovers"] == 1


def test_an_observer_hello_on_the_command_link_is_refused_with_the_reason(plant_process, raw_controller):
    plant = plant_process()
    c = raw_controller(plant.endpoint)
    c.send(wire.HELLO, wire.Hello(client="spy", role="observer").to_body())
    refused = c.recv_type(wire.REFUSED).body
    assert refused["code"] == "role" and "observer" in refused["reason"]
    _welcome(c)  # no session was opened by it: the same peer, as a controller, is welcome
    c.send(wire.BYE, BYE)
    assert plant.result()["session"]["end_reason"] == "bye"


def test_a_hello_for_another_major_version_in_its_protocol_field_is_refused(plant_process, raw_controller):
    plant = plant_process()
    c = raw_controller(plant.endpoint)
    c.send(wire.HELLO, {"client": "future", "protocol": [2, 0]})
    refused = c.recv_type(wire.REFUSED).body
    assert refused["code"] == "version" and refused["protocol"] == list(wire.PROTOCOL_VERSION)
    c.send(wire.HELLO, {"client": "odd", "protocol": "1.2"})
    assert c.recv_type(wire.ERROR).body["code"] == "invalid_hello"
    _welcome(c)
    c.send(wire.BYE, BYE)
    assert plant.result()["session"]["end_reason"] == "bye"


def test_a_phase_the_hello_did_not_declare_is_a_coded_error(plant_process, raw_controller):
    plant = plant_process()
    c = raw_controller(plant.endpoint)
    _welcome(c, phases=["approach", "finish"])
    f0 = c.recv_type(wire.FRAME).body
    c.command(f0["frame_seq"], phase="improvised")
    err = c.recv_type(wire.ERROR).body
    assert err["code"] == "unknown_phase" and err["ref_seq"] == c.seq.next_seq - 1
    c.command(f0["frame_seq"], phase="approach")
    assert c.recv_type(wire.FRAME).body["frame_seq"] == 1
    c.send(wire.BYE, BYE)
    assert plant.result()["session"]["rejected_messages"] == 1
