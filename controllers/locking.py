"""Lock strategies: how the controller engages, releases and confirms a lock type.

The controller picks its strategy from the lock type in the station description,
never from the pack. Every lock status is read on two channels; channels that
disagree are a fault (ISO 13849 category 3: a single fault must not lose the
safety function).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generator, Protocol

from controllers import wire

if TYPE_CHECKING:  # pragma: no cover
    from controllers.swap_sequence import SwapSequence

PhaseGen = Generator[wire.Command, dict, None]


class LockStrategy(Protocol):
    lock_type: str

    def release(self, seq: "SwapSequence") -> PhaseGen: ...

    def engage(self, seq: "SwapSequence") -> PhaseGen: ...

    def require_all_engaged(self, seq: "SwapSequence") -> None: ...

    def require_all_released(self, seq: "SwapSequence") -> None: ...


def _channel(frame: dict, lock_id: str, name: str) -> bool:
    from controllers.swap_sequence import Fault

    a, b = frame["sensors"]["locks"][lock_id][name]
    if a != b:
        raise Fault(f"lock {lock_id}: {name} channels disagree (A={a}, B={b})")
    return a


class HydraulicPinStrategy:
    """Pressurise, confirm the pin extended and the pressure switch on both
    channels, then close the valve (the pilot check valve traps the pressure)."""

    lock_type = "hydraulic_pin"

    def __init__(self, ids: list[str]):
        self.ids = ids

    def _all(self, frame: dict, name: str, value: bool) -> bool:
        return all(_channel(frame, i, name) == value for i in self.ids)

    def release(self, seq: "SwapSequence") -> PhaseGen:
        seq.locks = {"all": wire.LOCK_RELEASE}
        yield from seq._wait(lambda f: self._all(f, "extended", False))

    def engage(self, seq: "SwapSequence") -> PhaseGen:
        seq.locks = {"all": wire.LOCK_ENGAGE}
        yield from seq._wait(lambda f: self._all(f, "extended", True) and self._all(f, "pressure_ok", True))
        seq.locks = {"all": wire.LOCK_HOLD}

    def require_all_engaged(self, seq: "SwapSequence") -> None:
        from controllers.swap_sequence import Fault

        f = seq.frame
        if not (self._all(f, "extended", True) and self._all(f, "pressure_ok", True)):
            raise Fault("not every lock reports extended and pressurised on both channels")

    def require_all_released(self, seq: "SwapSequence") -> None:
        from controllers.swap_sequence import Fault

        if not self._all(seq.frame, "extended", False):
            raise Fault("interlock: a lock still reports extended; the pack must not be lowered")


STRATEGIES = {"hydraulic_pin": HydraulicPinStrategy}


def strategy_for(locks: dict) -> LockStrategy | None:
    cls = STRATEGIES.get(locks.get("type"))
    return cls(list(locks["ids"])) if cls else None
