"""A fault that names a lock, axis, sensor or signal the station does not have is
refused when the config loads, with the key that names it, before anything is
built; the table the check uses is held to what the stations really publish."""

from __future__ import annotations

import pytest

from swaptwin.config import load
from twin.faults import SENSORS, SIGNALS
from twin.schema import ConfigError
from twin.stations import make_station


@pytest.mark.parametrize("rig", ["under_chassis", "overhead"])
def test_the_fault_target_table_matches_what_the_station_publishes(rig):
    station = make_station(load([f"rig={rig}"]).plant)
    try:
        frame = station.frame()
        desc = station.describe()
        signals = set(station._signals())
    finally:
        station.close()
    assert {name.split(".")[0] for name in SENSORS[rig]} == set(frame["sensors"])
    for name in (n for n in SENSORS[rig] if "." in n):  # a sensor inside a group
        group, key = name.split(".")
        assert key in frame["sensors"][group], name
    # The description names every sensor a frame carries (the load cell by its meaning, locks under "locks").
    described = {"load_cell_n" if k == "load_cell" else k for k in desc["sensors"]} | {"locks"}
    assert set(frame["sensors"]) <= described, set(frame["sensors"]) - described
    assert set(SIGNALS[rig]) <= signals, signals


@pytest.mark.parametrize(
    "overrides, key, words",
    [
        (["fault=pin_jam", "fault.lock=7"], "fault.lock", "the pack has 4 locks"),
        (["fault=sensor_stuck", "fault.sensor=lidar"], "fault.sensor", "no sensor 'lidar'"),
        (["fault=pressure_loss", "lock=em_latch"], "fault.kind", "pressure_pa"),
        (["fault=lock_channels_disagree", "fault.sensor=coil_ok"], "fault.sensor", "not a channel of a hydraulic_pin"),
        (["fault=suspension_sag"], "fault.kind", "rig=overhead"),
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
            locks = station.frame()["sensors"]["locks"][str(p.fault.lock or 0)]
        finally:
            station.close()
        first = next(iter(locks))
        assert locks[first][0] != locks[first][1], (lock, locks)
        assert all(a == b for name, (a, b) in locks.items() if name != first), (lock, locks)
