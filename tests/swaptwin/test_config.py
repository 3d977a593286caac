"""Config is data: every group composes and validates; bad values fail early and say where."""

from __future__ import annotations

import pytest

from swaptwin.config import CONFIG_DIR, GROUPS, load
from twin.schema import ConfigError


def _options(group: str) -> list[str]:
    return sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))


# Options that only fit another station than the default one (their targets are
# checked at load, tests/twin/test_fault_targets.py).
_CONTEXT = {
    ("fault", "broken_spring"): ["lock=mech_clip"],
    ("fault", "suspension_sag"): ["rig=overhead"],
    **{("fault", bolt_fault): ["lock=bolt"] for bolt_fault in ("under_torque", "cross_thread", "seized_bolt")},
}


@pytest.mark.parametrize("group", GROUPS)
def test_every_option_of_every_group_composes_and_validates(group):
    options = _options(group)
    assert options, f"config group {group} is empty"
    for option in options:
        load([f"{group}={option}", *_CONTEXT.get((group, option), [])])


@pytest.mark.parametrize(
    "override, file_or_source, key, text",
    [
        (
            "pack.mass_kg=-5",
            "command-line override 'pack.mass_kg=-5'",
            "pack.mass_kg",
            "allowed range [10.0, 20000.0] kg",
        ),
        ("pack.dimensions.width_mm=wide", "command-line override", "pack.dimensions.width_mm", "is not a number"),
        (
            "rig.axes.lift.max_speed_mm_s=0",
            "command-line override",
            "rig.axes.lift.max_speed_mm_s",
            "[0.1, 5000.0] mm/s",
        ),
        ("lock.type=rivet", "command-line override", "lock.type", "is not known; choose one of"),
        ("+pack._target_=os.system", "command-line override", "pack._target_", "code-bearing keys are refused"),
        ("+scenario.parking_offset_cm=3", "command-line override", "scenario.parking_offset_cm", "unknown key"),
        (
            "wire.control_period_s=0.021",
            "command-line override",
            "wire.control_period_s",
            "whole multiple of physics.step_s",
        ),
        ("clock=fast", "command-line override", "clock", "'lockstep' or 'realtime'"),
        ("~pack.connector", "command-line override", "pack.connector", "missing"),
        ("n=0", "command-line override", "n", "[1, 100000]"),
        ("n_jobs=many", "command-line override", "n_jobs", "number of parallel swaps"),
        ("executor=slurm", "command-line override", "executor", "'local' or 'ray'"),
        ("ray.address=[1,2]", "command-line override", "ray.address", "HOST:PORT, auto or null"),
        (
            "scenario.charged_pack_deviation.lock_mm=[[1,1]]",
            "command-line override",
            "scenario.charged_pack_deviation.lock_mm",
            "1 deviations for the 4 locks",
        ),
    ],
)
def test_bad_values_name_the_source_key_and_allowed_range(override, file_or_source, key, text):
    with pytest.raises(ConfigError) as err:
        load([override])
    lines = [str(p) for p in err.value.problems]
    assert any(file_or_source in line and f": {key}:" in line and text in line for line in lines), lines


def test_a_bad_value_in_a_file_names_that_file(tmp_path, monkeypatch):
    """A pack file with a negative mass is refused naming configs/pack/<file>.yaml."""
    import shutil

    import swaptwin.config as config

    conf = tmp_path / "configs"
    shutil.copytree(CONFIG_DIR, conf)
    bad = (conf / "pack" / "car_100kwh.yaml").read_text().replace("mass_kg: 555", "mass_kg: -555")
    (conf / "pack" / "broken.yaml").write_text(bad)
    monkeypatch.setattr(config, "CONFIG_DIR", conf)
    with pytest.raises(ConfigError) as err:
        config.load(["pack=broken"])
    assert [str(p) for p in err.value.problems] == [
        "configs/pack/broken.yaml: pack.mass_kg: -555 is out of range; allowed range [10.0, 20000.0] kg"
    ]


def test_all_problems_are_reported_at_once():
    with pytest.raises(ConfigError) as err:
        load(["pack.mass_kg=-1", "rig.payload_kg=-1", "seed=-3"])
    keys = {p.key for p in err.value.problems}
    assert {"pack.mass_kg", "rig.payload_kg", "seed"} <= keys


def test_control_period_is_a_whole_multiple_of_the_physics_step():
    cfg = load([]).plant
    ratio = cfg.wire.control_period_s / cfg.physics.step_s
    assert abs(ratio - round(ratio)) < 1e-9 and round(ratio) >= 1


def test_a_batch_keeps_every_failing_runs_recording_whatever_record_batch_says():
    assert load([]).record.policy(batch=True) == "failing"
    assert load(["record.batch=all"]).record.policy(batch=True) == "always"
    assert load(["record.enabled=false"]).record.policy(batch=False) == "never"
    with pytest.raises(ConfigError, match="record.batch"):
        load(["record.batch=none"])  # there is no setting that drops a failing run's recording
