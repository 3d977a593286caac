"""The pre-check judges the adjustable tooling: the margin for packs the tool can
take, a refusal with the margin for the rest; access directions; not-judged criteria."""

from __future__ import annotations

import pytest

from swaptwin.commands.check import precheck
from swaptwin.config import load
from twin.precheck import format_report
from twin.schema import ConfigError


def _report(*overrides: str):
    cfg = load(list(overrides))
    return precheck(cfg.plant, cfg.controller)


@pytest.mark.parametrize(
    "overrides, margin",
    [
        # pads_x 800 in [330, 840]: 40 mm to the upper limit (the tightest axis)
        ((), 40.0),
        # the 2022 Choco block: pads_y 250 in [240, 440]
        (("pack=catl_choco_block_2022",), 10.0),
        # Model S: pads_x 820 in [330, 840]
        (("pack=tesla_model_s_85",), 20.0),
        # the Fluence: support points at x = 150, below pads_x's 330
        (("pack=better_place_fluence",), -180.0),
        # XCMG: span 1061 in [900, 1250]
        (("rig=overhead", "pack=xcmg_e700_282kwh"), 161.0),
        # the reference truck pack: span 1111, 139 mm to the upper limit
        (("rig=overhead",), 139.0),
    ],
)
def test_tooling_range_is_the_tightest_axis_inside_its_travel(overrides, margin):
    c = _report(*overrides).criterion("tooling_range")
    assert c.margin == pytest.approx(margin) and c.unit == "mm"
    assert c.passed == (margin >= 0)


def test_the_pads_and_pins_are_judged_where_the_tool_sets_them():
    """The 1000 x 680 mm block fits the pads only because they move in: at the
    home position (+-800 x +-400) they would stand off its bottom face."""
    moved = _report("pack=catl_choco_block_2022")
    # the tighter of x: 498 - 350 - 60 = 88 and y: (680 - 4) / 2 - 250 - 60 = 28
    assert moved.criterion("pallet_pads").margin == pytest.approx(28.0)
    assert moved.passed, format_report(moved)
    # A pallet whose pads barely move (799-801 mm): the setting stands at the limit, off the face.
    fixed = _report("pack=catl_choco_block_2022", "rig.axes.pads_x.lower_mm=799", "rig.axes.pads_x.upper_mm=801")
    assert fixed.criterion("tooling_range").margin == pytest.approx(350.0 - 799.0)
    # pads at x = 799: 498 - 799 - 60
    assert fixed.criterion("pallet_pads").margin == pytest.approx(498.0 - 799.0 - 60.0)


def test_a_rig_hole_on_an_end_face_is_refused_by_the_schema():
    """Fixed pins at x = +-700 fell on a 1.4 m pack's end faces unnoticed: a hole needs its chamfer and wall inside."""
    with pytest.raises(ConfigError) as err:
        load(["pack=car_100kwh", "pack.rig_holes.positions_mm=[[-990,0],[990,0]]"])
    hits = [p for p in err.value.problems if p.key == "pack.rig_holes.positions_mm[0]"]
    assert hits and "past the 2000.0 x 1400.0 mm bottom face" in hits[0].message


def test_a_pack_the_station_does_not_catalogue_fails_the_catalog_criterion():
    report = _report("rig.catalog=[car_75kwh_lfp]")
    assert [c.name for c in report.failed] == ["catalog"]
    assert "refused before anything moves" in report.criterion("catalog").reason


@pytest.mark.parametrize("rig", ["under_chassis", "overhead"])
def test_a_side_pack_is_refused_for_access_on_every_rig(rig):
    report = _report(f"rig={rig}", "pack=qingdao_bus_box", "lock=mech_clip")
    access = report.criterion("access")
    assert not access.passed and access.judged
    assert "no rig here reaches a pack from the side" in access.reason
    assert "only the side rig family reaches it" in access.reason
    assert report.failed[0].name == "access"
    # The rig's own criteria are not judged, and not listed as failures.
    assert report.not_judged and not any(c in report.failed for c in report.not_judged)
    assert "not judged" in format_report(report) and not report.passed


def test_a_top_lift_pack_under_the_shuttle_is_refused_first_for_access_naming_the_rig_that_reaches_it():
    report = _report("pack=truck_cab_back_280kwh")
    assert report.failed[0].name == "access"
    assert "only the overhead rig family reaches it" in report.failed[0].reason
    assert {"bay_width", "pallet_pads"} <= {c.name for c in report.not_judged}
    assert report.to_dict()["not_judged"] and "bay_width" not in report.to_dict()["failed"]


def test_an_access_that_contradicts_the_form_is_a_config_error():
    with pytest.raises(ConfigError) as err:
        load(["pack=car_100kwh", "pack.access=above"])
    assert any(p.key == "pack.access" and "reached from below" in p.message for p in err.value.problems)
