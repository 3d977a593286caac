"""The overhead hoist hangs on chains: it lifts, it never presses a pack down."""

from __future__ import annotations

import pytest

from controllers import wire
from controllers.sequences import sequence_for
from swaptwin.config import load
from twin.stations import make_station


def test_a_landed_pack_carries_the_mast_at_most_and_the_chains_go_slack():
    cfg = load(["rig=overhead"])
    p = cfg.plant
    station = make_station(p)
    g = p.physics.gravity_m_s2
    st = p.rig.structure
    mast_n = (st.hoist_mass_kg + 2 * st.float_stage_mass_kg + p.rig.spreader.mass_kg) * g
    pack_n = p.pack.mass_kg * g
    try:
        desc = station.describe()
        seq = sequence_for(cfg.controller, desc)
        axes, locks = frozenset(a["name"] for a in desc["axes"]), frozenset(station.lock_ids)
        cmd_id, seen_slack, after_landing = 0, False, []
        # Until the depleted pack has been set down on its stand and the spreader has let go.
        while seq.phase != "fetch_charged":
            assert seq.outcome is None, seq.outcome
            cmd_id += 1
            cmd = seq.on_frame(station.frame())
            station.apply(wire.parse_command(cmd.to_body(), axis_names=axes, lock_ids=locks, tools=station.tool_commands), cmd_id)
            station.advance()
            seen_slack |= station.rig.chain_slack
            if seq.phase == "store_depleted":
                after_landing.append(station.contact_n.get("storage", 0.0))
    finally:
        station.close()
    assert seen_slack, "the chains never went slack: the hoist held the spreader down"
    # The landing itself is one step's impact of a rigid mast (documented); from the
    # next period on the stand carries the pack and at most the mast resting on it,
    # never the hoist drive's force (up to 90 kN) on top.
    landed = next(i for i, f in enumerate(after_landing) if f > 0.5 * pack_n)
    impact = next(i for i, f in enumerate(after_landing) if f > 1.5 * pack_n)
    resting = after_landing[impact + 1:]
    assert landed <= impact and resting
    assert max(resting) == pytest.approx(pack_n + mast_n, rel=0.05)
