"""The real-station path end to end: controller -> ZeroMQ -> gateway -> OPC UA ->
emulated PLC -> twin, in real processes, real OPC UA, real ZeroMQ and real
pybullet. The swap through the gateway gives the direct swap's verdict; a cut
link and a PLC that stops scanning each end in a safe stop that the
controller reports."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import swapwire as wire
from gateways.opcua.security import make_opcua_certificates
from swaptwin.processes import private_endpoints
from swaptwin.results.atomic import write_json_atomic
from tests.conftest import run_cli
from tests.gateways.relay import Relay

pytestmark = pytest.mark.slow
EXE = Path(sys.executable).parent / "swaptwin"


def _swap(tmp_path: Path, name: str, *overrides: str) -> tuple[subprocess.CompletedProcess, dict]:
    run = tmp_path / name
    proc = run_cli("swap", f"hydra.run.dir={run}", *overrides, cwd=tmp_path, timeout_s=600)
    assert (run / "result.json").exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc, json.loads((run / "result.json").read_text())


def _mating(result: dict) -> dict:
    return next(a for a in result["alignment"] if a["mating"] == "pack_into_vehicle")


def test_the_default_car_swap_through_the_gateway_gives_the_direct_swaps_verdict(tmp_path):
    _, direct = _swap(tmp_path, "direct")
    proc, through = _swap(tmp_path, "gateway", "gateway=opcua")
    assert proc.returncode == 0, through["verdict"]
    assert (tmp_path / "gateway" / "plc.log").exists() and (tmp_path / "gateway" / "gateway.log").exists()
    assert through["verdict"] == direct["verdict"] == {"status": "pass", "reasons": []}
    assert through["cycle_time_s"] == pytest.approx(direct["cycle_time_s"], rel=0.02)
    a, b = _mating(through), _mating(direct)
    assert abs(a["x_mm"] - b["x_mm"]) <= 0.2 and abs(a["y_mm"] - b["y_mm"]) <= 0.2
    assert [p["name"] for p in through["phases"]] == [p["name"] for p in direct["phases"]]
    assert through["locks"] == direct["locks"] and through["hazards"] == []
    assert through["session"]["missed_periods"] == 0 and through["versions"]["gateway"] == "opcua"
    assert through["versions"]["key"] == direct["versions"]["key"]  # the same twin behind the PLC


def test_the_overhead_truck_swap_passes_through_a_secured_gateway(tmp_path):
    pki = make_opcua_certificates(tmp_path / "pki")
    proc, result = _swap(
        tmp_path,
        "truck",
        "rig=overhead",
        "gateway=opcua",
        "gateway.security.mode=on",
        f"gateway.security.pki_dir={pki}",
    )
    assert proc.returncode == 0, result["verdict"]
    assert "security on" in (tmp_path / "truck" / "plc.log").read_text()
    assert result["controller"]["outcome"] == "done" and _mating(result)["within"]
    assert {lk["type"] for lk in result["locks"]} == {"twist_lock"} and result["hazards"] == []


def test_a_plc_that_stops_scanning_ends_in_a_safe_stop_the_controller_reports(tmp_path):
    proc, result = _swap(tmp_path, "stall", "gateway=opcua", "gateway.plc.stall_at_s=8")
    assert proc.returncode == 1
    c = result["controller"]
    assert c["outcome"] == "safe_stop" and c["detected_by"] == "drive", c
    assert "stopped scanning" in c["reason"] and c["phase"] == "raise_to_pack"
    assert result["hazards"] == [] and 8.0 <= result["sim_time_s"] <= 8.2


def test_without_the_plcs_ground_truth_the_result_says_the_swap_is_unjudged(tmp_path):
    """A real PLC has no ground truth: the gateway serves the swap all the same
    and its result says what it could not judge."""
    proc, result = _swap(
        tmp_path, "real", "gateway=opcua", "gateway.plc_observer_endpoint=null", "scenario.max_sim_time_s=2"
    )
    assert result["session"]["end_reason"] == "truncated" and result["session"]["periods"] == 100
    assert result["verdict"]["reasons"][0].startswith("no ground truth from the station")
    assert result["locks"] == [] and result["hazards"] == [] and result["versions"]["twin"] is None


@pytest.mark.wallclock  # clock=realtime: the drives' 100 ms watchdog
@pytest.mark.alone
def test_realtime_against_a_free_running_plc_keeps_the_wall_clock(tmp_path):
    proc, result = _swap(tmp_path, "rt", "gateway=opcua", "clock=realtime", "scenario.max_sim_time_s=3")
    assert "realtime time" in (tmp_path / "rt" / "plc.log").read_text()
    s = result["session"]
    # Paced by the wall clock, one frame a period (the frames are the gateway's cycles of the PLC's image).
    assert result["real_time_factor"] <= 1.05 and s["periods"] == round(result["sim_time_s"] / 0.02)
    assert s["end_reason"] == "truncated" or result["controller"]["outcome"] == "safe_stop", s


@pytest.mark.wallclock  # clock=realtime: the drives' 100 ms watchdog
@pytest.mark.alone
def test_ctrl_c_stops_plc_gateway_and_controller_and_leaves_a_whole_result(tmp_path):
    run = tmp_path / "run"
    proc = subprocess.Popen(
        [str(EXE), "swap", "gateway=opcua", "clock=realtime", f"hydra.run.dir={run}"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not (run / "controller.log").exists() or "connected" not in (run / "controller.log").read_text():
        assert time.monotonic() < deadline and proc.poll() is None, "the swap never got going"
        time.sleep(0.2)
    time.sleep(1.0)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    assert proc.wait(timeout=60) == 130
    deadline = time.monotonic() + 15
    while _group_alive(proc.pid):
        assert time.monotonic() < deadline, "a process outlived swaptwin swap"
        time.sleep(0.1)
    result = json.loads((run / "result.json").read_text())
    assert result["session"]["end_reason"] == "interrupted" and not list(run.glob(".*.tmp"))


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


# -- three terminals: swaptwin plc, swaptwin gateway, swaptwin controller (README), with a cut between -------------
class Cli:
    """A swaptwin command in its own process, its output collected line by line."""

    def __init__(self, *args: str, cwd: Path):
        self.proc = subprocess.Popen(
            [str(EXE), *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout_s: float = 120) -> str:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                assert self.proc.poll() is None, "\n".join(self.seen)
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"{text!r} never came: " + "\n".join(self.seen))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(2)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.mark.parametrize("cut", ["close", "silent"])
def test_a_cut_between_gateway_and_plc_ends_in_a_safe_stop_the_controller_reports(tmp_path, cut):
    wire_ep, obs = private_endpoints()
    plc_obs = obs + "-plc"
    common = [f"gateway.plc_observer_endpoint={plc_obs}", f"endpoint={wire_ep}", f"observer_endpoint={obs}"]
    plc = Cli("plc", "gateway.plc_endpoint=opc.tcp://127.0.0.1:0/swaptwin/plc", *common,
              f"hydra.run.dir={tmp_path / 'plc'}", cwd=tmp_path)  # fmt: skip
    relay = gateway = controller = None
    try:
        served = plc.wait_for("READY").split()[-1]  # terminal 1
        host_port = served.split("//")[1].split("/")[0]
        relay = Relay("127.0.0.1", int(host_port.split(":")[1]))
        via = served.replace(host_port, f"127.0.0.1:{relay.port}")
        gateway = Cli("gateway", f"gateway.plc_endpoint={via}", *common, "sessions=1",  # terminal 2
                      f"hydra.run.dir={tmp_path / 'gw'}", cwd=tmp_path)  # fmt: skip
        controller = Cli("controller", f"endpoint={wire_ep}", f"hydra.run.dir={tmp_path / 'ctl'}", cwd=tmp_path)
        controller.wait_for("connected to")  # terminal 3
        time.sleep(1.5)  # well into the swap
        relay.cut(cut)
        said = controller.wait_for("controller: ", timeout_s=60)
        assert said.startswith("controller: safe_stop"), said
        assert controller.proc.wait(timeout=30) == 1
        gateway.proc.wait(timeout=60)
        result = json.loads((tmp_path / "gw" / "sessions" / "1" / "result.json").read_text())
        c = result["controller"]
        assert c["outcome"] == "safe_stop" and c["detected_by"] == "drive" and "station PLC lost" in c["reason"], c
        assert result["session"]["end_reason"] == "bye" and result["hazards"] == []
    finally:
        for p in (controller, gateway, plc):
            if p is not None:
                p.stop()
        if relay is not None:
            relay.close()


def test_the_gateway_serves_session_after_session_each_from_the_plcs_reset(tmp_path):
    wire_ep, obs = private_endpoints()
    common = [f"gateway.plc_observer_endpoint={obs}-plc", f"endpoint={wire_ep}",
              f"observer_endpoint={obs}", "scenario.max_sim_time_s=3"]  # fmt: skip
    plc = Cli("plc", "gateway.plc_endpoint=opc.tcp://127.0.0.1:0/swaptwin/plc", *common,
              f"hydra.run.dir={tmp_path / 'plc'}", cwd=tmp_path)  # fmt: skip
    gateway = None
    try:
        served = plc.wait_for("READY").split()[-1]
        gateway = Cli("gateway", f"gateway.plc_endpoint={served}", *common, "sessions=2",
                      f"hydra.run.dir={tmp_path / 'gw'}", cwd=tmp_path)  # fmt: skip
        for n in (1, 2):
            proc = run_cli("controller", f"endpoint={wire_ep}", f"hydra.run.dir={tmp_path / str(n)}", cwd=tmp_path)
            assert "plant ended the session: truncated" in proc.stdout, proc.stdout + proc.stderr
        assert gateway.proc.wait(timeout=60) == 1  # truncated sessions fail their verdicts
        first, second = (json.loads((tmp_path / "gw" / "sessions" / n / "result.json").read_text()) for n in "12")
        assert first["session"]["trace"] == second["session"]["trace"]  # the same session twice, bit for bit
        assert first["session"]["periods"] == second["session"]["periods"] == 150
    finally:
        for p in (gateway, plc):
            if p is not None:
                p.stop()


def test_a_controller_that_ignores_a_lost_plc_sees_the_session_end_as_station_lost(
    tmp_path, plc_process, raw_controller
):
    plc = plc_process("gateway.plc.stall_at_s=1.0", "gateway.lost_grace_s=0.5")
    endpoint, observer = private_endpoints()
    out = tmp_path / "gw"
    out.mkdir()
    write_json_atomic(out / "swap_config.json", plc.cfg.resolved)
    with open(out / "gateway.log", "wb") as log:
        gw = subprocess.Popen(
            [sys.executable, "-m", "gateways.opcua.gateway", "--config", str(out / "swap_config.json"), "--out",
             str(out), "--endpoint", endpoint, "--observer", observer, "--station", plc.endpoint,
             "--station-observer", plc.observer],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        c = raw_controller(endpoint)
        c.hello()
        faulted, end = [], None
        while end is None:
            msg = c.recv(timeout_s=30)
            if msg.type == wire.END:
                end = msg.body
            elif msg.type == wire.FRAME:
                if msg.body["drives"]["state"] == wire.DRIVE_FAULT:
                    faulted.append(msg.body["t_s"])
                c.command(msg.body["frame_seq"])  # answers every frame, heeds nothing
        assert end["reason"] == "station_lost"
        assert faulted and faulted[0] == pytest.approx(1.02, abs=0.021)
        assert faulted[-1] - faulted[0] == pytest.approx(0.48, abs=0.021)  # the grace, a period at a time
        assert gw.wait(timeout=30) == 1
        result = json.loads((out / "result.json").read_text())
        assert result["session"]["end_reason"] == "station_lost"
        assert any("stopped scanning" in e for e in result["session"]["errors"])
    finally:
        if gw.poll() is None:
            gw.kill()
            gw.wait()
