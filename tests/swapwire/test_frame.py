"""Frames: what the plant sends reads back the same; a frame that breaks its declarations is refused."""

from __future__ import annotations

import copy

import pytest

import swapwire as wire
from swapwire.frame import AxisState, DriveReport, Frame, FrameReader, VisionReading
from swapwire.vocab import overhead, under_chassis

LOCKS = {"0": {"extended": (True, True), "pressure_ok": (True, False)}}


def reader(vocab, groups) -> FrameReader:
    return FrameReader({s.name: s.info for s in vocab.SENSORS}, list(vocab.AXES), groups)


def car_frame() -> Frame:
    axes = {a: AxisState(0.1, 0.0, 5.0, "active", True) for a in under_chassis.AXES}
    sensors = {
        "load_cell_n": None,
        "pack_present": (True, False),
        "float_locked": True,
        "tool_coupled": False,
        "connector_mated": False,
        "vision": VisionReading(True, 0.001, -0.002, 0.3, 0.01),
        "locks": LOCKS,
        "pack_id": "car_100kwh",
        "pad_loads_n": [1350.0, 1360.0, 1370.0, 1380.0],
        "estop": False,
        "station_power": True,
    }
    return Frame(12, 0.24, axes, DriveReport("active", 0, ("x",)), sensors, 11, 2)


def test_a_frame_reads_back_as_it_was_sent():
    f = car_frame()
    assert reader(under_chassis, {"locks": (["0"], ["extended", "pressure_ok"])}).read(f.to_body()) == f


def test_dotted_sensors_nest_on_the_wire_and_read_back_flat():
    locks = {"0": {"locked": (True, True), "unlocked": (False, False), "seated": (True, True)}}
    axes = {a: AxisState(0.0, 0.0, 0.0, "holding", True) for a in overhead.AXES}
    sensors = {
        "load_cell_n": 12.5,
        "float_locked": True,
        "vision": VisionReading(False),
        "spreader.landed": (True, True),
        "spreader.locks": locks,
        "locks": locks,
        "connector_mated": True,
        "vehicle_interface": True,
        "pack_id": None,
        "estop": False,
        "station_power": True,
    }
    f = Frame(0, 0.0, axes, DriveReport("holding", 0, ()), sensors, None)
    body = f.to_body()
    assert body["sensors"]["spreader"] == {
        "landed": [True, True],
        "locks": {"0": {"locked": [True, True], "unlocked": [False, False], "seated": [True, True]}},
    }
    channels = ["locked", "unlocked", "seated"]
    assert reader(overhead, {"locks": (["0"], channels), "spreader": (["0"], channels)}).read(body) == f


def _broken(path: tuple, value):
    body = car_frame().to_body()
    at = body
    for k in path[:-1]:
        at = at[k]
    if value is KeyError:
        del at[path[-1]]
    else:
        at[path[-1]] = value
    return body


@pytest.mark.parametrize(
    "path, value",
    [
        (("sensors", "pack_present"), [True]),
        (("sensors", "pack_present"), True),
        (("sensors", "vision"), KeyError),
        (("sensors", "vision"), {"valid": 1}),
        (("sensors", "load_cell_n"), "12"),
        (("sensors", "pack_id"), 7),
        (("sensors", "pack_id"), ""),
        (("sensors", "pack_id"), "x" * 129),
        (("sensors", "pad_loads_n"), [1.0, 2.0, 3.0]),
        (("sensors", "pad_loads_n"), [1.0, 2.0, 3.0, float("nan")]),
        (("sensors", "pad_loads_n"), 4.0),
        (("sensors", "locks", "0"), KeyError),
        (("sensors", "locks", "0", "extended"), [1, 0]),
        (("axes", "lift", "pos"), float("inf")),
        (("axes", "lift", "state"), ["active"]),
        (("axes",), KeyError),
        (("drives", "reasons"), [[1]]),
        (("frame_seq",), -1),
        (("t_s",), None),
    ],
)
def test_a_frame_that_breaks_its_declarations_is_refused(path, value):
    body = _broken(path, value)
    with pytest.raises(wire.WireError):
        reader(under_chassis, {"locks": (["0"], ["extended", "pressure_ok"])}).read(copy.deepcopy(body))


def test_a_description_whose_lock_status_names_an_unknown_group_is_refused():
    with pytest.raises(wire.WireError, match="lock groups"):
        reader(under_chassis, {})
