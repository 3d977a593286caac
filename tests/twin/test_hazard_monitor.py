"""The hazard monitors' thresholds, exactly: just below a limit nothing, just
above it one report per episode, with the numbers that made it a hazard."""

from __future__ import annotations

import pytest

from twin.entities.hazards import HAZARD_KINDS, HazardMonitor, false_engaged, hazard
from twin.schema.hazards import Hazards

CFG = Hazards(
    fall_speed_mm_s=250.0,
    drop_distance_mm=10.0,
    rig_vehicle_contact=False,  # needs a pybullet world: tests/test_hazards_fire.py
    placement_interference_mm=1.0,
    rig_overload_factor=1.1,
)


def _monitor() -> HazardMonitor:
    return HazardMonitor(CFG, world=None, rig_body=-1, vehicle_body=-1)


def _check(m: HazardMonitor, t_s: float, **kw) -> list[dict]:
    args = {"packs": {}, "connector_force_n": 0.0, "connector_max_n": 2000.0, "carried_kg": 0.0, "payload_kg": 800.0}
    return m.check(t_s=t_s, **{**args, **kw})


def test_connector_overload_above_its_rating_once_per_episode():
    m = _monitor()
    assert _check(m, 0.0, connector_force_n=2000.0) == []
    first = _check(m, 0.1, connector_force_n=2000.5)
    assert [e["kind"] for e in first] == ["connector_overload"] and first[0]["detail"]["limit_n"] == 2000.0
    assert _check(m, 0.2, connector_force_n=2500.0) == []  # the same episode
    assert _check(m, 0.3, connector_force_n=100.0) == []
    assert [e["kind"] for e in _check(m, 0.4, connector_force_n=2001.0)] == ["connector_overload"]


def test_rig_overload_above_payload_times_the_factor():
    m = _monitor()
    assert _check(m, 0.0, carried_kg=880.0) == []  # 800 kg x 1.1 exactly
    events = _check(m, 0.1, carried_kg=880.1)
    assert [e["kind"] for e in events] == ["rig_overload"] and events[0]["detail"]["limit_kg"] == 880.0


def test_a_fall_is_a_drop_only_beyond_its_speed_and_its_distance():
    m = _monitor()
    z = 1.0
    # Sinking at 240 mm/s (below the fall speed) for 100 mm: a lowering, not a fall.
    for i in range(10):
        assert _check(m, i * 0.04, packs={"charged": (z - 0.01 * i, -0.24)}) == []
    m = _monitor()
    events = []
    for i in range(6):  # falling at 300 mm/s, 1.98 mm per period
        events += _check(m, i * 0.02, packs={"charged": (z - 0.00198 * i, -0.3)})
    assert events == []  # 9.9 mm fallen: not yet beyond
    events = _check(m, 0.12, packs={"charged": (z - 0.0102, -0.3)})
    assert [e["kind"] for e in events] == ["pack_dropped"] and events[0]["detail"]["fall_mm"] == pytest.approx(10.2)
    assert _check(m, 0.14, packs={"charged": (z - 0.02, -0.3)}) == []  # reported once per fall


class _Lock:
    lock_type = "em_latch"

    def __init__(self, engaged: bool):
        self.engaged = engaged

    def reported_engaged(self, channels: dict) -> bool:
        return all(a and b for a, b in channels.values())


def test_a_lock_reported_engaged_while_open_once_per_episode():
    seen: set = set()
    both, one = {"gap_closed": (True, True)}, {"gap_closed": (True, False)}
    assert false_engaged(0.0, {"0": both}, {"0": _Lock(True)}, seen) == []
    assert false_engaged(0.1, {"0": one}, {"0": _Lock(False)}, seen) == []  # open and not confirmed: fine
    events = false_engaged(0.2, {"0": both}, {"0": _Lock(False)}, seen)
    assert [e["kind"] for e in events] == ["lock_reported_engaged_while_open"]
    assert false_engaged(0.3, {"0": both}, {"0": _Lock(False)}, seen) == []


def test_only_declared_hazard_kinds_can_be_reported():
    with pytest.raises(ValueError, match="HAZARD_KINDS"):
        hazard("rig_felt_sad", 0.0)
    assert all(HAZARD_KINDS.values())
