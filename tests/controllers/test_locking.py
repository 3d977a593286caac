"""The lock strategy: what it commands, what it waits for on both channels, and the faults.

No physics: frames are written by hand, as a station's I/O would report them.
The lock groups are described as the twin describes them, from each
registered lock type's own confirmation sets, so every lock type the
registry holds is driven here.
"""

from __future__ import annotations

import pytest

import swapwire as wire
from controllers.locking import LockStrategy
from controllers.supervisor import Fault
from swapwire.frame import DriveReport, Frame
from swapwire.station import LockGroup
from swaptwin.config import load
from twin.entities.interface import describe_locks
from twin.locks import LOCK_TYPES, make_lock

IDS = ["0", "1"]
CONFIGS = {"em_latch_ep": "em_latch_ep", **{name: name for name in LOCK_TYPES}}


def group(config_name: str) -> LockGroup:
    cfg = load([f"lock={config_name}"]).plant.lock
    return describe_locks([make_lock(cfg, engaged=False) for _ in IDS], IDS)


def statuses(g: LockGroup, *, engaged: bool) -> dict[str, bool]:
    """Every channel of the group as an engaged (or released) lock reads it."""
    want = g.engaged_when if engaged else g.released_when
    other = g.released_when if engaged else g.engaged_when
    return {c: want.get(c, not other.get(c, True)) for c in g.channels}


class FakeSequence:
    """What a strategy uses of SwapSequence: the lock command, the frame, ``_wait``."""

    def __init__(self):
        self.locks: dict[str, str] = {}
        self.frame: Frame | None = None

    def _wait(self, predicate):
        while True:
            frame = yield
            if predicate(frame):
                return


def frame(states: dict[str, bool], *, disagree: str | None = None) -> Frame:
    locks = {i: {name: (v, v) for name, v in states.items()} for i in IDS}
    if disagree:
        locks[IDS[-1]][disagree] = (True, False)
    return Frame(0, 0.0, {}, DriveReport("active", 0, ()), {"locks": locks}, None)


def run(gen, frames: list[Frame]) -> int:
    """Feed frames until the phase generator returns; return how many it took."""
    next(gen)
    for n, f in enumerate(frames, start=1):
        try:
            gen.send(f)
        except StopIteration:
            return n
    raise AssertionError("the strategy never finished")


@pytest.mark.parametrize("name", sorted(CONFIGS))
@pytest.mark.parametrize("phase", ["engage", "release"])
def test_a_phase_commands_its_action_and_waits_for_its_statuses(name, phase):
    """Engage ends on the engaged statuses, release on the released ones; the
    matching require_* passes on them and faults on the other state."""
    g = group(CONFIGS[name])
    engaged, released = statuses(g, engaged=True), statuses(g, engaged=False)
    done, other = (engaged, released) if phase == "engage" else (released, engaged)
    require = {"engage": "require_all_engaged", "release": "require_all_released"}[phase]
    strategy, seq = LockStrategy(g), FakeSequence()
    assert run(getattr(strategy, phase)(seq), [frame(other), frame(other), frame(done)]) == 3
    expected = (wire.LOCK_ENGAGE, wire.LOCK_HOLD) if phase == "engage" else (wire.LOCK_RELEASE,)
    assert seq.locks["all"] in expected
    seq.frame = frame(done)
    getattr(strategy, require)(seq)
    seq.frame = frame(other)
    with pytest.raises(Fault, match="not every lock reads"):
        getattr(strategy, require)(seq)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_channels_that_disagree_on_any_lock_are_a_fault(name):
    g = group(CONFIGS[name])
    strategy, seq = LockStrategy(g), FakeSequence()
    gen = strategy.engage(seq)
    next(gen)
    with pytest.raises(Fault, match="channels disagree"):
        gen.send(frame(statuses(g, engaged=True), disagree=next(iter(g.engaged_when))))


def test_an_electro_permanent_latch_is_confirmed_by_its_magnetisation_and_kept_pulsed():
    g = group("em_latch_ep")
    assert g.engaged_when == {"gap_closed": True, "magnetised": True}
    assert g.released_when == {"magnetised": False}
    # The engage command stays, so an electro-permanent magnet is pulsed to saturation.
    seq = FakeSequence()
    run(LockStrategy(g).engage(seq), [frame({"gap_closed": True, "magnetised": True})])
    assert seq.locks == {"all": wire.LOCK_ENGAGE}


def test_a_hydraulic_valve_is_closed_once_the_pins_are_confirmed():
    seq = FakeSequence()
    run(LockStrategy(group("hydraulic_pin")).engage(seq), [frame({"extended": True, "pressure_ok": True})])
    assert seq.locks == {"all": wire.LOCK_HOLD}


def test_a_lock_group_without_confirmation_sets_cannot_be_confirmed():
    bare = LockGroup(type="bolt", count=2, ids=IDS, channels={"torque_ok": 2}, engage_time_s=1.0)
    assert not LockStrategy(bare).confirmable
