"""The side-frame vehicle's frame rises by heave and by roll as its pack leaves one flank (layout.frame_drop_m)."""

from __future__ import annotations

import pytest

from swaptwin.config import load
from swaptwin.inprocess import drive
from twin.rigs import make_station
from twin.rigs.side import layout

TOLERANCE_MM = 1.5  # the pack leaves slowly; the dampers settle well within the lift-off


def test_the_swapped_frame_rises_by_heave_and_roll_when_its_pack_is_lifted_out():
    cfg = load(["rig=side"])
    p = cfg.plant
    station = make_station(p)
    try:
        laden_z = station.vehicle.seat_pose(0).p[2]
        laden_roll = station.vehicle.roll_deg()
        for seq in drive(station, cfg.controller):
            if seq.phase == "store_depleted":
                break
        else:
            pytest.fail(f"the swap ended before store_depleted: {seq.outcome}")
        out_z = station.vehicle.seat_pose(0).p[2]
        out_roll = station.vehicle.roll_deg()
    finally:
        station.close()
    g, v, pack = p.physics.gravity_m_s2, p.vehicle, p.pack
    expect_laden = v.frame.seat_height_mm / 1000 - layout.frame_drop_m(v, pack, removed_kg=0.0, gravity_m_s2=g)
    expect_out = v.frame.seat_height_mm / 1000 - layout.frame_drop_m(v, pack, removed_kg=pack.mass_kg, gravity_m_s2=g)
    roll_out = layout.roll_rad(v, pack, removed_kg=pack.mass_kg, gravity_m_s2=g) * 57.29577951308232
    assert laden_z * 1000 == pytest.approx(expect_laden * 1000, abs=0.2)
    assert laden_roll == pytest.approx(0.0, abs=0.01)  # both flanks full: no roll
    assert out_roll == pytest.approx(roll_out, abs=0.05) and out_roll > 0.5  # the emptied flank rises
    assert (out_z - laden_z) * 1000 == pytest.approx((expect_out - expect_laden) * 1000, abs=TOLERANCE_MM)
