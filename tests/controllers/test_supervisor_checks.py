"""The safety supervisor's checks at their exact boundaries, on synthetic frames handed straight to
``Supervisor.check`` (no station, no phase machine). tests/controllers/test_supervisor.py makes each
check stop a swap through the controller; these pin what mutation testing (``python -m bench
mutation supervisor``) found those leave open: the boundary of each comparison, fail-closed safety
inputs, the watchdog's window, the discrepancy timer's restart, and which load is expected."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from controllers.config import SupervisorTuning
from controllers.supervisor import Fault, Supervisor, two_channel_signals
from swapwire.frame import AxisState, DriveReport, Frame, VisionReading
from swapwire.vocab import under_chassis

PERIOD_S = 0.25  # binary-exact, so that the watchdog's half-period boundary is exact too
WEIGHT_N = 4000.0
TUNING = SupervisorTuning(
    window_frames=4,
    max_frame_anomalies=1,
    load_tolerance_fraction=0.25,
    vision_consistency_mm=3.0,
    discrepancy_time_s=0.5,
)
# What the supervisor reads of a description: its sensors' kinds and the control period.
STATION = SimpleNamespace(
    sensors={s.name: s.info for s in under_chassis.SENSORS}, clock=SimpleNamespace(control_period_s=PERIOD_S)
)


def frame(seq: int, t_s: float | None = None, **sensors) -> Frame:
    readings = {
        "load_cell_n": 0.0,
        "pack_present": (False, False),
        "float_locked": True,
        "tool_coupled": False,
        "connector_mated": False,
        "vision": VisionReading(False),
        "locks": {"0": {"extended": (False, False), "pressure_ok": (True, True)}},
        "pack_id": None,
        "pad_loads_n": None,
        "estop": False,
        "station_power": True,
        **sensors,
    }
    axes = {a: AxisState(0.0, 0.0, 0.0, "holding", True) for a in under_chassis.AXES}
    t = seq * PERIOD_S if t_s is None else t_s
    return Frame(seq, t, axes, DriveReport("holding", 0, ()), readings, None)


def supervisor(expect_load: str | None = "empty") -> Supervisor:
    sup = Supervisor(TUNING, STATION, weight_n=WEIGHT_N)
    sup.expect_load = expect_load
    return sup


def fault(sup: Supervisor, f: Frame) -> Fault | None:
    try:
        sup.check(f)
    except Fault as e:
        return e
    return None


# -- safety inputs: only False / True let the swap go on -------------------------------------------
@pytest.mark.parametrize(("sensor", "value"), [("estop", True), ("estop", None), ("station_power", False),
                                               ("station_power", None)])  # fmt: skip
def test_a_safety_input_that_is_not_plainly_safe_stops(sensor, value):
    e = fault(supervisor(), frame(0, **{sensor: value}))
    assert e is not None and e.by == "safety_input"
    assert str(e) == ("emergency stop pressed" if sensor == "estop" else "station power lost")


def test_safe_inputs_and_a_good_stream_pass():
    sup = supervisor()
    assert [fault(sup, frame(i)) for i in range(20)] == [None] * 20


# -- the plant-time watchdog ----------------------------------------------------------------------
def test_frames_off_by_half_a_period_are_on_time_and_beyond_are_anomalies():
    sup = supervisor()
    times = [0.0, 0.375, 0.5, 0.875, 1.0]  # gaps 1.5, 0.5, 1.5, 0.5 periods: on the boundary, every one
    assert [fault(sup, frame(i, t)) for i, t in enumerate(times)] == [None] * 5
    sup = supervisor()
    assert fault(sup, frame(0, 0.0)) is None
    assert fault(sup, frame(1, 0.376)) is None  # the one anomaly allowed
    e = fault(sup, frame(2, 0.752))
    assert e is not None and e.by == "frame_watchdog"
    assert str(e) == "plant-time watchdog: 2 frames lost, repeated or off the period in the last 2"


@pytest.mark.parametrize("seqs", [(0, 0, 0), (0, 2, 4), (5, 4, 3)], ids=["repeated", "lost", "backwards"])
def test_a_frame_out_of_sequence_is_an_anomaly(seqs):
    sup = supervisor()
    verdicts = [fault(sup, frame(s, i * PERIOD_S)) for i, s in enumerate(seqs)]
    assert verdicts[:2] == [None, None]  # the first anomaly is allowed
    assert verdicts[2] is not None and verdicts[2].by == "frame_watchdog"


@pytest.mark.parametrize(("spacing", "fires"), [(TUNING.window_frames, False), (TUNING.window_frames - 1, True)])
def test_the_window_holds_the_last_window_frames_frames(spacing, fires):
    """One lost frame every ``spacing`` frames: two anomalies fall in one window only when they are
    fewer than window_frames frames apart."""
    sup = supervisor()
    seq, verdicts = 0, []
    for _ in range(5):
        for _ in range(spacing):
            verdicts.append(fault(sup, frame(seq)))
            seq += 1
        seq += 1
    assert any(v is not None for v in verdicts) == fires


# -- every two-channel signal ---------------------------------------------------------------------
def test_two_channel_signals_are_each_switch_and_each_lock_channel_in_frame_order():
    f = frame(0, pack_present=(True, False))
    assert list(two_channel_signals(STATION, f)) == [
        ("pack_present", (True, False)),
        ("locks.0.extended", (False, False)),
        ("locks.0.pressure_ok", (True, True)),
    ]


@pytest.mark.parametrize(
    ("name", "sensors"),
    [
        ("pack_present", {"pack_present": (True, False)}),
        ("locks.0.pressure_ok", {"locks": {"0": {"extended": (False, False), "pressure_ok": (False, True)}}}),
    ],
)
def test_channels_may_disagree_for_the_discrepancy_time_and_no_longer(name, sensors):
    sup = supervisor()
    assert fault(sup, frame(0)) is None
    assert [fault(sup, frame(i, **sensors)) for i in (1, 2, 3)] == [None] * 3  # 0.5 s: the allowance exactly
    e = fault(sup, frame(4, **sensors))
    assert e is not None and e.by == "two_channel"
    assert str(e).startswith(f"{name} channels disagree (A=") and str(e).endswith("for 0.75 s")


def test_channels_that_agree_again_restart_the_discrepancy_time():
    sup = supervisor()
    split = {"pack_present": (True, False)}
    stream = [split, split, split, {}, split, split, split]  # 0.5 s apart, then 0.5 s again: never beyond
    assert [fault(sup, frame(i, **s)) for i, s in enumerate(stream)] == [None] * len(stream)


# -- load plausibility ----------------------------------------------------------------------------
@pytest.mark.parametrize(("expect", "load_n", "fires"), [("pack", 5000.0, False), ("pack", 3000.0, False),
    ("pack", 5000.5, True), ("pack", 2999.5, True), ("empty", 1000.0, False), ("empty", -1000.0, False),
    ("empty", 1000.5, True), ("empty", -1000.5, True), (None, 1e6, False)])  # fmt: skip
def test_the_load_cell_against_the_expected_load_within_a_quarter_of_the_pack_weight(expect, load_n, fires):
    e = fault(supervisor(expect), frame(0, load_cell_n=load_n))
    assert (e is not None) == fires
    if fires:
        want = 4000 if expect == "pack" else 0
        assert e.by == "load_plausibility"
        assert str(e) == f"load cell reads {load_n:.0f} N where {want} N is expected ({expect})"


@pytest.mark.parametrize("expect", ["pack", "empty", None])
def test_a_silent_load_cell_stops_whatever_is_expected(expect):
    e = fault(supervisor(expect), frame(0, load_cell_n=None))
    assert e is not None and (e.by, str(e)) == ("sensor_dropout", "load cell not reporting")


def test_a_new_supervisor_expects_an_empty_rig():
    e = fault(Supervisor(TUNING, STATION, weight_n=WEIGHT_N), frame(0, load_cell_n=1000.5))
    assert e is not None and str(e) == "load cell reads 1000 N where 0 N is expected (empty)"


def test_a_station_without_a_load_cell_reads_as_empty():
    f = frame(0)
    del f.sensors["load_cell_n"]
    assert fault(supervisor("empty"), f) is None
