"""The car swap end to end: ``swaptwin swap`` as a user runs it, two processes,
real ZeroMQ, real pybullet."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from swaptwin.results.verdict import TIMING_FIELDS
from tests.conftest import run_cli


def _swap(tmp_path: Path, *overrides: str, name: str = "run") -> tuple[subprocess.CompletedProcess, dict | None]:
    run_dir = tmp_path / name
    proc = run_cli("swap", f"hydra.run.dir={run_dir}", *overrides, cwd=tmp_path)
    result_path = run_dir / "result.json"
    return proc, (json.loads(result_path.read_text()) if result_path.exists() else None)


def test_default_swap_passes_end_to_end(tmp_path):
    proc, result = _swap(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SwapTwin swap: PASS" in proc.stdout
    assert result["verdict"] == {"status": "pass", "reasons": []}
    assert result["controller"]["outcome"] == "done"
    assert 0 < result["cycle_time_s"] <= 300
    names = [p["name"] for p in result["phases"]]
    assert names[:3] == ["identify", "drive_under", "align"] and names[-1] == "withdraw"
    install = [a for a in result["alignment"] if a["mating"] == "pack_into_vehicle"]
    assert len(install) == 1 and install[0]["pack"] == "charged"
    assert abs(install[0]["x_mm"]) <= 2 and abs(install[0]["y_mm"]) <= 2
    assert len(result["locks"]) == 4
    for lk in result["locks"]:
        assert lk["engaged"] and lk["holding_force_n"] >= lk["required_force_n"]
        # mass x (7 g + 1 g) / locks, 555 kg on 4 locks.
        assert lk["required_force_n"] == pytest.approx(555 * 8 * 9.81 / 4, rel=1e-6)
    assert result["hazards"] == []
    assert result["seed"] == 0 and result["config"]["pack"]["family_id"] == "car_100kwh"
    assert result["sim_time_s"] > 0 and result["wall_time_s"] > 0 and result["real_time_factor"] > 0
    assert result["session"]["end_reason"] == "bye" and result["session"]["missed_periods"] == 0


def test_same_seed_and_config_give_an_identical_result(tmp_path):
    overrides = ("seed=3", "scenario.parking_offset_mm=[15,-8]", "scenario.parking_yaw_deg=0.8")
    _, a = _swap(tmp_path, *overrides, name="a")
    _, b = _swap(tmp_path, *overrides, name="b")
    for r in (a, b):
        for k in TIMING_FIELDS:
            r.pop(k)
    assert a["verdict"]["status"] == "pass"
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_a_different_seed_changes_the_noise_and_so_the_result(tmp_path):
    _, a = _swap(tmp_path, "seed=1", name="a")
    _, b = _swap(tmp_path, "seed=2", name="b")
    assert a["alignment"] != b["alignment"]


def test_parking_beyond_capture_range_is_refused_before_any_lock_moves(tmp_path):
    proc, result = _swap(tmp_path, "scenario.parking_offset_mm=[0,90]")
    assert proc.returncode == 1
    assert result["verdict"]["status"] == "fail"
    assert result["controller"]["outcome"] == "refused"
    assert "out of capture range" in result["controller"]["reason"] and "align" in result["controller"]["reason"]
    assert any("out of capture range" in r for r in result["verdict"]["reasons"])
    assert "unlock" not in [p["name"] for p in result["phases"]]
    # The depleted pack is still locked in: no lock moved.
    assert all(lk["engaged"] for lk in result["locks"])
    assert result["hazards"] == []


def test_bad_config_fails_before_any_process_starts(tmp_path):
    proc, result = _swap(tmp_path, "pack.mass_kg=-5")
    assert proc.returncode == 2
    assert "pack.mass_kg: -5 is out of range; allowed range [10.0, 20000.0] kg" in proc.stderr
    assert result is None and not (tmp_path / "run" / "plant.log").exists()


@pytest.mark.wallclock  # a realtime swap, measured against the wall clock
def test_realtime_clock_never_runs_ahead_of_the_wall_clock(tmp_path):
    proc, result = _swap(tmp_path, "clock=realtime", "scenario.max_sim_time_s=2")
    assert result["session"]["end_reason"] == "truncated"
    assert result["sim_time_s"] == pytest.approx(2.0, abs=0.03)
    assert result["real_time_factor"] <= 1.05


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def _wait_gone(pgid: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not _group_alive(pgid):
            return True
        time.sleep(0.1)
    return False


def _start_swap(tmp_path: Path) -> subprocess.Popen:
    exe = Path(sys.executable).parent / "swaptwin"
    return subprocess.Popen(
        [str(exe), "swap", f"hydra.run.dir={tmp_path / 'run'}", "clock=realtime"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _wait_for(path: Path, timeout_s: float, text: str = "") -> None:
    """Until ``path`` exists (and holds ``text``)."""
    deadline = time.monotonic() + timeout_s
    while not (path.exists() and text in path.read_text(errors="replace")):
        assert time.monotonic() < deadline, f"{path} never appeared" + (f" with {text!r}" if text else "")
        time.sleep(0.1)


def test_ctrl_c_leaves_no_orphan_and_no_half_written_result(tmp_path):
    proc = _start_swap(tmp_path)
    _wait_for(tmp_path / "run" / "controller.log", 60, "connected to")  # the session runs
    time.sleep(1.0)  # mid-swap, in real time
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    assert proc.wait(timeout=30) == 130
    assert _wait_gone(proc.pid, 10), "a child process outlived swaptwin swap"
    result = json.loads((tmp_path / "run" / "result.json").read_text())  # complete JSON
    assert result["session"]["end_reason"] == "interrupted" and result["verdict"]["status"] == "fail"
    assert not list((tmp_path / "run").glob(".*.tmp"))


def _our_sockets(pid: int) -> list[str]:
    """Unix sockets named for swaptwin process ``pid``: abstract (in the kernel) or on disk."""
    with open("/proc/net/unix") as f:
        names = [line.split()[-1] for line in f if len(line.split()) > 7]
    return [n for n in names if f"swaptwin-{pid}-" in n]


def _socket_files(*roots: Path) -> list[Path]:
    return [p for root in roots for p in root.rglob("*") if p.is_socket()]


def test_killing_swaptwin_takes_its_children_with_it_and_leaves_no_socket(tmp_path):
    proc = _start_swap(tmp_path)
    _wait_for(tmp_path / "run" / "controller.log", 60, "connected to")
    assert _our_sockets(proc.pid), "the swap's endpoints are not where this test looks"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert _wait_gone(proc.pid, 15), "children survived their parent's SIGKILL"
    assert _our_sockets(proc.pid) == []
    assert _socket_files(tmp_path) == []


@pytest.mark.parametrize("victim", ["plant_server", "controllers"])
def test_killing_either_process_of_a_swap_ends_it_and_leaves_no_socket(tmp_path, victim):
    proc = _start_swap(tmp_path)
    _wait_for(tmp_path / "run" / "controller.log", 60, "connected to")
    child = [pid for pid, cmd in _children(proc.pid) if victim in cmd]
    assert len(child) == 1, _children(proc.pid)
    os.kill(child[0], signal.SIGKILL)
    assert proc.wait(timeout=120) != 0  # the swap fails, and says so
    assert _wait_gone(proc.pid, 15)
    assert _our_sockets(proc.pid) == [] and _socket_files(tmp_path) == []


def _children(parent: int) -> list[tuple[int, str]]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmd = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == parent:
            out.append((int(stat.parent.name), cmd))
    return out


def test_killing_a_batch_takes_every_worker_with_it_and_leaves_no_socket(tmp_path):
    exe = Path(sys.executable).parent / "swaptwin"
    proc = subprocess.Popen(
        [str(exe), "qualify", "n=4", "n_jobs=2", f"hydra.run.dir={tmp_path / 'q'}"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while not any("connected to" in p.read_text() for p in (tmp_path / "q").rglob("controller.log")):
        assert time.monotonic() < deadline and proc.poll() is None, "no swap of the batch started"
        time.sleep(0.2)
    assert _our_sockets(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert _wait_gone(proc.pid, 20), "workers survived their batch's SIGKILL"
    assert _our_sockets(proc.pid) == [] and _socket_files(tmp_path) == []
