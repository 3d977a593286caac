"""The same swap stepped in one process, without the wire: the benchmark's floor.

The controller's commands pass through ``swapwire.parse_command`` exactly as
the plant parses them, so the physics sees the same command stream as over
ZeroMQ; what is missing is only serialisation, sockets and the second
process. This is a measurement tool, never the proof that a feature works.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import swapwire as wire
from controllers.engine import Outcome
from controllers.sequences import sequence_for
from swaptwin.config import SwapConfig
from twin.rigs import make_station


@dataclass
class InProcessRun:
    outcome: Outcome | None
    sim_time_s: float
    periods: int
    events: list[dict]


def drive(station, controller_cfg) -> Iterator:
    """Our sequence commanding ``station`` one control period at a time, its
    commands parsed as the plant parses them; yields the sequence after each
    period, until the sequence has an outcome."""
    desc = station.describe()
    rules = wire.CommandRules(
        axis_names=frozenset(desc.axis_names),
        lock_ids=frozenset(desc.locks.ids),
        tools={k: frozenset(v) for k, v in desc.tools.items()},
    )
    seq = sequence_for(controller_cfg, desc)
    cmd_id = 0
    while seq.outcome is None:
        cmd = seq.on_frame(station.frame())
        cmd_id += 1
        station.apply(wire.parse_command(cmd.to_body(), rules), cmd_id)
        station.advance()
        yield seq


def run_in_process(cfg: SwapConfig, *, keep_events: bool = True) -> InProcessRun:
    station = make_station(cfg.plant)
    try:
        events: list[dict] = []
        periods, outcome = 0, None
        limit = cfg.plant.scenario.max_sim_time_s
        for seq in drive(station, cfg.controller):
            periods += 1
            outcome = seq.outcome
            ev = station.take_events()
            if keep_events:
                events.extend(ev)
            if station.time_s >= limit - 1e-9:
                break
        return InProcessRun(outcome, station.time_s, periods, events)
    finally:
        station.close()
