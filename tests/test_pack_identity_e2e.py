"""The station identifies the pack, adapts its tool to it and checks what it lifted:
real swaps (plant and controller processes, real ZeroMQ and pybullet)."""

from __future__ import annotations

import pytest

from swaptwin.config import load
from swaptwin.processes import run_swap


def _swap(tmp_path, *overrides: str) -> dict:
    result = run_swap(load(list(overrides)), tmp_path / "run")
    assert result is not None, "the plant wrote no result"
    return result


def test_an_unknown_pack_is_refused_before_anything_moves(tmp_path):
    """The station's catalog lacks the pack's family: refused in identify, no axis
    commanded to move, for that reason."""
    result = _swap(tmp_path, "rig.catalog=[car_75kwh_lfp]")
    ctrl = result["controller"]
    assert (ctrl["outcome"], ctrl["phase"], ctrl["detected_by"]) == ("refused", "identify", "pack_identity")
    assert "'car_100kwh' is not in this station's catalog (car_75kwh_lfp)" in ctrl["reason"]
    assert [p["name"] for p in result["phases"]] == ["identify"]
    assert result["hazards"] == []
    assert "catalog" in result["precheck"]["failed"]


@pytest.mark.slow
def test_the_tool_adapts_to_a_small_pack_and_swaps_it(tmp_path):
    """The 1000 x 680 mm Choco block: the pads and pins move in (350 x 250, 350)
    before the shuttle approaches, and the swap passes."""
    result = _swap(tmp_path, "pack=catl_choco_block_2022")
    assert result["verdict"]["status"] == "pass", result["verdict"]
    assert result["hazards"] == []


@pytest.mark.slow
def test_the_spreader_adapts_its_span_to_a_narrower_truck_pack(tmp_path):
    result = _swap(tmp_path, "rig=overhead", "pack=xcmg_e700_282kwh")
    assert result["verdict"]["status"] == "pass", result["verdict"]
    assert len(result["locks"]) == 6 and all(lk["engaged"] for lk in result["locks"])


@pytest.mark.slow
def test_a_mislabelled_pack_is_weighed_and_stopped_at_lift_off(tmp_path):
    """A 345 kg pack whose label, BMS and registration all say the 555 kg family:
    registration cannot tell; the pad load cells can."""
    result = _swap(tmp_path, "pack=car_block_25", "fault=pack_mislabelled")
    ctrl = result["controller"]
    assert (ctrl["outcome"], ctrl["detected_by"], ctrl["phase"]) == ("safe_stop", "pack_check", "lower_withdraw")
    assert "wrong pack: the depleted pack weighs 34" in ctrl["reason"] and "555" in ctrl["reason"]
    assert result["hazards"] == []


@pytest.mark.slow
def test_shifted_modules_are_found_by_the_centre_of_gravity(tmp_path):
    result = _swap(tmp_path, "fault=cog_shifted", "fault.x_mm=120")
    ctrl = result["controller"]
    assert (ctrl["outcome"], ctrl["detected_by"], ctrl["phase"]) == ("safe_stop", "pack_check", "lower_withdraw")
    assert "centre of gravity is +12" in ctrl["reason"]
    assert result["hazards"] == []


@pytest.mark.slow
def test_a_cog_shift_within_tolerance_passes(tmp_path):
    """The check must not fire on a pack within its tolerance: 20 mm of a 40 mm limit."""
    result = _swap(tmp_path, "fault=cog_shifted", "fault.x_mm=20")
    assert result["controller"]["outcome"] == "done", result["controller"]


@pytest.mark.slow
def test_a_heavier_pack_than_the_full_speed_mass_travels_slower(tmp_path):
    """The controller adapts its transport to the mass it weighed: with full speed only up
    to 300 kg, the 555 kg pack travels at 300/555 of the travel axis's speed."""
    base = _swap(tmp_path / "a")
    slow = _swap(tmp_path / "b", "controller.sequences.under_chassis.full_speed_mass_kg=300")
    phase = {r["name"]: r["duration_s"] for r in base["phases"]}
    slowed = {r["name"]: r["duration_s"] for r in slow["phases"]}
    assert slowed["store_depleted"] > phase["store_depleted"] + 1.0
    assert slowed["approach_align"] > phase["approach_align"] + 1.0
    assert slowed["drive_under"] == pytest.approx(phase["drive_under"])  # empty: full speed
    assert slow["verdict"]["status"] == "pass"
