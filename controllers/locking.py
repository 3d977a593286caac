"""How the controller engages, releases and confirms a group of locks.

The controller takes what confirms a lock from the station's description of
the lock group (``engaged_when``, ``released_when``: status channel -> value,
each read on both channels; ``after_engage``), never from the pack: so any
lock type a station describes, today's or one added tomorrow, is driven the
same way. Every lock's channels are read on every check (no short cut), and
channels that disagree are a fault the moment they appear (ISO 13849
category 3: a single fault must not lose the safety function).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import swapwire as wire
from controllers.supervisor import Fault
from swapwire.frame import Frame
from swapwire.station import LockGroup

if TYPE_CHECKING:  # pragma: no cover
    from controllers.engine import SwapSequence

PhaseGen = Generator[None, Frame, None]


def _statuses(want: dict[str, bool]) -> str:
    return " and ".join(name if value else f"not {name}" for name, value in want.items())


class LockStrategy:
    """Command every lock of a group, then wait until each reads its
    confirmation set on both channels. ``sensor``: the frame sensor that
    reports the group's status channels."""

    def __init__(self, group: LockGroup, sensor: str = "locks"):
        self.group = group
        self.ids = list(group.ids)
        self.sensor = sensor
        self.engaged_reads = dict(group.engaged_when)
        self.released_reads = dict(group.released_when)

    @property
    def confirmable(self) -> bool:
        return bool(self.engaged_reads) and bool(self.released_reads)

    def _channel(self, frame: Frame, lock_id: str, name: str) -> bool:
        a, b = frame.sensors[self.sensor][lock_id][name]
        if a != b:
            raise Fault(f"lock {lock_id}: {name} channels disagree (A={a}, B={b})", by="two_channel")
        return a

    def reads(self, frame: Frame, want: dict[str, bool]) -> bool:
        return all([self._channel(frame, i, name) == value for i in self.ids for name, value in want.items()])

    def release(self, seq: SwapSequence) -> PhaseGen:
        seq.locks = {wire.ALL_LOCKS: wire.LOCK_RELEASE}
        yield from seq._wait(lambda f: self.reads(f, self.released_reads))

    def engage(self, seq: SwapSequence) -> PhaseGen:
        seq.locks = {wire.ALL_LOCKS: wire.LOCK_ENGAGE}
        yield from seq._wait(lambda f: self.reads(f, self.engaged_reads))
        if self.group.after_engage == "hold":
            seq.locks = {wire.ALL_LOCKS: wire.LOCK_HOLD}

    def require_all_engaged(self, seq: SwapSequence) -> None:
        if not self.reads(seq.frame, self.engaged_reads):
            raise Fault(f"not every lock reads {_statuses(self.engaged_reads)} on both channels", by="lock_status")

    def require_all_released(self, seq: SwapSequence) -> None:
        if not self.reads(seq.frame, self.released_reads):
            raise Fault(
                f"interlock: not every lock reads {_statuses(self.released_reads)}; the pack must not be lowered",
                by="interlock",
            )
