"""``swaptwin.compat.check``: each criterion's formula, its margin and unit, the
report's forms, and that it runs without pybullet."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from swaptwin.commands.check import precheck as check
from twin.precheck import format_report
from swaptwin.config import load
from tests.conftest import REPO

UNDER_CHASSIS = (
    "catalog",
    "tooling_range",
    "bay_width",
    "bay_length",
    "transport_clearance",
    "pallet_clearance",
    "lift_reach",
    "pallet_pads",
    "rig_pin_capture",
    "rig_pin_depth",
)
OVERHEAD = (
    "catalog",
    "tooling_range",
    "truck_width",
    "suspension",
    "hoist_landing",
    "hoist_carry",
    "hoist_slack",
    "spreader_coverage",
    "twist_lock_capture",
    "cone_capture",
    "cone_depth",
)
COMMON = (
    "access",
    "form",
    "vehicle",
    "payload",
    "lock_type",
    "lock_capture",
    "lock_holding",
    "connector_float",
    "voltage",
    "current",
)


def _report(*overrides: str):
    cfg = load(list(overrides))
    return check(cfg.plant, controller=cfg.controller)


@pytest.mark.parametrize("rig, own", [("under_chassis", UNDER_CHASSIS), ("overhead", OVERHEAD)])
def test_the_reference_pack_of_each_rig_passes_every_criterion(rig, own):
    report = _report(f"rig={rig}")
    assert report.passed, format_report(report)
    assert {c.name for c in report.criteria} == set(COMMON) | set(own)


def test_a_car_pack_on_the_overhead_rig_fails_on_form_and_its_fit_is_not_judged():
    report = _report("rig=overhead", "pack=car_100kwh")
    assert not report.passed
    form = report.criterion("form")
    assert not form.passed and "top_lift" in form.reason
    assert all(not report.criterion(n).passed and not report.criterion(n).judged for n in OVERHEAD)


def test_a_truck_behind_the_under_chassis_rig_fails_on_vehicle():
    report = _report("rig=overhead", "rig=under_chassis", "pack=car_100kwh", "vehicle=truck_cab_back")
    assert [c.name for c in report.failed if c.judged] == ["vehicle"]


@pytest.mark.parametrize(
    "overrides, name, margin, unit",
    [
        # 1560 - (1400 + 2 x 60 + 6)
        ((), "bay_width", 34.0, "mm"),
        # 2000 - (2000 + 8)
        (("vehicle.bay.length_mm=2000",), "bay_length", -8.0, "mm"),
        # 800 - (555 + 5) - 300
        (("rig.payload_kg=500",), "payload", -60.0, "kg"),
        # 800 - 900
        (("pack.electrical.nominal_voltage_v=900",), "voltage", -100.0, "V"),
        # 600 - 650
        (("pack.electrical.max_current_a=650",), "current", -50.0, "A"),
        # 2.5 float - (2 + 0.6 align)
        (("controller.sequences.under_chassis.align.tolerance_mm=0.6",), "connector_float", -0.1, "mm"),
        # chamfer 4 + (21 - 20) / 2 - (3 offset + 2 + 0.3)
        (("pack.rig_holes.positions_mm=[[-700,3],[700,0]]",), "rig_pin_capture", -0.8, "mm"),
        # 20 deep - 25 tall
        (("pack.rig_holes.depth_mm=20",), "rig_pin_depth", -5.0, "mm"),
        # 450 - (750 - (150 - 4) - 220 + 3)
        (("rig.axes.lift.upper_mm=380",), "lift_reach", -7.0, "mm"),
        # (750 - 140) - (270 + 20 + 150 + 4 + 40)
        (("vehicle.bay.wall_depth_mm=300",), "transport_clearance", -34.0, "mm"),
        # (1700 - 8) / 2 - 800 - 60: a shorter pack whose support points (so the pads) stay at x = +-800
        (("pack.dimensions.length_mm=1700",), "pallet_pads", -14.0, "mm"),
    ],
)
def test_under_chassis_margins_follow_their_formulas(overrides, name, margin, unit):
    c = _report(*overrides).criterion(name)
    assert (c.margin, c.unit, c.passed) == (pytest.approx(margin), unit, margin >= 0)


@pytest.mark.parametrize(
    "overrides, name, margin, unit",
    [
        # 2400 - (2400 + 8)
        (("vehicle.body.width_mm=2400",), "truck_width", -8.0, "mm"),
        # min(stand 1100, truck 1140 - 3200 x 9.81 / 800) + (2000 - 6) + 20 - 3200 - 120 overtravel
        (("rig.spreader.hoist_zero_height_mm=3200",), "hoist_landing", -206.0, "mm"),
        # 900 / 2 - 411 - 178 / 2
        (("rig.spreader.length_mm=900",), "spreader_coverage", -50.0, "mm"),
        # 70 / 2 + 25 - 66 / 2 - (2 + 1): the wider cones (the truck's, not the stands' 60 mm) count
        (("vehicle.cradle.cone_diameter_mm=66",), "cone_capture", 24.0, "mm"),
        # twist-lock head clearance across the aperture (63.5 - 56) / 2 - (2 + 1) - 1 mm offset of one casting
        (
            ("pack.lifting_points.positions_mm=[[-411,-1110],[411,-1111],[-411,1111],[411,1111]]",),
            "twist_lock_capture",
            -0.25,
            "mm",
        ),
        # 100 travel - 3220 x 9.81 / 400
        (("vehicle.suspension.stiffness_n_per_mm=400",), "suspension", 100 - 3220 * 9.81 / 400, "mm"),
        # hoist upper 1300 - (1290 + 100 + 2006 + 20 - 2000)
        (("rig.axes.hoist.upper_mm=1300", "rig.axes.hoist.home_mm=1300"), "hoist_carry", -116.0, "mm"),
        # sockets 140 deep, cones 150 tall
        (("pack.cone_sockets.depth_mm=140",), "cone_depth", -10.0, "mm"),
        # the landing jolt (6000 x 0.015 / 0.004 N) dips the hoist's 58.7 kN under 40 kN for one 4 ms step:
        # the 50 ms debounce rides through it with 46 ms to spare
        (("rig.structure.hoist_slack_force_n=40000",), "hoist_slack", 0.05 - 0.004, "s"),
        # a threshold above the hoisted weight: no load could ever be carried
        (("rig.structure.hoist_slack_force_n=60000",), "hoist_slack", 5980 * 9.81 - 60000, "N"),
        # no debounce: the jolt trips the switch
        (
            ("rig.structure.hoist_slack_force_n=40000", "rig.structure.hoist_slack_debounce_s=0"),
            "hoist_slack",
            -0.004,
            "s",
        ),
    ],
)
def test_overhead_margins_follow_their_formulas(overrides, name, margin, unit):
    c = _report("rig=overhead", *overrides).criterion(name)
    assert (c.margin, c.unit, c.passed) == (pytest.approx(margin), unit, margin >= 0)


def test_cones_wider_than_the_sockets_fail_cone_capture():
    c = _report("rig=overhead", "vehicle.cradle.cone_diameter_mm=72").criterion("cone_capture")
    assert (c.passed, c.margin) == (False, -1.0) and "do not fit" in c.reason


def test_a_lock_the_rig_cannot_operate_fails_even_as_a_what_if():
    c = _report("lock=twist_lock").criterion("lock_type")
    assert not c.passed and "what-if" in c.reason and c.margin is None


def test_a_what_if_lock_the_rig_operates_passes_and_says_so():
    c = _report("lock=em_latch").criterion("lock_type")
    assert c.passed and "what-if" in c.reason


@pytest.mark.parametrize(
    "overrides, margin",
    [
        # (28 - 20) / 2 radial clearance - (2 tolerance + 0.3 align)
        ((), 1.7),
        # the old 24 mm bracket hole: a lug bore at its tolerance limit stops the pin
        (("lock.bracket_hole_diameter_mm=24",), -0.3),
        # a clip meets its lug within 10 mm either way
        (("lock=mech_clip",), 7.7),
    ],
)
def test_lock_capture_is_the_models_own(overrides, margin):
    c = _report(*overrides).criterion("lock_capture")
    # the capture is found by bisection on the model, to 0.05 mm
    assert c.margin == pytest.approx(margin, abs=0.05) and c.passed == (margin >= 0) and c.unit == "mm"


def test_lock_holding_is_the_engaged_models_force_against_the_retention():
    cfg = load([])
    p = cfg.plant
    required = p.acceptance.required_force_n(
        mass_kg=p.pack.mass_kg + p.pack.tolerances.mass_kg, lock_count=4, gravity_m_s2=p.physics.gravity_m_s2
    )
    shear_n = (
        p.lock.shear_planes
        * p.lock.shear_allowable_mpa
        * 1e6
        * 3.141592653589793
        * (p.lock.pin_diameter_mm * 1e-3) ** 2
        / 4
    )
    c = _report().criterion("lock_holding")
    assert c.margin == pytest.approx((shear_n - required) / 1e3, abs=1e-3) and c.unit == "kN"
    # an electromagnetic latch on a 5.4 t truck pack: about a tenth of what it must hold
    heavy = _report("rig=overhead", "pack=truck_cab_back_420kwh_heavy", "lock=em_latch").criterion("lock_holding")
    assert not heavy.passed and heavy.margin < -80
    # with the pin's bore off its lug, the pin never engages: it holds nothing
    off = _report("lock.bracket_hole_diameter_mm=24").criterion("lock_holding")
    assert not off.passed and off.margin == pytest.approx(-required / 1e3, abs=1e-3)


def test_the_default_controller_is_the_composed_one():
    cfg = load([])
    assert check(cfg.plant) == check(cfg.plant, controller=cfg.controller)


def test_the_table_and_json_report_margins_with_units():
    report = _report("pack=car_120kwh_wide")
    text = format_report(report)
    assert text.splitlines()[0] == "swaptwin check: FAIL"
    row = next(line for line in text.splitlines() if line.strip().startswith("bay_width"))
    assert "FAIL" in row and "-36 mm" in row
    assert "failed: bay_width" in text
    data = json.loads(json.dumps(report.to_dict()))
    assert data["passed"] is False and data["failed"] == ["bay_width"]
    bay = next(c for c in data["criteria"] if c["name"] == "bay_width")
    assert (bay["margin"], bay["unit"]) == (-36.0, "mm")


def test_check_runs_without_importing_pybullet():
    code = (
        "import sys\n"
        "from swaptwin.config import load\n"
        "from swaptwin.commands.check import precheck\n"
        "for o in ([], ['rig=overhead']):\n"
        "    precheck(load(o).plant)\n"
        "print('pybullet' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
