"""The controller's side of the command link: a ZeroMQ DEALER speaking the station protocol.

Nothing here knows about the twin. Pointed at a station gateway that speaks
the same protocol, it works unchanged.
"""

from __future__ import annotations

import time

import zmq

import swapwire as wire
from swapwire.security import ClientSecurity
from swapwire.station import StationDescription, parse_description


class LinkError(RuntimeError):
    """The plant refused us, or the link failed."""


class StationLink:
    def __init__(
        self,
        endpoint: str,
        *,
        client: str,
        phases: tuple[str, ...] = (),
        security: ClientSecurity | None = None,
        context: zmq.Context | None = None,
    ):
        self.ctx = context or zmq.Context.instance()
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 500)
        # Refused before it is read whole: a hostile plant cannot flood our memory.
        self.sock.setsockopt(zmq.MAXMSGSIZE, wire.MAX_MESSAGE_BYTES)
        if security is not None:
            security.apply(self.sock)
        self.sock.connect(endpoint)
        self.endpoint = endpoint
        self.client = client
        self.phases = tuple(phases)
        self._seq = wire.Sequencer()
        self._cmd_id = 0
        self.session: wire.SessionGrant | None = None  # what the welcome granted
        self.last_sent = time.monotonic()

    def send(self, mtype: str, body: dict, *, cmd_id: int | None = None) -> None:
        self.sock.send(wire.encode(self._seq.make(mtype, body, cmd_id=cmd_id)))
        self.last_sent = time.monotonic()

    def recv(self, timeout_s: float) -> wire.Envelope | None:
        if not self.sock.poll(max(0, int(timeout_s * 1000)), zmq.POLLIN):
            return None
        return wire.decode(self.sock.recv(), expect=wire.PLANT_TYPES)

    def hello(self, *, timeout_s: float) -> StationDescription:
        """Say hello, declaring our phases; return the station description from the ``welcome``.

        Only an answer to this hello ends the handshake: a message we cannot read, or a
        refusal or error about another message (an earlier hello, a stranger's traffic
        replayed at us), is dropped, as a controller drops a spoiled frame."""
        hello_seq = self._seq.next_seq
        self.send(wire.HELLO, wire.Hello(client=self.client, phases=list(self.phases)).to_body())
        deadline = time.monotonic() + timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LinkError(f"no welcome from {self.endpoint} within {timeout_s:.1f} s")
            try:
                msg = self.recv(remaining)
                answer = self._handshake_answer(msg, hello_seq)
            except wire.WireError:
                continue
            if answer is not None:
                return answer

    def _handshake_answer(self, msg: wire.Envelope | None, hello_seq: int) -> StationDescription | None:
        if msg is None:
            return None
        if msg.type == wire.WELCOME:
            welcome = wire.parse_welcome(msg.body)
            description = parse_description(welcome.station)
            self.session = welcome.session
            return description
        if msg.type == wire.REFUSED:
            refused = wire.parse_refused(msg.body)
            if refused.ref_seq in (None, hello_seq):
                raise LinkError(f"plant refused the session: {refused.reason}")
        elif msg.type == wire.ERROR:
            error = wire.parse_error(msg.body)
            if error.ref_seq == hello_seq:
                raise LinkError(f"plant answered hello with an error: {error.reason}")
        return None

    def resume(self) -> bool:
        """Present the session's token from this connection (after a reconnect the
        plant no longer knows us: it answers ``busy``). False without a session."""
        if self.session is None:
            return False
        hello = wire.Hello(client=self.client, phases=list(self.phases), resume=self.session.token)
        self.send(wire.HELLO, hello.to_body())
        return True

    def heartbeat_due(self) -> bool:
        """Whether we have been silent for the heartbeat period the welcome granted."""
        period = self.session.heartbeat_period_s if self.session is not None else None
        return period is not None and time.monotonic() - self.last_sent >= period

    def heartbeat(self) -> None:
        self.send(wire.HEARTBEAT, {})

    def command(self, cmd: wire.Command) -> int:
        self._cmd_id += 1
        self.send(wire.COMMAND, cmd.to_body(), cmd_id=self._cmd_id)
        return self._cmd_id

    def bye(self, *, outcome: str, reason: str, phase: str, detected_by: str = "") -> None:
        bye = wire.Bye(outcome=outcome, reason=reason, phase=phase, detected_by=detected_by)  # type: ignore[arg-type]
        self.send(wire.BYE, bye.to_body())

    def close(self) -> None:
        self.sock.close()
