"""The emulated station PLC seen by OPC UA clients nobody here wrote (asyncua's
command-line tools, as docs/gateway.md shows them to an integrator), and its
program: virtual time, and the watchdog on the gateway's heartbeat."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.gateways.conftest import PlcProcess, run_client

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def plc(tmp_path_factory):
    p = PlcProcess(tmp_path_factory.mktemp("plc"), [])
    yield p
    p.stop()


# The tools' own request timeout (default 1 s) is short for a host shared with other jobs.
TOOL_TIMEOUT = ["--timeout", "10"]


def tool(name: str, *args: str, timeout_s: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / name), *TOOL_TIMEOUT, *args], capture_output=True, text=True, timeout=timeout_s)


def test_uals_browses_the_station_in_the_plcs_address_space(plc):
    top = tool("uals", "-u", plc.endpoint, "-n", "i=85")  # Objects
    assert top.returncode == 0, top.stderr
    for folder in ("Axes", "Sensors", "Locks", "Command", "Frame", "Drives", "PLC", "Gateway", "Station"):
        assert f"ns=2;s={folder} " in top.stdout, top.stdout
    axis = tool("uals", "-u", plc.endpoint, "-n", "ns=2;s=Axes.lift", "-l")
    assert axis.returncode == 0, axis.stderr
    pos = next(line for line in axis.stdout.splitlines() if "ns=2;s=Axes.lift.Pos " in line)
    assert " i=11 " in pos  # Double, as the tag map says
    mode = next(line for line in axis.stdout.splitlines() if "ns=2;s=Axes.lift.Mode " in line)
    assert " i=4 " in mode  # Int16
    locks = tool("uals", "-u", plc.endpoint, "-n", "ns=2;s=Locks.0", "-d", "2")
    for channel in ("extended", "pressure_ok"):  # the hydraulic pins' status channels, each on two tags
        assert f"ns=2;s=Locks.0.{channel}.A" in locks.stdout and f"ns=2;s=Locks.0.{channel}.B" in locks.stdout


def test_uaread_and_uacall_step_the_plc_in_virtual_time(plc):
    def read(node: str) -> str:
        out = tool("uaread", "-u", plc.endpoint, "-n", node)
        assert out.returncode == 0, out.stderr
        return out.stdout.strip().splitlines()[-1]

    reset = tool("uacall", "-u", plc.endpoint, "-n", "ns=2;s=PLC", "-m", "2:Reset")
    assert reset.returncode == 0, reset.stderr
    assert read("ns=2;s=Frame.Seq") == "0" and read("ns=2;s=Frame.Time") == "0.0"
    home_mm = float(read("ns=2;s=Axes.travel.Pos"))
    step = tool("uacall", "-u", plc.endpoint, "-n", "ns=2;s=PLC", "-m", "2:Step", "-t", "uint32", "10")
    assert step.returncode == 0, step.stderr
    # 10 scans of 10 ms are 5 control periods of 20 ms, and nothing else moved the clock.
    assert read("ns=2;s=Frame.Seq") == "5" and float(read("ns=2;s=Frame.Time")) == pytest.approx(0.1)
    assert read("ns=2;s=PLC.LifeSign") == "10"
    assert float(read("ns=2;s=Axes.travel.Pos")) == pytest.approx(home_mm, abs=0.01)  # in mm: the tag map's unit
    assert read("ns=2;s=Sensors.PackPresent.A") == read("ns=2;s=Sensors.PackPresent.B") == "False"
    assert '"rig_family": "under_chassis"' in read("ns=2;s=Station.Description")
    # Issue 12's tooling axes and sensors are tags too (in the tag map generated from the description).
    float(read("ns=2;s=Axes.pads_x.Pos")), float(read("ns=2;s=Sensors.PadLoads.3"))
    assert read("ns=2;s=Sensors.PadLoads.Valid") in ("True", "False")
    # The PLC's cycle-time statistics of the session it leaves, in its log: 5 period scans, 5 I/O scans.
    again = tool("uacall", "-u", plc.endpoint, "-n", "ns=2;s=PLC", "-m", "2:Reset")
    assert again.returncode == 0, again.stderr
    logged = [ln for ln in plc.log().splitlines() if " scan times " in ln]
    times = json.loads(logged[-1].split(" scan times ", 1)[1])
    assert times["period_scan_ms"]["count"] == 5 and times["io_scan_ms"]["count"] == 5
    assert 0 < times["io_scan_ms"]["p50"] <= times["period_scan_ms"]["max"]


def test_uasubscribe_sees_the_life_sign_count_the_scans(plc):
    # uasubscribe never ends by itself: SIGINT lets it close its session; timeout(1) bounds a hung one.
    sub = subprocess.Popen(
        ["timeout", "-s", "INT", "-k", "2", "120", str(BIN / "uasubscribe"), *TOOL_TIMEOUT, "-u", plc.endpoint,
         "-n", "ns=2;s=PLC.LifeSign"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(sub.stdout.readline, "")), daemon=True)
    reader.start()
    deadline = time.monotonic() + 90
    while not any("DataChangeEvent" in line for line in lines):  # subscribed: the current value came
        assert time.monotonic() < deadline and sub.poll() is None, lines
        time.sleep(0.1)

    async def step(client, idx):
        from asyncua import ua

        plc_node = client.get_node(ua.NodeId("PLC", idx))
        for _ in range(3):
            await plc_node.call_method(ua.NodeId("PLC.Step", idx), ua.Variant(1, ua.VariantType.UInt32))
            await asyncio.sleep(0.5)

    run_client(plc.endpoint, step)
    time.sleep(2.0)
    sub.send_signal(signal.SIGINT)
    sub.wait(timeout=30)
    reader.join(timeout=10)
    values = [int(line.split("value=")[1].split(",")[0]) for line in lines if "DataChangeEvent" in line]
    assert len(values) >= 4 and values[-3:] == [values[-4] + 1, values[-4] + 2, values[-4] + 3], values


def _drive_state_after(plc, periods: int, *, heartbeat_runs: bool) -> tuple[int, str]:
    """Command the travel axis to move every period for ``periods`` periods,
    the gateway's heartbeat counting or frozen; the drive state and reasons after."""

    async def work(client, idx):
        from asyncua import ua

        def node(name):
            return client.get_node(ua.NodeId(name, idx))

        plc_node = client.get_node(ua.NodeId("PLC", idx))
        await plc_node.call_method(ua.NodeId("PLC.Reset", idx))
        home = await node("Axes.travel.Pos").read_value()
        names = ["Gateway.Heartbeat", "Axes.travel.Mode", "Axes.travel.Target", "Command.Id"]
        types = [ua.VariantType.UInt32, ua.VariantType.Int16, ua.VariantType.Double, ua.VariantType.Int64]
        for k in range(1, periods + 1):
            values = [k if heartbeat_runs else 1, 1, home + 500.0, k]  # position, 0.5 m on; a new id each period
            await client.write_values([node(n) for n in names], [ua.Variant(v, t) for v, t in zip(values, types)])
            await plc_node.call_method(ua.NodeId("PLC.Step", idx), ua.Variant(2, ua.VariantType.UInt32))
        return await node("Drives.State").read_value(), await node("Drives.Reasons").read_value()

    return run_client(plc.endpoint, work)


def test_a_frozen_heartbeat_makes_the_plc_ignore_commands_so_the_drives_stop(plc):
    # Commands keep coming with new ids; only the gateway's life sign differs.
    state, reasons = _drive_state_after(plc, 30, heartbeat_runs=True)
    assert state == 1 and reasons == ""  # active: moving as commanded
    state, reasons = _drive_state_after(plc, 30, heartbeat_runs=False)
    # 0.1 s (5 periods) of frozen heartbeat, then 5 periods without a command taken: the drives' watchdog stop.
    assert state in (2, 3) and "command timeout" in reasons, reasons
    assert "the gateway's heartbeat froze" in plc.log()


def test_a_command_the_wire_would_refuse_is_refused_by_the_plc_too(plc):
    """Any OPC UA client can write the command tags: a NaN set-point never reaches the drives."""

    async def work(client, idx):
        from asyncua import ua

        def node(name):
            return client.get_node(ua.NodeId(name, idx))

        plc_node = client.get_node(ua.NodeId("PLC", idx))
        await plc_node.call_method(ua.NodeId("PLC.Reset", idx))
        names = ["Gateway.Heartbeat", "Axes.lift.Mode", "Axes.lift.Target", "Command.Id"]
        types = [ua.VariantType.UInt32, ua.VariantType.Int16, ua.VariantType.Double, ua.VariantType.Int64]
        values = [1, 1, float("nan"), 1]
        await client.write_values([node(n) for n in names], [ua.Variant(v, t) for v, t in zip(values, types)])
        await plc_node.call_method(ua.NodeId("PLC.Step", idx), ua.Variant(2, ua.VariantType.UInt32))
        return await node("Axes.lift.Pos").read_value(), await node("Frame.LastCmdId").read_value()

    pos, last = run_client(plc.endpoint, work)
    assert pos == pos and last == -1  # a finite position; no command taken
    assert "command 1 refused: command.axes.lift.target must be a finite number" in plc.log()


def test_a_free_running_plc_refuses_virtual_time(plc_process):
    rt = plc_process("clock=realtime", name="rt")
    step = tool("uacall", "-u", rt.endpoint, "-n", "ns=2;s=PLC", "-m", "2:Step", "-t", "uint32", "1")
    assert step.returncode != 0 and "BadInvalidState" in step.stdout + step.stderr
    first = tool("uaread", "-u", rt.endpoint, "-n", "ns=2;s=PLC.LifeSign").stdout.strip()
    time.sleep(0.3)
    later = tool("uaread", "-u", rt.endpoint, "-n", "ns=2;s=PLC.LifeSign").stdout.strip()
    assert int(later) > int(first)  # it scans on its own clock
