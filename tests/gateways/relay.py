"""A TCP relay between the gateway and the PLC that a test can cut, on loopback only.

``cut("close")``: both sides' connections are closed and no new one is
accepted (a PLC that went away: the gateway sees the connection end).
``cut("silent")``: nothing passes any more but the connections stay open (a
pulled cable: the gateway hears nothing and its requests time out).
"""

from __future__ import annotations

import select
import socket
import threading


class Relay:
    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.mode = "open"
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self.mode == "close":
                for pair in list(self.pairs):
                    self._close(pair)
            with self._lock:
                socks = [self.listener] + [s for pair in self.pairs for s in pair]
            readable, _, _ = select.select(socks, [], [], 0.05)
            for s in readable:
                if s is self.listener:
                    self._accept()
                else:
                    self._forward(s)

    def _accept(self) -> None:
        client, _ = self.listener.accept()
        if self.mode != "open":
            client.close()
            return
        upstream = socket.create_connection(self.target)
        for s in (client, upstream):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self.pairs.append((client, upstream))

    def _forward(self, s: socket.socket) -> None:
        pair = next((p for p in self.pairs if s in p), None)
        if pair is None:
            return
        try:
            data = s.recv(65536)
        except OSError:
            data = b""
        if not data:
            self._close(pair)
            return
        if self.mode == "silent":
            return  # swallowed: the cable is pulled
        other = pair[1] if s is pair[0] else pair[0]
        try:
            other.sendall(data)
        except OSError:
            self._close(pair)

    def _close(self, pair) -> None:
        with self._lock:
            if pair in self.pairs:
                self.pairs.remove(pair)
        for s in pair:
            s.close()

    def cut(self, mode: str) -> None:
        """From the test's thread; the relay's own thread closes what it must."""
        assert mode in ("close", "silent")
        self.mode = mode

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)  # then no other thread uses the sockets
        for pair in list(self.pairs):
            self._close(pair)
        self.listener.close()
