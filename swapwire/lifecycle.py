"""A station's lifecycle, as ros2_control's hardware components have it.

::

    unconfigured --configure--> inactive --activate--> active
         ^                        |   ^                  |
         '--------cleanup---------'   '----deactivate----'
    any but finalized --error--> error --recover--> unconfigured
    any but finalized --shutdown--> finalized

* ``unconfigured``: the process is up, its sockets bound; no world (or, for
  a gateway, no link to the PLC's process image) yet.
* ``inactive``: configured: the station is built and at rest, its drives
  holding; it waits for a controller. ``swaptwin plant`` is here between
  sessions.
* ``active``: a controller owns a session; commands act.
* ``error``: the station failed (a model raised, a gateway lost its PLC).
  The session in progress ends with ``end`` reason ``station_error``; the
  plant recovers (cleanup, then configure afresh) before the next session,
  or shuts down if it cannot.
* ``finalized``: the plant has stopped.

The plant publishes the session's transitions on the observer link
(``{event: "lifecycle", transition, state, t_s}``) and lists them in the
session's result (``session.lifecycle``); the plant process logs its own
(configure, recover, shutdown). The twin's plant serves a session only from
``inactive``, so a controller never meets another state: it sees a welcome,
and, if the station fails, ``end`` with ``station_error``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class State(StrEnum):
    UNCONFIGURED = "unconfigured"
    INACTIVE = "inactive"
    ACTIVE = "active"
    ERROR = "error"
    FINALIZED = "finalized"


_LIVE = frozenset({State.UNCONFIGURED, State.INACTIVE, State.ACTIVE, State.ERROR})

# transition -> (the states it may start from, the state it ends in)
TRANSITIONS: dict[str, tuple[frozenset[State], State]] = {
    "configure": (frozenset({State.UNCONFIGURED}), State.INACTIVE),
    "activate": (frozenset({State.INACTIVE}), State.ACTIVE),
    "deactivate": (frozenset({State.ACTIVE}), State.INACTIVE),
    "cleanup": (frozenset({State.INACTIVE}), State.UNCONFIGURED),
    "error": (_LIVE - {State.ERROR}, State.ERROR),
    "recover": (frozenset({State.ERROR}), State.UNCONFIGURED),
    "shutdown": (_LIVE, State.FINALIZED),
}


class LifecycleError(RuntimeError):
    """A transition the lifecycle does not allow from the current state."""


@dataclass
class Lifecycle:
    """The current state and the transitions taken, in order."""

    state: State = State.UNCONFIGURED
    history: list[tuple[str, State]] = field(default_factory=list)

    def can(self, transition: str) -> bool:
        starts, _ = TRANSITIONS[transition]
        return self.state in starts

    def take(self, transition: str) -> State:
        if transition not in TRANSITIONS:
            raise LifecycleError(f"no transition {transition!r}; there are {', '.join(TRANSITIONS)}")
        starts, end = TRANSITIONS[transition]
        if self.state not in starts:
            raise LifecycleError(f"{transition} is not allowed from {self.state}")
        self.state = end
        self.history.append((transition, end))
        return end

    @property
    def serving(self) -> bool:
        """Whether a controller may open a session now."""
        return self.state is State.INACTIVE
