"""What the session loop needs of a station: its *port*.

The twin's stations (``twin.station.Station``) implement it with physics; a
gateway in front of a real station's PLC implements it by mapping commands
and frames onto the PLC's I/O. The session loop (``twin.session.plant``)
knows nothing else of a station, so the same loop, with the same protocol,
clock modes and guarantees, serves both.
"""

from __future__ import annotations

from typing import Protocol

import swapwire as wire
from swapwire.frame import Frame
from swapwire.station import StationDescription


class StationLost(Exception):
    """The station's I/O can no longer be reached: a gateway lost its PLC, or
    the PLC stopped scanning. Raised by ``apply`` or ``advance``; the session
    loop then ends the session with ``station_lost``, as it would a lost link
    (the reason goes into the session's errors)."""


class StationPort(Protocol):
    def initialize_session(self) -> None:
        """Back to the start state of a session (a twin rebuilds its world; a gateway resynchronises)."""

    def describe(self) -> StationDescription:
        """The station description of the handshake."""

    @property
    def time_s(self) -> float:
        """Plant time: the station's clock, advanced by ``advance``."""

    def apply(self, cmd: wire.Command | None, cmd_id: int | None = None) -> None:
        """This period's command (None: none came)."""

    def advance(self) -> None:
        """One control period."""

    def frame(self) -> Frame:
        """What the station's I/O read at the end of the last period (a query: changes nothing)."""

    def truth(self) -> dict:
        """Ground truth for the observer channel ({} when the station has none to
        give: nothing is published then)."""

    def take_events(self) -> list[dict]:
        """The observer events collected since the last call."""

    def close(self) -> None: ...


class SessionSink(Protocol):
    """Something that sees every message of a session, in the order the plant
    handled it, with the plant time at that moment: the trace (the session's
    fingerprint), a recorder. ``sent``: a message to the session's controller
    (the handshake's too); ``received``: a message accepted from it;
    ``observed``: an observer publication; ``aside``: a message between the
    plant and a peer other than the session's controller (a stranger's
    refusal or error, an engineer's request and its ack), ``direction``
    ``sent`` or ``received``, ``peer`` the connection's identity in hex. Those
    are not the session's own, so not part of its fingerprint."""

    def sent(self, mtype: str, body: dict, cmd_id: int | None = None, *, t_s: float) -> None: ...

    def received(self, msg: wire.Envelope, *, t_s: float) -> None: ...

    def observed(self, topic: str, body: dict) -> None: ...

    def aside(self, direction: str, mtype: str, body: dict, *, peer: str, t_s: float) -> None: ...
