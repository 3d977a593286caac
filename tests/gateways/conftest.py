"""Emulated station PLCs in their own processes, and an OPC UA client for the tests."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from swaptwin.config import load
from swaptwin.processes import private_endpoints
from swaptwin.results.atomic import write_json_atomic

NS = "urn:swaptwin:station-plc"


class PlcProcess:
    """``python -m gateways.opcua.plc`` on a free loopback port, with its observer on a private ipc endpoint."""

    def __init__(self, out_dir: Path, overrides: list[str]):
        self.cfg = load(["gateway=opcua", *overrides])
        out_dir.mkdir(parents=True, exist_ok=True)
        self.observer = private_endpoints()[1]
        self.config_path = out_dir / "swap_config.json"
        write_json_atomic(self.config_path, self.cfg.resolved)
        ready = out_dir / "ready.json"
        self.log_path = out_dir / "plc.log"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gateways.opcua.plc", "--config", str(self.config_path), "--endpoint",
                 "opc.tcp://127.0.0.1:0/swaptwin/plc", "--observer", self.observer, "--ready-file", str(ready)],
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 120
        while not ready.exists():
            assert self.proc.poll() is None, self.log_path.read_text()
            assert time.monotonic() < deadline, "the emulated PLC did not start"
            time.sleep(0.05)
        self.endpoint = json.loads(ready.read_text())["endpoint"]

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def plc_process(tmp_path):
    started: list[PlcProcess] = []

    def start(*overrides: str, name: str = "plc") -> PlcProcess:
        p = PlcProcess(tmp_path / name, list(overrides))
        started.append(p)
        return p

    yield start
    for p in started:
        p.stop()


def run_client(endpoint: str, work, *, secure=None):
    """Run ``await work(client, idx)`` with an asyncua client connected to
    ``endpoint``; ``secure(client)`` sets it up before it connects."""
    from asyncua import Client

    async def main():
        client = Client(endpoint, timeout=5)
        if secure is not None:
            await secure(client)
        async with client:
            idx = await client.get_namespace_index(NS)
            return await work(client, idx)

    return asyncio.run(main())
