"""Lock strategies: what each commands, what it waits for on both channels, and the faults.

No physics: frames are written by hand, as a station's I/O would report them.
"""

from __future__ import annotations

import pytest

from controllers import wire
from controllers.locking import STRATEGIES, EmLatchStrategy, strategy_for
from controllers.swap_sequence import Fault

IDS = ["0", "1"]
# Per lock type: the channels, the statuses of an engaged lock, and of a released one.
STATES = {
    "hydraulic_pin": (
        ("extended", "pressure_ok"),
        {"extended": True, "pressure_ok": True},
        {"extended": False, "pressure_ok": False},
    ),
    "em_latch": (
        ("gap_closed", "energised"),
        {"gap_closed": True, "energised": True},
        {"gap_closed": True, "energised": False},
    ),
    "mech_clip": (
        ("closed", "lug_present"),
        {"closed": True, "lug_present": True},
        {"closed": False, "lug_present": True},
    ),
    "twist_lock": (
        ("locked", "unlocked", "seated"),
        {"locked": True, "unlocked": False, "seated": True},
        {"locked": False, "unlocked": True, "seated": True},
    ),
}


class FakeSequence:
    """What a strategy uses of SwapSequence: the lock command, the frame, ``_wait``."""

    def __init__(self):
        self.locks: dict[str, str] = {}
        self.frame: dict = {}

    def _wait(self, predicate):
        while True:
            frame = yield
            if predicate(frame):
                return


def frame(statuses: dict[str, bool], *, disagree: str | None = None) -> dict:
    locks = {i: {name: [v, v] for name, v in statuses.items()} for i in IDS}
    if disagree:
        locks[IDS[-1]][disagree] = [True, False]
    return {"sensors": {"locks": locks}}


def run(gen, frames: list[dict]) -> int:
    """Feed frames until the phase generator returns; return how many it took."""
    next(gen)
    for n, f in enumerate(frames, start=1):
        try:
            gen.send(f)
        except StopIteration:
            return n
    raise AssertionError("the strategy never finished")


def make(lock_type: str):
    channels = STATES[lock_type][0]
    return strategy_for({"type": lock_type, "ids": IDS, "channels": {c: 2 for c in channels}})


def test_every_lock_type_has_a_strategy():
    assert set(STRATEGIES) == set(STATES)


@pytest.mark.parametrize("lock_type", sorted(STATES))
@pytest.mark.parametrize("phase", ["engage", "release"])
def test_a_phase_commands_its_action_and_waits_for_its_statuses(lock_type, phase):
    """Engage ends on the engaged statuses, release on the released ones; the
    matching require_* passes on them and faults on the other state."""
    _, engaged, released = STATES[lock_type]
    done, other = (engaged, released) if phase == "engage" else (released, engaged)
    require = {"engage": "require_all_engaged", "release": "require_all_released"}[phase]
    strategy, seq = make(lock_type), FakeSequence()
    assert run(getattr(strategy, phase)(seq), [frame(other), frame(other), frame(done)]) == 3
    expected = (wire.LOCK_ENGAGE, wire.LOCK_HOLD) if phase == "engage" else (wire.LOCK_RELEASE,)
    assert seq.locks["all"] in expected
    seq.frame = frame(done)
    getattr(strategy, require)(seq)
    seq.frame = frame(other)
    with pytest.raises(Fault, match="not every lock reads"):
        getattr(strategy, require)(seq)


@pytest.mark.parametrize("lock_type", sorted(STATES))
def test_channels_that_disagree_on_any_lock_are_a_fault(lock_type):
    channels, engaged, _ = STATES[lock_type]
    strategy, seq = make(lock_type), FakeSequence()
    gen = strategy.engage(seq)
    next(gen)
    with pytest.raises(Fault, match="channels disagree"):
        gen.send(frame(engaged, disagree=channels[0]))


def test_the_em_latch_strategy_reads_the_field_channel_the_station_describes():
    ep = strategy_for({"type": "em_latch", "ids": IDS, "channels": {"gap_closed": 2, "magnetised": 2}})
    assert isinstance(ep, EmLatchStrategy)
    assert ep.engaged_reads == {"gap_closed": True, "magnetised": True}
    assert ep.released_reads == {"magnetised": False}
    # The engage command stays, so an electro-permanent magnet is pulsed to saturation.
    seq = FakeSequence()
    run(ep.engage(seq), [frame({"gap_closed": True, "magnetised": True})])
    assert seq.locks == {"all": wire.LOCK_ENGAGE}


def test_an_unknown_lock_type_has_no_strategy():
    assert strategy_for({"type": "bolt", "ids": IDS}) is None
