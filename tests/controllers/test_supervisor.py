"""Each check of the safety supervisor (controllers/supervisor.py) made to fire with synthetic frames,
in a phase that does not read that sensor itself, so that only the supervisor can have found it: the
safety inputs, the plant-time watchdog, every declared two-channel signal, load plausibility and a
load cell that stops reporting. The frames come from the mock station (tests/mock_station.py), its
readings set by its knobs or the frames altered on their way to the controller."""

from __future__ import annotations

import dataclasses

import pytest

import swapwire as wire
from controllers.supervisor import Fault, Supervisor, two_channel_signals
from swapwire.vocab import overhead, under_chassis
from tests.conftest import FAMILIES, composed, on_mock
from tests.mock_station import mock_station

SAFE_STOP = wire.OUTCOME_SAFE_STOP
VOCABULARIES = {"under_chassis": under_chassis, "overhead": overhead}
# Phases, and the part of them, in which nothing but the supervisor reads the signal under test:
# the shuttle's drive under the car, and the gantry's run to the empty stand with the depleted pack.
QUIET = {
    "under_chassis": lambda h: h.controller.phase == "drive_under" and h.station.frame().axes["travel"].vel > 0.2,
    "overhead": lambda h: h.controller.phase == "store_depleted" and abs(h.station.frame().axes["trolley"].vel) > 0.2,
}


def _quiet(family: str):
    h = on_mock(*FAMILIES[family])
    h.run(until=QUIET[family])
    assert h.controller.outcome is None
    h.shift = (0.0, 0)  # of the frames' time and numbering, on their way to the controller (see _shifted)
    return h


def _tuning():
    return composed().controller.supervisor


def _finish(h, frames: int = 200):
    for _ in range(frames):
        if h.controller.outcome is not None:
            break
        h.period()
    return h.controller.outcome


# -- 1. the safety inputs -------------------------------------------------------------------------
@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize(("sensor", "value", "reason"), [("estop", True, "emergency stop pressed"),
                                                          ("station_power", False, "station power lost")])  # fmt: skip
def test_a_safety_input_stops_the_swap_on_the_frame_that_reports_it(family, sensor, value, reason):
    h = _quiet(family)
    phase = h.controller.phase
    h.station.stick(sensor, value)  # the input alone: the station's own drives are left running
    h.period()
    h.period()
    out = _finish(h)
    assert (out.outcome, out.phase, out.detected_by, out.reason) == (SAFE_STOP, phase, "safety_input", reason)
    assert out.t_s == next(f.t_s for f in h.frames if f.sensors[sensor] == value)


# -- 2. the plant-time watchdog ---------------------------------------------------------------------
def _lost(h, _i):
    h.station.lose_frames(1)
    h.period()


def _repeated(h, _i):
    frame = h.station.frame()
    h.answer(frame)  # the same frame twice: the second is no new frame
    h.period(frame)


def _shifted(h):
    """The station's frame as it reaches the controller: its clock and its numbering may have jumped."""
    f = h.station.frame()
    return dataclasses.replace(f, t_s=f.t_s + h.shift[0], frame_seq=f.frame_seq + h.shift[1])


def _mistimed(h, _i):
    h.shift = (h.shift[0] + 0.6 * h.station.period_s, h.shift[1])  # the clock jumps, and stays ahead
    h.period(_shifted(h))


def _renumbered(h, _i):
    h.shift = (h.shift[0], h.shift[1] + 1)  # a frame number skipped, the time right (an insertion, a misorder)
    h.period(_shifted(h))


ANOMALIES = {"lost": _lost, "repeated": _repeated, "mistimed": _mistimed, "renumbered": _renumbered}


def _periods(h, n: int) -> None:
    """Up to ``n`` periods, until an outcome; a clock or a numbering that jumped ahead stays so."""
    for _ in range(n):
        if h.controller.outcome is not None:
            return
        h.period(_shifted(h))


@pytest.mark.parametrize("anomaly", ANOMALIES)
def test_the_watchdog_tolerates_its_allowance_of_anomalies_in_the_window(anomaly):
    h = _quiet("under_chassis")
    for i in range(_tuning().max_frame_anomalies):
        ANOMALIES[anomaly](h, i)
    _periods(h, 3000)  # to the end of the swap
    assert h.controller.outcome is not None and h.controller.outcome.outcome == wire.OUTCOME_DONE


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("anomaly", ANOMALIES)
def test_one_anomaly_more_than_the_allowance_in_the_window_stops_the_swap(family, anomaly):
    h = _quiet(family)
    phase = h.controller.phase
    for i in range(_tuning().max_frame_anomalies + 1):
        ANOMALIES[anomaly](h, i)
    _periods(h, 200)
    out = h.controller.outcome
    assert (out.outcome, out.phase, out.detected_by) == (SAFE_STOP, phase, "frame_watchdog")
    assert f"plant-time watchdog: {_tuning().max_frame_anomalies + 1} frames lost, repeated" in out.reason


def test_the_watchdog_window_slides():
    """As many anomalies as tripped the watchdog above, but the first has left the window when the last comes."""
    sup = _tuning()
    gap = -(-sup.window_frames // sup.max_frame_anomalies) + 1  # the last within the window of the first: no
    h = _quiet("under_chassis")
    for _ in range(sup.max_frame_anomalies + 1):
        _lost(h, 0)
        _periods(h, gap - 1)
    _periods(h, 3000)
    assert h.controller.outcome.outcome == wire.OUTCOME_DONE


# -- 3. every two-channel signal ----------------------------------------------------------------------
TWO_CHANNEL = [
    ("under_chassis", "pack_present"),
    ("under_chassis", "locks.0.extended"),
    ("under_chassis", "locks.3.pressure_ok"),
    ("overhead", "spreader.landed"),
    ("overhead", "locks.2.locked"),
    ("overhead", "spreader.locks.1.unlocked"),
]


def _disagreeing(h, name: str) -> tuple[bool, bool]:
    """The reading of ``name`` now, with its B channel the other way."""
    a, _ = h.station.reading(name)
    return (a, not a)


@pytest.mark.parametrize(("family", "name"), TWO_CHANNEL)
def test_channels_that_disagree_for_less_than_the_discrepancy_time_pass(family, name):
    h = _quiet(family)
    h.station.stick(name, _disagreeing(h, name))
    short = int(0.6 * _tuning().discrepancy_time_s / h.station.period_s)
    assert short >= 1
    _periods(h, short)
    h.station.unstick(name)
    _periods(h, 100)
    assert h.controller.outcome is None, h.controller.outcome


@pytest.mark.parametrize(("family", "name"), TWO_CHANNEL)
def test_channels_that_disagree_for_longer_stop_the_swap_naming_the_sensor(family, name):
    h = _quiet(family)
    phase = h.controller.phase
    h.station.stick(name, _disagreeing(h, name))
    _periods(h, 1)
    since_s = h.station.frame().t_s  # the first frame that carries the disagreement
    out = _finish(h)
    assert (out.outcome, out.phase, out.detected_by) == (SAFE_STOP, phase, "two_channel")
    assert out.reason.startswith(f"{name} channels disagree")
    discrepancy_s, period_s = _tuning().discrepancy_time_s, h.station.period_s
    assert discrepancy_s < out.t_s - since_s <= discrepancy_s + period_s + 1e-9


def _declared_two_channel(family: str, description) -> list[str]:
    """Every two-channel signal, by the vocabulary's sensors and the description's lock groups."""
    groups, names = description.lock_groups(), []
    for s in VOCABULARIES[family].SENSORS:
        if s.info.kind == "two_channel":
            names.append(s.name)
        elif s.info.kind == "lock_status":
            group = groups[s.info.lock_group]
            names += [f"{s.name}.{lid}.{channel}" for lid in group.ids for channel in group.channels]
    return names


@pytest.mark.parametrize("family", FAMILIES)
def test_every_two_channel_signal_the_description_declares_is_checked(family):
    station = mock_station(composed(*FAMILIES[family]).plant)
    description = station.describe()
    declared = _declared_two_channel(family, description)
    assert len(declared) > 2 * len(description.locks.ids)  # a switch and every lock's every channel
    assert [name for name, _ in two_channel_signals(description, station.frame())] == declared
    period_s = station.period_s
    for name in declared:  # and each of them, disagreeing, stops the swap
        station.initialize_session()
        sup = Supervisor(_tuning(), description, weight_n=1.0)
        sup.expect_load = None
        sup.check(station.frame())
        station.stick(name, (True, False))
        with pytest.raises(Fault) as caught:
            for _ in range(round(_tuning().discrepancy_time_s / period_s) + 3):
                station.advance()
                sup.check(station.frame())
        assert caught.value.by == "two_channel" and str(caught.value).startswith(f"{name} channels disagree")


# -- 4. load plausibility, and a load cell that stops reporting -----------------------------------------
def _load_frame(load_n):
    st = mock_station(composed().plant)
    return st.describe(), dataclasses.replace(st.frame(), sensors={**st.frame().sensors, "load_cell_n": load_n})


@pytest.mark.parametrize("expect", ["pack", "empty"])
@pytest.mark.parametrize(("beyond_n", "fires"), [(-1.0, False), (1.0, True)])
@pytest.mark.parametrize("side", [1, -1])
def test_the_load_cell_must_read_what_the_sequence_expects_within_the_tolerance(expect, beyond_n, fires, side):
    weight_n, tuning = 5000.0, _tuning()
    expected = weight_n if expect == "pack" else 0.0
    description, frame = _load_frame(expected + side * (tuning.load_tolerance_fraction * weight_n + beyond_n))
    sup = Supervisor(tuning, description, weight_n=weight_n)
    sup.expect_load = expect
    if not fires:
        sup.check(frame)
        return
    with pytest.raises(Fault, match=f"where {expected:.0f} N is expected \\({expect}\\)") as caught:
        sup.check(frame)
    assert caught.value.by == "load_plausibility"


@pytest.mark.parametrize("load_n", [-1e5, 0.0, 1e5])
def test_no_expectation_no_load_check_but_a_silent_load_cell_still_stops(load_n):
    description, frame = _load_frame(load_n)
    sup = Supervisor(_tuning(), description, weight_n=5000.0)
    sup.expect_load = None
    sup.check(frame)
    _, silent = _load_frame(None)
    with pytest.raises(Fault, match="load cell not reporting") as caught:
        sup.check(dataclasses.replace(silent, frame_seq=frame.frame_seq + 1, t_s=frame.t_s + 0.02))
    assert caught.value.by == "sensor_dropout"


LOADS = [
    ("under_chassis", "drive_under", 0.4, "empty"),  # an empty pallet that suddenly weighs 40 % of a pack
    ("under_chassis", "approach_align", 0.0, "pack"),  # a carried pack the load cell no longer sees
    ("overhead", "store_depleted", 0.5, "pack"),  # a hoist that carries half of what it lifted
]


@pytest.mark.parametrize(("family", "phase", "share", "expect"), LOADS)
def test_an_implausible_load_stops_the_swap_in_a_phase_that_does_not_weigh(family, phase, share, expect):
    h = on_mock(*FAMILIES[family])
    h.run(until=lambda h: h.controller.phase == phase and any(abs(a.vel) > 0.01 for a in h.frames[-1].axes.values()))
    h.station.stick("load_cell_n", share * h.controller.weight_n)
    out = _finish(h)
    assert (out.outcome, out.phase, out.detected_by) == (SAFE_STOP, phase, "load_plausibility")
    assert f"({expect})" in out.reason


@pytest.mark.parametrize("family", FAMILIES)
def test_a_load_cell_that_stops_reporting_stops_the_swap(family):
    h = _quiet(family)
    phase = h.controller.phase
    h.station.drop_load_cell()
    out = _finish(h)
    assert (out.outcome, out.phase, out.detected_by) == (SAFE_STOP, phase, "sensor_dropout")
