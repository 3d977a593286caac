"""A transport reconnect in the middle of a swap: the plant sees a new ZeroMQ
identity, answers it ``busy``, and our controller takes its session back with
the welcome's token (docs/protocol.md, section 3.5). Real processes, real TCP
through a forwarder that drops every connection on demand."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time

import pytest

from tests.conftest import start_controller

pytestmark = pytest.mark.wallclock  # a cut mid-swap and the controller's reconnection, in wall time


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Forwarder:
    """127.0.0.1:<port> -> upstream, byte for byte; ``cut()`` closes every open connection."""

    def __init__(self, upstream_port: int):
        self.upstream = ("127.0.0.1", upstream_port)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        self.accepted = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                down, _ = self.server.accept()
            except OSError:
                return
            try:
                up = socket.create_connection(self.upstream)
            except OSError:
                down.close()
                continue
            with self.lock:
                self.pairs.append((down, up))
                self.accepted += 1
            for a, b in ((down, up), (up, down)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for s in pair:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def close(self) -> None:
        self.server.close()
        self.cut()


def test_our_controller_takes_its_session_back_after_the_connection_drops(plant_process, tmp_path):
    port = _free_port()
    plant = plant_process(endpoints=(f"tcp://127.0.0.1:{port}", f"tcp://127.0.0.1:{_free_port()}"))
    forwarder = Forwarder(port)
    try:
        ctl_dir = tmp_path / "ctl"
        ctl_dir.mkdir()
        controller = start_controller(f"tcp://127.0.0.1:{forwarder.port}", ctl_dir)
        log = ctl_dir / "controller.log"
        deadline = time.monotonic() + 60
        while "connected to" not in (log.read_text() if log.exists() else ""):
            assert time.monotonic() < deadline and controller.poll() is None, log.read_text()
            time.sleep(0.1)
        time.sleep(2.0)  # mid-swap
        forwarder.cut()
        assert controller.wait(timeout=240) == 0, log.read_text()[-3000:]
        result = plant.result()
    finally:
        forwarder.close()
    assert forwarder.accepted >= 2  # ZeroMQ reconnected through the forwarder
    assert "resuming the session with its token" in log.read_text()
    assert result["session"]["takeovers"] >= 1 and result["session"]["end_reason"] == "bye"
    assert result["verdict"]["status"] == "pass", json.dumps(result["verdict"])
