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


# What mutation testing (python -m bench mutation hazards) found the tests above left open: the
# record's shape and numbers, each comparison's exact boundary, and the contact monitor (whose
# real-process scenario, tests/test_hazards_fire.py, runs in a child process mutmut cannot see).
EXACT = Hazards(  # binary-exact products: 250 mm/s = 0.25 m/s, 10 mm = 0.01 m, 800 kg x 1.25 = 1000 kg
    fall_speed_mm_s=250.0,
    drop_distance_mm=10.0,
    rig_vehicle_contact=False,
    placement_interference_mm=1.0,
    rig_overload_factor=1.25,
)


def test_a_hazard_record_is_its_kind_its_time_to_the_microsecond_and_its_numbers():
    assert hazard("pack_dropped", 1.23456789, pack="charged") == {
        "event": "hazard",
        "kind": "pack_dropped",
        "t_s": 1.234568,
        "detail": {"pack": "charged"},
    }


def test_each_report_carries_the_numbers_that_made_it_a_hazard():
    m = _monitor()
    (e,) = _check(m, 0.0, carried_kg=881.5, payload_kg=801.23)
    assert e["kind"] == "rig_overload" and e["detail"] == {"carried_kg": 881.5, "limit_kg": 881.4}
    (e,) = _check(m, 0.1, connector_force_n=2000.46, connector_max_n=2000.0)
    assert e["kind"] == "connector_overload" and e["detail"] == {"force_n": 2000.5, "limit_n": 2000.0}
    m = _monitor()
    _check(m, 0.0, packs={"charged": (1.0, -0.30044)})
    (e,) = _check(m, 0.02, packs={"charged": (1.0 - 0.01023456, -0.30044)})
    assert e["detail"] == {"pack": "charged", "fall_mm": 10.235, "speed_mm_s": 300.4}
    seen: set = set()
    (e,) = false_engaged(0.0, {"7": {"gap_closed": (True, True)}}, {"7": _Lock(False)}, seen)
    assert e["detail"] == {"lock": "7", "type": "em_latch"}


def test_the_limits_themselves_are_no_hazard():
    m = HazardMonitor(EXACT, world=None, rig_body=-1, vehicle_body=-1)
    base = {"connector_force_n": 0.0, "connector_max_n": 2000.0, "payload_kg": 800.0}
    assert m.check(t_s=0.0, packs={}, carried_kg=1000.0, **base) == []  # the payload times the factor, exactly
    # Sinking at the fall speed exactly, for 100 mm: a lowering.
    assert all(m.check(t_s=0.0, packs={"p": (-0.01 * i, -0.25)}, carried_kg=0.0, **base) == [] for i in range(10))
    # Falling, 10 mm exactly: not beyond; a millimetre more is.
    assert m.check(t_s=0.0, packs={"q": (0.01, -0.3)}, carried_kg=0.0, **base) == []
    assert m.check(t_s=0.1, packs={"q": (0.0, -0.3)}, carried_kg=0.0, **base) == []
    assert [e["kind"] for e in m.check(t_s=0.2, packs={"q": (-0.001, -0.3)}, carried_kg=0.0, **base)] == [
        "pack_dropped"
    ]


def test_rig_overload_once_per_episode():
    m = HazardMonitor(EXACT, world=None, rig_body=-1, vehicle_body=-1)
    kinds = [
        [e["kind"] for e in _check(m, i * 0.1, carried_kg=kg)] for i, kg in enumerate([1000.5, 1200.0, 0.0, 1000.5])
    ]
    assert kinds == [["rig_overload"], [], [], ["rig_overload"]]


def test_rig_vehicle_contact_once_per_episode_naming_the_rig_link():
    """Two boxes in a pybullet DIRECT world: the rig's link 0 overlaps the vehicle's body, then
    moves clear, then touches again."""
    from dataclasses import replace
    from types import SimpleNamespace

    import pybullet as pb

    other = pb.connect(pb.DIRECT)  # an empty world first: the monitor must ask its own
    cid = pb.connect(pb.DIRECT)
    try:
        box = pb.createCollisionShape(pb.GEOM_BOX, halfExtents=[0.1, 0.1, 0.1], physicsClientId=cid)
        vehicle = pb.createMultiBody(0, box, basePosition=[0, 0, 0], physicsClientId=cid)
        rig = pb.createMultiBody(
            0, -1, basePosition=[0, 0, 1],  # a base with no shape, and one link with the box
            linkMasses=[0], linkCollisionShapeIndices=[box], linkVisualShapeIndices=[-1],
            linkPositions=[[0, 0, -0.85]], linkOrientations=[[0, 0, 0, 1]], linkInertialFramePositions=[[0, 0, 0]],
            linkInertialFrameOrientations=[[0, 0, 0, 1]], linkParentIndices=[0], linkJointTypes=[pb.JOINT_FIXED],
            linkJointAxis=[[0, 0, 1]], physicsClientId=cid,
        )  # fmt: skip
        m = HazardMonitor(replace(CFG, rig_vehicle_contact=True), SimpleNamespace(cid=cid), rig, vehicle)

        def at(z: float, t_s: float) -> list[dict]:
            pb.resetBasePositionAndOrientation(rig, [0, 0, z], [0, 0, 0, 1], physicsClientId=cid)
            pb.performCollisionDetection(physicsClientId=cid)
            return _check(m, t_s)

        first = at(1.0, 0.0)  # the link's box reaches 0.05 m into the vehicle's
        assert [e["kind"] for e in first] == ["rig_vehicle_collision"]
        assert first[0]["t_s"] == 0.0 and first[0]["detail"]["rig_link"] == 0
        assert first[0]["detail"]["points"] == len(pb.getContactPoints(rig, vehicle, physicsClientId=cid)) > 0
        assert at(1.0, 0.1) == []  # the same contact
        assert at(2.0, 0.2) == []  # clear
        assert [e["kind"] for e in at(1.0, 0.3)] == ["rig_vehicle_collision"]
    finally:
        pb.disconnect(cid)
        pb.disconnect(other)
