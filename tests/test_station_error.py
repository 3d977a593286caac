"""A station that fails mid-session (its model raises) ends that session with
``station_error``: the controller gets ``end`` and stops safely, the result
says what failed, the plant process lives on, rebuilds the station (error ->
recover -> configure) and the next session passes."""

from __future__ import annotations

import json

from swaptwin.config import load
from swaptwin.plant_server import PlantServer
from swaptwin.processes import private_endpoints
from swapwire.lifecycle import State
from tests.conftest import start_controller
from twin.station import Station


def test_a_station_that_raises_ends_its_session_and_the_next_session_passes(tmp_path, monkeypatch):
    advance, failures = Station.advance, []

    def failing_advance(self):
        if not failures and self.time_s >= 1.0:
            failures.append(self.time_s)
            raise FloatingPointError("the contact solver diverged (injected by the test)")
        advance(self)

    monkeypatch.setattr(Station, "advance", failing_advance)
    endpoint, observer = private_endpoints()
    cfg = load([])
    server = PlantServer(endpoint=endpoint, observer_endpoint=observer)
    try:
        results = []
        for n in (1, 2):
            out = tmp_path / f"s{n}"
            out.mkdir()
            controller = start_controller(endpoint, out)
            results.append(server.serve(cfg, out))
            controller.wait(timeout=120)
            results[-1]["controller_exit"] = controller.returncode
            results[-1]["controller_log"] = (out / "controller.log").read_text()
        assert server.lifecycle.state is State.INACTIVE
    finally:
        server.close()
    assert server.lifecycle.state is State.FINALIZED
    first, second = results
    assert first["session"]["end_reason"] == "station_error"
    assert "FloatingPointError: the contact solver diverged" in first["session"]["station_error"]
    assert first["verdict"]["status"] == "fail"
    assert any("the station failed" in r for r in first["verdict"]["reasons"])
    assert [t["transition"] for t in first["session"]["lifecycle"]] == ["activate", "error"]
    assert first["controller_exit"] == 1 and "station_error" in first["controller_log"]
    assert json.loads((tmp_path / "s1" / "result.json").read_text())["session"]["end_reason"] == "station_error"
    # The process lived on: the next session was served by a rebuilt station, and passed.
    assert second["verdict"]["status"] == "pass", second["verdict"]["reasons"]
    assert [t["transition"] for t in second["session"]["lifecycle"]] == ["activate", "deactivate"]
    assert [t for t, _ in server.lifecycle.history] == [
        "configure", "activate", "error", "recover", "configure", "activate", "deactivate", "shutdown",
    ]  # fmt: skip
