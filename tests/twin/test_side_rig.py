"""The side rig family (issue 16): its pre-check criteria follow their formulas and each can fail,
the other rigs refuse a side pack for the access reason, and the sequence's config is known."""

from __future__ import annotations

import pytest

from swaptwin.commands.check import precheck as check
from swaptwin.config import load

SIDE = ("catalog", "frame_present", "reach", "lateral_clearance", "tray_fit", "tray_support", "suspension_travel")


def _report(*overrides: str):
    cfg = load(["rig=side", *overrides])
    return check(cfg.plant, controller=cfg.controller)


def test_the_reference_side_pack_passes_every_criterion():
    report = _report()
    assert report.passed, [c for c in report.criteria if not c.passed]
    assert set(SIDE) <= {c.name for c in report.criteria}


@pytest.mark.parametrize(
    "overrides, name, margin",
    [
        # lift to the frame entry: 600 - (2 packs) 4000 x 9.81 / 800 (no roll, both flanks full) - 400 - 30
        # = 120.95 mm; lower bound raised to 200
        (("rig.axes.lift.lower_mm=200", "rig.axes.lift.home_mm=250"), "reach", 120.95 - 200),
        # rail at 1700: 1700 - (450 + 40 + 2) - 1275 - (2 + 0.5)
        (("rig.carrier.rail_y_mm=1700", "rig.axes.reach.home_mm=1700"), "lateral_clearance", -69.5),
        # ledges 1900 apart - (1850 + 8) - 2 x 2.5
        (("rig.tray.length_mm=1850",), "tray_fit", 1900 - 1858 - 5),
        (("rig.tray.length_mm=1900",), "tray_fit", 1900 - 1908 - 5),
        # CoG 900 mm off centre over a 1700 mm tray: 850 - 900 - 2.5
        (("pack.cog_mm=[900,0,-400]",), "tray_support", 850 - 900 - 2.5),
        # 100 travel - 2 packs x 2020 x 9.81 / 150 (the full vehicle's sink beats the emptied frame's rise)
        (("vehicle.suspension.stiffness_n_per_mm=150",), "suspension_travel", 100 - 2 * 2020 * 9.81 / 150),
        # a soft roll: one pack out rolls the body 2000 x 9.81 x 0.795 / (1000 x 57.3) = 0.272 rad, the frame
        # rises 24.5 (heave) + 0.795 x 0.272 x 1000 = 240.8 mm > 100 mm travel
        (
            ("vehicle.roll_stiffness_nm_per_deg=1000",),
            "suspension_travel",
            100 - (2000 * 9.81 / 800 + 0.795**2 * 2000 * 9.81 / (1000 * 57.29577951308232) * 1000),
        ),
    ],
)
def test_side_margins_follow_their_formulas(overrides, name, margin):
    c = _report(*overrides).criterion(name)
    assert (c.margin, c.unit, c.passed) == (pytest.approx(margin), "mm", margin >= 0)


def test_a_vehicle_without_a_frame_on_the_packs_flank_is_refused():
    report = _report("pack.side=right", "vehicle.frames=[{name: l1, x_mm: 0, side: left}]")
    assert not report.criterion("frame_present").passed


def test_a_frame_the_packs_flank_does_not_have_is_refused_not_crashed():
    report = _report("rig=side_bus", "rig.swap_frame=r2")  # the box opens to the left flank
    c = report.criterion("frame_present")
    assert not c.passed and "no frame 'r2'" in c.reason


def test_a_weak_clip_fails_lock_holding_and_a_heavy_pack_the_payload():
    assert not _report("lock.retention_capacity_n=30000").criterion("lock_holding").passed
    assert not _report("pack.mass_kg=2600").criterion("payload").passed


def test_lock_capture_fails_when_the_clip_captures_less_than_the_position_error():
    c = _report("lock.lateral_capture_mm=2").criterion("lock_capture")
    assert not c.passed


@pytest.mark.parametrize("rig", ["under_chassis", "overhead"])
def test_the_other_rigs_refuse_a_side_pack_for_the_access_reason(rig):
    cfg = load([f"rig={rig}", "pack=side_truck_2t", "vehicle=side_frame_tractor"])
    report = check(cfg.plant, controller=cfg.controller)
    access = report.criterion("access")
    assert not access.passed
    assert "from the side" in access.reason and "side rig" in access.reason
