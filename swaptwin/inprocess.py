"""The same swap stepped in one process, without the wire: the benchmark's floor.

The controller's commands pass through ``wire.parse_command`` exactly as the
plant parses them, so the physics sees the same command stream as over ZeroMQ;
what is missing is only serialisation, sockets and the second process.
This is a measurement tool, never the proof that a feature works.
"""

from __future__ import annotations

from dataclasses import dataclass

from controllers import wire
from controllers.sequences import sequence_for
from controllers.swap_sequence import Outcome
from swaptwin.config import SwapConfig
from twin.stations import make_station


@dataclass
class InProcessRun:
    outcome: Outcome | None
    sim_time_s: float
    periods: int
    events: list[dict]


def run_in_process(cfg: SwapConfig, *, keep_events: bool = True) -> InProcessRun:
    station = make_station(cfg.plant)
    try:
        desc = station.describe()
        axis_names = frozenset(a["name"] for a in desc["axes"])
        lock_ids = frozenset(station.lock_ids)
        seq = sequence_for(cfg.controller, desc)
        events: list[dict] = []
        cmd_id = 0
        limit = cfg.plant.scenario.max_sim_time_s
        while seq.outcome is None and station.world.time_s < limit - 1e-9:
            cmd = seq.on_frame(station.frame())
            cmd_id += 1
            station.apply(wire.parse_command(cmd.to_body(), axis_names=axis_names, lock_ids=lock_ids, tools=station.tool_commands), cmd_id)
            station.advance()
            ev = station.events()
            if keep_events:
                events.extend(ev)
        return InProcessRun(seq.outcome, station.world.time_s, cmd_id, events)
    finally:
        station.close()
