"""The physics-lever bench compares what it says it compares (its figures are not asserted)."""

from bench.physics import LEVERS, _shift


def _run(outcome="done", cycle_s=55.9, **offsets):
    return {"outcome": outcome, "cycle_s": cycle_s, "offsets": {tuple(k.split("/")): v for k, v in offsets.items()}}


def test_a_lever_that_loses_a_kpi_or_moves_an_offset_says_so():
    ref = _run(**{"mating/charged/-/x_mm": -0.4, "first_contact/depleted/vehicle/x_mm": 0.0})
    lever = _run(cycle_s=55.86, **{"mating/charged/-/x_mm": -0.1})
    shift = _shift(lever, ref)
    assert shift["max_offset_shift_mm"] == 0.3
    assert shift["cycle_shift_s"] == -0.04
    assert shift["offsets_missing"] == ["first_contact/depleted/vehicle"]
    assert shift["offsets_new"] == [] and shift["same_outcome"]


def test_a_lever_identical_to_the_default_shifts_nothing():
    ref = _run(**{"mating/charged/-/x_mm": -0.4})
    assert _shift(ref, ref) == {
        "same_outcome": True,
        "cycle_shift_s": 0.0,
        "max_offset_shift_mm": 0.0,
        "offsets_missing": [],
        "offsets_new": [],
    }
    assert _shift(_run(outcome="safe_stop", cycle_s=None), ref)["same_outcome"] is False


def test_every_lever_differs_from_the_default():
    assert LEVERS["default"] == ([], None)
    assert all(overrides or tweak for name, (overrides, tweak) in LEVERS.items() if name != "default")
