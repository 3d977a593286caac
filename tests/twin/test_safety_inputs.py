"""The e-stop and a station power loss stop the drives, and on release or power
return nothing moves until a command explicitly resets them (IEC 60204-1;
GB/T 29772-2024 s8.5.6: no automatic restart)."""

from __future__ import annotations

import pytest

import swapwire as wire

MOVE = {"travel": wire.AxisCommand(wire.MODE_POSITION, target=3.0)}


def _frames_while(c, frame: dict, *, until_t_s: float, **command_fields) -> list[dict]:
    """Answer every frame, from ``frame`` on, with the same command until plant
    time ``until_t_s``; the last frame returned is not answered yet."""
    seen = [frame]
    while frame["t_s"] < until_t_s:
        c.command(frame["frame_seq"], **command_fields)
        frame = c.recv_type(wire.FRAME).body
        seen.append(frame)
    return seen


@pytest.mark.parametrize("fault, flag, pressed", [("e_stop", "estop", True), ("power_loss", "station_power", False)])
def test_release_does_not_restart_anything_without_an_explicit_reset(
    plant_process, raw_controller, fault, flag, pressed
):
    plant = plant_process(
        f"fault={fault}", "fault.at.phase=null", "fault.at.t_s=0.5", "fault.at.delay_s=0", "fault.duration_s=1.0"
    )
    c = raw_controller(plant.endpoint)
    c.hello()
    moving = _frames_while(c, c.recv_type(wire.FRAME).body, until_t_s=0.5, axes=MOVE)
    assert moving[-1]["axes"]["travel"]["vel"] > 0.05 and moving[-1]["sensors"][flag] != pressed
    # Pressed (or power lost): the drives stop; a reset while it lasts changes nothing.
    during = _frames_while(c, moving[-1], until_t_s=1.4, axes=MOVE, reset_faults=True)
    assert during[-1]["sensors"][flag] == pressed
    assert during[-1]["drives"]["state"] == wire.DRIVE_STOPPED
    assert abs(during[-1]["axes"]["travel"]["vel"]) < 1e-3
    # Released (power back): commands keep coming, but nothing moves by itself.
    after = _frames_while(c, during[-1], until_t_s=2.5, axes=MOVE)
    assert after[-1]["sensors"][flag] != pressed
    assert all(f["drives"]["state"] == wire.DRIVE_STOPPED for f in after[1:])
    assert abs(after[-1]["axes"]["travel"]["pos"] - during[-1]["axes"]["travel"]["pos"]) < 1e-4
    # An explicit restart re-arms the drives; then the axis moves again.
    frame = after[-1]
    c.command(frame["frame_seq"], axes=MOVE, reset_faults=True)
    restarted = _frames_while(c, c.recv_type(wire.FRAME).body, until_t_s=frame["t_s"] + 1.0, axes=MOVE)
    assert restarted[-1]["drives"]["state"] == wire.DRIVE_ACTIVE
    assert restarted[-1]["axes"]["travel"]["vel"] > 0.05
