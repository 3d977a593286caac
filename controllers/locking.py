"""Lock strategies: how the controller engages, releases and confirms a lock type.

The controller picks its strategy from the lock type in the station description,
never from the pack. Every lock status is read on two channels; channels that
disagree are a fault (ISO 13849 category 3: a single fault must not lose the
safety function).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol
from collections.abc import Generator

from controllers import wire

if TYPE_CHECKING:  # pragma: no cover
    from controllers.swap_sequence import SwapSequence

PhaseGen = Generator[wire.Command, dict, None]


class LockStrategy(Protocol):
    lock_type: str

    def release(self, seq: SwapSequence) -> PhaseGen: ...

    def engage(self, seq: SwapSequence) -> PhaseGen: ...

    def require_all_engaged(self, seq: SwapSequence) -> None: ...

    def require_all_released(self, seq: SwapSequence) -> None: ...


def _channel(frame: dict, lock_id: str, name: str) -> bool:
    from controllers.swap_sequence import Fault

    a, b = frame["sensors"]["locks"][lock_id][name]
    if a != b:
        raise Fault(f"lock {lock_id}: {name} channels disagree (A={a}, B={b})", by="two_channel")
    return a


class _ConfirmingStrategy:
    """Command every lock, then wait until each reads its expected statuses on
    both channels. A subclass names the statuses that confirm engaged and
    released. Every lock's channels are read on every check (no short cut), so
    a disagreement anywhere is a fault the moment it appears."""

    lock_type: str
    engaged_reads: dict[str, bool]
    released_reads: dict[str, bool]
    # Close the circuit once engaged (a hydraulic valve); False keeps the engage
    # command standing (level-triggered: it does not act twice).
    hold_after_engage = True

    def __init__(self, ids: list[str], channels: tuple[str, ...] = ()):
        self.ids = list(ids)
        self.channels = tuple(channels)

    def _reads(self, frame: dict, want: dict[str, bool]) -> bool:
        return all([_channel(frame, i, name) == value for i in self.ids for name, value in want.items()])

    def release(self, seq: SwapSequence) -> PhaseGen:
        seq.locks = {"all": wire.LOCK_RELEASE}
        yield from seq._wait(lambda f: self._reads(f, self.released_reads))

    def engage(self, seq: SwapSequence) -> PhaseGen:
        seq.locks = {"all": wire.LOCK_ENGAGE}
        yield from seq._wait(lambda f: self._reads(f, self.engaged_reads))
        if self.hold_after_engage:
            seq.locks = {"all": wire.LOCK_HOLD}

    def require_all_engaged(self, seq: SwapSequence) -> None:
        from controllers.swap_sequence import Fault

        if not self._reads(seq.frame, self.engaged_reads):
            raise Fault(f"not every lock reads {_statuses(self.engaged_reads)} on both channels", by="lock_status")

    def require_all_released(self, seq: SwapSequence) -> None:
        from controllers.swap_sequence import Fault

        if not self._reads(seq.frame, self.released_reads):
            raise Fault(
                f"interlock: not every lock reads {_statuses(self.released_reads)}; the pack must not be lowered",
                by="interlock",
            )


def _statuses(want: dict[str, bool]) -> str:
    return " and ".join(name if value else f"not {name}" for name, value in want.items())


class HydraulicPinStrategy(_ConfirmingStrategy):
    """Pressurise, confirm the pin extended and the pressure switch on both
    channels, then close the valve (the pilot check valve traps the pressure).
    Release: vent, confirm the pin retracted."""

    lock_type = "hydraulic_pin"
    engaged_reads = {"extended": True, "pressure_ok": True}
    released_reads = {"extended": False}


class EmLatchStrategy(_ConfirmingStrategy):
    """Energise (power-to-hold) or magnetise (electro-permanent), confirm the gap
    closed and the field on both channels. The engage command stays: the
    power-to-hold driver stays on, and an electro-permanent magnet is pulsed to
    saturation while the tool is there rather than left at the sensor's
    threshold. Release: de-energise (or the demagnetising pulse), confirm the
    field off. The field channel is ``magnetised`` if the station describes
    one, else ``energised``."""

    lock_type = "em_latch"
    hold_after_engage = False

    def __init__(self, ids: list[str], channels: tuple[str, ...] = ()):
        super().__init__(ids, channels)
        field = "magnetised" if "magnetised" in self.channels else "energised"
        self.engaged_reads = {"gap_closed": True, field: True}
        self.released_reads = {field: False}


class MechClipStrategy(_ConfirmingStrategy):
    """Engage: retract the release tool; the pawl has snapped (or snaps) over the
    lug as the pack is pushed in: confirm closed and lug present on both
    channels. Release: the tool pushes the pawl over its stroke; confirm it is
    open."""

    lock_type = "mech_clip"
    engaged_reads = {"closed": True, "lug_present": True}
    released_reads = {"closed": False}


class TwistLockStrategy(_ConfirmingStrategy):
    """Engage: turn, confirm locked and seated (and not unlocked) on both
    channels. Release: turn back, confirm unlocked and not locked."""

    lock_type = "twist_lock"
    engaged_reads = {"locked": True, "unlocked": False, "seated": True}
    released_reads = {"unlocked": True, "locked": False}


STRATEGIES: dict[str, type[_ConfirmingStrategy]] = {
    "hydraulic_pin": HydraulicPinStrategy,
    "em_latch": EmLatchStrategy,
    "mech_clip": MechClipStrategy,
    "twist_lock": TwistLockStrategy,
}


def strategy_for(locks: dict) -> LockStrategy | None:
    """The strategy for the described lock type, or None if we have none."""
    cls = STRATEGIES.get(locks.get("type"))
    return cls(list(locks["ids"]), tuple(locks.get("channels", {}))) if cls else None
