"""The truck's frame rises by the spring model's static deflection when its pack leaves."""

from __future__ import annotations

import pytest

from swaptwin.config import load
from swaptwin.inprocess import drive
from twin.rigs import make_station

# "Within a few mm" of the static deflection (issue 3): the pack leaves slowly,
# the damper settles in well under the lift time.
TOLERANCE_MM = 2.0


def test_frame_rises_by_m_g_over_k_when_the_pack_is_lifted_off():
    cfg = load(["rig=overhead"])
    p = cfg.plant
    station = make_station(p)
    try:
        laden = station.truck.deflection_m()
        for seq in drive(station, cfg.controller):
            if seq.phase == "store_depleted":
                break
        else:
            pytest.fail(f"the swap ended before store_depleted: {seq.outcome}")
        unladen = station.truck.deflection_m()
    finally:
        station.close()
    k_n_per_mm = p.vehicle.suspension.stiffness_n_per_mm
    static_mm = p.pack.mass_kg * p.physics.gravity_m_s2 / k_n_per_mm
    rise_mm = (unladen - laden) * 1000.0
    assert rise_mm == pytest.approx(static_mm, abs=TOLERANCE_MM)
    assert laden * 1000.0 == pytest.approx(-static_mm, abs=0.1)
