"""A batch composes its shared base once (swaptwin.config.Composer): every job
must get exactly the config a full Hydra composition of its overrides gives,
and every job it cannot copy safely must be composed in full."""

from __future__ import annotations

import pytest

from swaptwin.commands.qualify import load_spec, qualification_jobs
from swaptwin.config import Composer, load
from twin.schema import ConfigError


@pytest.mark.parametrize("base", [[], ["rig=overhead"], ["pack=nio_75kwh", "lock=em_latch"]])
def test_a_qualifications_jobs_get_the_configs_a_full_composition_gives(base):
    cfg = load(base)
    jobs = qualification_jobs(cfg, load_spec(), 4)
    configs = Composer(base)
    for job in jobs:
        assert configs.load(list(job.overrides)).resolved == load([*base, *job.overrides]).resolved
    assert (configs.copied, configs.composed) == (4, 0)


def test_the_copy_is_the_jobs_own_and_the_base_stays_untouched():
    configs = Composer([])
    first = configs.load(["seed=7", "scenario.parking_offset_mm=[5.0,-3.0]"])
    second = configs.load([])
    assert first.plant.seed == 7 and list(first.plant.scenario.parking_offset_mm) == [5.0, -3.0]
    assert second.resolved == load([]).resolved


@pytest.mark.parametrize(
    "overrides",
    [
        ["lock=em_latch"],  # a group
        ["vehicle=sedan", "seed=2"],  # a group among values
        ["+extra_key=1"],  # an append
        ["pack.vehicles=[sedan]"],  # decides which vehicle is composed
    ],
)
def test_what_is_not_a_value_override_of_the_base_is_composed_in_full(overrides):
    configs = Composer([])
    try:
        got = configs.load(overrides).resolved
    except Exception as exc:  # noqa: BLE001 - the same failure as a full composition, below
        with pytest.raises(type(exc)):
            load(overrides)
    else:
        assert got == load(overrides).resolved
    assert (configs.copied, configs.composed) == (0, 1)


def test_a_key_the_base_does_not_have_fails_as_hydra_says():
    with pytest.raises(Exception) as full:
        load(["scenario.no_such_key=1"])
    configs = Composer([])
    with pytest.raises(type(full.value)) as copied:
        configs.load(["scenario.no_such_key=1"])
    assert str(copied.value) == str(full.value)
    assert configs.composed == 1


def test_a_bad_value_names_the_key_and_its_range_either_way():
    with pytest.raises(ConfigError) as full:
        load(["physics.step_s=5"])
    with pytest.raises(ConfigError) as copied:
        Composer([]).load(["physics.step_s=5"])
    assert str(copied.value) == str(full.value)
    assert "physics.step_s" in str(copied.value)
