"""The overhead hoist hangs on chains: it lifts, it never presses a pack down."""

from __future__ import annotations

import pytest

from swaptwin.config import load
from swaptwin.inprocess import drive
from twin.rigs import make_station


def test_a_landed_pack_carries_the_mast_at_most_and_the_chains_go_slack():
    cfg = load(["rig=overhead"])
    p = cfg.plant
    station = make_station(p)
    g = p.physics.gravity_m_s2
    st = p.rig.structure
    mast_n = (st.hoist_mass_kg + 2 * st.float_stage_mass_kg + p.rig.spreader.mass_kg) * g
    pack_n = p.pack.mass_kg * g
    seen_slack, after_landing = False, []
    try:
        # Until the depleted pack has been set down on its stand and the spreader has let go.
        for seq in drive(station, cfg.controller):
            seen_slack |= station.rig.chain_slack
            if seq.phase == "store_depleted":
                after_landing.append(station.contact_n.get("storage", 0.0))
            if seq.phase == "fetch_charged":
                break
        else:
            pytest.fail(f"the swap ended before fetch_charged: {seq.outcome}")
    finally:
        station.close()
    assert seen_slack, "the chains never went slack: the hoist held the spreader down"
    # The landing itself is one step's impact of a rigid mast (documented); from the
    # next period on the stand carries the pack and at most the mast resting on it,
    # never the hoist drive's force (up to 90 kN) on top.
    impact = next(i for i, f in enumerate(after_landing) if f > 1.5 * pack_n)
    resting = after_landing[impact + 1 :]
    assert resting
    assert max(resting) == pytest.approx(pack_n + mast_n, rel=0.05)
