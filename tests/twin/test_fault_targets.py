"""A fault that names a lock, axis, sensor or signal the station does not have,
or a kind no part of the station takes, is refused when the config loads, with
the key that names it, before anything is built; the declarations the check
uses are held to what the stations really publish and take."""

from __future__ import annotations

import pytest

from swaptwin.config import load
from twin.faults import available_kinds
from twin.rigs import FAMILIES, make_station
from twin.schema import ConfigError


@pytest.mark.parametrize("rig", sorted(FAMILIES))
def test_the_declarations_match_what_the_station_publishes_and_takes(rig):
    cfg = load([f"rig={rig}"]).plant
    station = make_station(cfg)
    try:
        body = station.frame().to_body()
        desc = station.describe()
        signals = set(station._signals())
        targets = station._fault_targets()
    finally:
        station.close()
    family = FAMILIES[rig]
    # Every sensor the family declares is in the frame, where its dotted name says, and described.
    for name in family.sensor_names:
        at = body["sensors"]
        for key in name.split("."):
            at = at[key]
    assert {name.split(".")[0] for name in family.sensor_names} == set(body["sensors"])
    assert set(desc.sensors) == set(family.sensor_names)
    assert set(family.signals) <= signals, signals
    # Every fault kind the config check allows for this plant has a part that takes it.
    from twin.schema.fault import SENSOR_KINDS, STATIC_KINDS

    assert available_kinds(cfg) - SENSOR_KINDS - STATIC_KINDS <= set(targets)


@pytest.mark.parametrize(
    "overrides, key, words",
    [
        (["fault=pin_jam", "fault.lock=7"], "fault.lock", "the pack has 4 locks"),
        (["fault=sensor_stuck", "fault.sensor=lidar"], "fault.sensor", "no sensor 'lidar'"),
        (["fault=pressure_loss", "lock=em_latch"], "fault.kind", "em_latch locks take lock_jam"),
        (["fault=lock_channels_disagree", "fault.sensor=coil_ok"], "fault.sensor", "not a channel of a hydraulic_pin"),
        (["fault=suspension_sag"], "fault.kind", "the car takes latch_power_loss"),
        (["fault=encoder_drift", "fault.axis=hoist"], "fault.axis", "axis 'hoist' does not exist"),
        (
            ["fault=pin_jam", "fault.at.phase=null", "fault.at.signal=suspension_mm", "fault.at.above=5"],
            "fault.at.signal",
            "no signal 'suspension_mm'",
        ),
        (["+extra_faults=[{use: sensor_stuck, sensor: radar}]"], "extra_faults[0].sensor", "no sensor 'radar'"),
    ],
)
def test_a_fault_aimed_at_something_the_station_lacks_is_refused_at_load(overrides, key, words):
    with pytest.raises(ConfigError) as e:
        load(overrides)
    keys = [p.key for p in e.value.problems]
    assert key in keys, str(e.value)
    assert words in str(e.value)


def test_a_channel_disagreement_without_a_channel_hits_the_lock_types_first_channel():
    for lock in ("hydraulic_pin", "em_latch", "mech_clip"):
        p = load(
            [
                "fault=lock_channels_disagree",
                f"lock={lock}",
                "fault.at.phase=null",
                "fault.at.t_s=0",
                "fault.at.delay_s=0",
            ]
        ).plant
        station = make_station(p)
        try:
            station.advance()
            locks = station.frame().sensors["locks"][str(p.fault.lock or 0)]
        finally:
            station.close()
        first = next(iter(locks))
        assert locks[first][0] != locks[first][1], (lock, locks)
        assert all(a == b for name, (a, b) in locks.items() if name != first), (lock, locks)
