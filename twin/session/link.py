"""The plant's side of the ZeroMQ links: a ROUTER for commands, a PUB for observers.

The ROUTER answers each controller by its identity, so a second controller
gets a ``refused`` and a malformed message gets an ``error`` while the session
goes on. Sockets are used from one thread only (pyzmq sockets are not
thread-safe); the context is shared.
"""

from __future__ import annotations

import zmq

import swapwire as wire

# Observers that fall this far behind lose truth samples rather than stall the plant.
_PUB_HIGH_WATER_MARK = 100_000


class PlantLink:
    def __init__(self, *, endpoint: str, observer_endpoint: str | None, context: zmq.Context | None = None):
        self.ctx = context or zmq.Context.instance()
        self.router = self.ctx.socket(zmq.ROUTER)
        self.router.setsockopt(zmq.LINGER, 500)
        self.router.bind(endpoint)
        self.endpoint = self.router.getsockopt_string(zmq.LAST_ENDPOINT)
        self.pub = None
        if observer_endpoint:
            self.pub = self.ctx.socket(zmq.PUB)
            self.pub.setsockopt(zmq.LINGER, 500)
            self.pub.setsockopt(zmq.SNDHWM, _PUB_HIGH_WATER_MARK)
            self.pub.bind(observer_endpoint)
        self.poller = zmq.Poller()
        self.poller.register(self.router, zmq.POLLIN)
        self._seq = wire.Sequencer()

    def recv(self, timeout_s: float) -> tuple[bytes, bytes] | None:
        """One (identity, payload) or None after ``timeout_s``. Extra frames are
        joined so that a malformed multi-part message is still answered."""
        if not self.poller.poll(max(0, int(timeout_s * 1000))):
            return None
        parts = self.router.recv_multipart()
        return parts[0], b"".join(parts[1:])

    def send(self, identity: bytes, mtype: str, body: dict, *, cmd_id: int | None = None) -> None:
        self.send_payload(identity, self.encode(mtype, body, cmd_id=cmd_id))

    def encode(self, mtype: str, body: dict, *, cmd_id: int | None = None) -> bytes:
        """Number and encode one message. Every message takes a ``seq``, whether
        or not it reaches the peer, so a lost one leaves a gap the peer can see."""
        return wire.encode(self._seq.make(mtype, body, cmd_id=cmd_id))

    def send_payload(self, identity: bytes, payload: bytes) -> None:
        self.router.send_multipart([identity, payload])

    def close(self) -> None:
        self.router.close()
        if self.pub is not None:
            self.pub.close()
