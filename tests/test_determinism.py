"""Lockstep is deterministic: the same seed and config give a bit-identical
session, run after run, in separate processes, whatever else the machine is
doing. The plant fingerprints every wire message after the handshake and
every observer publication (twin/trace.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import run_cli


def _trace(tmp_path, name: str, *overrides: str) -> dict:
    out = tmp_path / name
    proc = run_cli("swap", f"hydra.run.dir={out}", *overrides, cwd=tmp_path)
    result = json.loads((out / "result.json").read_text())
    assert proc.returncode in (0, 1) and result["session"]["end_reason"] == "bye", proc.stderr[-2000:]
    return result["session"]["trace"]


def _hog():
    """A process that keeps one core busy: scheduling must not leak into the session."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


@pytest.mark.parametrize("rig", ["under_chassis", pytest.param("overhead", marks=pytest.mark.slow)])
def test_the_same_seed_gives_the_same_trace_in_two_processes(tmp_path, rig):
    first = _trace(tmp_path, "a", f"rig={rig}")
    hog = _hog()
    try:
        second = _trace(tmp_path, "b", f"rig={rig}")
    finally:
        hog.kill()
        hog.wait()
    assert first == second
    assert first["wire_messages"] > 1000 and first["observer_messages"] > 1000


def test_another_seed_gives_another_trace(tmp_path):
    # The sensors' noise is seeded: frames differ from the first period on.
    assert _trace(tmp_path, "a", "seed=0")["wire_sha256"] != _trace(tmp_path, "b", "seed=1")["wire_sha256"]
