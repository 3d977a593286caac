"""Batch work on a Ray cluster (slow; needs the optional extra: pip install -e '.[cluster]').

A real local cluster (``ray start --head`` as its own process, as a cluster's
head node is started), real swaps in Ray actors: ``swaptwin qualify
executor=ray ray.address=...`` gives the local run's results for the same
seed, and an interrupted one resumes where it stopped."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import interrupt_once_done, run_cli

pytestmark = pytest.mark.slow
N = 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster():
    ray_exe = Path(sys.executable).parent / "ray"
    if not ray_exe.exists():
        pytest.fail("Ray is not installed: pip install -e '.[cluster]' (the slow suite tests executor=ray)")
    port = _free_port()
    # A head on loopback for this test only: no token (a real cluster keeps Ray's token auth: docs/cluster.md).
    env = {**os.environ, "RAY_worker_niceness": "0", "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "disabled"}
    # Ray's sockets live under its temp dir and a socket's path is at most 107 bytes: pytest's own
    # (under pytest-xdist, .../popen-gw0/...) is too deep, so a short one of our own.
    tmp = tempfile.mkdtemp(prefix="swt-ray-", dir="/tmp")
    head = [str(ray_exe), "start", "--head", f"--port={port}", "--num-cpus=2", "--include-dashboard=false"]
    started = subprocess.run([*head, f"--temp-dir={tmp}"], env=env, capture_output=True, text=True, timeout=180)
    assert started.returncode == 0, started.stderr[-2000:]
    try:
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run([str(ray_exe), "stop", "--force"], env=env, capture_output=True, timeout=120)
        shutil.rmtree(tmp, ignore_errors=True)


def _qualify(tmp_path: Path, name: str, *overrides: str) -> dict:
    out = tmp_path / name
    proc = run_cli("qualify", f"hydra.run.dir={out}", f"n={N}", "seed=3", *overrides, cwd=tmp_path, timeout_s=900)
    assert (out / "report.json").exists(), proc.stderr[-3000:]
    return json.loads((out / "report.json").read_text())


def _runs(report: dict) -> list[tuple]:
    """What a run found, without the command line that named the executor."""
    return [(r["id"], r["seed"], r["verdict"], r["cycle_time_s"], r["alignment"], r["locks"]) for r in report["runs"]]


def _traces(out: Path) -> list[str]:
    return [
        json.loads((out / "runs" / f"{i:04d}" / "result.json").read_text())["session"]["trace"]["wire_sha256"]
        for i in range(N)
    ]


def test_a_qualification_on_a_ray_cluster_gives_the_local_results_and_resumes(tmp_path, cluster):
    local = _qualify(tmp_path, "local", "n_jobs=2")
    on_ray = _qualify(tmp_path, "ray", "executor=ray", f"ray.address={cluster}")
    assert _runs(on_ray) == _runs(local)
    assert on_ray["criteria"] == local["criteria"]
    assert _traces(tmp_path / "ray") == _traces(tmp_path / "local")  # the same sessions, period by period
    # Each run's directory came back from its node: logs, configs, and a failing run's recording.
    came_back = {p.name for p in (tmp_path / "ray" / "runs" / "0000").iterdir()}
    assert {"plant.log", "controller.log", "swap_config.json"} <= came_back

    # Interrupted after its first result (Ctrl-C), then run again: it resumes and ends with the same report.
    out = tmp_path / "resumed"
    exe = Path(sys.executable).parent / "swaptwin"
    args = [str(exe), "qualify", f"hydra.run.dir={out}", f"n={N}", "seed=3", "n_jobs=1", "executor=ray"]
    interrupt_once_done([*args, f"ray.address={cluster}"], cwd=tmp_path, first=out / "runs" / "0000" / "result.json")
    assert not (out / "report.json").exists()
    again = run_cli(*args[1:], f"ray.address={cluster}", cwd=tmp_path, timeout_s=900)
    assert "already done" in again.stderr, again.stderr[-2000:]
    assert _runs(json.loads((out / "report.json").read_text())) == _runs(local)
