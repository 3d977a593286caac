"""The plant's side of the ZeroMQ links: a ROUTER for commands, a PUB for observers.

The ROUTER answers each peer by its identity, so a second controller gets a
``refused`` and a malformed message gets an ``error`` while the session goes
on. Every socket refuses a message over the protocol's size before reading it
(``ZMQ_MAXMSGSIZE``: the peer is disconnected). With security
(``swapwire.security``) both links are CURVE servers and every received
message carries its sender's role. Sockets are used from one thread only
(pyzmq sockets are not thread-safe); the context is shared.
"""

from __future__ import annotations

import contextlib
from typing import NamedTuple

import zmq

import swapwire as wire
from swapwire.security import COMMAND_DOMAIN, OBSERVER_DOMAIN, ServerSecurity, message_role

# Observers that fall this far behind lose truth samples rather than stall the plant.
_PUB_HIGH_WATER_MARK = 100_000
# Room for a ROUTER's identity frame beside a full-size message.
_FRAME_SLACK_BYTES = 1024


class Incoming(NamedTuple):
    identity: bytes
    payload: bytes
    role: str | None  # the sender key's role (None without security)


class PlantLink:
    def __init__(
        self,
        *,
        endpoint: str,
        observer_endpoint: str | None,
        context: zmq.Context | None = None,
        security: ServerSecurity | None = None,
    ):
        self.ctx = context or zmq.Context.instance()
        self.security = security
        if security is not None:
            security.start(self.ctx)
        self.router = self.ctx.socket(zmq.ROUTER)
        self.router.setsockopt(zmq.LINGER, 500)
        self.router.setsockopt(zmq.MAXMSGSIZE, wire.MAX_MESSAGE_BYTES + _FRAME_SLACK_BYTES)
        if security is not None:
            security.apply(self.router, COMMAND_DOMAIN)
        self.router.bind(endpoint)
        self.endpoint = self.router.getsockopt_string(zmq.LAST_ENDPOINT)
        self.pub = None
        if observer_endpoint:
            self.pub = self.ctx.socket(zmq.PUB)
            self.pub.setsockopt(zmq.LINGER, 500)
            self.pub.setsockopt(zmq.SNDHWM, _PUB_HIGH_WATER_MARK)
            self.pub.setsockopt(zmq.MAXMSGSIZE, _FRAME_SLACK_BYTES)  # subscribers send only subscriptions
            if security is not None:
                security.apply(self.pub, OBSERVER_DOMAIN)
            self.pub.bind(observer_endpoint)
        self.poller = zmq.Poller()
        self.poller.register(self.router, zmq.POLLIN)
        self._seq = wire.Sequencer()

    def recv(self, timeout_s: float) -> Incoming | None:
        """One message, or None after ``timeout_s``. Extra frames are joined so
        that a malformed multi-part message is still answered."""
        if not self.poller.poll(max(0, int(timeout_s * 1000))):
            return None
        if self.security is None:
            parts = self.router.recv_multipart()
            return Incoming(parts[0], b"".join(parts[1:]), None)
        frames = self.router.recv_multipart(copy=False)
        role = message_role(frames[1]) if len(frames) > 1 else None
        return Incoming(frames[0].bytes, b"".join(f.bytes for f in frames[1:]), role)

    def send(self, identity: bytes, mtype: str, body: dict, *, cmd_id: int | None = None) -> None:
        self.send_payload(identity, self.encode(mtype, body, cmd_id=cmd_id))

    def encode(self, mtype: str, body: dict, *, cmd_id: int | None = None) -> bytes:
        """Number and encode one message. Every message takes a ``seq``, whether
        or not it reaches the peer, so a lost one leaves a gap the peer can see."""
        return wire.encode(self._seq.make(mtype, body, cmd_id=cmd_id))

    def send_payload(self, identity: bytes, payload: bytes) -> None:
        with contextlib.suppress(
            zmq.Again
        ):  # a peer that does not read: its messages are dropped, never block the plant
            self.router.send_multipart([identity, payload], flags=zmq.NOBLOCK)

    def close(self) -> None:
        self.router.close()
        if self.pub is not None:
            self.pub.close()
        if self.security is not None:
            self.security.stop()
