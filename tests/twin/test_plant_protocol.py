"""The plant over real ZeroMQ, in its own process, driven by a hand-written client."""

from __future__ import annotations

import msgpack
import pytest

import swapwire as wire

pytestmark = pytest.mark.wallclock  # a 50 ms link timeout counts missed periods in wall time

FAST_LINK = ("wire.link_timeout_s=0.05",)


def test_handshake_refuses_a_wrong_major_version_and_keeps_serving(plant_process, raw_controller):
    plant = plant_process()
    c = raw_controller(plant.endpoint)
    c.send_raw(msgpack.packb({"v": [2, 0], "type": "hello", "seq": 0, "body": {"client": "future"}}))
    refused = c.recv_type(wire.REFUSED)
    assert "protocol major version 2 is not supported" in refused.body["reason"]
    station = c.hello()  # the plant is still there, and a proper hello works
    assert station["rig_family"] == "under_chassis"
    c.send(wire.BYE, wire.Bye(outcome=wire.OUTCOME_SAFE_STOP, reason="test over", phase="test").to_body())
    assert plant.result()["session"]["end_reason"] == "bye"


def test_station_description_has_what_a_controller_needs(plant_process, raw_controller):
    plant = plant_process()
    c = raw_controller(plant.endpoint)
    s = c.hello()
    assert {a["name"] for a in s["axes"]} == {"travel", "align", "lift", "yaw", "pads_x", "pads_y", "pins_x"}
    for a in s["axes"]:
        assert {"unit", "lower", "upper", "max_speed", "max_force"} <= set(a)
    assert s["locks"]["type"] == "hydraulic_pin" and s["locks"]["count"] == 4
    assert s["locks"]["channels"] == {"extended": 2, "pressure_ok": 2}
    assert s["clock"] == {"mode": "lockstep", "control_period_s": 0.02}
    assert s["vehicle"]["vehicle_id"] and s["pack"]["family_id"] == "car_100kwh"
    assert {"load_cell_n", "pack_present", "vision", "tool_coupled", "connector_mated"} <= set(s["sensors"])
    # Every sensor is declared with its kind; two-channel switches say so.
    assert s["sensors"]["pack_present"] == {
        "kind": "two_channel",
        "unit": "",
        "channels": 2,
        "meaning": s["sensors"]["pack_present"]["meaning"],
        "fields": [],
    }
    assert s["sensors"]["load_cell_n"]["kind"] == "scalar" and s["sensors"]["load_cell_n"]["unit"] == "N"
    assert s["locks"]["engaged_when"] == {"extended": True, "pressure_ok": True}
    assert s["session"] == {
        "link_timeout_s": 5.0,
        "session_timeout_s": 30.0,
        "realtime_max_lag_s": 0.04,
        "realtime_answer_window_s": 0.01,
    }
    frame = c.recv_type(wire.FRAME).body
    assert frame["frame_seq"] == 0 and frame["t_s"] == 0.0
    assert "truth" not in frame and "packs" not in frame  # no ground truth on the command link


def test_malformed_messages_get_an_error_and_the_session_goes_on(plant_process, raw_controller):
    plant = plant_process()
    c = raw_controller(plant.endpoint)
    c.hello()
    f0 = c.recv_type(wire.FRAME).body
    c.send_raw(b"\x00\x01not msgpack")
    err = c.recv_type(wire.ERROR).body
    assert "not a msgpack message" in err["reason"] and err["code"] == "malformed" and err["ref_seq"] is None
    c.send(wire.COMMAND, {"frame_seq": 0, "axes": {"warp": {"mode": "hold"}}}, cmd_id=1)
    err = c.recv_type(wire.ERROR).body
    assert "unknown axis" in err["reason"] and err["code"] == "unknown_axis" and err["ref_seq"] == 1
    c.command(f0["frame_seq"])
    f1 = c.recv_type(wire.FRAME).body
    assert f1["frame_seq"] == 1 and f1["t_s"] == pytest.approx(0.02)
    c.send(wire.BYE, wire.Bye(outcome=wire.OUTCOME_SAFE_STOP, reason="test over", phase="test").to_body())
    assert plant.result()["session"]["rejected_messages"] == 2


def test_lockstep_waits_for_the_command_of_the_current_frame(plant_process, raw_controller):
    plant = plant_process()
    c = raw_controller(plant.endpoint)
    c.hello()
    c.recv_type(wire.FRAME)
    c.command(frame_seq=5)  # answers a frame that does not exist yet: ignored
    with pytest.raises(AssertionError, match="no message"):
        c.recv(timeout_s=0.5)
    c.command(frame_seq=0)
    assert c.recv_type(wire.FRAME).body["frame_seq"] == 1


@pytest.mark.parametrize("timeout_periods", [3, 8])
def test_withheld_commands_stop_the_drives_within_the_configured_periods(
    plant_process, raw_controller, timeout_periods
):
    plant = plant_process(*FAST_LINK, f"wire.command_timeout_periods={timeout_periods}")
    c = raw_controller(plant.endpoint)
    c.hello()
    frame = c.recv_type(wire.FRAME).body
    move = {"travel": wire.AxisCommand(wire.MODE_POSITION, target=3.0)}
    for _ in range(10):
        c.command(frame["frame_seq"], axes=move)
        frame = c.recv_type(wire.FRAME).body
    assert frame["drives"]["state"] == wire.DRIVE_ACTIVE and frame["axes"]["travel"]["vel"] > 0
    # Now go silent and watch the frames the plant keeps sending.
    seen = []
    while not seen or seen[-1]["drives"]["state"] != wire.DRIVE_STOPPED:
        seen.append(c.recv_type(wire.FRAME, timeout_s=5).body)
        assert len(seen) < 200, "drives never stopped"
    for f in seen:
        missed = f["drives"]["missed_periods"]
        if missed < timeout_periods:
            assert f["drives"]["state"] == wire.DRIVE_ACTIVE, f
        else:
            assert f["drives"]["state"] in (wire.DRIVE_STOPPING, wire.DRIVE_STOPPED), f
    first_stop = next(f for f in seen if f["drives"]["state"] != wire.DRIVE_ACTIVE)
    assert first_stop["drives"]["missed_periods"] == timeout_periods
    assert any("command timeout" in r for r in first_stop["drives"]["reasons"])
    # The set-point is at rest; the carriage settles on it within a few periods.
    after = [c.recv_type(wire.FRAME, timeout_s=5).body for _ in range(5)]
    assert abs(after[-1]["axes"]["travel"]["vel"]) < 1e-3
    assert after[-1]["drives"]["state"] == wire.DRIVE_STOPPED


def test_a_duplicated_command_is_executed_once(plant_process, raw_controller):
    plant = plant_process()
    c = raw_controller(plant.endpoint)
    c.hello()
    frame = c.recv_type(wire.FRAME).body
    c.command(frame["frame_seq"])
    frame = c.recv_type(wire.FRAME).body
    # Re-send the same cmd_id for the new frame: a duplicate, not a new command.
    c.send(wire.COMMAND, wire.Command(frame_seq=frame["frame_seq"], phase="t").to_body(), cmd_id=c.cmd_id)
    with pytest.raises(AssertionError, match="no message"):
        c.recv(timeout_s=0.3)
    c.command(frame["frame_seq"])
    assert c.recv_type(wire.FRAME).body["frame_seq"] == 2
    c.send(wire.BYE, wire.Bye(outcome=wire.OUTCOME_SAFE_STOP, reason="test over", phase="test").to_body())
    assert plant.result()["session"]["duplicate_commands"] == 1


def test_a_second_controller_is_refused_while_the_first_owns_the_session(plant_process, raw_controller):
    plant = plant_process()
    first, second = raw_controller(plant.endpoint), raw_controller(plant.endpoint)
    first.hello()
    second.send(wire.HELLO, wire.Hello(client="intruder").to_body())
    assert "busy" in second.recv_type(wire.REFUSED).body["reason"]
